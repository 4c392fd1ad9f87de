//! The cost of voter credentials per ballot in the batched verification path (docs/SPEC.md
//! §16.3): decode + verify in batches, the same ballots' contest with and without a roll,
//! measured in one run, alternating, and reported as medians and their ratio.
//!
//! ```text
//! cargo run --release --example credentials_cost -- [--ballots 2048] [--repeats 7]
//!     [--batch 1024] [--candidates 2] [--per-option]
//! ```
//!
//! The contest is the council's: one choice among K with an explicit abstention, packed for a
//! box of `--ballots` (docs/SPEC.md §6.3); `--per-option` lays it out one ciphertext per slot
//! (a larger ballot: more proofs for the signature to be compared with). With a roll every ballot also carries its public
//! credential and a signature: one more point (R) to decompress, the credential's point taken
//! from the roll (decoded once, when the roll is read), and one more equation in the batch.
//! Prints one JSON line.

use std::sync::Arc;
use std::time::Instant;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tabella::ballot::{BallotContext, BallotId, ContestSpec, EncryptedBallot, Selection};
use tabella::credential::{Eligibility, Roll, SecondBallot};
use tabella::elgamal::SecretKey;
use tabella::transcript::ElectionContext;

fn arg(args: &[String], name: &str, default: usize) -> Result<usize, Box<dyn std::error::Error>> {
    match args.iter().position(|a| a == name) {
        Some(i) => Ok(args.get(i + 1).ok_or("a flag needs a value")?.parse()?),
        None => Ok(default),
    }
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Decodes and verifies every ballot in batches of `batch`; panics if one is rejected (the
/// ballots are honest, so a rejection is a bug worth stopping for).
fn decode_and_verify(encoded: &[Vec<u8>], ctx: &BallotContext<'_>, batch: usize) -> f64 {
    let start = Instant::now();
    for chunk in encoded.chunks(batch) {
        let ballots: Vec<EncryptedBallot> = chunk
            .iter()
            .map(|b| EncryptedBallot::from_bytes(b).expect("an honest ballot decodes"))
            .collect();
        let outcome = EncryptedBallot::verify_batch(ballots, ctx);
        assert!(outcome.rejected.is_empty(), "{:?}", outcome.rejected);
    }
    start.elapsed().as_secs_f64()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!(
            "usage: credentials_cost [--ballots N] [--repeats R] [--batch B] [--candidates K] \
             [--per-option]"
        );
        return Ok(());
    }
    let n = arg(&args, "--ballots", 2048)?.max(1);
    let repeats = arg(&args, "--repeats", 7)?.max(1);
    let batch = arg(&args, "--batch", 1024)?.max(1);
    let k = u32::try_from(arg(&args, "--candidates", 2)?)?;

    let mut rng = ChaCha20Rng::seed_from_u64(2023);
    let election = ElectionContext::new([0x15; 32]);
    let key = SecretKey::generate(&mut rng).public_key();
    let per_option = args.iter().any(|a| a == "--per-option");
    let contest = ContestSpec::choose_one(0, k, true)?;
    let contest = if per_option {
        contest
    } else {
        contest.with_capacity(n as u64)
    };
    let (roll, credentials) = Roll::issue(n.min(tabella::credential::MAX_ROLL_LEN), &mut rng)?;
    let eligibility = Eligibility {
        roll: Arc::new(roll),
        second_ballot: SecondBallot::Refused,
    };
    let plain = BallotContext {
        election: &election,
        key: &key,
        round: 1,
        contest: &contest,
        eligibility: None,
    };
    let signed = BallotContext {
        eligibility: Some(&eligibility),
        ..plain
    };
    let mut make = |ctx: &BallotContext<'_>, with_credentials: bool| {
        (0..n)
            .map(|i| {
                let choice = u32::try_from(i).unwrap_or(0) % k;
                let selection = Selection::new(ctx.contest, &[choice])?;
                let credential = with_credentials
                    .then(|| credentials.get(i % credentials.len()))
                    .flatten();
                let id = BallotId::random(&mut rng);
                Ok(
                    EncryptedBallot::encrypt(ctx, &selection, id, credential, &mut rng)?
                        .0
                        .to_bytes(),
                )
            })
            .collect::<Result<Vec<_>, tabella::Error>>()
    };
    let without = make(&plain, false)?;
    let with = make(&signed, true)?;

    // Warm up once each, then alternate so that both see the same machine.
    decode_and_verify(&without, &plain, batch);
    decode_and_verify(&with, &signed, batch);
    let (mut t_without, mut t_with) = (Vec::new(), Vec::new());
    for _ in 0..repeats {
        t_without.push(decode_and_verify(&without, &plain, batch) / n as f64 * 1e6);
        t_with.push(decode_and_verify(&with, &signed, batch) / n as f64 * 1e6);
    }
    let (m_without, m_with) = (median(t_without.clone()), median(t_with.clone()));
    println!(
        "{{\"ballots\":{n},\"candidates\":{k},\"layout\":\"{:?}\",\"batch\":{batch},\
         \"repeats\":{repeats},\
         \"bytes_without\":{},\"bytes_with\":{},\
         \"us_per_ballot_without\":{m_without:.2},\"us_per_ballot_with\":{m_with:.2},\
         \"ratio\":{:.3},\"runs_without\":{:?},\"runs_with\":{:?}}}",
        contest.layout(),
        without[0].len(),
        with[0].len(),
        m_with / m_without,
        t_without
            .iter()
            .map(|x| (x * 100.0).round() / 100.0)
            .collect::<Vec<_>>(),
        t_with
            .iter()
            .map(|x| (x * 100.0).round() / 100.0)
            .collect::<Vec<_>>(),
    );
    Ok(())
}
