//! Property tests for `TeamsNumber` in every notation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ipo_model::{E164Number, ExtensionNumber, NumberFormat, Rule, TeamsNumber};
use proptest::prelude::*;

fn extension() -> impl Strategy<Value = ExtensionNumber> {
    "[0-9]{2,15}".prop_map(|s| s.parse().unwrap())
}

fn e164() -> impl Strategy<Value = E164Number> {
    "[1-9][0-9]{0,14}".prop_map(|s| format!("+{s}").parse().unwrap())
}

/// A number, an extension, or both.
fn teams_number() -> impl Strategy<Value = TeamsNumber> {
    prop_oneof![
        e164().prop_map(TeamsNumber::number_only),
        extension().prop_map(TeamsNumber::extension_only),
        (e164(), extension()).prop_map(|(n, e)| TeamsNumber::new(Some(n), Some(e)).unwrap()),
    ]
}

/// Text shaped like the notations, so the parsers' inner branches get exercised.
fn notation_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[0-9]{0,17}",
        Just("+".to_owned()),
        Just("tel:".to_owned()),
        Just("TEL:".to_owned()),
        Just(";ext=".to_owned()),
        Just(";EXT=".to_owned()),
        Just("x".to_owned()),
        Just("X".to_owned()),
        Just(" ext. ".to_owned()),
        Just("e".to_owned()),
        Just("-".to_owned()),
        Just(" ".to_owned()),
        Just("(".to_owned()),
        Just("é".to_owned()),
        Just("٣".to_owned()),
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..8).prop_map(|v| v.concat())
}

fn input() -> impl Strategy<Value = String> {
    prop_oneof![3 => notation_like(), 1 => any::<String>()]
}

/// An error names the kind, the input (as given or trimmed) and the rule.
fn check_error(s: &str, e: &ipo_model::InvalidValue) -> Result<(), TestCaseError> {
    let text = e.to_string();
    prop_assert!(
        ["Teams number", "E.164 number", "extension number"].contains(&e.kind),
        "{}",
        text
    );
    prop_assert!(text.contains(e.kind), "{}", text);
    prop_assert!(text.contains(&e.rule.to_string()), "{}", text);
    prop_assert!(
        e.input == s || e.input == s.trim(),
        "error input {:?} for {:?}",
        e.input,
        s
    );
    Ok(())
}

proptest! {
    #[test]
    fn parse_any_never_panics(s in input()) {
        match TeamsNumber::parse_any(&s) {
            Ok(v) => {
                prop_assert!(v.number().is_some() || v.extension().is_some());
                prop_assert_eq!(s.parse::<TeamsNumber>().unwrap(), v);
            }
            Err(e) => check_error(&s, &e)?,
        }
    }

    #[test]
    fn parse_as_never_panics(s in input()) {
        for f in NumberFormat::ALL {
            match TeamsNumber::parse_as(&s, f) {
                Ok(v) => {
                    prop_assert!(v.number().is_some() || v.extension().is_some());
                    // What was read can be written back in the same notation...
                    if f != NumberFormat::IpoSipUri || v.number().is_some() {
                        let text = v.format(f).unwrap();
                        // ...and reads back as the same value.
                        prop_assert_eq!(TeamsNumber::parse_as(&text, f).unwrap(), v);
                    }
                }
                Err(e) => check_error(&s, &e)?,
            }
        }
    }

    #[test]
    fn every_representable_format_round_trips(v in teams_number()) {
        for f in NumberFormat::ALL {
            match v.format(f) {
                Ok(text) => {
                    let back = TeamsNumber::parse_as(&text, f);
                    prop_assert_eq!(back.as_ref().ok(), Some(&v), "{:?} as {:?}: {:?}", text, f, back);
                    // Whitespace around the text changes nothing.
                    prop_assert_eq!(TeamsNumber::parse_as(&format!(" {text}\t"), f).unwrap(), v.clone());
                }
                Err(e) => {
                    // Only an extension alone cannot be written, and only as a SIP URI.
                    prop_assert_eq!(f, NumberFormat::IpoSipUri);
                    prop_assert!(v.number().is_none());
                    prop_assert!(matches!(e.rule, Rule::NotRepresentable(_)), "{:?}", e);
                    prop_assert!(e.to_string().contains("Teams number"));
                }
            }
        }
    }

    #[test]
    fn display_and_serde_round_trip(v in teams_number()) {
        let shown = v.to_string();
        prop_assert_eq!(&shown, &v.format(NumberFormat::AzurePortal).unwrap());
        prop_assert_eq!(TeamsNumber::parse_any(&shown).unwrap(), v.clone());
        prop_assert_eq!(shown.parse::<TeamsNumber>().unwrap(), v.clone());
        let json = serde_json::to_string(&v).unwrap();
        prop_assert_eq!(serde_json::from_str::<TeamsNumber>(&json).unwrap(), v.clone());
        prop_assert_eq!(
            TeamsNumber::new(v.number().cloned(), v.extension().cloned()).unwrap(),
            v
        );
    }

    #[test]
    fn parse_any_reads_every_unambiguous_notation(n in e164(), e in extension()) {
        let v = TeamsNumber::new(Some(n), Some(e)).unwrap();
        // With both parts present every notation is recognised without being told.
        for f in NumberFormat::ALL {
            let text = v.format(f).unwrap();
            prop_assert_eq!(TeamsNumber::parse_any(&text).unwrap(), v.clone(), "{}", text);
        }
    }

    #[test]
    fn extension_only_cannot_be_a_sip_uri(e in extension()) {
        let v = TeamsNumber::extension_only(e);
        let err = v.format(NumberFormat::IpoSipUri).unwrap_err();
        prop_assert!(matches!(err.rule, Rule::NotRepresentable(_)));
        prop_assert!(err.to_string().contains(v.extension().unwrap().as_str()));
    }

    #[test]
    fn azure_portal_reads_what_people_type(
        n in e164(),
        e in extension(),
        marker in prop::sample::select(vec!["x", "X", " x", " x ", " ext", " ext.", " ext. ", " Ext. ", " EXT ", " EXT.", "ext"]),
        seps in prop::collection::vec(prop::sample::select(vec!["", "", " ", "-", "(", ")", "."]), 15),
    ) {
        let mut typed = String::from("+");
        for (d, sep) in n.digits().chars().zip(&seps) {
            typed.push(d);
            typed.push_str(sep);
        }
        let want = TeamsNumber::new(Some(n), Some(e.clone())).unwrap();
        let text = format!("{typed}{marker}{e}");
        let got = TeamsNumber::parse_as(&text, NumberFormat::AzurePortal);
        prop_assert_eq!(got.as_ref().ok(), Some(&want), "{:?}: {:?}", text, got);
        prop_assert_eq!(TeamsNumber::parse_any(&text).unwrap(), want);
    }

    #[test]
    fn line_uri_reads_every_spelling(
        n in e164(),
        e in extension(),
        tel in prop::sample::select(vec!["tel:", "TEL:", "Tel:"]),
        plus in prop::sample::select(vec!["", "+"]),
        ext_param in prop::sample::select(vec![";ext=", ";EXT=", ";Ext="]),
    ) {
        let text = format!("{tel}{plus}{}{ext_param}{e}", n.digits());
        let want = TeamsNumber::new(Some(n), Some(e.clone())).unwrap();
        prop_assert_eq!(TeamsNumber::parse_as(&text, NumberFormat::LineUri).unwrap(), want);
        // Teams may show a '+' in front of an extension alone.
        let ext_only = TeamsNumber::parse_as(&format!("+{e}"), NumberFormat::LineUri).unwrap();
        prop_assert_eq!(ext_only, TeamsNumber::extension_only(e));
    }

    #[test]
    fn serde_refuses_invalid_parts(s in input()) {
        // A value built from JSON is valid by construction or refused.
        let json = serde_json::json!({ "number": s, "extension": s }).to_string();
        let r = serde_json::from_str::<TeamsNumber>(&json);
        let valid = s.parse::<E164Number>().is_ok() && s.parse::<ExtensionNumber>().is_ok();
        prop_assert_eq!(r.is_ok(), valid);
    }
}

#[test]
fn serde_refuses_an_empty_value() {
    assert!(serde_json::from_str::<TeamsNumber>("{}").is_err());
    assert!(serde_json::from_str::<TeamsNumber>(r#"{"number":"441632768402"}"#).is_err());
    assert!(serde_json::from_str::<TeamsNumber>(r#"{"extension":"4"}"#).is_err());
    assert!(TeamsNumber::new(None, None).is_err());
    let v: TeamsNumber = serde_json::from_str(r#"{"extension":"402"}"#).unwrap();
    assert_eq!(v, TeamsNumber::extension_only("402".parse().unwrap()));
}

#[test]
fn ipo_notations_tell_number_from_extension() {
    use NumberFormat::*;
    for f in [IpoTeamsUri, IpoDirectory] {
        let ext = TeamsNumber::parse_as("+402", f).unwrap();
        assert_eq!(ext.extension().unwrap().as_str(), "402");
        assert!(ext.number().is_none());
        let num = TeamsNumber::parse_as("441632768402", f).unwrap();
        assert_eq!(num.number().unwrap().to_string(), "+441632768402");
        assert!(num.extension().is_none());
    }
    assert!(TeamsNumber::parse_as("441632768402", IpoSipUri).is_err());
    assert!(TeamsNumber::parse_as("441632768402;ext=402", IpoSipUri).is_err());
}
