//! Routing of one request to its handler; every handler is synchronous and holds the tenant
//! lock only while it builds its answer.

mod auth;
mod batch;
mod contacts;
mod delta;
mod directory;
mod filter;
mod paging;
mod permissions;
mod teams;
mod teams_voice;

pub(crate) use batch::batch;

use crate::state::Shared;
use crate::wire::{Req, Resp, graph_error};

/// Answers one request (not `$batch`, which [`batch`] handles).
pub(crate) fn route(sh: &Shared, req: &Req) -> Resp {
    if req.path.ends_with("/oauth2/v2.0/token") {
        return if req.method == "POST" {
            auth::token(sh, req)
        } else {
            auth::aad_error(
                405,
                "invalid_request",
                900561,
                "The endpoint only accepts POST requests.",
            )
        };
    }
    let Some(rest) = req.path.strip_prefix(crate::GRAPH_VERSION_PATH) else {
        return graph_error(404, "NotFound", &format!("No route for {}", req.path));
    };
    if let Err(denied) = auth::check_bearer(sh, req) {
        return denied;
    }
    let segs: Vec<&str> = rest.trim_matches('/').split('/').collect();
    if let Err(denied) = permissions::check(sh, &req.method, &segs) {
        return denied;
    }
    if let Some(answer) = teams_voice::route(sh, req, &segs, rest) {
        return answer;
    }
    if req.method != "GET" {
        return graph_error(
            405,
            "Request_BadRequest",
            &format!(
                "The emulator does not support {} on this resource.",
                req.method
            ),
        );
    }
    match segs.as_slice() {
        ["users"] => directory::list_users(sh, req),
        ["contacts"] => contacts::list_contacts(sh, req),
        ["contacts", "delta()" | "delta"] => delta::delta(sh, req, delta::Kind::Contacts),
        ["contacts", id] => contacts::get_contact(sh, req, id),
        ["users", "delta()" | "delta"] => delta::delta(sh, req, delta::Kind::Users),
        ["users", id] => directory::get_user(sh, req, id),
        ["groups"] => directory::list_groups(sh, req),
        ["groups", "delta()" | "delta"] => delta::delta(sh, req, delta::Kind::Groups),
        ["groups", id] => directory::get_group(sh, req, id),
        ["groups", id, "members"] => directory::members(sh, req, id, false, None),
        ["groups", id, "members", cast] => directory::members(sh, req, id, false, Some(cast)),
        ["groups", id, "transitiveMembers"] => directory::members(sh, req, id, true, None),
        ["groups", id, "transitiveMembers", cast] => {
            directory::members(sh, req, id, true, Some(cast))
        }
        ["admin", "teams", "userConfigurations"] => teams::list_configurations(sh, req),
        ["admin", "teams", "userConfigurations", id] => teams::get_configuration(sh, req, id),
        [
            "admin",
            "teams",
            "telephoneNumberManagement",
            "numberAssignments",
        ] => teams::number_assignments(sh, req),
        ["$batch"] => graph_error(400, "BadRequest", "A batch cannot contain a batch."),
        _ => graph_error(
            400,
            "BadRequest",
            &format!(
                "Resource not found for the segment '{}'.",
                segs.last().unwrap_or(&"")
            ),
        ),
    }
}
