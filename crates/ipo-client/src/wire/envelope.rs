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

/// A restart notice as the answer gives it: `<reboot type="normal"/>` in a successful answer
/// (no address: the node the request went to), or `<REBOOT><error><errorLocation>ADDR`
/// in an error answer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Reboot {
    /// The node address the answer names, if any.
    pub location: Option<String>,
    /// The `type` attribute (`normal`), if any.
    pub kind: Option<String>,
}

/// One `ws_object`: a record, the errors reported for it, and restart notices.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct WsObject {
    /// The record, when the object holds one.
    pub record: Option<WireRecord>,
    /// Every `error` of the object's error nodes: the record-named ones (`USER`,
    /// `EXTENSION`, `HUNTGROUP`...) and `SMAError`.
    pub errors: Vec<ApiError>,
    /// `reboot` / `REBOOT` nodes inside this object.
    pub reboots: Vec<Reboot>,
}

/// A parsed answer (or request) body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Envelope {
    /// The `status` attribute (`"1"` success, `"0"` failure), if present.
    pub status: Option<String>,
    /// The `ws_object`s in order (error nodes found outside a `ws_object` get their own).
    /// An object holding nothing but a restart notice is not here but in `reboots`.
    pub objects: Vec<WsObject>,
    /// Restart notices that stand in their own `ws_object` (the guide's form: an extra
    /// `<ws_object><reboot type="normal"/></ws_object>`, or a `REBOOT` error node).
    pub reboots: Vec<Reboot>,
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
        reboots: Vec::new(),
    };
    // Error nodes directly under the response.
    let loose = take_object_parts(&mut response);
    if let Some(data) = take_child(&mut response, "data") {
        let mut data = as_element(data);
        // One pass: removing children one by one would be quadratic in big listings.
        for (name, value) in std::mem::take(&mut data.children.0) {
            if name == "ws_object" {
                for o in items(value) {
                    let o = ws_object(as_element(o));
                    if o.record.is_none() && o.errors.is_empty() && !o.reboots.is_empty() {
                        env.reboots.extend(o.reboots);
                    } else {
                        env.objects.push(o);
                    }
                }
            } else {
                data.children.0.push((name, value));
            }
        }
        let more = take_object_parts(&mut data);
        env.reboots.extend(more.reboots);
        if !more.errors.is_empty() {
            env.objects.push(WsObject {
                errors: more.errors,
                ..WsObject::default()
            });
        }
    }
    env.reboots.extend(loose.reboots);
    if !loose.errors.is_empty() {
        env.objects.push(WsObject {
            errors: loose.errors,
            ..WsObject::default()
        });
    }
    env
}

/// Whether a child named `name` is an error node named after a record kind (`USER`,
/// `EXTENSION`, `HUNTGROUP`...): upper case, unlike record elements (`User`).
fn is_record_error_node(name: &str) -> bool {
    name != "REBOOT"
        && name.bytes().any(|b| b.is_ascii_uppercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// Removes the error nodes (`SMAError` and the record-named ones) and the restart nodes
/// (`REBOOT`, `reboot`) from `e` and returns them as an object.
fn take_object_parts(e: &mut RawElement) -> WsObject {
    let mut o = WsObject::default();
    for (name, value) in std::mem::take(&mut e.children.0) {
        if name == "SMAError" || is_record_error_node(&name) {
            for node in items(value) {
                let mut node = as_element(node);
                let mut found = false;
                while let Some(errs) = take_child(&mut node, "error") {
                    for err in items(errs) {
                        o.errors.push(api_error(&as_element(err).children, &name));
                        found = true;
                    }
                }
                if !found {
                    o.errors.push(api_error(&node.children, &name));
                }
            }
        } else if name == "REBOOT" || name == "reboot" {
            for r in items(value) {
                o.reboots.push(reboot(as_element(r)));
            }
        } else {
            e.children.0.push((name, value));
        }
    }
    o
}

fn reboot(r: RawElement) -> Reboot {
    let nonempty = |s: String| {
        let t = s.trim();
        (!t.is_empty()).then(|| t.to_owned())
    };
    let in_error = match r.children.get("error") {
        Some(RawValue::Element(err)) => err.children.text("errorLocation").map(|c| c.into_owned()),
        Some(RawValue::List(errs)) => errs.iter().find_map(|v| match v {
            RawValue::Element(err) => err.children.text("errorLocation").map(|c| c.into_owned()),
            _ => None,
        }),
        _ => None,
    };
    let location = in_error
        .and_then(nonempty)
        .or_else(|| {
            r.children
                .text("errorLocation")
                .map(|c| c.into_owned())
                .and_then(nonempty)
        })
        .or_else(|| r.text.clone().and_then(nonempty));
    let kind = r
        .attributes
        .iter()
        .find(|(n, _)| n == "type")
        .map(|(_, v)| v.clone())
        .and_then(nonempty);
    Reboot { location, kind }
}

fn api_error(f: &RawFields, node: &str) -> ApiError {
    let text = |n: &str| f.text(n).map(|c| c.trim().to_owned()).unwrap_or_default();
    let opt = |n: &str| Some(text(n)).filter(|t| !t.is_empty());
    let desc = text("error_desc");
    // The guide's examples quote the text: `"A user ... Already Exist."`.
    let desc = desc
        .strip_prefix('"')
        .and_then(|d| d.strip_suffix('"'))
        .map(str::to_owned)
        .unwrap_or(desc);
    let mut e = ApiError::new(text("error_code"), desc);
    e.location = opt("errorLocation");
    e.node = Some(node.to_owned());
    e.cause = opt("cause");
    e.cause_data = opt("cause_data");
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

/// The declaration the guide's request bodies start with.
pub const XML_DECLARATION: &str = "<?xml version='1.0' encoding='UTF-8'?>";

/// Writes a request body with one `ws_object` per record, in order (XML starts with
/// `<?xml version='1.0' encoding='UTF-8'?>`, as the guide's request examples do). A value IP Office cannot hold
/// (a character XML 1.0 forbids) is an [`IpoError::InvalidRecord`] naming the record
/// (`User #2`) and the field, whatever the format: nothing is written.
pub fn write_request(format: WireFormat, records: &[WireRecord]) -> Result<String, IpoError> {
    for (i, r) in records.iter().enumerate() {
        check_values(r, &format!("{} #{}", r.kind, i + 1))?;
    }
    let mut out = String::with_capacity(256 * records.len() + 64);
    match format {
        WireFormat::Xml => {
            out.push_str(XML_DECLARATION);
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
    Ok(out)
}

/// Checks that IP Office can hold every value of `r` (attributes, fields, nested elements):
/// a character XML 1.0 forbids is an [`IpoError::InvalidRecord`] naming `record` and the
/// field (a path such as `DSSKeys/DSSKey/Label` when nested).
pub(crate) fn check_values(r: &WireRecord, record: &str) -> Result<(), IpoError> {
    let invalid = |field: String, c: char| IpoError::InvalidRecord {
        record: record.to_owned(),
        field,
        message: format!(
            "holds U+{:04X}, a control character IP Office cannot store (XML 1.0 forbids it); nothing was sent",
            u32::from(c)
        ),
    };
    for (k, v) in &r.attributes {
        if let Some(c) = xml::forbidden_char(v) {
            return Err(invalid(k.clone(), c));
        }
    }
    for (name, value) in &r.fields.0 {
        if let Some((field, c)) = forbidden_in(name, value) {
            return Err(invalid(field, c));
        }
    }
    Ok(())
}

/// The path of the first value under `name` holding a forbidden character, and the character.
fn forbidden_in(name: &str, value: &RawValue) -> Option<(String, char)> {
    match value {
        RawValue::Text(s) | RawValue::Number(s) => {
            xml::forbidden_char(s).map(|c| (name.to_owned(), c))
        }
        RawValue::Bool(_) | RawValue::Null => None,
        RawValue::List(items) => items.iter().find_map(|v| forbidden_in(name, v)),
        RawValue::Element(e) => {
            let own = e
                .attributes
                .iter()
                .find_map(|(k, v)| xml::forbidden_char(v).map(|c| (format!("{name}/@{k}"), c)));
            let text = e.text.as_deref().and_then(xml::forbidden_char);
            own.or_else(|| text.map(|c| (name.to_owned(), c)))
                .or_else(|| {
                    e.children
                        .0
                        .iter()
                        .find_map(|(n, v)| forbidden_in(&format!("{name}/{n}"), v))
                })
        }
    }
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
#[cfg(feature = "test-support")]
pub fn write_listing(format: WireFormat, records: &[WireRecord]) -> Result<String, IpoError> {
    let body = write_request(format, records)?;
    Ok(match format {
        WireFormat::Xml => format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><response status=\"1\">{}</response>",
            body.strip_prefix(XML_DECLARATION).unwrap_or(&body)
        ),
        WireFormat::Json => {
            let inner = body
                .strip_prefix('{')
                .and_then(|b| b.strip_suffix('}'))
                .unwrap_or(&body);
            format!("{{\"response\":{{\"@status\":\"1\",{inner}}}}}")
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The guide's refused POST: a `USER` error node with two errors, numeric codes,
    /// quoted text, cause data and location; then its restart node in the error form.
    const GUIDE_REFUSAL_XML: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><response status="0"><data>
        <ws_object error_node="true"><USER><error><error_code>9020</error_code><error_desc>"A user or huntgroup with the specified Name Already Exist."</error_desc><cause>0</cause><cause_data>ethel</cause_data><errorLocation>10.240.0.5</errorLocation></error><error><error_code>18011</error_code><error_desc>"Extension conflicts with another user"</error_desc><cause>0</cause><cause_data>ethel</cause_data><errorLocation>10.240.0.5</errorLocation></error></USER></ws_object>
        <ws_object error_node="true"><REBOOT><error><errorLocation>10.240.0.5</errorLocation></error></REBOOT></ws_object>
        </data></response>"#;

    const GUIDE_REFUSAL_JSON: &str = r#"{"response":{"@status":"0","data":{"ws_object":[{"@error_node":"true","USER":{"error":[{"error_code":"9020","error_desc":"\"A user or huntgroup with the specified Name Already Exist.\"","cause":"0","cause_data":"ethel","errorLocation":"10.240.0.5"},{"error_code":18011,"error_desc":"\"Extension conflicts with another user\"","cause":0,"cause_data":"ethel","errorLocation":"10.240.0.5"}]}},{"@error_node":"true","REBOOT":{"error":{"errorLocation":"10.240.0.5"}}}]}}}"#;

    #[test]
    fn record_named_error_nodes_keep_code_text_and_cause_in_xml_and_json() {
        for body in [GUIDE_REFUSAL_XML, GUIDE_REFUSAL_JSON] {
            let env = parse_envelope(body).unwrap();
            assert!(env.failed(), "{body}");
            assert_eq!(env.objects.len(), 1, "the REBOOT node is no record: {body}");
            let errs = &env.objects[0].errors;
            assert_eq!(errs.len(), 2);
            assert_eq!(errs[0].code, "9020");
            assert_eq!(
                errs[0].message,
                "A user or huntgroup with the specified Name Already Exist."
            );
            assert_eq!(errs[0].node.as_deref(), Some("USER"));
            assert_eq!(errs[0].cause.as_deref(), Some("0"));
            assert_eq!(errs[0].cause_data.as_deref(), Some("ethel"));
            assert_eq!(errs[0].location.as_deref(), Some("10.240.0.5"));
            assert_eq!(errs[1].code, "18011");
            assert_eq!(errs[1].message, "Extension conflicts with another user");
            assert_eq!(
                env.reboots,
                [Reboot {
                    location: Some("10.240.0.5".into()),
                    kind: None
                }]
            );
        }
    }

    #[test]
    fn extension_and_huntgroup_error_nodes_are_read() {
        for (node, code) in [("EXTENSION", "9042"), ("HUNTGROUP", "10003")] {
            let xml = format!(
                r#"<response status="0"><data><ws_object error_node="true"><{node}><error><error_code>{code}</error_code><error_desc>"x"</error_desc><errorLocation>10.0.0.5</errorLocation></error></{node}></ws_object></data></response>"#
            );
            let json = format!(
                r#"{{"response":{{"@status":"0","data":{{"ws_object":{{"@error_node":"true","{node}":{{"error":{{"error_code":"{code}","error_desc":"\"x\"","errorLocation":"10.0.0.5"}}}}}}}}}}}}"#
            );
            for body in [xml, json] {
                let env = parse_envelope(&body).unwrap();
                assert_eq!(env.errors().len(), 1, "{body}");
                assert_eq!(env.errors()[0].code, code);
                assert_eq!(env.errors()[0].node.as_deref(), Some(node));
                assert_eq!(env.errors()[0].message, "x");
            }
        }
    }

    #[test]
    fn restart_notice_of_a_successful_write_is_its_own_object() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><response status="1"><data><ws_object><User GUID="AB"/></ws_object><ws_object><reboot type="normal"/></ws_object></data></response>"#;
        let json = r#"{"response":{"@status":"1","data":{"ws_object":[{"User":{"@GUID":"AB"}},{"reboot":{"@type":"normal"}}]}}}"#;
        for body in [xml, json] {
            let env = parse_envelope(body).unwrap();
            assert!(!env.failed(), "{body}");
            assert_eq!(env.objects.len(), 1, "{body}");
            assert_eq!(
                env.objects[0].record.as_ref().unwrap().guid().as_deref(),
                Some("AB")
            );
            assert_eq!(
                env.reboots,
                [Reboot {
                    location: None,
                    kind: Some("normal".into())
                }]
            );
        }
    }

    #[test]
    fn sma_error_stays_an_sma_error() {
        let env = parse_envelope(
            r#"<response status="0"><data><ws_object error_node="true"><SMAError><error><error_code>404:NotFound</error_code><error_desc>no such GUID</error_desc></error></SMAError></ws_object></data></response>"#,
        )
        .unwrap();
        assert_eq!(env.errors()[0].code, "404:NotFound");
        assert_eq!(env.errors()[0].node.as_deref(), Some("SMAError"));
    }

    #[test]
    fn requests_start_with_the_guides_declaration() {
        let rec = WireRecord::new("User", vec![("GUID".into(), "AB".into())], RawFields::new());
        let body = write_request(WireFormat::Xml, std::slice::from_ref(&rec)).unwrap();
        assert!(
            body.starts_with(
                "<?xml version='1.0' encoding='UTF-8'?><data><ws_object><User GUID=\"AB\">"
            ),
            "{body}"
        );
        assert!(
            write_request(WireFormat::Json, std::slice::from_ref(&rec))
                .unwrap()
                .starts_with("{\"data\"")
        );
        let listing = write_listing(WireFormat::Xml, &[rec]).unwrap();
        assert_eq!(listing.matches("<?xml").count(), 1, "{listing}");
        assert_eq!(parse_envelope(&listing).unwrap().objects.len(), 1);
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
