//! `tabella voter`: a voter's device. It reads the open round from the board (it never writes
//! to it), encrypts a ballot and keeps its opening sealed, so that the voter can either cast the
//! ballot (`tabella box cast`) or challenge it (`voter challenge`, then `tabella box
//! challenge`) after seeing its hash (Benaloh); and it finds a confirmation code on the board.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use tabella::ballot::{BallotId, ChallengedBallot, ContestSpec, EncryptedBallot, Selection};
use tabella::board::{BallotHash, BoxEntryKind, CodeQuery};
use tabella::election::{BoardElection, CodeLocation, RoundContext, RoundKind};
use tabella::seal::{seal, unseal};
use tabella_board_sqlite::SqliteStore;
use zeroize::Zeroizing;

use crate::common::{
    BoardArg, CliError, Context, Global, Result, emit, hex, open_board, passphrase,
    read_credential, read_input, seal_params, write_file, write_output,
};

/// A voter's commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Encrypt a ballot for the open round; keep its opening sealed (it reveals the vote).
    Encrypt {
        #[command(flatten)]
        board: BoardArg,
        /// The member's credential file (its code), when the election has a roll.
        #[arg(long, value_name = "FILE")]
        credential: Option<PathBuf>,
        /// A candidate on this round's ballot (its name, or its 0-based position on the
        /// ballot), `yes` or `no` in a yes/no round, or `abstain`.
        #[arg(long, value_name = "CHOICE")]
        choice: String,
        /// Where to write the ballot (`-` for standard output, with --opening).
        #[arg(long, value_name = "BALLOT")]
        out: PathBuf,
        /// Where to write the sealed opening (default: BALLOT.opening).
        #[arg(long, value_name = "OPENING", conflicts_with = "no_opening")]
        opening: Option<PathBuf>,
        /// Keep no opening: the ballot's nonces are forgotten at once, so it can only be cast,
        /// never challenged (a device that casts straight away).
        #[arg(long)]
        no_opening: bool,
    },
    /// Challenge a ballot instead of casting it: open it, check it, show the vote it holds.
    Challenge {
        #[command(flatten)]
        board: BoardArg,
        /// The ballot (as `voter encrypt` wrote it).
        #[arg(long, value_name = "BALLOT")]
        ballot: PathBuf,
        /// Its sealed opening.
        #[arg(long, value_name = "OPENING")]
        opening: PathBuf,
        /// Where to write the challenged ballot (default: BALLOT.challenged).
        #[arg(long, value_name = "CHALLENGED")]
        out: Option<PathBuf>,
    },
    /// Print a ballot's hash and its short form.
    Hash {
        #[command(flatten)]
        board: BoardArg,
        /// The round the ballot is for (default: the open round, or the closed one).
        #[arg(long, value_name = "N")]
        round: Option<u32>,
        /// The ballot (`-` for standard input).
        ballot: PathBuf,
    },
    /// Find a confirmation code on the board: the round, the board entry, cast or challenged.
    Lookup {
        #[command(flatten)]
        board: BoardArg,
        /// The code: 64 hex digits, or the short form XXXX-XXXX-XXXX-XXXX.
        code: String,
    },
}

/// Runs a voter's command.
pub fn run(global: &Global, command: Command) -> Result<()> {
    match command {
        Command::Encrypt {
            board,
            credential,
            choice,
            out,
            opening,
            no_opening,
        } => encrypt(
            global,
            &board,
            credential.as_deref(),
            &choice,
            &out,
            (!no_opening).then_some(opening),
        ),
        Command::Challenge {
            board,
            ballot,
            opening,
            out,
        } => challenge(global, &board, &ballot, &opening, out),
        Command::Hash {
            board,
            round,
            ballot,
        } => hash(global, &board, round, &ballot),
        Command::Lookup { board, code } => lookup(global, &board, &code),
    }
}

/// The open round: its context and the labels of its options, in ballot order.
struct Round {
    ctx: RoundContext,
    labels: Vec<String>,
    /// What the ballot asks, for messages.
    question: String,
}

fn open_round(board: &BoardElection<SqliteStore>) -> Result<Round> {
    let replay = board.replay();
    let (Some(open), Some(ctx), Some(manifest)) = (
        replay.open_round(),
        board.round_context(),
        replay.manifest(),
    ) else {
        return Err(CliError::refused("no round is open on this board"));
    };
    let labels = open.option_labels(manifest);
    let question = match open.kind() {
        RoundKind::ChooseOne => labels.join(", "),
        RoundKind::YesNo { candidate } => format!(
            "yes or no on {}",
            manifest
                .candidates()
                .get(candidate)
                .map_or("a candidate", String::as_str)
        ),
    };
    Ok(Round {
        ctx,
        labels,
        question: format!("round {}: {question}", open.number()),
    })
}

/// The selection `text` names: an option's label, `abstain`, or an option's position.
fn selection(contest: &ContestSpec, labels: &[String], text: &str) -> Result<Selection> {
    let bad = |e: tabella::Error| CliError::usage(format!("--choice {text}: {e}"));
    let position = labels.iter().position(|l| l == text).or_else(|| {
        text.parse::<usize>()
            .ok()
            .filter(|j| *j < labels.len() && text != "abstain")
    });
    if let Some(j) = position {
        let j = u32::try_from(j).map_err(|_| CliError::usage("too many options"))?;
        return Selection::new(contest, &[j]).map_err(bad);
    }
    if text == "abstain" {
        return Selection::abstain(contest).map_err(bad);
    }
    Err(CliError::usage(format!(
        "--choice {text}: not on this round's ballot; the options are {labels:?} \
         (or their positions 0 to {}), or abstain",
        labels.len().saturating_sub(1)
    )))
}

/// The vote a selection's values reveal, in words.
fn revealed(values: &[u8], labels: &[String]) -> String {
    let chosen: Vec<&str> = values
        .iter()
        .enumerate()
        .filter(|(_, v)| **v == 1)
        .map(|(j, _)| labels.get(j).map_or("abstain", String::as_str))
        .collect();
    if chosen.is_empty() {
        "nothing (a blank ballot)".to_string()
    } else {
        chosen.join(", ")
    }
}

/// The context an opening is sealed for: what it is and the ballot it opens.
fn opening_context(hash: &BallotHash) -> Vec<u8> {
    let mut context = b"tabella ballot opening: ".to_vec();
    context.extend_from_slice(&hash.0);
    context
}

/// `path` with `suffix` appended to its file name.
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(suffix);
    PathBuf::from(name)
}

fn read_ballot(path: &Path) -> Result<EncryptedBallot> {
    EncryptedBallot::from_bytes(&read_input(path)?)
        .map_err(|e| CliError::usage(format!("{}: not a ballot: {e}", path.display())))
}

fn encrypt(
    global: &Global,
    board: &BoardArg,
    credential: Option<&Path>,
    choice: &str,
    out: &Path,
    opening: Option<Option<PathBuf>>,
) -> Result<()> {
    let to_stdout = out.as_os_str() == "-";
    // `None`: --no-opening; `Some(None)`: the default name beside the ballot.
    let opening = match opening {
        None => None,
        Some(Some(p)) => Some(p),
        Some(None) if to_stdout => {
            return Err(CliError::usage(
                "--out -: give --opening FILE (the opening is named after the ballot's file)",
            ));
        }
        Some(None) => Some(beside(out, ".opening")),
    };
    if opening.as_deref() == Some(out) {
        return Err(CliError::usage("the ballot and its opening need two files"));
    }
    let b = open_board(board)?;
    let round = open_round(&b)?;
    drop(b);
    let ctx = round.ctx.ballot_context();
    let secret = match (ctx.eligibility, credential) {
        (None, None) => None,
        (None, Some(_)) => {
            return Err(CliError::usage(
                "this election has no roll: its ballots carry no credential (drop --credential)",
            ));
        }
        (Some(_), None) => {
            return Err(CliError::usage(
                "this election has a roll: give the member's --credential FILE",
            ));
        }
        (Some(e), Some(path)) => {
            let secret = read_credential(path)?;
            if !e.roll.contains(&secret.public()) {
                return Err(CliError::usage(format!(
                    "{}: this credential is not on the roll of this election \
                     (another election's credential?)",
                    path.display()
                )));
            }
            Some(secret)
        }
    };
    let chosen = selection(ctx.contest, &round.labels, choice)?;
    let rng = &mut rand_core::OsRng;
    let (ballot, nonces) =
        EncryptedBallot::encrypt(&ctx, &chosen, BallotId::random(rng), secret.as_ref(), rng)
            .context("encrypting the ballot")?;
    let hash = BallotHash::of(ctx.election, ctx.round, &ballot);
    let bytes = ballot.to_bytes();
    if let Some(opening) = &opening {
        let secret_opening =
            Zeroizing::new(ChallengedBallot::open(ballot, chosen, nonces).to_bytes());
        let pass = passphrase(global, &format!("the opening {}", opening.display()))?;
        let sealed = seal(
            &secret_opening,
            &opening_context(&hash),
            &pass,
            seal_params(global),
            rng,
        )
        .context("sealing the opening")?;
        // The opening first: a ballot on disk always has its opening beside it.
        write_file(opening, &sealed, true)?;
    }
    write_output(out, &bytes)?;
    let json = serde_json::json!({
        "ok": true, "round": ctx.round, "ballot": out, "opening": opening,
        "bytes": bytes.len(), "hash": hex(&hash.0), "short": hash.short(),
    });
    let text = || {
        println!("{}", round.question);
        println!(
            "ballot written to {} ({} bytes)",
            out.display(),
            bytes.len()
        );
        match &opening {
            Some(o) => println!(
                "opening (sealed; it reveals the vote) written to {}",
                o.display()
            ),
            None => println!("no opening kept: this ballot can be cast, not challenged"),
        }
        println!("ballot hash {}", hex(&hash.0));
        println!("short form  {}", hash.short());
    };
    if to_stdout {
        // Standard output holds the ballot: the account goes to standard error.
        if global.json {
            eprintln!("{json}");
        } else {
            eprintln!("ballot hash {} ({})", hex(&hash.0), hash.short());
        }
    } else {
        emit(global, text, json);
    }
    Ok(())
}

fn challenge(
    global: &Global,
    board: &BoardArg,
    ballot_path: &Path,
    opening: &Path,
    out: Option<PathBuf>,
) -> Result<()> {
    let out = match out {
        Some(p) => p,
        None if ballot_path.as_os_str() == "-" => {
            return Err(CliError::usage("--ballot -: give --out CHALLENGED"));
        }
        None => beside(ballot_path, ".challenged"),
    };
    let b = open_board(board)?;
    let round = open_round(&b)?;
    drop(b);
    let ctx = round.ctx.ballot_context();
    let ballot = read_ballot(ballot_path)?;
    let hash = BallotHash::of(ctx.election, ctx.round, &ballot);
    let sealed = read_input(opening)?;
    let pass = passphrase(global, &format!("the opening {}", opening.display()))?;
    let bytes = unseal(&sealed, &opening_context(&hash), &pass).map_err(|e| {
        let hint = match e {
            tabella::Error::SealedForAnother => {
                " (the opening of another ballot, or of this ballot for another round)"
            }
            _ => "",
        };
        CliError::usage(format!("{}: {e}{hint}", opening.display()))
    })?;
    let challenged = ChallengedBallot::from_bytes(&bytes).map_err(|e| {
        CliError::usage(format!(
            "{}: not a ballot's opening: {e}",
            opening.display()
        ))
    })?;
    if challenged.ballot() != &ballot {
        return Err(CliError::usage(format!(
            "{}: the opening of another ballot",
            opening.display()
        )));
    }
    challenged.verify(&ctx).map_err(|e| {
        CliError::refused(format!(
            "the opening does not check against the ballot and {}: {e} \
             (the device did not encrypt what it reveals)",
            round.question
        ))
    })?;
    let vote = revealed(challenged.values(), &round.labels);
    write_output(&out, &challenged.to_bytes())?;
    emit(
        global,
        || {
            println!("{}", round.question);
            println!("the opening checks: this ballot holds a vote for {vote}");
            println!(
                "challenged ballot written to {}; post it with `tabella box challenge`, \
                 and never cast this ballot",
                out.display()
            );
        },
        serde_json::json!({
            "ok": true, "round": ctx.round, "choice": vote, "values": challenged.values(),
            "hash": hex(&hash.0), "short": hash.short(), "challenged": out,
        }),
    );
    Ok(())
}

fn hash(global: &Global, board: &BoardArg, round: Option<u32>, path: &Path) -> Result<()> {
    let b = open_board(board)?;
    let replay = b.replay();
    let election = replay
        .election()
        .ok_or_else(|| CliError::usage("the board has no election keys yet: no ballot"))?;
    let round = round
        .or_else(|| replay.open_round().map(|o| o.number()))
        .or_else(|| replay.closed_round().map(|(r, _, _)| r.number()))
        .ok_or_else(|| CliError::usage("no round is open: give --round N"))?;
    let ballot = read_ballot(path)?;
    let hash = BallotHash::of(election.context(), round, &ballot);
    emit(
        global,
        || {
            println!("ballot hash {} (round {round})", hex(&hash.0));
            println!("short form  {}", hash.short());
        },
        serde_json::json!({
            "ok": true, "round": round, "ballot_id": hex(&ballot.id().0),
            "hash": hex(&hash.0), "short": hash.short(),
        }),
    );
    Ok(())
}

fn lookup(global: &Global, board: &BoardArg, text: &str) -> Result<()> {
    let wanted = CodeQuery::parse(text).map_err(|_| {
        CliError::usage(format!(
            "{text}: not a confirmation code (64 hex digits, or XXXX-XXXX-XXXX-XXXX)"
        ))
    })?;
    let b = open_board(board)?;
    let Some(found) = b.replay().find_code(&wanted) else {
        return Err(
            CliError::refused(format!("confirmation code {text} is not on this board"))
                .with_json(serde_json::json!({ "ok": false, "found": false, "code": text })),
        );
    };
    let CodeLocation {
        round,
        round_state: state,
        entry: k,
        kind,
        replaced,
        ballot_id,
        code,
        ..
    } = found;
    let (kind, note) = match kind {
        BoxEntryKind::Cast if replaced => (
            "cast",
            " (replaced by a later ballot of its credential: not counted)",
        ),
        BoxEntryKind::Cast => ("cast", ""),
        BoxEntryKind::Challenged => ("challenged", " (published, never counted)"),
    };
    emit(
        global,
        || {
            println!(
                "{}: round {round} ({state}), board entry {k}, {kind}{note}",
                code.short()
            );
            println!("ballot {}", hex(&ballot_id.0));
        },
        serde_json::json!({
            "ok": true, "found": true, "round": round, "round_state": state, "entry": k,
            "kind": kind, "replaced": replaced, "ballot_id": hex(&ballot_id.0),
            "code": hex(&code.0), "short": code.short(),
        }),
    );
    Ok(())
}
