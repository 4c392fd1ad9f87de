//! Small discrete logarithms by baby-step giant-step.
//!
//! To find m ∈ `0..=bound` with M = m·G, write m = i·s + j with `s = ⌈√(bound + 1)⌉` and
//! `0 ≤ j < s`. The table holds the encodings of j·G for every j (baby steps); the search
//! compares M − i·(s·G) against the table for i = 0, 1, … (giant steps).
//!
//! Both phases compress points in batches with one shared inversion: dalek's
//! `double_and_compress_batch` returns the encoding of 2·P, so we walk the halves
//! P = (½)·(j·G) and get j·G with one batched inversion per chunk.
//!
//! The search runs in variable time in m. It is for public values (tally totals) only, which
//! is why its name says `vartime`.

use std::collections::HashMap;

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;

use crate::error::{Error, Result};

/// The largest bound a table may be built for (2^40): larger totals do not occur in elections,
/// and the table for this bound already holds 2^20 entries.
pub const MAX_BOUND: u64 = 1 << 40;

/// Points compressed per batched inversion.
const CHUNK: usize = 512;

/// A reusable table for discrete logarithms in `0..=bound`.
#[derive(Clone)]
pub struct DiscreteLogTable {
    bound: u64,
    /// s: the number of baby steps.
    step: u64,
    /// encoding of j·G → j, for 0 ≤ j < s.
    baby: HashMap<[u8; 32], u32>,
    /// (½)·(s·G): one giant step, halved for the batched compression.
    half_giant: RistrettoPoint,
}

impl core::fmt::Debug for DiscreteLogTable {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DiscreteLogTable")
            .field("bound", &self.bound)
            .field("baby_steps", &self.step)
            .finish_non_exhaustive()
    }
}

fn half() -> Scalar {
    Scalar::from(2u64).invert()
}

/// Encodings of 2·(start + k·step) for k in 0..count, with one inversion per chunk.
fn doubled_encodings(
    start: RistrettoPoint,
    step: RistrettoPoint,
    count: usize,
    mut visit: impl FnMut(usize, [u8; 32]) -> bool,
) {
    let mut current = start;
    let mut chunk = Vec::with_capacity(CHUNK);
    let mut done = 0usize;
    while done < count {
        chunk.clear();
        let take = CHUNK.min(count - done);
        for _ in 0..take {
            chunk.push(current);
            current += step;
        }
        for (k, encoding) in RistrettoPoint::double_and_compress_batch(&chunk)
            .into_iter()
            .enumerate()
        {
            if visit(done + k, encoding.to_bytes()) {
                return;
            }
        }
        done += take;
    }
}

impl DiscreteLogTable {
    /// Builds the table for logarithms in `0..=bound`, `bound ≤` [`MAX_BOUND`].
    pub fn new(bound: u64) -> Result<Self> {
        if bound > MAX_BOUND {
            return Err(Error::InvalidValue {
                what: "discrete log bound",
                reason: "larger than 2^40",
            });
        }
        // s = ⌈√(bound + 1)⌉, so that s² ≥ bound + 1 covers 0..=bound.
        let size = bound + 1;
        let mut step = size.isqrt();
        if step * step < size {
            step += 1;
        }
        let count = usize::try_from(step).map_err(|_| Error::InvalidValue {
            what: "discrete log bound",
            reason: "table does not fit in memory",
        })?;
        let half = half();
        let half_g = RISTRETTO_BASEPOINT_POINT * half;
        let mut baby = HashMap::with_capacity(count);
        doubled_encodings(RistrettoPoint::identity(), half_g, count, |j, enc| {
            // j < step ≤ 2^20 + 1, so it fits in u32.
            baby.insert(enc, u32::try_from(j).unwrap_or(u32::MAX));
            false
        });
        let half_giant = half_g * Scalar::from(step);
        Ok(DiscreteLogTable {
            bound,
            step,
            baby,
            half_giant,
        })
    }

    /// The largest value this table recovers.
    pub fn bound(&self) -> u64 {
        self.bound
    }

    /// Finds m ∈ `0..=bound` with `point = m·G`, or [`Error::DiscreteLogOutOfRange`].
    ///
    /// Variable time in m: for public values only.
    pub fn solve_vartime(&self, point: &RistrettoPoint) -> Result<u64> {
        let giant_steps = self.bound / self.step + 1;
        let count = usize::try_from(giant_steps).unwrap_or(usize::MAX);
        let start = point * half();
        let mut found = None;
        doubled_encodings(start, -self.half_giant, count, |i, enc| {
            if let Some(&j) = self.baby.get(&enc) {
                found = Some((i as u64) * self.step + u64::from(j));
                return true;
            }
            false
        });
        match found {
            Some(m) if m <= self.bound => Ok(m),
            _ => Err(Error::DiscreteLogOutOfRange { bound: self.bound }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(m: u64) -> RistrettoPoint {
        RISTRETTO_BASEPOINT_POINT * Scalar::from(m)
    }

    #[test]
    fn bounds_are_exact() {
        for bound in [0u64, 1, 2, 3, 15, 16, 17, 99, 1000, 4095] {
            let table = DiscreteLogTable::new(bound).unwrap();
            assert_eq!(table.solve_vartime(&g(0)), Ok(0));
            assert_eq!(table.solve_vartime(&g(bound)), Ok(bound));
            assert_eq!(
                table.solve_vartime(&g(bound + 1)),
                Err(Error::DiscreteLogOutOfRange { bound })
            );
            for m in 0..=bound.min(300) {
                assert_eq!(table.solve_vartime(&g(m)), Ok(m));
            }
        }
    }

    #[test]
    fn negative_and_random_points_are_out_of_range() {
        let table = DiscreteLogTable::new(1000).unwrap();
        assert!(table.solve_vartime(&-g(1)).is_err());
        assert!(
            table
                .solve_vartime(&crate::group::hash_to_group(b"x"))
                .is_err()
        );
    }

    #[test]
    fn too_large_bound_is_rejected() {
        assert!(DiscreteLogTable::new(MAX_BOUND + 1).is_err());
    }
}
