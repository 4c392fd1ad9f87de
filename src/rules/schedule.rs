//! Rules that change by round.

use super::{MajorityRule, RuleError};

/// The majority rule of each round: entries `(from_round, rule)`, where a later
/// `from_round` replaces the earlier rule from that round on.
///
/// Rounds are numbered from 1. A valid schedule is non-empty, its first entry
/// applies from round 1, and its `from_round`s strictly increase, so every round
/// has exactly one rule.
///
/// ```
/// use tabella::rules::{MajorityRule, RuleSchedule};
///
/// // WHO 2017: two-thirds in rounds 1 and 2, then a simple majority.
/// let who = RuleSchedule::new([(1, MajorityRule::TWO_THIRDS), (3, MajorityRule::ABSOLUTE_MAJORITY)])?;
/// assert_eq!(who.rule_for(2), &MajorityRule::TWO_THIRDS);
/// assert_eq!(who.rule_for(3), &MajorityRule::ABSOLUTE_MAJORITY);
/// assert_eq!(who.rule_for(40), &MajorityRule::ABSOLUTE_MAJORITY);
/// # Ok::<(), tabella::rules::RuleError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RuleSchedule {
    /// The rule from round 1. Kept apart so that a schedule is never empty.
    first: MajorityRule,
    /// The later entries, with strictly increasing `from_round > 1`.
    later: Vec<(u32, MajorityRule)>,
}

impl RuleSchedule {
    /// The schedule with one rule for every round.
    pub const fn single(rule: MajorityRule) -> Self {
        Self {
            first: rule,
            later: Vec::new(),
        }
    }

    /// The schedule of `entries`, given as `(from_round, rule)` in order.
    ///
    /// # Errors
    ///
    /// - [`RuleError::EmptySchedule`] when there are no entries;
    /// - [`RuleError::ScheduleStartsLate`] when the first entry is not from round 1;
    /// - [`RuleError::ScheduleNotIncreasing`] when a `from_round` is not greater
    ///   than the one before it.
    pub fn new(entries: impl IntoIterator<Item = (u32, MajorityRule)>) -> Result<Self, RuleError> {
        let mut entries = entries.into_iter();
        let (from_round, first) = entries.next().ok_or(RuleError::EmptySchedule)?;
        if from_round != 1 {
            return Err(RuleError::ScheduleStartsLate { from_round });
        }
        let mut previous = from_round;
        let mut later = Vec::new();
        for (next, rule) in entries {
            if next <= previous {
                return Err(RuleError::ScheduleNotIncreasing { previous, next });
            }
            later.push((next, rule));
            previous = next;
        }
        Ok(Self { first, later })
    }

    /// The rule of round `round` (1-based): the entry with the greatest
    /// `from_round ≤ round`. There is no round 0; it gets the rule of round 1.
    pub fn rule_for(&self, round: u32) -> &MajorityRule {
        self.later
            .iter()
            .take_while(|(from_round, _)| *from_round <= round)
            .last()
            .map_or(&self.first, |(_, rule)| rule)
    }

    /// The entries `(from_round, rule)` in order, starting with `(1, rule)`.
    pub fn entries(&self) -> impl Iterator<Item = (u32, &MajorityRule)> {
        core::iter::once((1, &self.first))
            .chain(self.later.iter().map(|(round, rule)| (*round, rule)))
    }
}

impl From<MajorityRule> for RuleSchedule {
    fn from(rule: MajorityRule) -> Self {
        Self::single(rule)
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
    use crate::rules::{Base, Comparison, Fraction};

    fn at_least(p: u64, q: u64) -> MajorityRule {
        MajorityRule::new(
            Comparison::AtLeast,
            Fraction::new(p, q).unwrap(),
            Base::PresentAndVoting,
        )
        .unwrap()
    }

    #[test]
    fn who_style_schedule() {
        let two_thirds = MajorityRule::TWO_THIRDS;
        let majority = MajorityRule::ABSOLUTE_MAJORITY;
        let s = RuleSchedule::new([(1, two_thirds), (3, majority)]).unwrap();
        assert_eq!(s.rule_for(0), &two_thirds);
        assert_eq!(s.rule_for(1), &two_thirds);
        assert_eq!(s.rule_for(2), &two_thirds);
        assert_eq!(s.rule_for(3), &majority);
        assert_eq!(s.rule_for(u32::MAX), &majority);
        assert_eq!(
            s.entries().collect::<Vec<_>>(),
            vec![(1, &two_thirds), (3, &majority)]
        );
    }

    #[test]
    fn later_entries_replace_earlier_ones() {
        let (a, b, c) = (at_least(3, 4), at_least(2, 3), at_least(1, 2));
        let s = RuleSchedule::new([(1, a), (2, b), (5, c)]).unwrap();
        let rules: Vec<_> = (1..=6).map(|r| *s.rule_for(r)).collect();
        assert_eq!(rules, vec![a, b, b, b, c, c]);
    }

    #[test]
    fn rejects_invalid_schedules() {
        let r = MajorityRule::TWO_THIRDS;
        assert_eq!(RuleSchedule::new([]), Err(RuleError::EmptySchedule));
        assert_eq!(
            RuleSchedule::new([(2, r)]),
            Err(RuleError::ScheduleStartsLate { from_round: 2 })
        );
        assert_eq!(
            RuleSchedule::new([(0, r)]),
            Err(RuleError::ScheduleStartsLate { from_round: 0 })
        );
        assert_eq!(
            RuleSchedule::new([(1, r), (3, r), (3, r)]),
            Err(RuleError::ScheduleNotIncreasing {
                previous: 3,
                next: 3
            })
        );
        assert_eq!(
            RuleSchedule::new([(1, r), (1, r)]),
            Err(RuleError::ScheduleNotIncreasing {
                previous: 1,
                next: 1
            })
        );
        assert_eq!(RuleSchedule::new([(1, r)]), Ok(RuleSchedule::single(r)));
    }
}
