//! Reading typed values out of raw fields, and writing changed values back in place.

use std::borrow::Cow;
use std::str::FromStr;

use ipo_model::{RawFields, RawValue};

/// A field's text, trimmed; `None` when absent or empty.
pub(crate) fn text<'a>(f: &'a RawFields, name: &str) -> Option<Cow<'a, str>> {
    let t = f.text(name)?;
    if t.trim().is_empty() {
        return None;
    }
    Some(match t {
        Cow::Borrowed(b) => Cow::Borrowed(b.trim()),
        Cow::Owned(o) => Cow::Owned(o.trim().to_owned()),
    })
}

/// A field's untrimmed text, `None` when absent or empty (free text such as an e-mail).
pub(crate) fn free_text(f: &RawFields, name: &str) -> Option<String> {
    f.text(name).filter(|t| !t.is_empty()).map(Cow::into_owned)
}

/// A field parsed leniently: absent or empty gives `None`; a value breaking our rules gives
/// `None` too (with a warning naming the record and field, never the value: it may be a
/// secret), and the raw field is left as it was.
pub(crate) fn lenient<T: FromStr>(f: &RawFields, name: &str, record: &str) -> Option<T> {
    let t = text(f, name)?;
    match t.parse() {
        Ok(v) => Some(v),
        Err(_) => {
            tracing::warn!(
                record,
                field = name,
                "value breaks a rule; read as unset, kept unchanged on the wire"
            );
            None
        }
    }
}

/// A small number (`AssignedPackage`, `TypeInfo`...).
pub(crate) fn code(f: &RawFields, name: &str) -> Option<u8> {
    text(f, name)?.parse().ok()
}

/// A count.
pub(crate) fn count(f: &RawFields, name: &str) -> Option<u32> {
    text(f, name)?.parse().ok()
}

/// A boolean (`true`/`false`, `1`/`0`); `None` when absent or unreadable.
pub(crate) fn boolean(f: &RawFields, name: &str) -> Option<bool> {
    match text(f, name)?.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Some(true),
        "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

/// Sets `name` to `value`, in place when it exists (keeping its JSON type where the new
/// value fits it), appended as text otherwise.
pub(crate) fn put(f: &mut RawFields, name: &str, value: &str) {
    let new = match f.get(name) {
        Some(RawValue::Number(_)) if !value.is_empty() && value.parse::<f64>().is_ok() => {
            RawValue::Number(value.to_owned())
        }
        Some(RawValue::Bool(_)) if value == "true" || value == "false" => {
            RawValue::Bool(value == "true")
        }
        _ => RawValue::Text(value.to_owned()),
    };
    f.set(name, new);
}

/// `true`/`false` as IP Office writes them.
pub(crate) fn bool_text(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}
