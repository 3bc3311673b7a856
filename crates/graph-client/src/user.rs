//! Graph user JSON to [`AzureAdUser`]: null and missing properties tolerated, non-user
//! objects skipped, an unusable id reported with the field named.

use chrono::{DateTime, Utc};
use ipo_model::{
    AssignedLicense, AssignedPlan, AzureAdUser, CapabilityStatus, ExtensionAttributes, ObjectId,
};
use serde::Deserialize;

use crate::error::GraphError;
use crate::page::{Page, decode_page, diagnose_item};

/// `@odata.type` of users.
pub(crate) const USER_TYPE: &str = "#microsoft.graph.user";

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RawUser {
    #[serde(default, rename = "@odata.type")]
    pub odata_type: Option<String>,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    user_principal_name: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    given_name: Option<String>,
    #[serde(default)]
    surname: Option<String>,
    #[serde(default)]
    mail: Option<String>,
    #[serde(default)]
    mail_nickname: Option<String>,
    #[serde(default)]
    business_phones: Option<Vec<Option<String>>>,
    #[serde(default)]
    mobile_phone: Option<String>,
    #[serde(default)]
    account_enabled: Option<bool>,
    #[serde(default)]
    employee_id: Option<String>,
    #[serde(default)]
    department: Option<String>,
    #[serde(default)]
    office_location: Option<String>,
    #[serde(default)]
    usage_location: Option<String>,
    #[serde(default)]
    on_premises_extension_attributes: Option<RawExtensionAttributes>,
    #[serde(default)]
    assigned_licenses: Option<Vec<Option<RawLicense>>>,
    #[serde(default)]
    assigned_plans: Option<Vec<Option<RawPlan>>>,
    #[serde(default, rename = "@removed")]
    pub removed: Option<RawRemoved>,
}

#[derive(Deserialize, Default)]
pub(crate) struct RawRemoved {
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawExtensionAttributes {
    #[serde(default)]
    extension_attribute1: Option<String>,
    #[serde(default)]
    extension_attribute2: Option<String>,
    #[serde(default)]
    extension_attribute3: Option<String>,
    #[serde(default)]
    extension_attribute4: Option<String>,
    #[serde(default)]
    extension_attribute5: Option<String>,
    #[serde(default)]
    extension_attribute6: Option<String>,
    #[serde(default)]
    extension_attribute7: Option<String>,
    #[serde(default)]
    extension_attribute8: Option<String>,
    #[serde(default)]
    extension_attribute9: Option<String>,
    #[serde(default)]
    extension_attribute10: Option<String>,
    #[serde(default)]
    extension_attribute11: Option<String>,
    #[serde(default)]
    extension_attribute12: Option<String>,
    #[serde(default)]
    extension_attribute13: Option<String>,
    #[serde(default)]
    extension_attribute14: Option<String>,
    #[serde(default)]
    extension_attribute15: Option<String>,
}

impl From<RawExtensionAttributes> for ExtensionAttributes {
    fn from(r: RawExtensionAttributes) -> Self {
        ExtensionAttributes::from([
            r.extension_attribute1,
            r.extension_attribute2,
            r.extension_attribute3,
            r.extension_attribute4,
            r.extension_attribute5,
            r.extension_attribute6,
            r.extension_attribute7,
            r.extension_attribute8,
            r.extension_attribute9,
            r.extension_attribute10,
            r.extension_attribute11,
            r.extension_attribute12,
            r.extension_attribute13,
            r.extension_attribute14,
            r.extension_attribute15,
        ])
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawLicense {
    #[serde(default)]
    sku_id: Option<String>,
    #[serde(default)]
    disabled_plans: Option<Vec<Option<String>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPlan {
    #[serde(default)]
    assigned_date_time: Option<String>,
    #[serde(default)]
    capability_status: Option<String>,
    #[serde(default)]
    service: Option<String>,
    #[serde(default)]
    service_plan_id: Option<String>,
}

impl RawUser {
    /// Whether `@odata.type` says this is not a user (absent means a user: plain `/users`
    /// pages omit it).
    pub(crate) fn is_other_type(&self) -> bool {
        self.odata_type
            .as_deref()
            .is_some_and(|t| !t.eq_ignore_ascii_case(USER_TYPE))
    }

    fn label(&self) -> String {
        match (&self.user_principal_name, &self.display_name) {
            (Some(upn), _) => format!("user {upn}"),
            (None, Some(name)) => format!("user {name}"),
            (None, None) => "user (no name)".to_owned(),
        }
    }

    /// The object id, checked.
    pub(crate) fn object_id(&self) -> Result<ObjectId, GraphError> {
        let Some(id) = self.id.as_deref() else {
            return Err(GraphError::InvalidField {
                record: self.label(),
                field: "id".into(),
                message: "missing".into(),
            });
        };
        id.parse()
            .map_err(|e: ipo_model::InvalidValue| GraphError::InvalidField {
                record: self.label(),
                field: "id".into(),
                message: e.to_string(),
            })
    }

    /// The Azure AD user, `None` for a non-user object.
    pub(crate) fn into_user(self) -> Result<Option<AzureAdUser>, GraphError> {
        if self.is_other_type() {
            return Ok(None);
        }
        let mut u = AzureAdUser::new(self.object_id()?);
        u.user_principal_name = self.user_principal_name;
        u.display_name = self.display_name;
        u.given_name = self.given_name;
        u.surname = self.surname;
        u.mail = self.mail;
        u.mail_nickname = self.mail_nickname;
        u.business_phones = self
            .business_phones
            .unwrap_or_default()
            .into_iter()
            .flatten()
            .collect();
        u.mobile_phone = self.mobile_phone;
        u.account_enabled = self.account_enabled;
        u.employee_id = self.employee_id;
        u.department = self.department;
        u.office_location = self.office_location;
        u.usage_location = self.usage_location;
        u.extension_attributes = self
            .on_premises_extension_attributes
            .map(Into::into)
            .unwrap_or_default();
        u.assigned_licenses = self
            .assigned_licenses
            .unwrap_or_default()
            .into_iter()
            .flatten()
            .filter_map(|l| {
                let mut lic = AssignedLicense::new(l.sku_id?);
                lic.disabled_plans = l
                    .disabled_plans
                    .unwrap_or_default()
                    .into_iter()
                    .flatten()
                    .map(|p| p.to_ascii_lowercase())
                    .collect();
                Some(lic)
            })
            .collect();
        u.assigned_plans = self
            .assigned_plans
            .unwrap_or_default()
            .into_iter()
            .flatten()
            .filter_map(|p| {
                let status = p
                    .capability_status
                    .as_deref()
                    .map_or(CapabilityStatus::Other, CapabilityStatus::from_graph);
                let mut plan = AssignedPlan::new(p.service_plan_id?, status);
                plan.service = p.service;
                plan.assigned_at = p
                    .assigned_date_time
                    .as_deref()
                    .and_then(|d| DateTime::parse_from_rfc3339(d).ok())
                    .map(|d| d.with_timezone(&Utc));
                Some(plan)
            })
            .collect();
        Ok(Some(u))
    }
}

pub(crate) fn label_of(v: &serde_json::Value) -> String {
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
    match (s("userPrincipalName"), s("displayName"), s("id")) {
        (Some(upn), _, _) => format!("user {upn}"),
        (None, Some(n), _) => format!("user {n}"),
        (None, None, Some(id)) => format!("object {id}"),
        _ => "user (no name)".to_owned(),
    }
}

/// Parses one Graph user object. `Ok(None)` for an object that is not a user (a group or
/// device among group members); errors name the property at fault.
///
/// ```
/// let json = r#"{"id":"87d349ed-44d7-43e1-9a83-5f2406dee5bd",
///     "displayName":"Seán O'Brien 🎧","mobilePhone":null}"#;
/// let u = graph_client::parse_user(json.as_bytes()).unwrap().unwrap();
/// assert_eq!(u.display_name.as_deref(), Some("Seán O'Brien 🎧"));
/// assert!(graph_client::parse_user(br#"{"id":"nope"}"#).is_err());
/// ```
pub fn parse_user(json: &[u8]) -> Result<Option<AzureAdUser>, GraphError> {
    match serde_json::from_slice::<RawUser>(json) {
        Ok(raw) => raw.into_user(),
        Err(e) => {
            let diagnosed = serde_json::from_slice::<serde_json::Value>(json)
                .ok()
                .and_then(|v| diagnose_item::<RawUser>(&v, label_of));
            Err(diagnosed.unwrap_or_else(|| GraphError::decode(200, "user".into(), json, e)))
        }
    }
}

/// Parses a page of users (`{"value":[...],"@odata.nextLink":...}`), skipping non-user
/// objects. This is what every user read runs per page; the benchmark measures it.
///
/// ```
/// let page = graph_client::test_support::parse_users_page(br##"{"value":[
///     {"@odata.type":"#microsoft.graph.group","id":"x"},
///     {"@odata.type":"#microsoft.graph.user","id":"87d349ed-44d7-43e1-9a83-5f2406dee5bd"}],
///     "@odata.nextLink":"https://graph.microsoft.com/v1.0/users?$skiptoken=abc"}"##).unwrap();
/// assert_eq!(page.items.len(), 1);
/// assert!(page.next_link.is_some());
/// ```
#[cfg(feature = "test-support")]
pub fn parse_users_page(body: &[u8]) -> Result<Page<AzureAdUser>, GraphError> {
    decode_users_page(body, 200, "users page")
}

pub(crate) fn decode_users_page(
    body: &[u8],
    status: u16,
    url: &str,
) -> Result<Page<AzureAdUser>, GraphError> {
    let mut wire = decode_page::<RawUser>(body, status, url, label_of)?;
    let raw = std::mem::take(&mut wire.value);
    let mut users = Vec::with_capacity(raw.len());
    for r in raw {
        if let Some(u) = r.into_user()? {
            users.push(u);
        }
    }
    Ok(wire.into_page(users))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_type_names_field() {
        let e = parse_user(br#"{"id":"87d349ed-44d7-43e1-9a83-5f2406dee5bd","userPrincipalName":"a@b.c","accountEnabled":"yes"}"#).unwrap_err();
        match e {
            GraphError::InvalidField { field, record, .. } => {
                assert_eq!(field, "accountEnabled");
                assert_eq!(record, "user a@b.c");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn full_user() {
        let u = parse_user(br#"{"id":"87D349ED-44d7-43e1-9a83-5f2406dee5bd","businessPhones":["+441632768402 x402",null],
            "onPremisesExtensionAttributes":{"extensionAttribute7":"402","extensionAttribute1":null},
            "assignedLicenses":[{"skuId":"AAAA","disabledPlans":["BB"]},{"disabledPlans":[]}],
            "assignedPlans":[{"assignedDateTime":"2022-01-01T00:00:00Z","capabilityStatus":"Enabled","service":"MicrosoftCommunicationsOnline","servicePlanId":"4828C8EC-DC2E-4779-B502-87AC9CE28AB7"},{"capabilityStatus":"Weird"}]}"#)
            .unwrap()
            .unwrap();
        assert_eq!(u.id.as_str(), "87d349ed-44d7-43e1-9a83-5f2406dee5bd");
        assert_eq!(u.business_phones, vec!["+441632768402 x402".to_owned()]);
        assert_eq!(u.extension_attributes.get(7), Some("402"));
        assert_eq!(u.assigned_licenses.len(), 1);
        assert_eq!(u.assigned_licenses[0].disabled_plans, vec!["bb".to_owned()]);
        assert_eq!(u.assigned_plans.len(), 1);
        assert_eq!(
            u.assigned_plans[0].capability_status,
            CapabilityStatus::Enabled
        );
        assert!(u.assigned_plans[0].assigned_at.is_some());
    }
}
