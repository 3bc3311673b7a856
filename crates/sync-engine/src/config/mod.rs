//! Sync configuration: what each Azure AD group means, how fields map, how users are
//! provisioned and what removal does. Connection-free, so it can be embedded; TOML in files.

use std::collections::BTreeMap;

use ipo_model::{
    AzureAdUser, ExtensionKind, ExtensionNumber, ExtensionRange, GroupId, LicensingMode, Profile,
    UserType,
};
use serde::{Deserialize, Serialize};

use crate::error::ConfigError;

mod group_rule;
mod system_directory;
pub use group_rule::GroupRule;
pub use system_directory::{SystemDirectoryNumber, SystemDirectoryPeople, SystemDirectorySettings};
use usertype_rules::{DefaultLicensePolicy, LicensePolicy};

/// The whole sync configuration.
///
/// ```
/// let cfg = sync_engine::SyncConfig::from_toml(r#"
/// [[rules]]
/// group = "11111111-1111-1111-1111-111111111111"
/// user_type = "teams_and_ip_office"
/// provisioning_rule = "teams"
///
/// [[provisioning_rules]]
/// name = "teams"
/// start_extension = "400"
/// user_template = "teams-user"
///
/// [user_templates.teams-user]
/// profile = "power_user"
/// teams_client = true
/// "#)?;
/// assert_eq!(cfg.rules.len(), 1);
/// # Ok::<(), sync_engine::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SyncConfig {
    /// One rule per Azure AD group.
    pub rules: Vec<GroupRule>,
    /// Field mapping ("Synchronize User Fields").
    #[serde(default)]
    pub fields: FieldMapping,
    /// User provisioning rules, applied when a user is created.
    #[serde(default)]
    pub provisioning_rules: Vec<ProvisioningRule>,
    /// Named user templates.
    #[serde(default)]
    pub user_templates: BTreeMap<String, UserTemplate>,
    /// Removal and ownership safety.
    #[serde(default)]
    pub safety: Safety,
    /// Teams-only users in the IP Office system directory (`[system_directory]`; the
    /// older key `[directory]` is still read).
    #[serde(default, alias = "directory")]
    pub system_directory: SystemDirectorySettings,
    /// The licence rules every decision about a person follows (classification, plan,
    /// explain): which Microsoft SKUs and service plans make a Teams voice user, which mark a
    /// resource account, which IP Office profiles each user type may have per licensing
    /// mode, which profiles use no licence. TOML `[licensing]`; every key optional.
    #[serde(default)]
    pub licensing: DefaultLicensePolicy,
}

/// When a mapped field is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplyMode {
    /// On create and whenever the source changes.
    #[default]
    Always,
    /// Only when the user is created.
    OnCreate,
}

/// One IP Office field taken from one Azure AD property.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct FieldMap {
    /// Graph property name: `displayName`, `mailNickname`, `mail`, `businessPhones` (the
    /// extension part of the first phone that has one), `extensionAttribute1`..`15`,
    /// `employeeId`, `mobilePhone`, `teamsTelephoneNumber`...
    pub source: String,
    /// Always or only on create.
    #[serde(default)]
    pub apply: ApplyMode,
}

impl FieldMap {
    /// A mapping applied always.
    pub fn always(source: &str) -> Self {
        Self {
            source: source.to_owned(),
            apply: ApplyMode::Always,
        }
    }
    /// A mapping applied only on create.
    pub fn on_create(source: &str) -> Self {
        Self {
            source: source.to_owned(),
            apply: ApplyMode::OnCreate,
        }
    }
}

/// Avaya's "Synchronize User Fields", each an optional [`FieldMap`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct FieldMapping {
    /// User Identification: the property that links an IP Office user to its Azure AD user.
    /// Only `id` (the object id) is supported: it never changes, unlike UPN or mail.
    pub user_id: String,
    /// Name (mandatory). Renamed only when this source value changes, never because the
    /// derived name would differ (renames move Voicemail Pro mailboxes).
    pub name: FieldMap,
    /// Full Name.
    pub full_name: Option<FieldMap>,
    /// Email.
    pub email: Option<FieldMap>,
    /// Extension.
    pub extension: Option<FieldMap>,
    /// Mobile Twinning Number.
    pub mobile_twinning: Option<FieldMap>,
    /// Login Code (4-15 digits; a non-numeric source leaves it blank).
    pub login_code: Option<FieldMap>,
    /// Voicemail Code (digits).
    pub voicemail_code: Option<FieldMap>,
    /// Hunt-group membership: the source holds a comma-separated list of hunt-group names.
    pub hunt_groups: Option<FieldMap>,
    /// Provisioning-rule selector: the source value must equal a rule's name.
    pub provisioning_rule: Option<FieldMap>,
}

impl Default for FieldMapping {
    fn default() -> Self {
        Self {
            user_id: "id".into(),
            name: FieldMap::always("mailNickname"),
            full_name: Some(FieldMap::always("displayName")),
            email: Some(FieldMap::always("mail")),
            extension: Some(FieldMap::always("businessPhones")),
            mobile_twinning: None,
            login_code: None,
            voicemail_code: None,
            hunt_groups: None,
            provisioning_rule: None,
        }
    }
}

/// Where a new user goes in a multi-node network.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
#[non_exhaustive]
pub enum NodeSelector {
    /// The primary (no `ipaddress=`).
    #[default]
    Primary,
    /// A fixed node (LAN1 address or name).
    Fixed(String),
    /// The node named by an Azure AD property (system name or address); primary when empty.
    FromProperty(String),
}

/// A User Provisioning Rule: how a new user is created. Never changes existing users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ProvisioningRule {
    /// The rule's name.
    pub name: String,
    /// First extension to allocate (ascending, skipping numbers in use). Leave empty when the
    /// extension comes from Azure AD.
    #[serde(default)]
    pub start_extension: Option<ExtensionNumber>,
    /// Last extension the rule may allocate (defaults to the largest of the same width).
    #[serde(default)]
    pub end_extension: Option<ExtensionNumber>,
    /// Extension type for the new extension record.
    #[serde(default = "default_kind")]
    pub extension_kind: ExtensionKind,
    /// User template (by name).
    #[serde(default)]
    pub user_template: Option<String>,
    /// Target node.
    #[serde(default)]
    pub node: NodeSelector,
}

fn default_kind() -> ExtensionKind {
    ExtensionKind::Sip
}

impl ProvisioningRule {
    /// A rule with only a name (SIP extensions, no template, primary node).
    pub fn new(name: &str) -> Self {
        Self {
            name: name.into(),
            start_extension: None,
            end_extension: None,
            extension_kind: ExtensionKind::Sip,
            user_template: None,
            node: NodeSelector::Primary,
        }
    }

    /// The allocation range, when the rule allocates.
    pub fn range(&self) -> Option<ExtensionRange> {
        let start = self.start_extension.clone()?;
        let end = match &self.end_extension {
            Some(e) => e.clone(),
            None => "9".repeat(start.len()).parse().ok()?,
        };
        ExtensionRange::new(start, end).ok()
    }
}

/// A named set of IP Office user fields applied on create.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct UserTemplate {
    /// Profile.
    #[serde(default)]
    pub profile: Option<Profile>,
    /// "Enable MS Teams Client".
    #[serde(default)]
    pub teams_client: Option<bool>,
    /// Exclude from the system directory.
    #[serde(default)]
    pub exclude_from_directory: Option<bool>,
    /// Other IP Office fields by wire name (e.g. `VoicemailOn = "true"`), written verbatim.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
}

/// What happens to a user the sync created when its person leaves every rule's group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemovalPolicy {
    /// Delete the IP Office user (and the extension the sync created for it).
    Delete,
    /// Keep the user but move it to the Non-licensed profile and turn the Teams flag off
    /// (Entra's soft default: reversible, frees the licence).
    #[default]
    Disable,
    /// Leave the user as it is; report it.
    Keep,
}

/// Whether IP Office users the sync did not create may be taken over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdoptPolicy {
    /// Never: a person whose extension or name is taken by an unowned user is a conflict.
    #[default]
    Never,
    /// Adopt an unowned user with the person's extension.
    ByExtension,
    /// Adopt an unowned user whose e-mail matches the person's mail or UPN.
    ByEmail,
    /// Either, extension first.
    ByExtensionOrEmail,
}

/// Removal and ownership safety.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct Safety {
    /// What removal from scope does.
    pub removal: RemovalPolicy,
    /// Hold every removal when more than this share of managed users would be removed...
    pub deletion_threshold_percent: f64,
    /// ...and more than this many (small tenants: a few removals are normal).
    pub deletion_threshold_min: usize,
    /// Whether pre-existing IP Office users may be adopted.
    pub adopt: AdoptPolicy,
    /// Whether a person whose account is disabled in Azure AD is treated as out of scope.
    pub disabled_accounts_out_of_scope: bool,
}

impl Default for Safety {
    fn default() -> Self {
        Self {
            removal: RemovalPolicy::Disable,
            deletion_threshold_percent: 20.0,
            deletion_threshold_min: 10,
            adopt: AdoptPolicy::Never,
            disabled_accounts_out_of_scope: true,
        }
    }
}

impl Safety {
    /// Most removals allowed without explicit approval, for `managed` users.
    pub fn removal_threshold(&self, managed: usize) -> usize {
        let pct = (managed as f64 * self.deletion_threshold_percent / 100.0).floor() as usize;
        pct.max(self.deletion_threshold_min)
    }
}

impl SyncConfig {
    /// A configuration with the given rules and every other setting at its default.
    pub fn new(rules: Vec<GroupRule>) -> Self {
        Self {
            rules,
            fields: FieldMapping::default(),
            provisioning_rules: Vec::new(),
            user_templates: BTreeMap::new(),
            safety: Safety::default(),
            system_directory: SystemDirectorySettings::default(),
            licensing: DefaultLicensePolicy::default(),
        }
    }

    /// Parses TOML and validates the result (without a licensing mode: see [`SyncConfig::validate`]).
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let cfg: SyncConfig =
            toml::from_str(text).map_err(|e| ConfigError::Parse(e.to_string()))?;
        cfg.validate(None)?;
        Ok(cfg)
    }

    /// The groups the rules watch, in rule order without repeats.
    pub fn groups(&self) -> Vec<GroupId> {
        let mut out: Vec<GroupId> = Vec::new();
        for r in &self.rules {
            if !out.contains(&r.group) {
                out.push(r.group.clone());
            }
        }
        out
    }

    /// A provisioning rule by name.
    pub fn provisioning_rule(&self, name: &str) -> Option<&ProvisioningRule> {
        self.provisioning_rules.iter().find(|r| r.name == name)
    }

    /// Checks the configuration itself; errors name the field. With a licensing mode, also
    /// checks that each template's profile is allowed for the user types that use it.
    pub fn validate(&self, mode: Option<LicensingMode>) -> Result<(), ConfigError> {
        if self.rules.is_empty() {
            return bad("rules".into(), "at least one group rule is needed".into());
        }
        self.check_fields()?;
        self.check_directory()?;
        self.check_provisioning()?;
        for (i, r) in self.rules.iter().enumerate() {
            r.check_teams(i)?;
        }
        if !(0.0..=100.0).contains(&self.safety.deletion_threshold_percent) {
            return bad(
                "safety.deletion_threshold_percent".into(),
                "must be between 0 and 100".into(),
            );
        }
        self.check_templates(mode)
    }

    /// The field mappings: known properties, no code from the object id.
    fn check_fields(&self) -> Result<(), ConfigError> {
        if self.fields.user_id != "id" {
            return bad(
                "fields.user_id".into(),
                format!(
                    "only \"id\" (the Azure AD object id) is supported, not {:?}",
                    self.fields.user_id
                ),
            );
        }
        let maps = [
            ("fields.name", Some(&self.fields.name)),
            ("fields.full_name", self.fields.full_name.as_ref()),
            ("fields.email", self.fields.email.as_ref()),
            ("fields.extension", self.fields.extension.as_ref()),
            (
                "fields.mobile_twinning",
                self.fields.mobile_twinning.as_ref(),
            ),
            ("fields.login_code", self.fields.login_code.as_ref()),
            ("fields.voicemail_code", self.fields.voicemail_code.as_ref()),
            ("fields.hunt_groups", self.fields.hunt_groups.as_ref()),
            (
                "fields.provisioning_rule",
                self.fields.provisioning_rule.as_ref(),
            ),
        ];
        for (field, map) in maps {
            if let Some(m) = map
                && !AzureAdUser::is_known_property(&m.source)
            {
                return bad(
                    format!("{field}.source"),
                    format!("unknown Azure AD property {:?}", m.source),
                );
            }
        }
        // The object id is no code, and is the key of every cached user: it could never be
        // kept out of the state.
        let codes = [
            ("fields.login_code.source", &self.fields.login_code),
            ("fields.voicemail_code.source", &self.fields.voicemail_code),
        ];
        if let Some((field, _)) = codes
            .iter()
            .find(|(_, m)| m.as_ref().is_some_and(|m| m.source == "id"))
        {
            return bad(
                (*field).into(),
                "a code cannot come from \"id\" (the object id is no secret)".into(),
            );
        }
        Ok(())
    }

    /// `[sync.system_directory]`.
    fn check_directory(&self) -> Result<(), ConfigError> {
        if !AzureAdUser::is_known_property(&self.system_directory.name_source) {
            return bad(
                "directory.name_source".into(),
                format!(
                    "unknown Azure AD property {:?}",
                    self.system_directory.name_source
                ),
            );
        }
        if !self
            .system_directory
            .numbers
            .contains(&SystemDirectoryNumber::Teams)
        {
            return bad(
                "directory.numbers".into(),
                "must hold \"teams\" (the entry named after the person)".into(),
            );
        }
        if !self.system_directory.enabled && self.system_directory.asks_for_people_outside_rules() {
            return bad(
                "directory.enabled".into(),
                "people = \"tenant\" and groups list people in the system directory: keep \
                 enabled = true, or remove them"
                    .into(),
            );
        }
        let mut numbers = std::collections::BTreeSet::new();
        if let Some(twice) = self
            .system_directory
            .numbers
            .iter()
            .find(|n| !numbers.insert(**n))
        {
            return bad(
                "directory.numbers".into(),
                format!("{twice:?} is listed twice"),
            );
        }
        Ok(())
    }

    /// Provisioning rules: named, unique, with their templates, ranges that do not overlap.
    fn check_provisioning(&self) -> Result<(), ConfigError> {
        for (i, r) in self.rules.iter().enumerate() {
            if let Some(p) = &r.provisioning_rule
                && self.provisioning_rule(p).is_none()
            {
                return bad(
                    format!("rules[{i}].provisioning_rule"),
                    format!("no provisioning rule named {p:?}"),
                );
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, p) in self.provisioning_rules.iter().enumerate() {
            if !seen.insert(p.name.as_str()) {
                return bad(
                    format!("provisioning_rules[{i}].name"),
                    format!("duplicate rule name {:?}", p.name),
                );
            }
            if let Some(t) = &p.user_template
                && !self.user_templates.contains_key(t)
            {
                return bad(
                    format!("provisioning_rules[{i}].user_template"),
                    format!("no user template named {t:?}"),
                );
            }
            if p.start_extension.is_some() && p.range().is_none() {
                return bad(
                    format!("provisioning_rules[{i}].end_extension"),
                    "must have the start's width and not be below it".into(),
                );
            }
            if let Some(r) = p.range() {
                for (j, q) in self.provisioning_rules.iter().enumerate().skip(i + 1) {
                    if let Some(s) = q.range()
                        && r.overlaps(&s)
                    {
                        return bad(
                            format!("provisioning_rules[{j}].start_extension"),
                            format!("range {s} overlaps rule {:?} ({r})", p.name),
                        );
                    }
                }
            }
        }
        Ok(())
    }

    /// The templates the rules reach: profiles the licensing mode has and the user type may
    /// use (with a mode), the Teams client for Teams + IP Office users.
    fn check_templates(&self, mode: Option<LicensingMode>) -> Result<(), ConfigError> {
        for (i, r) in self.rules.iter().enumerate() {
            let Some(pname) = &r.provisioning_rule else {
                continue;
            };
            if r.user_type == UserType::TeamsOnly {
                return bad(
                    format!("rules[{i}].provisioning_rule"),
                    "a Teams-only group creates no IP Office users; remove the provisioning rule"
                        .into(),
                );
            }
            let Some(tname) = self
                .provisioning_rule(pname)
                .and_then(|p| p.user_template.as_ref())
            else {
                continue;
            };
            let Some(t) = self.user_templates.get(tname) else {
                continue;
            };
            if let (Some(mode), Some(profile)) = (mode, t.profile) {
                if !profile.is_valid_in(mode) {
                    return bad(
                        format!("user_templates.{tname}.profile"),
                        format!("{profile} does not exist on a {mode} system"),
                    );
                }
                if r.user_type == UserType::TeamsAndIpOffice
                    && !self.licensing.profile_allowed_for(
                        UserType::TeamsAndIpOffice,
                        profile,
                        mode,
                    )
                {
                    return bad(
                        format!("user_templates.{tname}.profile"),
                        format!(
                            "{profile} cannot use the Teams client on a {mode} system (rule {})",
                            r.label()
                        ),
                    );
                }
            }
            if r.user_type == UserType::TeamsAndIpOffice && t.teams_client == Some(false) {
                return bad(
                    format!("user_templates.{tname}.teams_client"),
                    "Teams + IP Office users need the Teams client enabled".into(),
                );
            }
        }
        Ok(())
    }
}

/// A refused field.
fn bad(field: String, message: String) -> Result<(), ConfigError> {
    Err(ConfigError::Invalid { field, message })
}
