//! Shared test helpers: a running service on 127.0.0.1 and Debian's `ldapsearch` family.

#![allow(dead_code)]

pub mod raw;

use std::collections::BTreeMap;
use std::process::Command;

use base64::Engine;
use ipo_teams_ldap::{
    BindUser, DirectoryConfig, DirectoryService, EntrySet, EntrySetHandle, RunningService, Secret,
    ServedEntry,
};

pub const BASE: &str = "ou=teams,dc=example,dc=com";
pub const BIND_DN: &str = "cn=ipoffice,dc=example,dc=com";
pub const PW: &str = "Corr3ct-h0rse";

/// A config for 127.0.0.1, an ephemeral port, the test bind user.
pub fn config() -> DirectoryConfig {
    DirectoryConfig::new("127.0.0.1:0".parse().unwrap(), BASE)
        .with_bind_user(BindUser::new(BIND_DN, Secret::new(PW)))
}

/// Ten people, two with a mobile.
pub fn people() -> Vec<ServedEntry> {
    let names = [
        "Ann Lee",
        "Bo Chan",
        "Cara Diaz",
        "Dev Patel",
        "Eve Ng",
        "Finn Roe",
        "Gus Hill",
        "Hana Ito",
        "Ivo Kral",
        "Jo Park",
    ];
    names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let e = ServedEntry::new(*n, format!("441632768{}-{}", 400 + i, 400 + i));
            if i < 2 {
                e.with_mobile(format!("4477009001{i:02}"))
            } else {
                e
            }
        })
        .collect()
}

pub async fn start(
    cfg: DirectoryConfig,
    entries: Option<Vec<ServedEntry>>,
) -> (RunningService, EntrySetHandle) {
    let handle = EntrySetHandle::new();
    if let Some(e) = entries {
        handle.replace(EntrySet::from_served(e).unwrap());
    }
    let svc = DirectoryService::bind(cfg, handle.clone()).await.unwrap();
    (svc.spawn(), handle)
}

pub fn url(s: &RunningService) -> String {
    format!("ldap://{}", s.local_addr())
}

/// An `ldap3` connection (LDAPv3), not bound yet.
pub async fn ldap3_connect(url: &str) -> ldap3::Ldap {
    let (conn, ldap) = ldap3::LdapConnAsync::new(url).await.unwrap();
    ldap3::drive!(conn);
    ldap
}

/// An `ldap3` connection bound as the test user.
pub async fn ldap3_bound(url: &str) -> ldap3::Ldap {
    let mut ldap = ldap3_connect(url).await;
    let r = ldap.simple_bind(BIND_DN, PW).await.unwrap();
    assert_eq!(r.rc, 0, "{r:?}");
    ldap
}

/// The paged-results control of a search's final result.
pub fn paged_response(res: &ldap3::LdapResult) -> ldap3::controls::PagedResults {
    use ldap3::controls::{Control, ControlType, PagedResults};
    res.ctrls
        .iter()
        .find_map(|Control(t, raw)| {
            matches!(t, Some(ControlType::PagedResults)).then(|| raw.parse::<PagedResults>())
        })
        .expect("paged results response control")
}

/// Reads until the server closes; what it sent before closing, or None if it had not
/// closed within `within`.
pub async fn read_until_closed(
    s: &mut tokio::net::TcpStream,
    within: std::time::Duration,
) -> Option<Vec<u8>> {
    use tokio::io::AsyncReadExt;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(got),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => return None,
        }
    }
}

/// `n` people named `Person 00000`, ... with six-digit numbers: IP Office's largest
/// directory at 10,000.
pub fn many(n: usize) -> Vec<ServedEntry> {
    (0..n)
        .map(|i| ServedEntry::new(format!("Person {i:05}"), format!("{}", 100_000 + i)))
        .collect()
}

/// The ldap-utils tool `name`, or a failure saying how to install it: never a skip (the
/// tests that use it are `#[ignore]`d with that reason, and `.ci/run` runs them).
pub fn tool(name: &str) -> Command {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {name}"))
        .output()
        .map(|o| o.status.success());
    if !matches!(found, Ok(true)) {
        panic!(
            "`{name}` is not installed: these tests need Debian's ldap-utils (apt-get install -y ldap-utils; .ci/run installs it)"
        );
    }
    let mut c = Command::new(name);
    // No ~/.ldaprc or /etc/ldap/ldap.conf may change what the test sends.
    c.env("LDAPNOINIT", "1");
    c
}

/// One LDIF entry: its DN and its attributes' values, all as bytes.
pub type LdifEntry = (Vec<u8>, BTreeMap<String, Vec<Vec<u8>>>);

/// What `ldapsearch` printed: entries (DN -> attribute -> values, values decoded from
/// base64 when LDIF used it) and its exit code (the LDAP result code).
#[derive(Debug)]
pub struct Found {
    pub code: i32,
    pub entries: Vec<LdifEntry>,
    pub stderr: String,
}

impl Found {
    pub fn dns(&self) -> Vec<String> {
        self.entries
            .iter()
            .map(|(d, _)| String::from_utf8_lossy(d).into_owned())
            .collect()
    }

    pub fn cns(&self) -> Vec<Vec<u8>> {
        let mut v: Vec<Vec<u8>> = self
            .entries
            .iter()
            .flat_map(|(_, a)| a.get("cn").cloned().unwrap_or_default())
            .collect();
        v.sort();
        v
    }

    pub fn cn_strings(&self) -> Vec<String> {
        self.cns()
            .into_iter()
            .map(|c| String::from_utf8(c).unwrap())
            .collect()
    }
}

/// Runs `ldapsearch -x -LLL` against `url` with `args` (bind, base, scope, filter, attrs).
pub async fn ldapsearch(url: &str, args: &[&str]) -> Found {
    let mut c = tool("ldapsearch");
    c.args([
        "-x",
        "-LLL",
        "-o",
        "ldif-wrap=no",
        "-o",
        "nettimeout=10",
        "-H",
        url,
    ])
    .args(args);
    run_ldif(c).await
}

/// Runs a tool that prints no LDIF (ldapadd, ldapmodify, ...): exit code and what it
/// printed (stdout then stderr: ldapmodrdn reports on stdout).
pub async fn run_plain(mut c: Command) -> (i32, String) {
    let out = tokio::task::spawn_blocking(move || c.output())
        .await
        .unwrap()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

pub async fn run_ldif(mut c: Command) -> Found {
    let out = tokio::task::spawn_blocking(move || c.output())
        .await
        .unwrap()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    Found {
        code,
        entries: parse_ldif(&String::from_utf8_lossy(&out.stdout)),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn parse_ldif(text: &str) -> Vec<LdifEntry> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut out = Vec::new();
    let mut cur: Option<LdifEntry> = None;
    for line in text.lines() {
        if line.is_empty() {
            if let Some(e) = cur.take() {
                out.push(e);
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let (name, value) = if let Some((n, v)) = line.split_once(":: ") {
            (n, b64.decode(v.trim()).unwrap())
        } else if let Some((n, v)) = line.split_once(": ") {
            (n, v.as_bytes().to_vec())
        } else if let Some(n) = line.strip_suffix(':') {
            (n, Vec::new())
        } else {
            panic!("unexpected LDIF line {line:?}");
        };
        if name == "dn" {
            if let Some(e) = cur.take() {
                out.push(e);
            }
            cur = Some((value, BTreeMap::new()));
        } else if let Some((_, attrs)) = cur.as_mut() {
            attrs.entry(name.to_owned()).or_default().push(value);
        }
    }
    if let Some(e) = cur.take() {
        out.push(e);
    }
    out
}

/// `ldapsearch` bound as the test user, v3, searching `base` at `scope` for `filter`.
pub async fn search(url: &str, base: &str, scope: &str, filter: &str, attrs: &[&str]) -> Found {
    let mut args = vec!["-D", BIND_DN, "-w", PW, "-b", base, "-s", scope, filter];
    args.extend_from_slice(attrs);
    ldapsearch(url, &args).await
}
