//! Tampered boards, each with the verdict the SPEC gives it: the check that fails and the
//! position of the entry (§13), validity, or a record that does not decode (§12, §14.1).
//!
//! Edits behind the signatures are made as an operator who holds every key would make them
//! (`tabella::fuzzing::Signers`): the entries are changed, inserted, removed or moved, and
//! `Signers::rechain` makes every read head and signature valid again, so that what fails is
//! the check the edit breaks. Edits of the signatures themselves are not re-signed.

use tabella::board::chain::Head;
use tabella::board::{Author, Entry, EntryKind};
use tabella::fuzzing::Signers;
use tabella::record::BoardRecord;

use super::objects::Challenged as Opened;
use super::verify::{self, Verdict};

/// A small two-round election with a withdrawal: 8 members, 3 trustees (t = 2), privacy
/// floor 3; round 1 A 3, B 2, C 1 (nobody has more than half), C withdraws, round 2 A 4, B 2,
/// one abstention (A elected).
pub const SMALL: &str = r#"{"title": "small", "members": 8, "eligible": 8, "trustees": 3, "threshold": 2,
    "candidates": ["A", "B", "C"], "privacy_floor": 3,
    "rules": [{"from_round": 1, "more_than": [1, 2], "of": "present_and_voting"}],
    "rounds": [
      {"ballot": "choose_one", "votes": {"A": 3, "B": 2, "C": 1}, "abstain": 0},
      {"withdrawn": ["C"], "ballot": "choose_one", "votes": {"A": 4, "B": 2}, "abstain": 1}]}"#;

/// A board and the keys of its parties.
pub struct Board {
    pub name: String,
    pub record: BoardRecord,
    pub signers: Signers,
}

impl Board {
    pub fn new(name: &str, record: BoardRecord, signers: Signers) -> Board {
        Board {
            name: name.into(),
            record,
            signers,
        }
    }

    pub fn entries(&self) -> Vec<Entry> {
        self.record.entries().to_vec()
    }

    /// The positions of the entries of `kind`.
    pub fn all(&self, kind: EntryKind) -> Vec<usize> {
        let entries = self.record.entries().iter().enumerate();
        entries
            .filter(|(_, e)| e.kind() == kind)
            .map(|(k, _)| k)
            .collect()
    }

    /// The position of the `n`-th entry of `kind` (from 0).
    pub fn at(&self, kind: EntryKind, n: usize) -> usize {
        self.all(kind)[n]
    }

    /// Entry `k` with another body: signed again by its author (a voter's entry is not
    /// signed), naming the head it named.
    pub fn with_body(&self, k: usize, body: Vec<u8>) -> Entry {
        let entries = self.record.entries();
        let e = &entries[k];
        match e.signature() {
            None => Entry::voter(e.kind(), body).unwrap(),
            Some(sig) => self
                .signers
                .sign(&entries[0], e.kind(), e.author(), body, *sig.read()),
        }
    }

    /// A signed entry by `author`, naming head₋₁ (made valid by [`Board::rechain`]).
    pub fn signed(&self, kind: EntryKind, author: Author, body: Vec<u8>) -> Entry {
        let manifest = &self.record.entries()[0];
        self.signers
            .sign(manifest, kind, author, body, Head::genesis())
    }

    /// A new entry with the body and author of entry `k`, signed again (after
    /// [`Board::rechain`] it names the head before it): not a byte-for-byte replay of `k`.
    pub fn fresh(&self, k: usize) -> Entry {
        let entries = self.record.entries();
        let e = &entries[k];
        match e.signature() {
            None => e.clone(),
            Some(_) => {
                let unknown = Head([0x5a; 32]);
                let body = e.body().to_vec();
                self.signers
                    .sign(&entries[0], e.kind(), e.author(), body, unknown)
            }
        }
    }

    /// `entries` (an edit of this board's) with every read head and signature valid again.
    pub fn rechain(&self, entries: Vec<Entry>) -> BoardRecord {
        self.signers.rechain(&self.record, entries)
    }

    /// The body of entry `k`.
    pub fn body(&self, k: usize) -> Vec<u8> {
        self.record.entries()[k].body().to_vec()
    }
}

/// A verdict, in the terms both verifiers can be compared in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Valid,
    /// Check N fails at entry E.
    Fails(u8, Option<u64>),
    /// The record does not decode (at this entry, when one is named).
    NotARecord(Option<u64>),
}

/// A tampered board in one of its forms.
pub enum Form {
    Binary(Vec<u8>),
    Json(String),
}

pub struct Case {
    pub name: String,
    pub form: Form,
    pub expected: Outcome,
    /// A verdict of the library that differs from the SPEC's, known and reported (a finding):
    /// the case then checks that the library still gives it.
    pub library: Option<Outcome>,
}

/// The position an error message of the library's JSON decoder names ("record entry 7: …").
fn entry_in(message: &str) -> Option<u64> {
    let rest = message.split("record entry ").nth(1)?;
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

impl Case {
    /// The same board in its JSON form (§12.2), for a binary record that decodes.
    pub fn as_json(&self) -> Option<Case> {
        let Form::Binary(bytes) = &self.form else {
            return None;
        };
        let record = BoardRecord::from_bytes(bytes).ok()?;
        Some(Case {
            name: format!("{} (JSON)", self.name),
            form: Form::Json(serde_json::to_string(&record).unwrap()),
            expected: self.expected,
            library: self.library,
        })
    }

    /// This verifier's verdict, with the round of a failure and its reason.
    fn ours(&self) -> (Outcome, Option<u32>, String) {
        let verdict = match &self.form {
            Form::Binary(b) => verify::verify_bytes(b),
            Form::Json(t) => verify::verify_json(t),
        };
        match verdict {
            Verdict::NotARecord(e) => (Outcome::NotARecord(e.entry), None, e.reason),
            Verdict::Verified(v) => match v.failure {
                None => (Outcome::Valid, None, v.end),
                Some(f) => (Outcome::Fails(f.check, f.entry), f.round, f.detail),
            },
        }
    }

    /// The library's verdict, with the round of a failure and its error.
    fn library(&self) -> (Outcome, Option<u32>, String) {
        let decoded = match &self.form {
            Form::Binary(b) => BoardRecord::from_bytes(b).map_err(|e| {
                let entry = match &e {
                    tabella::Error::BoardCorrupted { entry, .. } => Some(*entry),
                    _ => None,
                };
                (entry, format!("{e:?}"))
            }),
            Form::Json(t) => serde_json::from_str::<BoardRecord>(t).map_err(|e| {
                let message = e.to_string();
                (entry_in(&message), message)
            }),
        };
        match decoded {
            Err((entry, e)) => (Outcome::NotARecord(entry), None, e),
            Ok(record) => match tabella::verify::verify_record(&record).failure {
                None => (Outcome::Valid, None, String::new()),
                Some(f) => (
                    Outcome::Fails(f.check.number(), f.entry),
                    f.round,
                    format!("{:?}", f.error),
                ),
            },
        }
    }

    /// Both verdicts and the SPEC's agree (the check, the entry, and between the verifiers the
    /// round); otherwise a line that says how they differ. (The library's JSON decoder names an
    /// entry only in some of its messages: where it names none, the position is not compared.)
    pub fn check(&self) -> Result<(), String> {
        let (ours, our_round, why) = self.ours();
        let (library, round, error) = self.library();
        let same = match (ours, library) {
            (Outcome::NotARecord(_), Outcome::NotARecord(None)) => {
                matches!(self.form, Form::Json(_)) || ours == library
            }
            (a, b) => a == b,
        };
        let library_ok = match self.library {
            None => same && our_round == round,
            Some(known) => library == known,
        };
        if library_ok && ours == self.expected {
            return Ok(());
        }
        Err(format!(
            "{}: this verifier {ours:?} round {our_round:?} ({why}); the library {library:?} \
             round {round:?} ({error}); the SPEC {:?}",
            self.name, self.expected
        ))
    }
}

fn case(board: &Board, name: &str, expected: Outcome, record: BoardRecord) -> Case {
    Case {
        name: format!("{}: {name}", board.name),
        form: Form::Binary(record.to_bytes()),
        expected,
        library: None,
    }
}

/// Entries of `board`, edited by `edit`, signed and chained again.
fn edited(
    board: &Board,
    name: &str,
    expected: Outcome,
    edit: impl FnOnce(&mut Vec<Entry>),
) -> Case {
    let mut entries = board.entries();
    edit(&mut entries);
    case(board, name, expected, board.rechain(entries))
}

/// The binary record of `board`, its bytes edited (nothing signed again).
fn raw(board: &Board, name: &str, expected: Outcome, edit: impl FnOnce(&mut Vec<u8>)) -> Case {
    let mut bytes = board.record.to_bytes();
    edit(&mut bytes);
    Case {
        name: format!("{}: {name}", board.name),
        form: Form::Binary(bytes),
        expected,
        library: None,
    }
}

/// The JSON record of `board`, edited as a JSON value.
fn json(
    board: &Board,
    name: &str,
    expected: Outcome,
    edit: impl FnOnce(&mut serde_json::Value),
) -> Case {
    let mut v = serde_json::to_value(&board.record).unwrap();
    edit(&mut v);
    Case {
        name: format!("{}: {name}", board.name),
        form: Form::Json(serde_json::to_string(&v).unwrap()),
        expected,
        library: None,
    }
}

fn fails(check: u8, entry: usize) -> Outcome {
    Outcome::Fails(check, Some(entry as u64))
}

/// Where entry `k` starts in the binary record (§12.1), after its LE32(len).
fn offset(record: &BoardRecord, k: usize) -> usize {
    5 + 4
        + record.entries()[..k]
            .iter()
            .map(|e| 4 + e.to_bytes().len())
            .sum::<usize>()
        + 4
}

/// The offsets of a result body's fields (§14.4): the totals, and what follows them.
fn result_totals(body: &[u8]) -> (usize, usize) {
    let le32 = |at: usize| u32::from_le_bytes(body[at..at + 4].try_into().unwrap()) as usize;
    let c = le32(4);
    let w_at = 8 + 4 * c;
    let w = le32(w_at);
    (w_at + 4, w_at + 4 + 8 * w)
}

fn set_u64(body: &mut [u8], at: usize, v: u64) {
    body[at..at + 8].copy_from_slice(&v.to_le_bytes());
}

fn get_u64(body: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(body[at..at + 8].try_into().unwrap())
}

/// The tamperings: the small election, the tie-for-lowest scenario (a tie resolved by lot),
/// the fuzzing fixture (a challenged ballot) and another election's board (for foreign
/// ceremony messages).
pub fn cases(small: &Board, tie: &Board, fixture: &Board, other: &Board) -> Vec<Case> {
    let mut out = Vec::new();
    out.extend(structure(small));
    out.extend(ceremony(small, other));
    out.extend(rounds(small));
    out.extend(decryption(small));
    out.extend(signatures(small));
    out.extend(ties(tie));
    out.extend(challenged(fixture));
    out.extend(open_questions(small, tie));
    out.extend(complaints(small));
    out.extend(credentials(small));
    out
}

/// Where a ballot's public credential S sits in its body (§6.2): after the header and the id,
/// and the credential flag.
const S_AT: usize = 5 + 32 + 1;

/// A ballot for the round open after `entries`, signed with `secret` (made for a roll of this
/// credential alone, so the library signs it whether or not it is on the board's roll).
fn ballot_signed_by(entries: &[Entry], secret: &tabella::credential::CredentialSecret) -> Entry {
    use rand_core::SeedableRng;
    use std::sync::Arc;
    use tabella::ballot::{BallotContext, BallotId, EncryptedBallot, Selection};
    use tabella::credential::{Eligibility, Roll, SecondBallot};
    let mut replay = tabella::election::Replay::new();
    let mut head = Head::genesis();
    for e in entries {
        replay.apply(e, &head).unwrap();
        head = head.next(&e.to_bytes());
    }
    let ctx = replay.open_round().expect("a round is open").context();
    let alone = Eligibility {
        roll: Arc::new(Roll::new([secret.public()]).unwrap()),
        second_ballot: SecondBallot::Refused,
    };
    let ctx = BallotContext {
        eligibility: Some(&alone),
        ..ctx
    };
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(17);
    let selection = Selection::new(ctx.contest, &[0]).unwrap();
    let id = BallotId::random(&mut rng);
    let (ballot, _) =
        EncryptedBallot::encrypt(&ctx, &selection, id, Some(secret), &mut rng).unwrap();
    Entry::voter(EntryKind::Ballot, ballot.to_bytes()).unwrap()
}

/// §16 and checks 4 and 7: credential attacks on a board with a roll (a second ballot
/// refused), by an operator holding every key, the credential authority's included.
fn credentials(b: &Board) -> Vec<Case> {
    use EntryKind::*;
    use rand_core::SeedableRng;
    let roll_at = b.at(Roll, 0);
    let open1 = b.at(RoundOpen, 0);
    let open2 = b.at(RoundOpen, 1);
    let round1 = b
        .all(Ballot)
        .into_iter()
        .filter(|k| *k < open2)
        .collect::<Vec<_>>();
    let round2 = b
        .all(Ballot)
        .into_iter()
        .filter(|k| *k > open2)
        .collect::<Vec<_>>();
    let s_of = |k: usize| -> [u8; 32] { b.body(k)[S_AT..S_AT + 32].try_into().unwrap() };
    let roll = b.body(roll_at);
    // §16.1: header ‖ LE32(n) ‖ n × S.
    let cell = |i: usize| 9 + 32 * i;
    let n = (roll.len() - 9) / 32;
    let other_s: [u8; 32] = (0..n)
        .map(|i| roll[cell(i)..cell(i + 1)].try_into().unwrap())
        .find(|s| *s != s_of(round1[0]))
        .unwrap();
    // A round-2 ballot and the round-1 ballot of the same credential.
    let (same_r1, same_r2) = round2
        .iter()
        .find_map(|&k2| {
            round1
                .iter()
                .find(|&&k1| s_of(k1) == s_of(k2))
                .map(|&k1| (k1, k2))
        })
        .expect("a member who voted in both rounds");
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(18);
    let operator = tabella::credential::CredentialSecret::generate(&mut rng);
    let first_ballot = round1[0];
    let stuffed = ballot_signed_by(&b.entries()[..first_ballot], &operator);
    let stuffed_again = stuffed.clone();
    vec![
        edited(
            b,
            "a ballot signed with a credential not on the roll (the operator's own)",
            fails(7, first_ballot),
            |e| e.insert(first_ballot, stuffed),
        ),
        edited(
            b,
            "the operator's round-1 ballot posted in round 2: its credential (check 7) before \
             its shape (check 8, §13)",
            fails(7, open2 + 1),
            |e| e.insert(open2 + 1, stuffed_again),
        ),
        edited(
            b,
            "a ballot's credential swapped for another roll entry's",
            fails(7, first_ballot),
            |e| {
                let mut body = b.body(first_ballot);
                body[S_AT..S_AT + 32].copy_from_slice(&other_s);
                e[first_ballot] = b.with_body(first_ballot, body);
            },
        ),
        edited(
            b,
            "a round-2 ballot with the signature of its member's round-1 ballot",
            fails(7, same_r2),
            |e| {
                let old = b.body(same_r1);
                let mut body = b.body(same_r2);
                let (n2, n1) = (body.len(), old.len());
                body[n2 - 64..].copy_from_slice(&old[n1 - 64..]);
                e[same_r2] = b.with_body(same_r2, body);
            },
        ),
        edited(
            b,
            "a second ballot of one credential in round 1, a second refused (a copy re-posted)",
            fails(7, round1[1] + 1),
            |e| e.insert(round1[1] + 1, e[round1[0]].clone()),
        ),
        edited(
            b,
            "the roll with its last credential removed, signed again by the credential authority",
            fails(4, roll_at),
            |e| {
                let mut body = roll.clone();
                body.truncate(body.len() - 32);
                body[5..9].copy_from_slice(&((n - 1) as u32).to_le_bytes());
                e[roll_at] = b.with_body(roll_at, body);
            },
        ),
        edited(
            b,
            "the roll with its first credential twice, signed again by the credential authority",
            fails(4, roll_at),
            |e| {
                let mut body = roll.clone();
                body.copy_within(cell(0)..cell(1), cell(1));
                e[roll_at] = b.with_body(roll_at, body);
            },
        ),
        edited(
            b,
            "the roll with a 33rd-byte-style extra credential (n + 1 credentials)",
            fails(4, roll_at),
            |e| {
                let mut body = roll.clone();
                let extra = operator.public().0;
                body.extend_from_slice(&extra);
                body[5..9].copy_from_slice(&((n + 1) as u32).to_le_bytes());
                e[roll_at] = b.with_body(roll_at, body);
            },
        ),
        edited(
            b,
            "the roll removed: round 1 opens without it",
            fails(4, open1 - 1),
            |e| {
                e.remove(roll_at);
            },
        ),
        edited(b, "a second roll entry", fails(4, roll_at + 1), |e| {
            let copy = b.fresh(roll_at);
            e.insert(roll_at + 1, copy);
        }),
        edited(
            b,
            "the roll after round 1 opened",
            fails(4, open1 - 1),
            |e| {
                let r = e.remove(roll_at);
                e.insert(open1, r);
            },
        ),
    ]
}

/// A key ceremony with a bad dealer (§11.1): on the small election's manifest and run,
/// trustees made with the library's DKG, trustee 3 dealing a bad share to trustee 1, who
/// complains. The complaint excludes dealer 3, QUAL = {1, 2}, and the keys are recomputed.
fn complaints(b: &Board) -> Vec<Case> {
    use rand_core::SeedableRng;
    use tabella::threshold::TrusteeIndex;
    use tabella::threshold::dkg::{self, CeremonyBoard, CeremonyContext};

    let original = b.entries();
    let manifest = tabella::election::Manifest::from_bytes(original[0].body()).unwrap();
    let run_at = b.at(EntryKind::CeremonyRun, 0);
    let run: [u8; 32] = original[run_at].body().try_into().unwrap();
    let params = manifest.threshold_params();
    let ctx = CeremonyContext::new(manifest.ceremony_context().unwrap(), params, run);
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
    let mut board = CeremonyBoard::new();
    let mut entries = original[..=run_at].to_vec();
    let trustee = |i: u32| Author::trustee(TrusteeIndex::new(i).unwrap());
    let post = |entries: &mut Vec<Entry>, i: u32, bytes: Vec<u8>| {
        entries.push(b.signed(EntryKind::CeremonyMessage, trustee(i), bytes));
    };
    let mut secrets = Vec::new();
    for i in params.indices() {
        let (secret, package) = dkg::part1(&ctx, i, &mut rng).unwrap();
        board.post_round1(&package).unwrap();
        post(&mut entries, i.get(), package.to_bytes());
        secrets.push(secret);
    }
    let victim = TrusteeIndex::new(1).unwrap();
    let mut round2 = Vec::new();
    for (k, secret) in secrets.into_iter().enumerate() {
        round2.push(
            match k {
                2 => dkg::part2_dealing_bad_share_for_tests_only(secret, &board, victim, &mut rng),
                _ => dkg::part2(secret, &board, &mut rng),
            }
            .unwrap(),
        );
    }
    for (k, (_, package)) in round2.iter().enumerate() {
        board.post_round2(package).unwrap();
        post(&mut entries, k as u32 + 1, package.to_bytes());
    }
    for (k, (secret, _)) in round2.into_iter().enumerate() {
        let (_, package) = dkg::part3(secret, &board, &mut rng).unwrap();
        board.post_round3(&package).unwrap();
        post(&mut entries, k as u32 + 1, package.to_bytes());
    }
    let body = keys_body(&entries);
    entries.push(b.signed(EntryKind::Keys, Author::ADMINISTRATOR, body));
    let opening = b.at(EntryKind::RoundOpen, 0);
    entries.push(original[opening].clone());
    let keys = entries.len() - 2;
    // Trustee 1's round-3 message: after the run, 3 + 3 messages, then it.
    let complaint = run_at + 7;
    let mut without = entries.clone();
    without.remove(complaint);
    let bad = b.rechain(entries);
    vec![
        case(
            b,
            "dealer 3 deals a bad share, trustee 1 complains: QUAL {1, 2}",
            Outcome::Valid,
            bad,
        ),
        case(
            b,
            "dealer 3's bad share, the complaint removed: the keys are not the board's",
            fails(5, keys - 1),
            b.rechain(without),
        ),
    ]
}

/// The keys entry body (§14.1) the ceremony of `entries` gives, by this verifier's own
/// ceremony (§11.1) and fingerprint (§10.3): for boards whose ceremony was edited.
fn keys_body(entries: &[Entry]) -> Vec<u8> {
    use super::codec::Writer;
    let manifest_bytes = entries[0].body().to_vec();
    let manifest = super::manifest::Manifest::decode(&manifest_bytes).unwrap();
    let fc = verify::ceremony_fingerprint(&manifest_bytes);
    let run: [u8; 32] = entries
        .iter()
        .rev()
        .find(|e| e.kind() == EntryKind::CeremonyRun)
        .unwrap()
        .body()
        .try_into()
        .unwrap();
    let mut rounds: [Vec<(u32, Vec<u8>)>; 3] = Default::default();
    for e in entries
        .iter()
        .filter(|e| e.kind() == EntryKind::CeremonyMessage)
    {
        let round = usize::from(e.body()[2] - 3);
        let index = e.author().trustee_index().unwrap().get();
        rounds[round].push((index, e.body().to_vec()));
    }
    for round in &mut rounds {
        round.sort();
        round.dedup();
    }
    let outcome = super::ceremony::replay(&fc, manifest.t, manifest.n, &run, &rounds).unwrap();
    let package = super::objects::KeyPackage {
        t: manifest.t,
        n: manifest.n,
        y: outcome.y,
        shares: outcome.shares,
    }
    .encode();
    let f = verify::election_fingerprint(&manifest_bytes, &outcome.y, &package);
    let mut w = Writer::default();
    w.blob(&package).bytes(&f);
    w.0
}

/// Cases the SPEC leaves open, or where this verifier first disagreed with the library; each
/// with the verdict this verifier reads in the SPEC (see the report for the findings).
fn open_questions(b: &Board, tie: &Board) -> Vec<Case> {
    use EntryKind::*;
    let messages = b.all(CeremonyMessage);
    let open2 = b.at(RoundOpen, 1);
    let withdrawal = b.at(Withdrawal, 0);
    let trustee = |i: u32| Author::trustee(tabella::threshold::TrusteeIndex::new(i).unwrap());
    // tie-for-lowest-lot: Bob (1) and Carol (2) tie for lowest after round 1; a lot eliminates
    // Carol.
    let tied = tie.at(TieResolution, 0);
    vec![
        case(
            b,
            "an empty board",
            fails(1, 0),
            BoardRecord::new(Vec::new()),
        ),
        edited(
            b,
            "a ceremony message posted again under another read head (kept once, §11.1)",
            Outcome::Valid,
            |e| {
                let copy = b.fresh(messages[0]);
                e.insert(messages[2] + 1, copy);
            },
        ),
        edited(
            b,
            "another election's round-1 message after round 2 began",
            fails(6, messages[3] + 1),
            |e| {
                let mut foreign = b.body(messages[0]);
                foreign[5] ^= 1; // another ceremony id
                e.insert(
                    messages[3] + 1,
                    b.signed(CeremonyMessage, trustee(1), foreign),
                );
            },
        ),
        {
            // B withdraws too, and round 2 is a choose-one ballot on A alone (§10.4 does not
            // require two candidates; §6 allows k = 1).
            let mut entries = b.entries();
            let mut opening = b.body(open2);
            // round_open = LE32(2) ‖ 0 ‖ LE32(κ = 2) ‖ 0, 1 ‖ contest: κ 1 and k 1 (§14.4).
            opening[5] = 1;
            opening.drain(13..17);
            opening[17..21].copy_from_slice(&1u32.to_le_bytes());
            // w = 2 slots with N = 8: packed, B = 9, s = 2 (§6.3).
            let n = opening.len();
            opening[n - 4..].copy_from_slice(&2u32.to_le_bytes());
            entries[open2] = b.with_body(open2, opening);
            entries.truncate(open2 + 1);
            let also = b.signed(
                Withdrawal,
                Author::ADMINISTRATOR,
                1u32.to_le_bytes().to_vec(),
            );
            entries.insert(withdrawal + 1, also);
            case(
                b,
                "a choose-one round on the one remaining candidate",
                Outcome::Valid,
                b.rechain(entries),
            )
        },
        edited(
            b,
            "a withdrawal after the election",
            fails(6, b.record.entries().len()),
            |e| {
                e.push(b.signed(
                    Withdrawal,
                    Author::ADMINISTRATOR,
                    1u32.to_le_bytes().to_vec(),
                ));
            },
        ),
        edited(
            b,
            "a ballot entry holding a challenged ballot",
            fails(8, open2 + 1),
            |e| {
                let challenged = tabella::fuzzing::record_fixture_with_signers().0;
                let at = challenged
                    .entries()
                    .iter()
                    .position(|x| x.kind() == Challenged)
                    .unwrap();
                let body = challenged.entries()[at].body().to_vec();
                e.insert(open2 + 1, Entry::voter(Ballot, body).unwrap());
            },
        ),
        edited(
            b,
            "a challenged entry holding a ballot",
            fails(9, open2 + 1),
            |e| {
                let body = b.body(open2 + 1);
                e.insert(open2 + 1, Entry::voter(Challenged, body).unwrap());
            },
        ),
        {
            // Bob, one of the tied, withdraws; then the lot eliminates Carol: the tie was
            // resolved by the withdrawal (§10.5), so the resolution finds none pending.
            let mut entries = tie.entries();
            entries.truncate(tied + 1);
            let bob = tie.signed(
                Withdrawal,
                Author::ADMINISTRATOR,
                1u32.to_le_bytes().to_vec(),
            );
            entries.insert(tied, bob);
            case(
                tie,
                "a tie resolution after a tied candidate withdrew",
                fails(16, tied + 1),
                tie.rechain(entries),
            )
        },
    ]
}

/// The manifest, the sequence of entries and the box (checks 1, 3, 5, 6, 8, 9).
fn structure(b: &Board) -> Vec<Case> {
    use EntryKind::*;
    let ballot = b.at(Ballot, 0);
    let close = b.at(RoundClose, 0);
    let keys = b.at(Keys, 0);
    let open1 = b.at(RoundOpen, 0);
    let open2 = b.at(RoundOpen, 1);
    let withdrawal = b.at(Withdrawal, 0);
    let last = b.record.entries().len();
    let mut manifest_body = b.body(0);
    let floor_at = {
        // The privacy floor is the LE64 before the roll (§10.1: flag and second ballot) and the
        // authorities (1 + 32 + 4 + 3 × 32, then the credential authority's flag and key).
        manifest_body.len() - 2 - (1 + 32 + 4 + 3 * 32) - 33 - 8
    };
    vec![
        edited(b, "the manifest removed", fails(1, 0), |e| {
            e.remove(0);
        }),
        edited(b, "a second manifest after the run", fails(6, 2), |e| {
            e.insert(2, b.fresh(0));
        }),
        edited(b, "the manifest's privacy floor 0", fails(3, 0), |e| {
            set_u64(&mut manifest_body, floor_at, 0);
            e[0] = b.with_body(0, manifest_body.clone());
        }),
        edited(b, "the manifest without authorities", fails(3, 0), |e| {
            let mut body = b.body(0);
            body.truncate(body.len() - (32 + 4 + 3 * 32 + 33));
            *body.last_mut().unwrap() = 0;
            e[0] = b.with_body(0, body);
        }),
        edited(b, "a ballot before the keys", fails(6, keys), |e| {
            let copy = e[ballot].clone();
            e.insert(keys, copy);
        }),
        edited(b, "a round opening before the keys", fails(6, keys), |e| {
            let copy = b.fresh(open1);
            e.insert(keys, copy);
        }),
        edited(b, "the keys removed", fails(6, keys), |e| {
            e.remove(keys);
        }),
        edited(b, "a ballot deleted", fails(11, close - 1), |e| {
            e.remove(ballot + 2);
        }),
        edited(b, "two ballots swapped", fails(11, close), |e| {
            e.swap(ballot, ballot + 3);
        }),
        // With a roll, the copy is first its credential's second ballot (§7 rule 1).
        edited(b, "a ballot twice", fails(7, ballot + 2), |e| {
            let copy = e[ballot + 1].clone();
            e.insert(ballot + 2, copy);
        }),
        edited(
            b,
            "a ballot of round 1 in round 2",
            fails(8, open2 + 1),
            |e| {
                let copy = e[ballot].clone();
                e.insert(open2 + 1, copy);
            },
        ),
        edited(b, "a ballot after the close", fails(6, close + 1), |e| {
            let copy = e[ballot].clone();
            e.insert(close + 1, copy);
        }),
        // The signature covers the proofs (§16.3) and is checked first: check 7.
        edited(
            b,
            "a ballot's count proof response flipped",
            fails(7, ballot),
            |e| {
                let mut body = b.body(ballot);
                let n = body.len() - 64; // before the signature (§6.2)
                body[n - 32] ^= 1;
                e[ballot] = b.with_body(ballot, body);
            },
        ),
        edited(
            b,
            "a ballot's signature response flipped",
            fails(7, ballot),
            |e| {
                let mut body = b.body(ballot);
                let n = body.len();
                body[n - 32] ^= 1;
                e[ballot] = b.with_body(ballot, body);
            },
        ),
        edited(b, "a ballot with a trailing byte", fails(8, ballot), |e| {
            let mut body = b.body(ballot);
            body.push(0);
            e[ballot] = b.with_body(ballot, body);
        }),
        edited(b, "the close's cast count + 1", fails(11, close), |e| {
            let mut body = b.body(close);
            let cast = get_u64(&body, 36);
            set_u64(&mut body, 36, cast + 1);
            e[close] = b.with_body(close, body);
        }),
        edited(b, "the close's chain head", fails(11, close), |e| {
            let mut body = b.body(close);
            body[4] ^= 1;
            e[close] = b.with_body(close, body);
        }),
        edited(b, "the close of round 2", fails(11, close), |e| {
            let mut body = b.body(close);
            body[0] = 2;
            e[close] = b.with_body(close, body);
        }),
        edited(b, "a close with a trailing byte", fails(11, close), |e| {
            let mut body = b.body(close);
            body.push(0);
            e[close] = b.with_body(close, body);
        }),
        edited(b, "a second close", fails(6, close + 1), |e| {
            let copy = b.fresh(close);
            e.insert(close + 1, copy);
        }),
        edited(b, "a withdrawal twice", fails(6, withdrawal + 1), |e| {
            let copy = b.fresh(withdrawal);
            e.insert(withdrawal + 1, copy);
        }),
        edited(
            b,
            "a withdrawal in round 1's box",
            fails(6, open1 + 1),
            |e| {
                let copy = e.remove(withdrawal);
                e.insert(open1 + 1, copy);
            },
        ),
        edited(
            b,
            "a withdrawal of candidate 7",
            fails(6, withdrawal),
            |e| {
                e[withdrawal] = b.with_body(withdrawal, 7u32.to_le_bytes().to_vec());
            },
        ),
        edited(
            b,
            "a withdrawal with a trailing byte",
            fails(6, withdrawal),
            |e| {
                let mut body = b.body(withdrawal);
                body.push(0);
                e[withdrawal] = b.with_body(withdrawal, body);
            },
        ),
        edited(b, "the withdrawal removed", fails(6, open2 - 1), |e| {
            e.remove(withdrawal);
        }),
        edited(
            b,
            "a round opening after the election",
            fails(6, last),
            |e| {
                let copy = b.fresh(open2);
                e.push(copy);
            },
        ),
    ]
}

/// The key ceremony (checks 4 and 5).
fn ceremony(b: &Board, other: &Board) -> Vec<Case> {
    use EntryKind::*;
    let run = b.at(CeremonyRun, 0);
    let messages = b.all(CeremonyMessage);
    let keys = b.at(Keys, 0);
    let (r1, r2, r3) = (&messages[0..3], &messages[3..6], &messages[6..9]);
    let trustee = |i: u32| Author::trustee(tabella::threshold::TrusteeIndex::new(i).unwrap());
    let foreign = other.body(other.at(CeremonyMessage, 0));
    let ballot = b.body(b.at(Ballot, 0));
    let mut keys_body = b.body(keys);
    let n = keys_body.len();
    keys_body[n - 1] ^= 1;
    let mut equivocation = b.body(r1[1]);
    let m = equivocation.len();
    equivocation[m - 33] ^= 1;
    vec![
        edited(b, "a second run before the keys", fails(5, keys + 1), |e| {
            e.insert(
                keys,
                b.signed(CeremonyRun, Author::ADMINISTRATOR, vec![9; 32]),
            );
        }),
        edited(
            b,
            "a second run with the first run's nonce",
            fails(6, keys),
            |e| {
                let copy = b.fresh(run);
                e.insert(keys, copy);
            },
        ),
        edited(b, "a run after the keys", fails(6, keys + 1), |e| {
            let copy = b.fresh(run);
            e.insert(keys + 1, copy);
        }),
        edited(b, "a run nonce of 31 bytes", fails(5, run), |e| {
            let mut body = b.body(run);
            body.pop();
            e[run] = b.with_body(run, body);
        }),
        edited(b, "a ceremony message before the run", fails(6, run), |e| {
            let copy = b.fresh(r1[0]);
            e.insert(run, copy);
        }),
        edited(
            b,
            "a ceremony message after the keys",
            fails(6, keys + 1),
            |e| {
                let copy = b.fresh(r1[0]);
                e.insert(keys + 1, copy);
            },
        ),
        edited(
            b,
            "a round-1 message after round 2 began",
            fails(6, r2[0]),
            |e| {
                let copy = e.remove(r1[2]);
                e.insert(r2[0], copy);
            },
        ),
        edited(
            b,
            "a round-2 message after round 3 began",
            fails(6, r3[0]),
            |e| {
                let copy = e.remove(r2[2]);
                e.insert(r3[0], copy);
            },
        ),
        edited(
            b,
            "a round-3 message removed (no complaint in it)",
            Outcome::Valid,
            |e| {
                e.remove(r3[1]);
            },
        ),
        edited(
            b,
            "another election's round-1 message",
            fails(5, r1[2] + 1),
            |e| {
                e.insert(
                    r1[2] + 1,
                    b.signed(CeremonyMessage, trustee(1), foreign.clone()),
                );
            },
        ),
        edited(
            b,
            "a ballot as a ceremony message",
            fails(5, r1[2] + 1),
            |e| {
                e.insert(
                    r1[2] + 1,
                    b.signed(CeremonyMessage, trustee(1), ballot.clone()),
                );
            },
        ),
        edited(
            b,
            "trustee 2 equivocates in round 1",
            fails(5, keys + 1),
            |e| {
                let twin = b.signed(CeremonyMessage, trustee(2), equivocation.clone());
                e.insert(r1[1] + 1, twin);
            },
        ),
        edited(b, "a round-2 message removed", fails(5, keys - 1), |e| {
            e.remove(r2[0]);
        }),
        // §11.1 rule 3: a sender field that is not the author excludes the author
        // (`Malformed`); QUAL loses trustee 3 and the announced keys are not the board's.
        edited(
            b,
            "trustee 2's round-2 message posted by trustee 3",
            fails(5, keys),
            |e| {
                e[r2[2]] = b.signed(CeremonyMessage, trustee(3), b.body(r2[1]));
            },
        ),
        edited(b, "the keys' F", fails(5, keys), |e| {
            e[keys] = b.with_body(keys, keys_body.clone());
        }),
        edited(b, "the keys twice", fails(6, keys + 1), |e| {
            let copy = b.fresh(keys);
            e.insert(keys + 1, copy);
        }),
        edited(b, "the keys' body cut", fails(5, keys), |e| {
            let mut body = b.body(keys);
            body.truncate(40);
            e[keys] = b.with_body(keys, body);
        }),
    ]
}

/// Openings and acclamations (check 6).
fn rounds(b: &Board) -> Vec<Case> {
    use EntryKind::*;
    let open1 = b.at(RoundOpen, 0);
    let open2 = b.at(RoundOpen, 1);
    let body = b.body(open1);
    // round_open = LE32(r) ‖ kind 0 ‖ LE32(κ = 3) ‖ 3 × LE32 ‖ contest (§14.4).
    let contest_at = 4 + 1 + 4 + 12;
    let layout_at = contest_at + 16 + 1 + 1 + 8;
    let with = |edit: &dyn Fn(&mut Vec<u8>)| {
        let mut body = body.clone();
        edit(&mut body);
        body
    };
    let opening = |name: &str, edit: &dyn Fn(&mut Vec<u8>)| {
        let body = with(edit);
        edited(b, name, fails(6, open1), |e| {
            e[open1] = b.with_body(open1, body)
        })
    };
    vec![
        opening("round 1 opened as round 2", &|o| o[0] = 2),
        opening("a yes/no opening listing three candidates", &|o| {
            o.splice(5..5, 0u32.to_le_bytes());
            o[4] = 1;
        }),
        opening("candidates 0, 2, 1", &|o| o.swap(13, 17)),
        opening("the contest's min 0", &|o| o[contest_at + 8] = 0),
        opening("the contest without abstention", &|o| {
            o[contest_at + 16] = 0
        }),
        opening("the layout per option", &|o| {
            o[layout_at] = 0;
            o[layout_at + 1..layout_at + 13].fill(0);
        }),
        opening("the base B + 1", &|o| o[layout_at + 1] += 1),
        opening("a trailing byte", &|o| o.push(0)),
        opening("a round kind 2", &|o| o[4] = 2),
        edited(
            b,
            "an acclamation with two candidates remaining",
            fails(6, open2),
            |e| {
                e[open2] = b.signed(
                    Acclamation,
                    Author::ADMINISTRATOR,
                    [2u32, 0].map(u32::to_le_bytes).concat(),
                );
            },
        ),
        edited(b, "round 2 opened twice", fails(6, open2 + 1), |e| {
            let copy = b.fresh(open2);
            e.insert(open2 + 1, copy);
        }),
    ]
}

/// Partial decryptions and results (checks 2, 10, 11, 12, 13).
fn decryption(b: &Board) -> Vec<Case> {
    use EntryKind::*;
    let partials = b.all(PartialDecryption);
    let result = b.at(Result, 0);
    let close = b.at(RoundClose, 0);
    let open1 = b.at(RoundOpen, 0);
    let p = partials[0];
    let result_with = |edit: &dyn Fn(&mut Vec<u8>)| {
        let mut body = b.body(result);
        edit(&mut body);
        body
    };
    let (totals, after) = result_totals(&b.body(result));
    let mut out = vec![
        edited(
            b,
            "trustee 3's partial removed (1 and 2 combined)",
            Outcome::Valid,
            |e| {
                e.remove(partials[2]);
            },
        ),
        edited(
            b,
            "trustee 2's partial removed",
            fails(14, result - 1),
            |e| {
                e.remove(partials[1]);
            },
        ),
        edited(b, "two partials removed", fails(14, result - 2), |e| {
            e.remove(partials[2]);
            e.remove(partials[1]);
        }),
        edited(
            b,
            "partials posted in the order 3, 2, 1",
            Outcome::Valid,
            |e| {
                e[partials[0]..=partials[2]].reverse();
            },
        ),
        edited(b, "a partial twice", fails(13, p + 1), |e| {
            let copy = b.fresh(p);
            e.insert(p + 1, copy);
        }),
        edited(
            b,
            "trustee 2's partial posted by trustee 1",
            fails(2, p),
            |e| {
                let author = e[p].author();
                e[p] = b.signed(PartialDecryption, author, b.body(partials[1]));
            },
        ),
        edited(b, "a partial's proof flipped", fails(13, p), |e| {
            let mut body = b.body(p);
            let n = body.len();
            body[n - 32] ^= 1;
            e[p] = b.with_body(p, body);
        }),
        edited(b, "a partial's round field", fails(13, p), |e| {
            let mut body = b.body(p);
            body[5] = 2;
            e[p] = b.with_body(p, body);
        }),
        edited(b, "a partial that does not decode", fails(13, p), |e| {
            let mut body = b.body(p);
            body.push(0);
            e[p] = b.with_body(p, body);
        }),
        edited(
            b,
            "a partial of round 1 in round 2",
            fails(13, b.at(PartialDecryption, 3) + 1),
            |e| {
                let copy = b.fresh(partials[0]);
                let at = b.at(PartialDecryption, 3) + 1;
                e.insert(at, copy);
            },
        ),
        edited(b, "a partial before the close", fails(6, close), |e| {
            let copy = b.fresh(p);
            e.insert(close, copy);
        }),
        edited(
            b,
            "the result before the partials",
            fails(14, close + 1),
            |e| {
                let r = e.remove(result);
                e.insert(close + 1, r);
            },
        ),
        edited(
            b,
            "the result's totals A + 1, B − 1",
            fails(14, result),
            |e| {
                let body = result_with(&|r| {
                    let a = get_u64(r, totals);
                    let bb = get_u64(r, totals + 8);
                    set_u64(r, totals, a + 1);
                    set_u64(r, totals + 8, bb - 1);
                });
                e[result] = b.with_body(result, body);
            },
        ),
        edited(
            b,
            "the result's combined trustees 1 and 3",
            fails(14, result),
            |e| {
                let body = result_with(&|r| r[12] = 3);
                e[result] = b.with_body(result, body);
            },
        ),
        edited(b, "the result of round 2", fails(14, result), |e| {
            let body = result_with(&|r| r[0] = 2);
            e[result] = b.with_body(result, body);
        }),
        edited(
            b,
            "the result with a trailing byte",
            fails(14, result),
            |e| {
                let body = result_with(&|r| r.push(0));
                e[result] = b.with_body(result, body);
            },
        ),
        edited(b, "the result's cast + 1", fails(15, result), |e| {
            let body = result_with(&|r| {
                let cast = get_u64(r, after);
                set_u64(r, after, cast + 1);
            });
            e[result] = b.with_body(result, body);
        }),
        edited(b, "the result's required 5", fails(15, result), |e| {
            let body = result_with(&|r| set_u64(r, after + 25, 5));
            e[result] = b.with_body(result, body);
        }),
        edited(b, "the result elects A", fails(15, result), |e| {
            let body = result_with(&|r| {
                let elected = after + 24 + 9;
                r.splice(elected..elected + 1, [1, 0, 0, 0, 0]);
            });
            e[result] = b.with_body(result, body);
        }),
        edited(
            b,
            "a result while no round is closed",
            fails(6, open1),
            |e| {
                let copy = b.fresh(result);
                e.insert(open1, copy);
            },
        ),
    ];
    // The privacy floor (check 12): round 1's box cut to two ballots, with the close of that
    // box (its chain head read from this verifier's codes, §8.3), re-signed.
    let ballots: Vec<usize> = (open1 + 1..close).collect();
    let mut entries = b.entries();
    for k in ballots[2..].iter().rev() {
        entries.remove(*k);
    }
    let cut = b.rechain(entries.clone());
    let Verdict::Verified(v) = verify::verify_bytes(&cut.to_bytes()) else {
        panic!("the cut board is a record");
    };
    let head = v.codes.last().expect("two codes").1;
    let close_at = open1 + 3;
    let mut body = b.body(close);
    body[4..36].copy_from_slice(&head);
    set_u64(&mut body, 36, 2);
    entries[close_at] = b.with_body(close, body);
    out.push(case(
        b,
        "round 1's box cut to two ballots, below the floor of 3",
        fails(12, close_at + 1),
        b.rechain(entries),
    ));
    out
}

/// Signatures and read heads, not signed again (check 2).
fn signatures(b: &Board) -> Vec<Case> {
    use EntryKind::*;
    let close = b.at(RoundClose, 0);
    let message = b.at(CeremonyMessage, 0);
    let end =
        |record: &BoardRecord, k: usize| offset(record, k) + record.entries()[k].to_bytes().len();
    let r = &b.record;
    let unknown = {
        let mut entries = b.entries();
        let body = b.body(close);
        let e = &entries[close];
        let forged = b
            .signers
            .sign(&entries[0], e.kind(), e.author(), body, Head([7; 32]));
        entries[close] = forged;
        BoardRecord::new(entries)
    };
    let later = {
        // The close names the head after itself in the original board: a head of the board,
        // but not one before the close.
        let mut entries = b.entries();
        let after = r.heads()[close + 1];
        let e = &entries[close];
        let forged = b
            .signers
            .sign(&entries[0], e.kind(), e.author(), e.body().to_vec(), after);
        entries[close] = forged;
        BoardRecord::new(entries)
    };
    let by_trustee_4 = {
        let mut entries = b.entries();
        let mut bytes = entries[message].to_bytes();
        bytes[7] = 4;
        entries.insert(message + 1, Entry::from_bytes(&bytes).unwrap());
        BoardRecord::new(entries)
    };
    vec![
        raw(b, "the close's s flipped", fails(2, close), |bytes| {
            bytes[end(r, close) - 32] ^= 1;
        }),
        raw(
            b,
            "a ceremony message's read head changed",
            fails(2, message),
            |bytes| {
                bytes[end(r, message) - 96] ^= 1;
            },
        ),
        raw(
            b,
            "the close's body changed, not signed again",
            fails(2, close),
            |bytes| {
                bytes[offset(r, close) + 15] ^= 1;
            },
        ),
        case(
            b,
            "the close names an unknown head",
            fails(2, close),
            unknown,
        ),
        case(
            b,
            "the close names the original board's head after the next entry",
            fails(2, close),
            later,
        ),
        case(
            b,
            "an entry of trustee 4 (n = 3)",
            fails(2, message + 1),
            by_trustee_4,
        ),
        edited(
            b,
            "the close posted again (a replay)",
            fails(2, close + 1),
            |e| {
                let copy = e[close].clone();
                e.insert(close + 1, copy);
            },
        ),
        edited(
            b,
            "a ceremony message posted again (a replay)",
            fails(2, message + 1),
            |e| {
                let copy = e[message].clone();
                e.insert(message + 1, copy);
            },
        ),
        edited(
            b,
            "the manifest posted again (a replay)",
            fails(2, 1),
            |e| {
                let copy = e[0].clone();
                e.insert(1, copy);
            },
        ),
        case(b, "the manifest signed by trustee 1", fails(2, 0), {
            let mut e = b.entries();
            let trustee = Author::trustee(tabella::threshold::TrusteeIndex::new(1).unwrap());
            let sig = b.signers.sign(
                &e[0],
                PartialDecryption,
                trustee,
                b.body(0),
                Head::genesis(),
            );
            let mut bytes = e[0].to_bytes();
            let n = bytes.len();
            let s = sig.to_bytes();
            bytes[n - 64..].copy_from_slice(&s[s.len() - 64..]);
            e[0] = Entry::from_bytes(&bytes).unwrap();
            BoardRecord::new(e)
        }),
    ]
}

/// Ties for lowest (check 16): tie-for-lowest-lot.json leaves a tie after round 1, resolved by
/// lot.
fn ties(b: &Board) -> Vec<Case> {
    use EntryKind::*;
    let tie = b.at(TieResolution, 0);
    let body = b.body(tie);
    let with = |edit: &dyn Fn(&mut Vec<u8>)| {
        let mut body = body.clone();
        edit(&mut body);
        body
    };
    let resolution = |name: &str, edit: &dyn Fn(&mut Vec<u8>)| {
        let body = with(edit);
        edited(b, name, fails(16, tie), |e| e[tie] = b.with_body(tie, body))
    };
    let tied = u32::from_le_bytes(body[4..8].try_into().unwrap());
    let leading = (0u32..3)
        .find(|c| *c != tied && *c != 1 && *c != 2)
        .unwrap_or(0);
    vec![
        edited(b, "the tie resolution removed", fails(16, tie), |e| {
            e.remove(tie);
        }),
        edited(b, "the tie resolution twice", fails(16, tie + 1), |e| {
            let copy = b.fresh(tie);
            e.insert(tie + 1, copy);
        }),
        resolution("for round 2", &|t| t[0] = 2),
        resolution("eliminating a candidate who is not tied", &|t| {
            t[4..8].copy_from_slice(&leading.to_le_bytes());
        }),
        resolution("how = 2", &|t| t[8] = 2),
        resolution("a trailing byte", &|t| t.push(0)),
        edited(b, "a tie resolution inside round 2", fails(16, tie), |e| {
            let copy = e.remove(tie);
            e.insert(tie + 1, copy);
        }),
    ]
}

/// Challenged ballots (checks 7 and 8), on the fuzzing fixture.
fn challenged(b: &Board) -> Vec<Case> {
    use EntryKind::*;
    let at = b.at(Challenged, 0);
    let close = b.at(RoundClose, 0);
    let body = b.body(at);
    let decoded = Opened::decode(&body).unwrap();
    let (w, m) = (decoded.slots.len(), decoded.ballot.cts.len());
    let slots = body.len() - 32 * m - w;
    let inner = &body[5..slots - 4];
    let opened = |name: &str, edit: &dyn Fn(&mut Vec<u8>)| {
        let mut body = body.clone();
        edit(&mut body);
        edited(b, name, fails(9, at), |e| {
            e[at] = Entry::voter(Challenged, body).unwrap()
        })
    };
    vec![
        edited(
            b,
            "the challenged ballot cast after it",
            fails(10, at + 1),
            |e| {
                e.insert(at + 1, Entry::voter(Ballot, inner.to_vec()).unwrap());
            },
        ),
        edited(
            b,
            "the challenged ballot cast before it",
            fails(10, at + 1),
            |e| {
                e.insert(at, Entry::voter(Ballot, inner.to_vec()).unwrap());
            },
        ),
        edited(
            b,
            "the challenged ballot challenged twice",
            fails(10, at + 1),
            |e| {
                let copy = e[at].clone();
                e.insert(at + 1, copy);
            },
        ),
        edited(
            b,
            "the challenged entry removed",
            fails(11, close - 1),
            |e| {
                e.remove(at);
            },
        ),
        opened("its slot values swapped", &|c| c.swap(slots, slots + 1)),
        opened("its nonce zero", &|c| {
            let n = c.len();
            c[n - 32..].fill(0);
        }),
        opened("its nonce changed", &|c| {
            let n = c.len();
            c[n - 32] ^= 1;
        }),
        opened("a slot value of 2", &|c| c[slots] = 2),
        opened("one slot value more", &|c| {
            c[slots - 4] += 1;
            c.insert(slots, 0);
        }),
    ]
}

/// Records that do not decode (§12, §14.1), in both forms.
pub fn decoding_cases(b: &Board) -> Vec<Case> {
    let r = &b.record;
    let ballot = b.at(EntryKind::Ballot, 0);
    let close = b.at(EntryKind::RoundClose, 0);
    let message = b.at(EntryKind::CeremonyMessage, 0);
    let not = |k: usize| Outcome::NotARecord(Some(k as u64));
    let whole = Outcome::NotARecord(None);
    let entry_at = |k: usize| offset(r, k);
    vec![
        raw(b, "a trailing byte", whole, |bytes| bytes.push(0)),
        raw(b, "version 3", whole, |bytes| bytes[3] = 3),
        raw(b, "a board entry's header", whole, |bytes| bytes[2] = 13),
        // §12.1: "an entry that does not decode is reported with its position", also when the
        // record ends inside an entry's bytes.
        raw(
            b,
            "the last entry cut",
            not(r.entries().len() - 1),
            |bytes| {
                bytes.pop();
            },
        ),
        raw(b, "a ballot by the administrator", not(ballot), |bytes| {
            bytes[entry_at(ballot) + 6] = 0;
        }),
        raw(b, "a close by a voter", not(close), |bytes| {
            bytes[entry_at(close) + 6] = 2;
        }),
        raw(b, "an unknown kind 15", not(ballot), |bytes| {
            bytes[entry_at(ballot) + 5] = 15;
        }),
        raw(b, "an unknown role 4", not(ballot), |bytes| {
            bytes[entry_at(ballot) + 6] = 4;
        }),
        raw(
            b,
            "a ballot by the credential authority",
            not(ballot),
            |bytes| {
                bytes[entry_at(ballot) + 6] = 3;
            },
        ),
        raw(
            b,
            "a roll entry (kind 14) by a voter",
            not(ballot),
            |bytes| {
                bytes[entry_at(ballot) + 5] = 14;
            },
        ),
        raw(b, "the administrator's index 1", not(close), |bytes| {
            bytes[entry_at(close) + 7] = 1;
        }),
        raw(b, "a trustee's index 0", not(message), |bytes| {
            bytes[entry_at(message) + 7] = 0;
        }),
        raw(b, "an entry of version 3", not(ballot), |bytes| {
            bytes[entry_at(ballot) + 3] = 3;
        }),
        raw(
            b,
            "a close's s + 2^252 (at least ℓ)",
            not(close),
            |bytes| {
                let end = entry_at(close) + r.entries()[close].to_bytes().len();
                bytes[end - 1] += 0x10;
            },
        ),
        json(b, "entry 3's head not its head", not(3), |v| {
            let head = v["entries"][3]["head"].as_str().unwrap();
            let first = if head.starts_with('0') { "1" } else { "0" };
            v["entries"][3]["head"] = format!("{first}{}", &head[1..]).into();
        }),
        json(b, "a ballot named a challenged entry", not(ballot), |v| {
            v["entries"][ballot]["kind"] = "challenged".into();
        }),
        json(b, "the manifest by a voter", not(0), |v| {
            v["entries"][0]["author"] = "voter".into();
        }),
        json(b, "trustee 1's message by trustee 2", not(message), |v| {
            v["entries"][message]["author"] = serde_json::json!({"trustee": 2});
        }),
        json(b, "version 3", whole, |v| v["version"] = 3.into()),
        json(b, "an unknown field", whole, |v| v["extra"] = 1.into()),
        json(b, "an entry's unknown field", not(1), |v| {
            v["entries"][1]["x"] = 1.into()
        }),
        json(b, "an entry without its kind", not(1), |v| {
            v["entries"][1].as_object_mut().unwrap().remove("kind");
        }),
        json(b, "uppercase hex", not(1), |v| {
            let e = v["entries"][1]["entry"].as_str().unwrap().to_uppercase();
            v["entries"][1]["entry"] = e.into();
        }),
    ]
}
