//! Verification of an election record: the board, replayed, with numbered checks.
//!
//! The record of an election is its board (docs/SPEC.md §12). [`verify_record`] replays it
//! with the very fold the operator appended through and the trustees decrypted from
//! ([`crate::election::replay::Replay`]): every entry is checked where it stands, and the
//! first that fails names its check, its position on the board, its round and, where there is
//! one, the culprit ballot or trustee. The verifier uses no secret and no randomness except
//! the batch weights it draws itself, and trusts nothing it can recompute: every announced
//! value (the keys, a round's contest, a close, a result) is only ever compared with its
//! recomputation.
//!
//! | # | check |
//! |---|---|
//! | 1 | entries: every entry decodes (this protocol version), its stored head is the chain's, and the first is the manifest |
//! | 2 | authorship: every administrator's, trustee's and credential authority's entry is signed with its key in the manifest, and names a head of this board before it |
//! | 3 | parameters: the manifest and its authorities |
//! | 4 | the roll: in an election with a roll, posted once, before the first round, by the credential authority: sorted, distinct, one credential per eligible member |
//! | 5 | key ceremony: each run's messages, every proof, complaint and exclusion; the announced keys and fingerprint recomputed |
//! | 6 | sequence: each entry is allowed where it stands; rounds numbered in order; withdrawals; each round's candidates and contest recomputed |
//! | 7 | eligibility: every ballot's credential is on the roll and its signature verifies (batched with its proofs); one counted ballot per credential per round (a second is refused, or replaces the first, as the manifest says); counted ≤ the roll |
//! | 8 | every cast ballot's proofs (batched; a bad ballot named) |
//! | 9 | challenged ballots open to valid selections |
//! | 10 | box rules, in board order: capacity, no repeated ballot id or ciphertext, no challenged ballot cast |
//! | 11 | the close: chain head and counts (cast, challenged, replaced) = the box's |
//! | 12 | privacy floor: a box is decrypted only if it counts at least the manifest's floor |
//! | 13 | every partial decryption proof, against the recomputed close, tally and key package; one per trustee |
//! | 14 | combination: the announced combined trustees and totals recomputed |
//! | 15 | the rule and the outcome recomputed |
//! | 16 | ties for lowest: resolved with one of the tied candidates before any further round |
//! | 17 | the end of the board: what state the election is in |

use core::fmt;

use crate::ballot::EncryptedBallot;
use crate::board::chain::Head;
use crate::board::entry::{Entry, EntryKind};
use crate::election::replay::Replay;
use crate::error::{Culprit, Error};
use crate::record::BoardRecord;

/// A numbered check of the verifier (docs/SPEC.md §13).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Check {
    /// 1: entries decode, are chained, and the first is the manifest.
    Entries = 1,
    /// 2: signatures and read heads.
    Authorship = 2,
    /// 3: the manifest.
    Parameters = 3,
    /// 4: the roll of public credentials.
    Roll = 4,
    /// 5: the key ceremony.
    Ceremony = 5,
    /// 6: each entry in its place; rounds and their contests.
    Sequence = 6,
    /// 7: ballot credentials and signatures, one counted ballot per credential.
    Eligibility = 7,
    /// 8: ballot proofs.
    BallotProofs = 8,
    /// 9: challenged ballots.
    ChallengedBallots = 9,
    /// 10: box rules.
    BoxRules = 10,
    /// 11: the close.
    Close = 11,
    /// 12: privacy floor.
    PrivacyFloor = 12,
    /// 13: partial decryptions.
    PartialDecryptions = 13,
    /// 14: combination and totals.
    Combination = 14,
    /// 15: rule and outcome.
    Outcome = 15,
    /// 16: ties for lowest.
    TieResolution = 16,
    /// 17: end of the board.
    End = 17,
}

impl Check {
    /// Every check, in order.
    pub const ALL: &[Check] = &[
        Check::Entries,
        Check::Authorship,
        Check::Parameters,
        Check::Roll,
        Check::Ceremony,
        Check::Sequence,
        Check::Eligibility,
        Check::BallotProofs,
        Check::ChallengedBallots,
        Check::BoxRules,
        Check::Close,
        Check::PrivacyFloor,
        Check::PartialDecryptions,
        Check::Combination,
        Check::Outcome,
        Check::TieResolution,
        Check::End,
    ];

    /// The check's number.
    pub fn number(self) -> u8 {
        self as u8
    }

    /// What the check verifies.
    pub fn description(self) -> &'static str {
        match self {
            Check::Entries => "entries and their chain",
            Check::Authorship => "signatures and read heads",
            Check::Parameters => "parameters",
            Check::Roll => "the roll of credentials",
            Check::Ceremony => "key ceremony and keys",
            Check::Sequence => "sequence of the entries, rounds and contests",
            Check::Eligibility => "eligibility: credentials, signatures, one ballot each",
            Check::BallotProofs => "ballot proofs",
            Check::ChallengedBallots => "challenged ballots",
            Check::BoxRules => "box rules: capacity, uniqueness, challenged ballots",
            Check::Close => "close of the box",
            Check::PrivacyFloor => "privacy floor",
            Check::PartialDecryptions => "partial decryption proofs",
            Check::Combination => "combination and totals",
            Check::Outcome => "rule and outcome",
            Check::TieResolution => "ties for lowest",
            Check::End => "end of the board",
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
    /// The round, where the check is about one.
    pub round: Option<u32>,
    /// A short account (how many ballots, which trustees…).
    pub detail: String,
}

/// The check that failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The check.
    pub check: Check,
    /// The round, where the failure is in one.
    pub round: Option<u32>,
    /// The position of the entry that failed (0 is the manifest), if one did.
    pub entry: Option<u64>,
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
        write!(f, "{} failed", self.check)?;
        if let Some(e) = self.entry {
            write!(f, " at entry {e}")?;
        }
        if let Some(r) = self.round {
            write!(f, " in round {r}")?;
        }
        write!(f, ": {}", self.error)
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

    /// How many distinct numbered checks passed at least once (several run once per round;
    /// `passed.len()` counts check runs).
    pub fn checks_passed(&self) -> usize {
        let mut seen: Vec<Check> = self.passed.iter().map(|p| p.check).collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    }
}

/// The most consecutive ballot entries verified in one batch.
const BATCH: usize = 1024;

/// Replays `entries` (the board, in order) with every check, batching the proofs of
/// consecutive ballots; `progress` is called with the number of entries applied.
pub fn verify_entries(entries: &[Entry], mut progress: impl FnMut(u64)) -> Report {
    if entries.is_empty() {
        return Report {
            failure: Some(Failure {
                check: Check::Entries,
                round: None,
                entry: Some(0),
                error: Error::InvalidValue {
                    what: "election record",
                    reason: "a record holds at least its manifest",
                },
            }),
            ..Report::default()
        };
    }
    let mut replay = Replay::new();
    let mut head = Head::genesis();
    let mut k = 0;
    let fail = |replay: Replay, failure| {
        let mut report = replay.report().clone();
        report.failure = Some(failure);
        report
    };
    while let Some(entry) = entries.get(k) {
        // A run of ballots in an open round: one batch for their proofs.
        let run_len = entries
            .get(k..)
            .unwrap_or_default()
            .iter()
            .take(BATCH)
            .take_while(|e| e.kind() == EntryKind::Ballot)
            .count();
        if run_len > 1 {
            if let Some(open) = replay.open_round() {
                let ctx = open.context();
                let decoded: Vec<Result<EncryptedBallot, Error>> = entries
                    .get(k..k + run_len)
                    .unwrap_or_default()
                    .iter()
                    .map(|e| EncryptedBallot::from_bytes(e.body()))
                    .collect();
                let good: Vec<EncryptedBallot> = decoded
                    .iter()
                    .filter_map(|d| d.as_ref().ok().cloned())
                    .collect();
                let mut verdicts = EncryptedBallot::verify_batch_in_order(good, &ctx).into_iter();
                for (offset, d) in decoded.into_iter().enumerate() {
                    let Some(e) = entries.get(k + offset) else {
                        break;
                    };
                    // The verdicts follow the decodable ballots, in order.
                    let verdict = d.ok().and_then(|_| verdicts.next());
                    let applied = match verdict {
                        Some(Ok(v)) => replay.apply_verified(e, &head, v),
                        // An undecodable or invalid ballot: the replay names it.
                        _ => replay.apply(e, &head),
                    };
                    if let Err(f) = applied {
                        return fail(replay, f);
                    }
                    head = head.next(&e.to_bytes());
                }
                k += run_len;
                progress(k as u64);
                continue;
            }
        }
        if let Err(f) = replay.apply(entry, &head) {
            return fail(replay, f);
        }
        head = head.next(&entry.to_bytes());
        k += 1;
        if k % BATCH == 0 {
            progress(k as u64);
        }
    }
    progress(k as u64);
    let mut report = replay.finish();
    report.passed.insert(
        0,
        Passed {
            check: Check::Entries,
            round: None,
            detail: format!("{} entries, head {head}", entries.len()),
        },
    );
    report.passed.insert(
        1,
        Passed {
            check: Check::Authorship,
            round: None,
            detail: "every signed entry".to_string(),
        },
    );
    report
}

/// Runs every numbered check on `record`.
pub fn verify_record(record: &BoardRecord) -> Report {
    verify_entries(record.entries(), |_| {})
}

/// Checks that `newer` extends `older` (Belenios' `verify-diff`): the board of `older` is a
/// prefix of the board of `newer`. Nothing is removed, reordered or rewritten.
///
/// This compares records; run [`verify_record`] on `newer` to check it.
pub fn verify_extends(older: &BoardRecord, newer: &BoardRecord) -> Result<(), Error> {
    let (old, new) = (older.entries(), newer.entries());
    // The first entry where the boards differ, wherever entries were removed: a board cut
    // short is named where it ends, one with an entry taken out where that entry was.
    match old.iter().zip(new).position(|(a, b)| a != b) {
        Some(k) => Err(Error::RecordRewritten {
            entry: k as u64,
            what: "an entry was rewritten or reordered",
        }),
        None if new.len() < old.len() => Err(Error::RecordRewritten {
            entry: new.len() as u64,
            what: "entries removed",
        }),
        None => Ok(()),
    }
}
