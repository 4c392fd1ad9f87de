//! The trustees' key ceremony: a Pedersen distributed key generation over a public board.
//!
//! No party ever holds the election secret key x. Each trustee i deals a random polynomial
//! `f_i` of degree t − 1; the election key is `x = Σ_{i∈QUAL} f_i(0)`, trustee j's share is
//! `x_j = Σ_{i∈QUAL} f_i(j)`, and any t shares determine x while t − 1 reveal nothing about it.
//!
//! # Rounds
//!
//! Each round is a function that consumes the previous round's secret package, so rounds
//! cannot run out of order or twice (the FROST `part1/part2/part3` shape):
//!
//! | round | function | broadcast | kept |
//! |---|---|---|---|
//! | 1 Commit | [`part1`] | [`round1::Package`]: hash commitment, communication key + Schnorr PoK | [`round1::SecretPackage`] |
//! | 2 Reveal | [`part2`] | [`round2::Package`]: `C_{i,k}` + Schnorr PoKs, encrypted shares | [`round2::SecretPackage`] |
//! | 3 Check and complain | [`part3`] | [`round3::Package`]: complaints with revealed DH point + DLEQ | [`round3::SecretPackage`] |
//! | 4 Finish | [`part4`] | nothing | [`KeyPackage`] |
//!
//! Each `partN` takes the board's complete list of round-(N−1) messages, including the
//! trustee's own (which must be there, unaltered). [`verify_ceremony`] reads the same three
//! lists and computes the same [`PublicKeyPackage`] and exclusions, from public data alone: it
//! is what an election-record verifier runs.
//!
//! # Who is excluded
//!
//! The board is read by one deterministic procedure, so every honest trustee and every
//! verifier excludes the same trustees ([`Exclusion`], with the [`CeremonyCheck`] failed):
//!
//! 1. no round-1 message, or an invalid proof of the communication key: not a participant;
//! 2. no round-2 message, t ≠ number of commitments, commitments that do not open the hash
//!    commitment, shares not exactly one per other participant, or an invalid proof of
//!    knowledge of a coefficient: not a dealer;
//! 3. a complaint that shows a bad share excludes the dealer; a complaint whose share was good
//!    (false) or whose proof fails (invalid) excludes the complainer.
//!
//! QUAL is the set of dealers left. With fewer than t, the ceremony fails with
//! [`Error::CeremonyFailed`], naming every excluded trustee. A message from another ceremony
//! ([`Error::WrongCeremony`]), a sender outside `1..=n` ([`Error::InvalidTrusteeIndex`]) or two
//! messages from one trustee in one round ([`Error::DuplicateTrustee`]) make the whole list
//! invalid: the board is expected to accept only one message per trustee and round, for its
//! own ceremony.
//!
//! # Key bias
//!
//! The commit round fixes every contribution before any is revealed, and the proofs of
//! knowledge rule out rogue keys, so no trustee can choose its contribution as a function of
//! the others'. The remaining bias is that of Gennaro–Jarecki–Krawczyk–Rabin: after seeing the
//! honest reveals, k corrupted trustees can still get any subset of themselves excluded (stay
//! silent in round 2, or provoke an upheld or a false complaint), so the joint key is one of at
//! most 2^k candidates of the adversary's choosing. GJKR (CT-RSA 2003) show such keys remain
//! secure for discrete-log schemes like ours; `SECURITY.md` has the details.
//!
//! # Ceremony context
//!
//! A [`CeremonyContext`] is the ceremony fingerprint (an [`ElectionContext`] computed from the
//! manifest alone, since the election fingerprint includes the joint key that the ceremony
//! produces) together with t and n. Its identifier
//!
//! ```text
//! T = ceremony.transcript("tabella.ceremony"); T.append_u64("t", t); T.append_u64("n", n)
//! id = T.challenge_bytes("id", 32)
//! ```
//!
//! heads every message, and every transcript of the ceremony starts with
//! `ceremony.transcript(label)`, `append_message("ceremony", id)`,
//! `append_u64("sender", i)`. The share-encryption key hashes the id, the sender and the
//! recipient.
//!
//! # Constant time
//!
//! Polynomial evaluation, share encryption and decryption, and proving run in constant time in
//! the secrets. Checks on public data (proofs, Feldman equations, complaint judgement) are
//! variable time.

pub mod round1;
pub mod round2;
pub mod round3;

mod board;
mod share;

use core::fmt;

use merlin::Transcript;
use rand_core::{CryptoRng, RngCore};

use crate::domain::label;
use crate::elgamal::SecretKey;
use crate::error::{CeremonyCheck, Error, Result};
use crate::threshold::keys::{KeyPackage, PublicKeyPackage};
use crate::threshold::params::{ThresholdParams, TrusteeIndex};
use crate::transcript::{ElectionContext, TranscriptExt};

use board::{Board1, Board2};

/// Length of a ceremony identifier.
pub const CEREMONY_ID_LEN: usize = 32;

/// The ceremony every message belongs to: the ceremony fingerprint, t and n.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct CeremonyContext {
    ceremony: ElectionContext,
    params: ThresholdParams,
    id: [u8; CEREMONY_ID_LEN],
}

impl CeremonyContext {
    /// The ceremony with fingerprint `ceremony` (the manifest's ceremony context) and
    /// parameters `params`.
    pub fn new(ceremony: ElectionContext, params: ThresholdParams) -> Self {
        let mut t = ceremony.transcript(label::CEREMONY);
        t.append_count(b"t", u64::from(params.threshold()));
        t.append_count(b"n", u64::from(params.trustees()));
        let mut id = [0u8; CEREMONY_ID_LEN];
        t.challenge_bytes(b"id", &mut id);
        CeremonyContext {
            ceremony,
            params,
            id,
        }
    }

    /// The ceremony fingerprint.
    pub fn ceremony(&self) -> &ElectionContext {
        &self.ceremony
    }

    /// t and n.
    pub fn params(&self) -> ThresholdParams {
        self.params
    }

    /// The identifier that heads every message of this ceremony.
    pub fn id(&self) -> &[u8; CEREMONY_ID_LEN] {
        &self.id
    }

    /// A transcript of this ceremony for a message of `sender`.
    pub(crate) fn transcript(&self, domain: &'static [u8], sender: TrusteeIndex) -> Transcript {
        let mut t = self.ceremony.transcript(domain);
        t.append_message(b"ceremony", &self.id);
        t.append_count(b"sender", u64::from(sender.get()));
        t
    }

    /// Checks a message header: this ceremony, and a sender in `1..=n`.
    pub(crate) fn check_header(&self, ceremony: &[u8; 32], sender: TrusteeIndex) -> Result<()> {
        if ceremony != &self.id {
            return Err(Error::WrongCeremony {
                trustee: sender.get(),
            });
        }
        self.params.check(sender)
    }
}

impl fmt::Debug for CeremonyContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CeremonyContext")
            .field("ceremony", &self.ceremony)
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

/// A trustee excluded from the ceremony, and the check it failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Exclusion {
    trustee: TrusteeIndex,
    check: CeremonyCheck,
}

impl Exclusion {
    pub(crate) fn new(trustee: TrusteeIndex, check: CeremonyCheck) -> Self {
        Exclusion { trustee, check }
    }

    /// The trustee.
    pub fn trustee(&self) -> TrusteeIndex {
        self.trustee
    }

    /// The check it failed.
    pub fn check(&self) -> CeremonyCheck {
        self.check
    }

    /// The same as an [`Error::TrusteeRejected`].
    pub fn to_error(&self) -> Error {
        Error::TrusteeRejected {
            trustee: self.trustee.get(),
            check: self.check,
        }
    }
}

/// The public outcome of a ceremony: the public key package and who was excluded, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CeremonyOutcome {
    public: PublicKeyPackage,
    excluded: Vec<Exclusion>,
}

impl CeremonyOutcome {
    /// The joint key and the verification shares of the qualified trustees.
    pub fn public_key_package(&self) -> &PublicKeyPackage {
        &self.public
    }

    /// The excluded trustees, in increasing order, each with the first check it failed.
    pub fn excluded(&self) -> &[Exclusion] {
        &self.excluded
    }

    /// The qualified trustees (QUAL), in increasing order.
    pub fn qualified(&self) -> Vec<TrusteeIndex> {
        self.public.trustees().collect()
    }
}

/// Round 1 > Commit. Trustee `index` draws its communication key, its polynomial and a salt,
/// and returns the secret package to keep and the [`round1::Package`] to post.
///
/// Errors: [`Error::InvalidTrusteeIndex`] if `index > n`.
pub fn part1<R: RngCore + CryptoRng>(
    ctx: &CeremonyContext,
    index: TrusteeIndex,
    rng: &mut R,
) -> Result<(round1::SecretPackage, round1::Package)> {
    round1::commit(ctx, index, rng)
}

/// A cheating dealer for tests (feature `test-utils`): [`part2`], except that the share for
/// `victim` is wrong while the package is otherwise valid and proved.
#[cfg(feature = "test-utils")]
#[doc(hidden)]
pub fn part2_dealing_bad_share_for_tests_only<R: RngCore + CryptoRng>(
    secret: round1::SecretPackage,
    round1_packages: &[round1::Package],
    victim: TrusteeIndex,
    rng: &mut R,
) -> Result<(round2::SecretPackage, round2::Package)> {
    round2::reveal_dealing(secret, round1_packages, Some(victim), rng)
}

/// Round 2 > Reveal. Reads every round-1 package on the board (this trustee's included) and
/// returns the secret package to keep and the [`round2::Package`] to post: the opened
/// commitments with proofs of knowledge, and the encrypted shares for every other participant.
///
/// Errors: board errors ([`Error::WrongCeremony`], [`Error::InvalidTrusteeIndex`],
/// [`Error::DuplicateTrustee`]); [`Error::CeremonyFailed`] with fewer than t participants;
/// [`Error::InvalidValue`] if this trustee's own package is missing or altered.
pub fn part2<R: RngCore + CryptoRng>(
    secret: round1::SecretPackage,
    round1_packages: &[round1::Package],
    rng: &mut R,
) -> Result<(round2::SecretPackage, round2::Package)> {
    round2::reveal(secret, round1_packages, rng)
}

/// Round 3 > Check and complain. Reads every round-2 package on the board, checks the share
/// from every valid dealer, and returns the secret package to keep and the
/// [`round3::Package`] to post (its complaints, possibly none).
///
/// Errors: as [`part2`]; [`Error::TrusteeRejected`] if this trustee itself was excluded.
pub fn part3<R: RngCore + CryptoRng>(
    secret: round2::SecretPackage,
    round2_packages: &[round2::Package],
    rng: &mut R,
) -> Result<(round3::SecretPackage, round3::Package)> {
    round3::complain(secret, round2_packages, rng)
}

/// Round 4 > Finish. Reads every round-3 package on the board, resolves the complaints, fixes
/// QUAL and returns this trustee's [`KeyPackage`] (its share `x_j = Σ_{i∈QUAL} f_i(j)`, checked
/// against `Y_j`) with the public outcome, which equals [`verify_ceremony`]'s.
///
/// Errors: as [`part2`]; [`Error::CeremonyFailed`] with fewer than t qualified trustees;
/// [`Error::TrusteeRejected`] if this trustee was excluded, or if a qualified dealer's share to
/// it is bad but no complaint of this trustee's is on the board.
pub fn part4(
    secret: round3::SecretPackage,
    round3_packages: &[round3::Package],
) -> Result<(KeyPackage, CeremonyOutcome)> {
    let ctx = secret.ctx;
    let me = secret.index;
    let outcome = secret
        .board
        .resolve(&ctx, round3_packages, Some((me, &secret.package)))?;
    if let Some(e) = outcome.excluded.iter().find(|e| e.trustee == me) {
        return Err(e.to_error());
    }
    // Round 4, Step 3 > x_j = Σ_{i∈QUAL} f_i(j).
    let mut x = SecretKey::from_scalar(curve25519_dalek::scalar::Scalar::ZERO);
    for i in outcome.public.trustees() {
        let Some(received) = secret.shares.iter().find(|s| s.dealer == i) else {
            return Err(Error::TrusteeRejected {
                trustee: i.get(),
                check: CeremonyCheck::BadShare {
                    recipient: me.get(),
                },
            });
        };
        x = SecretKey::from_scalar(x.as_scalar() + received.share.as_scalar());
    }
    let key = KeyPackage::new(me, x, outcome.public.clone())?;
    Ok((key, outcome))
}

/// Computes the outcome of a ceremony from its public messages alone, exactly as every trustee
/// does in [`part4`]: the exclusions, QUAL, the joint key `Y = Σ_{i∈QUAL} C_{i,0}` and every
/// verification share `Y_j = Σ_{i∈QUAL} Σ_k j^k·C_{i,k}`.
///
/// Errors: as [`part4`], without the trustee-specific ones.
pub fn verify_ceremony(
    ctx: &CeremonyContext,
    round1_packages: &[round1::Package],
    round2_packages: &[round2::Package],
    round3_packages: &[round3::Package],
) -> Result<CeremonyOutcome> {
    let board1 = Board1::new(ctx, round1_packages)?;
    let board2 = Board2::new(ctx, board1, round2_packages)?;
    board2.resolve(ctx, round3_packages, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::Point;
    use curve25519_dalek::scalar::Scalar;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    fn ctx(fp: u8, t: u32, n: u32) -> CeremonyContext {
        CeremonyContext::new(
            ElectionContext::new([fp; 32]),
            ThresholdParams::new(t, n).unwrap(),
        )
    }

    fn idx(i: u32) -> TrusteeIndex {
        TrusteeIndex::new(i).unwrap()
    }

    #[test]
    fn ceremony_id_binds_fingerprint_and_parameters() {
        let a = ctx(1, 2, 3);
        assert_eq!(a.id(), ctx(1, 2, 3).id());
        assert_ne!(a.id(), ctx(2, 2, 3).id());
        assert_ne!(a.id(), ctx(1, 3, 3).id());
        assert_ne!(a.id(), ctx(1, 2, 4).id());
        assert_eq!(
            a.check_header(ctx(2, 2, 3).id(), idx(1)),
            Err(Error::WrongCeremony { trustee: 1 })
        );
        assert_eq!(
            a.check_header(a.id(), idx(4)),
            Err(Error::InvalidTrusteeIndex {
                index: 4,
                trustees: 3
            })
        );
    }

    #[test]
    fn share_encryption_round_trips_and_binds_sender_and_recipient() {
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        let c = ctx(1, 2, 3);
        let d = SecretKey::generate(&mut rng);
        let pk = d.public_key();
        let s = Scalar::from(123456789u64);
        let enc = share::encrypt(&c, idx(1), idx(2), &pk, &s, &mut rng);
        assert_eq!(enc.recipient(), idx(2));
        let k = share::dh_point(&d, &enc);
        assert_eq!(share::open(&c, idx(1), &enc, &k).map(|s| *s), Some(s));
        // Another sender, another ceremony or another DH point gives another pad.
        assert_ne!(share::open(&c, idx(3), &enc, &k).map(|s| *s), Some(s));
        assert_ne!(
            share::open(&ctx(9, 2, 3), idx(1), &enc, &k).map(|s| *s),
            Some(s)
        );
        let wrong = Point::from(k.element() + k.element());
        assert_ne!(share::open(&c, idx(1), &enc, &wrong).map(|s| *s), Some(s));
        // The ciphertext hides the share.
        assert_ne!(enc.ciphertext(), s.as_bytes());
    }

    #[test]
    fn hash_commitment_binds_everything_it_opens() {
        let c = ctx(1, 2, 3);
        let p1 = Point::generator();
        let p2 = Point::from(p1.element() + p1.element());
        let base = round1::commitment_digest(&c, idx(1), &[p1.clone(), p2.clone()], &[0; 32]);
        assert_eq!(
            base,
            round1::commitment_digest(&c, idx(1), &[p1.clone(), p2.clone()], &[0; 32])
        );
        for other in [
            round1::commitment_digest(&c, idx(2), &[p1.clone(), p2.clone()], &[0; 32]),
            round1::commitment_digest(&c, idx(1), &[p2.clone(), p1.clone()], &[0; 32]),
            round1::commitment_digest(&c, idx(1), core::slice::from_ref(&p1), &[0; 32]),
            round1::commitment_digest(&c, idx(1), &[p1.clone(), p2.clone()], &[1; 32]),
            round1::commitment_digest(&ctx(2, 2, 3), idx(1), &[p1.clone(), p2.clone()], &[0; 32]),
        ] {
            assert_ne!(base, other);
        }
    }

    #[test]
    fn one_of_one_ceremony() {
        let mut rng = ChaCha20Rng::seed_from_u64(6);
        let c = ctx(1, 1, 1);
        let (s1, p1) = part1(&c, idx(1), &mut rng).unwrap();
        let (s2, p2) = part2(s1, core::slice::from_ref(&p1), &mut rng).unwrap();
        assert!(p2.shares().is_empty());
        let (s3, p3) = part3(s2, core::slice::from_ref(&p2), &mut rng).unwrap();
        assert!(p3.complaints().is_empty());
        let (key, outcome) = part4(s3, core::slice::from_ref(&p3)).unwrap();
        assert_eq!(outcome, verify_ceremony(&c, &[p1], &[p2], &[p3]).unwrap());
        // With one trustee, its share is the key itself.
        assert_eq!(
            &key.verification_share(),
            outcome.public_key_package().joint_key().as_point()
        );
    }

    #[test]
    fn own_package_must_be_on_the_board() {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let c = ctx(1, 1, 2);
        let (s1, _p1) = part1(&c, idx(1), &mut rng).unwrap();
        let (_, p2) = part1(&c, idx(2), &mut rng).unwrap();
        let (_, other) = part1(&c, idx(1), &mut rng).unwrap();
        // Missing, or replaced by another package under this trustee's index.
        assert!(matches!(
            part2(s1, &[other, p2], &mut rng),
            Err(Error::InvalidValue { .. })
        ));
    }
}
