//! The shape of a contest, and the context a ballot is cast in.

use merlin::Transcript;

use super::MAX_OPTIONS;
use super::layout::Layout;
use crate::elgamal::PublicKey;
use crate::error::{Error, Result};
use crate::proofs::membership::MAX_BRANCHES;
use crate::transcript::{ElectionContext, TranscriptExt};

/// The shape of a contest: options, selection range, abstention, and optionally the capacity
/// of its ballot box, which decides the [`Layout`] of its ballots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContestSpec {
    index: u32,
    options: u32,
    min: u32,
    max: u32,
    abstention: bool,
    capacity: Option<u64>,
    layout: Layout,
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
        if let Some(reason) = reason {
            return Err(Error::InvalidContest { reason });
        }
        let contest = ContestSpec {
            index,
            options,
            min,
            max,
            abstention,
            capacity: None,
            layout: Layout::PerOption,
        };
        // Every proof of a ballot must be one the prover can make: a contest whose count set
        // (min..=max per option) has more than MAX_BRANCHES values could never be encrypted.
        let sets = contest.layout.ciphertext_sets(contest.slots());
        if contest.count_set().len() > MAX_BRANCHES || sets.iter().any(|s| s.len() > MAX_BRANCHES) {
            return Err(Error::InvalidContest {
                reason: "its count proof would need more than 1024 branches",
            });
        }
        Ok(contest)
    }

    /// The same contest for a ballot box that holds at most `capacity` ballots (for example
    /// the number of eligible voters). A box refuses ballots beyond it, and a one-choice
    /// contest whose totals fit is then packed (see [`Layout`]): fewer ciphertexts and proofs
    /// per ballot. (A packed layout never needs more proof branches than the per-option one:
    /// one chunk holds at most 41 slots, since N·B^(s−1) ≤ 2^40 with B ≥ 2.)
    pub fn with_capacity(mut self, capacity: u64) -> Self {
        self.capacity = Some(capacity);
        self.layout = Layout::choose(self.slots(), self.min, self.max, self.capacity);
        self
    }

    /// The statements of the one-out-of-many proof of layout 2 (empty for the others).
    pub(crate) fn statements(&self) -> Vec<crate::proofs::OneHot> {
        self.layout.statements(self.slots(), self.min)
    }

    /// The most ballots a box for this contest holds, if bounded.
    pub fn capacity(&self) -> Option<u64> {
        self.capacity
    }

    /// How the ballots of this contest are laid out in ciphertexts.
    pub fn layout(&self) -> Layout {
        self.layout
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

    /// The number of slots of a selection: one per option, plus the abstention.
    pub fn slots(&self) -> usize {
        self.options as usize + usize::from(self.abstention)
    }

    /// The number of ciphertexts of a ballot (and of the tally): one per slot, or one per
    /// packed chunk.
    pub fn width(&self) -> usize {
        self.layout.ciphertexts(self.slots())
    }

    /// The set the count ciphertext must encrypt a member of.
    pub(crate) fn count_set(&self) -> Vec<u64> {
        self.layout.count_set(self.slots(), self.min, self.max)
    }

    /// The largest value a tally ciphertext over `ballots` ballots can decrypt to: the bound
    /// of the discrete logarithm.
    pub fn total_bound(&self, ballots: u64) -> u64 {
        self.layout.total_bound(ballots, self.slots())
    }

    /// Appends the canonical encoding (docs/SPEC.md §14.4): `LE32(index) ‖ LE32(options) ‖
    /// LE32(min) ‖ LE32(max) ‖ abstention (1 byte) ‖ capacity flag (1 byte) ‖ [LE64(N)] ‖
    /// layout (1 byte: 0 per option, 1 packed) ‖ LE64(base) ‖ LE32(chunk)`. The layout is
    /// derived from the rest; it is written so that a device can read the shape without
    /// re-deriving it, and the decoder refuses a layout that is not the derived one.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.index.to_le_bytes());
        out.extend_from_slice(&self.options.to_le_bytes());
        out.extend_from_slice(&self.min.to_le_bytes());
        out.extend_from_slice(&self.max.to_le_bytes());
        out.push(u8::from(self.abstention));
        match self.capacity {
            None => out.push(0),
            Some(n) => {
                out.push(1);
                out.extend_from_slice(&n.to_le_bytes());
            }
        }
        let (tag, base, chunk) = self.layout.parts();
        out.push(u8::try_from(tag).unwrap_or(u8::MAX));
        out.extend_from_slice(&base.to_le_bytes());
        out.extend_from_slice(&u32::try_from(chunk).unwrap_or(u32::MAX).to_le_bytes());
    }

    /// Reads a contest written by [`ContestSpec::write`], running every check of
    /// [`ContestSpec::new`].
    pub fn read(reader: &mut crate::group::Reader<'_>) -> Result<Self> {
        let index = reader.u32("contest index")?;
        let options = reader.u32("contest options")?;
        let min = reader.u32("contest min")?;
        let max = reader.u32("contest max")?;
        let abstention = match reader.u8("contest abstention")? {
            0 => false,
            1 => true,
            _ => {
                return Err(Error::InvalidValue {
                    what: "contest abstention",
                    reason: "a flag must be 0 or 1",
                });
            }
        };
        let capacity = match reader.u8("contest capacity flag")? {
            0 => None,
            1 => Some(reader.u64("contest capacity")?),
            _ => {
                return Err(Error::InvalidValue {
                    what: "contest capacity flag",
                    reason: "a flag must be 0 or 1",
                });
            }
        };
        let tag = u64::from(reader.u8("contest layout")?);
        let base = reader.u64("contest base")?;
        let chunk = u64::from(reader.u32("contest chunk")?);
        let mut contest = ContestSpec::new(index, options, min, max, abstention)?;
        if let Some(n) = capacity {
            contest = contest.with_capacity(n);
        }
        if contest.layout.parts() != (tag, base, chunk) {
            return Err(Error::InvalidContest {
                reason: "its layout is not the one its shape and capacity give",
            });
        }
        Ok(contest)
    }

    pub(crate) fn append_to(&self, t: &mut Transcript) {
        t.append_count(b"contest", u64::from(self.index));
        t.append_count(b"options", u64::from(self.options));
        t.append_count(b"min", u64::from(self.min));
        t.append_count(b"max", u64::from(self.max));
        t.append_count(b"abstention", u64::from(self.abstention));
        t.append_count(b"capacity", self.capacity.unwrap_or(0));
        let (tag, base, chunk) = self.layout.parts();
        t.append_count(b"layout", tag);
        t.append_count(b"base", base);
        t.append_count(b"chunk", chunk);
    }
}

/// Where a ballot is cast: the election, its key, the round, the contest and, in an election
/// with a roll, who may vote.
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
    /// The roll and the rule for a second ballot; `None` when the election has no roll
    /// (then ballots carry no credential).
    pub eligibility: Option<&'a crate::credential::Eligibility>,
}
