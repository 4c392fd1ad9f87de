//! The chain of heads over a board's entries (docs/SPEC.md §14.2).
//!
//! ```text
//! head₋₁ = H("tabella.board.head", "genesis")
//! headₖ  = H("tabella.board.head", headₖ₋₁, entryₖ bytes)
//! ```
//!
//! The head after an entry commits to every entry up to it, in order. A signed entry names the
//! head its author read (a head of the same board, before the entry), so that a board that
//! shows two parties two histories is caught as soon as their entries meet.

use core::fmt;

use crate::board::hash_parts;
use crate::domain::label;
use crate::encoding::Hex;

/// A head of the chain: 32 bytes that commit to a prefix of the board.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Head(pub [u8; 32]);

impl Head {
    /// The head before the first entry.
    pub fn genesis() -> Self {
        Head(hash_parts(&[label::BOARD_HEAD, b"genesis"]))
    }

    /// The head after an entry whose canonical encoding is `entry`.
    pub fn next(&self, entry: &[u8]) -> Self {
        Head(hash_parts(&[label::BOARD_HEAD, &self.0, entry]))
    }

    /// The 32 bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0
    }
}

impl fmt::Debug for Head {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Head({})", Hex(&self.0))
    }
}

impl fmt::Display for Head {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", Hex(&self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_chain_in_order() {
        let g = Head::genesis();
        let ab = g.next(b"a").next(b"b");
        assert_ne!(ab, g.next(b"b").next(b"a"));
        assert_ne!(g.next(b"ab"), ab);
        assert_eq!(ab, Head::genesis().next(b"a").next(b"b"));
    }
}
