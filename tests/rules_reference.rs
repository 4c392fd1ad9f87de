//! The rules engine against the brute-force reference in `tabella::rules::reference`,
//! on random counts (small, large and near `u64::MAX`) and random valid fractions.
#![allow(clippy::arithmetic_side_effects, clippy::indexing_slicing)]

use std::collections::BTreeSet;

use proptest::prelude::*;
use tabella::rules::{
    Base, Comparison, ElectionRules, Elimination, Fraction, MajorityRule, Quorum, RuleError,
    RuleSchedule, Standing, TieForLowest, reference,
};

/// Valid fractions `0 < p ≤ q`, with small and large denominators.
fn fraction() -> impl Strategy<Value = Fraction> {
    prop_oneof![
        (1_u64..=12).prop_flat_map(|q| (1..=q, Just(q))),
        (1_u64..=u64::MAX).prop_flat_map(|q| (1..=q, Just(q))),
        (1_u64..=u64::MAX).prop_map(|q| (q, q)),
        (1_u64..=u64::MAX).prop_map(|p| (p, u64::MAX)),
    ]
    .prop_map(|(p, q)| Fraction::new(p, q).unwrap())
}

fn comparison() -> impl Strategy<Value = Comparison> {
    prop_oneof![Just(Comparison::AtLeast), Just(Comparison::MoreThan)]
}

fn base() -> impl Strategy<Value = Base> {
    prop_oneof![Just(Base::PresentAndVoting), Just(Base::Eligible)]
}

/// Valid rules: every combination except the unattainable `more_than 1/1`.
fn rule() -> impl Strategy<Value = MajorityRule> {
    (comparison(), fraction(), base())
        .prop_filter_map("more_than 1/1", |(c, f, b)| MajorityRule::new(c, f, b).ok())
}

/// Counts: small, anywhere in `u64`, and near `u64::MAX`.
fn count() -> impl Strategy<Value = u64> {
    prop_oneof![0_u64..=50, any::<u64>(), u64::MAX - 50..=u64::MAX]
}

/// Totals of a choose-one ballot and the abstentions, whose sum cannot overflow:
/// small counts (where ties are common) or large ones.
fn ballot() -> impl Strategy<Value = (Vec<u64>, u64)> {
    prop_oneof![
        (prop::collection::vec(0_u64..=6, 1..=5), 0_u64..=6),
        (
            prop::collection::vec(0..=u64::MAX / 8, 1..=5),
            0..=u64::MAX / 8
        ),
    ]
}

/// The choose-one policy, written out naively: the unique highest total wins if
/// it meets the rule.
fn oracle_elected(rule: &MajorityRule, totals: &[u64], eligible: u64) -> Option<usize> {
    let present_and_voting: u64 = totals.iter().sum();
    let v_base = match rule.base() {
        Base::PresentAndVoting => present_and_voting,
        Base::Eligible => eligible,
    };
    let highest = *totals.iter().max()?;
    let top: Vec<usize> = (0..totals.len())
        .filter(|&i| totals[i] == highest)
        .collect();
    (top.len() == 1 && reference::is_met(rule, highest, v_base)).then(|| top[0])
}

proptest! {
    #[test]
    fn only_more_than_one_is_rejected(c in comparison(), f in fraction(), b in base()) {
        let unattainable = c == Comparison::MoreThan && f.numerator() == f.denominator();
        prop_assert_eq!(
            MajorityRule::new(c, f, b).err(),
            unattainable.then_some(RuleError::UnattainableRule { fraction: f })
        );
    }

    #[test]
    fn fraction_validation(p in count(), q in count()) {
        prop_assert_eq!(Fraction::new(p, q).is_ok(), 0 < p && p <= q);
    }

    #[test]
    fn is_met_matches_reference(rule in rule(), votes in count(), v_base in count()) {
        prop_assert_eq!(rule.is_met(votes, v_base), reference::is_met(&rule, votes, v_base));
    }

    #[test]
    fn is_met_matches_reference_near_the_threshold(
        rule in rule(),
        v_base in count(),
        delta in -3_i64..=3,
    ) {
        let around = rule.required(v_base).unwrap_or(0).saturating_add_signed(delta);
        prop_assert_eq!(rule.is_met(around, v_base), reference::is_met(&rule, around, v_base));
    }

    #[test]
    fn required_matches_reference_scan(rule in rule(), v_base in 0_u64..=2_000) {
        prop_assert_eq!(rule.required(v_base), reference::required(&rule, v_base));
    }

    #[test]
    fn required_is_tight(rule in rule(), v_base in count()) {
        match rule.required(v_base) {
            None => {
                prop_assert_eq!(v_base, 0);
                prop_assert!(!reference::is_met(&rule, u64::MAX, 0));
            }
            Some(required) => {
                prop_assert!((1..=v_base).contains(&required));
                prop_assert!(rule.is_met(required, v_base));
                prop_assert!(reference::is_met(&rule, required, v_base));
                prop_assert!(!rule.is_met(required - 1, v_base));
                prop_assert!(!reference::is_met(&rule, required - 1, v_base));
            }
        }
    }

    #[test]
    fn monotone_in_votes(rule in rule(), a in count(), b in count(), v_base in count()) {
        let (low, high) = (a.min(b), a.max(b));
        prop_assert!(!rule.is_met(low, v_base) || rule.is_met(high, v_base));
    }

    #[test]
    fn required_grows_with_the_base(rule in rule(), a in count(), b in count()) {
        let (low, high) = (a.min(b).max(1), a.max(b).max(1));
        prop_assert!(rule.required(low) <= rule.required(high));
    }

    #[test]
    fn quorum_matches_reference(
        c in comparison(),
        f in fraction(),
        members in 1_u64..=u64::MAX,
        present in count(),
    ) {
        match Quorum::new(c, f, members) {
            Ok(quorum) => {
                prop_assert_eq!(quorum.is_met(present), reference::quorum_is_met(&quorum, present));
                prop_assert!(reference::quorum_is_met(&quorum, quorum.required()));
                prop_assert!(!reference::quorum_is_met(&quorum, quorum.required() - 1));
            }
            Err(e) => {
                prop_assert_eq!(e, RuleError::UnattainableRule { fraction: f });
                prop_assert!(c == Comparison::MoreThan && f.numerator() == f.denominator());
            }
        }
    }

    #[test]
    fn choose_one_matches_oracle(
        rule in rule(),
        (totals, abstain) in ballot(),
        extra in count(),
        tie in prop_oneof![Just(TieForLowest::NoElimination), Just(TieForLowest::CallerResolves)],
    ) {
        let present_and_voting: u64 = totals.iter().sum();
        let cast = present_and_voting + abstain;
        let eligible = cast.saturating_add(extra);
        let rules = ElectionRules::new(RuleSchedule::single(rule), BTreeSet::from([1]), tie, None)?;
        let mut standing = Standing::new(rules, totals.len())?;
        let decision = standing.decide_choose_one(&totals, abstain, eligible)?;

        let elected = oracle_elected(&rule, &totals, eligible);
        prop_assert_eq!(decision.elected(), elected);
        prop_assert_eq!(standing.elected(), elected);
        prop_assert_eq!(decision.cast(), cast);
        prop_assert_eq!(decision.present_and_voting(), present_and_voting);
        let v_base = rule.base().count(present_and_voting, eligible);
        prop_assert_eq!(decision.base_count(), v_base);
        prop_assert_eq!(decision.required(), rule.required(v_base));
        prop_assert_eq!(decision.not_elected().is_some(), elected.is_none());

        // The lowest is eliminated after round 1 iff nobody is elected, two or more
        // candidates stand, and the lowest total is unique.
        let lowest = totals.iter().min().copied();
        let tied: Vec<usize> =
            (0..totals.len()).filter(|&i| Some(totals[i]) == lowest).collect();
        let expected = if elected.is_some() || totals.len() < 2 {
            Elimination::NotDue
        } else if tied.len() == 1 {
            Elimination::Eliminated { candidate: tied[0] }
        } else if tie == TieForLowest::NoElimination {
            Elimination::TieNoElimination { tied }
        } else {
            Elimination::TieUnresolved { tied }
        };
        prop_assert_eq!(decision.elimination(), &expected);
        prop_assert_eq!(standing.round(), 2);
    }

    #[test]
    fn yes_no_matches_reference(
        rule in rule(),
        yes in 0..=u64::MAX / 4,
        no in 0..=u64::MAX / 4,
        abstain in 0..=u64::MAX / 4,
        extra in count(),
    ) {
        let eligible = (yes + no + abstain).saturating_add(extra);
        let mut standing = Standing::new(ElectionRules::with_schedule(rule.into()), 1)?;
        let decision = standing.decide_yes_no(0, yes, no, abstain, eligible)?;
        let v_base = match rule.base() {
            Base::PresentAndVoting => yes + no,
            Base::Eligible => eligible,
        };
        let elected = reference::is_met(&rule, yes, v_base).then_some(0);
        prop_assert_eq!(decision.elected(), elected);
        prop_assert_eq!(decision.base_count(), v_base);
        prop_assert_eq!(decision.elimination(), &Elimination::NotDue);
    }
}
