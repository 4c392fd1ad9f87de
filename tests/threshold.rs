//! Threshold trustees: the key ceremony (honest and adversarial) and threshold decryption.

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tabella::elgamal::{Ciphertext, DiscreteLogTable, PublicKey};
use tabella::encoding::header::HEADER_LEN;
use tabella::error::{CeremonyCheck, Culprit, DecryptionCheck, Error};
use tabella::group::Point;
use tabella::threshold::dkg::{
    self, CeremonyBoard, CeremonyContext, CeremonyRound, round1, round2, round3,
};
use tabella::threshold::{
    DecryptionContext, KeyPackage, PartialDecryption, PublicKeyPackage, ThresholdParams,
    TrusteeIndex, VerifiedPartialDecryption, combine, decrypt, decrypt_tally, lagrange_at_zero,
    trusted_dealer_for_tests_only, verify_ceremony,
};
use tabella::transcript::ElectionContext;

/// The length of the header that starts every top-level encoding.
const H: usize = HEADER_LEN;
/// Offset of the sender field of every ceremony message (after the header and the id).
const SENDER: usize = H + 32;
/// Offset of the decryption shares of a partial decryption (after round, trustee and count).
const P: usize = H + 12;
/// Offset of C_0 in a round-2 package (after the sender, the salt and the count).
const C0: usize = SENDER + 4 + 32 + 4;

// ---------------------------------------------------------------------------------------------
// Helpers

type Tamper<'a, T> = &'a dyn Fn(&mut Vec<T>);
type Raw<'a> = &'a dyn Fn(CeremonyRound, &mut CeremonyBoard);

/// The close of a box of round `round` (a fixed chain head: these tests decrypt tallies
/// without a box; the statement binds whatever close it is given).
fn close(round: u32) -> tabella::board::BoxClose {
    tabella::board::BoxClose::new(round, tabella::board::ConfirmationCode([0x5c; 32]), 9, 0)
}

fn keep<T>(_: &mut Vec<T>) {}

fn no_raw(_: CeremonyRound, _: &mut CeremonyBoard) {}

fn params(t: u32, n: u32) -> ThresholdParams {
    ThresholdParams::new(t, n).unwrap()
}

fn idx(i: u32) -> TrusteeIndex {
    TrusteeIndex::new(i).unwrap()
}

fn ceremony(t: u32, n: u32, fingerprint: u8) -> CeremonyContext {
    CeremonyContext::new(
        ElectionContext::new([fingerprint; 32]),
        params(t, n),
        [0; 32],
    )
}

fn seeds(base: u64, n: u32) -> Vec<u64> {
    (1..=u64::from(n)).map(|i| base * 1000 + i).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The board holding these packages.
fn board_of(
    b1: &[round1::Package],
    b2: &[round2::Package],
    b3: &[round3::Package],
) -> CeremonyBoard {
    let mut board = CeremonyBoard::new();
    for p in b1 {
        board.post_round1(p).unwrap();
    }
    for p in b2 {
        board.post_round2(p).unwrap();
    }
    for p in b3 {
        board.post_round3(p).unwrap();
    }
    board
}

/// A whole ceremony, round by round, over one board. Between rounds the packages can be
/// tampered with before they are posted (`tamperN`), and raw entries posted (`raw`, after each
/// round's packages). A trustee whose step fails drops out and its error is recorded.
struct Run {
    board1: Vec<round1::Package>,
    board2: Vec<round2::Package>,
    board3: Vec<round3::Package>,
    board: CeremonyBoard,
    keys: Vec<KeyPackage>,
    outcomes: Vec<dkg::CeremonyOutcome>,
    failures: Vec<(u32, Error)>,
}

fn run(
    ctx: &CeremonyContext,
    seeds: &[u64],
    tamper1: Tamper<'_, round1::Package>,
    tamper2: Tamper<'_, round2::Package>,
    tamper3: Tamper<'_, round3::Package>,
) -> Run {
    run_with(ctx, seeds, tamper1, tamper2, tamper3, &no_raw)
}

fn run_with(
    ctx: &CeremonyContext,
    seeds: &[u64],
    tamper1: Tamper<'_, round1::Package>,
    tamper2: Tamper<'_, round2::Package>,
    tamper3: Tamper<'_, round3::Package>,
    raw: Raw<'_>,
) -> Run {
    let mut rngs: Vec<ChaCha20Rng> = seeds
        .iter()
        .map(|s| ChaCha20Rng::seed_from_u64(*s))
        .collect();
    let mut failures = Vec::new();
    let mut board = CeremonyBoard::new();

    let mut secrets1 = Vec::new();
    let mut board1 = Vec::new();
    for i in ctx.params().indices() {
        let (s, p) = dkg::part1(ctx, i, &mut rngs[(i.get() - 1) as usize]).unwrap();
        secrets1.push(s);
        board1.push(p);
    }
    tamper1(&mut board1);
    for p in &board1 {
        board.post_round1(p).unwrap();
    }
    raw(CeremonyRound::Commit, &mut board);

    let mut secrets2 = Vec::new();
    let mut board2 = Vec::new();
    for s in secrets1 {
        let i = s.index();
        match dkg::part2(s, &board, &mut rngs[(i.get() - 1) as usize]) {
            Ok((s, p)) => {
                secrets2.push(s);
                board2.push(p);
            }
            Err(e) => failures.push((i.get(), e)),
        }
    }
    tamper2(&mut board2);
    for p in &board2 {
        board.post_round2(p).unwrap();
    }
    raw(CeremonyRound::Reveal, &mut board);

    let mut secrets3 = Vec::new();
    let mut board3 = Vec::new();
    for s in secrets2 {
        let i = s.index();
        match dkg::part3(s, &board, &mut rngs[(i.get() - 1) as usize]) {
            Ok((s, p)) => {
                secrets3.push(s);
                board3.push(p);
            }
            Err(e) => failures.push((i.get(), e)),
        }
    }
    tamper3(&mut board3);
    for p in &board3 {
        board.post_round3(p).unwrap();
    }
    raw(CeremonyRound::Complain, &mut board);

    let mut keys = Vec::new();
    let mut outcomes = Vec::new();
    for s in secrets3 {
        let i = s.index();
        match dkg::part4(s, &board) {
            Ok((k, o)) => {
                keys.push(k);
                outcomes.push(o);
            }
            Err(e) => failures.push((i.get(), e)),
        }
    }
    Run {
        board1,
        board2,
        board3,
        board,
        keys,
        outcomes,
        failures,
    }
}

fn honest(ctx: &CeremonyContext, seed: u64) -> Run {
    let n = ctx.params().trustees();
    let r = run(ctx, &seeds(seed, n), &keep, &keep, &keep);
    assert!(r.failures.is_empty(), "{:?}", r.failures);
    assert_eq!(r.keys.len(), n as usize);
    r
}

/// `verify_ceremony` on the run's board, after checking that every trustee that finished
/// reached the same outcome.
fn agreed(ctx: &CeremonyContext, r: &Run) -> dkg::CeremonyOutcome {
    let outcome = verify_ceremony(ctx, &r.board).unwrap();
    for (key, o) in r.keys.iter().zip(&r.outcomes) {
        assert_eq!(o, &outcome);
        assert_eq!(key.public(), outcome.public_key_package());
    }
    outcome
}

fn exclusions(outcome: &dkg::CeremonyOutcome) -> Vec<(u32, CeremonyCheck)> {
    outcome
        .excluded()
        .iter()
        .map(|e| (e.trustee().get(), e.check()))
        .collect()
}

/// Encrypts `votes` (one option index per voter) to `key` and sums per option.
fn tally(
    key: &PublicKey,
    options: usize,
    votes: &[usize],
    rng: &mut ChaCha20Rng,
) -> Vec<Ciphertext> {
    (0..options)
        .map(|k| {
            votes
                .iter()
                .map(|&v| key.encrypt(u64::from(v == k), rng).0)
                .sum()
        })
        .collect()
}

fn totals(options: usize, votes: &[usize]) -> Vec<u64> {
    (0..options)
        .map(|k| votes.iter().filter(|&&v| v == k).count() as u64)
        .collect()
}

fn subsets(n: u32, k: u32) -> Vec<Vec<u32>> {
    (0u32..(1 << n))
        .filter(|m| m.count_ones() == k)
        .map(|m| (1..=n).filter(|i| m & (1 << (i - 1)) != 0).collect())
        .collect()
}

fn g(m: u64) -> RistrettoPoint {
    RISTRETTO_BASEPOINT_POINT * Scalar::from(m)
}

// ---------------------------------------------------------------------------------------------
// Honest ceremonies and decryption

#[test]
fn every_size_every_subset_decrypts_and_smaller_subsets_cannot() {
    let election = ElectionContext::new([42; 32]);
    let table = DiscreteLogTable::new(64).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(99);
    for n in 1..=7u32 {
        for t in 1..=n {
            let ctx = ceremony(t, n, 7);
            let r = honest(&ctx, u64::from(10 * n + t));
            let public = verify_ceremony(&ctx, &r.board).unwrap();
            assert!(public.excluded().is_empty());
            for (key, outcome) in r.keys.iter().zip(&r.outcomes) {
                assert_eq!(outcome, &public);
                assert_eq!(key.public(), public.public_key_package());
            }
            let pkp = public.public_key_package();
            assert_eq!(pkp.trustees().count(), n as usize);

            let votes = [0usize, 1, 1, 2, 1, 0, 1];
            let c = tally(pkp.joint_key(), 3, &votes, &mut rng);
            let expected = totals(3, &votes);
            let dctx = DecryptionContext::new(&election, pkp, &close(1), &c).unwrap();
            let verified: Vec<VerifiedPartialDecryption> = r
                .keys
                .iter()
                .map(|k| {
                    k.partial_decrypt_for_tests_only(&dctx, &mut rng)
                        .unwrap()
                        .verify(&dctx)
                        .unwrap()
                })
                .collect();
            let by_index = |i: u32| verified[(i - 1) as usize].clone();

            for set in subsets(n, t) {
                let chosen: Vec<_> = set.iter().map(|&i| by_index(i)).collect();
                assert_eq!(
                    decrypt(&dctx, &chosen, &table).unwrap(),
                    expected,
                    "n={n} t={t} {set:?}"
                );
            }
            if t >= 2 {
                for set in subsets(n, t - 1) {
                    let chosen: Vec<_> = set.iter().map(|&i| by_index(i)).collect();
                    assert_eq!(
                        combine(&dctx, &chosen),
                        Err(Error::NotEnoughShares {
                            needed: t,
                            valid: t - 1,
                            rejected: vec![]
                        })
                    );
                    // Interpolating t − 1 shares at 0 anyway gives a wrong point.
                    let indices: Vec<_> = set.iter().map(|&i| idx(i)).collect();
                    let lambdas = lagrange_at_zero(&indices).unwrap();
                    for (k, ct) in c.iter().enumerate() {
                        let guess = ct.beta().element()
                            - chosen
                                .iter()
                                .zip(&lambdas)
                                .map(|(p, l)| p.shares()[k].element() * l)
                                .sum::<RistrettoPoint>();
                        assert_ne!(guess, g(expected[k]), "n={n} t={t} {set:?}");
                    }
                }
            }
        }
    }
}

#[test]
fn messages_round_trip_canonically() {
    let ctx = ceremony(2, 3, 1);
    let r = honest(&ctx, 5);
    // Every ceremony message: header, ceremony id, sender.
    let body = H + 32 + 4;
    for p in &r.board1 {
        let bytes = p.to_bytes();
        assert_eq!(bytes.len(), round1::PACKAGE_LEN);
        assert_eq!(bytes.len(), 169);
        assert_eq!(&bytes[H..H + 32], ctx.id());
        assert_eq!(&round1::Package::from_bytes(&bytes).unwrap(), p);
        let mut long = bytes.clone();
        long.push(0);
        assert!(matches!(
            round1::Package::from_bytes(&long),
            Err(Error::TrailingBytes { .. })
        ));
        assert!(matches!(
            round1::Package::from_bytes(&bytes[..bytes.len() - 1]),
            Err(Error::WrongLength { .. })
        ));
        let mut identity = bytes.clone();
        identity[body + 32..body + 64].fill(0);
        assert_eq!(
            round1::Package::from_bytes(&identity),
            Err(Error::IdentityPoint {
                what: "communication key"
            })
        );
    }
    for p in &r.board2 {
        let bytes = p.to_bytes();
        assert_eq!(bytes.len(), 81 + 96 * 2 + 132 * 2);
        let decoded = round2::Package::from_bytes(&bytes).unwrap();
        assert_eq!(&decoded, p);
        assert_eq!(decoded.to_bytes(), bytes);
        let mut long = bytes.clone();
        long.push(0);
        assert!(round2::Package::from_bytes(&long).is_err());
        // Each share on its own round-trips too.
        for share in p.shares() {
            let b = share.to_bytes();
            assert_eq!(b.len(), round2::ENCRYPTED_SHARE_LEN);
            assert_eq!(&round2::EncryptedShare::from_bytes(&b).unwrap(), share);
        }
        // Recipients out of order.
        let shares = share_at(2, 0);
        let mut swapped = bytes.clone();
        let (a, b) = (
            bytes[shares..shares + 132].to_vec(),
            bytes[shares + 132..].to_vec(),
        );
        swapped[shares..shares + 132].copy_from_slice(&b);
        swapped[shares + 132..].copy_from_slice(&a);
        assert!(matches!(
            round2::Package::from_bytes(&swapped),
            Err(Error::InvalidValue { .. })
        ));
        // A non-canonical scalar in a coefficient proof, and in an ephemeral proof.
        let c0 = body + 32 + 4;
        for at in [c0 + 64, shares + 100] {
            let mut bad = bytes.clone();
            bad[at..at + 32].fill(0xff);
            assert!(matches!(
                round2::Package::from_bytes(&bad),
                Err(Error::NonCanonicalScalar { .. })
            ));
        }
        // An identity coefficient commitment, and an identity ephemeral key.
        for at in [c0, shares + 4] {
            let mut id = bytes.clone();
            id[at..at + 32].fill(0);
            assert!(matches!(
                round2::Package::from_bytes(&id),
                Err(Error::IdentityPoint { .. })
            ));
        }
        // No commitment, or more than MAX_TRUSTEES.
        for count in [0u32, 256] {
            let mut n = bytes.clone();
            n[body + 32..body + 36].copy_from_slice(&count.to_le_bytes());
            assert!(matches!(
                round2::Package::from_bytes(&n),
                Err(Error::InvalidValue { .. })
            ));
        }
    }
    for p in &r.board3 {
        let bytes = p.to_bytes();
        assert_eq!(bytes.len(), 45);
        assert_eq!(&round3::Package::from_bytes(&bytes).unwrap(), p);
    }
    // The board, too.
    let bytes = r.board.to_bytes();
    assert_eq!(CeremonyBoard::from_bytes(&bytes).unwrap(), r.board);
    assert_eq!(
        bytes.len(),
        12 + 3 * (8 + 169) + 3 * (8 + 81 + 96 * 2 + 132 * 2) + 3 * (8 + 45)
    );
    let pkp = r.keys[0].public();
    assert_eq!(&PublicKeyPackage::from_bytes(&pkp.to_bytes()).unwrap(), pkp);

    let election = ElectionContext::new([3; 32]);
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let c = tally(pkp.joint_key(), 2, &[0, 1, 1], &mut rng);
    let dctx = DecryptionContext::new(&election, pkp, &close(1), &c).unwrap();
    let partial = r.keys[1]
        .partial_decrypt_for_tests_only(&dctx, &mut rng)
        .unwrap();
    let bytes = partial.to_bytes().unwrap();
    assert_eq!(bytes.len(), H + 12 + 2 * 128);
    let decoded = PartialDecryption::from_bytes(&bytes).unwrap();
    assert_eq!(decoded, partial);
    decoded.verify(&dctx).unwrap();
    let mut long = bytes.clone();
    long.push(0);
    assert!(matches!(
        PartialDecryption::from_bytes(&long),
        Err(Error::TrailingBytes { .. })
    ));
    let mut zero = bytes.clone();
    zero[H + 4..H + 8].fill(0);
    assert!(matches!(
        PartialDecryption::from_bytes(&zero),
        Err(Error::InvalidTrusteeIndex { index: 0, .. })
    ));
    let mut identity = bytes.clone();
    identity[H + 12..H + 44].fill(0);
    assert!(matches!(
        PartialDecryption::from_bytes(&identity),
        Err(Error::IdentityPoint { .. })
    ));
    let mut empty = bytes[..H + 12].to_vec();
    empty[H + 8..H + 12].fill(0);
    assert!(PartialDecryption::from_bytes(&empty).is_err());
}

// ---------------------------------------------------------------------------------------------
// Adversarial trustees in the ceremony

#[test]
fn rushing_trustee_is_rejected_and_named() {
    // Trustee 3 commits to one polynomial in round 1, then, having seen the others, reveals
    // another (here: the reveal of a different run with another seed for trustee 3).
    let ctx = ceremony(2, 3, 2);
    let mut other_seeds = seeds(20, 3);
    other_seeds[2] = 777;
    let other = run(&ctx, &other_seeds, &keep, &keep, &keep);
    let swapped_reveal = other.board2[2].clone();

    let r = run(
        &ctx,
        &seeds(20, 3),
        &keep,
        &|b| b[2] = swapped_reveal.clone(),
        &keep,
    );
    let expected = dkg::Exclusion::to_error(&agreed(&ctx, &r).excluded()[0]);
    assert_eq!(
        expected,
        Error::TrusteeRejected {
            trustee: 3,
            check: CeremonyCheck::CommitmentMismatch
        }
    );
    assert_eq!(expected.culprits(), vec![Culprit::Trustee(3)]);
    // The message alone fails the same check.
    assert_eq!(
        swapped_reveal.verify(&ctx, &r.board1[2], &[idx(1), idx(2), idx(3)]),
        Err(expected)
    );
    // The two honest trustees finish with a 2-of-3 key held by {1, 2}.
    assert_eq!(r.keys.len(), 2);
    for o in &r.outcomes {
        assert_eq!(o.qualified(), vec![idx(1), idx(2)]);
        assert_eq!(o.excluded().len(), 1);
    }
    // Trustee 3 learns it was excluded (its own reveal is not what is on the board).
    assert!(r.failures.iter().any(|(i, _)| *i == 3));
}

#[test]
fn rogue_key_without_proof_of_knowledge_is_rejected() {
    let ctx = ceremony(2, 3, 3);
    let s = seeds(30, 3);
    // A preview of the honest trustees' coefficient commitments (as if the hash commitments
    // did not hide them), and trustee 3's honest reveal to build the rogue one from.
    let preview = run(&ctx, &s, &keep, &keep, &keep);
    let c10 = preview.board2[0].commitments()[0].element();
    let c20 = preview.board2[1].commitments()[0].element();
    let x = Scalar::from(1234567u64);
    let target = RISTRETTO_BASEPOINT_POINT * x;
    let rogue = target - c10 - c20;
    let mut bytes = preview.board2[2].to_bytes();
    bytes[C0..C0 + 32].copy_from_slice(&rogue.compress().to_bytes());
    let rogue_reveal = round2::Package::from_bytes(&bytes).unwrap();
    // Its round-1 hash commitment matches the rogue reveal (the rogue chose it to).
    let mut r1 = preview.board1[2].to_bytes();
    r1[SENDER + 4..SENDER + 36].copy_from_slice(&rogue_reveal.commitment(&ctx));
    let rogue_commit = round1::Package::from_bytes(&r1).unwrap();
    rogue_commit.verify(&ctx).unwrap();
    // Without the proofs of knowledge the joint key would be x·G, known to trustee 3 alone.
    assert_eq!(c10 + c20 + rogue_reveal.commitments()[0].element(), target);

    // Trustee 3's own software refuses to go on with the altered board, so its rogue reveal is
    // posted by hand.
    let r = run(
        &ctx,
        &s,
        &|b| b[2] = rogue_commit.clone(),
        &|b| b.push(rogue_reveal.clone()),
        &keep,
    );
    let outcome = agreed(&ctx, &r);
    assert_eq!(
        outcome
            .excluded()
            .iter()
            .map(|e| e.to_error())
            .collect::<Vec<_>>(),
        vec![Error::TrusteeRejected {
            trustee: 3,
            check: CeremonyCheck::CoefficientProof { k: 0 }
        }]
    );
    assert_ne!(
        outcome
            .public_key_package()
            .joint_key()
            .as_point()
            .element(),
        &target
    );
    assert_eq!(outcome.qualified(), vec![idx(1), idx(2)]);
    assert_eq!(r.keys.len(), 2);
    assert_eq!(
        rogue_reveal.verify(&ctx, &rogue_commit, &[idx(1), idx(2), idx(3)]),
        Err(Error::TrusteeRejected {
            trustee: 3,
            check: CeremonyCheck::CoefficientProof { k: 0 }
        })
    );
}

/// Offset of the `k`-th encrypted share of a round-2 package with t coefficients.
fn share_at(t: usize, k: usize) -> usize {
    81 + 96 * t + 132 * k
}

/// Offset of the ciphertext of the `k`-th encrypted share.
fn share_ct(t: usize, k: usize) -> usize {
    share_at(t, k) + 36
}

fn corrupt_share(p: &round2::Package, t: usize, k: usize) -> round2::Package {
    let mut bytes = p.to_bytes();
    bytes[share_ct(t, k)] ^= 1;
    round2::Package::from_bytes(&bytes).unwrap()
}

/// Dealer 1 of a run with these seeds, cheating: its share for `victim` is wrong, and the rest
/// of its round-2 package (commitments, proofs binding the encrypted shares) is valid.
fn bad_dealer(
    ctx: &CeremonyContext,
    seeds: &[u64],
    board1: &[round1::Package],
    victim: u32,
) -> round2::Package {
    let mut rng = ChaCha20Rng::seed_from_u64(seeds[0]);
    let (secret, package) = dkg::part1(ctx, idx(1), &mut rng).unwrap();
    assert_eq!(package, board1[0]);
    let board = board_of(board1, &[], &[]);
    dkg::part2_dealing_bad_share_for_tests_only(secret, &board, idx(victim), &mut rng)
        .unwrap()
        .1
}

#[test]
fn a_share_flipped_on_the_board_breaks_the_dealers_proofs() {
    // The encrypted shares are bound into the dealer's proofs: a share changed after posting
    // (by the board, or by anyone rewriting the record) is caught by every verifier.
    let ctx = ceremony(2, 4, 4);
    let s = seeds(40, 4);
    let clean = run(&ctx, &s, &keep, &keep, &keep);
    let flipped = corrupt_share(&clean.board2[0], 2, 0);
    let participants = [idx(1), idx(2), idx(3), idx(4)];
    assert!(matches!(
        flipped.verify(&ctx, &clean.board1[0], &participants),
        Err(Error::TrusteeRejected {
            trustee: 1,
            check: CeremonyCheck::CoefficientProof { .. }
        })
    ));
    // The ephemeral proofs are not bound by the coefficient proofs but verified on their own:
    // one swapped for another share's names that share's recipient.
    let mut bytes = clean.board2[0].to_bytes();
    let (first, second) = (share_at(2, 0) + 68, share_at(2, 1) + 68);
    let proof = bytes[second..second + 64].to_vec();
    bytes[first..first + 64].copy_from_slice(&proof);
    let swapped = round2::Package::from_bytes(&bytes).unwrap();
    assert_eq!(
        swapped.verify(&ctx, &clean.board1[0], &participants),
        Err(Error::TrusteeRejected {
            trustee: 1,
            check: CeremonyCheck::EphemeralProof { recipient: 2 }
        })
    );
    let r = run(&ctx, &s, &keep, &|b| b[0] = swapped.clone(), &keep);
    assert_eq!(
        exclusions(&agreed(&ctx, &r)),
        vec![(1, CeremonyCheck::EphemeralProof { recipient: 2 })]
    );
}

#[test]
fn bad_share_is_proven_by_a_complaint_and_the_dealer_is_excluded() {
    let ctx = ceremony(2, 4, 4);
    let s = seeds(40, 4);
    // Dealer 1 sends a bad share to trustee 2 (its first share).
    let clean = run(&ctx, &s, &keep, &keep, &keep);
    let bad = bad_dealer(&ctx, &s, &clean.board1, 2);
    assert_eq!(bad.shares()[0].recipient(), idx(2));
    let r = run(&ctx, &s, &keep, &|b| b[0] = bad.clone(), &keep);

    // Trustee 2 complains against 1, and nobody else complains.
    let complaints: Vec<_> = r
        .board3
        .iter()
        .flat_map(|p| p.complaints().iter().map(move |c| (p.sender(), c.dealer())))
        .collect();
    assert_eq!(complaints, vec![(idx(2), idx(1))]);
    // Any third party can check it: the dealer cheated.
    let complaint = &r
        .board3
        .iter()
        .find(|p| p.sender() == idx(2))
        .unwrap()
        .complaints()[0];
    let verdict = complaint.judge(&ctx, &r.board1[1], &r.board2[0]).unwrap();
    assert_eq!(
        verdict.to_error(),
        Error::TrusteeRejected {
            trustee: 1,
            check: CeremonyCheck::BadShare { recipient: 2 }
        }
    );
    // The same complaint against the honest package would be false.
    let against_honest = complaint
        .judge(&ctx, &r.board1[1], &clean.board2[0])
        .unwrap();
    assert_eq!(against_honest.trustee(), idx(2));
    assert_eq!(
        against_honest.check(),
        CeremonyCheck::FalseComplaint { dealer: 1 }
    );

    // The ceremony completes without dealer 1.
    let outcome = agreed(&ctx, &r);
    assert_eq!(outcome.qualified(), vec![idx(2), idx(3), idx(4)]);
    assert_eq!(outcome.excluded(), &[verdict]);
    assert_eq!(r.keys.len(), 3);
    assert_eq!(
        r.failures,
        vec![(
            1,
            Error::InvalidValue {
                what: "ceremony board",
                reason: "this trustee's own message is missing or altered"
            }
        )]
    );
    for o in &r.outcomes {
        assert_eq!(o, &outcome);
    }
    // And the remaining trustees decrypt.
    let pkp = outcome.public_key_package();
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let election = ElectionContext::new([4; 32]);
    let c = tally(pkp.joint_key(), 2, &[1, 1, 0], &mut rng);
    let dctx = DecryptionContext::new(&election, pkp, &close(1), &c).unwrap();
    let partials: Vec<_> = r
        .keys
        .iter()
        .map(|k| k.partial_decrypt_for_tests_only(&dctx, &mut rng).unwrap())
        .collect();
    let table = DiscreteLogTable::new(10).unwrap();
    assert_eq!(
        decrypt_tally(&dctx, &partials, &table).unwrap().totals,
        vec![1, 2]
    );
}

#[test]
fn ceremony_fails_when_too_few_remain_and_names_the_culprits() {
    let ctx = ceremony(3, 3, 5);
    let s = seeds(50, 3);
    let clean = run(&ctx, &s, &keep, &keep, &keep);
    let bad = bad_dealer(&ctx, &s, &clean.board1, 3); // dealer 1 → trustee 3
    let r = run(&ctx, &s, &keep, &|b| b[0] = bad.clone(), &keep);
    let expected = Error::CeremonyFailed {
        needed: 3,
        qualified: 2,
        culprits: vec![1],
    };
    assert_eq!(verify_ceremony(&ctx, &r.board), Err(expected.clone()));
    assert!(r.keys.is_empty());
    assert!(
        r.failures
            .iter()
            .filter(|(i, _)| *i != 1)
            .all(|(_, e)| *e == expected)
    );
    assert_eq!(expected.culprits(), vec![Culprit::Trustee(1)]);

    // A trustee that never posts in round 1 leaves too few participants for t = n.
    let absent = run(
        &ctx,
        &s,
        &|b| {
            b.remove(1);
        },
        &keep,
        &keep,
    );
    let failed = Error::CeremonyFailed {
        needed: 3,
        qualified: 2,
        culprits: vec![2],
    };
    assert_eq!(absent.failures.len(), 3);
    assert!(absent.failures.iter().all(|(_, e)| *e == failed));
}

#[test]
fn false_complaint_against_an_honest_dealer_blames_the_complainer() {
    let ctx = ceremony(2, 4, 6);
    let s = seeds(60, 4);
    // In a first run dealer 1 sends trustee 2 a bad share, and trustee 2's complaint is valid.
    let clean = run(&ctx, &s, &keep, &keep, &keep);
    let bad = bad_dealer(&ctx, &s, &clean.board1, 2);
    let cheated = run(&ctx, &s, &keep, &|b| b[0] = bad.clone(), &keep);
    let complaint = cheated
        .board3
        .iter()
        .find(|p| p.sender() == idx(2))
        .unwrap()
        .clone();
    assert_eq!(complaint.complaints().len(), 1);
    // In the real run dealer 1 is honest, but trustee 2 posts the same complaint.
    let r = run(&ctx, &s, &keep, &keep, &|b| {
        let k = b.iter().position(|p| p.sender() == idx(2)).unwrap();
        b[k] = complaint.clone();
    });
    let outcome = agreed(&ctx, &r);
    assert_eq!(
        outcome
            .excluded()
            .iter()
            .map(|e| e.to_error())
            .collect::<Vec<_>>(),
        vec![Error::TrusteeRejected {
            trustee: 2,
            check: CeremonyCheck::FalseComplaint { dealer: 1 }
        }]
    );
    assert_eq!(outcome.qualified(), vec![idx(1), idx(3), idx(4)]);
    assert_eq!(r.keys.len(), 3);

    // A complaint whose DLEQ proof does not verify (K altered) is invalid, and blames the
    // complainer too.
    let mut bytes = complaint.to_bytes();
    let k = Point::from(complaint.complaints()[0].dh_point().element() + RISTRETTO_BASEPOINT_POINT);
    let at = SENDER + 4 + 4 + 4;
    bytes[at..at + 32].copy_from_slice(k.as_bytes());
    let forged = round3::Package::from_bytes(&bytes).unwrap();
    let mut board3 = r.board3.clone();
    let pos = board3.iter().position(|p| p.sender() == idx(2)).unwrap();
    board3[pos] = forged;
    let outcome = verify_ceremony(&ctx, &board_of(&r.board1, &r.board2, &board3)).unwrap();
    assert_eq!(
        outcome.excluded()[0].check(),
        CeremonyCheck::InvalidComplaint { dealer: 1 }
    );
}

#[test]
fn messages_from_another_ceremony_are_ignored_and_refused_alone() {
    let ctx = ceremony(2, 3, 8);
    let other_election = ceremony(2, 3, 9);
    let other_params = ceremony(3, 3, 8);
    assert_ne!(ctx.id(), other_election.id());
    assert_ne!(ctx.id(), other_params.id());
    let foreign = honest(&other_election, 80);

    // Alone, a message of another ceremony is refused by its own check.
    assert_eq!(
        foreign.board1[1].verify(&ctx),
        Err(Error::WrongCeremony { trustee: 2 })
    );
    // Relabelled with this ceremony's id, its proof fails: the transcript binds the election.
    let mut bytes = foreign.board1[1].to_bytes();
    bytes[H..H + 32].copy_from_slice(ctx.id());
    let relabelled = round1::Package::from_bytes(&bytes).unwrap();
    assert_eq!(
        relabelled.verify(&ctx),
        Err(Error::TrusteeRejected {
            trustee: 2,
            check: CeremonyCheck::CommunicationKeyProof
        })
    );
    // Another t for the same fingerprint is another ceremony.
    let (_, p) = dkg::part1(&other_params, idx(1), &mut ChaCha20Rng::seed_from_u64(1)).unwrap();
    assert_eq!(p.verify(&ctx), Err(Error::WrongCeremony { trustee: 1 }));

    // On the board, messages of another ceremony are ignored in every round: the honest
    // ceremony goes on as if they were not there, and every trustee agrees.
    let clean = honest(&ctx, 80);
    let expected = agreed(&ctx, &clean);
    let r = run_with(&ctx, &seeds(80, 3), &keep, &keep, &keep, &|round, board| {
        for p in match round {
            CeremonyRound::Commit => foreign.board1.iter().map(|p| p.to_bytes()).collect(),
            CeremonyRound::Reveal => foreign.board2.iter().map(|p| p.to_bytes()).collect(),
            CeremonyRound::Complain => foreign
                .board3
                .iter()
                .map(|p| p.to_bytes())
                .collect::<Vec<_>>(),
        } {
            board.post(round, idx(2), p).unwrap();
        }
    });
    assert!(r.failures.is_empty(), "{:?}", r.failures);
    assert_eq!(agreed(&ctx, &r), expected);
    // Instead of the trustee's own message, it leaves the trustee missing.
    let r = run(
        &ctx,
        &seeds(80, 3),
        &|b| b[1] = foreign.board1[1].clone(),
        &keep,
        &keep,
    );
    assert_eq!(
        exclusions(&agreed(&ctx, &r)),
        vec![(2, CeremonyCheck::Missing { round: 1 })]
    );
    assert_eq!(
        r.failures,
        vec![(
            2,
            Error::TrusteeRejected {
                trustee: 2,
                check: CeremonyCheck::Missing { round: 1 }
            }
        )]
    );
    let r = run(
        &ctx,
        &seeds(80, 3),
        &keep,
        &|b| b[1] = foreign.board2[1].clone(),
        &keep,
    );
    assert_eq!(
        exclusions(&agreed(&ctx, &r)),
        vec![(2, CeremonyCheck::Missing { round: 2 })]
    );
    assert_eq!(r.keys.len(), 2);
}

#[test]
fn a_share_is_checked_for_its_dealer_degree_recipient_and_proofs() {
    let ctx = ceremony(2, 3, 8);
    let foreign = honest(&ceremony(2, 3, 9), 81);
    let mut rngs: Vec<ChaCha20Rng> = seeds(81, 3)
        .iter()
        .map(|s| ChaCha20Rng::seed_from_u64(*s))
        .collect();
    let mut secrets = Vec::new();
    let mut board = CeremonyBoard::new();
    for i in 1..=3u32 {
        let (s, p) = dkg::part1(&ctx, idx(i), &mut rngs[i as usize - 1]).unwrap();
        board.post_round1(&p).unwrap();
        secrets.push(s);
    }
    let mut secrets2 = Vec::new();
    let mut b2 = Vec::new();
    for (i, s) in secrets.into_iter().enumerate() {
        let (s, p) = dkg::part2(s, &board, &mut rngs[i]).unwrap();
        secrets2.push(s);
        b2.push(p);
    }
    let dealer = &b2[0];
    let to_two = dealer.share_for(idx(2)).unwrap();
    let to_three = dealer.share_for(idx(3)).unwrap();
    let three = &secrets2[2];
    assert_eq!(three.check_share(dealer, to_three), Ok(()));
    // Another recipient, another ceremony.
    assert_eq!(
        three.check_share(dealer, to_two),
        Err(Error::WrongRecipient {
            sender: 1,
            recipient: 2,
            expected: 3
        })
    );
    assert_eq!(
        three.check_share(&foreign.board2[0], to_three),
        Err(Error::WrongCeremony { trustee: 1 })
    );
    // The dealer is this trustee itself.
    assert!(matches!(
        three.check_share(&b2[2], to_three),
        Err(Error::InvalidValue { .. })
    ));
    // The dealer is not a participant: its round-1 exclusion is the answer.
    let reduced = {
        let mut rngs: Vec<ChaCha20Rng> = seeds(82, 3)
            .iter()
            .map(|s| ChaCha20Rng::seed_from_u64(*s))
            .collect();
        let mut board = CeremonyBoard::new();
        let mut secrets = Vec::new();
        for i in 1..=2u32 {
            let (s, p) = dkg::part1(&ctx, idx(i), &mut rngs[i as usize - 1]).unwrap();
            board.post_round1(&p).unwrap();
            secrets.push(s);
        }
        dkg::part2(secrets.remove(0), &board, &mut rngs[0])
            .unwrap()
            .0
    };
    assert_eq!(
        reduced.check_share(&b2[2], b2[2].share_for(idx(1)).unwrap()),
        Err(Error::TrusteeRejected {
            trustee: 3,
            check: CeremonyCheck::Missing { round: 1 }
        })
    );
    // A polynomial of another degree: the dealer's package with one commitment (and its
    // proof) dropped still decodes, but is not a share of a degree-(t − 1) polynomial.
    let bytes = dealer.to_bytes();
    let mut short = bytes[..C0].to_vec();
    short[C0 - 4..C0].copy_from_slice(&1u32.to_le_bytes());
    short.extend_from_slice(&bytes[C0..C0 + 96]);
    short.extend_from_slice(&bytes[C0 + 2 * 96..]);
    let short = round2::Package::from_bytes(&short).unwrap();
    assert_eq!(short.commitments().len(), 1);
    assert_eq!(
        three.check_share(&short, short.share_for(idx(3)).unwrap()),
        Err(Error::TrusteeRejected {
            trustee: 1,
            check: CeremonyCheck::CoefficientCount
        })
    );
    // A share whose ephemeral proof is another share's.
    let mut forged = to_three.to_bytes();
    forged[68..].copy_from_slice(&to_two.to_bytes()[68..]);
    let forged = round2::EncryptedShare::from_bytes(&forged).unwrap();
    assert_eq!(
        three.check_share(dealer, &forged),
        Err(Error::TrusteeRejected {
            trustee: 1,
            check: CeremonyCheck::EphemeralProof { recipient: 3 }
        })
    );
    // A share that does not decrypt to a value matching the commitments (its proofs hold).
    let mut rng = ChaCha20Rng::seed_from_u64(seeds(81, 3)[0]);
    let (s1, _) = dkg::part1(&ctx, idx(1), &mut rng).unwrap();
    let (_, bad) =
        dkg::part2_dealing_bad_share_for_tests_only(s1, &board, idx(3), &mut rng).unwrap();
    assert_eq!(
        three.check_share(&bad, bad.share_for(idx(3)).unwrap()),
        Err(Error::TrusteeRejected {
            trustee: 1,
            check: CeremonyCheck::BadShare { recipient: 3 }
        })
    );
    let mut flipped = to_three.to_bytes();
    flipped[36] ^= 1;
    // (Flipping the ciphertext also breaks the ephemeral proof, which binds it.)
    assert_eq!(
        three.check_share(
            dealer,
            &round2::EncryptedShare::from_bytes(&flipped).unwrap()
        ),
        Err(Error::TrusteeRejected {
            trustee: 1,
            check: CeremonyCheck::EphemeralProof { recipient: 3 }
        })
    );
}

#[test]
fn duplicate_zero_and_out_of_range_indices_are_rejected() {
    let ctx = ceremony(2, 3, 10);
    assert_eq!(
        ThresholdParams::new(2, 3).unwrap().index(0),
        Err(Error::InvalidTrusteeIndex {
            index: 0,
            trustees: 255
        })
    );
    assert_eq!(
        ctx.params().index(4),
        Err(Error::InvalidTrusteeIndex {
            index: 4,
            trustees: 3
        })
    );
    assert_eq!(
        dkg::part1(&ctx, idx(4), &mut ChaCha20Rng::seed_from_u64(1)).map(|_| ()),
        Err(Error::InvalidTrusteeIndex {
            index: 4,
            trustees: 3
        })
    );
    let r = honest(&ctx, 100);
    let expected = agreed(&ctx, &r);
    // An identical message posted twice is kept once: it is not an equivocation.
    let mut board = r.board.clone();
    board.post_round1(&r.board1[0]).unwrap();
    board.post_round3(&r.board3[2]).unwrap();
    assert_eq!(board, r.board);
    assert_eq!(verify_ceremony(&ctx, &board).unwrap(), expected);
    // A message from index 0 does not decode; from index n + 1 it is out of range, alone and
    // on the board (where there is no such trustee to exclude, so it is ignored).
    let mut zero = r.board1[0].to_bytes();
    zero[SENDER..SENDER + 4].fill(0);
    assert!(matches!(
        round1::Package::from_bytes(&zero),
        Err(Error::InvalidTrusteeIndex { index: 0, .. })
    ));
    let big = honest(&ceremony(2, 4, 10), 100);
    assert!(matches!(
        big.board1[3].verify(&ctx),
        Err(Error::WrongCeremony { trustee: 4 })
    ));
    let mut relabelled = big.board1[3].to_bytes();
    relabelled[H..H + 32].copy_from_slice(ctx.id());
    let out_of_range = round1::Package::from_bytes(&relabelled).unwrap();
    assert_eq!(
        out_of_range.verify(&ctx),
        Err(Error::InvalidTrusteeIndex {
            index: 4,
            trustees: 3,
        })
    );
    let mut board = r.board.clone();
    board.post_round1(&out_of_range).unwrap();
    assert_eq!(verify_ceremony(&ctx, &board).unwrap(), expected);

    // Decryption: duplicates, index above n, index not qualified.
    let pkp = r.keys[0].public();
    let election = ElectionContext::new([10; 32]);
    let mut rng = ChaCha20Rng::seed_from_u64(10);
    let c = tally(pkp.joint_key(), 1, &[0, 0], &mut rng);
    let dctx = DecryptionContext::new(&election, pkp, &close(1), &c).unwrap();
    let p1 = r.keys[0]
        .partial_decrypt_for_tests_only(&dctx, &mut rng)
        .unwrap();
    let v1 = p1.verify(&dctx).unwrap();
    assert_eq!(
        combine(&dctx, &[v1.clone(), v1.clone()]),
        Err(Error::DuplicateTrustee { trustee: 1 })
    );
    let mut bytes = p1.to_bytes().unwrap();
    bytes[H + 4..H + 8].copy_from_slice(&4u32.to_le_bytes());
    assert_eq!(
        PartialDecryption::from_bytes(&bytes).unwrap().verify(&dctx),
        Err(Error::InvalidTrusteeIndex {
            index: 4,
            trustees: 3
        })
    );
    let table = DiscreteLogTable::new(10).unwrap();
    let p2 = r.keys[1]
        .partial_decrypt_for_tests_only(&dctx, &mut rng)
        .unwrap();
    let out = decrypt_tally(&dctx, &[p1.clone(), p1.clone(), p2.clone()], &table).unwrap();
    assert_eq!(out.totals, vec![2]);
    assert_eq!(
        out.rejected,
        vec![(idx(1), Error::DuplicateTrustee { trustee: 1 })]
    );
    assert_eq!(
        decrypt_tally(&dctx, &[p1.clone(), p1], &table).map(|o| o.totals),
        Err(Error::NotEnoughShares {
            needed: 2,
            valid: 1,
            rejected: vec![1]
        })
    );

    // A trustee excluded from QUAL is not qualified to decrypt.
    let (keys, dealt) = trusted_dealer_for_tests_only(params(2, 3), &mut rng).unwrap();
    let reduced = PublicKeyPackage::new(
        params(2, 3),
        dealt.joint_key().clone(),
        dealt.verification_shares()[..2].to_vec(),
    )
    .unwrap();
    let rctx = DecryptionContext::new(&election, &reduced, &close(1), &c).unwrap();
    let full = DecryptionContext::new(&election, &dealt, &close(1), &c).unwrap();
    let p3 = keys[2]
        .partial_decrypt_for_tests_only(&full, &mut rng)
        .unwrap();
    assert_eq!(
        p3.verify(&rctx),
        Err(Error::PartialDecryptionRejected {
            trustee: 3,
            check: DecryptionCheck::NotQualified
        })
    );
}

// ---------------------------------------------------------------------------------------------
// The board: one bad entry excludes its author, or is ignored, and the ceremony goes on

/// Bytes that carry this round's header and this ceremony's id, then junk (a sender index of
/// 2^32 − 1): an entry of this ceremony that does not decode.
fn undecodable(ctx: &CeremonyContext, round: CeremonyRound) -> Vec<u8> {
    let mut bytes = tabella::encoding::header::header(round.kind()).to_vec();
    bytes.extend_from_slice(ctx.id());
    bytes.extend_from_slice(&[0xff; 12]);
    bytes
}

#[test]
fn a_rerun_and_a_twin_election_are_other_ceremonies() {
    let manifest = || {
        tabella::election::Manifest::new(
            "twin",
            5,
            5,
            vec!["A".to_owned(), "B".to_owned()],
            tabella::rules::ElectionRules::with_schedule(tabella::rules::RuleSchedule::single(
                tabella::rules::MajorityRule::ABSOLUTE_MAJORITY,
            )),
            3,
            3,
        )
        .unwrap()
    };
    let fingerprint = manifest().ceremony_context().unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(13);

    // A first run fails: dealer 1 cheats and t = n.
    let first = CeremonyContext::random(fingerprint, params(3, 3), &mut rng);
    let s = seeds(130, 3);
    let clean = run(&first, &s, &keep, &keep, &keep);
    let bad = bad_dealer(&first, &s, &clean.board1, 2);
    let failed = run(&first, &s, &keep, &|b| b[0] = bad.clone(), &keep);
    assert!(matches!(
        verify_ceremony(&first, &failed.board),
        Err(Error::CeremonyFailed { .. })
    ));
    // The rerun draws a new nonce: another ceremony id, even with the same seeds (the same
    // trustee software). Every entry of the failed run, posted again on the rerun's board
    // under its author, is ignored, and the rerun completes.
    let rerun = CeremonyContext::random(fingerprint, params(3, 3), &mut rng);
    assert_ne!(rerun.run(), first.run());
    assert_ne!(rerun.id(), first.id());
    let expected = agreed(&rerun, &honest(&rerun, 130));
    let old = failed.board.clone();
    let r = run_with(&rerun, &s, &keep, &keep, &keep, &|round, board| {
        for e in old.entries(round) {
            board.post(round, e.author(), e.bytes().to_vec()).unwrap();
        }
    });
    assert!(r.failures.is_empty(), "{:?}", r.failures);
    assert_eq!(agreed(&rerun, &r), expected);
    assert!(expected.excluded().is_empty());

    // Two elections with identical manifests have one ceremony fingerprint, but each run of
    // each ceremony has its own id: a message of one is not a message of the other.
    let twin = CeremonyContext::random(
        manifest().ceremony_context().unwrap(),
        params(3, 3),
        &mut rng,
    );
    assert_eq!(twin.ceremony(), rerun.ceremony());
    assert_ne!(twin.id(), rerun.id());
    let twin_run = honest(&twin, 131);
    assert_eq!(
        twin_run.board2[0].verify(&rerun, &r.board1[0], &[idx(1), idx(2), idx(3)]),
        Err(Error::WrongCeremony { trustee: 1 })
    );
    let mut board = r.board.clone();
    for round in CeremonyRound::ALL {
        for e in twin_run.board.entries(round) {
            board.post(round, e.author(), e.bytes().to_vec()).unwrap();
        }
    }
    assert_eq!(verify_ceremony(&rerun, &board).unwrap(), expected);
}

#[test]
fn a_round2_package_replayed_from_an_earlier_run_is_ignored() {
    let fingerprint = ElectionContext::new([12; 32]);
    let earlier = CeremonyContext::new(fingerprint, params(2, 3), [1; 32]);
    let now = CeremonyContext::new(fingerprint, params(2, 3), [2; 32]);
    assert_ne!(earlier.id(), now.id());
    let old = honest(&earlier, 120);
    let expected = agreed(&now, &honest(&now, 121));
    // Trustee 1's round-2 package of the earlier run, replayed under its name (the board holds
    // its authenticated entry from then): ignored, and trustee 1 stays a qualified dealer.
    let replay = old.board2[0].to_bytes();
    let r = run_with(
        &now,
        &seeds(121, 3),
        &keep,
        &keep,
        &keep,
        &|round, board| {
            if round == CeremonyRound::Reveal {
                board.post(round, idx(1), replay.clone()).unwrap();
            }
        },
    );
    assert!(r.failures.is_empty(), "{:?}", r.failures);
    assert_eq!(r.board.entries(CeremonyRound::Reveal).len(), 4);
    let outcome = agreed(&now, &r);
    assert_eq!(outcome, expected);
    assert_eq!(outcome.qualified(), vec![idx(1), idx(2), idx(3)]);
    // Without the run nonce both runs would have one id, and the same replay would be a second
    // message of this ceremony from trustee 1: the honest trustee would be excluded.
    let same_id = honest(&now, 120);
    let replay = same_id.board2[0].to_bytes();
    let r = run_with(
        &now,
        &seeds(121, 3),
        &keep,
        &keep,
        &keep,
        &|round, board| {
            if round == CeremonyRound::Reveal {
                board.post(round, idx(1), replay.clone()).unwrap();
            }
        },
    );
    assert_eq!(
        exclusions(&agreed(&now, &r)),
        vec![(1, CeremonyCheck::Equivocation { round: 2 })]
    );
}

#[test]
fn an_undecodable_entry_excludes_its_author_and_the_ceremony_goes_on() {
    let ctx = ceremony(2, 3, 14);
    let s = seeds(140, 3);
    for round in CeremonyRound::ALL {
        let r = run_with(&ctx, &s, &keep, &keep, &keep, &|at, board| {
            if at == round {
                board.post(at, idx(3), undecodable(&ctx, at)).unwrap();
            }
        });
        let malformed = CeremonyCheck::Malformed {
            round: round.number(),
        };
        let outcome = agreed(&ctx, &r);
        assert_eq!(exclusions(&outcome), vec![(3, malformed)], "{round:?}");
        assert_eq!(outcome.qualified(), vec![idx(1), idx(2)]);
        assert_eq!(r.keys.len(), 2);
        // Trustee 3 learns why, in the next step it takes.
        assert_eq!(
            r.failures,
            vec![(
                3,
                Error::TrusteeRejected {
                    trustee: 3,
                    check: malformed
                }
            )]
        );
    }
    // Alone, instead of its message: the same.
    let r = run_with(
        &ctx,
        &s,
        &|b| {
            b.remove(2);
        },
        &keep,
        &keep,
        &|at, board| {
            if at == CeremonyRound::Commit {
                board.post(at, idx(3), undecodable(&ctx, at)).unwrap();
            }
        },
    );
    assert_eq!(
        exclusions(&agreed(&ctx, &r)),
        vec![(3, CeremonyCheck::Malformed { round: 1 })]
    );
    // Too few left: the ceremony fails, naming the author.
    let tight = ceremony(3, 3, 14);
    let r = run_with(&tight, &s, &keep, &keep, &keep, &|at, board| {
        if at == CeremonyRound::Reveal {
            board.post(at, idx(2), undecodable(&tight, at)).unwrap();
        }
    });
    assert_eq!(
        verify_ceremony(&tight, &r.board),
        Err(Error::CeremonyFailed {
            needed: 3,
            qualified: 2,
            culprits: vec![2]
        })
    );
}

#[test]
fn an_entry_with_another_sender_excludes_its_author_not_the_sender() {
    let ctx = ceremony(2, 3, 15);
    let s = seeds(150, 3);
    let clean = honest(&ctx, 150);
    let expected = agreed(&ctx, &clean);
    for round in CeremonyRound::ALL {
        // Trustee 3 posts trustee 1's message as its own, next to its own.
        let copy = clean.board.entries(round)[0].bytes().to_vec();
        let r = run_with(&ctx, &s, &keep, &keep, &keep, &|at, board| {
            if at == round {
                board.post(at, idx(3), copy.clone()).unwrap();
            }
        });
        let outcome = agreed(&ctx, &r);
        assert_eq!(
            exclusions(&outcome),
            vec![(
                3,
                CeremonyCheck::Malformed {
                    round: round.number()
                }
            )],
            "{round:?}"
        );
        assert_eq!(outcome.qualified(), vec![idx(1), idx(2)]);
        assert_ne!(&outcome, &expected);
    }
}

#[test]
fn an_equivocating_author_is_excluded_and_the_ceremony_goes_on() {
    let ctx = ceremony(2, 3, 16);
    let s = seeds(160, 3);
    let clean = honest(&ctx, 160);
    // Round 1: trustee 3 posts a second commitment (another polynomial, another key).
    let (_, second1) = dkg::part1(&ctx, idx(3), &mut ChaCha20Rng::seed_from_u64(1)).unwrap();
    // Round 2: dealer 1 posts a second, differently dealt reveal, valid on its own.
    let second2 = bad_dealer(&ctx, &s, &clean.board1, 2);
    second2
        .verify(&ctx, &clean.board1[0], &[idx(1), idx(2), idx(3)])
        .unwrap();
    // Round 3: trustee 2 posts a complaint package next to its empty one.
    let cheated = run(&ctx, &s, &keep, &|b| b[0] = second2.clone(), &keep);
    let second3 = cheated
        .board3
        .iter()
        .find(|p| p.sender() == idx(2))
        .unwrap()
        .to_bytes();
    for (round, author, second) in [
        (CeremonyRound::Commit, 3, second1.to_bytes()),
        (CeremonyRound::Reveal, 1, second2.to_bytes()),
        (CeremonyRound::Complain, 2, second3),
    ] {
        let r = run_with(&ctx, &s, &keep, &keep, &keep, &|at, board| {
            if at == round {
                board.post(at, idx(author), second.clone()).unwrap();
            }
        });
        let equivocation = CeremonyCheck::Equivocation {
            round: round.number(),
        };
        let outcome = agreed(&ctx, &r);
        assert_eq!(
            exclusions(&outcome),
            vec![(author, equivocation)],
            "{round:?}"
        );
        assert_eq!(r.keys.len(), 2);
        assert_eq!(
            r.failures,
            vec![(
                author,
                Error::TrusteeRejected {
                    trustee: author,
                    check: equivocation
                }
            )]
        );
        // A malformed third entry names the malformation first (rule 3 before rule 4).
        let r = run_with(&ctx, &s, &keep, &keep, &keep, &|at, board| {
            if at == round {
                board.post(at, idx(author), second.clone()).unwrap();
                board.post(at, idx(author), undecodable(&ctx, at)).unwrap();
            }
        });
        assert_eq!(
            exclusions(&agreed(&ctx, &r)),
            vec![(
                author,
                CeremonyCheck::Malformed {
                    round: round.number()
                }
            )]
        );
    }
}

#[test]
fn entries_of_no_trustee_of_another_kind_or_ceremony_are_ignored() {
    let ctx = ceremony(2, 3, 17);
    let s = seeds(170, 3);
    let clean = honest(&ctx, 170);
    let expected = agreed(&ctx, &clean);
    let foreign = honest(&ceremony(2, 3, 18), 170);
    let r = run_with(&ctx, &s, &keep, &keep, &keep, &|round, board| {
        let own = clean.board.entries(round)[0].bytes().to_vec();
        // No such trustee: author 4 of a 2-of-3 ceremony.
        board.post(round, idx(4), own).unwrap();
        // Another ceremony's message of this round.
        let other = foreign.board.entries(round)[1].bytes().to_vec();
        board.post(round, idx(2), other).unwrap();
        // This ceremony's message of another round (another kind in its header).
        let next = CeremonyRound::ALL[round.number() as usize % 3];
        let misplaced = clean.board.entries(next)[1].bytes().to_vec();
        board.post(round, idx(2), misplaced).unwrap();
        // Bytes that are not a tabella object at all, and another protocol version.
        board.post(round, idx(2), b"junk".to_vec()).unwrap();
        let mut v2 = clean.board.entries(round)[1].bytes().to_vec();
        v2[3] = 2;
        board.post(round, idx(2), v2).unwrap();
    });
    assert!(r.failures.is_empty(), "{:?}", r.failures);
    assert_eq!(r.board.entries(CeremonyRound::Reveal).len(), 3 + 5);
    assert_eq!(agreed(&ctx, &r), expected);
    // The board round-trips with all of it.
    assert_eq!(
        CeremonyBoard::from_bytes(&r.board.to_bytes()).unwrap(),
        r.board
    );
}

// ---------------------------------------------------------------------------------------------
// Wrong partial decryptions

struct Decryption {
    keys: Vec<KeyPackage>,
    election: ElectionContext,
    tally: Vec<Ciphertext>,
    other_tally: Vec<Ciphertext>,
    rng: ChaCha20Rng,
}

fn decryption_setup() -> Decryption {
    let ctx = ceremony(3, 5, 11);
    let r = honest(&ctx, 110);
    let mut rng = ChaCha20Rng::seed_from_u64(110);
    let key = r.keys[0].public().joint_key().clone();
    let tally = tally(&key, 3, &[0, 1, 2, 2, 1, 2], &mut rng);
    let other_tally = self::tally(&key, 3, &[0, 0, 0, 1], &mut rng);
    Decryption {
        keys: r.keys,
        election: ElectionContext::new([11; 32]),
        tally,
        other_tally,
        rng,
    }
}

fn proof_rejected(trustee: u32, ciphertext: u32) -> Error {
    Error::PartialDecryptionRejected {
        trustee,
        check: DecryptionCheck::Proof { ciphertext },
    }
}

#[test]
fn wrong_partial_decryptions_are_rejected_named_and_skipped() {
    let mut d = decryption_setup();
    let pkp = d.keys[0].public().clone();
    let dctx = DecryptionContext::new(&d.election, &pkp, &close(1), &d.tally).unwrap();
    let good: Vec<PartialDecryption> = d
        .keys
        .iter()
        .map(|k| k.partial_decrypt_for_tests_only(&dctx, &mut d.rng).unwrap())
        .collect();
    for p in &good {
        p.verify(&dctx).unwrap();
    }
    let mutate = |p: &PartialDecryption, f: &dyn Fn(&mut Vec<u8>)| {
        let mut bytes = p.to_bytes().unwrap();
        f(&mut bytes);
        PartialDecryption::from_bytes(&bytes).unwrap()
    };
    // D = x·α + G: the DLEQ statement's D. (Every D is in the transcript before the first
    // proof, so the proof of ciphertext 0 already fails.)
    let plus_g = mutate(&good[0], &|b| {
        let d = Point::decode("D", &b[P + 128..P + 160]).unwrap();
        let moved = Point::from(d.element() + RISTRETTO_BASEPOINT_POINT);
        b[P + 128..P + 160].copy_from_slice(moved.as_bytes());
    });
    assert_eq!(plus_g.verify(&dctx), Err(proof_rejected(1, 0)));

    // A partial of another tally: the statement's H = α.
    let other_ctx = DecryptionContext::new(&d.election, &pkp, &close(1), &d.other_tally).unwrap();
    let other_tally = d.keys[1]
        .partial_decrypt_for_tests_only(&other_ctx, &mut d.rng)
        .unwrap();
    assert_eq!(other_tally.verify(&dctx), Err(proof_rejected(2, 0)));

    // Another round: named as such, and relabelled it fails its proof.
    let round2_ctx = DecryptionContext::new(&d.election, &pkp, &close(2), &d.tally).unwrap();
    let other_round = d.keys[2]
        .partial_decrypt_for_tests_only(&round2_ctx, &mut d.rng)
        .unwrap();
    assert_eq!(
        other_round.verify(&dctx),
        Err(Error::PartialDecryptionRejected {
            trustee: 3,
            check: DecryptionCheck::WrongRound {
                expected: 1,
                actual: 2
            }
        })
    );
    let relabelled = mutate(&other_round, &|b| {
        b[H..H + 4].copy_from_slice(&1u32.to_le_bytes())
    });
    assert_eq!(relabelled.verify(&dctx), Err(proof_rejected(3, 0)));

    // Another index: the statement's Y_i.
    let other_index = mutate(&good[3], &|b| {
        b[H + 4..H + 8].copy_from_slice(&5u32.to_le_bytes())
    });
    assert_eq!(other_index.verify(&dctx), Err(proof_rejected(5, 0)));

    // Another election.
    let other_election = ElectionContext::new([12; 32]);
    let ectx = DecryptionContext::new(&other_election, &pkp, &close(1), &d.tally).unwrap();
    let other_el = d.keys[4]
        .partial_decrypt_for_tests_only(&ectx, &mut d.rng)
        .unwrap();
    assert_eq!(other_el.verify(&dctx), Err(proof_rejected(5, 0)));

    // A proof replayed from another tally next to the right share.
    let replayed = {
        let mut bytes = good[1].to_bytes().unwrap();
        let src = other_tally.to_bytes().unwrap();
        bytes[P + 128 * 2 + 32..P + 128 * 3].copy_from_slice(&src[P + 128 * 2 + 32..P + 128 * 3]);
        PartialDecryption::from_bytes(&bytes).unwrap()
    };
    assert_eq!(replayed.verify(&dctx), Err(proof_rejected(2, 2)));
    // The response or a commitment altered.
    for offset in [32, 64, 96] {
        let m = mutate(&good[2], &|b| {
            let at = P + offset;
            let s = Scalar::from_canonical_bytes(b[at..at + 32].try_into().unwrap());
            let changed = if offset == 96 {
                (s.unwrap() + Scalar::ONE).to_bytes()
            } else {
                let p = Point::decode("R", &b[at..at + 32]).unwrap();
                Point::from(p.element() + RISTRETTO_BASEPOINT_POINT).to_bytes()
            };
            b[at..at + 32].copy_from_slice(&changed);
        });
        assert_eq!(
            m.verify(&dctx),
            Err(proof_rejected(3, 0)),
            "offset {offset}"
        );
    }
    // Shares in another order.
    let swapped = mutate(&good[0], &|b| {
        let first = b[P..P + 128].to_vec();
        let second = b[P + 128..P + 256].to_vec();
        b[P..P + 128].copy_from_slice(&second);
        b[P + 128..P + 256].copy_from_slice(&first);
    });
    assert_eq!(swapped.verify(&dctx), Err(proof_rejected(1, 0)));
    // Fewer shares than ciphertexts.
    let narrow_tally = &d.tally[..2];
    let nctx = DecryptionContext::new(&d.election, &pkp, &close(1), narrow_tally).unwrap();
    let narrow = d.keys[0]
        .partial_decrypt_for_tests_only(&nctx, &mut d.rng)
        .unwrap();
    assert_eq!(
        narrow.verify(&dctx),
        Err(Error::PartialDecryptionRejected {
            trustee: 1,
            check: DecryptionCheck::Width {
                expected: 3,
                actual: 2
            }
        })
    );
    // A partial verified for another tally cannot be combined into this one.
    let verified_other = other_tally.verify(&other_ctx).unwrap();
    let v0 = good[0].verify(&dctx).unwrap();
    let v2 = good[2].verify(&dctx).unwrap();
    assert_eq!(
        combine(&dctx, &[v0.clone(), verified_other, v2.clone()]),
        Err(Error::PartialDecryptionRejected {
            trustee: 2,
            check: DecryptionCheck::WrongStatement
        })
    );

    // The batch names the same trustees, and decryption goes on with the valid ones.
    let table = DiscreteLogTable::new(20).unwrap();
    let received = vec![
        plus_g.clone(),
        other_tally.clone(),
        good[2].clone(),
        good[3].clone(),
        replayed.clone(),
        good[4].clone(),
    ];
    let screening = PartialDecryption::verify_batch(&dctx, &received);
    assert_eq!(screening.rejected_trustees(), vec![1, 2]);
    // Every partial is checked before duplicates are decided: the replayed one is refused
    // for its proof (not as a second partial of trustee 2, which has no valid one).
    assert_eq!(
        screening.rejected,
        vec![
            (idx(1), proof_rejected(1, 0)),
            (idx(2), proof_rejected(2, 0)),
            (idx(2), proof_rejected(2, 2)),
        ]
    );
    assert_eq!(
        screening
            .verified
            .iter()
            .map(|v| v.trustee())
            .collect::<Vec<_>>(),
        vec![idx(3), idx(4), idx(5)]
    );
    let out = decrypt_tally(&dctx, &received, &table).unwrap();
    assert_eq!(out.totals, vec![1, 2, 3]);
    assert_eq!(out.used, vec![idx(3), idx(4), idx(5)]);
    // With too few valid partials, the error names every rejected trustee.
    let too_few = vec![plus_g, other_tally, good[2].clone(), other_index];
    assert_eq!(
        decrypt_tally(&dctx, &too_few, &table).map(|o| o.totals),
        Err(Error::NotEnoughShares {
            needed: 3,
            valid: 1,
            rejected: vec![1, 2, 5]
        })
    );
    assert_eq!(replayed.trustee(), idx(2));
    let e = Error::NotEnoughShares {
        needed: 3,
        valid: 1,
        rejected: vec![1, 2, 5],
    };
    assert_eq!(
        e.culprits(),
        vec![
            Culprit::Trustee(1),
            Culprit::Trustee(2),
            Culprit::Trustee(5)
        ]
    );
    // And the valid three decrypt through `decrypt` too.
    let v3 = good[3].verify(&dctx).unwrap();
    assert_eq!(
        decrypt(&dctx, &[v3, v0, v2], &table).unwrap(),
        vec![1, 2, 3]
    );
}

#[test]
fn a_decryption_context_for_another_key_is_refused_by_the_trustee() {
    let mut d = decryption_setup();
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let (_, other) = trusted_dealer_for_tests_only(params(3, 5), &mut rng).unwrap();
    let ctx = DecryptionContext::new(&d.election, &other, &close(1), &d.tally).unwrap();
    assert!(matches!(
        d.keys[0].partial_decrypt_for_tests_only(&ctx, &mut d.rng),
        Err(Error::InvalidValue { .. })
    ));
    assert!(DecryptionContext::new(&d.election, &other, &close(1), &[]).is_err());
    let empty = [Ciphertext::zero()];
    assert_eq!(
        DecryptionContext::new(&d.election, &other, &close(1), &empty).map(|_| ()),
        Err(Error::IdentityPoint {
            what: "tally ciphertext alpha"
        })
    );
}

// ---------------------------------------------------------------------------------------------
// Secrets stay secret in Debug

#[test]
fn debug_never_prints_secrets() {
    let ctx = ceremony(2, 3, 13);
    let mut rngs: Vec<ChaCha20Rng> = seeds(130, 3)
        .iter()
        .map(|s| ChaCha20Rng::seed_from_u64(*s))
        .collect();
    let mut debug_secrets = Vec::new();
    let mut board = CeremonyBoard::new();
    let mut s1 = Vec::new();
    let mut b1 = Vec::new();
    for i in 1..=3u32 {
        let (s, p) = dkg::part1(&ctx, idx(i), &mut rngs[i as usize - 1]).unwrap();
        debug_secrets.push(format!("{s:?}"));
        board.post_round1(&p).unwrap();
        s1.push(s);
        b1.push(p);
    }
    let mut s2 = Vec::new();
    let mut b2 = Vec::new();
    for (k, s) in s1.into_iter().enumerate() {
        let (s, p) = dkg::part2(s, &board, &mut rngs[k]).unwrap();
        debug_secrets.push(format!("{s:?}"));
        s2.push(s);
        b2.push(p);
    }
    for p in &b2 {
        board.post_round2(p).unwrap();
    }
    let mut s3 = Vec::new();
    let mut b3 = Vec::new();
    for (k, s) in s2.into_iter().enumerate() {
        let (s, p) = dkg::part3(s, &board, &mut rngs[k]).unwrap();
        debug_secrets.push(format!("{s:?}"));
        s3.push(s);
        b3.push(p);
    }
    for p in &b3 {
        board.post_round3(p).unwrap();
    }
    let mut keys = Vec::new();
    let mut outcomes = Vec::new();
    for s in s3 {
        let (k, o) = dkg::part4(s, &board).unwrap();
        debug_secrets.push(format!("{k:?}"));
        keys.push(k);
        outcomes.push(o);
    }
    for d in &debug_secrets {
        assert!(d.contains("<redacted>"), "{d}");
    }
    let election = ElectionContext::new([13; 32]);
    let pkp = keys[0].public();
    let c = tally(pkp.joint_key(), 2, &[0, 1], &mut rngs[0]);
    let dctx = DecryptionContext::new(&election, pkp, &close(1), &c).unwrap();
    let partial = keys[0]
        .partial_decrypt_for_tests_only(&dctx, &mut rngs[0])
        .unwrap();
    let verified = partial.verify(&dctx).unwrap();
    let public_debug = [
        format!("{b1:?}"),
        format!("{b2:?}"),
        format!("{b3:?}"),
        format!("{board:?}"),
        format!("{pkp:?}"),
        format!("{:?}", outcomes[0]),
        format!("{partial:?}"),
        format!("{verified:?}"),
        format!("{dctx:?}"),
        format!("{ctx:?}"),
    ];
    for key in &keys {
        let share = key.export();
        // header, package fingerprint (32), index (4), then x_i (32).
        let at = tabella::encoding::header::HEADER_LEN + 36;
        let secret_hex = hex(&share[at..at + 32]);
        for d in public_debug.iter().chain(&debug_secrets) {
            assert!(!d.contains(&secret_hex));
        }
    }
}
