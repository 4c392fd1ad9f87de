//! Contests, plaintext selections (secret), encrypted ballots and verified ballots.
//!
//! # Contest
//!
//! A [`ContestSpec`] has `options` candidates, a selection range `min..=max`, and optionally
//! an explicit abstention. An encrypted ballot holds one ciphertext per option, and one more
//! for the abstention when the contest has it.
//!
//! # What the proofs show
//!
//! * Each ciphertext encrypts 0 or 1 (a membership proof over {0, 1}).
//! * The *count* `n = Σ optionsⱼ + max·abstain` lies in `min..=max` (a membership proof over
//!   that range, on the homomorphic sum). Without abstention this is the number of selections.
//!   With it, `abstain = 1` forces every option to 0 (else n > max), and `abstain = 0` leaves
//!   the usual range.
//!
//! # Binding
//!
//! Every proof forks from one ballot transcript:
//!
//! ```text
//! ElectionContext::transcript("tabella.ballot")
//! "round" r, "contest" index, "options" k, "min", "max", "abstention" 0|1,
//! "ballot-id" id, "credential" (empty when absent), "C" each ciphertext
//! option j:  dom-sep "tabella.ballot.option", "option" j, then the {0,1} proof
//! count:     dom-sep "tabella.ballot.count", then the min..=max proof
//! ```
//!
//! So a ballot copied into another election, round or contest, under another ballot id or
//! another voter's credential fails its proofs; an exact copy is a duplicate in the box.
//!
//! # Encoding
//!
//! ```text
//! ballot id (32) ‖ credential flag (1: 0 or 1) ‖ [credential (32)]
//! ‖ u32 ciphertext count m ‖ u32 count-proof branches b
//! ‖ m ciphertexts (64 each) ‖ m option proofs (224 each) ‖ count proof (128·b − 32)
//! ```

mod challenge;
mod contest;
mod encrypted;
mod selection;

use core::fmt;

use rand_core::{CryptoRng, RngCore};

use crate::encoding::Hex;
use crate::error::{Error, Result};

pub use challenge::ChallengedBallot;
pub use contest::{BallotContext, ContestSpec};
pub use encrypted::{BatchOutcome, EncryptedBallot, VerifiedBallot};
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

/// A voter credential bound into the ballot's proofs (for example a hash of the voter's
/// public credential); the embedder decides what it is.
pub type Credential = [u8; 32];
