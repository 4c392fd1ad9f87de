//! Packed contests of layout 2 (SPEC §6.3: one one-out-of-many proof, §5.5): elections built
//! with the library whose rounds are packed in several chunks or in one chunk of four
//! statements or more, ballots of contests with min = 0 (the blank statement), and tamperings
//! of a layout-2 ballot. The library only *builds* these; the verdicts are this verifier's,
//! compared with `tabella::verify::verify_record` and `EncryptedBallot::verify`.

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tabella::ballot::{BallotContext, BallotId, ContestSpec};
use tabella::ballot::{ChallengedBallot, EncryptedBallot, Selection};
use tabella::board::{Entry, EntryKind, MemoryStore};
use tabella::election::{
    Administrator, Authorities, BoardElection, Manifest, RoundKind, Trustee, simulate_ceremony,
};
use tabella::elgamal::SecretKey;
use tabella::fuzzing::Signers;
use tabella::rules::{Base, Comparison, ElectionRules, Fraction, MajorityRule, RuleSchedule};
use tabella::threshold::TrusteeIndex;
use tabella::transcript::ElectionContext;

use super::ballot::{Contest, Layout, verify_ballot};
use super::codec::Pt;
use super::objects::{Ballot, Proofs};
use super::tamper::{Board, Case, Form, Outcome};

/// A vote of a packed board: a candidate, or the abstention.
#[derive(Clone, Copy, Debug)]
pub enum Vote {
    For(u32),
    Abstain,
}

/// A one-round election without a roll (so that its ballots carry no signature, and an edit
/// of a proof is check 8, not check 7): `candidates` candidates, `eligible` members (the
/// capacity N of the round's contest, §10.4), 3 trustees (t = 2), privacy floor 2; the
/// `cast` ballots, then (when `challenge` holds) one challenged ballot for candidate 0, the
/// close, the three partials and the result.
pub fn packed_board(
    name: &str,
    candidates: usize,
    eligible: u64,
    cast: &[Vote],
    challenge: bool,
) -> Board {
    let mut rng = ChaCha20Rng::seed_from_u64(candidates as u64 * 1_000_003 + eligible);
    let rule = MajorityRule::new(
        Comparison::MoreThan,
        Fraction::new(1, 2).unwrap(),
        Base::PresentAndVoting,
    )
    .unwrap();
    let rules = ElectionRules::with_schedule(RuleSchedule::new([(1, rule)]).unwrap());
    let admin_key = SecretKey::generate(&mut rng);
    let admin = Administrator::new(admin_key.clone());
    let keys: Vec<SecretKey> = (0..3).map(|_| SecretKey::generate(&mut rng)).collect();
    let mut trustees: Vec<Trustee> = (1..=3u32)
        .zip(&keys)
        .map(|(i, key)| Trustee::new(TrusteeIndex::new(i).unwrap(), key.clone()))
        .collect();
    let authorities = Authorities::new(
        admin.public_key(),
        trustees.iter().map(Trustee::public_key).collect(),
    )
    .unwrap();
    let names: Vec<String> = (0..candidates).map(|i| format!("C{i}")).collect();
    let manifest = Manifest::builder(name)
        .members(eligible)
        .eligible(eligible)
        .candidates(names)
        .rules(rules)
        .threshold(2)
        .trustees(3)
        .privacy_floor(2)
        .authorities(authorities)
        .build()
        .unwrap();
    let mut board = BoardElection::open(MemoryStore::new()).unwrap();
    board
        .post(admin.manifest(&manifest, &mut rng).unwrap())
        .unwrap();
    simulate_ceremony(&mut board, &admin, &mut trustees, &mut rng).unwrap();
    let open = admin
        .open_round(board.replay(), board.head(), RoundKind::ChooseOne, &mut rng)
        .unwrap();
    board.post(open).unwrap();
    let ctx = board.round_context().unwrap();
    let contest = ctx.ballot_context().contest.clone();
    let selection = |vote: Vote| match vote {
        Vote::For(c) => Selection::new(&contest, &[c]).unwrap(),
        Vote::Abstain => Selection::abstain(&contest).unwrap(),
    };
    for vote in cast {
        let id = BallotId::random(&mut rng);
        let (ballot, _) =
            EncryptedBallot::encrypt(&ctx.ballot_context(), &selection(*vote), id, None, &mut rng)
                .unwrap();
        board.cast(&ballot).unwrap();
    }
    if challenge {
        let chosen = selection(Vote::For(0));
        let id = BallotId::random(&mut rng);
        let (ballot, nonces) =
            EncryptedBallot::encrypt(&ctx.ballot_context(), &chosen, id, None, &mut rng).unwrap();
        board
            .challenge(&ChallengedBallot::open(ballot, chosen, nonces))
            .unwrap();
    }
    let close = admin
        .close_round(board.replay(), board.head(), &mut rng)
        .unwrap();
    board.post(close).unwrap();
    for trustee in &mut trustees {
        let partial = trustee
            .decrypt(board.replay(), board.head(), &mut rng)
            .unwrap();
        board.post(partial).unwrap();
    }
    let result = admin
        .result(board.replay(), board.head(), &mut rng)
        .unwrap();
    board.post(result).unwrap();
    let record = board.record().unwrap();
    Board::new(name, record, Signers::new(admin_key, keys))
}

/// A board of the tests: (name, candidates, eligible N, the layout §6.3 gives: g
/// ciphertexts, w′ statements, radix (e, d)).
pub type PackedCase = (&'static str, usize, u64, usize, usize, (usize, usize));

/// The boards of the tests.
pub const BOARDS: [PackedCase; 3] = [
    // B = 10⁶ + 1, s = 2: 6 slots in 3 chunks.
    ("5 candidates, N = 10⁶", 5, 1_000_000, 3, 6, (6, 1)),
    // 21 slots in 11 chunks; w′ = 21 > 8: d = 2, e = 5, padded to N′ = 25.
    ("20 candidates, N = 10⁶", 20, 1_000_000, 11, 21, (5, 2)),
    // B = 172, s = 4: one chunk, but w′ = 4 > 3: layout 2.
    ("3 candidates, N = 171", 3, 171, 1, 4, (4, 1)),
];

/// The votes of a board of k candidates: one for each of the first three (or fewer), one
/// more for candidate 0, one abstention.
pub fn votes(k: usize) -> Vec<Vote> {
    let mut v: Vec<Vote> = (0..k.min(3) as u32).map(Vote::For).collect();
    v.push(Vote::For(0));
    v.push(Vote::Abstain);
    v
}

/// Where the one-out-of-many proof of a ballot body of m ciphertexts starts (§6.2): after
/// the header, the id, the credential flag (0), LE32(m), the ciphertexts, the form byte and
/// LE32(e) ‖ LE32(d).
fn proof_at(m: usize) -> usize {
    5 + 32 + 1 + 4 + 64 * m + 1 + 8
}

/// The parts of a one-out-of-many proof of radix (e, d) (§5.5), by name and offset from its
/// start: every point (32 bytes) and every scalar.
fn parts(e: usize, d: usize) -> Vec<(String, usize, bool)> {
    let mut out: Vec<(String, usize, bool)> = ["A-delta", "A-a", "A-m", "A-q"]
        .iter()
        .enumerate()
        .map(|(k, n)| (n.to_string(), 32 * k, true))
        .collect();
    for kappa in 0..d {
        out.push((format!("G_{kappa}^alpha"), 32 * (4 + 2 * kappa), true));
        out.push((format!("G_{kappa}^beta"), 32 * (5 + 2 * kappa), true));
    }
    let f_at = 4 + 2 * d;
    for j in 0..d {
        for i in 1..e {
            out.push((
                format!("f_{{{j},{i}}}"),
                32 * (f_at + j * (e - 1) + i - 1),
                false,
            ));
        }
    }
    let z_at = f_at + d * (e - 1);
    for (k, n) in ["z-delta", "z-m", "z"].iter().enumerate() {
        out.push((n.to_string(), 32 * (z_at + k), false));
    }
    out
}

/// The tamperings of the first cast ballot of a layout-2 board (and of its challenged ballot,
/// when it has one): each part of the one-out-of-many proof flipped (a point also replaced by
/// another valid point, so that an equation, not the decoder, refuses it; a scalar's low
/// byte flipped, which keeps it canonical), e or d changed, the form byte changed. All are
/// check 8 at the ballot (check 9 at the challenged ballot).
pub fn cases(b: &Board) -> Vec<Case> {
    let ballot_at = b.at(EntryKind::Ballot, 0);
    let body = b.body(ballot_at);
    let decoded = Ballot::decode(&body).unwrap();
    let m = decoded.cts.len();
    let Proofs::OneOfMany(proof) = &decoded.proofs else {
        panic!("{}: the ballot is not of form 1", b.name);
    };
    let (e, d) = (proof.e, proof.d);
    let start = proof_at(m);
    let form_at = start - 9;
    assert_eq!(body[form_at], 1, "the form byte");
    let mut out = Vec::new();
    let mut edit = |name: String, at: usize, change: &dyn Fn(&mut Vec<u8>)| {
        let mut body = b.body(at);
        change(&mut body);
        let mut entries = b.entries();
        entries[at] = Entry::voter(entries[at].kind(), body).unwrap();
        let check = if entries[at].kind() == EntryKind::Challenged {
            9
        } else {
            8
        };
        out.push(Case {
            name: format!("{}: {name}", b.name),
            form: Form::Binary(b.rechain(entries).to_bytes()),
            expected: Outcome::Fails(check, Some(at as u64)),
            library: None,
        });
    };
    let other_point = |bytes: &mut [u8]| {
        let p = tabella::curve25519_dalek::ristretto::CompressedRistretto(
            bytes[..32].try_into().unwrap(),
        )
        .decompress()
        .unwrap();
        let q = p + tabella::curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
        bytes[..32].copy_from_slice(q.compress().as_bytes());
    };
    let mut targets = vec![(ballot_at, start, "the ballot")];
    if let Some(&ch) = b.all(EntryKind::Challenged).first() {
        // The challenged entry: kind-7 header, then the ballot (§9).
        targets.push((ch, 5 + start, "the challenged ballot"));
    }
    for (at, start, what) in targets {
        for (part, offset, is_point) in parts(e, d) {
            let x = start + offset;
            edit(
                format!("{what}: one-out-of-many {part}: a byte flipped"),
                at,
                &|c| c[x] ^= 1,
            );
            if is_point {
                edit(
                    format!("{what}: one-out-of-many {part}: another point"),
                    at,
                    &|c| other_point(&mut c[x..x + 32]),
                );
            }
        }
    }
    let start_e = start - 8;
    let set32 =
        |c: &mut Vec<u8>, at: usize, v: u32| c[at..at + 4].copy_from_slice(&v.to_le_bytes());
    // e + 1 (the proof no longer fits, or another radix); d changed; a radix §6.2 admits but
    // that is not w′'s, with the proof cut or padded to its length (so that it decodes and the
    // radix rule of §5.5 refuses it).
    edit("e + 1".into(), ballot_at, &|c| {
        set32(c, start_e, e as u32 + 1)
    });
    edit("e − 1".into(), ballot_at, &|c| {
        set32(c, start_e, e as u32 - 1)
    });
    edit("d = 3 − d".into(), ballot_at, &|c| {
        set32(c, start_e + 4, 3 - d as u32)
    });
    let other = if d == 1 { (e + 1, 1) } else { (e + 1, 2) };
    let other = if super::proofs::admissible_radix(other.0, other.1) {
        other
    } else {
        (e - 1, d)
    };
    let len = |e: usize, d: usize| super::proofs::OneOfMany::len(e, d);
    edit(
        format!(
            "radix ({}, {}), admissible but not w′'s, the proof resized",
            other.0, other.1
        ),
        ballot_at,
        &|c| {
            set32(c, start_e, other.0 as u32);
            set32(c, start_e + 4, other.1 as u32);
            let (old, new) = (len(e, d), len(other.0, other.1));
            let mut proof = c[start..start + old].to_vec();
            proof.resize(new, 0);
            // Keep every point and scalar canonical: the new tail is zeros (the identity and
            // the scalar 0).
            c.splice(start..start + old, proof);
        },
    );
    for form in [0u8, 2, 255] {
        edit(format!("the form byte {form}"), ballot_at, &|c| {
            c[form_at] = form
        });
    }
    out
}

/// §6.3 by this verifier for a contest of the library's, at the ballot level: ballots of
/// every selection, encrypted by the library, verify here and with the library; returns the
/// layout.
pub fn ballots_verify(contest: &ContestSpec, ours: Contest) -> Layout {
    let mut rng = ChaCha20Rng::seed_from_u64(ours.k * 31 + ours.min);
    let secret = SecretKey::generate(&mut rng);
    let key = secret.public_key();
    let election = ElectionContext::new([9; 32]);
    let ctx = BallotContext {
        election: &election,
        key: &key,
        round: 3,
        contest,
        eligibility: None,
    };
    let layout = Layout::of(&ours);
    let y = Pt::of(
        tabella::curve25519_dalek::ristretto::CompressedRistretto(key.to_bytes())
            .decompress()
            .unwrap(),
    );
    let mut selections: Vec<Vec<u32>> = (0..ours.k as u32).map(|c| vec![c]).collect();
    if ours.min == 0 {
        selections.push(Vec::new());
    }
    for chosen in &selections {
        let selection = Selection::new(contest, chosen).unwrap();
        let id = BallotId::random(&mut rng);
        let (ballot, _) = EncryptedBallot::encrypt(&ctx, &selection, id, None, &mut rng).unwrap();
        let bytes = ballot.to_bytes();
        assert!(
            ballot.verify(&ctx).is_ok(),
            "{ours:?} {chosen:?}: the library"
        );
        let read = Ballot::decode(&bytes).unwrap();
        verify_ballot(&[9; 32], &y, 3, &ours, &layout, &read)
            .unwrap_or_else(|e| panic!("{ours:?} {chosen:?}: {e}"));
        // Another round: both refuse it.
        let other = BallotContext { round: 4, ..ctx };
        assert!(
            EncryptedBallot::from_bytes(&bytes)
                .unwrap()
                .verify(&other)
                .is_err()
        );
        assert!(verify_ballot(&[9; 32], &y, 4, &ours, &layout, &read).is_err());
    }
    layout
}
