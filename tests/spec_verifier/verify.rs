//! The numbered checks of SPEC §13, run by replaying the board by §14.5: entry by entry, from
//! an empty state, stopping at the first entry that fails, and naming its check, its position
//! and its round.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;

use super::ballot::{Contest, Layout, open_challenged, shape, signature_verifies, verify_ballot};
use super::ceremony;
use super::codec::{Ct, PROTOCOL_ID, Pt, Reader, Res, VERSION, g, h};
use super::manifest::{Authorities, Manifest};
use super::objects::{Ballot, Challenged, KeyPackage, Partial, lagrange, read_roll};
use super::proofs::{append_ct, root};
use super::record::{self, Entry, NotARecord, Record, entry};
use super::rules;

/// The first failed check (§13): its number, the position of its entry, its round, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub check: u8,
    pub entry: Option<u64>,
    pub round: Option<u32>,
    pub detail: String,
}

/// What a verification did: how many times each check passed, its failure, and where the
/// board stands (check 17).
#[derive(Debug, Default)]
pub struct Verification {
    pub ran: BTreeMap<u8, usize>,
    pub failure: Option<Failure>,
    pub end: String,
    /// The confirmation code of each ballot and challenged entry, by position (§8.3).
    pub codes: Vec<(u64, [u8; 32])>,
}

/// A verdict on a record's text or bytes: not a record at all (§12), or its verification.
#[derive(Debug)]
pub enum Verdict {
    NotARecord(NotARecord),
    Verified(Verification),
}

impl Verdict {
    /// The failed check and entry, `None` when every check passed.
    pub fn failed(&self) -> Option<(u8, Option<u64>)> {
        match self {
            Verdict::NotARecord(e) => panic!("not a record: {e:?}"),
            Verdict::Verified(v) => v.failure.as_ref().map(|f| (f.check, f.entry)),
        }
    }
}

/// Decodes a JSON record (§12.2) and verifies it.
pub fn verify_json(text: &str) -> Verdict {
    match Record::from_json(text) {
        Err(e) => Verdict::NotARecord(e),
        Ok(record) => Verdict::Verified(verify(&record)),
    }
}

/// Decodes a binary record (§12.1) and verifies it.
pub fn verify_bytes(bytes: &[u8]) -> Verdict {
    match Record::decode(bytes) {
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

/// The close of a box (§8.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Close {
    pub round: u32,
    pub head: [u8; 32],
    pub cast: u64,
    pub challenged: u64,
    /// §8.4: cast entries replaced by a later ballot of their credential.
    pub replaced: u64,
}

/// The board's manifest (§14.5 state): its bytes, F_c and its authorities.
struct Board {
    manifest: Manifest,
    bytes: Vec<u8>,
    fc: [u8; 32],
    authorities: Authorities,
}

/// The current run of the key ceremony and its ceremony board (§11.1, §14.5).
struct Run {
    nonce: [u8; 32],
    id: [u8; 32],
    rounds: [Vec<(u32, Vec<u8>)>; 3],
}

/// A ballot round: what it asks, its contest and layout, and its box (§7).
struct Round {
    number: u32,
    yes_no: Option<u32>,
    candidates: Vec<u32>,
    contest: Contest,
    layout: Layout,
    code: [u8; 32],
    /// Every cast ballot in board order, and whether a later ballot of its credential
    /// replaced it (§7).
    cast: Vec<(Ballot, bool)>,
    /// With a roll: each credential's counted ballot (its index in `cast`).
    counted_of: HashMap<[u8; 32], usize>,
    challenged: u64,
    cast_ids: HashSet<[u8; 32]>,
    challenged_ids: HashSet<[u8; 32]>,
    cast_alphas: HashSet<[u8; 32]>,
    challenged_alphas: HashSet<[u8; 32]>,
}

/// The round in progress (§14.5).
enum Current {
    Between,
    Open(Box<Round>),
    /// Closed: its box, its close, and (trustee, partial) of each partial so far.
    Closed(Box<Round>, Close, Vec<(u32, Partial)>),
}

/// The last decided round: its number, the tie for lowest its decision left to the caller
/// (`None` for an acclamation or no tie), and whether a tie resolution followed it.
struct Decided {
    number: u32,
    tie: Option<Vec<u32>>,
    resolved: bool,
}

/// The election, once the keys are announced (§14.5).
struct Election {
    keys: KeyPackage,
    keys_bytes: Vec<u8>,
    f: [u8; 32],
    remaining: Vec<u32>,
    elected: Option<u32>,
    /// The candidates tied for lowest while the tie is pending (§10.5).
    pending: Option<Vec<u32>>,
    last: Option<Decided>,
    current: Current,
}

type Step<T = ()> = Result<T, Failure>;

struct Verifier {
    k: usize,
    round: Option<u32>,
    /// head₋₁, then the head after each entry applied (§14.2).
    heads: Vec<[u8; 32]>,
    board: Option<Board>,
    run: Option<Run>,
    election: Option<Election>,
    ran: RefCell<BTreeMap<u8, usize>>,
    codes: Vec<(u64, [u8; 32])>,
    /// The signed entries applied so far, by their bytes (§14.3: a replay is refused).
    signed: HashSet<Vec<u8>>,
    /// The run nonces of the board's ceremony runs (§14.5).
    nonces: HashSet<[u8; 32]>,
    /// The roll (§16.1), once posted: each credential's bytes and its point, decoded once.
    roll: Option<HashMap<[u8; 32], Pt>>,
}

/// Replays the record (§14.5) with the numbered checks (§13).
pub fn verify(record: &Record) -> Verification {
    let mut v = Verifier {
        k: 0,
        round: None,
        heads: vec![record::genesis_head()],
        board: None,
        run: None,
        election: None,
        ran: RefCell::new(BTreeMap::new()),
        codes: Vec::new(),
        signed: HashSet::new(),
        nonces: HashSet::new(),
        roll: None,
    };
    let mut failure = None;
    if record.entries.is_empty() {
        // Check 1: "the first entry is not a manifest" (there is none).
        failure = Some(Failure {
            check: 1,
            entry: Some(0),
            round: None,
            detail: "an empty board has no manifest".into(),
        });
    }
    for (k, e) in record.entries.iter().enumerate() {
        v.k = k;
        v.round = None;
        if let Err(f) = v.apply(e) {
            failure = Some(f);
            break;
        }
        let head = record::next_head(v.heads.last().expect("head₋₁"), &e.bytes);
        v.heads.push(head);
    }
    let end = v.end();
    if failure.is_none() {
        v.pass(17);
    }
    Verification {
        ran: v.ran.into_inner(),
        failure,
        end,
        codes: v.codes,
    }
}

/// Reads a body that must be decoded to its end by `read` (§14.1: "decoded strictly").
fn strict<T>(body: &[u8], read: impl FnOnce(&mut Reader) -> Res<T>) -> Res<T> {
    let mut rd = Reader::new(body);
    let out = read(&mut rd)?;
    rd.finish()?;
    Ok(out)
}

/// `opt32` of §14.4.
fn opt32(rd: &mut Reader) -> Res<Option<u32>> {
    if rd.flag()? {
        rd.u32().map(Some)
    } else {
        Ok(None)
    }
}

/// `opt64` of §14.4.
fn opt64(rd: &mut Reader) -> Res<Option<u64>> {
    if rd.flag()? {
        rd.u64().map(Some)
    } else {
        Ok(None)
    }
}

/// A round opening's body (§14.4).
struct Opening {
    number: u32,
    yes_no: Option<u32>,
    candidates: Vec<u32>,
    contest: Contest,
    /// (layout byte, B, s) as announced.
    layout: (u8, u64, u32),
}

fn read_opening(rd: &mut Reader) -> Res<Opening> {
    let number = rd.u32()?;
    let yes_no = match rd.u8()? {
        0 => None,
        1 => Some(rd.u32()?),
        tag => return Err(format!("round kind {tag}")),
    };
    let count = rd.count(4)?;
    let candidates = (0..count).map(|_| rd.u32()).collect::<Res<_>>()?;
    let (index, k, min, max) = (rd.u32()?, rd.u32()?, rd.u32()?, rd.u32()?);
    let abstention = rd.flag()?;
    let capacity = if rd.flag()? { Some(rd.u64()?) } else { None };
    let layout = match rd.u8()? {
        tag @ (0..=2) => tag,
        tag => return Err(format!("layout {tag}")),
    };
    let (base, chunk) = (rd.u64()?, rd.u32()?);
    // §6: the checks of a contest.
    let (k64, min64, max64) = (u64::from(k), u64::from(min), u64::from(max));
    if !(1 <= max64 && max64 <= k64 && k64 <= 1024 && min64 <= max64 && max64 - min64 < 1024) {
        return Err(format!("a contest of k = {k}, min = {min}, max = {max}"));
    }
    let contest = Contest {
        index: u64::from(index),
        k: k64,
        min: min64,
        max: max64,
        abstention,
        capacity,
    };
    // §14.4: its layout MUST be the one its shape and capacity give (§6.3).
    let given = Layout::of(&contest).announced();
    if (layout, base, u64::from(chunk)) != given {
        return Err(format!(
            "layout ({layout}, B = {base}, s = {chunk}), the contest gives {given:?}"
        ));
    }
    Ok(Opening {
        number,
        yes_no,
        candidates,
        contest,
        layout: (layout, base, chunk),
    })
}

/// A result's body (§14.4).
struct Announced {
    number: u32,
    combined: Vec<u32>,
    totals: Vec<u64>,
    outcome: super::rules::Outcome,
}

fn read_result(rd: &mut Reader) -> Res<Announced> {
    let number = rd.u32()?;
    let c = rd.count(4)?;
    let combined = (0..c).map(|_| rd.u32()).collect::<Res<_>>()?;
    let w = rd.count(8)?;
    let totals = (0..w).map(|_| rd.u64()).collect::<Res<_>>()?;
    let (cast, present_and_voting, base) = (rd.u64()?, rd.u64()?, rd.u64()?);
    let outcome = super::rules::Outcome {
        cast,
        present_and_voting,
        base,
        required: opt64(rd)?,
        elected: opt32(rd)?,
        eliminated: opt32(rd)?,
    };
    Ok(Announced {
        number,
        combined,
        totals,
        outcome,
    })
}

impl Verifier {
    fn pass(&self, check: u8) {
        *self.ran.borrow_mut().entry(check).or_default() += 1;
    }

    fn fail(&self, check: u8, detail: impl Into<String>) -> Failure {
        Failure {
            check,
            entry: Some(self.k as u64),
            round: self.round,
            detail: detail.into(),
        }
    }

    fn ensure(&self, ok: bool, check: u8, detail: impl FnOnce() -> String) -> Step {
        if ok {
            Ok(())
        } else {
            Err(self.fail(check, detail()))
        }
    }

    /// One entry: check 1 for the first, the manifest's own reading (check 3) for it, check 2
    /// for every signed entry, then the entry's rules (§14.5).
    fn apply(&mut self, e: &Entry) -> Step {
        if self.k == 0 {
            self.ensure(e.kind == entry::MANIFEST, 1, || {
                format!("the first entry is a {}, not a manifest", e.name())
            })?;
            self.pass(1);
            self.manifest(e)?;
        }
        self.round = self.round_of(e);
        self.signature(e)?;
        match e.kind {
            entry::MANIFEST if self.k == 0 => Ok(()),
            entry::MANIFEST => Err(self.fail(6, "a second manifest")),
            entry::CEREMONY_RUN => self.ceremony_run(e),
            entry::CEREMONY_MESSAGE => self.ceremony_message(e),
            entry::KEYS => self.keys(e),
            entry::ROLL => self.roll_entry(e),
            _ => self.election_entry(e),
        }
    }

    /// The round an election entry belongs to (§13): the open or closed round, or between
    /// rounds the next one. The manifest's and the ceremony's entries belong to none.
    fn round_of(&self, e: &Entry) -> Option<u32> {
        let el = self.election.as_ref()?;
        let election = !matches!(
            e.kind,
            entry::MANIFEST | entry::CEREMONY_RUN | entry::CEREMONY_MESSAGE | entry::KEYS
        );
        election.then(|| match &el.current {
            Current::Open(r) | Current::Closed(r, _, _) => r.number,
            Current::Between => Self::next_round(el),
        })
    }

    /// §14.5 `manifest`: it decodes (check 3), names its authorities and gives F_c.
    fn manifest(&mut self, e: &Entry) -> Step {
        let manifest = Manifest::decode(&e.body).map_err(|err| self.fail(3, err))?;
        let Some(authorities) = manifest.authorities.clone() else {
            return Err(self.fail(3, "the manifest names no authorities"));
        };
        self.pass(3);
        self.board = Some(Board {
            fc: ceremony_fingerprint(&e.body),
            bytes: e.body.clone(),
            manifest,
            authorities,
        });
        Ok(())
    }

    /// Check 2 (§14.3): the read head is a head of the board before the entry, the author has
    /// a key in the manifest's authorities, the signature verifies with it, and the entry is
    /// not, byte for byte, a signed entry already on the board (a replay).
    fn signature(&mut self, e: &Entry) -> Step {
        let Some(sig) = &e.signature else {
            return Ok(());
        };
        let board = self.board.as_ref().expect("the manifest is entry 0");
        self.ensure(self.heads.contains(&sig.read), 2, || {
            "UnknownReadHead: the read head is no head of the board before the entry".into()
        })?;
        let Some(key) = board.authorities.key(e.role, e.index) else {
            return Err(self.fail(2, format!("no key for trustee {}", e.index)));
        };
        let mut t = root(&board.fc, b"tabella.board.entry");
        t.append_u64(b"kind", u64::from(e.kind));
        t.append_u64(b"role", u64::from(e.role));
        t.append_u64(b"index", u64::from(e.index));
        t.append_message(b"body", &e.body);
        t.append_message(b"read", &sig.read);
        let ok = sig.proof.verify(&mut t, key);
        self.ensure(ok, 2, || "the signature does not verify".into())?;
        let replay = self.signed.contains(&e.bytes);
        self.ensure(!replay, 2, || {
            "a signed entry already on the board (a replay)".into()
        })?;
        self.signed.insert(e.bytes.clone());
        self.pass(2);
        Ok(())
    }

    /// §14.5 `roll`: in an election with a roll, once (check 4), before the first round opens
    /// (check 6); its body decodes (§16.1) and holds exactly `eligible` credentials (check 4).
    fn roll_entry(&mut self, e: &Entry) -> Step {
        self.round = None;
        if self.board().manifest.roll.is_none() {
            return Err(self.fail(4, "a roll in an election without a roll"));
        }
        if self.roll.is_some() {
            return Err(self.fail(4, "a second roll"));
        }
        let began = self
            .election
            .as_ref()
            .is_some_and(|el| el.last.is_some() || !matches!(el.current, Current::Between));
        if began {
            self.round = self.election.as_ref().map(Self::next_round_or_current);
            return Err(self.fail(6, "a roll after a round opened"));
        }
        let roll = read_roll(&e.body).map_err(|err| self.fail(4, err))?;
        let eligible = self.board().manifest.eligible;
        self.ensure(roll.len() as u64 == eligible, 4, || {
            format!("{} credentials, eligible is {eligible}", roll.len())
        })?;
        self.roll = Some(roll.into_iter().map(|p| (p.bytes, p)).collect());
        self.pass(4);
        Ok(())
    }

    fn next_round_or_current(el: &Election) -> u32 {
        match &el.current {
            Current::Open(r) | Current::Closed(r, _, _) => r.number,
            Current::Between => Self::next_round(el),
        }
    }

    /// Check 7 (§16.3, §13), the credential's part: none without a roll; with one, a
    /// credential that is on the roll. Returns its point, decoded once with the roll.
    fn credential(&self, ballot: &Ballot) -> Step<Option<Pt>> {
        match (&self.roll, &ballot.credential) {
            (None, None) => Ok(None),
            (None, Some(_)) => Err(self.fail(7, "UnexpectedCredential")),
            (Some(_), None) => Err(self.fail(7, "CredentialMissing")),
            (Some(roll), Some(s)) => match roll.get(s) {
                Some(point) => Ok(Some(*point)),
                None => Err(self.fail(7, "CredentialNotOnRoll")),
            },
        }
    }

    /// Check 7, the signature's part (§16.3), on the point of its credential.
    fn signature_check(&self, f: &[u8; 32], r: &Round, ballot: &Ballot, s: Option<Pt>) -> Step {
        let Some(point) = s else {
            return Ok(());
        };
        let ok = signature_verifies(f, r.number, &r.contest, &r.layout, ballot, &point);
        self.ensure(ok, 7, || "BallotRejected: the signature".into())
    }

    fn board(&self) -> &Board {
        self.board.as_ref().expect("the manifest is entry 0")
    }

    /// §14.5 `ceremony_run`: after the manifest and before the keys (check 6); a run nonce
    /// (check 5) that no earlier run of the board used (check 6); a new ceremony board.
    fn ceremony_run(&mut self, e: &Entry) -> Step {
        self.ensure(self.election.is_none(), 6, || {
            "a ceremony run after the keys".into()
        })?;
        let nonce: [u8; 32] = strict(&e.body, |rd| rd.array()).map_err(|err| self.fail(5, err))?;
        let used = self.nonces.contains(&nonce);
        self.ensure(!used, 6, || "a run nonce an earlier run used".into())?;
        self.nonces.insert(nonce);
        self.pass(6);
        let m = &self.board().manifest;
        let id = ceremony::ceremony_id(&self.board().fc, m.t, m.n, &nonce);
        self.run = Some(Run {
            nonce,
            id,
            rounds: Default::default(),
        });
        self.pass(5);
        Ok(())
    }

    /// §14.5 `ceremony_message`: after a run and before the keys (check 6); a round-1, -2 or
    /// -3 message by its header, of this ceremony (check 5); not of a round before the latest
    /// round that has a message (check 6); within §11.3's board limits (check 5).
    fn ceremony_message(&mut self, e: &Entry) -> Step {
        self.ensure(self.election.is_none(), 6, || {
            "a ceremony message after the keys".into()
        })?;
        let Some(run) = &self.run else {
            return Err(self.fail(6, "a ceremony message before any run"));
        };
        let b = &e.body;
        let round = match (b.get(..2), b.get(2)) {
            (Some(b"tb"), Some(&k @ 3..=5)) => usize::from(k - 3),
            _ => return Err(self.fail(5, "not a round-1, -2 or -3 message")),
        };
        // In §14.5's order: the round closed (check 6), then another run's (check 5).
        let closed = run.rounds[round + 1..].iter().any(|r| !r.is_empty());
        self.ensure(!closed, 6, || {
            format!("CeremonyRoundClosed: round {} has closed", round + 1)
        })?;
        self.pass(6);
        let ours = b.get(3..5) == Some(&VERSION.to_le_bytes()[..]) && b.get(5..37) == Some(&run.id);
        self.ensure(ours, 5, || {
            "ForeignCeremonyEntry: a message of another run, election or version".into()
        })?;
        let limits = run.rounds[round].len() < 65_536 && b.len() <= 65_536;
        self.ensure(limits, 5, || "the ceremony board's limits (§11.3)".into())?;
        let run = self.run.as_mut().expect("checked");
        let posted = (e.index, b.clone());
        if let Err(at) = run.rounds[round].binary_search(&posted) {
            run.rounds[round].insert(at, posted);
        }
        self.pass(5);
        Ok(())
    }

    /// §14.5 `keys`: once, after a run (check 6); the body decodes, the ceremony on the run's
    /// board gives the announced package, and F is the announced fingerprint (check 5).
    fn keys(&mut self, e: &Entry) -> Step {
        self.ensure(self.election.is_none(), 6, || "a second keys entry".into())?;
        let Some(run) = &self.run else {
            return Err(self.fail(6, "keys before any ceremony run"));
        };
        self.pass(6);
        let (package, f) = strict(&e.body, |rd| Ok((rd.blob()?.to_vec(), rd.array::<32>()?)))
            .map_err(|err| self.fail(5, err))?;
        let keys = KeyPackage::decode(&package).map_err(|err| self.fail(5, err))?;
        let board = self.board();
        let m = &board.manifest;
        let outcome = ceremony::replay(&board.fc, m.t, m.n, &run.nonce, &run.rounds)
            .map_err(|err| self.fail(5, err))?;
        let expected = KeyPackage {
            t: m.t,
            n: m.n,
            y: outcome.y,
            shares: outcome.shares,
        };
        self.ensure(expected.encode() == package, 5, || {
            format!(
                "the ceremony gives QUAL {:?} and another package",
                outcome.qual
            )
        })?;
        let computed = election_fingerprint(&board.bytes, &keys.y, &package);
        self.ensure(computed == f, 5, || {
            "F is not the recomputed fingerprint".into()
        })?;
        self.pass(5);
        self.election = Some(Election {
            keys,
            keys_bytes: package,
            f,
            remaining: (0..m.candidates.len() as u32).collect(),
            elected: None,
            pending: None,
            last: None,
            current: Current::Between,
        });
        Ok(())
    }

    fn election_entry(&mut self, e: &Entry) -> Step {
        let Some(mut el) = self.election.take() else {
            return Err(self.fail(6, format!("a {} entry before the keys", e.name())));
        };
        let out = self.in_election(&mut el, e);
        self.election = Some(el);
        out
    }

    fn in_election(&mut self, el: &mut Election, e: &Entry) -> Step {
        match e.kind {
            entry::WITHDRAWAL => self.withdrawal(el, e),
            entry::TIE_RESOLUTION => self.tie_resolution(el, e),
            entry::ACCLAMATION => self.acclamation(el, e),
            entry::ROUND_OPEN => self.round_open(el, e),
            entry::BALLOT | entry::CHALLENGED => self.box_entry(el, e),
            entry::ROUND_CLOSE => self.round_close(el, e),
            entry::PARTIAL_DECRYPTION => self.partial(el, e),
            entry::RESULT => self.result(el, e),
            kind => unreachable!("entry kind {kind} is decoded by §14.1"),
        }
    }

    fn between(&self, el: &Election, e: &Entry) -> Step {
        let between = matches!(el.current, Current::Between);
        self.ensure(between, 6, || {
            format!("a {} while a round is open or closed", e.name())
        })
    }

    /// §14.5 `withdrawal`: between rounds, nobody elected (check 6); a remaining candidate
    /// (check 6).
    fn withdrawal(&mut self, el: &mut Election, e: &Entry) -> Step {
        self.between(el, e)?;
        if let Some(c) = el.elected {
            return Err(self.fail(6, format!("a withdrawal after candidate {c} was elected")));
        }
        let c = strict(&e.body, |rd| rd.u32()).map_err(|err| self.fail(6, err))?;
        let Some(at) = el.remaining.iter().position(|&x| x == c) else {
            return Err(self.fail(6, format!("candidate {c} is not remaining")));
        };
        el.remaining.remove(at);
        if el.pending.as_ref().is_some_and(|tied| tied.contains(&c)) {
            el.pending = None; // §10.5: resolved by the withdrawal of a tied candidate
        }
        self.pass(6);
        Ok(())
    }

    /// §14.5 `tie_resolution`: between rounds (check 6); for the last decided round, which has
    /// none yet and whose tie for lowest is still pending; one of the tied (check 16).
    fn tie_resolution(&mut self, el: &mut Election, e: &Entry) -> Step {
        self.between(el, e)?;
        self.pass(6);
        let (r, eliminated, _how) = strict(&e.body, |rd| {
            let (r, c) = (rd.u32()?, rd.u32()?);
            match rd.u8()? {
                how @ (0 | 1) => Ok((r, c, how)),
                how => Err(format!("how {how}")),
            }
        })
        .map_err(|err| self.fail(16, err))?;
        self.round = Some(r); // a tie resolution that decodes names its round
        let Some(last) = el.last.as_mut() else {
            return Err(self.fail(16, "no round is decided"));
        };
        if last.number != r {
            return Err(self.fail(
                16,
                format!("round {r}, the last decided is {}", last.number),
            ));
        }
        if last.resolved {
            return Err(self.fail(16, format!("round {r} already has a tie resolution")));
        }
        // No tie is pending: the decision left none, or a tied candidate's withdrawal
        // resolved it (§10.5).
        let Some(tied) = el.pending.as_ref().and(last.tie.as_ref()) else {
            return Err(self.fail(
                16,
                format!("round {r}'s decision left no tie to the caller"),
            ));
        };
        let remaining = el.remaining.contains(&eliminated);
        if !tied.contains(&eliminated) || !remaining {
            return Err(self.fail(16, format!("{eliminated} is not one of the tied {tied:?}")));
        }
        last.resolved = true;
        el.pending = None;
        el.remaining.retain(|&x| x != eliminated);
        self.pass(16);
        Ok(())
    }

    /// The start of a round (`round_open`, `acclamation`): between rounds (check 6), no tie
    /// pending (check 16), nobody elected (check 6).
    fn round_start(&mut self, el: &Election, e: &Entry) -> Step {
        self.between(el, e)?;
        if let Some(tied) = &el.pending {
            return Err(self.fail(16, format!("{tied:?} are still tied for lowest")));
        }
        if let Some(c) = el.elected {
            return Err(self.fail(6, format!("a round after candidate {c} was elected")));
        }
        Ok(())
    }

    fn next_round(el: &Election) -> u32 {
        el.last.as_ref().map_or(0, |d| d.number) + 1
    }

    /// §14.5 `acclamation`: the next round, the sole remaining candidate (check 6).
    fn acclamation(&mut self, el: &mut Election, e: &Entry) -> Step {
        self.round_start(el, e)?;
        let (r, c) =
            strict(&e.body, |rd| Ok((rd.u32()?, rd.u32()?))).map_err(|err| self.fail(6, err))?;
        let next = Self::next_round(el);
        self.ensure(r == next, 6, || format!("round {r}, the next is {next}"))?;
        self.ensure(el.remaining == [c], 6, || {
            format!("acclamation of {c} with {:?} remaining", el.remaining)
        })?;
        el.elected = Some(c);
        el.last = Some(Decided {
            number: r,
            tie: None,
            resolved: false,
        });
        self.pass(6);
        Ok(())
    }

    /// §14.5 `round_open`: the round, kind, candidates and contest §10.4 gives for the next
    /// round (check 6).
    fn round_open(&mut self, el: &mut Election, e: &Entry) -> Step {
        // §14.5: between rounds (check 6), after the roll (check 4), no tie pending (16).
        self.between(el, e)?;
        if self.board().manifest.roll.is_some() && self.roll.is_none() {
            return Err(self.fail(4, "RollMissing"));
        }
        self.round_start(el, e)?;
        let o = strict(&e.body, read_opening).map_err(|err| self.fail(6, err))?;
        let next = Self::next_round(el);
        self.ensure(o.number == next, 6, || {
            format!("round {}, the next is {next}", o.number)
        })?;
        let (candidates, k) = match o.yes_no {
            None => (el.remaining.clone(), el.remaining.len() as u64),
            Some(c) if el.remaining.contains(&c) => (vec![c], 2),
            Some(c) => return Err(self.fail(6, format!("yes/no on {c}, not remaining"))),
        };
        self.ensure(o.candidates == candidates, 6, || {
            format!("candidates {:?}, expected {candidates:?}", o.candidates)
        })?;
        let eligible = self.board().manifest.eligible;
        let contest = Contest::of_round(k, eligible);
        let same = (o.contest.index, o.contest.k, o.contest.min, o.contest.max)
            == (contest.index, contest.k, contest.min, contest.max)
            && (o.contest.abstention, o.contest.capacity) == (contest.abstention, contest.capacity);
        self.ensure(same, 6, || {
            format!(
                "contest {:?}, §10.4 gives {contest:?} ({:?})",
                o.contest, o.layout
            )
        })?;
        let layout = Layout::of(&contest);
        el.current = Current::Open(Box::new(Round {
            number: o.number,
            yes_no: o.yes_no,
            candidates,
            contest,
            layout,
            code: genesis(&el.f, o.number),
            cast: Vec::new(),
            counted_of: HashMap::new(),
            challenged: 0,
            cast_ids: HashSet::new(),
            challenged_ids: HashSet::new(),
            cast_alphas: HashSet::new(),
            challenged_alphas: HashSet::new(),
        }));
        self.pass(6);
        Ok(())
    }

    /// §14.5 `ballot` and `challenged`: while a round is open (check 6); it verifies (check 8)
    /// or opens correctly (check 9); it enters the box (check 10) with its code (§8.3).
    fn box_entry(&mut self, el: &mut Election, e: &Entry) -> Step {
        let Current::Open(r) = &mut el.current else {
            return Err(self.fail(6, format!("a {} while no round is open", e.name())));
        };
        self.pass(6);
        let y = el.keys.y;
        let f = el.f;
        let challenged = e.kind == entry::CHALLENGED;
        // §13: it decodes (8 or 9); its credential, present exactly with a roll and on it (7);
        // its shape (8; a challenged ballot's: 9); its signature (7); its proofs (8) or
        // opening (9); the box's rules (7 for CredentialReused, else 10).
        let ballot = if challenged {
            let ch = Challenged::decode(&e.body).map_err(|err| self.fail(9, err))?;
            let s = self.credential(&ch.ballot)?;
            shape(&r.layout, &ch.ballot).map_err(|err| self.fail(9, err))?;
            self.signature_check(&f, r, &ch.ballot, s)?;
            open_challenged(&el.f, &y, r.number, &r.contest, &r.layout, &ch)
                .map_err(|err| self.fail(9, err))?;
            self.pass(9);
            ch.ballot
        } else {
            let b = Ballot::decode(&e.body).map_err(|err| self.fail(8, err))?;
            let s = self.credential(&b)?;
            shape(&r.layout, &b).map_err(|err| self.fail(8, err))?;
            self.signature_check(&f, r, &b, s)?;
            verify_ballot(&el.f, &y, r.number, &r.contest, &r.layout, &b)
                .map_err(|err| self.fail(8, err))?;
            self.pass(8);
            b
        };
        if self.roll.is_some() {
            self.pass(7);
        }
        let replaces = self.board().manifest.roll;
        box_rule(r, &ballot, challenged, replaces).map_err(|(check, err)| self.fail(check, err))?;
        self.pass(10);
        r.code = next_code(&el.f, r.number, &r.code, challenged, &e.body);
        self.codes.push((self.k as u64, r.code));
        Ok(())
    }

    /// §14.5 `round_close`: while a round is open (check 6); the box's close (check 11).
    fn round_close(&mut self, el: &mut Election, e: &Entry) -> Step {
        let Current::Open(r) = &el.current else {
            return Err(self.fail(6, "a close while no round is open"));
        };
        self.pass(6);
        let announced = strict(&e.body, |rd| {
            Ok(Close {
                round: rd.u32()?,
                head: rd.array()?,
                cast: rd.u64()?,
                challenged: rd.u64()?,
                replaced: rd.u64()?,
            })
        })
        .map_err(|err| self.fail(11, err))?;
        let replaced = r.cast.iter().filter(|(_, gone)| *gone).count() as u64;
        let close = Close {
            round: r.number,
            head: r.code,
            cast: r.cast.len() as u64,
            challenged: r.challenged,
            replaced,
        };
        self.ensure(announced == close, 11, || {
            format!("close {announced:?}, the box's is {close:?}")
        })?;
        self.pass(11);
        if let Some(roll) = &self.roll {
            let counted = close.cast - close.replaced;
            self.ensure(counted <= roll.len() as u64, 7, || {
                format!("{counted} ballots counted, {} credentials", roll.len())
            })?;
        }
        let Current::Open(r) = std::mem::replace(&mut el.current, Current::Between) else {
            unreachable!("matched above");
        };
        el.current = Current::Closed(r, close, Vec::new());
        Ok(())
    }

    /// §14.5 `partial_decryption`: while a round is closed (check 6); the privacy floor
    /// (check 12); it decodes (check 13); its trustee field is its author (check 2); one per
    /// trustee (check 13); it verifies for the statement of §11.2 (check 13).
    fn partial(&mut self, el: &mut Election, e: &Entry) -> Step {
        let Current::Closed(r, close, partials) = &el.current else {
            return Err(self.fail(6, "a partial decryption while no round is closed"));
        };
        self.pass(6);
        let floor = self.board().manifest.privacy_floor;
        let counted = close.cast - close.replaced;
        self.ensure(counted >= floor, 12, || {
            format!("{counted} counted, the floor is {floor}")
        })?;
        self.pass(12);
        let p = Partial::decode(&e.body).map_err(|err| self.fail(13, err))?;
        self.ensure(p.trustee == e.index, 2, || {
            format!(
                "the partial of trustee {} posted by trustee {}",
                p.trustee, e.index
            )
        })?;
        let twice = partials.iter().any(|(i, _)| *i == p.trustee);
        self.ensure(!twice, 13, || format!("DuplicateTrustee {}", p.trustee))?;
        let tally = tally(r);
        statement_check(el, r, close, &tally, &p).map_err(|err| self.fail(13, err))?;
        self.pass(13);
        let Current::Closed(_, _, partials) = &mut el.current else {
            unreachable!("matched above");
        };
        partials.push((p.trustee, p));
        Ok(())
    }

    /// §14.5 `result`: while a round is closed (check 6); the first t partials in increasing
    /// trustee order combine to the announced totals (check 14); the rules give the announced
    /// decision (check 15).
    fn result(&mut self, el: &mut Election, e: &Entry) -> Step {
        let Current::Closed(r, close, partials) = &el.current else {
            return Err(self.fail(6, "a result while no round is closed"));
        };
        self.pass(6);
        let a = strict(&e.body, read_result).map_err(|err| self.fail(14, err))?;
        self.ensure(a.number == r.number, 14, || {
            format!(
                "a result of round {}, round {} is closed",
                a.number, r.number
            )
        })?;
        let t = el.keys.t as usize;
        let mut combined: Vec<&(u32, Partial)> = partials.iter().collect();
        combined.sort_by_key(|(i, _)| *i);
        self.ensure(combined.len() >= t, 14, || {
            format!("NotEnoughShares: {} partials, t = {t}", combined.len())
        })?;
        combined.truncate(t);
        let first: Vec<u32> = combined.iter().map(|(i, _)| *i).collect();
        self.ensure(a.combined == first, 14, || {
            format!("combined {:?}, the first t are {first:?}", a.combined)
        })?;
        let b = close.cast - close.replaced;
        let bound = r.layout.bound(b);
        let table = DiscreteLog::new(bound);
        let mut values = Vec::new();
        for (nu, (_, beta)) in tally(r).iter().enumerate() {
            let shares: RistrettoPoint = combined
                .iter()
                .map(|(i, p)| lagrange(*i, &first, 0) * p.shares[nu].0.p)
                .sum();
            let mu = table.log(&(beta.p - shares));
            values.push(mu.ok_or_else(|| {
                self.fail(14, format!("ciphertext {nu}: no logarithm in 0..={bound}"))
            })?);
        }
        let totals = r
            .layout
            .totals(&values, b)
            .map_err(|err| self.fail(14, err))?;
        self.ensure(a.totals == totals, 14, || {
            format!("totals {:?}, decrypted {totals:?}", a.totals)
        })?;
        self.pass(14);
        let m = &self.board().manifest;
        let decision = rules::decide(m, r.number, r.yes_no, &r.candidates, &totals)
            .map_err(|err| self.fail(15, err))?;
        self.ensure(decision.outcome == a.outcome, 15, || {
            format!(
                "result {:?}, the rules give {:?}",
                a.outcome, decision.outcome
            )
        })?;
        self.pass(15);
        if let Some(x) = a.outcome.eliminated {
            el.remaining.retain(|&y| y != x);
        }
        el.elected = a.outcome.elected;
        el.pending = decision.tie.clone();
        el.last = Some(Decided {
            number: r.number,
            tie: decision.tie,
            resolved: false,
        });
        el.current = Current::Between;
        Ok(())
    }

    /// Check 15: where the board stands.
    fn end(&self) -> String {
        let Some(el) = &self.election else {
            return match (&self.board, &self.run) {
                (None, _) => "no manifest".into(),
                (Some(_), None) => "no ceremony run yet".into(),
                (Some(_), Some(_)) => "the key ceremony is not finished".into(),
            };
        };
        match (&el.current, &el.pending, el.elected) {
            (Current::Open(r), _, _) => format!("round {} is open", r.number),
            (Current::Closed(r, _, p), _, _) => {
                format!("round {} is closed with {} partials", r.number, p.len())
            }
            (_, Some(tied), _) => format!("a tie for lowest is pending: {tied:?}"),
            (_, None, Some(c)) => format!("candidate {c} elected"),
            (_, None, None) => "nobody elected yet".into(),
        }
    }
}

/// §7: the tally of a box, the componentwise sum of its counted ballots (every cast ballot
/// not replaced).
fn tally(r: &Round) -> Vec<Ct> {
    let counted: Vec<&Ballot> = r
        .cast
        .iter()
        .filter(|(_, gone)| !gone)
        .map(|(b, _)| b)
        .collect();
    (0..r.layout.width())
        .map(|nu| {
            let sum =
                |pick: fn(&Ct) -> &Pt| Pt::of(counted.iter().map(|b| pick(&b.cts[nu]).p).sum());
            (sum(|ct| &ct.0), sum(|ct| &ct.1))
        })
        .collect()
}

/// §11.2: a partial for the statement the verifier builds (F, the key package, the close and
/// the tally it recomputes), with the fields that are compared and not in the transcript.
fn statement_check(el: &Election, r: &Round, close: &Close, tally: &[Ct], p: &Partial) -> Res<()> {
    let i = p.trustee;
    let Some(yi) = el.keys.share(i) else {
        return Err(format!("trustee {i} has no verification share"));
    };
    if p.round != r.number || p.shares.len() != tally.len() {
        return Err(format!(
            "a partial of round {} and width {}, the statement's are {} and {}",
            p.round,
            p.shares.len(),
            r.number,
            tally.len()
        ));
    }
    let mut prefix = root(&el.f, b"tabella.decryption.partial");
    prefix.append_message(b"public-keys", &el.keys_bytes);
    prefix.append_u64(b"round", u64::from(r.number));
    prefix.append_message(b"head", &close.head);
    prefix.append_u64(b"cast", close.cast);
    prefix.append_u64(b"challenged", close.challenged);
    prefix.append_u64(b"replaced", close.replaced);
    prefix.append_u64(b"width", tally.len() as u64);
    for ct in tally {
        append_ct(&mut prefix, b"C", ct);
    }
    let mut t = prefix;
    t.append_u64(b"trustee", u64::from(i));
    for (d, _) in &p.shares {
        t.append_message(b"D", &d.bytes);
    }
    for (nu, (d, proof)) in p.shares.iter().enumerate() {
        let mut tp = t.clone();
        tp.append_u64(b"k", nu as u64);
        if !proof.verify(&mut tp, &tally[nu].0, yi, d) {
            return Err(format!("trustee {i}: the proof of ciphertext {nu} fails"));
        }
    }
    Ok(())
}

/// §7's box rules for one entry, in the SPEC's order; `second` is the manifest's rule with a
/// roll (`Some(true)`: a second ballot replaces the first). A refusal names its check (7 for
/// `CredentialReused`, else 10).
fn box_rule(
    r: &mut Round,
    ballot: &Ballot,
    challenged: bool,
    second: Option<bool>,
) -> Result<(), (u8, String)> {
    let ten = |s: &str| (10, s.to_string());
    let alphas: Vec<[u8; 32]> = ballot.cts.iter().map(|ct| ct.0.bytes).collect();
    let twice = alphas.iter().collect::<HashSet<_>>().len() != alphas.len();
    let in_challenged = alphas.iter().any(|a| r.challenged_alphas.contains(a));
    let in_cast = alphas.iter().any(|a| r.cast_alphas.contains(a));
    if challenged {
        if r.cast_ids.contains(&ballot.id) || r.challenged_ids.contains(&ballot.id) {
            return Err(ten("DuplicateBallotId"));
        }
        if in_challenged {
            return Err(ten("ChallengedBallot (alpha)"));
        }
        if in_cast || twice {
            return Err(ten("DuplicateCiphertext"));
        }
        r.challenged += 1;
        r.challenged_ids.insert(ballot.id);
        r.challenged_alphas.extend(alphas);
        return Ok(());
    }
    // With a roll, the counted ballot this one's credential already has.
    let earlier = ballot
        .credential
        .and_then(|s| r.counted_of.get(&s).copied());
    if second == Some(false) && earlier.is_some() {
        return Err((7, "CredentialReused".into()));
    }
    let counted = r.cast.iter().filter(|(_, gone)| !gone).count() as u64;
    if r.contest.capacity.is_some_and(|n| counted >= n) && earlier.is_none() {
        return Err(ten("BallotBoxFull"));
    }
    if r.challenged_ids.contains(&ballot.id) {
        return Err(ten("ChallengedBallot (id)"));
    }
    if r.cast_ids.contains(&ballot.id) {
        return Err(ten("DuplicateBallotId"));
    }
    if in_challenged {
        return Err(ten("ChallengedBallot (alpha)"));
    }
    if in_cast || twice {
        return Err(ten("DuplicateCiphertext"));
    }
    r.cast_ids.insert(ballot.id);
    r.cast_alphas.extend(alphas);
    if let Some(k) = earlier {
        r.cast[k].1 = true; // §7: replaced, no longer counted
    }
    if let (Some(s), Some(_)) = (ballot.credential, second) {
        r.counted_of.insert(s, r.cast.len());
    }
    r.cast.push((ballot.clone(), false));
    Ok(())
}
