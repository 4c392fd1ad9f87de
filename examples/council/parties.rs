//! The simulated parties of the council election: the administrator, the credential
//! authority, the trustees and the members' devices, and where they keep their secrets
//! between runs.
//!
//! Every simulated secret that must be the same after an interruption is derived from one
//! simulation seed: the administrator's, the credential authority's and the trustees' board
//! keys, the members' credentials, which members are present and the order in which they
//! cast, and each member's ballot (its id and its encryption). A run can then be killed at any
//! moment and resumed: the ballots not yet on the board are the same ballots, signed with the
//! same credentials, so none is lost and none is cast twice. The trustees' ceremony secrets and key shares are not derived
//! from the seed: they come from the run's generator and live only in each trustee's sealed
//! state.
//!
//! With `--board FILE` the seed is kept in `FILE.sim` and trustee `i`'s sealed state in
//! `FILE.trustee-i`, each written atomically with mode 0600. Without it nothing is written.
//!
//! This is a simulation: a real member's device keeps its own ballot, and a real trustee runs
//! in its own process with its own passphrase.

use std::io::Write;
use std::path::{Path, PathBuf};

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sha2::{Digest, Sha256};

use tabella::credential::{CredentialSecret, Roll};
use tabella::election::{Administrator, CredentialAuthority, Replay, Trustee};
use tabella::elgamal::SecretKey;
use tabella::seal::SealParams;
use tabella::threshold::TrusteeIndex;

/// The passphrase of the simulated trustees' sealed states (a simulation: a real trustee
/// chooses its own).
const PASSPHRASE: &[u8] = b"council simulation: not a real passphrase";

/// The first line of a simulation seed file.
const SEED_HEADER: &str = "tabella council simulation seed v1";

/// The simulated parties' secrets, and where they are kept.
pub struct Parties {
    seed: [u8; 32],
    /// The board file beside which the secrets are kept (None: kept in memory only).
    beside: Option<PathBuf>,
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Writes `bytes` to `path` atomically (a temporary file, synced, renamed over it), readable
/// by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let tmp = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(&tmp)
        .map_err(|e| format!("{}: {e}", tmp.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // The rename is durable once the directory is.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

fn sibling(board: &Path, suffix: &str) -> PathBuf {
    let mut name = board.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

impl Parties {
    /// Parties whose secrets are kept in memory only.
    pub fn in_memory(seed: [u8; 32]) -> Self {
        Parties { seed, beside: None }
    }

    /// Parties whose secrets are kept beside the board file `board`: the seed in `board.sim`
    /// (created with `seed` when the board is new, read back otherwise).
    pub fn beside(board: &Path, board_is_new: bool, seed: [u8; 32]) -> Result<Self, String> {
        let path = sibling(board, ".sim");
        let seed = match std::fs::read_to_string(&path) {
            Ok(text) => {
                let hex = text
                    .strip_prefix(SEED_HEADER)
                    .map(str::trim)
                    .ok_or_else(|| format!("{}: not a simulation seed file", path.display()))?;
                decode_hex(hex)
                    .ok_or_else(|| format!("{}: the seed is not 32 bytes of hex", path.display()))?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && board_is_new => {
                write_private(&path, format!("{SEED_HEADER}\n{}\n", hex(&seed)).as_bytes())?;
                seed
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(format!(
                    "{} is missing: the board was started by another run, whose simulated \
                     members' ballots cannot be recomputed",
                    path.display()
                ));
            }
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        Ok(Parties {
            seed,
            beside: Some(board.to_path_buf()),
        })
    }

    /// A generator derived from the seed for one purpose.
    pub fn rng(&self, purpose: &str, a: u32, b: u64) -> ChaCha20Rng {
        let mut h = Sha256::new();
        h.update(b"tabella council simulation");
        h.update((purpose.len() as u32).to_le_bytes());
        h.update(purpose.as_bytes());
        h.update(a.to_le_bytes());
        h.update(b.to_le_bytes());
        h.update(self.seed);
        ChaCha20Rng::from_seed(h.finalize().into())
    }

    /// The administrator.
    pub fn administrator(&self) -> Administrator {
        Administrator::new(SecretKey::generate(&mut self.rng("administrator", 0, 0)))
    }

    /// The credential authority.
    pub fn credential_authority(&self) -> CredentialAuthority {
        CredentialAuthority::new(SecretKey::generate(&mut self.rng(
            "credential authority",
            0,
            0,
        )))
    }

    /// The roll of `eligible` credentials, and member m's private credential at position m
    /// (the authority's list, which a real authority hands out and destroys; here it is
    /// derived again from the seed on every run, so a resumed run signs with the same ones).
    pub fn credentials(
        &self,
        authority: &CredentialAuthority,
        eligible: u64,
    ) -> Result<(Roll, Vec<CredentialSecret>), String> {
        let n = usize::try_from(eligible).map_err(err)?;
        authority
            .issue(n, &mut self.rng("credentials", 0, 0))
            .map_err(err)
    }

    /// Trustee `i`'s board key.
    pub fn trustee_key(&self, i: TrusteeIndex) -> SecretKey {
        SecretKey::generate(&mut self.rng("trustee", i.get(), 0))
    }

    fn trustee_file(&self, i: TrusteeIndex) -> Option<PathBuf> {
        self.beside
            .as_deref()
            .map(|b| sibling(b, &format!(".trustee-{}", i.get())))
    }

    /// The trustees, each from its sealed state where it has one, against the board as it
    /// stands.
    pub fn trustees(&self, replay: &Replay, n: u32) -> Result<Vec<Trustee>, String> {
        let mut out = Vec::new();
        for i in 1..=n {
            let index = TrusteeIndex::new(i).map_err(err)?;
            let trustee = match self.trustee_file(index).map(std::fs::read) {
                Some(Ok(sealed)) => Trustee::unseal(&sealed, replay, index, PASSPHRASE)
                    .map_err(|e| format!("trustee {i}'s sealed state: {e}"))?,
                Some(Err(e)) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(format!("trustee {i}'s sealed state: {e}"));
                }
                _ => Trustee::new(index, self.trustee_key(index)),
            };
            out.push(trustee);
        }
        Ok(out)
    }

    /// Keeps `trustee`'s state, sealed (a no-op in memory).
    pub fn save<R: rand_core::RngCore + rand_core::CryptoRng>(
        &self,
        trustee: &Trustee,
        replay: &Replay,
        rng: &mut R,
    ) -> Result<(), String> {
        let Some(path) = self.trustee_file(trustee.index()) else {
            return Ok(());
        };
        // Cheap parameters: a simulation seals a few dozen times per run.
        let params = SealParams::new(1024, 1, 1).map_err(err)?;
        let sealed = trustee
            .seal(replay, PASSPHRASE, params, rng)
            .map_err(|e| format!("trustee {}: {e}", trustee.index().get()))?;
        write_private(&path, &sealed)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_hex(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}
