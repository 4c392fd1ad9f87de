//! ristretto255 encoding: canonical 32-byte points and scalars, where decoding is validation.
//!
//! # Encoding
//!
//! * A point is its 32-byte canonical ristretto255 encoding (RFC 9496 §4.3.2).
//! * A scalar is its 32-byte little-endian encoding, which must be fully reduced (`< ℓ`).
//! * Integers are little-endian: `u32` in 4 bytes, `u64` in 8 bytes.
//! * A variable-length list is a `u32` count followed by its elements.
//!
//! Decoding rejects, each with its own [`Error`] variant: a wrong length
//! ([`Error::WrongLength`]), bytes after the value ([`Error::TrailingBytes`]), a non-canonical
//! point ([`Error::NonCanonicalPoint`]) or scalar ([`Error::NonCanonicalScalar`]), and the
//! identity where the math forbids it ([`Error::IdentityPoint`]). Every accepted encoding
//! re-encodes to the same bytes.
//!
//! # Decoded once
//!
//! Decompressing a point costs an inverse square root, which does not batch. A [`Point`] keeps
//! the wire bytes it was decoded from, so that transcripts and hashes use those bytes and the
//! point is never compressed again. A point computed locally is compressed at most once, the
//! first time its bytes are needed.

use core::fmt;
use std::sync::OnceLock;

use curve25519_dalek::constants::{RISTRETTO_BASEPOINT_COMPRESSED, RISTRETTO_BASEPOINT_POINT};
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{Identity, IsIdentity};
use sha2::{Digest, Sha512};

use crate::encoding::Hex;
use crate::error::{Error, Result};

/// Length of an encoded point.
pub const POINT_LEN: usize = 32;
/// Length of an encoded scalar.
pub const SCALAR_LEN: usize = 32;

/// A ristretto255 point together with its canonical encoding.
///
/// Equality compares encodings, which for canonical encodings is equality of points.
#[derive(Clone)]
pub struct Point {
    element: RistrettoPoint,
    encoding: OnceLock<[u8; POINT_LEN]>,
}

impl Point {
    /// Decodes a point, allowing the identity.
    pub fn decode(what: &'static str, bytes: &[u8]) -> Result<Self> {
        let array: [u8; POINT_LEN] = bytes.try_into().map_err(|_| Error::WrongLength {
            what,
            expected: POINT_LEN,
            actual: bytes.len(),
        })?;
        let element = CompressedRistretto(array)
            .decompress()
            .ok_or(Error::NonCanonicalPoint { what })?;
        Ok(Point {
            element,
            encoding: OnceLock::from(array),
        })
    }

    /// Decodes a point and rejects the identity.
    pub fn decode_non_identity(what: &'static str, bytes: &[u8]) -> Result<Self> {
        let point = Self::decode(what, bytes)?;
        point.non_identity(what)
    }

    /// Returns `self` if it is not the identity, and [`Error::IdentityPoint`] otherwise.
    pub fn non_identity(self, what: &'static str) -> Result<Self> {
        if self.is_identity() {
            Err(Error::IdentityPoint { what })
        } else {
            Ok(self)
        }
    }

    /// The generator G: the ristretto255 basepoint.
    pub fn generator() -> Self {
        Point {
            element: RISTRETTO_BASEPOINT_POINT,
            encoding: OnceLock::from(RISTRETTO_BASEPOINT_COMPRESSED.to_bytes()),
        }
    }

    /// The identity point.
    pub fn identity() -> Self {
        Point::from(RistrettoPoint::identity())
    }

    /// The group element.
    pub fn element(&self) -> &RistrettoPoint {
        &self.element
    }

    /// The canonical encoding (compressing the point the first time only).
    pub fn as_bytes(&self) -> &[u8; POINT_LEN] {
        self.encoding
            .get_or_init(|| self.element.compress().to_bytes())
    }

    /// The canonical encoding, by value.
    pub fn to_bytes(&self) -> [u8; POINT_LEN] {
        *self.as_bytes()
    }

    /// Whether this is the identity point.
    pub fn is_identity(&self) -> bool {
        self.element.is_identity()
    }
}

/// The scalar 1/2 mod ℓ, that is (ℓ + 1)/2, little-endian.
const HALF: [u8; 32] = [
    0xf7, 0xe9, 0x7a, 0x2e, 0x8d, 0x31, 0x09, 0x2c, 0x6b, 0xce, 0x7b, 0x51, 0xef, 0x7c, 0x6f, 0x0a,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08,
];

/// The scalar 1/2 mod ℓ.
pub(crate) fn half() -> Scalar {
    Scalar::from_bytes_mod_order(HALF)
}

impl Point {
    /// The points 2·Hᵢ for the given halves Hᵢ, with their encodings computed in one batch
    /// (one field inversion for all, in constant time) instead of one inverse square root each.
    /// Provers compute the halves directly (from scalars times ½), which costs nothing extra.
    pub(crate) fn doubled_batch(halves: &[RistrettoPoint]) -> Vec<Point> {
        let encodings = RistrettoPoint::double_and_compress_batch(halves);
        halves
            .iter()
            .zip(encodings)
            .map(|(h, e)| Point {
                element: h + h,
                encoding: OnceLock::from(e.to_bytes()),
            })
            .collect()
    }
}

impl From<RistrettoPoint> for Point {
    fn from(element: RistrettoPoint) -> Self {
        Point {
            element,
            encoding: OnceLock::new(),
        }
    }
}

impl PartialEq for Point {
    fn eq(&self, other: &Self) -> bool {
        // Public data: comparing canonical encodings is exact.
        match (self.encoding.get(), other.encoding.get()) {
            (Some(a), Some(b)) => a == b,
            _ => self.element == other.element,
        }
    }
}

impl Eq for Point {}

impl fmt::Debug for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Point({})", Hex(self.as_bytes()))
    }
}

/// Decodes a canonical scalar (`< ℓ`).
pub fn decode_scalar(what: &'static str, bytes: &[u8]) -> Result<Scalar> {
    let array: [u8; SCALAR_LEN] = bytes.try_into().map_err(|_| Error::WrongLength {
        what,
        expected: SCALAR_LEN,
        actual: bytes.len(),
    })?;
    Option::from(Scalar::from_canonical_bytes(array)).ok_or(Error::NonCanonicalScalar { what })
}

/// Hashes a public label to a point whose discrete logarithm nobody knows:
/// `from_uniform_bytes(SHA-512(label))` (RFC 9496 one-way map).
pub fn hash_to_group(label: &[u8]) -> RistrettoPoint {
    let digest: [u8; 64] = Sha512::digest(label).into();
    RistrettoPoint::from_uniform_bytes(&digest)
}

/// A cursor over an encoding. Every read is checked; [`Reader::finish`] rejects trailing bytes.
#[derive(Debug)]
pub struct Reader<'a> {
    what: &'static str,
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Starts reading `bytes`, the encoding of `what`.
    pub fn new(what: &'static str, bytes: &'a [u8]) -> Self {
        Reader { what, rest: bytes }
    }

    /// Decodes a whole encoding of `what` with `read`, rejecting trailing bytes: the shape of
    /// every `from_bytes` in the crate.
    pub fn decode_all<T>(
        what: &'static str,
        bytes: &'a [u8],
        read: impl FnOnce(&mut Reader<'a>) -> Result<T>,
    ) -> Result<T> {
        let mut reader = Reader::new(what, bytes);
        let value = read(&mut reader)?;
        reader.finish()?;
        Ok(value)
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.rest.len()
    }

    /// Reads `n` bytes.
    pub fn take(&mut self, field: &'static str, n: usize) -> Result<&'a [u8]> {
        if self.rest.len() < n {
            return Err(Error::WrongLength {
                what: field,
                expected: n,
                actual: self.rest.len(),
            });
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    /// Reads a fixed-size array.
    pub fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N]> {
        let bytes = self.take(field, N)?;
        bytes.try_into().map_err(|_| Error::WrongLength {
            what: field,
            expected: N,
            actual: bytes.len(),
        })
    }

    /// Reads a point, allowing the identity.
    pub fn point(&mut self, field: &'static str) -> Result<Point> {
        Point::decode(field, self.take(field, POINT_LEN)?)
    }

    /// Reads a point that must not be the identity.
    pub fn point_non_identity(&mut self, field: &'static str) -> Result<Point> {
        Point::decode_non_identity(field, self.take(field, POINT_LEN)?)
    }

    /// Reads a canonical scalar.
    pub fn scalar(&mut self, field: &'static str) -> Result<Scalar> {
        decode_scalar(field, self.take(field, SCALAR_LEN)?)
    }

    /// Reads a byte.
    pub fn u8(&mut self, field: &'static str) -> Result<u8> {
        Ok(u8::from_le_bytes(self.array(field)?))
    }

    /// Reads a little-endian `u32`.
    pub fn u32(&mut self, field: &'static str) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array(field)?))
    }

    /// Reads a little-endian `u64`.
    pub fn u64(&mut self, field: &'static str) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array(field)?))
    }

    /// Reads a list count and checks that at least `count * min_item_len` bytes remain, so a
    /// hostile count cannot make the caller allocate without bound.
    pub fn count(&mut self, field: &'static str, min_item_len: usize) -> Result<usize> {
        let count = usize::try_from(self.u32(field)?).map_err(|_| Error::InvalidValue {
            what: field,
            reason: "count does not fit in memory",
        })?;
        let needed = count.checked_mul(min_item_len.max(1));
        match needed {
            Some(n) if n <= self.rest.len() => Ok(count),
            _ => Err(Error::InvalidValue {
                what: field,
                reason: "count exceeds the remaining bytes",
            }),
        }
    }

    /// Ends reading: any byte left over is an error.
    pub fn finish(self) -> Result<()> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(Error::TrailingBytes {
                what: self.what,
                extra: self.rest.len(),
            })
        }
    }
}

/// Appends a list count in the canonical form (little-endian `u32`).
pub fn write_count(out: &mut Vec<u8>, what: &'static str, count: usize) -> Result<()> {
    let count = u32::try_from(count).map_err(|_| Error::InvalidValue {
        what,
        reason: "more than 2^32 - 1 items",
    })?;
    out.extend_from_slice(&count.to_le_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn point_round_trip_and_cache() {
        let g = Point::generator();
        let decoded = Point::decode("g", g.as_bytes()).unwrap();
        assert_eq!(decoded, g);
        let computed = Point::from(RISTRETTO_BASEPOINT_POINT + RISTRETTO_BASEPOINT_POINT);
        let again = Point::decode("2g", computed.as_bytes()).unwrap();
        assert_eq!(again.to_bytes(), computed.to_bytes());
    }

    #[test]
    fn half_is_one_half() {
        assert_eq!(half() * Scalar::from(2u64), Scalar::ONE);
    }

    #[test]
    fn doubled_batch_matches_compress() {
        let halves: Vec<_> = (1u64..5)
            .map(|i| RistrettoPoint::mul_base(&Scalar::from(i)))
            .collect();
        for (h, p) in halves.iter().zip(Point::doubled_batch(&halves)) {
            let doubled = h + h;
            assert_eq!(p.to_bytes(), doubled.compress().to_bytes());
            assert_eq!(*p.element(), doubled);
        }
    }

    #[test]
    fn point_rejections() {
        assert_eq!(
            Point::decode("p", &[0u8; 31]),
            Err(Error::WrongLength {
                what: "p",
                expected: 32,
                actual: 31
            })
        );
        // The identity encodes as 32 zero bytes.
        assert!(Point::decode("p", &[0u8; 32]).unwrap().is_identity());
        assert_eq!(
            Point::decode_non_identity("p", &[0u8; 32]),
            Err(Error::IdentityPoint { what: "p" })
        );
        // A field element that is negative (odd) is not canonical.
        let mut bad = [0u8; 32];
        bad[0] = 1;
        assert_eq!(
            Point::decode("p", &bad),
            Err(Error::NonCanonicalPoint { what: "p" })
        );
        // p = 2^255 - 19 itself is a non-canonical field encoding.
        let mut p = [0xffu8; 32];
        p[0] = 0xed;
        p[31] = 0x7f;
        assert_eq!(
            Point::decode("p", &p),
            Err(Error::NonCanonicalPoint { what: "p" })
        );
    }

    #[test]
    fn scalar_rejections() {
        let l_minus_one = (-Scalar::ONE).to_bytes();
        let mut l = l_minus_one;
        l[0] += 1; // ℓ − 1 ends in 0xec: no carry.
        assert_eq!(
            decode_scalar("s", &l),
            Err(Error::NonCanonicalScalar { what: "s" })
        );
        assert_eq!(
            decode_scalar("s", &[0xff; 32]),
            Err(Error::NonCanonicalScalar { what: "s" })
        );
        assert_eq!(
            decode_scalar("s", &l_minus_one).unwrap().to_bytes(),
            l_minus_one
        );
        assert!(matches!(
            decode_scalar("s", &[0; 33]),
            Err(Error::WrongLength { .. })
        ));
    }

    #[test]
    fn reader_checks_counts_and_trailing_bytes() {
        let mut bytes = Vec::new();
        write_count(&mut bytes, "n", 2).unwrap();
        bytes.extend_from_slice(&[7u8; 64]);
        let mut r = Reader::new("list", &bytes);
        assert_eq!(r.count("n", 32).unwrap(), 2);
        r.take("a", 64).unwrap();
        r.finish().unwrap();

        let mut r = Reader::new("list", &bytes);
        assert!(r.count("n", 33).is_err());
        let mut r = Reader::new("list", &bytes);
        r.take("x", 60).unwrap();
        assert_eq!(
            r.finish(),
            Err(Error::TrailingBytes {
                what: "list",
                extra: 8
            })
        );
    }

    #[test]
    fn hash_to_group_is_deterministic_and_label_bound() {
        assert_eq!(hash_to_group(b"a"), hash_to_group(b"a"));
        assert_ne!(hash_to_group(b"a"), hash_to_group(b"b"));
    }
}
