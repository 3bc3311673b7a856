//! A custom directory: people from a CSV export instead of Microsoft Graph, planned against
//! an IP Office (here in memory). Any source works once it implements
//! [`ipo_model::AzureAdSource`]; the sync engine does the rest.
//!
//! ```sh
//! cargo run --example csv_directory
//! ```
//!
//! The export's columns: `id,userPrincipalName,displayName,mailNickname,businessPhones,groups`
//! (groups: object ids separated by `;`). This small reader splits on commas; a real one
//! would use a CSV library for quoted fields.

use std::sync::Arc;

use async_trait::async_trait;
use ipo_model::{
    AzureAdSource, AzureAdUser, DeltaCursor, DeltaOutcome, GroupId, IpoSnapshot, LicensingMode,
    MemoryIpo, ObjectId, Platform, PortError, SystemInfo, UserType,
};
use sync_engine::{
    GroupRule, MemoryStateStore, ProvisioningRule, RunOptions, Style, SyncConfig, SyncEngine,
    render_plan,
};

const EXPORT: &str = "\
id,userPrincipalName,displayName,mailNickname,businessPhones,groups
0b000000-0000-4000-8000-000000000001,ann.lee@contoso.example,Ann Lee,ann.lee,,0a000000-0000-4000-8000-000000000001
0b000000-0000-4000-8000-000000000002,bob.ray@contoso.example,Bob Ray,bob.ray,+44 1632 768230 x230,0a000000-0000-4000-8000-000000000001
";

/// People read from a CSV export, once, when built.
struct CsvDirectory {
    people: Vec<AzureAdUser>,
}

impl CsvDirectory {
    /// Parses `text`; an error names the line and the column.
    fn parse(text: &str) -> Result<Self, PortError> {
        let invalid = |line: usize, field: &str, message: String| PortError::InvalidData {
            record: format!("CSV line {line}"),
            field: field.into(),
            message,
        };
        let mut people = Vec::new();
        for (i, row) in text.lines().enumerate().skip(1) {
            let line = i + 1;
            let cols: Vec<&str> = row.split(',').collect();
            let [id, upn, name, nick, phone, groups] = cols[..] else {
                return Err(invalid(
                    line,
                    "row",
                    format!("{} columns, not 6", cols.len()),
                ));
            };
            let id: ObjectId = id
                .parse()
                .map_err(|e| invalid(line, "id", format!("{e}")))?;
            let mut u = AzureAdUser::new(id);
            let text = |s: &str| (!s.is_empty()).then(|| s.to_owned());
            u.user_principal_name = text(upn);
            u.mail = text(upn);
            u.display_name = text(name);
            u.mail_nickname = text(nick);
            u.account_enabled = Some(true);
            u.business_phones = text(phone).into_iter().collect();
            for g in groups.split(';').filter(|g| !g.is_empty()) {
                u.groups.insert(
                    g.parse()
                        .map_err(|e| invalid(line, "groups", format!("{e}")))?,
                );
            }
            people.push(u);
        }
        Ok(Self { people })
    }
}

#[async_trait]
impl AzureAdSource for CsvDirectory {
    async fn group_members(&self, group: &GroupId) -> Result<Vec<AzureAdUser>, PortError> {
        Ok(self
            .people
            .iter()
            .filter(|u| u.groups.contains(group))
            .cloned()
            .collect())
    }

    async fn all_users(&self) -> Result<Vec<AzureAdUser>, PortError> {
        Ok(self.people.clone())
    }

    async fn user(&self, id: &ObjectId) -> Result<Option<AzureAdUser>, PortError> {
        Ok(self.people.iter().find(|u| &u.id == id).cloned())
    }

    // An export has no change feed: every incremental run becomes a full read.
    async fn latest_cursor(&self, _groups: &[GroupId]) -> Result<DeltaCursor, PortError> {
        Ok(DeltaCursor::default())
    }

    async fn changes(
        &self,
        _groups: &[GroupId],
        _cursor: &DeltaCursor,
    ) -> Result<DeltaOutcome, PortError> {
        Ok(DeltaOutcome::FullResyncNeeded {
            reason: "a CSV export has no change feed".into(),
        })
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let directory = Arc::new(CsvDirectory::parse(EXPORT)?);
    let ipo = Arc::new(MemoryIpo::new(IpoSnapshot::new(SystemInfo::new(
        "ipo",
        "12.1",
        LicensingMode::Plds,
        Platform::Ip500V2,
    ))));

    let group: GroupId = "0a000000-0000-4000-8000-000000000001".parse()?;
    let mut rule = GroupRule::new(group, UserType::IpOfficeOnly);
    rule.name = Some("IP Office users".into());
    rule.provisioning_rule = Some("desk".into());
    let mut desk = ProvisioningRule::new("desk");
    desk.start_extension = Some("220".parse()?);
    desk.end_extension = Some("249".parse()?);
    let mut config = SyncConfig::new(vec![rule]);
    config.provisioning_rules = vec![desk];
    config.validate(None)?;

    let engine = SyncEngine::new(config, directory, ipo, Arc::new(MemoryStateStore::new()));
    let run = engine.run(&RunOptions::dry_run()).await?;
    print!("{}", render_plan(&run.plan, Style::default()));
    assert_eq!(run.people, 2, "both people of the export are in scope");
    Ok(())
}
