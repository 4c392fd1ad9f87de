//! Throughput of the verification pipeline: decode, verify, reject duplicates, aggregate.
//!
//! ```text
//! cargo run --release --example throughput -- --ballots 100000 --candidates 2 [--threads 2]
//!     [--capacity N] [--file /tmp/ballots.bin] [--single 2000]
//! ```
//!
//! The contest is one choice among K, with the box's capacity (default: the number of ballots),
//! so it is packed when the totals fit (docs/SPEC.md §6.3); `--capacity 0` lays it out per
//! option.
//!
//! Generates N valid ballots (on all threads, deterministic key and seeds) into a ballot stream
//! file, unless `--file` already holds a stream generated with the same N and K, then times:
//! single verification (decode + `verify` + aggregate, on the first `--single` ballots), batched
//! streaming verification on one thread, and (feature `parallel`) batched streaming
//! verification on T threads. Prints one JSON line; `peak_rss_mib` is VmHWM, the peak resident
//! set of the whole process (generation included).

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::time::Instant;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tabella::ballot::{BallotContext, BallotId, ContestSpec, EncryptedBallot, Layout, Selection};
use tabella::board::BoxEntryKind;
use tabella::elgamal::SecretKey;
use tabella::tally::PartialTally;
use tabella::tally::stream::{BallotStreamReader, BallotStreamWriter, verify_stream};
use tabella::transcript::ElectionContext;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_owned))
        })
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = arg(&args, "--ballots").map_or(Ok(10_000), |s| s.parse())?;
    let k: u32 = arg(&args, "--candidates").map_or(Ok(2), |s| s.parse())?;
    let threads: usize = arg(&args, "--threads").map_or(Ok(2), |s| s.parse())?;
    let single_n: usize = arg(&args, "--single").map_or(Ok(2_000), |s| s.parse())?;
    let chunk: usize = arg(&args, "--chunk").map_or(Ok(2_048), |s| s.parse())?;
    let capacity: u64 = arg(&args, "--capacity").map_or(Ok(n as u64), |s| s.parse())?;
    let path = arg(&args, "--file").unwrap_or_else(|| {
        format!(
            "{}/tabella-ballots-v{}-{n}-{k}-{capacity}.bin",
            std::env::temp_dir().display(),
            tabella::domain::PROTOCOL_VERSION
        )
    });

    let sk = SecretKey::generate(&mut ChaCha20Rng::seed_from_u64(1));
    let pk = sk.public_key();
    let election = ElectionContext::new([1; 32]);
    let contest = match capacity {
        0 => ContestSpec::choose_one(0, k, false)?,
        n => ContestSpec::choose_one(0, k, false)?.with_capacity(n),
    };
    let layout = match contest.layout() {
        Layout::PerOption => "\"per_option\"".to_string(),
        Layout::Packed { base, chunk } => format!("{{\"base\":{base},\"chunk\":{chunk}}}"),
        Layout::PackedOneOfMany { base, chunk, radix } => format!(
            "{{\"base\":{base},\"chunk\":{chunk},\"radix\":{},\"digits\":{}}}",
            radix.radix(),
            radix.digits()
        ),
    };
    let ctx = BallotContext {
        election: &election,
        key: &pk,
        round: 1,
        contest: &contest,
        eligibility: None,
    };

    // Generate, unless the file already holds this stream (the size is checked by reading it).
    let start = Instant::now();
    // A file of another protocol version (or a torn one) is regenerated.
    let count_entries = || -> Result<usize, Box<dyn std::error::Error>> {
        let mut r = BallotStreamReader::new(BufReader::new(File::open(&path)?))?;
        let mut count = 0usize;
        while r.next_entry()?.is_some() {
            count += 1;
        }
        Ok(count)
    };
    let reuse = std::fs::metadata(&path).is_ok() && count_entries().is_ok_and(|c| c == n);
    if !reuse {
        let mut writer = BallotStreamWriter::new(BufWriter::new(File::create(&path)?))?;
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(4096);
        std::thread::scope(|scope| -> Result<(), Box<dyn std::error::Error>> {
            let gen_threads = threads.max(1);
            for t in 0..gen_threads {
                let tx = tx.clone();
                let contest = &contest;
                scope.spawn(move || {
                    let mut rng = ChaCha20Rng::seed_from_u64(100 + t as u64);
                    for i in (t..n).step_by(gen_threads) {
                        let choice = (i as u32 * 7 + 3) % k;
                        let Ok(selection) = Selection::new(contest, &[choice]) else {
                            return;
                        };
                        let id = BallotId::random(&mut rng);
                        let Ok((b, _)) =
                            EncryptedBallot::encrypt(&ctx, &selection, id, None, &mut rng)
                        else {
                            return;
                        };
                        if tx.send(b.to_bytes()).is_err() {
                            return;
                        }
                    }
                });
            }
            drop(tx);
            for encoded in rx {
                writer.write_encoded(BoxEntryKind::Cast, &encoded)?;
            }
            Ok(())
        })?;
        writer.finish()?;
    }
    let generate_s = start.elapsed().as_secs_f64();

    // Single: decode, verify alone, aggregate.
    let mut reader = BallotStreamReader::new(BufReader::new(File::open(&path)?))?;
    let start = Instant::now();
    let mut tally = PartialTally::empty(contest.width());
    let mut single_count = 0usize;
    while single_count < single_n.min(n) {
        let Some(entry) = reader.next_entry()? else {
            break;
        };
        let b = EncryptedBallot::from_bytes(&entry.bytes)?;
        let v = b.verify(&ctx)?;
        tally.add(v.ballot().ciphertexts())?;
        single_count += 1;
    }
    let single_us = start.elapsed().as_secs_f64() * 1e6 / single_count.max(1) as f64;

    // Batched, one thread, the whole stream.
    let mut reader = BallotStreamReader::new(BufReader::new(File::open(&path)?))?;
    let start = Instant::now();
    let serial = verify_stream(&mut reader, &ctx, chunk, |_| {})?;
    let batched_s = start.elapsed().as_secs_f64();
    if !serial.rejected.is_empty() || serial.tally.ballots() != n as u64 {
        return Err("a generated ballot was rejected".into());
    }

    #[cfg(feature = "parallel")]
    let parallel_s = {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .build()?;
        let mut reader = BallotStreamReader::new(BufReader::new(File::open(&path)?))?;
        let start = Instant::now();
        let parallel = pool.install(|| {
            tabella::tally::stream::verify_stream_parallel(
                &mut reader,
                &ctx,
                chunk,
                threads,
                |_| {},
            )
        })?;
        if parallel.tally != serial.tally {
            return Err("the parallel tally differs".into());
        }
        Some(start.elapsed().as_secs_f64())
    };
    #[cfg(not(feature = "parallel"))]
    let parallel_s: Option<f64> = None;

    let per = |s: f64| s * 1e6 / n.max(1) as f64;
    println!(
        "{{\"ballots\":{n},\"candidates\":{k},\"capacity\":{capacity},\"layout\":{layout},\
\"threads\":{threads},\"chunk\":{chunk},\
\"generate_s\":{generate_s:.1},\"single_us_per_ballot\":{single_us:.1},\
\"batched_us_per_ballot\":{:.1},\"batched_ballots_per_s\":{:.0},\
\"parallel_us_per_ballot\":{},\"parallel_ballots_per_s\":{},\"parallel_total_s\":{},\
\"peak_rss_mib\":{:.1}}}",
        per(batched_s),
        n as f64 / batched_s,
        parallel_s.map_or("null".into(), |s| format!("{:.1}", per(s))),
        parallel_s.map_or("null".into(), |s| format!("{:.0}", n as f64 / s)),
        parallel_s.map_or("null".into(), |s| format!("{s:.2}")),
        peak_rss_mib()
    );
    Ok(())
}
