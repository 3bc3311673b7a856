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

/// One node of the solution as `GET systems` lists it: the `System` record's `Name` and its
/// LAN1 address, the value the Management API's `ipaddress=` selector takes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NodeInfo {
    /// System `Name`.
    pub name: String,
    /// `LAN1/IPAddress`; `None` when the record carries none (such a node cannot be
    /// addressed).
    pub address: Option<String>,
}

impl NodeInfo {
    /// A node.
    pub fn new(name: impl Into<String>, address: Option<String>) -> Self {
        Self {
            name: name.into(),
            address,
        }
    }
}

impl std::fmt::Display for NodeInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.address {
            Some(a) => write!(f, "{} ({a})", self.name),
            None => write!(f, "{} (no LAN1 address)", self.name),
        }
    }
}

/// Every node of the solution, primary first, from the `System` records.
pub fn nodes_from_records(recs: &[WireRecord]) -> Vec<NodeInfo> {
    recs.iter()
        .map(|r| {
            NodeInfo::new(
                free_text(&r.fields, "Name").unwrap_or_default(),
                nested(&r.fields, "LAN1", "IPAddress"),
            )
        })
        .collect()
}
