//! Streaming verification: one invalid ballot among 10,000 is rejected and named, duplicates
//! are dropped, and the serial and parallel pipelines give the same tally.

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tabella::ballot::{
    BallotContext, BallotId, ChallengedBallot, ContestSpec, EncryptedBallot, Selection,
};
use tabella::board::BoxEntryKind;
use tabella::domain::ObjectKind;
use tabella::elgamal::{DiscreteLogTable, SecretKey};
use tabella::error::Error;
use tabella::tally::BallotBox;
use tabella::tally::stream::{BallotStreamReader, BallotStreamWriter, verify_stream};
use tabella::transcript::ElectionContext;

const N: usize = 10_000;

#[test]
fn one_bad_ballot_among_ten_thousand_is_named_and_tallies_agree() {
    let mut rng = ChaCha20Rng::seed_from_u64(99);
    let sk = SecretKey::generate(&mut rng);
    let pk = sk.public_key();
    let election = ElectionContext::new([3; 32]);
    let contest = ContestSpec::choose_one(0, 2, false).unwrap();
    let ctx = BallotContext {
        election: &election,
        key: &pk,
        round: 1,
        contest: &contest,
        eligibility: None,
    };
    let other_round = BallotContext { round: 2, ..ctx };
    let mut writer = BallotStreamWriter::new(Vec::new()).unwrap();
    let mut votes = [0u64; 2];
    let mut first = None;
    let bad_at = 6_789;
    let mut bad_id = None;
    for i in 0..N {
        let choice = (i % 3 == 0) as u32;
        let selection = Selection::new(&contest, &[choice]).unwrap();
        let id = BallotId::random(&mut rng);
        if i == bad_at {
            // Valid for round 2, replayed into round 1: its proofs fail here.
            let (b, _) =
                EncryptedBallot::encrypt(&other_round, &selection, id, None, &mut rng).unwrap();
            bad_id = Some(id);
            writer.write(&b).unwrap();
            continue;
        }
        let (b, _) = EncryptedBallot::encrypt(&ctx, &selection, id, None, &mut rng).unwrap();
        votes[choice as usize] += 1;
        writer.write(&b).unwrap();
        if first.is_none() {
            first = Some(b);
        }
    }
    // An exact copy of the first ballot, at the end: a duplicate.
    let first = first.unwrap();
    writer.write(&first).unwrap();
    let bytes = writer.finish().unwrap();

    let mut calls = 0;
    let serial = verify_stream(
        &mut BallotStreamReader::new(&bytes[..]).unwrap(),
        &ctx,
        1024,
        |_| calls += 1,
    )
    .unwrap();
    assert_eq!(calls, N.div_ceil(1024) + usize::from((N + 1) % 1024 == 1));
    assert_eq!(serial.tally.ballots(), (N - 1) as u64);
    assert_eq!(serial.rejected.len(), 2);
    let (id, err) = &serial.rejected[0];
    assert_eq!(Some(*id), bad_id);
    assert!(matches!(err, Error::BallotRejected { .. }), "{err:?}");
    assert_eq!(
        serial.rejected[1],
        (
            *first.id(),
            Error::DuplicateBallotId {
                ballot: *first.id()
            }
        )
    );
    let totals = serial
        .tally
        .decrypt(&sk, &DiscreteLogTable::new(N as u64).unwrap())
        .unwrap();
    assert_eq!(totals.options(), &votes[..]);

    let parallel = tabella::tally::stream::verify_stream_parallel(
        &mut BallotStreamReader::new(&bytes[..]).unwrap(),
        &ctx,
        1024,
        2,
        |_| {},
    )
    .unwrap();
    assert_eq!(parallel.tally, serial.tally);
    assert_eq!(parallel.rejected, serial.rejected);
}

#[test]
fn a_truncated_or_foreign_stream_is_rejected() {
    assert_eq!(
        BallotStreamReader::new(&b"not a ballot stream!"[..]).unwrap_err(),
        Error::NotTabella {
            expected: ObjectKind::BallotStream
        }
    );
    // A record, or a stream of another protocol version, is told apart by its header.
    let mut other = tabella::encoding::header::header(ObjectKind::Record).to_vec();
    assert!(matches!(
        BallotStreamReader::new(&other[..]),
        Err(Error::WrongKind { .. })
    ));
    other = tabella::encoding::header::header(ObjectKind::BallotStream).to_vec();
    other[3] = 2;
    assert!(matches!(
        BallotStreamReader::new(&other[..]),
        Err(Error::UnsupportedVersion { version: 2, .. })
    ));
    let mut writer = BallotStreamWriter::new(Vec::new()).unwrap();
    writer
        .write_encoded(BoxEntryKind::Cast, &[1, 2, 3])
        .unwrap();
    let mut bytes = writer.finish().unwrap();
    let mut reader = BallotStreamReader::new(&bytes[..]).unwrap();
    let entry = reader.next_entry().unwrap().unwrap();
    assert!(EncryptedBallot::from_bytes(&entry.bytes).is_err());
    bytes.truncate(bytes.len() - 1);
    let mut reader = BallotStreamReader::new(&bytes[..]).unwrap();
    assert!(reader.next_entry().is_err());
    // An unknown entry tag, and a hostile length, refused before allocating.
    let empty = BallotStreamWriter::new(Vec::new())
        .unwrap()
        .finish()
        .unwrap();
    let mut hostile = empty.clone();
    hostile.push(1);
    hostile.extend_from_slice(&u32::MAX.to_le_bytes());
    let mut reader = BallotStreamReader::new(&hostile[..]).unwrap();
    assert!(reader.next_entry().is_err());
    let mut tagged = empty;
    tagged.push(9);
    tagged.extend_from_slice(&0u32.to_le_bytes());
    let mut reader = BallotStreamReader::new(&tagged[..]).unwrap();
    assert!(reader.next_entry().is_err());
}

// The box and the stream run the same rules: fed the same entries (cast and challenged, in
// the same order, including a challenged ballot then cast, a ballot cast then challenged, a
// challenged ballot challenged again and a copy), they accept exactly the same ballots, give
// the same codes, the same close and the same tally.
#[test]
fn the_box_and_the_stream_accept_exactly_the_same_entries() {
    let mut rng = ChaCha20Rng::seed_from_u64(102);
    let sk = SecretKey::generate(&mut rng);
    let pk = sk.public_key();
    let election = ElectionContext::new([5; 32]);
    let contest = ContestSpec::choose_one(0, 3, true)
        .unwrap()
        .with_capacity(6);
    let mut bb = BallotBox::new(election, pk.clone(), 1, contest.clone());
    let ctx = BallotContext {
        election: &election,
        key: &pk,
        round: 1,
        contest: &contest,
        eligibility: None,
    };
    let make = |choice: u32, rng: &mut ChaCha20Rng| {
        let selection = Selection::new(&contest, &[choice]).unwrap();
        let (b, nonces) =
            EncryptedBallot::encrypt(&ctx, &selection, BallotId::random(rng), None, rng).unwrap();
        (b, selection, nonces)
    };
    let (a, _, _) = make(0, &mut rng);
    let (b, sb, nb) = make(1, &mut rng);
    let (c, sc, nc) = make(2, &mut rng);
    let (d, _, _) = make(1, &mut rng);
    let challenged_b = ChallengedBallot::open(b.clone(), sb, nb);
    let challenged_c = ChallengedBallot::open(c.clone(), sc, nc);
    enum E {
        Cast(EncryptedBallot),
        Challenge(ChallengedBallot),
    }
    let entries = vec![
        E::Cast(a.clone()),
        E::Challenge(challenged_b.clone()),
        E::Cast(b.clone()), // challenged, then cast: refused
        E::Cast(c.clone()), // cast, then challenged: the challenge refused
        E::Challenge(challenged_c),
        E::Challenge(challenged_b), // challenged twice: refused
        E::Cast(a.clone()),         // a copy: refused
        E::Cast(d.clone()),
    ];
    let mut writer = BallotStreamWriter::new(Vec::new()).unwrap();
    let mut box_refused = Vec::new();
    for e in &entries {
        match e {
            E::Cast(x) => {
                writer.write(x).unwrap();
                let v = x.clone().verify(&bb.context()).unwrap();
                if let Err(err) = bb.cast(v) {
                    box_refused.push((*x.id(), err));
                }
            }
            E::Challenge(x) => {
                writer.write_challenged(x).unwrap();
                if let Err(err) = bb.challenge(x.clone()) {
                    box_refused.push((*x.id(), err));
                }
            }
        }
    }
    let bytes = writer.finish().unwrap();
    let out = verify_stream(
        &mut BallotStreamReader::new(&bytes[..]).unwrap(),
        &ctx,
        3,
        |_| {},
    )
    .unwrap();
    assert_eq!(out.rejected, box_refused);
    assert_eq!(box_refused.len(), 4);
    assert_eq!(out.codes, bb.codes());
    assert_eq!(out.tally.close(), &bb.close());
    assert_eq!(out.tally, bb.tally());
    assert_eq!((bb.close().cast(), bb.close().challenged()), (3, 1));
    let parallel = tabella::tally::stream::verify_stream_parallel(
        &mut BallotStreamReader::new(&bytes[..]).unwrap(),
        &ctx,
        2,
        2,
        |_| {},
    )
    .unwrap();
    assert_eq!(parallel.tally, out.tally);
    assert_eq!(parallel.rejected, out.rejected);
    assert_eq!(parallel.codes, out.codes);
}

// A packed contest for a box of 40: the stream verifier keeps the first 40 valid ballots and
// refuses the rest with `BallotBoxFull` (their digits would overflow), serial and parallel
// alike, and the packed totals decrypt to the votes kept.
#[test]
fn a_packed_stream_past_its_capacity_is_cut_at_the_capacity() {
    let mut rng = ChaCha20Rng::seed_from_u64(101);
    let sk = SecretKey::generate(&mut rng);
    let pk = sk.public_key();
    let election = ElectionContext::new([4; 32]);
    let contest = ContestSpec::choose_one(0, 3, true)
        .unwrap()
        .with_capacity(40);
    assert_eq!(contest.width(), 1, "packed into one ciphertext");
    let ctx = BallotContext {
        election: &election,
        key: &pk,
        round: 1,
        contest: &contest,
        eligibility: None,
    };
    let mut writer = BallotStreamWriter::new(Vec::new()).unwrap();
    let mut votes = [0u64; 4];
    let mut extra = Vec::new();
    for i in 0..45u32 {
        let selection = match i % 4 {
            3 => Selection::abstain(&contest).unwrap(),
            c => Selection::new(&contest, &[c]).unwrap(),
        };
        let id = BallotId::random(&mut rng);
        let (b, _) = EncryptedBallot::encrypt(&ctx, &selection, id, None, &mut rng).unwrap();
        writer.write(&b).unwrap();
        if i < 40 {
            votes[(i % 4) as usize] += 1;
        } else {
            extra.push(id);
        }
    }
    let bytes = writer.finish().unwrap();
    let serial = verify_stream(
        &mut BallotStreamReader::new(&bytes[..]).unwrap(),
        &ctx,
        16,
        |_| {},
    )
    .unwrap();
    assert_eq!(serial.tally.ballots(), 40);
    let refused: Vec<BallotId> = serial.rejected.iter().map(|(id, _)| *id).collect();
    assert_eq!(refused, extra);
    for (id, err) in &serial.rejected {
        assert_eq!(
            *err,
            Error::BallotBoxFull {
                ballot: *id,
                capacity: 40
            }
        );
    }
    let table = DiscreteLogTable::new(serial.tally.total_bound()).unwrap();
    let totals = serial.tally.decrypt(&sk, &table).unwrap();
    assert_eq!(totals.options(), &votes[..3]);
    assert_eq!(totals.abstain(), votes[3]);

    let parallel = tabella::tally::stream::verify_stream_parallel(
        &mut BallotStreamReader::new(&bytes[..]).unwrap(),
        &ctx,
        16,
        2,
        |_| {},
    )
    .unwrap();
    assert_eq!(parallel.tally, serial.tally);
    assert_eq!(parallel.rejected, serial.rejected);
}
