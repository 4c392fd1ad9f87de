//! The shape of a contest, and the context a ballot is cast in.

use merlin::Transcript;

use super::MAX_OPTIONS;
use crate::elgamal::PublicKey;
use crate::error::{Error, Result};
use crate::transcript::{ElectionContext, TranscriptExt};

/// The shape of a contest: options, selection range and abstention.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContestSpec {
    index: u32,
    options: u32,
    min: u32,
    max: u32,
    abstention: bool,
}

impl ContestSpec {
    /// A contest with `options` options, where a voter selects between `min` and `max` of
    /// them, and may explicitly abstain when `abstention` is set. `index` distinguishes the
    /// contests of one election.
    pub fn new(index: u32, options: u32, min: u32, max: u32, abstention: bool) -> Result<Self> {
        let reason = if options == 0 {
            Some("a contest needs at least one option")
        } else if options as usize > MAX_OPTIONS {
            Some("more than 1024 options")
        } else if max == 0 {
            Some("max must be at least 1")
        } else if min > max {
            Some("min exceeds max")
        } else if max > options {
            Some("max exceeds the number of options")
        } else {
            None
        };
        match reason {
            Some(reason) => Err(Error::InvalidContest { reason }),
            None => Ok(ContestSpec {
                index,
                options,
                min,
                max,
                abstention,
            }),
        }
    }

    /// Choose exactly one of `options` (with an explicit abstention if `abstention`).
    pub fn choose_one(index: u32, options: u32, abstention: bool) -> Result<Self> {
        Self::new(index, options, 1, 1, abstention)
    }

    /// The contest index.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// The number of options.
    pub fn options(&self) -> u32 {
        self.options
    }

    /// The fewest selections.
    pub fn min(&self) -> u32 {
        self.min
    }

    /// The most selections.
    pub fn max(&self) -> u32 {
        self.max
    }

    /// Whether an explicit abstention is offered.
    pub fn has_abstention(&self) -> bool {
        self.abstention
    }

    /// The number of ciphertexts of a ballot: one per option, plus the abstention.
    pub fn width(&self) -> usize {
        self.options as usize + usize::from(self.abstention)
    }

    /// The set the count must lie in: `min..=max`.
    pub(crate) fn count_set(&self) -> Vec<u64> {
        (u64::from(self.min)..=u64::from(self.max)).collect()
    }

    pub(crate) fn append_to(&self, t: &mut Transcript) {
        t.append_count(b"contest", u64::from(self.index));
        t.append_count(b"options", u64::from(self.options));
        t.append_count(b"min", u64::from(self.min));
        t.append_count(b"max", u64::from(self.max));
        t.append_count(b"abstention", u64::from(self.abstention));
    }
}

/// Where a ballot is cast: the election, its key, the round and the contest.
#[derive(Clone, Copy, Debug)]
pub struct BallotContext<'a> {
    /// The election.
    pub election: &'a ElectionContext,
    /// The election public key.
    pub key: &'a PublicKey,
    /// The round (1-based).
    pub round: u32,
    /// The contest.
    pub contest: &'a ContestSpec,
}
