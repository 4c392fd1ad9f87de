//! Every transcript label and protocol version string, in one table.
//!
//! A label used for two different relations is a bug (bulletproofs shipped one), so every
//! domain separator of the protocol lives here, and a unit test checks that they are distinct.
//! Changing any value in this module is a protocol change: bump [`PROTOCOL_VERSION`] and say so
//! in `CHANGELOG.md` and `docs/SPEC.md`.

/// The protocol version. It is not the crate version: it changes only when a label, an encoding
/// or a verification check changes.
pub const PROTOCOL_VERSION: u16 = 6;

/// The label every root transcript starts with (merlin's `Transcript::new` argument).
pub const PROTOCOL_ID: &[u8] = b"tabella/v6";

/// The cipher suite named in every top-level artifact.
pub const SUITE: &str = "ristretto255-sha512-merlin";

/// What a top-level encoding holds: the kind byte of its header (see
/// [`crate::encoding::header`]). Each value is a protocol constant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ObjectKind {
    /// A manifest (docs/SPEC.md §10).
    Manifest = 1,
    /// The trustees' public key package (§11.3).
    PublicKeyPackage = 2,
    /// A key-ceremony round-1 message (§11.3).
    CeremonyRound1 = 3,
    /// A key-ceremony round-2 message (§11.3).
    CeremonyRound2 = 4,
    /// A key-ceremony round-3 message (§11.3).
    CeremonyRound3 = 5,
    /// An encrypted ballot (§6.2).
    Ballot = 6,
    /// A challenged (opened) ballot (§9).
    ChallengedBallot = 7,
    /// A trustee's partial decryption (§11.3).
    PartialDecryption = 8,
    /// An election record (§12).
    Record = 9,
    /// A trustee's exported key share and decryption log (secret, §11.5).
    KeyShare = 10,
    /// A ballot stream (§7.1).
    BallotStream = 11,
    /// A secret sealed with a passphrase (§15).
    SealedSecret = 12,
    /// An entry of the board (§14.1).
    BoardEntry = 13,
    /// A trustee's whole secret state: board key, ceremony state or key share, pending
    /// message (secret, §15.2).
    TrusteeState = 14,
    /// A trustee's secret key-ceremony state between two rounds (secret, §15.3).
    CeremonyState = 15,
    /// The roll of public credentials (§16.1).
    Roll = 16,
}

impl ObjectKind {
    /// Every kind, for decoding the kind byte and for the specification.
    pub const ALL: &[ObjectKind] = &[
        ObjectKind::Manifest,
        ObjectKind::PublicKeyPackage,
        ObjectKind::CeremonyRound1,
        ObjectKind::CeremonyRound2,
        ObjectKind::CeremonyRound3,
        ObjectKind::Ballot,
        ObjectKind::ChallengedBallot,
        ObjectKind::PartialDecryption,
        ObjectKind::Record,
        ObjectKind::KeyShare,
        ObjectKind::BallotStream,
        ObjectKind::SealedSecret,
        ObjectKind::BoardEntry,
        ObjectKind::TrusteeState,
        ObjectKind::CeremonyState,
        ObjectKind::Roll,
    ];

    /// The kind byte.
    pub const fn tag(self) -> u8 {
        self as u8
    }

    /// The kind with this tag byte, if any.
    pub fn from_tag(tag: u8) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.tag() == tag)
    }

    /// What the kind is called in errors and in the specification.
    pub const fn name(self) -> &'static str {
        match self {
            ObjectKind::Manifest => "manifest",
            ObjectKind::PublicKeyPackage => "public key package",
            ObjectKind::CeremonyRound1 => "ceremony round-1 message",
            ObjectKind::CeremonyRound2 => "ceremony round-2 message",
            ObjectKind::CeremonyRound3 => "ceremony round-3 message",
            ObjectKind::Ballot => "encrypted ballot",
            ObjectKind::ChallengedBallot => "challenged ballot",
            ObjectKind::PartialDecryption => "partial decryption",
            ObjectKind::Record => "election record",
            ObjectKind::KeyShare => "exported key share",
            ObjectKind::BallotStream => "ballot stream",
            ObjectKind::SealedSecret => "sealed secret",
            ObjectKind::BoardEntry => "board entry",
            ObjectKind::TrusteeState => "trustee state",
            ObjectKind::CeremonyState => "ceremony state",
            ObjectKind::Roll => "roll",
        }
    }
}

impl core::fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// Domain separators (merlin `dom-sep` values and hash prefixes).
pub mod label {
    /// Schnorr proof of knowledge of a discrete logarithm.
    pub const SCHNORR: &[u8] = b"tabella.proof.schnorr";
    /// Chaum–Pedersen proof of equality of discrete logarithms.
    pub const DLEQ: &[u8] = b"tabella.proof.dleq";
    /// Disjunctive (CDS) proof that a ciphertext encrypts a member of a public set.
    pub const MEMBERSHIP: &[u8] = b"tabella.proof.membership";
    /// One-out-of-many proof that a tuple of ciphertexts encrypts one of a list of one-hot
    /// vectors (§5.5).
    pub const ONE_OF_MANY: &[u8] = b"tabella.proof.one-of-many";
    /// The derivation of the one-out-of-many proof's generators (§5.5).
    pub const GENERATORS: &[u8] = b"tabella.generators";
    /// An encrypted ballot: the transcript every proof of the ballot forks from.
    pub const BALLOT: &[u8] = b"tabella.ballot";
    /// The own proof of one ciphertext of a ballot: an option's 0/1 proof, or a packed
    /// chunk's proof (forked from [`BALLOT`]).
    pub const BALLOT_OPTION: &[u8] = b"tabella.ballot.option";
    /// The selection-count proof of a ballot (forked from [`BALLOT`]).
    pub const BALLOT_COUNT: &[u8] = b"tabella.ballot.count";
    /// Weights of a batch verification.
    pub const BATCH: &[u8] = b"tabella.batch";
    /// The election fingerprint hash.
    pub const FINGERPRINT: &[u8] = b"tabella.fingerprint";
    /// The identifier of a key ceremony: binds the ceremony fingerprint, t, n and the run nonce.
    pub const CEREMONY: &[u8] = b"tabella.ceremony";
    /// The hash commitment of a trustee to its coefficient commitments (key ceremony).
    pub const CEREMONY_COMMIT: &[u8] = b"tabella.ceremony.commit";
    /// A trustee's proof of knowledge of its communication key (key ceremony).
    pub const CEREMONY_COMM_KEY: &[u8] = b"tabella.ceremony.comm-key";
    /// A trustee's proof of knowledge of one polynomial coefficient (key ceremony).
    pub const CEREMONY_COEFFICIENT: &[u8] = b"tabella.ceremony.coefficient";
    /// The hashed-ElGamal key derivation for an encrypted share (key ceremony).
    pub const CEREMONY_SHARE_KEY: &[u8] = b"tabella.ceremony.share-key";
    /// A dealer's proof of knowledge of the ephemeral scalar of one encrypted share, bound to
    /// the dealer, the recipient and the share (key ceremony).
    pub const CEREMONY_EPHEMERAL: &[u8] = b"tabella.ceremony.ephemeral";
    /// A complaint against a dealer: DLEQ on the revealed Diffie–Hellman point.
    pub const CEREMONY_COMPLAINT: &[u8] = b"tabella.ceremony.complaint";
    /// The fingerprint of a public key package (bound into an exported key share).
    pub const KEY_PACKAGE: &[u8] = b"tabella.keys.package";
    /// A trustee's partial decryption of a tally ciphertext.
    pub const PARTIAL_DECRYPTION: &[u8] = b"tabella.decryption.partial";
    /// The hash of an encrypted ballot, shown by the device before cast or challenge.
    pub const BALLOT_HASH: &[u8] = b"tabella.board.ballot-hash";
    /// The hash of a challenged ballot's opening, chained into the box's codes.
    pub const CHALLENGE_HASH: &[u8] = b"tabella.board.challenged";
    /// The confirmation-code hash chain of a ballot box.
    pub const CONFIRMATION_CODE: &[u8] = b"tabella.board.code";
    /// The record hash.
    pub const RECORD: &[u8] = b"tabella.record";
    /// The digest of the ceremony rounds a trustee's saved state was made on.
    pub const CEREMONY_STATE: &[u8] = b"tabella.ceremony.state";
    /// The chain of heads of the board.
    pub const BOARD_HEAD: &[u8] = b"tabella.board.head";
    /// The signature of a board entry.
    pub const BOARD_ENTRY: &[u8] = b"tabella.board.entry";
    /// A ballot's signature under its voter credential.
    pub const BALLOT_SIGNATURE: &[u8] = b"tabella.ballot.signature";
    /// The checksum of a credential code.
    pub const CREDENTIAL_CODE: &[u8] = b"tabella.credential.code";

    /// Every label above, for the distinctness test and for the specification.
    pub const ALL: &[&[u8]] = &[
        SCHNORR,
        DLEQ,
        MEMBERSHIP,
        ONE_OF_MANY,
        GENERATORS,
        BALLOT,
        BALLOT_OPTION,
        BALLOT_COUNT,
        BATCH,
        FINGERPRINT,
        CEREMONY,
        CEREMONY_COMMIT,
        CEREMONY_COMM_KEY,
        CEREMONY_COEFFICIENT,
        CEREMONY_SHARE_KEY,
        CEREMONY_EPHEMERAL,
        CEREMONY_COMPLAINT,
        KEY_PACKAGE,
        PARTIAL_DECRYPTION,
        BALLOT_HASH,
        CHALLENGE_HASH,
        CONFIRMATION_CODE,
        RECORD,
        BOARD_HEAD,
        BOARD_ENTRY,
        CEREMONY_STATE,
        BALLOT_SIGNATURE,
        CREDENTIAL_CODE,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specification_lists_every_label() {
        let spec = include_str!("../docs/SPEC.md");
        for l in label::ALL {
            let l = core::str::from_utf8(l).unwrap();
            assert!(
                spec.contains(&format!("| `{l}` |")),
                "docs/SPEC.md §3.3 misses {l}"
            );
        }
    }

    #[test]
    fn labels_are_distinct_and_prefixed() {
        for (i, a) in label::ALL.iter().enumerate() {
            assert!(a.starts_with(b"tabella."), "{:?}", a);
            for b in &label::ALL[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }
}
