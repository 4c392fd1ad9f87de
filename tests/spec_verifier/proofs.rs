//! Transcripts (SPEC §3) and the three proofs (§5), each verified directly by its equations
//! (no batching: §5.4 makes batching optional).

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use merlin::Transcript;

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
