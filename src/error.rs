//! The crate's one error type.
//!
//! Every failure is a structured variant: a decoder names the field it was decoding, a verifier
//! names the check that failed, and [`Error::culprits`] names the ballot or trustee to blame.
//! Secret-key paths return errors that carry no secret data.

use core::fmt;

use crate::ballot::BallotId;
use crate::rules::RuleError;

/// What a proof proves; used to say which proof failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProofKind {
    /// Schnorr proof of knowledge of a discrete logarithm.
    Schnorr,
    /// Chaum–Pedersen proof of equality of discrete logarithms.
    Dleq,
    /// Disjunctive proof of membership in a public set.
    Membership,
}

/// Which proof of a ballot failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BallotPart {
    /// The 0/1 proof of the option at this index (the abstention option, if any, comes last).
    Option(usize),
    /// The range proof on the number of selections.
    Count,
}

/// A party that a failed check blames.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Culprit {
    /// A ballot, by its id.
    Ballot(BallotId),
    /// A trustee, by its 1-based index.
    Trustee(u32),
}

/// Errors of tabella.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// An encoding had the wrong length.
    WrongLength {
        /// The field being decoded.
        what: &'static str,
        /// The length the field must have.
        expected: usize,
        /// The length it had.
        actual: usize,
    },
    /// An encoding had bytes left over after a complete value.
    TrailingBytes {
        /// The value being decoded.
        what: &'static str,
        /// How many bytes were left.
        extra: usize,
    },
    /// 32 bytes that are not the canonical encoding of a ristretto255 point.
    NonCanonicalPoint {
        /// The field being decoded.
        what: &'static str,
    },
    /// 32 bytes that are not the canonical encoding of a scalar (not reduced mod ℓ).
    NonCanonicalScalar {
        /// The field being decoded.
        what: &'static str,
    },
    /// The identity point where the math forbids it (keys, shares, commitments, ciphertext α).
    IdentityPoint {
        /// The field being decoded or checked.
        what: &'static str,
    },
    /// A structurally invalid value: a count out of range, an unknown tag, an empty list.
    InvalidValue {
        /// The field being decoded or checked.
        what: &'static str,
        /// Why it is invalid.
        reason: &'static str,
    },
    /// A proof did not verify.
    ProofRejected {
        /// The kind of proof.
        proof: ProofKind,
    },
    /// A batch of proofs did not verify, and these items (indices into the batch) are the
    /// invalid ones.
    BatchRejected {
        /// The indices of the invalid items, in increasing order.
        items: Vec<usize>,
    },
    /// A ballot failed verification.
    BallotRejected {
        /// The ballot.
        ballot: BallotId,
        /// The proof of the ballot that failed.
        part: BallotPart,
    },
    /// A ballot does not have the shape its contest requires.
    BallotMalformed {
        /// The ballot.
        ballot: BallotId,
        /// What is wrong.
        reason: &'static str,
    },
    /// A ballot with this id is already in the box.
    DuplicateBallotId {
        /// The ballot.
        ballot: BallotId,
    },
    /// A ballot containing a ciphertext already cast in another ballot (a copy).
    DuplicateCiphertext {
        /// The ballot that repeats a ciphertext.
        ballot: BallotId,
    },
    /// A ballot (or one of its ciphertexts) that was challenged, which can never be cast.
    ChallengedBallot {
        /// The ballot.
        ballot: BallotId,
    },
    /// A ballot verified for another election, round or contest than the box.
    WrongBox {
        /// The ballot.
        ballot: BallotId,
    },
    /// A plaintext selection does not satisfy its contest.
    InvalidSelection {
        /// What is wrong.
        reason: &'static str,
    },
    /// A contest specification is invalid.
    InvalidContest {
        /// What is wrong.
        reason: &'static str,
    },
    /// A decrypted value lies outside `0..=bound` (or is not a small multiple of G at all).
    DiscreteLogOutOfRange {
        /// The bound that was searched.
        bound: u64,
    },
    /// The rules engine refused a parameter or an event.
    Rule(RuleError),
    /// A trustee refuses to decrypt a ballot box holding fewer ballots than the privacy floor.
    BelowPrivacyFloor {
        /// Ballots in the box.
        ballots: u64,
        /// The floor.
        floor: u64,
    },
    /// Two tallies or ciphertext vectors of different widths were combined.
    LengthMismatch {
        /// What was combined.
        what: &'static str,
        /// The expected length.
        expected: usize,
        /// The length found.
        actual: usize,
    },
}

impl Error {
    /// The parties this error blames, if any.
    pub fn culprits(&self) -> Vec<Culprit> {
        match self {
            Error::BallotRejected { ballot, .. }
            | Error::BallotMalformed { ballot, .. }
            | Error::DuplicateBallotId { ballot }
            | Error::DuplicateCiphertext { ballot }
            | Error::WrongBox { ballot }
            | Error::ChallengedBallot { ballot } => vec![Culprit::Ballot(*ballot)],
            _ => Vec::new(),
        }
    }
}

impl fmt::Display for ProofKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ProofKind::Schnorr => "Schnorr proof of knowledge",
            ProofKind::Dleq => "Chaum-Pedersen DLEQ proof",
            ProofKind::Membership => "disjunctive membership proof",
        })
    }
}

impl fmt::Display for BallotPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BallotPart::Option(i) => write!(f, "0/1 proof of option {i}"),
            BallotPart::Count => f.write_str("selection-count proof"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::WrongLength {
                what,
                expected,
                actual,
            } => write!(f, "{what}: expected {expected} bytes, got {actual}"),
            Error::TrailingBytes { what, extra } => {
                write!(f, "{what}: {extra} trailing bytes after the encoding")
            }
            Error::NonCanonicalPoint { what } => {
                write!(f, "{what}: not a canonical ristretto255 point encoding")
            }
            Error::NonCanonicalScalar { what } => {
                write!(f, "{what}: not a canonical scalar encoding (must be < l)")
            }
            Error::IdentityPoint { what } => write!(f, "{what}: the identity point is not allowed"),
            Error::InvalidValue { what, reason } => write!(f, "{what}: {reason}"),
            Error::ProofRejected { proof } => write!(f, "{proof} rejected"),
            Error::BatchRejected { items } => {
                write!(f, "batch rejected; invalid items: {items:?}")
            }
            Error::BallotRejected { ballot, part } => {
                write!(f, "ballot {ballot}: {part} rejected")
            }
            Error::BallotMalformed { ballot, reason } => write!(f, "ballot {ballot}: {reason}"),
            Error::DuplicateBallotId { ballot } => {
                write!(
                    f,
                    "ballot {ballot}: a ballot with this id is already in the box"
                )
            }
            Error::DuplicateCiphertext { ballot } => {
                write!(
                    f,
                    "ballot {ballot}: repeats a ciphertext already in the box"
                )
            }
            Error::ChallengedBallot { ballot } => {
                write!(f, "ballot {ballot}: was challenged and can never be cast")
            }
            Error::WrongBox { ballot } => write!(
                f,
                "ballot {ballot}: verified for another election, round or contest"
            ),
            Error::InvalidSelection { reason } => write!(f, "invalid selection: {reason}"),
            Error::InvalidContest { reason } => write!(f, "invalid contest: {reason}"),
            Error::DiscreteLogOutOfRange { bound } => {
                write!(f, "decrypted value is not in 0..={bound}")
            }
            Error::LengthMismatch {
                what,
                expected,
                actual,
            } => write!(f, "{what}: expected length {expected}, got {actual}"),
            Error::Rule(e) => write!(f, "rules: {e}"),
            Error::BelowPrivacyFloor { ballots, floor } => write!(
                f,
                "refusing to decrypt a box of {ballots} ballots: the privacy floor is {floor}"
            ),
        }
    }
}

impl std::error::Error for Error {}

impl From<RuleError> for Error {
    fn from(e: RuleError) -> Self {
        Error::Rule(e)
    }
}

/// The crate's result type.
pub type Result<T> = core::result::Result<T, Error>;
