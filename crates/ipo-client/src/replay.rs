//! When a request may be sent again after a failure that may have reached IP Office.

use reqwest::Method;

/// When a request may be sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Replay {
    /// Sending it twice leaves IP Office as sending it once, so it is resent after any
    /// transient failure (503, 502, 504, a dropped connection): a read, the login, an update
    /// (a PUT sends the whole record as last read with the changes in place, and names it by
    /// GUID: a second one sets the same values) and a delete by GUID (a second one finds
    /// nothing: `404:NotFound` after an attempt that may have been carried out counts as
    /// done, see `Reply::replayed`).
    Always,
    /// A create (POST): resent only where it is known not to have been processed: no
    /// connection was made, or IP Office answered 503 (busy, with `Retry-After`: wait and
    /// retry, docs/ipo-wire.md). After anything else (a dropped connection, a timeout, a
    /// 502 or 504 from whatever stands in front of it, another 5xx without an answer
    /// envelope) it is not resent, and the error is [`IpoError::Unconfirmed`]: a second POST
    /// could make a second record, or be refused as a duplicate of the first.
    ///
    /// [`IpoError::Unconfirmed`]: crate::IpoError::Unconfirmed
    IfUnprocessed,
}

impl Replay {
    /// The replay of an HTTP method: only a create (POST, or a method the client does not
    /// know) is [`Replay::IfUnprocessed`].
    pub(crate) fn of_method(method: &Method) -> Self {
        if [Method::GET, Method::HEAD, Method::PUT, Method::DELETE].contains(method) {
            Replay::Always
        } else {
            Replay::IfUnprocessed
        }
    }

    /// Whether an answer of `status` is resent.
    pub(crate) fn resends_status(self, status: u16) -> bool {
        match self {
            Replay::Always => matches!(status, 502..=504),
            Replay::IfUnprocessed => status == 503,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_creates_wait_for_a_sign_they_were_not_processed() {
        for m in [Method::GET, Method::PUT, Method::DELETE] {
            assert_eq!(Replay::of_method(&m), Replay::Always, "{m}");
        }
        assert_eq!(Replay::of_method(&Method::POST), Replay::IfUnprocessed);
        assert!(Replay::Always.resends_status(502) && Replay::Always.resends_status(504));
        assert!(Replay::IfUnprocessed.resends_status(503));
        assert!(!Replay::IfUnprocessed.resends_status(502));
        assert!(!Replay::IfUnprocessed.resends_status(504));
        assert!(!Replay::Always.resends_status(500));
    }
}
