//! People no rule holds whom the system directory lists anyway (`[sync.system_directory]
//! people = "tenant"` or `groups`, Avaya's *Tenant Directory* / *Group Directory*): read from
//! Azure AD, decided by [`usertype_rules::directory_listing`] (the one place that knows who
//! has an IP Office user), and planned like the organisation's contacts: one entry for the
//! first business phone (else the mobile), kept in `SyncState::contacts` by object id.

use std::collections::{BTreeMap, BTreeSet};

use ipo_model::{AzureAdContact, AzureAdSource, AzureAdUser, IpoSnapshot, ObjectId};
use tracing::info;
use usertype_rules::{NotListed, directory_listing};

use crate::config::{SyncConfig, SystemDirectoryPeople};
use crate::error::SyncError;
use crate::state::SyncState;

/// The listed people outside the rules, as directory contacts. `in_rules` are the people the
/// rules' groups hold (listed, or not, as the rules say): they are never listed again here.
pub(crate) async fn outside_rules(
    config: &SyncConfig,
    source: &dyn AzureAdSource,
    in_rules: &[AzureAdUser],
    snapshot: &IpoSnapshot,
    state: &SyncState,
) -> Result<Vec<AzureAdContact>, SyncError> {
    let d = &config.system_directory;
    if !d.lists_people_outside_rules() {
        return Ok(Vec::new());
    }
    let read = if d.people == SystemDirectoryPeople::Tenant {
        source.all_users().await
    } else {
        source
            .members_of_groups(&d.groups, &|_| {})
            .await
            .map(|groups| groups.into_iter().flat_map(|(_, m)| m).collect())
    }
    .map_err(SyncError::Directory)?;
    let ruled: BTreeSet<&ObjectId> = in_rules.iter().map(|u| &u.id).collect();
    // One person per id (a member of several groups), none the rules hold.
    let people: Vec<AzureAdUser> = read
        .into_iter()
        .filter(|u| !ruled.contains(&u.id))
        .map(|u| (u.id.clone(), u))
        .collect::<BTreeMap<_, _>>()
        .into_values()
        .collect();
    let links = crate::verdicts::ipo_links(&state.links);
    let mut not_listed: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut listed = Vec::new();
    for (person, verdict) in directory_listing(&people, snapshot, Some(&links), &config.licensing) {
        match verdict {
            Ok(()) => listed.push(as_contact(person, &d.name_source)),
            Err(why) => *not_listed.entry(reason_code(&why)).or_default() += 1,
        }
    }
    info!(
        read = people.len(),
        listed = listed.len(),
        ?not_listed,
        "people outside the rules for the system directory"
    );
    Ok(listed)
}

/// The entry's source: the configured name property (else the display name), the mail and
/// the numbers.
fn as_contact(u: &AzureAdUser, name_source: &str) -> AzureAdContact {
    let mut c = AzureAdContact::new(u.id.clone());
    c.display_name = u.property(name_source).or_else(|| u.display_name.clone());
    c.mail = u.mail.clone();
    c.business_phones = u.business_phones.clone();
    c.mobile_phone = u.mobile_phone.clone();
    c
}

fn reason_code(why: &NotListed) -> &'static str {
    match why {
        NotListed::Disabled => "disabled",
        NotListed::ResourceAccount => "resource_account",
        NotListed::HasIpoUser { .. } => "ip_office_user",
        _ => "other",
    }
}
