//! Secrets never reach a log: the `Debug` of every secret type prints `<redacted>` and no
//! rendering of the secret (hex, or the decimal byte list a derived `Debug` would print).

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tabella::ballot::{BallotContext, BallotId, ContestSpec, EncryptedBallot, Selection};
use tabella::elgamal::SecretKey;
use tabella::transcript::ElectionContext;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Asserts that both `Debug` renderings of `value` say `<redacted>` and contain none of the
/// renderings of `secret`.
fn assert_redacted(name: &str, value: &impl core::fmt::Debug, secret: &[u8]) {
    let renderings = [
        hex(secret),
        hex(secret).to_uppercase(),
        format!("{secret:?}"),
        format!("{secret:#?}"),
    ];
    for shown in [format!("{value:?}"), format!("{value:#?}")] {
        assert!(shown.contains("<redacted>"), "{name}: {shown}");
        for r in &renderings {
            assert!(!shown.contains(r.as_str()), "{name} leaks {r}: {shown}");
        }
        // Not even a prefix of the hex (a truncated dump).
        let prefix = &hex(secret)[..hex(secret).len().min(16)];
        assert!(!shown.contains(prefix), "{name}: {shown}");
    }
}

// SecretKey's Debug hides the key.
#[test]
fn secret_key_debug_is_redacted() {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    for _ in 0..8 {
        let sk = SecretKey::generate(&mut rng);
        assert_redacted("SecretKey", &sk, &sk.to_bytes()[..]);
    }
}

// Nonce's Debug hides the nonce (revealing it reveals the vote).
#[test]
fn nonce_debug_is_redacted() {
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let pk = SecretKey::generate(&mut rng).public_key();
    for m in 0..8 {
        let (_, nonce) = pk.encrypt(m, &mut rng);
        assert_redacted("Nonce", &nonce, &nonce.to_bytes()[..]);
    }
}

// Selection's Debug hides the vote; BallotNonces' Debug hides every nonce; and the public
// ballot's Debug carries no nonce either.
#[test]
fn selection_and_ballot_nonces_debug_are_redacted() {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let election = ElectionContext::new([1; 32]);
    let pk = SecretKey::generate(&mut rng).public_key();
    let contest = ContestSpec::new(0, 4, 0, 2, true).unwrap();
    let ctx = BallotContext {
        election: &election,
        key: &pk,
        round: 1,
        contest: &contest,
        eligibility: None,
    };
    let selections = [
        Selection::new(&contest, &[1]).unwrap(),
        Selection::new(&contest, &[0, 3]).unwrap(),
        Selection::new(&contest, &[]).unwrap(),
        Selection::abstain(&contest).unwrap(),
    ];
    for selection in &selections {
        let values = selection.values().to_vec();
        assert_redacted("Selection", selection, &values);
        let shown = format!("{selection:#?}");
        assert!(!shown.contains("values"), "{shown}");

        let (ballot, nonces) =
            EncryptedBallot::encrypt(&ctx, selection, BallotId::random(&mut rng), None, &mut rng)
                .unwrap();
        assert_eq!(nonces.nonces().len(), contest.width());
        let ballot_shown = format!("{ballot:?}");
        for nonce in nonces.nonces() {
            let secret = nonce.to_bytes();
            assert_redacted("BallotNonces", &nonces, &secret[..]);
            assert!(!ballot_shown.contains(&hex(&secret[..])));
        }
    }
}
