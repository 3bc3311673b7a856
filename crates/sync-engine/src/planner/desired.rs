//! Stage 3: what each person's IP Office records should hold, and which record is theirs.

use super::*;

impl<'a> Planner<'a> {
    pub(super) fn provisioning_for(&self, p: &Person<'a>) -> Option<&'a ProvisioningRule> {
        if let Some(sel) = &self.config.fields.provisioning_rule
            && let Some(v) = p.user.property_str(&sel.source)
            && let Some(r) = self.config.provisioning_rule(v.trim())
        {
            return Some(r);
        }
        p.rule
            .and_then(|r| r.provisioning_rule.as_deref())
            .and_then(|n| self.config.provisioning_rule(n))
    }

    pub(super) fn desired_values(&self, p: &mut Person<'a>) {
        let fields = &self.config.fields;
        let Some(t) = p.user_type else { return };
        p.provisioning = self.provisioning_for(p);
        p.template = p
            .provisioning
            .and_then(|r| r.user_template.as_deref())
            .and_then(|n| self.config.user_templates.get(n));
        // The number their verdict read (from the mapped source; the Teams number and the
        // business phones, in any notation, by default).
        let number = p.number.as_ref();
        // Teams people ring the extension Teams has, mapped or not.
        if fields.extension.is_some() || t.needs_teams_voice() {
            p.extension = number.and_then(TeamsNumber::extension).cloned();
        }
        if let Some(m) = &fields.hunt_groups {
            p.hunt_groups = mapping::hunt_groups(p.user, &m.source).into_boxed_slice();
        }
        if t == UserType::TeamsOnly {
            // The verdict blocks a Teams-only person without a number, and says when they
            // cannot be in the hunt groups claimed.
            p.teams_number = number.and_then(TeamsNumber::number).cloned();
            p.want = Some(Want::TeamsOnly);
            return;
        }
        // The name their verdict derived. The source text kept for renames is the mapped
        // property's own value: none when it is empty (the display name stood in), so an
        // existing user keeps its name.
        p.name_source = p
            .user
            .property_str(&fields.name.source)
            .filter(|v| !v.trim().is_empty())
            .map(|v| Text::copied(&v));
        p.derived_name = p.ipo_name.take();
        // The template's profile when the licence policy allows it for the type, else the
        // policy's first choice for the type.
        let policy = &self.config.licensing;
        p.profile = p
            .template
            .and_then(|t| t.profile)
            .filter(|pr| policy.profile_allowed_for(t, *pr, self.mode))
            .or_else(|| policy.profile_for(t, None, self.mode));
    }

    /// The IP Office user that is this person, as their verdict paired them (by the stored
    /// link, or by a key the adoption setting allows), or a new one.
    pub(super) fn match_person(&self, p: &mut Person<'a>, link: Option<&Link>) {
        let paired = p
            .matched
            .as_ref()
            .and_then(|(g, key)| Some((self.ix.user_by_guid.get(g).copied()?, *key)))
            .filter(|(u, _)| !u.is_no_user());
        if matches!(p.want, Some(Want::TeamsOnly)) {
            match link
                .and_then(|l| l.user.as_ref())
                .and_then(|g| self.ix.user_by_guid.get(g))
            {
                Some(u) => p.trace_with(|| {
                    format!(
                        "match: linked to {}, which goes: Teams-only users have no IP Office record",
                        u.label()
                    )
                }),
                None => p.trace_with(|| "match: Teams-only, so a system directory entry only".into()),
            }
            return;
        }
        match paired {
            Some((u, MatchKey::SyncLink)) => {
                p.trace_with(|| format!("match: {} by the stored sync link", u.label()));
                p.want = Some(Want::User {
                    existing: Some(u),
                    adopted: false,
                });
            }
            Some((u, key)) => {
                p.trace_with(|| format!("match: adopted {} by {key}", u.label()));
                p.want = Some(Want::User {
                    existing: Some(u),
                    adopted: true,
                });
            }
            None => {
                p.trace_with(|| "match: no IP Office user, one will be created".into());
                p.want = Some(Want::User {
                    existing: None,
                    adopted: false,
                });
            }
        }
    }
}
