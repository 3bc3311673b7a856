//! Application permissions: the one each resource needs (Microsoft's least-privileged
//! application permission on each API page), refused when a test revokes it. Graph's answer
//! to a missing permission, as its error pages and real tenants print it, is
//! `403 Authorization_RequestDenied` "Insufficient privileges to complete the operation.";
//! the emulator gives that one form for every resource (an assumption for the Teams
//! administration endpoints, whose pages show no error example).

use crate::state::Shared;
use crate::wire::{Resp, graph_error};

/// The application permission the resource at `segs` (after `/v1.0/`) needs.
pub(super) fn required(segs: &[&str]) -> Option<&'static str> {
    match segs {
        ["users", ..] => Some("User.Read.All"),
        ["groups", ..] => Some("GroupMember.Read.All"),
        ["contacts", ..] => Some("OrgContact.Read.All"),
        ["admin", "teams", "telephoneNumberManagement", ..] => {
            Some("TeamsTelephoneNumber.Read.All")
        }
        ["admin", "teams", ..] => Some("TeamsUserConfiguration.Read.All"),
        _ => None,
    }
}

/// The refusal when the app lacks what `segs` needs.
pub(super) fn check(sh: &Shared, segs: &[&str]) -> Result<(), Resp> {
    match required(segs) {
        Some(p) if sh.settings().revoked_permissions.contains(p) => Err(graph_error(
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )),
        _ => Ok(()),
    }
}
