//! Login, session cookies, lockout and the session limit.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use ipo_emulator::{AUTH_PATH, SessionPolicy};
use reqwest::Method;

#[tokio::test]
async fn login_sets_both_cookies_and_they_open_the_api() {
    let emu = start(config()).await;
    let base = emu.base_url();
    let c = client();
    let resp = login_request(&c, &base, USER, PASS).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let cookies = cookies_of(&resp);
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("JSESSIONID=") && c.contains("Path=/WebManagement/"))
    );
    assert!(cookies.iter().any(|c| c.starts_with("SDK-Token=")));
    let body = resp.text().await.unwrap();
    assert!(body.contains(r#"<response status="1">"#), "{body}");

    let s = login(&c, &base).await;
    let users = get(&c, &s, &base, "users", XML).await;
    assert!(users.contains("<Name>NoUser</Name>"), "{users}");
    assert_eq!(emu.stats().logins, 2);
}

#[tokio::test]
async fn both_cookies_and_the_client_headers_are_required() {
    let emu = start(config()).await;
    let base = emu.base_url();
    let c = client();
    let s = login(&c, &base).await;
    let jsession_only = Session {
        cookie: s.cookie.split(';').next().unwrap().to_owned(),
    };
    let r = admin(&c, &jsession_only, Method::GET, &base, "users", XML)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.text().await.unwrap().contains("Unauthorized"));

    // No X-User-* headers.
    let r = c
        .get(format!("{base}/WebManagement/ws/sdk/admin/v1/users"))
        .header("Cookie", &s.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    // A well-formed but unknown session is a session timeout.
    let forged = Session {
        cookie: "JSESSIONID=ABC; SDK-Token=def".into(),
    };
    let (status, body) = send(&c, &forged, Method::GET, &base, "users", XML, "").await;
    assert_eq!(status, 200);
    assert!(
        body.contains(r#"status="0""#) && body.contains("461:SessionTimeout"),
        "{body}"
    );
}

#[tokio::test]
async fn login_without_client_headers_or_with_a_wrong_password_is_refused() {
    let emu = start(config()).await;
    let base = emu.base_url();
    let c = client();
    let r = c
        .get(format!("{base}{AUTH_PATH}"))
        .header("Authorization", basic(USER, PASS))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = login_request(&c, &base, USER, "Zq9xKpw")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().contains_key("www-authenticate"));
    let body = r.text().await.unwrap();
    assert!(
        !body.contains("Zq9xKpw") && !body.contains(PASS),
        "no secret echoed: {body}"
    );
}

#[tokio::test]
async fn three_failures_lock_the_account_for_the_lockout_time() {
    let policy = SessionPolicy {
        lockout: Duration::from_millis(300),
        ..SessionPolicy::default()
    };
    let emu = start(config().sessions(policy)).await;
    let base = emu.base_url();
    let c = client();
    for _ in 0..3 {
        let r = login_request(&c, &base, USER, "bad").send().await.unwrap();
        assert_eq!(r.status(), 401);
    }
    let r = login_request(&c, &base, USER, PASS).send().await.unwrap();
    assert_eq!(r.status(), 401, "locked even with the right password");
    assert!(r.text().await.unwrap().contains("locked"));
    tokio::time::sleep(Duration::from_millis(350)).await;
    login(&c, &base).await;
    assert_eq!(emu.stats().failed_logins, 4);
}

#[tokio::test]
async fn at_most_five_sessions_and_logout_frees_one() {
    let emu = start(config()).await;
    let base = emu.base_url();
    let c = client();
    let mut sessions = Vec::new();
    for _ in 0..5 {
        sessions.push(login(&c, &base).await);
    }
    let r = login_request(&c, &base, USER, PASS).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(emu.state().live_sessions(), 5);

    let s = sessions.pop().unwrap();
    let r = c
        .delete(format!("{base}{AUTH_PATH}"))
        .header("X-User-Client", "Avaya-WebAdmin")
        .header("X-User-Agent", "Avaya-SDKUser")
        .header("Cookie", &s.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(emu.stats().logouts, 1);
    // The logged-out session is gone...
    let (_, body) = send(&c, &s, Method::GET, &base, "users", XML, "").await;
    assert!(body.contains("461:SessionTimeout"));
    // ...and its slot is free again.
    login(&c, &base).await;
}

#[tokio::test]
async fn idle_sessions_expire() {
    let policy = SessionPolicy {
        idle_timeout: Some(Duration::from_millis(100)),
        ..SessionPolicy::default()
    };
    let emu = start(config().sessions(policy)).await;
    let base = emu.base_url();
    let c = client();
    let s = login(&c, &base).await;
    get(&c, &s, &base, "users", XML).await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    let (_, body) = send(&c, &s, Method::GET, &base, "users", XML, "").await;
    assert!(body.contains("461:SessionTimeout"), "{body}");
}
