//! `License` records -> [`License`].

use ipo_model::{Guid, License, LicenseStatus};

use super::fields::{code, count, free_text};
use crate::wire::WireRecord;

/// A `License` record as a [`License`] (read-only; unreadable counts are 0, an unreadable
/// GUID is dropped: nothing is ever written back to a licence).
pub fn license_from_record(rec: &WireRecord) -> License {
    let f = &rec.fields;
    let key = free_text(f, "LicenseKey").unwrap_or_default();
    let mut l = License::new(
        key,
        count(f, "Quantity").unwrap_or(0),
        count(f, "FreeInstances").unwrap_or(0),
    );
    l.guid = rec.guid().and_then(|g| g.parse::<Guid>().ok());
    l.display_name = free_text(f, "DisplayName");
    l.status = code(f, "Status")
        .map(LicenseStatus::from_wire)
        .unwrap_or(LicenseStatus::Unknown);
    l
}
