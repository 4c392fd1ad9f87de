//! The board server of one tabella election: its durable board (a SQLite file) over HTTP.
//!
//! Public reads (the manifest, the state, the open round's context, the roll, ranges of
//! entries, the head, a confirmation code, the whole record) and the writes: voters' ballots
//! and challenged ballots, and the authorities' signed entries. Every write is checked by the
//! board's replay before it is appended, and acknowledged only once the store has committed
//! it. Ballots are verified outside the board's lock (on all cores) and appended in groups
//! (one commit for all the ballots waiting). See the crate's README for the endpoints, the
//! statuses and the limits.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod board;
pub mod error;
pub mod limit;

use std::collections::HashSet;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};
use tabella::ballot::{ChallengedBallot, EncryptedBallot, VerifiedBallot};
use tabella::board::entry::Role;
use tabella::board::{CodeQuery, ConfirmationCode, Entry, Store};
use tabella::election::{BoardElection, RoundEnd, RoundKind};
use tabella::encoding::to_hex;
use tabella::record::EntryJson;
use tabella_board_sqlite::SqliteStore;
use tokio::sync::{Mutex, mpsc, oneshot};

use crate::board::Board;
use crate::error::ApiError;
use crate::limit::RateLimiter;

/// The largest ballot or challenged ballot body.
pub const BALLOT_LIMIT: usize = 1 << 20;
/// The largest signed entry body (a roll can be 2 MiB).
pub const ENTRY_LIMIT: usize = 4 << 20;
/// The most entries one `/api/entries` request returns.
pub const ENTRIES_PER_REQUEST: u64 = 1000;
/// The most ballots appended in one commit.
const GROUP: usize = 512;

/// How the server runs.
#[derive(Clone, Debug)]
pub struct Config {
    /// The board file (it must exist: the administrator creates it).
    pub board: PathBuf,
    /// The booth's files, served at `/`.
    pub static_dir: Option<PathBuf>,
    /// Requests a second per client address (0: no limit).
    pub rate: f64,
    /// Requests at once per client address.
    pub burst: f64,
    /// The longest a request may take.
    pub timeout: Duration,
}

impl Config {
    /// The defaults for `board`: 20 requests a second per address, 40 at once, 30 s.
    pub fn new(board: impl Into<PathBuf>) -> Self {
        Config {
            board: board.into(),
            static_dir: None,
            rate: 20.0,
            burst: 40.0,
            timeout: Duration::from_secs(30),
        }
    }
}

/// A ballot's acknowledgement: its confirmation code, and whether it was already on the board
/// (a retry of a ballot acknowledged before, or of one appended for another request).
type Ack = (ConfirmationCode, bool);

/// A ballot verified for the open round, waiting for the writer, and where to answer.
struct Job {
    ballot: VerifiedBallot,
    reply: oneshot::Sender<Result<Ack, ApiError>>,
}

/// What every handler shares.
#[derive(Clone)]
struct App {
    core: Core,
    ballots: mpsc::Sender<Job>,
}

impl std::ops::Deref for App {
    type Target = Core;

    fn deref(&self) -> &Core {
        &self.core
    }
}

/// The board, shared by the handlers and the writer.
#[derive(Clone)]
struct Core {
    board: Arc<Mutex<Board>>,
    /// Set when the store failed: every request is then refused until a restart.
    unusable: Arc<AtomicBool>,
}

impl Core {
    /// Runs `f` on the board, on a blocking thread (the store does disk I/O), holding the
    /// lock; a store failure marks the board unusable.
    async fn with_board<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Board) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        if self.unusable.load(Ordering::SeqCst) {
            return Err(unusable());
        }
        let board = Arc::clone(&self.board);
        let flag = Arc::clone(&self.unusable);
        tokio::task::spawn_blocking(move || {
            let mut board = board.blocking_lock();
            if flag.load(Ordering::SeqCst) {
                return Err(unusable());
            }
            let result = f(&mut board);
            if result.as_ref().is_err_and(ApiError::is_storage) {
                flag.store(true, Ordering::SeqCst);
            }
            result
        })
        .await
        .map_err(|_| ApiError::unavailable("the board's worker stopped"))?
    }
}

fn unusable() -> ApiError {
    ApiError::unavailable("the board's store failed: the server must be restarted")
}

/// Opens the board of `config` (replaying and checking every entry).
///
/// Errors: [`tabella::Error::Storage`] when the file does not exist or is not a board; the
/// errors of [`BoardElection::open`].
pub fn open_board(config: &Config) -> tabella::Result<Board> {
    if !config.board.exists() {
        return Err(tabella::Error::Storage {
            what: "board file",
            detail: format!("no board at {}", config.board.display()),
        });
    }
    Board::new(BoardElection::open(SqliteStore::open(&config.board)?)?)
}

/// Serves `board` on `listener` until `shutdown` completes, then waits for the requests in
/// flight and the writer to finish, so that the board file is closed when this returns.
pub async fn serve(
    listener: tokio::net::TcpListener,
    board: Board,
    config: &Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (sender, receiver) = mpsc::channel(4 * GROUP);
    let core = Core {
        board: Arc::new(Mutex::new(board)),
        unusable: Arc::new(AtomicBool::new(false)),
    };
    let writer = tokio::spawn(writer(core.clone(), receiver));
    let app = App {
        core,
        ballots: sender,
    };
    let router = router(app, config);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    // The router (and with it every sender) is gone: the writer drains and stops.
    let _ = writer.await;
    Ok(())
}

/// The routes and their limits.
fn router(app: App, config: &Config) -> Router {
    let api = Router::new()
        .route("/api/manifest", get(manifest))
        .route("/api/state", get(state))
        .route("/api/round", get(round))
        .route("/api/roll", get(roll))
        .route("/api/entries", get(entries))
        .route("/api/head", get(head))
        .route("/api/code/{code}", get(code))
        .route("/api/record", get(record))
        .route(
            "/api/ballot",
            post(ballot).layer(DefaultBodyLimit::max(BALLOT_LIMIT)),
        )
        .route(
            "/api/challenged",
            post(challenged).layer(DefaultBodyLimit::max(BALLOT_LIMIT)),
        )
        .route(
            "/api/entry",
            post(entry).layer(DefaultBodyLimit::max(ENTRY_LIMIT)),
        )
        .fallback(|| async { ApiError::not_found("no such endpoint") });
    let api = match &config.static_dir {
        Some(dir) => api.fallback_service(tower_http::services::ServeDir::new(dir)),
        None => api.route("/", get(root)),
    };
    let mut router = api
        .with_state(app)
        .layer(axum::middleware::from_fn_with_state(
            config.timeout,
            limit::timeout,
        ));
    if config.rate > 0.0 {
        let limiter = Arc::new(RateLimiter::new(config.rate, config.burst));
        router = router.layer(axum::middleware::from_fn_with_state(
            limiter,
            limit::rate_limit,
        ));
    }
    router
}

/// Appends the verified ballots as they come, as many at once as are waiting (one commit). A
/// ballot byte-identical to one already cast in the open round, or to one earlier in the same
/// group, is acknowledged with that ballot's code and not appended again
/// ([`BoardElection::cast_verified`]).
async fn writer(core: Core, mut receiver: mpsc::Receiver<Job>) {
    while let Some(first) = receiver.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < GROUP {
            match receiver.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let (ballots, replies): (Vec<_>, Vec<_>) =
            jobs.into_iter().map(|j| (j.ballot, j.reply)).unzip();
        let results = core
            .with_board(move |b| {
                let before = b.election.len();
                // Which ballots are on the board already (one lookup each, by id).
                let known: Vec<bool> = ballots
                    .iter()
                    .map(|v| b.election.already_cast(v.ballot()).is_some())
                    .collect();
                let results = b
                    .election
                    .cast_verified(ballots.into_iter().map(Ok).collect());
                if let Some(Err(e @ tabella::Error::Storage { .. })) = results.first() {
                    return Err(ApiError::from_lib("appending ballots", e.clone()));
                }
                b.note_appended(before)
                    .map_err(|e| ApiError::from_lib("indexing ballots", e))?;
                // A code given earlier in this group is the same ballot, appended once.
                let mut given = HashSet::new();
                Ok(results
                    .into_iter()
                    .zip(known)
                    .map(|(r, known)| r.map(|code| (code, !given.insert(code) || known)))
                    .collect::<Vec<_>>())
            })
            .await;
        match results {
            Ok(results) => {
                for (result, reply) in results.into_iter().zip(replies) {
                    // A requester that gave up (timed out) is not told; its ballot stands.
                    let _ = reply.send(result.map_err(|e| ApiError::from_lib("ballot", e)));
                }
            }
            Err(e) => {
                for reply in replies {
                    let _ = reply.send(Err(e.clone()));
                }
            }
        }
    }
}

fn hex_of(bytes: &[u8]) -> String {
    to_hex(bytes)
}

async fn root(State(app): State<App>) -> Result<String, ApiError> {
    let title = app
        .with_board(|b| {
            Ok(b.election
                .replay()
                .manifest()
                .map(|m| m.title().to_string()))
        })
        .await?;
    Ok(format!(
        "tabella-server: the board of {}; its API is under /api (start with /api/state)\n",
        title
            .as_deref()
            .unwrap_or("an election with no manifest yet")
    ))
}

async fn manifest(State(app): State<App>) -> Result<Response, ApiError> {
    app.with_board(|b| {
        let m = b
            .election
            .replay()
            .manifest()
            .ok_or_else(|| ApiError::not_found("the board has no manifest yet"))?;
        Ok(Json(m).into_response())
    })
    .await
}

fn kind_name(kind: RoundKind) -> &'static str {
    match kind {
        RoundKind::ChooseOne => "choose_one",
        RoundKind::YesNo { .. } => "yes_no",
    }
}

async fn state(State(app): State<App>) -> Result<Json<Value>, ApiError> {
    app.with_board(|b| {
        let replay = b.election.replay();
        let names: Vec<String> = replay
            .manifest()
            .map(|m| m.candidates().to_vec())
            .unwrap_or_default();
        let name = |c: &usize| names.get(*c).cloned().unwrap_or_else(|| format!("#{c}"));
        let election = replay.election();
        let open = replay.open_round().map(|o| {
            let mut contest = Vec::new();
            o.contest().write(&mut contest);
            json!({
                "number": o.number(),
                "kind": kind_name(o.kind()),
                "candidates": o.candidates().iter().map(name).collect::<Vec<_>>(),
                "contest": hex_of(&contest),
                "ballots": o.ballot_box().len(),
            })
        });
        let closed = replay.closed_round().map(|(c, _, partials)| {
            json!({
                "number": c.number(),
                "candidates": c.candidates().iter().map(name).collect::<Vec<_>>(),
                "ballots": c.ballot_box().len(),
                "partial_decryptions": partials.len(),
            })
        });
        let rounds: Vec<Value> = replay
            .history()
            .iter()
            .map(|h| match &h.end {
                RoundEnd::Decided(d) => json!({
                    "number": h.number,
                    "candidates": d.round.candidates().iter().map(name).collect::<Vec<_>>(),
                    "totals": d.outcome.totals.slots(),
                    "decision": format!("{:?}", d.outcome.decision),
                }),
                RoundEnd::Acclaimed { candidate } => json!({
                    "number": h.number,
                    "acclaimed": name(candidate),
                }),
            })
            .collect();
        Ok(Json(json!({
            "title": replay.manifest().map(|m| m.title()),
            "candidates": names,
            "entries": b.election.len(),
            "head": hex_of(&b.election.head().0),
            "keys": election.is_some(),
            "fingerprint": election.map(|e| hex_of(e.context().fingerprint())),
            "joint_key": election.map(|e| hex_of(&e.key().to_bytes())),
            "roll": replay.roll().map(|r| r.len()),
            "open_round": open,
            "closed_round": closed,
            "rounds": rounds,
        })))
    })
    .await
}

async fn round(State(app): State<App>) -> Result<Json<Value>, ApiError> {
    app.with_board(|b| {
        let number = b.election.replay().open_round().map(|o| o.number());
        let (Some(number), Some((opening, keys))) = (number, b.round_bodies()) else {
            return Err(ApiError::not_found("no round is open"));
        };
        Ok(Json(json!({
            "round": number,
            "opening": hex_of(opening),
            "keys": hex_of(keys),
        })))
    })
    .await
}

async fn roll(State(app): State<App>) -> Result<Response, ApiError> {
    app.with_board(|b| {
        let roll = b
            .election
            .replay()
            .roll()
            .ok_or_else(|| ApiError::not_found("the board has no roll"))?;
        Ok((
            [(header::CONTENT_TYPE, "application/octet-stream")],
            roll.to_bytes(),
        )
            .into_response())
    })
    .await
}

/// A range of entries: `from` (default 0) to `to` (default `from` + 1000, at most the
/// board's length).
#[derive(Deserialize)]
struct Range {
    from: Option<u64>,
    to: Option<u64>,
}

async fn entries(
    State(app): State<App>,
    range: Result<Query<Range>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(range) = range.map_err(|e| ApiError::bad_request(e.body_text()))?;
    app.with_board(move |b| {
        let len = b.election.len();
        let from = range.from.unwrap_or(0);
        let to = range
            .to
            .unwrap_or_else(|| from.saturating_add(ENTRIES_PER_REQUEST))
            .min(len);
        if from > to && from > len {
            return Err(ApiError::bad_request(format!(
                "from {from} is past the board's {len} entries"
            )));
        }
        if from > to {
            return Err(ApiError::bad_request("from is after to"));
        }
        if to - from > ENTRIES_PER_REQUEST {
            return Err(ApiError::bad_request(format!(
                "at most {ENTRIES_PER_REQUEST} entries a request"
            )));
        }
        let stored = b
            .election
            .store()
            .read(from, to)
            .map_err(|e| ApiError::from_lib("reading the board", e))?;
        let mut out = Vec::with_capacity(stored.len());
        for s in stored {
            let entry =
                Entry::from_bytes(&s.bytes).map_err(|e| ApiError::from_lib("the board", e))?;
            out.push(EntryJson::of(&entry, &s.head));
        }
        Ok(Json(
            json!({ "from": from, "to": to, "total": len, "entries": out }),
        ))
    })
    .await
}

async fn head(State(app): State<App>) -> Result<Json<Value>, ApiError> {
    app.with_board(|b| {
        Ok(Json(json!({
            "head": hex_of(&b.election.head().0),
            "entries": b.election.len(),
        })))
    })
    .await
}

async fn code(State(app): State<App>, Path(text): Path<String>) -> Result<Json<Value>, ApiError> {
    let wanted = CodeQuery::parse(&text).map_err(|_| {
        ApiError::bad_request(format!(
            "{text}: not a confirmation code (64 hex digits, or XXXX-XXXX-XXXX-XXXX)"
        ))
    })?;
    app.with_board(move |b| {
        b.find_code(&wanted).map(Json).ok_or_else(|| {
            ApiError::not_found(format!("confirmation code {text} is not on this board"))
        })
    })
    .await
}

async fn record(State(app): State<App>) -> Result<Json<Value>, ApiError> {
    app.with_board(|b| {
        let record = b
            .election
            .record()
            .map_err(|e| ApiError::from_lib("reading the board", e))?;
        serde_json::to_value(&record)
            .map(Json)
            .map_err(|e| ApiError::unavailable(format!("the record as JSON: {e}")))
    })
    .await
}

/// A voter's entry on the board: its code, and whether it was there before this request.
fn acknowledged((code, already): Ack) -> Json<Value> {
    Json(json!({ "code": hex_of(&code.0), "short": code.short(), "already": already }))
}

async fn ballot(
    State(app): State<App>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let bytes = body.map_err(|e| ApiError::body(&e))?;
    let ballot =
        EncryptedBallot::from_bytes(&bytes).map_err(|e| ApiError::from_lib("ballot", e))?;
    let Some(ctx) = app.with_board(|b| Ok(b.election.round_context())).await? else {
        // No round is open: the board refuses it, naming the check.
        let ack = app
            .with_board(move |b| {
                let before = b.election.len();
                let already = b.election.already_cast(&ballot).is_some();
                let result = b.election.cast(&ballot);
                b.note_appended(before)
                    .map_err(|e| ApiError::from_lib("indexing", e))?;
                result
                    .map(|code| (code, already))
                    .map_err(|e| ApiError::from_lib("ballot", e))
            })
            .await?;
        return Ok(acknowledged(ack));
    };
    // Verified away from the board (the board re-verifies it if the round changed since).
    let verified = tokio::task::spawn_blocking(move || ballot.verify(&ctx.ballot_context()))
        .await
        .map_err(|_| ApiError::unavailable("the verifier stopped"))?
        .map_err(|e| ApiError::invalid_ballot(&e))?;
    let (reply, answer) = oneshot::channel();
    app.ballots
        .send(Job {
            ballot: verified,
            reply,
        })
        .await
        .map_err(|_| ApiError::unavailable("the server is stopping"))?;
    let ack = answer
        .await
        .map_err(|_| ApiError::unavailable("the server is stopping"))??;
    Ok(acknowledged(ack))
}

async fn challenged(
    State(app): State<App>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let bytes = body.map_err(|e| ApiError::body(&e))?;
    let challenged = ChallengedBallot::from_bytes(&bytes)
        .map_err(|e| ApiError::from_lib("challenged ballot", e))?;
    let ack = app
        .with_board(move |b| {
            let before = b.election.len();
            // Recorded before, byte for byte (a retry): its code again, nothing appended.
            let already = b.election.already_challenged(&challenged).is_some();
            let result = b.election.challenge(&challenged);
            b.note_appended(before)
                .map_err(|e| ApiError::from_lib("indexing", e))?;
            result
                .map(|code| (code, already))
                .map_err(|e| ApiError::from_lib("challenged ballot", e))
        })
        .await?;
    Ok(acknowledged(ack))
}

async fn entry(
    State(app): State<App>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let bytes = body.map_err(|e| ApiError::body(&e))?;
    let entry = Entry::from_bytes(&bytes).map_err(|e| ApiError::from_lib("entry", e))?;
    if entry.author().role() == Role::Voter {
        return Err(ApiError::voter_entry());
    }
    let kind = entry.kind().name();
    app.with_board(move |b| {
        let before = b.election.len();
        let result = b.election.post(entry);
        b.note_appended(before)
            .map_err(|e| ApiError::from_lib("indexing", e))?;
        result.map_err(|e| ApiError::from_lib(kind, e))?;
        Ok(Json(json!({
            "entry": before,
            "kind": kind,
            "head": hex_of(&b.election.head().0),
        })))
    })
    .await
}
