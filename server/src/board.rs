//! The board the server holds: the election on its store, and an index of what the booth
//! and the code lookup need (the latest keys and round opening, and where each round's
//! voters' entries are), kept up to date with every append.

use serde_json::{Value, json};
use tabella::board::{BoxEntryKind, ConfirmationCode, Entry, EntryKind, Store};
use tabella::election::BoardElection;
use tabella::election::event::RoundOpening;
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
    /// For each round opened, in board order: its number and the board positions of its
    /// voters' entries (the i-th is the i-th entry of its box).
    voters: Vec<(u32, Vec<u64>)>,
}

impl Index {
    fn note(&mut self, position: u64, entry: &Entry) {
        match entry.kind() {
            EntryKind::Keys => self.keys = Some(entry.body().to_vec()),
            EntryKind::RoundOpen => {
                // The board applied it, so it decodes.
                if let Ok(opening) = RoundOpening::from_bytes(entry.body()) {
                    self.voters.push((opening.round, Vec::new()));
                }
                self.opening = Some(entry.body().to_vec());
            }
            EntryKind::Ballot | EntryKind::Challenged => {
                if let Some((_, at)) = self.voters.last_mut() {
                    at.push(position);
                }
            }
            _ => {}
        }
    }
}

impl Board {
    /// The board of `election`, indexed from its record.
    pub fn new(election: BoardElection<SqliteStore>) -> tabella::Result<Self> {
        let mut index = Index::default();
        for (k, entry) in (0u64..).zip(election.record()?.entries()) {
            index.note(k, entry);
        }
        Ok(Board { election, index })
    }

    /// Notes the entries appended since the board held `before` entries.
    pub fn note_appended(&mut self, before: u64) -> tabella::Result<()> {
        let now = self.election.len();
        if now <= before {
            return Ok(());
        }
        for (k, stored) in (before..).zip(self.election.store().read(before, now)?) {
            self.index.note(k, &Entry::from_bytes(&stored.bytes)?);
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
    pub fn find_code(&self, wanted: &Code) -> Option<Value> {
        for (round, ballot_box, state) in self.election.replay().ballot_boxes() {
            let Some(i) = ballot_box.codes().iter().position(|c| wanted.matches(c)) else {
                continue;
            };
            let code = ballot_box.codes().get(i)?;
            let entry = ballot_box.entries().get(i)?;
            let position = self
                .index
                .voters
                .iter()
                .rev()
                .find(|(r, _)| *r == round)
                .and_then(|(_, at)| at.get(i).copied());
            let kind = match entry.kind() {
                BoxEntryKind::Cast => "cast",
                BoxEntryKind::Challenged => "challenged",
            };
            return Some(json!({
                "found": true,
                "round": round,
                "round_state": state,
                "entry": position,
                "kind": kind,
                "replaced": ballot_box.is_replaced(i),
                "ballot_id": to_hex(&entry.id().0),
                "code": to_hex(&code.0),
                "short": code.short(),
            }));
        }
        None
    }
}

/// A confirmation code as typed: 64 hex digits, or the 16 characters of the short form
/// (Crockford base32: any case, dashes and spaces ignored, O read as 0, I and L as 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Code {
    /// The whole code.
    Full([u8; 32]),
    /// The short form, normalized (16 characters, no dashes).
    Short(String),
}

/// The short form's alphabet.
const CROCKFORD: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

impl Code {
    /// Reads a code as a voter types it; `None` if it is neither form.
    pub fn parse(text: &str) -> Option<Code> {
        let compact: String = text
            .chars()
            .filter(|c| !matches!(c, '-' | ' '))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if compact.len() == 64 {
            let bytes = tabella::encoding::from_hex("code", &compact.to_lowercase()).ok()?;
            return <[u8; 32]>::try_from(bytes.as_slice()).ok().map(Code::Full);
        }
        let short: String = compact
            .chars()
            .map(|c| match c {
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            })
            .collect();
        (short.len() == 16 && short.chars().all(|c| CROCKFORD.contains(c)))
            .then_some(Code::Short(short))
    }

    fn matches(&self, code: &ConfirmationCode) -> bool {
        match self {
            Code::Full(bytes) => code.0 == *bytes,
            Code::Short(short) => code.short().replace('-', "") == *short,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_in_both_forms() {
        let hex = "ab".repeat(32);
        assert_eq!(Code::parse(&hex), Some(Code::Full([0xab; 32])));
        assert_eq!(
            Code::parse(&hex.to_uppercase()),
            Some(Code::Full([0xab; 32]))
        );
        assert_eq!(
            Code::parse("abcd-efgh-jkmn-pqrs"),
            Some(Code::Short("ABCDEFGHJKMNPQRS".to_string()))
        );
        assert_eq!(
            Code::parse("oiL0 0000 0000 0000"),
            Some(Code::Short("0110000000000000".to_string()))
        );
        assert_eq!(Code::parse("ABCD-EFGH-JKMN-PQR"), None);
        assert_eq!(Code::parse("ABCD-EFGH-JKMN-PQRU"), None);
        assert_eq!(Code::parse(&"zz".repeat(32)), None);
        assert_eq!(Code::parse(""), None);
    }
}
