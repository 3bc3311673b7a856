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

/// A node's LAN1 address: `LANS/LAN[@id="LAN1"]/IPAddress`, as the guide's `GET systems`
/// example shows it. (`LAN1/IPAddress`, this project's earlier guess, is still read.)
fn lan1_address(f: &RawFields) -> Option<String> {
    fn lan1(v: &RawValue) -> Option<String> {
        match v {
            RawValue::Element(e)
                if e.attributes
                    .iter()
                    .any(|(n, v)| n == "id" && v.trim().eq_ignore_ascii_case("LAN1")) =>
            {
                free_text(&e.children, "IPAddress")
            }
            _ => None,
        }
    }
    fn from_lans(lans: &RawValue) -> Option<String> {
        let RawValue::Element(lans) = lans else {
            return None;
        };
        lans.children
            .0
            .iter()
            .filter(|(n, _)| n == "LAN")
            .find_map(|(_, v)| match v {
                RawValue::List(items) => items.iter().find_map(lan1),
                one => lan1(one),
            })
    }
    let lans = match f.get("LANS") {
        Some(RawValue::List(items)) => items.iter().find_map(from_lans),
        Some(one) => from_lans(one),
        None => None,
    };
    lans.or_else(|| nested(f, "LAN1", "IPAddress"))
}

/// The licensing mode a `PBXLicense/LicenseMode` value names. The guide documents no
/// mapping (its example shows `4`), so no value settles it: the mode comes from the
/// configuration ([`IpoConfig::licensing_mode`](crate::IpoConfig::licensing_mode)). This
/// is the one place to add a mapping once Avaya documents one.
pub fn licensing_mode_of(_wire: &str) -> Option<LicensingMode> {
    None
}

/// The platform a `System` record names. The guide's `Configuration` is an operating-mode
/// value (its example shows `11`), not the platform, and no other field names it: the
/// platform comes from the configuration ([`IpoConfig::platform`](crate::IpoConfig::platform)).
pub fn platform_of(_rec: &WireRecord) -> Option<Platform> {
    None
}

/// The raw `PBXLicense/LicenseMode` of a `System` record, for messages.
pub fn license_mode_wire(rec: &WireRecord) -> Option<String> {
    nested(&rec.fields, "PBXLicense", "LicenseMode")
        .or_else(|| free_text(&rec.fields, "LicenseMode"))
}

/// One `System` record as a [`SystemInfo`] (its own node only). Licensing mode and
/// platform are [`LicensingMode::Unknown`] / [`Platform::Unknown`] unless the record
/// settles them (see [`licensing_mode_of`], [`platform_of`]); the client then applies its
/// configuration.
pub fn system_from_record(rec: &WireRecord) -> SystemInfo {
    let f = &rec.fields;
    let version: Vec<String> = ["MajorVersion", "MinorVersion", "BuildVersion"]
        .iter()
        .filter_map(|n| free_text(f, n))
        .collect();
    let mode = license_mode_wire(rec)
        .and_then(|m| licensing_mode_of(&m))
        .unwrap_or(LicensingMode::Unknown);
    let mut s = SystemInfo::new(
        free_text(f, "Name").unwrap_or_default(),
        version.join("."),
        mode,
        platform_of(rec).unwrap_or(Platform::Unknown),
    );
    s.node_address = lan1_address(f);
    s
}

/// The solution from every `System` record: the first is the primary; the others' LAN1
/// addresses become `nodes`. `None` when there is no record.
pub fn solution_from_records(recs: &[WireRecord]) -> Option<SystemInfo> {
    let mut primary = system_from_record(recs.first()?);
    primary.nodes = recs[1..]
        .iter()
        .filter_map(|r| lan1_address(&r.fields))
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
    /// `LANS/LAN[@id="LAN1"]/IPAddress`; `None` when the record carries none (such a node cannot be
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
                lan1_address(&r.fields),
            )
        })
        .collect()
}
