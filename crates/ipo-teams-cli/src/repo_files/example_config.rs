//! The annotated example configuration (`examples/sync.example.toml`) stays a valid
//! configuration file for the program, and its `[sync]` fits a PLDS system.

use std::path::Path;

use crate::file_config::{ProgramConfig, WireFormatName};
use ipo_model::LicensingMode;

const EXAMPLE: &str = include_str!("../../../../examples/sync.example.toml");

#[test]
fn example_configuration_parses_and_validates() {
    let cfg = ProgramConfig::parse(Path::new("examples/sync.example.toml"), EXAMPLE).unwrap();
    assert_eq!(cfg.sync.rules.len(), 3);
    assert_eq!(cfg.ipo.format, WireFormatName::Xml);
    assert!(!cfg.ipo.insecure_accept_any_certificate);
    assert!(cfg.ipo.base_url.url().scheme() == "https");
    assert!(
        cfg.state_file.is_relative(),
        "resolved beside the file when loaded"
    );
    cfg.sync
        .validate(Some(LicensingMode::Plds))
        .expect("templates fit a PLDS system");
    assert!(
        cfg.sync
            .validate(Some(LicensingMode::Subscription))
            .is_err(),
        "Power User does not exist on a subscription system"
    );
}

#[test]
fn loading_the_example_resolves_its_paths_beside_it() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/sync.example.toml");
    let loaded = ProgramConfig::load(&path).unwrap();
    let folder = std::fs::canonicalize(path.parent().unwrap()).unwrap();
    assert_eq!(
        loaded.config.state_file,
        folder.join("ipo-teams-state.json")
    );
    assert_eq!(
        loaded.config.ipo.directory_csv.as_deref(),
        Some(folder.join("ipo-directory.csv").as_path())
    );
}
