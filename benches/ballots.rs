//! Ballot benchmarks: encrypt+prove, membership prove, verify (single and batched), aggregate, discrete log.
//!
//! `cargo bench --bench ballots`. Each ballot bench runs for the layouts of [`LAYOUTS`]: one
//! ciphertext per option (no capacity), and packed for a box of 10⁶ or 1,000 ballots
//! (docs/SPEC.md §6.3). The tabella side of the README's figures comes from this file.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tabella::ballot::{BallotId, ContestSpec, EncryptedBallot, Selection};
use tabella::elgamal::{DiscreteLogTable, SecretKey};
use tabella::tally::{BallotBox, PartialTally};
use tabella::transcript::ElectionContext;

/// The layouts benched: a name and the box capacity (none: one ciphertext per option).
const LAYOUTS: [(&str, Option<u64>); 3] = [
    ("per-option", None),
    ("packed-N1e6", Some(1_000_000)),
    ("packed-N1000", Some(1_000)),
];

fn setup(candidates: u32, capacity: Option<u64>) -> (ChaCha20Rng, BallotBox, ContestSpec) {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let sk = SecretKey::generate(&mut rng);
    let contest = ContestSpec::choose_one(0, candidates, false).unwrap();
    let contest = match capacity {
        Some(n) => contest.with_capacity(n),
        None => contest,
    };
    let bb = BallotBox::new(
        ElectionContext::new([1; 32]),
        sk.public_key(),
        1,
        contest.clone(),
    );
    (rng, bb, contest)
}

fn ballots(n: usize, candidates: u32, capacity: Option<u64>) -> (BallotBox, Vec<Vec<u8>>) {
    let (mut rng, bb, contest) = setup(candidates, capacity);
    let encoded = (0..n)
        .map(|i| {
            let selection = Selection::new(&contest, &[(i as u32) % candidates]).unwrap();
            let id = BallotId::random(&mut rng);
            let (b, _) =
                EncryptedBallot::encrypt(&bb.context(), &selection, id, None, &mut rng).unwrap();
            b.to_bytes()
        })
        .collect();
    (bb, encoded)
}

fn encrypt(c: &mut Criterion) {
    let mut group = c.benchmark_group("encrypt+prove");
    for ((layout, capacity), candidates) in
        LAYOUTS.iter().flat_map(|l| [2u32, 5, 20].map(|k| (l, k)))
    {
        let (mut rng, bb, contest) = setup(candidates, *capacity);
        let selection = Selection::new(&contest, &[0]).unwrap();
        group.bench_with_input(
            BenchmarkId::new(*layout, candidates),
            &candidates,
            |b, _| {
                b.iter(|| {
                    EncryptedBallot::encrypt(
                        &bb.context(),
                        &selection,
                        BallotId::random(&mut rng),
                        None,
                        &mut rng,
                    )
                    .unwrap()
                })
            },
        );
    }
    group.finish();
}

fn prove(c: &mut Criterion) {
    use tabella::domain::label;
    use tabella::proofs::{MembershipProof, MembershipStatement};
    let mut group = c.benchmark_group("membership prove");
    let (mut rng, bb, _) = setup(2, None);
    let ctx = ElectionContext::new([1; 32]);
    let key = bb.context().key.clone();
    for branches in [1u64, 2, 5, 20] {
        let set: Vec<u64> = (0..branches).collect();
        let (ct, nonce) = key.encrypt(branches - 1, &mut rng);
        let statement = MembershipStatement {
            key: &key,
            ciphertext: &ct,
            set: &set,
        };
        group.bench_with_input(BenchmarkId::from_parameter(branches), &branches, |b, _| {
            b.iter(|| {
                MembershipProof::prove(
                    &mut ctx.transcript(label::BALLOT),
                    &statement,
                    branches - 1,
                    &nonce,
                    &mut rng,
                )
                .unwrap()
            })
        });
    }
    group.finish();
}

fn verify_single(c: &mut Criterion) {
    let mut group = c.benchmark_group("decode+verify single");
    for ((layout, capacity), candidates) in
        LAYOUTS.iter().flat_map(|l| [2u32, 5, 20].map(|k| (l, k)))
    {
        let (bb, encoded) = ballots(1, candidates, *capacity);
        group.bench_with_input(
            BenchmarkId::new(*layout, candidates),
            &candidates,
            |b, _| {
                b.iter(|| {
                    EncryptedBallot::from_bytes(&encoded[0])
                        .unwrap()
                        .verify(&bb.context())
                        .unwrap()
                })
            },
        );
    }
    group.finish();
}

fn verify_batch(c: &mut Criterion) {
    let mut group = c.benchmark_group("decode+verify batch");
    group.sample_size(10);
    let sweep = LAYOUTS
        .iter()
        .take(2)
        .flat_map(|l| [1usize, 16, 256, 4096].map(|n| (l, 2u32, n)))
        .chain(LAYOUTS.iter().map(|l| (l, 20u32, 1024usize)));
    for ((layout, capacity), candidates, n) in sweep {
        let (bb, encoded) = ballots(n, candidates, *capacity);
        group.throughput(Throughput::Elements(n as u64));
        let id = format!("{layout}/k={candidates}");
        group.bench_with_input(BenchmarkId::new(id, n), &n, |b, _| {
            b.iter(|| {
                let decoded = encoded
                    .iter()
                    .map(|e| EncryptedBallot::from_bytes(e).unwrap())
                    .collect();
                let outcome = EncryptedBallot::verify_batch(decoded, &bb.context());
                assert!(outcome.rejected.is_empty());
                outcome
            })
        });
    }
    group.finish();
}

fn aggregate(c: &mut Criterion) {
    let (_bb, encoded) = ballots(256, 2, None);
    let decoded: Vec<_> = encoded
        .iter()
        .map(|e| EncryptedBallot::from_bytes(e).unwrap())
        .collect();
    c.bench_function("aggregate 256 ballots", |b| {
        b.iter(|| {
            let mut t = PartialTally::empty(2);
            for ballot in &decoded {
                t.add(ballot.ciphertexts()).unwrap();
            }
            t
        })
    });
}

fn discrete_log(c: &mut Criterion) {
    let mut group = c.benchmark_group("discrete log");
    group.sample_size(10);
    // 2^40: the largest packed chunk total (docs/SPEC.md §6.3), e.g. 10^6 ballots, two slots.
    for bits in [16u32, 24, 32, 40] {
        let bound = (1u64 << bits) - 1;
        group.bench_with_input(BenchmarkId::new("table", bits), &bound, |b, &bound| {
            b.iter(|| DiscreteLogTable::new(bound).unwrap())
        });
        let table = DiscreteLogTable::new(bound).unwrap();
        let point = tabella::curve25519_dalek::ristretto::RistrettoPoint::mul_base(
            &tabella::curve25519_dalek::scalar::Scalar::from(bound),
        );
        group.bench_with_input(
            BenchmarkId::new("solve worst case", bits),
            &bound,
            |b, _| b.iter(|| table.solve_vartime(&point).unwrap()),
        );
    }
    group.finish();
}

criterion_group!(
    benches,
    encrypt,
    prove,
    verify_single,
    verify_batch,
    aggregate,
    discrete_log
);
criterion_main!(benches);
