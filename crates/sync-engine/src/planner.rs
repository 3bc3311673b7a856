//! Planning: desired IP Office state from the directory and the rules, diffed against the
//! snapshot. Pure and synchronous: same input, same plan.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use ipo_model::{
    DirectoryEntry, DirectoryUser, Extension, ExtensionNumber, FullName, Guid, HUNT_GROUP_RESERVED,
    HuntGroup, IpoChange, IpoSnapshot, IpoUser, LicensingMode, LoginCode, NameRegistry, ObjectId,
    Profile, RawValue, TeamsNumber, UserName, UserType,
};

use crate::changes::{ChangeStore, Changes};
use crate::config::{
    AdoptPolicy, ApplyMode, FieldMap, GroupRule, NodeSelector, ProvisioningRule, RemovalPolicy,
    SyncConfig, UserTemplate,
};
use crate::ext_map::{self, ExtMap};
use crate::fast_hash::{FastMap, FastSet, FastState};
use crate::mapping;
use crate::plan::{
    Action, ActionKind, Effect, FieldChange, HeldRemovals, LicenseNeed, PersonPlan, PersonStatus,
    Plan, Prepared, StateUpdate, TeamsAction,
};
use crate::reason::Reason;
use crate::record::{RecordKind, RecordRef};
use crate::scope::{self, Ruled, Scope};
use crate::state::{Link, SyncState};
use crate::text::Text;
use crate::verdicts::{self, Judgement};
use usertype_rules::{LicensePolicy, MatchKey, Verdict};

/// Options of one planning pass.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct PlanOptions {
    /// Let removals through even above the deletion threshold.
    pub allow_removals: bool,
    /// Keep only this person's actions and fill their step trace (provision on demand).
    pub explain: Option<ObjectId>,
}

impl PlanOptions {
    /// Default options: removals held above the threshold, no explain.
    pub fn new() -> Self {
        Self::default()
    }
}

/// What a person wants from IP Office.
#[derive(Debug)]
enum Want<'a> {
    /// A user record: create one or keep `existing` in line.
    User {
        existing: Option<&'a IpoUser>,
        adopted: bool,
    },
    /// A system directory entry only.
    TeamsOnly,
}

#[derive(Debug)]
struct Person<'a> {
    user: &'a DirectoryUser,
    rule: Option<&'a GroupRule>,
    /// The rule's place in the configuration (its label is made once, for everyone).
    rule_index: u32,
    user_type: Option<UserType>,
    reasons: Vec<Reason>,
    /// The step trace, for the person being explained only (None for everyone else: the
    /// planner walks 100k people many times, and every byte of theirs is read each time).
    // Boxed on purpose: 8 bytes in every person instead of 24.
    #[allow(clippy::box_collection)]
    trace: Option<Box<Vec<String>>>,
    blocked: bool,
    out_of_scope: bool,
    want: Option<Want<'a>>,
    extension: Option<ExtensionNumber>,
    teams_number: Option<ipo_model::E164Number>,
    name_source: Option<Text>,
    derived_name: Option<UserName>,
    profile: Option<Profile>,
    provisioning: Option<&'a ProvisioningRule>,
    template: Option<&'a UserTemplate>,
    hunt_groups: Box<[String]>,
    license_dropped: bool,
    /// What the plan does for them, once known (None: in sync or skipped).
    status: Option<PersonStatus>,
    /// Their stored link says the sync disabled their user.
    link_disabled: bool,
    /// The IP Office user their verdict pairs them with, and by which key.
    matched: Option<(Guid, MatchKey)>,
    /// Their Teams number and/or extension, as their verdict read it.
    number: Option<TeamsNumber>,
    /// Their verdict, for the plan line.
    verdict: Option<Box<Verdict>>,
}

impl<'a> Person<'a> {
    /// Records a step of the trace; the text is only built for the person being explained.
    fn trace_with(&mut self, step: impl FnOnce() -> String) {
        if let Some(trace) = &mut self.trace {
            trace.push(step());
        }
    }

    fn block(&mut self, r: Reason) {
        self.blocked = true;
        self.reasons.push(r);
    }
}

struct Index<'a> {
    user_by_guid: FastMap<&'a Guid, &'a IpoUser>,
    /// The (first) user of each extension; extensions with several users are in `shared_ext`.
    user_by_ext: ExtMap<&'a IpoUser>,
    shared_ext: ExtMap<Vec<&'a IpoUser>>,
    hunt_by_ext: ExtMap<&'a HuntGroup>,
    hunt_by_name: FastMap<&'a str, &'a HuntGroup>,
    ext_by_number: ExtMap<&'a Extension>,
    ext_by_guid: FastMap<&'a Guid, &'a Extension>,
    user_by_name: FastMap<&'a str, &'a IpoUser>,
    /// System directory entries by exact name (a search per Teams-only person was
    /// quadratic in a directory of thousands).
    entry_by_name: FastMap<&'a str, &'a DirectoryEntry>,
}

impl<'a> Index<'a> {
    /// `by_name`: index user names (only recovering an interrupted run's creates needs them).
    fn new(s: &'a IpoSnapshot, by_name: bool) -> Self {
        let mut ix = Self::without_guids(s, by_name);
        ix.user_by_guid = FastMap::with_capacity_and_hasher(s.users.len(), Default::default());
        ix.user_by_guid
            .extend(s.users.iter().filter_map(|u| Some((u.guid.as_ref()?, u))));
        ix
    }

    /// Every index but the users by GUID.
    fn without_guids(s: &'a IpoSnapshot, by_name: bool) -> Self {
        let mut ix = Index {
            user_by_guid: FastMap::default(),
            user_by_ext: ExtMap::with_capacity(s.users.len()),
            shared_ext: ExtMap::default(),
            hunt_by_ext: ExtMap::default(),
            hunt_by_name: FastMap::default(),
            ext_by_number: ExtMap::with_capacity(s.extensions.len()),
            ext_by_guid: FastMap::with_capacity_and_hasher(s.extensions.len(), Default::default()),
            user_by_name: FastMap::default(),
            entry_by_name: FastMap::default(),
        };
        for d in &s.directory {
            // The first of a (hand-made) duplicate name is the one that counts.
            ix.entry_by_name.entry(d.name.as_str()).or_insert(d);
        }
        for u in &s.users {
            if let Some(e) = &u.extension {
                if let Some(first) = ix.user_by_ext.get(e).copied() {
                    ix.shared_ext
                        .entry(e)
                        .or_insert_with(|| vec![first])
                        .push(u);
                } else {
                    ix.user_by_ext.insert(e, u);
                }
            }
            if by_name {
                ix.user_by_name.insert(u.name.as_str(), u);
            }
        }
        for h in &s.hunt_groups {
            if let Some(e) = &h.extension {
                ix.hunt_by_ext.insert(e, h);
            }
            ix.hunt_by_name.insert(h.name.as_str(), h);
        }
        for e in &s.extensions {
            ix.ext_by_number.insert(&e.number, e);
            if let Some(g) = &e.guid {
                ix.ext_by_guid.insert(g, e);
            }
        }
        ix
    }
}

/// Builds the plan. See the crate docs for the rules it follows.
///
/// ```
/// use ipo_model::*;
/// use sync_engine::{plan, GroupRule, PlanOptions, SyncConfig, SyncState};
///
/// let group: GroupId = "11111111-1111-1111-1111-111111111111".parse().unwrap();
/// let config = SyncConfig::new(vec![GroupRule::new(group.clone(), UserType::IpOfficeOnly)]);
/// let mut ann = DirectoryUser::new("22222222-2222-2222-2222-222222222222".parse().unwrap());
/// ann.mail_nickname = Some("ann".into());
/// ann.display_name = Some("Ann Lee".into());
/// ann.business_phones = vec!["+441632768401 x401".into()];
/// ann.groups.insert(group);
/// let ipo = IpoSnapshot::new(SystemInfo::new("ipo", "12.1", LicensingMode::Plds, Platform::Ip500V2));
///
/// let p = plan(&config, &[ann], &ipo, &SyncState::default(), &PlanOptions::new());
/// assert_eq!(p.count(sync_engine::ActionKind::CreateUser), 1);
/// assert_eq!(p.count(sync_engine::ActionKind::CreateExtension), 1);
/// ```
pub fn plan(
    config: &SyncConfig,
    directory: &[DirectoryUser],
    snapshot: &IpoSnapshot,
    state: &SyncState,
    options: &PlanOptions,
) -> Plan {
    Planner::new(config, snapshot, state, options).run(directory)
}

struct Planner<'a> {
    config: &'a SyncConfig,
    snapshot: &'a IpoSnapshot,
    options: &'a PlanOptions,
    mode: LicensingMode,
    ix: Index<'a>,
    /// The stored links, copied only when reconciling changes one (rare).
    links: Cow<'a, BTreeMap<ObjectId, Link>>,
    link_updates: BTreeMap<ObjectId, Option<Link>>,
    owned_users: FastSet<Guid>,
    owned_exts: FastSet<Guid>,
    notes: Vec<String>,
    /// Each rule's label, made once for every plan line that names it.
    rule_labels: Vec<Text>,
    /// How many fields a create can set: name, extension, profile, Teams flag and the
    /// optional mapped ones configured.
    create_fields: usize,
}

impl<'a> Planner<'a> {
    fn new(
        config: &'a SyncConfig,
        snapshot: &'a IpoSnapshot,
        state: &'a SyncState,
        options: &'a PlanOptions,
    ) -> Self {
        let ix = Index::new(snapshot, !state.pending.is_empty());
        let mut p = Planner {
            config,
            snapshot,
            options,
            mode: snapshot.system.licensing_mode,
            ix,
            links: Cow::Borrowed(&state.links),
            link_updates: BTreeMap::new(),
            owned_users: FastSet::default(),
            owned_exts: FastSet::default(),
            notes: Vec::new(),
            rule_labels: config.rules.iter().map(|r| Text::from(r.label())).collect(),
            create_fields: {
                let f = &config.fields;
                let optional = [
                    &f.full_name,
                    &f.email,
                    &f.mobile_twinning,
                    &f.login_code,
                    &f.voicemail_code,
                ];
                4 + optional.iter().filter(|m| m.is_some()).count()
            },
        };
        p.reconcile_links(state);
        p
    }

    /// Drops links to records deleted by hand, and turns in-flight creates of a crashed run
    /// into links when IP Office has the records.
    fn reconcile_links(&mut self, state: &SyncState) {
        // Which records of each link are gone: a lookup or three per link.
        let gone = {
            let ix = &self.ix;
            let gone = self.links.iter().filter_map(|(id, link)| {
                let user = (link.user.as_ref()).is_some_and(|g| !ix.user_by_guid.contains_key(g));
                let ext =
                    (link.extension.as_ref()).is_some_and(|g| !ix.ext_by_guid.contains_key(g));
                let entry = (link.directory_entry.as_ref())
                    .is_some_and(|n| !ix.entry_by_name.contains_key(n.as_str()));
                (user || ext || entry).then(|| (id.clone(), link.clone(), user, ext, entry))
            });
            gone.collect::<Vec<_>>()
        };
        let mut changed_links = Vec::new();
        for (id, mut link, user_gone, ext_gone, entry_gone) in gone {
            if user_gone {
                link.user = None;
                link.name = None;
                link.disabled = false;
            }
            if ext_gone {
                link.extension = None;
                link.extension_number = None;
            }
            if entry_gone {
                link.directory_entry = None;
            }
            self.link_updates
                .insert(id.clone(), (!link.is_empty()).then(|| link.clone()));
            changed_links.push((id.clone(), link));
        }
        if !changed_links.is_empty() {
            self.links.to_mut().extend(changed_links);
        }
        // Who owns what only matters to adoption and to recovering a crashed run's records.
        if self.config.safety.adopt != AdoptPolicy::Never || !state.pending.is_empty() {
            for l in self.links.values() {
                if let Some(g) = &l.user {
                    self.owned_users.insert(g.clone());
                }
                if let Some(g) = &l.extension {
                    self.owned_exts.insert(g.clone());
                }
            }
        }
        for (id, p) in &state.pending {
            let mut link = self
                .links
                .get(id)
                .cloned()
                .unwrap_or_else(|| Link::new(p.user_type));
            let mut changed = false;
            if link.user.is_none()
                && let Some(name) = &p.name
                && let Some(u) = self.ix.user_by_name.get(name.as_str())
                && (p.extension_number.is_none() || u.extension == p.extension_number)
                && let Some(g) = &u.guid
                && !self.owned_users.contains(g)
                && !u.is_no_user()
            {
                link.user = Some(g.clone());
                link.name = Some(u.name.clone());
                link.name_source = p.name_source.as_ref().map(|s| s.to_string());
                link.user_type = p.user_type;
                self.owned_users.insert(g.clone());
                changed = true;
            }
            if link.extension.is_none()
                && let Some(n) = &p.extension_number
                && let Some(e) = self.ix.ext_by_number.get(n)
                && let Some(g) = &e.guid
                && !self.owned_exts.contains(g)
            {
                link.extension = Some(g.clone());
                link.extension_number = Some(n.clone());
                self.owned_exts.insert(g.clone());
                changed = true;
            }
            if link.directory_entry.is_none()
                && let Some(n) = &p.directory_entry
                && self.ix.entry_by_name.contains_key(n.as_str())
            {
                link.directory_entry = Some(n.clone());
                changed = true;
            }
            if changed {
                self.notes.push(format!(
                    "recovered records created by an interrupted run for {id}"
                ));
                self.links.to_mut().insert(id.clone(), link.clone());
                self.link_updates.insert(id.clone(), Some(link));
            }
        }
    }

    /// The node holding the extension record `guid`, as read (deletes go there).
    fn extension_node(&self, guid: &Guid) -> Option<String> {
        self.ix.ext_by_guid.get(guid).and_then(|e| e.node.clone())
    }

    fn run(self, directory: &'a [DirectoryUser]) -> Plan {
        // Merge duplicates (a person reached through several groups) and sort by id, so the
        // plan (and extension allocation) does not depend on the directory's order.
        let same_id = scope::people_of(directory);
        // Stage 1, scope: which rule holds each person.
        let rules = Scope::new(self.config);
        let ruled: Vec<Ruled<'a>> = same_id.iter().map(|same| rules.rule_for(same)).collect();
        // Stage 2, verdicts: what each person is, may become and what blocks them, decided
        // by usertype-rules from the same configuration a classification report uses.
        let classification =
            verdicts::Context::new(self.config, self.snapshot, self.links.as_ref())
                .classify(&same_id, &ruled, &rules);
        let mut verdict_of: FastMap<ObjectId, Verdict> = classification
            .verdicts
            .into_iter()
            .filter_map(|v| Some((v.person.directory.clone()?, v)))
            .collect();
        let mut people: Vec<Person<'a>> = same_id
            .iter()
            .zip(&ruled)
            .filter_map(|(same, r)| {
                let first = *same.first()?;
                let verdict = verdict_of.remove(&first.id);
                Some(self.person(first, same, *r, &rules, verdict))
            })
            .collect();
        drop(same_id);

        // Each person's stored link (see `pair_links`); `at` (the person of each link)
        // serves the removals and the plan lines too.
        let (at, link_of) = self.pair_links(&people);
        // Stage 3, desired state: what each person's IP Office records should hold.
        for (p, &link) in people.iter_mut().zip(&link_of) {
            p.link_disabled = link.is_some_and(|l| l.disabled);
            if !p.blocked && !p.out_of_scope {
                self.desired_values(p, link);
                self.match_person(p, link);
            }
        }
        self.allocate_extensions(&mut people, &link_of);
        self.apply_limits(&mut people);
        let mut out = Output::default();
        self.assign_names_and_build(&mut people, &link_of, &mut out);
        self.hunt_groups(&people, &mut out);
        self.directory_entries(&mut people, &link_of, &mut out);
        self.removals(&mut people, &at, &mut out);
        self.finish(people, &at, out)
    }

    /// Pairs people with their stored links: the person of each link (by index, in link
    /// order; None for people no longer in the directory) and the link of each person.
    /// Both lists are sorted by id, so one merge walk pairs them.
    fn pair_links<'s>(
        &'s self,
        people: &[Person<'a>],
    ) -> (Vec<Option<usize>>, Vec<Option<&'s Link>>) {
        let mut at = Vec::with_capacity(self.links.len());
        let mut link_of = vec![None; people.len()];
        let mut i = 0;
        for (id, link) in self.links.iter() {
            while people.get(i).is_some_and(|p| p.user.id < *id) {
                i += 1;
            }
            let found = people.get(i).is_some_and(|p| p.user.id == *id);
            at.push(found.then_some(i));
            if found && let Some(slot) = link_of.get_mut(i) {
                *slot = Some(link);
            }
        }
        (at, link_of)
    }

    /// A person as the rules and their verdict see them: the rule that holds them, and
    /// what the verdict says stops them or needs saying.
    fn person(
        &self,
        user: &'a DirectoryUser,
        same: &[&DirectoryUser],
        ruled: Ruled<'a>,
        rules: &Scope<'_>,
        verdict: Option<Verdict>,
    ) -> Person<'a> {
        let mut p = Person {
            user,
            rule: None,
            rule_index: 0,
            user_type: None,
            reasons: Vec::new(),
            trace: (self.options.explain.as_ref() == Some(&user.id)).then(Box::default),
            blocked: false,
            out_of_scope: false,
            want: None,
            extension: None,
            teams_number: None,
            name_source: None,
            derived_name: None,
            profile: None,
            provisioning: None,
            template: None,
            hunt_groups: Box::default(),
            license_dropped: false,
            status: None,
            link_disabled: false,
            matched: None,
            number: None,
            verdict: None,
        };
        let (rule_index, rule) = match ruled {
            Ruled::Nothing => {
                p.out_of_scope = true;
                p.reasons.push(Reason::OutOfScope);
                p.trace_with(|| "scope: in none of the synced groups".into());
                return p;
            }
            Ruled::Conflict { priority } => {
                let labels = rules.conflicting(same, priority);
                p.trace_with(|| {
                    format!(
                        "scope: conflict between rules of priority {priority}: {}",
                        labels.join(", ")
                    )
                });
                p.block(Reason::RuleConflict { rules: labels });
                p.verdict = verdict.map(Box::new);
                return p;
            }
            Ruled::Rule(i, r) => (i, r),
        };
        p.rule = Some(rule);
        // Rules are a configuration's handful: the index always fits.
        p.rule_index = u32::try_from(rule_index).unwrap_or(u32::MAX);
        p.user_type = Some(rule.user_type);
        p.trace_with(|| {
            format!(
                "scope: group {} (priority {}) makes them {}",
                rule.label(),
                rule.priority,
                rule.user_type
            )
        });
        let Some(v) = verdict else {
            return p;
        };
        let Judgement {
            out_of_scope,
            blocking,
            warnings,
            matched,
            number,
        } = verdicts::judge(&v);
        p.verdict = Some(Box::new(v));
        if let Some(r) = out_of_scope {
            p.trace_with(|| format!("verdict: {r}, so out of scope"));
            p.out_of_scope = true;
            p.reasons.push(r);
            return p;
        }
        for r in blocking {
            p.trace_with(|| format!("verdict: {r}"));
            p.block(r);
        }
        for r in warnings {
            p.trace_with(|| format!("verdict (warning): {r}"));
            p.reasons.push(r);
        }
        if !p.blocked {
            p.trace_with(|| "verdict: nothing stands in the way".into());
        }
        p.matched = matched;
        p.number = number;
        p
    }

    fn provisioning_for(&self, p: &Person<'a>) -> Option<&'a ProvisioningRule> {
        if let Some(sel) = &self.config.fields.provisioning_rule
            && let Some(v) = p.user.property_str(&sel.source)
            && let Some(r) = self.config.provisioning_rule(v.trim())
        {
            return Some(r);
        }
        p.rule
            .and_then(|r| r.provisioning_rule.as_deref())
            .and_then(|n| self.config.provisioning_rule(n))
    }

    fn desired_values(&self, p: &mut Person<'a>, link: Option<&Link>) {
        let fields = &self.config.fields;
        let Some(t) = p.user_type else { return };
        p.provisioning = self.provisioning_for(p);
        p.template = p
            .provisioning
            .and_then(|r| r.user_template.as_deref())
            .and_then(|n| self.config.user_templates.get(n));
        // The extension their verdict read (from the mapped source; the Teams number and the
        // business phones, in any notation, by default).
        if fields.extension.is_some() {
            p.extension = p.number.as_ref().and_then(TeamsNumber::extension).cloned();
        }
        if let Some(m) = &fields.hunt_groups {
            p.hunt_groups = mapping::hunt_groups(p.user, &m.source).into_boxed_slice();
        }
        if t == UserType::TeamsOnly {
            p.teams_number = p.number.as_ref().and_then(TeamsNumber::number).cloned();
            if p.teams_number.is_none() {
                // An extension-only mapping (a property holding `402`): the number Teams rings
                // is still the person's own.
                p.teams_number = mapping::teams_number(p.user);
            }
            if p.extension.is_none() && p.teams_number.is_none() {
                p.block(Reason::NoNumber);
            }
            if !p.hunt_groups.is_empty() {
                p.reasons.push(Reason::HuntGroupNotAllowed {
                    groups: p.hunt_groups.to_vec(),
                });
            }
            p.want = Some(Want::TeamsOnly);
            return;
        }
        match mapping::user_name(p.user, &fields.name.source) {
            Ok(Some((src, name))) => {
                p.name_source = Some(src);
                p.derived_name = Some(name);
            }
            Ok(None) => {
                // No source value: keep an existing name, else fall back to the display name.
                if link.and_then(|l| l.name.as_ref()).is_none() {
                    match mapping::user_name(p.user, "displayName") {
                        Ok(Some((src, name))) => {
                            p.name_source = Some(src);
                            p.derived_name = Some(name);
                        }
                        Ok(None) => p.block(Reason::InvalidValue {
                            field: "Name".into(),
                            source: fields.name.source.clone(),
                            message: "empty, and no display name to fall back on".into(),
                        }),
                        Err(r) => p.block(r),
                    }
                }
            }
            Err(r) => p.block(r),
        }
        // The template's profile when the licence policy allows it for the type, else the
        // policy's first choice for the type.
        let policy = &self.config.licensing;
        p.profile = p
            .template
            .and_then(|t| t.profile)
            .filter(|pr| policy.profile_allowed_for(t, *pr, self.mode))
            .or_else(|| policy.profile_for(t, None, self.mode));
    }

    /// The IP Office user that is this person, as their verdict paired them (by the stored
    /// link, or by a key the adoption setting allows), or a new one.
    fn match_person(&self, p: &mut Person<'a>, link: Option<&Link>) {
        let paired = p
            .matched
            .as_ref()
            .and_then(|(g, key)| Some((self.ix.user_by_guid.get(g).copied()?, *key)))
            .filter(|(u, _)| !u.is_no_user());
        if matches!(p.want, Some(Want::TeamsOnly)) {
            match link
                .and_then(|l| l.user.as_ref())
                .and_then(|g| self.ix.user_by_guid.get(g))
            {
                Some(u) => p.trace_with(|| {
                    format!(
                        "match: linked to {}, which goes: Teams-only users have no IP Office record",
                        u.label()
                    )
                }),
                None => p.trace_with(|| "match: Teams-only, so a system directory entry only".into()),
            }
            return;
        }
        match paired {
            Some((u, MatchKey::SyncLink)) => {
                p.trace_with(|| format!("match: {} by the stored sync link", u.label()));
                p.want = Some(Want::User {
                    existing: Some(u),
                    adopted: false,
                });
            }
            Some((u, key)) => {
                p.trace_with(|| format!("match: adopted {} by {key}", u.label()));
                p.want = Some(Want::User {
                    existing: Some(u),
                    adopted: true,
                });
            }
            None => {
                p.trace_with(|| "match: no IP Office user, one will be created".into());
                p.want = Some(Want::User {
                    existing: None,
                    adopted: false,
                });
            }
        }
    }

    fn allocate_extensions(&self, people: &mut [Person<'a>], link_of: &[Option<&Link>]) {
        // The numbers people bring and who needs one allocated (new users only; existing
        // ones keep theirs).
        let needy: Vec<usize> = (people.iter().enumerate())
            .filter(|(_, p)| {
                !p.blocked
                    && p.extension.is_none()
                    && matches!(p.want, Some(Want::User { existing: None, .. }))
            })
            .map(|(i, _)| i)
            .collect();
        // Steady state: nobody needs a number, so the numbers in use are not even listed.
        if needy.is_empty() {
            return;
        }
        // Every number someone in scope wants stays free, even when that person is held
        // back: a Teams-only number clashing with a new user would ring twice.
        let taken = people.iter().filter_map(|p| {
            p.extension
                .as_ref()
                .or_else(|| p.number.as_ref().and_then(TeamsNumber::extension))
        });
        // Numbers as integer keys: the search walks a range number by number, and building
        // an `ExtensionNumber` per candidate cost an allocation each.
        let key = ext_map::key;
        let s = self.snapshot;
        // Room for every number in use and every one handed out: no rehash while it grows.
        let room = s.users.len() + s.extensions.len() + s.hunt_groups.len() + people.len();
        let mut used: FastSet<u64> = FastSet::with_capacity_and_hasher(room, Default::default());
        {
            let numbers = s.users.iter().filter_map(|u| u.extension.as_ref());
            let numbers = numbers.chain(s.extensions.iter().map(|e| &e.number));
            let numbers = numbers.chain(s.hunt_groups.iter().filter_map(|h| h.extension.as_ref()));
            used.extend(numbers.map(key));
            used.extend(taken.map(key));
        }
        let mut cursors: FastMap<&str, u64> = FastMap::default();
        for i in needy {
            let (p, link) = (&mut people[i], link_of[i]);
            // An extension record this person's earlier (interrupted) run created.
            if let Some(n) = link
                .filter(|l| l.user.is_none() && l.extension.is_some())
                .and_then(|l| l.extension_number.clone())
                && !self.ix.user_by_ext.contains_key(&n)
                && !self.ix.hunt_by_ext.contains_key(&n)
            {
                p.extension = Some(n);
                continue;
            }
            // Both sides must ring the same extension; IP Office cannot give Teams one.
            if p.user_type == Some(UserType::TeamsAndIpOffice) {
                p.block(Reason::NoTeamsExtension);
                continue;
            }
            let Some(rule) = p.provisioning else {
                p.block(Reason::NoExtension);
                continue;
            };
            let Some(range) = rule.range() else {
                p.block(Reason::NoExtension);
                continue;
            };
            let width = range.start.len();
            let (first, last) = (range.start.value(), range.end.value());
            let mut next = cursors.get(rule.name.as_str()).copied().unwrap_or(first);
            let found = loop {
                if next > last {
                    break None;
                }
                if !used.contains(&ext_map::key_of(next, width))
                    && !HUNT_GROUP_RESERVED.contains(&next)
                {
                    break ExtensionNumber::from_value(next, width);
                }
                next += 1;
            };
            match found {
                Some(e) => {
                    used.insert(key(&e));
                    cursors.insert(rule.name.as_str(), next + 1);
                    p.trace_with(|| {
                        format!(
                            "extension: {e} allocated from provisioning rule {:?}",
                            rule.name
                        )
                    });
                    p.extension = Some(e);
                }
                None => p.block(Reason::NoExtension),
            }
        }
    }

    /// Licence and capacity limits: what does not fit is dropped, in person order.
    fn apply_limits(&self, people: &mut [Person<'a>]) {
        let mut free: BTreeMap<Profile, u32> = BTreeMap::new();
        let mut needs: BTreeMap<Profile, (u32, u32)> = BTreeMap::new();
        for p in people.iter_mut() {
            if p.blocked || p.out_of_scope {
                continue;
            }
            let Some(Want::User { existing, .. }) = &p.want else {
                continue;
            };
            let Some(want) = self.profile_needed(p, *existing) else {
                continue;
            };
            if !self.config.licensing.consumes_license(want) {
                continue;
            }
            let avail = free
                .entry(want)
                .or_insert_with(|| self.snapshot.free_licenses(want));
            let need = needs.entry(want).or_insert((0, 0));
            need.0 += 1;
            if *avail > 0 {
                *avail -= 1;
            } else {
                need.1 += 1;
                p.blocked = true;
                p.license_dropped = true;
            }
        }
        for p in people.iter_mut() {
            if p.license_dropped
                && let Some(Want::User { existing, .. }) = &p.want
                && let Some(want) = self.profile_needed(p, *existing)
                && let Some((needed, _)) = needs.get(&want)
            {
                p.reasons.push(Reason::LicenseShortfall {
                    profile: want,
                    needed: *needed,
                    free: self.snapshot.free_licenses(want),
                });
            }
        }
        if let Some(max) = self.snapshot.system.platform.max_users() {
            let mut count = self.snapshot.users.len();
            for p in people.iter_mut() {
                if !p.blocked && matches!(p.want, Some(Want::User { existing: None, .. })) {
                    if count >= max {
                        p.block(Reason::Capacity { max });
                    } else {
                        count += 1;
                    }
                }
            }
        }
    }

    /// The profile the person's user must be given, when it changes (None = keep).
    fn profile_needed(&self, p: &Person<'a>, existing: Option<&IpoUser>) -> Option<Profile> {
        let want = p.profile?;
        match existing {
            None => Some(want),
            Some(u) => {
                let disabled = p.link_disabled;
                // A profile this library does not know was IP Office's choice: kept.
                let ok = matches!(u.profile, Profile::Unknown(_))
                    || p.user_type.is_none_or(|t| {
                        self.config
                            .licensing
                            .profile_allowed_for(t, u.profile, self.mode)
                    });
                if !ok || (disabled && u.profile == Profile::NonLicensed) {
                    Some(want)
                } else {
                    None
                }
            }
        }
    }

    fn assign_names_and_build(
        &self,
        people: &mut [Person<'a>],
        link_of: &[Option<&Link>],
        out: &mut Output,
    ) {
        let creates = people
            .iter()
            .filter(|p| !p.blocked && !p.out_of_scope)
            .filter(|p| matches!(p.want, Some(Want::User { existing: None, .. })))
            .count();
        let mut names = TakenNames {
            snapshot: self.snapshot,
            registry: None,
            creates,
        };
        // Names are handed out in person order, then the writes are built with them.
        self.assign_names(people, link_of, &mut names);
        out.absorb(self.build_writes(people, link_of));
    }

    /// The writes of a stretch of people, named already.
    fn build_writes(&self, people: &mut [Person<'a>], link_of: &[Option<&Link>]) -> Output {
        let mut out = Output::default();
        // Creates are most of a first sync: room for them up front spares the buckets their
        // doubling copies (each item is a whole IP Office record).
        let creates = people
            .iter()
            .filter(|p| !p.blocked && !p.out_of_scope)
            .filter(|p| matches!(p.want, Some(Want::User { existing: None, .. })))
            .count();
        out.main.reserve(ActionKind::CreateExtension, creates);
        out.main.reserve(ActionKind::CreateUser, creates);
        // Each create sets its fields and may make an extension record (one more).
        out.store.reserve(creates * (self.create_fields + 1));
        for (p, &link) in people.iter_mut().zip(link_of) {
            if p.blocked || p.out_of_scope {
                continue;
            }
            let Some(Want::User { existing, adopted }) = &p.want else {
                continue;
            };
            let (existing, adopted) = (*existing, *adopted);
            match existing {
                None => self.build_create(p, &mut out),
                Some(u) => self.build_update(p, u, adopted, link, &mut out),
            }
        }
        out
    }

    /// Names for new users and for renames, in person order: each must be unique among the
    /// names IP Office has and the ones given before it, so this pass cannot be split.
    /// The name is left in `derived_name` for the build.
    fn assign_names(
        &self,
        people: &mut [Person<'a>],
        link_of: &[Option<&Link>],
        names: &mut TakenNames<'_>,
    ) {
        for (p, &link) in people.iter_mut().zip(link_of) {
            if p.blocked || p.out_of_scope || p.user_type.is_none() {
                continue;
            }
            let Some(Want::User { existing, adopted }) = &p.want else {
                continue;
            };
            let (existing, adopted) = (*existing, *adopted);
            let Some(base) = &p.derived_name else {
                continue;
            };
            match existing {
                None => {
                    let name = base.make_unique(names.get());
                    if let Some(src) = &p.name_source
                        && src.as_str() != name.as_str()
                    {
                        p.reasons.push(Reason::NameDerived {
                            from: src.to_string(),
                            name: name.clone(),
                        });
                    }
                    p.derived_name = Some(name);
                }
                Some(actual) if self.renames(p, adopted, link) && *base != actual.name => {
                    // The user's own name does not stand in its way (a change of case
                    // keeps it), but stays taken for everyone else: creates are written
                    // before updates, so IP Office still has it when they are made.
                    let names = names.get();
                    names.remove(&actual.name);
                    let name = base.make_unique(names);
                    names.insert(&actual.name);
                    p.derived_name = Some(name);
                }
                Some(_) => {}
            }
        }
    }

    /// Whether a linked user is renamed: only when the mapped source value itself changed
    /// (renames move voicemail boxes), never for one just adopted.
    fn renames(&self, p: &Person<'a>, adopted: bool, link: Option<&Link>) -> bool {
        let link_source = link.and_then(|l| l.name_source.as_deref());
        !adopted
            && self.config.fields.name.apply == ApplyMode::Always
            && p.name_source.is_some()
            && p.name_source.as_deref() != link_source
            && p.derived_name.is_some()
    }

    fn node_for(&self, p: &Person<'a>) -> Option<String> {
        match p.provisioning.map(|r| &r.node) {
            Some(NodeSelector::Fixed(n)) => Some(n.clone()),
            Some(NodeSelector::FromProperty(prop)) => p
                .user
                .property_str(prop)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty()),
            _ => None,
        }
    }

    /// Plans an extension record for `number` unless IP Office already has one; says
    /// whether it did.
    fn create_extension_record(
        &self,
        p: &Person<'a>,
        number: &ExtensionNumber,
        node: Option<String>,
        out: &mut Output,
    ) -> bool {
        if self.ix.ext_by_number.contains_key(number) {
            return false;
        }
        let kind = p
            .provisioning
            .map(|r| r.extension_kind)
            .unwrap_or(ipo_model::ExtensionKind::Sip);
        let mut ext = Extension::new(number.clone(), kind);
        ext.node = node;
        out.push_one(
            ActionKind::CreateExtension,
            Some(&p.user.id),
            RecordRef::new(RecordKind::Extension, number),
            FieldChange::new("Type", None, Some(kind_text(kind))),
            IpoChange::CreateExtension(ext),
            Effect::ExtensionCreated {
                number: number.clone(),
            },
        );
        true
    }

    /// A new user, named by [`Self::assign_names`].
    fn build_create(&self, p: &mut Person<'a>, out: &mut Output) {
        let Some(name) = p.derived_name.clone() else {
            return;
        };
        let Some(t) = p.user_type else { return };
        let mut user = IpoUser::new(name.clone(), self.mode);
        // Filled in the output's reusable list, then moved into its change store.
        let mut changes = out.scratch();
        changes.push(FieldChange::new("Name", None, Some(Text::from(&name))));
        user.extension = p.extension.clone();
        user.node = self.node_for(p);
        if let Some(e) = &user.extension {
            changes.push(FieldChange::new("Extension", None, Some(Text::from(e))));
        }
        let mut filled = Cow::Owned(user);
        self.fill_optional(p, &mut filled, None, &mut changes, true);
        let mut user = filled.into_owned();
        if let Some(tpl) = p.template {
            user.exclude_from_directory = tpl.exclude_from_directory.unwrap_or(false);
            for (k, v) in &tpl.fields {
                user.raw.set(k, RawValue::Text(v.clone()));
            }
            user.teams_client = tpl.teams_client;
        }
        if let Some(pr) = p.profile {
            user.profile = pr;
            changes.push(FieldChange::new("Profile", None, Some(profile_text(pr))));
        }
        match t {
            UserType::TeamsAndIpOffice => user.teams_client = Some(true),
            _ => {
                if user.teams_client == Some(true) {
                    user.teams_client = Some(false);
                }
            }
        }
        if let Some(f) = user.teams_client {
            changes.push(FieldChange::new(
                "MS Teams Client",
                None,
                Some(flag_text(f)),
            ));
        }
        *out.profiles_assigned.entry(user.profile).or_default() += 1;
        p.trace_with(|| format!("action: create user {name}{}", ext_suffix(&user.extension)));
        if let Some(e) = &user.extension {
            self.create_extension_record(p, e, user.node.clone(), out);
        }
        out.push(
            ActionKind::CreateUser,
            Some(&p.user.id),
            RecordRef::new(RecordKind::User, &name),
            changes,
            IpoChange::CreateUser(user),
            Effect::UserCreated {
                name_source: p.name_source.clone(),
                user_type: t,
            },
        );
        p.status = Some(PersonStatus::Create);
    }

    /// Optional mapped fields (full name, e-mail, mobile, codes) onto `user`.
    fn fill_optional(
        &self,
        p: &mut Person<'a>,
        user: &mut Cow<'_, IpoUser>,
        old: Option<&IpoUser>,
        changes: &mut Vec<FieldChange>,
        creating: bool,
    ) {
        let fields = &self.config.fields;
        let applies = |m: &FieldMap| creating || m.apply == ApplyMode::Always;
        if let Some(m) = fields.full_name.as_ref().filter(|m| applies(m)) {
            let v = mapping::full_name(p.user, &m.source, user.full_name.as_ref()).map(|v| {
                v.map(|(name, note)| {
                    p.reasons.extend(note);
                    name
                })
            });
            if let Some(v) = set_mapped(p, changes, "Full Name", v, &user.full_name) {
                user.to_mut().full_name = Some(v);
            }
        }
        if let Some(m) = fields.email.as_ref().filter(|m| applies(m)) {
            let v = mapping::email_unless(p.user, &m.source, user.email.as_deref());
            if let Some(v) = set_mapped(p, changes, "Email", v, &user.email) {
                user.to_mut().email = Some(v);
            }
        }
        if let Some(m) = fields.mobile_twinning.as_ref().filter(|m| applies(m)) {
            let v = mapping::mobile(p.user, &m.source);
            if let Some(v) = set_mapped(
                p,
                changes,
                "Mobile Twinning Number",
                v,
                &user.mobile_twinning_number,
            ) {
                user.to_mut().mobile_twinning_number = Some(v);
            }
        }
        if let Some(m) = fields.login_code.as_ref().filter(|m| applies(m)) {
            let v: Option<LoginCode> = match mapping::login_code(p.user, &m.source) {
                Ok(v) => v,
                Err(r) => {
                    p.reasons.push(r);
                    None
                }
            };
            if v.is_some() && user.login_code != v {
                changes.push(FieldChange::new(
                    "Login Code",
                    old.and_then(|o| o.login_code.as_ref())
                        .map(|_| Text::from(ipo_model::REDACTED)),
                    Some(Text::from(ipo_model::REDACTED)),
                ));
                user.to_mut().login_code = v;
            }
        }
        if let Some(m) = fields.voicemail_code.as_ref().filter(|m| applies(m)) {
            match mapping::voicemail_code(p.user, &m.source, user.extension.as_ref()) {
                Ok(Some(v)) if user.voicemail_code.as_ref() != Some(&v) => {
                    changes.push(FieldChange::new(
                        "Voicemail Code",
                        old.and_then(|o| o.voicemail_code.as_ref())
                            .map(|_| Text::from(ipo_model::REDACTED)),
                        Some(Text::from(ipo_model::REDACTED)),
                    ));
                    user.to_mut().voicemail_code = Some(v);
                }
                Ok(_) => {}
                Err(r) => p.reasons.push(r),
            }
        }
    }

    fn build_update(
        &self,
        p: &mut Person<'a>,
        actual: &'a IpoUser,
        adopted: bool,
        link: Option<&Link>,
        out: &mut Output,
    ) {
        let Some(t) = p.user_type else { return };
        let fields = &self.config.fields;
        // Copied only when something changes: most linked users are in sync.
        let mut user: Cow<'a, IpoUser> = Cow::Borrowed(actual);
        let mut changes = out.scratch();
        // Rename only when the mapped source value itself changed (renames move voicemail).
        // The source value kept after this run: the person's when adopted or renamed (Some),
        // else the stored link's.
        let link_source = link.and_then(|l| l.name_source.as_deref());
        let mut new_source: Option<Option<Text>> = adopted.then(|| p.name_source.clone());
        if self.renames(p, adopted, link)
            && let Some(new) = p.derived_name.clone()
        {
            if new != actual.name {
                changes.push(FieldChange::new(
                    "Name",
                    Some(Text::from(&actual.name)),
                    Some(Text::from(&new)),
                ));
                user.to_mut().name = new;
            }
            new_source = Some(p.name_source.clone());
        }
        let name_source = match &new_source {
            Some(s) => s.as_deref(),
            None => link_source,
        };
        let ext_changed = fields
            .extension
            .as_ref()
            .is_some_and(|m| m.apply == ApplyMode::Always)
            && p.extension.is_some()
            && p.extension != actual.extension;
        if ext_changed {
            changes.push(FieldChange::new(
                "Extension",
                actual.extension.as_ref().map(Text::from),
                p.extension.as_ref().map(Text::from),
            ));
            user.to_mut().extension = p.extension.clone();
        } else {
            p.extension = actual.extension.clone();
        }
        self.fill_optional(p, &mut user, Some(actual), &mut changes, false);
        if let Some(want) = self.profile_needed(p, Some(actual)) {
            changes.push(FieldChange::new(
                "Profile",
                Some(profile_text(actual.profile)),
                Some(profile_text(want)),
            ));
            user.to_mut().profile = want;
        }
        let want_flag = match t {
            UserType::TeamsAndIpOffice => Some(true),
            _ if actual.teams_client == Some(true) => Some(false),
            _ => actual.teams_client,
        };
        if want_flag != actual.teams_client {
            changes.push(FieldChange::new(
                "MS Teams Client",
                actual.teams_client.map(flag_text),
                want_flag.map(flag_text),
            ));
            user.to_mut().teams_client = want_flag;
        }
        p.derived_name = Some(user.name.clone());
        if adopted {
            let mut l = link.cloned().unwrap_or_else(|| Link::new(t));
            l.user = actual.guid.clone();
            l.name = Some(actual.name.clone());
            l.name_source = name_source.map(str::to_owned);
            l.user_type = t;
            out.link_updates.insert(p.user.id.clone(), Some(l));
            p.trace_with(|| {
                format!(
                    "action: take over {} (adoption allowed by the configuration)",
                    actual.label()
                )
            });
        } else if link.is_some_and(|l| l.user_type != t || l.name_source.as_deref() != name_source)
        {
            let mut l = link.cloned().unwrap_or_else(|| Link::new(t));
            l.user_type = t;
            l.name_source = name_source.map(str::to_owned);
            out.link_updates.insert(p.user.id.clone(), Some(l));
        }
        if changes.is_empty() {
            p.trace_with(|| "action: none, already in sync".into());
            out.scratch = changes;
            return;
        }
        p.trace_with(|| {
            format!(
                "action: update {}: {}",
                actual.label(),
                changes
                    .iter()
                    .map(|c| c.field.as_ref())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        });
        if ext_changed
            && let Some(e) = &user.extension
            && self.create_extension_record(p, e, actual.node.clone(), out)
            && let Some(l) = link
            && let Some(g) = &l.extension
            && let Some(n) = &l.extension_number
        {
            out.push_later(
                ActionKind::DeleteExtension,
                Some(&p.user.id),
                RecordRef::new(RecordKind::Extension, n).with_guid(Some(g.clone())),
                IpoChange::DeleteExtension {
                    guid: g.clone(),
                    number: n.clone(),
                    node: self.extension_node(g),
                },
                Effect::ExtensionDeleted { guid: g.clone() },
            );
        }
        if user.profile != actual.profile {
            *out.profiles_assigned.entry(user.profile).or_default() += 1;
        }
        let name_source = match new_source {
            Some(s) => s,
            None => link_source.map(Text::copied),
        };
        out.push(
            ActionKind::UpdateUser,
            Some(&p.user.id),
            user_record(actual),
            changes,
            IpoChange::UpdateUser(user.into_owned()),
            Effect::UserUpdated {
                name_source,
                user_type: t,
                enabled: true,
            },
        );
        p.status = Some(PersonStatus::Update);
    }

    fn hunt_groups(&self, people: &[Person<'a>], out: &mut Output) {
        let Some(map) = &self.config.fields.hunt_groups else {
            return;
        };
        // Members the sync manages: extensions of in-scope IP Office people.
        let mut managed: FastSet<&ExtensionNumber> = FastSet::default();
        let mut want: BTreeMap<&str, Vec<&ExtensionNumber>> = BTreeMap::new();
        for p in people {
            if p.blocked || p.out_of_scope || !matches!(p.want, Some(Want::User { .. })) {
                continue;
            }
            let Some(e) = &p.extension else { continue };
            let creating = matches!(p.want, Some(Want::User { existing: None, .. }));
            if map.apply == ApplyMode::OnCreate && !creating {
                continue;
            }
            managed.insert(e);
            for g in &p.hunt_groups {
                want.entry(g.as_str()).or_default().push(e);
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

    fn directory_entries(
        &self,
        people: &mut [Person<'a>],
        link_of: &[Option<&Link>],
        out: &mut Output,
    ) {
        if !self.config.directory.enabled {
            return;
        }
        // What each Teams-only person's entry would be is theirs alone; only making the names
        // unique needs everyone in order.
        let wishes: Vec<(usize, EntryWish)> = (people.iter_mut().enumerate())
            .filter_map(|(i, p)| Some((i, self.entry_wish(p)?)))
            .collect();
        // Names kept by their current owners are settled first, so a newcomer with the same
        // display name gets a suffix instead of taking someone's entry.
        let mut taken: FastSet<String> = self
            .snapshot
            .directory
            .iter()
            .map(|d| d.name.as_str().to_lowercase())
            .collect();
        for (i, wish) in wishes {
            let (p, link) = (&mut people[i], link_of[i]);
            let EntryWish {
                name: base,
                key,
                number,
                number_text,
            } = wish;
            // Keep the name already owned, so entries do not churn.
            let own = link.and_then(|l| l.directory_entry.clone());
            let name = match own {
                Some(n) if n == base || n.as_str().starts_with(base.as_str()) => {
                    taken.insert(n.as_str().to_lowercase());
                    n
                }
                Some(n) => {
                    taken.remove(&n.as_str().to_lowercase());
                    unique_entry_name(&base, key, &mut taken)
                }
                None => unique_entry_name(&base, key, &mut taken),
            };
            let current = self.ix.entry_by_name.get(name.as_str()).copied();
            if let Some(old) = link.and_then(|l| l.directory_entry.as_ref())
                && old != &name
            {
                out.push(
                    ActionKind::RemoveDirectoryEntry,
                    Some(&p.user.id),
                    RecordRef::new(RecordKind::DirectoryEntry, old),
                    Vec::new(),
                    IpoChange::RemoveDirectoryEntry { name: old.clone() },
                    Effect::DirectoryRemoved,
                );
            }
            if current.is_some_and(|c| c.number == number) {
                p.trace_with(|| format!("action: none, directory entry {name} already in sync"));
                continue;
            }
            p.trace_with(|| format!("action: system directory entry {name} -> {number_text}"));
            out.push(
                ActionKind::PutDirectoryEntry,
                Some(&p.user.id),
                RecordRef::new(RecordKind::DirectoryEntry, &name),
                vec![FieldChange::new(
                    "Number",
                    current
                        .and_then(|c| c.number.format(ipo_model::NumberFormat::IpoDirectory).ok())
                        .map(Text::from),
                    Some(number_text.into()),
                )],
                IpoChange::PutDirectoryEntry(DirectoryEntry::new(
                    name.clone(),
                    number,
                    Some(p.user.id.clone()),
                )),
                Effect::DirectoryPut { name: name.clone() },
            );
            p.status.get_or_insert(if current.is_some() {
                PersonStatus::Update
            } else {
                PersonStatus::Create
            });
        }
    }

    /// The directory entry a Teams-only person should have, before its name is made
    /// unique: the name from the configured source, the number Teams rings.
    fn entry_wish(&self, p: &mut Person<'a>) -> Option<EntryWish> {
        if p.blocked || p.out_of_scope || !matches!(p.want, Some(Want::TeamsOnly)) {
            return None;
        }
        let number = TeamsNumber::new(p.teams_number.clone(), p.extension.clone()).ok()?;
        let source = &self.config.directory.name_source;
        let base = match mapping::full_name(p.user, source, None) {
            Ok(Some((name, note))) => {
                p.reasons.extend(note);
                Some(name)
            }
            _ => FullName::derive(&p.user.label()),
        }?;
        match mapping::directory_name(base, source) {
            (Some(name), note) => {
                p.reasons.extend(note);
                Some(EntryWish {
                    key: name.as_str().to_lowercase(),
                    number_text: number
                        .format(ipo_model::NumberFormat::IpoDirectory)
                        .unwrap_or_default(),
                    name,
                    number,
                })
            }
            (None, note) => {
                if let Some(r) = note {
                    p.block(r);
                }
                None
            }
        }
    }

    fn removals(&self, people: &mut [Person<'a>], at: &[Option<usize>], out: &mut Output) {
        let policy = self.config.safety.removal;
        // Links whose person left scope, plus Teams-only people whose old IP Office user goes.
        // Links come in id order, each with its person (`at`), so the plan does not depend
        // on hashing.
        let mut leaving: Vec<(&ObjectId, &Link, bool, Option<usize>)> = Vec::new();
        for ((id, link), &pos) in self.links.iter().zip(at) {
            let person = pos.map(|i| &people[i]);
            let gone = person.is_none_or(|p| p.out_of_scope);
            let now_teams_only =
                person.is_some_and(|p| !p.blocked && matches!(p.want, Some(Want::TeamsOnly)));
            if gone {
                leaving.push((id, link, true, pos));
            } else if now_teams_only && link.user.is_some() {
                leaving.push((id, link, false, pos));
            } else if person
                .is_some_and(|p| !p.blocked && matches!(p.want, Some(Want::User { .. })))
                && let Some(old) = &link.directory_entry
            {
                // Became an IP Office user: the directory entry is no longer needed.
                out.push(
                    ActionKind::RemoveDirectoryEntry,
                    Some(id),
                    RecordRef::new(RecordKind::DirectoryEntry, old),
                    Vec::new(),
                    IpoChange::RemoveDirectoryEntry { name: old.clone() },
                    Effect::DirectoryRemoved,
                );
            }
        }
        for (id, link, whole, pos) in leaving {
            if whole && let Some(old) = &link.directory_entry {
                out.push(
                    ActionKind::RemoveDirectoryEntry,
                    Some(id),
                    RecordRef::new(RecordKind::DirectoryEntry, old),
                    Vec::new(),
                    IpoChange::RemoveDirectoryEntry { name: old.clone() },
                    Effect::DirectoryRemoved,
                );
                mark_removed(people, pos, id, &mut out.status);
            }
            let Some(u) = link
                .user
                .as_ref()
                .and_then(|g| self.ix.user_by_guid.get(g).copied())
            else {
                continue;
            };
            if u.is_no_user() {
                continue;
            }
            match policy {
                RemovalPolicy::Keep => {
                    out.kept.insert(id.clone());
                }
                RemovalPolicy::Disable => {
                    let already = u.profile == Profile::NonLicensed && u.teams_client != Some(true);
                    if already {
                        continue;
                    }
                    let mut d = u.clone();
                    d.profile = Profile::NonLicensed;
                    if d.teams_client.is_some() {
                        d.teams_client = Some(false);
                    }
                    out.removal(
                        ActionKind::DisableUser,
                        id,
                        user_record(u),
                        vec![
                            FieldChange::new(
                                "Profile",
                                Some(profile_text(u.profile)),
                                Some(profile_text(Profile::NonLicensed)),
                            ),
                            FieldChange::new(
                                "MS Teams Client",
                                u.teams_client.map(flag_text),
                                d.teams_client.map(flag_text),
                            ),
                        ],
                        IpoChange::UpdateUser(d),
                        Effect::UserDisabled,
                    );
                }
                RemovalPolicy::Delete => {
                    if let Some(g) = &u.guid {
                        out.removal(
                            ActionKind::DeleteUser,
                            id,
                            user_record(u),
                            Vec::new(),
                            IpoChange::DeleteUser {
                                guid: g.clone(),
                                name: u.name.clone(),
                                node: u.node.clone(),
                            },
                            Effect::UserDeleted,
                        );
                    }
                    if let Some(g) = &link.extension
                        && let Some(n) = &link.extension_number
                    {
                        out.removal(
                            ActionKind::DeleteExtension,
                            id,
                            RecordRef::new(RecordKind::Extension, n).with_guid(Some(g.clone())),
                            Vec::new(),
                            IpoChange::DeleteExtension {
                                guid: g.clone(),
                                number: n.clone(),
                                node: self.extension_node(g),
                            },
                            Effect::ExtensionDeleted { guid: g.clone() },
                        );
                    }
                }
            }
            mark_removed(people, pos, id, &mut out.status);
            if let Some(p) = pos.and_then(|i| people.get_mut(i)) {
                p.trace_with(|| {
                    format!(
                        "action: {} leaves scope; removal policy {:?}",
                        u.label(),
                        policy
                    )
                });
            }
        }
    }

    fn finish(
        mut self,
        mut people: Vec<Person<'a>>,
        at: &[Option<usize>],
        mut out: Output,
    ) -> Plan {
        let managed = self.links.values().filter(|l| l.user.is_some()).count();
        let threshold = self.config.safety.removal_threshold(managed);
        let removal_people: BTreeSet<ObjectId> = out
            .removals
            .iter()
            .filter(|(a, _)| a.kind.is_removal())
            .filter_map(|(a, _)| a.person.clone())
            .collect();
        let mut held = None;
        let mut held_set: FastSet<ObjectId> = FastSet::default();
        if removal_people.len() > threshold && !self.options.allow_removals {
            held = Some(HeldRemovals {
                count: removal_people.len(),
                threshold,
                managed,
                people: removal_people.iter().cloned().collect(),
            });
            held_set = removal_people.iter().cloned().collect();
            out.removals.clear();
        }

        // Teams-side actions: voice routing policies not yet rendered for this person.
        let mut teams_actions = Vec::new();
        for p in &people {
            if p.blocked || p.out_of_scope {
                continue;
            }
            let (Some(rule), Some(t)) = (p.rule, p.user_type) else {
                continue;
            };
            let Some(policy) = &rule.voice_routing_policy else {
                continue;
            };
            if !t.needs_teams_voice() {
                continue;
            }
            let current = out
                .link_updates
                .get(&p.user.id)
                .cloned()
                .flatten()
                .or_else(|| self.links.get(&p.user.id).cloned());
            if current
                .as_ref()
                .and_then(|l| l.voice_routing_policy.as_ref())
                == Some(policy)
            {
                continue;
            }
            teams_actions.push(TeamsAction {
                person: p.user.id.clone(),
                user_principal_name: p.user.label(),
                voice_routing_policy: policy.clone(),
            });
            let mut l = current.unwrap_or_else(|| Link::new(t));
            l.voice_routing_policy = Some(policy.clone());
            out.link_updates.insert(p.user.id.clone(), Some(l));
        }

        // Licence forecast.
        let mut licenses: BTreeMap<Profile, LicenseNeed> = BTreeMap::new();
        for (&pr, &n) in &out.profiles_assigned {
            if self.config.licensing.consumes_license(pr) {
                license_need(&mut licenses, self.snapshot, pr).needed += n;
            }
        }
        for p in &people {
            for r in &p.reasons {
                if let Reason::LicenseShortfall { profile, .. } = r {
                    let e = license_need(&mut licenses, self.snapshot, *profile);
                    e.needed += 1;
                    e.dropped += 1;
                }
            }
        }

        // People lines.
        let explain = self.options.explain.as_ref();
        let (held_set, kept, labels) = (&held_set, &out.kept, &self.rule_labels);
        let mut lines: Vec<PersonPlan> = people
            .iter_mut()
            .map(|p| {
                let held_here = !held_set.is_empty() && held_set.contains(&p.user.id);
                if held_here {
                    p.reasons.push(Reason::RemovalHeld);
                }
                if !kept.is_empty() && kept.contains(&p.user.id) {
                    p.reasons.push(Reason::KeptByPolicy);
                }
                let status = if let Some(s) = &p.status {
                    if *s == PersonStatus::Remove && held_here {
                        PersonStatus::Skipped
                    } else {
                        *s
                    }
                } else if p.blocked || p.out_of_scope {
                    PersonStatus::Skipped
                } else {
                    PersonStatus::InSync
                };
                PersonPlan {
                    id: p.user.id.clone(),
                    label: person_label(p.user),
                    user_type: p.user_type,
                    rule: p
                        .rule
                        .and_then(|_| labels.get(p.rule_index as usize).cloned()),
                    ipo_name: p.derived_name.take(),
                    extension: p.extension.take(),
                    status,
                    reasons: std::mem::take(&mut p.reasons),
                    trace: p.trace.take().map(|t| *t).unwrap_or_default(),
                    verdict: p.verdict.take().map(|v| *v),
                }
            })
            .collect();
        drop(people);
        // Linked people no longer in the directory at all. Both lists come sorted by id
        // (people were sorted, links are a BTreeMap), so a merge keeps the whole sorted.
        let mut gone = Vec::new();
        for ((id, link), pos) in self.links.iter().zip(at) {
            if pos.is_some() {
                continue;
            }
            let held_here = !held_set.is_empty() && held_set.contains(id);
            let mut reasons = vec![Reason::OutOfScope];
            if held_here {
                reasons.push(Reason::RemovalHeld);
            }
            if out.kept.contains(id) {
                reasons.push(Reason::KeptByPolicy);
            }
            let status = match out.status.get(id) {
                Some(PersonStatus::Remove) if !held_here => PersonStatus::Remove,
                _ => PersonStatus::Skipped,
            };
            gone.push(PersonPlan {
                id: id.clone(),
                label: link
                    .name
                    .as_ref()
                    .map_or_else(|| Text::copied(id.as_str()), Text::from),
                user_type: None,
                rule: None,
                ipo_name: link.name.clone(),
                extension: link.extension_number.clone(),
                status,
                reasons,
                trace: if explain == Some(id) {
                    vec!["scope: no longer in any synced group (or deleted)".into()]
                } else {
                    Vec::new()
                },
                verdict: None,
            });
        }
        if !gone.is_empty() {
            let mut merged = Vec::with_capacity(lines.len() + gone.len());
            let mut gone = gone.into_iter().peekable();
            for line in lines {
                while let Some(g) = gone.next_if(|g| g.id < line.id) {
                    merged.push(g);
                }
                merged.push(line);
            }
            merged.extend(gone);
            lines = merged;
        }

        // Order: creates and updates, then removals (unless held).
        // Phase by phase: main work, then deferred deletes, then removals. The (small)
        // actions are gathered into one list; the writes stay in their buckets, which become
        // the plan's chunks in the same order: moving 100k whole IP Office records into one
        // vector was a third of the time spent here.
        let total = out.main.len() + out.later.len() + out.removals.len();
        let mut actions = Vec::with_capacity(total);
        let mut prepared = Vec::new();
        for phase in 0..PHASES {
            for bucket in [&mut out.main, &mut out.later, &mut out.removals] {
                let (a, p) = bucket.take(phase);
                a.into_iter().for_each(|a| actions.extend(a));
                prepared.extend(p.into_iter().filter(|p| !p.is_empty()));
            }
        }
        if let Some(only) = explain {
            let keep = |a: &Action| a.person.as_ref() == Some(only);
            let mut kept = actions.iter().map(keep).collect::<Vec<_>>().into_iter();
            for chunk in &mut prepared {
                chunk.retain(|_| kept.next().unwrap_or(false));
            }
            actions.retain(keep);
        }
        if let Some(only) = explain {
            teams_actions.retain(|t| &t.person == only);
        }

        for (k, v) in out.link_updates {
            self.link_updates.insert(k, v);
        }
        let state_updates: Vec<StateUpdate> = self
            .link_updates
            .into_iter()
            .map(|(person, link)| StateUpdate { person, link })
            .collect();
        let mut notes = self.notes;
        notes.extend(out.notes);
        if let Some(h) = &held {
            notes.push(h.message());
        }
        Plan {
            actions,
            people: lines,
            licenses: licenses.into_values().collect(),
            held_removals: held,
            teams_actions,
            notes,
            prepared,
            state_updates,
        }
    }
}

/// The forecast line of a profile, starting from the free count.
fn license_need<'m>(
    licenses: &'m mut BTreeMap<Profile, LicenseNeed>,
    snapshot: &IpoSnapshot,
    profile: Profile,
) -> &'m mut LicenseNeed {
    licenses.entry(profile).or_insert_with(|| LicenseNeed {
        profile,
        needed: 0,
        free: snapshot.free_licenses(profile),
        dropped: 0,
    })
}

/// The mapped value to write when it differs from `current`, with old -> new recorded; a
/// value IP Office would refuse becomes a reason and leaves the field alone. The caller
/// writes it, so an unchanged user is never copied.
fn set_mapped<T: PartialEq>(
    p: &mut Person<'_>,
    changes: &mut Vec<FieldChange>,
    field: &'static str,
    value: Result<Option<T>, Reason>,
    current: &Option<T>,
) -> Option<T>
where
    for<'t> &'t T: Into<Text>,
{
    match value {
        Ok(Some(v)) if current.as_ref() != Some(&v) => {
            changes.push(FieldChange::new(
                field,
                current.as_ref().map(Into::into),
                Some((&v).into()),
            ));
            Some(v)
        }
        Ok(_) => None,
        Err(r) => {
            p.reasons.push(r);
            None
        }
    }
}

fn ext_suffix(e: &Option<ExtensionNumber>) -> String {
    e.as_ref()
        .map(|e| format!(" with extension {e}"))
        .unwrap_or_default()
}

/// `base` when its key is free, else `base 2`, `base 3`...; the name given is marked taken.
fn unique_entry_name(base: &FullName, key: String, taken: &mut FastSet<String>) -> FullName {
    if taken.insert(key) {
        return base.clone();
    }
    for n in 2u32.. {
        let suffix = format!(" {n}");
        let room = ipo_model::MAX_FULL_NAME_LEN.saturating_sub(suffix.len());
        let stem: String = base.as_str().chars().take(room).collect();
        if let Ok(candidate) = format!("{}{suffix}", stem.trim_end()).parse::<FullName>()
            && taken.insert(candidate.as_str().to_lowercase())
        {
            return candidate;
        }
    }
    base.clone()
}

/// An existing user as a record: name and GUID.
fn user_record(u: &IpoUser) -> RecordRef {
    RecordRef::new(RecordKind::User, &u.name).with_guid(u.guid.clone())
}

/// The person's UPN, else display name, else object id (as [`DirectoryUser::label`], in
/// one allocation).
fn person_label(u: &DirectoryUser) -> Text {
    match u
        .user_principal_name
        .as_deref()
        .or(u.display_name.as_deref())
    {
        Some(l) => Text::copied(l),
        None => Text::copied(u.id.as_str()),
    }
}

fn profile_text(p: Profile) -> Text {
    p.name().map_or_else(|| p.display_name().into(), Text::from)
}

fn flag_text(on: bool) -> Text {
    Text::from(if on { "true" } else { "false" })
}

fn kind_text(kind: ipo_model::ExtensionKind) -> Text {
    use ipo_model::ExtensionKind as K;
    match kind {
        K::H323 => "H323".into(),
        K::Sip => "Sip".into(),
        K::IpDect => "IpDect".into(),
        K::SipDect => "SipDect".into(),
        other => format!("{other:?}").into(),
    }
}

/// The names taken in IP Office (users and hunt groups), listed on first use: a plan with
/// no create and no rename never needs them.
struct TakenNames<'s> {
    snapshot: &'s IpoSnapshot,
    registry: Option<NameRegistry<FastState>>,
    /// Names the plan will add (room made once instead of rehashing as it grows).
    creates: usize,
}

impl TakenNames<'_> {
    fn get(&mut self) -> &mut NameRegistry<FastState> {
        let s = self.snapshot;
        let creates = self.creates;
        self.registry.get_or_insert_with(|| {
            let mut r = NameRegistry::with_hasher(FastState::default());
            r.reserve(s.users.len() + s.hunt_groups.len() + creates);
            for n in s.users.iter().map(|u| &u.name) {
                r.insert(n);
            }
            for n in s.hunt_groups.iter().map(|h| &h.name) {
                r.insert(n);
            }
            r
        })
    }
}

/// Marks a leaver removed: on their person when they are still in the directory.
fn mark_removed(
    people: &mut [Person<'_>],
    at: Option<usize>,
    id: &ObjectId,
    gone: &mut FastMap<ObjectId, PersonStatus>,
) {
    match at.and_then(|i| people.get_mut(i)) {
        Some(p) => p.status = Some(PersonStatus::Remove),
        None => {
            gone.insert(id.clone(), PersonStatus::Remove);
        }
    }
}

/// A Teams-only person's wanted directory entry, before its name is made unique.
struct EntryWish {
    /// The name before it is made unique.
    name: FullName,
    /// Its uniqueness key (entries are told apart case-insensitively).
    key: String,
    number: TeamsNumber,
    /// The number as the directory shows it.
    number_text: String,
}

/// Apply order: extensions before the users that need them, removals last.
fn phase(kind: ActionKind) -> u8 {
    match kind {
        ActionKind::CreateExtension => 0,
        ActionKind::CreateUser => 1,
        ActionKind::UpdateUser => 2,
        ActionKind::UpdateHuntGroup => 3,
        ActionKind::RemoveDirectoryEntry => 4,
        ActionKind::PutDirectoryEntry => 5,
        ActionKind::DisableUser => 6,
        ActionKind::DeleteUser => 7,
        ActionKind::DeleteExtension => 8,
    }
}

fn make(
    kind: ActionKind,
    person: Option<&ObjectId>,
    record: RecordRef,
    changes: Changes,
    change: IpoChange,
    effect: Effect,
) -> (Action, Prepared) {
    (
        Action {
            kind,
            record,
            person: person.cloned(),
            changes,
        },
        Prepared { change, effect },
    )
}

/// Number of apply phases (see [`phase`]).
const PHASES: usize = 9;

/// Actions filed by apply phase as they are planned, so the plan never sorts its (large)
/// items: a sort of 100k creates moved each one a dozen times. Each phase holds a list of
/// chunks, joined as whole chunks, never copied.
#[derive(Default)]
struct Buckets {
    actions: [Vec<Vec<Action>>; PHASES],
    prepared: [Vec<Vec<Prepared>>; PHASES],
}

impl Buckets {
    fn push(&mut self, (action, prepared): (Action, Prepared)) {
        let i = usize::from(phase(action.kind));
        last_chunk(&mut self.actions[i]).push(action);
        last_chunk(&mut self.prepared[i]).push(prepared);
    }

    fn len(&self) -> usize {
        self.actions.iter().flatten().map(Vec::len).sum()
    }

    fn reserve(&mut self, kind: ActionKind, n: usize) {
        let i = usize::from(phase(kind));
        last_chunk(&mut self.actions[i]).reserve(n);
        last_chunk(&mut self.prepared[i]).reserve(n);
    }

    fn iter(&self) -> impl Iterator<Item = (&Action, &Prepared)> {
        let actions = self.actions.iter().flatten().flatten();
        actions.zip(self.prepared.iter().flatten().flatten())
    }

    fn clear(&mut self) {
        self.actions.iter_mut().for_each(Vec::clear);
        self.prepared.iter_mut().for_each(Vec::clear);
    }

    /// Appends `other`'s items after this one's, phase by phase.
    fn absorb(&mut self, other: Buckets) {
        for (mine, theirs) in self.actions.iter_mut().zip(other.actions) {
            mine.extend(theirs.into_iter().filter(|c| !c.is_empty()));
        }
        for (mine, theirs) in self.prepared.iter_mut().zip(other.prepared) {
            mine.extend(theirs.into_iter().filter(|c| !c.is_empty()));
        }
    }

    fn take(&mut self, phase: usize) -> (Vec<Vec<Action>>, Vec<Vec<Prepared>>) {
        (
            std::mem::take(&mut self.actions[phase]),
            std::mem::take(&mut self.prepared[phase]),
        )
    }
}

/// The chunk new items go to (a new one when there is none).
fn last_chunk<T>(chunks: &mut Vec<Vec<T>>) -> &mut Vec<T> {
    if chunks.is_empty() {
        chunks.push(Vec::new());
    }
    let last = chunks.len() - 1;
    &mut chunks[last]
}

#[derive(Default)]
struct Output {
    /// Creates and updates.
    main: Buckets,
    /// Extension records freed by a renumbering, deleted after the user moved.
    later: Buckets,
    /// Removals of people who left scope (held as a whole above the threshold).
    removals: Buckets,
    /// Status of linked people who are no longer in the directory (the others carry theirs).
    status: FastMap<ObjectId, PersonStatus>,
    link_updates: BTreeMap<ObjectId, Option<Link>>,
    kept: FastSet<ObjectId>,
    notes: Vec<String>,
    /// Profiles the creates and updates assign, counted as they are planned (for the
    /// licence forecast, without walking the writes again).
    profiles_assigned: BTreeMap<Profile, u32>,
    /// The field changes of this output's actions, kept together.
    store: ChangeStore,
    /// An emptied change list kept for its room (see [`Output::scratch`]).
    scratch: Vec<FieldChange>,
}

impl Output {
    /// Appends what another part of the people produced, after this part's.
    fn absorb(&mut self, other: Output) {
        self.main.absorb(other.main);
        self.later.absorb(other.later);
        self.removals.absorb(other.removals);
        self.status.extend(other.status);
        self.link_updates.extend(other.link_updates);
        self.kept.extend(other.kept);
        self.notes.extend(other.notes);
        for (profile, n) in other.profiles_assigned {
            *self.profiles_assigned.entry(profile).or_default() += n;
        }
    }

    /// An empty change list to fill for the next action (reused: no allocation per action).
    fn scratch(&mut self) -> Vec<FieldChange> {
        std::mem::take(&mut self.scratch)
    }

    /// Moves `changes` into the store; the emptied list is kept for the next action.
    fn store(&mut self, mut changes: Vec<FieldChange>) -> Changes {
        let stored = self.store.take(&mut changes);
        if changes.capacity() > self.scratch.capacity() {
            self.scratch = changes;
        }
        stored
    }

    fn push(
        &mut self,
        kind: ActionKind,
        person: Option<&ObjectId>,
        record: RecordRef,
        changes: Vec<FieldChange>,
        change: IpoChange,
        effect: Effect,
    ) {
        let changes = self.store(changes);
        self.main
            .push(make(kind, person, record, changes, change, effect));
    }

    /// An action with a single change, written straight into the store.
    fn push_one(
        &mut self,
        kind: ActionKind,
        person: Option<&ObjectId>,
        record: RecordRef,
        one: FieldChange,
        change: IpoChange,
        effect: Effect,
    ) {
        let changes = self.store.one(one);
        self.main
            .push(make(kind, person, record, changes, change, effect));
    }

    /// A write deferred until after the main ones (an extension freed by a renumbering).
    fn push_later(
        &mut self,
        kind: ActionKind,
        person: Option<&ObjectId>,
        record: RecordRef,
        change: IpoChange,
        effect: Effect,
    ) {
        let none = Changes::default();
        self.later
            .push(make(kind, person, record, none, change, effect));
    }

    fn removal(
        &mut self,
        kind: ActionKind,
        person: &ObjectId,
        record: RecordRef,
        changes: Vec<FieldChange>,
        change: IpoChange,
        effect: Effect,
    ) {
        let changes = self.store(changes);
        self.removals
            .push(make(kind, Some(person), record, changes, change, effect));
    }
}
