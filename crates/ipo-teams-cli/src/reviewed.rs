//! `apply --plan FILE`: the plan an administrator reviewed, read back from `plan --json`.

use std::path::Path;

use crate::error::CliError;

/// A plan kept from `plan --json` (the whole output, or its `plan`).
pub fn read_reviewed(path: &Path) -> Result<sync_engine::Plan, CliError> {
    let bad = |e: String| CliError::Setup(format!("the plan {}: {e}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    let mut doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    if let Some(plan) = doc.get_mut("plan") {
        doc = plan.take();
    }
    serde_json::from_value(doc).map_err(|e| bad(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reviewed_plan_is_read_from_plan_json_output_or_alone() {
        let dir = tempfile::tempdir().unwrap();
        let plan = serde_json::json!({
            "actions": [], "people": [], "licenses": [], "held_removals": null,
            "teams": {"actions": [], "held": []}, "notes": ["kept"]
        });
        for (name, doc) in [
            (
                "whole.json",
                serde_json::json!({ "state": {}, "plan": plan }),
            ),
            ("alone.json", plan.clone()),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, doc.to_string()).unwrap();
            assert_eq!(read_reviewed(&path).unwrap().notes, ["kept"]);
        }
        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, "{}").unwrap();
        let err = read_reviewed(&bad).unwrap_err().to_string();
        assert!(err.contains("bad.json"), "{err}");
    }
}
