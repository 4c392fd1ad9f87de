//! Entry points for the fuzz targets and their stable replay; not a stable API.
//!
//! Each `pub fn <target>(data: &[u8])` here is the whole logic of the cargo-fuzz target of the
//! same name in `fuzz/fuzz_targets/`, which only forwards its input. Keeping the logic in the
//! library lets `tests/fuzz_replay.rs` replay the committed corpora with stable `cargo test`.
//!
//! A target returns normally on every input, whatever the library answers (`Ok` or `Err`).
//! It panics only when an invariant fails:
//!
//! * **canonical round trip**: if decoding succeeds, encoding gives the same bytes (and every
//!   point re-compressed from its group element gives its wire bytes again);
//! * **soundness**: a ballot or proof that the fuzzer derived from honest ones is accepted only
//!   if it is byte for byte one of the honest ones, verified in the context it was made for;
//! * **completeness**: an honest ballot or proof is accepted;
//! * **batch = single**: batch verification accepts exactly the ballots that single
//!   verification accepts, and rejects the others with the same error;
//! * **rules = reference**: the closed forms of the rules engine agree with the naive
//!   definitions in [`crate::rules::reference`].
//!
//! The honest ballots and proofs ("fixtures") are made once per process from fixed seeds by an
//! insecure deterministic RNG ([`seed_corpus`] writes them out as the seed corpora).
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]
// Panics are the fuzz oracle: a target panics exactly when an invariant is violated, and the
// fixtures panic only if honest code fails, which is itself a bug to report.

use std::sync::LazyLock;

use curve25519_dalek::scalar::Scalar;
use merlin::{Transcript, TranscriptRng};
use rand_core::{CryptoRng, RngCore};

use crate::ballot::{
    BallotContext, BallotId, ChallengedBallot, ContestSpec, EncryptedBallot, Selection,
    VerifiedBallot,
};
use crate::board::MemoryStore;
use crate::credential::{CredentialSecret, Eligibility, PublicCredential, Roll, SecondBallot};
use crate::domain::label;
use crate::election::board::simulate_ceremony;
use crate::election::replay::Replay;
use crate::election::{Administrator, Authorities, BoardElection, CredentialAuthority, Trustee};
use crate::election::{Manifest, RoundKind};
use crate::elgamal::{Ciphertext, Nonce, PublicKey, SecretKey};
use crate::encoding::{from_hex, to_hex};
use crate::error::Error;
use crate::group::{Point, Reader, decode_scalar as group_decode_scalar, hash_to_group};
use crate::proofs::{
    DleqProof, DleqStatement, MembershipProof, MembershipStatement, OneHot, OneOfManyProof,
    OneOfManyStatement, Radix, SchnorrProof, SchnorrStatement,
};
use crate::record::BoardRecord;
use crate::rules::{
    Base, Comparison, ElectionRules, Fraction, MajorityRule, Quorum, RuleSchedule, reference,
};
use crate::threshold::TrusteeIndex;
use crate::threshold::dkg::{self, CeremonyRound, round1, round2, round3};
use crate::threshold::{KeyPackage, PartialDecryption, PublicKeyPackage};
use crate::transcript::ElectionContext;

/// A target's entry point.
pub type Target = fn(&[u8]);

/// Every target, by name, with its entry point (the name is the fuzz target's and the corpus
/// directory's).
pub const TARGETS: &[(&str, Target)] = &[
    ("decode_point", decode_point),
    ("decode_scalar", decode_scalar),
    ("decode_public_key", decode_public_key),
    ("decode_ciphertext", decode_ciphertext),
    ("decode_schnorr", decode_schnorr),
    ("decode_dleq", decode_dleq),
    ("decode_membership", decode_membership),
    ("decode_one_of_many", decode_one_of_many),
    ("decode_ballot", decode_ballot),
    ("decode_hex", decode_hex),
    ("verify_ballot", verify_ballot),
    ("mutate_ballot", mutate_ballot),
    ("batch_vs_single", batch_vs_single),
    ("rules_reference", rules_reference),
    ("decode_manifest", decode_manifest),
    ("decode_round1", decode_round1),
    ("decode_round2", decode_round2),
    ("decode_round3", decode_round3),
    ("decode_public_key_package", decode_public_key_package),
    ("decode_partial_decryption", decode_partial_decryption),
    ("decode_challenged_ballot", decode_challenged_ballot),
    ("decode_record_binary", decode_record_binary),
    ("verify_record", verify_record),
    ("mutate_record", mutate_record),
    ("decode_ballot_stream", decode_ballot_stream),
    ("decode_key_share", decode_key_share),
    ("decode_ceremony_board", decode_ceremony_board),
    ("decode_board_entry", decode_board_entry),
    ("decode_sealed", decode_sealed),
    ("decode_trustee_state", decode_trustee_state),
    ("decode_roll", decode_roll),
    ("decode_credential_code", decode_credential_code),
];

/// Targets whose logic lives here but which need a parser the library does not depend on:
/// `decode_record_json` takes a [`JsonCodec`] (`serde_json`'s in the fuzz crate and in the
/// replay test), so it is not in [`TARGETS`].
pub const EXTERNAL_TARGETS: &[&str] = &["decode_record_json"];

// ---------------------------------------------------------------------------------------------
// Deterministic, INSECURE randomness for the fixtures.

/// An "RNG" that returns zeros. It claims `CryptoRng` only so that merlin's transcript RNG can be
/// finalized with it; the output of [`fuzz_rng`] is then a function of its seed alone.
/// INSECURE: fuzzing fixtures only, never for real ballots or keys.
struct Zeros;

impl RngCore for Zeros {
    fn next_u32(&mut self) -> u32 {
        0
    }
    fn next_u64(&mut self) -> u64 {
        0
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        dest.fill(0);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        dest.fill(0);
        Ok(())
    }
}

impl CryptoRng for Zeros {}

/// A deterministic RNG keyed by `seed` (merlin's transcript RNG with no outside randomness).
/// INSECURE: anyone who knows the seed knows every output. Fuzzing fixtures only; the label is
/// not a protocol domain, so it is not in [`crate::domain::label`].
fn fuzz_rng(seed: &[u8]) -> TranscriptRng {
    let mut t = Transcript::new(b"tabella.fuzzing.insecure-deterministic-rng");
    t.append_message(b"seed", seed);
    t.build_rng().finalize(&mut Zeros)
}

// ---------------------------------------------------------------------------------------------
// Fixtures: a fixed election, key, contests, and honest ballots and proofs.

/// One contest shape and honest ballots for it, by their canonical encodings, and one
/// honest challenged ballot.
struct Shape {
    contest: ContestSpec,
    ballots: Vec<Vec<u8>>,
    challenged: Vec<u8>,
}

struct Fixtures {
    election: ElectionContext,
    other_election: ElectionContext,
    key: PublicKey,
    other_key: PublicKey,
    shapes: Vec<Shape>,
    /// The roll of the fixture ballots' credentials (a second ballot refused), and a roll
    /// that holds none of them.
    eligibility: Eligibility,
    other_eligibility: Eligibility,
    /// Schnorr proof of knowledge of the election secret key, in `election`.
    schnorr: Vec<u8>,
    /// DLEQ statement (H, Y, D) and its proof, in `election`.
    dleq: (Point, Point, Point, Vec<u8>),
    /// For k = 1..=16 (at index k − 1): a ciphertext of a member of {0, …, k−1} and its proof.
    membership: Vec<(Ciphertext, Vec<u64>, Vec<u8>)>,
    /// One-out-of-many statements (ciphertexts, one-hot vectors) and an honest proof each, for
    /// one digit and two.
    one_of_many: Vec<(Vec<Ciphertext>, Vec<OneHot>, Vec<u8>)>,
}

/// The round the fixture ballots are cast in.
const ROUND: u32 = 1;

/// The largest k of the `decode_membership` target.
const MEMBERSHIP_MAX_K: usize = 16;

static FIXTURES: LazyLock<Fixtures> = LazyLock::new(Fixtures::build);

impl Fixtures {
    fn build() -> Self {
        let election = ElectionContext::new([0x7a; 32]);
        let other_election = ElectionContext::new([0x7b; 32]);
        let secret = SecretKey::generate(&mut fuzz_rng(b"election secret key"));
        let key = secret.public_key();
        let other_key = SecretKey::generate(&mut fuzz_rng(b"other secret key")).public_key();

        // Per option, then packed: one ciphertext (council-sized), two chunks and ten chunks
        // (one-out-of-many proofs of one and two digits).
        let contests = [
            ContestSpec::choose_one(0, 2, false),
            ContestSpec::choose_one(1, 3, true),
            ContestSpec::new(2, 3, 0, 2, false),
            ContestSpec::new(3, 4, 1, 3, true),
            ContestSpec::choose_one(4, 2, true).map(|c| c.with_capacity(171)),
            ContestSpec::new(5, 6, 0, 1, true).map(|c| c.with_capacity(1000)),
            // Layout 2 with two digits: ten chunks, radix 5.
            ContestSpec::choose_one(6, 20, false).map(|c| c.with_capacity(1_000_000)),
        ];
        // Four members on the roll; three sign the fixture ballots of each shape.
        let credentials: Vec<CredentialSecret> = (0..4u8)
            .map(|i| CredentialSecret::generate(&mut fuzz_rng(&[b'c', b'r', i])))
            .collect();
        let roll = |secrets: &[CredentialSecret]| Eligibility {
            roll: std::sync::Arc::new(
                Roll::new(secrets.iter().map(CredentialSecret::public)).expect("fixture roll"),
            ),
            second_ballot: SecondBallot::Refused,
        };
        let eligibility = roll(&credentials);
        let others: Vec<CredentialSecret> = (0..4u8)
            .map(|i| CredentialSecret::generate(&mut fuzz_rng(&[b'c', b'o', i])))
            .collect();
        let other_eligibility = roll(&others);
        let mut shapes = Vec::new();
        for (s, contest) in contests.into_iter().enumerate() {
            let contest = contest.expect("fixture contest");
            let ctx = BallotContext {
                election: &election,
                key: &key,
                round: ROUND,
                contest: &contest,
                eligibility: Some(&eligibility),
            };
            // Three honest ballots per shape, each signed by its own member: two votes and
            // (when the contest offers it) an abstention.
            let max = contest.max();
            let options = contest.options();
            let votes: [Vec<u32>; 3] = [
                (0..max).collect(),
                (options - contest.min()..options).collect(),
                vec![options - 1],
            ];
            let mut ballots = Vec::new();
            for (i, chosen) in votes.iter().enumerate() {
                let mut rng = fuzz_rng(&[b's', s as u8, b'b', i as u8]);
                let selection = if i == 2 && contest.has_abstention() {
                    Selection::abstain(&contest)
                } else {
                    Selection::new(&contest, chosen)
                }
                .expect("fixture selection");
                let credential = credentials.get(i);
                let id = BallotId::random(&mut rng);
                let (ballot, _) =
                    EncryptedBallot::encrypt(&ctx, &selection, id, credential, &mut rng)
                        .expect("fixture ballot");
                ballots.push(ballot.to_bytes());
            }
            let mut rng = fuzz_rng(&[b's', s as u8, b'c']);
            let selection = Selection::new(&contest, &[0]).expect("fixture selection");
            let id = BallotId::random(&mut rng);
            let (ballot, nonces) =
                EncryptedBallot::encrypt(&ctx, &selection, id, credentials.get(3), &mut rng)
                    .expect("fixture ballot");
            let challenged = ChallengedBallot::open(ballot, selection, nonces).to_bytes();
            shapes.push(Shape {
                contest,
                ballots,
                challenged,
            });
        }

        let mut rng = fuzz_rng(b"proofs");
        let schnorr = SchnorrProof::prove(
            &mut election.transcript(label::CEREMONY_COMM_KEY),
            &SchnorrStatement {
                public: key.as_point(),
            },
            &secret,
            &mut rng,
        )
        .to_bytes()
        .to_vec();

        let h = Point::from(hash_to_group(b"tabella.fuzzing.dleq-base"));
        let y = key.as_point().clone();
        let d = Point::from(h.element() * secret.as_scalar());
        let dleq_proof = DleqProof::prove(
            &mut election.transcript(label::PARTIAL_DECRYPTION),
            &DleqStatement {
                base: &h,
                left: &y,
                right: &d,
            },
            &secret,
            &mut rng,
        )
        .to_bytes()
        .to_vec();

        let mut membership = Vec::new();
        for k in 1..=MEMBERSHIP_MAX_K as u64 {
            let set: Vec<u64> = (0..k).collect();
            let value = k / 2;
            let (ciphertext, nonce) = key.encrypt(value, &mut rng);
            let proof = MembershipProof::prove(
                &mut election.transcript(label::BALLOT),
                &MembershipStatement {
                    key: &key,
                    ciphertext: &ciphertext,
                    set: &set,
                },
                value,
                &nonce,
                &mut rng,
            )
            .expect("fixture membership proof");
            membership.push((ciphertext, set, proof.to_bytes()));
        }

        // Slots packed two to a chunk (base 1001), with and without the blank: 5 and 9
        // statements (radix 5, one digit; radix 3, two digits), and 21 (radix 5, two digits).
        let mut one_of_many = Vec::new();
        for (slots, blank) in [(5usize, false), (8, true), (20, true)] {
            let statements: Vec<OneHot> = (0..slots)
                .map(|slot| OneHot {
                    at: slot / 2,
                    value: if slot % 2 == 0 { 1 } else { 1001 },
                })
                .chain(blank.then_some(OneHot { at: 0, value: 0 }))
                .collect();
            let chosen = statements.len() / 2;
            let target = statements.get(chosen).copied().expect("a statement");
            let (ciphertexts, nonces): (Vec<Ciphertext>, Vec<Nonce>) = (0..slots.div_ceil(2))
                .map(|nu| key.encrypt(if nu == target.at { target.value } else { 0 }, &mut rng))
                .unzip();
            let proof = OneOfManyProof::prove(
                &mut election.transcript(label::BALLOT),
                &OneOfManyStatement {
                    key: &key,
                    ciphertexts: &ciphertexts,
                    statements: &statements,
                },
                chosen,
                &nonces,
                &mut rng,
            )
            .expect("fixture one-of-many proof");
            one_of_many.push((ciphertexts, statements, proof.to_bytes()));
        }

        Fixtures {
            election,
            other_election,
            key,
            other_key,
            shapes,
            eligibility,
            other_eligibility,
            schnorr,
            dleq: (h, y, d, dleq_proof),
            membership,
            one_of_many,
        }
    }

    /// The shape picked by `selector`.
    fn shape(&self, selector: u8) -> &Shape {
        let i = usize::from(selector) % self.shapes.len();
        self.shapes.get(i).expect("shape index is reduced")
    }
}

/// Where a ballot is verified: the honest context, or one changed in one field ("twisted").
struct Place {
    election: ElectionContext,
    key: PublicKey,
    round: u32,
    contest: ContestSpec,
    eligibility: Option<Eligibility>,
    /// Whether this differs from the context the honest ballots were made for.
    twisted: bool,
}

impl Place {
    /// `twist % 10`: 0–3 the honest context; 4 the next round; 5 another election; 6 another
    /// key; 7 another contest index with the same options and range; 8 no roll; 9 a roll
    /// without the fixture credentials.
    fn new(fixtures: &Fixtures, shape: &Shape, twist: u8) -> Self {
        let c = &shape.contest;
        let mut place = Place {
            election: fixtures.election,
            key: fixtures.key.clone(),
            round: ROUND,
            contest: c.clone(),
            eligibility: Some(fixtures.eligibility.clone()),
            twisted: twist % 10 >= 4,
        };
        match twist % 10 {
            8 => place.eligibility = None,
            9 => place.eligibility = Some(fixtures.other_eligibility.clone()),
            4 => place.round = ROUND + 1,
            5 => place.election = fixtures.other_election,
            6 => place.key = fixtures.other_key.clone(),
            7 => {
                let other = ContestSpec::new(
                    c.index() + 100,
                    c.options(),
                    c.min(),
                    c.max(),
                    c.has_abstention(),
                )
                .expect("same shape, other index");
                place.contest = match c.capacity() {
                    Some(capacity) => other.with_capacity(capacity),
                    None => other,
                };
            }
            _ => {}
        }
        place
    }

    fn context(&self) -> BallotContext<'_> {
        BallotContext {
            election: &self.election,
            key: &self.key,
            round: self.round,
            contest: &self.contest,
            eligibility: self.eligibility.as_ref(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading the fuzzer's input and mutating encodings with it.

/// A cursor over the fuzzer's bytes that reads zeros once they run out.
struct Input<'a>(&'a [u8]);

impl<'a> Input<'a> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((first, rest)) => {
                self.0 = rest;
                *first
            }
            None => 0,
        }
    }

    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }

    fn u64(&mut self) -> u64 {
        let mut bytes = [0u8; 8];
        for b in &mut bytes {
            *b = self.u8();
        }
        u64::from_le_bytes(bytes)
    }

    fn take(&mut self, n: usize) -> &'a [u8] {
        let (head, tail) = self.0.split_at(n.min(self.0.len()));
        self.0 = tail;
        head
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Applies one mutation chosen by `input` to `bytes`: flip, set, truncate, extend, insert,
/// remove, or splice in the bytes at the same offsets of a donor (another honest encoding).
fn mutate(bytes: &mut Vec<u8>, input: &mut Input<'_>, donors: &[Vec<u8>]) {
    let len = bytes.len();
    match input.u8() % 7 {
        0 => {
            let offset = usize::from(input.u16());
            let mask = input.u8().max(1);
            if let Some(b) = offset.checked_rem(len).and_then(|i| bytes.get_mut(i)) {
                *b ^= mask;
            }
        }
        1 => {
            let offset = usize::from(input.u16());
            let value = input.u8();
            if let Some(b) = offset.checked_rem(len).and_then(|i| bytes.get_mut(i)) {
                *b = value;
            }
        }
        2 => {
            let new_len = usize::from(input.u16()) % (len + 1);
            bytes.truncate(new_len);
        }
        3 => {
            let n = usize::from(input.u8() % 65).max(1);
            let tail = input.take(n);
            bytes.extend_from_slice(tail);
            bytes.resize(len + n, 0);
        }
        4 => {
            let offset = usize::from(input.u16()) % (len + 1);
            let value = input.u8();
            bytes.insert(offset, value);
        }
        5 => {
            let start = usize::from(input.u16()).min(len);
            let end = start
                .saturating_add(usize::from(input.u8()).max(1))
                .min(len);
            bytes.drain(start..end);
        }
        _ => {
            let donor = usize::from(input.u8())
                .checked_rem(donors.len())
                .and_then(|i| donors.get(i));
            let start = usize::from(input.u16());
            let n = usize::from(input.u16());
            if let Some(donor) = donor {
                for i in start..start.saturating_add(n).min(len) {
                    if let (Some(b), Some(d)) = (bytes.get_mut(i), donor.get(i)) {
                        *b = *d;
                    }
                }
            }
        }
    }
}

/// The offsets where `a` and `b` differ (the first few), and their lengths: for messages.
fn diff(a: &[u8], b: &[u8]) -> String {
    let offsets: Vec<usize> = a
        .iter()
        .zip(b)
        .enumerate()
        .filter(|(_, (x, y))| x != y)
        .map(|(i, _)| i)
        .take(16)
        .collect();
    format!(
        "differing offsets {offsets:?}, lengths {} and {}",
        a.len(),
        b.len()
    )
}

/// What [`verdict_text`] says of an accepted ballot.
const ACCEPTED: &str = "accepted";

/// A short account of a verification result for assertion messages (the whole ballot would
/// drown the message).
fn verdict_text<T>(verdict: &Result<T, Error>) -> String {
    match verdict {
        Ok(_) => ACCEPTED.to_owned(),
        Err(e) => format!("rejected ({e})"),
    }
}

/// A point freshly compressed from its group element, bypassing the cached wire bytes.
fn recompressed(point: &Point) -> [u8; 32] {
    point.element().compress().to_bytes()
}

// ---------------------------------------------------------------------------------------------
// Decoders: canonical round trips.

/// `Point::decode`: accepted bytes are exactly the canonical encodings; the identity check
/// agrees with [`Point::decode_non_identity`] and with a [`Reader`].
pub fn decode_point(data: &[u8]) {
    let decoded = Point::decode("fuzz point", data);
    if let Ok(point) = &decoded {
        assert_eq!(&point.to_bytes()[..], data, "cached encoding");
        assert_eq!(
            &recompressed(point)[..],
            data,
            "point re-encodes differently"
        );
        assert_eq!(
            Point::decode("again", &point.to_bytes()).as_ref(),
            Ok(point),
            "decode of the encoding"
        );
    }
    let non_identity = Point::decode_non_identity("fuzz point", data);
    match &decoded {
        Ok(p) if p.is_identity() => assert!(
            matches!(non_identity, Err(Error::IdentityPoint { .. })),
            "identity accepted by decode_non_identity"
        ),
        Ok(p) => assert_eq!(non_identity.as_ref(), Ok(p)),
        Err(e) => assert_eq!(non_identity.as_ref(), Err(e)),
    }
    // A reader decodes the first 32 bytes the same way, and reports what is left.
    let mut reader = Reader::new("fuzz", data);
    let read = reader.point("fuzz point");
    match data.get(..32) {
        Some(head) => {
            assert_eq!(read.ok(), Point::decode("fuzz point", head).ok());
        }
        None => assert!(matches!(read, Err(Error::WrongLength { .. }))),
    }
}

/// `decode_scalar`, `SecretKey::from_bytes` and `Nonce::from_bytes`: canonical round trips,
/// and the keys and nonces are exactly the non-zero canonical scalars.
pub fn decode_scalar(data: &[u8]) {
    let scalar = group_decode_scalar("fuzz scalar", data);
    if let Ok(s) = &scalar {
        assert_eq!(&s.to_bytes()[..], data, "scalar re-encodes differently");
        assert!(bool::from(
            Scalar::from_canonical_bytes(s.to_bytes()).is_some()
        ));
    }
    let nonzero = scalar.as_ref().is_ok_and(|s| *s != Scalar::ZERO);
    match SecretKey::from_bytes(data) {
        Ok(sk) => {
            assert!(nonzero, "secret key accepted from a zero or invalid scalar");
            assert_eq!(
                &sk.to_bytes()[..],
                data,
                "secret key re-encodes differently"
            );
        }
        Err(_) => assert!(!nonzero, "secret key rejected from a valid scalar"),
    }
    match Nonce::from_bytes(data) {
        Ok(nonce) => {
            assert!(nonzero, "nonce accepted from a zero or invalid scalar");
            assert_eq!(&nonce.to_bytes()[..], data, "nonce re-encodes differently");
        }
        Err(_) => assert!(!nonzero, "nonce rejected from a valid scalar"),
    }
}

/// `PublicKey::from_bytes`: canonical round trip; accepted exactly for non-identity points.
pub fn decode_public_key(data: &[u8]) {
    let point = Point::decode("fuzz point", data);
    match PublicKey::from_bytes(data) {
        Ok(pk) => {
            assert_eq!(&pk.to_bytes()[..], data, "cached encoding");
            assert_eq!(
                &recompressed(pk.as_point())[..],
                data,
                "re-encodes differently"
            );
            assert!(!pk.as_point().is_identity(), "identity public key");
            assert_eq!(
                PublicKey::from_point(pk.as_point().clone()).as_ref(),
                Ok(&pk)
            );
        }
        Err(_) => assert!(
            point.is_err() || point.is_ok_and(|p| p.is_identity()),
            "public key rejected from a valid non-identity point"
        ),
    }
}

/// `Ciphertext::from_bytes`: canonical round trip, α never the identity, and
/// `Ciphertext::read` agrees on a longer input.
pub fn decode_ciphertext(data: &[u8]) {
    let decoded = Ciphertext::from_bytes(data);
    if let Ok(c) = &decoded {
        assert_eq!(&c.to_bytes()[..], data, "ciphertext re-encodes differently");
        let mut written = Vec::new();
        c.write(&mut written);
        assert_eq!(written, data);
        assert!(!c.alpha().is_identity(), "identity alpha accepted");
        assert_eq!(&recompressed(c.alpha())[..], data.get(..32).unwrap());
        assert_eq!(&recompressed(c.beta())[..], data.get(32..).unwrap());
    }
    let mut reader = Reader::new("fuzz", data);
    let read = Ciphertext::read(&mut reader);
    if let Some(head) = data.get(..64) {
        assert_eq!(read.ok(), Ciphertext::from_bytes(head).ok());
    }
}

/// `SchnorrProof::from_bytes`: canonical round trip; verified against the fixture statement, it
/// is accepted only if it is the fixture proof.
pub fn decode_schnorr(data: &[u8]) {
    let Ok(proof) = SchnorrProof::from_bytes(data) else {
        return;
    };
    assert_eq!(
        &proof.to_bytes()[..],
        data,
        "Schnorr proof re-encodes differently"
    );
    let f = &*FIXTURES;
    let statement = SchnorrStatement {
        public: f.key.as_point(),
    };
    let verdict = proof.verify(
        &mut f.election.transcript(label::CEREMONY_COMM_KEY),
        &statement,
    );
    let honest = data == f.schnorr.as_slice();
    assert_eq!(
        verdict.is_ok(),
        honest,
        "Schnorr verification: {}",
        diff(data, &f.schnorr)
    );
}

/// `DleqProof::from_bytes`: canonical round trip; verified against the fixture statement, it is
/// accepted only if it is the fixture proof.
pub fn decode_dleq(data: &[u8]) {
    let Ok(proof) = DleqProof::from_bytes(data) else {
        return;
    };
    assert_eq!(
        &proof.to_bytes()[..],
        data,
        "DLEQ proof re-encodes differently"
    );
    let f = &*FIXTURES;
    let (h, y, d, honest_bytes) = &f.dleq;
    let statement = DleqStatement {
        base: h,
        left: y,
        right: d,
    };
    let verdict = proof.verify(
        &mut f.election.transcript(label::PARTIAL_DECRYPTION),
        &statement,
    );
    let honest = data == honest_bytes.as_slice();
    assert_eq!(
        verdict.is_ok(),
        honest,
        "DLEQ verification: {}",
        diff(data, honest_bytes)
    );
}

/// `MembershipProof::from_bytes`, with k = 1 + (first byte mod 16) branches: canonical round
/// trip; verified against the fixture statement for k, it is accepted only if it is the fixture
/// proof.
pub fn decode_membership(data: &[u8]) {
    let Some((selector, rest)) = data.split_first() else {
        return;
    };
    let k = usize::from(*selector) % MEMBERSHIP_MAX_K + 1;
    let Ok(proof) = MembershipProof::from_bytes(rest, k) else {
        return;
    };
    assert_eq!(proof.branches(), k);
    assert_eq!(MembershipProof::encoded_len(k), rest.len());
    assert_eq!(
        proof.to_bytes(),
        rest,
        "membership proof re-encodes differently"
    );
    let f = &*FIXTURES;
    let (ciphertext, set, honest_bytes) = f.membership.get(k - 1).expect("k ≤ 16");
    let statement = MembershipStatement {
        key: &f.key,
        ciphertext,
        set,
    };
    let verdict = proof.verify(&mut f.election.transcript(label::BALLOT), &statement);
    let honest = rest == honest_bytes.as_slice();
    assert_eq!(
        verdict.is_ok(),
        honest,
        "membership verification (k = {k}): {}",
        diff(rest, honest_bytes)
    );
}

/// `OneOfManyProof::from_bytes` for the radix of one of the fixture statements (picked by the
/// first byte): a canonical round trip, and it verifies exactly when it is the fixture's
/// honest proof.
pub fn decode_one_of_many(data: &[u8]) {
    let Some((selector, rest)) = data.split_first() else {
        return;
    };
    let f = &*FIXTURES;
    let Some((ciphertexts, statements, honest_bytes)) = f
        .one_of_many
        .get(usize::from(*selector) % f.one_of_many.len())
    else {
        return;
    };
    let radix = Radix::for_statements(statements.len()).expect("fixture radix");
    let Ok(proof) = OneOfManyProof::from_bytes(rest, radix) else {
        return;
    };
    assert_eq!(radix.encoded_len(), rest.len());
    assert_eq!(
        proof.to_bytes(),
        rest,
        "one-of-many proof re-encodes differently"
    );
    let statement = OneOfManyStatement {
        key: &f.key,
        ciphertexts,
        statements,
    };
    let verdict = proof.verify(&mut f.election.transcript(label::BALLOT), &statement);
    let honest = rest == honest_bytes.as_slice();
    assert_eq!(
        verdict.is_ok(),
        honest,
        "one-of-many verification ({} statements): {}",
        statements.len(),
        diff(rest, honest_bytes)
    );
}

/// `EncryptedBallot::from_bytes`: canonical round trip, including every ciphertext point.
pub fn decode_ballot(data: &[u8]) {
    let Ok(ballot) = EncryptedBallot::from_bytes(data) else {
        return;
    };
    assert_eq!(ballot.to_bytes(), data, "ballot re-encodes differently");
    let mut written = Vec::new();
    ballot
        .write(&mut written)
        .expect("a decoded ballot can be written");
    assert_eq!(written, data);
    let id_at = crate::encoding::header::HEADER_LEN;
    assert_eq!(data.get(id_at..id_at + 32), Some(&ballot.id().0[..]));
    for c in ballot.ciphertexts() {
        let mut again = recompressed(c.alpha()).to_vec();
        again.extend_from_slice(&recompressed(c.beta()));
        assert_eq!(
            again,
            c.to_bytes(),
            "ciphertext point re-encodes differently"
        );
    }
}

/// `from_hex`: accepted text is exactly the lowercase hex of its bytes; and `to_hex` of the
/// raw input parses back to it.
pub fn decode_hex(data: &[u8]) {
    assert_eq!(from_hex("fuzz", &to_hex(data)).as_deref(), Ok(data));
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    if let Ok(bytes) = from_hex("fuzz", text) {
        assert_eq!(to_hex(&bytes), text, "hex re-encodes differently");
    }
}

// ---------------------------------------------------------------------------------------------
// Credentials: the roll and credential codes.

/// `Roll::from_bytes` accepts exactly the canonical rolls, judged here from the definition
/// (docs/SPEC.md §16.1): the roll header, `LE32(n)` with 1 ≤ n ≤ 65,535, then exactly n
/// canonical non-identity points in strictly increasing byte order. An accepted roll
/// re-encodes to the input, lists its credentials in that order with their points, and
/// `Roll::new` of its credentials (in any order) is the same roll.
pub fn decode_roll(data: &[u8]) {
    let decoded = Roll::from_bytes(data);
    let header = crate::encoding::header::header(crate::domain::ObjectKind::Roll);
    let expected = (|| {
        let rest = data.strip_prefix(header.as_slice())?;
        let (count, points) = rest.split_first_chunk::<4>()?;
        let n = usize::try_from(u32::from_le_bytes(*count)).ok()?;
        let sized = (1..=crate::credential::MAX_ROLL_LEN).contains(&n)
            && points.len() == n.checked_mul(32)?;
        let chunks: Vec<&[u8]> = points.chunks(32).collect();
        let increasing = chunks.windows(2).all(|w| w.first() < w.get(1));
        let valid = chunks
            .iter()
            .all(|c| Point::decode_non_identity("fuzz", c).is_ok());
        Some(sized && increasing && valid)
    })()
    .unwrap_or(false);
    assert_eq!(
        decoded.is_ok(),
        expected,
        "Roll::from_bytes: {} a roll that is {}canonical",
        verdict_text(&decoded),
        if expected { "" } else { "not " }
    );
    let Ok(roll) = decoded else {
        return;
    };
    assert_eq!(roll.to_bytes(), data, "roll re-encodes differently");
    let credentials: Vec<PublicCredential> = roll.credentials().copied().collect();
    assert_eq!(credentials.len(), roll.len());
    assert!(!roll.is_empty(), "a decoded roll is empty");
    assert!(
        credentials.windows(2).all(|w| w.first() < w.get(1)),
        "a decoded roll is not strictly increasing"
    );
    for c in &credentials {
        let point = roll
            .point_of(c)
            .expect("a listed credential is on the roll");
        assert_eq!(
            recompressed(point),
            c.0,
            "a roll point re-encodes differently"
        );
    }
    assert_eq!(Roll::new(credentials.iter().copied()).as_ref(), Ok(&roll));
    assert_eq!(
        Roll::new(credentials.iter().rev().copied()).as_ref(),
        Ok(&roll)
    );
}

/// `CredentialSecret::from_code` accepts exactly, after trimming surrounding whitespace, 72
/// lowercase hex digits of a canonical non-zero scalar `s` and its checksum (judged here from
/// docs/SPEC.md §16.2); a code that reads re-encodes (`to_code`) to the trimmed input. Never
/// panics. Non-UTF-8 input is not text and is skipped.
pub fn decode_credential_code(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let trimmed = text.trim();
    let decoded = CredentialSecret::from_code(text);
    let lowercase_hex = trimmed
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    let expected = trimmed.len() == crate::credential::CREDENTIAL_CODE_LEN
        && lowercase_hex
        && from_hex("fuzz", trimmed).is_ok_and(|bytes| {
            let (s, sum) = bytes.split_at(32);
            let digest = crate::board::hash_parts(&[label::CREDENTIAL_CODE, s]);
            let canonical = <[u8; 32]>::try_from(s)
                .is_ok_and(|s| Option::<Scalar>::from(Scalar::from_canonical_bytes(s)).is_some());
            digest.get(..4) == Some(sum) && canonical && s.iter().any(|&b| b != 0)
        });
    assert_eq!(
        decoded.is_ok(),
        expected,
        "CredentialSecret::from_code: {} a code that is {}valid",
        verdict_text(&decoded),
        if expected { "" } else { "not " }
    );
    let Ok(secret) = decoded else {
        return;
    };
    let code = secret.to_code();
    assert!(
        code.as_str() == trimmed,
        "a credential code re-encodes differently"
    );
    let again = CredentialSecret::from_code(&code).expect("a code to_code made reads");
    assert_eq!(again.public(), secret.public());
}

// ---------------------------------------------------------------------------------------------
// Ballot verification.

/// An arbitrary ballot, verified in the fixed context of the shape chosen by the first byte:
/// it must return (never panic or hang), and accept only an honest fixture ballot.
pub fn verify_ballot(data: &[u8]) {
    let Some((selector, rest)) = data.split_first() else {
        return;
    };
    let f = &*FIXTURES;
    let shape = f.shape(*selector);
    let Ok(ballot) = EncryptedBallot::from_bytes(rest) else {
        return;
    };
    assert_eq!(ballot.to_bytes(), rest, "ballot re-encodes differently");
    let place = Place::new(f, shape, 0);
    let honest = shape.ballots.iter().any(|b| b.as_slice() == rest);
    let verdict = verdict_text(&ballot.verify(&place.context()));
    assert_eq!(
        verdict == ACCEPTED,
        honest,
        "verify_ballot: {verdict} for a ballot that is {}an honest one",
        if honest { "" } else { "not " }
    );
}

/// Input: `shape, fixture, twist, mutations…`. Takes an honest ballot, applies the mutations
/// (see `mutate`), and verifies the result, possibly in a context changed in one field (the
/// round, the election, the key or the contest index).
///
/// Asserts: if the mutated bytes decode, they re-encode to themselves; and `verify` accepts
/// them exactly when they are an honest ballot and the context is the honest one. So a
/// mutated ballot that still verifies means some byte of the ballot (or some field of the
/// context) is not bound by its proofs.
pub fn mutate_ballot(data: &[u8]) {
    let mut input = Input(data);
    let f = &*FIXTURES;
    let shape = f.shape(input.u8());
    let fixture = usize::from(input.u8()) % shape.ballots.len();
    let place = Place::new(f, shape, input.u8());
    let original = shape.ballots.get(fixture).expect("index is reduced");
    let mut bytes = original.clone();
    for _ in 0..16 {
        if input.is_empty() {
            break;
        }
        mutate(&mut bytes, &mut input, &shape.ballots);
    }
    let honest = shape.ballots.contains(&bytes);
    let ballot = match EncryptedBallot::from_bytes(&bytes) {
        Ok(ballot) => ballot,
        Err(e) => {
            assert!(!honest, "an honest ballot does not decode: {e:?}");
            return;
        }
    };
    assert_eq!(ballot.to_bytes(), bytes, "ballot re-encodes differently");
    let verdict = verdict_text(&ballot.verify(&place.context()));
    let expected = honest && !place.twisted;
    assert_eq!(
        verdict == ACCEPTED,
        expected,
        "mutate_ballot: {verdict}; honest bytes: {honest}, context twisted: {}; {}",
        place.twisted,
        diff(&bytes, original)
    );
}

/// Input: `shape, twist, n, then per ballot: fixture, mutation count, mutations…`. Builds up to
/// four ballots, some mutated, and checks that `verify_batch` accepts exactly the ballots that
/// `verify` accepts, in order, and rejects the others with the error `verify` gives them.
pub fn batch_vs_single(data: &[u8]) {
    let mut input = Input(data);
    let f = &*FIXTURES;
    let shape = f.shape(input.u8());
    let place = Place::new(f, shape, input.u8());
    let ctx = place.context();
    let n = usize::from(input.u8() % 4) + 1;
    let mut ballots = Vec::with_capacity(n);
    for _ in 0..n {
        let fixture = usize::from(input.u8()) % shape.ballots.len();
        let mut bytes = shape
            .ballots
            .get(fixture)
            .expect("index is reduced")
            .clone();
        for _ in 0..input.u8() % 3 {
            mutate(&mut bytes, &mut input, &shape.ballots);
        }
        if let Ok(ballot) = EncryptedBallot::from_bytes(&bytes) {
            ballots.push(ballot);
        }
    }

    let mut single_accepted = Vec::new();
    let mut single_rejected = Vec::new();
    for ballot in &ballots {
        match ballot.clone().verify(&ctx) {
            Ok(verified) => single_accepted.push(verified),
            Err(e) => single_rejected.push((*ballot.id(), e)),
        }
    }
    let outcome = EncryptedBallot::verify_batch(ballots, &ctx);
    let ids = |v: &[VerifiedBallot]| v.iter().map(|b| *b.id()).collect::<Vec<_>>();
    assert_eq!(
        ids(&outcome.accepted),
        ids(&single_accepted),
        "batch and single verification accept different ballots"
    );
    assert!(
        outcome.accepted == single_accepted,
        "batch and single verification accept the same ids but different ballots"
    );
    assert!(outcome.accepted.iter().all(|v| v.verified_for(&ctx)));
    assert_eq!(
        outcome.rejected.len(),
        single_rejected.len(),
        "batch and single verification reject different numbers of ballots"
    );
    for rejected in &outcome.rejected {
        let i = single_rejected
            .iter()
            .position(|r| r == rejected)
            .unwrap_or_else(|| panic!("batch rejection {rejected:?} differs from single"));
        single_rejected.swap_remove(i);
    }
}

// ---------------------------------------------------------------------------------------------
// Rules against the reference.

/// A count of the magnitude class `class % 4`: tiny, 16-bit, any, or near `u64::MAX`.
fn magnitude(class: u8, raw: u64) -> u64 {
    match class % 4 {
        0 => raw % 17,
        1 => raw % 65_536,
        2 => raw,
        _ => u64::MAX - raw % 64,
    }
}

/// The largest base count for which [`reference::required`] (linear in V) is run.
const REFERENCE_SCAN_LIMIT: u64 = 4096;

/// Input: a flags byte, a fraction mode byte, then p, q, V and v as `u64`s. Checks
/// [`Fraction::new`], [`MajorityRule::new`], [`MajorityRule::required`],
/// [`MajorityRule::is_met`], [`Quorum::required`] and [`Quorum::is_met`] against their
/// definitions and [`reference`](mod@reference).
pub fn rules_reference(data: &[u8]) {
    let mut input = Input(data);
    let flags = input.u8();
    let mode = input.u8();
    let (raw_p, raw_q) = (input.u64(), input.u64());
    let (raw_base, raw_votes) = (input.u64(), input.u64());

    let comparison = if flags & 1 == 0 {
        Comparison::AtLeast
    } else {
        Comparison::MoreThan
    };
    let base = if flags & 2 == 0 {
        Base::PresentAndVoting
    } else {
        Base::Eligible
    };
    let q = magnitude(flags >> 2, raw_q);
    let p = match mode % 4 {
        0 => q,
        1 => q.saturating_sub(1),
        2 => raw_p.checked_rem(q).map_or(0, |r| r + 1),
        _ => magnitude(mode >> 2, raw_p),
    };
    let v_base = magnitude(flags >> 4, raw_base);
    let votes = magnitude(flags >> 6, raw_votes);

    let fraction = Fraction::new(p, q);
    assert_eq!(fraction.is_ok(), 0 < p && p <= q, "Fraction::new({p}, {q})");
    let Ok(fraction) = fraction else {
        return;
    };
    let unattainable = comparison == Comparison::MoreThan && p == q;

    match MajorityRule::new(comparison, fraction, base) {
        Err(_) => assert!(unattainable, "valid rule rejected"),
        Ok(rule) => {
            assert!(!unattainable, "more_than 1/1 accepted");
            assert_eq!(
                rule.is_met(votes, v_base),
                reference::is_met(&rule, votes, v_base),
                "{rule}: is_met({votes}, {v_base})"
            );
            let required = rule.required(v_base);
            if v_base <= REFERENCE_SCAN_LIMIT {
                assert_eq!(
                    required,
                    reference::required(&rule, v_base),
                    "{rule}: required({v_base})"
                );
            }
            // The characterization, for any V: the least count that meets the definition.
            match required {
                None => assert_eq!(v_base, 0, "{rule}: nobody can win V = {v_base}"),
                Some(r) => {
                    assert!(r <= v_base, "{rule}: required({v_base}) = {r} > V");
                    assert!(reference::is_met(&rule, r, v_base), "{rule}: {r} fails");
                    if let Some(below) = r.checked_sub(1) {
                        assert!(
                            !reference::is_met(&rule, below, v_base),
                            "{rule}: {below} already meets V = {v_base}"
                        );
                    }
                }
            }
        }
    }

    match Quorum::new(comparison, fraction, v_base) {
        Err(_) => assert!(v_base == 0 || unattainable, "valid quorum rejected"),
        Ok(quorum) => {
            assert!(v_base > 0 && !unattainable, "invalid quorum accepted");
            assert_eq!(
                quorum.is_met(votes),
                reference::quorum_is_met(&quorum, votes),
                "quorum {p}/{q} of {v_base}: is_met({votes})"
            );
            let r = quorum.required();
            assert!((1..=v_base).contains(&r));
            assert!(reference::quorum_is_met(&quorum, r));
            assert!(!reference::quorum_is_met(&quorum, r - 1));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Trustee, manifest and record decoders, and the record verifier.

/// The largest input the record targets look at: a bound on time and memory per input (the
/// fixture record is a few kilobytes).
const MAX_RECORD_INPUT: usize = 1 << 16;

/// `Manifest::from_bytes`: canonical round trip.
pub fn decode_manifest(data: &[u8]) {
    let Ok(manifest) = Manifest::from_bytes(data) else {
        return;
    };
    let bytes = manifest.to_bytes().expect("a decoded manifest encodes");
    assert_eq!(bytes, data, "manifest re-encodes differently");
    assert_eq!(Manifest::from_bytes(&bytes).as_ref(), Ok(&manifest));
}

/// `round1::Package::from_bytes`: canonical round trip.
pub fn decode_round1(data: &[u8]) {
    let Ok(package) = round1::Package::from_bytes(data) else {
        return;
    };
    assert_eq!(
        package.to_bytes(),
        data,
        "round 1 package re-encodes differently"
    );
}

/// `round2::Package::from_bytes`: canonical round trip.
pub fn decode_round2(data: &[u8]) {
    let Ok(package) = round2::Package::from_bytes(data) else {
        return;
    };
    assert_eq!(
        package.to_bytes(),
        data,
        "round 2 package re-encodes differently"
    );
}

/// `round3::Package::from_bytes`: canonical round trip.
pub fn decode_round3(data: &[u8]) {
    let Ok(package) = round3::Package::from_bytes(data) else {
        return;
    };
    assert_eq!(
        package.to_bytes(),
        data,
        "round 3 package re-encodes differently"
    );
}

/// `PublicKeyPackage::from_bytes`: canonical round trip.
pub fn decode_public_key_package(data: &[u8]) {
    let Ok(package) = PublicKeyPackage::from_bytes(data) else {
        return;
    };
    let bytes = package.to_bytes();
    assert_eq!(bytes, data, "public key package re-encodes differently");
}

/// `PartialDecryption::from_bytes`: canonical round trip, and `write` agrees.
pub fn decode_partial_decryption(data: &[u8]) {
    let Ok(partial) = PartialDecryption::from_bytes(data) else {
        return;
    };
    let bytes = partial.to_bytes().expect("a decoded partial encodes");
    assert_eq!(bytes, data, "partial decryption re-encodes differently");
    let mut written = Vec::new();
    partial
        .write(&mut written)
        .expect("a decoded partial writes");
    assert_eq!(written, data);
}

/// `ChallengedBallot::from_bytes`: canonical round trip, and `write` agrees.
pub fn decode_challenged_ballot(data: &[u8]) {
    let Ok(challenged) = ChallengedBallot::from_bytes(data) else {
        return;
    };
    assert_eq!(
        challenged.to_bytes(),
        data,
        "challenged ballot re-encodes differently"
    );
    let mut written = Vec::new();
    challenged
        .write(&mut written)
        .expect("a decoded challenged ballot writes");
    assert_eq!(written, data);
}

/// The most entries `decode_ballot_stream` reads.
const MAX_STREAM_ENTRIES: usize = 48;

/// Input: `shape selector ‖ a ballot stream (§7.1)`, up to 48 entries.
///
/// Asserts: every entry the reader returns re-encodes to its bytes (if it decodes); and the
/// stream verifier and a [`crate::tally::BallotBox`] fed the same entries in the same order
/// agree exactly: the same refusals (ballot and reason), the same codes, the same close and
/// the same tally. A stream whose bytes do not read to the end, or hold an entry that does
/// not decode, is refused by the verifier with an error (not compared).
pub fn decode_ballot_stream(data: &[u8]) {
    use crate::board::BoxEntryKind;
    use crate::tally::stream::{BallotStreamReader, verify_stream};
    let Some((&selector, stream)) = data.split_first() else {
        return;
    };
    let f = &*FIXTURES;
    let shape = f.shape(selector);
    let ctx = BallotContext {
        election: &f.election,
        key: &f.key,
        round: ROUND,
        contest: &shape.contest,
        eligibility: Some(&f.eligibility),
    };
    let Ok(mut reader) = BallotStreamReader::new(stream) else {
        return;
    };
    let mut bb =
        crate::tally::BallotBox::new(f.election, f.key.clone(), ROUND, shape.contest.clone())
            .with_eligibility(f.eligibility.clone());
    let mut refused = Vec::new();
    let mut complete = false;
    for _ in 0..MAX_STREAM_ENTRIES {
        match reader.next_entry() {
            Ok(Some(entry)) => match entry.kind {
                BoxEntryKind::Cast => {
                    let Ok(ballot) = EncryptedBallot::from_bytes(&entry.bytes) else {
                        return;
                    };
                    assert_eq!(ballot.to_bytes(), entry.bytes, "stream ballot re-encodes");
                    let id = *ballot.id();
                    let cast = ballot.verify(&ctx).and_then(|v| bb.cast(v));
                    if let Err(e) = cast {
                        refused.push((id, e));
                    }
                }
                BoxEntryKind::Challenged => {
                    let Ok(c) = ChallengedBallot::from_bytes(&entry.bytes) else {
                        return;
                    };
                    assert_eq!(c.to_bytes(), entry.bytes, "stream challenge re-encodes");
                    let id = *c.id();
                    if let Err(e) = bb.challenge(c) {
                        refused.push((id, e));
                    }
                }
            },
            Ok(None) => {
                complete = true;
                break;
            }
            Err(_) => return,
        }
    }
    if !complete {
        return;
    }
    let Ok(mut reader) = BallotStreamReader::new(stream) else {
        panic!("the stream read once and not twice");
    };
    let out = verify_stream(&mut reader, &ctx, 3, |_| {}).expect("a readable stream verifies");
    assert_eq!(out.rejected, refused, "stream and box refuse differently");
    assert_eq!(out.codes, bb.codes(), "stream and box chain differently");
    assert_eq!(out.tally, bb.tally(), "stream and box tally differently");
}

/// `KeyPackage::import` against the fixture record's public key package: an accepted input is
/// exported again to exactly its bytes (secret data, compared in a zeroizing buffer).
pub fn decode_key_share(data: &[u8]) {
    let Some(outcome) = RECORD.replay.ceremony_outcome() else {
        return;
    };
    let Ok(key) = KeyPackage::import(data, outcome.public_key_package().clone()) else {
        return;
    };
    assert!(
        key.export().as_slice() == data,
        "key share re-exports differently"
    );
}

/// `Entry::from_bytes`: canonical round trip; and **unforgeability**: an entry whose signature
/// verifies with the fixture board's key of its author is one of the fixture record's entries,
/// byte for byte (the fuzzer derives entries from them; it must not find another one that
/// verifies).
pub fn decode_board_entry(data: &[u8]) {
    use crate::board::Entry;
    let Ok(entry) = Entry::from_bytes(data) else {
        return;
    };
    assert!(
        entry.to_bytes() == data,
        "board entry re-encodes differently"
    );
    let (Some(board), Some(manifest)) = (RECORD.replay.board_id(), RECORD.replay.manifest()) else {
        return;
    };
    let Some(authorities) = manifest.authorities() else {
        return;
    };
    if let Some(key) = authorities.key_of(entry.author()) {
        if entry.verify_signature(board, key).is_ok() {
            assert!(
                RECORD.record.entries().contains(&entry),
                "a signature verifies on an entry the fixture's authors never signed"
            );
        }
    }
}

/// The passphrase of the sealed fixtures.
const FUZZ_PASSPHRASE: &[u8] = b"fuzz passphrase";

/// Whether a sealed blob asks for at most cheap key derivation (so that a fuzz input cannot
/// make one run derive a 1 GiB Argon2 key): its header, context and parameters, read directly.
fn cheap_seal_params(data: &[u8]) -> bool {
    let mut r = Reader::new("sealed secret", data);
    let ok = (|| -> Result<bool, Error> {
        crate::encoding::read_header(&mut r, crate::domain::ObjectKind::SealedSecret)?;
        let len = r.count("seal context", 1)?;
        r.take("seal context", len)?;
        let (m, t, p) = (r.u32("m")?, r.u32("t")?, r.u32("p")?);
        Ok(m <= 256 && t <= 2 && p <= 2)
    })();
    ok.unwrap_or(true)
}

/// `seal::unseal` on arbitrary bytes given a valid trailing checksum (the target appends it,
/// so that the fuzzer reaches the context, the parameters, the check value and the AEAD):
/// never panics, and accepts only bytes that `seal` made for this context and passphrase
/// (the AEAD): here, only the seed itself (trustee 1's state sealed by the fixture), since
/// the fuzzer never sees the key.
pub fn decode_sealed(data: &[u8]) {
    use sha2::{Digest, Sha512};
    if data.len() > 1 << 16 || !cheap_seal_params(data) {
        return;
    }
    let mut sealed = data.to_vec();
    let digest: [u8; 64] = Sha512::digest(data).into();
    sealed.extend_from_slice(&digest[..32]);
    let Some(board) = RECORD.replay.board_id() else {
        return;
    };
    let mut context = b"tabella trustee".to_vec();
    context.extend_from_slice(board.fingerprint());
    context.extend_from_slice(&1u32.to_le_bytes());
    if let Ok(secret) = crate::seal::unseal(&sealed, &context, FUZZ_PASSPHRASE) {
        assert!(
            data == SEALED_SEED.as_slice(),
            "unsealed {} bytes that seal did not make",
            secret.len()
        );
    }
}

/// The fixture trustees' states: trustee 1's sealed (cheap parameters, the fuzz passphrase)
/// without its checksum, and each trustee's plaintext state by index.
fn trustee_state_seeds() -> (Vec<u8>, Vec<(u32, Vec<u8>)>) {
    let mut rng = fuzz_rng(b"trustee state seeds");
    let params = crate::seal::SealParams::insecure_for_tests();
    let mut sealed_one = Vec::new();
    let mut plain = Vec::new();
    for trustee in record_fixture_with_trustees().1 {
        let i = trustee.index();
        let sealed = trustee
            .seal(&RECORD.replay, FUZZ_PASSPHRASE, params, &mut rng)
            .expect("fixture trustee seals");
        let context = Trustee::context(&RECORD.replay, i).expect("context");
        let state = crate::seal::unseal(&sealed, &context, FUZZ_PASSPHRASE).expect("opens");
        plain.push((i.get(), state.to_vec()));
        if i.get() == 1 {
            sealed_one = sealed.get(..sealed.len() - 32).unwrap_or_default().to_vec();
        }
    }
    (sealed_one, plain)
}

/// The `decode_sealed` seed: the one input of that target that opens.
static SEALED_SEED: LazyLock<Vec<u8>> = LazyLock::new(|| trustee_state_seeds().0);

/// A trustee's state decoder (`Trustee::unseal` after the seal is opened): the input is sealed
/// as trustee 1's state of the fixture board (cheap parameters), then unsealed against the
/// fixture's replay. Never panics; a state that restores seals again to the same plaintext
/// (canonical), and restores again.
pub fn decode_trustee_state(data: &[u8]) {
    if data.len() > 1 << 16 {
        return;
    }
    let index = TrusteeIndex::new(1).expect("index 1");
    let Ok(context) = Trustee::context(&RECORD.replay, index) else {
        return;
    };
    let params = crate::seal::SealParams::insecure_for_tests();
    let mut rng = fuzz_rng(b"trustee state");
    let Ok(sealed) = crate::seal::seal(data, &context, FUZZ_PASSPHRASE, params, &mut rng) else {
        return;
    };
    let Ok(trustee) = Trustee::unseal(&sealed, &RECORD.replay, index, FUZZ_PASSPHRASE) else {
        return;
    };
    let again = trustee
        .seal(&RECORD.replay, FUZZ_PASSPHRASE, params, &mut rng)
        .expect("a restored trustee seals");
    let plain = crate::seal::unseal(&again, &context, FUZZ_PASSPHRASE).expect("own seal opens");
    assert!(
        plain.as_slice() == data,
        "trustee state re-encodes differently"
    );
}

/// `CeremonyBoard::from_bytes`: canonical round trip; and reading the board as the fixture's
/// ceremony (`verify_ceremony`, `foreign_entries`) never panics, whatever the entries hold.
pub fn decode_ceremony_board(data: &[u8]) {
    if data.len() > MAX_RECORD_INPUT {
        return;
    }
    let Ok(board) = dkg::CeremonyBoard::from_bytes(data) else {
        return;
    };
    assert_eq!(
        board.to_bytes(),
        data,
        "ceremony board re-encodes differently"
    );
    let replay = &RECORD.replay;
    let (Some(ctx), Some(own), Some(keys)) = (
        replay.ceremony_context(),
        replay.ceremony_board(),
        replay.ceremony_outcome(),
    ) else {
        return;
    };
    let _ = dkg::foreign_entries(ctx, &board);
    if let Ok(outcome) = dkg::verify_ceremony(ctx, &board) {
        // The fixture's own board gives the fixture's keys.
        if &board == own {
            assert_eq!(outcome.public_key_package(), keys.public_key_package());
        }
    }
}

/// `BoardRecord::from_bytes`: canonical round trip (inputs up to 64 KiB).
pub fn decode_record_binary(data: &[u8]) {
    if data.len() > MAX_RECORD_INPUT {
        return;
    }
    let Ok(record) = BoardRecord::from_bytes(data) else {
        return;
    };
    assert_eq!(record.to_bytes(), data, "record re-encodes differently");
}

/// A JSON parser and printer for [`decode_record_json`]: the library has no JSON dependency,
/// so the caller (the fuzz crate, or the replay test) passes `serde_json`'s.
#[cfg(feature = "serde")]
#[derive(Clone, Copy, Debug)]
pub struct JsonCodec {
    /// Parses JSON text into a record (`None` if it does not parse or decode).
    pub parse: fn(&[u8]) -> Option<BoardRecord>,
    /// Prints a record as compact JSON text.
    pub print: fn(&BoardRecord) -> Option<String>,
}

/// The JSON record decoder (inputs up to 64 KiB): if the text decodes, the record prints,
/// its JSON text is a fixed point (print, parse, print gives the same text and the same
/// record), and its binary encoding decodes to the same record. JSON allows whitespace and
/// any key order, so the input bytes themselves are not compared: the canonical form is the
/// printed text.
#[cfg(feature = "serde")]
pub fn decode_record_json(data: &[u8], codec: JsonCodec) {
    if data.len() > MAX_RECORD_INPUT {
        return;
    }
    let Some(record) = (codec.parse)(data) else {
        return;
    };
    let text = (codec.print)(&record).expect("a decoded record prints");
    let again = (codec.parse)(text.as_bytes()).expect("printed JSON parses");
    assert_eq!(again, record, "JSON round trip changes the record");
    assert_eq!(
        (codec.print)(&again).as_deref(),
        Some(text.as_str()),
        "JSON text is not a fixed point"
    );
    assert_eq!(
        BoardRecord::from_bytes(&record.to_bytes()).as_ref(),
        Ok(&record),
        "binary round trip of a JSON record"
    );
}

/// Arbitrary bytes as a record (up to 64 KiB): decoding and every check of `verify_record`
/// must return, never panic or hang. A decoded record must round-trip, and the valid fixture
/// record must verify.
pub fn verify_record(data: &[u8]) {
    if data.len() > MAX_RECORD_INPUT {
        return;
    }
    let Ok(record) = BoardRecord::from_bytes(data) else {
        return;
    };
    assert_eq!(record.to_bytes(), data);
    let report = crate::verify::verify_record(&record);
    if data == RECORD.bytes.as_slice() {
        assert!(
            report.is_ok(),
            "the fixture record fails: {:?}",
            report.failure
        );
    }
}

/// A small valid election with a roll on a board, made once per process from fixed seeds: 3
/// trustees with threshold 2, candidates A, B, C, six eligible members and the credential
/// authority's roll of their six credentials (a second ballot refused) posted after the key
/// ceremony, one choose-one round with four cast ballots and one challenged ballot (each
/// signed by its own credential: the roll's first five as made), all three partial
/// decryptions and the result.
struct RecordFixture {
    record: BoardRecord,
    bytes: Vec<u8>,
    replay: Replay,
}

static RECORD: LazyLock<RecordFixture> = LazyLock::new(|| RecordFixture::build().0);

/// The fixture record together with the trustees that made it (built again,
/// deterministically), for attack tests that need trustees who bypass the library's checks.
pub fn record_fixture_with_trustees() -> (BoardRecord, Vec<Trustee>) {
    let (fixture, trustees) = RecordFixture::build();
    (fixture.record, trustees)
}

/// The fixture record's six private credentials, in the order the authority made them: the
/// first four signed the cast ballots (in board order), the fifth the challenged ballot; the
/// sixth member did not vote, so its credential can sign one more ballot that the roll
/// admits. Built again, deterministically.
pub fn record_fixture_credentials() -> Vec<CredentialSecret> {
    RecordFixture::build_all().3
}

/// Every signing key of an election's authorities: with them an attacker who runs the board
/// *and* holds every key can write any board at all. Attack tests use it to reach the checks
/// behind the signatures: they change an entry, and [`Signers::rechain`] makes every signature
/// and read head valid again, so that what still fails is the check the change breaks.
pub struct Signers {
    administrator: SecretKey,
    trustees: Vec<SecretKey>,
    credential_authority: Option<SecretKey>,
}

impl core::fmt::Debug for Signers {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Signers(<redacted>)")
    }
}

impl Signers {
    /// The signers of these keys (the administrator's, then trustee 1's, 2's, …).
    pub fn new(administrator: SecretKey, trustees: Vec<SecretKey>) -> Self {
        Signers {
            administrator,
            trustees,
            credential_authority: None,
        }
    }

    /// The same signers with the credential authority's key (an election with a roll), so
    /// that they sign its roll entry too.
    pub fn with_credential_authority(mut self, key: SecretKey) -> Self {
        self.credential_authority = Some(key);
        self
    }

    fn key(&self, author: crate::board::Author) -> Option<&SecretKey> {
        match author.role() {
            crate::board::Role::Administrator => Some(&self.administrator),
            crate::board::Role::Trustee => {
                let i = author.trustee_index()?.get() as usize;
                self.trustees.get(i.checked_sub(1)?)
            }
            crate::board::Role::CredentialAuthority => self.credential_authority.as_ref(),
            crate::board::Role::Voter => None,
        }
    }

    /// Signs `body` as `author`'s entry of `kind` on the board whose manifest entry is
    /// `manifest`, naming `read`.
    pub fn sign(
        &self,
        manifest: &crate::board::Entry,
        kind: crate::board::EntryKind,
        author: crate::board::Author,
        body: Vec<u8>,
        read: crate::board::chain::Head,
    ) -> crate::board::Entry {
        let board = Manifest::from_bytes(manifest.body())
            .and_then(|m| m.ceremony_context())
            .expect("the first entry is a manifest");
        let key = self.key(author).expect("a signing author");
        let mut rng = fuzz_rng(b"forged signature");
        crate::board::Entry::signed(kind, author, body, &board, read, key, &mut rng)
            .expect("an author may post this kind")
    }

    /// `entries[k]` with `body` instead of its own: signed again by its author, naming the
    /// head it named (a voter's entry is made again, unsigned). `entries[0]` is the manifest.
    pub fn with_body(
        &self,
        entries: &[crate::board::Entry],
        k: usize,
        body: Vec<u8>,
    ) -> crate::board::Entry {
        let e = entries.get(k).expect("an entry of the board");
        match e.signature() {
            Some(sig) => {
                let manifest = entries.first().expect("a manifest");
                self.sign(manifest, e.kind(), e.author(), body, *sig.read())
            }
            None => crate::board::Entry::voter(e.kind(), body).expect("a voter's entry"),
        }
    }

    /// `entries` (an edit of `original`: entries changed, inserted, removed or moved) with
    /// every signature valid again: each signed entry's read head is mapped to the new head
    /// after as many entries as it had read in `original` (at most the entries before it), and
    /// every signed entry whose read head changed or whose signature no longer verifies is
    /// signed again with its author's key.
    pub fn rechain(
        &self,
        original: &BoardRecord,
        entries: Vec<crate::board::Entry>,
    ) -> BoardRecord {
        use crate::board::chain::Head;
        let old_heads = original.heads();
        let position_of = |read: &Head| -> Option<usize> {
            if *read == Head::genesis() {
                return Some(0);
            }
            old_heads.iter().position(|h| h == read).map(|p| p + 1)
        };
        let manifest = entries.first().cloned().expect("a board has a manifest");
        let board = Manifest::from_bytes(manifest.body())
            .and_then(|m| m.ceremony_context())
            .ok();
        let mut out: Vec<crate::board::Entry> = Vec::with_capacity(entries.len());
        let mut new_heads = vec![Head::genesis()];
        for (j, entry) in entries.into_iter().enumerate() {
            let entry = match (entry.signature(), self.key(entry.author()), &board) {
                (Some(sig), Some(key), Some(board)) => {
                    let read_count = position_of(sig.read()).unwrap_or(j).min(j);
                    let read = *new_heads.get(read_count).expect("a head before the entry");
                    let valid = entry.verify_signature(board, &key.public_key()).is_ok();
                    if read == *sig.read() && valid {
                        entry
                    } else {
                        let first = out.first().unwrap_or(&entry).clone();
                        self.sign(
                            &first,
                            entry.kind(),
                            entry.author(),
                            entry.body().to_vec(),
                            read,
                        )
                    }
                }
                _ => entry,
            };
            let head = new_heads
                .get(j)
                .expect("the head before the entry")
                .next(&entry.to_bytes());
            new_heads.push(head);
            out.push(entry);
        }
        BoardRecord::new(out)
    }
}

/// The fixture record, the trustees that made it and every signing key, the credential
/// authority's included (built again, deterministically), for attack tests that forge entries
/// as an operator holding every key.
pub fn record_fixture_with_signers() -> (BoardRecord, Vec<Trustee>, Signers) {
    let (fixture, trustees, signers, _) = RecordFixture::build_all();
    (fixture.record, trustees, signers)
}

/// The canonical bytes of the valid fixture record (for seeds and for the JSON seed, which the
/// replay test prints with `serde_json`).
pub fn record_fixture_bytes() -> Vec<u8> {
    RECORD.bytes.clone()
}

impl RecordFixture {
    fn build() -> (Self, Vec<Trustee>) {
        let (fixture, trustees, _, _) = Self::build_all();
        (fixture, trustees)
    }

    fn build_all() -> (Self, Vec<Trustee>, Signers, Vec<CredentialSecret>) {
        let rule = MajorityRule::new(
            Comparison::MoreThan,
            Fraction::new(1, 2).expect("1/2"),
            Base::PresentAndVoting,
        )
        .expect("majority rule");
        let rules =
            ElectionRules::with_schedule(RuleSchedule::new([(1, rule)]).expect("rule schedule"));
        let mut rng = fuzz_rng(b"record authorities");
        let admin_key = SecretKey::generate(&mut rng);
        let admin = Administrator::new(admin_key.clone());
        let trustee_keys: Vec<SecretKey> =
            (1..=3u32).map(|_| SecretKey::generate(&mut rng)).collect();
        let mut trustees: Vec<Trustee> = (1..=3u32)
            .zip(&trustee_keys)
            .map(|(i, key)| Trustee::new(TrusteeIndex::new(i).expect("index"), key.clone()))
            .collect();
        let authority = CredentialAuthority::generate(&mut rng);
        let signers = Signers::new(admin_key, trustee_keys)
            .with_credential_authority(authority.key().clone());
        let authorities = Authorities::new(
            admin.public_key(),
            trustees.iter().map(Trustee::public_key).collect(),
        )
        .and_then(|a| a.with_credential_authority(authority.public_key()))
        .expect("authorities");
        let manifest = Manifest::builder("fuzz")
            .members(6)
            .eligible(6)
            .candidates(["A", "B", "C"])
            .rules(rules)
            .threshold(2)
            .trustees(3)
            .privacy_floor(2)
            .roll(SecondBallot::Refused)
            .authorities(authorities)
            .build()
            .expect("fixture manifest");
        let mut board = BoardElection::open(MemoryStore::new()).expect("empty board");
        board
            .post(admin.manifest(&manifest, &mut rng).expect("manifest entry"))
            .expect("manifest");
        let mut rng = fuzz_rng(b"record ceremony");
        simulate_ceremony(&mut board, &admin, &mut trustees, &mut rng).expect("ceremony");
        let mut rng = fuzz_rng(b"record roll");
        let (roll, credentials) = authority.issue(6, &mut rng).expect("fixture credentials");
        let roll_entry = authority
            .roll(&roll, board.replay(), board.head(), &mut rng)
            .expect("roll entry");
        board.post(roll_entry).expect("roll");

        let mut rng = fuzz_rng(b"record round 1");
        let open = admin
            .open_round(board.replay(), board.head(), RoundKind::ChooseOne, &mut rng)
            .expect("round opening");
        board.post(open).expect("open");
        let ctx = board.round_context().expect("open round");
        let contest = ctx.ballot_context().contest.clone();
        for (choice, credential) in [0u32, 0, 1, 2].into_iter().zip(&credentials) {
            let selection = Selection::new(&contest, &[choice]).expect("selection");
            let id = BallotId::random(&mut rng);
            let (ballot, _) = EncryptedBallot::encrypt(
                &ctx.ballot_context(),
                &selection,
                id,
                Some(credential),
                &mut rng,
            )
            .expect("ballot");
            board.cast(&ballot).expect("cast");
        }
        let selection = Selection::new(&contest, &[1]).expect("selection");
        let id = BallotId::random(&mut rng);
        let (ballot, nonces) = EncryptedBallot::encrypt(
            &ctx.ballot_context(),
            &selection,
            id,
            credentials.get(4),
            &mut rng,
        )
        .expect("challenged ballot");
        board
            .challenge(&ChallengedBallot::open(ballot, selection, nonces))
            .expect("challenge");
        let close = admin
            .close_round(board.replay(), board.head(), &mut rng)
            .expect("close");
        board.post(close).expect("close");
        for trustee in &mut trustees {
            let partial = trustee
                .decrypt(board.replay(), board.head(), &mut rng)
                .expect("partial");
            board.post(partial).expect("partial");
        }
        let result = admin
            .result(board.replay(), board.head(), &mut rng)
            .expect("result");
        board.post(result).expect("result");

        let record = board.record().expect("the fixture board reads back");
        let report = crate::verify::verify_record(&record);
        assert!(report.is_ok(), "fixture record: {:?}", report.failure);
        let bytes = record.to_bytes();
        let replay = board.into_replay();
        (
            RecordFixture {
                record,
                bytes,
                replay,
            },
            trustees,
            signers,
            credentials,
        )
    }
}

/// Where a ballot's public credential sits in its encoding (after the header, the id and the
/// credential flag), when it carries one.
fn credential_range(ballot: &[u8]) -> Option<core::ops::Range<usize>> {
    let flag = crate::encoding::header::HEADER_LEN + 32;
    let start = flag + 1;
    (ballot.get(flag) == Some(&1) && ballot.len() >= start + 32).then_some(start..start + 32)
}

/// A named structural mutation of a record's entries, for assertion messages: delete,
/// duplicate, move or swap entries, put a ballot's body into another ballot entry, move the
/// roll entry to just after the first round opening, or swap the credentials of two cast
/// ballots. Nothing is signed again: the moved roll leaves the opening's read head off the
/// board (check 2), and the swapped credentials' ballot signatures fail (check 7); an
/// operator holding every key re-signs in the attack tests instead ([`Signers::rechain`]).
fn mutate_structure(record: &mut BoardRecord, input: &mut Input<'_>, log: &mut Vec<String>) {
    use crate::board::{Entry, EntryKind};
    let op = input.u8() % 7;
    let a = usize::from(input.u8());
    let b = usize::from(input.u8());
    let mut entries = core::mem::take(record).into_entries();
    let n = entries.len().max(1);
    let (i, j) = (a % n, b % n);
    match op {
        0 => {
            if i < entries.len() {
                entries.remove(i);
                log.push(format!("delete entry {i}"));
            }
        }
        1 => {
            if let Some(e) = entries.get(i).cloned() {
                entries.insert(j, e);
                log.push(format!("duplicate entry {i} at {j}"));
            }
        }
        2 => {
            if i < entries.len() && j < entries.len() {
                entries.swap(i, j);
                log.push(format!("swap entries {i} and {j}"));
            }
        }
        3 => {
            if i < entries.len() {
                let e = entries.remove(i);
                let at = j.min(entries.len());
                entries.insert(at, e);
                log.push(format!("move entry {i} to {at}"));
            }
        }
        5 => {
            let roll = entries.iter().position(|e| e.kind() == EntryKind::Roll);
            let open = entries
                .iter()
                .position(|e| e.kind() == EntryKind::RoundOpen);
            if let (Some(roll), Some(open)) = (roll, open) {
                let e = entries.remove(roll);
                let at = if roll < open { open } else { open + 1 };
                entries.insert(at.min(entries.len()), e);
                log.push(format!(
                    "move the roll entry {roll} after the round opening {open}"
                ));
            }
        }
        6 => {
            let ballots: Vec<usize> = entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.kind() == EntryKind::Ballot)
                .map(|(k, _)| k)
                .collect();
            let pick = |x: usize| ballots.get(x % ballots.len().max(1)).copied();
            if let (Some(x), Some(y)) = (pick(a), pick(b)) {
                let mut body_x = entries
                    .get(x)
                    .map(|e| e.body().to_vec())
                    .unwrap_or_default();
                let mut body_y = entries
                    .get(y)
                    .map(|e| e.body().to_vec())
                    .unwrap_or_default();
                if let (Some(rx), Some(ry)) = (credential_range(&body_x), credential_range(&body_y))
                {
                    let cx = body_x.get(rx.clone()).map(<[u8]>::to_vec);
                    let cy = body_y.get(ry.clone()).map(<[u8]>::to_vec);
                    if let (Some(cx), Some(cy)) = (cx, cy) {
                        body_x.splice(rx, cy);
                        body_y.splice(ry, cx);
                    }
                    if let (Ok(ex), Ok(ey)) = (
                        Entry::voter(EntryKind::Ballot, body_x),
                        Entry::voter(EntryKind::Ballot, body_y),
                    ) {
                        if let Some(slot) = entries.get_mut(x) {
                            *slot = ex;
                        }
                        if let Some(slot) = entries.get_mut(y) {
                            *slot = ey;
                        }
                        log.push(format!(
                            "swap the credentials of ballot entries {x} and {y}"
                        ));
                    }
                }
            }
        }
        _ => {
            // A ballot's body in another voter entry (a cast ballot recast, a challenged
            // ballot's inner ballot cast, …): the same author role, so it still decodes.
            let voter: Vec<usize> = entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.author() == crate::board::Author::VOTER)
                .map(|(k, _)| k)
                .collect();
            if let (Some(&from), Some(&to)) = (
                voter.get(a % voter.len().max(1)),
                voter.get(b % voter.len().max(1)),
            ) {
                let body = entries.get(from).map(|e| e.body().to_vec());
                let kind = entries.get(to).map(crate::board::Entry::kind);
                if let (Some(body), Some(kind)) = (body, kind) {
                    if let (Ok(e), Some(slot)) =
                        (crate::board::Entry::voter(kind, body), entries.get_mut(to))
                    {
                        *slot = e;
                        log.push(format!("body of voter entry {from} into {to}"));
                    }
                }
            }
        }
    }
    *record = BoardRecord::new(entries);
}

/// Input: `count, then per step: kind, then a byte mutation (see `mutate`) or a structural one
/// on the entries (see `mutate_structure`)`. Up to 8 steps on the valid fixture record.
///
/// Asserts: if the mutated bytes differ from the fixture's and still decode, they round-trip
/// and `verify_record` fails, naming a check; the only exception is an earlier state of the
/// same board (`verify_extends(mutated, fixture)` holds: the board cut after some entry).
pub fn mutate_record(data: &[u8]) {
    let mut input = Input(data);
    let fixture = &*RECORD;
    let mut bytes = fixture.bytes.clone();
    let mut log = Vec::new();
    let steps = input.u8() % 8 + 1;
    for _ in 0..steps {
        if input.is_empty() {
            break;
        }
        if input.u8() % 2 == 0 {
            let before = bytes.len();
            mutate(
                &mut bytes,
                &mut input,
                core::slice::from_ref(&fixture.bytes),
            );
            log.push(format!("bytes ({before} -> {})", bytes.len()));
        } else {
            let Ok(mut record) = BoardRecord::from_bytes(&bytes) else {
                log.push("structure skipped: does not decode".to_owned());
                continue;
            };
            mutate_structure(&mut record, &mut input, &mut log);
            bytes = record.to_bytes();
        }
    }
    if bytes == fixture.bytes {
        return;
    }
    let Ok(record) = BoardRecord::from_bytes(&bytes) else {
        return;
    };
    assert_eq!(record.to_bytes(), bytes, "record re-encodes differently");
    let report = crate::verify::verify_record(&record);
    if report.is_ok() {
        assert!(
            crate::verify::verify_extends(&record, &fixture.record).is_ok(),
            "mutate_record: a changed record verifies after {log:?}; {}",
            diff(&bytes, &fixture.bytes)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Seed corpora.

/// One seed input of a target's corpus.
#[derive(Clone, Debug)]
pub struct Seed {
    /// The target (a name from [`TARGETS`]).
    pub target: &'static str,
    /// The file name in `fuzz/corpus/<target>/`.
    pub name: String,
    /// The input.
    pub data: Vec<u8>,
}

/// The seed corpora: valid encodings (and a few edge cases) for every target, made
/// deterministically from the fixtures.
pub fn seed_corpus() -> Vec<Seed> {
    let f = &*FIXTURES;
    let mut seeds = Vec::new();
    let mut add = |target: &'static str, name: &str, data: Vec<u8>| {
        seeds.push(Seed {
            target,
            name: format!("seed-{name}"),
            data,
        });
    };

    let g = Point::generator();
    let two_g = Point::from(g.element() + g.element());
    add("decode_point", "generator", g.to_bytes().to_vec());
    add("decode_point", "identity", vec![0; 32]);
    add("decode_point", "two-g", two_g.to_bytes().to_vec());
    add("decode_point", "key", f.key.to_bytes().to_vec());

    add("decode_scalar", "zero", vec![0; 32]);
    add("decode_scalar", "one", Scalar::ONE.to_bytes().to_vec());
    add(
        "decode_scalar",
        "l-minus-one",
        (-Scalar::ONE).to_bytes().to_vec(),
    );
    let l_plus = [0xffu8; 32];
    add("decode_scalar", "all-ones", l_plus.to_vec());

    add("decode_public_key", "key", f.key.to_bytes().to_vec());
    add(
        "decode_public_key",
        "other-key",
        f.other_key.to_bytes().to_vec(),
    );
    add("decode_public_key", "generator", g.to_bytes().to_vec());

    for (i, (c, _, _)) in f.membership.iter().take(3).enumerate() {
        add(
            "decode_ciphertext",
            &format!("ciphertext-{i}"),
            c.to_bytes().to_vec(),
        );
    }

    add("decode_schnorr", "honest", f.schnorr.clone());
    add("decode_dleq", "honest", f.dleq.3.clone());
    for k in [1usize, 2, 3, 16] {
        if let Some((_, _, proof)) = f.membership.get(k - 1) {
            let mut data = vec![(k - 1) as u8];
            data.extend_from_slice(proof);
            add("decode_membership", &format!("k{k}"), data);
        }
    }
    for (i, (_, statements, proof)) in f.one_of_many.iter().enumerate() {
        let mut data = vec![i as u8];
        data.extend_from_slice(proof);
        add(
            "decode_one_of_many",
            &format!("w{}", statements.len()),
            data,
        );
    }

    for (s, shape) in f.shapes.iter().enumerate() {
        for (i, ballot) in shape.ballots.iter().enumerate() {
            let name = format!("shape{s}-ballot{i}");
            add("decode_ballot", &name, ballot.clone());
            let mut data = vec![s as u8];
            data.extend_from_slice(ballot);
            add("verify_ballot", &name, data);
        }
        // A stream of the shape's honest ballots with its challenged ballot between them, a
        // copy of the first ballot, and the challenged ballot cast.
        let mut writer =
            crate::tally::stream::BallotStreamWriter::new(vec![s as u8]).expect("stream");
        for (i, ballot) in shape.ballots.iter().enumerate() {
            writer
                .write_encoded(crate::board::BoxEntryKind::Cast, ballot)
                .expect("entry");
            if i == 0 {
                writer
                    .write_encoded(crate::board::BoxEntryKind::Challenged, &shape.challenged)
                    .expect("entry");
            }
        }
        if let Some(first) = shape.ballots.first() {
            writer
                .write_encoded(crate::board::BoxEntryKind::Cast, first)
                .expect("entry");
        }
        if let Ok(c) = ChallengedBallot::from_bytes(&shape.challenged) {
            writer
                .write_encoded(crate::board::BoxEntryKind::Cast, &c.ballot().to_bytes())
                .expect("entry");
        }
        add(
            "decode_ballot_stream",
            &format!("shape{s}"),
            writer.finish().expect("stream"),
        );
        // Unmutated, one flip in the ballot id, a splice from another ballot, and a twist.
        add(
            "mutate_ballot",
            &format!("shape{s}-honest"),
            vec![s as u8, 1, 0],
        );
        add(
            "mutate_ballot",
            &format!("shape{s}-flip-id"),
            vec![s as u8, 0, 0, 0, 5, 0, 0x10],
        );
        add(
            "mutate_ballot",
            &format!("shape{s}-splice"),
            vec![s as u8, 2, 0, 6, 1, 0x60, 0, 0x40, 0],
        );
        add(
            "mutate_ballot",
            &format!("shape{s}-round2"),
            vec![s as u8, 1, 4],
        );
        add(
            "batch_vs_single",
            &format!("shape{s}-three-one-flipped"),
            vec![s as u8, 0, 2, 0, 0, 1, 1, 0, 0x50, 0, 0x01, 2, 0],
        );
    }

    add("decode_hex", "empty", Vec::new());
    add("decode_hex", "bytes", b"00ab10ff".to_vec());
    add("decode_hex", "key", to_hex(&f.key.to_bytes()).into_bytes());

    // flags, mode, p, q, V, v
    let rule = |flags: u8, mode: u8, p: u64, q: u64, v_base: u64, votes: u64| {
        let mut data = vec![flags, mode];
        for x in [p, q, v_base, votes] {
            data.extend_from_slice(&x.to_le_bytes());
        }
        data
    };
    add(
        "rules_reference",
        "two-thirds-165",
        rule(0x50, 3, 2, 3, 165, 110),
    );
    add("rules_reference", "majority-4", rule(1, 3, 1, 2, 4, 2));

    let replay = &RECORD.replay;
    let ceremony = replay.ceremony_board().expect("the fixture's ceremony");
    let public = replay
        .ceremony_outcome()
        .expect("the fixture's keys")
        .public_key_package();
    add(
        "decode_manifest",
        "fixture",
        replay
            .manifest()
            .expect("manifest")
            .to_bytes()
            .expect("manifest"),
    );
    for (round, target) in
        CeremonyRound::ALL
            .into_iter()
            .zip(["decode_round1", "decode_round2", "decode_round3"])
    {
        for e in ceremony.entries(round) {
            add(
                target,
                &format!("trustee{}", e.author()),
                e.bytes().to_vec(),
            );
        }
    }
    add("decode_public_key_package", "fixture", public.to_bytes());
    add("decode_ceremony_board", "fixture", ceremony.to_bytes());
    // The trustees' exports, each with the round it decrypted in its log.
    for trustee in record_fixture_with_trustees().1 {
        if let Some(key) = trustee.key_package() {
            add(
                "decode_key_share",
                &format!("trustee{}", key.index().get()),
                key.export().to_vec(),
            );
        }
    }
    for (i, e) in RECORD.record.entries().iter().enumerate() {
        match e.kind() {
            crate::board::EntryKind::Challenged => add(
                "decode_challenged_ballot",
                &format!("entry{i}"),
                e.body().to_vec(),
            ),
            crate::board::EntryKind::PartialDecryption => add(
                "decode_partial_decryption",
                &format!("entry{i}"),
                e.body().to_vec(),
            ),
            _ => {}
        }
    }
    // One board entry of each kind.
    let mut kinds = Vec::new();
    for (i, e) in RECORD.record.entries().iter().enumerate() {
        if !kinds.contains(&e.kind()) {
            kinds.push(e.kind());
            add(
                "decode_board_entry",
                &format!("entry{i}-{}", e.kind().name()),
                e.to_bytes(),
            );
        }
    }
    // Each trustee's state, as plaintext (decode_trustee_state seals it) and sealed without
    // its checksum (decode_sealed appends one).
    let (sealed, plain) = trustee_state_seeds();
    for (i, state) in plain {
        add("decode_trustee_state", &format!("trustee{i}"), state);
    }
    add("decode_sealed", "trustee1", sealed);
    let bytes = RECORD.bytes.clone();
    add("decode_record_binary", "fixture", bytes.clone());
    add("verify_record", "fixture", bytes.clone());
    add(
        "verify_record",
        "truncated",
        bytes.get(..bytes.len() / 2).unwrap_or_default().to_vec(),
    );
    // count, then steps: [kind, op, a, b]
    add("mutate_record", "unmutated", vec![0]);
    add("mutate_record", "flip", vec![0, 0, 0, 0x40, 0x01, 0x01]);
    add("mutate_record", "delete-entry", vec![0, 1, 0, 20, 0]);
    add("mutate_record", "duplicate-entry", vec![0, 1, 1, 20, 21]);
    add("mutate_record", "swap-entries", vec![0, 1, 2, 20, 22]);
    add("mutate_record", "move-entry", vec![0, 1, 3, 25, 19]);
    add("mutate_record", "voter-body", vec![0, 1, 4, 0, 4]);
    add("mutate_record", "roll-after-open", vec![0, 1, 5, 0, 0]);
    add("mutate_record", "swap-credentials", vec![0, 1, 6, 0, 1]);

    // Rolls: the ballot fixtures' (four), the record's (six), one credential; and refused
    // ones: two swapped, a repeat, the identity, one byte short.
    let fixture_roll = f.eligibility.roll.to_bytes();
    add("decode_roll", "fixture", fixture_roll.clone());
    if let Some(roll) = RECORD.replay.roll() {
        add("decode_roll", "record", roll.to_bytes());
    }
    let credentials: Vec<PublicCredential> = f.eligibility.roll.credentials().copied().collect();
    if let (Some(first), Some(second)) = (credentials.first(), credentials.get(1)) {
        let one = Roll::new([*first]).expect("a roll of one");
        add("decode_roll", "one", one.to_bytes());
        let mut header = one.to_bytes();
        header.truncate(crate::encoding::header::HEADER_LEN);
        let with = |count: u32, points: &[&PublicCredential]| {
            let mut out = header.clone();
            out.extend_from_slice(&count.to_le_bytes());
            for p in points {
                out.extend_from_slice(&p.0);
            }
            out
        };
        add("decode_roll", "swapped", with(2, &[second, first]));
        add("decode_roll", "repeat", with(2, &[first, first]));
        add(
            "decode_roll",
            "identity",
            with(2, &[&PublicCredential([0; 32]), first]),
        );
        add("decode_roll", "empty", with(0, &[]));
    }
    add(
        "decode_roll",
        "short",
        fixture_roll
            .get(..fixture_roll.len() - 1)
            .unwrap_or_default()
            .to_vec(),
    );

    // Credential codes: two fixture members', one with surrounding whitespace, one mistyped,
    // one in upper case; and s = 0 and s = ℓ with matching checksums (not valid scalars).
    let members = record_fixture_credentials();
    for (i, secret) in members.iter().take(2).enumerate() {
        add(
            "decode_credential_code",
            &format!("member{i}"),
            secret.to_code().as_bytes().to_vec(),
        );
    }
    if let Some(secret) = members.first() {
        let code = secret.to_code();
        add(
            "decode_credential_code",
            "whitespace",
            format!(" \t{}\n", code.as_str()).into_bytes(),
        );
        let mut typo = code.as_bytes().to_vec();
        if let Some(b) = typo.get_mut(10) {
            *b = if *b == b'0' { b'1' } else { b'0' };
        }
        add("decode_credential_code", "typo", typo);
        add(
            "decode_credential_code",
            "upper",
            code.to_uppercase().into_bytes(),
        );
    }
    let mut ell = [0u8; 32];
    ell.copy_from_slice(&(-Scalar::ONE).to_bytes());
    if let Some(b) = ell.first_mut() {
        *b = b.wrapping_add(1);
    }
    for (name, s) in [("zero", [0u8; 32]), ("ell", ell)] {
        let digest = crate::board::hash_parts(&[label::CREDENTIAL_CODE, &s]);
        let mut code = to_hex(&s);
        code.push_str(&to_hex(digest.get(..4).unwrap_or_default()));
        add("decode_credential_code", name, code.into_bytes());
    }
    add(
        "rules_reference",
        "near-max",
        rule(0b1011_1100, 1, 0, 7, 3, 1 << 40),
    );
    seeds
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::Check;

    /// One structural step on the fixture record: the record, what the log says, and the
    /// check `verify_record` fails.
    fn structural(step: &[u8]) -> (Vec<String>, Option<Check>) {
        let mut record = RECORD.record.clone();
        let mut log = Vec::new();
        mutate_structure(&mut record, &mut Input(step), &mut log);
        let failure = crate::verify::verify_record(&record).failure;
        (log, failure.map(|f| f.check))
    }

    #[test]
    fn the_fixture_record_has_a_roll_and_signed_ballots() {
        let roll = RECORD.replay.roll().expect("the fixture has a roll");
        assert_eq!(roll.len(), 6);
        let members = record_fixture_credentials();
        let mut signed = Vec::new();
        for e in RECORD.record.entries() {
            let ballot = match e.kind() {
                crate::board::EntryKind::Ballot => EncryptedBallot::from_bytes(e.body()),
                crate::board::EntryKind::Challenged => {
                    ChallengedBallot::from_bytes(e.body()).map(|c| c.ballot().clone())
                }
                _ => continue,
            };
            let credential = *ballot
                .expect("a fixture ballot")
                .credential()
                .expect("signed");
            assert!(roll.contains(&credential));
            signed.push(credential);
        }
        let expected: Vec<_> = members
            .iter()
            .take(5)
            .map(CredentialSecret::public)
            .collect();
        assert_eq!(
            signed, expected,
            "four cast and one challenged, distinct credentials"
        );
    }

    #[test]
    fn the_v5_structural_mutations_apply_and_fail() {
        let (log, check) = structural(&[5, 0, 0]);
        assert!(
            log.first().is_some_and(|l| l.starts_with("move the roll")),
            "{log:?}"
        );
        // Without signing again, the round opening's read head (the head after the roll) is
        // no longer on the board: check 2 fails first.
        assert_eq!(check, Some(Check::Authorship));
        let (log, check) = structural(&[6, 0, 1]);
        assert!(
            log.first()
                .is_some_and(|l| l.starts_with("swap the credentials")),
            "{log:?}"
        );
        assert_eq!(check, Some(Check::Eligibility));
    }

    #[test]
    fn signers_sign_the_roll_entry() {
        let (record, _, signers) = record_fixture_with_signers();
        let entries = record.entries();
        let k = entries
            .iter()
            .position(|e| e.kind() == crate::board::EntryKind::Roll)
            .expect("a roll entry");
        let again = signers.with_body(entries, k, entries.get(k).expect("roll").body().to_vec());
        assert_eq!(again.author(), crate::board::Author::CREDENTIAL_AUTHORITY);
        // The roll moved after the round opening and every entry signed again: what fails
        // is the roll's place, not a signature.
        let open = entries
            .iter()
            .position(|e| e.kind() == crate::board::EntryKind::RoundOpen)
            .expect("a round opening");
        let mut edited = entries.to_vec();
        let roll = edited.remove(k);
        edited.insert(open, roll);
        let rechained = signers.rechain(&record, edited);
        let failure = crate::verify::verify_record(&rechained).failure;
        assert!(
            failure
                .as_ref()
                .is_some_and(|f| matches!(f.check, Check::Roll | Check::Sequence)),
            "the roll moved after the opening and signed again: {failure:?}"
        );
    }
}
