//! tabella: verifiable secret-ballot elections.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod rules;
