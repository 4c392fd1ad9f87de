//! Trustee benchmarks: the DKG ceremony for n = 3, 5, 10, partial decryption of a tally,
//! verification and combination of partials.
//!
//! `cargo bench --bench threshold`.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tabella::board::{BoxClose, ConfirmationCode};
use tabella::elgamal::Ciphertext;
use tabella::threshold::dkg;
use tabella::threshold::{
    CeremonyBoard, CeremonyContext, DecryptionContext, KeyPackage, PartialDecryption,
    ThresholdParams, combine,
};
use tabella::transcript::ElectionContext;

fn ceremony(t: u32, n: u32, rng: &mut ChaCha20Rng) -> Vec<KeyPackage> {
    let params = ThresholdParams::new(t, n).unwrap();
    let ctx = CeremonyContext::random(ElectionContext::new([9; 32]), params, rng);
    let mut board = CeremonyBoard::new();
    let mut s1 = Vec::new();
    for i in params.indices() {
        let (s, p) = dkg::part1(&ctx, i, rng).unwrap();
        board.post_round1(&p).unwrap();
        s1.push(s);
    }
    let r2: Vec<_> = s1
        .into_iter()
        .map(|s| dkg::part2(s, &board, rng).unwrap())
        .collect();
    for (_, p) in &r2 {
        board.post_round2(p).unwrap();
    }
    let r3: Vec<_> = r2
        .into_iter()
        .map(|(s, _)| dkg::part3(s, &board, rng).unwrap())
        .collect();
    for (_, p) in &r3 {
        board.post_round3(p).unwrap();
    }
    r3.into_iter()
        .map(|(s, _)| dkg::part4(s, &board).unwrap().0)
        .collect()
}

fn dkg_bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("DKG ceremony (all trustees, one core)");
    group.sample_size(10);
    for n in [3u32, 5, 10] {
        let t = n / 2 + 1;
        let mut rng = ChaCha20Rng::seed_from_u64(u64::from(n));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| ceremony(t, n, &mut rng))
        });
    }
    group.finish();
}

fn decryption(c: &mut Criterion) {
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let keys = ceremony(3, 5, &mut rng);
    let public = keys[0].public().clone();
    let election = ElectionContext::new([9; 32]);
    let mut group = c.benchmark_group("threshold decryption 3-of-5");
    for width in [2usize, 20] {
        let tally: Vec<Ciphertext> = (0..width)
            .map(|i| public.joint_key().encrypt(i as u64 + 1, &mut rng).0)
            .collect();
        // The statement names a box by its close (round 1, an arbitrary chain head).
        let close = BoxClose::new(1, ConfirmationCode([7; 32]), 5, 0);
        let ctx = DecryptionContext::new(&election, &public, &close, &tally).unwrap();
        group.bench_with_input(
            BenchmarkId::new("partial decrypt", width),
            &width,
            |b, _| {
                b.iter(|| {
                    keys[0]
                        .partial_decrypt_for_tests_only(&ctx, &mut rng)
                        .unwrap()
                })
            },
        );
        let partials: Vec<PartialDecryption> = keys
            .iter()
            .take(3)
            .map(|k| k.partial_decrypt_for_tests_only(&ctx, &mut rng).unwrap())
            .collect();
        group.bench_with_input(
            BenchmarkId::new("verify 3 partials (batched)", width),
            &width,
            |b, _| b.iter(|| PartialDecryption::verify_batch(&ctx, &partials)),
        );
        let verified: Vec<_> = partials.iter().map(|p| p.verify(&ctx).unwrap()).collect();
        group.bench_with_input(BenchmarkId::new("combine 3", width), &width, |b, _| {
            b.iter(|| combine(&ctx, &verified).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, dkg_bench, decryption);
criterion_main!(benches);
