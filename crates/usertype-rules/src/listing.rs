//! Avaya's *Tenant Directory* and *Group Directory*: people **outside** the sync's rules whose
//! numbers IP Office's system directory lists anyway, so IP Office users can find them.
//! Whether such a person is listed is decided here, with the same identity rules and licence
//! policy as a classification, so a person is never both an IP Office user and a directory
//! entry.

use std::collections::BTreeMap;

use ipo_model::{AzureAdUser, Guid, IpoSnapshot, IpoUser, ObjectId};

use crate::config::MatchKey;
use crate::matching::{Found, IpoIndex};
use crate::policy::LicensePolicy;

/// Why a person outside the rules gets no system directory entry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotListed {
    /// The Azure AD account is disabled.
    Disabled,
    /// A Teams resource account (auto attendant, call queue): not a person.
    ResourceAccount,
    /// They have an IP Office user (by the sync's stored link, or by e-mail / UPN), which
    /// IP Office's directory lists already.
    HasIpoUser {
        /// That IP Office user's name.
        name: String,
    },
}

impl std::fmt::Display for NotListed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotListed::Disabled => f.write_str("account disabled in Azure AD"),
            NotListed::ResourceAccount => f.write_str("Teams resource account, not a person"),
            NotListed::HasIpoUser { name } => {
                write!(f, "has IP Office user {name:?}, listed as a user already")
            }
        }
    }
}

/// For each of `people` (Azure AD users no sync rule holds), whether IP Office's system
/// directory lists them: an enabled account, not a resource account, without an IP Office
/// user of their own. An IP Office user is theirs by the stored link in `links`, else by
/// e-mail or UPN (an equal extension alone is never an identity). Whether they have a
/// usable number is the directory's business, not this.
///
/// ```
/// use ipo_model::*;
/// use usertype_rules::{DefaultLicensePolicy, NotListed, directory_listing};
///
/// let mut ann = AzureAdUser::new("22222222-2222-2222-2222-222222222222".parse()?);
/// ann.mail = Some("ann.lee@contoso.example".into());
/// ann.account_enabled = Some(true);
/// let mut bo = AzureAdUser::new("33333333-3333-3333-3333-333333333333".parse()?);
/// bo.account_enabled = Some(false);
/// let ipo = IpoSnapshot::new(SystemInfo::new("ipo", "12.1", LicensingMode::Plds, Platform::Ip500V2));
///
/// let people = [ann, bo];
/// let listing = directory_listing(&people, &ipo, None, &DefaultLicensePolicy::default());
/// assert_eq!(listing[0].1, Ok(()));
/// assert_eq!(listing[1].1, Err(NotListed::Disabled));
/// # Ok::<(), InvalidValue>(())
/// ```
pub fn directory_listing<'a>(
    people: &'a [AzureAdUser],
    ipo: &IpoSnapshot,
    links: Option<&BTreeMap<ObjectId, Guid>>,
    policy: &dyn LicensePolicy,
) -> Vec<(&'a AzureAdUser, Result<(), NotListed>)> {
    let users: Vec<&IpoUser> = ipo.users.iter().filter(|u| !u.is_no_user()).collect();
    let index = IpoIndex::new(&users, links);
    const KEYS: [MatchKey; 2] = [MatchKey::SyncLink, MatchKey::Email];
    people
        .iter()
        .map(|p| {
            let verdict = if p.account_enabled == Some(false) {
                Err(NotListed::Disabled)
            } else if policy.is_resource_account(p) {
                Err(NotListed::ResourceAccount)
            } else {
                let link = links.and_then(|l| l.get(&p.id));
                let mut stale = false;
                match index.find(p, None, link, &KEYS, &users, &mut stale) {
                    Found::Nothing => Ok(()),
                    Found::One(i, _) => Err(has_user(users.get(i))),
                    Found::Many(_, found) => {
                        Err(has_user(found.first().and_then(|&i| users.get(i))))
                    }
                }
            };
            (p, verdict)
        })
        .collect()
}

fn has_user(user: Option<&&IpoUser>) -> NotListed {
    NotListed::HasIpoUser {
        name: user.map(|u| u.name.as_str().to_owned()).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DefaultLicensePolicy;
    use crate::skus::TEAMS_PHONE_RESOURCE_ACCOUNT_SKU;
    use ipo_model::{AssignedLicense, LicensingMode, Platform, SystemInfo, UserName};

    fn person(n: u8, mail: &str) -> AzureAdUser {
        let mut u = AzureAdUser::new(
            format!("22222222-2222-2222-2222-2222222222{n:02}")
                .parse()
                .unwrap(),
        );
        u.mail = Some(mail.into());
        u.account_enabled = Some(true);
        u.business_phones = vec![format!("+4416327684{n:02}")];
        u
    }

    fn ipo_with(users: Vec<IpoUser>) -> IpoSnapshot {
        let mut s = IpoSnapshot::new(SystemInfo::new(
            "ipo",
            "12.1",
            LicensingMode::Plds,
            Platform::Ip500V2,
        ));
        s.users = users;
        s
    }

    fn ipo_user(name: &str, email: Option<&str>, guid: &str) -> IpoUser {
        let mut u = IpoUser::new(name.parse::<UserName>().unwrap(), LicensingMode::Plds);
        u.email = email.map(String::from);
        u.guid = Some(guid.parse().unwrap());
        u
    }

    #[test]
    fn listed_unless_disabled_a_resource_account_or_an_ip_office_user() {
        let plain = person(1, "ann@contoso.example");
        let mut disabled = person(2, "bo@contoso.example");
        disabled.account_enabled = Some(false);
        let mut resource = person(3, "aa@contoso.example");
        resource.assigned_licenses = vec![AssignedLicense::new(TEAMS_PHONE_RESOURCE_ACCOUNT_SKU)];
        // The same address in other case: the same person.
        let by_mail = person(4, "Cara.Diaz@Contoso.example");
        let linked = person(5, "dev@contoso.example");
        // An equal extension alone is someone else's user, not theirs.
        let mut same_ext = person(6, "eve@contoso.example");
        same_ext.business_phones = vec!["+441632768406 x406".into()];
        let people = vec![plain, disabled, resource, by_mail, linked, same_ext];
        let mut reception = ipo_user("Reception", None, "0406");
        reception.extension = Some("406".parse().unwrap());
        let ipo = ipo_with(vec![
            ipo_user("caradiaz", Some("cara.diaz@contoso.example"), "CA0A"),
            ipo_user("devpatel", None, "DE0F"),
            reception,
        ]);
        let links: BTreeMap<ObjectId, Guid> =
            [(people[4].id.clone(), "DE0F".parse().unwrap())].into();
        let got: Vec<Result<(), NotListed>> = directory_listing(
            &people,
            &ipo,
            Some(&links),
            &DefaultLicensePolicy::default(),
        )
        .into_iter()
        .map(|(_, v)| v)
        .collect();
        assert_eq!(
            got,
            vec![
                Ok(()),
                Err(NotListed::Disabled),
                Err(NotListed::ResourceAccount),
                Err(NotListed::HasIpoUser {
                    name: "caradiaz".into()
                }),
                Err(NotListed::HasIpoUser {
                    name: "devpatel".into()
                }),
                Ok(()),
            ]
        );
        assert_eq!(
            NotListed::HasIpoUser {
                name: "caradiaz".into()
            }
            .to_string(),
            "has IP Office user \"caradiaz\", listed as a user already"
        );
    }
}
