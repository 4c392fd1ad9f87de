//! The canonical binary form of the record (docs/SPEC.md §12).

use super::{
    BallotRound, CastBallot, ChallengedEntry, DecryptionRecord, ElectionRecord, RecordEntry,
    ResultRecord, RoundBody, RoundRecord, TieResolution,
};
use crate::ballot::{ChallengedBallot, EncryptedBallot};
use crate::board::{BoxClose, ConfirmationCode};
use crate::domain::{ObjectKind, PROTOCOL_VERSION};
use crate::election::{Manifest, RoundKind};
use crate::elgamal::{CIPHERTEXT_LEN, Ciphertext};
use crate::encoding::{header, read_header};
use crate::error::{Error, Result};
use crate::group::{Reader, write_count};
use crate::rules::TieBreak;
use crate::threshold::dkg::CeremonyBoard;
use crate::threshold::{PartialDecryption, PublicKeyPackage};

fn blob(out: &mut Vec<u8>, what: &'static str, bytes: &[u8]) -> Result<()> {
    write_count(out, what, bytes.len())?;
    out.extend_from_slice(bytes);
    Ok(())
}

fn read_blob<'a>(reader: &mut Reader<'a>, what: &'static str) -> Result<&'a [u8]> {
    let len = reader.count(what, 1)?;
    reader.take(what, len)
}

/// Decodes a length-prefixed sub-encoding with its own strict decoder.
fn sub<T>(
    reader: &mut Reader<'_>,
    what: &'static str,
    decode: impl FnOnce(&[u8]) -> Result<T>,
) -> Result<T> {
    decode(read_blob(reader, what)?)
}

fn list<T>(
    reader: &mut Reader<'_>,
    what: &'static str,
    min_len: usize,
    mut item: impl FnMut(&mut Reader<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let count = reader.count(what, min_len)?;
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        out.push(item(reader)?);
    }
    Ok(out)
}

fn write_u32s(out: &mut Vec<u8>, what: &'static str, values: &[u32]) -> Result<()> {
    write_count(out, what, values.len())?;
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
    Ok(())
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

fn read_opt_u64(reader: &mut Reader<'_>, what: &'static str) -> Result<Option<u64>> {
    Ok(if flag(reader, what)? {
        Some(reader.u64(what)?)
    } else {
        None
    })
}

fn read_opt_u32(reader: &mut Reader<'_>, what: &'static str) -> Result<Option<u32>> {
    Ok(if flag(reader, what)? {
        Some(reader.u32(what)?)
    } else {
        None
    })
}

impl ElectionRecord {
    /// The canonical binary encoding.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        // The header names the record's own version, so that a record of another version
        // (built in memory) is reported by its decoder and by check 1.
        out.extend_from_slice(&header::MAGIC);
        out.push(ObjectKind::Record.tag());
        out.extend_from_slice(&self.version.to_le_bytes());
        blob(&mut out, "suite", self.suite.as_bytes())?;
        blob(&mut out, "manifest", &self.manifest.to_bytes()?)?;
        out.extend_from_slice(&self.run);
        self.ceremony.write(&mut out);
        blob(&mut out, "public keys", &self.public_keys.to_bytes())?;
        out.extend_from_slice(&self.fingerprint);
        write_count(&mut out, "rounds", self.rounds.len())?;
        for round in &self.rounds {
            round.write(&mut out)?;
        }
        Ok(out)
    }

    /// Decodes a binary record. The header comes first: bytes that are not a record, or a
    /// record of another protocol version, are refused before anything else is read. Every
    /// part goes through its canonical decoder; the suite is decoded here and checked by the
    /// verifier (check 1).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut reader = Reader::new("election record", bytes);
        read_header(&mut reader, ObjectKind::Record)?;
        let version = PROTOCOL_VERSION;
        let suite = String::from_utf8(read_blob(&mut reader, "suite")?.to_vec()).map_err(|_| {
            Error::InvalidValue {
                what: "suite",
                reason: "not UTF-8",
            }
        })?;
        let manifest = sub(&mut reader, "manifest", Manifest::from_bytes)?;
        let run = reader.array("ceremony run")?;
        let ceremony = CeremonyBoard::read(&mut reader)?;
        let public_keys = sub(&mut reader, "public keys", PublicKeyPackage::from_bytes)?;
        let fingerprint = reader.array("fingerprint")?;
        let rounds = list(&mut reader, "rounds", 9, RoundRecord::read)?;
        reader.finish()?;
        Ok(ElectionRecord {
            version,
            suite,
            manifest,
            run,
            ceremony,
            public_keys,
            fingerprint,
            rounds,
        })
    }
}

impl RoundRecord {
    fn write(&self, out: &mut Vec<u8>) -> Result<()> {
        out.extend_from_slice(&self.round.to_le_bytes());
        write_u32s(out, "withdrawn", &self.withdrawn)?;
        match &self.body {
            RoundBody::Acclamation { elected } => {
                out.push(0);
                out.extend_from_slice(&elected.to_le_bytes());
            }
            RoundBody::Ballot(b) => {
                out.push(1);
                b.write(out)?;
            }
        }
        Ok(())
    }

    fn read(reader: &mut Reader<'_>) -> Result<Self> {
        let round = reader.u32("round number")?;
        let withdrawn = list(reader, "withdrawn", 4, |r| r.u32("withdrawn candidate"))?;
        let body = match reader.u8("round kind")? {
            0 => RoundBody::Acclamation {
                elected: reader.u32("acclaimed candidate")?,
            },
            1 => RoundBody::Ballot(Box::new(BallotRound::read(reader, round)?)),
            _ => {
                return Err(Error::InvalidValue {
                    what: "round kind",
                    reason: "unknown tag byte",
                });
            }
        };
        Ok(RoundRecord {
            round,
            withdrawn,
            body,
        })
    }
}

impl BallotRound {
    fn write(&self, out: &mut Vec<u8>) -> Result<()> {
        match self.kind {
            RoundKind::ChooseOne => out.push(0),
            RoundKind::YesNo { candidate } => {
                out.push(1);
                out.extend_from_slice(&u32::try_from(candidate).unwrap_or(u32::MAX).to_le_bytes());
            }
        }
        write_u32s(out, "candidates", &self.candidates)?;
        write_count(out, "box entries", self.entries.len())?;
        for entry in &self.entries {
            match entry {
                RecordEntry::Cast(c) => {
                    out.push(1);
                    blob(out, "ballot", &c.ballot.to_bytes())?;
                }
                RecordEntry::Challenged(c) => {
                    out.push(2);
                    blob(out, "challenged ballot", &c.challenged.to_bytes())?;
                }
            }
            out.extend_from_slice(&entry.code().0);
        }
        match &self.close {
            None => out.push(0),
            Some(close) => {
                out.push(1);
                out.extend_from_slice(&close.chain_head().0);
                out.extend_from_slice(&close.cast().to_le_bytes());
                out.extend_from_slice(&close.challenged().to_le_bytes());
            }
        }
        match &self.decryption {
            None => out.push(0),
            Some(d) => {
                out.push(1);
                d.write(out)?;
            }
        }
        match &self.tie_resolution {
            None => out.push(0),
            Some(t) => {
                out.push(1);
                out.extend_from_slice(&t.eliminated.to_le_bytes());
                out.push(match t.how {
                    TieBreak::Lot => 0,
                    TieBreak::RunOff => 1,
                });
            }
        }
        Ok(())
    }

    fn read(reader: &mut Reader<'_>, round: u32) -> Result<Self> {
        let kind = match reader.u8("ballot kind")? {
            0 => RoundKind::ChooseOne,
            1 => RoundKind::YesNo {
                candidate: reader.u32("yes/no candidate")? as usize,
            },
            _ => {
                return Err(Error::InvalidValue {
                    what: "ballot kind",
                    reason: "unknown tag byte",
                });
            }
        };
        let candidates = list(reader, "candidates", 4, |r| r.u32("candidate"))?;
        let entries = list(reader, "box entries", 41, |r| {
            let tag = r.u8("box entry kind")?;
            let entry = match tag {
                1 => RecordEntry::Cast(CastBallot {
                    ballot: sub(r, "ballot", EncryptedBallot::from_bytes)?,
                    code: ConfirmationCode(r.array("confirmation code")?),
                }),
                2 => RecordEntry::Challenged(ChallengedEntry {
                    challenged: sub(r, "challenged ballot", ChallengedBallot::from_bytes)?,
                    code: ConfirmationCode(r.array("confirmation code")?),
                }),
                _ => {
                    return Err(Error::InvalidValue {
                        what: "box entry kind",
                        reason: "unknown tag byte",
                    });
                }
            };
            Ok(entry)
        })?;
        let close = if flag(reader, "close flag")? {
            Some(BoxClose::new(
                round,
                ConfirmationCode(reader.array("chain head")?),
                reader.u64("cast ballots")?,
                reader.u64("challenged ballots")?,
            ))
        } else {
            None
        };
        let decryption = if flag(reader, "decryption flag")? {
            Some(DecryptionRecord::read(reader)?)
        } else {
            None
        };
        let tie_resolution = if flag(reader, "tie resolution flag")? {
            let eliminated = reader.u32("eliminated candidate")?;
            let how = match reader.u8("tie break")? {
                0 => TieBreak::Lot,
                1 => TieBreak::RunOff,
                _ => {
                    return Err(Error::InvalidValue {
                        what: "tie break",
                        reason: "unknown tag byte",
                    });
                }
            };
            Some(TieResolution { eliminated, how })
        } else {
            None
        };
        Ok(BallotRound {
            kind,
            candidates,
            entries,
            close,
            decryption,
            tie_resolution,
        })
    }
}

impl DecryptionRecord {
    fn write(&self, out: &mut Vec<u8>) -> Result<()> {
        write_count(out, "tally", self.tally.len())?;
        for c in &self.tally {
            c.write(out);
        }
        write_count(out, "partial decryptions", self.partials.len())?;
        for p in &self.partials {
            blob(out, "partial decryption", &p.to_bytes()?)?;
        }
        write_u32s(out, "combined trustees", &self.combined)?;
        write_count(out, "totals", self.totals.len())?;
        for t in &self.totals {
            out.extend_from_slice(&t.to_le_bytes());
        }
        let r = &self.result;
        out.extend_from_slice(&r.cast.to_le_bytes());
        out.extend_from_slice(&r.present_and_voting.to_le_bytes());
        out.extend_from_slice(&r.base.to_le_bytes());
        write_opt_u64(out, r.required);
        write_opt_u32(out, r.elected);
        write_opt_u32(out, r.eliminated);
        Ok(())
    }

    fn read(reader: &mut Reader<'_>) -> Result<Self> {
        let tally = list(reader, "tally", CIPHERTEXT_LEN, Ciphertext::read)?;
        let partials = list(reader, "partial decryptions", 4, |r| {
            sub(r, "partial decryption", PartialDecryption::from_bytes)
        })?;
        let combined = list(reader, "combined trustees", 4, |r| {
            r.u32("combined trustee")
        })?;
        let totals = list(reader, "totals", 8, |r| r.u64("total"))?;
        let result = ResultRecord {
            cast: reader.u64("cast")?,
            present_and_voting: reader.u64("present and voting")?,
            base: reader.u64("base count")?,
            required: read_opt_u64(reader, "required")?,
            elected: read_opt_u32(reader, "elected")?,
            eliminated: read_opt_u32(reader, "eliminated")?,
        };
        Ok(DecryptionRecord {
            tally,
            partials,
            combined,
            totals,
            result,
        })
    }
}
