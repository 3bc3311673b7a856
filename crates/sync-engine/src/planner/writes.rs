//! Stage 5 (names and creates): unique names in person order, then the writes that create users.

use super::*;

impl<'a> Planner<'a> {
    pub(super) fn assign_names_and_build(
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
        self.build_writes(people, link_of, out);
    }

    /// The writes of the people, named already.
    pub(super) fn build_writes(
        &self,
        people: &mut [Person<'a>],
        link_of: &[Option<&Link>],
        out: &mut Output,
    ) {
        for (p, &link) in people.iter_mut().zip(link_of) {
            if p.blocked || p.out_of_scope {
                continue;
            }
            let Some(Want::User { existing, adopted }) = &p.want else {
                continue;
            };
            let (existing, adopted) = (*existing, *adopted);
            match existing {
                None => self.build_create(p, out),
                Some(u) => self.build_update(p, u, adopted, link, out),
            }
        }
    }

    /// Names for new users and for renames, in person order: each must be unique among the
    /// names IP Office has and the ones given before it, so this pass cannot be split.
    /// The name is left in `derived_name` for the build.
    pub(super) fn assign_names(
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
    pub(super) fn renames(&self, p: &Person<'a>, adopted: bool, link: Option<&Link>) -> bool {
        let link_source = link.and_then(|l| l.name_source.as_deref());
        !adopted
            && self.config.fields.name.apply == ApplyMode::Always
            && p.name_source.is_some()
            && p.name_source.as_deref() != link_source
            && p.derived_name.is_some()
    }

    pub(super) fn node_for(&self, p: &Person<'a>) -> Option<String> {
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
    pub(super) fn create_extension_record(
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
        out.push(
            ActionKind::CreateExtension,
            Some(&p.user.id),
            RecordRef::new(RecordKind::Extension, number),
            vec![FieldChange::new("Type", None, Some(kind_text(kind)))],
            IpoChange::CreateExtension(ext),
            Effect::ExtensionCreated {
                number: number.clone(),
            },
        );
        true
    }

    /// A new user, named by [`Self::assign_names`].
    pub(super) fn build_create(&self, p: &mut Person<'a>, out: &mut Output) {
        let Some(name) = p.derived_name.clone() else {
            return;
        };
        let Some(t) = p.user_type else { return };
        let mut user = IpoUser::new(name.clone(), self.mode);
        let mut changes = Vec::new();
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
    pub(super) fn fill_optional(
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
}

/// The names taken in IP Office (users and hunt groups), listed on first use: a plan with
/// no create and no rename never needs them.
pub(super) struct TakenNames<'s> {
    pub(super) snapshot: &'s IpoSnapshot,
    pub(super) registry: Option<NameRegistry>,
    /// Names the plan will add (room made once instead of rehashing as it grows).
    pub(super) creates: usize,
}

impl TakenNames<'_> {
    pub(super) fn get(&mut self) -> &mut NameRegistry {
        let s = self.snapshot;
        let creates = self.creates;
        self.registry.get_or_insert_with(|| {
            let mut r = NameRegistry::new();
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

/// The mapped value to write when it differs from `current`, with old -> new recorded; a
/// value IP Office would refuse becomes a reason and leaves the field alone. The caller
/// writes it, so an unchanged user is never copied.
pub(super) fn set_mapped<T: PartialEq>(
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
