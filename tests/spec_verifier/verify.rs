//! The numbered checks of SPEC §13, in order, stopping at the first failure.

use std::collections::{HashMap, HashSet};

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;

use super::ballot::{Contest, Layout, open_challenged, verify_ballot};
use super::ceremony;
use super::codec::{Ct, PROTOCOL_ID, Pt, SUITE, g, h};
use super::manifest::Manifest;
use super::objects::Ballot;
use super::objects::{KeyPackage, lagrange};
use super::proofs::{append_ct, root};
use super::record::{BallotRound, Body, Close, Decryption, Item, Record, Round};
use super::rules;

/// The first failed check (§13): its number, its round, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub check: u8,
    pub round: Option<u32>,
    pub detail: String,
}

/// What a verification did: every (check, round) it ran to completion, and its failure.
#[derive(Debug, Default)]
pub struct Verification {
    pub ran: Vec<(u8, Option<u32>)>,
    pub failure: Option<Failure>,
}

/// A verdict on a JSON text: not a record at all (§12.2), or the record's verification.
#[derive(Debug)]
pub enum Verdict {
    NotARecord(String),
    Verified(Verification),
}

impl Verdict {
    /// The failed check and round, `None` when every check passed.
    pub fn failed(&self) -> Option<(u8, Option<u32>)> {
        match self {
            Verdict::NotARecord(e) => panic!("not a record: {e}"),
            Verdict::Verified(v) => v.failure.as_ref().map(|f| (f.check, f.round)),
        }
    }
}

/// Decodes a JSON record (§12.2) and runs §13 on it.
pub fn verify_json(text: &str) -> Verdict {
    match Record::from_json(text) {
        Err(e) => Verdict::NotARecord(e),
        Ok(record) => Verdict::Verified(verify(&record)),
    }
}

/// F_c (§10.3).
pub fn ceremony_fingerprint(manifest: &[u8]) -> [u8; 32] {
    h(&[b"tabella.fingerprint", PROTOCOL_ID, b"ceremony", manifest])
}

/// F (§10.3).
pub fn election_fingerprint(manifest: &[u8], y: &Pt, keys: &[u8]) -> [u8; 32] {
    h(&[
        b"tabella.fingerprint",
        PROTOCOL_ID,
        b"election",
        manifest,
        &y.bytes,
        keys,
    ])
}

/// The ballot hash (§8.2).
pub fn ballot_hash(f: &[u8; 32], r: u32, ballot: &[u8]) -> [u8; 32] {
    h(&[b"tabella.board.ballot-hash", f, &r.to_le_bytes(), ballot])
}

/// The genesis code c₀ (§8.3).
pub fn genesis(f: &[u8; 32], r: u32) -> [u8; 32] {
    h(&[b"tabella.board.code", f, &r.to_le_bytes(), b"genesis"])
}

/// The code of an entry after the code `prev` (§8.3).
pub fn next_code(
    f: &[u8; 32],
    r: u32,
    prev: &[u8; 32],
    challenged: bool,
    bytes: &[u8],
) -> [u8; 32] {
    let le = r.to_le_bytes();
    if challenged {
        let gi = h(&[b"tabella.board.challenged", f, &le, bytes]);
        h(&[b"tabella.board.code", f, &le, prev, b"challenged", &gi])
    } else {
        let hi = ballot_hash(f, r, bytes);
        h(&[b"tabella.board.code", f, &le, prev, b"cast", &hi])
    }
}

/// Baby-step giant-step discrete logarithms in 0..=bound (§4), steps of ⌈√(bound + 1)⌉.
struct DiscreteLog {
    bound: u64,
    steps: u64,
    baby: HashMap<[u8; 32], u64>,
}

impl DiscreteLog {
    fn new(bound: u64) -> Self {
        let steps = (bound as f64 + 1.0).sqrt().ceil() as u64;
        let mut baby = HashMap::with_capacity(steps as usize);
        let mut p = RistrettoPoint::default();
        for j in 0..steps {
            baby.insert(p.compress().to_bytes(), j);
            p += g();
        }
        DiscreteLog { bound, steps, baby }
    }

    /// μ with M = μ·G and 0 ≤ μ ≤ bound; a point with no such logarithm is an error (§4).
    fn log(&self, m: &RistrettoPoint) -> Option<u64> {
        let giant = -(Scalar::from(self.steps) * g());
        let mut q = *m;
        for i in 0..=self.steps {
            if let Some(j) = self.baby.get(q.compress().as_bytes()) {
                let mu = i * self.steps + j;
                return (mu <= self.bound).then_some(mu);
            }
            q += giant;
        }
        None
    }
}

/// The standing of the candidates between rounds (§10.4, §10.5), replayed from round 1.
struct Standing {
    remaining: Vec<u32>,
    elected: Option<u32>,
    /// The candidates tied for lowest, left to the caller and not yet resolved (§10.5).
    pending: Option<Vec<u32>>,
}

/// One ballot round under verification: its number, its record, its contest and layout.
struct BallotCheck<'a> {
    r: u32,
    b: &'a BallotRound,
    contest: Contest,
    layout: Layout,
}

impl BallotCheck<'_> {
    fn at(&self) -> Option<u32> {
        Some(self.r)
    }

    fn cast(&self) -> impl Iterator<Item = &Ballot> {
        self.b.entries.iter().filter_map(|e| match &e.item {
            Item::Cast(ballot) => Some(&**ballot),
            Item::Challenged(_) => None,
        })
    }
}

struct Verifier<'a> {
    rec: &'a Record,
    /// F and Y, as recorded (check 4 recomputes F; check 3 recomputes Y).
    f: [u8; 32],
    y: Pt,
    ran: Vec<(u8, Option<u32>)>,
}

type Step<T = ()> = Result<T, Failure>;

fn fail(check: u8, round: Option<u32>, detail: impl Into<String>) -> Failure {
    Failure {
        check,
        round,
        detail: detail.into(),
    }
}

/// `Ok` when `ok`, else the failure of `check` in `round`.
fn ensure(ok: bool, check: u8, round: Option<u32>, detail: impl FnOnce() -> String) -> Step {
    if ok {
        Ok(())
    } else {
        Err(fail(check, round, detail()))
    }
}

/// Runs the checks of §13 on a decoded record, in order, stopping at the first failure.
pub fn verify(rec: &Record) -> Verification {
    let mut v = Verifier {
        rec,
        f: rec.fingerprint,
        y: rec.keys.y,
        ran: Vec::new(),
    };
    let failure = v.run().err();
    Verification {
        ran: v.ran,
        failure,
    }
}

impl Verifier<'_> {
    fn pass(&mut self, check: u8, round: Option<u32>) {
        self.ran.push((check, round));
    }

    /// §13: checks 1–4 once, checks 5–17 per round in round order, then 18.
    fn run(&mut self) -> Step {
        self.record_checks()?;
        let m = &self.rec.manifest;
        let mut standing = Standing {
            remaining: (0..m.candidates.len() as u32).collect(),
            elected: None,
            pending: None,
        };
        let rounds = &self.rec.rounds;
        for (idx, round) in rounds.iter().enumerate() {
            let Some(b) = self.start_round(idx, round, &mut standing)? else {
                continue; // an acclamation
            };
            let k = b.yes_no.map_or(b.candidates.len() as u64, |_| 2);
            let contest = Contest::of_round(k, m.eligible);
            let layout = Layout::of(&contest);
            let check = BallotCheck {
                r: round.number,
                b,
                contest,
                layout,
            };
            let is_last = idx + 1 == rounds.len();
            if !self.ballot_round(&check, is_last, &mut standing)? {
                break; // the last round, open or undecided (check 18)
            }
        }
        self.pass(18, None);
        Ok(())
    }

    /// Checks 1 (version and suite), 2 (parameters), 3 (key ceremony, §11.1) and 4 (the
    /// fingerprint, §10.3).
    fn record_checks(&mut self) -> Step {
        let rec = self.rec;
        ensure(rec.version == 3 && rec.suite == SUITE, 1, None, || {
            format!("version {}, suite {:?}", rec.version, rec.suite)
        })?;
        self.pass(1, None);

        // The manifest went through §10.1's decoder when the record was read (§12.1); this
        // re-runs it on the bytes every later check hashes.
        let m = &rec.manifest;
        let manifest_bytes = m.encode();
        Manifest::decode(&manifest_bytes).map_err(|e| fail(2, None, e))?;
        ensure((m.t, m.n) == (rec.keys.t, rec.keys.n), 2, None, || {
            "the manifest's t-of-n is not the key package's".into()
        })?;
        self.pass(2, None);

        let fc = ceremony_fingerprint(&manifest_bytes);
        let outcome =
            ceremony::replay(&fc, m.t, m.n, &rec.run, &rec.board).map_err(|e| fail(3, None, e))?;
        let expected = KeyPackage {
            t: m.t,
            n: m.n,
            y: outcome.y,
            shares: outcome.shares,
        };
        ensure(expected.encode() == rec.public_keys, 3, None, || {
            format!(
                "the board gives QUAL {:?}, and another key package",
                outcome.qual
            )
        })?;
        self.pass(3, None);

        let f = election_fingerprint(&manifest_bytes, &self.y, &rec.public_keys);
        ensure(f == rec.fingerprint, 4, None, || {
            "F is not the manifest's, Y's and the key package's".into()
        })?;
        self.pass(4, None);
        Ok(())
    }

    /// The start of a round: check 5 (numbering, withdrawals, an acclamation's candidate, a
    /// ballot's candidates, §10.4) and the first half of check 17 (no round starts while a tie
    /// for lowest is pending, §10.5). Returns the ballot round, `None` for an acclamation.
    fn start_round<'r>(
        &mut self,
        idx: usize,
        round: &'r Round,
        standing: &mut Standing,
    ) -> Step<Option<&'r BallotRound>> {
        let r = round.number;
        let at = Some(r);
        ensure(r as usize == idx + 1, 5, at, || {
            format!("round {} numbered {r}", idx + 1)
        })?;
        if let Some(e) = standing.elected {
            return Err(fail(
                5,
                at,
                format!("a round after candidate {e} was elected"),
            ));
        }
        for &c in &round.withdrawn {
            let Some(pos) = standing.remaining.iter().position(|&x| x == c) else {
                return Err(fail(
                    5,
                    at,
                    format!("withdrawn candidate {c} is not remaining"),
                ));
            };
            standing.remaining.remove(pos);
            if standing
                .pending
                .as_ref()
                .is_some_and(|tied| tied.contains(&c))
            {
                standing.pending = None; // resolved by the withdrawal of a tied candidate
            }
        }
        // Check 17: after the round's withdrawals, since one of them may resolve the tie
        // (§10.5), and before its candidates are compared (check 5), which a pending tie makes
        // wrong; reported for the round that starts (as the library reports it).
        if let Some(tied) = &standing.pending {
            return Err(fail(17, at, format!("{tied:?} are still tied for lowest")));
        }
        let ballot = match &round.body {
            Body::Acclamation(c) => {
                ensure(standing.remaining == [*c], 5, at, || {
                    format!("acclamation of {c} with {:?} remaining", standing.remaining)
                })?;
                standing.elected = Some(*c);
                None
            }
            Body::Ballot(b) => {
                let expected = match b.yes_no {
                    None => standing.remaining.clone(),
                    Some(c) if standing.remaining.contains(&c) => vec![c],
                    Some(c) => return Err(fail(5, at, format!("yes/no on {c}, not remaining"))),
                };
                ensure(b.candidates == expected, 5, at, || {
                    format!("candidates {:?}, expected {expected:?}", b.candidates)
                })?;
                Some(&**b)
            }
        };
        self.pass(5, at);
        Ok(ballot)
    }

    /// Checks 6 to 17 of a ballot round; check 18 for a round that is open or undecided but
    /// not the last. Returns whether the round is decided.
    fn ballot_round(
        &mut self,
        c: &BallotCheck,
        is_last: bool,
        standing: &mut Standing,
    ) -> Step<bool> {
        let the_box = self.the_box(c)?;
        let (b, at) = (c.b, c.at());
        if let Some(close) = &b.close {
            ensure(*close == the_box, 10, at, || {
                format!("close {close:?}, the box's is {the_box:?}")
            })?;
            self.pass(10, at);
        }
        let Some(d) = &b.decryption else {
            ensure(is_last, 18, at, || {
                "an open or undecided round before the last".into()
            })?;
            ensure(b.tie.is_none(), 17, at, || {
                "a tie resolution on an undecided round".into()
            })?;
            return Ok(false);
        };
        ensure(b.close.is_some(), 10, at, || {
            "a decrypted round without a close".into()
        })?;
        let totals = self.decryption(c, &the_box, d)?;
        self.outcome(c, d, &totals, standing)?;
        Ok(true)
    }

    /// Checks 6 (ballot proofs, §6), 7 (challenged ballots, §9), 8 (box rules, §7) and 9
    /// (confirmation codes, §8.3). Returns the box's close (§8.4).
    fn the_box(&mut self, c: &BallotCheck) -> Step<Close> {
        let (f, y, r, at) = (self.f, self.y, c.r, c.at());
        for (i, e) in c.b.entries.iter().enumerate() {
            if let Item::Cast(ballot) = &e.item {
                verify_ballot(&f, &y, r, &c.contest, &c.layout, ballot)
                    .map_err(|err| fail(6, at, format!("entry {i}: {err}")))?;
            }
        }
        self.pass(6, at);
        for (i, e) in c.b.entries.iter().enumerate() {
            if let Item::Challenged(ch) = &e.item {
                open_challenged(&f, &y, r, &c.contest, &c.layout, ch)
                    .map_err(|err| fail(7, at, format!("entry {i}: {err}")))?;
            }
        }
        self.pass(7, at);
        box_rules(c.b, &c.contest).map_err(|(i, err)| fail(8, at, format!("entry {i}: {err}")))?;
        self.pass(8, at);
        let mut code = genesis(&f, r);
        for (i, e) in c.b.entries.iter().enumerate() {
            let challenged = matches!(e.item, Item::Challenged(_));
            code = next_code(&f, r, &code, challenged, &e.bytes);
            ensure(code == e.code, 9, at, || {
                format!("entry {i}: not the chain's code")
            })?;
        }
        self.pass(9, at);
        let cast = c.cast().count() as u64;
        Ok(Close {
            head: code,
            cast,
            challenged: c.b.entries.len() as u64 - cast,
        })
    }

    /// Checks 11 (privacy floor), 12 (aggregate, §7), 13 (partial decryptions, §11.2, §11.4),
    /// 14 (combination, §11.2, §4) and 15 (totals, §6.3). Returns the slot totals.
    fn decryption(&mut self, c: &BallotCheck, the_box: &Close, d: &Decryption) -> Step<Vec<u64>> {
        let (r, at, b) = (c.r, c.at(), the_box.cast);
        let floor = self.rec.manifest.privacy_floor;
        ensure(b >= floor, 11, at, || {
            format!("{b} cast, the floor is {floor}")
        })?;
        self.pass(11, at);

        let width = c.layout.width();
        let aggregate: Vec<Ct> = (0..width)
            .map(|nu| {
                let sum = |pick: fn(&Ct) -> &Pt| Pt::of(c.cast().map(|x| pick(&x.cts[nu]).p).sum());
                (sum(|ct| &ct.0), sum(|ct| &ct.1))
            })
            .collect();
        ensure(d.tally == aggregate, 12, at, || {
            "the recorded aggregate is not the sum of the cast ballots".into()
        })?;
        self.pass(12, at);

        let keys = &self.rec.keys;
        let mut prefix = root(&self.f, b"tabella.decryption.partial");
        prefix.append_message(b"public-keys", &self.rec.public_keys);
        prefix.append_u64(b"round", r as u64);
        prefix.append_message(b"head", &the_box.head);
        prefix.append_u64(b"cast", the_box.cast);
        prefix.append_u64(b"challenged", the_box.challenged);
        prefix.append_u64(b"width", width as u64);
        for ct in &aggregate {
            append_ct(&mut prefix, b"C", ct);
        }
        for (pos, (_, partial)) in d.partials.iter().enumerate() {
            let i = partial.trustee;
            ensure(
                pos == 0 || d.partials[pos - 1].1.trustee < i,
                13,
                at,
                || "partials not in strictly increasing trustee order".into(),
            )?;
            let Some(yi) = keys.share(i) else {
                return Err(fail(
                    13,
                    at,
                    format!("trustee {i} has no verification share"),
                ));
            };
            // §11.2: the round field, the trustee's share and the width are not in the
            // transcript; they are compared.
            ensure(
                partial.round == r && partial.shares.len() == width,
                13,
                at,
                || {
                    format!(
                        "trustee {i}: a partial of round {} and width {}",
                        partial.round,
                        partial.shares.len()
                    )
                },
            )?;
            let mut t = prefix.clone();
            t.append_u64(b"trustee", i as u64);
            for (dv, _) in &partial.shares {
                t.append_message(b"D", &dv.bytes);
            }
            for (nu, (dv, proof)) in partial.shares.iter().enumerate() {
                let mut tp = t.clone();
                tp.append_u64(b"k", nu as u64);
                ensure(
                    proof.verify(&mut tp, &aggregate[nu].0, yi, dv),
                    13,
                    at,
                    || format!("trustee {i}: the proof of ciphertext {nu} fails"),
                )?;
            }
        }
        self.pass(13, at);

        let t = keys.t as usize;
        ensure(d.partials.len() >= t, 14, at, || {
            format!("{} partials, t = {t}", d.partials.len())
        })?;
        let first: Vec<u32> = d.partials[..t].iter().map(|(_, p)| p.trustee).collect();
        ensure(d.combined == first, 14, at, || {
            format!(
                "combined {:?}, the first t partials are {first:?}",
                d.combined
            )
        })?;
        let bound = c.layout.bound(b);
        let table = DiscreteLog::new(bound);
        let mut values = Vec::with_capacity(width);
        for (nu, (_, beta)) in aggregate.iter().enumerate() {
            let combined: RistrettoPoint = d.partials[..t]
                .iter()
                .map(|(_, p)| lagrange(p.trustee, &first, 0) * p.shares[nu].0.p)
                .sum();
            let mu = table.log(&(beta.p - combined));
            values.push(mu.ok_or_else(|| {
                fail(
                    14,
                    at,
                    format!("ciphertext {nu}: no logarithm in 0..={bound}"),
                )
            })?);
        }
        self.pass(14, at);

        let totals = c.layout.totals(&values, b).map_err(|e| fail(15, at, e))?;
        ensure(d.totals == totals, 15, at, || {
            format!("totals {:?}, decrypted {totals:?}", d.totals)
        })?;
        self.pass(15, at);
        Ok(totals)
    }

    /// Checks 16 (the outcome, §10.5) and 17 (a recorded tie resolution), then the standing
    /// after the round.
    fn outcome(
        &mut self,
        c: &BallotCheck,
        d: &Decryption,
        totals: &[u64],
        standing: &mut Standing,
    ) -> Step {
        let at = c.at();
        let b = c.b;
        let decision = rules::decide(&self.rec.manifest, c.r, b.yes_no, &b.candidates, totals)
            .map_err(|e| fail(16, at, e))?;
        ensure(decision.outcome == d.result, 16, at, || {
            format!(
                "result {:?}, the rules give {:?}",
                d.result, decision.outcome
            )
        })?;
        self.pass(16, at);

        match (&b.tie, decision.tie) {
            (None, tie) => standing.pending = tie,
            (Some(tie), Some(tied)) if tied.contains(&tie.eliminated) => {
                standing.remaining.retain(|&x| x != tie.eliminated);
            }
            (Some(tie), tied) => {
                return Err(fail(
                    17,
                    at,
                    format!("tie resolution {tie:?}, the decision left {tied:?}"),
                ));
            }
        }
        self.pass(17, at);

        if let Some(x) = d.result.eliminated {
            standing.remaining.retain(|&y| y != x);
        }
        standing.elected = d.result.elected;
        Ok(())
    }
}

/// §7's box rules, replayed in board order into an empty box: the index of the first refused
/// entry, and why.
fn box_rules(b: &BallotRound, contest: &Contest) -> Result<(), (usize, &'static str)> {
    let (mut cast_ids, mut challenged_ids) = (HashSet::new(), HashSet::new());
    let (mut cast_alphas, mut challenged_alphas) = (HashSet::new(), HashSet::new());
    let mut cast = 0u64;
    for (i, e) in b.entries.iter().enumerate() {
        let ballot = match &e.item {
            Item::Cast(ballot) => ballot,
            Item::Challenged(ch) => &ch.ballot,
        };
        let alphas: Vec<[u8; 32]> = ballot.cts.iter().map(|ct| ct.0.bytes).collect();
        let twice = alphas.iter().collect::<HashSet<_>>().len() != alphas.len();
        let in_challenged = alphas.iter().any(|a| challenged_alphas.contains(a));
        let in_cast = alphas.iter().any(|a| cast_alphas.contains(a));
        match &e.item {
            Item::Cast(_) => {
                if contest.capacity.is_some_and(|n| cast >= n) {
                    return Err((i, "BallotBoxFull"));
                }
                if challenged_ids.contains(&ballot.id) {
                    return Err((i, "ChallengedBallot (id)"));
                }
                if cast_ids.contains(&ballot.id) {
                    return Err((i, "DuplicateBallotId"));
                }
                if in_challenged {
                    return Err((i, "ChallengedBallot (alpha)"));
                }
                if in_cast || twice {
                    return Err((i, "DuplicateCiphertext"));
                }
                cast += 1;
                cast_ids.insert(ballot.id);
                cast_alphas.extend(alphas);
            }
            Item::Challenged(_) => {
                if cast_ids.contains(&ballot.id) || challenged_ids.contains(&ballot.id) {
                    return Err((i, "DuplicateBallotId"));
                }
                if in_challenged {
                    return Err((i, "ChallengedBallot (alpha)"));
                }
                if in_cast || twice {
                    return Err((i, "DuplicateCiphertext"));
                }
                challenged_ids.insert(ballot.id);
                challenged_alphas.extend(alphas);
            }
        }
    }
    Ok(())
}
