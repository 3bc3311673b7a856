//! The service as Debian's OpenLDAP client tools see it (`ldapsearch`, `ldapmodify`, ...),
//! on 127.0.0.1. Each test is `#[ignore]`d with what to install, so a plain `cargo test` on
//! a machine without ldap-utils lists them; `.ci/run` installs the tools and runs them with
//! `-- --include-ignored`. The same ground without ldap-utils: `tests/client.rs`.

mod common;

use common::*;
use ipo_teams_ldap::ServedEntry;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ldapsearch: apt-get install ldap-utils"]
async fn v3_bind_and_subtree_search_serve_every_entry_exactly() {
    let (svc, _h) = start(config(), Some(people())).await;
    let f = search(&url(&svc), BASE, "sub", "(objectClass=person)", &[]).await;
    assert_eq!(f.code, 0, "{}", f.stderr);
    assert_eq!(f.entries.len(), 10);
    let ann = f
        .entries
        .iter()
        .find(|(dn, _)| dn == b"cn=Ann Lee,ou=teams,dc=example,dc=com")
        .expect("Ann's DN");
    assert_eq!(ann.1["cn"], vec![b"Ann Lee".to_vec()]);
    assert_eq!(ann.1["telephoneNumber"], vec![b"441632768400-400".to_vec()]);
    assert_eq!(ann.1["mobile"], vec![b"447700900100".to_vec()]);
    assert_eq!(ann.1["objectClass"].len(), 3);
    let cara = f
        .entries
        .iter()
        .find(|(dn, _)| dn.starts_with(b"cn=Cara Diaz,"))
        .unwrap();
    assert!(!cara.1.contains_key("mobile"));
    svc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ldapsearch: apt-get install ldap-utils"]
async fn v2_bind_as_ip_office_sends_it() {
    let (svc, _h) = start(config(), Some(people())).await;
    let f = ldapsearch(
        &url(&svc),
        &[
            "-P",
            "2",
            "-D",
            BIND_DN,
            "-w",
            PW,
            "-b",
            BASE,
            "-s",
            "one",
            "(cn=Bo Chan)",
            "cn",
            "telephoneNumber",
        ],
    )
    .await;
    assert_eq!(f.code, 0, "{}", f.stderr);
    assert_eq!(f.cn_strings(), vec!["Bo Chan"]);
    assert_eq!(
        f.entries[0].1["telephoneNumber"],
        vec![b"441632768401-401".to_vec()]
    );
    // A plain user name in IP Office's "User Name" field binds as well.
    let mut cfg = config();
    cfg.bind_user = Some(ipo_teams_ldap::BindUser::new(
        "ipoffice",
        ipo_teams_ldap::Secret::new(PW),
    ));
    let (svc2, _h2) = start(cfg, Some(people())).await;
    let f = ldapsearch(
        &url(&svc2),
        &[
            "-P",
            "2",
            "-D",
            "IPOffice",
            "-w",
            PW,
            "-b",
            BASE,
            "(cn=Bo Chan)",
        ],
    )
    .await;
    assert_eq!(f.code, 0, "{}", f.stderr);
    assert_eq!(f.entries.len(), 1);
    svc.shutdown().await;
    svc2.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ldapsearch: apt-get install ldap-utils"]
async fn wrong_password_and_wrong_user_are_invalid_credentials() {
    let (svc, _h) = start(config(), Some(people())).await;
    for (dn, pw) in [
        (BIND_DN, "wrong"),
        (BIND_DN, "Corr3ct-h0rs"),
        ("cn=other,dc=example,dc=com", PW),
    ] {
        for v in ["2", "3"] {
            let f = ldapsearch(
                &url(&svc),
                &["-P", v, "-D", dn, "-w", pw, "-b", BASE, "(objectClass=*)"],
            )
            .await;
            assert_eq!(f.code, 49, "{dn} v{v}: {}", f.stderr);
            assert!(f.entries.is_empty());
        }
    }
    // The DN is compared as LDAP compares names: case and spaces around '=' and ',' do not matter.
    let f = ldapsearch(
        &url(&svc),
        &[
            "-D",
            "CN=IPOffice, DC=example,dc=COM",
            "-w",
            PW,
            "-b",
            BASE,
            "(cn=Ann Lee)",
        ],
    )
    .await;
    assert_eq!(f.code, 0, "{}", f.stderr);
    svc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ldapsearch: apt-get install ldap-utils"]
async fn anonymous_is_refused_unless_configured() {
    let (svc, _h) = start(config(), Some(people())).await;
    // Anonymous bind (no -D): inappropriateAuthentication.
    let f = ldapsearch(&url(&svc), &["-b", BASE, "(objectClass=*)"]).await;
    assert_eq!(f.code, 48, "{}", f.stderr);
    assert!(f.entries.is_empty());
    // A name without a password (unauthenticated bind): unwillingToPerform.
    let f = ldapsearch(
        &url(&svc),
        &["-D", BIND_DN, "-w", "", "-b", BASE, "(objectClass=*)"],
    )
    .await;
    assert_eq!(f.code, 53, "{}", f.stderr);
    svc.shutdown().await;

    let (svc, _h) = start(config().with_anonymous(true), Some(people())).await;
    let f = ldapsearch(&url(&svc), &["-b", BASE, "-s", "one", "(objectClass=*)"]).await;
    assert_eq!(f.code, 0, "{}", f.stderr);
    assert_eq!(f.entries.len(), 10);
    svc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ldapsearch: apt-get install ldap-utils"]
async fn every_filter_kind_is_evaluated_by_the_server() {
    let (svc, _h) = start(config(), Some(people())).await;
    let u = url(&svc);
    let cases: &[(&str, &[&str])] = &[
        ("(cn=ann lee)", &["Ann Lee"]),
        ("(CN=ANN   LEE)", &["Ann Lee"]),
        ("(cn=Ann)", &[]),
        ("(mobile=*)", &["Ann Lee", "Bo Chan"]),
        (
            "(cn=*a*)",
            &[
                "Ann Lee",
                "Bo Chan",
                "Cara Diaz",
                "Dev Patel",
                "Hana Ito",
                "Ivo Kral",
                "Jo Park",
            ],
        ),
        ("(cn=C*)", &["Cara Diaz"]),
        ("(cn=*Park)", &["Jo Park"]),
        ("(cn=H*n*o)", &["Hana Ito"]),
        ("(telephoneNumber=441632768405-405)", &["Finn Roe"]),
        ("(telephoneNumber=441632768405405)", &["Finn Roe"]),
        ("(telephoneNumber=*-409)", &["Jo Park"]),
        ("(&(objectClass=person)(cn=E*))", &["Eve Ng"]),
        (
            "(|(cn=Eve Ng)(cn=Gus Hill)(cn=Nobody))",
            &["Eve Ng", "Gus Hill"],
        ),
        ("(&(mobile=*)(!(cn=Ann Lee)))", &["Bo Chan"]),
        ("(!(telephoneNumber=4416327684*))", &[]),
        ("(cn~=ivo kral)", &["Ivo Kral"]),
        // Unknown attribute: Undefined, and NOT Undefined is still Undefined.
        ("(department=x)", &[]),
        ("(!(department=x))", &[]),
        ("(|(department=x)(cn=Jo Park))", &["Jo Park"]),
        // No ordering rule on these attributes: Undefined.
        ("(cn>=A)", &[]),
    ];
    for (filter, want) in cases {
        let f = search(&u, BASE, "one", filter, &["cn"]).await;
        assert_eq!(f.code, 0, "{filter}: {}", f.stderr);
        let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(f.cn_strings(), want, "{filter}");
    }
    let f = search(&u, BASE, "one", "(cn:caseExactMatch:=Ann Lee)", &[]).await;
    assert_eq!(f.code, 53, "extensible match refused: {}", f.stderr);
    assert!(f.entries.is_empty());
    svc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ldapsearch: apt-get install ldap-utils"]
async fn scopes_base_one_and_sub() {
    let (svc, _h) = start(config(), Some(people())).await;
    let u = url(&svc);
    let f = search(&u, BASE, "base", "(objectClass=*)", &[]).await;
    assert_eq!((f.code, f.dns()), (0, vec![BASE.to_owned()]));
    assert_eq!(f.entries[0].1["ou"], vec![b"teams".to_vec()]);
    assert_eq!(
        search(&u, BASE, "one", "(objectClass=*)", &[])
            .await
            .entries
            .len(),
        10
    );
    assert_eq!(
        search(&u, BASE, "sub", "(objectClass=*)", &[])
            .await
            .entries
            .len(),
        11
    );
    // The base of a subtree search may be above ours.
    assert_eq!(
        search(&u, "dc=example,dc=com", "sub", "(objectClass=person)", &[])
            .await
            .entries
            .len(),
        10
    );
    assert_eq!(
        search(&u, "dc=example,dc=com", "one", "(objectClass=*)", &[])
            .await
            .dns(),
        vec![BASE.to_owned()]
    );
    // One entry by its DN, written another way.
    let f = search(
        &u,
        "CN=dev patel,OU=Teams,dc=example,dc=com",
        "base",
        "(objectClass=*)",
        &["cn"],
    )
    .await;
    assert_eq!((f.code, f.cn_strings()), (0, vec!["Dev Patel".to_owned()]));
    assert!(
        search(
            &u,
            "cn=Dev Patel,ou=teams,dc=example,dc=com",
            "one",
            "(objectClass=*)",
            &[]
        )
        .await
        .entries
        .is_empty()
    );
    // Names we do not hold.
    assert_eq!(
        search(
            &u,
            "cn=Nobody,ou=teams,dc=example,dc=com",
            "base",
            "(objectClass=*)",
            &[]
        )
        .await
        .code,
        32
    );
    assert_eq!(
        search(
            &u,
            "ou=other,dc=example,dc=com",
            "sub",
            "(objectClass=*)",
            &[]
        )
        .await
        .code,
        32
    );
    // The root DSE advertises paged results.
    let f = search(&u, "", "base", "(objectClass=*)", &["+"]).await;
    assert_eq!(f.code, 0, "{}", f.stderr);
    assert_eq!(
        f.entries[0].1["supportedControl"],
        vec![b"1.2.840.113556.1.4.319".to_vec()]
    );
    assert_eq!(
        f.entries[0].1["namingContexts"],
        vec![BASE.as_bytes().to_vec()]
    );
    svc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ldapsearch: apt-get install ldap-utils"]
async fn requested_attributes_are_honoured() {
    let (svc, _h) = start(config(), Some(people())).await;
    let u = url(&svc);
    let keys = |f: &Found| f.entries[0].1.keys().cloned().collect::<Vec<_>>();
    let f = search(&u, BASE, "one", "(cn=Ann Lee)", &["telephoneNumber"]).await;
    assert_eq!(keys(&f), vec!["telephoneNumber"]);
    let f = search(&u, BASE, "one", "(cn=Ann Lee)", &["CN", "Mobile", "nosuch"]).await;
    assert_eq!(keys(&f), vec!["cn", "mobile"]);
    let f = search(&u, BASE, "one", "(cn=Ann Lee)", &["1.1"]).await;
    assert_eq!(f.entries.len(), 1);
    assert!(f.entries[0].1.is_empty(), "{:?}", f.entries);
    let f = search(&u, BASE, "one", "(cn=Ann Lee)", &["*"]).await;
    assert_eq!(
        keys(&f),
        vec!["cn", "mobile", "objectClass", "telephoneNumber"]
    );
    // Types only (-A).
    let f = ldapsearch(
        &u,
        &[
            "-D",
            BIND_DN,
            "-w",
            PW,
            "-A",
            "-b",
            BASE,
            "(cn=Ann Lee)",
            "cn",
        ],
    )
    .await;
    assert_eq!(f.entries[0].1["cn"], vec![Vec::<u8>::new()]);
    svc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ldapsearch: apt-get install ldap-utils"]
async fn size_limit_client_and_server() {
    let (svc, _h) = start(config(), Some(people())).await;
    let f = ldapsearch(
        &url(&svc),
        &[
            "-D",
            BIND_DN,
            "-w",
            PW,
            "-z",
            "3",
            "-b",
            BASE,
            "-s",
            "one",
            "(objectClass=*)",
        ],
    )
    .await;
    assert_eq!(f.code, 4, "sizeLimitExceeded: {}", f.stderr);
    assert_eq!(f.entries.len(), 3);
    svc.shutdown().await;

    let mut cfg = config();
    cfg.size_limit = 4;
    let (svc, _h) = start(cfg, Some(people())).await;
    let f = search(&url(&svc), BASE, "one", "(objectClass=*)", &[]).await;
    assert_eq!(f.code, 4, "{}", f.stderr);
    assert_eq!(f.entries.len(), 4);
    // Paging gets everything, four at a time at most.
    let f = ldapsearch(
        &url(&svc),
        &[
            "-D",
            BIND_DN,
            "-w",
            PW,
            "-E",
            "pr=3/noprompt",
            "-b",
            BASE,
            "-s",
            "one",
            "(objectClass=*)",
            "cn",
        ],
    )
    .await;
    assert_eq!(f.code, 0, "{}", f.stderr);
    assert_eq!(f.entries.len(), 10);
    let f = ldapsearch(
        &url(&svc),
        &[
            "-D",
            BIND_DN,
            "-w",
            PW,
            "-E",
            "pr=100/noprompt",
            "-b",
            BASE,
            "-s",
            "one",
            "(objectClass=*)",
            "cn",
        ],
    )
    .await;
    assert_eq!((f.code, f.entries.len()), (0, 10), "{}", f.stderr);
    let mut want: Vec<String> = people().into_iter().map(|p| p.cn).collect();
    want.sort();
    assert_eq!(f.cn_strings(), want);
    svc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ldapsearch: apt-get install ldap-utils"]
async fn every_write_is_unwilling_to_perform() {
    let (svc, h) = start(config(), Some(people())).await;
    let u = url(&svc);
    let dir = tempfile::tempdir().unwrap();
    let ldif = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_string_lossy().into_owned()
    };
    let add = ldif(
        "add.ldif",
        &format!(
            "dn: cn=Mallory,{BASE}\nobjectClass: person\ncn: Mallory\nsn: M\ntelephoneNumber: 999\n"
        ),
    );
    let modify = ldif(
        "mod.ldif",
        &format!(
            "dn: cn=Ann Lee,{BASE}\nchangetype: modify\nreplace: telephoneNumber\ntelephoneNumber: 999\n"
        ),
    );
    let runs: Vec<(&str, Vec<String>)> = vec![
        ("ldapadd", vec!["-f".into(), add]),
        ("ldapmodify", vec!["-f".into(), modify]),
        ("ldapdelete", vec![format!("cn=Bo Chan,{BASE}")]),
        (
            "ldapmodrdn",
            vec![format!("cn=Eve Ng,{BASE}"), "cn=Eve Mallory".into()],
        ),
        (
            "ldappasswd",
            vec!["-s".into(), "new".into(), format!("cn=Ann Lee,{BASE}")],
        ),
    ];
    for (tool_name, args) in runs {
        let mut c = tool(tool_name);
        c.args(["-x", "-H", &u, "-D", BIND_DN, "-w", PW])
            .args(&args);
        let (code, stderr) = run_plain(c).await;
        // ldappasswd exits 1 whatever the server said; the others exit with the result code.
        let want = if tool_name == "ldappasswd" { 1 } else { 53 };
        assert_eq!(code, want, "{tool_name}: {stderr}");
        assert!(
            stderr.contains("unwilling to perform (53)"),
            "{tool_name}: {stderr}"
        );
        assert!(stderr.contains("read-only"), "{tool_name}: {stderr}");
    }
    // Nothing changed.
    let set = h.current().unwrap();
    assert_eq!(set.entries().cloned().collect::<Vec<_>>(), people());
    let f = search(&u, BASE, "one", "(telephoneNumber=999)", &[]).await;
    assert!(f.entries.is_empty());
    svc.shutdown().await;
}

fn hostile() -> Vec<ServedEntry> {
    vec![
        ServedEntry::new("*", "401"),
        ServedEntry::new("a*b(c)\\d", "402"),
        ServedEntry::new("ab(c)\\d", "403"),
        ServedEntry::new("nul\0x", "404"),
        ServedEntry::new("nul", "405"),
        ServedEntry::new("Zoë Ó Briain", "406"),
        ServedEntry::new("Lee, Ann + \"co\" <x>;=#", "407"),
        ServedEntry::new(" padded ", "408"),
        ServedEntry::new(")(objectClass=*", "409"),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ldapsearch: apt-get install ldap-utils"]
async fn hostile_names_are_served_exactly_and_never_change_a_filter() {
    let (svc, _h) = start(config(), Some(hostile())).await;
    let u = url(&svc);
    // Every name comes back byte for byte (ldapsearch base64-encodes NUL and non-ASCII).
    let f = search(&u, BASE, "one", "(objectClass=*)", &["cn"]).await;
    assert_eq!(f.code, 0, "{}", f.stderr);
    let mut want: Vec<Vec<u8>> = hostile().into_iter().map(|e| e.cn.into_bytes()).collect();
    want.sort();
    assert_eq!(f.cns(), want);
    // Each escaped filter finds its own entry and no other.
    let cases = [
        ("(cn=\\2a)", "*"),
        ("(cn=a\\2ab\\28c\\29\\5cd)", "a*b(c)\\d"),
        ("(cn=nul\\00x)", "nul\0x"),
        ("(cn=nul)", "nul"),
        ("(cn=zoë ó briain)", "Zoë Ó Briain"),
        ("(cn=Lee, Ann + \"co\" <x>;=#)", "Lee, Ann + \"co\" <x>;=#"),
        ("(cn=\\29\\28objectClass=\\2a)", ")(objectClass=*"),
    ];
    for (filter, cn) in cases {
        let f = search(&u, BASE, "one", filter, &["cn"]).await;
        assert_eq!(f.code, 0, "{filter}: {}", f.stderr);
        assert_eq!(f.cns(), vec![cn.as_bytes().to_vec()], "{filter}");
    }
    // A '*' inside a substring assertion's value is a character, not a wildcard.
    let f = search(&u, BASE, "one", "(cn=a\\2a*)", &["cn"]).await;
    assert_eq!(f.cns(), vec![b"a*b(c)\\d".to_vec()]);
    // Every DN the server wrote names its entry again.
    let all = search(&u, BASE, "one", "(objectClass=*)", &["cn"]).await;
    for (dn, attrs) in &all.entries {
        let dn = String::from_utf8(dn.clone()).unwrap();
        let f = search(&u, &dn, "base", "(objectClass=*)", &["cn"]).await;
        assert_eq!(f.code, 0, "{dn:?}: {}", f.stderr);
        assert_eq!(f.cns(), attrs["cn"], "{dn:?}");
    }
    svc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ldapsearch: apt-get install ldap-utils"]
async fn ten_thousand_entries_in_one_search() {
    let (svc, _h) = start(config(), Some(many(10_000))).await;
    let f = search(
        &url(&svc),
        BASE,
        "one",
        "(objectClass=person)",
        &["cn", "telephoneNumber"],
    )
    .await;
    assert_eq!(f.code, 0, "{}", f.stderr);
    assert_eq!(f.entries.len(), 10_000);
    let last = f
        .entries
        .iter()
        .find(|(_, a)| a["cn"] == vec![b"Person 09999".to_vec()])
        .unwrap();
    assert_eq!(last.1["telephoneNumber"], vec![b"109999".to_vec()]);
    svc.shutdown().await;
}

/// docs/deployment.md's check as written: `ldapsearch -x -H ... -D ... -w ... -b <base>`,
/// whole tree and no filter, at IP Office's 10,000 records: everyone, and the base.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ldapsearch: apt-get install ldap-utils"]
async fn the_documented_whole_tree_check_returns_everyone_at_ten_thousand() {
    let (svc, _h) = start(config(), Some(many(10_000))).await;
    let f = ldapsearch(&url(&svc), &["-D", BIND_DN, "-w", PW, "-b", BASE]).await;
    assert_eq!(f.code, 0, "{}", f.stderr);
    assert_eq!(f.entries.len(), 10_001);
    assert_eq!(f.dns()[0], BASE);
    let last = f
        .entries
        .iter()
        .find(|(dn, _)| dn == format!("cn=Person 09999,{BASE}").as_bytes())
        .expect("the last person");
    assert_eq!(last.1["telephoneNumber"], vec![b"109999".to_vec()]);
    svc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ldapsearch: apt-get install ldap-utils"]
async fn no_set_yet_serves_nothing_and_says_why() {
    let (svc, h) = start(config(), None).await;
    let f = search(&url(&svc), BASE, "sub", "(objectClass=*)", &[]).await;
    assert_eq!(f.code, 52, "unavailable: {}", f.stderr);
    assert!(f.stderr.contains("no sync run"), "{}", f.stderr);
    assert!(f.entries.is_empty());
    h.replace(ipo_teams_ldap::EntrySet::from_served(people()).unwrap());
    let f = search(&url(&svc), BASE, "one", "(objectClass=*)", &[]).await;
    assert_eq!((f.code, f.entries.len()), (0, 10));
    svc.shutdown().await;
}
