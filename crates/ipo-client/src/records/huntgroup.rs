//! `HuntGroup` records <-> [`HuntGroup`].

use ipo_model::{ExtensionNumber, HuntGroup, RawFields, RingMode, ServiceMode, UserName};

use super::extension::record_guid;
use super::fields::{code, lenient, put, text};
use crate::error::IpoError;
use crate::wire::WireRecord;

/// `MembersList` split at `|`; members that are not extension numbers are skipped (with a
/// warning) and survive on the wire unless the member list is changed.
fn members(f: &RawFields, record: &str) -> Vec<ExtensionNumber> {
    let Some(list) = text(f, "MembersList") else {
        return Vec::new();
    };
    list.split('|')
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .filter_map(|m| match m.parse() {
            Ok(e) => Some(e),
            Err(_) => {
                tracing::warn!(
                    record,
                    member = m,
                    "hunt group member is not an extension number; skipped"
                );
                None
            }
        })
        .collect()
}

/// A `HuntGroup` record as a [`HuntGroup`].
pub fn hunt_group_from_record(rec: WireRecord, index: usize) -> Result<HuntGroup, IpoError> {
    let label = match rec.guid() {
        Some(g) => format!("HuntGroup #{} ({g})", index + 1),
        None => format!("HuntGroup #{}", index + 1),
    };
    let guid = record_guid(&rec, &label)?;
    let name_text = rec
        .fields
        .text("Name")
        .map(|c| c.into_owned())
        .unwrap_or_default();
    let name: UserName =
        name_text
            .parse()
            .map_err(|e: ipo_model::InvalidValue| IpoError::InvalidRecord {
                record: label.clone(),
                field: "Name".into(),
                message: format!("{name_text:?}: {}", e.rule),
            })?;
    let record = format!("hunt group {name}");
    let mut h = HuntGroup::new(name, lenient(&rec.fields, "Extension", &record));
    h.guid = guid;
    h.members = members(&rec.fields, &record);
    h.ring_mode = code(&rec.fields, "GroupRingMode")
        .map(RingMode::from_wire)
        .unwrap_or_default();
    h.service_mode = code(&rec.fields, "ServiceMode")
        .map(ServiceMode::from_wire)
        .unwrap_or_default();
    h.raw = rec.fields;
    Ok(h)
}

/// The record to send for a hunt group: raw kept, changed modelled fields replaced.
pub fn hunt_group_to_record(h: &HuntGroup) -> WireRecord {
    let record = format!("hunt group {}", h.name);
    let mut f = h.raw.clone();
    if text(&f, "Name").as_deref() != Some(h.name.as_str()) {
        put(&mut f, "Name", h.name.as_str());
    }
    if lenient::<ExtensionNumber>(&f, "Extension", &record) != h.extension {
        put(
            &mut f,
            "Extension",
            h.extension
                .as_ref()
                .map(ExtensionNumber::as_str)
                .unwrap_or(""),
        );
    }
    if members(&f, &record) != h.members {
        let list: Vec<&str> = h.members.iter().map(ExtensionNumber::as_str).collect();
        put(&mut f, "MembersList", &list.join("|"));
    }
    if code(&f, "GroupRingMode")
        .map(RingMode::from_wire)
        .unwrap_or_default()
        != h.ring_mode
    {
        put(&mut f, "GroupRingMode", &h.ring_mode.to_wire().to_string());
    }
    if code(&f, "ServiceMode")
        .map(ServiceMode::from_wire)
        .unwrap_or_default()
        != h.service_mode
    {
        put(&mut f, "ServiceMode", &h.service_mode.to_wire().to_string());
    }
    let attributes = h
        .guid
        .as_ref()
        .map(|g| vec![("GUID".to_owned(), g.as_str().to_owned())])
        .unwrap_or_default();
    WireRecord::new("HuntGroup", attributes, f)
}
