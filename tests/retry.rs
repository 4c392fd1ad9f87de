//! A voter's device that posts its ballot again (the answer was lost after the board committed
//! it): the retry gets the same confirmation code and nothing is appended, on every casting
//! path (`cast`, `cast_batch`, `cast_verified`) and for challenged ballots, in an election with
//! a roll whatever its rule for a second ballot. A ballot that differs in any byte is still a
//! new ballot: refused, or replacing the first, exactly as before. The record verifies.

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tabella::Error;
use tabella::ballot::{BallotId, ChallengedBallot, EncryptedBallot, Selection};
use tabella::board::{ConfirmationCode, MemoryStore};
use tabella::credential::{CredentialSecret, SecondBallot};
use tabella::election::{
    Administrator, Authorities, BoardElection, CredentialAuthority, Manifest, RoundEnd, RoundKind,
    Trustee, simulate_ceremony,
};
use tabella::elgamal::SecretKey;
use tabella::rules::{ElectionRules, MajorityRule, RuleSchedule};
use tabella::tally::PartialTally;
use tabella::threshold::TrusteeIndex;
use tabella::verify::{Check, verify_record};

const MEMBERS: usize = 6;

struct Election {
    rng: ChaCha20Rng,
    admin: Administrator,
    trustees: Vec<Trustee>,
    board: BoardElection<MemoryStore>,
    credentials: Vec<CredentialSecret>,
}

/// A board with a roll of six credentials under `second_ballot`, its key ceremony done (any 2
/// of 3 trustees decrypt) and the first round open: two candidates, two thirds to win.
fn election(seed: u64, second_ballot: SecondBallot) -> Election {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let admin = Administrator::generate(&mut rng);
    let authority = CredentialAuthority::generate(&mut rng);
    let mut trustees: Vec<Trustee> = (1..=3)
        .map(|i| Trustee::new(TrusteeIndex::new(i).unwrap(), SecretKey::generate(&mut rng)))
        .collect();
    let manifest = Manifest::builder("retries")
        .members(MEMBERS as u64)
        .eligible(MEMBERS as u64)
        .candidates(["Pope", "Vitorino"])
        .rules(ElectionRules::with_schedule(RuleSchedule::single(
            MajorityRule::TWO_THIRDS,
        )))
        .threshold(2)
        .trustees(3)
        .privacy_floor(2)
        .roll(second_ballot)
        .authorities(
            Authorities::new(
                admin.public_key(),
                trustees.iter().map(Trustee::public_key).collect(),
            )
            .unwrap()
            .with_credential_authority(authority.public_key())
            .unwrap(),
        )
        .build()
        .unwrap();
    let mut board = BoardElection::open(MemoryStore::new()).unwrap();
    board
        .post(admin.manifest(&manifest, &mut rng).unwrap())
        .unwrap();
    let (roll, credentials) = authority.issue(MEMBERS, &mut rng).unwrap();
    board
        .post(
            authority
                .roll(&roll, board.replay(), board.head(), &mut rng)
                .unwrap(),
        )
        .unwrap();
    simulate_ceremony(&mut board, &admin, &mut trustees, &mut rng).unwrap();
    let open = admin
        .open_round(board.replay(), board.head(), RoundKind::ChooseOne, &mut rng)
        .unwrap();
    board.post(open).unwrap();
    Election {
        rng,
        admin,
        trustees,
        board,
        credentials,
    }
}

impl Election {
    /// Member `m`'s ballot for `choice` (0 or 1) under ballot id `id`, with its opening.
    fn ballot_with_id(&mut self, m: usize, choice: u32, id: BallotId) -> ChallengedBallot {
        let round = self.board.round_context().unwrap();
        let ctx = round.ballot_context();
        let selection = Selection::new(ctx.contest, &[choice]).unwrap();
        let credential = self.credentials[m].clone();
        let (ballot, nonces) =
            EncryptedBallot::encrypt(&ctx, &selection, id, Some(&credential), &mut self.rng)
                .unwrap();
        ChallengedBallot::open(ballot, selection, nonces)
    }

    /// Member `m`'s ballot for `choice`, with a fresh id.
    fn ballot(&mut self, m: usize, choice: u32) -> EncryptedBallot {
        let id = BallotId::random(&mut self.rng);
        self.ballot_with_id(m, choice, id).ballot().clone()
    }

    /// Member `m` casts a ballot for `choice`; returns its code.
    fn vote(&mut self, m: usize, choice: u32) -> ConfirmationCode {
        let ballot = self.ballot(m, choice);
        self.board.cast(&ballot).unwrap()
    }

    /// The open round's running tally.
    fn tally(&self) -> PartialTally {
        self.board
            .replay()
            .open_round()
            .unwrap()
            .ballot_box()
            .partial_tally()
            .clone()
    }

    /// Closes the round, decrypts with trustees 1 and 2, posts the result; returns the totals
    /// (options, then abstentions).
    fn decide(&mut self) -> Vec<u64> {
        let close = self
            .admin
            .close_round(self.board.replay(), self.board.head(), &mut self.rng)
            .unwrap();
        self.board.post(close).unwrap();
        for t in 0..2 {
            let partial = self.trustees[t]
                .decrypt(self.board.replay(), self.board.head(), &mut self.rng)
                .unwrap();
            self.board.post(partial).unwrap();
        }
        let result = self
            .admin
            .result(self.board.replay(), self.board.head(), &mut self.rng)
            .unwrap();
        self.board.post(result).unwrap();
        match &self.board.replay().history().last().unwrap().end {
            RoundEnd::Decided(d) => d.outcome.totals.slots(),
            other => panic!("{other:?}"),
        }
    }

    fn verifies(&self) {
        let report = verify_record(&self.board.record().unwrap());
        assert!(report.is_ok(), "{:?}", report.failure);
    }
}

/// The check and error of a refused ballot.
fn refusal(result: &Result<ConfirmationCode, Error>) -> (Check, &Error) {
    match result {
        Err(Error::EntryRefused(f)) => (f.check, &f.error),
        other => panic!("expected a refused ballot, got {other:?}"),
    }
}

/// Casts `ballot` again by every path, as bytes read back from the wire, and asserts each
/// retry gets `code` and changes neither the board nor the tally.
fn retry_everywhere(e: &mut Election, ballot: &EncryptedBallot, code: ConfirmationCode) {
    let (len, head, tally) = (e.board.len(), e.board.head(), e.tally());
    let again = || EncryptedBallot::from_bytes(&ballot.to_bytes()).unwrap();
    assert_eq!(e.board.already_cast(&again()), Some(code));
    assert_eq!(e.board.cast(&again()).unwrap(), code);
    assert_eq!(e.board.cast_batch(vec![again()]), vec![Ok(code)]);
    let ctx = e.board.round_context().unwrap();
    let verified = again().verify(&ctx.ballot_context()).unwrap();
    assert_eq!(e.board.cast_verified(vec![Ok(verified)]), vec![Ok(code)]);
    assert_eq!((e.board.len(), e.board.head()), (len, head));
    assert_eq!(e.tally(), tally);
}

#[test]
fn a_retried_ballot_gets_its_code_again_and_nothing_is_appended() {
    for (seed, rule) in [(1, SecondBallot::Refused), (2, SecondBallot::Replaces)] {
        let mut e = election(seed, rule);
        let first = e.ballot(0, 0);
        let code = e.board.cast(&first).unwrap();
        retry_everywhere(&mut e, &first, code);
        let other = e.ballot(1, 1);
        let other_code = e.board.cast(&other).unwrap();
        retry_everywhere(&mut e, &other, other_code);
        // The box still answers for the first ballot once others are behind it.
        retry_everywhere(&mut e, &first, code);
        for (m, choice) in [(2, 0), (3, 0)] {
            e.vote(m, choice);
        }
        assert_eq!(e.decide(), vec![3, 1, 0], "{rule:?}");
        e.verifies();
    }
}

#[test]
fn a_different_ballot_of_the_same_credential_is_refused_or_replaces_as_before() {
    for (seed, rule) in [(3, SecondBallot::Refused), (4, SecondBallot::Replaces)] {
        let mut e = election(seed, rule);
        let first = e.ballot(0, 0);
        let code = e.board.cast(&first).unwrap();
        e.vote(1, 1);
        // Another encryption under member 0's credential, and one under its first ballot's id
        // with other ciphertexts.
        let other = e.ballot(0, 1);
        let same_id = e.ballot_with_id(0, 1, *first.id()).ballot().clone();
        assert_eq!(e.board.already_cast(&other), None);
        assert_eq!(e.board.already_cast(&same_id), None);
        let before = e.board.len();
        match rule {
            SecondBallot::Refused => {
                for b in [&other, &same_id] {
                    let result = e.board.cast(b);
                    let (check, error) = refusal(&result);
                    assert_eq!(check, Check::Eligibility, "{error:?}");
                    assert!(matches!(error, Error::CredentialReused { .. }), "{error:?}");
                }
                let batch = e.board.cast_batch(vec![other.clone(), same_id.clone()]);
                assert!(batch.iter().all(|r| refusal(r).0 == Check::Eligibility));
                assert_eq!(e.board.len(), before);
                assert_eq!(e.decide(), vec![1, 1, 0]);
            }
            SecondBallot::Replaces => {
                // The same id with other ciphertexts is a repeated id (check 10), as before.
                let result = e.board.cast(&same_id);
                let (check, error) = refusal(&result);
                assert_eq!(check, Check::BoxRules, "{error:?}");
                assert!(
                    matches!(error, Error::DuplicateBallotId { .. }),
                    "{error:?}"
                );
                assert_eq!(e.board.len(), before);
                // Another encryption replaces the first.
                let new = e.board.cast(&other).unwrap();
                assert_ne!(new, code);
                assert_eq!(e.board.len(), before + 1);
                // A retry of the replaced ballot gets its own code and changes nothing: the
                // later ballot stays the counted one.
                retry_everywhere(&mut e, &first, code);
                retry_everywhere(&mut e, &other, new);
                assert_eq!(e.decide(), vec![0, 2, 0]);
            }
        }
        e.verifies();
    }
}

#[test]
fn the_same_ballot_twice_in_one_batch_is_appended_once() {
    for (seed, rule) in [(5, SecondBallot::Refused), (6, SecondBallot::Replaces)] {
        let mut e = election(seed, rule);
        let (a, b) = (e.ballot(0, 0), e.ballot(1, 0));
        let before = e.board.len();
        let codes = e
            .board
            .cast_batch(vec![a.clone(), b.clone(), a.clone(), b.clone()]);
        let codes: Vec<ConfirmationCode> = codes.into_iter().map(Result::unwrap).collect();
        assert_eq!((codes[2], codes[3]), (codes[0], codes[1]));
        assert_ne!(codes[0], codes[1]);
        assert_eq!(e.board.len(), before + 2);
        // The verified path: a ballot already on the board, and a new one twice.
        let c = e.ballot(2, 1);
        let ctx = e.board.round_context().unwrap();
        let verdicts = [&a, &c, &c]
            .into_iter()
            .map(|x| Ok(x.clone().verify(&ctx.ballot_context()).unwrap()))
            .collect();
        let codes_v = e.board.cast_verified(verdicts);
        let codes_v: Vec<ConfirmationCode> = codes_v.into_iter().map(Result::unwrap).collect();
        assert_eq!(codes_v[0], codes[0]);
        assert_eq!(codes_v[1], codes_v[2]);
        assert_eq!(e.board.len(), before + 3);
        assert_eq!(e.tally().ballots(), 3);
        assert_eq!(e.decide(), vec![2, 1, 0], "{rule:?}");
        e.verifies();
    }
}

#[test]
fn a_retried_challenged_ballot_gets_its_code_again_and_nothing_is_appended() {
    let mut e = election(7, SecondBallot::Refused);
    let id = BallotId::random(&mut e.rng);
    let challenged = e.ballot_with_id(0, 1, id);
    let code = e.board.challenge(&challenged).unwrap();
    let len = e.board.len();
    let again = ChallengedBallot::from_bytes(&challenged.to_bytes()).unwrap();
    assert_eq!(e.board.already_challenged(&again), Some(code));
    assert_eq!(e.board.challenge(&again).unwrap(), code);
    assert_eq!(e.board.len(), len);
    // Another challenged ballot under its id differs in its bytes: refused (check 10), as
    // before.
    let other = e.ballot_with_id(0, 0, id);
    assert_eq!(e.board.already_challenged(&other), None);
    let result = e.board.challenge(&other);
    assert!(matches!(
        refusal(&result),
        (Check::BoxRules, Error::DuplicateBallotId { .. })
    ));
    assert_eq!(e.board.len(), len);
    // Its ballot is no cast ballot: casting it is refused (check 10), as before.
    assert_eq!(e.board.already_cast(challenged.ballot()), None);
    let result = e.board.cast(challenged.ballot());
    assert!(matches!(
        refusal(&result),
        (Check::BoxRules, Error::ChallengedBallot { .. })
    ));
    // A cast ballot posted as challenged is no retry either: its id is cast (check 10).
    let id = BallotId::random(&mut e.rng);
    let cast = e.ballot_with_id(1, 0, id);
    e.board.cast(cast.ballot()).unwrap();
    assert_eq!(e.board.already_challenged(&cast), None);
    let result = e.board.challenge(&cast);
    assert!(matches!(
        refusal(&result),
        (Check::BoxRules, Error::DuplicateBallotId { .. })
    ));
    assert_eq!(e.board.len(), len + 1);
    e.vote(2, 0);
    // The challenged ballot (for 1) is not counted.
    assert_eq!(e.decide(), vec![2, 0, 0]);
    e.verifies();
}

#[test]
fn a_retry_gets_its_code_from_a_reopened_board_and_is_refused_once_the_round_is_closed() {
    let mut e = election(8, SecondBallot::Refused);
    let ballot = e.ballot(0, 0);
    let code = e.board.cast(&ballot).unwrap();
    e.vote(1, 1);
    // The box rebuilt by replaying the store knows the ballot as well.
    let store = e.board.store().clone();
    e.board = BoardElection::open(store).unwrap();
    retry_everywhere(&mut e, &ballot, code);
    // Past the open round a retry is refused like any ballot (check 6: no round is open).
    let close = e
        .admin
        .close_round(e.board.replay(), e.board.head(), &mut e.rng)
        .unwrap();
    e.board.post(close).unwrap();
    let len = e.board.len();
    assert_eq!(e.board.already_cast(&ballot), None);
    let result = e.board.cast(&ballot);
    assert_eq!(refusal(&result).0, Check::Sequence);
    assert_eq!(e.board.len(), len);
}
