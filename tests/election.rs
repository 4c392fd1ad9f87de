//! Rounds through the public API: replays across rounds, the privacy floor, and "only totals
//! are ever decrypted".

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tabella::Error;
use tabella::ballot::{BallotId, EncryptedBallot, Selection};
use tabella::election::{ClosedRound, Election, Manifest, RoundKind};
use tabella::rules::{ElectionRules, MajorityRule, RuleSchedule};
use tabella::threshold::{
    DecryptionContext, KeyPackage, ThresholdParams, trusted_dealer_for_tests_only,
};

struct Fixture {
    rng: ChaCha20Rng,
    election: Election,
    keys: Vec<KeyPackage>,
}

fn fixture(floor: u64) -> Fixture {
    let mut rng = ChaCha20Rng::seed_from_u64(21);
    let rules = ElectionRules::with_schedule(RuleSchedule::single(MajorityRule::TWO_THIRDS));
    let manifest = Manifest::new(
        "test",
        50,
        50,
        vec!["A".into(), "B".into(), "C".into()],
        rules,
        2,
        3,
    )
    .unwrap()
    .with_privacy_floor(floor)
    .unwrap();
    let (keys, public) =
        trusted_dealer_for_tests_only(ThresholdParams::new(2, 3).unwrap(), &mut rng).unwrap();
    let election = Election::new(manifest, public).unwrap();
    Fixture {
        rng,
        election,
        keys,
    }
}

/// Encrypts one ballot per choice for the open round.
fn ballots(
    f: &mut Fixture,
    open: &tabella::election::OpenRound,
    choices: &[u32],
) -> Vec<EncryptedBallot> {
    choices
        .iter()
        .map(|&c| {
            let selection = Selection::new(open.contest(), &[c]).unwrap();
            let id = BallotId::random(&mut f.rng);
            EncryptedBallot::encrypt(&open.context(), &selection, id, None, &mut f.rng)
                .unwrap()
                .0
        })
        .collect()
}

fn decrypt(f: &mut Fixture, closed: ClosedRound) -> Vec<u64> {
    let partials = f
        .keys
        .iter()
        .map(|k| closed.decrypt_share(&f.election, k, &mut f.rng).unwrap())
        .collect();
    let outcome = f.election.tally_round(closed, partials).unwrap();
    outcome.totals.options().to_vec()
}

#[test]
fn a_ballot_from_round_one_is_rejected_in_round_two() {
    let mut f = fixture(3);
    let mut open = f.election.open_round(RoundKind::ChooseOne).unwrap();
    let round1 = ballots(&mut f, &open, &[0, 1, 2, 0, 0]);
    let replay = round1[0].clone();
    assert!(open.cast_batch(round1).is_empty());
    assert_eq!(decrypt(&mut f, open.close()), vec![3, 1, 1]);
    let mut open2 = f.election.open_round(RoundKind::ChooseOne).unwrap();
    assert_eq!(open2.number(), 2);
    let id = *replay.id();
    assert!(matches!(
        open2.cast(replay),
        Err(Error::BallotRejected { ballot, .. }) if ballot == id
    ));
}

#[test]
fn trustees_refuse_a_box_below_the_privacy_floor() {
    let mut f = fixture(5);
    let mut open = f.election.open_round(RoundKind::ChooseOne).unwrap();
    // A single ballot: its "tally" is the ballot itself. Every trustee refuses.
    let one = ballots(&mut f, &open, &[1]);
    assert!(open.cast_batch(one).is_empty());
    let closed = open.close();
    for key in &f.keys {
        assert_eq!(
            closed
                .decrypt_share(&f.election, key, &mut f.rng)
                .unwrap_err(),
            Error::BelowPrivacyFloor {
                ballots: 1,
                floor: 5
            }
        );
    }
    // The same for four ballots, and the floor is the manifest's, fixed in its fingerprint.
    let mut f = fixture(5);
    let mut open = f.election.open_round(RoundKind::ChooseOne).unwrap();
    let four = ballots(&mut f, &open, &[0, 1, 2, 0]);
    assert!(open.cast_batch(four).is_empty());
    let closed = open.close();
    assert!(matches!(
        closed.decrypt_share(&f.election, &f.keys[0], &mut f.rng),
        Err(Error::BelowPrivacyFloor { .. })
    ));
    // The raw trustee API refuses too, whatever floor a caller passes, below 1.
    assert!(
        f.keys[0]
            .decrypt_tally(f.election.context(), &closed.tally(), 0, &mut f.rng)
            .is_err()
    );
}

#[test]
fn changing_one_ballot_changes_the_totals_and_only_totals_are_decrypted() {
    let choices = [0, 0, 1, 2, 1, 0];
    let run = |last: u32| {
        let mut f = fixture(5);
        let mut open = f.election.open_round(RoundKind::ChooseOne).unwrap();
        let mut all = ballots(&mut f, &open, &choices);
        all.extend(ballots(&mut f, &open, &[last]));
        assert!(open.cast_batch(all).is_empty());
        let closed = open.close();
        // A partial decryption holds one share per total, bound to the recomputed tally:
        // it does not verify as a decryption of any single ballot.
        let partial = closed
            .decrypt_share(&f.election, &f.keys[0], &mut f.rng)
            .unwrap();
        assert_eq!(partial.shares().len(), closed.tally().ciphertexts().len());
        let public = f.election.public_key_package().clone();
        let tally = closed.tally();
        let dctx =
            DecryptionContext::new(f.election.context(), &public, 1, tally.ciphertexts()).unwrap();
        assert!(partial.verify(&dctx).is_ok());
        for ballot in closed.ballot_box().ballots() {
            let single = ballot.ballot().ciphertexts();
            let dctx = DecryptionContext::new(f.election.context(), &public, 1, single).unwrap();
            assert!(partial.verify(&dctx).is_err());
        }
        decrypt(&mut f, closed)
    };
    assert_eq!(run(2), vec![3, 2, 2]);
    assert_eq!(run(0), vec![4, 2, 1]);
}

#[test]
fn a_yes_no_round_and_acclamation() {
    let mut f = fixture(3);
    f.election.withdraw(2).unwrap();
    let mut open = f
        .election
        .open_round(RoundKind::YesNo { candidate: 0 })
        .unwrap();
    assert_eq!(open.contest().options(), 2);
    // 4 yes, 1 no: 4 ≥ 2/3·5.
    let yes_no = ballots(&mut f, &open, &[0, 0, 1, 0, 0]);
    assert!(open.cast_batch(yes_no).is_empty());
    let closed = open.close();
    let partials = f
        .keys
        .iter()
        .map(|k| closed.decrypt_share(&f.election, k, &mut f.rng).unwrap())
        .collect();
    let outcome = f.election.tally_round(closed, partials).unwrap();
    assert_eq!(outcome.decision.elected(), Some(0));
    assert!(f.election.open_round(RoundKind::ChooseOne).is_err());
    assert!(f.election.acclaim().is_err());
}

#[test]
fn a_wrong_partial_is_named_and_skipped() {
    let mut f = fixture(3);
    let mut open = f.election.open_round(RoundKind::ChooseOne).unwrap();
    let bs = ballots(&mut f, &open, &[0, 1, 1]);
    assert!(open.cast_batch(bs).is_empty());
    let closed = open.close();
    let mut partials: Vec<_> = f
        .keys
        .iter()
        .map(|k| closed.decrypt_share(&f.election, k, &mut f.rng).unwrap())
        .collect();
    // Trustee 2 posts trustee 1's partial as its own bytes with its index flipped: rejected.
    let mut bytes = partials[0].to_bytes().unwrap();
    bytes[4] = 2; // trustee index (after the round number)
    partials[1] = tabella::threshold::PartialDecryption::from_bytes(&bytes).unwrap();
    let outcome = f.election.tally_round(closed, partials).unwrap();
    assert_eq!(outcome.totals.options(), &[1, 2, 0]);
    assert_eq!(outcome.decryption.rejected.len(), 1);
    assert_eq!(outcome.decryption.rejected[0].0.get(), 2);
}
