//! Zero-knowledge proofs: one file per relation, and one batch verifier for all of them.
//!
//! | relation | file | statement |
//! |---|---|---|
//! | knowledge of a discrete log | [`schnorr`] | X = x·G |
//! | equality of discrete logs | [`dleq`] | Y = x·G ∧ D = x·H |
//! | set membership of a plaintext | [`membership`] | (α, β) = Enc(m) ∧ m ∈ S |
//! | one of many plaintext vectors | [`one_of_many`] | (C₀ … C_{g−1}) = Enc(U_σ) for some σ |
//!
//! Every proof:
//!
//! * is made non-interactive with strong Fiat–Shamir: the caller's transcript (which starts
//!   from an [`ElectionContext`](crate::transcript::ElectionContext)) receives the relation's
//!   domain label, the generator, every statement element and the commitments, and only then
//!   is the challenge drawn;
//! * carries its commitments, so that many proofs can be checked at once by a
//!   [`BatchVerifier`];
//! * is checked by one set of verification equations, which either a single check (each
//!   equation exactly) or a batch (a random linear combination) consumes.

pub mod batch;
pub mod dleq;
pub mod membership;
pub mod one_of_many;
pub mod schnorr;

pub use batch::BatchVerifier;
pub use dleq::{DleqProof, DleqStatement};
pub use membership::{MembershipProof, MembershipStatement};
pub use one_of_many::{OneHot, OneOfManyProof, OneOfManyStatement, Radix};
pub use schnorr::{SchnorrProof, SchnorrStatement};
