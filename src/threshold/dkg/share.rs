//! Hashed ElGamal encryption of a share to a trustee's communication key (crate-internal).
//!
//! Dealer i sends `s = f_i(j)` to trustee j, whose communication key is `PK_j = d_j·G`:
//!
//! ```text
//! e ← random non-zero scalar          E = e·G
//! K = e·PK_j   (= d_j·E)
//! pad = SHA-512( u8(len L) ‖ L ‖ ceremony id ‖ u32le(i) ‖ u32le(j) ‖ E ‖ K )[0..32],
//!       L = "tabella.ceremony.share-key"
//! ct = scalar(s) ⊕ pad            (scalar(s): the 32-byte canonical encoding of s)
//! ```
//!
//! Trustee j computes `K = d_j·E`, the same pad, and `s = ct ⊕ pad`, which must be a canonical
//! scalar. There is no MAC: the Feldman check `s·G = Σ_k j^k·C_{i,k}` is the integrity check,
//! and the board is authenticated. A complaint reveals K with a DLEQ proof, so that anyone can
//! recompute the pad and the share.
//!
//! Constant time: encryption and decryption run in constant time in e, d_j, K and s. The pad
//! and the plaintext live in zeroizing buffers; the SHA-512 state is not zeroized.

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use rand_core::{CryptoRng, RngCore};
use sha2::{Digest, Sha512};
use zeroize::Zeroizing;

use crate::domain::label;
use crate::elgamal::{PublicKey, SecretKey};
use crate::group::Point;
use crate::threshold::dkg::CeremonyContext;
use crate::threshold::dkg::round2::EncryptedShare;
use crate::threshold::params::TrusteeIndex;
use crate::threshold::polynomial::evaluate_commitments;

/// The 32-byte pad for the share from `sender` to `recipient`.
pub(crate) fn pad(
    ctx: &CeremonyContext,
    sender: TrusteeIndex,
    recipient: TrusteeIndex,
    ephemeral: &Point,
    dh: &[u8; 32],
) -> Zeroizing<[u8; 32]> {
    let label = label::CEREMONY_SHARE_KEY;
    // Labels are short constants; the length prefix keeps the hash input prefix-free.
    let label_len = u8::try_from(label.len()).unwrap_or(u8::MAX);
    let mut hash = Sha512::new();
    hash.update([label_len]);
    hash.update(label);
    hash.update(ctx.id());
    hash.update(sender.get().to_le_bytes());
    hash.update(recipient.get().to_le_bytes());
    hash.update(ephemeral.as_bytes());
    hash.update(dh);
    let digest: Zeroizing<[u8; 64]> = Zeroizing::new(hash.finalize().into());
    let mut out = Zeroizing::new([0u8; 32]);
    if let Some(head) = digest.first_chunk::<32>() {
        out.copy_from_slice(head);
    }
    out
}

fn xor(a: &[u8; 32], b: &[u8; 32]) -> Zeroizing<[u8; 32]> {
    let mut out = Zeroizing::new([0u8; 32]);
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        *o = x ^ y;
    }
    out
}

/// Encrypts `share` from `sender` to `recipient` under `recipient_key`.
pub(crate) fn encrypt<R: RngCore + CryptoRng>(
    ctx: &CeremonyContext,
    sender: TrusteeIndex,
    recipient: TrusteeIndex,
    recipient_key: &PublicKey,
    share: &Scalar,
    rng: &mut R,
) -> EncryptedShare {
    let e = SecretKey::generate(rng);
    let ephemeral = Point::from(RistrettoPoint::mul_base(e.as_scalar()));
    let dh = Zeroizing::new(recipient_key.as_point().element() * e.as_scalar());
    let dh_bytes = Zeroizing::new(dh.compress().to_bytes());
    let pad = pad(ctx, sender, recipient, &ephemeral, &dh_bytes);
    let plain = Zeroizing::new(share.to_bytes());
    let ciphertext = *xor(&plain, &pad);
    EncryptedShare::new(recipient, ephemeral, ciphertext)
}

/// The Diffie–Hellman point `K = d_j·E` that the recipient computes.
pub(crate) fn dh_point(secret: &SecretKey, share: &EncryptedShare) -> Point {
    Point::from(share.ephemeral().element() * secret.as_scalar())
}

/// Decrypts a share with the Diffie–Hellman point K; `None` if the plaintext is not a
/// canonical scalar.
pub(crate) fn open(
    ctx: &CeremonyContext,
    sender: TrusteeIndex,
    share: &EncryptedShare,
    dh: &Point,
) -> Option<Zeroizing<Scalar>> {
    let pad = pad(
        ctx,
        sender,
        share.recipient(),
        share.ephemeral(),
        dh.as_bytes(),
    );
    let plain = xor(share.ciphertext(), &pad);
    Option::<Scalar>::from(Scalar::from_canonical_bytes(*plain)).map(Zeroizing::new)
}

/// Whether `s·G = Σ_k j^k·C_k` (the Feldman check; variable time in the public commitments,
/// and s·G is computed in constant time).
pub(crate) fn feldman_check(s: &Scalar, recipient: TrusteeIndex, commitments: &[Point]) -> bool {
    RistrettoPoint::mul_base(s)
        == evaluate_commitments(recipient, commitments.iter().map(Point::element))
}
