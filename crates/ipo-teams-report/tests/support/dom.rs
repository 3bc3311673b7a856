//! Reading a parsed page: selectors, and its shape to compare a hostile twin with.

use scraper::{Html, Selector};

/// A CSS selector (a test's own, so a bad one is a test bug).
pub fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("selector {s}: {e:?}"))
}

/// The text of the first element `css` selects (a test fails without one).
pub fn text_of(doc: &Html, css: &str) -> String {
    doc.select(&sel(css))
        .next()
        .unwrap_or_else(|| panic!("no {css}"))
        .text()
        .collect()
}

/// Every element, in document order, as its name and attribute names (not values).
pub fn shape(doc: &Html) -> Vec<String> {
    doc.select(&sel("*"))
        .map(|e| {
            let mut attrs: Vec<&str> = e.value().attrs().map(|(n, _)| n).collect();
            attrs.sort_unstable();
            format!("{}[{}]", e.value().name(), attrs.join(","))
        })
        .collect()
}
