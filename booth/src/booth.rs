//! The voter's steps: load a credential, encrypt a choice, then either challenge the ballot
//! (open it, check the opening, post it, start over) or cast it, and check the confirmation
//! code the server returns against the booth's own copy of the board.
//!
//! ```text
//!            encrypt                 cast                  confirm(code)
//!   Idle ─────────────▶ Encrypted ─────────▶ Casting ─────────────────────▶ Idle
//!    ▲   (again: a new     │                  │  ▲ cast again (a retry: the
//!    │    ballot)          │ challenge        │  │ same bytes)
//!    │                     ▼                  └──┘
//!    └──────────────── Challenged     abandon (the server refused it) ─▶ Idle
//!     challenge_confirmed(code)
//! ```
//!
//! Once the voter presses Cast the ballot's nonces are forgotten: a ballot that may be on the
//! board can never be opened afterwards (opening it would reveal a counted vote), and a retry
//! after a lost answer posts the very same bytes, which the server acknowledges again with
//! the same code rather than as a second ballot.

use serde_json::{Value, json};
use tabella::ballot::{BallotId, BallotNonces, ChallengedBallot, EncryptedBallot, Selection};
use tabella::board::{BallotHash, BoxEntryKind, CodeQuery};
use tabella::credential::CredentialSecret;
use tabella::election::RoundContext;
use tabella::encoding::to_hex;
use tabella::tally::BoxEntry;

use crate::error::{BoothError, Result};
use crate::mirror::Mirror;

/// A ballot encrypted and shown, not yet cast or challenged: it still has its nonces.
struct Encrypted {
    round: RoundContext,
    ballot: EncryptedBallot,
    selection: Selection,
    nonces: BallotNonces,
}

/// Where the voter is.
enum Step {
    Idle,
    Encrypted(Box<Encrypted>),
    /// Cast pressed: the bytes to post (again, after a failure); the nonces are gone.
    Casting(EncryptedBallot),
    /// Challenged: the opening to post.
    Challenged(ChallengedBallot),
}

/// A voting booth: the board as it has checked it, the voter's credential, and the ballot in
/// hand.
pub struct Booth {
    mirror: Mirror,
    credential: Option<CredentialSecret>,
    step: Step,
}

impl core::fmt::Debug for Booth {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let step = match self.step {
            Step::Idle => "idle",
            Step::Encrypted(_) => "encrypted",
            Step::Casting(_) => "casting",
            Step::Challenged(_) => "challenged",
        };
        f.debug_struct("Booth")
            .field("entries", &self.mirror.len())
            .field(
                "credential",
                &self.credential.as_ref().map(|_| "<redacted>"),
            )
            .field("step", &step)
            .finish()
    }
}

impl Booth {
    /// A booth with an empty copy of the board.
    ///
    /// Errors: those of [`Mirror::new`].
    pub fn new() -> Result<Self> {
        Ok(Booth {
            mirror: Mirror::new()?,
            credential: None,
            step: Step::Idle,
        })
    }

    /// The booth's copy of the board.
    pub fn mirror(&self) -> &Mirror {
        &self.mirror
    }

    /// Reads a page of the server's board into the copy ([`Mirror::read_page`]); returns
    /// `{entries, total}`.
    pub fn read_page(&mut self, page: &str) -> Result<Value> {
        let (entries, total) = self.mirror.read_page(page)?;
        Ok(json!({ "entries": entries, "total": total }))
    }

    /// What the page shows ([`Mirror::summary`]), with `credential` (whether one is loaded)
    /// and `step`.
    pub fn summary(&self) -> Value {
        let mut summary = self.mirror.summary();
        if let Some(map) = summary.as_object_mut() {
            map.insert("credential".into(), json!(self.credential.is_some()));
            map.insert(
                "step".into(),
                json!(match self.step {
                    Step::Idle => "idle",
                    Step::Encrypted(_) => "encrypted",
                    Step::Casting(_) => "casting",
                    Step::Challenged(_) => "challenged",
                }),
            );
        }
        summary
    }

    fn open_round(&self) -> Result<RoundContext> {
        self.mirror
            .election()
            .round_context()
            .ok_or(BoothError::NoOpenRound)
    }

    /// Loads the member's credential from its code (72 hex digits) or its file's text, as the
    /// tool writes it ([`CredentialSecret::from_text`]), and checks that it is on the
    /// election's roll. Returns
    /// `{credential}`: the public credential, hex.
    ///
    /// Errors: [`BoothError::Credential`] when the code is not a credential code (a mistyped
    /// digit fails its checksum), when the election has no roll, or when the credential is
    /// not on the roll (another election's).
    pub fn load_credential(&mut self, code: &str) -> Result<Value> {
        let secret = CredentialSecret::from_text(code)
            .map_err(|e| BoothError::Credential(format!("not a credential code: {e}")))?;
        let roll = self.mirror.election().replay().roll().ok_or_else(|| {
            BoothError::Credential(
                "this election has no roll: its ballots need no credential".into(),
            )
        })?;
        let public = secret.public();
        if !roll.contains(&public) {
            return Err(BoothError::Credential(
                "this credential is not on the roll of this election (another election's?)".into(),
            ));
        }
        self.credential = Some(secret);
        Ok(json!({ "credential": to_hex(&public.to_bytes()) }))
    }

    /// Encrypts the choice for the open round: `choice` is the position of an option in
    /// ballot order ([`Mirror::summary`]'s `options`), or `None` to abstain. Replaces a ballot
    /// encrypted before and neither cast nor challenged. Returns `{round, hash, short,
    /// bytes}`: the ballot hash the voter sees before choosing to cast or challenge.
    ///
    /// Errors: [`BoothError::NoOpenRound`]; [`BoothError::Credential`] when the election has a
    /// roll and no credential is loaded; [`BoothError::Choice`]; [`BoothError::Step`] while a
    /// ballot is being cast or a challenge is not yet posted.
    pub fn encrypt(&mut self, choice: Option<u32>) -> Result<Value> {
        match self.step {
            Step::Casting(_) => {
                return Err(BoothError::Step(
                    "a ballot is being cast: press Cast again to post the same ballot",
                ));
            }
            Step::Challenged(_) => {
                return Err(BoothError::Step(
                    "the challenged ballot is not posted yet: press Challenge again",
                ));
            }
            Step::Idle | Step::Encrypted(_) => {}
        }
        let round = self.open_round()?;
        let ctx = round.ballot_context();
        if ctx.eligibility.is_some() && self.credential.is_none() {
            return Err(BoothError::Credential(
                "this election has a roll: load your credential first".into(),
            ));
        }
        let selection = match choice {
            Some(j) => Selection::new(ctx.contest, &[j]),
            None => Selection::abstain(ctx.contest),
        }
        .map_err(|e| BoothError::Choice(e.to_string()))?;
        let rng = &mut rand_core::OsRng;
        let credential = ctx.eligibility.and(self.credential.as_ref());
        let (ballot, nonces) =
            EncryptedBallot::encrypt(&ctx, &selection, BallotId::random(rng), credential, rng)
                .map_err(BoothError::Ballot)?;
        let hash = BallotHash::of(ctx.election, ctx.round, &ballot);
        let bytes = ballot.to_bytes().len();
        let answer = json!({
            "round": ctx.round,
            "hash": to_hex(&hash.0),
            "short": hash.short(),
            "bytes": bytes,
        });
        self.step = Step::Encrypted(Box::new(Encrypted {
            round,
            ballot,
            selection,
            nonces,
        }));
        Ok(answer)
    }

    /// Challenges the ballot in hand instead of casting it: opens it (its selection and
    /// nonces), checks the opening against the ballot as any verifier does, and keeps it to
    /// post ([`Booth::challenged_bytes`]). Returns `{verified, chosen, values, hash, short,
    /// opening}`: `chosen` the option positions the opening shows (empty: an abstention),
    /// `opening` the challenged ballot, hex.
    ///
    /// Errors: [`BoothError::Step`] with no ballot in hand; [`BoothError::Ballot`] when the
    /// opening does not check (the booth did not encrypt what it reveals).
    pub fn challenge(&mut self) -> Result<Value> {
        let step = core::mem::replace(&mut self.step, Step::Idle);
        let encrypted = match step {
            Step::Encrypted(encrypted) => encrypted,
            Step::Challenged(challenged) => {
                // Posting it failed before: the same opening again.
                let answer = challenged_json(&challenged, &self.open_round()?);
                self.step = Step::Challenged(challenged);
                return answer;
            }
            other => {
                self.step = other;
                return Err(BoothError::Step(
                    "no ballot to challenge: encrypt one first (a ballot being cast cannot \
                     be challenged)",
                ));
            }
        };
        let Encrypted {
            round,
            ballot,
            selection,
            nonces,
        } = *encrypted;
        let challenged = ChallengedBallot::open(ballot, selection, nonces);
        let answer = challenged_json(&challenged, &round)?;
        self.step = Step::Challenged(challenged);
        Ok(answer)
    }

    /// The challenged ballot to post (`POST /api/challenged`).
    ///
    /// Errors: [`BoothError::Step`] when no ballot is challenged.
    pub fn challenged_bytes(&self) -> Result<Vec<u8>> {
        match &self.step {
            Step::Challenged(c) => Ok(c.to_bytes()),
            _ => Err(BoothError::Step("no challenged ballot to post")),
        }
    }

    /// Casts the ballot in hand: forgets its nonces (it can no longer be challenged) and
    /// returns its bytes to post (`POST /api/ballot`). Called again after a failed post, it
    /// returns the same bytes.
    ///
    /// Errors: [`BoothError::Step`] with no ballot in hand.
    pub fn cast(&mut self) -> Result<Vec<u8>> {
        let step = core::mem::replace(&mut self.step, Step::Idle);
        let ballot = match step {
            // The nonces are dropped here (they zeroize themselves).
            Step::Encrypted(encrypted) => encrypted.ballot,
            Step::Casting(ballot) => ballot,
            other => {
                self.step = other;
                return Err(BoothError::Step("no ballot to cast: encrypt one first"));
            }
        };
        let bytes = ballot.to_bytes();
        self.step = Step::Casting(ballot);
        Ok(bytes)
    }

    /// Gives up the ballot being cast or the challenge being posted, after the server
    /// refused it for good (a 4xx answer): the booth starts over.
    pub fn abandon(&mut self) {
        self.step = Step::Idle;
    }

    /// Checks the confirmation code the server acknowledged the cast ballot with, against the
    /// booth's copy of the board (read the board up to its new head first): the code must be
    /// the code the chain gives the entry that is this very ballot. Returns `{round,
    /// round_state, entry, index, code, short}` (`entry` its board position, `index` its
    /// place in the round's box), and the booth starts over.
    ///
    /// Errors: [`BoothError::Step`] when no ballot is being cast; [`BoothError::Server`] for a
    /// malformed code; [`BoothError::NotIncluded`] when the code is not on the copy, or is the
    /// code of another entry (the ballot stays in hand: read more of the board and check
    /// again, or cast again).
    pub fn confirm(&mut self, code: &str) -> Result<Value> {
        let Step::Casting(ballot) = &self.step else {
            return Err(BoothError::Step("no ballot is being cast"));
        };
        let answer = self.included(code, |entry| match entry {
            BoxEntry::Cast(cast) => cast.ballot() == ballot,
            BoxEntry::Challenged(_) => false,
        })?;
        self.step = Step::Idle;
        Ok(answer)
    }

    /// [`Booth::confirm`] for the challenged ballot: its code must be the chain's code of the
    /// entry that is this very opening. The booth starts over.
    ///
    /// Errors: as for [`Booth::confirm`].
    pub fn confirm_challenge(&mut self, code: &str) -> Result<Value> {
        let Step::Challenged(challenged) = &self.step else {
            return Err(BoothError::Step("no challenged ballot is being posted"));
        };
        let answer = self.included(code, |entry| match entry {
            BoxEntry::Challenged(c) => c == challenged,
            BoxEntry::Cast(_) => false,
        })?;
        self.step = Step::Idle;
        Ok(answer)
    }

    /// Where `code` is on the copy ([`tabella::election::Replay::find_code`]), if the entry
    /// it names is `ours`.
    fn included(&self, code: &str, ours: impl Fn(&BoxEntry) -> bool) -> Result<Value> {
        // The server sends the whole code; a short form would name eighty bits of it only.
        let query = CodeQuery::parse(code)
            .ok()
            .filter(|q| !q.is_short())
            .ok_or_else(|| {
                BoothError::Server("a confirmation code that is not 64 hex digits".into())
            })?;
        let replay = self.mirror.election().replay();
        let Some(found) = replay.find_code(&query) else {
            return Err(BoothError::NotIncluded(format!(
                "code {query} is not on the board the booth has read ({} entries)",
                self.mirror.len()
            )));
        };
        let code = found.code;
        let entry = replay
            .ballot_boxes()
            .into_iter()
            .find(|(round, _, _)| *round == found.round)
            .and_then(|(_, ballot_box, _)| ballot_box.entries().get(found.box_index).cloned())
            .ok_or_else(|| BoothError::NotIncluded("a code without an entry".into()))?;
        if !ours(&entry) {
            return Err(BoothError::NotIncluded(format!(
                "code {} is the code of another {} entry of round {} (board entry {})",
                code.short(),
                match found.kind {
                    BoxEntryKind::Cast => "cast",
                    BoxEntryKind::Challenged => "challenged",
                },
                found.round,
                found.entry
            )));
        }
        Ok(json!({
            "round": found.round,
            "round_state": found.round_state,
            "entry": found.entry,
            "index": found.box_index,
            "code": to_hex(&code.0),
            "short": code.short(),
        }))
    }
}

/// What the page shows of an opening, once it checks.
fn challenged_json(challenged: &ChallengedBallot, round: &RoundContext) -> Result<Value> {
    let ctx = round.ballot_context();
    challenged.verify(&ctx).map_err(BoothError::Ballot)?;
    let options = ctx.contest.options() as usize;
    let chosen: Vec<usize> = challenged
        .values()
        .iter()
        .enumerate()
        .filter(|(j, v)| **v == 1 && *j < options)
        .map(|(j, _)| j)
        .collect();
    let hash = BallotHash::of(ctx.election, ctx.round, challenged.ballot());
    Ok(json!({
        "verified": true,
        "chosen": chosen,
        "values": challenged.values(),
        "hash": to_hex(&hash.0),
        "short": hash.short(),
        "opening": to_hex(&challenged.to_bytes()),
    }))
}
