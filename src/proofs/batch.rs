//! Verification equations, checked as one random linear combination.
//!
//! Every proof's verification is a list of equations of the form
//!
//! ```text
//! b·G + Σ sᵢ·Kᵢ − Σ Rⱼ + Σ tₖ·Pₖ = 0
//! ```
//!
//! with G the generator, Kᵢ *shared* statement points that recur across a batch (election
//! keys), Rⱼ the proof's commitments and Pₖ other points. A [`BatchVerifier`] multiplies each
//! equation by an independent random 128-bit weight w, adds them all, and checks the sum with
//! one variable-time multiscalar multiplication. A false equation survives with probability at
//! most 2⁻¹²⁸ over the weights. Verifying one proof alone is a batch of one: its own equations
//! combined with fresh weights, in one multiscalar multiplication.
//!
//! The commitments get the weight itself, as `w·(−Rⱼ)`: the point is negated instead of the
//! scalar, so the scalar stays 128 bits long. Shared points are merged into one term each, and
//! a proof merges the terms of a point that appears in several of its equations (the α and β
//! of a membership proof appear once per branch).
//!
//! # Naming the culprits
//!
//! Equations are grouped into *items* (one ballot, one partial decryption). When the batch
//! fails, [`BatchVerifier::verify`] bisects: it checks each half with the same weights and
//! recurses into failing halves. With k invalid items among N, this costs at most
//! 2·k·⌈log₂ N⌉ further multiscalar multiplications, each over the points of its half, and
//! it names every invalid item.
//!
//! # Weights
//!
//! Weights come from a merlin transcript RNG keyed with 32 bytes from the operating system
//! ([`BatchVerifier::new`]), or with the caller's RNG ([`BatchVerifier::with_rng`]). They are
//! drawn after the proofs were made, so a prover cannot predict them.

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use merlin::{Transcript, TranscriptRng};
use rand_core::{CryptoRng, OsRng, RngCore};

use crate::domain::label;
use crate::error::{Error, ProofKind, Result};
use crate::group::Point;

#[derive(Default)]
struct Item {
    /// A proof of this item could not be checked at all (its shape did not match its
    /// statement): the item fails whatever its equations say.
    poisoned: bool,
    base: Scalar,
    /// (index into `BatchVerifier::shared`, coefficient)
    shared: Vec<(usize, Scalar)>,
    scalars: Vec<Scalar>,
    points: Vec<RistrettoPoint>,
}

/// Checks many proofs at once as one random linear combination.
///
/// Add proofs with their `verify_batched` methods; each call to [`BatchVerifier::begin_item`]
/// starts the next item (say, the next ballot). [`BatchVerifier::verify`] names the failing
/// items by index.
pub struct BatchVerifier {
    rng: TranscriptRng,
    shared: Vec<([u8; 32], RistrettoPoint)>,
    /// Finished items.
    items: Vec<Item>,
    /// The item being added to (part of the batch once `started`).
    current: Item,
    started: bool,
}

impl core::fmt::Debug for BatchVerifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BatchVerifier")
            .field("items", &self.len())
            .finish_non_exhaustive()
    }
}

impl Default for BatchVerifier {
    fn default() -> Self {
        Self::new()
    }
}

impl BatchVerifier {
    /// A batch whose weights are keyed by the operating system's RNG.
    pub fn new() -> Self {
        Self::with_rng(&mut OsRng)
    }

    /// A batch whose weights are keyed by the caller's RNG.
    pub fn with_rng<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        let mut t = Transcript::new(label::BATCH);
        t.append_message(b"dom-sep", label::BATCH);
        BatchVerifier {
            rng: t.build_rng().finalize(rng),
            shared: Vec::new(),
            items: Vec::new(),
            current: Item::default(),
            started: false,
        }
    }

    /// Starts the next item; the equations added after this belong to it.
    pub fn begin_item(&mut self) {
        if self.started {
            let done = core::mem::take(&mut self.current);
            self.items.push(done);
        }
        self.started = true;
    }

    /// Drops the current item and its equations (its proof could not even be parsed against
    /// the statement).
    pub(crate) fn discard_last_item(&mut self) {
        self.current = Item::default();
        self.started = false;
    }

    /// The number of items.
    pub fn len(&self) -> usize {
        self.items.len() + usize::from(self.started)
    }

    /// Whether the batch is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A fresh weight for the next equation: uniform in `0..2^128`.
    pub(crate) fn weight(&mut self) -> Scalar {
        let mut bytes = [0u8; 16];
        self.rng.fill_bytes(&mut bytes);
        Scalar::from(u128::from_le_bytes(bytes))
    }

    fn item(&mut self) -> &mut Item {
        self.started = true;
        &mut self.current
    }

    /// Marks the current item as failed: a proof of it was refused before any equation (its
    /// shape does not match its statement). Even a caller that ignores that error cannot get
    /// the item accepted.
    pub(crate) fn poison(&mut self) {
        self.item().poisoned = true;
    }

    /// Adds `s·G` to the current item.
    pub(crate) fn base(&mut self, s: Scalar) {
        self.item().base += s;
    }

    /// Adds `s·K` for a point K shared across the batch (merged into one term).
    pub(crate) fn shared(&mut self, s: Scalar, point: &Point) {
        let bytes = point.as_bytes();
        let index = match self.shared.iter().position(|(b, _)| b == bytes) {
            Some(i) => i,
            None => {
                self.shared.push((*bytes, *point.element()));
                self.shared.len() - 1
            }
        };
        let item = self.item();
        match item.shared.iter_mut().find(|(i, _)| *i == index) {
            Some((_, acc)) => *acc += s,
            None => item.shared.push((index, s)),
        }
    }

    /// Adds `−w·R` for a commitment R with its equation's weight w: the point is negated, so
    /// the scalar stays 128 bits long.
    pub(crate) fn commitment(&mut self, w: Scalar, point: &Point) {
        let item = self.item();
        item.scalars.push(w);
        item.points.push(-point.element());
    }

    /// Adds `s·P`.
    pub(crate) fn term(&mut self, s: Scalar, point: &RistrettoPoint) {
        let item = self.item();
        item.scalars.push(s);
        item.points.push(*point);
    }

    /// Checks one proof alone: its equations are combined with random weights and checked as
    /// one multiscalar multiplication (soundness error 2⁻¹²⁸ over the weights). A false
    /// proof gives [`Error::ProofRejected`] naming its kind.
    pub(crate) fn verify_one(
        kind: ProofKind,
        add: impl FnOnce(&mut BatchVerifier) -> Result<()>,
    ) -> Result<()> {
        let mut batch = BatchVerifier::new();
        batch.begin_item();
        add(&mut batch)?;
        if batch.check(core::slice::from_ref(&batch.current)) {
            Ok(())
        } else {
            Err(Error::ProofRejected { proof: kind })
        }
    }

    fn check(&self, items: &[Item]) -> bool {
        if items.iter().any(|item| item.poisoned) {
            return false;
        }
        let mut base = Scalar::ZERO;
        let mut shared = vec![Scalar::ZERO; self.shared.len()];
        let mut len = 0;
        for item in items {
            base += item.base;
            for (i, s) in &item.shared {
                if let Some(slot) = shared.get_mut(*i) {
                    *slot += s;
                }
            }
            len += item.points.len();
        }
        let mut scalars = Vec::with_capacity(1 + shared.len() + len);
        let mut points = Vec::with_capacity(1 + shared.len() + len);
        scalars.push(base);
        points.push(RISTRETTO_BASEPOINT_POINT);
        for (s, (_, p)) in shared.into_iter().zip(&self.shared) {
            scalars.push(s);
            points.push(*p);
        }
        for item in items {
            scalars.extend_from_slice(&item.scalars);
            points.extend_from_slice(&item.points);
        }
        RistrettoPoint::vartime_multiscalar_mul(&scalars, &points).is_identity()
    }

    fn bisect(&self, offset: usize, items: &[Item], bad: &mut Vec<usize>) {
        if items.is_empty() || self.check(items) {
            return;
        }
        if items.len() == 1 {
            bad.push(offset);
            return;
        }
        let (left, right) = items.split_at(items.len() / 2);
        self.bisect(offset, left, bad);
        self.bisect(offset + left.len(), right, bad);
    }

    /// Checks the whole batch; on failure, names every invalid item
    /// ([`Error::BatchRejected`]).
    pub fn verify(mut self) -> Result<()> {
        if self.started {
            let last = core::mem::take(&mut self.current);
            self.items.push(last);
            self.started = false;
        }
        if self.check(&self.items) {
            return Ok(());
        }
        let mut bad = Vec::new();
        let (left, right) = self.items.split_at(self.items.len() / 2);
        self.bisect(0, left, &mut bad);
        self.bisect(left.len(), right, &mut bad);
        if bad.is_empty() {
            // The whole failed but no part did: impossible for a linear combination, kept as a
            // defensive answer rather than a panic.
            bad.extend(0..self.items.len());
        }
        Err(Error::BatchRejected { items: bad })
    }
}
