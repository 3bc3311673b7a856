//! Stage 2's verdicts handed to the people they are about, without a lookup table and
//! without moving them until their plan line takes them: both sides come sorted by object
//! id (`usertype_rules::classify` puts the verdicts without one, IP Office users alone,
//! first; they have no plan line).

use ipo_model::ObjectId;
use usertype_rules::Verdict;

/// Whether `v` comes before the verdict about `id` (is about nobody asked for).
fn before(v: &Verdict, id: &ObjectId) -> bool {
    v.person.directory.as_ref() < Some(id)
}

fn about(v: &Verdict, id: &ObjectId) -> bool {
    v.person.directory.as_ref() == Some(id)
}

/// Reads the verdicts person by person, in ascending id order.
pub(super) struct Cursor<'v> {
    verdicts: &'v [Verdict],
}

impl<'v> Cursor<'v> {
    pub(super) fn new(verdicts: &'v [Verdict]) -> Self {
        Self { verdicts }
    }

    /// The verdict about `id`, if there is one.
    pub(super) fn find(&mut self, id: &ObjectId) -> Option<&'v Verdict> {
        let skip = self.verdicts.iter().take_while(|v| before(v, id)).count();
        self.verdicts = self.verdicts.get(skip..).unwrap_or_default();
        let (first, rest) = self.verdicts.split_first()?;
        about(first, id).then(|| {
            self.verdicts = rest;
            first
        })
    }
}

/// Takes the verdicts out person by person, in ascending id order.
pub(super) struct ByPerson {
    verdicts: std::iter::Peekable<std::vec::IntoIter<Verdict>>,
}

impl ByPerson {
    pub(super) fn new(verdicts: Vec<Verdict>) -> Self {
        Self {
            verdicts: verdicts.into_iter().peekable(),
        }
    }

    /// The verdict about `id`, if there is one.
    pub(super) fn take(&mut self, id: &ObjectId) -> Option<Verdict> {
        while self.verdicts.next_if(|v| before(v, id)).is_some() {}
        self.verdicts.next_if(|v| about(v, id))
    }
}
