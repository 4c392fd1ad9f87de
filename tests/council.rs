//! The council example's scenarios, end to end: every `expected` field of every scenario in
//! `examples/scenarios/` must match the summary computed through encryption, verification and
//! threshold decryption.

#[allow(dead_code)]
#[path = "../examples/council/scenario.rs"]
mod scenario;

#[allow(dead_code)]
#[path = "../examples/council/run.rs"]
mod run;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::Value;

use run::Options;
use scenario::Scenario;

/// Every key of `expected` is in `actual` with the same value (recursively for objects and
/// arrays of objects).
fn assert_subset(expected: &Value, actual: &Value, path: &str) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, v) in e {
                let got = a
                    .get(k)
                    .unwrap_or_else(|| panic!("{path}.{k}: missing from the summary"));
                assert_subset(v, got, &format!("{path}.{k}"));
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            assert_eq!(e.len(), a.len(), "{path}: length");
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                assert_subset(ev, av, &format!("{path}[{i}]"));
            }
        }
        _ => assert_eq!(expected, actual, "{path}"),
    }
}

fn run_file(path: &std::path::Path, seed: u64) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    let scenario = Scenario::parse(&text).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let report = run::run(&scenario, &Options::default(), &mut rng)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if let Some(expected) = &scenario.expected {
        assert_subset(expected, &report.summary, &path.display().to_string());
    }
    // Every scenario's record verifies, from its JSON form.
    let json = serde_json::to_string(&report.record()).unwrap();
    let record: tabella::record::ElectionRecord = serde_json::from_str(&json).unwrap();
    let verdict = tabella::verify::verify_record(&record);
    assert!(verdict.is_ok(), "{}: {:?}", path.display(), verdict.failure);
    report.summary
}

#[test]
fn every_scenario_matches_its_expected_outcome() {
    let mut count = 0;
    for entry in std::fs::read_dir("examples/scenarios").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            run_file(&path, 7);
            count += 1;
        }
    }
    assert!(count >= 8, "only {count} scenarios");
}

#[test]
fn iom_2023_round_by_round() {
    let summary = run_file(std::path::Path::new("examples/scenarios/iom-2023.json"), 1);
    let r1 = &summary["rounds"][0];
    assert_eq!(r1["totals"]["Amy E. Pope"], 98);
    assert_eq!(r1["totals"]["António Vitorino"], 67);
    assert_eq!(r1["present_and_voting"], 165);
    assert_eq!(r1["required"], 110);
    assert_eq!(r1["elected"], Value::Null);
    let r2 = &summary["rounds"][1];
    assert_eq!(r2["ballot"], "acclamation");
    assert_eq!(r2["withdrawn"][0], "António Vitorino");
    assert_eq!(r2["elected"], "Amy E. Pope");
    assert_eq!(summary["elected"], "Amy E. Pope");
}

#[test]
fn the_shared_scenario_is_the_built_in_one() {
    let shared = std::path::Path::new("../shared/scenarios/iom-2023.json");
    if let Ok(text) = std::fs::read_to_string(shared) {
        let ours = std::fs::read_to_string("examples/scenarios/iom-2023.json").unwrap();
        assert_eq!(text, ours);
    }
}

fn base() -> Value {
    serde_json::from_str(include_str!("../examples/scenarios/iom-2023.json")).unwrap()
}

fn rejects(mutate: impl FnOnce(&mut Value), needle: &str) {
    let mut v = base();
    mutate(&mut v);
    let scenario = Scenario::parse(&v.to_string());
    let error = match scenario {
        Err(e) => e,
        Ok(s) => run::run(&s, &Options::default(), &mut ChaCha20Rng::seed_from_u64(3))
            .expect_err("a contradictory scenario must be rejected"),
    };
    assert!(
        error.contains(needle),
        "{error:?} does not mention {needle:?}"
    );
}

#[test]
fn contradictory_scenarios_are_rejected_with_a_clear_error() {
    rejects(
        |v| v["rounds"][0]["votes"]["Amy E. Pope"] = 200.into(),
        "eligible",
    );
    rejects(
        |v| v["rounds"][0]["votes"]["Nobody"] = 1.into(),
        "unknown candidate",
    );
    rejects(
        |v| v["rounds"][1] = serde_json::json!({"acclamation": true}),
        "exactly one candidate",
    );
    rejects(
        |v| {
            v["rounds"][1] = serde_json::json!({"withdrawn": ["António Vitorino"], "ballot": "choose_one",
                "votes": {"António Vitorino": 3, "Amy E. Pope": 4}})
        },
        "left the race",
    );
    rejects(|v| v["eligible"] = 176.into(), "eligible");
    rejects(|v| v["unexpected"] = 1.into(), "unknown field");
    rejects(|v| v["threshold"] = 6.into(), "threshold");
    rejects(
        |v| {
            v["rounds"][0]["resolve_tie"] =
                serde_json::json!({"eliminate": "António Vitorino", "by": "lot"})
        },
        "left none",
    );
    rejects(
        |v| {
            v["rounds"][0]["resolve_tie"] =
                serde_json::json!({"eliminate": "António Vitorino", "by": "coin"})
        },
        "lot",
    );
}
