//! The council election: the README's main command.
//!
//! `cargo run --release --example council [-- --scenario FILE] [--record FILE]
//! [--summary FILE] [--trustees N --threshold T] [--seed S]`
//!
//! With no arguments it replays the IOM Council's election of its Director General on
//! 15 May 2023 (`examples/scenarios/iom-2023.json`, built in): the trustees' key ceremony,
//! the members' encrypted ballots, verification, threshold decryption of each round's tally,
//! and the two-thirds rule. It prints each round's totals, the number required and the
//! outcome, and writes the record and the summary (formats in `examples/council/README.md`).

mod run;
mod scenario;

use std::process::ExitCode;

use rand_chacha::ChaCha20Rng;
use rand_core::{OsRng, SeedableRng};

use run::Options;
use scenario::Scenario;
use tabella::record::ElectionRecord;
use tabella::verify::verify_record;

const DEFAULT_SCENARIO: &str = include_str!("../scenarios/iom-2023.json");

const USAGE: &str = "\
usage: council [--scenario FILE] [--record FILE] [--summary FILE]
               [--trustees N] [--threshold T] [--seed S]

Holds an election end to end (key ceremony, encrypted ballots, verification, threshold
decryption of each round, the rules) and writes its record, verified.

  --scenario FILE   the scenario to replay (default: the IOM Council, 15 May 2023)
  --record FILE     where to write the record (default: council-record.json)
  --summary FILE    also write the JSON summary of the rounds
  --trustees N      override the scenario's number of trustees
  --threshold T     override how many trustees decrypt
  --seed S          deterministic simulation (INSECURE, for tests only)
  -h, --help        print this help";

struct Args {
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
            run::run(
                &scenario,
                &args.options,
                &mut ChaCha20Rng::seed_from_u64(seed),
            )?
        }
        None => run::run(&scenario, &args.options, &mut OsRng)?,
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
    let record = report.record();
    let json = serde_json::to_string_pretty(&record).map_err(|e| e.to_string())?;
    // Verify what a stranger would read: the file's own bytes, decoded again.
    let decoded: ElectionRecord = serde_json::from_str(&json).map_err(|e| e.to_string())?;
    let verdict = verify_record(&decoded);
    if let Some(failure) = &verdict.failure {
        return Err(format!("the record does not verify: {failure}"));
    }
    std::fs::write(&args.record, json + "\n").map_err(|e| format!("{}: {e}", args.record))?;
    println!(
        "record written to {} and verified: all {} numbered checks passed, {} check runs \
         (cargo run --release --example verify -- {})",
        args.record,
        verdict.checks_passed(),
        verdict.passed.len(),
        args.record
    );
    Ok(())
}
