//! The login session: cookies and their state.

use reqwest::header::{HeaderMap, HeaderValue, SET_COOKIE};

use ipo_model::Secret;

/// Session cookies (`JSESSIONID`, `SDK-Token` and whatever else the server sets).
#[derive(Debug, Clone, Default)]
pub(crate) struct Session {
    cookies: Vec<(String, Secret)>,
    /// Which login made this session (to tell whether someone already logged in again).
    pub generation: u64,
}

impl Session {
    pub fn new(generation: u64) -> Self {
        Self {
            cookies: Vec::new(),
            generation,
        }
    }

    /// Takes every `Set-Cookie` of an answer (a later value replaces an earlier one).
    pub fn absorb(&mut self, headers: &HeaderMap) {
        for v in headers.get_all(SET_COOKIE) {
            let Ok(v) = v.to_str() else { continue };
            let pair = v.split(';').next().unwrap_or("");
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let (name, value) = (name.trim(), value.trim());
            if name.is_empty() {
                continue;
            }
            match self.cookies.iter_mut().find(|(n, _)| n == name) {
                Some((_, old)) => *old = Secret::new(value),
                None => self.cookies.push((name.to_owned(), Secret::new(value))),
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.cookies.is_empty()
    }

    /// Cookie names, for logs.
    pub fn names(&self) -> Vec<&str> {
        self.cookies.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// The `Cookie` header, marked sensitive so it never shows in reqwest's logs.
    pub fn header(&self) -> Option<HeaderValue> {
        let joined = self
            .cookies
            .iter()
            .map(|(n, v)| format!("{n}={}", v.expose()))
            .collect::<Vec<_>>()
            .join("; ");
        let mut h = HeaderValue::from_str(&joined).ok()?;
        h.set_sensitive(true);
        Some(h)
    }
}

/// Where the login stands.
#[derive(Debug, Default)]
pub(crate) enum SessionState {
    /// Not logged in (yet, or after `close()`).
    #[default]
    LoggedOut,
    /// Logged in.
    Active(Session),
    /// The login was refused; never tried again by this client.
    Refused(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_every_cookie_and_hides_them() {
        let mut h = HeaderMap::new();
        h.append(
            SET_COOKIE,
            HeaderValue::from_static("JSESSIONID=abc; Path=/WebManagement/; HttpOnly"),
        );
        h.append(
            SET_COOKIE,
            HeaderValue::from_static("SDK-Token=tok=1; Secure"),
        );
        let mut s = Session::new(1);
        s.absorb(&h);
        assert_eq!(
            s.header().unwrap().to_str().unwrap(),
            "JSESSIONID=abc; SDK-Token=tok=1"
        );
        assert!(!format!("{s:?}").contains("abc"));
    }
}
