//! The council example's scenarios, end to end: every `expected` field of every scenario in
//! `examples/scenarios/` must match the summary computed through encryption, verification and
//! threshold decryption, on a board; and the election on a durable board survives `kill -9`
//! at any moment. Every record has its roll: one credential per eligible member, posted before
//! the first round, and every ballot is signed with a credential of it, a different one for each
//! ballot of a round.

#[allow(dead_code)]
#[path = "../examples/council/scenario.rs"]
mod scenario;

#[allow(dead_code)]
#[path = "../examples/council/parties.rs"]
mod parties;

#[allow(dead_code)]
#[path = "../examples/council/run.rs"]
mod run;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use std::collections::HashSet;

use rand_core::RngCore;
use tabella::ballot::EncryptedBallot;
use tabella::board::Store;
use tabella::board::entry::EntryKind;
use tabella::credential::Roll;
use tabella::election::{BoardElection, RoundEnd};
use tabella::record::BoardRecord;
use tabella_board_sqlite::SqliteStore;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::Value;

use run::Options;
use scenario::Scenario;

/// Every key of `expected` is in `actual` with the same value (recursively for objects and
/// arrays of objects).
fn assert_subset(expected: &Value, actual: &Value, path: &str) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, v) in e {
                let got = a
                    .get(k)
                    .unwrap_or_else(|| panic!("{path}.{k}: missing from the summary"));
                assert_subset(v, got, &format!("{path}.{k}"));
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            assert_eq!(e.len(), a.len(), "{path}: length");
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                assert_subset(ev, av, &format!("{path}[{i}]"));
            }
        }
        _ => assert_eq!(expected, actual, "{path}"),
    }
}

/// What the record says about credentials: the roll (posted once, before the first round, with
/// `eligible` credentials) and, per round, the credentials the ballots are signed with, each
/// on the roll and none twice in a round.
fn credentials_of(record: &BoardRecord, eligible: u64) -> (Roll, Vec<Vec<[u8; 32]>>) {
    let mut roll = None;
    let mut rounds: Vec<Vec<[u8; 32]>> = Vec::new();
    for (k, entry) in record.entries().iter().enumerate() {
        match entry.kind() {
            EntryKind::Roll => {
                assert!(roll.is_none(), "entry {k}: a second roll");
                assert!(
                    rounds.is_empty(),
                    "entry {k}: the roll after a round opened"
                );
                roll = Some(Roll::from_bytes(entry.body()).unwrap());
            }
            EntryKind::RoundOpen | EntryKind::Acclamation => rounds.push(Vec::new()),
            EntryKind::Ballot => {
                let ballot = EncryptedBallot::from_bytes(entry.body()).unwrap();
                let credential = ballot
                    .credential()
                    .unwrap_or_else(|| panic!("entry {k}: a ballot without a credential"));
                let round = rounds.last_mut().expect("a ballot before any round");
                round.push(credential.to_bytes());
            }
            _ => {}
        }
    }
    let roll = roll.expect("the record has no roll");
    assert_eq!(
        roll.len() as u64,
        eligible,
        "one credential per eligible member"
    );
    for (r, signed) in rounds.iter().enumerate() {
        let distinct: HashSet<_> = signed.iter().collect();
        assert_eq!(
            distinct.len(),
            signed.len(),
            "round {}: a credential twice",
            r + 1
        );
        for c in signed {
            let c = tabella::credential::PublicCredential(*c);
            assert!(roll.contains(&c), "round {}: {c} is not on the roll", r + 1);
        }
    }
    (roll, rounds)
}

fn run_file(path: &std::path::Path, seed: u64) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    let scenario = Scenario::parse(&text).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let report = run::run(&scenario, &Options::default(), &mut rng)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if let Some(expected) = &scenario.expected {
        assert_subset(expected, &report.summary, &path.display().to_string());
    }
    // Every scenario's record verifies, from its JSON form.
    let json = serde_json::to_string(&report.record).unwrap();
    let record: BoardRecord = serde_json::from_str(&json).unwrap();
    let verdict = tabella::verify::verify_record(&record);
    assert!(verdict.is_ok(), "{}: {:?}", path.display(), verdict.failure);
    let (roll, _) = credentials_of(&record, scenario.eligible);
    assert_eq!(report.summary["roll"]["credentials"], roll.len());
    assert_eq!(report.summary["roll"]["second_ballot"], "refused");
    report.summary
}

#[test]
fn each_member_present_signs_one_ballot_with_its_own_credential() {
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let report = run::run(&iom(), &Options::default(), &mut rng).unwrap();
    let (roll, rounds) = credentials_of(&report.record, 171);
    // Round 1: the 165 members present each sign one ballot; the 6 others cast nothing.
    // Round 2 is an acclamation: no ballot.
    let counts: Vec<usize> = rounds.iter().map(Vec::len).collect();
    assert_eq!(counts, [165, 0]);
    // Nothing a reader gets links a member to a credential: the summary and the table name
    // no credential at all.
    let text = format!("{}\n{}", report.summary, report.table.join("\n"));
    for c in roll.credentials() {
        assert!(!text.contains(&c.to_string()), "{c} is in the summary");
    }
    assert!(
        report.table.iter().any(|l| l
            == "roll: 171 credentials posted by the credential authority; a second \
                        ballot is refused"),
        "{:?}",
        report.table
    );
}

#[test]
fn the_same_seed_gives_the_same_credentials_and_another_seed_others() {
    let roll = |seed: u64| {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let report = run::run(&iom(), &Options::default(), &mut rng).unwrap();
        credentials_of(&report.record, 171)
    };
    let (a, signed_a) = roll(4);
    let (b, signed_b) = roll(4);
    let (c, _) = roll(6);
    assert_eq!(a, b);
    assert_eq!(
        signed_a, signed_b,
        "the same members sign, in the same order"
    );
    assert_ne!(a, c);
}

#[test]
fn every_scenario_matches_its_expected_outcome() {
    let mut count = 0;
    for entry in std::fs::read_dir("examples/scenarios").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            run_file(&path, 7);
            count += 1;
        }
    }
    assert!(count >= 8, "only {count} scenarios");
}

#[test]
fn iom_2023_round_by_round() {
    let summary = run_file(std::path::Path::new("examples/scenarios/iom-2023.json"), 1);
    let r1 = &summary["rounds"][0];
    assert_eq!(r1["totals"]["Amy E. Pope"], 98);
    assert_eq!(r1["totals"]["António Vitorino"], 67);
    assert_eq!(r1["present_and_voting"], 165);
    assert_eq!(r1["required"], 110);
    assert_eq!(r1["elected"], Value::Null);
    let r2 = &summary["rounds"][1];
    assert_eq!(r2["ballot"], "acclamation");
    assert_eq!(r2["withdrawn"][0], "António Vitorino");
    assert_eq!(r2["elected"], "Amy E. Pope");
    assert_eq!(summary["elected"], "Amy E. Pope");
}

#[test]
fn the_shared_scenario_is_the_built_in_one() {
    let shared = std::path::Path::new("../shared/scenarios/iom-2023.json");
    if let Ok(text) = std::fs::read_to_string(shared) {
        let ours = std::fs::read_to_string("examples/scenarios/iom-2023.json").unwrap();
        assert_eq!(text, ours);
    }
}

fn base() -> Value {
    serde_json::from_str(include_str!("../examples/scenarios/iom-2023.json")).unwrap()
}

fn rejects(mutate: impl FnOnce(&mut Value), needle: &str) {
    let mut v = base();
    mutate(&mut v);
    let scenario = Scenario::parse(&v.to_string());
    let error = match scenario {
        Err(e) => e,
        Ok(s) => run::run(&s, &Options::default(), &mut ChaCha20Rng::seed_from_u64(3))
            .expect_err("a contradictory scenario must be rejected"),
    };
    assert!(
        error.contains(needle),
        "{error:?} does not mention {needle:?}"
    );
}

#[test]
fn contradictory_scenarios_are_rejected_with_a_clear_error() {
    rejects(
        |v| v["rounds"][0]["votes"]["Amy E. Pope"] = 200.into(),
        "eligible",
    );
    rejects(
        |v| v["rounds"][0]["votes"]["Nobody"] = 1.into(),
        "unknown candidate",
    );
    rejects(
        |v| v["rounds"][1] = serde_json::json!({"acclamation": true}),
        "exactly one candidate",
    );
    rejects(
        |v| {
            v["rounds"][1] = serde_json::json!({"withdrawn": ["António Vitorino"], "ballot": "choose_one",
                "votes": {"António Vitorino": 3, "Amy E. Pope": 4}})
        },
        "left the race",
    );
    rejects(|v| v["eligible"] = 176.into(), "eligible");
    rejects(|v| v["unexpected"] = 1.into(), "unknown field");
    rejects(|v| v["threshold"] = 6.into(), "threshold");
    rejects(
        |v| {
            v["rounds"][0]["resolve_tie"] =
                serde_json::json!({"eliminate": "António Vitorino", "by": "lot"})
        },
        "left none",
    );
    rejects(
        |v| {
            v["rounds"][0]["resolve_tie"] =
                serde_json::json!({"eliminate": "António Vitorino", "by": "coin"})
        },
        "lot",
    );
}

/// The environment variable that makes [`crash_child`] run: the board file to hold the
/// election on.
const CHILD_BOARD: &str = "TABELLA_COUNCIL_CRASH_BOARD";

fn iom() -> scenario::Scenario {
    scenario::Scenario::parse(include_str!("../examples/scenarios/iom-2023.json")).unwrap()
}

/// Holds (or resumes) the IOM election on the SQLite board at `path`, as
/// `council --board path` does.
fn hold_on_file(path: &Path, seed: u64) -> Result<run::Report, String> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let store = SqliteStore::open(path).map_err(|e| e.to_string())?;
    let board = BoardElection::open(store).map_err(|e| e.to_string())?;
    let mut sim = [0u8; 32];
    rng.fill_bytes(&mut sim);
    let parties = parties::Parties::beside(path, board.is_empty(), sim)?;
    run::run_on(board, &iom(), &Options::default(), &parties, &mut rng)
}

/// Not a test of its own: the child process of
/// [`kill_9_at_any_moment_then_resume_gives_the_same_election`]. It does nothing unless
/// [`CHILD_BOARD`] is set.
#[test]
fn crash_child() {
    let Some(path) = std::env::var_os(CHILD_BOARD) else {
        return;
    };
    let seed = std::env::var("TABELLA_COUNCIL_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    hold_on_file(Path::new(&path), seed).unwrap();
    println!("DONE");
}

fn spawn_child(board: &Path, seed: u64) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
        .env(CHILD_BOARD, board)
        .env("TABELLA_COUNCIL_CRASH_SEED", seed.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// What the board says after a kill: it opens (no torn entry), its record verifies as far as
/// it goes, and every ballot of a round is there once.
fn check_after_kill(board: &Path) -> u64 {
    let store = SqliteStore::open(board).unwrap();
    let election = BoardElection::open(store).expect("the board opens after a kill");
    let record = election.record().unwrap();
    // Killed before the manifest was appended: an empty board, nothing to verify yet.
    if !record.entries().is_empty() {
        let report = tabella::verify::verify_record(&record);
        assert!(report.is_ok(), "after a kill: {:?}", report.failure);
    }
    if let Some(open) = election.replay().open_round() {
        let mut ids: Vec<_> = open
            .ballot_box()
            .ballots()
            .map(|b| *b.ballot().id())
            .collect();
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n, "a ballot was cast twice");
        let signed: HashSet<_> = open
            .ballot_box()
            .ballots()
            .filter_map(|b| b.ballot().credential().copied())
            .collect();
        assert_eq!(
            signed.len(),
            n,
            "a member voted twice, or a ballot is unsigned"
        );
    }
    if !election.replay().history().is_empty() || election.replay().open_round().is_some() {
        let roll = election
            .replay()
            .roll()
            .expect("a round opened without the roll");
        assert_eq!(roll.len(), 171);
    }
    election.store().len().unwrap()
}

/// The council election on a SQLite board, killed with SIGKILL at random moments (at least 20
/// times, in every phase: ceremony, casting, close, decryption, result), resumed each time on
/// the same board, ends with the same result as an uninterrupted run, and its record verifies.
#[test]
fn kill_9_at_any_moment_then_resume_gives_the_same_election() {
    let dir = std::env::temp_dir().join(format!("tabella-council-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let expected = run::run(
        &iom(),
        &Options::default(),
        &mut ChaCha20Rng::seed_from_u64(5),
    )
    .unwrap()
    .summary;

    // How long an uninterrupted run takes here, to spread the kills over it.
    let timed: PathBuf = dir.join("timed.db");
    let start = Instant::now();
    let mut child = spawn_child(&timed, 1);
    assert!(child.wait().unwrap().success());
    let full = start.elapsed().max(Duration::from_millis(50));

    let mut rng = ChaCha20Rng::seed_from_u64(2026);
    let (mut kills, mut boards, mut finished) = (0u32, 0u32, 0u32);
    let mut positions = Vec::new();
    while kills < 24 {
        boards += 1;
        let board = dir.join(format!("board-{boards}.db"));
        // Kill runs on this board until one finishes.
        loop {
            let mut child = spawn_child(&board, u64::from(kills) + 100);
            let delay = full.mul_f64((rng.next_u32() % 1000) as f64 / 1000.0);
            std::thread::sleep(delay);
            let done = child.try_wait().unwrap().is_some();
            if !done {
                child.kill().unwrap();
            }
            child.wait().unwrap();
            let mut out = String::new();
            for line in BufReader::new(child.stdout.take().unwrap()).lines() {
                out.push_str(&line.unwrap());
            }
            if done {
                assert!(out.contains("DONE"), "the child failed: {out}");
                finished += 1;
                break;
            }
            kills += 1;
            positions.push(check_after_kill(&board));
        }
        // The resumed election is the uninterrupted one.
        let report = hold_on_file(&board, 9).unwrap();
        assert_eq!(report.summary, expected, "board {boards}");
        let verdict = tabella::verify::verify_record(&report.record);
        assert!(verdict.is_ok(), "{:?}", verdict.failure);
        let cast: u64 = BoardElection::open(SqliteStore::open(&board).unwrap())
            .unwrap()
            .replay()
            .history()
            .iter()
            .map(|h| match &h.end {
                RoundEnd::Decided(d) => d.round.ballot_box().len() as u64,
                RoundEnd::Acclaimed { .. } => 0,
            })
            .sum();
        assert_eq!(cast, 165, "every member's ballot once");
    }
    positions.sort();
    println!(
        "council on a SQLite board: {kills} kills (SIGKILL) over {boards} boards, {finished} \
         runs finished, killed at board entries {positions:?}; every resumed election gave the \
         uninterrupted result"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
