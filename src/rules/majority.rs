//! A majority rule: comparison, fraction and base.

use core::fmt;

use super::{Fraction, RuleError};

/// How a count is compared with the fraction `p/q` of the base count `V`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Comparison {
    /// `v` meets the rule iff `q·v ≥ p·V` ("at least two-thirds").
    AtLeast,
    /// `v` meets the rule iff `q·v > p·V` ("more than half").
    MoreThan,
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::AtLeast => "at least",
            Self::MoreThan => "more than",
        })
    }
}

/// What the base count `V` of a rule counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Base {
    /// `V` is the number of votes cast for candidates (for a yes/no ballot, yes + no).
    /// Abstentions are excluded. This is "present and voting" in UN and IOM usage.
    PresentAndVoting,
    /// `V` is the number of members eligible to vote, whether or not they voted
    /// (ILO usage).
    Eligible,
}

impl Base {
    /// The base count `V`: `present_and_voting` or `eligible`, as this base says.
    ///
    /// ```
    /// use tabella::rules::Base;
    ///
    /// assert_eq!(Base::PresentAndVoting.count(165, 171), 165);
    /// assert_eq!(Base::Eligible.count(165, 171), 171);
    /// ```
    pub const fn count(self, present_and_voting: u64, eligible: u64) -> u64 {
        match self {
            Self::PresentAndVoting => present_and_voting,
            Self::Eligible => eligible,
        }
    }
}

impl fmt::Display for Base {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::PresentAndVoting => "those present and voting",
            Self::Eligible => "the eligible members",
        })
    }
}

/// A majority rule: a count `v` meets it when it is [`Comparison::AtLeast`] or
/// [`Comparison::MoreThan`] the [`Fraction`] `p/q` of the base count `V`
/// counted as [`Base`] says.
///
/// - `at_least p/q`: `v` meets the rule iff `V > 0` and `q·v ≥ p·V`;
/// - `more_than p/q`: `v` meets the rule iff `V > 0` and `q·v > p·V`.
///
/// `V = 0` (everyone abstained) elects nobody. `more_than 1/1` is rejected, since
/// no count can ever meet it; with that exception and `p ≤ q`, every `V > 0` has a
/// winning count `≤ V` (see [`MajorityRule::required`]).
///
/// ```
/// use tabella::rules::{Base, Comparison, Fraction, MajorityRule};
///
/// // IOM Deputy Director General, 2019: a yes/no confirmation ballot.
/// let rule = MajorityRule::new(Comparison::AtLeast, Fraction::TWO_THIRDS, Base::PresentAndVoting)?;
/// let (yes, no) = (86, 57);
/// assert_eq!(rule.required(yes + no), Some(96));
/// assert!(!rule.is_met(yes, yes + no));
/// assert_eq!(rule.to_string(), "at least 2/3 of those present and voting");
/// # Ok::<(), tabella::rules::RuleError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MajorityRule {
    comparison: Comparison,
    fraction: Fraction,
    base: Base,
}

impl MajorityRule {
    /// An absolute majority of those present and voting: `more_than 1/2`.
    pub const ABSOLUTE_MAJORITY: Self = Self {
        comparison: Comparison::MoreThan,
        fraction: Fraction::HALF,
        base: Base::PresentAndVoting,
    };

    /// Two thirds of those present and voting: `at_least 2/3` (the IOM Council).
    pub const TWO_THIRDS: Self = Self {
        comparison: Comparison::AtLeast,
        fraction: Fraction::TWO_THIRDS,
        base: Base::PresentAndVoting,
    };

    /// The rule "`comparison` `fraction` of `base`".
    ///
    /// # Errors
    ///
    /// [`RuleError::UnattainableRule`] for `more_than 1/1` (`q·v > q·V` needs more
    /// votes than there are).
    pub const fn new(
        comparison: Comparison,
        fraction: Fraction,
        base: Base,
    ) -> Result<Self, RuleError> {
        if matches!(comparison, Comparison::MoreThan) && fraction.is_one() {
            return Err(RuleError::UnattainableRule { fraction });
        }
        Ok(Self {
            comparison,
            fraction,
            base,
        })
    }

    /// How counts are compared.
    pub const fn comparison(&self) -> Comparison {
        self.comparison
    }

    /// The fraction `p/q`.
    pub const fn fraction(&self) -> Fraction {
        self.fraction
    }

    /// What the base count `V` counts.
    pub const fn base(&self) -> Base {
        self.base
    }

    /// Whether `votes` meets the rule when the base count is `v_base`.
    ///
    /// This is exactly the definition: `V > 0` and `q·v ≥ p·V` (or `>`), computed
    /// as `v ≥ required(V)` by the closed form of [`MajorityRule::required`]. It is
    /// tested against the literal definition in [`reference::is_met`](super::reference::is_met).
    /// A count above `V` is inconsistent input; it meets every rule when `V > 0`,
    /// since `p ≤ q` (the [`Standing`](super::Standing) rejects such totals).
    pub fn is_met(&self, votes: u64, v_base: u64) -> bool {
        self.required(v_base)
            .is_some_and(|required| votes >= required)
    }

    /// The smallest count that meets the rule when the base count is `v_base`, or
    /// `None` when `V = 0` (nobody is elected).
    ///
    /// With integers `v`, `V`, `p ≥ 1` and `q ≥ p`:
    ///
    /// - `at_least`: `q·v ≥ p·V ⟺ v ≥ p·V/q ⟺ v ≥ ⌈p·V/q⌉`;
    /// - `more_than`: `q·v > p·V ⟺ v > p·V/q ⟺ v ≥ ⌊p·V/q⌋ + 1`.
    ///
    /// `p·V < 2¹²⁸`, so the products are exact in `u128`. The result is at least 1
    /// (no one wins with no votes) and at most `V`: `⌈p·V/q⌉ ≤ V` as `p ≤ q`, and
    /// `⌊p·V/q⌋ < V` as `p < q` for `more_than`. A result above `V` would also give
    /// `None`, but a validated rule cannot produce one.
    ///
    /// ```
    /// use tabella::rules::{Base, Comparison, Fraction, MajorityRule};
    ///
    /// let majority = MajorityRule::ABSOLUTE_MAJORITY;
    /// assert_eq!(majority.required(4), Some(3)); // 2 of 4 is not more than half
    /// assert_eq!(majority.required(5), Some(3)); // ⌊5/2⌋ + 1, no rounding of 2.5
    /// assert_eq!(majority.required(0), None);
    /// assert_eq!(MajorityRule::TWO_THIRDS.required(3), Some(2));
    /// ```
    pub fn required(&self, v_base: u64) -> Option<u64> {
        required_count(self.comparison, self.fraction, v_base)
    }
}

impl fmt::Display for MajorityRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} of {}", self.comparison, self.fraction, self.base)
    }
}

/// The smallest `v ≤ base` with `q·v ⋈ p·base` (see [`MajorityRule::required`]), or
/// `None` when `base = 0` or no such `v` exists.
pub(super) fn required_count(comparison: Comparison, fraction: Fraction, base: u64) -> Option<u64> {
    if base == 0 {
        return None;
    }
    let p = u128::from(fraction.numerator());
    let q = u128::from(fraction.denominator());
    // p, base < 2^64, so p·base ≤ (2^64 − 1)² < 2^128: no overflow.
    let product = p.checked_mul(u128::from(base))?;
    // q ≥ 1 for a validated fraction, so the division cannot fail.
    let floor = product.checked_div(q)?;
    let required = match comparison {
        // ⌈p·V/q⌉: the floor, plus one unless q divides p·V.
        Comparison::AtLeast if floor.checked_mul(q)? == product => floor,
        Comparison::AtLeast | Comparison::MoreThan => floor.checked_add(1)?,
    };
    u64::try_from(required).ok().filter(|&r| r <= base)
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
mod tests {
    use super::*;

    fn rule(comparison: Comparison, p: u64, q: u64) -> MajorityRule {
        MajorityRule::new(
            comparison,
            Fraction::new(p, q).unwrap(),
            Base::PresentAndVoting,
        )
        .unwrap()
    }

    #[test]
    fn iom_2023_round_1() {
        // Pope 98, Vitorino 67, V = 165: 2/3 · 165 = 110 exactly.
        let r = MajorityRule::TWO_THIRDS;
        assert_eq!(r.required(165), Some(110));
        assert!(!r.is_met(98, 165));
        assert!(!r.is_met(67, 165));
        assert!(r.is_met(110, 165));
        assert!(!r.is_met(109, 165));
    }

    #[test]
    fn iom_2019_confirmation() {
        // 86 yes, 57 no: V = 143, ⌈286/3⌉ = 96.
        let r = MajorityRule::TWO_THIRDS;
        assert_eq!(r.required(86 + 57), Some(96));
        assert!(!r.is_met(86, 143));
        assert!(r.is_met(96, 143));
        assert!(!r.is_met(95, 143));
    }

    #[test]
    fn two_thirds_boundary_is_inclusive() {
        let r = MajorityRule::TWO_THIRDS;
        assert!(r.is_met(2, 3));
        assert!(!r.is_met(1, 3));
        assert_eq!(r.required(3), Some(2));
        // more_than 2/3 excludes the boundary.
        let strict = rule(Comparison::MoreThan, 2, 3);
        assert!(!strict.is_met(2, 3));
        assert_eq!(strict.required(3), Some(3));
    }

    #[test]
    fn half_boundary() {
        let majority = MajorityRule::ABSOLUTE_MAJORITY;
        assert!(!majority.is_met(2, 4));
        assert!(majority.is_met(3, 4));
        assert_eq!(majority.required(4), Some(3));
        assert_eq!(majority.required(5), Some(3));
        assert_eq!(majority.required(1), Some(1));
        let half = rule(Comparison::AtLeast, 1, 2);
        assert!(half.is_met(2, 4));
        assert_eq!(half.required(5), Some(3));
    }

    #[test]
    fn zero_base_elects_nobody() {
        for r in [
            MajorityRule::TWO_THIRDS,
            MajorityRule::ABSOLUTE_MAJORITY,
            rule(Comparison::AtLeast, 1, u64::MAX),
            rule(Comparison::AtLeast, 1, 1),
        ] {
            assert_eq!(r.required(0), None);
            assert!(!r.is_met(0, 0));
            assert!(!r.is_met(u64::MAX, 0));
        }
    }

    #[test]
    fn unanimity() {
        let all = rule(Comparison::AtLeast, 5, 5);
        assert_eq!(all.required(7), Some(7));
        assert!(!all.is_met(6, 7));
        let one = Fraction::new(5, 5).unwrap();
        assert_eq!(
            MajorityRule::new(Comparison::MoreThan, one, Base::Eligible),
            Err(RuleError::UnattainableRule { fraction: one })
        );
    }

    #[test]
    fn no_overflow_at_u64_max() {
        let max = u64::MAX;
        let r = MajorityRule::TWO_THIRDS;
        // u64::MAX = 3·k, so 2/3 of it is exactly 2k.
        assert_eq!(max % 3, 0);
        assert_eq!(r.required(max), Some(max / 3 * 2));
        assert!(r.is_met(max / 3 * 2, max));
        assert!(!r.is_met(max / 3 * 2 - 1, max));
        assert_eq!(
            MajorityRule::ABSOLUTE_MAJORITY.required(max),
            Some(max / 2 + 1)
        );
        let nearly_all = rule(Comparison::MoreThan, max - 1, max);
        assert_eq!(nearly_all.required(max), Some(max));
        let all = rule(Comparison::AtLeast, max, max);
        assert_eq!(all.required(max), Some(max));
        assert_eq!(all.required(1), Some(1));
        let tiny = rule(Comparison::AtLeast, 1, max);
        assert_eq!(tiny.required(max), Some(1));
        assert_eq!(tiny.required(1), Some(1));
        let tiny_strict = rule(Comparison::MoreThan, 1, max);
        assert_eq!(tiny_strict.required(max), Some(2));
    }

    #[test]
    fn display() {
        assert_eq!(
            MajorityRule::ABSOLUTE_MAJORITY.to_string(),
            "more than 1/2 of those present and voting"
        );
        let ilo = MajorityRule::new(Comparison::AtLeast, Fraction::TWO_THIRDS, Base::Eligible);
        assert_eq!(
            ilo.map(|r| r.to_string()),
            Ok("at least 2/3 of the eligible members".to_owned())
        );
    }
}
