//! Property tests for `UserName`, `FullName`, derived names and `make_unique`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use ipo_model::{
    FORBIDDEN_NAME_CHARS, FullName, MAX_FULL_NAME_LEN, MAX_USER_NAME_LEN, NameRegistry, Rule,
    UserName,
};
use proptest::prelude::*;

/// One character a valid name may hold anywhere (no forbidden, control or space).
fn name_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => proptest::char::range('a', 'z'),
        2 => proptest::char::range('A', 'Z'),
        1 => proptest::char::range('0', '9'),
        1 => prop::sample::select(vec!['-', '\'', '_', '(', ')', 'é', 'ß', 'Ø', 'ü', 'İ', 'Σ', '東', '😀']),
        // Any other character, replaced by a letter when a name cannot hold it (a map, not
        // a filter, so long runs never hit proptest's reject limit).
        1 => any::<char>().prop_map(|c| {
            if c.is_control() || FORBIDDEN_NAME_CHARS.contains(&c) || c == ' ' { 'q' } else { c }
        }),
    ]
}

/// A valid name of 1..=max characters: first character not a space, spaces inside allowed.
fn valid_name(max: usize) -> impl Strategy<Value = String> {
    (
        name_char(),
        prop::collection::vec(prop_oneof![4 => name_char(), 1 => Just(' ')], 0..max),
    )
        .prop_map(|(first, rest)| std::iter::once(first).chain(rest).collect())
}

/// Free text as it comes out of a directory: anything, biased towards the awkward parts.
fn free_text() -> impl Strategy<Value = String> {
    let awkward = prop_oneof![
        3 => name_char(),
        1 => prop::sample::select(FORBIDDEN_NAME_CHARS.to_vec()),
        1 => prop::sample::select(vec![' ', ' ', '\t', '\n', '\u{a0}', '\u{3000}', '\u{0}', '\u{7f}']),
        1 => prop::sample::select(vec!['\u{200B}', '\u{200E}', '\u{202E}', '\u{2066}', '\u{FEFF}', '\u{301}']),
        1 => any::<char>(),
    ];
    prop::collection::vec(awkward, 0..60).prop_map(|v| v.into_iter().collect())
}

proptest! {
    #[test]
    fn user_name_parse_never_panics(s in any::<String>()) {
        match s.parse::<UserName>() {
            Ok(n) => {
                prop_assert_eq!(n.as_str(), s.as_str());
                prop_assert!(s.chars().count() <= MAX_USER_NAME_LEN);
            }
            Err(e) => {
                prop_assert_eq!(e.kind, "user name");
                prop_assert_eq!(&e.input, &s);
                let text = e.to_string();
                prop_assert!(text.contains("user name"), "{}", text);
                prop_assert!(text.contains(&format!("{s:?}")), "{}", text);
                prop_assert!(text.contains(&e.rule.to_string()), "{}", text);
            }
        }
    }

    #[test]
    fn full_name_parse_never_panics(s in any::<String>()) {
        match s.parse::<FullName>() {
            Ok(n) => prop_assert_eq!(n.as_str(), s.as_str()),
            Err(e) => {
                prop_assert_eq!(e.kind, "full name");
                prop_assert_eq!(&e.input, &s);
                prop_assert!(e.to_string().contains("full name"));
            }
        }
    }

    #[test]
    fn awkward_text_is_rejected_with_the_right_rule(s in free_text()) {
        // The parser and the documented rules agree on every input.
        let expected = if s.is_empty() {
            Some(Rule::Empty)
        } else if s.chars().count() > MAX_USER_NAME_LEN {
            Some(Rule::TooLong { max: MAX_USER_NAME_LEN })
        } else if s.starts_with(' ') {
            Some(Rule::LeadingSpace)
        } else {
            s.chars()
                .find(|c| FORBIDDEN_NAME_CHARS.contains(c) || c.is_control())
                .map(Rule::ForbiddenChar)
        };
        prop_assert_eq!(s.parse::<UserName>().err().map(|e| e.rule), expected);
    }

    #[test]
    fn valid_user_names_round_trip(s in valid_name(MAX_USER_NAME_LEN)) {
        let n: UserName = s.parse().unwrap();
        prop_assert_eq!(n.to_string().parse::<UserName>().unwrap(), n.clone());
        prop_assert_eq!(UserName::try_from(n.as_str()).unwrap(), n.clone());
        let json = serde_json::to_string(&n).unwrap();
        prop_assert_eq!(serde_json::from_str::<UserName>(&json).unwrap(), n);
    }

    #[test]
    fn valid_full_names_round_trip(s in valid_name(MAX_FULL_NAME_LEN)) {
        let n: FullName = s.parse().unwrap();
        prop_assert_eq!(n.to_string().parse::<FullName>().unwrap(), n.clone());
        let json = serde_json::to_string(&n).unwrap();
        prop_assert_eq!(serde_json::from_str::<FullName>(&json).unwrap(), n);
    }

    #[test]
    fn serde_refuses_what_parse_refuses(s in free_text()) {
        let json = serde_json::to_string(&s).unwrap();
        prop_assert_eq!(
            serde_json::from_str::<UserName>(&json).is_ok(),
            s.parse::<UserName>().is_ok()
        );
        prop_assert_eq!(
            serde_json::from_str::<FullName>(&json).is_ok(),
            s.parse::<FullName>().is_ok()
        );
    }

    #[test]
    fn derived_names_parse_and_are_stable(s in free_text()) {
        if let Some(n) = UserName::derive(&s) {
            prop_assert_eq!(n.as_str().parse::<UserName>().unwrap(), n.clone());
            prop_assert!(!n.as_str().ends_with(' '));
            prop_assert!(!n.as_str().contains("  "));
            // Deriving again changes nothing.
            prop_assert_eq!(UserName::derive(n.as_str()), Some(n));
        } else {
            // Nothing usable: no character a name could keep.
            let unusable = s.chars().all(|c| {
                c.is_whitespace()
                    || c.is_control()
                    || FORBIDDEN_NAME_CHARS.contains(&c)
                    || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
            });
            prop_assert!(unusable, "derive refused {:?}", s);
        }
        if let Some(n) = FullName::derive(&s) {
            prop_assert_eq!(n.as_str().parse::<FullName>().unwrap(), n.clone());
            prop_assert_eq!(FullName::derive(n.as_str()), Some(n));
        }
    }

    #[test]
    fn derive_of_any_string_never_panics(s in any::<String>()) {
        if let Some(n) = UserName::derive(&s) {
            prop_assert!(n.as_str().parse::<UserName>().is_ok());
        }
        if let Some(n) = FullName::derive(&s) {
            prop_assert!(n.as_str().parse::<FullName>().is_ok());
        }
    }

    #[test]
    fn make_unique_gives_distinct_valid_names(
        names in prop::collection::vec(valid_name(MAX_USER_NAME_LEN), 1..30),
        repeat in 1usize..5,
    ) {
        let names: Vec<UserName> = names.iter().map(|s| s.parse().unwrap()).collect();
        let run = || {
            let mut taken = NameRegistry::new();
            let mut out = Vec::new();
            for _ in 0..repeat {
                for n in &names {
                    out.push(n.make_unique(&mut taken));
                }
            }
            (out, taken.len())
        };
        let (out, taken) = run();
        prop_assert_eq!(taken, out.len());
        let keys: BTreeSet<String> = out.iter().map(|n| n.as_str().to_lowercase()).collect();
        prop_assert_eq!(keys.len(), out.len(), "case-insensitive duplicates in {:?}", out);
        for n in &out {
            prop_assert!(n.as_str().parse::<UserName>().is_ok());
        }
        prop_assert_eq!(run().0, out);
    }
}

#[test]
fn five_hundred_identical_display_names() {
    let base = UserName::derive("Maximilian Alexander-Smith").unwrap();
    let run = || {
        let mut taken = NameRegistry::new();
        (0..500)
            .map(|_| base.make_unique(&mut taken))
            .collect::<Vec<_>>()
    };
    let names = run();
    assert_eq!(names[0], base);
    let keys: BTreeSet<String> = names.iter().map(UserName::uniqueness_key).collect();
    assert_eq!(keys.len(), 500);
    for n in &names {
        assert!(n.as_str().chars().count() <= MAX_USER_NAME_LEN);
        assert_eq!(n.as_str().parse::<UserName>().unwrap(), *n);
        assert!(n.as_str().starts_with("Maximilian"));
    }
    assert_eq!(names[499].as_str(), "Maximilian A500");
    assert_eq!(run(), names);
}

#[test]
fn make_unique_respects_case_variants_already_taken() {
    let lower: UserName = "ann lee".parse().unwrap();
    let mut taken: NameRegistry = [&lower].into_iter().collect();
    let mixed: UserName = "Ann Lee".parse().unwrap();
    let got = mixed.make_unique(&mut taken);
    assert_eq!(got.as_str(), "Ann Lee2");
    assert!(taken.contains(&"ANN LEE2".parse().unwrap()));
}

#[test]
fn errors_name_the_kind_and_rule() {
    let e = "Ann.Lee".parse::<UserName>().unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid user name \"Ann.Lee\": character '.' is not allowed"
    );
    let e = "x".repeat(32).parse::<FullName>().unwrap_err();
    assert!(e.to_string().contains("full name"));
    assert!(e.to_string().contains("longer than 31 characters"));
}
