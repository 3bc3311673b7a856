//! Parsing a 3,000-user listing in both formats (goal: at least 50,000 users/s).
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ipo_client::WireFormat;
use ipo_client::wire::{self, WireRecord};
use ipo_model::{LicensingMode, RawElement, RawFields, RawValue};
use std::hint::black_box;

const USERS: usize = 3_000;

/// A user shaped like a real listing: ~35 scalar fields and two DSS keys.
fn user(i: usize, format: WireFormat) -> WireRecord {
    let t = |s: &str| RawValue::Text(s.to_owned());
    let mut f = RawFields::new();
    let ext = (10_000 + i).to_string();
    for (n, v) in [
        ("AssignedPackage", "4"),
        ("BlockForwarding", "false"),
        ("CanIntrude", "false"),
        ("CannotBeIntruded", "true"),
        ("DNDExceptions", ""),
        ("DoNotDisturb", "false"),
        ("ExpansionType", "0"),
        ("FlareEnabled", "false"),
        ("FollowMeNumber", ""),
        ("ForceAccountCode", "false"),
        ("ForwardBusy", "false"),
        ("ForwardNoAnswer", "false"),
        ("ForwardUnconditional", "false"),
        ("IdleLinePreference", "true"),
        ("MobilityFeatures", "true"),
        ("OutgoingCallBar", "false"),
        ("PhoneType", "50"),
        ("Priority", "5"),
        ("Receptionist", "false"),
        ("RemoteWorker", "false"),
        ("SpecificBstType", "-1"),
        ("TwinningType", "0"),
        ("UMSWebServices", "false"),
        ("UserRights", "Sales & Support"),
        ("VoicemailOn", "true"),
        ("WebCollaboration", "false"),
        ("XDirectory", "false"),
        ("EnableMSTeamsClient", "true"),
    ] {
        f.0.push((n.into(), t(v)));
    }
    f.0.push(("Extension".into(), t(&ext)));
    f.0.push(("FullName".into(), t(&format!("Zoë Ó Briain {i}"))));
    f.0.push(("LoginCode".into(), t("480117")));
    f.0.push(("Name".into(), t(&format!("User{i}"))));
    f.0.push(("SIPName".into(), t(&ext)));
    f.0.push(("VoicemailCode".into(), t("80417")));
    f.0.push(("VoicemailEmail".into(), t(&format!("user{i}@example.com"))));
    let key = |k: &str| {
        let mut c = RawFields::new();
        c.0.push(("KeyType".into(), t("0")));
        c.0.push(("Label".into(), t("Park <1>")));
        c.0.push(("ActionObject".into(), t("39")));
        c.0.push(("Data".into(), t("a=")));
        RawValue::Element(RawElement {
            attributes: vec![("Key".into(), k.into())],
            children: c,
            text: None,
        })
    };
    let mut dss = RawFields::new();
    match format {
        WireFormat::Xml => {
            dss.0.push(("DSSKey".into(), key("1")));
            dss.0.push(("DSSKey".into(), key("2")));
        }
        _ => dss
            .0
            .push(("DSSKey".into(), RawValue::List(vec![key("1"), key("2")]))),
    }
    f.0.push((
        "DSSKeys".into(),
        RawValue::Element(RawElement {
            attributes: vec![],
            children: dss,
            text: None,
        }),
    ));
    WireRecord::new("User", vec![("GUID".into(), format!("{i:032X}"))], f)
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse_users_3000");
    g.throughput(Throughput::Elements(USERS as u64));
    g.sample_size(10);
    for (label, format) in [("xml", WireFormat::Xml), ("json", WireFormat::Json)] {
        let recs: Vec<_> = (0..USERS).map(|i| user(i, format)).collect();
        let body = wire::write_listing(format, &recs)
            .expect("generated records hold no forbidden character");
        assert_eq!(
            wire::parse_users(&body, LicensingMode::Plds).unwrap().len(),
            USERS
        );
        g.bench_function(label, |b| {
            b.iter(|| wire::parse_users(black_box(&body), LicensingMode::Plds).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
