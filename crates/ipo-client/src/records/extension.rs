//! `Extension` records <-> [`Extension`].

use ipo_model::{Extension, ExtensionKind, ExtensionNumber, Guid};

use super::fields::{code, count, put, text};
use crate::error::IpoError;
use crate::wire::WireRecord;

pub(crate) fn record_guid(rec: &WireRecord, label: &str) -> Result<Option<Guid>, IpoError> {
    rec.guid()
        .map(|g| {
            g.parse::<Guid>().map_err(|e| IpoError::InvalidRecord {
                record: label.to_owned(),
                field: "GUID".into(),
                message: e.rule.to_string(),
            })
        })
        .transpose()
}

/// An `Extension` record as an [`Extension`]. The number identifies the record, so an
/// unusable `Extension` is an error (as `Name` is for users).
pub fn extension_from_record(rec: WireRecord, index: usize) -> Result<Extension, IpoError> {
    let label = match rec.guid() {
        Some(g) => format!("Extension #{} ({g})", index + 1),
        None => format!("Extension #{}", index + 1),
    };
    let guid = record_guid(&rec, &label)?;
    let number_text = text(&rec.fields, "Extension")
        .map(|c| c.into_owned())
        .unwrap_or_default();
    let number: ExtensionNumber =
        number_text
            .parse()
            .map_err(|e: ipo_model::InvalidValue| IpoError::InvalidRecord {
                record: label,
                field: "Extension".into(),
                message: format!("{number_text:?}: {}", e.rule),
            })?;
    let kind = code(&rec.fields, "TypeInfo")
        .map(ExtensionKind::from_wire)
        .unwrap_or(ExtensionKind::Normal);
    let mut e = Extension::new(number, kind);
    e.guid = guid;
    e.id = count(&rec.fields, "Id");
    e.raw = rec.fields;
    Ok(e)
}

/// The record to send for an extension (raw kept, `Extension`/`TypeInfo` replaced when
/// changed; `Id` is read-only and never written by us).
pub fn extension_to_record(e: &Extension) -> WireRecord {
    let mut f = e.raw.clone();
    if text(&f, "Extension").as_deref() != Some(e.number.as_str()) {
        put(&mut f, "Extension", e.number.as_str());
    }
    let wanted = e.kind.to_wire();
    let had = code(&f, "TypeInfo");
    // SIP DECT is written as SIP and reads back as SIP: not a change.
    if had != Some(wanted) {
        put(&mut f, "TypeInfo", &wanted.to_string());
    }
    let attributes = e
        .guid
        .as_ref()
        .map(|g| vec![("GUID".to_owned(), g.as_str().to_owned())])
        .unwrap_or_default();
    WireRecord::new("Extension", attributes, f)
}
