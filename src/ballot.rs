//! Contests, plaintext selections (secret), encrypted ballots and verified ballots.
//!
//! # Contest
//!
//! A [`ContestSpec`] has `options` candidates, a selection range `min..=max`, optionally an
//! explicit abstention, and optionally the capacity of its box. Its *slots* are the options,
//! then the abstention. Its [`Layout`] puts the slots into ciphertexts: one per slot, or,
//! for a one-choice contest with a capacity, packed as base-(capacity + 1) digits, several
//! slots per ciphertext (see [`layout`]).
//!
//! # What the proofs show
//!
//! * Per option, each ciphertext encrypts 0 or 1, and the *count* ciphertext (a weighted
//!   homomorphic sum) encrypts `Σ options + max·abstain ∈ min..=max` (with abstention,
//!   `abstain = 1` forces every option to 0).
//! * Packed in one ciphertext with at most three statements (layout 1), the count proof shows
//!   it encrypts a single power of the base (exactly one slot), or 0 when `min = 0`.
//! * Otherwise packed (layout 2), one one-out-of-many proof
//!   ([`crate::proofs::one_of_many`]) shows the chunk ciphertexts together encrypt exactly one
//!   slot's power of the base in its chunk and 0 in every other, or all 0 when `min = 0`.
//!
//! # Binding
//!
//! Every proof forks from one ballot transcript:
//!
//! ```text
//! ElectionContext::transcript("tabella.ballot")
//! "round" r, "contest" index, "options" k, "min", "max", "abstention" 0|1,
//! "capacity" N (0: none), "layout" 0|1|2, "base" B, "chunk" s,
//! "ballot-id" id, "credential" S (empty when absent), "C" each ciphertext
//! ciphertext j: dom-sep "tabella.ballot.option", "option" j, then its membership proof
//! count:        dom-sep "tabella.ballot.count", then the count proof (layouts 0, 1) or the
//!               one-out-of-many proof (layout 2)
//! ```
//!
//! So a ballot copied into another election, round or contest, under another ballot id or
//! another voter's credential fails its proofs; an exact copy is a duplicate in the box.
//!
//! In an election with a roll ([`crate::credential`]), the ballot also carries its public
//! credential S and a Schnorr signature under it over its whole encoding up to the
//! signature, bound to the election, round and contest (docs/SPEC.md §16.3):
//!
//! ```text
//! ElectionContext::transcript("tabella.ballot.signature")
//! "round" r, the contest as above, "credential" S, "ballot" the encoding up to the signature
//! then a Schnorr proof (§5.1) with X = S
//! ```
//!
//! # Encoding
//!
//! ```text
//! ballot id (32) ‖ credential flag (1: 0 or 1) ‖ [credential S (32)]
//! ‖ u32 m ‖ m ciphertexts (64 each)
//! ‖ proof form (1: 0 or 1)
//! form 0:
//! ‖ u32 p ‖ p × (u32 branches b ‖ membership proof (128·b − 32))   ciphertext proofs
//! ‖ u32 b ‖ membership proof (128·b − 32)                          count proof
//! form 1:
//! ‖ u32 e ‖ u32 d ‖ one-out-of-many proof (32·(4 + 2d + d(e − 1) + 3))
//! ‖ [signature R ‖ s (64)]                                         iff the flag is 1
//! ```

mod challenge;
mod contest;
mod encrypted;
pub mod layout;
mod selection;

use core::fmt;

use rand_core::{CryptoRng, RngCore};

use crate::encoding::Hex;
use crate::error::{Error, Result};

pub use challenge::ChallengedBallot;
pub use contest::{BallotContext, ContestSpec};
pub use encrypted::{BatchOutcome, EncryptedBallot, VerifiedBallot};
pub use layout::Layout;
pub use selection::{BallotNonces, Selection};

/// The largest number of options in a contest.
pub const MAX_OPTIONS: usize = 1024;

/// A ballot id: 32 random bytes chosen by the voter's device.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BallotId(pub [u8; 32]);

impl BallotId {
    /// Decodes a ballot id (32 bytes).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        bytes
            .try_into()
            .map(BallotId)
            .map_err(|_| Error::WrongLength {
                what: "ballot id",
                expected: 32,
                actual: bytes.len(),
            })
    }

    /// The 32 bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0
    }

    /// A fresh random ballot id.
    pub fn random<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        let mut id = [0u8; 32];
        rng.fill_bytes(&mut id);
        BallotId(id)
    }
}

impl fmt::Display for BallotId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", Hex(&self.0))
    }
}

impl fmt::Debug for BallotId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BallotId({self})")
    }
}

#[cfg(feature = "serde")]
crate::encoding::serde_via_bytes!(BallotId, "ballot id");
