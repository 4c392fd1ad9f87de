//! The plaintext vote (a secret) and the nonces of its encryption.

use core::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::ContestSpec;
use crate::elgamal::Nonce;
use crate::error::{Error, Result};

/// A plaintext vote: which options are selected, or an abstention. It is a secret: zeroized
/// on drop, never printed, never serialized.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Selection {
    /// One 0/1 value per slot of the contest (options, then abstention).
    values: Vec<u8>,
}

impl Selection {
    /// Selects the options at `chosen` (0-based indices). They must be distinct, and their
    /// number within the contest's `min..=max`.
    pub fn new(contest: &ContestSpec, chosen: &[u32]) -> Result<Self> {
        let mut values = Zeroizing::new(vec![0u8; contest.slots()]);
        for &c in chosen {
            let slot = values
                .get_mut(c as usize)
                .filter(|_| c < contest.options())
                .ok_or(Error::InvalidSelection {
                    reason: "no such option",
                })?;
            if *slot == 1 {
                return Err(Error::InvalidSelection {
                    reason: "an option is selected twice",
                });
            }
            *slot = 1;
        }
        let count = chosen.len() as u64;
        if count < u64::from(contest.min()) || count > u64::from(contest.max()) {
            return Err(Error::InvalidSelection {
                reason: "the number of selections is outside min..=max",
            });
        }
        Ok(Selection {
            values: values.to_vec(),
        })
    }

    /// An explicit abstention; only in a contest that offers it.
    pub fn abstain(contest: &ContestSpec) -> Result<Self> {
        if !contest.has_abstention() {
            return Err(Error::InvalidSelection {
                reason: "the contest has no explicit abstention",
            });
        }
        let mut values = vec![0u8; contest.slots()];
        if let Some(last) = values.last_mut() {
            *last = 1;
        }
        Ok(Selection { values })
    }

    /// Rebuilds a selection from one 0/1 value per slot (used to check an opened ballot), with the same checks as [`Selection::new`] and [`Selection::abstain`].
    pub fn from_values(contest: &ContestSpec, values: &[u8]) -> Result<Self> {
        if values.len() != contest.slots() || values.iter().any(|v| *v > 1) {
            return Err(Error::InvalidSelection {
                reason: "not one 0/1 value per slot of the contest",
            });
        }
        let (options, abstain) = values.split_at(contest.options() as usize);
        if abstain.first() == Some(&1) {
            if options.contains(&1) {
                return Err(Error::InvalidSelection {
                    reason: "an abstention with selections",
                });
            }
            return Self::abstain(contest);
        }
        let chosen: Vec<u32> = (0u32..)
            .zip(options)
            .filter(|(_, v)| **v == 1)
            .map(|(i, _)| i)
            .collect();
        Self::new(contest, &chosen)
    }

    /// The 0/1 value of each slot (options, then abstention).
    pub fn values(&self) -> &[u8] {
        &self.values
    }
}

impl fmt::Debug for Selection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Selection(<redacted>)")
    }
}

/// The nonces of an encrypted ballot, kept by the voter's device. Revealing them is how a
/// challenged (Benaloh) ballot is opened.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct BallotNonces {
    nonces: Vec<Nonce>,
}

impl BallotNonces {
    pub(crate) fn new(nonces: Vec<Nonce>) -> Self {
        BallotNonces { nonces }
    }

    /// The nonce of each ciphertext.
    pub fn nonces(&self) -> &[Nonce] {
        &self.nonces
    }
}

impl fmt::Debug for BallotNonces {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BallotNonces(<redacted>)")
    }
}
