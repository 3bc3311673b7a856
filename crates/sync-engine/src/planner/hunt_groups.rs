//! Hunt-group membership the mapped field asks for, for people with an IP Office user.

use super::*;

impl<'a> Planner<'a> {
    pub(super) fn hunt_groups(&self, people: &[Person<'a>], out: &mut Output) {
        let Some(map) = &self.config.fields.hunt_groups else {
            return;
        };
        // Members the sync manages: extensions of in-scope IP Office people.
        let mut managed: HashSet<&ExtensionNumber> = HashSet::new();
        let mut want: BTreeMap<&str, Vec<&ExtensionNumber>> = BTreeMap::new();
        for p in people {
            if p.blocked || p.out_of_scope || !matches!(p.want, Some(Want::User { .. })) {
                continue;
            }
            // A user moved to another number leaves its groups under the old one.
            if let Some(Want::User {
                existing: Some(u), ..
            }) = &p.want
                && let Some(old) = &u.extension
                && p.extension.as_ref() != Some(old)
            {
                managed.insert(old);
            }
            let Some(e) = &p.extension else { continue };
            let creating = matches!(p.want, Some(Want::User { existing: None, .. }));
            if (map.apply == ApplyMode::OnCreate || !p.hunt_group_eligible) && !creating {
                continue;
            }
            managed.insert(e);
            for g in &p.hunt_groups {
                want.entry(g.as_str()).or_default().push(e);
            }
        }
        // Users this plan deletes (before the hunt groups are written) leave their groups.
        for a in out.removals.iter() {
            if let Some(IpoChange::DeleteUser { guid, .. }) = a.write.as_ref().map(|w| &w.change)
                && let Some(e) = self
                    .ix
                    .user_by_guid
                    .get(guid)
                    .and_then(|u| u.extension.as_ref())
            {
                managed.insert(e);
            }
        }
        for (name, _) in want.iter() {
            if !self.ix.hunt_by_name.contains_key(name) {
                out.notes.push(format!(
                    "hunt group {name:?} named in Azure AD does not exist"
                ));
            }
        }
        for h in &self.snapshot.hunt_groups {
            let wanted: Vec<&ExtensionNumber> =
                want.get(h.name.as_str()).cloned().unwrap_or_default();
            let mut members = h.members.clone();
            let before = members.clone();
            members.retain(|m| !managed.contains(m) || wanted.contains(&m));
            for w in &wanted {
                if !members.contains(w) {
                    members.push((*w).clone());
                }
            }
            if members == before {
                continue;
            }
            let added: Vec<String> = members
                .iter()
                .filter(|m| !before.contains(m))
                .map(|m| m.to_string())
                .collect();
            let removed: Vec<String> = before
                .iter()
                .filter(|m| !members.contains(m))
                .map(|m| m.to_string())
                .collect();
            let mut changes = Vec::new();
            if !added.is_empty() {
                changes.push(FieldChange::new(
                    "Members added",
                    None,
                    Some(added.join(", ").into()),
                ));
            }
            if !removed.is_empty() {
                changes.push(FieldChange::new(
                    "Members removed",
                    Some(removed.join(", ").into()),
                    None,
                ));
            }
            let mut g = h.clone();
            g.members = members;
            out.push(
                ActionKind::UpdateHuntGroup,
                None,
                RecordRef::new(RecordKind::HuntGroup, &h.name).with_guid(h.guid.clone()),
                changes,
                IpoChange::UpdateHuntGroup(g),
                Effect::None,
            );
        }
    }
}
