//! `tabella-server --board FILE --addr 127.0.0.1:8080 [--static DIR]`: serves one election's
//! board over HTTP until interrupted (Ctrl-C or SIGTERM).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use tabella_server::{Config, open_board, serve};

/// The board server of one tabella election.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// The election's board (a SQLite file, created by `tabella admin create`).
    #[arg(long, value_name = "FILE")]
    board: PathBuf,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Serve the booth's files (index.html, js, wasm) from this folder at `/`.
    #[arg(long = "static", value_name = "DIR")]
    static_dir: Option<PathBuf>,
    /// Requests a second per client address (0: no limit).
    #[arg(long, default_value_t = 20.0)]
    rate: f64,
    /// Requests at once per client address.
    #[arg(long, default_value_t = 40.0)]
    burst: f64,
    /// The longest a request may take, in seconds.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
}

async fn stopped() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    if !(args.rate.is_finite() && args.rate >= 0.0 && args.burst.is_finite()) {
        eprintln!("tabella-server: --rate and --burst must be numbers, --rate at least 0");
        return ExitCode::from(2);
    }
    let config = Config {
        board: args.board,
        static_dir: args.static_dir,
        rate: args.rate,
        burst: args.burst,
        timeout: Duration::from_secs(args.timeout.max(1)),
    };
    let board = match open_board(&config) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("tabella-server: {}: {e}", config.board.display());
            return ExitCode::from(1);
        }
    };
    let listener = match tokio::net::TcpListener::bind(args.addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("tabella-server: {}: {e}", args.addr);
            return ExitCode::from(1);
        }
    };
    eprintln!(
        "tabella-server: {} ({} entries) on http://{}",
        config.board.display(),
        board.election.len(),
        args.addr
    );
    match serve(listener, board, &config, stopped()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tabella-server: {e}");
            ExitCode::from(1)
        }
    }
}
