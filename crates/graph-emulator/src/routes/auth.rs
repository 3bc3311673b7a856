//! The Entra ID token endpoint (client credentials) and bearer checks.

use std::time::Instant;

use serde_json::json;

use crate::state::Shared;
use crate::wire::{Req, Resp, graph_error, parse_query};

/// Entra ID's error shape (not Graph's).
pub(super) fn aad_error(status: u16, error: &str, code: u32, description: &str) -> Resp {
    let trace = "00000000-0000-4000-8000-0000000000aa";
    Resp::json(
        status,
        json!({
            "error": error,
            "error_description": format!("AADSTS{code}: {description}\r\nTrace ID: {trace}\r\nCorrelation ID: {trace}\r\nTimestamp: {}", chrono::Utc::now().format("%Y-%m-%d %H:%M:%SZ")),
            "error_codes": [code],
            "timestamp": chrono::Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string(),
            "trace_id": trace,
            "correlation_id": trace,
            "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
        }),
    )
}

pub(super) fn token(sh: &Shared, req: &Req) -> Resp {
    let tenant = req
        .path
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or("");
    if !sh
        .tenant_names
        .iter()
        .any(|t| t.eq_ignore_ascii_case(tenant))
    {
        return aad_error(
            400,
            "invalid_request",
            90002,
            &format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
            ),
        );
    }
    let form = parse_query(&String::from_utf8_lossy(&req.body));
    let field = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    for k in ["grant_type", "client_id", "client_secret", "scope"] {
        if field(k).is_none() {
            return aad_error(
                400,
                "invalid_request",
                900144,
                &format!("The request body must contain the following parameter: '{k}'."),
            );
        }
    }
    if field("grant_type") != Some("client_credentials") {
        return aad_error(
            400,
            "unsupported_grant_type",
            70003,
            "The app requested an unsupported grant type.",
        );
    }
    let client_id = field("client_id").unwrap_or("");
    if !client_id.eq_ignore_ascii_case(&sh.client_id) {
        return aad_error(
            400,
            "unauthorized_client",
            700016,
            &format!("Application with identifier '{client_id}' was not found in the directory."),
        );
    }
    if field("client_secret") != Some(sh.client_secret.expose()) {
        return aad_error(
            401,
            "invalid_client",
            7000215,
            &format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{}'.",
                sh.client_id
            ),
        );
    }
    let scope = field("scope").unwrap_or("");
    let allowed = [
        "https://graph.microsoft.com/.default".to_owned(),
        format!("{}/.default", sh.base),
        format!("{}/.default", sh.graph_base()),
    ];
    if !allowed.iter().any(|a| a == scope) {
        return aad_error(
            400,
            "invalid_scope",
            1002012,
            &format!(
                "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
            ),
        );
    }
    let settings = sh.settings();
    let lifetime = settings.token_lifetime;
    let token = access_token(sh, &settings.revoked_permissions, lifetime.as_secs());
    let now = Instant::now();
    let mut tokens = sh.tokens();
    // Forget long-expired tokens so a long benchmark does not grow the map forever.
    tokens.retain(|_, exp| *exp > now);
    tokens.insert(token.clone(), now + lifetime);
    Resp::ok(json!({
        "token_type": "Bearer",
        "expires_in": lifetime.as_secs(),
        "ext_expires_in": lifetime.as_secs(),
        "access_token": token,
    }))
}

/// A JWT as Azure AD issues them for client credentials (unsigned here): the payload
/// carries `roles`, the application permissions granted when it was issued (all but the
/// revoked ones), so a client can read what it may do.
fn access_token(
    sh: &Shared,
    revoked: &std::collections::BTreeSet<String>,
    lifetime_secs: u64,
) -> String {
    use base64::Engine as _;
    let b64 = |text: String| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text);
    let now = chrono::Utc::now().timestamp();
    let roles: Vec<&str> = super::permissions::ALL_PERMISSIONS
        .into_iter()
        .filter(|p| !revoked.contains(*p))
        .collect();
    let mut rng = sh.rng();
    let claims = json!({
        "aud": "https://graph.microsoft.com",
        "iss": format!("https://sts.windows.net/{}/", sh.tenant_names.first().map_or("", String::as_str)),
        "iat": now,
        "nbf": now,
        "exp": now.saturating_add(i64::try_from(lifetime_secs).unwrap_or(i64::MAX)),
        "appid": sh.client_id,
        "idtyp": "app",
        "roles": roles,
        "tid": sh.tenant_names.first(),
        "uti": format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64()),
    });
    format!(
        "{}.{}.{:016x}",
        // Written out, not serialised: the header (and so the token's first part) stays
        // `eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0`, which tests look for.
        b64(r#"{"typ":"JWT","alg":"none"}"#.to_owned()),
        b64(claims.to_string()),
        rng.next_u64()
    )
}

pub(super) fn check_bearer(sh: &Shared, req: &Req) -> Result<(), Resp> {
    let deny = |msg: &str| {
        graph_error(401, "InvalidAuthenticationToken", msg).with_header(
            "WWW-Authenticate",
            format!(
                "Bearer realm=\"\", authorization_uri=\"{}/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"",
                sh.base
            ),
        )
    };
    let Some(value) = req.header("authorization") else {
        return Err(deny("Access token is empty."));
    };
    let token = value
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim());
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Err(deny("Access token is empty."));
    };
    match sh.tokens().get(token) {
        None => Err(deny(
            "IDX14100: JWT is not well formed, there are no dots (.).",
        )),
        Some(exp) if *exp <= Instant::now() => {
            Err(deny("Lifetime validation failed, the token is expired."))
        }
        Some(_) => Ok(()),
    }
}
