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
//! Encoding: `header ‖ t ‖ n ‖ Y ‖ count ‖ count × (index ‖ Y_j)`, with `t`, `n`, `count` and
//! every `index` little-endian `u32`s, the indices strictly increasing in `1..=n`,
//! `t ≤ count ≤ n`, and no point the identity. Its fingerprint
//! ([`PublicKeyPackage::fingerprint`]) is `H("tabella.keys.package", encoding)`.
//!
//! # Key package
//!
//! A trustee's index, its secret share `x_i`, the public package and the log of the
//! statements it decrypted ([`DecryptionLog`]). It is not serializable; [`KeyPackage::export`]
//! writes it into a zeroizing buffer:
//!
//! ```text
//! header (exported key share) ‖ package fingerprint (32) ‖ LE32(index) ‖ x_i (32)
//! ‖ decryption log (§11.5)
//! ```
//!
//! and [`KeyPackage::import`] reads it back against the ceremony's verified public package:
//! the fingerprint must be that package's (a substituted package, even one consistent with
//! `x_i·G = Y_i`, is refused), and `x_i·G = Y_i`.

use core::fmt;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
#[cfg(any(test, feature = "test-utils"))]
use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::board::hash_parts;
use crate::domain::ObjectKind;
use crate::domain::label;
use crate::elgamal::{PublicKey, SecretKey};
use crate::encoding::{read_header, write_header};
use crate::error::{Error, Result};
use crate::group::{Point, Reader, SCALAR_LEN, write_count};
use crate::threshold::decryption::DecryptionLog;
use crate::threshold::params::{ThresholdParams, TrusteeIndex, lagrange_at};
#[cfg(any(test, feature = "test-utils"))]
use crate::threshold::polynomial::SecretPolynomial;

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

    /// The package's fingerprint: `H("tabella.keys.package", canonical encoding)` (H as in
    /// docs/SPEC.md §8).
    pub fn fingerprint(&self) -> [u8; 32] {
        hash_parts(&[label::KEY_PACKAGE, &self.to_bytes()])
    }

    /// Appends the canonical encoding.
    pub fn write(&self, out: &mut Vec<u8>) {
        write_header(out, ObjectKind::PublicKeyPackage);
        self.params.write(out);
        out.extend_from_slice(self.joint_key.as_point().as_bytes());
        // At most MAX_TRUSTEES shares: the count always fits.
        let _ = write_count(out, "verification shares", self.verification_shares.len());
        for (j, y) in &self.verification_shares {
            j.write(out);
            out.extend_from_slice(y.as_bytes());
        }
    }

    /// The canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(49 + 36 * self.verification_shares.len());
        self.write(&mut out);
        out
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

/// A trustee's secret key package: its index, its share `x_i` of the election key, the
/// public key package, and the log of the statements it decrypted.
///
/// The share is zeroized on drop and redacted in `Debug`. There is no `Clone`, no `Copy`, no
/// serialization and no equality; [`KeyPackage::export`] is the only way out.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct KeyPackage {
    #[zeroize(skip)]
    index: TrusteeIndex,
    share: SecretKey,
    #[zeroize(skip)]
    public: PublicKeyPackage,
    #[zeroize(skip)]
    log: DecryptionLog,
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
            log: DecryptionLog::default(),
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

    /// The statements this trustee has decrypted.
    pub fn log(&self) -> &DecryptionLog {
        &self.log
    }

    pub(crate) fn log_mut(&mut self) -> &mut DecryptionLog {
        &mut self.log
    }

    /// Exports the key package (module documentation: the fingerprint of its public package,
    /// the index, `x_i` and the decryption log) into a buffer that is zeroized when dropped,
    /// for keeping it between the ceremony and each round's decryption, or for moving it to
    /// another device. Handle it as the secret it is: seal it before it touches a disk.
    pub fn export(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(
            crate::encoding::header::HEADER_LEN + 68 + 4 + 68 * self.log.entries().len(),
        ));
        write_header(&mut out, ObjectKind::KeyShare);
        out.extend_from_slice(&self.public.fingerprint());
        self.index.write(&mut out);
        out.extend_from_slice(self.share.to_bytes().as_ref());
        self.log.write(&mut out);
        out
    }

    /// Imports a key package exported by [`KeyPackage::export`] against `public`, the public
    /// key package of the ceremony's verified outcome
    /// ([`crate::threshold::CeremonyOutcome::public_key_package`]).
    ///
    /// Errors: the header's ([`Error::NotTabella`], [`Error::WrongKind`],
    /// [`Error::UnsupportedVersion`]); [`Error::InvalidValue`] when the export is for another
    /// public key package (its fingerprint differs) or its share does not match `Y_i`;
    /// decoding errors otherwise.
    pub fn import(bytes: &[u8], public: PublicKeyPackage) -> Result<Self> {
        let mut reader = Reader::new("exported key share", bytes);
        read_header(&mut reader, ObjectKind::KeyShare)?;
        let fingerprint: [u8; 32] = reader.array("public key package fingerprint")?;
        if fingerprint != public.fingerprint() {
            return Err(Error::InvalidValue {
                what: "exported key share",
                reason: "it belongs to another public key package",
            });
        }
        let index = TrusteeIndex::read(&mut reader, "trustee index")?;
        let share = SecretKey::from_bytes(reader.take("key share", SCALAR_LEN)?)?;
        let log = DecryptionLog::read(&mut reader)?;
        reader.finish()?;
        public.params().check(index)?;
        let mut key = Self::new(index, share, public)?;
        key.log = log;
        Ok(key)
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

/// **For tests and simulations only** (feature `test-utils`): one dealer draws the election
/// key and shares it.
///
/// The dealer knows the secret key, which is exactly what a threshold election must avoid; a
/// real election runs the key ceremony ([`crate::threshold::dkg`]). This shortcut exists to
/// test decryption without running a ceremony each time.
#[cfg(any(test, feature = "test-utils"))]
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
        let bytes = public.to_bytes();
        assert_eq!(bytes.len(), H + 12 + 32 + 4 * 36);
        let decoded = PublicKeyPackage::from_bytes(&bytes).unwrap();
        assert_eq!(decoded, public);
        assert_eq!(decoded.to_bytes(), bytes);

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

        // Export and import of a key package.
        let exported = keys[1].export();
        assert_eq!(exported.len(), H + 32 + 4 + 32 + 4);
        let imported = KeyPackage::import(&exported, public.clone()).unwrap();
        assert_eq!(imported.index(), keys[1].index());
        assert_eq!(imported.export(), exported);
        // Another index: its share does not match that trustee's Y_i.
        let mut wrong = exported.to_vec();
        wrong[H + 32..H + 36].copy_from_slice(&3u32.to_le_bytes());
        assert!(KeyPackage::import(&wrong, public.clone()).is_err());
        // Truncated, extended, or the header of another kind.
        for cut in 0..exported.len() {
            assert!(KeyPackage::import(&exported[..cut], public.clone()).is_err());
        }
        let mut long = exported.to_vec();
        long.push(0);
        assert!(KeyPackage::import(&long, public.clone()).is_err());
        assert!(matches!(
            KeyPackage::import(&public.to_bytes(), public.clone()),
            Err(Error::WrongKind { .. })
        ));
    }

    #[test]
    fn an_import_is_bound_to_the_ceremony_package_not_to_one_supplied_beside_it() {
        // A substituted package consistent with the trustee's share: same Y_i for trustee 1,
        // but a joint key the attacker chose (here: knows).
        let mut rng = ChaCha20Rng::seed_from_u64(13);
        let params = ThresholdParams::new(2, 3).unwrap();
        let (keys, public) = trusted_dealer_for_tests_only(params, &mut rng).unwrap();
        let attacker = SecretKey::generate(&mut rng);
        let y1 = public.verification_share(keys[0].index()).unwrap().clone();
        // The line through (0, Y_attacker) and (1, Y_1): Y_j = Y_a + j·(Y_1 − Y_a).
        let ya = *attacker.public_key().as_point().element();
        let slope = y1.element() - ya;
        let forged_shares: Vec<(TrusteeIndex, Point)> = params
            .indices()
            .map(|j| (j, Point::from(ya + slope * j.scalar())))
            .collect();
        let forged = PublicKeyPackage::new(params, attacker.public_key(), forged_shares).unwrap();
        assert_eq!(forged.verification_share(keys[0].index()), Some(&y1));
        let exported = keys[0].export();
        assert_eq!(
            KeyPackage::import(&exported, forged).map(|_| ()),
            Err(Error::InvalidValue {
                what: "exported key share",
                reason: "it belongs to another public key package",
            })
        );
        assert!(KeyPackage::import(&exported, public).is_ok());
    }

    #[test]
    fn key_package_debug_is_redacted() {
        let mut rng = ChaCha20Rng::seed_from_u64(12);
        let params = ThresholdParams::new(2, 3).unwrap();
        let (keys, public) = trusted_dealer_for_tests_only(params, &mut rng).unwrap();
        for key in &keys {
            let exported = key.export();
            let at = crate::encoding::header::HEADER_LEN + 36;
            let hex: String = exported[at..at + 32]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let debug = format!("{key:?}");
            assert!(debug.contains("<redacted>"));
            assert!(!debug.contains(&hex));
            assert!(!format!("{public:?}").contains(&hex));
        }
    }
}

#[cfg(feature = "serde")]
crate::encoding::serde_via_bytes!(PublicKeyPackage, "public key package");
