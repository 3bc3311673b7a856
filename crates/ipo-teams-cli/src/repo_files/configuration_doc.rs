//! `docs/configuration.md` lists every key of the configuration file. The keys come from
//! the typed structure itself: an unknown key is put into each table, and the parser's
//! "expected one of ..." answer names the keys valid there.

use std::path::Path;

use crate::file_config::ProgramConfig;

const EXAMPLE: &str = include_str!("../../../../examples/sync.example.toml");
const DOC: &str = include_str!("../../../../docs/configuration.md");

/// The keys valid in the table at `path` (`[]` for the top level), as the parser lists them.
fn keys_at(path: &[&str]) -> Vec<String> {
    let mut doc: toml::Table = toml::from_str(EXAMPLE).unwrap();
    // Every optional table present, so that each can be probed.
    doc["sync"]
        .as_table_mut()
        .unwrap()
        .entry("licensing")
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    // The first rule (IP Office only) has no Teams half of its own.
    doc["sync"]["rules"][0]
        .as_table_mut()
        .unwrap()
        .entry("teams")
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    // Probed alone: an empty one would be refused (no `listen`) at every other place.
    if path.first() == Some(&"directory_service") {
        doc.entry("directory_service")
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    }
    let mut table = &mut doc;
    for part in path {
        let value = table.get_mut(*part).unwrap_or_else(|| panic!("no {part}"));
        table = match value {
            toml::Value::Table(t) => t,
            toml::Value::Array(a) => a[0].as_table_mut().unwrap(),
            other => panic!("{part} is {other:?}"),
        };
    }
    table.insert("zz_not_a_key".into(), 1.into());
    let text = toml::to_string(&doc).unwrap();
    let err = ProgramConfig::parse(Path::new("probe.toml"), &text)
        .expect_err("an unknown key is refused")
        .to_string();
    let list = err
        .split_once("expected one of ")
        .or_else(|| err.split_once("expected "))
        .unwrap_or_else(|| panic!("{path:?}: no list of keys in: {err}"))
        .1;
    list.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_key_of_every_table_is_documented() {
    let tables: &[&[&str]] = &[
        &[],
        &["graph"],
        &["ipo"],
        &["sync"],
        &["sync", "rules"],
        &["sync", "rules", "teams"],
        &["sync", "fields"],
        &["sync", "fields", "name"],
        &["sync", "provisioning_rules"],
        &["sync", "user_templates", "desk-user"],
        &["sync", "safety"],
        &["sync", "system_directory"],
        &["sync", "licensing"],
        &["directory_service"],
    ];
    let mut total = 0;
    for path in tables {
        let keys = keys_at(path);
        assert!(!keys.is_empty(), "{path:?}");
        for key in keys {
            total += 1;
            assert!(
                DOC.contains(&format!("`{key}`")),
                "docs/configuration.md does not document `{key}` of [{}]",
                path.join(".")
            );
        }
    }
    assert!(total > 50, "only {total} keys found");
}
