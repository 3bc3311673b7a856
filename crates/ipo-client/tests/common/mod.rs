//! What several test files' mock IP Office (mockito) answers alike: one session's login and
//! the documented `systems` listing.
#![allow(dead_code)]

use mockito::{Matcher, Mock, ServerGuard};

pub const AUTH: &str = "/WebManagement/ws/sdk/security/authenticate";
pub const API: &str = "/WebManagement/ws/sdk/admin/v1";
pub const SYSTEMS_XML: &str = include_str!("../fixtures/systems.xml");
pub const OK_XML: &str = r#"<?xml version="1.0"?><response status="1"><data></data></response>"#;

/// A login handing out one session (`JSESSIONID=js1`, `SDK-Token=tok1`), whatever the
/// credentials.
pub async fn login(server: &mut ServerGuard) -> Mock {
    server
        .mock("GET", AUTH)
        .with_status(200)
        .with_header("set-cookie", "JSESSIONID=js1; Path=/WebManagement/")
        .with_header("set-cookie", "SDK-Token=tok1")
        .with_body(OK_XML)
        .create_async()
        .await
}

/// `GET systems` (any query) answered with the guide's listing.
pub async fn systems(server: &mut ServerGuard) -> Mock {
    server
        .mock("GET", format!("{API}/systems").as_str())
        .match_query(Matcher::Any)
        .with_body(SYSTEMS_XML)
        .create_async()
        .await
}
