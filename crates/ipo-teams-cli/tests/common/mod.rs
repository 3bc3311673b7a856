//! Running the real `ipo-teams` binary against the emulators of `tests/support` (the
//! workspace's shared lab): its configuration file, its environment, its output.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::support::*;

/// The exit codes the program documents.
pub const EXIT_OK: i32 = 0;
pub const EXIT_FAILURE: i32 = 1;
pub const EXIT_USAGE: i32 = 2;
pub const EXIT_HELD: i32 = 3;
pub const EXIT_LOCKED: i32 = 4;
pub const EXIT_RESTART: i32 = 5;

/// No run of the program may take longer than this.
pub const CHILD_TIMEOUT: Duration = Duration::from_secs(60);

/// The binary cargo built for these tests.
pub fn program() -> &'static str {
    env!("CARGO_BIN_EXE_ipo-teams")
}

/// What one run of the program produced.
#[derive(Debug)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub took: Duration,
}

impl Outcome {
    /// Stdout parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// A command for the program: `--config <config>` first, the secrets given (an empty one is
/// left out of the environment), `RUST_LOG` cleared, run in `cwd`.
pub fn command(cwd: &Path, config: &Path, args: &[&str], secret: &str, password: &str) -> Command {
    let mut cmd = Command::new(program());
    cmd.current_dir(cwd)
        .arg("--config")
        .arg(config)
        .args(args)
        .env_remove("IPO_TEAMS_CLIENT_SECRET")
        .env_remove("IPO_TEAMS_IPO_PASSWORD")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if !secret.is_empty() {
        cmd.env("IPO_TEAMS_CLIENT_SECRET", secret);
    }
    if !password.is_empty() {
        cmd.env("IPO_TEAMS_IPO_PASSWORD", password);
    }
    cmd
}

/// A started program, owned by the test that started it: when it is dropped (the test ends,
/// passing or panicking) the program is killed and reaped, so no test leaves a process
/// behind, listening on a port or holding a lock.
#[derive(Debug)]
pub struct Started(Child);

impl Started {
    /// Starts `cmd`.
    pub fn spawn(cmd: &mut Command) -> Started {
        Started(cmd.spawn().expect("the program starts"))
    }

    /// The process id.
    pub fn id(&self) -> u32 {
        self.0.id()
    }

    /// The child process, to wait for or signal.
    pub fn child(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        // Once reaped, kill() is a no-op (std remembers the status): never a stray signal.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Whether process `pid` exists, a zombie included (Linux's /proc): a reaped process does not.
pub fn process_exists(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// Waits for `child` (killing it after [`CHILD_TIMEOUT`]) and collects its output.
pub fn finish(mut child: Started, what: &str) -> Outcome {
    let start = Instant::now();
    let mut out = child.child().stdout.take().unwrap();
    let mut err = child.child().stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).map(|_| s)
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        err.read_to_string(&mut s).map(|_| s)
    });
    let status = loop {
        if let Some(status) = child.child().try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > CHILD_TIMEOUT {
            // Dropping `child` while unwinding kills and reaps it.
            panic!("`ipo-teams {what}` did not finish within {CHILD_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Outcome {
        code: status
            .code()
            .unwrap_or_else(|| panic!("`ipo-teams {what}` was killed by a signal")),
        stdout: out.join().unwrap().unwrap(),
        stderr: err.join().unwrap().unwrap(),
        took: start.elapsed(),
    }
}

/// Runs the program in `cwd` on a blocking thread, so the emulators (served by the test's
/// runtime) keep answering.
pub async fn run_in(
    cwd: &Path,
    config: &Path,
    args: &[&str],
    secret: &str,
    password: &str,
) -> Outcome {
    let cmd = command(cwd, config, args, secret, password);
    let what = args.join(" ");
    tokio::task::spawn_blocking(move || {
        let mut cmd = cmd;
        finish(Started::spawn(&mut cmd), &what)
    })
    .await
    .unwrap()
}

/// Runs the program in the configuration file's folder.
pub async fn run(config: &Path, args: &[&str], secret: &str, password: &str) -> Outcome {
    run_in(config.parent().unwrap(), config, args, secret, password).await
}

/// Runs the program with the right secrets.
pub async fn run_ok(config: &Path, args: &[&str]) -> Outcome {
    run(config, args, CLIENT_SECRET, IPO_PASSWORD).await
}

/// The configuration file as a TOML table: both emulators, the generated tenant's sync
/// configuration, a relative state file (`program-state.json`, beside the file) and the
/// directory CSV where `support::ipo_state` reads it.
pub fn config_table(lab: &Lab) -> toml::Table {
    let mut graph = toml::Table::new();
    graph.insert("tenant".into(), TENANT.into());
    graph.insert("client_id".into(), CLIENT_ID.into());
    graph.insert("login_base".into(), lab.graph.login_base().into());
    graph.insert("graph_base".into(), lab.graph.graph_base().into());
    let mut ipo = toml::Table::new();
    ipo.insert("base_url".into(), lab.ipo.base_url().into());
    ipo.insert("username".into(), IPO_USER.into());
    ipo.insert("licensing_mode".into(), "plds".into());
    ipo.insert(
        "directory_csv".into(),
        lab.workdir
            .path()
            .join("ipo-directory.csv")
            .display()
            .to_string()
            .into(),
    );
    let mut file = toml::Table::new();
    file.insert("state_file".into(), "program-state.json".into());
    file.insert("graph".into(), graph.into());
    file.insert("ipo".into(), ipo.into());
    file.insert("sync".into(), toml::Value::try_from(config()).unwrap());
    file
}

/// Writes `text` as `<dir>/sync.toml` (creating `dir`) and returns its path.
pub fn write_config_text(dir: &Path, text: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join("sync.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Writes the lab's configuration file into its workdir.
pub fn write_config(lab: &Lab) -> PathBuf {
    write_config_text(
        lab.workdir.path(),
        &toml::to_string(&config_table(lab)).unwrap(),
    )
}

/// The state file the lab's configuration names.
pub fn state_path(lab: &Lab) -> PathBuf {
    lab.workdir.path().join("program-state.json")
}

/// The users the sync made (named after the generated people).
pub fn synced(lab: &Lab) -> Vec<ipo_model::IpoUser> {
    lab.ipo
        .users()
        .into_iter()
        .filter(|u| u.name.as_str().starts_with("user"))
        .collect()
}

/// How many plan actions of `kind` (`"create_user"`...) a JSON plan has.
pub fn count(plan: &serde_json::Value, kind: &str) -> usize {
    plan["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == kind)
        .count()
}

/// Nothing in the output carries any of `secrets`. The message never quotes the output, so
/// a failure cannot print a secret either.
pub fn assert_no_secret(o: &Outcome, secrets: &[&str]) {
    for s in secrets {
        assert!(
            !o.stdout.contains(s) && !o.stderr.contains(s),
            "a secret ({} characters) appears in the program's output",
            s.len()
        );
    }
}

/// Requests both emulators have received so far.
pub fn requests(lab: &Lab) -> (u64, u64) {
    (lab.graph.stats().total(), lab.ipo.stats().total_requests())
}

/// A program started in the background whose stdout lines arrive on a channel; killed and
/// reaped when dropped (see [`Started`]).
pub struct Running {
    pub child: Started,
    pub lines: mpsc::Receiver<String>,
    stderr: std::thread::JoinHandle<String>,
}

impl Running {
    /// Starts `cmd`, reading its stdout line by line.
    pub fn start(mut cmd: Command) -> Running {
        let mut child = Started::spawn(&mut cmd);
        let out = child.child().stdout.take().unwrap();
        let mut err = child.child().stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = err.read_to_string(&mut s);
            s
        });
        Running {
            child,
            lines,
            stderr,
        }
    }

    /// The next stdout line, waiting at most `limit` (a blocking wait: call it from
    /// `spawn_blocking` or while the emulators run on other threads).
    pub fn next_line(&self, limit: Duration) -> String {
        self.lines
            .recv_timeout(limit)
            .unwrap_or_else(|e| panic!("no line from the program within {limit:?}: {e}"))
    }

    /// Sends SIGTERM with the system's `kill`.
    pub fn terminate(&self) {
        terminate(self.child.id());
    }

    /// Waits for the end (at most [`CHILD_TIMEOUT`]); returns the exit status and stderr.
    pub fn wait(mut self) -> (std::process::ExitStatus, String) {
        let start = Instant::now();
        let status = loop {
            if let Some(s) = self.child.child().try_wait().unwrap() {
                break s;
            }
            if start.elapsed() > CHILD_TIMEOUT {
                // Dropping `self` while unwinding kills and reaps the program.
                panic!("the program did not stop within {CHILD_TIMEOUT:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        (status, self.stderr.join().unwrap())
    }
}

/// Sends SIGTERM to `pid` with the system's `kill`.
pub fn terminate(pid: u32) {
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status()
        .expect("the `kill` command is needed to send SIGTERM");
    assert!(status.success(), "kill -TERM failed: {status}");
}

/// Starts `run --every <every> --first-run` in the lab's folder and waits (at most 30 s)
/// for its first sync's line.
pub async fn start_run_every(lab: &Lab, cfg: &Path, every: &str) -> (Running, String) {
    let run = Running::start(command(
        lab.workdir.path(),
        cfg,
        &["run", "--every", every, "--first-run"],
        CLIENT_SECRET,
        IPO_PASSWORD,
    ));
    tokio::task::spawn_blocking(move || {
        let first = run.next_line(Duration::from_secs(30));
        (run, first)
    })
    .await
    .unwrap()
}

/// Polls `cond` every 20 ms for at most `limit`.
pub async fn wait_for(limit: Duration, what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < limit, "waited {limit:?} for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

// The directory service: `[directory_service]` in the lab's configuration.

/// The directory service's base DN in these tests.
pub const BASE: &str = "ou=teams,dc=example,dc=com";
/// The DN IP Office binds with in these tests.
pub const BIND_DN: &str = "cn=ipoffice,dc=example,dc=com";
/// The bind password (distinctive: a test greps output for it).
pub const LDAP_PW: &str = "Ld4p-bind-pw-Rv3Nc8";

/// A port nobody listens on right now (the kernel's choice, released at once).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The lab's configuration plus `[directory_service]` on `port`, the bind password in a
/// file beside the configuration (when `password_file`).
pub fn write_service_config(lab: &Lab, port: u16, password_file: bool) -> std::path::PathBuf {
    let mut table = config_table(lab);
    let mut service = toml::Table::new();
    service.insert("listen".into(), format!("127.0.0.1:{port}").into());
    service.insert("base_dn".into(), BASE.into());
    service.insert("bind_user".into(), BIND_DN.into());
    if password_file {
        std::fs::write(
            lab.workdir.path().join("ldap-password"),
            format!("{LDAP_PW}\n"),
        )
        .unwrap();
        service.insert("password_file".into(), "ldap-password".into());
    }
    table.insert("directory_service".into(), service.into());
    write_config_text(lab.workdir.path(), &toml::to_string(&table).unwrap())
}

/// Waits until something listens on `port`.
pub async fn wait_listening(port: u16) {
    wait_for(
        Duration::from_secs(30),
        "the directory service to listen",
        || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok(),
    )
    .await;
}
