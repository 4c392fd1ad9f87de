//! Hand-built provers and encoders shared by the adversarial suites.
//!
//! They mimic tabella's transcripts (`src/transcript.rs`, `src/proofs/*`, `src/ballot.rs`) and
//! byte layouts (each file's top doc) using only the public API, dalek and merlin, so that a
//! test can make what the library never makes: a proof over another generator, a proof with a
//! weak Fiat–Shamir challenge, a ballot with a lying witness. Each mimic has a control test
//! (made honestly, it verifies), so a rejection is caused by the lie and not by the mimic.
#![allow(dead_code)] // each test crate uses a different part of this module

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use merlin::Transcript;
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use tabella::ballot::{BallotContext, BallotId, ContestSpec, EncryptedBallot, Layout};
use tabella::credential::PublicCredential;
use tabella::domain::label;
use tabella::elgamal::{Ciphertext, Nonce, PublicKey};
use tabella::error::BallotPart;
use tabella::group::Point;
use tabella::proofs::{MembershipProof, MembershipStatement};
use tabella::transcript::TranscriptExt;

/// A deterministic RNG for a test.
pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// A uniformly random scalar.
pub fn random_scalar(rng: &mut ChaCha20Rng) -> Scalar {
    let mut bytes = [0u8; 64];
    rng.fill_bytes(&mut bytes);
    Scalar::from_bytes_mod_order_wide(&bytes)
}

/// A uniformly random point (unknown discrete logarithm).
pub fn random_point(rng: &mut ChaCha20Rng) -> RistrettoPoint {
    let mut bytes = [0u8; 64];
    rng.fill_bytes(&mut bytes);
    RistrettoPoint::from_uniform_bytes(&bytes)
}

/// The generator G.
pub const G: RistrettoPoint = RISTRETTO_BASEPOINT_POINT;

/// `m·G` for a signed message (so that −1 is −G).
pub fn signed(m: i64) -> Scalar {
    let magnitude = Scalar::from(m.unsigned_abs());
    if m < 0 { -magnitude } else { magnitude }
}

/// ElGamal encryption of the scalar `m` (any value, even outside {0, 1}) with nonce `r`.
pub fn encrypt_scalar(key: &PublicKey, m: &Scalar, r: &Scalar) -> Ciphertext {
    Ciphertext::from_elements(G * r, G * m + key.as_point().element() * r)
}

/// A nonce with the value `r`.
pub fn nonce(r: &Scalar) -> Nonce {
    Nonce::from_bytes(r.as_bytes()).expect("non-zero canonical nonce")
}

/// The scalar inside a nonce.
pub fn nonce_scalar(n: &Nonce) -> Scalar {
    Option::from(Scalar::from_canonical_bytes(*n.to_bytes())).expect("canonical nonce")
}

// ---------------------------------------------------------------------------------------------
// Byte layouts and canonical tweaks
// ---------------------------------------------------------------------------------------------

/// What a 32-byte field of an encoding holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A canonical point.
    Point,
    /// A canonical scalar.
    Scalar,
}

/// One 32-byte field of an encoding.
#[derive(Clone, Debug)]
pub struct Field {
    /// Human name, unique within the layout ("option 2 A1").
    pub name: String,
    /// The `what` the library's decoder reports for this field.
    pub what: &'static str,
    /// Byte offset.
    pub offset: usize,
    /// Point or scalar.
    pub kind: Kind,
    /// For a ballot: the proof a change to this field breaks first.
    pub part: Option<BallotPart>,
}

fn field(name: String, what: &'static str, offset: usize, kind: Kind) -> Field {
    Field {
        name,
        what,
        offset,
        kind,
        part: None,
    }
}

/// Layout of a Schnorr proof: `R ‖ s`.
pub fn schnorr_layout() -> Vec<Field> {
    vec![
        field("R".into(), "Schnorr commitment R", 0, Kind::Point),
        field("s".into(), "Schnorr response s", 32, Kind::Scalar),
    ]
}

/// Layout of a DLEQ proof: `R₁ ‖ R₂ ‖ s`.
pub fn dleq_layout() -> Vec<Field> {
    vec![
        field("R1".into(), "DLEQ commitment R1", 0, Kind::Point),
        field("R2".into(), "DLEQ commitment R2", 32, Kind::Point),
        field("s".into(), "DLEQ response s", 64, Kind::Scalar),
    ]
}

/// Layout of a membership proof with `k` branches starting at `start`:
/// `A₀ ‖ B₀ ‖ … ‖ c₀ ‖ … ‖ c_{k−2} ‖ z₀ ‖ … ‖ z_{k−1}`.
pub fn membership_layout(k: usize, start: usize, prefix: &str) -> Vec<Field> {
    let mut out = Vec::new();
    for j in 0..k {
        out.push(field(
            format!("{prefix}A{j}"),
            "membership commitment A",
            start + 64 * j,
            Kind::Point,
        ));
        out.push(field(
            format!("{prefix}B{j}"),
            "membership commitment B",
            start + 64 * j + 32,
            Kind::Point,
        ));
    }
    let challenges = start + 64 * k;
    for j in 0..k - 1 {
        out.push(field(
            format!("{prefix}c{j}"),
            "membership challenge c",
            challenges + 32 * j,
            Kind::Scalar,
        ));
    }
    let responses = challenges + 32 * (k - 1);
    for j in 0..k {
        out.push(field(
            format!("{prefix}z{j}"),
            "membership response z",
            responses + 32 * j,
            Kind::Scalar,
        ));
    }
    out
}

/// Layout of a one-out-of-many proof of radix e with d digits (`src/proofs/one_of_many.rs`):
/// `A_δ ‖ A_a ‖ A_m ‖ A_q ‖ (G_κ^α ‖ G_κ^β)·d ‖ f_{j,i}·d(e−1) ‖ z_δ ‖ z_m ‖ z`.
pub fn one_of_many_layout(e: usize, d: usize, start: usize, prefix: &str) -> Vec<Field> {
    let mut out = Vec::new();
    let commitments = [
        ("A-delta", "one-of-many commitment A-delta"),
        ("A-a", "one-of-many commitment A-a"),
        ("A-m", "one-of-many commitment A-m"),
        ("A-q", "one-of-many commitment A-q"),
    ];
    for (i, (name, what)) in commitments.into_iter().enumerate() {
        out.push(field(
            format!("{prefix}{name}"),
            what,
            start + 32 * i,
            Kind::Point,
        ));
    }
    for k in 0..d {
        let at = start + 128 + 64 * k;
        out.push(field(
            format!("{prefix}G{k} alpha"),
            "one-of-many pair G-alpha",
            at,
            Kind::Point,
        ));
        out.push(field(
            format!("{prefix}G{k} beta"),
            "one-of-many pair G-beta",
            at + 32,
            Kind::Point,
        ));
    }
    let scalars = start + 128 + 64 * d;
    for j in 0..d {
        for i in 1..e {
            out.push(field(
                format!("{prefix}f{j},{i}"),
                "one-of-many response f",
                scalars + 32 * (j * (e - 1) + i - 1),
                Kind::Scalar,
            ));
        }
    }
    let z = scalars + 32 * d * (e - 1);
    for (i, (name, what)) in [
        ("z-delta", "one-of-many response z-delta"),
        ("z-m", "one-of-many response z-m"),
        ("z", "one-of-many response z"),
    ]
    .into_iter()
    .enumerate()
    {
        out.push(field(
            format!("{prefix}{name}"),
            what,
            z + 32 * i,
            Kind::Scalar,
        ));
    }
    out
}

/// The header of an encoded ballot.
#[derive(Clone, Debug)]
pub struct BallotHeader {
    /// Whether a credential is present.
    pub credential: bool,
    /// The number of ciphertexts m.
    pub width: usize,
    /// The count proof's branches b.
    pub branches: usize,
    /// Offset of the first ciphertext.
    pub ciphertexts: usize,
    /// Offset of the first option proof.
    pub option_proofs: usize,
    /// Offset of the count proof.
    pub count_proof: usize,
    /// Offset of the signature `R ‖ s` (the last 64 bytes), when a credential is present.
    pub signature: Option<usize>,
    /// Each ciphertext proof: the offset of its bytes and its branch count.
    pub proofs: Vec<(usize, usize)>,
    /// Offset of the proof form byte.
    pub form: usize,
    /// Form 1 (layout 2): the offset of the one-out-of-many proof, its radix e and digits d.
    pub one_of_many: Option<(usize, usize, usize)>,
}

/// Length of an option (0/1) proof.
pub const OPTION_PROOF_LEN: usize = MembershipProof::encoded_len(2);

/// Distance between two option proofs: the u32 branch count, then the proof.
pub const OPTION_STRIDE: usize = 4 + OPTION_PROOF_LEN;

impl BallotHeader {
    /// Offset of option proof j (its bytes, after its branch count) of a per-option ballot.
    pub fn option_proof(&self, j: usize) -> usize {
        self.option_proofs + OPTION_STRIDE * j
    }
}

/// Parses the header of a well-formed ballot encoding:
/// `header (5) ‖ id (32) ‖ flag (1) ‖ [credential (32)] ‖ u32 m ‖ m·64 ‖ form (1)`, then form 0:
/// `u32 p ‖ p·(u32 k ‖ 128·k − 32) ‖ u32 b ‖ 128·b − 32`, or form 1: `u32 e ‖ u32 d ‖ proof`;
/// then `[signature (64)]` (per option, p = m and every k = 2; the signature iff the flag is 1).
pub fn ballot_header(bytes: &[u8]) -> BallotHeader {
    const H: usize = tabella::encoding::header::HEADER_LEN;
    let credential = bytes[H + 32] == 1;
    let counts = H + if credential { 65 } else { 33 };
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
    let width = u32_at(counts);
    let ciphertexts = counts + 4;
    let form = ciphertexts + 64 * width;
    if bytes[form] == 1 {
        let (e, d) = (u32_at(form + 1), u32_at(form + 5));
        let start = form + 9;
        let len = 32 * (4 + 2 * d + d * (e - 1) + 3);
        return BallotHeader {
            credential,
            width,
            branches: 0,
            ciphertexts,
            option_proofs: start,
            count_proof: start,
            signature: credential.then_some(start + len),
            proofs: Vec::new(),
            form,
            one_of_many: Some((start, e, d)),
        };
    }
    let proofs = u32_at(form + 1);
    let option_proofs = form + 9;
    // Walk the ciphertext proofs by their branch counts.
    let mut count_at = option_proofs - 4;
    let mut proof_list = Vec::with_capacity(proofs);
    for _ in 0..proofs {
        let k = u32_at(count_at);
        proof_list.push((count_at + 4, k));
        count_at += 4 + MembershipProof::encoded_len(k);
    }
    let branches = u32_at(count_at);
    let count_proof = count_at + 4;
    let signature = credential.then_some(count_proof + MembershipProof::encoded_len(branches));
    BallotHeader {
        credential,
        width,
        branches,
        ciphertexts,
        option_proofs,
        count_proof,
        signature,
        proofs: proof_list,
        form,
        one_of_many: None,
    }
}

/// Every point and scalar field of a ballot encoding, with the proof a change breaks first.
///
/// Without a credential: a ciphertext is in the transcript of every proof (so the first
/// ciphertext proof fails first, or the count proof when there is none), a field of ciphertext
/// proof j breaks proof j, a field of the count proof breaks the count. With one (verified in
/// a context with its roll), the signature covers every byte before it and is checked first,
/// so a change to any field breaks the signature.
pub fn ballot_layout(bytes: &[u8]) -> Vec<Field> {
    let h = ballot_header(bytes);
    let mut out = ballot_fields(&h);
    if let Some(at) = h.signature {
        for f in &mut out {
            f.part = Some(BallotPart::Signature);
        }
        for f in schnorr_layout() {
            out.push(Field {
                name: format!("signature {}", f.name),
                offset: at + f.offset,
                part: Some(BallotPart::Signature),
                ..f
            });
        }
    }
    out
}

fn ballot_fields(h: &BallotHeader) -> Vec<Field> {
    let mut out = Vec::new();
    let first = if h.one_of_many.is_some() {
        BallotPart::Choice
    } else if h.proofs.is_empty() {
        BallotPart::Count
    } else {
        BallotPart::Option(0)
    };
    for j in 0..h.width {
        let at = h.ciphertexts + 64 * j;
        out.push(Field {
            part: Some(first),
            ..field(
                format!("ciphertext {j} alpha"),
                "ciphertext alpha",
                at,
                Kind::Point,
            )
        });
        out.push(Field {
            part: Some(first),
            ..field(
                format!("ciphertext {j} beta"),
                "ciphertext beta",
                at + 32,
                Kind::Point,
            )
        });
    }
    for (j, &(start, k)) in h.proofs.iter().enumerate() {
        for f in membership_layout(k, start, &format!("option {j} proof ")) {
            out.push(Field {
                part: Some(BallotPart::Option(j)),
                ..f
            });
        }
    }
    if let Some((start, e, d)) = h.one_of_many {
        for f in one_of_many_layout(e, d, start, "one-of-many proof ") {
            out.push(Field {
                part: Some(BallotPart::Choice),
                ..f
            });
        }
        return out;
    }
    for f in membership_layout(h.branches, h.count_proof, "count proof ") {
        out.push(Field {
            part: Some(BallotPart::Count),
            ..f
        });
    }
    out
}

/// Reads the 32 bytes of a field.
pub fn read32(bytes: &[u8], at: usize) -> [u8; 32] {
    bytes[at..at + 32].try_into().unwrap()
}

/// Replaces a point field by `P + G` or a scalar field by `s + 1`: another canonical value.
pub fn tweak(bytes: &mut [u8], f: &Field) {
    let old = read32(bytes, f.offset);
    let new = match f.kind {
        Kind::Point => {
            let p = CompressedRistretto(old)
                .decompress()
                .expect("canonical point");
            (p + G).compress().to_bytes()
        }
        Kind::Scalar => {
            let s: Scalar = Option::from(Scalar::from_canonical_bytes(old)).expect("canonical");
            (s + Scalar::ONE).to_bytes()
        }
    };
    assert_ne!(old, new);
    bytes[f.offset..f.offset + 32].copy_from_slice(&new);
}

/// `a + b` on 256-bit little-endian integers, `None` on overflow.
pub fn add_le(a: &[u8; 32], b: &[u8; 32]) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(a[i]) + u16::from(b[i]) + carry;
        out[i] = sum as u8;
        carry = sum >> 8;
    }
    (carry == 0).then_some(out)
}

/// ℓ = 2^252 + 27742317777372353535851937790883648493, little-endian.
pub fn ell() -> [u8; 32] {
    let mut l = (-Scalar::ONE).to_bytes();
    l[0] += 1; // ℓ − 1 ends in 0xec: no carry
    l
}

/// p = 2^255 − 19, little-endian.
pub fn field_prime() -> [u8; 32] {
    let mut p = [0xffu8; 32];
    p[0] = 0xed;
    p[31] = 0x7f;
    p
}

// ---------------------------------------------------------------------------------------------
// Provers over an arbitrary generator (the library's G is fixed)
// ---------------------------------------------------------------------------------------------

/// Appends a point unless its label is in `skip` (to build weak Fiat–Shamir transcripts).
fn put(t: &mut Transcript, skip: &[&[u8]], label: &'static [u8], point: &Point) {
    if !skip.contains(&label) {
        t.append_point(label, point);
    }
}

/// A Schnorr proof of `X = x·generator` made exactly as `SchnorrProof::prove` makes one,
/// except that the generator is `generator` and the statement labels in `skip` are left out
/// of the transcript. Returns X and the encoding `R ‖ s`.
pub fn schnorr_over(
    t: &mut Transcript,
    generator: &RistrettoPoint,
    x: &Scalar,
    skip: &[&[u8]],
    rng: &mut ChaCha20Rng,
) -> (Point, [u8; 64]) {
    let public = Point::from(generator * x);
    t.domain_sep(label::SCHNORR);
    put(t, skip, b"G", &Point::from(*generator));
    put(t, skip, b"X", &public);
    let k = random_scalar(rng);
    let commitment = Point::from(generator * k);
    t.append_point(b"R", &commitment);
    let c = t.challenge(b"c");
    let s = k + c * x;
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(commitment.as_bytes());
    out[32..].copy_from_slice(s.as_bytes());
    (public, out)
}

/// A DLEQ proof of `Y = x·generator ∧ D = x·H` made as `DleqProof::prove` makes one, over
/// `generator`, leaving the labels in `skip` out of the transcript. Returns Y, D and the
/// encoding `R₁ ‖ R₂ ‖ s`.
pub fn dleq_over(
    t: &mut Transcript,
    generator: &RistrettoPoint,
    base: &Point,
    x: &Scalar,
    skip: &[&[u8]],
    rng: &mut ChaCha20Rng,
) -> (Point, Point, [u8; 96]) {
    let left = Point::from(generator * x);
    let right = Point::from(base.element() * x);
    t.domain_sep(label::DLEQ);
    put(t, skip, b"G", &Point::from(*generator));
    put(t, skip, b"H", base);
    put(t, skip, b"Y", &left);
    put(t, skip, b"D", &right);
    let k = random_scalar(rng);
    let r1 = Point::from(generator * k);
    let r2 = Point::from(base.element() * k);
    t.append_point(b"R1", &r1);
    t.append_point(b"R2", &r2);
    let c = t.challenge(b"c");
    let s = k + c * x;
    let mut out = [0u8; 96];
    out[..32].copy_from_slice(r1.as_bytes());
    out[32..64].copy_from_slice(r2.as_bytes());
    out[64..].copy_from_slice(s.as_bytes());
    (left, right, out)
}

/// A CDS membership proof made as `MembershipProof::prove` makes one, over `generator`: the
/// ciphertext is `(r·generator, set[index]·generator + r·Y)`. The labels in `skip` (`G`, `Y`,
/// `C`, `k`, `s`) are left out of the transcript. Returns the ciphertext and the encoding.
#[allow(clippy::too_many_arguments)]
pub fn membership_over(
    t: &mut Transcript,
    generator: &RistrettoPoint,
    key: &PublicKey,
    set: &[u64],
    index: usize,
    r: &Scalar,
    skip: &[&[u8]],
    rng: &mut ChaCha20Rng,
) -> (Ciphertext, Vec<u8>) {
    let y = *key.as_point().element();
    let alpha = generator * r;
    let beta = generator * Scalar::from(set[index]) + y * r;
    let ciphertext = Ciphertext::from_elements(alpha, beta);
    t.domain_sep(label::MEMBERSHIP);
    put(t, skip, b"G", &Point::from(*generator));
    put(t, skip, b"Y", key.as_point());
    if !skip.contains(&&b"C"[..]) {
        t.append_ciphertext(b"C", &ciphertext);
    }
    if !skip.contains(&&b"k"[..]) {
        t.append_count(b"k", set.len() as u64);
    }
    if !skip.contains(&&b"s"[..]) {
        for s in set {
            t.append_count(b"s", *s);
        }
    }
    let w = random_scalar(rng);
    let mut challenges = Vec::new();
    let mut responses = Vec::new();
    let mut commitments = Vec::new();
    for (j, s) in set.iter().enumerate() {
        let (a, b, c, z) = if j == index {
            (generator * w, y * w, Scalar::ZERO, Scalar::ZERO)
        } else {
            let c = random_scalar(rng);
            let z = random_scalar(rng);
            let shifted = beta - generator * Scalar::from(*s);
            (generator * z - alpha * c, y * z - shifted * c, c, z)
        };
        let (a, b) = (Point::from(a), Point::from(b));
        t.append_point(b"A", &a);
        t.append_point(b"B", &b);
        commitments.push((a, b));
        challenges.push(c);
        responses.push(z);
    }
    let c = t.challenge(b"c");
    let others: Scalar = challenges.iter().sum();
    challenges[index] = c - others;
    responses[index] = w + challenges[index] * r;
    let mut out = Vec::new();
    for (a, b) in &commitments {
        out.extend_from_slice(a.as_bytes());
        out.extend_from_slice(b.as_bytes());
    }
    for c in &challenges[..set.len() - 1] {
        out.extend_from_slice(c.as_bytes());
    }
    for z in &responses {
        out.extend_from_slice(z.as_bytes());
    }
    (ciphertext, out)
}

// ---------------------------------------------------------------------------------------------
// Ballots by hand
// ---------------------------------------------------------------------------------------------

/// The contest's part of the ballot and signature transcripts, as `src/ballot.rs` documents
/// it: "contest" index, "options" k, "min", "max", "abstention", "capacity", "layout", "base",
/// "chunk".
fn append_contest(t: &mut Transcript, ctx: &BallotContext<'_>) {
    t.append_count(b"contest", u64::from(ctx.contest.index()));
    t.append_count(b"options", u64::from(ctx.contest.options()));
    t.append_count(b"min", u64::from(ctx.contest.min()));
    t.append_count(b"max", u64::from(ctx.contest.max()));
    t.append_count(b"abstention", u64::from(ctx.contest.has_abstention()));
    t.append_count(b"capacity", ctx.contest.capacity().unwrap_or(0));
    let (tag, base, chunk) = match ctx.contest.layout() {
        Layout::PerOption => (0, 0, 0),
        Layout::Packed { base, chunk } => (1, base, chunk as u64),
        Layout::PackedOneOfMany { base, chunk, .. } => (2, base, chunk as u64),
    };
    t.append_count(b"layout", tag);
    t.append_count(b"base", base);
    t.append_count(b"chunk", chunk);
}

/// The ballot transcript, as `src/ballot.rs` documents it.
pub fn ballot_transcript(
    ctx: &BallotContext<'_>,
    id: &BallotId,
    credential: Option<&PublicCredential>,
    ciphertexts: &[Ciphertext],
) -> Transcript {
    let mut t = ctx.election.transcript(label::BALLOT);
    t.append_count(b"round", u64::from(ctx.round));
    append_contest(&mut t, ctx);
    t.append_message(b"ballot-id", &id.0);
    t.append_message(b"credential", credential.map_or(&[][..], |c| &c.0[..]));
    for c in ciphertexts {
        t.append_ciphertext(b"C", c);
    }
    t
}

/// The transcript of a ballot's signature, as `src/ballot.rs` documents it: "round", the
/// contest, "credential" S, "ballot" the encoding up to the signature.
pub fn signature_transcript(
    ctx: &BallotContext<'_>,
    credential: &PublicCredential,
    body: &[u8],
) -> Transcript {
    let mut t = ctx.election.transcript(label::BALLOT_SIGNATURE);
    t.append_count(b"round", u64::from(ctx.round));
    append_contest(&mut t, ctx);
    t.append_message(b"credential", &credential.0);
    t.append_message(b"ballot", body);
    t
}

/// A credential made by hand: the secret scalar s and the public credential S = s·G.
#[derive(Clone, Copy, Debug)]
pub struct HandCredential {
    /// s.
    pub secret: Scalar,
    /// S = s·G, as a ballot carries it.
    pub public: PublicCredential,
}

impl HandCredential {
    /// A fresh credential.
    pub fn new(rng: &mut ChaCha20Rng) -> Self {
        let secret = random_scalar(rng);
        HandCredential {
            secret,
            public: PublicCredential((G * secret).compress().to_bytes()),
        }
    }

    /// Signs a ballot body (its encoding up to the signature) as `src/ballot.rs` documents:
    /// a Schnorr proof (§5.1) with X = S in the signature transcript. Returns `R ‖ s`.
    pub fn sign(&self, ctx: &BallotContext<'_>, body: &[u8], rng: &mut ChaCha20Rng) -> [u8; 64] {
        let mut t = signature_transcript(ctx, &self.public, body);
        let (public, signature) = schnorr_over(&mut t, &G, &self.secret, &[], rng);
        assert_eq!(public.as_bytes(), &self.public.0);
        signature
    }
}

/// The transcript of option j's 0/1 proof.
pub fn option_transcript(base: &Transcript, j: usize) -> Transcript {
    let mut t = base.clone();
    t.domain_sep(label::BALLOT_OPTION);
    t.append_count(b"option", j as u64);
    t
}

/// The transcript of the count proof.
pub fn count_transcript(base: &Transcript) -> Transcript {
    let mut t = base.clone();
    t.domain_sep(label::BALLOT_COUNT);
    t
}

/// The weight of slot j in the count: 1 for an option, max for the abstention.
pub fn count_weight(contest: &ContestSpec, j: usize) -> Scalar {
    if j < contest.options() as usize || contest.layout() != Layout::PerOption {
        Scalar::ONE
    } else {
        Scalar::from(u64::from(contest.max()))
    }
}

/// The count ciphertext Σ options + max·abstention.
pub fn count_ciphertext(contest: &ContestSpec, ciphertexts: &[Ciphertext]) -> Ciphertext {
    ciphertexts
        .iter()
        .enumerate()
        .map(|(j, c)| c * &count_weight(contest, j))
        .sum()
}

/// The documented layout up to the proofs: header, id, credential flag and credential, the
/// ciphertexts, then the proof form byte.
fn encode_ballot_start(
    id: &BallotId,
    credential: Option<&PublicCredential>,
    ciphertexts: &[Ciphertext],
    form: u8,
) -> Vec<u8> {
    // The header: "tb", the ballot kind, the protocol version (SPEC §2.1).
    let mut out = tabella::encoding::header::header(tabella::domain::ObjectKind::Ballot).to_vec();
    out.extend_from_slice(&id.0);
    match credential {
        Some(c) => {
            out.push(1);
            out.extend_from_slice(&c.0);
        }
        None => out.push(0),
    }
    out.extend_from_slice(&(ciphertexts.len() as u32).to_le_bytes());
    for c in ciphertexts {
        out.extend_from_slice(&c.to_bytes());
    }
    out.push(form);
    out
}

/// Encodes a ballot by the documented layout, up to the signature (what the signature signs;
/// without a credential, the whole ballot), with proof form 0: membership proofs.
pub fn encode_ballot(
    id: &BallotId,
    credential: Option<&PublicCredential>,
    ciphertexts: &[Ciphertext],
    option_proofs: &[Vec<u8>],
    count_proof: &[u8],
    count_branches: usize,
) -> Vec<u8> {
    let mut out = encode_ballot_start(id, credential, ciphertexts, 0);
    out.extend_from_slice(&(option_proofs.len() as u32).to_le_bytes());
    for p in option_proofs {
        out.extend_from_slice(&(((p.len() + 32) / 128) as u32).to_le_bytes());
        out.extend_from_slice(p);
    }
    out.extend_from_slice(&(count_branches as u32).to_le_bytes());
    out.extend_from_slice(count_proof);
    out
}

/// What a cheating prover claims for one proof: the witness value and the set it proves
/// membership in (the honest set, or a lying one of the same size).
#[derive(Clone, Debug)]
pub struct Claim {
    /// The value the prover claims the ciphertext encrypts.
    pub value: u64,
    /// The set the proof is made for.
    pub set: Vec<u64>,
}

impl Claim {
    /// A claim over the honest 0/1 set.
    pub fn bit(value: u64) -> Self {
        Claim {
            value,
            set: vec![0, 1],
        }
    }

    /// A claim over the honest count set of `contest`.
    pub fn count(contest: &ContestSpec, value: u64) -> Self {
        let set = match contest.layout() {
            Layout::PerOption => (u64::from(contest.min())..=u64::from(contest.max())).collect(),
            Layout::PackedOneOfMany { .. } => panic!("layout 2 has no count proof"),
            Layout::Packed { base, chunk } => {
                let slots = contest.options() as usize + usize::from(contest.has_abstention());
                let blank = (contest.min() == 0).then_some(0);
                blank
                    .into_iter()
                    .chain((0..chunk.min(slots) as u32).map(|i| base.pow(i)))
                    .collect()
            }
        };
        Claim { value, set }
    }
}

/// A ballot made by the best cheating prover: the slots encrypt `plaintexts` (any scalars) with
/// `nonces`, each option proof is `MembershipProof::prove` with the claimed witness and set,
/// and the count proof likewise, all on the real ballot transcripts. The bytes go through
/// `EncryptedBallot::from_bytes`, as a ballot from the network would. With a credential, the
/// ballot carries it and is signed by hand (`HandCredential::sign`).
#[allow(clippy::too_many_arguments)]
pub fn forge_ballot(
    ctx: &BallotContext<'_>,
    id: BallotId,
    credential: Option<&HandCredential>,
    plaintexts: &[Scalar],
    nonces: &[Scalar],
    option_claims: &[Claim],
    count_claim: &Claim,
    rng: &mut ChaCha20Rng,
) -> EncryptedBallot {
    assert_eq!(plaintexts.len(), nonces.len());
    assert!(option_claims.len() <= plaintexts.len());
    let ciphertexts: Vec<Ciphertext> = plaintexts
        .iter()
        .zip(nonces)
        .map(|(m, r)| encrypt_scalar(ctx.key, m, r))
        .collect();
    let count_nonce: Scalar = nonces
        .iter()
        .enumerate()
        .map(|(j, r)| r * count_weight(ctx.contest, j))
        .sum();
    let witnesses: Vec<(Claim, Scalar)> = option_claims
        .iter()
        .cloned()
        .zip(nonces.iter().copied())
        .collect();
    let count_ct = count_ciphertext(ctx.contest, &ciphertexts);
    prove_ballot(
        ctx,
        id,
        credential,
        &ciphertexts,
        &witnesses,
        &count_ct,
        &(count_claim.clone(), count_nonce),
        rng,
    )
}

/// A ballot over the given ciphertexts (any points at all), each proof made by
/// `MembershipProof::prove` with the given claim and nonce, on the real ballot transcripts;
/// the count proof is made for `count_ct` (normally `count_ciphertext`, or a forger's own
/// idea of it). Encoded by the layout, signed by hand when there is a credential, and decoded
/// with `EncryptedBallot::from_bytes`.
#[allow(clippy::too_many_arguments)]
pub fn prove_ballot(
    ctx: &BallotContext<'_>,
    id: BallotId,
    credential: Option<&HandCredential>,
    ciphertexts: &[Ciphertext],
    option_witnesses: &[(Claim, Scalar)],
    count_ct: &Ciphertext,
    count_witness: &(Claim, Scalar),
    rng: &mut ChaCha20Rng,
) -> EncryptedBallot {
    // Per option every ciphertext has a proof; packed in one ciphertext, none.
    assert!(option_witnesses.len() <= ciphertexts.len());
    let public = credential.map(|c| c.public);
    let base = ballot_transcript(ctx, &id, public.as_ref(), ciphertexts);
    let mut option_proofs = Vec::new();
    for (j, (c, (claim, r))) in ciphertexts.iter().zip(option_witnesses).enumerate() {
        let statement = MembershipStatement {
            key: ctx.key,
            ciphertext: c,
            set: &claim.set,
        };
        let proof = MembershipProof::prove(
            &mut option_transcript(&base, j),
            &statement,
            claim.value,
            &nonce(r),
            rng,
        )
        .expect("the claimed value is in the claimed set");
        option_proofs.push(proof.to_bytes());
    }
    let (count_claim, count_nonce) = count_witness;
    let statement = MembershipStatement {
        key: ctx.key,
        ciphertext: count_ct,
        set: &count_claim.set,
    };
    let count_proof = MembershipProof::prove(
        &mut count_transcript(&base),
        &statement,
        count_claim.value,
        &nonce(count_nonce),
        rng,
    )
    .expect("the claimed count is in the claimed set");
    let mut bytes = encode_ballot(
        &id,
        public.as_ref(),
        ciphertexts,
        &option_proofs,
        &count_proof.to_bytes(),
        count_proof.branches(),
    );
    if let Some(c) = credential {
        let signature = c.sign(ctx, &bytes, rng);
        bytes.extend_from_slice(&signature);
    }
    EncryptedBallot::from_bytes(&bytes).expect("a forged ballot is still well encoded")
}

/// `n` fresh random nonces.
pub fn fresh_nonces(n: usize, rng: &mut ChaCha20Rng) -> Vec<Scalar> {
    (0..n).map(|_| random_scalar(rng)).collect()
}

/// Encodes a layout-2 ballot by the documented layout, up to the signature: form byte 1, the
/// radix e and digits d, and the one-out-of-many proof.
pub fn encode_one_of_many_ballot(
    id: &BallotId,
    credential: Option<&PublicCredential>,
    ciphertexts: &[Ciphertext],
    proof: &tabella::proofs::OneOfManyProof,
) -> Vec<u8> {
    let mut out = encode_ballot_start(id, credential, ciphertexts, 1);
    out.extend_from_slice(&(proof.radix().radix() as u32).to_le_bytes());
    out.extend_from_slice(&(proof.radix().digits() as u32).to_le_bytes());
    out.extend_from_slice(&proof.to_bytes());
    out
}

/// The statements of a layout-2 contest's proof, as docs/SPEC.md §6.3 lists them: slot σ is
/// (⌊σ/s⌋, B^(σ mod s)), then the blank (0, 0) when min = 0.
pub fn one_of_many_statements(contest: &ContestSpec) -> Vec<tabella::proofs::OneHot> {
    let Layout::PackedOneOfMany { base, chunk, .. } = contest.layout() else {
        panic!("not a layout-2 contest");
    };
    let slots = contest.options() as usize + usize::from(contest.has_abstention());
    (0..slots)
        .map(|slot| tabella::proofs::OneHot {
            at: slot / chunk,
            value: base.pow((slot % chunk) as u32),
        })
        .chain((contest.min() == 0).then_some(tabella::proofs::OneHot { at: 0, value: 0 }))
        .collect()
}

/// A layout-2 ballot by the best cheating prover: the chunks encrypt `plaintexts` (any
/// scalars) with fresh nonces, and the one-out-of-many proof is `OneOfManyProof::prove` with
/// the claimed statement index as witness, on the real ballot transcripts (the prover does not
/// check its witness). Encoded by the layout, signed by hand when there is a credential, and
/// decoded with `EncryptedBallot::from_bytes`.
pub fn forge_one_of_many(
    ctx: &BallotContext<'_>,
    id: BallotId,
    credential: Option<&HandCredential>,
    plaintexts: &[Scalar],
    claimed: usize,
    rng: &mut ChaCha20Rng,
) -> EncryptedBallot {
    let nonces = fresh_nonces(plaintexts.len(), rng);
    let ciphertexts: Vec<Ciphertext> = plaintexts
        .iter()
        .zip(&nonces)
        .map(|(m, r)| encrypt_scalar(ctx.key, m, r))
        .collect();
    let public = credential.map(|c| c.public);
    let base = ballot_transcript(ctx, &id, public.as_ref(), &ciphertexts);
    let statements = one_of_many_statements(ctx.contest);
    let statement = tabella::proofs::OneOfManyStatement {
        key: ctx.key,
        ciphertexts: &ciphertexts,
        statements: &statements,
    };
    let witness: Vec<Nonce> = nonces.iter().map(nonce).collect();
    let proof = tabella::proofs::OneOfManyProof::prove(
        &mut count_transcript(&base),
        &statement,
        claimed,
        &witness,
        rng,
    )
    .expect("the claimed index is one of the statements");
    let mut bytes = encode_one_of_many_ballot(&id, public.as_ref(), &ciphertexts, &proof);
    if let Some(c) = credential {
        let signature = c.sign(ctx, &bytes, rng);
        bytes.extend_from_slice(&signature);
    }
    EncryptedBallot::from_bytes(&bytes).expect("a forged ballot is still well encoded")
}
