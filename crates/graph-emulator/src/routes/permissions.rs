//! Application permissions: the one each resource needs (Microsoft's least-privileged
//! application permission on each API page), refused when a test revokes it. Graph's answer
//! to a missing permission, as its error pages and real tenants print it, is
//! `403 Authorization_RequestDenied` "Insufficient privileges to complete the operation.";
//! the emulator gives that one form for every resource (an assumption for the Teams
//! administration endpoints, whose pages show no error example), and for the Teams voice
//! writes adds which permission is missing.

use crate::state::Shared;
use crate::wire::{Resp, graph_error};

/// Every application permission the emulator knows; the access tokens' `roles` claim lists
/// those not revoked.
pub(crate) const ALL_PERMISSIONS: [&str; 7] = [
    "User.Read.All",
    "GroupMember.Read.All",
    "OrgContact.Read.All",
    "TeamsTelephoneNumber.Read.All",
    "TeamsUserConfiguration.Read.All",
    "TeamsTelephoneNumber.ReadWrite.All",
    "TeamsPolicyUserAssign.ReadWrite.All",
];

const WRITES: [&str; 2] = [
    "TeamsTelephoneNumber.ReadWrite.All",
    "TeamsPolicyUserAssign.ReadWrite.All",
];

/// The application permission `method` on the resource at `segs` (after `/v1.0/`) needs.
pub(super) fn required(method: &str, segs: &[&str]) -> Option<&'static str> {
    match segs {
        ["users", ..] => Some("User.Read.All"),
        ["groups", ..] => Some("GroupMember.Read.All"),
        ["contacts", ..] => Some("OrgContact.Read.All"),
        ["admin", "teams", "policy", ..] => Some("TeamsPolicyUserAssign.ReadWrite.All"),
        ["admin", "teams", "telephoneNumberManagement", ..] if method != "GET" => {
            Some("TeamsTelephoneNumber.ReadWrite.All")
        }
        ["admin", "teams", "telephoneNumberManagement", ..] => {
            Some("TeamsTelephoneNumber.Read.All")
        }
        ["admin", "teams", ..] => Some("TeamsUserConfiguration.Read.All"),
        _ => None,
    }
}

/// The refusal when the app lacks what `method` on `segs` needs.
pub(super) fn check(sh: &Shared, method: &str, segs: &[&str]) -> Result<(), Resp> {
    match required(method, segs) {
        Some(p) if sh.settings().revoked_permissions.contains(p) => {
            let mut message = "Insufficient privileges to complete the operation.".to_owned();
            if WRITES.contains(&p) {
                message.push_str(&format!(" Missing application permission: {p}."));
            }
            Err(graph_error(403, "Authorization_RequestDenied", &message))
        }
        _ => Ok(()),
    }
}
