//! The reviewer's attack suite: every published attack on voting proofs that applies to
//! tabella, as a regression test that asserts the defence. Each test names its source.
//! `SECURITY.md` ("Attacks and their tests") maps each attack to its test here.

use curve25519_dalek::constants::{EIGHT_TORSION, RISTRETTO_BASEPOINT_POINT};
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use tabella::ballot::{
    BallotContext, BallotId, ChallengedBallot, ContestSpec, EncryptedBallot, Selection,
};
use tabella::board::chain::Head;
use tabella::board::{Author, Entry, EntryKind};
use tabella::domain::label;
use tabella::election::Replay;
use tabella::election::event::{Keys, RoundResult};
use tabella::election::{Manifest, RoundKind};
use tabella::elgamal::{Ciphertext, DiscreteLogTable, PublicKey, SecretKey};
use tabella::encoding::header::HEADER_LEN;
use tabella::error::{CeremonyCheck, Culprit, Error};
use tabella::fuzzing::Signers;
use tabella::group::{Point, decode_scalar};
use tabella::proofs::{
    DleqProof, DleqStatement, MembershipProof, MembershipStatement, SchnorrProof, SchnorrStatement,
};
use tabella::record::BoardRecord;
use tabella::rules::{Base, Comparison, ElectionRules, Fraction, MajorityRule, RuleSchedule};
use tabella::tally::BallotBox;
use tabella::threshold::dkg::{
    self, CeremonyBoard, CeremonyContext, CeremonyRound, round1, round2, round3,
};
use tabella::threshold::{
    DecryptionContext, KeyPackage, PartialDecryption, ThresholdParams, TrusteeIndex, decrypt_tally,
    lagrange_at_zero, verify_ceremony,
};
use tabella::transcript::{ElectionContext, TranscriptExt};
use tabella::verify::{Check, Failure, verify_record};

// ---------------------------------------------------------------------------------------------
// Fixtures

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn wide(r: &mut ChaCha20Rng) -> [u8; 64] {
    let mut bytes = [0u8; 64];
    r.fill_bytes(&mut bytes);
    bytes
}

fn random_point(r: &mut ChaCha20Rng) -> Point {
    Point::from(RistrettoPoint::from_uniform_bytes(&wide(r)))
}

fn random_scalar(r: &mut ChaCha20Rng) -> Scalar {
    Scalar::from_bytes_mod_order_wide(&wide(r))
}

/// The valid board of `tabella::fuzzing` (3 trustees, t = 2, candidates A B C, a roll of six
/// credentials, one round: four cast ballots, one challenged ballot, three partial decryptions, the result), the
/// trustees that made it, and every signing key: the attacker of these tests runs the board
/// *and* holds every key, so that what stops an attack is the check behind the signatures.
///
/// ```text
/// 0 manifest, 1 ceremony run, 2–10 ceremony messages, 11 keys, 12 roll, 13 round 1 open,
/// 14–17 ballots, 18 challenged, 19 close, 20–22 partials (trustees 1, 2, 3), 23 result
/// ```
struct Fixture {
    record: BoardRecord,
    trustees: Vec<tabella::election::Trustee>,
    signers: Signers,
}

const KEYS: usize = 11;
const ROLL: usize = 12;
const OPEN: usize = 13;
const BALLOT: usize = 14;
const CHALLENGED: usize = 18;
const CLOSE: usize = 19;
const PARTIAL: usize = 20;
const RESULT: usize = 23;

fn fixture() -> Fixture {
    let (record, trustees, signers) = tabella::fuzzing::record_fixture_with_signers();
    assert!(verify_record(&record).is_ok());
    let kinds: Vec<EntryKind> = record.entries().iter().map(Entry::kind).collect();
    assert_eq!(kinds[KEYS], EntryKind::Keys);
    assert_eq!(kinds[ROLL], EntryKind::Roll);
    assert_eq!(kinds[BALLOT], EntryKind::Ballot);
    assert_eq!(kinds[OPEN], EntryKind::RoundOpen);
    assert_eq!(kinds[CHALLENGED], EntryKind::Challenged);
    assert_eq!(kinds[CLOSE], EntryKind::RoundClose);
    assert_eq!(kinds[PARTIAL], EntryKind::PartialDecryption);
    assert_eq!(kinds[RESULT], EntryKind::Result);
    Fixture {
        record,
        trustees,
        signers,
    }
}

impl Fixture {
    fn entries(&self) -> Vec<Entry> {
        self.record.entries().to_vec()
    }

    /// Edited entries with every signature and read head valid again.
    fn rechain(&self, entries: Vec<Entry>) -> BoardRecord {
        self.signers.rechain(&self.record, entries)
    }

    /// `entries[k]` with another body, signed again by its author.
    fn set_body(&self, entries: &mut [Entry], k: usize, body: Vec<u8>) {
        entries[k] = self.signers.with_body(entries, k, body);
    }

    /// The board with entry `k`'s body replaced, signed again and rechained.
    fn with_body(&self, k: usize, body: Vec<u8>) -> BoardRecord {
        let mut entries = self.entries();
        self.set_body(&mut entries, k, body);
        self.rechain(entries)
    }

    /// A trustee's entry, signed with its key, reading `read`.
    fn trustee_entry(&self, i: u32, kind: EntryKind, body: Vec<u8>, read: Head) -> Entry {
        self.signers.sign(
            &self.record.entries()[0],
            kind,
            Author::trustee(idx(i)),
            body,
            read,
        )
    }

    /// An administrator's entry, reading `read`.
    fn admin_entry(&self, kind: EntryKind, body: Vec<u8>, read: Head) -> Entry {
        self.signers.sign(
            &self.record.entries()[0],
            kind,
            Author::ADMINISTRATOR,
            body,
            read,
        )
    }

    /// The partial decryption of entry `k`.
    fn partial(&self, k: usize) -> PartialDecryption {
        PartialDecryption::from_bytes(self.record.entries()[k].body()).unwrap()
    }
}

/// The state after `entries` (which must all apply) and the head after them.
fn replay_of(entries: &[Entry]) -> (Replay, Head) {
    let mut replay = Replay::new();
    let mut head = Head::genesis();
    for e in entries {
        replay.apply(e, &head).unwrap();
        head = head.next(&e.to_bytes());
    }
    (replay, head)
}

/// The first failure of `record`: `check` at board entry `entry`.
#[track_caller]
fn fails_at(record: &BoardRecord, check: Check, entry: usize) -> Failure {
    let failure = verify_record(record)
        .failure
        .unwrap_or_else(|| panic!("the board verifies; expected {check} at entry {entry}"));
    assert_eq!(
        (failure.check, failure.entry),
        (check, Some(entry as u64)),
        "{failure}"
    );
    failure
}

struct Voting {
    election: ElectionContext,
    secret: SecretKey,
    key: PublicKey,
    contest: ContestSpec,
}

impl Voting {
    fn new(seed: u64) -> Self {
        let secret = SecretKey::generate(&mut rng(seed));
        Voting {
            election: ElectionContext::new([9; 32]),
            key: secret.public_key(),
            secret,
            contest: ContestSpec::choose_one(0, 3, false).unwrap(),
        }
    }

    fn ctx(&self) -> BallotContext<'_> {
        BallotContext {
            election: &self.election,
            key: &self.key,
            round: 1,
            contest: &self.contest,
            eligibility: None,
        }
    }

    fn ballot(&self, choice: u32, seed: u64) -> EncryptedBallot {
        let mut r = rng(seed);
        let selection = Selection::new(&self.contest, &[choice]).unwrap();
        let id = BallotId::random(&mut r);
        EncryptedBallot::encrypt(&self.ctx(), &selection, id, None, &mut r)
            .unwrap()
            .0
    }
}

/// Replaces the first occurrence of `from` in `bytes` by `to`.
fn replace(bytes: &mut [u8], from: &[u8], to: &[u8]) {
    let at = bytes
        .windows(from.len())
        .position(|w| w == from)
        .expect("pattern present");
    bytes[at..at + to.len()].copy_from_slice(to);
}

// ---------------------------------------------------------------------------------------------
// Weak Fiat–Shamir

/// Bernhard, Pereira, Warinschi, "How not to prove yourself: pitfalls of the Fiat–Shamir
/// heuristic and applications to Helios" (Asiacrypt 2012). With a weak Fiat–Shamir challenge
/// that hashes only the commitment, a prover picks R, gets c, picks s, and only then chooses
/// the statement X = (s·G − R)/c: a "proof" of knowledge of a log nobody knows. Defence: the
/// strong transcript binds G and X before the challenge.
#[test]
fn weak_fiat_shamir_schnorr_statement_chosen_after_the_challenge_is_rejected() {
    let mut r = rng(1);
    let election = ElectionContext::new([1; 32]);
    let commitment = random_point(&mut r);
    // The weak transcript: everything the strong one has except the statement X.
    let mut weak = election.transcript(label::CEREMONY_COMM_KEY);
    weak.domain_sep(label::SCHNORR);
    weak.append_point(b"G", &Point::generator());
    weak.append_point(b"R", &commitment);
    let c = weak.challenge(b"c");
    let s = random_scalar(&mut r);
    let x = Point::from((RISTRETTO_BASEPOINT_POINT * s - commitment.element()) * c.invert());
    // The weak verifier's equation holds: s·G = R + c·X.
    assert_eq!(
        RISTRETTO_BASEPOINT_POINT * s,
        commitment.element() + x.element() * c
    );
    let mut bytes = commitment.to_bytes().to_vec();
    bytes.extend_from_slice(s.as_bytes());
    let forged = SchnorrProof::from_bytes(&bytes).unwrap();
    assert!(
        forged
            .verify(
                &mut election.transcript(label::CEREMONY_COMM_KEY),
                &SchnorrStatement { public: &x },
            )
            .is_err()
    );
}

/// Bernhard–Pereira–Warinschi 2012 again, for the Chaum–Pedersen (DLEQ) proof that Helios used
/// for decryption: commitments first, then both Y and D chosen to fit the challenge. Defence:
/// H, Y and D are in the transcript.
#[test]
fn weak_fiat_shamir_dleq_statement_chosen_after_the_challenge_is_rejected() {
    let mut r = rng(2);
    let election = ElectionContext::new([2; 32]);
    let h = random_point(&mut r);
    let (r1, r2) = (random_point(&mut r), random_point(&mut r));
    let mut weak = election.transcript(label::PARTIAL_DECRYPTION);
    weak.domain_sep(label::DLEQ);
    weak.append_point(b"G", &Point::generator());
    weak.append_point(b"H", &h);
    weak.append_point(b"R1", &r1);
    weak.append_point(b"R2", &r2);
    let c = weak.challenge(b"c");
    let s = random_scalar(&mut r);
    let y = Point::from((RISTRETTO_BASEPOINT_POINT * s - r1.element()) * c.invert());
    let d = Point::from((h.element() * s - r2.element()) * c.invert());
    let mut bytes = r1.to_bytes().to_vec();
    bytes.extend_from_slice(&r2.to_bytes());
    bytes.extend_from_slice(s.as_bytes());
    let forged = DleqProof::from_bytes(&bytes).unwrap();
    let statement = DleqStatement {
        base: &h,
        left: &y,
        right: &d,
    };
    assert!(
        forged
            .verify(
                &mut election.transcript(label::PARTIAL_DECRYPTION),
                &statement
            )
            .is_err()
    );
}

/// Bernhard–Pereira–Warinschi 2012, the ballot form: in Helios a membership proof did not
/// hash the ciphertext, so a proof could be reused for a ciphertext chosen afterwards (and a
/// ballot of any value built). Defence: the key, the ciphertext and the set are in the
/// membership transcript, and the ballot transcript binds every ciphertext of the ballot.
#[test]
fn a_membership_proof_does_not_carry_over_to_a_ciphertext_chosen_later() {
    let v = Voting::new(3);
    let mut r = rng(3);
    let (honest, nonce) = v.key.encrypt(1, &mut r);
    let set = [0u64, 1];
    let proof = MembershipProof::prove(
        &mut v.election.transcript(label::BALLOT),
        &MembershipStatement {
            key: &v.key,
            ciphertext: &honest,
            set: &set,
        },
        1,
        &nonce,
        &mut r,
    )
    .unwrap();
    // The ciphertext the cheater wants: an encryption of 2, "chosen after the challenge".
    let two = v.key.encrypt(2, &mut r).0;
    for ciphertext in [&honest, &two] {
        let verdict = proof.verify(
            &mut v.election.transcript(label::BALLOT),
            &MembershipStatement {
                key: &v.key,
                ciphertext,
                set: &set,
            },
        );
        assert_eq!(verdict.is_ok(), ciphertext == &honest);
    }
    // In a ballot: an honest ballot with one ciphertext swapped for the encryption of 2.
    let ballot = v.ballot(0, 30);
    let mut bytes = ballot.to_bytes();
    replace(
        &mut bytes,
        &ballot.ciphertexts()[1].to_bytes(),
        &two.to_bytes(),
    );
    let forged = EncryptedBallot::from_bytes(&bytes).unwrap();
    assert!(forged.verify(&v.ctx()).is_err());
}

/// Bernhard–Pereira–Warinschi 2012, carried out: if the membership challenge did not hash the
/// ciphertext, a prover could fix its commitments, take the challenge c, and only then choose
/// a ciphertext for m = 1 − b₁/c, which is neither 0 nor 1, with a proof whose equations hold.
/// It commits A₀ = a₀·G, B₀ = a₀·Y, A₁ = a₁·G, B₁ = a₁·Y + b₁·G, computes c as a verifier that
/// skips the ciphertext would, sets c₀ = 0, c₁ = c, z₀ = a₀, z₁ = a₁ + c·x, and picks
/// α = x·G, β = x·Y + m·G. Defence: (α, β) enter the transcript before the challenge, so the
/// verifier's c is not the forger's. (Dropping "C" from the membership transcript turns this
/// test red.)
#[test]
fn an_adaptively_chosen_ciphertext_cannot_reuse_a_challenge() {
    let v = Voting::new(4);
    let mut r = rng(4);
    let g = RISTRETTO_BASEPOINT_POINT;
    let y = *v.key.as_point().element();
    let (a0, a1, b1, x) = (
        random_scalar(&mut r),
        random_scalar(&mut r),
        random_scalar(&mut r),
        random_scalar(&mut r),
    );
    let commitments = [(g * a0, y * a0), (g * a1, y * a1 + g * b1)];
    // The membership transcript of docs/SPEC.md §5.3 without its "C" step.
    let mut t = v.election.transcript(label::BALLOT);
    t.domain_sep(label::MEMBERSHIP);
    t.append_point(b"G", &Point::generator());
    t.append_point(b"Y", v.key.as_point());
    t.append_count(b"k", 2);
    t.append_count(b"s", 0);
    t.append_count(b"s", 1);
    for (a, b) in &commitments {
        t.append_point(b"A", &Point::from(*a));
        t.append_point(b"B", &Point::from(*b));
    }
    let c = t.challenge(b"c");
    // Only now the ciphertext, and the responses.
    let m = Scalar::ONE - b1 * c.invert();
    let (alpha, beta) = (g * x, y * x + g * m);
    let (c0, c1, z0, z1) = (Scalar::ZERO, c, a0, a1 + c * x);
    // The forgery is real: every equation of the proof holds for this ciphertext and c.
    for ((a, b), (cj, zj, sj)) in commitments
        .iter()
        .zip([(c0, z0, Scalar::ZERO), (c1, z1, Scalar::ONE)])
    {
        assert_eq!(g * zj - a - alpha * cj, RistrettoPoint::default());
        assert_eq!(
            y * zj - b - beta * cj + g * (cj * sj),
            RistrettoPoint::default()
        );
    }
    assert!(m != Scalar::ZERO && m != Scalar::ONE);
    let mut bytes = Vec::new();
    for (a, b) in &commitments {
        bytes.extend_from_slice(&Point::from(*a).to_bytes());
        bytes.extend_from_slice(&Point::from(*b).to_bytes());
    }
    for scalar in [c0, z0, z1] {
        bytes.extend_from_slice(scalar.as_bytes());
    }
    let proof = MembershipProof::from_bytes(&bytes, 2).unwrap();
    let mut ct = Point::from(alpha).to_bytes().to_vec();
    ct.extend_from_slice(&Point::from(beta).to_bytes());
    let forged = Ciphertext::from_bytes(&ct).unwrap();
    let statement = MembershipStatement {
        key: &v.key,
        ciphertext: &forged,
        set: &[0, 1],
    };
    assert!(
        proof
            .verify(&mut v.election.transcript(label::BALLOT), &statement)
            .is_err()
    );
}

// ---------------------------------------------------------------------------------------------
// Copying and replay

/// Cortier and Smyth, "Attacking and fixing Helios: an analysis of ballot secrecy" (CSF 2011;
/// J. Computer Security 2013): replaying another voter's ballot, or a re-randomised or
/// re-labelled copy of it, lets an attacker vote like a target voter and learn their vote from
/// the tally. Defence: every proof is bound to the election, round, contest, ballot id and
/// credential and to every ciphertext, and the box refuses a repeated id or ciphertext.
#[test]
fn copied_replayed_and_rerandomised_ballots_are_rejected() {
    let v = Voting::new(4);
    let victim = v.ballot(2, 40);
    let mut bb = BallotBox::new(v.election, v.key.clone(), 1, v.contest.clone());
    bb.cast(victim.clone().verify(&v.ctx()).unwrap()).unwrap();

    // 1. The identical ballot, replayed: proofs fine, refused as a duplicate.
    let replay = victim.clone().verify(&v.ctx()).unwrap();
    assert!(matches!(
        bb.cast(replay),
        Err(Error::DuplicateBallotId { .. })
    ));

    // 2. The copy with a fresh ballot id: the proofs no longer verify.
    let mut bytes = victim.to_bytes();
    bytes[tabella::encoding::header::HEADER_LEN] ^= 1;
    let relabelled = EncryptedBallot::from_bytes(&bytes).unwrap();
    assert!(relabelled.verify(&v.ctx()).is_err());

    // 3. Re-randomised: every ciphertext times an encryption of 0, the proofs kept.
    let mut r = rng(41);
    let mut bytes = victim.to_bytes();
    for c in victim.ciphertexts() {
        let (zero, _) = v.key.encrypt(0, &mut r);
        let fresh = Ciphertext::from_elements(
            c.alpha().element() + zero.alpha().element(),
            c.beta().element() + zero.beta().element(),
        );
        replace(&mut bytes, &c.to_bytes(), &fresh.to_bytes());
    }
    let rerandomised = EncryptedBallot::from_bytes(&bytes).unwrap();
    assert!(rerandomised.verify(&v.ctx()).is_err());

    // 4. Replayed in another round, another election, or another contest index.
    let contest = ContestSpec::choose_one(1, 3, false).unwrap();
    let other_election = ElectionContext::new([8; 32]);
    let contexts = [
        BallotContext {
            round: 2,
            ..v.ctx()
        },
        BallotContext {
            election: &other_election,
            ..v.ctx()
        },
        BallotContext {
            contest: &contest,
            ..v.ctx()
        },
    ];
    for ctx in &contexts {
        assert!(victim.clone().verify(ctx).is_err());
    }

    // 5. On the board (an election with a roll): a cast ballot posted again is a second ballot
    // of its credential, refused at the eligibility check, at the copy.
    let f = fixture();
    let mut entries = f.entries();
    let copy = entries[BALLOT].clone();
    entries.insert(CHALLENGED, copy);
    let failure = fails_at(&f.rechain(entries), Check::Eligibility, CHALLENGED);
    let original = EncryptedBallot::from_bytes(f.record.entries()[BALLOT].body()).unwrap();
    assert_eq!(
        failure.error,
        Error::CredentialReused {
            ballot: *original.id(),
            credential: *original.credential().unwrap(),
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Substituted generators and keys; unbound public inputs

/// Cortier, Gaudry and Yang, "How to fake zero-knowledge proofs, again" (Voting 2020): proofs
/// whose transcript leaves out the generators or the key can be replayed against a
/// substituted generator or key. Defence: G, the base H and the key Y are all in every
/// transcript; a proof for one key or base fails for another.
#[test]
fn proofs_with_a_substituted_generator_or_key_are_rejected() {
    let v = Voting::new(5);
    let mut r = rng(55);
    let other_key = SecretKey::generate(&mut r).public_key();
    // A ballot made for one key verified under another.
    let ballot = v.ballot(1, 50);
    let other = BallotContext {
        key: &other_key,
        ..v.ctx()
    };
    assert!(ballot.verify(&other).is_err());
    // A DLEQ proof (the partial-decryption relation) with H substituted, or G's role
    // given to another point through Y.
    let h = random_point(&mut r);
    let y = v.key.as_point().clone();
    let d = Point::from(h.element() * Scalar::from_canonical_bytes(*v.secret.to_bytes()).unwrap());
    let proof = DleqProof::prove(
        &mut v.election.transcript(label::PARTIAL_DECRYPTION),
        &DleqStatement {
            base: &h,
            left: &y,
            right: &d,
        },
        &v.secret,
        &mut r,
    );
    let h2 = random_point(&mut r);
    let ok = |base: &Point, left: &Point| {
        proof
            .verify(
                &mut v.election.transcript(label::PARTIAL_DECRYPTION),
                &DleqStatement {
                    base,
                    left,
                    right: &d,
                },
            )
            .is_ok()
    };
    assert!(ok(&h, &y));
    assert!(!ok(&h2, &y));
    assert!(!ok(&h, other_key.as_point()));
    // A Schnorr proof of the key does not prove another key.
    let schnorr = SchnorrProof::prove(
        &mut v.election.transcript(label::CEREMONY_COMM_KEY),
        &SchnorrStatement { public: &y },
        &v.secret,
        &mut r,
    );
    assert!(
        schnorr
            .verify(
                &mut v.election.transcript(label::CEREMONY_COMM_KEY),
                &SchnorrStatement {
                    public: other_key.as_point()
                },
            )
            .is_err()
    );
}

/// "Frozen Heart" (Trail of Bits, 2022: Girault, Bulletproofs and PlonK implementations that
/// left public inputs out of the Fiat–Shamir hash). Each statement element of each proof
/// kind is replaced in turn by another value: the honest proof must fail. Compact, one
/// table per proof kind; the exhaustive mutation suite is elsewhere.
#[test]
fn frozen_heart_every_statement_element_of_every_proof_is_bound() {
    let v = Voting::new(6);
    let mut r = rng(6);
    let x = Scalar::from_canonical_bytes(*v.secret.to_bytes()).unwrap();
    let y = v.key.as_point().clone();
    let other = random_point(&mut r);
    let t = || v.election.transcript(label::PARTIAL_DECRYPTION);

    // Schnorr: X.
    let schnorr = SchnorrProof::prove(
        &mut t(),
        &SchnorrStatement { public: &y },
        &v.secret,
        &mut r,
    );
    assert!(
        schnorr
            .verify(&mut t(), &SchnorrStatement { public: &y })
            .is_ok()
    );
    assert!(
        schnorr
            .verify(&mut t(), &SchnorrStatement { public: &other })
            .is_err()
    );

    // DLEQ: H, Y, D.
    let h = random_point(&mut r);
    let d = Point::from(h.element() * x);
    let honest = [h.clone(), y.clone(), d.clone()];
    let st =
        |p: &[Point; 3]| -> (Point, Point, Point) { (p[0].clone(), p[1].clone(), p[2].clone()) };
    let dleq = DleqProof::prove(
        &mut t(),
        &DleqStatement {
            base: &h,
            left: &y,
            right: &d,
        },
        &v.secret,
        &mut r,
    );
    for i in 0..=3 {
        let mut points = honest.clone();
        if let Some(p) = points.get_mut(i) {
            *p = other.clone();
        }
        let (base, left, right) = st(&points);
        let verdict = dleq.verify(
            &mut t(),
            &DleqStatement {
                base: &base,
                left: &left,
                right: &right,
            },
        );
        assert_eq!(verdict.is_ok(), i == 3, "DLEQ statement element {i}");
    }

    // The Frozen Heart forgery itself, by a trustee who knows x: R₁ = k·G and R₂ are fixed,
    // the challenge drawn, s = k + c·x, and only then a false share D' = (s·H − R₂)/c chosen.
    // It verifies iff D is left out of the transcript.
    let k = random_scalar(&mut r);
    let r1 = Point::from(RISTRETTO_BASEPOINT_POINT * k);
    let r2 = random_point(&mut r);
    let mut unbound = t();
    unbound.domain_sep(label::DLEQ);
    unbound.append_point(b"G", &Point::generator());
    unbound.append_point(b"H", &h);
    unbound.append_point(b"Y", &y);
    unbound.append_point(b"R1", &r1);
    unbound.append_point(b"R2", &r2);
    let c = unbound.challenge(b"c");
    let s = k + c * x;
    let false_share = Point::from((h.element() * s - r2.element()) * c.invert());
    assert_ne!(false_share, d);
    let mut bytes = r1.to_bytes().to_vec();
    bytes.extend_from_slice(&r2.to_bytes());
    bytes.extend_from_slice(s.as_bytes());
    let forged = DleqProof::from_bytes(&bytes).unwrap();
    let statement = DleqStatement {
        base: &h,
        left: &y,
        right: &false_share,
    };
    assert!(forged.verify(&mut t(), &statement).is_err());

    // Membership: Y, α, β, each set element, the set's length.
    let (c, nonce) = v.key.encrypt(1, &mut r);
    let set = [0u64, 1, 2];
    let m = MembershipProof::prove(
        &mut v.election.transcript(label::BALLOT),
        &MembershipStatement {
            key: &v.key,
            ciphertext: &c,
            set: &set,
        },
        1,
        &nonce,
        &mut r,
    )
    .unwrap();
    let other_key = PublicKey::from_point(other.clone()).unwrap();
    let alpha_changed = Ciphertext::from_elements(*other.element(), *c.beta().element());
    let beta_changed = Ciphertext::from_elements(*c.alpha().element(), *other.element());
    let variants: Vec<(&str, &PublicKey, &Ciphertext, Vec<u64>)> = vec![
        ("honest", &v.key, &c, set.to_vec()),
        ("Y", &other_key, &c, set.to_vec()),
        ("alpha", &v.key, &alpha_changed, set.to_vec()),
        ("beta", &v.key, &beta_changed, set.to_vec()),
        ("s0", &v.key, &c, vec![5, 1, 2]),
        ("s1", &v.key, &c, vec![0, 5, 2]),
        ("s2", &v.key, &c, vec![0, 1, 5]),
    ];
    for (what, key, ciphertext, set) in variants {
        let verdict = m.verify(
            &mut v.election.transcript(label::BALLOT),
            &MembershipStatement {
                key,
                ciphertext,
                set: &set,
            },
        );
        assert_eq!(
            verdict.is_ok(),
            what == "honest",
            "membership statement element {what}"
        );
    }
    // The context: another election's transcript.
    assert!(
        m.verify(
            &mut ElectionContext::new([7; 32]).transcript(label::BALLOT),
            &MembershipStatement {
                key: &v.key,
                ciphertext: &c,
                set: &set
            },
        )
        .is_err()
    );
}

// ---------------------------------------------------------------------------------------------
// Decryption

/// Haines, Lewis, Pereira and Teague, "How not to prove your election outcome" (IEEE S&P
/// 2020): the SwissPost/Scytl decryption proofs could be made to "verify" a wrong plaintext
/// because the verifier trusted a claimed M and the proof's statement was not the one it
/// needed. Defence: the verifier recomputes the aggregate from the ballots, verifies each
/// partial against it, and recomputes M and the totals itself; the totals a result entry
/// announces are only ever compared (check 14), and a partial whose proof is for another
/// statement (another tally, another box) fails (check 13).
#[test]
fn decryption_proofs_cannot_support_a_wrong_plaintext() {
    // Totals changed, partials left valid, the result signed again: check 14 at the result.
    let f = fixture();
    let mut result = RoundResult::from_bytes(f.record.entries()[RESULT].body()).unwrap();
    result.totals[0] += 1;
    result.totals[1] -= 1;
    fails_at(
        &f.with_body(RESULT, result.to_bytes()),
        Check::Combination,
        RESULT,
    );

    // A partial decryption whose DLEQ proofs are for another statement (the tally with one
    // more vote for the first slot, which is what moving votes needs): rejected against the
    // real tally, naming the trustee.
    let (replay, _) = replay_of(&f.record.entries()[..=CLOSE]);
    let election = replay.election().unwrap();
    let (closed, close, _) = replay.closed_round().unwrap();
    let tally = closed.tally();
    let public = election.public_key_package();
    let mut moved = tally.ciphertexts().to_vec();
    let vote = public.joint_key().encrypt(1, &mut rng(62)).0;
    moved[0] = &moved[0] + &vote;
    let other = DecryptionContext::new(election.context(), public, close, &moved).unwrap();
    let real =
        DecryptionContext::new(election.context(), public, close, tally.ciphertexts()).unwrap();
    for k in PARTIAL..PARTIAL + 3 {
        let p = f.partial(k);
        assert!(p.verify(&real).is_ok());
        let err = p.verify(&other).unwrap_err();
        assert_eq!(err.culprits(), vec![Culprit::Trustee(p.trustee().get())]);
    }
    // The same partials on the board, but the box holding one more genuine-looking vote for
    // A and the close re-made to fit: the verifier recomputes the tally from the box, and the
    // first partial fails check 13, naming trustee 1.
    let open = replay_of(&f.record.entries()[..=OPEN]).0;
    let round = open.open_round().unwrap();
    let mut r = rng(63);
    let selection = Selection::new(round.contest(), &[0]).unwrap();
    let id = BallotId::random(&mut r);
    // Signed by the sixth member, who did not vote: the roll admits it.
    let credentials = tabella::fuzzing::record_fixture_credentials();
    let (extra, _) = EncryptedBallot::encrypt(
        &round.context(),
        &selection,
        id,
        Some(&credentials[5]),
        &mut r,
    )
    .unwrap();
    let mut entries = f.entries();
    entries.insert(
        CHALLENGED,
        Entry::voter(EntryKind::Ballot, extra.to_bytes()).unwrap(),
    );
    let close = CLOSE + 1;
    let (grown, _) = replay_of(&entries[..close]);
    let grown_close = grown.open_round().unwrap().ballot_box().close();
    f.set_body(&mut entries, close, grown_close.to_bytes());
    let failure = fails_at(&f.rechain(entries), Check::PartialDecryptions, close + 1);
    assert_eq!(failure.culprits(), vec![Culprit::Trustee(1)]);
}

// ---------------------------------------------------------------------------------------------
// Hash-encoding ambiguity

fn manifest(candidates: &[&str]) -> Manifest {
    let rules = ElectionRules::with_schedule(
        RuleSchedule::new([(
            1,
            MajorityRule::new(
                Comparison::MoreThan,
                Fraction::new(1, 2).unwrap(),
                Base::PresentAndVoting,
            )
            .unwrap(),
        )])
        .unwrap(),
    );
    Manifest::new(
        "ambiguity",
        5,
        5,
        candidates.iter().map(|c| c.to_string()).collect(),
        rules,
        1,
        1,
    )
    .unwrap()
}

/// Hash-encoding ambiguity (the "canonical encoding" pitfall: e.g. the concatenation bugs
/// catalogued by Dowling et al. and in Bernhard–Pereira–Warinschi §3; Helios' JSON-to-hash
/// mismatches). Variable-length lists split differently must not collide: every list and
/// string is length-prefixed in every encoding that is hashed.
#[test]
fn differently_split_lists_do_not_collide() {
    // Manifests: ["ab", "c"] vs ["a", "bc"].
    let (m1, m2) = (manifest(&["ab", "c"]), manifest(&["a", "bc"]));
    assert_ne!(m1.to_bytes().unwrap(), m2.to_bytes().unwrap());
    let key = [0x11; 32];
    let f1 = m1.election_context(&key, b"keys").unwrap();
    let f2 = m2.election_context(&key, b"keys").unwrap();
    assert_ne!(f1.fingerprint(), f2.fingerprint());
    assert_ne!(
        m1.ceremony_context().unwrap().fingerprint(),
        m2.ceremony_context().unwrap().fingerprint()
    );
    // The trustee-key blob and the joint key are not interchangeable either.
    let g = m1.election_context(&key, &[0x22; 4]).unwrap();
    let h = m1.election_context(&key, &[0x22; 5]).unwrap();
    assert_ne!(g.fingerprint(), h.fingerprint());

    // Ballots: a 3-option contest and a 2-option contest with abstention both have three
    // ciphertexts; a ballot for one does not verify as the other.
    let v = Voting::new(7);
    let ballot = v.ballot(2, 70);
    let split = ContestSpec::choose_one(0, 2, true).unwrap();
    assert!(
        ballot
            .verify(&BallotContext {
                contest: &split,
                ..v.ctx()
            })
            .is_err()
    );

    // Membership sets: a proof for {0, 1} is not a proof for {1, 0}, nor for {0, 1} read as
    // the one number 01 = 1 ({1} has one branch, so the proof does not even decode).
    let mut r = rng(7);
    let (c, nonce) = v.key.encrypt(0, &mut r);
    let proof = MembershipProof::prove(
        &mut v.election.transcript(label::BALLOT),
        &MembershipStatement {
            key: &v.key,
            ciphertext: &c,
            set: &[0, 1],
        },
        0,
        &nonce,
        &mut r,
    )
    .unwrap();
    assert!(
        proof
            .verify(
                &mut v.election.transcript(label::BALLOT),
                &MembershipStatement {
                    key: &v.key,
                    ciphertext: &c,
                    set: &[1, 0]
                },
            )
            .is_err()
    );
    assert!(MembershipProof::from_bytes(&proof.to_bytes(), 1).is_err());
}

// ---------------------------------------------------------------------------------------------
// Trustees

fn idx(i: u32) -> TrusteeIndex {
    TrusteeIndex::new(i).unwrap()
}

fn ceremony_ctx(fingerprint: u8) -> CeremonyContext {
    CeremonyContext::new(
        ElectionContext::new([fingerprint; 32]),
        ThresholdParams::new(2, 3).unwrap(),
        [fingerprint; 32],
    )
}

/// Offset of the sender field of a ceremony message (after the header and the ceremony id).
const SENDER: usize = HEADER_LEN + 32;
/// Offset of C_0 in a round-2 package (after the sender, the salt and the count).
const C0: usize = SENDER + 4 + 32 + 4;

/// Rounds 1 and 2 of a 2-of-3 ceremony over one board, trustee i with seed `base + i`;
/// `tamper1` may change the round-1 packages before they are posted. A trustee whose part2
/// refuses posts nothing.
struct Rounds12 {
    b1: Vec<round1::Package>,
    b2: Vec<round2::Package>,
    secrets: Vec<dkg::round2::SecretPackage>,
}

fn rounds_1_2(
    ctx: &CeremonyContext,
    base: u64,
    tamper1: &dyn Fn(&mut Vec<round1::Package>),
) -> Rounds12 {
    let mut rngs: Vec<ChaCha20Rng> = (1..=3).map(|i| rng(base + i)).collect();
    let mut secrets1 = Vec::new();
    let mut b1 = Vec::new();
    for i in 1..=3u32 {
        let (s, p) = dkg::part1(ctx, idx(i), &mut rngs[i as usize - 1]).unwrap();
        secrets1.push(s);
        b1.push(p);
    }
    tamper1(&mut b1);
    let board = board_of(&b1, &[]);
    let mut secrets = Vec::new();
    let mut b2 = Vec::new();
    for (i, s) in secrets1.into_iter().enumerate() {
        if let Ok((s, p)) = dkg::part2(s, &board, &mut rngs[i]) {
            secrets.push(s);
            b2.push(p);
        }
    }
    Rounds12 { b1, b2, secrets }
}

fn board_of(b1: &[round1::Package], b2: &[round2::Package]) -> CeremonyBoard {
    let mut board = CeremonyBoard::new();
    for p in b1 {
        board.post_round1(p).unwrap();
    }
    for p in b2 {
        board.post_round2(p).unwrap();
    }
    board
}

/// Round 3 by every trustee whose software goes on with this board (no complaint from anyone
/// here: the judgement rests on rounds 1 and 2), then the verdict of `verify_ceremony`.
fn excluded(
    ctx: &CeremonyContext,
    b1: &[round1::Package],
    b2: &[round2::Package],
    secrets: Vec<dkg::round2::SecretPackage>,
) -> Vec<Error> {
    let mut board = board_of(b1, b2);
    let mut r = rng(99);
    let round3: Vec<_> = secrets
        .into_iter()
        .filter_map(|s| dkg::part3(s, &board, &mut r).ok())
        .collect();
    for (_, p) in &round3 {
        assert!(p.complaints().is_empty());
        board.post_round3(p).unwrap();
    }
    let outcome = verify_ceremony(ctx, &board).unwrap();
    for (s, _) in round3 {
        if let Ok((_, o)) = dkg::part4(s, &board) {
            assert_eq!(o, outcome);
        }
    }
    outcome.excluded().iter().map(|e| e.to_error()).collect()
}

/// The rogue-key attack on Pedersen/Feldman DKG (Gennaro, Jarecki, Krawczyk, Rabin, "Secure
/// distributed key generation for discrete-log based cryptosystems", Eurocrypt 1999; the
/// rogue-key form as in Micali–Ohta–Reyzin 2001 and Boneh–Drijvers–Neven 2018): the last
/// trustee publishes C₃,₀ = x·G − C₁,₀ − C₂,₀, so that it alone knows the joint key. Defence: a
/// Schnorr proof of knowledge of every coefficient, bound to the trustee and ceremony.
#[test]
fn rogue_key_trustee_is_excluded() {
    let ctx = ceremony_ctx(20);
    // A preview of the honest commitments (as if the hash commitments did not hide them).
    let preview = rounds_1_2(&ctx, 10, &|_| {});
    let c10 = *preview.b2[0].commitments()[0].element();
    let c20 = *preview.b2[1].commitments()[0].element();
    let target = RISTRETTO_BASEPOINT_POINT * Scalar::from(4242u64);
    let mut bytes = preview.b2[2].to_bytes();
    // C₃,₀ sits after the header, the ceremony id, the sender, the salt and the count (see
    // tests/threshold.rs, rogue_key_without_proof_of_knowledge_is_rejected).
    bytes[C0..C0 + 32].copy_from_slice(&(target - c10 - c20).compress().to_bytes());
    let rogue = round2::Package::from_bytes(&bytes).unwrap();
    assert_eq!(c10 + c20 + rogue.commitments()[0].element(), target);
    // Its round-1 commitment is made to match, so only the proof of knowledge can catch it.
    let mut r1 = preview.b1[2].to_bytes();
    r1[SENDER + 4..SENDER + 36].copy_from_slice(&rogue.commitment(&ctx));
    let rogue_commit = round1::Package::from_bytes(&r1).unwrap();
    // The honest trustees deal on the board that holds it; trustee 3's own software refuses,
    // so the rogue reveal is posted by hand.
    let mut real = rounds_1_2(&ctx, 10, &|b| b[2] = rogue_commit.clone());
    assert_eq!(real.b2.len(), 2);
    real.b2.push(rogue);
    assert_eq!(
        excluded(&ctx, &real.b1, &real.b2, real.secrets),
        vec![Error::TrusteeRejected {
            trustee: 3,
            check: CeremonyCheck::CoefficientProof { k: 0 }
        }]
    );
}

/// The rushing trustee (Gennaro et al. 1999/2007, §3: the adversary speaks last and adapts
/// its contribution to the honest ones). Defence: the round-1 hash commitment fixes every
/// C_{i,k} before anyone reveals; a reveal that differs from the commitment is excluded.
#[test]
fn rushing_trustee_is_excluded() {
    let ctx = ceremony_ctx(21);
    let Rounds12 {
        b1,
        mut b2,
        secrets,
    } = rounds_1_2(&ctx, 10, &|_| {});
    let other = rounds_1_2(&ctx, 500, &|_| {});
    b2[2] = other.b2[2].clone();
    assert_eq!(
        excluded(&ctx, &b1, &b2, secrets),
        vec![Error::TrusteeRejected {
            trustee: 3,
            check: CeremonyCheck::CommitmentMismatch
        }]
    );
}

/// A cheating dealer (Feldman 1987, Pedersen 1991: the complaint round of verifiable secret
/// sharing). Dealer 1 sends trustee 2 a share inconsistent with its commitments. Defence:
/// trustee 2 complains with a proof anyone can check, and the dealer is excluded by every
/// verifier.
#[test]
fn a_dealer_with_a_bad_share_is_excluded_on_a_verifiable_complaint() {
    let ctx = ceremony_ctx(22);
    let mut rngs: Vec<ChaCha20Rng> = (1..=3).map(|i| rng(10 + i)).collect();
    let mut board = CeremonyBoard::new();
    let mut secrets1 = Vec::new();
    for i in 1..=3u32 {
        let (s, p) = dkg::part1(&ctx, idx(i), &mut rngs[i as usize - 1]).unwrap();
        board.post_round1(&p).unwrap();
        secrets1.push(s);
    }
    let mut round2 = Vec::new();
    for (i, s) in secrets1.into_iter().enumerate() {
        round2.push(if i == 0 {
            dkg::part2_dealing_bad_share_for_tests_only(s, &board, idx(2), &mut rngs[i]).unwrap()
        } else {
            dkg::part2(s, &board, &mut rngs[i]).unwrap()
        });
    }
    for (_, p) in &round2 {
        board.post_round2(p).unwrap();
    }
    let mut round3 = Vec::new();
    for (i, (s, _)) in round2.into_iter().enumerate() {
        round3.push(dkg::part3(s, &board, &mut rngs[i]).unwrap());
    }
    for (_, p) in &round3 {
        board.post_round3(p).unwrap();
    }
    let complaints: Vec<(u32, u32)> = round3
        .iter()
        .flat_map(|(_, p)| {
            p.complaints()
                .iter()
                .map(move |c| (p.sender().get(), c.dealer().get()))
        })
        .collect();
    assert_eq!(complaints, vec![(2, 1)]);
    let outcome = verify_ceremony(&ctx, &board).unwrap();
    assert_eq!(outcome.qualified(), vec![idx(2), idx(3)]);
    assert_eq!(
        outcome.excluded()[0].to_error().culprits(),
        vec![Culprit::Trustee(1)]
    );
    // The honest trustees agree; the dealer's own key share is not part of the key.
    let keys: Vec<KeyPackage> = round3
        .into_iter()
        .filter_map(|(s, _)| dkg::part4(s, &board).ok().map(|(k, _)| k))
        .collect();
    assert_eq!(keys.len(), 2);
    assert!(
        keys.iter()
            .all(|k| k.public() == outcome.public_key_package())
    );
}

/// How the rushing dealer M forges its shares to the honest trustees.
#[derive(Clone, Copy, Debug)]
enum Forgery {
    /// E_{i→j} of an honest dealer i's share to j, a junk ciphertext, and i's published
    /// ephemeral proof.
    CopiedKey,
    /// E' = a·E_{i→j} + b·G, a junk ciphertext, and M's own ephemeral proof (a proof for
    /// another scalar, M's e of its honest share).
    ShiftedKey,
}

/// The coalition: t − 1 corrupted trustees with their communication secrets and polynomials.
struct Coalition {
    members: Vec<(u32, Scalar, Vec<Scalar>)>,
    /// For each honest recipient j of a shifted key: (j, a, b) with E' = a·E + b·G.
    shifts: Vec<(u32, Scalar, Scalar)>,
}

fn scalar(secret: &SecretKey) -> Scalar {
    decode_scalar("secret", secret.to_bytes().as_slice()).unwrap()
}

/// The pad of the share from dealer i to recipient j, exactly as docs/SPEC.md §11.4 writes
/// it, with SHA-512 directly (not through the library).
fn spec_pad(id: &[u8; 32], i: u32, j: u32, e: &Point, k: &Point) -> [u8; 32] {
    use sha2::{Digest, Sha512};
    let label = b"tabella.ceremony.share-key";
    let mut h = Sha512::new();
    h.update([label.len() as u8]);
    h.update(label);
    h.update(id);
    h.update(i.to_le_bytes());
    h.update(j.to_le_bytes());
    h.update(e.as_bytes());
    h.update(k.as_bytes());
    let digest = h.finalize();
    let mut pad = [0u8; 32];
    pad.copy_from_slice(&digest[..32]);
    pad
}

/// Decrypts the share from `dealer` to j with the Diffie–Hellman point K and runs the Feldman
/// check: `Some(f_i(j))` if K was the right one.
fn open_share(id: &[u8; 32], dealer: &round2::Package, j: u32, k: &Point) -> Option<Scalar> {
    let share = dealer.share_for(idx(j))?;
    let pad = spec_pad(id, dealer.sender().get(), j, share.ephemeral(), k);
    let mut plain = *share.ciphertext();
    for (p, q) in plain.iter_mut().zip(pad) {
        *p ^= q;
    }
    let s = Option::<Scalar>::from(Scalar::from_canonical_bytes(plain))?;
    let mut expected = RistrettoPoint::identity();
    let mut power = Scalar::ONE;
    for c in dealer.commitments() {
        expected += c.element() * power;
        power *= Scalar::from(j);
    }
    (RistrettoPoint::mul_base(&s) == expected).then_some(s)
}

/// What the coalition does with the board once the ceremony is over: every share addressed to
/// one of its members, and every complaint on the board tried as the key of every honest
/// dealer's share to the complainer; then each honest f_i(0) interpolated from t points, and
/// x = Σ_{i∈QUAL} f_i(0). Returns the number of honest shares it decrypted from complaints,
/// and x if it got t points for every honest qualified dealer.
fn coalition_attack(
    ctx: &CeremonyContext,
    board: &CeremonyBoard,
    coalition: &Coalition,
    qualified: &[TrusteeIndex],
) -> (usize, Option<Scalar>) {
    let t = ctx.params().threshold() as usize;
    let id = ctx.id();
    let dealers: Vec<round2::Package> = board
        .entries(CeremonyRound::Reveal)
        .iter()
        .filter_map(|e| round2::Package::from_bytes(e.bytes()).ok())
        .collect();
    let corrupted = |i: u32| coalition.members.iter().any(|(c, _, _)| *c == i);
    let honest: Vec<&round2::Package> = dealers
        .iter()
        .filter(|d| !corrupted(d.sender().get()))
        .collect();
    let keys: Vec<(u32, Point)> = board
        .entries(CeremonyRound::Commit)
        .iter()
        .filter_map(|e| round1::Package::from_bytes(e.bytes()).ok())
        .map(|p| (p.sender().get(), p.communication_key().as_point().clone()))
        .collect();
    let mut points: Vec<Vec<(u32, Scalar)>> = vec![Vec::new(); honest.len()];
    // The shares the honest dealers sent to the coalition: t − 1 points of each f_i.
    for (d, pts) in honest.iter().zip(&mut points) {
        for (c, secret, _) in &coalition.members {
            if let Some(share) = d.share_for(idx(*c)) {
                let k = Point::from(share.ephemeral().element() * secret);
                pts.push((
                    *c,
                    open_share(id, d, *c, &k).expect("a share to the coalition"),
                ));
            }
        }
    }
    // Every complaint: K = d_j·E for the E of the accused share.
    let mut leaked = 0;
    for e in board.entries(CeremonyRound::Complain) {
        let Ok(p) = round3::Package::from_bytes(e.bytes()) else {
            continue;
        };
        let j = p.sender().get();
        let pk_j = keys.iter().find(|(i, _)| *i == j).unwrap().1.element();
        for complaint in p.complaints() {
            let revealed = complaint.dh_point().clone();
            let mut candidates = vec![revealed.clone()];
            // From E' = a·E + b·G: d_j·E = (d_j·E' − b·PK_j) / a.
            for (_, a, b) in coalition.shifts.iter().filter(|(r, _, _)| *r == j) {
                candidates.push(Point::from((revealed.element() - pk_j * b) * a.invert()));
            }
            for (d, pts) in honest.iter().zip(&mut points) {
                if d.sender().get() == j || pts.iter().any(|(x, _)| *x == j) {
                    continue;
                }
                if let Some(s) = candidates.iter().find_map(|k| open_share(id, d, j, k)) {
                    pts.push((j, s));
                    leaked += 1;
                }
            }
        }
    }
    // Interpolate every honest qualified f_i(0), add the coalition's own contributions.
    let mut x = Scalar::ZERO;
    for (d, pts) in honest.iter().zip(&points) {
        if !qualified.contains(&d.sender()) {
            continue;
        }
        if pts.len() < t {
            return (leaked, None);
        }
        let set: Vec<TrusteeIndex> = pts[..t].iter().map(|(i, _)| idx(*i)).collect();
        let lambdas = lagrange_at_zero(&set).unwrap();
        x += pts[..t]
            .iter()
            .zip(&lambdas)
            .map(|((_, s), l)| s * l)
            .sum::<Scalar>();
    }
    for (c, _, coefficients) in &coalition.members {
        if qualified.contains(&idx(*c)) {
            x += coefficients[0];
        }
    }
    (leaked, Some(x))
}

/// One run of the complaint-oracle attack on a t-of-n ceremony: trustees n − t + 2..=n are
/// corrupted, and M = n posts its round-2 message last, having seen the honest ones. To each
/// honest recipient j, M sends a share whose ephemeral key comes from the honest dealer
/// i = σ(j) (the next honest trustee after j, cyclically) with a junk ciphertext; its
/// commitments, opening and coefficient proofs are honest. Everyone else follows the
/// protocol. Returns what the coalition gets from the board, and the outcome.
fn complaint_oracle(t: u32, n: u32, forgery: Forgery) -> ((usize, Option<Scalar>), Outcome) {
    let params = ThresholdParams::new(t, n).unwrap();
    let tag = (10 * t + n) as u8;
    let ctx = CeremonyContext::new(ElectionContext::new([tag; 32]), params, [tag; 32]);
    let mut r = rng(u64::from(tag));
    let m = n;
    let corrupted: Vec<u32> = (n - t + 2..=n).collect();
    let honest: Vec<u32> = (1..n - t + 2).collect();
    assert_eq!(corrupted.len() as u32, t - 1);
    let sigma = |j: u32| {
        let k = honest.iter().position(|h| *h == j).unwrap();
        honest[(k + 1) % honest.len()]
    };

    // Round 1: everyone follows the protocol; the coalition pools its members' secrets.
    let mut board = CeremonyBoard::new();
    let mut secrets1 = Vec::new();
    let mut members = Vec::new();
    for i in 1..=n {
        let (s, p) = dkg::part1(&ctx, idx(i), &mut r).unwrap();
        board.post_round1(&p).unwrap();
        if corrupted.contains(&i) {
            let (d, a) = s.secrets_for_tests_only();
            members.push((i, scalar(&d), a.iter().map(scalar).collect()));
        }
        secrets1.push(s);
    }
    let m_secret = secrets1.pop().unwrap();
    // Round 2: everyone but M deals honestly.
    let mut round2: Vec<_> = secrets1
        .into_iter()
        .map(|s| dkg::part2(s, &board, &mut r).unwrap())
        .collect();
    // M rushes: it forges its shares to the honest trustees from theirs.
    let mut shifts = Vec::new();
    let (m2, m_package) = {
        let packages: Vec<&round2::Package> = round2.iter().map(|(_, p)| p).collect();
        let mut junk = rng(u64::from(tag) + 1);
        dkg::part2_replacing_shares_for_tests_only(
            m_secret,
            &board,
            |j, own| {
                let j = j.get();
                if !honest.contains(&j) {
                    return own;
                }
                let source = packages[sigma(j) as usize - 1].share_for(idx(j)).unwrap();
                let mut ct = [0u8; 32];
                junk.fill_bytes(&mut ct);
                let (ephemeral, proof) = match forgery {
                    Forgery::CopiedKey => (
                        source.ephemeral().clone(),
                        source.ephemeral_proof().to_bytes(),
                    ),
                    Forgery::ShiftedKey => {
                        let a = random_scalar(&mut junk);
                        let b = random_scalar(&mut junk);
                        shifts.push((j, a, b));
                        let shifted =
                            source.ephemeral().element() * a + RistrettoPoint::mul_base(&b);
                        (Point::from(shifted), own.ephemeral_proof().to_bytes())
                    }
                };
                let mut bytes = j.to_le_bytes().to_vec();
                bytes.extend_from_slice(ephemeral.as_bytes());
                bytes.extend_from_slice(&ct);
                bytes.extend_from_slice(&proof);
                round2::EncryptedShare::from_bytes(&bytes).unwrap()
            },
            &mut r,
        )
        .unwrap()
    };
    round2.push((m2, m_package));
    for (_, p) in &round2 {
        board.post_round2(p).unwrap();
    }
    // Rounds 3 and 4 for every trustee whose software goes on.
    let round3: Vec<_> = round2
        .into_iter()
        .filter_map(|(s, _)| dkg::part3(s, &board, &mut r).ok())
        .collect();
    for (_, p) in &round3 {
        board.post_round3(p).unwrap();
    }
    let outcome = verify_ceremony(&ctx, &board).unwrap();
    let finished: Vec<_> = round3
        .into_iter()
        .filter_map(|(s, _)| dkg::part4(s, &board).ok())
        .collect();
    for (key, o) in &finished {
        assert_eq!(o, &outcome);
        assert_eq!(key.public(), outcome.public_key_package());
    }
    let coalition = Coalition { members, shifts };
    let attack = coalition_attack(&ctx, &board, &coalition, &outcome.qualified());
    let complaints = board
        .entries(CeremonyRound::Complain)
        .iter()
        .filter_map(|e| round3::Package::from_bytes(e.bytes()).ok())
        .map(|p| p.complaints().len())
        .sum();
    (
        attack,
        Outcome {
            outcome,
            finished: finished.len(),
            complaints,
            m,
            first_honest: honest[0],
        },
    )
}

struct Outcome {
    outcome: dkg::CeremonyOutcome,
    finished: usize,
    complaints: usize,
    m: u32,
    first_honest: u32,
}

/// The complaint oracle (issue 11 §1): a complaint reveals K = d_j·E for the E the accused
/// dealer posted, so a dealer M that copies an honest dealer's E_{i→j} into its own share to j
/// (with a junk ciphertext) gets j to complain and publish d_j·E_{i→j}, which decrypts the
/// honest share f_i(j); from E' = a·E + b·G it gets (K' − b·PK_j)/a, the same value (a static
/// Diffie–Hellman oracle on d_j). t − 1 corrupted trustees hold f_i(c) for every corrupted c,
/// so one leaked share per honest dealer gives t points: every honest f_i(0), hence x. The
/// attack is carried out end to end for 2-of-3, 3-of-4, 3-of-5 and 4-of-7, with the pad
/// recomputed from docs/SPEC.md §11.4. Defence: every encrypted share carries a proof of
/// knowledge of its ephemeral scalar, bound to the ceremony, the dealer and the recipient, and
/// checked in round 2, so M is excluded before anyone decrypts or complains.
#[test]
fn the_complaint_oracle_reveals_no_honest_share() {
    for (t, n) in [(2, 3), (3, 4), (3, 5), (4, 7)] {
        for forgery in [Forgery::CopiedKey, Forgery::ShiftedKey] {
            let ((leaked, x), o) = complaint_oracle(t, n, forgery);
            let y = *o
                .outcome
                .public_key_package()
                .joint_key()
                .as_point()
                .element();
            // First what the attacker gets: with the defence removed, this is x.
            assert_eq!(
                x.map(|x| RistrettoPoint::mul_base(&x) == y),
                None,
                "{t}-of-{n}, {forgery:?}: the coalition recovered the election key from \
                 {leaked} honest shares leaked by complaints"
            );
            assert_eq!(leaked, 0, "{t}-of-{n}, {forgery:?}");
            // Then the defence, as every party sees it: M is excluded in round 2, at the
            // first share it forged, and nobody complains.
            assert_eq!(
                o.outcome
                    .excluded()
                    .iter()
                    .map(|e| (e.trustee().get(), e.check()))
                    .collect::<Vec<_>>(),
                vec![(
                    o.m,
                    CeremonyCheck::EphemeralProof {
                        recipient: o.first_honest
                    }
                )],
                "{t}-of-{n}, {forgery:?}"
            );
            assert_eq!(o.complaints, 0);
            assert_eq!(o.outcome.qualified().len() as u32, n - 1);
            assert_eq!(o.finished as u32, n - 1);
        }
    }
}

/// A bad partial decryption (the "verifiable" in verifiable threshold decryption, Cramer,
/// Gennaro, Schoenmakers, Eurocrypt 1997): a trustee posts a partial made for other
/// ciphertexts. Defence: a coordinator combining partials names and skips it while t valid
/// partials remain, and the totals are still right; the board refuses it (check 13, the
/// trustee named at its entry).
#[test]
fn a_bad_partial_decryption_is_named_and_skipped() {
    let f = fixture();
    let (replay, _) = replay_of(&f.record.entries()[..=CLOSE]);
    let election = replay.election().unwrap();
    let public = election.public_key_package();
    let (closed, close, _) = replay.closed_round().unwrap();
    let tally = closed.tally();
    let ctx = |close: &tabella::board::BoxClose| {
        DecryptionContext::new(election.context(), public, close, tally.ciphertexts()).unwrap()
    };
    let real = ctx(close);
    let partials: Vec<PartialDecryption> = (PARTIAL..PARTIAL + 3).map(|k| f.partial(k)).collect();
    // The round's single packed ciphertext decrypts to at most ballots·B² (B = eligible + 1).
    let table = DiscreteLogTable::new(1 << 32).unwrap();
    let honest = decrypt_tally(&real, &partials, &table).unwrap();
    // Trustee 2's partial checked against round 2, or another box of round 1: another
    // statement.
    let round2 = tabella::board::BoxClose::new(2, *close.chain_head(), close.cast(), 0);
    assert!(partials[1].verify(&ctx(&round2)).is_err());
    let other_box = tabella::board::BoxClose::new(
        1,
        tabella::board::ConfirmationCode([7; 32]),
        close.cast(),
        close.challenged(),
    );
    assert!(partials[1].verify(&ctx(&other_box)).is_err());
    // Trustee 2 posts a partial with a wrong share: a coordinator combining partials skips it.
    let with_bad = vec![partials[0].clone(), bad_partial(&f), partials[2].clone()];
    let decryption = decrypt_tally(&real, &with_bad, &table).unwrap();
    assert_eq!(decryption.rejected.len(), 1);
    assert_eq!(decryption.rejected[0].0, idx(2));
    assert_eq!(
        decryption.rejected[0].1.culprits(),
        vec![Culprit::Trustee(2)]
    );
    assert_eq!(decryption.totals, honest.totals);
    // On the board, posted and signed by trustee 2 in place of its genuine partial: the
    // replay refuses it at check 13, naming trustee 2 (so no board holds it).
    let record = f.with_body(PARTIAL + 1, bad_partial(&f).to_bytes().unwrap());
    let failure = fails_at(&record, Check::PartialDecryptions, PARTIAL + 1);
    assert_eq!(failure.culprits(), vec![Culprit::Trustee(2)]);
}

/// Trustee 2's partial with its first share moved by G: what a trustee would post to shift
/// the decrypted total (its DLEQ proofs are for the real share).
fn bad_partial(f: &Fixture) -> PartialDecryption {
    let p = f.partial(PARTIAL + 1);
    assert_eq!(p.trustee(), idx(2));
    let shares: Vec<Point> = p.shares().cloned().collect();
    let mut bytes = p.to_bytes().unwrap();
    let moved = Point::from(shares[0].element() + RistrettoPoint::mul_base(&Scalar::ONE));
    replace(&mut bytes, &shares[0].to_bytes(), &moved.to_bytes());
    PartialDecryption::from_bytes(&bytes).unwrap()
}

/// Duplicate, zero and out-of-range trustee indices (x = 0 is the secret itself: FROST's
/// `Identifier`, RFC 9591 §4.1; duplicate indices break Lagrange interpolation). Defence:
/// `TrusteeIndex` is non-zero, parameters are validated, and every board refuses a duplicate
/// or foreign sender.
#[test]
fn duplicate_zero_and_out_of_range_trustee_indices_are_rejected() {
    assert!(TrusteeIndex::new(0).is_err());
    assert!(ThresholdParams::new(0, 3).is_err());
    assert!(ThresholdParams::new(4, 3).is_err());
    assert!(ThresholdParams::new(1, 256).is_err());
    let ctx = ceremony_ctx(23);
    assert!(dkg::part1(&ctx, idx(4), &mut rng(1)).is_err());
    // On the board, the author is the trustee the board authenticated. Trustee 3 posts
    // trustee 1's message as its own, and trustee 4 of a 3-trustee ceremony posts one: the
    // first excludes 3 (Malformed), the second is ignored (there is no trustee 4), and an
    // identical repost of trustee 1's message is one entry.
    let mut rngs: Vec<ChaCha20Rng> = (1..=3).map(|i| rng(30 + i)).collect();
    let mut board = CeremonyBoard::new();
    let mut secrets = Vec::new();
    let mut b1 = Vec::new();
    for i in 1..=3u32 {
        let (s, p) = dkg::part1(&ctx, idx(i), &mut rngs[i as usize - 1]).unwrap();
        secrets.push(s);
        b1.push(p);
    }
    board.post_round1(&b1[0]).unwrap();
    board.post_round1(&b1[1]).unwrap();
    board.post_round1(&b1[0]).unwrap();
    board
        .post(CeremonyRound::Commit, idx(3), b1[0].to_bytes())
        .unwrap();
    board
        .post(CeremonyRound::Commit, idx(4), b1[2].to_bytes())
        .unwrap();
    assert_eq!(board.entries(CeremonyRound::Commit).len(), 4);
    let mut round2 = Vec::new();
    for (i, s) in secrets.into_iter().enumerate() {
        match dkg::part2(s, &board, &mut rngs[i]) {
            Ok(r) => round2.push(r),
            Err(e) => assert_eq!(
                e,
                Error::TrusteeRejected {
                    trustee: 3,
                    check: CeremonyCheck::Malformed { round: 1 }
                }
            ),
        }
    }
    assert_eq!(round2.len(), 2);
    for (_, p) in &round2 {
        assert_eq!(p.shares().len(), 1);
        board.post_round2(p).unwrap();
    }
    let outcome = verify_ceremony(&ctx, &board).unwrap();
    assert_eq!(outcome.qualified(), vec![idx(1), idx(2)]);
    assert_eq!(
        outcome
            .excluded()
            .iter()
            .map(|e| e.to_error())
            .collect::<Vec<_>>(),
        vec![Error::TrusteeRejected {
            trustee: 3,
            check: CeremonyCheck::Malformed { round: 1 }
        }]
    );
    // On the board: trustee 1's partial twice (check 13, one per trustee), and trustee 2
    // posting trustee 1's partial as its own (check 2: a trustee posts only its own).
    let f = fixture();
    let mut entries = f.entries();
    entries[PARTIAL + 1] = entries[PARTIAL].clone();
    // The operator re-posting trustee 1's own entry is a replay (check 2); trustee 1 signing
    // its partial a second time is a second partial of one trustee (check 13).
    let replayed = fails_at(&f.rechain(entries.clone()), Check::Authorship, PARTIAL + 1);
    assert!(
        replayed.error.to_string().contains("replay"),
        "{}",
        replayed.error
    );
    let body = entries[PARTIAL].body().to_vec();
    f.set_body(&mut entries, PARTIAL + 1, body);
    let failure = fails_at(&f.rechain(entries), Check::PartialDecryptions, PARTIAL + 1);
    assert_eq!(failure.error, Error::DuplicateTrustee { trustee: 1 });
    let trustee_1s = f.record.entries()[PARTIAL].body().to_vec();
    fails_at(
        &f.with_body(PARTIAL + 1, trustee_1s),
        Check::Authorship,
        PARTIAL + 1,
    );
}

// ---------------------------------------------------------------------------------------------
// Encodings

/// Non-canonical, identity and small-order encodings (the small-subgroup and malleability
/// issues of Edwards curves that ristretto255, RFC 9496, removes; cf. the Monero/CryptoNote
/// key-image bug of 2017). Defence: decoding is validation: ristretto255 has no small-order
/// points; the Edwards torsion encodings decode to the identity or not at all; non-canonical
/// encodings are refused; keys and α refuse the identity.
#[test]
fn non_canonical_identity_and_small_order_encodings_are_rejected() {
    for (i, t) in EIGHT_TORSION.iter().enumerate() {
        let bytes = t.compress().to_bytes();
        if let Ok(p) = Point::decode("torsion", &bytes) {
            assert!(
                p.is_identity(),
                "torsion point {i} decodes to a non-identity"
            );
        }
        assert!(
            PublicKey::from_bytes(&bytes).is_err(),
            "torsion point {i} as a key"
        );
    }
    // The identity: a point, but never a key, never α.
    assert!(Point::decode("identity", &[0; 32]).unwrap().is_identity());
    assert!(PublicKey::from_bytes(&[0; 32]).is_err());
    let mut ct = [0u8; 64];
    ct[32..].copy_from_slice(&Point::generator().to_bytes());
    assert!(Ciphertext::from_bytes(&ct).is_err());
    // Non-canonical field elements: p = 2^255 − 19 itself, and all ones.
    let mut p = [0xffu8; 32];
    p[0] = 0xed;
    p[31] = 0x7f;
    assert!(Point::decode("p", &p).is_err());
    assert!(Point::decode("ones", &[0xff; 32]).is_err());
    // A negative (odd) s: the generator's encoding with its sign bit flipped.
    let mut odd = Point::generator().to_bytes();
    odd[0] |= 1;
    assert!(Point::decode("odd", &odd).is_err());
    // Scalars ≥ ℓ (ℓ itself, and ℓ + 1 as -1 + 2).
    let ell = (-Scalar::ONE).to_bytes();
    let mut ell = ell;
    ell[0] += 1;
    assert!(decode_scalar("l", &ell).is_err());
    assert!(SecretKey::from_bytes(&[0; 32]).is_err());
}

// ---------------------------------------------------------------------------------------------
// Cast-as-intended and tallying

/// Benaloh, "Simple verifiable elections" (EVT 2006): a challenged (opened) ballot must never
/// be counted, or the challenge reveals a counted vote and the device can cheat on the ballots
/// it expects not to be challenged. Defence: the box, and the verifier at check 10, refuse to
/// cast a challenged ballot.
#[test]
fn a_challenged_ballot_cannot_be_cast() {
    let v = Voting::new(8);
    let mut r = rng(8);
    let selection = Selection::new(&v.contest, &[1]).unwrap();
    let id = BallotId::random(&mut r);
    let (ballot, nonces) =
        EncryptedBallot::encrypt(&v.ctx(), &selection, id, None, &mut r).unwrap();
    let mut bb = BallotBox::new(v.election, v.key.clone(), 1, v.contest.clone());
    bb.challenge(ChallengedBallot::open(ballot.clone(), selection, nonces))
        .unwrap();
    assert_eq!(
        bb.cast(ballot.verify(&v.ctx()).unwrap()),
        Err(Error::ChallengedBallot { ballot: id })
    );
    // On the board: the fixture's challenged ballot cast after it (check 10 at the cast).
    let f = fixture();
    let challenged = ChallengedBallot::from_bytes(f.record.entries()[CHALLENGED].body()).unwrap();
    let cast = Entry::voter(EntryKind::Ballot, challenged.ballot().to_bytes()).unwrap();
    let mut entries = f.entries();
    entries.insert(CHALLENGED + 1, cast.clone());
    let failure = fails_at(&f.rechain(entries), Check::BoxRules, CHALLENGED + 1);
    assert_eq!(
        failure.error,
        Error::ChallengedBallot {
            ballot: *challenged.id()
        }
    );
    // Or cast before it: the challenge of a cast ballot is refused (check 10 at the challenge).
    let mut entries = f.entries();
    entries.insert(CHALLENGED, cast);
    let failure = fails_at(&f.rechain(entries), Check::BoxRules, CHALLENGED + 1);
    assert_eq!(failure.culprits(), vec![Culprit::Ballot(*challenged.id())]);
}

/// Exponential ElGamal's discrete-logarithm bound (the tally is M = m·G; decryption must
/// solve for m, e.g. Cramer–Gennaro–Schoenmakers 1997 §2.3): a total at the bound decrypts, one
/// past it is an error (never a wrong number, never a hang), and no table exceeds MAX_BOUND.
#[test]
fn a_tally_at_and_past_the_discrete_log_bound() {
    let mut r = rng(9);
    let sk = SecretKey::generate(&mut r);
    let pk = sk.public_key();
    let table = DiscreteLogTable::new(1000).unwrap();
    let (at, _) = pk.encrypt(1000, &mut r);
    assert_eq!(sk.decrypt(&at, &table), Ok(1000));
    let (past, _) = pk.encrypt(1001, &mut r);
    assert!(matches!(
        sk.decrypt(&past, &table),
        Err(Error::DiscreteLogOutOfRange { .. })
    ));
    assert!(DiscreteLogTable::new(tabella::elgamal::MAX_BOUND + 1).is_err());
    // On the board, totals can only be what the partials decrypt to, bounded by the ballot
    // count: a result announcing a total past it (5 of 4 ballots) is refused at check 14.
    let f = fixture();
    let mut result = RoundResult::from_bytes(f.record.entries()[RESULT].body()).unwrap();
    result.totals[0] = 5;
    fails_at(
        &f.with_body(RESULT, result.to_bytes()),
        Check::Combination,
        RESULT,
    );
}

// ---------------------------------------------------------------------------------------------
// Decryption statements: one box per round, one key package

/// An election of 5 trustees (t = 3) with 60 eligible members, a floor of 3, and the trustees'
/// key packages (a dealer stands in for the ceremony: these attacks are on decryption).
struct Decrypting {
    rng: ChaCha20Rng,
    election: tabella::election::Election,
    keys: Vec<tabella::threshold::KeyPackage>,
}

impl Decrypting {
    fn new(seed: u64) -> Self {
        let mut r = rng(seed);
        let rules = ElectionRules::with_schedule(RuleSchedule::single(MajorityRule::TWO_THIRDS));
        let manifest = Manifest::new("box", 60, 60, vec!["A".into(), "B".into()], rules, 3, 5)
            .unwrap()
            .with_privacy_floor(3)
            .unwrap();
        let (keys, public) = tabella::threshold::trusted_dealer_for_tests_only(
            ThresholdParams::new(3, 5).unwrap(),
            &mut r,
        )
        .unwrap();
        let election = tabella::election::Election::new(manifest, public).unwrap();
        Decrypting {
            rng: r,
            election,
            keys,
        }
    }

    /// Genuine round-1 ballots, one per choice.
    fn ballots(&mut self, choices: &[u32]) -> Vec<EncryptedBallot> {
        let open = self.election.open_round(RoundKind::ChooseOne).unwrap();
        choices
            .iter()
            .map(|&c| {
                let selection = Selection::new(open.contest(), &[c]).unwrap();
                let id = BallotId::random(&mut self.rng);
                EncryptedBallot::encrypt(&open.context(), &selection, id, None, &mut self.rng)
                    .unwrap()
                    .0
            })
            .collect()
    }

    /// A box of round 1 holding these ballots, closed.
    fn closed_box(&self, ballots: &[EncryptedBallot]) -> tabella::election::ClosedRound {
        let mut open = self.election.open_round(RoundKind::ChooseOne).unwrap();
        assert!(open.cast_batch(ballots.to_vec()).is_empty());
        open.close()
    }
}

/// The review's overlapping-boxes attack: a coordinator holding only genuine ballots opens two
/// boxes for round 1, B = {v1, v2, v3} and C = {v0, v1, v2, v3}, has both decrypted through
/// the documented API, and reads v0's vote as totals(C) − totals(B). Defence: a trustee
/// decrypts one statement per round, and the statement names the box (its close); the second
/// box is refused by every trustee, also after an export and import of its key package (the
/// log is part of it). With the defence removed (`DecryptionLog::admit` not called), C
/// decrypts and the test goes red on the first assertion below. On a board, with every key
/// in the attacker's hands: one board holds one box per round (a second close or opening of
/// round 1 fails check 6), and a fork of the board showing the trustees box C after they
/// decrypted B is refused by each trustee's log; B's partials on the fork fail check 13.
#[test]
fn overlapping_boxes_of_one_round_cannot_both_be_decrypted() {
    let mut d = Decrypting::new(60);
    // v0 (the target) votes B; the others A, A, B.
    let ballots = d.ballots(&[1, 0, 0, 1]);
    let (v0, rest) = ballots.split_first().unwrap();
    let b = d.closed_box(rest);
    let mut all = vec![v0.clone()];
    all.extend_from_slice(rest);
    let c = d.closed_box(&all);
    assert_ne!(b.tally().close(), c.tally().close());

    let mut partials_b = Vec::new();
    for key in &mut d.keys {
        partials_b.push(b.decrypt_share(&d.election, key, &mut d.rng).unwrap());
    }
    // Every trustee refuses C; trustee 1 also after a restart from its export.
    let exported = d.keys[0].export();
    d.keys[0] =
        tabella::threshold::KeyPackage::import(&exported, d.election.public_key_package().clone())
            .unwrap();
    let mut partials_c = Vec::new();
    for key in &mut d.keys {
        match c.decrypt_share(&d.election, key, &mut d.rng) {
            Ok(p) => partials_c.push(p),
            Err(e) => assert_eq!(e, Error::ConflictingDecryption { round: 1 }),
        }
    }
    assert!(
        partials_c.is_empty(),
        "a trustee decrypted a second box of round 1"
    );
    // The attacker's subtraction has nothing to subtract from.
    let mut election = d.election;
    assert!(matches!(
        election.tally_round(&c, &partials_c),
        Err(Error::NotEnoughShares { valid: 0, .. })
    ));
    // B itself decrypts (and decrypting B again is allowed: the same statement).
    let outcome = election.tally_round(&b, &partials_b).unwrap();
    assert_eq!(outcome.totals.options(), &[2, 1]);
    // A partial for B is no partial for C: its proofs name B's close.
    let tally_c = c.tally();
    let ctx_c = DecryptionContext::new(
        election.context(),
        election.public_key_package(),
        tally_c.close(),
        tally_c.ciphertexts(),
    )
    .unwrap();
    assert!(partials_b.iter().all(|p| p.verify(&ctx_c).is_err()));

    // On the board, with every key. One board has one box per round: a second close of round
    // 1, a second opening of round 1 while it is closed, and an opening of round 1 again
    // after its result, each signed again by the administrator, are each refused at check 6,
    // at the entry (and the same entries re-posted by the operator are replays: check 2).
    let mut f = fixture();
    for (entry, at) in [
        (CLOSE, CLOSE + 1),
        (OPEN, CLOSE + 1),
        (OPEN, PARTIAL + 1),
        (OPEN, RESULT + 1),
    ] {
        let mut entries = f.entries();
        let copy = entries[entry].clone();
        entries.insert(at, copy);
        fails_at(&f.rechain(entries.clone()), Check::Authorship, at);
        let body = entries[at].body().to_vec();
        f.set_body(&mut entries, at, body);
        fails_at(&f.rechain(entries), Check::Sequence, at);
    }
    // Two boards: the operator shows the trustees, who decrypted the board's box B, a fork
    // whose round-1 box C is B without the target's ballot (the target's vote is
    // totals(B) − totals(C)), closed and signed by the administrator. Every trustee refuses
    // to decrypt C: its decryption log holds B's statement for round 1.
    let mut fork = f.entries()[..CLOSE].to_vec();
    fork.remove(BALLOT);
    let (c, head) = replay_of(&fork);
    let close_c = c.open_round().unwrap().ballot_box().close();
    fork.push(f.admin_entry(EntryKind::RoundClose, close_c.to_bytes(), head));
    let (c, head) = replay_of(&fork);
    let mut trustees = core::mem::take(&mut f.trustees);
    for t in &mut trustees {
        assert_eq!(
            t.decrypt(&c, head, &mut rng(64)),
            Err(Error::ConflictingDecryption { round: 1 })
        );
    }
    // And B's partials posted on the fork (signed again by their trustees) are for B's
    // close: check 13 at the first, naming trustee 1.
    let mut forked = fork;
    forked.extend(f.record.entries()[PARTIAL..].iter().cloned());
    let first = forked.len() - 4;
    let failure = fails_at(&f.rechain(forked), Check::PartialDecryptions, first);
    assert_eq!(failure.culprits(), vec![Culprit::Trustee(1)]);
}

/// The review's forged-package combination: a corrupted trustee j builds a public key package
/// with the real joint key Y but its own Y_j' = x'·G (for t ≥ 2 the other shares follow by
/// interpolation, so the package is consistent), makes a partial with x' that verifies
/// against that package, and offers it with genuine ones. Before v3 the statement digest
/// covered Y but not the verification shares, so `combine` accepted the mix and produced a
/// wrong M. Defence: the statement binds the whole package; `combine` refuses the forged
/// partial (`WrongStatement`). With the package dropped from the transcript prefix, the
/// combination succeeds with a wrong total and the test goes red.
#[test]
fn a_partial_verified_against_a_forged_key_package_is_never_combined() {
    let mut r = rng(61);
    let params = ThresholdParams::new(2, 3).unwrap();
    let (keys, public) = tabella::threshold::trusted_dealer_for_tests_only(params, &mut r).unwrap();
    let y = *public.joint_key().as_point().element();
    // Trustee 1's forged share x', and the line through (0, Y) and (1, x'·G).
    let x_forged = random_scalar(&mut r);
    let y1 = RistrettoPoint::mul_base(&x_forged);
    let forged_shares: Vec<(TrusteeIndex, Point)> = params
        .indices()
        .map(|j| (j, Point::from(y + (y1 - y) * Scalar::from(j.get()))))
        .collect();
    let forged = tabella::threshold::PublicKeyPackage::new(
        params,
        public.joint_key().clone(),
        forged_shares,
    )
    .unwrap();
    assert_eq!(forged.joint_key(), public.joint_key());
    // The attacker's own key package for the forged package (its export format is public).
    let mut export =
        tabella::encoding::header::header(tabella::domain::ObjectKind::KeyShare).to_vec();
    export.extend_from_slice(&forged.fingerprint());
    export.extend_from_slice(&1u32.to_le_bytes());
    export.extend_from_slice(x_forged.as_bytes());
    export.extend_from_slice(&0u32.to_le_bytes());
    let forged_key = tabella::threshold::KeyPackage::import(&export, forged.clone()).unwrap();

    let election = ElectionContext::new([61; 32]);
    let tally = [public.joint_key().encrypt(3, &mut r).0];
    let close = tabella::board::BoxClose::new(1, tabella::board::ConfirmationCode([1; 32]), 3, 0);
    let genuine = DecryptionContext::new(&election, &public, &close, &tally).unwrap();
    let against_forged = DecryptionContext::new(&election, &forged, &close, &tally).unwrap();
    let p1 = forged_key
        .partial_decrypt_for_tests_only(&against_forged, &mut r)
        .unwrap()
        .verify(&against_forged)
        .unwrap();
    let p2 = keys[1]
        .partial_decrypt_for_tests_only(&genuine, &mut r)
        .unwrap()
        .verify(&genuine)
        .unwrap();
    assert_eq!(
        tabella::threshold::combine(&genuine, &[p1, p2.clone()]),
        Err(Error::PartialDecryptionRejected {
            trustee: 1,
            check: tabella::error::DecryptionCheck::WrongStatement
        })
    );
    // The genuine pair still decrypts.
    let p3 = keys[2]
        .partial_decrypt_for_tests_only(&genuine, &mut r)
        .unwrap()
        .verify(&genuine)
        .unwrap();
    let table = DiscreteLogTable::new(3).unwrap();
    assert_eq!(
        tabella::threshold::decrypt(&genuine, &[p2, p3], &table),
        Ok(vec![3])
    );

    // On the board: the administrator (every key in hand) announces keys with such a package
    // for the fixture's ceremony (its real Y, a forged Y_1 and the shares through them) and
    // the fingerprint that package gives. The keys are not the ceremony's outcome: check 5 at
    // the keys entry.
    let f = fixture();
    let keys = Keys::from_bytes(f.record.entries()[KEYS].body()).unwrap();
    let real = &keys.public;
    let y = *real.joint_key().as_point().element();
    let y1 = RistrettoPoint::mul_base(&random_scalar(&mut r));
    let shares: Vec<(TrusteeIndex, Point)> = real
        .params()
        .indices()
        .map(|j| (j, Point::from(y + (y1 - y) * Scalar::from(j.get()))))
        .collect();
    let forged =
        tabella::threshold::PublicKeyPackage::new(real.params(), real.joint_key().clone(), shares)
            .unwrap();
    assert_eq!(forged.joint_key(), real.joint_key());
    let manifest = Manifest::from_bytes(f.record.entries()[0].body()).unwrap();
    let fingerprint = *tabella::election::Election::new(manifest, forged.clone())
        .unwrap()
        .context()
        .fingerprint();
    let body = Keys {
        public: forged,
        fingerprint,
    }
    .to_bytes();
    let failure = fails_at(&f.with_body(KEYS, body), Check::Ceremony, KEYS);
    assert_eq!(
        failure.error,
        Error::InvalidValue {
            what: "public key package",
            reason: "the announced value differs from its recomputation"
        }
    );
}

/// A forged partial posted under a trustee's index before its genuine one: the screening
/// checks each partial before it decides duplicates, so the forgery is rejected and the
/// genuine partial is kept (before v3 the forgery took the trustee's slot and the genuine
/// partial was rejected as a duplicate). On the board, the forgery (signed with the trustee's
/// key by an operator holding it) is refused at check 13 with the trustee named, and the
/// genuine partial is then accepted.
#[test]
fn a_forged_partial_placed_first_does_not_shadow_the_genuine_one() {
    let f = fixture();
    let (replay, _) = replay_of(&f.record.entries()[..=CLOSE]);
    let election = replay.election().unwrap();
    let (closed, close, _) = replay.closed_round().unwrap();
    let tally = closed.tally();
    let ctx = DecryptionContext::new(
        election.context(),
        election.public_key_package(),
        close,
        tally.ciphertexts(),
    )
    .unwrap();
    let forged = bad_partial(&f); // claims trustee 2
    let partials = vec![forged.clone(), f.partial(PARTIAL + 1), f.partial(PARTIAL)];
    let screening = PartialDecryption::verify_batch(&ctx, &partials);
    let kept: Vec<u32> = screening
        .verified
        .iter()
        .map(|v| v.trustee().get())
        .collect();
    assert_eq!(kept, vec![2, 1]);
    assert_eq!(screening.accepted, vec![1, 2]);
    assert_eq!(screening.rejected.len(), 1);
    assert!(matches!(
        screening.rejected[0].1,
        Error::PartialDecryptionRejected { trustee: 2, .. }
    ));

    // The board: the forgery posted first is refused, nothing is appended, and every genuine
    // partial and the result go on after it.
    let mut board =
        tabella::election::BoardElection::open(tabella::board::MemoryStore::new()).unwrap();
    for e in &f.record.entries()[..=CLOSE] {
        board.post(e.clone()).unwrap();
    }
    let body = forged.to_bytes().unwrap();
    let forged_entry = f.trustee_entry(2, EntryKind::PartialDecryption, body, board.head());
    match board.post(forged_entry.clone()) {
        Err(Error::EntryRefused(failure)) => {
            assert_eq!(
                (failure.check, failure.entry),
                (Check::PartialDecryptions, Some(PARTIAL as u64))
            );
            assert_eq!(failure.culprits(), vec![Culprit::Trustee(2)]);
        }
        other => panic!("the forged partial was not refused: {other:?}"),
    }
    assert_eq!(board.len(), PARTIAL as u64);
    for e in &f.record.entries()[PARTIAL..] {
        board.post(e.clone()).unwrap();
    }
    assert_eq!(board.record().unwrap(), f.record);
    // A board that holds the forgery first fails check 13 at it.
    let mut entries = f.entries();
    entries.insert(PARTIAL, forged_entry);
    let failure = fails_at(&f.rechain(entries), Check::PartialDecryptions, PARTIAL);
    assert_eq!(failure.culprits(), vec![Culprit::Trustee(2)]);
}

/// A box below the privacy floor decrypted by trustees who bypass the library's refusal (the
/// raw test-only partial decryption), and put on a board as a forger holding every key would:
/// a box of one cast ballot (and the challenged one), its close, the three partials and the
/// result recomputed from them, all signed, so that every other check passes. The trustees'
/// own `decrypt` refuses the box; the verifier refuses the board at check 12, at the first
/// partial. With that check removed the board verifies and the test goes red.
#[test]
fn a_board_of_a_box_below_the_privacy_floor_decrypted_fails_check_12() {
    let mut f = fixture();
    let floor = Manifest::from_bytes(f.record.entries()[0].body())
        .unwrap()
        .privacy_floor();
    assert!(floor >= 2);
    let below = floor as usize - 1;
    let mut entries = f.record.entries()[..=OPEN].to_vec();
    entries.extend(f.record.entries()[OPEN + 1..=OPEN + below].iter().cloned());
    entries.push(f.record.entries()[CHALLENGED].clone());
    let (open, head) = replay_of(&entries);
    let close = open.open_round().unwrap().ballot_box().close();
    assert_eq!(close.cast(), floor - 1);
    entries.push(f.admin_entry(EntryKind::RoundClose, close.to_bytes(), head));
    let (closed, mut read) = replay_of(&entries);
    let mut r = rng(62);
    let mut trustees = core::mem::take(&mut f.trustees);
    for t in &mut trustees {
        assert_eq!(
            t.decrypt(&closed, read, &mut r),
            Err(Error::BelowPrivacyFloor {
                ballots: floor - 1,
                floor
            })
        );
    }
    let election = closed.election().unwrap();
    let (round, close, _) = closed.closed_round().unwrap();
    let tally = round.tally();
    let ctx = DecryptionContext::new(
        election.context(),
        election.public_key_package(),
        close,
        tally.ciphertexts(),
    )
    .unwrap();
    let first_partial = entries.len();
    let mut partials = Vec::new();
    for t in &trustees {
        let p = t
            .key_package()
            .unwrap()
            .partial_decrypt_for_tests_only(&ctx, &mut r)
            .unwrap();
        let e = f.trustee_entry(
            t.index().get(),
            EntryKind::PartialDecryption,
            p.to_bytes().unwrap(),
            read,
        );
        read = read.next(&e.to_bytes());
        entries.push(e);
        partials.push(p);
    }
    let outcome = election.clone().tally_round(round, &partials).unwrap();
    let result = RoundResult {
        round: 1,
        combined: outcome.decryption.used.iter().map(|t| t.get()).collect(),
        totals: outcome.totals.slots(),
        decision: tabella::election::event::Decision::of(&outcome.decision),
    };
    entries.push(f.admin_entry(EntryKind::Result, result.to_bytes(), read));
    let failure = fails_at(
        &BoardRecord::new(entries),
        Check::PrivacyFloor,
        first_partial,
    );
    assert_eq!(
        failure.error,
        Error::BelowPrivacyFloor {
            ballots: floor - 1,
            floor
        }
    );
}
