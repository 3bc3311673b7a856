//! Short texts for plan lines and records.

use ipo_model::{AzureAdUser, ExtensionNumber, IpoUser, Profile};

use crate::record::{RecordKind, RecordRef};
use crate::text::Text;

pub(super) fn ext_suffix(e: &Option<ExtensionNumber>) -> String {
    e.as_ref()
        .map(|e| format!(" with extension {e}"))
        .unwrap_or_default()
}

/// An existing user as a record: name and GUID.
pub(super) fn user_record(u: &IpoUser) -> RecordRef {
    RecordRef::new(RecordKind::User, &u.name).with_guid(u.guid.clone())
}

/// The person's UPN, else display name, else object id (as [`AzureAdUser::label`], in
/// one allocation).
pub(super) fn person_label(u: &AzureAdUser) -> Text {
    match u
        .user_principal_name
        .as_deref()
        .or(u.display_name.as_deref())
    {
        Some(l) => Text::copied(l),
        None => Text::copied(u.id.as_str()),
    }
}

pub(super) fn profile_text(p: Profile) -> Text {
    p.name().map_or_else(|| p.display_name().into(), Text::from)
}

pub(super) fn flag_text(on: bool) -> Text {
    Text::from(if on { "true" } else { "false" })
}

pub(super) fn kind_text(kind: ipo_model::ExtensionKind) -> Text {
    use ipo_model::ExtensionKind as K;
    // As Manager names the extension types.
    match kind {
        K::Normal => "Normal".into(),
        K::H323 => "H.323".into(),
        K::Sip => "SIP".into(),
        K::IpDect => "IP DECT".into(),
        K::SipDect => "SIP DECT".into(),
        K::D100 => "D100".into(),
        other => format!("{other:?}").into(),
    }
}
