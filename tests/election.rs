//! Rounds through the public API: replays across rounds, the privacy floor, and "only totals
//! are ever decrypted".

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tabella::Error;
use tabella::ballot::{BallotId, EncryptedBallot, Selection};
use tabella::election::{ClosedRound, Election, Manifest, RoundKind};
use tabella::rules::{ElectionRules, MajorityRule, RuleSchedule};
use tabella::threshold::{
    DecryptionContext, KeyPackage, PartialDecryption, ThresholdParams,
    trusted_dealer_for_tests_only,
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

fn partials(f: &mut Fixture, closed: &ClosedRound) -> Vec<PartialDecryption> {
    f.keys
        .iter_mut()
        .map(|k| closed.decrypt_share(&f.election, k, &mut f.rng).unwrap())
        .collect()
}

fn decrypt(f: &mut Fixture, closed: ClosedRound) -> Vec<u64> {
    let partials = partials(f, &closed);
    let outcome = f.election.tally_round(&closed, &partials).unwrap();
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
    for key in &mut f.keys {
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
        closed.decrypt_share(&f.election, &mut f.keys[0], &mut f.rng),
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
            .decrypt_share(&f.election, &mut f.keys[0], &mut f.rng)
            .unwrap();
        assert_eq!(partial.shares().len(), closed.tally().ciphertexts().len());
        let public = f.election.public_key_package().clone();
        let tally = closed.tally();
        let close = *tally.close();
        let dctx =
            DecryptionContext::new(f.election.context(), &public, &close, tally.ciphertexts())
                .unwrap();
        assert!(partial.verify(&dctx).is_ok());
        for ballot in closed.ballot_box().ballots() {
            let single = ballot.ballot().ciphertexts();
            let dctx =
                DecryptionContext::new(f.election.context(), &public, &close, single).unwrap();
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
    let partials = partials(&mut f, &closed);
    let outcome = f.election.tally_round(&closed, &partials).unwrap();
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
    let mut partials = partials(&mut f, &closed);
    // Trustee 2 posts trustee 1's partial as its own bytes with its index flipped: rejected.
    let mut bytes = partials[0].to_bytes().unwrap();
    let at = tabella::encoding::header::HEADER_LEN + 4; // trustee index, after the round
    bytes[at] = 2;
    partials[1] = PartialDecryption::from_bytes(&bytes).unwrap();
    let outcome = f.election.tally_round(&closed, &partials).unwrap();
    assert_eq!(outcome.totals.options(), &[1, 2, 0]);
    assert_eq!(outcome.decryption.rejected.len(), 1);
    assert_eq!(outcome.decryption.rejected[0].0.get(), 2);
}

#[test]
fn a_tally_short_of_partials_leaves_the_round_closed_for_a_retry() {
    let mut f = fixture(3);
    let mut open = f.election.open_round(RoundKind::ChooseOne).unwrap();
    let bs = ballots(&mut f, &open, &[2, 1, 1, 0]);
    assert!(open.cast_batch(bs).is_empty());
    let closed = open.close();
    let partials = partials(&mut f, &closed);
    // One partial (t = 2): not enough; nothing changes.
    assert!(matches!(
        f.election.tally_round(&closed, &partials[..1]),
        Err(Error::NotEnoughShares {
            needed: 2,
            valid: 1,
            ..
        })
    ));
    assert_eq!(f.election.standing().round(), 1);
    // The same closed round, with a second partial.
    let outcome = f.election.tally_round(&closed, &partials[..2]).unwrap();
    assert_eq!(outcome.totals.options(), &[1, 2, 1]);
    assert_eq!(f.election.standing().round(), 2);
}

#[test]
fn partials_combine_in_trustee_order_whatever_order_they_arrive_in() {
    let mut f = fixture(3);
    let mut open = f.election.open_round(RoundKind::ChooseOne).unwrap();
    let bs = ballots(&mut f, &open, &[0, 1, 1]);
    assert!(open.cast_batch(bs).is_empty());
    let closed = open.close();
    let mut partials = partials(&mut f, &closed);
    partials.reverse();
    let outcome = f.election.tally_round(&closed, &partials).unwrap();
    // The first t (= 2) in increasing trustee order, as the verifier recomputes them.
    let used: Vec<u32> = outcome.decryption.used.iter().map(|t| t.get()).collect();
    assert_eq!(used, vec![1, 2]);
    let order: Vec<u32> = outcome.partials.iter().map(|p| p.trustee().get()).collect();
    assert_eq!(order, vec![1, 2, 3]);
}

#[test]
fn a_committee_of_three_decides_with_the_default_floor() {
    let mut rng = ChaCha20Rng::seed_from_u64(22);
    let rules = ElectionRules::with_schedule(RuleSchedule::single(MajorityRule::TWO_THIRDS));
    let manifest =
        Manifest::new("committee", 3, 3, vec!["A".into(), "B".into()], rules, 2, 3).unwrap();
    assert_eq!(manifest.privacy_floor(), 3);
    let (keys, public) =
        trusted_dealer_for_tests_only(ThresholdParams::new(2, 3).unwrap(), &mut rng).unwrap();
    let election = Election::new(manifest, public).unwrap();
    let mut f = Fixture {
        rng,
        election,
        keys,
    };
    let mut open = f.election.open_round(RoundKind::ChooseOne).unwrap();
    let bs = ballots(&mut f, &open, &[0, 0, 1]);
    assert!(open.cast_batch(bs).is_empty());
    let closed = open.close();
    let partials = partials(&mut f, &closed);
    let outcome = f.election.tally_round(&closed, &partials).unwrap();
    assert_eq!(outcome.totals.options(), &[2, 1]);
    assert_eq!(outcome.decision.elected(), Some(0));
}

#[test]
fn a_tie_for_lowest_left_to_the_caller_blocks_the_next_round_until_resolved() {
    use std::collections::BTreeSet;
    use tabella::rules::{RuleError, TieBreak, TieForLowest};
    let mut rng = ChaCha20Rng::seed_from_u64(23);
    let rules = ElectionRules::new(
        RuleSchedule::single(MajorityRule::ABSOLUTE_MAJORITY),
        BTreeSet::from([1]),
        TieForLowest::CallerResolves,
        None,
    )
    .unwrap();
    let manifest = Manifest::new(
        "tie",
        20,
        20,
        vec!["A".into(), "B".into(), "C".into()],
        rules,
        2,
        3,
    )
    .unwrap();
    let (keys, public) =
        trusted_dealer_for_tests_only(ThresholdParams::new(2, 3).unwrap(), &mut rng).unwrap();
    let election = Election::new(manifest, public).unwrap();
    let mut f = Fixture {
        rng,
        election,
        keys,
    };
    let mut open = f.election.open_round(RoundKind::ChooseOne).unwrap();
    // A 4, B 2, C 2: nobody elected, B and C tied for lowest.
    let bs = ballots(&mut f, &open, &[0, 0, 0, 0, 1, 1, 2, 2]);
    assert!(open.cast_batch(bs).is_empty());
    let closed = open.close();
    let partials = partials(&mut f, &closed);
    f.election.tally_round(&closed, &partials).unwrap();
    assert_eq!(f.election.standing().unresolved_tie(), Some(&[1, 2][..]));
    // No round opens, and no acclamation, while the tie is pending.
    assert!(matches!(
        f.election.open_round(RoundKind::ChooseOne),
        Err(Error::Rule(RuleError::TieForLowestUnresolved { .. }))
    ));
    // Only one of the tied can be eliminated.
    assert!(f.election.resolve_tie_for_lowest(0, TieBreak::Lot).is_err());
    let resolution = f.election.resolve_tie_for_lowest(2, TieBreak::Lot).unwrap();
    assert_eq!((resolution.eliminated, resolution.how), (2, TieBreak::Lot));
    let open = f.election.open_round(RoundKind::ChooseOne).unwrap();
    assert_eq!(open.candidates(), &[0, 1]);
}
