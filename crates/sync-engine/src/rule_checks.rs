//! Checks across group rules that need no network: one rule per group, and no two rules of
//! equal priority wanting different user types (a person in both groups would be a conflict
//! that surfaces only after the directory is read).
//!
//! Separate from [`SyncConfig::validate`] so that embedders who want equal-priority
//! conflicts reported per person (the planner's behaviour) can still have them.

use crate::config::SyncConfig;
use crate::error::ConfigError;

impl SyncConfig {
    /// Refuses a group named by two rules, and two rules of equal priority with different
    /// user types. Errors name the later rule, e.g. `rules[2].group`.
    ///
    /// ```
    /// let cfg = sync_engine::SyncConfig::from_toml(r#"
    /// [[rules]]
    /// group = "11111111-1111-1111-1111-111111111111"
    /// user_type = "ip_office_only"
    /// [[rules]]
    /// group = "22222222-2222-2222-2222-222222222222"
    /// user_type = "teams_only"
    /// "#)?;
    /// let e = cfg.validate_rules().unwrap_err();
    /// assert!(e.to_string().contains("rules[1].priority"));
    /// # Ok::<(), sync_engine::ConfigError>(())
    /// ```
    pub fn validate_rules(&self) -> Result<(), ConfigError> {
        for (j, later) in self.rules.iter().enumerate() {
            for (i, earlier) in self.rules.iter().enumerate().take(j) {
                if earlier.group == later.group {
                    return Err(ConfigError::Invalid {
                        field: format!("rules[{j}].group"),
                        message: format!(
                            "group {} already has a rule (rules[{i}], {}); one rule per group",
                            later.group,
                            earlier.label()
                        ),
                    });
                }
                if earlier.priority == later.priority && earlier.user_type != later.user_type {
                    return Err(ConfigError::Invalid {
                        field: format!("rules[{j}].priority"),
                        message: format!(
                            "priority {} is also that of rules[{i}] ({}), whose members \
                             become {} users; a person in both groups would be a conflict: \
                             give the rules different priorities",
                            later.priority,
                            earlier.label(),
                            earlier.user_type
                        ),
                    });
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use ipo_model::UserType;

    use crate::config::{GroupRule, SyncConfig};

    fn rule(group: &str, t: UserType, priority: i32) -> GroupRule {
        let mut r = GroupRule::new(group.parse().unwrap(), t);
        r.priority = priority;
        r
    }

    const A: &str = "11111111-1111-1111-1111-111111111111";
    const B: &str = "22222222-2222-2222-2222-222222222222";

    #[test]
    fn distinct_groups_and_priorities_pass() {
        let cfg = SyncConfig::new(vec![
            rule(A, UserType::IpOfficeOnly, 0),
            rule(B, UserType::TeamsOnly, 5),
        ]);
        assert_eq!(cfg.validate_rules(), Ok(()));
        let same_type = SyncConfig::new(vec![
            rule(A, UserType::TeamsOnly, 1),
            rule(B, UserType::TeamsOnly, 1),
        ]);
        assert_eq!(same_type.validate_rules(), Ok(()));
    }

    #[test]
    fn a_group_in_two_rules_is_named() {
        let cfg = SyncConfig::new(vec![
            rule(A, UserType::IpOfficeOnly, 0),
            rule(A, UserType::TeamsOnly, 5),
        ]);
        let e = cfg.validate_rules().unwrap_err().to_string();
        assert!(e.contains("rules[1].group") && e.contains(A), "{e}");
    }
}
