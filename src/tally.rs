//! The ballot box of a round, its aggregation, and the encrypted tally.
//!
//! A [`BallotBox`] accepts only [`VerifiedBallot`]s verified for its own election, key, round
//! and contest, and challenged ballots whose opening checks. Its rules ([`admission`], shared
//! with the stream verifier) reject a ballot past the box's capacity, a second ballot with the
//! same id, a ballot that repeats any ciphertext already cast (a copy under a fresh id: the
//! α = r·G of a fresh encryption never repeats), and a challenged ballot cast. It keeps every
//! entry in board order with its confirmation code, and a running [`PartialTally`].
//!
//! A [`PartialTally`] is a commutative monoid (the empty tally and [`PartialTally::merge`]):
//! chunks of a board can be aggregated anywhere, on many cores or machines, and merged in any
//! order to the same [`EncryptedTally`].

pub mod admission;
pub mod stream;

use std::collections::{HashMap, HashSet};

use crate::ballot::{
    BallotContext, BallotId, ChallengedBallot, ContestSpec, EncryptedBallot, VerifiedBallot,
};
use crate::board::{BallotHash, BoxClose, BoxEntryKind, ConfirmationCode};
use crate::credential::{Eligibility, PublicCredential};
use crate::elgamal::{Ciphertext, DiscreteLogTable, PublicKey, SecretKey};
use crate::error::{Error, Result};
use crate::transcript::ElectionContext;

use admission::Admission;

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

    /// Takes one ballot's ciphertexts out again (a ballot replaced by a later ballot of its
    /// credential); the caller knows it was added.
    pub fn remove(&mut self, ciphertexts: &[Ciphertext]) -> Result<()> {
        if ciphertexts.len() != self.sums.len() || self.ballots == 0 {
            return Err(Error::LengthMismatch {
                what: "ballot ciphertexts",
                expected: self.sums.len(),
                actual: ciphertexts.len(),
            });
        }
        for (sum, c) in self.sums.iter_mut().zip(ciphertexts) {
            *sum = &*sum - c;
        }
        self.ballots -= 1;
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

/// An entry of a ballot box, in board order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BoxEntry {
    /// A cast ballot: counted.
    Cast(VerifiedBallot),
    /// A challenged (opened) ballot: published, never counted.
    Challenged(ChallengedBallot),
}

impl BoxEntry {
    /// What the entry is.
    pub fn kind(&self) -> BoxEntryKind {
        match self {
            BoxEntry::Cast(_) => BoxEntryKind::Cast,
            BoxEntry::Challenged(_) => BoxEntryKind::Challenged,
        }
    }

    /// The ballot's id.
    pub fn id(&self) -> &BallotId {
        match self {
            BoxEntry::Cast(b) => b.id(),
            BoxEntry::Challenged(c) => c.id(),
        }
    }
}

/// The ballot box of one round and contest.
#[derive(Debug)]
pub struct BallotBox {
    election: ElectionContext,
    key: PublicKey,
    round: u32,
    contest: ContestSpec,
    eligibility: Option<Eligibility>,
    entries: Vec<BoxEntry>,
    codes: Vec<ConfirmationCode>,
    /// Per ballot id, the position in `entries` of its cast or challenged ballot (an id is in
    /// the box at most once).
    positions: HashMap<BallotId, usize>,
    admission: Admission,
    tally: PartialTally,
    /// Per credential, the position in `entries` of its counted ballot.
    counted: HashMap<PublicCredential, usize>,
    /// The positions in `entries` of the cast ballots replaced by a later one.
    replaced: HashSet<usize>,
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
        let admission = Admission::new(&contest, None);
        BallotBox {
            election,
            key,
            round,
            contest,
            eligibility: None,
            entries: Vec::new(),
            codes: Vec::new(),
            positions: HashMap::new(),
            admission,
            tally: PartialTally::empty(width),
            counted: HashMap::new(),
            replaced: HashSet::new(),
        }
    }

    /// The same (empty) box in an election with a roll: every ballot must be signed with a
    /// credential on it, and a second ballot of a credential is refused or replaces the
    /// first, as `eligibility` says.
    pub fn with_eligibility(mut self, eligibility: Eligibility) -> Self {
        self.admission = Admission::new(&self.contest, Some(&eligibility));
        self.eligibility = Some(eligibility);
        self
    }

    /// The context ballots for this box must be verified in.
    pub fn context(&self) -> BallotContext<'_> {
        BallotContext {
            election: &self.election,
            key: &self.key,
            round: self.round,
            contest: &self.contest,
            eligibility: self.eligibility.as_ref(),
        }
    }

    /// Casts a verified ballot and returns its confirmation code. Rejects a ballot verified
    /// for another box ([`Error::WrongBox`]), then applies the box rules ([`admission`]): the
    /// capacity ([`Error::BallotBoxFull`]: packed totals would overflow their digits), a
    /// challenged id or ciphertext ([`Error::ChallengedBallot`]), a repeated id
    /// ([`Error::DuplicateBallotId`]) and a repeated ciphertext
    /// ([`Error::DuplicateCiphertext`]); with a roll, a second ballot of a credential is
    /// refused ([`Error::CredentialReused`]) or replaces the first in the tally. A rejected
    /// ballot leaves the box unchanged.
    pub fn cast(&mut self, ballot: VerifiedBallot) -> Result<ConfirmationCode> {
        if !ballot.verified_for(&self.context()) {
            return Err(Error::WrongBox {
                ballot: *ballot.id(),
            });
        }
        let mut tally = self.tally.clone();
        tally.add(ballot.ballot().ciphertexts())?;
        // The rules change nothing unless they admit the ballot.
        let replaces = self.admission.cast(ballot.ballot())?;
        let position = self.entries.len();
        if let Some(credential) = replaces {
            let earlier = self.counted.get(&credential).copied();
            if let Some(BoxEntry::Cast(old)) = earlier.and_then(|i| self.entries.get(i)) {
                // The earlier ballot was cast in this box, with its width: this cannot fail.
                let _ = tally.remove(old.ballot().ciphertexts());
            }
            if let Some(i) = earlier {
                self.replaced.insert(i);
            }
        }
        if let Some(c) = ballot.ballot().credential() {
            self.counted.insert(*c, position);
        }
        self.tally = tally;
        let hash = BallotHash::of(&self.election, self.round, ballot.ballot());
        let code = self
            .chain_head()
            .next_cast(&self.election, self.round, &hash);
        self.positions.insert(*ballot.id(), position);
        self.entries.push(BoxEntry::Cast(ballot));
        self.codes.push(code);
        Ok(code)
    }

    /// Records a challenged (Benaloh) ballot after checking its opening, and returns its
    /// confirmation code: it is chained like a cast ballot, so the chain head commits to it.
    /// It is published and never counted, and neither its id nor any of its ciphertexts can
    /// be cast afterwards.
    pub fn challenge(&mut self, challenged: ChallengedBallot) -> Result<ConfirmationCode> {
        challenged.verify(&self.context())?;
        self.challenge_checked(challenged)
    }

    /// [`BallotBox::challenge`] for a challenged ballot whose opening the caller has just
    /// checked for this box (the record verifier, which checks every opening first).
    pub(crate) fn challenge_checked(
        &mut self,
        challenged: ChallengedBallot,
    ) -> Result<ConfirmationCode> {
        self.admission.challenge(challenged.ballot())?;
        let code = self
            .chain_head()
            .next_challenged(&self.election, self.round, &challenged);
        self.positions.insert(*challenged.id(), self.entries.len());
        self.entries.push(BoxEntry::Challenged(challenged));
        self.codes.push(code);
        Ok(code)
    }

    /// Every entry, cast and challenged, in board order.
    pub fn entries(&self) -> &[BoxEntry] {
        &self.entries
    }

    /// The confirmation code of each entry, in board order.
    pub fn codes(&self) -> &[ConfirmationCode] {
        &self.codes
    }

    /// The position in the box (in [`BallotBox::entries`] and [`BallotBox::codes`]) of the
    /// cast or challenged ballot with id `id`, if the box holds one.
    pub fn position(&self, id: &BallotId) -> Option<usize> {
        self.positions.get(id).copied()
    }

    /// The confirmation code of the cast ballot whose canonical bytes are exactly `ballot`'s,
    /// if the box holds one (counted or replaced): a lookup by id, then a comparison of the
    /// bytes. A ballot that differs in any byte, or whose id the box holds as a challenged
    /// ballot, gives `None`.
    pub fn cast_code(&self, ballot: &EncryptedBallot) -> Option<ConfirmationCode> {
        let position = self.position(ballot.id())?;
        match self.entries.get(position)? {
            BoxEntry::Cast(held) if held.ballot().to_bytes() == ballot.to_bytes() => {
                self.codes.get(position).copied()
            }
            _ => None,
        }
    }

    /// The confirmation code of the challenged ballot whose canonical bytes (ballot and
    /// opening) are exactly `challenged`'s, if the box holds one. A challenged ballot that
    /// differs in any byte, or whose id the box holds as a cast ballot, gives `None`.
    pub fn challenged_code(&self, challenged: &ChallengedBallot) -> Option<ConfirmationCode> {
        let position = self.position(challenged.id())?;
        match self.entries.get(position)? {
            BoxEntry::Challenged(held) if held.to_bytes() == challenged.to_bytes() => {
                self.codes.get(position).copied()
            }
            _ => None,
        }
    }

    /// The challenged ballots, in board order.
    pub fn challenged(&self) -> impl Iterator<Item = &ChallengedBallot> {
        self.entries.iter().filter_map(|e| match e {
            BoxEntry::Challenged(c) => Some(c),
            BoxEntry::Cast(_) => None,
        })
    }

    /// The cast ballots, in board order (counted or replaced).
    pub fn ballots(&self) -> impl Iterator<Item = &VerifiedBallot> {
        self.entries.iter().filter_map(|e| match e {
            BoxEntry::Cast(b) => Some(b),
            BoxEntry::Challenged(_) => None,
        })
    }

    /// The counted ballots, in board order: every cast ballot but those replaced by a later
    /// ballot of their credential.
    pub fn counted(&self) -> impl Iterator<Item = &VerifiedBallot> {
        self.entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match e {
                BoxEntry::Cast(b) if !self.replaced.contains(&i) => Some(b),
                _ => None,
            })
    }

    /// Whether the entry at this position of the box is a cast ballot replaced by a later
    /// ballot of its credential.
    pub fn is_replaced(&self, position: usize) -> bool {
        self.replaced.contains(&position)
    }

    /// The code of the last entry (the genesis code for an empty box): it commits to the
    /// whole board in order.
    pub fn chain_head(&self) -> ConfirmationCode {
        self.codes
            .last()
            .copied()
            .unwrap_or_else(|| ConfirmationCode::genesis(&self.election, self.round))
    }

    /// The close of the box as it stands: chain head, cast, challenged and replaced counts.
    pub fn close(&self) -> BoxClose {
        let cast = self.admission.cast_count();
        let challenged = (self.entries.len() as u64).saturating_sub(cast);
        BoxClose::new(self.round, self.chain_head(), cast, challenged)
            .with_replaced(self.admission.replaced_count())
    }

    /// The number of cast ballots.
    pub fn len(&self) -> usize {
        usize::try_from(self.admission.cast_count()).unwrap_or(usize::MAX)
    }

    /// Whether no ballot was cast.
    pub fn is_empty(&self) -> bool {
        self.admission.cast_count() == 0
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

    /// Recomputes the aggregate from the counted ballots (what a trustee or a verifier does
    /// instead of trusting the running sum) and closes it into an encrypted tally for the
    /// box's [`BoxClose`].
    pub fn tally(&self) -> EncryptedTally {
        let mut tally = PartialTally::empty(self.contest.width());
        for ballot in self.counted() {
            // Every cast ballot has the contest's width: `cast` checked it.
            let _ = tally.add(ballot.ballot().ciphertexts());
        }
        EncryptedTally {
            contest: self.contest.clone(),
            tally,
            close: self.close(),
        }
    }
}

/// The aggregate of a closed round, one ciphertext per slot or packed chunk, with the close
/// of the box it sums.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptedTally {
    contest: ContestSpec,
    tally: PartialTally,
    close: BoxClose,
}

impl EncryptedTally {
    /// The round.
    pub fn round(&self) -> u32 {
        self.close.round()
    }

    /// The close of the box this tally sums: what a trustee's decryption statement names.
    pub fn close(&self) -> &BoxClose {
        &self.close
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
