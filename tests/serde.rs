//! serde (feature `serde`): public types go through their canonical bytes as lowercase hex.
#![cfg(feature = "serde")]

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tabella::ballot::{BallotId, ContestSpec, EncryptedBallot, Selection};
use tabella::elgamal::{Ciphertext, PublicKey, SecretKey};
use tabella::tally::BallotBox;
use tabella::transcript::ElectionContext;

#[test]
fn public_types_round_trip_through_json_hex() {
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let sk = SecretKey::generate(&mut rng);
    let pk = sk.public_key();
    let json = serde_json::to_string(&pk).unwrap();
    assert_eq!(
        json,
        format!("\"{}\"", tabella::encoding::to_hex(&pk.to_bytes()))
    );
    assert_eq!(serde_json::from_str::<PublicKey>(&json).unwrap(), pk);

    let contest = ContestSpec::choose_one(0, 2, false).unwrap();
    let bb = BallotBox::new(ElectionContext::new([1; 32]), pk, 1, contest.clone());
    let selection = Selection::new(&contest, &[1]).unwrap();
    let (ballot, _) = EncryptedBallot::encrypt(
        &bb.context(),
        &selection,
        BallotId::random(&mut rng),
        None,
        &mut rng,
    )
    .unwrap();
    let json = serde_json::to_string(&ballot).unwrap();
    let back: EncryptedBallot = serde_json::from_str(&json).unwrap();
    assert_eq!(back.to_bytes(), ballot.to_bytes());
}

#[test]
fn deserializing_validates() {
    // The identity is not a public key; uppercase hex is not canonical; α = identity rejected.
    assert!(serde_json::from_str::<PublicKey>(&format!("\"{}\"", "00".repeat(32))).is_err());
    let g = tabella::encoding::to_hex(tabella::group::Point::generator().as_bytes());
    assert!(serde_json::from_str::<PublicKey>(&format!("\"{}\"", g.to_uppercase())).is_err());
    assert!(serde_json::from_str::<PublicKey>(&format!("\"{g}\"")).is_ok());
    assert!(serde_json::from_str::<Ciphertext>(&format!("\"{}{g}\"", "00".repeat(32))).is_err());
    assert!(serde_json::from_str::<PublicKey>(&format!("\"{g}00\"")).is_err());
}

#[test]
fn threshold_messages_round_trip_through_json_hex() {
    use tabella::threshold::dkg::{self, CeremonyBoard, CeremonyContext, round1, round2, round3};
    use tabella::threshold::{PublicKeyPackage, ThresholdParams};
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    let params = ThresholdParams::new(2, 3).unwrap();
    let ctx = CeremonyContext::random(ElectionContext::new([2; 32]), params, &mut rng);
    let mut board = CeremonyBoard::new();
    let (mut s1, mut b1) = (Vec::new(), Vec::new());
    for i in params.indices() {
        let (s, p) = dkg::part1(&ctx, i, &mut rng).unwrap();
        board.post_round1(&p).unwrap();
        s1.push(s);
        b1.push(p);
    }
    let (mut s2, mut b2) = (Vec::new(), Vec::new());
    for s in s1 {
        let (s, p) = dkg::part2(s, &board, &mut rng).unwrap();
        s2.push(s);
        b2.push(p);
    }
    for p in &b2 {
        board.post_round2(p).unwrap();
    }
    let mut b3 = Vec::new();
    for s in s2 {
        b3.push(dkg::part3(s, &board, &mut rng).unwrap().1);
    }
    for p in &b3 {
        board.post_round3(p).unwrap();
    }
    let json = serde_json::to_string(&b1[0]).unwrap();
    assert_eq!(
        serde_json::from_str::<round1::Package>(&json).unwrap(),
        b1[0]
    );
    let json = serde_json::to_string(&b2[1]).unwrap();
    assert_eq!(
        serde_json::from_str::<round2::Package>(&json).unwrap(),
        b2[1]
    );
    let json = serde_json::to_string(&b3[2]).unwrap();
    assert_eq!(
        serde_json::from_str::<round3::Package>(&json).unwrap(),
        b3[2]
    );
    let outcome = dkg::verify_ceremony(&ctx, &board).unwrap();
    let public = outcome.public_key_package();
    let json = serde_json::to_string(public).unwrap();
    assert_eq!(
        &serde_json::from_str::<PublicKeyPackage>(&json).unwrap(),
        public
    );
}
