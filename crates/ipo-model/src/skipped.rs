//! A record a directory source could not read and left out, instead of failing the read.

use serde::{Deserialize, Serialize};

/// One malformed record a source skipped (e.g. a member id in a Graph delta page that is
/// not a GUID), with the raw value, so the run can report it while the rest goes on.
///
/// ```
/// use ipo_model::SkippedRecord;
/// let s = SkippedRecord::new("member of group 1f0e...", "members@delta.id", "not-a-guid", "not a GUID");
/// assert_eq!(s.to_string(), "member of group 1f0e...: members@delta.id \"not-a-guid\" skipped: not a GUID");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SkippedRecord {
    /// Which record, e.g. `member of group <id>`, `users delta`.
    pub record: String,
    /// The field that could not be read, e.g. `id`.
    pub field: String,
    /// The value exactly as the source sent it.
    pub raw: String,
    /// Why it could not be read.
    pub reason: String,
}

impl SkippedRecord {
    /// A skipped record.
    pub fn new(
        record: impl Into<String>,
        field: impl Into<String>,
        raw: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self {
            record: record.into(),
            field: field.into(),
            raw: raw.into(),
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for SkippedRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} {:?} skipped: {}",
            self.record, self.field, self.raw, self.reason
        )
    }
}
