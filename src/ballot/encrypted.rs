//! Encrypted ballots, their proofs, their encoding, and verified ballots.

use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroizing;

use super::layout::Layout;
use super::{BallotContext, BallotId, BallotNonces, ContestSpec, MAX_OPTIONS, Selection};
use crate::credential::{CredentialSecret, PublicCredential};
use crate::domain::{ObjectKind, label};
use crate::elgamal::{Ciphertext, Nonce};
use crate::encoding::{read_header, write_header};
use crate::error::{BallotPart, Error, Result};
use crate::group::{Reader, write_count};
use crate::proofs::{
    BatchVerifier, MembershipProof, MembershipStatement, OneOfManyProof, OneOfManyStatement, Radix,
    SchnorrProof, SchnorrStatement,
};
use crate::transcript::TranscriptExt;
use curve25519_dalek::scalar::Scalar;
use merlin::Transcript;

#[cfg(feature = "serde")]
crate::encoding::serde_via_bytes!(EncryptedBallot, "encrypted ballot");

/// An encrypted ballot, as it arrives from a voter's device: not yet verified.
///
/// In an election with a roll it carries its public credential and a signature under it
/// (docs/SPEC.md §16.3); without one, neither.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptedBallot {
    id: BallotId,
    credential: Option<PublicCredential>,
    ciphertexts: Vec<Ciphertext>,
    proofs: BallotProofs,
    /// Present exactly when `credential` is (the decoder and `encrypt` make sure).
    signature: Option<SchnorrProof>,
}

/// The proofs of a ballot, in one of its two forms (docs/SPEC.md §6.2).
#[derive(Clone, Debug, PartialEq, Eq)]
enum BallotProofs {
    /// Form 0 (layouts 0 and 1): a membership proof per ciphertext that has one, and the
    /// count proof.
    Membership {
        options: Vec<MembershipProof>,
        count: MembershipProof,
    },
    /// Form 1 (layout 2): one one-out-of-many proof over all the ciphertexts (boxed: it is
    /// larger than the membership proofs' vectors).
    OneOfMany(Box<OneOfManyProof>),
}

/// The transcript of a ballot's signature: the context, the credential, and the ballot's
/// encoding up to the signature.
fn signature_transcript(
    ctx: &BallotContext<'_>,
    credential: &PublicCredential,
    body: &[u8],
) -> Transcript {
    let mut t = ctx.election.transcript(label::BALLOT_SIGNATURE);
    t.append_count(b"round", u64::from(ctx.round));
    ctx.contest.append_to(&mut t);
    t.append_message(b"credential", &credential.0);
    t.append_message(b"ballot", body);
    t
}

/// The ballot transcript all proofs of a ballot fork from.
fn ballot_transcript(
    ctx: &BallotContext<'_>,
    id: &BallotId,
    credential: Option<&PublicCredential>,
    ciphertexts: &[Ciphertext],
) -> Transcript {
    let mut t = ctx.election.transcript(label::BALLOT);
    t.append_count(b"round", u64::from(ctx.round));
    ctx.contest.append_to(&mut t);
    t.append_message(b"ballot-id", &id.0);
    t.append_message(b"credential", credential.map_or(&[][..], |c| &c.0[..]));
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

/// The count ciphertext: Σ wᵢ·Cᵢ with the layout's weights (Σ options + max·abstention per
/// option; the plain sum of the chunks when packed, which is the ciphertext itself for one).
fn count_ciphertext(contest: &ContestSpec, ciphertexts: &[Ciphertext]) -> Ciphertext {
    if let [single] = ciphertexts {
        // Weight 1 in every layout: keep the decoded points and their cached encodings.
        return single.clone();
    }
    let layout = contest.layout();
    let options = contest.options() as usize;
    ciphertexts
        .iter()
        .enumerate()
        .map(
            |(i, c)| match layout.count_weight(i, options, contest.max()) {
                1 => c.clone(),
                w => c * &Scalar::from(w),
            },
        )
        .sum()
}

/// The proofs of form 0: a membership proof per ciphertext that has one (per option), and the
/// count proof.
fn membership_proofs<R: RngCore + CryptoRng>(
    ctx: &BallotContext<'_>,
    base: &Transcript,
    ciphertexts: &[Ciphertext],
    nonces: &[Nonce],
    plaintexts: &[u64],
    rng: &mut R,
) -> Result<BallotProofs> {
    let contest = ctx.contest;
    let layout = contest.layout();
    let sets = layout.ciphertext_sets(contest.slots());
    let mut option_proofs = Vec::with_capacity(sets.len());
    // Per option every ciphertext has its own proof; packed in one ciphertext, none (then
    // `sets` is empty).
    let witnesses = ciphertexts.iter().zip(nonces).zip(plaintexts.iter());
    for (j, (set, ((c, r), &m))) in sets.iter().zip(witnesses).enumerate() {
        let statement = MembershipStatement {
            key: ctx.key,
            ciphertext: c,
            set,
        };
        option_proofs.push(MembershipProof::prove(
            &mut option_transcript(base, j),
            &statement,
            m,
            r,
            rng,
        )?);
    }
    // The count and its nonce, with the same weights as `count_ciphertext`.
    let options = contest.options() as usize;
    let mut count = Zeroizing::new(0u64);
    let mut count_nonce = Nonce(Scalar::ZERO);
    for (j, (r, &m)) in nonces.iter().zip(plaintexts.iter()).enumerate() {
        let weight = layout.count_weight(j, options, contest.max());
        *count = count.wrapping_add(weight.wrapping_mul(m));
        count_nonce.0 += r.0 * Scalar::from(weight);
    }
    let count_set = contest.count_set();
    let count_ct = count_ciphertext(contest, ciphertexts);
    let statement = MembershipStatement {
        key: ctx.key,
        ciphertext: &count_ct,
        set: &count_set,
    };
    let count_proof = MembershipProof::prove(
        &mut count_transcript(base),
        &statement,
        *count,
        &count_nonce,
        rng,
    )?;
    Ok(BallotProofs::Membership {
        options: option_proofs,
        count: count_proof,
    })
}

impl EncryptedBallot {
    /// Encrypts `selection` for the contest in `ctx`, proves it well formed and, in an
    /// election with a roll, signs it with the member's `credential`. Returns the ballot and
    /// its nonces (keep them only to open a challenged ballot).
    ///
    /// A credential is required exactly when `ctx` has a roll ([`Error::CredentialMissing`],
    /// [`Error::UnexpectedCredential`]), and must be on it ([`Error::CredentialNotOnRoll`]).
    pub fn encrypt<R: RngCore + CryptoRng>(
        ctx: &BallotContext<'_>,
        selection: &Selection,
        id: BallotId,
        credential: Option<&CredentialSecret>,
        rng: &mut R,
    ) -> Result<(Self, BallotNonces)> {
        let contest = ctx.contest;
        if selection.values().len() != contest.slots() {
            return Err(Error::InvalidSelection {
                reason: "the selection is for another contest",
            });
        }
        let public = credential.map(CredentialSecret::public);
        match (ctx.eligibility, public) {
            (None, None) => {}
            (None, Some(_)) => return Err(Error::UnexpectedCredential { ballot: id }),
            (Some(_), None) => return Err(Error::CredentialMissing { ballot: id }),
            (Some(e), Some(c)) => {
                if !e.roll.contains(&c) {
                    return Err(Error::CredentialNotOnRoll {
                        ballot: id,
                        credential: c,
                    });
                }
            }
        }
        let layout = contest.layout();
        let plaintexts = layout.plaintexts(selection.values());
        let (ciphertexts, nonces) =
            ctx.key
                .encrypt_many(&plaintexts, layout == Layout::PerOption, rng);
        let base = ballot_transcript(ctx, &id, public.as_ref(), &ciphertexts);
        let proofs = match layout {
            Layout::PackedOneOfMany { .. } => {
                let statements = contest.statements();
                let statement = OneOfManyStatement {
                    key: ctx.key,
                    ciphertexts: &ciphertexts,
                    statements: &statements,
                };
                let index = Layout::statement_index(selection.values());
                BallotProofs::OneOfMany(Box::new(OneOfManyProof::prove(
                    &mut count_transcript(&base),
                    &statement,
                    *index,
                    &nonces,
                    rng,
                )?))
            }
            Layout::PerOption | Layout::Packed { .. } => {
                membership_proofs(ctx, &base, &ciphertexts, &nonces, &plaintexts, rng)?
            }
        };
        let mut ballot = EncryptedBallot {
            id,
            credential: public,
            ciphertexts,
            proofs,
            signature: None,
        };
        if let (Some(secret), Some(c)) = (credential, public) {
            let mut t = signature_transcript(ctx, &c, &ballot.body_bytes());
            ballot.signature = Some(crate::credential::sign(&mut t, secret, rng));
        }
        Ok((ballot, BallotNonces::new(nonces)))
    }

    /// The ballot id.
    pub fn id(&self) -> &BallotId {
        &self.id
    }

    /// The public credential the ballot is signed with and its proofs are bound to, if any.
    pub fn credential(&self) -> Option<&PublicCredential> {
        self.credential.as_ref()
    }

    /// The encoding up to the signature: what the signature signs.
    fn body_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        // Counts are bounded by MAX_OPTIONS and MAX_BRANCHES, so writing cannot fail.
        let _ = self.write_body(&mut out);
        out
    }

    /// Checks the ballot's credential against the roll of `ctx` (present exactly when the
    /// context has a roll, and on it) and feeds its signature to `check`. Errors come before
    /// any equation, like shape errors.
    fn credential_check(
        &self,
        ctx: &BallotContext<'_>,
        check: impl FnOnce(&SchnorrProof, &mut Transcript, &SchnorrStatement<'_>),
    ) -> Result<()> {
        let id = self.id;
        match (ctx.eligibility, &self.credential, &self.signature) {
            (None, None, _) => Ok(()),
            (None, Some(_), _) => Err(Error::UnexpectedCredential { ballot: id }),
            (Some(_), None, _) => Err(Error::CredentialMissing { ballot: id }),
            (Some(_), Some(_), None) => Err(Error::BallotMalformed {
                ballot: id,
                reason: "a credential without a signature",
            }),
            (Some(e), Some(c), Some(signature)) => {
                let point = e.roll.point_of(c).ok_or(Error::CredentialNotOnRoll {
                    ballot: id,
                    credential: *c,
                })?;
                let mut t = signature_transcript(ctx, c, &self.body_bytes());
                check(signature, &mut t, &SchnorrStatement { public: point });
                Ok(())
            }
        }
    }

    /// The ciphertexts: one per option, then the abstention.
    pub fn ciphertexts(&self) -> &[Ciphertext] {
        &self.ciphertexts
    }

    fn shape_error(&self) -> Error {
        Error::BallotMalformed {
            ballot: self.id,
            reason: "its shape does not match the contest",
        }
    }

    /// Adds the equations of every proof of the ballot to `batch`, calling `before` with the
    /// part each proof is of just before its equations. A shape that does not match the
    /// contest is an error before any equation.
    fn add_proofs(
        &self,
        ctx: &BallotContext<'_>,
        batch: &mut BatchVerifier,
        mut before: impl FnMut(BallotPart, &mut BatchVerifier),
    ) -> Result<()> {
        let contest = ctx.contest;
        if self.ciphertexts.len() != contest.width() {
            return Err(self.shape_error());
        }
        let base = ballot_transcript(ctx, &self.id, self.credential.as_ref(), &self.ciphertexts);
        match (&self.proofs, contest.layout()) {
            (BallotProofs::OneOfMany(proof), Layout::PackedOneOfMany { radix, .. }) => {
                if proof.radix() != radix {
                    return Err(self.shape_error());
                }
                let statements = contest.statements();
                let statement = OneOfManyStatement {
                    key: ctx.key,
                    ciphertexts: &self.ciphertexts,
                    statements: &statements,
                };
                before(BallotPart::Choice, batch);
                proof.verify_batched(&mut count_transcript(&base), &statement, batch)
            }
            (
                BallotProofs::Membership { options, count },
                Layout::PerOption | Layout::Packed { .. },
            ) => {
                let sets = contest.layout().ciphertext_sets(contest.slots());
                let count_set = contest.count_set();
                if options.len() != sets.len()
                    || count.branches() != count_set.len()
                    || options
                        .iter()
                        .zip(&sets)
                        .any(|(p, set)| p.branches() != set.len())
                {
                    return Err(self.shape_error());
                }
                for (j, ((c, proof), set)) in
                    self.ciphertexts.iter().zip(options).zip(&sets).enumerate()
                {
                    let statement = MembershipStatement {
                        key: ctx.key,
                        ciphertext: c,
                        set,
                    };
                    before(BallotPart::Option(j), batch);
                    proof.verify_batched(&mut option_transcript(&base, j), &statement, batch)?;
                }
                let count_ct = count_ciphertext(contest, &self.ciphertexts);
                let statement = MembershipStatement {
                    key: ctx.key,
                    ciphertext: &count_ct,
                    set: &count_set,
                };
                before(BallotPart::Count, batch);
                count.verify_batched(&mut count_transcript(&base), &statement, batch)
            }
            _ => Err(self.shape_error()),
        }
    }

    /// The points a ballot of this contest adds to a batch, about (to reserve room).
    fn batch_terms(ctx: &BallotContext<'_>) -> usize {
        let contest = ctx.contest;
        let proofs = match contest.layout() {
            Layout::PackedOneOfMany { radix, .. } => radix.points(),
            Layout::PerOption | Layout::Packed { .. } => {
                // Two commitments per branch of every proof, and α, β of the count.
                let branches: usize = contest
                    .layout()
                    .ciphertext_sets(contest.slots())
                    .iter()
                    .map(Vec::len)
                    .sum::<usize>()
                    + contest.count_set().len();
                2 * branches + 2
            }
        };
        // With a roll, the signature: its R, and the credential's S from the roll.
        let signature = if ctx.eligibility.is_some() { 2 } else { 0 };
        proofs + 2 * contest.width() + signature
    }

    /// Verifies the ballot's credential and signature (in an election with a roll) and every
    /// proof, and names the first that fails.
    ///
    /// The signature and all proofs of the ballot are checked as one random linear
    /// combination, with one item each, so that a failure names the signature or the proof.
    pub fn verify(self, ctx: &BallotContext<'_>) -> Result<VerifiedBallot> {
        let id = self.id;
        let mut batch = BatchVerifier::new();
        let mut parts = Vec::with_capacity(ctx.contest.width() + 2);
        self.credential_check(ctx, |signature, t, statement| {
            batch.begin_item();
            parts.push(BallotPart::Signature);
            signature.verify_batched(t, statement, &mut batch);
        })?;
        self.add_proofs(ctx, &mut batch, |part, batch| {
            batch.begin_item();
            parts.push(part);
        })?;
        match batch.verify() {
            Ok(()) => Ok(VerifiedBallot::new(self, ctx)),
            Err(Error::BatchRejected { items }) => {
                let part = items
                    .first()
                    .and_then(|i| parts.get(*i))
                    .copied()
                    .unwrap_or(BallotPart::Count);
                Err(Error::BallotRejected { ballot: id, part })
            }
            Err(e) => Err(e),
        }
    }

    /// Verifies many ballots as one random linear combination, bisecting on failure.
    ///
    /// Every valid ballot is accepted; every invalid one is returned with the error a single
    /// verification gives it (which names the failing proof).
    pub fn verify_batch(ballots: Vec<Self>, ctx: &BallotContext<'_>) -> BatchOutcome {
        let mut accepted = Vec::with_capacity(ballots.len());
        let mut rejected = Vec::new();
        for verdict in Self::verify_batch_in_order(ballots, ctx) {
            match verdict {
                Ok(b) => accepted.push(b),
                Err(r) => rejected.push(r),
            }
        }
        BatchOutcome { accepted, rejected }
    }

    /// [`EncryptedBallot::verify_batch`], with one verdict per ballot in input order.
    pub fn verify_batch_in_order(
        ballots: Vec<Self>,
        ctx: &BallotContext<'_>,
    ) -> Vec<core::result::Result<VerifiedBallot, (BallotId, Error)>> {
        let mut batch = BatchVerifier::new();
        batch.reserve(ballots.len(), Self::batch_terms(ctx));
        // Each ballot: its verdict if already known (a shape error), or its batch item.
        let mut pending: Vec<core::result::Result<Self, (BallotId, Error)>> =
            Vec::with_capacity(ballots.len());
        for ballot in ballots {
            batch.begin_item();
            let added = ballot
                .credential_check(ctx, |signature, t, statement| {
                    signature.verify_batched(t, statement, &mut batch)
                })
                .and_then(|()| ballot.add_proofs(ctx, &mut batch, |_, _| {}));
            match added {
                Ok(()) => pending.push(Ok(ballot)),
                Err(e) => {
                    // Shape errors are found before any equation; drop the empty item.
                    batch.discard_last_item();
                    pending.push(Err((ballot.id, e)));
                }
            }
        }
        let queued = pending.iter().filter(|p| p.is_ok()).count();
        let bad = match batch.verify() {
            Ok(()) => Vec::new(),
            Err(Error::BatchRejected { items }) => items,
            Err(_) => (0..queued).collect(),
        };
        let mut bad = bad.into_iter().peekable();
        let mut item = 0usize;
        pending
            .into_iter()
            .map(|p| {
                let ballot = p?;
                let this = item;
                item += 1;
                if bad.peek() == Some(&this) {
                    bad.next();
                    let id = ballot.id;
                    // Name the failing proof exactly.
                    ballot.verify(ctx).map_err(|e| (id, e))
                } else {
                    Ok(VerifiedBallot::new(ballot, ctx))
                }
            })
            .collect()
    }

    /// Appends the canonical encoding to `out`.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<()> {
        self.write_body(out)?;
        if let Some(signature) = &self.signature {
            signature.write(out);
        }
        Ok(())
    }

    /// Appends the encoding up to the signature.
    fn write_body(&self, out: &mut Vec<u8>) -> Result<()> {
        write_header(out, ObjectKind::Ballot);
        out.extend_from_slice(&self.id.0);
        match &self.credential {
            Some(c) => {
                out.push(1);
                out.extend_from_slice(&c.0);
            }
            None => out.push(0),
        }
        write_count(out, "ballot ciphertexts", self.ciphertexts.len())?;
        for c in &self.ciphertexts {
            c.write(out);
        }
        match &self.proofs {
            BallotProofs::Membership { options, count } => {
                out.push(FORM_MEMBERSHIP);
                write_count(out, "ballot proofs", options.len())?;
                for p in options.iter().chain([count]) {
                    write_count(out, "proof branches", p.branches())?;
                    p.write(out);
                }
            }
            BallotProofs::OneOfMany(proof) => {
                out.push(FORM_ONE_OF_MANY);
                write_count(out, "proof radix", proof.radix().radix())?;
                write_count(out, "proof digits", proof.radix().digits())?;
                proof.write(out);
            }
        }
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
        Reader::decode_all("encrypted ballot", bytes, Self::read)
    }

    /// Reads a ballot from a longer encoding.
    pub fn read(reader: &mut Reader<'_>) -> Result<Self> {
        read_header(reader, ObjectKind::Ballot)?;
        let id = BallotId(reader.array("ballot id")?);
        let credential = match reader.u8("credential flag")? {
            0 => None,
            1 => Some(PublicCredential(reader.array("credential")?)),
            _ => {
                return Err(Error::InvalidValue {
                    what: "credential flag",
                    reason: "must be 0 or 1",
                });
            }
        };
        let width = reader.count("ballot ciphertexts", 64)?;
        if width == 0 || width > MAX_OPTIONS + 1 {
            return Err(Error::InvalidValue {
                what: "encrypted ballot",
                reason: "ciphertext count out of range",
            });
        }
        let mut ciphertexts = Vec::with_capacity(width);
        for _ in 0..width {
            ciphertexts.push(Ciphertext::read(reader)?);
        }
        let proofs = match reader.u8("proof form")? {
            FORM_MEMBERSHIP => Self::read_membership(reader, width)?,
            FORM_ONE_OF_MANY => {
                let n = reader.u32("proof radix")? as usize;
                let d = reader.u32("proof digits")? as usize;
                // `OneOfManyProof::read` checks the length first.
                BallotProofs::OneOfMany(Box::new(OneOfManyProof::read(reader, Radix::new(n, d)?)?))
            }
            _ => {
                return Err(Error::InvalidValue {
                    what: "proof form",
                    reason: "must be 0 or 1",
                });
            }
        };
        let signature = match credential {
            Some(_) => Some(SchnorrProof::read(reader)?),
            None => None,
        };
        Ok(EncryptedBallot {
            id,
            credential,
            ciphertexts,
            proofs,
            signature,
        })
    }

    /// Reads the proofs of form 0: the own proofs (at most one per ciphertext) and the count
    /// proof, each after its branch count.
    fn read_membership(reader: &mut Reader<'_>, width: usize) -> Result<BallotProofs> {
        let proofs = reader.count("ballot proofs", 4 + MembershipProof::encoded_len(1))?;
        if proofs > width {
            return Err(Error::InvalidValue {
                what: "encrypted ballot",
                reason: "more ciphertext proofs than ciphertexts",
            });
        }
        // `MembershipProof::read` bounds the branch count and checks the length first.
        let read_proof = |reader: &mut Reader<'_>| {
            let branches = reader.u32("proof branches")? as usize;
            MembershipProof::read(reader, branches)
        };
        let mut options = Vec::with_capacity(proofs);
        for _ in 0..proofs {
            options.push(read_proof(reader)?);
        }
        let count = read_proof(reader)?;
        Ok(BallotProofs::Membership { options, count })
    }
}

/// The proof form byte of a ballot's encoding (§6.2): membership proofs.
const FORM_MEMBERSHIP: u8 = 0;
/// The proof form byte: one one-out-of-many proof.
const FORM_ONE_OF_MANY: u8 = 1;

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
    /// The digest of the roll its credential was checked against, if any.
    roll: Option<[u8; 32]>,
}

impl VerifiedBallot {
    fn new(ballot: EncryptedBallot, ctx: &BallotContext<'_>) -> Self {
        VerifiedBallot {
            ballot,
            fingerprint: *ctx.election.fingerprint(),
            key: ctx.key.to_bytes(),
            round: ctx.round,
            contest: ctx.contest.clone(),
            roll: ctx.eligibility.map(|e| *e.roll.digest()),
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
            && self.roll == ctx.eligibility.map(|e| *e.roll.digest())
    }

    /// Unwraps the ballot (for storage; it must be verified again to be trusted).
    pub fn into_inner(self) -> EncryptedBallot {
        self.ballot
    }
}
