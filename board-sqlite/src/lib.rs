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
//! and decodes every entry when the board is opened, so an altered or reordered file is
//! reported with the entry and the problem, never a silently different election.
//!
//! ```
//! use tabella::election::board::BoardElection;
//! use tabella_board_sqlite::SqliteStore;
//!
//! # fn main() -> tabella::Result<()> {
//! # let dir = std::env::temp_dir().join(format!("tabella-sqlite-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir).unwrap();
//! let path = dir.join("board.db");
//! // A new file is a new, empty board; an existing one is replayed and checked entry by
//! // entry, and resumes where it stands.
//! let board = BoardElection::open(SqliteStore::open(&path)?)?;
//! assert!(board.is_empty());
//! # std::fs::remove_dir_all(&dir).unwrap();
//! # Ok(())
//! # }
//! ```
//!
//! # The file
//!
//! ```text
//! CREATE TABLE tabella_board (position INTEGER PRIMARY KEY, entry BLOB NOT NULL, head BLOB NOT NULL)
//! CREATE TABLE tabella_meta  (key TEXT PRIMARY KEY, value BLOB NOT NULL)
//!
//! tabella_meta   key       value
//!                'format'  "tabella board 2"
//!                'count'   LE64(number of entries)          } the tail anchor: written in the
//!                'tail'    the head after the last entry    } transaction of every append
//! ```
//!
//! Row `k` of `tabella_board` holds entry `k` (0 is the manifest) and the head of the chain
//! after it.
//!
//! # The tail anchor
//!
//! The chain notices an entry altered, inserted, removed or moved anywhere before the last
//! one, but not the loss of the last entries: a prefix of a chain is a chain. So the file also
//! keeps, in `tabella_meta`, how many entries it holds and the head after the last one,
//! written in the same transaction as the entries: a commit moves both or neither. Opening
//! the file checks the rows against them, and reports [`Error::BoardCorrupted`] with the
//! position:
//!
//! * the rows are at positions 0, 1, …, n − 1 (else the first missing position);
//! * n is the anchored count (else, when rows are missing at the end, the first missing one:
//!   "the file ends before its last acknowledged entry");
//! * the last row's head is the anchored head (else the first entry whose head is not the
//!   chain's, or, when the chain holds, the last entry: the end of the board was rewritten);
//! * no row lies beyond the anchored count (else the first that does).
//!
//! The store also refuses to append entries whose heads do not chain from its anchored head,
//! so a file it wrote always passes these checks.
//!
//! What no check inside the file can notice is the whole file brought back to an earlier
//! state of itself: an older copy restored, its WAL cut back to an earlier commit, or the
//! file emptied (an empty file is a new board). Each of those is a consistent, earlier board;
//! only a head kept outside the file (published to observers; voters' confirmation codes)
//! shows it.
//!
//! # Files that are not boards
//!
//! A file that is not a SQLite database, a damaged one, a database of something else (other
//! tables, or tables of these names with other columns) or a board of another format gives
//! [`Error::Storage`], and the store writes nothing to it: the schema is created only in an
//! empty file or in a SQLite database that has no table at all. (A file cut short inside its
//! last page is the one damage SQLite itself does not report: it reads the missing bytes as
//! zeros; the chain then names the entry whose bytes changed.)
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

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use tabella::board::chain::Head;
use tabella::board::store::{Store, Stored};
use tabella::{Error, Result};

/// The format stamp of the file. Format 1 had no tail anchor; its files are refused.
const FORMAT: &[u8] = b"tabella board 2";

/// The tables of a new board.
const SCHEMA: &str = "CREATE TABLE tabella_meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
     CREATE TABLE tabella_board (
         position INTEGER PRIMARY KEY,
         entry BLOB NOT NULL,
         head BLOB NOT NULL
     );";

/// The reason given when a stored head is not the chain's (the same words as the core's log).
const NOT_THE_CHAIN: &str =
    "its head is not the chain's: an entry was altered, removed, inserted or reordered";

fn storage(detail: impl core::fmt::Display) -> Error {
    Error::Storage {
        what: "sqlite board",
        detail: detail.to_string(),
    }
}

fn sql(e: rusqlite::Error) -> Error {
    storage(e)
}

fn corrupted(entry: u64, reason: &'static str) -> Error {
    Error::BoardCorrupted { entry, reason }
}

/// A board kept in a SQLite file.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
    len: u64,
}

impl SqliteStore {
    /// Opens (or creates) the board file at `path`: WAL, `synchronous=FULL`, the file's
    /// format checked, and its rows checked against its tail anchor.
    ///
    /// Errors: [`Error::Storage`] when the file cannot be opened, is not a SQLite database
    /// (or a damaged one), is a database of something else or a board of another format;
    /// [`Error::BoardCorrupted`] naming the first position where the rows are not what the
    /// tail anchor says (see the [crate docs](crate#the-tail-anchor)).
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let conn = Connection::open_with_flags(
            path.as_ref(),
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sql)?;
        Self::with_connection(conn, Some(path.as_ref()))
    }

    /// A board in memory (for tests; nothing is durable).
    pub fn in_memory() -> Result<Self> {
        Self::with_connection(Connection::open_in_memory().map_err(sql)?, None)
    }

    fn with_connection(mut conn: Connection, path: Option<&Path>) -> Result<Self> {
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(sql)?;
        // The first read of the file: one that is not SQLite, or whose first page is damaged,
        // fails here, before anything is written to it.
        if tables(&conn)?.is_empty() {
            if let Some(path) = path {
                empty_or_sqlite(path)?;
            }
            use_wal(&conn)?;
            create(&mut conn)?;
            check_format(&conn)?;
        } else {
            check_format(&conn)?;
            use_wal(&conn)?;
        }
        // Every check on one snapshot, so that another writer's commit cannot fall between
        // two of them.
        let len = {
            let snapshot = conn.transaction().map_err(sql)?;
            let len = check_rows(&snapshot)?;
            snapshot.commit().map_err(sql)?;
            len
        };
        Ok(SqliteStore { conn, len })
    }
}

/// The names of the tables in the file.
fn tables(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .map_err(sql)?;
    let names = stmt
        .query_map([], |row| row.get::<_, String>(0))
        .map_err(sql)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(sql)?;
    Ok(names)
}

/// SQLite's first 16 bytes.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Checks that a file in which SQLite sees no table is empty or a SQLite database: SQLite
/// takes a file of one byte for an empty database, and the store would make it a new board.
fn empty_or_sqlite(path: &Path) -> Result<()> {
    use std::io::Read;
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(storage(e)),
    };
    let mut head = Vec::with_capacity(SQLITE_MAGIC.len());
    file.by_ref()
        .take(SQLITE_MAGIC.len() as u64)
        .read_to_end(&mut head)
        .map_err(storage)?;
    if head.is_empty() || head == SQLITE_MAGIC {
        Ok(())
    } else {
        Err(storage("file is not a database (nor empty)"))
    }
}

fn use_wal(conn: &Connection) -> Result<()> {
    let mode: String = conn
        .query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))
        .map_err(sql)?;
    if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
        return Err(storage(format!("could not use WAL mode ({mode})")));
    }
    conn.execute_batch("PRAGMA synchronous=FULL").map_err(sql)
}

/// Creates the tables, the format stamp and the anchor of an empty board, unless another
/// process has just done so (or the file is no longer empty: [`check_format`] then says what
/// it is).
fn create(conn: &mut Connection) -> Result<()> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sql)?;
    if tables(&tx)?.is_empty() {
        tx.execute_batch(SCHEMA).map_err(sql)?;
        tx.execute(
            "INSERT INTO tabella_meta (key, value) VALUES ('format', ?1)",
            params![FORMAT],
        )
        .map_err(sql)?;
        write_anchor(
            &tx,
            &Anchor {
                count: 0,
                tail: Head::genesis(),
            },
        )?;
    }
    tx.commit().map_err(sql)
}

fn meta(conn: &Connection, key: &str) -> Result<Option<Vec<u8>>> {
    conn.query_row(
        "SELECT value FROM tabella_meta WHERE key = ?1",
        params![key],
        |row| row.get(0),
    )
    .optional()
    .map_err(sql)
}

/// Checks that the file is a board of this format.
fn check_format(conn: &Connection) -> Result<()> {
    let tables = tables(conn)?;
    let ours = ["tabella_board", "tabella_meta"]
        .iter()
        .all(|t| tables.iter().any(|name| name == t));
    if !ours {
        return Err(storage(
            "the file is a SQLite database of something else, not a tabella board",
        ));
    }
    check_columns(
        conn,
        "tabella_meta",
        &[("key", "TEXT", 0, 1), ("value", "BLOB", 1, 0)],
    )?;
    check_columns(
        conn,
        "tabella_board",
        &[
            ("position", "INTEGER", 0, 1),
            ("entry", "BLOB", 1, 0),
            ("head", "BLOB", 1, 0),
        ],
    )?;
    match meta(conn, "format")? {
        Some(f) if f == FORMAT => Ok(()),
        Some(f) => Err(storage(format!(
            "the file is a board of another format ({:?}; this store reads {:?})",
            String::from_utf8_lossy(&f),
            String::from_utf8_lossy(FORMAT)
        ))),
        None => Err(storage(
            "the file is a tabella board without a format stamp",
        )),
    }
}

/// A column: its name, its declared type, NOT NULL (1) or not, and its place in the primary
/// key (0: not in it).
type Column = (&'static str, &'static str, i64, i64);

/// Checks that `table` has exactly these columns, in this order.
fn check_columns(conn: &Connection, table: &str, expected: &[Column]) -> Result<()> {
    let mut stmt = conn
        .prepare("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?1) ORDER BY cid")
        .map_err(sql)?;
    let columns = stmt
        .query_map(params![table], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, i64>(2)?,
                row.get::<_, i64>(3)?,
            ))
        })
        .map_err(sql)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(sql)?;
    let same = columns.len() == expected.len()
        && columns
            .iter()
            .zip(expected)
            .all(|(c, e)| c.0 == e.0 && c.1.eq_ignore_ascii_case(e.1) && c.2 == e.2 && c.3 == e.3);
    if same {
        Ok(())
    } else {
        Err(storage(format!(
            "the file's table {table} is not a tabella board's (its columns differ)"
        )))
    }
}

/// What the file says it holds: the number of entries and the head after the last one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Anchor {
    count: u64,
    tail: Head,
}

fn read_anchor(conn: &Connection) -> Result<Anchor> {
    let count = meta(conn, "count")?
        .and_then(|v| <[u8; 8]>::try_from(v.as_slice()).ok())
        .map(u64::from_le_bytes)
        .ok_or_else(|| {
            storage("the file's tail anchor (its entry count) is missing or malformed")
        })?;
    let tail = meta(conn, "tail")?
        .and_then(|v| <[u8; 32]>::try_from(v.as_slice()).ok())
        .map(Head)
        .ok_or_else(|| storage("the file's tail anchor (its last head) is missing or malformed"))?;
    Ok(Anchor { count, tail })
}

fn write_anchor(conn: &Connection, anchor: &Anchor) -> Result<()> {
    let mut stmt = conn
        .prepare_cached("INSERT OR REPLACE INTO tabella_meta (key, value) VALUES (?1, ?2)")
        .map_err(sql)?;
    stmt.execute(params!["count", anchor.count.to_le_bytes().as_slice()])
        .map_err(sql)?;
    stmt.execute(params!["tail", anchor.tail.0.as_slice()])
        .map_err(sql)?;
    Ok(())
}

fn position(n: u64) -> Result<i64> {
    i64::try_from(n).map_err(|_| storage("a position beyond 2^63"))
}

fn stored_head(k: u64, head: &[u8]) -> Result<Head> {
    <[u8; 32]>::try_from(head)
        .map(Head)
        .map_err(|_| corrupted(k, "its stored head is not 32 bytes"))
}

/// Checks the rows against the tail anchor; returns their number.
fn check_rows(conn: &Connection) -> Result<u64> {
    let anchor = read_anchor(conn)?;
    let (n, min, max): (i64, Option<i64>, Option<i64>) = conn
        .query_row(
            "SELECT COUNT(*), MIN(position), MAX(position) FROM tabella_board",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .map_err(sql)?;
    let n = u64::try_from(n).map_err(|_| storage("a negative count"))?;
    let last = n.checked_sub(1);
    match (min, max) {
        (None, None) if n == 0 => {}
        (Some(0), Some(m)) if u64::try_from(m).ok() == last => {}
        (Some(m), _) if m < 0 => {
            return Err(corrupted(
                0,
                "the file has an entry at a negative position: entries were moved",
            ));
        }
        _ => return Err(first_gap(conn, n)?),
    }
    if n < anchor.count {
        return Err(corrupted(
            n,
            "the file ends before its last acknowledged entry: entries were removed from its end",
        ));
    }
    if n > anchor.count {
        return Err(corrupted(
            anchor.count,
            "the file holds entries after its last acknowledged entry: entries were added \
             outside the store",
        ));
    }
    let Some(last) = last else {
        if anchor.tail != Head::genesis() {
            return Err(corrupted(
                0,
                "the file holds no entry, but its anchored head is not the empty board's",
            ));
        }
        return Ok(0);
    };
    let head: Vec<u8> = conn
        .query_row(
            "SELECT head FROM tabella_board WHERE position = ?1",
            params![position(last)?],
            |row| row.get(0),
        )
        .map_err(sql)?;
    if stored_head(last, &head)? != anchor.tail {
        return Err(diagnose(conn, n)?);
    }
    Ok(n)
}

/// The first missing position among rows that are not at 0, 1, …, n − 1.
fn first_gap(conn: &Connection, n: u64) -> Result<Error> {
    let missing: Option<i64> = conn
        .query_row(
            "SELECT k FROM (SELECT position, ROW_NUMBER() OVER (ORDER BY position) - 1 AS k
                            FROM tabella_board)
             WHERE position != k ORDER BY k LIMIT 1",
            [],
            |row| row.get(0),
        )
        .optional()
        .map_err(sql)?;
    let entry = missing.and_then(|k| u64::try_from(k).ok()).unwrap_or(n);
    Ok(corrupted(
        entry,
        "the file has no entry at this position: an entry was removed or moved",
    ))
}

/// Why the last row's head is not the anchored one: the first entry whose stored head is not
/// the chain's, or, when the whole chain holds, the last entry (rewritten with a head
/// recomputed for it).
fn diagnose(conn: &Connection, n: u64) -> Result<Error> {
    let mut stmt = conn
        .prepare("SELECT entry, head FROM tabella_board ORDER BY position")
        .map_err(sql)?;
    let mut rows = stmt.query([]).map_err(sql)?;
    let mut head = Head::genesis();
    let mut k = 0u64;
    while let Some(row) = rows.next().map_err(sql)? {
        let bytes: Vec<u8> = row.get(0).map_err(sql)?;
        let stored: Vec<u8> = row.get(1).map_err(sql)?;
        head = head.next(&bytes);
        if stored_head(k, &stored)? != head {
            return Ok(corrupted(k, NOT_THE_CHAIN));
        }
        k += 1;
    }
    Ok(corrupted(
        n.saturating_sub(1),
        "its head is the chain's, but not the one acknowledged for the board's last entry: \
         the end of the board was rewritten",
    ))
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
        for (expected, row) in (from..).zip(rows) {
            let (at, bytes, head) = row.map_err(sql)?;
            if u64::try_from(at).ok() != Some(expected) {
                return Err(corrupted(
                    expected,
                    "the file has no entry at this position",
                ));
            }
            out.push(Stored {
                bytes,
                head: stored_head(expected, &head)?,
            });
        }
        Ok(out)
    }

    fn append(&mut self, at: u64, entries: &[Stored]) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        // Another process may have appended since this store last looked: compare with the
        // anchor, in the transaction that will move it.
        let anchor = read_anchor(&tx)?;
        if anchor.count != at {
            return Err(storage(format!(
                "append at {at}, but the board holds {} entries",
                anchor.count
            )));
        }
        let mut tail = anchor.tail;
        for e in entries {
            tail = tail.next(&e.bytes);
            if tail != e.head {
                return Err(storage(
                    "the entries' heads do not chain from the board's last head (a writer \
                     with another view of the board)",
                ));
            }
        }
        let count = at
            .checked_add(entries.len() as u64)
            .ok_or_else(|| storage("a position beyond 2^64"))?;
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
        write_anchor(&tx, &Anchor { count, tail })?;
        // The commit is the acknowledgement: with synchronous=FULL it has reached the disk,
        // the entries and the anchor together.
        tx.commit().map_err(sql)?;
        self.len = count;
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

    /// A fresh path in the temp dir, removed (with its WAL) when dropped.
    struct TempFile(std::path::PathBuf);

    impl TempFile {
        fn new(name: &str) -> Self {
            let path = std::env::temp_dir().join(format!(
                "tabella-sqlite-unit-{}-{name}.db",
                std::process::id()
            ));
            let t = TempFile(path);
            t.remove();
            t
        }

        fn remove(&self) {
            for suffix in ["", "-wal", "-shm"] {
                let mut p = self.0.clone().into_os_string();
                p.push(suffix);
                let _ = std::fs::remove_file(p);
            }
        }
    }

    impl Drop for TempFile {
        fn drop(&mut self) {
            self.remove();
        }
    }

    /// A board file holding entries "e0", "e1", … (not board entries: the store does not
    /// decode them).
    fn board(name: &str, n: usize) -> (TempFile, Vec<Stored>) {
        let file = TempFile::new(name);
        let mut entries = Vec::new();
        let mut head = Head::genesis();
        for k in 0..n {
            let e = stored(format!("e{k}").as_bytes(), &head);
            head = e.head;
            entries.push(e);
        }
        let mut s = SqliteStore::open(&file.0).unwrap();
        s.append(0, &entries).unwrap();
        (file, entries)
    }

    fn raw(file: &TempFile) -> Connection {
        Connection::open(&file.0).unwrap()
    }

    fn corruption(file: &TempFile) -> (u64, &'static str) {
        match SqliteStore::open(&file.0) {
            Err(Error::BoardCorrupted { entry, reason }) => (entry, reason),
            other => panic!("expected BoardCorrupted, got {other:?}"),
        }
    }

    #[test]
    fn appends_read_back_in_order_and_survive_reopening() {
        let file = TempFile::new("reopen");
        let g = Head::genesis();
        let a = stored(b"a", &g);
        let b = stored(b"b", &a.head);
        {
            let mut s = SqliteStore::open(&file.0).unwrap();
            assert_eq!(s.len().unwrap(), 0);
            s.append(0, &[a.clone(), b.clone()]).unwrap();
            // A stale writer is refused.
            assert!(s.append(1, core::slice::from_ref(&b)).is_err());
        }
        let s = SqliteStore::open(&file.0).unwrap();
        assert_eq!(s.len().unwrap(), 2);
        assert_eq!(s.read(0, 2).unwrap(), vec![a, b]);
    }

    #[test]
    fn the_anchor_moves_with_every_append() {
        let (file, entries) = board("anchor", 3);
        let conn = raw(&file);
        let anchor = read_anchor(&conn).unwrap();
        assert_eq!(anchor.count, 3);
        assert_eq!(anchor.tail, entries[2].head);
        assert_eq!(
            meta(&conn, "format").unwrap().as_deref(),
            Some(b"tabella board 2".as_slice())
        );
    }

    #[test]
    fn entries_that_do_not_chain_from_the_tail_are_refused() {
        let (file, entries) = board("chain", 2);
        let mut s = SqliteStore::open(&file.0).unwrap();
        // Right position, but chained from another head (a writer with another view).
        let forked = stored(b"x", &entries[0].head);
        assert!(matches!(s.append(2, &[forked]), Err(Error::Storage { .. })));
        // A batch whose second head is not the chain's.
        let good = stored(b"y", &entries[1].head);
        let bad = Stored {
            bytes: b"z".to_vec(),
            head: good.head,
        };
        assert!(matches!(
            s.append(2, &[good.clone(), bad]),
            Err(Error::Storage { .. })
        ));
        // Nothing was written: the good entry alone still goes on at 2.
        s.append(2, &[good]).unwrap();
        drop(s);
        assert_eq!(SqliteStore::open(&file.0).unwrap().len().unwrap(), 3);
    }

    #[test]
    fn the_last_entry_removed_is_named() {
        let (file, _) = board("last", 4);
        raw(&file)
            .execute("DELETE FROM tabella_board WHERE position = 3", [])
            .unwrap();
        let (entry, reason) = corruption(&file);
        assert_eq!(entry, 3);
        assert!(reason.contains("ends before its last acknowledged entry"));
    }

    #[test]
    fn the_last_entries_removed_name_the_first_missing() {
        let (file, _) = board("last-two", 5);
        raw(&file)
            .execute("DELETE FROM tabella_board WHERE position >= 3", [])
            .unwrap();
        assert_eq!(corruption(&file).0, 3);
        // Every entry removed: the anchor still knows there were five.
        raw(&file).execute("DELETE FROM tabella_board", []).unwrap();
        assert_eq!(corruption(&file).0, 0);
    }

    #[test]
    fn a_middle_entry_removed_is_named() {
        let (file, _) = board("middle", 5);
        raw(&file)
            .execute("DELETE FROM tabella_board WHERE position = 1", [])
            .unwrap();
        let (entry, reason) = corruption(&file);
        assert_eq!(entry, 1);
        assert!(reason.contains("no entry at this position"));
        // The first entry removed.
        let (file, _) = board("first", 5);
        raw(&file)
            .execute("DELETE FROM tabella_board WHERE position = 0", [])
            .unwrap();
        assert_eq!(corruption(&file).0, 0);
    }

    #[test]
    fn an_entry_added_outside_the_store_is_named() {
        let (file, entries) = board("added", 2);
        let extra = stored(b"extra", &entries[1].head);
        raw(&file)
            .execute(
                "INSERT INTO tabella_board (position, entry, head) VALUES (2, ?1, ?2)",
                params![extra.bytes, extra.head.0.as_slice()],
            )
            .unwrap();
        let (entry, reason) = corruption(&file);
        assert_eq!(entry, 2);
        assert!(reason.contains("after its last acknowledged entry"));
    }

    #[test]
    fn a_rewritten_last_entry_is_named_by_the_anchor() {
        let (file, entries) = board("rewritten", 3);
        // The last entry changed and its head recomputed: the chain holds, the anchor does not.
        let forged = stored(b"forged", &entries[1].head);
        raw(&file)
            .execute(
                "UPDATE tabella_board SET entry = ?1, head = ?2 WHERE position = 2",
                params![forged.bytes, forged.head.0.as_slice()],
            )
            .unwrap();
        let (entry, reason) = corruption(&file);
        assert_eq!(entry, 2);
        assert!(reason.contains("the end of the board was rewritten"));
    }

    #[test]
    fn a_swap_with_the_last_entry_names_the_first_swapped() {
        let (file, entries) = board("swap", 4);
        let conn = raw(&file);
        for (at, e) in [(1, &entries[3]), (3, &entries[1])] {
            conn.execute(
                "UPDATE tabella_board SET entry = ?1, head = ?2 WHERE position = ?3",
                params![e.bytes, e.head.0.as_slice(), at],
            )
            .unwrap();
        }
        drop(conn);
        assert_eq!(corruption(&file), (1, NOT_THE_CHAIN));
    }

    #[test]
    fn a_damaged_anchor_is_a_storage_error() {
        let (file, _) = board("anchor-damaged", 2);
        raw(&file)
            .execute(
                "UPDATE tabella_meta SET value = x'00' WHERE key = 'count'",
                [],
            )
            .unwrap();
        assert!(matches!(
            SqliteStore::open(&file.0),
            Err(Error::Storage { .. })
        ));
        let (file, _) = board("anchor-removed", 2);
        raw(&file)
            .execute("DELETE FROM tabella_meta WHERE key = 'tail'", [])
            .unwrap();
        assert!(matches!(
            SqliteStore::open(&file.0),
            Err(Error::Storage { .. })
        ));
    }

    #[test]
    fn other_databases_are_refused_and_left_alone() {
        let file = TempFile::new("foreign");
        raw(&file)
            .execute_batch("CREATE TABLE people (name TEXT); INSERT INTO people VALUES ('a');")
            .unwrap();
        let before = std::fs::read(&file.0).unwrap();
        assert!(matches!(
            SqliteStore::open(&file.0),
            Err(Error::Storage { .. })
        ));
        assert_eq!(
            std::fs::read(&file.0).unwrap(),
            before,
            "the file was written to"
        );
        assert_eq!(tables(&raw(&file)).unwrap(), vec!["people".to_string()]);
    }

    #[test]
    fn a_board_of_format_1_is_refused() {
        let (file, _) = board("format-1", 2);
        raw(&file)
            .execute(
                "UPDATE tabella_meta SET value = ?1 WHERE key = 'format'",
                params![b"tabella board 1".as_slice()],
            )
            .unwrap();
        match SqliteStore::open(&file.0) {
            Err(Error::Storage { detail, .. }) => assert!(detail.contains("another format")),
            other => panic!("expected a storage error, got {other:?}"),
        }
    }

    #[test]
    fn bytes_that_are_not_sqlite_are_a_storage_error() {
        let file = TempFile::new("not-sqlite");
        std::fs::write(&file.0, vec![0x5a; 4096]).unwrap();
        assert!(matches!(
            SqliteStore::open(&file.0),
            Err(Error::Storage { .. })
        ));
    }

    #[test]
    fn one_byte_is_not_an_empty_database() {
        // SQLite reads a file of one byte as an empty database; the store does not.
        let file = TempFile::new("one-byte");
        std::fs::write(&file.0, b"x").unwrap();
        assert!(matches!(
            SqliteStore::open(&file.0),
            Err(Error::Storage { .. })
        ));
        assert_eq!(std::fs::read(&file.0).unwrap(), b"x");
    }

    #[test]
    fn tables_of_our_names_with_other_columns_are_refused() {
        let file = TempFile::new("columns");
        let conn = raw(&file);
        conn.execute_batch(
            "CREATE TABLE tabella_meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
             CREATE TABLE tabella_board (position INTEGER PRIMARY KEY, entry BLOB, head BLOB);",
        )
        .unwrap();
        conn.execute(
            "INSERT INTO tabella_meta (key, value) VALUES ('format', ?1)",
            params![FORMAT],
        )
        .unwrap();
        write_anchor(
            &conn,
            &Anchor {
                count: 0,
                tail: Head::genesis(),
            },
        )
        .unwrap();
        drop(conn);
        match SqliteStore::open(&file.0) {
            Err(Error::Storage { detail, .. }) => assert!(detail.contains("columns differ")),
            other => panic!("expected a storage error, got {other:?}"),
        }
    }

    #[test]
    fn an_empty_file_is_a_new_board() {
        let file = TempFile::new("empty");
        std::fs::write(&file.0, b"").unwrap();
        assert_eq!(SqliteStore::open(&file.0).unwrap().len().unwrap(), 0);
    }

    #[test]
    fn in_memory_works_like_a_file() {
        let mut s = SqliteStore::in_memory().unwrap();
        let a = stored(b"a", &Head::genesis());
        s.append(0, core::slice::from_ref(&a)).unwrap();
        assert_eq!(s.read(0, 1).unwrap(), vec![a]);
        assert_eq!(s.len().unwrap(), 1);
    }
}
