//! The IOM Council election of 15 May 2023, round 1, with encrypted ballots.
//!
//! A working placeholder: a single demo key stands in for the trustees until the threshold and
//! rounds work lands. Every ballot is encrypted, proved, verified in one batch, cast, and only
//! the aggregate is decrypted.

use rand_core::OsRng;
use tabella::ballot::{BallotId, ContestSpec, EncryptedBallot, Selection};
use tabella::elgamal::{DiscreteLogTable, SecretKey};
use tabella::tally::BallotBox;
use tabella::transcript::ElectionContext;

fn main() -> Result<(), tabella::Error> {
    let candidates = ["Amy E. Pope", "António Vitorino"];
    let votes = [98u32, 67];
    let mut rng = OsRng;
    let sk = SecretKey::generate(&mut rng);
    let contest = ContestSpec::choose_one(0, 2, true)?;
    let mut ballot_box = BallotBox::new(
        ElectionContext::new([0; 32]),
        sk.public_key(),
        1,
        contest.clone(),
    );
    let mut ballots = Vec::new();
    for (option, count) in votes.iter().enumerate() {
        for _ in 0..*count {
            let selection = Selection::new(&contest, &[option as u32])?;
            let id = BallotId::random(&mut rng);
            let (ballot, _) =
                EncryptedBallot::encrypt(&ballot_box.context(), &selection, id, None, &mut rng)?;
            ballots.push(ballot);
        }
    }
    let outcome = EncryptedBallot::verify_batch(ballots, &ballot_box.context());
    for ballot in outcome.accepted {
        ballot_box.cast(ballot)?;
    }
    let totals = ballot_box
        .tally()
        .decrypt(&sk, &DiscreteLogTable::new(ballot_box.len() as u64)?)?;
    let voting: u64 = totals.options().iter().sum();
    // At least two-thirds of those present and voting: 3·v ≥ 2·V.
    let required = (2 * voting).div_ceil(3);
    println!(
        "Round 1: {} ballots, {voting} present and voting, {required} required",
        ballot_box.len()
    );
    for (name, total) in candidates.iter().zip(totals.options()) {
        println!("  {name:<20} {total:>4}");
    }
    println!("  {:<20} {:>4}", "abstain", totals.abstain());
    Ok(())
}
