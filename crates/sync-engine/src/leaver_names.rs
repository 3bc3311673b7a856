//! Leavers named as people: someone who left every synced group (or was deleted) is no
//! longer in the directory read, so the planner knows them only by their IP Office name or
//! object id. The directory cache saved by the previous apply still has their display name
//! and UPN, which is what an administrator recognises.

use std::collections::BTreeMap;

use ipo_model::{AzureAdUser, ObjectId};

use crate::plan::Plan;
use crate::text::Text;

/// Relabels the plan's people absent from `current` whom `cached` knows, as
/// `Display Name (upn)`.
pub(crate) fn name_leavers(
    plan: &mut Plan,
    current: &BTreeMap<ObjectId, AzureAdUser>,
    cached: &BTreeMap<ObjectId, AzureAdUser>,
) {
    for p in &mut plan.people {
        if current.contains_key(&p.id) {
            continue;
        }
        let Some(u) = cached.get(&p.id) else {
            continue;
        };
        let label = match (&u.display_name, &u.user_principal_name) {
            (Some(name), Some(upn)) => format!("{name} ({upn})"),
            (Some(one), None) | (None, Some(one)) => one.clone(),
            (None, None) => continue,
        };
        p.label = Text::from(label);
        p.display_name = u.display_name.as_deref().map(Text::copied);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{PersonPlan, PersonStatus};
    use crate::reason::Reason;

    #[test]
    fn a_leaver_known_to_the_cache_is_named_by_display_name_and_upn() {
        let id: ObjectId = "0b000000-0000-4000-8000-000000000007".parse().unwrap();
        let mut cached_user = AzureAdUser::new(id.clone());
        cached_user.display_name = Some("Max Cooper".into());
        cached_user.user_principal_name = Some("max.cooper@contoso.example".into());
        let cached = BTreeMap::from([(id.clone(), cached_user)]);
        let mut plan = Plan {
            actions: Vec::new(),
            people: vec![PersonPlan {
                id: id.clone(),
                label: Text::copied(id.as_str()),
                display_name: None,
                user_type: None,
                rule: None,
                ipo_name: None,
                extension: None,
                status: PersonStatus::Remove,
                reasons: vec![Reason::OutOfScope],
                trace: Vec::new(),
                verdict: None,
            }],
            licenses: Vec::new(),
            held_removals: None,
            teams: Default::default(),
            system_directory: None,
            notes: Vec::new(),
            state_updates: Vec::new(),
            contact_updates: Vec::new(),
        };
        // Still in the directory: the planner's label stays.
        let current = cached.clone();
        name_leavers(&mut plan, &current, &cached);
        assert_eq!(plan.people[0].label.as_str(), id.as_str());
        name_leavers(&mut plan, &BTreeMap::new(), &cached);
        assert_eq!(
            plan.people[0].label.as_str(),
            "Max Cooper (max.cooper@contoso.example)"
        );
    }
}
