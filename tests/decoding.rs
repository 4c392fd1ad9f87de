//! Decoding is validation: every decoder rejects every malformed input with the exact typed
//! error, never panics, never allocates for a hostile count, and re-encodes every input it
//! accepts to the same bytes.
//!
//! Invalid point encodings are the RFC 9496 Appendix A.2 vectors (non-canonical field
//! encodings, negative field elements, non-square x², negative xy, s = −1), plus p + k for
//! small k and valid points with the unused top bit set.

#[path = "support/hand.rs"]
mod hand;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::{Arc, LazyLock};

use curve25519_dalek::scalar::Scalar;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use tabella::ballot::{BallotContext, BallotId, ContestSpec, EncryptedBallot, Selection};
use tabella::credential::{CredentialSecret, Eligibility, Roll, SecondBallot};
use tabella::domain::ObjectKind;
use tabella::domain::label;
use tabella::elgamal::{Ciphertext, Nonce, PublicKey, SecretKey};
use tabella::encoding::header::{HEADER_LEN, header};
use tabella::error::Error;
use tabella::group::{Point, decode_scalar};
use tabella::proofs::membership::MAX_BRANCHES;
use tabella::proofs::{
    DleqProof, DleqStatement, MembershipProof, MembershipStatement, SchnorrProof, SchnorrStatement,
};
use tabella::transcript::ElectionContext;

use hand::{Field, Kind};

// ---------------------------------------------------------------------------------------------
// Allocation counter (per thread, so parallel tests do not disturb each other)
// ---------------------------------------------------------------------------------------------

struct CountingAllocator;

thread_local! {
    static ALLOCATED: Cell<usize> = const { Cell::new(0) };
}

fn note_allocation(bytes: usize) {
    let _ = ALLOCATED.try_with(|a| a.set(a.get().saturating_add(bytes)));
}

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_allocation(layout.size());
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_allocation(layout.size());
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_allocation(new_size.saturating_sub(layout.size()));
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Runs `f` and returns how many bytes it allocated on this thread.
fn allocated_by<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCATED.with(Cell::get);
    let out = f();
    (out, ALLOCATED.with(Cell::get) - before)
}

// ---------------------------------------------------------------------------------------------
// Decoders and a corpus of valid encodings
// ---------------------------------------------------------------------------------------------

/// Every decoder of the foundation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Decoder {
    Point,
    Scalar,
    Ciphertext,
    PublicKey,
    SecretKey,
    Nonce,
    Schnorr,
    Dleq,
    Membership(usize),
    Ballot,
}

const DECODERS: [Decoder; 13] = [
    Decoder::Point,
    Decoder::Scalar,
    Decoder::Ciphertext,
    Decoder::PublicKey,
    Decoder::SecretKey,
    Decoder::Nonce,
    Decoder::Schnorr,
    Decoder::Dleq,
    Decoder::Membership(1),
    Decoder::Membership(2),
    Decoder::Membership(3),
    Decoder::Membership(5),
    Decoder::Ballot,
];

impl Decoder {
    /// Decodes and re-encodes.
    fn round_trip(self, bytes: &[u8]) -> Result<Vec<u8>, Error> {
        Ok(match self {
            Decoder::Point => Point::decode("point", bytes)?.to_bytes().to_vec(),
            Decoder::Scalar => decode_scalar("scalar", bytes)?.to_bytes().to_vec(),
            Decoder::Ciphertext => Ciphertext::from_bytes(bytes)?.to_bytes().to_vec(),
            Decoder::PublicKey => PublicKey::from_bytes(bytes)?.to_bytes().to_vec(),
            Decoder::SecretKey => SecretKey::from_bytes(bytes)?.to_bytes().to_vec(),
            Decoder::Nonce => Nonce::from_bytes(bytes)?.to_bytes().to_vec(),
            Decoder::Schnorr => SchnorrProof::from_bytes(bytes)?.to_bytes().to_vec(),
            Decoder::Dleq => DleqProof::from_bytes(bytes)?.to_bytes().to_vec(),
            Decoder::Membership(k) => MembershipProof::from_bytes(bytes, k)?.to_bytes(),
            Decoder::Ballot => EncryptedBallot::from_bytes(bytes)?.to_bytes(),
        })
    }
}

/// Whether an error is one a decoder may return (never a verification error).
fn is_decoding_error(e: &Error) -> bool {
    matches!(
        e,
        Error::WrongLength { .. }
            | Error::TrailingBytes { .. }
            | Error::NonCanonicalPoint { .. }
            | Error::NonCanonicalScalar { .. }
            | Error::IdentityPoint { .. }
            | Error::InvalidValue { .. }
            | Error::NotTabella { .. }
            | Error::WrongKind { .. }
            | Error::UnsupportedVersion { .. }
    )
}

/// A decoder, and its input cut into fields by the decoder's reads.
#[derive(Clone, Copy, Debug)]
enum Shape {
    /// One whole 32-byte value decoded with `try_into`: any other length is `WrongLength`.
    Whole(&'static str),
    /// Fields read in sequence, then a trailing-bytes check under this name.
    Fields(&'static [(&'static str, usize)], &'static str),
    /// A membership proof: one length check for the whole proof.
    Membership,
    /// A ballot: header, counts, ciphertexts, proofs.
    Ballot,
}

/// A valid encoding, its decoder, and its 32-byte point and scalar fields.
#[derive(Clone, Debug)]
struct Sample {
    name: &'static str,
    decoder: Decoder,
    shape: Shape,
    bytes: Vec<u8>,
    fields: Vec<Field>,
}

fn one_field(name: &str, what: &'static str, offset: usize, kind: Kind) -> Field {
    Field {
        name: name.into(),
        what,
        offset,
        kind,
        part: None,
    }
}

static CORPUS: LazyLock<Vec<Sample>> = LazyLock::new(|| {
    let mut rng = hand::rng(1);
    let election = ElectionContext::new([0x77; 32]);
    let sk = SecretKey::generate(&mut rng);
    let pk = sk.public_key();
    let (ciphertext, nonce) = pk.encrypt(1, &mut rng);

    let schnorr = SchnorrProof::prove(
        &mut election.transcript(label::CEREMONY_COMM_KEY),
        &SchnorrStatement {
            public: pk.as_point(),
        },
        &sk,
        &mut rng,
    );
    let x: Scalar = Option::from(Scalar::from_canonical_bytes(*sk.to_bytes())).unwrap();
    let h = Point::from(hand::random_point(&mut rng));
    let d = Point::from(h.element() * x);
    let dleq = DleqProof::prove(
        &mut election.transcript(label::PARTIAL_DECRYPTION),
        &DleqStatement {
            base: &h,
            left: pk.as_point(),
            right: &d,
        },
        &sk,
        &mut rng,
    );
    let membership = |set: &[u64]| {
        let (c, r) = pk.encrypt(set[0], &mut hand::rng(set.len() as u64));
        MembershipProof::prove(
            &mut election.transcript(label::BALLOT),
            &MembershipStatement {
                key: &pk,
                ciphertext: &c,
                set,
            },
            set[0],
            &r,
            &mut hand::rng(7),
        )
        .unwrap()
        .to_bytes()
    };
    // A roll of three, for the ballot with a credential (signed by its first member).
    let (roll, members) = Roll::issue(3, &mut rng).unwrap();
    let eligibility = Eligibility {
        roll: Arc::new(roll),
        second_ballot: SecondBallot::Refused,
    };
    let ballot = |contest: ContestSpec,
                  chosen: &[u32],
                  credential: Option<&CredentialSecret>,
                  rng: &mut rand_chacha::ChaCha20Rng| {
        let ctx = BallotContext {
            election: &election,
            key: &pk,
            round: 1,
            contest: &contest,
            eligibility: credential.map(|_| &eligibility),
        };
        let selection = Selection::new(&contest, chosen).unwrap();
        EncryptedBallot::encrypt(&ctx, &selection, BallotId::random(rng), credential, rng)
            .unwrap()
            .0
            .to_bytes()
    };
    let small_ballot = ballot(
        ContestSpec::choose_one(0, 2, false).unwrap(),
        &[1],
        None,
        &mut rng,
    );
    let range_ballot = ballot(
        ContestSpec::new(1, 2, 0, 2, false).unwrap(),
        &[0, 1],
        Some(&members[0]),
        &mut rng,
    );
    // Layout 2 (one-out-of-many, two digits): 20 candidates for a box of 10⁶, signed.
    let one_of_many_ballot = ballot(
        ContestSpec::choose_one(2, 20, false)
            .unwrap()
            .with_capacity(1_000_000),
        &[13],
        Some(&members[1]),
        &mut rng,
    );

    let scalar = |name: &'static str, bytes: Vec<u8>, decoder, what| Sample {
        name,
        decoder,
        shape: Shape::Whole(what),
        bytes,
        fields: vec![one_field(what, what, 0, Kind::Scalar)],
    };
    vec![
        Sample {
            name: "point",
            decoder: Decoder::Point,
            shape: Shape::Whole("point"),
            bytes: pk.to_bytes().to_vec(),
            fields: vec![one_field("point", "point", 0, Kind::Point)],
        },
        scalar("scalar", x.to_bytes().to_vec(), Decoder::Scalar, "scalar"),
        Sample {
            name: "public key",
            decoder: Decoder::PublicKey,
            shape: Shape::Whole("public key"),
            bytes: pk.to_bytes().to_vec(),
            fields: vec![one_field("Y", "public key", 0, Kind::Point)],
        },
        scalar(
            "secret key",
            sk.to_bytes().to_vec(),
            Decoder::SecretKey,
            "secret key",
        ),
        scalar("nonce", nonce.to_bytes().to_vec(), Decoder::Nonce, "nonce"),
        Sample {
            name: "ciphertext",
            decoder: Decoder::Ciphertext,
            shape: Shape::Fields(
                &[("ciphertext alpha", 32), ("ciphertext beta", 32)],
                "ciphertext",
            ),
            bytes: ciphertext.to_bytes().to_vec(),
            fields: vec![
                one_field("alpha", "ciphertext alpha", 0, Kind::Point),
                one_field("beta", "ciphertext beta", 32, Kind::Point),
            ],
        },
        Sample {
            name: "Schnorr proof",
            decoder: Decoder::Schnorr,
            shape: Shape::Fields(
                &[("Schnorr commitment R", 32), ("Schnorr response s", 32)],
                "Schnorr proof",
            ),
            bytes: schnorr.to_bytes().to_vec(),
            fields: hand::schnorr_layout(),
        },
        Sample {
            name: "DLEQ proof",
            decoder: Decoder::Dleq,
            shape: Shape::Fields(
                &[
                    ("DLEQ commitment R1", 32),
                    ("DLEQ commitment R2", 32),
                    ("DLEQ response s", 32),
                ],
                "DLEQ proof",
            ),
            bytes: dleq.to_bytes().to_vec(),
            fields: hand::dleq_layout(),
        },
        Sample {
            name: "membership proof k=1",
            decoder: Decoder::Membership(1),
            shape: Shape::Membership,
            bytes: membership(&[1]),
            fields: hand::membership_layout(1, 0, ""),
        },
        Sample {
            name: "membership proof k=2",
            decoder: Decoder::Membership(2),
            shape: Shape::Membership,
            bytes: membership(&[0, 1]),
            fields: hand::membership_layout(2, 0, ""),
        },
        Sample {
            name: "membership proof k=3",
            decoder: Decoder::Membership(3),
            shape: Shape::Membership,
            bytes: membership(&[0, 1, 2]),
            fields: hand::membership_layout(3, 0, ""),
        },
        Sample {
            name: "ballot without credential",
            decoder: Decoder::Ballot,
            shape: Shape::Ballot,
            fields: hand::ballot_layout(&small_ballot),
            bytes: small_ballot,
        },
        Sample {
            name: "ballot with credential, range count",
            decoder: Decoder::Ballot,
            shape: Shape::Ballot,
            fields: hand::ballot_layout(&range_ballot),
            bytes: range_ballot,
        },
        Sample {
            name: "ballot with credential, one-of-many",
            decoder: Decoder::Ballot,
            shape: Shape::Ballot,
            fields: hand::ballot_layout(&one_of_many_ballot),
            bytes: one_of_many_ballot,
        },
    ]
});

fn samples_of(decoder: Decoder) -> impl Iterator<Item = &'static Sample> {
    CORPUS.iter().filter(move |s| s.decoder == decoder)
}

fn with_field(bytes: &[u8], at: usize, value: &[u8; 32]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[at..at + 32].copy_from_slice(value);
    out
}

// The corpus is valid and canonical, and its field tables cover every byte after the headers.
#[test]
fn corpus_round_trips() {
    for s in CORPUS.iter() {
        assert_eq!(
            s.decoder.round_trip(&s.bytes),
            Ok(s.bytes.clone()),
            "{}",
            s.name
        );
        let covered: usize = s.fields.len() * 32;
        let header = match s.shape {
            // The bytes before the first ciphertext, the form byte, and the u32 counts between
            // the proofs (form 0) or the radix and digits (form 1).
            Shape::Ballot => {
                let h = hand::ballot_header(&s.bytes);
                h.ciphertexts + 1 + 8 + 4 * h.proofs.len()
            }
            _ => 0,
        };
        assert_eq!(covered + header, s.bytes.len(), "{}: layout", s.name);
    }
}

// ---------------------------------------------------------------------------------------------
// Points
// ---------------------------------------------------------------------------------------------

fn hex32(s: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

/// RFC 9496 Appendix A.2: encodings that must not decode.
const RFC9496_BAD_ENCODINGS: [&str; 29] = [
    // Non-canonical field encodings.
    "00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "f3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    // Negative field elements.
    "0100000000000000000000000000000000000000000000000000000000000000",
    "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "ed57ffd8c914fb201471d1c3d245ce3c746fcbe63a3679d51b6a516ebebe0e20",
    "c34c4e1826e5d403b78e246e88aa051c36ccf0aafebffe137d148a2bf9104562",
    "c940e5a4404157cfb1628b108db051a8d439e1a421394ec4ebccb9ec92a8ac78",
    "47cfc5497c53dc8e61c91d17fd626ffb1c49e2bca94eed052281b510b1117a24",
    "f1c6165d33367351b0da8f6e4511010c68174a03b6581212c71c0e1d026c3c72",
    "87260f7a2f12495118360f02c26a470f450dadf34a413d21042b43b9d93e1309",
    // Non-square x².
    "26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371",
    "4eac077a713c57b4f4397629a4145982c661f48044dd3f96427d40b147d9742f",
    "de6a7b00deadc788eb6b6c8d20c0ae96c2f2019078fa604fee5b87d6e989ad7b",
    "bcab477be20861e01e4a0e295284146a510150d9817763caf1a6f4b422d67042",
    "2a292df7e32cababbd9de088d1d1abec9fc0440f637ed2fba145094dc14bea08",
    "f4a9e534fc0d216c44b218fa0c42d99635a0127ee2e53c712f70609649fdff22",
    "8268436f8c4126196cf64b3c7ddbda90746a378625f9813dd9b8457077256731",
    "2810e5cbc2cc4d4eece54f61c6f69758e289aa7ab440b3cbeaa21995c2f4232b",
    // Negative xy value.
    "3eb858e78f5a7254d8c9731174a94f76755fd3941c0ac93735c07ba14579630e",
    "a45fdc55c76448c049a1ab33f17023edfb2be3581e9c7aade8a6125215e04220",
    "d483fe813c6ba647ebbfd3ec41adca1c6130c2beeee9d9bf065c8d151c5f396e",
    "8a2e1d30050198c65a54483123960ccc38aef6848e1ec8f5f780e8523769ba32",
    "32888462f8b486c68ad7dd9610be5192bbeaf3b443951ac1a8118419d9fa097b",
    "227142501b9d4355ccba290404bde41575b037693cef1f438c47f8fbf35d1165",
    "5c37cc491da847cfeb9281d407efc41e15144c876e0170b499a96a22ed31e01e",
    "445425117cb8c90edcbc7c1cc0e74f747f2c1efa5630a967c64f287792a48a4b",
    // s = −1, which causes y = 0.
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
];

/// Every invalid point encoding the suite uses, with a description.
fn bad_points() -> Vec<(String, [u8; 32])> {
    let mut out: Vec<(String, [u8; 32])> = RFC9496_BAD_ENCODINGS
        .iter()
        .map(|h| (format!("RFC 9496 A.2 {h}"), hex32(h)))
        .collect();
    // p + k for k = 0 … 18: the non-canonical encodings of the field elements 0 … 18
    // (p itself is the non-canonical identity).
    let p = hand::field_prime();
    for k in 0u8..19 {
        let mut b = [0u8; 32];
        b[0] = k;
        out.push((format!("p + {k}"), hand::add_le(&p, &b).unwrap()));
    }
    // The top bit (bit 255) set on valid encodings: G, the identity, a random point.
    let g = Point::generator().to_bytes();
    let random = Point::from(hand::random_point(&mut hand::rng(2))).to_bytes();
    for (name, mut b) in [("G", g), ("identity", [0u8; 32]), ("random point", random)] {
        b[31] |= 0x80;
        out.push((format!("{name} with the top bit set"), b));
    }
    // The sign bit (the low bit of s): a valid encoding made negative.
    let mut b = g;
    b[0] |= 1;
    out.push(("G with the low (sign) bit set".into(), b));
    out
}

// Every non-canonical or invalid point encoding is rejected by every decoder, in every point
// field, with NonCanonicalPoint naming the field.
#[test]
fn non_canonical_points_are_rejected_everywhere() {
    let bad = bad_points();
    assert_eq!(bad.len(), 29 + 19 + 4);
    for s in CORPUS.iter() {
        for f in s.fields.iter().filter(|f| f.kind == Kind::Point) {
            for (name, b) in &bad {
                let bytes = with_field(&s.bytes, f.offset, b);
                assert_eq!(
                    s.decoder.round_trip(&bytes),
                    Err(Error::NonCanonicalPoint { what: f.what }),
                    "{}: {} <- {name}",
                    s.name,
                    f.name
                );
            }
        }
    }
}

// The identity is refused where the math forbids it (a public key, a ciphertext's α), also
// inside a ballot; its non-canonical encoding p is refused as non-canonical, not as identity.
#[test]
fn identity_is_rejected_where_forbidden() {
    assert_eq!(
        PublicKey::from_bytes(&[0; 32]),
        Err(Error::IdentityPoint { what: "public key" })
    );
    assert_eq!(
        PublicKey::from_point(Point::identity()),
        Err(Error::IdentityPoint { what: "public key" })
    );
    assert_eq!(
        PublicKey::from_bytes(&hand::field_prime()),
        Err(Error::NonCanonicalPoint { what: "public key" })
    );
    for s in CORPUS.iter() {
        for f in s.fields.iter().filter(|f| f.what == "ciphertext alpha") {
            assert_eq!(
                s.decoder
                    .round_trip(&with_field(&s.bytes, f.offset, &[0; 32])),
                Err(Error::IdentityPoint {
                    what: "ciphertext alpha"
                }),
                "{}: {}",
                s.name,
                f.name
            );
        }
        // β, commitments and a bare point may be the identity: they decode and re-encode.
        for f in s.fields.iter().filter(|f| {
            f.kind == Kind::Point && f.what != "ciphertext alpha" && f.what != "public key"
        }) {
            let bytes = with_field(&s.bytes, f.offset, &[0; 32]);
            assert_eq!(
                s.decoder.round_trip(&bytes),
                Ok(bytes),
                "{}: {}",
                s.name,
                f.name
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Scalars
// ---------------------------------------------------------------------------------------------

// Scalars ≥ ℓ are refused in every scalar field of every decoder: ℓ, ℓ + 1, 2²⁵⁵, 2²⁵⁶ − 1,
// and the field's own value plus ℓ, 2ℓ and 15ℓ (the same scalar mod ℓ: proof malleability).
#[test]
fn non_canonical_scalars_are_rejected_everywhere() {
    let l = hand::ell();
    let mut one = [0u8; 32];
    one[0] = 1;
    let mut top = [0u8; 32];
    top[31] = 0x80;
    let fixed = [
        ("l", l),
        ("l + 1", hand::add_le(&l, &one).unwrap()),
        ("2^255", top),
        ("2^256 - 1", [0xff; 32]),
    ];
    let mut checked = 0;
    for s in CORPUS.iter() {
        for f in s.fields.iter().filter(|f| f.kind == Kind::Scalar) {
            let own = hand::read32(&s.bytes, f.offset);
            let mut values: Vec<(String, [u8; 32])> =
                fixed.iter().map(|(n, v)| (n.to_string(), *v)).collect();
            let mut multiple = own;
            for k in 1..=15 {
                multiple = hand::add_le(&multiple, &l).unwrap();
                if [1, 2, 15].contains(&k) {
                    values.push((format!("own value + {k}l"), multiple));
                }
            }
            for (name, v) in values {
                assert_eq!(
                    s.decoder.round_trip(&with_field(&s.bytes, f.offset, &v)),
                    Err(Error::NonCanonicalScalar { what: f.what }),
                    "{}: {} <- {name}",
                    s.name,
                    f.name
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "{checked}");
    // ℓ − 1 is the largest canonical scalar.
    let top_scalar = (-Scalar::ONE).to_bytes();
    assert_eq!(
        decode_scalar("s", &top_scalar).map(|s| s.to_bytes()),
        Ok(top_scalar)
    );
}

// Zero is not a secret key or a nonce.
#[test]
fn zero_secret_key_and_nonce_are_rejected() {
    assert_eq!(
        SecretKey::from_bytes(&[0; 32]).map(|_| ()),
        Err(Error::InvalidValue {
            what: "secret key",
            reason: "zero is not a valid secret key"
        })
    );
    assert_eq!(
        Nonce::from_bytes(&[0; 32]).map(|_| ()),
        Err(Error::InvalidValue {
            what: "nonce",
            reason: "zero is not a valid nonce"
        })
    );
    // ℓ ≡ 0 is refused as non-canonical rather than accepted as zero.
    assert_eq!(
        SecretKey::from_bytes(&hand::ell()).map(|_| ()),
        Err(Error::NonCanonicalScalar { what: "secret key" })
    );
}

// ---------------------------------------------------------------------------------------------
// Lengths
// ---------------------------------------------------------------------------------------------

/// The error a decoder must give for the first `cut` bytes of `full`.
fn truncation_error(s: &Sample, cut: usize) -> Error {
    let len = s.bytes.len();
    assert!(cut < len);
    match s.shape {
        Shape::Whole(what) => Error::WrongLength {
            what,
            expected: 32,
            actual: cut,
        },
        Shape::Fields(fields, _) => {
            let mut at = 0;
            for (what, size) in fields {
                if cut < at + size {
                    return Error::WrongLength {
                        what,
                        expected: *size,
                        actual: cut - at,
                    };
                }
                at += size;
            }
            unreachable!()
        }
        Shape::Membership => Error::WrongLength {
            what: "membership proof",
            expected: len,
            actual: cut,
        },
        Shape::Ballot => ballot_truncation_error(&s.bytes, cut),
    }
}

/// The reads of `EncryptedBallot::read`, in order, on a prefix of a valid ballot.
fn ballot_truncation_error(full: &[u8], cut: usize) -> Error {
    // The header first: a prefix shorter than the header is not a tabella object.
    if cut < HEADER_LEN {
        return Error::NotTabella {
            expected: ObjectKind::Ballot,
        };
    }
    let h = hand::ballot_header(full);
    // Each step: a fixed-size read, or a count whose items must fit in what is left.
    enum Step {
        Read(&'static str, usize),
        Count(&'static str, usize, usize),
        Proof(usize),
        OneOfMany(usize),
    }
    let mut steps = vec![
        Step::Read("ballot id", 32),
        Step::Read("credential flag", 1),
    ];
    if h.credential {
        steps.push(Step::Read("credential", 32));
    }
    steps.push(Step::Count("ballot ciphertexts", h.width, 64));
    for _ in 0..h.width {
        steps.push(Step::Read("ciphertext alpha", 32));
        steps.push(Step::Read("ciphertext beta", 32));
    }
    steps.push(Step::Read("proof form", 1));
    if let Some((_, e, d)) = h.one_of_many {
        steps.push(Step::Read("proof radix", 4));
        steps.push(Step::Read("proof digits", 4));
        steps.push(Step::OneOfMany(32 * (4 + 2 * d + d * (e - 1) + 3)));
    } else {
        steps.push(Step::Count(
            "ballot proofs",
            h.proofs.len(),
            4 + MembershipProof::encoded_len(1),
        ));
        for &(_, k) in &h.proofs {
            steps.push(Step::Read("proof branches", 4));
            steps.push(Step::Proof(MembershipProof::encoded_len(k)));
        }
        steps.push(Step::Read("proof branches", 4));
        steps.push(Step::Proof(MembershipProof::encoded_len(h.branches)));
    }
    if h.credential {
        steps.push(Step::Read("Schnorr commitment R", 32));
        steps.push(Step::Read("Schnorr response s", 32));
    }
    let mut at = HEADER_LEN;
    for step in steps {
        let (what, size) = match step {
            Step::Read(what, size) => (what, size),
            Step::Proof(size) => ("membership proof", size),
            Step::OneOfMany(size) => ("one-of-many proof", size),
            Step::Count(what, count, item) => {
                if cut < at + 4 {
                    return Error::WrongLength {
                        what,
                        expected: 4,
                        actual: cut - at,
                    };
                }
                at += 4;
                if count * item > cut - at {
                    return Error::InvalidValue {
                        what,
                        reason: "count exceeds the remaining bytes",
                    };
                }
                continue;
            }
        };
        if cut < at + size {
            return Error::WrongLength {
                what,
                expected: size,
                actual: cut - at,
            };
        }
        at += size;
    }
    unreachable!()
}

// Every truncation of every encoding fails with WrongLength (or InvalidValue for a ballot
// count that no longer fits) naming the field being read, with the exact lengths.
#[test]
fn every_truncation_names_the_field() {
    for s in CORPUS.iter() {
        for cut in 0..s.bytes.len() {
            assert_eq!(
                s.decoder.round_trip(&s.bytes[..cut]),
                Err(truncation_error(s, cut)),
                "{}: first {cut} bytes",
                s.name
            );
        }
    }
}

// Every extension of every encoding fails: TrailingBytes counting the extra bytes, or
// WrongLength for the whole-value decoders.
#[test]
fn every_extension_is_rejected() {
    for s in CORPUS.iter() {
        for extra in [1, 2, 31, 32, 64, 224, 1000] {
            let mut bytes = s.bytes.clone();
            bytes.extend(std::iter::repeat_n(0u8, extra));
            let expected = match s.shape {
                Shape::Whole(what) => Error::WrongLength {
                    what,
                    expected: 32,
                    actual: 32 + extra,
                },
                Shape::Fields(_, what) => Error::TrailingBytes { what, extra },
                Shape::Membership => Error::TrailingBytes {
                    what: "membership proof",
                    extra,
                },
                Shape::Ballot => Error::TrailingBytes {
                    what: "encrypted ballot",
                    extra,
                },
            };
            assert_eq!(
                s.decoder.round_trip(&bytes),
                Err(expected),
                "{}: {extra} extra bytes",
                s.name
            );
        }
    }
}

// A membership proof decoded with the wrong number of branches, or an impossible one, fails.
#[test]
fn membership_branch_count_is_checked() {
    let two = &samples_of(Decoder::Membership(2)).next().unwrap().bytes;
    // Read as one branch, z₀ is the bytes of A₁: refused as a scalar unless they happen to
    // be below ℓ, and then the rest is trailing.
    let a1_is_a_scalar = decode_scalar("z", &two[64..96]).is_ok();
    assert_eq!(
        MembershipProof::from_bytes(two, 1),
        Err(if a1_is_a_scalar {
            Error::TrailingBytes {
                what: "membership proof",
                extra: 224 - 96,
            }
        } else {
            Error::NonCanonicalScalar {
                what: "membership response z",
            }
        })
    );
    assert_eq!(
        MembershipProof::from_bytes(two, 3),
        Err(Error::WrongLength {
            what: "membership proof",
            expected: 352,
            actual: 224
        })
    );
    for k in [0, MAX_BRANCHES + 1, usize::MAX] {
        let (result, allocated) = allocated_by(|| MembershipProof::from_bytes(two, k));
        assert_eq!(
            result,
            Err(Error::InvalidValue {
                what: "membership proof",
                reason: "must have between 1 and 1024 branches"
            })
        );
        assert_eq!(allocated, 0, "k = {k}");
    }
    let (result, allocated) = allocated_by(|| MembershipProof::from_bytes(two, MAX_BRANCHES));
    assert_eq!(
        result,
        Err(Error::WrongLength {
            what: "membership proof",
            expected: MembershipProof::encoded_len(MAX_BRANCHES),
            actual: 224
        })
    );
    assert_eq!(allocated, 0);
}

// ---------------------------------------------------------------------------------------------
// Ballot header
// ---------------------------------------------------------------------------------------------

fn small_ballot() -> &'static [u8] {
    &CORPUS
        .iter()
        .find(|s| s.name == "ballot without credential")
        .unwrap()
        .bytes
}

/// Which u32 count of a ballot encoding to replace.
#[derive(Clone, Copy)]
enum CountField {
    /// The ciphertext count m.
    Ciphertexts,
    /// The number of ciphertext proofs p.
    Proofs,
    /// The branch count of the first ciphertext proof.
    FirstBranches,
    /// The branch count of the count proof.
    CountBranches,
}

/// A ballot with one of its counts replaced.
fn with_count(ballot: &[u8], field: CountField, value: u32) -> Vec<u8> {
    let h = hand::ballot_header(ballot);
    let at = match field {
        CountField::Ciphertexts => h.ciphertexts - 4,
        CountField::Proofs => h.option_proofs - 8,
        CountField::FirstBranches => h.option_proofs - 4,
        CountField::CountBranches => h.count_proof - 4,
    };
    let mut out = ballot.to_vec();
    out[at..at + 4].copy_from_slice(&value.to_le_bytes());
    out
}

// A credential flag other than 0 or 1 is refused.
#[test]
fn invalid_credential_flag_is_rejected() {
    for flag in [2u8, 3, 0x7f, 0x80, 0xff] {
        let mut bytes = small_ballot().to_vec();
        bytes[HEADER_LEN + 32] = flag;
        assert_eq!(
            EncryptedBallot::from_bytes(&bytes),
            Err(Error::InvalidValue {
                what: "credential flag",
                reason: "must be 0 or 1"
            }),
            "flag {flag}"
        );
    }
}

// Hostile counts (u32::MAX ciphertexts or branches with a few bytes behind them, zero, one
// too many) fail with a typed error and without allocating.
#[test]
fn hostile_counts_error_without_allocating() {
    use CountField::*;
    let ballot = small_ballot();
    let invalid = |what, reason| Error::InvalidValue { what, reason };
    let too_many = invalid("ballot ciphertexts", "count exceeds the remaining bytes");
    let branches = invalid("membership proof", "must have between 1 and 1024 branches");
    // A tiny input claiming u32::MAX ciphertexts.
    let mut tiny = header(ObjectKind::Ballot).to_vec();
    tiny.extend_from_slice(&[0u8; 33]);
    tiny.extend_from_slice(&u32::MAX.to_le_bytes());
    tiny.extend_from_slice(&[0x55; 100]);
    // A count of 1026 ciphertexts with enough bytes behind it.
    let mut big = with_count(ballot, Ciphertexts, 1026);
    big.resize(HEADER_LEN + 37 + 1026 * 64, 0);
    let h = hand::ballot_header(ballot);
    let cases = [
        ("u32::MAX ciphertexts, few bytes", tiny, too_many.clone()),
        (
            "u32::MAX ciphertexts",
            with_count(ballot, Ciphertexts, u32::MAX),
            too_many.clone(),
        ),
        (
            "0 ciphertexts",
            with_count(ballot, Ciphertexts, 0),
            invalid("encrypted ballot", "ciphertext count out of range"),
        ),
        (
            "1026 ciphertexts",
            big,
            invalid("encrypted ballot", "ciphertext count out of range"),
        ),
        (
            "u32::MAX proofs",
            with_count(ballot, Proofs, u32::MAX),
            invalid("ballot proofs", "count exceeds the remaining bytes"),
        ),
        (
            "3 proofs for 2 ciphertexts",
            with_count(ballot, Proofs, 3),
            invalid(
                "encrypted ballot",
                "more ciphertext proofs than ciphertexts",
            ),
        ),
        (
            "u32::MAX branches",
            with_count(ballot, FirstBranches, u32::MAX),
            branches.clone(),
        ),
        (
            "0 branches",
            with_count(ballot, CountBranches, 0),
            branches.clone(),
        ),
        (
            "1025 branches",
            with_count(ballot, CountBranches, 1025),
            branches.clone(),
        ),
        (
            "1024 branches",
            with_count(ballot, CountBranches, 1024),
            Error::WrongLength {
                what: "membership proof",
                expected: MembershipProof::encoded_len(1024),
                actual: ballot.len() - h.count_proof,
            },
        ),
    ];
    // Junk, another kind of object, another protocol version: told apart by the header.
    let mut junk = ballot.to_vec();
    junk[0] ^= 0xff;
    let mut record_header = ballot.to_vec();
    record_header[..HEADER_LEN].copy_from_slice(&header(ObjectKind::Record));
    let mut old = ballot.to_vec();
    old[3] = 2;
    let header_cases = [
        (
            "junk",
            junk,
            Error::NotTabella {
                expected: ObjectKind::Ballot,
            },
        ),
        (
            "a record's header",
            record_header,
            Error::WrongKind {
                expected: ObjectKind::Ballot,
                found: Some(ObjectKind::Record),
            },
        ),
        (
            "version 2",
            old,
            Error::UnsupportedVersion {
                kind: ObjectKind::Ballot,
                version: 2,
            },
        ),
    ];
    for (name, bytes, expected) in cases.into_iter().chain(header_cases) {
        let (result, allocated) = allocated_by(|| EncryptedBallot::from_bytes(&bytes));
        assert_eq!(result, Err(expected), "{name}");
        // What a two-ciphertext ballot needs, never what the count claims.
        assert!(allocated < 16 * 1024, "{name}: allocated {allocated} bytes");
    }
    // The reader alone: a count that cannot fit is refused before anything is read.
    let (result, allocated) = allocated_by(|| {
        let mut r = tabella::group::Reader::new("list", &[0xff, 0xff, 0xff, 0xff, 0, 0]);
        r.count("n", 1)
    });
    assert_eq!(
        result,
        Err(Error::InvalidValue {
            what: "n",
            reason: "count exceeds the remaining bytes"
        })
    );
    assert_eq!(allocated, 0);
}

// ---------------------------------------------------------------------------------------------
// Exhaustive single-byte changes and property tests
// ---------------------------------------------------------------------------------------------

/// Decodes `bytes` with every decoder: no panic, only decoding errors, and every accepted
/// input re-encodes to itself.
fn check_every_decoder(bytes: &[u8]) -> Result<(), TestCaseError> {
    for decoder in DECODERS {
        match decoder.round_trip(bytes) {
            Ok(again) => prop_assert_eq!(&again[..], bytes, "{:?} re-encoding", decoder),
            Err(e) => prop_assert!(is_decoding_error(&e), "{:?}: {:?}", decoder, e),
        }
    }
    Ok(())
}

// Every single-byte change (xor 0x01, 0x80, 0xff) of every valid encoding is either refused
// with a decoding error or accepted as a value that re-encodes to exactly the changed bytes.
#[test]
fn every_single_byte_change_round_trips_or_fails() {
    let mut accepted = 0;
    for s in CORPUS.iter() {
        for at in 0..s.bytes.len() {
            for xor in [0x01u8, 0x80, 0xff] {
                let mut bytes = s.bytes.clone();
                bytes[at] ^= xor;
                match s.decoder.round_trip(&bytes) {
                    Ok(again) => {
                        assert_eq!(again, bytes, "{}: byte {at} ^ {xor:#04x}", s.name);
                        accepted += 1;
                    }
                    Err(e) => assert!(is_decoding_error(&e), "{}: {e:?}", s.name),
                }
            }
        }
    }
    assert!(accepted > 100, "{accepted}");
}

fn interesting_length() -> impl Strategy<Value = usize> {
    prop_oneof![
        0usize..700,
        prop::sample::select(vec![
            32,
            64,
            96,
            MembershipProof::encoded_len(1),
            MembershipProof::encoded_len(2),
            MembershipProof::encoded_len(3),
            MembershipProof::encoded_len(5),
        ]),
    ]
}

fn config(cases: u32, seed: u64) -> ProptestConfig {
    ProptestConfig {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(1024, 0xdec0de))]

    // Random bytes into every decoder: no panic, only decoding errors, canonical round trip.
    #[test]
    fn random_bytes_never_panic(bytes in interesting_length().prop_flat_map(|n| {
        prop::collection::vec(any::<u8>(), n)
    })) {
        check_every_decoder(&bytes)?;
    }
}

proptest! {
    #![proptest_config(config(1024, 0x5eed))]

    // Valid encodings with random single-byte changes into every decoder: no panic, only
    // decoding errors, and `encode(decode(b)) == b` whenever decoding succeeds.
    #[test]
    fn mutated_valid_encodings_round_trip_or_fail(
        which in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        value in any::<u8>(),
    ) {
        let s = which.get(&CORPUS[..]);
        let mut bytes = s.bytes.clone();
        let at = at.index(bytes.len());
        prop_assume!(bytes[at] != value);
        bytes[at] = value;
        check_every_decoder(&bytes)?;
    }

    // Random 32-byte strings decode as points exactly when dalek's ristretto decoding accepts
    // them, and as scalars exactly when they are below ℓ.
    #[test]
    fn point_and_scalar_decoding_agree_with_dalek(bytes in any::<[u8; 32]>()) {
        let dalek = curve25519_dalek::ristretto::CompressedRistretto(bytes).decompress();
        prop_assert_eq!(Point::decode("p", &bytes).is_ok(), dalek.is_some());
        let below_l = bytes.iter().rev().cmp(hand::ell().iter().rev()) == std::cmp::Ordering::Less;
        prop_assert_eq!(decode_scalar("s", &bytes).is_ok(), below_l);
    }
}
