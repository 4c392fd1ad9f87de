//! One-out-of-many proof (Groth–Kohlweiss; Bootle et al.'s form) that a tuple of ciphertexts
//! encrypts one of a list of public *one-hot* plaintext vectors, with proofs whose size grows
//! with the number of digits of the statement's index, not with the number of statements.
//!
//! # Statement and witness
//!
//! Public: G, the election key Y, ciphertexts C₀ … C_{g−1} (Cᵥ = (αᵥ, βᵥ)) and a list of w
//! distinct [`OneHot`] plaintext vectors U₀ … U_{w−1}: Uσ has the value vσ at position aσ and
//! 0 elsewhere (vσ = 0 is the all-zero vector). Witness: an index σ* < w and the nonces rᵥ with
//! Cᵥ = Enc(U_{σ*,ν}; rᵥ) for every ν. A packed ballot (docs/SPEC.md §6.3, layout 2) uses it
//! with one statement per slot (the slot's chunk and its power of the base), and the blank
//! ballot when min = 0.
//!
//! # Construction (docs/SPEC.md §5.5)
//!
//! The radix n and the number of digits d are fixed by w ([`Radix::for_statements`]); the list
//! is padded to N′ = nᵈ statements by repeating its last one, and σ = Σⱼ σⱼ·nʲ. The generators
//! H, H_{j,i} are [`generators`]: nobody knows a discrete-log relation among them, G and Y.
//!
//! ```text
//! transcript ← dom-sep "tabella.proof.one-of-many", "G" G, "Y" Y, "m" g, "C" Cᵥ (ν < g),
//!              "w" w, ("at" aσ, "value" vσ) for σ < w, "radix" n, "digits" d
//! γ = challenge "gamma"
//! C_γ = Σᵥ γ^ν·Cᵥ,  r_γ = Σᵥ γ^ν·rᵥ,  μσ = γ^(aσ)·vσ          (the tuple, combined)
//! δ_{j,i} = [σ*ⱼ = i];  a_{j,i} random for i ≥ 1, a_{j,0} = −Σ_{i≥1} a_{j,i}
//! A_δ = t_δ·H + Σ δ_{j,i}·H_{j,i}            A_a = t_a·H + Σ a_{j,i}·H_{j,i}
//! A_m = t_m·H + Σ a_{j,i}(1 − 2δ_{j,i})·H_{j,i}     A_q = t_q·H − Σ a_{j,i}²·H_{j,i}
//! Σσ Πⱼ (δ_{j,σⱼ}·X + a_{j,σⱼ})·μσ = μσ*·Xᵈ + Σ_{κ<d} M_κ·X^κ
//! G_κ = (u_κ·G, u_κ·Y − M_κ·G)                                   κ < d
//! transcript ← "A-delta" A_δ, "A-a" A_a, "A-m" A_m, "A-q" A_q, ("G-alpha", "G-beta") G_κ
//! c = challenge "c"
//! f_{j,i} = δ_{j,i}·c + a_{j,i} (i ≥ 1);  z_δ = t_δ·c + t_a;  z_m = t_m·c + t_q
//! z = r_γ·cᵈ − Σ_κ u_κ·c^κ
//! ```
//!
//! # Verification equations
//!
//! With f_{j,0} = c − Σ_{i≥1} f_{j,i} (never sent: it forces one digit value per digit) and
//! M(c) = Σ_{σ<N′} (Πⱼ f_{j,σⱼ})·μσ:
//!
//! ```text
//! (1)  cᵈ·Σᵥ γ^ν·αᵥ − Σ_κ c^κ·G_κ^α − z·G = 0
//! (2)  cᵈ·Σᵥ γ^ν·βᵥ − M(c)·G − Σ_κ c^κ·G_κ^β − z·Y = 0
//! (3)  c·A_δ + A_a − z_δ·H − Σ f_{j,i}·H_{j,i} = 0
//! (4)  c·A_m + A_q − z_m·H − Σ f_{j,i}(c − f_{j,i})·H_{j,i} = 0
//! ```
//!
//! Since Σσ Πⱼ f_{j,σⱼ} = Πⱼ Σᵢ f_{j,i} = cᵈ, the N′ shifted statements Cγ − (0, μσ·G)
//! collapse to cᵈ·C_γ − (0, M(c)·G): the verifier adds the ballot's 2g ciphertext points, the
//! four commitments and the 2d points of the G_κ to the multiscalar multiplication, and only
//! scalars per statement. G, Y and the generators are shared by a whole batch.
//!
//! # Soundness and zero knowledge
//!
//! (3)–(4) with three challenges open every δ_{j,i} ∈ {0, 1} with one 1 per digit (binding
//! under discrete log among H, H_{j,i}); (1)–(2) with d + 1 challenges give C_γ − (0, μσ*·G) =
//! Enc(0; r_γ). If no σ makes every Cᵥ − Uσ,ᵥ an encryption of 0, each σ's combined error is
//! a non-zero polynomial of degree ≤ g − 1 in γ, so γ drawn after the ciphertexts are bound
//! passes with probability at most w·(g − 1)/ℓ. The proof is honest-verifier zero-knowledge:
//! perfectly for the Pedersen commitments, computationally (DDH) for the G_κ, which are
//! encryptions of values that depend on σ*. docs/performance.md has the counts.
//!
//! # Encoding
//!
//! `A_δ ‖ A_a ‖ A_m ‖ A_q ‖ (G_κ^α ‖ G_κ^β for κ < d) ‖ f_{j,i} (j-major, i = 1 … n−1) ‖ z_δ ‖
//! z_m ‖ z`: 32·(4 + 2d + d(n − 1) + 3) bytes; n and d are known from the statement.
//!
//! # Constant time
//!
//! The prover never branches on σ* or indexes memory by it: δ comes from comparing every
//! public digit position with σ*'s digits in constant time (`subtle`), the commitments are
//! constant-time multiscalar multiplications, the coefficients M_κ are computed by arithmetic
//! on the secret δ and a over public indices, and M_κ·G, u_κ·Y are constant-time.
//! Verification is variable time (public data).

use std::sync::OnceLock;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::MultiscalarMul;
use merlin::Transcript;
use rand_core::{CryptoRng, RngCore};
use subtle::{ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroizing;

use crate::domain::label;
use crate::elgamal::{Ciphertext, Nonce, PublicKey};
use crate::error::{Error, ProofKind, Result};
use crate::group::{Point, Reader, hash_to_group};
use crate::proofs::batch::BatchVerifier;
use crate::transcript::{TranscriptExt, random_scalar};

/// The most statements a one-out-of-many proof may range over: every slot of the largest
/// contest (1,024 options and the abstention) and the blank ballot.
pub const MAX_STATEMENTS: usize = 1026;

/// The most ciphertexts a statement may hold (the largest ballot's).
pub const MAX_CIPHERTEXTS: usize = 1025;

/// The largest radix [`Radix::for_statements`] chooses (⌈√1026⌉).
pub const MAX_RADIX: usize = 33;

/// The radix n and the number of digits d of a proof's index: N′ = nᵈ ≥ w statements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Radix {
    n: usize,
    d: usize,
}

impl Radix {
    /// The radix for `w` statements, a protocol rule (docs/SPEC.md §5.5): one digit
    /// (n = w) for 2 ≤ w ≤ 8, otherwise two digits of n = ⌈√w⌉. `None` outside
    /// `2..=MAX_STATEMENTS`.
    pub fn for_statements(w: usize) -> Option<Self> {
        match w {
            2..=8 => Some(Radix { n: w, d: 1 }),
            9..=MAX_STATEMENTS => {
                let mut n = 3;
                while n * n < w {
                    n += 1;
                }
                Some(Radix { n, d: 2 })
            }
            _ => None,
        }
    }

    /// A radix read from an encoding: one digit of 2 … 8, or two digits of 3 … 33 (the only
    /// values [`Radix::for_statements`] gives).
    pub fn new(n: usize, d: usize) -> Result<Self> {
        let ok = match d {
            1 => (2..=8).contains(&n),
            2 => (3..=MAX_RADIX).contains(&n),
            _ => false,
        };
        if ok {
            Ok(Radix { n, d })
        } else {
            Err(Error::InvalidValue {
                what: "one-of-many radix",
                reason: "must be one digit of 2 to 8 or two digits of 3 to 33",
            })
        }
    }

    /// The radix n.
    pub const fn radix(&self) -> usize {
        self.n
    }

    /// The number of digits d.
    pub const fn digits(&self) -> usize {
        self.d
    }

    /// N′ = nᵈ, the padded number of statements.
    pub const fn padded(&self) -> usize {
        match self.d {
            1 => self.n,
            _ => self.n * self.n,
        }
    }

    /// The number of generators the proof uses: H and the n·d generators H_{j,i}.
    pub const fn generators(&self) -> usize {
        1 + self.n * self.d
    }

    /// The number of points the proof carries: four commitments and d pairs.
    pub const fn points(&self) -> usize {
        4 + 2 * self.d
    }

    /// The number of scalars the proof carries: the f_{j,i} for i ≥ 1, z_δ, z_m and z.
    pub const fn scalars(&self) -> usize {
        self.d * (self.n - 1) + 3
    }

    /// The length of the proof's encoding.
    pub const fn encoded_len(&self) -> usize {
        32 * (self.points() + self.scalars())
    }
}

/// A public plaintext vector with `value` at position `at` and 0 elsewhere (value 0 is the
/// all-zero vector, wherever `at` points).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OneHot {
    /// The position of the non-zero value: a ciphertext index.
    pub at: usize,
    /// The value there.
    pub value: u64,
}

/// The public statement: `ciphertexts` encrypt under `key` one of the vectors `statements`.
#[derive(Clone, Copy, Debug)]
pub struct OneOfManyStatement<'a> {
    /// The election key Y.
    pub key: &'a PublicKey,
    /// The ciphertexts C₀ … C_{g−1}.
    pub ciphertexts: &'a [Ciphertext],
    /// The plaintext vectors, 2 to [`MAX_STATEMENTS`] of them, pairwise distinct.
    pub statements: &'a [OneHot],
}

impl OneOfManyStatement<'_> {
    fn validate(&self) -> Result<Radix> {
        let invalid = |reason| Error::InvalidValue {
            what: "one-of-many statement",
            reason,
        };
        if self.ciphertexts.is_empty() || self.ciphertexts.len() > MAX_CIPHERTEXTS {
            return Err(invalid("must have between 1 and 1025 ciphertexts"));
        }
        let radix = Radix::for_statements(self.statements.len())
            .ok_or(invalid("must have between 2 and 1026 statements"))?;
        if self
            .statements
            .iter()
            .any(|s| s.at >= self.ciphertexts.len())
        {
            return Err(invalid("a statement points past the ciphertexts"));
        }
        // Distinct as vectors: every value-0 statement is the same zero vector.
        let mut keys: Vec<(usize, u64)> = self
            .statements
            .iter()
            .map(|s| {
                if s.value == 0 {
                    (0, 0)
                } else {
                    (s.at, s.value)
                }
            })
            .collect();
        keys.sort_unstable();
        if keys.windows(2).any(|pair| pair.first() == pair.last()) {
            return Err(invalid("statements must be distinct"));
        }
        Ok(radix)
    }

    fn append_to(&self, t: &mut Transcript, radix: Radix) {
        t.domain_sep(label::ONE_OF_MANY);
        t.append_point(b"G", &Point::generator());
        t.append_point(b"Y", self.key.as_point());
        t.append_count(b"m", self.ciphertexts.len() as u64);
        for c in self.ciphertexts {
            t.append_ciphertext(b"C", c);
        }
        t.append_count(b"w", self.statements.len() as u64);
        for s in self.statements {
            t.append_count(b"at", s.at as u64);
            t.append_count(b"value", s.value);
        }
        t.append_count(b"radix", radix.n as u64);
        t.append_count(b"digits", radix.d as u64);
    }

    /// The powers γ⁰ … γ^(g−1).
    fn powers(&self, gamma: Scalar) -> Vec<Scalar> {
        let mut out = Vec::with_capacity(self.ciphertexts.len());
        let mut p = Scalar::ONE;
        for _ in self.ciphertexts {
            out.push(p);
            p *= gamma;
        }
        out
    }

    /// μσ = γ^(aσ)·vσ for the N′ padded statements (the last one repeated).
    fn shifts(&self, powers: &[Scalar], radix: Radix) -> Vec<Scalar> {
        let last = self.statements.len().saturating_sub(1);
        (0..radix.padded())
            .map(|sigma| {
                let s = self.statements.get(sigma.min(last)).copied();
                s.map_or(Scalar::ZERO, |s| {
                    powers.get(s.at).copied().unwrap_or(Scalar::ZERO) * Scalar::from(s.value)
                })
            })
            .collect()
    }
}

/// The generators H_t = `hash_to_group`("tabella.generators" ‖ LE32(t)) for t < count
/// (docs/SPEC.md §5.5): H = H₀ and H_{j,i} = H_{1 + j·n + i}. Derived once per process for
/// the largest radix and shared by every proof.
pub fn generators(count: usize) -> &'static [Point] {
    static ALL: OnceLock<Vec<Point>> = OnceLock::new();
    let all = ALL.get_or_init(|| {
        (0..1 + MAX_RADIX * 2)
            .map(|t| {
                let mut input = label::GENERATORS.to_vec();
                input.extend_from_slice(&(t as u32).to_le_bytes());
                let point = Point::from(hash_to_group(&input));
                // Fill the cached encoding now: the batch verifier keys shared points by it.
                let _ = point.as_bytes();
                point
            })
            .collect()
    });
    all.get(..count).unwrap_or(all)
}

/// A one-out-of-many proof: four commitments, d ciphertext-shaped pairs and the responses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OneOfManyProof {
    radix: Radix,
    a_delta: Point,
    a_a: Point,
    a_m: Point,
    a_q: Point,
    /// (G_κ^α, G_κ^β) for κ < d.
    pairs: Vec<(Point, Point)>,
    /// f_{j,i} for i ≥ 1, j-major: d·(n − 1) scalars.
    f: Vec<Scalar>,
    z_delta: Scalar,
    z_m: Scalar,
    z: Scalar,
}

/// Σσ Πⱼ x_{j,σⱼ}·μσ over the N′ padded statements, contracting one digit at a time
/// (digit 0 is the least significant): about N′·n/(n − 1) multiplications. `x` is j-major,
/// n values per digit; the values are polynomials (coefficient vectors) so that the prover
/// can contract δ·X + a and the verifier plain f (degree 0).
/// The prover's intermediate values are secret: every level is zeroized when dropped.
fn contract(x: &[Vec<Scalar>], radix: Radix, mu: &[Scalar]) -> Zeroizing<Vec<Scalar>> {
    let n = radix.n;
    // Each entry: a polynomial, lowest coefficient first.
    let mut level: Zeroizing<Vec<Vec<Scalar>>> =
        Zeroizing::new(mu.iter().map(|m| vec![*m]).collect());
    for j in 0..radix.d {
        let mut next = Zeroizing::new(Vec::with_capacity(level.len() / n));
        for group in level.chunks(n) {
            let mut acc: Vec<Scalar> = Vec::new();
            for (i, poly) in group.iter().enumerate() {
                let factor = x.get(j * n + i).map_or(&[][..], Vec::as_slice);
                // acc += factor(X) · poly(X)
                let degree = poly.len() + factor.len().saturating_sub(1);
                if acc.len() < degree {
                    acc.resize(degree, Scalar::ZERO);
                }
                for (a, fa) in factor.iter().enumerate() {
                    for (b, pb) in poly.iter().enumerate() {
                        if let Some(slot) = acc.get_mut(a + b) {
                            *slot += fa * pb;
                        }
                    }
                }
            }
            next.push(acc);
        }
        level = next;
    }
    Zeroizing::new(level.first().cloned().unwrap_or_default())
}

impl OneOfManyProof {
    /// Proves that `statement.ciphertexts` encrypt `statement.statements[index]` with the
    /// nonces `nonces` (one per ciphertext).
    ///
    /// Fails with [`Error::InvalidSelection`] when `index` is out of range, and with
    /// [`Error::InvalidValue`] for an invalid statement or a nonce count that does not match.
    /// It does not check that the ciphertexts really encrypt that vector: a wrong witness
    /// gives a proof that fails.
    pub fn prove<R: RngCore + CryptoRng>(
        transcript: &mut Transcript,
        statement: &OneOfManyStatement<'_>,
        index: usize,
        nonces: &[Nonce],
        rng: &mut R,
    ) -> Result<Self> {
        let radix = statement.validate()?;
        if nonces.len() != statement.ciphertexts.len() {
            return Err(Error::LengthMismatch {
                what: "one-of-many nonces",
                expected: statement.ciphertexts.len(),
                actual: nonces.len(),
            });
        }
        // Only whether the witness is in range leaks here, never which statement it is.
        if index >= statement.statements.len() {
            return Err(Error::InvalidSelection {
                reason: "the index is not one of the proof's statements",
            });
        }
        let (n, d) = (radix.n, radix.d);
        statement.append_to(transcript, radix);
        let gamma = transcript.challenge(b"gamma");
        let powers = statement.powers(gamma);
        let mu = statement.shifts(&powers, radix);
        let mut r_gamma = Zeroizing::new(Scalar::ZERO);
        for (r, p) in nonces.iter().zip(&powers) {
            *r_gamma += r.0 * p;
        }
        let secret_index = Zeroizing::new(Scalar::from(index as u64));
        let mut prover_rng = transcript.prover_rng(&[&r_gamma, &secret_index], rng);

        // δ_{j,i}: compare every public digit position with σ*'s digits, in constant time.
        // σ* matches exactly one padded σ < N′ (index < w ≤ N′); its digits set the δ.
        let mut delta = Zeroizing::new(vec![Scalar::ZERO; n * d]);
        let index = index as u64;
        for sigma in 0..radix.padded() {
            let here = (sigma as u64).ct_eq(&index);
            let mut rest = sigma;
            for j in 0..d {
                let i = rest % n;
                rest /= n;
                if let Some(slot) = delta.get_mut(j * n + i) {
                    slot.conditional_assign(&Scalar::ONE, here);
                }
            }
        }
        // a_{j,i} random for i ≥ 1 and a_{j,0} = −Σ_{i≥1} a_{j,i}.
        let mut a = Zeroizing::new(vec![Scalar::ZERO; n * d]);
        for j in 0..d {
            let mut sum = Scalar::ZERO;
            for i in 1..n {
                let r = *random_scalar(&mut prover_rng);
                sum += r;
                if let Some(slot) = a.get_mut(j * n + i) {
                    *slot = r;
                }
            }
            if let Some(slot) = a.get_mut(j * n) {
                *slot = -sum;
            }
        }
        let t_delta = random_scalar(&mut prover_rng);
        let t_a = random_scalar(&mut prover_rng);
        let t_m = random_scalar(&mut prover_rng);
        let t_q = random_scalar(&mut prover_rng);
        let bases = generators(radix.generators());
        let commit = |blind: &Scalar, values: &mut dyn Iterator<Item = Scalar>| {
            let scalars: Zeroizing<Vec<Scalar>> =
                Zeroizing::new(core::iter::once(*blind).chain(values).collect());
            // Constant time in the (secret) scalars.
            RistrettoPoint::multiscalar_mul(scalars.iter(), bases.iter().map(Point::element))
        };
        let two = Scalar::from(2u64);
        let a_delta = commit(&t_delta, &mut delta.iter().copied());
        let a_a = commit(&t_a, &mut a.iter().copied());
        let a_m = commit(
            &t_m,
            &mut a
                .iter()
                .zip(delta.iter())
                .map(|(a, delta)| a * (Scalar::ONE - two * delta)),
        );
        let a_q = commit(&t_q, &mut a.iter().map(|a| -(a * a)));

        // M(X) = Σσ Πⱼ (δ_{j,σⱼ}·X + a_{j,σⱼ})·μσ; the G_κ encrypt −M_κ for κ < d.
        let factors: Zeroizing<Vec<Vec<Scalar>>> = Zeroizing::new(
            a.iter()
                .zip(delta.iter())
                .map(|(a, delta)| vec![*a, *delta])
                .collect(),
        );
        let m = contract(&factors, radix, &mu);
        let mut u = Zeroizing::new(Vec::with_capacity(d));
        let mut pairs = Vec::with_capacity(d);
        for kappa in 0..d {
            let u_k = *random_scalar(&mut prover_rng);
            let m_k = m.get(kappa).copied().unwrap_or(Scalar::ZERO);
            let g_alpha = RistrettoPoint::mul_base(&u_k);
            let g_beta = statement.key.mul(&u_k) - RistrettoPoint::mul_base(&m_k);
            pairs.push((Point::from(g_alpha), Point::from(g_beta)));
            u.push(u_k);
        }
        let mut proof = OneOfManyProof {
            radix,
            a_delta: Point::from(a_delta),
            a_a: Point::from(a_a),
            a_m: Point::from(a_m),
            a_q: Point::from(a_q),
            pairs,
            f: Vec::with_capacity(d * (n - 1)),
            z_delta: Scalar::ZERO,
            z_m: Scalar::ZERO,
            z: Scalar::ZERO,
        };
        proof.append_commitments(transcript);
        let c = transcript.challenge(b"c");
        for j in 0..d {
            for i in 1..n {
                let k = j * n + i;
                let (Some(delta), Some(a)) = (delta.get(k), a.get(k)) else {
                    continue;
                };
                proof.f.push(delta * c + a);
            }
        }
        proof.z_delta = *t_delta * c + *t_a;
        proof.z_m = *t_m * c + *t_q;
        let mut c_power = Scalar::ONE;
        let mut z = Scalar::ZERO;
        for u_k in u.iter() {
            z -= u_k * c_power;
            c_power *= c;
        }
        // c_power is now cᵈ.
        proof.z = z + *r_gamma * c_power;
        Ok(proof)
    }

    fn append_commitments(&self, t: &mut Transcript) {
        t.append_point(b"A-delta", &self.a_delta);
        t.append_point(b"A-a", &self.a_a);
        t.append_point(b"A-m", &self.a_m);
        t.append_point(b"A-q", &self.a_q);
        for (alpha, beta) in &self.pairs {
            t.append_point(b"G-alpha", alpha);
            t.append_point(b"G-beta", beta);
        }
    }

    /// The proof's radix.
    pub fn radix(&self) -> Radix {
        self.radix
    }

    fn equations(
        &self,
        transcript: &mut Transcript,
        statement: &OneOfManyStatement<'_>,
        batch: &mut BatchVerifier,
    ) -> Result<()> {
        let radix = statement.validate()?;
        if self.radix != radix {
            return Err(Error::InvalidValue {
                what: "one-of-many proof",
                reason: "its radix does not match the statement's",
            });
        }
        let (n, d) = (radix.n, radix.d);
        statement.append_to(transcript, radix);
        let gamma = transcript.challenge(b"gamma");
        self.append_commitments(transcript);
        let c = transcript.challenge(b"c");
        let powers = statement.powers(gamma);
        let mu = statement.shifts(&powers, radix);

        // Every f_{j,i}, with the implied f_{j,0} = c − Σ_{i≥1} f_{j,i}.
        let mut f = Vec::with_capacity(n * d);
        let mut sent = self.f.iter();
        for _ in 0..d {
            let digit: Vec<Scalar> = sent.by_ref().take(n - 1).copied().collect();
            f.push(c - digit.iter().sum::<Scalar>());
            f.extend(digit);
        }
        let as_polys: Vec<Vec<Scalar>> = f.iter().map(|x| vec![*x]).collect();
        let m_c = contract(&as_polys, radix, &mu)
            .first()
            .copied()
            .unwrap_or(Scalar::ZERO);
        let mut c_powers = Vec::with_capacity(d + 1);
        let mut p = Scalar::ONE;
        for _ in 0..=d {
            c_powers.push(p);
            p *= c;
        }
        let c_d = c_powers.get(d).copied().unwrap_or(Scalar::ZERO);
        let key = statement.key.as_point();
        let bases = generators(radix.generators());
        let (w1, w2, w3, w4) = (
            batch.weight(),
            batch.weight(),
            batch.weight(),
            batch.weight(),
        );

        // (1)·w₁ and (2)·w₂: the ciphertexts with cᵈ·γ^ν, the pairs with −c^κ.
        for (ct, p) in statement.ciphertexts.iter().zip(&powers) {
            batch.term(w1 * c_d * p, ct.alpha().element());
            batch.term(w2 * c_d * p, ct.beta().element());
        }
        for ((alpha, beta), c_k) in self.pairs.iter().zip(&c_powers) {
            batch.term(-(w1 * c_k), alpha.element());
            batch.term(-(w2 * c_k), beta.element());
        }
        batch.base(-(w1 * self.z) - w2 * m_c);
        batch.shared(-(w2 * self.z), key);
        // (3)·w₃ and (4)·w₄: the commitments, H and every H_{j,i}.
        batch.term(w3 * c, self.a_delta.element());
        batch.term(w3, self.a_a.element());
        batch.term(w4 * c, self.a_m.element());
        batch.term(w4, self.a_q.element());
        let mut bases = bases.iter();
        if let Some(h) = bases.next() {
            batch.shared(-(w3 * self.z_delta) - w4 * self.z_m, h);
        }
        for (h, f) in bases.zip(&f) {
            batch.shared(-(w3 * f) - w4 * f * (c - f), h);
        }
        Ok(())
    }

    /// Verifies the proof alone.
    pub fn verify(
        &self,
        transcript: &mut Transcript,
        statement: &OneOfManyStatement<'_>,
    ) -> Result<()> {
        BatchVerifier::verify_one(ProofKind::OneOfMany, |batch| {
            self.equations(transcript, statement, batch)
        })
    }

    /// Adds the proof's equations to `batch` (to the current item). A proof whose shape does
    /// not match the statement is rejected at once, and the current item is marked as failed,
    /// so that the batch rejects it even if the error is ignored.
    pub fn verify_batched(
        &self,
        transcript: &mut Transcript,
        statement: &OneOfManyStatement<'_>,
        batch: &mut BatchVerifier,
    ) -> Result<()> {
        batch.add_or_poison(|batch| self.equations(transcript, statement, batch))
    }

    /// Appends the canonical encoding to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        for p in [&self.a_delta, &self.a_a, &self.a_m, &self.a_q] {
            out.extend_from_slice(p.as_bytes());
        }
        for (alpha, beta) in &self.pairs {
            out.extend_from_slice(alpha.as_bytes());
            out.extend_from_slice(beta.as_bytes());
        }
        for s in self.f.iter().chain([&self.z_delta, &self.z_m, &self.z]) {
            out.extend_from_slice(s.as_bytes());
        }
    }

    /// The canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.radix.encoded_len());
        self.write(&mut out);
        out
    }

    /// Decodes a proof of the given radix.
    pub fn from_bytes(bytes: &[u8], radix: Radix) -> Result<Self> {
        Reader::decode_all("one-of-many proof", bytes, |r| Self::read(r, radix))
    }

    /// Reads a proof of the given radix from a longer encoding: every point canonical, every
    /// scalar canonical.
    pub fn read(reader: &mut Reader<'_>, radix: Radix) -> Result<Self> {
        if reader.remaining() < radix.encoded_len() {
            return Err(Error::WrongLength {
                what: "one-of-many proof",
                expected: radix.encoded_len(),
                actual: reader.remaining(),
            });
        }
        let a_delta = reader.point("one-of-many commitment A-delta")?;
        let a_a = reader.point("one-of-many commitment A-a")?;
        let a_m = reader.point("one-of-many commitment A-m")?;
        let a_q = reader.point("one-of-many commitment A-q")?;
        let mut pairs = Vec::with_capacity(radix.d);
        for _ in 0..radix.d {
            let alpha = reader.point("one-of-many pair G-alpha")?;
            let beta = reader.point("one-of-many pair G-beta")?;
            pairs.push((alpha, beta));
        }
        let mut f = Vec::with_capacity(radix.d * (radix.n - 1));
        for _ in 0..radix.d * (radix.n - 1) {
            f.push(reader.scalar("one-of-many response f")?);
        }
        Ok(OneOfManyProof {
            radix,
            a_delta,
            a_a,
            a_m,
            a_q,
            pairs,
            f,
            z_delta: reader.scalar("one-of-many response z-delta")?,
            z_m: reader.scalar("one-of-many response z-m")?,
            z: reader.scalar("one-of-many response z")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::elgamal::SecretKey;
    use crate::transcript::ElectionContext;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    /// k slots packed s to a ciphertext with base b, plus the blank when `blank`.
    fn packed(k: usize, s: usize, b: u64, blank: bool) -> (usize, Vec<OneHot>) {
        let mut statements: Vec<OneHot> = (0..k)
            .map(|slot| OneHot {
                at: slot / s,
                value: b.pow((slot % s) as u32),
            })
            .collect();
        if blank {
            statements.push(OneHot { at: 0, value: 0 });
        }
        (k.div_ceil(s), statements)
    }

    fn encrypt(
        pk: &PublicKey,
        g: usize,
        chosen: OneHot,
        rng: &mut ChaCha20Rng,
    ) -> (Vec<Ciphertext>, Vec<Nonce>) {
        (0..g)
            .map(|nu| {
                let m = if nu == chosen.at { chosen.value } else { 0 };
                pk.encrypt(m, rng)
            })
            .unzip()
    }

    fn transcript() -> Transcript {
        ElectionContext::new([9; 32]).transcript(label::BALLOT)
    }

    #[test]
    fn radix_rule() {
        assert_eq!(Radix::for_statements(1), None);
        assert_eq!(Radix::for_statements(2), Some(Radix { n: 2, d: 1 }));
        assert_eq!(Radix::for_statements(8), Some(Radix { n: 8, d: 1 }));
        assert_eq!(Radix::for_statements(9), Some(Radix { n: 3, d: 2 }));
        assert_eq!(Radix::for_statements(20), Some(Radix { n: 5, d: 2 }));
        assert_eq!(Radix::for_statements(26), Some(Radix { n: 6, d: 2 }));
        assert_eq!(Radix::for_statements(1026), Some(Radix { n: 33, d: 2 }));
        assert_eq!(Radix::for_statements(1027), None);
        for w in 2..=MAX_STATEMENTS {
            let r = Radix::for_statements(w).unwrap();
            assert!(r.padded() >= w);
            assert_eq!(Radix::new(r.n, r.d), Ok(r));
        }
        assert!(Radix::new(9, 1).is_err());
        assert!(Radix::new(34, 2).is_err());
        assert!(Radix::new(2, 3).is_err());
        assert_eq!(Radix::new(5, 2).unwrap().encoded_len(), 32 * (8 + 11));
    }

    #[test]
    fn every_statement_proves_and_verifies_alone_and_batched() {
        let mut rng = ChaCha20Rng::seed_from_u64(61);
        let pk = SecretKey::generate(&mut rng).public_key();
        // One digit (5 slots in 3 chunks), two digits (20 slots, 10 chunks, with the blank),
        // and one ciphertext with 4 statements.
        for (k, s, b, blank) in [
            (5, 2, 1_000_001, false),
            (20, 2, 1_000_001, true),
            (4, 4, 1001, false),
        ] {
            let (g, statements) = packed(k, s, b, blank);
            let mut batch = BatchVerifier::new();
            for (index, chosen) in statements.iter().enumerate() {
                let (cts, nonces) = encrypt(&pk, g, *chosen, &mut rng);
                let st = OneOfManyStatement {
                    key: &pk,
                    ciphertexts: &cts,
                    statements: &statements,
                };
                let proof = OneOfManyProof::prove(&mut transcript(), &st, index, &nonces, &mut rng)
                    .unwrap();
                assert_eq!(proof.to_bytes().len(), proof.radix().encoded_len());
                let decoded = OneOfManyProof::from_bytes(&proof.to_bytes(), proof.radix()).unwrap();
                assert_eq!(decoded, proof);
                assert_eq!(
                    proof.verify(&mut transcript(), &st),
                    Ok(()),
                    "k {k} index {index}"
                );
                batch.begin_item();
                proof
                    .verify_batched(&mut transcript(), &st, &mut batch)
                    .unwrap();
            }
            assert_eq!(batch.verify(), Ok(()));
        }
    }

    #[test]
    fn a_lying_prover_fails() {
        let mut rng = ChaCha20Rng::seed_from_u64(62);
        let pk = SecretKey::generate(&mut rng).public_key();
        let (g, statements) = packed(5, 2, 1_000_001, false);
        // Two slots at once (chunk 0 holds 1 + B): claimed as either, it fails.
        let (mut cts, mut nonces) = encrypt(&pk, g, statements[0], &mut rng);
        let (c1, r1) = pk.encrypt(1, &mut rng);
        cts[1] = c1;
        nonces[1] = r1;
        let st = OneOfManyStatement {
            key: &pk,
            ciphertexts: &cts,
            statements: &statements,
        };
        for index in 0..statements.len() {
            let proof =
                OneOfManyProof::prove(&mut transcript(), &st, index, &nonces, &mut rng).unwrap();
            assert_eq!(
                proof.verify(&mut transcript(), &st),
                Err(Error::ProofRejected {
                    proof: ProofKind::OneOfMany
                })
            );
        }
        // Out of range, and a nonce count that does not match.
        assert!(OneOfManyProof::prove(&mut transcript(), &st, 5, &nonces, &mut rng).is_err());
        assert!(OneOfManyProof::prove(&mut transcript(), &st, 0, &nonces[..2], &mut rng).is_err());
        // An honest proof fails for another statement list, another transcript, or with a
        // response changed.
        let (cts, nonces) = encrypt(&pk, g, statements[3], &mut rng);
        let st = OneOfManyStatement {
            key: &pk,
            ciphertexts: &cts,
            statements: &statements,
        };
        let proof = OneOfManyProof::prove(&mut transcript(), &st, 3, &nonces, &mut rng).unwrap();
        assert_eq!(proof.verify(&mut transcript(), &st), Ok(()));
        let mut other = statements.clone();
        other.swap(0, 1);
        let moved = OneOfManyStatement {
            statements: &other,
            ..st
        };
        assert!(proof.verify(&mut transcript(), &moved).is_err());
        let mut t = transcript();
        t.append_u64(b"extra", 1);
        assert!(proof.verify(&mut t, &st).is_err());
        let mut bent = proof.clone();
        bent.z += Scalar::ONE;
        assert!(bent.verify(&mut transcript(), &st).is_err());
    }

    #[test]
    fn statements_are_validated() {
        let mut rng = ChaCha20Rng::seed_from_u64(63);
        let pk = SecretKey::generate(&mut rng).public_key();
        let (cts, nonces) = encrypt(&pk, 2, OneHot { at: 0, value: 1 }, &mut rng);
        let bad: [&[OneHot]; 4] = [
            &[OneHot { at: 0, value: 1 }],
            &[OneHot { at: 0, value: 1 }, OneHot { at: 0, value: 1 }],
            &[OneHot { at: 0, value: 0 }, OneHot { at: 1, value: 0 }],
            &[OneHot { at: 0, value: 1 }, OneHot { at: 2, value: 1 }],
        ];
        for statements in bad {
            let st = OneOfManyStatement {
                key: &pk,
                ciphertexts: &cts,
                statements,
            };
            assert!(matches!(
                OneOfManyProof::prove(&mut transcript(), &st, 0, &nonces, &mut rng),
                Err(Error::InvalidValue { .. })
            ));
        }
    }

    #[test]
    fn a_misshapen_proof_fails_its_batch_even_if_the_error_is_ignored() {
        let mut rng = ChaCha20Rng::seed_from_u64(64);
        let pk = SecretKey::generate(&mut rng).public_key();
        let (g, statements) = packed(5, 2, 1_000_001, false);
        let (cts, nonces) = encrypt(&pk, g, statements[2], &mut rng);
        let st = OneOfManyStatement {
            key: &pk,
            ciphertexts: &cts,
            statements: &statements,
        };
        let proof = OneOfManyProof::prove(&mut transcript(), &st, 2, &nonces, &mut rng).unwrap();
        let (_, nine) = packed(9, 3, 1001, false);
        let wider = OneOfManyStatement {
            statements: &nine,
            ..st
        };
        let mut batch = BatchVerifier::new();
        batch.begin_item();
        assert!(
            proof
                .verify_batched(&mut transcript(), &wider, &mut batch)
                .is_err()
        );
        assert_eq!(batch.verify(), Err(Error::BatchRejected { items: vec![0] }));
    }

    #[test]
    fn generators_are_fixed() {
        let h = generators(3);
        assert_eq!(h.len(), 3);
        assert_ne!(h[0], h[1]);
        let mut input = b"tabella.generators".to_vec();
        input.extend_from_slice(&2u32.to_le_bytes());
        assert_eq!(h[2], Point::from(hash_to_group(&input)));
        assert_eq!(generators(1000).len(), 1 + 2 * MAX_RADIX);
    }
}
