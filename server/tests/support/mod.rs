//! What the server's tests share: an election on a board file made with the library, a
//! server running it in this process, and a minimal HTTP/1.1 client.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;

use rand_core::OsRng;
use tabella::ballot::{BallotId, EncryptedBallot, Selection};
use tabella::credential::{CredentialSecret, SecondBallot};
use tabella::election::{
    Administrator, Authorities, BoardElection, CredentialAuthority, Manifest, RoundKind, Trustee,
    simulate_ceremony,
};
use tabella::elgamal::SecretKey;
use tabella::rules::{ElectionRules, MajorityRule, RuleSchedule};
use tabella::threshold::TrusteeIndex;
use tabella_board_sqlite::SqliteStore;
use tabella_server::{Config, open_board, serve};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// An election with a roll of `members` credentials, its keys made and round 1 open, on a
/// board file in a temporary folder.
pub struct Election {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub admin: Administrator,
    pub credentials: Vec<CredentialSecret>,
}

impl Election {
    pub fn new(members: usize) -> Election {
        let rng = &mut OsRng;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("board.db");
        let admin = Administrator::generate(rng);
        let authority = CredentialAuthority::generate(rng);
        let mut trustees: Vec<Trustee> = (1..=3)
            .map(|i| Trustee::new(TrusteeIndex::new(i).unwrap(), SecretKey::generate(rng)))
            .collect();
        let manifest = Manifest::builder("server test")
            .members(members as u64)
            .eligible(members as u64)
            .candidates(["Pope", "Vitorino"])
            .rules(ElectionRules::with_schedule(RuleSchedule::single(
                MajorityRule::TWO_THIRDS,
            )))
            .threshold(2)
            .trustees(3)
            .privacy_floor(2)
            .roll(SecondBallot::Refused)
            .authorities(
                Authorities::new(
                    admin.public_key(),
                    trustees.iter().map(Trustee::public_key).collect(),
                )
                .unwrap()
                .with_credential_authority(authority.public_key())
                .unwrap(),
            )
            .build()
            .unwrap();
        let mut board = BoardElection::open(SqliteStore::open(&path).unwrap()).unwrap();
        board.post(admin.manifest(&manifest, rng).unwrap()).unwrap();
        let (roll, credentials) = authority.issue(members, rng).unwrap();
        let entry = authority
            .roll(&roll, board.replay(), board.head(), rng)
            .unwrap();
        board.post(entry).unwrap();
        simulate_ceremony(&mut board, &admin, &mut trustees, rng).unwrap();
        let open = admin
            .open_round(board.replay(), board.head(), RoundKind::ChooseOne, rng)
            .unwrap();
        board.post(open).unwrap();
        Election {
            dir,
            path,
            admin,
            credentials,
        }
    }

    /// The board as it stands on the file (a second reader of it).
    pub fn read_board(&self) -> BoardElection<SqliteStore> {
        BoardElection::open(SqliteStore::open(&self.path).unwrap()).unwrap()
    }

    /// One ballot for each of the credentials `from..to`, choosing in turn, in its bytes.
    pub fn ballots(&self, from: usize, to: usize) -> Vec<Vec<u8>> {
        let board = self.read_board();
        let round = board.round_context().unwrap();
        let credentials = &self.credentials[from..to];
        let threads = 2;
        let chunk = credentials.len().div_ceil(threads).max(1);
        std::thread::scope(|s| {
            let handles: Vec<_> = credentials
                .chunks(chunk)
                .map(|part| {
                    let round = &round;
                    s.spawn(move || {
                        let ctx = round.ballot_context();
                        part.iter()
                            .enumerate()
                            .map(|(i, c)| {
                                let choice =
                                    Selection::new(ctx.contest, &[(i % 2) as u32]).unwrap();
                                let id = BallotId::random(&mut OsRng);
                                EncryptedBallot::encrypt(&ctx, &choice, id, Some(c), &mut OsRng)
                                    .unwrap()
                                    .0
                                    .to_bytes()
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        })
    }
}

/// A server running in this process.
pub struct Running {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Running {
    pub async fn start(config: Config) -> Running {
        let board = open_board(&config).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            serve(listener, board, &config, async {
                let _ = stopped.await;
            })
            .await
        });
        Running {
            addr,
            stop: Some(stop),
            task,
        }
    }

    /// Stops the server and waits until it has closed the board.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task).await.unwrap().unwrap();
    }
}

/// A server's answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
}

/// One request on its own connection (`Connection: close`); `Err` when the connection
/// fails (the server is down).
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: &[u8],
) -> std::io::Result<Answer> {
    let mut stream = TcpStream::connect(addr).await?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Content-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    // The server may answer (413) before it reads the whole body: a write error is not the
    // answer.
    let _ = stream.write_all(body).await;
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).await?;
    parse(&bytes).ok_or_else(|| std::io::Error::other("not an HTTP answer"))
}

fn parse(bytes: &[u8]) -> Option<Answer> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(bytes.get(..end)?).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let mut content_type = String::new();
    let mut chunked = false;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-type") {
            content_type = value.to_string();
        }
        if name.eq_ignore_ascii_case("transfer-encoding") && value.contains("chunked") {
            chunked = true;
        }
    }
    let raw = bytes.get(end + 4..)?;
    let body = if chunked { dechunk(raw)? } else { raw.to_vec() };
    Some(Answer {
        status,
        content_type,
        body,
    })
}

fn dechunk(mut raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line = raw.windows(2).position(|w| w == b"\r\n")?;
        let size =
            usize::from_str_radix(std::str::from_utf8(raw.get(..line)?).ok()?.trim(), 16).ok()?;
        raw = raw.get(line + 2..)?;
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(raw.get(..size)?);
        raw = raw.get(size + 2..)?;
    }
}

pub async fn get(addr: SocketAddr, path: &str) -> Answer {
    request(addr, "GET", path, b"").await.unwrap()
}

pub async fn post(addr: SocketAddr, path: &str, body: &[u8]) -> Answer {
    request(addr, "POST", path, body).await.unwrap()
}

/// A server configuration without a rate limit.
pub fn unlimited(election: &Election) -> Config {
    let mut config = Config::new(&election.path);
    config.rate = 0.0;
    config
}
