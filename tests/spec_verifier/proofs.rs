//! Transcripts (SPEC §3) and the four proofs (§5), each verified directly by its equations
//! (no batching: §5.4 makes batching optional), the one-out-of-many proof of §5.5 included.

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use merlin::Transcript;
use sha2::{Digest, Sha512};

use super::codec::{Ct, PROTOCOL_ID, Pt, Reader, Res, VERSION, g, h_wide};

/// `root(fp, L)` (§3.1).
pub fn root(fp: &[u8; 32], label: &'static [u8]) -> Transcript {
    let mut t = Transcript::new(PROTOCOL_ID);
    t.append_u64(b"version", u64::from(VERSION));
    t.append_message(b"fingerprint", fp);
    t.append_message(b"dom-sep", label);
    t
}

/// A challenge scalar: H-wide(`chal(label, 64)`) (§3.2).
pub fn challenge(t: &mut Transcript, label: &'static [u8]) -> Scalar {
    let mut bytes = [0u8; 64];
    t.challenge_bytes(label, &mut bytes);
    h_wide(&bytes)
}

/// A 32-byte string drawn from a transcript: `chal(label, 32)` (§3.2).
pub fn draw32(t: &mut Transcript, label: &'static [u8]) -> [u8; 32] {
    let mut bytes = [0u8; 32];
    t.challenge_bytes(label, &mut bytes);
    bytes
}

/// A ciphertext appended to a transcript (§3): `msg(label, "ciphertext")`, α, β.
pub fn append_ct(t: &mut Transcript, label: &'static [u8], ct: &Ct) {
    t.append_message(label, b"ciphertext");
    t.append_message(b"alpha", &ct.0.bytes);
    t.append_message(b"beta", &ct.1.bytes);
}

/// Σ sᵢ·Pᵢ, in variable time (every input of a verification is public).
fn msm<const N: usize>(scalars: [Scalar; N], points: [RistrettoPoint; N]) -> RistrettoPoint {
    RistrettoPoint::vartime_multiscalar_mul(scalars, points)
}

/// A Schnorr proof R ‖ s (§5.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schnorr {
    pub r: Pt,
    pub s: Scalar,
}

impl Schnorr {
    /// R ‖ s, 64 bytes (§5.1).
    pub fn read(rd: &mut Reader) -> Res<Self> {
        Ok(Schnorr {
            r: rd.point_any()?,
            s: rd.scalar()?,
        })
    }

    /// §5.1 on the caller's transcript: s·G − R − c·X = 0.
    pub fn verify(&self, t: &mut Transcript, x: &Pt) -> bool {
        t.append_message(b"dom-sep", b"tabella.proof.schnorr");
        t.append_message(b"G", g().compress().as_bytes());
        t.append_message(b"X", &x.bytes);
        t.append_message(b"R", &self.r.bytes);
        let c = challenge(t, b"c");
        msm([self.s, -c], [g(), x.p]) == self.r.p
    }
}

/// A DLEQ proof R₁ ‖ R₂ ‖ s (§5.2).
#[derive(Clone, Debug)]
pub struct Dleq {
    pub r1: Pt,
    pub r2: Pt,
    pub s: Scalar,
}

impl Dleq {
    /// R₁ ‖ R₂ ‖ s, 96 bytes (§5.2).
    pub fn read(rd: &mut Reader) -> Res<Self> {
        Ok(Dleq {
            r1: rd.point_any()?,
            r2: rd.point_any()?,
            s: rd.scalar()?,
        })
    }

    /// §5.2 on the caller's transcript: Y = x·G ∧ D = x·H.
    pub fn verify(&self, t: &mut Transcript, h: &Pt, y: &Pt, d: &Pt) -> bool {
        t.append_message(b"dom-sep", b"tabella.proof.dleq");
        t.append_message(b"G", g().compress().as_bytes());
        t.append_message(b"H", &h.bytes);
        t.append_message(b"Y", &y.bytes);
        t.append_message(b"D", &d.bytes);
        t.append_message(b"R1", &self.r1.bytes);
        t.append_message(b"R2", &self.r2.bytes);
        let c = challenge(t, b"c");
        msm([self.s, -c], [g(), y.p]) == self.r1.p && msm([self.s, -c], [h.p, d.p]) == self.r2.p
    }
}

/// A membership proof with h branches (§5.3): A_ρ ‖ B_ρ pairs, h − 1 challenges, h responses.
#[derive(Clone, Debug)]
pub struct Membership {
    pub ab: Vec<(Pt, Pt)>,
    pub c: Vec<Scalar>,
    pub z: Vec<Scalar>,
}

impl Membership {
    /// Reads a proof with `h` branches (128·h − 32 bytes, §5.3); 1 ≤ h ≤ 1024 (§6.2).
    pub fn read(rd: &mut Reader, h: usize) -> Res<Self> {
        if !(1..=1024).contains(&h) {
            return Err(format!("a membership proof of {h} branches"));
        }
        if 128 * h - 32 > rd.remaining() {
            return Err(format!("a membership proof of {h} branches does not fit"));
        }
        let ab = (0..h)
            .map(|_| Ok((rd.point_any()?, rd.point_any()?)))
            .collect::<Res<_>>()?;
        let c = (0..h - 1).map(|_| rd.scalar()).collect::<Res<_>>()?;
        let z = (0..h).map(|_| rd.scalar()).collect::<Res<_>>()?;
        Ok(Membership { ab, c, z })
    }

    pub fn branches(&self) -> usize {
        self.ab.len()
    }

    /// §5.3 on the caller's transcript, for the election key `y`, the ciphertext `ct` and the
    /// ordered set `set` (which must have as many values as the proof has branches).
    pub fn verify(&self, t: &mut Transcript, y: &Pt, ct: &Ct, set: &[u64]) -> bool {
        let h = set.len();
        if h != self.branches() {
            return false;
        }
        t.append_message(b"dom-sep", b"tabella.proof.membership");
        t.append_message(b"G", g().compress().as_bytes());
        t.append_message(b"Y", &y.bytes);
        append_ct(t, b"C", ct);
        t.append_u64(b"k", h as u64);
        for &mu in set {
            t.append_u64(b"s", mu);
        }
        for (a, b) in &self.ab {
            t.append_message(b"A", &a.bytes);
            t.append_message(b"B", &b.bytes);
        }
        let c = challenge(t, b"c");
        let last = c - self.c.iter().sum::<Scalar>();
        let (alpha, beta) = (ct.0.p, ct.1.p);
        (0..h).all(|rho| {
            let c_rho = if rho < h - 1 { self.c[rho] } else { last };
            let (a, b) = &self.ab[rho];
            let z = self.z[rho];
            let mu = Scalar::from(set[rho]);
            // z·G − c·α = A and z·Y + c·μ·G − c·β = B.
            msm([z, -c_rho], [g(), alpha]) == a.p
                && msm([z, c_rho * mu, -c_rho], [y.p, g(), beta]) == b.p
        })
    }
}

/// §5.5: the radix (e, d) of a one-out-of-many proof of w′ statements: d = 1 and e = w′ when
/// w′ ≤ 8; otherwise d = 2 and e = ⌈√w′⌉.
pub fn radix(w: usize) -> (usize, usize) {
    if w <= 8 {
        (w, 1)
    } else {
        let mut e = 1;
        while e * e < w {
            e += 1;
        }
        (e, 2)
    }
}

/// §6.2: the radices a decoder admits: d = 1 with 2 ≤ e ≤ 8, or d = 2 with 3 ≤ e ≤ 33.
pub fn admissible_radix(e: usize, d: usize) -> bool {
    (d == 1 && (2..=8).contains(&e)) || (d == 2 && (3..=33).contains(&e))
}

/// §5.5: H_t = `from_uniform_bytes`(SHA-512("tabella.generators" ‖ LE32(t))).
pub fn generator(t: u32) -> RistrettoPoint {
    let mut sha = Sha512::new();
    sha.update(b"tabella.generators");
    sha.update(t.to_le_bytes());
    let digest: [u8; 64] = sha.finalize().into();
    RistrettoPoint::from_uniform_bytes(&digest)
}

/// A one-out-of-many proof (§5.5) of radix e and d digits: A_δ ‖ A_a ‖ A_m ‖ A_q ‖
/// (G_κ^α ‖ G_κ^β) for κ < d ‖ f_{j,i} for j < d, 1 ≤ i < e ‖ z_δ ‖ z_m ‖ z.
#[derive(Clone, Debug)]
pub struct OneOfMany {
    pub e: usize,
    pub d: usize,
    pub a_delta: Pt,
    pub a_a: Pt,
    pub a_m: Pt,
    pub a_q: Pt,
    pub g: Vec<(Pt, Pt)>,
    /// f[j][i − 1] for 1 ≤ i < e (f_{j,0} is never sent).
    pub f: Vec<Vec<Scalar>>,
    pub z_delta: Scalar,
    pub z_m: Scalar,
    pub z: Scalar,
}

impl OneOfMany {
    /// 32·(4 + 2d + d·(e − 1) + 3) bytes (§5.5).
    pub fn len(e: usize, d: usize) -> usize {
        32 * (4 + 2 * d + d * (e - 1) + 3)
    }

    /// Reads a proof of radix (e, d), which the caller has bounded (§6.2); every point and
    /// scalar canonical.
    pub fn read(rd: &mut Reader, e: usize, d: usize) -> Res<Self> {
        if !admissible_radix(e, d) {
            return Err(format!("a one-out-of-many proof of radix e = {e}, d = {d}"));
        }
        if Self::len(e, d) > rd.remaining() {
            return Err(format!(
                "a one-out-of-many proof of radix e = {e}, d = {d} ({} bytes) does not fit in {}",
                Self::len(e, d),
                rd.remaining()
            ));
        }
        let (a_delta, a_a, a_m, a_q) = (
            rd.point_any()?,
            rd.point_any()?,
            rd.point_any()?,
            rd.point_any()?,
        );
        let g = (0..d)
            .map(|_| Ok((rd.point_any()?, rd.point_any()?)))
            .collect::<Res<_>>()?;
        let f = (0..d)
            .map(|_| (1..e).map(|_| rd.scalar()).collect::<Res<_>>())
            .collect::<Res<_>>()?;
        Ok(OneOfMany {
            e,
            d,
            a_delta,
            a_a,
            a_m,
            a_q,
            g,
            f,
            z_delta: rd.scalar()?,
            z_m: rd.scalar()?,
            z: rd.scalar()?,
        })
    }

    /// §5.5 on the caller's transcript, for the key `y`, the ciphertexts `cts` and the w′
    /// statements (a_σ, v_σ); an error names the step that failed: the radix, or equation
    /// (1), (2), (3) or (4).
    pub fn verify(
        &self,
        t: &mut Transcript,
        y: &Pt,
        cts: &[Ct],
        statements: &[(u64, u64)],
    ) -> Res<()> {
        let w = statements.len();
        let (e, d) = (self.e, self.d);
        // Refused before any equation.
        if (e, d) != radix(w) {
            return Err(format!(
                "radix (e = {e}, d = {d}), §5.5 gives {:?} for w′ = {w}",
                radix(w)
            ));
        }
        t.append_message(b"dom-sep", b"tabella.proof.one-of-many");
        t.append_message(b"G", g().compress().as_bytes());
        t.append_message(b"Y", &y.bytes);
        t.append_u64(b"m", cts.len() as u64);
        for ct in cts {
            append_ct(t, b"C", ct);
        }
        t.append_u64(b"w", w as u64);
        for &(at, value) in statements {
            t.append_u64(b"at", at);
            t.append_u64(b"value", value);
        }
        t.append_u64(b"radix", e as u64);
        t.append_u64(b"digits", d as u64);
        let gamma = challenge(t, b"gamma");
        t.append_message(b"A-delta", &self.a_delta.bytes);
        t.append_message(b"A-a", &self.a_a.bytes);
        t.append_message(b"A-m", &self.a_m.bytes);
        t.append_message(b"A-q", &self.a_q.bytes);
        for (ga, gb) in &self.g {
            t.append_message(b"G-alpha", &ga.bytes);
            t.append_message(b"G-beta", &gb.bytes);
        }
        let c = challenge(t, b"c");

        // f_{j,0} = c − Σ_{i≥1} f_{j,i}; f[j][i] for every i < e.
        let f: Vec<Vec<Scalar>> = self
            .f
            .iter()
            .map(|row| {
                let mut full = vec![c - row.iter().sum::<Scalar>()];
                full.extend(row);
                full
            })
            .collect();
        // γ^ν for ν < g, c^κ for κ ≤ d.
        let gammas: Vec<Scalar> = std::iter::successors(Some(Scalar::ONE), |p| Some(p * gamma))
            .take(cts.len().max(1))
            .collect();
        let cs: Vec<Scalar> = std::iter::successors(Some(Scalar::ONE), |p| Some(p * c))
            .take(d + 1)
            .collect();
        // M(c) over all N′ = e^d statements, the list padded with its last one.
        let n_padded = e.pow(d as u32);
        let mut m_c = Scalar::ZERO;
        for sigma in 0..n_padded {
            let (at, value) = statements[sigma.min(w - 1)];
            let Some(gamma_at) = gammas.get(at as usize) else {
                return Err(format!(
                    "statement {sigma} names ciphertext {at} of {}",
                    cts.len()
                ));
            };
            let mu = gamma_at * Scalar::from(value);
            let mut product = Scalar::ONE;
            let mut rest = sigma;
            for row in &f {
                product *= row[rest % e];
                rest /= e;
            }
            m_c += product * mu;
        }
        let alpha_g: RistrettoPoint = cts.iter().zip(&gammas).map(|(ct, x)| x * ct.0.p).sum();
        let beta_g: RistrettoPoint = cts.iter().zip(&gammas).map(|(ct, x)| x * ct.1.p).sum();
        let g_alpha: RistrettoPoint = self.g.iter().zip(&cs).map(|(gk, x)| x * gk.0.p).sum();
        let g_beta: RistrettoPoint = self.g.iter().zip(&cs).map(|(gk, x)| x * gk.1.p).sum();
        let cd = cs[d];
        let zero = |p: RistrettoPoint| p == RistrettoPoint::default();
        if !zero(cd * alpha_g - g_alpha - self.z * g()) {
            return Err("equation (1) (α) fails".into());
        }
        if !zero(cd * beta_g - m_c * g() - g_beta - self.z * y.p) {
            return Err("equation (2) (β) fails".into());
        }
        // H = H₀ and H_{j,i} = H_{1+j·e+i}.
        let generators: Vec<RistrettoPoint> = (0..=(d * e) as u32).map(generator).collect();
        let h = generators[0];
        let mut eq3 = c * self.a_delta.p + self.a_a.p - self.z_delta * h;
        let mut eq4 = c * self.a_m.p + self.a_q.p - self.z_m * h;
        for (j, row) in f.iter().enumerate() {
            for (i, fji) in row.iter().enumerate() {
                let hp = generators[1 + j * e + i];
                eq3 -= fji * hp;
                eq4 -= (fji * (c - fji)) * hp;
            }
        }
        if !zero(eq3) {
            return Err("equation (3) (A-delta, A-a, f, z-delta) fails".into());
        }
        if !zero(eq4) {
            return Err("equation (4) (A-m, A-q, f, z-m) fails".into());
        }
        Ok(())
    }
}
