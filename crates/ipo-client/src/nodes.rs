//! Which node a write goes to: a record's `node` (LAN1 address or system name) resolved
//! against the solution's node listing (`GET systems`, read once per session).

use crate::client::IpoClient;
use crate::error::IpoError;
use crate::records::{self, NodeInfo};

/// The LAN1 address `value` stands for: a node's address, else a node's system `Name`
/// (exactly, else ignoring ASCII case when that picks one node). `Err` says why not.
pub(crate) fn resolve(nodes: &[NodeInfo], value: &str) -> Result<String, String> {
    let value = value.trim();
    if let Some(n) = nodes.iter().find(|n| n.address.as_deref() == Some(value)) {
        return Ok(n.address.clone().unwrap_or_default());
    }
    let mut named: Vec<&NodeInfo> = nodes.iter().filter(|n| n.name == value).collect();
    if named.is_empty() {
        named = nodes
            .iter()
            .filter(|n| n.name.eq_ignore_ascii_case(value))
            .collect();
    }
    let listed = || {
        if nodes.is_empty() {
            "GET systems lists no node".to_owned()
        } else {
            let all: Vec<String> = nodes.iter().map(ToString::to_string).collect();
            format!("the solution's nodes: {}", all.join(", "))
        }
    };
    match named.as_slice() {
        [one] => one.address.clone().ok_or_else(|| {
            format!(
                "is a node without a LAN1 address, so the Management API cannot address it ({})",
                listed()
            )
        }),
        [] => Err(format!(
            "is neither the LAN1 address nor the system name of a node ({})",
            listed()
        )),
        _ => Err(format!(
            "names several nodes; use the LAN1 address ({})",
            listed()
        )),
    }
}

impl IpoClient {
    /// The solution's nodes, primary first (`GET systems`, read once per session and
    /// shared by concurrent callers; [`IpoClient::close`] forgets it).
    pub async fn nodes(&self) -> Result<Vec<NodeInfo>, IpoError> {
        let mut cached = self.inner.nodes.lock().await;
        if let Some(n) = &*cached {
            return Ok(n.clone());
        }
        let recs = self.list("systems").await?;
        if let Some(s) = records::solution_from_records(&recs) {
            let s = self.settle_system(s, &recs)?;
            self.remember_mode(s.licensing_mode);
        }
        let nodes = records::nodes_from_records(&recs);
        *cached = Some(nodes.clone());
        Ok(nodes)
    }

    /// How a restart notice names the node a request went to: its `ipaddress=`, else the
    /// primary's LAN1 address when the listing is at hand, else the base URL's host.
    pub(crate) fn node_label(&self, target: Option<&str>) -> String {
        if let Some(t) = target {
            return t.to_owned();
        }
        if let Ok(nodes) = self.inner.nodes.try_lock()
            && let Some(addr) = nodes
                .as_ref()
                .and_then(|n| n.first())
                .and_then(|n| n.address.clone())
        {
            return addr;
        }
        url::Url::parse(&self.inner.base)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_else(|| self.inner.base.clone())
    }

    /// Keeps the node listing read by a snapshot (no extra request later).
    pub(crate) async fn remember_nodes(&self, nodes: Vec<NodeInfo>) {
        *self.inner.nodes.lock().await = Some(nodes);
    }

    /// The `ipaddress=` a write of `record` carrying `node` goes to. `Ok(None)`: no
    /// selector. The record's node wins over [`IpoConfig::node`](crate::IpoConfig::node);
    /// a node equal to the configured one is sent as configured, without a listing.
    pub(crate) async fn target(
        &self,
        record: &str,
        node: Option<&str>,
    ) -> Result<Option<String>, IpoError> {
        let configured = self.inner.cfg.node.clone();
        let Some(value) = node.map(str::trim).filter(|v| !v.is_empty()) else {
            return Ok(configured);
        };
        if configured.as_deref() == Some(value) {
            return Ok(configured);
        }
        let nodes = self.nodes().await?;
        resolve(&nodes, value)
            .map(Some)
            .map_err(|reason| IpoError::UnknownNode {
                record: record.to_owned(),
                node: value.to_owned(),
                reason,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nodes() -> Vec<NodeInfo> {
        vec![
            NodeInfo::new("HQ", Some("10.0.0.5".into())),
            NodeInfo::new("Branch", Some("10.0.1.5".into())),
            NodeInfo::new("Depot", None),
            NodeInfo::new("twin", Some("10.0.2.5".into())),
            NodeInfo::new("TWIN", Some("10.0.3.5".into())),
        ]
    }

    #[test]
    fn address_and_name_resolve_to_the_lan1_address() {
        let n = nodes();
        assert_eq!(resolve(&n, "10.0.1.5").unwrap(), "10.0.1.5");
        assert_eq!(resolve(&n, " Branch ").unwrap(), "10.0.1.5");
        assert_eq!(resolve(&n, "branch").unwrap(), "10.0.1.5");
        assert_eq!(resolve(&n, "twin").unwrap(), "10.0.2.5");
    }

    #[test]
    fn unknown_ambiguous_and_unaddressable_nodes_are_refused_with_the_listing() {
        let n = nodes();
        let e = resolve(&n, "Nowhere").unwrap_err();
        assert!(
            e.contains("neither") && e.contains("Branch (10.0.1.5)"),
            "{e}"
        );
        assert!(resolve(&n, "Twin").unwrap_err().contains("several"));
        assert!(resolve(&n, "Depot").unwrap_err().contains("without a LAN1"));
        assert!(resolve(&[], "10.0.0.5").unwrap_err().contains("no node"));
    }
}
