//! The election record: the board, exported (docs/SPEC.md §12).
//!
//! Everything public about an election is an entry of its board, so the record is the board
//! itself: its entries, in order. Nothing is assembled by hand and nothing is left out; two
//! records of one election are the same record, or one extends the other
//! ([`crate::verify::verify_extends`]).
//!
//! # Encodings
//!
//! * Binary, which is what is hashed ([`BoardRecord::hash`]):
//!   `header (kind 9) ‖ LE32(count) ‖ count × (LE32(len) ‖ entry (§14.1))`.
//! * JSON (feature `serde`): `{"version": 4, "entries": [{"kind": "ballot", "author":
//!   "voter", "head": "hex", "entry": "hex"}, …]}`: each entry's canonical bytes in hex, with
//!   its kind, its author (`"administrator"`, `{"trustee": i}` or `"voter"`) and the head
//!   after it spelled out for a reader. The decoder refuses a kind, an author or a head that
//!   is not the entry's, unknown fields and duplicate keys.

use crate::board::chain::Head;
use crate::board::entry::Entry;
use crate::board::hash_parts;
use crate::domain::{ObjectKind, label};
use crate::encoding::{read_header, write_header};
use crate::error::{Error, Result};
use crate::group::{Reader, write_count};

/// The record of an election: its board's entries, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BoardRecord {
    entries: Vec<Entry>,
}

impl BoardRecord {
    /// The record of a board holding these entries.
    pub fn new(entries: Vec<Entry>) -> Self {
        BoardRecord { entries }
    }

    /// The record of the board kept in `store`: every entry, read back and checked against
    /// the chain ([`crate::board::log::read_checked`]), none applied. For an observer who
    /// reads a board's store directly and verifies it with [`crate::verify::verify_record`].
    ///
    /// Errors: [`Error::BoardCorrupted`] naming the first entry that is not the chain's, the
    /// store's errors.
    pub fn from_store<S: crate::board::Store>(store: &S) -> Result<Self> {
        let mut entries = Vec::new();
        crate::board::log::read_checked(store, |_, entry, _| {
            entries.push(entry.clone());
            Ok(())
        })?;
        Ok(BoardRecord { entries })
    }

    /// The entries, in board order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entries, by value.
    pub fn into_entries(self) -> Vec<Entry> {
        self.entries
    }

    /// The head after each entry.
    pub fn heads(&self) -> Vec<Head> {
        let mut head = Head::genesis();
        self.entries
            .iter()
            .map(|e| {
                head = head.next(&e.to_bytes());
                head
            })
            .collect()
    }

    /// The head after the last entry.
    pub fn head(&self) -> Head {
        self.heads().last().copied().unwrap_or_else(Head::genesis)
    }

    /// The canonical binary encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        write_header(&mut out, ObjectKind::Record);
        // A record holds at most 2^32 − 1 entries: the decoder refuses more.
        let _ = write_count(&mut out, "entries", self.entries.len());
        for e in &self.entries {
            let bytes = e.to_bytes();
            let _ = write_count(&mut out, "entry", bytes.len());
            out.extend_from_slice(&bytes);
        }
        out
    }

    /// Decodes a binary record: the header first (junk, another kind, another version each
    /// refused with their own error), then every entry with its canonical decoder.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Reader::decode_all("election record", bytes, |r| {
            read_header(r, ObjectKind::Record)?;
            let count = r.count("entries", 4)?;
            let mut entries = Vec::with_capacity(count.min(1 << 16));
            for k in 0..count {
                let cut = |_| Error::BoardCorrupted {
                    entry: k as u64,
                    reason: "the record ends before this entry's bytes do",
                };
                let len = r.count("entry", 1).map_err(cut)?;
                let bytes = r.take("entry", len).map_err(cut)?;
                let entry = Entry::from_bytes(bytes).map_err(|_| Error::BoardCorrupted {
                    entry: k as u64,
                    reason: "it does not decode as a board entry",
                })?;
                entries.push(entry);
            }
            Ok(BoardRecord { entries })
        })
    }

    /// The record hash: `H("tabella.record", canonical bytes)` (H as in docs/SPEC.md §8.1).
    pub fn hash(&self) -> [u8; 32] {
        hash_parts(&[label::RECORD, &self.to_bytes()])
    }
}

#[cfg(feature = "serde")]
pub use json::{AuthorJson, EntryJson};

#[cfg(feature = "serde")]
mod json {
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::BoardRecord;
    use crate::board::chain::Head;
    use crate::board::entry::{Author, Entry, EntryKind, Role};
    use crate::domain::PROTOCOL_VERSION;
    use crate::encoding::{from_hex, to_hex};
    use crate::error::{Error, Result};
    use crate::threshold::TrusteeIndex;

    /// An entry's author, in JSON: `"administrator"`, `"voter"`, `"credential_authority"` or
    /// `{"trustee": i}`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case", deny_unknown_fields)]
    pub enum AuthorJson {
        /// The administrator.
        Administrator,
        /// A voter (a ballot or a challenged ballot).
        Voter,
        /// Trustee `i`.
        Trustee(u32),
        /// The credential authority.
        CredentialAuthority,
    }

    impl AuthorJson {
        /// The JSON form of `author`.
        pub fn of(author: Author) -> Self {
            match (author.role(), author.trustee_index()) {
                (Role::Administrator, _) => AuthorJson::Administrator,
                (Role::Voter, _) => AuthorJson::Voter,
                (Role::CredentialAuthority, _) => AuthorJson::CredentialAuthority,
                (Role::Trustee, i) => AuthorJson::Trustee(i.map_or(0, |i| i.get())),
            }
        }

        /// Whether this names `author`.
        pub fn names(&self, author: Author) -> bool {
            match self {
                AuthorJson::Administrator => author == Author::ADMINISTRATOR,
                AuthorJson::Voter => author == Author::VOTER,
                AuthorJson::CredentialAuthority => author == Author::CREDENTIAL_AUTHORITY,
                AuthorJson::Trustee(i) => {
                    TrusteeIndex::new(*i).is_ok_and(|i| author == Author::trustee(i))
                }
            }
        }
    }

    /// One entry of a record, or of a page of a board server's entries, in JSON (SPEC §12):
    /// `{"kind", "author", "head", "entry"}`: the entry's canonical bytes in hex, with its
    /// kind, its author and the head after it spelled out for a reader.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct EntryJson {
        /// The entry's kind, by name.
        pub kind: String,
        /// The entry's author.
        pub author: AuthorJson,
        /// The head of the chain after the entry, hex.
        pub head: String,
        /// The entry's canonical bytes, hex.
        pub entry: String,
    }

    /// Why [`EntryJson::decode`] refuses an entry whose words contradict its bytes.
    const MISMATCH: &str = "its kind, author or head is not the entry's";

    impl EntryJson {
        /// The JSON form of `entry`, after which the chain's head is `head`.
        pub fn of(entry: &Entry, head: &Head) -> Self {
            EntryJson {
                kind: entry.kind().name().to_string(),
                author: AuthorJson::of(entry.author()),
                head: to_hex(&head.0),
                entry: to_hex(&entry.to_bytes()),
            }
        }

        /// Decodes the entry that follows the head `previous`, and returns it with the head
        /// after it.
        ///
        /// Errors: the entry's decoding errors; [`Error::InvalidValue`] when the kind, the
        /// author or the head spelled out is not the entry's.
        pub fn decode(&self, previous: &Head) -> Result<(Entry, Head)> {
            let bytes = from_hex("record entry", &self.entry)?;
            let entry = Entry::from_bytes(&bytes)?;
            let head = previous.next(&bytes);
            if EntryKind::from_name(&self.kind) != Some(entry.kind())
                || !self.author.names(entry.author())
                || self.head != to_hex(&head.0)
            {
                return Err(Error::InvalidValue {
                    what: "record entry",
                    reason: MISMATCH,
                });
            }
            Ok((entry, head))
        }
    }

    #[derive(Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct RecordJson {
        version: u16,
        entries: Vec<EntryJson>,
    }

    impl Serialize for BoardRecord {
        fn serialize<S: Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
            let heads = self.heads();
            RecordJson {
                version: PROTOCOL_VERSION,
                entries: self
                    .entries
                    .iter()
                    .zip(heads)
                    .map(|(e, head)| EntryJson::of(e, &head))
                    .collect(),
            }
            .serialize(s)
        }
    }

    impl<'de> Deserialize<'de> for BoardRecord {
        fn deserialize<D: Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
            let json = RecordJson::deserialize(d)?;
            if json.version != PROTOCOL_VERSION {
                return Err(D::Error::custom(crate::Error::UnsupportedVersion {
                    kind: crate::domain::ObjectKind::Record,
                    version: json.version,
                }));
            }
            let mut head = Head::genesis();
            let mut entries = Vec::with_capacity(json.entries.len());
            for (k, e) in json.entries.into_iter().enumerate() {
                let (entry, next) = e.decode(&head).map_err(|e| match e {
                    Error::InvalidValue {
                        reason: MISMATCH, ..
                    } => D::Error::custom(format!("record entry {k}: {MISMATCH}")),
                    e => D::Error::custom(format!("record entry {k}: {e}")),
                })?;
                head = next;
                entries.push(entry);
            }
            Ok(BoardRecord { entries })
        }
    }
}
