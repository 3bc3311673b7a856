//! Headless Chromium, run as a process, and a 127.0.0.1 HTTP server that serves the pages
//! and records every request the browser makes.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Where Chromium is: `IPO_TEAMS_CHROMIUM`, else Debian's `chromium` or
/// `chromium-headless-shell`. Panics with what to do when there is none: a browser test
/// that cannot run fails, it is never skipped.
pub fn chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("IPO_TEAMS_CHROMIUM") {
        return PathBuf::from(p);
    }
    for p in [
        "/usr/bin/chromium",
        "/usr/bin/chromium-headless-shell",
        "/usr/bin/chromium-browser",
    ] {
        if Path::new(p).exists() {
            return PathBuf::from(p);
        }
    }
    panic!(
        "headless Chromium is needed for the browser tests and was not found: install it \
         (Debian: `apt-get update && apt-get install -y chromium`; .ci/run does this) or set \
         IPO_TEAMS_CHROMIUM to its path"
    );
}

/// Held by each browser test for its whole run: one Chromium at a time, so the tests do not
/// compete for the machine's cores and the timings one of them measures are its own.
pub fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static ONE: Mutex<()> = Mutex::new(());
    ONE.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs Chromium on `url` with `extra` arguments (`--dump-dom`, `--screenshot=...`), in a
/// fresh profile, with everything that could reach the network on its own turned off.
/// Returns its standard output. Panics when it fails or takes over two minutes.
pub fn run(url: &str, extra: &[&str]) -> String {
    run_with(url, &["--virtual-time-budget=5000"], extra)
}

/// Runs Chromium as [`run`] does, with `timing` in place of the virtual time budget (a
/// measurement wants real time: `&[]`).
pub fn run_with(url: &str, timing: &[&str], extra: &[&str]) -> String {
    let profile = tempfile::tempdir().expect("a temporary profile directory");
    let mut cmd = Command::new(chromium());
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-default-apps",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        // Chromium's own background services (time, updates, sign-in, autofill): off where
        // a switch exists; what remains goes to the test's proxy, never off the machine.
        "--disable-features=AutofillServerCommunication,NetworkTimeServiceQuerying,\
         OptimizationHints,OptimizationHintsFetching,Translate,MediaRouter,\
         DialMediaRouteProvider,CertificateTransparencyComponentUpdater",
        "--no-pings",
        "--disable-domain-reliability",
        "--disable-client-side-phishing-detection",
        "--disable-breakpad",
        "--no-default-browser-check",
        "--allow-browser-signin=false",
    ])
    .args(timing)
    .arg(format!("--user-data-dir={}", profile.path().display()))
    .args(extra)
    .arg(url)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("could not start Chromium ({}): {e}", chromium().display()));
    let id = child.id();
    // Kill it if it hangs: wait_with_output on a thread, with a deadline here.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = match rx.recv_timeout(Duration::from_secs(120)) {
        Ok(out) => out.expect("Chromium's output"),
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(id.to_string()).status();
            panic!("Chromium did not finish within two minutes on {url}");
        }
    };
    assert!(
        out.status.success(),
        "Chromium failed on {url} ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("Chromium prints UTF-8")
}

/// Whether a logged request (a path, an absolute URL or a `CONNECT host:port`) went to one
/// of Chromium's own service hosts: the browser's background traffic, not the page's (the
/// pages hold no URL at all).
pub fn is_browser_service(request: &str) -> bool {
    let rest = request
        .strip_prefix("http://")
        .or_else(|| request.strip_prefix("https://"))
        .unwrap_or(request);
    if rest.starts_with('/') {
        return false;
    }
    let host = rest.split(['/', ':']).next().unwrap_or("");
    ["google.com", "googleapis.com", "gstatic.com"]
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")))
}

/// A tiny HTTP/1.0 server on 127.0.0.1 serving fixed pages and logging every request path.
pub struct Server {
    pub base: String,
    pages: Arc<Mutex<Vec<Page>>>,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let base = format!("http://{}", listener.local_addr().expect("local address"));
        let pages: Arc<Mutex<Vec<Page>>> = Arc::default();
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let (p, l) = (pages.clone(), log.clone());
        // Lives as long as the test process; answers one connection at a time.
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                serve(stream, &p, &l);
            }
        });
        Self { base, pages, log }
    }

    /// Serves `body` at `path` (like `/report.html`); returns its URL.
    pub fn page(&self, path: &str, body: String) -> String {
        self.page_with_header(path, body, None)
    }

    /// The same, with one more response header (`Content-Security-Policy: script-src 'none'`
    /// blocks the page's script as scripts-off would, while `--dump-dom` still works).
    pub fn page_with_header(&self, path: &str, body: String, header: Option<&str>) -> String {
        self.pages.lock().expect("pages").push(Page {
            path: path.into(),
            body,
            header: header.map(str::to_owned),
        });
        format!("{}{path}", self.base)
    }

    /// Every request path seen so far.
    pub fn requests(&self) -> Vec<String> {
        self.log.lock().expect("log").clone()
    }
}

/// A page the server answers with.
struct Page {
    path: String,
    body: String,
    header: Option<String>,
}

fn serve(mut stream: TcpStream, pages: &Mutex<Vec<Page>>, log: &Mutex<Vec<String>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let started = Instant::now();
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() || line.is_empty() {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("").to_owned();
    // Drain the headers.
    let mut h = String::new();
    while reader.read_line(&mut h).is_ok() && h != "\r\n" && !h.is_empty() {
        h.clear();
        if started.elapsed() > Duration::from_secs(10) {
            break;
        }
    }
    log.lock().expect("log").push(path.clone());
    let body = pages
        .lock()
        .expect("pages")
        .iter()
        .find(|p| p.path == path)
        .map(|p| (p.body.clone(), p.header.clone()));
    let response = match body {
        Some((b, header)) => format!(
            "HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n{}Connection: close\r\n\r\n{b}",
            b.len(),
            header.map(|h| format!("{h}\r\n")).unwrap_or_default()
        ),
        None => "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".into(),
    };
    let _ = stream.write_all(response.as_bytes());
}

/// What a person's browser shows of a page, read by a script that is not the page's: a
/// probe page on the same origin loads `page` (a path on `server`) in a `width` x 900 frame
/// with the given `sandbox` (without `allow-scripts` the frame runs as with scripts turned
/// off) and, once it has loaded, calls `check`, the body of a JavaScript function of the
/// frame's document `d` and window `w` that returns a JSON value. Returns that value.
pub fn probe(
    server: &Server,
    page: &str,
    sandbox: &str,
    width: u32,
    check: &str,
) -> serde_json::Value {
    let html = format!(
        "<!DOCTYPE html><html><body><pre id=\"result\"></pre>\
         <iframe id=\"frame\" width=\"{width}\" height=\"900\" sandbox=\"{sandbox}\" src=\"{page}\"></iframe>\
         <script>\
         var f = document.getElementById(\"frame\");\
         f.addEventListener(\"load\", function () {{\
           var out;\
           try {{ out = (function (d, w) {{ {check} }})(f.contentDocument, f.contentWindow); }}\
           catch (e) {{ out = {{ probe_error: String(e) }}; }}\
           document.getElementById(\"result\").textContent = JSON.stringify(out);\
         }});\
         </script></body></html>"
    );
    static PROBES: AtomicUsize = AtomicUsize::new(0);
    let n = PROBES.fetch_add(1, Ordering::Relaxed);
    let url = server.page(&format!("/probe-{n}.html"), html);
    // The server is Chromium's proxy too: nothing leaves the machine.
    let proxy = format!("--proxy-server={}", server.base);
    // Real time, not a virtual time budget: a probe may measure how long things take.
    let dom = scraper::Html::parse_document(&run_with(&url, &[], &["--dump-dom", &proxy]));
    let sel = scraper::Selector::parse("#result").expect("a selector");
    let text: String = dom
        .select(&sel)
        .next()
        .map(|e| e.text().collect())
        .unwrap_or_default();
    let value: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("the probe of {page} gave no result ({e}): {text:?}"));
    assert!(
        value.get("probe_error").is_none(),
        "the probe of {page} failed: {value}"
    );
    value
}
