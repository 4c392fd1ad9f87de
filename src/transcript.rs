//! Transcripts: [`ElectionContext`] makes every root transcript, [`TranscriptExt`] appends
//! protocol values to it.
//!
//! merlin's documentation is explicit that `Transcript::new` belongs to the application, not to
//! the proof. In tabella the application is the election: every root transcript starts from an
//! [`ElectionContext`], which binds the protocol identifier, the protocol version and the
//! election fingerprint before anything else. Proofs only ever take `&mut Transcript`.
//!
//! # Root transcript
//!
//! ```text
//! Transcript::new("tabella/v4")
//! append_u64("version", PROTOCOL_VERSION)
//! append_message("fingerprint", fingerprint)      32 bytes
//! append_message("dom-sep", label)                the artifact's domain label
//! ```
//!
//! # Challenges and nonces
//!
//! A challenge is 64 bytes of transcript output reduced mod ℓ ([`TranscriptExt::challenge`]).
//! Prover nonces come from merlin's transcript RNG, rekeyed with every witness and then with
//! 32 bytes from the caller's CSPRNG ([`TranscriptExt::prover_rng`]): a weak system RNG alone
//! cannot make two proofs share a nonce, and a fixed witness cannot either.

use curve25519_dalek::scalar::Scalar;
use merlin::{Transcript, TranscriptRng};
use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroizing;

use crate::domain::{PROTOCOL_ID, PROTOCOL_VERSION};
use crate::elgamal::Ciphertext;
use crate::encoding::Hex;
use crate::group::Point;

/// Length of an election fingerprint.
pub const FINGERPRINT_LEN: usize = 32;

/// The election every transcript belongs to, identified by its fingerprint.
///
/// The fingerprint is a hash of the protocol identifier, the manifest, the joint key and the
/// trustees' public data (computed by the election layer); here it is opaque bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ElectionContext {
    fingerprint: [u8; FINGERPRINT_LEN],
}

impl ElectionContext {
    /// The context of the election with this fingerprint.
    pub const fn new(fingerprint: [u8; FINGERPRINT_LEN]) -> Self {
        ElectionContext { fingerprint }
    }

    /// Decodes a context from its 32-byte fingerprint.
    pub fn from_bytes(bytes: &[u8]) -> crate::error::Result<Self> {
        let fingerprint = bytes
            .try_into()
            .map_err(|_| crate::error::Error::WrongLength {
                what: "election fingerprint",
                expected: FINGERPRINT_LEN,
                actual: bytes.len(),
            })?;
        Ok(ElectionContext { fingerprint })
    }

    /// The fingerprint bytes.
    pub const fn to_bytes(&self) -> [u8; FINGERPRINT_LEN] {
        self.fingerprint
    }

    /// The election fingerprint.
    pub const fn fingerprint(&self) -> &[u8; FINGERPRINT_LEN] {
        &self.fingerprint
    }

    /// A root transcript for the artifact with domain label `domain` (from
    /// [`crate::domain::label`]).
    pub fn transcript(&self, domain: &'static [u8]) -> Transcript {
        let mut t = Transcript::new(PROTOCOL_ID);
        t.append_u64(b"version", u64::from(PROTOCOL_VERSION));
        t.append_message(b"fingerprint", &self.fingerprint);
        t.append_message(b"dom-sep", domain);
        t
    }
}

impl core::fmt::Debug for ElectionContext {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "ElectionContext({})", Hex(&self.fingerprint))
    }
}

#[cfg(feature = "serde")]
crate::encoding::serde_via_bytes!(ElectionContext, "election fingerprint");

/// Appends protocol values to a merlin transcript.
pub trait TranscriptExt {
    /// Appends a domain separator for a sub-protocol.
    fn domain_sep(&mut self, domain: &'static [u8]);
    /// Appends a point by its canonical encoding.
    fn append_point(&mut self, label: &'static [u8], point: &Point);
    /// Appends a scalar by its canonical encoding.
    fn append_scalar(&mut self, label: &'static [u8], scalar: &Scalar);
    /// Appends a ciphertext: `alpha` then `beta`, each by its canonical encoding.
    fn append_ciphertext(&mut self, label: &'static [u8], ciphertext: &Ciphertext);
    /// Appends a count or index as a little-endian `u64`.
    fn append_count(&mut self, label: &'static [u8], count: u64);
    /// A challenge: 64 bytes of output reduced mod ℓ.
    fn challenge(&mut self, label: &'static [u8]) -> Scalar;
    /// A nonce generator for a prover: the transcript RNG rekeyed with each witness and then
    /// with the caller's CSPRNG.
    fn prover_rng<R: RngCore + CryptoRng>(
        &self,
        witnesses: &[&Scalar],
        rng: &mut R,
    ) -> TranscriptRng;
}

impl TranscriptExt for Transcript {
    fn domain_sep(&mut self, domain: &'static [u8]) {
        self.append_message(b"dom-sep", domain);
    }

    fn append_point(&mut self, label: &'static [u8], point: &Point) {
        self.append_message(label, point.as_bytes());
    }

    fn append_scalar(&mut self, label: &'static [u8], scalar: &Scalar) {
        self.append_message(label, scalar.as_bytes());
    }

    fn append_ciphertext(&mut self, label: &'static [u8], ciphertext: &Ciphertext) {
        self.append_message(label, b"ciphertext");
        self.append_point(b"alpha", ciphertext.alpha());
        self.append_point(b"beta", ciphertext.beta());
    }

    fn append_count(&mut self, label: &'static [u8], count: u64) {
        self.append_u64(label, count);
    }

    fn challenge(&mut self, label: &'static [u8]) -> Scalar {
        let mut bytes = [0u8; 64];
        self.challenge_bytes(label, &mut bytes);
        Scalar::from_bytes_mod_order_wide(&bytes)
    }

    fn prover_rng<R: RngCore + CryptoRng>(
        &self,
        witnesses: &[&Scalar],
        rng: &mut R,
    ) -> TranscriptRng {
        let mut builder = self.build_rng();
        for witness in witnesses {
            builder = builder.rekey_with_witness_bytes(b"witness", witness.as_bytes());
        }
        builder.finalize(rng)
    }
}

/// Draws a uniformly random scalar (64 bytes reduced mod ℓ), zeroized when dropped.
pub(crate) fn random_scalar<R: RngCore + CryptoRng>(rng: &mut R) -> Zeroizing<Scalar> {
    let mut bytes = Zeroizing::new([0u8; 64]);
    rng.fill_bytes(bytes.as_mut());
    Zeroizing::new(Scalar::from_bytes_mod_order_wide(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::label;

    #[test]
    fn root_transcripts_bind_the_fingerprint_and_domain() {
        let a = ElectionContext::new([1; 32]);
        let b = ElectionContext::new([2; 32]);
        let ca = a.transcript(label::BALLOT).challenge(b"c");
        assert_eq!(ca, a.transcript(label::BALLOT).challenge(b"c"));
        assert_ne!(ca, b.transcript(label::BALLOT).challenge(b"c"));
        assert_ne!(ca, a.transcript(label::SCHNORR).challenge(b"c"));
    }

    #[test]
    fn prover_rng_depends_on_witness_and_randomness() {
        use rand_chacha::ChaCha20Rng;
        use rand_core::SeedableRng;
        let t = ElectionContext::new([0; 32]).transcript(label::SCHNORR);
        let w1 = Scalar::from(1u64);
        let w2 = Scalar::from(2u64);
        let draw = |w: &Scalar, seed: u64| {
            let mut rng = ChaCha20Rng::seed_from_u64(seed);
            let mut trng = t.prover_rng(&[w], &mut rng);
            *random_scalar(&mut trng)
        };
        assert_eq!(draw(&w1, 1), draw(&w1, 1));
        assert_ne!(draw(&w1, 1), draw(&w2, 1));
        assert_ne!(draw(&w1, 1), draw(&w1, 2));
    }
}
