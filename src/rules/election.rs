//! The rules of a whole election: schedule, elimination, ties for lowest, quorum.

use std::collections::BTreeSet;

use super::{MajorityRule, Quorum, RuleError, RuleSchedule};

/// What happens when the lowest candidate is to be eliminated and several
/// candidates share the lowest count.
///
/// The engine never breaks such a tie by itself (not by list order, not by
/// chance): either nobody is eliminated, or the caller resolves the tie and says
/// how.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TieForLowest {
    /// Nobody is eliminated; the next round runs with every remaining candidate.
    #[default]
    NoElimination,
    /// The tie is left for the caller (a run-off among the tied candidates, drawing
    /// lots, ...). No further ballot is accepted until the caller eliminates one of
    /// the tied candidates with
    /// [`Standing::resolve_tie_for_lowest`](super::Standing::resolve_tie_for_lowest),
    /// naming the [`TieBreak`] used, or one of them withdraws.
    CallerResolves,
}

/// How a caller resolved a tie for lowest (recorded with the elimination).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TieBreak {
    /// A separate run-off ballot among the tied candidates, outside this engine.
    RunOff,
    /// Drawing lots.
    Lot,
}

/// The rules of an election: the [`RuleSchedule`], the rounds after which the
/// lowest candidate is eliminated, the [`TieForLowest`] policy and an optional
/// [`Quorum`].
///
/// ```
/// use std::collections::BTreeSet;
/// use tabella::rules::{ElectionRules, MajorityRule, Quorum, RuleSchedule, TieForLowest};
///
/// let rules = ElectionRules::new(
///     RuleSchedule::new([(1, MajorityRule::TWO_THIRDS), (3, MajorityRule::ABSOLUTE_MAJORITY)])?,
///     BTreeSet::from([2, 3, 4]),
///     TieForLowest::NoElimination,
///     Some(Quorum::majority_of(194)?),
/// )?;
/// assert!(rules.eliminates_after(3) && !rules.eliminates_after(1));
/// # Ok::<(), tabella::rules::RuleError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElectionRules {
    schedule: RuleSchedule,
    eliminate_lowest_after: BTreeSet<u32>,
    tie_for_lowest: TieForLowest,
    quorum: Option<Quorum>,
}

impl ElectionRules {
    /// The rules made of `schedule`, eliminating the lowest candidate after each
    /// round in `eliminate_lowest_after` (1-based), with the given tie policy and
    /// optional quorum.
    ///
    /// # Errors
    ///
    /// [`RuleError::EliminationAfterRoundZero`] when `eliminate_lowest_after`
    /// contains 0.
    pub fn new(
        schedule: RuleSchedule,
        eliminate_lowest_after: BTreeSet<u32>,
        tie_for_lowest: TieForLowest,
        quorum: Option<Quorum>,
    ) -> Result<Self, RuleError> {
        if eliminate_lowest_after.contains(&0) {
            return Err(RuleError::EliminationAfterRoundZero);
        }
        Ok(Self {
            schedule,
            eliminate_lowest_after,
            tie_for_lowest,
            quorum,
        })
    }

    /// The rules of `schedule` alone: no elimination, no quorum.
    pub fn with_schedule(schedule: RuleSchedule) -> Self {
        Self {
            schedule,
            eliminate_lowest_after: BTreeSet::new(),
            tie_for_lowest: TieForLowest::default(),
            quorum: None,
        }
    }

    /// The rule schedule.
    pub const fn schedule(&self) -> &RuleSchedule {
        &self.schedule
    }

    /// The rule of round `round` (see [`RuleSchedule::rule_for`]).
    pub fn rule_for(&self, round: u32) -> &MajorityRule {
        self.schedule.rule_for(round)
    }

    /// The rounds after which the lowest candidate is eliminated.
    pub const fn eliminate_lowest_after(&self) -> &BTreeSet<u32> {
        &self.eliminate_lowest_after
    }

    /// Whether the lowest candidate is eliminated after round `round`.
    pub fn eliminates_after(&self, round: u32) -> bool {
        self.eliminate_lowest_after.contains(&round)
    }

    /// The policy for a tie for lowest.
    pub const fn tie_for_lowest(&self) -> TieForLowest {
        self.tie_for_lowest
    }

    /// The quorum, if any.
    pub const fn quorum(&self) -> Option<&Quorum> {
        self.quorum.as_ref()
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
    fn rejects_round_zero() {
        let schedule = RuleSchedule::single(MajorityRule::ABSOLUTE_MAJORITY);
        assert_eq!(
            ElectionRules::new(
                schedule.clone(),
                BTreeSet::from([0, 1]),
                TieForLowest::NoElimination,
                None
            ),
            Err(RuleError::EliminationAfterRoundZero)
        );
        let rules = ElectionRules::new(
            schedule,
            BTreeSet::from([1]),
            TieForLowest::CallerResolves,
            None,
        )
        .unwrap();
        assert!(rules.eliminates_after(1) && !rules.eliminates_after(2));
        assert_eq!(rules.tie_for_lowest(), TieForLowest::CallerResolves);
        assert_eq!(TieForLowest::default(), TieForLowest::NoElimination);
    }
}
