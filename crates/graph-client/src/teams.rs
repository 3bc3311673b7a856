//! Teams telephone numbers: `/admin/teams/userConfigurations` and, on request, the
//! number-assignment API, merged onto Azure AD users.

use std::collections::BTreeMap;

use futures_util::TryStreamExt;
use ipo_model::{AssignmentCategory, AzureAdUser, ObjectId, TeamsPhoneNumber, TeamsVoice};
use serde::Deserialize;

use crate::client::GraphClient;
use crate::error::GraphError;
use crate::odata::{encode_path_segment, odata_string_literal};
use crate::page::{Page, decode_page, diagnose_item};
use crate::policy_model::RawEffective;
use crate::teams_slips::{collection_items, same_number, single_object};

/// A user's Teams configuration (`teamsUserConfiguration`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TeamsUserConfig {
    /// The user's object id (`id`, which Graph sets to the user id).
    pub user_id: ObjectId,
    /// `userPrincipalName`.
    pub user_principal_name: Option<String>,
    /// Numbers, enterprise voice, account type, and the voice policies in force
    /// (`effectivePolicyAssignments` of the types the sync knows, each direct or from a
    /// group).
    pub voice: TeamsVoice,
    /// `featureTypes`, e.g. `["Teams", "CallingPlan"]`.
    pub feature_types: Vec<String>,
}

/// One entry of `numberAssignments`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NumberAssignment {
    /// `telephoneNumber` (with a leading `+`).
    pub telephone_number: String,
    /// `assignmentTargetId`: the user's object id when assigned to a user.
    #[serde(default)]
    pub assignment_target_id: Option<String>,
    /// `assignmentCategory` (primary, private, alternate).
    #[serde(default)]
    pub assignment_category: Option<String>,
    /// `assignmentStatus`, e.g. `userAssigned`.
    #[serde(default)]
    pub assignment_status: Option<String>,
    /// `numberType`: directRouting, callingPlan, operatorConnect.
    #[serde(default)]
    pub number_type: Option<String>,
    /// `activationState`.
    #[serde(default)]
    pub activation_state: Option<String>,
    /// `isoCountryCode`.
    #[serde(default)]
    pub iso_country_code: Option<String>,
    /// `numberSource`: `online`, or `onPremises` (managed in on-premises AD, not
    /// assignable online).
    #[serde(default)]
    pub number_source: Option<String>,
}

impl NumberAssignment {
    /// Whether the number comes from on-premises AD (`numberSource: onPremises`).
    pub fn is_on_premises(&self) -> bool {
        self.number_source
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("onPremises"))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawConfig {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default)]
    user_principal_name: Option<String>,
    #[serde(default)]
    telephone_numbers: Option<Vec<Option<RawNumber>>>,
    #[serde(default)]
    is_enterprise_voice_enabled: Option<bool>,
    #[serde(default)]
    account_type: Option<String>,
    #[serde(default)]
    feature_types: Option<Vec<Option<String>>>,
    #[serde(default)]
    effective_policy_assignments: Option<Vec<Option<RawEffective>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawNumber {
    #[serde(default)]
    telephone_number: Option<String>,
    #[serde(default)]
    assignment_category: Option<String>,
}

fn category(s: Option<&str>) -> AssignmentCategory {
    match s.map(str::to_ascii_lowercase).as_deref() {
        Some("primary") => AssignmentCategory::Primary,
        Some("private") => AssignmentCategory::Private,
        Some("alternate") => AssignmentCategory::Alternate,
        _ => AssignmentCategory::Other,
    }
}

fn config_label(v: &serde_json::Value) -> String {
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
    format!(
        "Teams configuration of {}",
        s("userPrincipalName")
            .or_else(|| s("id"))
            .unwrap_or_else(|| "(unnamed)".into())
    )
}

impl RawConfig {
    fn into_config(self) -> Result<TeamsUserConfig, GraphError> {
        let label = format!(
            "Teams configuration of {}",
            self.user_principal_name
                .as_deref()
                .or(self.id.as_deref())
                .unwrap_or("(unnamed)")
        );
        let id = self
            .user_id
            .or(self.id)
            .ok_or_else(|| GraphError::InvalidField {
                record: label.clone(),
                field: "id".into(),
                message: "missing".into(),
            })?;
        let user_id =
            id.parse()
                .map_err(|e: ipo_model::InvalidValue| GraphError::InvalidField {
                    record: label,
                    field: "id".into(),
                    message: e.to_string(),
                })?;
        let numbers = self
            .telephone_numbers
            .unwrap_or_default()
            .into_iter()
            .flatten()
            .filter_map(|n| {
                let c = category(n.assignment_category.as_deref());
                Some(TeamsPhoneNumber::new(n.telephone_number?, c))
            })
            .collect();
        let mut voice = TeamsVoice::default();
        voice.telephone_numbers = numbers;
        voice.enterprise_voice_enabled = self.is_enterprise_voice_enabled;
        voice.account_type = self.account_type;
        voice.effective_policies = self
            .effective_policy_assignments
            .unwrap_or_default()
            .into_iter()
            .flatten()
            .filter_map(RawEffective::into_domain)
            .collect();
        Ok(TeamsUserConfig {
            user_id,
            user_principal_name: self.user_principal_name,
            voice,
            feature_types: self
                .feature_types
                .unwrap_or_default()
                .into_iter()
                .flatten()
                .collect(),
        })
    }
}

pub(crate) fn decode_config_page(
    body: &[u8],
    status: u16,
    url: &str,
) -> Result<Page<TeamsUserConfig>, GraphError> {
    let mut wire = decode_page::<RawConfig>(body, status, url, config_label)?;
    let items = std::mem::take(&mut wire.value)
        .into_iter()
        .map(RawConfig::into_config)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(wire.into_page(items))
}

fn assignment_label(v: &serde_json::Value) -> String {
    format!(
        "number assignment {}",
        v.get("telephoneNumber")
            .and_then(|x| x.as_str())
            .unwrap_or("(no number)")
    )
}

/// A `numberAssignments` page, read through the docs' object-valued `value`
/// ([`collection_items`]).
fn decode_assignment_page(
    body: &[u8],
    status: u16,
    url: &str,
) -> Result<Page<NumberAssignment>, GraphError> {
    let mut wire: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(body)
        .map_err(|e| GraphError::decode(status, url.to_owned(), body, e))?;
    let text = |k: &str, w: &serde_json::Map<String, serde_json::Value>| {
        w.get(k).and_then(|v| v.as_str()).map(str::to_owned)
    };
    let mut items = Vec::new();
    for v in collection_items(wire.remove("value")) {
        match serde_json::from_value::<NumberAssignment>(v.clone()) {
            Ok(a) => items.push(a),
            Err(e) => {
                return Err(diagnose_item::<NumberAssignment>(&v, assignment_label)
                    .unwrap_or_else(|| GraphError::decode(status, url.to_owned(), body, e)));
            }
        }
    }
    Ok(Page {
        items,
        next_link: text("@odata.nextLink", &wire),
        delta_link: text("@odata.deltaLink", &wire),
        count: wire.get("@odata.count").and_then(|v| v.as_u64()),
    })
}

impl GraphClient {
    /// Teams configurations of every Teams user of the tenant (all pages).
    pub async fn teams_user_configurations(&self) -> Result<Vec<TeamsUserConfig>, GraphError> {
        let url = self.url("/admin/teams/userConfigurations", &[])?;
        self.pages(
            url,
            false,
            "Teams user configurations".into(),
            decode_config_page,
        )
        .map_ok(|p| futures_util::stream::iter(p.items.into_iter().map(Ok)))
        .try_flatten()
        .try_collect()
        .await
    }

    /// Every number assignment of the tenant (global cloud only).
    #[deprecated(note = "use GraphClient::list_number_assignments")]
    pub async fn teams_number_assignments(&self) -> Result<Vec<NumberAssignment>, GraphError> {
        self.list_number_assignments().await
    }

    /// Every number assignment of the tenant, all pages (global cloud only), with
    /// `assignmentTargetId`, `numberType`, `numberSource` and `activationState`.
    pub async fn list_number_assignments(&self) -> Result<Vec<NumberAssignment>, GraphError> {
        self.number_assignments_where(None).await
    }

    /// The assignment of one number (`$filter=telephoneNumber eq '...'`, the value an
    /// escaped OData literal), `None` when Teams does not know the number. Graph lists
    /// numbers with a leading `+`; one is added when missing.
    pub async fn find_number_assignment(
        &self,
        number: &str,
    ) -> Result<Option<NumberAssignment>, GraphError> {
        let plus = format!("+{}", number.trim().trim_start_matches('+'));
        let filter = format!("telephoneNumber eq {}", odata_string_literal(&plus));
        let found = self.number_assignments_where(Some(&filter)).await?;
        Ok(found
            .into_iter()
            .find(|a| same_number(&a.telephone_number, number)))
    }

    async fn number_assignments_where(
        &self,
        filter: Option<&str>,
    ) -> Result<Vec<NumberAssignment>, GraphError> {
        let params: Vec<(&str, &str)> = filter.map(|f| ("$filter", f)).into_iter().collect();
        let url = self.url(
            "/admin/teams/telephoneNumberManagement/numberAssignments",
            &params,
        )?;
        self.pages(
            url,
            false,
            "Teams number assignments".into(),
            decode_assignment_page,
        )
        .map_ok(|p| futures_util::stream::iter(p.items.into_iter().map(Ok)))
        .try_flatten()
        .try_collect()
        .await
    }

    /// One user's Teams configuration (`/admin/teams/userConfigurations/{id}`): numbers,
    /// Enterprise Voice and the effective policies; `None` when the user has none (404).
    /// The docs' `{"value":{...}}` wrapping is read through (see `teams_slips.rs`).
    pub async fn user_configuration(
        &self,
        id: &ObjectId,
    ) -> Result<Option<TeamsUserConfig>, GraphError> {
        let path = format!(
            "/admin/teams/userConfigurations/{}",
            encode_path_segment(id.as_str())
        );
        let resp = self.get(self.url(&path, &[])?, false).await?;
        if resp.status == 404 {
            return Ok(None);
        }
        if !resp.is_success() {
            return Err(resp.error(&format!("Teams configuration of {id}")));
        }
        let body = single_object(resp.json::<serde_json::Value>()?);
        let raw = serde_json::from_value::<RawConfig>(body.clone()).map_err(|e| {
            diagnose_item::<RawConfig>(&body, config_label)
                .unwrap_or_else(|| GraphError::decode(resp.status, resp.url.clone(), &resp.body, e))
        })?;
        raw.into_config().map(Some)
    }

    /// The Teams voice set-up of one user; a user without a Teams configuration (404) gets
    /// an empty one.
    pub async fn teams_voice_of(&self, id: &ObjectId) -> Result<TeamsVoice, GraphError> {
        let Some(config) = self.user_configuration(id).await? else {
            return Ok(TeamsVoice::default());
        };
        let mut voice = config.voice;
        if self.inner.options.teams_number_assignments {
            let assignments = self.list_number_assignments().await?;
            merge_assignments(&mut voice, id, &assignments);
        }
        Ok(voice)
    }

    /// Reads the tenant's Teams configurations (and number assignments when configured) and
    /// sets `teams` on every user: users without a Teams configuration get an empty one, so
    /// `Some` always means "read".
    ///
    /// The configurations are listed in full, tenant-wide: to enrich the members of several
    /// groups, read them all first and enrich them together (as
    /// [`GraphClient::member_users_of_groups`] does), not group by group.
    pub async fn enrich_with_teams(&self, users: &mut [AzureAdUser]) -> Result<(), GraphError> {
        self.teams_numbers().await?.apply(users);
        Ok(())
    }

    /// The tenant's Teams numbers, read once (configurations, and number assignments when
    /// configured), to be merged onto any number of users.
    pub(crate) async fn teams_numbers(&self) -> Result<TeamsNumbers, GraphError> {
        let configs = self.teams_user_configurations().await?;
        let assignments = if self.inner.options.teams_number_assignments {
            self.list_number_assignments().await?
        } else {
            Vec::new()
        };
        Ok(TeamsNumbers::new(configs, assignments))
    }
}

/// The tenant's Teams configurations by user, and the number assignments.
#[derive(Debug, Default)]
pub(crate) struct TeamsNumbers {
    voices: BTreeMap<ObjectId, TeamsVoice>,
    assignments: Vec<NumberAssignment>,
}

impl TeamsNumbers {
    pub(crate) fn new(configs: Vec<TeamsUserConfig>, assignments: Vec<NumberAssignment>) -> Self {
        Self {
            voices: configs.into_iter().map(|c| (c.user_id, c.voice)).collect(),
            assignments,
        }
    }

    /// Sets `teams` on each user; users without a configuration get an empty one.
    pub(crate) fn apply(&self, users: &mut [AzureAdUser]) {
        for u in users.iter_mut() {
            let mut voice = self.voices.get(&u.id).cloned().unwrap_or_default();
            merge_assignments(&mut voice, &u.id, &self.assignments);
            u.teams = Some(voice);
        }
    }
}

/// Sets `teams` on each user from the configurations and assignments.
#[cfg(feature = "test-support")]
pub fn merge_teams(
    users: &mut [AzureAdUser],
    configs: Vec<TeamsUserConfig>,
    assignments: &[NumberAssignment],
) {
    TeamsNumbers::new(configs, assignments.to_vec()).apply(users);
}

pub(crate) fn merge_assignments(
    voice: &mut TeamsVoice,
    id: &ObjectId,
    assignments: &[NumberAssignment],
) {
    for a in assignments {
        let mine = a
            .assignment_target_id
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case(id.as_str()));
        if mine
            && !voice
                .telephone_numbers
                .iter()
                .any(|n| n.number == a.telephone_number)
        {
            voice.telephone_numbers.push(TeamsPhoneNumber::new(
                a.telephone_number.clone(),
                category(a.assignment_category.as_deref()),
            ));
        }
    }
}
