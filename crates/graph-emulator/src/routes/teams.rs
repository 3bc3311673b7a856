//! Teams user configurations and telephone number assignments.

use serde_json::{Map, Value};

use super::filter;
use super::paging::page;
use crate::state::Shared;
use crate::user_json::project_other;
use crate::wire::{Req, Resp, graph_error, select_list};

fn filtered(req: &Req, items: Vec<Map<String, Value>>) -> Result<Vec<Value>, Resp> {
    let sel = select_list(req.param("$select"));
    let f = req.param("$filter").map(filter::parse).transpose()?;
    Ok(items
        .into_iter()
        .filter(|m| f.as_ref().is_none_or(|c| filter::matches(c, m)))
        .map(|m| Value::Object(project_other(&m, sel.as_deref())))
        .collect())
}

/// A configuration as answered: its `effectivePolicyAssignments` from the policies assigned.
fn answered(t: &crate::tenant::Tenant, id: &str, cfg: &Map<String, Value>) -> Map<String, Value> {
    let mut cfg = cfg.clone();
    cfg.insert(
        "effectivePolicyAssignments".into(),
        Value::from(t.effective_policies(id)),
    );
    cfg
}

pub(super) fn list_configurations(sh: &Shared, req: &Req) -> Resp {
    let items: Vec<Map<String, Value>> = {
        let t = sh.tenant();
        t.teams.iter().map(|(id, c)| answered(&t, id, c)).collect()
    };
    match filtered(req, items) {
        Ok(v) => page(sh, req, "admin/teams/userConfigurations", v),
        Err(r) => r,
    }
}

pub(super) fn get_configuration(sh: &Shared, req: &Req, id: &str) -> Resp {
    let sel = select_list(req.param("$select"));
    let t = sh.tenant();
    let id = id.to_ascii_lowercase();
    match t.teams.get(&id).map(|c| answered(&t, &id, c)) {
        None => graph_error(
            404,
            "NotFound",
            &format!("Teams user configuration for '{id}' not found."),
        ),
        Some(cfg) => {
            let mut m = Map::new();
            m.insert(
                "@odata.context".into(),
                Value::from(format!(
                    "{}/$metadata#admin/teams/userConfigurations/$entity",
                    sh.graph_base()
                )),
            );
            m.extend(project_other(&cfg, sel.as_deref()));
            Resp::ok(Value::Object(m))
        }
    }
}

pub(super) fn number_assignments(sh: &Shared, req: &Req) -> Resp {
    let items: Vec<Map<String, Value>> = sh
        .tenant()
        .number_assignments()
        .into_iter()
        .filter_map(|v| match v {
            Value::Object(m) => Some(m),
            _ => None,
        })
        .collect();
    match filtered(req, items) {
        Ok(v) => page(
            sh,
            req,
            "admin/teams/telephoneNumberManagement/numberAssignments",
            v,
        ),
        Err(r) => r,
    }
}
