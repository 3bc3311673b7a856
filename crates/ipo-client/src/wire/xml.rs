//! XML: reading a document into a tree of raw values, and writing records back.
//!
//! Every scalar becomes [`RawValue::Text`]; an element with attributes or child elements
//! becomes [`RawValue::Element`]; repeated children stay repeated, in order. Entity and
//! character references are resolved; text is otherwise kept exactly (no trimming, no line
//! ending normalisation), so what is read is what is written back.

use ipo_model::{RawElement, RawFields, RawValue};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// An element being read.
struct Frame {
    name: String,
    attributes: Vec<(String, String)>,
    children: RawFields,
    text: String,
}

fn utf8(bytes: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(bytes).map_err(|e| format!("invalid UTF-8: {e}"))
}

fn open(e: &BytesStart<'_>) -> Result<Frame, String> {
    let name = utf8(e.name().as_ref())?.to_owned();
    let mut attributes = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|e| format!("bad attribute in <{name}>: {e}"))?;
        let key = utf8(a.key.as_ref())?.to_owned();
        let value = a
            .unescape_value()
            .map_err(|e| format!("bad attribute value {key} in <{name}>: {e}"))?
            .into_owned();
        attributes.push((key, value));
    }
    Ok(Frame {
        name,
        attributes,
        children: RawFields::new(),
        text: String::new(),
    })
}

fn close(f: Frame) -> (String, RawValue) {
    let value = if f.attributes.is_empty() && f.children.is_empty() {
        RawValue::Text(f.text)
    } else {
        let text = (!f.text.trim().is_empty()).then_some(f.text);
        RawValue::Element(RawElement {
            attributes: f.attributes,
            children: f.children,
            text,
        })
    };
    (f.name, value)
}

fn predefined(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => return None,
    })
}

/// Reads a whole document: the root element's name and value.
pub(crate) fn parse_document(body: &str) -> Result<(String, RawValue), String> {
    let mut reader = Reader::from_str(body);
    let mut stack: Vec<Frame> = Vec::with_capacity(8);
    let mut root: Option<(String, RawValue)> = None;
    loop {
        let at = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| format!("XML error at byte {at}: {e}"))?;
        match event {
            Event::Start(e) => stack.push(open(&e)?),
            Event::Empty(e) => {
                let done = close(open(&e)?);
                attach(&mut stack, &mut root, done);
            }
            Event::End(_) => {
                let Some(f) = stack.pop() else {
                    return Err(format!("unbalanced end tag at byte {at}"));
                };
                let done = close(f);
                attach(&mut stack, &mut root, done);
            }
            Event::Text(t) => {
                let s = t
                    .decode()
                    .map_err(|e| format!("bad text at byte {at}: {e}"))?;
                push_text(&mut stack, &s, at)?;
            }
            Event::CData(t) => {
                let s = t
                    .decode()
                    .map_err(|e| format!("bad CDATA at byte {at}: {e}"))?;
                push_text(&mut stack, &s, at)?;
            }
            Event::GeneralRef(r) => {
                let ch = match r
                    .resolve_char_ref()
                    .map_err(|e| format!("bad character reference at byte {at}: {e}"))?
                {
                    Some(c) => c,
                    None => {
                        let name = r
                            .decode()
                            .map_err(|e| format!("bad reference at byte {at}: {e}"))?;
                        predefined(&name)
                            .ok_or_else(|| format!("unknown entity &{name}; at byte {at}"))?
                    }
                };
                let mut buf = [0u8; 4];
                push_text(&mut stack, ch.encode_utf8(&mut buf), at)?;
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(format!("element <{}> is not closed", open.name));
    }
    root.ok_or_else(|| "no root element".to_owned())
}

fn push_text(stack: &mut [Frame], s: &str, at: u64) -> Result<(), String> {
    match stack.last_mut() {
        Some(top) => {
            top.text.push_str(s);
            Ok(())
        }
        None if s.trim().is_empty() => Ok(()),
        None => Err(format!("text outside the root element at byte {at}")),
    }
}

fn attach(stack: &mut [Frame], root: &mut Option<(String, RawValue)>, done: (String, RawValue)) {
    match stack.last_mut() {
        Some(parent) => {
            // Whitespace between child elements is layout, not content.
            if parent.children.is_empty() && parent.text.trim().is_empty() {
                parent.text.clear();
            }
            parent.children.0.push(done);
        }
        None => {
            if root.is_none() {
                *root = Some(done);
            }
        }
    }
}

/// Escapes text for element content and double-quoted attributes: quick-xml's escaping
/// of `&`, `<`, `>`, `'` and `"`; everything else is written as it is. Values are checked
/// with [`forbidden_char`] first: no character reference is ever written.
pub(crate) fn escape_into(out: &mut String, s: &str) {
    out.push_str(&quick_xml::escape::escape(s));
}

/// The first character XML 1.0 does not allow in a document (control characters other than
/// tab, line feed and carriage return; U+FFFE, U+FFFF), if any: IP Office cannot hold it,
/// and not even a character reference may stand for it.
pub(crate) fn forbidden_char(s: &str) -> Option<char> {
    s.chars().find(|&c| {
        let allowed = matches!(c, '\t' | '\n' | '\r')
            || ('\u{20}'..='\u{D7FF}').contains(&c)
            || ('\u{E000}'..='\u{FFFD}').contains(&c)
            || c >= '\u{10000}';
        !allowed
    })
}

fn open_tag(out: &mut String, name: &str, attributes: &[(String, String)]) {
    out.push('<');
    out.push_str(name);
    for (k, v) in attributes {
        out.push(' ');
        out.push_str(k);
        out.push_str("=\"");
        escape_into(out, v);
        out.push('"');
    }
    out.push('>');
}

fn close_tag(out: &mut String, name: &str) {
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// Writes one field (a list is written as the element repeated).
pub(crate) fn write_field(out: &mut String, name: &str, value: &RawValue) {
    match value {
        RawValue::Text(s) | RawValue::Number(s) => {
            open_tag(out, name, &[]);
            escape_into(out, s);
            close_tag(out, name);
        }
        RawValue::Bool(b) => {
            open_tag(out, name, &[]);
            out.push_str(if *b { "true" } else { "false" });
            close_tag(out, name);
        }
        RawValue::Null => {
            open_tag(out, name, &[]);
            close_tag(out, name);
        }
        RawValue::Element(e) => write_element(out, name, e),
        RawValue::List(items) => {
            for item in items {
                write_field(out, name, item);
            }
        }
    }
}

/// Writes an element with its attributes, children and text.
pub(crate) fn write_element(out: &mut String, name: &str, e: &RawElement) {
    open_tag(out, name, &e.attributes);
    if let Some(t) = &e.text {
        escape_into(out, t);
    }
    for (n, v) in &e.children.0 {
        write_field(out, n, v);
    }
    close_tag(out, name);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_leaves_elements_and_entities() {
        let (name, v) = parse_document(
            "<?xml version=\"1.0\"?>\n<r a=\"x&amp;y\">\n  <A>1 &lt; 2 &#233;</A>\n  <B/>\n  <C k=\"1\"><D>x</D><D>y</D></C>\n</r>",
        )
        .unwrap();
        assert_eq!(name, "r");
        let RawValue::Element(e) = v else {
            panic!("root is an element")
        };
        assert_eq!(e.attributes, vec![("a".into(), "x&y".into())]);
        assert_eq!(e.text, None);
        assert_eq!(e.children.text("A").unwrap(), "1 < 2 é");
        assert_eq!(e.children.text("B").unwrap(), "");
        let Some(RawValue::Element(c)) = e.children.get("C") else {
            panic!("C is an element")
        };
        assert_eq!(c.children.len(), 2);
    }

    #[test]
    fn rejects_broken_xml() {
        assert!(parse_document("<a><b></a>").is_err());
        assert!(parse_document("<a>").is_err());
        assert!(parse_document("<a>&nope;</a>").is_err());
    }

    #[test]
    fn forbidden_characters_are_found() {
        assert_eq!(forbidden_char("tab\tcr\rlf\n é 😀"), None);
        assert_eq!(forbidden_char("a\u{1}b"), Some('\u{1}'));
        assert_eq!(forbidden_char("\u{1b}"), Some('\u{1b}'));
        assert_eq!(forbidden_char("\u{FFFE}"), Some('\u{FFFE}'));
        assert_eq!(forbidden_char("\u{7f}"), None); // allowed by XML 1.0
    }

    #[test]
    fn escaping_round_trips() {
        let mut out = String::new();
        write_field(&mut out, "F", &RawValue::Text("a&b<c>\"d' é\r\n".into()));
        let (_, v) = parse_document(&out).unwrap();
        assert_eq!(v, RawValue::Text("a&b<c>\"d' é\r\n".into()));
    }
}
