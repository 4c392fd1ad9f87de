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

/// Where one item's terms end in the batch's flat arrays, and its generator coefficient.
#[derive(Clone, Copy, Default)]
struct Item {
    /// A proof of this item could not be checked at all (its shape did not match its
    /// statement): the item fails whatever its equations say.
    poisoned: bool,
    base: Scalar,
    /// End (exclusive) of the item's terms in `BatchVerifier::scalars`/`points`.
    terms_end: usize,
    /// End (exclusive) of the item's shared terms in `BatchVerifier::shared_terms`.
    shared_end: usize,
}

/// How many weights are drawn from the RNG at once.
const WEIGHT_BUFFER: usize = 64;

/// Checks many proofs at once as one random linear combination.
///
/// Add proofs with their `verify_batched` methods; each call to [`BatchVerifier::begin_item`]
/// starts the next item (say, the next ballot). [`BatchVerifier::verify`] names the failing
/// items by index.
///
/// All items' terms live in flat arrays (an item is a range), so adding an equation does not
/// allocate per item, and weights are drawn from the RNG in blocks of 64.
pub struct BatchVerifier {
    rng: TranscriptRng,
    weights: [u8; 16 * WEIGHT_BUFFER],
    next_weight: usize,
    shared: Vec<([u8; 32], RistrettoPoint)>,
    /// (index into `shared`, coefficient), all items in order.
    shared_terms: Vec<(usize, Scalar)>,
    scalars: Vec<Scalar>,
    points: Vec<RistrettoPoint>,
    /// Finished items.
    items: Vec<Item>,
    /// The generator coefficient of the item being added to (part of the batch once
    /// `started`).
    current_base: Scalar,
    current_poisoned: bool,
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
            weights: [0; 16 * WEIGHT_BUFFER],
            next_weight: WEIGHT_BUFFER,
            shared: Vec::new(),
            shared_terms: Vec::new(),
            scalars: Vec::new(),
            points: Vec::new(),
            items: Vec::new(),
            current_base: Scalar::ZERO,
            current_poisoned: false,
            started: false,
        }
    }

    /// Reserves room for `items` more items of about `terms` terms each.
    pub fn reserve(&mut self, items: usize, terms: usize) {
        self.items.reserve(items);
        let total = items.saturating_mul(terms);
        self.scalars.reserve(total);
        self.points.reserve(total);
        self.shared_terms.reserve(items);
    }

    fn close_current(&mut self) {
        if self.started {
            self.items.push(Item {
                poisoned: self.current_poisoned,
                base: self.current_base,
                terms_end: self.points.len(),
                shared_end: self.shared_terms.len(),
            });
            self.current_base = Scalar::ZERO;
            self.current_poisoned = false;
            self.started = false;
        }
    }

    /// Starts the next item; the equations added after this belong to it.
    pub fn begin_item(&mut self) {
        self.close_current();
        self.started = true;
    }

    /// Drops the current item and its equations (its proof could not even be parsed against
    /// the statement).
    pub(crate) fn discard_last_item(&mut self) {
        let (terms, shared) = self
            .items
            .last()
            .map_or((0, 0), |i| (i.terms_end, i.shared_end));
        self.scalars.truncate(terms);
        self.points.truncate(terms);
        self.shared_terms.truncate(shared);
        self.current_base = Scalar::ZERO;
        self.current_poisoned = false;
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
        if self.next_weight >= WEIGHT_BUFFER {
            self.rng.fill_bytes(&mut self.weights);
            self.next_weight = 0;
        }
        let start = 16 * self.next_weight;
        self.next_weight += 1;
        let mut bytes = [0u8; 16];
        if let Some(chunk) = self.weights.get(start..start + 16) {
            bytes.copy_from_slice(chunk);
        }
        Scalar::from(u128::from_le_bytes(bytes))
    }

    /// Marks the current item as failed: a proof of it was refused before any equation (its
    /// shape does not match its statement). Even a caller that ignores that error cannot get
    /// the item accepted.
    pub(crate) fn poison(&mut self) {
        self.started = true;
        self.current_poisoned = true;
    }

    /// Adds a proof's equations with `add`; when they cannot even be written (the proof's
    /// shape does not match its statement), marks the current item as failed and returns the
    /// error, so that the batch rejects the item even if the caller ignores it.
    pub(crate) fn add_or_poison(
        &mut self,
        add: impl FnOnce(&mut BatchVerifier) -> Result<()>,
    ) -> Result<()> {
        let result = add(self);
        if result.is_err() {
            self.poison();
        }
        result
    }

    /// Adds `s·G` to the current item.
    pub(crate) fn base(&mut self, s: Scalar) {
        self.started = true;
        self.current_base += s;
    }

    /// Adds `s·K` for a point K shared across the batch (merged into one term).
    pub(crate) fn shared(&mut self, s: Scalar, point: &Point) {
        self.started = true;
        let bytes = point.as_bytes();
        let index = match self.shared.iter().position(|(b, _)| b == bytes) {
            Some(i) => i,
            None => {
                self.shared.push((*bytes, *point.element()));
                self.shared.len() - 1
            }
        };
        let first = self.items.last().map_or(0, |i| i.shared_end);
        let current = self.shared_terms.get_mut(first..).unwrap_or_default();
        match current.iter_mut().find(|(i, _)| *i == index) {
            Some((_, acc)) => *acc += s,
            None => self.shared_terms.push((index, s)),
        }
    }

    /// Adds `−w·R` for a commitment R with its equation's weight w: the point is negated, so
    /// the scalar stays 128 bits long.
    pub(crate) fn commitment(&mut self, w: Scalar, point: &Point) {
        self.started = true;
        self.scalars.push(w);
        self.points.push(-point.element());
    }

    /// Adds `s·P`.
    pub(crate) fn term(&mut self, s: Scalar, point: &RistrettoPoint) {
        self.started = true;
        self.scalars.push(s);
        self.points.push(*point);
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
        batch.close_current();
        if batch.check(0, batch.items.len()) {
            Ok(())
        } else {
            Err(Error::ProofRejected { proof: kind })
        }
    }

    /// Checks items `lo..hi` (finished items only).
    fn check(&self, lo: usize, hi: usize) -> bool {
        let (Some(items), Some(last)) = (self.items.get(lo..hi), hi.checked_sub(1)) else {
            return true;
        };
        let (terms_start, shared_start) = match lo.checked_sub(1).and_then(|i| self.items.get(i)) {
            Some(prev) => (prev.terms_end, prev.shared_end),
            None => (0, 0),
        };
        let (terms_end, shared_end) = match self.items.get(last) {
            Some(i) => (i.terms_end, i.shared_end),
            None => return true,
        };
        if items.iter().any(|i| i.poisoned) {
            return false;
        }
        let base: Scalar = items.iter().map(|i| i.base).sum();
        let mut shared = vec![Scalar::ZERO; self.shared.len()];
        for (i, s) in self
            .shared_terms
            .get(shared_start..shared_end)
            .unwrap_or_default()
        {
            if let Some(slot) = shared.get_mut(*i) {
                *slot += s;
            }
        }
        let scalars = self.scalars.get(terms_start..terms_end).unwrap_or_default();
        let points = self.points.get(terms_start..terms_end).unwrap_or_default();
        let shared_points = self.shared.iter().map(|(_, p)| p);
        RistrettoPoint::vartime_multiscalar_mul(
            core::iter::once(&base).chain(&shared).chain(scalars),
            core::iter::once(&RISTRETTO_BASEPOINT_POINT)
                .chain(shared_points)
                .chain(points),
        )
        .is_identity()
    }

    fn bisect(&self, lo: usize, hi: usize, bad: &mut Vec<usize>) {
        if lo >= hi || self.check(lo, hi) {
            return;
        }
        if hi - lo == 1 {
            bad.push(lo);
            return;
        }
        let mid = lo + (hi - lo) / 2;
        self.bisect(lo, mid, bad);
        self.bisect(mid, hi, bad);
    }

    /// Checks the whole batch; on failure, names every invalid item
    /// ([`Error::BatchRejected`]).
    pub fn verify(mut self) -> Result<()> {
        self.close_current();
        let n = self.items.len();
        if self.check(0, n) {
            return Ok(());
        }
        let mut bad = Vec::new();
        let mid = n / 2;
        self.bisect(0, mid, &mut bad);
        self.bisect(mid, n, &mut bad);
        if bad.is_empty() {
            // The whole failed but no part did: impossible for a linear combination, kept as a
            // defensive answer rather than a panic.
            bad.extend(0..n);
        }
        Err(Error::BatchRejected { items: bad })
    }
}
