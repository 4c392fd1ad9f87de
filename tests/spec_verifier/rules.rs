//! The rules engine (SPEC §10.5): a round's counts, the number required, the quorum, the
//! decision of a choose-one or yes/no round, and elimination of the lowest candidate.

use super::codec::Res;
use super::manifest::Manifest;

/// A round's result (§10.5): (cast, P, V, required, elected, eliminated).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub cast: u64,
    pub present_and_voting: u64,
    pub base: u64,
    pub required: Option<u64>,
    pub elected: Option<u32>,
    pub eliminated: Option<u32>,
}

/// What a decided round decides: its recorded result, and the candidates tied for lowest when
/// the manifest leaves that tie to the caller (§10.5, `caller_resolves`).
pub struct Decision {
    pub outcome: Outcome,
    pub tie: Option<Vec<u32>>,
}

/// Applies §10.5 to round r with the slot totals `totals` (the ballot's candidates in order,
/// or yes then no, then the abstentions).
pub fn decide(
    m: &Manifest,
    r: u32,
    yes_no: Option<u32>,
    candidates: &[u32],
    totals: &[u64],
) -> Res<Decision> {
    let k = if yes_no.is_some() {
        2
    } else {
        candidates.len()
    };
    let cast = totals.iter().try_fold(0u64, |acc, &t| acc.checked_add(t));
    let cast = cast.ok_or("the totals overflow")?;
    if cast > m.eligible {
        return Err(format!("cast {cast} above eligible {}", m.eligible));
    }
    let present_and_voting: u64 = totals[..k].iter().sum();
    let rule = m.rule(r).ok_or(format!("no rule for round {r}"))?;
    let base = if rule.of_eligible {
        m.eligible
    } else {
        present_and_voting
    };
    let required = rule.fraction.required(base);
    let quorum_met = m
        .quorum
        .as_ref()
        .is_none_or(|(f, members)| f.required(*members).is_some_and(|needed| cast >= needed));
    let mut outcome = Outcome {
        cast,
        present_and_voting,
        base,
        required,
        elected: None,
        eliminated: None,
    };
    let decisive = quorum_met && base != 0;
    if let Some(candidate) = yes_no {
        if decisive && rule.fraction.met(totals[0], base) {
            outcome.elected = Some(candidate);
        }
        return Ok(Decision { outcome, tie: None });
    }
    let options = &totals[..k];
    let top = options.iter().copied().max().unwrap_or(0);
    let at_top: Vec<usize> = (0..k).filter(|&i| options[i] == top).collect();
    if decisive && rule.fraction.met(top, base) && at_top.len() == 1 {
        outcome.elected = Some(candidates[at_top[0]]);
    }
    let mut tie = None;
    if outcome.elected.is_none() && quorum_met && k >= 2 && m.eliminate_after.contains(&r) {
        let low = options.iter().copied().min().unwrap_or(0);
        let at_low: Vec<u32> = (0..k)
            .filter(|&i| options[i] == low)
            .map(|i| candidates[i])
            .collect();
        if at_low.len() == 1 {
            outcome.eliminated = Some(at_low[0]);
        } else if m.caller_resolves {
            tie = Some(at_low);
        }
    }
    Ok(Decision { outcome, tie })
}
