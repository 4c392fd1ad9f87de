//! How a contest's choice is laid out in ciphertexts: one per option, or packed.
//!
//! A contest has `w` *slots*: its options, then the explicit abstention if it has one. A
//! selection gives each slot a 0/1 value.
//!
//! # Per option
//!
//! One ciphertext per slot, each proved to encrypt 0 or 1; the *count*
//! `Σ options + max·abstention` is proved to lie in `min..=max`. Any `min..=max` contest can use
//! it, and it is the only layout when `max > 1` or when the contest has no capacity.
//!
//! # Packed
//!
//! For a one-choice contest (`max = 1`) with a known *capacity* N (the most ballots its box
//! will ever hold), slot j contributes `B^j` with base `B = N + 1`, so one ciphertext holds
//! several slots and its decrypted total is the slot totals as base-B digits: no digit can
//! overflow, because no slot total exceeds N. The slots are cut into chunks of `s` consecutive
//! slots (the last chunk may be shorter), where `s` is the largest value with
//! `N·B^(s−1) ≤ 2^40` (so that every chunk total is within [`MAX_BOUND`]); chunk `c` holds
//! slots `c·s … c·s + s_c − 1`, slot `c·s + i` contributing `B^i`.
//!
//! * With one chunk (`w ≤ s`), the ballot is one ciphertext, proved (the *count proof*) to
//!   encrypt a member of `{B^0, …, B^(w−1)}`, plus 0 when `min = 0` (a blank ballot).
//! * With `C > 1` chunks, each chunk's ciphertext is proved to encrypt a member of
//!   `{0, B^0, …, B^(s_c−1)}`, and the sum of the chunk ciphertexts is proved to encrypt a member
//!   of `{B^0, …, B^(s−1)}` (plus 0 when `min = 0`). The sum of `u ≤ C` powers of B with
//!   `C < B` has base-B digit sum `u` (no carries), so it is a single power only when exactly
//!   one chunk is non-zero: the ballot selects exactly one slot (or none).
//!
//! Packing is chosen automatically: it is used when `max = 1`, a capacity is set, `s ≥ 2`, and
//! (with several chunks) `C < B`; otherwise the contest is laid out per option. A two-candidate
//! ballot with abstention in a council of 171 is one ciphertext and one three-branch proof
//! (8 points) instead of three ciphertexts, three 0/1 proofs and a count proof (20 points).

use zeroize::Zeroizing;

use crate::elgamal::MAX_BOUND;
use crate::error::{Error, Result};

/// The layout of a contest's ballots. See the [module documentation](self).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// One ciphertext per slot.
    PerOption,
    /// Slots packed as base-`base` digits, `chunk` slots per ciphertext.
    Packed {
        /// The base B = capacity + 1.
        base: u64,
        /// Slots per ciphertext (the last ciphertext may hold fewer).
        chunk: usize,
    },
}

/// `base^exp`, or `None` on overflow.
fn power(base: u64, exp: usize) -> Option<u64> {
    u32::try_from(exp).ok().and_then(|e| base.checked_pow(e))
}

impl Layout {
    /// Chooses the layout of a contest with `slots` slots, `max` selections at most and an
    /// optional capacity (the most ballots its box may hold).
    pub(crate) fn choose(slots: usize, max: u32, capacity: Option<u64>) -> Self {
        let Some(capacity) = capacity.filter(|c| *c >= 1 && max == 1) else {
            return Layout::PerOption;
        };
        let Some(base) = capacity.checked_add(1) else {
            return Layout::PerOption;
        };
        // The largest s with capacity·B^(s−1) ≤ MAX_BOUND, at most the number of slots.
        let mut chunk = 1;
        while chunk < slots
            && power(base, chunk)
                .and_then(|p| p.checked_mul(capacity))
                .is_some_and(|top| top <= MAX_BOUND)
        {
            chunk += 1;
        }
        let chunks = slots.div_ceil(chunk) as u64;
        if chunk < 2 || (chunks > 1 && chunks >= base) {
            return Layout::PerOption;
        }
        Layout::Packed { base, chunk }
    }

    /// The number of ciphertexts of a ballot with `slots` slots.
    pub(crate) fn ciphertexts(&self, slots: usize) -> usize {
        match self {
            Layout::PerOption => slots,
            Layout::Packed { chunk, .. } => slots.div_ceil(*chunk),
        }
    }

    /// The slots held by ciphertext `i`: a range of slot indices.
    fn slots_of(&self, i: usize, slots: usize) -> core::ops::Range<usize> {
        match self {
            Layout::PerOption => i..i + 1,
            Layout::Packed { chunk, .. } => i * chunk..((i + 1) * chunk).min(slots),
        }
    }

    /// The weight of the i-th slot inside its ciphertext: 1 per option, `B^i` packed.
    fn digit(&self, i: usize) -> u64 {
        match self {
            Layout::PerOption => 1,
            // i < chunk, and B^(chunk−1) ≤ MAX_BOUND by construction.
            Layout::Packed { base, .. } => power(*base, i).unwrap_or(u64::MAX),
        }
    }

    /// The plaintext of each ciphertext for the 0/1 slot `values`.
    pub(crate) fn plaintexts(&self, values: &[u8]) -> Zeroizing<Vec<u64>> {
        let n = self.ciphertexts(values.len());
        let mut out = Zeroizing::new(Vec::with_capacity(n));
        for c in 0..n {
            let range = self.slots_of(c, values.len());
            let start = range.start;
            let mut m = 0u64;
            for j in range {
                let bit = u64::from(values.get(j).copied().unwrap_or(0) & 1);
                // Branch-free in the secret bit: the sum of bit·digit over the slots.
                m = m.wrapping_add(bit.wrapping_mul(self.digit(j - start)));
            }
            out.push(m);
        }
        out
    }

    /// The set each ciphertext's own proof ranges over, one per ciphertext; empty when the
    /// count proof alone covers the ballot (one packed ciphertext).
    pub(crate) fn ciphertext_sets(&self, slots: usize) -> Vec<Vec<u64>> {
        let n = self.ciphertexts(slots);
        match self {
            Layout::PerOption => vec![vec![0, 1]; n],
            Layout::Packed { .. } if n == 1 => Vec::new(),
            Layout::Packed { .. } => (0..n)
                .map(|c| {
                    let len = self.slots_of(c, slots).len();
                    core::iter::once(0)
                        .chain((0..len).map(|i| self.digit(i)))
                        .collect()
                })
                .collect(),
        }
    }

    /// The weight of ciphertext `i` in the count ciphertext.
    pub(crate) fn count_weight(&self, i: usize, options: usize, max: u32) -> u64 {
        match self {
            Layout::PerOption if i >= options => u64::from(max),
            _ => 1,
        }
    }

    /// The set the count ciphertext must encrypt a member of.
    pub(crate) fn count_set(&self, slots: usize, min: u32, max: u32) -> Vec<u64> {
        match self {
            Layout::PerOption => (u64::from(min)..=u64::from(max)).collect(),
            Layout::Packed { chunk, .. } => {
                let blank = (min == 0).then_some(0);
                blank
                    .into_iter()
                    .chain((0..(*chunk).min(slots)).map(|i| self.digit(i)))
                    .collect()
            }
        }
    }

    /// The largest decrypted value of a tally ciphertext over `ballots` ballots.
    pub(crate) fn total_bound(&self, ballots: u64, slots: usize) -> u64 {
        match self {
            Layout::PerOption => ballots,
            Layout::Packed { chunk, .. } => {
                ballots.saturating_mul(self.digit((*chunk).min(slots).saturating_sub(1)))
            }
        }
    }

    /// Splits the decrypted tally values (one per ciphertext) into one total per slot, and
    /// checks that no slot total exceeds `ballots`.
    pub(crate) fn unpack(&self, values: &[u64], slots: usize, ballots: u64) -> Result<Vec<u64>> {
        let expected = self.ciphertexts(slots);
        if values.len() != expected {
            return Err(Error::LengthMismatch {
                what: "decrypted totals",
                expected,
                actual: values.len(),
            });
        }
        let too_large = || Error::InvalidValue {
            what: "decrypted totals",
            reason: "a total exceeds the number of ballots",
        };
        let mut out = Vec::with_capacity(slots);
        for (c, &value) in values.iter().enumerate() {
            match self {
                Layout::PerOption => out.push(value),
                Layout::Packed { base, .. } => {
                    let mut rest = value;
                    for _ in self.slots_of(c, slots) {
                        out.push(rest % base);
                        rest /= base;
                    }
                    if rest != 0 {
                        return Err(too_large());
                    }
                }
            }
        }
        if out.iter().any(|v| *v > ballots) {
            return Err(too_large());
        }
        Ok(out)
    }

    /// Appends the layout to a transcript or an encoding: tag (0 per option, 1 packed), base
    /// and chunk (both 0 per option).
    pub(crate) fn parts(&self) -> (u64, u64, u64) {
        match self {
            Layout::PerOption => (0, 0, 0),
            Layout::Packed { base, chunk } => (1, *base, *chunk as u64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn council_packs_into_one_ciphertext() {
        let layout = Layout::choose(3, 1, Some(171));
        assert_eq!(
            layout,
            Layout::Packed {
                base: 172,
                chunk: 3
            }
        );
        assert_eq!(layout.ciphertexts(3), 1);
        assert!(layout.ciphertext_sets(3).is_empty());
        assert_eq!(layout.count_set(3, 1, 1), vec![1, 172, 172 * 172]);
        assert_eq!(layout.count_set(3, 0, 1), vec![0, 1, 172, 172 * 172]);
        assert_eq!(*layout.plaintexts(&[0, 1, 0]), vec![172]);
        assert_eq!(
            layout.unpack(&[98 + 67 * 172 + 3 * 172 * 172], 3, 168),
            Ok(vec![98, 67, 3])
        );
    }

    #[test]
    fn per_option_when_packing_does_not_apply() {
        assert_eq!(Layout::choose(5, 2, Some(100)), Layout::PerOption);
        assert_eq!(Layout::choose(5, 1, None), Layout::PerOption);
        assert_eq!(Layout::choose(5, 1, Some(0)), Layout::PerOption);
        // capacity·B ≤ 2^40 fails: no two slots fit one ciphertext.
        assert_eq!(Layout::choose(5, 1, Some(2_000_000)), Layout::PerOption);
        // Capacity 1 (B = 2): one chunk of 41 fits; 100 slots would need 3 chunks ≥ B.
        assert_eq!(
            Layout::choose(41, 1, Some(1)),
            Layout::Packed { base: 2, chunk: 41 }
        );
        assert_eq!(Layout::choose(100, 1, Some(1)), Layout::PerOption);
    }

    #[test]
    fn chunks_and_bounds() {
        // 1,000 voters: B = 1001, 1000·1001^3 ≤ 2^40 < 1000·1001^4, so four slots a chunk.
        let layout = Layout::choose(20, 1, Some(1000));
        assert_eq!(
            layout,
            Layout::Packed {
                base: 1001,
                chunk: 4
            }
        );
        assert_eq!(layout.ciphertexts(20), 5);
        let sets = layout.ciphertext_sets(20);
        assert_eq!(sets.len(), 5);
        assert_eq!(sets[0], vec![0, 1, 1001, 1001 * 1001, 1001 * 1001 * 1001]);
        assert!(layout.total_bound(1000, 20) <= MAX_BOUND);
        let mut values = vec![0u8; 20];
        values[13] = 1;
        assert_eq!(*layout.plaintexts(&values), vec![0, 0, 0, 1001, 0]);
        // A digit above the ballots, or a value past the chunk's digits, is refused.
        assert!(
            layout
                .unpack(&[0, 0, 0, 0, 1001u64.pow(4)], 20, 1000)
                .is_err()
        );
        assert!(layout.unpack(&[0, 0, 0, 0, 11], 20, 10).is_err());
        // One million voters: two slots a ciphertext.
        assert_eq!(
            Layout::choose(2, 1, Some(1_000_000)),
            Layout::Packed {
                base: 1_000_001,
                chunk: 2
            }
        );
    }

    #[test]
    fn last_chunk_is_shorter() {
        let layout = Layout::choose(7, 1, Some(1000));
        assert_eq!(layout.ciphertexts(7), 2);
        let sets = layout.ciphertext_sets(7);
        assert_eq!(sets[1].len(), 4);
        let mut values = vec![0u8; 7];
        values[6] = 1;
        assert_eq!(*layout.plaintexts(&values), vec![0, 1001 * 1001]);
        assert_eq!(
            layout.unpack(&[1 + 2 * 1001, 3 * 1001 * 1001], 7, 10),
            Ok(vec![1, 2, 0, 0, 0, 0, 3])
        );
    }
}
