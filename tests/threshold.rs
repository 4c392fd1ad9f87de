//! Threshold trustees: the key ceremony (honest and adversarial) and threshold decryption.

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tabella::elgamal::{Ciphertext, DiscreteLogTable, PublicKey};
use tabella::error::{CeremonyCheck, Culprit, DecryptionCheck, Error};
use tabella::group::Point;
use tabella::threshold::dkg::{self, CeremonyContext, round1, round2, round3};
use tabella::threshold::{
    DecryptionContext, KeyPackage, PartialDecryption, PublicKeyPackage, ThresholdParams,
    TrusteeIndex, VerifiedPartialDecryption, combine, decrypt, decrypt_tally, lagrange_at_zero,
    trusted_dealer_for_tests_only, verify_ceremony,
};
use tabella::transcript::ElectionContext;

// ---------------------------------------------------------------------------------------------
// Helpers

type Tamper<'a, T> = &'a dyn Fn(&mut Vec<T>);

fn keep<T>(_: &mut Vec<T>) {}

fn params(t: u32, n: u32) -> ThresholdParams {
    ThresholdParams::new(t, n).unwrap()
}

fn idx(i: u32) -> TrusteeIndex {
    TrusteeIndex::new(i).unwrap()
}

fn ceremony(t: u32, n: u32, fingerprint: u8) -> CeremonyContext {
    CeremonyContext::new(ElectionContext::new([fingerprint; 32]), params(t, n))
}

fn seeds(base: u64, n: u32) -> Vec<u64> {
    (1..=u64::from(n)).map(|i| base * 1000 + i).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A whole ceremony, round by round; the boards can be tampered with between rounds. A
/// trustee whose step fails drops out and its error is recorded.
struct Run {
    board1: Vec<round1::Package>,
    board2: Vec<round2::Package>,
    board3: Vec<round3::Package>,
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
    let mut rngs: Vec<ChaCha20Rng> = seeds
        .iter()
        .map(|s| ChaCha20Rng::seed_from_u64(*s))
        .collect();
    let mut failures = Vec::new();

    let mut secrets1 = Vec::new();
    let mut board1 = Vec::new();
    for i in ctx.params().indices() {
        let (s, p) = dkg::part1(ctx, i, &mut rngs[(i.get() - 1) as usize]).unwrap();
        secrets1.push(s);
        board1.push(p);
    }
    tamper1(&mut board1);

    let mut secrets2 = Vec::new();
    let mut board2 = Vec::new();
    for s in secrets1 {
        let i = s.index();
        match dkg::part2(s, &board1, &mut rngs[(i.get() - 1) as usize]) {
            Ok((s, p)) => {
                secrets2.push(s);
                board2.push(p);
            }
            Err(e) => failures.push((i.get(), e)),
        }
    }
    tamper2(&mut board2);

    let mut secrets3 = Vec::new();
    let mut board3 = Vec::new();
    for s in secrets2 {
        let i = s.index();
        match dkg::part3(s, &board2, &mut rngs[(i.get() - 1) as usize]) {
            Ok((s, p)) => {
                secrets3.push(s);
                board3.push(p);
            }
            Err(e) => failures.push((i.get(), e)),
        }
    }
    tamper3(&mut board3);

    let mut keys = Vec::new();
    let mut outcomes = Vec::new();
    for s in secrets3 {
        let i = s.index();
        match dkg::part4(s, &board3) {
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
            let public = verify_ceremony(&ctx, &r.board1, &r.board2, &r.board3).unwrap();
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
            let dctx = DecryptionContext::new(&election, pkp, 1, &c).unwrap();
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
    for p in &r.board1 {
        let bytes = p.to_bytes();
        assert_eq!(bytes.len(), round1::PACKAGE_LEN);
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
        identity[68..100].fill(0);
        assert_eq!(
            round1::Package::from_bytes(&identity),
            Err(Error::IdentityPoint {
                what: "communication key"
            })
        );
    }
    for p in &r.board2 {
        let bytes = p.to_bytes().unwrap();
        assert_eq!(bytes.len(), 76 + 96 * 2 + 68 * 2);
        let decoded = round2::Package::from_bytes(&bytes).unwrap();
        assert_eq!(&decoded, p);
        assert_eq!(decoded.to_bytes().unwrap(), bytes);
        let mut long = bytes.clone();
        long.push(0);
        assert!(round2::Package::from_bytes(&long).is_err());
        // Recipients out of order.
        let shares = 76 + 96 * 2;
        let mut swapped = bytes.clone();
        let (a, b) = (
            bytes[shares..shares + 68].to_vec(),
            bytes[shares + 68..].to_vec(),
        );
        swapped[shares..shares + 68].copy_from_slice(&b);
        swapped[shares + 68..].copy_from_slice(&a);
        assert!(matches!(
            round2::Package::from_bytes(&swapped),
            Err(Error::InvalidValue { .. })
        ));
        // A non-canonical scalar in a proof.
        let mut bad = bytes.clone();
        bad[72 + 64..72 + 96].fill(0xff);
        assert!(matches!(
            round2::Package::from_bytes(&bad),
            Err(Error::NonCanonicalScalar { .. })
        ));
        // An identity coefficient commitment.
        let mut id = bytes.clone();
        id[72..104].fill(0);
        assert!(matches!(
            round2::Package::from_bytes(&id),
            Err(Error::IdentityPoint { .. })
        ));
    }
    for p in &r.board3 {
        let bytes = p.to_bytes().unwrap();
        assert_eq!(bytes.len(), 40);
        assert_eq!(&round3::Package::from_bytes(&bytes).unwrap(), p);
    }
    let pkp = r.keys[0].public();
    assert_eq!(
        &PublicKeyPackage::from_bytes(&pkp.to_bytes().unwrap()).unwrap(),
        pkp
    );

    let election = ElectionContext::new([3; 32]);
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let c = tally(pkp.joint_key(), 2, &[0, 1, 1], &mut rng);
    let dctx = DecryptionContext::new(&election, pkp, 1, &c).unwrap();
    let partial = r.keys[1]
        .partial_decrypt_for_tests_only(&dctx, &mut rng)
        .unwrap();
    let bytes = partial.to_bytes().unwrap();
    assert_eq!(bytes.len(), 12 + 2 * 128);
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
    zero[4..8].fill(0);
    assert!(matches!(
        PartialDecryption::from_bytes(&zero),
        Err(Error::InvalidTrusteeIndex { index: 0, .. })
    ));
    let mut identity = bytes.clone();
    identity[12..44].fill(0);
    assert!(matches!(
        PartialDecryption::from_bytes(&identity),
        Err(Error::IdentityPoint { .. })
    ));
    let mut empty = bytes[..12].to_vec();
    empty[8..12].fill(0);
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
    let expected = dkg::Exclusion::to_error(
        &verify_ceremony(&ctx, &r.board1, &r.board2, &r.board3)
            .unwrap()
            .excluded()[0],
    );
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
    let mut bytes = preview.board2[2].to_bytes().unwrap();
    bytes[72..104].copy_from_slice(&rogue.compress().to_bytes());
    let rogue_reveal = round2::Package::from_bytes(&bytes).unwrap();
    // Its round-1 hash commitment matches the rogue reveal (the rogue chose it to).
    let mut r1 = preview.board1[2].to_bytes();
    r1[36..68].copy_from_slice(&rogue_reveal.commitment(&ctx));
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
    let outcome = verify_ceremony(&ctx, &r.board1, &r.board2, &r.board3).unwrap();
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

/// Offset of the ciphertext of the `k`-th encrypted share of a round-2 package with t
/// coefficients.
fn share_ct(t: usize, k: usize) -> usize {
    76 + 96 * t + 68 * k + 36
}

fn corrupt_share(p: &round2::Package, t: usize, k: usize) -> round2::Package {
    let mut bytes = p.to_bytes().unwrap();
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
    dkg::part2_dealing_bad_share_for_tests_only(secret, board1, idx(victim), &mut rng)
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
    let outcome = verify_ceremony(&ctx, &r.board1, &r.board2, &r.board3).unwrap();
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
    let dctx = DecryptionContext::new(&election, pkp, 1, &c).unwrap();
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
    assert_eq!(
        verify_ceremony(&ctx, &r.board1, &r.board2, &r.board3),
        Err(expected.clone())
    );
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
    let outcome = verify_ceremony(&ctx, &r.board1, &r.board2, &r.board3).unwrap();
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
    let mut bytes = complaint.to_bytes().unwrap();
    let k = Point::from(complaint.complaints()[0].dh_point().element() + RISTRETTO_BASEPOINT_POINT);
    bytes[44..76].copy_from_slice(k.as_bytes());
    let forged = round3::Package::from_bytes(&bytes).unwrap();
    let mut board3 = r.board3.clone();
    let pos = board3.iter().position(|p| p.sender() == idx(2)).unwrap();
    board3[pos] = forged;
    let outcome = verify_ceremony(&ctx, &r.board1, &r.board2, &board3).unwrap();
    assert_eq!(
        outcome.excluded()[0].check(),
        CeremonyCheck::InvalidComplaint { dealer: 1 }
    );
}

#[test]
fn messages_from_another_ceremony_or_for_another_trustee_are_rejected() {
    let ctx = ceremony(2, 3, 8);
    let other_election = ceremony(2, 3, 9);
    let other_params = ceremony(3, 3, 8);
    assert_ne!(ctx.id(), other_election.id());
    assert_ne!(ctx.id(), other_params.id());
    let r = honest(&ctx, 80);
    let foreign = honest(&other_election, 80);

    // Round 1: a package from another election.
    assert_eq!(
        foreign.board1[1].verify(&ctx),
        Err(Error::WrongCeremony { trustee: 2 })
    );
    let mut board1 = r.board1.clone();
    board1[1] = foreign.board1[1].clone();
    assert_eq!(
        verify_ceremony(&ctx, &board1, &r.board2, &r.board3),
        Err(Error::WrongCeremony { trustee: 2 })
    );
    // Relabelled with this ceremony's id, its proof fails: the transcript binds the election.
    let mut bytes = foreign.board1[1].to_bytes();
    bytes[..32].copy_from_slice(ctx.id());
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

    // Rounds 2 and 3.
    let mut board2 = r.board2.clone();
    board2[0] = foreign.board2[0].clone();
    assert_eq!(
        verify_ceremony(&ctx, &r.board1, &board2, &r.board3),
        Err(Error::WrongCeremony { trustee: 1 })
    );
    let mut board3 = r.board3.clone();
    board3[2] = foreign.board3[2].clone();
    assert_eq!(
        verify_ceremony(&ctx, &r.board1, &r.board2, &board3),
        Err(Error::WrongCeremony { trustee: 3 })
    );

    // A share addressed to another trustee.
    let mut rngs: Vec<ChaCha20Rng> = seeds(81, 3)
        .iter()
        .map(|s| ChaCha20Rng::seed_from_u64(*s))
        .collect();
    let mut secrets = Vec::new();
    let mut b1 = Vec::new();
    for i in 1..=3u32 {
        let (s, p) = dkg::part1(&ctx, idx(i), &mut rngs[i as usize - 1]).unwrap();
        secrets.push(s);
        b1.push(p);
    }
    let mut secrets2 = Vec::new();
    let mut b2 = Vec::new();
    for (i, s) in secrets.into_iter().enumerate() {
        let (s, p) = dkg::part2(s, &b1, &mut rngs[i]).unwrap();
        secrets2.push(s);
        b2.push(p);
    }
    let dealer = &b2[0];
    let to_two = dealer.share_for(idx(2)).unwrap();
    let to_three = dealer.share_for(idx(3)).unwrap();
    assert_eq!(secrets2[2].check_share(dealer, to_three), Ok(()));
    assert_eq!(
        secrets2[2].check_share(dealer, to_two),
        Err(Error::WrongRecipient {
            sender: 1,
            recipient: 2,
            expected: 3
        })
    );
    assert_eq!(
        secrets2[2].check_share(&foreign.board2[0], to_three),
        Err(Error::WrongCeremony { trustee: 1 })
    );
    let bad = corrupt_share(dealer, 2, 1);
    assert_eq!(
        secrets2[2].check_share(&bad, bad.share_for(idx(3)).unwrap()),
        Err(Error::TrusteeRejected {
            trustee: 1,
            check: CeremonyCheck::BadShare { recipient: 3 }
        })
    );
    // part3 refuses a board with a foreign message.
    let mut foreign_board = b2.clone();
    foreign_board[1] = foreign.board2[1].clone();
    let s = secrets2.remove(0);
    assert_eq!(
        dkg::part3(s, &foreign_board, &mut rngs[0]).map(|_| ()),
        Err(Error::WrongCeremony { trustee: 2 })
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
    // A board with two messages from one trustee.
    let mut board1 = r.board1.clone();
    board1.push(r.board1[0].clone());
    assert_eq!(
        verify_ceremony(&ctx, &board1, &r.board2, &r.board3),
        Err(Error::DuplicateTrustee { trustee: 1 })
    );
    let mut board3 = r.board3.clone();
    board3.push(r.board3[2].clone());
    assert_eq!(
        verify_ceremony(&ctx, &r.board1, &r.board2, &board3),
        Err(Error::DuplicateTrustee { trustee: 3 })
    );
    // A message from index 0 does not decode; from index n + 1 it is out of range.
    let mut zero = r.board1[0].to_bytes();
    zero[32..36].fill(0);
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
    relabelled[..32].copy_from_slice(ctx.id());
    let out_of_range = round1::Package::from_bytes(&relabelled).unwrap();
    let expected = Err(Error::InvalidTrusteeIndex {
        index: 4,
        trustees: 3,
    });
    assert_eq!(out_of_range.verify(&ctx), expected);
    let mut board1 = r.board1.clone();
    board1.push(out_of_range);
    assert_eq!(
        verify_ceremony(&ctx, &board1, &r.board2, &r.board3).map(|_| ()),
        expected
    );

    // Decryption: duplicates, index above n, index not qualified.
    let pkp = r.keys[0].public();
    let election = ElectionContext::new([10; 32]);
    let mut rng = ChaCha20Rng::seed_from_u64(10);
    let c = tally(pkp.joint_key(), 1, &[0, 0], &mut rng);
    let dctx = DecryptionContext::new(&election, pkp, 1, &c).unwrap();
    let p1 = r.keys[0]
        .partial_decrypt_for_tests_only(&dctx, &mut rng)
        .unwrap();
    let v1 = p1.verify(&dctx).unwrap();
    assert_eq!(
        combine(&dctx, &[v1.clone(), v1.clone()]),
        Err(Error::DuplicateTrustee { trustee: 1 })
    );
    let mut bytes = p1.to_bytes().unwrap();
    bytes[4..8].copy_from_slice(&4u32.to_le_bytes());
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
    let rctx = DecryptionContext::new(&election, &reduced, 1, &c).unwrap();
    let full = DecryptionContext::new(&election, &dealt, 1, &c).unwrap();
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
    let dctx = DecryptionContext::new(&d.election, &pkp, 1, &d.tally).unwrap();
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
        let d = Point::decode("D", &b[12 + 128..12 + 160]).unwrap();
        let moved = Point::from(d.element() + RISTRETTO_BASEPOINT_POINT);
        b[12 + 128..12 + 160].copy_from_slice(moved.as_bytes());
    });
    assert_eq!(plus_g.verify(&dctx), Err(proof_rejected(1, 0)));

    // A partial of another tally: the statement's H = α.
    let other_ctx = DecryptionContext::new(&d.election, &pkp, 1, &d.other_tally).unwrap();
    let other_tally = d.keys[1]
        .partial_decrypt_for_tests_only(&other_ctx, &mut d.rng)
        .unwrap();
    assert_eq!(other_tally.verify(&dctx), Err(proof_rejected(2, 0)));

    // Another round: named as such, and relabelled it fails its proof.
    let round2_ctx = DecryptionContext::new(&d.election, &pkp, 2, &d.tally).unwrap();
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
        b[..4].copy_from_slice(&1u32.to_le_bytes())
    });
    assert_eq!(relabelled.verify(&dctx), Err(proof_rejected(3, 0)));

    // Another index: the statement's Y_i.
    let other_index = mutate(&good[3], &|b| b[4..8].copy_from_slice(&5u32.to_le_bytes()));
    assert_eq!(other_index.verify(&dctx), Err(proof_rejected(5, 0)));

    // Another election.
    let other_election = ElectionContext::new([12; 32]);
    let ectx = DecryptionContext::new(&other_election, &pkp, 1, &d.tally).unwrap();
    let other_el = d.keys[4]
        .partial_decrypt_for_tests_only(&ectx, &mut d.rng)
        .unwrap();
    assert_eq!(other_el.verify(&dctx), Err(proof_rejected(5, 0)));

    // A proof replayed from another tally next to the right share.
    let replayed = {
        let mut bytes = good[1].to_bytes().unwrap();
        let src = other_tally.to_bytes().unwrap();
        bytes[12 + 128 * 2 + 32..12 + 128 * 3]
            .copy_from_slice(&src[12 + 128 * 2 + 32..12 + 128 * 3]);
        PartialDecryption::from_bytes(&bytes).unwrap()
    };
    assert_eq!(replayed.verify(&dctx), Err(proof_rejected(2, 2)));
    // The response or a commitment altered.
    for offset in [32, 64, 96] {
        let m = mutate(&good[2], &|b| {
            let at = 12 + offset;
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
        let first = b[12..140].to_vec();
        let second = b[140..268].to_vec();
        b[12..140].copy_from_slice(&second);
        b[140..268].copy_from_slice(&first);
    });
    assert_eq!(swapped.verify(&dctx), Err(proof_rejected(1, 0)));
    // Fewer shares than ciphertexts.
    let narrow_tally = &d.tally[..2];
    let nctx = DecryptionContext::new(&d.election, &pkp, 1, narrow_tally).unwrap();
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
    assert_eq!(
        screening.rejected,
        vec![
            (idx(2), Error::DuplicateTrustee { trustee: 2 }),
            (idx(1), proof_rejected(1, 0)),
            (idx(2), proof_rejected(2, 0)),
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
    let ctx = DecryptionContext::new(&d.election, &other, 1, &d.tally).unwrap();
    assert!(matches!(
        d.keys[0].partial_decrypt_for_tests_only(&ctx, &mut d.rng),
        Err(Error::InvalidValue { .. })
    ));
    assert!(DecryptionContext::new(&d.election, &other, 1, &[]).is_err());
    let empty = [Ciphertext::zero()];
    assert_eq!(
        DecryptionContext::new(&d.election, &other, 1, &empty).map(|_| ()),
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
    let mut s1 = Vec::new();
    let mut b1 = Vec::new();
    for i in 1..=3u32 {
        let (s, p) = dkg::part1(&ctx, idx(i), &mut rngs[i as usize - 1]).unwrap();
        debug_secrets.push(format!("{s:?}"));
        s1.push(s);
        b1.push(p);
    }
    let mut s2 = Vec::new();
    let mut b2 = Vec::new();
    for (k, s) in s1.into_iter().enumerate() {
        let (s, p) = dkg::part2(s, &b1, &mut rngs[k]).unwrap();
        debug_secrets.push(format!("{s:?}"));
        s2.push(s);
        b2.push(p);
    }
    let mut s3 = Vec::new();
    let mut b3 = Vec::new();
    for (k, s) in s2.into_iter().enumerate() {
        let (s, p) = dkg::part3(s, &b2, &mut rngs[k]).unwrap();
        debug_secrets.push(format!("{s:?}"));
        s3.push(s);
        b3.push(p);
    }
    let mut keys = Vec::new();
    let mut outcomes = Vec::new();
    for s in s3 {
        let (k, o) = dkg::part4(s, &b3).unwrap();
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
    let dctx = DecryptionContext::new(&election, pkp, 1, &c).unwrap();
    let partial = keys[0]
        .partial_decrypt_for_tests_only(&dctx, &mut rngs[0])
        .unwrap();
    let verified = partial.verify(&dctx).unwrap();
    let public_debug = [
        format!("{b1:?}"),
        format!("{b2:?}"),
        format!("{b3:?}"),
        format!("{pkp:?}"),
        format!("{:?}", outcomes[0]),
        format!("{partial:?}"),
        format!("{verified:?}"),
        format!("{dctx:?}"),
        format!("{ctx:?}"),
    ];
    for key in &keys {
        let share = key.export_share();
        let secret_hex = hex(&share[4..]);
        for d in public_debug.iter().chain(&debug_secrets) {
            assert!(!d.contains(&secret_hex));
        }
    }
}
