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
//!   ElGamal, with a proof of knowledge of its ephemeral scalar ([`EncryptedShare`]), so the
//!   whole package can sit on a public board.
//!
//! # Proof of knowledge of coefficient k
//!
//! For each k, a fresh transcript (the proofs of the k do not continue one another):
//!
//! ```text
//! T ← ceremony transcript "tabella.ceremony.coefficient", sender i
//! T.append_u64("shares", m); for each encrypted share, in order:
//!     T.append_u64("j", recipient); T.append("E", E); T.append("ct", ct)
//! T.append_u64("k", k)
//! Schnorr proof of C_{i,k} (dom-sep "tabella.proof.schnorr", G, X = C_{i,k}, R, c)
//! ```
//!
//! # Share encryption and proof of the ephemeral key
//!
//! ```text
//! E = e·G,  K = e·PK_j
//! pad = SHA-512( u8(26) ‖ "tabella.ceremony.share-key" ‖ ceremony id ‖ u32le(i) ‖ u32le(j)
//!                ‖ E ‖ K )[0..32]
//! ct = scalar(f_i(j)) ⊕ pad
//! T ← ceremony transcript "tabella.ceremony.ephemeral", sender i   (fresh, one per share)
//! T.append_u64("j", j); T.append("E", E); T.append("ct", ct)
//! Schnorr proof of E (dom-sep "tabella.proof.schnorr", G, X = E, R, c)
//! ```
//!
//! A dealer that cannot prove knowledge of `log_G E` for each of its shares is excluded here,
//! before anyone decrypts its shares or complains about them (`SECURITY.md`, "The complaint
//! oracle", explains the attack this closes).
//!
//! # Verification order
//!
//! [`Package::verify`] and the board reading check, in this order: t commitments, the opening
//! of the hash commitment, the share recipients, then every proof in one batch item: the
//! coefficient proofs for k = 0..t−1, then the ephemeral proofs in increasing order of
//! recipient. When the item fails, the first proof that fails alone in that order is named
//! ([`CeremonyCheck::CoefficientProof`] or [`CeremonyCheck::EphemeralProof`]).
//!
//! # Encoding
//!
//! ```text
//! header (5: "tb" ‖ 0x04 ‖ LE16(3)) ‖ ceremony id (32) ‖ sender (u32) ‖ salt (32)
//! ‖ count (u32) ‖ count × ( C_k (32) ‖ R (32) ‖ s (32) )
//! ‖ shares (u32) ‖ shares × ( recipient (u32) ‖ E (32) ‖ ct (32) ‖ R (32) ‖ s (32) )
//! ```
//!
//! 81 + 96·t + 132·m bytes. `1 ≤ count ≤ 255`; no `C_k` and no `E` is the identity;
//! recipients are strictly increasing and never the sender. That `count = t`, that the
//! recipients are exactly the other participants and that the proofs verify are checks of the
//! ceremony, not of the encoding.

use core::fmt;

use merlin::Transcript;
use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::domain::{ObjectKind, label};
use crate::elgamal::SecretKey;
use crate::encoding::header::HEADER_LEN;
use crate::encoding::{read_header, write_header};
use crate::error::{CeremonyCheck, Error, Result};
use crate::group::{Point, Reader};
use crate::proofs::{BatchVerifier, SchnorrProof, SchnorrStatement};
use crate::threshold::MAX_TRUSTEES;
use crate::threshold::dkg::board::CeremonyBoard;
use crate::threshold::dkg::reading::Reading1;
use crate::threshold::dkg::round1::{self, commitment_digest};
use crate::threshold::dkg::{CeremonyContext, share, write_len};
use crate::threshold::params::{TrusteeIndex, read_trustee_list};
use crate::transcript::TranscriptExt;

pub use crate::threshold::dkg::share::{ENCRYPTED_SHARE_LEN, EncryptedShare};

/// Length of one encoded coefficient commitment with its proof.
pub const COEFFICIENT_LEN: usize = 32 + 64;
/// Length of the fixed part of an encoded package: header, ceremony id, sender, salt and the
/// two counts.
pub const FIXED_LEN: usize = HEADER_LEN + 32 + 4 + 32 + 4 + 4;

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
    /// ([`CeremonyCheck::ShareRecipients`]) and valid proofs of knowledge of the coefficients
    /// ([`CeremonyCheck::CoefficientProof`]) and of every share's ephemeral scalar
    /// ([`CeremonyCheck::EphemeralProof`]), named in the order of the module documentation.
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

    /// Adds every proof of the package to the current item of `batch`: the coefficient proofs
    /// for k = 0..t−1, then the ephemeral proofs in increasing order of recipient.
    pub(crate) fn add_proofs(&self, ctx: &CeremonyContext, batch: &mut BatchVerifier) {
        for (k, (c, proof)) in self.commitments.iter().zip(&self.proofs).enumerate() {
            proof.verify_batched(
                &mut coefficient_transcript(ctx, self.sender, &self.shares, k),
                &SchnorrStatement { public: c },
                batch,
            );
        }
        for share in &self.shares {
            share.verify_ephemeral_batched(ctx, self.sender, batch);
        }
    }

    /// The first proof that fails alone, in the order of [`Package::add_proofs`] (after a batch
    /// named this package).
    pub(crate) fn first_bad_proof(&self, ctx: &CeremonyContext) -> CeremonyCheck {
        let coefficient = self
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
            .map(|(k, _)| CeremonyCheck::CoefficientProof {
                k: u32::try_from(k).unwrap_or(u32::MAX),
            });
        let ephemeral = || {
            self.shares
                .iter()
                .find(|s| s.verify_ephemeral(ctx, self.sender).is_err())
                .map(|s| CeremonyCheck::EphemeralProof {
                    recipient: s.recipient().get(),
                })
        };
        // A batch item that fails has a proof that fails alone (up to the 2^-128 of the
        // weights); the fallback names the first coefficient rather than accept the package.
        coefficient
            .or_else(ephemeral)
            .unwrap_or(CeremonyCheck::CoefficientProof { k: 0 })
    }

    /// Appends the canonical encoding.
    pub fn write(&self, out: &mut Vec<u8>) {
        write_header(out, ObjectKind::CeremonyRound2);
        out.extend_from_slice(&self.ceremony);
        self.sender.write(out);
        out.extend_from_slice(&self.salt);
        write_len(out, self.commitments.len());
        for (c, proof) in self.commitments.iter().zip(&self.proofs) {
            out.extend_from_slice(c.as_bytes());
            proof.write(out);
        }
        write_len(out, self.shares.len());
        for s in &self.shares {
            s.write(out);
        }
    }

    /// The canonical encoding (81 + 96·t + 132·m bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            FIXED_LEN
                + COEFFICIENT_LEN * self.commitments.len()
                + ENCRYPTED_SHARE_LEN * self.shares.len(),
        );
        self.write(&mut out);
        out
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
        if count == 0 || count > MAX_TRUSTEES as usize {
            return Err(Error::InvalidValue {
                what: "coefficient commitments",
                reason: "between 1 and MAX_TRUSTEES are required",
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
            EncryptedShare::recipient,
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

/// What trustee i keeps after round 2: its communication key, its own share `f_i(i)` and its
/// reading of round 1 of the board. The polynomial itself is dropped (and zeroized) here.
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
    pub(crate) reading: Reading1,
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

    /// Checks one share addressed to this trustee as it arrives, without revealing it, in this
    /// order:
    ///
    /// * the dealer's package belongs to this ceremony ([`Error::WrongCeremony`]) and its
    ///   sender is in `1..=n` ([`Error::InvalidTrusteeIndex`]);
    /// * the dealer is another trustee ([`Error::InvalidValue`]) and a participant of round 1
    ///   (otherwise the [`Error::TrusteeRejected`] of its round-1 exclusion);
    /// * the dealer's polynomial has degree t − 1: t commitments ([`Error::TrusteeRejected`]
    ///   with [`CeremonyCheck::CoefficientCount`]);
    /// * the share is addressed to this trustee ([`Error::WrongRecipient`]);
    /// * the dealer's proof of knowledge of the share's ephemeral scalar verifies
    ///   ([`CeremonyCheck::EphemeralProof`]);
    /// * it decrypts to `s` with `s·G = Σ_k j^k·C_{i,k}` ([`CeremonyCheck::BadShare`]).
    ///
    /// [`super::part3`] runs these checks, and the rest of round 2's, on every dealer of the
    /// board and files complaints.
    pub fn check_share(&self, dealer: &Package, share: &EncryptedShare) -> Result<()> {
        let i = dealer.sender;
        self.ctx.check_header(&dealer.ceremony, i)?;
        if i == self.index {
            return Err(Error::InvalidValue {
                what: "encrypted share",
                reason: "a trustee does not receive a share from itself",
            });
        }
        if self.reading.participant(i).is_none() {
            return Err(match self.reading.exclusion(i) {
                Some(e) => e.to_error(),
                None => Error::InvalidValue {
                    what: "encrypted share",
                    reason: "the dealer is not a participant",
                },
            });
        }
        if dealer.commitments.len() != self.ctx.params().threshold() as usize {
            return Err(dealer.rejected(CeremonyCheck::CoefficientCount));
        }
        if share.recipient() != self.index {
            return Err(Error::WrongRecipient {
                sender: i.get(),
                recipient: share.recipient().get(),
                expected: self.index.get(),
            });
        }
        if share.verify_ephemeral(&self.ctx, i).is_err() {
            return Err(dealer.rejected(CeremonyCheck::EphemeralProof {
                recipient: self.index.get(),
            }));
        }
        if self.open_share(dealer, share).is_some() {
            Ok(())
        } else {
            Err(dealer.rejected(CeremonyCheck::BadShare {
                recipient: self.index.get(),
            }))
        }
    }

    /// Round 3, Step 2 > decrypt the share from `dealer` and check it against the dealer's
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

/// Round 2 > Reveal: opens the commitment, encrypts a share to every other participant of
/// round 1 with a proof of knowledge of its ephemeral scalar, and proves knowledge of every
/// coefficient.
pub(crate) fn reveal<R: RngCore + CryptoRng>(
    secret: round1::SecretPackage,
    board: &CeremonyBoard,
    rng: &mut R,
) -> Result<(SecretPackage, Package)> {
    reveal_dealing(secret, board, None, |_, share| share, rng)
}

/// [`reveal`], for the tests of cheating dealers: the share for `victim` (if any) encrypts
/// `f_i(victim) + 1`, and `replace` may substitute every encrypted share before the
/// coefficient proofs, which bind the shares, are made. The honest dealer passes `None` and
/// the identity.
pub(crate) fn reveal_dealing<R, F>(
    secret: round1::SecretPackage,
    board: &CeremonyBoard,
    victim: Option<TrusteeIndex>,
    mut replace: F,
    rng: &mut R,
) -> Result<(SecretPackage, Package)>
where
    R: RngCore + CryptoRng,
    F: FnMut(TrusteeIndex, EncryptedShare) -> EncryptedShare,
{
    let ctx = secret.ctx;
    let me = secret.index;
    // Round 2, Step 1 > read round 1 of the board: every participant and its communication key.
    let reading = Reading1::new(&ctx, board)?;
    reading.check_own(me, &secret.package)?;
    let polynomial = &secret.polynomial;
    let commitments = polynomial.commitments();
    // Round 2, Step 2 > encrypt f_i(j) to PK_j for every other participant j, proving
    // knowledge of the ephemeral scalar.
    let shares: Vec<EncryptedShare> = reading
        .participants()
        .iter()
        .filter(|p| p.sender() != me)
        .map(|p| {
            let j = p.sender();
            let mut s = polynomial.evaluate(j);
            if victim == Some(j) {
                *s += curve25519_dalek::scalar::Scalar::ONE;
            }
            replace(
                j,
                share::encrypt(&ctx, me, j, p.communication_key(), &s, rng),
            )
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
        reading,
        package: package.clone(),
    };
    Ok((secret, package))
}

#[cfg(feature = "serde")]
crate::encoding::serde_via_bytes!(Package, "round-2 package");
