//! Forgery attempts, each built by hand at the group level and each rejected.
//!
//! A cheating voter cannot simulate a proof of a false statement under strong Fiat–Shamir, so
//! the forger here is the best cheating prover: it encrypts a bad value and runs
//! `MembershipProof::prove` with a lying witness or a lying set, on the real ballot
//! transcripts, or it splices proofs of a valid ballot onto other ciphertexts. Every forged
//! ballot is encoded by the documented layout and decoded with `EncryptedBallot::from_bytes`,
//! as a ballot from the network would be. A control (`hand_built_honest_ballots_verify`)
//! shows the forger makes valid ballots when it does not lie.
//!
//! The weak Fiat–Shamir section follows Bernhard, Pereira and Warinschi, "How not to prove
//! yourself" (ASIACRYPT 2012): with a challenge that does not hash the statement, a prover
//! picks the statement after the challenge and "proves" a false one.

#[path = "support/hand.rs"]
mod hand;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use merlin::Transcript;
use std::sync::Arc;

use rand_chacha::ChaCha20Rng;
use tabella::ballot::{
    BallotContext, BallotId, ContestSpec, EncryptedBallot, Layout, Selection, VerifiedBallot,
};
use tabella::credential::{CredentialSecret, Eligibility, PublicCredential, Roll, SecondBallot};
use tabella::domain::label;
use tabella::elgamal::{Ciphertext, DiscreteLogTable, PublicKey, SecretKey};
use tabella::encoding::header::HEADER_LEN;
use tabella::error::{BallotPart, Error, ProofKind};
use tabella::group::Point;
use tabella::proofs::{
    BatchVerifier, DleqProof, DleqStatement, MembershipProof, MembershipStatement, SchnorrProof,
    SchnorrStatement,
};
use tabella::tally::BallotBox;
use tabella::transcript::{ElectionContext, TranscriptExt};

use hand::{Claim, G, HandCredential, random_scalar, signed};

const ELECTION: ElectionContext = ElectionContext::new([0x3c; 32]);

/// An election with its secret key (to show what a forged ballot would have added), and
/// optionally a roll.
struct Setup {
    sk: SecretKey,
    election: ElectionContext,
    key: PublicKey,
    round: u32,
    contest: ContestSpec,
    eligibility: Option<Eligibility>,
}

impl Setup {
    fn new(contest: ContestSpec, rng: &mut ChaCha20Rng) -> Self {
        let sk = SecretKey::generate(rng);
        Setup {
            key: sk.public_key(),
            sk,
            election: ELECTION,
            round: 1,
            contest,
            eligibility: None,
        }
    }

    /// The same election and key with a roll of these public credentials (one ballot each per
    /// round).
    fn with_roll(&self, credentials: impl IntoIterator<Item = PublicCredential>) -> Self {
        Setup {
            sk: self.sk.clone(),
            key: self.key.clone(),
            contest: self.contest.clone(),
            eligibility: Some(Eligibility {
                roll: Arc::new(Roll::new(credentials).unwrap()),
                second_ballot: SecondBallot::Refused,
            }),
            ..*self
        }
    }

    fn ctx(&self) -> BallotContext<'_> {
        BallotContext {
            election: &self.election,
            key: &self.key,
            round: self.round,
            contest: &self.contest,
            eligibility: self.eligibility.as_ref(),
        }
    }

    fn ballot_box(&self) -> BallotBox {
        let ballot_box = BallotBox::new(
            self.election,
            self.key.clone(),
            self.round,
            self.contest.clone(),
        );
        match &self.eligibility {
            Some(e) => ballot_box.with_eligibility(e.clone()),
            None => ballot_box,
        }
    }

    /// An honest ballot and its nonces (as scalars).
    fn honest(
        &self,
        chosen: &[u32],
        credential: Option<&CredentialSecret>,
        rng: &mut ChaCha20Rng,
    ) -> (EncryptedBallot, Vec<Scalar>) {
        let selection = Selection::new(&self.contest, chosen).unwrap();
        let (ballot, nonces) = EncryptedBallot::encrypt(
            &self.ctx(),
            &selection,
            BallotId::random(rng),
            credential,
            rng,
        )
        .unwrap();
        let nonces = nonces.nonces().iter().map(hand::nonce_scalar).collect();
        (ballot, nonces)
    }

    /// A ballot by the cheating prover: plaintexts (signed), option claims and count claim.
    fn forge(
        &self,
        plaintexts: &[i64],
        option_claims: &[Claim],
        count_claim: &Claim,
        rng: &mut ChaCha20Rng,
    ) -> EncryptedBallot {
        let plaintexts: Vec<Scalar> = plaintexts.iter().map(|m| signed(*m)).collect();
        let nonces = hand::fresh_nonces(plaintexts.len(), rng);
        hand::forge_ballot(
            &self.ctx(),
            BallotId::random(rng),
            None,
            &plaintexts,
            &nonces,
            option_claims,
            count_claim,
            rng,
        )
    }

    /// Decrypts each slot of a ballot as a signed small integer (what it would add to the tally).
    fn plaintexts(&self, ballot: &EncryptedBallot) -> Vec<i64> {
        ballot
            .ciphertexts()
            .iter()
            .map(|c| {
                let m = self.sk.decrypt_to_point(c);
                (-3i64..=3)
                    .find(|v| G * signed(*v) == m)
                    .expect("a small plaintext")
            })
            .collect()
    }

    /// Checks that a forged ballot is rejected naming `part`, alone and among eight valid ones.
    fn assert_rejected(&self, forged: EncryptedBallot, part: BallotPart, rng: &mut ChaCha20Rng) {
        let id = *forged.id();
        let expected = Error::BallotRejected { ballot: id, part };
        assert_eq!(
            forged.clone().verify(&self.ctx()).map(|_| ()),
            Err(expected.clone()),
            "alone"
        );
        let mut ballots: Vec<EncryptedBallot> = (0..8)
            .map(|i| self.honest(&[i % self.contest.options()], None, rng).0)
            .collect();
        ballots.insert(3, forged);
        let outcome = EncryptedBallot::verify_batch(ballots, &self.ctx());
        assert_eq!(outcome.rejected, vec![(id, expected)], "in a batch");
        assert_eq!(outcome.accepted.len(), 8);
    }
}

fn choose_one_of_three(rng: &mut ChaCha20Rng) -> Setup {
    Setup::new(ContestSpec::choose_one(0, 3, false).unwrap(), rng)
}

/// Replaces ciphertext `j` of an encoded ballot (keeping every proof).
fn with_ciphertext(ballot: &EncryptedBallot, j: usize, c: &Ciphertext) -> EncryptedBallot {
    let mut bytes = ballot.to_bytes();
    let at = hand::ballot_header(&bytes).ciphertexts + 64 * j;
    bytes[at..at + 64].copy_from_slice(&c.to_bytes());
    EncryptedBallot::from_bytes(&bytes).unwrap()
}

/// Replaces the ballot id of an encoded ballot (keeping every proof).
fn with_id(ballot: &EncryptedBallot, id: BallotId) -> EncryptedBallot {
    let mut bytes = ballot.to_bytes();
    bytes[tabella::encoding::header::HEADER_LEN..tabella::encoding::header::HEADER_LEN + 32]
        .copy_from_slice(&id.0);
    EncryptedBallot::from_bytes(&bytes).unwrap()
}

/// The count proof of a ballot, checked on its own (as the ballot verifier checks it).
fn count_proof_verifies(s: &Setup, ballot: &EncryptedBallot) -> bool {
    let bytes = ballot.to_bytes();
    let h = hand::ballot_header(&bytes);
    let proof = MembershipProof::from_bytes(
        &bytes[h.count_proof..h.signature.unwrap_or(bytes.len())],
        h.branches,
    )
    .unwrap();
    let ctx = s.ctx();
    let base =
        hand::ballot_transcript(&ctx, ballot.id(), ballot.credential(), ballot.ciphertexts());
    let count = hand::count_ciphertext(&s.contest, ballot.ciphertexts());
    let set = Claim::count(&s.contest, 0).set;
    let statement = MembershipStatement {
        key: &s.key,
        ciphertext: &count,
        set: &set,
    };
    proof
        .verify(&mut hand::count_transcript(&base), &statement)
        .is_ok()
}

// ---------------------------------------------------------------------------------------------
// Control
// ---------------------------------------------------------------------------------------------

// The hand forger is faithful: without a lie it makes ballots that verify, are cast, and count.
#[test]
fn hand_built_honest_ballots_verify() {
    let mut rng = hand::rng(1);
    for (contest, plaintexts, count) in [
        (
            ContestSpec::choose_one(0, 3, false).unwrap(),
            vec![0, 1, 0],
            1,
        ),
        (
            ContestSpec::choose_one(0, 2, true).unwrap(),
            vec![0, 0, 1],
            1,
        ),
        (
            ContestSpec::new(4, 3, 0, 2, true).unwrap(),
            vec![1, 0, 1, 0],
            2,
        ),
    ] {
        let s = Setup::new(contest, &mut rng);
        let claims: Vec<Claim> = plaintexts.iter().map(|m| Claim::bit(*m as u64)).collect();
        let forged = s.forge(
            &plaintexts,
            &claims,
            &Claim::count(&s.contest, count),
            &mut rng,
        );
        assert!(count_proof_verifies(&s, &forged));
        let mut ballot_box = s.ballot_box();
        ballot_box.cast(forged.verify(&s.ctx()).unwrap()).unwrap();
        let table = DiscreteLogTable::new(1).unwrap();
        let totals = ballot_box.tally().decrypt(&s.sk, &table).unwrap();
        let mut all = totals.options().to_vec();
        if s.contest.has_abstention() {
            all.push(totals.abstain());
        }
        let expected: Vec<u64> = plaintexts.iter().map(|m| *m as u64).collect();
        assert_eq!(all, expected);
    }
}

// The hand signer mirrors the documented signature transcript (src/ballot.rs): a ballot it
// makes and signs with a credential on the roll verifies and is cast, and the library's own
// signature verifies on the hand transcript. A signature made under the hand transcript for
// another round is rejected, so the control can fail.
#[test]
fn hand_built_signed_ballots_verify() {
    let mut rng = hand::rng(23);
    let voter = HandCredential::new(&mut rng);
    let (_, members) = Roll::issue(2, &mut rng).unwrap();
    let s = choose_one_of_three(&mut rng).with_roll(
        members
            .iter()
            .map(CredentialSecret::public)
            .chain([voter.public]),
    );
    let plaintexts: Vec<Scalar> = [0, 1, 0].iter().map(|m| signed(*m)).collect();
    let claims: Vec<Claim> = [0, 1, 0].iter().map(|m| Claim::bit(*m)).collect();
    let nonces = hand::fresh_nonces(3, &mut rng);
    let forge = |ctx: &BallotContext<'_>, rng: &mut ChaCha20Rng| {
        hand::forge_ballot(
            ctx,
            BallotId::random(rng),
            Some(&voter),
            &plaintexts,
            &nonces,
            &claims,
            &Claim::count(&s.contest, 1),
            rng,
        )
    };
    let forged = forge(&s.ctx(), &mut rng);
    assert_eq!(forged.credential(), Some(&voter.public));
    assert!(count_proof_verifies(&s, &forged));
    let mut ballot_box = s.ballot_box();
    ballot_box.cast(forged.verify(&s.ctx()).unwrap()).unwrap();
    let table = DiscreteLogTable::new(1).unwrap();
    let totals = ballot_box.tally().decrypt(&s.sk, &table).unwrap();
    assert_eq!(totals.options(), [0, 1, 0]);

    // Signed for round 2 (proofs and signature alike), presented in round 1.
    let round_two = BallotContext {
        round: 2,
        ..s.ctx()
    };
    let elsewhere = forge(&round_two, &mut rng);
    elsewhere.clone().verify(&round_two).unwrap();
    assert_eq!(
        elsewhere.clone().verify(&s.ctx()).map(|_| ()),
        Err(Error::BallotRejected {
            ballot: *elsewhere.id(),
            part: BallotPart::Signature
        })
    );

    // The library's signature, checked on the hand transcript.
    let (library, _) = s.honest(&[2], Some(&members[0]), &mut rng);
    let bytes = library.to_bytes();
    let at = hand::ballot_header(&bytes).signature.unwrap();
    assert_eq!(bytes.len(), at + 64);
    let public = members[0].public();
    let point = Point::decode("public credential", &public.0).unwrap();
    let statement = SchnorrStatement { public: &point };
    let signature = SchnorrProof::from_bytes(&bytes[at..]).unwrap();
    let ctx = s.ctx();
    assert!(
        signature
            .verify(
                &mut hand::signature_transcript(&ctx, &public, &bytes[..at]),
                &statement
            )
            .is_ok()
    );
    assert!(
        signature
            .verify(
                &mut hand::signature_transcript(&round_two, &public, &bytes[..at]),
                &statement
            )
            .is_err()
    );
}

// ---------------------------------------------------------------------------------------------
// Bad plaintexts
// ---------------------------------------------------------------------------------------------

// A 2 in one option (worth two votes) fails that option's 0/1 proof, whatever the prover
// claims: the witness 1, the witness 0, or a true proof for the lying set {0, 2}.
#[test]
fn ballot_with_a_two_is_rejected() {
    let mut rng = hand::rng(2);
    let s = choose_one_of_three(&mut rng);
    let lying_set = Claim {
        value: 2,
        set: vec![0, 2],
    };
    for (slot, claim) in [
        (0, Claim::bit(1)),
        (0, Claim::bit(0)),
        (0, lying_set.clone()),
        (2, Claim::bit(1)),
        (2, lying_set),
    ] {
        let mut plaintexts = vec![0; 3];
        plaintexts[slot] = 2;
        let mut claims = vec![Claim::bit(0); 3];
        claims[slot] = claim;
        let forged = s.forge(&plaintexts, &claims, &Claim::count(&s.contest, 1), &mut rng);
        assert_eq!(s.plaintexts(&forged), plaintexts);
        s.assert_rejected(forged, BallotPart::Option(slot), &mut rng);
    }
}

// A −1 (i.e. −G, a vote taken away) fails its 0/1 proof, even though the count is in range.
#[test]
fn ballot_with_minus_one_is_rejected() {
    let mut rng = hand::rng(3);
    let s = choose_one_of_three(&mut rng);
    // −1 + 1 + 1 = 1: the count proof is honest and valid; only the 0/1 proof can stop it.
    let plaintexts = [1, -1, 1];
    for claim in [Claim::bit(0), Claim::bit(1)] {
        let claims = [Claim::bit(1), claim, Claim::bit(1)];
        let forged = s.forge(&plaintexts, &claims, &Claim::count(&s.contest, 1), &mut rng);
        assert_eq!(s.plaintexts(&forged), plaintexts);
        assert!(
            count_proof_verifies(&s, &forged),
            "the count proof is valid"
        );
        s.assert_rejected(forged, BallotPart::Option(1), &mut rng);
    }
}

// A 2 and a −1 that compensate (count 1, a valid count proof) are still rejected.
#[test]
fn compensating_two_and_minus_one_are_rejected() {
    let mut rng = hand::rng(4);
    let s = choose_one_of_three(&mut rng);
    let plaintexts = [2, -1, 0];
    let claims = [Claim::bit(1), Claim::bit(0), Claim::bit(0)];
    let forged = s.forge(&plaintexts, &claims, &Claim::count(&s.contest, 1), &mut rng);
    assert!(
        count_proof_verifies(&s, &forged),
        "the count proof is valid"
    );
    s.assert_rejected(forged, BallotPart::Option(0), &mut rng);
}

// Two selections in a choose-one contest: every 0/1 proof is valid, the count proof fails,
// for the lying witness 1 and for a true proof over the lying set {2}.
#[test]
fn ballot_over_the_selection_limit_is_rejected() {
    let mut rng = hand::rng(5);
    let s = choose_one_of_three(&mut rng);
    let plaintexts = [1, 1, 0];
    let claims = [Claim::bit(1), Claim::bit(1), Claim::bit(0)];
    for count in [
        Claim::count(&s.contest, 1),
        Claim {
            value: 2,
            set: vec![2],
        },
    ] {
        let forged = s.forge(&plaintexts, &claims, &count, &mut rng);
        s.assert_rejected(forged, BallotPart::Count, &mut rng);
    }
}

// A blank ballot in a choose-one contest (no selection) fails the count proof.
#[test]
fn all_zero_ballot_in_a_choose_one_contest_is_rejected() {
    let mut rng = hand::rng(6);
    let s = choose_one_of_three(&mut rng);
    let plaintexts = [0, 0, 0];
    let claims = vec![Claim::bit(0); 3];
    for count in [
        Claim::count(&s.contest, 1),
        Claim {
            value: 0,
            set: vec![0],
        },
    ] {
        let forged = s.forge(&plaintexts, &claims, &count, &mut rng);
        s.assert_rejected(forged, BallotPart::Count, &mut rng);
    }
}

// Abstaining and voting at once is rejected: the count 1 + max·1 exceeds max. In a
// choose-one contest (max = 1) and in a choose-up-to-two contest (max = 2), where a forger
// who counts the abstention with weight 1 instead of max (1 + 1 = 2, in range) must fail too.
#[test]
fn abstaining_and_voting_at_once_is_rejected() {
    let mut rng = hand::rng(7);
    let s = Setup::new(ContestSpec::choose_one(0, 2, true).unwrap(), &mut rng);
    let plaintexts = [1, 0, 1];
    let claims = [Claim::bit(1), Claim::bit(0), Claim::bit(1)];
    let forged = s.forge(&plaintexts, &claims, &Claim::count(&s.contest, 1), &mut rng);
    s.assert_rejected(forged, BallotPart::Count, &mut rng);

    let s = Setup::new(ContestSpec::new(0, 3, 1, 2, true).unwrap(), &mut rng);
    let plaintexts = [1, 0, 0, 1];
    let claims = [Claim::bit(1), Claim::bit(0), Claim::bit(0), Claim::bit(1)];
    let forged = s.forge(&plaintexts, &claims, &Claim::count(&s.contest, 2), &mut rng);
    s.assert_rejected(forged, BallotPart::Count, &mut rng);

    // The forger's own count: every slot with weight 1, a true proof that it is 2.
    let r = hand::fresh_nonces(4, &mut rng);
    let ciphertexts: Vec<Ciphertext> = plaintexts
        .iter()
        .zip(&r)
        .map(|(m, r)| hand::encrypt_scalar(&s.key, &signed(*m), r))
        .collect();
    let witnesses: Vec<(Claim, Scalar)> = claims.iter().cloned().zip(r.iter().copied()).collect();
    let unweighted: Ciphertext = ciphertexts.iter().sum();
    let forged = hand::prove_ballot(
        &s.ctx(),
        BallotId::random(&mut rng),
        None,
        &ciphertexts,
        &witnesses,
        &unweighted,
        &(Claim::count(&s.contest, 2), r.iter().sum()),
        &mut rng,
    );
    s.assert_rejected(forged, BallotPart::Count, &mut rng);
}

// A ballot proved over another generator H: option 0 is (r·H, 1·H + r·Y) with an honest CDS
// proof over H on the ballot's own option transcript. It is a proof about H, not G: rejected.
#[test]
fn ballot_proved_over_another_generator_is_rejected() {
    let mut rng = hand::rng(15);
    let s = choose_one_of_three(&mut rng);
    let h = tabella::group::hash_to_group(b"tabella tests: a generator that is not G");
    let r = hand::fresh_nonces(3, &mut rng);
    let ciphertexts = vec![
        Ciphertext::from_elements(h * r[0], h + s.key.as_point().element() * r[0]),
        hand::encrypt_scalar(&s.key, &Scalar::ZERO, &r[1]),
        hand::encrypt_scalar(&s.key, &Scalar::ZERO, &r[2]),
    ];
    let id = BallotId::random(&mut rng);
    // The honest ballot machinery for options 1, 2 and the count …
    let witnesses = [
        (Claim::bit(1), r[0]),
        (Claim::bit(0), r[1]),
        (Claim::bit(0), r[2]),
    ];
    let count_ct = hand::count_ciphertext(&s.contest, &ciphertexts);
    let honest = hand::prove_ballot(
        &s.ctx(),
        id,
        None,
        &ciphertexts,
        &witnesses,
        &count_ct,
        &(Claim::count(&s.contest, 1), r[0] + r[1] + r[2]),
        &mut rng,
    );
    // … and option 0's proof made over H.
    let base = hand::ballot_transcript(&s.ctx(), &id, None, &ciphertexts);
    let (over_h, proof) = hand::membership_over(
        &mut hand::option_transcript(&base, 0),
        &h,
        &s.key,
        &[0, 1],
        1,
        &r[0],
        &[],
        &mut rng,
    );
    assert_eq!(over_h, ciphertexts[0]);
    let mut bytes = honest.to_bytes();
    let at = hand::ballot_header(&bytes).option_proof(0);
    bytes[at..at + hand::OPTION_PROOF_LEN].copy_from_slice(&proof);
    let forged = EncryptedBallot::from_bytes(&bytes).unwrap();
    s.assert_rejected(forged, BallotPart::Option(0), &mut rng);
}

// Splicing: a valid ballot's proofs on a ciphertext of 2, another ballot's option proof, and
// another ballot's count proof are all rejected.
#[test]
fn spliced_proofs_are_rejected() {
    let mut rng = hand::rng(8);
    let s = choose_one_of_three(&mut rng);
    let (valid, _) = s.honest(&[0], None, &mut rng);
    let (other, _) = s.honest(&[0], None, &mut rng);

    let (two, _) = s.key.encrypt(2, &mut rng);
    s.assert_rejected(
        with_ciphertext(&valid, 0, &two),
        BallotPart::Option(0),
        &mut rng,
    );

    let (v, o) = (valid.to_bytes(), other.to_bytes());
    let h = hand::ballot_header(&v);
    let splice = |from: usize, len: usize| {
        let mut bytes = v.clone();
        bytes[from..from + len].copy_from_slice(&o[from..from + len]);
        EncryptedBallot::from_bytes(&bytes).unwrap()
    };
    let option1 = h.option_proof(1);
    s.assert_rejected(
        splice(option1, hand::OPTION_PROOF_LEN),
        BallotPart::Option(1),
        &mut rng,
    );
    s.assert_rejected(
        splice(h.count_proof, v.len() - h.count_proof),
        BallotPart::Count,
        &mut rng,
    );
}

// ---------------------------------------------------------------------------------------------
// Copies and replays
// ---------------------------------------------------------------------------------------------

// A re-randomised copy (each ciphertext plus Enc(0; s), same vote, fresh-looking) keeps the
// original proofs, which no longer verify.
#[test]
fn rerandomised_copy_is_rejected() {
    let mut rng = hand::rng(9);
    let s = choose_one_of_three(&mut rng);
    let (valid, _) = s.honest(&[2], None, &mut rng);
    let mut copy = valid.clone();
    for j in 0..valid.ciphertexts().len() {
        let (zero, _) = s.key.encrypt(0, &mut rng);
        copy = with_ciphertext(&copy, j, &(&valid.ciphertexts()[j] + &zero));
    }
    // A real copy of the vote, with new ciphertexts.
    assert_eq!(s.plaintexts(&copy), vec![0, 0, 1]);
    for (a, b) in copy.ciphertexts().iter().zip(valid.ciphertexts()) {
        assert_ne!(a.alpha(), b.alpha());
    }
    let copy = with_id(&copy, BallotId::random(&mut rng));
    s.assert_rejected(copy, BallotPart::Option(0), &mut rng);
}

// An exact copy under a new ballot id is rejected by its proofs (the id is in the transcript).
#[test]
fn copy_under_a_new_id_is_rejected_by_the_proofs() {
    let mut rng = hand::rng(10);
    let s = choose_one_of_three(&mut rng);
    let (valid, _) = s.honest(&[1], None, &mut rng);
    let copy = with_id(&valid, BallotId::random(&mut rng));
    s.assert_rejected(copy, BallotPart::Option(0), &mut rng);
}

// An exact copy verifies (it is the same ballot) and the box refuses it as a duplicate id.
#[test]
fn exact_copy_is_rejected_by_the_box() {
    let mut rng = hand::rng(11);
    let s = choose_one_of_three(&mut rng);
    let (valid, _) = s.honest(&[1], None, &mut rng);
    let mut ballot_box = s.ballot_box();
    ballot_box
        .cast(valid.clone().verify(&s.ctx()).unwrap())
        .unwrap();
    let copy = EncryptedBallot::from_bytes(&valid.to_bytes()).unwrap();
    assert_eq!(
        ballot_box.cast(copy.verify(&s.ctx()).unwrap()),
        Err(Error::DuplicateBallotId {
            ballot: *valid.id()
        })
    );
    assert_eq!(ballot_box.len(), 1);
    assert_eq!(ballot_box.partial_tally().ballots(), 1);
}

// The same ciphertexts under a new id with proofs that verify (made by whoever knows the
// nonces: the voter's device, or a coerced voter) are refused by the box as a copy, in
// either order, and so is a ballot that repeats one ciphertext of another.
#[test]
fn same_ciphertexts_under_a_new_id_are_a_duplicate_ciphertext() {
    let mut rng = hand::rng(12);
    let s = choose_one_of_three(&mut rng);
    let (valid, nonces) = s.honest(&[0], None, &mut rng);
    let plaintexts: Vec<Scalar> = [1u64, 0, 0].iter().map(|m| Scalar::from(*m)).collect();
    let claims = [Claim::bit(1), Claim::bit(0), Claim::bit(0)];
    let count = Claim::count(&s.contest, 1);
    let reproved = hand::forge_ballot(
        &s.ctx(),
        BallotId::random(&mut rng),
        None,
        &plaintexts,
        &nonces,
        &claims,
        &count,
        &mut rng,
    );
    assert_eq!(reproved.ciphertexts(), valid.ciphertexts());
    let reproved = reproved.verify(&s.ctx()).unwrap();
    let original = valid.verify(&s.ctx()).unwrap();

    for (first, second) in [(&original, &reproved), (&reproved, &original)] {
        let mut ballot_box = s.ballot_box();
        ballot_box.cast(first.clone()).unwrap();
        assert_eq!(
            ballot_box.cast(second.clone()),
            Err(Error::DuplicateCiphertext {
                ballot: *second.id()
            })
        );
        assert_eq!(ballot_box.len(), 1);
        assert_eq!(ballot_box.partial_tally().ballots(), 1);
    }

    // One shared ciphertext (option 1, known nonce) among fresh ones.
    let mut mixed_nonces = hand::fresh_nonces(3, &mut rng);
    mixed_nonces[1] = nonces[1];
    let shares_one = hand::forge_ballot(
        &s.ctx(),
        BallotId::random(&mut rng),
        None,
        &plaintexts,
        &mixed_nonces,
        &claims,
        &count,
        &mut rng,
    )
    .verify(&s.ctx())
    .unwrap();
    let mut ballot_box = s.ballot_box();
    ballot_box.cast(original).unwrap();
    assert_eq!(
        ballot_box.cast(shares_one.clone()),
        Err(Error::DuplicateCiphertext {
            ballot: *shares_one.id()
        })
    );
}

// ---------------------------------------------------------------------------------------------
// Packed ballots (docs/SPEC.md §6.3)
// ---------------------------------------------------------------------------------------------

// One packed ciphertext (three options, capacity 10, B = 11): two votes for one option, one
// vote each for two options, a blank, a −1 or a digit of another base all fail the count
// proof, for the honest set and for a true proof over a lying set.
#[test]
fn packed_ballot_with_more_than_one_vote_is_rejected() {
    let mut rng = hand::rng(20);
    let contest = ContestSpec::choose_one(0, 3, false)
        .unwrap()
        .with_capacity(10);
    assert_eq!(contest.layout(), Layout::Packed { base: 11, chunk: 3 });
    let s = Setup::new(contest, &mut rng);
    let honest_set = vec![1, 11, 121];
    for (plaintext, claim) in [
        (2, 1),
        (1 + 11, 1),
        (1 + 11, 11),
        (0, 1),
        (-1, 1),
        (11 + 11, 121),
        (10, 1),
    ] {
        for set in [
            honest_set.clone(),
            // The lie: the forged value in place of the claimed one.
            honest_set
                .iter()
                .map(|v| if *v == claim { plaintext as u64 } else { *v })
                .collect(),
        ] {
            if plaintext < 0 && set != honest_set {
                continue;
            }
            let value = if set == honest_set {
                claim
            } else {
                plaintext as u64
            };
            let forged = s.forge(&[plaintext], &[], &Claim { value, set }, &mut rng);
            s.assert_rejected(forged, BallotPart::Count, &mut rng);
        }
    }
}

impl Setup {
    /// A layout-2 ballot by the cheating prover: chunk plaintexts (signed) and the claimed
    /// statement index.
    fn forge_one_of_many(
        &self,
        plaintexts: &[i64],
        claimed: usize,
        rng: &mut ChaCha20Rng,
    ) -> EncryptedBallot {
        let plaintexts: Vec<Scalar> = plaintexts.iter().map(|m| signed(*m)).collect();
        hand::forge_one_of_many(
            &self.ctx(),
            BallotId::random(rng),
            None,
            &plaintexts,
            claimed,
            rng,
        )
    }
}

// Layout 2, one digit (six options, capacity 1000: B = 1001, four slots a chunk, so two
// chunks and six statements): votes in both chunks, no vote at all (min = 1), a chunk that
// cancels the other (1001 and −1000, whose sum is the valid B^0), a weighted vote, two votes in
// one chunk and a vote of another base all fail the one proof, claimed as any statement. The
// control: the forger's proof of a true statement verifies.
#[test]
fn packed_chunks_that_add_up_wrongly_are_rejected() {
    let mut rng = hand::rng(21);
    let contest = ContestSpec::choose_one(0, 6, false)
        .unwrap()
        .with_capacity(1000);
    assert!(matches!(
        contest.layout(),
        Layout::PackedOneOfMany { base: 1001, chunk: 4, radix } if radix.digits() == 1
    ));
    let s = Setup::new(contest, &mut rng);
    for claimed in 0..6 {
        let mut honest = [0i64; 2];
        honest[claimed / 4] = 1001i64.pow((claimed % 4) as u32);
        let control = s.forge_one_of_many(&honest, claimed, &mut rng);
        assert!(control.verify(&s.ctx()).is_ok(), "control {claimed}");
        for lie in [
            [1, 1],
            [0, 0],
            [1001, -1000],
            [2, 0],
            [1 + 1001, 0],
            [0, 1001 * 1001 * 1001],
            [1002, 0],
            [-1, 1],
        ] {
            let forged = s.forge_one_of_many(&lie, claimed, &mut rng);
            s.assert_rejected(forged, BallotPart::Choice, &mut rng);
        }
    }
}

// Layout 2, two digits: 20 candidates and a blank at N = 10⁶ (ten chunks of two slots, 21
// statements, radix 5, 25 padded). Two votes in two chunks, the blank where none is allowed
// elsewhere, and a vote split over chunks whose γ-combination an attacker cannot predict are
// rejected for every claimed statement, including the blank and the last (the padding
// repeats it).
#[test]
fn two_digit_one_of_many_forgeries_are_rejected() {
    let mut rng = hand::rng(22);
    let contest = ContestSpec::new(0, 20, 0, 1, false)
        .unwrap()
        .with_capacity(1_000_000);
    let Layout::PackedOneOfMany {
        chunk: 2, radix, ..
    } = contest.layout()
    else {
        panic!("layout 2 expected, got {:?}", contest.layout());
    };
    assert_eq!((radix.radix(), radix.digits(), radix.padded()), (5, 2, 25));
    let s = Setup::new(contest, &mut rng);
    let b = 1_000_001i64;
    let mut two_votes = [0i64; 10];
    two_votes[0] = 1;
    two_votes[9] = b;
    let mut weighted = [0i64; 10];
    weighted[4] = 2 * b;
    let mut spread = [0i64; 10];
    spread[2] = 1;
    spread[3] = -1;
    spread[5] = 1;
    for claimed in [0, 1, 7, 19, 20] {
        // The control: the statement itself (the blank is all zeros).
        let mut honest = [0i64; 10];
        if claimed < 20 {
            honest[claimed / 2] = b.pow((claimed % 2) as u32);
        }
        let control = s.forge_one_of_many(&honest, claimed, &mut rng);
        assert!(control.verify(&s.ctx()).is_ok(), "control {claimed}");
        for lie in [two_votes, weighted, spread] {
            let forged = s.forge_one_of_many(&lie, claimed, &mut rng);
            s.assert_rejected(forged, BallotPart::Choice, &mut rng);
        }
    }
}

// A box with a capacity refuses the ballot after the last one it can hold: packed totals
// would otherwise carry into the next digit.
#[test]
fn box_refuses_ballots_past_its_capacity() {
    let mut rng = hand::rng(22);
    let contest = ContestSpec::choose_one(0, 2, true)
        .unwrap()
        .with_capacity(3);
    let s = Setup::new(contest, &mut rng);
    let mut ballot_box = s.ballot_box();
    for _ in 0..3 {
        let (ballot, _) = s.honest(&[0], None, &mut rng);
        ballot_box.cast(ballot.verify(&s.ctx()).unwrap()).unwrap();
    }
    let (fourth, _) = s.honest(&[0], None, &mut rng);
    let id = *fourth.id();
    assert_eq!(
        ballot_box.cast(fourth.verify(&s.ctx()).unwrap()),
        Err(Error::BallotBoxFull {
            ballot: id,
            capacity: 3
        })
    );
    assert_eq!(ballot_box.len(), 3);
    // Three votes for option 0 are the digit 3 of the single packed total: 3 + 0·4 + 0·16.
    let table = DiscreteLogTable::new(ballot_box.tally().total_bound()).unwrap();
    let totals = ballot_box.tally().decrypt(&s.sk, &table).unwrap();
    assert_eq!(totals.options(), [3, 0]);
    assert_eq!(totals.abstain(), 0);
}

// A valid ballot replayed under another id, round or election is rejected by its proofs, or,
// with a credential, by its signature (checked first); so is one whose credential is changed,
// removed or added.
#[test]
fn replays_under_another_context_are_rejected() {
    let mut rng = hand::rng(13);
    let s = choose_one_of_three(&mut rng);
    let (plain, _) = s.honest(&[1], None, &mut rng);
    // The same election with a roll of three: two members, and a third whose credential is
    // made by hand, who re-signs another member's ballot as their own.
    let (_, members) = Roll::issue(2, &mut rng).unwrap();
    let thief = HandCredential::new(&mut rng);
    let r = s.with_roll(
        members
            .iter()
            .map(CredentialSecret::public)
            .chain([thief.public]),
    );
    let (credentialed, _) = r.honest(&[1], Some(&members[0]), &mut rng);
    let owner = members[0].public();
    assert_eq!(credentialed.credential(), Some(&owner));
    credentialed.clone().verify(&r.ctx()).unwrap();
    let rejected = |b: &EncryptedBallot, part| {
        Err(Error::BallotRejected {
            ballot: *b.id(),
            part,
        })
    };

    // Another id.
    let replay = with_id(&plain, BallotId([0xee; 32]));
    assert_eq!(
        replay.clone().verify(&s.ctx()).map(|_| ()),
        rejected(&replay, BallotPart::Option(0))
    );
    let replay = with_id(&credentialed, BallotId([0xee; 32]));
    assert_eq!(
        replay.clone().verify(&r.ctx()).map(|_| ()),
        rejected(&replay, BallotPart::Signature)
    );

    // Another round, another election: the verifier's context differs.
    let other_election = ElectionContext::new([0x3d; 32]);
    for (setup, b, part) in [
        (&s, &plain, BallotPart::Option(0)),
        (&r, &credentialed, BallotPart::Signature),
    ] {
        let other_round = BallotContext {
            round: 2,
            ..setup.ctx()
        };
        let other_election = BallotContext {
            election: &other_election,
            ..setup.ctx()
        };
        for ctx in [other_round, other_election] {
            assert_eq!(b.clone().verify(&ctx).map(|_| ()), rejected(b, part));
        }
    }

    // The encoding with the credential set to `credential`, and nothing else changed but the
    // signature: set to `signature`, or none.
    let set_credential =
        |b: &EncryptedBallot, credential: Option<&PublicCredential>, signature: Option<&[u8]>| {
            let bytes = b.to_bytes();
            let h = hand::ballot_header(&bytes);
            let start = HEADER_LEN + if h.credential { 65 } else { 33 };
            let rest = &bytes[start..h.signature.unwrap_or(bytes.len())];
            let mut out = bytes[..HEADER_LEN + 32].to_vec();
            match credential {
                Some(c) => {
                    out.push(1);
                    out.extend_from_slice(&c.0);
                }
                None => out.push(0),
            }
            out.extend_from_slice(rest);
            out.extend_from_slice(signature.unwrap_or_default());
            out
        };
    let decode = |bytes: Vec<u8>| EncryptedBallot::from_bytes(&bytes).unwrap();
    let signature = credentialed.to_bytes()[hand::ballot_header(&credentialed.to_bytes())
        .signature
        .unwrap()..]
        .to_vec();
    assert_eq!(signature.len(), 64);
    // The unchanged encoding, rebuilt: the helper changes only what it is told to.
    assert_eq!(
        set_credential(&credentialed, Some(&owner), Some(&signature)),
        credentialed.to_bytes()
    );

    // Changed to another member's credential: the signature was made under the first.
    let other = members[1].public();
    let swapped = decode(set_credential(
        &credentialed,
        Some(&other),
        Some(&signature),
    ));
    assert_eq!(
        swapped.clone().verify(&r.ctx()).map(|_| ()),
        rejected(&swapped, BallotPart::Signature)
    );
    // Changed to one not on the roll: refused before any equation.
    let outsider = CredentialSecret::generate(&mut rng).public();
    let foreign = decode(set_credential(
        &credentialed,
        Some(&outsider),
        Some(&signature),
    ));
    assert_eq!(
        foreign.verify(&r.ctx()).map(|_| ()),
        Err(Error::CredentialNotOnRoll {
            ballot: *credentialed.id(),
            credential: outsider,
        })
    );
    // Changed to the thief's credential and signed by the thief: the signature holds (else it
    // would be named first), but every proof is bound to the first credential.
    let body = set_credential(&credentialed, Some(&thief.public), None);
    let mut stolen = body.clone();
    stolen.extend_from_slice(&thief.sign(&r.ctx(), &body, &mut rng));
    let stolen = decode(stolen);
    assert_eq!(
        stolen.clone().verify(&r.ctx()).map(|_| ()),
        rejected(&stolen, BallotPart::Option(0))
    );

    // Removed (flag 0, signature dropped): a roll requires one; without a roll, the proofs are
    // still bound to the credential.
    let stripped = decode(set_credential(&credentialed, None, None));
    assert_eq!(
        stripped.clone().verify(&r.ctx()).map(|_| ()),
        Err(Error::CredentialMissing {
            ballot: *credentialed.id()
        })
    );
    assert_eq!(
        stripped.clone().verify(&s.ctx()).map(|_| ()),
        rejected(&stripped, BallotPart::Option(0))
    );

    // Added: an election without a roll takes none; with the roll, a member's signature does
    // not bind proofs made without a credential.
    let added = decode(set_credential(&plain, Some(&owner), Some(&signature)));
    assert_eq!(
        added.verify(&s.ctx()).map(|_| ()),
        Err(Error::UnexpectedCredential {
            ballot: *plain.id()
        })
    );
    let body = set_credential(&plain, Some(&thief.public), None);
    let mut claimed = body.clone();
    claimed.extend_from_slice(&thief.sign(&r.ctx(), &body, &mut rng));
    let claimed = decode(claimed);
    assert_eq!(
        claimed.clone().verify(&r.ctx()).map(|_| ()),
        rejected(&claimed, BallotPart::Option(0))
    );
    // And the plain ballot itself is refused by the election with a roll.
    assert_eq!(
        plain.clone().verify(&r.ctx()).map(|_| ()),
        Err(Error::CredentialMissing {
            ballot: *plain.id()
        })
    );
}

// A ballot verified for another round, contest, election or key is refused by the box, which
// stays unchanged.
#[test]
fn cast_of_a_ballot_verified_for_another_box_is_wrong_box() {
    let mut rng = hand::rng(14);
    let s = choose_one_of_three(&mut rng);
    let other_key = SecretKey::generate(&mut rng).public_key();
    let other_election = ElectionContext::new([0x3d; 32]);
    let other_contest = ContestSpec::choose_one(1, 3, false).unwrap();
    let contexts = [
        BallotContext {
            round: 2,
            ..s.ctx()
        },
        BallotContext {
            contest: &other_contest,
            ..s.ctx()
        },
        BallotContext {
            election: &other_election,
            ..s.ctx()
        },
        BallotContext {
            key: &other_key,
            ..s.ctx()
        },
    ];
    let mut ballot_box = s.ballot_box();
    for ctx in &contexts {
        let selection = Selection::new(ctx.contest, &[0]).unwrap();
        let (ballot, _) =
            EncryptedBallot::encrypt(ctx, &selection, BallotId::random(&mut rng), None, &mut rng)
                .unwrap();
        let verified: VerifiedBallot = ballot.verify(ctx).unwrap();
        let id = *verified.id();
        assert_eq!(
            ballot_box.cast(verified),
            Err(Error::WrongBox { ballot: id })
        );
        assert!(ballot_box.is_empty());
        assert_eq!(ballot_box.partial_tally().ballots(), 0);
    }
    // The box still takes a ballot for itself.
    let (ballot, _) = s.honest(&[0], None, &mut rng);
    ballot_box.cast(ballot.verify(&s.ctx()).unwrap()).unwrap();
}

// ---------------------------------------------------------------------------------------------
// Weak Fiat–Shamir (Bernhard–Pereira–Warinschi 2012)
// ---------------------------------------------------------------------------------------------

/// The root transcript tabella would start from, up to the relation's domain separator.
fn root(domain: &'static [u8]) -> Transcript {
    ELECTION.transcript(domain)
}

fn schnorr_rejected(public: &Point, proof: &[u8], rng: &mut ChaCha20Rng) {
    let proof = SchnorrProof::from_bytes(proof).unwrap();
    let statement = SchnorrStatement { public };
    assert_eq!(
        proof.verify(&mut root(label::CEREMONY_COMM_KEY), &statement),
        Err(Error::ProofRejected {
            proof: ProofKind::Schnorr
        })
    );
    // And in a batch, after three valid proofs.
    let mut batch = BatchVerifier::with_rng(rng);
    for _ in 0..3 {
        let sk = SecretKey::generate(rng);
        let pk = sk.public_key();
        let st = SchnorrStatement {
            public: pk.as_point(),
        };
        let valid = SchnorrProof::prove(&mut root(label::CEREMONY_COMM_KEY), &st, &sk, rng);
        batch.begin_item();
        valid.verify_batched(&mut root(label::CEREMONY_COMM_KEY), &st, &mut batch);
    }
    batch.begin_item();
    proof.verify_batched(&mut root(label::CEREMONY_COMM_KEY), &statement, &mut batch);
    assert_eq!(batch.verify(), Err(Error::BatchRejected { items: vec![3] }));
}

// An honest Schnorr proof whose challenge hashes the commitment only (not G, not X) is
// rejected, both on tabella's root transcript and on a bare Helios-style transcript.
#[test]
fn schnorr_with_a_weak_challenge_is_rejected() {
    let mut rng = hand::rng(20);
    let x = random_scalar(&mut rng);
    for skip in [&[&b"X"[..]][..], &[b"G", b"X"], &[b"G"]] {
        let t = &mut root(label::CEREMONY_COMM_KEY);
        let (public, proof) = hand::schnorr_over(t, &G, &x, skip, &mut rng);
        schnorr_rejected(&public, &proof, &mut rng);
    }
    // Helios: c = H(R) on a transcript that knows nothing else.
    let k = random_scalar(&mut rng);
    let r = Point::from(G * k);
    let mut t = Transcript::new(b"helios");
    t.append_point(b"R", &r);
    let c = t.challenge(b"c");
    let mut proof = r.to_bytes().to_vec();
    proof.extend_from_slice((k + c * x).as_bytes());
    schnorr_rejected(&Point::from(G * x), &proof, &mut rng);
}

// The attack weak Fiat–Shamir enables: choose R and s, take c = H(R), then set
// X = (s·G − R)/c. The pair passes the weak check, and tabella rejects it.
#[test]
fn weak_fiat_shamir_schnorr_forgery_is_rejected() {
    let mut rng = hand::rng(21);
    for keep_generator in [true, false] {
        let r = Point::from(hand::random_point(&mut rng));
        let s = random_scalar(&mut rng);
        let mut t = root(label::CEREMONY_COMM_KEY);
        t.domain_sep(label::SCHNORR);
        if keep_generator {
            t.append_point(b"G", &Point::generator());
        }
        t.append_point(b"R", &r);
        let c = t.challenge(b"c");
        let public = Point::from((G * s - r.element()) * c.invert());
        // The forgery satisfies the verification equation with the weak challenge.
        assert_eq!(G * s, r.element() + public.element() * c);
        let mut proof = r.to_bytes().to_vec();
        proof.extend_from_slice(s.as_bytes());
        schnorr_rejected(&public, &proof, &mut rng);
    }
}

fn dleq_rejected(base: &Point, left: &Point, right: &Point, proof: &[u8], rng: &mut ChaCha20Rng) {
    let proof = DleqProof::from_bytes(proof).unwrap();
    let statement = DleqStatement { base, left, right };
    assert_eq!(
        proof.verify(&mut root(label::PARTIAL_DECRYPTION), &statement),
        Err(Error::ProofRejected {
            proof: ProofKind::Dleq
        })
    );
    let mut batch = BatchVerifier::with_rng(rng);
    batch.begin_item();
    proof.verify_batched(&mut root(label::PARTIAL_DECRYPTION), &statement, &mut batch);
    assert_eq!(batch.verify(), Err(Error::BatchRejected { items: vec![0] }));
}

// An honest DLEQ proof whose challenge leaves out any statement element (G, H, Y, D, or all
// of them: commitments only) is rejected.
#[test]
fn dleq_with_a_weak_challenge_is_rejected() {
    let mut rng = hand::rng(22);
    let x = random_scalar(&mut rng);
    let base = Point::from(hand::random_point(&mut rng));
    for skip in [
        &[&b"G"[..]][..],
        &[b"H"],
        &[b"Y"],
        &[b"D"],
        &[b"G", b"H", b"Y", b"D"],
    ] {
        let t = &mut root(label::PARTIAL_DECRYPTION);
        let (left, right, proof) = hand::dleq_over(t, &G, &base, &x, skip, &mut rng);
        dleq_rejected(&base, &left, &right, &proof, &mut rng);
    }
}

// The weak Fiat–Shamir attack on DLEQ: with any statement element left out of the challenge,
// the prover fixes it after the challenge and "proves" log_G Y = log_H D for points whose
// logarithms differ (a false partial decryption). Each such forgery is rejected.
#[test]
fn weak_fiat_shamir_dleq_forgery_is_rejected() {
    let mut rng = hand::rng(23);
    for unbound in ["H", "Y", "D", "all"] {
        // Every point is a known multiple of G, so the test can check the statement is false.
        let (h, y, d, r1, r2) = (
            random_scalar(&mut rng),
            random_scalar(&mut rng),
            random_scalar(&mut rng),
            random_scalar(&mut rng),
            random_scalar(&mut rng),
        );
        let pt = |k: &Scalar| Point::from(G * k);
        let mut t = root(label::PARTIAL_DECRYPTION);
        t.domain_sep(label::DLEQ);
        t.append_point(b"G", &Point::generator());
        if unbound != "all" {
            if unbound != "H" {
                t.append_point(b"H", &pt(&h));
            }
            if unbound != "Y" {
                t.append_point(b"Y", &pt(&y));
            }
            if unbound != "D" {
                t.append_point(b"D", &pt(&d));
            }
        }
        t.append_point(b"R1", &pt(&r1));
        t.append_point(b"R2", &pt(&r2));
        let c = t.challenge(b"c");
        // Solve for the response and the unbound element after the challenge.
        let (s, h, y, d) = match unbound {
            "H" => {
                let s = r1 + c * y;
                (s, (r2 + c * d) * s.invert(), y, d)
            }
            "Y" => {
                let s = (r2 + c * d) * h.invert();
                (s, h, (s - r1) * c.invert(), d)
            }
            "D" => {
                let s = r1 + c * y;
                (s, h, y, (s * h - r2) * c.invert())
            }
            _ => {
                let s = random_scalar(&mut rng);
                (s, h, (s - r1) * c.invert(), (s * h - r2) * c.invert())
            }
        };
        // Both weak verification equations hold …
        assert_eq!(G * s, G * r1 + G * y * c);
        assert_eq!(G * h * s, G * r2 + G * d * c);
        // … for a false statement: log_G Y · log_G H ≠ log_G D.
        assert_ne!(y * h, d, "{unbound}: the forged statement is false");
        let mut proof = pt(&r1).to_bytes().to_vec();
        proof.extend_from_slice(&pt(&r2).to_bytes());
        proof.extend_from_slice(s.as_bytes());
        dleq_rejected(&pt(&h), &pt(&y), &pt(&d), &proof, &mut rng);
    }
}

// An honest membership proof whose challenge leaves out any statement element (G, Y, the
// ciphertext, the set size or the set) is rejected.
#[test]
fn membership_with_a_weak_challenge_is_rejected() {
    let mut rng = hand::rng(24);
    let key = SecretKey::generate(&mut rng).public_key();
    let set = [0u64, 1];
    for skip in [
        &[&b"G"[..]][..],
        &[b"Y"],
        &[b"C"],
        &[b"k"],
        &[b"s"],
        &[b"G", b"Y", b"C", b"k", b"s"],
    ] {
        let r = random_scalar(&mut rng);
        let t = &mut root(label::BALLOT);
        let (ciphertext, proof) = hand::membership_over(t, &G, &key, &set, 1, &r, skip, &mut rng);
        let proof = MembershipProof::from_bytes(&proof, 2).unwrap();
        let statement = MembershipStatement {
            key: &key,
            ciphertext: &ciphertext,
            set: &set,
        };
        assert_eq!(
            proof.verify(&mut root(label::BALLOT), &statement),
            Err(Error::ProofRejected {
                proof: ProofKind::Membership
            }),
            "{skip:?}"
        );
    }
}

// The original Helios shape: c = H(R) on a bare transcript. A weak verifier accepts the
// forged key, tabella rejects it.
#[test]
fn helios_style_forgery_is_rejected() {
    let mut rng = hand::rng(25);
    let weak_verify = |public: &RistrettoPoint, r: &Point, s: &Scalar| {
        let mut t = Transcript::new(b"helios");
        t.append_point(b"R", r);
        let c = t.challenge(b"c");
        G * s == r.element() + public * c
    };
    let r = Point::from(hand::random_point(&mut rng));
    let s = random_scalar(&mut rng);
    let mut t = Transcript::new(b"helios");
    t.append_point(b"R", &r);
    let c = t.challenge(b"c");
    let forged = (G * s - r.element()) * c.invert();
    assert!(weak_verify(&forged, &r, &s));
    let mut proof = r.to_bytes().to_vec();
    proof.extend_from_slice(s.as_bytes());
    schnorr_rejected(&Point::from(forged), &proof, &mut rng);
}

// ---------------------------------------------------------------------------------------------
// False statements through the honest provers: every verification equation is needed
// ---------------------------------------------------------------------------------------------

/// The DLEQ challenge, computed as the verifier computes it.
fn dleq_challenge(base: &Point, left: &Point, right: &Point, proof: &[u8]) -> Scalar {
    let mut t = root(label::PARTIAL_DECRYPTION);
    t.domain_sep(label::DLEQ);
    t.append_point(b"G", &Point::generator());
    t.append_point(b"H", base);
    t.append_point(b"Y", left);
    t.append_point(b"D", right);
    t.append_point(b"R1", &Point::decode("R1", &proof[..32]).unwrap());
    t.append_point(b"R2", &Point::decode("R2", &proof[32..64]).unwrap());
    t.challenge(b"c")
}

// A Schnorr proof for a key the prover does not hold (the prover runs on a false statement).
#[test]
fn schnorr_for_a_key_the_prover_does_not_hold_is_rejected() {
    let mut rng = hand::rng(30);
    let sk = SecretKey::generate(&mut rng);
    let other = SecretKey::generate(&mut rng).public_key();
    let statement = SchnorrStatement {
        public: other.as_point(),
    };
    let proof = SchnorrProof::prove(
        &mut root(label::CEREMONY_COMM_KEY),
        &statement,
        &sk,
        &mut rng,
    );
    schnorr_rejected(other.as_point(), &proof.to_bytes(), &mut rng);
}

// A false partial decryption: the trustee knows x (Y = x·G) but publishes D ≠ x·H. The first
// DLEQ equation holds, so only the second stops it; and the converse (D = x·H, Y ≠ x·G).
#[test]
fn false_partial_decryption_is_rejected() {
    let mut rng = hand::rng(31);
    let sk = SecretKey::generate(&mut rng);
    let x: Scalar = Option::from(Scalar::from_canonical_bytes(*sk.to_bytes())).unwrap();
    let wrong = random_scalar(&mut rng);
    let base = Point::from(hand::random_point(&mut rng));
    let true_left = sk.public_key().as_point().clone();
    let true_right = Point::from(base.element() * x);
    let false_left = Point::from(G * wrong);
    let false_right = Point::from(base.element() * wrong);
    for (left, right, first_holds) in [
        (&true_left, &false_right, true),
        (&false_left, &true_right, false),
    ] {
        let statement = DleqStatement {
            base: &base,
            left,
            right,
        };
        let proof = DleqProof::prove(
            &mut root(label::PARTIAL_DECRYPTION),
            &statement,
            &sk,
            &mut rng,
        )
        .to_bytes();
        let c = dleq_challenge(&base, left, right, &proof);
        let r1 = Point::decode("R1", &proof[..32]).unwrap();
        let r2 = Point::decode("R2", &proof[32..64]).unwrap();
        let s: Scalar =
            Option::from(Scalar::from_canonical_bytes(hand::read32(&proof, 64))).unwrap();
        let first = G * s == r1.element() + left.element() * c;
        let second = base.element() * s == r2.element() + right.element() * c;
        assert_eq!((first, second), (first_holds, !first_holds));
        dleq_rejected(&base, left, right, &proof, &mut rng);
    }
}

// A membership proof for a value outside the set, through the honest prover: Enc(2; r)
// claimed as 1 with its true nonce (the α equation holds, the β one fails), and a ciphertext
// whose halves use different nonces, (r·G, 1·G + r'·Y), claimed as 1 with r' (the β equation
// holds, the α one fails) or with r. Rejected alone and in a batch.
#[test]
fn membership_for_a_value_outside_the_set_is_rejected() {
    let mut rng = hand::rng(32);
    let key = SecretKey::generate(&mut rng).public_key();
    let set = [0u64, 1];
    let (r, r2) = (random_scalar(&mut rng), random_scalar(&mut rng));
    let y = *key.as_point().element();
    let two = hand::encrypt_scalar(&key, &Scalar::from(2u64), &r);
    let split = Ciphertext::from_elements(G * r, G + y * r2);
    for (name, ciphertext, nonce) in [
        ("Enc(2) as 1", &two, r),
        ("split nonces, witness r'", &split, r2),
        ("split nonces, witness r", &split, r),
    ] {
        let statement = MembershipStatement {
            key: &key,
            ciphertext,
            set: &set,
        };
        let proof = MembershipProof::prove(
            &mut root(label::BALLOT),
            &statement,
            1,
            &hand::nonce(&nonce),
            &mut rng,
        )
        .unwrap();
        let bytes = proof.to_bytes();
        let proof = MembershipProof::from_bytes(&bytes, 2).unwrap();
        assert_eq!(
            proof.verify(&mut root(label::BALLOT), &statement),
            Err(Error::ProofRejected {
                proof: ProofKind::Membership
            }),
            "{name}"
        );
        // In a batch, behind a valid proof.
        let (valid_ct, valid_nonce) = key.encrypt(0, &mut rng);
        let valid_statement = MembershipStatement {
            key: &key,
            ciphertext: &valid_ct,
            set: &set,
        };
        let valid = MembershipProof::prove(
            &mut root(label::BALLOT),
            &valid_statement,
            0,
            &valid_nonce,
            &mut rng,
        )
        .unwrap();
        let mut batch = BatchVerifier::with_rng(&mut rng);
        batch.begin_item();
        valid
            .verify_batched(&mut root(label::BALLOT), &valid_statement, &mut batch)
            .unwrap();
        batch.begin_item();
        proof
            .verify_batched(&mut root(label::BALLOT), &statement, &mut batch)
            .unwrap();
        assert_eq!(
            batch.verify(),
            Err(Error::BatchRejected { items: vec![1] }),
            "{name}"
        );
    }
}

// A ballot whose option 0 has halves with different nonces, (r·G, 1·G + r'·Y): it decrypts to
// neither 0 nor 1 (1 + (r' − r)·x, an arbitrary weight), passes the β equations with the
// witness r', and is rejected by the α equation.
#[test]
fn ballot_ciphertext_with_split_nonces_is_rejected() {
    let mut rng = hand::rng(33);
    let s = choose_one_of_three(&mut rng);
    let r = hand::fresh_nonces(4, &mut rng);
    let y = *s.key.as_point().element();
    let ciphertexts = vec![
        Ciphertext::from_elements(G * r[0], G + y * r[3]),
        hand::encrypt_scalar(&s.key, &Scalar::ZERO, &r[1]),
        hand::encrypt_scalar(&s.key, &Scalar::ZERO, &r[2]),
    ];
    let decrypted = s.sk.decrypt_to_point(&ciphertexts[0]);
    assert!(decrypted != G && decrypted != G * Scalar::ZERO);
    let witnesses = [
        (Claim::bit(1), r[3]),
        (Claim::bit(0), r[1]),
        (Claim::bit(0), r[2]),
    ];
    let count = (Claim::count(&s.contest, 1), r[3] + r[1] + r[2]);
    let forged = hand::prove_ballot(
        &s.ctx(),
        BallotId::random(&mut rng),
        None,
        &ciphertexts,
        &witnesses,
        &hand::count_ciphertext(&s.contest, &ciphertexts),
        &count,
        &mut rng,
    );
    s.assert_rejected(forged, BallotPart::Option(0), &mut rng);
}
