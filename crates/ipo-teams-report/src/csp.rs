//! The page's Content-Security-Policy: nothing may load, and only the one inline style and
//! the one inline script run, each allowed by its SHA-256 hash, computed here from the very
//! text the page embeds (so the two cannot drift apart).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

/// The page's only style sheet.
pub(crate) const STYLE: &str = include_str!("../assets/report.css");

/// The page's only script (filters and the copy button).
pub(crate) const SCRIPT: &str = include_str!("../assets/filter.js");

/// A CSP hash source (`sha256-<base64>`) of `text`.
pub(crate) fn hash(text: &str) -> String {
    format!(
        "sha256-{}",
        STANDARD.encode(Sha256::digest(text.as_bytes()))
    )
}

/// The policy: `default-src 'none'` forbids every fetch (images, fonts, frames,
/// connections); the style and the script are allowed by hash; no `<base>` and no form
/// submission. Style attributes stay forbidden, which is why the page uses none.
pub(crate) fn policy() -> String {
    format!(
        "default-src 'none'; style-src '{}'; script-src '{}'; img-src 'none'; \
         base-uri 'none'; form-action 'none'",
        hash(STYLE),
        hash(SCRIPT)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_sha256_base64_of_the_text() {
        // printf 'abc' | openssl dgst -sha256 -binary | base64
        assert_eq!(
            hash("abc"),
            "sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
        assert_ne!(hash(SCRIPT), hash(STYLE));
    }

    #[test]
    fn policy_allows_nothing_else() {
        let p = policy();
        assert!(p.starts_with("default-src 'none';"));
        assert!(p.contains(&format!("script-src '{}'", hash(SCRIPT))));
        assert!(p.contains(&format!("style-src '{}'", hash(STYLE))));
        assert!(!p.contains("unsafe"));
        assert!(!p.contains("http"));
    }
}
