//! Turning Azure AD property values into IP Office field values.

use ipo_model::{
    AzureAdUser, E164Number, ExtensionNumber, FORBIDDEN_NAME_CHARS, FullName, LoginCode,
    VoicemailCode, is_invisible,
};

use crate::reason::{Cleaning, Reason};

fn invalid(field: &str, source: &str, message: impl Into<String>) -> Reason {
    Reason::InvalidValue {
        field: field.into(),
        source: source.into(),
        message: message.into(),
    }
}

/// A full name derived from `source`'s value, with a warning when it had to be cleaned;
/// `current` itself (shared) when that is the name derived.
pub(crate) fn full_name(
    user: &AzureAdUser,
    source: &str,
    current: Option<&FullName>,
) -> Result<Option<(FullName, Option<Reason>)>, Reason> {
    let Some(raw) = user.property_str(source).filter(|s| !s.trim().is_empty()) else {
        return Ok(None);
    };
    let Some(name) = FullName::derive_reusing(&raw, current) else {
        return Err(invalid(
            "Full Name",
            source,
            format!("no character IP Office accepts in: {raw}"),
        ));
    };
    let note = (name.as_str() != raw.trim()).then(|| Reason::ValueCleaned {
        field: "Full Name".into(),
        source: source.into(),
        original: raw.to_string(),
        result: name.to_string(),
        cleaning: cleaning(&raw, ipo_model::MAX_FULL_NAME_LEN),
    });
    Ok(Some((name, note)))
}

/// What IP Office's rules did to `raw` to make a name of at most `max` characters: the
/// name alone cannot tell a cut from characters removed, so `raw` is cleaned again uncut.
fn cleaning(raw: &str, max: usize) -> Cleaning {
    // As the name rules clean: refused and invisible characters dropped, runs of
    // whitespace and control characters one space.
    let uncut = raw
        .split(|c: char| c.is_whitespace() || c.is_control())
        .map(|w| {
            w.chars()
                .filter(|&c| !FORBIDDEN_NAME_CHARS.contains(&c) && !is_invisible(c))
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let cut = uncut.chars().count() > max;
    match (cut, uncut != raw.trim()) {
        (true, false) => Cleaning::Cut { max },
        (true, true) => Cleaning::CutAndCharactersRemoved { max },
        (false, _) => Cleaning::CharactersRemoved,
    }
}

/// Characters that make a spreadsheet read a cell as a formula when they start it.
const FORMULA_STARTS: [char; 4] = ['=', '+', '-', '@'];

/// A system directory name that cannot start a spreadsheet formula: the entries end up in a
/// CSV file an administrator may open in a spreadsheet, so leading `=`, `+`, `-` and `@` are
/// removed (with a remark). `None` when nothing is left.
pub(crate) fn directory_name(name: FullName, source: &str) -> (Option<FullName>, Option<Reason>) {
    let kept = name
        .as_str()
        .trim_start_matches(|c: char| FORMULA_STARTS.contains(&c) || c == ' ');
    if kept.len() == name.as_str().len() {
        return (Some(name), None);
    }
    match FullName::derive(kept) {
        Some(clean) => {
            let note = Reason::ValueCleaned {
                field: "Directory Name".into(),
                source: source.into(),
                original: name.to_string(),
                result: clean.to_string(),
                cleaning: Cleaning::FormulaStartRemoved,
            };
            (Some(clean), Some(note))
        }
        None => {
            let message = format!(
                "nothing is left once leading = + - @ are removed (so that the directory file \
                 cannot run as a spreadsheet formula): {name}"
            );
            (None, Some(invalid("Directory Name", source, message)))
        }
    }
}

/// An e-mail address: trimmed, one `@`, no spaces, control or invisible format characters
/// (an address that looks like another's), at most 254.
/// `None` as well when it is `current` (so an address in line is not copied to compare it).
pub(crate) fn email_unless(
    user: &AzureAdUser,
    source: &str,
    current: Option<&str>,
) -> Result<Option<String>, Reason> {
    let Some(raw) = user.property_str(source) else {
        return Ok(None);
    };
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let ok = t.len() <= 254
        && t.matches('@').count() == 1
        && !t.starts_with('@')
        && !t.ends_with('@')
        && !t.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || ipo_model::is_invisible(c)
                || "<>\"'&".contains(c)
        });
    if ok {
        Ok((current != Some(t)).then(|| t.to_owned()))
    } else {
        Err(invalid(
            "Email",
            source,
            format!("not an e-mail address: {t}"),
        ))
    }
}

/// A mobile twinning number (E.164, separators allowed in the source).
pub(crate) fn mobile(user: &AzureAdUser, source: &str) -> Result<Option<String>, Reason> {
    let Some(raw) = user.property_str(source).filter(|s| !s.trim().is_empty()) else {
        return Ok(None);
    };
    E164Number::parse_lenient(&raw)
        .map(|n| Some(n.to_string()))
        .map_err(|e| invalid("Mobile Twinning Number", source, e.to_string()))
}

/// A login code: 4-15 digits, as Avaya's sync accepts; anything else leaves it blank, with
/// a reason that never repeats the value (it is a secret).
pub(crate) fn login_code(user: &AzureAdUser, source: &str) -> Result<Option<LoginCode>, Reason> {
    let Some(raw) = user.property_str(source).filter(|s| !s.trim().is_empty()) else {
        return Ok(None);
    };
    match raw.trim().parse::<LoginCode>() {
        Ok(code) if code.fits_sync_ui() => Ok(Some(code)),
        _ => Err(invalid(
            "Login Code",
            source,
            "not 4 to 15 digits, so left blank",
        )),
    }
}

/// A voicemail code, checked against the extension.
pub(crate) fn voicemail_code(
    user: &AzureAdUser,
    source: &str,
    extension: Option<&ExtensionNumber>,
) -> Result<Option<VoicemailCode>, Reason> {
    let Some(raw) = user.property_str(source).filter(|s| !s.trim().is_empty()) else {
        return Ok(None);
    };
    let code: VoicemailCode = raw.trim().parse().map_err(|e: ipo_model::InvalidValue| {
        invalid("Voicemail Code", source, e.rule.to_string())
    })?;
    if let Some(ext) = extension {
        code.check_against(ext)
            .map_err(|e| invalid("Voicemail Code", source, e.rule.to_string()))?;
    }
    Ok(Some(code))
}

/// Hunt-group names from a comma-separated source value.
pub(crate) fn hunt_groups(user: &AzureAdUser, source: &str) -> Vec<String> {
    user.property_str(source)
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}
