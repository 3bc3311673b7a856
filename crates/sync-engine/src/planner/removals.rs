//! People who left: removal per the policy, held above the deletion threshold.

use super::system_directory::remove_entries;
use super::*;

impl<'a> Planner<'a> {
    pub(super) fn removals(
        &self,
        people: &mut [Person<'a>],
        at: &[Option<usize>],
        out: &mut Output,
    ) {
        let policy = self.config.safety.removal;
        // Links whose person left scope, plus Teams-only people whose old IP Office user goes.
        // Links come in id order, each with its person (`at`), so the plan does not depend
        // on hashing.
        let mut leaving: Vec<(&ObjectId, &Link, bool, Option<usize>)> = Vec::new();
        for ((id, link), &pos) in self.links.iter().zip(at) {
            let person = pos.map(|i| &people[i]);
            let gone = person.is_none_or(|p| p.out_of_scope);
            let now_teams_only =
                person.is_some_and(|p| !p.blocked && matches!(p.want, Some(Want::TeamsOnly)));
            if gone {
                leaving.push((id, link, true, pos));
            } else if now_teams_only && link.user.is_some() {
                leaving.push((id, link, false, pos));
            } else if person
                .is_some_and(|p| !p.blocked && matches!(p.want, Some(Want::User { .. })))
                && link.directory_entries().next().is_some()
            {
                // Became an IP Office user: the directory entries are no longer needed.
                remove_entries(out, id, link);
            }
        }
        for (id, link, whole, pos) in leaving {
            if whole && link.directory_entries().next().is_some() {
                remove_entries(out, id, link);
                mark_removed(people, pos, id, &mut out.status);
            }
            let Some(u) = link
                .user
                .as_ref()
                .and_then(|g| self.ix.user_by_guid.get(g).copied())
            else {
                continue;
            };
            if u.is_no_user() {
                continue;
            }
            if !self.remove_user(id, link, u, out) {
                continue;
            }
            mark_removed(people, pos, id, &mut out.status);
            if let Some(p) = pos.and_then(|i| people.get_mut(i)) {
                p.trace_with(|| {
                    format!(
                        "action: {} leaves scope; removal policy {:?}",
                        u.label(),
                        policy
                    )
                });
            }
        }
    }

    /// The removal of a leaver's user `u` the policy asks for; whether the person counts as
    /// removed (a user disabled already is not removed again).
    fn remove_user(&self, id: &ObjectId, link: &Link, u: &IpoUser, out: &mut Output) -> bool {
        match self.config.safety.removal {
            RemovalPolicy::Keep => {
                out.kept.insert(id.clone());
            }
            RemovalPolicy::Disable => {
                let already = u.profile == Profile::NonLicensed && u.teams_client != Some(true);
                if already {
                    return false;
                }
                let mut d = u.clone();
                d.profile = Profile::NonLicensed;
                if d.teams_client.is_some() {
                    d.teams_client = Some(false);
                }
                out.removal(
                    ActionKind::DisableUser,
                    id,
                    user_record(u),
                    vec![
                        FieldChange::new(
                            "Profile",
                            Some(profile_text(u.profile)),
                            Some(profile_text(Profile::NonLicensed)),
                        ),
                        FieldChange::new(
                            "MS Teams Client",
                            u.teams_client.map(flag_text),
                            d.teams_client.map(flag_text),
                        ),
                    ],
                    IpoChange::UpdateUser(d),
                    Effect::UserDisabled,
                );
            }
            RemovalPolicy::Delete => {
                if let Some(g) = &u.guid {
                    out.removal(
                        ActionKind::DeleteUser,
                        id,
                        user_record(u),
                        Vec::new(),
                        IpoChange::DeleteUser {
                            guid: g.clone(),
                            name: u.name.clone(),
                            node: u.node.clone(),
                        },
                        Effect::UserDeleted,
                    );
                }
                if let Some(g) = &link.extension
                    && let Some(n) = &link.extension_number
                {
                    out.removal(
                        ActionKind::DeleteExtension,
                        id,
                        RecordRef::new(RecordKind::Extension, n).with_guid(Some(g.clone())),
                        Vec::new(),
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
        true
    }
}

/// Marks a leaver removed: on their person when they are still in the directory.
pub(super) fn mark_removed(
    people: &mut [Person<'_>],
    at: Option<usize>,
    id: &ObjectId,
    gone: &mut BTreeMap<ObjectId, PersonStatus>,
) {
    match at.and_then(|i| people.get_mut(i)) {
        Some(p) => p.status = Some(PersonStatus::Remove),
        None => {
            gone.insert(id.clone(), PersonStatus::Remove);
        }
    }
}
