//! One self-contained HTML file for a classification, a sync plan or an apply: the page an
//! administrator reviews before a sync writes to a telephone system, and attaches to the
//! change request.
//!
//! - **Self-contained**: one `String`, no fetch of any kind (no external script, style,
//!   font or image); charts are inline SVG; a print style sheet; works offline and as an
//!   e-mail attachment.
//! - **Strict**: a Content-Security-Policy meta tag allows the one inline style and the one
//!   inline script by their SHA-256 hashes, and nothing else.
//! - **Hostile data stays data**: every directory or IP Office value is escaped for text
//!   and attributes; element and attribute names come only from this crate's source.
//! - **No secrets**: it shows what the plan shows, where login and voicemail codes are
//!   already `***`.
//! - **Readable without scripts**: the script only adds the filters (type, action,
//!   problem, name) and a copy button for the Teams PowerShell script.
//!
//! At the top: the three user types (counts and a chart), who is blocked and by what
//! (grouped by problem, with the fix), the licence forecast per profile, the deletion
//! threshold, whether IP Office needs a restart, and an apply's results and transport
//! figures; then the Teams half (each Teams write through Microsoft Graph or the PowerShell
//! script, what is held back, and after an apply how each write went and what Teams holds);
//! below, every person's line, their Teams writes and holds on it.
//!
//! ```
//! use ipo_teams_report::{Options, render_plan};
//! // A plan as `ipo-teams plan --json` writes it (here: an empty one).
//! let plan: sync_engine::Plan = serde_json::from_str(
//!     r#"{"actions":[],"people":[],"licenses":[],"held_removals":null,"teams":{"actions":[],"held":[]},"notes":[]}"#,
//! )?;
//! let html = render_plan(&plan, &Options::new().title("Contoso: weekly sync"));
//! assert!(html.starts_with("<!DOCTYPE html>"));
//! assert!(html.contains("Content-Security-Policy"));
//! assert!(html.contains("Contoso: weekly sync"));
//! # Ok::<(), serde_json::Error>(())
//! ```
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod chart;
mod csp;
mod escape;
mod html;
mod page;
mod summary;
mod table;
mod teams;
mod teams_section;
mod view;

use sync_engine::{Plan, Report};
use usertype_rules::Classification;

/// What a page says about itself, beyond the data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// The page title (default: one per kind of page).
    pub title: Option<String>,
    /// When it was made, as the caller wants it shown (none: not shown, so the same data
    /// gives the same file).
    pub generated: Option<String>,
    /// Which system or tenant, as the caller wants it shown.
    pub system: Option<String>,
}

impl Options {
    /// Defaults: the kind's title, no time, no system.
    pub fn new() -> Self {
        Self::default()
    }

    /// The page title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// When the page was made (shown as given).
    pub fn generated(mut self, when: impl Into<String>) -> Self {
        self.generated = Some(when.into());
        self
    }

    /// Which system or tenant (shown as given).
    pub fn system(mut self, system: impl Into<String>) -> Self {
        self.system = Some(system.into());
        self
    }
}

/// The page of a classification: who is which user type, who is blocked and what fixes it.
///
/// ```
/// use ipo_teams_report::{Options, render_classification};
/// let html = render_classification(&usertype_rules::Classification::default(), &Options::new());
/// assert!(html.contains("id=\"count-teams_only\">0<"));
/// ```
pub fn render_classification(classification: &Classification, options: &Options) -> String {
    page::render(&view::classification(classification), options)
}

/// The page of a plan (a dry run): what a sync would write, for each person why, the
/// licence forecast, the deletion threshold and the Teams PowerShell script.
///
/// ```
/// use ipo_teams_report::{Options, render_plan};
/// let plan: sync_engine::Plan = serde_json::from_str(
///     r#"{"actions":[],"people":[],"licenses":[],"held_removals":null,"teams":{"actions":[],"held":[]},"notes":[]}"#,
/// )?;
/// let html = render_plan(&plan, &Options::new());
/// assert!(html.contains("id=\"count-writes\">0<"));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn render_plan(plan: &Plan, options: &Options) -> String {
    page::render(&view::plan(plan), options)
}

/// The page of an apply: the plan's page with what happened (successes, failures, held
/// removals, restarts IP Office asked for, transport figures).
///
/// ```
/// use ipo_teams_report::{Options, render_apply};
/// let plan: sync_engine::Plan = serde_json::from_str(
///     r#"{"actions":[],"people":[],"licenses":[],"held_removals":null,"teams":{"actions":[],"held":[]},"notes":[]}"#,
/// )?;
/// let html = render_apply(
///     &plan,
///     &sync_engine::Report::default(),
///     &Options::new().generated("2026-12-02 19:00 UTC"),
/// );
/// assert!(html.contains("No restart needed"));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn render_apply(plan: &Plan, report: &Report, options: &Options) -> String {
    page::render(&view::apply(plan, report), options)
}
