//! How fast ballots go onto a durable board, against how fast they can be verified at all.
//!
//! ```text
//! cargo run --release -p tabella-board-sqlite --example casting -- [--ballots N] [--batch B]
//!     [--reps R] [--single M]
//! ```
//!
//! It makes one election (manifest, key ceremony, round 1 open) on a template SQLite file,
//! encrypts N ballots (default 20,000) beforehand, and then measures, R times each (default 5)
//! and interleaved so that both see the same machine:
//!
//! 1. **verify**: `EncryptedBallot::verify_batch_in_order` over the ballots in batches of B
//!    (default 250), and nothing else;
//! 2. **durable, batched**: a fresh copy of the template file, and the ballots cast in batches
//!    of B with `BoardElection::cast_batch`: each batch verified as it arrives, applied, appended
//!    in one SQLite transaction (WAL, `synchronous=FULL`: one `fsync`), and acknowledged;
//! 3. **durable, one at a time**: M ballots (default 1,000) cast with `BoardElection::cast`, one
//!    transaction (one `fsync`) each, for contrast.
//!
//! It prints one JSON object: the medians in seconds and in ballots per second, and the ratio
//! of the durable batched time to the verification time (the goal is at most 1.5).

use std::time::{Duration, Instant};

use tabella::ballot::EncryptedBallot;
use tabella::election::board::BoardElection;
use tabella_board_sqlite::SqliteStore;

#[path = "../tests/support/election.rs"]
mod election;

use election::{Officials, TempDir, ballot};

type Failure = Box<dyn std::error::Error>;

struct Args {
    ballots: usize,
    batch: usize,
    reps: usize,
    single: usize,
}

fn args() -> Result<Args, Failure> {
    let mut a = Args {
        ballots: 20_000,
        batch: 250,
        reps: 5,
        single: 1_000,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value: usize = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value"))?
            .parse()
            .map_err(|e| format!("{flag}: {e}"))?;
        match flag.as_str() {
            "--ballots" => a.ballots = value,
            "--batch" => a.batch = value,
            "--reps" => a.reps = value,
            "--single" => a.single = value,
            _ => return Err(format!("unknown flag {flag}").into()),
        }
    }
    if a.ballots == 0 || a.batch == 0 || a.reps == 0 {
        return Err("--ballots, --batch and --reps must be at least 1".into());
    }
    a.single = a.single.min(a.ballots);
    Ok(a)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn rate(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

/// A fresh copy of the template board.
fn fresh_board(
    template: &std::path::Path,
    dir: &TempDir,
    name: &str,
) -> Result<BoardElection<SqliteStore>, Failure> {
    let path = dir.join(name);
    std::fs::copy(template, &path)?;
    Ok(BoardElection::open(SqliteStore::open(&path)?)?)
}

fn remove(dir: &TempDir, name: &str) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.join(&format!("{name}{suffix}")));
    }
}

fn main() -> Result<(), Failure> {
    let a = args()?;
    let dir = TempDir::new("casting");
    let template = dir.join("template.db");
    let mut officials = Officials::new("casting example", a.ballots as u64, 1);
    let ctx = {
        let mut board = BoardElection::open(SqliteStore::open(&template)?)?;
        officials.open(&mut board, 1);
        board.round_context().ok_or("no open round")?
    };

    let started = Instant::now();
    let ballots: Vec<EncryptedBallot> = (0..a.ballots as u64).map(|k| ballot(&ctx, k)).collect();
    let encrypting = started.elapsed();
    let batches: Vec<Vec<EncryptedBallot>> = ballots.chunks(a.batch).map(<[_]>::to_vec).collect();

    let (mut verify, mut durable, mut single) = (Vec::new(), Vec::new(), Vec::new());
    for rep in 0..a.reps {
        // 1. Verification alone.
        let input = batches.clone();
        let t = Instant::now();
        let mut ok = 0usize;
        for batch in input {
            ok += EncryptedBallot::verify_batch_in_order(batch, &ctx.ballot_context())
                .iter()
                .filter(|v| v.is_ok())
                .count();
        }
        verify.push(t.elapsed());
        if ok != a.ballots {
            return Err(format!("{} ballots failed to verify", a.ballots - ok).into());
        }

        // 2. Durable casting, batched (group commit).
        let name = format!("batched-{rep}.db");
        let mut board = fresh_board(&template, &dir, &name)?;
        let input = batches.clone();
        let t = Instant::now();
        for batch in input {
            for code in board.cast_batch(batch) {
                code?;
            }
        }
        durable.push(t.elapsed());
        drop(board);
        remove(&dir, &name);

        // 3. Durable casting, one ballot per transaction.
        let name = format!("single-{rep}.db");
        let mut board = fresh_board(&template, &dir, &name)?;
        let input: Vec<EncryptedBallot> = ballots.iter().take(a.single).cloned().collect();
        let t = Instant::now();
        for b in &input {
            board.cast(b)?;
        }
        single.push(t.elapsed());
        drop(board);
        remove(&dir, &name);
    }

    let (v, d, s) = (median(verify), median(durable), median(single));
    println!(
        "{{\"ballots\": {}, \"batch\": {}, \"repetitions\": {}, \
         \"encrypt\": {{\"seconds\": {:.3}, \"ballots_per_second\": {:.0}}}, \
         \"verify\": {{\"median_seconds\": {:.3}, \"ballots_per_second\": {:.0}}}, \
         \"durable_batched\": {{\"median_seconds\": {:.3}, \"ballots_per_second\": {:.0}}}, \
         \"durable_one_per_transaction\": {{\"ballots\": {}, \"median_seconds\": {:.3}, \
         \"ballots_per_second\": {:.0}}}, \
         \"durable_batched_time_over_verify_time\": {:.3}}}",
        a.ballots,
        a.batch,
        a.reps,
        encrypting.as_secs_f64(),
        rate(a.ballots, encrypting),
        v.as_secs_f64(),
        rate(a.ballots, v),
        d.as_secs_f64(),
        rate(a.ballots, d),
        a.single,
        s.as_secs_f64(),
        rate(a.single, s),
        d.as_secs_f64() / v.as_secs_f64(),
    );
    Ok(())
}
