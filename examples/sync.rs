//! The program an administrator runs against a real tenant and a real IP Office.
//!
//! ```sh
//! export IPO_TEAMS_CLIENT_SECRET=...   # the app registration's client secret value
//! export IPO_TEAMS_IPO_PASSWORD=...    # the IP Office service user's password
//! cargo run --example sync -- --config sync.toml plan
//! cargo run --example sync -- --config sync.toml apply [--allow-deletes] [--incremental]
//! cargo run --example sync -- --config sync.toml classify
//! cargo run --example sync -- --config sync.toml explain <azure-ad-object-id>
//! ```
//!
//! `plan` (the default) is a dry run. Add `--json` for machine-readable output.
//! Exit codes: 0 done; 5 done, but IP Office must be restarted for the changes to take
//! effect (the report's last lines and stderr name the node; `--json`: `report.restarts`);
//! 3 changes held back (deletion threshold, licences, conflicts); 1 failure. When several
//! apply, the first of 1, 5, 3 wins.
//!
//! While reading and writing, a progress bar is drawn on stderr when stderr is a terminal
//! (nothing otherwise, so logs and pipes stay clean); it is cleared when the run ends. The
//! apply report ends with the transport figures: requests, retries, throttled answers,
//! re-logins and time waited.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use graph_client::{GraphClient, GraphConfig};
use ipo_client::{IpoClient, IpoConfig, TlsMode, WireFormat};
use ipo_model::{LicensingMode, ObjectId, Platform};
use serde::Deserialize;
use sync_engine::{
    FileStateStore, PersonStatus, Phase, Progress, RunOptions, Style, SyncConfig, SyncEngine,
    render_plan, render_report,
};

const SECRET_ENV: &str = "IPO_TEAMS_CLIENT_SECRET";
const PASSWORD_ENV: &str = "IPO_TEAMS_IPO_PASSWORD";
const EXIT_HELD: u8 = 3;
/// Done, but IP Office said a node must be restarted.
const EXIT_RESTART: u8 = 5;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    state_file: PathBuf,
    graph: GraphSection,
    ipo: IpoSection,
    sync: toml::Table,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GraphSection {
    tenant: String,
    client_id: String,
    login_base: Option<String>,
    graph_base: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IpoSection {
    base_url: String,
    username: String,
    #[serde(default)]
    format: Option<String>,
    ca_pem: Option<PathBuf>,
    directory_csv: Option<PathBuf>,
    /// Turns certificate checks off. Named loudly on purpose; never the default.
    #[serde(default)]
    insecure_accept_any_certificate: bool,
    /// "plds" or "subscription": IP Office's answer does not say (no documented mapping).
    licensing_mode: Option<String>,
    /// "ip500v2", "server_edition" or "select": the Management API does not say.
    platform: Option<String>,
    /// Seconds to open a connection (default 5).
    connect_timeout_seconds: Option<u64>,
    /// Seconds to wait for an answer (default 30).
    request_timeout_seconds: Option<u64>,
}

struct Args {
    config: PathBuf,
    command: String,
    person: Option<String>,
    json: bool,
    allow_deletes: bool,
    incremental: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let mut config = None;
    let mut command = None;
    let mut person = None;
    let (mut json, mut allow_deletes, mut incremental) = (false, false, false);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--config" => config = it.next().map(PathBuf::from),
            "--json" => json = true,
            "--allow-deletes" => allow_deletes = true,
            "--incremental" => incremental = true,
            "plan" | "apply" | "classify" | "explain" if command.is_none() => {
                command = Some(a.clone());
                if a == "explain" {
                    person = it.next();
                }
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Args {
        config: config.ok_or("--config <file> is required")?,
        command: command.unwrap_or_else(|| "plan".into()),
        person,
        json,
        allow_deletes,
        incremental,
    })
}

/// A one-line progress bar on stderr, redrawn in place with `\r`.
#[derive(Default)]
struct Bar(Mutex<BarState>);

#[derive(Default)]
struct BarState {
    label: &'static str,
    total: Option<usize>,
    done: usize,
    /// Width of the last line drawn (0: nothing on screen).
    drawn: usize,
}

impl BarState {
    fn draw(&mut self) {
        const WIDTH: usize = 30;
        let line = match self.total {
            Some(total) if total > 0 => {
                let done = self.done.min(total);
                let filled = done * WIDTH / total;
                format!(
                    "{:<22} [{}{}] {done}/{total}",
                    self.label,
                    "#".repeat(filled),
                    "-".repeat(WIDTH - filled)
                )
            }
            _ if self.done > 0 => format!("{:<22} ... {}", self.label, self.done),
            _ => format!("{:<22} ...", self.label),
        };
        let width = line.chars().count();
        let pad = self.drawn.saturating_sub(width);
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{line}{}", " ".repeat(pad));
        let _ = err.flush();
        self.drawn = width;
    }
}

impl Progress for Bar {
    fn phase(&self, phase: Phase, total: Option<usize>) {
        if let Ok(mut st) = self.0.lock() {
            st.label = phase.label();
            st.total = total;
            st.done = 0;
            st.draw();
        }
    }

    fn advance(&self, n: usize) {
        if let Ok(mut st) = self.0.lock() {
            st.done += n;
            st.draw();
        }
    }

    fn finish(&self) {
        if let Ok(mut st) = self.0.lock()
            && st.drawn > 0
        {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r{}\r", " ".repeat(st.drawn));
            let _ = err.flush();
            st.drawn = 0;
        }
    }
}

fn env_secret(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name} in the environment"))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    match run().await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let args = parse_args()?;
    let text = std::fs::read_to_string(&args.config)
        .map_err(|e| format!("{}: {e}", args.config.display()))?;
    let file: FileConfig = toml::from_str(&text)?;
    let config = SyncConfig::from_toml(&toml::to_string(&file.sync)?)?;

    let mut gcfg = GraphConfig::new(
        file.graph.tenant.clone(),
        file.graph.client_id.clone(),
        graph_client::Secret::new(env_secret(SECRET_ENV)?),
    );
    if let (Some(l), Some(g)) = (&file.graph.login_base, &file.graph.graph_base) {
        gcfg = gcfg.with_bases(l.parse()?, g.parse()?);
    }
    let graph = Arc::new(GraphClient::new(gcfg)?);
    let mut icfg = IpoConfig::new(
        file.ipo.base_url.clone(),
        file.ipo.username.clone(),
        ipo_client::Secret::new(env_secret(PASSWORD_ENV)?),
    );
    icfg.format = match file.ipo.format.as_deref() {
        Some("json") => WireFormat::Json,
        None | Some("xml") => WireFormat::Xml,
        Some(other) => return Err(format!("ipo.format {other:?}: use xml or json").into()),
    };
    icfg.tls = match (&file.ipo.ca_pem, file.ipo.insecure_accept_any_certificate) {
        (_, true) => TlsMode::InsecureAcceptAnyCertificate,
        (Some(p), false) => TlsMode::TrustCa(std::fs::read_to_string(p)?),
        (None, false) => TlsMode::PublicRoots,
    };
    icfg.directory_csv = file.ipo.directory_csv.clone();
    icfg.licensing_mode = match file.ipo.licensing_mode.as_deref() {
        None => None,
        Some("plds") => Some(LicensingMode::Plds),
        Some("subscription") => Some(LicensingMode::Subscription),
        Some(other) => {
            return Err(format!("ipo.licensing_mode {other:?}: use plds or subscription").into());
        }
    };
    icfg.platform = match file.ipo.platform.as_deref() {
        None => None,
        Some("ip500v2") => Some(Platform::Ip500V2),
        Some("server_edition") => Some(Platform::ServerEdition),
        Some("select") => Some(Platform::Select),
        Some(other) => {
            return Err(
                format!("ipo.platform {other:?}: use ip500v2, server_edition or select").into(),
            );
        }
    };
    if let Some(s) = file.ipo.connect_timeout_seconds {
        icfg.retry.connect_timeout = std::time::Duration::from_secs(s);
    }
    if let Some(s) = file.ipo.request_timeout_seconds {
        icfg.retry.request_timeout = std::time::Duration::from_secs(s);
    }
    let ipo = Arc::new(IpoClient::new(icfg)?);
    let mut engine = SyncEngine::new(
        config.clone(),
        graph,
        ipo.clone(),
        Arc::new(FileStateStore::new(file.state_file.clone())),
    );
    // Drawn only for a person watching: never into a pipe or a log file.
    if std::io::stderr().is_terminal() {
        engine = engine.with_progress(Arc::new(Bar::default()));
    }
    let style = Style {
        color: std::io::stdout().is_terminal(),
    };

    let mut options = match args.command.as_str() {
        "apply" => RunOptions::apply(),
        _ => RunOptions::dry_run(),
    };
    if args.allow_deletes {
        options = options.allow_removals();
    }
    if args.incremental {
        options = options.incremental();
    }
    if args.command == "explain" {
        let id: ObjectId = args
            .person
            .as_deref()
            .ok_or("explain needs an Azure AD object id")?
            .parse()?;
        options = options.explain(id);
    }
    let result = engine.run(&options).await;
    ipo.close().await;
    let run = result?;

    if args.command == "classify" {
        // The classification the plan acts on: same rules, licence policy, sources, links.
        let c = &run.classification;
        if args.json {
            println!("{}", serde_json::to_string_pretty(&c)?);
        } else {
            for v in &c.verdicts {
                let t = v
                    .user_type
                    .map(|t| t.to_string())
                    .unwrap_or_else(|| "-".into());
                println!("{:<40} {t}", v.person.label);
                for p in &v.problems {
                    println!("    {p}");
                }
            }
        }
        return Ok(ExitCode::SUCCESS);
    }

    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "plan": run.plan,
                "report": run.report,
                "incremental": run.incremental,
                "full_resync_reason": run.full_resync_reason,
                "transport": run.transport,
                "skipped": run.skipped,
            }))?
        );
    } else {
        if let Some(id) = &options.explain
            && let Some(p) = run.plan.person(id)
        {
            for step in &p.trace {
                println!("{step}");
            }
        }
        print!("{}", render_plan(&run.plan, style));
        if let Some(r) = &run.report {
            print!("{}", render_report(r, style));
        }
    }
    let failed = run.report.as_ref().is_some_and(|r| r.summary.failed > 0);
    let restarts = run
        .report
        .as_ref()
        .map(|r| r.restarts.clone())
        .unwrap_or_default();
    for s in &run.skipped {
        eprintln!("warning: {s}");
    }
    for r in &restarts {
        eprintln!("note: {r}: the applied changes take effect after that restart");
    }
    let held = run.plan.held_removals.is_some()
        || run.plan.people.iter().any(|p| {
            p.status == PersonStatus::Skipped && p.reasons.iter().any(|r| !r.is_warning())
        });
    Ok(if failed {
        ExitCode::FAILURE
    } else if !restarts.is_empty() {
        ExitCode::from(EXIT_RESTART)
    } else if held {
        ExitCode::from(EXIT_HELD)
    } else {
        ExitCode::SUCCESS
    })
}
