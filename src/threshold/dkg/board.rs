//! The public board of the ceremony, read round by round (crate-internal).
//!
//! Every trustee and every verifier reads the board with these functions, so that all of them
//! reach the same participants, dealers, exclusions and keys. Only public messages go in.

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::traits::Identity;

use crate::elgamal::PublicKey;
use crate::error::{CeremonyCheck, Error, Result};
use crate::group::Point;
use crate::proofs::BatchVerifier;
use crate::threshold::dkg::round3::Verdict;
use crate::threshold::dkg::{CeremonyContext, CeremonyOutcome, Exclusion, round1, round2, round3};
use crate::threshold::keys::PublicKeyPackage;
use crate::threshold::params::TrusteeIndex;
use crate::threshold::polynomial::evaluate_commitments;

/// Rejects, for the whole board, a message from another ceremony, a sender outside `1..=n`
/// and two messages from one sender: the board accepts one message per trustee and round.
fn check_headers<'a>(
    ctx: &CeremonyContext,
    headers: impl Iterator<Item = (&'a [u8; 32], TrusteeIndex)>,
) -> Result<()> {
    let mut seen: Vec<TrusteeIndex> = Vec::new();
    for (ceremony, sender) in headers {
        ctx.check_header(ceremony, sender)?;
        if seen.contains(&sender) {
            return Err(Error::DuplicateTrustee {
                trustee: sender.get(),
            });
        }
        seen.push(sender);
    }
    Ok(())
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

/// The board after round 1: the participants (valid round-1 packages, by index).
#[derive(Clone, Debug)]
pub(crate) struct Board1 {
    participants: Vec<round1::Package>,
    excluded: Exclusions,
}

impl Board1 {
    /// Round 2, Step 1 > read the round-1 board.
    pub(crate) fn new(ctx: &CeremonyContext, packages: &[round1::Package]) -> Result<Self> {
        check_headers(ctx, packages.iter().map(|p| (p.ceremony(), p.sender())))?;
        let mut sorted: Vec<&round1::Package> = packages.iter().collect();
        sorted.sort_by_key(|p| p.sender());
        let mut excluded = Exclusions::default();
        let mut participants = Vec::with_capacity(sorted.len());
        for p in sorted {
            match p.verify_proof(ctx) {
                Ok(()) => participants.push(p.clone()),
                Err(_) => excluded.add(p.sender(), CeremonyCheck::CommunicationKeyProof),
            }
        }
        for i in ctx.params().indices() {
            if !packages.iter().any(|p| p.sender() == i) {
                excluded.add(i, CeremonyCheck::Missing { round: 1 });
            }
        }
        enough(ctx, participants.len(), &excluded)?;
        Ok(Board1 {
            participants,
            excluded,
        })
    }

    pub(crate) fn participants(&self) -> &[round1::Package] {
        &self.participants
    }

    pub(crate) fn participant(&self, i: TrusteeIndex) -> Option<&round1::Package> {
        self.participants.iter().find(|p| p.sender() == i)
    }

    /// Checks that this trustee's own package is on the board, unaltered and valid.
    pub(crate) fn check_own(&self, me: TrusteeIndex, own: &round1::Package) -> Result<()> {
        if let Some(e) = self.excluded.get(me) {
            return Err(e.to_error());
        }
        match self.participant(me) {
            Some(p) if p == own => Ok(()),
            _ => Err(own_missing()),
        }
    }
}

/// The board after round 2: the dealers (valid reveals, by index).
#[derive(Clone, Debug)]
pub(crate) struct Board2 {
    board1: Board1,
    dealers: Vec<round2::Package>,
    excluded: Exclusions,
}

impl Board2 {
    /// Round 3, Step 1 > read the round-2 board.
    pub(crate) fn new(
        ctx: &CeremonyContext,
        board1: Board1,
        packages: &[round2::Package],
    ) -> Result<Self> {
        check_headers(ctx, packages.iter().map(|p| (p.ceremony(), p.sender())))?;
        let mut excluded = board1.excluded.clone();
        let indices: Vec<TrusteeIndex> = board1.participants.iter().map(|p| p.sender()).collect();
        // Structure first; the proofs of all remaining dealers in one batch, one item each.
        let mut candidates: Vec<&round2::Package> = Vec::new();
        let mut batch = BatchVerifier::new();
        for r1 in &board1.participants {
            let i = r1.sender();
            // A round-2 message from a trustee that is not a participant is ignored.
            let Some(p) = packages.iter().find(|p| p.sender() == i) else {
                excluded.add(i, CeremonyCheck::Missing { round: 2 });
                continue;
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
        Ok(Board2 {
            board1,
            dealers,
            excluded,
        })
    }

    pub(crate) fn dealers(&self) -> &[round2::Package] {
        &self.dealers
    }

    fn dealer(&self, i: TrusteeIndex) -> Option<&round2::Package> {
        self.dealers.iter().find(|p| p.sender() == i)
    }

    /// Checks that this trustee's own reveal is on the board, unaltered and valid.
    pub(crate) fn check_own(&self, me: TrusteeIndex, own: &round2::Package) -> Result<()> {
        if let Some(e) = self.excluded.get(me) {
            return Err(e.to_error());
        }
        match self.dealer(me) {
            Some(p) if p == own => Ok(()),
            _ => Err(own_missing()),
        }
    }

    /// Round 4 > resolve every complaint, fix the qualified set and compute the public key
    /// package. Also checks, for a trustee, that its own round-3 package is on the board.
    pub(crate) fn resolve(
        &self,
        ctx: &CeremonyContext,
        packages: &[round3::Package],
        own: Option<(TrusteeIndex, &round3::Package)>,
    ) -> Result<CeremonyOutcome> {
        check_headers(ctx, packages.iter().map(|p| (p.ceremony(), p.sender())))?;
        if let Some((me, own)) = own {
            if !packages.iter().any(|p| p.sender() == me && p == own) {
                return Err(own_missing());
            }
        }
        let mut sorted: Vec<&round3::Package> = packages.iter().collect();
        sorted.sort_by_key(|p| p.sender());
        let mut excluded = self.excluded.clone();
        let mut verdicts = Vec::new();
        for p in sorted {
            let j = p.sender();
            // Complaints from trustees that are not participants have no share to be about.
            let Some(r1) = self.board1.participant(j) else {
                continue;
            };
            for c in p.complaints() {
                // A complaint against a trustee that is not a dealer changes nothing.
                let Some(dealer) = self.dealer(c.dealer()) else {
                    continue;
                };
                verdicts.push((
                    j,
                    c.dealer(),
                    c.verdict(ctx, j, r1.communication_key(), dealer),
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
