//! Round trip: encrypt → verify → aggregate → decrypt gives the true totals.

use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tabella::ballot::{BallotId, ContestSpec, EncryptedBallot, Selection};
use tabella::elgamal::{DiscreteLogTable, SecretKey};
use tabella::tally::BallotBox;
use tabella::transcript::ElectionContext;

/// A vote: the chosen options, or `None` for an explicit abstention.
type Vote = Option<Vec<u32>>;

fn run_box(contest: &ContestSpec, votes: &[Vote], seed: u64, batch: bool) -> (Vec<u64>, u64) {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let sk = SecretKey::generate(&mut rng);
    let election = ElectionContext::new([9; 32]);
    let mut ballot_box = BallotBox::new(election, sk.public_key(), 1, contest.clone());
    let mut encrypted = Vec::new();
    for vote in votes {
        let selection = match vote {
            Some(chosen) => Selection::new(contest, chosen).unwrap(),
            None => Selection::abstain(contest).unwrap(),
        };
        let ctx = ballot_box.context();
        let (ballot, _) =
            EncryptedBallot::encrypt(&ctx, &selection, BallotId::random(&mut rng), None, &mut rng)
                .unwrap();
        // Every ballot survives its canonical encoding.
        let bytes = ballot.to_bytes();
        let decoded = EncryptedBallot::from_bytes(&bytes).unwrap();
        assert_eq!(decoded.to_bytes(), bytes);
        encrypted.push(decoded);
    }
    let verified = if batch {
        let outcome = EncryptedBallot::verify_batch(encrypted, &ballot_box.context());
        assert!(outcome.rejected.is_empty());
        outcome.accepted
    } else {
        encrypted
            .into_iter()
            .map(|b| b.verify(&ballot_box.context()).unwrap())
            .collect()
    };
    for v in verified {
        ballot_box.cast(v).unwrap();
    }
    let tally = ballot_box.tally();
    let table = DiscreteLogTable::new(votes.len() as u64).unwrap();
    let totals = tally.decrypt(&sk, &table).unwrap();
    (totals.options().to_vec(), totals.abstain())
}

fn expected(contest: &ContestSpec, votes: &[Vote]) -> (Vec<u64>, u64) {
    let mut options = vec![0u64; contest.options() as usize];
    let mut abstain = 0;
    for vote in votes {
        match vote {
            Some(chosen) => chosen.iter().for_each(|&c| options[c as usize] += 1),
            None => abstain += 1,
        }
    }
    (options, abstain)
}

#[test]
fn empty_and_single_ballot_boxes() {
    let contest = ContestSpec::choose_one(0, 2, false).unwrap();
    assert_eq!(run_box(&contest, &[], 1, false), (vec![0, 0], 0));
    assert_eq!(
        run_box(&contest, &[Some(vec![1])], 2, true),
        (vec![0, 1], 0)
    );
}

#[test]
fn a_thousand_ballots_batched() {
    let contest = ContestSpec::choose_one(0, 2, true).unwrap();
    let votes: Vec<Vote> = (0..1000u32)
        .map(|i| match i % 7 {
            0 => None,
            1..=3 => Some(vec![0]),
            _ => Some(vec![1]),
        })
        .collect();
    assert_eq!(
        run_box(&contest, &votes, 3, true),
        expected(&contest, &votes)
    );
}

fn contest_and_votes() -> impl Strategy<Value = (ContestSpec, Vec<Vote>)> {
    prop_oneof![
        Just(ContestSpec::choose_one(0, 2, false).unwrap()),
        Just(ContestSpec::choose_one(1, 2, true).unwrap()),
        Just(ContestSpec::new(2, 5, 2, 2, false).unwrap()),
        Just(ContestSpec::new(3, 5, 0, 2, true).unwrap()),
    ]
    .prop_flat_map(|contest| {
        let options = contest.options();
        let (min, max) = (contest.min(), contest.max());
        let abstention = contest.has_abstention();
        let vote = (
            proptest::sample::subsequence(
                (0..options).collect::<Vec<_>>(),
                min as usize..=max as usize,
            ),
            any::<bool>(),
        )
            .prop_map(move |(chosen, abstain)| {
                if abstain && abstention {
                    None
                } else {
                    Some(chosen)
                }
            });
        (Just(contest), proptest::collection::vec(vote, 0..12))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn random_selections_tally_exactly((contest, votes) in contest_and_votes(), seed in any::<u64>(), batch in any::<bool>()) {
        prop_assert_eq!(run_box(&contest, &votes, seed, batch), expected(&contest, &votes));
    }
}
