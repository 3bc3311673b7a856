//! The Azure AD (Entra ID) side: a user as the sync sees it.

use std::borrow::Cow;
use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::id::{GroupId, ObjectId};

/// The Microsoft Graph names of the Azure AD user properties a [`AzureAdUser`] holds: what
/// classification reads, so every read of users asks for them (`$select`).
pub const AZURE_AD_USER_PROPERTIES: [&str; 17] = [
    "id",
    "userPrincipalName",
    "displayName",
    "givenName",
    "surname",
    "mail",
    "mailNickname",
    "businessPhones",
    "mobilePhone",
    "accountEnabled",
    "employeeId",
    "department",
    "officeLocation",
    "usageLocation",
    "onPremisesExtensionAttributes",
    "assignedLicenses",
    "assignedPlans",
];
/// Status of an assigned service plan (`capabilityStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum CapabilityStatus {
    /// Enabled.
    Enabled,
    /// Grace period (licence expiring).
    Warning,
    /// Suspended.
    Suspended,
    /// Locked out.
    LockedOut,
    /// Deleted.
    Deleted,
    /// A status Graph added that we do not know.
    Other,
}

impl CapabilityStatus {
    /// Parses Graph's text, unknown values become [`CapabilityStatus::Other`].
    pub fn from_graph(s: &str) -> Self {
        match s {
            "Enabled" => Self::Enabled,
            "Warning" => Self::Warning,
            "Suspended" => Self::Suspended,
            "LockedOut" => Self::LockedOut,
            "Deleted" => Self::Deleted,
            _ => Self::Other,
        }
    }
}

/// One entry of `assignedPlans`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AssignedPlan {
    /// `servicePlanId` (GUID text, lower-case).
    pub service_plan_id: String,
    /// `service`, e.g. `"MicrosoftCommunicationsOnline"`.
    pub service: Option<String>,
    /// `capabilityStatus`.
    pub capability_status: CapabilityStatus,
    /// `assignedDateTime`.
    pub assigned_at: Option<DateTime<Utc>>,
}

impl AssignedPlan {
    /// A plan with the given id and status.
    pub fn new(service_plan_id: impl Into<String>, status: CapabilityStatus) -> Self {
        Self {
            service_plan_id: service_plan_id.into().to_ascii_lowercase(),
            service: None,
            capability_status: status,
            assigned_at: None,
        }
    }
}

/// One entry of `assignedLicenses`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AssignedLicense {
    /// `skuId` (GUID text, lower-case).
    pub sku_id: String,
    /// `disabledPlans` (service plan ids, lower-case).
    pub disabled_plans: Vec<String>,
}

impl AssignedLicense {
    /// A licence with no disabled plans.
    pub fn new(sku_id: impl Into<String>) -> Self {
        Self {
            sku_id: sku_id.into().to_ascii_lowercase(),
            disabled_plans: Vec::new(),
        }
    }
}

/// `assignmentCategory` of a Teams telephone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AssignmentCategory {
    /// Primary.
    Primary,
    /// Private.
    Private,
    /// Alternate.
    Alternate,
    /// Something else.
    Other,
}

/// A telephone number Teams assigned to a user (text as Graph gave it, e.g. `+13235533696`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TeamsPhoneNumber {
    /// `telephoneNumber`.
    pub number: String,
    /// `assignmentCategory`.
    pub category: AssignmentCategory,
}

impl TeamsPhoneNumber {
    /// A number with its category.
    pub fn new(number: impl Into<String>, category: AssignmentCategory) -> Self {
        Self {
            number: number.into(),
            category,
        }
    }

    /// The number as plans and reports write numbers, whatever notation Teams answered in;
    /// the text as Teams gave it when it is no number.
    ///
    /// ```
    /// use ipo_model::{AssignmentCategory, TeamsPhoneNumber};
    /// let n = TeamsPhoneNumber::new("tel:+441632768401;ext=401", AssignmentCategory::Primary);
    /// assert_eq!(n.shown(), "+441632768401 x401");
    /// ```
    pub fn shown(&self) -> String {
        crate::TeamsNumber::parse_any(&self.number)
            .map_or_else(|_| self.number.clone(), |t| t.to_string())
    }
}

/// What Teams says about a user's voice set-up, when it was read.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TeamsVoice {
    /// `telephoneNumbers`.
    pub telephone_numbers: Vec<TeamsPhoneNumber>,
    /// `isEnterpriseVoiceEnabled`.
    pub enterprise_voice_enabled: Option<bool>,
    /// `accountType` (e.g. `"user"`, `"resourceAccount"`).
    pub account_type: Option<String>,
    /// `effectivePolicyAssignments`, for the policy types the sync knows
    /// ([`TeamsPolicyType`](crate::TeamsPolicyType)); empty when not read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub effective_policies: Vec<crate::EffectivePolicy>,
}

/// The 15 on-premises extension attributes (`onPremisesExtensionAttributes`).
///
/// Serialises as the array of 15 values. Most users have none set, so they take no room
/// until one is: fifteen empty strings in place were 360 of a user's 816 bytes, and a
/// planner reading 100k users walked past them on every pass.
///
/// ```
/// use ipo_model::ExtensionAttributes;
/// let mut a = ExtensionAttributes::default();
/// a.set(3, Some("Sales".into()));
/// assert_eq!(a.get(3), Some("Sales"));
/// assert_eq!(a.get(4), None);
/// assert_eq!(a.get(16), None);
/// a.set(3, None);
/// assert_eq!(a, ExtensionAttributes::default());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExtensionAttributes(Option<Box<[Option<String>; 15]>>);

impl ExtensionAttributes {
    /// `extensionAttribute{n}` for `n` in 1..=15.
    pub fn get(&self, n: usize) -> Option<&str> {
        let all = self.0.as_deref()?;
        n.checked_sub(1)
            .and_then(|i| all.get(i))
            .and_then(|v| v.as_deref())
    }

    /// Sets `extensionAttribute{n}`; ignored for `n` outside 1..=15.
    pub fn set(&mut self, n: usize, value: Option<String>) {
        let Some(i) = n.checked_sub(1).filter(|i| *i < 15) else {
            return;
        };
        if value.is_none() && self.0.is_none() {
            return;
        }
        let all = self.0.get_or_insert_with(Default::default);
        all[i] = value;
        // Cleared to none again: back to no room, so it equals (and round-trips as) empty.
        if all.iter().all(Option::is_none) {
            self.0 = None;
        }
    }
}

impl From<[Option<String>; 15]> for ExtensionAttributes {
    fn from(values: [Option<String>; 15]) -> Self {
        let any = values.iter().any(Option::is_some);
        Self(any.then(|| Box::new(values)))
    }
}

impl Serialize for ExtensionAttributes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Some(all) => all.serialize(s),
            None => <[Option<String>; 15]>::default().serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for ExtensionAttributes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <[Option<String>; 15]>::deserialize(d).map(Self::from)
    }
}

/// An Azure AD user with the properties a directory sync needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AzureAdUser {
    /// `id`.
    pub id: ObjectId,
    /// `userPrincipalName`.
    pub user_principal_name: Option<String>,
    /// `displayName`.
    pub display_name: Option<String>,
    /// `givenName`.
    pub given_name: Option<String>,
    /// `surname`.
    pub surname: Option<String>,
    /// `mail`.
    pub mail: Option<String>,
    /// `mailNickname`.
    pub mail_nickname: Option<String>,
    /// `businessPhones`, as typed by people (`+1 (425) 555-0109`, `+441632768402 x402`).
    pub business_phones: Vec<String>,
    /// `mobilePhone`.
    pub mobile_phone: Option<String>,
    /// `accountEnabled`; `None` when not read.
    pub account_enabled: Option<bool>,
    /// `employeeId`.
    pub employee_id: Option<String>,
    /// `department`.
    pub department: Option<String>,
    /// `officeLocation`.
    pub office_location: Option<String>,
    /// `usageLocation`.
    pub usage_location: Option<String>,
    /// `onPremisesExtensionAttributes`.
    pub extension_attributes: ExtensionAttributes,
    /// `assignedLicenses`.
    pub assigned_licenses: Vec<AssignedLicense>,
    /// `assignedPlans`.
    pub assigned_plans: Vec<AssignedPlan>,
    /// Teams voice set-up, when read (`/admin/teams/userConfigurations`).
    pub teams: Option<TeamsVoice>,
    /// The watched groups this user was found in (transitively).
    pub groups: BTreeSet<GroupId>,
}

impl AzureAdUser {
    /// A user with only its id set.
    pub fn new(id: ObjectId) -> Self {
        Self {
            id,
            user_principal_name: None,
            display_name: None,
            given_name: None,
            surname: None,
            mail: None,
            mail_nickname: None,
            business_phones: Vec::new(),
            mobile_phone: None,
            account_enabled: None,
            employee_id: None,
            department: None,
            office_location: None,
            usage_location: None,
            extension_attributes: ExtensionAttributes::default(),
            assigned_licenses: Vec::new(),
            assigned_plans: Vec::new(),
            teams: None,
            groups: BTreeSet::new(),
        }
    }

    /// A short label for reports: UPN, else display name, else id.
    pub fn label(&self) -> String {
        self.user_principal_name
            .clone()
            .or_else(|| self.display_name.clone())
            .unwrap_or_else(|| self.id.to_string())
    }

    /// The value of a property by its Graph name (`displayName`, `mail`,
    /// `extensionAttribute7`, `businessPhones` (the first), `employeeId`...), as text.
    /// `None` when unset or unknown; [`AzureAdUser::is_known_property`] tells which names exist.
    pub fn property(&self, name: &str) -> Option<String> {
        self.property_str(name).map(Cow::into_owned)
    }

    /// [`AzureAdUser::property`] without copying the value (only `id` is built).
    pub fn property_str(&self, name: &str) -> Option<Cow<'_, str>> {
        fn s(v: &Option<String>) -> Option<Cow<'_, str>> {
            v.as_deref().map(Cow::Borrowed)
        }
        match name {
            "id" => Some(Cow::Owned(self.id.to_string())),
            "userPrincipalName" => s(&self.user_principal_name),
            "displayName" => s(&self.display_name),
            "givenName" => s(&self.given_name),
            "surname" => s(&self.surname),
            "mail" => s(&self.mail),
            "mailNickname" => s(&self.mail_nickname),
            "businessPhones" => self
                .business_phones
                .first()
                .map(|v| Cow::Borrowed(v.as_str())),
            "mobilePhone" => s(&self.mobile_phone),
            "employeeId" => s(&self.employee_id),
            "department" => s(&self.department),
            "officeLocation" => s(&self.office_location),
            "usageLocation" => s(&self.usage_location),
            "teamsTelephoneNumber" => self.teams.as_ref().and_then(|t| {
                t.telephone_numbers
                    .iter()
                    .find(|n| n.category == AssignmentCategory::Primary)
                    .or(t.telephone_numbers.first())
                    .map(|n| Cow::Borrowed(n.number.as_str()))
            }),
            other => other
                .strip_prefix("extensionAttribute")
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|n| self.extension_attributes.get(n))
                .map(Cow::Borrowed),
        }
    }

    /// Whether [`AzureAdUser::property`] knows `name`.
    pub fn is_known_property(name: &str) -> bool {
        // The properties held as structures rather than text are not mappable.
        const NOT_TEXT: [&str; 4] = [
            "accountEnabled",
            "onPremisesExtensionAttributes",
            "assignedLicenses",
            "assignedPlans",
        ];
        let held = AZURE_AD_USER_PROPERTIES.contains(&name) && !NOT_TEXT.contains(&name);
        held || name == "teamsTelephoneNumber"
            || name
                .strip_prefix("extensionAttribute")
                .and_then(|n| n.parse::<usize>().ok())
                .is_some_and(|n| (1..=15).contains(&n) && name == format!("extensionAttribute{n}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_by_graph_name() {
        let mut u = AzureAdUser::new("87d349ed-44d7-43e1-9a83-5f2406dee5bd".parse().unwrap());
        u.display_name = Some("Adele Vance".into());
        u.extension_attributes.set(7, Some("402".into()));
        u.business_phones = vec!["+441632768402 x402".into()];
        assert_eq!(u.property("displayName").as_deref(), Some("Adele Vance"));
        assert_eq!(u.property("extensionAttribute7").as_deref(), Some("402"));
        assert_eq!(u.property("extensionAttribute8"), None);
        assert_eq!(
            u.property("businessPhones").as_deref(),
            Some("+441632768402 x402")
        );
        assert!(AzureAdUser::is_known_property("extensionAttribute15"));
        assert!(!AzureAdUser::is_known_property("extensionAttribute16"));
        assert!(!AzureAdUser::is_known_property("extensionAttribute07"));
        assert!(!AzureAdUser::is_known_property("shoeSize"));
        assert_eq!(u.label(), "Adele Vance");
    }
}
