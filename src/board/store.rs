//! Where the board's entries are kept.
//!
//! A [`Store`] keeps, for each position 0, 1, …, an entry's canonical bytes and the head after
//! it. The core needs only this trait; it has an in-memory store ([`MemoryStore`]), and durable
//! stores live in their own crates (the SQLite one is `tabella-board-sqlite`), so that the core
//! has no I/O and no C dependency. The store trusts nothing it reads back: the [`Log`](super::Log)
//! recomputes every head and decodes every entry.

use crate::board::chain::Head;
use crate::error::{Error, Result};

/// One stored entry: its canonical bytes and the head after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    /// The entry's canonical encoding.
    pub bytes: Vec<u8>,
    /// The head of the chain after this entry.
    pub head: Head,
}

/// Durable (or not) storage of a board's entries, by position.
pub trait Store {
    /// The number of entries stored.
    fn len(&self) -> Result<u64>;

    /// Whether the store holds no entry.
    fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// The entries at positions `from..to` (`to` at most [`Store::len`]).
    fn read(&self, from: u64, to: u64) -> Result<Vec<Stored>>;

    /// Appends `entries` at position `at` as one atomic step: when it returns `Ok`, every entry
    /// is stored (for a durable store: committed to stable storage); when it returns `Err`,
    /// none is. Refuses with [`Error::Storage`] when `at` is not the current length (another
    /// writer appended first).
    fn append(&mut self, at: u64, entries: &[Stored]) -> Result<()>;
}

/// A store in memory: for tests, simulations and a board replayed from a file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryStore {
    entries: Vec<Stored>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }
}

fn position(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

impl Store for MemoryStore {
    fn len(&self) -> Result<u64> {
        Ok(self.entries.len() as u64)
    }

    fn read(&self, from: u64, to: u64) -> Result<Vec<Stored>> {
        self.entries
            .get(position(from)..position(to))
            .map(<[Stored]>::to_vec)
            .ok_or_else(|| Error::Storage {
                what: "memory store",
                detail: format!(
                    "no entries {from}..{to} in a store of {}",
                    self.entries.len()
                ),
            })
    }

    fn append(&mut self, at: u64, entries: &[Stored]) -> Result<()> {
        if at != self.entries.len() as u64 {
            return Err(Error::Storage {
                what: "memory store",
                detail: format!(
                    "append at {at}, but the store holds {} entries",
                    self.entries.len()
                ),
            });
        }
        self.entries.extend_from_slice(entries);
        Ok(())
    }
}
