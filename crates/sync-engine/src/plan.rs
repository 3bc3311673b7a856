//! The plan: what a sync would do, and for each person why. Pure data, serialisable,
//! printable; never holds a secret (codes show as `***`, raw IP Office records are not kept
//! in the serialised form).

use ipo_model::{ExtensionNumber, FullName, IpoChange, ObjectId, Profile, UserName, UserType};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

use crate::changes::Changes;
use crate::reason::Reason;
use crate::record::RecordRef;
use crate::state::PendingCreate;
use crate::text::Text;

/// What one action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ActionKind {
    /// Create an extension record.
    CreateExtension,
    /// Create a user.
    CreateUser,
    /// Change fields of a user the sync owns.
    UpdateUser,
    /// Change a hunt group's members.
    UpdateHuntGroup,
    /// Add or change a system directory entry (Teams-only person).
    PutDirectoryEntry,
    /// Remove a system directory entry.
    RemoveDirectoryEntry,
    /// Disable a user (Non-licensed profile, Teams client off).
    DisableUser,
    /// Delete a user.
    DeleteUser,
    /// Delete an extension record the sync created.
    DeleteExtension,
}

impl ActionKind {
    /// Whether this action removes someone (counted against the deletion threshold).
    pub fn is_removal(self) -> bool {
        matches!(self, ActionKind::DisableUser | ActionKind::DeleteUser)
    }
}

/// One field's change, old -> new. Secrets are shown as `***`. The values are [`Text`]s
/// (short ones held in place, long ones shared), not a `String` each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FieldChange {
    /// Field name as an administrator knows it (`Full Name`, `Extension`...).
    pub field: Cow<'static, str>,
    /// Value before (None = empty).
    pub old: Option<Text>,
    /// Value after (None = empty).
    pub new: Option<Text>,
}

impl FieldChange {
    /// A change.
    pub fn new(field: impl Into<Cow<'static, str>>, old: Option<Text>, new: Option<Text>) -> Self {
        Self {
            field: field.into(),
            old,
            new,
        }
    }
}

/// One write the plan would make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Action {
    /// What it does.
    pub kind: ActionKind,
    /// The IP Office record, shown as `user Ann Lee (GUID)`.
    pub record: RecordRef,
    /// The person it is for, if any.
    pub person: Option<ObjectId>,
    /// Field changes (for creates: the values set), read as a slice.
    pub changes: Changes,
    /// The write that performs it. Never serialised (a write may carry a code, a secret):
    /// a plan read back from JSON is applied through [`RunOptions::reviewed`](crate::RunOptions::reviewed),
    /// which plans again and applies only when that plan is the one reviewed.
    #[serde(skip)]
    pub(crate) write: Option<Write>,
}

/// How a person fares in this plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PersonStatus {
    /// In sync: nothing to do.
    InSync,
    /// Will be created.
    Create,
    /// Will be updated.
    Update,
    /// Will be removed, disabled or kept out of scope.
    Remove,
    /// Nothing happens, for the reasons given.
    Skipped,
}

/// A person's line in the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PersonPlan {
    /// Azure AD object id.
    pub id: ObjectId,
    /// UPN or display name.
    pub label: Text,
    /// The person's Azure AD display name (not IP Office's Full Name), when Azure AD has
    /// one: what an administrator knows them by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<Text>,
    /// The type the rules give, if in scope.
    pub user_type: Option<UserType>,
    /// The rule (group) that decided the type.
    pub rule: Option<Text>,
    /// IP Office user name (existing or to be created).
    pub ipo_name: Option<UserName>,
    /// Extension (existing or to be created).
    pub extension: Option<ExtensionNumber>,
    /// Status.
    pub status: PersonStatus,
    /// Why (skips, conflicts, warnings).
    pub reasons: Vec<Reason>,
    /// Step trace (scope, eligibility, match, action), filled for `explain`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trace: Vec<String>,
    /// The person's classification, the one [`classify_for_sync`](crate::classify_for_sync) reports: the
    /// type they are now, the type the rules want, and every problem. `None` for people
    /// no longer in any synced group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<usertype_rules::Verdict>,
}

/// Licences the plan needs for one profile, against the free ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LicenseNeed {
    /// Profile.
    pub profile: Profile,
    /// How many the plan would assign.
    pub needed: u32,
    /// How many are free, counting the ones the plan's own removals and profile changes
    /// give back (usertype-rules' `LicensePool::forecast_changes`).
    pub free: u32,
    /// How many assignments were dropped because they do not fit.
    pub dropped: u32,
}

impl LicenseNeed {
    /// Whether every assignment fits.
    pub fn fits(&self) -> bool {
        self.needed <= self.free
    }
}

/// Removals the deletion threshold held back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HeldRemovals {
    /// How many removals (delete or disable) the plan wanted.
    pub count: usize,
    /// The most allowed without approval.
    pub threshold: usize,
    /// Users the sync manages.
    pub managed: usize,
    /// The people concerned.
    pub people: Vec<ObjectId>,
}

impl HeldRemovals {
    /// What to tell the administrator.
    pub fn message(&self) -> String {
        format!(
            "{} removals exceed the deletion threshold ({} of {} managed users): every removal is \
             held. If this is intended, run again with removals allowed (sync: --allow-deletes); \
             otherwise check the groups in Azure AD.",
            self.count, self.threshold, self.managed
        )
    }
}

/// The system directory records the sync owns after the plan, against IP Office's limit
/// ([`ipo_model::MAX_DIRECTORY_RECORDS`]): each number is a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SystemDirectoryRecords {
    /// Records the sync's directory holds once the plan is applied (what it holds now
    /// when the plan's new entries are held).
    pub records: usize,
    /// Records it would hold if every entry the plan wants were written.
    pub wanted: usize,
    /// IP Office's limit.
    pub limit: usize,
    /// The people (and contacts) whose directory changes are held because `wanted` is
    /// above `limit`: everyone who would add an entry. Empty when everything fits.
    pub held: Vec<ObjectId>,
}

impl SystemDirectoryRecords {
    /// Whether the plan's new directory entries are held for the limit.
    pub fn is_held(&self) -> bool {
        !self.held.is_empty()
    }

    /// What to tell the administrator when entries are held.
    pub fn message(&self) -> String {
        format!(
            "the system directory would hold {} records, more than IP Office's limit of {}: \
             the directory changes of the {} people adding entries are held and it keeps {} \
             records. Narrow the directory (fewer groups, fewer numbers per person in \
             [sync.system_directory] numbers, contacts off) to fit.",
            self.wanted,
            self.limit,
            self.held.len(),
            self.records
        )
    }
}

/// What the plan does to the sync state when an action succeeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Effect {
    /// (The user's name is read off the write itself.)
    UserCreated {
        name_source: Option<Text>,
        user_type: UserType,
    },
    UserUpdated {
        name_source: Option<Text>,
        user_type: UserType,
        enabled: bool,
    },
    UserDisabled,
    UserDeleted,
    ExtensionCreated {
        number: ExtensionNumber,
    },
    ExtensionDeleted {
        guid: ipo_model::Guid,
    },
    DirectoryPut {
        name: FullName,
        number: crate::config::SystemDirectoryNumber,
        /// The entry is an Azure AD contact's (kept in `SyncState::contacts`).
        contact: bool,
    },
    DirectoryRemoved {
        name: FullName,
        contact: bool,
    },
    None,
}

/// The write that performs an action, and what it does to the sync state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Write {
    pub change: IpoChange,
    pub effect: Effect,
}

/// A state change that needs no IP Office write (adopted records, dropped links, types,
/// rendered policies): the person's whole link as it should be saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StateUpdate {
    pub person: ObjectId,
    pub link: Option<crate::state::Link>,
}

/// The plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Plan {
    /// Writes, in the order they will be applied.
    pub actions: Vec<Action>,
    /// Every person considered, in a stable order.
    pub people: Vec<PersonPlan>,
    /// Licences needed per profile.
    pub licenses: Vec<LicenseNeed>,
    /// Removals held back by the deletion threshold.
    pub held_removals: Option<HeldRemovals>,
    /// The Teams half: numbers and policy assignments to make through Microsoft Graph or
    /// for the administrator's script, and what is held back.
    #[serde(default)]
    pub teams: crate::teams::TeamsPlan,
    /// The system directory's record count after the plan (None when the sync keeps no
    /// directory entries).
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "directory")]
    pub system_directory: Option<SystemDirectoryRecords>,
    /// Whole-run remarks.
    pub notes: Vec<String>,
    #[serde(skip)]
    pub(crate) state_updates: Vec<StateUpdate>,
    /// Contacts' links to replace (`None`: forget) without a write: entries deleted by hand.
    #[serde(skip)]
    pub(crate) contact_updates: Vec<StateUpdate>,
}

impl Plan {
    /// Whether the plan writes nothing, to IP Office or to Teams, and has no script line for
    /// the administrator.
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty() && self.teams.actions.is_empty()
    }

    /// Number of actions of a kind.
    pub fn count(&self, kind: ActionKind) -> usize {
        self.actions.iter().filter(|a| a.kind == kind).count()
    }

    /// The plan line of one person.
    pub fn person(&self, id: &ObjectId) -> Option<&PersonPlan> {
        self.people.iter().find(|p| &p.id == id)
    }

    /// The write-ahead intents of this plan's creates (user creates and directory entries),
    /// saved before the first write so that an interrupted run's records are found again.
    /// Read off the actions' writes when applying.
    pub(crate) fn intents(&self) -> std::collections::BTreeMap<ObjectId, PendingCreate> {
        let mut out = std::collections::BTreeMap::new();
        for action in &self.actions {
            let (Some(person), Some(prep)) = (&action.person, &action.write) else {
                continue;
            };
            let intent = match (&prep.change, &prep.effect) {
                (
                    IpoChange::CreateUser(u),
                    Effect::UserCreated {
                        name_source,
                        user_type,
                    },
                ) => PendingCreate {
                    name: Some(u.name.clone()),
                    extension_number: u.extension.clone(),
                    directory_entry: None,
                    directory_extra: Default::default(),
                    user_type: *user_type,
                    name_source: name_source.as_ref().map(|s| s.to_string()),
                    contact: false,
                },
                (
                    IpoChange::PutDirectoryEntry(_),
                    Effect::DirectoryPut {
                        name,
                        number,
                        contact,
                    },
                ) => {
                    // A person's several entries are one intent.
                    let intent = out.entry(person.clone()).or_insert_with(|| PendingCreate {
                        name: None,
                        extension_number: None,
                        directory_entry: None,
                        directory_extra: Default::default(),
                        user_type: UserType::TeamsOnly,
                        name_source: None,
                        contact: *contact,
                    });
                    match number {
                        crate::config::SystemDirectoryNumber::Teams => {
                            intent.directory_entry = Some(name.clone());
                        }
                        other => {
                            intent.directory_extra.insert(*other, name.clone());
                        }
                    }
                    continue;
                }
                _ => continue,
            };
            out.insert(person.clone(), intent);
        }
        out
    }

    /// Whether applying would change anything in the sync state even with no writes.
    pub fn has_state_updates(&self) -> bool {
        !self.state_updates.is_empty()
    }

    /// The Teams writes of script-provisioned rules as a Teams PowerShell script for the
    /// administrator to review and run (`None`: there are none). Values are single-quoted
    /// with every single-quote character doubled ([`crate::teams::powershell_quote`]), so a
    /// name cannot break out of its string.
    pub fn teams_script(&self) -> Option<String> {
        let script = usertype_rules::TeamsProvisioning::Script;
        self.teams
            .actions_by(script)
            .next()
            .map(|_| crate::teams::teams_script(&self.teams, &self.teams.group_grants))
    }
}
