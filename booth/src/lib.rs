//! The tabella voting booth: the library itself, compiled to WebAssembly, in the voter's
//! browser.
//!
//! The booth reads the board from the board server (`GET /api/entries`) and replays every
//! entry with the library ([`Mirror`]), so the key it encrypts to, the round and the roll are
//! what the board's signed entries say, checked exactly as the verifier checks them. It then
//! takes the voter through the steps of [`Booth`]: load a credential, encrypt a choice, see
//! the ballot hash, then challenge (the opening is checked and posted, and the voter starts
//! over) or cast, and check that the confirmation code the server returns is the board's code
//! of this very ballot.
//!
//! Everything here is ordinary Rust, tested natively. On `wasm32` the `wasm` module wraps
//! [`Booth`] for JavaScript (`wasm-bindgen`): every method takes and returns strings (JSON)
//! or bytes, and every error is a JavaScript `Error` whose message is the [`BoothError`]'s
//! text. The page is in `www/` (see the crate's README).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod booth;
pub mod error;
pub mod mirror;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use booth::Booth;
pub use error::{BoothError, Result};
pub use mirror::Mirror;
