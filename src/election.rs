//! An election: its manifest, its fingerprints, and its rounds.
//!
//! ```text
//! Manifest ──► ceremony context (fingerprint of the manifest alone)
//!          ──► trustees' key ceremony ──► joint key Y, verification shares
//!          ──► election context (fingerprint of manifest, Y and the shares)
//! Election: withdraw / acclaim / resolve a tie / open_round ──► OpenRound: cast or challenge
//!           ballots ──► close ──► ClosedRound: each trustee decrypts the recomputed tally of
//!           the closed box (once per round) ──► tally_round: verify, combine, decide
//!           ──► RoundOutcome
//! ```
//!
//! Each round has its own candidate list, ballot box and round number, which every ballot
//! proof binds: a ballot from round r fails in round r + 1. Only each round's totals are ever
//! decrypted, and only for a box of at least [`Manifest::privacy_floor`] ballots.

pub mod board;
mod credential_authority;
pub mod event;
mod manifest;
pub mod replay;
mod round;
pub mod trustee;

pub use board::{
    Administrator, BoardElection, RoundContext, simulate_ceremony, simulate_ceremony_keeping,
};
pub use credential_authority::CredentialAuthority;
pub use manifest::{Authorities, DEFAULT_PRIVACY_FLOOR, Manifest, ManifestBuilder};
pub use replay::{Applied, CodeLocation, DecidedRound, Replay, RoundEnd, RoundHistory};
pub use round::{ClosedRound, Election, OpenRound, RoundKind, RoundOutcome};
pub use trustee::{Proceed, Trustee};
