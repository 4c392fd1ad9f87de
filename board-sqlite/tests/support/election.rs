//! A whole election on a board, for this crate's tests and example: the officials (an
//! administrator and three trustees, 2 of 3 to decrypt), a one-round choose-one contest
//! between three candidates, and a list of ballots that anyone can recompute: ballot `k`'s
//! vote, id and encryption randomness all come from `ChaCha20Rng::seed_from_u64(k)`.
//!
//! Included with `#[path]` by each test (and the example) that needs it, so that it is not a
//! test target of its own.
#![allow(dead_code)] // each includer uses part of it

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use tabella::ballot::{BallotId, EncryptedBallot, Selection};
use tabella::board::Store;
use tabella::election::board::{Administrator, BoardElection, RoundContext, simulate_ceremony};
use tabella::election::replay::RoundEnd;
use tabella::election::{Authorities, Manifest, RoundKind, Trustee};
use tabella::elgamal::SecretKey;
use tabella::rules::{Base, Comparison, ElectionRules, Fraction, MajorityRule, RuleSchedule};
use tabella::threshold::TrusteeIndex;

/// The number of candidates (and of options on the ballot).
pub const CANDIDATES: u32 = 3;

/// The administrator, the trustees and the manifest of one election.
pub struct Officials {
    /// Signs the administrator's entries.
    pub admin: Administrator,
    /// Trustees 1, 2, 3 (their state lives in memory only).
    pub trustees: Vec<Trustee>,
    /// The manifest, with their keys as its authorities.
    pub manifest: Manifest,
}

fn rng(seed: u64, step: &str) -> ChaCha20Rng {
    let mut s = [0u8; 32];
    s[..8].copy_from_slice(&seed.to_le_bytes());
    for (b, c) in s[8..].iter_mut().zip(step.bytes()) {
        *b = c;
    }
    ChaCha20Rng::from_seed(s)
}

impl Officials {
    /// The officials of election `title` for `eligible` voters; their keys come from `seed`.
    pub fn new(title: &str, eligible: u64, seed: u64) -> Self {
        let mut rng = rng(seed, "keys");
        let admin = Administrator::generate(&mut rng);
        let trustees: Vec<Trustee> = (1..=3u32)
            .map(|i| Trustee::new(TrusteeIndex::new(i).unwrap(), SecretKey::generate(&mut rng)))
            .collect();
        let authorities = Authorities::new(
            admin.public_key(),
            trustees.iter().map(Trustee::public_key).collect(),
        )
        .unwrap();
        let rule = MajorityRule::new(
            Comparison::MoreThan,
            Fraction::new(1, 2).unwrap(),
            Base::PresentAndVoting,
        )
        .unwrap();
        let rules = ElectionRules::with_schedule(RuleSchedule::new([(1, rule)]).unwrap());
        let manifest = Manifest::builder(title)
            .members(eligible)
            .eligible(eligible)
            .candidates(["Ada", "Grace", "Edsger"])
            .rules(rules)
            .threshold(2)
            .trustees(3)
            .authorities(authorities)
            .build()
            .unwrap();
        Officials {
            admin,
            trustees,
            manifest,
        }
    }

    /// Posts the manifest, runs the key ceremony and opens round 1 (choose one).
    pub fn open<S: Store>(&mut self, board: &mut BoardElection<S>, seed: u64) {
        let mut rng = rng(seed, "open");
        let manifest = self.admin.manifest(&self.manifest, &mut rng).unwrap();
        board.post(manifest).unwrap();
        simulate_ceremony(board, &self.admin, &mut self.trustees, &mut rng).unwrap();
        let open = self
            .admin
            .open_round(board.replay(), board.head(), RoundKind::ChooseOne, &mut rng)
            .unwrap();
        board.post(open).unwrap();
    }

    /// Closes the round, posts every trustee's partial decryption and the result; returns
    /// the decrypted votes per candidate.
    pub fn finish<S: Store>(&mut self, board: &mut BoardElection<S>, seed: u64) -> Vec<u64> {
        let mut rng = rng(seed, "finish");
        let close = self
            .admin
            .close_round(board.replay(), board.head(), &mut rng)
            .unwrap();
        board.post(close).unwrap();
        for trustee in &mut self.trustees {
            let partial = trustee
                .decrypt(board.replay(), board.head(), &mut rng)
                .unwrap();
            board.post(partial).unwrap();
        }
        let result = self
            .admin
            .result(board.replay(), board.head(), &mut rng)
            .unwrap();
        board.post(result).unwrap();
        decided_totals(board)
    }
}

/// The votes per candidate of the last decided round on `board`.
pub fn decided_totals<S: Store>(board: &BoardElection<S>) -> Vec<u64> {
    match board.replay().history().last().map(|h| &h.end) {
        Some(RoundEnd::Decided(d)) => d.outcome.totals.options().to_vec(),
        other => panic!("no decided round: {other:?}"),
    }
}

/// Ballot `k`'s choice (an option index).
pub fn choice(k: u64) -> u32 {
    ChaCha20Rng::seed_from_u64(k).next_u32() % CANDIDATES
}

/// Ballot `k`, encrypted in `ctx`: the same bytes every time it is made.
pub fn ballot(ctx: &RoundContext, k: u64) -> EncryptedBallot {
    let mut rng = ChaCha20Rng::seed_from_u64(k);
    let choice = rng.next_u32() % CANDIDATES;
    let id = BallotId::random(&mut rng);
    let bc = ctx.ballot_context();
    let selection = Selection::new(bc.contest, &[choice]).unwrap();
    EncryptedBallot::encrypt(&bc, &selection, id, None, &mut rng)
        .unwrap()
        .0
}

/// Ballot `k`'s id, without encrypting it.
pub fn ballot_id(k: u64) -> BallotId {
    let mut rng = ChaCha20Rng::seed_from_u64(k);
    let _choice = rng.next_u32();
    BallotId::random(&mut rng)
}

/// The votes per candidate of ballots `ks`.
pub fn expected_totals(ks: impl IntoIterator<Item = u64>) -> Vec<u64> {
    let mut totals = vec![0u64; CANDIDATES as usize];
    for k in ks {
        totals[choice(k) as usize] += 1;
    }
    totals
}

/// A fresh directory under the temp dir, removed when dropped.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    /// A new empty directory named after `name` and this process.
    pub fn new(name: &str) -> Self {
        let path =
            std::env::temp_dir().join(format!("tabella-sqlite-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    /// A path in the directory.
    pub fn join(&self, name: &str) -> std::path::PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
