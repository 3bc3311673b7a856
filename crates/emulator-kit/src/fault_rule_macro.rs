//! The fault rule struct every emulator declares: shared fields, constructor and builders,
//! and the [`crate::ScopedRule`] implementation, around the emulator's own fault fractions.

/// Declares an emulator's `FaultRule`: the fields every emulator shares (`path_prefix`,
/// `method`, `latency`, `retry_after`, the listed fractions, `drop`, `malformed`, `times`),
/// a `new` constructor, the builders `method`, `latency`, `times`, `drop_connection` and `malformed`,
/// and [`crate::ScopedRule`]. Each listed field is a fraction of requests (`f64`, 0 by
/// default) that the emulator rolls in its own order and sets with its own builders.
///
/// ```
/// use emulator_kit::{Latency, ScopedRule};
///
/// emulator_kit::fault_rule! {
///     /// A rule.
///     Rule {
///         /// Fraction answered 503.
///         unavailable + retry_after,
///         /// Fraction answered 461.
///         expired,
///     }
/// }
///
/// let mut rule = Rule::new("/a").method("get").drop_connection(0.5).times(2).expired(0.1);
/// assert!(rule.scope().matches("GET", "/a/b"));
/// assert_eq!((rule.unavailable, rule.drop), (0.0, 0.5));
/// assert_eq!(*rule.times_left(), Some(2));
/// ```
#[macro_export]
macro_rules! fault_rule {
    (
        $(#[$doc:meta])*
        $rule:ident {
            $( $(#[$fdoc:meta])* $field:ident $(+ $ra:ident)? ),* $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub struct $rule {
            /// Path prefix a request path must start with.
            pub path_prefix: String,
            /// HTTP method (upper-case), `None` for any.
            pub method: Option<String>,
            /// Added wait.
            pub latency: Option<$crate::Latency>,
            /// `Retry-After` sent with a throttling or unavailable answer; `None` sends none.
            pub retry_after: Option<std::time::Duration>,
            $( $(#[$fdoc])* pub $field: f64, )*
            /// Fraction whose connection is closed without an answer.
            pub drop: f64,
            /// Fraction whose answer body is cut in half.
            pub malformed: f64,
            /// Stop faulting after this many faults (latency alone does not count); `None`
            /// forever.
            pub times: Option<u32>,
        }

        impl $rule {
            /// A rule matching every method under `path_prefix` that does nothing yet.
            pub fn new(path_prefix: impl Into<String>) -> Self {
                Self {
                    path_prefix: path_prefix.into(),
                    method: None,
                    latency: None,
                    retry_after: None,
                    $( $field: 0.0, )*
                    drop: 0.0,
                    malformed: 0.0,
                    times: None,
                }
            }

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

            /// Closes this fraction of connections without an answer.
            pub fn drop_connection(mut self, fraction: f64) -> Self {
                self.drop = fraction;
                self
            }

            /// Cuts this fraction of answer bodies short.
            pub fn malformed(mut self, fraction: f64) -> Self {
                self.malformed = fraction;
                self
            }

            $( $crate::__fault_setter!($field $(, $ra)?); )*
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

/// One builder of [`fault_rule!`]: sets a fraction, and with it `retry_after` when named.
#[doc(hidden)]
#[macro_export]
macro_rules! __fault_setter {
    ($field:ident, $ra:ident) => {
        #[doc = concat!("Sets `", stringify!($field), "` (a fraction of requests) and the `Retry-After` sent with it.")]
        pub fn $field(mut self, fraction: f64, $ra: Option<std::time::Duration>) -> Self {
            self.$field = fraction;
            self.retry_after = $ra;
            self
        }
    };
    ($field:ident) => {
        #[doc = concat!("Sets `", stringify!($field), "` (a fraction of requests).")]
        pub fn $field(mut self, fraction: f64) -> Self {
            self.$field = fraction;
            self
        }
    };
}
