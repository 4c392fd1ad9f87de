//! The election record of protocol v5 is the board, exported: it verifies, it round-trips in
//! both encodings, and every tampering is caught by a numbered check at the board entry where
//! the board stops fitting.
//!
//! The boards are the council example's, run on a board in memory with simulated parties whose
//! keys the tests hold. A tampering is made the way the worst operator would make it: with
//! every signing key (`tabella::fuzzing::Signers`), so that the signatures and read heads are
//! valid again and what fails is the check behind them. Tamperings without the keys fail
//! check 2 at the entry they touch.

#[allow(dead_code)]
#[path = "../examples/council/scenario.rs"]
mod scenario;

#[allow(dead_code)]
#[path = "../examples/council/parties.rs"]
mod parties;

#[allow(dead_code)]
#[path = "../examples/council/run.rs"]
mod run;

use std::sync::LazyLock;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::Value;
use tabella::Error;
use tabella::ballot::{EncryptedBallot, Selection};
use tabella::board::chain::Head;
use tabella::board::{Author, BoxClose, ConfirmationCode, Entry, EntryKind, MemoryStore};
use tabella::credential::CredentialSecret;
use tabella::domain::ObjectKind;
use tabella::election::event::{Acclamation, RoundOpening, RoundResult, TieResolution, Withdrawal};
use tabella::election::{BoardElection, Manifest, Replay, RoundKind};
use tabella::elgamal::SecretKey;
use tabella::fuzzing::Signers;
use tabella::record::BoardRecord;
use tabella::rules::TieBreak;
use tabella::threshold::{PartialDecryption, TrusteeIndex};
use tabella::transcript::ElectionContext;
use tabella::verify::{Check, Failure, verify_extends, verify_record};

// ---------------------------------------------------------------------------------------------
// Boards

/// A council board and every key of its authorities.
struct Board {
    record: BoardRecord,
    /// Member m's private credential at position m.
    credentials: Vec<CredentialSecret>,
    signers: Signers,
    administrator: SecretKey,
    /// Trustee i's key at index i − 1.
    trustees: Vec<SecretKey>,
}

fn board_of(text: &str, seed: u8) -> Board {
    let scenario = scenario::Scenario::parse(text).unwrap();
    let parties = parties::Parties::in_memory([seed; 32]);
    let board = BoardElection::open(MemoryStore::new()).unwrap();
    let report = run::run_on(
        board,
        &scenario,
        &run::Options::default(),
        &parties,
        &mut ChaCha20Rng::seed_from_u64(u64::from(seed)),
    )
    .unwrap();
    let administrator = parties.administrator().key().clone();
    let authority = parties.credential_authority();
    let (_, credentials) = parties.credentials(&authority, scenario.eligible).unwrap();
    let trustees: Vec<SecretKey> = (1..=scenario.trustees)
        .map(|i| parties.trustee_key(TrusteeIndex::new(i).unwrap()))
        .collect();
    let record = report.record;
    let verdict = verify_record(&record);
    assert!(verdict.is_ok(), "{:?}", verdict.failure);
    Board {
        record,
        credentials,
        signers: Signers::new(administrator.clone(), trustees.clone())
            .with_credential_authority(authority.key().clone()),
        administrator,
        trustees,
    }
}

/// Three trustees (t = 2), two rounds: A 3, B 2, C 1 (C eliminated), then A 4, B 2 and one
/// abstention (A elected).
///
/// ```text
/// 0 manifest, 1 roll, 2 ceremony run, 3–11 ceremony messages, 12 keys,
/// 13 round 1 open, 14–19 ballots, 20 close, 21–23 partials (trustees 1, 2, 3), 24 result,
/// 25 round 2 open, 26–32 ballots, 33 close, 34–36 partials, 37 result
/// ```
static SMALL: LazyLock<Board> = LazyLock::new(|| {
    board_of(
        r#"{"title": "small", "members": 8, "eligible": 8, "trustees": 3, "threshold": 2,
            "candidates": ["A", "B", "C"], "privacy_floor": 3,
            "rules": [{"from_round": 1, "more_than": [1, 2], "of": "present_and_voting"}],
            "eliminate_lowest_after": [1],
            "rounds": [
              {"ballot": "choose_one", "votes": {"A": 3, "B": 2, "C": 1}, "abstain": 0},
              {"ballot": "choose_one", "votes": {"A": 4, "B": 2}, "abstain": 1}]}"#,
        9,
    )
});

const TIE: &str = r#"{"title": "tie", "members": 12, "eligible": 12, "trustees": 3,
    "threshold": 2, "candidates": ["A", "B", "C"], "privacy_floor": 3,
    "rules": [{"from_round": 1, "more_than": [1, 2], "of": "present_and_voting"}],
    "eliminate_lowest_after": [1], "tie_for_lowest": "caller_resolves",
    "rounds": [
      {"ballot": "choose_one", "votes": {"A": 4, "B": 3, "C": 3}, "abstain": 0,
       "resolve_tie": {"eliminate": "C", "by": "lot"}},
      {"ballot": "choose_one", "votes": {"A": 6, "B": 4}, "abstain": 0}]}"#;

/// A tie for lowest between B and C after round 1, resolved by lot (C eliminated) in the
/// entry after the result; round 2 elects A.
static TIED: LazyLock<Board> = LazyLock::new(|| board_of(TIE, 11));

/// The IOM Council election of 2023: 5 trustees, 165 ballots in round 1, a withdrawal, and the
/// sole remaining candidate elected by acclamation.
static IOM: LazyLock<Board> =
    LazyLock::new(|| board_of(include_str!("../examples/scenarios/iom-2023.json"), 5));

// ---------------------------------------------------------------------------------------------
// Editing a board as an operator with every key

impl Board {
    fn entries(&self) -> Vec<Entry> {
        self.record.entries().to_vec()
    }

    /// The edited entries with every signature and read head valid again.
    fn rechain(&self, entries: Vec<Entry>) -> BoardRecord {
        self.signers.rechain(&self.record, entries)
    }

    /// `entries[k]` with another body, signed again by its author (a voter's entry is not
    /// signed).
    fn set_body(&self, entries: &mut [Entry], k: usize, body: Vec<u8>) {
        entries[k] = self.signers.with_body(entries, k, body);
    }

    /// Entry `k` of `entries` signed again by its author, unchanged otherwise (a second entry
    /// of the same content, not a replay of the first).
    fn resigned(&self, entries: &[Entry], k: usize) -> Entry {
        let mut copy = entries.to_vec();
        let body = copy[k].body().to_vec();
        self.set_body(&mut copy, k, body);
        copy.swap_remove(k)
    }

    /// The board with the body of entry `k` changed by `edit`, signed again and rechained.
    fn with_body(&self, k: usize, edit: impl FnOnce(&[u8]) -> Vec<u8>) -> BoardRecord {
        let mut entries = self.entries();
        let body = edit(entries[k].body());
        self.set_body(&mut entries, k, body);
        self.rechain(entries)
    }

    /// A new administrator's entry, reading the head after the first `read` entries.
    fn admin_entry(&self, kind: EntryKind, body: Vec<u8>, read: usize) -> Entry {
        self.signers.sign(
            &self.record.entries()[0],
            kind,
            Author::ADMINISTRATOR,
            body,
            head_after(&self.record, read),
        )
    }

    /// The board with `entry` inserted at position `at`, rechained.
    fn inserted(&self, at: usize, entry: Entry) -> BoardRecord {
        let mut entries = self.entries();
        entries.insert(at, entry);
        self.rechain(entries)
    }

    /// The board id (the manifest's ceremony fingerprint) that signatures are bound to.
    fn board_id(&self) -> ElectionContext {
        Manifest::from_bytes(self.record.entries()[0].body())
            .unwrap()
            .ceremony_context()
            .unwrap()
    }

    fn trustee_key(&self, i: u32) -> &SecretKey {
        &self.trustees[i as usize - 1]
    }
}

/// The head after the first `n` entries of `record`.
fn head_after(record: &BoardRecord, n: usize) -> Head {
    match n {
        0 => Head::genesis(),
        n => record.heads()[n - 1],
    }
}

/// The position of the `nth` (from 0) entry of `kind`.
fn nth(record: &BoardRecord, kind: EntryKind, nth: usize) -> usize {
    record
        .entries()
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind() == kind)
        .nth(nth)
        .map(|(k, _)| k)
        .unwrap_or_else(|| panic!("no {} entry of kind {kind:?}", nth + 1))
}

/// The first failure of `record`, which must be `check` at entry `entry`.
#[track_caller]
fn assert_fails(record: &BoardRecord, check: Check, entry: usize) -> Failure {
    let report = verify_record(record);
    let failure = report
        .failure
        .unwrap_or_else(|| panic!("verifies; expected {check} to fail at entry {entry}"));
    assert_eq!(
        (failure.check, failure.entry),
        (check, Some(entry as u64)),
        "{failure}"
    );
    failure
}

#[track_caller]
fn assert_verifies(record: &BoardRecord) -> tabella::verify::Report {
    let report = verify_record(record);
    assert!(report.is_ok(), "{}", report.failure.as_ref().unwrap());
    report
}

/// What check 17 (the end) says of `record`.
fn end_of(record: &BoardRecord) -> String {
    let report = assert_verifies(record);
    let end = report.passed.last().unwrap();
    assert_eq!(end.check, Check::End);
    end.detail.clone()
}

fn result_of(record: &BoardRecord, k: usize) -> RoundResult {
    RoundResult::from_bytes(record.entries()[k].body()).unwrap()
}

/// The state of the board after `entries`, which must all apply.
fn replay_of(entries: &[Entry]) -> Replay {
    let mut replay = Replay::new();
    let mut head = Head::genesis();
    for e in entries {
        replay.apply(e, &head).unwrap();
        head = head.next(&e.to_bytes());
    }
    replay
}

// ---------------------------------------------------------------------------------------------
// Signers: the operator's tool must itself be right

#[test]
fn rechaining_an_unchanged_board_gives_the_board_and_an_edit_fails_behind_the_signatures() {
    let (record, _, signers) = tabella::fuzzing::record_fixture_with_signers();
    assert_verifies(&record);
    assert_eq!(signers.rechain(&record, record.entries().to_vec()), record);
    let small = &*SMALL;
    assert_eq!(small.rechain(small.entries()), small.record);
    // A result with other totals: without the keys, the old signature no longer verifies
    // (check 2); with them, check 14 finds the totals wrong.
    let k = record.entries().len() - 1;
    let mut result = result_of(&record, k);
    result.totals[0] += 1;
    let mut entries = record.entries().to_vec();
    let unsigned = rewrite_body(&entries[k], &result.to_bytes());
    entries[k] = unsigned;
    let failure = assert_fails(&BoardRecord::new(entries.clone()), Check::Authorship, k);
    assert_eq!(
        failure.error,
        Error::EntrySignatureRejected { entry: k as u64 }
    );
    let resigned = signers.rechain(&record, entries);
    assert_fails(&resigned, Check::Combination, k);
    // Every signed entry of a rechained edit reads a head of the new board before it.
    let mut entries = record.entries().to_vec();
    entries.remove(15);
    let rechained = signers.rechain(&record, entries);
    let heads = rechained.heads();
    for (j, e) in rechained.entries().iter().enumerate() {
        if let Some(sig) = e.signature() {
            let read = *sig.read();
            assert!(
                read == Head::genesis() || heads[..j].contains(&read),
                "entry {j}"
            );
        }
    }
}

/// `entry` with its body replaced in its encoding, the signature kept (what an operator
/// without the keys can do).
fn rewrite_body(entry: &Entry, body: &[u8]) -> Entry {
    let bytes = entry.to_bytes();
    let start = tabella::encoding::header::HEADER_LEN + 1 + 1 + 4;
    let old_len = entry.body().len();
    let mut out = bytes[..start].to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(body);
    out.extend_from_slice(&bytes[start + 4 + old_len..]);
    Entry::from_bytes(&out).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Encodings

#[test]
fn the_council_board_verifies_and_round_trips_in_binary_and_json() {
    let record = &IOM.record;
    let report = assert_verifies(record);
    // Runs for the whole board (entries, authorship), the parameters, the roll, the ceremony,
    // the sequence (round 1 opened, then a withdrawal and an acclamation), round 1's box
    // (eligibility, ballot proofs, box rules: no challenged ballot), its close and decryption,
    // and the end.
    use Check::*;
    let checks: Vec<Check> = report.passed.iter().map(|p| p.check).collect();
    assert_eq!(
        checks,
        [
            Entries,
            Authorship,
            Parameters,
            Roll,
            Ceremony,
            Sequence,
            Eligibility,
            BallotProofs,
            BoxRules,
            Close,
            PrivacyFloor,
            PartialDecryptions,
            Combination,
            Outcome,
            Sequence,
            Sequence,
            End
        ]
    );
    let numbers: Vec<u8> = checks.iter().map(|c| c.number()).collect();
    assert_eq!(
        numbers,
        [1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 6, 6, 17]
    );
    assert_eq!(end_of(record), "candidate 0 elected");
    // Binary: decode(encode) is the identity, and encode(decode(b)) = b.
    let bytes = record.to_bytes();
    let back = BoardRecord::from_bytes(&bytes).unwrap();
    assert_eq!(&back, record);
    assert_eq!(back.to_bytes(), bytes);
    // JSON: decode, encode, decode again gives the same record and the same text, and the
    // same binary encoding.
    let json = serde_json::to_string(record).unwrap();
    let decoded: BoardRecord = serde_json::from_str(&json).unwrap();
    assert_eq!(&decoded, record);
    assert_eq!(serde_json::to_string(&decoded).unwrap(), json);
    assert_eq!(decoded.to_bytes(), bytes);
    // Pretty-printed JSON is the same record.
    let pretty = serde_json::to_string_pretty(record).unwrap();
    assert_eq!(
        &serde_json::from_str::<BoardRecord>(&pretty).unwrap(),
        record
    );
    // Each entry's kind, author and head are spelled out.
    let value: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["version"], tabella::domain::PROTOCOL_VERSION);
    let first = &value["entries"][0];
    assert_eq!(first["kind"], "manifest");
    assert_eq!(first["author"], "administrator");
    assert_eq!(first["head"], record.heads()[0].to_string());
    assert_eq!(value["entries"][1]["kind"], "roll");
    assert_eq!(
        value["entries"][3]["author"],
        serde_json::json!({"trustee": 1})
    );
    assert_eq!(value["entries"][20]["author"], "voter");
}

#[test]
fn truncated_or_extended_records_are_refused() {
    let record = &SMALL.record;
    let bytes = record.to_bytes();
    for cut in [0, 3, 5, 8, 9, 100, bytes.len() / 2, bytes.len() - 1] {
        assert!(
            BoardRecord::from_bytes(&bytes[..cut]).is_err(),
            "cut at {cut}"
        );
    }
    let mut extended = bytes.clone();
    extended.push(0);
    assert!(matches!(
        BoardRecord::from_bytes(&extended),
        Err(Error::TrailingBytes { .. })
    ));
    let json = serde_json::to_string(record).unwrap();
    for cut in [0, 10, json.len() / 2, json.len() - 1] {
        assert!(serde_json::from_str::<BoardRecord>(&json[..cut]).is_err());
    }
}

#[test]
fn a_header_that_is_not_a_record_header_is_refused_with_its_own_error() {
    let bytes = SMALL.record.to_bytes();
    // Junk.
    assert_eq!(
        BoardRecord::from_bytes(b"PK\x03\x04 not a record"),
        Err(Error::NotTabella {
            expected: ObjectKind::Record
        })
    );
    assert_eq!(
        BoardRecord::from_bytes(b"tb"),
        Err(Error::NotTabella {
            expected: ObjectKind::Record
        })
    );
    // Another kind of object: an entry of the board given as a record.
    let entry = SMALL.record.entries()[0].to_bytes();
    assert_eq!(
        BoardRecord::from_bytes(&entry),
        Err(Error::WrongKind {
            expected: ObjectKind::Record,
            found: Some(ObjectKind::BoardEntry)
        })
    );
    // Another protocol version, of the record and of an entry inside it (named by position).
    let current = tabella::domain::PROTOCOL_VERSION;
    for version in [current - 1, current + 1] {
        let mut other = bytes.clone();
        other[3..5].copy_from_slice(&version.to_le_bytes());
        assert_eq!(
            BoardRecord::from_bytes(&other),
            Err(Error::UnsupportedVersion {
                kind: ObjectKind::Record,
                version
            })
        );
    }
    let mut inner = bytes.clone();
    // header (5) ‖ count (4) ‖ len (4) ‖ entry 0: its version at 3..5 of the entry.
    inner[13 + 3] = 3;
    assert!(matches!(
        BoardRecord::from_bytes(&inner),
        Err(Error::BoardCorrupted { entry: 0, .. })
    ));
    // In JSON, the version field.
    let json = serde_json::to_string(&SMALL.record).unwrap();
    let v3 = json.replacen(&format!("{{\"version\":{current},"), "{\"version\":3,", 1);
    assert_ne!(v3, json);
    let err = serde_json::from_str::<BoardRecord>(&v3).unwrap_err();
    assert!(err.to_string().contains("version 3"), "{err}");
}

#[test]
fn the_json_decoder_refuses_unknown_fields_and_duplicate_keys() {
    let json = serde_json::to_string(&SMALL.record).unwrap();
    let v = tabella::domain::PROTOCOL_VERSION;
    let version = format!("{{\"version\":{v},");
    assert!(json.starts_with(&version));
    let refused = |text: &str| serde_json::from_str::<BoardRecord>(text).is_err();
    let unknown = json.replacen(&version, &format!("{{\"version\":{v},\"extra\":0,"), 1);
    assert!(refused(&unknown));
    let duplicate = json.replacen(&version, &format!("{{\"version\":{v},\"version\":{v},"), 1);
    assert!(refused(&duplicate));
    let entry_field = json.replacen("{\"kind\":", "{\"note\":\"x\",\"kind\":", 1);
    assert!(refused(&entry_field));
    let entry_duplicate = json.replacen(
        "{\"kind\":\"manifest\",",
        "{\"kind\":\"manifest\",\"kind\":\"manifest\",",
        1,
    );
    assert!(refused(&entry_duplicate));
    let missing = json.replacen("\"author\":\"administrator\",", "", 1);
    assert!(refused(&missing));
    // Hex is lowercase only.
    let value: Value = serde_json::from_str(&json).unwrap();
    let hex = value["entries"][0]["entry"].as_str().unwrap();
    let upper = json.replacen(hex, &hex.to_uppercase(), 1);
    assert!(refused(&upper));
}

#[test]
fn the_json_decoder_refuses_a_kind_author_or_head_that_is_not_the_entrys() {
    let record = &SMALL.record;
    let value = serde_json::to_value(record).unwrap();
    let refusal = |edit: &dyn Fn(&mut Value)| {
        let mut v = value.clone();
        edit(&mut v);
        serde_json::from_value::<BoardRecord>(v)
            .unwrap_err()
            .to_string()
    };
    let named = |k: usize| format!("record entry {k}: its kind, author or head is not the entry's");
    // Another kind (a known one and an unknown one).
    let e = refusal(&|v| v["entries"][12]["kind"] = "round_open".into());
    assert!(e.contains(&named(12)), "{e}");
    let e = refusal(&|v| v["entries"][12]["kind"] = "keys ".into());
    assert!(e.contains(&named(12)), "{e}");
    let e = refusal(&|v| v["entries"][1]["kind"] = "keys".into());
    assert!(e.contains(&named(1)), "{e}");
    // Another author: a voter for the administrator, trustee 2 for trustee 1, a trustee 0.
    let e = refusal(&|v| v["entries"][0]["author"] = "voter".into());
    assert!(e.contains(&named(0)), "{e}");
    let e = refusal(&|v| v["entries"][3]["author"] = serde_json::json!({"trustee": 2}));
    assert!(e.contains(&named(3)), "{e}");
    let e = refusal(&|v| v["entries"][3]["author"] = serde_json::json!({"trustee": 0}));
    assert!(e.contains(&named(3)), "{e}");
    let e = refusal(&|v| v["entries"][14]["author"] = "administrator".into());
    assert!(e.contains(&named(14)), "{e}");
    let e = refusal(&|v| v["entries"][1]["author"] = "administrator".into());
    assert!(e.contains(&named(1)), "{e}");
    // Another head: the next entry's, a flipped one, and every head one entry late (an entry
    // removed from the board but its head kept).
    let heads: Vec<String> = record.heads().iter().map(ToString::to_string).collect();
    let e = refusal(&|v| v["entries"][6]["head"] = heads[7].clone().into());
    assert!(e.contains(&named(6)), "{e}");
    let e = refusal(&|v| {
        let h = heads[31].replacen('0', "1", 1).replacen('a', "b", 1);
        v["entries"][31]["head"] = h.into();
    });
    assert!(e.contains(&named(31)), "{e}");
    let e = refusal(&|v| {
        v["entries"].as_array_mut().unwrap().remove(18);
    });
    assert!(e.contains(&named(18)), "{e}");
    // An altered entry: its head no longer follows.
    let e = refusal(&|v| {
        let hex = v["entries"][24]["entry"].as_str().unwrap().to_string();
        let flipped = format!(
            "{}{}",
            &hex[..40],
            if &hex[40..41] == "0" { "1" } else { "0" }
        );
        v["entries"][24]["entry"] = format!("{flipped}{}", &hex[41..]).into();
    });
    assert!(e.contains(&named(24)), "{e}");
}

/// Flips bit `bit` of byte `i` of `bytes`.
fn flipped(bytes: &[u8], i: usize, bit: u8) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[i] ^= 1 << bit;
    out
}

/// Positions to flip in `len` bytes: the first 16 (an entry's header, kind, role, index,
/// length and first body byte), 12 spread over the rest, and every 8th of the last 96 (a
/// signed entry's read head and signature).
fn positions(len: usize) -> Vec<usize> {
    let mut p: Vec<usize> = (0..len.min(16)).collect();
    p.extend((0..12).map(|i| 16 + i * len.saturating_sub(16) / 12));
    p.extend((len.saturating_sub(96)..len).step_by(8));
    p.push(len.saturating_sub(1));
    p.retain(|&i| i < len);
    p.sort_unstable();
    p.dedup();
    p
}

/// One entry of each kind and place on the small board: the manifest, the roll, the ceremony
/// run, a message of each ceremony round, the keys, round 1's opening, a ballot, its close, a
/// partial and its result, round 2's opening, a ballot and its result.
const SAMPLED: [usize; 15] = [0, 1, 2, 3, 7, 11, 12, 13, 14, 20, 22, 24, 25, 31, 37];

#[test]
fn an_altered_entry_fails_at_that_entry_check_2_for_a_signed_one() {
    // An operator without the keys flips a bit of an entry: the entry no longer decodes, or
    // the board fails at that entry, at check 2 for the administrator's, the credential
    // authority's and trustees' entries (or 3 if the manifest itself no longer decodes), at 7,
    // 8, 9 or 10 for a voter's.
    let board = &*SMALL;
    let mut tried = 0;
    for k in SAMPLED {
        let entry = &board.record.entries()[k];
        let bytes = entry.to_bytes();
        for i in positions(bytes.len()) {
            let bit = (i % 8) as u8;
            let Ok(altered) = Entry::from_bytes(&flipped(&bytes, i, bit)) else {
                continue;
            };
            let mut entries = board.entries();
            entries[k] = altered;
            tried += 1;
            let failure = verify_record(&BoardRecord::new(entries))
                .failure
                .unwrap_or_else(|| panic!("bit {bit} of byte {i} of entry {k} went unnoticed"));
            assert_eq!(
                failure.entry,
                Some(k as u64),
                "byte {i} of entry {k}: {failure}"
            );
            let expected: &[Check] = match (k, entry.kind().role()) {
                (0, _) => &[Check::Authorship, Check::Parameters],
                (_, tabella::board::Role::Voter) => &[
                    Check::Eligibility,
                    Check::BallotProofs,
                    Check::ChallengedBallots,
                    Check::BoxRules,
                ],
                _ => &[Check::Authorship],
            };
            assert!(
                expected.contains(&failure.check),
                "byte {i} of entry {k}: {failure}"
            );
        }
    }
    assert!(tried > 150, "{tried}");
}

#[test]
fn an_altered_body_signed_again_by_its_author_is_caught_behind_the_signature() {
    // The operator with every key: each flip of a signed entry's body, re-signed and the
    // board rechained, still fails a check (at that entry, or where the change shows: a
    // ceremony message is checked when the keys are announced).
    let board = &*SMALL;
    let mut tried = 0;
    for k in SAMPLED {
        let entry = &board.record.entries()[k];
        if entry.signature().is_none() {
            continue;
        }
        let body = entry.body();
        for i in positions(body.len()) {
            let record = board.with_body(k, |b| flipped(b, i, (i % 8) as u8));
            tried += 1;
            let failure = verify_record(&record)
                .failure
                .unwrap_or_else(|| panic!("byte {i} of entry {k}'s body went unnoticed"));
            assert!(
                failure.entry >= Some(k as u64),
                "byte {i} of entry {k}: {failure}"
            );
            // Every signature and read head is valid again (a changed manifest may name
            // other authorities, whose entries then fail check 2).
            if k > 0 {
                assert!(
                    !matches!(
                        failure.error,
                        Error::EntrySignatureRejected { .. } | Error::UnknownReadHead { .. }
                    ),
                    "byte {i} of entry {k}: {failure}"
                );
            }
        }
    }
    assert!(tried > 150, "{tried}");
}

#[test]
fn flips_in_the_council_record_json_are_refused_at_decoding_naming_the_entry() {
    // A JSON record spells out each entry's head, so an altered entry no longer decodes.
    // (An entry that no longer decodes at all is refused by the entry decoder.)
    let record = &IOM.record;
    let value = serde_json::to_value(record).unwrap();
    let n = record.entries().len();
    let mut named = 0;
    for k in [0, 1, 11, n / 2, n - 3, n - 2, n - 1] {
        let hex = value["entries"][k]["entry"].as_str().unwrap().to_string();
        for i in [0, 11, 13, hex.len() / 3, hex.len() / 2, hex.len() - 1] {
            let mut v = value.clone();
            let digit = if &hex[i..=i] == "0" { "1" } else { "0" };
            let altered = format!("{}{digit}{}", &hex[..i], &hex[i + 1..]);
            let decodes = tabella::encoding::from_hex("entry", &altered)
                .is_ok_and(|bytes| Entry::from_bytes(&bytes).is_ok());
            v["entries"][k]["entry"] = altered.into();
            let err = serde_json::from_value::<BoardRecord>(v)
                .unwrap_err()
                .to_string();
            if decodes {
                named += 1;
                assert!(
                    err.contains(&format!("record entry {k}: its kind, author or head")),
                    "digit {i} of entry {k}: {err}"
                );
            }
        }
    }
    assert!(named > 10, "{named}");
}

// ---------------------------------------------------------------------------------------------
// Entries removed, duplicated, moved, inserted

/// What verifying the small board gives after an edit: the failing check and entry, or the
/// end of the board when it verifies.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Fails(Check, usize),
    Verifies(&'static str),
}

use Verdict::{Fails, Verifies};

fn verdict(record: &BoardRecord) -> Verdict {
    match verify_record(record).failure {
        Some(f) => Fails(f.check, f.entry.unwrap() as usize),
        None => Verifies(match end_of(record).as_str() {
            "candidate 0 elected" => "elected",
            "nobody elected yet" => "nobody elected yet",
            "round 2 is closed, 3 partial decryptions so far" => "round 2 closed",
            other => panic!("unexpected end {other}"),
        }),
    }
}

#[test]
fn each_removed_entry_is_caught_where_the_board_stops_fitting() {
    use Check::*;
    let board = &*SMALL;
    let expected: Vec<(usize, Verdict)> = vec![
        // The manifest: the first entry is not one.
        (0, Fails(Entries, 0)),
        // The roll: round 1 opens without one (the manifest has a roll).
        (1, Fails(Roll, 12)),
        // The ceremony run: a message before any run.
        (2, Fails(Sequence, 2)),
        // A trustee's round-1 message: it is no participant, and every dealer's round-2
        // shares are then for the wrong set of recipients: nobody qualifies.
        (3, Fails(Ceremony, 11)),
        (5, Fails(Ceremony, 11)),
        // A round-2 message: its dealer is excluded, and the keys announced are not the
        // ceremony's outcome.
        (6, Fails(Ceremony, 11)),
        (8, Fails(Ceremony, 11)),
        // A round-3 message is its author's complaints, none here: without it the ceremony's
        // outcome is the same, and the board verifies.
        (9, Verifies("elected")),
        (11, Verifies("elected")),
        // The keys: a round opens before them.
        (12, Fails(Sequence, 12)),
        // Round 1's opening: a ballot while no round is open.
        (13, Fails(Sequence, 13)),
        // A ballot: the close no longer names the box (the close check at the close, now 19).
        (14, Fails(Close, 19)),
        (17, Fails(Close, 19)),
        (19, Fails(Close, 19)),
        // The close: a partial decryption while the round is open.
        (20, Fails(Sequence, 20)),
        // Trustee 1's or 2's partial: the announced combined trustees [1, 2] are not the
        // first two (the combination check at the result, now 23).
        (21, Fails(Combination, 23)),
        (22, Fails(Combination, 23)),
        // Trustee 3's partial: the board without it is a valid board (trustees 1 and 2 are
        // the ones combined); that it is not the board first published is for
        // `verify_extends`.
        (23, Verifies("elected")),
        // Round 1's result: round 2 opens while round 1 is undecided.
        (24, Fails(Sequence, 24)),
        (25, Fails(Sequence, 25)),
        (26, Fails(Close, 32)),
        (33, Fails(Sequence, 33)),
        (34, Fails(Combination, 36)),
        // The last result: a board whose last round is decrypted but not yet announced.
        (37, Verifies("round 2 closed")),
    ];
    for (k, want) in expected {
        let mut entries = board.entries();
        entries.remove(k);
        let record = board.rechain(entries);
        assert_eq!(verdict(&record), want, "entry {k} removed");
        if let Verifies(_) = want {
            assert_eq!(
                verify_extends(&board.record, &record),
                Err(Error::RecordRewritten {
                    entry: k as u64,
                    what: if k == 37 {
                        "entries removed"
                    } else {
                        "an entry was rewritten or reordered"
                    }
                })
            );
        }
    }
}

#[test]
fn each_duplicated_entry_is_caught_at_the_copy() {
    use Check::*;
    let board = &*SMALL;
    let expected: Vec<(usize, Verdict)> = vec![
        // A second manifest.
        (0, Fails(Sequence, 1)),
        // A second roll.
        (1, Fails(Roll, 2)),
        // The ceremony run signed twice before any message: a run nonce is used once.
        (2, Fails(Sequence, 3)),
        // A ceremony message signed twice by its trustee is one message (the ceremony board
        // keeps an identical message once): the board still verifies.
        (3, Verifies("elected")),
        (8, Verifies("elected")),
        // The keys announced twice.
        (12, Fails(Sequence, 13)),
        // A round opened twice.
        (13, Fails(Sequence, 14)),
        // A ballot cast twice: its credential has a ballot in the box already.
        (14, Fails(Eligibility, 15)),
        (19, Fails(Eligibility, 20)),
        // A close twice: no round is open.
        (20, Fails(Sequence, 21)),
        // A partial twice: one per trustee.
        (21, Fails(PartialDecryptions, 22)),
        (23, Fails(PartialDecryptions, 24)),
        // A result twice: no round is closed.
        (24, Fails(Sequence, 25)),
        (37, Fails(Sequence, 38)),
    ];
    for (k, want) in expected {
        let mut entries = board.entries();
        let copy = entries[k].clone();
        entries.insert(k + 1, copy);
        if entries[k].signature().is_some() {
            // The operator posting the signed entry again is a replay (check 2); its author
            // signing the same content again is what the table says.
            let replay = board.rechain(entries.clone());
            assert_eq!(
                verdict(&replay),
                Fails(Check::Authorship, k + 1),
                "entry {k} replayed"
            );
            entries[k + 1] = board.resigned(&entries, k);
        }
        let record = board.rechain(entries);
        assert_eq!(verdict(&record), want, "entry {k} duplicated");
    }
    let mut entries = board.entries();
    let copy = entries[14].clone();
    entries.insert(20, copy);
    let failure = assert_fails(&board.rechain(entries), Check::Eligibility, 20);
    assert!(matches!(failure.error, Error::CredentialReused { .. }));
    // A member who has not voted in round 1 casts a ballot under the id of a ballot in the
    // box: its credential is fine, its id is in the box already.
    let round = replay_of(&board.record.entries()[..=13]);
    let round = round.open_round().unwrap();
    let voted: Vec<_> = board.record.entries()[14..20]
        .iter()
        .map(|e| {
            *EncryptedBallot::from_bytes(e.body())
                .unwrap()
                .credential()
                .unwrap()
        })
        .collect();
    let member = board
        .credentials
        .iter()
        .find(|c| !voted.contains(&c.public()))
        .expect("8 members, 6 ballots");
    let taken = *EncryptedBallot::from_bytes(board.record.entries()[14].body())
        .unwrap()
        .id();
    let selection = Selection::new(round.contest(), &[0]).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(77);
    let (ballot, _) =
        EncryptedBallot::encrypt(&round.context(), &selection, taken, Some(member), &mut rng)
            .unwrap();
    let mut entries = board.entries();
    entries.insert(
        20,
        Entry::voter(EntryKind::Ballot, ballot.to_bytes()).unwrap(),
    );
    let failure = assert_fails(&board.rechain(entries), Check::BoxRules, 20);
    assert!(matches!(failure.error, Error::DuplicateBallotId { .. }));
}

#[test]
fn each_swap_of_neighbouring_entries_is_caught_or_is_the_same_election() {
    use Check::*;
    let board = &*SMALL;
    let expected: Vec<(usize, Verdict)> = vec![
        // The roll before the manifest.
        (0, Fails(Entries, 0)),
        // The roll after the ceremony run: the roll may be posted any time before a round
        // opens.
        (1, Verifies("elected")),
        // A message before the run.
        (2, Fails(Sequence, 2)),
        // Two round-1 messages: a round has no order among its messages.
        (3, Verifies("elected")),
        // A round-1 message after a round-2 message: round 1 has closed.
        (5, Fails(Sequence, 6)),
        // The keys before trustee 3's complaint-round message (no complaints): the keys are
        // the outcome, and the message after them is out of place.
        (11, Fails(Sequence, 12)),
        // A round opened before the keys.
        (12, Fails(Sequence, 12)),
        // A ballot before the round opens.
        (13, Fails(Sequence, 13)),
        // Two ballots: the box's chain is another (the close check at the close).
        (14, Fails(Close, 20)),
        // The close before the last ballot: the close is not the box's.
        (19, Fails(Close, 19)),
        // A partial before the close.
        (20, Fails(Sequence, 20)),
        // Two partials: they combine in trustee order whatever order they arrive in.
        (21, Verifies("elected")),
        // The result before trustee 3's partial: the partial after it has no closed round.
        (23, Fails(Sequence, 24)),
        // Round 2 opened before round 1's result.
        (24, Fails(Sequence, 24)),
    ];
    for (k, want) in expected {
        let mut entries = board.entries();
        entries.swap(k, k + 1);
        let record = board.rechain(entries);
        assert_eq!(verdict(&record), want, "entries {k} and {} swapped", k + 1);
        if let Verifies(_) = want {
            assert_eq!(
                verify_extends(&board.record, &record),
                Err(Error::RecordRewritten {
                    entry: k as u64,
                    what: "an entry was rewritten or reordered"
                })
            );
        }
    }
}

#[test]
fn an_entry_moved_far_is_caught_where_it_lands() {
    let board = &*SMALL;
    let moved = |from: usize, to: usize| {
        let mut entries = board.entries();
        let e = entries.remove(from);
        entries.insert(to, e);
        board.rechain(entries)
    };
    // Round 1's close moved after round 2's ballots: round 2 opens while round 1 is open.
    assert_fails(&moved(20, 31), Check::Sequence, 20);
    // A round-2 ballot moved into round 1: it has round 2's shape (two candidates), refused
    // before its signature or its proofs are checked.
    assert_fails(&moved(28, 16), Check::BallotProofs, 16);
    // A round-1 ballot moved into round 2: round 1's box is short of it first.
    assert_fails(&moved(16, 28), Check::Close, 19);
    // A copy of a round-1 ballot cast in round 2: it has round 1's shape.
    assert_fails(
        &board.inserted(28, board.record.entries()[16].clone()),
        Check::BallotProofs,
        28,
    );
    // Round 1's result moved to the end.
    assert_fails(&moved(24, 37), Check::Sequence, 24);
}

#[test]
fn inserted_entries_that_do_not_fit_are_caught_at_their_position() {
    let board = &*SMALL;
    // A ballot after the close: no round is open.
    let ballot = board.record.entries()[15].clone();
    assert_fails(&board.inserted(21, ballot.clone()), Check::Sequence, 21);
    // A ballot before any round.
    assert_fails(&board.inserted(13, ballot), Check::Sequence, 13);
    // A ballot of another election: its credential is not on this roll.
    let other = IOM.record.entries()[nth(&IOM.record, EntryKind::Ballot, 0)].clone();
    let failure = assert_fails(&board.inserted(16, other), Check::Eligibility, 16);
    assert!(matches!(failure.error, Error::CredentialNotOnRoll { .. }));
    // Junk as a ballot or a challenged ballot.
    let junk = Entry::voter(EntryKind::Ballot, b"junk".to_vec()).unwrap();
    assert_fails(&board.inserted(16, junk), Check::BallotProofs, 16);
    let junk = Entry::voter(EntryKind::Challenged, b"junk".to_vec()).unwrap();
    assert_fails(&board.inserted(16, junk), Check::ChallengedBallots, 16);
    // A round-1 opening again, after round 1 is decided: round 2 is next.
    let open = board.resigned(board.record.entries(), 13);
    assert_fails(&board.inserted(25, open), Check::Sequence, 25);
    // An entry of another election, signed by its administrator, appended as it is: it read
    // the other board.
    let foreign = IOM.record.entries()[nth(&IOM.record, EntryKind::Withdrawal, 0)].clone();
    let mut entries = board.entries();
    entries.push(foreign);
    let failure = assert_fails(&BoardRecord::new(entries), Check::Authorship, 38);
    assert_eq!(failure.error, Error::UnknownReadHead { entry: 38 });
}

#[test]
fn a_second_manifest_fails_check_6_at_its_entry() {
    let board = &*SMALL;
    let manifest = board.record.entries()[0].body().to_vec();
    for at in [1, 2, 13, 25, 38] {
        let entry = board.admin_entry(EntryKind::Manifest, manifest.clone(), at);
        assert_fails(&board.inserted(at, entry), Check::Sequence, at);
    }
    // Another manifest first: the board is another election, and the ceremony messages
    // signed for this one are foreign to it.
    let mut other = Manifest::from_bytes(&manifest).unwrap();
    other = Manifest::builder("another")
        .members(other.members())
        .eligible(other.eligible())
        .candidates(other.candidates().to_vec())
        .rules(other.rules().clone())
        .threshold(other.threshold())
        .trustees(other.trustees())
        .privacy_floor(other.privacy_floor())
        .roll(other.roll().unwrap())
        .authorities(other.authorities().unwrap().clone())
        .build()
        .unwrap();
    let record = board.with_body(0, |_| other.to_bytes().unwrap());
    assert_fails(&record, Check::Ceremony, 3);
}

// ---------------------------------------------------------------------------------------------
// The box and its close

#[test]
fn a_close_with_another_chain_head_or_count_fails_check_11_at_its_entry() {
    let board = &*SMALL;
    let k = 20;
    let close = BoxClose::from_bytes(board.record.entries()[k].body()).unwrap();
    let changes = [
        BoxClose::new(
            close.round(),
            ConfirmationCode([7; 32]),
            close.cast(),
            close.challenged(),
        ),
        BoxClose::new(
            close.round(),
            *close.chain_head(),
            close.cast() - 1,
            close.challenged(),
        ),
        BoxClose::new(
            close.round(),
            *close.chain_head(),
            close.cast() + 1,
            close.challenged(),
        ),
        BoxClose::new(
            close.round(),
            *close.chain_head(),
            close.cast(),
            close.challenged() + 1,
        ),
        BoxClose::new(2, *close.chain_head(), close.cast(), close.challenged()),
        close.with_replaced(1),
    ];
    for changed in changes {
        let record = board.with_body(k, |_| changed.to_bytes());
        assert_fails(&record, Check::Close, k);
    }
    let record = board.with_body(k, |b| b[..b.len() - 1].to_vec());
    assert_fails(&record, Check::Close, k);
}

#[test]
fn a_ballot_dropped_from_a_box_fails_check_11_at_the_close() {
    let board = &*SMALL;
    for ballot in 14..=19 {
        let mut entries = board.entries();
        entries.remove(ballot);
        assert_fails(&board.rechain(entries), Check::Close, 19);
    }
    // The first confirmation code of another box: the chain starts from the round's genesis,
    // so a box cannot be continued from another.
    let mut entries = board.entries();
    let moved = entries.remove(14);
    entries.insert(19, moved);
    assert_fails(&board.rechain(entries), Check::Close, 20);
}

// ---------------------------------------------------------------------------------------------
// Decryption and result

#[test]
fn a_result_with_other_totals_fails_check_14_at_its_entry() {
    let board = &*SMALL;
    for k in [24, 37] {
        let result = result_of(&board.record, k);
        let mut edits: Vec<Vec<u64>> = Vec::new();
        for slot in 0..result.totals.len() {
            let mut more = result.totals.clone();
            more[slot] += 1;
            edits.push(more);
        }
        let mut moved = result.totals.clone();
        moved[0] -= 1;
        moved[1] += 1;
        edits.push(moved);
        let mut longer = result.totals.clone();
        longer.push(0);
        edits.push(longer);
        edits.push(result.totals[..result.totals.len() - 1].to_vec());
        for totals in edits {
            let record = board.with_body(k, |_| {
                RoundResult {
                    totals,
                    ..result.clone()
                }
                .to_bytes()
            });
            assert_fails(&record, Check::Combination, k);
        }
    }
}

#[test]
fn a_result_naming_other_combined_trustees_or_round_fails_check_14_at_its_entry() {
    let board = &*SMALL;
    let k = 24;
    let result = result_of(&board.record, k);
    assert_eq!(result.combined, [1, 2]);
    for combined in [
        vec![2, 3],
        vec![1, 3],
        vec![1, 2, 3],
        vec![1],
        vec![2, 1],
        vec![],
    ] {
        let record = board.with_body(k, |_| {
            RoundResult {
                combined,
                ..result.clone()
            }
            .to_bytes()
        });
        assert_fails(&record, Check::Combination, k);
    }
    let record = board.with_body(k, |_| {
        RoundResult {
            round: 2,
            ..result.clone()
        }
        .to_bytes()
    });
    assert_fails(&record, Check::Combination, k);
}

#[test]
fn a_result_with_another_decision_fails_check_15_at_its_entry() {
    let board = &*SMALL;
    for k in [24, 37] {
        let result = result_of(&board.record, k);
        let d = result.decision;
        let decisions = [
            tabella::election::event::Decision {
                elected: Some(1),
                ..d
            },
            tabella::election::event::Decision {
                elected: if d.elected.is_some() { None } else { Some(0) },
                ..d
            },
            tabella::election::event::Decision {
                eliminated: if d.eliminated.is_some() {
                    None
                } else {
                    Some(1)
                },
                ..d
            },
            tabella::election::event::Decision {
                required: d.required.map(|r| r - 1),
                ..d
            },
            tabella::election::event::Decision {
                base: d.base + 1,
                ..d
            },
            tabella::election::event::Decision {
                cast: d.cast + 1,
                ..d
            },
            tabella::election::event::Decision {
                present_and_voting: d.present_and_voting - 1,
                ..d
            },
        ];
        for decision in decisions {
            let record = board.with_body(k, |_| {
                RoundResult {
                    decision,
                    ..result.clone()
                }
                .to_bytes()
            });
            assert_fails(&record, Check::Outcome, k);
        }
    }
}

/// Trustee `i`'s partial of round 1 with its first share moved by G (its proofs are for the
/// real share): what a trustee posts to shift a total.
fn moved_partial(board: &Board, k: usize) -> Vec<u8> {
    let p = PartialDecryption::from_bytes(board.record.entries()[k].body()).unwrap();
    let share = p.shares().next().unwrap().clone();
    let moved = tabella::group::Point::from(
        share.element()
            + tabella::curve25519_dalek::RistrettoPoint::mul_base(
                &tabella::curve25519_dalek::Scalar::ONE,
            ),
    );
    let mut bytes = p.to_bytes().unwrap();
    let at = bytes
        .windows(32)
        .position(|w| w == share.to_bytes())
        .unwrap();
    bytes[at..at + 32].copy_from_slice(&moved.to_bytes());
    bytes
}

#[test]
fn a_replaced_partial_decryption_fails_check_13_at_its_entry_naming_the_trustee() {
    let board = &*SMALL;
    // Trustee 2's partial with a share moved, signed by trustee 2.
    let record = board.with_body(22, |_| moved_partial(board, 22));
    let failure = assert_fails(&record, Check::PartialDecryptions, 22);
    assert_eq!(
        failure.culprits(),
        vec![tabella::error::Culprit::Trustee(2)]
    );
    // Trustee 2's partial of round 2 posted for round 1.
    let record = board.with_body(22, |_| board.record.entries()[35].body().to_vec());
    let failure = assert_fails(&record, Check::PartialDecryptions, 22);
    assert_eq!(
        failure.culprits(),
        vec![tabella::error::Culprit::Trustee(2)]
    );
    // Junk.
    let record = board.with_body(22, |_| b"junk".to_vec());
    assert_fails(&record, Check::PartialDecryptions, 22);
    // Trustee 1's partial posted again by trustee 2: a trustee posts only its own (check 2),
    // and trustee 1's own, posted twice, is one too many (check 13).
    let record = board.with_body(22, |_| board.record.entries()[21].body().to_vec());
    let failure = assert_fails(&record, Check::Authorship, 22);
    assert!(
        failure.to_string().contains("its own partial decryption"),
        "{failure}"
    );
}

// ---------------------------------------------------------------------------------------------
// Rounds, withdrawals, ties and acclamations

#[test]
fn a_round_opening_that_is_not_the_recomputed_round_fails_check_6_at_its_entry() {
    let board = &*SMALL;
    let k = 25;
    let opening = RoundOpening::from_bytes(board.record.entries()[k].body()).unwrap();
    assert_eq!(opening.candidates, [0, 1]);
    // C, eliminated after round 1, back on the ballot; a renumbered round; another contest;
    // another kind with this round's candidates and contest.
    let contest = tabella::ballot::ContestSpec::choose_one(0, 3, true)
        .unwrap()
        .with_capacity(8);
    let openings = [
        RoundOpening {
            candidates: vec![0, 1, 2],
            ..opening.clone()
        },
        RoundOpening {
            round: 3,
            ..opening.clone()
        },
        RoundOpening {
            round: 1,
            ..opening.clone()
        },
        RoundOpening {
            contest,
            ..opening.clone()
        },
        RoundOpening {
            kind: RoundKind::YesNo { candidate: 0 },
            ..opening.clone()
        },
    ];
    for changed in openings {
        let record = board.with_body(k, |_| changed.to_bytes());
        assert_fails(&record, Check::Sequence, k);
    }
}

#[test]
fn a_withdrawal_that_does_not_fit_fails_check_6_at_its_entry() {
    let iom = &*IOM;
    let w = nth(&iom.record, EntryKind::Withdrawal, 0);
    let acclamation = w + 1;
    assert_eq!(
        Withdrawal::from_bytes(iom.record.entries()[w].body())
            .unwrap()
            .candidate,
        1
    );
    // Of no such candidate.
    let record = iom.with_body(w, |_| Withdrawal { candidate: 2 }.to_bytes());
    assert_fails(&record, Check::Sequence, w);
    // Twice.
    let mut entries = iom.entries();
    let copy = iom.resigned(&entries, w);
    entries.insert(w + 1, copy);
    assert_fails(&iom.rechain(entries), Check::Sequence, w + 1);
    // While round 1 is open, or closed and undecided.
    let open = nth(&iom.record, EntryKind::RoundOpen, 0);
    let close = nth(&iom.record, EntryKind::RoundClose, 0);
    for at in [open + 1, close + 1] {
        let entry = iom.admin_entry(
            EntryKind::Withdrawal,
            Withdrawal { candidate: 1 }.to_bytes(),
            at,
        );
        assert_fails(&iom.inserted(at, entry), Check::Sequence, at);
    }
    // After the election is decided.
    let entry = iom.admin_entry(
        EntryKind::Withdrawal,
        Withdrawal { candidate: 1 }.to_bytes(),
        acclamation + 1,
    );
    assert_fails(
        &iom.inserted(acclamation + 1, entry),
        Check::Sequence,
        acclamation + 1,
    );
    // The other candidate withdrawn instead: the acclamation is no longer of the sole
    // remaining candidate.
    let record = iom.with_body(w, |_| Withdrawal { candidate: 0 }.to_bytes());
    assert_fails(&record, Check::Sequence, acclamation);
    // None: two candidates remain, and nobody is elected by acclamation.
    let mut entries = iom.entries();
    entries.remove(w);
    assert_fails(&iom.rechain(entries), Check::Sequence, w);
}

#[test]
fn an_acclamation_that_does_not_fit_fails_check_6_or_16_at_its_entry() {
    let iom = &*IOM;
    let a = nth(&iom.record, EntryKind::Acclamation, 0);
    let acclamation = Acclamation::from_bytes(iom.record.entries()[a].body()).unwrap();
    assert_eq!((acclamation.round, acclamation.candidate), (2, 0));
    // Of the withdrawn candidate; in another round.
    let record = iom.with_body(a, |_| {
        Acclamation {
            candidate: 1,
            ..acclamation
        }
        .to_bytes()
    });
    assert_fails(&record, Check::Sequence, a);
    for round in [1, 3] {
        let record = iom.with_body(a, |_| {
            Acclamation {
                round,
                ..acclamation
            }
            .to_bytes()
        });
        assert_fails(&record, Check::Sequence, a);
    }
    // Twice.
    let mut entries = iom.entries();
    let copy = iom.resigned(&entries, a);
    entries.push(copy);
    assert_fails(&iom.rechain(entries), Check::Sequence, a + 1);
    // With three candidates standing, before any round; during an open round.
    let small = &*SMALL;
    let body = Acclamation {
        round: 1,
        candidate: 0,
    }
    .to_bytes();
    for at in [13, 16] {
        let entry = small.admin_entry(EntryKind::Acclamation, body.clone(), at);
        assert_fails(&small.inserted(at, entry), Check::Sequence, at);
    }
    // While a tie for lowest is pending: check 16.
    let tied = &*TIED;
    let t = nth(&tied.record, EntryKind::TieResolution, 0);
    let mut entries = tied.entries();
    entries.truncate(t);
    let body = Acclamation {
        round: 2,
        candidate: 0,
    }
    .to_bytes();
    entries.push(tied.admin_entry(EntryKind::Acclamation, body, t));
    let failure = assert_fails(&tied.rechain(entries), Check::TieResolution, t);
    assert!(matches!(failure.error, Error::Rule(_)), "{failure}");
}

#[test]
fn a_tie_resolution_that_does_not_fit_fails_check_16_at_its_entry() {
    let tied = &*TIED;
    let t = nth(&tied.record, EntryKind::TieResolution, 0);
    let resolution = TieResolution::from_bytes(tied.record.entries()[t].body()).unwrap();
    assert_eq!(
        (resolution.round, resolution.eliminated, resolution.how),
        (1, 2, TieBreak::Lot)
    );
    // Eliminating a candidate who was not tied for lowest; for another round.
    let record = tied.with_body(t, |_| {
        TieResolution {
            eliminated: 0,
            ..resolution
        }
        .to_bytes()
    });
    assert_fails(&record, Check::TieResolution, t);
    let record = tied.with_body(t, |_| {
        TieResolution {
            round: 2,
            ..resolution
        }
        .to_bytes()
    });
    assert_fails(&record, Check::TieResolution, t);
    // Twice.
    let mut entries = tied.entries();
    let copy = tied.resigned(&entries, t);
    entries.insert(t + 1, copy);
    assert_fails(&tied.rechain(entries), Check::TieResolution, t + 1);
    // Left out, and round 2 opened anyway.
    let mut entries = tied.entries();
    entries.remove(t);
    let failure = assert_fails(&tied.rechain(entries), Check::TieResolution, t);
    assert_eq!(
        failure.error,
        Error::Rule(tabella::rules::RuleError::TieForLowestUnresolved { tied: vec![1, 2] })
    );
    // Where the rules left no tie: after the small board's first result.
    let small = &*SMALL;
    let entry = small.admin_entry(EntryKind::TieResolution, resolution.to_bytes(), 25);
    assert_fails(&small.inserted(25, entry), Check::TieResolution, 25);
    // While round 2 is open.
    let entry = tied.admin_entry(EntryKind::TieResolution, resolution.to_bytes(), t + 3);
    assert_fails(&tied.inserted(t + 3, entry), Check::Sequence, t + 3);
    // Left out, and the board ends there: a valid board awaiting the lot.
    let mut entries = tied.entries();
    entries.truncate(t);
    let record = tied.rechain(entries);
    assert_eq!(end_of(&record), "a tie for lowest among [1, 2] is pending");
}

#[test]
fn a_tie_for_lowest_resolved_by_lot_or_by_withdrawal_verifies() {
    let tied = &*TIED;
    let report = assert_verifies(&tied.record);
    assert!(
        report
            .passed
            .iter()
            .any(|p| p.check == Check::TieResolution && p.detail.contains("candidate 2 eliminated"))
    );
    assert_eq!(end_of(&tied.record), "candidate 0 elected");
    // Resolved by the withdrawal of one of the tied before the next round.
    let text = TIE.replace(
        r#""abstain": 0,
       "resolve_tie": {"eliminate": "C", "by": "lot"}},
      {"ballot""#,
        r#""abstain": 0},
      {"withdrawn": ["C"], "ballot""#,
    );
    assert_ne!(text, TIE);
    let withdrawn = board_of(&text, 12);
    assert_eq!(
        nth(&withdrawn.record, EntryKind::Withdrawal, 0),
        nth(&withdrawn.record, EntryKind::Result, 0) + 1
    );
    assert_eq!(end_of(&withdrawn.record), "candidate 0 elected");
}

// ---------------------------------------------------------------------------------------------
// Authorship: signatures and read heads

#[test]
fn an_entry_signed_by_the_wrong_authority_fails_check_2_at_its_entry() {
    let board = &*SMALL;
    let id = board.board_id();
    let resign = |k: usize, author: Author, key: &SecretKey| {
        let e = &board.record.entries()[k];
        let mut rng = ChaCha20Rng::seed_from_u64(k as u64);
        let forged = Entry::signed(
            e.kind(),
            author,
            e.body().to_vec(),
            &id,
            *e.signature().unwrap().read(),
            key,
            &mut rng,
        )
        .unwrap();
        let mut entries = board.entries();
        entries[k] = forged;
        BoardRecord::new(entries)
    };
    let trustee = |i| Author::trustee(TrusteeIndex::new(i).unwrap());
    // The result signed by trustee 1; the close by a key of nobody's.
    let failure = assert_fails(
        &resign(24, Author::ADMINISTRATOR, board.trustee_key(1)),
        Check::Authorship,
        24,
    );
    assert_eq!(failure.error, Error::EntrySignatureRejected { entry: 24 });
    let nobody = SecretKey::generate(&mut ChaCha20Rng::seed_from_u64(99));
    assert_fails(
        &resign(20, Author::ADMINISTRATOR, &nobody),
        Check::Authorship,
        20,
    );
    // The roll signed by a key of nobody's; the administrator cannot sign a roll at all.
    assert_fails(
        &resign(1, Author::CREDENTIAL_AUTHORITY, &nobody),
        Check::Authorship,
        1,
    );
    let roll = &board.record.entries()[1];
    assert!(
        Entry::signed(
            EntryKind::Roll,
            Author::ADMINISTRATOR,
            roll.body().to_vec(),
            &id,
            *roll.signature().unwrap().read(),
            &board.administrator,
            &mut ChaCha20Rng::seed_from_u64(1),
        )
        .is_err()
    );
    // Trustee 2's partial signed by trustee 3, and by the administrator.
    assert_fails(
        &resign(22, trustee(2), board.trustee_key(3)),
        Check::Authorship,
        22,
    );
    assert_fails(
        &resign(22, trustee(2), &board.administrator),
        Check::Authorship,
        22,
    );
    // Trustee 1's ceremony message posted and signed by trustee 2: no signature problem, but
    // a message whose sender is not its poster excludes the poster, trustee 1 has no round-1
    // message, and one trustee is left of the two needed (the ceremony check at the keys).
    let mut entries = board.entries();
    entries[3] = board.signers.sign(
        &entries[0],
        EntryKind::CeremonyMessage,
        trustee(2),
        entries[3].body().to_vec(),
        Head::genesis(),
    );
    let failure = assert_fails(&board.rechain(entries), Check::Ceremony, 12);
    assert!(
        matches!(failure.error, Error::CeremonyFailed { .. }),
        "{failure}"
    );
    // A message of trustee 4, who is not in the manifest.
    let failure = assert_fails(&resign(5, trustee(4), &nobody), Check::Authorship, 5);
    assert_eq!(
        failure.error,
        Error::InvalidTrusteeIndex {
            index: 4,
            trustees: 3
        }
    );
    // The manifest signed by a key it does not name.
    let failure = assert_fails(
        &resign(0, Author::ADMINISTRATOR, &nobody),
        Check::Authorship,
        0,
    );
    assert_eq!(failure.error, Error::EntrySignatureRejected { entry: 0 });
    // Signed for another board (another board id).
    let e = &board.record.entries()[24];
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let other_board = Entry::signed(
        e.kind(),
        e.author(),
        e.body().to_vec(),
        &ElectionContext::new([1; 32]),
        *e.signature().unwrap().read(),
        &board.administrator,
        &mut rng,
    )
    .unwrap();
    let mut entries = board.entries();
    entries[24] = other_board;
    assert_fails(&BoardRecord::new(entries), Check::Authorship, 24);
}

#[test]
fn a_read_head_that_is_no_head_of_the_board_before_the_entry_fails_check_2() {
    let board = &*SMALL;
    let reading = |k: usize, read: Head| {
        let e = &board.record.entries()[k];
        let mut entries = board.entries();
        entries[k] = board
            .signers
            .sign(&entries[0], e.kind(), e.author(), e.body().to_vec(), read);
        BoardRecord::new(entries)
    };
    let heads = board.record.heads();
    for (k, read) in [
        // Random bytes.
        (20, Head([0x5a; 32])),
        // A head of this board, but after the entry (the head after round 1's result).
        (20, heads[24]),
        // The entry's own head would need a fixed point of the hash; the next one is later.
        (24, heads[25]),
        // A head of another board.
        (24, IOM.record.head()),
        // A trustee reading a head of another board.
        (22, IOM.record.heads()[20]),
        // The credential authority reading a head after its roll.
        (1, heads[2]),
    ] {
        let failure = assert_fails(&reading(k, read), Check::Authorship, k);
        assert_eq!(failure.error, Error::UnknownReadHead { entry: k as u64 });
    }
    // Any head before the entry is one its author may have read, the genesis head included
    // (the entries after it signed again: they read the board with this entry).
    for read in [Head::genesis(), heads[12], heads[23]] {
        let record = reading(24, read);
        assert_verifies(&board.rechain(record.into_entries()));
    }
    // Two histories: the administrator read a board where round 1 had one more ballot; its
    // close, posted on this board, names a head this board never had.
    let mut fork = board.entries();
    fork.insert(20, IOM.record.entries()[20].clone());
    let fork = BoardRecord::new(fork);
    let failure = assert_fails(&reading(20, fork.heads()[20]), Check::Authorship, 20);
    assert_eq!(failure.error, Error::UnknownReadHead { entry: 20 });
}

// ---------------------------------------------------------------------------------------------
// The key ceremony

#[test]
fn ceremony_entries_that_do_not_fit_fail_check_5_at_their_entry() {
    let board = &*SMALL;
    // Junk as a trustee's message.
    let record = board.with_body(4, |_| b"junk".to_vec());
    assert_fails(&record, Check::Ceremony, 4);
    // Trustee 1's round-1 message of another election (another ceremony): foreign.
    let other = IOM.record.entries()[3].body().to_vec();
    let record = board.with_body(3, |_| other);
    let failure = assert_fails(&record, Check::Ceremony, 3);
    assert!(matches!(
        failure.error,
        Error::ForeignCeremonyEntry {
            round: 1,
            author: _
        }
    ));
    // A keys entry that is not the ceremony's outcome: another election's keys, or these
    // keys with another fingerprint.
    let keys =
        tabella::election::event::Keys::from_bytes(board.record.entries()[12].body()).unwrap();
    let other = tabella::election::event::Keys::from_bytes(
        IOM.record.entries()[nth(&IOM.record, EntryKind::Keys, 0)].body(),
    )
    .unwrap();
    let record = board.with_body(12, |_| other.to_bytes());
    assert_fails(&record, Check::Ceremony, 12);
    let record = board.with_body(12, |_| {
        tabella::election::event::Keys {
            fingerprint: [0; 32],
            ..keys.clone()
        }
        .to_bytes()
    });
    assert_fails(&record, Check::Ceremony, 12);
    // A ceremony message after the keys.
    let message = board.resigned(board.record.entries(), 11);
    assert_fails(&board.inserted(13, message), Check::Sequence, 13);
}

// ---------------------------------------------------------------------------------------------
// Growing boards: prefixes, extensions, rewrites

#[test]
fn an_unfinished_board_verifies_and_check_17_says_where_it_stands() {
    let board = &*SMALL;
    let entries = board.entries();
    for n in 1..=entries.len() {
        let prefix = BoardRecord::new(entries[..n].to_vec());
        let end = end_of(&prefix);
        let expected = match n {
            1 => "the key ceremony is not finished and the roll is not posted".to_string(),
            2..=12 => "the key ceremony is not finished".to_string(),
            13 => "nobody elected yet".to_string(),
            14..=20 => "round 1 is open".to_string(),
            21..=24 => format!("round 1 is closed, {} partial decryptions so far", n - 21),
            25 => "nobody elected yet".to_string(),
            26..=33 => "round 2 is open".to_string(),
            34..=37 => format!("round 2 is closed, {} partial decryptions so far", n - 34),
            _ => "candidate 0 elected".to_string(),
        };
        assert_eq!(end, expected, "after {n} entries");
    }
}

#[test]
fn a_prefix_extends_and_a_rewrite_is_named_by_its_entry() {
    let board = &*SMALL;
    let full = &board.record;
    let entries = board.entries();
    for n in [0, 1, 2, 13, 17, 21, 37, 38] {
        let prefix = BoardRecord::new(entries[..n].to_vec());
        assert_eq!(verify_extends(&prefix, full), Ok(()), "{n}");
        if n < entries.len() {
            assert_eq!(
                verify_extends(full, &prefix),
                Err(Error::RecordRewritten {
                    entry: n as u64,
                    what: "entries removed"
                })
            );
        }
    }
    assert_eq!(verify_extends(full, full), Ok(()));
    // A rewritten result, and everything after it re-signed: named by the result.
    let mut result = result_of(full, 24);
    result.totals[0] += 1;
    let rewritten = board.with_body(24, |_| result.to_bytes());
    assert_eq!(
        verify_extends(full, &rewritten),
        Err(Error::RecordRewritten {
            entry: 24,
            what: "an entry was rewritten or reordered"
        })
    );
    // Two ballots reordered, in an open round: named by the first.
    let early = BoardRecord::new(entries[..17].to_vec());
    let mut swapped = entries[..19].to_vec();
    swapped.swap(15, 16);
    assert_eq!(
        verify_extends(&early, &BoardRecord::new(swapped)),
        Err(Error::RecordRewritten {
            entry: 15,
            what: "an entry was rewritten or reordered"
        })
    );
    // An entry taken out of the middle: named where it was, not where the board ends.
    let mut taken = entries.clone();
    taken.remove(21);
    assert_eq!(
        verify_extends(full, &BoardRecord::new(taken)),
        Err(Error::RecordRewritten {
            entry: 21,
            what: "an entry was rewritten or reordered"
        })
    );
    // Another election: named at its manifest.
    assert_eq!(
        verify_extends(full, &IOM.record),
        Err(Error::RecordRewritten {
            entry: 0,
            what: "an entry was rewritten or reordered"
        })
    );
}

// ---------------------------------------------------------------------------------------------
// A whole election, round by round

#[test]
fn a_board_replayed_entry_by_entry_is_the_board_verified() {
    // The replay that the operator appends through, and the verifier's batched replay, agree
    // on every prefix of the council board.
    let iom = &*IOM;
    let entries = iom.entries();
    let replay = replay_of(&entries);
    assert_eq!(replay.len(), entries.len() as u64);
    assert_eq!(replay.history().len(), 2);
    let report = replay.finish();
    assert_eq!(
        report.passed.iter().map(|p| p.check).collect::<Vec<_>>(),
        verify_record(&iom.record).passed[2..]
            .iter()
            .map(|p| p.check)
            .collect::<Vec<_>>()
    );
}
