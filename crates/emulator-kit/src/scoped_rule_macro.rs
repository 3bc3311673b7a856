//! The builders and the [`crate::ScopedRule`] implementation every emulator's `FaultRule`
//! shares.

/// Implements, for a fault rule struct with the fields `path_prefix: String`,
/// `method: Option<String>`, `latency: Option<Latency>` and `times: Option<u32>`, the shared
/// builders `method`, `latency` and `times` and [`crate::ScopedRule`].
///
/// ```
/// use emulator_kit::{Latency, ScopedRule};
///
/// #[derive(Debug)]
/// pub struct Rule {
///     path_prefix: String,
///     method: Option<String>,
///     latency: Option<Latency>,
///     times: Option<u32>,
/// }
/// emulator_kit::scoped_rule!(Rule);
///
/// let rule = Rule { path_prefix: "/a".into(), method: None, latency: None, times: None };
/// let mut rule = rule.method("get").times(2);
/// assert!(rule.scope().matches("GET", "/a/b"));
/// assert_eq!(*rule.times_left(), Some(2));
/// ```
#[macro_export]
macro_rules! scoped_rule {
    ($rule:ty) => {
        impl $rule {
            /// Only this method (compared upper-case).
            pub fn method(mut self, m: impl Into<String>) -> Self {
                self.method = Some(m.into().to_ascii_uppercase());
                self
            }

            /// Adds latency.
            pub fn latency(mut self, l: $crate::Latency) -> Self {
                self.latency = Some(l);
                self
            }

            /// Faults at most `n` times.
            pub fn times(mut self, n: u32) -> Self {
                self.times = Some(n);
                self
            }
        }

        impl $crate::ScopedRule for $rule {
            fn scope(&self) -> $crate::RuleScope<'_> {
                $crate::RuleScope {
                    path_prefix: &self.path_prefix,
                    method: self.method.as_deref(),
                    latency: self.latency,
                }
            }

            fn times_left(&mut self) -> &mut Option<u32> {
                &mut self.times
            }
        }
    };
}
