//! Property tests for extension numbers, E.164 numbers, secret codes, identifiers and profiles.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ipo_model::{
    E164Number, ExtensionNumber, ExtensionRange, GroupId, Guid, InvalidValue, IpoUser,
    LicensingMode, LoginCode, MAX_E164_DIGITS, MAX_EXTENSION_DIGITS, MAX_LOGIN_CODE,
    MAX_VOICEMAIL_CODE, MIN_EXTENSION_DIGITS, MIN_LOGIN_CODE, ObjectId, Profile, REDACTED, Rule,
    VoicemailCode,
};
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Strings that are mostly digit-ish, so the interesting branches are reached often.
fn digitish() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[0-9]{0,35}",
        1 => "[+]?[0-9 ()\\-.x]{0,20}",
        1 => "[0-9a-fA-F\\-]{0,70}",
        1 => any::<String>(),
    ]
}

fn extension() -> impl Strategy<Value = ExtensionNumber> {
    "[0-9]{2,15}".prop_map(|s| s.parse().unwrap())
}

fn e164() -> impl Strategy<Value = E164Number> {
    "[1-9][0-9]{0,14}".prop_map(|s| format!("+{s}").parse().unwrap())
}

fn hex_guid() -> impl Strategy<Value = String> {
    "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
}

/// `parse(display(x)) == x` and `from_json(to_json(x)) == x`.
fn round_trips<T>(x: &T) -> Result<(), TestCaseError>
where
    T: std::str::FromStr<Err = InvalidValue>
        + std::fmt::Display
        + std::fmt::Debug
        + PartialEq
        + Serialize
        + DeserializeOwned,
{
    prop_assert_eq!(&x.to_string().parse::<T>().unwrap(), x);
    let json = serde_json::to_string(x).unwrap();
    prop_assert_eq!(&serde_json::from_str::<T>(&json).unwrap(), x);
    Ok(())
}

/// A refused input gives an error naming the kind, the (quoted) input and the rule; and the
/// same string fails to deserialise.
fn refused<T>(s: &str, r: Result<T, InvalidValue>, kind: &str) -> Result<(), TestCaseError>
where
    T: DeserializeOwned + std::fmt::Debug,
{
    if let Err(e) = r {
        prop_assert_eq!(e.kind, kind);
        let text = e.to_string();
        prop_assert!(text.contains(kind), "{}", text);
        prop_assert!(text.contains(&format!("{:?}", e.input)), "{}", text);
        prop_assert!(text.contains(&e.rule.to_string()), "{}", text);
        let json = serde_json::to_string(s).unwrap();
        prop_assert!(serde_json::from_str::<T>(&json).is_err());
    }
    Ok(())
}

/// A refused secret gives an error that never shows the input.
fn refused_secret<T: std::fmt::Debug>(
    s: &str,
    r: &Result<T, InvalidValue>,
    kind: &str,
) -> Result<(), TestCaseError> {
    if let Err(e) = r {
        prop_assert_eq!(e.kind, kind);
        prop_assert_eq!(e.input.as_str(), REDACTED);
        let text = e.to_string();
        prop_assert!(text.contains(kind), "{}", text);
        if !s.is_empty() && s != REDACTED {
            prop_assert!(!text.contains(&format!("{s:?}")), "{}", text);
            let debug = format!("{e:?}");
            prop_assert!(!debug.contains(&format!("{s:?}")), "{}", debug);
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn extension_parse_agrees_with_the_rules(s in digitish()) {
        let r = s.parse::<ExtensionNumber>();
        let valid = s.bytes().all(|b| b.is_ascii_digit())
            && (MIN_EXTENSION_DIGITS..=MAX_EXTENSION_DIGITS).contains(&s.len());
        prop_assert_eq!(r.is_ok(), valid, "{:?}", r);
        if let Ok(x) = &r {
            prop_assert_eq!(x.as_str(), s.as_str());
            prop_assert_eq!(x.value(), s.parse::<u64>().unwrap());
        }
        refused(&s, r, "extension number")?;
    }

    #[test]
    fn extension_round_trips(x in extension()) {
        round_trips(&x)?;
        if let Some(n) = x.next() {
            prop_assert_eq!(n.len(), x.len());
            prop_assert_eq!(n.value(), x.value() + 1);
        } else {
            prop_assert!(x.as_str().bytes().all(|b| b == b'9'));
        }
        prop_assert_eq!(x.is_hunt_group_reserved(), (8897..=9999).contains(&x.value()));
    }

    #[test]
    fn extension_ranges_validate_on_deserialise(a in extension(), b in extension()) {
        let json = format!(r#"{{"start":"{a}","end":"{b}"}}"#);
        let built = ExtensionRange::new(a.clone(), b.clone());
        let read = serde_json::from_str::<ExtensionRange>(&json);
        prop_assert_eq!(built.is_ok(), read.is_ok(), "{} {:?}", json, read);
        if let Ok(r) = built {
            prop_assert_eq!(read.unwrap(), r.clone());
            prop_assert!(r.contains(&a) && r.contains(&b));
            prop_assert!(r.overlaps(&r));
            let back: ExtensionRange =
                serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
            prop_assert_eq!(back, r);
        }
    }

    #[test]
    fn e164_parse_agrees_with_the_rules(s in digitish()) {
        let r = s.parse::<E164Number>();
        let valid = s.strip_prefix('+').is_some_and(|d| {
            d.bytes().all(|b| b.is_ascii_digit())
                && (1..=MAX_E164_DIGITS).contains(&d.len())
                && !d.starts_with('0')
        });
        prop_assert_eq!(r.is_ok(), valid, "{:?}", r);
        if let Err(e) = &r {
            // The whole input is named, not just the digits after the '+'.
            prop_assert_eq!(&e.input, &s);
        }
        refused(&s, r, "E.164 number")?;
        // The lenient reading never panics and accepts everything the strict one does.
        let lenient = E164Number::parse_lenient(&s);
        if valid {
            prop_assert_eq!(lenient.unwrap().to_string(), s);
        } else if let Err(e) = lenient {
            prop_assert_eq!(e.input, s);
        }
    }

    #[test]
    fn e164_round_trips(x in e164(), seps in prop::collection::vec(prop::sample::select(vec![" ", "-", ".", "(", ")", "\u{a0}"]), 15)) {
        round_trips(&x)?;
        prop_assert_eq!(E164Number::from_digits(x.digits()).unwrap(), x.clone());
        // Separators people type anywhere after the '+' are ignored by the lenient parser.
        let mut typed = String::from(" +");
        for (d, sep) in x.digits().chars().zip(&seps) {
            typed.push(d);
            typed.push_str(sep);
        }
        prop_assert_eq!(E164Number::parse_lenient(&typed).unwrap(), x);
    }

    #[test]
    fn login_codes(s in digitish()) {
        let r = s.parse::<LoginCode>();
        let valid = s.bytes().all(|b| b.is_ascii_digit())
            && (MIN_LOGIN_CODE..=MAX_LOGIN_CODE).contains(&s.len());
        prop_assert_eq!(r.is_ok(), valid);
        refused_secret(&s, &r, "login code")?;
        let json = serde_json::to_string(&s).unwrap();
        match r {
            Ok(c) => {
                prop_assert_eq!(c.expose(), s.as_str());
                prop_assert_eq!(format!("{c:?}"), "LoginCode(***)");
                prop_assert_eq!(c.fits_ip_phones(), s.len() <= 13);
                prop_assert_eq!(c.fits_sync_ui(), s.len() <= 15);
                let back: LoginCode = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
                prop_assert_eq!(back.clone(), c.clone());
                prop_assert_eq!(LoginCode::try_from(c.expose()).unwrap(), c);
            }
            Err(_) => {
                let e = serde_json::from_str::<LoginCode>(&json).unwrap_err().to_string();
                if !s.is_empty() {
                    prop_assert!(!e.contains(&format!("{s:?}")), "{}", e);
                }
            }
        }
    }

    #[test]
    fn voicemail_codes(s in digitish()) {
        let r = s.parse::<VoicemailCode>();
        let b = s.as_bytes();
        let valid = !s.is_empty()
            && b.iter().all(u8::is_ascii_digit)
            && s.len() <= MAX_VOICEMAIL_CODE
            && (b.len() == 1
                || !(b.iter().all(|&d| d == b[0])
                    || b.windows(2).all(|w| w[1] == w[0] + 1)
                    || b.windows(2).all(|w| w[0] == w[1] + 1)));
        prop_assert_eq!(r.is_ok(), valid);
        refused_secret(&s, &r, "voicemail code")?;
        let json = serde_json::to_string(&s).unwrap();
        match r {
            Ok(c) => {
                prop_assert_eq!(c.expose(), s.as_str());
                prop_assert_eq!(format!("{c:?}"), "VoicemailCode(***)");
                let back: VoicemailCode = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
                prop_assert_eq!(back, c.clone());
                if let Ok(ext) = s.parse::<ExtensionNumber>() {
                    let e = c.check_against(&ext).unwrap_err();
                    prop_assert_eq!(&e.rule, &Rule::EqualsExtension);
                    let text = e.to_string();
                    prop_assert!(!text.contains(&format!("{s:?}")), "{}", text);
                }
            }
            Err(_) => {
                let e = serde_json::from_str::<VoicemailCode>(&json).unwrap_err().to_string();
                if !s.is_empty() {
                    prop_assert!(!e.contains(&format!("{s:?}")), "{}", e);
                }
            }
        }
    }

    #[test]
    fn codes_stay_out_of_a_users_debug(login in "[0-9]{6,12}", vm in "[0-9]{6,12}") {
        prop_assume!(vm.parse::<VoicemailCode>().is_ok());
        let mut u = IpoUser::new("Ann".parse().unwrap(), LicensingMode::Plds);
        u.login_code = Some(login.parse().unwrap());
        u.voicemail_code = Some(vm.parse().unwrap());
        let dbg = format!("{u:?}");
        prop_assert!(!dbg.contains(&login) && !dbg.contains(&vm), "{}", dbg);
    }

    #[test]
    fn guids(s in digitish()) {
        let r = s.parse::<Guid>();
        let valid = !s.is_empty()
            && s.len() <= 64
            && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
        prop_assert_eq!(r.is_ok(), valid);
        if let Ok(g) = &r {
            prop_assert_eq!(g.as_str(), s.as_str());
            round_trips(g)?;
        }
        refused(&s, r, "IP Office GUID")?;
    }

    #[test]
    fn object_and_group_ids(s in prop_oneof![hex_guid(), digitish()]) {
        let o = s.parse::<ObjectId>();
        let g = s.parse::<GroupId>();
        prop_assert_eq!(o.is_ok(), g.is_ok());
        if let Ok(o) = &o {
            prop_assert_eq!(o.as_str(), s.to_ascii_lowercase());
            round_trips(o)?;
            // Upper- and lower-case spellings are the same id.
            prop_assert_eq!(&s.to_ascii_uppercase().parse::<ObjectId>().unwrap(), o);
        }
        if let Ok(g) = &g {
            round_trips(g)?;
        }
        refused(&s, o, "object id")?;
        refused(&s, g, "group id")?;
    }

    #[test]
    fn any_wellformed_guid_is_an_object_id(s in hex_guid()) {
        prop_assert!(s.parse::<ObjectId>().is_ok());
        prop_assert!(s.parse::<GroupId>().is_ok());
        prop_assert!(s.parse::<Guid>().is_ok());
    }

    #[test]
    fn profile_wire_codes_round_trip(code in any::<u8>()) {
        for mode in [LicensingMode::Plds, LicensingMode::Subscription] {
            let p = Profile::from_wire(code, mode);
            prop_assert_eq!(p.to_wire(mode), Some(code));
            let json = serde_json::to_string(&p).unwrap();
            prop_assert_eq!(serde_json::from_str::<Profile>(&json).unwrap(), p);
        }
    }
}

#[test]
fn named_profiles_map_back_in_their_mode() {
    for mode in [LicensingMode::Plds, LicensingMode::Subscription] {
        for p in Profile::ALL {
            match p.to_wire(mode) {
                Some(c) => {
                    assert!(p.is_valid_in(mode));
                    assert_eq!(Profile::from_wire(c, mode), p, "{p} in {mode}");
                }
                None => assert!(!p.is_valid_in(mode)),
            }
        }
        assert!(Profile::default_for(mode).is_valid_in(mode));
    }
}

#[test]
fn serde_refuses_invalid_values() {
    fn bad<T: DeserializeOwned + std::fmt::Debug>(json: &str) {
        let r = serde_json::from_str::<T>(json);
        assert!(r.is_err(), "{json} gave {r:?}");
    }
    bad::<ExtensionNumber>(r#""4""#);
    bad::<ExtensionNumber>(r#""40a""#);
    bad::<ExtensionNumber>("402");
    bad::<E164Number>(r#""441632768402""#);
    bad::<E164Number>(r#""+0441632768402""#);
    bad::<LoginCode>(r#""123""#);
    bad::<VoicemailCode>(r#""1234""#);
    bad::<VoicemailCode>(r#""""#);
    bad::<Guid>(r#""2DF9'""#);
    bad::<ObjectId>(r#""not-a-guid""#);
    bad::<GroupId>(r#""87d349ed44d743e19a835f2406dee5bd""#);
    bad::<ExtensionRange>(r#"{"start":"300","end":"200"}"#);
    bad::<ExtensionRange>(r#"{"start":"300","end":"3000"}"#);
}
