//! A trustee's secret ceremony state between two rounds, as bytes to seal (docs/SPEC.md
//! §15.3).
//!
//! The secret packages of the ceremony ([`round1::SecretPackage`] and its successors) hold
//! what a trustee must keep from one round to the next. A trustee whose process stops between
//! rounds exports its package ([`CeremonyState::export`]) into a zeroizing buffer, seals it
//! ([`crate::seal`]) and, later, restores it against the board ([`CeremonyState::restore`]).
//! The export keeps the secrets and the trustee's own message, and a digest of the entries of
//! every earlier round as the trustee read them: restoring recomputes the trustee's reading of
//! those rounds from the board, and refuses a board whose earlier rounds no longer hold the same
//! entries ([`Error::CeremonyBoardChanged`]).
//!
//! ```text
//! state  = header (kind 15) ‖ step (1 byte: 1, 2 or 3) ‖ ceremony id (32) ‖ LE32(i) ‖ body
//! step 1 = d_i (32) ‖ LE32(t) ‖ t × a_{i,u} (32) ‖ salt (32) ‖ blob(own round-1 message)
//! step 2 = digest of round 1 (32) ‖ d_i (32) ‖ f_i(i) (32) ‖ blob(own round-2 message)
//! step 3 = digest of rounds 1–2 (32) ‖ LE32(c) ‖ c × (LE32(dealer) ‖ share (32))
//!          ‖ blob(own round-3 message)
//! digest = H("tabella.ceremony.state", board encoding of the rounds read)
//! ```
//!
//! Everything here is secret: it never leaves a zeroizing buffer except sealed.

use zeroize::Zeroizing;

use crate::domain::{ObjectKind, label};
use crate::elgamal::SecretKey;
use crate::encoding::{read_header, write_header};
use crate::error::{Error, Result};
use crate::group::{Reader, SCALAR_LEN, write_count};
use crate::threshold::dkg::board::{CeremonyBoard, CeremonyRound};
use crate::threshold::dkg::reading::{Reading1, Reading2};
use crate::threshold::dkg::round3::ReceivedShare;
use crate::threshold::dkg::{CeremonyContext, round1, round2, round3};
use crate::threshold::params::TrusteeIndex;
use crate::threshold::polynomial::SecretPolynomial;

/// Where a trustee stands in the ceremony, with the secrets it keeps.
// The variants differ in size (the polynomial is kept only after round 1); a state is made
// and moved once per round, so boxing would only add an allocation holding secrets.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum CeremonyState {
    /// After round 1 (its commitment posted).
    Committed(round1::SecretPackage),
    /// After round 2 (its reveal posted).
    Revealed(round2::SecretPackage),
    /// After round 3 (its complaints posted).
    Complained(round3::SecretPackage),
}

/// A digest of the entries of `rounds` of a ceremony board.
fn digest(board: &CeremonyBoard, rounds: &[CeremonyRound]) -> [u8; 32] {
    let mut bytes = Vec::new();
    for round in rounds {
        for e in board.entries(*round) {
            bytes.extend_from_slice(&e.author().get().to_le_bytes());
            bytes.extend_from_slice(&(e.bytes().len() as u64).to_le_bytes());
            bytes.extend_from_slice(e.bytes());
        }
        bytes.extend_from_slice(b"end of round");
    }
    crate::board::hash_parts(&[label::CEREMONY_STATE, &bytes])
}

fn secret(reader: &mut Reader<'_>, what: &'static str) -> Result<SecretKey> {
    SecretKey::from_bytes(reader.take(what, SCALAR_LEN)?)
}

fn blob<'a>(reader: &mut Reader<'a>, what: &'static str) -> Result<&'a [u8]> {
    let len = reader.count(what, 1)?;
    reader.take(what, len)
}

fn changed(round: u8) -> Error {
    Error::CeremonyBoardChanged { round }
}

impl CeremonyState {
    /// The trustee.
    pub fn index(&self) -> TrusteeIndex {
        match self {
            CeremonyState::Committed(s) => s.index,
            CeremonyState::Revealed(s) => s.index,
            CeremonyState::Complained(s) => s.index,
        }
    }

    /// The ceremony.
    pub fn context(&self) -> &CeremonyContext {
        match self {
            CeremonyState::Committed(s) => &s.ctx,
            CeremonyState::Revealed(s) => &s.ctx,
            CeremonyState::Complained(s) => &s.ctx,
        }
    }

    /// The state as bytes, for sealing, with the digest of the earlier rounds of `board` (the
    /// board the trustee acted on).
    pub fn export(&self, board: &CeremonyBoard) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::new());
        write_header(&mut out, ObjectKind::CeremonyState);
        let (step, ctx, index) = match self {
            CeremonyState::Committed(s) => (1u8, &s.ctx, s.index),
            CeremonyState::Revealed(s) => (2, &s.ctx, s.index),
            CeremonyState::Complained(s) => (3, &s.ctx, s.index),
        };
        out.push(step);
        out.extend_from_slice(ctx.id());
        index.write(&mut out);
        // The lists below are bounded by MAX_TRUSTEES: their counts always fit.
        match self {
            CeremonyState::Committed(s) => {
                out.extend_from_slice(s.communication_secret.to_bytes().as_ref());
                let coefficients = s.polynomial.coefficients();
                let _ = write_count(&mut out, "coefficients", coefficients.len());
                for a in coefficients {
                    out.extend_from_slice(a.to_bytes().as_ref());
                }
                out.extend_from_slice(&s.salt);
                let own = s.package.to_bytes();
                let _ = write_count(&mut out, "own message", own.len());
                out.extend_from_slice(&own);
            }
            CeremonyState::Revealed(s) => {
                out.extend_from_slice(&digest(board, &[CeremonyRound::Commit]));
                out.extend_from_slice(s.communication_secret.to_bytes().as_ref());
                out.extend_from_slice(s.own_share.to_bytes().as_ref());
                let own = s.package.to_bytes();
                let _ = write_count(&mut out, "own message", own.len());
                out.extend_from_slice(&own);
            }
            CeremonyState::Complained(s) => {
                out.extend_from_slice(&digest(
                    board,
                    &[CeremonyRound::Commit, CeremonyRound::Reveal],
                ));
                let _ = write_count(&mut out, "received shares", s.shares.len());
                for r in &s.shares {
                    r.dealer.write(&mut out);
                    out.extend_from_slice(r.share.to_bytes().as_ref());
                }
                let own = s.package.to_bytes();
                let _ = write_count(&mut out, "own message", own.len());
                out.extend_from_slice(&own);
            }
        }
        out
    }

    /// Restores a state exported by [`CeremonyState::export`] for the ceremony `ctx`, reading
    /// the earlier rounds from `board` again.
    ///
    /// Errors: the header's; [`Error::WrongCeremony`] when the state is of another run or
    /// election; [`Error::CeremonyBoardChanged`] when an earlier round of `board` no longer
    /// holds the entries the trustee acted on; the errors of reading the board
    /// ([`Error::TrusteeRejected`] if the trustee itself was excluded); decoding errors.
    pub fn restore(bytes: &[u8], ctx: &CeremonyContext, board: &CeremonyBoard) -> Result<Self> {
        Reader::decode_all("trustee state", bytes, |r| {
            read_header(r, ObjectKind::CeremonyState)?;
            let step = r.u8("ceremony step")?;
            let id: [u8; 32] = r.array("ceremony id")?;
            let index = TrusteeIndex::read(r, "trustee index")?;
            if &id != ctx.id() {
                return Err(Error::WrongCeremony {
                    trustee: index.get(),
                });
            }
            ctx.params().check(index)?;
            match step {
                1 => {
                    let communication_secret = secret(r, "communication key")?;
                    let t = r.count("coefficients", SCALAR_LEN)?;
                    if t != ctx.params().threshold() as usize {
                        return Err(Error::InvalidValue {
                            what: "trustee state",
                            reason: "a polynomial of another degree",
                        });
                    }
                    let coefficients = (0..t)
                        .map(|_| secret(r, "coefficient"))
                        .collect::<Result<Vec<_>>>()?;
                    let salt = r.array("salt")?;
                    let package = round1::Package::from_bytes(blob(r, "own message")?)?;
                    Ok(CeremonyState::Committed(round1::SecretPackage {
                        ctx: *ctx,
                        index,
                        communication_secret,
                        polynomial: SecretPolynomial::from_coefficients(coefficients),
                        salt,
                        package,
                    }))
                }
                2 => {
                    let read: [u8; 32] = r.array("round-1 digest")?;
                    if read != digest(board, &[CeremonyRound::Commit]) {
                        return Err(changed(1));
                    }
                    let communication_secret = secret(r, "communication key")?;
                    let own_share = secret(r, "own share")?;
                    let package = round2::Package::from_bytes(blob(r, "own message")?)?;
                    Ok(CeremonyState::Revealed(round2::SecretPackage {
                        ctx: *ctx,
                        index,
                        communication_secret,
                        own_share,
                        reading: Reading1::new(ctx, board)?,
                        package,
                    }))
                }
                3 => {
                    let read: [u8; 32] = r.array("rounds 1-2 digest")?;
                    if read != digest(board, &[CeremonyRound::Commit, CeremonyRound::Reveal]) {
                        return Err(changed(2));
                    }
                    let count = r.count("received shares", 4 + SCALAR_LEN)?;
                    let shares = (0..count)
                        .map(|_| {
                            Ok(ReceivedShare {
                                dealer: TrusteeIndex::read(r, "dealer")?,
                                share: secret(r, "received share")?,
                            })
                        })
                        .collect::<Result<Vec<_>>>()?;
                    let package = round3::Package::from_bytes(blob(r, "own message")?)?;
                    let reading1 = Reading1::new(ctx, board)?;
                    Ok(CeremonyState::Complained(round3::SecretPackage {
                        ctx: *ctx,
                        index,
                        shares,
                        reading: Reading2::new(ctx, reading1, board)?,
                        package,
                    }))
                }
                _ => Err(Error::InvalidValue {
                    what: "trustee state",
                    reason: "unknown ceremony step",
                }),
            }
        })
    }
}
