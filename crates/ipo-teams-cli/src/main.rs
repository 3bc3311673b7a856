//! `ipo-teams`: the administrator's program. Everything lives in the library
//! ([`ipo_teams_cli`]) so that tests can use the same command-line definition.

fn main() -> std::process::ExitCode {
    ipo_teams_cli::main()
}
