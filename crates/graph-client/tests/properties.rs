//! Property tests: OData escaping and parsing arbitrary user JSON.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use graph_client::{encode_query_value, odata_string_literal, parse_user};
use proptest::prelude::*;

/// Reads an OData string literal back: quote, doubled quotes inside, quote.
fn unquote(lit: &str) -> Option<String> {
    let inner = lit.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut out = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            // A lone quote would end the literal early: must be doubled.
            if chars.next() != Some('\'') {
                return None;
            }
        }
        out.push(c);
    }
    Some(out)
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        ".{0,12}".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(".{0,8}", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// The keys a Graph user object may carry: every selected property, plus the OData
/// annotations and one key the parser does not know.
fn keys() -> Vec<&'static str> {
    ipo_model::AZURE_AD_USER_PROPERTIES
        .into_iter()
        .chain(["@odata.type", "@removed", "other"])
        .collect()
}

proptest! {
    #[test]
    fn literal_round_trips_and_cannot_be_broken_out_of(s in ".*") {
        let lit = odata_string_literal(&s);
        prop_assert_eq!(unquote(&lit), Some(s.clone()));
        let q = encode_query_value(&lit);
        prop_assert!(!q.contains('&') && !q.contains('#') && !q.contains(' ') && !q.contains('+') && !q.contains('='));
    }

    #[test]
    fn arbitrary_user_objects_never_panic(
        fields in prop::collection::btree_map(prop::sample::select(keys()), json_value(), 0..10),
        valid_id in any::<bool>(),
    ) {
        let mut obj: serde_json::Map<String, serde_json::Value> =
            fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        if valid_id {
            obj.insert("id".into(), "87d349ed-44d7-43e1-9a83-5f2406dee5bd".into());
        }
        let bytes = serde_json::to_vec(&serde_json::Value::Object(obj)).unwrap();
        match parse_user(&bytes) {
            Ok(Some(u)) => prop_assert_eq!(u.id.as_str(), "87d349ed-44d7-43e1-9a83-5f2406dee5bd"),
            Ok(None) => {}
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = parse_user(&bytes);
        let _ = graph_client::test_support::parse_users_page(&bytes);
    }
}
