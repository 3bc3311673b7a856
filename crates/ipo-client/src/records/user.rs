//! `User` records <-> [`IpoUser`], and the lossless update.

use ipo_model::{
    ExtensionNumber, FullName, Guid, IpoUser, LicensingMode, LoginCode, Profile, RawFields,
    TwinningType, UserName, VoicemailCode,
};

use super::fields::{bool_text, boolean, code, free_text, lenient, put, text};
use crate::config::WireNames;
use crate::error::IpoError;
use crate::wire::WireRecord;

/// The modelled fields as a record's raw fields say them (lenient: rule breakers are `None`).
#[derive(Debug, PartialEq)]
struct Modelled {
    full_name: Option<FullName>,
    extension: Option<ExtensionNumber>,
    profile: Profile,
    teams_client: Option<bool>,
    voicemail_email: Option<String>,
    email: Option<String>,
    login_code: Option<LoginCode>,
    voicemail_code: Option<VoicemailCode>,
    twinning: TwinningType,
    mobile_twinning_number: Option<String>,
    exclude_from_directory: bool,
}

fn modelled(f: &RawFields, mode: LicensingMode, names: &WireNames, record: &str) -> Modelled {
    Modelled {
        full_name: lenient(f, "FullName", record),
        extension: lenient(f, "Extension", record),
        profile: code(f, "AssignedPackage")
            .map(|c| Profile::from_wire(c, mode))
            .unwrap_or_else(|| Profile::default_for(mode)),
        teams_client: boolean(f, &names.teams_client),
        voicemail_email: free_text(f, "VoicemailEmail"),
        email: free_text(f, &names.email),
        login_code: lenient(f, "LoginCode", record),
        voicemail_code: lenient(f, "VoicemailCode", record),
        twinning: code(f, "TwinningType")
            .map(TwinningType::from_wire)
            .unwrap_or_default(),
        mobile_twinning_number: free_text(f, &names.twinning_number),
        exclude_from_directory: boolean(f, "XDirectory").unwrap_or(false),
    }
}

/// A `User` record as an [`IpoUser`]. `index` (0-based position in the listing) names the
/// record in errors until its name is known.
///
/// A field whose value breaks our rules (an old voicemail code such as `1234`, a full name
/// with a `.`) is read as `None` and left untouched in `raw`; only an unusable `Name` or
/// `GUID` is an error.
pub fn user_from_record(
    rec: WireRecord,
    index: usize,
    mode: LicensingMode,
    names: &WireNames,
) -> Result<IpoUser, IpoError> {
    let guid_text = rec.guid();
    let label = match &guid_text {
        Some(g) => format!("User #{} ({g})", index + 1),
        None => format!("User #{}", index + 1),
    };
    let guid = guid_text
        .map(|g| {
            g.parse::<Guid>().map_err(|e| IpoError::InvalidRecord {
                record: label.clone(),
                field: "GUID".into(),
                message: e.rule.to_string(),
            })
        })
        .transpose()?;
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
                message: format!("{:?}: {}", name_text, e.rule),
            })?;
    let record = match &guid {
        Some(g) => format!("user {name} ({g})"),
        None => format!("user {name}"),
    };
    let m = modelled(&rec.fields, mode, names, &record);
    let mut user = IpoUser::new(name, mode);
    user.guid = guid;
    user.full_name = m.full_name;
    user.extension = m.extension;
    user.profile = m.profile;
    user.teams_client = m.teams_client;
    user.voicemail_email = m.voicemail_email;
    user.email = m.email;
    user.login_code = m.login_code;
    user.voicemail_code = m.voicemail_code;
    user.twinning = m.twinning;
    user.mobile_twinning_number = m.mobile_twinning_number;
    user.exclude_from_directory = m.exclude_from_directory;
    user.raw = rec.fields;
    Ok(user)
}

/// The record to send for `user`: `raw` as last read, with each modelled field whose value
/// differs from what `raw` says replaced in place; every other field untouched.
///
/// `creating` also writes the fields a new record needs even when they hold defaults
/// (`Name`, `AssignedPackage`, `XDirectory`). A `None` for the Teams flag means "unknown"
/// and never removes or changes the field; a `None` for text fields clears them. A field
/// read as `None` because its value broke a rule stays as it was unless a new value is set.
pub fn user_to_record(
    user: &IpoUser,
    mode: LicensingMode,
    names: &WireNames,
    creating: bool,
) -> Result<WireRecord, IpoError> {
    let record = user.label();
    let mut f = user.raw.clone();
    let old = modelled(&f, mode, names, &record);
    let opt = |o: Option<&str>| o.unwrap_or("").to_owned();

    if creating || text(&f, "Name").as_deref() != Some(user.name.as_str()) {
        put(&mut f, "Name", user.name.as_str());
    }
    if old.full_name != user.full_name {
        put(
            &mut f,
            "FullName",
            &opt(user.full_name.as_ref().map(FullName::as_str)),
        );
    }
    if old.extension != user.extension {
        put(
            &mut f,
            "Extension",
            &opt(user.extension.as_ref().map(ExtensionNumber::as_str)),
        );
    }
    if creating || old.profile != user.profile {
        let code = user
            .profile
            .to_wire(mode)
            .ok_or_else(|| IpoError::InvalidRecord {
                record: record.clone(),
                field: "AssignedPackage".into(),
                message: if mode == LicensingMode::Unknown {
                    format!(
                        "profile {} cannot be written: the licensing mode is unknown (IP Office's answer does not settle it); set licensing_mode = \"plds\" or \"subscription\" in the IP Office settings (IpoConfig::licensing_mode)",
                        user.profile
                    )
                } else {
                    format!(
                        "profile {} does not exist in {mode} licensing",
                        user.profile
                    )
                },
            })?;
        put(&mut f, "AssignedPackage", &code.to_string());
    }
    if let Some(t) = user.teams_client
        && old.teams_client != Some(t)
    {
        put(&mut f, &names.teams_client, bool_text(t));
    }
    if old.voicemail_email != user.voicemail_email {
        put(
            &mut f,
            "VoicemailEmail",
            &opt(user.voicemail_email.as_deref()),
        );
    }
    if old.email != user.email {
        put(&mut f, &names.email, &opt(user.email.as_deref()));
    }
    if old.login_code != user.login_code {
        put(
            &mut f,
            "LoginCode",
            &opt(user.login_code.as_ref().map(LoginCode::expose)),
        );
    }
    if old.voicemail_code != user.voicemail_code {
        put(
            &mut f,
            "VoicemailCode",
            &opt(user.voicemail_code.as_ref().map(VoicemailCode::expose)),
        );
    }
    if old.twinning != user.twinning {
        put(&mut f, "TwinningType", &user.twinning.to_wire().to_string());
    }
    if old.mobile_twinning_number != user.mobile_twinning_number {
        put(
            &mut f,
            &names.twinning_number,
            &opt(user.mobile_twinning_number.as_deref()),
        );
    }
    if creating || old.exclude_from_directory != user.exclude_from_directory {
        put(&mut f, "XDirectory", bool_text(user.exclude_from_directory));
    }
    let attributes = user
        .guid
        .as_ref()
        .map(|g| vec![("GUID".to_owned(), g.as_str().to_owned())])
        .unwrap_or_default();
    Ok(WireRecord::new("User", attributes, f))
}
