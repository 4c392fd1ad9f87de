//! Four threads casting into one durable board: none of their ballots lost or doubled, and
//! every code each thread was given is the code the board gives that ballot.
//!
//! The board is one `BoardElection<SqliteStore>` behind a mutex. Each thread encrypts and
//! verifies its ballots in batches outside the lock, with an owned `RoundContext`, and then
//! locks the board only to append the verified batch (`cast_verified`: one transaction, one
//! `fsync`, for the batch). Afterwards the file is read back from a fresh store, and:
//!
//! * it holds every ballot of every thread exactly once, and nothing else in the box;
//! * the confirmation code of each ballot, recomputed from the board's entries in board order
//!   (the code chain, from the genesis code of the round), is the code its thread was given;
//! * the round is closed, decrypted and decided, the totals are the ballots' votes, and the
//!   whole record passes the verifier.
//!
//! The size is 4 × 25,000 ballots; `TABELLA_CONCURRENCY_PER_THREAD` sets another number per
//! thread.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tabella::ballot::{BallotId, EncryptedBallot};
use tabella::board::chain::Head;
use tabella::board::store::Store;
use tabella::board::{BallotHash, ConfirmationCode, Entry, EntryKind};
use tabella::election::board::BoardElection;
use tabella::election::replay::RoundEnd;
use tabella::record::BoardRecord;
use tabella::tally::BoxEntry;
use tabella_board_sqlite::SqliteStore;

#[path = "support/election.rs"]
mod election;

use election::{Officials, TempDir, ballot, ballot_id, expected_totals};

const THREADS: u64 = 4;
/// Ballots encrypted, verified and cast together.
const BATCH: u64 = 250;

/// The whole board, read back from a freshly opened store: every head recomputed and checked,
/// every entry decoded.
fn read_back(path: &std::path::Path) -> BoardRecord {
    let store = SqliteStore::open(path).unwrap();
    let stored = store.read(0, store.len().unwrap()).unwrap();
    let mut head = Head::genesis();
    let entries = stored
        .iter()
        .enumerate()
        .map(|(k, s)| {
            head = head.next(&s.bytes);
            assert_eq!(head, s.head, "entry {k}: its head is not the chain's");
            Entry::from_bytes(&s.bytes).unwrap()
        })
        .collect();
    BoardRecord::new(entries)
}

#[test]
fn four_threads_cast_into_one_durable_board() {
    let per_thread: u64 = std::env::var("TABELLA_CONCURRENCY_PER_THREAD")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(6_250);
    let total = THREADS * per_thread;
    let started = Instant::now();
    let dir = TempDir::new("concurrency");
    let path = dir.join("board.db");
    let mut officials = Officials::new("concurrency test", total, 3);
    let mut board = BoardElection::open(SqliteStore::open(&path).unwrap()).unwrap();
    officials.open(&mut board, 3);
    let ctx = board.round_context().unwrap();
    let board = Arc::new(Mutex::new(board));

    let casting = Instant::now();
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let board = Arc::clone(&board);
            let ctx = ctx.clone();
            std::thread::spawn(move || {
                let mut codes: Vec<(BallotHash, ConfirmationCode)> = Vec::new();
                let mut times = [Duration::ZERO; 3];
                let bc = ctx.ballot_context();
                let ks: Vec<u64> = (t * per_thread..(t + 1) * per_thread).collect();
                for chunk in ks.chunks(BATCH as usize) {
                    // Outside the lock: encryption (the voters' devices) and verification.
                    let t0 = Instant::now();
                    let ballots: Vec<EncryptedBallot> =
                        chunk.iter().map(|&k| ballot(&ctx, k)).collect();
                    let hashes: Vec<BallotHash> = ballots
                        .iter()
                        .map(|b| BallotHash::of(bc.election, bc.round, b))
                        .collect();
                    let t1 = Instant::now();
                    let verdicts = EncryptedBallot::verify_batch_in_order(ballots, &bc);
                    // Inside: apply and append the batch, one commit.
                    let t2 = Instant::now();
                    let results = board.lock().unwrap().cast_verified(verdicts);
                    times[0] += t1 - t0;
                    times[1] += t2 - t1;
                    times[2] += t2.elapsed();
                    assert_eq!(results.len(), chunk.len());
                    for (hash, code) in hashes.into_iter().zip(results) {
                        codes.push((hash, code.unwrap()));
                    }
                }
                (codes, times)
            })
        })
        .collect();
    let mut given: HashMap<BallotHash, ConfirmationCode> = HashMap::new();
    let mut times = [Duration::ZERO; 3];
    for t in threads {
        let (codes, spent) = t.join().unwrap();
        for (hash, code) in codes {
            assert!(
                given.insert(hash, code).is_none(),
                "a ballot given two codes"
            );
        }
        for (sum, s) in times.iter_mut().zip(spent) {
            *sum += s;
        }
    }
    let casting = casting.elapsed();
    assert_eq!(given.len() as u64, total);

    // The file read back, from a store of its own: the code of each ballot recomputed along
    // the code chain in board order, against the code its thread was given.
    let checking = Instant::now();
    let record = read_back(&path);
    let election = *Arc::clone(&board)
        .lock()
        .unwrap()
        .replay()
        .election()
        .unwrap()
        .context();
    let round = ctx.ballot_context().round;
    let mut code = ConfirmationCode::genesis(&election, round);
    let mut unchecked = given.clone();
    let mut seen = 0u64;
    for (k, entry) in record.entries().iter().enumerate() {
        if entry.kind() != EntryKind::Ballot {
            continue;
        }
        let hash = BallotHash::of_bytes(&election, round, entry.body());
        code = code.next_cast(&election, round, &hash);
        // Each ballot once: it is taken out of the map when found.
        match unchecked.remove(&hash) {
            Some(c) => assert_eq!(c, code, "entry {k}: the ballot was given another code"),
            None => panic!("entry {k}: a ballot no thread cast, or cast twice"),
        }
        seen += 1;
    }
    assert_eq!(seen, total);
    assert!(
        unchecked.is_empty(),
        "{} ballots given codes are missing",
        unchecked.len()
    );
    let checking = checking.elapsed();

    // Close, decrypt, decide, on the board that took the ballots.
    let deciding = Instant::now();
    let mut board = Arc::into_inner(board).unwrap().into_inner().unwrap();
    let totals = officials.finish(&mut board, 3);
    assert_eq!(totals, expected_totals(0..total));
    drop(board);
    let deciding = deciding.elapsed();

    // The board opened again: every entry replayed and checked where it stands (the checks of
    // the verifier), its record the entries read back, the decided box every ballot id once,
    // each with the code its thread was given, and the same totals.
    let reopening = Instant::now();
    let reopened = BoardElection::open(SqliteStore::open(&path).unwrap()).unwrap();
    assert_eq!(
        reopened.record().unwrap().to_bytes(),
        read_back(&path).to_bytes()
    );
    assert_eq!(election::decided_totals(&reopened), totals);
    let Some(RoundEnd::Decided(decided)) = reopened.replay().history().last().map(|h| &h.end)
    else {
        panic!("no decided round");
    };
    let decided_box = decided.round.ballot_box();
    assert_eq!(decided_box.len() as u64, total);
    let mut ids: Vec<BallotId> = decided_box.entries().iter().map(|e| *e.id()).collect();
    ids.sort_unstable();
    let mut expected: Vec<BallotId> = (0..total).map(ballot_id).collect();
    expected.sort_unstable();
    assert!(
        ids == expected,
        "the box's ballot ids are not the ballots cast, each once"
    );
    for (entry, code) in decided_box.entries().iter().zip(decided_box.codes()) {
        let BoxEntry::Cast(b) = entry else {
            panic!("a challenged ballot in the box");
        };
        let hash = BallotHash::of(&election, round, b.ballot());
        assert_eq!(
            given.get(&hash),
            Some(code),
            "a ballot's code differs on replay"
        );
    }
    let reopening = reopening.elapsed();

    println!(
        "concurrency test: {THREADS} threads × {per_thread} ballots = {total} in batches of \
         {BATCH}: cast in {:.1} s ({:.0} ballots/s; thread time encrypting {:.1} s, verifying \
         {:.1} s, waiting for and holding the board {:.1} s); codes recomputed in {:.1} s; \
         decided in {:.1} s; board reopened and replayed in {:.1} s; totals {totals:?}; \
         total {:.1} s",
        casting.as_secs_f64(),
        total as f64 / casting.as_secs_f64(),
        times[0].as_secs_f64(),
        times[1].as_secs_f64(),
        times[2].as_secs_f64(),
        checking.as_secs_f64(),
        deciding.as_secs_f64(),
        reopening.as_secs_f64(),
        started.elapsed().as_secs_f64(),
    );
}
