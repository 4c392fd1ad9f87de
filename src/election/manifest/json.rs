//! The manifest's JSON form (feature `serde`; docs/SPEC.md §10.2).
//!
//! Spelled out field by field so that a person can write and read it; every field is
//! required, unknown fields and duplicate keys are refused, keys are lowercase hex, and the
//! decoded manifest goes through every check of the binary decoder (a JSON manifest is valid
//! iff its binary form is).

use std::collections::BTreeSet;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Authorities, Manifest};
use crate::credential::SecondBallot;
use crate::elgamal::PublicKey;
use crate::encoding::{from_hex, to_hex};
use crate::error::{Error, Result};
use crate::rules::{
    Base, Comparison, ElectionRules, Fraction, MajorityRule, Quorum, RuleSchedule, TieForLowest,
};

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
    #[serde(deserialize_with = "nullable")]
    quorum: Option<QuorumJson>,
    threshold: u32,
    trustees: u32,
    privacy_floor: u64,
    /// `null` without a roll; `{"second_ballot": "refused" | "replaces"}` with one.
    #[serde(deserialize_with = "nullable")]
    roll: Option<RollJson>,
    #[serde(deserialize_with = "nullable")]
    authorities: Option<AuthoritiesJson>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RollJson {
    second_ballot: String,
}

/// A field that is required but may be `null` (serde would otherwise read a missing `Option`
/// field as `None`: one manifest would then have two spellings).
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> core::result::Result<Option<T>, D::Error> {
    Option::<T>::deserialize(d)
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AuthoritiesJson {
    administrator: Hex,
    trustees: Vec<Hex>,
    #[serde(deserialize_with = "nullable")]
    credential_authority: Option<Hex>,
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
            roll: m.roll().map(|rule| RollJson {
                second_ballot: rule.name().to_string(),
            }),
            authorities: m.authorities().map(|a| AuthoritiesJson {
                administrator: Hex(a.administrator().to_bytes().to_vec()),
                trustees: a
                    .trustees()
                    .iter()
                    .map(|k| Hex(k.to_bytes().to_vec()))
                    .collect(),
                credential_authority: a.credential_authority().map(|k| Hex(k.to_bytes().to_vec())),
            }),
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
        let mut manifest = Manifest::new(
            self.title,
            self.members,
            self.eligible,
            self.candidates,
            rules,
            self.threshold,
            self.trustees,
        )?
        .with_privacy_floor(self.privacy_floor)?;
        if let Some(roll) = self.roll {
            let rule = match roll.second_ballot.as_str() {
                "refused" => SecondBallot::Refused,
                "replaces" => SecondBallot::Replaces,
                _ => {
                    return Err(Error::InvalidValue {
                        what: "second_ballot",
                        reason: "refused or replaces",
                    });
                }
            };
            manifest = manifest.with_roll(rule)?;
        }
        match self.authorities {
            None => Ok(manifest),
            Some(a) => {
                let administrator = PublicKey::from_bytes(&a.administrator.0)?;
                let trustees = a
                    .trustees
                    .iter()
                    .map(|k| PublicKey::from_bytes(&k.0))
                    .collect::<Result<Vec<_>>>()?;
                let mut authorities = Authorities::new(administrator, trustees)?;
                if let Some(k) = a.credential_authority {
                    authorities =
                        authorities.with_credential_authority(PublicKey::from_bytes(&k.0)?)?;
                }
                manifest.with_authorities(authorities)
            }
        }
    }
}

impl Serialize for Manifest {
    fn serialize<S: Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        ManifestJson::from_manifest(self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Manifest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
        ManifestJson::deserialize(d)?
            .into_manifest()
            .map_err(D::Error::custom)
    }
}
