//! Users in Graph's JSON shape: conversion from and to [`AzureAdUser`], `$select`.

use ipo_model::{
    AssignedLicense, AssignedPlan, AzureAdUser, CapabilityStatus, ObjectId, TeamsVoice,
};
use serde_json::{Map, Value, json};

/// The properties `GET /users` returns without `$select` (Graph v1.0 documents these 11).
pub const DEFAULT_USER_PROPERTIES: [&str; 11] = [
    "businessPhones",
    "displayName",
    "givenName",
    "id",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
];

/// User properties `$select` may name (a subset of Graph's user type that covers what a
/// directory sync reads); properties a stored user carries are accepted too.
const KNOWN_USER_PROPERTIES: &[&str] = &[
    "accountEnabled",
    "ageGroup",
    "assignedLicenses",
    "assignedPlans",
    "city",
    "companyName",
    "country",
    "createdDateTime",
    "creationType",
    "deletedDateTime",
    "department",
    "employeeHireDate",
    "employeeId",
    "employeeType",
    "externalUserState",
    "faxNumber",
    "identities",
    "imAddresses",
    "mailNickname",
    "onPremisesDistinguishedName",
    "onPremisesDomainName",
    "onPremisesExtensionAttributes",
    "onPremisesImmutableId",
    "onPremisesSamAccountName",
    "onPremisesSecurityIdentifier",
    "onPremisesSyncEnabled",
    "onPremisesUserPrincipalName",
    "otherMails",
    "passwordPolicies",
    "postalCode",
    "preferredDataLocation",
    "proxyAddresses",
    "securityIdentifier",
    "showInAddressList",
    "state",
    "streetAddress",
    "usageLocation",
    "userType",
];

/// Whether `$select` may name `prop` for `user`.
pub(crate) fn is_known_user_property(prop: &str, sample: Option<&Map<String, Value>>) -> bool {
    DEFAULT_USER_PROPERTIES.contains(&prop)
        || KNOWN_USER_PROPERTIES.contains(&prop)
        || sample.is_some_and(|m| m.contains_key(prop))
}

/// Graph JSON for a [`AzureAdUser`] (its `teams` and `groups` live elsewhere in Graph).
pub fn user_to_graph(u: &AzureAdUser) -> Map<String, Value> {
    let mut ext = Map::new();
    for n in 1..=15 {
        ext.insert(
            format!("extensionAttribute{n}"),
            json!(u.extension_attributes.get(n)),
        );
    }
    let licenses: Vec<Value> = u
        .assigned_licenses
        .iter()
        .map(|l| json!({"skuId": l.sku_id, "disabledPlans": l.disabled_plans}))
        .collect();
    let plans: Vec<Value> = u
        .assigned_plans
        .iter()
        .map(|p| {
            json!({
                "assignedDateTime": p.assigned_at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                "capabilityStatus": capability_text(p.capability_status),
                "service": p.service,
                "servicePlanId": p.service_plan_id,
            })
        })
        .collect();
    let v = json!({
        "id": u.id.as_str(),
        "userPrincipalName": u.user_principal_name,
        "displayName": u.display_name,
        "givenName": u.given_name,
        "surname": u.surname,
        "mail": u.mail,
        "mailNickname": u.mail_nickname,
        "businessPhones": u.business_phones,
        "mobilePhone": u.mobile_phone,
        "accountEnabled": u.account_enabled,
        "employeeId": u.employee_id,
        "department": u.department,
        "officeLocation": u.office_location,
        "usageLocation": u.usage_location,
        "jobTitle": null,
        "preferredLanguage": null,
        "onPremisesExtensionAttributes": ext,
        "assignedLicenses": licenses,
        "assignedPlans": plans,
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn capability_text(s: CapabilityStatus) -> &'static str {
    match s {
        CapabilityStatus::Enabled => "Enabled",
        CapabilityStatus::Warning => "Warning",
        CapabilityStatus::Suspended => "Suspended",
        CapabilityStatus::LockedOut => "LockedOut",
        CapabilityStatus::Deleted => "Deleted",
        _ => "Other",
    }
}

fn text(m: &Map<String, Value>, k: &str) -> Option<String> {
    m.get(k).and_then(Value::as_str).map(str::to_owned)
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The [`AzureAdUser`] view of a Graph JSON user (`None` when its id is not a GUID).
/// `teams` is filled from `teams` when given.
pub fn user_from_graph(m: &Map<String, Value>, teams: Option<TeamsVoice>) -> Option<AzureAdUser> {
    let id: ObjectId = m.get("id")?.as_str()?.parse().ok()?;
    let mut u = AzureAdUser::new(id);
    u.user_principal_name = text(m, "userPrincipalName");
    u.display_name = text(m, "displayName");
    u.given_name = text(m, "givenName");
    u.surname = text(m, "surname");
    u.mail = text(m, "mail");
    u.mail_nickname = text(m, "mailNickname");
    u.business_phones = strings(m.get("businessPhones"));
    u.mobile_phone = text(m, "mobilePhone");
    u.account_enabled = m.get("accountEnabled").and_then(Value::as_bool);
    u.employee_id = text(m, "employeeId");
    u.department = text(m, "department");
    u.office_location = text(m, "officeLocation");
    u.usage_location = text(m, "usageLocation");
    if let Some(ext) = m
        .get("onPremisesExtensionAttributes")
        .and_then(Value::as_object)
    {
        for n in 1..=15 {
            u.extension_attributes
                .set(n, text(ext, &format!("extensionAttribute{n}")));
        }
    }
    for l in m
        .get("assignedLicenses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(sku) = l.get("skuId").and_then(Value::as_str) {
            let mut lic = AssignedLicense::new(sku);
            lic.disabled_plans = strings(l.get("disabledPlans"));
            u.assigned_licenses.push(lic);
        }
    }
    for p in m
        .get("assignedPlans")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(id) = p.get("servicePlanId").and_then(Value::as_str) {
            let status = p
                .get("capabilityStatus")
                .and_then(Value::as_str)
                .map(CapabilityStatus::from_graph)
                .unwrap_or(CapabilityStatus::Other);
            let mut plan = AssignedPlan::new(id, status);
            plan.service = p.get("service").and_then(Value::as_str).map(str::to_owned);
            plan.assigned_at = p
                .get("assignedDateTime")
                .and_then(Value::as_str)
                .and_then(|t| t.parse().ok());
            u.assigned_plans.push(plan);
        }
    }
    u.teams = teams;
    Some(u)
}

/// Keeps the properties `select` names (all known properties appear, `null` when unset), or
/// the 11 defaults without `$select`. `id` always appears.
pub(crate) fn project_user(
    m: &Map<String, Value>,
    select: Option<&[String]>,
) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("id".into(), m.get("id").cloned().unwrap_or(Value::Null));
    match select {
        Some(props) => {
            for p in props {
                out.insert(p.clone(), m.get(p).cloned().unwrap_or(Value::Null));
            }
        }
        None => {
            for p in DEFAULT_USER_PROPERTIES {
                out.insert(p.into(), m.get(p).cloned().unwrap_or(Value::Null));
            }
        }
    }
    out
}

/// Keeps only the selected properties an object has (for mixed listings of directory objects).
pub(crate) fn project_other(
    m: &Map<String, Value>,
    select: Option<&[String]>,
) -> Map<String, Value> {
    match select {
        None => m.clone(),
        Some(props) => m
            .iter()
            .filter(|(k, _)| k.as_str() == "id" || k.starts_with("@odata") || props.contains(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_the_model() {
        let mut u = AzureAdUser::new("87d349ed-44d7-43e1-9a83-5f2406dee5bd".parse().unwrap());
        u.display_name = Some("Adele Vance".into());
        u.business_phones = vec!["+1 425 555 0109".into()];
        u.account_enabled = Some(true);
        u.extension_attributes.set(7, Some("402".into()));
        u.assigned_licenses
            .push(AssignedLicense::new("AAAA0000-0000-0000-0000-000000000000"));
        u.assigned_plans.push(AssignedPlan::new(
            "bbbb0000-0000-0000-0000-000000000000",
            CapabilityStatus::Warning,
        ));
        let g = user_to_graph(&u);
        assert_eq!(
            g["onPremisesExtensionAttributes"]["extensionAttribute7"],
            "402"
        );
        assert_eq!(g["assignedPlans"][0]["capabilityStatus"], "Warning");
        let back = user_from_graph(&g, None).unwrap();
        assert_eq!(back, u);
        let p = project_user(&g, None);
        assert_eq!(p.len(), 11);
        let sel = vec!["displayName".to_string()];
        let p = project_user(&g, Some(&sel));
        assert_eq!(p.len(), 2);
    }
}
