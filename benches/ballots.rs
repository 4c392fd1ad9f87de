//! Ballot benchmarks: encrypt+prove, membership prove, verify (single and batched), aggregate, discrete log.
//!
//! `cargo bench --bench ballots`. Figures in the README come from this file.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tabella::ballot::{BallotId, ContestSpec, EncryptedBallot, Selection};
use tabella::elgamal::{DiscreteLogTable, SecretKey};
use tabella::tally::{BallotBox, PartialTally};
use tabella::transcript::ElectionContext;

fn setup(candidates: u32) -> (ChaCha20Rng, BallotBox, ContestSpec) {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let sk = SecretKey::generate(&mut rng);
    let contest = ContestSpec::choose_one(0, candidates, false).unwrap();
    let bb = BallotBox::new(
        ElectionContext::new([1; 32]),
        sk.public_key(),
        1,
        contest.clone(),
    );
    (rng, bb, contest)
}

fn ballots(n: usize, candidates: u32) -> (BallotBox, Vec<Vec<u8>>) {
    let (mut rng, bb, contest) = setup(candidates);
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
    for candidates in [2u32, 5, 20] {
        let (mut rng, bb, contest) = setup(candidates);
        let selection = Selection::new(&contest, &[0]).unwrap();
        group.bench_with_input(
            BenchmarkId::from_parameter(candidates),
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
    let (mut rng, bb, _) = setup(2);
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
    for candidates in [2u32, 5, 20] {
        let (bb, encoded) = ballots(1, candidates);
        group.bench_with_input(
            BenchmarkId::from_parameter(candidates),
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
    let mut group = c.benchmark_group("decode+verify batch (2 candidates)");
    group.sample_size(10);
    for n in [1usize, 16, 256, 4096] {
        let (bb, encoded) = ballots(n, 2);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
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
    let (_bb, encoded) = ballots(256, 2);
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
    for bits in [16u32, 24, 32] {
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
