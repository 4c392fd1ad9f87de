//! What every command shares: the global options, errors and exit codes, the board, the
//! passphrase, sealed key files, files and standard streams, JSON output, progress bars.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use tabella::board::Entry;
use tabella::credential::CredentialSecret;
use tabella::election::BoardElection;
use tabella::elgamal::SecretKey;
use tabella::seal::{SealParams, seal, unseal};
use tabella::verify::Failure;
use tabella_board_sqlite::SqliteStore;
use zeroize::Zeroizing;

/// Options every command takes.
#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Print machine-readable JSON on standard output instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Read the passphrase of sealed files from this file (its first line).
    #[arg(long, global = true, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// The passphrase of sealed files (for scripts; prefer --passphrase-file).
    #[arg(
        long,
        global = true,
        env = "TABELLA_PASSPHRASE",
        hide_env_values = true
    )]
    pub passphrase: Option<String>,
    /// Seal with cheap Argon2 parameters: for tests only, never for a real election.
    #[arg(
        long,
        global = true,
        env = "TABELLA_INSECURE_FAST_SEAL",
        hide = true,
        value_parser = clap::builder::FalseyValueParser::new()
    )]
    pub insecure_fast_seal: bool,
}

/// The board a command works on.
#[derive(Args, Debug, Clone)]
pub struct BoardArg {
    /// The election's board (a SQLite file).
    #[arg(long, value_name = "FILE")]
    pub board: PathBuf,
}

/// A command's failure, with its exit code.
#[derive(Debug)]
pub struct CliError {
    code: u8,
    message: String,
    /// What `--json` prints instead of the message, if more than it.
    detail: Option<serde_json::Value>,
}

impl CliError {
    /// Bad input or usage: exit 2.
    pub fn usage(message: impl Into<String>) -> Self {
        CliError {
            code: 2,
            message: message.into(),
            detail: None,
        }
    }

    /// Refused by a check or a rule: exit 1.
    pub fn refused(message: impl Into<String>) -> Self {
        CliError {
            code: 1,
            message: message.into(),
            detail: None,
        }
    }

    /// The same error, printed as `detail` under `--json`.
    pub fn with_json(mut self, detail: serde_json::Value) -> Self {
        self.detail = Some(detail);
        self
    }

    /// The exit code.
    pub fn code(&self) -> u8 {
        self.code
    }

    /// Prints the error (on standard error, or as JSON on standard output) and gives the
    /// exit code.
    pub fn report(&self, global: &Global) -> ExitCode {
        if global.json {
            let detail = self.detail.clone().unwrap_or_else(|| {
                let kind = if self.code == 1 { "refused" } else { "usage" };
                serde_json::json!({ "ok": false, "error": kind, "message": self.message })
            });
            println!("{detail}");
        } else {
            eprintln!("tabella: {}", self.message);
        }
        ExitCode::from(self.code())
    }

    /// A library error in context: a refused entry, a rule, or a step the election's state
    /// does not allow yet (out of order, too early) is a refusal (1); anything else
    /// (undecodable input, a wrong passphrase, another election's file) bad input (2).
    pub fn from_lib(context: &str, e: tabella::Error) -> Self {
        match e {
            tabella::Error::EntryRefused(f) => {
                CliError::refused(format!("{context}: {}", refusal(&f)))
            }
            // The election's state refuses the step (out of order, too early, a rule).
            e @ (tabella::Error::Rule(_)
            | tabella::Error::CeremonyFailed { .. }
            | tabella::Error::NotEnoughShares { .. }
            | tabella::Error::RollMissing
            | tabella::Error::ConflictingDecryption { .. }
            | tabella::Error::TrusteeRejected { .. }
            | tabella::Error::InvalidValue {
                what: "board state",
                ..
            }) => CliError::refused(format!("{context}: {e}")),
            e => CliError::usage(format!("{context}: {e}")),
        }
    }
}

/// A refused entry in words: the check, the entry, the round, the culprits.
pub fn refusal(f: &Failure) -> String {
    let culprits = f.culprits();
    if culprits.is_empty() {
        f.to_string()
    } else {
        format!("{f}; culprits: {culprits:?}")
    }
}

/// A shorthand for results of commands.
pub type Result<T> = core::result::Result<T, CliError>;

/// Adds a context to a library result.
pub trait Context<T> {
    /// The error, if any, as a [`CliError`] with `context`.
    fn context(self, context: &str) -> Result<T>;
}

impl<T> Context<T> for tabella::Result<T> {
    fn context(self, context: &str) -> Result<T> {
        self.map_err(|e| CliError::from_lib(context, e))
    }
}

/// Opens an existing board (replaying and checking every entry).
pub fn open_board(board: &BoardArg) -> Result<BoardElection<SqliteStore>> {
    if !board.board.exists() {
        return Err(CliError::usage(format!(
            "no board at {} (the administrator creates it with `tabella admin create`)",
            board.board.display()
        )));
    }
    let store = SqliteStore::open(&board.board).context(&board.board.display().to_string())?;
    BoardElection::open(store).context(&format!("board {}", board.board.display()))
}

/// Creates a new board file (refuses an existing one).
pub fn create_board(board: &BoardArg) -> Result<BoardElection<SqliteStore>> {
    if board.board.exists() {
        return Err(CliError::usage(format!(
            "{} already exists: a new election needs a new board",
            board.board.display()
        )));
    }
    let store = SqliteStore::open(&board.board).context(&board.board.display().to_string())?;
    BoardElection::open(store).context("new board")
}

/// Posts an entry, naming the refusal if the board refuses it.
pub fn post(board: &mut BoardElection<SqliteStore>, entry: Entry, what: &str) -> Result<()> {
    board.post(entry).map(|_| ()).context(what)
}

/// The passphrase of sealed files: `--passphrase-file`, `TABELLA_PASSPHRASE`
/// (`--passphrase`), or a prompt when standard input is a terminal.
pub fn passphrase(global: &Global, purpose: &str) -> Result<Zeroizing<Vec<u8>>> {
    if let Some(path) = &global.passphrase_file {
        let text = Zeroizing::new(
            std::fs::read_to_string(path)
                .map_err(|e| CliError::usage(format!("{}: {e}", path.display())))?,
        );
        let line = text.lines().next().unwrap_or("");
        return nonempty(line.as_bytes().to_vec());
    }
    if let Some(p) = &global.passphrase {
        return nonempty(p.as_bytes().to_vec());
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::usage(format!(
            "the passphrase of {purpose}: give --passphrase-file or TABELLA_PASSPHRASE \
             (standard input is not a terminal to prompt on)"
        )));
    }
    let typed = Zeroizing::new(
        rpassword::prompt_password(format!("passphrase of {purpose}: "))
            .map_err(|e| CliError::usage(format!("reading the passphrase: {e}")))?,
    );
    nonempty(typed.as_bytes().to_vec())
}

fn nonempty(bytes: Vec<u8>) -> Result<Zeroizing<Vec<u8>>> {
    let bytes = Zeroizing::new(bytes);
    if bytes.is_empty() {
        return Err(CliError::usage("the passphrase is empty"));
    }
    Ok(bytes)
}

/// The sealing cost: the library's default, or cheap ones for tests.
pub fn seal_params(global: &Global) -> SealParams {
    if global.insecure_fast_seal {
        SealParams::insecure_for_tests()
    } else {
        SealParams::default()
    }
}

/// Writes `bytes` to `path` atomically (a temporary file beside it, flushed, renamed), readable
/// by its owner only when `secret`.
pub fn write_file(path: &Path, bytes: &[u8], secret: bool) -> Result<()> {
    let io = |e: std::io::Error| CliError::usage(format!("{}: {e}", path.display()));
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| CliError::usage(format!("{}: not a file name", path.display())))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if secret { 0o600 } else { 0o644 });
    }
    let mut file = options.open(&tmp).map_err(io)?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(e));
    }
    std::fs::rename(&tmp, path).map_err(io)
}

/// Reads a file, or standard input for `-`.
pub fn read_input(path: &Path) -> Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| CliError::usage(format!("standard input: {e}")))?;
        return Ok(bytes);
    }
    std::fs::read(path).map_err(|e| CliError::usage(format!("{}: {e}", path.display())))
}

/// Writes to a file, or standard output for `-`.
pub fn write_output(path: &Path, bytes: &[u8]) -> Result<()> {
    if path.as_os_str() == "-" {
        let mut out = std::io::stdout();
        return out
            .write_all(bytes)
            .and_then(|()| out.flush())
            .map_err(|e| CliError::usage(format!("standard output: {e}")));
    }
    write_file(path, bytes, false)
}

/// Who a board key belongs to: the context its file is sealed for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyRole {
    /// The administrator's key.
    Administrator,
    /// Trustee i's board key.
    Trustee(u32),
    /// The credential authority's key.
    CredentialAuthority,
}

impl KeyRole {
    fn context(self) -> Vec<u8> {
        match self {
            KeyRole::Administrator => b"tabella board key: administrator".to_vec(),
            KeyRole::Trustee(i) => format!("tabella board key: trustee {i}").into_bytes(),
            KeyRole::CredentialAuthority => b"tabella board key: credential authority".to_vec(),
        }
    }

    /// Its name, for messages.
    pub fn name(self) -> String {
        match self {
            KeyRole::Administrator => "the administrator".to_string(),
            KeyRole::Trustee(i) => format!("trustee {i}"),
            KeyRole::CredentialAuthority => "the credential authority".to_string(),
        }
    }
}

/// Seals a board key for its role.
pub fn seal_key(global: &Global, role: KeyRole, key: &SecretKey) -> Result<Vec<u8>> {
    let pass = passphrase(global, &format!("{}'s key", role.name()))?;
    seal(
        key.to_bytes().as_ref(),
        &role.context(),
        &pass,
        seal_params(global),
        &mut rand_core::OsRng,
    )
    .context("sealing the key")
}

/// Opens a sealed board key file of `role` (another role's file is refused).
pub fn open_key(global: &Global, role: KeyRole, path: &Path) -> Result<SecretKey> {
    let sealed = read_input(path)?;
    let pass = passphrase(global, &format!("{} ({})", path.display(), role.name()))?;
    let bytes = unseal(&sealed, &role.context(), &pass).map_err(|e| {
        CliError::usage(format!(
            "{}: {e} (a key file of {}?)",
            path.display(),
            role.name()
        ))
    })?;
    SecretKey::from_bytes(&bytes).context(&path.display().to_string())
}

/// A progress bar on standard error, hidden when it is not a terminal or output is JSON.
pub fn progress(global: &Global, len: u64, message: &str) -> ProgressBar {
    if global.json || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(message.to_string());
    bar
}

/// Prints a command's result: `text` unless `--json`, then the JSON value.
pub fn emit(global: &Global, text: impl FnOnce(), json: serde_json::Value) {
    if global.json {
        println!("{json}");
    } else {
        text();
    }
}

/// The lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    tabella::encoding::to_hex(bytes)
}

/// The credential in a credential file: its one line that is not blank or a `#` comment.
pub fn read_credential(path: &Path) -> Result<CredentialSecret> {
    let bytes = Zeroizing::new(read_input(path)?);
    let bad =
        |why: &str| CliError::usage(format!("{}: not a credential file: {why}", path.display()));
    let text = core::str::from_utf8(&bytes).map_err(|_| bad("not text"))?;
    CredentialSecret::from_text(text).map_err(|e| bad(&e.to_string()))
}
