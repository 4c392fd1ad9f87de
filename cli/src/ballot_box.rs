//! `tabella box`: the ballot box. It casts ballots into the open round (verified in batches,
//! then appended in one step of the board: group commit) and records challenged ballots; each
//! admitted entry gets its confirmation code, each refused ballot the check it fails. A
//! ballot or challenged ballot already on the board byte for byte (the same file cast again)
//! gets its code again and is not appended twice.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use tabella::ballot::{ChallengedBallot, EncryptedBallot};
use tabella::board::{BoxEntryKind, ConfirmationCode};
use tabella::domain::ObjectKind;
use tabella::encoding::header::peek;
use tabella::tally::stream::BallotStreamReader;
use tabella::verify::{Check, Failure};

use crate::common::{
    BoardArg, CliError, Context, Global, Result, emit, hex, open_board, progress, read_input,
    refusal,
};

/// Ballots verified per batch (the progress bar moves once per batch).
const CHUNK: usize = 128;

/// More ballots than this get a progress bar.
const HANDFUL: usize = 8;

/// The ballot box's commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Cast ballots into the open round: one line per ballot, its confirmation code or the
    /// check that refused it (exit 1 if any was refused; the others are cast). A ballot
    /// already cast in the round, byte for byte, gets its code again and is not appended.
    Cast {
        #[command(flatten)]
        board: BoardArg,
        /// Ballot files (`-`: a ballot stream, or one ballot, on standard input).
        files: Vec<PathBuf>,
        /// A ballot stream (docs/SPEC.md §7.1) of ballots to cast.
        #[arg(long, value_name = "FILE")]
        stream: Option<PathBuf>,
    },
    /// Record a challenged ballot (`tabella voter challenge` writes it); print its code.
    Challenge {
        #[command(flatten)]
        board: BoardArg,
        /// The challenged ballot.
        challenged: PathBuf,
    },
}

/// Runs a command of the ballot box.
pub fn run(global: &Global, command: Command) -> Result<()> {
    match command {
        Command::Cast {
            board,
            files,
            stream,
        } => cast(global, &board, &files, stream.as_deref()),
        Command::Challenge { board, challenged } => challenge(global, &board, &challenged),
    }
}

/// A ballot to cast and where it came from.
struct Input {
    source: String,
    ballot: EncryptedBallot,
}

fn not_a_ballot(source: &str, e: &tabella::Error) -> CliError {
    CliError::usage(format!("{source}: not a ballot: {e}"))
}

/// The ballots of a stream, in order; a challenged entry is bad input here.
fn stream_ballots(name: &str, bytes: &[u8], out: &mut Vec<Input>) -> Result<()> {
    let mut reader = BallotStreamReader::new(bytes)
        .map_err(|e| CliError::usage(format!("{name}: not a ballot stream: {e}")))?;
    loop {
        let at = reader.entries_read() + 1;
        let entry = reader
            .next_entry()
            .map_err(|e| CliError::usage(format!("{name}: entry {at}: {e}")))?;
        let Some(entry) = entry else {
            return Ok(());
        };
        let source = format!("{name} entry {at}");
        if entry.kind == BoxEntryKind::Challenged {
            return Err(CliError::usage(format!(
                "{source}: a challenged ballot (post it with `tabella box challenge`)"
            )));
        }
        let ballot =
            EncryptedBallot::from_bytes(&entry.bytes).map_err(|e| not_a_ballot(&source, &e))?;
        out.push(Input { source, ballot });
    }
}

/// The ballots of one file: a ballot, or a ballot stream.
fn file_ballots(path: &Path, out: &mut Vec<Input>) -> Result<()> {
    let bytes = read_input(path)?;
    let name = if path.as_os_str() == "-" {
        "standard input".to_string()
    } else {
        path.display().to_string()
    };
    match peek(&bytes).map(|(kind, _)| kind) {
        Some(ObjectKind::BallotStream) => stream_ballots(&name, &bytes, out),
        Some(ObjectKind::ChallengedBallot) => Err(CliError::usage(format!(
            "{name}: a challenged ballot (post it with `tabella box challenge`)"
        ))),
        _ => {
            let ballot =
                EncryptedBallot::from_bytes(&bytes).map_err(|e| not_a_ballot(&name, &e))?;
            out.push(Input {
                source: name,
                ballot,
            });
            Ok(())
        }
    }
}

/// A ballot's refusal, named by its check: the board's failure (the library names a ballot
/// that failed verification in the batch by its check too), or for any other error the
/// check the verifier would give it.
fn ballot_failure(e: tabella::Error, round: Option<u32>) -> Failure {
    match e {
        tabella::Error::EntryRefused(f) => *f,
        error => Failure {
            check: if error.is_eligibility() {
                Check::Eligibility
            } else {
                Check::BallotProofs
            },
            round,
            entry: None,
            error,
        },
    }
}

fn cast(global: &Global, board: &BoardArg, files: &[PathBuf], stream: Option<&Path>) -> Result<()> {
    let mut inputs = Vec::new();
    for path in files {
        file_ballots(path, &mut inputs)?;
    }
    if let Some(path) = stream {
        let bytes = read_input(path)?;
        stream_ballots(&path.display().to_string(), &bytes, &mut inputs)?;
    }
    if inputs.is_empty() {
        return Err(CliError::usage(
            "no ballots: give ballot files, `-` or --stream FILE",
        ));
    }
    let mut b = open_board(board)?;
    let before = b.len();
    let (sources, ballots): (Vec<String>, Vec<EncryptedBallot>) =
        inputs.into_iter().map(|i| (i.source, i.ballot)).unzip();
    let ids: Vec<String> = ballots.iter().map(|x| hex(&x.id().0)).collect();
    // Ballots already on the board before this command (a retry): acknowledged, not appended.
    let known: Vec<bool> = ballots
        .iter()
        .map(|x| b.already_cast(x).is_some())
        .collect();
    let round = b.round_context();
    let outcomes: Vec<tabella::Result<ConfirmationCode>> = match &round {
        // No round is open: the board refuses every ballot, naming the check.
        None => b.cast_batch(ballots),
        Some(ctx) => {
            let bar = if ballots.len() > HANDFUL {
                progress(global, ballots.len() as u64, "verifying ballots")
            } else {
                indicatif::ProgressBar::hidden()
            };
            let mut verdicts = Vec::with_capacity(ballots.len());
            let mut rest = ballots.into_iter().peekable();
            while rest.peek().is_some() {
                let chunk: Vec<EncryptedBallot> = rest.by_ref().take(CHUNK).collect();
                let n = chunk.len() as u64;
                verdicts.extend(EncryptedBallot::verify_batch_in_order(
                    chunk,
                    &ctx.ballot_context(),
                ));
                bar.inc(n);
            }
            bar.finish_and_clear();
            // One append for every admitted ballot.
            b.cast_verified(verdicts)
        }
    };
    let number = round
        .as_ref()
        .map(|c| c.ballot_context().round)
        .or_else(|| b.replay().closed_round().map(|(r, _, _)| r.number()));
    let mut lines = Vec::with_capacity(outcomes.len());
    let mut json = Vec::with_capacity(outcomes.len());
    let mut refused = 0usize;
    let mut already = 0usize;
    let mut acknowledged = HashSet::new();
    for (((source, id), known), outcome) in sources.iter().zip(&ids).zip(known).zip(outcomes) {
        match outcome {
            Ok(code) => {
                // On the board before, or given earlier in this command: one entry for both.
                let again = !acknowledged.insert(code) || known;
                if again {
                    already += 1;
                }
                let what = if again {
                    "already on the board"
                } else {
                    "cast"
                };
                lines.push(format!(
                    "{source}: {what}, confirmation code {}",
                    code.short()
                ));
                json.push(serde_json::json!({
                    "source": source, "ballot_id": id, "ok": true, "already": again,
                    "code": hex(&code.0), "short": code.short(),
                }));
            }
            // The store failed: nothing is on the board.
            Err(e @ (tabella::Error::Storage { .. } | tabella::Error::Io { .. })) => {
                return Err(CliError::usage(format!(
                    "the board did not take the ballots (none is cast): {e}"
                )));
            }
            Err(e) => {
                let f = ballot_failure(e, number);
                refused += 1;
                lines.push(format!("{source}: refused: {}", refusal(&f)));
                json.push(serde_json::json!({
                    "source": source, "ballot_id": id, "ok": false,
                    "check": f.check.number(), "name": f.check.description(),
                    "entry": f.entry, "error": f.error.to_string(),
                }));
            }
        }
    }
    let total = lines.len();
    let cast = total - refused - already;
    let summary = serde_json::json!({
        "ok": refused == 0, "round": number, "cast": cast, "already": already,
        "refused": refused, "entries": b.len(), "ballots": json,
    });
    let also = if already > 0 {
        format!(", {already} already on the board")
    } else {
        String::new()
    };
    if !global.json {
        for line in &lines {
            println!("{line}");
        }
    }
    if refused > 0 {
        return Err(CliError::refused(format!(
            "{refused} of {total} ballots refused, {cast} cast{also} ({} board entries added)",
            b.len() - before
        ))
        .with_json(summary));
    }
    emit(
        global,
        || {
            println!(
                "{cast} {} cast{also}",
                if cast == 1 { "ballot" } else { "ballots" }
            )
        },
        summary.clone(),
    );
    Ok(())
}

fn challenge(global: &Global, board: &BoardArg, path: &Path) -> Result<()> {
    let challenged = ChallengedBallot::from_bytes(&read_input(path)?).map_err(|e| {
        CliError::usage(format!("{}: not a challenged ballot: {e}", path.display()))
    })?;
    let mut b = open_board(board)?;
    // Recorded before, byte for byte (a retry): acknowledged with its code, not appended.
    let already = b.already_challenged(&challenged).is_some();
    let code = b
        .challenge(&challenged)
        .context(&format!("the challenged ballot {}", path.display()))?;
    emit(
        global,
        || {
            println!(
                "challenged ballot {}: confirmation code {}",
                if already {
                    "already on the board"
                } else {
                    "recorded"
                },
                code.short()
            );
            println!("ballot {}", hex(&challenged.id().0));
        },
        serde_json::json!({
            "ok": true, "ballot_id": hex(&challenged.id().0), "code": hex(&code.0),
            "short": code.short(), "already": already,
            "entry": if already { None } else { Some(b.len() - 1) },
        }),
    );
    Ok(())
}
