//! Secrets at rest: sealed with a passphrase, bound to what they are for.
//!
//! A trustee stops between the steps of the key ceremony and between the ceremony and each
//! round's decryption; its secret state (ceremony secrets, key share, decryption log) must
//! then sit on a disk. [`seal`] turns such a secret into bytes that reveal nothing without the
//! passphrase and that open only for the context they were sealed for (the ceremony and the
//! trustee); [`unseal`] tells apart, each with its own error, bytes that are not a sealed
//! secret, a truncated file, a corrupted file, another context (another election's or
//! trustee's file), a wrong passphrase, and a file altered by someone who recomputed its
//! checksum.
//!
//! # Construction
//!
//! ```text
//! k          = Argon2id(passphrase, salt, m KiB, t passes, p lanes), 48 bytes
//! key, check = k[0..32], k[32..48]
//! body       = header (kind 12) ‖ blob(context) ‖ LE32(m) ‖ LE32(t) ‖ LE32(p) ‖ salt (16)
//!              ‖ check (16) ‖ nonce (24) ‖ blob(XChaCha20-Poly1305(key, nonce, secret, aad = the
//!              bytes before this blob))
//! sealed     = body ‖ SHA-512(body)[0..32]
//! ```
//!
//! The trailing digest is a checksum, not a MAC: it tells a corrupted or truncated file from
//! a wrong passphrase. The check value tells a wrong passphrase from an altered file. The
//! AEAD authenticates everything, the context and the parameters included.
//!
//! # Parameters
//!
//! [`SealParams::default`] is Argon2id with 64 MiB, 3 passes, 1 lane (RFC 9106's second
//! recommendation). Unsealing refuses parameters above 1 GiB, 16 passes or 16 lanes before
//! deriving anything, so that a hostile file cannot make the reader allocate without bound.
//!
//! # Constant time
//!
//! The key derivation and the AEAD are constant time in the passphrase, the key and the
//! secret; the check value is compared with `ct_eq`. Every intermediate key lives in a
//! zeroizing buffer.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use rand_core::{CryptoRng, RngCore};
use sha2::{Digest, Sha512};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::domain::ObjectKind;
use crate::encoding::{read_header, write_header};
use crate::error::{Error, Result};
use crate::group::{Reader, write_count};

/// Length of the salt.
const SALT_LEN: usize = 16;
/// Length of the passphrase check value.
const CHECK_LEN: usize = 16;
/// Length of an XChaCha20 nonce.
const NONCE_LEN: usize = 24;
/// Length of the trailing checksum.
const CHECKSUM_LEN: usize = 32;
/// The largest memory cost accepted when unsealing, in KiB (1 GiB).
const MAX_MEMORY_KIB: u32 = 1 << 20;
/// The largest number of passes or lanes accepted when unsealing.
const MAX_PASSES: u32 = 16;
/// The longest context accepted.
const MAX_CONTEXT_LEN: usize = 1024;

/// The cost of the passphrase derivation (Argon2id).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SealParams {
    memory_kib: u32,
    passes: u32,
    lanes: u32,
}

impl Default for SealParams {
    /// 64 MiB, 3 passes, 1 lane.
    fn default() -> Self {
        SealParams {
            memory_kib: 64 * 1024,
            passes: 3,
            lanes: 1,
        }
    }
}

impl SealParams {
    /// Argon2id with `memory_kib` KiB, `passes` passes and `lanes` lanes.
    ///
    /// Errors: [`Error::InvalidValue`] outside 8·lanes ≤ memory ≤ 1 GiB, 1 ≤ passes ≤ 16,
    /// 1 ≤ lanes ≤ 16.
    pub fn new(memory_kib: u32, passes: u32, lanes: u32) -> Result<Self> {
        let params = SealParams {
            memory_kib,
            passes,
            lanes,
        };
        params.check()?;
        Ok(params)
    }

    /// Cheap parameters (64 KiB, 1 pass) for tests and simulations: a sealed file made with
    /// them resists a guessing attack far less. Never use them for a real election.
    pub fn insecure_for_tests() -> Self {
        SealParams {
            memory_kib: 64,
            passes: 1,
            lanes: 1,
        }
    }

    fn check(&self) -> Result<()> {
        let invalid = |reason| Error::InvalidValue {
            what: "seal parameters",
            reason,
        };
        if !(1..=MAX_PASSES).contains(&self.lanes) {
            return Err(invalid("lanes must be between 1 and 16"));
        }
        if !(1..=MAX_PASSES).contains(&self.passes) {
            return Err(invalid("passes must be between 1 and 16"));
        }
        if self.memory_kib > MAX_MEMORY_KIB || self.memory_kib < 8 * self.lanes {
            return Err(invalid("memory must be between 8 KiB per lane and 1 GiB"));
        }
        Ok(())
    }

    /// The 48 bytes of derived key and check value.
    fn derive(&self, passphrase: &[u8], salt: &[u8; SALT_LEN]) -> Result<Zeroizing<[u8; 48]>> {
        let params =
            Params::new(self.memory_kib, self.passes, self.lanes, Some(48)).map_err(|_| {
                Error::InvalidValue {
                    what: "seal parameters",
                    reason: "refused by Argon2",
                }
            })?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut out = Zeroizing::new([0u8; 48]);
        argon
            .hash_password_into(passphrase, salt, out.as_mut())
            .map_err(|_| Error::InvalidValue {
                what: "seal parameters",
                reason: "refused by Argon2",
            })?;
        Ok(out)
    }
}

fn key_and_check(derived: &[u8; 48]) -> (Zeroizing<[u8; 32]>, [u8; CHECK_LEN]) {
    let mut key = Zeroizing::new([0u8; 32]);
    let mut check = [0u8; CHECK_LEN];
    for (k, d) in key.iter_mut().zip(derived.iter()) {
        *k = *d;
    }
    for (c, d) in check.iter_mut().zip(derived.iter().skip(32)) {
        *c = *d;
    }
    (key, check)
}

fn checksum(body: &[u8]) -> [u8; CHECKSUM_LEN] {
    let digest: [u8; 64] = Sha512::digest(body).into();
    let mut out = [0u8; CHECKSUM_LEN];
    for (o, d) in out.iter_mut().zip(digest) {
        *o = d;
    }
    out
}

/// Seals `secret` for `context` under `passphrase`.
///
/// `context` names what the secret is for (for a trustee: the ceremony id and its index); it
/// is stored in the clear and authenticated, and [`unseal`] refuses the file for any other
/// context.
///
/// Errors: [`Error::InvalidValue`] for a context longer than 1024 bytes or parameters Argon2
/// refuses.
pub fn seal<R: RngCore + CryptoRng>(
    secret: &[u8],
    context: &[u8],
    passphrase: &[u8],
    params: SealParams,
    rng: &mut R,
) -> Result<Vec<u8>> {
    params.check()?;
    if context.len() > MAX_CONTEXT_LEN {
        return Err(Error::InvalidValue {
            what: "seal context",
            reason: "longer than 1024 bytes",
        });
    }
    let mut salt = [0u8; SALT_LEN];
    rng.fill_bytes(&mut salt);
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill_bytes(&mut nonce);
    let derived = params.derive(passphrase, &salt)?;
    let (key, check) = key_and_check(&derived);

    let mut out = Vec::with_capacity(128 + context.len() + secret.len());
    write_header(&mut out, ObjectKind::SealedSecret);
    write_count(&mut out, "seal context", context.len())?;
    out.extend_from_slice(context);
    out.extend_from_slice(&params.memory_kib.to_le_bytes());
    out.extend_from_slice(&params.passes.to_le_bytes());
    out.extend_from_slice(&params.lanes.to_le_bytes());
    out.extend_from_slice(&salt);
    out.extend_from_slice(&check);
    out.extend_from_slice(&nonce);
    let cipher = XChaCha20Poly1305::new(Key::from_slice(key.as_ref()));
    let sealed = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: secret,
                aad: &out,
            },
        )
        .map_err(|_| Error::InvalidValue {
            what: "sealed secret",
            reason: "too long to seal",
        })?;
    write_count(&mut out, "sealed secret", sealed.len())?;
    out.extend_from_slice(&sealed);
    let sum = checksum(&out);
    out.extend_from_slice(&sum);
    Ok(out)
}

/// Opens a secret sealed by [`seal`] for `context` under `passphrase`.
///
/// Errors, in the order they are checked: the header's ([`Error::NotTabella`],
/// [`Error::WrongKind`], [`Error::UnsupportedVersion`]); [`Error::SealCorrupted`] for a
/// truncated or corrupted file (length or checksum); [`Error::SealedForAnother`] when it was
/// sealed for another context; [`Error::InvalidValue`] for parameters above the limits;
/// [`Error::WrongPassphrase`]; [`Error::SealAltered`] when the checksum holds but the AEAD
/// refuses (the file was altered and its checksum recomputed).
pub fn unseal(sealed: &[u8], context: &[u8], passphrase: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    // The header first, so that another kind of file is named as such.
    let mut reader = Reader::new("sealed secret", sealed);
    read_header(&mut reader, ObjectKind::SealedSecret)?;
    let Some((body, sum)) = sealed
        .len()
        .checked_sub(CHECKSUM_LEN)
        .map(|at| sealed.split_at(at))
    else {
        return Err(Error::SealCorrupted);
    };
    if checksum(body).ct_eq(sum).unwrap_u8() != 1 {
        return Err(Error::SealCorrupted);
    }
    let mut reader = Reader::new("sealed secret", body);
    read_header(&mut reader, ObjectKind::SealedSecret)?;
    let corrupted = |_| Error::SealCorrupted;
    let stored_context = {
        let len = reader.count("seal context", 1).map_err(corrupted)?;
        reader.take("seal context", len).map_err(corrupted)?
    };
    if stored_context != context {
        return Err(Error::SealedForAnother);
    }
    let memory_kib = reader.u32("seal memory").map_err(corrupted)?;
    let passes = reader.u32("seal passes").map_err(corrupted)?;
    let lanes = reader.u32("seal lanes").map_err(corrupted)?;
    let params = SealParams {
        memory_kib,
        passes,
        lanes,
    };
    params.check()?;
    let salt: [u8; SALT_LEN] = reader.array("seal salt").map_err(corrupted)?;
    let check: [u8; CHECK_LEN] = reader.array("seal check").map_err(corrupted)?;
    let nonce: [u8; NONCE_LEN] = reader.array("seal nonce").map_err(corrupted)?;
    let aad_len = body.len() - reader.remaining();
    let aad = body.get(..aad_len).ok_or(Error::SealCorrupted)?;
    let len = reader.count("sealed secret", 1).map_err(corrupted)?;
    let ciphertext = reader.take("sealed secret", len).map_err(corrupted)?;
    reader.finish().map_err(corrupted)?;

    let derived = params.derive(passphrase, &salt)?;
    let (key, expected) = key_and_check(&derived);
    if expected.ct_eq(&check).unwrap_u8() != 1 {
        return Err(Error::WrongPassphrase);
    }
    let cipher = XChaCha20Poly1305::new(Key::from_slice(key.as_ref()));
    cipher
        .decrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| Error::SealAltered)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    fn sealed() -> Vec<u8> {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        seal(
            b"x_i and the log",
            b"ceremony 7, trustee 2",
            b"correct horse",
            SealParams::insecure_for_tests(),
            &mut rng,
        )
        .unwrap()
    }

    #[test]
    fn seals_and_unseals() {
        let s = sealed();
        let opened = unseal(&s, b"ceremony 7, trustee 2", b"correct horse").unwrap();
        assert_eq!(opened.as_slice(), b"x_i and the log");
        // The secret is not in the clear.
        assert!(!s.windows(6).any(|w| w == b"and th"));
    }

    #[test]
    fn every_failure_has_its_own_error() {
        let s = sealed();
        let ctx = b"ceremony 7, trustee 2";
        assert_eq!(unseal(&s, ctx, b"wrong horse"), Err(Error::WrongPassphrase));
        assert_eq!(
            unseal(&s, b"ceremony 8, trustee 2", b"correct horse"),
            Err(Error::SealedForAnother)
        );
        for cut in [s.len() - 1, s.len() - 33, 40, 6] {
            assert_eq!(
                unseal(&s[..cut], ctx, b"correct horse"),
                Err(Error::SealCorrupted),
                "cut at {cut}"
            );
        }
        let mut flipped = s.clone();
        let at = flipped.len() - 40;
        flipped[at] ^= 1;
        assert_eq!(
            unseal(&flipped, ctx, b"correct horse"),
            Err(Error::SealCorrupted)
        );
        // Altered, with the checksum recomputed: the AEAD refuses it.
        let mut altered = s[..s.len() - CHECKSUM_LEN].to_vec();
        let at = altered.len() - 5;
        altered[at] ^= 1;
        let sum = checksum(&altered);
        altered.extend_from_slice(&sum);
        assert_eq!(
            unseal(&altered, ctx, b"correct horse"),
            Err(Error::SealAltered)
        );
        // Not a sealed secret at all.
        assert!(matches!(
            unseal(b"junk", ctx, b"correct horse"),
            Err(Error::NotTabella { .. })
        ));
        let other = crate::encoding::header::header(ObjectKind::Ballot);
        assert!(matches!(
            unseal(&other, ctx, b"correct horse"),
            Err(Error::WrongKind { .. })
        ));
    }

    #[test]
    fn hostile_parameters_are_refused_before_deriving() {
        let s = sealed();
        let ctx = b"ceremony 7, trustee 2";
        // The memory cost sits after the header and the context blob.
        let at = 5 + 4 + ctx.len();
        let mut hostile = s[..s.len() - CHECKSUM_LEN].to_vec();
        hostile[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        let sum = checksum(&hostile);
        hostile.extend_from_slice(&sum);
        assert!(matches!(
            unseal(&hostile, ctx, b"correct horse"),
            Err(Error::InvalidValue { .. })
        ));
        assert!(SealParams::new(1 << 21, 3, 1).is_err());
        assert!(SealParams::new(64, 0, 1).is_err());
        assert!(SealParams::new(4, 1, 1).is_err());
    }
}
