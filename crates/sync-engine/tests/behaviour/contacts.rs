//! Azure AD contacts (`orgContact`) in the system directory, when configured.

use ipo_model::{AzureAdContact, GroupId, NumberFormat, SystemDirectoryEntry};
use sync_engine::{ActionKind, StateStore, SyncConfig, SystemDirectoryNumber};

use crate::common::*;

fn config(g: &GroupId, contacts: bool) -> SyncConfig {
    SyncConfig::from_toml(&format!(
        "[[rules]]\ngroup = \"{}\"\nuser_type = \"teams_only\"\n\n[system_directory]\n\
         numbers = [\"teams\", \"mobile\"]\ncontacts = {contacts}\n",
        g.as_str()
    ))
    .unwrap()
}

fn fabrikam() -> AzureAdContact {
    let mut c = AzureAdContact::new(oid(500));
    c.display_name = Some("Fabrikam Support".into());
    c.business_phones = vec!["+1 425 555 0100".into()];
    c.mobile_phone = Some("+1 (425) 555-0199".into());
    c
}

fn directory(w: &World) -> Vec<String> {
    let mut d: Vec<String> = w
        .ipo
        .current()
        .system_directory
        .iter()
        .map(|e: &SystemDirectoryEntry| {
            format!(
                "{} = {}",
                e.name,
                e.number.format(NumberFormat::IpoDirectory).unwrap()
            )
        })
        .collect();
    d.sort();
    d
}

#[tokio::test]
async fn contacts_get_entries_kept_updated_and_removed_with_them() {
    let g = gid(1);
    let w = World::new(config(&g, true), server());
    let mut c = fabrikam();
    w.dir.upsert_contact(c.clone());
    // A Teams-only person of the same name keeps theirs; the contact's is made unique.
    let mut ann = with_voice(with_ext(person(1, "ann"), "401"));
    ann.display_name = Some("Fabrikam Support".into());
    w.join(&g, &ann);

    let run = w.apply_ok().await;
    assert_eq!(run.plan.system_directory.as_ref().unwrap().records, 3);
    assert_eq!(
        directory(&w),
        [
            "Fabrikam Support 2 (mobile) = 14255550199",
            "Fabrikam Support 2 = 14255550100",
            "Fabrikam Support = 4416327401-401",
        ]
    );
    let state = w.state.load().unwrap();
    let link = &state.contacts[&c.id];
    assert_eq!(
        link.directory_entry.as_ref().unwrap().as_str(),
        "Fabrikam Support 2"
    );
    assert_eq!(
        link.directory_extra[&SystemDirectoryNumber::Mobile].as_str(),
        "Fabrikam Support 2 (mobile)"
    );
    assert!(!state.links.contains_key(&c.id), "a contact is no person");
    assert!(w.dry().await.is_empty(), "a second run writes nothing");

    // The business number changes: that entry alone is updated.
    c.business_phones = vec!["+14255550111".into()];
    w.dir.upsert_contact(c.clone());
    let run = w.apply_ok().await;
    assert_eq!(run.plan.actions.len(), 1, "{:#?}", run.plan.actions);
    assert!(directory(&w).contains(&"Fabrikam Support 2 = 14255550111".to_string()));

    // Gone from Azure AD: both entries go, and the state forgets it.
    w.dir.remove_contact(&c.id);
    let run = w.apply_ok().await;
    assert_eq!(run.plan.count(ActionKind::RemoveDirectoryEntry), 2);
    assert_eq!(directory(&w), ["Fabrikam Support = 4416327401-401"]);
    assert!(w.state.load().unwrap().contacts.is_empty());
}

#[tokio::test]
async fn contacts_are_off_by_default_and_an_entry_deleted_by_hand_comes_back() {
    let g = gid(1);
    let off = World::new(config(&g, false), server());
    off.dir.upsert_contact(fabrikam());
    assert!(
        off.dry().await.is_empty(),
        "contacts are read only when asked for"
    );
    assert!(!SyncConfig::new(Vec::new()).system_directory.contacts);

    let w = World::new(config(&g, true), server());
    w.dir.upsert_contact(fabrikam());
    w.apply_ok().await;
    w.ipo.edit(|s| {
        s.system_directory
            .retain(|d| d.name.as_str() != "Fabrikam Support")
    });
    let run = w.apply_ok().await;
    assert_eq!(run.plan.count(ActionKind::PutDirectoryEntry), 1);
    assert_eq!(run.plan.count(ActionKind::RemoveDirectoryEntry), 0);
    assert_eq!(directory(&w).len(), 2);
}

/// Saves only the first `saves_left` times (the run's intents), as a crash right after.
struct ForgetfulStore {
    inner: std::sync::Arc<sync_engine::MemoryStateStore>,
    saves_left: std::sync::Mutex<Option<usize>>,
}

impl StateStore for ForgetfulStore {
    fn load(&self) -> Result<sync_engine::SyncState, sync_engine::StateError> {
        self.inner.load()
    }
    fn save(&self, state: &sync_engine::SyncState) -> Result<(), sync_engine::StateError> {
        let mut left = self.saves_left.lock().unwrap();
        match left.as_mut() {
            Some(0) => Ok(()),
            Some(n) => {
                *n -= 1;
                self.inner.save(state)
            }
            None => self.inner.save(state),
        }
    }
}

#[tokio::test]
async fn a_crash_after_the_writes_takes_the_contacts_entries_back_instead_of_duplicating() {
    let g = gid(1);
    let mem = std::sync::Arc::new(sync_engine::MemoryStateStore::new());
    let store = std::sync::Arc::new(ForgetfulStore {
        inner: mem.clone(),
        saves_left: std::sync::Mutex::new(Some(1)),
    });
    let w = World::with_store(config(&g, true), server(), store.clone(), mem);
    w.dir.upsert_contact(fabrikam());
    // The entries are written, but only the intents were saved before the "crash".
    w.run(&sync_engine::RunOptions::apply()).await;
    let saved = w.state.load().unwrap();
    assert!(saved.contacts.is_empty());
    assert!(saved.pending[&oid(500)].contact);
    assert_eq!(directory(&w).len(), 2);

    *store.saves_left.lock().unwrap() = None;
    let run = w.apply_ok().await;
    assert!(run.plan.actions.is_empty(), "{:#?}", run.plan.actions);
    assert_eq!(
        directory(&w),
        [
            "Fabrikam Support (mobile) = 14255550199",
            "Fabrikam Support = 14255550100",
        ]
    );
    let state = w.state.load().unwrap();
    assert_eq!(state.contacts[&oid(500)].directory_entries().count(), 2);
    assert!(state.pending.is_empty() && state.links.is_empty());
    assert!(w.dry().await.is_empty());
}
