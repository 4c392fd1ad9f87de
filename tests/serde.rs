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
