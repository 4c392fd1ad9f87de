//! The state of an election between rounds, and the events that change it.

use core::fmt;

use super::{
    Acclamation, BallotKind, ElectionRules, Elimination, MajorityRule, NotElected, RoundDecision,
    RuleError, TieBreak, TieForLowest,
};

/// What has become of a candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CandidateStatus {
    /// Still in the race.
    Remaining,
    /// Withdrew before the given round.
    Withdrawn {
        /// The first round the candidate was no longer in.
        before_round: u32,
    },
    /// Eliminated as the lowest candidate after the given round.
    Eliminated {
        /// The round whose ballot eliminated the candidate.
        after_round: u32,
        /// How the caller chose this candidate among several tied for lowest, or
        /// `None` when the candidate alone had the lowest count.
        tie_break: Option<TieBreak>,
    },
    /// Elected in the given round (by ballot or by acclamation).
    Elected {
        /// The round of the election.
        round: u32,
    },
}

impl fmt::Display for CandidateStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Remaining => f.write_str("remaining"),
            Self::Withdrawn { before_round } => write!(f, "withdrew before round {before_round}"),
            Self::Eliminated { after_round, .. } => {
                write!(f, "eliminated after round {after_round}")
            }
            Self::Elected { round } => write!(f, "elected in round {round}"),
        }
    }
}

/// A tie for lowest the caller must resolve before the next ballot.
#[derive(Clone, Debug, PartialEq, Eq)]
struct PendingTie {
    after_round: u32,
    tied: Vec<usize>,
}

/// The state of an election between rounds: the remaining candidates, the number
/// of the next round, and whether someone has been elected.
///
/// Candidates are the indices `0..n` of the manifest's candidate list. An election
/// driver feeds events in order:
///
/// - [`withdraw`](Standing::withdraw) a candidate between rounds;
/// - [`acclaim`](Standing::acclaim) the sole remaining candidate (an event, not a ballot);
/// - [`decide_choose_one`](Standing::decide_choose_one) or
///   [`decide_yes_no`](Standing::decide_yes_no) with a ballot's totals;
/// - [`resolve_tie_for_lowest`](Standing::resolve_tie_for_lowest) when the rules
///   leave a tie for lowest to the caller.
///
/// Each ballot and each acclamation is one round, and advances the round number.
/// An event that returns an error changes nothing. Once someone is elected, every
/// further event is refused with [`RuleError::AlreadyElected`].
///
/// The policies (top ties, ties for lowest, when elimination applies) are set out
/// in the [module documentation](super#decisions-and-their-policies).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Standing {
    rules: ElectionRules,
    status: Vec<CandidateStatus>,
    round: u32,
    elected: Option<usize>,
    pending_tie: Option<PendingTie>,
}

impl Standing {
    /// An election under `rules` among `candidates` candidates (indices
    /// `0..candidates`), all remaining, before round 1.
    ///
    /// # Errors
    ///
    /// [`RuleError::NoCandidates`] when `candidates = 0`.
    pub fn new(rules: ElectionRules, candidates: usize) -> Result<Self, RuleError> {
        if candidates == 0 {
            return Err(RuleError::NoCandidates);
        }
        Ok(Self {
            rules,
            status: vec![CandidateStatus::Remaining; candidates],
            round: 1,
            elected: None,
            pending_tie: None,
        })
    }

    /// The rules of the election.
    pub const fn rules(&self) -> &ElectionRules {
        &self.rules
    }

    /// The number of the next round (1-based).
    pub const fn round(&self) -> u32 {
        self.round
    }

    /// The rule of the next round.
    pub fn current_rule(&self) -> &MajorityRule {
        self.rules.rule_for(self.round)
    }

    /// The number of candidates in the manifest.
    pub fn candidates(&self) -> usize {
        self.status.len()
    }

    /// The remaining candidates, in index order. A choose-one ballot's totals are
    /// aligned with this order.
    pub fn remaining(&self) -> impl Iterator<Item = usize> + '_ {
        self.status
            .iter()
            .enumerate()
            .filter(|(_, status)| **status == CandidateStatus::Remaining)
            .map(|(candidate, _)| candidate)
    }

    /// What has become of `candidate`, or `None` for an unknown index.
    pub fn status(&self, candidate: usize) -> Option<CandidateStatus> {
        self.status.get(candidate).copied()
    }

    /// The candidate elected, if the election is over.
    pub const fn elected(&self) -> Option<usize> {
        self.elected
    }

    /// The candidates tied for lowest, when the caller must resolve that tie
    /// before the next ballot ([`TieForLowest::CallerResolves`]).
    pub fn unresolved_tie(&self) -> Option<&[usize]> {
        self.pending_tie.as_ref().map(|tie| tie.tied.as_slice())
    }

    /// Withdraws `candidate` before the next round.
    ///
    /// If the candidate was tied for lowest in a tie awaiting resolution, the
    /// withdrawal resolves it: one of the lowest has left the race, which is what
    /// an elimination would have done.
    ///
    /// # Errors
    ///
    /// [`RuleError::AlreadyElected`], [`RuleError::UnknownCandidate`], or
    /// [`RuleError::NotRemaining`] when the candidate has already left the race.
    pub fn withdraw(&mut self, candidate: usize) -> Result<(), RuleError> {
        self.ensure_not_elected()?;
        self.ensure_remaining(candidate)?;
        self.set_status(
            candidate,
            CandidateStatus::Withdrawn {
                before_round: self.round,
            },
        );
        if self
            .pending_tie
            .as_ref()
            .is_some_and(|tie| tie.tied.contains(&candidate))
        {
            self.pending_tie = None;
        }
        Ok(())
    }

    /// Elects the sole remaining candidate by acclamation, in this round.
    ///
    /// # Errors
    ///
    /// [`RuleError::AlreadyElected`], [`RuleError::TieForLowestUnresolved`],
    /// [`RuleError::AcclamationNeedsSoleCandidate`] unless exactly one candidate
    /// remains, or [`RuleError::RoundOverflow`].
    pub fn acclaim(&mut self) -> Result<Acclamation, RuleError> {
        self.ensure_open()?;
        let remaining: Vec<usize> = self.remaining().collect();
        let candidate = match remaining.as_slice() {
            [candidate] => *candidate,
            _ => {
                return Err(RuleError::AcclamationNeedsSoleCandidate {
                    remaining: remaining.len(),
                });
            }
        };
        let next_round = self.next_round()?;
        let round = self.round;
        self.set_status(candidate, CandidateStatus::Elected { round });
        self.elected = Some(candidate);
        self.round = next_round;
        Ok(Acclamation { round, candidate })
    }

    /// Resolves a tie for lowest left to the caller by eliminating `candidate`, one
    /// of the tied candidates, chosen as `how` says.
    ///
    /// # Errors
    ///
    /// [`RuleError::NoTieToResolve`], or [`RuleError::NotTiedForLowest`] when
    /// `candidate` is not one of the tied candidates.
    pub fn resolve_tie_for_lowest(
        &mut self,
        candidate: usize,
        how: TieBreak,
    ) -> Result<(), RuleError> {
        let tie = self.pending_tie.as_ref().ok_or(RuleError::NoTieToResolve)?;
        if !tie.tied.contains(&candidate) {
            return Err(RuleError::NotTiedForLowest {
                candidate,
                tied: tie.tied.clone(),
            });
        }
        let after_round = tie.after_round;
        self.set_status(
            candidate,
            CandidateStatus::Eliminated {
                after_round,
                tie_break: Some(how),
            },
        );
        self.pending_tie = None;
        Ok(())
    }

    /// Decides a choose-one ballot among the remaining candidates.
    ///
    /// `totals` has one count per remaining candidate, in the order of
    /// [`remaining`](Standing::remaining); `abstain` counts explicit abstentions;
    /// `eligible` is the number of members eligible to vote in this round.
    ///
    /// With `V` the rule's base count and `m` the highest total, in this order:
    ///
    /// 1. the quorum, if any, must be met by the ballots cast (`Σ totals + abstain`),
    ///    else the ballot is void ([`NotElected::QuorumNotMet`]);
    /// 2. `V = 0` elects nobody ([`NotElected::NoVotes`]);
    /// 3. `m` must meet the rule ([`NotElected::RuleNotMet`]);
    /// 4. the one candidate with `m` votes is elected; if several share `m`, nobody
    ///    is ([`NotElected::TieAtTop`]).
    ///
    /// If nobody is elected, the ballot was not void, at least two candidates
    /// remain and the rules eliminate after this round, the candidate with the
    /// lowest total is eliminated, or the [`TieForLowest`] policy applies.
    ///
    /// # Errors
    ///
    /// Changing nothing: [`RuleError::AlreadyElected`],
    /// [`RuleError::TieForLowestUnresolved`], [`RuleError::NoCandidatesRemain`],
    /// [`RuleError::TotalsMismatch`], [`RuleError::CountOverflow`],
    /// [`RuleError::CastExceedsEligible`], [`RuleError::EligibleExceedsMembers`]
    /// (more eligible members than the quorum's membership) or
    /// [`RuleError::RoundOverflow`].
    pub fn decide_choose_one(
        &mut self,
        totals: &[u64],
        abstain: u64,
        eligible: u64,
    ) -> Result<RoundDecision, RuleError> {
        self.ensure_open()?;
        let remaining: Vec<usize> = self.remaining().collect();
        if remaining.is_empty() {
            return Err(RuleError::NoCandidatesRemain);
        }
        if totals.len() != remaining.len() {
            return Err(RuleError::TotalsMismatch {
                expected: remaining.len(),
                got: totals.len(),
            });
        }
        let next_round = self.next_round()?;
        let present_and_voting = totals
            .iter()
            .try_fold(0_u64, |sum, &total| sum.checked_add(total))
            .ok_or(RuleError::CountOverflow)?;
        let (cast, quorum) = self.turnout(present_and_voting, abstain, eligible)?;
        let highest = totals
            .iter()
            .copied()
            .max()
            .ok_or(RuleError::NoCandidatesRemain)?;
        let lowest = totals
            .iter()
            .copied()
            .min()
            .ok_or(RuleError::NoCandidatesRemain)?;
        let with_total = |count: u64| -> Vec<usize> {
            remaining
                .iter()
                .zip(totals)
                .filter(|&(_, &total)| total == count)
                .map(|(&candidate, _)| candidate)
                .collect()
        };

        let rule = *self.current_rule();
        let base_count = rule.base().count(present_and_voting, eligible);
        let outcome = quorum.and_then(|()| {
            if base_count == 0 {
                Err(NotElected::NoVotes)
            } else if !rule.is_met(highest, base_count) {
                Err(NotElected::RuleNotMet { highest })
            } else {
                let top = with_total(highest);
                match top.as_slice() {
                    [candidate] => Ok(*candidate),
                    _ => Err(NotElected::TieAtTop { candidates: top }),
                }
            }
        });

        let void = matches!(outcome, Err(NotElected::QuorumNotMet { .. }));
        let elimination = if outcome.is_ok()
            || void
            || remaining.len() < 2
            || !self.rules.eliminates_after(self.round)
        {
            Elimination::NotDue
        } else {
            let tied = with_total(lowest);
            match (tied.as_slice(), self.rules.tie_for_lowest()) {
                ([candidate], _) => Elimination::Eliminated {
                    candidate: *candidate,
                },
                (_, TieForLowest::NoElimination) => Elimination::TieNoElimination { tied },
                (_, TieForLowest::CallerResolves) => Elimination::TieUnresolved { tied },
            }
        };

        let decision = RoundDecision {
            round: self.round,
            ballot: BallotKind::ChooseOne,
            rule,
            cast,
            present_and_voting,
            base_count,
            required: rule.required(base_count),
            outcome,
            elimination,
        };
        self.apply(&decision, next_round);
        Ok(decision)
    }

    /// Decides a yes/no confirmation ballot on `candidate`: the candidate is
    /// elected iff `yes` meets the rule, with `V = yes + no` under
    /// [`Base::PresentAndVoting`](super::Base::PresentAndVoting) (abstentions
    /// excluded) or `V = eligible` under [`Base::Eligible`](super::Base::Eligible).
    ///
    /// The quorum and `V = 0` are checked first, as for
    /// [`decide_choose_one`](Standing::decide_choose_one). A yes/no ballot never
    /// eliminates anyone: a candidate who is not confirmed remains in the race
    /// (the caller may [`withdraw`](Standing::withdraw) them). Other candidates may
    /// remain while one is voted on.
    ///
    /// # Errors
    ///
    /// Changing nothing: [`RuleError::AlreadyElected`],
    /// [`RuleError::TieForLowestUnresolved`], [`RuleError::UnknownCandidate`],
    /// [`RuleError::NotRemaining`], [`RuleError::CountOverflow`],
    /// [`RuleError::CastExceedsEligible`], [`RuleError::EligibleExceedsMembers`] or
    /// [`RuleError::RoundOverflow`].
    pub fn decide_yes_no(
        &mut self,
        candidate: usize,
        yes: u64,
        no: u64,
        abstain: u64,
        eligible: u64,
    ) -> Result<RoundDecision, RuleError> {
        self.ensure_open()?;
        self.ensure_remaining(candidate)?;
        let next_round = self.next_round()?;
        let present_and_voting = yes.checked_add(no).ok_or(RuleError::CountOverflow)?;
        let (cast, quorum) = self.turnout(present_and_voting, abstain, eligible)?;

        let rule = *self.current_rule();
        let base_count = rule.base().count(present_and_voting, eligible);
        let outcome = quorum.and_then(|()| {
            if base_count == 0 {
                Err(NotElected::NoVotes)
            } else if rule.is_met(yes, base_count) {
                Ok(candidate)
            } else {
                Err(NotElected::RuleNotMet { highest: yes })
            }
        });

        let decision = RoundDecision {
            round: self.round,
            ballot: BallotKind::YesNo { candidate },
            rule,
            cast,
            present_and_voting,
            base_count,
            required: rule.required(base_count),
            outcome,
            elimination: Elimination::NotDue,
        };
        self.apply(&decision, next_round);
        Ok(decision)
    }

    /// Records a decision made for the current round, and moves to `next_round`.
    fn apply(&mut self, decision: &RoundDecision, next_round: u32) {
        if let Some(candidate) = decision.elected() {
            self.set_status(candidate, CandidateStatus::Elected { round: self.round });
            self.elected = Some(candidate);
        }
        match decision.elimination() {
            Elimination::Eliminated { candidate } => self.set_status(
                *candidate,
                CandidateStatus::Eliminated {
                    after_round: self.round,
                    tie_break: None,
                },
            ),
            Elimination::TieUnresolved { tied } => {
                self.pending_tie = Some(PendingTie {
                    after_round: self.round,
                    tied: tied.clone(),
                });
            }
            Elimination::NotDue | Elimination::TieNoElimination { .. } => {}
        }
        self.round = next_round;
    }

    /// Checks the counts of a ballot against `eligible` and the quorum. Returns the
    /// ballots cast and whether the quorum is met.
    fn turnout(
        &self,
        present_and_voting: u64,
        abstain: u64,
        eligible: u64,
    ) -> Result<(u64, Result<(), NotElected>), RuleError> {
        let cast = present_and_voting
            .checked_add(abstain)
            .ok_or(RuleError::CountOverflow)?;
        if cast > eligible {
            return Err(RuleError::CastExceedsEligible { cast, eligible });
        }
        let quorum = match self.rules.quorum() {
            None => Ok(()),
            Some(quorum) if eligible > quorum.members() => {
                return Err(RuleError::EligibleExceedsMembers {
                    eligible,
                    members: quorum.members(),
                });
            }
            Some(quorum) if quorum.is_met(cast) => Ok(()),
            Some(quorum) => Err(NotElected::QuorumNotMet {
                present: cast,
                required: quorum.required(),
            }),
        };
        Ok((cast, quorum))
    }

    fn next_round(&self) -> Result<u32, RuleError> {
        self.round.checked_add(1).ok_or(RuleError::RoundOverflow)
    }

    fn ensure_not_elected(&self) -> Result<(), RuleError> {
        match self.elected {
            Some(candidate) => Err(RuleError::AlreadyElected { candidate }),
            None => Ok(()),
        }
    }

    /// The election is open for a ballot or an acclamation.
    fn ensure_open(&self) -> Result<(), RuleError> {
        self.ensure_not_elected()?;
        match &self.pending_tie {
            Some(tie) => Err(RuleError::TieForLowestUnresolved {
                tied: tie.tied.clone(),
            }),
            None => Ok(()),
        }
    }

    fn ensure_remaining(&self, candidate: usize) -> Result<(), RuleError> {
        match self.status(candidate) {
            None => Err(RuleError::UnknownCandidate {
                candidate,
                candidates: self.candidates(),
            }),
            Some(CandidateStatus::Remaining) => Ok(()),
            Some(status) => Err(RuleError::NotRemaining { candidate, status }),
        }
    }

    fn set_status(&mut self, candidate: usize, status: CandidateStatus) {
        if let Some(slot) = self.status.get_mut(candidate) {
            *slot = status;
        }
    }
}

#[cfg(test)]
mod tests;
