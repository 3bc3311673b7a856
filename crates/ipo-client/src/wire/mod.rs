//! The codec: envelopes and records in XML and JSON, without any I/O. Usable on its own
//! (benchmarks, emulators, tools).
//!
//! ```
//! use ipo_client::wire;
//! use ipo_model::LicensingMode;
//! let body = r#"<response status="1"><data><ws_object><User GUID="0B67A400">
//!   <Name>Ann</Name><FullName>Ann &amp; Co</FullName><Extension>201</Extension>
//!   <AssignedPackage>4</AssignedPackage><DSSKeys><DSSKey Key="1"><Label/></DSSKey></DSSKeys>
//! </User></ws_object></data></response>"#;
//! let users = wire::parse_users(body, LicensingMode::Plds)?;
//! assert_eq!(users[0].full_name.as_ref().unwrap().as_str(), "Ann & Co");
//! assert_eq!(users[0].profile, ipo_model::Profile::PowerUser);
//! assert_eq!(users[0].raw.len(), 5);
//! # Ok::<(), ipo_client::IpoError>(())
//! ```

mod envelope;
mod json;
mod xml;

pub(crate) use envelope::check_values;
/// A listing answer as IP Office writes it, for this crate's tests and benchmarks; only with
/// the `test-support` feature, not part of the supported API.
#[cfg(feature = "test-support")]
#[doc(hidden)]
pub use envelope::write_listing;
pub use envelope::{Envelope, Reboot, WireRecord, WsObject, parse_envelope, write_request};

use ipo_model::{Extension, HuntGroup, IpoUser, License, LicensingMode, SystemInfo};

use crate::config::{WireFormat, WireNames};
use crate::error::IpoError;
use crate::records;

/// The records of a listing; a `status="0"` answer is an [`IpoError::Api`].
pub fn listing_records(body: &str, what: &str) -> Result<Vec<WireRecord>, IpoError> {
    let env = parse_envelope(body)?;
    if env.failed() {
        return Err(IpoError::Api {
            what: what.to_owned(),
            errors: env.errors(),
        });
    }
    Ok(env.into_records().collect())
}

/// Users of a listing, with the default [`WireNames`].
pub fn parse_users(body: &str, mode: LicensingMode) -> Result<Vec<IpoUser>, IpoError> {
    parse_users_with(body, mode, &WireNames::default())
}

/// Users of a listing, with the given wire names for fields outside the schema.
pub fn parse_users_with(
    body: &str,
    mode: LicensingMode,
    names: &WireNames,
) -> Result<Vec<IpoUser>, IpoError> {
    listing_records(body, "GET users")?
        .into_iter()
        .enumerate()
        .map(|(i, r)| records::user_from_record(r, i, mode, names))
        .collect()
}

/// Extensions of a listing (both JSON shapes of a listed extension are accepted).
pub fn parse_extensions(body: &str) -> Result<Vec<Extension>, IpoError> {
    listing_records(body, "GET extensions")?
        .into_iter()
        .enumerate()
        .map(|(i, r)| records::extension_from_record(r, i))
        .collect()
}

/// Hunt groups of a listing.
pub fn parse_hunt_groups(body: &str) -> Result<Vec<HuntGroup>, IpoError> {
    listing_records(body, "GET huntgroups")?
        .into_iter()
        .enumerate()
        .map(|(i, r)| records::hunt_group_from_record(r, i))
        .collect()
}

/// Licences of a listing.
pub fn parse_licenses(body: &str) -> Result<Vec<License>, IpoError> {
    Ok(listing_records(body, "GET licenses")?
        .iter()
        .map(records::license_from_record)
        .collect())
}

/// The system (primary first, other nodes listed) of a `systems` listing.
pub fn parse_system(body: &str) -> Result<SystemInfo, IpoError> {
    let recs = listing_records(body, "GET systems")?;
    records::solution_from_records(&recs).ok_or_else(|| IpoError::Malformed {
        what: "GET systems".into(),
        detail: "no System record".into(),
    })
}

/// A request body creating (`creating`) or updating users, one `ws_object` each.
pub fn write_users(
    format: WireFormat,
    users: &[IpoUser],
    mode: LicensingMode,
    names: &WireNames,
    creating: bool,
) -> Result<String, IpoError> {
    let recs = users
        .iter()
        .map(|u| records::user_to_record(u, mode, names, creating))
        .collect::<Result<Vec<_>, _>>()?;
    write_request(format, &recs)
}
