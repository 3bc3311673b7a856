//! Counts and lists in English: "1 nested group", "2 nested groups", "a, b and c".

/// `n` with the singular or the plural noun.
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The parts joined as a list: "a", "a and b", "a, b and c".
pub fn and_list(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_lists_end_with_and() {
        assert_eq!(count(1, "node", "nodes"), "1 node");
        assert_eq!(count(0, "node", "nodes"), "0 nodes");
        assert_eq!(count(2, "person", "people"), "2 people");
        let parts = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(and_list(&parts(&[])), "");
        assert_eq!(and_list(&parts(&["a"])), "a");
        assert_eq!(and_list(&parts(&["a", "b"])), "a and b");
        assert_eq!(and_list(&parts(&["a", "b", "c"])), "a, b and c");
    }
}
