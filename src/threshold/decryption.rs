//! Threshold decryption of a tally: partial decryptions with DLEQ proofs, verified, then
//! combined by Lagrange interpolation at 0. The secret key is never reconstructed.
//!
//! # Construction
//!
//! The tally of a round is a vector of ciphertexts `(α_k, β_k)`, one per option. Trustee i,
//! with share `x_i` and verification share `Y_i = x_i·G`, publishes for every k
//!
//! ```text
//! D_{i,k} = x_i·α_k,   with a DLEQ proof that log_G Y_i = log_{α_k} D_{i,k}
//! ```
//!
//! One DLEQ proof per ciphertext (96 bytes each), so that a bad share is named down to the
//! ciphertext; a batch verifier checks them all in one multiscalar multiplication anyway.
//! Any t verified partials from distinct trustees S combine to
//!
//! ```text
//! M_k = β_k − Σ_{i∈S} λ_i·D_{i,k} = m_k·G,    λ_i = Π_{j∈S, j≠i} j / (j − i)
//! ```
//!
//! and `m_k` comes from the [`DiscreteLogTable`]. The λ_i are computed here from the indices,
//! never read from a message.
//!
//! # The statement
//!
//! A trustee decrypts one statement per round of an election: the round's published box,
//! named by its close ([`BoxClose`]: chain head, cast and challenged counts), its tally, and
//! the whole public key package (so that a partial verified against a forged package with the
//! same joint key can never be combined with genuine ones). [`KeyPackage`] keeps a log of the
//! statements it decrypted ([`DecryptionLog`]) and refuses a second, different statement for a
//! round it has already decrypted ([`Error::ConflictingDecryption`]): two overlapping boxes of
//! one round can never both be decrypted by the same trustee.
//!
//! # Transcript
//!
//! ```text
//! P ← election.transcript("tabella.decryption.partial")
//! P.append_message("public-keys", public key package bytes)      (§11.3, header included)
//! P.append_u64("round", r); P.append_message("head", chain head)
//! P.append_u64("cast", cast ballots); P.append_u64("challenged", challenged ballots)
//! P.append_u64("replaced", cast ballots replaced by a later one of their credential)
//! P.append_u64("width", m)
//! P.append_ciphertext("C", (α_k, β_k))        for k = 0..m−1  ("C" "ciphertext", "alpha", "beta")
//! statement digest = P.clone().challenge_bytes("statement", 32)
//! T ← P.clone(); T.append_u64("trustee", i); T.append_message("D", D_{i,k}) for every k
//! proof k: T_k ← T.clone(); T_k.append_u64("k", k);
//!          DLEQ (dom-sep "tabella.proof.dleq", G, H = α_k, Y = Y_i, D = D_{i,k}, R1, R2, c)
//! ```
//!
//! Every element of the statement (election, key package, round, box, every ciphertext, the
//! trustee and every share) is in the transcript before any challenge, so a partial for
//! another tally, box, round, election, key package or trustee, or a proof replayed from
//! another tally, fails.
//!
//! # Verification equations (per ciphertext k)
//!
//! ```text
//! s·G − R1 − c·Y_i = 0
//! s·α_k − R2 − c·D_{i,k} = 0
//! ```
//!
//! # Encoding
//!
//! `header ‖ round (u32) ‖ trustee (u32) ‖ count (u32) ‖ count × ( D_k (32) ‖ R1 (32) ‖ R2 (32) ‖ s (32) )`,
//! with `count ≥ 1` and no `D_k` the identity. The election, key, box and ciphertexts are not
//! in the message: the verifier recomputes the box and the tally itself.
//!
//! # Constant time
//!
//! `D_{i,k} = x_i·α_k` and the proof run in constant time in `x_i`. Verification, combination and
//! the discrete logarithm are on public data and run in variable time.

use core::fmt;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use merlin::Transcript;
use rand_core::{CryptoRng, RngCore};

use crate::board::BoxClose;
use crate::domain::{ObjectKind, label};
use crate::elgamal::{Ciphertext, DiscreteLogTable};
use crate::encoding::{read_header, write_header};
use crate::error::{DecryptionCheck, Error, Result};
use crate::group::{Point, Reader, write_count};
use crate::proofs::{BatchVerifier, DleqProof, DleqStatement};
use crate::tally::EncryptedTally;
use crate::threshold::keys::{KeyPackage, PublicKeyPackage};
use crate::threshold::params::{TrusteeIndex, check_distinct, lagrange_at_zero};
use crate::transcript::{ElectionContext, TranscriptExt};

/// Length of one encoded decryption share with its proof.
pub const SHARE_LEN: usize = 32 + 96;

/// What is being decrypted: the election, the key package, the round's box (its close) and
/// the tally ciphertexts. Both the trustee and every verifier build it from their own data.
#[derive(Clone)]
pub struct DecryptionContext<'a> {
    election: ElectionContext,
    public: &'a PublicKeyPackage,
    close: BoxClose,
    tally: &'a [Ciphertext],
    prefix: Transcript,
    statement: [u8; 32],
}

impl<'a> DecryptionContext<'a> {
    /// The decryption of `tally`, the sum of the box closed by `close` in `election`, under
    /// `public`.
    ///
    /// Errors: an empty tally ([`Error::InvalidValue`]) or a ciphertext with α = identity
    /// ([`Error::IdentityPoint`]): that is an empty sum, and there is nothing to decrypt.
    pub fn new(
        election: &ElectionContext,
        public: &'a PublicKeyPackage,
        close: &BoxClose,
        tally: &'a [Ciphertext],
    ) -> Result<Self> {
        if tally.is_empty() {
            return Err(Error::InvalidValue {
                what: "tally",
                reason: "no ciphertexts to decrypt",
            });
        }
        if tally.iter().any(|c| c.alpha().is_identity()) {
            return Err(Error::IdentityPoint {
                what: "tally ciphertext alpha",
            });
        }
        let mut prefix = election.transcript(label::PARTIAL_DECRYPTION);
        prefix.append_message(b"public-keys", &public.to_bytes());
        prefix.append_count(b"round", u64::from(close.round()));
        prefix.append_message(b"head", &close.chain_head().0);
        prefix.append_count(b"cast", close.cast());
        prefix.append_count(b"challenged", close.challenged());
        prefix.append_count(b"replaced", close.replaced());
        prefix.append_count(b"width", tally.len() as u64);
        for c in tally {
            prefix.append_ciphertext(b"C", c);
        }
        let mut statement = [0u8; 32];
        prefix.clone().challenge_bytes(b"statement", &mut statement);
        Ok(DecryptionContext {
            election: *election,
            public,
            close: *close,
            tally,
            prefix,
            statement,
        })
    }

    /// The election.
    pub fn election(&self) -> &ElectionContext {
        &self.election
    }

    /// The close of the box being decrypted.
    pub fn close(&self) -> &BoxClose {
        &self.close
    }

    /// The public key package.
    pub fn public(&self) -> &PublicKeyPackage {
        self.public
    }

    /// The round.
    pub fn round(&self) -> u32 {
        self.close.round()
    }

    /// The tally ciphertexts.
    pub fn tally(&self) -> &[Ciphertext] {
        self.tally
    }

    /// A digest of everything above, carried by every [`VerifiedPartialDecryption`].
    pub fn statement_digest(&self) -> &[u8; 32] {
        &self.statement
    }

    fn width(&self) -> u32 {
        u32::try_from(self.tally.len()).unwrap_or(u32::MAX)
    }

    /// The transcript of trustee i's partial, before the per-ciphertext forks.
    fn transcript<'p>(
        &self,
        trustee: TrusteeIndex,
        shares: impl Iterator<Item = &'p Point>,
    ) -> Transcript {
        let mut t = self.prefix.clone();
        t.append_count(b"trustee", u64::from(trustee.get()));
        for d in shares {
            t.append_point(b"D", d);
        }
        t
    }
}

impl fmt::Debug for DecryptionContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecryptionContext")
            .field("close", &self.close)
            .field("width", &self.tally.len())
            .field(
                "statement",
                &crate::encoding::Hex(&self.statement).to_string(),
            )
            .finish_non_exhaustive()
    }
}

fn fork(t: &Transcript, k: usize) -> Transcript {
    let mut t = t.clone();
    t.append_count(b"k", k as u64);
    t
}

fn rejected(trustee: TrusteeIndex, check: DecryptionCheck) -> Error {
    Error::PartialDecryptionRejected {
        trustee: trustee.get(),
        check,
    }
}

impl KeyPackage {
    /// Trustee i's partial decryption of a round's tally: `D_k = x_i·α_k` with a DLEQ proof
    /// each.
    ///
    /// This is the trustee's only decryption API. It takes an [`EncryptedTally`], which only
    /// a [`BallotBox`](crate::tally::BallotBox) of verified ballots or the stream verifier
    /// makes (recomputed from the ballots, never handed in as ciphertexts), with the close of
    /// its box. It refuses a tally of fewer than `privacy_floor` ballots
    /// ([`Error::BelowPrivacyFloor`]; use the manifest's
    /// [`Manifest::privacy_floor`](crate::election::Manifest::privacy_floor)), and a second,
    /// different statement for a round of an election it has already decrypted
    /// ([`Error::ConflictingDecryption`]): the statement is recorded in this key package's
    /// [`DecryptionLog`] before the partial is made, and the log is part of the key package's
    /// export, so that the refusal survives a restart. Decrypting the same statement again is
    /// allowed (the decryption shares are the same; only the proofs' nonces differ).
    ///
    /// Errors: [`Error::BelowPrivacyFloor`]; [`Error::ConflictingDecryption`];
    /// [`Error::InvalidValue`] for a floor of 0.
    pub fn decrypt_tally<R: RngCore + CryptoRng>(
        &mut self,
        election: &ElectionContext,
        tally: &EncryptedTally,
        privacy_floor: u64,
        rng: &mut R,
    ) -> Result<PartialDecryption> {
        if privacy_floor == 0 {
            return Err(Error::InvalidValue {
                what: "privacy floor",
                reason: "must be at least 1",
            });
        }
        if tally.ballots() < privacy_floor {
            return Err(Error::BelowPrivacyFloor {
                ballots: tally.ballots(),
                floor: privacy_floor,
            });
        }
        let public = self.public().clone();
        let ctx = DecryptionContext::new(election, &public, tally.close(), tally.ciphertexts())?;
        self.log_mut().admit(&ctx)?;
        self.partial_decrypt(&ctx, rng)
    }

    /// The raw partial decryption of any ciphertexts, for the library's own tests of the
    /// threshold arithmetic (feature `test-utils`). Never use it on ballots.
    #[cfg(feature = "test-utils")]
    #[doc(hidden)]
    pub fn partial_decrypt_for_tests_only<R: RngCore + CryptoRng>(
        &self,
        ctx: &DecryptionContext<'_>,
        rng: &mut R,
    ) -> Result<PartialDecryption> {
        self.partial_decrypt(ctx, rng)
    }

    /// Trustee i's partial decryption of the ciphertexts in `ctx` (crate-internal: reached
    /// only through [`KeyPackage::decrypt_tally`]).
    ///
    /// Errors: [`Error::InvalidValue`] if `ctx` is for another public key package.
    pub(crate) fn partial_decrypt<R: RngCore + CryptoRng>(
        &self,
        ctx: &DecryptionContext<'_>,
        rng: &mut R,
    ) -> Result<PartialDecryption> {
        if ctx.public != self.public() {
            return Err(Error::InvalidValue {
                what: "decryption context",
                reason: "for another public key package",
            });
        }
        let x = self.share();
        let y = self.verification_share();
        // D_k = x_i·α_k
        let points: Vec<Point> = ctx
            .tally
            .iter()
            .map(|c| Point::from(c.alpha().element() * x.as_scalar()))
            .collect();
        let t = ctx.transcript(self.index(), points.iter());
        let shares = points
            .into_iter()
            .zip(ctx.tally)
            .enumerate()
            .map(|(k, (d, c))| {
                let statement = DleqStatement {
                    base: c.alpha(),
                    left: &y,
                    right: &d,
                };
                let proof = DleqProof::prove(&mut fork(&t, k), &statement, x, rng);
                (d, proof)
            })
            .collect();
        Ok(PartialDecryption {
            round: ctx.round(),
            trustee: self.index(),
            shares,
        })
    }
}

/// A trustee's partial decryption of a tally, as received: not yet verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartialDecryption {
    round: u32,
    trustee: TrusteeIndex,
    shares: Vec<(Point, DleqProof)>,
}

impl PartialDecryption {
    /// The trustee it claims to come from.
    pub fn trustee(&self) -> TrusteeIndex {
        self.trustee
    }

    /// The round it claims to decrypt.
    pub fn round(&self) -> u32 {
        self.round
    }

    /// The decryption shares `D_k`.
    pub fn shares(&self) -> impl ExactSizeIterator<Item = &Point> {
        self.shares.iter().map(|(d, _)| d)
    }

    /// The checks that need no group operation: index, qualification, round and width.
    fn check_structure<'c>(&self, ctx: &DecryptionContext<'c>) -> Result<&'c Point> {
        ctx.public.params().check(self.trustee)?;
        let y = ctx
            .public
            .verification_share(self.trustee)
            .ok_or_else(|| rejected(self.trustee, DecryptionCheck::NotQualified))?;
        if self.round != ctx.round() {
            return Err(rejected(
                self.trustee,
                DecryptionCheck::WrongRound {
                    expected: ctx.round(),
                    actual: self.round,
                },
            ));
        }
        if self.shares.len() != ctx.tally.len() {
            return Err(rejected(
                self.trustee,
                DecryptionCheck::Width {
                    expected: ctx.width(),
                    actual: u32::try_from(self.shares.len()).unwrap_or(u32::MAX),
                },
            ));
        }
        Ok(y)
    }

    /// Verifies this partial decryption against `ctx`.
    ///
    /// Errors: [`Error::InvalidTrusteeIndex`] for an index above n; otherwise
    /// [`Error::PartialDecryptionRejected`] with [`DecryptionCheck::NotQualified`],
    /// [`DecryptionCheck::WrongRound`], [`DecryptionCheck::Width`] or
    /// [`DecryptionCheck::Proof`] (the first ciphertext whose proof fails).
    pub fn verify(&self, ctx: &DecryptionContext<'_>) -> Result<VerifiedPartialDecryption> {
        let y = self.check_structure(ctx)?;
        let t = ctx.transcript(self.trustee, self.shares());
        for (k, ((d, proof), c)) in self.shares.iter().zip(ctx.tally).enumerate() {
            let statement = DleqStatement {
                base: c.alpha(),
                left: y,
                right: d,
            };
            if proof.verify(&mut fork(&t, k), &statement).is_err() {
                return Err(rejected(
                    self.trustee,
                    DecryptionCheck::Proof {
                        ciphertext: u32::try_from(k).unwrap_or(u32::MAX),
                    },
                ));
            }
        }
        Ok(self.verified(ctx))
    }

    fn verified(&self, ctx: &DecryptionContext<'_>) -> VerifiedPartialDecryption {
        VerifiedPartialDecryption {
            trustee: self.trustee,
            shares: self.shares.iter().map(|(d, _)| d.clone()).collect(),
            statement: ctx.statement,
        }
    }

    /// Adds every proof of this partial to `batch`, as one item.
    fn add_to_batch(&self, ctx: &DecryptionContext<'_>, y: &Point, batch: &mut BatchVerifier) {
        batch.begin_item();
        let t = ctx.transcript(self.trustee, self.shares());
        for (k, ((d, proof), c)) in self.shares.iter().zip(ctx.tally).enumerate() {
            let statement = DleqStatement {
                base: c.alpha(),
                left: y,
                right: d,
            };
            proof.verify_batched(&mut fork(&t, k), &statement, batch);
        }
    }

    /// Verifies many partial decryptions at once and sorts them into verified and rejected.
    ///
    /// Structural checks come first. The proofs of the remaining partials then go into one
    /// [`BatchVerifier`], one item per partial; when the batch fails, it bisects to the bad
    /// partials, and each is re-checked alone to report the exact failure. Only then are
    /// duplicates decided: the first *valid* partial of a trustee is kept and any later valid
    /// one is rejected with [`Error::DuplicateTrustee`], so that a forged partial placed
    /// before a trustee's genuine one cannot get the genuine one rejected.
    pub fn verify_batch(ctx: &DecryptionContext<'_>, partials: &[PartialDecryption]) -> Screening {
        let mut rejected = Vec::new();
        let mut candidates: Vec<(usize, &PartialDecryption)> = Vec::new();
        let mut batch = BatchVerifier::new();
        for (input, p) in partials.iter().enumerate() {
            match p.check_structure(ctx) {
                Ok(y) => {
                    p.add_to_batch(ctx, y, &mut batch);
                    candidates.push((input, p));
                }
                Err(e) => rejected.push((p.trustee, e)),
            }
        }
        let bad: Vec<usize> = match batch.verify() {
            Ok(()) => Vec::new(),
            Err(Error::BatchRejected { items }) => items,
            Err(_) => (0..candidates.len()).collect(),
        };
        let mut verified: Vec<VerifiedPartialDecryption> = Vec::with_capacity(candidates.len());
        let mut accepted = Vec::with_capacity(candidates.len());
        for (k, (input, p)) in candidates.into_iter().enumerate() {
            let checked = if bad.contains(&k) {
                p.verify(ctx)
            } else {
                Ok(p.verified(ctx))
            };
            match checked {
                Ok(v) if verified.iter().any(|w| w.trustee == v.trustee) => rejected.push((
                    p.trustee,
                    Error::DuplicateTrustee {
                        trustee: p.trustee.get(),
                    },
                )),
                Ok(v) => {
                    verified.push(v);
                    accepted.push(input);
                }
                Err(e) => rejected.push((p.trustee, e)),
            }
        }
        Screening {
            verified,
            accepted,
            rejected,
        }
    }

    /// Appends the canonical encoding.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<()> {
        write_header(out, ObjectKind::PartialDecryption);
        out.extend_from_slice(&self.round.to_le_bytes());
        self.trustee.write(out);
        write_count(out, "decryption shares", self.shares.len())?;
        for (d, proof) in &self.shares {
            out.extend_from_slice(d.as_bytes());
            proof.write(out);
        }
        Ok(())
    }

    /// The canonical encoding.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(12 + SHARE_LEN * self.shares.len());
        self.write(&mut out)?;
        Ok(out)
    }

    /// Decodes a partial decryption; rejects index 0, identity shares, non-canonical points and
    /// scalars, an empty list and trailing bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Reader::decode_all("partial decryption", bytes, Self::read)
    }

    /// Reads a partial decryption from a longer encoding.
    pub fn read(reader: &mut Reader<'_>) -> Result<Self> {
        read_header(reader, ObjectKind::PartialDecryption)?;
        let round = reader.u32("round")?;
        let trustee = TrusteeIndex::read(reader, "trustee")?;
        let count = reader.count("decryption shares", SHARE_LEN)?;
        if count == 0 {
            return Err(Error::InvalidValue {
                what: "decryption shares",
                reason: "at least one is required",
            });
        }
        let mut shares = Vec::with_capacity(count);
        for _ in 0..count {
            let d = reader.point_non_identity("decryption share")?;
            let proof = DleqProof::read(reader)?;
            shares.push((d, proof));
        }
        Ok(PartialDecryption {
            round,
            trustee,
            shares,
        })
    }
}

/// A partial decryption whose proofs verified against a [`DecryptionContext`].
///
/// Only [`PartialDecryption::verify`] and [`PartialDecryption::verify_batch`] make one; it is
/// not deserializable. It remembers the statement it was verified for, and
/// [`combine`] refuses it for any other.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedPartialDecryption {
    trustee: TrusteeIndex,
    shares: Vec<Point>,
    statement: [u8; 32],
}

impl VerifiedPartialDecryption {
    /// The trustee.
    pub fn trustee(&self) -> TrusteeIndex {
        self.trustee
    }

    /// The verified decryption shares `D_k = x_i·α_k`.
    pub fn shares(&self) -> &[Point] {
        &self.shares
    }

    /// The statement digest it was verified for ([`DecryptionContext::statement_digest`]).
    pub fn statement_digest(&self) -> &[u8; 32] {
        &self.statement
    }
}

/// The result of [`PartialDecryption::verify_batch`].
#[derive(Clone, Debug)]
pub struct Screening {
    /// The partials that verified, in input order (the first valid one per trustee).
    pub verified: Vec<VerifiedPartialDecryption>,
    /// For each of `verified`, its position in the input.
    pub accepted: Vec<usize>,
    /// The partials that did not, with the trustee they claim and the reason, in input order
    /// of the structural rejections followed by the proof rejections.
    pub rejected: Vec<(TrusteeIndex, Error)>,
}

impl Screening {
    /// The rejected trustees, sorted and without repeats.
    pub fn rejected_trustees(&self) -> Vec<u32> {
        let mut out: Vec<u32> = self.rejected.iter().map(|(i, _)| i.get()).collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Combines verified partial decryptions into the points `M_k = m_k·G`.
///
/// Uses the first t partials given, which must come from distinct trustees; the Lagrange
/// coefficients are computed from their indices. The secret key is never reconstructed.
///
/// Errors: [`Error::PartialDecryptionRejected`] with [`DecryptionCheck::WrongStatement`] for a
/// partial verified against another context; [`Error::InvalidTrusteeIndex`] for an index
/// above n; [`Error::DuplicateTrustee`]; [`Error::NotEnoughShares`] with fewer than t.
pub fn combine(
    ctx: &DecryptionContext<'_>,
    partials: &[VerifiedPartialDecryption],
) -> Result<Vec<RistrettoPoint>> {
    let params = ctx.public.params();
    for p in partials {
        if p.statement != ctx.statement || p.shares.len() != ctx.tally.len() {
            return Err(rejected(p.trustee, DecryptionCheck::WrongStatement));
        }
        params.check(p.trustee)?;
    }
    let indices: Vec<TrusteeIndex> = partials.iter().map(|p| p.trustee).collect();
    check_distinct(&indices)?;
    let t = params.threshold() as usize;
    if partials.len() < t {
        return Err(Error::NotEnoughShares {
            needed: params.threshold(),
            valid: u32::try_from(partials.len()).unwrap_or(u32::MAX),
            rejected: Vec::new(),
        });
    }
    let chosen = partials.get(..t).unwrap_or(partials);
    let set: Vec<TrusteeIndex> = chosen.iter().map(|p| p.trustee).collect();
    let lambdas = lagrange_at_zero(&set)?;
    // M_k = β_k − Σ_{i∈S} λ_i·D_{i,k}
    let weights: Vec<Scalar> = core::iter::once(Scalar::ONE)
        .chain(lambdas.iter().map(|l| -l))
        .collect();
    // Exact-length vectors: dalek's multiscalar multiplication asserts equal size hints.
    let mut out = Vec::with_capacity(ctx.tally.len());
    for (k, c) in ctx.tally.iter().enumerate() {
        let mut points = Vec::with_capacity(weights.len());
        points.push(*c.beta().element());
        for p in chosen {
            let d = p
                .shares
                .get(k)
                .ok_or_else(|| rejected(p.trustee, DecryptionCheck::WrongStatement))?;
            points.push(*d.element());
        }
        out.push(RistrettoPoint::vartime_multiscalar_mul(&weights, &points));
    }
    Ok(out)
}

/// Combines verified partial decryptions ([`combine`]) and solves each `m_k` in the table.
pub fn decrypt(
    ctx: &DecryptionContext<'_>,
    partials: &[VerifiedPartialDecryption],
    table: &DiscreteLogTable,
) -> Result<Vec<u64>> {
    combine(ctx, partials)?
        .iter()
        .map(|m| table.solve_vartime(m))
        .collect()
}

/// The result of [`decrypt_tally`].
#[derive(Clone, Debug)]
pub struct TallyDecryption {
    /// The decrypted totals, one per tally ciphertext.
    pub totals: Vec<u64>,
    /// The trustees whose partials were combined, in the order used.
    pub used: Vec<TrusteeIndex>,
    /// The positions in the input of the partials that verified (the first valid one per
    /// trustee), in input order.
    pub accepted: Vec<usize>,
    /// The partials that were rejected, with the reason.
    pub rejected: Vec<(TrusteeIndex, Error)>,
}

/// Verifies received partial decryptions (batched), names and skips the invalid ones, and
/// decrypts the tally from the first t valid ones.
///
/// Errors: [`Error::NotEnoughShares`] naming every rejected trustee when fewer than t valid
/// partials from distinct trustees remain; [`Error::DiscreteLogOutOfRange`] if a total exceeds
/// the table.
pub fn decrypt_tally(
    ctx: &DecryptionContext<'_>,
    partials: &[PartialDecryption],
    table: &DiscreteLogTable,
) -> Result<TallyDecryption> {
    let screening = PartialDecryption::verify_batch(ctx, partials);
    let needed = ctx.public.params().threshold();
    if screening.verified.len() < needed as usize {
        return Err(Error::NotEnoughShares {
            needed,
            valid: u32::try_from(screening.verified.len()).unwrap_or(u32::MAX),
            rejected: screening.rejected_trustees(),
        });
    }
    let totals = decrypt(ctx, &screening.verified, table)?;
    let used = screening
        .verified
        .iter()
        .take(needed as usize)
        .map(|p| p.trustee)
        .collect();
    Ok(TallyDecryption {
        totals,
        used,
        accepted: screening.accepted,
        rejected: screening.rejected,
    })
}

/// One statement a trustee decrypted: the election, the round and the statement digest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LogEntry {
    /// The election fingerprint.
    pub election: [u8; 32],
    /// The round.
    pub round: u32,
    /// The statement digest ([`DecryptionContext::statement_digest`]).
    pub statement: [u8; 32],
}

/// The statements a trustee has decrypted, at most one per round of an election.
///
/// Kept in its [`KeyPackage`] and exported with it ([`KeyPackage::export`]), so that the
/// refusal to decrypt a second statement for a round survives a restart.
///
/// Encoding: `LE32(k) ‖ k × (election (32) ‖ LE32(round) ‖ statement (32))`, entries in
/// strictly increasing (election, round) order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DecryptionLog {
    entries: Vec<LogEntry>,
}

/// Length of one encoded log entry.
const LOG_ENTRY_LEN: usize = 32 + 4 + 32;

impl DecryptionLog {
    /// The statements decrypted, in (election, round) order.
    pub fn entries(&self) -> &[LogEntry] {
        &self.entries
    }

    /// The statement decrypted for `round` of `election`, if any.
    pub fn get(&self, election: &ElectionContext, round: u32) -> Option<&LogEntry> {
        self.entries
            .iter()
            .find(|e| &e.election == election.fingerprint() && e.round == round)
    }

    /// Records the statement of `ctx`, or refuses it if another statement of the same round of
    /// the same election is already recorded ([`Error::ConflictingDecryption`]).
    pub(crate) fn admit(&mut self, ctx: &DecryptionContext<'_>) -> Result<()> {
        let entry = LogEntry {
            election: *ctx.election.fingerprint(),
            round: ctx.round(),
            statement: ctx.statement,
        };
        match self
            .entries
            .binary_search_by(|e| (e.election, e.round).cmp(&(entry.election, entry.round)))
        {
            Ok(k) => match self.entries.get(k) {
                Some(old) if old.statement == entry.statement => Ok(()),
                _ => Err(Error::ConflictingDecryption { round: entry.round }),
            },
            Err(k) => {
                self.entries.insert(k, entry);
                Ok(())
            }
        }
    }

    /// Appends the canonical encoding.
    pub fn write(&self, out: &mut Vec<u8>) {
        // At most one entry per (election, round): the count fits in a u32 in practice; a
        // log that does not is refused by `admit` long before (rounds are u32).
        let _ = write_count(out, "decryption log", self.entries.len());
        for e in &self.entries {
            out.extend_from_slice(&e.election);
            out.extend_from_slice(&e.round.to_le_bytes());
            out.extend_from_slice(&e.statement);
        }
    }

    /// Reads a log; refuses entries out of order or repeated.
    pub fn read(reader: &mut Reader<'_>) -> Result<Self> {
        let count = reader.count("decryption log", LOG_ENTRY_LEN)?;
        let mut entries: Vec<LogEntry> = Vec::with_capacity(count);
        for _ in 0..count {
            let entry = LogEntry {
                election: reader.array("decryption log election")?,
                round: reader.u32("decryption log round")?,
                statement: reader.array("decryption log statement")?,
            };
            if entries
                .last()
                .is_some_and(|last| (last.election, last.round) >= (entry.election, entry.round))
            {
                return Err(Error::InvalidValue {
                    what: "decryption log",
                    reason: "entries must be in strictly increasing (election, round) order",
                });
            }
            entries.push(entry);
        }
        Ok(DecryptionLog { entries })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::threshold::keys::trusted_dealer_for_tests_only;
    use crate::threshold::params::ThresholdParams;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    use crate::board::ConfirmationCode;

    fn close(round: u32, head: u8, cast: u64, challenged: u64) -> BoxClose {
        BoxClose::new(round, ConfirmationCode([head; 32]), cast, challenged)
    }

    #[test]
    fn statement_digest_binds_election_key_box_and_tally() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let params = ThresholdParams::new(2, 3).unwrap();
        let (_, public) = trusted_dealer_for_tests_only(params, &mut rng).unwrap();
        let (_, other_key) = trusted_dealer_for_tests_only(params, &mut rng).unwrap();
        let y = public.joint_key();
        let tally = [y.encrypt(1, &mut rng).0, y.encrypt(0, &mut rng).0];
        let e1 = ElectionContext::new([1; 32]);
        let e2 = ElectionContext::new([2; 32]);
        let digest = |e: &ElectionContext, p: &PublicKeyPackage, c: BoxClose, t: &[Ciphertext]| {
            *DecryptionContext::new(e, p, &c, t)
                .unwrap()
                .statement_digest()
        };
        let c1 = close(1, 9, 5, 0);
        let base = digest(&e1, &public, c1, &tally);
        assert_eq!(base, digest(&e1, &public, c1, &tally));
        assert_ne!(base, digest(&e2, &public, c1, &tally));
        assert_ne!(base, digest(&e1, &other_key, c1, &tally));
        assert_ne!(base, digest(&e1, &public, close(2, 9, 5, 0), &tally));
        assert_ne!(base, digest(&e1, &public, close(1, 8, 5, 0), &tally));
        assert_ne!(base, digest(&e1, &public, close(1, 9, 6, 0), &tally));
        assert_ne!(base, digest(&e1, &public, close(1, 9, 5, 1), &tally));
        assert_ne!(base, digest(&e1, &public, c1, &tally[..1]));
        let swapped = [tally[1].clone(), tally[0].clone()];
        assert_ne!(base, digest(&e1, &public, c1, &swapped));
        // The whole key package is bound, not only the joint key: the same Y with other
        // verification shares (a forged, still consistent package) is another statement.
        let mut shares = public.verification_shares().to_vec();
        let y = public.joint_key().clone();
        // Shift the line through (0, Y): Y_j' = Y_j + j·D for a random D keeps Y at 0.
        let d = Point::from(curve25519_dalek::ristretto::RistrettoPoint::mul_base(
            &Scalar::from(77u64),
        ));
        for (j, yj) in shares.iter_mut() {
            *yj = Point::from(yj.element() + d.element() * j.scalar());
        }
        let forged = PublicKeyPackage::new(params, y, shares).unwrap();
        assert_eq!(forged.joint_key(), public.joint_key());
        assert_ne!(base, digest(&e1, &forged, c1, &tally));
    }

    #[test]
    fn batch_and_single_verification_agree() {
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let params = ThresholdParams::new(3, 4).unwrap();
        let (keys, public) = trusted_dealer_for_tests_only(params, &mut rng).unwrap();
        let y = public.joint_key();
        let tally = [y.encrypt(5, &mut rng).0, y.encrypt(7, &mut rng).0];
        let election = ElectionContext::new([3; 32]);
        let ctx = DecryptionContext::new(&election, &public, &close(4, 1, 12, 0), &tally).unwrap();
        let partials: Vec<_> = keys
            .iter()
            .map(|k| k.partial_decrypt(&ctx, &mut rng).unwrap())
            .collect();
        let single: Vec<_> = partials.iter().map(|p| p.verify(&ctx).unwrap()).collect();
        let batch = PartialDecryption::verify_batch(&ctx, &partials);
        assert!(batch.rejected.is_empty());
        assert_eq!(batch.verified, single);
        let table = DiscreteLogTable::new(10).unwrap();
        // Any order of any t trustees.
        for chosen in [[0usize, 1, 2], [3, 1, 0], [2, 3, 1]] {
            let set: Vec<_> = chosen.iter().map(|&k| single[k].clone()).collect();
            assert_eq!(decrypt(&ctx, &set, &table).unwrap(), vec![5, 7]);
        }
        // More than t: the first t are used.
        assert_eq!(decrypt(&ctx, &single, &table).unwrap(), vec![5, 7]);
    }
}

#[cfg(feature = "serde")]
crate::encoding::serde_via_bytes!(PartialDecryption, "partial decryption", fallible);
