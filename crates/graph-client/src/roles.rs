//! The application permissions granted to the app, read from its access token's `roles`
//! claim, so a check can name a missing write permission without writing anything.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

use crate::client::GraphClient;
use crate::error::GraphError;
use crate::number_ops::NUMBER_WRITE_PERMISSION;
use crate::policy_ops::POLICY_WRITE_PERMISSION;

/// The application permissions writing the Teams half needs: numbers and policies.
pub const TEAMS_WRITE_PERMISSIONS: [&str; 2] = [NUMBER_WRITE_PERMISSION, POLICY_WRITE_PERMISSION];

#[derive(Deserialize)]
struct Claims {
    #[serde(default)]
    roles: Vec<String>,
}

/// The `roles` claim of a JWT access token.
///
/// The signature is not checked, on purpose: the token came straight from Azure AD over
/// TLS to this process, and it is read only to tell the administrator what Azure AD
/// granted; Graph itself verifies the token on every call, so a forged claim could at
/// worst make this report wrong, never grant anything.
fn roles_of(token: &str) -> Result<Vec<String>, String> {
    let payload = token
        .split('.')
        .nth(1)
        .ok_or("the access token is not a JWT (no payload part)")?;
    // Azure AD writes base64url without padding; tolerate padding all the same.
    let bytes = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|e| format!("the access token's payload is not base64url: {e}"))?;
    let claims: Claims = serde_json::from_slice(&bytes)
        .map_err(|e| format!("the access token's payload is not JSON claims: {e}"))?;
    Ok(claims.roles)
}

impl GraphClient {
    /// The application permissions (app roles) Azure AD granted, from the current token's
    /// `roles` claim (empty when it has none). Fetches a token if none is cached; sends
    /// nothing to Graph. A token that is not a JWT is a [`GraphError::Auth`].
    pub async fn granted_roles(&self) -> Result<Vec<String>, GraphError> {
        let token = self.inner.tokens.token().await?;
        roles_of(token.secret().expose()).map_err(|description| GraphError::Auth {
            error: "unreadable_token".into(),
            aadsts: None,
            description,
        })
    }

    /// Which of `needed` the token does not grant (compared without regard to case), in
    /// the order given: e.g. [`TEAMS_WRITE_PERMISSIONS`] before a sync writes to Teams.
    pub async fn missing_roles(&self, needed: &[&str]) -> Result<Vec<String>, GraphError> {
        let granted = self.granted_roles().await?;
        Ok(needed
            .iter()
            .filter(|n| !granted.iter().any(|g| g.eq_ignore_ascii_case(n)))
            .map(|n| (*n).to_owned())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> String {
        format!(
            "{}.{}.sig",
            URL_SAFE_NO_PAD.encode(r#"{"typ":"JWT","alg":"RS256"}"#),
            URL_SAFE_NO_PAD.encode(claims)
        )
    }

    #[test]
    fn reads_roles_and_refuses_non_jwts() {
        let t = jwt(
            r#"{"aud":"https://graph.microsoft.com","roles":["User.Read.All","TeamsPolicyUserAssign.ReadWrite.All"]}"#,
        );
        assert_eq!(
            roles_of(&t).unwrap(),
            ["User.Read.All", "TeamsPolicyUserAssign.ReadWrite.All"]
        );
        assert!(roles_of(&jwt(r#"{"aud":"x"}"#)).unwrap().is_empty());
        assert!(roles_of("opaque-token").is_err());
        assert!(roles_of("a.!!!.c").is_err());
    }
}
