//! `tabella trustee`: the key ceremony and the decryption of a round by three trustees, each a
//! separate process with its own sealed state file, and every way a step can be refused
//! without writing anything.

#[path = "support/trustee_support.rs"]
mod support;

use support::{Election, PASSPHRASE, tabella_stdin, tabella_with};
use tabella::ballot::{BallotId, EncryptedBallot, Selection};
use tabella::election::{Proceed, Trustee};
use tabella::seal::SealParams;
use tabella::threshold::TrusteeIndex;

/// Casts one ballot for each of `choices` (0-based candidates of the open round) through the
/// library, as the ballot box would.
fn cast(election: &Election, choices: &[u32]) {
    let mut board = election.open();
    let ctx = board.round_context().expect("a round is open");
    let rng = &mut rand_core::OsRng;
    let ballots: Vec<EncryptedBallot> = choices
        .iter()
        .map(|c| {
            let bctx = ctx.ballot_context();
            let selection = Selection::new(bctx.contest, &[*c]).expect("a selection");
            EncryptedBallot::encrypt(&bctx, &selection, BallotId::random(rng), None, rng)
                .expect("a ballot")
                .0
        })
        .collect();
    for b in &ballots {
        board.cast(b).expect("the ballot is cast");
    }
}

#[test]
fn three_trustees_run_the_ceremony_and_decrypt_a_round() {
    let e = Election::new(false);
    for i in 1..=3 {
        let run = e.init(i);
        assert!(run.stdout.contains(&format!("trustee {i}'s state sealed")));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(e.file(&format!("trustee-{i}.state")))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
    e.admin("ceremony");
    let start = e.len();

    let run = e.trustee("step", 1).ok();
    assert!(
        run.stdout.contains("posted its round 1 message"),
        "{}",
        run.stdout
    );
    assert_eq!(e.len(), start + 1);
    // Trustee 1 has nothing more to post until the others have.
    let run = e.trustee("step", 1).ok();
    assert!(
        run.stdout
            .contains("nothing to post: waiting for trustees [2, 3]"),
        "{}",
        run.stdout
    );
    assert_eq!(e.len(), start + 1);
    let run = e.run(&[
        "--json",
        "trustee",
        "step",
        "--board",
        "board.db",
        "--state",
        "trustee-2.state",
        "--index",
        "2",
    ]);
    let json = run.ok().json();
    assert_eq!(json["status"], "posted");
    assert_eq!(json["round"], 1);
    e.trustee("step", 3).ok();

    for round in [2, 3] {
        for i in 1..=3 {
            let run = e.trustee("step", i).ok();
            let expected = format!("trustee {i} posted its round {round} message");
            assert!(run.stdout.contains(&expected), "{}", run.stdout);
        }
    }
    let run = e.trustee("step", 2).ok();
    assert!(
        run.stdout.contains("waiting for the administrator"),
        "{}",
        run.stdout
    );
    assert_eq!(e.len(), start + 9);
    e.admin("keys");
    for i in 1..=3 {
        let run = e.trustee("step", i).ok();
        assert!(
            run.stdout
                .contains("done: key package checked against the announced keys"),
            "{}",
            run.stdout
        );
    }
    let run = e.trustee("step", 1).ok();
    assert!(
        run.stdout.contains("the ceremony is done"),
        "{}",
        run.stdout
    );
    let after_keys = e.len();
    assert_eq!(after_keys, start + 10);

    e.admin("open");
    cast(&e, &[0, 0, 1]);
    e.admin("close");
    let closed = e.len();
    let run = e.trustee("decrypt", 1).ok();
    assert!(
        run.stdout
            .contains("posted its partial decryption of round 1 (1 of the 2 needed)"),
        "{}",
        run.stdout
    );
    assert_eq!(e.len(), closed + 1);
    // A second decryption of the same round is refused, and posts nothing.
    e.trustee("decrypt", 1)
        .fails(1, "already posted its partial decryption of round 1");
    assert_eq!(e.len(), closed + 1);
    let json = e
        .run(&[
            "--json",
            "trustee",
            "decrypt",
            "--board",
            "board.db",
            "--state",
            "trustee-3.state",
            "--index",
            "3",
        ])
        .ok()
        .json();
    assert_eq!(json["partials"], 2);
    assert_eq!(json["threshold"], 2);
    let result = e.admin("result");
    assert!(result.stdout.contains("Ada elected"), "{}", result.stdout);
    // The round is decided: nothing is left to decrypt.
    e.trustee("decrypt", 2).fails(1, "no round is closed");
}

#[test]
fn a_step_before_the_ceremony_run_is_refused_and_writes_nothing() {
    let e = Election::new(false);
    e.init(1);
    let state = e.read("trustee-1.state");
    let len = e.len();
    e.trustee("step", 1)
        .fails(1, "no run of the key ceremony on the board yet");
    assert_eq!(e.len(), len);
    assert_eq!(e.read("trustee-1.state"), state);
    // Decrypting before any round is closed.
    e.trustee("decrypt", 1).fails(1, "no round is closed");
    assert_eq!(e.len(), len);
    assert_eq!(e.read("trustee-1.state"), state);
}

#[test]
fn a_decryption_before_the_round_is_closed_is_refused_and_writes_nothing() {
    let e = Election::new(false);
    e.ceremony();
    e.admin("open");
    let state = e.read("trustee-1.state");
    let len = e.len();
    e.trustee("decrypt", 1).fails(1, "no round is closed");
    assert_eq!(e.len(), len);
    assert_eq!(e.read("trustee-1.state"), state);
}

#[test]
fn a_trustee_without_its_key_package_cannot_decrypt() {
    let e = Election::new(false);
    e.ceremony();
    e.admin("open");
    cast(&e, &[1]);
    e.admin("close");
    // Trustee 1 starts over from a fresh state: it has no key package.
    std::fs::remove_file(e.file("trustee-1.state")).unwrap();
    e.init(1);
    let len = e.len();
    e.trustee("decrypt", 1).fails(1, "holds no key package yet");
    assert_eq!(e.len(), len);
}

#[test]
fn a_wrong_passphrase_is_bad_input_and_posts_nothing() {
    let e = Election::new(false);
    e.init(1);
    e.admin("ceremony");
    let state = e.read("trustee-1.state");
    let len = e.len();
    tabella_with(
        e.path(),
        "not the passphrase",
        &[
            "trustee",
            "step",
            "--board",
            "board.db",
            "--state",
            "trustee-1.state",
            "--index",
            "1",
        ],
    )
    .fails(2, "wrong passphrase");
    assert_eq!(e.len(), len);
    assert_eq!(e.read("trustee-1.state"), state);
    // The right one works.
    e.trustee("step", 1).ok();
    assert_eq!(e.len(), len + 1);
}

#[test]
fn another_trustees_state_file_is_refused() {
    let e = Election::new(false);
    e.init(1);
    e.admin("ceremony");
    let len = e.len();
    e.trustee_with("step", 2, "trustee-1.state")
        .fails(2, "it is not trustee 2's state for this board");
    assert_eq!(e.len(), len);
}

#[test]
fn another_elections_state_file_is_refused() {
    let a = Election::new(false);
    let b = Election::new(false);
    a.init(1);
    b.init(1);
    b.admin("ceremony");
    std::fs::copy(a.file("trustee-1.state"), b.file("other.state")).unwrap();
    let len = b.len();
    b.trustee_with("step", 1, "other.state")
        .fails(2, "another election or trustee");
    assert_eq!(b.len(), len);
}

#[test]
fn a_garbage_state_file_is_bad_input() {
    let e = Election::new(false);
    e.init(1);
    e.admin("ceremony");
    let len = e.len();
    std::fs::write(e.file("garbage.state"), b"not a sealed state at all").unwrap();
    e.trustee_with("step", 1, "garbage.state")
        .fails(2, "garbage.state");
    // A truncated state.
    let state = e.read("trustee-1.state");
    std::fs::write(e.file("short.state"), &state[..state.len() / 2]).unwrap();
    e.trustee_with("step", 1, "short.state")
        .fails(2, "short.state");
    // A missing one.
    e.trustee_with("step", 1, "missing.state")
        .fails(2, "missing.state");
    // The state is a file, never standard input.
    e.trustee_with("step", 1, "-").fails(2, "--state is a file");
    assert_eq!(e.len(), len);
}

#[test]
fn garbage_on_standard_input_as_the_key_is_bad_input() {
    let e = Election::new(false);
    tabella_stdin(
        e.path(),
        &[
            "trustee",
            "init",
            "--board",
            "board.db",
            "--index",
            "1",
            "--key",
            "-",
            "--state",
            "trustee-1.state",
        ],
        b"\x00\x01garbage\n",
    )
    .fails(2, "a key file of trustee 1?");
    assert!(!e.file("trustee-1.state").exists());
    // The real key on standard input works.
    let key = e.read("trustee-1.key");
    tabella_stdin(
        e.path(),
        &[
            "trustee",
            "init",
            "--board",
            "board.db",
            "--index",
            "1",
            "--key",
            "-",
            "--state",
            "trustee-1.state",
        ],
        &key,
    )
    .ok();
    assert!(e.file("trustee-1.state").exists());
}

#[test]
fn init_checks_the_key_against_the_manifest_and_never_overwrites() {
    let e = Election::new(false);
    let init = |index: &str, key: &str, state: &str| {
        e.run(&[
            "trustee", "init", "--board", "board.db", "--index", index, "--key", key, "--state",
            state,
        ])
    };
    // Trustee 2's key file opened as trustee 1's.
    init("1", "trustee-2.key", "x.state").fails(2, "a key file of trustee 1?");
    // A trustee-1 key the manifest does not name.
    support::keygen(e.path(), "trustee", Some(1), "stranger.key");
    init("1", "stranger.key", "x.state").fails(2, "not trustee 1's key in the manifest");
    // An index the election does not have.
    init("4", "trustee-1.key", "x.state").fails(2, "trustees are 1 to 3");
    init("0", "trustee-1.key", "x.state").fails(2, "trustees are 1 to 3");
    assert!(!e.file("x.state").exists());
    // A state is never overwritten.
    e.init(1);
    let state = e.read("trustee-1.state");
    init("1", "trustee-1.key", "trustee-1.state").fails(2, "exists");
    assert_eq!(e.read("trustee-1.state"), state);
}

#[test]
fn a_step_interrupted_before_its_post_posts_the_same_message_when_run_again() {
    let e = Election::new(false);
    e.init(1);
    e.admin("ceremony");
    // Trustee 1 steps and seals its state, then stops before posting (a crash).
    let pending = {
        let board = e.open();
        let i = TrusteeIndex::new(1).unwrap();
        let sealed = e.read("trustee-1.state");
        let mut t = Trustee::unseal(&sealed, board.replay(), i, PASSPHRASE.as_bytes()).unwrap();
        let rng = &mut rand_core::OsRng;
        let entry = t
            .ceremony_step(board.replay(), board.head(), Proceed::WhenAll, rng)
            .unwrap()
            .expect("a round-1 message");
        let params = SealParams::insecure_for_tests();
        let state = t
            .seal(board.replay(), PASSPHRASE.as_bytes(), params, rng)
            .unwrap();
        std::fs::write(e.file("trustee-1.state"), state).unwrap();
        entry.body().to_vec()
    };
    let len = e.len();
    let run = e.trustee("step", 1).ok();
    assert!(
        run.stdout.contains("posted its round 1 message"),
        "{}",
        run.stdout
    );
    assert_eq!(e.len(), len + 1);
    let board = e.open();
    let ceremony = board.replay().ceremony_board().unwrap();
    let posted = &ceremony.entries(tabella::threshold::dkg::CeremonyRound::Commit)[0];
    assert_eq!(posted.bytes(), pending.as_slice());
    // And once on the board, it is not posted again.
    drop(board);
    e.trustee("step", 1).ok();
    assert_eq!(e.len(), len + 1);
}
