//! `tabella credentials`: the credential authority issues one credential file per eligible
//! member and posts the roll; a member checks its credential is on it.

#[path = "support/trustee_support.rs"]
mod support;

use support::Election;
use tabella::credential::CredentialSecret;

fn issue(e: &Election, dir: &str) -> support::Run {
    e.run(&[
        "credentials",
        "issue",
        "--board",
        "board.db",
        "--key",
        "ca.key",
        "--out-dir",
        dir,
    ])
}

fn check(e: &Election, file: &str) -> support::Run {
    e.run(&[
        "credentials",
        "check",
        "--board",
        "board.db",
        "--credential",
        file,
    ])
}

/// The code line of a credential file.
fn code_of(text: &str) -> &str {
    let mut lines = text.lines();
    let comment = lines.next().expect("a comment line");
    assert!(
        comment.starts_with("# tabella voter credential"),
        "{comment}"
    );
    let code = lines.next().expect("a code line");
    assert!(lines.next().is_none());
    code
}

#[test]
fn the_authority_issues_a_credential_per_member_and_each_is_on_the_roll() {
    let e = Election::new(true);
    let len = e.len();
    let run = issue(&e, "creds").ok();
    assert!(
        run.stdout.contains("3 credentials written to creds"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("roll of 3 public credentials posted"));
    assert_eq!(e.len(), len + 1);
    assert_eq!(e.open().replay().roll().map(|r| r.len()), Some(3));
    let mut names: Vec<String> = std::fs::read_dir(e.file("creds"))
        .unwrap()
        .map(|f| f.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "member-0001.credential",
            "member-0002.credential",
            "member-0003.credential"
        ]
    );
    let mut codes = Vec::new();
    for name in &names {
        let path = e.file(&format!("creds/{name}"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{name}");
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let code = code_of(&text).to_string();
        assert_eq!(code.len(), 72);
        CredentialSecret::from_code(&code).expect("a valid code");
        // The codes are never printed.
        assert!(!run.stdout.contains(&code) && !run.stderr.contains(&code));
        codes.push(code);
        let on = check(&e, &format!("creds/{name}")).ok();
        assert!(on.stdout.contains("on the roll"), "{}", on.stdout);
    }
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), 3);
    // The roll is there once: a second issue is refused, writing nothing.
    issue(&e, "more").fails(1, "the roll is already on the board");
    assert!(!e.file("more").exists());
    assert_eq!(e.len(), len + 1);
}

#[test]
fn a_credential_not_on_the_roll_is_refused() {
    let e = Election::new(true);
    let stranger = CredentialSecret::generate(&mut rand_core::OsRng);
    std::fs::write(
        e.file("stranger.credential"),
        format!("# someone else's\n{}\n", stranger.to_code().as_str()),
    )
    .unwrap();
    // No roll yet.
    check(&e, "stranger.credential").fails(1, "the board has no roll yet");
    issue(&e, "creds").ok();
    check(&e, "stranger.credential").fails(1, "not on the roll");
    let json = e
        .run(&[
            "--json",
            "credentials",
            "check",
            "--board",
            "board.db",
            "--credential",
            "stranger.credential",
        ])
        .json();
    assert_eq!(json["on_roll"], false);
}

#[test]
fn a_credential_file_that_is_not_one_is_bad_input() {
    let e = Election::new(true);
    issue(&e, "creds").ok();
    let text = std::fs::read_to_string(e.file("creds/member-0001.credential")).unwrap();
    let code = code_of(&text).to_string();
    // A mistyped digit fails the checksum.
    let mut typo = code.clone().into_bytes();
    typo[10] = if typo[10] == b'0' { b'1' } else { b'0' };
    std::fs::write(e.file("typo"), typo).unwrap();
    check(&e, "typo").fails(2, "not a credential file");
    std::fs::write(e.file("empty"), "# only a comment\n").unwrap();
    check(&e, "empty").fails(2, "no code in it");
    std::fs::write(e.file("two"), format!("{code}\n{code}\n")).unwrap();
    check(&e, "two").fails(2, "more than one code");
    std::fs::write(e.file("binary"), [0xff, 0xfe, 0x00]).unwrap();
    check(&e, "binary").fails(2, "not text");
    check(&e, "missing").fails(2, "missing");
    // The bare code, from standard input, is a credential.
    let run = support::tabella_stdin(
        e.path(),
        &[
            "credentials",
            "check",
            "--board",
            "board.db",
            "--credential",
            "-",
        ],
        code.as_bytes(),
    );
    assert!(run.ok().stdout.contains("on the roll"));
}

#[test]
fn an_election_without_a_roll_has_no_credentials_to_issue() {
    let e = Election::new(false);
    let len = e.len();
    issue(&e, "creds").fails(1, "this election has no roll");
    assert!(!e.file("creds").exists());
    assert_eq!(e.len(), len);
}

#[test]
fn issue_refuses_a_directory_that_is_not_empty_and_a_key_not_the_authoritys() {
    let e = Election::new(true);
    let len = e.len();
    std::fs::create_dir(e.file("full")).unwrap();
    std::fs::write(e.file("full/old.credential"), "x").unwrap();
    issue(&e, "full").fails(2, "is not empty");
    assert_eq!(std::fs::read_dir(e.file("full")).unwrap().count(), 1);
    // The administrator's key is not the authority's (its seal names another role).
    e.run(&[
        "credentials",
        "issue",
        "--board",
        "board.db",
        "--key",
        "admin.key",
        "--out-dir",
        "creds",
    ])
    .fails(2, "a key file of the credential authority?");
    // An authority key the manifest does not name.
    support::keygen(e.path(), "credential-authority", None, "other-ca.key");
    e.run(&[
        "credentials",
        "issue",
        "--board",
        "board.db",
        "--key",
        "other-ca.key",
        "--out-dir",
        "creds",
    ])
    .fails(2, "not the credential authority's key");
    assert!(!e.file("creds").exists());
    assert_eq!(e.len(), len);
    // An empty directory is fine; --json reports the roll without a code.
    std::fs::create_dir(e.file("empty")).unwrap();
    let run = e.run(&[
        "--json",
        "credentials",
        "issue",
        "--board",
        "board.db",
        "--key",
        "ca.key",
        "--out-dir",
        "empty",
    ]);
    let json = run.ok().json();
    assert_eq!(json["issued"], 3);
    assert_eq!(json["entries"], len + 1);
    let text = std::fs::read_to_string(e.file("empty/member-0002.credential")).unwrap();
    assert!(!json.to_string().contains(code_of(&text)));
}
