//! Threshold parameters, trustee indices and Lagrange coefficients.
//!
//! A t-of-n election has n trustees, numbered 1 to n. Any t of them can decrypt, and no t − 1
//! of them learn anything. The indices are the evaluation points of the sharing polynomials, so
//! index 0 is never a trustee: f(0) *is* the secret.
//!
//! # Encoding
//!
//! A trustee index is a little-endian `u32` in `1..=MAX_TRUSTEES`. Parameters are `t ‖ n`, two
//! little-endian `u32`s.

use core::fmt;
use core::num::NonZeroU32;

use curve25519_dalek::scalar::Scalar;

use crate::error::{Error, Result};
use crate::group::Reader;

/// The largest number of trustees, n. The ceremony sends n·(n − 1) encrypted shares and every
/// trustee checks n Feldman commitments of t points, so n stays small; 255 is far more than any
/// election uses.
pub const MAX_TRUSTEES: u32 = 255;

/// Validated threshold parameters: `1 ≤ t ≤ n ≤` [`MAX_TRUSTEES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ThresholdParams {
    threshold: u32,
    trustees: u32,
}

impl ThresholdParams {
    /// `t`-of-`n` parameters; [`Error::InvalidThreshold`] unless `1 ≤ t ≤ n ≤ MAX_TRUSTEES`.
    pub fn new(threshold: u32, trustees: u32) -> Result<Self> {
        if threshold == 0 || threshold > trustees || trustees > MAX_TRUSTEES {
            return Err(Error::InvalidThreshold {
                threshold,
                trustees,
            });
        }
        Ok(ThresholdParams {
            threshold,
            trustees,
        })
    }

    /// t: how many trustees it takes to decrypt.
    pub fn threshold(&self) -> u32 {
        self.threshold
    }

    /// n: how many trustees there are.
    pub fn trustees(&self) -> u32 {
        self.trustees
    }

    /// The index `i` if it is in `1..=n`; [`Error::InvalidTrusteeIndex`] otherwise.
    pub fn index(&self, i: u32) -> Result<TrusteeIndex> {
        let index = TrusteeIndex::new(i)?;
        self.check(index)?;
        Ok(index)
    }

    /// Checks that `index ≤ n` ([`Error::InvalidTrusteeIndex`] otherwise).
    pub fn check(&self, index: TrusteeIndex) -> Result<()> {
        if index.get() > self.trustees {
            return Err(Error::InvalidTrusteeIndex {
                index: index.get(),
                trustees: self.trustees,
            });
        }
        Ok(())
    }

    /// Every trustee index, 1 to n.
    pub fn indices(&self) -> impl Iterator<Item = TrusteeIndex> + use<> {
        (1..=self.trustees).filter_map(|i| NonZeroU32::new(i).map(TrusteeIndex))
    }

    /// Appends `t ‖ n`.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.threshold.to_le_bytes());
        out.extend_from_slice(&self.trustees.to_le_bytes());
    }

    /// Reads `t ‖ n` and validates them.
    pub fn read(reader: &mut Reader<'_>) -> Result<Self> {
        let threshold = reader.u32("threshold t")?;
        let trustees = reader.u32("trustees n")?;
        Self::new(threshold, trustees)
    }
}

/// A trustee's index: 1-based, never 0 (x = 0 is the secret), at most [`MAX_TRUSTEES`].
///
/// Where the parameters are known, the index is also checked against n
/// ([`ThresholdParams::check`]).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TrusteeIndex(NonZeroU32);

impl TrusteeIndex {
    /// The index `i`; [`Error::InvalidTrusteeIndex`] for 0 and above [`MAX_TRUSTEES`].
    pub fn new(i: u32) -> Result<Self> {
        match NonZeroU32::new(i) {
            Some(nz) if i <= MAX_TRUSTEES => Ok(TrusteeIndex(nz)),
            _ => Err(Error::InvalidTrusteeIndex {
                index: i,
                trustees: MAX_TRUSTEES,
            }),
        }
    }

    /// The index as an integer.
    pub fn get(&self) -> u32 {
        self.0.get()
    }

    /// The index as a scalar: the evaluation point of the sharing polynomials.
    pub(crate) fn scalar(&self) -> Scalar {
        Scalar::from(self.get())
    }

    /// Appends the index as a little-endian `u32`.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.get().to_le_bytes());
    }

    /// Reads an index (a little-endian `u32` in `1..=MAX_TRUSTEES`).
    pub fn read(reader: &mut Reader<'_>, field: &'static str) -> Result<Self> {
        Self::new(reader.u32(field)?)
    }
}

/// Reads a list of entries about other trustees (shares to recipients, complaints against
/// dealers): a `u32` count, then entries whose trustee keys strictly increase and are never
/// `sender`. One canonical order, so one encoding.
pub(crate) fn read_trustee_list<T>(
    reader: &mut Reader<'_>,
    what: &'static str,
    entry_len: usize,
    sender: TrusteeIndex,
    about_self: &'static str,
    key: impl Fn(&T) -> TrusteeIndex,
    mut read: impl FnMut(&mut Reader<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let count = reader.count(what, entry_len)?;
    let mut entries: Vec<T> = Vec::with_capacity(count);
    for _ in 0..count {
        let entry = read(reader)?;
        if key(&entry) == sender {
            return Err(Error::InvalidValue {
                what,
                reason: about_self,
            });
        }
        if entries.last().is_some_and(|p| key(p) >= key(&entry)) {
            return Err(Error::InvalidValue {
                what,
                reason: "trustee indices must be strictly increasing",
            });
        }
        entries.push(entry);
    }
    Ok(entries)
}

impl fmt::Debug for TrusteeIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TrusteeIndex({})", self.get())
    }
}

impl fmt::Display for TrusteeIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.get())
    }
}

impl From<TrusteeIndex> for u32 {
    fn from(index: TrusteeIndex) -> u32 {
        index.get()
    }
}

/// Rejects a repeated index ([`Error::DuplicateTrustee`]).
pub(crate) fn check_distinct(indices: &[TrusteeIndex]) -> Result<()> {
    for (k, a) in indices.iter().enumerate() {
        if indices.iter().skip(k + 1).any(|b| a == b) {
            return Err(Error::DuplicateTrustee { trustee: a.get() });
        }
    }
    Ok(())
}

/// The Lagrange coefficients at `x` for the points `set`:
/// `λᵢ(x) = Π_{j ∈ set, j ≠ i} (x − j) / (i − j)`.
///
/// `set` must hold distinct points (the caller checks); a repeated point would divide by zero,
/// and is reported as [`Error::DuplicateTrustee`] rather than produce a wrong coefficient.
pub(crate) fn lagrange_at(x: Scalar, set: &[TrusteeIndex]) -> Result<Vec<Scalar>> {
    check_distinct(set)?;
    let mut numerators = Vec::with_capacity(set.len());
    let mut denominators = Vec::with_capacity(set.len());
    for i in set {
        let xi = i.scalar();
        let mut num = Scalar::ONE;
        let mut den = Scalar::ONE;
        for j in set.iter().filter(|j| *j != i) {
            let xj = j.scalar();
            num *= x - xj;
            den *= xi - xj;
        }
        numerators.push(num);
        denominators.push(den);
    }
    // Distinct indices below ℓ: no denominator is zero. (dalek's batch inversion panics on a
    // zero input; n is small, so invert one by one.)
    Ok(numerators
        .into_iter()
        .zip(denominators)
        .map(|(n, d)| n * d.invert())
        .collect())
}

/// The Lagrange coefficients at 0 for a set of distinct trustees:
/// `λᵢ = Π_{j ≠ i} j / (j − i)`, so that `f(0) = Σ λᵢ·f(i)` for every polynomial f of degree
/// below `set.len()`.
///
/// The coefficients depend only on the indices, which are public; decryption computes them
/// here and never reads them from a message. [`Error::DuplicateTrustee`] for a repeated index.
pub fn lagrange_at_zero(set: &[TrusteeIndex]) -> Result<Vec<Scalar>> {
    lagrange_at(Scalar::ZERO, set)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx(i: u32) -> TrusteeIndex {
        TrusteeIndex::new(i).unwrap()
    }

    #[test]
    fn params_are_validated() {
        assert!(ThresholdParams::new(1, 1).is_ok());
        assert!(ThresholdParams::new(3, 5).is_ok());
        assert!(ThresholdParams::new(255, 255).is_ok());
        for (t, n) in [(0, 1), (0, 0), (2, 1), (6, 5), (1, 256), (256, 256)] {
            assert_eq!(
                ThresholdParams::new(t, n),
                Err(Error::InvalidThreshold {
                    threshold: t,
                    trustees: n
                })
            );
        }
        let p = ThresholdParams::new(2, 3).unwrap();
        assert_eq!(p.indices().map(|i| i.get()).collect::<Vec<_>>(), [1, 2, 3]);
        let mut bytes = Vec::new();
        p.write(&mut bytes);
        let mut r = Reader::new("params", &bytes);
        assert_eq!(ThresholdParams::read(&mut r).unwrap(), p);
        r.finish().unwrap();
    }

    #[test]
    fn indices_are_nonzero_and_bounded() {
        assert_eq!(
            TrusteeIndex::new(0),
            Err(Error::InvalidTrusteeIndex {
                index: 0,
                trustees: MAX_TRUSTEES
            })
        );
        assert!(TrusteeIndex::new(256).is_err());
        let p = ThresholdParams::new(2, 3).unwrap();
        assert_eq!(p.index(3).unwrap().get(), 3);
        assert_eq!(
            p.index(4),
            Err(Error::InvalidTrusteeIndex {
                index: 4,
                trustees: 3
            })
        );
        assert_eq!(
            p.index(0),
            Err(Error::InvalidTrusteeIndex {
                index: 0,
                trustees: MAX_TRUSTEES
            })
        );
    }

    #[test]
    fn lagrange_interpolates_at_zero() {
        // f(x) = 5 + 3x + 2x²
        let f = |x: u64| Scalar::from(5 + 3 * x + 2 * x * x);
        for set in [[1u32, 2, 3], [2, 5, 7], [7, 1, 4]] {
            let set: Vec<_> = set.iter().map(|&i| idx(i)).collect();
            let l = lagrange_at_zero(&set).unwrap();
            let sum: Scalar = l
                .iter()
                .zip(&set)
                .map(|(l, i)| l * f(u64::from(i.get())))
                .sum();
            assert_eq!(sum, Scalar::from(5u64));
        }
        assert_eq!(
            lagrange_at_zero(&[idx(1), idx(2), idx(1)]),
            Err(Error::DuplicateTrustee { trustee: 1 })
        );
    }
}
