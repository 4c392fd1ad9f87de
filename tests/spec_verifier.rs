//! An independent verifier of tabella election records, written from `docs/SPEC.md` (protocol
//! version 6) alone: its own decoders (§2, §6.2, §9, §10.1, §11.3, §12, §14.1, §16.1), its own
//! transcripts (§3, §5, §6.1, §11.4, §14.3, §16.3), the chain of heads (§14.2), the replay of the board
//! (§14.5) and the numbered checks of §13. The `tabella` crate is used only to *produce* boards
//! (the council example's scenarios, the golden record, the fuzzing fixture, and boards edited
//! by an operator holding every key, `tabella::fuzzing::Signers`) and to compare verdicts with
//! `tabella::verify::verify_record`, check number and entry position; it never decides this
//! verifier's verdict.
//!
//! Since v5, §10.1 shows the manifest's whole layout, the authorities and the roll included:
//! nothing here is taken from the library's source.

#[allow(dead_code)]
#[path = "../examples/council/scenario.rs"]
mod scenario;

#[allow(dead_code)]
#[path = "../examples/council/parties.rs"]
mod parties;

#[allow(dead_code)]
#[path = "../examples/council/run.rs"]
mod run;

#[path = "spec_verifier/ballot.rs"]
mod ballot;
#[path = "spec_verifier/ceremony.rs"]
mod ceremony;
#[path = "spec_verifier/codec.rs"]
mod codec;
#[path = "spec_verifier/json.rs"]
mod json;
#[path = "spec_verifier/manifest.rs"]
mod manifest;
#[path = "spec_verifier/objects.rs"]
mod objects;
#[path = "spec_verifier/packed.rs"]
mod packed;
#[path = "spec_verifier/proofs.rs"]
mod proofs;
#[path = "spec_verifier/record.rs"]
mod record;
#[path = "spec_verifier/rules.rs"]
mod rules;
#[path = "spec_verifier/verify.rs"]
mod verify;

#[path = "spec_verifier/tamper.rs"]
mod tamper;

/// The vector test's verifier (`tests/support/spec.rs`), the second reading of the SPEC: here
/// it replays the layout-2 boards and ballots too, which the stored vectors do not hold yet.
#[allow(dead_code)]
#[path = "support/spec.rs"]
mod spec;

const PROTOCOL_CHANGE: &str = "the spec verifier of tests/support/spec.rs disagrees with the \
     library on a board the library made";

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use serde_json::Value;
use tabella::board::EntryKind;
use tabella::board::chain::Head;
use tabella::election::{Applied, Replay};
use tabella::fuzzing::Signers;
use tabella::record::BoardRecord;
use tabella::threshold::TrusteeIndex;

use tamper::Board;
use verify::{Verdict, verify_bytes, verify_json};

/// A scenario of the council example on a board in memory, with a seeded RNG (as
/// `tests/council.rs` runs it), and every signing key of its parties: the example draws the
/// simulation seed as the first 32 bytes of the RNG, and derives every party's key from it.
fn scenario_board(name: &str, text: &str, seed: u64) -> Board {
    let scenario = scenario::Scenario::parse(text).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let report = run::run(&scenario, &run::Options::default(), &mut rng)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let mut simulation = [0u8; 32];
    rng.fill_bytes(&mut simulation);
    let parties = parties::Parties::in_memory(simulation);
    let trustees = (1..=scenario.trustees)
        .map(|i| parties.trustee_key(TrusteeIndex::new(i).unwrap()))
        .collect();
    let signers = Signers::new(parties.administrator().key().clone(), trustees)
        .with_credential_authority(parties.credential_authority().key().clone());
    Board::new(name, report.record, signers)
}

/// The library's verdict: the failed check and the position of its entry (`None`: valid).
fn library_verdict(record: &BoardRecord) -> Option<(u8, Option<u64>)> {
    tabella::verify::verify_record(record)
        .failure
        .map(|f| (f.check.number(), f.entry))
}

/// The confirmation codes the library's replay gives, by position (§8.3).
fn library_codes(record: &BoardRecord) -> Vec<(u64, [u8; 32])> {
    let mut replay = Replay::new();
    let mut before = Head::genesis();
    let mut codes = Vec::new();
    for (k, entry) in record.entries().iter().enumerate() {
        if let Ok(Applied::Code(code)) = replay.apply(entry, &before) {
            codes.push((k as u64, code.0));
        }
        before = before.next(&entry.to_bytes());
    }
    codes
}

/// This verifier's verdict on a valid board, in both forms: every entry applies, every check
/// of §13 the board reaches passes, the binary form (§12.1) is the library's byte for byte and
/// its hash is H("tabella.record", bytes), and the codes are the library's. Returns the checks
/// that ran.
fn assert_verifies(name: &str, board: &BoardRecord) -> Vec<u8> {
    let bytes = board.to_bytes();
    let text = serde_json::to_string(board).unwrap();
    let verification = match verify_bytes(&bytes) {
        Verdict::NotARecord(e) => panic!("{name}: not a record: {e:?}"),
        Verdict::Verified(v) => v,
    };
    assert_eq!(verification.failure, None, "{name}");
    assert_eq!(library_verdict(board), None, "{name}: the library");
    let ours = record::Record::from_json(&text).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    assert!(
        ours.encode() == bytes,
        "{name}: the JSON form is not the binary one"
    );
    assert_eq!(verify_json(&text).failed(), None, "{name}: the JSON form");
    let decoded = record::Record::decode(&bytes).unwrap();
    assert!(decoded == ours, "{name}: one record");
    assert_eq!(decoded.hash(), board.hash(), "{name}: the record hash");
    let heads: Vec<[u8; 32]> = board.heads().iter().map(Head::to_bytes).collect();
    assert_eq!(decoded.heads(), heads, "{name}: the heads");
    assert_eq!(
        verification.codes,
        library_codes(board),
        "{name}: the codes"
    );
    verification.ran.keys().copied().collect()
}

/// The golden record of the known-answer vectors, in both forms (§12.1, §12.2): every one of
/// the 17 checks passes but checks 4 and 7 (it has no roll).
#[test]
fn the_golden_record_passes_all_checks_but_the_roll() {
    let json = std::fs::read_to_string("tests/vectors/record.json").unwrap();
    let bin = std::fs::read("tests/vectors/record.bin").unwrap();
    let board: BoardRecord = serde_json::from_str(&json).unwrap();
    let ran = assert_verifies("tests/vectors/record.json", &board);
    let without_roll: Vec<u8> = (1..=17).filter(|c| ![4, 7].contains(c)).collect();
    assert_eq!(ran, without_roll, "every check ran");
    assert_eq!(verify_json(&json).failed(), None, "the file's own text");
    let decoded = record::Record::decode(&bin).unwrap();
    assert!(decoded.encode() == bin, "record.bin re-encodes to itself");
    assert!(
        record::Record::from_json(&json).unwrap().encode() == bin,
        "record.json is record.bin"
    );
    let Verdict::Verified(v) = verify_bytes(&bin) else {
        panic!("record.bin is a record");
    };
    assert_eq!(v.end, "candidate 0 elected");
}

/// Every scenario of `examples/scenarios/`, run through the council example: valid, with the
/// checks of a decided ballot round run on each.
#[test]
fn every_scenario_passes_all_checks() {
    let mut count = 0;
    let mut paths: Vec<_> = std::fs::read_dir("examples/scenarios")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    for path in paths {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let board = scenario_board(&name, &text, 7);
        let ran = assert_verifies(&name, &board.record);
        // Every scenario has a roll (checks 4 and 7) and a decided ballot round.
        for check in [1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 17] {
            assert!(ran.contains(&check), "{name}: check {check}");
        }
        count += 1;
    }
    assert!(count >= 8, "only {count} scenarios");
}

/// The fuzzing fixture (a round with a challenged ballot and three partials).
#[test]
fn the_fuzzing_fixture_passes() {
    let (record, _, _) = tabella::fuzzing::record_fixture_with_signers();
    let ran = assert_verifies("fuzzing fixture", &record);
    assert!(ran.contains(&9), "a challenged ballot");
    assert!(
        ran.contains(&4) && ran.contains(&7),
        "the roll and eligibility"
    );
}

/// An election in progress is valid as far as it goes (§13): every prefix of a board.
#[test]
fn every_prefix_of_a_board_is_valid() {
    let board = scenario_board("small", tamper::SMALL, 9);
    let entries = board.record.entries();
    for k in 0..=entries.len() {
        let prefix = BoardRecord::new(entries[..k].to_vec());
        let ours = verify_bytes(&prefix.to_bytes());
        let expected = if k == 0 { Some((1, Some(0))) } else { None };
        assert_eq!(ours.failed(), expected, "the first {k} entries");
        let library = library_verdict(&prefix);
        assert_eq!(
            library.map(|(c, _)| c),
            expected.map(|(c, _)| c),
            "{k}: the library"
        );
    }
}

/// Where the board stands (check 17), for a few prefixes.
#[test]
fn check_seventeen_says_where_the_board_stands() {
    let board = scenario_board("small", tamper::SMALL, 9);
    let entries = board.record.entries();
    let at = |kind: EntryKind| entries.iter().position(|e| e.kind() == kind).unwrap();
    let end = |k: usize| match verify_bytes(&BoardRecord::new(entries[..k].to_vec()).to_bytes()) {
        Verdict::Verified(v) => v.end,
        Verdict::NotARecord(e) => panic!("{e:?}"),
    };
    assert_eq!(end(1), "no ceremony run yet");
    assert_eq!(end(at(EntryKind::Roll) + 1), "no ceremony run yet");
    assert_eq!(
        end(at(EntryKind::CeremonyRun) + 1),
        "the key ceremony is not finished"
    );
    assert_eq!(end(at(EntryKind::RoundOpen) + 1), "round 1 is open");
    assert_eq!(
        end(at(EntryKind::PartialDecryption) + 1),
        "round 1 is closed with 1 partials"
    );
    assert_eq!(end(at(EntryKind::Result) + 1), "nobody elected yet");
    assert_eq!(end(entries.len()), "candidate 0 elected");
}

/// The tamperings of `spec_verifier/tamper.rs`: both verifiers fail each at the check and
/// entry the SPEC gives.
#[test]
fn tamperings_are_caught_at_the_same_check_and_entry() {
    let mut report = Vec::new();
    let small = scenario_board("small", tamper::SMALL, 9);
    let tie = scenario_board(
        "tie-for-lowest-lot",
        include_str!("../examples/scenarios/tie-for-lowest-lot.json"),
        7,
    );
    let (fixture, _, fixture_signers) = tabella::fuzzing::record_fixture_with_signers();
    let fixture = Board::new("fuzzing fixture", fixture, fixture_signers);
    let other = scenario_board("tie", include_str!("../examples/scenarios/tie.json"), 3);
    let cases = tamper::cases(&small, &tie, &fixture, &other);
    assert!(cases.len() >= 100, "{} tamperings", cases.len());
    let caught: std::collections::BTreeSet<u8> = cases
        .iter()
        .filter_map(|c| match c.expected {
            tamper::Outcome::Fails(check, _) => Some(check),
            _ => None,
        })
        .collect();
    assert_eq!(
        caught,
        (1..=16).collect(),
        "every check that can fail is reached"
    );
    for case in &cases {
        report.push(case.check());
        if let Some(json) = case.as_json() {
            report.push(json.check());
        }
    }
    let failures: Vec<String> = report.into_iter().filter_map(Result::err).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What §2, §10.2, §12 and §14.1 make a decoding error, not a failed check: this verifier and
/// the library both refuse these records, naming the same entry where there is one.
#[test]
fn decoding_refuses_what_the_spec_refuses() {
    let small = scenario_board("small", tamper::SMALL, 9);
    let failures: Vec<String> = tamper::decoding_cases(&small)
        .iter()
        .filter_map(|c| c.check().err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Each entry read by this verifier's decoder (§14.1) and the library's: the same fields.
#[test]
fn entries_decode_to_the_library_fields() {
    let board = scenario_board("small", tamper::SMALL, 9);
    for (k, e) in board.record.entries().iter().enumerate() {
        let ours = record::Entry::decode(&e.to_bytes()).unwrap();
        assert_eq!(ours.kind, e.kind().tag(), "entry {k}");
        assert_eq!(ours.name(), e.kind().name(), "entry {k}");
        assert_eq!(ours.role, e.author().role().tag(), "entry {k}");
        let index = e.author().trustee_index().map_or(0, |i| i.get());
        assert_eq!(ours.index, index, "entry {k}");
        assert_eq!(ours.body, e.body(), "entry {k}");
        let read = e.signature().map(|s| s.read().to_bytes());
        assert_eq!(ours.signature.map(|s| s.read), read, "entry {k}");
    }
    let json: Value = serde_json::to_value(&board.record).unwrap();
    assert_eq!(json["version"], 6);
}

/// The manifests of the known-answer vectors (`tests/vectors/manifest.json`), read by this
/// verifier's §10.2 and §10.1: each valid case's JSON form gives its bytes and F_c (§10.3),
/// and each rejected JSON form or binary form is refused here too.
#[test]
fn the_manifest_vectors_read_as_the_spec_says() {
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string("tests/vectors/manifest.json").unwrap())
            .unwrap();
    let mut refused = 0;
    for case in file["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let text = case["inputs"]["json"].as_str();
        let bytes = codec::unhex(case["outputs"]["bytes"].as_str().unwrap()).unwrap();
        let ours = match text {
            Some(text) => json::parse(text).and_then(|v| {
                let m = manifest::Manifest::from_json(&v)?;
                manifest::Manifest::decode(&m.encode())
            }),
            None => manifest::Manifest::decode(&bytes),
        };
        if case["expected"] == "accept" {
            let m = ours.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(m.encode() == bytes, "{name}: the bytes");
            let fc = case["outputs"]["ceremony_fingerprint"].as_str().unwrap();
            assert_eq!(
                codec::hex(&verify::ceremony_fingerprint(&bytes)),
                fc,
                "{name}"
            );
        } else if ours.is_err() {
            refused += 1;
        } else {
            // §10.1 does not say that the authorities' keys are distinct; the library refuses
            // two equal keys (a finding).
            assert!(name.contains("distinct"), "{name}: accepted here");
        }
    }
    assert!(refused >= 16, "{refused} refused");
}

/// The records of the known-answer vectors (`tests/vectors/records.json`), the boards with a
/// roll among them: each accepted binary record verifies here, and each board that fails a
/// numbered check ("check N at entry E: …") fails here at the same check and entry.
#[test]
fn the_record_vectors_verify_as_the_spec_says() {
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string("tests/vectors/records.json").unwrap())
            .unwrap();
    let (mut accepted, mut failing, mut with_roll) = (0, 0, 0);
    for case in file["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let Some(binary) = case["inputs"]["binary"].as_str() else {
            continue;
        };
        let bytes = codec::unhex(binary).unwrap();
        let verdict = verify_bytes(&bytes);
        let roll = case["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "roll" || f == "credential");
        if case["expected"] == "accept" {
            assert_eq!(verdict.failed(), None, "{name}");
            accepted += 1;
        } else if let Some(check) = case["expected"]["reject"]
            .as_str()
            .and_then(|r| r.strip_prefix("check "))
        {
            let (n, rest) = check.split_once(" at entry ").unwrap();
            let entry: u64 = rest.split_once(':').unwrap().0.parse().unwrap();
            let expected = Some((n.parse().unwrap(), Some(entry)));
            assert_eq!(verdict.failed(), expected, "{name}");
            failing += 1;
        } else {
            continue;
        }
        with_roll += usize::from(roll || name.contains("roll"));
    }
    assert!(
        accepted >= 4 && failing >= 12,
        "{accepted} valid, {failing} failing"
    );
    assert!(with_roll >= 7, "{with_roll} boards with a roll");
}

/// §6.3 by both of this crate's SPEC verifiers on the rounds of [`packed::BOARDS`]: each
/// round's contest is layout 2 with the g, w′ and radix the SPEC gives; the whole board (cast
/// ballots, a challenged ballot, the tally and the result) verifies here, in both forms, and
/// with the library, and `tests/support/spec.rs` replays it to the library's totals.
#[test]
fn packed_layout_two_elections_verify() {
    for (name, k, n, g, w, radix) in packed::BOARDS {
        let contest = ballot::Contest::of_round(k as u64, n);
        let layout = ballot::Layout::of(&contest);
        assert_eq!(layout.tag, 2, "{name}: layout 2");
        assert_eq!(layout.width(), g, "{name}: g");
        assert_eq!(layout.statements.len(), w, "{name}: w′");
        assert_eq!(proofs::radix(w), radix, "{name}: the radix");
        let spec_contest = spec::Contest::of_round(k as u32, n);
        assert_eq!(spec_contest.layout(), 2, "{name}: spec.rs, layout 2");
        assert_eq!(spec_contest.ciphertexts(), g, "{name}: spec.rs, g");
        assert_eq!(spec_contest.statements(), layout.statements, "{name}");

        let board = packed::packed_board(name, k, n, &packed::votes(k), true);
        let ran = assert_verifies(name, &board.record);
        for check in [8, 9, 11, 12, 13, 14, 15] {
            assert!(ran.contains(&check), "{name}: check {check}");
        }
        let at = board.at(EntryKind::Ballot, 0);
        let read = objects::Ballot::decode(&board.body(at)).unwrap();
        let objects::Proofs::OneOfMany(p) = &read.proofs else {
            panic!("{name}: not one one-out-of-many proof");
        };
        assert_eq!(
            ((p.e, p.d), read.cts.len()),
            (radix, g),
            "{name}: the ballot"
        );

        // The other reading of the SPEC: spec.rs replays the board to the same totals.
        let summary = spec::record(&board.record.to_bytes());
        let mut expected = vec![0u64; k + 1];
        for vote in packed::votes(k) {
            match vote {
                packed::Vote::For(c) => expected[c as usize] += 1,
                packed::Vote::Abstain => expected[k] += 1,
            }
        }
        assert_eq!(summary.decryptions.len(), 1, "{name}: one decided round");
        assert_eq!(
            summary.decryptions[0].2, expected,
            "{name}: spec.rs, the totals"
        );
        assert_eq!(summary.boxes, [(1, 5, 1)], "{name}: spec.rs, the box");
    }
}

/// §6.3 at the ballot level, for contests a round never has (min = 0, no abstention, …):
/// every selection's ballot verifies here and with the library, and another round's context
/// refuses it. With min = 0 the blank (0, 0) is the last statement.
#[test]
fn packed_ballots_with_a_blank_verify() {
    use tabella::ballot::ContestSpec;
    let cases: [(u32, u32, bool, u64, u8, usize); 5] = [
        // k, min, abstention, N; the layout, w′.
        (5, 0, false, 1_000_000, 2, 6),
        (3, 0, true, 171, 2, 5),
        (9, 0, false, 171, 2, 10),
        (2, 0, false, 171, 1, 3),
        (3, 1, true, 171, 2, 4),
    ];
    for (k, min, abstention, n, tag, w) in cases {
        let library = ContestSpec::new(0, k, min, 1, abstention)
            .unwrap()
            .with_capacity(n);
        let ours = ballot::Contest {
            index: 0,
            k: u64::from(k),
            min: u64::from(min),
            max: 1,
            abstention,
            capacity: Some(n),
        };
        let layout = packed::ballots_verify(&library, ours);
        assert_eq!(layout.tag, tag, "{ours:?}: the layout");
        if tag == 2 {
            assert_eq!(layout.statements.len(), w, "{ours:?}: w′");
            assert_eq!(
                layout.statements.last() == Some(&(0, 0)),
                min == 0,
                "{ours:?}: the blank"
            );
        } else {
            assert_eq!(layout.count, [0, 1, n + 1], "{ours:?}: S_Σ");
        }
    }
}

/// Tamperings of layout-2 ballots ([`packed::cases`]): every part of the one-out-of-many
/// proof, e and d, and the form byte; both verifiers fail each at check 8 (check 9 for the
/// challenged ballot) and at its entry, in both forms.
#[test]
fn layout_two_tamperings_fail_check_eight() {
    let mut report = Vec::new();
    let mut count = 0;
    for (name, k, n, ..) in [packed::BOARDS[0], packed::BOARDS[1]] {
        let board = packed::packed_board(name, k, n, &packed::votes(k), true);
        for case in packed::cases(&board) {
            report.push(case.check());
            if let Some(json) = case.as_json() {
                report.push(json.check());
            }
            count += 1;
        }
    }
    assert!(count >= 60, "{count} tamperings");
    let failures: Vec<String> = report.into_iter().filter_map(Result::err).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
