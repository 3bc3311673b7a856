//! The annotated example configuration stays valid.

use ipo_model::LicensingMode;
use sync_engine::SyncConfig;

#[test]
fn example_configuration_parses_and_validates() {
    let file: toml::Table =
        toml::from_str(include_str!("../examples/sync.example.toml")).expect("valid TOML");
    let sync = toml::to_string(file.get("sync").expect("a [sync] section")).expect("re-encodes");
    let cfg = SyncConfig::from_toml(&sync).expect("a valid sync configuration");
    assert_eq!(cfg.rules.len(), 3);
    cfg.validate(Some(LicensingMode::Plds))
        .expect("templates fit a PLDS system");
    assert!(
        cfg.validate(Some(LicensingMode::Subscription)).is_err(),
        "Power User does not exist on a subscription system"
    );
}
