#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::collections::BTreeSet;

use super::*;
use crate::rules::{Base, Comparison, Fraction, Quorum, RuleSchedule};

fn rule(comparison: Comparison, p: u64, q: u64, base: Base) -> MajorityRule {
    MajorityRule::new(comparison, Fraction::new(p, q).unwrap(), base).unwrap()
}

fn standing(rule: MajorityRule, candidates: usize) -> Standing {
    Standing::new(
        ElectionRules::with_schedule(RuleSchedule::single(rule)),
        candidates,
    )
    .unwrap()
}

fn eliminating(after: &[u32], tie: TieForLowest, candidates: usize) -> Standing {
    let rules = ElectionRules::new(
        RuleSchedule::single(MajorityRule::TWO_THIRDS),
        after.iter().copied().collect(),
        tie,
        None,
    )
    .unwrap();
    Standing::new(rules, candidates).unwrap()
}

fn remaining(s: &Standing) -> Vec<usize> {
    s.remaining().collect()
}

#[test]
fn iom_2023() {
    let (pope, vitorino) = (0, 1);
    let rules = ElectionRules::new(
        RuleSchedule::single(MajorityRule::TWO_THIRDS),
        BTreeSet::new(),
        TieForLowest::NoElimination,
        Some(Quorum::majority_of(175).unwrap()),
    )
    .unwrap();
    let mut s = Standing::new(rules, 2).unwrap();

    let round_1 = s.decide_choose_one(&[98, 67], 0, 171).unwrap();
    assert_eq!(round_1.round(), 1);
    assert_eq!(round_1.ballot(), BallotKind::ChooseOne);
    assert_eq!(round_1.rule(), &MajorityRule::TWO_THIRDS);
    assert_eq!((round_1.cast(), round_1.present_and_voting()), (165, 165));
    assert_eq!(round_1.base_count(), 165);
    assert_eq!(round_1.required(), Some(110));
    assert_eq!(round_1.elected(), None);
    assert_eq!(
        round_1.not_elected(),
        Some(&NotElected::RuleNotMet { highest: 98 })
    );
    assert_eq!(round_1.elimination(), &Elimination::NotDue);
    assert_eq!(s.round(), 2);

    s.withdraw(vitorino).unwrap();
    assert_eq!(
        s.status(vitorino),
        Some(CandidateStatus::Withdrawn { before_round: 2 })
    );
    let acclamation = s.acclaim().unwrap();
    assert_eq!((acclamation.round(), acclamation.candidate()), (2, pope));
    assert_eq!(s.elected(), Some(pope));
    assert_eq!(s.status(pope), Some(CandidateStatus::Elected { round: 2 }));
    assert_eq!(s.round(), 3);

    let over = Err(RuleError::AlreadyElected { candidate: pope });
    assert_eq!(s.acclaim(), over.clone().map(|()| acclamation));
    assert_eq!(s.withdraw(pope), over.clone());
    assert_eq!(s.decide_choose_one(&[1], 0, 171).map(|_| ()), over.clone());
    assert_eq!(s.decide_yes_no(pope, 1, 0, 0, 171).map(|_| ()), over);
}

#[test]
fn iom_2019_confirmation() {
    let mut s = standing(MajorityRule::TWO_THIRDS, 1);
    let d = s.decide_yes_no(0, 86, 57, 0, 150).unwrap();
    assert_eq!(d.ballot(), BallotKind::YesNo { candidate: 0 });
    assert_eq!(d.base_count(), 143);
    assert_eq!(d.required(), Some(96));
    assert_eq!(
        d.not_elected(),
        Some(&NotElected::RuleNotMet { highest: 86 })
    );
    assert_eq!(d.elimination(), &Elimination::NotDue);
    // Not confirmed, but still in the race; the next round is 2.
    assert_eq!(s.status(0), Some(CandidateStatus::Remaining));
    assert_eq!(s.round(), 2);
    let d = s.decide_yes_no(0, 96, 47, 7, 150).unwrap();
    assert_eq!((d.cast(), d.base_count()), (150, 143));
    assert_eq!(d.elected(), Some(0));
}

#[test]
fn yes_no_under_eligible_base() {
    let r = rule(Comparison::AtLeast, 2, 3, Base::Eligible);
    let mut s = standing(r, 1);
    // 96 of 143 would pass among those voting, but not 2/3 of 171 eligible (114).
    let d = s.decide_yes_no(0, 96, 47, 0, 171).unwrap();
    assert_eq!((d.base_count(), d.required()), (171, Some(114)));
    assert_eq!(d.elected(), None);
    assert_eq!(
        s.decide_yes_no(0, 114, 0, 0, 171).unwrap().elected(),
        Some(0)
    );
}

#[test]
fn two_thirds_boundary() {
    let mut s = standing(MajorityRule::TWO_THIRDS, 2);
    let d = s.decide_choose_one(&[2, 1], 0, 3).unwrap();
    assert_eq!((d.required(), d.elected()), (Some(2), Some(0)));

    let mut s = standing(MajorityRule::ABSOLUTE_MAJORITY, 2);
    let d = s.decide_choose_one(&[2, 2], 0, 4).unwrap();
    assert_eq!(d.required(), Some(3));
    assert_eq!(
        d.not_elected(),
        Some(&NotElected::RuleNotMet { highest: 2 })
    );
    let d = s.decide_choose_one(&[1, 2], 1, 4).unwrap();
    assert_eq!((d.required(), d.elected()), (Some(2), Some(1)));
}

#[test]
fn zero_base_elects_nobody() {
    // Everyone abstains: V = 0 under present-and-voting.
    let mut s = standing(MajorityRule::TWO_THIRDS, 2);
    let d = s.decide_choose_one(&[0, 0], 50, 100).unwrap();
    assert_eq!((d.cast(), d.base_count(), d.required()), (50, 0, None));
    assert_eq!(d.not_elected(), Some(&NotElected::NoVotes));
    // Nobody votes at all.
    let d = s.decide_choose_one(&[0, 0], 0, 0).unwrap();
    assert_eq!(d.not_elected(), Some(&NotElected::NoVotes));
    let d = s.decide_yes_no(1, 0, 0, 9, 9).unwrap();
    assert_eq!(d.not_elected(), Some(&NotElected::NoVotes));
    // A sole candidate with no votes is not elected either.
    let mut s = standing(MajorityRule::ABSOLUTE_MAJORITY, 1);
    let d = s.decide_choose_one(&[0], 3, 3).unwrap();
    assert_eq!(d.not_elected(), Some(&NotElected::NoVotes));
    assert_eq!(s.round(), 2);
}

#[test]
fn all_abstain_under_eligible_base() {
    let r = rule(Comparison::AtLeast, 2, 3, Base::Eligible);
    let mut s = standing(r, 2);
    let d = s.decide_choose_one(&[0, 0], 100, 100).unwrap();
    assert_eq!((d.base_count(), d.required()), (100, Some(67)));
    assert_eq!(
        d.not_elected(),
        Some(&NotElected::RuleNotMet { highest: 0 })
    );
}

#[test]
fn sole_candidate_ballot() {
    let mut s = standing(MajorityRule::TWO_THIRDS, 1);
    let d = s.decide_choose_one(&[1], 10, 11).unwrap();
    assert_eq!(d.elected(), Some(0));
}

#[test]
fn u64_max_counts() {
    let max = u64::MAX;
    let mut s = standing(MajorityRule::TWO_THIRDS, 2);
    assert_eq!(
        s.decide_choose_one(&[max, 1], 0, max).map(|_| ()),
        Err(RuleError::CountOverflow)
    );
    assert_eq!(
        s.decide_choose_one(&[max, 0], 1, max).map(|_| ()),
        Err(RuleError::CountOverflow)
    );
    assert_eq!(
        s.decide_yes_no(0, max, 1, 0, max).map(|_| ()),
        Err(RuleError::CountOverflow)
    );
    assert_eq!(s.round(), 1);
    let third = max / 3;
    let d = s
        .decide_choose_one(&[2 * third - 1, third + 1], 0, max)
        .unwrap();
    assert_eq!(d.required(), Some(2 * third));
    assert_eq!(d.elected(), None);
    let d = s.decide_choose_one(&[2 * third, third], 0, max).unwrap();
    assert_eq!(d.elected(), Some(0));

    let r = rule(Comparison::MoreThan, max - 1, max, Base::Eligible);
    let mut s = standing(r, 1);
    let d = s.decide_yes_no(0, max - 1, 0, 1, max).unwrap();
    assert_eq!((d.required(), d.elected()), (Some(max), None));
    let d = s.decide_yes_no(0, max, 0, 0, max).unwrap();
    assert_eq!(d.elected(), Some(0));
}

#[test]
fn who_style_schedule() {
    let rules = ElectionRules::with_schedule(
        RuleSchedule::new([
            (1, MajorityRule::TWO_THIRDS),
            (3, MajorityRule::ABSOLUTE_MAJORITY),
        ])
        .unwrap(),
    );
    let mut s = Standing::new(rules, 3).unwrap();
    for round in 1..=2 {
        assert_eq!(s.current_rule(), &MajorityRule::TWO_THIRDS);
        let d = s.decide_choose_one(&[60, 30, 10], 0, 194).unwrap();
        assert_eq!(
            (d.round(), d.required(), d.elected()),
            (round, Some(67), None)
        );
    }
    assert_eq!(s.current_rule(), &MajorityRule::ABSOLUTE_MAJORITY);
    let d = s.decide_choose_one(&[60, 30, 10], 0, 194).unwrap();
    assert_eq!(d.rule(), &MajorityRule::ABSOLUTE_MAJORITY);
    assert_eq!(
        (d.round(), d.required(), d.elected()),
        (3, Some(51), Some(0))
    );
}

#[test]
fn tie_at_top_elects_nobody() {
    let half = rule(Comparison::AtLeast, 1, 2, Base::PresentAndVoting);
    let mut s = standing(half, 3);
    let d = s.decide_choose_one(&[50, 50, 0], 0, 100).unwrap();
    assert_eq!(
        d.not_elected(),
        Some(&NotElected::TieAtTop {
            candidates: vec![0, 1]
        })
    );
    // A tie at the top that does not meet the rule is reported as such.
    let d = s.decide_choose_one(&[40, 40, 20], 0, 100).unwrap();
    assert_eq!(
        d.not_elected(),
        Some(&NotElected::RuleNotMet { highest: 40 })
    );
}

#[test]
fn unique_front_runner_wins_under_a_low_threshold() {
    // A 40 % threshold: 45 and 41 both meet it; the front-runner is elected.
    let forty = rule(Comparison::AtLeast, 2, 5, Base::PresentAndVoting);
    let mut s = standing(forty, 3);
    let d = s.decide_choose_one(&[45, 41, 14], 0, 100).unwrap();
    assert_eq!((d.required(), d.elected()), (Some(40), Some(0)));
}

#[test]
fn elimination_of_unique_lowest() {
    let mut s = eliminating(&[1, 2], TieForLowest::NoElimination, 4);
    let d = s.decide_choose_one(&[40, 30, 20, 10], 0, 100).unwrap();
    assert_eq!(d.eliminated(), Some(3));
    assert_eq!(
        s.status(3),
        Some(CandidateStatus::Eliminated {
            after_round: 1,
            tie_break: None
        })
    );
    assert_eq!(remaining(&s), vec![0, 1, 2]);
    // Totals now align with [0, 1, 2].
    assert_eq!(
        s.decide_choose_one(&[1, 2, 3, 4], 0, 100).map(|_| ()),
        Err(RuleError::TotalsMismatch {
            expected: 3,
            got: 4
        })
    );
    let d = s.decide_choose_one(&[45, 25, 30], 0, 100).unwrap();
    assert_eq!(d.eliminated(), Some(1));
    assert_eq!(remaining(&s), vec![0, 2]);
    // Round 3 is not listed: no elimination.
    let d = s.decide_choose_one(&[60, 40], 0, 100).unwrap();
    assert_eq!(d.elimination(), &Elimination::NotDue);
    assert_eq!(
        s.withdraw(1),
        Err(RuleError::NotRemaining {
            candidate: 1,
            status: CandidateStatus::Eliminated {
                after_round: 2,
                tie_break: None
            }
        })
    );
}

#[test]
fn no_elimination_when_elected_or_sole_or_void() {
    let mut s = eliminating(&[1], TieForLowest::NoElimination, 2);
    let d = s.decide_choose_one(&[70, 30], 0, 100).unwrap();
    assert_eq!(
        (d.elected(), d.elimination()),
        (Some(0), &Elimination::NotDue)
    );

    let mut s = eliminating(&[1], TieForLowest::NoElimination, 2);
    s.withdraw(0).unwrap();
    let d = s.decide_choose_one(&[0], 5, 100).unwrap();
    assert_eq!(d.elimination(), &Elimination::NotDue);
    assert_eq!(remaining(&s), vec![1]);

    let rules = ElectionRules::new(
        RuleSchedule::single(MajorityRule::TWO_THIRDS),
        BTreeSet::from([1]),
        TieForLowest::NoElimination,
        Some(Quorum::majority_of(100).unwrap()),
    )
    .unwrap();
    let mut s = Standing::new(rules, 2).unwrap();
    let d = s.decide_choose_one(&[30, 20], 0, 100).unwrap();
    assert_eq!(
        d.not_elected(),
        Some(&NotElected::QuorumNotMet {
            present: 50,
            required: 51
        })
    );
    assert_eq!(d.elimination(), &Elimination::NotDue);
}

#[test]
fn tie_for_lowest_no_elimination() {
    let mut s = eliminating(&[1], TieForLowest::NoElimination, 3);
    let d = s.decide_choose_one(&[50, 20, 20], 0, 100).unwrap();
    assert_eq!(d.eliminated(), None);
    assert_eq!(
        d.elimination(),
        &Elimination::TieNoElimination { tied: vec![1, 2] }
    );
    assert_eq!(remaining(&s), vec![0, 1, 2]);
    assert_eq!(s.unresolved_tie(), None);
    // The next round runs with everyone.
    let d = s.decide_choose_one(&[50, 30, 20], 0, 100).unwrap();
    assert_eq!(d.round(), 2);
}

#[test]
fn tie_for_lowest_left_to_the_caller() {
    let mut s = eliminating(&[1, 2], TieForLowest::CallerResolves, 3);
    let d = s.decide_choose_one(&[50, 20, 20], 0, 100).unwrap();
    assert_eq!(
        d.elimination(),
        &Elimination::TieUnresolved { tied: vec![1, 2] }
    );
    assert_eq!(s.unresolved_tie(), Some(&[1, 2][..]));
    assert_eq!(s.round(), 2);

    let pending = Err(RuleError::TieForLowestUnresolved { tied: vec![1, 2] });
    assert_eq!(
        s.decide_choose_one(&[1, 1, 1], 0, 100).map(|_| ()),
        pending.clone()
    );
    assert_eq!(
        s.decide_yes_no(0, 1, 0, 0, 100).map(|_| ()),
        pending.clone()
    );
    assert_eq!(s.acclaim().map(|_| ()), pending);
    assert_eq!(
        s.resolve_tie_for_lowest(0, TieBreak::Lot),
        Err(RuleError::NotTiedForLowest {
            candidate: 0,
            tied: vec![1, 2]
        })
    );
    assert_eq!(s.round(), 2);

    s.resolve_tie_for_lowest(2, TieBreak::Lot).unwrap();
    assert_eq!(
        s.status(2),
        Some(CandidateStatus::Eliminated {
            after_round: 1,
            tie_break: Some(TieBreak::Lot)
        })
    );
    assert_eq!(s.unresolved_tie(), None);
    assert_eq!(
        s.resolve_tie_for_lowest(1, TieBreak::RunOff),
        Err(RuleError::NoTieToResolve)
    );
    let d = s.decide_choose_one(&[60, 40], 0, 100).unwrap();
    assert_eq!(d.eliminated(), Some(1));
    assert_eq!(remaining(&s), vec![0]);
    assert_eq!(s.acclaim().unwrap().candidate(), 0);
}

#[test]
fn tie_for_lowest_resolved_by_withdrawal() {
    let mut s = eliminating(&[1], TieForLowest::CallerResolves, 4);
    s.decide_choose_one(&[50, 10, 10, 30], 0, 100).unwrap();
    // An untied candidate's withdrawal leaves the tie pending.
    s.withdraw(3).unwrap();
    assert_eq!(s.unresolved_tie(), Some(&[1, 2][..]));
    s.withdraw(1).unwrap();
    assert_eq!(s.unresolved_tie(), None);
    assert_eq!(remaining(&s), vec![0, 2]);
    assert!(s.decide_choose_one(&[50, 50], 0, 100).is_ok());
}

#[test]
fn all_tied_with_no_votes() {
    let mut s = eliminating(&[1], TieForLowest::CallerResolves, 2);
    let d = s.decide_choose_one(&[0, 0], 10, 10).unwrap();
    assert_eq!(d.not_elected(), Some(&NotElected::NoVotes));
    assert_eq!(
        d.elimination(),
        &Elimination::TieUnresolved { tied: vec![0, 1] }
    );
}

#[test]
fn withdrawals() {
    let mut s = standing(MajorityRule::TWO_THIRDS, 3);
    assert_eq!(
        s.withdraw(3),
        Err(RuleError::UnknownCandidate {
            candidate: 3,
            candidates: 3
        })
    );
    s.withdraw(1).unwrap();
    assert_eq!(
        s.withdraw(1),
        Err(RuleError::NotRemaining {
            candidate: 1,
            status: CandidateStatus::Withdrawn { before_round: 1 }
        })
    );
    assert_eq!(remaining(&s), vec![0, 2]);
    assert_eq!(
        s.decide_yes_no(1, 5, 0, 0, 10).map(|_| ()),
        Err(RuleError::NotRemaining {
            candidate: 1,
            status: CandidateStatus::Withdrawn { before_round: 1 }
        })
    );
    assert_eq!(
        s.decide_yes_no(7, 5, 0, 0, 10).map(|_| ()),
        Err(RuleError::UnknownCandidate {
            candidate: 7,
            candidates: 3
        })
    );
    let d = s.decide_choose_one(&[3, 7], 0, 10).unwrap();
    assert_eq!(d.elected(), Some(2));

    // Everyone withdraws: no ballot and no acclamation is possible.
    let mut s = standing(MajorityRule::TWO_THIRDS, 2);
    s.withdraw(0).unwrap();
    s.withdraw(1).unwrap();
    assert_eq!(
        s.decide_choose_one(&[], 0, 10).map(|_| ()),
        Err(RuleError::NoCandidatesRemain)
    );
    assert_eq!(
        s.acclaim().map(|_| ()),
        Err(RuleError::AcclamationNeedsSoleCandidate { remaining: 0 })
    );
}

#[test]
fn acclamation_needs_a_sole_candidate() {
    let mut s = standing(MajorityRule::TWO_THIRDS, 2);
    assert_eq!(
        s.acclaim().map(|_| ()),
        Err(RuleError::AcclamationNeedsSoleCandidate { remaining: 2 })
    );
    assert_eq!((s.round(), s.elected()), (1, None));
    s.withdraw(0).unwrap();
    let a = s.acclaim().unwrap();
    assert_eq!((a.round(), a.candidate()), (1, 1));
    assert_eq!(s.elected(), Some(1));
}

#[test]
fn quorum() {
    let rules = ElectionRules::new(
        RuleSchedule::single(MajorityRule::ABSOLUTE_MAJORITY),
        BTreeSet::new(),
        TieForLowest::NoElimination,
        Some(Quorum::majority_of(10).unwrap()),
    )
    .unwrap();
    let mut s = Standing::new(rules, 2).unwrap();
    // Abstentions count as present: 4 + 1 + 1 = 6 > 10/2.
    let d = s.decide_choose_one(&[4, 1], 1, 9).unwrap();
    assert_eq!(d.elected(), Some(0));

    let mut s = Standing::new(s.rules().clone(), 2).unwrap();
    let d = s.decide_choose_one(&[5, 0], 0, 9).unwrap();
    assert_eq!(
        d.not_elected(),
        Some(&NotElected::QuorumNotMet {
            present: 5,
            required: 6
        })
    );
    assert_eq!(d.required(), Some(3));
    assert_eq!(s.round(), 2);
    let d = s.decide_yes_no(0, 3, 0, 2, 9).unwrap();
    assert_eq!(
        d.not_elected(),
        Some(&NotElected::QuorumNotMet {
            present: 5,
            required: 6
        })
    );
    assert_eq!(
        s.decide_choose_one(&[5, 0], 0, 11).map(|_| ()),
        Err(RuleError::EligibleExceedsMembers {
            eligible: 11,
            members: 10
        })
    );
}

#[test]
fn inconsistent_counts() {
    let mut s = standing(MajorityRule::TWO_THIRDS, 2);
    assert_eq!(
        s.decide_choose_one(&[6, 4], 1, 10).map(|_| ()),
        Err(RuleError::CastExceedsEligible {
            cast: 11,
            eligible: 10
        })
    );
    assert_eq!(
        s.decide_yes_no(0, 10, 0, 1, 10).map(|_| ()),
        Err(RuleError::CastExceedsEligible {
            cast: 11,
            eligible: 10
        })
    );
    assert_eq!(
        s.decide_choose_one(&[6], 0, 10).map(|_| ()),
        Err(RuleError::TotalsMismatch {
            expected: 2,
            got: 1
        })
    );
    assert_eq!(s.round(), 1);
}

#[test]
fn round_overflow() {
    let mut s = standing(MajorityRule::TWO_THIRDS, 1);
    s.round = u32::MAX;
    assert_eq!(
        s.decide_choose_one(&[1], 0, 1).map(|_| ()),
        Err(RuleError::RoundOverflow)
    );
    assert_eq!(s.acclaim().map(|_| ()), Err(RuleError::RoundOverflow));
    assert_eq!((s.round(), s.elected()), (u32::MAX, None));
}

#[test]
fn no_candidates() {
    let rules = ElectionRules::with_schedule(RuleSchedule::single(MajorityRule::TWO_THIRDS));
    assert_eq!(Standing::new(rules, 0), Err(RuleError::NoCandidates));
}

#[test]
fn errors_display() {
    let e = RuleError::NotRemaining {
        candidate: 1,
        status: CandidateStatus::Withdrawn { before_round: 2 },
    };
    assert_eq!(
        e.to_string(),
        "candidate 1 is no longer in the race: withdrew before round 2"
    );
    assert_eq!(
        RuleError::InvalidFraction {
            numerator: 4,
            denominator: 3
        }
        .to_string(),
        "invalid fraction 4/3: need 0 < p ≤ q"
    );
}
