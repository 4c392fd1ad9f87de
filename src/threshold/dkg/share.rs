//! An encrypted share: `f_i(j)` under hashed ElGamal to trustee j's communication key, with a
//! proof that the dealer knows the ephemeral scalar (the type is re-exported as
//! [`super::round2::EncryptedShare`]).
//!
//! # Construction
//!
//! Dealer i sends `s = f_i(j)` to trustee j, whose communication key is `PK_j = d_j·G`:
//!
//! ```text
//! e ← random non-zero scalar          E = e·G
//! K = e·PK_j   (= d_j·E)
//! pad = SHA-512( u8(len L) ‖ L ‖ ceremony id ‖ u32le(i) ‖ u32le(j) ‖ E ‖ K )[0..32],
//!       L = "tabella.ceremony.share-key"
//! ct = scalar(s) ⊕ pad            (scalar(s): the 32-byte canonical encoding of s)
//! π  = Schnorr proof of knowledge of e with X = E, on the fresh transcript
//!      T ← ceremony transcript "tabella.ceremony.ephemeral", sender i
//!      T.append_u64("j", j); T.append("E", E); T.append("ct", ct)
//! ```
//!
//! Trustee j computes `K = d_j·E`, the same pad, and `s = ct ⊕ pad`, which must be a canonical
//! scalar. There is no MAC: the Feldman check `s·G = Σ_k j^k·C_{i,k}` is the integrity check,
//! and the board authenticates the dealer. A complaint reveals K with a DLEQ proof, so that
//! anyone can recompute the pad and the share.
//!
//! # Why the dealer proves knowledge of e
//!
//! A complaint publishes `K = d_j·E` for the E that the accused dealer chose. Without π, a
//! dealer M could copy into its own share to j the ephemeral key `E_{i→j}` of an honest
//! dealer i's share to j (or post `E' = a·E_{i→j} + b·G`) with a junk ciphertext: j's
//! decryption fails, j complains, and the complaint reveals `d_j·E_{i→j}` (or
//! `d_j·E' = a·d_j·E_{i→j} + b·PK_j`, from which `d_j·E_{i→j}` follows), which decrypts the
//! honest dealer's share to j. The complaint would be a static Diffie–Hellman oracle on d_j.
//!
//! With π, a dealer whose proof fails is excluded in round 2 and its shares are never
//! decrypted or complained about. For a dealer whose proofs verify, the knowledge extractor
//! gives e with `E = e·G`, so the K of a complaint equals `e·PK_j`, which that dealer could
//! compute alone: the complaint opens that dealer's own share and nothing else. π is bound to
//! the ceremony, the dealer, the recipient and the ciphertext, so an honest dealer's proof does
//! not verify in another dealer's package or for another recipient, and `E' = a·E + b·G` needs
//! `log_G E` as much as E does. Refusing a repeated E would not be enough: E' is a new point.
//!
//! # Encoding
//!
//! `recipient (u32) ‖ E (32) ‖ ct (32) ‖ R (32) ‖ s (32)`: 132 bytes. E must not be the
//! identity; R may be any canonical point and s must be a canonical scalar.
//!
//! # Constant time
//!
//! Encryption, decryption and proving run in constant time in e, d_j, K and s. The pad and the
//! plaintext live in zeroizing buffers; the SHA-512 state is not zeroized. Verifying π is
//! variable time (public data).

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use merlin::Transcript;
use rand_core::{CryptoRng, RngCore};
use sha2::{Digest, Sha512};
use zeroize::Zeroizing;

use crate::domain::label;
use crate::elgamal::{PublicKey, SecretKey};
use crate::error::Result;
use crate::group::{Point, Reader};
use crate::proofs::schnorr::SCHNORR_PROOF_LEN;
use crate::proofs::{BatchVerifier, SchnorrProof, SchnorrStatement};
use crate::threshold::dkg::CeremonyContext;
use crate::threshold::params::TrusteeIndex;
use crate::threshold::polynomial::evaluate_commitments;
use crate::transcript::TranscriptExt;

/// Length of one encoded [`EncryptedShare`].
pub const ENCRYPTED_SHARE_LEN: usize = 4 + 32 + 32 + SCHNORR_PROOF_LEN;

/// A share `f_i(j)` encrypted to trustee j's communication key (hashed ElGamal), with the
/// dealer's proof of knowledge of the ephemeral scalar.
///
/// The dealer i is not part of the value: it is the sender of the round-2 package that
/// carries the share, and the proof is checked against it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptedShare {
    recipient: TrusteeIndex,
    ephemeral: Point,
    ciphertext: [u8; 32],
    proof: SchnorrProof,
}

impl EncryptedShare {
    /// The trustee j it is addressed to.
    pub fn recipient(&self) -> TrusteeIndex {
        self.recipient
    }

    /// The ephemeral key E = e·G.
    pub fn ephemeral(&self) -> &Point {
        &self.ephemeral
    }

    /// The encrypted share `scalar(f_i(j)) ⊕ pad`.
    pub fn ciphertext(&self) -> &[u8; 32] {
        &self.ciphertext
    }

    /// The dealer's proof of knowledge of e with E = e·G.
    pub fn ephemeral_proof(&self) -> &SchnorrProof {
        &self.proof
    }

    /// The transcript of the ephemeral proof of this share from `dealer`: a fresh ceremony
    /// transcript, not a continuation of another.
    fn transcript(&self, ctx: &CeremonyContext, dealer: TrusteeIndex) -> Transcript {
        ephemeral_transcript(
            ctx,
            dealer,
            self.recipient,
            &self.ephemeral,
            &self.ciphertext,
        )
    }

    /// Verifies the ephemeral proof alone, for a share posted by `dealer`.
    pub(crate) fn verify_ephemeral(
        &self,
        ctx: &CeremonyContext,
        dealer: TrusteeIndex,
    ) -> Result<()> {
        self.proof.verify(
            &mut self.transcript(ctx, dealer),
            &SchnorrStatement {
                public: &self.ephemeral,
            },
        )
    }

    /// Adds the ephemeral proof's equation to the current item of `batch`.
    pub(crate) fn verify_ephemeral_batched(
        &self,
        ctx: &CeremonyContext,
        dealer: TrusteeIndex,
        batch: &mut BatchVerifier,
    ) {
        self.proof.verify_batched(
            &mut self.transcript(ctx, dealer),
            &SchnorrStatement {
                public: &self.ephemeral,
            },
            batch,
        );
    }

    /// Appends the canonical encoding.
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        self.recipient.write(out);
        out.extend_from_slice(self.ephemeral.as_bytes());
        out.extend_from_slice(&self.ciphertext);
        self.proof.write(out);
    }

    /// The canonical encoding (132 bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(ENCRYPTED_SHARE_LEN);
        self.write(&mut out);
        out
    }

    /// Decodes a share; rejects a wrong length, index 0, an identity or non-canonical E, and a
    /// non-canonical proof. Any such 132 bytes decode: whether the proof verifies is a check
    /// of the ceremony (it needs the dealer), not of the encoding.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Reader::decode_all("encrypted share", bytes, Self::read)
    }

    /// Reads a share from a longer encoding.
    pub(crate) fn read(reader: &mut Reader<'_>) -> Result<Self> {
        Ok(EncryptedShare {
            recipient: TrusteeIndex::read(reader, "share recipient")?,
            ephemeral: reader.point_non_identity("share ephemeral key")?,
            ciphertext: reader.array("encrypted share")?,
            proof: SchnorrProof::read(reader)?,
        })
    }
}

/// The fresh transcript of the proof of knowledge of the ephemeral scalar of the share from
/// `dealer` to `recipient`.
fn ephemeral_transcript(
    ctx: &CeremonyContext,
    dealer: TrusteeIndex,
    recipient: TrusteeIndex,
    ephemeral: &Point,
    ciphertext: &[u8; 32],
) -> Transcript {
    let mut t = ctx.transcript(label::CEREMONY_EPHEMERAL, dealer);
    t.append_count(b"j", u64::from(recipient.get()));
    t.append_point(b"E", ephemeral);
    t.append_message(b"ct", ciphertext);
    t
}

/// The 32-byte pad for the share from `dealer` to `recipient`.
pub(crate) fn pad(
    ctx: &CeremonyContext,
    dealer: TrusteeIndex,
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
    hash.update(dealer.get().to_le_bytes());
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

/// Round 2, Step 2 > encrypts `share` from `dealer` to `recipient` under `recipient_key`, and
/// proves knowledge of the ephemeral scalar.
pub(crate) fn encrypt<R: RngCore + CryptoRng>(
    ctx: &CeremonyContext,
    dealer: TrusteeIndex,
    recipient: TrusteeIndex,
    recipient_key: &PublicKey,
    share: &Scalar,
    rng: &mut R,
) -> EncryptedShare {
    let e = SecretKey::generate(rng);
    let ephemeral = Point::from(RistrettoPoint::mul_base(e.as_scalar()));
    let dh = Zeroizing::new(recipient_key.as_point().element() * e.as_scalar());
    let dh_bytes = Zeroizing::new(dh.compress().to_bytes());
    let pad = pad(ctx, dealer, recipient, &ephemeral, &dh_bytes);
    let plain = Zeroizing::new(share.to_bytes());
    let ciphertext = *xor(&plain, &pad);
    let proof = SchnorrProof::prove(
        &mut ephemeral_transcript(ctx, dealer, recipient, &ephemeral, &ciphertext),
        &SchnorrStatement { public: &ephemeral },
        &e,
        rng,
    );
    EncryptedShare {
        recipient,
        ephemeral,
        ciphertext,
        proof,
    }
}

/// The Diffie–Hellman point `K = d_j·E` that the recipient computes.
pub(crate) fn dh_point(secret: &SecretKey, share: &EncryptedShare) -> Point {
    Point::from(share.ephemeral().element() * secret.as_scalar())
}

/// Decrypts a share from `dealer` with the Diffie–Hellman point K; `None` if the plaintext is
/// not a canonical scalar.
pub(crate) fn open(
    ctx: &CeremonyContext,
    dealer: TrusteeIndex,
    share: &EncryptedShare,
    dh: &Point,
) -> Option<Zeroizing<Scalar>> {
    let pad = pad(
        ctx,
        dealer,
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
