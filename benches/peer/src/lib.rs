//! The same-run comparison of tabella with elastic-elgamal: a bench only (`benches/peer.rs`;
//! see README.md). This library is empty: cargo needs one target besides the bench.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
