//! Majority rules: who is elected by a round's totals, in pure integer arithmetic.
//!
//! This module turns the decrypted totals of a round into a decision. It knows
//! nothing about cryptography: it takes counts and returns who is elected, who is
//! eliminated, and why. Every computation is exact integer arithmetic on `u128`, so
//! any `u64` counts are safe from overflow. There are no floats anywhere (Helios
//! computed its absolute majority with a floating-point division, which was wrong
//! for odd electorates).
//!
//! # Notation
//!
//! | symbol | meaning |
//! |---|---|
//! | `v` | the votes for one candidate (or the "yes" votes of a confirmation ballot) |
//! | `V` | the base count of the rule, see [`Base`] |
//! | `p/q` | the [`Fraction`] of `V` the rule asks for, `0 < p ≤ q` |
//!
//! # Rules
//!
//! A [`MajorityRule`] is a [`Comparison`], a [`Fraction`] and a [`Base`]:
//!
//! - `at_least p/q`: `v` meets the rule iff `q·v ≥ p·V`;
//! - `more_than p/q`: `v` meets the rule iff `q·v > p·V`;
//! - `V` is the number of votes cast for candidates, abstentions excluded
//!   ([`Base::PresentAndVoting`], UN and IOM usage), or the number of eligible
//!   members ([`Base::Eligible`], ILO usage);
//! - `V = 0` elects nobody.
//!
//! The smallest winning count has a closed form ([`MajorityRule::required`]):
//! `⌈p·V/q⌉` for `at_least` and `⌊p·V/q⌋ + 1` for `more_than`. An absolute
//! majority is `more_than 1/2`; the IOM Council's rule is `at_least 2/3` of those
//! present and voting.
//!
//! A [`RuleSchedule`] changes the rule by round (WHO 2017: two-thirds in rounds 1
//! and 2, then a simple majority). A [`Quorum`] requires enough members to cast a
//! ballot (abstentions count as present).
//!
//! # Decisions and their policies
//!
//! [`Standing`] is a small state machine an election driver feeds with events:
//! withdrawals, acclamations and the totals of each ballot. Its policies are
//! explicit and never arbitrary:
//!
//! - **Several candidates at the top.** A choose-one ballot elects the candidate
//!   with strictly the most votes, if that count meets the rule. When two or more
//!   candidates share the highest count, nobody is elected
//!   ([`NotElected::TieAtTop`]), even if they all meet the rule (possible under
//!   `at_least 1/2` with a 50/50 split). Under a rule above one half at most one
//!   candidate can meet it, so this is the same as "exactly one candidate meets
//!   the rule". Under a rule below one half (such as a 40 % threshold) a unique
//!   front-runner that meets the rule is elected even if others meet it too.
//! - **Tie for lowest.** When the lowest candidate is to be eliminated and several
//!   share the lowest count, [`TieForLowest`] decides: by default nobody is
//!   eliminated and the next round runs with everyone
//!   ([`TieForLowest::NoElimination`]); or the caller must resolve it
//!   ([`TieForLowest::CallerResolves`]) with [`Standing::resolve_tie_for_lowest`],
//!   naming the candidate and how it was chosen ([`TieBreak`]). Ties are never
//!   broken by list order or by chance inside this module.
//! - **Elimination** only follows a valid choose-one ballot that elected nobody,
//!   in a round listed in the rules, with at least two candidates remaining.
//!
//! # Example: IOM Council, 2023
//!
//! Round 1: Pope 98, Vitorino 67, `V = 165`, so 110 votes were required and nobody
//! was elected. Vitorino withdrew and Pope was elected by acclamation.
//!
//! ```
//! use tabella::rules::{
//!     Base, Comparison, ElectionRules, Fraction, MajorityRule, NotElected, RuleSchedule,
//!     Standing,
//! };
//!
//! let two_thirds =
//!     MajorityRule::new(Comparison::AtLeast, Fraction::new(2, 3)?, Base::PresentAndVoting)?;
//! assert_eq!(two_thirds.required(165), Some(110));
//!
//! let rules = ElectionRules::with_schedule(RuleSchedule::single(two_thirds));
//! let (pope, vitorino) = (0, 1);
//! let mut standing = Standing::new(rules, 2)?;
//!
//! let round_1 = standing.decide_choose_one(&[98, 67], 0, 171)?;
//! assert_eq!(round_1.base_count(), 165);
//! assert_eq!(round_1.required(), Some(110));
//! assert_eq!(round_1.elected(), None);
//! assert_eq!(round_1.not_elected(), Some(&NotElected::RuleNotMet { highest: 98 }));
//!
//! standing.withdraw(vitorino)?;
//! let round_2 = standing.acclaim()?;
//! assert_eq!((round_2.round(), round_2.candidate()), (2, pope));
//! assert_eq!(standing.elected(), Some(pope));
//! # Ok::<(), tabella::rules::RuleError>(())
//! ```
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::float_arithmetic,
    clippy::arithmetic_side_effects
)]

mod decision;
mod election;
mod error;
mod fraction;
mod majority;
mod quorum;
pub mod reference;
mod schedule;
mod standing;

pub use decision::{Acclamation, BallotKind, Elimination, NotElected, RoundDecision};
pub use election::{ElectionRules, TieBreak, TieForLowest};
pub use error::RuleError;
pub use fraction::Fraction;
pub use majority::{Base, Comparison, MajorityRule};
pub use quorum::Quorum;
pub use schedule::RuleSchedule;
pub use standing::{CandidateStatus, Standing};
