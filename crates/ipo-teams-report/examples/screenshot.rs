//! Regenerates `docs/report.png`: the demo's apply report (the demo tenant planned and
//! applied against the in-memory stores), rendered, served on 127.0.0.1 and photographed by
//! headless Chromium.
//!
//! ```sh
//! cargo run -p ipo-teams-report --example screenshot
//! ```
//!
//! Also writes the page itself to `target/ipo-teams-report-demo.html` for a look in a browser.

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let demo = support::demo();
    let html = ipo_teams_report::render_apply(
        &demo.applied,
        &demo.report,
        &ipo_teams_report::Options::new().system("Contoso-IPO (demo)"),
    );
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let page = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("ipo-teams-report-demo.html");
    std::fs::write(&page, &html)?;
    let server = support::browser::Server::start();
    let url = server.page("/report.html", html);
    let png = root.join("docs/report.png");
    // The server is also Chromium's proxy, so nothing the browser sends leaves the machine.
    let proxy = format!("--proxy-server={}", server.base);
    support::browser::run(
        &url,
        &[
            "--window-size=1280,1900",
            &format!("--screenshot={}", png.display()),
            &proxy,
        ],
    );
    let requests: Vec<String> = server
        .requests()
        .into_iter()
        .filter(|r| !support::browser::is_browser_service(r))
        .collect();
    if requests != ["/report.html"] {
        return Err(format!("the page made requests of its own: {requests:?}").into());
    }
    println!("{}", png.canonicalize()?.display());
    println!("{}", page.display());
    Ok(())
}
