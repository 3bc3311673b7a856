//! The IP Office nodes an apply left needing a restart: collected from the write outcomes,
//! once per node, for the report, its JSON and the program's exit status.

use ipo_model::RestartNotice;

/// Adds `from` to `into`, each node once (the first notice of a node is kept).
pub(crate) fn merge(into: &mut Vec<RestartNotice>, from: &[RestartNotice]) {
    for n in from {
        if !into.iter().any(|m| m.node == n.node) {
            into.push(n.clone());
        }
    }
}

/// The report's line for the restarts, `None` when no node needs one.
pub(crate) fn line(restarts: &[RestartNotice]) -> Option<String> {
    if restarts.is_empty() {
        return None;
    }
    let nodes: Vec<&str> = restarts.iter().map(|r| r.node.as_str()).collect();
    Some(format!(
        "IP Office needs a restart for these changes to take effect: node {}",
        nodes.join(", node ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_notice_per_node_and_a_line_naming_them() {
        let mut all = Vec::new();
        let a = RestartNotice::new("10.0.0.5", Some("normal".into()));
        let b = RestartNotice::new("10.0.1.5", None);
        merge(&mut all, &[a.clone(), a.clone()]);
        merge(&mut all, &[RestartNotice::new("10.0.0.5", None), b.clone()]);
        assert_eq!(all, [a, b]);
        assert_eq!(
            line(&all).unwrap(),
            "IP Office needs a restart for these changes to take effect: node 10.0.0.5, node 10.0.1.5"
        );
        assert_eq!(line(&[]), None);
    }
}
