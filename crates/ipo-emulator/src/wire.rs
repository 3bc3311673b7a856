//! The Management API envelopes in XML and JSON: reading request bodies, writing answers.

use ipo_model::{RawElement, RawFields, RawValue};

use crate::json::{self, Jv};
use crate::record::{RecordKind, WireError};
use crate::xml::{self, Xe};

/// The body format of an answer (and of a request).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum WireFormat {
    /// `application/xml`, the better documented format.
    #[default]
    Xml,
    /// `application/json`, attributes as `@name`.
    Json,
}

impl WireFormat {
    /// The `Content-Type` of an answer in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            WireFormat::Xml => "application/xml",
            WireFormat::Json => "application/json",
        }
    }

    /// The format a `Content-Type` names, if any.
    pub fn from_content_type(ct: &str) -> Option<WireFormat> {
        let ct = ct.to_ascii_lowercase();
        if ct.contains("json") {
            Some(WireFormat::Json)
        } else if ct.contains("xml") {
            Some(WireFormat::Xml)
        } else {
            None
        }
    }
}

/// One record read from a request body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RecordIn {
    pub(crate) element: String,
    pub(crate) guid: Option<String>,
    pub(crate) attrs: Vec<(String, String)>,
    pub(crate) fields: RawFields,
}

/// Reads the records of a POST/PUT body. The format is sniffed from the first character,
/// because clients have been seen labelling JSON as XML.
pub(crate) fn parse_records(body: &str) -> Result<Vec<RecordIn>, String> {
    match body.trim_start().chars().next() {
        Some('<') => parse_xml(body),
        Some('{') => parse_json(body),
        Some(_) => Err("the body is neither XML nor JSON".into()),
        None => Err("the body is empty".into()),
    }
}

fn parse_xml(body: &str) -> Result<Vec<RecordIn>, String> {
    let root = xml::parse(body)?;
    let data = if root.name == "response" {
        root.child("data").ok_or("no <data> element")?
    } else {
        &root
    };
    if data.name != "data" {
        return Err(format!("expected <data>, found <{}>", data.name));
    }
    let mut out = Vec::new();
    for ws in data.children.iter().filter(|c| c.name == "ws_object") {
        let rec = ws.children.first().ok_or("an empty <ws_object>")?;
        let mut attrs = rec.attrs.clone();
        let guid = take_attr(&mut attrs, "GUID");
        out.push(RecordIn {
            element: rec.name.clone(),
            guid,
            attrs,
            fields: fields_from_xml(&rec.children),
        });
    }
    Ok(out)
}

fn take_attr(attrs: &mut Vec<(String, String)>, name: &str) -> Option<String> {
    let i = attrs.iter().position(|(k, _)| k == name)?;
    Some(attrs.remove(i).1)
}

fn parse_json(body: &str) -> Result<Vec<RecordIn>, String> {
    let root = json::parse(body)?;
    let root = root.get("response").unwrap_or(&root);
    let data = root.get("data").ok_or("no \"data\" member")?;
    let items = match data.get("ws_object") {
        Some(Jv::Arr(items)) => items.clone(),
        Some(obj @ Jv::Obj(_)) => vec![obj.clone()],
        Some(_) => return Err("\"ws_object\" is neither an object nor an array".into()),
        None => Vec::new(),
    };
    let mut out = Vec::new();
    for item in items {
        let Jv::Obj(members) = item else {
            return Err("a \"ws_object\" item is not an object".into());
        };
        let (element, rec) = members
            .into_iter()
            .find(|(k, _)| !k.starts_with('@'))
            .ok_or("an empty \"ws_object\"")?;
        let Jv::Obj(rec) = rec else {
            return Err(format!("\"{element}\" is not an object"));
        };
        let (mut attrs, fields) = split_json_object(rec);
        let guid = take_attr(&mut attrs, "GUID");
        out.push(RecordIn {
            element,
            guid,
            attrs,
            fields: fields.fields,
        });
    }
    Ok(out)
}

pub(crate) struct JsonFields {
    pub(crate) fields: RawFields,
    pub(crate) text: Option<String>,
}

/// Splits a JSON object into `@` attributes and fields (`#text` is mixed content).
pub(crate) fn split_json_object(obj: Vec<(String, Jv)>) -> (Vec<(String, String)>, JsonFields) {
    let mut attrs = Vec::new();
    let mut fields = RawFields::new();
    let mut text = None;
    for (k, v) in obj {
        if let Some(a) = k.strip_prefix('@') {
            attrs.push((a.to_owned(), v.as_scalar_text().unwrap_or_default()));
        } else if k == "#text" {
            text = v.as_scalar_text();
        } else {
            fields.0.push((k, raw_from_json(v)));
        }
    }
    (attrs, JsonFields { fields, text })
}

pub(crate) fn raw_from_json(v: Jv) -> RawValue {
    match v {
        Jv::Null => RawValue::Null,
        Jv::Bool(b) => RawValue::Bool(b),
        Jv::Num(n) => RawValue::Number(n),
        Jv::Str(s) => RawValue::Text(s),
        Jv::Arr(items) => RawValue::List(items.into_iter().map(raw_from_json).collect()),
        Jv::Obj(m) => {
            let (attributes, f) = split_json_object(m);
            RawValue::Element(RawElement {
                attributes,
                children: f.fields,
                text: f.text,
            })
        }
    }
}

fn fields_from_xml(children: &[Xe]) -> RawFields {
    RawFields(
        children
            .iter()
            .map(|c| (c.name.clone(), raw_from_xml(c)))
            .collect(),
    )
}

fn raw_from_xml(x: &Xe) -> RawValue {
    if x.attrs.is_empty() && x.children.is_empty() {
        RawValue::Text(x.text.clone())
    } else {
        RawValue::Element(RawElement {
            attributes: x.attrs.clone(),
            children: fields_from_xml(&x.children),
            text: (!x.text.is_empty()).then(|| x.text.clone()),
        })
    }
}

fn xml_from_raw(name: &str, v: &RawValue, out: &mut Vec<Xe>) {
    match v {
        RawValue::Text(s) | RawValue::Number(s) => {
            let mut x = Xe::new(name);
            x.text = s.clone();
            out.push(x);
        }
        RawValue::Bool(b) => {
            let mut x = Xe::new(name);
            x.text = b.to_string();
            out.push(x);
        }
        RawValue::Null => out.push(Xe::new(name)),
        RawValue::Element(e) => {
            let mut x = Xe::new(name);
            x.attrs = e.attributes.clone();
            x.text = e.text.clone().unwrap_or_default();
            x.children = xml_children(&e.children);
            out.push(x);
        }
        // A JSON array is XML's repeated element.
        RawValue::List(items) => {
            for item in items {
                xml_from_raw(name, item, out);
            }
        }
    }
}

fn xml_children(fields: &RawFields) -> Vec<Xe> {
    let mut out = Vec::new();
    for (name, v) in &fields.0 {
        xml_from_raw(name, v, &mut out);
    }
    out
}

fn json_from_raw(v: &RawValue) -> Jv {
    match v {
        RawValue::Text(s) => Jv::Str(s.clone()),
        RawValue::Number(n) => Jv::Num(n.clone()),
        RawValue::Bool(b) => Jv::Bool(*b),
        RawValue::Null => Jv::Null,
        RawValue::List(items) => Jv::Arr(items.iter().map(json_from_raw).collect()),
        RawValue::Element(e) => {
            let mut m: Vec<(String, Jv)> = e
                .attributes
                .iter()
                .map(|(k, v)| (format!("@{k}"), Jv::Str(v.clone())))
                .collect();
            if let Some(t) = &e.text {
                m.push(("#text".into(), Jv::Str(t.clone())));
            }
            m.extend(json_members(&e.children));
            Jv::Obj(m)
        }
    }
}

/// Fields as JSON members; XML's repeated elements become one array at the first position.
fn json_members(fields: &RawFields) -> Vec<(String, Jv)> {
    let mut groups: Vec<(String, Vec<Jv>)> = Vec::new();
    for (name, v) in &fields.0 {
        let jv = json_from_raw(v);
        match groups.iter_mut().find(|(n, _)| n == name) {
            Some((_, vs)) => vs.push(jv),
            None => groups.push((name.clone(), vec![jv])),
        }
    }
    groups
        .into_iter()
        .map(|(n, mut vs)| {
            if vs.len() == 1 {
                (n, vs.remove(0))
            } else {
                (n, Jv::Arr(vs))
            }
        })
        .collect()
}

/// A restart notice, in the form the guide shows for the kind of answer it is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Restart {
    /// In a successful answer: `<ws_object><reboot type="normal"/></ws_object>`.
    Normal,
    /// In an error answer: `<ws_object error_node="true"><REBOOT><error><errorLocation>ADDR`.
    InError(String),
}

/// One `ws_object` of an answer: a record, the errors of a refused record, or a restart
/// notice.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct WsOut {
    pub(crate) element: String,
    /// Attributes of the record element, `GUID` first.
    pub(crate) attrs: Vec<(String, String)>,
    pub(crate) fields: RawFields,
    /// Non-empty: this is an error node.
    pub(crate) errors: Vec<WireError>,
    /// The error node's name: `USER`, `EXTENSION`, `HUNTGROUP` for a refused record (the
    /// guide's form), `SMAError` (the default) for session and request-level errors.
    pub(crate) error_node: Option<&'static str>,
    /// This object is a restart notice.
    pub(crate) restart: Option<Restart>,
}

impl WsOut {
    /// An `SMAError` node.
    pub(crate) fn error(errors: Vec<WireError>) -> Self {
        Self {
            errors,
            ..Self::default()
        }
    }

    /// The error node of a refused record of `kind` (`USER`...).
    pub(crate) fn record_error(kind: RecordKind, errors: Vec<WireError>) -> Self {
        Self {
            errors,
            error_node: Some(kind.error_node()),
            ..Self::default()
        }
    }

    /// A restart notice object.
    pub(crate) fn restart(r: Restart) -> Self {
        Self {
            restart: Some(r),
            ..Self::default()
        }
    }

    fn node_name(&self) -> &'static str {
        self.error_node.unwrap_or("SMAError")
    }
}

/// The members of one `<error>`: record errors carry the guide's `cause` and `cause_data`,
/// and their text quoted as the guide prints it.
fn error_members(e: &WireError, record: bool) -> Vec<(&'static str, String)> {
    if record {
        vec![
            ("error_code", e.code.clone()),
            ("error_desc", format!("\"{}\"", e.desc)),
            ("cause", "0".into()),
            ("cause_data", e.cause_data.clone()),
            ("errorLocation", e.location.clone()),
        ]
    } else {
        vec![
            ("error_code", e.code.clone()),
            ("error_desc", e.desc.clone()),
            ("errorLocation", e.location.clone()),
        ]
    }
}

/// A whole answer envelope.
pub(crate) fn render(
    format: WireFormat,
    status_ok: bool,
    data_attrs: &[(String, String)],
    objects: &[WsOut],
) -> String {
    let status = if status_ok { "1" } else { "0" };
    match format {
        WireFormat::Xml => {
            let mut data = Xe::new("data");
            data.attrs = data_attrs.to_vec();
            data.children = objects.iter().map(ws_xml).collect();
            let mut resp = Xe::new("response");
            resp.attrs.push(("status".into(), status.into()));
            resp.children.push(data);
            let mut out =
                String::from(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#);
            resp.write(&mut out);
            out
        }
        WireFormat::Json => {
            let mut data: Vec<(String, Jv)> = data_attrs
                .iter()
                .map(|(k, v)| (format!("@{k}"), Jv::Str(v.clone())))
                .collect();
            let mut items: Vec<Jv> = objects.iter().map(ws_json).collect();
            // Like the real mapping: one ws_object comes as an object, several as an array.
            match items.len() {
                0 => {}
                1 => data.push(("ws_object".into(), items.remove(0))),
                _ => data.push(("ws_object".into(), Jv::Arr(items))),
            }
            let resp = Jv::Obj(vec![
                ("@status".into(), Jv::Str(status.into())),
                ("data".into(), Jv::Obj(data)),
            ]);
            Jv::Obj(vec![("response".into(), resp)]).to_json_string()
        }
    }
}

fn ws_xml(o: &WsOut) -> Xe {
    let mut ws = Xe::new("ws_object");
    match &o.restart {
        Some(Restart::Normal) => {
            let mut reboot = Xe::new("reboot");
            reboot.attrs.push(("type".into(), "normal".into()));
            ws.children.push(reboot);
            return ws;
        }
        Some(Restart::InError(location)) => {
            ws.attrs.push(("error_node".into(), "true".into()));
            let mut loc = Xe::new("errorLocation");
            loc.text = location.clone();
            let mut err = Xe::new("error");
            err.children.push(loc);
            let mut reboot = Xe::new("REBOOT");
            reboot.children.push(err);
            ws.children.push(reboot);
            return ws;
        }
        None => {}
    }
    if !o.errors.is_empty() {
        ws.attrs.push(("error_node".into(), "true".into()));
        let mut node = Xe::new(o.node_name());
        for e in &o.errors {
            let mut err = Xe::new("error");
            for (n, v) in error_members(e, o.error_node.is_some()) {
                let mut x = Xe::new(n);
                x.text = v;
                err.children.push(x);
            }
            node.children.push(err);
        }
        ws.children.push(node);
        return ws;
    }
    let mut rec = Xe::new(o.element.clone());
    rec.attrs = o.attrs.clone();
    rec.children = xml_children(&o.fields);
    ws.children.push(rec);
    ws
}

fn ws_json(o: &WsOut) -> Jv {
    match &o.restart {
        Some(Restart::Normal) => {
            return Jv::Obj(vec![(
                "reboot".into(),
                Jv::Obj(vec![("@type".into(), Jv::Str("normal".into()))]),
            )]);
        }
        Some(Restart::InError(location)) => {
            return Jv::Obj(vec![
                ("@error_node".into(), Jv::Str("true".into())),
                (
                    "REBOOT".into(),
                    Jv::Obj(vec![(
                        "error".into(),
                        Jv::Obj(vec![("errorLocation".into(), Jv::Str(location.clone()))]),
                    )]),
                ),
            ]);
        }
        None => {}
    }
    if !o.errors.is_empty() {
        let mut errs: Vec<Jv> = o
            .errors
            .iter()
            .map(|e| {
                Jv::Obj(
                    error_members(e, o.error_node.is_some())
                        .into_iter()
                        .map(|(n, v)| (n.to_owned(), Jv::Str(v)))
                        .collect(),
                )
            })
            .collect();
        let error = if errs.len() == 1 {
            errs.remove(0)
        } else {
            Jv::Arr(errs)
        };
        return Jv::Obj(vec![
            ("@error_node".into(), Jv::Str("true".into())),
            (o.node_name().into(), Jv::Obj(vec![("error".into(), error)])),
        ]);
    }
    let mut rec: Vec<(String, Jv)> = o
        .attrs
        .iter()
        .map(|(k, v)| (format!("@{k}"), Jv::Str(v.clone())))
        .collect();
    rec.extend(json_members(&o.fields));
    Jv::Obj(vec![(o.element.clone(), Jv::Obj(rec))])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> RawFields {
        let key = |n: &str| {
            RawValue::Element(RawElement {
                attributes: vec![("Key".into(), n.into())],
                children: RawFields(vec![("KeyType".into(), RawValue::Text("0".into()))]),
                text: None,
            })
        };
        let keys = RawFields(vec![
            ("DSSKey".into(), key("1")),
            ("DSSKey".into(), key("2")),
        ]);
        RawFields(vec![
            ("Name".into(), RawValue::Text("Ann".into())),
            (
                "DSSKeys".into(),
                RawValue::Element(RawElement {
                    attributes: vec![],
                    children: keys,
                    text: None,
                }),
            ),
        ])
    }

    #[test]
    fn xml_round_trip() {
        let out = WsOut {
            element: "User".into(),
            attrs: vec![("GUID".into(), "AB".into())],
            fields: sample(),
            ..WsOut::default()
        };
        let body = render(WireFormat::Xml, true, &[], &[out]);
        let back = parse_records(&body).unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].guid.as_deref(), Some("AB"));
        assert_eq!(back[0].fields, sample());
    }

    #[test]
    fn json_groups_repeats_and_reads_back() {
        let out = WsOut {
            element: "User".into(),
            attrs: vec![("GUID".into(), "AB".into())],
            fields: sample(),
            ..WsOut::default()
        };
        let body = render(WireFormat::Json, true, &[], &[out]);
        assert!(body.contains(r#""DSSKey":[{"@Key":"1""#), "{body}");
        let back = parse_records(&body).unwrap();
        assert_eq!(back[0].guid.as_deref(), Some("AB"));
        assert_eq!(back[0].fields.text("Name").unwrap(), "Ann");
        // Back to XML: the array becomes repeated elements again.
        let again = render(
            WireFormat::Xml,
            true,
            &[],
            &[WsOut {
                element: "User".into(),
                fields: back[0].fields.clone(),
                ..WsOut::default()
            }],
        );
        assert_eq!(parse_records(&again).unwrap()[0].fields, sample());
    }

    #[test]
    fn errors_and_reboot() {
        let e = WireError::new("9020", "name Ann", "1.2.3.4");
        let body = render(
            WireFormat::Json,
            false,
            &[],
            &[WsOut::record_error(RecordKind::User, vec![e.clone(), e])],
        );
        assert!(body.contains(r#""@status":"0""#));
        assert!(
            body.contains(r#""USER":{"error":[{"error_code":"9020","error_desc":"\"name Ann\"""#),
            "{body}"
        );
        let ok = WsOut {
            element: "User".into(),
            ..WsOut::default()
        };
        let x = render(
            WireFormat::Xml,
            true,
            &[],
            &[ok, WsOut::restart(Restart::Normal)],
        );
        assert!(
            x.contains(
                r#"<ws_object><User/></ws_object><ws_object><reboot type="normal"/></ws_object>"#
            ),
            "{x}"
        );
        let x = render(
            WireFormat::Xml,
            false,
            &[],
            &[WsOut::restart(Restart::InError("n1".into()))],
        );
        assert!(
            x.contains(r#"<ws_object error_node="true"><REBOOT><error><errorLocation>n1</errorLocation></error></REBOOT></ws_object>"#),
            "{x}"
        );
        assert!(parse_records("hello").is_err());
        assert!(parse_records("").is_err());
    }
}
