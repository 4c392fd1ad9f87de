//! Throughput of the verification pipeline: decode, verify, reject duplicates, aggregate.
//!
//! ```text
//! cargo run --release --features parallel --example throughput -- --ballots 100000 --candidates 2
//!     [--threads 2] [--capacity N] [--file /tmp/ballots.bin] [--single 2000] [--chunk 2048]
//!     [--credentials [--district 65535] [--seed 7]] [--dir /tmp] [--generate-only]
//! ```
//!
//! The contest is one choice among K, with the box's capacity (default: the number of ballots
//! of the box), so it is packed when the totals fit (docs/SPEC.md §6.3); `--capacity 0` lays it
//! out per option.
//!
//! Generates N valid ballots (on all threads, deterministic key and seeds) into a ballot stream
//! file, unless `--file` already holds a stream generated with the same N and K, then times,
//! from the file: single verification (decode + `verify` + aggregate, on the first `--single`
//! ballots), batched streaming verification on one thread, and (feature `parallel`) batched
//! streaming verification on T threads (`--generate-only`: only the files). Prints one JSON
//! line; `peak_rss_mib` is VmHWM, the peak resident set of the whole process (generation
//! included).
//!
//! # With credentials
//!
//! `--credentials` signs every ballot with its own voter's credential (docs/SPEC.md §16), and a
//! second ballot of a credential is refused. A roll holds at most 65,535 credentials, so the
//! electorate is split into districts of at most `--district` members (default: the most even
//! split into districts of at most 65,535), one board each: each district has its own roll,
//! its own box (capacity: its number of members, unless `--capacity` says otherwise) and its
//! own stream. The files go under `--dir` (default: the temporary directory), in a directory
//! named for the parameters, as `district-NNNN.roll` (the roll's encoding, as a board holds it)
//! and `district-NNNN.bin` (the stream).
//!
//! The credentials are **derived from `--seed`** (member i of district d: a ChaCha20 RNG keyed
//! with the seed, d and i), so a district's files can be checked and regenerated without
//! storing any secret. That is for a benchmark only: anyone who knows the seed holds every
//! credential. A district's files are reused when the roll decodes, has the district's size and
//! holds its first and last member's derived credentials, and the stream holds as many entries.
//!
//! The timed runs read each district's roll from its file (decoding it decompresses every
//! credential: `roll_load_s`, part of every total) and verify its stream; the totals are summed
//! over the districts. `batched` verifies the districts in sequence on one thread (`verify_stream`);
//! `parallel` verifies them in sequence with `verify_stream_parallel` on T threads; and, with
//! more than one district, `districts_parallel` verifies T districts at once, one thread each.
//!
//! # The floor
//!
//! The example also times what no verifier can avoid on this machine: decompressing a point,
//! and a variable-time multiscalar multiplication of a chunk's size (per point), and prints the
//! floor per ballot (points to decompress × the one, multiscalar terms × the other) and each
//! measured figure ÷ that floor (on T threads: per ballot × T ÷ floor). Every timing of the
//! floor is the median of 11 runs.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use tabella::ballot::{BallotContext, BallotId, ContestSpec, EncryptedBallot, Layout, Selection};
use tabella::board::BoxEntryKind;
use tabella::credential::{CredentialSecret, Eligibility, MAX_ROLL_LEN, Roll, SecondBallot};
use tabella::curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use tabella::curve25519_dalek::scalar::Scalar;
use tabella::curve25519_dalek::traits::VartimeMultiscalarMul;
use tabella::elgamal::{PublicKey, SecretKey};
use tabella::tally::EncryptedTally;
use tabella::tally::PartialTally;
use tabella::tally::stream::{BallotStreamReader, BallotStreamWriter, verify_stream};
use tabella::transcript::ElectionContext;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

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

/// The credential of member `member` of district `district`, derived from `seed` (a
/// benchmark's credentials: anyone who knows the seed holds them all).
fn derived_credential(seed: u64, district: usize, member: usize) -> CredentialSecret {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&(district as u64).to_le_bytes());
    key[16..24].copy_from_slice(&(member as u64).to_le_bytes());
    key[24..].copy_from_slice(b"tbcredex");
    CredentialSecret::generate(&mut ChaCha20Rng::from_seed(key))
}

/// One board: its ballots, its contest, its files.
struct District {
    index: usize,
    size: usize,
    contest: ContestSpec,
    stream: PathBuf,
    /// The roll's file, with credentials.
    roll: Option<PathBuf>,
}

/// Everything a timed run needs besides the districts.
struct Setup {
    election: ElectionContext,
    key: PublicKey,
    threads: usize,
    chunk: usize,
}

/// The number of entries in a stream file (an error if it is torn or of another version).
fn count_entries(path: &Path) -> Res<usize> {
    let mut r = BallotStreamReader::new(BufReader::new(File::open(path)?))?;
    let mut count = 0usize;
    while r.next_entry()?.is_some() {
        count += 1;
    }
    Ok(count)
}

/// Reads a roll from its file (decoding decompresses every credential).
fn load_roll(path: &Path) -> Res<Roll> {
    Ok(Roll::from_bytes(&std::fs::read(path)?)?)
}

/// Whether the district's files already hold what this run would generate.
fn reusable(d: &District, seed: u64) -> bool {
    let stream_ok =
        std::fs::metadata(&d.stream).is_ok() && count_entries(&d.stream).is_ok_and(|c| c == d.size);
    let roll_ok = match &d.roll {
        None => true,
        Some(path) => load_roll(path).is_ok_and(|roll| {
            roll.len() == d.size
                && roll.contains(&derived_credential(seed, d.index, 0).public())
                && roll.contains(&derived_credential(seed, d.index, d.size - 1).public())
        }),
    };
    stream_ok && roll_ok
}

/// Runs `f(t)` for t in 0..threads on scoped threads and collects the results in order.
fn on_threads<T: Send>(threads: usize, f: impl Fn(usize) -> T + Sync) -> Res<Vec<T>> {
    std::thread::scope(|scope| {
        let f = &f;
        let handles: Vec<_> = (0..threads).map(|t| scope.spawn(move || f(t))).collect();
        handles
            .into_iter()
            .map(|h| h.join().map_err(|_| "a thread panicked".into()))
            .collect()
    })
}

/// Generates a district's roll (if any) and stream on `threads` threads.
fn generate(d: &District, setup: &Setup, seed: u64) -> Res<()> {
    let threads = setup.threads.max(1);
    // The members' credentials, derived on all threads, in member order.
    let secrets: Vec<CredentialSecret> = match d.roll {
        None => Vec::new(),
        Some(_) => {
            let parts = on_threads(threads, |t| {
                (t..d.size)
                    .step_by(threads)
                    .map(|i| derived_credential(seed, d.index, i))
                    .collect::<Vec<_>>()
            })?;
            let mut parts: Vec<_> = parts.into_iter().map(Vec::into_iter).collect();
            let mut secrets = Vec::with_capacity(d.size);
            for i in 0..d.size {
                let next = parts.get_mut(i % threads).and_then(Iterator::next);
                secrets.push(next.ok_or("a credential is missing")?);
            }
            secrets
        }
    };
    let eligibility = match &d.roll {
        None => None,
        Some(path) => {
            let roll = Roll::new(secrets.iter().map(CredentialSecret::public))?;
            std::fs::write(path, roll.to_bytes())?;
            Some(Eligibility {
                roll: Arc::new(roll),
                second_ballot: SecondBallot::Refused,
            })
        }
    };
    let ctx = BallotContext {
        election: &setup.election,
        key: &setup.key,
        round: 1,
        contest: &d.contest,
        eligibility: eligibility.as_ref(),
    };
    let k = d.contest.options();
    let mut writer = BallotStreamWriter::new(BufWriter::new(File::create(&d.stream)?))?;
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(4096);
    std::thread::scope(|scope| -> Res<()> {
        for t in 0..threads {
            let tx = tx.clone();
            let (ctx, secrets) = (&ctx, &secrets);
            scope.spawn(move || {
                let mut rng = ChaCha20Rng::seed_from_u64(100 + t as u64 + ((d.index as u64) << 32));
                for i in (t..d.size).step_by(threads) {
                    let choice = (i as u32).wrapping_mul(7).wrapping_add(3) % k;
                    let Ok(selection) = Selection::new(ctx.contest, &[choice]) else {
                        return;
                    };
                    let id = BallotId::random(&mut rng);
                    let Ok((b, _)) =
                        EncryptedBallot::encrypt(ctx, &selection, id, secrets.get(i), &mut rng)
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
        let mut written = 0usize;
        for encoded in rx {
            writer.write_encoded(BoxEntryKind::Cast, &encoded)?;
            written += 1;
        }
        if written != d.size {
            return Err("a ballot could not be generated".into());
        }
        Ok(())
    })?;
    writer.finish()?;
    Ok(())
}

/// A stream verifier: `verify_stream` or `verify_stream_parallel`, returning the tally.
type StreamVerifier<'a> = dyn Fn(&mut BallotStreamReader<BufReader<File>>, &BallotContext<'_>) -> Res<EncryptedTally>
    + Sync
    + 'a;

/// What verifying one district's stream gave, and how long reading its roll took.
struct Verified {
    tally: EncryptedTally,
    roll_s: f64,
}

/// Verifies one district from its files: reads its roll, then its stream with `verify` (one
/// of `verify_stream` or `verify_stream_parallel`); every ballot must be admitted.
fn verify_district(d: &District, setup: &Setup, verify: &StreamVerifier<'_>) -> Res<Verified> {
    let start = Instant::now();
    let eligibility = match &d.roll {
        None => None,
        Some(path) => Some(Eligibility {
            roll: Arc::new(load_roll(path)?),
            second_ballot: SecondBallot::Refused,
        }),
    };
    let roll_s = start.elapsed().as_secs_f64();
    let ctx = BallotContext {
        election: &setup.election,
        key: &setup.key,
        round: 1,
        contest: &d.contest,
        eligibility: eligibility.as_ref(),
    };
    let mut reader = BallotStreamReader::new(BufReader::new(File::open(&d.stream)?))?;
    let tally = verify(&mut reader, &ctx)?;
    if tally.ballots() != d.size as u64 {
        return Err(format!("district {}: a generated ballot was rejected", d.index).into());
    }
    Ok(Verified { tally, roll_s })
}

/// Median of `runs` timings of `f`, in seconds.
fn median_s(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times.get(times.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The floor: µs to decompress one point, and µs per point of a vartime multiscalar
/// multiplication of `size` points (medians of 11 runs).
fn floor_us(size: usize) -> (f64, f64) {
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let mut wide = [0u8; 64];
    let mut random_point = |rng: &mut ChaCha20Rng| {
        rng.fill_bytes(&mut wide);
        RistrettoPoint::from_uniform_bytes(&wide)
    };
    let compressed: Vec<CompressedRistretto> = (0..4_096)
        .map(|_| random_point(&mut rng).compress())
        .collect();
    let decompress = median_s(11, || {
        let ok = compressed
            .iter()
            .filter(|c| c.decompress().is_some())
            .count();
        std::hint::black_box(ok);
    }) * 1e6
        / compressed.len() as f64;
    let points: Vec<RistrettoPoint> = (0..size).map(|_| random_point(&mut rng)).collect();
    let scalars: Vec<Scalar> = (0..size)
        .map(|_| {
            rng.fill_bytes(&mut wide);
            Scalar::from_bytes_mod_order_wide(&wide)
        })
        .collect();
    let msm = median_s(11, || {
        std::hint::black_box(RistrettoPoint::vartime_multiscalar_mul(&scalars, &points));
    }) * 1e6
        / size.max(1) as f64;
    (decompress, msm)
}

/// Points to decompress and multiscalar terms per ballot, read from a ballot's encoding
/// (docs/SPEC.md §6.2): 2 per ciphertext and 2 per proof branch to decompress, and the
/// signature's R; in the batch, 2 per branch, α and β of each proof's statement, and the
/// signature's R and S (G and the key are merged over the batch).
fn ballot_shape(bytes: &[u8]) -> Option<(usize, usize)> {
    let u32_at = |at: usize| -> Option<usize> {
        let b: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
        Some(u32::from_le_bytes(b) as usize)
    };
    let signed = *bytes.get(5 + 32)? == 1;
    let mut at = 5 + 32 + 1 + if signed { 32 } else { 0 };
    let width = u32_at(at)?;
    at += 4 + 64 * width;
    let s = usize::from(signed);
    // Proof form 1 (layout 2): e, d and a one-out-of-many proof of 4 + 2d points.
    if *bytes.get(at)? == 1 {
        let d = u32_at(at + 5)?;
        return Some((2 * width + 4 + 2 * d + s, 2 * width + 4 + 2 * d + 2 * s));
    }
    at += 1;
    let option_proofs = u32_at(at)?;
    at += 4;
    let mut branches = 0;
    for _ in 0..=option_proofs {
        let b = u32_at(at)?;
        branches += b;
        at += 4 + (128 * b).checked_sub(32)?;
    }
    Some((
        2 * width + 2 * branches + s,
        2 * branches + 2 * (option_proofs + 1) + 2 * s,
    ))
}

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = arg(&args, "--ballots").map_or(Ok(10_000), |s| s.parse())?;
    let k: u32 = arg(&args, "--candidates").map_or(Ok(2), |s| s.parse())?;
    let threads: usize = arg(&args, "--threads").map_or(Ok(2), |s| s.parse())?;
    let single_n: usize = arg(&args, "--single").map_or(Ok(2_000), |s| s.parse())?;
    let chunk: usize = arg(&args, "--chunk").map_or(Ok(2_048), |s| s.parse())?;
    let seed: u64 = arg(&args, "--seed").map_or(Ok(7), |s| s.parse())?;
    let credentials = args.iter().any(|a| a == "--credentials");
    let dir = arg(&args, "--dir").map_or_else(std::env::temp_dir, PathBuf::from);
    if n == 0 || k == 0 {
        return Err("--ballots and --candidates must be positive".into());
    }
    // The most even split into districts of at most 65,535 members.
    let even = n.div_ceil(n.div_ceil(MAX_ROLL_LEN));
    let district: usize = match arg(&args, "--district") {
        Some(s) => s.parse()?,
        None if credentials => even,
        None => n,
    };
    if credentials && !(1..=MAX_ROLL_LEN).contains(&district) {
        return Err("--district must be between 1 and 65,535".into());
    }
    let district = district.clamp(1, n);
    let sizes: Vec<usize> = (0..n.div_ceil(district))
        .map(|d| district.min(n - d * district))
        .collect();
    let capacity_flag: Option<u64> = arg(&args, "--capacity").map(|s| s.parse()).transpose()?;
    let version = tabella::domain::PROTOCOL_VERSION;

    let sk = SecretKey::generate(&mut ChaCha20Rng::seed_from_u64(1));
    let setup = Setup {
        election: ElectionContext::new([1; 32]),
        key: sk.public_key(),
        threads: threads.max(1),
        chunk,
    };
    let contest_for = |size: usize| -> Res<ContestSpec> {
        Ok(match capacity_flag.unwrap_or(size as u64) {
            0 => ContestSpec::choose_one(0, k, false)?,
            c => ContestSpec::choose_one(0, k, false)?.with_capacity(c),
        })
    };
    let first_capacity = capacity_flag.unwrap_or(district as u64);
    let districts: Vec<District> = if credentials {
        let folder = dir.join(format!(
            "tabella-signed-v{version}-{n}-{k}-{first_capacity}-{district}-seed{seed}"
        ));
        std::fs::create_dir_all(&folder)?;
        sizes
            .iter()
            .enumerate()
            .map(|(index, &size)| {
                Ok(District {
                    index,
                    size,
                    contest: contest_for(size)?,
                    stream: folder.join(format!("district-{index:04}.bin")),
                    roll: Some(folder.join(format!("district-{index:04}.roll"))),
                })
            })
            .collect::<Res<_>>()?
    } else {
        let capacity = capacity_flag.unwrap_or(n as u64);
        let stream = arg(&args, "--file").map_or_else(
            || dir.join(format!("tabella-ballots-v{version}-{n}-{k}-{capacity}.bin")),
            PathBuf::from,
        );
        vec![District {
            index: 0,
            size: n,
            contest: contest_for(n)?,
            stream,
            roll: None,
        }]
    };
    let Some(first) = districts.first() else {
        return Err("no district".into());
    };
    let layout = match first.contest.layout() {
        Layout::PerOption => "\"per_option\"".to_string(),
        Layout::Packed { base, chunk } => format!("{{\"base\":{base},\"chunk\":{chunk}}}"),
        Layout::PackedOneOfMany { base, chunk, radix } => format!(
            "{{\"base\":{base},\"chunk\":{chunk},\"radix\":{},\"digits\":{}}}",
            radix.radix(),
            radix.digits()
        ),
    };

    // Generate what the files do not already hold (a file of another protocol version, or a
    // torn one, is regenerated).
    let start = Instant::now();
    let mut generated = 0usize;
    for d in &districts {
        if !reusable(d, seed) {
            generate(d, &setup, seed)?;
            generated += 1;
        }
    }
    let generate_s = start.elapsed().as_secs_f64();
    if args.iter().any(|a| a == "--generate-only") {
        println!("{{\"generated_districts\":{generated},\"generate_s\":{generate_s:.1}}}");
        return Ok(());
    }

    // Single: decode, verify alone, aggregate (the first district; its roll is read first,
    // untimed).
    let eligibility = match &first.roll {
        None => None,
        Some(path) => Some(Eligibility {
            roll: Arc::new(load_roll(path)?),
            second_ballot: SecondBallot::Refused,
        }),
    };
    let ctx = BallotContext {
        election: &setup.election,
        key: &setup.key,
        round: 1,
        contest: &first.contest,
        eligibility: eligibility.as_ref(),
    };
    let mut reader = BallotStreamReader::new(BufReader::new(File::open(&first.stream)?))?;
    let mut shape = None;
    let start = Instant::now();
    let mut tally = PartialTally::empty(first.contest.width());
    let mut single_count = 0usize;
    while single_count < single_n.min(first.size) {
        let Some(entry) = reader.next_entry()? else {
            break;
        };
        if shape.is_none() {
            shape = ballot_shape(&entry.bytes);
        }
        let b = EncryptedBallot::from_bytes(&entry.bytes)?;
        let v = b.verify(&ctx)?;
        tally.add(v.ballot().ciphertexts())?;
        single_count += 1;
    }
    let single_us = start.elapsed().as_secs_f64() * 1e6 / single_count.max(1) as f64;
    drop(eligibility);

    // Batched, one thread: every district in sequence.
    let serial_verify = |r: &mut BallotStreamReader<BufReader<File>>, ctx: &BallotContext<'_>| {
        let out = verify_stream(r, ctx, setup.chunk, |_| {})?;
        if !out.rejected.is_empty() {
            return Err("a generated ballot was rejected".into());
        }
        Ok(out.tally)
    };
    let start = Instant::now();
    let mut roll_load_s = 0.0;
    let mut serial = Vec::with_capacity(districts.len());
    for d in &districts {
        let v = verify_district(d, &setup, &serial_verify)?;
        roll_load_s += v.roll_s;
        serial.push(v.tally);
    }
    let batched_s = start.elapsed().as_secs_f64();

    // Parallel: every district in sequence, each on T threads.
    #[cfg(feature = "parallel")]
    let parallel_s = {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(setup.threads)
            .build()?;
        let parallel_verify = |r: &mut BallotStreamReader<BufReader<File>>,
                               ctx: &BallotContext<'_>| {
            let out = pool.install(|| {
                tabella::tally::stream::verify_stream_parallel(
                    r,
                    ctx,
                    setup.chunk,
                    setup.threads,
                    |_| {},
                )
            })?;
            if !out.rejected.is_empty() {
                return Err("a generated ballot was rejected".into());
            }
            Ok(out.tally)
        };
        let start = Instant::now();
        for (d, expected) in districts.iter().zip(&serial) {
            if verify_district(d, &setup, &parallel_verify)?.tally != *expected {
                return Err("the parallel tally differs".into());
            }
        }
        Some(start.elapsed().as_secs_f64())
    };
    #[cfg(not(feature = "parallel"))]
    let parallel_s: Option<f64> = None;

    // Districts in parallel: T districts at once, one thread each.
    let districts_parallel_s = if districts.len() > 1 {
        let next = AtomicUsize::new(0);
        let start = Instant::now();
        let results = on_threads(setup.threads, |_| -> Result<(), String> {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let (Some(d), Some(expected)) = (districts.get(i), serial.get(i)) else {
                    return Ok(());
                };
                let v = verify_district(d, &setup, &serial_verify).map_err(|e| e.to_string())?;
                if v.tally != *expected {
                    return Err("a district's tally differs".into());
                }
            }
        })?;
        let s = start.elapsed().as_secs_f64();
        results.into_iter().collect::<Result<Vec<()>, String>>()?;
        Some(s)
    } else {
        None
    };

    let (points, terms) = shape.ok_or("no ballot to measure")?;
    let (decompress_us, msm_us) = floor_us(setup.chunk * terms);
    let floor = points as f64 * decompress_us + terms as f64 * msm_us;
    let per = |s: f64| s * 1e6 / n as f64;
    let t = setup.threads as f64;
    let opt = |v: Option<f64>, f: &dyn Fn(f64) -> String| v.map_or("null".into(), f);
    let count = districts.len();
    let batched_us = per(batched_s);
    let batched_floor = batched_us / floor;
    let parallel_us = opt(parallel_s, &|s| format!("{:.1}", per(s)));
    let parallel_total = opt(parallel_s, &|s| format!("{s:.2}"));
    let parallel_floor = opt(parallel_s, &|s| format!("{:.2}", per(s) * t / floor));
    let dp_us = opt(districts_parallel_s, &|s| format!("{:.1}", per(s)));
    let dp_total = opt(districts_parallel_s, &|s| format!("{s:.2}"));
    let dp_floor = opt(districts_parallel_s, &|s| {
        format!("{:.2}", per(s) * t / floor)
    });
    let rss = peak_rss_mib();
    println!(
        "{{\"ballots\":{n},\"candidates\":{k},\"credentials\":{credentials},\
\"districts\":{count},\"district\":{district},\"capacity\":{first_capacity},\"layout\":{layout},\
\"threads\":{threads},\"chunk\":{chunk},\"generated_districts\":{generated},\
\"generate_s\":{generate_s:.1},\"roll_load_s\":{roll_load_s:.2},\
\"single_us_per_ballot\":{single_us:.1},\
\"batched_us_per_ballot\":{batched_us:.1},\"batched_total_s\":{batched_s:.2},\
\"parallel_us_per_ballot\":{parallel_us},\"parallel_total_s\":{parallel_total},\
\"districts_parallel_us_per_ballot\":{dp_us},\"districts_parallel_total_s\":{dp_total},\
\"points_per_ballot\":{points},\"msm_terms_per_ballot\":{terms},\
\"decompress_us\":{decompress_us:.2},\"msm_us_per_point\":{msm_us:.2},\
\"floor_us_per_ballot\":{floor:.1},\"batched_over_floor\":{batched_floor:.2},\
\"parallel_over_floor\":{parallel_floor},\"districts_parallel_over_floor\":{dp_floor},\
\"peak_rss_mib\":{rss:.1}}}"
    );
    Ok(())
}
