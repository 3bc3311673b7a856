//! A rule's Teams half, as the administrator configures it: how it is provisioned, where the
//! number Teams should ring comes from, and which policies to assign.

use std::fmt;
use std::str::FromStr;

use ipo_model::{
    AzureAdUser, E164Number, ExtensionNumber, InvalidValue, MAX_E164_DIGITS, TeamsNumber,
    TeamsPolicyType,
};
use serde::{Deserialize, Serialize};

/// How a rule's Teams half is provisioned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TeamsProvisioning {
    /// The sync leaves Teams alone and says nothing about it.
    Off,
    /// The sync writes a PowerShell script for an administrator to run (the default:
    /// writing to the Microsoft tenant is opt-in, so an upgrade never starts by itself).
    #[default]
    Script,
    /// The sync assigns numbers and policies itself, through Microsoft Graph.
    Graph,
}

impl fmt::Display for TeamsProvisioning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TeamsProvisioning::Off => "off",
            TeamsProvisioning::Script => "PowerShell script",
            TeamsProvisioning::Graph => "Microsoft Graph",
        })
    }
}

/// The placeholder a [`NumberTemplate`] replaces with the person's extension.
pub const EXTENSION_PLACEHOLDER: &str = "{extension}";

/// A Direct Routing number built from the extension: `+` and digits around one
/// `{extension}`, e.g. `+441632768{extension}` gives extension 402 the number
/// `+441632768402`.
///
/// ```
/// use usertype_rules::NumberTemplate;
/// let t: NumberTemplate = "+441632768{extension}".parse()?;
/// assert_eq!(t.render(&"402".parse()?)?.to_string(), "+441632768402");
/// assert!("441632768{extension}".parse::<NumberTemplate>().is_err()); // no leading +
/// assert!("+441632768000000{extension}".parse::<NumberTemplate>().is_err()); // over 15 digits
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NumberTemplate {
    before: String,
    after: String,
}

impl NumberTemplate {
    /// The number for `extension`; an error when the result is no E.164 number (too long).
    pub fn render(&self, extension: &ExtensionNumber) -> Result<E164Number, InvalidValue> {
        format!("{}{}{}", self.before, extension.as_str(), self.after).parse()
    }
}

impl FromStr for NumberTemplate {
    type Err = NumberTemplateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |why: &str| NumberTemplateError {
            template: s.to_owned(),
            why: why.to_owned(),
        };
        let Some((before, after)) = s.split_once(EXTENSION_PLACEHOLDER) else {
            return Err(bad("it needs the placeholder {extension}"));
        };
        if after.contains(EXTENSION_PLACEHOLDER) {
            return Err(bad("the placeholder {extension} may appear once"));
        }
        let Some(digits) = before.strip_prefix('+') else {
            return Err(bad("it must start with + and the country code (E.164)"));
        };
        if let Some(c) = digits
            .chars()
            .chain(after.chars())
            .find(|c| !c.is_ascii_digit())
        {
            return Err(bad(&format!("{c:?} is not a digit")));
        }
        if digits.is_empty() || digits.starts_with('0') {
            return Err(bad("the country code must come first (E.164)"));
        }
        // Even a one-digit extension adds a digit.
        if digits.len() + after.len() >= MAX_E164_DIGITS {
            return Err(bad(&format!(
                "with any extension the number has more than {MAX_E164_DIGITS} digits (E.164)"
            )));
        }
        Ok(Self {
            before: before.to_owned(),
            after: after.to_owned(),
        })
    }
}

/// A number template that cannot make E.164 numbers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("number template {template:?}: {why}")]
#[non_exhaustive]
pub struct NumberTemplateError {
    /// The template as written.
    pub template: String,
    /// What is wrong with it.
    pub why: String,
}

impl TryFrom<String> for NumberTemplate {
    type Error = NumberTemplateError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<NumberTemplate> for String {
    fn from(t: NumberTemplate) -> Self {
        t.to_string()
    }
}

impl fmt::Display for NumberTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{EXTENSION_PLACEHOLDER}{}", self.before, self.after)
    }
}

/// Where the number Teams should ring for a person comes from. In the configuration file:
/// `{ template = "+441632768{extension}" }` (optionally `with_extension = false`) or
/// `{ property = "extensionAttribute3" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawNumberRule", into = "RawNumberRule")]
#[non_exhaustive]
pub enum TeamsNumberRule {
    /// Built from the person's extension (the IP Office extension of a Teams + IP Office
    /// person; the Teams extension of a Teams-only one).
    Template {
        /// The template.
        template: NumberTemplate,
        /// Whether Teams carries the extension too (`+441632768402;ext=402`), as Direct
        /// Routing stores extensions. Default on.
        with_extension: bool,
    },
    /// An Azure AD property holding the number (E.164, Azure portal or LineURI notation,
    /// e.g. `extensionAttribute3`).
    Property {
        /// The Graph property name.
        property: String,
    },
}

/// The file's form of [`TeamsNumberRule`]: one table, either key.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNumberRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    template: Option<NumberTemplate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    with_extension: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    property: Option<String>,
}

impl TryFrom<RawNumberRule> for TeamsNumberRule {
    type Error = String;
    fn try_from(r: RawNumberRule) -> Result<Self, Self::Error> {
        match (r.template, r.property) {
            (Some(template), None) => Ok(TeamsNumberRule::Template {
                template,
                with_extension: r.with_extension.unwrap_or_else(yes),
            }),
            (None, Some(property)) if r.with_extension.is_none() => {
                if property.trim().is_empty() {
                    return Err("`property` names no property".into());
                }
                Ok(TeamsNumberRule::Property { property })
            }
            (None, Some(_)) => Err("`with_extension` goes with `template`".into()),
            (Some(_), Some(_)) => Err("give either `template` or `property`, not both".into()),
            (None, None) => Err("give `template` or `property`".into()),
        }
    }
}

impl From<TeamsNumberRule> for RawNumberRule {
    fn from(r: TeamsNumberRule) -> Self {
        match r {
            TeamsNumberRule::Template {
                template,
                with_extension,
            } => RawNumberRule {
                template: Some(template),
                with_extension: Some(with_extension),
                property: None,
            },
            TeamsNumberRule::Property { property } => RawNumberRule {
                template: None,
                with_extension: None,
                property: Some(property),
            },
        }
    }
}

fn yes() -> bool {
    true
}

/// Why no number could be made for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "why")]
#[non_exhaustive]
pub enum Unbuildable {
    /// A template needs an extension and the person has none.
    NoExtension,
    /// The property is empty.
    EmptyProperty {
        /// The property.
        property: String,
    },
    /// The value is no E.164 number.
    Invalid {
        /// Where it came from (template or property).
        source: String,
        /// What was wrong, as a sentence.
        reason: String,
    },
}

impl fmt::Display for Unbuildable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unbuildable::NoExtension => {
                f.write_str("the number template needs an extension and the person has none")
            }
            Unbuildable::EmptyProperty { property } => write!(f, "{property} is empty"),
            Unbuildable::Invalid { source, reason } => write!(f, "{source}: {reason}"),
        }
    }
}

impl TeamsNumberRule {
    /// The number (with the extension when configured) for a person whose extension is
    /// `extension`.
    pub fn number_for(
        &self,
        user: &AzureAdUser,
        extension: Option<&ExtensionNumber>,
    ) -> Result<TeamsNumber, Unbuildable> {
        match self {
            TeamsNumberRule::Template {
                template,
                with_extension,
            } => {
                let ext = extension.ok_or(Unbuildable::NoExtension)?;
                let number = template.render(ext).map_err(|e| Unbuildable::Invalid {
                    source: format!("template {template}"),
                    reason: e.to_string(),
                })?;
                let carried = with_extension.then(|| ext.clone());
                TeamsNumber::new(Some(number), carried).map_err(|e| Unbuildable::Invalid {
                    source: format!("template {template}"),
                    reason: e.to_string(),
                })
            }
            TeamsNumberRule::Property { property } => {
                let value = user
                    .property_str(property)
                    .filter(|v| !v.trim().is_empty())
                    .ok_or_else(|| Unbuildable::EmptyProperty {
                        property: property.clone(),
                    })?;
                let invalid = |reason: String| Unbuildable::Invalid {
                    source: property.clone(),
                    reason,
                };
                let n = TeamsNumber::parse_any(&value).map_err(|e| invalid(e.to_string()))?;
                if n.number().is_none() {
                    return Err(invalid(format!(
                        "{value:?} holds an extension but no number to assign"
                    )));
                }
                Ok(n)
            }
        }
    }
}

/// A rule's Teams half.
///
/// ```
/// use usertype_rules::{TeamsProvisioning, TeamsSideRule};
/// let rule: TeamsSideRule = serde_json::from_str(r#"{
///     "provisioning": "graph",
///     "number": {"template": "+441632768{extension}"},
///     "voice_routing_policy": "UK-DirectRouting"
/// }"#)?;
/// assert_eq!(rule.provisioning, TeamsProvisioning::Graph);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct TeamsSideRule {
    /// How it is provisioned.
    pub provisioning: TeamsProvisioning,
    /// Where the number comes from; `None`: the sync manages no number for this rule.
    pub number: Option<TeamsNumberRule>,
    /// The online voice routing policy to assign, by name.
    pub voice_routing_policy: Option<String>,
    /// The dial plan (tenant dial plan) to assign, by name.
    pub dial_plan: Option<String>,
    /// Whether the sync may replace a number or a direct policy assignment it did not make
    /// (default: never touch what the sync did not assign).
    pub adopt: bool,
}

impl TeamsSideRule {
    /// Whether the rule asks anything of Teams: a provisioning other than `off` and a
    /// number or a policy to provision.
    pub fn provisions_anything(&self) -> bool {
        self.provisioning != TeamsProvisioning::Off
            && (self.number.is_some()
                || self.voice_routing_policy.is_some()
                || self.dial_plan.is_some())
    }

    /// The name of the policy of type `t` the rule assigns, if it names one.
    pub fn policy(&self, t: TeamsPolicyType) -> Option<&str> {
        match t {
            TeamsPolicyType::OnlineVoiceRouting => self.voice_routing_policy.as_deref(),
            TeamsPolicyType::TenantDialPlan => self.dial_plan.as_deref(),
        }
    }

    /// The configuration key naming the policy of type `t` (`voice_routing_policy`,
    /// `dial_plan`).
    pub fn policy_key(t: TeamsPolicyType) -> &'static str {
        match t {
            TeamsPolicyType::OnlineVoiceRouting => "voice_routing_policy",
            TeamsPolicyType::TenantDialPlan => "dial_plan",
        }
    }
}
