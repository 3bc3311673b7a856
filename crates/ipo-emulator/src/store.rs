//! The stored configuration and the rules IP Office applies when it is written.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use ipo_model::{
    ExtensionNumber, FullName, LicensingMode, NO_USER, Platform, Profile, RawElement, RawFields,
    RawValue, UserName,
};

use crate::config::{EmulatorConfig, Node};
use crate::convert::{self, package};
use crate::error::EmulatorError;
use crate::record::{RawRecord, RecordKind, WireError, codes};
use crate::wire::{RecordIn, WsOut};
use emulator_kit::SplitMix64;

/// `AssignedPackage` codes that consume no licence: Basic User / Telephony User (1) and
/// Non-licensed User (8). **Assumption** for subscription mode: Telephony User (1) is free,
/// as the brief and the shared code table of the domain notes imply
/// ([IP Office profiles and licensing](https://github.com/ipo-teams/ipo-teams/blob/main/docs/domain.md#ip-office-profiles-and-licensing)).
const FREE_PACKAGES: [u8; 2] = [1, 8];

/// Fields IP Office fills in when a user is created without them; a lossy client that drops
/// them on update is caught because PUT replaces the record.
const USER_DEFAULTS: [(&str, &str); 13] = [
    ("FullName", ""),
    ("Extension", ""),
    ("AssignedPackage", "1"),
    ("CanIntrude", "false"),
    ("CannotBeIntruded", "true"),
    ("DoNotDisturb", "false"),
    ("Priority", "5"),
    ("Receptionist", "false"),
    ("TwinningType", "0"),
    ("VoicemailCode", ""),
    ("VoicemailEmail", ""),
    ("VoicemailOn", "true"),
    ("XDirectory", "false"),
];
const HUNT_GROUP_DEFAULTS: [(&str, &str); 5] = [
    ("MembersList", ""),
    ("GroupRingMode", "0"),
    ("ServiceMode", "1"),
    ("VoicemailOn", "false"),
    ("IsGroupDistributed", "false"),
];
/// **Assumption**: an extension created without `TypeInfo` is SIP (3).
const EXTENSION_DEFAULTS: [(&str, &str); 5] = [
    ("TypeInfo", "3"),
    ("CallerDisplayType", "1"),
    ("Module", "0"),
    ("Port", "0"),
    ("Location", ""),
];

fn text(s: &str) -> RawValue {
    RawValue::Text(s.to_owned())
}

fn add_defaults(f: &mut RawFields, defaults: &[(&str, &str)]) {
    for (n, v) in defaults {
        if f.get(n).is_none() {
            f.0.push(((*n).to_owned(), text(v)));
        }
    }
}

fn default_dss_keys() -> RawValue {
    let key = |n: &str| {
        RawValue::Element(RawElement {
            attributes: vec![("Key".into(), n.into())],
            children: RawFields(vec![
                ("KeyType".into(), text("0")),
                ("Label".into(), text("")),
                ("ActionObject".into(), text("39")),
                ("Data".into(), text("a=")),
            ]),
            text: None,
        })
    };
    RawValue::Element(RawElement {
        attributes: Vec::new(),
        children: RawFields(vec![
            ("DSSKey".into(), key("1")),
            ("DSSKey".into(), key("2")),
        ]),
        text: None,
    })
}

fn field(f: &RawFields, name: &str) -> String {
    f.text(name)
        .map(|c| c.trim().to_owned())
        .unwrap_or_default()
}

fn platform_wire(p: &Platform) -> String {
    match p {
        Platform::Ip500V2 => "IP500V2".into(),
        Platform::ServerEdition => "ServerEdition".into(),
        Platform::Select => "Select".into(),
        Platform::Other(s) => s.clone(),
        _ => "Unknown".into(),
    }
}

/// Where a record is stored: its kind, then the order it was created in (listings follow it).
type Key = (RecordKind, u64);

/// Lookups the write rules need, kept in step with the records so that checking a write
/// costs a few map look-ups instead of a scan of every record (seeding or creating thousands
/// of users stays linear).
#[derive(Debug, Default)]
struct Index {
    by_guid: HashMap<String, Key>,
    /// Records per kind.
    counts: HashMap<RecordKind, usize>,
    /// Users and hunt groups by `Name` exactly as stored.
    names: HashMap<String, BTreeSet<Key>>,
    /// Users, hunt groups and extension records by `Extension` (trimmed, non-empty).
    numbers: HashMap<String, BTreeSet<Key>>,
    /// Users holding each licensed profile.
    licensed: BTreeMap<Profile, u32>,
}

/// What one record contributes to the index.
struct Entry {
    name: Option<String>,
    number: Option<String>,
    licensed: Option<Profile>,
}

impl Index {
    fn add(&mut self, key: Key, guid: &str, e: Entry) {
        self.by_guid.insert(guid.to_owned(), key);
        *self.counts.entry(key.0).or_default() += 1;
        if let Some(n) = e.name {
            self.names.entry(n).or_default().insert(key);
        }
        if let Some(n) = e.number {
            self.numbers.entry(n).or_default().insert(key);
        }
        if let Some(p) = e.licensed {
            *self.licensed.entry(p).or_default() += 1;
        }
    }

    fn remove(&mut self, key: Key, guid: &str, e: Entry) {
        if self.by_guid.get(guid) == Some(&key) {
            self.by_guid.remove(guid);
        }
        if let Some(c) = self.counts.get_mut(&key.0) {
            *c = c.saturating_sub(1);
        }
        for (map, k) in [(&mut self.names, e.name), (&mut self.numbers, e.number)] {
            if let Some(k) = k
                && let Some(set) = map.get_mut(&k)
            {
                set.remove(&key);
                if set.is_empty() {
                    map.remove(&k);
                }
            }
        }
        if let Some(p) = e.licensed
            && let Some(c) = self.licensed.get_mut(&p)
        {
            *c = c.saturating_sub(1);
        }
    }

    fn count(&self, kind: RecordKind) -> usize {
        self.counts.get(&kind).copied().unwrap_or(0)
    }
}

/// The configuration of the whole solution.
#[derive(Debug)]
pub(crate) struct Store {
    pub(crate) mode: LicensingMode,
    pub(crate) platform: Platform,
    pub(crate) nodes: Vec<Node>,
    pub(crate) version: String,
    /// `PBXLicense/LicenseMode` as answered.
    pub(crate) license_mode_wire: String,
    /// `Configuration` as answered.
    pub(crate) configuration_wire: String,
    records: BTreeMap<Key, RawRecord>,
    next_seq: u64,
    index: Index,
    rng: SplitMix64,
    next_extension_id: u32,
    max_users: Option<usize>,
    max_extensions: Option<usize>,
}

impl Store {
    pub(crate) fn new(cfg: &EmulatorConfig) -> Result<Self, EmulatorError> {
        let mut s = Self {
            mode: cfg.licensing_mode,
            platform: cfg.platform.clone(),
            nodes: cfg.effective_nodes(),
            version: cfg.version.clone(),
            license_mode_wire: cfg.license_mode_wire.clone(),
            configuration_wire: cfg.configuration_wire.clone(),
            records: BTreeMap::new(),
            next_seq: 0,
            index: Index::default(),
            rng: SplitMix64::new(cfg.rng_seed ^ 0x5EED),
            next_extension_id: 1,
            max_users: cfg.max_users.or_else(|| cfg.platform.max_users()),
            max_extensions: cfg.max_extensions.or_else(|| cfg.platform.max_extensions()),
        };
        for node in s.nodes.clone() {
            let guid = ipo_guid(&mut s.rng);
            let mut r = RawRecord::new(RecordKind::System, guid, s.system_fields(&node));
            r.node = Some(node.address.clone());
            s.insert(r);
        }
        let no_user = RawFields(vec![
            ("Name".into(), text(NO_USER)),
            ("FullName".into(), text("")),
            ("Extension".into(), text("")),
            ("AssignedPackage".into(), text("8")),
        ]);
        let guid = ipo_guid(&mut s.rng);
        s.insert(RawRecord::new(RecordKind::User, guid, no_user));
        s.load_seed(cfg)?;
        Ok(s)
    }

    fn load_seed(&mut self, cfg: &EmulatorConfig) -> Result<(), EmulatorError> {
        let seed = &cfg.seed;
        let typed = &seed.typed;
        let mode = self.mode;
        let batches: [(RecordKind, Vec<crate::seed::SeedRecord>); 4] = [
            (
                RecordKind::License,
                seed.licenses
                    .iter()
                    .cloned()
                    .chain(typed.licenses.iter().map(|l| {
                        let mut r = crate::seed::SeedRecord::new(convert::license_fields(l));
                        r.guid = l.guid.as_ref().map(|g| g.to_string());
                        r
                    }))
                    .collect(),
            ),
            (
                RecordKind::Extension,
                seed.extensions
                    .iter()
                    .cloned()
                    .chain(typed.extensions.iter().map(|e| {
                        let mut r = crate::seed::SeedRecord::new(convert::extension_fields(e));
                        r.guid = e.guid.as_ref().map(|g| g.to_string());
                        r.node = e.node.clone();
                        r
                    }))
                    .collect(),
            ),
            (
                RecordKind::User,
                seed.users
                    .iter()
                    .cloned()
                    .chain(typed.users.iter().map(|u| {
                        let mut r = crate::seed::SeedRecord::new(convert::user_fields(u, mode));
                        r.guid = u.guid.as_ref().map(|g| g.to_string());
                        r.node = u.node.clone();
                        r
                    }))
                    .collect(),
            ),
            (
                RecordKind::HuntGroup,
                seed.huntgroups
                    .iter()
                    .cloned()
                    .chain(typed.hunt_groups.iter().map(|h| {
                        let mut r = crate::seed::SeedRecord::new(convert::hunt_group_fields(h));
                        r.guid = h.guid.as_ref().map(|g| g.to_string());
                        r
                    }))
                    .collect(),
            ),
        ];
        for (kind, records) in batches {
            for r in records {
                let rin = RecordIn {
                    element: kind.element().to_owned(),
                    guid: r.guid.clone(),
                    attrs: Vec::new(),
                    fields: r.fields,
                };
                self.create(kind, rin, r.node.clone(), true)
                    .map_err(|errors| EmulatorError::Seed {
                        what: format!("{} {}", kind.element(), r.guid.unwrap_or_default()),
                        reason: errors
                            .iter()
                            .map(|e| format!("{}: {}", e.code, e.desc))
                            .collect::<Vec<_>>()
                            .join("; "),
                    })?;
            }
        }
        Ok(())
    }

    /// What `r` contributes to the index.
    fn entry(&self, r: &RawRecord) -> Entry {
        let named = matches!(r.kind, RecordKind::User | RecordKind::HuntGroup);
        let numbered = named || r.kind == RecordKind::Extension;
        Entry {
            name: named.then(|| field_raw(&r.fields, "Name")),
            number: Some(field(&r.fields, "Extension")).filter(|n| numbered && !n.is_empty()),
            licensed: (r.kind == RecordKind::User)
                .then(|| self.licensed_profile(&r.fields))
                .flatten(),
        }
    }

    /// Stores a new record after the others of its kind.
    fn insert(&mut self, r: RawRecord) {
        let key = (r.kind, self.next_seq);
        self.next_seq += 1;
        let e = self.entry(&r);
        self.index.add(key, &r.guid, e);
        self.records.insert(key, r);
    }

    /// The stored record with this GUID, and where it is.
    fn find(&self, guid: &str) -> Option<(Key, &RawRecord)> {
        let key = *self.index.by_guid.get(guid)?;
        self.records.get(&key).map(|r| (key, r))
    }

    /// Whether a record of one of `kinds` other than the one with GUID `me` is in `set`.
    fn held_by_other(
        &self,
        set: Option<&BTreeSet<Key>>,
        kinds: &[RecordKind],
        me: Option<&str>,
    ) -> bool {
        set.is_some_and(|set| {
            set.iter().any(|k| {
                kinds.contains(&k.0)
                    && self
                        .records
                        .get(k)
                        .is_some_and(|r| Some(r.guid.as_str()) != me)
            })
        })
    }

    fn system_fields(&self, node: &Node) -> RawFields {
        let mut parts = self.version.splitn(3, '.');
        let major = parts.next().unwrap_or("0").to_owned();
        let minor = parts.next().unwrap_or("0").to_owned();
        let build = parts.next().unwrap_or("0").to_owned();
        let lan = |id: &str, address: &str| {
            RawValue::Element(RawElement {
                attributes: vec![("id".to_owned(), id.to_owned())],
                children: RawFields(vec![("IPAddress".to_owned(), text(address))]),
                text: None,
            })
        };
        let elem = |name: &str, value: &str| {
            RawValue::Element(RawElement {
                attributes: Vec::new(),
                children: RawFields(vec![(name.to_owned(), text(value))]),
                text: None,
            })
        };
        RawFields(vec![
            ("Name".into(), text(&node.name)),
            ("MajorVersion".into(), text(&major)),
            ("MinorVersion".into(), text(&minor)),
            ("BuildVersion".into(), text(&build)),
            ("Configuration".into(), text(&self.configuration_wire)),
            // The guide's form: LANS/LAN[@id="LAN1"]/IPAddress (LAN2 too, unused).
            (
                "LANS".into(),
                RawValue::Element(RawElement {
                    attributes: Vec::new(),
                    children: RawFields(vec![
                        ("LAN".into(), lan("LAN1", &node.address)),
                        ("LAN".into(), lan("LAN2", "0.0.0.0")),
                    ]),
                    text: None,
                }),
            ),
            (
                "PBXLicense".into(),
                elem("LicenseMode", &self.license_mode_wire),
            ),
        ])
    }

    pub(crate) fn primary(&self) -> &str {
        self.nodes
            .first()
            .map(|n| n.address.as_str())
            .unwrap_or("127.0.0.1")
    }

    fn node_of<'a>(&'a self, r: &'a RawRecord) -> &'a str {
        r.node.as_deref().unwrap_or_else(|| self.primary())
    }

    /// The node an `ipaddress=` selector names.
    pub(crate) fn resolve_node(&self, ip: Option<&str>) -> Result<Option<String>, WireError> {
        match ip {
            None => Ok(None),
            Some(a) if self.nodes.iter().any(|n| n.address == a) => Ok(Some(a.to_owned())),
            Some(a) => Err(WireError::new(
                codes::INVALID_VALUE,
                format!("ipaddress {a} is not a node of this solution"),
                self.primary(),
            )),
        }
    }

    pub(crate) fn records(&self, kind: RecordKind) -> impl Iterator<Item = &RawRecord> {
        self.records
            .range((kind, 0)..=(kind, u64::MAX))
            .map(|(_, r)| r)
    }

    pub(crate) fn record(&self, guid: &str) -> Option<&RawRecord> {
        self.find(guid).map(|(_, r)| r)
    }

    /// Records of `kind` as listed, licences with their computed `FreeInstances`.
    pub(crate) fn listed(&self, kind: RecordKind, node: Option<&str>) -> Vec<RawRecord> {
        let mut out: Vec<RawRecord> = self
            .records(kind)
            .filter(|r| node.is_none_or(|n| self.node_of(r) == n))
            .cloned()
            .collect();
        if kind == RecordKind::License {
            let mut used = self.index.licensed.clone();
            for l in &mut out {
                let quantity = field(&l.fields, "Quantity").parse::<u32>().unwrap_or(0);
                let free = match convert::license_profile(l) {
                    Some(p) => {
                        let u = used.entry(p).or_default();
                        let take = (*u).min(quantity);
                        *u -= take;
                        quantity - take
                    }
                    None => field(&l.fields, "FreeInstances")
                        .parse()
                        .unwrap_or(quantity),
                };
                l.fields.set("FreeInstances", text(&free.to_string()));
            }
        }
        out
    }

    pub(crate) fn list(&self, kind: RecordKind, node: Option<&str>) -> Vec<WsOut> {
        self.listed(kind, node)
            .into_iter()
            .map(|r| out_of(&r))
            .collect()
    }

    /// The profile a user's package consumes a licence for, if any.
    fn licensed_profile(&self, f: &RawFields) -> Option<Profile> {
        let code = package(f)?;
        (!FREE_PACKAGES.contains(&code)).then(|| Profile::from_wire(code, self.mode))
    }

    fn free_licenses(&self, p: Profile, except: Option<&str>) -> u32 {
        let quantity: u32 = self
            .records(RecordKind::License)
            .filter(|l| convert::license_profile(l) == Some(p))
            .map(|l| field(&l.fields, "Quantity").parse::<u32>().unwrap_or(0))
            .sum();
        let mut used = self.index.licensed.get(&p).copied().unwrap_or(0);
        if let Some((_, r)) = except.and_then(|g| self.find(g))
            && r.kind == RecordKind::User
            && self.licensed_profile(&r.fields) == Some(p)
        {
            used = used.saturating_sub(1);
        }
        quantity.saturating_sub(used)
    }

    /// Free instances of the licences granting `p`.
    pub(crate) fn free_for(&self, p: Profile) -> u32 {
        self.free_licenses(p, None)
    }

    fn new_guid(&mut self) -> String {
        loop {
            let g = ipo_guid(&mut self.rng);
            if self.record(&g).is_none() {
                return g;
            }
        }
    }

    /// POST: validates and stores a new record. `keep_guid` keeps a seed's GUID.
    pub(crate) fn create(
        &mut self,
        kind: RecordKind,
        rin: RecordIn,
        node: Option<String>,
        keep_guid: bool,
    ) -> Result<WsOut, Vec<WireError>> {
        let location = node.clone().unwrap_or_else(|| self.primary().to_owned());
        let bad = |desc: String| vec![WireError::new(codes::INVALID_VALUE, desc, location.clone())];
        if rin.element != kind.element() {
            return Err(bad(format!(
                "{} cannot be created under {}",
                rin.element,
                kind.resource()
            )));
        }
        if kind == RecordKind::System {
            return Err(bad("systems cannot be created".into()));
        }
        let guid = match rin.guid.filter(|_| keep_guid) {
            Some(g) if self.record(&g).is_some() => {
                return Err(bad(format!("GUID {g} is already in use")));
            }
            Some(g) => g,
            None => self.new_guid(),
        };
        let mut fields = rin.fields;
        let mut errors = self.validate(kind, &fields, None, &location);
        let capacity = match kind {
            RecordKind::User => self.max_users.map(|m| {
                let no_users = self
                    .index
                    .names
                    .get(NO_USER)
                    .map_or(0, |s| s.iter().filter(|k| k.0 == RecordKind::User).count());
                (m, self.index.count(kind).saturating_sub(no_users))
            }),
            RecordKind::Extension => self.max_extensions.map(|m| (m, self.index.count(kind))),
            _ => None,
        };
        if let Some((max, count)) = capacity
            && count >= max
        {
            errors.push(WireError::new(
                codes::CAPACITY_EXCEEDED,
                format!(
                    "the {} holds at most {max} {}",
                    platform_wire(&self.platform),
                    kind.resource()
                ),
                location.clone(),
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut out = WsOut {
            element: kind.element().to_owned(),
            attrs: vec![("GUID".into(), guid.clone())],
            ..WsOut::default()
        };
        match kind {
            RecordKind::User => {
                add_defaults(&mut fields, &USER_DEFAULTS);
                if fields.get("DSSKeys").is_none() {
                    fields.0.push(("DSSKeys".into(), default_dss_keys()));
                }
            }
            RecordKind::HuntGroup => add_defaults(&mut fields, &HUNT_GROUP_DEFAULTS),
            RecordKind::Extension => {
                let id = self.next_extension_id.to_string();
                self.next_extension_id += 1;
                fields.remove("Id");
                fields.0.insert(0, ("Id".into(), text(&id)));
                add_defaults(&mut fields, &EXTENSION_DEFAULTS);
                out.fields = RawFields(vec![("Id".into(), text(&id))]);
            }
            _ => {}
        }
        let mut rec = RawRecord::new(kind, guid, fields);
        rec.node = node;
        rec.attributes = rin.attrs;
        self.insert(rec);
        Ok(out)
    }

    /// PUT: replaces the stored record with exactly the fields sent.
    pub(crate) fn update(
        &mut self,
        kind: RecordKind,
        rin: RecordIn,
        node: Option<String>,
    ) -> Result<WsOut, Vec<WireError>> {
        let location = node.clone().unwrap_or_else(|| self.primary().to_owned());
        let err = |code: &str, desc: String| vec![WireError::new(code, desc, location.clone())];
        if rin.element != kind.element() {
            return Err(err(
                codes::INVALID_VALUE,
                format!(
                    "{} cannot be updated under {}",
                    rin.element,
                    kind.resource()
                ),
            ));
        }
        let Some(guid) = rin.guid.filter(|g| !g.trim().is_empty()) else {
            return Err(err(
                codes::MISSING_GUID,
                format!("a {} update must carry its GUID", kind.element()),
            ));
        };
        let Some((key, old)) = self.find(&guid).filter(|(_, r)| {
            r.kind == kind && node.as_deref().is_none_or(|n| self.node_of(r) == n)
        }) else {
            return Err(err(
                codes::UNKNOWN_GUID,
                format!("no {} has GUID {guid}", kind.element()),
            ));
        };
        let old = old.clone();
        let location = self.node_of(&old).to_owned();
        if kind == RecordKind::User && field(&old.fields, "Name") == NO_USER {
            return Err(vec![WireError::new(
                codes::READ_ONLY_RECORD,
                format!("{NO_USER} cannot be changed"),
                location,
            )]);
        }
        let mut fields = rin.fields;
        let errors = self.validate(kind, &fields, Some(&old), &location);
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut out = WsOut {
            element: kind.element().to_owned(),
            attrs: vec![("GUID".into(), guid.clone())],
            ..WsOut::default()
        };
        if kind == RecordKind::Extension {
            // Id is the system's: it survives any update.
            let id = field(&old.fields, "Id");
            fields.remove("Id");
            fields.0.insert(0, ("Id".into(), text(&id)));
            out.fields = RawFields(vec![("Id".into(), text(&id))]);
        }
        if kind == RecordKind::User {
            let (before, after) = (field(&old.fields, "Extension"), field(&fields, "Extension"));
            if before != after {
                self.rewrite_members(&before, (!after.is_empty()).then_some(after.as_str()));
            }
        }
        let before = self.entry(&old);
        self.index.remove(key, &old.guid, before);
        let mut rec = old;
        rec.fields = fields;
        rec.attributes = rin.attrs;
        let after = self.entry(&rec);
        self.index.add(key, &rec.guid, after);
        self.records.insert(key, rec);
        Ok(out)
    }

    /// DELETE `?guid=`.
    /// Deletes a record; with a node selector (`node`), only one of that node, as updates.
    pub(crate) fn delete(
        &mut self,
        kind: RecordKind,
        guid: &str,
        node: Option<&str>,
    ) -> Result<(), Vec<WireError>> {
        let location = node.unwrap_or_else(|| self.primary()).to_owned();
        let Some((key, rec)) = self
            .find(guid)
            .filter(|(_, r)| r.kind == kind && node.is_none_or(|n| self.node_of(r) == n))
        else {
            return Err(vec![WireError::new(
                codes::UNKNOWN_GUID,
                format!("no {} has GUID {guid}", kind.element()),
                location,
            )]);
        };
        let read_only = match kind {
            RecordKind::User => field(&rec.fields, "Name") == NO_USER,
            RecordKind::System | RecordKind::License => true,
            _ => false,
        };
        if read_only {
            return Err(vec![WireError::new(
                codes::READ_ONLY_RECORD,
                format!("{} cannot be deleted", rec.label()),
                self.node_of(rec).to_owned(),
            )]);
        }
        let Some(removed) = self.records.remove(&key) else {
            return Ok(());
        };
        let e = self.entry(&removed);
        self.index.remove(key, &removed.guid, e);
        if kind == RecordKind::User {
            let ext = field(&removed.fields, "Extension");
            if !ext.is_empty() {
                self.rewrite_members(&ext, None);
            }
        }
        Ok(())
    }

    /// Follows a user's number change (or removal) in every hunt group's `MembersList`.
    fn rewrite_members(&mut self, old: &str, new: Option<&str>) {
        if old.is_empty() {
            return;
        }
        let groups = (RecordKind::HuntGroup, 0)..=(RecordKind::HuntGroup, u64::MAX);
        for (_, g) in self.records.range_mut(groups) {
            let members = convert::members(&g.fields);
            if !members.iter().any(|m| m == old) {
                continue;
            }
            let rewritten: Vec<&str> = members
                .iter()
                .filter_map(|m| if m == old { new } else { Some(m.as_str()) })
                .collect();
            g.fields.set("MembersList", text(&rewritten.join("|")));
        }
    }

    /// Replaces the `Quantity` of a licence record (the Rust API's "set licence counts").
    pub(crate) fn set_license_quantity(&mut self, p: Profile, quantity: u32) -> String {
        let licences = (RecordKind::License, 0)..=(RecordKind::License, u64::MAX);
        if let Some((_, r)) = self
            .records
            .range_mut(licences)
            .find(|(_, r)| convert::license_profile(r) == Some(p))
        {
            r.fields.set("Quantity", text(&quantity.to_string()));
            return r.guid.clone();
        }
        let guid = self.new_guid();
        let l = ipo_model::License::new(p.display_name(), quantity, quantity);
        self.insert(RawRecord::new(
            RecordKind::License,
            guid.clone(),
            convert::license_fields(&l),
        ));
        guid
    }

    /// Every rule IP Office checks on a write of `kind`.
    fn validate(
        &self,
        kind: RecordKind,
        f: &RawFields,
        old: Option<&RawRecord>,
        location: &str,
    ) -> Vec<WireError> {
        let mut errors = Vec::new();
        let mut push = |code: &str, desc: String| {
            errors.push(WireError::new(code, desc, location));
        };
        let me = old.map(|r| r.guid.as_str());
        if matches!(kind, RecordKind::User | RecordKind::HuntGroup) {
            self.check_name(f, me, &mut push);
        }
        self.check_extension(kind, f, me, &mut push);
        match kind {
            RecordKind::User => self.check_user(f, old, me, &mut push),
            RecordKind::HuntGroup => self.check_members(f, &mut push),
            _ => {}
        }
        errors
    }

    /// A user's or hunt group's name: valid, and nobody else's (users and hunt groups share
    /// one namespace).
    fn check_name(&self, f: &RawFields, me: Option<&str>, push: &mut impl FnMut(&str, String)) {
        let name = field_raw(f, "Name");
        match name.parse::<UserName>() {
            Err(e) => push(codes::INVALID_VALUE, format!("Name: {e}")),
            Ok(_) => {
                if self.held_by_other(
                    self.index.names.get(&name),
                    &[RecordKind::User, RecordKind::HuntGroup],
                    me,
                ) {
                    push(
                        codes::DUPLICATE_NAME,
                        "A user or huntgroup with the specified Name Already Exist.".into(),
                    );
                }
            }
        }
    }

    /// The extension number of a user, hunt group or extension record: valid, outside the
    /// hunt groups' reserved range for a hunt group, and not another record's of a kind it
    /// clashes with.
    fn check_extension(
        &self,
        kind: RecordKind,
        f: &RawFields,
        me: Option<&str>,
        push: &mut impl FnMut(&str, String),
    ) {
        let ext = field(f, "Extension");
        let clash_kinds: &[RecordKind] = match kind {
            RecordKind::User => &[RecordKind::User, RecordKind::HuntGroup],
            RecordKind::HuntGroup => &[
                RecordKind::User,
                RecordKind::HuntGroup,
                RecordKind::Extension,
            ],
            RecordKind::Extension => &[RecordKind::Extension, RecordKind::HuntGroup],
            _ => return,
        };
        if ext.is_empty() {
            if kind == RecordKind::Extension {
                push(
                    codes::INVALID_VALUE,
                    "Extension: a number is required".into(),
                );
            }
            return;
        }
        let n = match ext.parse::<ExtensionNumber>() {
            Ok(n) => n,
            Err(e) => return push(codes::INVALID_VALUE, format!("Extension: {e}")),
        };
        if kind == RecordKind::HuntGroup && n.is_hunt_group_reserved() {
            push(
                codes::INVALID_VALUE,
                format!("Extension: {ext} is reserved (8897-9999) for hunt groups"),
            );
        }
        if self.held_by_other(self.index.numbers.get(&ext), clash_kinds, me) {
            match kind {
                RecordKind::User => push(
                    codes::DUPLICATE_EXTENSION,
                    "Extension conflicts with another user".into(),
                ),
                RecordKind::Extension => push(
                    codes::EXTENSION_WRITE,
                    format!("the extension {ext} is already in use"),
                ),
                _ => push(
                    codes::HUNT_GROUP_WRITE,
                    format!("the extension {ext} is already in use"),
                ),
            }
        }
    }

    /// A user's full name, codes and profile (a licence free for it, unless it keeps its
    /// own).
    fn check_user(
        &self,
        f: &RawFields,
        old: Option<&RawRecord>,
        me: Option<&str>,
        push: &mut impl FnMut(&str, String),
    ) {
        let full = field_raw(f, "FullName");
        if !full.is_empty()
            && let Err(e) = full.parse::<FullName>()
        {
            push(codes::INVALID_VALUE, format!("FullName: {e}"));
        }
        check_digits(push, f, "LoginCode", 4, 31);
        check_digits(push, f, "VoicemailCode", 0, 15);
        let Some(code) = package(f) else {
            return push(
                codes::INVALID_VALUE,
                "AssignedPackage: not a profile code".into(),
            );
        };
        let p = Profile::from_wire(code, self.mode);
        if matches!(p, Profile::Unknown(_)) {
            push(
                codes::INVALID_VALUE,
                format!("AssignedPackage: {code} is no {} profile", self.mode),
            );
        } else if !FREE_PACKAGES.contains(&code) {
            let unchanged = old.is_some_and(|o| self.licensed_profile(&o.fields) == Some(p));
            if !unchanged && self.free_licenses(p, me) == 0 {
                push(codes::NO_LICENSE, format!("no free {p} licence"));
            }
        }
    }

    /// A hunt group's members: each the extension of a user.
    fn check_members(&self, f: &RawFields, push: &mut impl FnMut(&str, String)) {
        for m in convert::members(f) {
            let user = (self.index.numbers.get(&m))
                .is_some_and(|s| s.iter().any(|k| k.0 == RecordKind::User));
            if !user {
                push(
                    codes::INVALID_VALUE,
                    format!("MembersList: {m} is not the extension of a user"),
                );
            }
        }
    }
}

/// A field's text untrimmed (names are checked exactly as sent).
fn field_raw(f: &RawFields, name: &str) -> String {
    f.text(name).map(|c| c.into_owned()).unwrap_or_default()
}

/// Checks a secret digit field without ever echoing its value.
fn check_digits(
    push: &mut impl FnMut(&str, String),
    f: &RawFields,
    name: &str,
    min: usize,
    max: usize,
) {
    let v = field_raw(f, name);
    if v.is_empty() {
        return;
    }
    if !v.bytes().all(|b| b.is_ascii_digit()) || v.len() < min || v.len() > max {
        push(
            codes::INVALID_VALUE,
            format!("{name}: must be {min} to {max} digits"),
        );
    }
}

/// A stored record as a listing `ws_object`.
pub(crate) fn out_of(r: &RawRecord) -> WsOut {
    let mut attrs = vec![("GUID".to_owned(), r.guid.clone())];
    attrs.extend(r.attributes.iter().cloned());
    WsOut {
        element: r.kind.element().to_owned(),
        attrs,
        fields: r.fields.clone(),
        ..WsOut::default()
    }
}

/// 32 upper-case hex digits, the shape of an IP Office GUID.
fn ipo_guid(rng: &mut SplitMix64) -> String {
    rng.hex128().to_ascii_uppercase()
}

#[cfg(test)]
mod guid_tests {
    use super::*;

    #[test]
    fn generated_guids_parse_as_ip_office_guids() {
        let mut rng = SplitMix64::new(7);
        for _ in 0..20 {
            let g = ipo_guid(&mut rng);
            assert_eq!(g.len(), 32);
            assert!(g.parse::<ipo_model::Guid>().is_ok(), "{g}");
        }
    }
}
