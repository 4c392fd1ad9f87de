//! Scenario files: the input of the council example (`examples/council/README.md`), their
//! validation, and the summary they produce.
//!
//! A scenario lists the members' votes so that the example can simulate the members' devices.
//! Those numbers are only ever encrypted: the totals in the summary come from the trustees'
//! threshold decryption. The `source` and `expected` fields are kept out of the computation.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use tabella::rules::{
    Base, Comparison, ElectionRules, Fraction, MajorityRule, Quorum, RuleSchedule, TieBreak,
    TieForLowest,
};

/// A rule of the schedule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub from_round: u32,
    #[serde(default)]
    pub at_least: Option<[u64; 2]>,
    #[serde(default)]
    pub more_than: Option<[u64; 2]>,
    pub of: String,
}

/// One round of the scenario.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundSpec {
    #[serde(default)]
    pub ballot: Option<String>,
    #[serde(default)]
    pub candidate: Option<String>,
    #[serde(default)]
    pub votes: BTreeMap<String, u64>,
    #[serde(default)]
    pub abstain: u64,
    #[serde(default)]
    pub withdrawn: Vec<String>,
    #[serde(default)]
    pub acclamation: bool,
    /// After this round's ballot, the resolution of a tie for lowest that the rules leave to
    /// the caller (`tie_for_lowest: "caller_resolves"`).
    #[serde(default)]
    pub resolve_tie: Option<TieSpec>,
}

/// How a tie for lowest is resolved: the candidate eliminated, and how it was chosen.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TieSpec {
    pub eliminate: String,
    /// `"lot"` or `"run_off"`.
    pub by: String,
}

/// A scenario file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub title: String,
    /// Where the figures come from; carried, never used in the computation.
    #[serde(default)]
    #[allow(dead_code)]
    pub source: Option<String>,
    pub members: u64,
    pub eligible: u64,
    pub trustees: u32,
    pub threshold: u32,
    pub candidates: Vec<String>,
    pub rules: Vec<RuleSpec>,
    #[serde(default)]
    pub eliminate_lowest_after: Vec<u32>,
    #[serde(default)]
    pub tie_for_lowest: Option<String>,
    #[serde(default)]
    pub quorum: bool,
    #[serde(default)]
    pub privacy_floor: Option<u64>,
    pub rounds: Vec<RoundSpec>,
    /// What the tests expect; never used in the computation.
    #[serde(default)]
    #[allow(dead_code)]
    pub expected: Option<Value>,
}

/// What a round of the scenario asks for, validated.
#[derive(Debug)]
pub enum Step {
    /// Withdrawals, then acclamation of the sole remaining candidate.
    Acclamation { withdrawn: Vec<usize> },
    /// Withdrawals, then a choose-one ballot: votes per candidate index.
    ChooseOne {
        withdrawn: Vec<usize>,
        votes: BTreeMap<usize, u64>,
        abstain: u64,
        resolve_tie: Option<(usize, TieBreak)>,
    },
    /// Withdrawals, then a yes/no ballot on one candidate.
    YesNo {
        withdrawn: Vec<usize>,
        candidate: usize,
        yes: u64,
        no: u64,
        abstain: u64,
    },
}

impl Scenario {
    /// Parses a scenario; every unknown field is an error.
    pub fn parse(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| format!("invalid scenario: {e}"))
    }

    fn candidate(&self, name: &str) -> Result<usize, String> {
        self.candidates
            .iter()
            .position(|c| c == name)
            .ok_or_else(|| format!("unknown candidate {name:?}"))
    }

    /// The election rules of the scenario.
    pub fn rules(&self) -> Result<ElectionRules, String> {
        let mut entries = Vec::new();
        for r in &self.rules {
            let (comparison, [p, q]) = match (r.at_least, r.more_than) {
                (Some(f), None) => (Comparison::AtLeast, f),
                (None, Some(f)) => (Comparison::MoreThan, f),
                _ => return Err("each rule needs exactly one of at_least and more_than".into()),
            };
            let base = match r.of.as_str() {
                "present_and_voting" => Base::PresentAndVoting,
                "eligible" => Base::Eligible,
                other => return Err(format!("unknown rule base {other:?}")),
            };
            let fraction = Fraction::new(p, q).map_err(|e| e.to_string())?;
            let rule = MajorityRule::new(comparison, fraction, base).map_err(|e| e.to_string())?;
            entries.push((r.from_round, rule));
        }
        let schedule = RuleSchedule::new(entries).map_err(|e| e.to_string())?;
        let tie = match self.tie_for_lowest.as_deref() {
            None | Some("no_elimination") => TieForLowest::NoElimination,
            Some("caller_resolves") => TieForLowest::CallerResolves,
            Some(other) => return Err(format!("unknown tie_for_lowest policy {other:?}")),
        };
        let quorum = if self.quorum {
            Some(Quorum::majority_of(self.members).map_err(|e| e.to_string())?)
        } else {
            None
        };
        ElectionRules::new(
            schedule,
            self.eliminate_lowest_after.iter().copied().collect(),
            tie,
            quorum,
        )
        .map_err(|e| e.to_string())
    }

    /// Validates the rounds against the candidates and the electorate.
    pub fn steps(&self) -> Result<Vec<Step>, String> {
        if self.eligible > self.members {
            return Err("more eligible members than members".into());
        }
        let mut gone: Vec<usize> = Vec::new();
        let mut steps = Vec::new();
        for (i, round) in self.rounds.iter().enumerate() {
            let n = i + 1;
            let mut withdrawn = Vec::new();
            for name in &round.withdrawn {
                let c = self.candidate(name)?;
                if gone.contains(&c) {
                    return Err(format!("round {n}: {name:?} has already left the race"));
                }
                gone.push(c);
                withdrawn.push(c);
            }
            let cast = round
                .votes
                .values()
                .try_fold(round.abstain, |a, v| a.checked_add(*v))
                .ok_or_else(|| format!("round {n}: vote counts overflow"))?;
            if cast > self.eligible {
                return Err(format!(
                    "round {n}: {cast} ballots cast but only {} members are eligible",
                    self.eligible
                ));
            }
            if round.resolve_tie.is_some() && round.ballot.as_deref() != Some("choose_one") {
                return Err(format!(
                    "round {n}: only a choose_one ballot can leave a tie for lowest"
                ));
            }
            let step = if round.acclamation {
                if round.ballot.is_some() || !round.votes.is_empty() || round.abstain != 0 {
                    return Err(format!("round {n}: acclamation takes no ballot"));
                }
                let remaining = self.candidates.len() - gone.len();
                if remaining != 1 {
                    return Err(format!(
                        "round {n}: acclamation needs exactly one candidate left, not {remaining}"
                    ));
                }
                Step::Acclamation { withdrawn }
            } else {
                match round.ballot.as_deref() {
                    Some("choose_one") => {
                        if round.candidate.is_some() {
                            return Err(format!(
                                "round {n}: a choose_one ballot names no candidate"
                            ));
                        }
                        let mut votes = BTreeMap::new();
                        for (name, count) in &round.votes {
                            let c = self.candidate(name)?;
                            if gone.contains(&c) {
                                return Err(format!(
                                    "round {n}: votes for {name:?}, who has left the race"
                                ));
                            }
                            votes.insert(c, *count);
                        }
                        let resolve_tie = match &round.resolve_tie {
                            None => None,
                            Some(t) => {
                                let c = self.candidate(&t.eliminate)?;
                                let how = match t.by.as_str() {
                                    "lot" => TieBreak::Lot,
                                    "run_off" => TieBreak::RunOff,
                                    other => {
                                        return Err(format!(
                                            "round {n}: a tie is resolved by \"lot\" or \"run_off\", not {other:?}"
                                        ));
                                    }
                                };
                                Some((c, how))
                            }
                        };
                        Step::ChooseOne {
                            withdrawn,
                            votes,
                            abstain: round.abstain,
                            resolve_tie,
                        }
                    }
                    Some("yes_no") => {
                        let name = round.candidate.as_deref().ok_or_else(|| {
                            format!("round {n}: a yes_no ballot needs a candidate")
                        })?;
                        let candidate = self.candidate(name)?;
                        if gone.contains(&candidate) {
                            return Err(format!("round {n}: {name:?} has left the race"));
                        }
                        let mut yes = 0;
                        let mut no = 0;
                        for (key, count) in &round.votes {
                            match key.as_str() {
                                "yes" => yes = *count,
                                "no" => no = *count,
                                other => {
                                    return Err(format!(
                                        "round {n}: yes_no votes are \"yes\" and \"no\", not {other:?}"
                                    ));
                                }
                            }
                        }
                        Step::YesNo {
                            withdrawn,
                            candidate,
                            yes,
                            no,
                            abstain: round.abstain,
                        }
                    }
                    Some(other) => return Err(format!("round {n}: unknown ballot {other:?}")),
                    None => return Err(format!("round {n}: needs a ballot or acclamation")),
                }
            };
            steps.push(step);
        }
        if steps.is_empty() {
            return Err("a scenario needs at least one round".into());
        }
        Ok(steps)
    }
}
