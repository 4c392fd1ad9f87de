//! A whole election through the binary alone, every role its own process: keys, the manifest,
//! the roll, the ceremony, a round whose lowest candidates tie (resolved by lot), a withdrawal,
//! an acclamation, the export and its verification. Steps run twice or too early are refused
//! with exit 1 and write nothing.

use std::path::Path;
use std::process::{Command, Output};

fn tabella(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tabella"))
        .args(args)
        .current_dir(dir)
        .env("TABELLA_PASSPHRASE", "a passphrase")
        .env("TABELLA_INSECURE_FAST_SEAL", "1")
        .output()
        .unwrap()
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = tabella(dir, args);
    assert!(
        out.status.success(),
        "{args:?}: exit {:?}\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn refused(dir: &Path, args: &[&str], needle: &str) {
    let before = entries(dir);
    let out = tabella(dir, args);
    // The reason is on standard error, or (the box's one line per ballot) standard output.
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(1), "{args:?}: {said}");
    assert!(said.contains(needle), "{args:?}: {needle:?} not in {said}");
    assert_eq!(entries(dir), before, "{args:?} wrote to the board");
}

fn entries(dir: &Path) -> u64 {
    let v: serde_json::Value =
        serde_json::from_str(&ok(dir, &["--json", "status", "--board", "board.db"])).unwrap();
    v["entries"].as_u64().unwrap()
}

fn key(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["--json", "keygen"];
    all.extend_from_slice(args);
    let v: serde_json::Value = serde_json::from_str(&ok(dir, &all)).unwrap();
    v["public_key"].as_str().unwrap().to_string()
}

#[test]
fn an_election_with_a_tie_a_withdrawal_and_an_acclamation_through_the_tool_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let admin = key(d, &["--role", "administrator", "--out", "admin.key"]);
    let ca = key(d, &["--role", "credential-authority", "--out", "ca.key"]);
    let trustees: Vec<String> = (1..=3)
        .map(|i| {
            let i = i.to_string();
            key(
                d,
                &[
                    "--role",
                    "trustee",
                    "--index",
                    &i,
                    "--out",
                    &format!("t{i}.key"),
                ],
            )
        })
        .collect();
    let manifest = serde_json::json!({
        "title": "committee of five", "members": 5, "eligible": 5,
        "candidates": ["Ada", "Barbara", "Grace"],
        "rules": [{"from_round": 1, "more_than": [1, 2], "of": "present_and_voting"}],
        "eliminate_lowest_after": [1], "tie_for_lowest": "caller_resolves", "quorum": null,
        "threshold": 2, "trustees": 3, "privacy_floor": 2,
        "roll": {"second_ballot": "refused"},
        "authorities": {"administrator": admin, "trustees": trustees, "credential_authority": ca},
    });
    std::fs::write(d.join("manifest.json"), manifest.to_string()).unwrap();
    let board = ["--board", "board.db"];
    let with = |args: &[&'static str]| -> Vec<&'static str> {
        let mut v = args.to_vec();
        v.extend_from_slice(&["--board", "board.db"]);
        v
    };
    ok(
        d,
        &with(&[
            "admin",
            "create",
            "--key",
            "admin.key",
            "--manifest",
            "manifest.json",
        ]),
    );
    ok(
        d,
        &with(&[
            "credentials",
            "issue",
            "--key",
            "ca.key",
            "--out-dir",
            "credentials",
        ]),
    );
    // Opening a round before the keys: refused, nothing written.
    refused(d, &with(&["admin", "open", "--key", "admin.key"]), "keys");
    ok(d, &with(&["admin", "ceremony", "--key", "admin.key"]));
    for i in ["1", "2", "3"] {
        let (k, s) = (format!("t{i}.key"), format!("t{i}.state"));
        ok(
            d,
            &[
                &[
                    "trustee",
                    "init",
                    "--index",
                    i,
                    "--key",
                    k.as_str(),
                    "--state",
                    s.as_str(),
                ],
                &board[..],
            ]
            .concat(),
        );
    }
    for _ in 0..3 {
        for i in ["1", "2", "3"] {
            let s = format!("t{i}.state");
            ok(
                d,
                &[
                    &["trustee", "step", "--index", i, "--state", s.as_str()],
                    &board[..],
                ]
                .concat(),
            );
        }
    }
    ok(d, &with(&["admin", "keys", "--key", "admin.key"]));
    refused(d, &with(&["admin", "keys", "--key", "admin.key"]), "once");
    for i in ["1", "2", "3"] {
        let s = format!("t{i}.state");
        let out = ok(
            d,
            &[
                &["trustee", "step", "--index", i, "--state", s.as_str()],
                &board[..],
            ]
            .concat(),
        );
        assert!(out.contains("done"), "{out}");
    }

    // Round 1: Ada 2, Barbara 1, Grace 1, one abstention: nobody has more than half of 4,
    // and Barbara and Grace tie for lowest.
    ok(d, &with(&["admin", "open", "--key", "admin.key"]));
    let mut files: Vec<String> = std::fs::read_dir(d.join("credentials"))
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    files.sort();
    let mut ballots = Vec::new();
    for (m, choice) in ["Ada", "Ada", "Barbara", "Grace", "abstain"]
        .iter()
        .enumerate()
    {
        let out = format!("b{m}.ballot");
        ok(
            d,
            &[
                &[
                    "voter",
                    "encrypt",
                    "--credential",
                    files[m].as_str(),
                    "--choice",
                    choice,
                    "--out",
                    out.as_str(),
                    "--no-opening",
                ],
                &board[..],
            ]
            .concat(),
        );
        ballots.push(out);
    }
    let mut cast = vec!["box", "cast", "--board", "board.db"];
    cast.extend(ballots.iter().map(String::as_str));
    let text = ok(d, &cast);
    assert!(text.contains("5 ballots cast"), "{text}");
    // The same ballot again (a retry): its code again, nothing appended.
    let before = entries(d);
    let again = ok(d, &with(&["box", "cast", "b0.ballot"]));
    assert!(again.contains("b0.ballot: already on the board"), "{again}");
    assert_eq!(entries(d), before);
    // Another ballot of its credential: refused (its credential voted), named.
    ok(
        d,
        &[
            &[
                "voter",
                "encrypt",
                "--credential",
                files[0].as_str(),
                "--choice",
                "Grace",
                "--out",
                "b0-again.ballot",
                "--no-opening",
            ],
            &board[..],
        ]
        .concat(),
    );
    refused(d, &with(&["box", "cast", "b0-again.ballot"]), "check 7");
    // A result before the close, and before any partial: refused.
    refused(
        d,
        &with(&["admin", "result", "--key", "admin.key"]),
        "closed",
    );
    ok(d, &with(&["admin", "close", "--key", "admin.key"]));
    refused(
        d,
        &with(&["admin", "close", "--key", "admin.key"]),
        "no round is open",
    );
    refused(
        d,
        &with(&["admin", "result", "--key", "admin.key"]),
        "2 needed",
    );
    for i in ["1", "3"] {
        let s = format!("t{i}.state");
        ok(
            d,
            &[
                &["trustee", "decrypt", "--index", i, "--state", s.as_str()],
                &board[..],
            ]
            .concat(),
        );
    }
    let result = ok(d, &with(&["admin", "result", "--key", "admin.key"]));
    assert!(result.contains("nobody elected"), "{result}");
    let v: serde_json::Value = serde_json::from_str(&ok(d, &with(&["--json", "status"]))).unwrap();
    assert_eq!(
        v["rounds"][0]["detail"]["totals"],
        serde_json::json!([2, 1, 1, 1])
    );

    // The tie: no round opens until it is resolved.
    refused(d, &with(&["admin", "open", "--key", "admin.key"]), "tie");
    refused(
        d,
        &with(&[
            "admin",
            "resolve-tie",
            "--key",
            "admin.key",
            "--eliminate",
            "Ada",
            "--how",
            "lot",
        ]),
        "tie",
    );
    ok(
        d,
        &with(&[
            "admin",
            "resolve-tie",
            "--key",
            "admin.key",
            "--eliminate",
            "Grace",
            "--how",
            "lot",
        ]),
    );
    // Barbara withdraws; Ada, alone, is elected by acclamation.
    ok(
        d,
        &with(&["admin", "withdraw", "--key", "admin.key", "Barbara"]),
    );
    let acclaimed = ok(d, &with(&["admin", "acclaim", "--key", "admin.key"]));
    assert!(
        acclaimed.contains("Ada elected by acclamation"),
        "{acclaimed}"
    );
    refused(
        d,
        &with(&["admin", "acclaim", "--key", "admin.key"]),
        "elected",
    );

    ok(d, &with(&["admin", "export", "--out", "record.json"]));
    let verified = ok(d, &["verify", "record.json"]);
    assert!(verified.contains("all checks passed"), "{verified}");
    assert!(verified.contains("ok  16 ties for lowest"), "{verified}");
    assert!(verified.contains("candidate 0 elected"), "{verified}");
}
