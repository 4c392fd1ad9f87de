//! Statement-mutation suite.
//!
//! For every proof (Schnorr, DLEQ, membership over {0, 1}, membership over a range, and the
//! whole ballot), each public input is changed one at a time: the generator, the keys, each
//! ciphertext half, each commitment, challenge and response of the encoding, the election
//! fingerprint, the domain label, the set, and for ballots the round, the contest, the ballot
//! id, the credential and its signature (in an election with a roll: every ballot is signed,
//! and the signature, checked first, is what a change breaks first). Every change must make
//! the proof fail
//!
//! * alone (`verify`), with the exact error, and
//! * inside a batch of valid proofs (`verify_batched` + `BatchVerifier::verify`), where the
//!   batch must name exactly the changed item.
//!
//! The tables are data: one row per public input, one harness per proof family. The first
//! step of every harness is the control (all unchanged proofs verify, alone and batched), so a
//! row can only pass because its change was caught.

#[path = "support/hand.rs"]
mod hand;

use std::fmt::Debug;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use rand_chacha::ChaCha20Rng;
use rand_core::RngCore;
use std::sync::Arc;
use tabella::ballot::{BallotContext, BallotId, ContestSpec, EncryptedBallot, Layout, Selection};
use tabella::credential::{CredentialSecret, Eligibility, PublicCredential, Roll, SecondBallot};
use tabella::domain::label;
use tabella::elgamal::{Ciphertext, PublicKey, SecretKey};
use tabella::error::{BallotPart, Error, ProofKind};
use tabella::group::{Point, hash_to_group};
use tabella::proofs::{
    BatchVerifier, DleqProof, DleqStatement, MembershipProof, MembershipStatement, SchnorrProof,
    SchnorrStatement,
};
use tabella::transcript::{ElectionContext, TranscriptExt};

use hand::{Field, G, random_point, random_scalar};

/// Proofs per batch: the changed one and eight valid ones.
const BATCH: usize = 9;

/// The election every valid proof is made for.
const ELECTION: ElectionContext = ElectionContext::new([0x5a; 32]);

/// Another election (one bit of the fingerprint differs).
fn other_election(e: &ElectionContext) -> ElectionContext {
    let mut fingerprint = *e.fingerprint();
    fingerprint[0] ^= 1;
    ElectionContext::new(fingerprint)
}

/// A generator other than G, with unknown logarithm to base G.
fn other_generator() -> RistrettoPoint {
    hash_to_group(b"tabella tests: a generator that is not G")
}

fn point_plus_g(p: &Point) -> Point {
    Point::from(p.element() + G)
}

// ---------------------------------------------------------------------------------------------
// The harness
// ---------------------------------------------------------------------------------------------

/// How a changed proof must fail.
#[derive(Clone, Debug)]
enum Expect {
    /// Its equations fail: `verify` returns this error and a batch names the item.
    Rejected(Error),
    /// Its shape does not fit the statement: `verify` and `verify_batched` both return this
    /// error at once, before any equation.
    Refused(Error),
}

/// A change to a valid case.
type Apply<C> = Box<dyn Fn(&mut C, &mut ChaCha20Rng)>;

/// One row of a mutation table: a change to one public input of a valid case.
struct Mutation<C, E> {
    name: String,
    /// The case to change; by default the rows take turns over the batch positions.
    target: Option<usize>,
    apply: Apply<C>,
    expect: E,
}

fn row<C, E>(
    name: impl Into<String>,
    expect: E,
    apply: impl Fn(&mut C, &mut ChaCha20Rng) + 'static,
) -> Mutation<C, E> {
    Mutation {
        name: name.into(),
        target: None,
        apply: Box::new(apply),
        expect,
    }
}

fn schnorr_row(
    name: impl Into<String>,
    expect: Expect,
    apply: impl Fn(&mut SchnorrCase, &mut ChaCha20Rng) + 'static,
) -> Mutation<SchnorrCase, Expect> {
    row(name, expect, apply)
}

fn dleq_row(
    name: impl Into<String>,
    expect: Expect,
    apply: impl Fn(&mut DleqCase, &mut ChaCha20Rng) + 'static,
) -> Mutation<DleqCase, Expect> {
    row(name, expect, apply)
}

fn membership_row(
    name: impl Into<String>,
    expect: Expect,
    apply: impl Fn(&mut MembershipCase, &mut ChaCha20Rng) + 'static,
) -> Mutation<MembershipCase, Expect> {
    row(name, expect, apply)
}

fn ballot_row(
    name: impl Into<String>,
    expect: BallotExpect,
    apply: impl Fn(&mut BallotCase, &mut ChaCha20Rng) + 'static,
) -> Mutation<BallotCase, BallotExpect> {
    row(name, expect, apply)
}

/// One row per point, challenge and response of an encoding: each replaced by another
/// canonical value (P + G, s + 1).
fn encoding_rows<C: 'static, E: Clone>(
    layout: Vec<Field>,
    expect: impl Fn(&Field) -> E,
    bytes: fn(&mut C) -> &mut Vec<u8>,
) -> Vec<Mutation<C, E>> {
    layout
        .into_iter()
        .map(|f| {
            let e = expect(&f);
            row(format!("encoding: {} changed", f.name), e, move |c, _| {
                hand::tweak(bytes(c), &f)
            })
        })
        .collect()
}

/// A proof together with its statement, as a verifier receives it.
trait Case: Clone + PartialEq + Debug {
    fn verify(&self) -> Result<(), Error>;
    fn verify_batched(&self, batch: &mut BatchVerifier) -> Result<(), Error>;
}

fn batch_of<C: Case>(cases: &[C], rng: &mut ChaCha20Rng) -> BatchVerifier {
    let mut batch = BatchVerifier::with_rng(rng);
    for (i, c) in cases.iter().enumerate() {
        batch.begin_item();
        assert_eq!(c.verify_batched(&mut batch), Ok(()), "item {i} refused");
    }
    batch
}

/// Runs every row against a batch of valid cases.
fn run<C: Case>(valid: &[C], rows: &[Mutation<C, Expect>], seed: u64) {
    assert!(valid.len() >= BATCH);
    let mut rng = hand::rng(seed);
    // Control: unchanged, every case verifies alone and the batch passes.
    for (i, c) in valid.iter().enumerate() {
        assert_eq!(c.verify(), Ok(()), "control: case {i} alone");
    }
    assert_eq!(batch_of(valid, &mut rng).verify(), Ok(()), "control: batch");

    for (n, m) in rows.iter().enumerate() {
        let target = m.target.unwrap_or(n % valid.len());
        let mut cases = valid.to_vec();
        (m.apply)(&mut cases[target], &mut rng);
        assert_ne!(cases[target], valid[target], "{}: changed nothing", m.name);
        match &m.expect {
            Expect::Rejected(e) => {
                assert_eq!(cases[target].verify(), Err(e.clone()), "{}: alone", m.name);
                assert_eq!(
                    batch_of(&cases, &mut rng).verify(),
                    Err(Error::BatchRejected {
                        items: vec![target]
                    }),
                    "{}: in a batch at position {target}",
                    m.name
                );
            }
            Expect::Refused(e) => {
                assert_eq!(cases[target].verify(), Err(e.clone()), "{}: alone", m.name);
                let mut batch = BatchVerifier::with_rng(&mut rng);
                for (i, c) in cases.iter().enumerate() {
                    batch.begin_item();
                    let expected = if i == target { Err(e.clone()) } else { Ok(()) };
                    assert_eq!(
                        c.verify_batched(&mut batch),
                        expected,
                        "{}: item {i}",
                        m.name
                    );
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Schnorr
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
struct SchnorrCase {
    election: ElectionContext,
    domain: &'static [u8],
    public: Point,
    proof: Vec<u8>,
}

impl SchnorrCase {
    fn new(rng: &mut ChaCha20Rng) -> Self {
        let sk = SecretKey::generate(rng);
        let public = sk.public_key().as_point().clone();
        let statement = SchnorrStatement { public: &public };
        let proof = SchnorrProof::prove(
            &mut ELECTION.transcript(label::CEREMONY_COMM_KEY),
            &statement,
            &sk,
            rng,
        );
        SchnorrCase {
            election: ELECTION,
            domain: label::CEREMONY_COMM_KEY,
            public,
            proof: proof.to_bytes().to_vec(),
        }
    }

    fn proof(&self) -> SchnorrProof {
        SchnorrProof::from_bytes(&self.proof).expect("mutations keep the encoding canonical")
    }
}

impl Case for SchnorrCase {
    fn verify(&self) -> Result<(), Error> {
        let statement = SchnorrStatement {
            public: &self.public,
        };
        self.proof()
            .verify(&mut self.election.transcript(self.domain), &statement)
    }

    fn verify_batched(&self, batch: &mut BatchVerifier) -> Result<(), Error> {
        let statement = SchnorrStatement {
            public: &self.public,
        };
        self.proof().verify_batched(
            &mut self.election.transcript(self.domain),
            &statement,
            batch,
        );
        Ok(())
    }
}

fn schnorr_rows() -> Vec<Mutation<SchnorrCase, Expect>> {
    let rejected = Expect::Rejected(Error::ProofRejected {
        proof: ProofKind::Schnorr,
    });
    let mut rows = vec![
        schnorr_row(
            "generator: an honest proof of X = x·H, H ≠ G",
            rejected.clone(),
            |c: &mut SchnorrCase, rng: &mut ChaCha20Rng| {
                let x = random_scalar(rng);
                let t = &mut c.election.transcript(c.domain);
                let (public, proof) = hand::schnorr_over(t, &other_generator(), &x, &[], rng);
                c.public = public;
                c.proof = proof.to_vec();
            },
        ),
        schnorr_row("public key X: another key", rejected.clone(), |c, rng| {
            c.public = Point::from(G * random_scalar(rng));
        }),
        schnorr_row("public key X: X + G", rejected.clone(), |c, _| {
            c.public = point_plus_g(&c.public);
        }),
        schnorr_row("election fingerprint", rejected.clone(), |c, _| {
            c.election = other_election(&c.election);
        }),
        schnorr_row("domain label", rejected.clone(), |c, _| {
            c.domain = label::CEREMONY_COEFFICIENT;
        }),
    ];
    rows.extend(encoding_rows(
        hand::schnorr_layout(),
        |_| rejected.clone(),
        |c: &mut SchnorrCase| &mut c.proof,
    ));
    rows
}

// Every public input of a Schnorr proof is bound: changing any one fails it, alone and batched.
#[test]
fn schnorr_rejects_every_statement_mutation() {
    let mut rng = hand::rng(1);
    let valid: Vec<SchnorrCase> = (0..BATCH).map(|_| SchnorrCase::new(&mut rng)).collect();
    run(&valid, &schnorr_rows(), 101);
}

// ---------------------------------------------------------------------------------------------
// DLEQ
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
struct DleqCase {
    election: ElectionContext,
    domain: &'static [u8],
    base: Point,
    left: Point,
    right: Point,
    proof: Vec<u8>,
}

impl DleqCase {
    fn new(rng: &mut ChaCha20Rng) -> Self {
        let sk = SecretKey::generate(rng);
        let x: Scalar = Option::from(Scalar::from_canonical_bytes(*sk.to_bytes())).unwrap();
        let base = Point::from(random_point(rng));
        let left = sk.public_key().as_point().clone();
        let right = Point::from(base.element() * x);
        let statement = DleqStatement {
            base: &base,
            left: &left,
            right: &right,
        };
        let proof = DleqProof::prove(
            &mut ELECTION.transcript(label::PARTIAL_DECRYPTION),
            &statement,
            &sk,
            rng,
        );
        DleqCase {
            election: ELECTION,
            domain: label::PARTIAL_DECRYPTION,
            base,
            left,
            right,
            proof: proof.to_bytes().to_vec(),
        }
    }

    fn proof(&self) -> DleqProof {
        DleqProof::from_bytes(&self.proof).expect("mutations keep the encoding canonical")
    }

    fn statement(&self) -> DleqStatement<'_> {
        DleqStatement {
            base: &self.base,
            left: &self.left,
            right: &self.right,
        }
    }
}

impl Case for DleqCase {
    fn verify(&self) -> Result<(), Error> {
        self.proof().verify(
            &mut self.election.transcript(self.domain),
            &self.statement(),
        )
    }

    fn verify_batched(&self, batch: &mut BatchVerifier) -> Result<(), Error> {
        self.proof().verify_batched(
            &mut self.election.transcript(self.domain),
            &self.statement(),
            batch,
        );
        Ok(())
    }
}

fn dleq_rows() -> Vec<Mutation<DleqCase, Expect>> {
    let rejected = Expect::Rejected(Error::ProofRejected {
        proof: ProofKind::Dleq,
    });
    let mut rows = vec![
        dleq_row(
            "generator: an honest proof of Y = x·H', D = x·H, H' ≠ G",
            rejected.clone(),
            |c: &mut DleqCase, rng: &mut ChaCha20Rng| {
                let x = random_scalar(rng);
                let t = &mut c.election.transcript(c.domain);
                let (left, right, proof) =
                    hand::dleq_over(t, &other_generator(), &c.base, &x, &[], rng);
                c.left = left;
                c.right = right;
                c.proof = proof.to_vec();
            },
        ),
        dleq_row("base H: H + G", rejected.clone(), |c, _| {
            c.base = point_plus_g(&c.base);
        }),
        dleq_row("base H: another point", rejected.clone(), |c, rng| {
            c.base = Point::from(random_point(rng));
        }),
        dleq_row("public key Y: Y + G", rejected.clone(), |c, _| {
            c.left = point_plus_g(&c.left);
        }),
        dleq_row("public key Y: another key", rejected.clone(), |c, rng| {
            c.left = Point::from(G * random_scalar(rng));
        }),
        dleq_row("second point D: D + G", rejected.clone(), |c, _| {
            c.right = point_plus_g(&c.right);
        }),
        dleq_row(
            "second point D: another point",
            rejected.clone(),
            |c, rng| {
                c.right = Point::from(random_point(rng));
            },
        ),
        dleq_row("Y and D swapped", rejected.clone(), |c, _| {
            core::mem::swap(&mut c.left, &mut c.right);
        }),
        dleq_row("election fingerprint", rejected.clone(), |c, _| {
            c.election = other_election(&c.election);
        }),
        dleq_row("domain label", rejected.clone(), |c, _| {
            c.domain = label::CEREMONY_COMPLAINT;
        }),
    ];
    rows.extend(encoding_rows(
        hand::dleq_layout(),
        |_| rejected.clone(),
        |c: &mut DleqCase| &mut c.proof,
    ));
    rows
}

// Every public input of a DLEQ proof (G, H, Y, D, context, R₁, R₂, s) is bound.
#[test]
fn dleq_rejects_every_statement_mutation() {
    let mut rng = hand::rng(2);
    let valid: Vec<DleqCase> = (0..BATCH).map(|_| DleqCase::new(&mut rng)).collect();
    run(&valid, &dleq_rows(), 102);
}

// ---------------------------------------------------------------------------------------------
// Membership
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
struct MembershipCase {
    election: ElectionContext,
    domain: &'static [u8],
    key: PublicKey,
    ciphertext: Ciphertext,
    set: Vec<u64>,
    /// The number of branches the encoding is decoded with (as a ballot header carries it).
    branches: usize,
    proof: Vec<u8>,
}

impl MembershipCase {
    /// A proof that an encryption of `set[index]` is in `set`.
    fn new(key: &PublicKey, set: &[u64], index: usize, rng: &mut ChaCha20Rng) -> Self {
        let (ciphertext, nonce) = key.encrypt(set[index], rng);
        let statement = MembershipStatement {
            key,
            ciphertext: &ciphertext,
            set,
        };
        let proof = MembershipProof::prove(
            &mut ELECTION.transcript(label::BALLOT),
            &statement,
            set[index],
            &nonce,
            rng,
        )
        .unwrap();
        MembershipCase {
            election: ELECTION,
            domain: label::BALLOT,
            key: key.clone(),
            ciphertext,
            set: set.to_vec(),
            branches: set.len(),
            proof: proof.to_bytes(),
        }
    }

    fn proof(&self) -> MembershipProof {
        MembershipProof::from_bytes(&self.proof, self.branches)
            .expect("mutations keep the encoding canonical")
    }

    fn statement(&self) -> MembershipStatement<'_> {
        MembershipStatement {
            key: &self.key,
            ciphertext: &self.ciphertext,
            set: &self.set,
        }
    }
}

impl Case for MembershipCase {
    fn verify(&self) -> Result<(), Error> {
        self.proof().verify(
            &mut self.election.transcript(self.domain),
            &self.statement(),
        )
    }

    fn verify_batched(&self, batch: &mut BatchVerifier) -> Result<(), Error> {
        self.proof().verify_batched(
            &mut self.election.transcript(self.domain),
            &self.statement(),
            batch,
        )
    }
}

/// The rows for a membership proof over `set`; `same_size` are other sets of the same size
/// (the proof parses but must fail), `other_size` sets of another size (refused at once).
fn membership_rows(
    set: &[u64],
    same_size: &[&[u64]],
    other_size: &[&[u64]],
) -> Vec<Mutation<MembershipCase, Expect>> {
    let rejected = Expect::Rejected(Error::ProofRejected {
        proof: ProofKind::Membership,
    });
    let k = set.len();
    let set_owned = set.to_vec();
    let mut rows = vec![
        membership_row(
            "generator: an honest proof for (r·H, m·H + r·Y), H ≠ G",
            rejected.clone(),
            move |c: &mut MembershipCase, rng: &mut ChaCha20Rng| {
                let r = random_scalar(rng);
                let index = (rng.next_u32() as usize) % set_owned.len();
                let t = &mut c.election.transcript(c.domain);
                let (ct, proof) = hand::membership_over(
                    t,
                    &other_generator(),
                    &c.key,
                    &set_owned,
                    index,
                    &r,
                    &[],
                    rng,
                );
                c.ciphertext = ct;
                c.proof = proof;
            },
        ),
        membership_row("public key Y: another key", rejected.clone(), |c, rng| {
            c.key = SecretKey::generate(rng).public_key();
        }),
        membership_row("public key Y: Y + G", rejected.clone(), |c, _| {
            c.key = PublicKey::from_point(point_plus_g(c.key.as_point())).unwrap();
        }),
        membership_row("ciphertext alpha: alpha + G", rejected.clone(), |c, _| {
            c.ciphertext = Ciphertext::from_elements(
                c.ciphertext.alpha().element() + G,
                *c.ciphertext.beta().element(),
            );
        }),
        membership_row("ciphertext beta: beta + G", rejected.clone(), |c, _| {
            c.ciphertext = Ciphertext::from_elements(
                *c.ciphertext.alpha().element(),
                c.ciphertext.beta().element() + G,
            );
        }),
        membership_row(
            "ciphertext: another encryption",
            rejected.clone(),
            |c, rng| {
                c.ciphertext = c.key.encrypt(c.set[0], rng).0;
            },
        ),
        membership_row("election fingerprint", rejected.clone(), |c, _| {
            c.election = other_election(&c.election);
        }),
        membership_row("domain label", rejected.clone(), |c, _| {
            c.domain = label::BALLOT_OPTION;
        }),
        membership_row(
            "set with a repeated value",
            Expect::Refused(Error::InvalidValue {
                what: "membership set",
                reason: "values must be distinct",
            }),
            move |c, _| c.set = vec![1; k],
        ),
        membership_row(
            "empty set",
            Expect::Refused(Error::InvalidValue {
                what: "membership set",
                reason: "must hold between 1 and 1024 values",
            }),
            |c, _| c.set = Vec::new(),
        ),
    ];
    for other in same_size {
        let other = other.to_vec();
        rows.push(membership_row(
            format!("set {set:?} -> {other:?}"),
            rejected.clone(),
            move |c, _| c.set = other.clone(),
        ));
    }
    for other in other_size {
        let other = other.to_vec();
        let expect = Expect::Refused(Error::LengthMismatch {
            what: "membership proof branches",
            expected: other.len(),
            actual: k,
        });
        rows.push(membership_row(
            format!("set {set:?} -> {other:?}"),
            expect,
            move |c, _| c.set = other.clone(),
        ));
    }
    rows.extend(encoding_rows(
        hand::membership_layout(k, 0, ""),
        |_| rejected.clone(),
        |c: &mut MembershipCase| &mut c.proof,
    ));
    rows
}

// The 0/1 proof of a ballot option binds G, Y, α, β, the set {0,1}, the context and every
// commitment, challenge and response.
#[test]
fn membership_zero_one_rejects_every_statement_mutation() {
    let mut rng = hand::rng(3);
    let key = SecretKey::generate(&mut rng).public_key();
    let set = [0, 1];
    let valid: Vec<MembershipCase> = (0..BATCH)
        .map(|i| MembershipCase::new(&key, &set, i % 2, &mut rng))
        .collect();
    let rows = membership_rows(
        &set,
        &[&[0, 2], &[1, 0], &[1, 2]],
        &[&[0], &[1], &[0, 1, 2]],
    );
    run(&valid, &rows, 103);
}

// The range proof (selection count) binds its range: 0..=2 is not 1..=3, 1..=2 or 0..=3.
#[test]
fn membership_range_rejects_every_statement_mutation() {
    let mut rng = hand::rng(4);
    let key = SecretKey::generate(&mut rng).public_key();
    let set = [0, 1, 2];
    let valid: Vec<MembershipCase> = (0..BATCH)
        .map(|i| MembershipCase::new(&key, &set, i % 3, &mut rng))
        .collect();
    let rows = membership_rows(
        &set,
        &[&[1, 2, 3], &[0, 1, 3], &[2, 1, 0]],
        &[&[1, 2], &[0, 1], &[0, 1, 2, 3]],
    );
    run(&valid, &rows, 104);
}

// The hand-built provers over another generator are faithful: over G they make proofs that
// verify, so the generator rows above fail only because of the generator.
#[test]
fn hand_provers_over_g_verify() {
    let mut rng = hand::rng(5);
    let x = random_scalar(&mut rng);
    let t = &mut ELECTION.transcript(label::SCHNORR);
    let (public, bytes) = hand::schnorr_over(t, &G, &x, &[], &mut rng);
    let statement = SchnorrStatement { public: &public };
    let proof = SchnorrProof::from_bytes(&bytes).unwrap();
    assert_eq!(
        proof.verify(&mut ELECTION.transcript(label::SCHNORR), &statement),
        Ok(())
    );

    let base = Point::from(random_point(&mut rng));
    let t = &mut ELECTION.transcript(label::DLEQ);
    let (left, right, bytes) = hand::dleq_over(t, &G, &base, &x, &[], &mut rng);
    let statement = DleqStatement {
        base: &base,
        left: &left,
        right: &right,
    };
    let proof = DleqProof::from_bytes(&bytes).unwrap();
    assert_eq!(
        proof.verify(&mut ELECTION.transcript(label::DLEQ), &statement),
        Ok(())
    );

    let key = SecretKey::generate(&mut rng).public_key();
    for set in [&[0u64, 1][..], &[3, 5, 7, 9]] {
        for index in 0..set.len() {
            let r = random_scalar(&mut rng);
            let t = &mut ELECTION.transcript(label::MEMBERSHIP);
            let (ciphertext, bytes) =
                hand::membership_over(t, &G, &key, set, index, &r, &[], &mut rng);
            let statement = MembershipStatement {
                key: &key,
                ciphertext: &ciphertext,
                set,
            };
            let proof = MembershipProof::from_bytes(&bytes, set.len()).unwrap();
            assert_eq!(
                proof.verify(&mut ELECTION.transcript(label::MEMBERSHIP), &statement),
                Ok(())
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Batch weights
// ---------------------------------------------------------------------------------------------

/// A copy of `proof` (an encoded Schnorr proof) with `delta` added to s.
fn shift_response(proof: &[u8], delta: Scalar) -> Vec<u8> {
    let mut out = proof.to_vec();
    let s: Scalar = Option::from(Scalar::from_canonical_bytes(hand::read32(proof, 32))).unwrap();
    out[32..].copy_from_slice((s + delta).as_bytes());
    out
}

// Errors that cancel in an unweighted sum (s + 1 in one proof, s − 1 in another) are caught:
// across items, both items are named; inside one item, per-equation weights catch them too.
#[test]
fn batch_weights_stop_cancelling_errors() {
    let mut rng = hand::rng(6);
    let mut cases: Vec<SchnorrCase> = (0..BATCH).map(|_| SchnorrCase::new(&mut rng)).collect();
    cases[2].proof = shift_response(&cases[2].proof, Scalar::ONE);
    cases[7].proof = shift_response(&cases[7].proof, -Scalar::ONE);
    // Unweighted, the two errors cancel: (s₂+1)·G + (s₇−1)·G − … = 0.
    let naive: RistrettoPoint = cases
        .iter()
        .map(|c| {
            let p = c.proof();
            let bytes = p.to_bytes();
            let r = Point::decode("R", &bytes[..32]).unwrap();
            let s: Scalar =
                Option::from(Scalar::from_canonical_bytes(hand::read32(&bytes, 32))).unwrap();
            let mut t = c.election.transcript(c.domain);
            t.domain_sep(label::SCHNORR);
            t.append_point(b"G", &Point::generator());
            t.append_point(b"X", &c.public);
            t.append_point(b"R", &r);
            let ch = t.challenge(b"c");
            G * s - r.element() - c.public.element() * ch
        })
        .sum();
    assert_eq!(
        naive,
        RistrettoPoint::identity(),
        "the errors cancel unweighted"
    );
    assert_eq!(
        batch_of(&cases, &mut rng).verify(),
        Err(Error::BatchRejected { items: vec![2, 7] })
    );

    // The same two proofs in one item (say, one trustee's two proofs): item 2 holds proofs
    // 2 and 7, and must fail although its two errors cancel unweighted.
    let mut batch = BatchVerifier::with_rng(&mut rng);
    for i in [0, 1, 2, 7, 3, 4, 5, 6, 8] {
        if i != 7 {
            batch.begin_item();
        }
        cases[i].verify_batched(&mut batch).unwrap();
    }
    assert_eq!(batch.verify(), Err(Error::BatchRejected { items: vec![2] }));
}

// A batch with several bad items names all of them and only them, at the edges too.
#[test]
fn batch_names_every_bad_item() {
    let mut rng = hand::rng(7);
    let valid: Vec<DleqCase> = (0..16).map(|_| DleqCase::new(&mut rng)).collect();
    for bad in [
        vec![0],
        vec![15],
        vec![0, 15],
        vec![3, 4, 5],
        (0..16).collect(),
    ] {
        let mut cases = valid.clone();
        for &i in &bad {
            cases[i].right = point_plus_g(&cases[i].right);
        }
        assert_eq!(
            batch_of(&cases, &mut rng).verify(),
            Err(Error::BatchRejected { items: bad.clone() })
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Ballots
// ---------------------------------------------------------------------------------------------

/// Where a ballot is cast: without a roll, or with one (and its members' secrets).
#[derive(Clone, Debug)]
struct World {
    election: ElectionContext,
    key: PublicKey,
    round: u32,
    contest: ContestSpec,
    eligibility: Option<Eligibility>,
    members: Vec<CredentialSecret>,
}

impl World {
    fn ctx(&self) -> BallotContext<'_> {
        BallotContext {
            election: &self.election,
            key: &self.key,
            round: self.round,
            contest: &self.contest,
            eligibility: self.eligibility.as_ref(),
        }
    }

    /// The same world with a roll of `BATCH` fresh members.
    fn with_roll(&self, rng: &mut ChaCha20Rng) -> World {
        let (roll, members) = Roll::issue(BATCH, rng).unwrap();
        World {
            eligibility: Some(Eligibility {
                roll: Arc::new(roll),
                second_ballot: SecondBallot::Refused,
            }),
            members,
            ..self.clone()
        }
    }

    /// The secret of a member of the roll.
    fn secret_of(&self, credential: &PublicCredential) -> &CredentialSecret {
        self.members
            .iter()
            .find(|m| m.public() == *credential)
            .expect("a member")
    }

    /// What a change to a ballot's context or contents breaks first: its signature with a
    /// roll, its first ciphertext proof without.
    fn first(&self) -> BallotExpect {
        BallotExpect::Rejected(match (&self.eligibility, self.contest.layout()) {
            (Some(_), _) => BallotPart::Signature,
            (None, Layout::PackedOneOfMany { .. }) => BallotPart::Choice,
            (None, Layout::Packed { .. }) => BallotPart::Count,
            (None, Layout::PerOption) => BallotPart::Option(0),
        })
    }

    /// A fresh ballot for `chosen` (or an abstention when `None`).
    fn ballot(
        &self,
        chosen: Option<&[u32]>,
        id: BallotId,
        credential: Option<&CredentialSecret>,
        rng: &mut ChaCha20Rng,
    ) -> Vec<u8> {
        let selection = match chosen {
            Some(c) => Selection::new(&self.contest, c).unwrap(),
            None => Selection::abstain(&self.contest).unwrap(),
        };
        EncryptedBallot::encrypt(&self.ctx(), &selection, id, credential, rng)
            .unwrap()
            .0
            .to_bytes()
    }
}

/// How a changed ballot must fail.
#[derive(Clone, Copy, Debug)]
enum BallotExpect {
    /// A proof fails: this one first.
    Rejected(BallotPart),
    /// The ballot does not have the contest's shape.
    Malformed,
    /// A credential in an election without a roll.
    Unexpected,
    /// No credential in an election with a roll.
    Missing,
    /// A credential that is not on the roll.
    NotOnRoll,
}

impl BallotExpect {
    fn error(self, ballot: &EncryptedBallot) -> Error {
        let id = *ballot.id();
        match self {
            BallotExpect::Rejected(part) => Error::BallotRejected { ballot: id, part },
            BallotExpect::Malformed => Error::BallotMalformed {
                ballot: id,
                reason: "its shape does not match the contest",
            },
            BallotExpect::Unexpected => Error::UnexpectedCredential { ballot: id },
            BallotExpect::Missing => Error::CredentialMissing { ballot: id },
            BallotExpect::NotOnRoll => Error::CredentialNotOnRoll {
                ballot: id,
                credential: *ballot.credential().expect("a credential"),
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
struct BallotCase {
    bytes: Vec<u8>,
}

impl BallotCase {
    fn decode(&self) -> EncryptedBallot {
        EncryptedBallot::from_bytes(&self.bytes).expect("mutations keep the encoding canonical")
    }
}

/// The base contest: 3 options, 1 or 2 selections, explicit abstention (4 ciphertexts, a
/// count proof over {1, 2}).
fn base_world(rng: &mut ChaCha20Rng) -> World {
    World {
        election: ELECTION,
        key: SecretKey::generate(rng).public_key(),
        round: 1,
        contest: ContestSpec::new(0, 3, 1, 2, true).unwrap(),
        eligibility: None,
        members: Vec::new(),
    }
}

/// Rows that present a ballot made for `other` (same id, same credential, signed by its
/// member) to a verifier for the base world.
fn made_for(name: &str, other: World, expect: BallotExpect) -> Mutation<BallotCase, BallotExpect> {
    ballot_row(
        format!("made for another {name}"),
        expect,
        move |c: &mut BallotCase, rng: &mut ChaCha20Rng| {
            let old = c.decode();
            let secret = old.credential().map(|p| other.secret_of(p).clone());
            c.bytes = other.ballot(Some(&[0]), *old.id(), secret.as_ref(), rng);
        },
    )
}

/// Sets the credential of an encoded ballot (flag and bytes) and its signature (`R ‖ s`, or
/// none), changing nothing else.
fn set_credential(c: &mut BallotCase, credential: Option<&PublicCredential>, signature: &[u8]) {
    let h = hand::ballot_header(&c.bytes);
    let start = tabella::encoding::header::HEADER_LEN + if h.credential { 65 } else { 33 };
    let rest = c.bytes[start..h.signature.unwrap_or(c.bytes.len())].to_vec();
    let mut out = c.bytes[..tabella::encoding::header::HEADER_LEN + 32].to_vec();
    match credential {
        Some(cred) => {
            out.push(1);
            out.extend_from_slice(&cred.0);
        }
        None => out.push(0),
    }
    out.extend_from_slice(&rest);
    out.extend_from_slice(signature);
    c.bytes = out;
}

/// The signature `R ‖ s` of an encoded ballot (empty without a credential).
fn signature_of(bytes: &[u8]) -> Vec<u8> {
    let h = hand::ballot_header(bytes);
    bytes[h.signature.unwrap_or(bytes.len())..].to_vec()
}

fn ballot_rows(world: &World, sample: &[u8]) -> Vec<BallotMutation> {
    use BallotExpect::{Malformed, Rejected};
    let first = world.first();
    let mut other_key = world.clone();
    other_key.key = SecretKey::generate(&mut hand::rng(99)).public_key();
    let contest = |index, options, min, max, abstention| World {
        contest: ContestSpec::new(index, options, min, max, abstention).unwrap(),
        ..world.clone()
    };
    let mut rows = common_rows(world, sample, first);
    rows.extend([
        // The signature does not bind the key; the proofs do.
        made_for("public key", other_key, Rejected(BallotPart::Option(0))),
        made_for("contest index", contest(1, 3, 1, 2, true), first),
        // Same width and count branches: only the transcript tells them apart.
        made_for("contest range (0..=1)", contest(0, 3, 0, 1, true), first),
        made_for(
            "contest shape (4 options, no abstention)",
            contest(0, 4, 1, 2, false),
            first,
        ),
        // Another shape: refused before any proof.
        made_for(
            "contest width (4 options + abstention)",
            contest(0, 4, 1, 2, true),
            Malformed,
        ),
        made_for(
            "contest range (0..=2)",
            contest(0, 3, 0, 2, true),
            Malformed,
        ),
        ballot_row(
            "options 0 and 1 swapped (with their proofs)",
            first,
            |c, _| {
                let h = hand::ballot_header(&c.bytes);
                let b = &mut c.bytes;
                let (c0, c1) = (h.ciphertexts, h.ciphertexts + 64);
                let first: Vec<u8> = b[c0..c0 + 64].to_vec();
                b.copy_within(c1..c1 + 64, c0);
                b[c1..c1 + 64].copy_from_slice(&first);
                let (p0, p1) = (h.option_proof(0), h.option_proof(1));
                let first: Vec<u8> = b[p0..p0 + hand::OPTION_PROOF_LEN].to_vec();
                b.copy_within(p1..p1 + hand::OPTION_PROOF_LEN, p0);
                b[p1..p1 + hand::OPTION_PROOF_LEN].copy_from_slice(&first);
            },
        ),
    ]);
    rows
}

/// The rows every ballot layout shares: another election or round, the ballot id, the
/// credential added, removed or changed, and every point, challenge and response of the
/// encoding (the signature's too, with a roll).
fn common_rows(world: &World, sample: &[u8], first: BallotExpect) -> Vec<BallotMutation> {
    let mut rows = vec![
        made_for(
            "election fingerprint",
            World {
                election: other_election(&world.election),
                ..world.clone()
            },
            first,
        ),
        made_for(
            "round",
            World {
                round: 2,
                ..world.clone()
            },
            first,
        ),
        ballot_row("ballot id", first, |c, _| c.bytes[5] ^= 0x40),
    ];
    match &world.eligibility {
        None => {
            // A member of another election's roll signs the ballot as their own.
            let mut rng = hand::rng(98);
            let stranger = World {
                contest: world.contest.clone(),
                ..base_world(&mut rng)
            }
            .with_roll(&mut rng);
            rows.push(ballot_row(
                "credential: absent -> present (and signed)",
                BallotExpect::Unexpected,
                move |c, rng| {
                    let theirs = stranger.ballot(
                        Some(&[0]),
                        BallotId::random(rng),
                        Some(&stranger.members[0]),
                        rng,
                    );
                    let public = stranger.members[0].public();
                    set_credential(c, Some(&public), &signature_of(&theirs));
                },
            ));
        }
        Some(e) => {
            let roll: Vec<PublicCredential> = e.roll.credentials().copied().collect();
            rows.extend([
                ballot_row(
                    "credential: present -> absent (signature dropped)",
                    BallotExpect::Missing,
                    |c, _| set_credential(c, None, &[]),
                ),
                ballot_row(
                    "credential: present -> another member's",
                    first,
                    move |c, _| {
                        let old = *c.decode().credential().unwrap();
                        let other = roll.iter().find(|r| **r != old).unwrap();
                        let signature = signature_of(&c.bytes);
                        set_credential(c, Some(other), &signature)
                    },
                ),
                ballot_row(
                    "credential: present -> one not on the roll",
                    BallotExpect::NotOnRoll,
                    |c, _| {
                        let mut cred = *c.decode().credential().unwrap();
                        cred.0[31] ^= 1;
                        let signature = signature_of(&c.bytes);
                        set_credential(c, Some(&cred), &signature)
                    },
                ),
            ]);
        }
    }
    for (n, f) in hand::ballot_layout(sample).into_iter().enumerate() {
        let expect = BallotExpect::Rejected(f.part.unwrap());
        rows.push(ballot_row(
            format!("encoding: {} changed", f.name),
            expect,
            move |c: &mut BallotCase, _: &mut ChaCha20Rng| {
                let layout = hand::ballot_layout(&c.bytes);
                hand::tweak(&mut c.bytes, &layout[n]);
            },
        ));
    }
    rows
}

// Every public input of a ballot is bound: context (election, key, round, contest), id,
// credential, each ciphertext half, each proof field; alone and in a batch of valid ballots.
#[test]
fn ballot_rejects_every_statement_mutation() {
    let mut rng = hand::rng(8);
    ballot_statement_mutations(base_world(&mut rng), &mut rng);
}

// The same with a roll: every ballot carries a credential and a signature, which binds the
// context and every byte before it.
#[test]
fn signed_ballot_rejects_every_statement_mutation() {
    let mut rng = hand::rng(11);
    let world = base_world(&mut rng).with_roll(&mut rng);
    ballot_statement_mutations(world, &mut rng);
}

fn ballot_statement_mutations(world: World, rng: &mut ChaCha20Rng) {
    let votes: [Option<&[u32]>; BATCH] = [
        Some(&[0]),
        Some(&[1]),
        Some(&[2]),
        Some(&[0, 1]),
        Some(&[1, 2]),
        None,
        Some(&[0, 2]),
        Some(&[2]),
        None,
    ];
    run_ballot_rows(&world, &votes, ballot_rows, 50, rng);
}

// The same for a packed contest in two chunks (docs/SPEC.md §6.3): the capacity, and with it
// the base and the chunk, is bound like every other contest field.
#[test]
fn packed_ballot_rejects_every_statement_mutation() {
    let mut rng = hand::rng(10);
    let world = World {
        contest: packed(0, 1000),
        ..base_world(&mut rng)
    };
    packed_statement_mutations(world, &mut rng);
}

// The same for a signed packed ballot, in an election with a roll.
#[test]
fn signed_packed_ballot_rejects_every_statement_mutation() {
    let mut rng = hand::rng(12);
    let world = World {
        contest: packed(0, 1000),
        ..base_world(&mut rng)
    }
    .with_roll(&mut rng);
    packed_statement_mutations(world, &mut rng);
}

fn packed_statement_mutations(world: World, rng: &mut ChaCha20Rng) {
    assert_eq!(world.contest.width(), 2, "two chunks");
    let votes: [Option<&[u32]>; BATCH] = [
        Some(&[0]),
        Some(&[5]),
        Some(&[3]),
        None,
        Some(&[4]),
        Some(&[1]),
        Some(&[2]),
        None,
        Some(&[5]),
    ];
    run_ballot_rows(&world, &votes, packed_rows, 20, rng);
}

/// Choose one of six with abstention, for a box of `capacity`.
fn packed(index: u32, capacity: u64) -> ContestSpec {
    ContestSpec::choose_one(index, 6, true)
        .unwrap()
        .with_capacity(capacity)
}

fn packed_rows(world: &World, sample: &[u8]) -> Vec<BallotMutation> {
    use BallotExpect::Malformed;
    let first = world.first();
    let with = |contest| World {
        contest,
        ..world.clone()
    };
    let mut rows = common_rows(world, sample, first);
    rows.extend([
        made_for("contest index", with(packed(1, 1000)), first),
        // B = 1000 still puts four slots in a chunk: the same shape, another transcript.
        made_for("capacity (999)", with(packed(0, 999)), first),
        // B = 201 puts five slots in a chunk: still two chunks and seven statements (layout 2
        // has one proof of radix 7 either way), so the same shape under another transcript.
        made_for("capacity (200)", with(packed(0, 200)), first),
        // One chunk of seven slots (capacity 1: B = 2): another shape.
        made_for("capacity (1)", with(packed(0, 1)), Malformed),
        made_for(
            "capacity (none: per option)",
            with(ContestSpec::choose_one(0, 6, true).unwrap()),
            Malformed,
        ),
    ]);
    rows
}

/// A row of the ballot mutation suite.
type BallotMutation = Mutation<BallotCase, BallotExpect>;

/// Casts one valid ballot per vote (with a roll, ballot i signed by member i), then applies
/// each row to one of them: it must fail as the row expects, alone and in a batch of the valid
/// others.
fn run_ballot_rows(
    world: &World,
    votes: &[Option<&[u32]>; BATCH],
    rows_for: fn(&World, &[u8]) -> Vec<BallotMutation>,
    min_rows: usize,
    rng: &mut ChaCha20Rng,
) {
    let valid: Vec<BallotCase> = votes
        .iter()
        .enumerate()
        .map(|(i, vote)| BallotCase {
            bytes: world.ballot(*vote, BallotId::random(rng), world.members.get(i), rng),
        })
        .collect();
    let ctx = world.ctx();
    let ids: Vec<BallotId> = valid.iter().map(|c| *c.decode().id()).collect();
    // Control.
    for c in &valid {
        c.decode().verify(&ctx).unwrap();
    }
    let outcome = EncryptedBallot::verify_batch(valid.iter().map(|c| c.decode()).collect(), &ctx);
    assert!(outcome.rejected.is_empty());
    assert_eq!(outcome.accepted.len(), BATCH);

    let rows = rows_for(world, &valid[0].bytes);
    assert!(rows.len() > min_rows, "{} rows", rows.len());
    for (n, m) in rows.iter().enumerate() {
        let target = m.target.unwrap_or(n % BATCH);
        let mut cases = valid.clone();
        (m.apply)(&mut cases[target], rng);
        assert_ne!(cases[target], valid[target], "{}: changed nothing", m.name);
        let id = *cases[target].decode().id();
        let expected = m.expect.error(&cases[target].decode());
        assert_eq!(
            cases[target].decode().verify(&ctx).map(|_| ()),
            Err(expected.clone()),
            "{}: alone",
            m.name
        );
        let outcome =
            EncryptedBallot::verify_batch(cases.iter().map(|c| c.decode()).collect(), &ctx);
        assert_eq!(
            outcome.rejected,
            vec![(id, expected)],
            "{}: batched",
            m.name
        );
        let accepted: Vec<BallotId> = outcome.accepted.iter().map(|v| *v.id()).collect();
        let mut others = ids.clone();
        others.remove(target);
        assert_eq!(accepted, others, "{}: batched, accepted", m.name);
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 192,
        rng_seed: RngSeed::Fixed(0x7ab3_11a0),
        ..ProptestConfig::default()
    })]

    // Any single-byte change of a valid ballot (header, id, credential, ciphertexts, proofs,
    // signature) either fails to decode or fails to verify.
    #[test]
    fn any_byte_change_of_a_ballot_is_rejected(
        which in 0usize..2,
        at in any::<prop::sample::Index>(),
        xor in 1u8..=255,
    ) {
        let (world, bytes) = &BALLOTS[which];
        let mut bytes = bytes.clone();
        let at = at.index(bytes.len());
        bytes[at] ^= xor;
        let verdict = EncryptedBallot::from_bytes(&bytes).and_then(|b| b.verify(&world.ctx()));
        prop_assert!(verdict.is_err(), "byte {} ^ {:#04x} accepted", at, xor);
    }
}

/// Two valid ballots for the byte-change property: one without a credential (no roll), one
/// signed with a credential on its election's roll; each with the world that accepts it.
static BALLOTS: std::sync::LazyLock<Vec<(World, Vec<u8>)>> = std::sync::LazyLock::new(|| {
    let mut rng = hand::rng(9);
    let world = base_world(&mut rng);
    let a = world.ballot(Some(&[1]), BallotId::random(&mut rng), None, &mut rng);
    let signed = world.with_roll(&mut rng);
    let b = signed.ballot(
        Some(&[0, 2]),
        BallotId::random(&mut rng),
        Some(&signed.members[0]),
        &mut rng,
    );
    for (w, bytes) in [(&world, &a), (&signed, &b)] {
        EncryptedBallot::from_bytes(bytes)
            .and_then(|b| b.verify(&w.ctx()))
            .expect("the control verifies");
    }
    vec![(world, a), (signed, b)]
});
