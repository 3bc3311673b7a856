//! The second stage of planning: `usertype-rules`' verdict on every person the rules hold,
//! reached from the same configuration the sync runs on. The planner acts on these
//! verdicts and decides nothing about a person by itself; [`classify_for_sync`] gives the same
//! verdicts to a report, so the classification and the plan cannot disagree.

use std::collections::{BTreeMap, BTreeSet};

use ipo_model::{
    AzureAdUser, ExtensionRange, Guid, IpoSnapshot, ObjectId, Profile, TeamsNumber, UserName,
    UserType,
};
use usertype_rules::{
    ClaimedMembership, Classification, ClassifyConfig, ClassifyInput, ExtensionSource, MatchKey,
    Problem, TeamsAssigned, TeamsContext, TeamsSideRule, Verdict,
};

use crate::config::{AdoptPolicy, RemovalPolicy, SyncConfig};
use crate::mapping;
use crate::reason::Reason;
use crate::scope::{Ruled, Scope, people_of, sorted_by_id};
use crate::state::{Link, SyncState};
use crate::teams::TeamsFacts;

/// The sync's classification in context (beside `usertype_rules::classify`, the rules'
/// pure one, which this calls): classifies every person for this sync: each Azure AD user in `directory` that a rule
/// holds, checked against the type the rule wants, and every IP Office user.
///
/// The verdicts are the ones [`plan`](crate::plan) acts on: same licence policy
/// (`[licensing]`), same extension source, same identity rules (stored links, then e-mail;
/// an extension identifies only where `safety.adopt` says so), same adoption setting. A
/// person the sync would skip has [`Verdict::blocks_sync`] set, with the problems that say
/// why; "no IP Office user yet" is something the sync fixes, not a block.
///
/// ```
/// use ipo_model::*;
/// use sync_engine::{classify_for_sync, GroupRule, SyncConfig, SyncState};
///
/// let group: GroupId = "11111111-1111-1111-1111-111111111111".parse()?;
/// let config = SyncConfig::new(vec![GroupRule::new(group.clone(), UserType::TeamsAndIpOffice)]);
/// let mut ann = AzureAdUser::new("22222222-2222-2222-2222-222222222222".parse()?);
/// ann.display_name = Some("Ann Lee".into());
/// ann.business_phones = vec!["+441632768401 x401".into()];
/// ann.groups.insert(group);
/// let ipo = IpoSnapshot::new(SystemInfo::new("ipo", "12.1", LicensingMode::Plds, Platform::Ip500V2));
///
/// let no_teams = sync_engine::teams::TeamsFacts::default();
/// let c = classify_for_sync(&config, &[ann], &ipo, &SyncState::default(), &no_teams);
/// let v = &c.verdicts[0];
/// // No Teams voice licence: a Teams + IP Office user needs one, and the sync cannot fix that.
/// assert!(v.blocks_sync());
/// assert_eq!(v.blocking().next().map(|p| p.code()), Some("no_teams_voice"));
/// # Ok::<(), InvalidValue>(())
/// ```
pub fn classify_for_sync(
    config: &SyncConfig,
    directory: &[AzureAdUser],
    snapshot: &IpoSnapshot,
    state: &SyncState,
    teams: &TeamsFacts,
) -> Classification {
    let sorted = sorted_by_id(directory);
    let people = people_of(&sorted);
    let scope = Scope::new(config);
    let ruled: Vec<Ruled<'_>> = people.iter().map(|same| scope.rule_for(same)).collect();
    Context::new(config, snapshot, &state.links, (teams, &state.teams))
        .classify(&people, &ruled, &scope)
}

/// The sync's links as usertype-rules takes them: Azure AD object id -> IP Office GUID, for
/// the people linked to an IP Office user.
pub(crate) fn ipo_links(links: &BTreeMap<ObjectId, Link>) -> BTreeMap<ObjectId, Guid> {
    links
        .iter()
        .filter_map(|(id, l)| Some((id.clone(), l.user.clone()?)))
        .collect()
}

/// What the sync brings to a classification: links, sources, adoption, ranges.
pub(crate) struct Context<'a> {
    config: &'a SyncConfig,
    snapshot: &'a IpoSnapshot,
    links: BTreeMap<ObjectId, Guid>,
    /// The users the sync disabled (removal policy `disable`) for people it still links.
    retired: BTreeSet<Guid>,
    ranges: Vec<(String, ExtensionRange)>,
    classify: ClassifyConfig,
    /// What Teams holds, and what the sync assigned there before.
    teams: (&'a TeamsFacts, &'a BTreeMap<ObjectId, TeamsAssigned>),
}

impl<'a> Context<'a> {
    /// `links`: the sync's links (after recovering an interrupted run's creates).
    pub(crate) fn new(
        config: &'a SyncConfig,
        snapshot: &'a IpoSnapshot,
        links: &BTreeMap<ObjectId, Link>,
        teams: (&'a TeamsFacts, &'a BTreeMap<ObjectId, TeamsAssigned>),
    ) -> Self {
        let retired = retired_users(config, snapshot, links);
        let links = ipo_links(links);
        let ranges = config
            .provisioning_rules
            .iter()
            .filter_map(|r| Some((r.name.clone(), r.range()?)))
            .collect();
        Self {
            config,
            snapshot,
            links,
            retired,
            ranges,
            classify: classify_config(config),
            teams,
        }
    }

    /// The verdicts for the people `ruled` holds (`people` and `ruled` side by side, as
    /// [`Scope::rule_for`] answered).
    pub(crate) fn classify(
        &self,
        people: &[&[&AzureAdUser]],
        ruled: &[Ruled<'_>],
        scope: &Scope<'_>,
    ) -> Classification {
        // References, not copies: copying every Azure AD user was a tenth of planning.
        let mut directory: Vec<&AzureAdUser> = Vec::with_capacity(people.len());
        // Gathered in id order and built in one go: inserting one by one searched the
        // growing tree for every person.
        let mut intended = Vec::with_capacity(people.len());
        let mut conflicts = BTreeMap::new();
        let mut claims = Vec::new();
        let mut teams_rules: BTreeMap<ObjectId, &TeamsSideRule> = BTreeMap::new();
        for (same, r) in people.iter().zip(ruled) {
            let Some(first) = same.first() else { continue };
            match r {
                Ruled::Nothing => continue,
                Ruled::Conflict { priority } => {
                    conflicts.insert(first.id.clone(), scope.conflicting(same, *priority));
                }
                Ruled::Rule(_, rule) => {
                    intended.push((first.id.clone(), rule.user_type));
                    if rule.teams.provisions_anything() {
                        teams_rules.insert(first.id.clone(), &rule.teams);
                    }
                }
            }
            if let Some(m) = &self.config.fields.hunt_groups {
                for g in mapping::hunt_groups(first, &m.source) {
                    claims.push(ClaimedMembership::new(first.id.clone(), g));
                }
            }
            directory.push(first);
        }
        let intended: BTreeMap<ObjectId, UserType> = intended.into_iter().collect();
        let keys = adoption_keys(self.config.safety.adopt);
        let mut input = ClassifyInput::of_refs(&directory, self.snapshot)
            .with_links(&self.links)
            .with_intended(&intended)
            .with_claimed_memberships(&claims)
            .with_config(self.classify.clone())
            .with_adoption(keys)
            .with_reserved_ranges(&self.ranges)
            .with_rule_conflicts(&conflicts)
            .with_retired(&self.retired)
            .with_teams(TeamsContext::new(
                &teams_rules,
                &self.teams.0.holders,
                self.teams.1,
            ));
        if self.config.safety.removal == RemovalPolicy::Delete {
            input = input.with_own_users_deleted();
        }
        usertype_rules::classify(&input, &self.config.licensing)
    }
}

/// What the removal policy leaves of a person now Teams only: under `disable`, the linked
/// users the sync disabled or finds disabled (Non-licensed, Teams client off); under `keep`,
/// every linked user. (Under `delete` the user goes.)
fn retired_users(
    config: &SyncConfig,
    snapshot: &IpoSnapshot,
    links: &BTreeMap<ObjectId, Link>,
) -> BTreeSet<Guid> {
    let disabled_now: BTreeSet<&Guid> = (snapshot.users.iter())
        .filter(|u| u.profile == Profile::NonLicensed && u.teams_client != Some(true))
        .filter_map(|u| u.guid.as_ref())
        .collect();
    let policy = config.safety.removal;
    (links.values())
        .filter_map(|l| l.user.as_ref().map(|g| (l, g)))
        .filter(|(l, g)| match policy {
            RemovalPolicy::Keep => true,
            RemovalPolicy::Disable => l.disabled || disabled_now.contains(g),
            _ => l.disabled,
        })
        .map(|(_, g)| g.clone())
        .collect()
}

/// The classification settings a sync implies: its extension and name sources, and the
/// identity keys its adoption setting allows.
pub(crate) fn classify_config(config: &SyncConfig) -> ClassifyConfig {
    let mut c = ClassifyConfig::default();
    c.match_order = match config.safety.adopt {
        AdoptPolicy::ByExtension | AdoptPolicy::ByExtensionOrEmail => MatchKey::ALL.to_vec(),
        _ => MatchKey::DEFAULT_ORDER.to_vec(),
    };
    c.extension_source = extension_source(config);
    c.name_property = Some(config.fields.name.source.clone());
    c.full_name_property = config.fields.full_name.as_ref().map(|m| m.source.clone());
    c.disabled_accounts_out_of_scope = config.safety.disabled_accounts_out_of_scope;
    c
}

/// Where the sync reads a person's number and extension: `businessPhones` (the default
/// mapping) means the Teams telephone number first, then the business phones, so an
/// extension written in either notation (`+441632768402 x402`, `tel:+441632768402;ext=402`)
/// is found; any other property is read as it is.
pub(crate) fn extension_source(config: &SyncConfig) -> ExtensionSource {
    match &config.fields.extension {
        Some(m) if m.source != "businessPhones" => ExtensionSource::Property {
            name: m.source.clone(),
            format: None,
        },
        _ => ExtensionSource::TeamsNumber,
    }
}

/// The keys by which the sync may take over an IP Office user it did not create.
fn adoption_keys(adopt: AdoptPolicy) -> &'static [MatchKey] {
    match adopt {
        AdoptPolicy::Never => &[],
        AdoptPolicy::ByExtension => &[MatchKey::Extension],
        AdoptPolicy::ByEmail => &[MatchKey::Email],
        AdoptPolicy::ByExtensionOrEmail => &[MatchKey::Extension, MatchKey::Email],
    }
}

/// What the planner takes from one verdict.
#[derive(Debug, Default)]
pub(crate) struct Judgement {
    /// The person is not synced at all (disabled account, resource account): treated as
    /// having left the rules' groups.
    pub(crate) out_of_scope: Option<Reason>,
    /// Why the sync skips them (empty: it may act).
    pub(crate) blocking: Vec<Reason>,
    /// What it says while acting.
    pub(crate) warnings: Vec<Reason>,
    /// The IP Office user that is this person (its GUID) and how it was found.
    pub(crate) matched: Option<(Guid, MatchKey)>,
    /// The person's Teams number and/or extension.
    pub(crate) number: Option<TeamsNumber>,
    /// The IP Office user name the rules derive for them.
    pub(crate) ipo_name: Option<UserName>,
}

/// Turns a verdict into plan reasons: each problem once, in the plan's words where the
/// plan has a word for it, else as the verdict's own problem.
pub(crate) fn judge(v: &Verdict) -> Judgement {
    let mut j = Judgement {
        matched: v
            .person
            .ipo
            .clone()
            .zip(v.matched_by)
            .filter(|_| v.person.azure_ad.is_some()),
        number: v.facts.teams_number.clone(),
        ipo_name: v.facts.ipo_name.clone(),
        ..Judgement::default()
    };
    let no_hunt_groups: Vec<String> = v
        .problems
        .iter()
        .filter_map(|p| match p {
            Problem::HuntGroupMembershipImpossible { hunt_group } => Some(hunt_group.clone()),
            _ => None,
        })
        .collect();
    if !no_hunt_groups.is_empty() {
        j.warnings.push(Reason::HuntGroupNotAllowed {
            groups: no_hunt_groups,
        });
    }
    let target = v.target;
    for p in &v.problems {
        // The verdict's own rule (`Verdict::blocking`), not a copy of it.
        let blocking = v.blocking().any(|b| std::ptr::eq(b, p));
        let reason = match p {
            Problem::AccountDisabled => {
                j.out_of_scope = Some(Reason::AccountDisabled);
                continue;
            }
            Problem::ResourceAccount => {
                j.out_of_scope = Some(Reason::ResourceAccount);
                continue;
            }
            Problem::NoTeamsVoice { needed_for } => Reason::NoTeamsVoice {
                wanted: *needed_for,
            },
            Problem::TeamsVoiceSuspended => Reason::TeamsVoiceSuspended,
            Problem::TeamsVoiceInGrace => Reason::TeamsVoiceGrace,
            Problem::ConflictingRules { rules } => Reason::RuleConflict {
                rules: rules.clone(),
            },
            Problem::NoNumber {
                needed_for: UserType::TeamsOnly,
                ..
            } => Reason::NoNumber,
            Problem::NoNumber { .. } | Problem::ExtensionMismatch { teams: None, .. } => {
                Reason::NoTeamsExtension
            }
            Problem::ExtensionCollision { extension, with } => {
                if target == Some(UserType::TeamsOnly) {
                    Reason::TeamsExtensionClash {
                        extension: extension.clone(),
                        with: with.to_string(),
                    }
                } else {
                    Reason::ExtensionTaken {
                        extension: extension.clone(),
                        by: with.to_string(),
                    }
                }
            }
            Problem::DuplicateExtension { extension, others } => Reason::DuplicateExtension {
                extension: extension.clone(),
                others: others.iter().filter_map(|o| o.azure_ad.clone()).collect(),
            },
            Problem::InvalidValue {
                field,
                value,
                rule,
                derived: None,
            } => invalid_value(field, value, rule),
            // The planner says these in its own words when it acts (names, links,
            // hunt groups), or acts on them (create, profile, flag, extension).
            Problem::InvalidValue { .. }
            | Problem::StaleLink { .. }
            | Problem::HuntGroupMembershipImpossible { .. }
            | Problem::NoIpoExtension { .. } => continue,
            _ if p.sync_can_fix() => continue,
            other => Reason::Verdict {
                problem: Box::new(other.clone()),
            },
        };
        if blocking {
            j.blocking.push(reason);
        } else {
            j.warnings.push(reason);
        }
    }
    j
}

/// A refused value in the plan's words: classification names the field
/// `"<source> -> <IP Office field>"`.
fn invalid_value(field: &str, value: &str, rule: &str) -> Reason {
    let (source, target) = field.split_once(" -> ").unwrap_or(("", field));
    let field = match target {
        "extension" => "Extension",
        "IP Office Name" => "Name",
        "IP Office FullName" => "FullName",
        "IP Office directory name" => "Directory name",
        other => other,
    };
    Reason::InvalidValue {
        field: field.into(),
        source: source.into(),
        message: format!("{value:?}: {rule}"),
    }
}
