//! The ceremony board: the entries posted in each round, each with the author the board
//! authenticated.
//!
//! An entry is `(author, bytes)`: `author` is the trustee the board authenticated as the poster
//! (in the next protocol step, by a signature), `bytes` what it posted, normally the canonical
//! encoding of its [`round1::Package`], [`round2::Package`] or [`round3::Package`]. The board
//! holds whatever was posted: junk, messages of other ceremonies and two messages from one
//! author are kept, and the reading of the board ([`super::part2`] to [`super::part4`],
//! [`super::verify_ceremony`]; docs/SPEC.md §11.1) ignores the entry or excludes its author.
//! The board itself judges nothing.
//!
//! # One board, one encoding
//!
//! The entries of each round are kept in one canonical order, by author and then by bytes
//! (lexicographically, a proper prefix first), and an identical entry posted twice is kept
//! once. So the same posts, in any order and with any repetition, make the same board, and
//! one ceremony has one encoding:
//!
//! ```text
//! board = round(1) ‖ round(2) ‖ round(3)
//! round = LE32(count) ‖ count × ( LE32(author) ‖ LE32(len) ‖ bytes )
//! ```
//!
//! Decoding refuses entries out of canonical order and repeated entries (one board, one
//! encoding), an author 0, more than [`MAX_ENTRIES`] entries in a round and an entry longer
//! than [`MAX_ENTRY_LEN`]. An author above n is not an encoding error: reading the board
//! ignores its entries.

use core::fmt;

use crate::domain::ObjectKind;
use crate::encoding::Hex;
use crate::error::{Error, Result};
use crate::group::Reader;
use crate::threshold::dkg::{round1, round2, round3, write_len};
use crate::threshold::params::TrusteeIndex;

/// The longest entry a board holds: more than the largest round-2 package (t = n = 255:
/// 57,369 bytes).
pub const MAX_ENTRY_LEN: usize = 1 << 16;

/// The most entries a board holds in one round.
pub const MAX_ENTRIES: usize = 1 << 16;

/// A round of the ceremony that posts a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CeremonyRound {
    /// Round 1: hash commitments and communication keys ([`round1::Package`]).
    Commit = 1,
    /// Round 2: reveals and encrypted shares ([`round2::Package`]).
    Reveal = 2,
    /// Round 3: complaints ([`round3::Package`]).
    Complain = 3,
}

impl CeremonyRound {
    /// The three rounds, in order.
    pub const ALL: [CeremonyRound; 3] = [
        CeremonyRound::Commit,
        CeremonyRound::Reveal,
        CeremonyRound::Complain,
    ];

    /// The round number, 1 to 3 (as in [`crate::error::CeremonyCheck`]).
    pub const fn number(self) -> u8 {
        self as u8
    }

    /// The kind of object posted in this round (the kind byte of its header).
    pub const fn kind(self) -> ObjectKind {
        match self {
            CeremonyRound::Commit => ObjectKind::CeremonyRound1,
            CeremonyRound::Reveal => ObjectKind::CeremonyRound2,
            CeremonyRound::Complain => ObjectKind::CeremonyRound3,
        }
    }
}

/// One entry of the board: what `author` posted.
///
/// The derived order is the board's canonical order: by author, then by bytes.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Posted {
    author: TrusteeIndex,
    bytes: Vec<u8>,
}

impl Posted {
    /// The trustee the board authenticated as the poster.
    pub fn author(&self) -> TrusteeIndex {
        self.author
    }

    /// What it posted.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl fmt::Debug for Posted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Posted")
            .field("author", &self.author)
            .field("bytes", &format_args!("{}", Hex(&self.bytes)))
            .finish()
    }
}

/// A message posted on the board (the three round packages).
pub(crate) trait Message: Sized {
    /// The round it is posted in.
    const ROUND: CeremonyRound;
    /// Its canonical decoder.
    fn decode(bytes: &[u8]) -> Result<Self>;
    /// Its canonical encoding.
    fn encode(&self) -> Vec<u8>;
    /// The sender field.
    fn sender(&self) -> TrusteeIndex;
}

macro_rules! message {
    ($package:ty, $round:expr) => {
        impl Message for $package {
            const ROUND: CeremonyRound = $round;
            fn decode(bytes: &[u8]) -> Result<Self> {
                <$package>::from_bytes(bytes)
            }
            fn encode(&self) -> Vec<u8> {
                self.to_bytes()
            }
            fn sender(&self) -> TrusteeIndex {
                <$package>::sender(self)
            }
        }
    };
}

message!(round1::Package, CeremonyRound::Commit);
message!(round2::Package, CeremonyRound::Reveal);
message!(round3::Package, CeremonyRound::Complain);

/// The entries posted in the three rounds of a ceremony, in canonical order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CeremonyBoard {
    rounds: [Vec<Posted>; 3],
}

impl CeremonyBoard {
    /// An empty board.
    pub fn new() -> Self {
        Self::default()
    }

    /// Posts a round-1 package as its sender (author = sender, bytes = its encoding).
    ///
    /// Errors: as [`CeremonyBoard::post`].
    pub fn post_round1(&mut self, package: &round1::Package) -> Result<()> {
        self.post_message(package)
    }

    /// Posts a round-2 package as its sender.
    ///
    /// Errors: as [`CeremonyBoard::post`].
    pub fn post_round2(&mut self, package: &round2::Package) -> Result<()> {
        self.post_message(package)
    }

    /// Posts a round-3 package as its sender.
    ///
    /// Errors: as [`CeremonyBoard::post`].
    pub fn post_round3(&mut self, package: &round3::Package) -> Result<()> {
        self.post_message(package)
    }

    fn post_message<M: Message>(&mut self, message: &M) -> Result<()> {
        self.post(M::ROUND, message.sender(), message.encode())
    }

    /// Posts a raw entry (as read from storage): `bytes` posted by `author` in `round`. The
    /// entry goes to its place in the canonical order; an entry identical to one already on the
    /// board changes nothing.
    ///
    /// Errors: [`Error::InvalidValue`] if `bytes` is longer than [`MAX_ENTRY_LEN`] or the
    /// round already holds [`MAX_ENTRIES`] entries.
    pub fn post(
        &mut self,
        round: CeremonyRound,
        author: TrusteeIndex,
        bytes: Vec<u8>,
    ) -> Result<()> {
        check_len(bytes.len())?;
        let entries = self.round_mut(round);
        let entry = Posted { author, bytes };
        match entries.binary_search(&entry) {
            Ok(_) => Ok(()),
            Err(at) => {
                if entries.len() >= MAX_ENTRIES {
                    return Err(full());
                }
                entries.insert(at, entry);
                Ok(())
            }
        }
    }

    /// The entries of `round`, in canonical order.
    pub fn entries(&self, round: CeremonyRound) -> &[Posted] {
        let [one, two, three] = &self.rounds;
        match round {
            CeremonyRound::Commit => one,
            CeremonyRound::Reveal => two,
            CeremonyRound::Complain => three,
        }
    }

    fn round_mut(&mut self, round: CeremonyRound) -> &mut Vec<Posted> {
        let [one, two, three] = &mut self.rounds;
        match round {
            CeremonyRound::Commit => one,
            CeremonyRound::Reveal => two,
            CeremonyRound::Complain => three,
        }
    }

    /// Appends the canonical encoding.
    pub fn write(&self, out: &mut Vec<u8>) {
        for entries in &self.rounds {
            // At most MAX_ENTRIES entries of at most MAX_ENTRY_LEN bytes: both fit a u32.
            write_len(out, entries.len());
            for e in entries {
                e.author.write(out);
                write_len(out, e.bytes.len());
                out.extend_from_slice(&e.bytes);
            }
        }
    }

    /// The canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write(&mut out);
        out
    }

    /// Decodes a board; refuses entries out of canonical order, repeated entries, author 0,
    /// too many entries and too long ones.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Reader::decode_all("ceremony board", bytes, Self::read)
    }

    /// Reads a board from a longer encoding.
    pub fn read(reader: &mut Reader<'_>) -> Result<Self> {
        let mut board = CeremonyBoard::new();
        for round in CeremonyRound::ALL {
            let count = reader.count("ceremony board entries", 8)?;
            if count > MAX_ENTRIES {
                return Err(full());
            }
            for _ in 0..count {
                let author = TrusteeIndex::read(reader, "board entry author")?;
                let len = reader.count("board entry", 1)?;
                let bytes = reader.take("board entry", len)?.to_vec();
                board.push_canonical(round, author, bytes)?;
            }
        }
        Ok(board)
    }

    /// Appends an entry that must come after every entry of `round` already on the board: the
    /// strict reading of a canonical list (binary or JSON record).
    pub(crate) fn push_canonical(
        &mut self,
        round: CeremonyRound,
        author: TrusteeIndex,
        bytes: Vec<u8>,
    ) -> Result<()> {
        check_len(bytes.len())?;
        let entries = self.round_mut(round);
        let entry = Posted { author, bytes };
        if entries.last().is_some_and(|last| *last >= entry) {
            return Err(Error::InvalidValue {
                what: "ceremony board",
                reason: "entries must be in canonical order (author, then bytes), without repeats",
            });
        }
        if entries.len() >= MAX_ENTRIES {
            return Err(full());
        }
        entries.push(entry);
        Ok(())
    }
}

fn check_len(len: usize) -> Result<()> {
    if len > MAX_ENTRY_LEN {
        return Err(Error::InvalidValue {
            what: "ceremony board entry",
            reason: "longer than MAX_ENTRY_LEN",
        });
    }
    Ok(())
}

fn full() -> Error {
    Error::InvalidValue {
        what: "ceremony board",
        reason: "more than MAX_ENTRIES entries in a round",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx(i: u32) -> TrusteeIndex {
        TrusteeIndex::new(i).unwrap()
    }

    #[test]
    fn posts_in_any_order_make_one_board_and_one_encoding() {
        let posts = [
            (CeremonyRound::Commit, 2, vec![1, 2]),
            (CeremonyRound::Commit, 1, vec![9]),
            (CeremonyRound::Commit, 2, vec![1]),
            (CeremonyRound::Reveal, 3, vec![]),
            (CeremonyRound::Complain, 1, vec![7, 7]),
        ];
        let mut a = CeremonyBoard::new();
        for (r, i, b) in posts.iter().cloned() {
            a.post(r, idx(i), b).unwrap();
        }
        let mut b = CeremonyBoard::new();
        for (r, i, bytes) in posts.iter().rev().cloned().chain(posts.iter().cloned()) {
            b.post(r, idx(i), bytes).unwrap();
        }
        assert_eq!(a, b);
        let order: Vec<(u32, Vec<u8>)> = a
            .entries(CeremonyRound::Commit)
            .iter()
            .map(|e| (e.author().get(), e.bytes().to_vec()))
            .collect();
        assert_eq!(order, vec![(1, vec![9]), (2, vec![1]), (2, vec![1, 2])]);
        let bytes = a.to_bytes();
        assert_eq!(CeremonyBoard::from_bytes(&bytes).unwrap(), a);
        assert_eq!(CeremonyBoard::from_bytes(&bytes).unwrap().to_bytes(), bytes);
        assert_eq!(CeremonyBoard::new().to_bytes(), vec![0; 12]);
    }

    fn encode(entries: &[(u32, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
        for (a, b) in entries {
            out.extend_from_slice(&a.to_le_bytes());
            out.extend_from_slice(&(b.len() as u32).to_le_bytes());
            out.extend_from_slice(b);
        }
        out.extend_from_slice(&[0; 8]);
        out
    }

    #[test]
    fn decoding_refuses_another_order_repeats_and_author_zero() {
        assert!(CeremonyBoard::from_bytes(&encode(&[(1, b"a"), (2, b"a")])).is_ok());
        assert!(CeremonyBoard::from_bytes(&encode(&[(1, b"a"), (1, b"ab")])).is_ok());
        for bad in [
            encode(&[(2, b"a"), (1, b"a")]),
            encode(&[(1, b"b"), (1, b"a")]),
            encode(&[(1, b"ab"), (1, b"a")]),
            encode(&[(1, b"a"), (1, b"a")]),
        ] {
            assert!(matches!(
                CeremonyBoard::from_bytes(&bad),
                Err(Error::InvalidValue {
                    what: "ceremony board",
                    ..
                })
            ));
        }
        assert!(matches!(
            CeremonyBoard::from_bytes(&encode(&[(0, b"a")])),
            Err(Error::InvalidTrusteeIndex { index: 0, .. })
        ));
        let mut long = encode(&[]);
        long.push(0);
        assert!(matches!(
            CeremonyBoard::from_bytes(&long),
            Err(Error::TrailingBytes { .. })
        ));
        assert!(CeremonyBoard::from_bytes(&[0; 11]).is_err());
        let mut board = CeremonyBoard::new();
        assert!(
            board
                .post(CeremonyRound::Reveal, idx(1), vec![0; MAX_ENTRY_LEN + 1])
                .is_err()
        );
        assert!(
            board
                .post(CeremonyRound::Reveal, idx(1), vec![0; MAX_ENTRY_LEN])
                .is_ok()
        );
    }
}
