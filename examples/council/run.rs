//! Runs a scenario on a board: each party's next step, made from the board as it stands.
//!
//! The administrator opens, closes and announces; the credential authority posts the roll of
//! the members' credentials before the first round; the trustees run the key ceremony and
//! decrypt each closed round; the members' devices encrypt, sign with their member's
//! credential and cast. Nothing here computes a
//! result: the totals, the decisions and the summary all come from the board's replay, which
//! is what every verifier runs. Because every step starts from the board, a run interrupted at
//! any moment (even `kill -9`) and started again on the same board continues where the board
//! stands.

use rand_core::{CryptoRng, RngCore};
use serde_json::{Map, Value, json};

use tabella::Error;
use tabella::ballot::{BallotId, EncryptedBallot, Selection};
use tabella::board::entry::Entry;
use tabella::board::{MemoryStore, Store};
use tabella::credential::{CredentialSecret, PublicCredential, SecondBallot};
use tabella::election::{
    Administrator, Applied, Authorities, BoardElection, ClosedRound, Manifest, RoundEnd, RoundKind,
    RoundOutcome, Trustee, simulate_ceremony_keeping,
};
use tabella::record::BoardRecord;
use tabella::rules::{Elimination, NotElected, RoundDecision, TieBreak};
use tabella::threshold::TrusteeIndex;

use super::parties::Parties;
use super::scenario::{Scenario, Step};

/// Overrides from the command line.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// Number of trustees (n).
    pub trustees: Option<u32>,
    /// Trustees needed to decrypt (t).
    pub threshold: Option<u32>,
}

/// What the run leaves: the board's record and what it says.
#[derive(Debug)]
pub struct Report {
    /// The board, exported.
    pub record: BoardRecord,
    /// The summary (`examples/council/README.md`).
    pub summary: Value,
    /// The human-readable table.
    pub table: Vec<String>,
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// How many ballots a member's device hands the board at once.
const BATCH: usize = 64;

/// The council's rule for a second ballot of one member in one round.
const SECOND_BALLOT: SecondBallot = SecondBallot::Refused;

/// The scenario's manifest, naming the simulated administrator, trustees and credential
/// authority.
pub fn manifest(
    scenario: &Scenario,
    options: &Options,
    parties: &Parties,
) -> Result<Manifest, String> {
    let trustees = options.trustees.unwrap_or(scenario.trustees);
    let threshold = options.threshold.unwrap_or(scenario.threshold);
    let keys = (1..=trustees)
        .map(|i| {
            Ok(parties
                .trustee_key(TrusteeIndex::new(i).map_err(err)?)
                .public_key())
        })
        .collect::<Result<Vec<_>, String>>()?;
    let authorities = Authorities::new(parties.administrator().public_key(), keys)
        .and_then(|a| a.with_credential_authority(parties.credential_authority().public_key()))
        .map_err(err)?;
    let mut builder = Manifest::builder(scenario.title.clone())
        .members(scenario.members)
        .eligible(scenario.eligible)
        .candidates(scenario.candidates.clone())
        .rules(scenario.rules()?)
        .threshold(threshold)
        .trustees(trustees)
        .roll(SECOND_BALLOT)
        .authorities(authorities);
    if let Some(floor) = scenario.privacy_floor {
        builder = builder.privacy_floor(floor);
    }
    builder.build().map_err(err)
}

/// Runs the scenario on a board in memory.
pub fn run<R: RngCore + CryptoRng>(
    scenario: &Scenario,
    options: &Options,
    rng: &mut R,
) -> Result<Report, String> {
    let mut seed = [0u8; 32];
    rng.fill_bytes(&mut seed);
    let parties = Parties::in_memory(seed);
    let board = BoardElection::open(MemoryStore::new()).map_err(err)?;
    run_on(board, scenario, options, &parties, rng)
}

/// Runs the scenario on `board` (new, or where an earlier run left it).
pub fn run_on<S: Store, R: RngCore + CryptoRng>(
    mut board: BoardElection<S>,
    scenario: &Scenario,
    options: &Options,
    parties: &Parties,
    rng: &mut R,
) -> Result<Report, String> {
    let steps = scenario.steps()?;
    let manifest = manifest(scenario, options, parties)?;
    let admin = parties.administrator();
    if board.is_empty() {
        let entry = admin.manifest(&manifest, rng).map_err(err)?;
        post(&mut board, entry)?;
    } else if board.replay().manifest() != Some(&manifest) {
        return Err("the board holds another election (another scenario or other options)".into());
    }
    let credentials = roll(&mut board, parties, &manifest, rng)?;
    let mut trustees = parties.trustees(board.replay(), manifest.trustees())?;
    ceremony(&mut board, &admin, &mut trustees, parties, rng)?;
    for (i, step) in steps.iter().enumerate() {
        if board.replay().history().len() <= i {
            play(
                &mut board,
                &admin,
                &mut trustees,
                parties,
                &credentials,
                step,
                rng,
            )?;
        }
        settle_tie(&mut board, &admin, i, step, rng)?;
    }
    summarize(&board, &manifest)
}

fn post<S: Store>(board: &mut BoardElection<S>, entry: Entry) -> Result<Applied, String> {
    board.post(entry).map_err(err)
}

/// The key ceremony (or what is left of it): each trustee's state is sealed before its message
/// is posted, so a message on the board always has its secrets kept.
fn ceremony<S: Store, R: RngCore + CryptoRng>(
    board: &mut BoardElection<S>,
    admin: &Administrator,
    trustees: &mut [Trustee],
    parties: &Parties,
    rng: &mut R,
) -> Result<(), String> {
    simulate_ceremony_keeping(board, admin, trustees, rng, |trustee, replay, rng| {
        parties
            .save(trustee, replay, rng)
            .map_err(|detail| Error::Storage {
                what: "trustee state file",
                detail,
            })
    })
    .map_err(err)
}

/// The members' credentials (member m's at position m), after the credential authority has
/// posted their roll if the board does not hold it yet. They are derived from the simulation
/// seed, so a resumed run finds the roll it posted before.
fn roll<S: Store, R: RngCore + CryptoRng>(
    board: &mut BoardElection<S>,
    parties: &Parties,
    manifest: &Manifest,
    rng: &mut R,
) -> Result<Vec<CredentialSecret>, String> {
    let authority = parties.credential_authority();
    let (roll, credentials) = parties.credentials(&authority, manifest.eligible())?;
    match board.replay().roll() {
        None => {
            let entry = authority
                .roll(&roll, board.replay(), board.head(), rng)
                .map_err(err)?;
            post(board, entry)?;
        }
        Some(posted) if **posted == roll => {}
        Some(_) => {
            return Err(
                "the roll on the board is not this simulation's: the board was written by \
                 another simulation"
                    .into(),
            );
        }
    }
    Ok(credentials)
}

/// The withdrawals, the ballots or the acclamation of one step, up to its result.
fn play<S: Store, R: RngCore + CryptoRng>(
    board: &mut BoardElection<S>,
    admin: &Administrator,
    trustees: &mut [Trustee],
    parties: &Parties,
    credentials: &[CredentialSecret],
    step: &Step,
    rng: &mut R,
) -> Result<(), String> {
    let (withdrawn, kind) = match step {
        Step::Acclamation { withdrawn } => (withdrawn, None),
        Step::ChooseOne { withdrawn, .. } => (withdrawn, Some(RoundKind::ChooseOne)),
        Step::YesNo {
            withdrawn,
            candidate,
            ..
        } => (
            withdrawn,
            Some(RoundKind::YesNo {
                candidate: *candidate,
            }),
        ),
    };
    let between = board.replay().open_round().is_none() && board.replay().closed_round().is_none();
    if between {
        for c in withdrawn {
            if !board.replay().withdrawn().contains(c) {
                let entry = admin
                    .withdraw(board.replay(), board.head(), *c, rng)
                    .map_err(err)?;
                post(board, entry)?;
            }
        }
        let entry = match kind {
            None => admin.acclaim(board.replay(), board.head(), rng),
            Some(kind) => admin.open_round(board.replay(), board.head(), kind, rng),
        }
        .map_err(err)?;
        post(board, entry)?;
    }
    if board.replay().open_round().is_some() {
        cast_members(board, parties, credentials, step)?;
        let entry = admin
            .close_round(board.replay(), board.head(), rng)
            .map_err(err)?;
        post(board, entry)?;
    }
    if let Some((closed, _, _)) = board.replay().closed_round() {
        let round = closed.number();
        for trustee in trustees.iter_mut() {
            if board.replay().has_partial(trustee.index()) {
                continue;
            }
            // The decryption log is sealed before the share is posted.
            let entry = trustee
                .decrypt(board.replay(), board.head(), rng)
                .map_err(|e| format!("round {round}: trustee {}: {e}", trustee.index().get()))?;
            parties.save(trustee, board.replay(), rng)?;
            post(board, entry)?;
        }
        let entry = admin
            .result(board.replay(), board.head(), rng)
            .map_err(err)?;
        post(board, entry)?;
    }
    Ok(())
}

/// The members' selections of a round, in the order they cast (shuffled with the simulation's
/// generator, so that the board order says nothing about the votes).
fn selections(
    parties: &Parties,
    board_round: u32,
    candidates: &[usize],
    contest: &tabella::ballot::ContestSpec,
    step: &Step,
) -> Result<Vec<Selection>, String> {
    let (votes, abstain): (Vec<(usize, u64)>, u64) = match step {
        Step::Acclamation { .. } => (Vec::new(), 0),
        Step::ChooseOne { votes, abstain, .. } => {
            let mut positioned = Vec::new();
            for (c, n) in votes {
                let position = candidates.iter().position(|x| x == c).ok_or_else(|| {
                    format!("round {board_round}: votes for candidate {c}, not on the ballot")
                })?;
                positioned.push((position, *n));
            }
            (positioned, *abstain)
        }
        Step::YesNo {
            yes, no, abstain, ..
        } => (vec![(0, *yes), (1, *no)], *abstain),
    };
    let mut out = Vec::new();
    for (position, count) in votes {
        let position = u32::try_from(position).map_err(err)?;
        for _ in 0..count {
            out.push(Selection::new(contest, &[position]).map_err(err)?);
        }
    }
    for _ in 0..abstain {
        out.push(Selection::abstain(contest).map_err(err)?);
    }
    let mut rng = parties.rng("order", board_round, 0);
    for i in (1..out.len()).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        out.swap(i, j);
    }
    Ok(out)
}

/// The members present in a round, in the order they cast: `present` of the `eligible`
/// members (their positions on the credential authority's list), drawn with the simulation's
/// generator. The others cast nothing.
fn present_members(parties: &Parties, round: u32, eligible: usize, present: usize) -> Vec<usize> {
    let mut members: Vec<usize> = (0..eligible).collect();
    let mut rng = parties.rng("present", round, 0);
    for i in 0..present.min(eligible) {
        let left = (eligible - i) as u64;
        let j = i + (rng.next_u64() % left) as usize;
        members.swap(i, j);
    }
    members.truncate(present);
    members
}

/// Casts the members' ballots that are not on the board yet. The k-th ballot of a round is
/// always the same ballot (its member, id and encryption come from the simulation seed), so
/// the ballots already in the box are checked to be the first k ones (id and credential), and
/// casting resumes at the k-th.
fn cast_members<S: Store>(
    board: &mut BoardElection<S>,
    parties: &Parties,
    credentials: &[CredentialSecret],
    step: &Step,
) -> Result<(), String> {
    let (ctx, already) = {
        let open = board.replay().open_round().ok_or("no round is open")?;
        let ctx = board.round_context().ok_or("no round is open")?;
        let cast: Vec<(BallotId, Option<PublicCredential>)> = open
            .ballot_box()
            .ballots()
            .map(|b| (*b.ballot().id(), b.ballot().credential().copied()))
            .collect();
        (ctx, cast)
    };
    let bctx = ctx.ballot_context();
    let round = bctx.round;
    let contest = bctx.contest.clone();
    let candidates = board
        .replay()
        .open_round()
        .map(|o| o.candidates().to_vec())
        .unwrap_or_default();
    let selections = selections(parties, round, &candidates, &contest, step)?;
    if already.len() > selections.len() {
        return Err(format!(
            "round {round}: the box holds {} ballots, more than the {} members voting",
            already.len(),
            selections.len()
        ));
    }
    if selections.len() > credentials.len() {
        return Err(format!(
            "round {round}: {} members vote, more than the {} credentials",
            selections.len(),
            credentials.len()
        ));
    }
    let members = present_members(parties, round, credentials.len(), selections.len());
    let credential = |k: usize| members.get(k).and_then(|&m| credentials.get(m));
    let ballot = |k: usize| -> Result<EncryptedBallot, String> {
        let mut rng = parties.rng("ballot", round, k as u64);
        let id = BallotId::random(&mut rng);
        let selection = selections.get(k).ok_or("no such ballot")?;
        let (ballot, _nonces) =
            EncryptedBallot::encrypt(&bctx, selection, id, credential(k), &mut rng).map_err(err)?;
        Ok(ballot)
    };
    for (k, (id, signed_by)) in already.iter().enumerate() {
        let mut rng = parties.rng("ballot", round, k as u64);
        let expected = credential(k).map(CredentialSecret::public);
        if BallotId::random(&mut rng) != *id || *signed_by != expected {
            return Err(format!(
                "round {round}: ballot {k} in the box is not the one this simulation casts \
                 {k}th: the board was written by another simulation"
            ));
        }
    }
    let mut k = already.len();
    while k < selections.len() {
        let end = (k + BATCH).min(selections.len());
        let batch = (k..end).map(ballot).collect::<Result<Vec<_>, _>>()?;
        for (j, verdict) in (k..).zip(board.cast_batch(batch)) {
            verdict.map_err(|e| format!("round {round}: ballot {j}: {e}"))?;
        }
        k = end;
    }
    Ok(())
}

/// The resolution of a tie for lowest that step `i` left, when the scenario resolves it.
fn settle_tie<S: Store, R: RngCore + CryptoRng>(
    board: &mut BoardElection<S>,
    admin: &Administrator,
    i: usize,
    step: &Step,
    rng: &mut R,
) -> Result<(), String> {
    let resolve = match step {
        Step::ChooseOne { resolve_tie, .. } => *resolve_tie,
        _ => None,
    };
    let history = board.replay().history();
    let Some(done) = history.get(i) else {
        return Ok(());
    };
    let pending = match &done.end {
        RoundEnd::Decided(d) => matches!(
            d.outcome.decision.elimination(),
            Elimination::TieUnresolved { .. }
        ),
        RoundEnd::Acclaimed { .. } => false,
    };
    match (pending, resolve, done.tie.is_some()) {
        (true, Some((candidate, how)), false) => {
            let round = done.number;
            let entry = admin
                .resolve_tie(board.replay(), board.head(), candidate, how, rng)
                .map_err(|e| format!("round {round}: {e}"))?;
            post(board, entry)?;
            Ok(())
        }
        (false, Some(_), _) => Err(format!(
            "round {}: the scenario resolves a tie for lowest, but the rules left none",
            done.number
        )),
        _ => Ok(()),
    }
}

/// The table and the summary, read from the board's replay.
fn summarize<S: Store>(board: &BoardElection<S>, manifest: &Manifest) -> Result<Report, String> {
    let names = manifest.candidates().to_vec();
    let name = |c: usize| names.get(c).cloned().unwrap_or_default();
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
    let roll = board.replay().roll().map(|r| r.len());
    if let (Some(n), Some(rule)) = (roll, manifest.roll()) {
        table.push(format!(
            "roll: {n} credentials posted by the credential authority; a second ballot is {}",
            rule.name()
        ));
    }
    let mut rounds = Vec::new();
    for h in board.replay().history() {
        let withdrawn: Vec<String> = h.withdrawn.iter().map(|c| name(*c)).collect();
        match &h.end {
            RoundEnd::Acclaimed { candidate } => {
                table.push(format!(
                    "Round {}: {}acclamation: {} elected",
                    h.number,
                    withdrawn_prefix(&withdrawn),
                    name(*candidate)
                ));
                rounds.push(json!({
                    "round": h.number,
                    "ballot": "acclamation",
                    "candidates": [name(*candidate)],
                    "withdrawn": withdrawn,
                    "elected": name(*candidate),
                }));
            }
            RoundEnd::Decided(d) => {
                let (mut json, mut lines) = describe(&d.round, &d.outcome, &withdrawn, &name);
                let pending = matches!(
                    d.outcome.decision.elimination(),
                    Elimination::TieUnresolved { .. }
                );
                match &h.tie {
                    Some(t) => {
                        let by = match t.how {
                            TieBreak::Lot => "lot",
                            TieBreak::RunOff => "run_off",
                        };
                        let eliminated = name(t.eliminated as usize);
                        lines.push(format!(
                            "  tie for lowest resolved by {by}: {eliminated} eliminated"
                        ));
                        json["tie_resolution"] = json!({"eliminated": eliminated, "by": by});
                    }
                    None if pending => lines.push(
                        "  tie for lowest: the rules leave it to the caller (pending)".into(),
                    ),
                    None => {}
                }
                rounds.push(json);
                table.extend(lines);
            }
        }
    }
    let elected = board
        .replay()
        .election()
        .and_then(|e| e.standing().elected())
        .map(name);
    table.push(match &elected {
        Some(n) => format!("Elected: {n}"),
        None => "Nobody elected".to_string(),
    });
    let summary = json!({
        "title": manifest.title(),
        "roll": roll.map(|n| json!({
            "credentials": n,
            "second_ballot": manifest.roll().map(SecondBallot::name),
        })),
        "rounds": rounds,
        "elected": elected,
    });
    Ok(Report {
        record: board.record().map_err(err)?,
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
