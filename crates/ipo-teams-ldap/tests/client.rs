//! The service end to end through Rust LDAP clients only, so the default suite proves it on a
//! machine without ldap-utils: the `ldap3` crate (LDAPv3), and the service's own codec for
//! the LDAPv2 bind IP Office's own service sends (`ldap3` binds as v3 only). Binds v2 and
//! v3, the searches IP Office sends (docs/deployment.md), paging, size limits, refusals, and
//! the whole directory at IP Office's 10,000 records.

mod common;

use std::collections::HashSet;

use common::raw::RawClient;
use common::*;
use ldap3::controls::PagedResults;
use ldap3::exop::PasswordModify;
use ldap3::{Mod, Scope, SearchEntry, SearchOptions};
use ldap3_proto::proto::{LdapResultCode, LdapSearchScope};

/// Entries as (DN, attribute -> values), sorted by DN.
fn entries(
    rs: Vec<ldap3::ResultEntry>,
) -> Vec<(String, std::collections::HashMap<String, Vec<String>>)> {
    let mut v: Vec<_> = rs
        .into_iter()
        .map(SearchEntry::construct)
        .map(|e| (e.dn, e.attrs))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn sorted_names() -> Vec<String> {
    let mut v: Vec<String> = people().into_iter().map(|p| p.cn).collect();
    v.sort();
    v
}

/// The Collaboration service's route (LDAPv3): bind, then the configured filter under the
/// base DN with the number attributes and `cn`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v3_bind_and_the_searches_ip_office_sends() {
    let (svc, _h) = start(config(), Some(people())).await;
    let mut ldap = ldap3_bound(&url(&svc)).await;
    let attrs = vec!["cn", "telephoneNumber", "mobile"];
    for filter in ["(objectClass=person)", "(telephoneNumber=*)"] {
        let (rs, r) = ldap
            .search(BASE, Scope::Subtree, filter, attrs.clone())
            .await
            .unwrap()
            .success()
            .unwrap();
        assert_eq!(r.rc, 0);
        let got = entries(rs);
        assert_eq!(got.len(), 10, "{filter}");
        let ann = &got
            .iter()
            .find(|(dn, _)| dn == &format!("cn=Ann Lee,{BASE}"))
            .expect("Ann's DN")
            .1;
        assert_eq!(ann["cn"], vec!["Ann Lee"]);
        assert_eq!(ann["telephoneNumber"], vec!["441632768400-400"]);
        assert_eq!(ann["mobile"], vec!["447700900100"]);
        let cara = &got
            .iter()
            .find(|(dn, _)| dn.starts_with("cn=Cara Diaz,"))
            .unwrap()
            .1;
        assert!(!cara.contains_key("mobile"), "{cara:?}");
        assert!(
            !cara.contains_key("objectClass"),
            "only the attributes asked for"
        );
    }
    let _ = ldap.unbind().await;
    svc.shutdown().await;
}

/// IP Office's own service (route 1) binds with LDAPv2, by DN or by its *User Name*.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v2_bind_as_ip_office_sends_it() {
    let mut cfg = config();
    cfg.bind_user = Some(ipo_teams_ldap::BindUser::new(
        "ipoffice",
        ipo_teams_ldap::Secret::new(PW),
    ));
    let (svc, _h) = start(cfg, Some(people())).await;
    for name in ["IPOffice", "ipoffice"] {
        let mut c = RawClient::connect(svc.local_addr()).await.unwrap();
        let r = c.bind(2, name, PW).await.unwrap();
        assert_eq!(r.code, LdapResultCode::Success, "{r:?}");
        let (found, done) = c
            .search(
                BASE,
                LdapSearchScope::Subtree,
                "(telephoneNumber=*)",
                &["cn", "telephoneNumber", "mobile"],
            )
            .await
            .unwrap();
        assert_eq!(done.code, LdapResultCode::Success, "{done:?}");
        let mut cns: Vec<String> = found
            .iter()
            .flat_map(|e| e.attributes.iter().filter(|a| a.atype == "cn"))
            .map(|a| String::from_utf8(a.vals[0].clone()).unwrap())
            .collect();
        cns.sort();
        assert_eq!(cns, sorted_names());
        let bo = found
            .iter()
            .find(|e| e.dn.starts_with("cn=Bo Chan,"))
            .unwrap();
        let tel = bo
            .attributes
            .iter()
            .find(|a| a.atype == "telephoneNumber")
            .unwrap();
        assert_eq!(tel.vals, vec![b"441632768401-401".to_vec()]);
    }
    // v2 refusals are the same as v3's.
    let mut c = RawClient::connect(svc.local_addr()).await.unwrap();
    let r = c.bind(2, "ipoffice", "wrong").await.unwrap();
    assert_eq!(r.code, LdapResultCode::InvalidCredentials);
    let r = c.bind(2, "", "").await.unwrap();
    assert_eq!(r.code, LdapResultCode::InappropriateAuthentication);
    let (found, done) = c
        .search(BASE, LdapSearchScope::OneLevel, "(objectClass=person)", &[])
        .await
        .unwrap();
    assert!(found.is_empty());
    assert_eq!(done.code, LdapResultCode::InsufficentAccessRights);
    svc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_wrong_user_and_anonymous_are_refused() {
    let (svc, _h) = start(config(), Some(people())).await;
    let mut ldap = ldap3_connect(&url(&svc)).await;
    for (dn, pw, rc) in [
        (BIND_DN, "wrong", 49),
        (BIND_DN, "Corr3ct-h0rs", 49),
        ("cn=other,dc=example,dc=com", PW, 49),
        ("", "", 48),
        (BIND_DN, "", 53),
    ] {
        let r = ldap.simple_bind(dn, pw).await.unwrap();
        assert_eq!(r.rc, rc, "{dn:?}/{pw:?}: {r:?}");
        // Still unauthenticated: nothing to read.
        let ldap3::SearchResult(rs, r) = ldap
            .search(BASE, Scope::OneLevel, "(objectClass=*)", vec!["cn"])
            .await
            .unwrap();
        assert_eq!((rs.len(), r.rc), (0, 50), "after {dn:?}/{pw:?}");
    }
    // The DN compares as LDAP compares names.
    let r = ldap
        .simple_bind("CN=IPOffice, DC=example,dc=COM", PW)
        .await
        .unwrap();
    assert_eq!(r.rc, 0, "{r:?}");
    svc.shutdown().await;

    let (svc, _h) = start(config().with_anonymous(true), Some(people())).await;
    let mut ldap = ldap3_connect(&url(&svc)).await;
    let (rs, _) = ldap
        .search(BASE, Scope::OneLevel, "(objectClass=person)", vec!["cn"])
        .await
        .unwrap()
        .success()
        .unwrap();
    assert_eq!(rs.len(), 10, "anonymous search when allowed");
    svc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_write_is_refused_and_nothing_changes() {
    let (svc, h) = start(config(), Some(people())).await;
    let mut ldap = ldap3_bound(&url(&svc)).await;
    let ann = format!("cn=Ann Lee,{BASE}");
    let add = ldap
        .add(
            &format!("cn=Mallory,{BASE}"),
            vec![
                ("objectClass", HashSet::from(["person"])),
                ("cn", HashSet::from(["Mallory"])),
                ("telephoneNumber", HashSet::from(["999"])),
            ],
        )
        .await
        .unwrap();
    let modify = ldap
        .modify(
            &ann,
            vec![Mod::Replace("telephoneNumber", HashSet::from(["999"]))],
        )
        .await
        .unwrap();
    let delete = ldap.delete(&format!("cn=Bo Chan,{BASE}")).await.unwrap();
    let rename = ldap
        .modifydn(&format!("cn=Eve Ng,{BASE}"), "cn=Eve Mallory", true, None)
        .await
        .unwrap();
    let passwd = ldap
        .extended(PasswordModify {
            user_id: Some(&ann),
            old_pass: None,
            new_pass: Some("new"),
        })
        .await
        .unwrap()
        .1;
    for (what, r) in [
        ("add", add),
        ("modify", modify),
        ("delete", delete),
        ("modify DN", rename),
        ("password modify", passwd),
    ] {
        assert_eq!(r.rc, 53, "{what}: {r:?}");
        assert!(r.text.contains("read-only"), "{what}: {r:?}");
    }
    let set = h.current().unwrap();
    assert_eq!(set.entries().cloned().collect::<Vec<_>>(), people());
    let (rs, _) = ldap
        .search(BASE, Scope::Subtree, "(telephoneNumber=999)", vec!["cn"])
        .await
        .unwrap()
        .success()
        .unwrap();
    assert!(rs.is_empty());
    svc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn size_limits_of_the_client_and_the_server() {
    let (svc, _h) = start(config(), Some(people())).await;
    let mut ldap = ldap3_bound(&url(&svc)).await;
    let ldap3::SearchResult(rs, r) = ldap
        .with_search_options(SearchOptions::new().sizelimit(3))
        .search(BASE, Scope::OneLevel, "(objectClass=*)", vec!["cn"])
        .await
        .unwrap();
    assert_eq!(
        (rs.len(), r.rc),
        (3, 4),
        "client's limit: sizeLimitExceeded"
    );
    svc.shutdown().await;

    let mut cfg = config();
    cfg.size_limit = 4;
    let (svc, _h) = start(cfg, Some(people())).await;
    let mut ldap = ldap3_bound(&url(&svc)).await;
    let ldap3::SearchResult(rs, r) = ldap
        .search(BASE, Scope::OneLevel, "(objectClass=*)", vec!["cn"])
        .await
        .unwrap();
    assert_eq!(
        (rs.len(), r.rc),
        (4, 4),
        "server's limit: sizeLimitExceeded"
    );
    svc.shutdown().await;
}

/// Paged results as the Collaboration service asks for them: every entry, pages never over
/// the server's size limit, the last page with an empty cookie.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_returns_everyone_in_pages_within_the_size_limit() {
    let mut cfg = config();
    cfg.size_limit = 4;
    let (svc, _h) = start(cfg, Some(people())).await;
    let mut ldap = ldap3_bound(&url(&svc)).await;
    for page_size in [3, 100] {
        let mut cookie = Vec::new();
        let mut got = Vec::new();
        let mut pages = 0;
        loop {
            let (rs, res) = ldap
                .with_controls(PagedResults {
                    size: page_size,
                    cookie: cookie.clone(),
                })
                .search(BASE, Scope::OneLevel, "(objectClass=person)", vec!["cn"])
                .await
                .unwrap()
                .success()
                .unwrap();
            pages += 1;
            assert!(
                rs.len() <= 4 && rs.len() <= page_size as usize,
                "{}",
                rs.len()
            );
            got.extend(entries(rs).into_iter().map(|(_, a)| a["cn"][0].clone()));
            let paged = paged_response(&res);
            if paged.cookie.is_empty() {
                break;
            }
            cookie = paged.cookie;
            assert!(pages < 20, "paging never ends");
        }
        got.sort();
        assert_eq!(got, sorted_names(), "page size {page_size}");
        assert_eq!(pages, if page_size == 3 { 4 } else { 3 });
    }
    svc.shutdown().await;
}

/// docs/deployment.md's check, `ldapsearch -b <base>` (whole tree, no filter), at IP Office's
/// 10,000 records: the base entry and every person, nobody pushed out by the base.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_tree_search_of_ten_thousand_returns_everyone() {
    let (svc, _h) = start(config(), Some(many(10_000))).await;
    let mut ldap = ldap3_bound(&url(&svc)).await;
    let ldap3::SearchResult(rs, r) = ldap
        .search(BASE, Scope::Subtree, "(objectClass=*)", Vec::<&str>::new())
        .await
        .unwrap();
    assert_eq!(r.rc, 0, "{r:?}");
    let got = entries(rs);
    assert_eq!(got.len(), 10_001);
    assert!(got.iter().any(|(dn, _)| dn == BASE), "the base entry");
    let last = format!("cn=Person 09999,{BASE}");
    let last = &got
        .iter()
        .find(|(dn, _)| *dn == last)
        .expect("the last person")
        .1;
    assert_eq!(last["telephoneNumber"], vec!["109999"]);
    // The client's own limit still counts every entry, the base included.
    let ldap3::SearchResult(rs, r) = ldap
        .with_search_options(SearchOptions::new().sizelimit(10_000))
        .search(BASE, Scope::Subtree, "(objectClass=*)", vec!["cn"])
        .await
        .unwrap();
    assert_eq!((rs.len(), r.rc), (10_000, 4));
    svc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_set_yet_is_unavailable_and_says_why() {
    let (svc, h) = start(config(), None).await;
    let mut ldap = ldap3_bound(&url(&svc)).await;
    let ldap3::SearchResult(rs, r) = ldap
        .search(BASE, Scope::Subtree, "(objectClass=*)", vec!["cn"])
        .await
        .unwrap();
    assert_eq!((rs.len(), r.rc), (0, 52));
    assert!(r.text.contains("no sync run"), "{r:?}");
    h.replace(ipo_teams_ldap::EntrySet::from_served(people()).unwrap());
    let ldap3::SearchResult(rs, r) = ldap
        .search(BASE, Scope::OneLevel, "(objectClass=*)", vec!["cn"])
        .await
        .unwrap();
    assert_eq!((rs.len(), r.rc), (10, 0));
    svc.shutdown().await;
}
