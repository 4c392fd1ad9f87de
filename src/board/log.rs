//! The log: a [`Store`] whose entries are chained (§14.2), and checked whenever they are read.

use crate::board::chain::Head;
use crate::board::entry::Entry;
use crate::board::store::{Store, Stored};
use crate::error::{Error, Result};

/// How many entries [`Log::open`] reads from its store at a time.
const READ_CHUNK: u64 = 4096;

/// A board's append-only, hash-chained log of entries over a store.
#[derive(Debug)]
pub struct Log<S: Store> {
    store: S,
    len: u64,
    head: Head,
}

impl<S: Store> Log<S> {
    /// Opens the log over `store`: reads every entry with [`read_checked`], handing each to
    /// `visit`. Nothing read from the store is trusted.
    ///
    /// Errors: those of [`read_checked`].
    pub fn open(store: S, visit: impl FnMut(u64, &Entry, &Head) -> Result<()>) -> Result<Self> {
        let (len, head) = read_checked(&store, visit)?;
        Ok(Log { store, len, head })
    }

    /// The number of entries.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the log holds no entry.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The head after the last entry ([`Head::genesis`] for an empty log).
    pub fn head(&self) -> Head {
        self.head
    }

    /// Appends `entries` in order as one atomic step of the store, and returns the head after
    /// each. When it returns an error nothing was appended.
    pub fn append(&mut self, entries: &[Entry]) -> Result<Vec<Head>> {
        let mut head = self.head;
        let mut stored = Vec::with_capacity(entries.len());
        let mut heads = Vec::with_capacity(entries.len());
        for entry in entries {
            let bytes = entry.to_bytes();
            head = head.next(&bytes);
            heads.push(head);
            stored.push(Stored { bytes, head });
        }
        self.store.append(self.len, &stored)?;
        self.len += entries.len() as u64;
        self.head = head;
        Ok(heads)
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Gives the store back.
    pub fn into_store(self) -> S {
        self.store
    }
}

/// Reads every entry of `store` in order, decodes it, recomputes the chain and checks each
/// stored head, and hands each entry (with its position and the head before it) to `visit`.
/// Returns the number of entries and the head after the last.
///
/// Errors: [`Error::BoardCorrupted`] naming the first entry whose stored head is not the
/// chain's (an entry altered, removed, inserted or reordered, or a torn write) or that does not
/// decode; the store's errors; and `visit`'s.
pub fn read_checked<S: Store>(
    store: &S,
    mut visit: impl FnMut(u64, &Entry, &Head) -> Result<()>,
) -> Result<(u64, Head)> {
    let len = store.len()?;
    let mut head = Head::genesis();
    let mut at = 0;
    while at < len {
        let to = (at + READ_CHUNK).min(len);
        let chunk = store.read(at, to)?;
        if chunk.len() as u64 != to - at {
            return Err(Error::BoardCorrupted {
                entry: at,
                reason: "the store returned fewer entries than it holds",
            });
        }
        for (k, stored) in (at..).zip(&chunk) {
            let next = head.next(&stored.bytes);
            if next != stored.head {
                return Err(Error::BoardCorrupted {
                    entry: k,
                    reason: "its head is not the chain's: an entry was altered, removed, \
                             inserted or reordered",
                });
            }
            let entry = Entry::from_bytes(&stored.bytes).map_err(|_| Error::BoardCorrupted {
                entry: k,
                reason: "it does not decode as a board entry",
            })?;
            visit(k, &entry, &head)?;
            head = next;
        }
        at = to;
    }
    Ok((len, head))
}
