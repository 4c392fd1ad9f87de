//! Runs a scenario end to end: key ceremony, encrypted rounds, threshold decryption, rules.
//!
//! The members' votes from the scenario are only ever encrypted by simulated devices; the
//! totals reported come from the trustees' threshold decryption of each round's tally.

use rand_core::{CryptoRng, RngCore};
use serde_json::{Map, Value, json};

use tabella::ballot::{BallotId, EncryptedBallot, Selection};
use tabella::election::{ClosedRound, Election, Manifest, RoundKind, RoundOutcome};
use tabella::record::{ElectionRecord, RoundRecord, TieResolution};
use tabella::rules::{Elimination, NotElected, RoundDecision, TieBreak};
use tabella::threshold::dkg::{self, CeremonyBoard, CeremonyContext};
use tabella::threshold::{KeyPackage, ThresholdParams};

use super::scenario::{Scenario, Step};

/// Overrides from the command line.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// Number of trustees (n).
    pub trustees: Option<u32>,
    /// Trustees needed to decrypt (t).
    pub threshold: Option<u32>,
}

/// The key ceremony as it ran: its run nonce and its board.
#[derive(Debug)]
pub struct Ceremony {
    /// The run nonce of the ceremony context.
    pub run: [u8; 32],
    /// Every message posted, by round.
    pub board: CeremonyBoard,
}

/// What happened in one step of the election.
#[derive(Debug)]
pub enum Event {
    /// Withdrawals, then acclamation.
    Acclamation {
        round: u32,
        withdrawn: Vec<usize>,
        elected: usize,
    },
    /// Withdrawals, then a ballot, and the resolution of a tie for lowest it left.
    Ballot {
        withdrawn: Vec<usize>,
        round: Box<ClosedRound>,
        outcome: Box<RoundOutcome>,
        tie: Option<TieResolution>,
    },
}

/// Everything the run produced.
#[derive(Debug)]
pub struct Report {
    /// The manifest.
    pub manifest: Manifest,
    /// The ceremony.
    pub ceremony: Ceremony,
    /// The election after its last step.
    pub election: Election,
    /// The steps, in order.
    pub events: Vec<Event>,
    /// The summary (`examples/council/README.md`).
    pub summary: Value,
    /// The human-readable table.
    pub table: Vec<String>,
}

impl Report {
    /// The public election record of the run.
    pub fn record(&self) -> ElectionRecord {
        let mut record = ElectionRecord::new(
            self.manifest.clone(),
            self.ceremony.run,
            self.ceremony.board.clone(),
            self.election.public_key_package().clone(),
            *self.election.context().fingerprint(),
        );
        for event in &self.events {
            record.rounds.push(match event {
                Event::Acclamation {
                    round,
                    withdrawn,
                    elected,
                } => RoundRecord::acclamation(*round, withdrawn, *elected),
                Event::Ballot {
                    withdrawn,
                    round,
                    outcome,
                    tie,
                } => RoundRecord::from_outcome(withdrawn, round, outcome, *tie),
            });
        }
        record
    }
}

/// Runs the key ceremony among `params.trustees()` simulated trustees over a public board.
pub fn ceremony<R: RngCore + CryptoRng>(
    manifest: &Manifest,
    rng: &mut R,
) -> Result<(Vec<KeyPackage>, Ceremony), String> {
    let params: ThresholdParams = manifest.threshold_params();
    let ctx = CeremonyContext::random(manifest.ceremony_context().map_err(err)?, params, rng);
    let mut board = CeremonyBoard::new();
    let mut secrets1 = Vec::new();
    for i in params.indices() {
        let (secret, package) = dkg::part1(&ctx, i, rng).map_err(err)?;
        board.post_round1(&package).map_err(err)?;
        secrets1.push(secret);
    }
    // Each round reads the board as the previous round left it.
    let mut round2 = Vec::new();
    for secret in secrets1 {
        round2.push(dkg::part2(secret, &board, rng).map_err(err)?);
    }
    for (_, package) in &round2 {
        board.post_round2(package).map_err(err)?;
    }
    let mut round3 = Vec::new();
    for (secret, _) in round2 {
        round3.push(dkg::part3(secret, &board, rng).map_err(err)?);
    }
    for (_, package) in &round3 {
        board.post_round3(package).map_err(err)?;
    }
    let mut keys = Vec::new();
    for (secret, _) in round3 {
        keys.push(dkg::part4(secret, &board).map_err(err)?.0);
    }
    Ok((
        keys,
        Ceremony {
            run: *ctx.run(),
            board,
        },
    ))
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Fisher–Yates with the run's RNG, so the board order says nothing about the votes.
fn shuffle<T, R: RngCore>(items: &mut [T], rng: &mut R) {
    for i in (1..items.len()).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

/// Runs the scenario.
pub fn run<R: RngCore + CryptoRng>(
    scenario: &Scenario,
    options: &Options,
    rng: &mut R,
) -> Result<Report, String> {
    let steps = scenario.steps()?;
    let rules = scenario.rules()?;
    let trustees = options.trustees.unwrap_or(scenario.trustees);
    let threshold = options.threshold.unwrap_or(scenario.threshold);
    let mut manifest = Manifest::new(
        scenario.title.clone(),
        scenario.members,
        scenario.eligible,
        scenario.candidates.clone(),
        rules,
        threshold,
        trustees,
    )
    .map_err(err)?;
    if let Some(floor) = scenario.privacy_floor {
        manifest = manifest.with_privacy_floor(floor).map_err(err)?;
    }
    let names = manifest.candidates().to_vec();
    let name = |c: usize| names.get(c).cloned().unwrap_or_default();

    let (mut keys, board) = ceremony(&manifest, rng)?;
    let public = keys
        .first()
        .map(|k| k.public().clone())
        .ok_or("the ceremony produced no key")?;
    let mut election = Election::new(manifest.clone(), public).map_err(err)?;

    let mut events = Vec::new();
    let mut rounds_json = Vec::new();
    let mut table = vec![
        manifest.title().to_string(),
        format!(
            "{} members, {} eligible; trustees: any {} of {} decrypt",
            manifest.members(),
            manifest.eligible(),
            manifest.threshold(),
            manifest.trustees()
        ),
    ];
    for step in steps {
        let (withdrawn, kind, votes, abstain, resolve_tie) = match &step {
            Step::Acclamation { withdrawn } => (withdrawn.clone(), None, Vec::new(), 0, None),
            Step::ChooseOne {
                withdrawn,
                votes,
                abstain,
                resolve_tie,
            } => (
                withdrawn.clone(),
                Some(RoundKind::ChooseOne),
                votes.iter().map(|(c, n)| (*c, *n)).collect::<Vec<_>>(),
                *abstain,
                *resolve_tie,
            ),
            Step::YesNo {
                withdrawn,
                candidate,
                yes,
                no,
                abstain,
            } => (
                withdrawn.clone(),
                Some(RoundKind::YesNo {
                    candidate: *candidate,
                }),
                vec![(0, *yes), (1, *no)],
                *abstain,
                None,
            ),
        };
        for c in &withdrawn {
            election.withdraw(*c).map_err(err)?;
        }
        let withdrawn_names: Vec<String> = withdrawn.iter().map(|c| name(*c)).collect();
        let round = election.standing().round();
        let Some(kind) = kind else {
            let acclamation = election.acclaim().map_err(err)?;
            let elected = acclamation.candidate();
            table.push(format!(
                "Round {round}: {}acclamation: {} elected",
                withdrawn_prefix(&withdrawn_names),
                name(elected)
            ));
            rounds_json.push(json!({
                "round": round,
                "ballot": "acclamation",
                "candidates": [name(elected)],
                "withdrawn": withdrawn_names,
                "elected": name(elected),
            }));
            events.push(Event::Acclamation {
                round,
                withdrawn,
                elected,
            });
            continue;
        };
        let mut open = election.open_round(kind).map_err(err)?;
        // The simulated members' devices: one selection per member, in a shuffled order.
        let contest = open.contest().clone();
        let mut selections = Vec::new();
        for (c, count) in votes {
            let position = match kind {
                RoundKind::ChooseOne => {
                    open.candidates()
                        .iter()
                        .position(|x| *x == c)
                        .ok_or_else(|| {
                            format!("round {round}: votes for {:?}, not on the ballot", name(c))
                        })?
                }
                RoundKind::YesNo { .. } => c,
            };
            for _ in 0..count {
                selections.push(Selection::new(&contest, &[position as u32]).map_err(err)?);
            }
        }
        for _ in 0..abstain {
            selections.push(Selection::abstain(&contest).map_err(err)?);
        }
        shuffle(&mut selections, rng);
        let mut ballots = Vec::with_capacity(selections.len());
        for selection in &selections {
            let id = BallotId::random(rng);
            let (ballot, _nonces) =
                EncryptedBallot::encrypt(&open.context(), selection, id, None, rng).map_err(err)?;
            ballots.push(ballot);
        }
        let rejected = open.cast_batch(ballots);
        if let Some((id, e)) = rejected.first() {
            return Err(format!("round {round}: ballot {id} rejected: {e}"));
        }
        let closed = open.close();
        // Every trustee decrypts the tally it recomputes from the round's verified ballots,
        // once: its key package logs the statement.
        let partials = keys
            .iter_mut()
            .map(|k| closed.decrypt_share(&election, k, rng))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("round {round}: {e}"))?;
        let outcome = election.tally_round(&closed, &partials).map_err(err)?;
        let (mut json, mut lines) = describe(&closed, &outcome, &withdrawn_names, &name);
        let pending = matches!(
            outcome.decision.elimination(),
            Elimination::TieUnresolved { .. }
        );
        let tie = match (pending, resolve_tie) {
            (true, Some((candidate, how))) => {
                let t = election
                    .resolve_tie_for_lowest(candidate, how)
                    .map_err(|e| format!("round {round}: {e}"))?;
                let by = match how {
                    TieBreak::Lot => "lot",
                    TieBreak::RunOff => "run_off",
                };
                lines.push(format!(
                    "  tie for lowest resolved by {by}: {} eliminated",
                    name(candidate)
                ));
                json["tie_resolution"] = json!({"eliminated": name(candidate), "by": by});
                Some(t)
            }
            (false, Some(_)) => {
                return Err(format!(
                    "round {round}: the scenario resolves a tie for lowest, but the rules left none"
                ));
            }
            (true, None) => {
                lines.push("  tie for lowest: the rules leave it to the caller (pending)".into());
                None
            }
            (false, None) => None,
        };
        rounds_json.push(json);
        table.extend(lines);
        events.push(Event::Ballot {
            withdrawn,
            round: Box::new(closed),
            outcome: Box::new(outcome),
            tie,
        });
    }
    let elected = election.standing().elected().map(name);
    table.push(match &elected {
        Some(n) => format!("Elected: {n}"),
        None => "Nobody elected".to_string(),
    });
    let summary = json!({
        "title": manifest.title(),
        "rounds": rounds_json,
        "elected": elected,
    });
    Ok(Report {
        manifest,
        ceremony: board,
        election,
        events,
        summary,
        table,
    })
}

fn withdrawn_prefix(names: &[String]) -> String {
    if names.is_empty() {
        String::new()
    } else {
        format!("{} withdrawn; ", names.join(", "))
    }
}

/// The summary entry and the table lines of a decided round.
fn describe(
    closed: &ClosedRound,
    outcome: &RoundOutcome,
    withdrawn: &[String],
    name: &dyn Fn(usize) -> String,
) -> (Value, Vec<String>) {
    let d: &RoundDecision = &outcome.decision;
    let round = d.round();
    let (ballot, candidates, labels): (&str, Vec<String>, Vec<String>) = match closed.kind() {
        RoundKind::ChooseOne => {
            let names: Vec<String> = closed.candidates().iter().map(|c| name(*c)).collect();
            ("choose_one", names.clone(), names)
        }
        RoundKind::YesNo { candidate } => (
            "yes_no",
            vec![name(candidate)],
            vec!["yes".to_string(), "no".to_string()],
        ),
    };
    let mut totals = Map::new();
    let mut lines = vec![format!(
        "Round {round}: {}{} ballot; rule: {}",
        withdrawn_prefix(withdrawn),
        if ballot == "yes_no" {
            "yes/no"
        } else {
            "choose-one"
        },
        d.rule()
    )];
    for (label, total) in labels.iter().zip(outcome.totals.options()) {
        totals.insert(label.clone(), json!(total));
        lines.push(format!("  {label:<28} {total:>8}"));
    }
    lines.push(format!(
        "  {:<28} {:>8}",
        "abstain",
        outcome.totals.abstain()
    ));
    let required = d
        .required()
        .map_or_else(|| "-".to_string(), |r| r.to_string());
    let verdict = match (d.elected(), d.not_elected()) {
        (Some(c), _) => format!("{} elected", name(c)),
        (None, Some(NotElected::RuleNotMet { highest })) => {
            format!("nobody elected (highest {highest} < {required})")
        }
        (None, Some(NotElected::TieAtTop { .. })) => "nobody elected (tie at the top)".into(),
        (None, Some(NotElected::NoVotes)) => "nobody elected (no votes: V = 0)".into(),
        (None, Some(NotElected::QuorumNotMet { present, required })) => {
            format!("void: quorum not met ({present} present, {required} required)")
        }
        (None, _) => "nobody elected".into(),
    };
    lines.push(format!(
        "  cast {}, V = {}, required {} -> {}{}",
        d.cast(),
        d.base_count(),
        required,
        verdict,
        d.eliminated()
            .map_or_else(String::new, |c| format!("; {} eliminated", name(c)))
    ));
    let json = json!({
        "round": round,
        "ballot": ballot,
        "candidates": candidates,
        "totals": Value::Object(totals),
        "abstain": outcome.totals.abstain(),
        "cast": d.cast(),
        "present_and_voting": d.present_and_voting(),
        "required": d.required(),
        "elected": d.elected().map(name),
        "eliminated": d.eliminated().map(name),
        "withdrawn": withdrawn,
    });
    (json, lines)
}
