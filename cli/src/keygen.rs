//! `tabella keygen`: a board signing key for one role, sealed with a passphrase. Its public
//! key goes into the manifest's authorities (docs/SPEC.md §10.2).

use std::path::PathBuf;

use clap::ValueEnum;

use crate::common::{CliError, Global, KeyRole, Result, emit, hex, seal_key, write_file};
use tabella::elgamal::SecretKey;

/// Whose key.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Role {
    /// The administrator.
    Administrator,
    /// A trustee (with --index).
    Trustee,
    /// The credential authority.
    CredentialAuthority,
}

/// `tabella keygen`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Whose key it is.
    #[arg(long, value_enum)]
    role: Role,
    /// The trustee's index (1 to n), for a trustee's key.
    #[arg(long, required_if_eq("role", "trustee"))]
    index: Option<u32>,
    /// Where to write the sealed key (mode 0600; refused if it exists).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

/// Makes the key, seals it, prints the public key.
pub fn run(global: &Global, args: Args) -> Result<()> {
    let role = match (args.role, args.index) {
        (Role::Administrator, None) => KeyRole::Administrator,
        (Role::CredentialAuthority, None) => KeyRole::CredentialAuthority,
        (Role::Trustee, Some(i)) if (1..=255).contains(&i) => KeyRole::Trustee(i),
        (Role::Trustee, _) => return Err(CliError::usage("a trustee's --index is 1 to 255")),
        (_, Some(_)) => return Err(CliError::usage("--index is for a trustee's key")),
    };
    if args.out.exists() {
        return Err(CliError::usage(format!(
            "{} exists: a key is never overwritten",
            args.out.display()
        )));
    }
    let key = SecretKey::generate(&mut rand_core::OsRng);
    let sealed = seal_key(global, role, &key)?;
    write_file(&args.out, &sealed, true)?;
    let public = hex(&key.public_key().to_bytes());
    emit(
        global,
        || {
            println!("{} key sealed in {}", role.name(), args.out.display());
            println!("public key (for the manifest's authorities): {public}");
        },
        serde_json::json!({ "ok": true, "role": role.name(), "file": args.out, "public_key": public }),
    );
    Ok(())
}
