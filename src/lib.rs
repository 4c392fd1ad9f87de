#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod ballot;
pub mod board;
pub mod credential;
pub mod domain;
pub mod election;
pub mod elgamal;
pub mod encoding;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod group;
pub mod proofs;
pub mod record;
pub mod rules;
pub mod seal;
pub mod tally;
pub mod threshold;
pub mod transcript;
pub mod verify;

pub use curve25519_dalek;
pub use error::{Error, Result};
pub use merlin;
pub use rand_core;
