//! Teams voice writes in the documented forms: number actions answering `202` with a
//! `Location` naming the operation, the operations themselves, `getPolicyId`, and policy
//! user assignments answering `204`.

use serde_json::{Map, Value, json};

use crate::state::Shared;
use crate::tenant::norm;
use crate::tenant_voice::{NumberAction, NumberRecord, NumberSource, plus};
use crate::wire::{Req, Resp, bad_request, graph_error};

const ACTION_PREFIX: &str = "microsoft.graph.teamsAdministration.";
const NUMBER_TYPES: [&str; 3] = ["directRouting", "callingPlan", "operatorConnect"];

/// Answers the request when it is one of these endpoints.
pub(super) fn route(sh: &Shared, req: &Req, segs: &[&str], rest: &str) -> Option<Resp> {
    let post = req.method == "POST";
    if let Some(args) = policy_id_args(rest) {
        return Some(if req.method == "GET" {
            policy_id(sh, args)
        } else {
            not_allowed(req)
        });
    }
    let resp = match segs {
        [
            "admin",
            "teams",
            "telephoneNumberManagement",
            "numberAssignments",
            action,
        ] if post => match action.strip_prefix(ACTION_PREFIX).unwrap_or(action) {
            "assignNumber" => assign_number(sh, req),
            "unassignNumber" => unassign_number(sh, req),
            "updateNumber" => update_number(sh, req),
            _ => return None,
        },
        ["admin", "teams", "telephoneNumberManagement", op] if op.starts_with("operations(") => {
            match key_in_parens(&op["operations".len()..]) {
                Some(id) if req.method == "GET" => operation(sh, &id),
                Some(_) => not_allowed(req),
                None => bad_request(&format!("Bad operation key in '{op}'.")),
            }
        }
        [
            "admin",
            "teams",
            "telephoneNumberManagement",
            "operations",
            id,
        ] => {
            if req.method == "GET" {
                operation(sh, id)
            } else {
                not_allowed(req)
            }
        }
        ["admin", "teams", "policy", "userAssignments", action] if post => {
            match action.strip_prefix(ACTION_PREFIX).unwrap_or(action) {
                "assign" => assign_policies(sh, req, true),
                "unassign" => assign_policies(sh, req, false),
                _ => return None,
            }
        }
        _ => return None,
    };
    Some(resp)
}

fn not_allowed(req: &Req) -> Resp {
    graph_error(
        405,
        "Request_BadRequest",
        &format!("{} is not allowed on this resource.", req.method),
    )
}

fn body(req: &Req) -> Result<Map<String, Value>, Resp> {
    match serde_json::from_slice::<Value>(&req.body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(bad_request("The request body must be a JSON object.")),
    }
}

fn text<'a>(m: &'a Map<String, Value>, field: &str) -> Result<&'a str, Resp> {
    m.get(field)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| bad_request(&format!("The parameter '{field}' is required.")))
}

fn number_type(m: &Map<String, Value>) -> Result<String, Resp> {
    let t = text(m, "numberType")?;
    NUMBER_TYPES
        .iter()
        .find(|k| k.eq_ignore_ascii_case(t))
        .map(|k| (*k).to_owned())
        .ok_or_else(|| bad_request(&format!("'{t}' is not a valid numberType.")))
}

fn accepted(sh: &Shared, action: NumberAction) -> Resp {
    let id = sh.tenant().start_operation(action);
    Resp::json(202, Value::Null).with_header(
        "Location",
        format!(
            "{}/admin/teams/telephoneNumberManagement/operations('{id}')",
            sh.graph_base()
        ),
    )
}

fn assign_number(sh: &Shared, req: &Req) -> Resp {
    let parsed = body(req).and_then(|m| {
        let category = match m.get("assignmentCategory").and_then(Value::as_str) {
            None => "primary".to_owned(),
            Some(c) if ["primary", "private", "alternate"].contains(&c) => c.to_owned(),
            Some(c) => {
                return Err(bad_request(&format!(
                    "'{c}' is not a valid assignmentCategory."
                )));
            }
        };
        Ok(NumberAction::Assign {
            number: plus(text(&m, "telephoneNumber")?),
            target: norm(text(&m, "assignmentTargetId")?),
            category,
            number_type: number_type(&m)?,
        })
    });
    match parsed {
        Ok(action) => accepted(sh, action),
        Err(r) => r,
    }
}

fn unassign_number(sh: &Shared, req: &Req) -> Resp {
    let parsed = body(req).and_then(|m| {
        number_type(&m)?;
        Ok(NumberAction::Unassign {
            number: plus(text(&m, "telephoneNumber")?),
        })
    });
    match parsed {
        Ok(action) => accepted(sh, action),
        Err(r) => r,
    }
}

/// `updateNumber` answers `200` at once, as its page shows.
fn update_number(sh: &Shared, req: &Req) -> Resp {
    let m = match body(req) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let number = match text(&m, "telephoneNumber") {
        Ok(n) => plus(n),
        Err(r) => return r,
    };
    let mut t = sh.tenant();
    let owner = t.number_owner(&number);
    if owner.is_none() && !t.voice.numbers.contains_key(&number) {
        return graph_error(
            404,
            "NotFound",
            &format!("The telephone number {number} was not found."),
        );
    }
    let record = t
        .voice
        .numbers
        .entry(number.clone())
        .or_insert(NumberRecord {
            number: number.clone(),
            target: owner,
            category: Some("primary".into()),
            number_type: "directRouting".into(),
            source: NumberSource::Online,
            location_id: None,
            network_site_id: None,
        });
    // Empty text clears, absent or null keeps (the page's rule).
    let set = |field: &str, slot: &mut Option<String>| match m.get(field).and_then(Value::as_str) {
        Some("") => *slot = None,
        Some(v) => *slot = Some(v.to_owned()),
        None => {}
    };
    set("locationId", &mut record.location_id);
    set("networkSiteId", &mut record.network_site_id);
    Resp::json(200, Value::Null)
}

fn operation(sh: &Shared, id: &str) -> Resp {
    match sh.tenant().look_at_operation(id) {
        Some(mut v) => {
            for n in v["numbers"].as_array_mut().into_iter().flatten() {
                if let Some(rel) = n["resourceLocation"].as_str() {
                    n["resourceLocation"] = Value::from(format!("{}/{rel}", sh.graph_base()));
                }
            }
            if let Some(m) = v.as_object_mut() {
                m.insert(
                    "@odata.context".into(),
                    Value::from(format!(
                        "{}/$metadata#admin/teams/telephoneNumberManagement/operations/$entity",
                        sh.graph_base()
                    )),
                );
            }
            Resp::ok(v)
        }
        None => graph_error(404, "NotFound", &format!("Operation '{id}' was not found.")),
    }
}

/// `('key')` -> `key`, quotes undoubled.
fn key_in_parens(s: &str) -> Option<String> {
    let inner = s.strip_prefix("('")?.strip_suffix("')")?;
    Some(inner.replace("''", "'"))
}

/// The arguments of `getPolicyId(...)` in the (decoded) path below `/v1.0`, by either name.
fn policy_id_args(rest: &str) -> Option<&str> {
    let f = rest.strip_prefix("/admin/teams/policy/")?;
    let f = f.strip_prefix(ACTION_PREFIX).unwrap_or(f);
    f.strip_prefix("getPolicyId(")?.strip_suffix(')')
}

/// `type='a',name='O''Brien'` -> pairs; `None` when it is not that shape.
pub(crate) fn parse_literal_args(args: &str) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut rest = args;
    while !rest.is_empty() {
        let (key, after) = rest.split_once('=')?;
        let mut chars = after.strip_prefix('\'')?.char_indices().peekable();
        let body = &after[1..];
        let mut value = String::new();
        let mut end = None;
        while let Some((i, c)) = chars.next() {
            if c != '\'' {
                value.push(c);
            } else if chars.peek().is_some_and(|(_, n)| *n == '\'') {
                chars.next();
                value.push('\'');
            } else {
                end = Some(i + 1);
                break;
            }
        }
        out.push((key.trim().to_owned(), value));
        rest = &body[end?..];
        rest = rest.strip_prefix(',').unwrap_or(rest);
    }
    Some(out)
}

fn policy_id(sh: &Shared, args: &str) -> Resp {
    let Some(pairs) = parse_literal_args(args) else {
        return bad_request(&format!("Bad function parameters '{args}'."));
    };
    let arg = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let (Some(ty), Some(name)) = (arg("type"), arg("name")) else {
        return bad_request("getPolicyId needs the parameters 'type' and 'name'.");
    };
    let t = sh.tenant();
    match t.voice.policies.get(&(norm(ty), norm(name))) {
        Some(p) => Resp::ok(json!({
            "@odata.context": format!("{}/$metadata#Collection(microsoft.graph.teamsAdministration.policyIdentifierDetail)", sh.graph_base()),
            "value": [{
                "@odata.type": "#microsoft.graph.teamsAdministration.policyIdentifierDetail",
                // The docs answer `Tag:AllOn` for `AllOn`; so does the emulator.
                "name": format!("Tag:{}", p.name),
                "policyId": p.id,
            }],
        })),
        None => graph_error(
            404,
            "NotFound",
            &format!("No policy of type '{ty}' is named '{name}'."),
        ),
    }
}

fn assign_policies(sh: &Shared, req: &Req, assign: bool) -> Resp {
    let m = match body(req) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let Some(items) = m.get("value").and_then(Value::as_array) else {
        return bad_request("The parameter 'value' must be a collection.");
    };
    if items.is_empty() || items.len() > crate::MAX_POLICY_ASSIGNMENTS {
        return bad_request(&format!(
            "'value' must hold 1 to {} assignments; it holds {}.",
            crate::MAX_POLICY_ASSIGNMENTS,
            items.len()
        ));
    }
    let mut t = sh.tenant();
    let mut changes = Vec::with_capacity(items.len());
    for item in items {
        let Some(item) = item.as_object() else {
            return bad_request("Each assignment must be an object.");
        };
        let (user, ty) = match (text(item, "userId"), text(item, "policyType")) {
            (Ok(u), Ok(t)) => (norm(u), norm(t)),
            (Err(r), _) | (_, Err(r)) => return r,
        };
        if !t.users.contains_key(&user) {
            return graph_error(
                404,
                "Request_ResourceNotFound",
                &format!("User '{user}' was not found."),
            );
        }
        let id = if assign {
            let Ok(id) = text(item, "policyId") else {
                return bad_request("The parameter 'policyId' is required to assign.");
            };
            if !t
                .voice
                .policies
                .values()
                .any(|p| p.id == id && norm(&p.policy_type) == ty)
            {
                return graph_error(
                    404,
                    "NotFound",
                    &format!("No policy of type '{ty}' has the id '{id}'."),
                );
            }
            Some(id.to_owned())
        } else {
            None
        };
        changes.push(((user, ty), id));
    }
    // Checked first, applied together: a refused request changes nothing.
    for (key, id) in changes {
        // A user given a policy is a Teams user: it has a configuration from now on.
        let base = t.default_teams(&key.0);
        t.teams.entry(key.0.clone()).or_insert(base);
        match id {
            Some(id) => t.voice.direct.insert(key, id),
            None => t.voice.direct.remove(&key),
        };
    }
    Resp::json(204, Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_arguments_undouble_quotes() {
        assert_eq!(
            parse_literal_args("type='OnlineVoiceRoutingPolicy',name='O''Brien, Route/1'").unwrap(),
            [
                ("type".to_owned(), "OnlineVoiceRoutingPolicy".to_owned()),
                ("name".to_owned(), "O'Brien, Route/1".to_owned())
            ]
        );
        assert!(parse_literal_args("type='unterminated").is_none());
        assert!(parse_literal_args("type=bare").is_none());
        assert_eq!(key_in_parens("('a''b')").as_deref(), Some("a'b"));
    }
}
