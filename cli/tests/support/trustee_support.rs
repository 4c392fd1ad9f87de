//! Helpers of the trustee and credential tests: the `tabella` binary run as a separate process
//! in a temporary directory (cheap seals, the passphrase in the environment), and an election
//! made with the administrator's commands.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tabella::election::BoardElection;
use tabella_board_sqlite::SqliteStore;

/// The passphrase every file of these tests is sealed with.
pub const PASSPHRASE: &str = "correct horse battery staple";

/// A finished run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn of(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// The run, asserted to have succeeded.
    pub fn ok(self) -> Run {
        assert_eq!(
            self.code, 0,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }

    /// The run, asserted to have failed with `code` and a message holding `text`.
    pub fn fails(self, code: i32, text: &str) -> Run {
        assert_eq!(
            self.code, code,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        assert!(
            self.stderr.contains(text) || self.stdout.contains(text),
            "{text:?} not in stdout: {}\nstderr: {}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// Standard output as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }
}

fn command(dir: &Path, passphrase: &str, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tabella"));
    c.current_dir(dir)
        .args(args)
        .env("TABELLA_INSECURE_FAST_SEAL", "1")
        .env("TABELLA_PASSPHRASE", passphrase)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Runs `tabella args` in `dir` (standard input empty).
pub fn tabella(dir: &Path, args: &[&str]) -> Run {
    tabella_with(dir, PASSPHRASE, args)
}

/// Runs `tabella args` in `dir` with another passphrase.
pub fn tabella_with(dir: &Path, passphrase: &str, args: &[&str]) -> Run {
    let out = command(dir, passphrase, args)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    Run::of(out)
}

/// Runs `tabella args` in `dir` with `input` on standard input.
pub fn tabella_stdin(dir: &Path, args: &[&str], input: &[u8]) -> Run {
    let mut child = command(dir, PASSPHRASE, args)
        .stdin(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("writing stdin");
    Run::of(child.wait_with_output().expect("the binary finishes"))
}

/// A new key of `role` (and trustee `index`) in `dir/file`: its public key, hex.
pub fn keygen(dir: &Path, role: &str, index: Option<u32>, file: &str) -> String {
    let index = index.map(|i| i.to_string());
    let mut args = vec!["--json", "keygen", "--role", role, "--out", file];
    if let Some(i) = &index {
        args.extend(["--index", i.as_str()]);
    }
    let run = tabella(dir, &args).ok();
    run.json()["public_key"]
        .as_str()
        .expect("a public key")
        .to_string()
}

/// An election on a board in a temporary directory, created by `tabella admin create`.
pub struct Election {
    pub dir: tempfile::TempDir,
    /// `board.db`, relative to `dir`.
    pub board: &'static str,
    pub trustees: u32,
}

impl Election {
    /// A new election: 3 trustees (any 2 decrypt), `eligible` of 3 members, a privacy floor
    /// of 1, and a roll if `roll`; the keys in `admin.key`, `trustee-I.key`, `ca.key`.
    pub fn new(roll: bool) -> Election {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let d = dir.path();
        let admin = keygen(d, "administrator", None, "admin.key");
        let trustees: Vec<String> = (1..=3)
            .map(|i| keygen(d, "trustee", Some(i), &format!("trustee-{i}.key")))
            .collect();
        let ca = keygen(d, "credential-authority", None, "ca.key");
        let (roll, ca) = if roll {
            (
                serde_json::json!({ "second_ballot": "refused" }),
                serde_json::json!(ca),
            )
        } else {
            (serde_json::Value::Null, serde_json::Value::Null)
        };
        let manifest = serde_json::json!({
            "title": "Test council", "members": 3, "eligible": 3,
            "candidates": ["Ada", "Brook"],
            "rules": [{ "from_round": 1, "more_than": [1, 2], "of": "present_and_voting" }],
            "eliminate_lowest_after": [], "tie_for_lowest": "no_elimination", "quorum": null,
            "threshold": 2, "trustees": 3, "privacy_floor": 1, "roll": roll,
            "authorities": { "administrator": admin, "trustees": trustees,
                             "credential_authority": ca },
        });
        std::fs::write(d.join("manifest.json"), manifest.to_string()).expect("the manifest");
        tabella(
            d,
            &[
                "admin",
                "create",
                "--board",
                "board.db",
                "--key",
                "admin.key",
                "--manifest",
                "manifest.json",
            ],
        )
        .ok();
        Election {
            dir,
            board: "board.db",
            trustees: 3,
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.path().join(name)
    }

    /// Runs `tabella args`.
    pub fn run(&self, args: &[&str]) -> Run {
        tabella(self.path(), args)
    }

    /// `tabella admin <what> --board board.db --key admin.key`, asserted to succeed.
    pub fn admin(&self, what: &str) -> Run {
        self.run(&["admin", what, "--board", self.board, "--key", "admin.key"])
            .ok()
    }

    /// `tabella trustee <what> --board board.db --state trustee-I.state --index I`.
    pub fn trustee(&self, what: &str, i: u32) -> Run {
        self.trustee_with(what, i, &format!("trustee-{i}.state"))
    }

    /// The same with another state file.
    pub fn trustee_with(&self, what: &str, i: u32, state: &str) -> Run {
        let index = i.to_string();
        self.run(&[
            "trustee", what, "--board", self.board, "--state", state, "--index", &index,
        ])
    }

    /// `tabella trustee init` for trustee `i`, asserted to succeed.
    pub fn init(&self, i: u32) -> Run {
        let index = i.to_string();
        let key = format!("trustee-{i}.key");
        let state = format!("trustee-{i}.state");
        self.run(&[
            "trustee", "init", "--board", self.board, "--index", &index, "--key", &key, "--state",
            &state,
        ])
        .ok()
    }

    /// The whole key ceremony: every trustee's init, the run, three steps each, the keys, and
    /// each trustee's last step.
    pub fn ceremony(&self) {
        for i in 1..=self.trustees {
            self.init(i);
        }
        self.admin("ceremony");
        for _ in 0..3 {
            for i in 1..=self.trustees {
                self.trustee("step", i).ok();
            }
        }
        self.admin("keys");
        for i in 1..=self.trustees {
            self.trustee("step", i).ok();
        }
    }

    /// The board, opened (and replayed) by the library.
    pub fn open(&self) -> BoardElection<SqliteStore> {
        let store = SqliteStore::open(self.file(self.board)).expect("the board opens");
        BoardElection::open(store).expect("the board replays")
    }

    /// How many entries the board holds.
    pub fn len(&self) -> u64 {
        self.open().len()
    }

    /// The bytes of a file of the election's directory.
    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.file(name)).expect("the file reads")
    }
}
