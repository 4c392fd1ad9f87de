//! An election on a board: every step appends an entry, and the state is the fold of the
//! board (docs/SPEC.md §14).
//!
//! A [`BoardElection`] holds a [`Log`] over a [`Store`] and the [`Replay`] of its entries.
//! Opening it replays the whole store, checking every entry, so an election resumes after
//! any interruption exactly where its board stands. [`BoardElection::post`] applies an entry
//! to the replay, which checks it where it stands, and only then appends it; ballots are
//! verified in batches and appended in one step of the store ([`BoardElection::cast_batch`]:
//! group commit), each acknowledged with its confirmation code only once the store has
//! committed it. A voter's entry posted again byte for byte (a retry after a lost answer) gets
//! its confirmation code again, and nothing is appended ([`BoardElection::cast`]).
//!
//! The [`Administrator`] makes the administrator's entries from the board it reads: the
//! manifest, a ceremony run, the keys, withdrawals, a round's opening, its close and its
//! result, a tie resolution, an acclamation. Each announced value is computed from the state,
//! and every reader recomputes it.

use rand_core::{CryptoRng, RngCore};

use crate::ballot::{
    BallotContext, ChallengedBallot, ContestSpec, EncryptedBallot, VerifiedBallot,
};
use crate::board::ConfirmationCode;
use crate::board::chain::Head;
use crate::board::entry::{Author, Entry, EntryKind};
use crate::board::log::Log;
use crate::board::store::Store;
use crate::credential::Eligibility;
use crate::election::event::{
    Acclamation, CeremonyRun, Decision, Keys, RoundOpening, RoundResult, Withdrawal,
};
use crate::election::replay::{Applied, Replay};
use crate::election::{Manifest, RoundKind};
use crate::elgamal::{PublicKey, SecretKey};
use crate::error::{Error, Result};
use crate::record::BoardRecord;
use crate::rules::TieBreak;
use crate::threshold::dkg::verify_ceremony;
use crate::transcript::ElectionContext;
use crate::verify::Failure;

/// An election whose every step is an entry of its board.
#[derive(Debug)]
pub struct BoardElection<S: Store> {
    log: Log<S>,
    replay: Replay,
    /// Set when the store refused an append after the replay had applied it: the state is
    /// then ahead of the store, and the board must be opened again.
    poisoned: bool,
}

fn refused(failure: Failure) -> Error {
    Error::EntryRefused(Box::new(failure))
}

/// The confirmation code of an applied voter's entry (the box gives every admitted ballot or
/// challenged ballot one).
fn code_of(applied: Applied) -> Result<ConfirmationCode> {
    match applied {
        Applied::Code(code) => Ok(code),
        Applied::Done => Err(Error::InvalidValue {
            what: "voter's entry",
            reason: "applied without a confirmation code",
        }),
    }
}

/// The context of the open round, owned, so that ballots can be verified without holding the
/// board (for instance on other threads while the board takes other ballots).
#[derive(Clone, Debug)]
pub struct RoundContext {
    election: ElectionContext,
    key: PublicKey,
    round: u32,
    contest: ContestSpec,
    eligibility: Option<Eligibility>,
}

impl RoundContext {
    /// The ballot context to verify (or make) ballots in.
    pub fn ballot_context(&self) -> BallotContext<'_> {
        BallotContext {
            election: &self.election,
            key: &self.key,
            round: self.round,
            contest: &self.contest,
            eligibility: self.eligibility.as_ref(),
        }
    }
}

impl<S: Store> BoardElection<S> {
    /// Opens the election kept in `store`: replays every entry, checking each (the same
    /// checks as [`crate::verify::verify_record`]).
    ///
    /// Errors: [`Error::BoardCorrupted`] naming the first stored entry that is not what the
    /// chain says (altered, removed, reordered, torn) or does not decode;
    /// [`Error::EntryRefused`] with the numbered check of the first entry that does not apply;
    /// the store's errors.
    pub fn open(store: S) -> Result<Self> {
        let mut replay = Replay::new();
        let log = Log::open(store, |_, entry, before| {
            replay.apply(entry, before).map(|_| ()).map_err(refused)
        })?;
        Ok(BoardElection {
            log,
            replay,
            poisoned: false,
        })
    }

    /// Opens the board in `store` as [`BoardElection::open`] does, and checks that it is the
    /// board of the election whose board id (the manifest's
    /// [`Manifest::ceremony_context`]) is `board`. An empty store is a new board of it.
    ///
    /// Errors: [`Error::AnotherElection`] when the store holds another election's board;
    /// those of [`BoardElection::open`].
    pub fn open_expecting(store: S, board: &ElectionContext) -> Result<Self> {
        let opened = Self::open(store)?;
        match opened.replay.board_id() {
            Some(id) if id != board => Err(Error::AnotherElection),
            _ => Ok(opened),
        }
    }

    /// The state of the election.
    pub fn replay(&self) -> &Replay {
        &self.replay
    }

    /// The state of the election, by value.
    pub fn into_replay(self) -> Replay {
        self.replay
    }

    /// The head of the board.
    pub fn head(&self) -> Head {
        self.log.head()
    }

    /// The number of entries.
    pub fn len(&self) -> u64 {
        self.log.len()
    }

    /// Whether the board holds no entry.
    pub fn is_empty(&self) -> bool {
        self.log.is_empty()
    }

    /// The store.
    pub fn store(&self) -> &S {
        self.log.store()
    }

    fn check_usable(&self) -> Result<()> {
        if self.poisoned {
            return Err(Error::Storage {
                what: "board",
                detail: "an append failed: open the board again".to_string(),
            });
        }
        Ok(())
    }

    /// Applies `entry` to the state and appends it; it is on the board when this returns.
    /// A voter's entry goes through the replay's rules alone: a retry of a ballot is
    /// acknowledged by [`BoardElection::cast`] and [`BoardElection::challenge`], not here.
    ///
    /// Errors: [`Error::EntryRefused`] with the numbered check the entry fails (nothing is
    /// appended); the store's errors (then the board must be opened again).
    pub fn post(&mut self, entry: Entry) -> Result<Applied> {
        self.check_usable()?;
        let applied = self
            .replay
            .apply(&entry, &self.log.head())
            .map_err(refused)?;
        if let Err(e) = self.log.append(core::slice::from_ref(&entry)) {
            self.poisoned = true;
            return Err(e);
        }
        Ok(applied)
    }

    /// The record: every entry of the board, read back from the store and checked against
    /// the chain.
    pub fn record(&self) -> Result<BoardRecord> {
        BoardRecord::from_store(self.log.store())
    }

    /// The context of the open round, for voters' devices and for verifying ballots away from
    /// the board.
    pub fn round_context(&self) -> Option<RoundContext> {
        let open = self.replay.open_round()?;
        let election = self.replay.election()?;
        Some(RoundContext {
            election: *election.context(),
            key: election.key().clone(),
            round: open.number(),
            contest: open.contest().clone(),
            eligibility: election.eligibility().cloned(),
        })
    }

    /// Casts one ballot: verifies it, applies it and appends it. Returns its confirmation code
    /// once it is on the board.
    ///
    /// A retry is safe. A ballot whose canonical bytes are exactly those of a ballot already
    /// cast in the open round (a device that posts again after losing the answer) gets that
    /// ballot's confirmation code again, and nothing is appended
    /// ([`BoardElection::already_cast`]); it is not verified again. This holds for a ballot
    /// replaced since by a later ballot of its credential too: the retry changes nothing, and
    /// the later ballot stays the counted one. A ballot that differs in any byte (another
    /// encryption under the same credential, or the same ballot id with other ciphertexts) is
    /// a new ballot, refused or admitted by the box's rules as before. The board never holds
    /// a ballot twice, and the record's checks are unchanged.
    pub fn cast(&mut self, ballot: &EncryptedBallot) -> Result<ConfirmationCode> {
        self.check_usable()?;
        if let Some(code) = self.already_cast(ballot) {
            return Ok(code);
        }
        self.post_voter(EntryKind::Ballot, ballot.to_bytes())
    }

    /// Records a challenged ballot on the board; returns its confirmation code.
    ///
    /// A retry is safe, as for [`BoardElection::cast`]: a challenged ballot whose canonical
    /// bytes (ballot and opening) are exactly those of one already recorded in the open round
    /// gets its confirmation code again, and nothing is appended
    /// ([`BoardElection::already_challenged`]). One that differs in any byte is refused or
    /// admitted by the box's rules as before (its id already in the box: refused).
    pub fn challenge(&mut self, challenged: &ChallengedBallot) -> Result<ConfirmationCode> {
        self.check_usable()?;
        if let Some(code) = self.already_challenged(challenged) {
            return Ok(code);
        }
        self.post_voter(EntryKind::Challenged, challenged.to_bytes())
    }

    /// The confirmation code of the ballot cast in the open round whose canonical bytes are
    /// exactly `ballot`'s, if there is one (counted or replaced): what a retry of `ballot` gets
    /// from [`BoardElection::cast`]. One lookup by ballot id, then a comparison of the bytes.
    /// `None` while no round is open, and on a board whose store failed (its state may be
    /// ahead of the store).
    pub fn already_cast(&self, ballot: &EncryptedBallot) -> Option<ConfirmationCode> {
        if self.poisoned {
            return None;
        }
        self.replay.open_round()?.ballot_box().cast_code(ballot)
    }

    /// [`BoardElection::already_cast`] for a challenged ballot: the code of the challenged
    /// ballot recorded in the open round with exactly `challenged`'s bytes, if there is one.
    pub fn already_challenged(&self, challenged: &ChallengedBallot) -> Option<ConfirmationCode> {
        if self.poisoned {
            return None;
        }
        self.replay
            .open_round()?
            .ballot_box()
            .challenged_code(challenged)
    }

    /// Posts a voter's entry and returns the code the box gave it.
    fn post_voter(&mut self, kind: EntryKind, body: Vec<u8>) -> Result<ConfirmationCode> {
        code_of(self.post(Entry::voter(kind, body)?)?)
    }

    /// Casts many ballots at once: verifies them in one batch, applies the valid ones in
    /// order, and appends all the applied ones in one step of the store (group commit). Each
    /// ballot gets its confirmation code, or the reason it was refused; when the store fails,
    /// every ballot gets the error and none is on the board.
    ///
    /// Retries are safe, as for [`BoardElection::cast`]: a ballot with exactly the bytes of
    /// one already cast in the open round, before or earlier in the same batch, gets that
    /// ballot's code, and is appended only once.
    pub fn cast_batch(&mut self, ballots: Vec<EncryptedBallot>) -> Vec<Result<ConfirmationCode>> {
        let Some(ctx) = self.round_context() else {
            let error = Error::EntryRefused(Box::new(Failure {
                check: crate::verify::Check::Sequence,
                round: None,
                entry: Some(self.len()),
                error: Error::InvalidValue {
                    what: "board entry",
                    reason: "a ballot while no round is open",
                },
            }));
            return ballots.iter().map(|_| Err(error.clone())).collect();
        };
        let verdicts = EncryptedBallot::verify_batch_in_order(ballots, &ctx.ballot_context());
        self.cast_verified(verdicts)
    }

    /// [`BoardElection::cast_batch`] for ballots already verified (for instance on other
    /// threads, with [`BoardElection::round_context`]); each verdict is one ballot's. A ballot
    /// that failed its verification is refused like one the board refuses
    /// ([`Error::EntryRefused`], check 7 or 8, no entry: it never reached the board).
    /// Retries are safe as for [`BoardElection::cast_batch`]: a ballot with exactly the bytes
    /// of one already cast in the open round, or earlier in `verdicts`, gets that ballot's
    /// code and is appended once.
    pub fn cast_verified(
        &mut self,
        verdicts: Vec<core::result::Result<VerifiedBallot, (crate::ballot::BallotId, Error)>>,
    ) -> Vec<Result<ConfirmationCode>> {
        if let Err(e) = self.check_usable() {
            return verdicts.iter().map(|_| Err(e.clone())).collect();
        }
        let mut out = Vec::with_capacity(verdicts.len());
        let mut entries = Vec::with_capacity(verdicts.len());
        let mut head = self.log.head();
        let round = self.replay.open_round().map(|o| o.number());
        for verdict in verdicts {
            let ballot = match verdict {
                Ok(v) => v,
                Err((_, e)) => {
                    // Refused before the board: named by the check the replay would give it
                    // (7 for its credential or signature, 8 for its shape and proofs).
                    let check = if e.is_eligibility() {
                        crate::verify::Check::Eligibility
                    } else {
                        crate::verify::Check::BallotProofs
                    };
                    out.push(Err(refused(Failure {
                        check,
                        round,
                        entry: None,
                        error: e,
                    })));
                    continue;
                }
            };
            // A retry: the bytes of a ballot of the open round's box (cast before this batch
            // or earlier in it, since the replay holds the batch's applied ballots) get that
            // ballot's code, and nothing more is appended.
            if let Some(code) = self.already_cast(ballot.ballot()) {
                out.push(Ok(code));
                continue;
            }
            let entry = match Entry::voter(EntryKind::Ballot, ballot.ballot().to_bytes()) {
                Ok(e) => e,
                Err(e) => {
                    out.push(Err(e));
                    continue;
                }
            };
            match self.replay.apply_verified(&entry, &head, ballot) {
                Ok(applied) => {
                    head = head.next(&entry.to_bytes());
                    entries.push(entry);
                    out.push(code_of(applied));
                }
                Err(f) => out.push(Err(refused(f))),
            }
        }
        if entries.is_empty() {
            return out;
        }
        if let Err(e) = self.log.append(&entries) {
            self.poisoned = true;
            return out.into_iter().map(|_| Err(e.clone())).collect();
        }
        out
    }
}

/// The administrator of an election: it makes (and signs) the administrator's entries from
/// the board as it reads it.
pub struct Administrator {
    key: SecretKey,
}

impl core::fmt::Debug for Administrator {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Administrator")
            .field("key", &format_args!("<redacted>"))
            .finish()
    }
}

/// A step asked of a board that is not where the step belongs.
pub(crate) fn no_state(reason: &'static str) -> Error {
    Error::InvalidValue {
        what: "board state",
        reason,
    }
}

/// `author`'s signed entry of `kind` with `body`, for the board `replay` holds, naming the head
/// `read` (the one signing path of the administrator and the trustees).
pub(crate) fn sign_entry<R: RngCore + CryptoRng>(
    replay: &Replay,
    kind: EntryKind,
    author: Author,
    body: Vec<u8>,
    read: Head,
    key: &SecretKey,
    rng: &mut R,
) -> Result<Entry> {
    let board = replay
        .board_id()
        .copied()
        .ok_or_else(|| no_state("the board has no manifest yet"))?;
    Entry::signed(kind, author, body, &board, read, key, rng)
}

impl Administrator {
    /// An administrator with this signing key (its public key goes into the manifest's
    /// authorities).
    pub fn new(key: SecretKey) -> Self {
        Administrator { key }
    }

    /// A fresh administrator key.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        Administrator {
            key: SecretKey::generate(rng),
        }
    }

    /// The public key the manifest must name as the administrator's.
    pub fn public_key(&self) -> PublicKey {
        self.key.public_key()
    }

    /// The signing key, for sealing it at rest.
    pub fn key(&self) -> &SecretKey {
        &self.key
    }

    fn sign<R: RngCore + CryptoRng>(
        &self,
        kind: EntryKind,
        body: Vec<u8>,
        replay: &Replay,
        read: Head,
        rng: &mut R,
    ) -> Result<Entry> {
        sign_entry(
            replay,
            kind,
            Author::ADMINISTRATOR,
            body,
            read,
            &self.key,
            rng,
        )
    }

    /// The board's first entry: the manifest (whose authorities name this administrator).
    pub fn manifest<R: RngCore + CryptoRng>(
        &self,
        manifest: &Manifest,
        rng: &mut R,
    ) -> Result<Entry> {
        let board = manifest.ceremony_context()?;
        Entry::signed(
            EntryKind::Manifest,
            Author::ADMINISTRATOR,
            manifest.to_bytes()?,
            &board,
            Head::genesis(),
            &self.key,
            rng,
        )
    }

    /// The start of a run of the key ceremony, with a fresh run nonce.
    pub fn ceremony_run<R: RngCore + CryptoRng>(
        &self,
        replay: &Replay,
        read: Head,
        rng: &mut R,
    ) -> Result<Entry> {
        let mut run = [0u8; 32];
        rng.fill_bytes(&mut run);
        self.sign(
            EntryKind::CeremonyRun,
            CeremonyRun { run }.to_bytes(),
            replay,
            read,
            rng,
        )
    }

    /// The ceremony's outcome, computed from the ceremony board as it stands (fails while the
    /// ceremony cannot finish).
    pub fn keys<R: RngCore + CryptoRng>(
        &self,
        replay: &Replay,
        read: Head,
        rng: &mut R,
    ) -> Result<Entry> {
        let (Some(ctx), Some(board), Some(manifest)) = (
            replay.ceremony_context(),
            replay.ceremony_board(),
            replay.manifest(),
        ) else {
            return Err(no_state("no ceremony run on the board"));
        };
        let outcome = verify_ceremony(ctx, board)?;
        let public = outcome.public_key_package().clone();
        let election = crate::election::Election::new(manifest.clone(), public.clone())?;
        let keys = Keys {
            public,
            fingerprint: *election.context().fingerprint(),
        };
        self.sign(EntryKind::Keys, keys.to_bytes(), replay, read, rng)
    }

    /// A candidate's withdrawal before the next round.
    pub fn withdraw<R: RngCore + CryptoRng>(
        &self,
        replay: &Replay,
        read: Head,
        candidate: usize,
        rng: &mut R,
    ) -> Result<Entry> {
        let w = Withdrawal {
            candidate: u32::try_from(candidate).unwrap_or(u32::MAX),
        };
        self.sign(EntryKind::Withdrawal, w.to_bytes(), replay, read, rng)
    }

    /// The opening of the next round, with its candidates and contest.
    pub fn open_round<R: RngCore + CryptoRng>(
        &self,
        replay: &Replay,
        read: Head,
        kind: RoundKind,
        rng: &mut R,
    ) -> Result<Entry> {
        let election = replay
            .election()
            .ok_or_else(|| no_state("the keys are not announced yet"))?;
        let open = election.open_round(kind)?;
        let opening = RoundOpening {
            round: open.number(),
            kind,
            candidates: open
                .candidates()
                .iter()
                .map(|c| u32::try_from(*c).unwrap_or(u32::MAX))
                .collect(),
            contest: open.contest().clone(),
        };
        self.sign(EntryKind::RoundOpen, opening.to_bytes(), replay, read, rng)
    }

    /// The close of the open round's box.
    pub fn close_round<R: RngCore + CryptoRng>(
        &self,
        replay: &Replay,
        read: Head,
        rng: &mut R,
    ) -> Result<Entry> {
        let open = replay
            .open_round()
            .ok_or_else(|| no_state("no round is open"))?;
        let close = open.ballot_box().close();
        self.sign(EntryKind::RoundClose, close.to_bytes(), replay, read, rng)
    }

    /// The result of the closed round, from the partial decryptions on the board (fails with
    /// [`Error::NotEnoughShares`] while fewer than t valid ones are there; the round stays
    /// closed).
    pub fn result<R: RngCore + CryptoRng>(
        &self,
        replay: &Replay,
        read: Head,
        rng: &mut R,
    ) -> Result<Entry> {
        let (closed, _, partials) = replay
            .closed_round()
            .ok_or_else(|| no_state("no round is closed"))?;
        let mut trial = replay
            .election()
            .ok_or_else(|| no_state("the keys are not announced yet"))?
            .clone();
        let mut partials = partials.to_vec();
        partials.sort_by_key(|p| p.trustee());
        let outcome = trial.tally_round(closed, &partials)?;
        let result = RoundResult {
            round: closed.number(),
            combined: outcome.decryption.used.iter().map(|t| t.get()).collect(),
            totals: outcome.totals.slots(),
            decision: Decision::of(&outcome.decision),
        };
        self.sign(EntryKind::Result, result.to_bytes(), replay, read, rng)
    }

    /// The resolution of the tie for lowest left by the last round.
    pub fn resolve_tie<R: RngCore + CryptoRng>(
        &self,
        replay: &Replay,
        read: Head,
        candidate: usize,
        how: TieBreak,
        rng: &mut R,
    ) -> Result<Entry> {
        let mut trial = replay
            .election()
            .ok_or_else(|| no_state("the keys are not announced yet"))?
            .clone();
        let t = trial.resolve_tie_for_lowest(candidate, how)?;
        self.sign(EntryKind::TieResolution, t.to_bytes(), replay, read, rng)
    }

    /// The election of the sole remaining candidate by acclamation.
    pub fn acclaim<R: RngCore + CryptoRng>(
        &self,
        replay: &Replay,
        read: Head,
        rng: &mut R,
    ) -> Result<Entry> {
        let mut trial = replay
            .election()
            .ok_or_else(|| no_state("the keys are not announced yet"))?
            .clone();
        let round = trial.standing().round();
        let a = trial.acclaim()?;
        let body = Acclamation {
            round,
            candidate: u32::try_from(a.candidate()).unwrap_or(u32::MAX),
        };
        self.sign(EntryKind::Acclamation, body.to_bytes(), replay, read, rng)
    }
}

/// Runs a whole key ceremony on `board` with every trustee in this process: a run, the three
/// rounds (each trustee posting once every trustee has posted the round before), the keys,
/// and each trustee's key package. For simulations, examples and tests; real trustees run
/// their steps in their own processes ([`crate::election::Trustee::ceremony_step`]).
/// [`simulate_ceremony_keeping`] also keeps each trustee's state and resumes an interrupted
/// ceremony.
pub fn simulate_ceremony<S: Store, R: RngCore + CryptoRng>(
    board: &mut BoardElection<S>,
    administrator: &Administrator,
    trustees: &mut [crate::election::Trustee],
    rng: &mut R,
) -> Result<()> {
    simulate_ceremony_keeping(board, administrator, trustees, rng, |_, _, _| Ok(()))
}

/// [`simulate_ceremony`], resumable: it starts from where `board` stands (a run is posted only
/// if the board has none; a trustee's step that is on the board is not made again), and calls
/// `keep` with each trustee whose state changed, *before* its message is posted, so that a
/// caller that seals the state there never has a message on the board whose secrets it lost.
/// On a board whose ceremony is done and whose trustees hold their key packages it posts
/// nothing.
///
/// Errors: the trustees', the administrator's, the board's, `keep`'s, and
/// [`Error::CeremonyFailed`] when no step can be made and the ceremony is not done.
pub fn simulate_ceremony_keeping<S: Store, R: RngCore + CryptoRng>(
    board: &mut BoardElection<S>,
    administrator: &Administrator,
    trustees: &mut [crate::election::Trustee],
    rng: &mut R,
    mut keep: impl FnMut(&crate::election::Trustee, &Replay, &mut R) -> Result<()>,
) -> Result<()> {
    use crate::election::trustee::Proceed;
    use crate::threshold::dkg::CeremonyRound;
    if board.replay().ceremony_context().is_none() {
        let run = administrator.ceremony_run(board.replay(), board.head(), rng)?;
        board.post(run)?;
    }
    let n = trustees.len();
    loop {
        let mut moved = false;
        for trustee in trustees.iter_mut() {
            let had_keys = trustee.key_package().is_some();
            let entry =
                trustee.ceremony_step(board.replay(), board.head(), Proceed::WhenAll, rng)?;
            if entry.is_some() || trustee.key_package().is_some() != had_keys {
                keep(trustee, board.replay(), rng)?;
                moved = true;
            }
            if let Some(entry) = entry {
                board.post(entry)?;
            }
        }
        if trustees.iter().all(|t| t.key_package().is_some()) {
            return Ok(());
        }
        let complaints = board
            .replay()
            .ceremony_board()
            .map_or(0, |b| b.entries(CeremonyRound::Complain).len());
        if board.replay().ceremony_outcome().is_none() && complaints == n {
            let keys = administrator.keys(board.replay(), board.head(), rng)?;
            board.post(keys)?;
            moved = true;
        }
        if !moved {
            return Err(no_state(
                "the key ceremony cannot go on with these trustees",
            ));
        }
    }
}
