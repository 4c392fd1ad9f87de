//! The ballot box of a round, its aggregation, and the encrypted tally.
//!
//! A [`BallotBox`] accepts only [`VerifiedBallot`]s verified for its own election, key, round
//! and contest. It rejects a second ballot with the same id, and a ballot that repeats any
//! ciphertext already cast (a copy under a fresh id: the α = r·G of a fresh encryption never
//! repeats). It keeps the board order and a running [`PartialTally`].
//!
//! A [`PartialTally`] is a commutative monoid (the empty tally and [`PartialTally::merge`]):
//! chunks of a board can be aggregated anywhere, on many cores or machines, and merged in any
//! order to the same [`EncryptedTally`].

pub mod stream;

use std::collections::HashSet;

use crate::ballot::{BallotContext, BallotId, ChallengedBallot, ContestSpec, VerifiedBallot};
use crate::board::{BallotHash, ConfirmationCode};
use crate::elgamal::{Ciphertext, DiscreteLogTable, PublicKey, SecretKey};
use crate::error::{Error, Result};
use crate::transcript::ElectionContext;

/// The homomorphic sum of a set of ballots, per ciphertext slot, and how many ballots it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartialTally {
    sums: Vec<Ciphertext>,
    ballots: u64,
}

impl PartialTally {
    /// The empty tally for ballots of `width` ciphertexts.
    pub fn empty(width: usize) -> Self {
        PartialTally {
            sums: vec![Ciphertext::zero(); width],
            ballots: 0,
        }
    }

    /// Adds one ballot's ciphertexts.
    pub fn add(&mut self, ciphertexts: &[Ciphertext]) -> Result<()> {
        if ciphertexts.len() != self.sums.len() {
            return Err(Error::LengthMismatch {
                what: "ballot ciphertexts",
                expected: self.sums.len(),
                actual: ciphertexts.len(),
            });
        }
        for (sum, c) in self.sums.iter_mut().zip(ciphertexts) {
            *sum = &*sum + c;
        }
        self.ballots += 1;
        Ok(())
    }

    /// Merges another partial tally into this one (commutative and associative).
    pub fn merge(mut self, other: &PartialTally) -> Result<Self> {
        if other.sums.len() != self.sums.len() {
            return Err(Error::LengthMismatch {
                what: "partial tally",
                expected: self.sums.len(),
                actual: other.sums.len(),
            });
        }
        for (sum, c) in self.sums.iter_mut().zip(&other.sums) {
            *sum = &*sum + c;
        }
        self.ballots += other.ballots;
        Ok(self)
    }

    /// The summed ciphertexts, one per slot (options, then abstention).
    pub fn sums(&self) -> &[Ciphertext] {
        &self.sums
    }

    /// The number of ballots summed.
    pub fn ballots(&self) -> u64 {
        self.ballots
    }
}

/// The ballot box of one round and contest.
#[derive(Debug)]
pub struct BallotBox {
    election: ElectionContext,
    key: PublicKey,
    round: u32,
    contest: ContestSpec,
    ballots: Vec<VerifiedBallot>,
    codes: Vec<ConfirmationCode>,
    challenged: Vec<ChallengedBallot>,
    ids: HashSet<BallotId>,
    alphas: HashSet<[u8; 32]>,
    spoiled: HashSet<[u8; 32]>,
    tally: PartialTally,
}

impl BallotBox {
    /// An empty box for `contest` in `round` of the election.
    pub fn new(
        election: ElectionContext,
        key: PublicKey,
        round: u32,
        contest: ContestSpec,
    ) -> Self {
        let width = contest.width();
        BallotBox {
            election,
            key,
            round,
            contest,
            ballots: Vec::new(),
            codes: Vec::new(),
            challenged: Vec::new(),
            ids: HashSet::new(),
            alphas: HashSet::new(),
            spoiled: HashSet::new(),
            tally: PartialTally::empty(width),
        }
    }

    /// The context ballots for this box must be verified in.
    pub fn context(&self) -> BallotContext<'_> {
        BallotContext {
            election: &self.election,
            key: &self.key,
            round: self.round,
            contest: &self.contest,
        }
    }

    /// The α encodings of a ballot, checked against every ciphertext the box has seen.
    fn fresh_alphas(
        &self,
        id: BallotId,
        ballot: &crate::ballot::EncryptedBallot,
    ) -> Result<Vec<[u8; 32]>> {
        if self.ids.contains(&id) {
            return Err(Error::DuplicateBallotId { ballot: id });
        }
        let alphas: Vec<[u8; 32]> = ballot
            .ciphertexts()
            .iter()
            .map(|c| c.alpha().to_bytes())
            .collect();
        let mut seen = HashSet::with_capacity(alphas.len());
        for a in &alphas {
            if self.spoiled.contains(a) {
                return Err(Error::ChallengedBallot { ballot: id });
            }
            if self.alphas.contains(a) || !seen.insert(*a) {
                return Err(Error::DuplicateCiphertext { ballot: id });
            }
        }
        Ok(alphas)
    }

    /// Casts a verified ballot and returns its confirmation code. Rejects a ballot verified
    /// for another box ([`Error::WrongBox`]), a ballot past the contest's capacity
    /// ([`Error::BallotBoxFull`]: packed totals would overflow their digits), a repeated id
    /// ([`Error::DuplicateBallotId`]), a repeated ciphertext ([`Error::DuplicateCiphertext`])
    /// and a challenged ballot ([`Error::ChallengedBallot`]). A rejected ballot leaves the box
    /// unchanged.
    pub fn cast(&mut self, ballot: VerifiedBallot) -> Result<ConfirmationCode> {
        let id = *ballot.id();
        if !ballot.verified_for(&self.context()) {
            return Err(Error::WrongBox { ballot: id });
        }
        if let Some(capacity) = self.contest.capacity() {
            if self.ballots.len() as u64 >= capacity {
                return Err(Error::BallotBoxFull {
                    ballot: id,
                    capacity,
                });
            }
        }
        if self.challenged.iter().any(|c| *c.id() == id) {
            return Err(Error::ChallengedBallot { ballot: id });
        }
        let alphas = self.fresh_alphas(id, ballot.ballot())?;
        self.tally.add(ballot.ballot().ciphertexts())?;
        let hash = BallotHash::of(&self.election, self.round, ballot.ballot());
        let code = self.chain_head().next(&self.election, self.round, &hash);
        self.ids.insert(id);
        self.alphas.extend(alphas);
        self.ballots.push(ballot);
        self.codes.push(code);
        Ok(code)
    }

    /// Records a challenged (Benaloh) ballot after checking its opening. It is published and
    /// never counted, and neither its id nor any of its ciphertexts can be cast afterwards.
    pub fn challenge(&mut self, challenged: ChallengedBallot) -> Result<()> {
        challenged.verify(&self.context())?;
        let id = *challenged.id();
        if self.challenged.iter().any(|c| *c.id() == id) {
            return Err(Error::DuplicateBallotId { ballot: id });
        }
        let alphas = self.fresh_alphas(id, challenged.ballot())?;
        self.spoiled.extend(alphas);
        self.challenged.push(challenged);
        Ok(())
    }

    /// The challenged ballots, in the order they were challenged.
    pub fn challenged(&self) -> &[ChallengedBallot] {
        &self.challenged
    }

    /// The confirmation code of each cast ballot, in board order.
    pub fn codes(&self) -> &[ConfirmationCode] {
        &self.codes
    }

    /// The code of the last cast ballot (the genesis code for an empty box): it commits to
    /// the whole board in order.
    pub fn chain_head(&self) -> ConfirmationCode {
        self.codes
            .last()
            .copied()
            .unwrap_or_else(|| ConfirmationCode::genesis(&self.election, self.round))
    }

    /// The cast ballots, in board order.
    pub fn ballots(&self) -> &[VerifiedBallot] {
        &self.ballots
    }

    /// The number of cast ballots.
    pub fn len(&self) -> usize {
        self.ballots.len()
    }

    /// Whether no ballot was cast.
    pub fn is_empty(&self) -> bool {
        self.ballots.is_empty()
    }

    /// The round.
    pub fn round(&self) -> u32 {
        self.round
    }

    /// The contest.
    pub fn contest(&self) -> &ContestSpec {
        &self.contest
    }

    /// The running aggregate.
    pub fn partial_tally(&self) -> &PartialTally {
        &self.tally
    }

    /// Recomputes the aggregate from the cast ballots (what a trustee or a verifier does
    /// instead of trusting the running sum) and closes it into an encrypted tally.
    pub fn tally(&self) -> EncryptedTally {
        let mut tally = PartialTally::empty(self.contest.width());
        for ballot in &self.ballots {
            // Every cast ballot has the contest's width: `cast` checked it.
            let _ = tally.add(ballot.ballot().ciphertexts());
        }
        EncryptedTally {
            round: self.round,
            contest: self.contest.clone(),
            tally,
        }
    }
}

/// The aggregate of a closed round: one ciphertext per option (then the abstention).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptedTally {
    round: u32,
    contest: ContestSpec,
    tally: PartialTally,
}

impl EncryptedTally {
    /// The round.
    pub fn round(&self) -> u32 {
        self.round
    }

    /// The contest.
    pub fn contest(&self) -> &ContestSpec {
        &self.contest
    }

    /// The summed ciphertexts.
    pub fn ciphertexts(&self) -> &[Ciphertext] {
        self.tally.sums()
    }

    /// The number of ballots in the tally.
    pub fn ballots(&self) -> u64 {
        self.tally.ballots()
    }

    /// The largest value any of its ciphertexts can decrypt to: the bound a
    /// [`DiscreteLogTable`] for it needs.
    pub fn total_bound(&self) -> u64 {
        self.contest.total_bound(self.ballots())
    }

    /// Decrypts with a single secret key (threshold decryption is in the `threshold` module).
    /// The table must reach [`EncryptedTally::total_bound`].
    pub fn decrypt(&self, key: &SecretKey, table: &DiscreteLogTable) -> Result<Totals> {
        let values = self
            .ciphertexts()
            .iter()
            .map(|c| key.decrypt(c, table))
            .collect::<Result<Vec<u64>>>()?;
        Totals::new(&self.contest, values, self.ballots())
    }
}

/// Decrypted totals of a round: per option, and abstentions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Totals {
    options: Vec<u64>,
    abstain: u64,
    ballots: u64,
}

impl Totals {
    /// Builds totals from one decrypted value per tally ciphertext: unpacks them into one
    /// total per slot with the contest's layout, and checks them (no slot total can exceed the
    /// number of ballots, no packed value can hold more digits than its slots).
    pub fn new(contest: &ContestSpec, values: Vec<u64>, ballots: u64) -> Result<Self> {
        let mut slots = contest.layout().unpack(&values, contest.slots(), ballots)?;
        let abstain = if contest.has_abstention() {
            slots.pop().unwrap_or(0)
        } else {
            0
        };
        Ok(Totals {
            options: slots,
            abstain,
            ballots,
        })
    }

    /// One total per slot, as the record keeps them: the options, then the abstentions
    /// (always present, 0 when the contest has no abstention).
    pub fn slots(&self) -> Vec<u64> {
        let mut out = self.options.clone();
        out.push(self.abstain);
        out
    }

    /// The votes for each option.
    pub fn options(&self) -> &[u64] {
        &self.options
    }

    /// Explicit abstentions.
    pub fn abstain(&self) -> u64 {
        self.abstain
    }

    /// Ballots cast (including abstentions and blank ballots).
    pub fn ballots(&self) -> u64 {
        self.ballots
    }
}
