//! A deliberately naive reference implementation, for use as a test oracle.
//!
//! These functions follow the definitions word for word, with no closed forms and
//! no cleverness, so that the engine's formulas can be checked against them by
//! tests and fuzz targets. They are not meant for production use:
//! [`required`] scans every count from 0 to `V` and takes time linear in `V`.
//!
//! ```
//! use tabella::rules::{reference, MajorityRule};
//!
//! let rule = MajorityRule::TWO_THIRDS;
//! for v_base in 0..200 {
//!     assert_eq!(reference::required(&rule, v_base), rule.required(v_base));
//! }
//! ```

use super::{Comparison, MajorityRule, Quorum};

/// `V > 0` and `q·v ≥ p·V` (`at_least`) or `q·v > p·V` (`more_than`), computed
/// literally in `u128`.
pub fn is_met(rule: &MajorityRule, votes: u64, v_base: u64) -> bool {
    v_base > 0
        && compare(
            rule.comparison(),
            rule.fraction().numerator(),
            rule.fraction().denominator(),
            votes,
            v_base,
        )
}

/// The smallest `v` in `0..=V` for which [`is_met`] holds, found by trying
/// each in turn; `None` if there is none. Takes time linear in `V`: use small `V`.
pub fn required(rule: &MajorityRule, v_base: u64) -> Option<u64> {
    (0..=v_base).find(|&votes| is_met(rule, votes, v_base))
}

/// `q·present ≥ p·members` (or `>`), computed literally in `u128`.
pub fn quorum_is_met(quorum: &Quorum, present: u64) -> bool {
    compare(
        quorum.comparison(),
        quorum.fraction().numerator(),
        quorum.fraction().denominator(),
        present,
        quorum.members(),
    )
}

/// `q·v ⋈ p·V` in `u128`, where the products of two `u64` cannot overflow.
#[allow(clippy::arithmetic_side_effects)] // (2^64 − 1)² < 2^128.
fn compare(comparison: Comparison, p: u64, q: u64, v: u64, v_base: u64) -> bool {
    let lhs = u128::from(q) * u128::from(v);
    let rhs = u128::from(p) * u128::from(v_base);
    match comparison {
        Comparison::AtLeast => lhs >= rhs,
        Comparison::MoreThan => lhs > rhs,
    }
}
