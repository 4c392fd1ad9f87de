//! Round 2 of the key ceremony: **Reveal**.
//!
//! Having seen every round-1 package on the board, trustee i publishes a [`Package`]:
//!
//! * the salt and its Feldman commitments `C_{i,k} = a_{i,k}·G`, `k = 0..t−1`, which must open
//!   its round-1 hash commitment;
//! * for each `C_{i,k}` a Schnorr proof of knowledge of `a_{i,k}` (against rogue keys: a
//!   trustee cannot publish `C_{i,0} = x·G − Σ_{j≠i} C_{j,0}`, since it does not know the
//!   discrete logarithm);
//! * for every other participant j, the share `f_i(j)` encrypted to `PK_j` with hashed
//!   ElGamal ([`EncryptedShare`]), so the whole package can sit on a public board.
//!
//! # Proof of knowledge of coefficient k
//!
//! ```text
//! T ← ceremony transcript "tabella.ceremony.coefficient", sender i
//! T.append_u64("shares", m); for each encrypted share, in order:
//!     T.append_u64("j", recipient); T.append("E", E); T.append("ct", ct)
//! T.append_u64("k", k)
//! Schnorr proof of C_{i,k} (dom-sep "tabella.proof.schnorr", G, X = C_{i,k}, R, c)
//! ```
//!
//! # Share encryption
//!
//! ```text
//! E = e·G,  K = e·PK_j
//! pad = SHA-512( u8(26) ‖ "tabella.ceremony.share-key" ‖ ceremony id ‖ u32le(i) ‖ u32le(j)
//!                ‖ E ‖ K )[0..32]
//! ct = scalar(f_i(j)) ⊕ pad
//! ```
//!
//! # Encoding
//!
//! ```text
//! ceremony id (32) ‖ sender (u32) ‖ salt (32)
//! ‖ count (u32) ‖ count × ( C_k (32) ‖ R (32) ‖ s (32) )
//! ‖ shares (u32) ‖ shares × ( recipient (u32) ‖ E (32) ‖ ct (32) )
//! ```
//!
//! `count ≥ 1`; no `C_k` and no `E` is the identity; recipients are strictly increasing and
//! never the sender. That `count = t` and that the recipients are exactly the other
//! participants are checks of the ceremony, not of the encoding.

use core::fmt;

use merlin::Transcript;
use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::domain::{ObjectKind, label};
use crate::elgamal::SecretKey;
use crate::encoding::{read_header, write_header};
use crate::error::{CeremonyCheck, Error, Result};
use crate::group::{Point, Reader, write_count};
use crate::proofs::{BatchVerifier, SchnorrProof, SchnorrStatement};
use crate::threshold::dkg::board::Board1;
use crate::threshold::dkg::round1::{self, commitment_digest};
use crate::threshold::dkg::{CeremonyContext, share};
use crate::threshold::params::{TrusteeIndex, read_trustee_list};
use crate::transcript::TranscriptExt;

/// Length of one encoded [`EncryptedShare`].
pub const ENCRYPTED_SHARE_LEN: usize = 4 + 32 + 32;
/// Length of one encoded coefficient commitment with its proof.
pub const COEFFICIENT_LEN: usize = 32 + 64;

/// The transcript of the proof of knowledge of coefficient k. It binds every encrypted share
/// of the package, so that no byte of a posted share can change without breaking the
/// dealer's proofs (a third party cannot decrypt the shares, but can check this).
pub(crate) fn coefficient_transcript(
    ctx: &CeremonyContext,
    sender: TrusteeIndex,
    shares: &[EncryptedShare],
    k: usize,
) -> Transcript {
    let mut t = ctx.transcript(label::CEREMONY_COEFFICIENT, sender);
    t.append_count(b"shares", shares.len() as u64);
    for share in shares {
        t.append_count(b"j", u64::from(share.recipient().get()));
        t.append_point(b"E", share.ephemeral());
        t.append_message(b"ct", share.ciphertext());
    }
    t.append_count(b"k", k as u64);
    t
}

/// A share `f_i(j)` encrypted to trustee j's communication key (hashed ElGamal).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptedShare {
    recipient: TrusteeIndex,
    ephemeral: Point,
    ciphertext: [u8; 32],
}

impl EncryptedShare {
    pub(crate) fn new(recipient: TrusteeIndex, ephemeral: Point, ciphertext: [u8; 32]) -> Self {
        EncryptedShare {
            recipient,
            ephemeral,
            ciphertext,
        }
    }

    /// The trustee j it is addressed to.
    pub fn recipient(&self) -> TrusteeIndex {
        self.recipient
    }

    /// The ephemeral key E = e·G.
    pub fn ephemeral(&self) -> &Point {
        &self.ephemeral
    }

    /// The encrypted share `scalar(f_i(j)) ⊕ pad`.
    pub fn ciphertext(&self) -> &[u8; 32] {
        &self.ciphertext
    }

    fn write(&self, out: &mut Vec<u8>) {
        self.recipient.write(out);
        out.extend_from_slice(self.ephemeral.as_bytes());
        out.extend_from_slice(&self.ciphertext);
    }

    fn read(reader: &mut Reader<'_>) -> Result<Self> {
        Ok(EncryptedShare {
            recipient: TrusteeIndex::read(reader, "share recipient")?,
            ephemeral: reader.point_non_identity("share ephemeral key")?,
            ciphertext: reader.array("encrypted share")?,
        })
    }
}

/// Trustee i's round-2 broadcast: the opening of its commitment, its Feldman commitments with
/// proofs of knowledge, and its encrypted shares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Package {
    ceremony: [u8; 32],
    sender: TrusteeIndex,
    salt: [u8; 32],
    commitments: Vec<Point>,
    proofs: Vec<SchnorrProof>,
    shares: Vec<EncryptedShare>,
}

impl Package {
    /// The ceremony this message belongs to.
    pub fn ceremony(&self) -> &[u8; 32] {
        &self.ceremony
    }

    /// The dealer i.
    pub fn sender(&self) -> TrusteeIndex {
        self.sender
    }

    /// The Feldman commitments `C_{i,0..t−1}`.
    pub fn commitments(&self) -> &[Point] {
        &self.commitments
    }

    /// The encrypted shares, in increasing order of recipient.
    pub fn shares(&self) -> &[EncryptedShare] {
        &self.shares
    }

    /// The encrypted share addressed to `recipient`, if any.
    pub fn share_for(&self, recipient: TrusteeIndex) -> Option<&EncryptedShare> {
        self.shares
            .binary_search_by_key(&recipient, EncryptedShare::recipient)
            .ok()
            .and_then(|k| self.shares.get(k))
    }

    /// The hash commitment this reveal opens: it must equal the sender's round-1
    /// [`round1::Package::commitment`].
    pub fn commitment(&self, ctx: &CeremonyContext) -> [u8; 32] {
        commitment_digest(ctx, self.sender, &self.commitments, &self.salt)
    }

    /// Checks the message on its own, against the sender's round-1 package and the list of
    /// round-1 participants: ceremony and sender ([`Error::WrongCeremony`],
    /// [`Error::InvalidTrusteeIndex`]), then, as [`Error::TrusteeRejected`], t commitments
    /// ([`CeremonyCheck::CoefficientCount`]) that open the hash commitment
    /// ([`CeremonyCheck::CommitmentMismatch`]), one share for every other participant
    /// ([`CeremonyCheck::ShareRecipients`]) and valid proofs of knowledge
    /// ([`CeremonyCheck::CoefficientProof`]).
    ///
    /// Whether each share is correct only its recipient can tell ([`SecretPackage::check_share`]);
    /// a bad one leads to a complaint in round 3.
    pub fn verify(
        &self,
        ctx: &CeremonyContext,
        round1: &round1::Package,
        participants: &[TrusteeIndex],
    ) -> Result<()> {
        ctx.check_header(&self.ceremony, self.sender)?;
        if round1.sender() != self.sender {
            return Err(Error::InvalidValue {
                what: "round-2 package",
                reason: "verified against another trustee's round-1 package",
            });
        }
        self.check_structure(ctx, round1, participants)
            .map_err(|check| self.rejected(check))?;
        let mut batch = BatchVerifier::new();
        self.add_proofs(ctx, &mut batch);
        match batch.verify() {
            Ok(()) => Ok(()),
            Err(_) => Err(self.rejected(self.first_bad_proof(ctx))),
        }
    }

    fn rejected(&self, check: CeremonyCheck) -> Error {
        Error::TrusteeRejected {
            trustee: self.sender.get(),
            check,
        }
    }

    /// The structural checks, cheapest first; the proofs are checked separately (batched).
    pub(crate) fn check_structure(
        &self,
        ctx: &CeremonyContext,
        round1: &round1::Package,
        participants: &[TrusteeIndex],
    ) -> core::result::Result<(), CeremonyCheck> {
        if self.commitments.len() != ctx.params().threshold() as usize {
            return Err(CeremonyCheck::CoefficientCount);
        }
        if &self.commitment(ctx) != round1.commitment() {
            return Err(CeremonyCheck::CommitmentMismatch);
        }
        let expected = participants.iter().filter(|j| **j != self.sender);
        let actual = self.shares.iter().map(EncryptedShare::recipient);
        if !expected.copied().eq(actual) {
            return Err(CeremonyCheck::ShareRecipients);
        }
        Ok(())
    }

    /// Adds the proofs of knowledge of the coefficients to the current item of `batch`.
    pub(crate) fn add_proofs(&self, ctx: &CeremonyContext, batch: &mut BatchVerifier) {
        for (k, (c, proof)) in self.commitments.iter().zip(&self.proofs).enumerate() {
            proof.verify_batched(
                &mut coefficient_transcript(ctx, self.sender, &self.shares, k),
                &SchnorrStatement { public: c },
                batch,
            );
        }
    }

    /// The first coefficient whose proof fails alone (after a batch named this package).
    pub(crate) fn first_bad_proof(&self, ctx: &CeremonyContext) -> CeremonyCheck {
        let bad = self
            .commitments
            .iter()
            .zip(&self.proofs)
            .enumerate()
            .find(|(k, (c, proof))| {
                proof
                    .verify(
                        &mut coefficient_transcript(ctx, self.sender, &self.shares, *k),
                        &SchnorrStatement { public: c },
                    )
                    .is_err()
            })
            .map_or(0, |(k, _)| k);
        CeremonyCheck::CoefficientProof {
            k: u32::try_from(bad).unwrap_or(u32::MAX),
        }
    }

    /// Appends the canonical encoding.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<()> {
        write_header(out, ObjectKind::CeremonyRound2);
        out.extend_from_slice(&self.ceremony);
        self.sender.write(out);
        out.extend_from_slice(&self.salt);
        write_count(out, "coefficient commitments", self.commitments.len())?;
        for (c, proof) in self.commitments.iter().zip(&self.proofs) {
            out.extend_from_slice(c.as_bytes());
            proof.write(out);
        }
        write_count(out, "encrypted shares", self.shares.len())?;
        for s in &self.shares {
            s.write(out);
        }
        Ok(())
    }

    /// The canonical encoding.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(
            76 + COEFFICIENT_LEN * self.commitments.len() + ENCRYPTED_SHARE_LEN * self.shares.len(),
        );
        self.write(&mut out)?;
        Ok(out)
    }

    /// Decodes a package (see the module documentation for what the encoding enforces).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Reader::decode_all("round-2 package", bytes, Self::read)
    }

    /// Reads a package from a longer encoding.
    pub fn read(reader: &mut Reader<'_>) -> Result<Self> {
        read_header(reader, ObjectKind::CeremonyRound2)?;
        let ceremony = reader.array("ceremony id")?;
        let sender = TrusteeIndex::read(reader, "sender")?;
        let salt = reader.array("salt")?;
        let count = reader.count("coefficient commitments", COEFFICIENT_LEN)?;
        if count == 0 {
            return Err(Error::InvalidValue {
                what: "coefficient commitments",
                reason: "at least one is required",
            });
        }
        let mut commitments = Vec::with_capacity(count);
        let mut proofs = Vec::with_capacity(count);
        for _ in 0..count {
            commitments.push(reader.point_non_identity("coefficient commitment")?);
            proofs.push(SchnorrProof::read(reader)?);
        }
        let shares = read_trustee_list(
            reader,
            "encrypted shares",
            ENCRYPTED_SHARE_LEN,
            sender,
            "a dealer does not send a share to itself",
            |s: &EncryptedShare| s.recipient,
            EncryptedShare::read,
        )?;
        Ok(Package {
            ceremony,
            sender,
            salt,
            commitments,
            proofs,
            shares,
        })
    }
}

/// What trustee i keeps after round 2: its communication key, its own share `f_i(i)` and the
/// round-1 board. The polynomial itself is dropped (and zeroized) here.
///
/// Zeroized on drop, redacted in `Debug`, neither `Clone` nor serializable.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct SecretPackage {
    #[zeroize(skip)]
    pub(crate) ctx: CeremonyContext,
    #[zeroize(skip)]
    pub(crate) index: TrusteeIndex,
    pub(crate) communication_secret: SecretKey,
    pub(crate) own_share: SecretKey,
    #[zeroize(skip)]
    pub(crate) board: Board1,
    #[zeroize(skip)]
    pub(crate) package: Package,
}

impl SecretPackage {
    /// This trustee's index.
    pub fn index(&self) -> TrusteeIndex {
        self.index
    }

    /// The ceremony.
    pub fn context(&self) -> &CeremonyContext {
        &self.ctx
    }

    /// Checks one share addressed to this trustee as it arrives, without revealing it:
    ///
    /// * the dealer's package belongs to this ceremony ([`Error::WrongCeremony`]);
    /// * the share is addressed to this trustee ([`Error::WrongRecipient`]);
    /// * it decrypts to `s` with `s·G = Σ_k j^k·C_{i,k}` ([`Error::TrusteeRejected`] naming the
    ///   dealer, with [`CeremonyCheck::BadShare`]).
    ///
    /// [`super::part3`] runs the same check on every dealer and files complaints.
    pub fn check_share(&self, dealer: &Package, share: &EncryptedShare) -> Result<()> {
        self.ctx.check_header(&dealer.ceremony, dealer.sender)?;
        if share.recipient != self.index {
            return Err(Error::WrongRecipient {
                sender: dealer.sender.get(),
                recipient: share.recipient.get(),
                expected: self.index.get(),
            });
        }
        if self.open_share(dealer, share).is_some() {
            Ok(())
        } else {
            Err(dealer.rejected(CeremonyCheck::BadShare {
                recipient: self.index.get(),
            }))
        }
    }

    /// Round 3, Step 1 > decrypt the share from `dealer` and check it against the dealer's
    /// Feldman commitments; `None` if it does not decrypt or does not match.
    pub(crate) fn open_share(&self, dealer: &Package, share: &EncryptedShare) -> Option<SecretKey> {
        let dh = share::dh_point(&self.communication_secret, share);
        let s = share::open(&self.ctx, dealer.sender, share, &dh)?;
        if share::feldman_check(&s, self.index, &dealer.commitments) {
            Some(SecretKey::from_scalar(*s))
        } else {
            None
        }
    }
}

impl fmt::Debug for SecretPackage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("round2::SecretPackage")
            .field("index", &self.index)
            .field("secrets", &format_args!("<redacted>"))
            .finish()
    }
}

/// Round 2 > Reveal: opens the commitment, proves knowledge of every coefficient and encrypts a
/// share to every other participant of round 1.
pub(crate) fn reveal<R: RngCore + CryptoRng>(
    secret: round1::SecretPackage,
    round1_packages: &[round1::Package],
    rng: &mut R,
) -> Result<(SecretPackage, Package)> {
    reveal_dealing(secret, round1_packages, None, rng)
}

/// [`reveal`], except that the share for `victim` (if any) is off by one: a cheating dealer
/// whose package is otherwise well formed and proved, for the tests of complaints.
pub(crate) fn reveal_dealing<R: RngCore + CryptoRng>(
    secret: round1::SecretPackage,
    round1_packages: &[round1::Package],
    victim: Option<TrusteeIndex>,
    rng: &mut R,
) -> Result<(SecretPackage, Package)> {
    let ctx = secret.ctx;
    let me = secret.index;
    // Round 2, Step 1 > read the round-1 board: every participant and its communication key.
    let board = Board1::new(&ctx, round1_packages)?;
    board.check_own(me, &secret.package)?;
    let polynomial = &secret.polynomial;
    let commitments = polynomial.commitments();
    // Round 2, Step 2 > encrypt f_i(j) to PK_j for every other participant j.
    let shares: Vec<EncryptedShare> = board
        .participants()
        .iter()
        .filter(|p| p.sender() != me)
        .map(|p| {
            let mut s = polynomial.evaluate(p.sender());
            if victim == Some(p.sender()) {
                *s += curve25519_dalek::scalar::Scalar::ONE;
            }
            share::encrypt(&ctx, me, p.sender(), p.communication_key(), &s, rng)
        })
        .collect();
    // Round 2, Step 3 > prove knowledge of each coefficient a_{i,k} of C_{i,k}, binding the
    // encrypted shares.
    let proofs = polynomial
        .coefficients()
        .iter()
        .zip(&commitments)
        .enumerate()
        .map(|(k, (a, c))| {
            SchnorrProof::prove(
                &mut coefficient_transcript(&ctx, me, &shares, k),
                &SchnorrStatement { public: c },
                a,
                rng,
            )
        })
        .collect();
    let own_share = SecretKey::from_scalar(*polynomial.evaluate(me));
    let package = Package {
        ceremony: *ctx.id(),
        sender: me,
        salt: secret.salt,
        commitments,
        proofs,
        shares,
    };
    let secret = SecretPackage {
        ctx,
        index: me,
        communication_secret: secret.communication_secret.clone(),
        own_share,
        board,
        package: package.clone(),
    };
    Ok((secret, package))
}

#[cfg(feature = "serde")]
crate::encoding::serde_via_bytes!(Package, "round-2 package", fallible);
