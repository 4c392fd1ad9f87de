//! Side-channel hygiene of secret types.
//!
//! * At run time: the `Debug` of every secret type says `<redacted>` and contains no secret
//!   byte (the hex of a known secret is not a substring).
//! * At compile time: no secret type is `Copy` or `Serialize`, and the key and secret packages
//!   are not `PartialEq` (a derived `==` on secrets runs in variable time; `SecretKey` and
//!   `Nonce` implement `PartialEq` through `ct_eq`, by design). The check is the "ambiguous
//!   impl" trick of `static_assertions::assert_not_impl_any!`, without the dependency: if the
//!   type implemented the trait, `<T as AmbiguousIfImpl<_>>::some_item` would have two
//!   candidate impls and this file would not compile.

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tabella::ballot::{
    BallotContext, BallotId, BallotNonces, ContestSpec, EncryptedBallot, Selection,
};
use tabella::elgamal::{Nonce, SecretKey};
use tabella::threshold::dkg::{self, CeremonyBoard, CeremonyContext, round1, round2, round3};
use tabella::threshold::{KeyPackage, ThresholdParams, TrusteeIndex};
use tabella::transcript::ElectionContext;

/// `assert_not_impl!(Type: Trait, …)`: a compile error if `Type` implements one of the traits.
macro_rules! assert_not_impl {
    ($ty:ty: $($tr:path),+ $(,)?) => {
        const _: fn() = || {
            trait AmbiguousIfImpl<A> {
                fn some_item() {}
            }
            impl<T: ?Sized> AmbiguousIfImpl<()> for T {}
            $({
                #[allow(dead_code)]
                struct Invalid;
                impl<T: ?Sized + $tr> AmbiguousIfImpl<Invalid> for T {}
            })+
            let _ = <$ty as AmbiguousIfImpl<_>>::some_item;
        };
    };
}

assert_not_impl!(SecretKey: Copy);
assert_not_impl!(SecretKey: serde::Serialize);
assert_not_impl!(Nonce: Copy);
assert_not_impl!(Nonce: serde::Serialize);
assert_not_impl!(Selection: Copy);
assert_not_impl!(Selection: serde::Serialize);
assert_not_impl!(BallotNonces: Copy);
assert_not_impl!(BallotNonces: serde::Serialize);
assert_not_impl!(KeyPackage: Copy);
assert_not_impl!(KeyPackage: serde::Serialize);
assert_not_impl!(KeyPackage: PartialEq);
assert_not_impl!(round1::SecretPackage: Copy);
assert_not_impl!(round1::SecretPackage: serde::Serialize);
assert_not_impl!(round1::SecretPackage: PartialEq);
assert_not_impl!(round2::SecretPackage: Copy);
assert_not_impl!(round2::SecretPackage: serde::Serialize);
assert_not_impl!(round2::SecretPackage: PartialEq);
assert_not_impl!(round3::SecretPackage: Copy);
assert_not_impl!(round3::SecretPackage: serde::Serialize);
assert_not_impl!(round3::SecretPackage: PartialEq);

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `Debug` says `<redacted>` and contains none of the `secrets` (as lowercase or uppercase hex,
/// or as the decimal byte list a derived `Debug` of an array would print).
fn assert_redacted(what: &str, debug: &str, secrets: &[&[u8]]) {
    assert!(debug.contains("<redacted>"), "{what}: {debug}");
    for secret in secrets {
        let h = hex(secret);
        assert!(!debug.contains(&h), "{what} prints a secret in hex");
        assert!(
            !debug.contains(&h.to_uppercase()),
            "{what} prints a secret in HEX"
        );
        let list = format!("{:?}", secret);
        assert!(
            !debug.contains(list.trim_matches(['[', ']'])),
            "{what} prints a secret as bytes"
        );
    }
}

#[test]
fn secret_keys_nonces_selections_and_ballot_nonces_are_redacted() {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let sk = SecretKey::generate(&mut rng);
    let sk_bytes = sk.to_bytes();
    assert_redacted("SecretKey", &format!("{sk:?}"), &[&sk_bytes[..]]);
    assert_redacted("SecretKey (pretty)", &format!("{sk:#?}"), &[&sk_bytes[..]]);
    let nonce = Nonce::generate(&mut rng);
    let nonce_bytes = nonce.to_bytes();
    assert_redacted("Nonce", &format!("{nonce:?}"), &[&nonce_bytes[..]]);

    let key = sk.public_key();
    let election = ElectionContext::new([1; 32]);
    let contest = ContestSpec::choose_one(0, 4, false).unwrap();
    let ctx = BallotContext {
        election: &election,
        key: &key,
        round: 1,
        contest: &contest,
        eligibility: None,
    };
    let selection = Selection::new(&contest, &[2]).unwrap();
    let debug = format!("{selection:?}");
    assert_redacted("Selection", &debug, &[]);
    assert!(
        !debug.contains("0, 0, 1, 0") && !debug.contains('2'),
        "{debug}"
    );
    let (_, nonces) =
        EncryptedBallot::encrypt(&ctx, &selection, BallotId::random(&mut rng), None, &mut rng)
            .unwrap();
    let secrets: Vec<Vec<u8>> = nonces
        .nonces()
        .iter()
        .map(|n| n.to_bytes().to_vec())
        .collect();
    let secrets: Vec<&[u8]> = secrets.iter().map(Vec::as_slice).collect();
    assert_redacted("BallotNonces", &format!("{nonces:?}"), &secrets);
    assert_redacted("BallotNonces (pretty)", &format!("{nonces:#?}"), &secrets);
}

#[test]
fn key_packages_and_ceremony_secret_packages_are_redacted() {
    let mut rngs = [
        ChaCha20Rng::seed_from_u64(21),
        ChaCha20Rng::seed_from_u64(22),
    ];
    let ctx = CeremonyContext::random(
        ElectionContext::new([2; 32]),
        ThresholdParams::new(2, 2).unwrap(),
        &mut rngs[0],
    );
    let mut board = CeremonyBoard::new();
    let mut s1 = Vec::new();
    for (i, rng) in (1..=2).zip(rngs.iter_mut()) {
        let (s, p) = dkg::part1(&ctx, TrusteeIndex::new(i).unwrap(), rng).unwrap();
        board.post_round1(&p).unwrap();
        s1.push(s);
    }
    let debug1: Vec<String> = s1.iter().map(|s| format!("{s:?}")).collect();
    let mut s2 = Vec::new();
    let mut b2 = Vec::new();
    for (s, rng) in s1.into_iter().zip(rngs.iter_mut()) {
        let (s, p) = dkg::part2(s, &board, rng).unwrap();
        s2.push(s);
        b2.push(p);
    }
    for p in &b2 {
        board.post_round2(p).unwrap();
    }
    let debug2: Vec<String> = s2.iter().map(|s| format!("{s:?}")).collect();
    let mut s3 = Vec::new();
    let mut b3 = Vec::new();
    for (s, rng) in s2.into_iter().zip(rngs.iter_mut()) {
        let (s, p) = dkg::part3(s, &board, rng).unwrap();
        s3.push(s);
        b3.push(p);
    }
    for p in &b3 {
        board.post_round3(p).unwrap();
    }
    let debug3: Vec<String> = s3.iter().map(|s| format!("{s:?}")).collect();
    let keys: Vec<KeyPackage> = s3
        .into_iter()
        .map(|s| dkg::part4(s, &board).unwrap().0)
        .collect();
    for key in &keys {
        let export = key.export();
        // The export is the header, the package fingerprint (32), the index (4), then the
        // 32-byte secret share x_i, then the (empty) decryption log.
        let at = tabella::encoding::header::HEADER_LEN + 36;
        let share = &export[at..at + 32];
        let debug = format!("{key:?}");
        assert_redacted("KeyPackage", &debug, &[share]);
        assert_redacted("KeyPackage (pretty)", &format!("{key:#?}"), &[share]);
        // The secret share, and every earlier secret package, never print x_i.
        for d in debug1.iter().chain(&debug2).chain(&debug3) {
            assert_redacted("a ceremony secret package", d, &[share]);
        }
    }
}
