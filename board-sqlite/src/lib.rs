//! A durable store for a tabella board, on SQLite.
//!
//! [`SqliteStore`] implements [`tabella::board::Store`] over one SQLite file, with bundled
//! SQLite (no system library), in WAL mode with `synchronous=FULL`: an append is one
//! transaction, and [`Store::append`] returns only once it has committed, so an acknowledged
//! entry survives a crash of the process or of the machine. Appending many entries at once
//! (many ballots) is one transaction: group commit, one `fsync` for all of them.
//!
//! The store keeps what the core hands it (each entry's canonical bytes and the head after it)
//! and trusts nothing it reads back: the core's [`tabella::board::Log`] recomputes every head
//! and decodes every entry when the board is opened, so a truncated, altered or reordered file
//! is reported with the entry and the problem, never a silently different election.
//!
//! ```text
//! CREATE TABLE tabella_board (position INTEGER PRIMARY KEY, entry BLOB NOT NULL, head BLOB NOT NULL)
//! CREATE TABLE tabella_meta (key TEXT PRIMARY KEY, value BLOB NOT NULL)   -- format = "tabella board 1"
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

use std::path::Path;

use rusqlite::{Connection, OpenFlags, TransactionBehavior, params};
use tabella::board::chain::Head;
use tabella::board::store::{Store, Stored};
use tabella::{Error, Result};

/// The format stamp of the file.
const FORMAT: &[u8] = b"tabella board 1";

fn storage(detail: impl core::fmt::Display) -> Error {
    Error::Storage {
        what: "sqlite board",
        detail: detail.to_string(),
    }
}

fn sql(e: rusqlite::Error) -> Error {
    storage(e)
}

/// A board kept in a SQLite file.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
    len: u64,
}

impl SqliteStore {
    /// Opens (or creates) the board file at `path`: WAL, `synchronous=FULL`, and the file's
    /// format checked.
    ///
    /// Errors: [`Error::Storage`] when the file cannot be opened, is not a SQLite database, or
    /// is a database of something else.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let conn = Connection::open_with_flags(
            path.as_ref(),
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sql)?;
        Self::with_connection(conn)
    }

    /// A board in memory (for tests; nothing is durable).
    pub fn in_memory() -> Result<Self> {
        Self::with_connection(Connection::open_in_memory().map_err(sql)?)
    }

    fn with_connection(conn: Connection) -> Result<Self> {
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(sql)?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))
            .map_err(sql)?;
        if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
            return Err(storage(format!("could not use WAL mode ({mode})")));
        }
        conn.execute_batch(
            "PRAGMA synchronous=FULL;
             CREATE TABLE IF NOT EXISTS tabella_meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
             CREATE TABLE IF NOT EXISTS tabella_board (
                 position INTEGER PRIMARY KEY,
                 entry BLOB NOT NULL,
                 head BLOB NOT NULL
             );",
        )
        .map_err(sql)?;
        let format: Option<Vec<u8>> = conn
            .query_row(
                "SELECT value FROM tabella_meta WHERE key = 'format'",
                [],
                |row| row.get(0),
            )
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })
            .map_err(sql)?;
        match format {
            Some(f) if f == FORMAT => {}
            Some(_) => return Err(storage("the file is a board of another format")),
            None => {
                conn.execute(
                    "INSERT INTO tabella_meta (key, value) VALUES ('format', ?1)",
                    params![FORMAT],
                )
                .map_err(sql)?;
            }
        }
        let len = count(&conn)?;
        Ok(SqliteStore { conn, len })
    }
}

/// The number of rows, and a check that their positions are exactly 0..count.
fn count(conn: &Connection) -> Result<u64> {
    let (n, max): (i64, Option<i64>) = conn
        .query_row(
            "SELECT COUNT(*), MAX(position) FROM tabella_board",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .map_err(sql)?;
    let n = u64::try_from(n).map_err(|_| storage("a negative count"))?;
    match max {
        None if n == 0 => Ok(0),
        Some(m) if u64::try_from(m).ok() == n.checked_sub(1) => Ok(n),
        _ => Err(Error::BoardCorrupted {
            entry: n,
            reason: "the file's entries are not at positions 0, 1, … (one was removed or moved)",
        }),
    }
}

fn position(n: u64) -> Result<i64> {
    i64::try_from(n).map_err(|_| storage("a position beyond 2^63"))
}

impl Store for SqliteStore {
    fn len(&self) -> Result<u64> {
        Ok(self.len)
    }

    fn read(&self, from: u64, to: u64) -> Result<Vec<Stored>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT position, entry, head FROM tabella_board
                 WHERE position >= ?1 AND position < ?2 ORDER BY position",
            )
            .map_err(sql)?;
        let rows = stmt
            .query_map(params![position(from)?, position(to)?], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, Vec<u8>>(1)?,
                    row.get::<_, Vec<u8>>(2)?,
                ))
            })
            .map_err(sql)?;
        let mut out = Vec::new();
        let mut expected = from;
        for row in rows {
            let (at, bytes, head) = row.map_err(sql)?;
            if u64::try_from(at).ok() != Some(expected) {
                return Err(Error::BoardCorrupted {
                    entry: expected,
                    reason: "the file has no entry at this position",
                });
            }
            let head: [u8; 32] = head
                .as_slice()
                .try_into()
                .map_err(|_| Error::BoardCorrupted {
                    entry: expected,
                    reason: "its stored head is not 32 bytes",
                })?;
            out.push(Stored {
                bytes,
                head: Head(head),
            });
            expected += 1;
        }
        Ok(out)
    }

    fn append(&mut self, at: u64, entries: &[Stored]) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        // Another process may have appended since this store last looked.
        let len = count(&tx)?;
        if len != at {
            return Err(storage(format!(
                "append at {at}, but the board holds {len} entries"
            )));
        }
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO tabella_board (position, entry, head) VALUES (?1, ?2, ?3)",
                )
                .map_err(sql)?;
            for (k, e) in (at..).zip(entries) {
                stmt.execute(params![position(k)?, e.bytes, e.head.0.as_slice()])
                    .map_err(sql)?;
            }
        }
        // The commit is the acknowledgement: with synchronous=FULL it has reached the disk.
        tx.commit().map_err(sql)?;
        self.len = at + entries.len() as u64;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(bytes: &[u8], prev: &Head) -> Stored {
        Stored {
            bytes: bytes.to_vec(),
            head: prev.next(bytes),
        }
    }

    #[test]
    fn appends_read_back_in_order_and_survive_reopening() {
        let dir = std::env::temp_dir().join(format!("tabella-sqlite-unit-{}", std::process::id()));
        let _ = std::fs::remove_file(&dir);
        let g = Head::genesis();
        let a = stored(b"a", &g);
        let b = stored(b"b", &a.head);
        {
            let mut s = SqliteStore::open(&dir).unwrap();
            assert_eq!(s.len().unwrap(), 0);
            s.append(0, &[a.clone(), b.clone()]).unwrap();
            // A stale writer is refused.
            assert!(s.append(1, &[b.clone()]).is_err());
        }
        let s = SqliteStore::open(&dir).unwrap();
        assert_eq!(s.len().unwrap(), 2);
        assert_eq!(s.read(0, 2).unwrap(), vec![a, b]);
        let _ = std::fs::remove_file(&dir);
    }
}
