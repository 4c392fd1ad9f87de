//! The election driver and the life of a round: open, cast, close, decrypt, decide.

use rand_core::{CryptoRng, RngCore};

use crate::ballot::{
    BallotContext, BallotId, ChallengedBallot, ContestSpec, EncryptedBallot, VerifiedBallot,
};
use std::sync::Arc;

use crate::board::ConfirmationCode;
use crate::credential::{Eligibility, Roll};
use crate::election::event::TieResolution;
use crate::elgamal::{DiscreteLogTable, PublicKey};
use crate::error::{Error, Result};
use crate::rules::{Acclamation, RoundDecision, Standing, TieBreak};
use crate::tally::{BallotBox, EncryptedTally, Totals};
use crate::threshold::decryption::{TallyDecryption, decrypt_tally};
use crate::threshold::{DecryptionContext, KeyPackage, PartialDecryption, PublicKeyPackage};
use crate::transcript::ElectionContext;

use super::Manifest;

/// What a round's ballot asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoundKind {
    /// Choose one of the remaining candidates (or abstain).
    ChooseOne,
    /// Yes or no on one candidate (or abstain).
    YesNo {
        /// The candidate, by manifest index.
        candidate: usize,
    },
}

/// An election in progress: the manifest, the joint key, the context, and the standing of the
/// candidates under the rules.
#[derive(Clone, Debug)]
pub struct Election {
    manifest: Manifest,
    public: PublicKeyPackage,
    context: ElectionContext,
    standing: Standing,
    /// In an election with a roll, the roll once posted and the manifest's rule.
    eligibility: Option<Eligibility>,
}

impl Election {
    /// Starts an election with the outcome of the trustees' key ceremony. The election
    /// context is derived from the manifest, the joint key and the public key package
    /// ([`Manifest::election_context`]).
    pub fn new(manifest: Manifest, public: PublicKeyPackage) -> Result<Self> {
        if public.params() != manifest.threshold_params() {
            return Err(Error::InvalidValue {
                what: "public key package",
                reason: "its t-of-n differs from the manifest's",
            });
        }
        let context =
            manifest.election_context(&public.joint_key().to_bytes(), &public.to_bytes())?;
        let standing = Standing::new(manifest.rules().clone(), manifest.candidates().len())?;
        Ok(Election {
            manifest,
            public,
            context,
            standing,
            eligibility: None,
        })
    }

    /// Gives an election with a roll its roll (the credential authority's roll entry): it must
    /// hold exactly the manifest's number of eligible members, and is given once.
    ///
    /// Errors: [`Error::InvalidValue`] for an election without a roll, a second roll, or a
    /// roll of another size.
    pub fn set_roll(&mut self, roll: Arc<Roll>) -> Result<()> {
        let invalid = |reason| Error::InvalidValue {
            what: "roll",
            reason,
        };
        let Some(second_ballot) = self.manifest.roll() else {
            return Err(invalid("the manifest has no roll"));
        };
        if self.eligibility.is_some() {
            return Err(invalid("the roll is posted once"));
        }
        if roll.len() as u64 != self.manifest.eligible() {
            return Err(invalid(
                "the roll does not hold one credential per eligible member",
            ));
        }
        self.eligibility = Some(Eligibility {
            roll,
            second_ballot,
        });
        Ok(())
    }

    /// The roll and the rule for a second ballot, once the roll is given.
    pub fn eligibility(&self) -> Option<&Eligibility> {
        self.eligibility.as_ref()
    }

    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The election context.
    pub fn context(&self) -> &ElectionContext {
        &self.context
    }

    /// The joint public key.
    pub fn key(&self) -> &PublicKey {
        self.public.joint_key()
    }

    /// The trustees' public key package.
    pub fn public_key_package(&self) -> &PublicKeyPackage {
        &self.public
    }

    /// The standing of the candidates.
    pub fn standing(&self) -> &Standing {
        &self.standing
    }

    /// A candidate withdraws before the next round.
    pub fn withdraw(&mut self, candidate: usize) -> Result<()> {
        Ok(self.standing.withdraw(candidate)?)
    }

    /// Elects the sole remaining candidate without a ballot.
    pub fn acclaim(&mut self) -> Result<Acclamation> {
        Ok(self.standing.acclaim()?)
    }

    /// Resolves a tie for lowest that the rules left to the caller
    /// ([`TieForLowest::CallerResolves`](crate::rules::TieForLowest::CallerResolves)):
    /// eliminates `candidate`, one of the tied candidates, chosen as `how` says (a lot drawn,
    /// or a run-off held outside this election). The resolution is an event of the record
    /// ([`TieResolution`]); no round opens while a tie is pending.
    pub fn resolve_tie_for_lowest(
        &mut self,
        candidate: usize,
        how: TieBreak,
    ) -> Result<TieResolution> {
        // The tie was left by the round just decided.
        let round = self.standing.round().saturating_sub(1);
        self.standing.resolve_tie_for_lowest(candidate, how)?;
        Ok(TieResolution {
            round,
            eliminated: u32::try_from(candidate).unwrap_or(u32::MAX),
            how,
        })
    }

    /// Opens the next round's ballot box. Refuses while a tie for lowest awaits its
    /// resolution ([`RuleError::TieForLowestUnresolved`](crate::rules::RuleError)) and once
    /// someone is elected.
    pub fn open_round(&self, kind: RoundKind) -> Result<OpenRound> {
        if self.manifest.roll().is_some() && self.eligibility.is_none() {
            return Err(Error::RollMissing);
        }
        let (candidates, contest) = ballot_for(&self.standing, kind, self.manifest.eligible())?;
        let number = self.standing.round();
        let mut ballot_box = BallotBox::new(self.context, self.key().clone(), number, contest);
        if let Some(e) = &self.eligibility {
            ballot_box = ballot_box.with_eligibility(e.clone());
        }
        Ok(OpenRound {
            number,
            kind,
            candidates,
            ballot_box,
        })
    }

    /// Decrypts a closed round from the trustees' partial decryptions and applies the rules.
    ///
    /// The partials are verified against the tally recomputed from the round's verified
    /// ballots and the close of its box; invalid ones are named and skipped while t valid ones
    /// remain, and the first t valid ones in increasing trustee order are combined. The totals come only from this decryption. A failed attempt (too few valid
    /// partials yet) changes nothing: the round stays closed, and the call can be repeated
    /// with more partials.
    pub fn tally_round(
        &mut self,
        round: &ClosedRound,
        partials: &[PartialDecryption],
    ) -> Result<RoundOutcome> {
        if round.number != self.standing.round() || round.context() != self.context {
            return Err(Error::InvalidValue {
                what: "round",
                reason: "not the election's current round",
            });
        }
        let tally = round.tally();
        let ctx = DecryptionContext::new(
            &self.context,
            &self.public,
            tally.close(),
            tally.ciphertexts(),
        )?;
        let table = DiscreteLogTable::new(tally.total_bound())?;
        // One canonical order, whatever order the partials arrived in: by trustee index (the
        // sort is stable, so of two partials of one trustee the first given comes first). The
        // first t valid ones in that order are the combined ones, as the verifier recomputes.
        let mut partials = partials.to_vec();
        partials.sort_by_key(PartialDecryption::trustee);
        let decryption = decrypt_tally(&ctx, &partials, &table)?;
        let totals = Totals::new(tally.contest(), decryption.totals.clone(), tally.ballots())?;
        let decision = self.decide(round, &totals)?;
        Ok(RoundOutcome {
            tally,
            partials,
            decryption,
            totals,
            decision,
        })
    }

    fn decide(&mut self, round: &ClosedRound, totals: &Totals) -> Result<RoundDecision> {
        decide(
            &mut self.standing,
            round.kind,
            &round.candidates,
            totals,
            self.manifest.eligible(),
        )
    }
}

/// The candidates and the contest of the next round's ballot (shared by the election and the
/// record verifier).
pub(crate) fn ballot_for(
    standing: &Standing,
    kind: RoundKind,
    eligible: u64,
) -> Result<(Vec<usize>, ContestSpec)> {
    if let Some(candidate) = standing.elected() {
        return Err(crate::rules::RuleError::AlreadyElected { candidate }.into());
    }
    if let Some(tied) = standing.unresolved_tie() {
        return Err(crate::rules::RuleError::TieForLowestUnresolved {
            tied: tied.to_vec(),
        }
        .into());
    }
    let remaining: Vec<usize> = standing.remaining().collect();
    let (candidates, options) = match kind {
        RoundKind::ChooseOne => {
            if remaining.is_empty() {
                return Err(crate::rules::RuleError::NoCandidatesRemain.into());
            }
            let options = u32::try_from(remaining.len()).map_err(|_| Error::InvalidContest {
                reason: "too many candidates",
            })?;
            (remaining, options)
        }
        RoundKind::YesNo { candidate } => {
            if !remaining.contains(&candidate) {
                return Err(Error::InvalidValue {
                    what: "yes/no round",
                    reason: "the candidate is not in the race",
                });
            }
            (vec![candidate], 2)
        }
    };
    // Options in manifest order (or yes, no), then the explicit abstention. The box holds at
    // most one ballot per eligible member, which lets the layout pack the choice.
    let contest = ContestSpec::choose_one(0, options, true)?.with_capacity(eligible);
    Ok((candidates, contest))
}

/// Applies the rules to a round's totals (shared by the election and the record verifier).
pub(crate) fn decide(
    standing: &mut Standing,
    kind: RoundKind,
    candidates: &[usize],
    totals: &Totals,
    eligible: u64,
) -> Result<RoundDecision> {
    match kind {
        RoundKind::ChooseOne => {
            let remaining: Vec<usize> = standing.remaining().collect();
            if remaining != candidates {
                return Err(Error::InvalidValue {
                    what: "round",
                    reason: "the candidates on the ballot are not the remaining candidates",
                });
            }
            Ok(standing.decide_choose_one(totals.options(), totals.abstain(), eligible)?)
        }
        RoundKind::YesNo { candidate } => match totals.options() {
            [yes, no] => {
                Ok(standing.decide_yes_no(candidate, *yes, *no, totals.abstain(), eligible)?)
            }
            other => Err(Error::LengthMismatch {
                what: "yes/no totals",
                expected: 2,
                actual: other.len(),
            }),
        },
    }
}

/// The decision of a closed round: its tally, the trustees' partial decryptions, the totals
/// and the decision. Everything here is public: on a board, the partials are entries and the
/// totals and decision are the round's result entry ([`crate::election::event::RoundResult`]).
#[derive(Debug)]
pub struct RoundOutcome {
    /// The tally, recomputed from the round's ballots, with the close of its box.
    pub tally: EncryptedTally,
    /// Every partial decryption received, valid or not.
    pub partials: Vec<PartialDecryption>,
    /// Which partials were combined and which were rejected.
    pub decryption: TallyDecryption,
    /// The decrypted totals.
    pub totals: Totals,
    /// What the rules decided.
    pub decision: RoundDecision,
}

/// A round accepting ballots.
#[derive(Debug)]
pub struct OpenRound {
    number: u32,
    kind: RoundKind,
    candidates: Vec<usize>,
    ballot_box: BallotBox,
}

impl OpenRound {
    /// The round number.
    pub fn number(&self) -> u32 {
        self.number
    }

    /// What the ballot asks.
    pub fn kind(&self) -> RoundKind {
        self.kind
    }

    /// The candidates on the ballot, by manifest index (for a yes/no round, the one candidate).
    pub fn candidates(&self) -> &[usize] {
        &self.candidates
    }

    /// The contest of the ballot: the candidates in manifest order (or yes, no), then the
    /// abstention.
    pub fn contest(&self) -> &ContestSpec {
        self.ballot_box.contest()
    }

    /// Where voters' devices encrypt their ballots for this round.
    pub fn context(&self) -> BallotContext<'_> {
        self.ballot_box.context()
    }

    /// The labels of the ballot's options, in ballot order, as a voter's device shows them:
    /// the candidates' names from `manifest` (a choose-one round), or `yes` and `no` (a
    /// yes/no round). The abstention, when the contest has one, follows them and has no
    /// label here. A candidate index the manifest does not name shows as `candidate i`.
    pub fn option_labels(&self, manifest: &crate::election::Manifest) -> Vec<String> {
        match self.kind {
            RoundKind::ChooseOne => self
                .candidates
                .iter()
                .map(|c| {
                    manifest
                        .candidates()
                        .get(*c)
                        .cloned()
                        .unwrap_or_else(|| format!("candidate {c}"))
                })
                .collect(),
            RoundKind::YesNo { .. } => vec!["yes".to_string(), "no".to_string()],
        }
    }

    /// Verifies a ballot and casts it; returns its confirmation code.
    pub fn cast(&mut self, ballot: EncryptedBallot) -> Result<ConfirmationCode> {
        let verified = ballot.verify(&self.ballot_box.context())?;
        self.ballot_box.cast(verified)
    }

    /// Verifies ballots in one batch and casts the valid ones in order; returns the rejected
    /// ones with their errors (invalid proofs, duplicates, copies).
    pub fn cast_batch(&mut self, ballots: Vec<EncryptedBallot>) -> Vec<(BallotId, Error)> {
        let outcome = EncryptedBallot::verify_batch(ballots, &self.ballot_box.context());
        let mut rejected = outcome.rejected;
        for ballot in outcome.accepted {
            let id = *ballot.id();
            if let Err(e) = self.ballot_box.cast(ballot).map(|_| ()) {
                rejected.push((id, e));
            }
        }
        rejected
    }

    /// Casts a ballot verified for this round's box (for instance in a batch); returns its
    /// confirmation code.
    pub fn cast_verified(&mut self, ballot: VerifiedBallot) -> Result<ConfirmationCode> {
        self.ballot_box.cast(ballot)
    }

    /// Records a challenged ballot whose opening the caller has just checked for this box.
    pub(crate) fn challenge_checked(
        &mut self,
        challenged: ChallengedBallot,
    ) -> Result<ConfirmationCode> {
        self.ballot_box.challenge_checked(challenged)
    }

    /// Records a challenged ballot (never counted, never castable) and returns its
    /// confirmation code.
    pub fn challenge(&mut self, challenged: ChallengedBallot) -> Result<ConfirmationCode> {
        self.ballot_box.challenge(challenged)
    }

    /// The ballot box.
    pub fn ballot_box(&self) -> &BallotBox {
        &self.ballot_box
    }

    /// Closes the round: no more ballots.
    pub fn close(self) -> ClosedRound {
        ClosedRound {
            number: self.number,
            kind: self.kind,
            candidates: self.candidates,
            ballot_box: self.ballot_box,
        }
    }
}

/// A closed round, waiting for its totals.
#[derive(Debug)]
pub struct ClosedRound {
    number: u32,
    kind: RoundKind,
    candidates: Vec<usize>,
    ballot_box: BallotBox,
}

impl ClosedRound {
    /// The round number.
    pub fn number(&self) -> u32 {
        self.number
    }

    /// What the ballot asked.
    pub fn kind(&self) -> RoundKind {
        self.kind
    }

    /// The candidates on the ballot.
    pub fn candidates(&self) -> &[usize] {
        &self.candidates
    }

    /// The ballot box, as closed.
    pub fn ballot_box(&self) -> &BallotBox {
        &self.ballot_box
    }

    /// The tally, recomputed from the verified ballots.
    pub fn tally(&self) -> EncryptedTally {
        self.ballot_box.tally()
    }

    fn context(&self) -> ElectionContext {
        *self.ballot_box.context().election
    }

    /// A trustee's partial decryption of this round's tally, recomputed from the round's
    /// verified ballots, for the close of its box. Refuses a box below the manifest's privacy
    /// floor ([`Error::BelowPrivacyFloor`]) and a second, different box for a round this
    /// trustee already decrypted ([`Error::ConflictingDecryption`], recorded in the key
    /// package's log).
    pub fn decrypt_share<R: RngCore + CryptoRng>(
        &self,
        election: &Election,
        key: &mut KeyPackage,
        rng: &mut R,
    ) -> Result<PartialDecryption> {
        if self.context() != election.context || key.public() != &election.public {
            return Err(Error::InvalidValue {
                what: "trustee key",
                reason: "for another election",
            });
        }
        key.decrypt_tally(
            &election.context,
            &self.tally(),
            election.manifest.privacy_floor(),
            rng,
        )
    }
}
