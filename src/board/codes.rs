//! The board of a round: ballot hashes, the confirmation-code chain over every entry of
//! the box (cast and challenged ballots, in board order), and the round's close.
//!
//! * The **ballot hash** commits to one encrypted ballot. The voter's device shows it (its
//!   short form, [`BallotHash::short`]) before the voter chooses to cast or to challenge the
//!   ballot, so the device is committed to the ciphertexts before it learns the choice
//!   (Benaloh).
//! * Every entry of the box gets a **confirmation code** that chains the entry to the code of
//!   the previous entry: a cast ballot through its ballot hash, a challenged ballot through the
//!   hash of its whole opening. The voter keeps the code ([`ConfirmationCode::short`]) and
//!   finds it in the published record. The code of the last entry (the *chain head*) commits
//!   to the whole box, in order, challenged ballots included.
//! * The **close** of a round ([`BoxClose`]) names the box that the trustees decrypt: its chain
//!   head and how many ballots were cast and challenged. It is part of the decryption
//!   statement, so that a trustee's partial decryption is for one published box only.
//!
//! # Derivations
//!
//! Every input is length-prefixed (LE64), and H is SHA-512 truncated to 32 bytes:
//!
//! ```text
//! ballot hash     h = H("tabella.board.ballot-hash" ‖ F ‖ LE32(round) ‖ ballot bytes)
//! challenge hash  g = H("tabella.board.challenged" ‖ F ‖ LE32(round) ‖ challenged ballot bytes)
//! genesis         c₀ = H("tabella.board.code" ‖ F ‖ LE32(round) ‖ "genesis")
//! cast entry      cᵢ = H("tabella.board.code" ‖ F ‖ LE32(round) ‖ cᵢ₋₁ ‖ "cast" ‖ hᵢ)
//! challenge entry cᵢ = H("tabella.board.code" ‖ F ‖ LE32(round) ‖ cᵢ₋₁ ‖ "challenged" ‖ gᵢ)
//! short form      Crockford base32 of the first 10 bytes, in 4 groups of 4
//! ```

use core::fmt;

use sha2::{Digest, Sha512};

use crate::ballot::{ChallengedBallot, EncryptedBallot};
use crate::domain::label;
use crate::encoding::Hex;
use crate::transcript::ElectionContext;

/// SHA-512 over length-prefixed parts, truncated to 32 bytes.
pub(crate) fn hash_parts(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha512::new();
    for part in parts {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part);
    }
    let digest: [u8; 64] = h.finalize().into();
    let mut out = [0u8; 32];
    for (o, d) in out.iter_mut().zip(digest) {
        *o = d;
    }
    out
}

/// The short, human-checkable form of a 32-byte hash: `XXXX-XXXX-XXXX-XXXX`, Crockford
/// base32 of the first 80 bits read big-endian (no I, L, O, U).
fn short_form(bytes: &[u8; 32]) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut bits: u128 = 0;
    for byte in bytes.iter().take(10) {
        bits = bits << 8 | u128::from(*byte);
    }
    let mut out = String::with_capacity(19);
    for i in 0..16 {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        let index = (bits >> (75 - 5 * i)) & 31;
        out.push(char::from(*ALPHABET.get(index as usize).unwrap_or(&b'0')));
    }
    out
}

/// The hash of an encrypted ballot in a round of an election.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BallotHash(pub [u8; 32]);

impl BallotHash {
    /// Hashes the canonical bytes of `ballot`.
    pub fn of(election: &ElectionContext, round: u32, ballot: &EncryptedBallot) -> Self {
        Self::of_bytes(election, round, &ballot.to_bytes())
    }

    /// Hashes a ballot given by its canonical encoding (as read from a board or a stream).
    pub fn of_bytes(election: &ElectionContext, round: u32, ballot: &[u8]) -> Self {
        BallotHash(hash_parts(&[
            label::BALLOT_HASH,
            election.fingerprint(),
            &round.to_le_bytes(),
            ballot,
        ]))
    }

    /// The short form the device shows before the voter casts or challenges:
    /// `XXXX-XXXX-XXXX-XXXX`, as for [`ConfirmationCode::short`].
    pub fn short(&self) -> String {
        short_form(&self.0)
    }
}

/// What an entry of a box is: the tag its confirmation code hashes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BoxEntryKind {
    /// A cast ballot, chained through its [`BallotHash`].
    Cast,
    /// A challenged ballot, chained through the hash of its opening.
    Challenged,
}

impl BoxEntryKind {
    /// The tag hashed into the code (`"cast"` or `"challenged"`).
    pub const fn tag(self) -> &'static [u8] {
        match self {
            BoxEntryKind::Cast => b"cast",
            BoxEntryKind::Challenged => b"challenged",
        }
    }
}

/// A confirmation code: a link of the box's hash chain.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConfirmationCode(pub [u8; 32]);

impl ConfirmationCode {
    /// The code before the first entry of a round.
    pub fn genesis(election: &ElectionContext, round: u32) -> Self {
        ConfirmationCode(hash_parts(&[
            label::CONFIRMATION_CODE,
            election.fingerprint(),
            &round.to_le_bytes(),
            b"genesis",
        ]))
    }

    /// The code of an entry of `kind` whose hash is `entry`, after the entry with code
    /// `self`.
    pub fn next(
        &self,
        election: &ElectionContext,
        round: u32,
        kind: BoxEntryKind,
        entry: &[u8; 32],
    ) -> Self {
        ConfirmationCode(hash_parts(&[
            label::CONFIRMATION_CODE,
            election.fingerprint(),
            &round.to_le_bytes(),
            &self.0,
            kind.tag(),
            entry,
        ]))
    }

    /// The code of the cast ballot with hash `ballot`, after the entry with code `self`.
    pub fn next_cast(&self, election: &ElectionContext, round: u32, ballot: &BallotHash) -> Self {
        self.next(election, round, BoxEntryKind::Cast, &ballot.0)
    }

    /// The code of a challenged ballot, after the entry with code `self`.
    pub fn next_challenged(
        &self,
        election: &ElectionContext,
        round: u32,
        challenged: &ChallengedBallot,
    ) -> Self {
        let hash = hash_parts(&[
            label::CHALLENGE_HASH,
            election.fingerprint(),
            &round.to_le_bytes(),
            &challenged.to_bytes(),
        ]);
        self.next(election, round, BoxEntryKind::Challenged, &hash)
    }

    /// The short, human-checkable form: `XXXX-XXXX-XXXX-XXXX`, Crockford base32 of the first
    /// 80 bits (no I, L, O, U).
    pub fn short(&self) -> String {
        short_form(&self.0)
    }
}

/// The close of a round: the box the trustees decrypt, named by its chain head and how many
/// ballots were cast and challenged in it. It is part of the decryption statement
/// ([`crate::threshold::DecryptionContext`]) and of the record, and the verifier recomputes it
/// from the box.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BoxClose {
    round: u32,
    chain_head: ConfirmationCode,
    cast: u64,
    challenged: u64,
    replaced: u64,
}

impl BoxClose {
    /// The close of round `round` whose box has this chain head and these counts.
    pub const fn new(round: u32, chain_head: ConfirmationCode, cast: u64, challenged: u64) -> Self {
        BoxClose {
            round,
            chain_head,
            cast,
            challenged,
            replaced: 0,
        }
    }

    /// The same close, where `replaced` of the cast ballots were replaced by a later ballot of
    /// their credential (revoting) and are not counted.
    pub const fn with_replaced(mut self, replaced: u64) -> Self {
        self.replaced = replaced;
        self
    }

    /// The round.
    pub const fn round(&self) -> u32 {
        self.round
    }

    /// The code of the box's last entry (the genesis code for an empty box).
    pub const fn chain_head(&self) -> &ConfirmationCode {
        &self.chain_head
    }

    /// The number of cast ballots, counted or replaced.
    pub const fn cast(&self) -> u64 {
        self.cast
    }

    /// The number of cast ballots replaced by a later ballot of their credential.
    pub const fn replaced(&self) -> u64 {
        self.replaced
    }

    /// The number of counted ballots: the ballots the tally sums (cast − replaced).
    pub const fn counted(&self) -> u64 {
        self.cast.saturating_sub(self.replaced)
    }

    /// The number of challenged ballots.
    pub const fn challenged(&self) -> u64 {
        self.challenged
    }
}

impl fmt::Debug for BallotHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BallotHash({})", Hex(&self.0))
    }
}

impl fmt::Display for BallotHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.short())
    }
}

impl fmt::Debug for ConfirmationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConfirmationCode({})", self.short())
    }
}

impl fmt::Display for ConfirmationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.short())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_is_ordered_and_bound() {
        let e = ElectionContext::new([1; 32]);
        let g = ConfirmationCode::genesis(&e, 1);
        assert_ne!(g, ConfirmationCode::genesis(&e, 2));
        assert_ne!(
            g,
            ConfirmationCode::genesis(&ElectionContext::new([2; 32]), 1)
        );
        let (a, b) = (BallotHash([1; 32]), BallotHash([2; 32]));
        let ab = g.next_cast(&e, 1, &a).next_cast(&e, 1, &b);
        let ba = g.next_cast(&e, 1, &b).next_cast(&e, 1, &a);
        assert_ne!(ab, ba);
        // The kind of an entry is bound: the same hash as a cast and as a challenged entry.
        assert_ne!(
            g.next(&e, 1, BoxEntryKind::Cast, &a.0),
            g.next(&e, 1, BoxEntryKind::Challenged, &a.0)
        );
    }

    #[test]
    fn short_form_is_crockford() {
        let code = ConfirmationCode([0; 32]);
        assert_eq!(code.short(), "0000-0000-0000-0000");
        let code = ConfirmationCode([0xff; 32]);
        assert_eq!(code.short(), "ZZZZ-ZZZZ-ZZZZ-ZZZZ");
        let s = ConfirmationCode([0x5a; 32]).short();
        assert!(!s.contains(['I', 'L', 'O', 'U']));
        assert_eq!(s.len(), 19);
        assert_eq!(BallotHash([0x5a; 32]).short(), s);
    }
}
