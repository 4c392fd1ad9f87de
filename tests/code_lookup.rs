//! A confirmation code found on the board (`Replay::find_code`): an election of two rounds on
//! a board, with cast and challenged ballots in each and refused entries between them; every
//! code, typed in full or in its short form, is found at the board entry whose ballot chains
//! to it, as recomputed from the record alone; a code that is not on the board is not found.

use std::collections::HashMap;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tabella::ballot::{BallotId, ChallengedBallot, EncryptedBallot, Selection};
use tabella::board::chain::Head;
use tabella::board::{
    BallotHash, BoxEntryKind, CodeQuery, ConfirmationCode, EntryKind, MemoryStore,
};
use tabella::election::event::RoundOpening;
use tabella::election::{
    Administrator, Authorities, BoardElection, CodeLocation, Manifest, Replay, RoundKind, Trustee,
    simulate_ceremony,
};
use tabella::elgamal::SecretKey;
use tabella::record::BoardRecord;
use tabella::rules::{ElectionRules, MajorityRule, RuleSchedule};
use tabella::threshold::TrusteeIndex;
use tabella::verify::verify_record;

/// What the record alone says of a voter's entry: recomputed from its bytes.
#[derive(Debug, PartialEq, Eq)]
struct Recomputed {
    round: u32,
    entry: u64,
    box_index: usize,
    kind: BoxEntryKind,
    ballot_id: BallotId,
}

/// Every code of the record, recomputed from the entries alone: each round's chain starts at
/// its opening from the genesis code and goes through its ballot and challenged entries.
fn chains(record: &BoardRecord, replay: &Replay) -> HashMap<ConfirmationCode, Recomputed> {
    let election = replay.election().unwrap().context();
    let mut out = HashMap::new();
    let mut round = None;
    for (k, entry) in (0u64..).zip(record.entries()) {
        match entry.kind() {
            EntryKind::RoundOpen => {
                let r = RoundOpening::from_bytes(entry.body()).unwrap().round;
                round = Some((r, ConfirmationCode::genesis(election, r), 0usize));
            }
            EntryKind::Ballot | EntryKind::Challenged => {
                let (r, previous, index) = round.as_mut().unwrap();
                let (code, kind, ballot_id) = if entry.kind() == EntryKind::Ballot {
                    let ballot = EncryptedBallot::from_bytes(entry.body()).unwrap();
                    let hash = BallotHash::of(election, *r, &ballot);
                    (
                        previous.next_cast(election, *r, &hash),
                        BoxEntryKind::Cast,
                        *ballot.id(),
                    )
                } else {
                    let challenged = ChallengedBallot::from_bytes(entry.body()).unwrap();
                    (
                        previous.next_challenged(election, *r, &challenged),
                        BoxEntryKind::Challenged,
                        *challenged.id(),
                    )
                };
                out.insert(
                    code,
                    Recomputed {
                        round: *r,
                        entry: k,
                        box_index: *index,
                        kind,
                        ballot_id,
                    },
                );
                *previous = code;
                *index += 1;
            }
            _ => {}
        }
    }
    out
}

/// The record replayed from its first entry by a fresh replay, as an observer does.
fn replayed(record: &BoardRecord) -> Replay {
    let mut replay = Replay::new();
    let mut head = Head::genesis();
    for entry in record.entries() {
        replay.apply(entry, &head).unwrap();
        head = head.next(&entry.to_bytes());
    }
    replay
}

/// Checks that `code` is found, in full and by its short form, where the record puts it.
fn found_where_the_record_says(
    replay: &Replay,
    record: &BoardRecord,
    code: &ConfirmationCode,
    state: &str,
) -> CodeLocation {
    let expected = chains(record, replay);
    let at = expected.get(code).expect("the code is on the record");
    let full = CodeQuery::parse(&tabella::encoding::to_hex(&code.0)).unwrap();
    let short = CodeQuery::parse(&code.short().to_lowercase()).unwrap();
    let found = replay.find_code(&full).expect("found by its full form");
    assert_eq!(
        replay.find_code(&short),
        Some(found),
        "found by its short form"
    );
    let got = Recomputed {
        round: found.round,
        entry: found.entry,
        box_index: found.box_index,
        kind: found.kind,
        ballot_id: found.ballot_id,
    };
    assert_eq!(&got, at, "{code:?}");
    assert_eq!(found.code, *code);
    assert_eq!(found.round_state, state);
    assert!(!found.replaced);
    // The entry at that position is the voter's entry of that kind.
    let entry = record
        .entries()
        .get(usize::try_from(found.entry).unwrap())
        .unwrap();
    let kind = match found.kind {
        BoxEntryKind::Cast => EntryKind::Ballot,
        BoxEntryKind::Challenged => EntryKind::Challenged,
    };
    assert_eq!(entry.kind(), kind);
    found
}

struct Election {
    rng: ChaCha20Rng,
    admin: Administrator,
    trustees: Vec<Trustee>,
    board: BoardElection<MemoryStore>,
}

/// A board with its keys: 3 trustees, any 2 decrypt, 9 members, 3 candidates, absolute
/// majority, a privacy floor of 2.
fn election(seed: u64) -> Election {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let admin = Administrator::generate(&mut rng);
    let mut trustees: Vec<Trustee> = (1..=3)
        .map(|i| Trustee::new(TrusteeIndex::new(i).unwrap(), SecretKey::generate(&mut rng)))
        .collect();
    let manifest = Manifest::builder("code lookup")
        .members(9)
        .eligible(9)
        .candidates(["Ada", "Grace", "Edsger"])
        .rules(ElectionRules::with_schedule(RuleSchedule::single(
            MajorityRule::ABSOLUTE_MAJORITY,
        )))
        .threshold(2)
        .trustees(3)
        .privacy_floor(2)
        .authorities(
            Authorities::new(
                admin.public_key(),
                trustees.iter().map(Trustee::public_key).collect(),
            )
            .unwrap(),
        )
        .build()
        .unwrap();
    let mut board = BoardElection::open(MemoryStore::new()).unwrap();
    board
        .post(admin.manifest(&manifest, &mut rng).unwrap())
        .unwrap();
    simulate_ceremony(&mut board, &admin, &mut trustees, &mut rng).unwrap();
    Election {
        rng,
        admin,
        trustees,
        board,
    }
}

impl Election {
    fn open(&mut self) {
        let open = self
            .admin
            .open_round(
                self.board.replay(),
                self.board.head(),
                RoundKind::ChooseOne,
                &mut self.rng,
            )
            .unwrap();
        self.board.post(open).unwrap();
    }

    /// A ballot for the option at `choice` of the open round, and its opening.
    fn ballot(&mut self, choice: u32) -> (EncryptedBallot, ChallengedBallot) {
        let ctx = self.board.round_context().unwrap();
        let b = ctx.ballot_context();
        let selection = Selection::new(b.contest, &[choice]).unwrap();
        let (ballot, nonces) = EncryptedBallot::encrypt(
            &b,
            &selection,
            BallotId::random(&mut self.rng),
            None,
            &mut self.rng,
        )
        .unwrap();
        let opened = ChallengedBallot::open(ballot.clone(), selection, nonces);
        (ballot, opened)
    }

    /// Casts a ballot for each choice, challenging a ballot for `challenged` after the first
    /// and trying to cast it (refused), and posting the challenge and the first ballot again
    /// (a retry: the same code, no entry). Returns the codes, in board order.
    fn vote(&mut self, choices: &[u32], challenged: u32) -> Vec<ConfirmationCode> {
        let mut codes = Vec::new();
        let mut first = None;
        for (i, choice) in choices.iter().enumerate() {
            let (ballot, _) = self.ballot(*choice);
            codes.push(self.board.cast(&ballot).unwrap());
            if i == 0 {
                let (spoiled, opened) = self.ballot(challenged);
                let code = self.board.challenge(&opened).unwrap();
                codes.push(code);
                // A refused entry is not on the board and takes no position; nor does a
                // retry, which gets its code again.
                let len = self.board.len();
                assert!(self.board.cast(&spoiled).is_err());
                assert_eq!(self.board.challenge(&opened).unwrap(), code);
                assert_eq!(self.board.len(), len);
                first = Some(ballot);
            }
        }
        let len = self.board.len();
        let first_code = codes[0];
        assert_eq!(self.board.cast(&first.unwrap()).unwrap(), first_code);
        assert_eq!(self.board.len(), len);
        codes
    }

    fn close(&mut self) {
        let close = self
            .admin
            .close_round(self.board.replay(), self.board.head(), &mut self.rng)
            .unwrap();
        self.board.post(close).unwrap();
    }

    fn decide(&mut self) {
        for i in 0..2 {
            let partial = self.trustees[i]
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
}

#[test]
fn every_code_of_two_rounds_is_found_at_its_board_entry() {
    let mut e = election(7);

    // Round 1: no absolute majority (3 of 7 for Ada), so a second round.
    e.open();
    let round1 = e.vote(&[0, 0, 0, 1, 1, 2], 2);
    assert_eq!(round1.len(), 7);
    let record = e.board.record().unwrap();
    for code in &round1 {
        let found = found_where_the_record_says(e.board.replay(), &record, code, "open");
        assert_eq!(found.round, 1);
    }
    e.close();
    e.decide();
    let standing = e.board.replay().election().unwrap().standing();
    assert_eq!(standing.elected(), None);
    assert_eq!(standing.round(), 2);

    // Round 2, among those who remain.
    e.open();
    let round2 = e.vote(&[0, 1, 0], 1);
    assert_eq!(round2.len(), 4);
    let record = e.board.record().unwrap();
    let mut kinds = Vec::new();
    for code in &round1 {
        let found = found_where_the_record_says(e.board.replay(), &record, code, "decided");
        assert_eq!(found.round, 1);
        kinds.push(found.kind);
    }
    for code in &round2 {
        let found = found_where_the_record_says(e.board.replay(), &record, code, "open");
        assert_eq!(found.round, 2);
        kinds.push(found.kind);
    }
    // The second entry of each box is the challenged ballot, the rest are cast.
    let challenged: Vec<usize> = kinds
        .iter()
        .enumerate()
        .filter(|(_, k)| **k == BoxEntryKind::Challenged)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(challenged, [1, 8]);

    // Closed, the second round's codes are still found; so by a fresh replay of the record.
    e.close();
    let record = e.board.record().unwrap();
    let fresh = replayed(&record);
    for code in &round2 {
        let found = found_where_the_record_says(e.board.replay(), &record, code, "closed");
        assert_eq!(
            fresh.find_code(&CodeQuery::parse(&code.short()).unwrap()),
            Some(found)
        );
    }
    for code in &round1 {
        let query = CodeQuery::parse(&tabella::encoding::to_hex(&code.0)).unwrap();
        assert_eq!(fresh.find_code(&query), e.board.replay().find_code(&query));
    }
    assert!(verify_record(&record).is_ok());

    // A code that is not on the board, in either form, is not found; nor is a ballot hash, a
    // genesis code, or another election's code.
    let replay = e.board.replay();
    let unknown = ConfirmationCode([0x42; 32]);
    assert_eq!(
        replay.find_code(&CodeQuery::parse(&tabella::encoding::to_hex(&unknown.0)).unwrap()),
        None
    );
    assert_eq!(
        replay.find_code(&CodeQuery::parse(&unknown.short()).unwrap()),
        None
    );
    let context = replay.election().unwrap().context();
    let genesis = ConfirmationCode::genesis(context, 1);
    assert_eq!(
        replay.find_code(&CodeQuery::parse(&genesis.short()).unwrap()),
        None
    );
    let other = election(8);
    for code in round1.iter().chain(&round2) {
        let query = CodeQuery::parse(&code.short()).unwrap();
        assert_eq!(other.board.replay().find_code(&query), None);
    }
}

#[test]
fn a_board_without_rounds_finds_nothing() {
    let e = election(9);
    let query = CodeQuery::parse("0000-0000-0000-0000").unwrap();
    assert_eq!(e.board.replay().find_code(&query), None);
    assert_eq!(Replay::new().find_code(&query), None);
}
