//! The board the server holds: the election on its store, and an index of what the booth
//! needs (the latest keys and round opening), kept up to date with every append. The code
//! lookup is the library's ([`tabella::election::Replay::find_code`]).

use serde_json::{Value, json};
use tabella::board::{BoxEntryKind, CodeQuery, Entry, EntryKind, Store};
use tabella::election::BoardElection;
use tabella::encoding::to_hex;
use tabella_board_sqlite::SqliteStore;

/// The election and its index.
#[derive(Debug)]
pub struct Board {
    /// The election on its durable board.
    pub election: BoardElection<SqliteStore>,
    index: Index,
}

#[derive(Debug, Default)]
struct Index {
    /// The body of the latest keys entry.
    keys: Option<Vec<u8>>,
    /// The body of the latest round opening.
    opening: Option<Vec<u8>>,
}

impl Index {
    fn note(&mut self, entry: &Entry) {
        match entry.kind() {
            EntryKind::Keys => self.keys = Some(entry.body().to_vec()),
            EntryKind::RoundOpen => self.opening = Some(entry.body().to_vec()),
            _ => {}
        }
    }
}

impl Board {
    /// The board of `election`, indexed from its record.
    pub fn new(election: BoardElection<SqliteStore>) -> tabella::Result<Self> {
        let mut index = Index::default();
        for entry in election.record()?.entries() {
            index.note(entry);
        }
        Ok(Board { election, index })
    }

    /// Notes the entries appended since the board held `before` entries.
    pub fn note_appended(&mut self, before: u64) -> tabella::Result<()> {
        let now = self.election.len();
        if now <= before {
            return Ok(());
        }
        for stored in self.election.store().read(before, now)? {
            self.index.note(&Entry::from_bytes(&stored.bytes)?);
        }
        Ok(())
    }

    /// The open round's opening and the keys, as their bodies (for a device to rebuild the
    /// ballot context), if a round is open.
    pub fn round_bodies(&self) -> Option<(&[u8], &[u8])> {
        self.election.replay().open_round()?;
        Some((self.index.opening.as_deref()?, self.index.keys.as_deref()?))
    }

    /// Where `wanted` is on the board: its round, entry, kind, as JSON; `None` if nowhere.
    pub fn find_code(&self, wanted: &CodeQuery) -> Option<Value> {
        let found = self.election.replay().find_code(wanted)?;
        let kind = match found.kind {
            BoxEntryKind::Cast => "cast",
            BoxEntryKind::Challenged => "challenged",
        };
        Some(json!({
            "found": true,
            "round": found.round,
            "round_state": found.round_state,
            "entry": found.entry,
            "kind": kind,
            "replaced": found.replaced,
            "ballot_id": to_hex(&found.ballot_id.0),
            "code": to_hex(&found.code.0),
            "short": found.code.short(),
        }))
    }
}
