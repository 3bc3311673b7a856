//! How the Teams administration answers are read where Microsoft's documented examples slip.
//!
//! Every tolerance decision for these endpoints lives here, each with the slip it reads
//! through (Microsoft's `microsoft-graph-docs-contrib`, `api-reference/v1.0/api/
//! teamsadministration-*.md`). Requests are always sent in the documented template form;
//! only reading is tolerant.

use serde_json::Value;

use crate::number_model::OperationId;

/// A single-object answer (an operation, a user configuration). The docs' examples show it
/// wrapped as `{"value":{...}}`; OData serves the object itself. An object whose only
/// payload is an object-valued `value` is unwrapped; anything else is taken as is.
pub(crate) fn single_object(body: Value) -> Value {
    match body {
        Value::Object(mut m)
            if m.get("value").is_some_and(Value::is_object)
                && m.keys().all(|k| k == "value" || k.starts_with('@')) =>
        {
            m.remove("value").unwrap_or(Value::Null)
        }
        other => other,
    }
}

/// A collection answer's items. The docs' `numberAssignments` examples show `value` as an
/// object (a JSON text with the key repeated, of which a parser keeps one); OData serves an
/// array. An object is read as a one-item list.
pub(crate) fn collection_items(value: Option<Value>) -> Vec<Value> {
    match value {
        Some(Value::Array(items)) => items,
        Some(obj @ Value::Object(_)) => vec![obj],
        _ => Vec::new(),
    }
}

/// The operation id in an `assignNumber`/`unassignNumber` `Location` header. The docs show
/// `.../operations('{id}')` (the answer examples), `.../operations/{id}` (the request
/// template) and `.../operations{'id'}` (a typo in the GET example); all three are read.
/// Only the id is kept: the client builds the URL itself, so a `Location` naming another
/// host never receives the token.
pub(crate) fn operation_id_from_location(location: &str) -> Option<OperationId> {
    let path = location.split(['?', '#']).next().unwrap_or_default();
    let at = path.rfind("/operations")?;
    let rest = &path[at + "/operations".len()..];
    let id = if let Some(r) = rest.strip_prefix("('") {
        r.strip_suffix("')")?
    } else if let Some(r) = rest.strip_prefix("{'") {
        r.strip_suffix("'}")?
    } else {
        rest.strip_prefix('/')?
    };
    let id = id.replace("''", "'");
    (!id.is_empty() && !id.contains('/')).then(|| OperationId::new(id))
}

/// Whether two telephone numbers are the same. The docs send `12061234567` to
/// `assignNumber` and list `+12061234567`: a leading `+` is not significant.
pub fn same_number(a: &str, b: &str) -> bool {
    a.trim().trim_start_matches('+') == b.trim().trim_start_matches('+')
}

/// Whether two policy types are the same: the docs spell them `TeamsMeetingPolicy` in
/// examples and `teamsMeetingPolicy` in parameter tables, so case is not significant.
pub(crate) fn same_policy_type(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Whether a `policyIdentifierDetail.name` is the policy asked for by `name`. The docs ask
/// `getPolicyId(...,name='AllOn')` and are answered `"name": "Tag:AllOn"` (Teams
/// PowerShell's identity form): a `Tag:` prefix is not significant, nor is case.
pub(crate) fn policy_name_matches(answered: &str, name: &str) -> bool {
    policy_display_name(answered).eq_ignore_ascii_case(name)
}

/// A policy's name as administrators write it: without the `Tag:` prefix of Teams
/// PowerShell's identity form, which Graph may answer.
pub(crate) fn policy_display_name(answered: &str) -> &str {
    answered.strip_prefix("Tag:").unwrap_or(answered)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unwraps_only_the_documented_wrapper() {
        let wrapped = json!({"value": {"id": "x", "status": "running"}});
        assert_eq!(single_object(wrapped)["id"], "x");
        let plain = json!({"id": "x", "value": {"nested": true}});
        assert_eq!(single_object(plain.clone()), plain);
        let list = json!({"value": [{"id": "x"}]});
        assert_eq!(single_object(list.clone()), list);
    }

    #[test]
    fn reads_all_three_location_forms() {
        let base = "https://graph.microsoft.com/v1.0/admin/teams/telephoneNumberManagement";
        for loc in [
            format!("{base}/operations('QXNz')"),
            format!("{base}/operations/QXNz"),
            format!("{base}/operations{{'QXNz'}}"),
        ] {
            assert_eq!(
                operation_id_from_location(&loc).map(|i| i.as_str().to_owned()),
                Some("QXNz".to_owned()),
                "{loc}"
            );
        }
        assert!(operation_id_from_location(&format!("{base}/numberAssignments")).is_none());
        assert!(operation_id_from_location(&format!("{base}/operations('')")).is_none());
    }

    #[test]
    fn numbers_and_types_compare_tolerantly() {
        assert!(same_number("12061234567", "+12061234567"));
        assert!(!same_number("12061234567", "+12061234568"));
        assert!(same_policy_type("teamsMeetingPolicy", "TeamsMeetingPolicy"));
        assert!(policy_name_matches("Tag:AllOn", "AllOn"));
        assert!(!policy_name_matches("Tag:AllOn", "AllOff"));
    }
}
