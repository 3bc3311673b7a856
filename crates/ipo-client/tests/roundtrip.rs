//! Any user record, unknown fields included, survives parse -> serialise -> parse unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ipo_client::wire::{self, WireRecord};
use ipo_client::{WireFormat, WireNames};
use ipo_model::{LicensingMode, RawElement, RawFields, RawValue};
use proptest::prelude::*;

const TEXT: &str = "[ -~éÖ€😀\t\n]{0,16}";

fn text() -> impl Strategy<Value = RawValue> {
    TEXT.prop_map(RawValue::Text)
}

/// Scalars of either format (JSON keeps numbers, booleans and null).
fn scalar(format: WireFormat) -> BoxedStrategy<RawValue> {
    match format {
        WireFormat::Xml => text().boxed(),
        _ => prop_oneof![
            text(),
            any::<i32>().prop_map(|n| RawValue::Number(n.to_string())),
            any::<bool>().prop_map(RawValue::Bool),
            Just(RawValue::Null),
        ]
        .boxed(),
    }
}

/// A DSSKeys-like nested element: keys with an attribute and scalar children.
fn dss(format: WireFormat) -> impl Strategy<Value = RawValue> {
    prop::collection::vec((1u8..48, scalar(format), scalar(format)), 1..4).prop_map(move |keys| {
        let mut children = RawFields::new();
        let items: Vec<RawValue> = keys
            .into_iter()
            .map(|(k, label, data)| {
                let mut f = RawFields::new();
                f.0.push(("Label".into(), label));
                f.0.push(("Data".into(), data));
                RawValue::Element(RawElement {
                    attributes: vec![("Key".into(), k.to_string())],
                    children: f,
                    text: None,
                })
            })
            .collect();
        match format {
            // XML repeats the element; JSON holds an array.
            WireFormat::Xml => {
                for i in items {
                    children.0.push(("DSSKey".into(), i));
                }
            }
            _ => children.0.push(("DSSKey".into(), RawValue::List(items))),
        }
        RawValue::Element(RawElement {
            attributes: vec![],
            children,
            text: None,
        })
    })
}

fn record(format: WireFormat) -> impl Strategy<Value = WireRecord> {
    let unknown = prop::collection::btree_map("Zz[A-Za-z]{1,8}", scalar(format), 0..8);
    (
        "[A-Za-z0-9&<'\"é][A-Za-z0-9 &<'\"é]{0,14}",
        prop::option::of("[A-Za-z&<'\"ÉÖ][A-Za-z &<'\"ÉÖ]{0,30}"),
        prop::option::of("[0-9]{2,6}"),
        1u8..9,
        prop::option::of("[0-9]{1,8}"),
        any::<bool>(),
        unknown,
        dss(format),
        "[0-9A-F]{32}",
    )
        .prop_map(|(name, full, ext, pkg, vm, xdir, unknown, dss, guid)| {
            let mut f = RawFields::new();
            f.0.push(("AssignedPackage".into(), RawValue::Text(pkg.to_string())));
            f.0.push(("Extension".into(), RawValue::Text(ext.unwrap_or_default())));
            f.0.push(("FullName".into(), RawValue::Text(full.unwrap_or_default())));
            f.0.push(("Name".into(), RawValue::Text(name)));
            f.0.push((
                "VoicemailCode".into(),
                RawValue::Text(vm.unwrap_or_default()),
            ));
            f.0.push(("XDirectory".into(), RawValue::Text(xdir.to_string())));
            f.0.extend(unknown);
            f.0.push(("DSSKeys".into(), dss));
            WireRecord::new("User", vec![("GUID".into(), guid)], f)
        })
}

fn round_trip(format: WireFormat, recs: Vec<WireRecord>) {
    let names = WireNames::default();
    let mode = LicensingMode::Plds;
    let listing = wire::write_listing(format, &recs).unwrap();
    let users = wire::parse_users(&listing, mode).unwrap();
    assert_eq!(users.len(), recs.len());
    for (u, r) in users.iter().zip(&recs) {
        assert_eq!(u.raw, r.fields, "raw is every field exactly as read");
        assert_eq!(u.guid.as_ref().map(|g| g.as_str()), r.attribute("GUID"));
    }
    let body = wire::write_users(format, &users, mode, &names, false).unwrap();
    let again = wire::parse_users(&body, mode).unwrap();
    assert_eq!(users, again);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn xml_records_survive(recs in prop::collection::vec(record(WireFormat::Xml), 1..4)) {
        round_trip(WireFormat::Xml, recs);
    }

    #[test]
    fn json_records_survive(recs in prop::collection::vec(record(WireFormat::Json), 1..4)) {
        round_trip(WireFormat::Json, recs);
    }
}
