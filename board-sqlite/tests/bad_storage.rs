//! A board file damaged, edited or swapped, and what opening it says.
//!
//! Each case takes a fresh copy of one small finished election's board file (manifest,
//! ceremony, six ballots, close, three partial decryptions, result), damages the copy, and
//! opens it with `BoardElection::open(SqliteStore::open(copy))`. Every damage gives the error
//! variant, and the entry, that it should; nothing panics; and whenever a damaged file still
//! opens, what it holds is the original board or, for a WAL cut back, an earlier state of it
//! (a prefix), never a different board.

use std::path::{Path, PathBuf};

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use rusqlite::{Connection, params};
use tabella::Error;
use tabella::board::chain::Head;
use tabella::board::{Entry, EntryKind};
use tabella::election::board::BoardElection;
use tabella::record::BoardRecord;
use tabella::transcript::ElectionContext;
use tabella_board_sqlite::SqliteStore;

#[path = "support/election.rs"]
mod election;

use election::{Officials, TempDir, ballot};

/// Ballots cast in the small election.
const BALLOTS: u64 = 6;

/// One finished election on a board file, and what is known about it.
struct Fixture {
    dir: TempDir,
    original: PathBuf,
    record: BoardRecord,
    heads: Vec<Head>,
    board_id: ElectionContext,
    /// A valid ballot entry of the election's round that is not on the board.
    substitute: Vec<u8>,
}

/// An election on a board file: round 1 open, [`BALLOTS`] ballots cast, and, if `finish`, the
/// round closed, decrypted and decided. Returns the file, the officials, and a valid ballot
/// entry of the round that is not on the board.
fn election_file(
    dir: &TempDir,
    name: &str,
    seed: u64,
    finish: bool,
) -> (PathBuf, Officials, Vec<u8>) {
    let path = dir.join(name);
    let mut officials = Officials::new(name, 10, seed);
    let mut board = BoardElection::open(SqliteStore::open(&path).unwrap()).unwrap();
    officials.open(&mut board, seed);
    let ctx = board.round_context().unwrap();
    let ballots: Vec<_> = (0..BALLOTS).map(|k| ballot(&ctx, k)).collect();
    for code in board.cast_batch(ballots) {
        code.unwrap();
    }
    let substitute = Entry::voter(EntryKind::Ballot, ballot(&ctx, 1_000).to_bytes())
        .unwrap()
        .to_bytes();
    if finish {
        officials.finish(&mut board, seed);
    }
    (path, officials, substitute)
}

impl Fixture {
    fn new(test: &str) -> Self {
        let dir = TempDir::new(&format!("bad-storage-{test}"));
        let (original, officials, substitute) = election_file(&dir, "original.db", 11, true);
        let record = open(&original).unwrap().record().unwrap();
        let heads = record.heads();
        Fixture {
            dir,
            original,
            heads,
            record,
            board_id: officials.manifest.ceremony_context().unwrap(),
            substitute,
        }
    }

    /// A fresh copy of the original file.
    fn copy(&self, name: &str) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::copy(&self.original, &path).unwrap();
        path
    }

    fn len(&self) -> u64 {
        self.record.entries().len() as u64
    }

    /// The position of the first entry of `kind`.
    fn first(&self, kind: EntryKind) -> u64 {
        self.record
            .entries()
            .iter()
            .position(|e| e.kind() == kind)
            .unwrap() as u64
    }

    /// Positions worth damaging: the manifest, a ceremony message, a ballot, the result.
    fn positions(&self) -> [(&'static str, u64); 4] {
        let last = self.len() - 1;
        assert_eq!(
            self.record.entries()[last as usize].kind(),
            EntryKind::Result
        );
        [
            ("manifest", 0),
            (
                "ceremony message",
                self.first(EntryKind::CeremonyMessage) + 1,
            ),
            ("ballot", self.first(EntryKind::Ballot) + 2),
            ("result", last),
        ]
    }

    /// The file opened, if it opens, holds exactly the original board.
    fn assert_original_if_open(&self, path: &Path) {
        if let Ok(board) = open(path) {
            assert_eq!(
                board.record().unwrap().to_bytes(),
                self.record.to_bytes(),
                "{} opened as a different board",
                path.display()
            );
        }
    }
}

fn open(path: &Path) -> tabella::Result<BoardElection<SqliteStore>> {
    BoardElection::open(SqliteStore::open(path)?)
}

fn assert_corrupted(path: &Path, entry: u64, case: &str) -> &'static str {
    match open(path) {
        Err(Error::BoardCorrupted { entry: e, reason }) => {
            assert_eq!(e, entry, "{case}: named entry {e} ({reason}), not {entry}");
            reason
        }
        Err(other) => panic!("{case}: expected BoardCorrupted at {entry}, got {other:?}"),
        Ok(_) => panic!("{case}: the damaged board opened"),
    }
}

fn assert_storage(path: &Path, case: &str) -> String {
    match open(path) {
        Err(Error::Storage { detail, .. }) => detail,
        Err(other) => panic!("{case}: expected a storage error, got {other:?}"),
        Ok(_) => panic!("{case}: the file opened as a board"),
    }
}

fn row(path: &Path, at: u64) -> (Vec<u8>, Vec<u8>) {
    Connection::open(path)
        .unwrap()
        .query_row(
            "SELECT entry, head FROM tabella_board WHERE position = ?1",
            params![at as i64],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

fn set_row(conn: &Connection, at: u64, entry: &[u8], head: &[u8]) {
    let n = conn
        .execute(
            "UPDATE tabella_board SET entry = ?1, head = ?2 WHERE position = ?3",
            params![entry, head, at as i64],
        )
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn the_undamaged_copy_opens_as_the_original() {
    let f = Fixture::new("control");
    let copy = f.copy("copy.db");
    let board = open(&copy).unwrap();
    assert_eq!(board.len(), f.len());
    assert_eq!(board.record().unwrap().to_bytes(), f.record.to_bytes());
    assert_eq!(
        election::decided_totals(&board),
        election::expected_totals(0..BALLOTS)
    );
}

/// (a) The file cut short, at page boundaries and inside pages: SQLite reports the damage
/// (a storage error), except when the cut falls inside the last page, whose missing end SQLite
/// reads as zeros: then the chain names the first entry whose bytes changed. Never a panic,
/// never another board.
#[test]
fn a_truncated_file_is_a_typed_error() {
    let f = Fixture::new("truncated");
    let bytes = std::fs::read(&f.original).unwrap();
    let len = bytes.len();
    let page = 4096;
    assert!(
        len > 4 * page && len % page == 0,
        "the fixture file is {len} bytes"
    );
    let mut cuts = vec![1, 16, 99, 100, 512, page - 1, page, page + 1, page + 1_000];
    cuts.extend([len / 2 + 777, len - page, len - page + 1]);
    cuts.extend([len - page + 2_000, len - 100, len - 1]);
    // Every page boundary, too.
    cuts.extend((2..len / page).map(|p| p * page));
    cuts.sort_unstable();
    cuts.dedup();
    let mut named = Vec::new();
    for cut in cuts {
        let path = f.dir.join(&format!("cut-{cut}.db"));
        std::fs::write(&path, &bytes[..cut]).unwrap();
        if cut <= len - page + 1 {
            assert_storage(&path, &format!("cut at {cut} of {len}"));
        } else {
            // The first row whose stored entry or head now differs from the original's.
            let conn = Connection::open(&path).unwrap();
            let changed = (0..f.len())
                .find(|&k| {
                    let original = (
                        f.record.entries()[k as usize].to_bytes(),
                        f.heads[k as usize].0.to_vec(),
                    );
                    conn.query_row(
                        "SELECT entry, head FROM tabella_board WHERE position = ?1",
                        params![k as i64],
                        |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?)),
                    )
                    .map_or(true, |row| row != original)
                })
                .unwrap();
            drop(conn);
            assert_corrupted(&path, changed, &format!("cut at {cut} of {len}"));
            named.push(changed);
        }
        f.assert_original_if_open(&path);
        let _ = std::fs::remove_file(&path);
    }
    assert!(!named.is_empty());
}

/// (a) The WAL cut short: SQLite drops the frames after the cut, so the board is an earlier,
/// consistent state of itself (entries and tail anchor move in one commit), or a storage
/// error; never a panic, never another board. (Only a head kept outside the file can tell
/// such a board from the real one: see the crate docs.)
#[test]
fn a_truncated_wal_is_an_earlier_board_or_a_typed_error() {
    let f = Fixture::new("wal");
    // A board whose WAL is not checkpointed: another connection holds it open meanwhile.
    let source = f.dir.join("wal-source.db");
    let (keep, entries) = {
        let mut officials = Officials::new("wal", 10, 12);
        let mut board = BoardElection::open(SqliteStore::open(&source).unwrap()).unwrap();
        let keep = Connection::open(&source).unwrap();
        let _: i64 = keep
            .query_row("SELECT COUNT(*) FROM tabella_meta", [], |r| r.get(0))
            .unwrap();
        officials.open(&mut board, 12);
        let ctx = board.round_context().unwrap();
        for k in 0..BALLOTS {
            board.cast(&ballot(&ctx, k)).unwrap();
        }
        officials.finish(&mut board, 12);
        (keep, board.record().unwrap().into_entries())
    };
    let wal_path = |p: &Path| PathBuf::from(format!("{}-wal", p.display()));
    let db = std::fs::read(&source).unwrap();
    let wal = std::fs::read(wal_path(&source)).unwrap();
    drop(keep);
    assert!(
        wal.len() > 32 + 10 * (24 + 4096),
        "the WAL holds {} bytes",
        wal.len()
    );
    let frame = 24 + 4096;
    let mut cuts = vec![0, 16, 32, 32 + 24, 32 + 1_000, 32 + frame, 32 + frame + 500];
    cuts.extend((1..(wal.len() - 32) / frame).map(|i| 32 + i * frame + 2_048));
    cuts.push(wal.len() - 1);
    cuts.push(wal.len());
    let (mut earlier, mut errors, tried) = (0, 0, cuts.len());
    for cut in cuts {
        let path = f.dir.join(&format!("wal-cut-{cut}.db"));
        std::fs::write(&path, &db).unwrap();
        std::fs::write(wal_path(&path), &wal[..cut]).unwrap();
        match open(&path) {
            Ok(board) => {
                let held = board.record().unwrap().into_entries();
                assert!(
                    held.len() <= entries.len() && held[..] == entries[..held.len()],
                    "the WAL cut at {cut} gave a board that is not an earlier state"
                );
                if cut == wal.len() {
                    assert_eq!(held.len(), entries.len(), "the whole WAL lost entries");
                } else if held.len() < entries.len() {
                    earlier += 1;
                }
            }
            Err(Error::Storage { .. }) => errors += 1,
            Err(other) => panic!("WAL cut at {cut}: {other:?}"),
        }
    }
    assert!(
        earlier > 0,
        "no cut gave an earlier board: the WAL was not exercised"
    );
    println!(
        "WAL of {} bytes cut at {tried} places: {earlier} earlier boards, {errors} storage \
         errors, the rest the whole board",
        wal.len()
    );
}

/// (b) One byte flipped in one entry: the chain names that entry.
#[test]
fn a_flipped_byte_names_its_entry() {
    let f = Fixture::new("flipped");
    for (what, at) in f.positions() {
        let (entry, _) = row(&f.original, at);
        for offset in [0, entry.len() / 2, entry.len() - 1] {
            let path = f.copy(&format!("flip-{at}-{offset}.db"));
            let mut changed = entry.clone();
            changed[offset] ^= 0x01;
            Connection::open(&path)
                .unwrap()
                .execute(
                    "UPDATE tabella_board SET entry = ?1 WHERE position = ?2",
                    params![changed, at as i64],
                )
                .unwrap();
            let reason = assert_corrupted(&path, at, &format!("{what} byte {offset}"));
            assert!(reason.contains("not the chain's"), "{reason}");
        }
    }
}

/// (c) An entry's row removed: the first missing position is named, in the middle by the
/// positions, at the end by the tail anchor.
#[test]
fn a_removed_row_names_its_position() {
    let f = Fixture::new("removed");
    for (what, at) in f.positions() {
        let path = f.copy(&format!("removed-{at}.db"));
        Connection::open(&path)
            .unwrap()
            .execute(
                "DELETE FROM tabella_board WHERE position = ?1",
                params![at as i64],
            )
            .unwrap();
        let reason = assert_corrupted(&path, at, &format!("{what} removed"));
        if at == f.len() - 1 {
            assert!(
                reason.contains("ends before its last acknowledged entry"),
                "{reason}"
            );
        } else {
            assert!(reason.contains("no entry at this position"), "{reason}");
        }
    }
    // The last three rows removed: the first of them is named.
    let path = f.copy("removed-tail.db");
    Connection::open(&path)
        .unwrap()
        .execute(
            "DELETE FROM tabella_board WHERE position >= ?1",
            params![(f.len() - 3) as i64],
        )
        .unwrap();
    assert_corrupted(&path, f.len() - 3, "the last three removed");
}

/// (d) Two rows swapped (entries with their heads): the first swapped position is named, by
/// the chain, or by the tail anchor's diagnosis when the last row is one of them.
#[test]
fn swapped_rows_name_the_first_of_them() {
    let f = Fixture::new("swapped");
    let ballot = f.first(EntryKind::Ballot);
    let last = f.len() - 1;
    for (i, j) in [
        (ballot, ballot + 1),
        (1, ballot + 3),
        (ballot + 2, last),
        (0, last),
    ] {
        let path = f.copy(&format!("swap-{i}-{j}.db"));
        let (ei, hi) = row(&path, i);
        let (ej, hj) = row(&path, j);
        let conn = Connection::open(&path).unwrap();
        set_row(&conn, i, &ej, &hj);
        set_row(&conn, j, &ei, &hi);
        drop(conn);
        assert_corrupted(&path, i, &format!("rows {i} and {j} swapped"));
    }
}

/// (e) An entry replaced and its head recomputed, as an attacker who recomputes the chain from
/// there would: the next entry's chain check names the next entry; for the last entry, the tail
/// anchor names it.
#[test]
fn a_rewritten_entry_with_its_head_recomputed_is_caught() {
    let f = Fixture::new("rewritten");
    // A ballot replaced by another valid ballot of the round: it applies where it stands, so
    // only the chain shows it, at the entry after it.
    let at = f.first(EntryKind::Ballot) + 1;
    let path = f.copy("substituted.db");
    let head = f.heads[at as usize - 1].next(&f.substitute);
    set_row(
        &Connection::open(&path).unwrap(),
        at,
        &f.substitute,
        &head.0,
    );
    let reason = assert_corrupted(&path, at + 1, "a ballot substituted");
    assert!(reason.contains("not the chain's"), "{reason}");

    // The last entry (the result) changed and its head recomputed: the chain holds, the tail
    // anchor does not.
    let last = f.len() - 1;
    let path = f.copy("result-rewritten.db");
    let (mut entry, _) = row(&path, last);
    let n = entry.len();
    entry[n / 2] ^= 0x01;
    let head = f.heads[last as usize - 1].next(&entry);
    set_row(&Connection::open(&path).unwrap(), last, &entry, &head.0);
    let reason = assert_corrupted(&path, last, "the result rewritten");
    assert!(
        reason.contains("end of the board was rewritten"),
        "{reason}"
    );

    // A board whose last entry is a ballot (the round still open), that ballot replaced by
    // another valid ballot of the round and its head recomputed: every entry applies and the
    // chain holds, so only the tail anchor tells this board from the one acknowledged.
    let (path, _, substitute) = election_file(&f.dir, "open-round.db", 13, false);
    let held = open(&path).unwrap().record().unwrap();
    let last = held.entries().len() as u64 - 1;
    assert_eq!(held.entries()[last as usize].kind(), EntryKind::Ballot);
    let head = held.heads()[last as usize - 1].next(&substitute);
    set_row(
        &Connection::open(&path).unwrap(),
        last,
        &substitute,
        &head.0,
    );
    let reason = assert_corrupted(&path, last, "the last ballot substituted");
    assert!(
        reason.contains("end of the board was rewritten"),
        "{reason}"
    );

    // The result removed and the entry before it rewritten with its head recomputed, the
    // anchor left alone: the end is named, by the anchor's count.
    let last = f.len() - 1;
    let path = f.copy("tail-rewritten.db");
    let (mut entry, _) = row(&path, last - 1);
    entry[10] ^= 0x01;
    let head = f.heads[last as usize - 2].next(&entry);
    let conn = Connection::open(&path).unwrap();
    conn.execute(
        "DELETE FROM tabella_board WHERE position = ?1",
        params![last as i64],
    )
    .unwrap();
    set_row(&conn, last - 1, &entry, &head.0);
    drop(conn);
    let reason = assert_corrupted(
        &path,
        last,
        "the result removed, the entry before rewritten",
    );
    assert!(
        reason.contains("ends before its last acknowledged entry"),
        "{reason}"
    );
}

/// (f) Another election's board, opened as this election's: refused.
#[test]
fn another_elections_board_is_refused() {
    let f = Fixture::new("another");
    let (other, _, _) = election_file(&f.dir, "other.db", 99, true);
    let store = SqliteStore::open(&other).unwrap();
    assert!(matches!(
        BoardElection::open_expecting(store, &f.board_id),
        Err(Error::AnotherElection)
    ));
    // The right board, and an empty one, are accepted.
    let store = SqliteStore::open(f.copy("mine.db")).unwrap();
    assert_eq!(
        BoardElection::open_expecting(store, &f.board_id)
            .unwrap()
            .len(),
        f.len()
    );
    let store = SqliteStore::open(f.dir.join("new.db")).unwrap();
    assert!(
        BoardElection::open_expecting(store, &f.board_id)
            .unwrap()
            .is_empty()
    );
}

/// (g) Random bytes are not a board; an empty file is a new, empty board.
#[test]
fn random_bytes_are_refused_and_an_empty_file_is_a_new_board() {
    let f = Fixture::new("random");
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    for len in [1usize, 100, 4096, 65_536] {
        let path = f.dir.join(&format!("random-{len}.db"));
        let mut bytes = vec![0u8; len];
        rng.fill_bytes(&mut bytes);
        std::fs::write(&path, &bytes).unwrap();
        assert_storage(&path, &format!("{len} random bytes"));
    }
    // SQLite's magic string, then garbage.
    let path = f.dir.join("magic.db");
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.resize(8192, 0xa5);
    std::fs::write(&path, &bytes).unwrap();
    assert_storage(&path, "a SQLite header over garbage");

    let path = f.dir.join("empty.db");
    std::fs::write(&path, b"").unwrap();
    let board = open(&path).unwrap();
    assert!(board.is_empty());
    assert!(board.replay().manifest().is_none());
}

/// (h) A SQLite database of something else, or a board of another format: refused, and left
/// as it was.
#[test]
fn other_databases_are_refused() {
    let f = Fixture::new("schema");
    let path = f.dir.join("other-schema.db");
    Connection::open(&path)
        .unwrap()
        .execute_batch(
            "CREATE TABLE ballots (id INTEGER PRIMARY KEY, vote TEXT);
             INSERT INTO ballots (vote) VALUES ('Ada'), ('Grace');",
        )
        .unwrap();
    let before = std::fs::read(&path).unwrap();
    let detail = assert_storage(&path, "another schema");
    assert!(detail.contains("not a tabella board"), "{detail}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the foreign file was written to"
    );

    // Tables of the right names without a format stamp, and a board of format 1.
    let path = f.copy("no-stamp.db");
    Connection::open(&path)
        .unwrap()
        .execute("DELETE FROM tabella_meta WHERE key = 'format'", [])
        .unwrap();
    assert_storage(&path, "no format stamp");
    let path = f.copy("format-1.db");
    Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE tabella_meta SET value = ?1 WHERE key = 'format'",
            params![b"tabella board 1".as_slice()],
        )
        .unwrap();
    let detail = assert_storage(&path, "format 1");
    assert!(detail.contains("another format"), "{detail}");
    // The board table with other columns.
    let path = f.dir.join("other-columns.db");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE tabella_meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
         CREATE TABLE tabella_board (position INTEGER PRIMARY KEY, data TEXT);",
    )
    .unwrap();
    conn.execute(
        "INSERT INTO tabella_meta (key, value) VALUES ('format', ?1), ('count', ?2), ('tail', ?3)",
        params![
            b"tabella board 2".as_slice(),
            0u64.to_le_bytes().as_slice(),
            Head::genesis().0.as_slice()
        ],
    )
    .unwrap();
    drop(conn);
    assert_storage(&path, "a board table of other columns");
}
