//! The crate's one error type.
//!
//! Every failure is a structured variant: a decoder names the field it was decoding, a verifier
//! names the check that failed, and [`Error::culprits`] names the ballot or trustee to blame.
//! Secret-key paths return errors that carry no secret data.

use core::fmt;

use crate::ballot::BallotId;
use crate::credential::PublicCredential;
use crate::domain::ObjectKind;
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
    /// One-out-of-many proof over a tuple of ciphertexts.
    OneOfMany,
}

/// Which proof of a ballot failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BallotPart {
    /// The own proof of the ballot's ciphertext at this index: the 0/1 proof of that option
    /// per option (the abstention comes last), or the proof of that chunk when packed.
    Option(usize),
    /// The count proof: the number of selections per option, a single slot when packed.
    Count,
    /// The one-out-of-many proof of a packed ballot's choice (layout 2, docs/SPEC.md §6.3).
    Choice,
    /// The signature under the ballot's credential (docs/SPEC.md §16.3).
    Signature,
}

/// Which check of the key ceremony a trustee failed (see [`crate::threshold::dkg`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CeremonyCheck {
    /// The trustee posted no message of this ceremony in this round (1: commit, 2: reveal).
    Missing {
        /// The round it missed.
        round: u8,
    },
    /// An entry this trustee posted in this round carries this ceremony's header and id, but
    /// its body does not decode, or its sender field is not this trustee.
    Malformed {
        /// The round of the entry.
        round: u8,
    },
    /// This trustee posted two different entries of this ceremony in one round.
    Equivocation {
        /// The round of the entries.
        round: u8,
    },
    /// Round 1: the proof of knowledge of the communication key did not verify.
    CommunicationKeyProof,
    /// Round 2: the revealed coefficient commitments do not open the round-1 hash commitment.
    CommitmentMismatch,
    /// Round 2: the number of coefficient commitments is not t.
    CoefficientCount,
    /// Round 2: the proof of knowledge of coefficient `k` did not verify.
    CoefficientProof {
        /// The coefficient (0 is the trustee's contribution to the joint key).
        k: u32,
    },
    /// Round 2: the encrypted shares are not exactly one for every other participant.
    ShareRecipients,
    /// Round 2: the proof of knowledge of the ephemeral scalar of the share addressed to
    /// `recipient` did not verify (the dealer may not know `log_G E`, so nobody may decrypt
    /// or complain about its shares).
    EphemeralProof {
        /// The trustee the share is addressed to.
        recipient: u32,
    },
    /// Round 3: a verified complaint shows that the share this dealer sent to `recipient` is
    /// wrong (or does not decrypt).
    BadShare {
        /// The trustee that received the bad share.
        recipient: u32,
    },
    /// Round 3: this trustee complained against `dealer`, whose share was correct.
    FalseComplaint {
        /// The honest dealer.
        dealer: u32,
    },
    /// Round 3: this trustee's complaint against `dealer` is invalid: its DLEQ proof does not
    /// verify.
    InvalidComplaint {
        /// The dealer named in the complaint.
        dealer: u32,
    },
}

/// Which check of a partial decryption failed (see [`crate::threshold::decryption`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DecryptionCheck {
    /// The trustee holds no verification share in the public key package (it is not in the
    /// qualified set).
    NotQualified,
    /// The partial decryption is for another round.
    WrongRound {
        /// The round being decrypted.
        expected: u32,
        /// The round the message names.
        actual: u32,
    },
    /// The number of decryption shares is not the number of tally ciphertexts.
    Width {
        /// The number of tally ciphertexts.
        expected: u32,
        /// The number of shares in the message.
        actual: u32,
    },
    /// The DLEQ proof for the tally ciphertext at this position did not verify.
    Proof {
        /// The position of the ciphertext in the tally.
        ciphertext: u32,
    },
    /// A verified partial decryption was offered for another tally, round, election or key.
    WrongStatement,
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
    /// Bytes that are not a tabella object: they do not start with the header of
    /// [`crate::encoding::header`].
    NotTabella {
        /// The kind of object expected.
        expected: ObjectKind,
    },
    /// A tabella object of another kind than the one expected.
    WrongKind {
        /// The kind expected.
        expected: ObjectKind,
        /// The kind the header names (`None`: an unknown kind byte).
        found: Option<ObjectKind>,
    },
    /// A tabella object written by another protocol version.
    UnsupportedVersion {
        /// The kind of object.
        kind: ObjectKind,
        /// The version its header names.
        version: u16,
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
    /// The identity point where the math forbids it: public keys, verification shares,
    /// coefficient commitments, ciphertext α. (A proof's own commitments may be any point.)
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
    /// Reading or writing a stream failed.
    Io {
        /// The kind of I/O error.
        kind: std::io::ErrorKind,
    },
    /// The box already holds its capacity (see [`crate::ballot::ContestSpec::with_capacity`]).
    BallotBoxFull {
        /// The ballot refused.
        ballot: BallotId,
        /// The capacity.
        capacity: u64,
    },
    /// A ballot without a credential in an election with a roll.
    CredentialMissing {
        /// The ballot.
        ballot: BallotId,
    },
    /// A ballot with a credential in an election without a roll.
    UnexpectedCredential {
        /// The ballot.
        ballot: BallotId,
    },
    /// A ballot whose credential is not on the roll.
    CredentialNotOnRoll {
        /// The ballot.
        ballot: BallotId,
        /// Its credential.
        credential: PublicCredential,
    },
    /// A second ballot from a credential that already cast one in the round, where the
    /// manifest says a second ballot is refused.
    CredentialReused {
        /// The second ballot.
        ballot: BallotId,
        /// The credential.
        credential: PublicCredential,
    },
    /// A credential listed twice on a roll.
    DuplicateCredential {
        /// The credential.
        credential: PublicCredential,
    },
    /// A credential code that does not read.
    InvalidCredentialCode {
        /// What is wrong.
        reason: &'static str,
    },
    /// A round of an election with a roll cannot open before the roll is posted.
    RollMissing,
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
    /// A newer record does not extend an older one: something was removed or rewritten.
    RecordRewritten {
        /// The first entry that differs.
        entry: u64,
        /// What changed.
        what: &'static str,
    },
    /// A signed entry names as read a head that is not one of this board's before it: its
    /// author read another board (the board showed different parties different histories).
    UnknownReadHead {
        /// The entry.
        entry: u64,
    },
    /// The signature of a board entry does not verify under its author's key.
    EntrySignatureRejected {
        /// The entry.
        entry: u64,
    },
    /// A ceremony message of a round that closed when the next round started.
    CeremonyRoundClosed {
        /// The ceremony round (1 to 3).
        round: u8,
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
    /// Threshold parameters outside `1 ≤ t ≤ n ≤ MAX_TRUSTEES`.
    InvalidThreshold {
        /// t.
        threshold: u32,
        /// n.
        trustees: u32,
    },
    /// A trustee index outside `1..=trustees` (index 0 is where the secret lives).
    InvalidTrusteeIndex {
        /// The index given.
        index: u32,
        /// The largest valid index.
        trustees: u32,
    },
    /// A trustee index repeated where each must appear once (two partial decryptions or two
    /// verification shares of one trustee, a repeated point of interpolation). Reading a ceremony board never fails with it: a trustee with two
    /// messages in a round is excluded instead ([`CeremonyCheck::Equivocation`]).
    DuplicateTrustee {
        /// The trustee.
        trustee: u32,
    },
    /// A ceremony message that belongs to another ceremony (another ceremony fingerprint, t, n
    /// or run), checked on one message. Reading a ceremony board ignores such entries instead.
    WrongCeremony {
        /// The trustee that sent it.
        trustee: u32,
    },
    /// A trustee's view of an earlier round of the ceremony board changed: the entries of
    /// that round no longer read as they did when the trustee acted on them (an entry was
    /// posted to a round that had closed).
    CeremonyBoardChanged {
        /// The round that changed.
        round: u8,
    },
    /// A ceremony message addressed to another trustee.
    WrongRecipient {
        /// The trustee that sent it.
        sender: u32,
        /// The trustee it is addressed to.
        recipient: u32,
        /// The trustee that tried to use it.
        expected: u32,
    },
    /// A trustee failed a check of the key ceremony.
    TrusteeRejected {
        /// The trustee to blame.
        trustee: u32,
        /// The check it failed.
        check: CeremonyCheck,
    },
    /// The key ceremony cannot finish: fewer than t trustees remain qualified.
    CeremonyFailed {
        /// t.
        needed: u32,
        /// The number of trustees still qualified.
        qualified: u32,
        /// Every trustee that was excluded, in increasing order.
        culprits: Vec<u32>,
    },
    /// A record's ceremony board holds an entry that is not a message of its ceremony (an
    /// author outside `1..=n`, or another kind, protocol version or ceremony id).
    ForeignCeremonyEntry {
        /// The ceremony round (1 to 3) whose entries hold it.
        round: u8,
        /// The author the board names.
        author: u32,
    },
    /// The board refused an entry: it fails a numbered check where it stands.
    EntryRefused(Box<crate::verify::Failure>),
    /// The store of a board failed.
    Storage {
        /// The store.
        what: &'static str,
        /// What it reported.
        detail: String,
    },
    /// A board's stored entry is not what the chain says.
    BoardCorrupted {
        /// Its position (0 is the manifest).
        entry: u64,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The board is another election's: its manifest is not the one expected.
    AnotherElection,
    /// A sealed secret is truncated or corrupted (its length or its checksum is wrong).
    SealCorrupted,
    /// A sealed secret was sealed for another context (another election's or trustee's
    /// file).
    SealedForAnother,
    /// The passphrase does not open this sealed secret.
    WrongPassphrase,
    /// A sealed secret was altered (its checksum holds, its authentication does not).
    SealAltered,
    /// A partial decryption failed verification.
    PartialDecryptionRejected {
        /// The trustee that sent it.
        trustee: u32,
        /// The check it failed.
        check: DecryptionCheck,
    },
    /// A trustee refuses to decrypt a second, different statement (another box, tally or key
    /// package) for a round of an election it has already decrypted.
    ConflictingDecryption {
        /// The round.
        round: u32,
    },
    /// Fewer than t valid partial decryptions.
    NotEnoughShares {
        /// t.
        needed: u32,
        /// The number of valid partial decryptions from distinct trustees.
        valid: u32,
        /// The trustees whose partial decryptions were rejected, in increasing order.
        rejected: Vec<u32>,
    },
}

impl Error {
    /// Whether this error is about who may vote (a ballot's credential, its signature, or a
    /// second ballot of one credential): check 7 of the verifier rather than 8 or 10.
    pub fn is_eligibility(&self) -> bool {
        matches!(
            self,
            Error::CredentialMissing { .. }
                | Error::UnexpectedCredential { .. }
                | Error::CredentialNotOnRoll { .. }
                | Error::CredentialReused { .. }
                | Error::BallotRejected {
                    part: BallotPart::Signature,
                    ..
                }
        )
    }

    /// The parties this error blames, if any.
    pub fn culprits(&self) -> Vec<Culprit> {
        match self {
            Error::BallotRejected { ballot, .. }
            | Error::BallotMalformed { ballot, .. }
            | Error::BallotBoxFull { ballot, .. }
            | Error::DuplicateBallotId { ballot }
            | Error::CredentialMissing { ballot }
            | Error::UnexpectedCredential { ballot }
            | Error::CredentialNotOnRoll { ballot, .. }
            | Error::CredentialReused { ballot, .. }
            | Error::DuplicateCiphertext { ballot }
            | Error::WrongBox { ballot }
            | Error::ChallengedBallot { ballot } => vec![Culprit::Ballot(*ballot)],
            Error::DuplicateTrustee { trustee }
            | Error::WrongCeremony { trustee }
            | Error::TrusteeRejected { trustee, .. }
            | Error::PartialDecryptionRejected { trustee, .. } => vec![Culprit::Trustee(*trustee)],
            Error::WrongRecipient { sender, .. } => vec![Culprit::Trustee(*sender)],
            Error::CeremonyFailed { culprits, .. } => {
                culprits.iter().map(|&i| Culprit::Trustee(i)).collect()
            }
            Error::EntryRefused(failure) => failure.error.culprits(),
            Error::NotEnoughShares { rejected, .. } => {
                rejected.iter().map(|&i| Culprit::Trustee(i)).collect()
            }
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
            ProofKind::OneOfMany => "one-out-of-many proof",
        })
    }
}

impl fmt::Display for BallotPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BallotPart::Option(i) => write!(f, "proof of ciphertext {i}"),
            BallotPart::Count => f.write_str("selection-count proof"),
            BallotPart::Choice => f.write_str("one-out-of-many proof of the choice"),
            BallotPart::Signature => f.write_str("signature under its credential"),
        }
    }
}

impl fmt::Display for CeremonyCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CeremonyCheck::Missing { round } => write!(f, "posted no round-{round} message"),
            CeremonyCheck::Malformed { round } => {
                write!(f, "posted a malformed round-{round} message")
            }
            CeremonyCheck::Equivocation { round } => {
                write!(f, "posted two different round-{round} messages")
            }
            CeremonyCheck::CommunicationKeyProof => {
                f.write_str("proof of knowledge of the communication key rejected")
            }
            CeremonyCheck::CommitmentMismatch => {
                f.write_str("revealed commitments do not match the hash commitment")
            }
            CeremonyCheck::CoefficientCount => {
                f.write_str("wrong number of coefficient commitments")
            }
            CeremonyCheck::CoefficientProof { k } => {
                write!(f, "proof of knowledge of coefficient {k} rejected")
            }
            CeremonyCheck::ShareRecipients => {
                f.write_str("encrypted shares are not one for every other participant")
            }
            CeremonyCheck::EphemeralProof { recipient } => write!(
                f,
                "proof of knowledge of the ephemeral key of the share to trustee {recipient} rejected"
            ),
            CeremonyCheck::BadShare { recipient } => {
                write!(f, "sent a bad share to trustee {recipient}")
            }
            CeremonyCheck::FalseComplaint { dealer } => {
                write!(f, "complained falsely against trustee {dealer}")
            }
            CeremonyCheck::InvalidComplaint { dealer } => {
                write!(f, "invalid complaint against trustee {dealer}")
            }
        }
    }
}

impl fmt::Display for DecryptionCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecryptionCheck::NotQualified => f.write_str("not a qualified trustee"),
            DecryptionCheck::WrongRound { expected, actual } => {
                write!(f, "for round {actual}, expected round {expected}")
            }
            DecryptionCheck::Width { expected, actual } => {
                write!(f, "{actual} decryption shares for {expected} ciphertexts")
            }
            DecryptionCheck::Proof { ciphertext } => {
                write!(f, "DLEQ proof for ciphertext {ciphertext} rejected")
            }
            DecryptionCheck::WrongStatement => {
                f.write_str("verified for another tally, round, election or key")
            }
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
            Error::NotTabella { expected } => {
                write!(
                    f,
                    "not a tabella {expected}: the bytes do not start with a tabella header"
                )
            }
            Error::WrongKind { expected, found } => match found {
                Some(found) => write!(f, "expected a tabella {expected}, found a {found}"),
                None => write!(
                    f,
                    "expected a tabella {expected}, found an unknown kind of object"
                ),
            },
            Error::UnsupportedVersion { kind, version } => write!(
                f,
                "{kind} of protocol version {version}; this build reads version {}",
                crate::domain::PROTOCOL_VERSION
            ),
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
            Error::Io { kind } => write!(f, "I/O error: {kind}"),
            Error::BallotBoxFull { ballot, capacity } => write!(
                f,
                "ballot {ballot}: the box already holds its capacity of {capacity} ballots"
            ),
            Error::CredentialMissing { ballot } => write!(
                f,
                "ballot {ballot}: no credential, in an election with a roll"
            ),
            Error::UnexpectedCredential { ballot } => write!(
                f,
                "ballot {ballot}: a credential, in an election without a roll"
            ),
            Error::CredentialNotOnRoll { ballot, credential } => write!(
                f,
                "ballot {ballot}: its credential {credential} is not on the roll"
            ),
            Error::CredentialReused { ballot, credential } => write!(
                f,
                "ballot {ballot}: credential {credential} already cast a ballot in this round"
            ),
            Error::DuplicateCredential { credential } => {
                write!(f, "credential {credential} is on the roll twice")
            }
            Error::InvalidCredentialCode { reason } => write!(f, "credential code: {reason}"),
            Error::RollMissing => {
                f.write_str("the election has a roll, and no round opens before the roll is posted")
            }
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
            Error::RecordRewritten { entry, what } => {
                write!(
                    f,
                    "the newer record does not extend the older at entry {entry}: {what}"
                )
            }
            Error::UnknownReadHead { entry } => write!(
                f,
                "entry {entry} names a head that is not this board's: its author read another \
                 board"
            ),
            Error::EntrySignatureRejected { entry } => {
                write!(
                    f,
                    "entry {entry}: its signature does not verify under its author's key"
                )
            }
            Error::CeremonyRoundClosed { round } => write!(
                f,
                "ceremony round {round} is closed: the next round has started"
            ),
            Error::BelowPrivacyFloor { ballots, floor } => write!(
                f,
                "refusing to decrypt a box of {ballots} ballots: the privacy floor is {floor}"
            ),
            Error::InvalidThreshold {
                threshold,
                trustees,
            } => write!(
                f,
                "invalid threshold {threshold}-of-{trustees}: need 1 <= t <= n <= {}",
                crate::threshold::MAX_TRUSTEES
            ),
            Error::InvalidTrusteeIndex { index, trustees } => {
                write!(f, "trustee index {index} is not in 1..={trustees}")
            }
            Error::DuplicateTrustee { trustee } => {
                write!(f, "trustee {trustee}: more than one message")
            }
            Error::WrongCeremony { trustee } => {
                write!(f, "trustee {trustee}: message belongs to another ceremony")
            }
            Error::CeremonyBoardChanged { round } => write!(
                f,
                "the ceremony board's round {round} changed after this trustee read it"
            ),
            Error::WrongRecipient {
                sender,
                recipient,
                expected,
            } => write!(
                f,
                "trustee {sender}: message addressed to trustee {recipient}, not {expected}"
            ),
            Error::TrusteeRejected { trustee, check } => write!(f, "trustee {trustee}: {check}"),
            Error::CeremonyFailed {
                needed,
                qualified,
                culprits,
            } => write!(
                f,
                "key ceremony failed: {qualified} qualified trustees, {needed} needed; \
                 excluded: {culprits:?}"
            ),
            Error::ForeignCeremonyEntry { round, author } => write!(
                f,
                "ceremony round {round}: an entry of author {author} is not a message of this \
                 ceremony (another ceremony, kind or version, or no such trustee)"
            ),
            Error::EntryRefused(failure) => write!(f, "entry refused: {failure}"),
            Error::Storage { what, detail } => write!(f, "{what}: {detail}"),
            Error::BoardCorrupted { entry, reason } => write!(f, "board entry {entry}: {reason}"),
            Error::AnotherElection => {
                write!(
                    f,
                    "the board is another election's (its manifest is not the one expected)"
                )
            }
            Error::SealCorrupted => {
                f.write_str("the sealed file is truncated or corrupted (its checksum fails)")
            }
            Error::SealedForAnother => {
                f.write_str("the sealed file belongs to another election or trustee")
            }
            Error::WrongPassphrase => f.write_str("wrong passphrase"),
            Error::SealAltered => f.write_str(
                "the sealed file was altered: it does not authenticate under this passphrase",
            ),
            Error::PartialDecryptionRejected { trustee, check } => {
                write!(f, "trustee {trustee}: partial decryption {check}")
            }
            Error::ConflictingDecryption { round } => write!(
                f,
                "refusing to decrypt round {round} again: this trustee already decrypted \
                 another statement for it"
            ),
            Error::NotEnoughShares {
                needed,
                valid,
                rejected,
            } => write!(
                f,
                "{valid} valid partial decryptions, {needed} needed; rejected: {rejected:?}"
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
