//! The council election: the README's main command.
//!
//! `cargo run --release --example council [-- --board FILE] [--scenario FILE]
//! [--record FILE] [--summary FILE] [--trustees N --threshold T] [--seed S]`
//!
//! With no arguments it replays the IOM Council's election of its Director General on
//! 15 May 2023 (`examples/scenarios/iom-2023.json`, built in) on a board in memory: the roll
//! of the members' credentials, the trustees' key ceremony, the members' encrypted ballots,
//! each signed with its member's credential, verification, threshold decryption
//! of each round's tally, and the two-thirds rule, each step an entry of the board. It prints
//! each round's totals, the number required and the outcome, and writes the record (the
//! board, exported) and the summary (formats in `examples/council/README.md`).
//!
//! With `--board FILE` the board is a SQLite file, and the simulated trustees' sealed states
//! and the simulation seed are kept beside it: run it again on the same FILE after any
//! interruption, even `kill -9`, and it resumes where the board stands.

mod parties;
mod run;
mod scenario;

use std::process::ExitCode;

use rand_chacha::ChaCha20Rng;
use rand_core::{OsRng, SeedableRng};

use parties::Parties;
use run::Options;
use scenario::Scenario;
use tabella::election::BoardElection;
use tabella::record::BoardRecord;
use tabella::verify::{Check, verify_record};
use tabella_board_sqlite::SqliteStore;

const DEFAULT_SCENARIO: &str = include_str!("../scenarios/iom-2023.json");

const USAGE: &str = "\
usage: council [--board FILE] [--scenario FILE] [--record FILE] [--summary FILE]
               [--trustees N] [--threshold T] [--seed S]

Holds an election end to end on a board (the roll of credentials, key ceremony, encrypted
ballots signed with the members' credentials, verification, threshold decryption of each
round, the rules) and writes its record, verified.

  --board FILE      keep the board in the SQLite file FILE (and the simulation seed and the
                    simulated trustees' sealed states beside it); run again with the same
                    FILE to resume
  --scenario FILE   the scenario to replay (default: the IOM Council, 15 May 2023)
  --record FILE     where to write the record (default: council-record.json)
  --summary FILE    also write the JSON summary of the rounds
  --trustees N      override the scenario's number of trustees
  --threshold T     override how many trustees decrypt
  --seed S          deterministic simulation (INSECURE, for tests only)
  -h, --help        print this help";

struct Args {
    board: Option<String>,
    scenario: Option<String>,
    summary: Option<String>,
    record: String,
    seed: Option<u64>,
    options: Options,
}

/// What the command line asks for.
enum Command {
    Run(Args),
    Help,
}

fn parse_args() -> Result<Command, String> {
    let mut args = Args {
        board: None,
        scenario: None,
        summary: None,
        record: "council-record.json".into(),
        seed: None,
        options: Options::default(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--board" => args.board = Some(value()?),
            "--scenario" => args.scenario = Some(value()?),
            "--summary" => args.summary = Some(value()?),
            "--record" => args.record = value()?,
            "--seed" => args.seed = Some(value()?.parse().map_err(|_| "--seed takes an integer")?),
            "--trustees" => {
                args.options.trustees = Some(
                    value()?
                        .parse()
                        .map_err(|_| "--trustees takes an integer")?,
                )
            }
            "--threshold" => {
                args.options.threshold = Some(
                    value()?
                        .parse()
                        .map_err(|_| "--threshold takes an integer")?,
                )
            }
            "-h" | "--help" => return Ok(Command::Help),
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    Ok(Command::Run(args))
}

fn main() -> ExitCode {
    match main_inner() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn main_inner() -> Result<(), String> {
    let args = match parse_args()? {
        Command::Help => {
            println!("{USAGE}");
            return Ok(());
        }
        Command::Run(args) => args,
    };
    let text = match &args.scenario {
        Some(path) => std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?,
        None => DEFAULT_SCENARIO.to_string(),
    };
    let scenario = Scenario::parse(&text)?;
    let report = match args.seed {
        Some(seed) => {
            println!("(deterministic simulation with --seed {seed}: INSECURE, for testing only)");
            hold(&args, &scenario, &mut ChaCha20Rng::seed_from_u64(seed))?
        }
        None => hold(&args, &scenario, &mut OsRng)?,
    };
    for line in &report.table {
        println!("{line}");
    }
    // Nothing is written unless the whole run succeeded.
    if let Some(path) = &args.summary {
        let text = serde_json::to_string_pretty(&report.summary).map_err(|e| e.to_string())?;
        std::fs::write(path, text + "\n").map_err(|e| format!("{path}: {e}"))?;
        println!("summary written to {path}");
    }
    let json = serde_json::to_string_pretty(&report.record).map_err(|e| e.to_string())?;
    // Verify what a stranger would read: the file's own bytes, decoded again.
    let decoded: BoardRecord = serde_json::from_str(&json).map_err(|e| e.to_string())?;
    let verdict = verify_record(&decoded);
    if let Some(failure) = &verdict.failure {
        return Err(format!("the record does not verify: {failure}"));
    }
    std::fs::write(&args.record, json + "\n").map_err(|e| format!("{}: {e}", args.record))?;
    println!(
        "record written to {} ({} board entries) and verified: all checks passed, {} of the \
         {} numbered checks had something to check (cargo run --release --example verify -- {})",
        args.record,
        decoded.entries().len(),
        verdict.checks_passed(),
        Check::ALL.len(),
        args.record
    );
    Ok(())
}

/// Holds the election: on a board in memory, or on the SQLite board `--board` names (new, or
/// where an earlier run left it).
fn hold<R: rand_core::RngCore + rand_core::CryptoRng>(
    args: &Args,
    scenario: &Scenario,
    rng: &mut R,
) -> Result<run::Report, String> {
    let Some(path) = &args.board else {
        return run::run(scenario, &args.options, rng);
    };
    let store = SqliteStore::open(path).map_err(|e| format!("{path}: {e}"))?;
    let board = BoardElection::open(store).map_err(|e| format!("{path}: {e}"))?;
    if !board.is_empty() {
        println!("resuming the board {path} at entry {}", board.len());
    }
    let mut seed = [0u8; 32];
    rng.fill_bytes(&mut seed);
    let parties = Parties::beside(std::path::Path::new(path), board.is_empty(), seed)?;
    run::run_on(board, scenario, &args.options, &parties, rng).map_err(|e| format!("{path}: {e}"))
}
