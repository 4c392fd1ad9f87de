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
//! | 2 Reveal | [`part2`] | [`round2::Package`]: `C_{i,k}` + Schnorr PoKs, encrypted shares + PoKs of their ephemeral keys | [`round2::SecretPackage`] |
//! | 3 Check and complain | [`part3`] | [`round3::Package`]: complaints with revealed DH point + DLEQ | [`round3::SecretPackage`] |
//! | 4 Finish | [`part4`] | nothing | [`KeyPackage`] |
//!
//! The broadcasts go on a [`CeremonyBoard`]: entries `(author, bytes)`, where the author is
//! the trustee the board authenticated as the poster. Each `partN` reads the rounds it needs
//! from the board, which must hold the trustee's own message of round N − 1, unaltered.
//! [`verify_ceremony`] reads the same board and computes the same [`PublicKeyPackage`] and
//! exclusions, from public data alone: it is what an election-record verifier runs.
//!
//! A round is closed once the next one has started: a trustee checks that the earlier rounds
//! of the board still read as they did when it acted on them, and refuses to go on otherwise
//! ([`Error::CeremonyBoardChanged`]). The board must refuse entries to a closed round.
//!
//! # Who is excluded
//!
//! The board is read by one deterministic procedure, so every honest trustee and every
//! verifier excludes the same trustees ([`Exclusion`], with the [`CeremonyCheck`] failed).
//! One bad entry excludes its author, and the ceremony goes on while t trustees remain. For
//! every entry (author a, bytes b) of round r, in this order:
//!
//! 1. a outside `1..=n`: the entry is ignored;
//! 2. b does not start with the header of round r's message in this protocol version and this
//!    ceremony's id: the entry is ignored. It is a message of another kind, run, election or
//!    protocol version, so a replay from an earlier run never harms its author;
//! 3. b does not decode, or its sender field is not a: a is excluded
//!    ([`CeremonyCheck::Malformed`]);
//! 4. two different entries of a in round r: a is excluded ([`CeremonyCheck::Equivocation`]);
//! 5. the checks of the round:
//!    * round 1: no message ([`CeremonyCheck::Missing`]), or an invalid proof of the
//!      communication key: not a participant;
//!    * round 2: no message, t ≠ number of commitments, commitments that do not open the hash
//!      commitment, shares not exactly one per other participant, or an invalid proof of
//!      knowledge of a coefficient or of a share's ephemeral scalar: not a dealer;
//!    * round 3: a complaint that shows a bad share excludes the dealer; a complaint whose
//!      share was good (false) or whose proof fails (invalid) excludes the complainer.
//!      Complaints against trustees that are not dealers are ignored, and so are complaints
//!      from trustees that are not participants.
//!
//! QUAL is the set of dealers left. With fewer than t, the ceremony fails with
//! [`Error::CeremonyFailed`], naming every excluded trustee. docs/SPEC.md §11.1 has the
//! complete rules, with the order in which reasons are recorded.
//!
//! # What a complaint reveals
//!
//! A complaint of j against dealer i publishes `K = d_j·E_{i→j}`, which opens i's share to j.
//! It reveals nothing else because of a round-2 check: i proved knowledge of the ephemeral
//! scalar e of `E_{i→j} = e·G`, bound to the ceremony, i, j and the ciphertext, so K = e·PK_j
//! is a value i could compute itself. Without that proof a dealer could copy an honest
//! dealer's E into its own share to j, with a junk ciphertext, and j's complaint would decrypt
//! the honest dealer's share; t − 1 corrupted trustees would collect enough such shares to
//! interpolate every honest contribution and learn x. `SECURITY.md` has the attack and why a
//! uniqueness check on E would not stop it.
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
//! produces), t and n, and a 32-byte run nonce drawn for each run of the ceremony
//! ([`CeremonyContext::random`]). Its identifier
//!
//! ```text
//! T = ceremony.transcript("tabella.ceremony"); T.append_u64("t", t); T.append_u64("n", n)
//! T.append_message("run", run)
//! id = T.challenge_bytes("id", 32)
//! ```
//!
//! follows the header of every message, and every transcript of the ceremony starts fresh
//! with `ceremony.transcript(label)`, `append_message("ceremony", id)`,
//! `append_u64("sender", i)`. The share-encryption key hashes the id, the sender and the
//! recipient. So a rerun after [`Error::CeremonyFailed`], or a second election with an
//! identical manifest, is another ceremony: a message of one is never a message of the other.
//!
//! # Constant time
//!
//! Polynomial evaluation, share encryption and decryption, and proving run in constant time in
//! the secrets. Checks on public data (proofs, Feldman equations, complaint judgement) are
//! variable time.

pub mod round1;
pub mod round2;
pub mod round3;
pub mod state;

mod board;
mod reading;
mod share;

pub use board::{CeremonyBoard, CeremonyRound, MAX_ENTRIES, MAX_ENTRY_LEN, Posted};
pub use state::CeremonyState;

use core::fmt;

use merlin::Transcript;
use rand_core::{CryptoRng, RngCore};

use crate::domain::label;
use crate::elgamal::SecretKey;
use crate::encoding::Hex;
use crate::error::{CeremonyCheck, Error, Result};
use crate::threshold::keys::{KeyPackage, PublicKeyPackage};
use crate::threshold::params::{ThresholdParams, TrusteeIndex};
use crate::transcript::{ElectionContext, TranscriptExt};

use reading::{Reading1, Reading2};

/// Length of a ceremony identifier.
pub const CEREMONY_ID_LEN: usize = 32;

/// Length of a ceremony run nonce.
pub const CEREMONY_RUN_LEN: usize = 32;

/// Appends the length of a list of a ceremony message or of the board as a little-endian
/// `u32`. Every such list is bounded far below 2^32: at most [`crate::threshold::MAX_TRUSTEES`]
/// entries in a message (by construction and by decoding), at most [`MAX_ENTRIES`] entries of
/// at most [`MAX_ENTRY_LEN`] bytes on a board.
pub(crate) fn write_len(out: &mut Vec<u8>, len: usize) {
    out.extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_le_bytes());
}

/// The ceremony every message belongs to: the ceremony fingerprint, t and n, and the run.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct CeremonyContext {
    ceremony: ElectionContext,
    params: ThresholdParams,
    run: [u8; CEREMONY_RUN_LEN],
    id: [u8; CEREMONY_ID_LEN],
}

impl CeremonyContext {
    /// The run `run` of the ceremony with fingerprint `ceremony` (the manifest's ceremony
    /// context) and parameters `params`. A new run needs a new nonce: use
    /// [`CeremonyContext::random`] to start one, and this constructor to rebuild the context of
    /// a recorded run (the election record carries its nonce).
    pub fn new(
        ceremony: ElectionContext,
        params: ThresholdParams,
        run: [u8; CEREMONY_RUN_LEN],
    ) -> Self {
        let mut t = ceremony.transcript(label::CEREMONY);
        t.append_count(b"t", u64::from(params.threshold()));
        t.append_count(b"n", u64::from(params.trustees()));
        t.append_message(b"run", &run);
        let mut id = [0u8; CEREMONY_ID_LEN];
        t.challenge_bytes(b"id", &mut id);
        CeremonyContext {
            ceremony,
            params,
            run,
            id,
        }
    }

    /// A new run of the ceremony, with a run nonce drawn from `rng`.
    pub fn random<R: RngCore + CryptoRng>(
        ceremony: ElectionContext,
        params: ThresholdParams,
        rng: &mut R,
    ) -> Self {
        let mut run = [0u8; CEREMONY_RUN_LEN];
        rng.fill_bytes(&mut run);
        Self::new(ceremony, params, run)
    }

    /// The ceremony fingerprint.
    pub fn ceremony(&self) -> &ElectionContext {
        &self.ceremony
    }

    /// t and n.
    pub fn params(&self) -> ThresholdParams {
        self.params
    }

    /// The run nonce (public; the record carries it).
    pub fn run(&self) -> &[u8; CEREMONY_RUN_LEN] {
        &self.run
    }

    /// The identifier that follows the header of every message of this ceremony.
    pub fn id(&self) -> &[u8; CEREMONY_ID_LEN] {
        &self.id
    }

    /// A fresh transcript of this ceremony for a message of `sender`.
    pub(crate) fn transcript(&self, domain: &'static [u8], sender: TrusteeIndex) -> Transcript {
        let mut t = self.ceremony.transcript(domain);
        t.append_message(b"ceremony", &self.id);
        t.append_count(b"sender", u64::from(sender.get()));
        t
    }

    /// Checks the ceremony and sender fields of one message: this ceremony, and a sender in
    /// `1..=n`.
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
            .field("run", &format_args!("{}", Hex(&self.run)))
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
    board: &CeremonyBoard,
    victim: TrusteeIndex,
    rng: &mut R,
) -> Result<(round2::SecretPackage, round2::Package)> {
    round2::reveal_dealing(secret, board, Some(victim), |_, share| share, rng)
}

/// A cheating dealer for tests (feature `test-utils`): [`part2`], except that `replace` gets
/// each honestly encrypted share with its recipient and returns the share to post instead.
/// The commitments, their opening and the coefficient proofs (which bind every posted share)
/// are computed honestly after the replacement, so every structure check of round 2 except
/// the shares' own ephemeral proofs passes.
#[cfg(feature = "test-utils")]
#[doc(hidden)]
pub fn part2_replacing_shares_for_tests_only<R, F>(
    secret: round1::SecretPackage,
    board: &CeremonyBoard,
    replace: F,
    rng: &mut R,
) -> Result<(round2::SecretPackage, round2::Package)>
where
    R: RngCore + CryptoRng,
    F: FnMut(TrusteeIndex, round2::EncryptedShare) -> round2::EncryptedShare,
{
    round2::reveal_dealing(secret, board, None, replace, rng)
}

/// Round 2 > Reveal. Reads round 1 of the board (this trustee's own package must be there,
/// unaltered) and returns the secret package to keep and the [`round2::Package`] to post: the
/// opened commitments with proofs of knowledge, and the encrypted shares for every other
/// participant, each with a proof of knowledge of its ephemeral scalar.
///
/// Errors: [`Error::CeremonyFailed`] with fewer than t participants; [`Error::TrusteeRejected`]
/// if this trustee was excluded in round 1; [`Error::InvalidValue`] if its own package is
/// missing or altered.
pub fn part2<R: RngCore + CryptoRng>(
    secret: round1::SecretPackage,
    board: &CeremonyBoard,
    rng: &mut R,
) -> Result<(round2::SecretPackage, round2::Package)> {
    round2::reveal(secret, board, rng)
}

/// Round 3 > Check and complain. Reads round 2 of the board, checks the share from every
/// valid dealer, and returns the secret package to keep and the [`round3::Package`] to post
/// (its complaints, possibly none).
///
/// Errors: as [`part2`], for round 2; [`Error::CeremonyBoardChanged`] if round 1 of the board
/// no longer reads as it did in [`part2`].
pub fn part3<R: RngCore + CryptoRng>(
    secret: round2::SecretPackage,
    board: &CeremonyBoard,
    rng: &mut R,
) -> Result<(round3::SecretPackage, round3::Package)> {
    round3::complain(secret, board, rng)
}

/// Round 4 > Finish. Reads round 3 of the board, resolves the complaints, fixes QUAL and
/// returns this trustee's [`KeyPackage`] (its share `x_j = Σ_{i∈QUAL} f_i(j)`, checked against
/// `Y_j`) with the public outcome, which equals [`verify_ceremony`]'s on the same board.
///
/// Errors: as [`part3`], for round 3, and [`Error::CeremonyBoardChanged`] if round 1 or 2
/// changed; [`Error::CeremonyFailed`] with fewer than t qualified trustees;
/// [`Error::TrusteeRejected`] if this trustee was excluded, or if a qualified dealer's share to
/// it is bad but no complaint of this trustee's is on the board.
pub fn part4(
    secret: round3::SecretPackage,
    board: &CeremonyBoard,
) -> Result<(KeyPackage, CeremonyOutcome)> {
    let ctx = secret.ctx;
    let me = secret.index;
    secret.reading.check_unchanged(&ctx, board)?;
    let outcome = secret
        .reading
        .resolve(&ctx, board, Some((me, &secret.package)))?;
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

/// Computes the outcome of a ceremony from its board alone, exactly as every trustee does in
/// [`part4`]: the exclusions, QUAL, the joint key `Y = Σ_{i∈QUAL} C_{i,0}` and every
/// verification share `Y_j = Σ_{i∈QUAL} Σ_k j^k·C_{i,k}`.
///
/// Errors: [`Error::CeremonyFailed`] with fewer than t participants, dealers or qualified
/// trustees. No entry of the board is an error: each is ignored or excludes its author.
pub fn verify_ceremony(ctx: &CeremonyContext, board: &CeremonyBoard) -> Result<CeremonyOutcome> {
    let reading1 = Reading1::new(ctx, board)?;
    let reading2 = Reading2::new(ctx, reading1, board)?;
    reading2.resolve(ctx, board, None)
}

/// The entries of `board` that are not messages of this ceremony (rules 1 and 2 of the
/// reading: an author outside `1..=n`, or another kind, protocol version or ceremony id), by
/// round and author, in board order. Every trustee ignores them; a record, which holds exactly
/// its ceremony, must have none (the verifier's check 3).
pub fn foreign_entries(ctx: &CeremonyContext, board: &CeremonyBoard) -> Vec<(CeremonyRound, u32)> {
    reading::ignored(ctx, board)
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
            [0; 32],
        )
    }

    fn idx(i: u32) -> TrusteeIndex {
        TrusteeIndex::new(i).unwrap()
    }

    #[test]
    fn ceremony_id_binds_fingerprint_parameters_and_run() {
        let a = ctx(1, 2, 3);
        assert_eq!(a.id(), ctx(1, 2, 3).id());
        assert_ne!(a.id(), ctx(2, 2, 3).id());
        assert_ne!(a.id(), ctx(1, 3, 3).id());
        assert_ne!(a.id(), ctx(1, 2, 4).id());
        let params = ThresholdParams::new(2, 3).unwrap();
        let rerun = CeremonyContext::new(ElectionContext::new([1; 32]), params, [1; 32]);
        assert_eq!(rerun.run(), &[1; 32]);
        assert_ne!(a.id(), rerun.id());
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let r1 = CeremonyContext::random(ElectionContext::new([1; 32]), params, &mut rng);
        let r2 = CeremonyContext::random(ElectionContext::new([1; 32]), params, &mut rng);
        assert_ne!(r1.run(), r2.run());
        assert_ne!(r1.id(), r2.id());
        assert_eq!(
            CeremonyContext::new(*r1.ceremony(), r1.params(), *r1.run()),
            r1
        );
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
    fn share_encryption_round_trips_and_binds_dealer_and_recipient() {
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        let c = ctx(1, 2, 3);
        let d = SecretKey::generate(&mut rng);
        let pk = d.public_key();
        let s = Scalar::from(123456789u64);
        let enc = share::encrypt(&c, idx(1), idx(2), &pk, &s, &mut rng);
        assert_eq!(enc.recipient(), idx(2));
        assert_eq!(
            share::EncryptedShare::from_bytes(&enc.to_bytes()).unwrap(),
            enc
        );
        assert_eq!(enc.to_bytes().len(), share::ENCRYPTED_SHARE_LEN);
        let k = share::dh_point(&d, &enc);
        assert_eq!(share::open(&c, idx(1), &enc, &k).map(|s| *s), Some(s));
        // Another dealer, another ceremony or another DH point gives another pad.
        assert_ne!(share::open(&c, idx(3), &enc, &k).map(|s| *s), Some(s));
        assert_ne!(
            share::open(&ctx(9, 2, 3), idx(1), &enc, &k).map(|s| *s),
            Some(s)
        );
        let wrong = Point::from(k.element() + k.element());
        assert_ne!(share::open(&c, idx(1), &enc, &wrong).map(|s| *s), Some(s));
        // The ciphertext hides the share.
        assert_ne!(enc.ciphertext(), s.as_bytes());
        // The proof of the ephemeral key is bound to the ceremony, the dealer, the recipient
        // and the ciphertext.
        assert_eq!(enc.verify_ephemeral(&c, idx(1)), Ok(()));
        assert!(enc.verify_ephemeral(&c, idx(3)).is_err());
        assert!(enc.verify_ephemeral(&ctx(9, 2, 3), idx(1)).is_err());
        let mut bytes = enc.to_bytes();
        bytes[0] = 3;
        let other_recipient = share::EncryptedShare::from_bytes(&bytes).unwrap();
        assert!(other_recipient.verify_ephemeral(&c, idx(1)).is_err());
        let mut bytes = enc.to_bytes();
        bytes[36] ^= 1;
        let other_ct = share::EncryptedShare::from_bytes(&bytes).unwrap();
        assert!(other_ct.verify_ephemeral(&c, idx(1)).is_err());
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
        let mut board = CeremonyBoard::new();
        let (s1, p1) = part1(&c, idx(1), &mut rng).unwrap();
        board.post_round1(&p1).unwrap();
        let (s2, p2) = part2(s1, &board, &mut rng).unwrap();
        assert!(p2.shares().is_empty());
        board.post_round2(&p2).unwrap();
        let (s3, p3) = part3(s2, &board, &mut rng).unwrap();
        assert!(p3.complaints().is_empty());
        board.post_round3(&p3).unwrap();
        let (key, outcome) = part4(s3, &board).unwrap();
        assert_eq!(outcome, verify_ceremony(&c, &board).unwrap());
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
        let (s1, p1) = part1(&c, idx(1), &mut rng).unwrap();
        let (_, p2) = part1(&c, idx(2), &mut rng).unwrap();
        let (_, other) = part1(&c, idx(1), &mut rng).unwrap();
        // Replaced by another package under this trustee's index.
        let mut board = CeremonyBoard::new();
        board.post_round1(&other).unwrap();
        board.post_round1(&p2).unwrap();
        assert!(matches!(
            part2(s1, &board, &mut rng),
            Err(Error::InvalidValue { .. })
        ));
        // Next to another package under its index: an equivocation, and the trustee knows.
        let (s1, p1b) = part1(&c, idx(1), &mut ChaCha20Rng::seed_from_u64(7)).unwrap();
        assert_eq!(p1b, p1);
        board.post_round1(&p1).unwrap();
        assert_eq!(
            part2(s1, &board, &mut rng).map(|_| ()),
            Err(Error::TrusteeRejected {
                trustee: 1,
                check: CeremonyCheck::Equivocation { round: 1 }
            })
        );
    }

    #[test]
    fn a_trustee_refuses_a_board_whose_closed_round_changed() {
        let mut rng = ChaCha20Rng::seed_from_u64(8);
        let c = ctx(1, 2, 3);
        let mut board = CeremonyBoard::new();
        let mut secrets = Vec::new();
        for i in 1..=2 {
            let (s, p) = part1(&c, idx(i), &mut rng).unwrap();
            board.post_round1(&p).unwrap();
            secrets.push(s);
        }
        let s1 = secrets.remove(0);
        let (s2, p2) = part2(s1, &board, &mut rng).unwrap();
        board.post_round2(&p2).unwrap();
        // Trustee 3's round-1 message arrives after round 1 closed.
        let (_, late) = part1(&c, idx(3), &mut rng).unwrap();
        let mut changed = board.clone();
        changed.post_round1(&late).unwrap();
        assert_eq!(
            part3(s2, &changed, &mut rng).map(|_| ()),
            Err(Error::CeremonyBoardChanged { round: 1 })
        );
        // An entry that reading ignores (another ceremony's) changes nothing.
        let (_, foreign) = part1(&ctx(2, 2, 3), idx(3), &mut rng).unwrap();
        let mut ignored = board.clone();
        ignored.post_round1(&foreign).unwrap();
        let s1 = secrets.remove(0);
        assert!(part2(s1, &ignored, &mut rng).is_ok());
    }
}
