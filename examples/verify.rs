//! Verifies an election record: `cargo run --release --example verify -- RECORD [--previous OLD]`.
//!
//! RECORD is a JSON record (as written by the council example) or a binary one. Each numbered
//! check is printed as it passes. Exit status: 0 when every check passes, 1 when a check fails
//! (it is named, with the round and the culprit), 2 when a file cannot be read or decoded.

use std::process::ExitCode;

use tabella::record::ElectionRecord;
use tabella::verify::{verify_extends, verify_record};

enum Problem {
    /// The file is unreadable or not a valid record: exit 2.
    Malformed(String),
    /// A check failed: exit 1.
    Failed(String),
}

fn load(path: &str) -> Result<ElectionRecord, Problem> {
    let bytes = std::fs::read(path).map_err(|e| Problem::Malformed(format!("{path}: {e}")))?;
    if bytes.starts_with(&tabella::encoding::header::MAGIC) {
        ElectionRecord::from_bytes(&bytes)
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
    println!("verifying {path}: {}", record.manifest.title());
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
        return Err(Problem::Failed(format!("FAILED {failure}{blame}")));
    }
    if let Some(old_path) = previous {
        let old = load(&old_path)?;
        verify_extends(&old, &record).map_err(|e| {
            Problem::Failed(format!("FAILED append-only check against {old_path}: {e}"))
        })?;
        println!("  ok     append-only: {path} extends {old_path}");
    }
    println!("all checks passed");
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
