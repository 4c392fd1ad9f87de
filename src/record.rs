//! The election record: everything public, in an order anyone can check.
//!
//! An [`ElectionRecord`] holds the manifest, the key ceremony's run nonce and its whole board,
//! the trustees' public key package and the election fingerprint, and for each round: the
//! withdrawals, the candidates, every entry of the box in board order (cast ballots and
//! challenged ballots with their openings) with its confirmation code, the close of the box
//! (chain head and counts) that the trustees decrypted, the aggregate, every verified partial
//! decryption and which trustees were combined, the totals, the result, and the resolution of
//! a tie for lowest; an acclamation is a round without a ballot. Nothing in it is trusted by
//! [`verify_record`](crate::verify::verify_record): it recomputes everything it can and
//! compares.
//!
//! Every list has one canonical order (board order for box entries; author, then bytes for
//! ceremony entries; increasing trustee index for partials and combined trustees), so that one
//! election has one record and one record hash.
//!
//! # Encodings
//!
//! * A canonical binary form ([`ElectionRecord::to_bytes`], `docs/SPEC.md` §12), which is
//!   what gets hashed ([`ElectionRecord::hash`]).
//! * JSON (feature `serde`): the same values, crypto objects as the lowercase hex of their
//!   canonical bytes, unknown fields and duplicate keys rejected ([`json`]).
//!
//! Both decoders run every canonical decoder underneath, and both encode a decoded record to
//! the same bytes.

mod binary;

#[cfg(feature = "serde")]
pub mod json;

use crate::ballot::{ChallengedBallot, EncryptedBallot};
use crate::board::{BoxClose, ConfirmationCode};
use crate::domain::{PROTOCOL_VERSION, SUITE, label};
use crate::election::{ClosedRound, Manifest, RoundKind, RoundOutcome};
use crate::elgamal::Ciphertext;
use crate::error::Result;
use crate::rules::TieBreak;
use crate::tally::BoxEntry;
use crate::threshold::dkg::{CEREMONY_RUN_LEN, CeremonyBoard};
use crate::threshold::{PartialDecryption, PublicKeyPackage};

/// A cast ballot on the board, with the confirmation code the box gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CastBallot {
    /// The ballot.
    pub ballot: EncryptedBallot,
    /// Its confirmation code.
    pub code: ConfirmationCode,
}

/// A challenged ballot on the board, with the confirmation code the box gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChallengedEntry {
    /// The challenged ballot with its opening.
    pub challenged: ChallengedBallot,
    /// Its confirmation code.
    pub code: ConfirmationCode,
}

/// An entry of a round's box, in board order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordEntry {
    /// A cast ballot.
    Cast(CastBallot),
    /// A challenged ballot.
    Challenged(ChallengedEntry),
}

impl RecordEntry {
    /// The entry's confirmation code.
    pub fn code(&self) -> &ConfirmationCode {
        match self {
            RecordEntry::Cast(c) => &c.code,
            RecordEntry::Challenged(c) => &c.code,
        }
    }
}

/// The resolution of a tie for lowest left to the caller
/// ([`TieForLowest::CallerResolves`](crate::rules::TieForLowest::CallerResolves)): which of
/// the tied candidates was eliminated after the round, and how it was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TieResolution {
    /// The candidate eliminated (manifest index).
    pub eliminated: u32,
    /// How: a lot drawn or a run-off held outside the election.
    pub how: TieBreak,
}

/// What a round's rules decided, as recorded (the verifier recomputes it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultRecord {
    /// Ballots cast, abstentions included.
    pub cast: u64,
    /// Votes for candidates (for a yes/no ballot, yes + no).
    pub present_and_voting: u64,
    /// V, the base count of the rule.
    pub base: u64,
    /// The smallest count that wins, if any can.
    pub required: Option<u64>,
    /// The candidate elected (manifest index).
    pub elected: Option<u32>,
    /// The candidate eliminated (manifest index).
    pub eliminated: Option<u32>,
}

/// The decryption of a closed round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecryptionRecord {
    /// The aggregate: one ciphertext per slot or packed chunk.
    pub tally: Vec<Ciphertext>,
    /// The partial decryptions that verified, in increasing trustee order.
    pub partials: Vec<PartialDecryption>,
    /// The trustees whose partials were combined (the first t of `partials`), in increasing
    /// order.
    pub combined: Vec<u32>,
    /// The decrypted totals: per option, then abstentions.
    pub totals: Vec<u64>,
    /// The outcome.
    pub result: ResultRecord,
}

/// A round with a ballot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BallotRound {
    /// What the ballot asked.
    pub kind: RoundKind,
    /// The candidates on the ballot (manifest indices; for yes/no, the one candidate).
    pub candidates: Vec<u32>,
    /// Every entry of the box (cast and challenged ballots) in board order.
    pub entries: Vec<RecordEntry>,
    /// The close of the box, once the round is closed: the statement the trustees decrypt.
    pub close: Option<BoxClose>,
    /// The decryption, once the round is closed and decrypted.
    pub decryption: Option<DecryptionRecord>,
    /// The resolution of a tie for lowest that this round's decision left to the caller.
    pub tie_resolution: Option<TieResolution>,
}

impl BallotRound {
    /// The cast ballots, in board order.
    pub fn ballots(&self) -> impl Iterator<Item = &CastBallot> {
        self.entries.iter().filter_map(|e| match e {
            RecordEntry::Cast(c) => Some(c),
            RecordEntry::Challenged(_) => None,
        })
    }

    /// The challenged ballots, in board order.
    pub fn challenged(&self) -> impl Iterator<Item = &ChallengedEntry> {
        self.entries.iter().filter_map(|e| match e {
            RecordEntry::Challenged(c) => Some(c),
            RecordEntry::Cast(_) => None,
        })
    }
}

/// What happened in a round after its withdrawals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoundBody {
    /// The sole remaining candidate was elected without a ballot.
    Acclamation {
        /// The candidate (manifest index).
        elected: u32,
    },
    /// A ballot.
    Ballot(Box<BallotRound>),
}

/// One round of the record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundRecord {
    /// The round number (1-based, consecutive).
    pub round: u32,
    /// Candidates who withdrew before this round (manifest indices).
    pub withdrawn: Vec<u32>,
    /// The acclamation or the ballot.
    pub body: RoundBody,
}

/// The complete public record of an election.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElectionRecord {
    /// The protocol version ([`PROTOCOL_VERSION`]).
    pub version: u16,
    /// The cipher suite ([`SUITE`]).
    pub suite: String,
    /// The manifest.
    pub manifest: Manifest,
    /// The run nonce of the key ceremony ([`crate::threshold::CeremonyContext::run`]): with
    /// the manifest, it gives the ceremony id.
    pub run: [u8; CEREMONY_RUN_LEN],
    /// The key-ceremony board: every entry posted, with its author.
    pub ceremony: CeremonyBoard,
    /// The trustees' public key package (the verifier recomputes it from the ceremony).
    pub public_keys: PublicKeyPackage,
    /// The election fingerprint (the verifier recomputes it).
    pub fingerprint: [u8; 32],
    /// The rounds, in order.
    pub rounds: Vec<RoundRecord>,
}

fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

impl ElectionRecord {
    /// A record for `manifest` with this ceremony (run nonce and board) and key package,
    /// before any round.
    pub fn new(
        manifest: Manifest,
        run: [u8; CEREMONY_RUN_LEN],
        ceremony: CeremonyBoard,
        public_keys: PublicKeyPackage,
        fingerprint: [u8; 32],
    ) -> Self {
        ElectionRecord {
            version: PROTOCOL_VERSION,
            suite: SUITE.to_string(),
            manifest,
            run,
            ceremony,
            public_keys,
            fingerprint,
            rounds: Vec::new(),
        }
    }

    /// The record hash: `H("tabella.record", canonical bytes)` (docs/SPEC.md §12; H as in §8).
    pub fn hash(&self) -> Result<[u8; 32]> {
        Ok(crate::board::hash_parts(&[
            label::RECORD,
            &self.to_bytes()?,
        ]))
    }
}

impl RoundRecord {
    /// The record of an acclamation.
    pub fn acclamation(round: u32, withdrawn: &[usize], elected: usize) -> Self {
        RoundRecord {
            round,
            withdrawn: withdrawn.iter().map(|c| index(*c)).collect(),
            body: RoundBody::Acclamation {
                elected: index(elected),
            },
        }
    }

    /// The record of an open round (its box as it stands, no close yet).
    pub fn open(withdrawn: &[usize], round: &crate::election::OpenRound) -> Self {
        RoundRecord {
            round: round.number(),
            withdrawn: withdrawn.iter().map(|c| index(*c)).collect(),
            body: RoundBody::Ballot(Box::new(BallotRound {
                kind: round.kind(),
                candidates: round.candidates().iter().map(|c| index(*c)).collect(),
                entries: entries(round.ballot_box()),
                close: None,
                decryption: None,
                tie_resolution: None,
            })),
        }
    }

    /// The record of a decided round: the closed round, its outcome, and the resolution of a
    /// tie for lowest if its decision left one to the caller.
    pub fn from_outcome(
        withdrawn: &[usize],
        round: &ClosedRound,
        outcome: &RoundOutcome,
        tie_resolution: Option<TieResolution>,
    ) -> Self {
        let ballot_box = round.ballot_box();
        let mut partials: Vec<PartialDecryption> = outcome
            .decryption
            .accepted
            .iter()
            .filter_map(|k| outcome.partials.get(*k))
            .cloned()
            .collect();
        partials.sort_by_key(|p| p.trustee());
        let mut combined: Vec<u32> = outcome.decryption.used.iter().map(|t| t.get()).collect();
        combined.sort_unstable();
        let d = &outcome.decision;
        let totals = outcome.totals.slots();
        RoundRecord {
            round: round.number(),
            withdrawn: withdrawn.iter().map(|c| index(*c)).collect(),
            body: RoundBody::Ballot(Box::new(BallotRound {
                kind: round.kind(),
                candidates: round.candidates().iter().map(|c| index(*c)).collect(),
                entries: entries(ballot_box),
                close: Some(*outcome.tally.close()),
                decryption: Some(DecryptionRecord {
                    tally: outcome.tally.ciphertexts().to_vec(),
                    // Only the partials that verified, by trustee index: a rejected one was
                    // named when the round was decrypted; the record keeps what its result
                    // rests on.
                    partials,
                    combined,
                    totals,
                    result: ResultRecord {
                        cast: d.cast(),
                        present_and_voting: d.present_and_voting(),
                        base: d.base_count(),
                        required: d.required(),
                        elected: d.elected().map(index),
                        eliminated: d.eliminated().map(index),
                    },
                }),
                tie_resolution,
            })),
        }
    }
}

/// The entries of a box with their codes, in board order.
fn entries(ballot_box: &crate::tally::BallotBox) -> Vec<RecordEntry> {
    ballot_box
        .entries()
        .iter()
        .zip(ballot_box.codes())
        .map(|(e, code)| match e {
            BoxEntry::Cast(b) => RecordEntry::Cast(CastBallot {
                ballot: b.ballot().clone(),
                code: *code,
            }),
            BoxEntry::Challenged(c) => RecordEntry::Challenged(ChallengedEntry {
                challenged: c.clone(),
                code: *code,
            }),
        })
        .collect()
}
