//! Reading the ceremony board (crate-internal): the exclusion rules of docs/SPEC.md §11.1.
//!
//! Every trustee and every verifier reads a [`CeremonyBoard`] with these functions, so that all
//! of them reach the same participants, dealers, exclusions and keys. Only public data goes in.
//!
//! For every entry (author a, bytes b) of round r, in this order:
//!
//! 1. a outside `1..=n`: the entry is ignored (there is no such trustee to exclude);
//! 2. b does not start with the header of round r's kind in this protocol version followed by
//!    this ceremony's id: the entry is ignored (it belongs to another object, run, election
//!    or protocol version, and is not a message of this ceremony);
//! 3. b does not decode, or its sender field is not a: a is excluded, `Malformed { round }`;
//! 4. a posted two different entries that pass rules 1 and 2: a is excluded,
//!    `Equivocation { round }` (unless rule 3 already excluded it);
//! 5. the checks of the round ([`Reading1`], [`Reading2`], [`Reading2::resolve`]).

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::traits::Identity;

use crate::elgamal::PublicKey;
use crate::encoding::header::header;
use crate::error::{CeremonyCheck, Error, Result};
use crate::group::Point;
use crate::proofs::BatchVerifier;
use crate::threshold::dkg::board::{CeremonyBoard, CeremonyRound, Message, Posted};
use crate::threshold::dkg::round3::Verdict;
use crate::threshold::dkg::{CeremonyContext, CeremonyOutcome, Exclusion, round1, round2, round3};
use crate::threshold::keys::PublicKeyPackage;
use crate::threshold::params::TrusteeIndex;
use crate::threshold::polynomial::evaluate_commitments;

/// What rules 1–4 make of the entries of one round: for each author in `1..=n` with at least
/// one entry of this ceremony in the round, in increasing order, its one message or the check
/// it failed (`Malformed`, `Equivocation`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Authored<M>(Vec<(TrusteeIndex, core::result::Result<M, CeremonyCheck>)>);

/// Rules 1 and 2: whether an entry of `round` is a message of this ceremony at all (an author
/// in `1..=n`, and the header of the round's kind in this version followed by this
/// ceremony's id). The others are ignored.
fn of_this_ceremony(ctx: &CeremonyContext, prefix: &[u8], entry: &Posted) -> bool {
    ctx.params().check(entry.author()).is_ok() && entry.bytes().starts_with(prefix)
}

/// The header and ceremony id every message of `round` of this ceremony starts with.
fn message_prefix(ctx: &CeremonyContext, round: CeremonyRound) -> Vec<u8> {
    let mut prefix = header(round.kind()).to_vec();
    prefix.extend_from_slice(ctx.id());
    prefix
}

/// The entries that rules 1 and 2 ignore, by round and author, in board order.
pub(crate) fn ignored(ctx: &CeremonyContext, board: &CeremonyBoard) -> Vec<(CeremonyRound, u32)> {
    let mut out = Vec::new();
    for round in CeremonyRound::ALL {
        let prefix = message_prefix(ctx, round);
        for entry in board.entries(round) {
            if !of_this_ceremony(ctx, &prefix, entry) {
                out.push((round, entry.author().get()));
            }
        }
    }
    out
}

impl<M: Message> Authored<M> {
    /// Rules 1–4 on the entries of `M`'s round.
    pub(crate) fn read(ctx: &CeremonyContext, board: &CeremonyBoard) -> Self {
        let round = M::ROUND.number();
        let malformed = CeremonyCheck::Malformed { round };
        let prefix = message_prefix(ctx, M::ROUND);
        let mut out: Vec<(TrusteeIndex, core::result::Result<M, CeremonyCheck>)> = Vec::new();
        // The entries come by author, so one author's entries are consecutive.
        for entry in board.entries(M::ROUND) {
            let author = entry.author();
            // Rules 1 and 2 > no such trustee; another kind, version or ceremony: not a
            // message of this ceremony.
            if !of_this_ceremony(ctx, &prefix, entry) {
                continue;
            }
            // Rule 3 > a body that does not decode, or that another trustee sent.
            let read = match M::decode(entry.bytes()) {
                Ok(m) if m.sender() == author => Ok(m),
                _ => Err(malformed),
            };
            match out.last_mut() {
                // Rule 4 > a second, different entry (the board keeps identical ones once);
                // a malformed entry is named before the equivocation.
                Some((last, previous)) if *last == author => {
                    let malformed_before = matches!(previous, Err(CeremonyCheck::Malformed { .. }));
                    *previous = Err(if malformed_before || read.is_err() {
                        malformed
                    } else {
                        CeremonyCheck::Equivocation { round }
                    });
                }
                _ => out.push((author, read)),
            }
        }
        Authored(out)
    }

    fn get(&self, i: TrusteeIndex) -> Option<&core::result::Result<M, CeremonyCheck>> {
        self.0
            .binary_search_by_key(&i, |(a, _)| *a)
            .ok()
            .and_then(|k| self.0.get(k))
            .map(|(_, read)| read)
    }
}

/// The exclusions so far: one reason per trustee, the first found.
#[derive(Clone, Debug, Default)]
struct Exclusions(Vec<Exclusion>);

impl Exclusions {
    fn add(&mut self, trustee: TrusteeIndex, check: CeremonyCheck) {
        if !self.contains(trustee) {
            self.0.push(Exclusion::new(trustee, check));
        }
    }

    fn contains(&self, trustee: TrusteeIndex) -> bool {
        self.0.iter().any(|e| e.trustee() == trustee)
    }

    fn get(&self, trustee: TrusteeIndex) -> Option<&Exclusion> {
        self.0.iter().find(|e| e.trustee() == trustee)
    }

    fn sorted(&self) -> Vec<Exclusion> {
        let mut out = self.0.clone();
        out.sort_by_key(Exclusion::trustee);
        out
    }

    fn culprits(&self) -> Vec<u32> {
        self.sorted().iter().map(|e| e.trustee().get()).collect()
    }
}

fn enough(ctx: &CeremonyContext, qualified: usize, excluded: &Exclusions) -> Result<()> {
    let needed = ctx.params().threshold();
    let qualified = u32::try_from(qualified).unwrap_or(u32::MAX);
    if qualified < needed {
        return Err(Error::CeremonyFailed {
            needed,
            qualified,
            culprits: excluded.culprits(),
        });
    }
    Ok(())
}

fn own_missing() -> Error {
    Error::InvalidValue {
        what: "ceremony board",
        reason: "this trustee's own message is missing or altered",
    }
}

/// Checks that a trustee's own message is the one the board holds for it: its exclusion if it
/// was excluded, [`own_missing`] if the board holds no message of it or another one.
fn check_own<M: PartialEq>(
    excluded: &Exclusions,
    me: TrusteeIndex,
    on_board: Option<&M>,
    own: &M,
) -> Result<()> {
    if let Some(e) = excluded.get(me) {
        return Err(e.to_error());
    }
    match on_board {
        Some(p) if p == own => Ok(()),
        _ => Err(own_missing()),
    }
}

/// The board after round 1: the participants (valid round-1 packages, by index).
#[derive(Clone, Debug)]
pub(crate) struct Reading1 {
    authored: Authored<round1::Package>,
    participants: Vec<round1::Package>,
    excluded: Exclusions,
}

impl Reading1 {
    /// Round 2, Step 1 > read round 1 of the board.
    pub(crate) fn new(ctx: &CeremonyContext, board: &CeremonyBoard) -> Result<Self> {
        let authored = Authored::<round1::Package>::read(ctx, board);
        let mut excluded = Exclusions::default();
        let mut participants = Vec::new();
        for i in ctx.params().indices() {
            match authored.get(i) {
                None => excluded.add(i, CeremonyCheck::Missing { round: 1 }),
                Some(Err(check)) => excluded.add(i, *check),
                Some(Ok(p)) => match p.verify_proof(ctx) {
                    Ok(()) => participants.push(p.clone()),
                    Err(_) => excluded.add(i, CeremonyCheck::CommunicationKeyProof),
                },
            }
        }
        enough(ctx, participants.len(), &excluded)?;
        Ok(Reading1 {
            authored,
            participants,
            excluded,
        })
    }

    /// Checks that round 1 of `board` still reads as it did ([`Error::CeremonyBoardChanged`]).
    pub(crate) fn check_unchanged(
        &self,
        ctx: &CeremonyContext,
        board: &CeremonyBoard,
    ) -> Result<()> {
        if Authored::<round1::Package>::read(ctx, board) == self.authored {
            Ok(())
        } else {
            Err(Error::CeremonyBoardChanged { round: 1 })
        }
    }

    pub(crate) fn participants(&self) -> &[round1::Package] {
        &self.participants
    }

    pub(crate) fn participant(&self, i: TrusteeIndex) -> Option<&round1::Package> {
        self.participants.iter().find(|p| p.sender() == i)
    }

    /// Why trustee `i` is not a participant, if it was excluded in round 1.
    pub(crate) fn exclusion(&self, i: TrusteeIndex) -> Option<&Exclusion> {
        self.excluded.get(i)
    }

    /// Checks that this trustee's own package is on the board, unaltered and valid.
    pub(crate) fn check_own(&self, me: TrusteeIndex, own: &round1::Package) -> Result<()> {
        check_own(&self.excluded, me, self.participant(me), own)
    }
}

/// The board after round 2: the dealers (valid reveals, by index).
#[derive(Clone, Debug)]
pub(crate) struct Reading2 {
    reading1: Reading1,
    authored: Authored<round2::Package>,
    dealers: Vec<round2::Package>,
    excluded: Exclusions,
}

impl Reading2 {
    /// Round 3, Step 1 > read round 2 of the board.
    pub(crate) fn new(
        ctx: &CeremonyContext,
        reading1: Reading1,
        board: &CeremonyBoard,
    ) -> Result<Self> {
        let authored = Authored::<round2::Package>::read(ctx, board);
        let mut excluded = reading1.excluded.clone();
        let indices: Vec<TrusteeIndex> = reading1.participants.iter().map(|p| p.sender()).collect();
        // Structure first; the proofs of all remaining dealers in one batch, one item each.
        // A round-2 entry from a trustee that is not a participant is not read further.
        let mut candidates: Vec<&round2::Package> = Vec::new();
        let mut batch = BatchVerifier::new();
        for r1 in &reading1.participants {
            let i = r1.sender();
            let p = match authored.get(i) {
                None => {
                    excluded.add(i, CeremonyCheck::Missing { round: 2 });
                    continue;
                }
                Some(Err(check)) => {
                    excluded.add(i, *check);
                    continue;
                }
                Some(Ok(p)) => p,
            };
            match p.check_structure(ctx, r1, &indices) {
                Err(check) => excluded.add(i, check),
                Ok(()) => {
                    batch.begin_item();
                    p.add_proofs(ctx, &mut batch);
                    candidates.push(p);
                }
            }
        }
        if let Err(e) = batch.verify() {
            let bad: Vec<usize> = match e {
                Error::BatchRejected { items } => items,
                _ => (0..candidates.len()).collect(),
            };
            for k in bad {
                if let Some(p) = candidates.get(k) {
                    excluded.add(p.sender(), p.first_bad_proof(ctx));
                }
            }
        }
        let dealers: Vec<round2::Package> = candidates
            .into_iter()
            .filter(|p| !excluded.contains(p.sender()))
            .cloned()
            .collect();
        enough(ctx, dealers.len(), &excluded)?;
        Ok(Reading2 {
            reading1,
            authored,
            dealers,
            excluded,
        })
    }

    /// Checks that rounds 1 and 2 of `board` still read as they did
    /// ([`Error::CeremonyBoardChanged`]).
    pub(crate) fn check_unchanged(
        &self,
        ctx: &CeremonyContext,
        board: &CeremonyBoard,
    ) -> Result<()> {
        self.reading1.check_unchanged(ctx, board)?;
        if Authored::<round2::Package>::read(ctx, board) == self.authored {
            Ok(())
        } else {
            Err(Error::CeremonyBoardChanged { round: 2 })
        }
    }

    pub(crate) fn dealers(&self) -> &[round2::Package] {
        &self.dealers
    }

    fn dealer(&self, i: TrusteeIndex) -> Option<&round2::Package> {
        self.dealers.iter().find(|p| p.sender() == i)
    }

    /// Checks that this trustee's own reveal is on the board, unaltered and valid.
    pub(crate) fn check_own(&self, me: TrusteeIndex, own: &round2::Package) -> Result<()> {
        check_own(&self.excluded, me, self.dealer(me), own)
    }

    /// Round 4 > read round 3 of the board, resolve every complaint, fix the qualified set and
    /// compute the public key package. For a trustee, also checks that its own round-3 package
    /// is the one the board holds for it.
    ///
    /// Round 3's entries go through rules 1–4 first (in increasing order of author); then the
    /// complaints of the accepted packages, in increasing order of complainer j and, within a
    /// package, of dealer i:
    ///
    /// * a complaint from a trustee that is not a participant is ignored (no share was dealt
    ///   to it);
    /// * a complaint against a trustee that is not a dealer is ignored: its shares are never
    ///   used, and they may carry an ephemeral key whose logarithm it does not know, so they
    ///   are never opened;
    /// * every other complaint is judged against the round-2 dealers, whatever the other
    ///   complaints say (so the set of exclusions does not depend on their order; only the
    ///   reason recorded for a trustee does, the first one in this order);
    /// * a complaint from a participant that is not a dealer is judged like any other: a
    ///   dealer owes a correct share to every participant, and the complaint opens only the
    ///   share to the complainer, which the complainer knows anyway.
    pub(crate) fn resolve(
        &self,
        ctx: &CeremonyContext,
        board: &CeremonyBoard,
        own: Option<(TrusteeIndex, &round3::Package)>,
    ) -> Result<CeremonyOutcome> {
        let authored = Authored::<round3::Package>::read(ctx, board);
        if let Some((me, own)) = own {
            match authored.get(me) {
                Some(Ok(p)) if p == own => {}
                Some(Err(check)) => {
                    return Err(Error::TrusteeRejected {
                        trustee: me.get(),
                        check: *check,
                    });
                }
                _ => return Err(own_missing()),
            }
        }
        let mut excluded = self.excluded.clone();
        let mut verdicts = Vec::new();
        for (j, read) in &authored.0 {
            let p = match read {
                Err(check) => {
                    excluded.add(*j, *check);
                    continue;
                }
                Ok(p) => p,
            };
            let Some(r1) = self.reading1.participant(*j) else {
                continue;
            };
            for c in p.complaints() {
                let Some(dealer) = self.dealer(c.dealer()) else {
                    continue;
                };
                verdicts.push((
                    *j,
                    c.dealer(),
                    c.verdict(ctx, *j, r1.communication_key(), dealer),
                ));
            }
        }
        for (j, i, verdict) in verdicts {
            match verdict {
                Verdict::DealerCheated => {
                    excluded.add(i, CeremonyCheck::BadShare { recipient: j.get() })
                }
                Verdict::FalseComplaint => {
                    excluded.add(j, CeremonyCheck::FalseComplaint { dealer: i.get() })
                }
                Verdict::InvalidComplaint => {
                    excluded.add(j, CeremonyCheck::InvalidComplaint { dealer: i.get() })
                }
            }
        }
        // Round 4, Step 1 > QUAL: the dealers that no check excluded.
        let qualified: Vec<&round2::Package> = self
            .dealers
            .iter()
            .filter(|d| !excluded.contains(d.sender()))
            .collect();
        enough(ctx, qualified.len(), &excluded)?;
        // Round 4, Step 2 > A_k = Σ_{i∈QUAL} C_{i,k};  Y = A_0;  Y_j = Σ_k j^k·A_k.
        let t = ctx.params().threshold() as usize;
        let mut sums = vec![RistrettoPoint::identity(); t];
        for d in &qualified {
            for (sum, c) in sums.iter_mut().zip(d.commitments()) {
                *sum += c.element();
            }
        }
        let joint = sums
            .first()
            .copied()
            .unwrap_or_else(RistrettoPoint::identity);
        let joint_key = PublicKey::from_point(Point::from(joint))?;
        let mut shares = Vec::with_capacity(qualified.len());
        for d in &qualified {
            let j = d.sender();
            let y = Point::from(evaluate_commitments(j, sums.iter()))
                .non_identity("verification share")?;
            shares.push((j, y));
        }
        let public = PublicKeyPackage::from_ceremony(ctx.params(), joint_key, shares)?;
        Ok(CeremonyOutcome {
            public,
            excluded: excluded.sorted(),
        })
    }
}
