//! What the program prints for the administrator. A reader that went away (`| head`, a
//! closed pipe, a log collector that died) is not a failure of the sync: the run goes on
//! and exits with its own code.

use std::io::Write;

use crate::error::CliError;

/// Writes `text` to standard output. A closed pipe is ignored; another error is reported.
pub fn print(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::Output(e.to_string()))
        }
        _ => Ok(()),
    }
}

/// Writes `text` to standard error, whatever happens: there is nowhere else to say it.
pub fn print_error(text: &str) {
    let _ = std::io::stderr().write_all(text.as_bytes());
}
