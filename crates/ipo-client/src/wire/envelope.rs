//! The `response/data/ws_object` envelope shared by every resource, in both formats.

use ipo_model::{ApiError, RawElement, RawFields, RawValue};

use super::{json, xml};
use crate::config::WireFormat;
use crate::error::IpoError;

/// One record as it travels: its element name (`User`, `Extension`...), its attributes
/// (`GUID`...) and its fields in wire order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct WireRecord {
    /// Element name, e.g. `User`.
    pub kind: String,
    /// Attributes (`GUID`), without the JSON `@`.
    pub attributes: Vec<(String, String)>,
    /// Child fields in order.
    pub fields: RawFields,
}

impl WireRecord {
    /// A record of `kind` with the given attributes and fields.
    pub fn new(
        kind: impl Into<String>,
        attributes: Vec<(String, String)>,
        fields: RawFields,
    ) -> Self {
        Self {
            kind: kind.into(),
            attributes,
            fields,
        }
    }

    /// An attribute's value.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The `GUID` attribute, or a `GUID` field when a server sends it as one.
    pub fn guid(&self) -> Option<String> {
        self.attribute("GUID")
            .map(str::to_owned)
            .or_else(|| self.fields.text("GUID").map(|c| c.into_owned()))
            .filter(|g| !g.is_empty())
    }
}

/// One `ws_object`: a record, the errors reported for it, and `REBOOT` notices.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct WsObject {
    /// The record, when the object holds one.
    pub record: Option<WireRecord>,
    /// Every `SMAError/error` in the object.
    pub errors: Vec<ApiError>,
    /// Node addresses named by `REBOOT` nodes: the change needs that node restarted.
    pub reboots: Vec<String>,
}

/// A parsed answer (or request) body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Envelope {
    /// The `status` attribute (`"1"` success, `"0"` failure), if present.
    pub status: Option<String>,
    /// The `ws_object`s in order (error nodes found outside a `ws_object` get their own).
    pub objects: Vec<WsObject>,
}

impl Envelope {
    /// `status` is `0`, or some object carries an error.
    pub fn failed(&self) -> bool {
        self.status.as_deref().map(str::trim) == Some("0")
            || self.objects.iter().any(|o| !o.errors.is_empty())
    }

    /// Every error of every object.
    pub fn errors(&self) -> Vec<ApiError> {
        self.objects
            .iter()
            .flat_map(|o| o.errors.iter().cloned())
            .collect()
    }

    /// Whether an error says the session timed out (`461:SessionTimeout`).
    pub fn session_timed_out(&self) -> bool {
        self.objects
            .iter()
            .flat_map(|o| &o.errors)
            .any(is_session_timeout)
    }

    /// The records, in order (objects without one are skipped).
    pub fn into_records(self) -> impl Iterator<Item = WireRecord> {
        self.objects.into_iter().filter_map(|o| o.record)
    }
}

/// Whether an API error is the session timeout.
pub fn is_session_timeout(e: &ApiError) -> bool {
    e.code.starts_with("461") || e.code.contains("SessionTimeout")
}

/// Which format a body is in, by its first non-blank byte (a BOM is skipped).
pub fn sniff(body: &str) -> Option<WireFormat> {
    let t = body.trim_start_matches('\u{feff}').trim_start();
    match t.as_bytes().first() {
        Some(b'<') => Some(WireFormat::Xml),
        Some(b'{') | Some(b'[') => Some(WireFormat::Json),
        _ => None,
    }
}

/// Parses a body in either format (sniffed, whatever the `Content-Type` said).
pub fn parse_envelope(body: &str) -> Result<Envelope, IpoError> {
    let malformed = |detail: String| IpoError::Malformed {
        what: "envelope".into(),
        detail,
    };
    let trimmed = body.trim_start_matches('\u{feff}');
    let root = match sniff(trimmed) {
        Some(WireFormat::Xml) => {
            let (name, value) = xml::parse_document(trimmed).map_err(malformed)?;
            let mut e = RawElement::default();
            e.children.0.push((name, value));
            e
        }
        Some(WireFormat::Json) => match json::parse_document(trimmed).map_err(malformed)? {
            RawValue::Element(e) => e,
            _ => return Err(malformed("the JSON body is not an object".into())),
        },
        None => {
            return Err(malformed(format!(
                "the body ({} bytes) is neither XML nor JSON",
                body.len()
            )));
        }
    };
    Ok(interpret(root))
}

/// The values of `v` flattened: a list gives its items, anything else itself.
fn items(v: RawValue) -> Vec<RawValue> {
    match v {
        RawValue::List(items) => items,
        other => vec![other],
    }
}

fn take_child(e: &mut RawElement, name: &str) -> Option<RawValue> {
    let at = e.children.0.iter().position(|(n, _)| n == name)?;
    Some(e.children.0.remove(at).1)
}

fn as_element(v: RawValue) -> RawElement {
    match v {
        RawValue::Element(e) => e,
        RawValue::Text(t) if !t.trim().is_empty() => RawElement {
            text: Some(t),
            ..RawElement::default()
        },
        _ => RawElement::default(),
    }
}

fn interpret(mut top: RawElement) -> Envelope {
    let mut response = match take_child(&mut top, "response") {
        Some(r) => as_element(r),
        None => top,
    };
    let status = response
        .attributes
        .iter()
        .find(|(n, _)| n == "status")
        .map(|(_, v)| v.clone())
        .or_else(|| response.children.text("status").map(|c| c.into_owned()));
    let mut env = Envelope {
        status,
        objects: Vec::new(),
    };
    // Error nodes directly under the response.
    let loose = take_object_parts(&mut response);
    if let Some(data) = take_child(&mut response, "data") {
        let mut data = as_element(data);
        // One pass: removing children one by one would be quadratic in big listings.
        for (name, value) in std::mem::take(&mut data.children.0) {
            if name == "ws_object" {
                for o in items(value) {
                    env.objects.push(ws_object(as_element(o)));
                }
            } else {
                data.children.0.push((name, value));
            }
        }
        let more = take_object_parts(&mut data);
        if !more.errors.is_empty() || !more.reboots.is_empty() {
            env.objects.push(more);
        }
    }
    if !loose.errors.is_empty() || !loose.reboots.is_empty() {
        env.objects.push(loose);
    }
    env
}

/// Removes `SMAError` and `REBOOT` nodes from `e` and returns them as an object.
fn take_object_parts(e: &mut RawElement) -> WsObject {
    let mut o = WsObject::default();
    while let Some(v) = take_child(e, "SMAError") {
        for sma in items(v) {
            let mut sma = as_element(sma);
            let mut found = false;
            while let Some(errs) = take_child(&mut sma, "error") {
                for err in items(errs) {
                    o.errors.push(api_error(&as_element(err).children));
                    found = true;
                }
            }
            if !found {
                o.errors.push(api_error(&sma.children));
            }
        }
    }
    while let Some(v) = take_child(e, "REBOOT") {
        for r in items(v) {
            let r = as_element(r);
            let at = r
                .children
                .text("errorLocation")
                .map(|c| c.into_owned())
                .or(r.text)
                .unwrap_or_default();
            o.reboots.push(at);
        }
    }
    o
}

fn api_error(f: &RawFields) -> ApiError {
    let text = |n: &str| f.text(n).map(|c| c.trim().to_owned()).unwrap_or_default();
    let mut e = ApiError::new(text("error_code"), text("error_desc"));
    let loc = text("errorLocation");
    e.location = (!loc.is_empty()).then_some(loc);
    e
}

fn ws_object(mut e: RawElement) -> WsObject {
    let mut o = take_object_parts(&mut e);
    for (kind, value) in std::mem::take(&mut e.children.0) {
        if o.record.is_some() {
            tracing::warn!(kind, "ws_object holds more than one record; extra ignored");
            continue;
        }
        let record = match value {
            RawValue::Element(r) => WireRecord::new(kind, r.attributes, r.children),
            // `[{"@GUID":..}, 201]`: the inner Extension number collides with the wrapper.
            RawValue::List(parts) => {
                let mut rec = WireRecord::new(kind.clone(), Vec::new(), RawFields::new());
                for p in parts {
                    match p {
                        RawValue::Element(r) => {
                            rec.attributes.extend(r.attributes);
                            rec.fields.0.extend(r.children.0);
                        }
                        scalar if rec.fields.get(&kind).is_none() => {
                            rec.fields.0.push((kind.clone(), scalar));
                        }
                        _ => {}
                    }
                }
                rec
            }
            RawValue::Text(t) if t.trim().is_empty() => {
                WireRecord::new(kind, Vec::new(), RawFields::new())
            }
            RawValue::Null => WireRecord::new(kind, Vec::new(), RawFields::new()),
            _ => {
                tracing::warn!(kind, "ws_object member is not a record; ignored");
                continue;
            }
        };
        o.record = Some(record);
    }
    o
}

/// Writes a request body with one `ws_object` per record, in order.
pub fn write_request(format: WireFormat, records: &[WireRecord]) -> String {
    let mut out = String::with_capacity(256 * records.len() + 64);
    match format {
        WireFormat::Xml => {
            out.push_str("<data>");
            for r in records {
                out.push_str("<ws_object>");
                write_record_xml(&mut out, r);
                out.push_str("</ws_object>");
            }
            out.push_str("</data>");
        }
        WireFormat::Json => {
            out.push_str("{\"data\":{\"ws_object\":[");
            for (i, r) in records.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push('{');
                json::write_str(&mut out, &r.kind);
                out.push(':');
                write_record_json(&mut out, r);
                out.push('}');
            }
            out.push_str("]}}");
        }
    }
    out
}

fn write_record_xml(out: &mut String, r: &WireRecord) {
    out.push('<');
    out.push_str(&r.kind);
    for (k, v) in &r.attributes {
        out.push(' ');
        out.push_str(k);
        out.push_str("=\"");
        xml::escape_into(out, v);
        out.push('"');
    }
    out.push('>');
    for (n, v) in &r.fields.0 {
        xml::write_field(out, n, v);
    }
    out.push_str("</");
    out.push_str(&r.kind);
    out.push('>');
}

fn write_record_json(out: &mut String, r: &WireRecord) {
    json::write_object_parts(out, &r.attributes, &r.fields, None);
}

/// Writes a listing answer (`response status="1"`), as IP Office would: for tests,
/// fixtures and emulators.
pub fn write_listing(format: WireFormat, records: &[WireRecord]) -> String {
    let body = write_request(format, records);
    match format {
        WireFormat::Xml => format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><response status=\"1\">{body}</response>"
        ),
        WireFormat::Json => {
            let inner = body
                .strip_prefix('{')
                .and_then(|b| b.strip_suffix('}'))
                .unwrap_or(&body);
            format!("{{\"response\":{{\"@status\":\"1\",{inner}}}}}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_error_answer() {
        let env = parse_envelope(
            r#"<?xml version="1.0"?><response status="0"><data>
            <ws_object error_node="true"><SMAError><error><error_code>DuplicateName</error_code><error_desc>name exists</error_desc><errorLocation>10.0.0.5</errorLocation></error><error><error_code>DuplicateExtension</error_code><error_desc>ext</error_desc></error></SMAError></ws_object>
            <ws_object><User GUID="AB"/><REBOOT><errorLocation>10.0.0.6</errorLocation></REBOOT></ws_object>
            </data></response>"#,
        )
        .unwrap();
        assert!(env.failed());
        assert_eq!(env.objects.len(), 2);
        assert_eq!(env.objects[0].errors.len(), 2);
        assert_eq!(
            env.objects[0].errors[0].location.as_deref(),
            Some("10.0.0.5")
        );
        assert_eq!(
            env.objects[1].record.as_ref().unwrap().guid().as_deref(),
            Some("AB")
        );
        assert_eq!(env.objects[1].reboots, ["10.0.0.6"]);
    }

    #[test]
    fn json_single_object_and_extension_quirk() {
        let env = parse_envelope(
            r#"{"response":{"@status":"1","data":{"ws_object":{"Extension":[{"@GUID":"AA","Id":17},201]}}}}"#,
        )
        .unwrap();
        assert!(!env.failed());
        let r = env.into_records().next().unwrap();
        assert_eq!(r.guid().as_deref(), Some("AA"));
        assert_eq!(
            r.fields.get("Extension"),
            Some(&RawValue::Number("201".into()))
        );
    }

    #[test]
    fn json_timeout() {
        let env = parse_envelope(
            r#"{"response":{"@status":"0","data":{"ws_object":{"@error_node":"true","SMAError":{"error":{"error_code":"461:SessionTimeout","error_desc":"x","errorLocation":"10.0.0.5"}}}}}}"#,
        )
        .unwrap();
        assert!(env.session_timed_out());
    }

    #[test]
    fn neither_format() {
        assert!(matches!(
            parse_envelope("hello"),
            Err(IpoError::Malformed { .. })
        ));
        assert!(matches!(
            parse_envelope("<a>"),
            Err(IpoError::Malformed { .. })
        ));
        assert!(matches!(
            parse_envelope("{\"a\":"),
            Err(IpoError::Malformed { .. })
        ));
    }
}
