//! The notice IP Office attaches to a write that only takes effect after a restart.

use serde::{Deserialize, Serialize};

/// "This change needs IP Office node X restarted": a successful write's extra
/// `<ws_object><reboot type="normal"/></ws_object>`, or an error answer's
/// `<REBOOT><error><errorLocation>X</errorLocation></error></REBOOT>` node.
///
/// The change is stored, but not in service until the node restarts; an administrator
/// must learn it (the sync's report lists it and the program exits with its own status).
///
/// ```
/// use ipo_model::RestartNotice;
/// let n = RestartNotice::new("10.240.0.5", Some("normal".into()));
/// assert_eq!(n.to_string(), "IP Office node 10.240.0.5 must be restarted (normal)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RestartNotice {
    /// The node to restart (its LAN1 address, as the answer or the request named it).
    pub node: String,
    /// The `type` attribute of `reboot` (the guide shows `normal`); `None` when the answer
    /// gave none (the `REBOOT` error node has no type).
    #[serde(default)]
    pub kind: Option<String>,
}

impl RestartNotice {
    /// A notice for `node`.
    pub fn new(node: impl Into<String>, kind: Option<String>) -> Self {
        Self {
            node: node.into(),
            kind,
        }
    }
}

impl std::fmt::Display for RestartNotice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IP Office node {} must be restarted", self.node)?;
        if let Some(k) = &self.kind {
            write!(f, " ({k})")?;
        }
        Ok(())
    }
}
