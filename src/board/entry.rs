//! An entry of the board: what it is, who posted it, its body, and (for the administrator and
//! the trustees) the head its author read and its signature (docs/SPEC.md §14.1).
//!
//! # Encoding
//!
//! ```text
//! entry = header (kind 13) ‖ kind (1 byte) ‖ role (1 byte) ‖ LE32(index) ‖ LE32(len) ‖ body
//!         ‖ [read head (32) ‖ R (32) ‖ s (32)]      present iff the role signs
//! ```
//!
//! | role | byte | index | signs |
//! |---|---|---|---|
//! | administrator | 0 | 0 | yes, with the manifest's administrator key |
//! | trustee | 1 | its index, 1..=255 | yes, with the manifest's key of that trustee |
//! | voter | 2 | 0 | no |
//! | credential authority | 3 | 0 | yes, with the manifest's credential authority key |
//!
//! Each [`EntryKind`] has one role that may post it; the decoder refuses any other pairing,
//! an index that does not fit its role, and a body longer than [`MAX_BODY_LEN`].
//!
//! # Signature
//!
//! A Schnorr signature (a proof of knowledge of the author's key, bound to the entry):
//!
//! ```text
//! T = root(board id, "tabella.board.entry")      board id: the manifest's F_c (§10.3)
//! u64("kind", kind); u64("role", role); u64("index", index)
//! msg("body", body); msg("read", read head)
//! Schnorr proof (§5.1) with X = the author's key
//! ```

use rand_core::{CryptoRng, RngCore};

use crate::board::chain::Head;
use crate::domain::{ObjectKind, label};
use crate::elgamal::{PublicKey, SecretKey};
use crate::encoding::{read_header, write_header};
use crate::error::{Error, Result};
use crate::group::{Reader, write_count};
use crate::proofs::{SchnorrProof, SchnorrStatement};
use crate::threshold::TrusteeIndex;
use crate::transcript::{ElectionContext, TranscriptExt};

/// The longest body an entry may hold (2 MiB: a manifest of 1,024 names of 1,024 bytes fits).
pub const MAX_BODY_LEN: usize = 2 << 20;

/// Who may post an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// The election's administrator (signs with the manifest's administrator key).
    Administrator,
    /// A trustee (signs with its key in the manifest).
    Trustee,
    /// A voter's device, through the board (anonymous).
    Voter,
    /// The credential authority (signs the roll with the manifest's credential authority
    /// key).
    CredentialAuthority,
}

impl Role {
    /// The role byte.
    pub const fn tag(self) -> u8 {
        match self {
            Role::Administrator => 0,
            Role::Trustee => 1,
            Role::Voter => 2,
            Role::CredentialAuthority => 3,
        }
    }

    /// Whether entries of this role carry a signature.
    pub const fn signs(self) -> bool {
        matches!(
            self,
            Role::Administrator | Role::Trustee | Role::CredentialAuthority
        )
    }
}

/// The author of an entry: a role, and for a trustee its index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Author {
    role: Role,
    index: u32,
}

impl Author {
    /// The administrator.
    pub const ADMINISTRATOR: Author = Author {
        role: Role::Administrator,
        index: 0,
    };

    /// A voter.
    pub const VOTER: Author = Author {
        role: Role::Voter,
        index: 0,
    };

    /// The credential authority.
    pub const CREDENTIAL_AUTHORITY: Author = Author {
        role: Role::CredentialAuthority,
        index: 0,
    };

    /// Trustee `index`.
    pub fn trustee(index: TrusteeIndex) -> Self {
        Author {
            role: Role::Trustee,
            index: index.get(),
        }
    }

    /// The role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The trustee, if the author is one.
    pub fn trustee_index(&self) -> Option<TrusteeIndex> {
        match self.role {
            Role::Trustee => TrusteeIndex::new(self.index).ok(),
            _ => None,
        }
    }
}

/// What an entry is. Each kind has one role that may post it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum EntryKind {
    /// The manifest (the board's first entry).
    Manifest = 1,
    /// The start of a run of the key ceremony: its run nonce.
    CeremonyRun = 2,
    /// A trustee's ceremony message (round 1, 2 or 3: the kind is in its header).
    CeremonyMessage = 3,
    /// The ceremony's outcome: the public key package.
    Keys = 4,
    /// A candidate's withdrawal before the next round.
    Withdrawal = 5,
    /// The opening of a round: its kind, its candidates and its contest.
    RoundOpen = 6,
    /// A cast ballot.
    Ballot = 7,
    /// A challenged (opened) ballot.
    Challenged = 8,
    /// The close of a round's box.
    RoundClose = 9,
    /// A trustee's partial decryption of a round's tally.
    PartialDecryption = 10,
    /// A round's decrypted totals and decision.
    Result = 11,
    /// The resolution of a tie for lowest.
    TieResolution = 12,
    /// The election of the sole remaining candidate without a ballot.
    Acclamation = 13,
    /// The roll of public credentials (the credential authority's).
    Roll = 14,
}

impl EntryKind {
    /// Every kind.
    pub const ALL: &[EntryKind] = &[
        EntryKind::Manifest,
        EntryKind::CeremonyRun,
        EntryKind::CeremonyMessage,
        EntryKind::Keys,
        EntryKind::Withdrawal,
        EntryKind::RoundOpen,
        EntryKind::Ballot,
        EntryKind::Challenged,
        EntryKind::RoundClose,
        EntryKind::PartialDecryption,
        EntryKind::Result,
        EntryKind::TieResolution,
        EntryKind::Acclamation,
        EntryKind::Roll,
    ];

    /// The kind byte.
    pub const fn tag(self) -> u8 {
        self as u8
    }

    /// The kind with this byte.
    pub fn from_tag(tag: u8) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.tag() == tag)
    }

    /// The role that posts entries of this kind.
    pub const fn role(self) -> Role {
        match self {
            EntryKind::CeremonyMessage | EntryKind::PartialDecryption => Role::Trustee,
            EntryKind::Ballot | EntryKind::Challenged => Role::Voter,
            EntryKind::Roll => Role::CredentialAuthority,
            _ => Role::Administrator,
        }
    }

    /// Its name in errors, the JSON form and the specification.
    pub const fn name(self) -> &'static str {
        match self {
            EntryKind::Manifest => "manifest",
            EntryKind::CeremonyRun => "ceremony_run",
            EntryKind::CeremonyMessage => "ceremony_message",
            EntryKind::Keys => "keys",
            EntryKind::Withdrawal => "withdrawal",
            EntryKind::RoundOpen => "round_open",
            EntryKind::Ballot => "ballot",
            EntryKind::Challenged => "challenged",
            EntryKind::RoundClose => "round_close",
            EntryKind::PartialDecryption => "partial_decryption",
            EntryKind::Result => "result",
            EntryKind::TieResolution => "tie_resolution",
            EntryKind::Acclamation => "acclamation",
            EntryKind::Roll => "roll",
        }
    }

    /// The kind with this name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.name() == name)
    }
}

/// The signature of an entry, with the head its author read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    read: Head,
    proof: SchnorrProof,
}

impl Signature {
    /// The head the author had read when it signed.
    pub fn read(&self) -> &Head {
        &self.read
    }
}

/// An entry of the board.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    kind: EntryKind,
    author: Author,
    body: Vec<u8>,
    signature: Option<Signature>,
}

fn invalid(reason: &'static str) -> Error {
    Error::InvalidValue {
        what: "board entry",
        reason,
    }
}

/// The transcript an entry's signature is made and checked on.
fn signing_transcript(
    board: &ElectionContext,
    kind: EntryKind,
    author: Author,
    body: &[u8],
    read: &Head,
) -> merlin::Transcript {
    let mut t = board.transcript(label::BOARD_ENTRY);
    t.append_count(b"kind", u64::from(kind.tag()));
    t.append_count(b"role", u64::from(author.role.tag()));
    t.append_count(b"index", u64::from(author.index));
    t.append_message(b"body", body);
    t.append_message(b"read", &read.0);
    t
}

impl Entry {
    /// A voter's entry (a ballot or a challenged ballot): not signed.
    ///
    /// Errors: [`Error::InvalidValue`] for a kind a voter does not post or a body too long.
    pub fn voter(kind: EntryKind, body: Vec<u8>) -> Result<Self> {
        if kind.role() != Role::Voter {
            return Err(invalid("a voter does not post this kind of entry"));
        }
        if body.len() > MAX_BODY_LEN {
            return Err(invalid("the body is longer than MAX_BODY_LEN"));
        }
        Ok(Entry {
            kind,
            author: Author::VOTER,
            body,
            signature: None,
        })
    }

    /// An entry of the administrator or of a trustee, signed with `key` for the board with id
    /// `board` (the manifest's ceremony fingerprint), naming the head `read` its author read.
    ///
    /// Errors: [`Error::InvalidValue`] when `author` may not post `kind`, or the body is too
    /// long.
    pub fn signed<R: RngCore + CryptoRng>(
        kind: EntryKind,
        author: Author,
        body: Vec<u8>,
        board: &ElectionContext,
        read: Head,
        key: &SecretKey,
        rng: &mut R,
    ) -> Result<Self> {
        if kind.role() != author.role || !author.role.signs() {
            return Err(invalid("this author does not post this kind of entry"));
        }
        if body.len() > MAX_BODY_LEN {
            return Err(invalid("the body is longer than MAX_BODY_LEN"));
        }
        let public = key.public_key();
        let mut t = signing_transcript(board, kind, author, &body, &read);
        let proof = SchnorrProof::prove(
            &mut t,
            &SchnorrStatement {
                public: public.as_point(),
            },
            key,
            rng,
        );
        Ok(Entry {
            kind,
            author,
            body,
            signature: Some(Signature { read, proof }),
        })
    }

    /// What the entry is.
    pub fn kind(&self) -> EntryKind {
        self.kind
    }

    /// Who posted it.
    pub fn author(&self) -> Author {
        self.author
    }

    /// Its body: the canonical encoding of what it carries.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Its signature, for the administrator's and the trustees' entries.
    pub fn signature(&self) -> Option<&Signature> {
        self.signature.as_ref()
    }

    /// Checks the signature against `key`, the author's key in the manifest, on the board
    /// with id `board`.
    ///
    /// Errors: [`Error::ProofRejected`] for a bad signature; [`Error::InvalidValue`] for an
    /// entry without one.
    pub fn verify_signature(&self, board: &ElectionContext, key: &PublicKey) -> Result<()> {
        let Some(sig) = &self.signature else {
            return Err(invalid("this entry is not signed"));
        };
        let mut t = signing_transcript(board, self.kind, self.author, &self.body, &sig.read);
        sig.proof.verify(
            &mut t,
            &SchnorrStatement {
                public: key.as_point(),
            },
        )
    }

    /// Appends the canonical encoding.
    pub fn write(&self, out: &mut Vec<u8>) {
        write_header(out, ObjectKind::BoardEntry);
        out.push(self.kind.tag());
        out.push(self.author.role.tag());
        out.extend_from_slice(&self.author.index.to_le_bytes());
        // Bodies are at most MAX_BODY_LEN: the count fits.
        let _ = write_count(out, "entry body", self.body.len());
        out.extend_from_slice(&self.body);
        if let Some(sig) = &self.signature {
            out.extend_from_slice(&sig.read.0);
            sig.proof.write(out);
        }
    }

    /// The canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.body.len() + 112);
        self.write(&mut out);
        out
    }

    /// Decodes an entry (module documentation for what it enforces).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Reader::decode_all("board entry", bytes, Self::read)
    }

    /// Reads an entry from a longer encoding.
    pub fn read(reader: &mut Reader<'_>) -> Result<Self> {
        read_header(reader, ObjectKind::BoardEntry)?;
        let kind = EntryKind::from_tag(reader.u8("entry kind")?)
            .ok_or_else(|| invalid("unknown entry kind"))?;
        let role = match reader.u8("entry role")? {
            0 => Role::Administrator,
            1 => Role::Trustee,
            2 => Role::Voter,
            3 => Role::CredentialAuthority,
            _ => return Err(invalid("unknown role")),
        };
        let index = reader.u32("entry author index")?;
        if kind.role() != role {
            return Err(invalid("this role does not post this kind of entry"));
        }
        match role {
            Role::Trustee if TrusteeIndex::new(index).is_err() => {
                return Err(invalid("a trustee's index is in 1..=255"));
            }
            Role::Administrator | Role::Voter | Role::CredentialAuthority if index != 0 => {
                return Err(invalid("only a trustee's entry carries an index"));
            }
            _ => {}
        }
        let len = reader.count("entry body", 1)?;
        if len > MAX_BODY_LEN {
            return Err(invalid("the body is longer than MAX_BODY_LEN"));
        }
        let body = reader.take("entry body", len)?.to_vec();
        let signature = if role.signs() {
            Some(Signature {
                read: Head(reader.array("read head")?),
                proof: SchnorrProof::read(reader)?,
            })
        } else {
            None
        };
        Ok(Entry {
            kind,
            author: Author { role, index },
            body,
            signature,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn signed_entries_round_trip_and_bind_everything() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let key = SecretKey::generate(&mut rng);
        let board = ElectionContext::new([4; 32]);
        let read = Head::genesis();
        let e = Entry::signed(
            EntryKind::RoundOpen,
            Author::ADMINISTRATOR,
            b"round 1".to_vec(),
            &board,
            read,
            &key,
            &mut rng,
        )
        .unwrap();
        let bytes = e.to_bytes();
        let back = Entry::from_bytes(&bytes).unwrap();
        assert_eq!(back, e);
        assert_eq!(back.to_bytes(), bytes);
        assert!(back.verify_signature(&board, &key.public_key()).is_ok());
        // Another key, another board, another body or read head: refused.
        let other = SecretKey::generate(&mut rng).public_key();
        assert!(back.verify_signature(&board, &other).is_err());
        assert!(
            back.verify_signature(&ElectionContext::new([5; 32]), &key.public_key())
                .is_err()
        );
        let mut changed = bytes.clone();
        let at = crate::encoding::header::HEADER_LEN + 10;
        changed[at] ^= 1;
        let changed = Entry::from_bytes(&changed).unwrap();
        assert!(changed.verify_signature(&board, &key.public_key()).is_err());
        for cut in 0..bytes.len() {
            assert!(Entry::from_bytes(&bytes[..cut]).is_err());
        }
    }

    #[test]
    fn roles_and_kinds_must_agree() {
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        let key = SecretKey::generate(&mut rng);
        let board = ElectionContext::new([4; 32]);
        assert!(Entry::voter(EntryKind::Ballot, vec![1]).is_ok());
        assert!(Entry::voter(EntryKind::RoundClose, vec![1]).is_err());
        let trustee = Author::trustee(TrusteeIndex::new(2).unwrap());
        assert!(
            Entry::signed(
                EntryKind::Result,
                trustee,
                vec![],
                &board,
                Head::genesis(),
                &key,
                &mut rng
            )
            .is_err()
        );
        // A ballot relabelled as posted by the administrator does not decode.
        let mut bytes = Entry::voter(EntryKind::Ballot, vec![1]).unwrap().to_bytes();
        bytes[crate::encoding::header::HEADER_LEN + 1] = 0;
        assert!(Entry::from_bytes(&bytes).is_err());
    }
}
