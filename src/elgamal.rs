//! Exponential ElGamal over ristretto255.
//!
//! # Construction
//!
//! With generator G, secret key x and public key Y = x·G, a message m ∈ ℤ is encrypted with a
//! uniformly random nonce r as
//!
//! ```text
//! Enc(m; r) = (α, β) = (r·G, m·G + r·Y)
//! ```
//!
//! The scheme is additively homomorphic: `Enc(a; r) + Enc(b; s) = Enc(a + b; r + s)`, and a
//! ciphertext times a public weight w is `Enc(w·m; w·r)`. Decryption computes
//! `β − x·α = m·G`, and recovers a small m by baby-step giant-step ([`DiscreteLogTable`]).
//!
//! # Encoding
//!
//! A ciphertext is `α ‖ β`, 64 bytes. A public key is one 32-byte point. Decoding rejects the
//! identity for a public key and for α (α = identity would mean r = 0 and β = m·G in clear).
//!
//! # Constant time
//!
//! Encryption and decryption to a point run in constant time in the secret key, the nonce and
//! the message (dalek's constant-time scalar multiplication). The discrete logarithm of a
//! decrypted point runs in variable time: it is applied only to public tally totals.

mod dlog;

use core::fmt;
use core::iter::Sum;
use core::ops::{Add, Mul, Sub};

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};

use curve25519_dalek::ristretto::{RistrettoBasepointTable, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;
use rand_core::{CryptoRng, RngCore};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

pub use dlog::{DiscreteLogTable, MAX_BOUND};

use crate::error::{Error, Result};
use crate::group::{Point, Reader, SCALAR_LEN, decode_scalar};
use crate::transcript::random_scalar;

/// Length of an encoded ciphertext.
pub const CIPHERTEXT_LEN: usize = 64;

/// An election secret key x (or, in the threshold setting, one trustee's share of it).
///
/// Zeroized on drop, compared in constant time, and redacted in `Debug`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SecretKey(Scalar);

impl SecretKey {
    /// Draws a secret key uniformly from the non-zero scalars.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        loop {
            let x = random_scalar(rng);
            if *x != Scalar::ZERO {
                return SecretKey(*x);
            }
        }
    }

    /// Decodes a secret key from its canonical 32 bytes. Zero is rejected.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let x = Zeroizing::new(decode_scalar("secret key", bytes)?);
        if bool::from(x.ct_eq(&Scalar::ZERO)) {
            return Err(Error::InvalidValue {
                what: "secret key",
                reason: "zero is not a valid secret key",
            });
        }
        Ok(SecretKey(*x))
    }

    /// Wraps a scalar (crate-internal: threshold shares are built from polynomials).
    pub(crate) fn from_scalar(x: Scalar) -> Self {
        SecretKey(x)
    }

    /// The secret scalar (crate-internal).
    pub(crate) fn as_scalar(&self) -> &Scalar {
        &self.0
    }

    /// Exports the canonical encoding into a buffer that is zeroized when dropped.
    pub fn to_bytes(&self) -> Zeroizing<[u8; SCALAR_LEN]> {
        Zeroizing::new(self.0.to_bytes())
    }

    /// The public key Y = x·G.
    pub fn public_key(&self) -> PublicKey {
        PublicKey::wrap(Point::from(RistrettoPoint::mul_base(&self.0)))
    }

    /// Decrypts to the point m·G = β − x·α (constant time).
    pub fn decrypt_to_point(&self, ciphertext: &Ciphertext) -> RistrettoPoint {
        ciphertext.beta.element() - self.0 * ciphertext.alpha.element()
    }

    /// Decrypts a small message `m ∈ 0..=table.bound()`.
    ///
    /// The discrete logarithm runs in variable time in m: use it for public totals only.
    pub fn decrypt(&self, ciphertext: &Ciphertext, table: &DiscreteLogTable) -> Result<u64> {
        table.solve_vartime(&self.decrypt_to_point(ciphertext))
    }
}

impl PartialEq for SecretKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for SecretKey {}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

/// An election public key Y (never the identity).
///
/// After [`TABLE_AFTER`] multiplications by Y (encryptions and proof commitments), the key
/// builds a fixed-base table for Y (about 30 KiB, shared by clones), so that every later `r·Y`
/// costs a fixed-base multiplication (about a third of a variable-base one). Building it costs
/// about 30 variable-base multiplications, so a device that encrypts one small ballot does not
/// build it. Both paths run in constant time in the scalar.
#[derive(Clone)]
pub struct PublicKey {
    point: Point,
    table: Arc<OnceLock<RistrettoBasepointTable>>,
    uses: Arc<AtomicU32>,
}

/// How many multiplications by a public key run in variable-base form before the key builds
/// its fixed-base table.
pub const TABLE_AFTER: u32 = 32;

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.point == other.point
    }
}

impl Eq for PublicKey {}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PublicKey").field(&self.point).finish()
    }
}

impl PublicKey {
    fn wrap(point: Point) -> Self {
        PublicKey {
            point,
            table: Arc::new(OnceLock::new()),
            uses: Arc::new(AtomicU32::new(0)),
        }
    }

    /// Decodes a public key; the identity is rejected.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Point::decode_non_identity("public key", bytes).map(PublicKey::wrap)
    }

    /// Wraps a point that must not be the identity.
    pub fn from_point(point: Point) -> Result<Self> {
        point.non_identity("public key").map(PublicKey::wrap)
    }

    /// `s·Y` in constant time in `s`, with the key's fixed-base table once it is worth
    /// building (a choice that depends only on how often the key was used).
    pub(crate) fn mul(&self, s: &Scalar) -> RistrettoPoint {
        if let Some(table) = self.table.get() {
            return table * s;
        }
        if self.uses.fetch_add(1, Ordering::Relaxed) >= TABLE_AFTER {
            let table = self
                .table
                .get_or_init(|| RistrettoBasepointTable::create(self.point.element()));
            return table * s;
        }
        self.point.element() * s
    }

    /// The canonical encoding.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.point.to_bytes()
    }

    /// The key as a point.
    pub fn as_point(&self) -> &Point {
        &self.point
    }

    /// Encrypts `m` with a fresh nonce; returns the ciphertext and its nonce (a secret).
    pub fn encrypt<R: RngCore + CryptoRng>(&self, m: u64, rng: &mut R) -> (Ciphertext, Nonce) {
        let nonce = Nonce::generate(rng);
        (self.encrypt_with_nonce(m, &nonce), nonce)
    }

    /// Encrypts each of `plaintexts` with a fresh nonce, encoding all ciphertexts in one
    /// batch. Constant time in the plaintexts and the nonces: when `bits` is set (a public
    /// property of the layout) every plaintext is 0 or 1 and `m·G` is a constant-time selection
    /// between the identity and G (only the low bit is used); otherwise `m·G` is a
    /// constant-time fixed-base multiplication. Returns the ciphertexts and their nonces.
    pub(crate) fn encrypt_many<R: RngCore + CryptoRng>(
        &self,
        plaintexts: &[u64],
        bits: bool,
        rng: &mut R,
    ) -> (Vec<Ciphertext>, Vec<Nonce>) {
        static HALF_G: OnceLock<RistrettoPoint> = OnceLock::new();
        let half = crate::group::half();
        let half_g = HALF_G.get_or_init(|| RistrettoPoint::mul_base(&half));
        let mut nonces = Vec::with_capacity(plaintexts.len());
        let mut halves = Vec::with_capacity(2 * plaintexts.len());
        for &m in plaintexts {
            let nonce = Nonce::generate(rng);
            let r_half = Zeroizing::new(nonce.0 * half);
            let m_half = if bits {
                RistrettoPoint::conditional_select(
                    &RistrettoPoint::identity(),
                    half_g,
                    Choice::from((m & 1) as u8),
                )
            } else {
                RistrettoPoint::mul_base(&Zeroizing::new(Scalar::from(m) * half))
            };
            halves.push(RistrettoPoint::mul_base(&r_half));
            halves.push(m_half + self.mul(&r_half));
            nonces.push(nonce);
        }
        let mut points = Point::doubled_batch(&halves).into_iter();
        let mut ciphertexts = Vec::with_capacity(plaintexts.len());
        while let (Some(alpha), Some(beta)) = (points.next(), points.next()) {
            ciphertexts.push(Ciphertext { alpha, beta });
        }
        (ciphertexts, nonces)
    }

    /// Encrypts `m` with the given nonce: `(r·G, m·G + r·Y)`. Used by the voter's device and to
    /// check a challenged ballot whose nonces were revealed.
    pub fn encrypt_with_nonce(&self, m: u64, nonce: &Nonce) -> Ciphertext {
        let r = &nonce.0;
        let alpha = RistrettoPoint::mul_base(r);
        let beta = RistrettoPoint::mul_base(&Scalar::from(m)) + self.mul(r);
        Ciphertext {
            alpha: Point::from(alpha),
            beta: Point::from(beta),
        }
    }
}

#[cfg(feature = "serde")]
crate::encoding::serde_via_bytes!(PublicKey, "public key");
#[cfg(feature = "serde")]
crate::encoding::serde_via_bytes!(Ciphertext, "ciphertext");

/// An encryption nonce r: a secret of the voter's device.
///
/// Revealing it reveals the vote, which is exactly what a challenged (Benaloh) ballot does;
/// [`Nonce::to_bytes`] is the only way out, into a zeroizing buffer.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Nonce(pub(crate) Scalar);

impl Nonce {
    /// Draws a nonce uniformly from the non-zero scalars.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        loop {
            let r = random_scalar(rng);
            if *r != Scalar::ZERO {
                return Nonce(*r);
            }
        }
    }

    /// Decodes a revealed nonce.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let r = decode_scalar("nonce", bytes)?;
        if r == Scalar::ZERO {
            return Err(Error::InvalidValue {
                what: "nonce",
                reason: "zero is not a valid nonce",
            });
        }
        Ok(Nonce(r))
    }

    /// Reveals the nonce (for a challenged ballot) into a zeroizing buffer.
    pub fn to_bytes(&self) -> Zeroizing<[u8; SCALAR_LEN]> {
        Zeroizing::new(self.0.to_bytes())
    }
}

impl fmt::Debug for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Nonce(<redacted>)")
    }
}

impl PartialEq for Nonce {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for Nonce {}

impl Add<&Nonce> for &Nonce {
    type Output = Nonce;
    fn add(self, other: &Nonce) -> Nonce {
        Nonce(self.0 + other.0)
    }
}

/// An ElGamal ciphertext (α, β).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ciphertext {
    alpha: Point,
    beta: Point,
}

impl Ciphertext {
    /// The encryption of 0 with nonce 0: the neutral element of the homomorphic sum.
    pub fn zero() -> Self {
        Ciphertext {
            alpha: Point::identity(),
            beta: Point::identity(),
        }
    }

    /// Builds a ciphertext from two group elements.
    pub fn from_elements(alpha: RistrettoPoint, beta: RistrettoPoint) -> Self {
        Ciphertext {
            alpha: Point::from(alpha),
            beta: Point::from(beta),
        }
    }

    /// Decodes a ciphertext `α ‖ β` (64 bytes). α must not be the identity.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Reader::decode_all("ciphertext", bytes, Self::read)
    }

    /// Reads a ciphertext from a longer encoding.
    pub fn read(reader: &mut Reader<'_>) -> Result<Self> {
        let alpha = reader.point_non_identity("ciphertext alpha")?;
        let beta = reader.point("ciphertext beta")?;
        Ok(Ciphertext { alpha, beta })
    }

    /// The canonical encoding `α ‖ β`.
    pub fn to_bytes(&self) -> [u8; CIPHERTEXT_LEN] {
        let mut out = [0u8; CIPHERTEXT_LEN];
        let (a, b) = out.split_at_mut(32);
        a.copy_from_slice(self.alpha.as_bytes());
        b.copy_from_slice(self.beta.as_bytes());
        out
    }

    /// Appends the canonical encoding to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.alpha.as_bytes());
        out.extend_from_slice(self.beta.as_bytes());
    }

    /// α = r·G.
    pub fn alpha(&self) -> &Point {
        &self.alpha
    }

    /// β = m·G + r·Y.
    pub fn beta(&self) -> &Point {
        &self.beta
    }
}

impl Add<&Ciphertext> for &Ciphertext {
    type Output = Ciphertext;
    fn add(self, other: &Ciphertext) -> Ciphertext {
        Ciphertext::from_elements(
            self.alpha.element() + other.alpha.element(),
            self.beta.element() + other.beta.element(),
        )
    }
}

/// The homomorphic difference: `Enc(m₁; r₁) − Enc(m₂; r₂) = Enc(m₁ − m₂; r₁ − r₂)` (a box
/// takes a replaced ballot out of its running sum).
impl Sub<&Ciphertext> for &Ciphertext {
    type Output = Ciphertext;
    fn sub(self, other: &Ciphertext) -> Ciphertext {
        Ciphertext::from_elements(
            self.alpha.element() - other.alpha.element(),
            self.beta.element() - other.beta.element(),
        )
    }
}

impl Add for Ciphertext {
    type Output = Ciphertext;
    fn add(self, other: Ciphertext) -> Ciphertext {
        &self + &other
    }
}

impl<'a> Sum<&'a Ciphertext> for Ciphertext {
    fn sum<I: Iterator<Item = &'a Ciphertext>>(iter: I) -> Ciphertext {
        let (alpha, beta) = iter.fold(
            (RistrettoPoint::identity(), RistrettoPoint::identity()),
            |(a, b), c| (a + c.alpha.element(), b + c.beta.element()),
        );
        Ciphertext::from_elements(alpha, beta)
    }
}

impl Sum for Ciphertext {
    fn sum<I: Iterator<Item = Ciphertext>>(iter: I) -> Ciphertext {
        let (alpha, beta) = iter.fold(
            (RistrettoPoint::identity(), RistrettoPoint::identity()),
            |(a, b), c| (a + c.alpha.element(), b + c.beta.element()),
        );
        Ciphertext::from_elements(alpha, beta)
    }
}

/// Multiplication by a public weight w: `Enc(m; r)·w = Enc(w·m; w·r)`.
impl Mul<&Scalar> for &Ciphertext {
    type Output = Ciphertext;
    fn mul(self, weight: &Scalar) -> Ciphertext {
        Ciphertext::from_elements(self.alpha.element() * weight, self.beta.element() * weight)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    fn rng() -> ChaCha20Rng {
        ChaCha20Rng::seed_from_u64(7)
    }

    #[test]
    fn encrypt_add_scale_decrypt() {
        let mut rng = rng();
        let sk = SecretKey::generate(&mut rng);
        let pk = sk.public_key();
        let table = DiscreteLogTable::new(1000).unwrap();
        let (a, _) = pk.encrypt(3, &mut rng);
        let (b, _) = pk.encrypt(4, &mut rng);
        assert_eq!(sk.decrypt(&(&a + &b), &table), Ok(7));
        assert_eq!(sk.decrypt(&(&a * &Scalar::from(5u64)), &table), Ok(15));
        let total: Ciphertext = [a.clone(), b.clone(), a].iter().sum();
        assert_eq!(sk.decrypt(&total, &table), Ok(10));
        assert_eq!(sk.decrypt(&Ciphertext::zero(), &table), Ok(0));
    }

    #[test]
    fn encodings_round_trip_and_reject() {
        let mut rng = rng();
        let sk = SecretKey::generate(&mut rng);
        let pk = sk.public_key();
        let (c, nonce) = pk.encrypt(1, &mut rng);
        let bytes = c.to_bytes();
        assert_eq!(Ciphertext::from_bytes(&bytes).unwrap().to_bytes(), bytes);
        assert_eq!(pk.encrypt_with_nonce(1, &nonce), c);
        assert_eq!(PublicKey::from_bytes(&pk.to_bytes()).unwrap(), pk);
        assert_eq!(
            PublicKey::from_bytes(&[0; 32]),
            Err(Error::IdentityPoint { what: "public key" })
        );
        let mut zero_alpha = bytes;
        zero_alpha[..32].fill(0);
        assert_eq!(
            Ciphertext::from_bytes(&zero_alpha),
            Err(Error::IdentityPoint {
                what: "ciphertext alpha"
            })
        );
        assert!(matches!(
            Ciphertext::from_bytes(&bytes[..63]),
            Err(Error::WrongLength { .. })
        ));
        let mut long = bytes.to_vec();
        long.push(0);
        assert!(matches!(
            Ciphertext::from_bytes(&long),
            Err(Error::TrailingBytes { .. })
        ));
        assert_eq!(SecretKey::from_bytes(&sk.to_bytes()[..]).unwrap(), sk);
        assert!(SecretKey::from_bytes(&[0; 32]).is_err());
    }

    #[test]
    fn secrets_are_redacted() {
        let mut rng = rng();
        let sk = SecretKey::generate(&mut rng);
        let (_, nonce) = sk.public_key().encrypt(1, &mut rng);
        assert_eq!(format!("{sk:?}"), "SecretKey(<redacted>)");
        assert_eq!(format!("{nonce:?}"), "Nonce(<redacted>)");
    }
}
