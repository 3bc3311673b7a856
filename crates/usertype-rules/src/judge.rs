//! Judging one person against the type the rules want: names, numbers, Teams voice,
//! collisions, hunt groups; and an IP Office user no Azure AD user matched.

use ipo_model::{
    DirectoryUser, ExtensionNumber, FullName, InvalidValue, IpoUser, LicensingMode, TeamsNumber,
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

/// Checks the Azure AD values that would become IP Office names.
fn check_names(d: &DirectoryUser, cfg: &ClassifyConfig, name: bool, problems: &mut Vec<Problem>) {
    if name && let Some(prop) = &cfg.name_property {
        // An empty source falls back on the display name, as the sync names people.
        // Read in place: a copy of every person's values was a fair part of classifying.
        let v = d
            .property_str(prop)
            .filter(|v| !v.trim().is_empty())
            .or_else(|| d.property_str("displayName"))
            .unwrap_or_default();
        if let Err(e) = v.parse::<UserName>() {
            let derived = UserName::derive(&v).map(|n| n.to_string());
            problems.push(invalid(format!("{prop} -> IP Office Name"), &e, derived));
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
}

fn voice_problems(
    voice: TeamsVoiceStatus,
    t: UserType,
    d: &DirectoryUser,
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

#[allow(clippy::too_many_arguments)]
pub(crate) fn judge_directory_user(
    d: &DirectoryUser,
    matched: Option<(&IpoUser, MatchKey)>,
    number: Result<Option<TeamsNumber>, InvalidValue>,
    intended: Option<UserType>,
    claims: &[&str],
    mut problems: Vec<Problem>,
    ipo: &Ipo<'_>,
    cfg: &ClassifyConfig,
    policy: &dyn LicensePolicy,
) -> Verdict {
    let voice = policy.teams_voice(d);
    let resource = policy.is_resource_account(d);
    let u = matched.map(|(u, _)| u);
    let (teams_number, number_err) = match number {
        Ok(n) => (n, None),
        Err(e) => (None, Some(e)),
    };
    let facts = Facts {
        teams_voice: Some(voice),
        resource_account: resource,
        account_enabled: d.account_enabled,
        teams_number,
        ipo_extension: u.and_then(|u| u.extension.clone()),
        ipo_profile: u.map(|u| u.profile),
        teams_client: u.and_then(|u| u.teams_client),
        hunt_groups: hunt_groups(u, ipo),
        in_system_directory: !ipo.in_directory.is_empty() && ipo.in_directory.contains(&d.id),
        intended,
    };

    let target = if resource {
        problems.push(Problem::ResourceAccount);
        None
    } else {
        intended.or(match u {
            Some(u) if voice.is_usable() || u.teams_client == Some(true) => {
                Some(UserType::TeamsAndIpOffice)
            }
            Some(_) => Some(UserType::IpOfficeOnly),
            None if voice != TeamsVoiceStatus::Missing => Some(UserType::TeamsOnly),
            None => None,
        })
    };

    if let Some(t) = target {
        // One rule for every type (and the sync's scope): a disabled account is not synced.
        let disabled = d.account_enabled == Some(false);
        if disabled {
            problems.push(Problem::AccountDisabled);
        }
        if t.has_ipo_record() && ipo.mode == LicensingMode::Unknown {
            problems.push(Problem::LicensingModeUnknown);
        }
        if let Some(e) = &number_err {
            problems.push(invalid(
                format!("{} -> extension", cfg.extension_source.describe()),
                e,
                None,
            ));
        }
        if t.needs_teams_voice() {
            voice_problems(voice, t, d, &mut problems);
        }
        check_names(d, cfg, t.has_ipo_record(), &mut problems);
        let teams_ext = facts.teams_extension();
        match (t, u) {
            (UserType::TeamsOnly, u) => {
                if let Some(u) = u {
                    problems.push(Problem::UnexpectedIpoRecord {
                        ipo_user: u.name.to_string(),
                    });
                }
                if facts.teams_number.is_none() && number_err.is_none() {
                    problems.push(Problem::NoNumber {
                        needed_for: t,
                        source: cfg.extension_source.describe().to_owned(),
                    });
                }
                if let Some(e) = teams_ext {
                    let with = ipo.holder_other_than(e, u, true).cloned().or_else(|| {
                        ipo.reserved
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
            }
            (_, None) => {
                if !disabled {
                    problems.push(Problem::NoIpoRecord { needed_for: t });
                }
                // The extension belongs to somebody else on IP Office: an equal number is
                // a collision, never an identity.
                if let Some(e) = teams_ext
                    && let Some(o) = ipo.holder_other_than(e, None, false)
                {
                    problems.push(Problem::ExtensionCollision {
                        extension: e.clone(),
                        with: o.clone(),
                    });
                }
                if t == UserType::TeamsAndIpOffice && teams_ext.is_none() && number_err.is_none() {
                    problems.push(Problem::NoNumber {
                        needed_for: t,
                        source: cfg.extension_source.describe().to_owned(),
                    });
                }
            }
            (UserType::TeamsAndIpOffice, Some(u)) => {
                if u.teams_client == Some(false) {
                    problems.push(Problem::TeamsClientOff {
                        ipo_user: u.name.to_string(),
                    });
                }
                if !policy.profile_allowed_for(t, u.profile, ipo.mode) {
                    problems.push(Problem::ProfileNotAllowed {
                        user_type: t,
                        profile: u.profile,
                        mode: ipo.mode,
                        allowed: policy.allowed_profiles(t, ipo.mode).unwrap_or_default(),
                    });
                }
                if teams_ext != u.extension.as_ref() && number_err.is_none() {
                    problems.push(Problem::ExtensionMismatch {
                        teams: teams_ext.cloned(),
                        ipo: u.extension.clone(),
                    });
                }
                collides_elsewhere(teams_ext, u, ipo, &mut problems);
            }
            (_, Some(u)) => {
                collides_elsewhere(teams_ext, u, ipo, &mut problems);
                if u.teams_client == Some(true) {
                    problems.push(Problem::TeamsClientNotWanted {
                        ipo_user: u.name.to_string(),
                    });
                }
                // "Any profile" includes ones this library does not know: IP Office chose it.
                if let Some(allowed) = policy.allowed_profiles(t, ipo.mode)
                    && !policy.profile_allowed_for(t, u.profile, ipo.mode)
                {
                    problems.push(Problem::ProfileNotAllowed {
                        user_type: t,
                        profile: u.profile,
                        mode: ipo.mode,
                        allowed,
                    });
                }
                if u.extension.is_none() {
                    problems.push(Problem::NoIpoExtension {
                        ipo_user: u.name.to_string(),
                    });
                }
            }
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
    }
}
