//! What a round decided: who is elected, who is eliminated, and why.

use super::MajorityRule;

/// The kind of ballot a round held.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BallotKind {
    /// Each member chooses one of the remaining candidates (or abstains).
    ChooseOne,
    /// A yes/no confirmation ballot on one candidate.
    YesNo {
        /// The candidate voted on.
        candidate: usize,
    },
}

/// Why a ballot elected nobody.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum NotElected {
    /// The quorum was not met: the ballot is void.
    QuorumNotMet {
        /// Members present (ballots cast, abstentions included).
        present: u64,
        /// Members required to be present.
        required: u64,
    },
    /// The base count is `V = 0` (for example, everyone abstained).
    NoVotes,
    /// The highest count does not meet the rule.
    RuleNotMet {
        /// The highest count of the ballot (for a yes/no ballot, the "yes" count).
        highest: u64,
    },
    /// Several candidates share the highest count, and it meets the rule.
    TieAtTop {
        /// The candidates sharing the highest count, in index order.
        candidates: Vec<usize>,
    },
}

/// What became of the lowest candidate after a round.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Elimination {
    /// No elimination was due: the round is not listed for elimination, someone
    /// was elected, the ballot was void for lack of quorum, it was a yes/no ballot,
    /// or fewer than two candidates remained.
    NotDue,
    /// The candidate with the unique lowest count was eliminated.
    Eliminated {
        /// The candidate eliminated.
        candidate: usize,
    },
    /// Several candidates shared the lowest count and, under
    /// [`TieForLowest::NoElimination`](super::TieForLowest::NoElimination), nobody
    /// was eliminated.
    TieNoElimination {
        /// The candidates tied for lowest, in index order.
        tied: Vec<usize>,
    },
    /// Several candidates shared the lowest count and, under
    /// [`TieForLowest::CallerResolves`](super::TieForLowest::CallerResolves), the
    /// caller must now resolve the tie.
    TieUnresolved {
        /// The candidates tied for lowest, in index order.
        tied: Vec<usize>,
    },
}

/// The decision of one ballot, as [`Standing`](super::Standing) made it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RoundDecision {
    pub(super) round: u32,
    pub(super) ballot: BallotKind,
    pub(super) rule: MajorityRule,
    pub(super) cast: u64,
    pub(super) present_and_voting: u64,
    pub(super) base_count: u64,
    pub(super) required: Option<u64>,
    pub(super) outcome: Result<usize, NotElected>,
    pub(super) elimination: Elimination,
}

impl RoundDecision {
    /// The round number (1-based).
    pub const fn round(&self) -> u32 {
        self.round
    }

    /// The kind of ballot.
    pub const fn ballot(&self) -> BallotKind {
        self.ballot
    }

    /// The rule applied in this round.
    pub const fn rule(&self) -> &MajorityRule {
        &self.rule
    }

    /// Ballots cast, abstentions included: the members present.
    pub const fn cast(&self) -> u64 {
        self.cast
    }

    /// Votes for candidates (yes + no for a yes/no ballot), abstentions excluded.
    pub const fn present_and_voting(&self) -> u64 {
        self.present_and_voting
    }

    /// The base count `V` of the rule.
    pub const fn base_count(&self) -> u64 {
        self.base_count
    }

    /// The smallest count that meets the rule for `V` (`None` when `V = 0`).
    pub const fn required(&self) -> Option<u64> {
        self.required
    }

    /// The candidate elected, if any.
    pub fn elected(&self) -> Option<usize> {
        self.outcome.as_ref().ok().copied()
    }

    /// Why nobody was elected, if nobody was.
    pub fn not_elected(&self) -> Option<&NotElected> {
        self.outcome.as_ref().err()
    }

    /// The candidate eliminated after this round, if any.
    pub const fn eliminated(&self) -> Option<usize> {
        match self.elimination {
            Elimination::Eliminated { candidate } => Some(candidate),
            _ => None,
        }
    }

    /// What became of the lowest candidate.
    pub const fn elimination(&self) -> &Elimination {
        &self.elimination
    }
}

/// The election of the sole remaining candidate by acclamation: an event, not a
/// ballot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Acclamation {
    pub(super) round: u32,
    pub(super) candidate: usize,
}

impl Acclamation {
    /// The round of the acclamation (1-based).
    pub const fn round(&self) -> u32 {
        self.round
    }

    /// The candidate elected.
    pub const fn candidate(&self) -> usize {
        self.candidate
    }
}
