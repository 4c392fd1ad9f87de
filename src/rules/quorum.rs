//! The quorum: enough members present for a ballot to count.

use super::majority::required_count;
use super::{Comparison, Fraction, RuleError};

/// A quorum: a ballot is valid only if enough of all `members` are present.
///
/// A member is present when they cast a ballot, abstentions included. The quorum
/// is met iff `q·present ⋈ p·members`, with `⋈` the [`Comparison`] (`≥` or `>`).
/// The IOM Constitution, Art. 24(3): "a majority of the members of the Council
/// shall constitute a quorum", that is
/// [`Quorum::majority_of`] the members:
/// more than half of all members, whether or not they are eligible to vote.
///
/// ```
/// use tabella::rules::Quorum;
///
/// let quorum = Quorum::majority_of(175)?;
/// assert_eq!(quorum.required(), 88);
/// assert!(quorum.is_met(165));
/// assert!(!quorum.is_met(87));
/// # Ok::<(), tabella::rules::RuleError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Quorum {
    comparison: Comparison,
    fraction: Fraction,
    members: u64,
    /// The smallest number present that meets the quorum, `1 ≤ required ≤ members`.
    required: u64,
}

impl Quorum {
    /// The quorum "`comparison` `fraction` of `members`".
    ///
    /// # Errors
    ///
    /// - [`RuleError::NoMembers`] when `members = 0`;
    /// - [`RuleError::UnattainableRule`] for `more_than 1/1`.
    pub fn new(
        comparison: Comparison,
        fraction: Fraction,
        members: u64,
    ) -> Result<Self, RuleError> {
        if members == 0 {
            return Err(RuleError::NoMembers);
        }
        let required = required_count(comparison, fraction, members)
            .ok_or(RuleError::UnattainableRule { fraction })?;
        Ok(Self {
            comparison,
            fraction,
            members,
            required,
        })
    }

    /// A majority of the members: more than half must be present.
    ///
    /// # Errors
    ///
    /// [`RuleError::NoMembers`] when `members = 0`.
    pub fn majority_of(members: u64) -> Result<Self, RuleError> {
        Self::new(Comparison::MoreThan, Fraction::HALF, members)
    }

    /// How the number present is compared.
    pub const fn comparison(&self) -> Comparison {
        self.comparison
    }

    /// The fraction `p/q` of the members.
    pub const fn fraction(&self) -> Fraction {
        self.fraction
    }

    /// All members, eligible to vote or not.
    pub const fn members(&self) -> u64 {
        self.members
    }

    /// The smallest number of members present that meets the quorum:
    /// `⌈p·members/q⌉` or `⌊p·members/q⌋ + 1`, as for [`MajorityRule::required`](super::MajorityRule::required).
    pub const fn required(&self) -> u64 {
        self.required
    }

    /// Whether `present` members (ballots cast, abstentions included) meet the quorum.
    pub const fn is_met(&self, present: u64) -> bool {
        present >= self.required
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
    fn majority_of_members() {
        let odd = Quorum::majority_of(175).unwrap();
        assert_eq!(odd.required(), 88);
        assert!(odd.is_met(88) && !odd.is_met(87));
        let even = Quorum::majority_of(4).unwrap();
        assert_eq!(even.required(), 3);
        assert!(!even.is_met(2));
        let one = Quorum::majority_of(1).unwrap();
        assert!(one.is_met(1) && !one.is_met(0));
        let max = Quorum::majority_of(u64::MAX).unwrap();
        assert_eq!(max.required(), u64::MAX / 2 + 1);
        assert_eq!(max.members(), u64::MAX);
    }

    #[test]
    fn rejects_invalid_quorums() {
        assert_eq!(Quorum::majority_of(0), Err(RuleError::NoMembers));
        let one = Fraction::new(1, 1).unwrap();
        assert_eq!(
            Quorum::new(Comparison::MoreThan, one, 10),
            Err(RuleError::UnattainableRule { fraction: one })
        );
        let everyone = Quorum::new(Comparison::AtLeast, one, 10).unwrap();
        assert_eq!(everyone.required(), 10);
    }
}
