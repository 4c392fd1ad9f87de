//! Placeholder while this module is written (work in progress on the `cli` branch).

use clap::Subcommand;

use crate::common::{CliError, Global, Result};

/// The commands of this role.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Not built yet.
    Todo,
}

/// Runs a command of this role.
pub fn run(_global: &Global, _command: Command) -> Result<()> {
    Err(CliError::usage("not built yet"))
}
