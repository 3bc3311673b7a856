//! Helpers shared by the HTTP tests: a plain reqwest client, not ipo-client, so a bug in the
//! client cannot hide behind the same bug in the emulator.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use base64::Engine;
use ipo_emulator::{ADMIN_PREFIX, AUTH_PATH, EmulatorConfig, IpoEmulator, IpoEmulatorHandle};

pub const USER: &str = "api";
pub const PASS: &str = "s3cret";

pub fn config() -> EmulatorConfig {
    EmulatorConfig::new(USER, PASS)
}

pub async fn start(config: EmulatorConfig) -> IpoEmulatorHandle {
    IpoEmulator::start(config).await.unwrap()
}

/// A rustls client configuration (ring provider) trusting exactly `pem`.
pub fn tls_config(pem: &str) -> rustls::ClientConfig {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
        roots.add(cert.unwrap()).unwrap();
    }
    rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth()
}

/// A client trusting `pem` only.
pub fn client_trusting(pem: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls_config(pem))
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .unwrap()
}

/// A client for plain HTTP (reqwest still needs a TLS configuration to build).
pub fn client() -> reqwest::Client {
    client_trusting(ipo_emulator::SERVER_CERT_PEM)
}

pub fn basic(user: &str, pass: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"))
    )
}

/// A logged-in session: the cookie header to send.
#[derive(Clone, Debug)]
pub struct Session {
    pub cookie: String,
}

pub fn login_request(
    c: &reqwest::Client,
    base: &str,
    user: &str,
    pass: &str,
) -> reqwest::RequestBuilder {
    c.get(format!("{base}{AUTH_PATH}"))
        .header("X-User-Client", "Avaya-WebAdmin")
        .header("X-User-Agent", "Avaya-SDKUser")
        .header("Content-Type", "application/xml")
        .header("Authorization", basic(user, pass))
}

pub fn cookies_of(resp: &reqwest::Response) -> Vec<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

pub async fn login(c: &reqwest::Client, base: &str) -> Session {
    let resp = login_request(c, base, USER, PASS).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let pairs: Vec<String> = cookies_of(&resp)
        .iter()
        .map(|c| c.split(';').next().unwrap().to_owned())
        .collect();
    assert_eq!(pairs.len(), 2, "{pairs:?}");
    Session {
        cookie: pairs.join("; "),
    }
}

pub fn admin(
    c: &reqwest::Client,
    s: &Session,
    method: reqwest::Method,
    base: &str,
    resource: &str,
    content_type: &str,
) -> reqwest::RequestBuilder {
    c.request(method, format!("{base}{ADMIN_PREFIX}{resource}"))
        .header("X-User-Client", "Avaya-WebAdmin")
        .header("X-User-Agent", "Avaya-SDKUser")
        .header("Content-Type", content_type)
        .header("Cookie", &s.cookie)
}

pub const XML: &str = "application/xml";
pub const JSON: &str = "application/json";

pub async fn get(c: &reqwest::Client, s: &Session, base: &str, resource: &str, ct: &str) -> String {
    let r = admin(c, s, reqwest::Method::GET, base, resource, ct)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

pub async fn send(
    c: &reqwest::Client,
    s: &Session,
    method: reqwest::Method,
    base: &str,
    resource: &str,
    ct: &str,
    body: &str,
) -> (u16, String) {
    let r = admin(c, s, method, base, resource, ct)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

pub fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// The ws_object items of a JSON answer, always as a list.
pub fn ws_objects(v: &serde_json::Value) -> Vec<serde_json::Value> {
    match &v["response"]["data"]["ws_object"] {
        serde_json::Value::Array(a) => a.clone(),
        serde_json::Value::Null => Vec::new(),
        o => vec![o.clone()],
    }
}

/// The GUID of the first created record in an XML answer.
pub fn first_guid(xml: &str) -> String {
    let i = xml.find("GUID=\"").unwrap() + 6;
    xml[i..i + 32].to_owned()
}
