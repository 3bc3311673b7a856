//! Between `ipo_model` types and stored raw records.
//!
//! The wire names of the fields outside the R12.2 schema (docs/ipo-wire.md) live here.

use ipo_model::{
    Extension, ExtensionKind, FullName, Guid, HuntGroup, IpoUser, License, LicenseStatus,
    LicensingMode, LoginCode, Profile, RawFields, RawValue, RingMode, ServiceMode, TwinningType,
    VoicemailCode,
};

use crate::record::RawRecord;

/// Wire name of the "Enable MS Teams Client" flag (docs/ipo-wire.md).
pub const TEAMS_CLIENT_FIELD: &str = "EnableMSTeamsClient";
/// Wire name of the e-mail address (docs/ipo-wire.md).
pub const EMAIL_FIELD: &str = "Email";
/// Wire name of the mobile twinning number (docs/ipo-wire.md).
pub const MOBILE_TWINNING_FIELD: &str = "TwinningMobileNumber";

fn text(s: impl Into<String>) -> RawValue {
    RawValue::Text(s.into())
}

fn non_empty(fields: &RawFields, name: &str) -> Option<String> {
    fields
        .text(name)
        .map(|c| c.trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn flag(fields: &RawFields, name: &str) -> Option<bool> {
    non_empty(fields, name).map(|s| s.eq_ignore_ascii_case("true") || s == "1")
}

fn code(fields: &RawFields, name: &str) -> Option<u8> {
    non_empty(fields, name).and_then(|s| s.parse().ok())
}

/// The `AssignedPackage` code of a user record (1, IP Office's default, when absent).
pub(crate) fn package(fields: &RawFields) -> Option<u8> {
    match non_empty(fields, "AssignedPackage") {
        None => Some(1),
        Some(s) => s.parse().ok(),
    }
}

/// The fields of a user, starting from what `raw` holds.
pub(crate) fn user_fields(u: &IpoUser, mode: LicensingMode) -> RawFields {
    let mut f = u.raw.clone();
    f.set("Name", text(u.name.as_str()));
    if let Some(n) = &u.full_name {
        f.set("FullName", text(n.as_str()));
    }
    f.set(
        "Extension",
        text(u.extension.as_ref().map(|e| e.as_str()).unwrap_or("")),
    );
    if let Some(c) = u.profile.to_wire(mode) {
        f.set("AssignedPackage", text(c.to_string()));
    }
    if let Some(t) = u.teams_client {
        f.set(TEAMS_CLIENT_FIELD, text(t.to_string()));
    }
    if let Some(e) = &u.voicemail_email {
        f.set("VoicemailEmail", text(e.clone()));
    }
    if let Some(e) = &u.email {
        f.set(EMAIL_FIELD, text(e.clone()));
    }
    if let Some(c) = &u.login_code {
        f.set("LoginCode", text(c.expose()));
    }
    if let Some(c) = &u.voicemail_code {
        f.set("VoicemailCode", text(c.expose()));
    }
    f.set("TwinningType", text(u.twinning.to_wire().to_string()));
    if let Some(m) = &u.mobile_twinning_number {
        f.set(MOBILE_TWINNING_FIELD, text(m.clone()));
    }
    f.set("XDirectory", text(u.exclude_from_directory.to_string()));
    f
}

/// A stored user record as the model sees it; `None` if its name is not a valid name.
pub(crate) fn user_from(rec: &RawRecord, mode: LicensingMode) -> Option<IpoUser> {
    let f = &rec.fields;
    let name = f.text("Name")?.parse().ok()?;
    let mut u = IpoUser::new(name, mode);
    u.guid = rec.guid.parse::<Guid>().ok();
    u.full_name = non_empty(f, "FullName").and_then(|s| s.parse::<FullName>().ok());
    u.extension = non_empty(f, "Extension").and_then(|s| s.parse().ok());
    u.profile = Profile::from_wire(package(f).unwrap_or(1), mode);
    u.teams_client = flag(f, TEAMS_CLIENT_FIELD);
    u.voicemail_email = non_empty(f, "VoicemailEmail");
    u.email = non_empty(f, EMAIL_FIELD);
    u.login_code = non_empty(f, "LoginCode").and_then(|s| s.parse::<LoginCode>().ok());
    u.voicemail_code = non_empty(f, "VoicemailCode").and_then(|s| s.parse::<VoicemailCode>().ok());
    u.twinning = TwinningType::from_wire(code(f, "TwinningType").unwrap_or(0));
    u.mobile_twinning_number = non_empty(f, MOBILE_TWINNING_FIELD);
    u.exclude_from_directory = flag(f, "XDirectory").unwrap_or(false);
    u.node = rec.node.clone();
    u.raw = f.clone();
    Some(u)
}

/// The fields of an extension record (`Id` is the system's to allocate).
pub(crate) fn extension_fields(e: &Extension) -> RawFields {
    let mut f = e.raw.clone();
    f.remove("Id");
    f.set("Extension", text(e.number.as_str()));
    f.set("TypeInfo", text(e.kind.to_wire().to_string()));
    f
}

pub(crate) fn extension_from(rec: &RawRecord) -> Option<Extension> {
    let f = &rec.fields;
    let number = non_empty(f, "Extension")?.parse().ok()?;
    let mut e = Extension::new(
        number,
        ExtensionKind::from_wire(code(f, "TypeInfo").unwrap_or(0)),
    );
    e.guid = rec.guid.parse().ok();
    e.id = non_empty(f, "Id").and_then(|s| s.parse().ok());
    e.node = rec.node.clone();
    e.raw = f.clone();
    Some(e)
}

pub(crate) fn hunt_group_fields(h: &HuntGroup) -> RawFields {
    let mut f = h.raw.clone();
    f.set("Name", text(h.name.as_str()));
    f.set(
        "Extension",
        text(h.extension.as_ref().map(|e| e.as_str()).unwrap_or("")),
    );
    let members: Vec<&str> = h.members.iter().map(|m| m.as_str()).collect();
    f.set("MembersList", text(members.join("|")));
    f.set("GroupRingMode", text(h.ring_mode.to_wire().to_string()));
    f.set("ServiceMode", text(h.service_mode.to_wire().to_string()));
    f
}

pub(crate) fn hunt_group_from(rec: &RawRecord) -> Option<HuntGroup> {
    let f = &rec.fields;
    let name = f.text("Name")?.parse().ok()?;
    let mut h = HuntGroup::new(name, non_empty(f, "Extension").and_then(|s| s.parse().ok()));
    h.guid = rec.guid.parse().ok();
    h.members = members(f).iter().filter_map(|m| m.parse().ok()).collect();
    h.ring_mode = RingMode::from_wire(code(f, "GroupRingMode").unwrap_or(0));
    h.service_mode = ServiceMode::from_wire(code(f, "ServiceMode").unwrap_or(1));
    h.raw = f.clone();
    Some(h)
}

/// The `MembersList` entries of a hunt group.
pub(crate) fn members(f: &RawFields) -> Vec<String> {
    f.text("MembersList")
        .map(|s| {
            s.split('|')
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn license_fields(l: &License) -> RawFields {
    let status = match l.status {
        LicenseStatus::Invalid => 0,
        LicenseStatus::Valid => 1,
        LicenseStatus::Expired => 2,
        LicenseStatus::TokenExpired => 3,
        LicenseStatus::Dormant => 5,
        LicenseStatus::Obsolete => 6,
        _ => 4,
    };
    RawFields(vec![
        ("LicenseKey".into(), text(l.key.clone())),
        ("Source".into(), text("0")),
        ("Type".into(), text("0")),
        ("Status".into(), text(status.to_string())),
        ("Quantity".into(), text(l.quantity.to_string())),
        ("FreeInstances".into(), text(l.free.to_string())),
        ("ExpiryDate".into(), text("")),
        ("Mode".into(), text("2")),
        (
            "DisplayName".into(),
            text(l.display_name.clone().unwrap_or_else(|| l.key.clone())),
        ),
    ])
}

pub(crate) fn license_from(rec: &RawRecord) -> License {
    let f = &rec.fields;
    let num = |n: &str| {
        non_empty(f, n)
            .and_then(|s| s.parse::<u32>().ok())
            .unwrap_or(0)
    };
    let mut l = License::new(
        f.text("LicenseKey").unwrap_or_default(),
        num("Quantity"),
        num("FreeInstances"),
    );
    l.guid = rec.guid.parse().ok();
    l.display_name = non_empty(f, "DisplayName");
    l.status = LicenseStatus::from_wire(code(f, "Status").unwrap_or(1));
    l
}

/// Whether a licence record counts (status valid), and the profile it grants.
pub(crate) fn license_profile(rec: &RawRecord) -> Option<Profile> {
    let l = license_from(rec);
    (l.status == LicenseStatus::Valid)
        .then(|| l.profile())
        .flatten()
}
