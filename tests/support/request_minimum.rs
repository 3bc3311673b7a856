//! The fewest requests a sync of the generated tenant can make, per route: the yardstick
//! both tests/request_counts.rs and benches/sync_e2e.rs measure the real sync against.
//!
//! Keys are what [`super::request_tally`] counts: Graph by route (`UsersDelta`, `Token`...),
//! IP Office by method and last path segment (`POST users`; `GET authenticate` is the login,
//! `DELETE authenticate` the logout).

use std::collections::BTreeMap;

use ipo_emulator::EmulatorConfig;
use ipo_model::Platform;

use super::{GROUP_IPO, GROUP_TEAMS_IPO, GROUP_TEAMS_ONLY, group_of, ipo_emulator_config};

/// Requests per key (see the module documentation).
pub type Counts = BTreeMap<String, u64>;

/// Largest page Graph serves for user listings and group members (`$top=999`).
pub const GRAPH_PAGE: u64 = 999;

/// The IP Office the formula assumes: a Select system (no platform user limit the planner
/// would hold creates back for) and emulator limits far above the tenant.
pub fn roomy_ipo_emulator_config() -> EmulatorConfig {
    ipo_emulator_config()
        .platform(Platform::Select)
        .max_users(50_000)
        .max_extensions(50_000)
}

/// Members of `group` among the first `n` generated people.
pub fn members(n: u32, group: &str) -> u64 {
    (0..n).filter(|i| group_of(*i) == group).count() as u64
}

/// People among the first `n` who are in an IP Office group (everyone but the Teams-only
/// sixth): each gets an IP Office user and an extension record.
pub fn ip_office_people(n: u32) -> u64 {
    members(n, GROUP_IPO) + members(n, GROUP_TEAMS_IPO)
}

/// The sum of all counts.
pub fn total(c: &Counts) -> u64 {
    c.values().sum()
}

/// The fewest requests a sync of the generated tenant of `n` people can make, per key
/// (keys with no request are absent).
///
/// Full sync, Graph (the client holds no token yet):
///   1 token
/// + 1 `users/delta?$deltatoken=latest` + 1 `groups/delta?$deltatoken=latest` (the cursor
///   taken before reading: one round each, no objects, one page)
/// + sum over the 3 watched groups of ceil(members / 999) `transitiveMembers` pages
/// + ceil(max(1, T) / 999) pages of `admin/teams/userConfigurations`, read once for the whole
///   tenant (T = Teams configurations in the tenant; the generated tenant has none, so 1 page);
/// + 0 `$batch` (a full read needs no per-user fetch; a batch would carry 20 reads).
///
/// Full sync, IP Office (a fresh system, `batch` = the client's `batch_size`, U = people in
/// an IP Office group = everyone but the Teams-only sixth):
///   1 login + 1 GET each of systems, licenses, users, extensions, huntgroups
/// + ceil(U / batch) `POST extensions` (each IP Office person gets an extension record)
/// + ceil(U / batch) `POST users` + 1 logout. (Teams-only people go to the directory CSV: no
///   request.)
///
/// No-change incremental sync: Graph 1 `users/delta` + 1 `groups/delta` round from the saved
/// links (one page each when nothing changed), no token (still valid), nothing else; IP
/// Office 1 login + the 5 reads + 1 logout, no write.
pub fn minimum(n: u32, batch: u64, full: bool) -> (Counts, Counts) {
    let mut graph = Counts::new();
    let mut ipo = Counts::new();
    let put = |m: &mut Counts, k: &str, v: u64| {
        if v > 0 {
            m.insert(k.to_owned(), v);
        }
    };
    put(&mut graph, "UsersDelta", 1);
    put(&mut graph, "GroupsDelta", 1);
    for r in ["GET authenticate", "DELETE authenticate"] {
        put(&mut ipo, r, 1);
    }
    for r in ["systems", "licenses", "users", "extensions", "huntgroups"] {
        put(&mut ipo, &format!("GET {r}"), 1);
    }
    if full {
        put(&mut graph, "Token", 1);
        let pages: u64 = [GROUP_IPO, GROUP_TEAMS_IPO, GROUP_TEAMS_ONLY]
            .iter()
            .map(|g| members(n, g).div_ceil(GRAPH_PAGE))
            .sum();
        put(&mut graph, "TransitiveMembers", pages);
        let teams_configs: u64 = 0;
        put(
            &mut graph,
            "TeamsUserConfigurations",
            u64::max(1, teams_configs).div_ceil(GRAPH_PAGE),
        );
        let u = ip_office_people(n);
        put(&mut ipo, "POST extensions", u.div_ceil(batch));
        put(&mut ipo, "POST users", u.div_ceil(batch));
    }
    (graph, ipo)
}
