//! The JSON form of the record (feature `serde`).
//!
//! The JSON record carries the same values as the binary one. Crypto objects are the
//! lowercase hex of their canonical bytes; counts and indices are JSON numbers; the manifest
//! is spelled out field by field so that a person can read it. Unknown fields and duplicate
//! keys are rejected, and every hex string goes through its canonical decoder.
//!
//! ```json
//! { "version": 1, "suite": "ristretto255-sha512-merlin",
//!   "manifest": { "title": "…", "members": 175, "eligible": 171, "candidates": ["…"],
//!                 "rules": [{"from_round": 1, "at_least": [2, 3], "of": "present_and_voting"}],
//!                 "eliminate_lowest_after": [], "tie_for_lowest": "no_elimination",
//!                 "quorum": null, "threshold": 3, "trustees": 5, "privacy_floor": 5 },
//!   "run": "hex",
//!   "ceremony": { "round1": [{"author": 1, "message": "hex"}], "round2": […], "round3": […] },
//!   "public_keys": "hex", "fingerprint": "hex",
//!   "rounds": [
//!     { "ballot": "choose_one", "round": 1, "withdrawn": [], "candidates": [0, 1],
//!       "ballots": [{"ballot": "hex", "code": "hex"}], "chain_head": "hex",
//!       "challenged": ["hex"],
//!       "decryption": { "tally": ["hex"], "partials": ["hex"], "totals": [98, 67, 0],
//!                       "result": {"cast": 165, "present_and_voting": 165, "base": 165,
//!                                  "required": 110, "elected": null, "eliminated": null} } },
//!     { "ballot": "acclamation", "round": 2, "withdrawn": [1], "elected": 0 } ] }
//! ```

use std::collections::BTreeSet;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{
    BallotRound, CastBallot, ChallengedEntry, DecryptionRecord, ElectionRecord, RecordEntry,
    ResultRecord, RoundBody, RoundRecord, TieResolution,
};
use crate::ballot::{ChallengedBallot, EncryptedBallot};
use crate::board::{BoxClose, ConfirmationCode};
use crate::election::{Manifest, RoundKind};
use crate::elgamal::Ciphertext;
use crate::encoding::{from_hex, to_hex};
use crate::error::{Error, Result};
use crate::rules::{
    Base, Comparison, ElectionRules, Fraction, MajorityRule, Quorum, RuleSchedule, TieBreak,
    TieForLowest,
};
use crate::threshold::dkg::{CeremonyBoard, CeremonyRound};
use crate::threshold::{PartialDecryption, PublicKeyPackage, TrusteeIndex};

/// Bytes as a lowercase hex string.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Hex(Vec<u8>);

impl Serialize for Hex {
    fn serialize<S: Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        s.serialize_str(&to_hex(&self.0))
    }
}

impl<'de> Deserialize<'de> for Hex {
    fn deserialize<D: Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        from_hex("hex field", &text)
            .map(Hex)
            .map_err(D::Error::custom)
    }
}

fn array32(what: &'static str, hex: &Hex) -> Result<[u8; 32]> {
    hex.0.as_slice().try_into().map_err(|_| Error::WrongLength {
        what,
        expected: 32,
        actual: hex.0.len(),
    })
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleJson {
    from_round: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    at_least: Option<[u64; 2]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    more_than: Option<[u64; 2]>,
    of: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct QuorumJson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    at_least: Option<[u64; 2]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    more_than: Option<[u64; 2]>,
    members: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestJson {
    title: String,
    members: u64,
    eligible: u64,
    candidates: Vec<String>,
    rules: Vec<RuleJson>,
    eliminate_lowest_after: Vec<u32>,
    tie_for_lowest: String,
    quorum: Option<QuorumJson>,
    threshold: u32,
    trustees: u32,
    privacy_floor: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryJson {
    author: u32,
    message: Hex,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CeremonyJson {
    round1: Vec<EntryJson>,
    round2: Vec<EntryJson>,
    round3: Vec<EntryJson>,
}

impl CeremonyJson {
    fn from_board(board: &CeremonyBoard) -> Self {
        let entries = |round| {
            board
                .entries(round)
                .iter()
                .map(|e| EntryJson {
                    author: e.author().get(),
                    message: Hex(e.bytes().to_vec()),
                })
                .collect()
        };
        CeremonyJson {
            round1: entries(CeremonyRound::Commit),
            round2: entries(CeremonyRound::Reveal),
            round3: entries(CeremonyRound::Complain),
        }
    }

    /// The board, read as strictly as its binary form: canonical order, no repeats.
    fn into_board(self) -> Result<CeremonyBoard> {
        let mut board = CeremonyBoard::new();
        for (round, entries) in [
            (CeremonyRound::Commit, self.round1),
            (CeremonyRound::Reveal, self.round2),
            (CeremonyRound::Complain, self.round3),
        ] {
            for e in entries {
                board.push_canonical(round, TrusteeIndex::new(e.author)?, e.message.0)?;
            }
        }
        Ok(board)
    }
}

/// A box entry: `{"cast": hex, "code": hex}` or `{"challenged": hex, "code": hex}`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BoxEntryJson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cast: Option<Hex>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    challenged: Option<Hex>,
    code: Hex,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CloseJson {
    chain_head: Hex,
    cast: u64,
    challenged: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TieResolutionJson {
    eliminated: u32,
    how: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResultJson {
    cast: u64,
    present_and_voting: u64,
    base: u64,
    required: Option<u64>,
    elected: Option<u32>,
    eliminated: Option<u32>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DecryptionJson {
    tally: Vec<Hex>,
    partials: Vec<Hex>,
    combined: Vec<u32>,
    totals: Vec<u64>,
    result: ResultJson,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BallotRoundJson {
    round: u32,
    withdrawn: Vec<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    candidate: Option<u32>,
    candidates: Vec<u32>,
    entries: Vec<BoxEntryJson>,
    close: Option<CloseJson>,
    decryption: Option<DecryptionJson>,
    tie_resolution: Option<TieResolutionJson>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AcclamationJson {
    round: u32,
    withdrawn: Vec<u32>,
    elected: u32,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "ballot", rename_all = "snake_case", deny_unknown_fields)]
enum RoundJson {
    Acclamation(AcclamationJson),
    ChooseOne(BallotRoundJson),
    YesNo(BallotRoundJson),
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordJson {
    version: u16,
    suite: String,
    manifest: ManifestJson,
    run: Hex,
    ceremony: CeremonyJson,
    public_keys: Hex,
    fingerprint: Hex,
    rounds: Vec<RoundJson>,
}

fn fraction_json(comparison: Comparison, f: Fraction) -> (Option<[u64; 2]>, Option<[u64; 2]>) {
    let pq = [f.numerator(), f.denominator()];
    match comparison {
        Comparison::AtLeast => (Some(pq), None),
        Comparison::MoreThan => (None, Some(pq)),
    }
}

fn fraction_from(
    at_least: Option<[u64; 2]>,
    more_than: Option<[u64; 2]>,
) -> Result<(Comparison, Fraction)> {
    let (comparison, [p, q]) = match (at_least, more_than) {
        (Some(f), None) => (Comparison::AtLeast, f),
        (None, Some(f)) => (Comparison::MoreThan, f),
        _ => {
            return Err(Error::InvalidValue {
                what: "rule",
                reason: "exactly one of at_least and more_than",
            });
        }
    };
    Ok((comparison, Fraction::new(p, q)?))
}

fn hexes<T>(items: &[T], encode: impl Fn(&T) -> Result<Vec<u8>>) -> Result<Vec<Hex>> {
    items.iter().map(|i| encode(i).map(Hex)).collect()
}

fn decode_all<T>(items: Vec<Hex>, decode: impl Fn(&[u8]) -> Result<T>) -> Result<Vec<T>> {
    items.into_iter().map(|h| decode(&h.0)).collect()
}

impl ManifestJson {
    fn from_manifest(m: &Manifest) -> Self {
        let rules = m.rules();
        ManifestJson {
            title: m.title().to_string(),
            members: m.members(),
            eligible: m.eligible(),
            candidates: m.candidates().to_vec(),
            rules: rules
                .schedule()
                .entries()
                .map(|(from_round, rule)| {
                    let (at_least, more_than) = fraction_json(rule.comparison(), rule.fraction());
                    RuleJson {
                        from_round,
                        at_least,
                        more_than,
                        of: match rule.base() {
                            Base::PresentAndVoting => "present_and_voting",
                            Base::Eligible => "eligible",
                        }
                        .to_string(),
                    }
                })
                .collect(),
            eliminate_lowest_after: rules.eliminate_lowest_after().iter().copied().collect(),
            tie_for_lowest: match rules.tie_for_lowest() {
                TieForLowest::NoElimination => "no_elimination",
                TieForLowest::CallerResolves => "caller_resolves",
            }
            .to_string(),
            quorum: rules.quorum().map(|q| {
                let (at_least, more_than) = fraction_json(q.comparison(), q.fraction());
                QuorumJson {
                    at_least,
                    more_than,
                    members: q.members(),
                }
            }),
            threshold: m.threshold(),
            trustees: m.trustees(),
            privacy_floor: m.privacy_floor(),
        }
    }

    fn into_manifest(self) -> Result<Manifest> {
        let mut entries = Vec::new();
        for r in self.rules {
            let (comparison, fraction) = fraction_from(r.at_least, r.more_than)?;
            let base = match r.of.as_str() {
                "present_and_voting" => Base::PresentAndVoting,
                "eligible" => Base::Eligible,
                _ => {
                    return Err(Error::InvalidValue {
                        what: "rule base",
                        reason: "present_and_voting or eligible",
                    });
                }
            };
            entries.push((r.from_round, MajorityRule::new(comparison, fraction, base)?));
        }
        let tie = match self.tie_for_lowest.as_str() {
            "no_elimination" => TieForLowest::NoElimination,
            "caller_resolves" => TieForLowest::CallerResolves,
            _ => {
                return Err(Error::InvalidValue {
                    what: "tie_for_lowest",
                    reason: "no_elimination or caller_resolves",
                });
            }
        };
        let quorum = match self.quorum {
            None => None,
            Some(q) => {
                let (comparison, fraction) = fraction_from(q.at_least, q.more_than)?;
                Some(Quorum::new(comparison, fraction, q.members)?)
            }
        };
        let mut previous = 0;
        for r in &self.eliminate_lowest_after {
            if *r <= previous {
                return Err(Error::InvalidValue {
                    what: "eliminate_lowest_after",
                    reason: "rounds must increase",
                });
            }
            previous = *r;
        }
        let eliminate: BTreeSet<u32> = self.eliminate_lowest_after.into_iter().collect();
        let rules = ElectionRules::new(RuleSchedule::new(entries)?, eliminate, tie, quorum)?;
        Manifest::new(
            self.title,
            self.members,
            self.eligible,
            self.candidates,
            rules,
            self.threshold,
            self.trustees,
        )?
        .with_privacy_floor(self.privacy_floor)
    }
}

fn round_json(r: &RoundRecord) -> Result<RoundJson> {
    let b = match &r.body {
        RoundBody::Acclamation { elected } => {
            return Ok(RoundJson::Acclamation(AcclamationJson {
                round: r.round,
                withdrawn: r.withdrawn.clone(),
                elected: *elected,
            }));
        }
        RoundBody::Ballot(b) => b,
    };
    let decryption = match &b.decryption {
        None => None,
        Some(d) => Some(DecryptionJson {
            tally: hexes(&d.tally, |c| Ok(c.to_bytes().to_vec()))?,
            partials: hexes(&d.partials, |p| p.to_bytes())?,
            combined: d.combined.clone(),
            totals: d.totals.clone(),
            result: ResultJson {
                cast: d.result.cast,
                present_and_voting: d.result.present_and_voting,
                base: d.result.base,
                required: d.result.required,
                elected: d.result.elected,
                eliminated: d.result.eliminated,
            },
        }),
    };
    let (candidate, yes_no) = match b.kind {
        RoundKind::ChooseOne => (None, false),
        RoundKind::YesNo { candidate } => {
            (Some(u32::try_from(candidate).unwrap_or(u32::MAX)), true)
        }
    };
    let json = BallotRoundJson {
        round: r.round,
        withdrawn: r.withdrawn.clone(),
        candidate,
        candidates: b.candidates.clone(),
        entries: b
            .entries
            .iter()
            .map(|e| match e {
                RecordEntry::Cast(c) => BoxEntryJson {
                    cast: Some(Hex(c.ballot.to_bytes())),
                    challenged: None,
                    code: Hex(c.code.0.to_vec()),
                },
                RecordEntry::Challenged(c) => BoxEntryJson {
                    cast: None,
                    challenged: Some(Hex(c.challenged.to_bytes())),
                    code: Hex(c.code.0.to_vec()),
                },
            })
            .collect(),
        close: b.close.map(|c| CloseJson {
            chain_head: Hex(c.chain_head().0.to_vec()),
            cast: c.cast(),
            challenged: c.challenged(),
        }),
        decryption,
        tie_resolution: b.tie_resolution.map(|t| TieResolutionJson {
            eliminated: t.eliminated,
            how: match t.how {
                TieBreak::Lot => "lot",
                TieBreak::RunOff => "run_off",
            }
            .to_string(),
        }),
    };
    Ok(if yes_no {
        RoundJson::YesNo(json)
    } else {
        RoundJson::ChooseOne(json)
    })
}

fn round_from(json: RoundJson) -> Result<RoundRecord> {
    let (b, yes_no) = match json {
        RoundJson::Acclamation(a) => {
            return Ok(RoundRecord {
                round: a.round,
                withdrawn: a.withdrawn,
                body: RoundBody::Acclamation { elected: a.elected },
            });
        }
        RoundJson::ChooseOne(b) => (b, false),
        RoundJson::YesNo(b) => (b, true),
    };
    let kind = match (yes_no, b.candidate) {
        (false, None) => RoundKind::ChooseOne,
        (true, Some(candidate)) => RoundKind::YesNo {
            candidate: candidate as usize,
        },
        _ => {
            return Err(Error::InvalidValue {
                what: "round",
                reason: "a yes_no round names one candidate, a choose_one round none",
            });
        }
    };
    let decryption = match b.decryption {
        None => None,
        Some(d) => Some(DecryptionRecord {
            tally: decode_all(d.tally, Ciphertext::from_bytes)?,
            partials: decode_all(d.partials, PartialDecryption::from_bytes)?,
            combined: d.combined,
            totals: d.totals,
            result: ResultRecord {
                cast: d.result.cast,
                present_and_voting: d.result.present_and_voting,
                base: d.result.base,
                required: d.result.required,
                elected: d.result.elected,
                eliminated: d.result.eliminated,
            },
        }),
    };
    let entries = b
        .entries
        .into_iter()
        .map(|e| {
            let code = ConfirmationCode(array32("confirmation code", &e.code)?);
            match (e.cast, e.challenged) {
                (Some(ballot), None) => Ok(RecordEntry::Cast(CastBallot {
                    ballot: EncryptedBallot::from_bytes(&ballot.0)?,
                    code,
                })),
                (None, Some(challenged)) => Ok(RecordEntry::Challenged(ChallengedEntry {
                    challenged: ChallengedBallot::from_bytes(&challenged.0)?,
                    code,
                })),
                _ => Err(Error::InvalidValue {
                    what: "box entry",
                    reason: "exactly one of cast and challenged",
                }),
            }
        })
        .collect::<Result<Vec<_>>>()?;
    let close = match b.close {
        None => None,
        Some(c) => Some(BoxClose::new(
            b.round,
            ConfirmationCode(array32("chain head", &c.chain_head)?),
            c.cast,
            c.challenged,
        )),
    };
    let tie_resolution = match b.tie_resolution {
        None => None,
        Some(t) => Some(TieResolution {
            eliminated: t.eliminated,
            how: match t.how.as_str() {
                "lot" => TieBreak::Lot,
                "run_off" => TieBreak::RunOff,
                _ => {
                    return Err(Error::InvalidValue {
                        what: "tie resolution",
                        reason: "how is lot or run_off",
                    });
                }
            },
        }),
    };
    Ok(RoundRecord {
        round: b.round,
        withdrawn: b.withdrawn,
        body: RoundBody::Ballot(Box::new(BallotRound {
            kind,
            candidates: b.candidates,
            entries,
            close,
            decryption,
            tie_resolution,
        })),
    })
}

impl RecordJson {
    fn from_record(r: &ElectionRecord) -> Result<Self> {
        Ok(RecordJson {
            version: r.version,
            suite: r.suite.clone(),
            manifest: ManifestJson::from_manifest(&r.manifest),
            run: Hex(r.run.to_vec()),
            ceremony: CeremonyJson::from_board(&r.ceremony),
            public_keys: Hex(r.public_keys.to_bytes()),
            fingerprint: Hex(r.fingerprint.to_vec()),
            rounds: r.rounds.iter().map(round_json).collect::<Result<_>>()?,
        })
    }

    fn into_record(self) -> Result<ElectionRecord> {
        Ok(ElectionRecord {
            version: self.version,
            suite: self.suite,
            manifest: self.manifest.into_manifest()?,
            run: array32("ceremony run", &self.run)?,
            ceremony: self.ceremony.into_board()?,
            public_keys: PublicKeyPackage::from_bytes(&self.public_keys.0)?,
            fingerprint: array32("fingerprint", &self.fingerprint)?,
            rounds: self
                .rounds
                .into_iter()
                .map(round_from)
                .collect::<Result<_>>()?,
        })
    }
}

impl Serialize for ElectionRecord {
    fn serialize<S: Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        use serde::ser::Error as _;
        RecordJson::from_record(self)
            .map_err(S::Error::custom)?
            .serialize(s)
    }
}

impl<'de> Deserialize<'de> for ElectionRecord {
    fn deserialize<D: Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
        RecordJson::deserialize(d)?
            .into_record()
            .map_err(D::Error::custom)
    }
}
