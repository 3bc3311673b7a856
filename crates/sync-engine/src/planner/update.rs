//! Stage 5 (diff): an existing user brought in line, field by field, only what changed.

use super::*;

impl<'a> Planner<'a> {
    pub(super) fn build_update(
        &self,
        p: &mut Person<'a>,
        actual: &'a IpoUser,
        adopted: bool,
        link: Option<&Link>,
        out: &mut Output,
    ) {
        let Some(t) = p.user_type else { return };
        let fields = &self.config.fields;
        // Copied only when something changes: most linked users are in sync.
        let mut user: Cow<'a, IpoUser> = Cow::Borrowed(actual);
        let mut changes = Vec::new();
        let link_source = link.and_then(|l| l.name_source.as_deref());
        let new_source = self.rename(p, adopted, link, &mut user, &mut changes);
        let name_source = match &new_source {
            Some(s) => s.as_deref(),
            None => link_source,
        };
        let ext_changed = fields
            .extension
            .as_ref()
            .is_some_and(|m| m.apply == ApplyMode::Always)
            && p.extension.is_some()
            && p.extension != actual.extension;
        if ext_changed {
            changes.push(FieldChange::new(
                "Extension",
                actual.extension.as_ref().map(Text::from),
                p.extension.as_ref().map(Text::from),
            ));
            user.to_mut().extension = p.extension.clone();
        } else {
            p.extension = actual.extension.clone();
        }
        self.fill_optional(p, &mut user, Some(actual), &mut changes, false);
        if let Some(want) = self.profile_needed(p, Some(actual)) {
            changes.push(FieldChange::new(
                "Profile",
                Some(profile_text(actual.profile)),
                Some(profile_text(want)),
            ));
            user.to_mut().profile = want;
        }
        let want_flag = teams_flag(t, actual.teams_client);
        if want_flag != actual.teams_client {
            changes.push(FieldChange::new(
                "MS Teams Client",
                actual.teams_client.map(flag_text),
                want_flag.map(flag_text),
            ));
            user.to_mut().teams_client = want_flag;
        }
        p.derived_name = Some(user.name.clone());
        self.update_link(p, actual, adopted, link, name_source, out);
        if changes.is_empty() {
            p.trace_with(|| "action: none, already in sync".into());
            return;
        }
        p.trace_with(|| {
            format!(
                "action: update {}: {}",
                actual.label(),
                changes
                    .iter()
                    .map(|c| c.field.as_ref())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        });
        if ext_changed {
            self.renumber_records(p, &user, actual, link, out);
        }
        let name_source = match new_source {
            Some(s) => s,
            None => link_source.map(Text::copied),
        };
        out.push(
            ActionKind::UpdateUser,
            Some(&p.user.id),
            user_record(actual),
            changes,
            IpoChange::UpdateUser(user.into_owned()),
            Effect::UserUpdated {
                name_source,
                user_type: t,
                enabled: true,
            },
        );
        p.status = Some(PersonStatus::Update);
    }
    /// Renames the user only when the mapped source value itself changed (renames move
    /// voicemail). The source value to keep after this run: the person's when adopted or
    /// renamed (`Some`), else (`None`) the stored link's.
    fn rename(
        &self,
        p: &Person<'a>,
        adopted: bool,
        link: Option<&Link>,
        user: &mut Cow<'a, IpoUser>,
        changes: &mut Vec<FieldChange>,
    ) -> Option<Option<Text>> {
        let mut new_source = adopted.then(|| p.name_source.clone());
        if self.renames(p, adopted, link)
            && let Some(new) = p.derived_name.clone()
        {
            if new != user.name {
                changes.push(FieldChange::new(
                    "Name",
                    Some(Text::from(&user.name)),
                    Some(Text::from(&new)),
                ));
                user.to_mut().name = new;
            }
            new_source = Some(p.name_source.clone());
        }
        new_source
    }

    /// The person's link after the update: taken over when adopted, else kept in line
    /// with the type and the name source.
    fn update_link(
        &self,
        p: &mut Person<'a>,
        actual: &IpoUser,
        adopted: bool,
        link: Option<&Link>,
        name_source: Option<&str>,
        out: &mut Output,
    ) {
        let Some(t) = p.user_type else { return };
        if adopted {
            let mut l = link.cloned().unwrap_or_else(|| Link::new(t));
            l.user = actual.guid.clone();
            l.name = Some(actual.name.clone());
            l.name_source = name_source.map(str::to_owned);
            l.user_type = t;
            out.link_updates.insert(p.user.id.clone(), Some(l));
            p.trace_with(|| {
                format!(
                    "action: take over {} (adoption allowed by the configuration)",
                    actual.label()
                )
            });
        } else if link.is_some_and(|l| l.user_type != t || l.name_source.as_deref() != name_source)
        {
            let mut l = link.cloned().unwrap_or_else(|| Link::new(t));
            l.user_type = t;
            l.name_source = name_source.map(str::to_owned);
            out.link_updates.insert(p.user.id.clone(), Some(l));
        }
    }

    /// The extension record of a user moved to a new number, and the deletion (after the
    /// move) of the one the sync made for the old number.
    fn renumber_records(
        &self,
        p: &mut Person<'a>,
        user: &IpoUser,
        actual: &IpoUser,
        link: Option<&Link>,
        out: &mut Output,
    ) {
        if let Some(e) = &user.extension
            && self.create_extension_record(p, e, actual.node.clone(), out)
            && let Some(l) = link
            && let Some(g) = &l.extension
            && let Some(n) = &l.extension_number
        {
            out.push_later(
                ActionKind::DeleteExtension,
                Some(&p.user.id),
                RecordRef::new(RecordKind::Extension, n).with_guid(Some(g.clone())),
                IpoChange::DeleteExtension {
                    guid: g.clone(),
                    number: n.clone(),
                    node: self.extension_node(g),
                },
                Effect::ExtensionDeleted { guid: g.clone() },
            );
        }
    }
}

/// The "Enable MS Teams Client" flag a user of type `t` must have: on for Teams + IP Office,
/// off where it was on, else as it is.
fn teams_flag(t: UserType, now: Option<bool>) -> Option<bool> {
    match t {
        UserType::TeamsAndIpOffice => Some(true),
        _ if now == Some(true) => Some(false),
        _ => now,
    }
}
