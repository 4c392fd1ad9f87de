//! Verifies an election record: `cargo run --release --example verify -- RECORD
//! [--previous OLD]`.
//!
//! RECORD is a JSON record (as written by the council example), a binary one, or a SQLite
//! board file (`council --board FILE`), read directly. The record is the board: every entry is
//! replayed with the numbered checks, and each check is printed as it passes. With
//! `--previous OLD` it also checks that RECORD extends OLD (nothing removed, reordered or
//! rewritten). When every check passes it lists the numbered checks the board gave nothing to
//! check (a board without challenged ballots, for instance, has nothing for check 9). Exit status: 0 when every check passes, 1 when a check fails (it is named, with
//! the board entry, the round and the culprit), 2 when a file cannot be read or decoded.

use std::process::ExitCode;

use tabella::election::Manifest;
use tabella::record::BoardRecord;
use tabella::verify::{Check, verify_extends, verify_record};
use tabella_board_sqlite::SqliteStore;

enum Problem {
    /// The file is unreadable or not a valid record: exit 2.
    Malformed(String),
    /// A check failed: exit 1.
    Failed(String),
}

/// The first bytes of every SQLite file.
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

fn load(path: &str) -> Result<BoardRecord, Problem> {
    let bytes = std::fs::read(path).map_err(|e| Problem::Malformed(format!("{path}: {e}")))?;
    if bytes.starts_with(SQLITE_MAGIC) {
        let store = SqliteStore::open(path)
            .map_err(|e| Problem::Malformed(format!("{path}: not a readable board: {e}")))?;
        // A board whose stored chain is broken fails check 1, naming the entry.
        BoardRecord::from_store(&store)
            .map_err(|e| Problem::Failed(format!("FAILED check 1 (entries and their chain): {e}")))
    } else if bytes.starts_with(&tabella::encoding::header::MAGIC) {
        BoardRecord::from_bytes(&bytes)
            .map_err(|e| Problem::Malformed(format!("{path}: not a valid binary record: {e}")))
    } else {
        serde_json::from_slice(&bytes)
            .map_err(|e| Problem::Malformed(format!("{path}: not a valid JSON record: {e}")))
    }
}

fn run() -> Result<(), Problem> {
    let mut args = std::env::args().skip(1);
    let mut record_path = None;
    let mut previous = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--previous" => {
                previous = Some(
                    args.next()
                        .ok_or_else(|| Problem::Malformed("--previous needs a file".to_string()))?,
                )
            }
            _ if record_path.is_none() && !arg.starts_with("--") => record_path = Some(arg),
            other => return Err(Problem::Malformed(format!("unknown argument {other:?}"))),
        }
    }
    let path = record_path
        .ok_or_else(|| Problem::Malformed("usage: verify RECORD [--previous OLD]".to_string()))?;
    let record = load(&path)?;
    let title = record
        .entries()
        .first()
        .and_then(|e| Manifest::from_bytes(e.body()).ok())
        .map_or_else(|| "(no manifest)".to_string(), |m| m.title().to_string());
    println!(
        "verifying {path}: {title} ({} board entries)",
        record.entries().len()
    );
    let report = verify_record(&record);
    for passed in &report.passed {
        let round = passed
            .round
            .map_or_else(String::new, |r| format!(" [round {r}]"));
        println!(
            "  ok  {:>2} {}{round}: {}",
            passed.check.number(),
            passed.check.description(),
            passed.detail
        );
    }
    if let Some(failure) = &report.failure {
        let culprits = failure.culprits();
        let blame = if culprits.is_empty() {
            String::new()
        } else {
            format!("; culprits: {culprits:?}")
        };
        let what = failure
            .entry
            .and_then(|k| record.entries().get(usize::try_from(k).ok()?))
            .map_or_else(String::new, |e| {
                format!(" [entry: {} by {:?}]", e.kind().name(), e.author())
            });
        return Err(Problem::Failed(format!("FAILED {failure}{what}{blame}")));
    }
    for check in Check::ALL {
        if !report.passed.iter().any(|p| p.check == *check) {
            println!(
                "  --  {:>2} {}: nothing on this board to check",
                check.number(),
                check.description()
            );
        }
    }
    if let Some(old_path) = previous {
        let old = load(&old_path)?;
        verify_extends(&old, &record).map_err(|e| {
            Problem::Failed(format!("FAILED append-only check against {old_path}: {e}"))
        })?;
        println!("  ok     append-only: {path} extends {old_path}");
    }
    println!(
        "all checks passed: {} of the {} numbered checks had something to check",
        report.checks_passed(),
        Check::ALL.len()
    );
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(Problem::Failed(message)) => {
            println!("{message}");
            ExitCode::from(1)
        }
        Err(Problem::Malformed(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
