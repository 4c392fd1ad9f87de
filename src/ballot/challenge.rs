//! Challenged (Benaloh) ballots: cast-as-intended checks.
//!
//! After the device has shown the ballot's hash ([`BallotHash::of`](crate::board::BallotHash::of),
//! and its short form), the voter may challenge the ballot instead of casting it. The device
//! then reveals the selection (one 0/1 value per slot) and the nonce of every ciphertext.
//! Anyone can re-encrypt and compare: if the device had encrypted another vote, the comparison
//! fails. A challenged ballot is published (chained into the box's confirmation codes, so that
//! it cannot be dropped unnoticed), never counted, and can never be cast afterwards (the ballot
//! box remembers its id and ciphertexts).
//!
//! # Encoding
//!
//! ```text
//! ballot (§6.2 of the spec) ‖ u32 w ‖ w slot values (1 byte each: 0 or 1)
//! ‖ m nonces (32 bytes each, one per ciphertext of the ballot)
//! ```

use super::{BallotContext, BallotId, BallotNonces, EncryptedBallot, MAX_OPTIONS, Selection};
use crate::domain::ObjectKind;
use crate::elgamal::Nonce;
use crate::encoding::{read_header, write_header};
use crate::error::{Error, Result};
use crate::group::{Reader, write_count};

/// An opened ballot: the ballot, its selection (one 0/1 value per slot) and the nonce of each
/// ciphertext. Public by construction: the voter chose to reveal it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChallengedBallot {
    ballot: EncryptedBallot,
    values: Vec<u8>,
    nonces: Vec<[u8; 32]>,
}

impl ChallengedBallot {
    /// Opens a ballot that the voter challenges: reveals its selection and nonces. The
    /// device's secrets for this ballot are consumed; the ballot must never be cast.
    pub fn open(ballot: EncryptedBallot, selection: Selection, nonces: BallotNonces) -> Self {
        let values = selection.values().to_vec();
        let nonces = nonces.nonces().iter().map(|r| *r.to_bytes()).collect();
        ChallengedBallot {
            ballot,
            values,
            nonces,
        }
    }

    /// The ballot.
    pub fn ballot(&self) -> &EncryptedBallot {
        &self.ballot
    }

    /// The ballot id.
    pub fn id(&self) -> &BallotId {
        self.ballot.id()
    }

    /// The revealed 0/1 value of each slot (options, then abstention).
    pub fn values(&self) -> &[u8] {
        &self.values
    }

    /// Checks the opening: the ballot has the contest's shape and its proofs verify, the
    /// revealed values form a valid selection, and each ciphertext re-encrypts, with its
    /// revealed nonce and the plaintext the contest's layout gives the selection, to exactly
    /// the published ciphertext. Names the first failure.
    pub fn verify(&self, ctx: &BallotContext<'_>) -> Result<()> {
        let id = *self.ballot.id();
        let malformed = |reason| Error::BallotMalformed { ballot: id, reason };
        self.ballot.clone().verify(ctx)?;
        let ciphertexts = self.ballot.ciphertexts();
        if self.nonces.len() != ciphertexts.len() {
            return Err(malformed("the opening has the wrong number of nonces"));
        }
        let selection = Selection::from_values(ctx.contest, &self.values)
            .map_err(|_| malformed("the revealed values are not a valid selection"))?;
        let plaintexts = ctx.contest.layout().plaintexts(selection.values());
        for ((m, nonce), c) in plaintexts.iter().zip(&self.nonces).zip(ciphertexts) {
            let nonce = Nonce::from_bytes(nonce)?;
            if ctx.key.encrypt_with_nonce(*m, &nonce) != *c {
                return Err(malformed(
                    "a ciphertext does not open to its revealed plaintext",
                ));
            }
        }
        Ok(())
    }

    /// Appends the canonical encoding to `out`.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<()> {
        write_header(out, ObjectKind::ChallengedBallot);
        self.ballot.write(out)?;
        write_count(out, "revealed values", self.values.len())?;
        out.extend_from_slice(&self.values);
        for nonce in &self.nonces {
            out.extend_from_slice(nonce);
        }
        Ok(())
    }

    /// The canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        // Counts are bounded by the decoder and by `Selection`, so writing cannot fail.
        let _ = self.write(&mut out);
        out
    }

    /// Decodes a challenged ballot.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Reader::decode_all("challenged ballot", bytes, Self::read)
    }

    /// Reads a challenged ballot from a longer encoding.
    pub fn read(reader: &mut Reader<'_>) -> Result<Self> {
        read_header(reader, ObjectKind::ChallengedBallot)?;
        let ballot = EncryptedBallot::read(reader)?;
        let width = ballot.ciphertexts().len();
        let slots = reader.count("revealed values", 1)?;
        if slots > MAX_OPTIONS + 1 {
            return Err(Error::InvalidValue {
                what: "revealed values",
                reason: "more slots than a contest can have",
            });
        }
        let values = reader.take("revealed values", slots)?.to_vec();
        if values.iter().any(|v| *v > 1) {
            return Err(Error::InvalidValue {
                what: "revealed values",
                reason: "must be 0 or 1",
            });
        }
        let mut nonces = Vec::with_capacity(width);
        for _ in 0..width {
            let bytes: [u8; 32] = reader.array("revealed nonce")?;
            Nonce::from_bytes(&bytes)?;
            nonces.push(bytes);
        }
        Ok(ChallengedBallot {
            ballot,
            values,
            nonces,
        })
    }
}

#[cfg(feature = "serde")]
crate::encoding::serde_via_bytes!(ChallengedBallot, "challenged ballot");
