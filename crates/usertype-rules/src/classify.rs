//! Classification: one verdict per person, from both sides and the licence policy.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use ipo_model::{
    AzureAdUser, ExtensionNumber, ExtensionRange, Guid, InvalidValue, IpoSnapshot, IpoUser,
    ObjectId, TeamsNumber, UserType,
};
use serde::{Deserialize, Serialize};

use crate::config::{ClassifyConfig, ExtensionSource, MatchKey};
use crate::directory_users::AzureAdUsers;
use crate::ipo_side::{Ipo, directory_person};
use crate::judge::{Judging, judge_directory_user, judge_ipo_only};
use crate::matching::Found;
use crate::policy::LicensePolicy;
use crate::problem::Problem;
use crate::teams_side::TeamsContext;
use crate::verdict::{Classification, PersonRef, Verdict};

/// A claim from some input (e.g. the mapped "Group Membership" field) that an Azure AD user
/// belongs to an IP Office hunt group.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ClaimedMembership {
    /// The Azure AD user.
    pub person: ObjectId,
    /// The hunt group's name.
    pub hunt_group: String,
}

impl ClaimedMembership {
    /// A claim.
    pub fn new(person: ObjectId, hunt_group: impl Into<String>) -> Self {
        Self {
            person,
            hunt_group: hunt_group.into(),
        }
    }
}

/// Everything [`classify`] looks at. Build with [`ClassifyInput::new`] (or
/// [`ClassifyInput::of_refs`]) and the `with_*` methods.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClassifyInput<'a> {
    /// The Azure AD users in scope.
    pub azure_ad: AzureAdUsers<'a>,
    /// The IP Office configuration.
    pub ipo: &'a IpoSnapshot,
    /// Stored sync links (Azure AD object id -> IP Office GUID).
    pub links: Option<&'a BTreeMap<ObjectId, Guid>>,
    /// The intended type per Azure AD user (e.g. from the group a sync rule maps).
    pub intended: Option<&'a BTreeMap<ObjectId, UserType>>,
    /// Claimed hunt-group memberships.
    pub claimed_memberships: &'a [ClaimedMembership],
    /// Settings.
    pub config: ClassifyConfig,
    /// When classifying for a sync: the keys by which the sync may take over an IP Office
    /// user it did not create (its adoption setting). A person matched to such a user by
    /// any other key (the stored link aside) gets [`Problem::UnownedIpoUser`]. `None`: no
    /// sync context, any match counts.
    pub adoption: Option<&'a [MatchKey]>,
    /// Extension ranges IP Office hands out (provisioning rules, by name): a Teams-only
    /// extension inside one would clash with the next IP Office user created.
    pub reserved_ranges: &'a [(String, ExtensionRange)],
    /// Azure AD users whose sync rules conflict (rules of equal priority wanting different
    /// types), with the rules' labels: each gets [`Problem::ConflictingRules`] first.
    pub rule_conflicts: Option<&'a BTreeMap<ObjectId, Vec<String>>>,
    /// When classifying for a sync that deletes the IP Office user it linked to a person who
    /// is now Teams only (its removal policy): that user's extension is about to be free, so
    /// a Teams-only person's own linked user is no collision. Any other IP Office user with
    /// their extension always is.
    pub own_users_deleted: bool,
    /// The Teams halves to judge (see [`TeamsContext`]); `None`: verdicts carry none.
    pub teams: Option<TeamsContext<'a>>,
    /// IP Office users a sync retired for people now Teams only: linked to them and disabled
    /// under its removal policy (`disable`). For a person whose intended type is Teams only,
    /// such a user is no longer their IP Office record: it is kept for their voicemail, not
    /// as a second half.
    pub retired: Option<&'a BTreeSet<Guid>>,
}

impl<'a> ClassifyInput<'a> {
    /// Input with no links, intents or claims, and the default settings.
    pub fn new(directory: &'a [AzureAdUser], ipo: &'a IpoSnapshot) -> Self {
        Self::of(AzureAdUsers::Users(directory), ipo)
    }

    /// Like [`ClassifyInput::new`], over references to users held elsewhere: nothing is
    /// copied, and the verdicts are the same as for a slice of the same users.
    ///
    /// ```
    /// use ipo_model::*;
    /// use usertype_rules::{classify, ClassifyInput, DefaultLicensePolicy};
    ///
    /// let ann = AzureAdUser::new("87d349ed-44d7-43e1-9a83-5f2406dee5bd".parse()?);
    /// let ipo = IpoSnapshot::new(SystemInfo::new("ipo1", "12.1", LicensingMode::Plds, Platform::Ip500V2));
    /// let policy = DefaultLicensePolicy::default();
    /// let by_ref = classify(&ClassifyInput::of_refs(&[&ann], &ipo), &policy);
    /// let by_value = classify(&ClassifyInput::new(std::slice::from_ref(&ann), &ipo), &policy);
    /// assert_eq!(by_ref, by_value);
    /// # Ok::<(), InvalidValue>(())
    /// ```
    pub fn of_refs(directory: &'a [&'a AzureAdUser], ipo: &'a IpoSnapshot) -> Self {
        Self::of(AzureAdUsers::Refs(directory), ipo)
    }

    fn of(azure_ad: AzureAdUsers<'a>, ipo: &'a IpoSnapshot) -> Self {
        Self {
            azure_ad,
            ipo,
            links: None,
            intended: None,
            claimed_memberships: &[],
            config: ClassifyConfig::default(),
            adoption: None,
            reserved_ranges: &[],
            rule_conflicts: None,
            own_users_deleted: false,
            teams: None,
            retired: None,
        }
    }

    /// Classifies for a sync that deletes the users it linked to people now Teams only
    /// (see [`ClassifyInput::own_users_deleted`]).
    pub fn with_own_users_deleted(mut self) -> Self {
        self.own_users_deleted = true;
        self
    }

    /// Adds the users a sync retired (see [`ClassifyInput::retired`]).
    pub fn with_retired(mut self, retired: &'a BTreeSet<Guid>) -> Self {
        self.retired = Some(retired);
        self
    }

    /// Judges the Teams halves too (see [`ClassifyInput::teams`]).
    pub fn with_teams(mut self, teams: TeamsContext<'a>) -> Self {
        self.teams = Some(teams);
        self
    }

    /// Adds the people whose sync rules conflict (see [`ClassifyInput::rule_conflicts`]).
    pub fn with_rule_conflicts(mut self, conflicts: &'a BTreeMap<ObjectId, Vec<String>>) -> Self {
        self.rule_conflicts = Some(conflicts);
        self
    }

    /// Adds the extension ranges IP Office allocates from (see
    /// [`ClassifyInput::reserved_ranges`]).
    pub fn with_reserved_ranges(mut self, ranges: &'a [(String, ExtensionRange)]) -> Self {
        self.reserved_ranges = ranges;
        self
    }

    /// Classifies for a sync that may take over IP Office users it did not create only by
    /// `keys` (empty: never).
    pub fn with_adoption(mut self, keys: &'a [MatchKey]) -> Self {
        self.adoption = Some(keys);
        self
    }

    /// Adds stored sync links.
    pub fn with_links(mut self, links: &'a BTreeMap<ObjectId, Guid>) -> Self {
        self.links = Some(links);
        self
    }

    /// Adds intended types.
    pub fn with_intended(mut self, intended: &'a BTreeMap<ObjectId, UserType>) -> Self {
        self.intended = Some(intended);
        self
    }

    /// Adds claimed hunt-group memberships.
    pub fn with_claimed_memberships(mut self, claims: &'a [ClaimedMembership]) -> Self {
        self.claimed_memberships = claims;
        self
    }

    /// Replaces the settings.
    pub fn with_config(mut self, config: ClassifyConfig) -> Self {
        self.config = config;
        self
    }
}

/// Classifies every person: each Azure AD user in `input.directory` and each IP Office user
/// (except `NoUser`) gets exactly one [`Verdict`]; a matched pair shares one.
///
/// **Matching** tries [`ClassifyConfig::match_order`] in order (default: stored sync link,
/// then extension, then e-mail/UPN against the IP Office e-mail or voicemail e-mail,
/// ignoring case); the first key that finds any candidate decides. An IP Office user that a
/// stored link gives to another Azure AD user is never taken by a weaker key. Two IP Office
/// users for one Azure AD user ([`Problem::AmbiguousMatch`]) or one IP Office user for two
/// Azure AD users ([`Problem::ContestedIpoUser`]) pair nobody and are reported.
///
/// **Type** (when no intended type is given): Teams voice (or the "Enable MS Teams Client"
/// flag on) with an IP Office user -> Teams + IP Office; Teams voice (even suspended) and no
/// IP Office user -> Teams only; an IP Office user otherwise -> IP Office only; an Azure AD
/// user with neither -> no telephony user (no type, no problems). The person is then
/// checked against that type (or the intended one), and [`Verdict::user_type`] is set when no
/// error-severity problem remains.
///
/// Total and deterministic: any input gives verdicts, sorted by Azure AD object id (people
/// without one first), IP Office name and GUID. Time and memory are linear in the input.
///
/// ```
/// use ipo_model::*;
/// use usertype_rules::{classify, skus, ClassifyInput, DefaultLicensePolicy};
///
/// let mut ann = AzureAdUser::new("87d349ed-44d7-43e1-9a83-5f2406dee5bd".parse()?);
/// ann.user_principal_name = Some("ann@contoso.com".into());
/// ann.display_name = Some("Ann Lee".into());
/// ann.business_phones = vec!["+441632768402 x402".into()];
/// ann.assigned_plans = vec![AssignedPlan::new(skus::MCOEV_PLAN, CapabilityStatus::Enabled)];
///
/// let system = SystemInfo::new("ipo1", "12.1", LicensingMode::Plds, Platform::ServerEdition);
/// let mut ipo = IpoSnapshot::new(system);
/// let mut bob = IpoUser::new("Bob".parse()?, LicensingMode::Plds);
/// bob.extension = Some("201".parse()?);
/// ipo.users.push(bob);
///
/// let directory = [ann];
/// let result = classify(&ClassifyInput::new(&directory, &ipo), &DefaultLicensePolicy::default());
/// for v in &result.verdicts {
///     let t = v.user_type.map_or("-".to_string(), |t| t.to_string());
///     println!("{}: {t}", v.person);
///     for p in &v.problems {
///         println!("  {p}");
///     }
/// }
/// assert_eq!(result.verdicts.len(), 2);
/// assert_eq!(result.summary().per_type.get(&UserType::TeamsOnly), Some(&1));
/// assert_eq!(result.summary().per_type.get(&UserType::IpOfficeOnly), Some(&1));
/// # Ok::<(), InvalidValue>(())
/// ```
pub fn classify(input: &ClassifyInput<'_>, policy: &dyn LicensePolicy) -> Classification {
    let _span = tracing::debug_span!(
        "classify",
        directory = input.azure_ad.len(),
        ipo = input.ipo.users.len()
    )
    .entered();
    let ipo = Ipo::new(input.ipo, input.links, input.reserved_ranges);
    let cfg = &input.config;

    let mut claims: HashMap<&ObjectId, Vec<&str>> = HashMap::new();
    for c in input.claimed_memberships {
        claims
            .entry(&c.person)
            .or_default()
            .push(c.hunt_group.as_str());
    }

    let (prepared, contested) = find_candidates(input, &ipo);

    let judging = Judging {
        ipo: &ipo,
        cfg,
        policy,
        own_users_deleted: input.own_users_deleted,
        for_sync: input.adoption.is_some(),
    };
    let mut verdicts = Vec::with_capacity(input.azure_ad.len() + ipo.users.len());
    let mut paired = vec![false; ipo.users.len()];
    for (d, (number, found, stale)) in input.azure_ad.iter().zip(prepared) {
        let mut problems = Vec::new();
        if let Some(rules) = input.rule_conflicts.and_then(|c| c.get(&d.id)) {
            problems.push(Problem::ConflictingRules {
                rules: rules.clone(),
            });
        }
        if let Some(g) = stale {
            problems.push(Problem::StaleLink {
                guid: g.to_string(),
            });
        }
        let matched = pair(
            found,
            &contested,
            &ipo,
            &mut paired,
            input.adoption,
            &mut problems,
        );
        let intended = input.intended.and_then(|m| m.get(&d.id)).copied();
        let findings = crate::judge::Findings {
            matched: matched.filter(|m| !is_retired(input, intended, m)),
            number,
            intended,
            claims: claims.get(&d.id).map(Vec::as_slice).unwrap_or(&[]),
            problems,
        };
        let mut verdict = judge_directory_user(d, findings, &judging);
        verdict.teams = input.teams.and_then(|t| t.judge(d, &verdict));
        if verdict.teams.is_some() {
            // The Teams half says what becomes of Enterprise Voice (a number assignment or
            // the script may turn it on): one line, not a second generic one.
            verdict
                .problems
                .retain(|p| *p != Problem::EnterpriseVoiceDisabled);
        }
        verdicts.push(verdict);
    }

    for (i, u) in ipo.users.iter().enumerate() {
        if paired.get(i).copied().unwrap_or(true) {
            continue;
        }
        verdicts.push(judge_ipo_only(u, contested.get(&i), &ipo));
    }

    let mut verdicts = sorted(verdicts);
    mark_duplicates(&mut verdicts);
    mark_shared_extensions(&mut verdicts);
    Classification { verdicts }
}

/// Whether `m` is the retired IP Office user (see [`ClassifyInput::retired`]) of a person
/// meant to be Teams only.
fn is_retired(
    input: &ClassifyInput<'_>,
    intended: Option<UserType>,
    m: &(&IpoUser, MatchKey),
) -> bool {
    let (u, key) = m;
    intended == Some(UserType::TeamsOnly)
        && *key == MatchKey::SyncLink
        && (u.guid.as_ref()).is_some_and(|g| input.retired.is_some_and(|r| r.contains(g)))
}

/// One Azure AD user's number as read, the IP Office users found for them, and the stale
/// link (a linked IP Office user that is gone), if any.
type Candidates = (
    Result<Option<TeamsNumber>, InvalidValue>,
    Found,
    Option<Guid>,
);

/// Reads every Azure AD user's number and finds their IP Office candidates; an IP Office
/// user claimed by several Azure AD users goes to none of them (the claimants, by user).
fn find_candidates(
    input: &ClassifyInput<'_>,
    ipo: &Ipo<'_>,
) -> (Vec<Candidates>, HashMap<usize, Vec<PersonRef>>) {
    let cfg = &input.config;
    let mut prepared = Vec::with_capacity(input.azure_ad.len());
    let mut claimants: HashMap<usize, Vec<usize>> = HashMap::new();
    for (di, d) in input.azure_ad.iter().enumerate() {
        let own = input.teams.and_then(|t| t.assigned_number(&d.id));
        let number = read_number(&cfg.extension_source, d, own);
        let ext = number
            .as_ref()
            .ok()
            .and_then(|n| n.as_ref())
            .and_then(TeamsNumber::extension);
        let link = input.links.and_then(|l| l.get(&d.id));
        let mut stale = false;
        let found = ipo
            .index
            .find(d, ext, link, &cfg.match_order, &ipo.users, &mut stale);
        if let Found::One(i, _) = found {
            claimants.entry(i).or_default().push(di);
        }
        prepared.push((number, found, stale.then(|| link.cloned()).flatten()));
    }
    let contested = claimants
        .iter()
        .filter(|(_, ds)| ds.len() > 1)
        .map(|(&i, ds)| {
            let refs = ds
                .iter()
                .filter_map(|&di| input.azure_ad.get(di))
                .map(|d| directory_person(d, None))
                .collect();
            (i, refs)
        })
        .collect();
    (prepared, contested)
}

/// The IP Office user `found` pairs an Azure AD user with (marked `paired`), or the problem
/// that stops it: contested, ambiguous, or (for a sync) not the sync's to take.
fn pair<'u>(
    found: Found,
    contested: &HashMap<usize, Vec<PersonRef>>,
    ipo: &Ipo<'u>,
    paired: &mut [bool],
    adoption: Option<&[MatchKey]>,
    problems: &mut Vec<Problem>,
) -> Option<(&'u IpoUser, MatchKey)> {
    match found {
        Found::Nothing => None,
        Found::One(i, _) if contested.contains_key(&i) => {
            problems.push(Problem::ContestedIpoUser {
                ipo_user: (ipo.users.get(i))
                    .map(|u| u.name.to_string())
                    .unwrap_or_default(),
                claimants: contested.get(&i).cloned().unwrap_or_default(),
            });
            None
        }
        Found::One(i, key) => {
            let (u, p) = (ipo.users.get(i)?, paired.get_mut(i)?);
            *p = true;
            if key != MatchKey::SyncLink && adoption.is_some_and(|keys| !keys.contains(&key)) {
                problems.push(Problem::UnownedIpoUser {
                    ipo_user: u.name.to_string(),
                    key,
                });
            }
            Some((*u, key))
        }
        Found::Many(key, cands) => {
            problems.push(Problem::AmbiguousMatch {
                key,
                candidates: cands.iter().filter_map(|&i| ipo.person(i)).collect(),
            });
            None
        }
    }
}

/// The person's number from `source`; a bare extension from a named property is completed
/// with the E.164 number of their Teams telephone number, the number Teams rings. `own` is
/// the number the sync assigned them in Teams, if any (see [`own_number_extension`]).
fn read_number(
    source: &ExtensionSource,
    d: &AzureAdUser,
    own: Option<&TeamsNumber>,
) -> Result<Option<TeamsNumber>, InvalidValue> {
    let read = source.read(d)?;
    let Some(n) = read else { return Ok(None) };
    if matches!(source, ExtensionSource::TeamsNumber) {
        return Ok(Some(own_number_extension(n, d, own)));
    }
    if n.number().is_some() || !matches!(source, ExtensionSource::Property { .. }) {
        return Ok(Some(n));
    }
    let teams = ExtensionSource::TeamsNumber.read(d).ok().flatten();
    match teams.as_ref().and_then(TeamsNumber::number) {
        Some(number) => TeamsNumber::new(Some(number.clone()), n.extension().cloned()).map(Some),
        None => Ok(Some(n)),
    }
}

/// The number read, with the business phone's extension when it is the bare number the sync
/// itself assigned (a template with `with_extension = false`). Read first by the default
/// extension source, that number would hide the extension it was built from
/// (`+441632700000 x402` gave `+441632768402`): the person would lose their extension on the
/// next run, and with it their Teams + IP Office pairing and their template. Anyone else's
/// bare Teams number borrows an extension only from a business phone of the same number
/// ([`ExtensionSource::TeamsNumber`]).
fn own_number_extension(n: TeamsNumber, d: &AzureAdUser, own: Option<&TeamsNumber>) -> TeamsNumber {
    let bare_own = n.extension().is_none() && own.is_some_and(|o| o.number() == n.number());
    let business = match bare_own {
        true => ExtensionSource::BusinessPhones.read(d).ok().flatten(),
        false => None,
    };
    match business.as_ref().and_then(TeamsNumber::extension) {
        Some(e) => TeamsNumber::new(n.number().cloned(), Some(e.clone())).unwrap_or(n),
        None => n,
    }
}

/// An object id as a number: ids are validated, lower-case, fixed-width GUID text, so the
/// number orders exactly as the text does, and compares without touching the heap.
fn id_number(id: &ObjectId) -> u128 {
    id.as_str()
        .bytes()
        .filter_map(|b| char::from(b).to_digit(16))
        .fold(0u128, |acc, d| acc.wrapping_shl(4) | u128::from(d))
}

/// Sorts by (object id, IP Office name, GUID); ties keep input order.
fn sorted(mut verdicts: Vec<Verdict>) -> Vec<Verdict> {
    verdicts.sort_by_cached_key(|v| {
        (
            v.person.azure_ad.as_ref().map(id_number),
            v.person.ipo_name.clone(),
            v.person.ipo.clone(),
        )
    });
    verdicts
}

/// Flags Azure AD users that occur more than once; after sorting they are neighbours, which
/// spares hashing every object id.
fn mark_duplicates(verdicts: &mut [Verdict]) {
    let dup: Vec<bool> = (0..verdicts.len())
        .map(|i| {
            let id = verdicts.get(i).and_then(|v| v.person.azure_ad.as_ref());
            let same = |j: Option<usize>| {
                id.is_some()
                    && j.and_then(|j| verdicts.get(j))
                        .is_some_and(|w| w.person.azure_ad.as_ref() == id)
            };
            same(i.checked_sub(1)) || same(i.checked_add(1))
        })
        .collect();
    for (v, d) in verdicts.iter_mut().zip(dup) {
        if d {
            v.problems.push(Problem::DuplicateDirectoryUser);
            v.user_type = None;
        }
    }
}

/// Reports every Azure AD user whose extension another Azure AD user wants too
/// ([`Problem::DuplicateExtension`]): handing the number to either would be a guess.
fn mark_shared_extensions(verdicts: &mut [Verdict]) {
    let mut wanting: HashMap<ExtensionNumber, Vec<usize>> = HashMap::with_capacity(verdicts.len());
    for (i, v) in verdicts.iter().enumerate() {
        if v.person.azure_ad.is_some()
            && v.target.is_some()
            && let Some(e) = v.facts.teams_extension()
        {
            wanting.entry(e.clone()).or_default().push(i);
        }
    }
    let mut shared: Vec<(ExtensionNumber, Vec<usize>)> = wanting
        .into_iter()
        .filter(|(_, who)| who.len() > 1)
        .collect();
    shared.sort();
    for (extension, who) in shared {
        for &i in &who {
            let others = who
                .iter()
                .filter(|&&j| j != i)
                .filter_map(|&j| verdicts.get(j).map(|v| v.person.clone()))
                .collect();
            if let Some(v) = verdicts.get_mut(i) {
                v.problems.push(Problem::DuplicateExtension {
                    extension: extension.clone(),
                    others,
                });
                v.user_type = None;
            }
        }
    }
}
