//! `tabella trustee`: a trustee's steps of the key ceremony, and its decryption of each closed
//! round.
//!
//! A trustee's whole state (its board key, its ceremony secrets, then its key package with its
//! decryption log) lives in one file, sealed with its passphrase and bound to the board and the
//! trustee index (docs/SPEC.md §15.2). Every command opens it against the board as it stands,
//! makes at most one entry, seals the new state *before* posting the entry (so no message is
//! ever on the board whose secrets were lost), posts it, and seals again. A step interrupted
//! between the two re-posts the same message when run again.
//!
//! Exit codes: 1 when the board's state refuses the step (no ceremony run yet, no closed round,
//! a round already decrypted, the ceremony's or the board's refusal), 2 for bad input (a wrong
//! passphrase, another trustee's or election's state file, an undecodable file).

use std::path::{Path, PathBuf};

use clap::Subcommand;
use tabella::election::{BoardElection, Manifest, Proceed, Trustee};
use tabella::threshold::TrusteeIndex;
use tabella::threshold::dkg::CeremonyRound;
use tabella_board_sqlite::SqliteStore;
use zeroize::Zeroizing;

use crate::common::{
    BoardArg, CliError, Context, Global, KeyRole, Result, emit, hex, open_board, open_key,
    passphrase, post, seal_params, write_file,
};

/// The board, the trustee's state file and its index.
#[derive(clap::Args, Debug, Clone)]
pub struct StateArgs {
    #[command(flatten)]
    board: BoardArg,
    /// The trustee's sealed state (written by `tabella trustee init`, rewritten by each step).
    #[arg(long, value_name = "FILE")]
    state: PathBuf,
    /// The trustee's index in the manifest (1 to n).
    #[arg(long)]
    index: u32,
}

/// A trustee's commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Make the trustee's sealed state from its board key (checked against the manifest).
    Init {
        #[command(flatten)]
        board: BoardArg,
        /// The trustee's index in the manifest (1 to n).
        #[arg(long)]
        index: u32,
        /// The trustee's sealed board key (`tabella keygen --role trustee --index I`), or `-`.
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// Where to write the sealed state (mode 0600; refused if it exists).
        #[arg(long, value_name = "FILE")]
        state: PathBuf,
    },
    /// One step of the key ceremony: post the trustee's next message, if it has one now.
    Step {
        #[command(flatten)]
        args: StateArgs,
    },
    /// Post the trustee's partial decryption of the closed round.
    Decrypt {
        #[command(flatten)]
        args: StateArgs,
    },
}

/// Runs a trustee's command.
pub fn run(global: &Global, command: Command) -> Result<()> {
    match command {
        Command::Init {
            board,
            index,
            key,
            state,
        } => init(global, &board, index, &key, &state),
        Command::Step { args } => step(global, &args),
        Command::Decrypt { args } => decrypt(global, &args),
    }
}

/// The manifest of the board, and trustee `index` checked against it.
fn trustee_of(board: &BoardElection<SqliteStore>, index: u32) -> Result<(Manifest, TrusteeIndex)> {
    let manifest = board
        .replay()
        .manifest()
        .cloned()
        .ok_or_else(|| CliError::usage("the board has no manifest"))?;
    let n = manifest.trustees();
    let i = TrusteeIndex::new(index)
        .ok()
        .filter(|_| index <= n)
        .ok_or_else(|| {
            CliError::usage(format!(
                "--index {index}: this election's trustees are 1 to {n}"
            ))
        })?;
    Ok((manifest, i))
}

fn init(global: &Global, board: &BoardArg, index: u32, key: &Path, state: &Path) -> Result<()> {
    if state.exists() {
        return Err(CliError::usage(format!(
            "{} exists: a trustee's state is never overwritten by init",
            state.display()
        )));
    }
    let b = open_board(board)?;
    let (manifest, i) = trustee_of(&b, index)?;
    let key = open_key(global, KeyRole::Trustee(index), key)?;
    let expected = manifest.authorities().and_then(|a| a.trustee(i));
    if expected != Some(&key.public_key()) {
        return Err(CliError::usage(format!(
            "this key is not trustee {index}'s key in the manifest's authorities"
        )));
    }
    let public = hex(&key.public_key().to_bytes());
    let trustee = Trustee::new(i, key);
    let pass = passphrase(global, &format!("trustee {index}'s state"))?;
    save(global, &trustee, &b, &pass, state)?;
    emit(
        global,
        || println!("trustee {index}'s state sealed in {}", state.display()),
        serde_json::json!({
            "ok": true, "trustee": index, "state": state, "public_key": public,
        }),
    );
    Ok(())
}

/// The board, trustee `args.index` unsealed from its state file, and the passphrase.
struct Session {
    board: BoardElection<SqliteStore>,
    manifest: Manifest,
    trustee: Trustee,
    pass: Zeroizing<Vec<u8>>,
}

fn load(global: &Global, args: &StateArgs) -> Result<Session> {
    if args.state.as_os_str() == "-" {
        return Err(CliError::usage(
            "--state is a file: the state is read and written back",
        ));
    }
    let board = open_board(&args.board)?;
    let (manifest, i) = trustee_of(&board, args.index)?;
    let sealed = std::fs::read(&args.state)
        .map_err(|e| CliError::usage(format!("{}: {e}", args.state.display())))?;
    let pass = passphrase(
        global,
        &format!("{} (trustee {}'s state)", args.state.display(), args.index),
    )?;
    let file = args.state.display();
    let trustee = Trustee::unseal(&sealed, board.replay(), i, &pass).map_err(|e| match e {
        tabella::Error::SealedForAnother => CliError::usage(format!(
            "{file}: {e}: it is not trustee {}'s state for this board",
            args.index
        )),
        e => CliError::usage(format!("{file}: {e}")),
    })?;
    Ok(Session {
        board,
        manifest,
        trustee,
        pass,
    })
}

/// Seals the trustee's state for the board as it stands and writes it (0600, atomically).
fn save(
    global: &Global,
    trustee: &Trustee,
    board: &BoardElection<SqliteStore>,
    pass: &[u8],
    path: &Path,
) -> Result<()> {
    let sealed = trustee
        .seal(
            board.replay(),
            pass,
            seal_params(global),
            &mut rand_core::OsRng,
        )
        .context("sealing the trustee's state")?;
    write_file(path, &sealed, true)
}

fn round_name(round: CeremonyRound) -> &'static str {
    match round {
        CeremonyRound::Commit => "commitments",
        CeremonyRound::Reveal => "reveals and encrypted shares",
        CeremonyRound::Complain => "complaints",
    }
}

/// What a step that posts nothing waits for.
enum Waiting {
    /// Trustees that have not posted this round.
    Trustees(CeremonyRound, Vec<u32>),
    /// The administrator's announcement of the keys.
    Keys,
    /// Nothing this trustee can name.
    Nothing,
}

fn waiting(board: &BoardElection<SqliteStore>, i: TrusteeIndex, n: u32) -> Waiting {
    let replay = board.replay();
    let Some(ceremony) = replay.ceremony_board() else {
        return Waiting::Nothing;
    };
    let posted = |round: CeremonyRound, j: u32| {
        ceremony
            .entries(round)
            .iter()
            .any(|e| e.author().get() == j)
    };
    let Some(mine) = CeremonyRound::ALL
        .into_iter()
        .rev()
        .find(|r| posted(*r, i.get()))
    else {
        return Waiting::Nothing;
    };
    let missing: Vec<u32> = (1..=n).filter(|j| !posted(mine, *j)).collect();
    if !missing.is_empty() {
        Waiting::Trustees(mine, missing)
    } else if mine == CeremonyRound::Complain && replay.ceremony_outcome().is_none() {
        Waiting::Keys
    } else {
        Waiting::Nothing
    }
}

fn step(global: &Global, args: &StateArgs) -> Result<()> {
    let rng = &mut rand_core::OsRng;
    let mut s = load(global, args)?;
    let index = args.index;
    let i = s.trustee.index();
    if s.board.replay().ceremony_context().is_none() {
        return Err(CliError::refused(
            "no run of the key ceremony on the board yet: the administrator starts one \
             (`tabella admin ceremony`)",
        ));
    }
    let had_keys = s.trustee.key_package().is_some();
    let stepped = s
        .trustee
        .ceremony_step(s.board.replay(), s.board.head(), Proceed::WhenAll, rng);
    let entry = match stepped {
        Ok(entry) => entry,
        Err(e) => {
            // A failed step consumed the round's secrets: keep the trustee stopped for this
            // run, so that it never posts a second, different message of a round.
            save(global, &s.trustee, &s.board, &s.pass, &args.state)?;
            return Err(CliError::refused(format!(
                "trustee {index}'s ceremony step: {e}"
            )));
        }
    };
    let entries = s.board.len();
    if let Some(entry) = entry {
        let body = entry.body().to_vec();
        save(global, &s.trustee, &s.board, &s.pass, &args.state)?;
        post(&mut s.board, entry, "the ceremony message")?;
        save(global, &s.trustee, &s.board, &s.pass, &args.state)?;
        let round = s.board.replay().ceremony_board().and_then(|b| {
            CeremonyRound::ALL.into_iter().find(|r| {
                b.entries(*r)
                    .iter()
                    .any(|e| e.author() == i && e.bytes() == body.as_slice())
            })
        });
        let number = round.map(CeremonyRound::number);
        emit(
            global,
            || match round {
                Some(r) => println!(
                    "trustee {index} posted its round {} message ({})",
                    r.number(),
                    round_name(r)
                ),
                None => println!("trustee {index} posted its ceremony message"),
            },
            serde_json::json!({
                "ok": true, "trustee": index, "status": "posted", "round": number,
                "entries": s.board.len(),
            }),
        );
        return Ok(());
    }
    if !had_keys && s.trustee.key_package().is_some() {
        save(global, &s.trustee, &s.board, &s.pass, &args.state)?;
        emit(
            global,
            || println!("done: key package checked against the announced keys"),
            serde_json::json!({
                "ok": true, "trustee": index, "status": "done", "entries": entries,
            }),
        );
        return Ok(());
    }
    let (text, json) = if had_keys {
        (
            format!("nothing to post: the ceremony is done, trustee {index} holds its key package"),
            serde_json::json!({ "ok": true, "trustee": index, "status": "finished",
                "entries": entries }),
        )
    } else {
        match waiting(&s.board, i, s.manifest.trustees()) {
            Waiting::Trustees(round, missing) => (
                format!(
                    "nothing to post: waiting for trustees {missing:?} (round {} message)",
                    round.number()
                ),
                serde_json::json!({ "ok": true, "trustee": index, "status": "waiting",
                    "round": round.number(), "waiting_for": missing, "entries": entries }),
            ),
            Waiting::Keys => (
                "nothing to post: waiting for the administrator to announce the keys \
                 (`tabella admin keys`)"
                    .to_string(),
                serde_json::json!({ "ok": true, "trustee": index, "status": "waiting",
                    "waiting_for": "keys", "entries": entries }),
            ),
            Waiting::Nothing => (
                "nothing to post".to_string(),
                serde_json::json!({ "ok": true, "trustee": index, "status": "waiting",
                    "entries": entries }),
            ),
        }
    };
    emit(global, || println!("{text}"), json);
    Ok(())
}

fn decrypt(global: &Global, args: &StateArgs) -> Result<()> {
    let rng = &mut rand_core::OsRng;
    let mut s = load(global, args)?;
    let index = args.index;
    let i = s.trustee.index();
    let replay = s.board.replay();
    let Some((closed, _, _)) = replay.closed_round() else {
        return Err(CliError::refused(
            "no round is closed: a trustee decrypts a round once the administrator closes \
             its box (`tabella admin close`)",
        ));
    };
    let round = closed.number();
    if replay.has_partial(i) {
        return Err(CliError::refused(format!(
            "trustee {index} already posted its partial decryption of round {round}"
        )));
    }
    if s.trustee.key_package().is_none() {
        return Err(CliError::refused(format!(
            "trustee {index} holds no key package yet: once the keys are announced, \
             `tabella trustee step` checks them and makes it"
        )));
    }
    let entry = s
        .trustee
        .decrypt(replay, s.board.head(), rng)
        .map_err(|e| CliError::refused(format!("trustee {index}'s decryption: {e}")))?;
    // The decryption log is sealed before the share is posted.
    save(global, &s.trustee, &s.board, &s.pass, &args.state)?;
    post(&mut s.board, entry, "the partial decryption")?;
    save(global, &s.trustee, &s.board, &s.pass, &args.state)?;
    let partials = s
        .board
        .replay()
        .closed_round()
        .map_or(0, |(_, _, p)| p.len());
    let threshold = s.manifest.threshold();
    emit(
        global,
        || {
            println!(
                "trustee {index} posted its partial decryption of round {round} \
                 ({partials} of the {threshold} needed)"
            )
        },
        serde_json::json!({
            "ok": true, "trustee": index, "round": round, "partials": partials,
            "threshold": threshold, "entries": s.board.len(),
        }),
    );
    Ok(())
}
