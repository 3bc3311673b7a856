//! Inline SVG bar charts. Colours come from classes (the style sheet), never from style
//! attributes, which the page's CSP forbids.

use crate::html::Html;

/// One bar.
pub(crate) struct Bar {
    pub label: String,
    pub value: u64,
    /// CSS class of the bar (`t-teams_only`, `need short`...).
    pub class: &'static str,
}

const WIDTH: u64 = 380;
const LABEL: u64 = 150;
const ROW: u64 = 26;
const BAR: u64 = 18;
/// Room right of the longest bar for its number.
const TAIL: u64 = 40;

/// A horizontal bar chart; bars share one scale (the largest value fills the track).
/// `gap_every`: a blank half-row after every n bars (grouping needed/free pairs).
pub(crate) fn bars(h: &mut Html, id: &'static str, title: &str, bars: &[Bar], gap_every: usize) {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let track = WIDTH - LABEL - TAIL;
    let gaps = bars
        .len()
        .saturating_sub(1)
        .checked_div(gap_every)
        .unwrap_or(0) as u64;
    let height = bars.len() as u64 * ROW + gaps * (ROW / 2) + 4;
    let view_box = format!("0 0 {WIDTH} {height}");
    h.open(
        "svg",
        &[
            ("id", id),
            ("class", "chart"),
            ("viewBox", &view_box),
            ("role", "img"),
            ("aria-label", title),
        ],
    );
    h.el("title", &[], title);
    let mut y = 2;
    for (i, b) in bars.iter().enumerate() {
        if gap_every > 0 && i > 0 && i % gap_every == 0 {
            y += ROW / 2;
        }
        let w = b.value * track / max;
        let mid = (y + BAR / 2 + 4).to_string();
        h.el("text", &[("x", "0"), ("y", &mid)], &b.label);
        h.el(
            "rect",
            &[
                ("class", "track"),
                ("x", &LABEL.to_string()),
                ("y", &y.to_string()),
                ("width", &track.to_string()),
                ("height", &BAR.to_string()),
            ],
            "",
        );
        h.el(
            "rect",
            &[
                ("class", b.class),
                ("x", &LABEL.to_string()),
                ("y", &y.to_string()),
                ("width", &w.to_string()),
                ("height", &BAR.to_string()),
            ],
            "",
        );
        h.el(
            "text",
            &[("x", &(LABEL + w + 6).to_string()), ("y", &mid)],
            &b.value.to_string(),
        );
        y += ROW;
    }
    h.close("svg");
}
