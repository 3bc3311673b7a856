//! Azure AD contacts (`orgContact`) in the system directory, when `[sync.system_directory]
//! contacts` is on: an entry per contact for its business number (else its mobile), and
//! one for its mobile too when `numbers` asks for it. The entries are the sync's, like
//! people's: kept in the state and removed when the contact goes (or contacts are off).
//! People no rule holds whom `people = "tenant"` or `groups` list come the same way (see
//! `directory_people`).

use super::system_directory::{labelled_name, push_remove, settle_name};
use super::*;
use crate::config::SystemDirectoryNumber;

impl<'a> Planner<'a> {
    pub(super) fn contact_entries(
        &self,
        contacts: &[AzureAdContact],
        taken: &mut HashSet<String>,
        out: &mut Output,
    ) {
        let settings = &self.config.system_directory;
        let on = settings.enabled && (settings.contacts || settings.lists_people_outside_rules());
        let mut sorted: Vec<&AzureAdContact> = if on {
            contacts.iter().collect()
        } else {
            Vec::new()
        };
        sorted.sort_by(|a, b| a.id.cmp(&b.id));
        sorted.dedup_by(|a, b| a.id == b.id);
        let (updates, mut kept) = self.contact_links_now();
        for c in &sorted {
            let link = kept.remove(&c.id);
            let Some((base, main, extra)) = self.contact_wish(c) else {
                // No usable name or number: whatever it had goes.
                for old in link.iter().flat_map(Link::directory_entries) {
                    push_remove(out, &c.id, old, true);
                }
                continue;
            };
            let own = link.as_ref().and_then(|l| l.directory_entry.as_ref());
            let key = base.as_str().to_lowercase();
            let name = settle_name(&base, key, own, taken);
            let text = directory_text(&main);
            let _ = self.put_entry(
                &c.id,
                own,
                SystemDirectoryNumber::Teams,
                &name,
                main,
                &text,
                true,
                out,
            );
            let owned_mobile = link
                .as_ref()
                .and_then(|l| l.directory_extra.get(&SystemDirectoryNumber::Mobile));
            match extra {
                Some(mobile) => {
                    if let Some(labelled) = labelled_name(&name, "mobile", owned_mobile, taken) {
                        let text = directory_text(&mobile);
                        let _ = self.put_entry(
                            &c.id,
                            owned_mobile,
                            SystemDirectoryNumber::Mobile,
                            &labelled,
                            mobile,
                            &text,
                            true,
                            out,
                        );
                    }
                }
                None => {
                    if let Some(old) = owned_mobile {
                        push_remove(out, &c.id, old, true);
                    }
                }
            }
        }
        // Contacts gone from Azure AD (or contacts turned off): their entries go.
        for (id, link) in kept {
            for old in link.directory_entries() {
                push_remove(out, id, old, true);
            }
        }
        out.contact_updates = updates;
    }

    /// The contacts' links as IP Office has their entries now, and the changes to save.
    fn contact_links_now(&self) -> (Vec<StateUpdate>, BTreeMap<&'a ObjectId, Link>) {
        // Entries deleted by hand in IP Office are forgotten (and made again while wanted);
        // entries an interrupted run made before it could save them are taken back.
        let ix = &self.ix;
        let present = |n: &FullName| ix.entry_by_name.contains_key(n.as_str());
        let recovering = self.pending.iter().filter(|(_, p)| p.contact);
        let ids: BTreeSet<&ObjectId> = (self.contact_links.keys())
            .chain(recovering.map(|(id, _)| id))
            .collect();
        let mut updates = Vec::new();
        let mut kept: BTreeMap<&'a ObjectId, Link> = BTreeMap::new();
        for id in ids {
            let old = self.contact_links.get(id);
            let mut l = old
                .cloned()
                .unwrap_or_else(|| Link::new(UserType::TeamsOnly));
            l.directory_entry = l.directory_entry.take().filter(|n| present(n));
            l.directory_extra.retain(|_, n| present(n));
            if let Some(p) = self.pending.get(id).filter(|p| p.contact) {
                if l.directory_entry.is_none() {
                    l.directory_entry = p.directory_entry.clone().filter(|n| present(n));
                }
                for (number, n) in &p.directory_extra {
                    if !l.directory_extra.contains_key(number) && present(n) {
                        l.directory_extra.insert(*number, n.clone());
                    }
                }
            }
            if Some(&l) != old && !(old.is_none() && l.is_empty()) {
                updates.push(StateUpdate {
                    person: id.clone(),
                    link: (!l.is_empty()).then(|| l.clone()),
                });
            }
            kept.insert(id, l);
        }
        (updates, kept)
    }

    /// A contact's entry name, its main number (the first business phone, else the mobile)
    /// and its mobile as a second entry when `numbers` holds `mobile` and it is another
    /// number. `None` when it has no usable name or number.
    fn contact_wish(
        &self,
        c: &AzureAdContact,
    ) -> Option<(FullName, TeamsNumber, Option<TeamsNumber>)> {
        let label = c.display_name.as_deref().or(c.mail.as_deref())?;
        let (name, _) = mapping::directory_name(FullName::derive(label)?, "displayName");
        let name = name?;
        let business = c
            .business_phones
            .iter()
            .find_map(|b| TeamsNumber::parse_as(b, ipo_model::NumberFormat::AzurePortal).ok());
        let mobile = c
            .mobile_phone
            .as_deref()
            .and_then(|m| ipo_model::E164Number::parse_lenient(m).ok())
            .map(TeamsNumber::number_only);
        match (business, mobile) {
            (Some(b), Some(m)) => {
                let wanted = self
                    .config
                    .system_directory
                    .numbers
                    .contains(&SystemDirectoryNumber::Mobile)
                    && b.number() != m.number();
                Some((name, b, wanted.then_some(m)))
            }
            (Some(only), None) | (None, Some(only)) => Some((name, only, None)),
            (None, None) => None,
        }
    }
}

fn directory_text(n: &TeamsNumber) -> String {
    n.format(ipo_model::NumberFormat::IpoDirectory)
        .unwrap_or_default()
}
