//! Regenerates `docs/report.png`: the demo's apply report (the demo tenant, its Teams rules
//! provisioned through Microsoft Graph, planned and applied against the in-memory stores),
//! rendered, served on 127.0.0.1 and photographed by headless Chromium.
//!
//! ```sh
//! cargo run -p ipo-teams-report --example screenshot
//! ```
//!
//! The picture is then reduced to 128 colours by ImageMagick's `convert` (`apt-get install
//! imagemagick`), which keeps the text sharp at about a third of the size. Also writes the
//! page itself to `target/ipo-teams-report-demo.html` for a look in a browser.

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Both halves: IP Office's writes and Teams' (through Graph and the script, and held).
    let demo = support::demo_with_teams();
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
            "--window-size=1280,5000",
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
    shrink(&png)?;
    println!("{}", png.canonicalize()?.display());
    println!("{}", page.display());
    Ok(())
}

/// Rewrites `png` with 128 colours, without dithering: the page's text and flat colours need
/// no more, and Chromium's own file is three times the size.
fn shrink(png: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let status = Command::new("convert")
        .arg(png)
        .args(["-strip", "+dither", "-colors", "128"])
        .args(["-define", "png:compression-level=9"])
        .arg(format!("PNG8:{}", png.display()))
        .status()
        .map_err(|e| format!("ImageMagick's convert (apt-get install imagemagick): {e}"))?;
    if !status.success() {
        return Err(format!("convert {}: {status}", png.display()).into());
    }
    Ok(())
}
