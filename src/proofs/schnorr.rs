//! Schnorr proof of knowledge of a discrete logarithm.
//!
//! # Statement and witness
//!
//! Public: the generator G and a point X. Witness: x with X = x·G.
//!
//! # Construction
//!
//! ```text
//! transcript ← dom-sep "tabella.proof.schnorr", "G" G, "X" X
//! k ← prover RNG (transcript, witness x, OS randomness)
//! R = k·G                 transcript ← "R" R
//! c = challenge "c"       (64 bytes, reduced mod ℓ)
//! s = k + c·x
//! ```
//!
//! # Verification equation
//!
//! `s·G − R − c·X = 0`
//!
//! # Encoding
//!
//! `R ‖ s`: 64 bytes. R may be any canonical point; s must be a canonical scalar.
//!
//! # Constant time
//!
//! Proving runs in constant time in x and k. Verification is variable time (public data).
//!
//! # Example
//!
//! ```
//! use tabella::domain::label;
//! use tabella::elgamal::SecretKey;
//! use tabella::proofs::{SchnorrProof, SchnorrStatement};
//! use tabella::transcript::ElectionContext;
//!
//! let context = ElectionContext::new([7; 32]);
//! let sk = SecretKey::generate(&mut rand_core::OsRng);
//! let pk = sk.public_key();
//! let statement = SchnorrStatement { public: pk.as_point() };
//! let proof = SchnorrProof::prove(
//!     &mut context.transcript(label::CEREMONY_COMM_KEY),
//!     &statement,
//!     &sk,
//!     &mut rand_core::OsRng,
//! );
//! let bytes = proof.to_bytes();
//! let decoded = SchnorrProof::from_bytes(&bytes).unwrap();
//! assert!(decoded.verify(&mut context.transcript(label::CEREMONY_COMM_KEY), &statement).is_ok());
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

/// Length of an encoded Schnorr proof.
pub const SCHNORR_PROOF_LEN: usize = 64;

/// The public statement: X = x·G.
#[derive(Clone, Copy, Debug)]
pub struct SchnorrStatement<'a> {
    /// X.
    pub public: &'a Point,
}

impl SchnorrStatement<'_> {
    fn append_to(&self, t: &mut Transcript) {
        t.domain_sep(label::SCHNORR);
        t.append_point(b"G", &Point::generator());
        t.append_point(b"X", self.public);
    }
}

/// A Schnorr proof: commitment R and response s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchnorrProof {
    commitment: Point,
    response: Scalar,
}

impl SchnorrProof {
    /// Proves knowledge of `witness` with `statement.public = witness·G`.
    pub fn prove<R: RngCore + CryptoRng>(
        transcript: &mut Transcript,
        statement: &SchnorrStatement<'_>,
        witness: &SecretKey,
        rng: &mut R,
    ) -> Self {
        statement.append_to(transcript);
        let x = witness.as_scalar();
        let mut prover_rng = transcript.prover_rng(&[x], rng);
        let k = random_scalar(&mut prover_rng);
        let commitment = Point::from(RistrettoPoint::mul_base(&k));
        transcript.append_point(b"R", &commitment);
        let c = transcript.challenge(b"c");
        SchnorrProof {
            commitment,
            response: *k + c * x,
        }
    }

    fn equations(
        &self,
        transcript: &mut Transcript,
        statement: &SchnorrStatement<'_>,
        batch: &mut BatchVerifier,
    ) {
        statement.append_to(transcript);
        transcript.append_point(b"R", &self.commitment);
        let c = transcript.challenge(b"c");
        // w·(s·G − R − c·X) = 0
        let w = batch.weight();
        batch.base(w * self.response);
        batch.commitment(w, &self.commitment);
        batch.term(-(w * c), statement.public.element());
    }

    /// Verifies the proof alone.
    pub fn verify(
        &self,
        transcript: &mut Transcript,
        statement: &SchnorrStatement<'_>,
    ) -> Result<()> {
        BatchVerifier::verify_one(ProofKind::Schnorr, |batch| {
            self.equations(transcript, statement, batch);
            Ok(())
        })
    }

    /// Adds the proof's equations to `batch` (to the current item).
    pub fn verify_batched(
        &self,
        transcript: &mut Transcript,
        statement: &SchnorrStatement<'_>,
        batch: &mut BatchVerifier,
    ) {
        self.equations(transcript, statement, batch);
    }

    /// The canonical encoding `R ‖ s`.
    pub fn to_bytes(&self) -> [u8; SCHNORR_PROOF_LEN] {
        let mut out = [0u8; SCHNORR_PROOF_LEN];
        let (r, s) = out.split_at_mut(32);
        r.copy_from_slice(self.commitment.as_bytes());
        s.copy_from_slice(self.response.as_bytes());
        out
    }

    /// Appends the canonical encoding to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_bytes());
    }

    /// Decodes a proof; rejects non-canonical points and scalars and wrong lengths.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Reader::decode_all("Schnorr proof", bytes, Self::read)
    }

    /// Reads a proof from a longer encoding.
    pub fn read(reader: &mut Reader<'_>) -> Result<Self> {
        Ok(SchnorrProof {
            commitment: reader.point("Schnorr commitment R")?,
            response: reader.scalar("Schnorr response s")?,
        })
    }
}

#[cfg(feature = "serde")]
crate::encoding::serde_via_bytes!(SchnorrProof, "Schnorr proof");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::ElectionContext;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn prove_verify_and_bind_context() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let ctx = ElectionContext::new([1; 32]);
        let sk = SecretKey::generate(&mut rng);
        let pk = sk.public_key();
        let st = SchnorrStatement {
            public: pk.as_point(),
        };
        let proof = SchnorrProof::prove(&mut ctx.transcript(label::SCHNORR), &st, &sk, &mut rng);
        assert!(
            proof
                .verify(&mut ctx.transcript(label::SCHNORR), &st)
                .is_ok()
        );
        let other = ElectionContext::new([2; 32]);
        assert!(
            proof
                .verify(&mut other.transcript(label::SCHNORR), &st)
                .is_err()
        );
        let pk2 = SecretKey::generate(&mut rng).public_key();
        let st2 = SchnorrStatement {
            public: pk2.as_point(),
        };
        assert!(
            proof
                .verify(&mut ctx.transcript(label::SCHNORR), &st2)
                .is_err()
        );
        let decoded = SchnorrProof::from_bytes(&proof.to_bytes()).unwrap();
        assert_eq!(decoded, proof);
    }
}
