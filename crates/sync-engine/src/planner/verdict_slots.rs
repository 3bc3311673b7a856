//! Stage 2's verdicts handed to the people they are about, without a lookup table: both
//! sides come sorted by object id.

use ipo_model::ObjectId;
use usertype_rules::Verdict;

/// A classification's verdicts, taken person by person in object id order.
pub(super) struct ByPerson {
    verdicts: std::iter::Peekable<std::vec::IntoIter<Verdict>>,
}

impl ByPerson {
    /// `verdicts` as `usertype_rules::classify` sorts them: by object id, those without
    /// one (IP Office users alone, which have no plan line) first.
    pub(super) fn new(verdicts: Vec<Verdict>) -> Self {
        Self {
            verdicts: verdicts.into_iter().peekable(),
        }
    }

    /// The verdict about `id`, if there is one. Asked in ascending id order, each verdict
    /// is passed over once: those before `id` are about nobody asked for.
    pub(super) fn take(&mut self, id: &ObjectId) -> Option<Verdict> {
        let id = Some(id);
        while self
            .verdicts
            .next_if(|v| v.person.directory.as_ref() < id)
            .is_some()
        {}
        self.verdicts.next_if(|v| v.person.directory.as_ref() == id)
    }
}
