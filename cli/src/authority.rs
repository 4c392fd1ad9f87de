//! `tabella credentials`: the credential authority issues one credential per eligible member
//! and posts the roll of their public credentials (docs/SPEC.md §16); a member checks that its
//! credential is on the roll.
//!
//! Each member's private credential is written to a file of its own, `member-0001.credential`
//! and on, mode 0600: a comment line saying what it is, then its 72-digit code (§16.2). The
//! codes are never printed. Which member gets which file is the authority's business; once the
//! files are handed out it deletes them.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use tabella::credential::CredentialSecret;
use tabella::election::CredentialAuthority;
use zeroize::Zeroizing;

use crate::common::{
    BoardArg, CliError, Context, Global, KeyRole, Result, emit, hex, open_board, open_key, post,
    read_credential, write_file,
};

/// The credential authority's commands, and the member's check.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Issue the `eligible` members' credentials (one file each) and post the roll.
    Issue {
        #[command(flatten)]
        board: BoardArg,
        /// The credential authority's sealed key (`tabella keygen --role credential-authority`).
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// Where to write the credential files (created, or an empty directory).
        #[arg(long, value_name = "DIR")]
        out_dir: PathBuf,
    },
    /// A member: check that its credential is on the board's roll (exit 0 on it, 1 not).
    Check {
        #[command(flatten)]
        board: BoardArg,
        /// The member's credential file (or `-` for standard input).
        #[arg(long, value_name = "FILE")]
        credential: PathBuf,
    },
}

/// Runs a command of the credential authority or a member's check.
pub fn run(global: &Global, command: Command) -> Result<()> {
    match command {
        Command::Issue {
            board,
            key,
            out_dir,
        } => issue(global, &board, &key, &out_dir),
        Command::Check { board, credential } => check(global, &board, &credential),
    }
}

/// The name of member `k`'s file (1-based), zero-padded to the width of the roll's size.
fn file_name(k: usize, members: usize) -> String {
    let width = members.to_string().len().max(4);
    format!("member-{k:0width$}.credential")
}

/// Whether `dir` can receive the files: absent (it is created) or an empty directory.
fn usable_dir(dir: &Path) -> Result<bool> {
    if !dir.exists() {
        return Ok(false);
    }
    let io = |e: std::io::Error| CliError::usage(format!("{}: {e}", dir.display()));
    if !dir.is_dir() {
        return Err(CliError::usage(format!(
            "{} exists and is not a directory",
            dir.display()
        )));
    }
    if std::fs::read_dir(dir).map_err(io)?.next().is_some() {
        return Err(CliError::usage(format!(
            "{} is not empty: credentials are written to a new or empty directory",
            dir.display()
        )));
    }
    Ok(true)
}

fn create_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| CliError::usage(format!("{}: {e}", dir.display())))
}

/// Writes every member's file; on a failure removes those written.
fn write_credentials(
    dir: &Path,
    secrets: &[CredentialSecret],
    title: &str,
    board_id: &str,
) -> Result<Vec<PathBuf>> {
    let mut written = Vec::with_capacity(secrets.len());
    for (k, secret) in secrets.iter().enumerate() {
        let path = dir.join(file_name(k + 1, secrets.len()));
        let code = secret.to_code();
        let text = Zeroizing::new(format!(
            "# tabella voter credential of member {} of {title:?} (board {board_id}): secret, \
             it signs your ballots; keep it private\n{}\n",
            k + 1,
            code.as_str()
        ));
        if let Err(e) = write_file(&path, text.as_bytes(), true) {
            remove(&written);
            return Err(e);
        }
        written.push(path);
    }
    Ok(written)
}

fn remove(files: &[PathBuf]) {
    for f in files {
        let _ = std::fs::remove_file(f);
    }
}

fn issue(global: &Global, board: &BoardArg, key: &Path, out_dir: &Path) -> Result<()> {
    let rng = &mut rand_core::OsRng;
    let mut b = open_board(board)?;
    let replay = b.replay();
    let manifest = replay
        .manifest()
        .cloned()
        .ok_or_else(|| CliError::usage("the board has no manifest"))?;
    if manifest.roll().is_none() {
        return Err(CliError::refused(
            "this election has no roll (its manifest's \"roll\" is null): there are no \
             credentials to issue",
        ));
    }
    if replay.roll().is_some() {
        return Err(CliError::refused("the roll is already on the board"));
    }
    let existed = usable_dir(out_dir)?;
    let authority = CredentialAuthority::new(open_key(global, KeyRole::CredentialAuthority, key)?);
    let named = manifest
        .authorities()
        .and_then(|a| a.credential_authority());
    if named != Some(&authority.public_key()) {
        return Err(CliError::usage(
            "this key is not the credential authority's key in the manifest's authorities",
        ));
    }
    let members = usize::try_from(manifest.eligible())
        .map_err(|_| CliError::usage("too many eligible members"))?;
    let (roll, secrets) = authority.issue(members, rng).context("the credentials")?;
    let entry = authority
        .roll(&roll, replay, b.head(), rng)
        .context("the roll")?;
    let board_id = replay
        .board_id()
        .map(|c| hex(c.fingerprint()))
        .unwrap_or_default();
    if !existed {
        create_dir(out_dir)?;
    }
    let written = write_credentials(out_dir, &secrets, manifest.title(), &board_id)?;
    drop(secrets);
    if let Err(e) = post(&mut b, entry, "the roll") {
        // Credentials whose roll the board refused are worth nothing: none is left behind.
        remove(&written);
        if !existed {
            let _ = std::fs::remove_dir(out_dir);
        }
        return Err(e);
    }
    let digest = hex(roll.digest());
    emit(
        global,
        || {
            println!(
                "{} credentials written to {} (one file per member, mode 0600)",
                roll.len(),
                out_dir.display()
            );
            println!(
                "roll of {} public credentials posted; digest {digest}",
                roll.len()
            );
        },
        serde_json::json!({
            "ok": true, "issued": roll.len(), "out_dir": out_dir, "roll_digest": digest,
            "entries": b.len(),
        }),
    );
    Ok(())
}

fn check(global: &Global, board: &BoardArg, credential: &Path) -> Result<()> {
    let secret = read_credential(credential)?;
    let b = open_board(board)?;
    let replay = b.replay();
    let not_on = |why: &str| {
        CliError::refused(format!("not on the roll: {why}")).with_json(serde_json::json!({
            "ok": false, "on_roll": false, "message": why,
        }))
    };
    let Some(roll) = replay.roll() else {
        let why = if replay.manifest().is_some_and(|m| m.roll().is_none()) {
            "this election has no roll"
        } else {
            "the board has no roll yet"
        };
        return Err(not_on(why));
    };
    if !roll.contains(&secret.public()) {
        return Err(not_on("the board's roll does not hold this credential"));
    }
    emit(
        global,
        || println!("on the roll"),
        serde_json::json!({ "ok": true, "on_roll": true, "roll": roll.len() }),
    );
    Ok(())
}
