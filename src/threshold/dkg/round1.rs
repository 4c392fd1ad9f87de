//! Round 1 of the key ceremony: **Commit**.
//!
//! Trustee i draws its communication key `d_i` (`PK_i = d_i·G`) and its secret polynomial
//! `f_i` with coefficients `a_{i,0..t−1}`, and publishes a [`Package`]:
//!
//! * a hash commitment `h_i` to its Feldman commitments `C_{i,k} = a_{i,k}·G` and a 32-byte
//!   random salt (opened in round 2);
//! * `PK_i` with a Schnorr proof of knowledge of `d_i`.
//!
//! It keeps a [`SecretPackage`] (the key, the polynomial and the salt) for [`super::part2`].
//!
//! # Hash commitment
//!
//! ```text
//! T ← ceremony transcript "tabella.ceremony.commit", sender i
//! T.append_u64("t", t)
//! T.append_message("C", C_{i,k})           for k = 0..t−1
//! T.append_message("salt", salt)
//! h_i = T.challenge_bytes("commitment", 32)
//! ```
//!
//! # Proof of knowledge of the communication key
//!
//! ```text
//! T ← ceremony transcript "tabella.ceremony.comm-key", sender i
//! Schnorr proof of PK_i (dom-sep "tabella.proof.schnorr", G, X = PK_i, R, c)
//! ```
//!
//! where the ceremony transcript for a label L and sender i is the fresh transcript
//! `ceremony.transcript(L)`, `append_message("ceremony", id)`, `append_u64("sender", i)`
//! ([`CeremonyContext`]). Both transcripts are fresh: neither continues another.
//!
//! # Encoding
//!
//! `header (5: "tb" ‖ 0x03 ‖ LE16(3)) ‖ ceremony id (32) ‖ sender (u32) ‖ h_i (32) ‖ PK_i (32)
//! ‖ R (32) ‖ s (32)`: 169 bytes. `PK_i` must not be the identity.

use core::fmt;

use merlin::Transcript;
use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::domain::{ObjectKind, label};
use crate::elgamal::{PublicKey, SecretKey};
use crate::encoding::header::HEADER_LEN;
use crate::encoding::{read_header, write_header};
use crate::error::{CeremonyCheck, Error, Result};
use crate::group::{Point, Reader};
use crate::proofs::{SchnorrProof, SchnorrStatement};
use crate::threshold::dkg::CeremonyContext;
use crate::threshold::params::TrusteeIndex;
use crate::threshold::polynomial::SecretPolynomial;
use crate::transcript::TranscriptExt;

/// Length of an encoded round-1 package.
pub const PACKAGE_LEN: usize = HEADER_LEN + 32 + 4 + 32 + 32 + 64;

/// The hash commitment `h_i` to the coefficient commitments and the salt.
pub(crate) fn commitment_digest(
    ctx: &CeremonyContext,
    sender: TrusteeIndex,
    commitments: &[Point],
    salt: &[u8; 32],
) -> [u8; 32] {
    let mut t = ctx.transcript(label::CEREMONY_COMMIT, sender);
    t.append_count(b"t", commitments.len() as u64);
    for c in commitments {
        t.append_point(b"C", c);
    }
    t.append_message(b"salt", salt);
    let mut out = [0u8; 32];
    t.challenge_bytes(b"commitment", &mut out);
    out
}

fn comm_key_transcript(ctx: &CeremonyContext, sender: TrusteeIndex) -> Transcript {
    ctx.transcript(label::CEREMONY_COMM_KEY, sender)
}

/// Trustee i's round-1 broadcast: its hash commitment and its communication key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Package {
    ceremony: [u8; 32],
    sender: TrusteeIndex,
    commitment: [u8; 32],
    communication_key: PublicKey,
    proof: SchnorrProof,
}

impl Package {
    /// The ceremony this message belongs to ([`CeremonyContext::id`]).
    pub fn ceremony(&self) -> &[u8; 32] {
        &self.ceremony
    }

    /// The trustee that sent it.
    pub fn sender(&self) -> TrusteeIndex {
        self.sender
    }

    /// The hash commitment `h_i`.
    pub fn commitment(&self) -> &[u8; 32] {
        &self.commitment
    }

    /// The communication key `PK_i`, to which the other trustees encrypt i's shares.
    pub fn communication_key(&self) -> &PublicKey {
        &self.communication_key
    }

    /// Checks the message on its own: it belongs to `ctx` ([`Error::WrongCeremony`]), its
    /// sender is in `1..=n` ([`Error::InvalidTrusteeIndex`]), and the proof of knowledge of the
    /// communication key verifies ([`Error::TrusteeRejected`] with
    /// [`CeremonyCheck::CommunicationKeyProof`]).
    pub fn verify(&self, ctx: &CeremonyContext) -> Result<()> {
        ctx.check_header(&self.ceremony, self.sender)?;
        self.verify_proof(ctx)
    }

    pub(crate) fn verify_proof(&self, ctx: &CeremonyContext) -> Result<()> {
        let statement = SchnorrStatement {
            public: self.communication_key.as_point(),
        };
        self.proof
            .verify(&mut comm_key_transcript(ctx, self.sender), &statement)
            .map_err(|_| Error::TrusteeRejected {
                trustee: self.sender.get(),
                check: CeremonyCheck::CommunicationKeyProof,
            })
    }

    /// Appends the canonical encoding.
    pub fn write(&self, out: &mut Vec<u8>) {
        write_header(out, ObjectKind::CeremonyRound1);
        out.extend_from_slice(&self.ceremony);
        self.sender.write(out);
        out.extend_from_slice(&self.commitment);
        out.extend_from_slice(self.communication_key.as_point().as_bytes());
        self.proof.write(out);
    }

    /// The canonical encoding (169 bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(PACKAGE_LEN);
        self.write(&mut out);
        out
    }

    /// Decodes a package; rejects wrong lengths, trailing bytes, index 0, non-canonical points
    /// and scalars, and an identity communication key.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Reader::decode_all("round-1 package", bytes, Self::read)
    }

    /// Reads a package from a longer encoding.
    pub fn read(reader: &mut Reader<'_>) -> Result<Self> {
        read_header(reader, ObjectKind::CeremonyRound1)?;
        Ok(Package {
            ceremony: reader.array("ceremony id")?,
            sender: TrusteeIndex::read(reader, "sender")?,
            commitment: reader.array("hash commitment")?,
            communication_key: PublicKey::from_point(
                reader.point_non_identity("communication key")?,
            )?,
            proof: SchnorrProof::read(reader)?,
        })
    }
}

/// What trustee i keeps after round 1: its communication key, its polynomial and its salt.
///
/// Zeroized on drop, redacted in `Debug`, neither `Clone` nor serializable.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct SecretPackage {
    #[zeroize(skip)]
    pub(crate) ctx: CeremonyContext,
    #[zeroize(skip)]
    pub(crate) index: TrusteeIndex,
    pub(crate) communication_secret: SecretKey,
    pub(crate) polynomial: SecretPolynomial,
    /// Secret until round 2: it keeps the hash commitment hiding.
    pub(crate) salt: [u8; 32],
    #[zeroize(skip)]
    pub(crate) package: Package,
}

impl SecretPackage {
    /// This trustee's index.
    pub fn index(&self) -> TrusteeIndex {
        self.index
    }

    /// The ceremony.
    pub fn context(&self) -> &CeremonyContext {
        &self.ctx
    }

    /// A corrupted trustee's own secrets, for attack tests (feature `test-utils`): its
    /// communication secret `d_i` and its coefficients `a_{i,0..t−1}`, which the coalition it
    /// belongs to holds. Never enable in production.
    #[cfg(feature = "test-utils")]
    #[doc(hidden)]
    pub fn secrets_for_tests_only(&self) -> (SecretKey, Vec<SecretKey>) {
        (
            self.communication_secret.clone(),
            self.polynomial.coefficients().to_vec(),
        )
    }
}

impl fmt::Debug for SecretPackage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("round1::SecretPackage")
            .field("index", &self.index)
            .field("secrets", &format_args!("<redacted>"))
            .finish()
    }
}

/// Round 1 > Commit: draws the communication key, the polynomial and the salt, and makes the
/// broadcast package.
pub(crate) fn commit<R: RngCore + CryptoRng>(
    ctx: &CeremonyContext,
    index: TrusteeIndex,
    rng: &mut R,
) -> Result<(SecretPackage, Package)> {
    ctx.params().check(index)?;
    // Round 1, Step 1 > draw the communication key d_i and prove knowledge of it.
    let communication_secret = SecretKey::generate(rng);
    let communication_key = communication_secret.public_key();
    let proof = SchnorrProof::prove(
        &mut comm_key_transcript(ctx, index),
        &SchnorrStatement {
            public: communication_key.as_point(),
        },
        &communication_secret,
        rng,
    );
    // Round 1, Step 2 > draw f_i with t non-zero coefficients, commit to C_{i,k} = a_{i,k}·G.
    let polynomial = SecretPolynomial::generate(ctx.params().threshold(), rng);
    let mut salt = [0u8; 32];
    rng.fill_bytes(&mut salt);
    let commitment = commitment_digest(ctx, index, &polynomial.commitments(), &salt);
    let package = Package {
        ceremony: *ctx.id(),
        sender: index,
        commitment,
        communication_key,
        proof,
    };
    let secret = SecretPackage {
        ctx: *ctx,
        index,
        communication_secret,
        polynomial,
        salt,
        package: package.clone(),
    };
    Ok((secret, package))
}

#[cfg(feature = "serde")]
crate::encoding::serde_via_bytes!(Package, "round-1 package");
