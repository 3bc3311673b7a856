//! A small XML element tree: enough for the Management API's envelopes and records.

use quick_xml::Reader;
use quick_xml::escape::{escape, partial_escape, resolve_predefined_entity};
use quick_xml::events::{BytesStart, Event};

/// One element with its attributes, child elements and text (leaf text kept exactly).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Xe {
    pub(crate) name: String,
    pub(crate) attrs: Vec<(String, String)>,
    pub(crate) children: Vec<Xe>,
    pub(crate) text: String,
}

impl Xe {
    pub(crate) fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    pub(crate) fn child(&self, name: &str) -> Option<&Xe> {
        self.children.iter().find(|c| c.name == name)
    }

    pub(crate) fn write(&self, out: &mut String) {
        out.push('<');
        out.push_str(&self.name);
        for (k, v) in &self.attrs {
            out.push(' ');
            out.push_str(k);
            out.push_str("=\"");
            out.push_str(&escape(v.as_str()));
            out.push('"');
        }
        if self.children.is_empty() && self.text.is_empty() {
            out.push_str("/>");
            return;
        }
        out.push('>');
        // Quotes stay literal in text, as IP Office prints them (`"A user ... Exist."`).
        out.push_str(&partial_escape(self.text.as_str()));
        for c in &self.children {
            c.write(out);
        }
        out.push_str("</");
        out.push_str(&self.name);
        out.push('>');
    }
}

fn start(e: &BytesStart<'_>) -> Result<Xe, String> {
    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
    let mut x = Xe::new(name);
    for a in e.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        let value = a.unescape_value().map_err(|e| e.to_string())?.into_owned();
        x.attrs.push((key, value));
    }
    Ok(x)
}

/// Parses a document and returns its root element.
pub(crate) fn parse(text: &str) -> Result<Xe, String> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Xe> = Vec::new();
    let mut root: Option<Xe> = None;
    loop {
        let ev = reader.read_event().map_err(|e| e.to_string())?;
        match ev {
            Event::Start(e) => stack.push(start(&e)?),
            Event::Empty(e) => {
                let x = start(&e)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(x),
                    None if root.is_none() => root = Some(x),
                    None => return Err("more than one root element".into()),
                }
            }
            Event::End(_) => {
                let mut x = stack.pop().ok_or("unbalanced end tag")?;
                if !x.children.is_empty() && x.text.trim().is_empty() {
                    // Indentation between child elements is not content.
                    x.text.clear();
                }
                match stack.last_mut() {
                    Some(parent) => parent.children.push(x),
                    None if root.is_none() => root = Some(x),
                    None => return Err("more than one root element".into()),
                }
            }
            Event::Text(t) => {
                let s = t.xml_content().map_err(|e| e.to_string())?;
                match stack.last_mut() {
                    Some(x) => x.text.push_str(&s),
                    None if s.trim().is_empty() => {}
                    None => return Err("text outside the root element".into()),
                }
            }
            Event::CData(t) => {
                let s = t.xml_content().map_err(|e| e.to_string())?;
                if let Some(x) = stack.last_mut() {
                    x.text.push_str(&s);
                }
            }
            Event::GeneralRef(r) => {
                let resolved = if r.is_char_ref() {
                    r.resolve_char_ref()
                        .map_err(|e| e.to_string())?
                        .map(String::from)
                } else {
                    let name = r.decode().map_err(|e| e.to_string())?;
                    resolve_predefined_entity(&name).map(str::to_owned)
                };
                let s = resolved.ok_or("unknown entity reference")?;
                if let Some(x) = stack.last_mut() {
                    x.text.push_str(&s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err("unexpected end of document".into());
    }
    root.ok_or_else(|| "no root element".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_entities() {
        let doc = r#"<?xml version="1.0"?>
<data a="x&amp;y">
  <ws_object><User GUID='AB'><Name>Ann &lt;3</Name><Empty/><Sp>  two  </Sp></User></ws_object>
</data>"#;
        let x = parse(doc).unwrap();
        assert_eq!(x.attrs, vec![("a".into(), "x&y".into())]);
        let user = x.child("ws_object").unwrap().child("User").unwrap();
        assert_eq!(user.child("Name").unwrap().text, "Ann <3");
        assert_eq!(user.child("Sp").unwrap().text, "  two  ");
        let mut out = String::new();
        user.write(&mut out);
        assert_eq!(
            out,
            r#"<User GUID="AB"><Name>Ann &lt;3</Name><Empty/><Sp>  two  </Sp></User>"#
        );
        assert!(parse("<a><b></a>").is_err());
        assert!(parse("<a>").is_err());
    }
}
