//! The fraction `p/q` a rule asks for.

use core::fmt;

use super::RuleError;

/// A fraction `p/q` with `0 < p ≤ q`: the share of the base count a rule asks for.
///
/// - `q = 0` is not a fraction.
/// - `p = 0` is rejected: `at_least 0/q` would elect a candidate with no votes,
///   and a plurality is not a majority rule.
/// - `p > q` is rejected: no count can ever reach more than all of `V`.
///
/// The fraction is kept exactly as written (it is not reduced), so that a record
/// shows the rule as the manifest stated it. Equality is therefore structural:
/// `2/3` and `4/6` are different values, although they define the same rule.
///
/// ```
/// use tabella::rules::Fraction;
///
/// let two_thirds = Fraction::new(2, 3)?;
/// assert_eq!((two_thirds.numerator(), two_thirds.denominator()), (2, 3));
/// assert_eq!(two_thirds, Fraction::TWO_THIRDS);
/// assert!(Fraction::new(0, 3).is_err());
/// assert!(Fraction::new(4, 3).is_err());
/// # Ok::<(), tabella::rules::RuleError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fraction {
    numerator: u64,
    denominator: u64,
}

impl Fraction {
    /// One half, `1/2`.
    pub const HALF: Self = Self {
        numerator: 1,
        denominator: 2,
    };

    /// Two thirds, `2/3`.
    pub const TWO_THIRDS: Self = Self {
        numerator: 2,
        denominator: 3,
    };

    /// The fraction `numerator/denominator`.
    ///
    /// # Errors
    ///
    /// [`RuleError::InvalidFraction`] unless `0 < numerator ≤ denominator`.
    pub const fn new(numerator: u64, denominator: u64) -> Result<Self, RuleError> {
        if numerator == 0 || numerator > denominator {
            // `denominator == 0` is caught here too, since then `numerator > 0 = denominator`
            // or `numerator == 0`.
            return Err(RuleError::InvalidFraction {
                numerator,
                denominator,
            });
        }
        Ok(Self {
            numerator,
            denominator,
        })
    }

    /// The numerator `p`, at least 1.
    pub const fn numerator(self) -> u64 {
        self.numerator
    }

    /// The denominator `q`, at least `p`.
    pub const fn denominator(self) -> u64 {
        self.denominator
    }

    /// Whether the fraction is exactly 1 (`p = q`).
    pub const fn is_one(self) -> bool {
        self.numerator == self.denominator
    }
}

impl fmt::Display for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.numerator, self.denominator)
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
mod tests {
    use super::*;

    #[test]
    fn accepts_exactly_zero_below_p_at_most_q() {
        assert!(Fraction::new(1, 1).is_ok());
        assert!(Fraction::new(1, 2).is_ok());
        assert!(Fraction::new(u64::MAX, u64::MAX).is_ok());
        assert!(Fraction::new(1, u64::MAX).is_ok());
        for (p, q) in [(0, 0), (1, 0), (0, 1), (3, 2), (u64::MAX, 1)] {
            assert_eq!(
                Fraction::new(p, q),
                Err(RuleError::InvalidFraction {
                    numerator: p,
                    denominator: q
                })
            );
        }
    }

    #[test]
    fn kept_as_written() {
        assert_eq!(Fraction::new(1, 2), Ok(Fraction::HALF));
        assert_ne!(Fraction::new(2, 4), Ok(Fraction::HALF));
        assert_eq!(Fraction::TWO_THIRDS.to_string(), "2/3");
        assert!(Fraction::new(7, 7).is_ok_and(Fraction::is_one));
    }
}
