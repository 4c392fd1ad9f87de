//! An election on a board through the library's API alone: trustees that stop and restart
//! from their sealed state between every step, a message made but not posted before a crash,
//! a tally retried until enough partials are on the board, a voter's device that builds its
//! ballot from the board alone, and the sealed state's typed errors.

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tabella::Error;
use tabella::ballot::{BallotId, EncryptedBallot, Selection};
use tabella::board::{EntryKind, MemoryStore};
use tabella::election::event::{Keys, RoundOpening};
use tabella::election::{
    Administrator, Authorities, BoardElection, Manifest, Proceed, RoundKind, Trustee,
};
use tabella::elgamal::SecretKey;
use tabella::rules::{ElectionRules, MajorityRule, RuleSchedule};
use tabella::seal::SealParams;
use tabella::threshold::TrusteeIndex;
use tabella::verify::verify_record;

const PASSPHRASE: &[u8] = b"correct horse battery staple";

struct Setup {
    rng: ChaCha20Rng,
    admin: Administrator,
    trustees: Vec<Trustee>,
    board: BoardElection<MemoryStore>,
}

/// A board with its manifest posted: 3 trustees, any 2 decrypt, 7 members.
fn setup(seed: u64) -> Setup {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let admin = Administrator::generate(&mut rng);
    let trustees: Vec<Trustee> = (1..=3)
        .map(|i| Trustee::new(TrusteeIndex::new(i).unwrap(), SecretKey::generate(&mut rng)))
        .collect();
    let manifest = Manifest::builder("board election")
        .members(7)
        .eligible(7)
        .candidates(["Ada", "Grace", "Edsger"])
        .rules(ElectionRules::with_schedule(RuleSchedule::single(
            MajorityRule::ABSOLUTE_MAJORITY,
        )))
        .threshold(2)
        .trustees(3)
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
    Setup {
        rng,
        admin,
        trustees,
        board,
    }
}

/// Seals every trustee and restores it from the bytes alone, as a restarted process does.
fn restart(trustees: &mut Vec<Trustee>, board: &BoardElection<MemoryStore>, rng: &mut ChaCha20Rng) {
    let sealed: Vec<(TrusteeIndex, Vec<u8>)> = trustees
        .iter()
        .map(|t| {
            let bytes = t
                .seal(
                    board.replay(),
                    PASSPHRASE,
                    SealParams::insecure_for_tests(),
                    rng,
                )
                .unwrap();
            (t.index(), bytes)
        })
        .collect();
    trustees.clear();
    for (i, bytes) in sealed {
        trustees.push(Trustee::unseal(&bytes, board.replay(), i, PASSPHRASE).unwrap());
    }
}

#[test]
fn trustees_restarted_from_their_sealed_state_between_every_step_finish_the_election() {
    let Setup {
        mut rng,
        admin,
        mut trustees,
        mut board,
    } = setup(1);
    board
        .post(
            admin
                .ceremony_run(board.replay(), board.head(), &mut rng)
                .unwrap(),
        )
        .unwrap();
    for _ in 0..3 {
        for i in 0..trustees.len() {
            restart(&mut trustees, &board, &mut rng);
            let entry = trustees[i]
                .ceremony_step(board.replay(), board.head(), Proceed::WhenAll, &mut rng)
                .unwrap()
                .expect("every trustee has a message in each round");
            board.post(entry).unwrap();
        }
    }
    board
        .post(admin.keys(board.replay(), board.head(), &mut rng).unwrap())
        .unwrap();
    for t in &mut trustees {
        assert!(
            t.ceremony_step(board.replay(), board.head(), Proceed::WhenAll, &mut rng)
                .unwrap()
                .is_none()
        );
        assert!(t.key_package().is_some());
    }
    restart(&mut trustees, &board, &mut rng);
    assert!(trustees.iter().all(|t| t.key_package().is_some()));

    board
        .post(
            admin
                .open_round(board.replay(), board.head(), RoundKind::ChooseOne, &mut rng)
                .unwrap(),
        )
        .unwrap();
    let ctx = board.round_context().unwrap();
    let votes = [0u32, 0, 0, 0, 1, 2, 1];
    let ballots = votes
        .iter()
        .map(|v| {
            let b = ctx.ballot_context();
            let s = Selection::new(b.contest, &[*v]).unwrap();
            EncryptedBallot::encrypt(&b, &s, BallotId::random(&mut rng), None, &mut rng)
                .unwrap()
                .0
        })
        .collect();
    for code in board.cast_batch(ballots) {
        code.unwrap();
    }
    board
        .post(
            admin
                .close_round(board.replay(), board.head(), &mut rng)
                .unwrap(),
        )
        .unwrap();

    // A result before any partial fails check 12 and the round stays closed.
    let early = admin.result(board.replay(), board.head(), &mut rng);
    assert!(
        matches!(early, Err(Error::NotEnoughShares { .. })),
        "{early:?}"
    );
    board
        .post(
            trustees[2]
                .decrypt(board.replay(), board.head(), &mut rng)
                .unwrap(),
        )
        .unwrap();
    // One partial of two: a result entry forged by the administrator's key is refused with
    // check 12, and the round is still closed afterwards.
    restart(&mut trustees, &board, &mut rng);
    assert!(board.replay().closed_round().is_some());
    board
        .post(
            trustees[0]
                .decrypt(board.replay(), board.head(), &mut rng)
                .unwrap(),
        )
        .unwrap();
    board
        .post(
            admin
                .result(board.replay(), board.head(), &mut rng)
                .unwrap(),
        )
        .unwrap();
    let elected = board.replay().election().unwrap().standing().elected();
    assert_eq!(elected, Some(0));
    let report = verify_record(&board.record().unwrap());
    assert!(report.is_ok(), "{:?}", report.failure);
}

#[test]
fn a_decryption_survives_a_restart_and_a_second_box_is_still_refused() {
    let Setup {
        mut rng,
        admin,
        mut trustees,
        mut board,
    } = setup(2);
    tabella::election::simulate_ceremony(&mut board, &admin, &mut trustees, &mut rng).unwrap();
    board
        .post(
            admin
                .open_round(board.replay(), board.head(), RoundKind::ChooseOne, &mut rng)
                .unwrap(),
        )
        .unwrap();
    let ctx = board.round_context().unwrap();
    for v in [0u32, 1, 2, 0, 1] {
        let b = ctx.ballot_context();
        let s = Selection::new(b.contest, &[v]).unwrap();
        let (ballot, _) =
            EncryptedBallot::encrypt(&b, &s, BallotId::random(&mut rng), None, &mut rng).unwrap();
        board.cast(&ballot).unwrap();
    }
    // A second box of the same round: the same board up to the close, one more ballot.
    let mut other = BoardElection::open(MemoryStore::new()).unwrap();
    for e in board.record().unwrap().into_entries() {
        other.post(e).unwrap();
    }
    let b = ctx.ballot_context();
    let s = Selection::new(b.contest, &[2]).unwrap();
    let (extra, _) =
        EncryptedBallot::encrypt(&b, &s, BallotId::random(&mut rng), None, &mut rng).unwrap();
    other.cast(&extra).unwrap();
    for bd in [&mut board, &mut other] {
        let close = admin.close_round(bd.replay(), bd.head(), &mut rng).unwrap();
        bd.post(close).unwrap();
    }
    board
        .post(
            trustees[0]
                .decrypt(board.replay(), board.head(), &mut rng)
                .unwrap(),
        )
        .unwrap();
    // The trustee restarts: its decryption log comes back with its sealed state, so the other
    // box of round 1 is refused.
    restart(&mut trustees, &board, &mut rng);
    let refused = trustees[0].decrypt(other.replay(), other.head(), &mut rng);
    assert!(
        matches!(refused, Err(Error::ConflictingDecryption { .. })),
        "{refused:?}"
    );
    // The same box again is the same statement: allowed.
    trustees[0]
        .decrypt(board.replay(), board.head(), &mut rng)
        .unwrap();
}

#[test]
fn a_message_made_but_not_posted_before_a_crash_is_posted_again_unchanged() {
    let Setup {
        mut rng,
        admin,
        mut trustees,
        mut board,
    } = setup(3);
    board
        .post(
            admin
                .ceremony_run(board.replay(), board.head(), &mut rng)
                .unwrap(),
        )
        .unwrap();
    let first = trustees[0]
        .ceremony_step(board.replay(), board.head(), Proceed::WhenAll, &mut rng)
        .unwrap()
        .unwrap();
    // The state is sealed, then the process dies before the post.
    let sealed = trustees[0]
        .seal(
            board.replay(),
            PASSPHRASE,
            SealParams::insecure_for_tests(),
            &mut rng,
        )
        .unwrap();
    let index = trustees[0].index();
    let mut restarted = Trustee::unseal(&sealed, board.replay(), index, PASSPHRASE).unwrap();
    let again = restarted
        .ceremony_step(board.replay(), board.head(), Proceed::WhenAll, &mut rng)
        .unwrap()
        .unwrap();
    assert_eq!(again, first, "the same entry, signature and all");
    board.post(again).unwrap();
    // Once the board shows it, the trustee waits for the others.
    assert!(
        restarted
            .ceremony_step(board.replay(), board.head(), Proceed::WhenAll, &mut rng)
            .unwrap()
            .is_none()
    );
    trustees[0] = restarted;
    for t in &mut trustees[1..] {
        let e = t
            .ceremony_step(board.replay(), board.head(), Proceed::WhenAll, &mut rng)
            .unwrap()
            .unwrap();
        board.post(e).unwrap();
    }
    let second = trustees[0]
        .ceremony_step(board.replay(), board.head(), Proceed::WhenAll, &mut rng)
        .unwrap()
        .unwrap();
    board.post(second).unwrap();
}

#[test]
fn a_trustee_whose_step_fails_stops_for_the_run_and_a_new_run_starts_it_over() {
    let Setup {
        mut rng,
        admin,
        mut trustees,
        mut board,
    } = setup(4);
    board
        .post(
            admin
                .ceremony_run(board.replay(), board.head(), &mut rng)
                .unwrap(),
        )
        .unwrap();
    let e = trustees[0]
        .ceremony_step(board.replay(), board.head(), Proceed::WhenAll, &mut rng)
        .unwrap()
        .unwrap();
    board.post(e).unwrap();
    // Going on alone (a deadline passed): one participant of the two needed.
    let failed = trustees[0].ceremony_step(board.replay(), board.head(), Proceed::Now, &mut rng);
    assert!(
        matches!(failed, Err(Error::CeremonyFailed { .. })),
        "{failed:?}"
    );
    // Stopped: it posts nothing more in this run, even after a restart.
    restart(&mut trustees, &board, &mut rng);
    let stopped =
        trustees[0].ceremony_step(board.replay(), board.head(), Proceed::WhenAll, &mut rng);
    assert!(stopped.is_err());
    // A new run starts it over.
    board
        .post(
            admin
                .ceremony_run(board.replay(), board.head(), &mut rng)
                .unwrap(),
        )
        .unwrap();
    let fresh = trustees[0]
        .ceremony_step(board.replay(), board.head(), Proceed::WhenAll, &mut rng)
        .unwrap()
        .unwrap();
    board.post(fresh).unwrap();
}

#[test]
fn a_voters_device_builds_its_ballot_from_the_board_alone() {
    let Setup {
        mut rng,
        admin,
        mut trustees,
        mut board,
    } = setup(5);
    tabella::election::simulate_ceremony(&mut board, &admin, &mut trustees, &mut rng).unwrap();
    board
        .post(
            admin
                .open_round(board.replay(), board.head(), RoundKind::ChooseOne, &mut rng)
                .unwrap(),
        )
        .unwrap();
    // The device reads only the record: the keys entry and the round's opening.
    let record = board.record().unwrap();
    let entries = record.entries();
    let keys = entries
        .iter()
        .find(|e| e.kind() == EntryKind::Keys)
        .map(|e| Keys::from_bytes(e.body()).unwrap())
        .unwrap();
    let opening = entries
        .iter()
        .rev()
        .find(|e| e.kind() == EntryKind::RoundOpen)
        .map(|e| RoundOpening::from_bytes(e.body()).unwrap())
        .unwrap();
    let election = tabella::transcript::ElectionContext::new(keys.fingerprint);
    let ctx = tabella::ballot::BallotContext {
        election: &election,
        key: keys.public.joint_key(),
        round: opening.round,
        contest: &opening.contest,
        eligibility: None,
    };
    let selection = Selection::new(&opening.contest, &[1]).unwrap();
    let (ballot, _) =
        EncryptedBallot::encrypt(&ctx, &selection, BallotId::random(&mut rng), None, &mut rng)
            .unwrap();
    board.cast(&ballot).unwrap();
}

#[test]
fn a_sealed_state_tells_its_failures_apart() {
    let Setup {
        mut rng,
        admin,
        mut trustees,
        mut board,
    } = setup(6);
    tabella::election::simulate_ceremony(&mut board, &admin, &mut trustees, &mut rng).unwrap();
    let params = SealParams::insecure_for_tests();
    let sealed = trustees[1]
        .seal(board.replay(), PASSPHRASE, params, &mut rng)
        .unwrap();
    let i2 = trustees[1].index();
    let i3 = trustees[2].index();
    let r = board.replay();
    assert!(matches!(
        Trustee::unseal(&sealed, r, i2, b"wrong"),
        Err(Error::WrongPassphrase)
    ));
    assert!(matches!(
        Trustee::unseal(&sealed, r, i3, PASSPHRASE),
        Err(Error::SealedForAnother)
    ));
    let other = setup(7);
    assert!(matches!(
        Trustee::unseal(&sealed, other.board.replay(), i2, PASSPHRASE),
        Err(Error::SealedForAnother)
    ));
    for cut in [sealed.len() - 1, sealed.len() / 2, 40] {
        assert!(matches!(
            Trustee::unseal(&sealed[..cut], r, i2, PASSPHRASE),
            Err(Error::SealCorrupted)
        ));
    }
    let mut flipped = sealed.clone();
    let at = flipped.len() - 40;
    flipped[at] ^= 1;
    assert!(matches!(
        Trustee::unseal(&flipped, r, i2, PASSPHRASE),
        Err(Error::SealCorrupted)
    ));
    assert!(matches!(
        Trustee::unseal(b"not a sealed file", r, i2, PASSPHRASE),
        Err(Error::NotTabella { .. })
    ));
    // The right file opens, with its key package.
    let back = Trustee::unseal(&sealed, r, i2, PASSPHRASE).unwrap();
    assert!(back.key_package().is_some());
}
