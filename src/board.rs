//! The public board: one append-only, hash-chained log of entries that the whole election is
//! a function of (docs/SPEC.md §14), and the hashes and codes of a round's box (§8).
//!
//! | module | holds |
//! |---|---|
//! | [`entry`] | an entry: its kind, its author, its body, the head its author read, its signature |
//! | [`chain`] | the chain of heads over the entries |
//! | [`store`] | where entries are kept: the [`Store`] trait and an in-memory store |
//! | [`log`] | the log: a store whose every entry is chained and checked when it is read |
//! | [`codes`] | ballot hashes, the confirmation codes of a box, the close of a round, a code as typed |
//!
//! The board itself judges nothing about an election: the fold of its entries
//! ([`crate::election::replay`]) does, and it is the same fold for the operator that appends,
//! the trustee that decrypts and the observer that verifies.

pub mod chain;
pub mod codes;
pub mod entry;
pub mod log;
pub mod store;

pub(crate) use codes::hash_parts;
pub use codes::{BallotHash, BoxClose, BoxEntryKind, CodeQuery, ConfirmationCode};
pub use entry::{Author, Entry, EntryKind, Role};
pub use log::Log;
pub use store::{MemoryStore, Store};
