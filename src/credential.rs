//! Voter credentials, the roll of public credentials, and what a second ballot from one
//! credential means (docs/SPEC.md §16).
//!
//! A *credential* is a signing key pair over ristretto255: the secret `s`, handed to one
//! eligible member, and the public credential `S = s·G`. The credential authority (a role of
//! its own, distinct from the board's administrator) makes one credential per eligible member
//! and posts the [`Roll`] of public credentials, sorted by their encoding so that the order
//! says nothing about who holds which, before voting. A ballot carries its public credential
//! and a Schnorr signature under it that binds the whole ballot (§16.3); the box and every
//! verifier refuse a ballot whose credential is not on the roll, whose signature fails, or
//! whose credential already cast a counted ballot in the round, according to the manifest's
//! [`SecondBallot`] rule.
//!
//! The mapping from members to credentials is known only to the authority, which can destroy
//! it once the credentials are handed out: nothing on the board links a credential to a name.
//!
//! # Encodings
//!
//! ```text
//! roll              = header (kind 16) ‖ LE32(n) ‖ n × S (32)     strictly increasing bytes
//! credential code   = hex(s) ‖ hex(checksum)  (72 lowercase hex digits)
//!                     checksum = SHA-512(LE64(22) ‖ "tabella.credential.code" ‖ LE64(32) ‖ s)[0..4]
//! ```

use core::fmt;
use std::sync::Arc;

use curve25519_dalek::ristretto::RistrettoPoint;
use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroizing;

use crate::domain::{ObjectKind, label};
use crate::elgamal::SecretKey;
use crate::encoding::{Hex, read_header, write_header};
use crate::error::{Error, Result};
use crate::group::{Point, Reader, write_count};
use crate::proofs::SchnorrProof;
use crate::proofs::SchnorrStatement;

/// The most credentials a roll holds: 65,535, so that a roll fits one board entry
/// ([`crate::board::entry::MAX_BODY_LEN`]). A larger electorate votes in districts, one board each
/// (docs/SPEC.md §16.1).
pub const MAX_ROLL_LEN: usize = 65_535;

/// The length of a credential code: 64 hex digits of `s`, then 8 of its checksum.
pub const CREDENTIAL_CODE_LEN: usize = 72;

/// A public credential: the 32-byte encoding of `S = s·G`, as a ballot carries it.
///
/// A ballot's credential is kept as bytes: its point is decoded once, from the roll
/// ([`Roll::point_of`]), never per ballot.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PublicCredential(pub [u8; 32]);

impl PublicCredential {
    /// The 32 bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0
    }
}

impl fmt::Display for PublicCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", Hex(&self.0))
    }
}

impl fmt::Debug for PublicCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicCredential({self})")
    }
}

#[cfg(feature = "serde")]
crate::encoding::serde_via_bytes!(PublicCredential, "public credential");

impl PublicCredential {
    /// Decodes a public credential (32 bytes; the point itself is checked by the roll).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        bytes
            .try_into()
            .map(PublicCredential)
            .map_err(|_| Error::WrongLength {
                what: "public credential",
                expected: 32,
                actual: bytes.len(),
            })
    }
}

/// A member's private credential `s`: zeroized on drop, redacted in `Debug`, never
/// serialized. The member's device signs its ballots with it.
#[derive(Clone)]
pub struct CredentialSecret(SecretKey);

impl fmt::Debug for CredentialSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CredentialSecret(<redacted>)")
    }
}

fn checksum(secret: &[u8; 32]) -> [u8; 4] {
    let digest = crate::board::hash_parts(&[label::CREDENTIAL_CODE, secret]);
    let mut out = [0u8; 4];
    out.copy_from_slice(digest.get(..4).unwrap_or(&[0; 4]));
    out
}

impl CredentialSecret {
    /// Draws a fresh credential.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        CredentialSecret(SecretKey::generate(rng))
    }

    /// The public credential `S = s·G`.
    pub fn public(&self) -> PublicCredential {
        PublicCredential(self.0.public_key().to_bytes())
    }

    /// The secret key (crate-internal: the ballot signature).
    pub(crate) fn key(&self) -> &SecretKey {
        &self.0
    }

    /// The code handed to the member: 72 lowercase hex digits, the last 8 a checksum that
    /// catches a mistyped digit. Zeroized when dropped.
    pub fn to_code(&self) -> Zeroizing<String> {
        let s = self.0.to_bytes();
        let mut bytes = Zeroizing::new([0u8; 36]);
        let (head, tail) = bytes.split_at_mut(32);
        head.copy_from_slice(&*s);
        tail.copy_from_slice(&checksum(&s));
        Zeroizing::new(crate::encoding::to_hex(&*bytes))
    }

    /// Reads a credential code. Surrounding whitespace is ignored; anything else that is not
    /// 72 lowercase hex digits with a matching checksum is refused
    /// ([`Error::InvalidCredentialCode`]).
    pub fn from_code(code: &str) -> Result<Self> {
        let bad = |reason| Error::InvalidCredentialCode { reason };
        let code = code.trim();
        if code.len() != CREDENTIAL_CODE_LEN {
            return Err(bad("a credential code has 72 hex digits"));
        }
        let bytes = Zeroizing::new(
            crate::encoding::from_hex("credential code", code)
                .map_err(|_| bad("a credential code is lowercase hex"))?,
        );
        let (s, sum) = bytes.split_at(32);
        let mut secret = Zeroizing::new([0u8; 32]);
        secret.copy_from_slice(s);
        if checksum(&secret) != sum {
            return Err(bad("the checksum does not match: a digit is mistyped"));
        }
        let key = SecretKey::from_bytes(&*secret)
            .map_err(|_| bad("the credential is not a valid secret scalar"))?;
        Ok(CredentialSecret(key))
    }
}

impl CredentialSecret {
    /// Reads a credential as a member holds it: the text of its file (as the tool writes it:
    /// a `#` comment line, then the code) or the code alone, pasted. Empty lines, lines that
    /// start with `#` and the whitespace around a line are ignored; exactly one code must
    /// remain ([`CredentialSecret::from_code`]).
    ///
    /// Errors: [`Error::InvalidCredentialCode`]: no code, more than one, or the code's own.
    pub fn from_text(text: &str) -> Result<Self> {
        let mut codes = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'));
        let code = codes.next().ok_or(Error::InvalidCredentialCode {
            reason: "no code in it",
        })?;
        if codes.next().is_some() {
            return Err(Error::InvalidCredentialCode {
                reason: "more than one code in it",
            });
        }
        Self::from_code(code)
    }
}

/// What a second ballot cast with one credential in one round means (the manifest says).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SecondBallot {
    /// It is refused: one ballot per member per round (a council's rule).
    Refused,
    /// It replaces the first, which is no longer counted (revoting, as Belenios allows).
    Replaces,
}

impl SecondBallot {
    /// The byte in the manifest.
    pub const fn tag(self) -> u8 {
        match self {
            SecondBallot::Refused => 0,
            SecondBallot::Replaces => 1,
        }
    }

    /// The rule with this byte.
    pub fn from_tag(tag: u8) -> Option<Self> {
        match tag {
            0 => Some(SecondBallot::Refused),
            1 => Some(SecondBallot::Replaces),
            _ => None,
        }
    }

    /// Its name in the JSON form.
    pub const fn name(self) -> &'static str {
        match self {
            SecondBallot::Refused => "refused",
            SecondBallot::Replaces => "replaces",
        }
    }
}

/// The roll: every eligible member's public credential, once, sorted by encoding.
#[derive(Clone, PartialEq, Eq)]
pub struct Roll {
    /// Strictly increasing by the credential's bytes; each with its decoded point.
    entries: Vec<(PublicCredential, Point)>,
    /// A digest of the encoding, to tell rolls apart cheaply (no part of the protocol).
    digest: [u8; 32],
}

impl fmt::Debug for Roll {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Roll({} credentials)", self.entries.len())
    }
}

impl Roll {
    /// The roll of these public credentials, in any order: each must be a valid non-identity
    /// point, and none may repeat ([`Error::DuplicateCredential`]).
    pub fn new(credentials: impl IntoIterator<Item = PublicCredential>) -> Result<Self> {
        let mut entries = credentials
            .into_iter()
            .map(|c| Ok((c, Point::decode_non_identity("public credential", &c.0)?)))
            .collect::<Result<Vec<_>>>()?;
        entries.sort_unstable_by_key(|a| a.0);
        if let Some(w) = entries
            .windows(2)
            .find(|w| w.first().map(|a| a.0) == w.get(1).map(|b| b.0))
        {
            if let Some((c, _)) = w.first() {
                return Err(Error::DuplicateCredential { credential: *c });
            }
        }
        Self::bounded(entries)
    }

    fn bounded(entries: Vec<(PublicCredential, Point)>) -> Result<Self> {
        if entries.is_empty() || entries.len() > MAX_ROLL_LEN {
            return Err(Error::InvalidValue {
                what: "roll",
                reason: "a roll holds 1 to 65,535 credentials",
            });
        }
        let mut roll = Roll {
            entries,
            digest: [0; 32],
        };
        roll.digest = crate::board::hash_parts(&[&roll.to_bytes()]);
        Ok(roll)
    }

    /// A digest of the roll's encoding (it tells two rolls apart; no part of the protocol).
    pub fn digest(&self) -> &[u8; 32] {
        &self.digest
    }

    /// Issues `n` fresh credentials: the roll, and the secrets in the order made (the
    /// authority hands the i-th to the i-th member on its own list, then may destroy the
    /// list; the roll's order is the credentials' sorted order, which says nothing).
    pub fn issue<R: RngCore + CryptoRng>(
        n: usize,
        rng: &mut R,
    ) -> Result<(Self, Vec<CredentialSecret>)> {
        let secrets: Vec<CredentialSecret> =
            (0..n).map(|_| CredentialSecret::generate(rng)).collect();
        let roll = Roll::new(secrets.iter().map(CredentialSecret::public))?;
        Ok((roll, secrets))
    }

    /// The number of credentials.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the roll is empty (never, for a decoded roll).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The decoded point of a credential on the roll, or `None` when it is not on it.
    pub fn point_of(&self, credential: &PublicCredential) -> Option<&Point> {
        self.entries
            .binary_search_by(|(c, _)| c.cmp(credential))
            .ok()
            .and_then(|i| self.entries.get(i))
            .map(|(_, p)| p)
    }

    /// Whether a credential is on the roll.
    pub fn contains(&self, credential: &PublicCredential) -> bool {
        self.point_of(credential).is_some()
    }

    /// The credentials, in the roll's (sorted) order.
    pub fn credentials(&self) -> impl Iterator<Item = &PublicCredential> {
        self.entries.iter().map(|(c, _)| c)
    }

    /// Appends the canonical encoding.
    pub fn write(&self, out: &mut Vec<u8>) {
        write_header(out, ObjectKind::Roll);
        // A roll holds at most 2^24 credentials: the count fits.
        let _ = write_count(out, "roll", self.entries.len());
        for (c, _) in &self.entries {
            out.extend_from_slice(&c.0);
        }
    }

    /// The canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(9 + 32 * self.entries.len());
        self.write(&mut out);
        out
    }

    /// Decodes a roll: every credential a canonical non-identity point, strictly increasing
    /// (a repeated credential is [`Error::DuplicateCredential`], any other disorder
    /// [`Error::InvalidValue`]).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Reader::decode_all("roll", bytes, |reader| {
            read_header(reader, ObjectKind::Roll)?;
            let n = reader.count("roll", 32)?;
            let mut entries: Vec<(PublicCredential, Point)> = Vec::with_capacity(n);
            for _ in 0..n {
                let c = PublicCredential(reader.array("public credential")?);
                if let Some((last, _)) = entries.last() {
                    if *last == c {
                        return Err(Error::DuplicateCredential { credential: c });
                    }
                    if *last > c {
                        return Err(Error::InvalidValue {
                            what: "roll",
                            reason: "the credentials are not in increasing order",
                        });
                    }
                }
                let point = Point::decode_non_identity("public credential", &c.0)?;
                entries.push((c, point));
            }
            Self::bounded(entries)
        })
    }
}

/// Who may vote and what a second ballot means: the roll (shared, never copied per round)
/// and the manifest's rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Eligibility {
    /// The roll.
    pub roll: Arc<Roll>,
    /// What a second ballot from one credential in one round means.
    pub second_ballot: SecondBallot,
}

/// The Schnorr signature of a ballot under its credential, over `message` (the ballot's
/// canonical encoding up to the signature) in `transcript` (crate-internal: the ballot builds
/// the transcript, §16.3).
pub(crate) fn sign<R: RngCore + CryptoRng>(
    transcript: &mut merlin::Transcript,
    secret: &CredentialSecret,
    rng: &mut R,
) -> SchnorrProof {
    let public = Point::from(RistrettoPoint::mul_base(secret.key().as_scalar()));
    SchnorrProof::prove(
        transcript,
        &SchnorrStatement { public: &public },
        secret.key(),
        rng,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn a_credential_file_holds_one_code_and_comments() {
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let secret = CredentialSecret::generate(&mut rng);
        let code = secret.to_code();
        for text in [
            format!("# member 1 of \"council\"\n{}\n", code.as_str()),
            format!("\r\n  {}  \r\n\n# end\n", code.as_str()),
            code.to_string(),
        ] {
            let back = CredentialSecret::from_text(&text).unwrap();
            assert_eq!(back.public(), secret.public(), "{text:?}");
        }
        let reason = |text: &str| match CredentialSecret::from_text(text) {
            Err(Error::InvalidCredentialCode { reason }) => reason,
            other => panic!("{text:?}: {other:?}"),
        };
        assert_eq!(reason(""), "no code in it");
        assert_eq!(reason("# only a comment\n\n"), "no code in it");
        assert_eq!(
            reason(&format!("{}\n{}\n", code.as_str(), code.as_str())),
            "more than one code in it"
        );
        assert_eq!(
            reason("# a\nnot a code"),
            "a credential code has 72 hex digits"
        );
    }

    #[test]
    fn a_code_round_trips_and_a_mistyped_digit_is_caught() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let secret = CredentialSecret::generate(&mut rng);
        let code = secret.to_code();
        assert_eq!(code.len(), CREDENTIAL_CODE_LEN);
        let back = CredentialSecret::from_code(&format!("  {}\n", code.as_str())).unwrap();
        assert_eq!(back.public(), secret.public());
        for i in 0..CREDENTIAL_CODE_LEN {
            let mut typo = code.as_bytes().to_vec();
            typo[i] = if typo[i] == b'0' { b'1' } else { b'0' };
            let typo = String::from_utf8(typo).unwrap();
            assert!(matches!(
                CredentialSecret::from_code(&typo),
                Err(Error::InvalidCredentialCode { .. })
            ));
        }
        assert!(CredentialSecret::from_code(&code.to_uppercase()).is_err());
        assert!(CredentialSecret::from_code(&code[..70]).is_err());
        assert_eq!(
            format!("{secret:?}"),
            "CredentialSecret(<redacted>)",
            "Debug never shows the secret"
        );
    }

    #[test]
    fn a_roll_is_sorted_distinct_and_decodes_strictly() {
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let (roll, secrets) = Roll::issue(5, &mut rng).unwrap();
        assert_eq!(roll.len(), 5);
        let listed: Vec<_> = roll.credentials().copied().collect();
        let mut sorted = listed.clone();
        sorted.sort();
        assert_eq!(listed, sorted);
        for s in &secrets {
            assert!(roll.contains(&s.public()));
        }
        let bytes = roll.to_bytes();
        assert_eq!(Roll::from_bytes(&bytes).unwrap(), roll);
        // A duplicated entry, an unsorted pair, an identity, a cut: each refused.
        let mut dup = bytes.clone();
        dup[9 + 32..9 + 64].copy_from_slice(&listed[0].0);
        dup[9..9 + 32].copy_from_slice(&listed[0].0);
        assert!(matches!(
            Roll::from_bytes(&dup),
            Err(Error::DuplicateCredential { .. })
        ));
        let mut swapped = bytes.clone();
        swapped[9..9 + 32].copy_from_slice(&listed[1].0);
        swapped[9 + 32..9 + 64].copy_from_slice(&listed[0].0);
        assert!(Roll::from_bytes(&swapped).is_err());
        let mut identity = bytes.clone();
        identity[9..9 + 32].copy_from_slice(&[0; 32]);
        assert!(Roll::from_bytes(&identity).is_err());
        assert!(Roll::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        assert!(matches!(
            Roll::new(vec![listed[0], listed[0]]),
            Err(Error::DuplicateCredential { .. })
        ));
        assert!(Roll::new(Vec::new()).is_err());
    }
}
