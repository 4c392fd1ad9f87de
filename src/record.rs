//! The election record: everything public, in an order anyone can check.
//!
//! An [`ElectionRecord`] holds the manifest, the key ceremony's run nonce and its whole board,
//! the trustees' public key package and the election fingerprint, and for each round: the withdrawals, the
//! candidates, every cast ballot in board order with its confirmation code, the chain head,
//! the challenged ballots with their openings, the aggregate, every partial decryption, the
//! totals and the result; an acclamation is a round without a ballot. Nothing in it is
//! trusted by [`verify_record`](crate::verify::verify_record): it recomputes everything it
//! can and compares.
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
use crate::board::ConfirmationCode;
use crate::domain::{PROTOCOL_VERSION, SUITE, label};
use crate::election::{Manifest, RoundKind, RoundOutcome};
use crate::elgamal::Ciphertext;
use crate::error::Result;
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
    /// The aggregate: one ciphertext per option, then the abstention.
    pub tally: Vec<Ciphertext>,
    /// The partial decryptions that verified, in increasing trustee order.
    pub partials: Vec<PartialDecryption>,
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
    /// Cast ballots in board order.
    pub ballots: Vec<CastBallot>,
    /// The code of the last cast ballot (the genesis code if none).
    pub chain_head: ConfirmationCode,
    /// Challenged ballots with their openings.
    pub challenged: Vec<ChallengedBallot>,
    /// The decryption, once the round is closed and decrypted.
    pub decryption: Option<DecryptionRecord>,
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

    /// The record of a decided round.
    pub fn from_outcome(withdrawn: &[usize], outcome: &RoundOutcome) -> Self {
        let ballot_box = outcome.round.ballot_box();
        let ballots = ballot_box
            .ballots()
            .iter()
            .zip(ballot_box.codes())
            .map(|(b, code)| CastBallot {
                ballot: b.ballot().clone(),
                code: *code,
            })
            .collect();
        let mut partials: Vec<PartialDecryption> = outcome
            .partials
            .iter()
            .filter(|p| {
                !outcome
                    .decryption
                    .rejected
                    .iter()
                    .any(|(t, _)| *t == p.trustee())
            })
            .cloned()
            .collect();
        partials.sort_by_key(|p| p.trustee());
        let d = &outcome.decision;
        let totals = outcome.totals.slots();
        RoundRecord {
            round: outcome.round.number(),
            withdrawn: withdrawn.iter().map(|c| index(*c)).collect(),
            body: RoundBody::Ballot(Box::new(BallotRound {
                kind: outcome.round.kind(),
                candidates: outcome
                    .round
                    .candidates()
                    .iter()
                    .map(|c| index(*c))
                    .collect(),
                ballots,
                chain_head: ballot_box.chain_head(),
                challenged: ballot_box.challenged().to_vec(),
                decryption: Some(DecryptionRecord {
                    tally: outcome.tally.ciphertexts().to_vec(),
                    // Only the partials that verified, by trustee index: a rejected one was
                    // named when the round was decrypted; the record keeps what its result
                    // rests on.
                    partials,
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
            })),
        }
    }
}
