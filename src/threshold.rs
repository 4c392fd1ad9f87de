//! t-of-n trustees: a Pedersen key ceremony over a public board, and verifiable threshold
//! decryption that names cheaters.
//!
//! | step | module | in | out |
//! |---|---|---|---|
//! | parameters | [`params`] | t, n | [`ThresholdParams`], [`TrusteeIndex`] |
//! | key ceremony | [`dkg`] | [`CeremonyContext`], four rounds over a board | [`KeyPackage`], [`PublicKeyPackage`] |
//! | decryption | [`decryption`] | tally ciphertexts, [`DecryptionContext`] | [`PartialDecryption`] → [`VerifiedPartialDecryption`] → totals |
//!
//! # Construction
//!
//! Ceremony ([`dkg`]): each trustee i commits to Feldman commitments `C_{i,k} = a_{i,k}·G` of a
//! random polynomial `f_i` (round 1), reveals them with proofs of knowledge and sends
//! `f_i(j)` to every other trustee j encrypted under j's communication key, with a proof of
//! knowledge of each ephemeral key (round 2), checks the shares it received and complains with
//! a publicly verifiable proof about bad ones (round 3), and finishes with
//! `x_j = Σ_{i∈QUAL} f_i(j)` (round 4). The joint key is `Y = Σ_{i∈QUAL} C_{i,0}`; nobody ever
//! knows `x = Σ_{i∈QUAL} f_i(0)`. The messages go on a [`CeremonyBoard`] of authored entries,
//! which every trustee and verifier reads by the same rules.
//!
//! Decryption ([`decryption`]): trustee i publishes `D_i = x_i·α` for each tally ciphertext
//! `(α, β)`, with a DLEQ proof against its verification share `Y_i = x_i·G`. Any t verified
//! partials combine to `m·G = β − Σ λ_i·D_i` with Lagrange coefficients at 0.
//!
//! # Verification equations
//!
//! * Feldman share check: `f_i(j)·G = Σ_k j^k·C_{i,k}`.
//! * Verification share: `Y_j = Σ_{i∈QUAL} Σ_k j^k·C_{i,k}`.
//! * Partial decryption (DLEQ): `s·G = R₁ + c·Y_i` and `s·α = R₂ + c·D_i`.
//! * Combination: `M = β − Σ_{i∈S} λ_i·D_i`, `λ_i = Π_{j∈S, j≠i} j / (j − i)`, `|S| = t`.
//!
//! # Encoding
//!
//! Every public message has a canonical byte encoding (`to_bytes`/`from_bytes`; decoding
//! rejects non-canonical points and scalars, identities where forbidden, index 0, wrong
//! lengths and trailing bytes). Layouts are in each message's module and in
//! `docs/SPEC.md` §11. Secret packages have no encoding, except
//! [`KeyPackage::export`] (the share, its package fingerprint and its decryption log) into a
//! zeroizing buffer.
//!
//! # Constant time
//!
//! Everything that touches a secret (polynomials, shares, communication keys, ephemeral keys,
//! `x_i·α`, proving) runs in constant time; secrets are zeroized on drop and print as
//! `<redacted>`. Checks of public data run in variable time.
//!
//! # Example: a 2-of-3 ceremony and a decryption
//!
//! ```
//! use tabella::ballot::{BallotId, ContestSpec, EncryptedBallot, Selection};
//! use tabella::elgamal::DiscreteLogTable;
//! use tabella::tally::BallotBox;
//! use tabella::threshold::dkg::{self, CeremonyContext};
//! use tabella::threshold::{decryption, DecryptionContext, ThresholdParams};
//! use tabella::transcript::ElectionContext;
//! # fn main() -> tabella::Result<()> {
//! let mut rng = rand_core::OsRng;
//! let params = ThresholdParams::new(2, 3)?;
//! // Each run of the ceremony draws its own run nonce (the record keeps it).
//! let ctx = CeremonyContext::random(ElectionContext::new([1; 32]), params, &mut rng);
//! let mut board = dkg::CeremonyBoard::new();
//!
//! // Round 1: every trustee commits and posts its package on the board.
//! let mut secrets1 = Vec::new();
//! for i in params.indices() {
//!     let (secret, package) = dkg::part1(&ctx, i, &mut rng)?;
//!     board.post_round1(&package)?;
//!     secrets1.push(secret);
//! }
//! // Round 2: once round 1 is closed, reveal commitments and encrypted shares.
//! let mut round2 = Vec::new();
//! for secret in secrets1 {
//!     round2.push(dkg::part2(secret, &board, &mut rng)?);
//! }
//! for (_, package) in &round2 {
//!     board.post_round2(package)?;
//! }
//! // Round 3: check shares, complain (nobody does here).
//! let mut round3 = Vec::new();
//! for (secret, _) in round2 {
//!     round3.push(dkg::part3(secret, &board, &mut rng)?);
//! }
//! for (_, package) in &round3 {
//!     board.post_round3(package)?;
//! }
//! // Round 4: every trustee gets its key package; anyone can compute the public outcome.
//! let mut keys = Vec::new();
//! for (secret, _) in round3 {
//!     keys.push(dkg::part4(secret, &board)?.0);
//! }
//! let outcome = dkg::verify_ceremony(&ctx, &board)?;
//! let public = outcome.public_key_package();
//! assert!(outcome.excluded().is_empty());
//! assert_eq!(keys[0].public(), public);
//!
//! // Voters encrypt to the joint key and the box verifies and sums their ballots.
//! let election = ElectionContext::new([2; 32]);
//! let contest = ContestSpec::choose_one(0, 2, false)?;
//! let mut ballot_box = BallotBox::new(election, public.joint_key().clone(), 1, contest.clone());
//! for choice in [1, 0, 1, 1, 1] {
//!     let selection = Selection::new(&contest, &[choice])?;
//!     let id = BallotId::random(&mut rng);
//!     let (ballot, _) =
//!         EncryptedBallot::encrypt(&ballot_box.context(), &selection, id, None, &mut rng)?;
//!     ballot_box.cast(ballot.verify(&ballot_box.context())?)?;
//! }
//! let tally = ballot_box.tally();
//!
//! // Trustees 1 and 3 decrypt the tally (never a ballot), once for this round: the statement
//! // names the box's close, and each key package logs it.
//! let partials = vec![
//!     keys[0].decrypt_tally(&election, &tally, 5, &mut rng)?,
//!     keys[2].decrypt_tally(&election, &tally, 5, &mut rng)?,
//! ];
//! // Anyone verifies and combines, against the tally and close they recompute.
//! let dctx = DecryptionContext::new(&election, public, tally.close(), tally.ciphertexts())?;
//! let verified = partials
//!     .iter()
//!     .map(|p| p.verify(&dctx))
//!     .collect::<tabella::Result<Vec<_>>>()?;
//! let table = DiscreteLogTable::new(5)?;
//! assert_eq!(decryption::decrypt(&dctx, &verified, &table)?, vec![1, 4]);
//! # Ok(())
//! # }
//! ```

pub mod decryption;
pub mod dkg;
pub mod keys;
pub mod params;

mod polynomial;

pub use decryption::{
    DecryptionContext, DecryptionLog, LogEntry, PartialDecryption, Screening, TallyDecryption,
    VerifiedPartialDecryption, combine, decrypt, decrypt_tally,
};
pub use dkg::{CeremonyBoard, CeremonyContext, CeremonyOutcome, Exclusion, verify_ceremony};
#[cfg(any(test, feature = "test-utils"))]
pub use keys::trusted_dealer_for_tests_only;
pub use keys::{KeyPackage, PublicKeyPackage};
pub use params::{MAX_TRUSTEES, ThresholdParams, TrusteeIndex, lagrange_at_zero};
