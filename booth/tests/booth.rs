//! The booth natively, against a board held by the library (what the server would serve):
//! casting with a checked confirmation code, a Benaloh challenge then a cast, the order of
//! the steps (a ballot sent to be cast is never opened), bad credentials and choices, and a
//! lying server: altered heads and entries, pages out of place, another ballot's code.

mod support;

use serde_json::Value;
use tabella::ballot::{ChallengedBallot, EncryptedBallot};
use tabella::board::{BallotHash, MemoryStore, Store};
use tabella::encoding::{from_hex, to_hex};
use tabella_booth::{Booth, BoothError};

use support::{CANDIDATES, Election, election, election_with, page};

/// A booth that has read the whole board.
fn booth_of(e: &Election<MemoryStore>) -> Booth {
    let mut booth = Booth::new().unwrap();
    read_all(&mut booth, e);
    booth
}

/// Reads what the booth has not read yet, as the page does after a cast.
fn read_all(booth: &mut Booth, e: &Election<MemoryStore>) {
    let from = booth.mirror().len();
    let read = booth
        .read_page(&page(&e.board, from, e.board.len()).to_string())
        .unwrap();
    assert_eq!(read["entries"], read["total"]);
}

/// The server's side of a cast: the bytes the booth posts, cast on the board.
fn post_ballot(e: &mut Election<MemoryStore>, bytes: &[u8]) -> String {
    let ballot = EncryptedBallot::from_bytes(bytes).unwrap();
    to_hex(&e.board.cast(&ballot).unwrap().0)
}

fn code_of(e: &Election<MemoryStore>, member: usize) -> String {
    e.credentials[member].to_code().to_string()
}

#[test]
fn a_member_casts_and_the_booth_checks_the_code() {
    let mut e = election(MemoryStore::new(), 4, 1);
    let mut booth = booth_of(&e);
    let summary = booth.summary();
    assert_eq!(summary["round"]["number"], 1);
    assert_eq!(summary["round"]["options"], serde_json::json!(CANDIDATES));
    assert_eq!(summary["round"]["abstention"], true);
    assert_eq!(summary["round"]["roll"], true);
    assert_eq!(summary["round"]["second_ballot"], "refused");
    assert!(
        summary["round"]["rule"]
            .as_str()
            .unwrap()
            .starts_with("at least 2/3"),
        "{summary}"
    );
    let fingerprint = e.board.replay().election().unwrap().context().fingerprint();
    assert_eq!(summary["fingerprint"], to_hex(fingerprint));

    booth.load_credential(&code_of(&e, 0)).unwrap();
    let shown = booth.encrypt(Some(0)).unwrap();
    let bytes = booth.cast().unwrap();
    // The hash shown is the hash of the bytes posted.
    let ctx = e.board.round_context().unwrap();
    let hash = BallotHash::of_bytes(ctx.ballot_context().election, 1, &bytes);
    assert_eq!(shown["hash"], to_hex(&hash.0));
    assert_eq!(shown["short"], hash.short());

    let code = post_ballot(&mut e, &bytes);
    read_all(&mut booth, &e);
    let confirmed = booth.confirm(&code).unwrap();
    assert_eq!(confirmed["round"], 1);
    assert_eq!(confirmed["round_state"], "open");
    assert_eq!(confirmed["index"], 0);
    assert_eq!(booth.summary()["step"], "idle");
    assert_eq!(booth.summary()["round"]["ballots"], 1);
}

#[test]
fn a_challenge_verifies_is_posted_and_the_member_votes_again() {
    let mut e = election(MemoryStore::new(), 4, 2);
    let mut booth = booth_of(&e);
    booth.load_credential(&code_of(&e, 1)).unwrap();
    let first = booth.encrypt(Some(1)).unwrap();
    let opened = booth.challenge().unwrap();
    assert_eq!(opened["verified"], true);
    assert_eq!(opened["chosen"], serde_json::json!([1]));
    assert_eq!(opened["short"], first["short"]);
    // Posting fails and the voter presses Challenge again: the same opening.
    assert_eq!(booth.challenge().unwrap()["opening"], opened["opening"]);

    let challenged = ChallengedBallot::from_bytes(&booth.challenged_bytes().unwrap()).unwrap();
    assert_eq!(
        to_hex(&challenged.to_bytes()),
        opened["opening"].as_str().unwrap()
    );
    let code = to_hex(&e.board.challenge(&challenged).unwrap().0);
    read_all(&mut booth, &e);
    // A challenged ballot's code is not a cast ballot's.
    assert!(matches!(booth.confirm(&code), Err(BoothError::Step(_))));
    booth.confirm_challenge(&code).unwrap();
    // The challenged ballot is gone from the booth: nothing to cast.
    assert!(matches!(booth.cast(), Err(BoothError::Step(_))));

    let second = booth.encrypt(Some(0)).unwrap();
    assert_ne!(second["hash"], first["hash"]);
    let bytes = booth.cast().unwrap();
    let code = post_ballot(&mut e, &bytes);
    read_all(&mut booth, &e);
    assert_eq!(booth.confirm(&code).unwrap()["index"], 1);
}

#[test]
fn a_ballot_sent_to_be_cast_is_never_opened() {
    let e = election(MemoryStore::new(), 3, 3);
    let mut booth = booth_of(&e);
    booth.load_credential(&code_of(&e, 2)).unwrap();
    assert!(matches!(booth.cast(), Err(BoothError::Step(_))));
    assert!(matches!(booth.challenge(), Err(BoothError::Step(_))));
    booth.encrypt(Some(0)).unwrap();
    let bytes = booth.cast().unwrap();
    // The nonces are gone: no opening, no new ballot in its place; a retry is the same bytes.
    assert!(matches!(booth.challenge(), Err(BoothError::Step(_))));
    assert!(matches!(booth.encrypt(Some(1)), Err(BoothError::Step(_))));
    assert_eq!(booth.cast().unwrap(), bytes);
    assert_eq!(booth.summary()["step"], "casting");
    // After a definite refusal the voter starts over.
    booth.abandon();
    assert_eq!(booth.summary()["step"], "idle");
    booth.encrypt(None).unwrap();
}

#[test]
fn re_encrypting_before_casting_replaces_the_ballot() {
    let mut e = election(MemoryStore::new(), 3, 4);
    let mut booth = booth_of(&e);
    booth.load_credential(&code_of(&e, 0)).unwrap();
    let a = booth.encrypt(Some(0)).unwrap();
    let b = booth.encrypt(Some(1)).unwrap();
    assert_ne!(a["hash"], b["hash"]);
    let bytes = booth.cast().unwrap();
    let ctx = e.board.round_context().unwrap();
    assert_eq!(
        to_hex(&BallotHash::of_bytes(ctx.ballot_context().election, 1, &bytes).0),
        b["hash"].as_str().unwrap()
    );
    let code = post_ballot(&mut e, &bytes);
    read_all(&mut booth, &e);
    booth.confirm(&code).unwrap();
}

#[test]
fn bad_credentials_and_choices_are_named() {
    let e = election(MemoryStore::new(), 3, 5);
    let other = election(MemoryStore::new(), 3, 6);
    let mut booth = booth_of(&e);
    // No credential yet.
    assert!(matches!(
        booth.encrypt(Some(0)),
        Err(BoothError::Credential(m)) if m.contains("load your credential")
    ));
    for bad in ["", "not a code", &"0".repeat(72), &"é".repeat(36)] {
        assert!(
            matches!(booth.load_credential(bad), Err(BoothError::Credential(m)) if m.contains("not a credential code")),
            "{bad:?}"
        );
    }
    // One digit mistyped: the checksum catches it.
    let mut typo = code_of(&e, 0).into_bytes();
    typo[10] = if typo[10] == b'0' { b'1' } else { b'0' };
    let typo = String::from_utf8(typo).unwrap();
    assert!(matches!(
        booth.load_credential(&typo),
        Err(BoothError::Credential(m)) if m.contains("checksum")
    ));
    // Another election's credential.
    assert!(matches!(
        booth.load_credential(&code_of(&other, 0)),
        Err(BoothError::Credential(m)) if m.contains("not on the roll")
    ));
    // Whitespace around the code, as pasted, is fine.
    booth
        .load_credential(&format!("  {}\n", code_of(&e, 0)))
        .unwrap();
    assert!(matches!(booth.encrypt(Some(2)), Err(BoothError::Choice(_))));
    assert!(matches!(
        booth.encrypt(Some(u32::MAX)),
        Err(BoothError::Choice(_))
    ));
    // An abstention opens to no candidate.
    booth.encrypt(None).unwrap();
    assert_eq!(booth.challenge().unwrap()["chosen"], serde_json::json!([]));
    // The Debug form shows no secret.
    let debug = format!("{booth:?}");
    assert!(debug.contains("<redacted>"), "{debug}");
    assert!(!debug.contains(&code_of(&e, 0)[..16]), "{debug}");
}

/// An entry in the record's JSON form, after which the head is `head`.
fn entry_json(bytes: &[u8], head: &tabella::board::chain::Head) -> Value {
    let entry = tabella::board::Entry::from_bytes(bytes).unwrap();
    serde_json::to_value(tabella::record::EntryJson::of(&entry, head)).unwrap()
}

/// A board page as JSON, for tampering.
fn page_json(e: &Election<MemoryStore>, from: u64, to: u64) -> Value {
    page(&e.board, from, to)
}

#[test]
fn a_server_cannot_change_the_board_it_serves() {
    let e = election(MemoryStore::new(), 3, 7);
    let len = e.board.len();

    // A head that is not the chain's: refused before that entry applies, nor any after it.
    let mut tampered = page_json(&e, 0, len);
    tampered["entries"][2]["head"] = Value::String("00".repeat(32));
    let mut booth = Booth::new().unwrap();
    let err = booth.read_page(&tampered.to_string()).unwrap_err();
    assert!(
        matches!(&err, BoothError::Server(m) if m.contains("entry 2: record entry: its kind, author or head")),
        "{err}"
    );
    assert_eq!(booth.mirror().len(), 2);
    // So are a kind or an author that are not the entry's.
    for (field, value) in [("kind", "ballot"), ("author", "voter")] {
        let mut tampered = page_json(&e, 0, len);
        tampered["entries"][0][field] = Value::String(value.into());
        let mut booth = Booth::new().unwrap();
        assert!(booth.read_page(&tampered.to_string()).is_err(), "{field}");
        assert_eq!(booth.mirror().len(), 0);
    }

    // A signed entry altered (its head recomputed by the liar): the board's own check names it.
    let mut stored = e.board.store().read(0, len).unwrap();
    let keys_at = (0..len as usize)
        .find(|&k| {
            tabella::board::Entry::from_bytes(&stored[k].bytes)
                .unwrap()
                .kind()
                == tabella::board::EntryKind::Keys
        })
        .unwrap();
    let last = stored[keys_at].bytes.len() - 70;
    stored[keys_at].bytes[last] ^= 1;
    let mut head = tabella::board::chain::Head::genesis();
    let mut rebuilt = Vec::new();
    for s in &stored {
        head = head.next(&s.bytes);
        rebuilt.push((s.bytes.clone(), head));
    }
    let entries: Vec<Value> = rebuilt
        .iter()
        .map(|(bytes, head)| entry_json(bytes, head))
        .collect();
    let forged = serde_json::json!({ "from": 0, "to": len, "total": len, "entries": entries });
    let mut booth = Booth::new().unwrap();
    let err = booth.read_page(&forged.to_string()).unwrap_err();
    assert!(matches!(err, BoothError::Board(_)), "{err}");
    assert_eq!(booth.mirror().len(), keys_at as u64);
    assert!(booth.summary()["round"].is_null());

    // A page that does not start where the copy ends.
    let mut booth = Booth::new().unwrap();
    let err = booth
        .read_page(&page_json(&e, 1, len).to_string())
        .unwrap_err();
    assert!(
        matches!(&err, BoothError::Server(m) if m.contains("from entry 1")),
        "{err}"
    );

    // More entries than the total it names; not JSON; not a page; bad hex.
    let mut short_total = page_json(&e, 0, len);
    short_total["total"] = Value::from(1);
    let mut booth = Booth::new().unwrap();
    assert!(matches!(
        booth.read_page(&short_total.to_string()),
        Err(BoothError::Server(m)) if m.contains("more than the total")
    ));
    for junk in [
        "",
        "[]",
        "{\"from\":0}",
        "{\"from\":0,\"total\":1,\"entries\":[{\"entry\":\"zz\",\"head\":\"00\"}]}",
        "{\"from\":0,\"total\":1,\"entries\":[{\"entry\":\"00\",\"head\":\"00\"}]}",
        "{\"from\":-1,\"total\":1,\"entries\":[]}",
    ] {
        let mut booth = Booth::new().unwrap();
        assert!(booth.read_page(junk).is_err(), "{junk}");
        assert_eq!(booth.mirror().len(), 0);
    }
}

#[test]
fn a_server_cannot_acknowledge_a_ballot_with_another_code() {
    let mut e = election(MemoryStore::new(), 3, 8);
    let mut a = booth_of(&e);
    let mut b = booth_of(&e);
    a.load_credential(&code_of(&e, 0)).unwrap();
    b.load_credential(&code_of(&e, 1)).unwrap();
    a.encrypt(Some(0)).unwrap();
    b.encrypt(Some(1)).unwrap();
    let code_a = post_ballot(&mut e, &a.cast().unwrap());
    // The server drops b's ballot and answers with a's code.
    let _ = b.cast().unwrap();
    read_all(&mut b, &e);
    let err = b.confirm(&code_a).unwrap_err();
    assert!(
        matches!(&err, BoothError::NotIncluded(m) if m.contains("another cast entry")),
        "{err}"
    );
    // A code that is nowhere, and one that is not a code.
    let err = b.confirm(&"ab".repeat(32)).unwrap_err();
    assert!(matches!(&err, BoothError::NotIncluded(m) if m.contains("not on the board")));
    assert!(matches!(b.confirm("xyz"), Err(BoothError::Server(_))));
    assert!(matches!(b.confirm("abcd"), Err(BoothError::Server(_))));
    // The ballot is still in hand: cast again (the same bytes), and it checks.
    let bytes = b.cast().unwrap();
    let code_b = post_ballot(&mut e, &bytes);
    read_all(&mut b, &e);
    b.confirm(&code_b).unwrap();
    // a's code, read from its hex as the page does.
    read_all(&mut a, &e);
    assert_eq!(from_hex("code", &code_a).unwrap().len(), 32);
    a.confirm(&code_a).unwrap();
}

/// The board's entries as a page, with `change` applied to the entry bytes and every head
/// recomputed after it (a server that rewrites its board and its chain).
fn forged_page(e: &Election<MemoryStore>, change: impl FnOnce(&mut Vec<Vec<u8>>)) -> (String, u64) {
    let mut entries: Vec<Vec<u8>> = e
        .board
        .store()
        .read(0, e.board.len())
        .unwrap()
        .into_iter()
        .map(|s| s.bytes)
        .collect();
    change(&mut entries);
    let mut head = tabella::board::chain::Head::genesis();
    let items: Vec<Value> = entries
        .iter()
        .map(|bytes| {
            head = head.next(bytes);
            entry_json(bytes, &head)
        })
        .collect();
    let len = items.len() as u64;
    let page = serde_json::json!({ "from": 0, "to": len, "total": len, "entries": items });
    (page.to_string(), len)
}

#[test]
fn a_bad_or_repeated_ballot_among_many_is_named_and_the_copy_stays_a_prefix() {
    let mut e = election(MemoryStore::new(), 6, 9);
    let first_ballot = e.board.len();
    for m in 0..5 {
        let ctx = e.board.round_context().unwrap();
        let ctx = ctx.ballot_context();
        let selection = tabella::ballot::Selection::new(ctx.contest, &[(m % 2) as u32]).unwrap();
        let id = tabella::ballot::BallotId::random(&mut e.rng);
        let (ballot, _) =
            EncryptedBallot::encrypt(&ctx, &selection, id, Some(&e.credentials[m]), &mut e.rng)
                .unwrap();
        e.board.cast(&ballot).unwrap();
    }
    // The honest board reads in one page (its five ballots in one batch).
    let booth = booth_of(&e);
    assert_eq!(booth.summary()["round"]["ballots"], 5);

    // A proof of the third ballot altered: refused at its entry, the two before it kept.
    let bad = first_ballot + 2;
    let (page, _) = forged_page(&e, |entries| {
        let body = &mut entries[bad as usize];
        let at = body.len() - 100;
        body[at] ^= 1;
    });
    let mut booth = Booth::new().unwrap();
    match booth.read_page(&page).unwrap_err() {
        BoothError::Board(tabella::Error::EntryRefused(f)) => {
            assert_eq!(f.entry, Some(bad), "{f:?}");
            assert!(matches!(f.check.number(), 7 | 8), "{f:?}");
        }
        other => panic!("{other}"),
    }
    assert_eq!(booth.mirror().len(), bad);
    assert_eq!(booth.summary()["round"]["ballots"], 2);

    // The second ballot repeated in place of the fourth: named, the copy stops before it.
    let repeated = first_ballot + 3;
    let (page, _) = forged_page(&e, |entries| {
        entries[repeated as usize] = entries[(first_ballot + 1) as usize].clone();
    });
    let mut booth = Booth::new().unwrap();
    let err = booth.read_page(&page).unwrap_err();
    assert!(
        matches!(&err, BoothError::Server(m) if m.contains(&format!("entry {repeated}"))),
        "{err}"
    );
    assert_eq!(booth.mirror().len(), repeated);
}

/// The fuzz target `booth_read_page`'s seed: a real board's page (a small election, round 1
/// open, two ballots). `TABELLA_WRITE_SEEDS=1` writes it again after a protocol change;
/// otherwise the committed seed must be this page and read whole.
#[test]
fn the_fuzz_seed_is_a_real_board_page() {
    let mut e = election(MemoryStore::new(), 3, 10);
    for m in 0..2 {
        let mut booth = booth_of(&e);
        booth.load_credential(&code_of(&e, m)).unwrap();
        booth.encrypt(Some(m as u32)).unwrap();
        let bytes = booth.cast().unwrap();
        post_ballot(&mut e, &bytes);
    }
    let page = page(&e.board, 0, e.board.len()).to_string();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus/booth_read_page/seed-board-page.json");
    if std::env::var_os("TABELLA_WRITE_SEEDS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &page).unwrap();
    }
    let seed = std::fs::read_to_string(&path).unwrap();
    let mut booth = Booth::new().unwrap();
    let read = booth.read_page(&seed).unwrap();
    assert_eq!(read["entries"], read["total"]);
    assert_eq!(booth.summary()["round"]["ballots"], 2);
}

#[test]
fn a_yes_no_round_shows_yes_and_no_and_opens_to_them() {
    let kind = tabella::election::RoundKind::YesNo { candidate: 0 };
    let mut e = election_with(MemoryStore::new(), 4, 11, kind);
    let mut booth = booth_of(&e);
    let round = &booth.summary()["round"];
    assert_eq!(round["kind"], "yes_no");
    assert_eq!(round["options"], serde_json::json!(["yes", "no"]));
    assert_eq!(round["question"], "Yes or no on Amy E. Pope, or abstain");
    booth.load_credential(&code_of(&e, 0)).unwrap();
    booth.encrypt(Some(1)).unwrap();
    assert_eq!(booth.challenge().unwrap()["chosen"], serde_json::json!([1]));
    let challenged = ChallengedBallot::from_bytes(&booth.challenged_bytes().unwrap()).unwrap();
    let code = to_hex(&e.board.challenge(&challenged).unwrap().0);
    read_all(&mut booth, &e);
    booth.confirm_challenge(&code).unwrap();
    booth.encrypt(Some(0)).unwrap();
    let code = post_ballot(&mut e, &booth.cast().unwrap());
    read_all(&mut booth, &e);
    assert_eq!(booth.confirm(&code).unwrap()["index"], 1);
}
