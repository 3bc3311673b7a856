//! Stage 6 (fields): the optional mapped fields (full name, e-mail, mobile, codes) of a
//! user being created or kept in line.

use std::borrow::Cow;

use ipo_model::{AzureAdUser, IpoUser, LoginCode};

use super::context::Context;
use super::line::Line;
use crate::config::{ApplyMode, FieldMap};
use crate::mapping;
use crate::plan::FieldChange;
use crate::reason::Reason;
use crate::text::Text;

/// Optional mapped fields (full name, e-mail, mobile, codes) onto `user`.
pub(super) fn fill_optional(
    cx: &Context<'_>,
    person: &AzureAdUser,
    line: &mut Line,
    user: &mut Cow<'_, IpoUser>,
    old: Option<&IpoUser>,
    changes: &mut Vec<FieldChange>,
    creating: bool,
) {
    let fields = &cx.config.fields;
    let applies = |m: &FieldMap| creating || m.apply == ApplyMode::Always;
    if let Some(m) = fields.full_name.as_ref().filter(|m| applies(m)) {
        let v = mapping::full_name(person, &m.source, user.full_name.as_ref()).map(|v| {
            v.map(|(name, note)| {
                line.reasons.extend(note);
                name
            })
        });
        if let Some(v) = set_mapped(line, changes, "Full Name", v, &user.full_name) {
            user.to_mut().full_name = Some(v);
        }
    }
    if let Some(m) = fields.email.as_ref().filter(|m| applies(m)) {
        let v = mapping::email_unless(person, &m.source, user.email.as_deref());
        if let Some(v) = set_mapped(line, changes, "Email", v, &user.email) {
            user.to_mut().email = Some(v);
        }
    }
    if let Some(m) = fields.mobile_twinning.as_ref().filter(|m| applies(m)) {
        let v = mapping::mobile(person, &m.source);
        if let Some(v) = set_mapped(
            line,
            changes,
            "Mobile Twinning Number",
            v,
            &user.mobile_twinning_number,
        ) {
            user.to_mut().mobile_twinning_number = Some(v);
        }
    }
    if let Some(m) = fields.login_code.as_ref().filter(|m| applies(m)) {
        let v: Option<LoginCode> = match mapping::login_code(person, &m.source) {
            Ok(v) => v,
            Err(r) => {
                line.warn(r);
                None
            }
        };
        if v.is_some() && user.login_code != v {
            changes.push(FieldChange::new(
                "Login Code",
                old.and_then(|o| o.login_code.as_ref())
                    .map(|_| Text::from(ipo_model::REDACTED)),
                Some(Text::from(ipo_model::REDACTED)),
            ));
            user.to_mut().login_code = v;
        }
    }
    if let Some(m) = fields.voicemail_code.as_ref().filter(|m| applies(m)) {
        match mapping::voicemail_code(person, &m.source, user.extension.as_ref()) {
            Ok(Some(v)) if user.voicemail_code.as_ref() != Some(&v) => {
                changes.push(FieldChange::new(
                    "Voicemail Code",
                    old.and_then(|o| o.voicemail_code.as_ref())
                        .map(|_| Text::from(ipo_model::REDACTED)),
                    Some(Text::from(ipo_model::REDACTED)),
                ));
                user.to_mut().voicemail_code = Some(v);
            }
            Ok(_) => {}
            Err(r) => line.warn(r),
        }
    }
}

/// The mapped value to write when it differs from `current`, with old -> new recorded; a
/// value IP Office would refuse becomes a reason and leaves the field alone. The caller
/// writes it, so an unchanged user is never copied.
pub(super) fn set_mapped<T: PartialEq>(
    line: &mut Line,
    changes: &mut Vec<FieldChange>,
    field: &'static str,
    value: Result<Option<T>, Reason>,
    current: &Option<T>,
) -> Option<T>
where
    for<'t> &'t T: Into<Text>,
{
    match value {
        Ok(Some(v)) if current.as_ref() != Some(&v) => {
            changes.push(FieldChange::new(
                field,
                current.as_ref().map(Into::into),
                Some((&v).into()),
            ));
            Some(v)
        }
        Ok(_) => None,
        Err(r) => {
            line.warn(r);
            None
        }
    }
}
