//! The Azure AD users a classification reads: owned by the caller as a slice, or reached
//! through references.

use ipo_model::AzureAdUser;

/// The Azure AD users a classification looks at: a slice of them, or a slice of references
/// to them (a caller that already holds the users elsewhere, e.g. grouped or filtered,
/// classifies them without copying each one).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum AzureAdUsers<'a> {
    /// The users themselves.
    Users(&'a [AzureAdUser]),
    /// References to users held elsewhere.
    Refs(&'a [&'a AzureAdUser]),
}

impl<'a> AzureAdUsers<'a> {
    /// How many users.
    pub fn len(&self) -> usize {
        match self {
            Self::Users(u) => u.len(),
            Self::Refs(r) => r.len(),
        }
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`th user.
    pub fn get(&self, i: usize) -> Option<&'a AzureAdUser> {
        match self {
            Self::Users(u) => u.get(i),
            Self::Refs(r) => r.get(i).copied(),
        }
    }

    /// The users in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a AzureAdUser> + use<'a> {
        let (users, refs): (&'a [AzureAdUser], &'a [&'a AzureAdUser]) = match *self {
            Self::Users(u) => (u, &[]),
            Self::Refs(r) => (&[], r),
        };
        users.iter().chain(refs.iter().copied())
    }
}

impl<'a> From<&'a [AzureAdUser]> for AzureAdUsers<'a> {
    fn from(users: &'a [AzureAdUser]) -> Self {
        Self::Users(users)
    }
}

impl<'a> From<&'a [&'a AzureAdUser]> for AzureAdUsers<'a> {
    fn from(refs: &'a [&'a AzureAdUser]) -> Self {
        Self::Refs(refs)
    }
}
