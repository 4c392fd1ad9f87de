//! Contests, plaintext selections (secret), encrypted ballots and verified ballots.
//!
//! # Contest
//!
//! A [`ContestSpec`] has `options` candidates, a selection range `min..=max`, and optionally
//! an explicit abstention. An encrypted ballot holds one ciphertext per option, and one more
//! for the abstention when the contest has it.
//!
//! # What the proofs show
//!
//! * Each ciphertext encrypts 0 or 1 (a membership proof over {0, 1}).
//! * The *count* `n = Σ optionsⱼ + max·abstain` lies in `min..=max` (a membership proof over
//!   that range, on the homomorphic sum). Without abstention this is the number of selections.
//!   With it, `abstain = 1` forces every option to 0 (else n > max), and `abstain = 0` leaves
//!   the usual range.
//!
//! # Binding
//!
//! Every proof forks from one ballot transcript:
//!
//! ```text
//! ElectionContext::transcript("tabella.ballot")
//! "round" r, "contest" index, "options" k, "min", "max", "abstention" 0|1,
//! "ballot-id" id, "credential" (empty when absent), "C" each ciphertext
//! option j:  dom-sep "tabella.ballot.option", "option" j, then the {0,1} proof
//! count:     dom-sep "tabella.ballot.count", then the min..=max proof
//! ```
//!
//! So a ballot copied into another election, round or contest, under another ballot id or
//! another voter's credential fails its proofs; an exact copy is a duplicate in the box.
//!
//! # Encoding
//!
//! ```text
//! ballot id (32) ‖ credential flag (1: 0 or 1) ‖ [credential (32)]
//! ‖ u32 ciphertext count m ‖ u32 count-proof branches b
//! ‖ m ciphertexts (64 each) ‖ m option proofs (224 each) ‖ count proof (128·b − 32)
//! ```

use core::fmt;

use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::domain::label;
use crate::elgamal::{Ciphertext, Nonce, PublicKey};
use crate::encoding::Hex;
use crate::error::{BallotPart, Error, Result};
use crate::group::{Reader, write_count};
use crate::proofs::membership::MAX_BRANCHES;
use crate::proofs::{BatchVerifier, MembershipProof, MembershipStatement};
use crate::transcript::{ElectionContext, TranscriptExt};
use curve25519_dalek::scalar::Scalar;
use merlin::Transcript;

/// The largest number of options in a contest.
pub const MAX_OPTIONS: usize = 1024;

/// The set every option ciphertext must encrypt a member of.
const ZERO_ONE: [u64; 2] = [0, 1];

/// A ballot id: 32 random bytes chosen by the voter's device.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BallotId(pub [u8; 32]);

impl BallotId {
    /// Decodes a ballot id (32 bytes).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        bytes
            .try_into()
            .map(BallotId)
            .map_err(|_| Error::WrongLength {
                what: "ballot id",
                expected: 32,
                actual: bytes.len(),
            })
    }

    /// The 32 bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0
    }

    /// A fresh random ballot id.
    pub fn random<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        let mut id = [0u8; 32];
        rng.fill_bytes(&mut id);
        BallotId(id)
    }
}

impl fmt::Display for BallotId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", Hex(&self.0))
    }
}

impl fmt::Debug for BallotId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BallotId({self})")
    }
}

#[cfg(feature = "serde")]
crate::encoding::serde_via_bytes!(BallotId, "ballot id");
#[cfg(feature = "serde")]
crate::encoding::serde_via_bytes!(EncryptedBallot, "encrypted ballot");

/// The shape of a contest: options, selection range and abstention.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContestSpec {
    index: u32,
    options: u32,
    min: u32,
    max: u32,
    abstention: bool,
}

impl ContestSpec {
    /// A contest with `options` options, where a voter selects between `min` and `max` of
    /// them, and may explicitly abstain when `abstention` is set. `index` distinguishes the
    /// contests of one election.
    pub fn new(index: u32, options: u32, min: u32, max: u32, abstention: bool) -> Result<Self> {
        let reason = if options == 0 {
            Some("a contest needs at least one option")
        } else if options as usize > MAX_OPTIONS {
            Some("more than 1024 options")
        } else if max == 0 {
            Some("max must be at least 1")
        } else if min > max {
            Some("min exceeds max")
        } else if max > options {
            Some("max exceeds the number of options")
        } else {
            None
        };
        match reason {
            Some(reason) => Err(Error::InvalidContest { reason }),
            None => Ok(ContestSpec {
                index,
                options,
                min,
                max,
                abstention,
            }),
        }
    }

    /// Choose exactly one of `options` (with an explicit abstention if `abstention`).
    pub fn choose_one(index: u32, options: u32, abstention: bool) -> Result<Self> {
        Self::new(index, options, 1, 1, abstention)
    }

    /// The contest index.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// The number of options.
    pub fn options(&self) -> u32 {
        self.options
    }

    /// The fewest selections.
    pub fn min(&self) -> u32 {
        self.min
    }

    /// The most selections.
    pub fn max(&self) -> u32 {
        self.max
    }

    /// Whether an explicit abstention is offered.
    pub fn has_abstention(&self) -> bool {
        self.abstention
    }

    /// The number of ciphertexts of a ballot: one per option, plus the abstention.
    pub fn width(&self) -> usize {
        self.options as usize + usize::from(self.abstention)
    }

    /// The set the count must lie in: `min..=max`.
    fn count_set(&self) -> Vec<u64> {
        (u64::from(self.min)..=u64::from(self.max)).collect()
    }

    fn append_to(&self, t: &mut Transcript) {
        t.append_count(b"contest", u64::from(self.index));
        t.append_count(b"options", u64::from(self.options));
        t.append_count(b"min", u64::from(self.min));
        t.append_count(b"max", u64::from(self.max));
        t.append_count(b"abstention", u64::from(self.abstention));
    }
}

/// Where a ballot is cast: the election, its key, the round and the contest.
#[derive(Clone, Copy, Debug)]
pub struct BallotContext<'a> {
    /// The election.
    pub election: &'a ElectionContext,
    /// The election public key.
    pub key: &'a PublicKey,
    /// The round (1-based).
    pub round: u32,
    /// The contest.
    pub contest: &'a ContestSpec,
}

/// A voter credential bound into the ballot's proofs (for example a hash of the voter's
/// public credential); the embedder decides what it is.
pub type Credential = [u8; 32];

/// A plaintext vote: which options are selected, or an abstention. It is a secret: zeroized
/// on drop, never printed, never serialized.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Selection {
    /// One 0/1 value per ciphertext of the ballot (options, then abstention).
    values: Vec<u8>,
}

impl Selection {
    /// Selects the options at `chosen` (0-based indices). They must be distinct, and their
    /// number within the contest's `min..=max`.
    pub fn new(contest: &ContestSpec, chosen: &[u32]) -> Result<Self> {
        let mut values = Zeroizing::new(vec![0u8; contest.width()]);
        for &c in chosen {
            let slot = values
                .get_mut(c as usize)
                .filter(|_| c < contest.options)
                .ok_or(Error::InvalidSelection {
                    reason: "no such option",
                })?;
            if *slot == 1 {
                return Err(Error::InvalidSelection {
                    reason: "an option is selected twice",
                });
            }
            *slot = 1;
        }
        let count = chosen.len() as u64;
        if count < u64::from(contest.min) || count > u64::from(contest.max) {
            return Err(Error::InvalidSelection {
                reason: "the number of selections is outside min..=max",
            });
        }
        Ok(Selection {
            values: values.to_vec(),
        })
    }

    /// An explicit abstention; only in a contest that offers it.
    pub fn abstain(contest: &ContestSpec) -> Result<Self> {
        if !contest.abstention {
            return Err(Error::InvalidSelection {
                reason: "the contest has no explicit abstention",
            });
        }
        let mut values = vec![0u8; contest.width()];
        if let Some(last) = values.last_mut() {
            *last = 1;
        }
        Ok(Selection { values })
    }

    /// The 0/1 value of each ciphertext (options, then abstention).
    pub fn values(&self) -> &[u8] {
        &self.values
    }
}

impl fmt::Debug for Selection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Selection(<redacted>)")
    }
}

/// The nonces of an encrypted ballot, kept by the voter's device. Revealing them is how a
/// challenged (Benaloh) ballot is opened.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct BallotNonces {
    nonces: Vec<Nonce>,
}

impl BallotNonces {
    /// The nonce of each ciphertext.
    pub fn nonces(&self) -> &[Nonce] {
        &self.nonces
    }
}

impl fmt::Debug for BallotNonces {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BallotNonces(<redacted>)")
    }
}

/// An encrypted ballot, as it arrives from a voter's device: not yet verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptedBallot {
    id: BallotId,
    credential: Option<Credential>,
    ciphertexts: Vec<Ciphertext>,
    option_proofs: Vec<MembershipProof>,
    count_proof: MembershipProof,
}

/// The ballot transcript all proofs of a ballot fork from.
fn ballot_transcript(
    ctx: &BallotContext<'_>,
    id: &BallotId,
    credential: Option<&Credential>,
    ciphertexts: &[Ciphertext],
) -> Transcript {
    let mut t = ctx.election.transcript(label::BALLOT);
    t.append_count(b"round", u64::from(ctx.round));
    ctx.contest.append_to(&mut t);
    t.append_message(b"ballot-id", &id.0);
    t.append_message(b"credential", credential.map_or(&[][..], |c| &c[..]));
    for c in ciphertexts {
        t.append_ciphertext(b"C", c);
    }
    t
}

fn option_transcript(base: &Transcript, j: usize) -> Transcript {
    let mut t = base.clone();
    t.domain_sep(label::BALLOT_OPTION);
    t.append_count(b"option", j as u64);
    t
}

fn count_transcript(base: &Transcript) -> Transcript {
    let mut t = base.clone();
    t.domain_sep(label::BALLOT_COUNT);
    t
}

/// The count ciphertext: Σ options + max·abstention.
fn count_ciphertext(contest: &ContestSpec, ciphertexts: &[Ciphertext]) -> Ciphertext {
    let options = contest.options as usize;
    let sum: Ciphertext = ciphertexts.iter().take(options).sum();
    match ciphertexts.get(options).filter(|_| contest.abstention) {
        Some(abstain) => &sum + &(abstain * &Scalar::from(u64::from(contest.max))),
        None => sum,
    }
}

impl EncryptedBallot {
    /// Encrypts `selection` for the contest in `ctx` and proves it well formed. Returns the
    /// ballot and its nonces (keep them only to open a challenged ballot).
    pub fn encrypt<R: RngCore + CryptoRng>(
        ctx: &BallotContext<'_>,
        selection: &Selection,
        id: BallotId,
        credential: Option<Credential>,
        rng: &mut R,
    ) -> Result<(Self, BallotNonces)> {
        if selection.values.len() != ctx.contest.width() {
            return Err(Error::InvalidSelection {
                reason: "the selection is for another contest",
            });
        }
        let mut ciphertexts = Vec::with_capacity(selection.values.len());
        let mut nonces = Vec::with_capacity(selection.values.len());
        for &v in &selection.values {
            let (c, r) = ctx.key.encrypt(u64::from(v), rng);
            ciphertexts.push(c);
            nonces.push(r);
        }
        let base = ballot_transcript(ctx, &id, credential.as_ref(), &ciphertexts);
        let mut option_proofs = Vec::with_capacity(ciphertexts.len());
        for (j, ((c, r), &v)) in ciphertexts
            .iter()
            .zip(&nonces)
            .zip(&selection.values)
            .enumerate()
        {
            let statement = MembershipStatement {
                key: ctx.key,
                ciphertext: c,
                set: &ZERO_ONE,
            };
            option_proofs.push(MembershipProof::prove(
                &mut option_transcript(&base, j),
                &statement,
                u64::from(v),
                r,
                rng,
            )?);
        }
        // The count and its nonce, with the same weights as `count_ciphertext`.
        let options = ctx.contest.options as usize;
        let max = Scalar::from(u64::from(ctx.contest.max));
        let mut count = Zeroizing::new(0u64);
        let mut count_nonce = Nonce(Scalar::ZERO);
        for (j, (r, &v)) in nonces.iter().zip(&selection.values).enumerate() {
            let weight = if j < options {
                1
            } else {
                u64::from(ctx.contest.max)
            };
            *count += weight * u64::from(v);
            count_nonce.0 += if j < options { r.0 } else { r.0 * max };
        }
        let count_set = ctx.contest.count_set();
        let count_ct = count_ciphertext(ctx.contest, &ciphertexts);
        let statement = MembershipStatement {
            key: ctx.key,
            ciphertext: &count_ct,
            set: &count_set,
        };
        let count_proof = MembershipProof::prove(
            &mut count_transcript(&base),
            &statement,
            *count,
            &count_nonce,
            rng,
        )?;
        Ok((
            EncryptedBallot {
                id,
                credential,
                ciphertexts,
                option_proofs,
                count_proof,
            },
            BallotNonces { nonces },
        ))
    }

    /// The ballot id.
    pub fn id(&self) -> &BallotId {
        &self.id
    }

    /// The voter credential bound into the proofs, if any.
    pub fn credential(&self) -> Option<&Credential> {
        self.credential.as_ref()
    }

    /// The ciphertexts: one per option, then the abstention.
    pub fn ciphertexts(&self) -> &[Ciphertext] {
        &self.ciphertexts
    }

    fn check_shape(&self, contest: &ContestSpec) -> Result<()> {
        let width = contest.width();
        let branches = (contest.max - contest.min) as usize + 1;
        if self.ciphertexts.len() != width
            || self.option_proofs.len() != width
            || self.count_proof.branches() != branches
            || self.option_proofs.iter().any(|p| p.branches() != 2)
        {
            return Err(Error::BallotMalformed {
                ballot: self.id,
                reason: "its shape does not match the contest",
            });
        }
        Ok(())
    }

    /// Feeds every proof of the ballot to `check`, which returns whether it holds.
    fn proofs(
        &self,
        ctx: &BallotContext<'_>,
        mut check: impl FnMut(
            BallotPart,
            &MembershipProof,
            &mut Transcript,
            &MembershipStatement<'_>,
        ) -> Result<()>,
    ) -> Result<()> {
        self.check_shape(ctx.contest)?;
        let base = ballot_transcript(ctx, &self.id, self.credential.as_ref(), &self.ciphertexts);
        for (j, (c, proof)) in self.ciphertexts.iter().zip(&self.option_proofs).enumerate() {
            let statement = MembershipStatement {
                key: ctx.key,
                ciphertext: c,
                set: &ZERO_ONE,
            };
            check(
                BallotPart::Option(j),
                proof,
                &mut option_transcript(&base, j),
                &statement,
            )?;
        }
        let count_set = ctx.contest.count_set();
        let count_ct = count_ciphertext(ctx.contest, &self.ciphertexts);
        let statement = MembershipStatement {
            key: ctx.key,
            ciphertext: &count_ct,
            set: &count_set,
        };
        check(
            BallotPart::Count,
            &self.count_proof,
            &mut count_transcript(&base),
            &statement,
        )
    }

    /// Verifies every proof of the ballot, one by one, and names the first that fails.
    pub fn verify(self, ctx: &BallotContext<'_>) -> Result<VerifiedBallot> {
        let id = self.id;
        self.proofs(ctx, |part, proof, t, statement| {
            proof
                .verify(t, statement)
                .map_err(|_| Error::BallotRejected { ballot: id, part })
        })?;
        Ok(VerifiedBallot::new(self, ctx))
    }

    /// Verifies many ballots as one random linear combination, bisecting on failure.
    ///
    /// Every valid ballot is accepted; every invalid one is returned with the error a single
    /// verification gives it (which names the failing proof).
    pub fn verify_batch(ballots: Vec<Self>, ctx: &BallotContext<'_>) -> BatchOutcome {
        let mut batch = BatchVerifier::new();
        let mut rejected = Vec::new();
        let mut queued = Vec::with_capacity(ballots.len());
        for ballot in ballots {
            batch.begin_item();
            let added = ballot.proofs(ctx, |_, proof, t, statement| {
                proof.verify_batched(t, statement, &mut batch)
            });
            match added {
                Ok(()) => queued.push(ballot),
                Err(e) => {
                    // Shape errors are found before any equation; drop the empty item.
                    batch.discard_last_item();
                    rejected.push((ballot.id, e));
                }
            }
        }
        let bad = match batch.verify() {
            Ok(()) => Vec::new(),
            Err(Error::BatchRejected { items }) => items,
            Err(_) => (0..queued.len()).collect(),
        };
        let mut accepted = Vec::with_capacity(queued.len());
        let mut bad = bad.into_iter().peekable();
        for (i, ballot) in queued.into_iter().enumerate() {
            if bad.peek() == Some(&i) {
                bad.next();
                let id = ballot.id;
                // Name the failing proof exactly.
                match ballot.verify(ctx) {
                    Ok(v) => accepted.push(v),
                    Err(e) => rejected.push((id, e)),
                }
            } else {
                accepted.push(VerifiedBallot::new(ballot, ctx));
            }
        }
        BatchOutcome { accepted, rejected }
    }

    /// Appends the canonical encoding to `out`.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<()> {
        out.extend_from_slice(&self.id.0);
        match &self.credential {
            Some(c) => {
                out.push(1);
                out.extend_from_slice(c);
            }
            None => out.push(0),
        }
        write_count(out, "ballot ciphertexts", self.ciphertexts.len())?;
        write_count(out, "count proof branches", self.count_proof.branches())?;
        for c in &self.ciphertexts {
            c.write(out);
        }
        for p in &self.option_proofs {
            p.write(out);
        }
        self.count_proof.write(out);
        Ok(())
    }

    /// The canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        // Counts are bounded by MAX_OPTIONS and MAX_BRANCHES, so writing cannot fail.
        let _ = self.write(&mut out);
        out
    }

    /// Decodes a ballot, validating every point, scalar and count.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut reader = Reader::new("encrypted ballot", bytes);
        let ballot = Self::read(&mut reader)?;
        reader.finish()?;
        Ok(ballot)
    }

    /// Reads a ballot from a longer encoding.
    pub fn read(reader: &mut Reader<'_>) -> Result<Self> {
        let id = BallotId(reader.array("ballot id")?);
        let credential = match reader.u8("credential flag")? {
            0 => None,
            1 => Some(reader.array("credential")?),
            _ => {
                return Err(Error::InvalidValue {
                    what: "credential flag",
                    reason: "must be 0 or 1",
                });
            }
        };
        let width = reader.count("ballot ciphertexts", 64 + MembershipProof::encoded_len(2))?;
        let branches = reader.u32("count proof branches")? as usize;
        if width == 0 || width > MAX_OPTIONS + 1 || branches == 0 || branches > MAX_BRANCHES {
            return Err(Error::InvalidValue {
                what: "encrypted ballot",
                reason: "ciphertext or branch count out of range",
            });
        }
        let mut ciphertexts = Vec::with_capacity(width);
        for _ in 0..width {
            ciphertexts.push(Ciphertext::read(reader)?);
        }
        let mut option_proofs = Vec::with_capacity(width);
        for _ in 0..width {
            option_proofs.push(MembershipProof::read(reader, 2)?);
        }
        let count_proof = MembershipProof::read(reader, branches)?;
        Ok(EncryptedBallot {
            id,
            credential,
            ciphertexts,
            option_proofs,
            count_proof,
        })
    }
}

/// The result of a batch verification: the valid ballots, and each invalid one with its error.
#[derive(Debug)]
pub struct BatchOutcome {
    /// The ballots whose proofs all verified, in input order.
    pub accepted: Vec<VerifiedBallot>,
    /// The ballots that failed, with the reason.
    pub rejected: Vec<(BallotId, Error)>,
}

/// A ballot whose proofs verified, together with where it was verified for.
///
/// Only [`EncryptedBallot::verify`] and [`EncryptedBallot::verify_batch`] make one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedBallot {
    ballot: EncryptedBallot,
    fingerprint: [u8; 32],
    key: [u8; 32],
    round: u32,
    contest: ContestSpec,
}

impl VerifiedBallot {
    fn new(ballot: EncryptedBallot, ctx: &BallotContext<'_>) -> Self {
        VerifiedBallot {
            ballot,
            fingerprint: *ctx.election.fingerprint(),
            key: ctx.key.to_bytes(),
            round: ctx.round,
            contest: ctx.contest.clone(),
        }
    }

    /// The ballot.
    pub fn ballot(&self) -> &EncryptedBallot {
        &self.ballot
    }

    /// The ballot id.
    pub fn id(&self) -> &BallotId {
        &self.ballot.id
    }

    /// Whether this ballot was verified for exactly this context.
    pub fn verified_for(&self, ctx: &BallotContext<'_>) -> bool {
        self.fingerprint == *ctx.election.fingerprint()
            && self.key == ctx.key.to_bytes()
            && self.round == ctx.round
            && self.contest == *ctx.contest
    }

    /// Unwraps the ballot (for storage; it must be verified again to be trusted).
    pub fn into_inner(self) -> EncryptedBallot {
        self.ballot
    }
}
