//! Which people can take part in IP Office features (hunt groups, park, page...).

use std::fmt;

use ipo_model::UserType;
use serde::{Deserialize, Serialize};

use crate::error::Ineligible;
use crate::verdict::Verdict;

/// IP Office features that need an IP Office user record (seed: "You can include these users
/// in other IP Office features such as hunt groups, park/page, and so on").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum IpoFeature {
    /// Hunt group membership.
    HuntGroup,
    /// Call park.
    Park,
    /// Paging.
    Page,
}

impl fmt::Display for IpoFeature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IpoFeature::HuntGroup => "a hunt group",
            IpoFeature::Park => "call park",
            IpoFeature::Page => "paging",
        })
    }
}

/// Whether the person in `verdict` can use `feature`: only people with an IP Office user
/// record and an extension (IP Office only, Teams + IP Office) can.
///
/// ```
/// use ipo_model::*;
/// use usertype_rules::{classify, eligibility, ClassifyInput, DefaultLicensePolicy, IpoFeature};
/// let mut ipo = IpoSnapshot::new(SystemInfo::new("s", "12.1", LicensingMode::Plds, Platform::Ip500V2));
/// let mut u = IpoUser::new("Bob".parse()?, LicensingMode::Plds);
/// u.extension = Some("201".parse()?);
/// ipo.users.push(u);
/// let c = classify(&ClassifyInput::new(&[], &ipo), &DefaultLicensePolicy::default());
/// assert!(eligibility(&c.verdicts[0], IpoFeature::Page).is_ok());
/// # Ok::<(), InvalidValue>(())
/// ```
pub fn eligibility(verdict: &Verdict, feature: IpoFeature) -> Result<(), Ineligible> {
    let fail = |reason: String| Ineligible {
        person: verdict.person.label.clone(),
        feature,
        user_type: verdict.user_type,
        reason,
    };
    if !verdict.facts.has_ipo_record() {
        let reason = match verdict.user_type.or(verdict.target) {
            Some(UserType::TeamsOnly) => {
                "a Teams-only user has no IP Office user record; make them Teams + IP Office"
                    .to_owned()
            }
            Some(t) => format!("the IP Office user record a {t} user needs does not exist yet"),
            None => "the person has no IP Office user record".to_owned(),
        };
        return Err(fail(reason));
    }
    if verdict.facts.ipo_extension.is_none() {
        return Err(fail(
            "the IP Office user has no extension; assign one first".to_owned(),
        ));
    }
    Ok(())
}

/// [`eligibility`] for hunt groups: yes only for people with an IP Office user record.
pub fn hunt_group_eligibility(verdict: &Verdict) -> Result<(), Ineligible> {
    eligibility(verdict, IpoFeature::HuntGroup)
}
