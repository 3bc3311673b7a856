//! Stage 3: what each person the sync acts for wants from IP Office, and which record is
//! theirs.

use ipo_model::{ExtensionNumber, IpoUser, Profile, TeamsNumber, UserName, UserType};
use usertype_rules::{LicensePolicy, MatchKey};

use super::context::Context;
use super::line::Line;
use super::links::Pairing;
use super::person::Judged;
use crate::config::{ProvisioningRule, UserTemplate};
use crate::mapping;
use crate::state::Link;
use crate::text::Text;

/// What a person wants from IP Office.
#[derive(Debug, Clone, Copy)]
pub(super) enum Want<'a> {
    /// A user record: create one or keep `existing` in line.
    User {
        existing: Option<&'a IpoUser>,
        adopted: bool,
    },
    /// A system directory entry only.
    TeamsOnly,
}

/// What a person the sync acts for wants. Made in stage 3; later stages settle only the
/// extension (allocated, or the existing user's) and the name (made unique).
#[derive(Debug)]
pub(super) struct Desired<'a> {
    pub(super) want: Want<'a>,
    pub(super) extension: Option<ExtensionNumber>,
    /// The mapped name property's own value (None when empty), kept for renames.
    pub(super) name_source: Option<Text>,
    /// The IP Office user name: the verdict's, then made unique or the existing user's.
    pub(super) name: Option<UserName>,
    pub(super) profile: Option<Profile>,
    pub(super) provisioning: Option<&'a ProvisioningRule>,
    pub(super) template: Option<&'a UserTemplate>,
    /// The hunt groups the mapped property names.
    pub(super) hunt_groups: Box<[String]>,
    /// Their stored link says the sync disabled their user.
    pub(super) link_disabled: bool,
}

impl Desired<'_> {
    /// Wants a user this plan creates.
    pub(super) fn creates(&self) -> bool {
        matches!(self.want, Want::User { existing: None, .. })
    }
}

/// Each person the sync acts for (in scope, not blocked) with what they want; None for
/// everyone else.
pub(super) fn desired<'a>(
    cx: &Context<'a>,
    people: &[Judged<'a>],
    pairing: &Pairing<'_>,
    lines: &mut [Line],
) -> Vec<Option<Desired<'a>>> {
    (people.iter().zip(&pairing.link_of).zip(lines))
        .map(|((p, &link), line)| {
            if line.blocked || p.out_of_scope {
                return None;
            }
            let t = p.user_type?;
            let mut d = values(cx, p, t, link);
            d.want = match_person(cx, p, link, t, line);
            Some(d)
        })
        .collect()
}

/// The provisioning rule for a person: the one their mapped property names, else their
/// rule's.
pub(super) fn provisioning_for<'a>(
    cx: &Context<'a>,
    p: &Judged<'a>,
) -> Option<&'a ProvisioningRule> {
    if let Some(sel) = &cx.config.fields.provisioning_rule
        && let Some(v) = p.user.property_str(&sel.source)
        && let Some(r) = cx.config.provisioning_rule(v.trim())
    {
        return Some(r);
    }
    p.rule
        .and_then(|r| r.provisioning_rule.as_deref())
        .and_then(|n| cx.config.provisioning_rule(n))
}

/// The values a person's records should hold (their record is matched after).
fn values<'a>(cx: &Context<'a>, p: &Judged<'a>, t: UserType, link: Option<&Link>) -> Desired<'a> {
    let fields = &cx.config.fields;
    let provisioning = provisioning_for(cx, p);
    let template = provisioning
        .and_then(|r| r.user_template.as_deref())
        .and_then(|n| cx.config.user_templates.get(n));
    // The number their verdict read (from the mapped source; the Teams number and the
    // business phones, in any notation, by default).
    let number = p.number.as_ref();
    let mut d = Desired {
        want: Want::TeamsOnly,
        extension: None,
        name_source: None,
        name: None,
        profile: None,
        provisioning,
        template,
        hunt_groups: Box::default(),
        link_disabled: link.is_some_and(|l| l.disabled),
    };
    // Teams people ring the extension Teams has, mapped or not.
    if fields.extension.is_some() || t.needs_teams_voice() {
        d.extension = number.and_then(TeamsNumber::extension).cloned();
    }
    if let Some(m) = &fields.hunt_groups {
        d.hunt_groups = mapping::hunt_groups(p.user, &m.source).into_boxed_slice();
    }
    if t == UserType::TeamsOnly {
        // Their directory entry is their verdict's number (the verdict blocks a Teams-only
        // person without one, and says when they cannot be in the hunt groups claimed).
        return d;
    }
    // The name their verdict derived. The source text kept for renames is the mapped
    // property's own value: none when it is empty (the display name stood in), so an
    // existing user keeps its name.
    d.name_source = (p.user.property_str(&fields.name.source))
        .filter(|v| !v.trim().is_empty())
        .map(|v| Text::copied(&v));
    d.name = p.ipo_name.clone();
    // The template's profile when the licence policy allows it for the type, else the
    // policy's first choice for the type.
    let policy = &cx.config.licensing;
    d.profile = (template.and_then(|t| t.profile))
        .filter(|pr| policy.profile_allowed_for(t, *pr, cx.mode))
        .or_else(|| policy.profile_for(t, None, cx.mode));
    d
}

/// The IP Office user that is this person, as their verdict paired them (by the stored
/// link, or by a key the adoption setting allows), or a new one.
fn match_person<'a>(
    cx: &Context<'a>,
    p: &Judged<'a>,
    link: Option<&Link>,
    t: UserType,
    line: &mut Line,
) -> Want<'a> {
    if t == UserType::TeamsOnly {
        match (link.and_then(|l| l.user.as_ref())).and_then(|g| cx.ix.user_by_guid.get(g)) {
            Some(u) => line.trace_with(|| {
                format!(
                    "match: linked to {}, which goes: Teams-only users have no IP Office record",
                    u.label()
                )
            }),
            None => {
                line.trace_with(|| "match: Teams-only, so a system directory entry only".into())
            }
        }
        return Want::TeamsOnly;
    }
    let paired = (p.matched.as_ref())
        .and_then(|(g, key)| Some((cx.ix.user_by_guid.get(g).copied()?, *key)))
        .filter(|(u, _)| !u.is_no_user());
    match paired {
        Some((u, MatchKey::SyncLink)) => {
            line.trace_with(|| format!("match: {} by the stored sync link", u.label()));
            Want::User {
                existing: Some(u),
                adopted: false,
            }
        }
        Some((u, key)) => {
            line.trace_with(|| format!("match: adopted {} by {key}", u.label()));
            Want::User {
                existing: Some(u),
                adopted: true,
            }
        }
        None => {
            line.trace_with(|| "match: no IP Office user, one will be created".into());
            Want::User {
                existing: None,
                adopted: false,
            }
        }
    }
}
