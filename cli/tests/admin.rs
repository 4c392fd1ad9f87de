//! The administrator's, the verifier's and keygen's commands, run as a user runs them: the
//! binary in a fresh directory, each step its own process. Every refusal is checked for its
//! exit code, its message, and that nothing was written to the board.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tabella::record::BoardRecord;

struct Dir {
    dir: tempfile::TempDir,
}

fn tabella(dir: &Path, args: &[&str]) -> Output {
    tabella_with(dir, args, "correct horse", None)
}

fn tabella_with(dir: &Path, args: &[&str], passphrase: &str, stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tabella"))
        .args(args)
        .current_dir(dir)
        .env("TABELLA_PASSPHRASE", passphrase)
        .env("TABELLA_INSECURE_FAST_SEAL", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut input = child.stdin.take().unwrap();
        if let Some(bytes) = stdin {
            input.write_all(bytes).unwrap();
        }
    }
    child.wait_with_output().unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Asserts the exit code and that the message (stderr) mentions `needle`.
fn fails(out: &Output, code: i32, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout: {}\nstderr: {stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(stderr.contains(needle), "{needle:?} not in: {stderr}");
}

fn public_key(out: &Output) -> String {
    let v: serde_json::Value = serde_json::from_str(&ok(out)).unwrap();
    v["public_key"].as_str().unwrap().to_string()
}

impl Dir {
    fn new() -> Self {
        Dir {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn run(&self, args: &[&str]) -> Output {
        tabella(self.path(), args)
    }

    fn file(&self, name: &str) -> PathBuf {
        self.path().join(name)
    }

    fn board_len(&self) -> usize {
        let store = tabella_board_sqlite::SqliteStore::open(self.file("board.db")).unwrap();
        BoardRecord::from_store(&store).unwrap().entries().len()
    }

    /// Keys for the administrator, two trustees and the credential authority, and a manifest
    /// (with a roll of 4) naming them.
    fn manifest(&self) {
        let admin = public_key(&self.run(&[
            "--json",
            "keygen",
            "--role",
            "administrator",
            "--out",
            "admin.key",
        ]));
        let t1 = public_key(&self.run(&[
            "--json", "keygen", "--role", "trustee", "--index", "1", "--out", "t1.key",
        ]));
        let t2 = public_key(&self.run(&[
            "--json", "keygen", "--role", "trustee", "--index", "2", "--out", "t2.key",
        ]));
        let ca = public_key(&self.run(&[
            "--json",
            "keygen",
            "--role",
            "credential-authority",
            "--out",
            "ca.key",
        ]));
        let manifest = serde_json::json!({
            "title": "committee", "members": 4, "eligible": 4, "candidates": ["Ada", "Grace"],
            "rules": [{"from_round": 1, "at_least": [1, 2], "of": "present_and_voting"}],
            "eliminate_lowest_after": [], "tie_for_lowest": "no_elimination", "quorum": null,
            "threshold": 2, "trustees": 2, "privacy_floor": 2,
            "roll": {"second_ballot": "refused"},
            "authorities": {"administrator": admin, "trustees": [t1, t2], "credential_authority": ca},
        });
        std::fs::write(self.file("manifest.json"), manifest.to_string()).unwrap();
    }

    fn create(&self) {
        self.manifest();
        ok(&self.run(&[
            "admin",
            "create",
            "--board",
            "board.db",
            "--key",
            "admin.key",
            "--manifest",
            "manifest.json",
        ]));
    }
}

#[test]
fn every_command_has_help() {
    let d = Dir::new();
    for args in [
        &["--help"][..],
        &["keygen", "--help"],
        &["admin", "--help"],
        &["admin", "create", "--help"],
        &["admin", "open", "--help"],
        &["admin", "export", "--help"],
        &["credentials", "--help"],
        &["trustee", "--help"],
        &["voter", "--help"],
        &["box", "--help"],
        &["verify", "--help"],
        &["status", "--help"],
    ] {
        let out = d.run(args);
        assert!(ok(&out).contains("Usage"), "{args:?}");
    }
    // A usage error is exit 2.
    fails(
        &d.run(&["admin", "frobnicate"]),
        2,
        "unrecognized subcommand",
    );
    fails(&d.run(&[]), 2, "Usage");
}

#[test]
fn keygen_writes_a_sealed_key_it_never_overwrites() {
    let d = Dir::new();
    ok(&d.run(&["keygen", "--role", "administrator", "--out", "admin.key"]));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(d.file("admin.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let before = std::fs::read(d.file("admin.key")).unwrap();
    fails(
        &d.run(&["keygen", "--role", "administrator", "--out", "admin.key"]),
        2,
        "never overwritten",
    );
    assert_eq!(std::fs::read(d.file("admin.key")).unwrap(), before);
    fails(
        &d.run(&["keygen", "--role", "trustee", "--out", "t.key"]),
        2,
        "--index",
    );
    fails(
        &d.run(&[
            "keygen",
            "--role",
            "administrator",
            "--index",
            "2",
            "--out",
            "x.key",
        ]),
        2,
        "--index is for a trustee",
    );
}

#[test]
fn the_administrator_creates_a_board_and_is_refused_out_of_order() {
    let d = Dir::new();
    d.create();
    assert_eq!(d.board_len(), 1);
    // Again on the same board; with another role's key; with a wrong passphrase; a manifest
    // of garbage on standard input: each refused, nothing written.
    fails(
        &d.run(&[
            "admin",
            "create",
            "--board",
            "board.db",
            "--key",
            "admin.key",
            "--manifest",
            "manifest.json",
        ]),
        2,
        "already exists",
    );
    fails(
        &d.run(&[
            "admin", "ceremony", "--board", "board.db", "--key", "t1.key",
        ]),
        2,
        "another election or trustee",
    );
    fails(
        &tabella_with(
            d.path(),
            &[
                "admin",
                "ceremony",
                "--board",
                "board.db",
                "--key",
                "admin.key",
            ],
            "wrong passphrase",
            None,
        ),
        2,
        "passphrase",
    );
    fails(
        &tabella_with(
            d.path(),
            &[
                "admin",
                "create",
                "--board",
                "other.db",
                "--key",
                "admin.key",
                "--manifest",
                "-",
            ],
            "correct horse",
            Some(b"\x00\x01garbage"),
        ),
        2,
        "not a valid manifest",
    );
    assert!(!d.file("other.db").exists());
    // Out of order: the keys before any ceremony run, a round before the keys.
    fails(
        &d.run(&["admin", "keys", "--board", "board.db", "--key", "admin.key"]),
        1,
        "no ceremony run",
    );
    fails(
        &d.run(&["admin", "open", "--board", "board.db", "--key", "admin.key"]),
        1,
        "keys",
    );
    fails(
        &d.run(&[
            "admin",
            "withdraw",
            "--board",
            "board.db",
            "--key",
            "admin.key",
            "Nobody",
        ]),
        2,
        "no candidate",
    );
    assert_eq!(d.board_len(), 1, "nothing written by a refused step");
    ok(&d.run(&[
        "admin",
        "ceremony",
        "--board",
        "board.db",
        "--key",
        "admin.key",
    ]));
    assert_eq!(d.board_len(), 2);
    fails(
        &d.run(&["admin", "keys", "--board", "board.db", "--key", "admin.key"]),
        1,
        "ceremony",
    );
    assert_eq!(d.board_len(), 2);
    // A board that does not exist.
    fails(
        &d.run(&["status", "--board", "missing.db"]),
        2,
        "no board at",
    );
}

#[test]
fn anyone_verifies_an_export_and_that_it_only_grew() {
    let d = Dir::new();
    d.create();
    ok(&d.run(&[
        "admin", "export", "--board", "board.db", "--out", "old.json",
    ]));
    ok(&d.run(&[
        "admin",
        "ceremony",
        "--board",
        "board.db",
        "--key",
        "admin.key",
    ]));
    ok(&d.run(&[
        "admin", "export", "--board", "board.db", "--out", "new.json",
    ]));
    ok(&d.run(&[
        "admin", "export", "--board", "board.db", "--out", "new.bin", "--binary",
    ]));
    for record in ["new.json", "new.bin", "board.db"] {
        let text = ok(&d.run(&["verify", record]));
        assert!(text.contains("all checks passed"), "{text}");
        assert!(text.contains("ok   3 parameters"), "{text}");
    }
    let text = ok(&d.run(&["verify", "new.json", "--previous", "old.json"]));
    assert!(text.contains("append-only"), "{text}");
    // The other way round: the newer board is not a prefix of the older one.
    let out = d.run(&["verify", "old.json", "--previous", "new.json"]);
    fails(&out, 1, "append-only");
    // JSON output names the result.
    let v: serde_json::Value =
        serde_json::from_str(&ok(&d.run(&["--json", "verify", "new.json"]))).unwrap();
    assert_eq!(v["ok"], true);
    // A tampered record: a byte of the ceremony run's nonce (its body) changed, the
    // administrator's signature over it no longer verifies: check 2 at entry 1.
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.file("new.json")).unwrap()).unwrap();
    let entry = json["entries"][1]["entry"].as_str().unwrap().to_string();
    // header 5, kind, role, LE32 index, LE32 length: the body starts at byte 15.
    let at = 2 * 15;
    let digit = if &entry[at..at + 1] == "0" { "1" } else { "0" };
    let tampered = format!("{}{digit}{}", &entry[..at], &entry[at + 1..]);
    json["entries"][1]["entry"] = tampered.into();
    // The JSON spells the head after each entry out; keep it consistent with the new bytes
    // by dropping it to the library's check: the reader refuses a head that is not the
    // entry's, so write the record through the library instead.
    let bytes = tabella::encoding::from_hex("entry", json["entries"][1]["entry"].as_str().unwrap())
        .unwrap();
    let record: BoardRecord =
        serde_json::from_slice(&std::fs::read(d.file("new.json")).unwrap()).unwrap();
    let mut entries = record.entries().to_vec();
    entries[1] = tabella::board::Entry::from_bytes(&bytes).unwrap();
    std::fs::write(d.file("bad.bin"), BoardRecord::new(entries).to_bytes()).unwrap();
    fails(&d.run(&["verify", "bad.bin"]), 1, "check 2");
    let out = d.run(&["--json", "verify", "bad.bin"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            v["ok"].clone(),
            v["failed"]["check"].clone(),
            v["failed"]["entry"].clone()
        ),
        (false.into(), 2.into(), 1.into())
    );
    let out = d.run(&["--json", "verify", "new.json"]);
    ok(&out);
    // Garbage is bad input (2), not a failed check.
    std::fs::write(d.file("junk.json"), b"{ not json").unwrap();
    fails(
        &d.run(&["verify", "junk.json"]),
        2,
        "not a valid JSON record",
    );
    fails(
        &tabella_with(d.path(), &["verify", "-"], "x", Some(b"\x00garbage")),
        2,
        "not a valid JSON record",
    );
    let status = ok(&d.run(&["status", "--board", "board.db"]));
    assert!(status.contains("committee"), "{status}");
    assert!(status.contains("roll: not posted yet"), "{status}");
}
