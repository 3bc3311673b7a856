//! Which requests a fault rule applies to, and its fault budget.

use crate::Latency;

/// The part of a fault rule every emulator shares: where it applies and what latency it adds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RuleScope<'a> {
    /// Path prefix a request path must start with.
    pub path_prefix: &'a str,
    /// Upper-case HTTP method, `None` for any.
    pub method: Option<&'a str>,
    /// Added wait for every matching request.
    pub latency: Option<Latency>,
}

impl RuleScope<'_> {
    /// Whether a request (`method` upper-case) falls under this scope.
    pub fn matches(&self, method: &str, path: &str) -> bool {
        self.method.is_none_or(|m| m == method) && path.starts_with(self.path_prefix)
    }
}

/// A fault rule an emulator keeps in a [`crate::RuleSet`].
pub trait ScopedRule {
    /// Where the rule applies and what latency it adds.
    fn scope(&self) -> RuleScope<'_>;
    /// Faults left before the rule stops faulting (`None`: forever); latency does not count.
    fn times_left(&mut self) -> &mut Option<u32>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_on_prefix_and_optional_method() {
        let any = RuleScope {
            path_prefix: "/v1.0/users",
            method: None,
            latency: None,
        };
        assert!(any.matches("GET", "/v1.0/users/x"));
        assert!(any.matches("POST", "/v1.0/users"));
        assert!(!any.matches("GET", "/v1.0/groups"));
        let get = RuleScope {
            method: Some("GET"),
            ..any
        };
        assert!(get.matches("GET", "/v1.0/users"));
        assert!(!get.matches("PATCH", "/v1.0/users"));
    }
}
