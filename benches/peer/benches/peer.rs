//! tabella against the peer (elastic-elgamal 0.4.0-beta.1), in one criterion run.
//!
//! `cargo bench --manifest-path benches/peer/Cargo.toml`. The contest: one choice among k
//! candidates, no abstention, one election key; tabella's box has a capacity of 10⁶ ballots,
//! so its ballot is packed (docs/SPEC.md §6.3). For each k ∈ {2, 5, 20}, group `k{k}`:
//!
//! * `peer/encrypt`: `EncryptedChoice::single`;
//! * `tabella/encrypt`: `EncryptedBallot::encrypt` (no roll, like the peer);
//! * `peer/decode+verify`: `bincode::deserialize` + `EncryptedChoice::verify`;
//! * `tabella/decode+verify`: `EncryptedBallot::from_bytes` + `verify`;
//! * `tabella/decode+verify_batch_1024`: 1,024 ballots decoded, then one `verify_batch`;
//! * `tabella/decode+verify_batch_1024_signed`: the same with a roll of 1,024 credentials,
//!   each ballot signed by its own.
//!
//! Every bench declares its throughput in ballots (`Throughput::Elements`): 1 for the
//! single-ballot rows, 1,024 for the batches. Criterion's `time` is per iteration, so a batch
//! row's time is for 1,024 ballots (divide by 1,024); its `thrpt` is in ballots per second,
//! comparable across all rows.

use std::sync::Arc;

use criterion::{
    BenchmarkGroup, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
    measurement::WallTime,
};
use elastic_elgamal::Keypair;
use elastic_elgamal::app::{ChoiceParams, EncryptedChoice, SingleChoice};
use elastic_elgamal::group::Ristretto;
use peer_rand_chacha::ChaChaRng;
use peer_rand_chacha::rand_core::SeedableRng as PeerSeedableRng;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use tabella::ballot::{BallotContext, BallotId, ContestSpec, EncryptedBallot, Selection};
use tabella::credential::{Eligibility, Roll, SecondBallot};
use tabella::elgamal::SecretKey;
use tabella::transcript::ElectionContext;

/// The candidate counts compared.
const CANDIDATES: [u32; 3] = [2, 5, 20];
/// tabella's box capacity.
const CAPACITY: u64 = 1_000_000;
/// The batch size.
const BATCH: usize = 1_024;

type PeerChoice = EncryptedChoice<Ristretto, SingleChoice>;

fn quick(group: &mut BenchmarkGroup<'_, WallTime>) {
    group.sample_size(10);
    group.warm_up_time(std::time::Duration::from_millis(700));
    group.measurement_time(std::time::Duration::from_secs(3));
}

/// `n` encoded ballots for `ctx`, signed by the matching secret when there is a roll.
fn tabella_ballots(
    ctx: &BallotContext<'_>,
    secrets: &[tabella::credential::CredentialSecret],
    n: usize,
    rng: &mut ChaCha20Rng,
) -> Vec<Vec<u8>> {
    let k = ctx.contest.options();
    (0..n)
        .map(|i| {
            let selection = Selection::new(ctx.contest, &[(i as u32 * 7 + 3) % k]).unwrap();
            let id = BallotId::random(rng);
            EncryptedBallot::encrypt(ctx, &selection, id, secrets.get(i), rng)
                .unwrap()
                .0
                .to_bytes()
        })
        .collect()
}

fn compare(c: &mut Criterion) {
    for k in CANDIDATES {
        // The peer.
        let mut peer_rng = ChaChaRng::from_seed([5; 32]);
        let keypair: Keypair<Ristretto> = Keypair::generate(&mut peer_rng);
        let params = ChoiceParams::single(keypair.public().clone(), k as usize);
        let peer_bytes =
            bincode::serialize(&PeerChoice::single(&params, 1, &mut peer_rng)).unwrap();

        // tabella.
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        let key = SecretKey::generate(&mut rng).public_key();
        let election = ElectionContext::new([1; 32]);
        let contest = ContestSpec::choose_one(0, k, false)
            .unwrap()
            .with_capacity(CAPACITY);
        let ctx = BallotContext {
            election: &election,
            key: &key,
            round: 1,
            contest: &contest,
            eligibility: None,
        };
        let selection = Selection::new(&contest, &[1]).unwrap();
        let unsigned = tabella_ballots(&ctx, &[], BATCH, &mut rng);
        let (roll, secrets) = Roll::issue(BATCH, &mut rng).unwrap();
        let eligibility = Eligibility {
            roll: Arc::new(roll),
            second_ballot: SecondBallot::Refused,
        };
        let signed_ctx = BallotContext {
            eligibility: Some(&eligibility),
            ..ctx
        };
        let signed = tabella_ballots(&signed_ctx, &secrets, BATCH, &mut rng);

        let mut group = c.benchmark_group(format!("k{k}"));
        quick(&mut group);
        group.throughput(Throughput::Elements(1));
        group.bench_function("peer/encrypt", |b| {
            b.iter(|| PeerChoice::single(&params, 1, &mut peer_rng))
        });
        group.bench_function("tabella/encrypt", |b| {
            b.iter(|| {
                let id = BallotId::random(&mut rng);
                EncryptedBallot::encrypt(&ctx, &selection, id, None, &mut rng).unwrap()
            })
        });
        group.bench_function("peer/decode+verify", |b| {
            b.iter(|| {
                let choice: PeerChoice = bincode::deserialize(&peer_bytes).unwrap();
                choice.verify(&params).unwrap().len()
            })
        });
        group.bench_function("tabella/decode+verify", |b| {
            b.iter(|| {
                EncryptedBallot::from_bytes(&unsigned[0])
                    .unwrap()
                    .verify(&ctx)
                    .unwrap()
            })
        });
        // A batch takes tens of milliseconds: the same number of iterations per sample.
        group.sampling_mode(SamplingMode::Flat);
        group.throughput(Throughput::Elements(BATCH as u64));
        for (name, ballots, ctx) in [
            ("tabella/decode+verify_batch_1024", &unsigned, &ctx),
            (
                "tabella/decode+verify_batch_1024_signed",
                &signed,
                &signed_ctx,
            ),
        ] {
            group.bench_function(name, |b| {
                b.iter(|| {
                    let decoded: Vec<EncryptedBallot> = ballots
                        .iter()
                        .map(|bytes| EncryptedBallot::from_bytes(bytes).unwrap())
                        .collect();
                    let outcome = EncryptedBallot::verify_batch(decoded, ctx);
                    assert!(outcome.rejected.is_empty());
                    outcome.accepted.len()
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, compare);
criterion_main!(benches);
