//! The outcome of a key ceremony: a trustee's [`KeyPackage`] (secret) and the
//! [`PublicKeyPackage`] everyone shares.
//!
//! # Public key package
//!
//! The joint key `Y = x·G` and, for every qualified trustee j, its verification share
//! `Y_j = x_j·G`, where `x_j` is trustee j's share of x. The shares lie on one polynomial of
//! degree t − 1 whose value at 0 is `Y`: [`PublicKeyPackage::new`] and
//! [`PublicKeyPackage::from_bytes`] check exactly that, by interpolating the first t shares at 0
//! and at every other index.
//!
//! Encoding: `t ‖ n ‖ Y ‖ count ‖ count × (index ‖ Y_j)`, with `t`, `n`, `count` and every
//! `index` little-endian `u32`s, the indices strictly increasing in `1..=n`, `t ≤ count ≤ n`,
//! and no point the identity.
//!
//! # Key package
//!
//! A trustee's index, its secret share `x_i` and the public package. It is not serializable;
//! [`KeyPackage::export_share`] writes `index ‖ x_i` (36 bytes) into a zeroizing buffer, and
//! [`KeyPackage::import_share`] reads it back against a public package, checking
//! `x_i·G = Y_i`.

use core::fmt;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::domain::ObjectKind;
use crate::elgamal::{PublicKey, SecretKey};
use crate::encoding::{read_header, write_header};
use crate::error::{Error, Result};
use crate::group::{Point, Reader, SCALAR_LEN, write_count};
use crate::threshold::params::{ThresholdParams, TrusteeIndex, lagrange_at};
use crate::threshold::polynomial::SecretPolynomial;

/// Length of an exported key share: `index ‖ x_i`.
pub const EXPORTED_SHARE_LEN: usize = 4 + SCALAR_LEN;

/// The public outcome of a key ceremony: parameters, joint key and verification shares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKeyPackage {
    params: ThresholdParams,
    joint_key: PublicKey,
    /// (j, Y_j), strictly increasing in j.
    verification_shares: Vec<(TrusteeIndex, Point)>,
}

impl PublicKeyPackage {
    /// A public key package from its parts. The verification shares may come in any order;
    /// rejects duplicates, indices above n, fewer than t shares, identity points, and shares
    /// that do not lie on one polynomial of degree t − 1 through `(0, Y)`.
    pub fn new(
        params: ThresholdParams,
        joint_key: PublicKey,
        mut verification_shares: Vec<(TrusteeIndex, Point)>,
    ) -> Result<Self> {
        verification_shares.sort_by_key(|(j, _)| *j);
        let package = PublicKeyPackage {
            params,
            joint_key,
            verification_shares,
        };
        package.validate()?;
        package.check_consistency()?;
        Ok(package)
    }

    /// Built by the ceremony from Feldman commitments, which makes the shares consistent by
    /// construction; only the structure is checked.
    pub(crate) fn from_ceremony(
        params: ThresholdParams,
        joint_key: PublicKey,
        verification_shares: Vec<(TrusteeIndex, Point)>,
    ) -> Result<Self> {
        let package = PublicKeyPackage {
            params,
            joint_key,
            verification_shares,
        };
        package.validate()?;
        Ok(package)
    }

    fn validate(&self) -> Result<()> {
        let mut previous = 0u32;
        for (j, y) in &self.verification_shares {
            self.params.check(*j)?;
            if j.get() == previous {
                return Err(Error::DuplicateTrustee { trustee: j.get() });
            }
            if j.get() < previous {
                return Err(Error::InvalidValue {
                    what: "verification shares",
                    reason: "indices must be strictly increasing",
                });
            }
            previous = j.get();
            if y.is_identity() {
                return Err(Error::IdentityPoint {
                    what: "verification share",
                });
            }
        }
        let count = self.verification_shares.len();
        if count < self.params.threshold() as usize {
            return Err(Error::InvalidValue {
                what: "verification shares",
                reason: "fewer than t trustees",
            });
        }
        Ok(())
    }

    /// Checks that every `Y_j` and `Y` lie on the polynomial through the first t shares.
    fn check_consistency(&self) -> Result<()> {
        let t = self.params.threshold() as usize;
        let (base, rest) = self
            .verification_shares
            .split_at(t.min(self.verification_shares.len()));
        let set: Vec<TrusteeIndex> = base.iter().map(|(j, _)| *j).collect();
        let points: Vec<&RistrettoPoint> = base.iter().map(|(_, y)| y.element()).collect();
        let targets = core::iter::once((Scalar::ZERO, self.joint_key.as_point()))
            .chain(rest.iter().map(|(j, y)| (j.scalar(), y)));
        for (x, expected) in targets {
            let lambdas = lagrange_at(x, &set)?;
            let value = RistrettoPoint::vartime_multiscalar_mul(&lambdas, points.iter().copied());
            if value != *expected.element() {
                return Err(Error::InvalidValue {
                    what: "public key package",
                    reason: "verification shares do not interpolate to the joint key",
                });
            }
        }
        Ok(())
    }

    /// The threshold parameters.
    pub fn params(&self) -> ThresholdParams {
        self.params
    }

    /// The joint election key Y.
    pub fn joint_key(&self) -> &PublicKey {
        &self.joint_key
    }

    /// Trustee j's verification share `Y_j = x_j·G`, if j is qualified.
    pub fn verification_share(&self, j: TrusteeIndex) -> Option<&Point> {
        self.verification_shares
            .binary_search_by_key(&j, |(i, _)| *i)
            .ok()
            .and_then(|k| self.verification_shares.get(k))
            .map(|(_, y)| y)
    }

    /// Every (j, Y_j), in increasing order of j.
    pub fn verification_shares(&self) -> &[(TrusteeIndex, Point)] {
        &self.verification_shares
    }

    /// The qualified trustees, in increasing order.
    pub fn trustees(&self) -> impl Iterator<Item = TrusteeIndex> + '_ {
        self.verification_shares.iter().map(|(j, _)| *j)
    }

    /// Appends the canonical encoding.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<()> {
        write_header(out, ObjectKind::PublicKeyPackage);
        self.params.write(out);
        out.extend_from_slice(self.joint_key.as_point().as_bytes());
        write_count(out, "verification shares", self.verification_shares.len())?;
        for (j, y) in &self.verification_shares {
            j.write(out);
            out.extend_from_slice(y.as_bytes());
        }
        Ok(())
    }

    /// The canonical encoding.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(44 + 36 * self.verification_shares.len());
        self.write(&mut out)?;
        Ok(out)
    }

    /// Decodes and fully validates a public key package (see [`PublicKeyPackage::new`]).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Reader::decode_all("public key package", bytes, Self::read)
    }

    /// Reads and fully validates a public key package from a longer encoding.
    pub fn read(reader: &mut Reader<'_>) -> Result<Self> {
        read_header(reader, ObjectKind::PublicKeyPackage)?;
        let params = ThresholdParams::read(reader)?;
        let joint_key = PublicKey::from_point(reader.point_non_identity("joint key")?)?;
        let count = reader.count("verification shares", 36)?;
        let mut shares = Vec::with_capacity(count);
        for _ in 0..count {
            let j = TrusteeIndex::read(reader, "trustee index")?;
            let y = reader.point_non_identity("verification share")?;
            shares.push((j, y));
        }
        // Canonical order: strictly increasing indices (checked by `validate`, before sorting
        // could hide a non-canonical order).
        let package = PublicKeyPackage {
            params,
            joint_key,
            verification_shares: shares,
        };
        package.validate()?;
        package.check_consistency()?;
        Ok(package)
    }
}

/// A trustee's secret key package: its index, its share `x_i` of the election key, and the
/// public key package.
///
/// The share is zeroized on drop and redacted in `Debug`. There is no `Clone`, no `Copy`, no
/// serialization and no equality; [`KeyPackage::export_share`] is the only way out.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct KeyPackage {
    #[zeroize(skip)]
    index: TrusteeIndex,
    share: SecretKey,
    #[zeroize(skip)]
    public: PublicKeyPackage,
}

impl KeyPackage {
    /// Builds a key package, checking `share·G = Y_index`.
    pub(crate) fn new(
        index: TrusteeIndex,
        share: SecretKey,
        public: PublicKeyPackage,
    ) -> Result<Self> {
        let expected = public
            .verification_share(index)
            .ok_or(Error::InvalidTrusteeIndex {
                index: index.get(),
                trustees: public.params().trustees(),
            })?;
        // x_i·G is public (it is Y_i), so comparing it is not a leak.
        if share.public_key().as_point() != expected {
            return Err(Error::InvalidValue {
                what: "key share",
                reason: "does not match the trustee's verification share",
            });
        }
        Ok(KeyPackage {
            index,
            share,
            public,
        })
    }

    /// This trustee's index.
    pub fn index(&self) -> TrusteeIndex {
        self.index
    }

    /// The public key package.
    pub fn public(&self) -> &PublicKeyPackage {
        &self.public
    }

    /// This trustee's verification share `Y_i = x_i·G`.
    pub fn verification_share(&self) -> Point {
        Point::from(RistrettoPoint::mul_base(self.share.as_scalar()))
    }

    /// The secret share (crate-internal: partial decryption).
    pub(crate) fn share(&self) -> &SecretKey {
        &self.share
    }

    /// Exports `index ‖ x_i` (36 bytes) into a buffer that is zeroized when dropped, for
    /// backup or for moving the share to another device. Handle it as the secret it is.
    pub fn export_share(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(EXPORTED_SHARE_LEN));
        self.index.write(&mut out);
        out.extend_from_slice(self.share.to_bytes().as_ref());
        out
    }

    /// Imports a share exported by [`KeyPackage::export_share`], checking it against `public`
    /// (`x_i·G = Y_i`).
    pub fn import_share(bytes: &[u8], public: PublicKeyPackage) -> Result<Self> {
        let mut reader = Reader::new("exported key share", bytes);
        let index = TrusteeIndex::read(&mut reader, "trustee index")?;
        let share = SecretKey::from_bytes(reader.take("key share", SCALAR_LEN)?)?;
        reader.finish()?;
        public.params().check(index)?;
        Self::new(index, share, public)
    }
}

impl fmt::Debug for KeyPackage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyPackage")
            .field("index", &self.index)
            .field("share", &format_args!("<redacted>"))
            .field("public", &self.public)
            .finish()
    }
}

/// **For tests and simulations only**: one dealer draws the election key and shares it.
///
/// The dealer knows the secret key, which is exactly what a threshold election must avoid; a
/// real election runs the key ceremony ([`crate::threshold::dkg`]). This shortcut exists to
/// test decryption without running a ceremony each time.
pub fn trusted_dealer_for_tests_only<R: RngCore + CryptoRng>(
    params: ThresholdParams,
    rng: &mut R,
) -> Result<(Vec<KeyPackage>, PublicKeyPackage)> {
    let secret = SecretKey::generate(rng);
    let joint_key = secret.public_key();
    let polynomial = SecretPolynomial::with_secret(secret, params.threshold(), rng);
    let mut shares = Vec::new();
    let mut verification_shares = Vec::new();
    for j in params.indices() {
        let share = SecretKey::from_scalar(*polynomial.evaluate(j));
        verification_shares.push((j, share.public_key().as_point().clone()));
        shares.push((j, share));
    }
    let public = PublicKeyPackage::from_ceremony(params, joint_key, verification_shares)?;
    let packages = shares
        .into_iter()
        .map(|(j, share)| KeyPackage::new(j, share, public.clone()))
        .collect::<Result<Vec<_>>>()?;
    Ok((packages, public))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn public_package_round_trips_and_rejects() {
        const H: usize = crate::encoding::header::HEADER_LEN;
        let mut rng = ChaCha20Rng::seed_from_u64(11);
        let params = ThresholdParams::new(2, 4).unwrap();
        let (keys, public) = trusted_dealer_for_tests_only(params, &mut rng).unwrap();
        let bytes = public.to_bytes().unwrap();
        assert_eq!(bytes.len(), H + 12 + 32 + 4 * 36);
        let decoded = PublicKeyPackage::from_bytes(&bytes).unwrap();
        assert_eq!(decoded, public);
        assert_eq!(decoded.to_bytes().unwrap(), bytes);

        // Swapping two verification shares breaks consistency.
        let mut swapped = public.verification_shares().to_vec();
        let y1 = swapped[0].1.clone();
        swapped[0].1 = swapped[2].1.clone();
        swapped[2].1 = y1;
        assert!(PublicKeyPackage::new(params, public.joint_key().clone(), swapped).is_err());
        // Another joint key breaks consistency.
        let other = SecretKey::generate(&mut rng).public_key();
        assert!(
            PublicKeyPackage::new(params, other, public.verification_shares().to_vec()).is_err()
        );
        // Non-canonical order, duplicates, out of range, too few, trailing bytes.
        let mut unordered = bytes.clone();
        let (a, b) = (H + 44, H + 44 + 36);
        let first: Vec<u8> = unordered[a..b].to_vec();
        let second: Vec<u8> = unordered[b..b + 36].to_vec();
        unordered[a..b].copy_from_slice(&second);
        unordered[b..b + 36].copy_from_slice(&first);
        assert!(PublicKeyPackage::from_bytes(&unordered).is_err());
        let mut dup = bytes.clone();
        dup[b..b + 4].copy_from_slice(&1u32.to_le_bytes());
        assert_eq!(
            PublicKeyPackage::from_bytes(&dup),
            Err(Error::DuplicateTrustee { trustee: 1 })
        );
        let mut high = bytes.clone();
        high[H + 44 + 3 * 36..H + 44 + 3 * 36 + 4].copy_from_slice(&5u32.to_le_bytes());
        assert_eq!(
            PublicKeyPackage::from_bytes(&high),
            Err(Error::InvalidTrusteeIndex {
                index: 5,
                trustees: 4
            })
        );
        let mut zero = bytes.clone();
        zero[H + 44..H + 48].copy_from_slice(&0u32.to_le_bytes());
        assert!(matches!(
            PublicKeyPackage::from_bytes(&zero),
            Err(Error::InvalidTrusteeIndex { index: 0, .. })
        ));
        let few = PublicKeyPackage::new(
            params,
            public.joint_key().clone(),
            public.verification_shares()[..1].to_vec(),
        );
        assert!(few.is_err());
        let mut long = bytes.clone();
        long.push(0);
        assert!(matches!(
            PublicKeyPackage::from_bytes(&long),
            Err(Error::TrailingBytes { .. })
        ));

        // Export and import of a share.
        let exported = keys[1].export_share();
        assert_eq!(exported.len(), EXPORTED_SHARE_LEN);
        let imported = KeyPackage::import_share(&exported, public.clone()).unwrap();
        assert_eq!(imported.index(), keys[1].index());
        let mut wrong = exported.to_vec();
        wrong[..4].copy_from_slice(&3u32.to_le_bytes());
        assert!(KeyPackage::import_share(&wrong, public.clone()).is_err());
    }

    #[test]
    fn key_package_debug_is_redacted() {
        let mut rng = ChaCha20Rng::seed_from_u64(12);
        let params = ThresholdParams::new(2, 3).unwrap();
        let (keys, public) = trusted_dealer_for_tests_only(params, &mut rng).unwrap();
        for key in &keys {
            let exported = key.export_share();
            let hex: String = exported[4..].iter().map(|b| format!("{b:02x}")).collect();
            let debug = format!("{key:?}");
            assert!(debug.contains("<redacted>"));
            assert!(!debug.contains(&hex));
            assert!(!format!("{public:?}").contains(&hex));
        }
    }
}

#[cfg(feature = "serde")]
crate::encoding::serde_via_bytes!(PublicKeyPackage, "public key package", fallible);
