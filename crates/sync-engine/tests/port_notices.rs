//! What the edges report besides records reaches the run's result (issue 16): restart
//! notices into `Report::restarts` (once per node) and the rendered report; malformed
//! directory records skipped by the source into `RunResult::skipped`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use async_trait::async_trait;
use common::*;
use ipo_model::{
    AzureAdSource, AzureAdUser, ChangeOutcome, DeltaCursor, DeltaOutcome, GroupId, IpoChange,
    IpoConfigStore, IpoSnapshot, MemoryAzureAd, MemoryIpo, ObjectId, Platform, PortError,
    RestartNotice, SkippedRecord, UserType,
};
use sync_engine::{
    GroupRule, MemoryStateStore, RunOptions, Style, SyncConfig, SyncEngine, render_report,
};

/// IP Office that says every stored write needs node 10.0.0.5 restarted.
struct Restarting(MemoryIpo);

#[async_trait]
impl IpoConfigStore for Restarting {
    async fn snapshot(&self) -> Result<IpoSnapshot, PortError> {
        self.0.snapshot().await
    }
    async fn apply(&self, changes: Vec<IpoChange>) -> Vec<ChangeOutcome> {
        let mut out = self.0.apply(changes).await;
        for o in out.iter_mut().flatten() {
            o.restarts = vec![RestartNotice::new("10.0.0.5", Some("normal".into()))];
        }
        out
    }
}

/// A directory whose change stream carries one malformed member id.
struct Malformed(MemoryAzureAd);

#[async_trait]
impl AzureAdSource for Malformed {
    async fn group_members(&self, group: &GroupId) -> Result<Vec<AzureAdUser>, PortError> {
        self.0.group_members(group).await
    }
    async fn all_users(&self) -> Result<Vec<AzureAdUser>, PortError> {
        self.0.all_users().await
    }
    async fn user(&self, id: &ObjectId) -> Result<Option<AzureAdUser>, PortError> {
        self.0.user(id).await
    }
    async fn latest_cursor(&self, groups: &[GroupId]) -> Result<DeltaCursor, PortError> {
        self.0.latest_cursor(groups).await
    }
    async fn changes(
        &self,
        groups: &[GroupId],
        cursor: &DeltaCursor,
    ) -> Result<DeltaOutcome, PortError> {
        let mut out = self.0.changes(groups, cursor).await?;
        if let DeltaOutcome::Changes(c) = &mut out {
            c.skipped.push(SkippedRecord::new(
                "member of group 99999999-0000-4000-8000-000000000001",
                "members@delta.id",
                "XYZ-not-a-guid",
                "not a GUID",
            ));
        }
        Ok(out)
    }
}

fn config() -> SyncConfig {
    SyncConfig::new(vec![GroupRule::new(gid(1), UserType::IpOfficeOnly)])
}

#[tokio::test]
async fn restart_notices_reach_the_report_once_per_node_and_its_rendering() {
    let dir = Arc::new(MemoryAzureAd::new());
    for n in 1..=3 {
        let u = with_ext(person(n, &format!("p{n}")), &format!("40{n}"));
        dir.upsert_user(u.clone());
        dir.add_member(&gid(1), &u.id);
    }
    let ipo = Arc::new(Restarting(MemoryIpo::new(snapshot(Platform::Ip500V2))));
    let engine = SyncEngine::new(config(), dir, ipo, Arc::new(MemoryStateStore::new()));
    let run = engine.run(&RunOptions::apply()).await.unwrap();
    let report = run.report.unwrap();
    assert_eq!(report.summary.failed, 0);
    assert!(report.summary.succeeded >= 3);
    assert!(report.needs_restart());
    assert_eq!(
        report.restarts,
        [RestartNotice::new("10.0.0.5", Some("normal".into()))]
    );
    let text = render_report(&report, Style::default());
    assert!(
        text.contains("IP Office needs a restart for these changes to take effect: node 10.0.0.5"),
        "{text}"
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["restarts"][0]["node"], "10.0.0.5");
}

#[tokio::test]
async fn a_skipped_directory_record_is_in_the_run_result_and_the_run_goes_on() {
    let mem = MemoryAzureAd::new();
    let u = with_ext(person(1, "ann"), "401");
    mem.upsert_user(u.clone());
    mem.add_member(&gid(1), &u.id);
    let dir = Arc::new(Malformed(mem));
    let ipo = Arc::new(MemoryIpo::new(snapshot(Platform::Ip500V2)));
    let engine = SyncEngine::new(config(), dir, ipo, Arc::new(MemoryStateStore::new()));
    let first = engine.run(&RunOptions::apply()).await.unwrap();
    assert!(first.skipped.is_empty(), "a full read has no delta");
    let second = engine
        .run(&RunOptions::apply().incremental())
        .await
        .unwrap();
    assert!(second.incremental);
    assert_eq!(second.skipped.len(), 1);
    assert_eq!(second.skipped[0].raw, "XYZ-not-a-guid");
    assert_eq!(second.report.unwrap().summary.failed, 0);
}
