//! A second verifier, written from `docs/SPEC.md` alone: merlin, curve25519-dalek and SHA-512
//! directly, and none of tabella's types (only its re-exports of merlin and dalek).
//!
//! `tests/vectors.rs` runs it on every valid known-answer case and on the golden record, so
//! that the vectors are checked against the text of the spec as well as against the code. It
//! reads only valid inputs: any departure from the spec is a panic that names the section.
//! Each function quotes the section it implements.

use sha2::{Digest, Sha512};
use tabella::curve25519_dalek::constants::RISTRETTO_BASEPOINT_COMPRESSED;
use tabella::curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use tabella::curve25519_dalek::scalar::Scalar;
use tabella::curve25519_dalek::traits::{Identity, IsIdentity};
use tabella::merlin::Transcript;

use super::PROTOCOL_CHANGE;

/// §1: the protocol version and the protocol id.
pub const VERSION: u16 = 6;
pub const PROTOCOL_ID: &str = "tabella/v6";

/// §2.1: the object kinds this verifier reads.
pub mod kind {
    pub const MANIFEST: u8 = 1;
    pub const PUBLIC_KEY_PACKAGE: u8 = 2;
    pub const ROUND1: u8 = 3;
    pub const ROUND2: u8 = 4;
    pub const ROUND3: u8 = 5;
    pub const BALLOT: u8 = 6;
    pub const CHALLENGED: u8 = 7;
    pub const PARTIAL: u8 = 8;
    pub const RECORD: u8 = 9;
    pub const ENTRY: u8 = 13;
    pub const ROLL: u8 = 16;
}

/// Lowercase hex (§2).
pub fn hex(bytes: impl AsRef<[u8]>) -> String {
    bytes.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// The encoding of G.
pub fn g() -> [u8; 32] {
    RISTRETTO_BASEPOINT_COMPRESSED.to_bytes()
}

pub fn point(bytes: &[u8]) -> RistrettoPoint {
    let array: [u8; 32] = bytes.try_into().expect("32 bytes");
    CompressedRistretto(array)
        .decompress()
        .expect("§2: a canonical point")
}

/// §2: a point that must not be the identity.
pub fn non_identity(bytes: &[u8], what: &str) -> RistrettoPoint {
    let p = point(bytes);
    assert!(!p.is_identity(), "§2: {what} must not be the identity");
    p
}

pub fn scalar(bytes: &[u8]) -> Scalar {
    let array: [u8; 32] = bytes.try_into().expect("32 bytes");
    Option::from(Scalar::from_canonical_bytes(array)).expect("§2: a canonical scalar")
}

pub fn enc(p: &RistrettoPoint) -> [u8; 32] {
    p.compress().to_bytes()
}

/// Hex of a scalar.
pub fn sx(s: &Scalar) -> String {
    hex(s.as_bytes())
}

/// §8.1: H(p₁, …, p_z) = SHA-512(LE64(|p₁|) ‖ p₁ ‖ …)[..32].
pub fn h(parts: &[&[u8]]) -> [u8; 32] {
    let mut hash = Sha512::new();
    for p in parts {
        hash.update((p.len() as u64).to_le_bytes());
        hash.update(p);
    }
    let digest: [u8; 64] = hash.finalize().into();
    digest[..32].try_into().expect("32 bytes")
}

/// §8.5: Crockford base32 of the first 80 bits, in four groups of four.
pub fn short(code: &[u8; 32]) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let bits = code[..10]
        .iter()
        .fold(0u128, |acc, b| (acc << 8) | u128::from(*b));
    (0..16)
        .map(|i| {
            let digit = char::from(ALPHABET[((bits >> (75 - 5 * i)) & 31) as usize]);
            if i > 0 && i % 4 == 0 {
                format!("-{digit}")
            } else {
                digit.to_string()
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// §2: reading an encoding
// ---------------------------------------------------------------------------------------------

/// A cursor over an encoding that must be valid: every short read is a panic naming `what`.
pub struct Bytes<'a> {
    rest: &'a [u8],
    what: &'static str,
}

impl<'a> Bytes<'a> {
    pub fn new(what: &'static str, bytes: &'a [u8]) -> Self {
        Bytes { rest: bytes, what }
    }

    pub fn take(&mut self, n: usize) -> &'a [u8] {
        assert!(
            n <= self.rest.len(),
            "{}: {n} bytes wanted, {} left",
            self.what,
            self.rest.len()
        );
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        head
    }

    pub fn array(&mut self) -> [u8; 32] {
        self.take(32).try_into().expect("32 bytes")
    }

    /// What is left to read.
    pub fn rest(&self) -> &'a [u8] {
        self.rest
    }

    /// The bytes read since `start` (an earlier [`Bytes::rest`]).
    pub fn since(&self, start: &'a [u8]) -> &'a [u8] {
        &start[..start.len() - self.rest.len()]
    }

    pub fn u8(&mut self) -> u8 {
        self.take(1)[0]
    }

    /// §2: a flag is 0 or 1.
    pub fn flag(&mut self) -> bool {
        match self.u8() {
            0 => false,
            1 => true,
            f => panic!("{}: flag {f} (§2: 0 or 1)", self.what),
        }
    }

    pub fn le16(&mut self) -> u16 {
        u16::from_le_bytes(self.take(2).try_into().expect("2 bytes"))
    }

    pub fn le32(&mut self) -> u32 {
        u32::from_le_bytes(self.take(4).try_into().expect("4 bytes"))
    }

    pub fn le64(&mut self) -> u64 {
        u64::from_le_bytes(self.take(8).try_into().expect("8 bytes"))
    }

    /// A count (LE32), checked against the remaining bytes before anything is allocated (§2).
    pub fn count(&mut self, smallest_item: usize) -> usize {
        let n = self.le32() as usize;
        assert!(
            n * smallest_item <= self.rest.len(),
            "{}: a count of {n} does not fit",
            self.what
        );
        n
    }

    /// §12.1: blob(x) = LE32(|x|) ‖ x.
    pub fn blob(&mut self) -> &'a [u8] {
        let n = self.count(1);
        self.take(n)
    }

    /// §2.1: the header of an object of `kind`, in this protocol version.
    pub fn header(&mut self, kind: u8) {
        assert_eq!(self.take(2), b"tb", "{}: §2.1 magic", self.what);
        assert_eq!(self.u8(), kind, "{}: §2.1 kind", self.what);
        assert_eq!(self.le16(), VERSION, "{}: §2.1 version", self.what);
    }

    /// §2: no trailing bytes.
    pub fn finish(self) {
        assert!(
            self.rest.is_empty(),
            "{}: {} trailing bytes",
            self.what,
            self.rest.len()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// §3: transcripts, logged for the worked example
// ---------------------------------------------------------------------------------------------

/// One merlin operation, for the worked example.
#[derive(Clone, Debug)]
pub enum Op {
    New(&'static str),
    Message {
        label: &'static str,
        value: Vec<u8>,
        ascii: bool,
    },
    U64 {
        label: &'static str,
        value: u64,
    },
    /// A challenge scalar (§3.2): 64 bytes reduced mod ℓ.
    Challenge {
        label: &'static str,
        bytes: Vec<u8>,
        scalar: Scalar,
    },
    /// A byte string drawn from the transcript (§3.2).
    Draw {
        label: &'static str,
        bytes: Vec<u8>,
    },
}

/// A merlin transcript that logs every operation.
#[derive(Clone)]
pub struct Log {
    transcript: Transcript,
    pub ops: Vec<Op>,
}

impl Log {
    /// §3.1: root(fp, L).
    pub fn root(fingerprint: &[u8], domain: &[u8]) -> Log {
        let mut log = Log {
            transcript: Transcript::new(PROTOCOL_ID.as_bytes()),
            ops: vec![Op::New(PROTOCOL_ID)],
        };
        log.u64("version", u64::from(VERSION));
        log.msg("fingerprint", fingerprint);
        log.text("dom-sep", domain);
        log
    }

    pub fn msg(&mut self, label: &'static str, value: &[u8]) {
        self.transcript.append_message(label.as_bytes(), value);
        self.ops.push(Op::Message {
            label,
            value: value.to_vec(),
            ascii: false,
        });
    }

    /// Like [`Log::msg`], for a value that is ASCII text (shown as text in the example).
    pub fn text(&mut self, label: &'static str, value: &[u8]) {
        self.transcript.append_message(label.as_bytes(), value);
        self.ops.push(Op::Message {
            label,
            value: value.to_vec(),
            ascii: true,
        });
    }

    pub fn u64(&mut self, label: &'static str, value: u64) {
        self.transcript.append_u64(label.as_bytes(), value);
        self.ops.push(Op::U64 { label, value });
    }

    /// §3: a ciphertext is `msg(label, "ciphertext")`, `msg("alpha", α)`, `msg("beta", β)`.
    pub fn ciphertext(&mut self, label: &'static str, alpha: &[u8; 32], beta: &[u8; 32]) {
        self.text(label, b"ciphertext");
        self.msg("alpha", alpha);
        self.msg("beta", beta);
    }

    /// §3.2: challenge(label) = H-wide(chal(label, 64)).
    pub fn challenge(&mut self, label: &'static str) -> Scalar {
        let mut bytes = [0u8; 64];
        self.transcript
            .challenge_bytes(label.as_bytes(), &mut bytes);
        let scalar = Scalar::from_bytes_mod_order_wide(&bytes);
        self.ops.push(Op::Challenge {
            label,
            bytes: bytes.to_vec(),
            scalar,
        });
        scalar
    }

    /// §3.2: chal(label, 32), a byte string drawn from the transcript.
    pub fn draw32(&mut self, label: &'static str) -> [u8; 32] {
        let mut bytes = [0u8; 32];
        self.transcript
            .challenge_bytes(label.as_bytes(), &mut bytes);
        self.ops.push(Op::Draw {
            label,
            bytes: bytes.to_vec(),
        });
        bytes
    }
}

fn holds(equation: RistrettoPoint, what: &str) {
    assert!(
        equation.is_identity(),
        "{what}: the verification equation of docs/SPEC.md fails with the challenge \
         replayed from the spec's transcript: {PROTOCOL_CHANGE}"
    );
}

// ---------------------------------------------------------------------------------------------
// §5: proofs
// ---------------------------------------------------------------------------------------------

/// §5.1 on a transcript that holds the root: returns c after checking s·G − R − c·X = 0.
pub fn schnorr(log: &mut Log, x: &[u8; 32], proof: &[u8]) -> Scalar {
    assert_eq!(proof.len(), 64, "§5.1: R ‖ s");
    let (r, s) = proof.split_at(32);
    log.text("dom-sep", b"tabella.proof.schnorr");
    log.msg("G", &g());
    log.msg("X", x);
    log.msg("R", r);
    let c = log.challenge("c");
    holds(
        RistrettoPoint::mul_base(&scalar(s)) - point(r) - c * point(x),
        "Schnorr",
    );
    c
}

/// §5.2: returns c after checking both equations.
pub fn dleq(log: &mut Log, h: &[u8; 32], y: &[u8; 32], d: &[u8; 32], proof: &[u8]) -> Scalar {
    assert_eq!(proof.len(), 96, "§5.2: R₁ ‖ R₂ ‖ s");
    let (r1, rest) = proof.split_at(32);
    let (r2, s) = rest.split_at(32);
    log.text("dom-sep", b"tabella.proof.dleq");
    log.msg("G", &g());
    log.msg("H", h);
    log.msg("Y", y);
    log.msg("D", d);
    log.msg("R1", r1);
    log.msg("R2", r2);
    let c = log.challenge("c");
    let s = scalar(s);
    holds(
        RistrettoPoint::mul_base(&s) - point(r1) - c * point(y),
        "DLEQ (G)",
    );
    holds(s * point(h) - point(r2) - c * point(d), "DLEQ (H)");
    c
}

/// A membership proof split by the layout of §5.3, with its challenges.
#[derive(Clone, Debug)]
pub struct Membership {
    pub a: Vec<[u8; 32]>,
    pub b: Vec<[u8; 32]>,
    /// All h challenges: the h − 1 of the proof, then the implied one.
    pub challenges: Vec<Scalar>,
    pub z: Vec<Scalar>,
    /// The transcript challenge c.
    pub c: Scalar,
}

/// §5.3: appends the statement and commitments, draws c, checks every equation.
pub fn membership(
    log: &mut Log,
    y: &[u8; 32],
    alpha: &[u8; 32],
    beta: &[u8; 32],
    set: &[u64],
    proof: &[u8],
) -> Membership {
    let h = set.len();
    assert_eq!(proof.len(), 128 * h - 32, "§5.3: 128·h − 32 bytes");
    let chunks: Vec<&[u8]> = proof.chunks(32).collect();
    let a: Vec<[u8; 32]> = (0..h).map(|j| chunks[2 * j].try_into().unwrap()).collect();
    let b: Vec<[u8; 32]> = (0..h)
        .map(|j| chunks[2 * j + 1].try_into().unwrap())
        .collect();
    let mut challenges: Vec<Scalar> = (0..h - 1).map(|j| scalar(chunks[2 * h + j])).collect();
    let z: Vec<Scalar> = (0..h).map(|j| scalar(chunks[3 * h - 1 + j])).collect();

    log.text("dom-sep", b"tabella.proof.membership");
    log.msg("G", &g());
    log.msg("Y", y);
    log.ciphertext("C", alpha, beta);
    log.u64("k", h as u64);
    for s in set {
        log.u64("s", *s);
    }
    for j in 0..h {
        log.msg("A", &a[j]);
        log.msg("B", &b[j]);
    }
    let c = log.challenge("c");
    let implied = c - challenges.iter().sum::<Scalar>();
    challenges.push(implied);
    let (yp, ap, bp) = (point(y), point(alpha), point(beta));
    for j in 0..h {
        let cj = challenges[j];
        holds(
            RistrettoPoint::mul_base(&z[j]) - point(&a[j]) - cj * ap,
            "membership (α)",
        );
        holds(
            z[j] * yp - point(&b[j]) - cj * bp
                + RistrettoPoint::mul_base(&(cj * Scalar::from(set[j]))),
            "membership (β)",
        );
    }
    Membership {
        a,
        b,
        challenges,
        z,
        c,
    }
}

/// §5.5: the radix (e, d) for w′ statements: d = 1 and e = w′ when w′ ≤ 8; otherwise d = 2
/// and e = ⌈√w′⌉.
pub fn radix(w: usize) -> (usize, usize) {
    assert!((2..=1026).contains(&w), "§5.5: 2 ≤ w′ ≤ 1026");
    if w <= 8 {
        (w, 1)
    } else {
        let e = (1..).find(|e| e * e >= w).unwrap();
        (e, 2)
    }
}

/// §5.5: H_t = `from_uniform_bytes`(SHA-512("tabella.generators" ‖ LE32(t))).
pub fn generator(t: u32) -> RistrettoPoint {
    let mut hash = Sha512::new();
    hash.update(b"tabella.generators");
    hash.update(t.to_le_bytes());
    let digest: [u8; 64] = hash.finalize().into();
    RistrettoPoint::from_uniform_bytes(&digest)
}

/// A one-out-of-many proof split by the layout of §5.5, with its challenges (public for the
/// vector test's worked examples, which may read any of them).
#[allow(dead_code)]
#[derive(Clone, Debug)]
pub struct OneOfMany {
    pub e: usize,
    pub d: usize,
    pub a_delta: [u8; 32],
    pub a_a: [u8; 32],
    pub a_m: [u8; 32],
    pub a_q: [u8; 32],
    /// (G_κ^α, G_κ^β) for κ < d.
    pub g: Vec<([u8; 32], [u8; 32])>,
    /// f_{j,i} for every i < e, f_{j,0} = c − Σ_{i≥1} f_{j,i} the implied one.
    pub f: Vec<Vec<Scalar>>,
    pub z_delta: Scalar,
    pub z_m: Scalar,
    pub z: Scalar,
    pub gamma: Scalar,
    pub c: Scalar,
    /// M(c), over all N′ = e^d padded statements.
    pub m_c: Scalar,
}

/// §5.5: appends the statement, draws γ, appends the commitments, draws c, and checks
/// equations (1)–(4) directly; a proof whose (e, d) are not those of w′ is refused first.
pub fn one_of_many(
    log: &mut Log,
    y: &[u8; 32],
    ciphertexts: &[([u8; 32], [u8; 32])],
    statements: &[(u64, u64)],
    (e, d): (usize, usize),
    proof: &[u8],
) -> OneOfMany {
    let w = statements.len();
    assert_eq!((e, d), radix(w), "§5.5: the radix of w′ = {w}");
    assert_eq!(
        proof.len(),
        32 * (4 + 2 * d + d * (e - 1) + 3),
        "§5.5: 32·(4 + 2d + d·(e − 1) + 3) bytes"
    );
    let chunks: Vec<&[u8]> = proof.chunks(32).collect();
    let arr = |k: usize| -> [u8; 32] { chunks[k].try_into().unwrap() };
    let (a_delta, a_a, a_m, a_q) = (arr(0), arr(1), arr(2), arr(3));
    for commitment in &chunks[..4 + 2 * d] {
        point(commitment);
    }
    let g_k: Vec<([u8; 32], [u8; 32])> = (0..d).map(|k| (arr(4 + 2 * k), arr(5 + 2 * k))).collect();
    let f_at = 4 + 2 * d;
    let sent: Vec<Vec<Scalar>> = (0..d)
        .map(|j| {
            (1..e)
                .map(|i| scalar(chunks[f_at + j * (e - 1) + i - 1]))
                .collect()
        })
        .collect();
    let z_at = f_at + d * (e - 1);
    let (z_delta, z_m, z) = (
        scalar(chunks[z_at]),
        scalar(chunks[z_at + 1]),
        scalar(chunks[z_at + 2]),
    );

    log.text("dom-sep", b"tabella.proof.one-of-many");
    log.msg("G", &g());
    log.msg("Y", y);
    log.u64("m", ciphertexts.len() as u64);
    for (alpha, beta) in ciphertexts {
        log.ciphertext("C", alpha, beta);
    }
    log.u64("w", w as u64);
    for (at, value) in statements {
        log.u64("at", *at);
        log.u64("value", *value);
    }
    log.u64("radix", e as u64);
    log.u64("digits", d as u64);
    let gamma = log.challenge("gamma");
    log.msg("A-delta", &a_delta);
    log.msg("A-a", &a_a);
    log.msg("A-m", &a_m);
    log.msg("A-q", &a_q);
    for (ga, gb) in &g_k {
        log.msg("G-alpha", ga);
        log.msg("G-beta", gb);
    }
    let c = log.challenge("c");

    let f: Vec<Vec<Scalar>> = sent
        .iter()
        .map(|row| {
            let mut full = vec![c - row.iter().sum::<Scalar>()];
            full.extend(row);
            full
        })
        .collect();
    let power = |x: Scalar, n: u64| (0..n).fold(Scalar::ONE, |acc, _| acc * x);
    // M(c) = Σ_{σ<N′} (Π_j f_{j,σ_j})·μ_σ, the list padded by repeating its last statement.
    let padded = e.pow(d as u32);
    let m_c: Scalar = (0..padded)
        .map(|sigma| {
            let (at, value) = statements[sigma.min(w - 1)];
            assert!((at as usize) < ciphertexts.len(), "§5.5: a_σ < g");
            let mu = power(gamma, at) * Scalar::from(value);
            let digits = (0..d).map(|j| (sigma / e.pow(j as u32)) % e);
            digits.zip(&f).map(|(i, row)| row[i]).product::<Scalar>() * mu
        })
        .sum();
    let yp = point(y);
    let (mut alpha_g, mut beta_g) = (RistrettoPoint::identity(), RistrettoPoint::identity());
    for (nu, (alpha, beta)) in ciphertexts.iter().enumerate() {
        let x = power(gamma, nu as u64);
        alpha_g += x * point(alpha);
        beta_g += x * point(beta);
    }
    let (mut g_alpha, mut g_beta) = (RistrettoPoint::identity(), RistrettoPoint::identity());
    for (kappa, (ga, gb)) in g_k.iter().enumerate() {
        let x = power(c, kappa as u64);
        g_alpha += x * point(ga);
        g_beta += x * point(gb);
    }
    let cd = power(c, d as u64);
    holds(
        cd * alpha_g - g_alpha - RistrettoPoint::mul_base(&z),
        "one-out-of-many (1)",
    );
    holds(
        cd * beta_g - RistrettoPoint::mul_base(&m_c) - g_beta - z * yp,
        "one-out-of-many (2)",
    );
    let h0 = generator(0);
    let mut eq3 = c * point(&a_delta) + point(&a_a) - z_delta * h0;
    let mut eq4 = c * point(&a_m) + point(&a_q) - z_m * h0;
    for (j, row) in f.iter().enumerate() {
        for (i, fji) in row.iter().enumerate() {
            let h = generator((1 + j * e + i) as u32);
            eq3 -= fji * h;
            eq4 -= (fji * (c - fji)) * h;
        }
    }
    holds(eq3, "one-out-of-many (3)");
    holds(eq4, "one-out-of-many (4)");
    OneOfMany {
        e,
        d,
        a_delta,
        a_a,
        a_m,
        a_q,
        g: g_k,
        f,
        z_delta,
        z_m,
        z,
        gamma,
        c,
        m_c,
    }
}

// ---------------------------------------------------------------------------------------------
// §6: contests, layouts and ballots
// ---------------------------------------------------------------------------------------------

/// A contest as §6 describes it.
#[derive(Clone, Copy, Debug)]
pub struct Contest {
    pub index: u32,
    pub options: u32,
    pub min: u32,
    pub max: u32,
    pub abstention: bool,
    /// N, when the box has a capacity.
    pub capacity: Option<u64>,
}

impl Contest {
    /// §10.4: the contest of an election round with k options (index 0, min = max = 1,
    /// abstention, capacity N = the manifest's eligible members).
    pub fn of_round(options: u32, eligible: u64) -> Self {
        Contest {
            index: 0,
            options,
            min: 1,
            max: 1,
            abstention: true,
            capacity: Some(eligible),
        }
    }

    /// w: the options, then the abstention.
    pub fn slots(&self) -> usize {
        self.options as usize + usize::from(self.abstention)
    }

    /// §6.3: (B, s) when the contest is packed (layout 1 or 2).
    pub fn packing(&self) -> Option<(u64, usize)> {
        let n = self.capacity.filter(|n| *n > 0 && self.max == 1)?;
        let base = u128::from(n) + 1;
        let w = self.slots();
        let fits = |s: usize| {
            base.checked_pow(s as u32 - 1)
                .and_then(|p| p.checked_mul(u128::from(n)))
                .is_some_and(|top| top <= 1 << 40)
        };
        let s = (1..=w).take_while(|s| fits(*s)).last().unwrap_or(1);
        (s >= 2).then_some((base as u64, s))
    }

    /// §6.3: w′ = w + (1 if min = 0), the statements of a selection: one slot, or the blank.
    pub fn statement_count(&self) -> usize {
        self.slots() + usize::from(self.min == 0)
    }

    /// §6.3: the layout tag (§6.1, §14.4): 0 per option, 1 packed with a count proof (g = 1
    /// and w′ ≤ 3), 2 packed with one one-out-of-many proof (every other packed contest).
    pub fn layout(&self) -> u64 {
        match self.packing() {
            None => 0,
            Some(_) if self.ciphertexts() == 1 && self.statement_count() <= 3 => 1,
            Some(_) => 2,
        }
    }

    /// §6.1, §14.4, §16.3: (layout, B or 0, s or 0).
    pub fn layout_fields(&self) -> (u64, u64, u64) {
        match self.packing() {
            None => (0, 0, 0),
            Some((base, s)) => (self.layout(), base, s as u64),
        }
    }

    /// §6.3, layout 2: the w′ statements (a_σ, v_σ) of the one-out-of-many proof: slot σ as
    /// (⌊σ/s⌋, B^(σ mod s)), then the blank (0, 0) when min = 0. Empty in layouts 0 and 1.
    pub fn statements(&self) -> Vec<(u64, u64)> {
        match self.packing() {
            Some((base, s)) if self.layout() == 2 => {
                let mut list: Vec<(u64, u64)> = (0..self.slots())
                    .map(|sigma| ((sigma / s) as u64, base.pow((sigma % s) as u32)))
                    .collect();
                if self.min == 0 {
                    list.push((0, 0));
                }
                list
            }
            _ => Vec::new(),
        }
    }

    /// m: the number of ciphertexts.
    pub fn ciphertexts(&self) -> usize {
        match self.packing() {
            None => self.slots(),
            Some((_, s)) => self.slots().div_ceil(s),
        }
    }

    /// The number of slots of each ciphertext (s_ν; 1 per option).
    pub fn chunk_sizes(&self) -> Vec<usize> {
        match self.packing() {
            None => vec![1; self.slots()],
            Some((_, s)) => (0..self.slots())
                .collect::<Vec<_>>()
                .chunks(s)
                .map(<[usize]>::len)
                .collect(),
        }
    }

    /// §6: whether 0/1 slot values are a valid selection.
    pub fn is_selection(&self, values: &[u8]) -> bool {
        let k = self.options as usize;
        if values.len() != self.slots() || values.iter().any(|v| *v > 1) {
            return false;
        }
        let chosen: u32 = values[..k].iter().map(|v| u32::from(*v)).sum();
        let abstains = self.abstention && values[k] == 1;
        if abstains {
            chosen == 0
        } else {
            self.min <= chosen && chosen <= self.max
        }
    }

    /// §6.3: the plaintext of each ciphertext for 0/1 slot values.
    pub fn plaintexts(&self, values: &[u8]) -> Vec<u64> {
        match self.packing() {
            None => values.iter().map(|v| u64::from(*v)).collect(),
            Some((base, s)) => values
                .chunks(s)
                .map(|chunk| {
                    (0u32..)
                        .zip(chunk)
                        .map(|(i, v)| u64::from(*v) * base.pow(i))
                        .sum()
                })
                .collect(),
        }
    }

    /// §6.3: the set S_ν of each ciphertext's own proof (per option only: packed layouts
    /// have none).
    pub fn ciphertext_sets(&self) -> Vec<Vec<u64>> {
        match self.packing() {
            None => vec![vec![0, 1]; self.slots()],
            Some(_) => Vec::new(),
        }
    }

    /// §6.3: the weight ω_ν of ciphertext ν in the count ciphertext.
    pub fn count_weight(&self, j: usize) -> u64 {
        if self.packing().is_none() && j >= self.options as usize {
            u64::from(self.max)
        } else {
            1
        }
    }

    /// §6.3: the count set S_Σ (layout 1: (0 if min = 0, then) 1, B, …, B^(w−1)); layout 2
    /// has no count proof, and so none.
    pub fn count_set(&self) -> Vec<u64> {
        match self.packing() {
            None => (u64::from(self.min)..=u64::from(self.max)).collect(),
            Some(_) if self.layout() == 2 => Vec::new(),
            Some((base, _)) => {
                let mut set = if self.min == 0 { vec![0] } else { vec![] };
                set.extend((0..self.slots() as u32).map(|i| base.pow(i)));
                set
            }
        }
    }

    /// §6.3: the largest value a tally ciphertext over b ballots decrypts to.
    pub fn tally_bound(&self, ballots: u64) -> u64 {
        match self.packing() {
            None => ballots,
            Some((base, s)) => ballots * base.pow(s.min(self.slots()) as u32 - 1),
        }
    }

    /// §6.3, §7: the slot totals of the decrypted tally values; none above b.
    pub fn slot_totals(&self, values: &[u64], ballots: u64) -> Vec<u64> {
        let totals: Vec<u64> = match self.packing() {
            None => values.to_vec(),
            Some((base, _)) => values
                .iter()
                .zip(self.chunk_sizes())
                .flat_map(|(value, size)| {
                    let mut rest = *value;
                    let digits: Vec<u64> = (0..size)
                        .map(|_| {
                            let digit = rest % base;
                            rest /= base;
                            digit
                        })
                        .collect();
                    assert_eq!(rest, 0, "§6.3: more digits than the chunk has slots");
                    digits
                })
                .collect(),
        };
        assert!(
            totals.iter().all(|t| *t <= ballots),
            "§7: a slot total above b"
        );
        totals
    }
}

/// A ballot split by the layout of §6.2, verified by §6.1 and §5.3 (proof form 0) or §5.5
/// (proof form 1). (Public for the vector test, which reads the fields it needs.)
#[allow(dead_code)]
pub struct Ballot {
    pub id: [u8; 32],
    pub credential: Option<[u8; 32]>,
    /// m: the ciphertext count.
    pub m: u32,
    /// The proof form byte (§6.2): 0 membership proofs, 1 one-out-of-many.
    pub form: u8,
    /// h_Σ: the count proof's branch count (0 in form 1, which has no count proof).
    pub count_branches: u32,
    pub ciphertexts: Vec<([u8; 32], [u8; 32])>,
    /// The count proof's bytes; in form 1, the one-out-of-many proof's (after LE32(e) ‖
    /// LE32(d)).
    pub count_proof: Vec<u8>,
    /// The ballot transcript T_b.
    pub base: Log,
    /// Per ciphertext proof: the forked transcript (T_b's operations first) and the proof.
    pub options: Vec<(Log, Membership)>,
    /// The count ciphertext, its transcript and proof. In form 1 there is no count proof: the
    /// ciphertext is C_γ = Σ_ν γ^ν·C_ν (§5.5), the transcript T_Σ after the one-out-of-many
    /// proof, and the membership proof is empty (no branch) with the §5.5 challenge c.
    pub count_ciphertext: ([u8; 32], [u8; 32]),
    pub count: (Log, Membership),
    /// Form 1 (layout 2): the one-out-of-many proof, verified on T_Σ.
    pub one_of_many: Option<OneOfMany>,
    /// The body (§6.2: the encoding up to the signature) and the signature R ‖ s, with a
    /// credential (§16.3).
    pub body: Vec<u8>,
    pub signature: Option<[u8; 64]>,
}

/// §6.2 and §6.1: reads one ballot (header included) and verifies it for (F, Y, r, contest).
pub fn read_ballot(
    bytes: &mut Bytes<'_>,
    fingerprint: &[u8; 32],
    y: &[u8; 32],
    round: u32,
    contest: Contest,
) -> Ballot {
    // §6.2
    let start = bytes.rest();
    bytes.header(kind::BALLOT);
    let id = bytes.array();
    let credential = bytes.flag().then(|| bytes.array());
    let m = bytes.le32();
    assert_eq!(m as usize, contest.ciphertexts(), "§6.2: m");
    let ciphertexts: Vec<([u8; 32], [u8; 32])> = (0..m)
        .map(|_| {
            let alpha = bytes.array();
            non_identity(&alpha, "α");
            (alpha, bytes.array())
        })
        .collect();
    let form = bytes.u8();
    let layout = contest.layout();
    assert_eq!(
        u64::from(form),
        u64::from(layout == 2),
        "§6.2: the proof form of layout {layout}"
    );
    let sets = contest.ciphertext_sets();
    let count_set = contest.count_set();
    let (option_proofs, count_branches, count_proof, radix_read) = if form == 0 {
        assert_eq!(bytes.le32() as usize, sets.len(), "§6.2: p");
        let option_proofs: Vec<&[u8]> = sets
            .iter()
            .map(|set| {
                let h = bytes.le32() as usize;
                assert_eq!(h, set.len(), "§6.2: h_ν");
                bytes.take(128 * h - 32)
            })
            .collect();
        let count_branches = bytes.le32();
        assert_eq!(count_branches as usize, count_set.len(), "§6.2: h_Σ");
        let count_proof = bytes.take(128 * count_branches as usize - 32).to_vec();
        (option_proofs, count_branches, count_proof, None)
    } else {
        let (e, d) = (bytes.le32() as usize, bytes.le32() as usize);
        assert!(
            (d == 1 && (2..=8).contains(&e)) || (d == 2 && (3..=33).contains(&e)),
            "§6.2: a radix d = 1 with 2 ≤ e ≤ 8 or d = 2 with 3 ≤ e ≤ 33"
        );
        assert_eq!(
            (e, d),
            radix(contest.statement_count()),
            "§6.2, §6.3: e and d of w′"
        );
        let proof = bytes.take(32 * (4 + 2 * d + d * (e - 1) + 3)).to_vec();
        (Vec::new(), 0, proof, Some((e, d)))
    };
    let body = bytes.since(start).to_vec();
    // §6.2, §16.3: the signature after the proofs, iff a credential.
    let signature: Option<[u8; 64]> = credential.map(|_| {
        let sig: [u8; 64] = bytes.take(64).try_into().unwrap();
        point(&sig[..32]);
        scalar(&sig[32..]);
        sig
    });

    // §6.1
    let mut base = Log::root(fingerprint, b"tabella.ballot");
    base.u64("round", u64::from(round));
    base.u64("contest", u64::from(contest.index));
    base.u64("options", u64::from(contest.options));
    base.u64("min", u64::from(contest.min));
    base.u64("max", u64::from(contest.max));
    base.u64("abstention", u64::from(contest.abstention));
    base.u64("capacity", contest.capacity.unwrap_or(0));
    let (layout_tag, b_base, chunk) = contest.layout_fields();
    base.u64("layout", layout_tag);
    base.u64("base", b_base);
    base.u64("chunk", chunk);
    base.msg("ballot-id", &id);
    base.msg(
        "credential",
        credential.as_ref().map_or(&[][..], |c| &c[..]),
    );
    for (alpha, beta) in &ciphertexts {
        base.ciphertext("C", alpha, beta);
    }
    let options = ciphertexts
        .iter()
        .zip(&option_proofs)
        .zip(&sets)
        .enumerate()
        .map(|(j, (((alpha, beta), proof), set))| {
            let mut t = base.clone();
            t.text("dom-sep", b"tabella.ballot.option");
            t.u64("option", j as u64);
            let m = membership(&mut t, y, alpha, beta, set, proof);
            (t, m)
        })
        .collect();
    if let Some(radix) = radix_read {
        // §6.1, layout 2: one §5.5 proof on T_Σ over all m ciphertexts and the w′ statements.
        let mut t = base.clone();
        t.text("dom-sep", b"tabella.ballot.count");
        let proof = one_of_many(
            &mut t,
            y,
            &ciphertexts,
            &contest.statements(),
            radix,
            &count_proof,
        );
        let (mut alpha_g, mut beta_g) = (RistrettoPoint::identity(), RistrettoPoint::identity());
        let mut x = Scalar::ONE;
        for (alpha, beta) in &ciphertexts {
            alpha_g += x * point(alpha);
            beta_g += x * point(beta);
            x *= proof.gamma;
        }
        let empty = Membership {
            a: Vec::new(),
            b: Vec::new(),
            challenges: Vec::new(),
            z: Vec::new(),
            c: proof.c,
        };
        return Ballot {
            id,
            credential,
            m,
            form,
            count_branches,
            ciphertexts,
            count_proof,
            base,
            options,
            count_ciphertext: (enc(&alpha_g), enc(&beta_g)),
            count: (t, empty),
            one_of_many: Some(proof),
            body,
            signature,
        };
    }
    // (α_Σ, β_Σ) = Σ ω_ν·(α_ν, β_ν); a single ciphertext is its own count ciphertext.
    let count_ciphertext = if ciphertexts.len() == 1 {
        ciphertexts[0]
    } else {
        let mut n_alpha = RistrettoPoint::identity();
        let mut n_beta = RistrettoPoint::identity();
        for (j, (alpha, beta)) in ciphertexts.iter().enumerate() {
            let weight = Scalar::from(contest.count_weight(j));
            n_alpha += weight * point(alpha);
            n_beta += weight * point(beta);
        }
        (enc(&n_alpha), enc(&n_beta))
    };
    let mut t = base.clone();
    t.text("dom-sep", b"tabella.ballot.count");
    let m_count = membership(
        &mut t,
        y,
        &count_ciphertext.0,
        &count_ciphertext.1,
        &count_set,
        &count_proof,
    );
    Ballot {
        id,
        credential,
        m,
        form,
        count_branches,
        ciphertexts,
        count_proof,
        base,
        options,
        count_ciphertext,
        count: (t, m_count),
        one_of_many: None,
        body,
        signature,
    }
}

/// §16.3: checks a ballot's signature under its credential S (which the caller found on the
/// roll), for (F, r, contest); returns the transcript and c.
pub fn ballot_signature(
    fingerprint: &[u8; 32],
    round: u32,
    contest: Contest,
    ballot: &Ballot,
) -> (Log, Scalar) {
    let s = ballot
        .credential
        .expect("§16.3: a signed ballot has a credential");
    let signature = ballot
        .signature
        .expect("§6.2: a credential has a signature");
    let mut log = Log::root(fingerprint, b"tabella.ballot.signature");
    log.u64("round", u64::from(round));
    log.u64("contest", u64::from(contest.index));
    log.u64("options", u64::from(contest.options));
    log.u64("min", u64::from(contest.min));
    log.u64("max", u64::from(contest.max));
    log.u64("abstention", u64::from(contest.abstention));
    log.u64("capacity", contest.capacity.unwrap_or(0));
    let (layout, b_base, chunk) = contest.layout_fields();
    log.u64("layout", layout);
    log.u64("base", b_base);
    log.u64("chunk", chunk);
    log.msg("credential", &s);
    log.msg("ballot", &ballot.body);
    non_identity(&s, "§16: a public credential");
    let c = schnorr(&mut log, &s, &signature);
    (log, c)
}

/// §16.1: decodes a roll: 1 ≤ n ≤ 65,535 credentials, each a canonical non-identity point,
/// strictly increasing.
pub fn roll(encoding: &[u8]) -> Vec<[u8; 32]> {
    let mut b = Bytes::new("roll (§16.1)", encoding);
    b.header(kind::ROLL);
    let n = b.le32();
    assert!((1..=65_535).contains(&n), "§16.1: 1 ≤ n ≤ 65,535");
    let roll: Vec<[u8; 32]> = (0..n)
        .map(|_| {
            let s = b.array();
            non_identity(&s, "§16.1: a credential");
            s
        })
        .collect();
    assert!(
        roll.windows(2).all(|w| w[0] < w[1]),
        "§16.1: strictly increasing"
    );
    b.finish();
    roll
}

/// §16.2: the checksum of a credential code, and the code.
pub fn credential_code(s: &[u8; 32]) -> String {
    let checksum = h(&[b"tabella.credential.code", s]);
    let mut code = String::new();
    for byte in s.iter().chain(&checksum[..4]) {
        code.push_str(&format!("{byte:02x}"));
    }
    code
}

/// A whole encoding that is one ballot (§6.2).
pub fn ballot(
    fingerprint: &[u8; 32],
    y: &[u8; 32],
    round: u32,
    contest: Contest,
    encoding: &[u8],
) -> Ballot {
    let mut bytes = Bytes::new("ballot (§6.2)", encoding);
    let b = read_ballot(&mut bytes, fingerprint, y, round, contest);
    bytes.finish();
    b
}

/// §9: reads a challenged ballot and checks that it opens correctly for the box; returns its
/// ballot.
pub fn challenged(
    fingerprint: &[u8; 32],
    y: &[u8; 32],
    round: u32,
    contest: Contest,
    encoding: &[u8],
) -> Ballot {
    let mut bytes = Bytes::new("challenged ballot (§9)", encoding);
    bytes.header(kind::CHALLENGED);
    let ballot = read_ballot(&mut bytes, fingerprint, y, round, contest);
    let w = bytes.count(1);
    let values = bytes.take(w).to_vec();
    assert!(contest.is_selection(&values), "§9: a valid selection");
    let yp = point(y);
    for ((alpha, beta), mu) in ballot.ciphertexts.iter().zip(contest.plaintexts(&values)) {
        let r = scalar(bytes.take(32));
        assert_ne!(r, Scalar::ZERO, "§9: a non-zero nonce");
        assert_eq!(enc(&RistrettoPoint::mul_base(&r)), *alpha, "§9: α = r·G");
        let expected = RistrettoPoint::mul_base(&Scalar::from(mu)) + r * yp;
        assert_eq!(enc(&expected), *beta, "§9: β = μ·G + r·Y");
    }
    bytes.finish();
    ballot
}

// ---------------------------------------------------------------------------------------------
// §8: hashes and codes
// ---------------------------------------------------------------------------------------------

/// §8.2: the ballot hash (over the encoding, header included).
pub fn ballot_hash(fingerprint: &[u8; 32], round: u32, ballot: &[u8]) -> [u8; 32] {
    h(&[
        b"tabella.board.ballot-hash",
        fingerprint,
        &round.to_le_bytes(),
        ballot,
    ])
}

/// §8.3: gᵢ, the hash of a challenged ballot's encoding.
pub fn challenged_hash(fingerprint: &[u8; 32], round: u32, challenged: &[u8]) -> [u8; 32] {
    h(&[
        b"tabella.board.challenged",
        fingerprint,
        &round.to_le_bytes(),
        challenged,
    ])
}

/// §8.3: the genesis code c₀.
pub fn genesis(fingerprint: &[u8; 32], round: u32) -> [u8; 32] {
    h(&[
        b"tabella.board.code",
        fingerprint,
        &round.to_le_bytes(),
        b"genesis",
    ])
}

/// What an entry of a box is (§8.3): its tag and the hash its code chains.
#[derive(Clone, Copy, Debug)]
pub enum Entry {
    /// A cast entry, with its ballot hash hᵢ.
    Cast([u8; 32]),
    /// A challenged entry, with gᵢ.
    Challenged([u8; 32]),
}

/// §8.3: the code of an entry after the entry with code `previous`.
pub fn next(fingerprint: &[u8; 32], round: u32, previous: &[u8; 32], entry: Entry) -> [u8; 32] {
    let (tag, hash): (&[u8], _) = match entry {
        Entry::Cast(hash) => (b"cast", hash),
        Entry::Challenged(hash) => (b"challenged", hash),
    };
    h(&[
        b"tabella.board.code",
        fingerprint,
        &round.to_le_bytes(),
        previous,
        tag,
        &hash,
    ])
}

// ---------------------------------------------------------------------------------------------
// §10: the manifest, fingerprints and the rules
// ---------------------------------------------------------------------------------------------

/// A majority rule or a quorum fraction (§10.1): `at_least` or `more_than` p/q.
#[derive(Clone, Copy, Debug)]
pub struct Fraction {
    pub more_than: bool,
    pub p: u64,
    pub q: u64,
}

impl Fraction {
    fn read(bytes: &mut Bytes<'_>) -> Self {
        let more_than = bytes.flag(); // comparison: 0 at_least, 1 more_than
        let (p, q) = (bytes.le64(), bytes.le64());
        assert!(0 < p && p <= q, "§10.1: 0 < p ≤ q");
        assert!(!(more_than && p == q), "§10.1: no more_than 1/1");
        Fraction { more_than, p, q }
    }

    /// §10.5: the number required over a base count V (none for V = 0).
    pub fn required(&self, v: u64) -> Option<u64> {
        if v == 0 {
            return None;
        }
        let product = u128::from(self.p) * u128::from(v);
        let q = u128::from(self.q);
        let required = if self.more_than {
            product / q + 1
        } else {
            product.div_ceil(q)
        };
        Some(u64::try_from(required).expect("at most V"))
    }
}

/// A rule of the schedule (§10.1).
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    pub from_round: u32,
    pub fraction: Fraction,
    /// `of`: the eligible members (true) or those present and voting (false).
    pub of_eligible: bool,
}

/// The manifest (§10.1).
#[derive(Clone, Debug)]
pub struct Manifest {
    pub encoding: Vec<u8>,
    pub eligible: u64,
    pub candidates: Vec<String>,
    pub rules: Vec<Rule>,
    pub eliminate_lowest_after: Vec<u32>,
    /// `tie_for_lowest`: the caller resolves (true) or nobody is eliminated (false).
    pub caller_resolves: bool,
    pub quorum: Option<(Fraction, u64)>,
    pub t: u32,
    pub n: u32,
    pub privacy_floor: u64,
    /// The keys that sign the board's entries: the administrator's, then trustee 1's, 2's, ….
    pub authorities: Option<([u8; 32], Vec<[u8; 32]>)>,
    /// §10.1, §16: with a roll, whether a second ballot replaces the first (else refused).
    pub roll: Option<bool>,
    /// The credential authority's key (§10.1).
    pub credential_authority: Option<[u8; 32]>,
}

fn utf8(bytes: &[u8], max: usize) -> String {
    assert!(bytes.len() <= max, "§10.1: at most {max} bytes");
    String::from_utf8(bytes.to_vec()).expect("§10.1: UTF-8")
}

/// §10.1: decodes a manifest and runs its checks.
pub fn manifest(encoding: &[u8]) -> Manifest {
    let mut b = Bytes::new("manifest (§10.1)", encoding);
    b.header(kind::MANIFEST);
    utf8(b.blob(), 1024); // the title
    let (members, eligible) = (b.le64(), b.le64());
    assert!(1 <= eligible && eligible <= members, "§10.1: eligible");
    let candidates: Vec<String> = (0..b.count(4)).map(|_| utf8(b.blob(), 1024)).collect();
    assert!((1..=1024).contains(&candidates.len()), "§10.1: candidates");
    let rules: Vec<Rule> = (0..b.count(22))
        .map(|_| Rule {
            from_round: b.le32(),
            fraction: Fraction::read(&mut b),
            of_eligible: b.flag(), // base: 0 present_and_voting, 1 eligible
        })
        .collect();
    assert_eq!(rules.first().map(|r| r.from_round), Some(1), "§10.1");
    assert!(rules.windows(2).all(|w| w[0].from_round < w[1].from_round));
    let eliminate_lowest_after: Vec<u32> = (0..b.count(4)).map(|_| b.le32()).collect();
    assert!(eliminate_lowest_after.windows(2).all(|w| w[0] < w[1]));
    assert!(eliminate_lowest_after.iter().all(|r| *r > 0));
    let caller_resolves = b.flag(); // tie_for_lowest: 0 no elimination, 1 caller resolves
    let quorum = b.flag().then(|| {
        let fraction = Fraction::read(&mut b);
        let quorum_members = b.le64();
        assert_eq!(
            quorum_members, members,
            "§10.1: a quorum counts the members"
        );
        (fraction, quorum_members)
    });
    let (t, n, privacy_floor) = (b.le32(), b.le32(), b.le64());
    assert!(1 <= t && t <= n && n <= 255, "§10.1: 1 ≤ t ≤ n ≤ 255");
    assert!(
        1 <= privacy_floor && privacy_floor <= eligible,
        "§10.1: floor"
    );
    // §10.1: roll flag ‖ [second ballot: 0 refused, 1 replaces].
    let roll = b.flag().then(|| b.flag());
    let mut credential_authority = None;
    let authorities = b.flag().then(|| {
        let administrator = b.array();
        non_identity(&administrator, "the administrator's key");
        assert_eq!(b.le32(), n, "§10.2: one key per trustee");
        let trustees: Vec<[u8; 32]> = (0..n)
            .map(|_| {
                let key = b.array();
                non_identity(&key, "a trustee's key");
                key
            })
            .collect();
        credential_authority = b.flag().then(|| {
            let key = b.array();
            non_identity(&key, "the credential authority's key");
            key
        });
        assert_eq!(
            credential_authority.is_some(),
            roll.is_some(),
            "§10.1: a credential authority exactly with a roll"
        );
        let mut keys: Vec<[u8; 32]> = trustees.clone();
        keys.push(administrator);
        keys.extend(credential_authority);
        let distinct: std::collections::BTreeSet<_> = keys.iter().collect();
        assert_eq!(distinct.len(), keys.len(), "§10.1: distinct keys");
        (administrator, trustees)
    });
    b.finish();
    Manifest {
        encoding: encoding.to_vec(),
        eligible,
        candidates,
        rules,
        eliminate_lowest_after,
        caller_resolves,
        quorum,
        t,
        n,
        privacy_floor,
        authorities,
        roll,
        credential_authority,
    }
}

/// §10.3: F_c.
pub fn ceremony_fingerprint(manifest: &[u8]) -> [u8; 32] {
    h(&[
        b"tabella.fingerprint",
        PROTOCOL_ID.as_bytes(),
        b"ceremony",
        manifest,
    ])
}

/// §10.3: F.
pub fn election_fingerprint(manifest: &[u8], y: &[u8; 32], package: &[u8]) -> [u8; 32] {
    h(&[
        b"tabella.fingerprint",
        PROTOCOL_ID.as_bytes(),
        b"election",
        manifest,
        y,
        package,
    ])
}

/// The standing of the candidates (§10.4, §10.5).
#[derive(Clone, Debug)]
pub struct Standing {
    /// Whether each candidate (manifest order) is still in the race.
    pub remaining: Vec<bool>,
    pub elected: Option<u32>,
    /// The candidates tied for lowest, while the tie awaits its resolution.
    pub pending_tie: Option<Vec<u32>>,
}

/// The recorded result of a decided round (§10.5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub cast: u64,
    pub present_and_voting: u64,
    pub base: u64,
    pub required: Option<u64>,
    pub elected: Option<u32>,
    pub eliminated: Option<u32>,
}

impl Standing {
    pub fn new(candidates: usize) -> Self {
        Standing {
            remaining: vec![true; candidates],
            elected: None,
            pending_tie: None,
        }
    }

    pub fn remaining(&self) -> Vec<u32> {
        (0u32..)
            .zip(&self.remaining)
            .filter(|(_, r)| **r)
            .map(|(c, _)| c)
            .collect()
    }

    /// §10.4: a withdrawal (resolves a pending tie when it is one of the tied, §10.5).
    pub fn withdraw(&mut self, candidate: u32) {
        assert!(self.remaining[candidate as usize], "§10.4: still remaining");
        self.remaining[candidate as usize] = false;
        if self
            .pending_tie
            .as_ref()
            .is_some_and(|t| t.contains(&candidate))
        {
            self.pending_tie = None;
        }
    }

    /// §10.5: the decision of a round on its slot totals (options, then abstentions).
    pub fn decide(
        &mut self,
        m: &Manifest,
        round: u32,
        yes_no: Option<u32>,
        totals: &[u64],
    ) -> Outcome {
        let (options, abstain) = totals.split_at(totals.len() - 1);
        let present: u64 = options.iter().sum();
        let cast = present + abstain[0];
        assert!(cast <= m.eligible, "§10.5: cast ≤ eligible");
        let rule = m
            .rules
            .iter()
            .rev()
            .find(|r| r.from_round <= round)
            .expect("§10.5: a rule for every round");
        let base = if rule.of_eligible {
            m.eligible
        } else {
            present
        };
        let required = rule.fraction.required(base);
        let meets = |v: u64| required.is_some_and(|r| v >= r);
        let quorum_met = m
            .quorum
            .is_none_or(|(f, members)| f.required(members).is_some_and(|r| cast >= r));
        let remaining = self.remaining();
        let elected = match yes_no {
            _ if !quorum_met => None,
            Some(candidate) => meets(options[0]).then_some(candidate),
            None => {
                let top = *options.iter().max().expect("a candidate");
                let at_top: Vec<u32> = remaining
                    .iter()
                    .zip(options)
                    .filter(|(_, v)| **v == top)
                    .map(|(c, _)| *c)
                    .collect();
                match at_top.as_slice() {
                    [c] if meets(top) => Some(*c),
                    _ => None,
                }
            }
        };
        let mut eliminated = None;
        let due = yes_no.is_none()
            && elected.is_none()
            && quorum_met
            && remaining.len() >= 2
            && m.eliminate_lowest_after.contains(&round);
        if due {
            let low = *options.iter().min().expect("a candidate");
            let tied: Vec<u32> = remaining
                .iter()
                .zip(options)
                .filter(|(_, v)| **v == low)
                .map(|(c, _)| *c)
                .collect();
            match tied.as_slice() {
                [c] => eliminated = Some(*c),
                _ if m.caller_resolves => self.pending_tie = Some(tied),
                _ => {}
            }
        }
        if let Some(c) = eliminated {
            self.remaining[c as usize] = false;
        }
        self.elected = elected;
        Outcome {
            cast,
            present_and_voting: present,
            base,
            required,
            elected,
            eliminated,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// §11: the key ceremony and threshold decryption
// ---------------------------------------------------------------------------------------------

/// The public key package (§11.3).
#[derive(Clone, Debug)]
pub struct PublicKeys {
    pub encoding: Vec<u8>,
    pub t: u32,
    pub n: u32,
    pub y: [u8; 32],
    /// (j, Y_j), increasing j.
    pub shares: Vec<(u32, [u8; 32])>,
}

impl PublicKeys {
    pub fn share(&self, i: u32) -> &[u8; 32] {
        &self
            .shares
            .iter()
            .find(|(j, _)| *j == i)
            .expect("§11.3: a verification share for the trustee")
            .1
    }
}

/// §11.3: decodes a public key package.
pub fn public_keys(encoding: &[u8]) -> PublicKeys {
    let mut b = Bytes::new("public key package (§11.3)", encoding);
    b.header(kind::PUBLIC_KEY_PACKAGE);
    let (t, n) = (b.le32(), b.le32());
    let y = b.array();
    non_identity(&y, "Y");
    let shares: Vec<(u32, [u8; 32])> = (0..b.count(36))
        .map(|_| {
            let j = b.le32();
            let yj = b.array();
            non_identity(&yj, "Y_j");
            (j, yj)
        })
        .collect();
    b.finish();
    assert!(
        shares.windows(2).all(|w| w[0].0 < w[1].0),
        "§11.3: increasing"
    );
    assert!(shares.iter().all(|(j, _)| (1..=n).contains(j)));
    assert!(t as usize <= shares.len(), "§11.3: t ≤ q");
    PublicKeys {
        encoding: encoding.to_vec(),
        t,
        n,
        y,
        shares,
    }
}

/// The ceremony board of a run (§11.1, §14.5): per round, the entries (author, bytes) of the
/// run's ceremony message entries, in canonical order, an identical entry once.
pub type Board = [Vec<(u32, Vec<u8>)>; 3];

/// An encrypted share of a round-2 message (§11.3): recipient j, E, ct and the proof of e.
struct EncryptedShare<'a> {
    j: u32,
    e: [u8; 32],
    ct: [u8; 32],
    proof: &'a [u8],
}

/// §11.4: `cer(L, i)`.
fn cer(fc: &[u8; 32], id: &[u8; 32], label: &[u8], i: u32) -> Log {
    let mut log = Log::root(fc, label);
    log.msg("ceremony", id);
    log.u64("sender", u64::from(i));
    log
}

/// §11.4: the ceremony id.
pub fn ceremony_id(fc: &[u8; 32], t: u32, n: u32, run: &[u8; 32]) -> [u8; 32] {
    let mut log = Log::root(fc, b"tabella.ceremony");
    log.u64("t", u64::from(t));
    log.u64("n", u64::from(n));
    log.msg("run", run);
    log.draw32("id")
}

/// §11.1 and §11.4 on a board where every trustee took part honestly and nobody complained:
/// every message of its round's kind and this ceremony, every opening and proof; returns the
/// joint key and the verification shares (§11.1, step 4). An exclusion is a panic: the
/// golden ceremony has none, and the exclusion rules are checked by the library's tests.
pub fn ceremony(m: &Manifest, run: &[u8; 32], board: &Board) -> ([u8; 32], Vec<(u32, [u8; 32])>) {
    let fc = ceremony_fingerprint(&m.encoding);
    let id = ceremony_id(&fc, m.t, m.n, run);
    let trustees: Vec<u32> = (1..=m.n).collect();
    let authors = |round: &Vec<(u32, Vec<u8>)>| round.iter().map(|e| e.0).collect::<Vec<_>>();
    for round in board {
        assert_eq!(authors(round), trustees, "one message of every trustee");
    }
    // Reads the fixed start of a message: header, ceremony id, sender = author (§11.1 rules
    // 2 and 3).
    let start = |bytes: &mut Bytes<'_>, kind: u8, author: u32| {
        bytes.header(kind);
        assert_eq!(bytes.array(), id, "§11.1 rule 2: this ceremony's id");
        assert_eq!(bytes.le32(), author, "§11.1 rule 3: sender = author");
    };

    // Round 1: hash commitment and communication key.
    let mut commitments = Vec::new();
    for (i, message) in &board[0] {
        let mut b = Bytes::new("round-1 message (§11.3)", message);
        start(&mut b, kind::ROUND1, *i);
        commitments.push(b.array());
        let pk = b.array();
        non_identity(&pk, "PK_i");
        schnorr(
            &mut cer(&fc, &id, b"tabella.ceremony.comm-key", *i),
            &pk,
            b.take(64),
        );
        b.finish();
    }

    // Round 2: the Feldman commitments open h_i; proofs of every coefficient and ephemeral key.
    let mut feldman: Vec<Vec<RistrettoPoint>> = Vec::new();
    for ((i, message), h_i) in board[1].iter().zip(&commitments) {
        let mut b = Bytes::new("round-2 message (§11.3)", message);
        start(&mut b, kind::ROUND2, *i);
        let salt = b.array();
        assert_eq!(b.le32(), m.t, "§11.1: t commitments");
        let coefficients: Vec<([u8; 32], &[u8])> = (0..m.t)
            .map(|_| {
                let c = b.array();
                non_identity(&c, "C_{i,k}");
                (c, b.take(64))
            })
            .collect();
        let shares: Vec<EncryptedShare<'_>> = (0..b.count(132))
            .map(|_| {
                let j = b.le32();
                let e = b.array();
                non_identity(&e, "E");
                EncryptedShare {
                    j,
                    e,
                    ct: b.array(),
                    proof: b.take(64),
                }
            })
            .collect();
        b.finish();
        let others: Vec<u32> = trustees.iter().copied().filter(|j| j != i).collect();
        let recipients: Vec<u32> = shares.iter().map(|s| s.j).collect();
        assert_eq!(recipients, others, "§11.1: one share per other participant");

        let mut commit = cer(&fc, &id, b"tabella.ceremony.commit", *i);
        commit.u64("t", u64::from(m.t));
        for (c, _) in &coefficients {
            commit.msg("C", c);
        }
        commit.msg("salt", &salt);
        assert_eq!(
            commit.draw32("commitment"),
            *h_i,
            "§11.1: the opening of h_i"
        );

        for (k, (c, proof)) in coefficients.iter().enumerate() {
            let mut t = cer(&fc, &id, b"tabella.ceremony.coefficient", *i);
            t.u64("shares", shares.len() as u64);
            for share in &shares {
                t.u64("j", u64::from(share.j));
                t.msg("E", &share.e);
                t.msg("ct", &share.ct);
            }
            t.u64("k", k as u64);
            schnorr(&mut t, c, proof);
        }
        for share in &shares {
            let mut t = cer(&fc, &id, b"tabella.ceremony.ephemeral", *i);
            t.u64("j", u64::from(share.j));
            t.msg("E", &share.e);
            t.msg("ct", &share.ct);
            schnorr(&mut t, &share.e, share.proof);
        }
        feldman.push(coefficients.iter().map(|(c, _)| point(c)).collect());
    }

    // Round 3: no complaint.
    for (i, message) in &board[2] {
        let mut b = Bytes::new("round-3 message (§11.3)", message);
        start(&mut b, kind::ROUND3, *i);
        assert_eq!(b.le32(), 0, "the golden ceremony has no complaint");
        b.finish();
    }

    // Step 4, with QUAL = every trustee.
    let y: RistrettoPoint = feldman.iter().map(|c| c[0]).sum();
    let shares = trustees
        .iter()
        .map(|j| {
            let yj: RistrettoPoint = feldman
                .iter()
                .map(|c| {
                    let mut power = Scalar::ONE;
                    let mut sum = RistrettoPoint::identity();
                    for ck in c {
                        sum += power * ck;
                        power *= Scalar::from(*j);
                    }
                    sum
                })
                .sum();
            (*j, enc(&yj))
        })
        .collect();
    (enc(&y), shares)
}

/// The close of a box (§8.4), without its round.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Close {
    pub head: [u8; 32],
    pub cast: u64,
    pub challenged: u64,
    pub replaced: u64,
}

/// §11.4: the decryption prefix P of a round.
fn decryption_prefix(
    fingerprint: &[u8; 32],
    keys: &PublicKeys,
    round: u32,
    close: &Close,
    tally: &[([u8; 32], [u8; 32])],
) -> Log {
    let mut p = Log::root(fingerprint, b"tabella.decryption.partial");
    p.msg("public-keys", &keys.encoding);
    p.u64("round", u64::from(round));
    p.msg("head", &close.head);
    p.u64("cast", close.cast);
    p.u64("challenged", close.challenged);
    p.u64("replaced", close.replaced);
    p.u64("width", tally.len() as u64);
    for (alpha, beta) in tally {
        p.ciphertext("C", alpha, beta);
    }
    p
}

/// §11.3 and §11.2: reads trustee i's partial decryption of the round and verifies every
/// DLEQ proof on the transcripts of §11.4; returns (i, the D_{i,ν}).
fn partial(
    prefix: &Log,
    keys: &PublicKeys,
    round: u32,
    tally: &[([u8; 32], [u8; 32])],
    encoding: &[u8],
) -> (u32, Vec<[u8; 32]>) {
    let mut b = Bytes::new("partial decryption (§11.3)", encoding);
    b.header(kind::PARTIAL);
    assert_eq!(b.le32(), round, "§11.3: the partial's round");
    let i = b.le32();
    let m = b.count(128);
    assert!(m >= 1, "§11.3: m ≥ 1");
    let shares: Vec<([u8; 32], &[u8])> = (0..m)
        .map(|_| {
            let d = b.array();
            non_identity(&d, "D_ν");
            (d, b.take(96))
        })
        .collect();
    b.finish();
    let y_i = keys.share(i);
    let mut t = prefix.clone();
    t.u64("trustee", u64::from(i));
    for (d, _) in &shares {
        t.msg("D", d);
    }
    assert_eq!(tally.len(), m, "§11.2: one share per tally ciphertext");
    for (nu, ((d, proof), (alpha, _))) in shares.iter().zip(tally).enumerate() {
        let mut proof_t = t.clone();
        proof_t.u64("k", nu as u64);
        dleq(&mut proof_t, alpha, y_i, d, proof);
    }
    (i, shares.iter().map(|(d, _)| *d).collect())
}

/// §11.2: λ_i for the trustees S.
fn lagrange(i: u32, trustees: &[u32]) -> Scalar {
    trustees
        .iter()
        .filter(|j| **j != i)
        .map(|j| {
            let (j, i) = (Scalar::from(*j), Scalar::from(i));
            j * (j - i).invert()
        })
        .product()
}

/// §4: the discrete logarithm of M in 0..=bound (baby steps j·G for j < ⌈√(bound + 1)⌉, then
/// giant steps of that many G).
fn discrete_log(m: &RistrettoPoint, bound: u64) -> u64 {
    assert!(bound <= 1 << 40, "§6.3: a tally decrypts to at most 2^40");
    let steps = (1u64..).find(|s| s * s > bound).unwrap();
    let mut baby = std::collections::HashMap::with_capacity(steps as usize);
    let mut acc = RistrettoPoint::identity();
    for j in 0..steps {
        baby.insert(acc.compress().to_bytes(), j);
        acc += RistrettoPoint::mul_base(&Scalar::ONE);
    }
    let giant = RistrettoPoint::mul_base(&Scalar::from(steps));
    let mut rest = *m;
    for i in 0..=steps {
        if let Some(j) = baby.get(&rest.compress().to_bytes()) {
            let mu = i * steps + j;
            assert!(mu <= bound, "§4: no discrete logarithm in 0..={bound}");
            return mu;
        }
        rest -= giant;
    }
    panic!("§4: no discrete logarithm in 0..={bound}")
}

// ---------------------------------------------------------------------------------------------
// §14: the board's entries, chain and signatures
// ---------------------------------------------------------------------------------------------

/// §14.1: the kind byte of each entry.
pub mod entry_kind {
    pub const MANIFEST: u8 = 1;
    pub const CEREMONY_RUN: u8 = 2;
    pub const CEREMONY_MESSAGE: u8 = 3;
    pub const KEYS: u8 = 4;
    pub const WITHDRAWAL: u8 = 5;
    pub const ROUND_OPEN: u8 = 6;
    pub const BALLOT: u8 = 7;
    pub const CHALLENGED: u8 = 8;
    pub const ROUND_CLOSE: u8 = 9;
    pub const PARTIAL_DECRYPTION: u8 = 10;
    pub const RESULT: u8 = 11;
    pub const TIE_RESOLUTION: u8 = 12;
    pub const ACCLAMATION: u8 = 13;
    pub const ROLL: u8 = 14;
}

/// §14.1: the role byte that posts each kind (administrator 0, trustee 1, voter 2).
pub fn role_of(kind: u8) -> u8 {
    match kind {
        entry_kind::CEREMONY_MESSAGE | entry_kind::PARTIAL_DECRYPTION => 1,
        entry_kind::BALLOT | entry_kind::CHALLENGED => 2,
        entry_kind::ROLL => 3,
        1..=13 => 0,
        other => panic!("§14.1: entry kind {other}"),
    }
}

/// §14.1: the longest body, 2 MiB.
pub const MAX_BODY: usize = 1 << 21;

/// A board entry (§14.1).
#[derive(Clone, Debug)]
pub struct BoardEntry<'a> {
    pub kind: u8,
    pub role: u8,
    pub index: u32,
    pub body: &'a [u8],
    /// The read head and the Schnorr proof R ‖ s, for the roles that sign.
    pub signature: Option<([u8; 32], &'a [u8])>,
}

/// §14.1: decodes an entry that must be valid.
pub fn read_entry(encoding: &[u8]) -> BoardEntry<'_> {
    let mut b = Bytes::new("board entry (§14.1)", encoding);
    b.header(kind::ENTRY);
    let kind = b.u8();
    let role = b.u8();
    assert_eq!(role, role_of(kind), "§14.1: the kind's role");
    let index = b.le32();
    match role {
        1 => assert!((1..=255).contains(&index), "§14.1: a trustee's index"),
        _ => assert_eq!(index, 0, "§14.1: index 0"),
    }
    let len = b.le32() as usize;
    assert!(len <= MAX_BODY, "§14.1: a body of at most 2 MiB");
    let body = b.take(len);
    let signature = (role != 2).then(|| {
        let read = b.array();
        let proof = b.take(64);
        point(&proof[..32]);
        scalar(&proof[32..]);
        (read, proof)
    });
    b.finish();
    BoardEntry {
        kind,
        role,
        index,
        body,
        signature,
    }
}

/// §14.1: an entry's canonical encoding; `signature` is the read head and R ‖ s, present iff
/// the role signs.
pub fn encode_entry(
    kind: u8,
    role: u8,
    index: u32,
    body: &[u8],
    signature: Option<&([u8; 32], Vec<u8>)>,
) -> Vec<u8> {
    assert_eq!(role, role_of(kind), "§14.1: the kind's role");
    assert_eq!(
        signature.is_some(),
        role != 2,
        "§14.1: a signature iff the role signs"
    );
    let mut out = b"tb".to_vec();
    out.push(kind::ENTRY);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&[kind, role]);
    out.extend_from_slice(&index.to_le_bytes());
    blob(&mut out, body);
    if let Some((read, proof)) = signature {
        out.extend_from_slice(read);
        out.extend_from_slice(proof);
    }
    out
}

/// §14.1: a voter's entry (no read head, no signature).
pub fn voter_entry(kind: u8, body: &[u8]) -> Vec<u8> {
    encode_entry(kind, 2, 0, body, None)
}

/// §14.2: head₋₁.
pub fn genesis_head() -> [u8; 32] {
    h(&[b"tabella.board.head", b"genesis"])
}

/// §14.2: the head after `entry` (its canonical bytes), after the head `previous`.
pub fn next_head(previous: &[u8; 32], entry: &[u8]) -> [u8; 32] {
    h(&[b"tabella.board.head", previous, entry])
}

/// §14.3: the transcript of an entry's signature, up to the Schnorr proof, on the board whose
/// manifest gives `fc`.
pub fn entry_transcript(fc: &[u8; 32], entry: &BoardEntry<'_>) -> Log {
    let (read, _) = entry.signature.expect("§14.3: a signed entry");
    let mut log = Log::root(fc, b"tabella.board.entry");
    log.u64("kind", u64::from(entry.kind));
    log.u64("role", u64::from(entry.role));
    log.u64("index", u64::from(entry.index));
    log.msg("body", entry.body);
    log.msg("read", &read);
    log
}

/// §14.3: checks an entry's signature with the author's key; returns its challenge.
pub fn entry_signature(fc: &[u8; 32], key: &[u8; 32], entry: &BoardEntry<'_>) -> Scalar {
    let (_, proof) = entry.signature.expect("§14.3: a signed entry");
    schnorr(&mut entry_transcript(fc, entry), key, proof)
}

// ---------------------------------------------------------------------------------------------
// §12, §13 and §14.5: the record, replayed
// ---------------------------------------------------------------------------------------------

/// What [`record`] found, for the caller to compare with the library's view.
#[derive(Debug, Default)]
pub struct RecordSummary {
    /// The head after each entry (§14.2).
    pub heads: Vec<[u8; 32]>,
    /// The kind of each entry.
    pub kinds: Vec<u8>,
    /// (position, confirmation code) of every ballot and challenged entry (§8.3).
    pub codes: Vec<(usize, [u8; 32])>,
    /// Per decided ballot round: (round, cast, challenged).
    pub boxes: Vec<(u32, u64, u64)>,
    /// Per decided ballot round: (round, the combined trustees, the slot totals).
    pub decryptions: Vec<(u32, Vec<u32>, Vec<u64>)>,
    /// (round, eliminated, how) of every tie resolution.
    pub ties: Vec<(u32, u32, u8)>,
    pub elected: Option<u32>,
}

/// The round being held (§14.5): its number, what it asks, its contest and its box.
struct Held {
    number: u32,
    yes_no: Option<u32>,
    contest: Contest,
    code: [u8; 32],
    ids: Vec<[u8; 32]>,
    alphas: Vec<[u8; 32]>,
    /// The ciphertexts of each cast ballot.
    cast: Vec<Vec<([u8; 32], [u8; 32])>>,
    challenged: u64,
    /// Once closed: its close, and (trustee, D_{i,ν}) of each partial so far.
    closed: Option<Close>,
    partials: Vec<(u32, Vec<[u8; 32]>)>,
}

/// The election once its keys are announced (§14.5).
struct Keys {
    keys: PublicKeys,
    fingerprint: [u8; 32],
    standing: Standing,
    /// Rounds decided so far (ballots and acclamations).
    decided: u32,
    /// The last decided round, while a tie resolution may still follow it.
    tie_round: Option<u32>,
}

/// Reads LE32s and LE64s of a body that must decode (§14.4), to its end.
fn opt_le64(b: &mut Bytes<'_>) -> Option<u64> {
    b.flag().then(|| b.le64())
}

fn opt_le32(b: &mut Bytes<'_>) -> Option<u32> {
    b.flag().then(|| b.le32())
}

/// §14.4: reads a round opening's contest and checks it is the contest §10.4 and §6.3 give.
fn read_contest(b: &mut Bytes<'_>, contest: &Contest) {
    let (index, k, min, max) = (b.le32(), b.le32(), b.le32(), b.le32());
    assert_eq!(
        (index, k, min, max),
        (contest.index, contest.options, contest.min, contest.max),
        "check 5: the contest of §10.4"
    );
    assert_eq!(b.flag(), contest.abstention, "check 5: the abstention");
    let capacity = b.flag().then(|| b.le64());
    assert_eq!(capacity, contest.capacity, "check 5: the capacity N");
    let layout = b.u8();
    let (base, chunk) = (b.le64(), b.le32());
    let (l, b_base, s) = contest.layout_fields();
    let expected = (l as u8, b_base, s as u32);
    assert_eq!(
        (layout, base, chunk),
        expected,
        "check 5: the layout of §6.3"
    );
}

/// §12.1 and §13: reads a binary record and replays its entries by §14.5, with every numbered
/// check (the ceremony as [`ceremony`] says: honest, no complaint).
pub fn record(encoding: &[u8]) -> RecordSummary {
    let mut b = Bytes::new("record (§12.1)", encoding);
    b.header(kind::RECORD);
    let entries: Vec<&[u8]> = (0..b.count(4)).map(|_| b.blob()).collect();
    b.finish();

    let mut summary = RecordSummary::default();
    let mut heads = vec![genesis_head()];
    let mut manifest_state: Option<(Manifest, [u8; 32])> = None;
    let mut ceremony_state: Option<([u8; 32], Board)> = None;
    let mut election: Option<Keys> = None;
    let mut held: Option<Held> = None;
    for (position, bytes) in entries.iter().enumerate() {
        let e = read_entry(bytes);
        // Check 1: the first entry is the manifest (and check 5: only the first).
        assert_eq!(
            position == 0,
            e.kind == entry_kind::MANIFEST,
            "checks 1 and 5: the manifest is the first entry, and only it"
        );
        if e.kind == entry_kind::MANIFEST {
            // Check 3.
            let m = manifest(e.body);
            assert!(
                m.roll.is_none(),
                "this verifier replays boards without a roll (tests/spec_verifier.rs replays \
                 the others)"
            );
            let fc = ceremony_fingerprint(e.body);
            manifest_state = Some((m, fc));
        }
        let (m, fc) = manifest_state.as_ref().expect("check 1: a manifest first");
        // Check 2 (§14.3).
        if let Some((read, _)) = e.signature {
            assert!(
                heads.contains(&read),
                "check 2: a head of the board before it"
            );
            let (administrator, trustees) =
                m.authorities.as_ref().expect("check 3: the authorities");
            let key = match e.role {
                0 => administrator,
                _ => &trustees[e.index as usize - 1],
            };
            entry_signature(fc, key, &e);
        }
        let mut body = Bytes::new("an entry's body (§14.4)", e.body);
        match e.kind {
            entry_kind::MANIFEST => {
                body.take(e.body.len());
            }
            entry_kind::CEREMONY_RUN => {
                assert!(election.is_none(), "check 5: before the keys");
                let run = body.array();
                ceremony_state = Some((run, Default::default()));
            }
            entry_kind::CEREMONY_MESSAGE => {
                assert!(election.is_none(), "check 5: before the keys");
                let (_, board) = ceremony_state.as_mut().expect("check 5: after a run");
                // Check 4: its round is its message kind.
                let round = match e.body.get(2) {
                    Some(&kind::ROUND1) => 0,
                    Some(&kind::ROUND2) => 1,
                    Some(&kind::ROUND3) => 2,
                    other => panic!("check 4: not a ceremony message ({other:?})"),
                };
                assert!(
                    board[round + 1..].iter().all(Vec::is_empty),
                    "check 5: a round closes when the next one starts"
                );
                let entry = (e.index, e.body.to_vec());
                if let Err(at) = board[round].binary_search(&entry) {
                    board[round].insert(at, entry);
                }
                body.take(e.body.len());
            }
            entry_kind::KEYS => {
                assert!(election.is_none(), "check 5: the keys once");
                let (run, board) = ceremony_state.as_ref().expect("check 5: after a run");
                let keys = public_keys(body.blob());
                let fingerprint = body.array();
                // Check 4.
                let (y, shares) = ceremony(m, run, board);
                assert_eq!(y, keys.y, "check 4: Y");
                assert_eq!(shares, keys.shares, "check 4: the Y_j");
                assert_eq!((keys.t, keys.n), (m.t, m.n), "check 4: t-of-n");
                assert_eq!(
                    fingerprint,
                    election_fingerprint(&m.encoding, &keys.y, &keys.encoding),
                    "check 4: F"
                );
                election = Some(Keys {
                    keys,
                    fingerprint,
                    standing: Standing::new(m.candidates.len()),
                    decided: 0,
                    tie_round: None,
                });
            }
            entry_kind::BALLOT | entry_kind::CHALLENGED => {
                let k = election.as_ref().expect("check 5: after the keys");
                let r = held.as_mut().expect("check 5: a round is open");
                assert!(r.closed.is_none(), "check 5: the round is open");
                let (f, number) = (&k.fingerprint, r.number);
                let (read, entry) = if e.kind == entry_kind::BALLOT {
                    // Check 6.
                    let read = ballot(f, &k.keys.y, number, r.contest, e.body);
                    (read, Entry::Cast(ballot_hash(f, number, e.body)))
                } else {
                    // Check 7.
                    let read = challenged(f, &k.keys.y, number, r.contest, e.body);
                    r.challenged += 1;
                    (read, Entry::Challenged(challenged_hash(f, number, e.body)))
                };
                // Check 8 (valid boxes only: no id and no α twice, the capacity).
                assert!(!r.ids.contains(&read.id), "check 8: a repeated id");
                r.ids.push(read.id);
                for (alpha, _) in &read.ciphertexts {
                    assert!(!r.alphas.contains(alpha), "check 8: a repeated α");
                    r.alphas.push(*alpha);
                }
                if let Entry::Cast(_) = entry {
                    r.cast.push(read.ciphertexts.clone());
                    assert!(r.cast.len() as u64 <= m.eligible, "check 8: capacity");
                }
                r.code = next(f, number, &r.code, entry);
                summary.codes.push((position, r.code));
                body.take(e.body.len());
            }
            entry_kind::ROUND_CLOSE => {
                let r = held.as_mut().expect("check 5: a round is open");
                assert!(r.closed.is_none(), "check 5: the round is open");
                // Check 9.
                let close = Close {
                    head: r.code,
                    cast: r.cast.len() as u64,
                    challenged: r.challenged,
                    // Without a roll no ballot replaces another (§7).
                    replaced: 0,
                };
                assert_eq!(body.le32(), r.number, "check 9: r");
                let announced = Close {
                    head: body.array(),
                    cast: body.le64(),
                    challenged: body.le64(),
                    replaced: body.le64(),
                };
                assert_eq!(announced, close, "check 9: the box's close");
                r.closed = Some(close);
            }
            entry_kind::PARTIAL_DECRYPTION => {
                let k = election.as_ref().expect("check 5: after the keys");
                let r = held.as_mut().expect("check 5: a round is closed");
                let close = r.closed.expect("check 5: the round is closed");
                // Check 10.
                assert!(close.cast >= m.privacy_floor, "check 10: privacy floor");
                // Check 11.
                let tally = tally(r);
                let prefix = decryption_prefix(&k.fingerprint, &k.keys, r.number, &close, &tally);
                let (i, d) = partial(&prefix, &k.keys, r.number, &tally, e.body);
                assert_eq!(i, e.index, "check 2: the partial's trustee is its author");
                assert!(
                    r.partials.iter().all(|(j, _)| *j != i),
                    "check 11: one partial per trustee"
                );
                r.partials.push((i, d));
                body.take(e.body.len());
            }
            entry_kind::RESULT => {
                let k = election.as_mut().expect("check 5: after the keys");
                let r = held.take().expect("check 5: a round is closed");
                assert!(r.closed.is_some(), "check 5: the round is closed");
                // Check 12: the first t partials in increasing trustee order.
                let mut partials = r.partials.clone();
                partials.sort_by_key(|(i, _)| *i);
                let t = m.t as usize;
                assert!(partials.len() >= t, "check 12: t partials");
                partials.truncate(t);
                let combined: Vec<u32> = partials.iter().map(|(i, _)| *i).collect();
                let b_cast = r.cast.len() as u64;
                let bound = r.contest.tally_bound(b_cast);
                let values: Vec<u64> = tally(&r)
                    .iter()
                    .enumerate()
                    .map(|(nu, (_, beta))| {
                        let shares: RistrettoPoint = partials
                            .iter()
                            .map(|(i, d)| lagrange(*i, &combined) * point(&d[nu]))
                            .sum();
                        discrete_log(&(point(beta) - shares), bound)
                    })
                    .collect();
                let totals = r.contest.slot_totals(&values, b_cast);
                assert_eq!(body.le32(), r.number, "check 12: the closed round");
                let announced: Vec<u32> = (0..body.count(4)).map(|_| body.le32()).collect();
                assert_eq!(announced, combined, "check 12: the combined trustees");
                let recorded: Vec<u64> = (0..body.count(8)).map(|_| body.le64()).collect();
                assert_eq!(recorded, totals, "check 12: the totals");
                // Check 13.
                let outcome = k.standing.decide(m, r.number, r.yes_no, &totals);
                let result = Outcome {
                    cast: body.le64(),
                    present_and_voting: body.le64(),
                    base: body.le64(),
                    required: opt_le64(&mut body),
                    elected: opt_le32(&mut body),
                    eliminated: opt_le32(&mut body),
                };
                assert_eq!(result, outcome, "check 13: the result");
                summary.boxes.push((r.number, b_cast, r.challenged));
                summary.decryptions.push((r.number, combined, totals));
                k.decided = r.number;
                k.tie_round = Some(r.number);
            }
            entry_kind::TIE_RESOLUTION => {
                let k = election.as_mut().expect("check 5: after the keys");
                assert!(held.is_none(), "check 5: between rounds");
                // Check 14.
                let round = body.le32();
                assert_eq!(Some(round), k.tie_round.take(), "check 14: the last round");
                let eliminated = body.le32();
                let how = body.u8();
                assert!(how <= 1, "§14.1: how");
                let tied = k
                    .standing
                    .pending_tie
                    .take()
                    .expect("check 14: a tie left to the caller");
                assert!(tied.contains(&eliminated), "check 14: one of the tied");
                k.standing.remaining[eliminated as usize] = false;
                summary.ties.push((round, eliminated, how));
            }
            entry_kind::WITHDRAWAL => {
                let k = election.as_mut().expect("check 5: after the keys");
                assert!(held.is_none(), "check 5: between rounds");
                k.standing.withdraw(body.le32());
            }
            entry_kind::ROUND_OPEN | entry_kind::ACCLAMATION => {
                let k = election.as_mut().expect("check 5: after the keys");
                assert!(held.is_none(), "check 5: between rounds");
                assert!(k.standing.pending_tie.is_none(), "check 14: no tie pending");
                assert!(k.standing.elected.is_none(), "check 5: nobody elected yet");
                let number = body.le32();
                assert_eq!(number, k.decided + 1, "check 5: the next round");
                k.tie_round = None;
                if e.kind == entry_kind::ACCLAMATION {
                    let candidate = body.le32();
                    assert_eq!(k.standing.remaining(), [candidate], "check 5: acclamation");
                    k.standing.elected = Some(candidate);
                    k.decided = number;
                } else {
                    let yes_no = match body.u8() {
                        0 => None,
                        1 => Some(body.le32()),
                        x => panic!("§14.4: round kind {x}"),
                    };
                    let candidates: Vec<u32> = (0..body.count(4)).map(|_| body.le32()).collect();
                    let expected = match yes_no {
                        Some(c) => {
                            assert!(k.standing.remaining[c as usize], "check 5: remaining");
                            vec![c]
                        }
                        None => k.standing.remaining(),
                    };
                    assert_eq!(candidates, expected, "check 5: the candidates");
                    let options = yes_no.map_or(candidates.len() as u32, |_| 2);
                    let contest = Contest::of_round(options, m.eligible);
                    read_contest(&mut body, &contest);
                    held = Some(Held {
                        number,
                        yes_no,
                        contest,
                        code: genesis(&k.fingerprint, number),
                        ids: Vec::new(),
                        alphas: Vec::new(),
                        cast: Vec::new(),
                        challenged: 0,
                        closed: None,
                        partials: Vec::new(),
                    });
                }
            }
            other => panic!("§14.1: entry kind {other}"),
        }
        body.finish();
        let head = next_head(heads.last().expect("head₋₁"), bytes);
        heads.push(head);
        summary.heads.push(head);
        summary.kinds.push(e.kind);
    }
    summary.elected = election.and_then(|k| k.standing.elected);
    summary
}

/// §7: the tally of a box, the componentwise sum of its cast ballots.
fn tally(r: &Held) -> Vec<([u8; 32], [u8; 32])> {
    (0..r.contest.ciphertexts())
        .map(|nu| {
            let alpha: RistrettoPoint = r.cast.iter().map(|c| point(&c[nu].0)).sum();
            let beta: RistrettoPoint = r.cast.iter().map(|c| point(&c[nu].1)).sum();
            (enc(&alpha), enc(&beta))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// §12.2: the JSON record, read into the binary form of §12.1
// ---------------------------------------------------------------------------------------------

/// A JSON object with exactly these fields (§12.2: every field required, no other allowed).
fn object<'a>(
    value: &'a serde_json::Value,
    what: &str,
    fields: &[&str],
) -> &'a serde_json::Map<String, serde_json::Value> {
    let map = value
        .as_object()
        .unwrap_or_else(|| panic!("§12.2: {what} is an object"));
    let mut keys: Vec<&str> = map.keys().map(String::as_str).collect();
    let mut want = fields.to_vec();
    keys.sort_unstable();
    want.sort_unstable();
    assert_eq!(keys, want, "§12.2: the fields of {what}");
    map
}

fn uint(value: &serde_json::Value) -> u64 {
    value.as_u64().expect("§12.2: an integer")
}

fn text(value: &serde_json::Value) -> &str {
    value.as_str().expect("§12.2: a string")
}

fn list(value: &serde_json::Value) -> &[serde_json::Value] {
    value.as_array().expect("§12.2: an array")
}

/// §12.2: lowercase hex, even length.
fn unhex(value: &serde_json::Value) -> Vec<u8> {
    let s = text(value);
    assert!(
        s.len() % 2 == 0 && s.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')),
        "§2: lowercase hex"
    );
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

fn le32(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(&u32::try_from(n).expect("a u32").to_le_bytes());
}

fn blob(out: &mut Vec<u8>, bytes: &[u8]) {
    le32(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// §10.2: a rule or a quorum, with exactly one of `at_least` / `more_than` (`[p, q]`) and
/// the `others` fields; writes its comparison, p and q as §10.1 does.
fn fraction_bytes<'a>(
    value: &'a serde_json::Value,
    what: &str,
    others: &[&str],
    out: &mut Vec<u8>,
) -> &'a serde_json::Map<String, serde_json::Value> {
    let more_than = value.get("more_than").is_some();
    let key = if more_than { "more_than" } else { "at_least" };
    let map = object(value, what, &[&[key][..], others].concat());
    let [p, q] = list(&map[key]) else {
        panic!("§10.2: [p, q]")
    };
    out.push(u8::from(more_than));
    le64(out, uint(p));
    le64(out, uint(q));
    map
}

/// §10.2 → §10.1: the manifest's canonical encoding from its JSON form.
pub fn manifest_json(value: &serde_json::Value) -> Vec<u8> {
    let m = object(
        value,
        "the manifest",
        &[
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
    );
    let mut out = b"tb".to_vec();
    out.push(kind::MANIFEST);
    out.extend_from_slice(&VERSION.to_le_bytes());
    blob(&mut out, text(&m["title"]).as_bytes());
    le64(&mut out, uint(&m["members"]));
    le64(&mut out, uint(&m["eligible"]));
    let candidates = list(&m["candidates"]);
    le32(&mut out, candidates.len() as u64);
    for c in candidates {
        blob(&mut out, text(c).as_bytes());
    }
    let rules = list(&m["rules"]);
    le32(&mut out, rules.len() as u64);
    for rule in rules {
        le32(&mut out, uint(&rule["from_round"]));
        let map = fraction_bytes(rule, "a rule", &["from_round", "of"], &mut out);
        out.push(match text(&map["of"]) {
            "present_and_voting" => 0,
            "eligible" => 1,
            other => panic!("§10.2: of {other:?}"),
        });
    }
    let eliminate = list(&m["eliminate_lowest_after"]);
    le32(&mut out, eliminate.len() as u64);
    for r in eliminate {
        le32(&mut out, uint(r));
    }
    out.push(match text(&m["tie_for_lowest"]) {
        "no_elimination" => 0,
        "caller_resolves" => 1,
        other => panic!("§10.2: tie_for_lowest {other:?}"),
    });
    match &m["quorum"] {
        serde_json::Value::Null => out.push(0),
        quorum => {
            out.push(1);
            let map = fraction_bytes(quorum, "the quorum", &["members"], &mut out);
            le64(&mut out, uint(&map["members"]));
        }
    }
    le32(&mut out, uint(&m["threshold"]));
    le32(&mut out, uint(&m["trustees"]));
    le64(&mut out, uint(&m["privacy_floor"]));
    // §10.2: the roll, `null` or {"second_ballot": "refused" | "replaces"}.
    match &m["roll"] {
        serde_json::Value::Null => out.push(0),
        roll => {
            let r = object(roll, "the roll", &["second_ballot"]);
            out.push(1);
            out.push(match text(&r["second_ballot"]) {
                "refused" => 0,
                "replaces" => 1,
                other => panic!("§10.2: second_ballot {other:?}"),
            });
        }
    }
    // The authorities: `null`, or the administrator's key, n trustee keys and the credential
    // authority's key or `null` (§10.2).
    match &m["authorities"] {
        serde_json::Value::Null => out.push(0),
        authorities => {
            let a = object(
                authorities,
                "the authorities",
                &["administrator", "trustees", "credential_authority"],
            );
            out.push(1);
            out.extend_from_slice(&unhex(&a["administrator"]));
            let trustees = list(&a["trustees"]);
            assert_eq!(trustees.len() as u64, uint(&m["trustees"]), "§10.2: n keys");
            le32(&mut out, trustees.len() as u64);
            for key in trustees {
                out.extend_from_slice(&unhex(key));
            }
            match &a["credential_authority"] {
                serde_json::Value::Null => out.push(0),
                key => {
                    out.push(1);
                    out.extend_from_slice(&unhex(key));
                }
            }
        }
    }
    out
}

fn le64(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(&n.to_le_bytes());
}

/// §12.2 → §12.1: the binary record that a JSON record holds (a decoded JSON record
/// re-encodes to the same binary bytes), with every entry's `kind`, `author` and `head`
/// checked against the entry.
pub fn record_json(value: &serde_json::Value) -> Vec<u8> {
    let r = object(value, "the record", &["version", "entries"]);
    assert_eq!(uint(&r["version"]), u64::from(VERSION), "§12.2: version 4");
    let entries = list(&r["entries"]);
    let mut out = b"tb".to_vec();
    out.push(kind::RECORD);
    out.extend_from_slice(&VERSION.to_le_bytes());
    le32(&mut out, entries.len() as u64);
    let mut head = genesis_head();
    for e in entries {
        let e = object(e, "an entry", &["kind", "author", "head", "entry"]);
        let bytes = unhex(&e["entry"]);
        let entry = read_entry(&bytes);
        assert_eq!(
            text(&e["kind"]),
            kind_name(entry.kind),
            "§12.2: the entry's kind"
        );
        let author = match (&e["author"], entry.role) {
            (serde_json::Value::String(a), 0) if a == "administrator" => true,
            (serde_json::Value::String(a), 2) if a == "voter" => true,
            (serde_json::Value::String(a), 3) if a == "credential_authority" => true,
            (author, 1) => {
                let a = object(author, "a trustee author", &["trustee"]);
                uint(&a["trustee"]) == u64::from(entry.index)
            }
            _ => false,
        };
        assert!(author, "§12.2: the entry's author");
        head = next_head(&head, &bytes);
        assert_eq!(unhex(&e["head"]), head, "§12.2: the head after the entry");
        blob(&mut out, &bytes);
    }
    out
}

/// §14.1: the name of each entry kind.
pub fn kind_name(kind: u8) -> &'static str {
    const NAMES: [&str; 14] = [
        "manifest",
        "ceremony_run",
        "ceremony_message",
        "keys",
        "withdrawal",
        "round_open",
        "ballot",
        "challenged",
        "round_close",
        "partial_decryption",
        "result",
        "tie_resolution",
        "acclamation",
        "roll",
    ];
    NAMES[usize::from(kind) - 1]
}
