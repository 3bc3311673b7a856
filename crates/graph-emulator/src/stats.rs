//! Request counters per route, so benchmarks can report how many calls a sync made.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// The route families the emulator counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Route {
    /// `POST /{tenant}/oauth2/v2.0/token`.
    Token,
    /// `GET /users`.
    Users,
    /// `GET /users/{id}`.
    User,
    /// `GET /groups` and `GET /groups/{id}`.
    Groups,
    /// `GET /groups/{id}/members`.
    Members,
    /// `GET /groups/{id}/transitiveMembers` (with or without the user cast).
    TransitiveMembers,
    /// `GET /users/delta`.
    UsersDelta,
    /// `GET /groups/delta`.
    GroupsDelta,
    /// `POST /$batch` (the outer request; inner ones count under their own route).
    Batch,
    /// `GET /admin/teams/userConfigurations` (list or one).
    TeamsUserConfigurations,
    /// `GET /admin/teams/telephoneNumberManagement/numberAssignments`.
    NumberAssignments,
    /// `GET /contacts` (organisational contacts).
    Contacts,
    /// `GET /contacts/delta`.
    ContactsDelta,
    /// `GET /contacts/{id}`.
    Contact,
    /// `POST .../numberAssignments/assignNumber`, `unassignNumber`, `updateNumber`.
    NumberActions,
    /// `GET .../telephoneNumberManagement/operations/{id}` (either key form).
    NumberOperations,
    /// `GET /admin/teams/policy/getPolicyId(...)`.
    PolicyIds,
    /// `POST /admin/teams/policy/userAssignments/assign` and `/unassign`.
    PolicyAssignments,
    /// Anything else (answered 404 or 405).
    Other,
}

impl Route {
    /// Classifies a method and path (below the server root).
    pub(crate) fn classify(method: &str, path: &str) -> Route {
        if method == "POST" && path.ends_with("/oauth2/v2.0/token") {
            return Route::Token;
        }
        let Some(rest) = path.strip_prefix(crate::GRAPH_VERSION_PATH) else {
            return Route::Other;
        };
        if let Some(policy) = rest.strip_prefix("/admin/teams/policy/") {
            return if policy.starts_with("userAssignments/") {
                Route::PolicyAssignments
            } else if policy.contains("getPolicyId(") {
                Route::PolicyIds
            } else {
                Route::Other
            };
        }
        let segs: Vec<&str> = rest.trim_matches('/').split('/').collect();
        match segs.as_slice() {
            [
                "admin",
                "teams",
                "telephoneNumberManagement",
                "numberAssignments",
                _,
            ] if method == "POST" => Route::NumberActions,
            ["admin", "teams", "telephoneNumberManagement", op, ..]
                if op.starts_with("operations") =>
            {
                Route::NumberOperations
            }
            ["$batch"] => Route::Batch,
            ["users"] => Route::Users,
            ["contacts"] => Route::Contacts,
            ["contacts", "delta"] => Route::ContactsDelta,
            ["contacts", _] => Route::Contact,
            ["users", "delta"] => Route::UsersDelta,
            ["users", _] => Route::User,
            ["groups", "delta"] => Route::GroupsDelta,
            ["groups"] | ["groups", _] => Route::Groups,
            ["groups", _, "members", ..] => Route::Members,
            ["groups", _, "transitiveMembers", ..] => Route::TransitiveMembers,
            ["admin", "teams", "userConfigurations", ..] => Route::TeamsUserConfigurations,
            [
                "admin",
                "teams",
                "telephoneNumberManagement",
                "numberAssignments",
                ..,
            ] => Route::NumberAssignments,
            _ => Route::Other,
        }
    }
}

/// A snapshot of the counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Requests received per route (inner batch requests included under their route).
    pub requests: BTreeMap<Route, u64>,
    /// Answers replaced by an injected 429.
    pub throttled: u64,
    /// Answers replaced by an injected 503.
    pub unavailable: u64,
    /// Connections dropped without an answer.
    pub dropped: u64,
    /// Answers whose body was cut short on purpose.
    pub malformed: u64,
}

impl Stats {
    /// Requests counted for one route.
    pub fn get(&self, route: Route) -> u64 {
        self.requests.get(&route).copied().unwrap_or(0)
    }

    /// All requests counted.
    pub fn total(&self) -> u64 {
        self.requests.values().sum()
    }
}

#[derive(Debug, Default)]
pub(crate) struct Counters(Mutex<Stats>);

impl Counters {
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut Stats) -> R) -> R {
        let mut g = self.0.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut g)
    }

    pub(crate) fn count(&self, route: Route) {
        self.with(|s| *s.requests.entry(route).or_insert(0) += 1);
    }

    pub(crate) fn snapshot(&self) -> Stats {
        self.with(|s| s.clone())
    }

    pub(crate) fn reset(&self) {
        self.with(|s| *s = Stats::default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies() {
        assert_eq!(
            Route::classify("POST", "/t/oauth2/v2.0/token"),
            Route::Token
        );
        assert_eq!(Route::classify("GET", "/v1.0/users"), Route::Users);
        assert_eq!(
            Route::classify("GET", "/v1.0/users/delta"),
            Route::UsersDelta
        );
        assert_eq!(
            Route::classify(
                "GET",
                "/v1.0/groups/x/transitiveMembers/microsoft.graph.user"
            ),
            Route::TransitiveMembers
        );
        assert_eq!(Route::classify("POST", "/v1.0/$batch"), Route::Batch);
        assert_eq!(Route::classify("GET", "/nope"), Route::Other);
        let numbers = "/v1.0/admin/teams/telephoneNumberManagement";
        assert_eq!(
            Route::classify("POST", &format!("{numbers}/numberAssignments/assignNumber")),
            Route::NumberActions
        );
        assert_eq!(
            Route::classify("GET", &format!("{numbers}/operations('x')")),
            Route::NumberOperations
        );
        assert_eq!(
            Route::classify(
                "GET",
                "/v1.0/admin/teams/policy/getPolicyId(type='a',name='b/c')"
            ),
            Route::PolicyIds
        );
        assert_eq!(
            Route::classify("POST", "/v1.0/admin/teams/policy/userAssignments/assign"),
            Route::PolicyAssignments
        );
    }
}
