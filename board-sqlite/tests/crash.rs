//! SIGKILL while casting: no acknowledged ballot is ever lost, none is doubled, and no batch is
//! half on the board.
//!
//! The parent test makes an election on a SQLite board file (manifest, key ceremony, round 1
//! open; the trustees stay in its memory), encrypts a known list of ballots into a file next
//! to it, and then runs this same test binary again as a child ([`crash_child`]), over and
//! over. The child opens the board, sees how many ballots the open box holds, and casts the
//! rest of the list in small batches (`cast_batch`, and now and then one ballot with `cast`).
//! Before each call it prints `cast <k> <n>`; after the call has returned `Ok`, and only
//! then, it prints `ack <k> <code>` for each ballot of the call. The parent kills it with
//! SIGKILL at a random moment (after a random number of acknowledgements and a random delay),
//! and then opens the board and checks it:
//!
//! * it opens: every entry decodes, every head is the chain's, every entry applies;
//! * every acknowledged ballot is on the board, at its place, with the code it was given;
//! * the box holds ballots 0, 1, …, L − 1 of the list, each once, and L is either where the
//!   last call began or where it ended: a call's ballots are all on the board or none is.
//!
//! After the kills a last child casts the rest undisturbed, and the parent closes the round,
//! has the trustees decrypt, posts the result, and checks the totals against the list and the
//! whole record with the verifier.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use tabella::ballot::EncryptedBallot;
use tabella::election::board::BoardElection;
use tabella::verify::verify_record;
use tabella_board_sqlite::SqliteStore;

#[path = "support/election.rs"]
mod election;

use election::{Officials, TempDir, ballot, ballot_id, expected_totals};

/// Tells the child where the board is; the child does nothing without it.
const CHILD_ENV: &str = "TABELLA_CRASH_CHILD_DIR";
/// The number of ballots in the list.
const BALLOTS: u64 = 2_000;
/// The number of kills.
const KILLS: usize = 25;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The ballots file: each ballot as LE32(length) ‖ its canonical bytes.
fn write_ballots(path: &std::path::Path, ballots: &[EncryptedBallot]) {
    let mut out = Vec::new();
    for b in ballots {
        let bytes = b.to_bytes();
        out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        out.extend_from_slice(&bytes);
    }
    std::fs::write(path, out).unwrap();
}

fn read_ballots(path: &std::path::Path) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(path).unwrap();
    let mut out = Vec::new();
    let mut rest = bytes.as_slice();
    while !rest.is_empty() {
        let (len, tail) = rest.split_at(4);
        let len = u32::from_le_bytes(len.try_into().unwrap()) as usize;
        let (ballot, tail) = tail.split_at(len);
        out.push(ballot.to_vec());
        rest = tail;
    }
    out
}

/// The child: casts the rest of the list onto the board, acknowledging each ballot on stdout
/// once its call has returned. Without [`CHILD_ENV`] it is an empty test that passes.
#[test]
fn crash_child() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let list = read_ballots(&dir.join("ballots.bin"));
    let mut board = BoardElection::open(SqliteStore::open(dir.join("board.db")).unwrap()).unwrap();
    let start = board.replay().open_round().unwrap().ballot_box().len();
    let mut out = std::io::stdout();
    writeln!(out, "start {start}").unwrap();
    out.flush().unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(start as u64);
    let mut k = start;
    while k < list.len() {
        let n = (1 + rng.next_u32() as usize % 12).min(list.len() - k);
        // The ballots arrive as bytes, as from voters' devices.
        let ballots: Vec<EncryptedBallot> = list[k..k + n]
            .iter()
            .map(|b| EncryptedBallot::from_bytes(b).unwrap())
            .collect();
        writeln!(out, "cast {k} {n}").unwrap();
        out.flush().unwrap();
        let codes = if n == 1 && rng.next_u32() % 2 == 0 {
            vec![board.cast(&ballots[0])]
        } else {
            board.cast_batch(ballots)
        };
        for (i, code) in (k..).zip(codes) {
            let code = code.unwrap();
            writeln!(out, "ack {i} {}", hex(&code.0)).unwrap();
            out.flush().unwrap();
        }
        k += n;
    }
    writeln!(out, "done").unwrap();
    out.flush().unwrap();
}

/// What one child run printed.
#[derive(Default)]
struct Run {
    start: Option<usize>,
    /// The last call begun: its first ballot and its size.
    last_call: Option<(usize, usize)>,
    acks: Vec<(usize, String)>,
    done: bool,
}

impl Run {
    fn take(&mut self, line: &str) {
        let parts: Vec<&str> = line.split_whitespace().collect();
        match parts.as_slice() {
            ["start", s] => self.start = Some(s.parse().unwrap()),
            ["cast", k, n] => self.last_call = Some((k.parse().unwrap(), n.parse().unwrap())),
            ["ack", k, code] => self.acks.push((k.parse().unwrap(), code.to_string())),
            ["done"] => self.done = true,
            _ => {} // the test harness's own lines
        }
    }
}

/// Runs the child; kills it once it has acknowledged `acks` ballots and `delay` has passed
/// (never, for `None`). Returns what it printed and whether it was killed.
fn run_child(dir: &std::path::Path, kill: Option<(usize, Duration)>) -> (Run, bool) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut run = Run::default();
    let mut killed = false;
    if let Some((acks, delay)) = kill {
        while run.acks.len() < acks && !run.done {
            match rx.recv() {
                Ok(line) => run.take(&line),
                Err(_) => break,
            }
        }
        std::thread::sleep(delay);
        // Drain what is already here, to know whether the child finished first.
        while let Ok(line) = rx.try_recv() {
            run.take(&line);
        }
        if !run.done {
            killed = child.kill().is_ok();
        }
    }
    let status = child.wait().unwrap();
    reader.join().unwrap();
    // Every line the child wrote before it died is an acknowledgement it gave.
    while let Ok(line) = rx.try_recv() {
        run.take(&line);
    }
    if !killed {
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
        assert!(status.success(), "the child failed: {err}");
        assert!(run.done, "the child stopped before the end");
    }
    (run, killed)
}

#[test]
fn sigkill_while_casting_loses_no_acknowledged_ballot() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let started = Instant::now();
    let dir = TempDir::new("crash");
    let path = dir.join("board.db");
    let mut officials = Officials::new("crash test", BALLOTS, 7);
    {
        let mut board = BoardElection::open(SqliteStore::open(&path).unwrap()).unwrap();
        officials.open(&mut board, 7);
        let ctx = board.round_context().unwrap();
        let list: Vec<EncryptedBallot> = (0..BALLOTS).map(|k| ballot(&ctx, k)).collect();
        write_ballots(&dir.join("ballots.bin"), &list);
    }
    let setup = started.elapsed();

    let seed = std::env::var("TABELLA_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_240_612u64);
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    // Ballot k → the code it was acknowledged with (every child run's acknowledgements).
    let mut acknowledged: Vec<Option<String>> = vec![None; BALLOTS as usize];
    let (mut kills, mut in_flight, mut committed_unacknowledged, mut lost) = (0, 0, 0, 0);
    let mut check = |run: &Run, acknowledged: &mut Vec<Option<String>>| -> usize {
        for (k, code) in &run.acks {
            assert!(
                acknowledged[*k].is_none(),
                "ballot {k} acknowledged twice (it was cast twice)"
            );
            acknowledged[*k] = Some(code.clone());
        }
        // The board opens: no torn entry, the chain holds, every entry applies.
        let board = BoardElection::open(SqliteStore::open(&path).unwrap())
            .unwrap_or_else(|e| panic!("the board does not open after a kill: {e}"));
        board.record().unwrap();
        let open = board.replay().open_round().unwrap().ballot_box();
        let on_board = open.len();
        // Ballots 0, 1, …, L − 1 of the list, in order, each once.
        for (k, entry) in open.entries().iter().enumerate() {
            assert_eq!(
                *entry.id(),
                ballot_id(k as u64),
                "box entry {k} is not ballot {k}"
            );
        }
        // Every acknowledged ballot is there, with its code.
        let mut first_lost = None;
        for (k, code) in acknowledged.iter().enumerate() {
            if let Some(code) = code {
                match open.codes().get(k) {
                    Some(c) if hex(&c.0) == *code => {}
                    Some(_) => panic!("ballot {k} is on the board with another code"),
                    None => {
                        lost += 1;
                        first_lost.get_or_insert(k);
                    }
                }
            }
        }
        if let Some(k) = first_lost {
            panic!(
                "acknowledged but lost: {lost} ballots, from ballot {k} (the box holds \
                 {on_board})"
            );
        }
        on_board
    };

    let mut expected_start = 0usize;
    while kills < KILLS {
        let acks = rng.next_u32() as usize % 60;
        let delay = Duration::from_micros(u64::from(rng.next_u32() % 8_000));
        let (run, killed) = run_child(&dir.0, Some((acks, delay)));
        if let Some(start) = run.start {
            assert_eq!(start, expected_start, "the child found another box");
        }
        let on_board = check(&run, &mut acknowledged);
        // A call's ballots are all on the board or none is.
        match run.last_call {
            Some((k, n)) => {
                assert!(
                    on_board == k || on_board == k + n,
                    "the box holds {on_board} ballots, but the last call cast {k}..{}",
                    k + n
                );
                let acked_of_last = run.acks.iter().filter(|(i, _)| *i >= k).count();
                if acked_of_last < n {
                    in_flight += 1;
                    if on_board == k + n {
                        committed_unacknowledged += n - acked_of_last;
                    }
                }
            }
            None => assert_eq!(on_board, expected_start, "a kill before any call"),
        }
        expected_start = on_board;
        if killed {
            kills += 1;
        } else {
            assert!(run.done);
            break;
        }
    }
    assert_eq!(kills, KILLS, "the list ran out before {KILLS} kills");
    let acknowledged_before_resume = acknowledged.iter().filter(|c| c.is_some()).count();

    // The last run casts the rest undisturbed.
    let (run, _) = run_child(&dir.0, None);
    let on_board = check(&run, &mut acknowledged);
    assert_eq!(on_board, BALLOTS as usize);
    assert_eq!(lost, 0, "acknowledged ballots were lost");

    let mut board = BoardElection::open(SqliteStore::open(&path).unwrap()).unwrap();
    let totals = officials.finish(&mut board, 7);
    assert_eq!(totals, expected_totals(0..BALLOTS));
    let report = verify_record(&board.record().unwrap());
    assert!(
        report.is_ok(),
        "the record does not verify: {:?}",
        report.failure
    );
    drop(board);
    // And the finished board opens again, the same.
    let reopened = BoardElection::open(SqliteStore::open(&path).unwrap()).unwrap();
    assert_eq!(election::decided_totals(&reopened), totals);

    println!(
        "crash test: {kills} kills (seed {seed}), {in_flight} with a call in flight, \
         {committed_unacknowledged} ballots committed but not acknowledged when killed; \
         {acknowledged_before_resume} ballots acknowledged across the killed runs, \
         {} in all; acknowledged but lost: {lost}; {BALLOTS} ballots, totals {totals:?}; \
         setup {:.1} s, total {:.1} s",
        acknowledged.iter().filter(|c| c.is_some()).count(),
        setup.as_secs_f64(),
        started.elapsed().as_secs_f64(),
    );
}
