//! The small part of OData `$filter` a directory sync uses: `prop eq 'text'` (quotes doubled
//! inside), `prop eq true|false`, `assignedLicenses/any(x:x/skuId eq GUID)`, joined by `or`.

use serde_json::{Map, Value};

use crate::wire::{Resp, graph_error};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Clause {
    Eq(String, Value),
    HasSku(String),
}

pub(super) fn unsupported(filter: &str) -> Resp {
    graph_error(
        400,
        "Request_UnsupportedQuery",
        &format!("Unsupported or invalid query filter clause specified: '{filter}'."),
    )
}

fn literal(s: &str) -> Option<Value> {
    let s = s.trim();
    if let Some(inner) = s.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        // A lone quote inside is a syntax error in OData; doubled quotes are one quote.
        if inner.replace("''", "").contains('\'') {
            return None;
        }
        return Some(Value::from(inner.replace("''", "'")));
    }
    match s {
        "true" => Some(Value::from(true)),
        "false" => Some(Value::from(false)),
        "null" => Some(Value::Null),
        _ => None,
    }
}

/// Splits on ` or ` outside quotes.
fn split_or(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut in_q = false;
    let mut start = 0;
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\'' {
            in_q = !in_q;
        } else if !in_q && s[i..].starts_with(" or ") {
            parts.push(&s[start..i]);
            i += 4;
            start = i;
            continue;
        }
        i += 1;
    }
    parts.push(&s[start..]);
    parts
}

pub(super) fn parse(filter: &str) -> Result<Vec<Clause>, Resp> {
    split_or(filter.trim())
        .into_iter()
        .map(|c| {
            let c = c
                .trim()
                .trim_start_matches('(')
                .trim_end_matches(')')
                .trim();
            if let Some(rest) = c.strip_prefix("assignedLicenses/any(") {
                // x:x/skuId eq GUID
                let (_, cond) = rest.split_once(':').ok_or_else(|| unsupported(filter))?;
                let (lhs, rhs) = cond.split_once(" eq ").ok_or_else(|| unsupported(filter))?;
                if !lhs.trim().ends_with("/skuId") {
                    return Err(unsupported(filter));
                }
                let sku = rhs.trim().trim_end_matches(')').trim().trim_matches('\'');
                return Ok(Clause::HasSku(sku.to_ascii_lowercase()));
            }
            let (prop, val) = c.split_once(" eq ").ok_or_else(|| unsupported(filter))?;
            let prop = prop.trim();
            if prop.is_empty() || !prop.chars().all(|ch| ch.is_ascii_alphanumeric()) {
                return Err(unsupported(filter));
            }
            let v = literal(val).ok_or_else(|| unsupported(filter))?;
            Ok(Clause::Eq(prop.to_owned(), v))
        })
        .collect()
}

pub(super) fn matches(clauses: &[Clause], m: &Map<String, Value>) -> bool {
    clauses.iter().any(|c| match c {
        Clause::Eq(p, Value::String(want)) => m
            .get(p)
            .and_then(Value::as_str)
            .is_some_and(|have| have.eq_ignore_ascii_case(want)),
        Clause::Eq(p, want) => m.get(p).unwrap_or(&Value::Null) == want,
        Clause::HasSku(sku) => m
            .get("assignedLicenses")
            .and_then(Value::as_array)
            .is_some_and(|ls| {
                ls.iter().any(|l| {
                    l.get("skuId")
                        .and_then(Value::as_str)
                        .is_some_and(|s| s.eq_ignore_ascii_case(sku))
                })
            }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_the_supported_subset() {
        let c = parse("displayName eq 'O''Brien' or id eq 'x'").unwrap();
        assert_eq!(c[0], Clause::Eq("displayName".into(), json!("O'Brien")));
        assert_eq!(c.len(), 2);
        let m = json!({"displayName": "o'brien"});
        assert!(matches(&c, m.as_object().unwrap()));
        let c = parse("assignedLicenses/any(s:s/skuId eq 0DAB259F-bf13-4952-b7f8-7db8f131b28d)")
            .unwrap();
        let m = json!({"assignedLicenses": [{"skuId": "0dab259f-bf13-4952-b7f8-7db8f131b28d"}]});
        assert!(matches(&c, m.as_object().unwrap()));
        assert!(parse("startswith(displayName,'A')").is_err());
        assert!(parse("displayName eq 'O'Brien'").is_err());
    }
}
