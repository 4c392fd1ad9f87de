//! The voter's and the ballot box's commands, driven as a member and an operator would: the
//! `tabella` binary over a board that the test builds with the library (manifest with a roll,
//! roll, key ceremony, round 1 open), so that no trustee command is needed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use rand_core::OsRng;
use tabella::ballot::{BallotId, EncryptedBallot, Selection};
use tabella::credential::{CredentialSecret, SecondBallot};
use tabella::election::{
    Administrator, Authorities, BoardElection, CredentialAuthority, Manifest, RoundKind, Trustee,
    simulate_ceremony,
};
use tabella::elgamal::SecretKey;
use tabella::rules::{ElectionRules, MajorityRule, RuleSchedule};
use tabella::tally::stream::BallotStreamWriter;
use tabella::threshold::TrusteeIndex;
use tabella_board_sqlite::SqliteStore;
use tempfile::TempDir;

const PASSPHRASE: &str = "correct horse battery staple";

/// An election on a board file, round 1 open, and its members' credential files.
struct Fixture {
    dir: TempDir,
    board: PathBuf,
    admin: Administrator,
    credentials: Vec<CredentialSecret>,
    /// Member i's credential file (its code under a `#` comment line).
    credential_files: Vec<PathBuf>,
}

/// Two candidates, `members` members with a roll (a second ballot refused) or without one, 3
/// trustees of whom any 2 decrypt.
fn fixture(members: usize, roll: bool) -> Fixture {
    fixture_with(members, roll, RoundKind::ChooseOne)
}

/// [`fixture`] with round 1 of this kind.
fn fixture_with(members: usize, roll: bool, kind: RoundKind) -> Fixture {
    let rng = &mut OsRng;
    let dir = tempfile::tempdir().unwrap();
    let board_path = dir.path().join("board.sqlite");
    let admin = Administrator::generate(rng);
    let authority = CredentialAuthority::generate(rng);
    let mut trustees: Vec<Trustee> = (1..=3)
        .map(|i| Trustee::new(TrusteeIndex::new(i).unwrap(), SecretKey::generate(rng)))
        .collect();
    let mut authorities = Authorities::new(
        admin.public_key(),
        trustees.iter().map(Trustee::public_key).collect(),
    )
    .unwrap();
    let mut builder = Manifest::builder("the voter's commands")
        .members(members as u64)
        .eligible(members as u64)
        .candidates(["Pope", "Vitorino"])
        .rules(ElectionRules::with_schedule(RuleSchedule::single(
            MajorityRule::TWO_THIRDS,
        )))
        .threshold(2)
        .trustees(3)
        .privacy_floor(2);
    if roll {
        authorities = authorities
            .with_credential_authority(authority.public_key())
            .unwrap();
        builder = builder.roll(SecondBallot::Refused);
    }
    let manifest = builder.authorities(authorities).build().unwrap();
    let mut board = BoardElection::open(SqliteStore::open(&board_path).unwrap()).unwrap();
    board.post(admin.manifest(&manifest, rng).unwrap()).unwrap();
    let mut credentials = Vec::new();
    if roll {
        let (list, secrets) = authority.issue(members, rng).unwrap();
        let entry = authority
            .roll(&list, board.replay(), board.head(), rng)
            .unwrap();
        board.post(entry).unwrap();
        credentials = secrets;
    }
    simulate_ceremony(&mut board, &admin, &mut trustees, rng).unwrap();
    let open = admin
        .open_round(board.replay(), board.head(), kind, rng)
        .unwrap();
    board.post(open).unwrap();
    drop(board);
    let credential_files = credentials
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let path = dir.path().join(format!("member-{i}.credential"));
            let text = format!(
                "# the credential of member {i}: keep it secret\n{}\n",
                *c.to_code()
            );
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect();
    Fixture {
        dir,
        board: board_path,
        admin,
        credentials,
        credential_files,
    }
}

impl Fixture {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn board_arg(&self) -> String {
        self.board.display().to_string()
    }

    /// The number of entries on the board.
    fn len(&self) -> u64 {
        BoardElection::open(SqliteStore::open(&self.board).unwrap())
            .unwrap()
            .len()
    }

    /// Member `m`'s ballot for option `choice`, made with the library (not through the
    /// binary).
    fn ballot(&self, m: usize, choice: u32) -> EncryptedBallot {
        let board = BoardElection::open(SqliteStore::open(&self.board).unwrap()).unwrap();
        let round = board.round_context().unwrap();
        let ctx = round.ballot_context();
        let selection = Selection::new(ctx.contest, &[choice]).unwrap();
        let id = BallotId::random(&mut OsRng);
        let credential = self.credentials.get(m);
        EncryptedBallot::encrypt(&ctx, &selection, id, credential, &mut OsRng)
            .unwrap()
            .0
    }

    /// Closes the open round (the administrator, with the library).
    fn close(&self) {
        let mut board = BoardElection::open(SqliteStore::open(&self.board).unwrap()).unwrap();
        let close = self
            .admin
            .close_round(board.replay(), board.head(), &mut OsRng)
            .unwrap();
        board.post(close).unwrap();
    }

    /// `tabella voter encrypt` for member `m` into `name` (and `name.opening`).
    fn encrypt(&self, m: usize, choice: &str, name: &str) -> Output {
        let out = self.path(name).display().to_string();
        let credential = self.credential_files[m].display().to_string();
        tabella(&[
            "voter",
            "encrypt",
            "--board",
            &self.board_arg(),
            "--credential",
            &credential,
            "--choice",
            choice,
            "--out",
            &out,
        ])
    }
}

/// Runs the binary with the test passphrase and cheap sealing.
fn tabella(args: &[&str]) -> Output {
    tabella_with(args, PASSPHRASE, None)
}

/// Runs the binary with `passphrase` and, if given, `stdin` on its standard input.
fn tabella_with(args: &[&str], passphrase: &str, stdin: Option<&[u8]>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tabella"));
    command
        .args(args)
        .env("TABELLA_INSECURE_FAST_SEAL", "1")
        .env("TABELLA_PASSPHRASE", passphrase)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(bytes) = stdin {
        input.write_all(bytes).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts the exit code, showing the output when it is not.
fn exits(o: &Output, code: i32) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        stdout(o),
        stderr(o)
    );
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", stdout(o), stderr(o)))
}

/// `bytes` with the lowest bit of the byte `back` bytes from the end flipped: the low byte of
/// a little-endian scalar when `back` is a multiple of 32 into the trailing scalars.
fn flip_byte_from_end(mut bytes: Vec<u8>, back: usize) -> Vec<u8> {
    let at = bytes.len() - back;
    bytes[at] ^= 1;
    bytes
}

/// The short form `XXXX-XXXX-XXXX-XXXX` after `marker` on a line of `text`.
fn short_after(text: &str, marker: &str) -> String {
    let at = text
        .find(marker)
        .unwrap_or_else(|| panic!("{marker:?} in {text}"))
        + marker.len();
    let code: String = text[at..].chars().take(19).collect();
    assert_eq!(code.len(), 19, "{text}");
    assert_eq!(code.matches('-').count(), 3, "{code}");
    code
}

#[test]
fn a_ballot_is_encrypted_hashed_cast_and_found() {
    let f = fixture(4, true);
    let o = f.encrypt(0, "Pope", "a.ballot");
    exits(&o, 0);
    let shown = short_after(&stdout(&o), "short form  ");
    let ballot = f.path("a.ballot");
    let opening = f.path("a.ballot.opening");
    // The opening is sealed (kind 12), readable by its owner only.
    let sealed = std::fs::read(&opening).unwrap();
    assert_eq!(&sealed[..3], b"tb\x0c");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&opening).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let bytes = std::fs::read(&ballot).unwrap();
    assert!(EncryptedBallot::from_bytes(&bytes).is_ok());

    // The hash again, in text and in JSON: the one the device showed.
    let o = tabella(&[
        "voter",
        "hash",
        "--board",
        &f.board_arg(),
        &ballot.display().to_string(),
    ]);
    exits(&o, 0);
    assert_eq!(short_after(&stdout(&o), "short form  "), shown);
    let o = tabella(&[
        "--json",
        "voter",
        "hash",
        "--board",
        &f.board_arg(),
        &ballot.display().to_string(),
    ]);
    exits(&o, 0);
    let hash = json(&o);
    assert_eq!(hash["short"], shown.as_str());
    assert_eq!(hash["round"], 1);

    let before = f.len();
    let o = tabella(&[
        "box",
        "cast",
        "--board",
        &f.board_arg(),
        &ballot.display().to_string(),
    ]);
    exits(&o, 0);
    let code = short_after(&stdout(&o), "confirmation code ");
    assert_eq!(f.len(), before + 1);

    // Found by its short form (in lowercase, as a member might type it) and by its full hex.
    let o = tabella(&[
        "voter",
        "lookup",
        "--board",
        &f.board_arg(),
        &code.to_lowercase(),
    ]);
    exits(&o, 0);
    assert!(
        stdout(&o).contains(&format!("round 1 (open), board entry {before}, cast")),
        "{}",
        stdout(&o)
    );
    let o = tabella(&[
        "--json",
        "voter",
        "lookup",
        "--board",
        &f.board_arg(),
        &code,
    ]);
    exits(&o, 0);
    let found = json(&o);
    assert_eq!(found["entry"], before);
    assert_eq!(found["kind"], "cast");
    let full = found["code"].as_str().unwrap().to_string();
    let o = tabella(&["voter", "lookup", "--board", &f.board_arg(), &full]);
    exits(&o, 0);

    // A code that is not on the board, and one that is not a code.
    let o = tabella(&[
        "voter",
        "lookup",
        "--board",
        &f.board_arg(),
        "0000-0000-0000-0000",
    ]);
    exits(&o, 1);
    let o = tabella(&["voter", "lookup", "--board", &f.board_arg(), "not a code"]);
    exits(&o, 2);
}

#[test]
fn a_challenged_ballot_reveals_its_vote_and_is_recorded() {
    let f = fixture(4, true);
    // Option 1 by its position on the ballot: Vitorino.
    exits(&f.encrypt(1, "1", "b.ballot"), 0);
    let ballot = f.path("b.ballot").display().to_string();
    let opening = f.path("b.ballot.opening").display().to_string();
    let o = tabella(&[
        "voter",
        "challenge",
        "--board",
        &f.board_arg(),
        "--ballot",
        &ballot,
        "--opening",
        &opening,
    ]);
    exits(&o, 0);
    assert!(stdout(&o).contains("a vote for Vitorino"), "{}", stdout(&o));
    let challenged = f.path("b.ballot.challenged").display().to_string();

    let before = f.len();
    let o = tabella(&["box", "challenge", "--board", &f.board_arg(), &challenged]);
    exits(&o, 0);
    let code = short_after(&stdout(&o), "confirmation code ");
    assert_eq!(f.len(), before + 1);
    let o = tabella(&[
        "--json",
        "voter",
        "lookup",
        "--board",
        &f.board_arg(),
        &code,
    ]);
    exits(&o, 0);
    assert_eq!(json(&o)["kind"], "challenged");

    // A challenged ballot can never be cast afterwards (check 10), nor recorded twice: posted
    // again (a retry), it gets its code again and nothing is appended.
    let o = tabella(&["box", "cast", "--board", &f.board_arg(), &ballot]);
    exits(&o, 1);
    assert!(stdout(&o).contains("check 10"), "{}", stdout(&o));
    let o = tabella(&[
        "--json",
        "box",
        "challenge",
        "--board",
        &f.board_arg(),
        &challenged,
    ]);
    exits(&o, 0);
    let again = json(&o);
    assert_eq!(again["short"], code.as_str(), "{again}");
    assert_eq!(again["already"], true, "{again}");
    assert_eq!(f.len(), before + 1);
}

#[test]
fn a_ballot_cast_twice_gets_its_code_again_and_a_second_ballot_of_its_credential_is_refused() {
    let f = fixture(4, true);
    exits(&f.encrypt(2, "abstain", "c.ballot"), 0);
    let ballot = f.path("c.ballot").display().to_string();
    let o = tabella(&["--json", "box", "cast", "--board", &f.board_arg(), &ballot]);
    exits(&o, 0);
    let first = json(&o);
    assert_eq!(first["ballots"][0]["already"], false, "{first}");
    let before = f.len();
    // The same file again (a retry): its code again, nothing appended, exit 0.
    let o = tabella(&["--json", "box", "cast", "--board", &f.board_arg(), &ballot]);
    exits(&o, 0);
    let outcome = json(&o);
    assert_eq!(outcome["ok"], true, "{outcome}");
    assert_eq!(
        (&outcome["cast"], &outcome["already"]),
        (&0.into(), &1.into())
    );
    assert_eq!(outcome["ballots"][0]["already"], true, "{outcome}");
    assert_eq!(outcome["ballots"][0]["code"], first["ballots"][0]["code"]);
    assert_eq!(f.len(), before);
    let o = tabella(&["box", "cast", "--board", &f.board_arg(), &ballot]);
    exits(&o, 0);
    assert!(
        stdout(&o).contains("already on the board, confirmation code"),
        "{}",
        stdout(&o)
    );
    // Another ballot of the same member: refused; in text the line names the check, the
    // summary goes to standard error.
    exits(&f.encrypt(2, "abstain", "d.ballot"), 0);
    let other = f.path("d.ballot").display().to_string();
    let o = tabella(&["box", "cast", "--board", &f.board_arg(), &other]);
    exits(&o, 1);
    assert!(stdout(&o).contains("refused: check 7"), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("1 of 1 ballots refused"),
        "{}",
        stderr(&o)
    );
    assert_eq!(f.len(), before);
}

#[test]
fn a_credential_of_another_election_or_garbage_is_bad_input() {
    let f = fixture(3, true);
    let other = fixture(3, true);
    let encrypt = |credential: &Path, out: &str| {
        tabella(&[
            "voter",
            "encrypt",
            "--board",
            &f.board_arg(),
            "--credential",
            &credential.display().to_string(),
            "--choice",
            "Pope",
            "--out",
            &f.path(out).display().to_string(),
        ])
    };
    let o = encrypt(&other.credential_files[0], "other.ballot");
    exits(&o, 2);
    assert!(stderr(&o).contains("not on the roll"), "{}", stderr(&o));
    let garbage = f.path("garbage.credential");
    std::fs::write(&garbage, "# a credential\nnot a credential code at all\n").unwrap();
    exits(&encrypt(&garbage, "garbage.ballot"), 2);
    // A mistyped digit: the checksum catches it.
    let code = f.credentials[0].to_code();
    let mistyped: String = code
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i == 3 {
                if c == '0' { '1' } else { '0' }
            } else {
                c
            }
        })
        .collect();
    let typo = f.path("typo.credential");
    std::fs::write(&typo, mistyped).unwrap();
    let o = encrypt(&typo, "typo.ballot");
    exits(&o, 2);
    assert!(stderr(&o).contains("checksum"), "{}", stderr(&o));
    // With a roll the credential is required.
    let o = tabella(&[
        "voter",
        "encrypt",
        "--board",
        &f.board_arg(),
        "--choice",
        "Pope",
        "--out",
        &f.path("none.ballot").display().to_string(),
    ]);
    exits(&o, 2);
    for name in [
        "other.ballot",
        "garbage.ballot",
        "typo.ballot",
        "none.ballot",
    ] {
        assert!(!f.path(name).exists(), "{name} written");
        assert!(
            !f.path(&format!("{name}.opening")).exists(),
            "{name}.opening written"
        );
    }
    // A choice that is not on the ballot.
    exits(&f.encrypt(0, "Nobody", "nobody.ballot"), 2);
    exits(&f.encrypt(0, "2", "nobody.ballot"), 2);
    assert!(!f.path("nobody.ballot").exists());
}

#[test]
fn without_a_roll_there_is_no_credential() {
    let f = fixture(3, false);
    let out = f.path("d.ballot").display().to_string();
    let o = tabella(&[
        "voter",
        "encrypt",
        "--board",
        &f.board_arg(),
        "--choice",
        "Vitorino",
        "--out",
        &out,
    ]);
    exits(&o, 0);
    let o = tabella(&["box", "cast", "--board", &f.board_arg(), &out]);
    exits(&o, 0);
    // Any file given as a credential is refused before it is read.
    let o = tabella(&[
        "voter",
        "encrypt",
        "--board",
        &f.board_arg(),
        "--credential",
        &out,
        "--choice",
        "Vitorino",
        "--out",
        &f.path("e.ballot").display().to_string(),
    ]);
    exits(&o, 2);
    assert!(stderr(&o).contains("no roll"), "{}", stderr(&o));
    assert!(!f.path("e.ballot").exists());
    // A ballot whose count proof is altered (the low byte of its last response): refused by
    // the batch verification, named check 8; the good ballot beside it is cast.
    let good = f.path("good.ballot");
    std::fs::write(&good, f.ballot(0, 1).to_bytes()).unwrap();
    let tampered = f.path("tampered.ballot");
    std::fs::write(&tampered, flip_byte_from_end(f.ballot(0, 0).to_bytes(), 32)).unwrap();
    let before = f.len();
    let o = tabella(&[
        "box",
        "cast",
        "--board",
        &f.board_arg(),
        &tampered.display().to_string(),
        &good.display().to_string(),
    ]);
    exits(&o, 1);
    assert!(
        stdout(&o).contains("tampered.ballot: refused: check 8"),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("good.ballot: cast"), "{}", stdout(&o));
    assert_eq!(f.len(), before + 1);
}

#[test]
fn garbage_ballot_bytes_on_standard_input_are_bad_input() {
    let f = fixture(3, true);
    let before = f.len();
    for garbage in [
        &b"not a ballot at all"[..],
        b"",
        b"tb\x0b\x05\x00\x01\xff\xff\xff\xff",
    ] {
        let o = tabella_with(
            &["box", "cast", "--board", &f.board_arg(), "-"],
            PASSPHRASE,
            Some(garbage),
        );
        exits(&o, 2);
        assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    }
    // One good ballot beside a garbage file: nothing is cast.
    let good = f.path("good.ballot");
    std::fs::write(&good, f.ballot(0, 0).to_bytes()).unwrap();
    let bad = f.path("bad.ballot");
    let mut bytes = f.ballot(1, 0).to_bytes();
    bytes.truncate(bytes.len() - 1);
    std::fs::write(&bad, bytes).unwrap();
    let o = tabella(&[
        "box",
        "cast",
        "--board",
        &f.board_arg(),
        &good.display().to_string(),
        &bad.display().to_string(),
    ]);
    exits(&o, 2);
    assert!(stderr(&o).contains("bad.ballot"), "{}", stderr(&o));
    assert_eq!(f.len(), before);
}

#[test]
fn a_wrong_passphrase_does_not_open_the_opening() {
    let f = fixture(3, true);
    exits(&f.encrypt(0, "Pope", "f.ballot"), 0);
    let challenge = |passphrase: &str, ballot: &str| {
        tabella_with(
            &[
                "voter",
                "challenge",
                "--board",
                &f.board_arg(),
                "--ballot",
                &f.path(ballot).display().to_string(),
                "--opening",
                &f.path("f.ballot.opening").display().to_string(),
            ],
            passphrase,
            None,
        )
    };
    let o = challenge("the wrong passphrase", "f.ballot");
    exits(&o, 2);
    assert!(!f.path("f.ballot.challenged").exists());
    // Another ballot's opening (sealed for another ballot hash) is refused too.
    exits(&f.encrypt(1, "Pope", "g.ballot"), 0);
    let o = challenge(PASSPHRASE, "g.ballot");
    exits(&o, 2);
    assert!(stderr(&o).contains("another ballot"), "{}", stderr(&o));
    assert!(!f.path("g.ballot.challenged").exists());
    // The right one opens it.
    exits(&challenge(PASSPHRASE, "f.ballot"), 0);
    assert!(f.path("f.ballot.challenged").exists());
}

#[test]
fn a_ballot_for_a_closed_round_is_refused() {
    let f = fixture(3, true);
    exits(&f.encrypt(0, "Pope", "h.ballot"), 0);
    f.close();
    let before = f.len();
    let ballot = f.path("h.ballot").display().to_string();
    let o = tabella(&["box", "cast", "--board", &f.board_arg(), &ballot]);
    exits(&o, 1);
    assert!(stdout(&o).contains("refused: check 6"), "{}", stdout(&o));
    assert_eq!(f.len(), before);
    // No ballot can be made for it either.
    let o = f.encrypt(1, "Pope", "i.ballot");
    exits(&o, 1);
    assert!(stderr(&o).contains("no round is open"), "{}", stderr(&o));
    assert!(!f.path("i.ballot").exists());
}

#[test]
fn many_ballots_are_cast_in_one_batch_and_the_refused_ones_named() {
    let f = fixture(6, true);
    let before = f.len();
    let ballots: Vec<EncryptedBallot> = (0..5).map(|m| f.ballot(m, (m % 2) as u32)).collect();
    // Members 0 to 2 as files, 3 and 4 in a stream, with a copy of member 0's ballot (a
    // retry: its code again, appended once) and a second ballot of member 1 (its credential
    // again).
    let mut files = Vec::new();
    for (m, b) in ballots.iter().enumerate().take(3) {
        let path = f.path(&format!("m{m}.ballot"));
        std::fs::write(&path, b.to_bytes()).unwrap();
        files.push(path.display().to_string());
    }
    let stream = f.path("ballots.stream");
    let mut writer = BallotStreamWriter::new(Vec::new()).unwrap();
    writer.write(&ballots[3]).unwrap();
    writer.write(&ballots[0]).unwrap();
    writer.write(&f.ballot(1, 0)).unwrap();
    writer.write(&ballots[4]).unwrap();
    // Member 5's ballot with its signature altered (the low byte of s): check 7, from the
    // batch verification.
    let forged = flip_byte_from_end(f.ballot(5, 0).to_bytes(), 32);
    writer
        .write(&EncryptedBallot::from_bytes(&forged).unwrap())
        .unwrap();
    std::fs::write(&stream, writer.finish().unwrap()).unwrap();
    let mut args = vec!["--json", "box", "cast", "--board"];
    let board = f.board_arg();
    args.push(&board);
    args.extend(files.iter().map(String::as_str));
    let stream_arg = stream.display().to_string();
    args.extend(["--stream", &stream_arg]);
    let o = tabella(&args);
    exits(&o, 1);
    let outcome = json(&o);
    assert_eq!(outcome["cast"], 5, "{outcome}");
    assert_eq!(outcome["already"], 1, "{outcome}");
    assert_eq!(outcome["refused"], 2, "{outcome}");
    let verdicts: Vec<(bool, Option<u64>)> = outcome["ballots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["ok"].as_bool().unwrap(), b["check"].as_u64()))
        .collect();
    assert_eq!(verdicts.len(), 8);
    assert!(verdicts[..5].iter().all(|v| v.0), "{outcome}");
    // The copy of member 0's ballot: member 0's code, not appended again.
    assert_eq!(outcome["ballots"][4]["already"], true, "{outcome}");
    assert_eq!(
        outcome["ballots"][4]["code"], outcome["ballots"][0]["code"],
        "{outcome}"
    );
    assert_eq!(verdicts[5], (false, Some(7)), "{outcome}");
    assert!(verdicts[6].0, "{outcome}");
    assert_eq!(verdicts[7], (false, Some(7)), "{outcome}");
    assert!(
        outcome["ballots"][7]["error"]
            .as_str()
            .unwrap()
            .contains("signature"),
        "{outcome}"
    );
    assert_eq!(
        outcome["ballots"][5]["source"],
        format!("{stream_arg} entry 3")
    );
    assert_eq!(f.len(), before + 5);

    // Each cast ballot's code is on the board; the record verifies.
    for b in outcome["ballots"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["ok"] == true)
    {
        let code = b["short"].as_str().unwrap();
        exits(&tabella(&["voter", "lookup", "--board", &board, code]), 0);
    }
    let o = tabella(&["verify", &board]);
    exits(&o, 0);
    assert!(stdout(&o).contains("all checks passed"), "{}", stdout(&o));
    // The same stream on standard input: every ballot is now on the board (acknowledged
    // again), a second ballot of its credential, or still forged.
    let bytes = std::fs::read(&stream).unwrap();
    let o = tabella_with(
        &["box", "cast", "--board", &board, "-"],
        PASSPHRASE,
        Some(&bytes),
    );
    exits(&o, 1);
    assert_eq!(
        stdout(&o).matches("refused: check").count(),
        2,
        "{}",
        stdout(&o)
    );
    assert_eq!(
        stdout(&o).matches("already on the board").count(),
        3,
        "{}",
        stdout(&o)
    );
    assert!(
        stderr(&o).contains("2 of 5 ballots refused, 0 cast, 3 already on the board"),
        "{}",
        stderr(&o)
    );
    assert_eq!(f.len(), before + 5);
}

#[test]
fn a_yes_no_round_takes_yes_no_or_abstain() {
    let f = fixture_with(3, true, RoundKind::YesNo { candidate: 1 });
    let o = f.encrypt(0, "no", "no.ballot");
    exits(&o, 0);
    assert!(
        stdout(&o).contains("round 1: yes or no on Vitorino"),
        "{}",
        stdout(&o)
    );
    // A candidate's name is not an option of a yes/no ballot.
    exits(&f.encrypt(1, "Vitorino", "name.ballot"), 2);
    assert!(!f.path("name.ballot").exists());
    let o = tabella(&[
        "--json",
        "voter",
        "challenge",
        "--board",
        &f.board_arg(),
        "--ballot",
        &f.path("no.ballot").display().to_string(),
        "--opening",
        &f.path("no.ballot.opening").display().to_string(),
        "--out",
        &f.path("no.challenged").display().to_string(),
    ]);
    exits(&o, 0);
    let opened = json(&o);
    assert_eq!(opened["choice"], "no", "{opened}");
    assert_eq!(opened["values"], serde_json::json!([0, 1, 0]), "{opened}");
    assert!(f.path("no.challenged").exists());
}
