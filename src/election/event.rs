//! The bodies of the administrator's board entries: what each event of an election says
//! (docs/SPEC.md §14.4).
//!
//! | entry | body |
//! |---|---|
//! | ceremony run | `run (32)` |
//! | keys | `blob(public key package) ‖ F (32)` |
//! | withdrawal | `LE32(candidate)` |
//! | round open | `LE32(r) ‖ kind (0x00 choose one \| 0x01 ‖ LE32(candidate) yes/no) ‖ LE32(k) ‖ k × LE32(candidate) ‖ contest` |
//! | round close | `LE32(r) ‖ chain head (32) ‖ LE64(cast) ‖ LE64(challenged) ‖ LE64(replaced)` |
//! | result | `LE32(r) ‖ LE32(c) ‖ c × LE32(trustee) ‖ LE32(w) ‖ w × LE64(total) ‖ LE64(cast) ‖ LE64(present and voting) ‖ LE64(V) ‖ opt64(required) ‖ opt32(elected) ‖ opt32(eliminated)` |
//! | tie resolution | `LE32(r) ‖ LE32(eliminated) ‖ how (0x00 lot \| 0x01 run-off)` |
//! | acclamation | `LE32(r) ‖ LE32(candidate)` |
//!
//! Every body is decoded strictly (no trailing bytes, flags 0 or 1, known tags), and every
//! decoded value is only ever compared with what the replay recomputes.

use crate::ballot::ContestSpec;
use crate::board::{BoxClose, ConfirmationCode};
use crate::election::RoundKind;
use crate::error::{Error, Result};
use crate::group::{Reader, write_count};
use crate::rules::TieBreak;
use crate::threshold::PublicKeyPackage;
use crate::threshold::dkg::CEREMONY_RUN_LEN;

fn index(c: usize) -> u32 {
    u32::try_from(c).unwrap_or(u32::MAX)
}

fn flag(reader: &mut Reader<'_>, what: &'static str) -> Result<bool> {
    match reader.u8(what)? {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(Error::InvalidValue {
            what,
            reason: "a flag must be 0 or 1",
        }),
    }
}

fn write_u32s(out: &mut Vec<u8>, values: &[u32]) {
    // Lists here are bounded by the manifest (candidates, trustees, slots): they fit a u32.
    let _ = write_count(out, "list", values.len());
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

fn read_u32s(reader: &mut Reader<'_>, what: &'static str) -> Result<Vec<u32>> {
    let count = reader.count(what, 4)?;
    (0..count).map(|_| reader.u32(what)).collect()
}

fn decode<T>(
    what: &'static str,
    bytes: &[u8],
    read: impl FnOnce(&mut Reader<'_>) -> Result<T>,
) -> Result<T> {
    Reader::decode_all(what, bytes, read)
}

/// The start of a run of the key ceremony.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CeremonyRun {
    /// The run nonce the ceremony id binds.
    pub run: [u8; CEREMONY_RUN_LEN],
}

impl CeremonyRun {
    /// The body.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.run.to_vec()
    }

    /// Decodes a body.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        decode("ceremony run", bytes, |r| {
            Ok(CeremonyRun {
                run: r.array("run nonce")?,
            })
        })
    }
}

/// The ceremony's outcome, announced: the public key package and the election fingerprint
/// it gives (so that a voter's device reads both from the board).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keys {
    /// The trustees' public key package.
    pub public: PublicKeyPackage,
    /// The election fingerprint F.
    pub fingerprint: [u8; 32],
}

impl Keys {
    /// The body.
    pub fn to_bytes(&self) -> Vec<u8> {
        let package = self.public.to_bytes();
        let mut out = Vec::with_capacity(package.len() + 36);
        let _ = write_count(&mut out, "public key package", package.len());
        out.extend_from_slice(&package);
        out.extend_from_slice(&self.fingerprint);
        out
    }

    /// Decodes a body.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        decode("keys", bytes, |r| {
            let len = r.count("public key package", 1)?;
            let public = PublicKeyPackage::from_bytes(r.take("public key package", len)?)?;
            Ok(Keys {
                public,
                fingerprint: r.array("election fingerprint")?,
            })
        })
    }
}

/// A candidate withdraws before the next round.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Withdrawal {
    /// The candidate (manifest index).
    pub candidate: u32,
}

impl Withdrawal {
    /// The body.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.candidate.to_le_bytes().to_vec()
    }

    /// Decodes a body.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        decode("withdrawal", bytes, |r| {
            Ok(Withdrawal {
                candidate: r.u32("withdrawn candidate")?,
            })
        })
    }
}

/// The opening of a round: everything a voter's device needs to make a ballot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundOpening {
    /// The round number.
    pub round: u32,
    /// What the ballot asks.
    pub kind: RoundKind,
    /// The candidates on the ballot (manifest indices; yes/no: the one candidate).
    pub candidates: Vec<u32>,
    /// The contest of the ballot.
    pub contest: ContestSpec,
}

impl RoundOpening {
    /// The body.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + 4 * self.candidates.len());
        out.extend_from_slice(&self.round.to_le_bytes());
        match self.kind {
            RoundKind::ChooseOne => out.push(0),
            RoundKind::YesNo { candidate } => {
                out.push(1);
                out.extend_from_slice(&index(candidate).to_le_bytes());
            }
        }
        write_u32s(&mut out, &self.candidates);
        self.contest.write(&mut out);
        out
    }

    /// Decodes a body.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        decode("round opening", bytes, |r| {
            let round = r.u32("round number")?;
            let kind = match r.u8("round kind")? {
                0 => RoundKind::ChooseOne,
                1 => RoundKind::YesNo {
                    candidate: r.u32("yes/no candidate")? as usize,
                },
                _ => {
                    return Err(Error::InvalidValue {
                        what: "round kind",
                        reason: "unknown tag byte",
                    });
                }
            };
            Ok(RoundOpening {
                round,
                kind,
                candidates: read_u32s(r, "candidates")?,
                contest: ContestSpec::read(r)?,
            })
        })
    }
}

impl BoxClose {
    /// The body of a round's close entry.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(60);
        out.extend_from_slice(&self.round().to_le_bytes());
        out.extend_from_slice(&self.chain_head().0);
        out.extend_from_slice(&self.cast().to_le_bytes());
        out.extend_from_slice(&self.challenged().to_le_bytes());
        out.extend_from_slice(&self.replaced().to_le_bytes());
        out
    }

    /// Decodes the body of a round's close entry.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        decode("round close", bytes, |r| {
            let close = BoxClose::new(
                r.u32("round number")?,
                ConfirmationCode(r.array("chain head")?),
                r.u64("cast ballots")?,
                r.u64("challenged ballots")?,
            );
            let replaced = r.u64("replaced ballots")?;
            if replaced > close.cast() {
                return Err(Error::InvalidValue {
                    what: "round close",
                    reason: "more ballots replaced than cast",
                });
            }
            Ok(close.with_replaced(replaced))
        })
    }
}

/// What a round's rules decided, as announced (the replay recomputes it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Ballots cast, abstentions included.
    pub cast: u64,
    /// Votes for candidates (for a yes/no ballot, yes + no).
    pub present_and_voting: u64,
    /// V, the base count of the rule.
    pub base: u64,
    /// The smallest count that wins, if any can.
    pub required: Option<u64>,
    /// The candidate elected (manifest index).
    pub elected: Option<u32>,
    /// The candidate eliminated (manifest index).
    pub eliminated: Option<u32>,
}

impl Decision {
    /// The recorded form of a decision of the rules engine.
    pub fn of(d: &crate::rules::RoundDecision) -> Self {
        Decision {
            cast: d.cast(),
            present_and_voting: d.present_and_voting(),
            base: d.base_count(),
            required: d.required(),
            elected: d.elected().map(index),
            eliminated: d.eliminated().map(index),
        }
    }
}

/// A round's decrypted totals and its decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundResult {
    /// The round.
    pub round: u32,
    /// The trustees whose partials were combined, in increasing order.
    pub combined: Vec<u32>,
    /// One total per slot: the options, then the abstentions.
    pub totals: Vec<u64>,
    /// The decision.
    pub decision: Decision,
}

fn write_opt_u64(out: &mut Vec<u8>, value: Option<u64>) {
    match value {
        None => out.push(0),
        Some(v) => {
            out.push(1);
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
}

fn write_opt_u32(out: &mut Vec<u8>, value: Option<u32>) {
    match value {
        None => out.push(0),
        Some(v) => {
            out.push(1);
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
}

impl RoundResult {
    /// The body.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + 4 * self.combined.len() + 8 * self.totals.len());
        out.extend_from_slice(&self.round.to_le_bytes());
        write_u32s(&mut out, &self.combined);
        let _ = write_count(&mut out, "totals", self.totals.len());
        for t in &self.totals {
            out.extend_from_slice(&t.to_le_bytes());
        }
        let d = &self.decision;
        out.extend_from_slice(&d.cast.to_le_bytes());
        out.extend_from_slice(&d.present_and_voting.to_le_bytes());
        out.extend_from_slice(&d.base.to_le_bytes());
        write_opt_u64(&mut out, d.required);
        write_opt_u32(&mut out, d.elected);
        write_opt_u32(&mut out, d.eliminated);
        out
    }

    /// Decodes a body.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        decode("round result", bytes, |r| {
            let round = r.u32("round number")?;
            let combined = read_u32s(r, "combined trustees")?;
            let count = r.count("totals", 8)?;
            let totals = (0..count)
                .map(|_| r.u64("total"))
                .collect::<Result<Vec<_>>>()?;
            let cast = r.u64("cast")?;
            let present_and_voting = r.u64("present and voting")?;
            let base = r.u64("base count")?;
            let required = if flag(r, "required flag")? {
                Some(r.u64("required")?)
            } else {
                None
            };
            let elected = if flag(r, "elected flag")? {
                Some(r.u32("elected")?)
            } else {
                None
            };
            let eliminated = if flag(r, "eliminated flag")? {
                Some(r.u32("eliminated")?)
            } else {
                None
            };
            Ok(RoundResult {
                round,
                combined,
                totals,
                decision: Decision {
                    cast,
                    present_and_voting,
                    base,
                    required,
                    elected,
                    eliminated,
                },
            })
        })
    }
}

/// The resolution of a tie for lowest left to the caller
/// ([`TieForLowest::CallerResolves`](crate::rules::TieForLowest::CallerResolves)): which of
/// the tied candidates is eliminated after the round, and how it was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TieResolution {
    /// The round whose decision left the tie.
    pub round: u32,
    /// The candidate eliminated (manifest index).
    pub eliminated: u32,
    /// How: a lot drawn or a run-off held outside the election.
    pub how: TieBreak,
}

impl TieResolution {
    /// The body.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(9);
        out.extend_from_slice(&self.round.to_le_bytes());
        out.extend_from_slice(&self.eliminated.to_le_bytes());
        out.push(match self.how {
            TieBreak::Lot => 0,
            TieBreak::RunOff => 1,
        });
        out
    }

    /// Decodes a body.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        decode("tie resolution", bytes, |r| {
            Ok(TieResolution {
                round: r.u32("round number")?,
                eliminated: r.u32("eliminated candidate")?,
                how: match r.u8("tie break")? {
                    0 => TieBreak::Lot,
                    1 => TieBreak::RunOff,
                    _ => {
                        return Err(Error::InvalidValue {
                            what: "tie break",
                            reason: "unknown tag byte",
                        });
                    }
                },
            })
        })
    }
}

/// The election of the sole remaining candidate, without a ballot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Acclamation {
    /// The round.
    pub round: u32,
    /// The candidate elected (manifest index).
    pub candidate: u32,
}

impl Acclamation {
    /// The body.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8);
        out.extend_from_slice(&self.round.to_le_bytes());
        out.extend_from_slice(&self.candidate.to_le_bytes());
        out
    }

    /// Decodes a body.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        decode("acclamation", bytes, |r| {
            Ok(Acclamation {
                round: r.u32("round number")?,
                candidate: r.u32("acclaimed candidate")?,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::TieBreak;

    #[test]
    fn bodies_round_trip_and_refuse_noise() {
        let opening = RoundOpening {
            round: 2,
            kind: RoundKind::YesNo { candidate: 1 },
            candidates: vec![1],
            contest: ContestSpec::choose_one(0, 2, true)
                .unwrap()
                .with_capacity(171),
        };
        let result = RoundResult {
            round: 1,
            combined: vec![1, 3, 4],
            totals: vec![98, 67, 0],
            decision: Decision {
                cast: 165,
                present_and_voting: 165,
                base: 165,
                required: Some(110),
                elected: None,
                eliminated: None,
            },
        };
        let tie = TieResolution {
            round: 1,
            eliminated: 2,
            how: TieBreak::RunOff,
        };
        type Decoder = fn(&[u8]) -> bool;
        let bodies: Vec<(Vec<u8>, Decoder)> = vec![
            (opening.to_bytes(), |b| RoundOpening::from_bytes(b).is_ok()),
            (result.to_bytes(), |b| RoundResult::from_bytes(b).is_ok()),
            (tie.to_bytes(), |b| TieResolution::from_bytes(b).is_ok()),
            (
                Acclamation {
                    round: 3,
                    candidate: 0,
                }
                .to_bytes(),
                |b| Acclamation::from_bytes(b).is_ok(),
            ),
            (Withdrawal { candidate: 1 }.to_bytes(), |b| {
                Withdrawal::from_bytes(b).is_ok()
            }),
            (CeremonyRun { run: [7; 32] }.to_bytes(), |b| {
                CeremonyRun::from_bytes(b).is_ok()
            }),
            (
                BoxClose::new(1, ConfirmationCode([9; 32]), 165, 2).to_bytes(),
                |b| BoxClose::from_bytes(b).is_ok(),
            ),
        ];
        assert_eq!(RoundOpening::from_bytes(&bodies[0].0), Ok(opening.clone()));
        assert_eq!(RoundResult::from_bytes(&bodies[1].0), Ok(result));
        assert_eq!(TieResolution::from_bytes(&bodies[2].0), Ok(tie));
        for (body, decodes) in &bodies {
            assert!(decodes(body));
            let mut long = body.clone();
            long.push(0);
            assert!(!decodes(&long));
            assert!(!decodes(&body[..body.len() - 1]));
        }
        let bodies: Vec<Vec<u8>> = bodies.into_iter().map(|(b, _)| b).collect();
        // A contest whose layout is not the one its shape gives.
        let mut bad = bodies[0].clone();
        let at = bad.len() - 13;
        bad[at] = 0;
        assert!(RoundOpening::from_bytes(&bad).is_err());
    }
}
