//! The booth in a real browser against the real board server: Debian's headless Chromium,
//! driven by `booth/tests/browser/booth.mjs` (npm's playwright-core through the browser's
//! executable path; no browser is downloaded), the server of `tabella-server` on loopback over
//! a SQLite board, and this harness holding the election and the server.
//!
//! The voters: one casts and the board shows its code; one challenges, sees the opening
//! verify, then casts; a second ballot of one credential is refused in the page with its
//! reason; the server stops before a cast (a clear error; Cast again once it is back casts
//! once); an answer lost after the server took the ballot (Cast again: the same code, one
//! ballot); bad input. Then the harness closes the round and the trustees decrypt it: the
//! totals are the votes the browser was asked to cast, and every code is on the board once.
//!
//! Without a browser (a fresh machine) the test says it was skipped and how to run it; with
//! `TABELLA_BROWSER_TESTS=required` (CI) a missing piece is a failure.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::SystemTime;

use tabella::ballot::{BallotId, EncryptedBallot, Selection};
use tabella::election::{BoardElection, RoundEnd};
use tabella::encoding::to_hex;
use tabella_board_sqlite::SqliteStore;
use tabella_server::{Config, open_board, serve};
use tokio::runtime::Runtime;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

const HOW: &str = "to run them: `bash booth/tests/browser/setup.sh` (Debian's chromium, npm's \
                   playwright-core, the wasm32 target, wasm-bindgen-cli, then booth/build.sh), \
                   then `cargo test -p tabella-booth --test browser`";

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The newest modification time of the files under `dir`.
fn newest(dir: &Path) -> Option<SystemTime> {
    let mut latest = None;
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        let time = if path.is_dir() {
            newest(&path)
        } else {
            entry.metadata().ok().and_then(|m| m.modified().ok())
        };
        latest = latest.max(time);
    }
    latest
}

fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

/// What the browser tests need, or what is missing.
struct Prerequisites {
    chromium: PathBuf,
    node: PathBuf,
}

fn prerequisites() -> Result<Prerequisites, Vec<String>> {
    let mut missing = Vec::new();
    let chromium = std::env::var_os("TABELLA_CHROMIUM")
        .map(PathBuf::from)
        .or_else(|| which("chromium"));
    if chromium.is_none() {
        missing.push("Debian's chromium (apt-get install chromium)".to_string());
    }
    let node = which("node");
    if node.is_none() {
        missing.push("node".to_string());
    }
    let dir = crate_dir();
    if !dir
        .join("tests/browser/node_modules/playwright-core/package.json")
        .is_file()
    {
        missing.push("playwright-core (npm ci in booth/tests/browser)".to_string());
    }
    let wasm = dir.join("www/pkg/tabella_booth_bg.wasm");
    match std::fs::metadata(&wasm).and_then(|m| m.modified()) {
        Err(_) => missing.push("the booth's module (booth/build.sh)".to_string()),
        Ok(built) => {
            let sources = [dir.join("src"), dir.join("../src")];
            if sources.iter().filter_map(|s| newest(s)).any(|t| t > built) {
                missing.push(
                    "a fresh booth module: booth/www/pkg is older than the sources \
                     (booth/build.sh)"
                        .to_string(),
                );
            }
        }
    }
    match (chromium, node) {
        (Some(chromium), Some(node)) if missing.is_empty() => Ok(Prerequisites { chromium, node }),
        _ => Err(missing),
    }
}

/// The server, in this process, on a fixed address (so that it comes back where the page
/// looks for it).
struct Server {
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

fn start(runtime: &Runtime, config: &Config, addr: SocketAddr) -> (Server, SocketAddr) {
    let config = config.clone();
    runtime.block_on(async move {
        let board = open_board(&config).unwrap();
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            serve(listener, board, &config, async {
                let _ = stopped.await;
            })
            .await
        });
        (Server { stop, task }, addr)
    })
}

fn stop(runtime: &Runtime, server: Server) {
    let _ = server.stop.send(());
    runtime.block_on(server.task).unwrap().unwrap();
}

#[test]
fn the_booth_in_a_real_browser() {
    let needs = match prerequisites() {
        Ok(needs) => needs,
        Err(missing) => {
            let message = format!(
                "browser tests skipped: missing {}; {HOW}",
                missing.join(", ")
            );
            if std::env::var("TABELLA_BROWSER_TESTS").as_deref() == Ok("required") {
                panic!("TABELLA_BROWSER_TESTS=required, but {message}");
            }
            // Straight to the process's standard error, past the test harness's capture, so
            // that a plain `cargo test` shows it.
            let _ = writeln!(std::io::stderr(), "\n{message}\n");
            return;
        }
    };

    // The election, on a SQLite board the server then serves.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("council.db");
    // The council's size: 171 members; 160 of them have voted (for Vitorino) before the
    // browser's voters come, so the page reads and checks a council-sized round.
    let members = 171;
    let earlier = 160;
    let mut election = support::election(SqliteStore::open(&path).unwrap(), members, 15);
    let ballots: Vec<EncryptedBallot> = (0..earlier)
        .map(|m| {
            let e = &mut election;
            let ctx = e.board.round_context().unwrap();
            let ctx = ctx.ballot_context();
            let selection = Selection::new(ctx.contest, &[1]).unwrap();
            let id = BallotId::random(&mut e.rng);
            let credential = &e.credentials[members - 1 - m];
            EncryptedBallot::encrypt(&ctx, &selection, id, Some(credential), &mut e.rng)
                .unwrap()
                .0
        })
        .collect();
    for code in election.board.cast_batch(ballots) {
        code.unwrap();
    }
    let codes: Vec<String> = election
        .credentials
        .iter()
        .map(|c| c.to_code().to_string())
        .collect();
    let before = election.board.len();
    let earlier_codes: Vec<String> = election
        .board
        .replay()
        .open_round()
        .unwrap()
        .ballot_box()
        .codes()
        .iter()
        .map(|c| to_hex(&c.0))
        .collect();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut config = Config::new(&path);
    config.static_dir = Some(crate_dir().join("www"));
    config.rate = 0.0;
    let (server, addr) = start(&runtime, &config, "127.0.0.1:0".parse().unwrap());
    let mut server = Some(server);

    let screenshot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("booth");
    let mut child = Command::new(&needs.node)
        .arg(crate_dir().join("tests/browser/booth.mjs"))
        .current_dir(crate_dir().join("tests/browser"))
        .env("BOOTH_URL", format!("http://{addr}/"))
        .env("BOOTH_CREDENTIALS", serde_json::to_string(&codes).unwrap())
        .env("CHROMIUM", &needs.chromium)
        .env("BOOTH_SCREENSHOT", &screenshot)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut to_child = child.stdin.take().unwrap();
    let from_child = BufReader::new(child.stdout.take().unwrap());
    let mut result = None;
    for line in from_child.lines() {
        let line = line.unwrap();
        match line.as_str() {
            "CONTROL stop" => {
                stop(&runtime, server.take().expect("the server runs"));
                writeln!(to_child, "ok").unwrap();
            }
            "CONTROL start" => {
                server = Some(start(&runtime, &config, addr).0);
                writeln!(to_child, "ok").unwrap();
            }
            other => match other.strip_prefix("RESULT ") {
                Some(json) => {
                    result = Some(serde_json::from_str::<serde_json::Value>(json).unwrap())
                }
                None => println!("booth.mjs: {other}"),
            },
        }
    }
    let status = child.wait().unwrap();
    if let Some(server) = server.take() {
        stop(&runtime, server);
    }
    assert!(status.success(), "the browser script failed: {status}");
    let result = result.expect("the browser script reported its result");

    // The board, replayed from the file with every check: what the browser did, once each.
    let board = BoardElection::open(SqliteStore::open(&path).unwrap()).unwrap();
    let open = board.replay().open_round().expect("round 1 is still open");
    let ballot_box = open.ballot_box();
    let cast: Vec<String> = ballot_box
        .codes()
        .iter()
        .zip(ballot_box.entries())
        .filter(|(_, e)| e.kind() == tabella::board::BoxEntryKind::Cast)
        .map(|(c, _)| to_hex(&c.0))
        .collect();
    let challenged = ballot_box.entries().len() - cast.len();
    let mut reported: Vec<String> = result["cast"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    reported.sort();
    let mut on_board = cast.clone();
    on_board.sort();
    on_board.retain(|c| !earlier_codes.contains(c));
    assert_eq!(on_board, reported, "every cast code on the board, once");
    assert_eq!(challenged, 1, "one challenged ballot");
    assert_eq!(
        board.len(),
        before + 5,
        "four cast ballots and a challenge, nothing else"
    );

    // Decrypt: the totals are what the voters chose in the page (Pope, Pope after the
    // challenge, Vitorino, Pope; the refused second ballot is not there), and the 160 earlier
    // ballots for Vitorino.
    election.board = board;
    let e = &mut election;
    let close = e
        .admin
        .close_round(e.board.replay(), e.board.head(), &mut e.rng)
        .unwrap();
    e.board.post(close).unwrap();
    for t in 0..2 {
        let partial = e.trustees[t]
            .decrypt(e.board.replay(), e.board.head(), &mut e.rng)
            .unwrap();
        e.board.post(partial).unwrap();
    }
    let decided = e
        .admin
        .result(e.board.replay(), e.board.head(), &mut e.rng)
        .unwrap();
    e.board.post(decided).unwrap();
    match &e.board.replay().history().last().unwrap().end {
        RoundEnd::Decided(d) => {
            assert_eq!(d.outcome.totals.slots(), vec![3, 1 + earlier as u64, 0])
        }
        other => panic!("{other:?}"),
    }

    let wasm = std::fs::metadata(crate_dir().join("www/pkg/tabella_booth_bg.wasm"))
        .unwrap()
        .len();
    let figures = serde_json::json!({
        "wasm_bytes": wasm,
        "encrypt_ms_median": result["encryptMedianMs"],
        "encrypt_ms": result["encryptMs"],
        "page_ready_ms": result["readyMs"],
        "screenshot": screenshot,
        "refusal": result["refusal"],
        "unreachable": result["unreachable"],
    });
    let _ = writeln!(std::io::stderr(), "\nbooth figures: {figures}\n");
}
