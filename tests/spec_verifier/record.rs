//! The election record (SPEC §12): the board's entries, in its binary form (§12.1) and its JSON
//! form (§12.2), each entry read by §14.1's decoder, with the chain of heads of §14.2.

use super::codec::{Reader, Res, Writer, h, header, hex, kind};
use super::json::{self, J};

/// §14.1: the longest body, 2 MiB (2²¹ bytes).
pub const MAX_BODY: usize = 1 << 21;

/// The entry kinds of §14.1: (kind byte, name, role byte).
pub const KINDS: [(u8, &str, u8); 14] = [
    (1, "manifest", ADMINISTRATOR),
    (2, "ceremony_run", ADMINISTRATOR),
    (3, "ceremony_message", TRUSTEE),
    (4, "keys", ADMINISTRATOR),
    (5, "withdrawal", ADMINISTRATOR),
    (6, "round_open", ADMINISTRATOR),
    (7, "ballot", VOTER),
    (8, "challenged", VOTER),
    (9, "round_close", ADMINISTRATOR),
    (10, "partial_decryption", TRUSTEE),
    (11, "result", ADMINISTRATOR),
    (12, "tie_resolution", ADMINISTRATOR),
    (13, "acclamation", ADMINISTRATOR),
    (14, "roll", CREDENTIAL_AUTHORITY),
];

/// The role bytes of §14.1.
pub const ADMINISTRATOR: u8 = 0;
pub const TRUSTEE: u8 = 1;
pub const VOTER: u8 = 2;
pub const CREDENTIAL_AUTHORITY: u8 = 3;

/// The entry kinds by name.
pub mod entry {
    pub const MANIFEST: u8 = 1;
    pub const CEREMONY_RUN: u8 = 2;
    pub const CEREMONY_MESSAGE: u8 = 3;
    pub const KEYS: u8 = 4;
    pub const WITHDRAWAL: u8 = 5;
    pub const ROUND_OPEN: u8 = 6;
    pub const BALLOT: u8 = 7;
    pub const CHALLENGED: u8 = 8;
    pub const ROUND_CLOSE: u8 = 9;
    pub const PARTIAL_DECRYPTION: u8 = 10;
    pub const RESULT: u8 = 11;
    pub const TIE_RESOLUTION: u8 = 12;
    pub const ACCLAMATION: u8 = 13;
    pub const ROLL: u8 = 14;
}

/// The signature of an entry (§14.1, §14.3): the head its author read, and a Schnorr proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    pub read: [u8; 32],
    pub proof: super::proofs::Schnorr,
    /// R ‖ s as encoded.
    pub bytes: [u8; 64],
}

/// A board entry (§14.1), decoded, with its canonical bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub kind: u8,
    pub role: u8,
    pub index: u32,
    pub body: Vec<u8>,
    pub signature: Option<Signature>,
    pub bytes: Vec<u8>,
}

impl Entry {
    /// §14.1's decoder: the header, a known kind and role, the kind's own role, the index in
    /// its role's range, a body of at most 2 MiB, the read head and signature iff the role
    /// signs, and no trailing bytes.
    pub fn decode(bytes: &[u8]) -> Res<Entry> {
        let mut rd = Reader::new(bytes);
        rd.header(kind::ENTRY)?;
        let kind = rd.u8()?;
        let role = rd.u8()?;
        let Some(&(_, name, own_role)) = KINDS.iter().find(|(k, _, _)| *k == kind) else {
            return Err(format!("unknown entry kind {kind}"));
        };
        if role > CREDENTIAL_AUTHORITY {
            return Err(format!("unknown role {role}"));
        }
        if role != own_role {
            return Err(format!("a {name} entry with role {role}"));
        }
        let index = rd.u32()?;
        let in_range = match role {
            TRUSTEE => (1..=255).contains(&index),
            _ => index == 0,
        };
        if !in_range {
            return Err(format!("index {index} for role {role}"));
        }
        let len = rd.u32()? as usize;
        if len > MAX_BODY {
            return Err(format!("a body of {len} bytes, above 2 MiB"));
        }
        let body = rd.bytes(len)?.to_vec();
        let signature = if role == VOTER {
            None
        } else {
            let read = rd.array()?;
            let at = bytes.len() - rd.remaining();
            let proof = super::proofs::Schnorr::read(&mut rd)?;
            let mut sig = [0u8; 64];
            sig.copy_from_slice(&bytes[at..at + 64]);
            Some(Signature {
                read,
                proof,
                bytes: sig,
            })
        };
        rd.finish()?;
        Ok(Entry {
            kind,
            role,
            index,
            body,
            signature,
            bytes: bytes.to_vec(),
        })
    }

    /// The name of its kind (§14.1).
    pub fn name(&self) -> &'static str {
        KINDS
            .iter()
            .find(|(k, _, _)| *k == self.kind)
            .map_or("?", |(_, n, _)| n)
    }
}

/// §14.2: head₋₁ = H("tabella.board.head", "genesis").
pub fn genesis_head() -> [u8; 32] {
    h(&[b"tabella.board.head", b"genesis"])
}

/// §14.2: headₖ = H("tabella.board.head", headₖ₋₁, entryₖ).
pub fn next_head(previous: &[u8; 32], entry: &[u8]) -> [u8; 32] {
    h(&[b"tabella.board.head", previous, entry])
}

/// A record that does not decode (§12): why, and the position of the entry when one is to
/// blame (`BoardCorrupted { entry }`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotARecord {
    pub entry: Option<u64>,
    pub reason: String,
}

fn at(entry: usize) -> impl Fn(String) -> NotARecord {
    move |reason| NotARecord {
        entry: Some(entry as u64),
        reason,
    }
}

fn whole(reason: String) -> NotARecord {
    NotARecord {
        entry: None,
        reason,
    }
}

/// The record (§12): every entry, in board order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub entries: Vec<Entry>,
}

impl Record {
    /// §12.1: header (kind 9) ‖ LE32(E) ‖ E × (LE32(len) ‖ entry).
    pub fn decode(bytes: &[u8]) -> Result<Record, NotARecord> {
        let mut rd = Reader::new(bytes);
        rd.header(kind::RECORD).map_err(whole)?;
        let count = rd.count(4).map_err(whole)?;
        let mut entries = Vec::with_capacity(count);
        for k in 0..count {
            let blob = rd.blob().map_err(at(k))?;
            entries.push(Entry::decode(blob).map_err(at(k))?);
        }
        rd.finish().map_err(whole)?;
        Ok(Record { entries })
    }

    /// §12.1.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.bytes(&header(kind::RECORD));
        w.u32(self.entries.len() as u32);
        for e in &self.entries {
            w.blob(&e.bytes);
        }
        w.0
    }

    /// The record hash (§12.1).
    pub fn hash(&self) -> [u8; 32] {
        h(&[b"tabella.record", &self.encode()])
    }

    /// The head after each entry (§14.2).
    pub fn heads(&self) -> Vec<[u8; 32]> {
        let mut head = genesis_head();
        self.entries
            .iter()
            .map(|e| {
                head = next_head(&head, &e.bytes);
                head
            })
            .collect()
    }

    /// §12.2: `{"version": 4, "entries": [{"kind", "author", "head", "entry"}, …]}`; every
    /// field required, no other allowed, `kind`, `author` and `head` the entry's.
    pub fn from_json(text: &str) -> Result<Record, NotARecord> {
        let v = json::parse(text).map_err(whole)?;
        let [version, entries] =
            json::fields(&v, ["version", "entries"], "record").map_err(whole)?;
        let version = json::int(version, "version").map_err(whole)?;
        if version != u64::from(super::codec::VERSION) {
            return Err(whole(format!("version {version}")));
        }
        let mut head = genesis_head();
        let mut out = Vec::new();
        for (k, e) in json::array(entries, "entries")
            .map_err(whole)?
            .iter()
            .enumerate()
        {
            let [name, author, stated, bytes] =
                json::fields(e, ["kind", "author", "head", "entry"], "entry").map_err(at(k))?;
            let bytes = json::hex_bytes(bytes, "entry").map_err(at(k))?;
            let entry = Entry::decode(&bytes).map_err(at(k))?;
            head = next_head(&head, &bytes);
            let name = json::string(name, "kind").map_err(at(k))?;
            if name != entry.name() {
                return Err(at(k)(format!(
                    "kind {name:?}, the entry is a {}",
                    entry.name()
                )));
            }
            if !author_is(author, &entry) {
                return Err(at(k)(format!("author {author:?} is not the entry's")));
            }
            if json::hex32(stated, "head").map_err(at(k))? != head {
                return Err(at(k)(format!(
                    "head is not the head after it ({})",
                    hex(&head)
                )));
            }
            out.push(entry);
        }
        Ok(Record { entries: out })
    }
}

/// §12.2: `"administrator"`, `{"trustee": i}`, `"voter"` or `"credential_authority"`, as the entry's role and index say.
fn author_is(author: &J, entry: &Entry) -> bool {
    match (author, entry.role) {
        (J::Str(a), ADMINISTRATOR) => a == "administrator",
        (J::Str(a), VOTER) => a == "voter",
        (J::Str(a), CREDENTIAL_AUTHORITY) => a == "credential_authority",
        (J::Obj(_), TRUSTEE) => json::fields(author, ["trustee"], "author")
            .ok()
            .and_then(|[i]| json::int(i, "trustee").ok())
            .is_some_and(|i| i == u64::from(entry.index)),
        _ => false,
    }
}
