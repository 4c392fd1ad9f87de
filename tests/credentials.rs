//! Eligibility that anyone can check (docs/SPEC.md §16): an election with a roll of voter
//! credentials, carried out against its attacks. Each attack is made twice where it can be:
//! on the box (the operator's board refuses it, naming the check and the ballot) and on the
//! record (an operator that bypasses its own box and writes the board by hand is caught by the
//! verifier at that entry).

use std::sync::Arc;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tabella::Error;
use tabella::ballot::{BallotId, EncryptedBallot, Selection};
use tabella::board::{Entry, EntryKind, MemoryStore};
use tabella::credential::{CredentialSecret, Roll, SecondBallot};
use tabella::election::{
    Administrator, Authorities, BoardElection, CredentialAuthority, Manifest, RoundKind, Trustee,
    simulate_ceremony,
};
use tabella::elgamal::SecretKey;
use tabella::error::BallotPart;
use tabella::record::BoardRecord;
use tabella::rules::{ElectionRules, MajorityRule, RuleSchedule};
use tabella::threshold::TrusteeIndex;
use tabella::verify::{Check, Failure, verify_record};

/// Members of the body, by name: the names never reach the board.
const MEMBERS: [&str; 6] = ["Ada", "Barbara", "Edsger", "Grace", "Leslie", "Tony"];

struct Election {
    rng: ChaCha20Rng,
    admin: Administrator,
    authority: CredentialAuthority,
    trustees: Vec<Trustee>,
    /// The trustees' board keys (to re-sign entries as an attacker holding every key).
    trustee_keys: Vec<SecretKey>,
    board: BoardElection<MemoryStore>,
    /// Each member's private credential, in `MEMBERS` order (the authority's list).
    credentials: Vec<CredentialSecret>,
    roll: Roll,
}

/// A board with a roll of one credential per member: manifest, roll, key ceremony (3
/// trustees, any 2 decrypt), and the first round open. Two candidates, two thirds of those
/// present and voting to win, so that a split vote goes to another round.
fn election(seed: u64, second_ballot: SecondBallot) -> Election {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let admin = Administrator::generate(&mut rng);
    let authority = CredentialAuthority::generate(&mut rng);
    let trustee_keys: Vec<SecretKey> = (0..3).map(|_| SecretKey::generate(&mut rng)).collect();
    let mut trustees: Vec<Trustee> = (1..=3)
        .zip(&trustee_keys)
        .map(|(i, k)| Trustee::new(TrusteeIndex::new(i).unwrap(), k.clone()))
        .collect();
    let manifest = Manifest::builder("credentials")
        .members(MEMBERS.len() as u64)
        .eligible(MEMBERS.len() as u64)
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
    let (roll, credentials) = authority.issue(MEMBERS.len(), &mut rng).unwrap();
    board
        .post(
            authority
                .roll(&roll, board.replay(), board.head(), &mut rng)
                .unwrap(),
        )
        .unwrap();
    simulate_ceremony(&mut board, &admin, &mut trustees, &mut rng).unwrap();
    let mut e = Election {
        rng,
        admin,
        authority,
        trustees,
        trustee_keys,
        board,
        credentials,
        roll,
    };
    e.open();
    e
}

impl Election {
    fn open(&mut self) {
        let entry = self
            .admin
            .open_round(
                self.board.replay(),
                self.board.head(),
                RoundKind::ChooseOne,
                &mut self.rng,
            )
            .unwrap();
        self.board.post(entry).unwrap();
    }

    /// A ballot for `choice` (0 or 1) signed with `credential`.
    fn ballot(&mut self, choice: u32, credential: Option<&CredentialSecret>) -> EncryptedBallot {
        let round = self.board.round_context().unwrap();
        let ctx = round.ballot_context();
        let selection = Selection::new(ctx.contest, &[choice]).unwrap();
        let id = BallotId::random(&mut self.rng);
        EncryptedBallot::encrypt(&ctx, &selection, id, credential, &mut self.rng)
            .unwrap()
            .0
    }

    /// Member `m` votes for `choice`.
    fn vote(&mut self, m: usize, choice: u32) -> EncryptedBallot {
        let credential = self.credentials[m].clone();
        let ballot = self.ballot(choice, Some(&credential));
        self.board.cast(&ballot).unwrap();
        ballot
    }

    /// Closes the round, decrypts with trustees 1 and 2, posts the result.
    fn decide(&mut self) {
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
    }

    /// The totals (options, then abstentions) of the last decided round.
    fn last_totals(&self) -> Vec<u64> {
        match &self.board.replay().history().last().unwrap().end {
            tabella::election::RoundEnd::Decided(d) => d.outcome.totals.slots(),
            other => panic!("{other:?}"),
        }
    }
}

/// The failure a refused entry carries.
fn refusal(result: Result<impl core::fmt::Debug, Error>) -> Failure {
    match result {
        Err(Error::EntryRefused(f)) => *f,
        other => panic!("expected a refused entry, got {other:?}"),
    }
}

/// The record's entries with `ballot` put in as a voter's entry just before the round's close
/// (the operator writing its board by hand, past its own box), and the position it has.
fn record_with_inserted_ballot(
    record: &BoardRecord,
    ballot: &EncryptedBallot,
) -> (BoardRecord, u64) {
    let mut entries = record.entries().to_vec();
    let close = entries
        .iter()
        .position(|e| e.kind() == EntryKind::RoundClose)
        .unwrap();
    let entry = Entry::voter(EntryKind::Ballot, ballot.to_bytes()).unwrap();
    entries.insert(close, entry);
    (BoardRecord::new(entries), close as u64)
}

/// Asserts that the record fails `check` at entry `at`, blaming `ballot`.
fn fails_at(record: &BoardRecord, check: Check, at: u64, ballot: &BallotId) -> Error {
    let report = verify_record(record);
    let failure = report.failure.expect("the record must fail");
    assert_eq!(failure.check, check, "{failure:?}");
    assert_eq!(failure.entry, Some(at), "{failure:?}");
    assert!(
        failure
            .culprits()
            .contains(&tabella::error::Culprit::Ballot(*ballot)),
        "{failure:?}"
    );
    failure.error
}

#[test]
fn each_member_votes_once_and_the_record_proves_every_counted_ballot_eligible() {
    let mut e = election(1, SecondBallot::Refused);
    for (m, choice) in [(0, 0), (1, 0), (2, 0), (3, 0), (4, 1)] {
        e.vote(m, choice);
    }
    e.decide();
    // Four of five present and voting: at least two thirds, elected.
    assert_eq!(e.last_totals(), vec![4, 1, 0]);
    assert_eq!(
        e.board.replay().election().unwrap().standing().elected(),
        Some(0)
    );
    let report = verify_record(&e.board.record().unwrap());
    assert!(report.is_ok(), "{:?}", report.failure);
    for check in [Check::Roll, Check::Eligibility] {
        assert!(
            report.passed.iter().any(|p| p.check == check),
            "{check} did not run"
        );
    }
    let eligibility = report
        .passed
        .iter()
        .find(|p| p.check == Check::Eligibility)
        .unwrap();
    assert!(
        eligibility.detail.contains("5 counted, 0 replaced, of 6"),
        "{}",
        eligibility.detail
    );
}

#[test]
fn a_ballot_signed_by_a_credential_not_on_the_roll_is_refused_by_the_box_and_the_verifier() {
    let mut e = election(2, SecondBallot::Refused);
    e.vote(0, 0);
    e.vote(1, 1);
    // The operator makes itself a credential and signs a ballot with it: the library will not
    // even make a ballot for a credential that is not on the roll…
    let outsider = CredentialSecret::generate(&mut e.rng);
    let round = e.board.round_context().unwrap();
    let ctx = round.ballot_context();
    let selection = Selection::new(ctx.contest, &[0]).unwrap();
    let made = EncryptedBallot::encrypt(
        &ctx,
        &selection,
        BallotId([7; 32]),
        Some(&outsider),
        &mut e.rng,
    );
    assert!(
        matches!(made, Err(Error::CredentialNotOnRoll { .. })),
        "{made:?}"
    );
    // …so it signs one for a one-member roll of its own and brings it to the board.
    let own = Roll::new([outsider.public()]).unwrap();
    let own = tabella::credential::Eligibility {
        roll: Arc::new(own),
        second_ballot: SecondBallot::Refused,
    };
    let forged_ctx = tabella::ballot::BallotContext {
        eligibility: Some(&own),
        ..ctx
    };
    let (forged, _) = EncryptedBallot::encrypt(
        &forged_ctx,
        &selection,
        BallotId([7; 32]),
        Some(&outsider),
        &mut e.rng,
    )
    .unwrap();
    let before = e.board.len();
    let f = refusal(e.board.cast(&forged));
    assert_eq!(f.check, Check::Eligibility);
    assert_eq!(f.entry, Some(before));
    assert!(
        matches!(f.error, Error::CredentialNotOnRoll { ballot, credential }
            if ballot == *forged.id() && credential == outsider.public()),
        "{:?}",
        f.error
    );
    assert_eq!(
        e.board.len(),
        before,
        "a refused ballot is not on the board"
    );
    e.decide();
    let (record, at) = record_with_inserted_ballot(&e.board.record().unwrap(), &forged);
    let error = fails_at(&record, Check::Eligibility, at, forged.id());
    assert!(
        matches!(error, Error::CredentialNotOnRoll { .. }),
        "{error:?}"
    );
}

/// The credential's bytes in a ballot's encoding: after the 5-byte header, the 32-byte id and
/// the flag.
const CREDENTIAL: core::ops::Range<usize> = 38..70;

#[test]
fn a_valid_ballot_with_its_credential_swapped_for_another_roll_entry_fails_its_signature() {
    let mut e = election(3, SecondBallot::Refused);
    let credential = e.credentials[0].clone();
    let ballot = e.ballot(1, Some(&credential));
    let mut bytes = ballot.to_bytes();
    assert_eq!(&bytes[CREDENTIAL], &credential.public().0);
    // Member 5 never votes; the operator puts its credential on member 0's ballot.
    bytes[CREDENTIAL].copy_from_slice(&e.credentials[5].public().0);
    let swapped = EncryptedBallot::from_bytes(&bytes).unwrap();
    assert!(e.roll.contains(swapped.credential().unwrap()));
    let f = refusal(e.board.cast(&swapped));
    assert_eq!(f.check, Check::Eligibility);
    assert!(
        matches!(f.error, Error::BallotRejected { ballot, part: BallotPart::Signature }
            if ballot == *swapped.id()),
        "{:?}",
        f.error
    );
    // The honest ballot still casts, and the record with the swapped one fails check 7.
    e.board.cast(&ballot).unwrap();
    e.vote(1, 0);
    e.decide();
    let (record, at) = record_with_inserted_ballot(&e.board.record().unwrap(), &swapped);
    fails_at(&record, Check::Eligibility, at, swapped.id());
}

#[test]
fn a_signature_copied_from_another_round_does_not_verify() {
    let mut e = election(4, SecondBallot::Refused);
    // Round 1: 3 against 3, nobody has two thirds; round 2 among the same two.
    let mut first = Vec::new();
    for (m, choice) in [(0, 0), (1, 0), (2, 0), (3, 1), (4, 1), (5, 1)] {
        first.push(e.vote(m, choice));
    }
    e.decide();
    assert_eq!(
        e.board.replay().election().unwrap().standing().elected(),
        None
    );
    e.open();
    let credential = e.credentials[0].clone();
    let fresh = e.ballot(0, Some(&credential));
    // The round-2 ballot with member 0's round-1 signature in place of its own.
    let mut bytes = fresh.to_bytes();
    let n = bytes.len();
    let old = first[0].to_bytes();
    bytes[n - 64..].copy_from_slice(&old[old.len() - 64..]);
    let copied = EncryptedBallot::from_bytes(&bytes).unwrap();
    let f = refusal(e.board.cast(&copied));
    assert_eq!((f.check, f.round), (Check::Eligibility, Some(2)));
    assert!(
        matches!(
            f.error,
            Error::BallotRejected {
                part: BallotPart::Signature,
                ..
            }
        ),
        "{:?}",
        f.error
    );
    // Member 0's whole round-1 ballot, brought into round 2, fails the same way: the
    // signature binds the round before any proof is looked at.
    let f = refusal(e.board.cast(&first[0]));
    assert_eq!(f.check, Check::Eligibility);
    assert!(
        matches!(
            f.error,
            Error::BallotRejected {
                part: BallotPart::Signature,
                ..
            }
        ),
        "{:?}",
        f.error
    );
    // Member 0 signs its own round-2 ballot with the same credential: one per round.
    e.board.cast(&fresh).unwrap();
    for (m, choice) in [(1, 0), (2, 0), (3, 0), (4, 1)] {
        e.vote(m, choice);
    }
    e.decide();
    assert_eq!(e.last_totals(), vec![4, 1, 0]);
    let report = verify_record(&e.board.record().unwrap());
    assert!(report.is_ok(), "{:?}", report.failure);
}

#[test]
fn a_second_ballot_of_a_credential_is_refused_where_the_manifest_refuses_it() {
    let mut e = election(5, SecondBallot::Refused);
    e.vote(0, 0);
    e.vote(1, 1);
    let credential = e.credentials[0].clone();
    let again = e.ballot(1, Some(&credential));
    let before = e.board.len();
    let f = refusal(e.board.cast(&again));
    assert_eq!(f.check, Check::Eligibility);
    assert_eq!(f.entry, Some(before));
    assert!(
        matches!(f.error, Error::CredentialReused { ballot, credential: c }
            if ballot == *again.id() && c == credential.public()),
        "{:?}",
        f.error
    );
    // The batch path refuses it too, and takes the others.
    let other = e.credentials[2].clone();
    let third = e.ballot(0, Some(&other));
    let codes = e.board.cast_batch(vec![again.clone(), third]);
    assert!(matches!(&codes[0], Err(Error::EntryRefused(f)) if f.check == Check::Eligibility));
    assert!(codes[1].is_ok());
    e.decide();
    assert_eq!(e.last_totals(), vec![2, 1, 0]);
    // An operator that writes the second ballot onto the board by hand is caught there.
    let (record, at) = record_with_inserted_ballot(&e.board.record().unwrap(), &again);
    let error = fails_at(&record, Check::Eligibility, at, again.id());
    assert!(matches!(error, Error::CredentialReused { .. }), "{error:?}");
}

#[test]
fn a_second_ballot_replaces_the_first_where_the_manifest_allows_revoting() {
    let mut e = election(6, SecondBallot::Replaces);
    let first = e.vote(0, 0);
    e.vote(1, 1);
    e.vote(2, 1);
    // Member 0 changes its mind; then changes it again.
    let second = e.vote(0, 1);
    let third = e.vote(0, 0);
    let close_at = e.board.len();
    e.decide();
    // Counted: member 0's last ballot (0), members 1 and 2 (1, 1): three of three ballots.
    assert_eq!(e.last_totals(), vec![1, 2, 0]);
    let record = e.board.record().unwrap();
    let close =
        tabella::board::BoxClose::from_bytes(record.entries()[close_at as usize].body()).unwrap();
    assert_eq!((close.cast(), close.replaced(), close.counted()), (5, 2, 3));
    // The record shows which ballots counted: the box marks the replaced ones.
    let replay = e.board.replay();
    let tabella::election::RoundEnd::Decided(decided) = &replay.history()[0].end else {
        panic!()
    };
    let bx = decided.round.ballot_box();
    let counted: Vec<BallotId> = bx.counted().map(|b| *b.id()).collect();
    assert!(!counted.contains(first.id()) && !counted.contains(second.id()));
    assert!(counted.contains(third.id()));
    assert_eq!(counted.len(), 3);
    let report = verify_record(&record);
    assert!(report.is_ok(), "{:?}", report.failure);
    // A close that hides the replacements (announces none) is not the box's: check 11, even
    // signed by the administrator's own key.
    let mut entries = record.entries().to_vec();
    let read = record.heads()[close_at as usize - 1];
    let board_id = *e.board.replay().board_id().unwrap();
    let hidden = tabella::board::BoxClose::new(close.round(), *close.chain_head(), 5, 0);
    entries[close_at as usize] = Entry::signed(
        EntryKind::RoundClose,
        tabella::board::Author::ADMINISTRATOR,
        hidden.to_bytes(),
        &board_id,
        read,
        e.admin.key(),
        &mut e.rng,
    )
    .unwrap();
    let failure = verify_record(&BoardRecord::new(entries)).failure.unwrap();
    assert_eq!(
        (failure.check, failure.entry),
        (Check::Close, Some(close_at)),
        "{failure:?}"
    );
}

#[test]
fn the_operator_cannot_add_a_ballot_of_its_own() {
    let mut e = election(7, SecondBallot::Refused);
    e.vote(0, 0);
    e.vote(1, 0);
    // A ballot without any credential, made as in an election without a roll.
    let round = e.board.round_context().unwrap();
    let ctx = tabella::ballot::BallotContext {
        eligibility: None,
        ..round.ballot_context()
    };
    let selection = Selection::new(ctx.contest, &[1]).unwrap();
    let (unsigned, _) =
        EncryptedBallot::encrypt(&ctx, &selection, BallotId([9; 32]), None, &mut e.rng).unwrap();
    let f = refusal(e.board.cast(&unsigned));
    assert_eq!(f.check, Check::Eligibility);
    assert!(
        matches!(f.error, Error::CredentialMissing { .. }),
        "{:?}",
        f.error
    );
    e.decide();
    let (record, at) = record_with_inserted_ballot(&e.board.record().unwrap(), &unsigned);
    let error = fails_at(&record, Check::Eligibility, at, unsigned.id());
    assert!(
        matches!(error, Error::CredentialMissing { .. }),
        "{error:?}"
    );
}

/// The roll entry re-signed by the credential authority over `roll_bytes` (an authority that
/// errs or colludes: the operator alone cannot sign it, check 2).
fn with_roll_body(e: &mut Election, roll_bytes: Vec<u8>) -> (BoardRecord, u64) {
    let record = e.board.record().unwrap();
    let at = record
        .entries()
        .iter()
        .position(|x| x.kind() == EntryKind::Roll)
        .unwrap();
    // Replay the board up to the roll to sign against its state.
    let mut prefix = BoardElection::open(MemoryStore::new()).unwrap();
    for entry in &record.entries()[..at] {
        prefix.post(entry.clone()).unwrap();
    }
    let board_id = *prefix.replay().board_id().unwrap();
    let signed = Entry::signed(
        EntryKind::Roll,
        tabella::board::Author::CREDENTIAL_AUTHORITY,
        roll_bytes,
        &board_id,
        prefix.head(),
        e.authority.key(),
        &mut e.rng,
    )
    .unwrap();
    let mut entries = record.entries().to_vec();
    entries[at] = signed;
    (BoardRecord::new(entries), at as u64)
}

#[test]
fn a_roll_with_a_credential_removed_or_duplicated_is_refused() {
    let mut e = election(8, SecondBallot::Refused);
    e.vote(0, 0);
    e.vote(1, 0);
    e.decide();
    let record = e.board.record().unwrap();
    let at = record
        .entries()
        .iter()
        .position(|x| x.kind() == EntryKind::Roll)
        .unwrap();
    // The operator alone changes the roll entry: its signature no longer verifies.
    let mut entries = record.entries().to_vec();
    let roll = &entries[at];
    let mut body = roll.body().to_vec();
    body.truncate(body.len() - 32);
    let n = u32::from_le_bytes(body[5..9].try_into().unwrap()) - 1;
    body[5..9].copy_from_slice(&n.to_le_bytes());
    let mut bytes = roll.to_bytes();
    let len_at = 5 + 1 + 1 + 4;
    bytes.splice(len_at..len_at + 4 + roll.body().len(), {
        let mut v = (body.len() as u32).to_le_bytes().to_vec();
        v.extend_from_slice(&body);
        v
    });
    entries[at] = Entry::from_bytes(&bytes).unwrap();
    let report = verify_record(&BoardRecord::new(entries));
    let failure = report.failure.unwrap();
    assert_eq!(
        (failure.check, failure.entry),
        (Check::Authorship, Some(at as u64))
    );

    // Signed by the authority: one credential removed (5 for 6 members)…
    let credentials: Vec<_> = e.roll.credentials().copied().collect();
    let mut shorter = vec![0x74, 0x62, 16, tabella::domain::PROTOCOL_VERSION as u8, 0];
    shorter.extend_from_slice(&5u32.to_le_bytes());
    for c in &credentials[1..] {
        shorter.extend_from_slice(&c.0);
    }
    let (record, at) = with_roll_body(&mut e, shorter);
    let failure = verify_record(&record).failure.unwrap();
    assert_eq!(
        (failure.check, failure.entry),
        (Check::Roll, Some(at)),
        "{failure:?}"
    );
    // …one duplicated in its place…
    let mut duplicated = vec![0x74, 0x62, 16, tabella::domain::PROTOCOL_VERSION as u8, 0];
    duplicated.extend_from_slice(&6u32.to_le_bytes());
    duplicated.extend_from_slice(&credentials[0].0);
    for c in &credentials[..5] {
        duplicated.extend_from_slice(&c.0);
    }
    let (record, at) = with_roll_body(&mut e, duplicated);
    let failure = verify_record(&record).failure.unwrap();
    assert_eq!(
        (failure.check, failure.entry),
        (Check::Roll, Some(at)),
        "{failure:?}"
    );
    assert!(
        matches!(failure.error, Error::DuplicateCredential { .. }),
        "{failure:?}"
    );
    // …and member 0's credential replaced by one of the authority's own: the roll is well
    // formed, so member 0's ballot is the one refused (its credential is not on the roll).
    let extra = CredentialSecret::generate(&mut e.rng).public();
    let member0 = e.credentials[0].public();
    let replaced = Roll::new(
        credentials
            .iter()
            .copied()
            .filter(|c| *c != member0)
            .chain([extra]),
    )
    .unwrap();
    let (record, _) = with_roll_body(&mut e, replaced.to_bytes());
    // Every later entry re-signed: the administrator, the trustees and the authority together.
    let record = rechain(&e, record.entries());
    let failure = verify_record(&record).failure.unwrap();
    assert_eq!(failure.check, Check::Eligibility, "{failure:?}");
    assert!(
        matches!(failure.error, Error::CredentialNotOnRoll { credential, .. } if credential == member0),
        "{failure:?}"
    );
}

#[test]
fn the_roll_is_posted_once_before_the_first_round_and_cannot_be_taken_out() {
    let mut e = election(9, SecondBallot::Refused);
    let record = e.board.record().unwrap();
    let entries = record.entries();
    let roll_at = entries
        .iter()
        .position(|x| x.kind() == EntryKind::Roll)
        .unwrap();
    let open_at = entries
        .iter()
        .position(|x| x.kind() == EntryKind::RoundOpen)
        .unwrap();
    // A second roll, even the authority's own: check 4.
    let (roll, _) = e.authority.issue(MEMBERS.len(), &mut e.rng).unwrap();
    let second = e
        .authority
        .roll(&roll, e.board.replay(), e.board.head(), &mut e.rng)
        .unwrap();
    let f = refusal(e.board.post(second));
    assert_eq!(f.check, Check::Roll, "{f:?}");
    // The roll entry taken out of the record: every later head changes, and the next signed
    // entry names a head this board never had (check 2, at the roll's place).
    let mut removed = entries.to_vec();
    removed.remove(roll_at);
    let failure = verify_record(&BoardRecord::new(removed)).failure.unwrap();
    assert_eq!(
        (failure.check, failure.entry),
        (Check::Authorship, Some(roll_at as u64)),
        "{failure:?}"
    );
    // A round opened on a board whose roll is not posted: refused with check 4.
    let mut board = BoardElection::open(MemoryStore::new()).unwrap();
    for (k, entry) in entries.iter().enumerate() {
        if k < open_at && k != roll_at {
            let mut rewritten = entry.clone();
            if entry.signature().is_some() && k > roll_at {
                // Re-made against this board (it lacks the roll): only the signers could.
                rewritten = resign(&e, entry, &board);
            }
            board.post(rewritten).unwrap();
        }
    }
    // The administrator will not make the opening…
    let made = e.admin.open_round(
        board.replay(),
        board.head(),
        RoundKind::ChooseOne,
        &mut e.rng,
    );
    assert!(matches!(made, Err(Error::RollMissing)), "{made:?}");
    // …and the original opening, signed again for this board, is refused.
    let open = resign(&e, &entries[open_at], &board);
    let f = refusal(board.post(open));
    assert_eq!(f.check, Check::Roll);
    assert!(matches!(f.error, Error::RollMissing), "{:?}", f.error);
}

/// The board of `entries` with every signed entry signed again by its author against the
/// head before it (an attacker holding every authority's key).
fn rechain(e: &Election, entries: &[Entry]) -> BoardRecord {
    let board_id = *e.board.replay().board_id().unwrap();
    let mut head = tabella::board::chain::Head::genesis();
    let mut out = Vec::with_capacity(entries.len());
    for entry in entries {
        let entry = match entry.signature() {
            None => entry.clone(),
            Some(_) => Entry::signed(
                entry.kind(),
                entry.author(),
                entry.body().to_vec(),
                &board_id,
                head,
                &key_of(e, entry),
                &mut ChaCha20Rng::seed_from_u64(98),
            )
            .unwrap(),
        };
        head = head.next(&entry.to_bytes());
        out.push(entry);
    }
    BoardRecord::new(out)
}

fn key_of(e: &Election, entry: &Entry) -> SecretKey {
    match (entry.author().trustee_index(), entry.kind()) {
        (Some(i), _) => e.trustee_keys[i.get() as usize - 1].clone(),
        (None, EntryKind::Roll) => e.authority.key().clone(),
        (None, _) => e.admin.key().clone(),
    }
}

/// `entry` signed again by its author (administrator or trustee) against `board`'s head.
fn resign(e: &Election, entry: &Entry, board: &BoardElection<MemoryStore>) -> Entry {
    let key = key_of(e, entry);
    Entry::signed(
        entry.kind(),
        entry.author(),
        entry.body().to_vec(),
        board.replay().board_id().unwrap(),
        board.head(),
        &key,
        &mut ChaCha20Rng::seed_from_u64(99),
    )
    .unwrap()
}

#[test]
fn nothing_on_the_board_links_a_credential_to_a_member() {
    // The same credentials handed to the members in two different orders give byte-identical
    // boards: the board is a function of the set of credentials, not of who holds which.
    let mut boards = Vec::new();
    for permutation in [[0usize, 1, 2, 3, 4, 5], [5, 3, 1, 0, 2, 4]] {
        let mut e = election(10, SecondBallot::Refused);
        let handed: Vec<CredentialSecret> = permutation
            .iter()
            .map(|&i| e.credentials[i].clone())
            .collect();
        e.credentials = handed;
        let roll = e
            .board
            .record()
            .unwrap()
            .entries()
            .iter()
            .find(|x| x.kind() == EntryKind::Roll)
            .unwrap()
            .body()
            .to_vec();
        boards.push(roll);
        let record = e.board.record().unwrap();
        let bytes = record.to_bytes();
        let json = serde_json::to_string(&record).unwrap();
        for name in MEMBERS {
            assert!(!json.contains(name));
            assert!(!bytes.windows(name.len()).any(|w| w == name.as_bytes()));
        }
        for c in &e.credentials {
            let code = c.to_code();
            assert!(
                !json.contains(code.as_str()),
                "a private credential on the board"
            );
        }
    }
    assert_eq!(boards[0], boards[1]);
    // And the roll lists the credentials sorted, not in the order they were made.
    let e = election(10, SecondBallot::Refused);
    let made: Vec<_> = e.credentials.iter().map(CredentialSecret::public).collect();
    let listed: Vec<_> = e.roll.credentials().copied().collect();
    let mut sorted = made.clone();
    sorted.sort();
    assert_eq!(listed, sorted);
}

#[test]
fn the_stream_verifier_applies_the_same_credential_rules_as_the_box() {
    use tabella::tally::BallotBox;
    use tabella::tally::stream::{BallotStreamReader, BallotStreamWriter, verify_stream};
    use tabella::transcript::ElectionContext;

    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let key = SecretKey::generate(&mut rng).public_key();
    let election = ElectionContext::new([0x33; 32]);
    let contest = tabella::ballot::ContestSpec::choose_one(0, 2, true)
        .unwrap()
        .with_capacity(8);
    let (roll, members) = Roll::issue(8, &mut rng).unwrap();
    let outsider = CredentialSecret::generate(&mut rng);
    let own_roll = tabella::credential::Eligibility {
        roll: Arc::new(Roll::new([outsider.public()]).unwrap()),
        second_ballot: SecondBallot::Refused,
    };
    for rule in [SecondBallot::Refused, SecondBallot::Replaces] {
        let eligibility = tabella::credential::Eligibility {
            roll: Arc::new(roll.clone()),
            second_ballot: rule,
        };
        let ctx = tabella::ballot::BallotContext {
            election: &election,
            key: &key,
            round: 1,
            contest: &contest,
            eligibility: Some(&eligibility),
        };
        let mut sign = |ctx: &tabella::ballot::BallotContext<'_>, c: &CredentialSecret, v: u32| {
            let s = Selection::new(ctx.contest, &[v]).unwrap();
            EncryptedBallot::encrypt(ctx, &s, BallotId::random(&mut rng), Some(c), &mut rng)
                .unwrap()
                .0
        };
        // Members 0..5 vote; member 0 votes again (for the other candidate); an outsider's
        // ballot, signed for a roll of its own, comes in the middle; member 2's ballot comes
        // with member 3's credential in its place.
        let mut ballots: Vec<EncryptedBallot> =
            (0..5).map(|m| sign(&ctx, &members[m], 0)).collect();
        let forged_ctx = tabella::ballot::BallotContext {
            eligibility: Some(&own_roll),
            ..ctx
        };
        ballots.insert(2, sign(&forged_ctx, &outsider, 1));
        let mut swapped = sign(&ctx, &members[5], 1).to_bytes();
        swapped[CREDENTIAL].copy_from_slice(&members[6].public().0);
        ballots.push(EncryptedBallot::from_bytes(&swapped).unwrap());
        ballots.push(sign(&ctx, &members[0], 1));

        let mut writer = BallotStreamWriter::new(Vec::new()).unwrap();
        let mut bx = BallotBox::new(election, key.clone(), 1, contest.clone())
            .with_eligibility(eligibility.clone());
        let mut box_refused = Vec::new();
        for b in &ballots {
            writer.write(b).unwrap();
            let verdict = b.clone().verify(&bx.context()).and_then(|v| bx.cast(v));
            if let Err(e) = verdict {
                box_refused.push((*b.id(), e));
            }
        }
        let bytes = writer.finish().unwrap();
        let mut reader = BallotStreamReader::new(&bytes[..]).unwrap();
        let outcome = verify_stream(&mut reader, &ctx, 3, |_| {}).unwrap();
        assert_eq!(outcome.rejected, box_refused, "{rule:?}");
        assert_eq!(outcome.tally, bx.tally(), "{rule:?}");
        // The parallel verifier (chunks of 2 on 2 threads, so that member 0's two ballots are
        // verified in different chunks at once) folds them in board order all the same.
        let mut reader = BallotStreamReader::new(&bytes[..]).unwrap();
        let parallel =
            tabella::tally::stream::verify_stream_parallel(&mut reader, &ctx, 2, 2, |_| {})
                .unwrap();
        assert_eq!(parallel.rejected, box_refused, "{rule:?}");
        assert_eq!(parallel.tally, bx.tally(), "{rule:?}");
        assert_eq!(parallel.codes, outcome.codes, "{rule:?}");
        let kinds: Vec<bool> = outcome
            .rejected
            .iter()
            .map(|(_, e)| e.is_eligibility())
            .collect();
        match rule {
            // The outsider, the swapped credential, member 0's second ballot.
            SecondBallot::Refused => {
                assert_eq!(kinds, [true, true, true]);
                assert!(matches!(
                    outcome.rejected[2].1,
                    Error::CredentialReused { .. }
                ));
                assert_eq!(outcome.tally.close().replaced(), 0);
                assert_eq!(outcome.tally.ballots(), 5);
            }
            // Member 0's second ballot replaces its first.
            SecondBallot::Replaces => {
                assert_eq!(kinds, [true, true]);
                assert_eq!(outcome.tally.close().replaced(), 1);
                assert_eq!(outcome.tally.ballots(), 5);
            }
        }
        assert!(matches!(
            outcome.rejected[0].1,
            Error::CredentialNotOnRoll { .. }
        ));
        assert!(matches!(
            outcome.rejected[1].1,
            Error::BallotRejected {
                part: BallotPart::Signature,
                ..
            }
        ));
    }
}
