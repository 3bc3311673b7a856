//! An order-keeping JSON value, so that a record's fields keep the order a client sent them
//! in (serde_json's own `Value` sorts keys unless a workspace-wide feature is turned on).

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A JSON (or TOML, when seeding) value with object keys in document order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Jv {
    Null,
    Bool(bool),
    /// A number, as its text.
    Num(String),
    Str(String),
    Arr(Vec<Jv>),
    Obj(Vec<(String, Jv)>),
}

impl Jv {
    pub(crate) fn get(&self, key: &str) -> Option<&Jv> {
        match self {
            Jv::Obj(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub(crate) fn as_scalar_text(&self) -> Option<String> {
        match self {
            Jv::Str(s) | Jv::Num(s) => Some(s.clone()),
            Jv::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// Writes compact JSON.
    pub(crate) fn write(&self, out: &mut String) {
        match self {
            Jv::Null => out.push_str("null"),
            Jv::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Jv::Num(n) => {
                // A number that came from elsewhere (TOML, the Rust API) might not be valid
                // JSON: quote it rather than emit a broken document.
                if serde_json::from_str::<serde_json::Number>(n).is_ok() {
                    out.push_str(n);
                } else {
                    write_str(n, out);
                }
            }
            Jv::Str(s) => write_str(s, out),
            Jv::Arr(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write(out);
                }
                out.push(']');
            }
            Jv::Obj(m) => {
                out.push('{');
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(k, out);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }

    pub(crate) fn to_json_string(&self) -> String {
        let mut s = String::new();
        self.write(&mut s);
        s
    }
}

fn write_str(s: &str, out: &mut String) {
    match serde_json::to_string(s) {
        Ok(q) => out.push_str(&q),
        // Serialising a &str cannot fail; keep a valid document anyway.
        Err(_) => out.push_str("\"\""),
    }
}

/// Parses JSON keeping key order.
pub(crate) fn parse(text: &str) -> Result<Jv, String> {
    serde_json::from_str::<Jv>(text).map_err(|e| e.to_string())
}

impl<'de> Deserialize<'de> for Jv {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JvVisitor)
    }
}

struct JvVisitor;

impl<'de> Visitor<'de> for JvVisitor {
    type Value = Jv;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Jv, E> {
        Ok(Jv::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Jv, E> {
        Ok(Jv::Num(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Jv, E> {
        Ok(Jv::Num(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Jv, E> {
        Ok(match serde_json::Number::from_f64(v) {
            Some(n) => Jv::Num(n.to_string()),
            None => Jv::Null,
        })
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Jv, E> {
        Ok(Jv::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Jv, E> {
        Ok(Jv::Str(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Jv, E> {
        Ok(Jv::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Jv, E> {
        Ok(Jv::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Jv, D::Error> {
        Jv::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Jv, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element::<Jv>()? {
            items.push(v);
        }
        Ok(Jv::Arr(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Jv, A::Error> {
        let mut entries = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Jv>()? {
            entries.push((k, v));
        }
        Ok(Jv::Obj(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_number_text() {
        let v = parse(r#"{"b":1,"a":[true,null,"x\"y"],"c":{"@k":"1","d":2.5}}"#).unwrap();
        assert_eq!(
            v.to_json_string(),
            r#"{"b":1,"a":[true,null,"x\"y"],"c":{"@k":"1","d":2.5}}"#
        );
        assert_eq!(Jv::Num("12abc".into()).to_json_string(), "\"12abc\"");
        assert!(parse("{").is_err());
    }
}
