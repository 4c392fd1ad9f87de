//! The election record: it verifies, it round-trips, and every tampering is caught by a
//! numbered check.

#[allow(dead_code)]
#[path = "../examples/council/scenario.rs"]
mod scenario;

#[allow(dead_code)]
#[path = "../examples/council/run.rs"]
mod run;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::Value;
use tabella::board::BoxClose;
use tabella::record::{ElectionRecord, RecordEntry, RoundBody, TieResolution};
use tabella::rules::TieBreak;
use tabella::verify::{Check, verify_extends, verify_record};

fn record_of(text: &str, seed: u64) -> ElectionRecord {
    let scenario = scenario::Scenario::parse(text).unwrap();
    let report = run::run(
        &scenario,
        &run::Options::default(),
        &mut ChaCha20Rng::seed_from_u64(seed),
    )
    .unwrap();
    report.record()
}

fn iom() -> ElectionRecord {
    record_of(include_str!("../examples/scenarios/iom-2023.json"), 5)
}

/// A small election (3 trustees, 2 rounds of 6 ballots) for exhaustive tampering.
fn small() -> ElectionRecord {
    record_of(
        r#"{"title": "small", "members": 8, "eligible": 8, "trustees": 3, "threshold": 2,
            "candidates": ["A", "B", "C"], "privacy_floor": 3,
            "rules": [{"from_round": 1, "more_than": [1, 2], "of": "present_and_voting"}],
            "eliminate_lowest_after": [1],
            "rounds": [
              {"ballot": "choose_one", "votes": {"A": 3, "B": 2, "C": 1}, "abstain": 0},
              {"ballot": "choose_one", "votes": {"A": 4, "B": 2}, "abstain": 1}]}"#,
        9,
    )
}

fn failed_check(record: &ElectionRecord) -> Option<Check> {
    verify_record(record).failure.map(|f| f.check)
}

fn ballot_round(record: &mut ElectionRecord, i: usize) -> &mut tabella::record::BallotRound {
    match &mut record.rounds[i].body {
        RoundBody::Ballot(b) => b,
        RoundBody::Acclamation { .. } => panic!("round {i} is an acclamation"),
    }
}

#[test]
fn the_council_record_verifies_and_round_trips() {
    let record = iom();
    let report = verify_record(&record);
    assert!(report.is_ok(), "{:?}", report.failure);
    // Checks 1–4, 5–17 for the ballot round, 5 for the acclamation, then 18.
    assert_eq!(report.passed.len(), 4 + 13 + 1 + 1);
    assert_eq!(report.checks_passed(), Check::ALL.len());
    // Binary: decode(encode) is the identity, and encode(decode(b)) = b.
    let bytes = record.to_bytes().unwrap();
    let back = ElectionRecord::from_bytes(&bytes).unwrap();
    assert_eq!(back, record);
    assert_eq!(back.to_bytes().unwrap(), bytes);
    // JSON: decode, encode, decode again gives identical bytes.
    let json = serde_json::to_string(&record).unwrap();
    let decoded: ElectionRecord = serde_json::from_str(&json).unwrap();
    assert_eq!(decoded, record);
    assert_eq!(serde_json::to_string(&decoded).unwrap(), json);
    assert_eq!(decoded.to_bytes().unwrap(), bytes);
}

/// Every hex string in the JSON record, by its path.
fn hex_paths(value: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                path.push(k.clone());
                hex_paths(v, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(i.to_string());
                hex_paths(v, path, out);
                path.pop();
            }
        }
        Value::String(s) if s.len() >= 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) => {
            out.push(path.clone())
        }
        _ => {}
    }
}

fn at<'a>(value: &'a mut Value, path: &[String]) -> &'a mut Value {
    path.iter().fold(value, |v, k| match v {
        Value::Array(items) => &mut items[k.parse::<usize>().unwrap()],
        Value::Object(map) => map.get_mut(k).unwrap(),
        _ => panic!("bad path"),
    })
}

/// Flips one hex digit to another digit.
fn flip(s: &str, i: usize) -> String {
    let mut bytes = s.as_bytes().to_vec();
    bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
    String::from_utf8(bytes).unwrap()
}

/// Flipping any hex character of any cryptographic field is caught: either the JSON no
/// longer decodes (a canonical decoder rejects it), or a numbered check fails. (A flip in the
/// header or ceremony id of a board entry makes an entry that every trustee ignores, and
/// check 3 refuses a record holding one: `Error::ForeignCeremonyEntry`.)
fn assert_every_flip_caught(
    record: &ElectionRecord,
    keep: impl Fn(&[String]) -> bool,
    positions: impl Fn(usize) -> Vec<usize>,
) {
    let json = serde_json::to_value(record).unwrap();
    let mut paths = Vec::new();
    hex_paths(&json, &mut Vec::new(), &mut paths);
    paths.retain(|p| keep(p));
    assert!(paths.len() > 20);
    let mut tried = 0;
    for path in &paths {
        let original = at(&mut json.clone(), path).as_str().unwrap().to_string();
        for i in positions(original.len()) {
            let mut mutated = json.clone();
            *at(&mut mutated, path) = Value::String(flip(&original, i));
            tried += 1;
            match serde_json::from_value::<ElectionRecord>(mutated) {
                Err(_) => {} // rejected by a canonical decoder
                Ok(r) => {
                    assert!(
                        failed_check(&r).is_some(),
                        "flipping hex digit {i} of {} went unnoticed",
                        path.join(".")
                    );
                }
            }
        }
    }
    assert!(tried > 100);
}

#[test]
fn every_hex_digit_of_a_small_record_is_bound() {
    // Every position of every field would be thousands of verifications; every 7th digit,
    // offset by the field, plus the first and last, covers every byte class of every field.
    assert_every_flip_caught(
        &small(),
        |_| true,
        |len| {
            let mut p: Vec<usize> = (0..len).step_by(7).collect();
            p.push(1);
            p.push(len - 1);
            p
        },
    );
}

#[test]
fn flips_in_the_council_record_are_caught() {
    // Every field outside the board, and the first, a middle and the last ballot and code.
    let sampled = |path: &[String]| match path.iter().position(|k| k == "entries") {
        Some(i) => ["0", "82", "164"].contains(&path[i + 1].as_str()),
        None => true,
    };
    assert_every_flip_caught(&iom(), sampled, |len| vec![0, len / 3, len / 2, len - 1]);
}

fn entries(record: &mut ElectionRecord, i: usize) -> &mut Vec<RecordEntry> {
    &mut ballot_round(record, i).entries
}

#[test]
fn board_tamperings_are_named() {
    let base = small();
    // Delete a ballot: the next code no longer chains.
    let mut r = base.clone();
    entries(&mut r, 0).remove(2);
    assert_eq!(failed_check(&r), Some(Check::ConfirmationCodes));
    // Delete the last ballot: the close no longer names this box.
    let mut r = base.clone();
    entries(&mut r, 0).pop();
    assert_eq!(failed_check(&r), Some(Check::Close));
    // Duplicate a ballot.
    let mut r = base.clone();
    let b = entries(&mut r, 0)[1].clone();
    entries(&mut r, 0).push(b);
    assert_eq!(failed_check(&r), Some(Check::BoxRules));
    // Reorder two ballots.
    let mut r = base.clone();
    entries(&mut r, 0).swap(0, 1);
    assert_eq!(failed_check(&r), Some(Check::ConfirmationCodes));
    // Insert a ballot from another round.
    let mut r = base.clone();
    let other = entries(&mut r, 1)[0].clone();
    entries(&mut r, 0).insert(1, other);
    assert_eq!(failed_check(&r), Some(Check::BallotProofs));
    // The close: another count or chain head than the box's.
    let mut r = base.clone();
    let close = ballot_round(&mut r, 0).close.unwrap();
    ballot_round(&mut r, 0).close = Some(BoxClose::new(
        close.round(),
        *close.chain_head(),
        close.cast() - 1,
        close.challenged(),
    ));
    assert_eq!(failed_check(&r), Some(Check::Close));
    let mut r = base.clone();
    ballot_round(&mut r, 0).close = None;
    assert_eq!(failed_check(&r), Some(Check::Close));
    // Change a total.
    let mut r = base.clone();
    ballot_round(&mut r, 0).decryption.as_mut().unwrap().totals[0] += 1;
    assert_eq!(failed_check(&r), Some(Check::Totals));
    // Change an outcome.
    let mut r = base.clone();
    ballot_round(&mut r, 1)
        .decryption
        .as_mut()
        .unwrap()
        .result
        .elected = Some(1);
    assert_eq!(failed_check(&r), Some(Check::Outcome));
    let mut r = base.clone();
    ballot_round(&mut r, 0)
        .decryption
        .as_mut()
        .unwrap()
        .result
        .eliminated = None;
    assert_eq!(failed_check(&r), Some(Check::Outcome));
    // Swap two trustees' partial decryptions.
    let mut r = base.clone();
    ballot_round(&mut r, 0)
        .decryption
        .as_mut()
        .unwrap()
        .partials
        .swap(0, 1);
    assert_eq!(failed_check(&r), Some(Check::PartialDecryptions));
    // Drop partials below the threshold.
    let mut r = base.clone();
    ballot_round(&mut r, 0)
        .decryption
        .as_mut()
        .unwrap()
        .partials
        .truncate(1);
    assert_eq!(failed_check(&r), Some(Check::Combination));
    // Name other trustees as the combined ones.
    let mut r = base.clone();
    ballot_round(&mut r, 0)
        .decryption
        .as_mut()
        .unwrap()
        .combined = vec![2, 3];
    assert_eq!(failed_check(&r), Some(Check::Combination));
    // A tie resolution where the rules left no tie.
    let mut r = base.clone();
    ballot_round(&mut r, 0).tie_resolution = Some(TieResolution {
        eliminated: 2,
        how: TieBreak::Lot,
    });
    assert_eq!(failed_check(&r), Some(Check::TieResolution));
    // Rewrite the candidates of a round (a withdrawn candidate back on the ballot).
    let mut r = base.clone();
    ballot_round(&mut r, 1).candidates.push(2);
    assert_eq!(failed_check(&r), Some(Check::Rounds));
    // Drop a round: the record still verifies up to where it ends; renumbering is caught.
    let mut r = base.clone();
    r.rounds[1].round = 3;
    assert_eq!(failed_check(&r), Some(Check::Rounds));
    // A junk entry on the ceremony board (another ceremony's message, or no such trustee):
    // every trustee ignores it, and a record holding one fails check 3.
    for (author, bytes) in [
        (1u32, vec![0x74, 0x62, 5, 3, 0, 9, 9, 9]),
        (9, b"junk".to_vec()),
    ] {
        let mut r = base.clone();
        r.ceremony
            .post(
                tabella::threshold::dkg::CeremonyRound::Complain,
                tabella::threshold::TrusteeIndex::new(author).unwrap(),
                bytes,
            )
            .unwrap();
        let failure = verify_record(&r).failure.unwrap();
        assert_eq!(failure.check, Check::Ceremony);
        assert_eq!(
            failure.error,
            tabella::Error::ForeignCeremonyEntry { round: 3, author }
        );
    }
    // Another version.
    let mut r = base;
    r.version = tabella::domain::PROTOCOL_VERSION + 1;
    assert_eq!(failed_check(&r), Some(Check::Version));
}

/// A tie for lowest left to the caller: resolved by lot in the record; the resolution is
/// checked (one of the tied), and a record that leaves it pending cannot go on.
#[test]
fn a_tie_for_lowest_resolved_by_lot_is_recorded_and_checked() {
    let record = record_of(
        r#"{"title": "tie", "members": 12, "eligible": 12, "trustees": 3, "threshold": 2,
            "candidates": ["A", "B", "C"], "privacy_floor": 3,
            "rules": [{"from_round": 1, "more_than": [1, 2], "of": "present_and_voting"}],
            "eliminate_lowest_after": [1], "tie_for_lowest": "caller_resolves",
            "rounds": [
              {"ballot": "choose_one", "votes": {"A": 4, "B": 3, "C": 3}, "abstain": 0,
               "resolve_tie": {"eliminate": "C", "by": "lot"}},
              {"ballot": "choose_one", "votes": {"A": 6, "B": 4}, "abstain": 0}]}"#,
        11,
    );
    let report = verify_record(&record);
    assert!(report.is_ok(), "{:?}", report.failure);
    assert!(report.passed.iter().any(|p| p.check == Check::TieResolution
        && p.detail.contains("candidate 2 eliminated")));
    let resolved = ballot_round(&mut record.clone(), 0).tie_resolution;
    assert_eq!(
        resolved,
        Some(TieResolution {
            eliminated: 2,
            how: TieBreak::Lot
        })
    );
    // Eliminating a candidate who was not tied.
    let mut r = record.clone();
    ballot_round(&mut r, 0).tie_resolution = Some(TieResolution {
        eliminated: 0,
        how: TieBreak::Lot,
    });
    assert_eq!(failed_check(&r), Some(Check::TieResolution));
    // Leaving it pending and holding the next round anyway.
    let mut r = record.clone();
    ballot_round(&mut r, 0).tie_resolution = None;
    assert_eq!(failed_check(&r), Some(Check::TieResolution));
    // Pending, with no further round: a valid record of an election awaiting the lot.
    let mut r = record.clone();
    ballot_round(&mut r, 0).tie_resolution = None;
    r.rounds.truncate(1);
    assert!(verify_record(&r).is_ok());
    // Or resolved by the withdrawal of one of the tied before the next round.
    let withdrawn = record_of(
        r#"{"title": "tie", "members": 12, "eligible": 12, "trustees": 3, "threshold": 2,
            "candidates": ["A", "B", "C"], "privacy_floor": 3,
            "rules": [{"from_round": 1, "more_than": [1, 2], "of": "present_and_voting"}],
            "eliminate_lowest_after": [1], "tie_for_lowest": "caller_resolves",
            "rounds": [
              {"ballot": "choose_one", "votes": {"A": 4, "B": 3, "C": 3}, "abstain": 0},
              {"withdrawn": ["C"], "ballot": "choose_one", "votes": {"A": 6, "B": 4}, "abstain": 0}]}"#,
        12,
    );
    let report = verify_record(&withdrawn);
    assert!(report.is_ok(), "{:?}", report.failure);
    // The resolution round-trips in both encodings.
    let back = ElectionRecord::from_bytes(&record.to_bytes().unwrap()).unwrap();
    assert_eq!(back, record);
    let json: ElectionRecord =
        serde_json::from_str(&serde_json::to_string(&record).unwrap()).unwrap();
    assert_eq!(json, record);
}

#[test]
fn truncated_files_are_rejected() {
    let record = small();
    let bytes = record.to_bytes().unwrap();
    for cut in [0, 8, 100, bytes.len() / 2, bytes.len() - 1] {
        assert!(ElectionRecord::from_bytes(&bytes[..cut]).is_err());
    }
    let json = serde_json::to_string(&record).unwrap();
    for cut in [0, 10, json.len() / 2, json.len() - 1] {
        assert!(serde_json::from_str::<ElectionRecord>(&json[..cut]).is_err());
    }
    let mut extended = bytes.clone();
    extended.push(0);
    assert!(ElectionRecord::from_bytes(&extended).is_err());
}

#[test]
fn json_rejects_unknown_fields_duplicates_and_uppercase_hex() {
    let json = serde_json::to_string(&small()).unwrap();
    let version = format!("{{\"version\":{},", tabella::domain::PROTOCOL_VERSION);
    assert!(json.starts_with(&version));
    let unknown = json.replacen(&version, &format!("{version}\"extra\":0,"), 1);
    assert!(serde_json::from_str::<ElectionRecord>(&unknown).is_err());
    let duplicate = json.replacen(&version, &format!("{version}{}", &version[1..]), 1);
    assert!(serde_json::from_str::<ElectionRecord>(&duplicate).is_err());
    let upper = json.replacen("\"fingerprint\":\"", "\"fingerprint\":\"A", 1);
    assert!(serde_json::from_str::<ElectionRecord>(&upper).is_err());
}

/// The record of round 1 while it was open, after `k` entries.
fn open_prefix(full: &ElectionRecord, k: usize) -> ElectionRecord {
    let mut r = full.clone();
    r.rounds.truncate(1);
    let b = ballot_round(&mut r, 0);
    b.entries.truncate(k);
    b.close = None;
    b.decryption = None;
    r
}

#[test]
fn newer_records_extend_older_ones() {
    let full = small();
    let early = open_prefix(&full, 2);
    let later = open_prefix(&full, 5);
    assert!(
        verify_record(&early).is_ok(),
        "{:?}",
        verify_record(&early).failure
    );
    assert!(verify_extends(&early, &later).is_ok());
    assert!(verify_extends(&later, &full).is_ok());
    assert!(verify_extends(&early, &full).is_ok());
    assert!(verify_extends(&full, &full).is_ok());
    // Removing or rewriting anything is caught.
    assert!(verify_extends(&later, &early).is_err());
    assert!(verify_extends(&full, &later).is_err());
    let mut rewritten = later.clone();
    entries(&mut rewritten, 0).swap(0, 1);
    assert!(verify_extends(&early, &rewritten).is_err());
    // A closed round gains nothing but its decryption.
    let mut closed = later.clone();
    let mut closed_box = full.clone();
    ballot_round(&mut closed, 0).close = ballot_round(&mut closed_box, 0).close;
    let mut grown = closed.clone();
    let extra = entries(&mut closed_box, 0)[5].clone();
    entries(&mut grown, 0).push(extra);
    assert!(verify_extends(&closed, &grown).is_err());
    let mut other = full.clone();
    other.manifest = iom().manifest;
    assert!(verify_extends(&full, &other).is_err());
    // An open round that is not the last is caught by check 18.
    let mut r = full.clone();
    ballot_round(&mut r, 0).decryption = None;
    assert_eq!(failed_check(&r), Some(Check::End));
}
