//! Disjunctive (Cramer–Damgård–Schoenmakers) proof that a ciphertext encrypts a member of a
//! small public set.
//!
//! # Statement and witness
//!
//! Public: the generator G, the election key Y, a ciphertext (α, β) and a set
//! S = {s₀, …, s_{k−1}} of distinct integers. Witness: the nonce r and the index ℓ* with
//! α = r·G and β = s_ℓ*·G + r·Y. The 0/1 proof of a ballot option is S = {0, 1}, a packed
//! ballot's proofs range over powers of its base (docs/SPEC.md §6.3); the
//! selection-count proof is S = {min, …, max}.
//!
//! # Construction
//!
//! For every branch j the statement is "α = r·G ∧ β − sⱼ·G = r·Y". The true branch is proved
//! honestly, the others are simulated:
//!
//! ```text
//! transcript ← dom-sep "tabella.proof.membership", "G" G, "Y" Y, "C" (α, β),
//!              "k" k, "s" s₀, …, "s" s_{k−1}
//! tⱼ, cⱼ for j = 0 … k−1 ← prover RNG (transcript, witnesses r and m, OS randomness)
//! every branch:     Aⱼ = tⱼ·G,              Bⱼ = tⱼ·Y + cⱼ·(sⱼ − m)·G
//! transcript ← "A" Aⱼ, "B" Bⱼ for j = 0 … k−1
//! c = challenge "c"
//! true branch:      c_ℓ* = c − Σ_{j≠ℓ*} cⱼ
//! every branch:     zⱼ = tⱼ + cⱼ·r
//! ```
//!
//! # Verification equations
//!
//! With c_{k−1} = c − Σ_{j<k−1} cⱼ, for every branch j:
//!
//! ```text
//! zⱼ·G − Aⱼ − cⱼ·α = 0
//! zⱼ·Y − Bⱼ − cⱼ·β + cⱼ·sⱼ·G = 0
//! ```
//!
//! # Encoding
//!
//! `A₀ ‖ B₀ ‖ … ‖ A_{k−1} ‖ B_{k−1} ‖ c₀ ‖ … ‖ c_{k−2} ‖ z₀ ‖ … ‖ z_{k−1}`:
//! `64·k + 32·(k−1) + 32·k` bytes; k is known from the statement. The last challenge is not
//! sent, so every proof has exactly one encoding.
//!
//! # Constant time
//!
//! The true branch's commitment Bⱼ = tⱼ·Y (its cⱼ·(sⱼ − m) is zero) and a simulated branch's
//! Bⱼ = zⱼ·Y − cⱼ·(β − sⱼ·G) with zⱼ = tⱼ + cⱼ·r are the same formula, so the prover runs the
//! same constant-time operations for every branch (two fixed-base and one variable-base
//! multiplication) and only selects the true branch's challenge with `subtle`. Its running
//! time and memory accesses do not depend on which branch is true. It learns only at the end whether the plaintext was in the set at all.
//! Verification is variable time (public data).
//!
//! # Example
//!
//! ```
//! use tabella::domain::label;
//! use tabella::elgamal::SecretKey;
//! use tabella::proofs::{MembershipProof, MembershipStatement};
//! use tabella::transcript::ElectionContext;
//!
//! let mut rng = rand_core::OsRng;
//! let context = ElectionContext::new([7; 32]);
//! let pk = SecretKey::generate(&mut rng).public_key();
//! let (ciphertext, nonce) = pk.encrypt(1, &mut rng);
//! let statement = MembershipStatement { key: &pk, ciphertext: &ciphertext, set: &[0, 1] };
//! let proof = MembershipProof::prove(
//!     &mut context.transcript(label::BALLOT), &statement, 1, &nonce, &mut rng,
//! ).unwrap();
//! let bytes = proof.to_bytes();
//! let decoded = MembershipProof::from_bytes(&bytes, 2).unwrap();
//! assert!(decoded.verify(&mut context.transcript(label::BALLOT), &statement).is_ok());
//! ```

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use merlin::Transcript;
use rand_core::{CryptoRng, RngCore};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroizing;

use crate::domain::label;
use crate::elgamal::{Ciphertext, Nonce, PublicKey};
use crate::error::{Error, ProofKind, Result};
use crate::group::{Point, Reader, half};
use crate::proofs::batch::BatchVerifier;
use crate::transcript::{TranscriptExt, random_scalar};

/// The largest set a membership proof may range over.
pub const MAX_BRANCHES: usize = 1024;

/// The public statement: `ciphertext` encrypts under `key` a member of `set`.
#[derive(Clone, Copy, Debug)]
pub struct MembershipStatement<'a> {
    /// The election key Y.
    pub key: &'a PublicKey,
    /// The ciphertext (α, β).
    pub ciphertext: &'a Ciphertext,
    /// The public set S: distinct values, at least one, at most [`MAX_BRANCHES`].
    pub set: &'a [u64],
}

impl MembershipStatement<'_> {
    fn validate(&self) -> Result<()> {
        if self.set.is_empty() || self.set.len() > MAX_BRANCHES {
            return Err(Error::InvalidValue {
                what: "membership set",
                reason: "must hold between 1 and 1024 values",
            });
        }
        for (i, a) in self.set.iter().enumerate() {
            if self.set.iter().skip(i + 1).any(|b| a == b) {
                return Err(Error::InvalidValue {
                    what: "membership set",
                    reason: "values must be distinct",
                });
            }
        }
        Ok(())
    }

    fn append_to(&self, t: &mut Transcript) {
        t.domain_sep(label::MEMBERSHIP);
        t.append_point(b"G", &Point::generator());
        t.append_point(b"Y", self.key.as_point());
        t.append_ciphertext(b"C", self.ciphertext);
        t.append_count(b"k", self.set.len() as u64);
        for s in self.set {
            t.append_count(b"s", *s);
        }
    }
}

/// One branch of a membership proof. The last branch's `challenge` is always zero: it is
/// implied by the transcript and recomputed at verification.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Branch {
    a: Point,
    b: Point,
    challenge: Scalar,
    response: Scalar,
}

/// A disjunctive membership proof: per branch, commitments (Aⱼ, Bⱼ), challenge cⱼ and
/// response zⱼ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MembershipProof {
    branches: Vec<Branch>,
}

impl MembershipProof {
    /// Proves that `statement.ciphertext = Enc(value; nonce)` with `value ∈ statement.set`.
    ///
    /// Fails with [`Error::InvalidSelection`] when the value is not in the set, and with
    /// [`Error::InvalidValue`] for an invalid set. It does not check that the ciphertext
    /// really encrypts `value` with `nonce`: a wrong witness gives a proof that fails.
    pub fn prove<R: RngCore + CryptoRng>(
        transcript: &mut Transcript,
        statement: &MembershipStatement<'_>,
        value: u64,
        nonce: &Nonce,
        rng: &mut R,
    ) -> Result<Self> {
        statement.validate()?;
        statement.append_to(transcript);
        let r = &nonce.0;
        let m = Zeroizing::new(Scalar::from(value));
        let mut prover_rng = transcript.prover_rng(&[r, &m], rng);

        // Every branch j gets a random tⱼ and cⱼ and commits to
        //   Aⱼ = tⱼ·G,  Bⱼ = tⱼ·Y + cⱼ·(sⱼ − m)·G.
        // For the true branch (sⱼ = m) this is the honest commitment (w = tⱼ). For a simulated
        // branch it equals zⱼ·G − cⱼ·α and zⱼ·Y − cⱼ·(β − sⱼ·G) with zⱼ = tⱼ + cⱼ·r, and
        // (cⱼ, zⱼ) is uniform, exactly as in the textbook simulation. All branches run the same
        // scalar and point operations: nothing depends on which branch is true.
        let mut found = Choice::from(0);
        let mut is_true = Vec::with_capacity(statement.set.len());
        let mut nonces = Zeroizing::new(Vec::with_capacity(statement.set.len()));
        let mut challenges = Vec::with_capacity(statement.set.len());
        // The commitments are computed as halves and encoded in one batch (see
        // `Point::doubled_batch`): ½·Aⱼ = (tⱼ/2)·G, ½·Bⱼ = (tⱼ/2)·Y + (uⱼ/2)·G.
        let half = half();
        let single = statement.set.len() == 1;
        let mut halves = Vec::with_capacity(2 * statement.set.len());
        for s in statement.set {
            let here = s.ct_eq(&value);
            found |= here;
            is_true.push(here);
            let t = random_scalar(&mut prover_rng);
            let c = *random_scalar(&mut prover_rng);
            let t_half = Zeroizing::new(*t * half);
            let u_half = Zeroizing::new(c * (Scalar::from(*s) - *m) * half);
            halves.push(RistrettoPoint::mul_base(&t_half));
            // A one-value set has only the true branch (public), whose uⱼ is zero.
            halves.push(if single {
                statement.key.mul(&t_half)
            } else {
                statement.key.mul(&t_half) + RistrettoPoint::mul_base(&u_half)
            });
            nonces.push(*t);
            challenges.push(c);
        }
        let mut points = Point::doubled_batch(&halves).into_iter();
        let mut branches = Vec::with_capacity(statement.set.len());
        for c in challenges {
            let (Some(a), Some(b)) = (points.next(), points.next()) else {
                return Err(Error::InvalidValue {
                    what: "membership proof",
                    reason: "commitment count mismatch",
                });
            };
            transcript.append_point(b"A", &a);
            transcript.append_point(b"B", &b);
            branches.push(Branch {
                a,
                b,
                challenge: c,
                response: Scalar::ZERO,
            });
        }
        // Only whether the witness is valid at all leaks here, never which branch is true.
        if !bool::from(found) {
            return Err(Error::InvalidSelection {
                reason: "the value is not in the proof's set",
            });
        }
        let c = transcript.challenge(b"c");
        let mut simulated_sum = Scalar::ZERO;
        for (branch, here) in branches.iter().zip(&is_true) {
            simulated_sum += Scalar::conditional_select(&branch.challenge, &Scalar::ZERO, *here);
        }
        let c_true = c - simulated_sum;
        for ((branch, here), t) in branches.iter_mut().zip(&is_true).zip(nonces.iter()) {
            branch.challenge.conditional_assign(&c_true, *here);
            branch.response = t + branch.challenge * r;
        }
        // The last challenge is implied by the others and is not part of the proof.
        if let Some(last) = branches.last_mut() {
            last.challenge = Scalar::ZERO;
        }
        Ok(MembershipProof { branches })
    }

    /// The number of branches (the size of the set).
    pub fn branches(&self) -> usize {
        self.branches.len()
    }

    fn equations(
        &self,
        transcript: &mut Transcript,
        statement: &MembershipStatement<'_>,
        batch: &mut BatchVerifier,
    ) -> Result<()> {
        statement.validate()?;
        if self.branches.len() != statement.set.len() {
            return Err(Error::LengthMismatch {
                what: "membership proof branches",
                expected: statement.set.len(),
                actual: self.branches.len(),
            });
        }
        statement.append_to(transcript);
        for branch in &self.branches {
            transcript.append_point(b"A", &branch.a);
            transcript.append_point(b"B", &branch.b);
        }
        let c = transcript.challenge(b"c");
        // The last challenge is implied: c_{k-1} = c − Σ_{j<k−1} cⱼ.
        let (last, rest) = match self.branches.split_last() {
            Some(split) => split,
            None => {
                return Err(Error::ProofRejected {
                    proof: ProofKind::Membership,
                });
            }
        };
        let implied = c - rest.iter().map(|b| b.challenge).sum::<Scalar>();
        let alpha = statement.ciphertext.alpha().element();
        let beta = statement.ciphertext.beta().element();
        let key = statement.key.as_point();
        let challenges = rest
            .iter()
            .map(|b| b.challenge)
            .chain(core::iter::once(implied));
        let all = rest.iter().chain(core::iter::once(last));
        let mut alpha_coefficient = Scalar::ZERO;
        let mut beta_coefficient = Scalar::ZERO;
        for ((branch, cj), s) in all.zip(challenges).zip(statement.set) {
            // w₁·(zⱼ·G − Aⱼ − cⱼ·α) = 0
            let w1 = batch.weight();
            batch.base(w1 * branch.response);
            batch.commitment(w1, &branch.a);
            alpha_coefficient -= w1 * cj;
            // w₂·(zⱼ·Y − Bⱼ − cⱼ·β + cⱼ·sⱼ·G) = 0
            let w2 = batch.weight();
            batch.base(w2 * cj * Scalar::from(*s));
            batch.shared(w2 * branch.response, key);
            batch.commitment(w2, &branch.b);
            beta_coefficient -= w2 * cj;
        }
        // α and β appear in every branch: one term each.
        batch.term(alpha_coefficient, alpha);
        batch.term(beta_coefficient, beta);
        Ok(())
    }

    /// Verifies the proof alone.
    pub fn verify(
        &self,
        transcript: &mut Transcript,
        statement: &MembershipStatement<'_>,
    ) -> Result<()> {
        BatchVerifier::verify_one(ProofKind::Membership, |batch| {
            self.equations(transcript, statement, batch)
        })
    }

    /// Adds the proof's equations to `batch` (to the current item). A proof whose shape does
    /// not match the statement is rejected at once, and the current item is marked as failed,
    /// so that the batch rejects it even if the error is ignored.
    pub fn verify_batched(
        &self,
        transcript: &mut Transcript,
        statement: &MembershipStatement<'_>,
        batch: &mut BatchVerifier,
    ) -> Result<()> {
        batch.add_or_poison(|batch| self.equations(transcript, statement, batch))
    }

    /// The length of the encoding of a proof with `branches` branches.
    /// Saturates instead of overflowing for absurd branch counts.
    pub const fn encoded_len(branches: usize) -> usize {
        if branches == 0 {
            0
        } else {
            branches.saturating_mul(128).saturating_sub(32)
        }
    }

    /// Appends the canonical encoding to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        for branch in &self.branches {
            out.extend_from_slice(branch.a.as_bytes());
            out.extend_from_slice(branch.b.as_bytes());
        }
        let k = self.branches.len();
        for branch in self.branches.iter().take(k.saturating_sub(1)) {
            out.extend_from_slice(branch.challenge.as_bytes());
        }
        for branch in &self.branches {
            out.extend_from_slice(branch.response.as_bytes());
        }
    }

    /// The canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(Self::encoded_len(self.branches.len()));
        self.write(&mut out);
        out
    }

    /// Decodes a proof with `branches` branches.
    pub fn from_bytes(bytes: &[u8], branches: usize) -> Result<Self> {
        Reader::decode_all("membership proof", bytes, |r| Self::read(r, branches))
    }

    /// Reads a proof with `branches` branches from a longer encoding.
    pub fn read(reader: &mut Reader<'_>, branches: usize) -> Result<Self> {
        if branches == 0 || branches > MAX_BRANCHES {
            return Err(Error::InvalidValue {
                what: "membership proof",
                reason: "must have between 1 and 1024 branches",
            });
        }
        if reader.remaining() < Self::encoded_len(branches) {
            return Err(Error::WrongLength {
                what: "membership proof",
                expected: Self::encoded_len(branches),
                actual: reader.remaining(),
            });
        }
        let mut commitments = Vec::with_capacity(branches);
        for _ in 0..branches {
            let a = reader.point("membership commitment A")?;
            let b = reader.point("membership commitment B")?;
            commitments.push((a, b));
        }
        let mut challenges = Vec::with_capacity(branches);
        for _ in 1..branches {
            challenges.push(reader.scalar("membership challenge c")?);
        }
        // The last challenge is implied by the transcript; it is filled in at verification.
        challenges.push(Scalar::ZERO);
        let mut out = Vec::with_capacity(branches);
        for ((a, b), challenge) in commitments.into_iter().zip(challenges) {
            let response = reader.scalar("membership response z")?;
            out.push(Branch {
                a,
                b,
                challenge,
                response,
            });
        }
        Ok(MembershipProof { branches: out })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::elgamal::SecretKey;
    use crate::transcript::ElectionContext;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn a_lying_prover_fails() {
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        let ctx = ElectionContext::new([4; 32]);
        let pk = SecretKey::generate(&mut rng).public_key();
        let (two, nonce) = pk.encrypt(2, &mut rng);
        let st = MembershipStatement {
            key: &pk,
            ciphertext: &two,
            set: &[0, 1],
        };
        // The value is not in the set: the honest prover refuses.
        assert!(
            MembershipProof::prove(&mut ctx.transcript(label::BALLOT), &st, 2, &nonce, &mut rng)
                .is_err()
        );
        // Claiming 1 for an encryption of 2 gives a proof that does not verify.
        let proof =
            MembershipProof::prove(&mut ctx.transcript(label::BALLOT), &st, 1, &nonce, &mut rng)
                .unwrap();
        assert!(
            proof
                .verify(&mut ctx.transcript(label::BALLOT), &st)
                .is_err()
        );
        // The honest case verifies, alone and in a batch.
        let (one, nonce) = pk.encrypt(1, &mut rng);
        let st = MembershipStatement {
            key: &pk,
            ciphertext: &one,
            set: &[0, 1],
        };
        let proof =
            MembershipProof::prove(&mut ctx.transcript(label::BALLOT), &st, 1, &nonce, &mut rng)
                .unwrap();
        assert!(
            proof
                .verify(&mut ctx.transcript(label::BALLOT), &st)
                .is_ok()
        );
        let decoded = MembershipProof::from_bytes(&proof.to_bytes(), 2).unwrap();
        assert_eq!(decoded, proof);
    }

    #[test]
    fn a_misshapen_proof_fails_its_batch_even_if_the_error_is_ignored() {
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        let ctx = ElectionContext::new([5; 32]);
        let pk = SecretKey::generate(&mut rng).public_key();
        let (one, nonce) = pk.encrypt(1, &mut rng);
        let st = MembershipStatement {
            key: &pk,
            ciphertext: &one,
            set: &[0, 1],
        };
        let proof =
            MembershipProof::prove(&mut ctx.transcript(label::BALLOT), &st, 1, &nonce, &mut rng)
                .unwrap();
        let wider = MembershipStatement {
            set: &[0, 1, 2],
            ..st
        };
        let mut batch = BatchVerifier::new();
        batch.begin_item();
        let ignored = proof.verify_batched(&mut ctx.transcript(label::BALLOT), &wider, &mut batch);
        assert!(ignored.is_err());
        assert_eq!(batch.verify(), Err(Error::BatchRejected { items: vec![0] }));
        assert_eq!(MembershipProof::encoded_len(usize::MAX), usize::MAX - 32);
    }
}
