//! Stages 1 and 2 per person: the rule that holds them and what their verdict says.

use super::*;

impl<'a> Planner<'a> {
    /// A person as the rules and their verdict see them: the rule that holds them, and
    /// what the verdict says stops them or needs saying.
    pub(super) fn person(
        &self,
        user: &'a AzureAdUser,
        same: &[&AzureAdUser],
        ruled: Ruled<'a>,
        rules: &Scope<'_>,
        verdict: Option<&Verdict>,
    ) -> Person<'a> {
        let mut p = Person {
            user,
            rule: None,
            rule_index: 0,
            user_type: None,
            reasons: Vec::new(),
            trace: (self.options.explain.as_ref() == Some(&user.id)).then(Vec::new),
            blocked: false,
            out_of_scope: false,
            want: None,
            extension: None,
            teams_number: None,
            name_source: None,
            derived_name: None,
            profile: None,
            provisioning: None,
            template: None,
            hunt_groups: Box::default(),
            status: None,
            link_disabled: false,
            matched: None,
            number: None,
            ipo_name: None,
            hunt_group_eligible: false,
            verdict: None,
        };
        let (rule_index, rule) = match ruled {
            Ruled::Nothing => {
                p.out_of_scope = true;
                p.reasons.push(Reason::OutOfScope);
                p.trace_with(|| "scope: in none of the synced groups".into());
                return p;
            }
            Ruled::Conflict { priority } => {
                let labels = rules.conflicting(same, priority);
                p.trace_with(|| {
                    format!(
                        "scope: conflict between rules of priority {priority}: {}",
                        labels.join(", ")
                    )
                });
                p.block(Reason::RuleConflict { rules: labels });
                return p;
            }
            Ruled::Rule(i, r) => (i, r),
        };
        p.rule = Some(rule);
        // Rules are a configuration's handful: the index always fits.
        p.rule_index = u32::try_from(rule_index).unwrap_or(u32::MAX);
        p.user_type = Some(rule.user_type);
        p.trace_with(|| {
            format!(
                "scope: group {} (priority {}) makes them {}",
                rule.label(),
                rule.priority,
                rule.user_type
            )
        });
        let Some(v) = verdict else {
            return p;
        };
        let Judgement {
            out_of_scope,
            blocking,
            warnings,
            matched,
            number,
            ipo_name,
        } = verdicts::judge(v);
        if let Some(r) = out_of_scope {
            p.trace_with(|| format!("verdict: {r}, so out of scope"));
            p.out_of_scope = true;
            p.reasons.push(r);
            return p;
        }
        for r in blocking {
            p.trace_with(|| format!("verdict: {r}"));
            p.block(r);
        }
        for r in warnings {
            p.trace_with(|| format!("verdict (warning): {r}"));
            p.reasons.push(r);
        }
        if !p.blocked {
            p.trace_with(|| "verdict: nothing stands in the way".into());
        }
        p.matched = matched;
        p.number = number;
        p.ipo_name = ipo_name;
        p.hunt_group_eligible = usertype_rules::hunt_group_eligibility(v).is_ok();
        p
    }
}
