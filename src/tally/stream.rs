//! Streaming verification of a round's box in bounded memory.
//!
//! # Ballot stream format
//!
//! A ballot stream holds the entries of one round's box (cast and challenged ballots), in
//! board order:
//!
//! ```text
//! header "tb" ‖ 0x0b (ballot stream) ‖ LE16(3)       (5 bytes, docs/SPEC.md §2.1)
//! then, per entry: tag u8 (1: cast, 2: challenged) ‖ LE32(len) ‖ the entry's encoding
//!                  (a ballot, §6.2, or a challenged ballot, §9; len ≤ MAX_BALLOT_LEN)
//! ```
//!
//! and nothing after the last entry. A length above [`MAX_BALLOT_LEN`] is rejected before
//! anything is allocated; a stream cut inside an entry is an error naming the entry.
//!
//! # Verification
//!
//! [`verify_stream`] reads `chunk` entries at a time, checks the cast ballots of each chunk
//! with one batch verification ([`EncryptedBallot::verify_batch`], bisection names the bad
//! ones) and each challenged ballot's opening, then applies the box rules
//! ([`super::admission`], the very rules of [`super::BallotBox`]) in board order, recomputes
//! the confirmation-code chain over the admitted entries, and sums the admitted cast ballots
//! into a [`PartialTally`] per chunk, merged in board order. It keeps only one chunk of
//! entries, plus 32 bytes per id and per α. With the `parallel` feature,
//! `verify_stream_parallel` verifies several chunks at once on rayon's pool; the rules are
//! still applied in board order, so both give the same tally, close and rejections as a box
//! fed the same entries.

use std::collections::HashMap;
use std::io::{Read, Write};

use crate::ballot::{BallotContext, BallotId, ChallengedBallot, EncryptedBallot, VerifiedBallot};
use crate::board::{BallotHash, BoxClose, BoxEntryKind, ConfirmationCode};
use crate::credential::{PublicCredential, SecondBallot};
use crate::domain::ObjectKind;
use crate::elgamal::Ciphertext;
use crate::encoding::header::{HEADER_LEN, header, read_header};
use crate::error::{Error, Result};
use crate::group::Reader;
use crate::tally::admission::Admission;
use crate::tally::{EncryptedTally, PartialTally};

/// The longest entry encoding a stream may hold (1 MiB).
pub const MAX_BALLOT_LEN: usize = 1 << 20;

fn io(e: &std::io::Error) -> Error {
    Error::Io { kind: e.kind() }
}

fn tag(kind: BoxEntryKind) -> u8 {
    match kind {
        BoxEntryKind::Cast => 1,
        BoxEntryKind::Challenged => 2,
    }
}

/// Writes a ballot stream.
#[derive(Debug)]
pub struct BallotStreamWriter<W: Write> {
    out: W,
    buffer: Vec<u8>,
}

impl<W: Write> BallotStreamWriter<W> {
    /// Starts a stream: writes its header.
    pub fn new(mut out: W) -> Result<Self> {
        out.write_all(&header(ObjectKind::BallotStream))
            .map_err(|e| io(&e))?;
        Ok(BallotStreamWriter {
            out,
            buffer: Vec::new(),
        })
    }

    /// Appends one cast ballot.
    pub fn write(&mut self, ballot: &EncryptedBallot) -> Result<()> {
        self.buffer.clear();
        ballot.write(&mut self.buffer)?;
        let encoding = core::mem::take(&mut self.buffer);
        let written = self.write_encoded(BoxEntryKind::Cast, &encoding);
        self.buffer = encoding;
        written
    }

    /// Appends one challenged ballot.
    pub fn write_challenged(&mut self, challenged: &ChallengedBallot) -> Result<()> {
        self.write_encoded(BoxEntryKind::Challenged, &challenged.to_bytes())
    }

    /// Appends one entry given by its canonical encoding (not checked here).
    pub fn write_encoded(&mut self, kind: BoxEntryKind, encoding: &[u8]) -> Result<()> {
        let len = u32::try_from(encoding.len())
            .ok()
            .filter(|&l| l as usize <= MAX_BALLOT_LEN)
            .ok_or(Error::InvalidValue {
                what: "ballot stream",
                reason: "entry longer than MAX_BALLOT_LEN",
            })?;
        self.out.write_all(&[tag(kind)]).map_err(|e| io(&e))?;
        self.out.write_all(&len.to_le_bytes()).map_err(|e| io(&e))?;
        self.out.write_all(encoding).map_err(|e| io(&e))
    }

    /// Flushes and returns the writer.
    pub fn finish(mut self) -> Result<W> {
        self.out.flush().map_err(|e| io(&e))?;
        Ok(self.out)
    }
}

/// One entry of a stream, not yet decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamEntry {
    /// Cast or challenged.
    pub kind: BoxEntryKind,
    /// The entry's canonical encoding.
    pub bytes: Vec<u8>,
}

/// Reads a ballot stream, one entry at a time, in bounded memory.
#[derive(Debug)]
pub struct BallotStreamReader<R: Read> {
    input: R,
    read: u64,
}

/// Reads exactly `buf.len()` bytes; `Ok(false)` if the input ends before the first byte.
fn read_full<R: Read>(input: &mut R, buf: &mut [u8]) -> Result<bool> {
    let mut got = 0;
    while got < buf.len() {
        let rest = buf.get_mut(got..).unwrap_or_default();
        match input.read(rest) {
            Ok(0) if got == 0 => return Ok(false),
            Ok(0) => {
                return Err(Error::InvalidValue {
                    what: "ballot stream",
                    reason: "the stream ends inside an entry",
                });
            }
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io(&e)),
        }
    }
    Ok(true)
}

impl<R: Read> BallotStreamReader<R> {
    /// Reads and checks the stream's header.
    pub fn new(mut input: R) -> Result<Self> {
        let mut head = [0u8; HEADER_LEN];
        if !read_full(&mut input, &mut head)? {
            return Err(Error::NotTabella {
                expected: ObjectKind::BallotStream,
            });
        }
        Reader::decode_all("ballot stream", &head, |r| {
            read_header(r, ObjectKind::BallotStream)
        })?;
        Ok(BallotStreamReader { input, read: 0 })
    }

    /// The number of entries read so far.
    pub fn entries_read(&self) -> u64 {
        self.read
    }

    /// The next entry, or `None` at the clean end of the stream.
    pub fn next_entry(&mut self) -> Result<Option<StreamEntry>> {
        let mut head = [0u8; 5];
        if !read_full(&mut self.input, &mut head)? {
            return Ok(None);
        }
        let [t, l0, l1, l2, l3] = head;
        let kind = match t {
            1 => BoxEntryKind::Cast,
            2 => BoxEntryKind::Challenged,
            _ => {
                return Err(Error::InvalidValue {
                    what: "ballot stream entry",
                    reason: "unknown entry tag",
                });
            }
        };
        let len = u32::from_le_bytes([l0, l1, l2, l3]) as usize;
        if len > MAX_BALLOT_LEN {
            return Err(Error::InvalidValue {
                what: "ballot stream entry",
                reason: "entry longer than MAX_BALLOT_LEN",
            });
        }
        let mut bytes = vec![0u8; len];
        if len > 0 && !read_full(&mut self.input, &mut bytes)? {
            return Err(Error::InvalidValue {
                what: "ballot stream",
                reason: "the stream ends inside an entry",
            });
        }
        self.read += 1;
        Ok(Some(StreamEntry { kind, bytes }))
    }

    /// Up to `n` next entries, not yet decoded (decoding, which decompresses every point, is
    /// left to the thread that verifies the chunk).
    pub fn next_chunk(&mut self, n: usize) -> Result<Vec<StreamEntry>> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            match self.next_entry()? {
                Some(e) => out.push(e),
                None => break,
            }
        }
        Ok(out)
    }
}

/// Progress of a streaming verification, reported after every chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Entries read so far.
    pub read: u64,
    /// Ballots accepted into the tally so far.
    pub accepted: u64,
    /// Ballots rejected so far (invalid proofs or duplicates).
    pub rejected: u64,
}

/// The result of verifying a ballot stream.
#[derive(Clone, Debug)]
pub struct StreamOutcome {
    /// The encrypted tally of the admitted cast ballots, with the close of the box they make
    /// (chain head over the admitted entries, cast and challenged counts).
    pub tally: EncryptedTally,
    /// The confirmation code of every admitted entry, in board order.
    pub codes: Vec<ConfirmationCode>,
    /// Every refused entry, in board order, with the reason.
    pub rejected: Vec<(BallotId, Error)>,
}

/// One entry of a verified chunk, in board order.
enum Checked {
    Cast(VerifiedBallot, BallotHash),
    Challenged(ChallengedBallot),
    Refused(BallotId, Error),
}

/// One verified chunk: its entries in order, and the tally of all its valid cast ballots.
struct VerifiedChunk {
    entries: Vec<Checked>,
    tally: PartialTally,
}

fn verify_chunk(entries: Vec<StreamEntry>, ctx: &BallotContext<'_>) -> Result<VerifiedChunk> {
    // Decode first: an undecodable entry aborts the stream (the board is malformed, not one
    // ballot).
    enum Decoded {
        Cast(BallotHash),
        Challenged(Box<ChallengedBallot>),
    }
    let mut decoded = Vec::with_capacity(entries.len());
    let mut ballots = Vec::new();
    for entry in entries {
        match entry.kind {
            BoxEntryKind::Cast => {
                let ballot = EncryptedBallot::from_bytes(&entry.bytes)?;
                let hash = BallotHash::of_bytes(ctx.election, ctx.round, &entry.bytes);
                decoded.push(Decoded::Cast(hash));
                ballots.push(ballot);
            }
            BoxEntryKind::Challenged => {
                decoded.push(Decoded::Challenged(Box::new(ChallengedBallot::from_bytes(
                    &entry.bytes,
                )?)));
            }
        }
    }
    let outcome = EncryptedBallot::verify_batch_in_order(ballots, ctx);
    let mut tally = PartialTally::empty(ctx.contest.width());
    let mut verdicts = outcome.into_iter();
    let mut out = Vec::with_capacity(decoded.len());
    for d in decoded {
        out.push(match d {
            Decoded::Cast(hash) => match verdicts.next() {
                Some(Ok(b)) => {
                    tally.add(b.ballot().ciphertexts())?;
                    Checked::Cast(b, hash)
                }
                Some(Err((id, e))) => Checked::Refused(id, e),
                None => {
                    return Err(Error::InvalidValue {
                        what: "ballot stream",
                        reason: "a verdict is missing",
                    });
                }
            },
            Decoded::Challenged(c) => match c.verify(ctx) {
                Ok(()) => Checked::Challenged(*c),
                Err(e) => Checked::Refused(*c.id(), e),
            },
        });
    }
    Ok(VerifiedChunk {
        entries: out,
        tally,
    })
}

/// The running state of a stream verification, folded chunk by chunk in board order: the box
/// rules, the chain, the tally of the ballots admitted, and the refusals.
struct Fold {
    admission: Admission,
    /// Where a second ballot replaces the first: each credential's counted ciphertexts.
    latest: HashMap<PublicCredential, Vec<Ciphertext>>,
    head: ConfirmationCode,
    codes: Vec<ConfirmationCode>,
    challenged: u64,
    total: PartialTally,
    rejected: Vec<(BallotId, Error)>,
}

impl Fold {
    fn new(ctx: &BallotContext<'_>) -> Self {
        Fold {
            admission: Admission::new(ctx.contest, ctx.eligibility),
            latest: HashMap::new(),
            head: ConfirmationCode::genesis(ctx.election, ctx.round),
            codes: Vec::new(),
            challenged: 0,
            total: PartialTally::empty(ctx.contest.width()),
            rejected: Vec::new(),
        }
    }

    /// Folds a verified chunk. The chunk's own tally is used as is unless the box rules
    /// refused a valid cast ballot, in which case the admitted ones are summed again.
    fn fold(&mut self, chunk: VerifiedChunk, ctx: &BallotContext<'_>) -> Result<()> {
        let mut kept = Vec::with_capacity(chunk.entries.len());
        let mut dropped = false;
        let mut replaced = Vec::new();
        let revoting = ctx
            .eligibility
            .is_some_and(|e| e.second_ballot == SecondBallot::Replaces);
        for entry in chunk.entries {
            match entry {
                Checked::Cast(b, hash) => match self.admission.cast(b.ballot()) {
                    Ok(replaces) => {
                        self.head = self.head.next_cast(ctx.election, ctx.round, &hash);
                        self.codes.push(self.head);
                        if let (true, Some(c)) = (revoting, b.ballot().credential()) {
                            let earlier = self.latest.insert(*c, b.ballot().ciphertexts().to_vec());
                            if let (Some(_), Some(old)) = (replaces, earlier) {
                                replaced.push(old);
                            }
                        }
                        kept.push(b);
                    }
                    Err(e) => {
                        dropped = true;
                        self.rejected.push((*b.id(), e));
                    }
                },
                Checked::Challenged(c) => match self.admission.challenge(c.ballot()) {
                    Ok(()) => {
                        self.head = self.head.next_challenged(ctx.election, ctx.round, &c);
                        self.codes.push(self.head);
                        self.challenged += 1;
                    }
                    Err(e) => self.rejected.push((*c.id(), e)),
                },
                Checked::Refused(id, e) => self.rejected.push((id, e)),
            }
        }
        let tally = if dropped {
            let mut tally = PartialTally::empty(self.total.sums().len());
            for b in &kept {
                tally.add(b.ballot().ciphertexts())?;
            }
            tally
        } else {
            chunk.tally
        };
        let total = core::mem::replace(&mut self.total, PartialTally::empty(0));
        self.total = total.merge(&tally)?;
        // A replaced ballot was summed (in this chunk or an earlier one): take it out.
        for old in replaced {
            self.total.remove(&old)?;
        }
        Ok(())
    }

    fn progress(&self, read: u64) -> Progress {
        Progress {
            read,
            accepted: self.total.ballots(),
            rejected: self.rejected.len() as u64,
        }
    }

    fn finish(self, ctx: &BallotContext<'_>) -> StreamOutcome {
        let close = BoxClose::new(
            ctx.round,
            self.head,
            self.admission.cast_count(),
            self.challenged,
        )
        .with_replaced(self.admission.replaced_count());
        StreamOutcome {
            tally: EncryptedTally {
                contest: ctx.contest.clone(),
                tally: self.total,
                close,
            },
            codes: self.codes,
            rejected: self.rejected,
        }
    }
}

/// Verifies a ballot stream for `ctx` on one thread, `chunk` ballots per batch, and returns
/// the encrypted tally of the valid, non-duplicate ballots. `progress` is called after every
/// chunk.
pub fn verify_stream<R: Read>(
    reader: &mut BallotStreamReader<R>,
    ctx: &BallotContext<'_>,
    chunk: usize,
    mut progress: impl FnMut(Progress),
) -> Result<StreamOutcome> {
    let mut state = Fold::new(ctx);
    loop {
        let entries = reader.next_chunk(chunk.max(1))?;
        if entries.is_empty() {
            break;
        }
        state.fold(verify_chunk(entries, ctx)?, ctx)?;
        progress(state.progress(reader.entries_read()));
    }
    Ok(state.finish(ctx))
}

/// Like [`verify_stream`], with `threads` chunks read and verified at once on rayon's global
/// pool. The tally and the rejections are the same as [`verify_stream`]'s.
///
/// The work is pipelined: while the pool verifies one group of chunks, the calling thread
/// folds the previous group into the tally (in board order) and reads the next one.
#[cfg(feature = "parallel")]
pub fn verify_stream_parallel<R: Read + Send>(
    reader: &mut BallotStreamReader<R>,
    ctx: &BallotContext<'_>,
    chunk: usize,
    threads: usize,
    mut progress: impl FnMut(Progress),
) -> Result<StreamOutcome> {
    use rayon::prelude::*;
    let mut state = Fold::new(ctx);
    let read_group = |reader: &mut BallotStreamReader<R>| -> Result<Vec<Vec<StreamEntry>>> {
        let mut group = Vec::with_capacity(threads.max(1));
        for _ in 0..threads.max(1) {
            let entries = reader.next_chunk(chunk.max(1))?;
            if entries.is_empty() {
                break;
            }
            group.push(entries);
        }
        Ok(group)
    };
    let mut group = read_group(reader)?;
    let mut pending: Vec<Result<VerifiedChunk>> = Vec::new();
    while !group.is_empty() || !pending.is_empty() {
        let to_fold = core::mem::take(&mut pending);
        let (verified, (folded, next)) = rayon::join(
            || {
                group
                    .into_par_iter()
                    .map(|entries| verify_chunk(entries, ctx))
                    .collect::<Vec<_>>()
            },
            || {
                let folded = to_fold
                    .into_iter()
                    .try_for_each(|v| v.and_then(|v| state.fold(v, ctx)));
                (folded, read_group(reader))
            },
        );
        folded?;
        group = next?;
        pending = verified;
        progress(state.progress(reader.entries_read()));
    }
    Ok(state.finish(ctx))
}
