//! Chaum–Pedersen proof of equality of discrete logarithms (DLEQ).
//!
//! # Statement and witness
//!
//! Public: the generator G, a base H, and points Y, D. Witness: x with Y = x·G and D = x·H.
//! Used for partial decryptions (H = α of the tally, Y = verification share, D = share of the
//! decryption) and for ceremony complaints (H = ephemeral key, D = revealed Diffie–Hellman
//! point).
//!
//! # Construction
//!
//! ```text
//! transcript ← dom-sep "tabella.proof.dleq", "G" G, "H" H, "Y" Y, "D" D
//! k ← prover RNG (transcript, witness x, OS randomness)
//! R₁ = k·G, R₂ = k·H      transcript ← "R1" R₁, "R2" R₂
//! c = challenge "c"
//! s = k + c·x
//! ```
//!
//! # Verification equations
//!
//! ```text
//! s·G − R₁ − c·Y = 0
//! s·H − R₂ − c·D = 0
//! ```
//!
//! # Encoding
//!
//! `R₁ ‖ R₂ ‖ s`: 96 bytes.
//!
//! # Constant time
//!
//! Proving runs in constant time in x and k. Verification is variable time (public data).
//!
//! # Example
//!
//! ```
//! use tabella::curve25519_dalek::scalar::Scalar;
//! use tabella::domain::label;
//! use tabella::elgamal::SecretKey;
//! use tabella::group::{hash_to_group, Point};
//! use tabella::proofs::{DleqProof, DleqStatement};
//! use tabella::transcript::ElectionContext;
//!
//! let context = ElectionContext::new([7; 32]);
//! let secret = Scalar::from(42u64);
//! let x = SecretKey::from_bytes(secret.as_bytes()).unwrap();
//! let h = Point::from(hash_to_group(b"example base"));
//! let y = x.public_key().as_point().clone();
//! let d = Point::from(h.element() * secret);
//! let statement = DleqStatement { base: &h, left: &y, right: &d };
//! let proof = DleqProof::prove(
//!     &mut context.transcript(label::PARTIAL_DECRYPTION),
//!     &statement,
//!     &x,
//!     &mut rand_core::OsRng,
//! );
//! assert!(proof.verify(&mut context.transcript(label::PARTIAL_DECRYPTION), &statement).is_ok());
//! ```

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use merlin::Transcript;
use rand_core::{CryptoRng, RngCore};

use crate::domain::label;
use crate::elgamal::SecretKey;
use crate::error::{ProofKind, Result};
use crate::group::{Point, Reader};
use crate::proofs::batch::BatchVerifier;
use crate::transcript::{TranscriptExt, random_scalar};

/// Length of an encoded DLEQ proof.
pub const DLEQ_PROOF_LEN: usize = 96;

/// The public statement: Y = x·G and D = x·H.
#[derive(Clone, Copy, Debug)]
pub struct DleqStatement<'a> {
    /// H, the second base.
    pub base: &'a Point,
    /// Y = x·G.
    pub left: &'a Point,
    /// D = x·H.
    pub right: &'a Point,
}

impl DleqStatement<'_> {
    fn append_to(&self, t: &mut Transcript) {
        t.domain_sep(label::DLEQ);
        t.append_point(b"G", &Point::generator());
        t.append_point(b"H", self.base);
        t.append_point(b"Y", self.left);
        t.append_point(b"D", self.right);
    }
}

/// A DLEQ proof: commitments R₁, R₂ and response s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DleqProof {
    r1: Point,
    r2: Point,
    response: Scalar,
}

#[cfg(feature = "serde")]
crate::encoding::serde_via_bytes!(DleqProof, "DLEQ proof");

impl DleqProof {
    /// Proves that `statement.left = x·G` and `statement.right = x·H` for the witness x.
    pub fn prove<R: RngCore + CryptoRng>(
        transcript: &mut Transcript,
        statement: &DleqStatement<'_>,
        witness: &SecretKey,
        rng: &mut R,
    ) -> Self {
        statement.append_to(transcript);
        let x = witness.as_scalar();
        let mut prover_rng = transcript.prover_rng(&[x], rng);
        let k = random_scalar(&mut prover_rng);
        let r1 = Point::from(RistrettoPoint::mul_base(&k));
        let r2 = Point::from(statement.base.element() * *k);
        transcript.append_point(b"R1", &r1);
        transcript.append_point(b"R2", &r2);
        let c = transcript.challenge(b"c");
        DleqProof {
            r1,
            r2,
            response: *k + c * x,
        }
    }

    fn equations(
        &self,
        transcript: &mut Transcript,
        statement: &DleqStatement<'_>,
        batch: &mut BatchVerifier,
    ) {
        statement.append_to(transcript);
        transcript.append_point(b"R1", &self.r1);
        transcript.append_point(b"R2", &self.r2);
        let c = transcript.challenge(b"c");
        // w₁·(s·G − R₁ − c·Y) = 0
        let w1 = batch.weight();
        batch.base(w1 * self.response);
        batch.commitment(w1, &self.r1);
        batch.shared(-(w1 * c), statement.left);
        // w₂·(s·H − R₂ − c·D) = 0
        let w2 = batch.weight();
        batch.commitment(w2, &self.r2);
        batch.term(w2 * self.response, statement.base.element());
        batch.term(-(w2 * c), statement.right.element());
    }

    /// Verifies the proof alone.
    pub fn verify(&self, transcript: &mut Transcript, statement: &DleqStatement<'_>) -> Result<()> {
        BatchVerifier::verify_one(ProofKind::Dleq, |batch| {
            self.equations(transcript, statement, batch);
            Ok(())
        })
    }

    /// Adds the proof's equations to `batch` (to the current item).
    pub fn verify_batched(
        &self,
        transcript: &mut Transcript,
        statement: &DleqStatement<'_>,
        batch: &mut BatchVerifier,
    ) {
        self.equations(transcript, statement, batch);
    }

    /// The canonical encoding `R₁ ‖ R₂ ‖ s`.
    pub fn to_bytes(&self) -> [u8; DLEQ_PROOF_LEN] {
        let mut out = [0u8; DLEQ_PROOF_LEN];
        let (r1, rest) = out.split_at_mut(32);
        let (r2, s) = rest.split_at_mut(32);
        r1.copy_from_slice(self.r1.as_bytes());
        r2.copy_from_slice(self.r2.as_bytes());
        s.copy_from_slice(self.response.as_bytes());
        out
    }

    /// Appends the canonical encoding to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_bytes());
    }

    /// Decodes a proof; rejects non-canonical points and scalars and wrong lengths.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Reader::decode_all("DLEQ proof", bytes, Self::read)
    }

    /// Reads a proof from a longer encoding.
    pub fn read(reader: &mut Reader<'_>) -> Result<Self> {
        Ok(DleqProof {
            r1: reader.point("DLEQ commitment R1")?,
            r2: reader.point("DLEQ commitment R2")?,
            response: reader.scalar("DLEQ response s")?,
        })
    }
}
