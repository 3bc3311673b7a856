//! Users, groups and group members.

use serde_json::{Map, Value};

use super::filter;
use super::paging::{has_eventual, page};
use crate::state::Shared;
use crate::tenant::{GROUP_TYPE, Tenant, USER_TYPE};
use crate::user_json::{is_known_user_property, project_other, project_user};
use crate::wire::{Req, Resp, bad_request, graph_error, select_list};

fn not_found(id: &str) -> Resp {
    graph_error(
        404,
        "Request_ResourceNotFound",
        &format!(
            "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
        ),
    )
}

/// `$select` checked against the user type.
fn user_select(t: &Tenant, req: &Req) -> Result<Option<Vec<String>>, Resp> {
    let sel = select_list(req.param("$select"));
    if let Some(props) = &sel {
        let sample = t.users.values().next();
        if let Some(bad) = props.iter().find(|p| !is_known_user_property(p, sample)) {
            return Err(bad_request(&format!(
                "Could not find a property named '{bad}' on type 'microsoft.graph.user'."
            )));
        }
    }
    Ok(sel)
}

fn parsed_filter(req: &Req) -> Result<Option<Vec<filter::Clause>>, Resp> {
    req.param("$filter").map(filter::parse).transpose()
}

fn context(base: &str, sel: &Option<Vec<String>>) -> String {
    match sel {
        Some(p) => format!("{base}({})", p.join(",")),
        None => base.to_owned(),
    }
}

pub(super) fn list_users(sh: &Shared, req: &Req) -> Resp {
    let items = {
        let t = sh.tenant();
        let sel = match user_select(&t, req) {
            Ok(s) => s,
            Err(r) => return r,
        };
        let f = match parsed_filter(req) {
            Ok(f) => f,
            Err(r) => return r,
        };
        let items: Vec<Value> = t
            .users
            .values()
            .filter(|u| f.as_ref().is_none_or(|c| filter::matches(c, u)))
            .map(|u| Value::Object(project_user(u, sel.as_deref())))
            .collect();
        (items, context("users", &sel))
    };
    page(sh, req, &items.1, items.0)
}

pub(super) fn get_user(sh: &Shared, req: &Req, key: &str) -> Resp {
    let t = sh.tenant();
    let sel = match user_select(&t, req) {
        Ok(s) => s,
        Err(r) => return r,
    };
    match t.user_by_key(key) {
        None => not_found(key),
        Some(u) => {
            let mut m = Map::new();
            m.insert(
                "@odata.context".into(),
                Value::from(format!(
                    "{}/$metadata#{}/$entity",
                    sh.graph_base(),
                    context("users", &sel)
                )),
            );
            m.extend(project_user(u, sel.as_deref()));
            Resp::ok(Value::Object(m))
        }
    }
}

fn group_json(t: &Tenant, id: &str, sel: Option<&[String]>) -> Option<Map<String, Value>> {
    t.groups.get(id).map(|g| project_other(&g.json, sel))
}

pub(super) fn list_groups(sh: &Shared, req: &Req) -> Resp {
    let sel = select_list(req.param("$select"));
    let f = match parsed_filter(req) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let items: Vec<Value> = {
        let t = sh.tenant();
        t.groups
            .values()
            .filter(|g| f.as_ref().is_none_or(|c| filter::matches(c, &g.json)))
            .map(|g| Value::Object(project_other(&g.json, sel.as_deref())))
            .collect()
    };
    page(sh, req, &context("groups", &sel), items)
}

pub(super) fn get_group(sh: &Shared, req: &Req, id: &str) -> Resp {
    let sel = select_list(req.param("$select"));
    let t = sh.tenant();
    match group_json(&t, &id.to_ascii_lowercase(), sel.as_deref()) {
        None => not_found(id),
        Some(g) => {
            let mut m = Map::new();
            m.insert(
                "@odata.context".into(),
                Value::from(format!("{}/$metadata#groups/$entity", sh.graph_base())),
            );
            m.extend(g);
            Resp::ok(Value::Object(m))
        }
    }
}

/// `/groups/{id}/members` or `/transitiveMembers`, optionally cast to one type.
pub(super) fn members(
    sh: &Shared,
    req: &Req,
    id: &str,
    transitive: bool,
    cast: Option<&str>,
) -> Resp {
    let cast_type = match cast {
        None => None,
        Some(c) => match c.strip_prefix("microsoft.graph.") {
            Some(ty @ ("user" | "group" | "device" | "orgContact" | "servicePrincipal")) => {
                Some(format!("#microsoft.graph.{ty}"))
            }
            _ => {
                return graph_error(
                    400,
                    "BadRequest",
                    &format!("Resource not found for the segment '{c}'."),
                );
            }
        },
    };
    if transitive && cast_type.is_some() && !has_eventual(req) {
        return graph_error(
            400,
            "Request_UnsupportedQuery",
            "The specified type cast requires the ConsistencyLevel: eventual header (advanced query).",
        );
    }
    let sel = select_list(req.param("$select"));
    let f = match parsed_filter(req) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let items: Vec<Value> = {
        let t = sh.tenant();
        let gid = id.to_ascii_lowercase();
        let Some(group) = t.groups.get(&gid) else {
            return not_found(id);
        };
        let ids: Vec<String> = if transitive {
            t.transitive(&gid)
        } else {
            group.members.iter().cloned().collect()
        };
        ids.iter()
            .filter_map(|m| {
                let ty = t.odata_type(m)?;
                if cast_type.as_ref().is_some_and(|c| *c != ty) {
                    return None;
                }
                let raw = t.object_json(m)?;
                if f.as_ref().is_some_and(|c| !filter::matches(c, &raw)) {
                    return None;
                }
                let mut out = Map::new();
                out.insert("@odata.type".into(), Value::from(ty.clone()));
                if ty == USER_TYPE {
                    out.extend(project_user(t.users.get(m)?, sel.as_deref()));
                } else if ty == GROUP_TYPE {
                    out.extend(group_json(&t, m, sel.as_deref())?);
                } else {
                    out.extend(project_other(&raw, sel.as_deref()));
                }
                Some(Value::Object(out))
            })
            .collect()
    };
    let ctx = match &cast_type {
        Some(c) => context(
            &format!("{}s", c.trim_start_matches("#microsoft.graph.")),
            &sel,
        ),
        None => context("directoryObjects", &sel),
    };
    page(sh, req, &ctx, items)
}
