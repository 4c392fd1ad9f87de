//! The election as a fold of its board (docs/SPEC.md §14.3).
//!
//! A [`Replay`] reads a board's entries in order and keeps the state of the election: the
//! manifest and its authorities, the key ceremony of the current run, the election once its
//! keys are announced, the round in progress (its box, its close, its partial decryptions)
//! and the rounds decided. Every entry is checked where it stands, against that state, and the
//! first entry that does not fit is refused with the numbered check it fails
//! ([`crate::verify::Check`]): a signature that does not verify, a ballot outside an open
//! round, a close that is not the box's, a result that is not the decryption's…
//!
//! It is one code path for everyone: the operator applies an entry to the replay before it
//! appends it ([`crate::election::BoardElection`]), a trustee replays the board before it
//! decrypts, and an observer replays it to verify ([`crate::verify::verify_record`]). A board
//! is valid exactly when every entry applies.
//!
//! The replay also keeps where each round's voters' entries are on the board, so that a
//! confirmation code is found at its board entry ([`Replay::find_code`]).

use std::collections::HashSet;
use std::sync::Arc;

use crate::ballot::{BallotId, ChallengedBallot, EncryptedBallot, VerifiedBallot};
use crate::board::chain::Head;
use crate::board::entry::{Entry, EntryKind};
use crate::board::{BoxClose, BoxEntryKind, CodeQuery, ConfirmationCode};
use crate::credential::Roll;
use crate::domain::ObjectKind;
use crate::election::event::{
    Acclamation, CeremonyRun, Decision, Keys, RoundOpening, RoundResult, TieResolution, Withdrawal,
};
use crate::election::{ClosedRound, Election, Manifest, OpenRound, RoundOutcome};
use crate::encoding::header::peek;
use crate::error::Error;
use crate::threshold::dkg::{
    CeremonyBoard, CeremonyContext, CeremonyOutcome, CeremonyRound, foreign_entries,
    verify_ceremony,
};
use crate::threshold::{DecryptionContext, PartialDecryption, TrusteeIndex};
use crate::transcript::ElectionContext;
use crate::verify::{Check, Failure, Passed, Report};

/// The key ceremony of the current run.
#[derive(Clone, Debug)]
struct Ceremony {
    ctx: CeremonyContext,
    board: CeremonyBoard,
    /// The latest ceremony round that has a message (a message of an earlier round is then
    /// refused: a round closes when the next one starts).
    reached: u8,
}

/// A decided round, kept for those who ask about it later.
#[derive(Debug)]
pub struct DecidedRound {
    /// The closed round (its box with every entry).
    pub round: ClosedRound,
    /// Its close, as announced.
    pub close: BoxClose,
    /// The decryption and the decision.
    pub outcome: RoundOutcome,
    /// The position of its result entry.
    pub result_entry: u64,
}

/// What a finished round was.
#[derive(Debug)]
pub enum RoundEnd {
    /// A ballot, decrypted and decided.
    Decided(Box<DecidedRound>),
    /// The sole remaining candidate elected without a ballot.
    Acclaimed {
        /// The candidate (manifest index).
        candidate: usize,
    },
}

/// A finished round: the withdrawals before it, what it was, and the resolution of a tie for
/// lowest that it left.
#[derive(Debug)]
pub struct RoundHistory {
    /// The round number.
    pub number: u32,
    /// The candidates who withdrew before it (manifest indices).
    pub withdrawn: Vec<usize>,
    /// The ballot or the acclamation.
    pub end: RoundEnd,
    /// The resolution of a tie for lowest it left, once posted.
    pub tie: Option<TieResolution>,
}

/// The round in progress.
#[derive(Debug)]
enum Current {
    /// No round: before the first, or after a decided round or an acclamation.
    Between,
    /// A round accepting ballots.
    Open(Box<OpenRound>),
    /// A closed round, collecting partial decryptions.
    Closed {
        round: Box<ClosedRound>,
        close: BoxClose,
        partials: Vec<PartialDecryption>,
    },
}

/// What applying an entry gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// The entry was applied.
    Done,
    /// A cast or challenged ballot was admitted into the box with this confirmation code.
    Code(ConfirmationCode),
}

/// Where a confirmation code is on the board, as [`Replay::find_code`] finds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CodeLocation {
    /// The round whose box holds the entry.
    pub round: u32,
    /// The round's state: `"decided"`, `"closed"` or `"open"` (as
    /// [`Replay::ballot_boxes`] gives it).
    pub round_state: &'static str,
    /// The position of the voter's entry (a ballot or challenged entry) on the board.
    pub entry: u64,
    /// The entry's index in the round's box ([`crate::tally::BallotBox::entries`] and
    /// [`crate::tally::BallotBox::codes`]).
    pub box_index: usize,
    /// Whether the entry is a cast or a challenged ballot.
    pub kind: BoxEntryKind,
    /// Whether the cast ballot was replaced by a later ballot of its credential (revoting), so
    /// is not counted ([`crate::tally::BallotBox::is_replaced`]); never for a challenged one.
    pub replaced: bool,
    /// The ballot's id.
    pub ballot_id: BallotId,
    /// The whole confirmation code (the one typed may be its short form).
    pub code: ConfirmationCode,
}

/// The state of an election, folded from its board.
#[derive(Debug)]
pub struct Replay {
    next: u64,
    heads: HashSet<[u8; 32]>,
    /// The digests of the signed entries applied: a signed entry is posted once.
    signed: HashSet<[u8; 32]>,
    /// The run nonces of the ceremony runs applied: a run is started once.
    runs: HashSet<[u8; 32]>,
    manifest: Option<(Manifest, ElectionContext)>,
    /// The roll, once posted (an election with a roll).
    roll: Option<Arc<Roll>>,
    ceremony: Option<Ceremony>,
    outcome: Option<CeremonyOutcome>,
    election: Option<Election>,
    current: Current,
    history: Vec<RoundHistory>,
    withdrawn: Vec<usize>,
    /// For each round opened, in board order: its number and the board positions of its
    /// voters' entries, as they were applied (the i-th is the i-th entry of its box).
    voters: Vec<(u32, Vec<u64>)>,
    report: Report,
}

impl Default for Replay {
    fn default() -> Self {
        Self::new()
    }
}

fn failure(check: Check, entry: u64, round: Option<u32>, error: Error) -> Failure {
    Failure {
        check,
        round,
        entry: Some(entry),
        error,
    }
}

fn out_of_place(reason: &'static str) -> Error {
    Error::InvalidValue {
        what: "board entry",
        reason,
    }
}

/// A digest that identifies a signed entry by its whole encoding, signature included (kept
/// only to tell a replay; no part of the protocol).
fn signed_digest(entry: &Entry) -> [u8; 32] {
    crate::board::hash_parts(&[&entry.to_bytes()])
}

fn mismatch(what: &'static str) -> Error {
    Error::InvalidValue {
        what,
        reason: "the announced value differs from its recomputation",
    }
}

impl Replay {
    /// The state of an empty board.
    pub fn new() -> Self {
        let mut heads = HashSet::new();
        heads.insert(Head::genesis().0);
        Replay {
            next: 0,
            heads,
            signed: HashSet::new(),
            runs: HashSet::new(),
            manifest: None,
            roll: None,
            ceremony: None,
            outcome: None,
            election: None,
            current: Current::Between,
            history: Vec::new(),
            withdrawn: Vec::new(),
            voters: Vec::new(),
            report: Report::default(),
        }
    }

    /// The number of entries applied.
    pub fn len(&self) -> u64 {
        self.next
    }

    /// Whether no entry was applied.
    pub fn is_empty(&self) -> bool {
        self.next == 0
    }

    /// The manifest, once the first entry is applied.
    pub fn manifest(&self) -> Option<&Manifest> {
        self.manifest.as_ref().map(|(m, _)| m)
    }

    /// The board id (the manifest's ceremony fingerprint), once the first entry is applied.
    pub fn board_id(&self) -> Option<&ElectionContext> {
        self.manifest.as_ref().map(|(_, id)| id)
    }

    /// The roll, once posted (an election with a roll).
    pub fn roll(&self) -> Option<&Arc<Roll>> {
        self.roll.as_ref()
    }

    /// The ceremony context of the current run, if one started.
    pub fn ceremony_context(&self) -> Option<&CeremonyContext> {
        self.ceremony.as_ref().map(|c| &c.ctx)
    }

    /// The ceremony board of the current run, if one started.
    pub fn ceremony_board(&self) -> Option<&CeremonyBoard> {
        self.ceremony.as_ref().map(|c| &c.board)
    }

    /// The ceremony's outcome, once its keys are announced.
    pub fn ceremony_outcome(&self) -> Option<&CeremonyOutcome> {
        self.outcome.as_ref()
    }

    /// The election, once its keys are announced.
    pub fn election(&self) -> Option<&Election> {
        self.election.as_ref()
    }

    /// The open round, if a round accepts ballots.
    pub fn open_round(&self) -> Option<&OpenRound> {
        match &self.current {
            Current::Open(open) => Some(open),
            _ => None,
        }
    }

    /// The closed round waiting for its decryption, with its close and the partials so far.
    pub fn closed_round(&self) -> Option<(&ClosedRound, &BoxClose, &[PartialDecryption])> {
        match &self.current {
            Current::Closed {
                round,
                close,
                partials,
            } => Some((round, close, partials)),
            _ => None,
        }
    }

    /// The finished rounds, in order.
    pub fn history(&self) -> &[RoundHistory] {
        &self.history
    }

    /// The candidates who withdrew since the last round (before the next one).
    pub fn withdrawn(&self) -> &[usize] {
        &self.withdrawn
    }

    /// The checks passed so far.
    pub fn report(&self) -> &Report {
        &self.report
    }

    fn pass(&mut self, check: Check, round: Option<u32>, detail: impl Into<String>) {
        self.report.passed.push(Passed {
            check,
            round,
            detail: detail.into(),
        });
    }

    /// The round an entry concerns, for failures.
    fn round_number(&self) -> Option<u32> {
        match &self.current {
            Current::Open(open) => Some(open.number()),
            Current::Closed { round, .. } => Some(round.number()),
            Current::Between => self.election.as_ref().map(|e| e.standing().round()),
        }
    }

    /// Applies the next entry, whose position is [`Replay::len`] and which follows the head
    /// `before`, or refuses it with the check it fails; a refused entry changes nothing.
    pub fn apply(
        &mut self,
        entry: &Entry,
        before: &Head,
    ) -> core::result::Result<Applied, Failure> {
        self.apply_with(entry, before, None)
    }

    /// [`Replay::apply`] for a ballot entry whose proofs the caller has already verified for
    /// the open round (in a batch): the same rules, without verifying the proofs again.
    pub fn apply_verified(
        &mut self,
        entry: &Entry,
        before: &Head,
        ballot: VerifiedBallot,
    ) -> core::result::Result<Applied, Failure> {
        self.apply_with(entry, before, Some(ballot))
    }

    fn apply_with(
        &mut self,
        entry: &Entry,
        before: &Head,
        verified: Option<VerifiedBallot>,
    ) -> core::result::Result<Applied, Failure> {
        let k = self.next;
        self.check_author(k, entry)?;
        let applied = match entry.kind() {
            EntryKind::Manifest => self.manifest_entry(k, entry)?,
            EntryKind::CeremonyRun => self.ceremony_run(k, entry)?,
            EntryKind::CeremonyMessage => self.ceremony_message(k, entry)?,
            EntryKind::Keys => self.keys(k, entry)?,
            EntryKind::Withdrawal => self.withdrawal(k, entry)?,
            EntryKind::TieResolution => self.tie_resolution(k, entry)?,
            EntryKind::Acclamation => self.acclamation(k, entry)?,
            EntryKind::Roll => self.roll_entry(k, entry)?,
            EntryKind::RoundOpen => self.round_open(k, entry)?,
            EntryKind::Ballot => self.ballot(k, entry, verified)?,
            EntryKind::Challenged => self.challenged(k, entry)?,
            EntryKind::RoundClose => self.round_close(k, entry)?,
            EntryKind::PartialDecryption => self.partial(k, entry)?,
            EntryKind::Result => self.result(k, entry)?,
        };
        // Nothing fails from here on: the entry is applied. A voter's entry admitted into the
        // box is the next entry of the open round's box, which is the last round opened.
        if let Applied::Code(_) = applied {
            if let Some((_, at)) = self.voters.last_mut() {
                at.push(k);
            }
        }
        self.heads.insert(before.0);
        self.heads.insert(before.next(&entry.to_bytes()).0);
        if entry.signature().is_some() {
            self.signed.insert(signed_digest(entry));
        }
        self.next += 1;
        Ok(applied)
    }

    /// Check 2: the entry's author is who it says, and it read this board.
    fn check_author(&self, k: u64, entry: &Entry) -> core::result::Result<(), Failure> {
        let round = self.round_number();
        let authorship = |e| failure(Check::Authorship, k, round, e);
        if k == 0 && entry.kind() != EntryKind::Manifest {
            return Err(failure(
                Check::Entries,
                k,
                None,
                out_of_place("the first entry of a board is its manifest"),
            ));
        }
        if !entry.author().role().signs() {
            return Ok(());
        }
        let Some(signature) = entry.signature() else {
            return Err(authorship(out_of_place(
                "a signed role's entry without a signature",
            )));
        };
        if !self.heads.contains(&signature.read().0) {
            return Err(authorship(Error::UnknownReadHead { entry: k }));
        }
        // The manifest entry is signed with the administrator key it carries.
        let (board, key) = match (entry.kind(), &self.manifest) {
            (EntryKind::Manifest, _) => {
                let manifest = Manifest::from_bytes(entry.body())
                    .map_err(|e| failure(Check::Parameters, k, None, e))?;
                let board = manifest
                    .ceremony_context()
                    .map_err(|e| failure(Check::Parameters, k, None, e))?;
                let key = manifest
                    .authorities()
                    .map(|a| a.administrator().clone())
                    .ok_or_else(|| {
                        failure(
                            Check::Parameters,
                            k,
                            None,
                            out_of_place("a board's manifest names its authorities"),
                        )
                    })?;
                (board, key)
            }
            (_, None) => {
                return Err(failure(
                    Check::Entries,
                    k,
                    None,
                    out_of_place("the first entry of a board is its manifest"),
                ));
            }
            (_, Some((manifest, board))) => {
                let authorities = manifest
                    .authorities()
                    .ok_or_else(|| authorship(out_of_place("the manifest names no authorities")))?;
                let key = authorities.key_of(entry.author()).ok_or_else(|| {
                    if entry.author().role() == crate::board::Role::CredentialAuthority {
                        authorship(out_of_place("the manifest names no credential authority"))
                    } else {
                        authorship(Error::InvalidTrusteeIndex {
                            index: entry.author().trustee_index().map_or(0, |i| i.get()),
                            trustees: manifest.trustees(),
                        })
                    }
                })?;
                (*board, key.clone())
            }
        };
        entry
            .verify_signature(&board, &key)
            .map_err(|_| authorship(Error::EntrySignatureRejected { entry: k }))?;
        if self.signed.contains(&signed_digest(entry)) {
            return Err(authorship(out_of_place(
                "a signed entry already on the board, posted again (a replay)",
            )));
        }
        Ok(())
    }

    fn manifest_entry(&mut self, k: u64, entry: &Entry) -> core::result::Result<Applied, Failure> {
        if self.manifest.is_some() {
            return Err(failure(
                Check::Sequence,
                k,
                None,
                out_of_place("a board has one manifest"),
            ));
        }
        let manifest = Manifest::from_bytes(entry.body())
            .map_err(|e| failure(Check::Parameters, k, None, e))?;
        let board = manifest
            .ceremony_context()
            .map_err(|e| failure(Check::Parameters, k, None, e))?;
        self.pass(
            Check::Parameters,
            None,
            format!(
                "{} candidates, {} of {} trustees, privacy floor {}",
                manifest.candidates().len(),
                manifest.threshold(),
                manifest.trustees(),
                manifest.privacy_floor()
            ),
        );
        self.manifest = Some((manifest, board));
        Ok(Applied::Done)
    }

    fn manifest_or_fail(
        &self,
        k: u64,
    ) -> core::result::Result<&(Manifest, ElectionContext), Failure> {
        self.manifest.as_ref().ok_or_else(|| {
            failure(
                Check::Entries,
                k,
                None,
                out_of_place("the first entry of a board is its manifest"),
            )
        })
    }

    /// Check 4: the credential authority's roll, once, before the first round, one
    /// credential per eligible member.
    fn roll_entry(&mut self, k: u64, entry: &Entry) -> core::result::Result<Applied, Failure> {
        let fail = |e| failure(Check::Roll, k, None, e);
        let (manifest, _) = self.manifest_or_fail(k)?;
        let Some(second_ballot) = manifest.roll() else {
            return Err(fail(out_of_place("a roll in an election without one")));
        };
        if self.roll.is_some() {
            return Err(fail(out_of_place("the roll is posted once")));
        }
        let voting_began = !self.history.is_empty() || !matches!(self.current, Current::Between);
        if voting_began {
            return Err(failure(
                Check::Sequence,
                k,
                self.round_number(),
                out_of_place("the roll is posted before the first round"),
            ));
        }
        let roll = Roll::from_bytes(entry.body()).map_err(fail)?;
        if roll.len() as u64 != manifest.eligible() {
            return Err(fail(Error::InvalidValue {
                what: "roll",
                reason: "the roll does not hold one credential per eligible member",
            }));
        }
        let roll = Arc::new(roll);
        if let Some(election) = &mut self.election {
            election.set_roll(Arc::clone(&roll)).map_err(fail)?;
        }
        self.pass(
            Check::Roll,
            None,
            format!(
                "{} credentials, sorted and distinct; a second ballot is {}",
                roll.len(),
                second_ballot.name()
            ),
        );
        self.roll = Some(roll);
        Ok(Applied::Done)
    }

    fn ceremony_run(&mut self, k: u64, entry: &Entry) -> core::result::Result<Applied, Failure> {
        let ceremony = |e| failure(Check::Ceremony, k, None, e);
        let (manifest, _) = self.manifest_or_fail(k)?;
        if self.election.is_some() {
            return Err(failure(
                Check::Sequence,
                k,
                None,
                out_of_place("a ceremony run after the keys were announced"),
            ));
        }
        let run = CeremonyRun::from_bytes(entry.body()).map_err(ceremony)?;
        if self.runs.contains(&run.run) {
            return Err(failure(
                Check::Sequence,
                k,
                None,
                out_of_place("a ceremony run with a nonce already used on this board"),
            ));
        }
        let fingerprint = manifest.ceremony_context().map_err(ceremony)?;
        let ctx = CeremonyContext::new(fingerprint, manifest.threshold_params(), run.run);
        self.runs.insert(run.run);
        self.ceremony = Some(Ceremony {
            ctx,
            board: CeremonyBoard::new(),
            reached: 0,
        });
        Ok(Applied::Done)
    }

    fn ceremony_message(
        &mut self,
        k: u64,
        entry: &Entry,
    ) -> core::result::Result<Applied, Failure> {
        if self.election.is_some() {
            return Err(failure(
                Check::Sequence,
                k,
                None,
                out_of_place("a ceremony message after the keys were announced"),
            ));
        }
        let Some(ceremony) = &mut self.ceremony else {
            return Err(failure(
                Check::Sequence,
                k,
                None,
                out_of_place("a ceremony message before any ceremony run"),
            ));
        };
        let Some(author) = entry.author().trustee_index() else {
            return Err(failure(
                Check::Authorship,
                k,
                None,
                out_of_place("a ceremony message from no trustee"),
            ));
        };
        let round = match peek(entry.body()) {
            Some((ObjectKind::CeremonyRound1, _)) => CeremonyRound::Commit,
            Some((ObjectKind::CeremonyRound2, _)) => CeremonyRound::Reveal,
            Some((ObjectKind::CeremonyRound3, _)) => CeremonyRound::Complain,
            _ => {
                return Err(failure(
                    Check::Ceremony,
                    k,
                    None,
                    out_of_place("a ceremony message that is not a round-1, -2 or -3 message"),
                ));
            }
        };
        if round.number() < ceremony.reached {
            return Err(failure(
                Check::Sequence,
                k,
                None,
                Error::CeremonyRoundClosed {
                    round: round.number(),
                },
            ));
        }
        let mut board = ceremony.board.clone();
        board
            .post(round, author, entry.body().to_vec())
            .map_err(|e| failure(Check::Ceremony, k, None, e))?;
        // A message of another run, kind or protocol version has no place on this board.
        if let Some((r, a)) = foreign_entries(&ceremony.ctx, &board).first() {
            return Err(failure(
                Check::Ceremony,
                k,
                None,
                Error::ForeignCeremonyEntry {
                    round: r.number(),
                    author: *a,
                },
            ));
        }
        ceremony.board = board;
        ceremony.reached = round.number();
        Ok(Applied::Done)
    }

    fn keys(&mut self, k: u64, entry: &Entry) -> core::result::Result<Applied, Failure> {
        let fail3 = |e| failure(Check::Ceremony, k, None, e);
        if self.election.is_some() {
            return Err(failure(
                Check::Sequence,
                k,
                None,
                out_of_place("the keys are announced once"),
            ));
        }
        let (manifest, _) = self.manifest_or_fail(k)?;
        let Some(ceremony) = &self.ceremony else {
            return Err(failure(
                Check::Sequence,
                k,
                None,
                out_of_place("keys announced before any ceremony run"),
            ));
        };
        let keys = Keys::from_bytes(entry.body()).map_err(fail3)?;
        let outcome = verify_ceremony(&ceremony.ctx, &ceremony.board).map_err(fail3)?;
        if outcome.public_key_package() != &keys.public {
            return Err(fail3(mismatch("public key package")));
        }
        let mut election = Election::new(manifest.clone(), keys.public.clone()).map_err(fail3)?;
        if election.context().fingerprint() != &keys.fingerprint {
            return Err(fail3(mismatch("election fingerprint")));
        }
        if let Some(roll) = &self.roll {
            election
                .set_roll(Arc::clone(roll))
                .map_err(|e| failure(Check::Roll, k, None, e))?;
        }
        let excluded: Vec<u32> = outcome
            .excluded()
            .iter()
            .map(|e| e.trustee().get())
            .collect();
        self.pass(
            Check::Ceremony,
            None,
            format!(
                "{} trustees qualified, excluded: {excluded:?}; fingerprint {}",
                outcome.qualified().len(),
                crate::encoding::to_hex(&keys.fingerprint)
            ),
        );
        self.outcome = Some(outcome);
        self.election = Some(election);
        Ok(Applied::Done)
    }

    /// The election, between rounds, for an administrator's event.
    fn between(
        &mut self,
        k: u64,
        what: &'static str,
    ) -> core::result::Result<&mut Election, Failure> {
        let round = self.round_number();
        if !matches!(self.current, Current::Between) {
            return Err(failure(Check::Sequence, k, round, out_of_place(what)));
        }
        self.election.as_mut().ok_or_else(|| {
            failure(
                Check::Sequence,
                k,
                None,
                out_of_place("an election event before the keys are announced"),
            )
        })
    }

    fn withdrawal(&mut self, k: u64, entry: &Entry) -> core::result::Result<Applied, Failure> {
        let round = self.round_number();
        let w = Withdrawal::from_bytes(entry.body())
            .map_err(|e| failure(Check::Sequence, k, round, e))?;
        let election = self.between(k, "a withdrawal while a round is open or undecided")?;
        election
            .withdraw(w.candidate as usize)
            .map_err(|e| failure(Check::Sequence, k, round, e))?;
        self.withdrawn.push(w.candidate as usize);
        self.pass(
            Check::Sequence,
            round,
            format!("candidate {} withdrew", w.candidate),
        );
        Ok(Applied::Done)
    }

    fn tie_resolution(&mut self, k: u64, entry: &Entry) -> core::result::Result<Applied, Failure> {
        let round = self.round_number();
        let t = TieResolution::from_bytes(entry.body())
            .map_err(|e| failure(Check::TieResolution, k, round, e))?;
        let last = match self.history.last() {
            Some(RoundHistory {
                number,
                end: RoundEnd::Decided(_),
                tie: None,
                ..
            }) => Some(*number),
            _ => None,
        };
        let election = self.between(k, "a tie resolution while a round is open or undecided")?;
        if last != Some(t.round) {
            return Err(failure(
                Check::TieResolution,
                k,
                Some(t.round),
                out_of_place("a tie resolution is for the last decided round"),
            ));
        }
        election
            .resolve_tie_for_lowest(t.eliminated as usize, t.how)
            .map_err(|e| failure(Check::TieResolution, k, Some(t.round), e))?;
        if let Some(h) = self.history.last_mut() {
            h.tie = Some(t);
        }
        self.pass(
            Check::TieResolution,
            Some(t.round),
            format!(
                "tie for lowest resolved by {:?}: candidate {} eliminated",
                t.how, t.eliminated
            ),
        );
        Ok(Applied::Done)
    }

    fn acclamation(&mut self, k: u64, entry: &Entry) -> core::result::Result<Applied, Failure> {
        let round = self.round_number();
        let a = Acclamation::from_bytes(entry.body())
            .map_err(|e| failure(Check::Sequence, k, round, e))?;
        let election = self.between(k, "an acclamation while a round is open or undecided")?;
        if a.round != election.standing().round() {
            return Err(failure(
                Check::Sequence,
                k,
                round,
                out_of_place("rounds are numbered 1, 2, … in order"),
            ));
        }
        if let Some(tied) = election.standing().unresolved_tie() {
            return Err(failure(
                Check::TieResolution,
                k,
                round,
                Error::Rule(crate::rules::RuleError::TieForLowestUnresolved {
                    tied: tied.to_vec(),
                }),
            ));
        }
        let mut trial = election.clone();
        let acclaimed = trial
            .acclaim()
            .map_err(|e| failure(Check::Sequence, k, round, e))?;
        if acclaimed.candidate() != a.candidate as usize {
            return Err(failure(
                Check::Sequence,
                k,
                round,
                mismatch("acclaimed candidate"),
            ));
        }
        *election = trial;
        self.history.push(RoundHistory {
            number: a.round,
            withdrawn: core::mem::take(&mut self.withdrawn),
            end: RoundEnd::Acclaimed {
                candidate: a.candidate as usize,
            },
            tie: None,
        });
        self.pass(
            Check::Sequence,
            Some(a.round),
            format!("acclamation of candidate {}", a.candidate),
        );
        Ok(Applied::Done)
    }

    fn round_open(&mut self, k: u64, entry: &Entry) -> core::result::Result<Applied, Failure> {
        let round = self.round_number();
        let opening = RoundOpening::from_bytes(entry.body())
            .map_err(|e| failure(Check::Sequence, k, round, e))?;
        let election = self.between(k, "a round opens while another is open or undecided")?;
        if election.manifest().roll().is_some() && election.eligibility().is_none() {
            return Err(failure(Check::Roll, k, round, Error::RollMissing));
        }
        if let Some(tied) = election.standing().unresolved_tie() {
            return Err(failure(
                Check::TieResolution,
                k,
                round,
                Error::Rule(crate::rules::RuleError::TieForLowestUnresolved {
                    tied: tied.to_vec(),
                }),
            ));
        }
        let open = election
            .open_round(opening.kind)
            .map_err(|e| failure(Check::Sequence, k, round, e))?;
        let candidates: Vec<u32> = open
            .candidates()
            .iter()
            .map(|c| u32::try_from(*c).unwrap_or(u32::MAX))
            .collect();
        if opening.round != open.number()
            || opening.candidates != candidates
            || &opening.contest != open.contest()
        {
            return Err(failure(
                Check::Sequence,
                k,
                Some(open.number()),
                mismatch("round opening (number, candidates or contest)"),
            ));
        }
        self.pass(
            Check::Sequence,
            Some(open.number()),
            format!("{:?} among {candidates:?}", opening.kind),
        );
        self.voters.push((open.number(), Vec::new()));
        self.current = Current::Open(Box::new(open));
        Ok(Applied::Done)
    }

    fn open_or_fail(&mut self, k: u64) -> core::result::Result<&mut OpenRound, Failure> {
        let round = self.round_number();
        match &mut self.current {
            Current::Open(open) => Ok(open),
            _ => Err(failure(
                Check::Sequence,
                k,
                round,
                out_of_place("a ballot while no round is open"),
            )),
        }
    }

    fn ballot(
        &mut self,
        k: u64,
        entry: &Entry,
        verified: Option<VerifiedBallot>,
    ) -> core::result::Result<Applied, Failure> {
        let open = self.open_or_fail(k)?;
        let round = Some(open.number());
        // A ballot's credential, signature and uniqueness are check 7; the rest 8 and 10.
        let named = |otherwise: Check| {
            move |e: Error| {
                let check = if e.is_eligibility() {
                    Check::Eligibility
                } else {
                    otherwise
                };
                failure(check, k, round, e)
            }
        };
        let verified = match verified {
            Some(v) if v.verified_for(&open.context()) => v,
            _ => {
                let ballot = EncryptedBallot::from_bytes(entry.body())
                    .map_err(named(Check::BallotProofs))?;
                ballot
                    .verify(&open.context())
                    .map_err(named(Check::BallotProofs))?
            }
        };
        let code = open
            .cast_verified(verified)
            .map_err(named(Check::BoxRules))?;
        Ok(Applied::Code(code))
    }

    fn challenged(&mut self, k: u64, entry: &Entry) -> core::result::Result<Applied, Failure> {
        let open = self.open_or_fail(k)?;
        let round = Some(open.number());
        let named = |e: Error| {
            let check = if e.is_eligibility() {
                Check::Eligibility
            } else {
                Check::ChallengedBallots
            };
            failure(check, k, round, e)
        };
        let challenged = ChallengedBallot::from_bytes(entry.body()).map_err(named)?;
        challenged.verify(&open.context()).map_err(named)?;
        let code = open
            .challenge_checked(challenged)
            .map_err(|e| failure(Check::BoxRules, k, round, e))?;
        Ok(Applied::Code(code))
    }

    fn round_close(&mut self, k: u64, entry: &Entry) -> core::result::Result<Applied, Failure> {
        let round = self.round_number();
        let announced =
            BoxClose::from_bytes(entry.body()).map_err(|e| failure(Check::Close, k, round, e))?;
        let current = core::mem::replace(&mut self.current, Current::Between);
        let Current::Open(open) = current else {
            self.current = current;
            return Err(failure(
                Check::Sequence,
                k,
                round,
                out_of_place("a close while no round is open"),
            ));
        };
        let close = open.ballot_box().close();
        if announced != close {
            self.current = Current::Open(open);
            return Err(failure(
                Check::Close,
                k,
                round,
                mismatch("close of the box"),
            ));
        }
        let challenged = close.challenged();
        if let Some(roll) = &self.roll {
            if close.counted() > roll.len() as u64 {
                self.current = Current::Open(open);
                return Err(failure(
                    Check::Eligibility,
                    k,
                    round,
                    out_of_place("more ballots counted than credentials on the roll"),
                ));
            }
            self.pass(
                Check::Eligibility,
                round,
                format!(
                    "{} ballots signed with credentials on the roll; {} counted, {} replaced, \
                     of {} credentials",
                    close.cast(),
                    close.counted(),
                    close.replaced(),
                    roll.len()
                ),
            );
        }
        self.pass(
            Check::BallotProofs,
            round,
            format!("{} cast ballots verified", close.cast()),
        );
        if challenged > 0 {
            self.pass(
                Check::ChallengedBallots,
                round,
                format!("{challenged} challenged ballots opened"),
            );
        }
        self.pass(
            Check::BoxRules,
            round,
            format!("{} cast, {challenged} challenged", close.cast()),
        );
        self.pass(
            Check::Close,
            round,
            format!("chain head {}", close.chain_head()),
        );
        self.current = Current::Closed {
            round: Box::new(open.close()),
            close,
            partials: Vec::new(),
        };
        Ok(Applied::Done)
    }

    fn partial(&mut self, k: u64, entry: &Entry) -> core::result::Result<Applied, Failure> {
        let round = self.round_number();
        let (
            Some(election),
            Current::Closed {
                round: closed,
                close,
                partials,
            },
        ) = (&self.election, &mut self.current)
        else {
            return Err(failure(
                Check::Sequence,
                k,
                round,
                out_of_place("a partial decryption while no round is closed"),
            ));
        };
        let floor = election.manifest().privacy_floor();
        if close.counted() < floor {
            return Err(failure(
                Check::PrivacyFloor,
                k,
                round,
                Error::BelowPrivacyFloor {
                    ballots: close.counted(),
                    floor,
                },
            ));
        }
        let first = partials.is_empty();
        let fail = |e| failure(Check::PartialDecryptions, k, round, e);
        let partial = PartialDecryption::from_bytes(entry.body()).map_err(fail)?;
        if entry.author().trustee_index() != Some(partial.trustee()) {
            return Err(failure(
                Check::Authorship,
                k,
                round,
                out_of_place("a trustee posts only its own partial decryption"),
            ));
        }
        if partials.iter().any(|p| p.trustee() == partial.trustee()) {
            return Err(fail(Error::DuplicateTrustee {
                trustee: partial.trustee().get(),
            }));
        }
        let tally = closed.tally();
        let ctx = DecryptionContext::new(
            election.context(),
            election.public_key_package(),
            close,
            tally.ciphertexts(),
        )
        .map_err(fail)?;
        partial.verify(&ctx).map_err(fail)?;
        partials.push(partial);
        if first {
            let counted = close.counted();
            self.pass(
                Check::PrivacyFloor,
                round,
                format!("{counted} counted ballots, floor {floor}"),
            );
        }
        Ok(Applied::Done)
    }

    fn result(&mut self, k: u64, entry: &Entry) -> core::result::Result<Applied, Failure> {
        let round = self.round_number();
        let announced = RoundResult::from_bytes(entry.body())
            .map_err(|e| failure(Check::Combination, k, round, e))?;
        let current = core::mem::replace(&mut self.current, Current::Between);
        let Current::Closed {
            round: closed,
            close,
            mut partials,
        } = current
        else {
            self.current = current;
            return Err(failure(
                Check::Sequence,
                k,
                round,
                out_of_place("a result while no round is closed"),
            ));
        };
        let restore = |this: &mut Self, closed, close, partials| {
            this.current = Current::Closed {
                round: closed,
                close,
                partials,
            };
        };
        let Some(election) = self.election.as_ref() else {
            restore(self, closed, close, partials);
            return Err(failure(
                Check::Sequence,
                k,
                round,
                out_of_place("no election"),
            ));
        };
        // The partials combine in increasing trustee order: the first t are the combined. The
        // decision is made on a copy of the election, kept only if the result matches.
        partials.sort_by_key(|p| p.trustee());
        let mut trial = election.clone();
        let outcome = match trial.tally_round(&closed, &partials) {
            Ok(outcome) => outcome,
            Err(e) => {
                restore(self, closed, close, partials);
                return Err(failure(Check::Combination, k, round, e));
            }
        };
        let combined: Vec<u32> = outcome.decryption.used.iter().map(|t| t.get()).collect();
        let decision = Decision::of(&outcome.decision);
        let check = if announced.round != closed.number() || announced.combined != combined {
            Some((Check::Combination, "combined trustees"))
        } else if announced.totals != outcome.totals.slots() {
            Some((Check::Combination, "totals"))
        } else if announced.decision != decision {
            Some((Check::Outcome, "round result"))
        } else {
            None
        };
        if let Some((check, what)) = check {
            restore(self, closed, close, partials);
            return Err(failure(check, k, round, mismatch(what)));
        }
        self.election = Some(trial);
        let number = closed.number();
        self.pass(
            Check::PartialDecryptions,
            Some(number),
            format!(
                "trustees {:?}",
                partials
                    .iter()
                    .map(|p| p.trustee().get())
                    .collect::<Vec<_>>()
            ),
        );
        self.pass(
            Check::Combination,
            Some(number),
            format!(
                "combined trustees {combined:?}, totals {:?}",
                announced.totals
            ),
        );
        self.pass(
            Check::Outcome,
            Some(number),
            format!(
                "V = {}, required {:?}, elected {:?}, eliminated {:?}",
                decision.base, decision.required, decision.elected, decision.eliminated
            ),
        );
        self.history.push(RoundHistory {
            number,
            withdrawn: core::mem::take(&mut self.withdrawn),
            end: RoundEnd::Decided(Box::new(DecidedRound {
                round: *closed,
                close,
                outcome,
                result_entry: k,
            })),
            tie: None,
        });
        Ok(Applied::Done)
    }

    /// Ends the replay: check 15, the end of the board. An open, closed or undecided last
    /// round, a pending tie and an unfinished ceremony are states a board may be in; the
    /// report says which.
    pub fn finish(mut self) -> Report {
        let roll_missing = self
            .manifest()
            .is_some_and(|m| m.roll().is_some() && self.roll.is_none());
        let end = match (&self.election, &self.current) {
            (None, _) if roll_missing => {
                "the key ceremony is not finished and the roll is not posted".to_string()
            }
            (None, _) => "the key ceremony is not finished".to_string(),
            (Some(_), Current::Between) if roll_missing => "the roll is not posted".to_string(),
            (Some(e), Current::Between) => {
                match (e.standing().elected(), e.standing().unresolved_tie()) {
                    (Some(c), _) => format!("candidate {c} elected"),
                    (None, Some(tied)) => format!("a tie for lowest among {tied:?} is pending"),
                    (None, None) => "nobody elected yet".to_string(),
                }
            }
            (Some(_), Current::Open(open)) => format!("round {} is open", open.number()),
            (
                Some(_),
                Current::Closed {
                    round, partials, ..
                },
            ) => format!(
                "round {} is closed, {} partial decryptions so far",
                round.number(),
                partials.len()
            ),
        };
        self.pass(Check::End, None, end);
        self.report
    }

    /// Every round's ballot box on the board, in round order, with the round's state:
    /// `"decided"`, `"closed"` or `"open"` (what a confirmation-code lookup searches).
    pub fn ballot_boxes(&self) -> Vec<(u32, &crate::tally::BallotBox, &'static str)> {
        let mut out: Vec<(u32, &crate::tally::BallotBox, &'static str)> = self
            .history
            .iter()
            .filter_map(|h| match &h.end {
                RoundEnd::Decided(d) => Some((h.number, d.round.ballot_box(), "decided")),
                RoundEnd::Acclaimed { .. } => None,
            })
            .collect();
        if let Some((closed, _, _)) = self.closed_round() {
            out.push((closed.number(), closed.ballot_box(), "closed"));
        }
        if let Some(open) = self.open_round() {
            out.push((open.number(), open.ballot_box(), "open"));
        }
        out
    }

    /// Where the confirmation code `wanted` is on the board: the round and box entry that got
    /// it, and that entry's board position; `None` if no box holds it.
    ///
    /// Every round's box is searched, in round order ([`Replay::ballot_boxes`]); rounds that
    /// were acclaimed have no box. A round number is never opened twice (each opening takes
    /// the next number), so a box's entries are found by its round.
    pub fn find_code(&self, wanted: &CodeQuery) -> Option<CodeLocation> {
        self.ballot_boxes()
            .into_iter()
            .find_map(|(round, ballot_box, round_state)| {
                let box_index = ballot_box.codes().iter().position(|c| wanted.matches(c))?;
                let code = *ballot_box.codes().get(box_index)?;
                let found = ballot_box.entries().get(box_index)?;
                let entry = self
                    .voters
                    .iter()
                    .rev()
                    .find(|(r, _)| *r == round)
                    .and_then(|(_, at)| at.get(box_index).copied())?;
                Some(CodeLocation {
                    round,
                    round_state,
                    entry,
                    box_index,
                    kind: found.kind(),
                    replaced: ballot_box.is_replaced(box_index),
                    ballot_id: *found.id(),
                    code,
                })
            })
    }

    /// The trustee whose partial for the closed round is already on the board, if any.
    pub fn has_partial(&self, trustee: TrusteeIndex) -> bool {
        self.closed_round()
            .is_some_and(|(_, _, partials)| partials.iter().any(|p| p.trustee() == trustee))
    }
}
