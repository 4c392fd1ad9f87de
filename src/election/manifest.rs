//! The manifest: what is being decided, by whom, under which rules.
//!
//! # Encoding (hashed into every fingerprint)
//!
//! ```text
//! LE32(len) ‖ title (UTF-8)
//! LE64(members) ‖ LE64(eligible)
//! LE32(c) ‖ c × (LE32(len) ‖ name (UTF-8))
//! LE32(e) ‖ e × (LE32(from_round) ‖ comparison (1: 0 at_least, 1 more_than)
//!                ‖ LE64(p) ‖ LE64(q) ‖ base (1: 0 present_and_voting, 1 eligible))
//! LE32(m) ‖ m × LE32(round after which the lowest is eliminated), increasing
//! tie_for_lowest (1: 0 no elimination, 1 caller resolves)
//! quorum flag (1) ‖ [comparison (1) ‖ LE64(p) ‖ LE64(q) ‖ LE64(members)]
//! LE32(threshold t) ‖ LE32(trustees n) ‖ LE64(privacy floor)
//! roll flag (1) ‖ [second ballot (1: 0 refused, 1 replaces)]
//! authorities flag (1) ‖ [administrator key (32) ‖ LE32(n) ‖ n × trustee key (32)
//!                        ‖ credential authority flag (1) ‖ [credential authority key (32)]]
//! ```
//!
//! An election *with a roll* (docs/SPEC.md §16) admits only ballots signed with a credential
//! on the roll its credential authority posts; the roll holds exactly `eligible`
//! credentials, and its authorities name the credential authority's key (and only then).
//!
//! A manifest is made with [`Manifest::builder`], whose named setters keep `members` and
//! `eligible`, `threshold` and `trustees` from being swapped. The *authorities* are the public
//! keys that sign the board's entries (docs/SPEC.md §14.1): the administrator's, and one per
//! trustee, registered before the election (a trustee's board key is not its per-run
//! communication key of the ceremony). A manifest without them can hold an election in memory
//! but not on a board.

#[cfg(feature = "serde")]
mod json;

use crate::ballot::MAX_OPTIONS;
use crate::board::hash_parts;
use crate::credential::SecondBallot;
use crate::domain::{ObjectKind, PROTOCOL_ID, label};
use crate::elgamal::PublicKey;
use crate::encoding::{read_header, write_header};
use crate::error::{Error, Result};
use crate::group::{Reader, write_count};
use crate::threshold::{ThresholdParams, TrusteeIndex};
use std::collections::BTreeSet;

use crate::rules::{
    Base, Comparison, ElectionRules, Fraction, MajorityRule, Quorum, RuleSchedule, TieForLowest,
};
use crate::transcript::ElectionContext;

/// The smallest ballot box whose totals trustees decrypt by default, for a body of at least
/// this many eligible members; a smaller body gets a floor of its number of eligible members
/// ([`Manifest::new`]), so that it can still hold its election. A box of one ballot would
/// reveal that ballot; the floor is a floor, not a guarantee (see SECURITY.md).
pub const DEFAULT_PRIVACY_FLOOR: u64 = 5;

/// The longest title or candidate name, in bytes.
const MAX_NAME_LEN: usize = 1024;

/// The keys that sign a board's entries: the administrator's, one per trustee, and in an
/// election with a roll the credential authority's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorities {
    administrator: PublicKey,
    trustees: Vec<PublicKey>,
    credential_authority: Option<PublicKey>,
}

impl Authorities {
    /// The administrator's key and the trustees' keys, trustee 1 first. The keys must be
    /// distinct.
    pub fn new(administrator: PublicKey, trustees: Vec<PublicKey>) -> Result<Self> {
        let authorities = Authorities {
            administrator,
            trustees,
            credential_authority: None,
        };
        authorities.distinct()?;
        Ok(authorities)
    }

    /// The same authorities with the credential authority's key (an election with a roll).
    /// The keys must be distinct.
    pub fn with_credential_authority(mut self, key: PublicKey) -> Result<Self> {
        self.credential_authority = Some(key);
        self.distinct()?;
        Ok(self)
    }

    fn distinct(&self) -> Result<()> {
        let all: Vec<[u8; 32]> = core::iter::once(&self.administrator)
            .chain(&self.trustees)
            .chain(&self.credential_authority)
            .map(PublicKey::to_bytes)
            .collect();
        for (i, a) in all.iter().enumerate() {
            if all.iter().skip(i + 1).any(|b| a == b) {
                return Err(invalid("two authorities have the same key"));
            }
        }
        Ok(())
    }

    /// The key that signs `author`'s entries: the administrator's, trustee i's, or the
    /// credential authority's; none for a voter, a trustee the manifest does not have, or a
    /// credential authority it does not name.
    pub fn key_of(&self, author: crate::board::Author) -> Option<&PublicKey> {
        match author.role() {
            crate::board::Role::Administrator => Some(self.administrator()),
            crate::board::Role::Trustee => author.trustee_index().and_then(|i| self.trustee(i)),
            crate::board::Role::CredentialAuthority => self.credential_authority(),
            crate::board::Role::Voter => None,
        }
    }

    /// The credential authority's key, in an election with a roll.
    pub fn credential_authority(&self) -> Option<&PublicKey> {
        self.credential_authority.as_ref()
    }

    /// The administrator's key.
    pub fn administrator(&self) -> &PublicKey {
        &self.administrator
    }

    /// Trustee `i`'s key.
    pub fn trustee(&self, i: TrusteeIndex) -> Option<&PublicKey> {
        self.trustees.get(i.get() as usize - 1)
    }

    /// Every trustee's key, trustee 1 first.
    pub fn trustees(&self) -> &[PublicKey] {
        &self.trustees
    }
}

/// The public description of an election.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    title: String,
    members: u64,
    eligible: u64,
    candidates: Vec<String>,
    rules: ElectionRules,
    trustees: ThresholdParams,
    privacy_floor: u64,
    /// In an election with a roll: what a second ballot of one credential in a round means.
    roll: Option<SecondBallot>,
    authorities: Option<Authorities>,
}

/// Builds a [`Manifest`] by named fields ([`Manifest::builder`]).
#[derive(Clone, Debug)]
#[must_use]
pub struct ManifestBuilder {
    title: String,
    members: Option<u64>,
    eligible: Option<u64>,
    candidates: Vec<String>,
    rules: Option<ElectionRules>,
    threshold: Option<u32>,
    trustees: Option<u32>,
    privacy_floor: Option<u64>,
    roll: Option<SecondBallot>,
    authorities: Option<Authorities>,
}

impl ManifestBuilder {
    /// The number of members of the body.
    pub fn members(mut self, members: u64) -> Self {
        self.members = Some(members);
        self
    }

    /// The number of members eligible to vote.
    pub fn eligible(mut self, eligible: u64) -> Self {
        self.eligible = Some(eligible);
        self
    }

    /// The candidates, in manifest order.
    pub fn candidates<S: Into<String>>(mut self, candidates: impl IntoIterator<Item = S>) -> Self {
        self.candidates = candidates.into_iter().map(Into::into).collect();
        self
    }

    /// The rules.
    pub fn rules(mut self, rules: ElectionRules) -> Self {
        self.rules = Some(rules);
        self
    }

    /// t: how many trustees decrypt.
    pub fn threshold(mut self, threshold: u32) -> Self {
        self.threshold = Some(threshold);
        self
    }

    /// n: how many trustees there are.
    pub fn trustees(mut self, trustees: u32) -> Self {
        self.trustees = Some(trustees);
        self
    }

    /// The privacy floor (default: min(5, eligible)).
    pub fn privacy_floor(mut self, floor: u64) -> Self {
        self.privacy_floor = Some(floor);
        self
    }

    /// An election with a roll of voter credentials (docs/SPEC.md §16), where a second
    /// ballot of one credential in a round is refused or replaces the first.
    pub fn roll(mut self, second_ballot: SecondBallot) -> Self {
        self.roll = Some(second_ballot);
        self
    }

    /// The keys that sign the board's entries.
    pub fn authorities(mut self, authorities: Authorities) -> Self {
        self.authorities = Some(authorities);
        self
    }

    /// The manifest, with every check of [`Manifest::new`].
    ///
    /// Errors: [`Error::InvalidValue`] naming a field that is not set, and every error of
    /// [`Manifest::new`], [`Manifest::with_privacy_floor`] and
    /// [`Manifest::with_authorities`].
    pub fn build(self) -> Result<Manifest> {
        let missing = |reason| Err(invalid(reason));
        let Some(members) = self.members else {
            return missing("members is not set");
        };
        let Some(eligible) = self.eligible else {
            return missing("eligible is not set");
        };
        let Some(rules) = self.rules else {
            return missing("rules is not set");
        };
        let Some(threshold) = self.threshold else {
            return missing("threshold is not set");
        };
        let Some(trustees) = self.trustees else {
            return missing("trustees is not set");
        };
        let mut manifest = Manifest::new(
            self.title,
            members,
            eligible,
            self.candidates,
            rules,
            threshold,
            trustees,
        )?;
        if let Some(floor) = self.privacy_floor {
            manifest = manifest.with_privacy_floor(floor)?;
        }
        if let Some(second_ballot) = self.roll {
            manifest = manifest.with_roll(second_ballot)?;
        }
        if let Some(authorities) = self.authorities {
            manifest = manifest.with_authorities(authorities)?;
        }
        Ok(manifest)
    }
}

fn invalid(reason: &'static str) -> Error {
    Error::InvalidValue {
        what: "manifest",
        reason,
    }
}

impl Manifest {
    /// A manifest with this title, to be completed by named fields.
    pub fn builder(title: impl Into<String>) -> ManifestBuilder {
        ManifestBuilder {
            title: title.into(),
            members: None,
            eligible: None,
            candidates: Vec::new(),
            rules: None,
            threshold: None,
            trustees: None,
            privacy_floor: None,
            roll: None,
            authorities: None,
        }
    }

    /// A manifest from positional arguments (prefer [`Manifest::builder`]). Checks:
    /// `1 ≤ eligible ≤ members`; 1 to 1024 distinct, non-empty candidate
    /// names; `1 ≤ threshold ≤ trustees`; names and title at most 1024 bytes. The privacy
    /// floor is `min(DEFAULT_PRIVACY_FLOOR, eligible)` until [`Manifest::with_privacy_floor`]
    /// sets it.
    pub fn new(
        title: impl Into<String>,
        members: u64,
        eligible: u64,
        candidates: Vec<String>,
        rules: ElectionRules,
        threshold: u32,
        trustees: u32,
    ) -> Result<Self> {
        let title = title.into();
        if title.len() > MAX_NAME_LEN || candidates.iter().any(|c| c.len() > MAX_NAME_LEN) {
            return Err(invalid("a title or name is longer than 1024 bytes"));
        }
        if eligible > members {
            return Err(invalid("more eligible members than members"));
        }
        if eligible == 0 {
            return Err(invalid("no member is eligible to vote"));
        }
        if candidates.is_empty() || candidates.len() > MAX_OPTIONS {
            return Err(invalid("between 1 and 1024 candidates are needed"));
        }
        if candidates.iter().any(String::is_empty) {
            return Err(invalid("a candidate name is empty"));
        }
        for (i, a) in candidates.iter().enumerate() {
            if candidates.iter().skip(i + 1).any(|b| a == b) {
                return Err(invalid("two candidates have the same name"));
            }
        }
        let trustees = ThresholdParams::new(threshold, trustees)?;
        if let Some(q) = rules.quorum() {
            if q.members() != members {
                return Err(invalid("the quorum counts another number of members"));
            }
        }
        Ok(Manifest {
            title,
            members,
            eligible,
            candidates,
            rules,
            trustees,
            privacy_floor: DEFAULT_PRIVACY_FLOOR.min(eligible),
            roll: None,
            authorities: None,
        })
    }

    /// Sets the privacy floor: the fewest ballots a box must hold for its totals to be
    /// decrypted. At least 1, and at most the number of eligible members (a higher floor
    /// could never be reached).
    pub fn with_privacy_floor(mut self, floor: u64) -> Result<Self> {
        if floor == 0 {
            return Err(invalid("the privacy floor must be at least 1"));
        }
        if floor > self.eligible {
            return Err(invalid(
                "the privacy floor exceeds the number of eligible members",
            ));
        }
        self.privacy_floor = floor;
        Ok(self)
    }

    /// Makes this an election with a roll: only ballots signed with a credential on the
    /// roll count, and a second ballot of one credential in a round is refused or replaces
    /// the first. Set it before the authorities, which must then name the credential
    /// authority.
    pub fn with_roll(mut self, second_ballot: SecondBallot) -> Result<Self> {
        if self.authorities.is_some() {
            return Err(invalid("the roll is set before the authorities"));
        }
        self.roll = Some(second_ballot);
        Ok(self)
    }

    /// Sets the keys that sign the board's entries: one trustee key per trustee, and a
    /// credential authority's key exactly when the election has a roll.
    pub fn with_authorities(mut self, authorities: Authorities) -> Result<Self> {
        if authorities.trustees.len() != self.trustees.trustees() as usize {
            return Err(invalid(
                "the authorities hold another number of trustee keys",
            ));
        }
        match (self.roll, &authorities.credential_authority) {
            (Some(_), None) => {
                return Err(invalid(
                    "an election with a roll names its credential authority",
                ));
            }
            (None, Some(_)) => {
                return Err(invalid(
                    "an election without a roll has no credential authority",
                ));
            }
            _ => {}
        }
        self.authorities = Some(authorities);
        Ok(self)
    }

    /// In an election with a roll, what a second ballot of one credential in a round means;
    /// `None` for an election without a roll.
    pub fn roll(&self) -> Option<SecondBallot> {
        self.roll
    }

    /// The keys that sign the board's entries, if set.
    pub fn authorities(&self) -> Option<&Authorities> {
        self.authorities.as_ref()
    }

    /// The title.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The number of members of the body.
    pub fn members(&self) -> u64 {
        self.members
    }

    /// The number of members eligible to vote.
    pub fn eligible(&self) -> u64 {
        self.eligible
    }

    /// The candidates, by index.
    pub fn candidates(&self) -> &[String] {
        &self.candidates
    }

    /// The rules.
    pub fn rules(&self) -> &ElectionRules {
        &self.rules
    }

    /// t: how many trustees are needed to decrypt.
    pub fn threshold(&self) -> u32 {
        self.trustees.threshold()
    }

    /// t-of-n as validated parameters.
    pub fn threshold_params(&self) -> ThresholdParams {
        self.trustees
    }

    /// n: how many trustees there are.
    pub fn trustees(&self) -> u32 {
        self.trustees.trustees()
    }

    /// The fewest ballots whose totals trustees decrypt.
    pub fn privacy_floor(&self) -> u64 {
        self.privacy_floor
    }

    /// The canonical encoding (module documentation).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        write_header(&mut out, ObjectKind::Manifest);
        write_str(&mut out, &self.title)?;
        out.extend_from_slice(&self.members.to_le_bytes());
        out.extend_from_slice(&self.eligible.to_le_bytes());
        write_count(&mut out, "candidates", self.candidates.len())?;
        for name in &self.candidates {
            write_str(&mut out, name)?;
        }
        let entries: Vec<_> = self.rules.schedule().entries().collect();
        write_count(&mut out, "rule schedule", entries.len())?;
        for (from_round, rule) in entries {
            out.extend_from_slice(&from_round.to_le_bytes());
            out.push(comparison_byte(rule.comparison()));
            out.extend_from_slice(&rule.fraction().numerator().to_le_bytes());
            out.extend_from_slice(&rule.fraction().denominator().to_le_bytes());
            out.push(match rule.base() {
                Base::PresentAndVoting => 0,
                Base::Eligible => 1,
            });
        }
        let eliminate = self.rules.eliminate_lowest_after();
        write_count(&mut out, "eliminations", eliminate.len())?;
        for round in eliminate {
            out.extend_from_slice(&round.to_le_bytes());
        }
        out.push(match self.rules.tie_for_lowest() {
            TieForLowest::NoElimination => 0,
            TieForLowest::CallerResolves => 1,
        });
        match self.rules.quorum() {
            None => out.push(0),
            Some(q) => {
                out.push(1);
                out.push(comparison_byte(q.comparison()));
                out.extend_from_slice(&q.fraction().numerator().to_le_bytes());
                out.extend_from_slice(&q.fraction().denominator().to_le_bytes());
                out.extend_from_slice(&q.members().to_le_bytes());
            }
        }
        out.extend_from_slice(&self.threshold().to_le_bytes());
        out.extend_from_slice(&self.trustees().to_le_bytes());
        out.extend_from_slice(&self.privacy_floor.to_le_bytes());
        match self.roll {
            None => out.push(0),
            Some(rule) => {
                out.push(1);
                out.push(rule.tag());
            }
        }
        match &self.authorities {
            None => out.push(0),
            Some(a) => {
                out.push(1);
                out.extend_from_slice(&a.administrator.to_bytes());
                write_count(&mut out, "trustee keys", a.trustees.len())?;
                for k in &a.trustees {
                    out.extend_from_slice(&k.to_bytes());
                }
                match &a.credential_authority {
                    None => out.push(0),
                    Some(k) => {
                        out.push(1);
                        out.extend_from_slice(&k.to_bytes());
                    }
                }
            }
        }
        Ok(out)
    }

    /// The context of the key ceremony: a fingerprint of the manifest alone,
    /// `SHA-512("tabella.fingerprint" ‖ "tabella/v6" ‖ "ceremony" ‖ manifest)[..32]`.
    pub fn ceremony_context(&self) -> Result<ElectionContext> {
        Ok(ElectionContext::new(fingerprint(
            b"ceremony",
            &[&self.to_bytes()?],
        )))
    }

    /// The election context once the key is known:
    /// `SHA-512("tabella.fingerprint" ‖ "tabella/v6" ‖ "election" ‖ manifest ‖ Y ‖ trustee
    /// public data)[..32]`, each part length-prefixed.
    pub fn election_context(
        &self,
        joint_key: &[u8; 32],
        trustees: &[u8],
    ) -> Result<ElectionContext> {
        Ok(ElectionContext::new(fingerprint(
            b"election",
            &[&self.to_bytes()?, joint_key, trustees],
        )))
    }
}

impl Manifest {
    /// Decodes a manifest, running every check of [`Manifest::new`]; the encoding must be
    /// canonical (it re-encodes to the same bytes).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Reader::decode_all("manifest", bytes, Self::read)
    }

    /// Reads a manifest from a longer encoding.
    pub fn read(reader: &mut Reader<'_>) -> Result<Self> {
        read_header(reader, ObjectKind::Manifest)?;
        let title = read_str(reader, "manifest title")?;
        let members = reader.u64("members")?;
        let eligible = reader.u64("eligible")?;
        let count = reader.count("candidates", 4)?;
        let mut candidates = Vec::with_capacity(count);
        for _ in 0..count {
            candidates.push(read_str(reader, "candidate name")?);
        }
        let count = reader.count("rule schedule", 22)?;
        let mut entries = Vec::with_capacity(count);
        for _ in 0..count {
            let from_round = reader.u32("rule from_round")?;
            let comparison = read_comparison(reader)?;
            let fraction = Fraction::new(reader.u64("rule p")?, reader.u64("rule q")?)?;
            let base = match reader.u8("rule base")? {
                0 => Base::PresentAndVoting,
                1 => Base::Eligible,
                _ => return Err(invalid_byte("rule base")),
            };
            entries.push((from_round, MajorityRule::new(comparison, fraction, base)?));
        }
        let schedule = RuleSchedule::new(entries)?;
        let count = reader.count("eliminations", 4)?;
        let mut eliminate = BTreeSet::new();
        let mut previous = 0;
        for _ in 0..count {
            let round = reader.u32("elimination round")?;
            if round <= previous {
                return Err(invalid("elimination rounds must increase"));
            }
            previous = round;
            eliminate.insert(round);
        }
        let tie = match reader.u8("tie for lowest")? {
            0 => TieForLowest::NoElimination,
            1 => TieForLowest::CallerResolves,
            _ => return Err(invalid_byte("tie for lowest")),
        };
        let quorum = match reader.u8("quorum flag")? {
            0 => None,
            1 => {
                let comparison = read_comparison(reader)?;
                let fraction = Fraction::new(reader.u64("quorum p")?, reader.u64("quorum q")?)?;
                Some(Quorum::new(
                    comparison,
                    fraction,
                    reader.u64("quorum members")?,
                )?)
            }
            _ => return Err(invalid_byte("quorum flag")),
        };
        let rules = ElectionRules::new(schedule, eliminate, tie, quorum)?;
        let threshold = reader.u32("threshold")?;
        let trustees = reader.u32("trustees")?;
        let floor = reader.u64("privacy floor")?;
        let mut manifest = Manifest::new(
            title, members, eligible, candidates, rules, threshold, trustees,
        )?
        .with_privacy_floor(floor)?;
        match reader.u8("roll flag")? {
            0 => {}
            1 => {
                let rule = SecondBallot::from_tag(reader.u8("second ballot")?)
                    .ok_or_else(|| invalid_byte("second ballot"))?;
                manifest = manifest.with_roll(rule)?;
            }
            _ => return Err(invalid_byte("roll flag")),
        }
        match reader.u8("authorities flag")? {
            0 => Ok(manifest),
            1 => {
                let administrator = PublicKey::from_bytes(reader.take("administrator key", 32)?)?;
                let count = reader.count("trustee keys", 32)?;
                let mut keys = Vec::with_capacity(count);
                for _ in 0..count {
                    keys.push(PublicKey::from_bytes(reader.take("trustee key", 32)?)?);
                }
                let mut authorities = Authorities::new(administrator, keys)?;
                match reader.u8("credential authority flag")? {
                    0 => {}
                    1 => {
                        let key =
                            PublicKey::from_bytes(reader.take("credential authority key", 32)?)?;
                        authorities = authorities.with_credential_authority(key)?;
                    }
                    _ => return Err(invalid_byte("credential authority flag")),
                }
                manifest.with_authorities(authorities)
            }
            _ => Err(invalid_byte("authorities flag")),
        }
    }
}

fn invalid_byte(what: &'static str) -> Error {
    Error::InvalidValue {
        what,
        reason: "unknown tag byte",
    }
}

fn read_comparison(reader: &mut Reader<'_>) -> Result<Comparison> {
    match reader.u8("comparison")? {
        0 => Ok(Comparison::AtLeast),
        1 => Ok(Comparison::MoreThan),
        _ => Err(invalid_byte("comparison")),
    }
}

fn read_str(reader: &mut Reader<'_>, what: &'static str) -> Result<String> {
    let len = reader.count(what, 1)?;
    if len > MAX_NAME_LEN {
        return Err(invalid("a title or name is longer than 1024 bytes"));
    }
    String::from_utf8(reader.take(what, len)?.to_vec()).map_err(|_| Error::InvalidValue {
        what,
        reason: "not UTF-8",
    })
}

fn comparison_byte(c: Comparison) -> u8 {
    match c {
        Comparison::AtLeast => 0,
        Comparison::MoreThan => 1,
    }
}

fn write_str(out: &mut Vec<u8>, s: &str) -> Result<()> {
    write_count(out, "string", s.len())?;
    out.extend_from_slice(s.as_bytes());
    Ok(())
}

/// `H(label ‖ protocol id ‖ kind ‖ parts…)`, each part length-prefixed.
fn fingerprint(kind: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut all: Vec<&[u8]> = vec![label::FINGERPRINT, PROTOCOL_ID, kind];
    all.extend_from_slice(parts);
    hash_parts(&all)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{MajorityRule, RuleSchedule};
    use rand_core::SeedableRng;

    fn manifest() -> Manifest {
        let rules = ElectionRules::with_schedule(RuleSchedule::single(MajorityRule::TWO_THIRDS));
        Manifest::new("IOM", 175, 171, vec!["A".into(), "B".into()], rules, 3, 5).unwrap()
    }

    #[test]
    fn fingerprints_bind_every_field() {
        let m = manifest();
        let base = m.ceremony_context().unwrap();
        let mut other = m.clone();
        other.title.push('!');
        assert_ne!(other.ceremony_context().unwrap(), base);
        let floor = m.clone().with_privacy_floor(6).unwrap();
        assert_ne!(floor.ceremony_context().unwrap(), base);
        let e1 = m.election_context(&[1; 32], b"x").unwrap();
        assert_ne!(e1, m.election_context(&[2; 32], b"x").unwrap());
        assert_ne!(e1, m.election_context(&[1; 32], b"y").unwrap());
        assert_ne!(e1.fingerprint(), base.fingerprint());
    }

    #[cfg(feature = "serde")]
    #[test]
    fn the_json_form_round_trips_with_its_authorities_and_refuses_what_binary_refuses() {
        use crate::elgamal::SecretKey;
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(4);
        let keys: Vec<PublicKey> = (0..5)
            .map(|_| SecretKey::generate(&mut rng).public_key())
            .collect();
        let admin = SecretKey::generate(&mut rng).public_key();
        let m = manifest()
            .with_authorities(Authorities::new(admin, keys).unwrap())
            .unwrap();
        let json = serde_json::to_string(&m).unwrap();
        let back: Manifest = serde_json::from_str(&json).unwrap();
        assert_eq!(back, m);
        assert_eq!(back.to_bytes().unwrap(), m.to_bytes().unwrap());
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        let refused = |edit: &dyn Fn(&mut serde_json::Value)| {
            let mut v = value.clone();
            edit(&mut v);
            serde_json::from_value::<Manifest>(v).is_err()
        };
        assert!(refused(&|v| v["extra"] = 1.into()));
        assert!(refused(&|v| v["threshold"] = 6.into()));
        assert!(refused(&|v| v["eligible"] = 176.into()));
        assert!(refused(&|v| v["authorities"]["trustees"]
            .as_array_mut()
            .unwrap()
            .truncate(4)));
        assert!(refused(&|v| v["authorities"]["administrator"] = "00".into()));
        for field in ["privacy_floor", "quorum", "authorities"] {
            assert!(
                refused(&|v| {
                    v.as_object_mut().unwrap().remove(field);
                }),
                "{field} missing"
            );
        }
        // A duplicate key is refused, even with the same value.
        let duplicated = json.replacen("\"members\":175", "\"members\":175,\"members\":175", 1);
        assert_ne!(duplicated, json);
        assert!(serde_json::from_str::<Manifest>(&duplicated).is_err());
    }

    #[test]
    fn encoding_round_trips_and_rejects_noise() {
        let m = manifest().with_privacy_floor(7).unwrap();
        let bytes = m.to_bytes().unwrap();
        let back = Manifest::from_bytes(&bytes).unwrap();
        assert_eq!(back, m);
        assert_eq!(back.to_bytes().unwrap(), bytes);
        let mut long = bytes.clone();
        long.push(0);
        assert!(matches!(
            Manifest::from_bytes(&long),
            Err(Error::TrailingBytes { .. })
        ));
        for cut in 0..bytes.len() {
            assert!(Manifest::from_bytes(&bytes[..cut]).is_err());
        }
    }

    #[test]
    fn invalid_manifests_are_rejected() {
        let rules = || ElectionRules::with_schedule(RuleSchedule::single(MajorityRule::TWO_THIRDS));
        assert!(Manifest::new("t", 10, 11, vec!["A".into()], rules(), 1, 1).is_err());
        assert!(Manifest::new("t", 10, 10, vec![], rules(), 1, 1).is_err());
        assert!(Manifest::new("t", 10, 10, vec!["A".into(), "A".into()], rules(), 1, 1).is_err());
        assert!(Manifest::new("t", 10, 10, vec!["A".into()], rules(), 0, 1).is_err());
        assert!(Manifest::new("t", 10, 10, vec!["A".into()], rules(), 2, 1).is_err());
        assert!(manifest().with_privacy_floor(0).is_err());
        assert!(Manifest::new("t", 10, 0, vec!["A".into()], rules(), 1, 1).is_err());
        assert!(manifest().with_privacy_floor(172).is_err());
        assert!(manifest().with_privacy_floor(171).is_ok());
    }

    #[test]
    fn the_default_floor_never_exceeds_the_eligible_members() {
        let rules = || ElectionRules::with_schedule(RuleSchedule::single(MajorityRule::TWO_THIRDS));
        let committee = Manifest::new("c", 3, 3, vec!["A".into()], rules(), 1, 1).unwrap();
        assert_eq!(committee.privacy_floor(), 3);
        assert_eq!(manifest().privacy_floor(), DEFAULT_PRIVACY_FLOOR);
    }
}
