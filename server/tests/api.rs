//! The server's endpoints, each through a real server and a real HTTP client.

mod support;

use rand_core::OsRng;
use std::time::Duration;
use support::{Election, Running, get, post, request, unlimited};
use tabella::ballot::{BallotId, ChallengedBallot, EncryptedBallot, Selection};
use tabella::board::{Entry, EntryKind};
use tabella::election::Administrator;
use tabella::election::event::{Keys, RoundOpening};
use tabella::encoding::from_hex;
use tabella_server::{BALLOT_LIMIT, Config};

fn hex_field(v: &serde_json::Value, field: &str) -> Vec<u8> {
    from_hex("field", v[field].as_str().unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ballots_codes_and_refusals() {
    let election = Election::new(4);
    let ballots = election.ballots(0, 2);
    let server = Running::start(unlimited(&election)).await;
    let addr = server.addr;

    let state = get(addr, "/api/state").await.json();
    assert_eq!(state["title"], "server test");
    assert_eq!(state["roll"], 4);
    assert_eq!(state["keys"], true);
    assert_eq!(state["open_round"]["number"], 1);
    assert_eq!(
        state["open_round"]["candidates"],
        serde_json::json!(["Pope", "Vitorino"])
    );
    let before = state["entries"].as_u64().unwrap();

    // The round's context, as a device rebuilds it.
    let round = get(addr, "/api/round").await.json();
    let opening = RoundOpening::from_bytes(&hex_field(&round, "opening")).unwrap();
    assert_eq!(opening.round, 1);
    let keys = Keys::from_bytes(&hex_field(&round, "keys")).unwrap();
    assert_eq!(
        tabella::encoding::to_hex(&keys.fingerprint),
        state["fingerprint"]
    );

    // A ballot is acknowledged with its code, and the short form finds it.
    let answer = post(addr, "/api/ballot", &ballots[0]).await;
    assert_eq!(answer.status, 200, "{:?}", answer.json());
    let ack = answer.json();
    let short = ack["short"].as_str().unwrap().to_string();
    let found = get(addr, &format!("/api/code/{short}")).await;
    assert_eq!(found.status, 200);
    let found = found.json();
    assert_eq!(found["code"], ack["code"]);
    assert_eq!(found["kind"], "cast");
    assert_eq!(found["round"], 1);
    assert_eq!(found["entry"], before);
    let full = get(
        addr,
        &format!("/api/code/{}", ack["code"].as_str().unwrap()),
    )
    .await;
    assert_eq!(full.json()["short"], short.as_str());
    assert_eq!(get(addr, "/api/code/0000-0000-0000-0000").await.status, 404);
    assert_eq!(get(addr, "/api/code/not-a-code").await.status, 400);

    assert_eq!(ack["already"], false);

    // Another ballot of the same credential: refused by check 7, nothing appended.
    let other = election.ballots(0, 1);
    let again = post(addr, "/api/ballot", &other[0]).await;
    assert_eq!(again.status, 409);
    assert_eq!(again.json()["check"], 7, "{:?}", again.json());
    assert_eq!(again.json()["error"], "refused");

    // Garbage: 422, nothing appended.
    let garbage = post(addr, "/api/ballot", b"not a ballot at all").await;
    assert_eq!(garbage.status, 422);
    assert_eq!(garbage.json()["error"], "invalid");
    let mut tampered = ballots[1].clone();
    let last = tampered.len() - 40;
    tampered[last] ^= 1;
    let tampered = post(addr, "/api/ballot", &tampered).await;
    assert_eq!(tampered.status, 422, "{:?}", tampered.json());
    // Too large: 413.
    let huge = vec![0u8; BALLOT_LIMIT + 1];
    let huge = post(addr, "/api/ballot", &huge).await;
    assert_eq!(huge.status, 413);
    assert_eq!(huge.json()["error"], "too_large");
    let head = get(addr, "/api/head").await.json();
    assert_eq!(head["entries"], before + 1);

    // The entries, the record and the roll.
    let range = get(addr, &format!("/api/entries?from={before}"))
        .await
        .json();
    assert_eq!(range["entries"].as_array().unwrap().len(), 1);
    assert_eq!(range["entries"][0]["kind"], "ballot");
    assert_eq!(range["entries"][0]["author"], "voter");
    assert_eq!(range["entries"][0]["head"], head["head"]);
    // A range past the end is cut at the end; a range backwards is refused.
    let all = get(addr, "/api/entries?from=0&to=2000").await.json();
    assert_eq!(all["to"], before + 1);
    assert_eq!(all["entries"].as_array().unwrap().len() as u64, before + 1);
    assert_eq!(get(addr, "/api/entries?from=5&to=2").await.status, 400);
    assert_eq!(get(addr, "/api/entries?from=x").await.status, 400);
    let record: tabella::record::BoardRecord =
        serde_json::from_slice(&get(addr, "/api/record").await.body).unwrap();
    assert_eq!(record.entries().len() as u64, before + 1);
    assert_eq!(tabella::encoding::to_hex(&record.head().0), head["head"]);
    let roll = get(addr, "/api/roll").await;
    assert_eq!(roll.content_type, "application/octet-stream");
    assert_eq!(
        roll.body,
        election.read_board().replay().roll().unwrap().to_bytes()
    );
    let manifest = get(addr, "/api/manifest").await.json();
    assert_eq!(manifest["title"], "server test");
    assert_eq!(get(addr, "/").await.status, 200);
    assert_eq!(get(addr, "/api/nothing").await.status, 404);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_entries() {
    let election = Election::new(3);
    let ballots = election.ballots(0, 1);
    let server = Running::start(unlimited(&election)).await;
    let addr = server.addr;
    let rng = &mut OsRng;

    // A voter's entry is refused at /api/entry, even a valid ballot's.
    let voter = Entry::voter(EntryKind::Ballot, ballots[0].clone()).unwrap();
    let answer = post(addr, "/api/entry", &voter.to_bytes()).await;
    assert_eq!(answer.status, 422);
    assert_eq!(answer.json()["error"], "voter_entry");
    assert_eq!(post(addr, "/api/entry", b"junk").await.status, 422);

    // A close signed with another key: check 2.
    let board = election.read_board();
    let intruder = Administrator::generate(rng);
    let forged = intruder
        .close_round(board.replay(), board.head(), rng)
        .unwrap();
    let answer = post(addr, "/api/entry", &forged.to_bytes()).await;
    assert_eq!(answer.status, 409);
    assert_eq!(answer.json()["check"], 2, "{:?}", answer.json());

    // The administrator's close is accepted; then a ballot is refused (no round is open).
    let close = election
        .admin
        .close_round(board.replay(), board.head(), rng)
        .unwrap();
    drop(board);
    let answer = post(addr, "/api/entry", &close.to_bytes()).await;
    assert_eq!(answer.status, 200, "{:?}", answer.json());
    assert_eq!(answer.json()["kind"], "round_close");
    // Posted twice: refused.
    assert_eq!(
        post(addr, "/api/entry", &close.to_bytes()).await.status,
        409
    );
    let state = get(addr, "/api/state").await.json();
    assert!(state["open_round"].is_null());
    assert_eq!(state["closed_round"]["number"], 1);
    assert_eq!(get(addr, "/api/round").await.status, 404);
    let late = post(addr, "/api/ballot", &ballots[0]).await;
    assert_eq!(late.status, 409);
    assert_eq!(late.json()["check"], 6, "{:?}", late.json());
    server.stop().await;
    assert_eq!(
        election
            .read_board()
            .replay()
            .closed_round()
            .unwrap()
            .0
            .number(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limit_answers_429_then_recovers() {
    let election = Election::new(2);
    let mut config = Config::new(&election.path);
    config.rate = 4.0;
    config.burst = 3.0;
    let server = Running::start(config).await;
    let addr = server.addr;
    for _ in 0..3 {
        assert_eq!(get(addr, "/api/head").await.status, 200);
    }
    let refused = get(addr, "/api/head").await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.json()["error"], "rate_limited");
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(get(addr, "/api/head").await.status, 200);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_request_times_out() {
    let election = Election::new(2);
    let mut config = unlimited(&election);
    config.timeout = Duration::from_millis(300);
    let server = Running::start(config).await;
    let addr = server.addr;
    // A body announced and never sent.
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream
        .write_all(b"POST /api/ballot HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc")
        .await
        .unwrap();
    // The answer's head (the connection may stay open: the body was never read).
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
        let got = stream.read(&mut buf).await.unwrap();
        assert!(got > 0, "the server closed without answering");
        answer.extend_from_slice(&buf[..got]);
    }
    assert!(
        answer.starts_with(b"HTTP/1.1 408"),
        "{:?}",
        String::from_utf8_lossy(&answer)
    );
    // The server still answers.
    assert_eq!(
        request(addr, "GET", "/api/head", b"").await.unwrap().status,
        200
    );
    server.stop().await;
}

/// A challenged ballot of credential `m` for the open round, in its bytes.
fn challenged_ballot(election: &Election, m: usize) -> Vec<u8> {
    let board = election.read_board();
    let round = board.round_context().unwrap();
    let ctx = round.ballot_context();
    let selection = Selection::new(ctx.contest, &[1]).unwrap();
    let id = BallotId::random(&mut OsRng);
    let credential = &election.credentials[m];
    let (ballot, nonces) =
        EncryptedBallot::encrypt(&ctx, &selection, id, Some(credential), &mut OsRng).unwrap();
    ChallengedBallot::open(ballot, selection, nonces).to_bytes()
}

async fn entries(addr: std::net::SocketAddr) -> u64 {
    get(addr, "/api/head").await.json()["entries"]
        .as_u64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ballot_posted_again_gets_the_same_code_and_is_appended_once() {
    let election = Election::new(4);
    let ballots = election.ballots(0, 2);
    let challenged = challenged_ballot(&election, 3);
    let server = Running::start(unlimited(&election)).await;
    let addr = server.addr;
    let before = entries(addr).await;

    // The answer was lost; the booth posts the same bytes again.
    let first = post(addr, "/api/ballot", &ballots[0]).await;
    assert_eq!(first.status, 200, "{:?}", first.json());
    let first = first.json();
    assert_eq!(first["already"], false);
    let again = post(addr, "/api/ballot", &ballots[0]).await;
    assert_eq!(again.status, 200, "{:?}", again.json());
    let again = again.json();
    assert_eq!(
        (&again["code"], &again["short"]),
        (&first["code"], &first["short"])
    );
    assert_eq!(again["already"], true);
    assert_eq!(entries(addr).await, before + 1);

    // Eight identical posts at once: one entry, one code for all.
    let posts: Vec<_> = (0..8)
        .map(|_| {
            let bytes = ballots[1].clone();
            tokio::spawn(async move { post(addr, "/api/ballot", &bytes).await })
        })
        .collect();
    let mut acks = Vec::new();
    for p in posts {
        let answer = p.await.unwrap();
        assert_eq!(answer.status, 200, "{:?}", answer.json());
        acks.push(answer.json());
    }
    assert!(
        acks.iter().all(|a| a["code"] == acks[0]["code"]),
        "{acks:?}"
    );
    assert_eq!(
        acks.iter().filter(|a| a["already"] == false).count(),
        1,
        "{acks:?}"
    );
    assert_eq!(entries(addr).await, before + 2);
    let found = get(
        addr,
        &format!("/api/code/{}", acks[0]["short"].as_str().unwrap()),
    )
    .await;
    assert_eq!(found.json()["entry"], before + 1);

    // A challenged ballot posted again: its code again, nothing appended.
    let first = post(addr, "/api/challenged", &challenged).await;
    assert_eq!(first.status, 200, "{:?}", first.json());
    let again = post(addr, "/api/challenged", &challenged).await;
    assert_eq!(again.status, 200, "{:?}", again.json());
    assert_eq!(again.json()["code"], first.json()["code"]);
    assert_eq!(
        (
            first.json()["already"].clone(),
            again.json()["already"].clone()
        ),
        (false.into(), true.into())
    );
    assert_eq!(entries(addr).await, before + 3);

    // The board holds each ballot once, and its record verifies.
    server.stop().await;
    let board = election.read_board();
    assert_eq!(board.replay().open_round().unwrap().ballot_box().len(), 2);
    let report = tabella::verify::verify_record(&board.record().unwrap());
    assert!(report.is_ok(), "{:?}", report.failure);
}

/// The store fails for real while the server runs: another connection holds the board file's
/// write lock (`BEGIN EXCLUSIVE`) past the store's busy timeout (10 s), so the append of a
/// ballot fails with `SQLITE_BUSY`, which the store reports as a storage error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_failure_answers_503_until_a_restart_and_leaves_no_partial_ballot() {
    let election = Election::new(3);
    let ballots = election.ballots(0, 2);
    let server = Running::start(unlimited(&election)).await;
    let addr = server.addr;
    assert_eq!(post(addr, "/api/ballot", &ballots[0]).await.status, 200);
    let before = entries(addr).await;

    let lock = rusqlite::Connection::open(&election.path).unwrap();
    lock.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let failed = post(addr, "/api/ballot", &ballots[1]).await;
    assert_eq!(failed.status, 503, "{:?}", failed.json());
    assert_eq!(failed.json()["error"], "storage", "{:?}", failed.json());
    assert!(
        failed.json()["message"]
            .as_str()
            .unwrap()
            .contains("restart"),
        "{:?}",
        failed.json()
    );
    lock.execute_batch("ROLLBACK").unwrap();
    drop(lock);

    // The server keeps answering, every request with 503 naming the restart, even once the
    // file is free again.
    for (method, path, body) in [
        ("GET", "/api/head", &[][..]),
        ("GET", "/api/state", &[][..]),
        ("POST", "/api/ballot", &ballots[1][..]),
    ] {
        let answer = request(addr, method, path, body).await.unwrap();
        assert_eq!(answer.status, 503, "{path}: {:?}", answer.json());
        let body = answer.json();
        assert_eq!(body["error"], "unavailable", "{path}: {body:?}");
        assert!(
            body["message"].as_str().unwrap().contains("restarted"),
            "{path}: {body:?}"
        );
    }
    server.stop().await;

    // Restarted, the board opens: the failed ballot is not on it, and it casts now.
    let board = election.read_board();
    assert_eq!(board.len(), before);
    let round = board.replay().open_round().unwrap();
    assert_eq!(round.ballot_box().len(), 1);
    let failed = tabella::ballot::EncryptedBallot::from_bytes(&ballots[1]).unwrap();
    assert_eq!(board.already_cast(&failed), None);
    drop(board);
    let server = Running::start(unlimited(&election)).await;
    let addr = server.addr;
    assert_eq!(entries(addr).await, before);
    let answer = post(addr, "/api/ballot", &ballots[1]).await;
    assert_eq!(answer.status, 200, "{:?}", answer.json());
    assert_eq!(answer.json()["already"], false);
    assert_eq!(entries(addr).await, before + 1);
    server.stop().await;
    let report = tabella::verify::verify_record(&election.read_board().record().unwrap());
    assert!(report.is_ok(), "{:?}", report.failure);
}
