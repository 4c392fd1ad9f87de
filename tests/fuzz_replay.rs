//! Stable replay of the fuzz corpora, and a proptest smoke test of every fuzz target.
//!
//! For each target in `tabella::fuzzing::TARGETS`, every file in `fuzz/corpus/<target>/` (the
//! committed seeds and regressions) and in `fuzz/artifacts/<target>/` (crashes that a local
//! `cargo fuzz run` left, if any) is run through `tabella::fuzzing::<target>`, which panics
//! exactly when an invariant is violated. Then random bytes go through the same function for a
//! bounded number of cases. No nightly toolchain is needed.
//!
//! `TABELLA_WRITE_SEEDS=1 cargo test --test fuzz_replay write_seed_corpus` rewrites the seed files from
//! `tabella::fuzzing::seed_corpus()` (see `fuzz/README.md`).

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use tabella::fuzzing::{EXTERNAL_TARGETS, TARGETS, Target, seed_corpus};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The files directly in `dir`, sorted; none if it does not exist.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

/// Runs every corpus and artifact file of `name` through `target`; fails naming each file
/// that panics.
fn replay(name: &str, target: Target) {
    let corpus = files(&fuzz_dir().join("corpus").join(name));
    assert!(!corpus.is_empty(), "no seed corpus for {name}");
    let artifacts = files(&fuzz_dir().join("artifacts").join(name));
    let mut failures = Vec::new();
    for path in corpus.iter().chain(&artifacts) {
        let data = fs::read(path).expect("read a corpus file");
        if catch_unwind(AssertUnwindSafe(|| target(&data))).is_err() {
            failures.push(path.display().to_string());
        }
    }
    assert!(failures.is_empty(), "{name} fails on {failures:#?}");
}

/// One module per target: the corpus replay, and random bytes through the target.
macro_rules! targets {
    ($($name:ident: $cases:expr, $max_len:expr;)*) => {
        /// The targets this file tests, to compare with `TARGETS`.
        const TESTED: &[&str] = &[$(stringify!($name)),*];

        $(
            mod $name {
                use proptest::prelude::*;

                #[test]
                fn corpus() {
                    super::replay(stringify!($name), tabella::fuzzing::$name);
                }

                proptest! {
                    #![proptest_config(ProptestConfig::with_cases($cases))]
                    #[test]
                    fn random_bytes(data in proptest::collection::vec(any::<u8>(), 0..$max_len)) {
                        tabella::fuzzing::$name(&data);
                    }
                }
            }
        )*
    };
}

targets! {
    decode_point: 256, 40;
    decode_scalar: 256, 40;
    decode_public_key: 256, 40;
    decode_ciphertext: 256, 80;
    decode_schnorr: 128, 80;
    decode_dleq: 128, 120;
    decode_membership: 128, 2100;
    decode_one_of_many: 128, 1100;
    decode_ballot: 128, 2000;
    decode_hex: 256, 80;
    verify_ballot: 64, 2000;
    mutate_ballot: 64, 64;
    batch_vs_single: 16, 64;
    rules_reference: 256, 40;
    decode_manifest: 128, 200;
    decode_round1: 128, 200;
    decode_round2: 64, 1200;
    decode_round3: 128, 300;
    decode_public_key_package: 128, 300;
    decode_partial_decryption: 128, 400;
    decode_challenged_ballot: 64, 1000;
    decode_record_binary: 32, 2000;
    verify_record: 32, 2000;
    mutate_record: 32, 64;
    decode_ballot_stream: 32, 2000;
    decode_key_share: 128, 200;
    decode_ceremony_board: 64, 2000;
    decode_board_entry: 64, 1200;
    decode_sealed: 64, 400;
    decode_trustee_state: 32, 2000;
    decode_roll: 256, 300;
    decode_credential_code: 256, 90;
}

/// `decode_record_json` with `serde_json` (the library has no JSON dependency): the fuzz
/// crate's target passes the same codec.
fn decode_record_json(data: &[u8]) {
    tabella::fuzzing::decode_record_json(
        data,
        tabella::fuzzing::JsonCodec {
            parse: |bytes| serde_json::from_slice(bytes).ok(),
            print: |record| serde_json::to_string(record).ok(),
        },
    );
}

/// The JSON seeds: the fixture record printed by `serde_json`, compact and pretty.
fn json_seeds() -> Vec<(&'static str, Vec<u8>)> {
    let bytes = tabella::fuzzing::record_fixture_bytes();
    let record = tabella::record::BoardRecord::from_bytes(&bytes).expect("fixture record");
    vec![
        (
            "seed-fixture",
            serde_json::to_vec(&record).expect("compact JSON"),
        ),
        (
            "seed-fixture-pretty",
            serde_json::to_vec_pretty(&record).expect("pretty JSON"),
        ),
    ]
}

mod decode_record_json {
    use proptest::prelude::*;

    #[test]
    fn corpus() {
        super::replay("decode_record_json", super::decode_record_json);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn random_bytes(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            super::decode_record_json(&data);
        }

        #[test]
        fn random_json_text(data in "[\\[\\]{}\":,0-9a-f ]{0,256}") {
            super::decode_record_json(data.as_bytes());
        }
    }
}

#[test]
fn every_target_is_tested_and_every_corpus_is_a_target() {
    let mut names: Vec<&str> = TARGETS.iter().map(|(name, _)| *name).collect();
    assert_eq!(names, TESTED);
    assert_eq!(EXTERNAL_TARGETS, ["decode_record_json"]);
    names.extend(EXTERNAL_TARGETS);
    // The booth's target: its logic is in its own file (it drives `tabella_booth`), and
    // `booth/tests/booth.rs::the_fuzz_seed_is_a_real_board_page` reads its seed.
    names.push("booth_read_page");
    for dir in ["corpus", "artifacts"] {
        let Ok(entries) = fs::read_dir(fuzz_dir().join(dir)) else {
            continue;
        };
        for entry in entries {
            let name = entry.expect("directory entry").file_name();
            let name = name.to_string_lossy();
            assert!(names.contains(&&*name), "fuzz/{dir}/{name} is not a target");
        }
    }
}

#[test]
fn seeds_are_targets() {
    for seed in seed_corpus() {
        assert!(TARGETS.iter().any(|(name, _)| *name == seed.target));
    }
}

/// Rewrites the seed files `fuzz/corpus/<target>/seed-*` from `seed_corpus()` when
/// `TABELLA_WRITE_SEEDS=1`; otherwise checks that the committed seeds are exactly what
/// `seed_corpus()` makes, so that the corpus cannot drift from the code.
#[test]
fn write_seed_corpus() {
    if std::env::var_os("TABELLA_WRITE_SEEDS").is_none() {
        for seed in seed_corpus() {
            let path = fuzz_dir().join("corpus").join(seed.target).join(&seed.name);
            let stored = fs::read(&path).unwrap_or_default();
            assert!(
                stored == seed.data,
                "{} differs from seed_corpus(): regenerate with TABELLA_WRITE_SEEDS=1",
                path.display()
            );
        }
        return;
    }
    for (name, _) in TARGETS {
        let dir = fuzz_dir().join("corpus").join(name);
        for old in files(&dir) {
            let stale = old
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("seed-"));
            if stale {
                fs::remove_file(old).expect("remove an old seed");
            }
        }
    }
    for seed in seed_corpus() {
        let dir = fuzz_dir().join("corpus").join(seed.target);
        fs::create_dir_all(&dir).expect("create a corpus directory");
        fs::write(dir.join(&seed.name), &seed.data).expect("write a seed");
    }
    let dir = fuzz_dir().join("corpus").join("decode_record_json");
    for old in files(&dir) {
        if old
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("seed-"))
        {
            fs::remove_file(old).expect("remove an old seed");
        }
    }
    fs::create_dir_all(&dir).expect("create a corpus directory");
    for (name, data) in json_seeds() {
        fs::write(dir.join(name), data).expect("write a seed");
    }
}
