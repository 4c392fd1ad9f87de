//! `tabella admin`: the administrator's commands. Each makes one signed entry from the board as
//! it stands, and the board refuses it (exit 1, naming the check) where it does not belong.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use tabella::election::{Administrator, BoardElection, Manifest, RoundEnd, RoundKind};
use tabella::rules::TieBreak;
use tabella_board_sqlite::SqliteStore;

use crate::common::{
    BoardArg, CliError, Context, Global, KeyRole, Result, create_board, emit, open_board, open_key,
    post, read_input, write_output,
};

/// The administrator's signing key.
#[derive(clap::Args, Debug, Clone)]
pub struct KeyArg {
    /// The administrator's sealed key (`tabella keygen --role administrator`).
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
}

/// The administrator's commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create the board of a new election from a manifest (JSON, docs/SPEC.md §10.2).
    Create {
        #[command(flatten)]
        board: BoardArg,
        #[command(flatten)]
        key: KeyArg,
        /// The manifest, in its JSON form (or `-` for standard input).
        #[arg(long, value_name = "FILE")]
        manifest: PathBuf,
    },
    /// Start a run of the trustees' key ceremony.
    Ceremony {
        #[command(flatten)]
        board: BoardArg,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Announce the ceremony's outcome (the keys), once every trustee's round-3 message is in.
    Keys {
        #[command(flatten)]
        board: BoardArg,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Open the next round: a choice among the remaining candidates, or yes/no on one.
    Open {
        #[command(flatten)]
        board: BoardArg,
        #[command(flatten)]
        key: KeyArg,
        /// A yes/no ballot on this candidate (name or 0-based index) instead.
        #[arg(long, value_name = "CANDIDATE")]
        yes_no: Option<String>,
    },
    /// Close the open round's box.
    Close {
        #[command(flatten)]
        board: BoardArg,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Publish the closed round's result, once t trustees' partial decryptions are in.
    Result {
        #[command(flatten)]
        board: BoardArg,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Record a candidate's withdrawal before the next round.
    Withdraw {
        #[command(flatten)]
        board: BoardArg,
        #[command(flatten)]
        key: KeyArg,
        /// The candidate (name or 0-based index).
        candidate: String,
    },
    /// Record how a tie for lowest left to the body was resolved.
    ResolveTie {
        #[command(flatten)]
        board: BoardArg,
        #[command(flatten)]
        key: KeyArg,
        /// The tied candidate eliminated (name or 0-based index).
        #[arg(long)]
        eliminate: String,
        /// How it was chosen.
        #[arg(long, value_enum)]
        how: How,
    },
    /// Elect the sole remaining candidate without a ballot.
    Acclaim {
        #[command(flatten)]
        board: BoardArg,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Export the record (the board) as JSON, or binary with --binary.
    Export {
        #[command(flatten)]
        board: BoardArg,
        /// Where to write it (`-` for standard output).
        #[arg(long, value_name = "FILE", default_value = "-")]
        out: PathBuf,
        /// The canonical binary form instead of JSON.
        #[arg(long)]
        binary: bool,
    },
}

/// How a tie was resolved.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum How {
    /// Lots were drawn.
    Lot,
    /// A run-off ballot outside this election.
    RunOff,
}

struct Session {
    board: BoardElection<SqliteStore>,
    admin: Administrator,
}

fn session(global: &Global, board: &BoardArg, key: &KeyArg) -> Result<Session> {
    let board = open_board(board)?;
    let admin = Administrator::new(open_key(global, KeyRole::Administrator, &key.key)?);
    Ok(Session { board, admin })
}

/// A candidate by its name or its 0-based index.
fn candidate(manifest: &Manifest, text: &str) -> Result<usize> {
    if let Some(i) = manifest.candidates().iter().position(|c| c == text) {
        return Ok(i);
    }
    match text.parse::<usize>() {
        Ok(i) if i < manifest.candidates().len() => Ok(i),
        _ => Err(CliError::usage(format!(
            "no candidate {text:?}; the candidates are {:?}",
            manifest.candidates()
        ))),
    }
}

fn manifest_of(board: &BoardElection<SqliteStore>) -> Result<Manifest> {
    board
        .replay()
        .manifest()
        .cloned()
        .ok_or_else(|| CliError::usage("the board has no manifest"))
}

/// Runs an administrator's command.
pub fn run(global: &Global, command: Command) -> Result<()> {
    let rng = &mut rand_core::OsRng;
    match command {
        Command::Create {
            board,
            key,
            manifest,
        } => {
            let text = read_input(&manifest)?;
            let m: Manifest = serde_json::from_slice(&text).map_err(|e| {
                CliError::usage(format!("{}: not a valid manifest: {e}", manifest.display()))
            })?;
            let admin = Administrator::new(open_key(global, KeyRole::Administrator, &key.key)?);
            let mine = m
                .authorities()
                .is_some_and(|a| a.administrator() == &admin.public_key());
            if !mine {
                return Err(CliError::usage(
                    "the manifest's authorities do not name this administrator's key",
                ));
            }
            let entry = admin.manifest(&m, rng).context("the manifest")?;
            let mut b = create_board(&board)?;
            post(&mut b, entry, "the manifest")?;
            let id = b
                .replay()
                .board_id()
                .map(|c| crate::common::hex(c.fingerprint()));
            emit(
                global,
                || {
                    println!("created {}: {}", board.board.display(), m.title());
                    println!("board id {}", id.clone().unwrap_or_default());
                },
                serde_json::json!({ "ok": true, "board": board.board, "title": m.title(), "board_id": id }),
            );
        }
        Command::Ceremony { board, key } => {
            let mut s = session(global, &board, &key)?;
            let entry = s
                .admin
                .ceremony_run(s.board.replay(), s.board.head(), rng)
                .context("the ceremony run")?;
            post(&mut s.board, entry, "the ceremony run")?;
            done(global, "a run of the key ceremony started", &s.board);
        }
        Command::Keys { board, key } => {
            let mut s = session(global, &board, &key)?;
            let entry = s
                .admin
                .keys(s.board.replay(), s.board.head(), rng)
                .context("the keys")?;
            post(&mut s.board, entry, "the keys")?;
            let fingerprint = s
                .board
                .replay()
                .election()
                .map(|e| crate::common::hex(e.context().fingerprint()));
            emit(
                global,
                || {
                    println!(
                        "keys announced; election fingerprint {}",
                        fingerprint.clone().unwrap_or_default()
                    )
                },
                serde_json::json!({ "ok": true, "fingerprint": fingerprint, "entries": s.board.len() }),
            );
        }
        Command::Open { board, key, yes_no } => {
            let mut s = session(global, &board, &key)?;
            let m = manifest_of(&s.board)?;
            let kind = match yes_no {
                None => RoundKind::ChooseOne,
                Some(c) => RoundKind::YesNo {
                    candidate: candidate(&m, &c)?,
                },
            };
            let entry = s
                .admin
                .open_round(s.board.replay(), s.board.head(), kind, rng)
                .context("opening the round")?;
            post(&mut s.board, entry, "the round's opening")?;
            let open = s
                .board
                .replay()
                .open_round()
                .map(|o| (o.number(), o.candidates().to_vec()));
            let (number, on_ballot) = open.unwrap_or_default();
            let names: Vec<String> = on_ballot
                .iter()
                .filter_map(|c| m.candidates().get(*c).cloned())
                .collect();
            emit(
                global,
                || println!("round {number} is open: {}", names.join(", ")),
                serde_json::json!({ "ok": true, "round": number, "candidates": names }),
            );
        }
        Command::Close { board, key } => {
            let mut s = session(global, &board, &key)?;
            let entry = s
                .admin
                .close_round(s.board.replay(), s.board.head(), rng)
                .context("closing the round")?;
            post(&mut s.board, entry, "the round's close")?;
            let closed = s
                .board
                .replay()
                .closed_round()
                .map(|(r, c, _)| (r.number(), *c));
            let Some((number, close)) = closed else {
                return Err(CliError::usage("no round is closed"));
            };
            emit(
                global,
                || {
                    println!(
                        "round {number} closed: {} cast, {} counted, {} challenged; chain head {}",
                        close.cast(),
                        close.counted(),
                        close.challenged(),
                        close.chain_head()
                    )
                },
                serde_json::json!({
                    "ok": true, "round": number, "cast": close.cast(), "counted": close.counted(),
                    "replaced": close.replaced(), "challenged": close.challenged(),
                    "chain_head": crate::common::hex(&close.chain_head().0),
                }),
            );
        }
        Command::Result { board, key } => {
            let mut s = session(global, &board, &key)?;
            let entry = s
                .admin
                .result(s.board.replay(), s.board.head(), rng)
                .context("the result")?;
            post(&mut s.board, entry, "the result")?;
            print_result(global, &s.board)?;
        }
        Command::Withdraw {
            board,
            key,
            candidate: c,
        } => {
            let mut s = session(global, &board, &key)?;
            let m = manifest_of(&s.board)?;
            let i = candidate(&m, &c)?;
            let entry = s
                .admin
                .withdraw(s.board.replay(), s.board.head(), i, rng)
                .context("the withdrawal")?;
            post(&mut s.board, entry, "the withdrawal")?;
            done(global, &format!("{} withdrew", m.candidates()[i]), &s.board);
        }
        Command::ResolveTie {
            board,
            key,
            eliminate,
            how,
        } => {
            let mut s = session(global, &board, &key)?;
            let m = manifest_of(&s.board)?;
            let i = candidate(&m, &eliminate)?;
            let how = match how {
                How::Lot => TieBreak::Lot,
                How::RunOff => TieBreak::RunOff,
            };
            let entry = s
                .admin
                .resolve_tie(s.board.replay(), s.board.head(), i, how, rng)
                .context("the tie resolution")?;
            post(&mut s.board, entry, "the tie resolution")?;
            done(
                global,
                &format!("{} eliminated ({how:?})", m.candidates()[i]),
                &s.board,
            );
        }
        Command::Acclaim { board, key } => {
            let mut s = session(global, &board, &key)?;
            let entry = s
                .admin
                .acclaim(s.board.replay(), s.board.head(), rng)
                .context("the acclamation")?;
            post(&mut s.board, entry, "the acclamation")?;
            print_result(global, &s.board)?;
        }
        Command::Export { board, out, binary } => {
            let b = open_board(&board)?;
            let record = b.record().context("the record")?;
            let bytes = if binary {
                record.to_bytes()
            } else {
                let mut text = serde_json::to_vec_pretty(&record)
                    .map_err(|e| CliError::usage(format!("the record's JSON: {e}")))?;
                text.push(b'\n');
                text
            };
            write_output(&out, &bytes)?;
            if out.as_os_str() != "-" {
                emit(
                    global,
                    || {
                        println!(
                            "{} entries exported to {}",
                            record.entries().len(),
                            out.display()
                        )
                    },
                    serde_json::json!({ "ok": true, "entries": record.entries().len(), "file": out }),
                );
            }
        }
    }
    Ok(())
}

fn done(global: &Global, what: &str, board: &BoardElection<SqliteStore>) {
    emit(
        global,
        || println!("{what}"),
        serde_json::json!({ "ok": true, "done": what, "entries": board.len() }),
    );
}

/// The last finished round: its totals and decision, or the acclamation.
fn print_result(global: &Global, board: &BoardElection<SqliteStore>) -> Result<()> {
    let replay = board.replay();
    let m = replay
        .manifest()
        .ok_or_else(|| CliError::usage("no manifest"))?;
    let last = replay
        .history()
        .last()
        .ok_or_else(|| CliError::usage("no round is decided"))?;
    let name = |c: usize| m.candidates().get(c).cloned().unwrap_or_default();
    match &last.end {
        RoundEnd::Decided(d) => {
            let totals = d.outcome.totals.slots();
            let labels: Vec<String> = match d.round.kind() {
                RoundKind::ChooseOne => d.round.candidates().iter().map(|c| name(*c)).collect(),
                RoundKind::YesNo { .. } => vec!["yes".into(), "no".into()],
            };
            let decision = tabella::election::event::Decision::of(&d.outcome.decision);
            let elected = decision.elected.map(|c| name(c as usize));
            let eliminated = decision.eliminated.map(|c| name(c as usize));
            emit(
                global,
                || {
                    println!("round {}:", last.number);
                    for (label, t) in labels.iter().zip(&totals) {
                        println!("  {label:<32} {t:>6}");
                    }
                    if let Some(abstain) = totals.get(labels.len()) {
                        println!("  {:<32} {abstain:>6}", "abstain");
                    }
                    println!(
                        "  counted {}, V = {}, required {} -> {}",
                        d.close.counted(),
                        decision.base,
                        decision.required.map_or("-".to_string(), |r| r.to_string()),
                        match (&elected, &eliminated) {
                            (Some(e), _) => format!("{e} elected"),
                            (None, Some(x)) => format!("nobody elected; {x} eliminated"),
                            (None, None) => "nobody elected".to_string(),
                        }
                    );
                },
                serde_json::json!({
                    "ok": true, "round": last.number, "candidates": labels, "totals": totals,
                    "counted": d.close.counted(), "base": decision.base,
                    "required": decision.required, "elected": elected, "eliminated": eliminated,
                }),
            );
        }
        RoundEnd::Acclaimed { candidate } => {
            let c = name(*candidate);
            emit(
                global,
                || println!("round {}: {c} elected by acclamation", last.number),
                serde_json::json!({ "ok": true, "round": last.number, "acclaimed": c, "elected": c }),
            );
        }
    }
    Ok(())
}
