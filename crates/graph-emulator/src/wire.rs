//! Requests and answers inside the emulator, and the small codecs the wire needs
//! (percent-encoding, opaque tokens, Graph's error body).

use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Value, json};

/// A request as the routes see it (from the socket or from a `$batch` body).
#[derive(Debug, Clone, Default)]
pub(crate) struct Req {
    pub(crate) method: String,
    /// Decoded path below the server root, e.g. `/v1.0/users`.
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    /// Names lower-case.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Req {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A query parameter; OData names are matched with or without their `$`.
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        let bare = name.trim_start_matches('$');
        self.query
            .iter()
            .find(|(k, _)| k.trim_start_matches('$').eq_ignore_ascii_case(bare))
            .map(|(_, v)| v.as_str())
    }

    /// Splits `path?query` (as in a batch `url`).
    pub(crate) fn set_target(&mut self, target: &str) {
        let (p, q) = target.split_once('?').unwrap_or((target, ""));
        self.path = percent_decode(p, false);
        self.query = parse_query(q);
    }
}

/// An answer: status, headers, JSON body (`Null` for none).
#[derive(Debug, Clone)]
pub(crate) struct Resp {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Value,
}

impl Resp {
    pub(crate) fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body,
        }
    }

    pub(crate) fn ok(body: Value) -> Self {
        Self::json(200, body)
    }

    pub(crate) fn with_header(mut self, k: &str, v: impl Into<String>) -> Self {
        self.headers.push((k.to_owned(), v.into()));
        self
    }
}

/// Graph's error body; `request-id` and `client-request-id` are filled in when answered.
pub(crate) fn graph_error(status: u16, code: &str, message: &str) -> Resp {
    Resp::json(
        status,
        json!({"error": {"code": code, "message": message, "innerError": {
            "date": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
            "request-id": null,
            "client-request-id": null,
        }}}),
    )
}

pub(crate) fn bad_request(message: &str) -> Resp {
    graph_error(400, "Request_BadRequest", message)
}

pub(crate) fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' if plus_is_space => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Encodes a query value; keeps the characters Graph leaves readable in its links.
pub(crate) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~$,:/@!*()'".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Parses `a=1&b=2` (also a form body).
pub(crate) fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

pub(crate) fn build_query(params: &[(String, String)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Serialises a token's state as opaque hex text.
pub(crate) fn encode_token<T: Serialize>(t: &T) -> String {
    let bytes = serde_json::to_vec(t).unwrap_or_default();
    bytes.iter().map(|b| format!("{:02x}", b ^ 0x5a)).collect()
}

pub(crate) fn decode_token<T: DeserializeOwned>(s: &str) -> Option<T> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok().map(|b| b ^ 0x5a))
        .collect();
    serde_json::from_slice(&bytes?).ok()
}

/// `$select` as a list (`None` when absent).
pub(crate) fn select_list(s: Option<&str>) -> Option<Vec<String>> {
    s.map(|s| {
        s.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codecs() {
        assert_eq!(percent_decode("a%20b+c%2", true), "a b c%2");
        assert_eq!(percent_decode("%24batch", false), "$batch");
        let q = parse_query("%24select=id,displayName&$filter=id+eq+'O''Brien'");
        assert_eq!(q[0], ("$select".into(), "id,displayName".into()));
        assert_eq!(q[1].1, "id eq 'O''Brien'");
        let back = parse_query(&build_query(&q));
        assert_eq!(back, q);
        let t = encode_token(&vec![1, 2, 3]);
        assert_eq!(decode_token::<Vec<u32>>(&t), Some(vec![1, 2, 3]));
        assert_eq!(decode_token::<Vec<u32>>("zz"), None);
    }
}
