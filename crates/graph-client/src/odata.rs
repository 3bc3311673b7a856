//! Putting values into Graph URLs safely: OData string literals, path segments, query
//! values, `$select` lists, and URLs made fit for error messages.

use url::Url;

/// An OData string literal for `$filter`: the value in single quotes, each quote inside
/// doubled (`O'Brien` becomes `'O''Brien'`), so a value can never end the literal early.
///
/// The result still needs query encoding, which the client does when it builds the URL.
///
/// ```
/// use graph_client::odata_string_literal;
/// assert_eq!(odata_string_literal("O'Brien"), "'O''Brien'");
/// assert_eq!(odata_string_literal("' or 1 eq 1 or '"), "''' or 1 eq 1 or '''");
/// ```
pub fn odata_string_literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if c == '\'' {
            out.push('\'');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

fn encode(value: &str, keep: impl Fn(u8) -> bool) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(value.len());
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') || keep(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xF)]));
        }
    }
    out
}

/// Percent-encodes one URL path segment: everything but unreserved characters, so `/`, `?`,
/// `#` and `%` in a value cannot change the path.
pub fn encode_path_segment(value: &str) -> String {
    encode(value, |_| false)
}

/// Percent-encodes a query parameter value. OData punctuation that Graph expects literally
/// (`$ ' ( ) , : / @ *`) is kept readable; `& = + # %` and spaces are encoded, so a value can
/// never start a new parameter.
pub fn encode_query_value(value: &str) -> String {
    encode(value, |b| {
        matches!(
            b,
            b'$' | b'\'' | b'(' | b')' | b',' | b':' | b'/' | b'@' | b'*'
        )
    })
}

/// Builds a query string from `(name, value)` pairs, encoding the values.
pub(crate) fn query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode_query_value(k), encode_query_value(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The `$select` list: the required properties, then the caller's extras (deduplicated,
/// only names made of letters, digits and `_`, so nothing can be smuggled into the URL).
pub(crate) fn select_list(extra: &[String]) -> String {
    let mut props: Vec<&str> = ipo_model::AZURE_AD_USER_PROPERTIES.to_vec();
    for p in extra {
        let valid = !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if valid && !props.contains(&p.as_str()) {
            props.push(p);
        }
    }
    props.join(",")
}

/// Query parameters whose values are credentials or resumable state: never shown.
const SECRET_QUERY_KEYS: [&str; 6] = [
    "$skiptoken",
    "$deltatoken",
    "$skip",
    "access_token",
    "client_secret",
    "code",
];

/// The URL as it may appear in errors and logs: token-like query values replaced by `***`.
pub fn redact_url(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_fragment(None);
    let _ = shown.set_password(None);
    let Some(q) = url.query() else {
        return shown.to_string();
    };
    let redacted: Vec<String> = q
        .split('&')
        .map(|pair| {
            let key = pair.split('=').next().unwrap_or_default();
            let decoded = key.replace("%24", "$");
            if SECRET_QUERY_KEYS
                .iter()
                .any(|k| k.eq_ignore_ascii_case(&decoded))
            {
                format!("{key}={}", ipo_model::REDACTED)
            } else {
                pair.to_owned()
            }
        })
        .collect();
    shown.set_query(Some(&redacted.join("&")));
    shown.to_string()
}

/// Like [`redact_url`] for a URL held as text (a next link); unparsable text is dropped.
pub(crate) fn redact_url_str(url: &str) -> String {
    Url::parse(url)
        .map(|u| redact_url(&u))
        .unwrap_or_else(|_| "<invalid url>".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_encoding() {
        assert_eq!(odata_string_literal(""), "''");
        assert_eq!(odata_string_literal("''"), "''''''");
        assert_eq!(
            encode_query_value("displayName eq 'A&B=C+D #1'"),
            "displayName%20eq%20'A%26B%3DC%2BD%20%231'"
        );
        assert_eq!(encode_path_segment("a/b?c"), "a%2Fb%3Fc");
        assert_eq!(encode_path_segment("Zoë"), "Zo%C3%AB");
    }

    #[test]
    fn select_rejects_injection() {
        let s = select_list(&["extensionAttribute1".into(), "x&$top=1".into(), "id".into()]);
        assert!(s.starts_with("id,userPrincipalName"));
        assert!(s.ends_with(",extensionAttribute1"));
        assert!(!s.contains('&'));
    }

    #[test]
    fn redacts_tokens() {
        let u =
            Url::parse("https://graph.microsoft.com/v1.0/users/delta?$deltatoken=abc&$select=id")
                .unwrap();
        let r = redact_url(&u);
        assert!(!r.contains("abc"), "{r}");
        assert!(r.contains("$select=id"));
        let u = Url::parse("https://g/v1.0/users?%24skiptoken=zzz").unwrap();
        assert!(!redact_url(&u).contains("zzz"));
    }
}
