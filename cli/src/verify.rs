//! `tabella verify` and `tabella status`: anyone's commands. A record (JSON or binary) or a
//! board file is replayed with the numbered checks (docs/SPEC.md §13); each check is printed
//! as it passes, and a failure names the check, the entry, the round and the culprit.

use std::path::{Path, PathBuf};

use tabella::election::{BoardElection, Manifest, RoundEnd};
use tabella::record::BoardRecord;
use tabella::verify::{Check, verify_entries, verify_extends};
use tabella_board_sqlite::SqliteStore;

use crate::common::{BoardArg, CliError, Global, Result, emit, open_board, progress, refusal};

/// The first bytes of every SQLite file.
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

/// `tabella verify`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The record (JSON or binary, as `tabella admin export` writes it) or the board file.
    record: PathBuf,
    /// An older record or board that this one must extend (nothing removed or rewritten).
    #[arg(long, value_name = "OLD")]
    previous: Option<PathBuf>,
}

/// `tabella status`.
#[derive(clap::Args, Debug)]
pub struct StatusArgs {
    #[command(flatten)]
    board: BoardArg,
}

/// Reads a record: a SQLite board, a binary record, or a JSON one.
pub fn load(path: &Path) -> Result<BoardRecord> {
    let bytes = crate::common::read_input(path)?;
    let name = path.display();
    if bytes.starts_with(SQLITE_MAGIC) {
        let store = SqliteStore::open(path)
            .map_err(|e| CliError::usage(format!("{name}: not a readable board: {e}")))?;
        BoardRecord::from_store(&store).map_err(|e| {
            CliError::refused(format!("{name}: check 1 (entries and their chain): {e}"))
        })
    } else if bytes.starts_with(&tabella::encoding::header::MAGIC) {
        BoardRecord::from_bytes(&bytes)
            .map_err(|e| CliError::usage(format!("{name}: not a valid binary record: {e}")))
    } else {
        serde_json::from_slice(&bytes)
            .map_err(|e| CliError::usage(format!("{name}: not a valid JSON record: {e}")))
    }
}

/// Verifies a record.
pub fn run(global: &Global, args: Args) -> Result<()> {
    let record = load(&args.record)?;
    let entries = record.entries();
    let title = entries
        .first()
        .and_then(|e| Manifest::from_bytes(e.body()).ok())
        .map_or_else(|| "(no manifest)".to_string(), |m| m.title().to_string());
    if !global.json {
        println!(
            "verifying {}: {title} ({} board entries)",
            args.record.display(),
            entries.len()
        );
    }
    let bar = progress(global, entries.len() as u64, "verifying");
    let report = verify_entries(entries, |k| bar.set_position(k));
    bar.finish_and_clear();
    let passed: Vec<serde_json::Value> = report
        .passed
        .iter()
        .map(|p| {
            serde_json::json!({
                "check": p.check.number(), "name": p.check.description(),
                "round": p.round, "detail": p.detail,
            })
        })
        .collect();
    if !global.json {
        for p in &report.passed {
            let round = p
                .round
                .map_or_else(String::new, |r| format!(" [round {r}]"));
            println!(
                "  ok  {:>2} {}{round}: {}",
                p.check.number(),
                p.check.description(),
                p.detail
            );
        }
    }
    if let Some(failure) = &report.failure {
        let entry = failure
            .entry
            .and_then(|k| entries.get(usize::try_from(k).ok()?))
            .map(|e| format!(" [entry: {} by {:?}]", e.kind().name(), e.author()))
            .unwrap_or_default();
        let detail = serde_json::json!({
            "ok": false, "passed": passed,
            "failed": {
                "check": failure.check.number(), "name": failure.check.description(),
                "entry": failure.entry, "round": failure.round,
                "error": failure.error.to_string(),
                "culprits": format!("{:?}", failure.culprits()),
            }
        });
        return Err(
            CliError::refused(format!("FAILED {}{entry}", refusal(failure))).with_json(detail),
        );
    }
    let silent: Vec<&Check> = Check::ALL
        .iter()
        .filter(|c| !report.passed.iter().any(|p| p.check == **c))
        .collect();
    if let Some(old_path) = &args.previous {
        let old = load(old_path)?;
        verify_extends(&old, &record).map_err(|e| {
            CliError::refused(format!(
                "FAILED append-only check against {}: {e}",
                old_path.display()
            ))
        })?;
    }
    emit(
        global,
        || {
            for c in &silent {
                println!(
                    "  --  {:>2} {}: nothing on this board to check",
                    c.number(),
                    c.description()
                );
            }
            if let Some(old) = &args.previous {
                println!("  ok     append-only: extends {}", old.display());
            }
            println!(
                "all checks passed: {} of the {} numbered checks had something to check",
                report.checks_passed(),
                Check::ALL.len()
            );
        },
        serde_json::json!({
            "ok": true, "entries": entries.len(), "passed": passed,
            "extends_previous": args.previous.is_some(),
        }),
    );
    Ok(())
}

/// Where the election on a board stands: its title, the ceremony, the roll, each round.
pub fn status(global: &Global, args: StatusArgs) -> Result<()> {
    let board: BoardElection<SqliteStore> = open_board(&args.board)?;
    let replay = board.replay();
    let manifest = replay
        .manifest()
        .ok_or_else(|| CliError::usage("the board has no manifest"))?;
    let name = |c: usize| manifest.candidates().get(c).cloned().unwrap_or_default();
    let keys = replay.election().is_some();
    let roll = replay.roll().map(|r| r.len());
    let mut rounds = Vec::new();
    for h in replay.history() {
        let (kind, detail) = match &h.end {
            RoundEnd::Decided(d) => (
                "ballot",
                serde_json::json!({
                    "totals": d.outcome.totals.slots(),
                    "counted": d.close.counted(),
                }),
            ),
            RoundEnd::Acclaimed { candidate } => (
                "acclamation",
                serde_json::json!({ "elected": name(*candidate) }),
            ),
        };
        rounds.push(serde_json::json!({ "round": h.number, "kind": kind, "detail": detail }));
    }
    let open = replay
        .open_round()
        .map(|o| (o.number(), o.ballot_box().len()));
    let closed = replay
        .closed_round()
        .map(|(r, c, p)| (r.number(), c.counted(), p.len()));
    let elected = replay
        .election()
        .and_then(|e| e.standing().elected())
        .map(name);
    emit(
        global,
        || {
            println!("{} ({} entries)", manifest.title(), board.len());
            println!(
                "trustees: any {} of {}; key ceremony {}",
                manifest.threshold(),
                manifest.trustees(),
                if keys { "done" } else { "not finished" }
            );
            match (manifest.roll(), roll) {
                (Some(rule), Some(n)) => {
                    println!("roll: {n} credentials; a second ballot {}", rule.name())
                }
                (Some(_), None) => println!("roll: not posted yet"),
                (None, _) => println!("no roll (eligibility is the embedder's)"),
            }
            for r in &rounds {
                println!("round {}: {} {}", r["round"], r["kind"], r["detail"]);
            }
            if let Some((n, cast)) = open {
                println!("round {n} is open: {cast} ballots cast");
            }
            if let Some((n, counted, partials)) = closed {
                println!("round {n} is closed: {counted} counted, {partials} partial decryptions");
            }
            match &elected {
                Some(c) => println!("elected: {c}"),
                None => println!("nobody elected yet"),
            }
        },
        serde_json::json!({
            "title": manifest.title(), "entries": board.len(), "keys": keys,
            "roll": roll, "rounds": rounds,
            "open": open.map(|(n, cast)| serde_json::json!({ "round": n, "cast": cast })),
            "closed": closed.map(|(n, c, p)| serde_json::json!({ "round": n, "counted": c, "partials": p })),
            "elected": elected,
        }),
    );
    Ok(())
}
