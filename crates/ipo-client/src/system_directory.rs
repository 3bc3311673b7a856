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

use ipo_model::{FullName, NumberFormat, SystemDirectoryEntry, TeamsNumber};

use crate::error::IpoError;

fn file_error(path: &Path, detail: impl std::fmt::Display) -> IpoError {
    IpoError::DirectoryFile {
        path: path.display().to_string(),
        detail: detail.to_string(),
    }
}

/// Reads the entries (CSV by the `csv` crate: quoted commas, quotes and line breaks are
/// kept); a missing file is an empty directory. Rows that are not valid entries are skipped
/// with a warning naming their line (a header row `Name,Number` is allowed).
pub fn read_directory(path: &Path) -> Result<Vec<SystemDirectoryEntry>, IpoError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(file_error(path, e)),
    };
    let rows = read_rows(&bytes).map_err(|e| file_error(path, e))?;
    let mut entries = Vec::new();
    for (i, (line, cols)) in rows.into_iter().enumerate() {
        let (Some(name), Some(number)) = (cols.first(), cols.get(1)) else {
            tracing::warn!(line, "directory file line without Name,Number; skipped");
            continue;
        };
        if i == 0 && name.eq_ignore_ascii_case("name") {
            continue;
        }
        match (
            name.parse::<FullName>(),
            TeamsNumber::parse_as(number, NumberFormat::IpoDirectory),
        ) {
            (Ok(name), Ok(number)) => entries.push(SystemDirectoryEntry::new(name, number, None)),
            _ => tracing::warn!(line, "directory file line is not a valid entry; skipped"),
        }
    }
    Ok(entries)
}

/// Writes the entries (temporary file in the same folder, then rename).
pub fn write_directory(path: &Path, entries: &[SystemDirectoryEntry]) -> Result<(), IpoError> {
    let rows = entries
        .iter()
        .map(|e| {
            let number = e
                .number
                .format(NumberFormat::IpoDirectory)
                .map_err(|err| file_error(path, format!("directory entry {}: {err}", e.name)))?;
            Ok([e.name.as_str().to_owned(), number])
        })
        .collect::<Result<Vec<_>, IpoError>>()?;
    let text = write_rows(&rows).map_err(|e| file_error(path, e))?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| file_error(path, "not a file path"))?;
    let tmp = path.with_file_name(format!(".{file_name}.{}.tmp", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&text)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        file_error(path, e)
    })
}

/// Writes `Name,Number` rows as CSV (RFC 4180: CRLF line ends, fields quoted when they hold
/// a comma, a quote or a line break), by the `csv` crate.
fn write_rows(rows: &[[String; 2]]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::with_capacity(48 * rows.len()));
    for row in rows {
        w.write_record(row)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// Reads CSV rows (a leading byte order mark ignored, quoted line breaks kept), each with
/// the line it starts on; rows may have any number of fields.
fn read_rows(bytes: &[u8]) -> Result<Vec<(u64, Vec<String>)>, csv::Error> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rows = Vec::new();
    for record in r.records() {
        let record = record?;
        let line = record.position().map_or(0, csv::Position::line);
        rows.push((line, record.iter().map(str::to_owned).collect()));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn round_trip(rows: &[[String; 2]]) -> Vec<Vec<String>> {
        let bytes = write_rows(rows).unwrap();
        read_rows(&bytes)
            .unwrap()
            .into_iter()
            .map(|(_, r)| r)
            .collect()
    }

    #[test]
    fn hostile_values_round_trip() {
        let rows: Vec<[String; 2]> = [
            ["Ann\nLee", "+402"],
            ["Bob \"The Builder\", Jr", "x403"],
            ["=cmd|' /C calc'!A0", "+404"],
            ["Zoë 李 \r\n ,,\"", "441632768402-405"],
            ["", ","],
        ]
        .iter()
        .map(|[a, b]| [a.to_string(), b.to_string()])
        .collect();
        let back = round_trip(&rows);
        let want: Vec<Vec<String>> = rows.iter().map(|r| r.to_vec()).collect();
        assert_eq!(back, want);
    }

    #[test]
    fn hostile_entries_round_trip_through_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("directory.csv");
        let entries: Vec<SystemDirectoryEntry> = [
            ("Bob \"The Builder\" Jr", "x403"),
            ("=HYPERLINK(\"x\")", "+441632768404 x404"),
            ("Zoë 李 Ångström", "x405"),
        ]
        .iter()
        .map(|(n, num)| {
            SystemDirectoryEntry::new(
                n.parse().unwrap(),
                TeamsNumber::parse_any(num).unwrap(),
                None,
            )
        })
        .collect();
        write_directory(&path, &entries).unwrap();
        assert_eq!(read_directory(&path).unwrap(), entries);
        // A spreadsheet's quoted line break makes one (invalid, skipped) row, not two.
        std::fs::write(&path, "Name,Number\r\n\"Ann\nLee\",+402\r\nBob,+403\r\n").unwrap();
        let read = read_directory(&path).unwrap();
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].name.as_str(), "Bob");
    }

    proptest! {
        #[test]
        fn any_rows_round_trip(rows in prop::collection::vec(
            prop::array::uniform2("(?s).{0,12}"), 0..8)
        ) {
            // A row that is wholly empty is a blank line, which readers skip by design; a
            // byte order mark at the very start is the file's encoding mark, not data (no
            // full name may hold one).
            let mut rows: Vec<[String; 2]> = rows
                .into_iter()
                .filter(|[a, b]| !(a.is_empty() && b.is_empty()))
                .collect();
            if let Some(first) = rows.first_mut() {
                first[0] = first[0].trim_start_matches('\u{feff}').to_owned();
                if first.iter().all(String::is_empty) {
                    rows.remove(0);
                }
            }
            let want: Vec<Vec<String>> = rows.iter().map(|r| r.to_vec()).collect();
            prop_assert_eq!(round_trip(&rows), want);
        }
    }
}
