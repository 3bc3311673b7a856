//! JSON: reading a document into a tree of raw values (keeping member order and scalar
//! types), and writing records back.
//!
//! An object becomes [`RawValue::Element`]: members named `@x` are attributes (`x`),
//! `#text` is the text, the rest are children in order. Arrays become [`RawValue::List`];
//! numbers keep their text as [`RawValue::Number`], booleans and null keep their type.

use std::fmt;

use ipo_model::{RawElement, RawFields, RawValue};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A JSON value read straight into a [`RawValue`].
struct Json(RawValue);

struct JsonVisitor;

fn scalar_text(v: RawValue) -> String {
    match v {
        RawValue::Text(s) | RawValue::Number(s) => s,
        RawValue::Bool(b) => b.to_string(),
        RawValue::Null => String::new(),
        // Structured attribute values do not occur; keep something readable.
        other => format!("{other:?}"),
    }
}

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
        Ok(Json(RawValue::Bool(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json, E> {
        Ok(Json(RawValue::Number(v.to_string())))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json, E> {
        Ok(Json(RawValue::Number(v.to_string())))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
        Ok(Json(RawValue::Number(v.to_string())))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
        Ok(Json(RawValue::Text(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
        Ok(Json(RawValue::Text(v)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json(RawValue::Null))
    }
    fn visit_none<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json(RawValue::Null))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(Json(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Json(RawValue::List(items)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut e = RawElement::default();
        while let Some(key) = map.next_key::<String>()? {
            let Json(v) = map.next_value()?;
            if key == "#text" {
                e.text = Some(scalar_text(v));
            } else if let Some(attr) = key.strip_prefix('@') {
                e.attributes.push((attr.to_owned(), scalar_text(v)));
            } else {
                e.children.0.push((key, v));
            }
        }
        Ok(Json(RawValue::Element(e)))
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

/// Reads a whole document.
pub(crate) fn parse_document(body: &str) -> Result<RawValue, String> {
    serde_json::from_str::<Json>(body)
        .map(|j| j.0)
        .map_err(|e| {
            format!(
                "JSON error at line {} column {}: {}",
                e.line(),
                e.column(),
                e.classify_kind()
            )
        })
}

trait Classify {
    fn classify_kind(&self) -> &'static str;
}

impl Classify for serde_json::Error {
    fn classify_kind(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "I/O",
            serde_json::error::Category::Syntax => "syntax",
            serde_json::error::Category::Data => "unexpected data",
            serde_json::error::Category::Eof => "unexpected end",
        }
    }
}

/// Writes a JSON string literal.
pub(crate) fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Writes a value.
pub(crate) fn write_value(out: &mut String, v: &RawValue) {
    match v {
        RawValue::Text(s) => write_str(out, s),
        RawValue::Number(n) => {
            // A number that is not valid JSON number text would break the document.
            if serde_json::from_str::<serde_json::Number>(n).is_ok() {
                out.push_str(n);
            } else {
                write_str(out, n);
            }
        }
        RawValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        RawValue::Null => out.push_str("null"),
        RawValue::Element(e) => write_object(out, e),
        RawValue::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
    }
}

/// Writes an element as an object. Children repeated under one name (read from XML)
/// become one array at the first one's position.
pub(crate) fn write_object(out: &mut String, e: &RawElement) {
    write_object_parts(out, &e.attributes, &e.children, e.text.as_deref());
}

/// Writes an object from its parts.
pub(crate) fn write_object_parts(
    out: &mut String,
    attributes: &[(String, String)],
    children: &RawFields,
    text: Option<&str>,
) {
    out.push('{');
    let mut first = true;
    let mut sep = |out: &mut String| {
        if !first {
            out.push(',');
        }
        first = false;
    };
    for (k, v) in attributes {
        sep(out);
        write_str(out, &format!("@{k}"));
        out.push(':');
        write_str(out, v);
    }
    write_members(out, children, &mut sep);
    if let Some(t) = text {
        sep(out);
        write_str(out, "#text");
        out.push(':');
        write_str(out, t);
    }
    out.push('}');
}

fn write_members(out: &mut String, fields: &RawFields, sep: &mut impl FnMut(&mut String)) {
    let f = &fields.0;
    for (i, (name, value)) in f.iter().enumerate() {
        if f[..i].iter().any(|(n, _)| n == name) {
            continue;
        }
        sep(out);
        write_str(out, name);
        out.push(':');
        let repeats = f[i + 1..].iter().any(|(n, _)| n == name);
        if repeats {
            out.push('[');
            let mut k = 0;
            for (n, v) in &f[i..] {
                if n == name {
                    if k > 0 {
                        out.push(',');
                    }
                    write_value(out, v);
                    k += 1;
                }
            }
            out.push(']');
        } else {
            write_value(out, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_types() {
        let v =
            parse_document(r#"{"b":1,"a":"x","@G":"1F","c":true,"d":null,"e":[1,"2"]}"#).unwrap();
        let RawValue::Element(e) = v else {
            panic!("object")
        };
        assert_eq!(e.attributes, vec![("G".into(), "1F".into())]);
        let names: Vec<_> = e.children.names().collect();
        assert_eq!(names, ["b", "a", "c", "d", "e"]);
        assert_eq!(e.children.get("b"), Some(&RawValue::Number("1".into())));
        assert_eq!(e.children.get("c"), Some(&RawValue::Bool(true)));
        let mut out = String::new();
        write_object(&mut out, &e);
        assert_eq!(
            out,
            r#"{"@G":"1F","b":1,"a":"x","c":true,"d":null,"e":[1,"2"]}"#
        );
    }

    #[test]
    fn escapes_strings() {
        let mut out = String::new();
        write_str(&mut out, "a\"b\\c\n\u{1}é");
        assert_eq!(out, "\"a\\\"b\\\\c\\n\\u0001é\"");
        assert_eq!(
            parse_document(&out).unwrap(),
            RawValue::Text("a\"b\\c\n\u{1}é".into())
        );
    }
}
