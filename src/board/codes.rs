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
//! * A code **as a voter types it** ([`CodeQuery`]), in either form, is what a lookup searches
//!   the board for ([`crate::election::Replay::find_code`]).
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
use crate::error::{Error, Result};
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

/// The short form's alphabet: Crockford base32 (no I, L, O, U).
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The number of bytes the short form writes (80 bits, 16 digits of 5 bits).
const SHORT_BYTES: usize = 10;

/// The short, human-checkable form of a hash: `XXXX-XXXX-XXXX-XXXX`, Crockford base32 of the
/// first 80 bits read big-endian (no I, L, O, U).
fn short_form(bytes: &[u8]) -> String {
    let mut bits: u128 = 0;
    for byte in bytes.iter().take(SHORT_BYTES) {
        bits = bits << 8 | u128::from(*byte);
    }
    let mut out = String::with_capacity(19);
    for i in 0..16 {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        let index = (bits >> (75 - 5 * i)) & 31;
        out.push(char::from(*CROCKFORD.get(index as usize).unwrap_or(&b'0')));
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

/// A confirmation code as a voter types it, to look it up on a board: the whole code (64 hex
/// digits) or its short form (the 16 digits of [`ConfirmationCode::short`]).
///
/// Parsing forgives what people do when they copy a code by hand: any case, dashes and spaces
/// anywhere, and in the short form `O` read as `0`, `I` and `L` as `1` (Crockford base32).
/// Nothing else is accepted, `U` included.
///
/// ```
/// use tabella::board::{CodeQuery, ConfirmationCode};
///
/// let code = ConfirmationCode([0x5a; 32]);
/// let typed = code.short().to_lowercase().replace('-', " ");
/// assert!(CodeQuery::parse(&typed)?.matches(&code));
/// assert!(CodeQuery::parse(&"5A".repeat(32))?.matches(&code));
/// assert!(CodeQuery::parse("5A5A-5A5A").is_err());
/// # Ok::<(), tabella::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CodeQuery(Query);

/// What a [`CodeQuery`] holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Query {
    /// The whole code.
    Full(ConfirmationCode),
    /// The bytes the short form writes: the code's first 10.
    Short([u8; SHORT_BYTES]),
}

/// Why a typed code of another length is not a code.
const WRONG_LENGTH: &str =
    "neither 64 hex digits nor the 16 digits of the short form XXXX-XXXX-XXXX-XXXX";

/// A typed code that is not a code.
fn not_a_code(reason: &'static str) -> Error {
    Error::InvalidValue {
        what: "confirmation code",
        reason,
    }
}

/// The value of a short-form digit (uppercase), with O read as 0 and I, L as 1.
fn crockford_digit(digit: u8) -> Option<u8> {
    let digit = match digit {
        b'O' => b'0',
        b'I' | b'L' => b'1',
        d => d,
    };
    CROCKFORD
        .iter()
        .position(|d| *d == digit)
        .and_then(|v| u8::try_from(v).ok())
}

impl CodeQuery {
    /// Reads a code as a voter types it: 64 hex digits, or the 16 digits of the short form,
    /// in any case, with dashes and spaces ignored; in the short form O is read as 0, and I
    /// and L as 1.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidValue`] (`what` is `"confirmation code"`) for an empty text, a
    /// character other than an ASCII letter or digit, a dash or a space, another number of
    /// digits than 64 or 16, a letter that is not a hex digit in the full form, or `U` in the
    /// short form.
    pub fn parse(text: &str) -> Result<Self> {
        let mut digits: Vec<u8> = Vec::with_capacity(64);
        for c in text.chars() {
            match u8::try_from(c) {
                Ok(b'-' | b' ') => {}
                Ok(b) if b.is_ascii_alphanumeric() => digits.push(b.to_ascii_uppercase()),
                _ => {
                    return Err(not_a_code(
                        "a character that is not a letter, a digit, a dash or a space",
                    ));
                }
            }
            if digits.len() > 64 {
                return Err(not_a_code(WRONG_LENGTH));
            }
        }
        match digits.len() {
            0 => Err(not_a_code("no digits")),
            64 => Self::full(&digits),
            16 => Self::short(&digits),
            _ => Err(not_a_code(WRONG_LENGTH)),
        }
    }

    /// The whole code from its 64 hex digits (uppercase).
    fn full(digits: &[u8]) -> Result<Self> {
        let nibble = |d: &u8| {
            char::from(*d)
                .to_digit(16)
                .and_then(|v| u8::try_from(v).ok())
                .ok_or_else(|| not_a_code("64 digits, and not all of them hex digits"))
        };
        let mut bytes = [0u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
            let mut value = 0u8;
            for d in pair {
                value = value << 4 | nibble(d)?;
            }
            *byte = value;
        }
        Ok(CodeQuery(Query::Full(ConfirmationCode(bytes))))
    }

    /// The short form from its 16 digits (uppercase).
    fn short(digits: &[u8]) -> Result<Self> {
        let mut bits: u128 = 0;
        for d in digits {
            let value = crockford_digit(*d).ok_or_else(|| {
                not_a_code("16 digits, and not all of them Crockford base32 (no U)")
            })?;
            bits = bits << 5 | u128::from(value);
        }
        // 80 bits, in the low 10 bytes of the 16.
        let mut bytes = [0u8; SHORT_BYTES];
        for (byte, b) in bytes
            .iter_mut()
            .zip(bits.to_be_bytes().into_iter().skip(16 - SHORT_BYTES))
        {
            *byte = b;
        }
        Ok(CodeQuery(Query::Short(bytes)))
    }

    /// Whether `code` is the code typed: the same code, or for the short form, a code whose
    /// short form it is.
    pub fn matches(&self, code: &ConfirmationCode) -> bool {
        match &self.0 {
            Query::Full(full) => full == code,
            Query::Short(prefix) => code.0.starts_with(prefix),
        }
    }

    /// Whether the short form was typed (so it names a code by its first 80 bits only).
    pub fn is_short(&self) -> bool {
        matches!(self.0, Query::Short(_))
    }
}

impl core::str::FromStr for CodeQuery {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        CodeQuery::parse(text)
    }
}

/// The code as it is written: 64 lowercase hex digits, or the short form
/// `XXXX-XXXX-XXXX-XXXX`.
impl fmt::Display for CodeQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Query::Full(code) => write!(f, "{}", Hex(&code.0)),
            Query::Short(prefix) => f.write_str(&short_form(prefix)),
        }
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

    /// A code whose bytes are all different, so that a byte out of place shows.
    fn sample() -> ConfirmationCode {
        let mut bytes = [0u8; 32];
        for (i, b) in (0u8..).zip(bytes.iter_mut()) {
            *b = i.wrapping_mul(37).wrapping_add(11);
        }
        ConfirmationCode(bytes)
    }

    fn hex(code: &ConfirmationCode) -> String {
        Hex(&code.0).to_string()
    }

    #[test]
    fn a_full_code_is_found_in_any_case_with_dashes_and_spaces() {
        let code = sample();
        let full = hex(&code);
        for typed in [
            full.clone(),
            full.to_uppercase(),
            format!(" {} - {} ", &full[..32], &full[32..]),
        ] {
            let q = CodeQuery::parse(&typed).unwrap();
            assert!(q.matches(&code), "{typed}");
            assert!(!q.is_short());
            assert_eq!(q.to_string(), full);
        }
        // Another code with the same first 80 bits is not the full code.
        let mut other = code;
        other.0[31] ^= 1;
        assert!(!CodeQuery::parse(&full).unwrap().matches(&other));
    }

    #[test]
    fn a_short_code_is_read_as_crockford_base32() {
        let code = sample();
        let short = code.short();
        let compact = short.replace('-', "");
        let spaced = compact
            .as_bytes()
            .chunks(4)
            .map(|c| core::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join(" ");
        for typed in [
            short.clone(),
            short.to_lowercase(),
            compact.clone(),
            spaced,
            format!("-{compact}-"),
        ] {
            let q = CodeQuery::parse(&typed).unwrap();
            assert!(q.matches(&code), "{typed}");
            assert!(q.is_short());
            assert_eq!(q.to_string(), short);
        }
        // The short form names the first 80 bits only: the rest may differ.
        let mut same_prefix = code;
        same_prefix.0[10] ^= 0xff;
        assert!(CodeQuery::parse(&short).unwrap().matches(&same_prefix));
        let mut other = code;
        other.0[9] ^= 1;
        assert!(!CodeQuery::parse(&short).unwrap().matches(&other));
        // The round trip over every digit value.
        assert_eq!(
            CodeQuery::parse("0123-4567-89ab-cdef").unwrap().to_string(),
            "0123-4567-89AB-CDEF"
        );
        assert_eq!(
            CodeQuery::parse("ghjk-mnpq-rstv-wxyz").unwrap().to_string(),
            "GHJK-MNPQ-RSTV-WXYZ"
        );
        assert!(
            CodeQuery::parse("ZZZZ-ZZZZ-ZZZZ-ZZZZ")
                .unwrap()
                .matches(&ConfirmationCode([0xff; 32]))
        );
    }

    #[test]
    fn o_reads_as_zero_and_i_and_l_as_one() {
        let q = CodeQuery::parse("oiL0 0000 0000 0000").unwrap();
        assert_eq!(q, CodeQuery::parse("0110-0000-0000-0000").unwrap());
        assert_eq!(q.to_string(), "0110-0000-0000-0000");
        assert_eq!(
            CodeQuery::parse("OOOO-IIII-LLLL-oooo").unwrap(),
            CodeQuery::parse("0000-1111-1111-0000").unwrap()
        );
        // In the full form they are not hex digits.
        let mut full = "0".repeat(64);
        full.replace_range(..1, "O");
        assert!(CodeQuery::parse(&full).is_err());
    }

    #[test]
    fn what_is_not_a_code_is_an_invalid_value() {
        let refused = |typed: &str| match CodeQuery::parse(typed) {
            Err(Error::InvalidValue { what, .. }) => assert_eq!(what, "confirmation code"),
            other => panic!("{typed:?}: {other:?}"),
        };
        // Empty, or nothing but separators.
        refused("");
        refused("  - -- ");
        // The wrong length: one digit short or over, of either form, and in between.
        refused("ABCD-EFGH-JKMN-PQR");
        refused("ABCD-EFGH-JKMN-PQRST");
        refused(&"0".repeat(63));
        refused(&"0".repeat(65));
        refused(&"0".repeat(32));
        refused(&"0".repeat(10_000));
        // Characters outside the alphabet: U in the short form, non-hex in the full form,
        // punctuation and other separators.
        refused("ABCD-EFGH-JKMN-PQRU");
        refused("UUUU-UUUU-UUUU-UUUU");
        refused(&"zz".repeat(32));
        refused(&"g".repeat(64));
        refused("ABCD_EFGH_JKMN_PQRS");
        refused("ABCD\tEFGH-JKMN-PQRS");
        refused("ABCD.EFGH.JKMN.PQRS");
        refused("+BCD-EFGH-JKMN-PQRS");
    }

    #[test]
    fn non_ascii_input_is_refused_without_panicking() {
        for typed in [
            "ÀBCD-EFGH-JKMN-PQRS",
            "ABCD–EFGH–JKMN–PQRS",                 // en dashes
            "ＡＢＣＤ-ＥＦＧＨ-ＪＫＭＮ-ＰＱＲＳ", // fullwidth letters
            "ABCD-EFGH-JKMN-PQR\u{0301}",
            "٠١٢٣-٤٥٦٧-٨٩٠١-٢٣٤٥", // Arabic-Indic digits
            "🗳️🗳️🗳️🗳️-🗳️🗳️🗳️🗳️-🗳️🗳️🗳️🗳️-🗳️🗳️🗳️🗳️",
            "ABCD-EFGH-JKMN-PQRS\u{0}",
            "ABCDEFGHJKMNPQR\u{00B5}",
        ] {
            assert!(CodeQuery::parse(typed).is_err(), "{typed:?}");
        }
        // 64 bytes of UTF-8 that are not 64 characters.
        assert!(CodeQuery::parse(&"é".repeat(32)).is_err());
    }

    #[test]
    fn from_str_is_parse() {
        let code = sample();
        let q: CodeQuery = code.short().parse().unwrap();
        assert!(q.matches(&code));
        assert!("not a code".parse::<CodeQuery>().is_err());
    }
}
