//! The system directory entries for Teams-only users, kept in a CSV file.
//!
//! **Gap**: the Management API has no directory resource (Avaya's reference documents
//! none), so the client cannot write IP Office's system directory. It keeps the entries in
//! a CSV file in the layout of IP Office's directory import, one `Name,Number` line per entry
//! with the number in IP Office directory notation (`441632768402-402`, `+402`); the
//! administrator imports it (Manager: File > Import/Export; or Web Manager's directory
//! import). The file is written atomically (temporary file + rename) and read back by
//! `snapshot()`. The Azure AD object id of an entry is not part of the layout, so entries
//! read back have no `source`.

use std::io::Write;
use std::path::Path;

use ipo_model::{DirectoryEntry, FullName, NumberFormat, TeamsNumber};

use crate::error::IpoError;

fn file_error(path: &Path, detail: impl std::fmt::Display) -> IpoError {
    IpoError::DirectoryFile {
        path: path.display().to_string(),
        detail: detail.to_string(),
    }
}

/// Splits one CSV line (double quotes, `""` inside quotes).
fn split_csv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn csv_field(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// Reads the entries; a missing file is an empty directory. Lines that are not valid
/// entries are skipped with a warning (a header line `Name,Number` is allowed).
pub fn read_directory(path: &Path) -> Result<Vec<DirectoryEntry>, IpoError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(file_error(path, e)),
    };
    let mut entries = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_start_matches('\u{feff}');
        if line.trim().is_empty() {
            continue;
        }
        let cols = split_csv(line);
        let (Some(name), Some(number)) = (cols.first(), cols.get(1)) else {
            tracing::warn!(
                line = n + 1,
                "directory file line without Name,Number; skipped"
            );
            continue;
        };
        if n == 0 && name.eq_ignore_ascii_case("name") {
            continue;
        }
        match (
            name.parse::<FullName>(),
            TeamsNumber::parse_as(number, NumberFormat::IpoDirectory),
        ) {
            (Ok(name), Ok(number)) => entries.push(DirectoryEntry::new(name, number, None)),
            _ => tracing::warn!(
                line = n + 1,
                "directory file line is not a valid entry; skipped"
            ),
        }
    }
    Ok(entries)
}

/// Writes the entries (temporary file in the same folder, then rename).
pub fn write_directory(path: &Path, entries: &[DirectoryEntry]) -> Result<(), IpoError> {
    let mut text = String::with_capacity(48 * entries.len());
    for e in entries {
        let number = e
            .number
            .format(NumberFormat::IpoDirectory)
            .map_err(|err| file_error(path, format!("directory entry {}: {err}", e.name)))?;
        csv_field(&mut text, e.name.as_str());
        text.push(',');
        csv_field(&mut text, &number);
        text.push_str("\r\n");
    }
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| file_error(path, "not a file path"))?;
    let tmp = path.with_file_name(format!(".{file_name}.{}.tmp", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        file_error(path, e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_splitting() {
        assert_eq!(split_csv("a,b"), ["a", "b"]);
        assert_eq!(split_csv("\"a,\"\"x\"\"\",b"), ["a,\"x\"", "b"]);
    }
}
