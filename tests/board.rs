//! Cast or challenge (Benaloh), and the confirmation-code chain.

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tabella::Error;
use tabella::ballot::{BallotId, ChallengedBallot, ContestSpec, EncryptedBallot, Selection};
use tabella::board::{BallotHash, ConfirmationCode};
use tabella::elgamal::SecretKey;
use tabella::tally::BallotBox;
use tabella::transcript::ElectionContext;

fn setup() -> (ChaCha20Rng, BallotBox, ContestSpec) {
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let sk = SecretKey::generate(&mut rng);
    let contest = ContestSpec::choose_one(0, 3, true).unwrap();
    let bb = BallotBox::new(
        ElectionContext::new([3; 32]),
        sk.public_key(),
        1,
        contest.clone(),
    );
    (rng, bb, contest)
}

#[test]
fn a_challenged_ballot_opens_publicly_and_can_never_be_cast() {
    let (mut rng, mut bb, contest) = setup();
    let selection = Selection::new(&contest, &[2]).unwrap();
    let id = BallotId::random(&mut rng);
    let (ballot, nonces) =
        EncryptedBallot::encrypt(&bb.context(), &selection, id, None, &mut rng).unwrap();
    let copy = ballot.clone();
    let opened = ChallengedBallot::open(ballot, selection, nonces);
    assert_eq!(opened.values(), &[0, 0, 1, 0]);
    // Anyone can check it from the published bytes.
    let published = ChallengedBallot::from_bytes(&opened.to_bytes()).unwrap();
    assert_eq!(published.to_bytes(), opened.to_bytes());
    published.verify(&bb.context()).unwrap();
    bb.challenge(published).unwrap();
    // Never counted, never castable afterwards.
    let verified = copy.verify(&bb.context()).unwrap();
    assert_eq!(
        bb.cast(verified),
        Err(Error::ChallengedBallot { ballot: id })
    );
    assert!(bb.is_empty());
    assert_eq!(bb.challenged().count(), 1);
}

#[test]
fn a_lying_device_is_caught_by_the_challenge() {
    let (mut rng, bb, contest) = setup();
    // The device encrypts option 0 but claims, when challenged, that it encrypted option 1.
    let real = Selection::new(&contest, &[0]).unwrap();
    let claimed = Selection::new(&contest, &[1]).unwrap();
    let (ballot, nonces) = EncryptedBallot::encrypt(
        &bb.context(),
        &real,
        BallotId::random(&mut rng),
        None,
        &mut rng,
    )
    .unwrap();
    let opened = ChallengedBallot::open(ballot, claimed, nonces);
    assert!(matches!(
        opened.verify(&bb.context()),
        Err(Error::BallotMalformed { .. })
    ));
}

#[test]
fn confirmation_codes_chain_the_board_in_order() {
    let (mut rng, mut bb, contest) = setup();
    let mut codes = Vec::new();
    let mut hashes = Vec::new();
    for choice in [0u32, 1, 2] {
        let selection = Selection::new(&contest, &[choice]).unwrap();
        let (ballot, _) = EncryptedBallot::encrypt(
            &bb.context(),
            &selection,
            BallotId::random(&mut rng),
            None,
            &mut rng,
        )
        .unwrap();
        hashes.push(BallotHash::of(&ElectionContext::new([3; 32]), 1, &ballot));
        codes.push(bb.cast(ballot.verify(&bb.context()).unwrap()).unwrap());
    }
    assert_eq!(bb.codes(), &codes[..]);
    // Anyone recomputes the chain from the ballots.
    let e = ElectionContext::new([3; 32]);
    let mut head = ConfirmationCode::genesis(&e, 1);
    for (h, code) in hashes.iter().zip(&codes) {
        head = head.next_cast(&e, 1, h);
        assert_eq!(head, *code);
    }
    assert_eq!(bb.chain_head(), head);
    assert_eq!(codes[0].short().len(), 19);
}

#[test]
fn challenged_ballots_are_chained_so_the_head_commits_to_them() {
    let (mut rng, mut bb, contest) = setup();
    let e = ElectionContext::new([3; 32]);
    let selection = Selection::new(&contest, &[0]).unwrap();
    let (cast, _) = EncryptedBallot::encrypt(
        &bb.context(),
        &selection,
        BallotId::random(&mut rng),
        None,
        &mut rng,
    )
    .unwrap();
    let (spoiled, nonces) = EncryptedBallot::encrypt(
        &bb.context(),
        &selection,
        BallotId::random(&mut rng),
        None,
        &mut rng,
    )
    .unwrap();
    // The device shows the ballot hash (and its short form) before the voter decides.
    let shown = BallotHash::of(&e, 1, &spoiled);
    assert_eq!(shown.short().len(), 19);
    assert_eq!(shown.to_string(), shown.short());
    let c1 = bb
        .cast(cast.clone().verify(&bb.context()).unwrap())
        .unwrap();
    let opened = ChallengedBallot::open(spoiled, selection, nonces);
    let c2 = bb.challenge(opened.clone()).unwrap();
    assert_eq!(bb.codes(), &[c1, c2]);
    // Anyone recomputes both links; dropping the challenged ballot changes the head.
    let g = ConfirmationCode::genesis(&e, 1);
    let h1 = g.next_cast(&e, 1, &BallotHash::of(&e, 1, &cast));
    assert_eq!(h1, c1);
    assert_eq!(h1.next_challenged(&e, 1, &opened), c2);
    assert_eq!(bb.chain_head(), c2);
    assert_ne!(bb.chain_head(), c1);
    let close = bb.close();
    assert_eq!((close.cast(), close.challenged()), (1, 1));
    assert_eq!(close.chain_head(), &c2);
}
