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
//! The ballot states *one slot, or none when `min = 0`*: w′ = w (+ 1 for the blank)
//! statements. How that is proved depends on the shape:
//!
//! * **Packed, one ciphertext, CDS** ([`Layout::Packed`], layout 1): when one chunk holds
//!   every slot and w′ ≤ 3, the ballot is one ciphertext and one disjunctive proof (the
//!   *count proof*) that it encrypts a member of `{B^0, …, B^(w−1)}`, plus 0 for the blank.
//!   Two candidates (with or without the abstention) are 6 or 8 points.
//! * **Packed, one proof** ([`Layout::PackedOneOfMany`], layout 2): otherwise, the chunk
//!   ciphertexts and one one-out-of-many proof ([`crate::proofs::one_of_many`]) that the tuple
//!   encrypts one of the w′ one-hot vectors: slot σ is `B^(σ mod s)` in chunk `⌊σ/s⌋` and 0
//!   elsewhere. The proof carries `4 + 2d` points, whatever w′ (d ≤ 2 digits), instead of two
//!   per branch of every chunk's proof.
//!
//! Packing is chosen automatically: it is used when `max = 1`, a capacity is set and `s ≥ 2`;
//! otherwise the contest is laid out per option. A two-candidate ballot with abstention in a
//! council of 171 is one ciphertext and one three-branch proof (8 points) instead of three
//! ciphertexts, three 0/1 proofs and a count proof (20 points); 20 candidates at N = 10⁶ are
//! ten chunks and one proof of radix 5, two digits (28 points instead of 84).

use zeroize::Zeroizing;

use crate::elgamal::MAX_BOUND;
use crate::error::{Error, Result};
use crate::proofs::one_of_many::{OneHot, Radix};

/// The layout of a contest's ballots. See the [module documentation](self).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// One ciphertext per slot.
    PerOption,
    /// Every slot packed as a base-`base` digit of one ciphertext, with a CDS count proof.
    Packed {
        /// The base B = capacity + 1.
        base: u64,
        /// The slots of the ciphertext (every slot of the contest).
        chunk: usize,
    },
    /// Slots packed as base-`base` digits, `chunk` slots per ciphertext, with one
    /// one-out-of-many proof over all ciphertexts.
    PackedOneOfMany {
        /// The base B = capacity + 1.
        base: u64,
        /// Slots per ciphertext (the last ciphertext may hold fewer).
        chunk: usize,
        /// The proof's radix, fixed by the number of statements.
        radix: Radix,
    },
}

/// `base^exp`, or `None` on overflow.
fn power(base: u64, exp: usize) -> Option<u64> {
    u32::try_from(exp).ok().and_then(|e| base.checked_pow(e))
}

impl Layout {
    /// Chooses the layout of a contest with `slots` slots, between `min` and `max`
    /// selections and an optional capacity (the most ballots its box may hold).
    pub(crate) fn choose(slots: usize, min: u32, max: u32, capacity: Option<u64>) -> Self {
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
        if chunk < 2 {
            return Layout::PerOption;
        }
        let statements = slots + usize::from(min == 0);
        if slots <= chunk && statements <= 3 {
            return Layout::Packed { base, chunk };
        }
        match Radix::for_statements(statements) {
            Some(radix) => Layout::PackedOneOfMany { base, chunk, radix },
            None => Layout::PerOption,
        }
    }

    /// The base and the slots per ciphertext of a packed layout.
    fn packing(&self) -> Option<(u64, usize)> {
        match *self {
            Layout::PerOption => None,
            Layout::Packed { base, chunk } | Layout::PackedOneOfMany { base, chunk, .. } => {
                Some((base, chunk))
            }
        }
    }

    /// The number of ciphertexts of a ballot with `slots` slots.
    pub(crate) fn ciphertexts(&self, slots: usize) -> usize {
        match self.packing() {
            None => slots,
            Some((_, chunk)) => slots.div_ceil(chunk),
        }
    }

    /// The slots held by ciphertext `i`: a range of slot indices.
    fn slots_of(&self, i: usize, slots: usize) -> core::ops::Range<usize> {
        match self.packing() {
            None => i..i + 1,
            Some((_, chunk)) => i * chunk..((i + 1) * chunk).min(slots),
        }
    }

    /// The weight of the i-th slot inside its ciphertext: 1 per option, `B^i` packed.
    fn digit(&self, i: usize) -> u64 {
        match self.packing() {
            None => 1,
            // i < chunk, and B^(chunk−1) ≤ MAX_BOUND by construction.
            Some((base, _)) => power(base, i).unwrap_or(u64::MAX),
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

    /// The set each ciphertext's own proof ranges over, one per ciphertext (per option);
    /// empty when packed (the count proof or the one-out-of-many proof covers the ballot).
    pub(crate) fn ciphertext_sets(&self, slots: usize) -> Vec<Vec<u64>> {
        match self {
            Layout::PerOption => vec![vec![0, 1]; slots],
            Layout::Packed { .. } | Layout::PackedOneOfMany { .. } => Vec::new(),
        }
    }

    /// The statements of a [`Layout::PackedOneOfMany`] ballot's proof: slot σ is `B^(σ mod s)`
    /// in chunk `⌊σ/s⌋`, then the blank ballot when `min = 0`. Empty for the other layouts.
    pub(crate) fn statements(&self, slots: usize, min: u32) -> Vec<OneHot> {
        let Layout::PackedOneOfMany { chunk, .. } = *self else {
            return Vec::new();
        };
        (0..slots)
            .map(|slot| OneHot {
                at: slot / chunk,
                value: self.digit(slot % chunk),
            })
            .chain((min == 0).then_some(OneHot { at: 0, value: 0 }))
            .collect()
    }

    /// The index among [`Layout::statements`] of the 0/1 slot `values` (a valid selection:
    /// one slot, or none), computed without branching on them.
    pub(crate) fn statement_index(values: &[u8]) -> Zeroizing<usize> {
        let mut index = Zeroizing::new(0usize);
        let mut any = Zeroizing::new(0usize);
        for (slot, v) in values.iter().enumerate() {
            let bit = usize::from(v & 1);
            *index = index.wrapping_add(bit.wrapping_mul(slot));
            *any |= bit;
        }
        // None selected: the blank, after the slots.
        *index = index.wrapping_add((1 - *any).wrapping_mul(values.len()));
        index
    }

    /// The weight of ciphertext `i` in the count ciphertext.
    pub(crate) fn count_weight(&self, i: usize, options: usize, max: u32) -> u64 {
        match self {
            Layout::PerOption if i >= options => u64::from(max),
            _ => 1,
        }
    }

    /// The set the count ciphertext must encrypt a member of (empty for layout 2).
    pub(crate) fn count_set(&self, slots: usize, min: u32, max: u32) -> Vec<u64> {
        match self {
            Layout::PerOption => (u64::from(min)..=u64::from(max)).collect(),
            // Layout 2 has no count proof: its one proof covers the ballot.
            Layout::PackedOneOfMany { .. } => Vec::new(),
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
        match self.packing() {
            None => ballots,
            Some((_, chunk)) => {
                ballots.saturating_mul(self.digit(chunk.min(slots).saturating_sub(1)))
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
            match self.packing() {
                None => out.push(value),
                Some((base, _)) => {
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

    /// Appends the layout to a transcript or an encoding: tag (0 per option, 1 packed with a
    /// count proof, 2 packed with one one-out-of-many proof), base and chunk (both 0 per
    /// option). The radix of layout 2 is a function of the contest (§5.5), bound by its proof.
    pub(crate) fn parts(&self) -> (u64, u64, u64) {
        match *self {
            Layout::PerOption => (0, 0, 0),
            Layout::Packed { base, chunk } => (1, base, chunk as u64),
            Layout::PackedOneOfMany { base, chunk, .. } => (2, base, chunk as u64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn council_packs_into_one_ciphertext() {
        let layout = Layout::choose(3, 1, 1, Some(171));
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
        assert_eq!(*layout.plaintexts(&[0, 1, 0]), vec![172]);
        assert_eq!(
            layout.unpack(&[98 + 67 * 172 + 3 * 172 * 172], 3, 168),
            Ok(vec![98, 67, 3])
        );
        // Two candidates, blank allowed: three statements, still CDS.
        assert_eq!(
            Layout::choose(2, 0, 1, Some(171)),
            Layout::Packed {
                base: 172,
                chunk: 2
            }
        );
        // Three slots and the blank: four statements, one proof of radix 4.
        assert_eq!(
            Layout::choose(3, 0, 1, Some(171)),
            Layout::PackedOneOfMany {
                base: 172,
                chunk: 3,
                radix: Radix::for_statements(4).unwrap()
            }
        );
    }

    #[test]
    fn per_option_when_packing_does_not_apply() {
        assert_eq!(Layout::choose(5, 1, 2, Some(100)), Layout::PerOption);
        assert_eq!(Layout::choose(5, 1, 1, None), Layout::PerOption);
        assert_eq!(Layout::choose(5, 1, 1, Some(0)), Layout::PerOption);
        // capacity·B ≤ 2^40 fails: no two slots fit one ciphertext.
        assert_eq!(Layout::choose(5, 1, 1, Some(2_000_000)), Layout::PerOption);
        // Capacity 1 (B = 2): 41 slots a chunk; 100 slots are 3 chunks and one proof (the
        // CDS layout needed fewer chunks than B).
        assert_eq!(
            Layout::choose(100, 1, 1, Some(1)),
            Layout::PackedOneOfMany {
                base: 2,
                chunk: 41,
                radix: Radix::for_statements(100).unwrap()
            }
        );
    }

    #[test]
    fn chunks_statements_and_bounds() {
        // 1,000 voters: B = 1001, 1000·1001^3 ≤ 2^40 < 1000·1001^4, so four slots a chunk.
        let layout = Layout::choose(20, 1, 1, Some(1000));
        assert_eq!(
            layout,
            Layout::PackedOneOfMany {
                base: 1001,
                chunk: 4,
                radix: Radix::for_statements(20).unwrap()
            }
        );
        assert_eq!(layout.ciphertexts(20), 5);
        assert!(layout.ciphertext_sets(20).is_empty());
        assert!(layout.count_set(20, 1, 1).is_empty());
        let statements = layout.statements(20, 1);
        assert_eq!(statements.len(), 20);
        assert_eq!(statements[13], OneHot { at: 3, value: 1001 });
        assert_eq!(
            layout.statements(20, 0).last(),
            Some(&OneHot { at: 0, value: 0 })
        );
        assert!(layout.total_bound(1000, 20) <= MAX_BOUND);
        let mut values = vec![0u8; 20];
        values[13] = 1;
        assert_eq!(*layout.plaintexts(&values), vec![0, 0, 0, 1001, 0]);
        assert_eq!(*Layout::statement_index(&values), 13);
        assert_eq!(*Layout::statement_index(&[0; 20]), 20);
        // A digit above the ballots, or a value past the chunk's digits, is refused.
        assert!(
            layout
                .unpack(&[0, 0, 0, 0, 1001u64.pow(4)], 20, 1000)
                .is_err()
        );
        assert!(layout.unpack(&[0, 0, 0, 0, 11], 20, 10).is_err());
        // One million voters: two slots a ciphertext; two candidates are CDS, five one proof.
        assert_eq!(
            Layout::choose(2, 1, 1, Some(1_000_000)),
            Layout::Packed {
                base: 1_000_001,
                chunk: 2
            }
        );
        assert_eq!(
            Layout::choose(5, 1, 1, Some(1_000_000)),
            Layout::PackedOneOfMany {
                base: 1_000_001,
                chunk: 2,
                radix: Radix::for_statements(5).unwrap()
            }
        );
    }

    #[test]
    fn last_chunk_is_shorter() {
        let layout = Layout::choose(7, 1, 1, Some(1000));
        assert_eq!(layout.ciphertexts(7), 2);
        let mut values = vec![0u8; 7];
        values[6] = 1;
        assert_eq!(*layout.plaintexts(&values), vec![0, 1001 * 1001]);
        assert_eq!(
            layout.statements(7, 1)[6],
            OneHot {
                at: 1,
                value: 1001 * 1001
            }
        );
        assert_eq!(
            layout.unpack(&[1 + 2 * 1001, 3 * 1001 * 1001], 7, 10),
            Ok(vec![1, 2, 0, 0, 0, 0, 3])
        );
    }
}
