//! `tabella`: one command-line tool for every role of an election, over its board.
//!
//! Every command names the board once (`--board FILE`, a SQLite board of
//! `tabella-board-sqlite`), reads its inputs from files or standard input (`-`), and writes
//! machine-readable output with `--json`. Exit codes: 0 done (or valid), 1 a check or a rule
//! refused it (named), 2 bad input or usage. Secrets (board keys, trustee states, credentials,
//! a ballot's opening) are files sealed with a passphrase, which comes from `--passphrase-file`,
//! the `TABELLA_PASSPHRASE` environment variable, or a prompt.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod admin;
mod authority;
mod ballot_box;
mod common;
mod keygen;
mod trustee;
mod verify;
mod voter;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use common::Global;

/// Verifiable secret-ballot elections, over a board anyone can verify.
#[derive(Parser, Debug)]
#[command(name = "tabella", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Make a board signing key (administrator, trustee or credential authority), sealed.
    Keygen(keygen::Args),
    /// The administrator: create the election, run its rounds, publish results, export.
    #[command(subcommand)]
    Admin(admin::Command),
    /// The credential authority: issue the members' credentials and post the roll.
    #[command(subcommand)]
    Credentials(authority::Command),
    /// A trustee: its steps of the key ceremony, and its decryption of each round.
    #[command(subcommand)]
    Trustee(trustee::Command),
    /// A voter: encrypt a ballot, challenge it, look up its confirmation code.
    #[command(subcommand)]
    Voter(voter::Command),
    /// The ballot box: cast ballots, record challenged ballots.
    #[command(name = "box", subcommand)]
    Box(ballot_box::Command),
    /// Anyone: verify a record or a board with the numbered checks.
    Verify(verify::Args),
    /// Anyone: where the election on a board stands.
    Status(verify::StatusArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version are not errors; anything else is a usage error (2).
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Keygen(args) => keygen::run(&cli.global, args),
        Command::Admin(c) => admin::run(&cli.global, c),
        Command::Credentials(c) => authority::run(&cli.global, c),
        Command::Trustee(c) => trustee::run(&cli.global, c),
        Command::Voter(c) => voter::run(&cli.global, c),
        Command::Box(c) => ballot_box::run(&cli.global, c),
        Command::Verify(args) => verify::run(&cli.global, args),
        Command::Status(args) => verify::status(&cli.global, args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => e.report(&cli.global),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::CliError;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn a_usage_error_is_not_a_refusal() {
        assert_eq!(CliError::usage("bad").code(), 2);
        assert_eq!(CliError::refused("check 7").code(), 1);
    }
}
