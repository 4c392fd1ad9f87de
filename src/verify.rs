//! `verify_record`: the numbered checks of an election record.
//!
//! The verifier uses no secret and no randomness except the batch weights it draws itself. It
//! trusts nothing it can recompute: the joint key and verification shares come from the
//! ceremony board, the fingerprint from the manifest and keys, each round's contest from the
//! standing of the candidates, the aggregate from the ballots, the Lagrange coefficients
//! from the trustee indices, the totals from the partial decryptions, and the outcome from the
//! rules. A recorded value is only ever compared with its recomputation.
//!
//! | # | check |
//! |---|---|
//! | 1 | version and suite |
//! | 2 | parameters: the manifest and the t-of-n of the key package agree |
//! | 3 | key ceremony: every proof, complaint and exclusion; the joint key and verification shares recomputed |
//! | 4 | election fingerprint recomputed |
//! | 5 | round sequence: numbering, withdrawals, candidates on the ballot = remaining candidates |
//! | 6 | every cast ballot's proofs (batched; bad ballots named) |
//! | 7 | challenged ballots open to valid selections |
//! | 8 | box rules, in board order: capacity, no repeated ballot id or ciphertext, no challenged ballot cast |
//! | 9 | confirmation codes recomputed over every entry, cast and challenged |
//! | 10 | the close: chain head and counts that the trustees decrypted = the box's |
//! | 11 | privacy floor: a decrypted box holds at least the manifest's floor of ballots |
//! | 12 | aggregate recomputed from the cast ballots |
//! | 13 | every partial decryption proof, against the recomputed close, aggregate and key package |
//! | 14 | combination: the recorded combined trustees are the first t; Lagrange at 0; discrete logarithms |
//! | 15 | recorded totals = decrypted totals |
//! | 16 | the rule and the outcome recomputed |
//! | 17 | ties for lowest: a tie left to the caller is resolved with one of the tied candidates, recorded, before any further round |
//! | 18 | the record ends consistently: only the last round may be undecided, nothing after an election |
//!
//! Checks 5 to 17 run for each round in order. Verification stops at the first failed check
//! and reports it with the round and, where there is one, the culprit ballot or trustee.

use core::fmt;

use crate::ballot::BallotContext;
use crate::domain::{PROTOCOL_VERSION, SUITE};
use crate::election::{RoundKind, ballot_for, decide};
use crate::elgamal::DiscreteLogTable;
use crate::error::{Culprit, Error};
use crate::record::{BallotRound, ElectionRecord, RecordEntry, ResultRecord, RoundBody};
use crate::rules::Standing;
use crate::tally::{BallotBox, Totals};
use crate::threshold::decryption::decrypt_tally;
use crate::threshold::dkg::{CeremonyContext, foreign_entries, verify_ceremony};
use crate::threshold::{DecryptionContext, PartialDecryption};
use crate::transcript::ElectionContext;

/// A numbered check of the verifier (docs/SPEC.md §13).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Check {
    /// 1: version and suite.
    Version = 1,
    /// 2: parameters.
    Parameters = 2,
    /// 3: key ceremony.
    Ceremony = 3,
    /// 4: election fingerprint.
    Fingerprint = 4,
    /// 5: round sequence and candidates.
    Rounds = 5,
    /// 6: ballot proofs.
    BallotProofs = 6,
    /// 7: challenged ballots.
    ChallengedBallots = 7,
    /// 8: box rules (capacity, uniqueness, challenged ballots never cast).
    BoxRules = 8,
    /// 9: confirmation codes.
    ConfirmationCodes = 9,
    /// 10: the close of the box.
    Close = 10,
    /// 11: privacy floor.
    PrivacyFloor = 11,
    /// 12: aggregation.
    Aggregation = 12,
    /// 13: partial decryption proofs.
    PartialDecryptions = 13,
    /// 14: combination.
    Combination = 14,
    /// 15: totals.
    Totals = 15,
    /// 16: rule and outcome.
    Outcome = 16,
    /// 17: ties for lowest.
    TieResolution = 17,
    /// 18: end of the record.
    End = 18,
}

impl Check {
    /// Every check, in order.
    pub const ALL: &[Check] = &[
        Check::Version,
        Check::Parameters,
        Check::Ceremony,
        Check::Fingerprint,
        Check::Rounds,
        Check::BallotProofs,
        Check::ChallengedBallots,
        Check::BoxRules,
        Check::ConfirmationCodes,
        Check::Close,
        Check::PrivacyFloor,
        Check::Aggregation,
        Check::PartialDecryptions,
        Check::Combination,
        Check::Totals,
        Check::Outcome,
        Check::TieResolution,
        Check::End,
    ];
}

impl Check {
    /// The check's number.
    pub fn number(self) -> u8 {
        self as u8
    }

    /// What the check verifies.
    pub fn description(self) -> &'static str {
        match self {
            Check::Version => "version and suite",
            Check::Parameters => "parameters",
            Check::Ceremony => "key ceremony proofs, complaints and joint key",
            Check::Fingerprint => "election fingerprint",
            Check::Rounds => "round sequence and candidates",
            Check::BallotProofs => "ballot proofs",
            Check::ChallengedBallots => "challenged ballots",
            Check::BoxRules => "box rules: capacity, uniqueness, challenged ballots",
            Check::ConfirmationCodes => "confirmation-code chain",
            Check::Close => "close of the box",
            Check::PrivacyFloor => "privacy floor",
            Check::Aggregation => "aggregate recomputed",
            Check::PartialDecryptions => "partial decryption proofs",
            Check::Combination => "combination of partial decryptions",
            Check::Totals => "totals",
            Check::Outcome => "rule and outcome",
            Check::TieResolution => "ties for lowest",
            Check::End => "end of the record",
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "check {} ({})", self.number(), self.description())
    }
}

/// A check that passed, with what it covered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Passed {
    /// The check.
    pub check: Check,
    /// The round, for checks 5 to 17.
    pub round: Option<u32>,
    /// A short account (how many ballots, which trustees…).
    pub detail: String,
}

/// The check that failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The check.
    pub check: Check,
    /// The round, for checks 5 to 17.
    pub round: Option<u32>,
    /// Why it failed.
    pub error: Error,
}

impl Failure {
    /// The ballots or trustees to blame.
    pub fn culprits(&self) -> Vec<Culprit> {
        self.error.culprits()
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.round {
            Some(r) => write!(f, "{} failed in round {r}: {}", self.check, self.error),
            None => write!(f, "{} failed: {}", self.check, self.error),
        }
    }
}

/// What [`verify_record`] found: the checks that passed, in order, and the first failure.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// The checks that passed, in the order they ran.
    pub passed: Vec<Passed>,
    /// The first check that failed, if any (verification stops there).
    pub failure: Option<Failure>,
}

impl Report {
    /// Whether every check passed.
    pub fn is_ok(&self) -> bool {
        self.failure.is_none()
    }

    /// How many distinct numbered checks passed at least once (checks 5 to 17 run once per
    /// round; `passed.len()` counts check runs).
    pub fn checks_passed(&self) -> usize {
        let mut seen: Vec<Check> = self.passed.iter().map(|p| p.check).collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    }
}

struct Verifier<'a> {
    record: &'a ElectionRecord,
    report: Report,
}

type Step<T> = Result<T, Failure>;

fn fail(check: Check, round: Option<u32>) -> impl Fn(Error) -> Failure {
    move |error| Failure {
        check,
        round,
        error,
    }
}

fn mismatch(what: &'static str) -> Error {
    Error::InvalidValue {
        what,
        reason: "the recorded value differs from its recomputation",
    }
}

impl Verifier<'_> {
    fn pass(&mut self, check: Check, round: Option<u32>, detail: impl Into<String>) {
        self.report.passed.push(Passed {
            check,
            round,
            detail: detail.into(),
        });
    }

    fn run(&mut self) -> Step<()> {
        let r = self.record;
        // 1. Version and suite.
        if r.version != PROTOCOL_VERSION || r.suite != SUITE {
            return Err(fail(Check::Version, None)(Error::InvalidValue {
                what: "record header",
                reason: "unsupported protocol version or suite",
            }));
        }
        self.pass(
            Check::Version,
            None,
            format!("version {}, {}", r.version, r.suite),
        );

        // 2. Parameters.
        let params = r.manifest.threshold_params();
        if r.public_keys.params() != params {
            return Err(fail(Check::Parameters, None)(mismatch(
                "t-of-n of the key package",
            )));
        }
        self.pass(
            Check::Parameters,
            None,
            format!(
                "{} candidates, {} of {} trustees, privacy floor {}",
                r.manifest.candidates().len(),
                params.threshold(),
                params.trustees(),
                r.manifest.privacy_floor()
            ),
        );

        // 3. Key ceremony, recomputed from the board.
        let ceremony_context = r
            .manifest
            .ceremony_context()
            .map_err(fail(Check::Ceremony, None))?;
        let ctx = CeremonyContext::new(ceremony_context, params, r.run);
        // A record holds exactly its ceremony: an entry every trustee ignores (another
        // ceremony, kind or version, or no such trustee) has no place in it.
        if let Some((round, author)) = foreign_entries(&ctx, &r.ceremony).first() {
            return Err(fail(Check::Ceremony, None)(Error::ForeignCeremonyEntry {
                round: round.number(),
                author: *author,
            }));
        }
        let outcome = verify_ceremony(&ctx, &r.ceremony).map_err(fail(Check::Ceremony, None))?;
        if outcome.public_key_package() != &r.public_keys {
            return Err(fail(Check::Ceremony, None)(mismatch("public key package")));
        }
        let excluded: Vec<u32> = outcome
            .excluded()
            .iter()
            .map(|e| e.trustee().get())
            .collect();
        self.pass(
            Check::Ceremony,
            None,
            format!(
                "{} trustees qualified, excluded: {excluded:?}",
                outcome.qualified().len()
            ),
        );

        // 4. Fingerprint.
        let keys = r.public_keys.to_bytes();
        let election = r
            .manifest
            .election_context(&r.public_keys.joint_key().to_bytes(), &keys)
            .map_err(fail(Check::Fingerprint, None))?;
        if election.fingerprint() != &r.fingerprint {
            return Err(fail(Check::Fingerprint, None)(mismatch(
                "election fingerprint",
            )));
        }
        self.pass(
            Check::Fingerprint,
            None,
            crate::encoding::to_hex(&r.fingerprint),
        );

        // 5–17, round by round, replaying the standing of the candidates.
        let mut standing = Standing::new(r.manifest.rules().clone(), r.manifest.candidates().len())
            .map_err(|e| fail(Check::Parameters, None)(e.into()))?;
        let last = r.rounds.len();
        for (i, round) in r.rounds.iter().enumerate() {
            let n = Some(round.round);
            let rounds = fail(Check::Rounds, n);
            if round.round != standing.round() {
                return Err(rounds(Error::InvalidValue {
                    what: "round number",
                    reason: "rounds must be numbered 1, 2, … in order",
                }));
            }
            for c in &round.withdrawn {
                standing
                    .withdraw(*c as usize)
                    .map_err(|e| rounds(e.into()))?;
            }
            // 17. No round after a tie for lowest left pending (a withdrawal of one of the
            // tied, just applied, resolves it).
            if let Some(tied) = standing.unresolved_tie() {
                return Err(fail(Check::TieResolution, n)(Error::Rule(
                    crate::rules::RuleError::TieForLowestUnresolved {
                        tied: tied.to_vec(),
                    },
                )));
            }
            match &round.body {
                RoundBody::Acclamation { elected } => {
                    let acclamation = standing.acclaim().map_err(|e| rounds(e.into()))?;
                    if acclamation.candidate() != *elected as usize {
                        return Err(rounds(mismatch("acclaimed candidate")));
                    }
                    self.pass(
                        Check::Rounds,
                        n,
                        format!("acclamation of candidate {elected}"),
                    );
                }
                RoundBody::Ballot(ballot) => {
                    if ballot.decryption.is_none() && i + 1 != last {
                        return Err(fail(Check::End, n)(Error::InvalidValue {
                            what: "round",
                            reason: "only the last round may be undecided",
                        }));
                    }
                    self.ballot_round(&election, &mut standing, round.round, ballot)?;
                }
            }
        }

        // 18. End.
        let undecided = r.rounds.last().is_some_and(
            |round| matches!(&round.body, RoundBody::Ballot(b) if b.decryption.is_none()),
        );
        let end = match (standing.elected(), undecided) {
            (Some(c), _) => format!("candidate {c} elected"),
            (None, true) => "the last round is open".to_string(),
            (None, false) => "nobody elected yet".to_string(),
        };
        self.pass(Check::End, None, end);
        Ok(())
    }

    fn ballot_round(
        &mut self,
        election: &ElectionContext,
        standing: &mut Standing,
        number: u32,
        round: &BallotRound,
    ) -> Step<()> {
        let n = Some(number);
        let r = self.record;

        // 5. The ballot asks about exactly the remaining candidates.
        let (candidates, contest) = ballot_for(standing, round.kind, r.manifest.eligible())
            .map_err(fail(Check::Rounds, n))?;
        let recorded: Vec<usize> = round.candidates.iter().map(|c| *c as usize).collect();
        if recorded != candidates {
            return Err(fail(Check::Rounds, n)(mismatch("candidates on the ballot")));
        }
        let kind = match round.kind {
            RoundKind::ChooseOne => "choose one".to_string(),
            RoundKind::YesNo { candidate } => format!("yes/no on candidate {candidate}"),
        };
        self.pass(Check::Rounds, n, format!("{kind} among {candidates:?}"));

        let key = r.public_keys.joint_key().clone();
        let mut ballot_box = BallotBox::new(*election, key.clone(), number, contest.clone());
        let ctx = BallotContext {
            election,
            key: &key,
            round: number,
            contest: &contest,
        };

        // 6. Ballot proofs, batched; every bad ballot named.
        let ballots: Vec<_> = round.ballots().map(|c| c.ballot.clone()).collect();
        let verdicts = crate::ballot::EncryptedBallot::verify_batch_in_order(ballots, &ctx);
        let mut verified = Vec::with_capacity(verdicts.len());
        for verdict in verdicts {
            verified.push(verdict.map_err(|(_, e)| fail(Check::BallotProofs, n)(e))?);
        }
        self.pass(
            Check::BallotProofs,
            n,
            format!("{} cast ballots", verified.len()),
        );

        // 7. Challenged ballots: each opening checked.
        let mut challenged = 0usize;
        for c in round.challenged() {
            c.challenged
                .verify(&ctx)
                .map_err(fail(Check::ChallengedBallots, n))?;
            challenged += 1;
        }
        self.pass(
            Check::ChallengedBallots,
            n,
            format!("{challenged} challenged"),
        );

        // 8. Box rules, by replaying every entry into a fresh box in board order.
        let mut verified = verified.into_iter();
        for entry in &round.entries {
            let admitted = match entry {
                RecordEntry::Cast(c) => match verified.next() {
                    Some(v) => ballot_box.cast(v),
                    None => Err(Error::BallotMalformed {
                        ballot: *c.ballot.id(),
                        reason: "missing from the verified ballots",
                    }),
                },
                RecordEntry::Challenged(c) => ballot_box.challenge_checked(c.challenged.clone()),
            };
            admitted.map_err(fail(Check::BoxRules, n))?;
        }
        self.pass(
            Check::BoxRules,
            n,
            "within capacity, no repeated id or ciphertext, no challenged ballot cast",
        );

        // 9. Confirmation codes: the box recomputes the chain as it admits each entry.
        for (entry, code) in round.entries.iter().zip(ballot_box.codes()) {
            if entry.code() != code {
                let ballot = match entry {
                    RecordEntry::Cast(c) => *c.ballot.id(),
                    RecordEntry::Challenged(c) => *c.challenged.id(),
                };
                return Err(fail(Check::ConfirmationCodes, n)(Error::BallotMalformed {
                    ballot,
                    reason: "its confirmation code is not the chain's",
                }));
            }
        }
        self.pass(
            Check::ConfirmationCodes,
            n,
            format!("chain head {}", ballot_box.chain_head()),
        );

        // 10. The close names this box.
        let close = ballot_box.close();
        match (&round.close, &round.decryption) {
            (Some(recorded), _) if *recorded != close => {
                return Err(fail(Check::Close, n)(mismatch("close of the box")));
            }
            (None, Some(_)) => {
                return Err(fail(Check::Close, n)(Error::InvalidValue {
                    what: "round",
                    reason: "decrypted without a recorded close",
                }));
            }
            (None, None) => {
                if round.tie_resolution.is_some() {
                    return Err(fail(Check::TieResolution, n)(Error::InvalidValue {
                        what: "tie resolution",
                        reason: "recorded for a round that was not decided",
                    }));
                }
                return Ok(());
            }
            (Some(_), _) => {}
        }
        self.pass(
            Check::Close,
            n,
            format!(
                "chain head {}, {} cast, {} challenged",
                close.chain_head(),
                close.cast(),
                close.challenged()
            ),
        );

        let Some(d) = &round.decryption else {
            if round.tie_resolution.is_some() {
                return Err(fail(Check::TieResolution, n)(Error::InvalidValue {
                    what: "tie resolution",
                    reason: "recorded for a round that was not decided",
                }));
            }
            return Ok(());
        };

        // 11. Privacy floor.
        let floor = r.manifest.privacy_floor();
        if close.cast() < floor {
            return Err(fail(Check::PrivacyFloor, n)(Error::BelowPrivacyFloor {
                ballots: close.cast(),
                floor,
            }));
        }
        self.pass(
            Check::PrivacyFloor,
            n,
            format!("{} ballots, floor {floor}", close.cast()),
        );

        // 12. Aggregate.
        let tally = ballot_box.tally();
        if tally.ciphertexts() != d.tally.as_slice() {
            return Err(fail(Check::Aggregation, n)(mismatch("aggregate")));
        }
        self.pass(
            Check::Aggregation,
            n,
            format!("{} ciphertexts", d.tally.len()),
        );

        // 13. Partial decryptions, against the recomputed close and aggregate; every one must
        // verify.
        let dctx = DecryptionContext::new(election, &r.public_keys, &close, tally.ciphertexts())
            .map_err(fail(Check::PartialDecryptions, n))?;
        // One canonical order: strictly increasing trustee indices.
        if d.partials.windows(2).any(|w| match w {
            [a, b] => a.trustee() >= b.trustee(),
            _ => false,
        }) {
            return Err(fail(Check::PartialDecryptions, n)(Error::InvalidValue {
                what: "partial decryptions",
                reason: "not in strictly increasing trustee order",
            }));
        }
        let screening = PartialDecryption::verify_batch(&dctx, &d.partials);
        if let Some((_, error)) = screening.rejected.first() {
            return Err(fail(Check::PartialDecryptions, n)(error.clone()));
        }
        let trustees: Vec<u32> = d.partials.iter().map(|p| p.trustee().get()).collect();
        self.pass(
            Check::PartialDecryptions,
            n,
            format!("trustees {trustees:?}"),
        );

        // 14. Combination, with Lagrange coefficients recomputed from the indices of the first
        // t partials, which must be the recorded combined trustees.
        let table =
            DiscreteLogTable::new(tally.total_bound()).map_err(fail(Check::Combination, n))?;
        let decryption =
            decrypt_tally(&dctx, &d.partials, &table).map_err(fail(Check::Combination, n))?;
        let used: Vec<u32> = decryption.used.iter().map(|t| t.get()).collect();
        if used != d.combined {
            return Err(fail(Check::Combination, n)(mismatch("combined trustees")));
        }
        self.pass(Check::Combination, n, format!("combined trustees {used:?}"));

        // 15. Totals.
        let totals = Totals::new(&contest, decryption.totals.clone(), tally.ballots())
            .map_err(fail(Check::Totals, n))?;
        if totals.slots() != d.totals {
            return Err(fail(Check::Totals, n)(mismatch("totals")));
        }
        self.pass(Check::Totals, n, format!("{:?}", d.totals));

        // 16. Rule and outcome.
        let decision = decide(
            standing,
            round.kind,
            &candidates,
            &totals,
            r.manifest.eligible(),
        )
        .map_err(fail(Check::Outcome, n))?;
        let index = |c: usize| u32::try_from(c).unwrap_or(u32::MAX);
        let recomputed = ResultRecord {
            cast: decision.cast(),
            present_and_voting: decision.present_and_voting(),
            base: decision.base_count(),
            required: decision.required(),
            elected: decision.elected().map(index),
            eliminated: decision.eliminated().map(index),
        };
        if recomputed != d.result {
            return Err(fail(Check::Outcome, n)(mismatch("round result")));
        }
        self.pass(
            Check::Outcome,
            n,
            format!(
                "V = {}, required {:?}, elected {:?}, eliminated {:?}",
                recomputed.base, recomputed.required, recomputed.elected, recomputed.eliminated
            ),
        );

        // 17. A tie for lowest left to the caller: resolved with one of the tied candidates,
        // or still pending (then no round may follow: checked at the next round).
        let ties = fail(Check::TieResolution, n);
        match (standing.unresolved_tie(), &round.tie_resolution) {
            (None, None) => self.pass(Check::TieResolution, n, "no tie left to the caller"),
            (None, Some(_)) => {
                return Err(ties(Error::InvalidValue {
                    what: "tie resolution",
                    reason: "recorded where the rules left no tie to resolve",
                }));
            }
            (Some(tied), None) => {
                let tied = tied.to_vec();
                self.pass(
                    Check::TieResolution,
                    n,
                    format!("tie for lowest among {tied:?} pending"),
                );
            }
            (Some(_), Some(t)) => {
                standing
                    .resolve_tie_for_lowest(t.eliminated as usize, t.how)
                    .map_err(|e| ties(e.into()))?;
                self.pass(
                    Check::TieResolution,
                    n,
                    format!(
                        "tie for lowest resolved by {:?}: candidate {} eliminated",
                        t.how, t.eliminated
                    ),
                );
            }
        }
        Ok(())
    }
}

/// Runs every numbered check on `record`.
pub fn verify_record(record: &ElectionRecord) -> Report {
    let mut verifier = Verifier {
        record,
        report: Report::default(),
    };
    if let Err(failure) = verifier.run() {
        verifier.report.failure = Some(failure);
    }
    verifier.report
}

/// Checks that `newer` extends `older` (Belenios' `verify-diff`): the header, manifest,
/// ceremony, keys and fingerprint are unchanged; every round of `older` is in `newer`
/// unchanged, except that the last round of `older`, if it was undecided, may have gained
/// entries (the old entries with their codes are a prefix of the new) while it had no close,
/// then its close, its decryption and its tie resolution. Nothing is removed or rewritten.
///
/// This compares records; run [`verify_record`] on `newer` to check it.
pub fn verify_extends(older: &ElectionRecord, newer: &ElectionRecord) -> Result<(), Error> {
    let rewritten = |round: Option<u32>, what: &'static str| Error::RecordRewritten { round, what };
    if older.version != newer.version || older.suite != newer.suite {
        return Err(rewritten(None, "version or suite"));
    }
    if older.manifest != newer.manifest {
        return Err(rewritten(None, "manifest"));
    }
    if older.run != newer.run
        || older.ceremony != newer.ceremony
        || older.public_keys != newer.public_keys
    {
        return Err(rewritten(None, "key ceremony"));
    }
    if older.fingerprint != newer.fingerprint {
        return Err(rewritten(None, "fingerprint"));
    }
    if newer.rounds.len() < older.rounds.len() {
        return Err(rewritten(None, "rounds removed"));
    }
    let last = older.rounds.len();
    for (i, (old, new)) in older.rounds.iter().zip(&newer.rounds).enumerate() {
        if old == new {
            continue;
        }
        let n = Some(old.round);
        let open = matches!(&old.body, RoundBody::Ballot(b) if b.decryption.is_none());
        if i + 1 != last || !open || old.round != new.round || old.withdrawn != new.withdrawn {
            return Err(rewritten(n, "a closed round changed"));
        }
        let (RoundBody::Ballot(o), RoundBody::Ballot(b)) = (&old.body, &new.body) else {
            return Err(rewritten(n, "an open round became an acclamation"));
        };
        if o.kind != b.kind || o.candidates != b.candidates {
            return Err(rewritten(n, "the ballot of an open round changed"));
        }
        if !b.entries.starts_with(&o.entries) {
            return Err(rewritten(n, "box entries removed, reordered or rewritten"));
        }
        if o.close.is_some() && (o.close != b.close || o.entries != b.entries) {
            return Err(rewritten(n, "the box of a closed round changed"));
        }
    }
    Ok(())
}
