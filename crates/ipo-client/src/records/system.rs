//! `System` records -> [`SystemInfo`].

use ipo_model::{LicensingMode, Platform, RawFields, RawValue, SystemInfo};

use super::fields::free_text;
use crate::wire::WireRecord;

/// The text of `child` inside the nested element `parent` (`LAN1/IPAddress`).
fn nested(f: &RawFields, parent: &str, child: &str) -> Option<String> {
    match f.get(parent)? {
        RawValue::Element(e) => free_text(&e.children, child),
        RawValue::List(items) => items.iter().find_map(|i| match i {
            RawValue::Element(e) => free_text(&e.children, child),
            _ => None,
        }),
        _ => None,
    }
}

/// `PLDS`/`1` or `Subscription`/`2`; anything else is `None`.
fn licensing_mode(s: &str) -> Option<LicensingMode> {
    match s.trim().to_ascii_lowercase().as_str() {
        "plds" | "1" | "weblm" => Some(LicensingMode::Plds),
        "subscription" | "2" => Some(LicensingMode::Subscription),
        _ => None,
    }
}

fn platform(s: &str) -> Platform {
    let n: String = s
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    match n.as_str() {
        "ip500v2" | "ip500" | "ip500v2a" => Platform::Ip500V2,
        "serveredition" | "se" | "serveredtion" => Platform::ServerEdition,
        "select" | "serveredtionselect" | "servereditionselect" => Platform::Select,
        _ if n.contains("select") => Platform::Select,
        _ if n.contains("server") => Platform::ServerEdition,
        _ if n.contains("ip500") => Platform::Ip500V2,
        _ => Platform::Other(s.to_owned()),
    }
}

/// One `System` record as a [`SystemInfo`] (its own node only). A missing licensing mode
/// is read as PLDS, with a warning.
pub fn system_from_record(rec: &WireRecord) -> SystemInfo {
    let f = &rec.fields;
    let version: Vec<String> = ["MajorVersion", "MinorVersion", "BuildVersion"]
        .iter()
        .filter_map(|n| free_text(f, n))
        .collect();
    let mode = nested(f, "PBXLicense", "LicenseMode")
        .or_else(|| free_text(f, "LicenseMode"))
        .and_then(|m| licensing_mode(&m));
    let mode = mode.unwrap_or_else(|| {
        tracing::warn!("system record names no known licensing mode; assuming PLDS");
        LicensingMode::Plds
    });
    let mut s = SystemInfo::new(
        free_text(f, "Name").unwrap_or_default(),
        version.join("."),
        mode,
        free_text(f, "Configuration")
            .map(|c| platform(&c))
            .unwrap_or(Platform::Other(String::new())),
    );
    s.node_address = nested(f, "LAN1", "IPAddress");
    s
}

/// The solution from every `System` record: the first is the primary; the others' LAN1
/// addresses become `nodes`. `None` when there is no record.
pub fn solution_from_records(recs: &[WireRecord]) -> Option<SystemInfo> {
    let mut primary = system_from_record(recs.first()?);
    primary.nodes = recs[1..]
        .iter()
        .filter_map(|r| nested(&r.fields, "LAN1", "IPAddress"))
        .collect();
    Some(primary)
}
