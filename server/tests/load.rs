//! The server under load, and restarted under load: every acknowledged ballot is on the board
//! exactly once.
//!
//! The size is `TABELLA_SERVER_LOAD` ballots (default 2,000):
//! `TABELLA_SERVER_LOAD=10000 cargo test -p tabella-server --release -- --nocapture load`.

mod support;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use support::{Election, Running, get, request, unlimited};

/// Concurrent clients.
const CLIENTS: usize = 16;

fn load_size() -> usize {
    std::env::var("TABELLA_SERVER_LOAD")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

/// A request the load sends: a valid ballot (its index) or a malformed body.
enum Work {
    Valid(usize, Vec<u8>),
    Malformed(Vec<u8>),
}

/// Malformed request `i`: junk, a ballot cut short, a ballot with a byte changed, nothing.
fn malformed(i: usize, sample: &[u8]) -> Vec<u8> {
    match i % 4 {
        0 => (0..200).map(|j| (i * 31 + j) as u8).collect(),
        1 => sample[..sample.len() / 2].to_vec(),
        2 => {
            let mut b = sample.to_vec();
            let at = b.len() - 1 - (i % 64);
            b[at] ^= 0x55;
            b
        }
        _ => Vec::new(),
    }
}

/// The codes in the board's open round's box.
fn box_codes(election: &Election) -> Vec<String> {
    let board = election.read_board();
    board
        .replay()
        .open_round()
        .unwrap()
        .ballot_box()
        .codes()
        .iter()
        .map(|c| tabella::encoding::to_hex(&c.0))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load() {
    let n = load_size();
    let election = Election::new(n);
    let t = Instant::now();
    let ballots = election.ballots(0, n);
    eprintln!("load: {n} ballots made in {:.1?}", t.elapsed());
    let mut work = Vec::new();
    for (i, b) in ballots.iter().enumerate() {
        work.push(Work::Valid(i, b.clone()));
        if i % 10 == 9 {
            work.push(Work::Malformed(malformed(i / 10, &ballots[0])));
        }
    }
    let malformed_count = work
        .iter()
        .filter(|w| matches!(w, Work::Malformed(_)))
        .count();
    let server = Running::start(unlimited(&election)).await;
    let addr = server.addr;
    let queue = Arc::new(Mutex::new(work.into_iter().rev().collect::<Vec<_>>()));
    let acks = Arc::new(Mutex::new(Vec::new()));
    let start = Instant::now();
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let queue = Arc::clone(&queue);
        let acks = Arc::clone(&acks);
        clients.push(tokio::spawn(async move {
            let mut refused = 0usize;
            loop {
                let next = queue.lock().unwrap().pop();
                let Some(item) = next else { break };
                match item {
                    Work::Valid(i, bytes) => {
                        let a = request(addr, "POST", "/api/ballot", &bytes).await.unwrap();
                        assert_eq!(a.status, 200, "ballot {i}: {:?}", a.json());
                        let code = a.json()["code"].as_str().unwrap().to_string();
                        acks.lock().unwrap().push((i, code));
                    }
                    Work::Malformed(bytes) => {
                        let a = request(addr, "POST", "/api/ballot", &bytes).await.unwrap();
                        assert_eq!(a.status, 422, "{:?}", a.json());
                        refused += 1;
                    }
                }
            }
            refused
        }));
    }
    let mut refused = 0;
    for c in clients {
        refused += c.await.unwrap();
    }
    let elapsed = start.elapsed();
    eprintln!(
        "load: {n} ballots and {malformed_count} malformed requests through {CLIENTS} clients \
         in {elapsed:.2?}: {:.0} ballots/s",
        n as f64 / elapsed.as_secs_f64()
    );
    assert_eq!(refused, malformed_count);
    let acks = acks.lock().unwrap().clone();
    assert_eq!(acks.len(), n);
    let acked: HashSet<&String> = acks.iter().map(|(_, c)| c).collect();
    assert_eq!(acked.len(), n, "a code acknowledged twice");
    // The server still answers, and says what the board holds.
    let state = get(addr, "/api/state").await.json();
    assert_eq!(state["open_round"]["ballots"], n);
    let (_, some) = &acks[acks.len() / 2];
    assert_eq!(get(addr, &format!("/api/code/{some}")).await.status, 200);
    server.stop().await;
    let on_board = box_codes(&election);
    assert_eq!(on_board.len(), n);
    assert_eq!(on_board.iter().collect::<HashSet<_>>(), acked);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_across_a_restart() {
    let n = (load_size() / 5).max(100);
    let election = Election::new(n);
    let ballots = Arc::new(election.ballots(0, n));
    let acks: Arc<Mutex<Vec<(usize, String)>>> = Arc::new(Mutex::new(Vec::new()));
    // Ballots that got no answer (the server went away under them), to send again.
    let unanswered = Arc::new(Mutex::new(Vec::new()));
    let queue = Arc::new(Mutex::new((0..n).rev().collect::<Vec<_>>()));

    let first = Running::start(unlimited(&election)).await;
    let addr = first.addr;
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let (queue, acks, unanswered, ballots) = (
            Arc::clone(&queue),
            Arc::clone(&acks),
            Arc::clone(&unanswered),
            Arc::clone(&ballots),
        );
        clients.push(tokio::spawn(async move {
            loop {
                let next = queue.lock().unwrap().pop();
                let Some(i) = next else { break };
                match request(addr, "POST", "/api/ballot", &ballots[i]).await {
                    Ok(a) if a.status == 200 => {
                        let code = a.json()["code"].as_str().unwrap().to_string();
                        acks.lock().unwrap().push((i, code));
                    }
                    Ok(a) if a.status == 503 => unanswered.lock().unwrap().push(i),
                    Ok(a) => panic!("ballot {i}: {} {:?}", a.status, a.json()),
                    Err(_) => unanswered.lock().unwrap().push(i),
                }
            }
        }));
    }
    // Stop the server mid-way, with ballots in flight.
    while acks.lock().unwrap().len() < n / 2 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    first.stop().await;
    for c in clients {
        c.await.unwrap();
    }
    let acked_first = acks.lock().unwrap().len();
    let unanswered: Vec<usize> = unanswered.lock().unwrap().clone();
    assert!(
        acked_first >= n / 2 && acked_first < n,
        "{acked_first} of {n}"
    );
    assert_eq!(acked_first + unanswered.len(), n);

    // Restarted on the same file: what it acknowledged is there; the rest is sent again, and
    // a ballot that was committed without its answer is refused as a second one (check 7).
    let second = Running::start(unlimited(&election)).await;
    let state = get(second.addr, "/api/state").await.json();
    let held = state["open_round"]["ballots"].as_u64().unwrap() as usize;
    assert!(held >= acked_first, "{held} < {acked_first}");
    let mut again = 0;
    for i in unanswered {
        let a = request(second.addr, "POST", "/api/ballot", &ballots[i])
            .await
            .unwrap();
        match a.status {
            200 => acks
                .lock()
                .unwrap()
                .push((i, a.json()["code"].as_str().unwrap().to_string())),
            409 => {
                assert_eq!(a.json()["check"], 7, "{:?}", a.json());
                again += 1;
            }
            s => panic!("ballot {i}: {s} {:?}", a.json()),
        }
    }
    second.stop().await;
    eprintln!(
        "restart: {acked_first} of {n} acknowledged before the restart, {again} committed \
         without an answer"
    );
    let acks = acks.lock().unwrap().clone();
    let on_board = box_codes(&election);
    assert_eq!(on_board.len(), n, "every ballot on the board once");
    let on_board: HashSet<String> = on_board.into_iter().collect();
    assert_eq!(on_board.len(), n, "no ballot twice");
    assert_eq!(acks.len() + again, n);
    for (i, code) in &acks {
        assert!(on_board.contains(code), "acknowledged ballot {i} lost");
    }
}
