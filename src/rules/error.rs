//! The one error type of the rules engine.

use core::fmt;

use super::{CandidateStatus, Fraction};

/// Why the rules engine refused a parameter or an event.
///
/// Candidates are named by their `usize` index in the manifest's candidate list.
/// The crate's top-level error wraps this type.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleError {
    /// A fraction `p/q` must have `0 < p ≤ q`.
    InvalidFraction {
        /// The numerator given, `p`.
        numerator: u64,
        /// The denominator given, `q`.
        denominator: u64,
    },
    /// `more_than 1/1` can never be met.
    UnattainableRule {
        /// The fraction equal to 1.
        fraction: Fraction,
    },
    /// A rule schedule has no entries.
    EmptySchedule,
    /// The first entry of a rule schedule must apply from round 1.
    ScheduleStartsLate {
        /// The `from_round` of the first entry.
        from_round: u32,
    },
    /// The `from_round` of schedule entries must strictly increase.
    ScheduleNotIncreasing {
        /// The `from_round` of the earlier entry.
        previous: u32,
        /// The `from_round` of the entry that follows it.
        next: u32,
    },
    /// Rounds are numbered from 1; there is no round 0 to eliminate after.
    EliminationAfterRoundZero,
    /// A quorum needs at least one member.
    NoMembers,
    /// An election needs at least one candidate.
    NoCandidates,
    /// The candidate index is not in the manifest's list.
    UnknownCandidate {
        /// The index given.
        candidate: usize,
        /// How many candidates the manifest has.
        candidates: usize,
    },
    /// The candidate has left the race (withdrawn or eliminated).
    NotRemaining {
        /// The index given.
        candidate: usize,
        /// What became of the candidate.
        status: CandidateStatus,
    },
    /// Someone has already been elected; the election is over.
    AlreadyElected {
        /// The candidate elected.
        candidate: usize,
    },
    /// Acclamation elects the sole remaining candidate, so exactly one must remain.
    AcclamationNeedsSoleCandidate {
        /// How many candidates remain.
        remaining: usize,
    },
    /// No candidate remains to vote on.
    NoCandidatesRemain,
    /// The totals of a choose-one ballot must have one entry per remaining candidate.
    TotalsMismatch {
        /// The number of remaining candidates.
        expected: usize,
        /// The number of totals given.
        got: usize,
    },
    /// The counts add up to more than `u64::MAX`.
    CountOverflow,
    /// More ballots were cast (abstentions included) than there are eligible members.
    CastExceedsEligible {
        /// Ballots cast, abstentions included.
        cast: u64,
        /// Members eligible to vote.
        eligible: u64,
    },
    /// More members are eligible to vote than the quorum's membership.
    EligibleExceedsMembers {
        /// Members eligible to vote.
        eligible: u64,
        /// All members, as counted by the quorum.
        members: u64,
    },
    /// A tie for lowest awaits [`Standing::resolve_tie_for_lowest`](super::Standing::resolve_tie_for_lowest)
    /// (or the withdrawal of a tied candidate) before the next ballot.
    TieForLowestUnresolved {
        /// The candidates tied for lowest.
        tied: Vec<usize>,
    },
    /// There is no tie for lowest waiting to be resolved.
    NoTieToResolve,
    /// Only a candidate tied for lowest can be eliminated to resolve the tie.
    NotTiedForLowest {
        /// The index given.
        candidate: usize,
        /// The candidates tied for lowest.
        tied: Vec<usize>,
    },
    /// The round number would pass `u32::MAX`.
    RoundOverflow,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidFraction {
                numerator,
                denominator,
            } => write!(
                f,
                "invalid fraction {numerator}/{denominator}: need 0 < p ≤ q"
            ),
            Self::UnattainableRule { fraction } => {
                write!(f, "the rule \"more than {fraction}\" can never be met")
            }
            Self::EmptySchedule => f.write_str("the rule schedule is empty"),
            Self::ScheduleStartsLate { from_round } => write!(
                f,
                "the rule schedule starts at round {from_round}, not round 1"
            ),
            Self::ScheduleNotIncreasing { previous, next } => write!(
                f,
                "rule schedule rounds must increase: round {next} follows round {previous}"
            ),
            Self::EliminationAfterRoundZero => {
                f.write_str("elimination after round 0: rounds are numbered from 1")
            }
            Self::NoMembers => f.write_str("a quorum needs at least one member"),
            Self::NoCandidates => f.write_str("an election needs at least one candidate"),
            Self::UnknownCandidate {
                candidate,
                candidates,
            } => write!(
                f,
                "unknown candidate {candidate}: there are {candidates} candidates"
            ),
            Self::NotRemaining { candidate, status } => {
                write!(
                    f,
                    "candidate {candidate} is no longer in the race: {status}"
                )
            }
            Self::AlreadyElected { candidate } => {
                write!(f, "the election is over: candidate {candidate} was elected")
            }
            Self::AcclamationNeedsSoleCandidate { remaining } => write!(
                f,
                "acclamation needs exactly one remaining candidate, not {remaining}"
            ),
            Self::NoCandidatesRemain => f.write_str("no candidate remains"),
            Self::TotalsMismatch { expected, got } => {
                write!(f, "{got} totals given for {expected} remaining candidates")
            }
            Self::CountOverflow => f.write_str("the counts add up to more than u64::MAX"),
            Self::CastExceedsEligible { cast, eligible } => write!(
                f,
                "{cast} ballots cast but only {eligible} members are eligible"
            ),
            Self::EligibleExceedsMembers { eligible, members } => write!(
                f,
                "{eligible} members eligible but the quorum counts only {members} members"
            ),
            Self::TieForLowestUnresolved { tied } => write!(
                f,
                "candidates {tied:?} are tied for lowest; the tie must be resolved first"
            ),
            Self::NoTieToResolve => f.write_str("there is no tie for lowest to resolve"),
            Self::NotTiedForLowest { candidate, tied } => write!(
                f,
                "candidate {candidate} is not among those tied for lowest, {tied:?}"
            ),
            Self::RoundOverflow => f.write_str("the round number would pass u32::MAX"),
        }
    }
}

impl std::error::Error for RuleError {}
