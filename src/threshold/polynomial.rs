//! Secret sharing polynomials and their Feldman commitments (crate-internal).
//!
//! A dealer's polynomial is `f(x) = a₀ + a₁·x + … + a_{t−1}·x^{t−1}` with uniformly random
//! non-zero coefficients; its Feldman commitments are `C_k = a_k·G`. A share `s = f(j)` is
//! checked against them with `s·G = Σ_k j^k·C_k`.

use core::fmt;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::elgamal::SecretKey;
use crate::group::Point;
use crate::threshold::params::TrusteeIndex;

/// A secret polynomial of degree t − 1. Its coefficients are [`SecretKey`]s, so they are
/// zeroized on drop and redacted in `Debug`.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(crate) struct SecretPolynomial {
    coefficients: Vec<SecretKey>,
}

impl SecretPolynomial {
    /// Draws `t` uniformly random non-zero coefficients.
    pub(crate) fn generate<R: RngCore + CryptoRng>(t: u32, rng: &mut R) -> Self {
        SecretPolynomial {
            coefficients: (0..t).map(|_| SecretKey::generate(rng)).collect(),
        }
    }

    /// A polynomial with the given constant term and random other coefficients (the
    /// trusted-dealer shortcut only).
    #[cfg(any(test, feature = "test-utils"))]
    pub(crate) fn with_secret<R: RngCore + CryptoRng>(
        secret: SecretKey,
        t: u32,
        rng: &mut R,
    ) -> Self {
        let mut coefficients = Vec::with_capacity(t as usize);
        coefficients.push(secret);
        coefficients.extend((1..t).map(|_| SecretKey::generate(rng)));
        SecretPolynomial { coefficients }
    }

    /// The polynomial with these coefficients (a trustee's state restored).
    pub(crate) fn from_coefficients(coefficients: Vec<SecretKey>) -> Self {
        SecretPolynomial { coefficients }
    }

    /// The coefficients a₀, …, a_{t−1}.
    pub(crate) fn coefficients(&self) -> &[SecretKey] {
        &self.coefficients
    }

    /// The Feldman commitments `C_k = a_k·G` (never the identity: the coefficients are
    /// non-zero).
    pub(crate) fn commitments(&self) -> Vec<Point> {
        self.coefficients
            .iter()
            .map(|a| Point::from(RistrettoPoint::mul_base(a.as_scalar())))
            .collect()
    }

    /// f(j) by Horner's rule (constant time in the coefficients).
    pub(crate) fn evaluate(&self, j: TrusteeIndex) -> Zeroizing<Scalar> {
        let x = j.scalar();
        let mut acc = Zeroizing::new(Scalar::ZERO);
        for a in self.coefficients.iter().rev() {
            *acc = *acc * x + a.as_scalar();
        }
        acc
    }
}

impl fmt::Debug for SecretPolynomial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretPolynomial(<redacted>)")
    }
}

/// The powers `1, j, j², …, j^{len−1}`.
pub(crate) fn powers(j: TrusteeIndex, len: usize) -> Vec<Scalar> {
    let x = j.scalar();
    let mut out = Vec::with_capacity(len);
    let mut p = Scalar::ONE;
    for _ in 0..len {
        out.push(p);
        p *= x;
    }
    out
}

/// `Σ_k j^k·C_k`: the public image f(j)·G of a share, from the commitments (variable time:
/// public data).
pub(crate) fn evaluate_commitments<'a, I>(j: TrusteeIndex, commitments: I) -> RistrettoPoint
where
    I: ExactSizeIterator<Item = &'a RistrettoPoint>,
{
    let len = commitments.len();
    RistrettoPoint::vartime_multiscalar_mul(powers(j, len), commitments)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn shares_match_commitments() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let f = SecretPolynomial::generate(4, &mut rng);
        let c = f.commitments();
        let points: Vec<_> = c.iter().map(|p| *p.element()).collect();
        for j in 1..=6 {
            let j = TrusteeIndex::new(j).unwrap();
            let s = f.evaluate(j);
            assert_eq!(
                RistrettoPoint::mul_base(&s),
                evaluate_commitments(j, points.iter())
            );
        }
        assert_eq!(format!("{f:?}"), "SecretPolynomial(<redacted>)");
    }
}
