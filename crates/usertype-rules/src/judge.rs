//! Judging one person against the type the rules want: names, numbers, Teams voice,
//! collisions, hunt groups; and an IP Office user no Azure AD user matched.

use ipo_model::{
    AzureAdUser, ExtensionNumber, FullName, InvalidValue, IpoUser, LicensingMode, TeamsNumber,
    UserName, UserType,
};

use crate::config::{ClassifyConfig, MatchKey};
use crate::ipo_side::{Ipo, directory_person, ipo_person};
use crate::policy::LicensePolicy;
use crate::problem::{Occupant, Problem, Severity};
use crate::verdict::{Facts, PersonRef, Verdict};
use crate::voice::TeamsVoiceStatus;

fn invalid(field: String, e: &InvalidValue, derived: Option<String>) -> Problem {
    Problem::InvalidValue {
        field,
        value: e.input.clone(),
        rule: e.rule.to_string(),
        derived,
    }
}

/// Checks the Azure AD values that would become IP Office names; the IP Office `Name` the
/// rules derive (with `name`: a type with an IP Office user), if any.
fn check_names(
    d: &AzureAdUser,
    cfg: &ClassifyConfig,
    name: bool,
    problems: &mut Vec<Problem>,
) -> Option<UserName> {
    let mut derived_name = None;
    if name && let Some(prop) = &cfg.name_property {
        // An empty source falls back on the display name, as the sync names people.
        // Read in place: a copy of every person's values was a fair part of classifying.
        let v = d
            .property_str(prop)
            .filter(|v| !v.trim().is_empty())
            .or_else(|| d.property_str("displayName"))
            .unwrap_or_default();
        // The name is always the derived one (what IP Office is given: invisible marks
        // dropped, cut to length); a value IP Office would refuse is also reported.
        derived_name = UserName::derive(&v);
        if let Err(e) = v.parse::<UserName>() {
            let text = derived_name.as_ref().map(UserName::to_string);
            problems.push(invalid(format!("{prop} -> IP Office Name"), &e, text));
        }
    }
    if let Some(prop) = &cfg.full_name_property
        && let Some(v) = d.property_str(prop)
        && let Err(e) = v.parse::<FullName>()
    {
        // A full name is never worth skipping someone for: with nothing usable the sync
        // leaves the field empty (an IP Office user) or names the directory entry after the
        // UPN (a Teams-only person).
        let derived = FullName::derive(&v)
            .or_else(|| (!name).then(|| FullName::derive(&d.label())).flatten())
            .map_or_else(String::new, |n| n.to_string());
        let derived = Some(derived);
        let target = if name {
            "IP Office FullName"
        } else {
            "IP Office directory name"
        };
        problems.push(invalid(format!("{prop} -> {target}"), &e, derived));
    }
    derived_name
}

fn voice_problems(
    voice: TeamsVoiceStatus,
    t: UserType,
    d: &AzureAdUser,
    problems: &mut Vec<Problem>,
) {
    match voice {
        TeamsVoiceStatus::Missing => problems.push(Problem::NoTeamsVoice { needed_for: t }),
        TeamsVoiceStatus::Suspended => problems.push(Problem::TeamsVoiceSuspended),
        TeamsVoiceStatus::Grace => problems.push(Problem::TeamsVoiceInGrace),
        TeamsVoiceStatus::Enabled => {}
    }
    if d.teams.as_ref().and_then(|t| t.enterprise_voice_enabled) == Some(false) {
        problems.push(Problem::EnterpriseVoiceDisabled);
    }
}

/// What one Azure AD user is judged from, besides the person.
pub(crate) struct Judging<'j, 'a> {
    pub(crate) ipo: &'j Ipo<'a>,
    pub(crate) cfg: &'j ClassifyConfig,
    pub(crate) policy: &'j dyn LicensePolicy,
    /// See [`ClassifyInput::own_users_deleted`](crate::ClassifyInput::own_users_deleted).
    pub(crate) own_users_deleted: bool,
    /// Classifying for a sync ([`ClassifyInput::adoption`](crate::ClassifyInput::adoption)
    /// given): it removes only the IP Office users it created.
    pub(crate) for_sync: bool,
}

/// One Azure AD user as classification found them: paired IP Office user, number read,
/// intended type, hunt groups claimed, problems found so far.
pub(crate) struct Findings<'u> {
    pub(crate) matched: Option<(&'u IpoUser, MatchKey)>,
    pub(crate) number: Result<Option<TeamsNumber>, InvalidValue>,
    pub(crate) intended: Option<UserType>,
    pub(crate) claims: &'u [&'u str],
    pub(crate) problems: Vec<Problem>,
}

/// A person being checked against their target type.
struct Check<'c> {
    u: Option<&'c IpoUser>,
    key: Option<MatchKey>,
    t: UserType,
    facts: &'c Facts,
    number_err: bool,
    disabled: bool,
}

pub(crate) fn judge_directory_user(
    d: &AzureAdUser,
    findings: Findings<'_>,
    j: &Judging<'_, '_>,
) -> Verdict {
    let Findings {
        matched,
        number,
        intended,
        claims,
        mut problems,
    } = findings;
    let voice = j.policy.teams_voice(d);
    let resource = j.policy.is_resource_account(d);
    let u = matched.map(|(u, _)| u);
    let (teams_number, number_err) = match number {
        Ok(n) => (n, None),
        Err(e) => (None, Some(e)),
    };
    let mut facts = Facts {
        teams_voice: Some(voice),
        resource_account: resource,
        account_enabled: d.account_enabled,
        teams_number,
        ipo_extension: u.and_then(|u| u.extension.clone()),
        ipo_profile: u.map(|u| u.profile),
        teams_client: u.and_then(|u| u.teams_client),
        hunt_groups: hunt_groups(u, j.ipo),
        in_system_directory: !j.ipo.in_directory.is_empty() && j.ipo.in_directory.contains(&d.id),
        intended,
        ipo_name: None,
    };

    if resource {
        problems.push(Problem::ResourceAccount);
    }
    let target = (!resource)
        .then(|| target_type(intended, u, voice))
        .flatten();

    if let Some(t) = target {
        // One rule for every type (and the sync's scope): a disabled account is not synced,
        // unless the caller keeps disabled accounts in scope.
        let disabled = d.account_enabled == Some(false) && j.cfg.disabled_accounts_out_of_scope;
        if disabled {
            problems.push(Problem::AccountDisabled);
        }
        if t.has_ipo_record() && j.ipo.mode == LicensingMode::Unknown {
            problems.push(Problem::LicensingModeUnknown);
        }
        if let Some(e) = &number_err {
            problems.push(invalid(
                format!("{} -> extension", j.cfg.extension_source.describe()),
                e,
                None,
            ));
        }
        if t.needs_teams_voice() {
            voice_problems(voice, t, d, &mut problems);
        }
        facts.ipo_name = check_names(d, j.cfg, t.has_ipo_record(), &mut problems);
        let c = Check {
            u,
            key: matched.map(|(_, k)| k),
            t,
            facts: &facts,
            number_err: number_err.is_some(),
            disabled,
        };
        match (t, u) {
            (UserType::TeamsOnly, _) => check_teams_only(&c, j, &mut problems),
            (_, None) => check_new_ipo_user(&c, j, &mut problems),
            (UserType::TeamsAndIpOffice, Some(u)) => check_teams_and_ipo(&c, u, j, &mut problems),
            (_, Some(u)) => check_ipo_only(&c, u, j, &mut problems),
        }
    }

    // Without an IP Office record now or to come, no hunt group can hold the person.
    if !target.is_some_and(UserType::has_ipo_record) {
        for g in claims {
            problems.push(Problem::HuntGroupMembershipImpossible {
                hunt_group: (*g).to_owned(),
            });
        }
    }

    finish(
        directory_person(d, u),
        target,
        problems,
        matched.map(|(_, k)| k),
        facts,
    )
}

/// The type a person is checked against: the intended one, else the closest the facts
/// point to.
fn target_type(
    intended: Option<UserType>,
    u: Option<&IpoUser>,
    voice: TeamsVoiceStatus,
) -> Option<UserType> {
    intended.or(match u {
        Some(u) if voice.is_usable() || u.teams_client == Some(true) => {
            Some(UserType::TeamsAndIpOffice)
        }
        Some(_) => Some(UserType::IpOfficeOnly),
        None if voice != TeamsVoiceStatus::Missing => Some(UserType::TeamsOnly),
        None => None,
    })
}

/// A Teams-only person: no IP Office user, a number, and an extension that rings nothing on
/// IP Office. Their own (matched) IP Office user counts too: a directory entry under an
/// extension an IP Office user has would ring that user, whoever owns it, unless it is
/// their linked user and the sync deletes it.
fn check_teams_only(c: &Check<'_>, j: &Judging<'_, '_>, problems: &mut Vec<Problem>) {
    let deleted =
        c.u.filter(|_| j.own_users_deleted && c.key == Some(MatchKey::SyncLink));
    if let Some(u) = c.u {
        problems.push(Problem::UnexpectedIpoRecord {
            ipo_user: u.name.to_string(),
        });
        // A sync removes only users it created (linked): adoption makes no Teams-only person.
        let unowned = |p: &Problem| matches!(p, Problem::UnownedIpoUser { .. });
        if j.for_sync
            && let Some(key) = c.key.filter(|k| *k != MatchKey::SyncLink)
            && !problems.iter().any(unowned)
        {
            problems.push(Problem::UnownedIpoUser {
                ipo_user: u.name.to_string(),
                key,
            });
        }
    }
    if c.facts.teams_number.is_none() && !c.number_err {
        problems.push(Problem::NoNumber {
            needed_for: c.t,
            source: j.cfg.extension_source.describe().to_owned(),
        });
    }
    let Some(e) = c.facts.teams_extension() else {
        return;
    };
    let with = j
        .ipo
        .holder_other_than(e, deleted, true)
        .cloned()
        .or_else(|| {
            j.ipo
                .reserved
                .iter()
                .find(|(_, r)| r.contains(e))
                .map(|(n, r)| Occupant::ProvisioningRange {
                    rule: n.clone(),
                    range: r.to_string(),
                })
        });
    if let Some(with) = with {
        problems.push(Problem::ExtensionCollision {
            extension: e.clone(),
            with,
        });
    }
}

/// A person whose IP Office user does not exist yet.
fn check_new_ipo_user(c: &Check<'_>, j: &Judging<'_, '_>, problems: &mut Vec<Problem>) {
    if !c.disabled {
        problems.push(Problem::NoIpoRecord { needed_for: c.t });
    }
    let teams_ext = c.facts.teams_extension();
    // The extension belongs to somebody else on IP Office: an equal number is a collision,
    // never an identity.
    if let Some(e) = teams_ext
        && let Some(o) = j.ipo.holder_other_than(e, None, false)
    {
        problems.push(Problem::ExtensionCollision {
            extension: e.clone(),
            with: o.clone(),
        });
    }
    if c.t == UserType::TeamsAndIpOffice && teams_ext.is_none() && !c.number_err {
        problems.push(Problem::NoNumber {
            needed_for: c.t,
            source: j.cfg.extension_source.describe().to_owned(),
        });
    }
}

/// A Teams + IP Office person with their IP Office user.
fn check_teams_and_ipo(
    c: &Check<'_>,
    u: &IpoUser,
    j: &Judging<'_, '_>,
    problems: &mut Vec<Problem>,
) {
    if u.teams_client == Some(false) {
        problems.push(Problem::TeamsClientOff {
            ipo_user: u.name.to_string(),
        });
    }
    if !j.policy.profile_allowed_for(c.t, u.profile, j.ipo.mode) {
        problems.push(Problem::ProfileNotAllowed {
            user_type: c.t,
            profile: u.profile,
            mode: j.ipo.mode,
            allowed: j
                .policy
                .allowed_profiles(c.t, j.ipo.mode)
                .unwrap_or_default(),
        });
    }
    let teams_ext = c.facts.teams_extension();
    if teams_ext != u.extension.as_ref() && !c.number_err {
        problems.push(Problem::ExtensionMismatch {
            teams: teams_ext.cloned(),
            ipo: u.extension.clone(),
        });
    }
    collides_elsewhere(teams_ext, u, j.ipo, problems);
}

/// An IP Office only person with their IP Office user.
fn check_ipo_only(c: &Check<'_>, u: &IpoUser, j: &Judging<'_, '_>, problems: &mut Vec<Problem>) {
    collides_elsewhere(c.facts.teams_extension(), u, j.ipo, problems);
    if u.teams_client == Some(true) {
        problems.push(Problem::TeamsClientNotWanted {
            ipo_user: u.name.to_string(),
        });
    }
    // "Any profile" includes ones this library does not know: IP Office chose it.
    if let Some(allowed) = j.policy.allowed_profiles(c.t, j.ipo.mode)
        && !j.policy.profile_allowed_for(c.t, u.profile, j.ipo.mode)
    {
        problems.push(Problem::ProfileNotAllowed {
            user_type: c.t,
            profile: u.profile,
            mode: j.ipo.mode,
            allowed,
        });
    }
    if u.extension.is_none() {
        problems.push(Problem::NoIpoExtension {
            ipo_user: u.name.to_string(),
        });
    }
}

/// The Azure AD extension of a matched person differs from their IP Office user's and
/// belongs to someone else: moving the user there would take another's number.
fn collides_elsewhere(
    teams_ext: Option<&ExtensionNumber>,
    u: &IpoUser,
    ipo: &Ipo<'_>,
    problems: &mut Vec<Problem>,
) {
    if let Some(e) = teams_ext
        && u.extension.as_ref() != Some(e)
        && let Some(o) = ipo.holder_other_than(e, Some(u), false)
    {
        problems.push(Problem::ExtensionCollision {
            extension: e.clone(),
            with: o.clone(),
        });
    }
}

fn hunt_groups(u: Option<&IpoUser>, ipo: &Ipo<'_>) -> Vec<String> {
    u.and_then(|u| u.extension.as_ref())
        .and_then(|e| ipo.hunt_groups_of.get(e))
        .cloned()
        .unwrap_or_default()
}

pub(crate) fn judge_ipo_only(
    u: &IpoUser,
    contested: Option<&Vec<PersonRef>>,
    ipo: &Ipo<'_>,
) -> Verdict {
    let mut problems = Vec::new();
    if let Some(refs) = contested {
        problems.push(Problem::ContestedIpoUser {
            ipo_user: u.name.to_string(),
            claimants: refs.clone(),
        });
    }
    if u.teams_client == Some(true) {
        problems.push(Problem::TeamsClientWithoutDirectoryUser {
            ipo_user: u.name.to_string(),
        });
    }
    if u.extension.is_none() {
        problems.push(Problem::NoIpoExtension {
            ipo_user: u.name.to_string(),
        });
    }
    let facts = Facts {
        ipo_extension: u.extension.clone(),
        ipo_profile: Some(u.profile),
        teams_client: u.teams_client,
        hunt_groups: hunt_groups(Some(u), ipo),
        ..Facts::default()
    };
    finish(
        ipo_person(u),
        Some(UserType::IpOfficeOnly),
        problems,
        None,
        facts,
    )
}

fn finish(
    person: PersonRef,
    target: Option<UserType>,
    problems: Vec<Problem>,
    matched_by: Option<MatchKey>,
    facts: Facts,
) -> Verdict {
    let blocked = problems.iter().any(|p| p.severity() == Severity::Error);
    Verdict {
        person,
        user_type: if blocked { None } else { target },
        target,
        problems,
        matched_by,
        facts,
        teams: None,
    }
}
