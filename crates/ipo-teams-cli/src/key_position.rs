//! Where a rule's Teams keys are in the configuration file, for errors found after parsing
//! (a policy Teams does not know, a Teams half a rule cannot have): the file is read again
//! for just those keys, with their spans.

use std::fmt;

use serde::Deserialize;
use toml::Spanned;

/// A line and column in the configuration file, both from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// The line.
    pub line: usize,
    /// The column, in characters.
    pub column: usize,
}

impl Position {
    /// The position of byte `offset` of `text`.
    fn of(text: &str, offset: usize) -> Self {
        let before = text.get(..offset).unwrap_or(text);
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Self {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

#[derive(Deserialize)]
struct FileKeys {
    #[serde(default)]
    sync: Option<SyncKeys>,
}

#[derive(Deserialize)]
struct SyncKeys {
    #[serde(default)]
    rules: Vec<RuleKeys>,
}

/// A rule's keys whose place errors name; the others are not read.
#[derive(Deserialize)]
struct RuleKeys {
    #[serde(default)]
    voice_routing_policy: Option<Spanned<String>>,
    #[serde(default)]
    teams: Option<Spanned<TeamsKeys>>,
}

#[derive(Deserialize)]
struct TeamsKeys {
    #[serde(default)]
    provisioning: Option<Spanned<String>>,
    #[serde(default)]
    voice_routing_policy: Option<Spanned<String>>,
    #[serde(default)]
    dial_plan: Option<Spanned<String>>,
}

/// Where `key` of rule `index` (`sync.rules[index]`) is written in `text`, with the key as
/// written there: `teams`, `teams.provisioning`, `teams.voice_routing_policy`,
/// `teams.dial_plan`. A key the file leaves out is placed at the rule's teams table, or at
/// the older rule-level `voice_routing_policy` the Teams half was read from. `None` when
/// the file holds none of these (a rule built by defaults) or no longer parses.
pub fn rule_key(text: &str, index: usize, key: &str) -> Option<(String, Position)> {
    let file: FileKeys = toml::from_str(text).ok()?;
    let rule = file.sync?.rules.into_iter().nth(index)?;
    let at = |key: &str, span: std::ops::Range<usize>| {
        Some((key.to_owned(), Position::of(text, span.start)))
    };
    let Some(teams) = rule.teams else {
        let old = rule.voice_routing_policy?;
        return at("voice_routing_policy", old.span());
    };
    let inner = teams.get_ref();
    let value = match key {
        "teams.provisioning" => inner.provisioning.as_ref(),
        "teams.voice_routing_policy" => inner.voice_routing_policy.as_ref(),
        "teams.dial_plan" => inner.dial_plan.as_ref(),
        _ => None,
    };
    match value {
        Some(v) => at(key, v.span()),
        None => at("teams", teams.span()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "[[sync.rules]]\nuser_type = \"ip_office_only\"\n\n\
        [[sync.rules]]\nvoice_routing_policy = \"Old\"\n\n\
        [[sync.rules]]\nuser_type = \"teams_only\"\n[sync.rules.teams]\n\
        provisioning = \"graph\"\n  dial_plan = \"UK\"\n";

    #[test]
    fn finds_each_key_of_each_rule_and_the_older_form() {
        let at = |i, key| rule_key(TEXT, i, key).map(|(k, p)| (k, p.line, p.column));
        assert_eq!(
            at(2, "teams.dial_plan"),
            Some(("teams.dial_plan".into(), 11, 15))
        );
        assert_eq!(
            at(2, "teams.provisioning"),
            Some(("teams.provisioning".into(), 10, 16))
        );
        assert_eq!(
            at(1, "teams.voice_routing_policy"),
            Some(("voice_routing_policy".into(), 5, 24))
        );
        assert_eq!(
            at(1, "teams.provisioning"),
            Some(("voice_routing_policy".into(), 5, 24))
        );
        // A key the table leaves out: the table.
        assert_eq!(
            at(2, "teams.voice_routing_policy").map(|(k, l, _)| (k, l)),
            Some(("teams".into(), 9))
        );
        assert_eq!(at(0, "teams"), None);
        assert_eq!(at(3, "teams"), None);
        assert_eq!(rule_key("not toml [", 0, "teams"), None);
    }
}
