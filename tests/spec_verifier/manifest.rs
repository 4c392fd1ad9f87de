//! The manifest: its JSON form (SPEC §10.2), its binary encoding (§10.1) with every check a
//! decoder re-runs, the rule schedule it carries (§10.5), and the authorities whose keys sign
//! the board's entries (§10.2, §14.3).
//!
//! §10.1's layout does not show the authorities, which §10.2 calls "the authorities flag and
//! keys" (a finding of this verifier). They are read here as the flag (0 or 1) after the
//! privacy floor, then the administrator's key, LE32(n) and n trustee keys, the layout that the
//! library's manifest module documents (the one thing of this verifier not taken from the
//! SPEC).

use super::codec::{Pt, Reader, Res, Writer, header, kind};
use super::json::{self, J};

/// A majority rule or a quorum's fraction (§10.1): `at_least` or `more_than` p/q.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fraction {
    pub more_than: bool,
    pub p: u64,
    pub q: u64,
}

impl Fraction {
    /// §10.1: 0 < p ≤ q, and no `more_than 1/1` (read as: no `more_than` with p = q, which
    /// nobody could meet).
    fn check(&self) -> Res<()> {
        if self.p == 0 || self.p > self.q {
            return Err(format!("fraction {}/{} outside 0 < p <= q", self.p, self.q));
        }
        if self.more_than && self.p == self.q {
            return Err("more_than 1/1".into());
        }
        Ok(())
    }

    /// The number required of a base count v (§10.5): none for v = 0, ⌈p·v/q⌉ for `at_least`,
    /// ⌊p·v/q⌋ + 1 for `more_than`, in exact 128-bit arithmetic.
    pub fn required(&self, v: u64) -> Option<u64> {
        if v == 0 {
            return None;
        }
        let (p, q, v) = (self.p as u128, self.q as u128, v as u128);
        let r = if self.more_than {
            p * v / q + 1
        } else {
            (p * v).div_ceil(q)
        };
        Some(r as u64)
    }

    /// Whether a count meets the rule over the base v (§10.5): q·count ≥ p·v (`at_least`) or
    /// q·count > p·v (`more_than`).
    pub fn met(&self, count: u64, v: u64) -> bool {
        let (lhs, rhs) = (self.q as u128 * count as u128, self.p as u128 * v as u128);
        if self.more_than {
            lhs > rhs
        } else {
            lhs >= rhs
        }
    }
}

/// One entry of the schedule (§10.1): from round `from`, the rule `fraction` of `eligible`
/// (true) or of those present and voting (false).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub from: u32,
    pub fraction: Fraction,
    pub of_eligible: bool,
}

/// The manifest's values (§10.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    pub title: String,
    pub members: u64,
    pub eligible: u64,
    pub candidates: Vec<String>,
    pub rules: Vec<Rule>,
    pub eliminate_after: Vec<u32>,
    pub caller_resolves: bool,
    pub quorum: Option<(Fraction, u64)>,
    pub t: u32,
    pub n: u32,
    pub privacy_floor: u64,
    /// §10.1, §16: an election with a roll, and whether a second ballot of a credential
    /// replaces its first (`true`) or is refused (`false`).
    pub roll: Option<bool>,
    pub authorities: Option<Authorities>,
}

/// The keys that sign the board's entries (§10.2, §14.3): the administrator's, and one per
/// trustee, trustee 1 first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorities {
    pub administrator: Pt,
    pub trustees: Vec<Pt>,
    /// §10.1: the credential authority's key, exactly in an election with a roll.
    pub credential_authority: Option<Pt>,
}

impl Authorities {
    /// The key of an author (§14.1 role and index), if the manifest names one.
    pub fn key(&self, role: u8, index: u32) -> Option<&Pt> {
        match role {
            0 => Some(&self.administrator),
            1 => self.trustees.get((index as usize).checked_sub(1)?),
            3 => self.credential_authority.as_ref(),
            _ => None,
        }
    }
}

impl Manifest {
    /// The rule of round r (§10.5): the schedule entry with the largest from_round ≤ r.
    pub fn rule(&self, r: u32) -> Option<&Rule> {
        self.rules.iter().rev().find(|rule| rule.from <= r)
    }

    /// Every check of §10.1.
    pub fn check(&self) -> Res<()> {
        if self.title.len() > 1024 {
            return Err("title above 1024 bytes".into());
        }
        if !(1 <= self.eligible && self.eligible <= self.members) {
            return Err("not 1 <= eligible <= members".into());
        }
        if !(1..=1024).contains(&self.candidates.len()) {
            return Err(format!("{} candidates", self.candidates.len()));
        }
        for (i, name) in self.candidates.iter().enumerate() {
            if !(1..=1024).contains(&name.len()) {
                return Err(format!("candidate {i}: a name of {} bytes", name.len()));
            }
            if self.candidates[..i].contains(name) {
                return Err(format!("candidate {i}: a repeated name"));
            }
        }
        if self.rules.first().map(|r| r.from) != Some(1) {
            return Err("the schedule does not start at round 1".into());
        }
        for pair in self.rules.windows(2) {
            if pair[0].from >= pair[1].from {
                return Err("from_rounds not strictly increasing".into());
            }
        }
        for rule in &self.rules {
            rule.fraction.check()?;
        }
        if self.eliminate_after.first() == Some(&0) {
            return Err("an elimination after round 0".into());
        }
        for pair in self.eliminate_after.windows(2) {
            if pair[0] >= pair[1] {
                return Err("elimination rounds not strictly increasing".into());
            }
        }
        if let Some((fraction, members)) = &self.quorum {
            fraction.check()?;
            if *members != self.members {
                return Err("the quorum does not count the manifest's members".into());
            }
        }
        if !(1 <= self.t && self.t <= self.n && self.n <= 255) {
            return Err(format!(
                "not 1 <= t <= n <= 255 (t = {}, n = {})",
                self.t, self.n
            ));
        }
        if !(1 <= self.privacy_floor && self.privacy_floor <= self.eligible) {
            return Err("not 1 <= privacy floor <= eligible".into());
        }
        if let Some(a) = &self.authorities {
            if a.trustees.len() != self.n as usize {
                return Err(format!(
                    "{} trustee keys for n = {}",
                    a.trustees.len(),
                    self.n
                ));
            }
            let mut keys: Vec<&Pt> = a.trustees.iter().collect();
            keys.push(&a.administrator);
            keys.extend(&a.credential_authority);
            for (i, k) in keys.iter().enumerate() {
                if keys[..i].contains(k) {
                    return Err("two of the authorities' keys are equal".into());
                }
            }
            if a.credential_authority.is_some() != self.roll.is_some() {
                return Err("a credential authority exactly when the roll flag is 1".into());
            }
        }
        Ok(())
    }

    /// The canonical encoding (§10.1).
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.bytes(&header(kind::MANIFEST));
        w.blob(self.title.as_bytes());
        w.u64(self.members).u64(self.eligible);
        w.u32(self.candidates.len() as u32);
        for name in &self.candidates {
            w.blob(name.as_bytes());
        }
        w.u32(self.rules.len() as u32);
        for rule in &self.rules {
            w.u32(rule.from).u8(rule.fraction.more_than as u8);
            w.u64(rule.fraction.p).u64(rule.fraction.q);
            w.u8(rule.of_eligible as u8);
        }
        w.u32(self.eliminate_after.len() as u32);
        for &r in &self.eliminate_after {
            w.u32(r);
        }
        w.u8(self.caller_resolves as u8);
        match &self.quorum {
            None => {
                w.u8(0);
            }
            Some((f, members)) => {
                w.u8(1)
                    .u8(f.more_than as u8)
                    .u64(f.p)
                    .u64(f.q)
                    .u64(*members);
            }
        }
        w.u32(self.t).u32(self.n).u64(self.privacy_floor);
        match self.roll {
            None => w.u8(0),
            Some(replaces) => w.u8(1).u8(replaces as u8),
        };
        match &self.authorities {
            None => {
                w.u8(0);
            }
            Some(a) => {
                w.u8(1).bytes(&a.administrator.bytes);
                w.u32(a.trustees.len() as u32);
                for key in &a.trustees {
                    w.bytes(&key.bytes);
                }
                match &a.credential_authority {
                    None => w.u8(0),
                    Some(key) => w.u8(1).bytes(&key.bytes),
                };
            }
        }
        w.0
    }

    /// Decodes §10.1 and re-runs every check.
    pub fn decode(bytes: &[u8]) -> Res<Manifest> {
        let mut rd = Reader::new(bytes);
        rd.header(kind::MANIFEST)?;
        let utf8 = |b: &[u8]| String::from_utf8(b.to_vec()).map_err(|_| "not UTF-8".to_string());
        let title = utf8(rd.blob()?)?;
        let (members, eligible) = (rd.u64()?, rd.u64()?);
        let c = rd.count(4)?;
        let candidates = (0..c).map(|_| utf8(rd.blob()?)).collect::<Res<_>>()?;
        let e = rd.count(22)?;
        let mut rules = Vec::with_capacity(e);
        for _ in 0..e {
            let from = rd.u32()?;
            let more_than = rd.flag()?;
            let (p, q) = (rd.u64()?, rd.u64()?);
            let of_eligible = rd.flag()?;
            let fraction = Fraction { more_than, p, q };
            rules.push(Rule {
                from,
                fraction,
                of_eligible,
            });
        }
        let z = rd.count(4)?;
        let eliminate_after = (0..z).map(|_| rd.u32()).collect::<Res<_>>()?;
        let caller_resolves = rd.flag()?;
        let quorum = if rd.flag()? {
            let more_than = rd.flag()?;
            let (p, q, members) = (rd.u64()?, rd.u64()?, rd.u64()?);
            Some((Fraction { more_than, p, q }, members))
        } else {
            None
        };
        let (t, n, privacy_floor) = (rd.u32()?, rd.u32()?, rd.u64()?);
        let roll = if rd.flag()? {
            Some(match rd.u8()? {
                0 => false,
                1 => true,
                b => return Err(format!("second ballot {b}")),
            })
        } else {
            None
        };
        let authorities = if rd.flag()? {
            let administrator = rd.point("the administrator's key")?;
            let count = rd.count(32)?;
            let trustees = (0..count)
                .map(|_| rd.point("a trustee's key"))
                .collect::<Res<_>>()?;
            let credential_authority = if rd.flag()? {
                Some(rd.point("the credential authority's key")?)
            } else {
                None
            };
            Some(Authorities {
                administrator,
                trustees,
                credential_authority,
            })
        } else {
            None
        };
        rd.finish()?;
        let m = Manifest {
            title,
            members,
            eligible,
            candidates,
            rules,
            eliminate_after,
            caller_resolves,
            quorum,
            t,
            n,
            privacy_floor,
            roll,
            authorities,
        };
        m.check()?;
        if m.encode() != bytes {
            return Err("the manifest does not re-encode to its bytes".into());
        }
        Ok(m)
    }

    /// The JSON form (§10.2). Validity is that of the binary form (checked by [`Self::decode`]).
    pub fn from_json(v: &J) -> Res<Manifest> {
        let w = "manifest";
        let [
            title,
            members,
            eligible,
            candidates,
            rules,
            elim,
            tie,
            quorum,
            t,
            n,
            floor,
            roll,
            authorities,
        ] = json::fields(
            v,
            [
                "title",
                "members",
                "eligible",
                "candidates",
                "rules",
                "eliminate_lowest_after",
                "tie_for_lowest",
                "quorum",
                "threshold",
                "trustees",
                "privacy_floor",
                "roll",
                "authorities",
            ],
            w,
        )?;
        let candidates = json::array(candidates, "candidates")?
            .iter()
            .map(|c| json::string(c, "candidate").map(str::to_owned))
            .collect::<Res<_>>()?;
        let rules = json::array(rules, "rules")?
            .iter()
            .map(|r| {
                let comparison = comparison(r, "rule")?;
                let [from, _, of] = json::fields(r, ["from_round", comparison.0, "of"], "rule")?;
                let of_eligible = match json::string(of, "of")? {
                    "present_and_voting" => false,
                    "eligible" => true,
                    other => return Err(format!("rule: unknown base {other:?}")),
                };
                let from = json::u32_(from, "from_round")?;
                Ok(Rule {
                    from,
                    fraction: comparison.1,
                    of_eligible,
                })
            })
            .collect::<Res<_>>()?;
        let eliminate_after = json::array(elim, "eliminate_lowest_after")?
            .iter()
            .map(|r| json::u32_(r, "eliminate_lowest_after"))
            .collect::<Res<_>>()?;
        let caller_resolves = match json::string(tie, "tie_for_lowest")? {
            "no_elimination" => false,
            "caller_resolves" => true,
            other => return Err(format!("tie_for_lowest: unknown {other:?}")),
        };
        let quorum = match json::nullable(quorum) {
            None => None,
            Some(q) => {
                let (name, fraction) = comparison(q, "quorum")?;
                let [_, members] = json::fields(q, [name, "members"], "quorum")?;
                Some((fraction, json::int(members, "quorum.members")?))
            }
        };
        Ok(Manifest {
            title: json::string(title, "title")?.to_owned(),
            members: json::int(members, "members")?,
            eligible: json::int(eligible, "eligible")?,
            candidates,
            rules,
            eliminate_after,
            caller_resolves,
            quorum,
            t: json::u32_(t, "threshold")?,
            n: json::u32_(n, "trustees")?,
            privacy_floor: json::int(floor, "privacy_floor")?,
            roll: json::nullable(roll).map(roll_from_json).transpose()?,
            authorities: json::nullable(authorities)
                .map(authorities_from_json)
                .transpose()?,
        })
    }
}

/// `authorities` (§10.2): `administrator` (hex of a point) and `trustees` (n hex points).
fn roll_from_json(v: &J) -> Res<bool> {
    let [second] = json::fields(v, ["second_ballot"], "roll")?;
    match json::string(second, "second_ballot")? {
        "refused" => Ok(false),
        "replaces" => Ok(true),
        other => Err(format!("second_ballot {other:?}")),
    }
}

/// `authorities` (§10.2): `administrator` (hex of a point), `trustees` (n hex points) and
/// `credential_authority` (`null` or a hex point).
fn authorities_from_json(v: &J) -> Res<Authorities> {
    let [administrator, trustees, credential_authority] = json::fields(
        v,
        ["administrator", "trustees", "credential_authority"],
        "authorities",
    )?;
    let point = |v: &J, what: &str| -> Res<Pt> {
        let bytes = json::hex32(v, what)?;
        let mut rd = Reader::new(&bytes);
        rd.point(what)
    };
    Ok(Authorities {
        administrator: point(administrator, "the administrator's key")?,
        trustees: json::array(trustees, "trustees")?
            .iter()
            .map(|k| point(k, "a trustee's key"))
            .collect::<Res<_>>()?,
        credential_authority: json::nullable(credential_authority)
            .map(|k| point(k, "the credential authority's key"))
            .transpose()?,
    })
}

/// Exactly one of `at_least` / `more_than` (§10.2) in a rule or quorum object.
fn comparison(v: &J, what: &str) -> Res<(&'static str, Fraction)> {
    let at_least = json::get(v, "at_least");
    let more_than = json::get(v, "more_than");
    let (name, pair, more) = match (at_least, more_than) {
        (Some(p), None) => ("at_least", p, false),
        (None, Some(p)) => ("more_than", p, true),
        _ => return Err(format!("{what}: not exactly one of at_least / more_than")),
    };
    let (p, q) = json::fraction(pair, name)?;
    Ok((
        name,
        Fraction {
            more_than: more,
            p,
            q,
        },
    ))
}
