//! Byte-level primitives: the encodings of SPEC §2 (points, scalars, integers, lists, flags,
//! hex), the object header of §2.1 and the hash H of §8.1.

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use sha2::{Digest, Sha512};

/// Every decoder and check of this verifier fails with a human-readable reason.
pub type Res<T> = Result<T, String>;

/// Protocol version (§1).
pub const VERSION: u16 = 6;
/// Protocol id (§1), the label of every merlin transcript (§3.1).
pub const PROTOCOL_ID: &[u8] = b"tabella/v6";

/// Object kinds of the header (§2.1).
pub mod kind {
    pub const MANIFEST: u8 = 1;
    pub const PUBLIC_KEYS: u8 = 2;
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

/// A decoded point with the 32 bytes it was decoded from (or compressed to), so that
/// transcripts append the canonical encoding (§3) and equations use the group element.
#[derive(Clone, Copy, Debug)]
pub struct Pt {
    pub bytes: [u8; 32],
    pub p: RistrettoPoint,
}

impl PartialEq for Pt {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}
impl Eq for Pt {}

impl Pt {
    /// A computed point, with its canonical encoding (§2).
    pub fn of(p: RistrettoPoint) -> Pt {
        Pt {
            bytes: p.compress().to_bytes(),
            p,
        }
    }

    /// The 32 zero bytes are the identity's encoding (§2).
    pub fn is_identity(&self) -> bool {
        self.bytes == [0u8; 32]
    }
}

/// The generator G (§1).
pub fn g() -> RistrettoPoint {
    RISTRETTO_BASEPOINT_POINT
}

/// An ElGamal ciphertext (α, β) (§4).
pub type Ct = (Pt, Pt);

/// H-wide (§1): 64 bytes read little-endian, reduced mod ℓ.
pub fn h_wide(bytes: &[u8; 64]) -> Scalar {
    Scalar::from_bytes_mod_order_wide(bytes)
}

/// H (§8.1): SHA-512 over LE64-length-prefixed parts, truncated to 32 bytes.
pub fn h(parts: &[&[u8]]) -> [u8; 32] {
    let mut sha = Sha512::new();
    for part in parts {
        sha.update((part.len() as u64).to_le_bytes());
        sha.update(part);
    }
    let digest = sha.finalize();
    let mut out = [0u8; 32];
    out.copy_from_slice(&digest[..32]);
    out
}

/// The 5-byte object header (§2.1).
pub fn header(kind: u8) -> [u8; 5] {
    let v = VERSION.to_le_bytes();
    [0x74, 0x62, kind, v[0], v[1]]
}

/// Hex of JSON (§2): lowercase only, even length.
pub fn unhex(s: &str) -> Res<Vec<u8>> {
    if s.len() % 2 != 0 {
        return Err(format!("hex of odd length {}", s.len()));
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        _ => Err(format!("not a lowercase hex digit: {:?}", c as char)),
    };
    s.as_bytes()
        .chunks(2)
        .map(|pair| Ok(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

/// Lowercase hex, for messages.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A cursor over an encoding, with the checks every decoder of §2 makes: exact lengths,
/// canonical points and scalars, flags 0 or 1, counts that fit before any allocation, and no
/// trailing bytes.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    /// The bytes not yet read.
    pub fn rest(&self) -> &'a [u8] {
        &self.buf[self.pos..]
    }

    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub fn bytes(&mut self, n: usize) -> Res<&'a [u8]> {
        if n > self.remaining() {
            return Err(format!(
                "truncated: {n} bytes needed at offset {}, {} left",
                self.pos,
                self.remaining()
            ));
        }
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    pub fn array<const N: usize>(&mut self) -> Res<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes(N)?);
        Ok(out)
    }

    pub fn u8(&mut self) -> Res<u8> {
        Ok(self.bytes(1)?[0])
    }

    pub fn u16(&mut self) -> Res<u16> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    pub fn u32(&mut self) -> Res<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    pub fn u64(&mut self) -> Res<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    /// A flag (§2): 0 or 1.
    pub fn flag(&mut self) -> Res<bool> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(format!("flag {v} is neither 0 nor 1")),
        }
    }

    /// A point that may be the identity (inside proofs only, §11.3).
    pub fn point_any(&mut self) -> Res<Pt> {
        let bytes: [u8; 32] = self.array()?;
        let p = CompressedRistretto(bytes)
            .decompress()
            .ok_or_else(|| format!("not a canonical ristretto255 point: {}", hex(&bytes)))?;
        Ok(Pt { bytes, p })
    }

    /// A point that must not be the identity (§2: keys, shares, commitments, α, …).
    pub fn point(&mut self, what: &str) -> Res<Pt> {
        let pt = self.point_any()?;
        if pt.is_identity() {
            return Err(format!("{what} is the identity"));
        }
        Ok(pt)
    }

    /// A canonical scalar (§2): 32 bytes little-endian, < ℓ.
    pub fn scalar(&mut self) -> Res<Scalar> {
        let bytes: [u8; 32] = self.array()?;
        Option::from(Scalar::from_canonical_bytes(bytes))
            .ok_or_else(|| format!("not a canonical scalar: {}", hex(&bytes)))
    }

    /// A ciphertext α ‖ β (§4); α is never the identity.
    pub fn ciphertext(&mut self) -> Res<Ct> {
        let alpha = self.point("ciphertext alpha")?;
        let beta = self.point_any()?;
        Ok((alpha, beta))
    }

    /// LE32(count) of a list whose items take at least `min_item` bytes: the count must fit in
    /// the remaining bytes before anything is allocated (§2).
    pub fn count(&mut self, min_item: usize) -> Res<usize> {
        let count = self.u32()? as usize;
        if count.saturating_mul(min_item) > self.remaining() {
            return Err(format!(
                "a count of {count} items of {min_item} bytes does not fit in {} bytes",
                self.remaining()
            ));
        }
        Ok(count)
    }

    /// A length-prefixed blob (§12.1), bounded by the remaining bytes.
    pub fn blob(&mut self) -> Res<&'a [u8]> {
        let len = self.count(1)?;
        self.bytes(len)
    }

    /// The object header (§2.1), told apart as the SPEC says: `NotTabella`, `WrongKind`,
    /// `UnsupportedVersion`.
    pub fn header(&mut self, kind: u8) -> Res<()> {
        let magic = self.bytes(2).map_err(|_| "NotTabella".to_string())?;
        if magic != b"tb" {
            return Err("NotTabella: no \"tb\" header".into());
        }
        let got = self.u8().map_err(|_| "NotTabella".to_string())?;
        if got != kind {
            return Err(format!("WrongKind: kind {got}, expected {kind}"));
        }
        let version = self.u16()?;
        if version != VERSION {
            return Err(format!("UnsupportedVersion: {version}"));
        }
        Ok(())
    }

    /// No trailing bytes (§2).
    pub fn finish(&self) -> Res<()> {
        if self.remaining() != 0 {
            return Err(format!("{} trailing bytes", self.remaining()));
        }
        Ok(())
    }
}

/// A growing encoding, the inverse of [`Reader`] (§2, §12.1).
#[derive(Default)]
pub struct Writer(pub Vec<u8>);

impl Writer {
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.0.extend_from_slice(b);
        self
    }
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.0.push(v);
        self
    }
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }
    /// LE32(|x|) ‖ x (§12.1).
    pub fn blob(&mut self, b: &[u8]) -> &mut Self {
        self.u32(b.len() as u32).bytes(b)
    }
}
