//! The emulated IP Office imports its directory from the sync's LDAP directory service, as
//! a real one does: Teams-only people appear after a sync and are gone after they leave.

use std::time::Duration;

use ipo_emulator::{DirectoryImport, LdapImportConfig};
use ipo_teams_ldap::{
    BindUser, DirectoryConfig, DirectoryService, EntrySet, EntrySetHandle, Secret, ServedEntry,
};

const BASE: &str = "ou=teams,dc=example,dc=com";

async fn wait_for(import: &DirectoryImport, want: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut got = Vec::new();
    for _ in 0..100 {
        got = import
            .records()
            .into_iter()
            .map(|r| (r.name, r.number))
            .collect();
        if got
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .eq(want.iter().copied())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    got
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ip_office_keeps_its_directory_current_from_the_sync() {
    let set = EntrySetHandle::with(
        EntrySet::from_served(vec![
            ServedEntry::new("Ann Lee", "441632768402-402").with_mobile("447700900123"),
            ServedEntry::new("Bo Chan", "+403"),
        ])
        .unwrap(),
    );
    let cfg = DirectoryConfig::new("127.0.0.1:0".parse().unwrap(), BASE)
        .with_bind_user(BindUser::new("ipoffice", Secret::new("pw")));
    let svc = DirectoryService::bind(cfg, set.clone())
        .await
        .unwrap()
        .spawn();
    let url = format!("ldap://{}", svc.local_addr());

    let import = DirectoryImport::start(
        LdapImportConfig::new(&url, "ipoffice", "pw", BASE)
            .resync_every(Duration::from_millis(100)),
    );
    let want = [
        ("Ann Lee", "441632768402-402"),
        ("Ann Lee", "447700900123"),
        ("Bo Chan", "+403"),
    ];
    let got = wait_for(&import, &want).await;
    assert_eq!(
        got,
        want.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect::<Vec<_>>()
    );

    // The next sync: Bo left, Cara joined. IP Office follows at its next resync.
    set.replace(
        EntrySet::from_served(vec![
            ServedEntry::new("Ann Lee", "441632768402-402"),
            ServedEntry::new("Cara Diaz", "+404"),
        ])
        .unwrap(),
    );
    let want = [("Ann Lee", "441632768402-402"), ("Cara Diaz", "+404")];
    let got = wait_for(&import, &want).await;
    assert_eq!(
        got,
        want.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect::<Vec<_>>()
    );
    assert!(import.resyncs() >= 2);
    assert_eq!(import.last_error(), None);

    // The service goes away: the temporary records stay as last imported, the error is kept.
    svc.shutdown().await;
    for _ in 0..100 {
        if import.last_error().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        import.last_error().is_some_and(|e| e.contains("connect")),
        "{:?}",
        import.last_error()
    );
    assert_eq!(import.records().len(), 2);
    import.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_imports_nothing_and_says_why() {
    let set = EntrySetHandle::with(
        EntrySet::from_served(vec![ServedEntry::new("Ann Lee", "402")]).unwrap(),
    );
    let cfg = DirectoryConfig::new("127.0.0.1:0".parse().unwrap(), BASE)
        .with_bind_user(BindUser::new("ipoffice", Secret::new("pw")));
    let svc = DirectoryService::bind(cfg, set).await.unwrap().spawn();
    let import = DirectoryImport::start(
        LdapImportConfig::new(
            format!("ldap://{}", svc.local_addr()),
            "ipoffice",
            "wrong",
            BASE,
        )
        .resync_every(Duration::from_millis(100)),
    );
    for _ in 0..100 {
        if import.last_error().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let e = import.last_error().unwrap();
    assert!(e.contains("bind as ipoffice"), "{e}");
    assert!(!e.contains("wrong"), "the password never appears: {e}");
    assert!(import.records().is_empty());
    let dbg = format!(
        "{:?}",
        LdapImportConfig::new("ldap://127.0.0.1:1", "u", "s3cret", BASE)
    );
    assert!(!dbg.contains("s3cret"), "{dbg}");
    svc.shutdown().await;
}
