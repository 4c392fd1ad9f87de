//! The public board of a round: ballot hashes and the confirmation-code chain.
//!
//! * The **ballot hash** commits to one encrypted ballot. The voter's device shows it before
//!   the voter chooses to cast or to challenge the ballot, so the device is committed to the
//!   ciphertexts before it learns the choice (Benaloh).
//! * When a ballot is cast, the box gives it a **confirmation code** that chains the ballot
//!   hash to the code of the previous ballot of the box. The voter keeps the code (its short
//!   form, [`ConfirmationCode::short`]) and finds it in the published record; the code of the
//!   last ballot (the *chain head*) commits to the whole board, in order.
//!
//! # Derivations
//!
//! Every input is length-prefixed (LE64), and H is SHA-512 truncated to 32 bytes:
//!
//! ```text
//! ballot hash   h = H("tabella.board.ballot-hash" ‖ F ‖ LE32(round) ‖ ballot bytes)
//! genesis       c₀ = H("tabella.board.code" ‖ F ‖ LE32(round) ‖ "genesis")
//! code          cᵢ = H("tabella.board.code" ‖ F ‖ LE32(round) ‖ cᵢ₋₁ ‖ hᵢ)
//! short form    Crockford base32 of the first 10 bytes of the code, in 4 groups of 4
//! ```

use core::fmt;

use sha2::{Digest, Sha512};

use crate::ballot::EncryptedBallot;
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

/// The hash of an encrypted ballot in a round of an election.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BallotHash(pub [u8; 32]);

impl BallotHash {
    /// Hashes the canonical bytes of `ballot`.
    pub fn of(election: &ElectionContext, round: u32, ballot: &EncryptedBallot) -> Self {
        BallotHash(hash_parts(&[
            label::BALLOT_HASH,
            election.fingerprint(),
            &round.to_le_bytes(),
            &ballot.to_bytes(),
        ]))
    }
}

/// A confirmation code: a link of the board's hash chain.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConfirmationCode(pub [u8; 32]);

impl ConfirmationCode {
    /// The code before the first ballot of a round.
    pub fn genesis(election: &ElectionContext, round: u32) -> Self {
        ConfirmationCode(hash_parts(&[
            label::CONFIRMATION_CODE,
            election.fingerprint(),
            &round.to_le_bytes(),
            b"genesis",
        ]))
    }

    /// The code of the ballot with hash `ballot` cast after the ballot with code `self`.
    pub fn next(&self, election: &ElectionContext, round: u32, ballot: &BallotHash) -> Self {
        ConfirmationCode(hash_parts(&[
            label::CONFIRMATION_CODE,
            election.fingerprint(),
            &round.to_le_bytes(),
            &self.0,
            &ballot.0,
        ]))
    }

    /// The short, human-checkable form: `XXXX-XXXX-XXXX-XXXX`, Crockford base32 of the first
    /// 80 bits (no I, L, O, U).
    pub fn short(&self) -> String {
        const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        let mut bits: u128 = 0;
        for byte in self.0.iter().take(10) {
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
}

impl fmt::Debug for BallotHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BallotHash({})", Hex(&self.0))
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
        let ab = g.next(&e, 1, &a).next(&e, 1, &b);
        let ba = g.next(&e, 1, &b).next(&e, 1, &a);
        assert_ne!(ab, ba);
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
    }
}
