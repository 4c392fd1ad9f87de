//! Round 3 of the key ceremony: **Check and complain**.
//!
//! Trustee j decrypts the share `s = f_i(j)` from every dealer i that passed round 2 and checks
//! `s·G = Σ_k j^k·C_{i,k}`. For every share that fails (or does not decrypt to a canonical
//! scalar) it files a [`Complaint`]: the Diffie–Hellman point `K = d_j·E` with a DLEQ proof
//! that `log_G PK_j = log_E K`. Anyone can then recompute the pad from K, decrypt the share and
//! see who lied: the dealer (bad share) or the complainer (the share was good). The
//! [`Package`] lists trustee j's complaints, possibly none, and is always posted.
//!
//! # What a complaint reveals
//!
//! A complaint reveals K, hence the one share it is about, and nothing about `d_j` (the DLEQ
//! proof is zero-knowledge). That this is *all* it reveals rests on a check of round 2: every
//! dealer proved knowledge of the ephemeral scalar e of each of its shares
//! ([`crate::error::CeremonyCheck::EphemeralProof`]), and j only complains against dealers
//! whose proofs verified. So `K = d_j·E = e·PK_j` is a value the accused dealer could compute
//! itself: the complaint opens that dealer's own share to j, which is what it is about. Without
//! that check a dealer could post another dealer's `E` (or `a·E + b·G`) and turn j's complaint
//! into a decryption of the other dealer's share to j (`SECURITY.md`, "The complaint oracle").
//!
//! # Complaint proof
//!
//! ```text
//! T ← ceremony transcript "tabella.ceremony.complaint", sender j     (fresh, one per complaint)
//! T.append_u64("dealer", i)
//! DLEQ proof (dom-sep "tabella.proof.dleq", G, H = E, Y = PK_j, D = K, R1, R2, c)
//! ```
//!
//! # Encoding
//!
//! ```text
//! header (5: "tb" ‖ 0x05 ‖ LE16(3)) ‖ ceremony id (32) ‖ sender (u32)
//! ‖ count (u32) ‖ count × ( dealer (u32) ‖ K (32) ‖ R1 (32) ‖ R2 (32) ‖ s (32) )
//! ```
//!
//! 45 + 132·c bytes. Dealers are strictly increasing and never the sender; K is not the
//! identity.

use core::fmt;

use merlin::Transcript;
use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::domain::{ObjectKind, label};
use crate::elgamal::{PublicKey, SecretKey};
use crate::encoding::header::HEADER_LEN;
use crate::encoding::{read_header, write_header};
use crate::error::{CeremonyCheck, Error, Result};
use crate::group::{Point, Reader};
use crate::proofs::{DleqProof, DleqStatement};
use crate::threshold::dkg::board::CeremonyBoard;
use crate::threshold::dkg::reading::Reading2;
use crate::threshold::dkg::{CeremonyContext, Exclusion, round1, round2, share, write_len};
use crate::threshold::params::{TrusteeIndex, read_trustee_list};
use crate::transcript::TranscriptExt;

/// Length of one encoded complaint.
pub const COMPLAINT_LEN: usize = 4 + 32 + 96;
/// Length of the fixed part of an encoded package: header, ceremony id, sender and count.
pub const FIXED_LEN: usize = HEADER_LEN + 32 + 4 + 4;

fn complaint_transcript(
    ctx: &CeremonyContext,
    complainer: TrusteeIndex,
    dealer: TrusteeIndex,
) -> Transcript {
    let mut t = ctx.transcript(label::CEREMONY_COMPLAINT, complainer);
    t.append_count(b"dealer", u64::from(dealer.get()));
    t
}

/// Who a complaint shows to be lying.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The dealer's share does not decrypt or does not match its commitments.
    DealerCheated,
    /// The share was good: the complaint is false.
    FalseComplaint,
    /// The complaint's proof does not verify.
    InvalidComplaint,
}

/// A complaint against a dealer: the revealed Diffie–Hellman point of its share, with a DLEQ
/// proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Complaint {
    dealer: TrusteeIndex,
    dh: Point,
    proof: DleqProof,
}

impl Complaint {
    /// The dealer accused.
    pub fn dealer(&self) -> TrusteeIndex {
        self.dealer
    }

    /// The revealed Diffie–Hellman point `K = d_j·E`.
    pub fn dh_point(&self) -> &Point {
        &self.dh
    }

    /// Judges this complaint, filed by the sender of `complainer`, against the dealer of
    /// `dealer`, as any third party can: the [`Exclusion`] it leads to names either the dealer
    /// ([`CeremonyCheck::BadShare`]) or the complainer ([`CeremonyCheck::FalseComplaint`],
    /// [`CeremonyCheck::InvalidComplaint`]).
    ///
    /// Errors: [`Error::WrongCeremony`] if either package is from another ceremony, and
    /// [`Error::InvalidValue`] if `dealer` is not the dealer this complaint names.
    pub fn judge(
        &self,
        ctx: &CeremonyContext,
        complainer: &round1::Package,
        dealer: &round2::Package,
    ) -> Result<Exclusion> {
        ctx.check_header(complainer.ceremony(), complainer.sender())?;
        ctx.check_header(dealer.ceremony(), dealer.sender())?;
        if dealer.sender() != self.dealer {
            return Err(Error::InvalidValue {
                what: "complaint",
                reason: "judged against another dealer's package",
            });
        }
        let j = complainer.sender();
        Ok(
            match self.verdict(ctx, j, complainer.communication_key(), dealer) {
                Verdict::DealerCheated => {
                    Exclusion::new(self.dealer, CeremonyCheck::BadShare { recipient: j.get() })
                }
                Verdict::FalseComplaint => Exclusion::new(
                    j,
                    CeremonyCheck::FalseComplaint {
                        dealer: self.dealer.get(),
                    },
                ),
                Verdict::InvalidComplaint => Exclusion::new(
                    j,
                    CeremonyCheck::InvalidComplaint {
                        dealer: self.dealer.get(),
                    },
                ),
            },
        )
    }

    /// The verdict, given the complainer j, its communication key and the dealer's package.
    pub(crate) fn verdict(
        &self,
        ctx: &CeremonyContext,
        complainer: TrusteeIndex,
        complainer_key: &PublicKey,
        dealer: &round2::Package,
    ) -> Verdict {
        // The share the complaint is about: the one the dealer addressed to the complainer.
        let Some(share) = dealer.share_for(complainer) else {
            return Verdict::InvalidComplaint;
        };
        // Round 3, Step 3 > check K = d_j·E against PK_j = d_j·G.
        let statement = DleqStatement {
            base: share.ephemeral(),
            left: complainer_key.as_point(),
            right: &self.dh,
        };
        let mut t = complaint_transcript(ctx, complainer, self.dealer);
        if self.proof.verify(&mut t, &statement).is_err() {
            return Verdict::InvalidComplaint;
        }
        // Round 3, Step 4 > recompute the pad, decrypt, and run the Feldman check in public.
        match share::open(ctx, dealer.sender(), share, &self.dh) {
            Some(s) if share::feldman_check(&s, complainer, dealer.commitments()) => {
                Verdict::FalseComplaint
            }
            _ => Verdict::DealerCheated,
        }
    }

    fn write(&self, out: &mut Vec<u8>) {
        self.dealer.write(out);
        out.extend_from_slice(self.dh.as_bytes());
        self.proof.write(out);
    }

    fn read(reader: &mut Reader<'_>) -> Result<Self> {
        Ok(Complaint {
            dealer: TrusteeIndex::read(reader, "accused dealer")?,
            dh: reader.point_non_identity("complaint Diffie-Hellman point")?,
            proof: DleqProof::read(reader)?,
        })
    }
}

/// Trustee j's round-3 broadcast: its complaints (possibly none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Package {
    ceremony: [u8; 32],
    sender: TrusteeIndex,
    complaints: Vec<Complaint>,
}

impl Package {
    /// The ceremony this message belongs to.
    pub fn ceremony(&self) -> &[u8; 32] {
        &self.ceremony
    }

    /// The complainer j.
    pub fn sender(&self) -> TrusteeIndex {
        self.sender
    }

    /// The complaints, in increasing order of dealer.
    pub fn complaints(&self) -> &[Complaint] {
        &self.complaints
    }

    /// Appends the canonical encoding.
    pub fn write(&self, out: &mut Vec<u8>) {
        write_header(out, ObjectKind::CeremonyRound3);
        out.extend_from_slice(&self.ceremony);
        self.sender.write(out);
        write_len(out, self.complaints.len());
        for c in &self.complaints {
            c.write(out);
        }
    }

    /// The canonical encoding (45 + 132·c bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(FIXED_LEN + COMPLAINT_LEN * self.complaints.len());
        self.write(&mut out);
        out
    }

    /// Decodes a package.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Reader::decode_all("round-3 package", bytes, Self::read)
    }

    /// Reads a package from a longer encoding.
    pub fn read(reader: &mut Reader<'_>) -> Result<Self> {
        read_header(reader, ObjectKind::CeremonyRound3)?;
        let ceremony = reader.array("ceremony id")?;
        let sender = TrusteeIndex::read(reader, "sender")?;
        let complaints = read_trustee_list(
            reader,
            "complaints",
            COMPLAINT_LEN,
            sender,
            "a trustee does not complain against itself",
            |c: &Complaint| c.dealer,
            Complaint::read,
        )?;
        Ok(Package {
            ceremony,
            sender,
            complaints,
        })
    }
}

/// A verified share received from a dealer.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(crate) struct ReceivedShare {
    #[zeroize(skip)]
    pub(crate) dealer: TrusteeIndex,
    pub(crate) share: SecretKey,
}

/// What trustee j keeps after round 3: the shares that passed its checks, and its reading of
/// rounds 1 and 2 of the board.
///
/// Zeroized on drop, redacted in `Debug`, neither `Clone` nor serializable.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct SecretPackage {
    #[zeroize(skip)]
    pub(crate) ctx: CeremonyContext,
    #[zeroize(skip)]
    pub(crate) index: TrusteeIndex,
    pub(crate) shares: Vec<ReceivedShare>,
    #[zeroize(skip)]
    pub(crate) reading: Reading2,
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
}

impl fmt::Debug for SecretPackage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("round3::SecretPackage")
            .field("index", &self.index)
            .field("secrets", &format_args!("<redacted>"))
            .finish()
    }
}

/// Round 3 > Check and complain: decrypts and checks the share from every dealer that passed
/// round 2, and complains about each bad one.
pub(crate) fn complain<R: RngCore + CryptoRng>(
    secret: round2::SecretPackage,
    board: &CeremonyBoard,
    rng: &mut R,
) -> Result<(SecretPackage, Package)> {
    let ctx = secret.ctx;
    let me = secret.index;
    // Round 3, Step 1 > read round 2 of the board (round 1 as this trustee dealt on it): the
    // dealers whose reveal, proofs of the coefficients and of the ephemeral keys are valid.
    secret.reading.check_unchanged(&ctx, board)?;
    let reading = Reading2::new(&ctx, secret.reading.clone(), board)?;
    reading.check_own(me, &secret.package)?;
    let my_key = secret.communication_secret.public_key();
    let mut shares = vec![ReceivedShare {
        dealer: me,
        share: secret.own_share.clone(),
    }];
    let mut complaints = Vec::new();
    // Only dealers: a trustee excluded in round 2 may not know the logarithm of its ephemeral
    // keys, and a complaint against it would reveal d_j·E for an E it did not make.
    for dealer in reading.dealers().iter().filter(|d| d.sender() != me) {
        let share = dealer.share_for(me);
        // Round 3, Step 2 > decrypt f_i(j) and check it against C_{i,k}.
        match share.and_then(|s| secret.open_share(dealer, s)) {
            Some(s) => shares.push(ReceivedShare {
                dealer: dealer.sender(),
                share: s,
            }),
            None => {
                // The structure check guarantees a share for every participant; without one
                // there is nothing to reveal, and the dealer is already excluded.
                let Some(share) = share else { continue };
                let dh = share::dh_point(&secret.communication_secret, share);
                let statement = DleqStatement {
                    base: share.ephemeral(),
                    left: my_key.as_point(),
                    right: &dh,
                };
                let proof = DleqProof::prove(
                    &mut complaint_transcript(&ctx, me, dealer.sender()),
                    &statement,
                    &secret.communication_secret,
                    rng,
                );
                complaints.push(Complaint {
                    dealer: dealer.sender(),
                    dh,
                    proof,
                });
            }
        }
    }
    let package = Package {
        ceremony: *ctx.id(),
        sender: me,
        complaints,
    };
    let secret = SecretPackage {
        ctx,
        index: me,
        shares,
        reading,
        package: package.clone(),
    };
    Ok((secret, package))
}

#[cfg(feature = "serde")]
crate::encoding::serde_via_bytes!(Package, "round-3 package");
