//! A trustee on the board: each step of the key ceremony, and each round's decryption, made
//! from the board as the trustee reads it, signed with the trustee's key, and kept sealed
//! between steps (docs/SPEC.md §15).
//!
//! A [`Trustee`] can stop between any two steps: [`Trustee::seal`] writes its whole state (its
//! board key, its ceremony secrets or its key package with its decryption log) under a
//! passphrase, bound to the board and the trustee index, and [`Trustee::unseal`] brings it
//! back against the board as it stands then.

use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroizing;

use crate::board::chain::Head;
use crate::board::entry::{Author, Entry, EntryKind};
use crate::domain::ObjectKind;
use crate::election::board::{no_state, sign_entry};
use crate::election::replay::Replay;
use crate::elgamal::{PublicKey, SecretKey};
use crate::encoding::{read_header, write_header};
use crate::error::{Error, Result};
use crate::group::{Reader, SCALAR_LEN, write_count};
use crate::seal::{SealParams, seal, unseal};
use crate::threshold::dkg::{self, CeremonyBoard, CeremonyRound, CeremonyState};
use crate::threshold::{KeyPackage, TrusteeIndex};

/// When a trustee moves to the next ceremony round.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proceed {
    /// Once every trustee has posted a message of the round before.
    WhenAll,
    /// Now, with the messages on the board (after a deadline: the missing are excluded).
    Now,
}

/// Where a trustee stands.
#[derive(Debug)]
enum Step {
    /// Registered in the manifest, no ceremony message yet.
    Registered,
    /// In the key ceremony.
    Ceremony(Box<CeremonyState>),
    /// The ceremony finished: its key package (with its decryption log).
    Keys(Box<KeyPackage>),
    /// A step of the run with this ceremony id failed: the trustee posts nothing more in it.
    Stopped([u8; 32]),
}

/// A trustee of an election on a board.
pub struct Trustee {
    index: TrusteeIndex,
    key: SecretKey,
    step: Step,
    /// The last ceremony message it made, until the board shows it: a step that is interrupted
    /// between making a message and posting it posts the same message again.
    pending: Option<(CeremonyRound, Entry)>,
}

impl core::fmt::Debug for Trustee {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Trustee")
            .field("index", &self.index)
            .field("secrets", &format_args!("<redacted>"))
            .finish()
    }
}

/// Whether every trustee 1..=n has an entry in `round` of the ceremony board.
fn all_posted(board: &CeremonyBoard, round: CeremonyRound, n: u32) -> bool {
    (1..=n).all(|i| board.entries(round).iter().any(|e| e.author().get() == i))
}

impl Trustee {
    /// Trustee `index`, with its board signing key (its public key is the manifest's key of
    /// this trustee).
    pub fn new(index: TrusteeIndex, key: SecretKey) -> Self {
        Trustee {
            index,
            key,
            step: Step::Registered,
            pending: None,
        }
    }

    /// The trustee's index.
    pub fn index(&self) -> TrusteeIndex {
        self.index
    }

    /// The public key of its board key, for the manifest.
    pub fn public_key(&self) -> PublicKey {
        self.key.public_key()
    }

    /// The key package, once the ceremony has finished for this trustee.
    pub fn key_package(&self) -> Option<&KeyPackage> {
        match &self.step {
            Step::Keys(k) => Some(k),
            _ => None,
        }
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
            Author::trustee(self.index),
            body,
            read,
            &self.key,
            rng,
        )
    }

    /// The trustee's next step of the key ceremony, from the board as it stands (`replay`,
    /// whose head is `read`): its next message to post, or `None` when it has nothing to post
    /// now (the others have not all posted the round before and `proceed` is
    /// [`Proceed::WhenAll`], or its part is done). Once the keys are announced, it computes
    /// its key package and checks it against them.
    ///
    /// Errors: the ceremony's, for instance [`Error::TrusteeRejected`] when this trustee was
    /// excluded, [`Error::CeremonyFailed`].
    pub fn ceremony_step<R: RngCore + CryptoRng>(
        &mut self,
        replay: &Replay,
        read: Head,
        proceed: Proceed,
        rng: &mut R,
    ) -> Result<Option<Entry>> {
        let (Some(ctx), Some(board)) =
            (replay.ceremony_context().copied(), replay.ceremony_board())
        else {
            return Ok(None);
        };
        // A new run starts over.
        let run = match &self.step {
            Step::Ceremony(state) => Some(*state.context().id()),
            Step::Stopped(id) => Some(*id),
            _ => None,
        };
        if let Some(run) = run {
            if &run != ctx.id() {
                self.step = Step::Registered;
                self.pending = None;
            }
        }
        // A message made but not seen on the board yet is posted again, unchanged.
        if let Some((round, entry)) = &self.pending {
            match board
                .entries(*round)
                .iter()
                .find(|e| e.author() == self.index)
            {
                None => return Ok(Some(entry.clone())),
                Some(posted) if posted.bytes() == entry.body() => self.pending = None,
                Some(_) => {
                    return Err(Error::InvalidValue {
                        what: "ceremony board",
                        reason: "it holds a message in this trustee's name that is not the one \
                                 it made",
                    });
                }
            }
        }
        let n = ctx.params().trustees();
        let ready = |round| proceed == Proceed::Now || all_posted(board, round, n);
        let step = core::mem::replace(&mut self.step, Step::Stopped(*ctx.id()));
        // A step that fails consumes the round's secrets: the trustee stops for this run (it
        // never posts a second, different message of a round), and a new run starts it over.
        let stepped = match step {
            Step::Registered => dkg::part1(&ctx, self.index, rng).map(|(secret, package)| {
                (
                    Step::Ceremony(Box::new(CeremonyState::Committed(secret))),
                    Some((CeremonyRound::Commit, package.to_bytes())),
                )
            }),
            Step::Ceremony(state) => match *state {
                CeremonyState::Committed(secret) if ready(CeremonyRound::Commit) => {
                    dkg::part2(secret, board, rng).map(|(secret, package)| {
                        (
                            Step::Ceremony(Box::new(CeremonyState::Revealed(secret))),
                            Some((CeremonyRound::Reveal, package.to_bytes())),
                        )
                    })
                }
                CeremonyState::Revealed(secret) if ready(CeremonyRound::Reveal) => {
                    dkg::part3(secret, board, rng).map(|(secret, package)| {
                        (
                            Step::Ceremony(Box::new(CeremonyState::Complained(secret))),
                            Some((CeremonyRound::Complain, package.to_bytes())),
                        )
                    })
                }
                CeremonyState::Complained(secret) if replay.ceremony_outcome().is_some() => {
                    dkg::part4(secret, board).and_then(|(key, outcome)| {
                        if Some(&outcome) == replay.ceremony_outcome() {
                            Ok((Step::Keys(Box::new(key)), None))
                        } else {
                            Err(Error::InvalidValue {
                                what: "announced keys",
                                reason: "they are not the ceremony's outcome as this trustee \
                                         reads it",
                            })
                        }
                    })
                }
                other => Ok((Step::Ceremony(Box::new(other)), None)),
            },
            Step::Stopped(id) => {
                self.step = Step::Stopped(id);
                return Err(no_state(
                    "this trustee stopped after an error in this run of the ceremony",
                ));
            }
            other => Ok((other, None)),
        };
        let (next, message) = stepped?;
        self.step = next;
        match message {
            None => Ok(None),
            Some((round, body)) => {
                let entry = self.sign(EntryKind::CeremonyMessage, body, replay, read, rng)?;
                self.pending = Some((round, entry.clone()));
                Ok(Some(entry))
            }
        }
    }

    /// This trustee's partial decryption of the closed round, as an entry to post: the tally
    /// is recomputed from the round's box on the board, the statement names its close, and the
    /// key package's log records it (so a second, different box of the round is refused).
    ///
    /// Errors: no closed round, no key package yet, [`Error::BelowPrivacyFloor`],
    /// [`Error::ConflictingDecryption`].
    pub fn decrypt<R: RngCore + CryptoRng>(
        &mut self,
        replay: &Replay,
        read: Head,
        rng: &mut R,
    ) -> Result<Entry> {
        let (closed, _, _) = replay
            .closed_round()
            .ok_or_else(|| no_state("no round is closed"))?;
        let election = replay
            .election()
            .ok_or_else(|| no_state("the keys are not announced yet"))?;
        let Step::Keys(key) = &mut self.step else {
            return Err(no_state("this trustee has no key package yet"));
        };
        let partial = closed.decrypt_share(election, key, rng)?;
        let body = partial.to_bytes()?;
        self.sign(EntryKind::PartialDecryption, body, replay, read, rng)
    }

    /// What a sealed state is bound to: the board (the manifest's ceremony fingerprint) and
    /// the trustee index.
    pub(crate) fn context(replay: &Replay, index: TrusteeIndex) -> Result<Vec<u8>> {
        let board = replay
            .board_id()
            .ok_or_else(|| no_state("the board has no manifest yet"))?;
        let mut out = b"tabella trustee".to_vec();
        out.extend_from_slice(board.fingerprint());
        out.extend_from_slice(&index.get().to_le_bytes());
        Ok(out)
    }

    /// The trustee's whole state, sealed under `passphrase` for this board and this trustee
    /// (docs/SPEC.md §15.2).
    pub fn seal<R: RngCore + CryptoRng>(
        &self,
        replay: &Replay,
        passphrase: &[u8],
        params: SealParams,
        rng: &mut R,
    ) -> Result<Vec<u8>> {
        let mut state = Zeroizing::new(Vec::new());
        write_header(&mut state, ObjectKind::TrusteeState);
        self.index.write(&mut state);
        state.extend_from_slice(self.key.to_bytes().as_ref());
        let (tag, body): (u8, Zeroizing<Vec<u8>>) = match &self.step {
            Step::Registered => (0, Zeroizing::new(Vec::new())),
            Step::Ceremony(s) => {
                let board = replay
                    .ceremony_board()
                    .ok_or_else(|| no_state("no ceremony run on the board"))?;
                (1, s.export(board))
            }
            Step::Keys(k) => (2, k.export()),
            Step::Stopped(id) => (3, Zeroizing::new(id.to_vec())),
        };
        state.push(tag);
        write_count(&mut state, "trustee step", body.len())?;
        state.extend_from_slice(&body);
        match &self.pending {
            None => state.push(0),
            Some((round, entry)) => {
                state.push(*round as u8);
                let bytes = entry.to_bytes();
                write_count(&mut state, "pending message", bytes.len())?;
                state.extend_from_slice(&bytes);
            }
        }
        seal(
            &state,
            &Self::context(replay, self.index)?,
            passphrase,
            params,
            rng,
        )
    }

    /// Opens a state sealed by [`Trustee::seal`] for trustee `index` of this board, and
    /// restores it against the board as it stands (`replay`).
    ///
    /// Errors: the seal's ([`Error::WrongPassphrase`], [`Error::SealedForAnother`] for another
    /// election's or trustee's file, [`Error::SealCorrupted`], [`Error::SealAltered`]); the
    /// state's ([`Error::CeremonyBoardChanged`], decoding errors).
    pub fn unseal(
        sealed: &[u8],
        replay: &Replay,
        index: TrusteeIndex,
        passphrase: &[u8],
    ) -> Result<Self> {
        let state = unseal(sealed, &Self::context(replay, index)?, passphrase)?;
        Reader::decode_all("trustee state", &state, |r| {
            read_header(r, ObjectKind::TrusteeState)?;
            let stored = TrusteeIndex::read(r, "trustee index")?;
            if stored != index {
                return Err(Error::SealedForAnother);
            }
            let key = SecretKey::from_bytes(r.take("board key", SCALAR_LEN)?)?;
            let tag = r.u8("trustee step")?;
            let len = r.count("trustee step", 1)?;
            let body = r.take("trustee step", len)?;
            let step = match tag {
                0 if body.is_empty() => Step::Registered,
                0 => {
                    return Err(Error::InvalidValue {
                        what: "trustee state",
                        reason: "a registered trustee's step has no body",
                    });
                }
                1 => {
                    let (Some(ctx), Some(board)) =
                        (replay.ceremony_context(), replay.ceremony_board())
                    else {
                        return Err(no_state("no ceremony run on the board"));
                    };
                    Step::Ceremony(Box::new(CeremonyState::restore(body, ctx, board)?))
                }
                2 => {
                    let public = replay
                        .ceremony_outcome()
                        .map(|o| o.public_key_package().clone())
                        .ok_or_else(|| no_state("the keys are not announced on the board"))?;
                    Step::Keys(Box::new(KeyPackage::import(body, public)?))
                }
                3 => Step::Stopped(body.try_into().map_err(|_| Error::InvalidValue {
                    what: "trustee state",
                    reason: "a stopped trustee's step is the 32-byte ceremony id",
                })?),
                _ => {
                    return Err(Error::InvalidValue {
                        what: "trustee state",
                        reason: "unknown step",
                    });
                }
            };
            let pending = match r.u8("pending message")? {
                0 => None,
                tag => {
                    let round = CeremonyRound::ALL
                        .into_iter()
                        .find(|c| *c as u8 == tag)
                        .ok_or(Error::InvalidValue {
                            what: "trustee state",
                            reason: "unknown ceremony round of its pending message",
                        })?;
                    let len = r.count("pending message", 1)?;
                    Some((round, Entry::from_bytes(r.take("pending message", len)?)?))
                }
            };
            Ok(Trustee {
                index,
                key,
                step,
                pending,
            })
        })
    }
}
