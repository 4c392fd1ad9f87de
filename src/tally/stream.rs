//! Streaming verification of a round's ballots in bounded memory.
//!
//! # Ballot stream format
//!
//! A ballot stream holds the ballots of one round and contest, in board order:
//!
//! ```text
//! magic "tabella-ballots\x00" (16 bytes) ‖ version u32 (= 1)
//! then, per ballot: length u32 ‖ the ballot's canonical encoding (docs/SPEC.md §6)
//! ```
//!
//! and nothing after the last ballot. A length above [`MAX_BALLOT_LEN`] is rejected before
//! anything is allocated.
//!
//! # Verification
//!
//! [`verify_stream`] reads `chunk` ballots at a time, checks each chunk with one batch
//! verification ([`EncryptedBallot::verify_batch`], bisection names the bad ballots), rejects
//! repeated ids and repeated ciphertexts exactly as [`super::BallotBox::cast`] does, and sums
//! the accepted ballots into a [`PartialTally`] per chunk, merged in board order. It keeps
//! only one chunk of ballots, plus 32 bytes per id and per α for the duplicate checks. With
//! the `parallel` feature, `verify_stream_parallel` verifies several chunks at once on rayon's
//! pool; duplicates are still decided in board order, so both give the same tally.

use std::collections::HashSet;
use std::io::{Read, Write};

use crate::ballot::{BallotContext, BallotId, ContestSpec, EncryptedBallot, VerifiedBallot};
use crate::error::{Error, Result};
use crate::tally::{EncryptedTally, PartialTally};

/// The first bytes of a ballot stream.
pub const STREAM_MAGIC: &[u8; 16] = b"tabella-ballots\x00";
/// The ballot stream version.
pub const STREAM_VERSION: u32 = 1;
/// The longest ballot encoding a stream may hold (1 MiB).
pub const MAX_BALLOT_LEN: usize = 1 << 20;

fn io(e: &std::io::Error) -> Error {
    Error::Io { kind: e.kind() }
}

/// Writes a ballot stream.
#[derive(Debug)]
pub struct BallotStreamWriter<W: Write> {
    out: W,
    buffer: Vec<u8>,
}

impl<W: Write> BallotStreamWriter<W> {
    /// Starts a stream: writes the magic and version.
    pub fn new(mut out: W) -> Result<Self> {
        out.write_all(STREAM_MAGIC).map_err(|e| io(&e))?;
        out.write_all(&STREAM_VERSION.to_le_bytes())
            .map_err(|e| io(&e))?;
        Ok(BallotStreamWriter {
            out,
            buffer: Vec::new(),
        })
    }

    /// Appends one ballot.
    pub fn write(&mut self, ballot: &EncryptedBallot) -> Result<()> {
        self.buffer.clear();
        ballot.write(&mut self.buffer)?;
        self.write_encoded(&self.buffer.clone())
    }

    /// Appends one ballot given by its canonical encoding (not checked here).
    pub fn write_encoded(&mut self, encoding: &[u8]) -> Result<()> {
        let len = u32::try_from(encoding.len())
            .ok()
            .filter(|&l| l as usize <= MAX_BALLOT_LEN)
            .ok_or(Error::InvalidValue {
                what: "ballot stream",
                reason: "ballot longer than MAX_BALLOT_LEN",
            })?;
        self.out.write_all(&len.to_le_bytes()).map_err(|e| io(&e))?;
        self.out.write_all(encoding).map_err(|e| io(&e))
    }

    /// Flushes and returns the writer.
    pub fn finish(mut self) -> Result<W> {
        self.out.flush().map_err(|e| io(&e))?;
        Ok(self.out)
    }
}

/// Reads a ballot stream, one ballot at a time, in bounded memory.
#[derive(Debug)]
pub struct BallotStreamReader<R: Read> {
    input: R,
    buffer: Vec<u8>,
    read: u64,
}

impl<R: Read> BallotStreamReader<R> {
    /// Checks the magic and version.
    pub fn new(mut input: R) -> Result<Self> {
        let mut head = [0u8; 20];
        input.read_exact(&mut head).map_err(|e| io(&e))?;
        let (magic, version) = head.split_at(16);
        if magic != STREAM_MAGIC || version != STREAM_VERSION.to_le_bytes() {
            return Err(Error::InvalidValue {
                what: "ballot stream",
                reason: "wrong magic or version",
            });
        }
        Ok(BallotStreamReader {
            input,
            buffer: Vec::new(),
            read: 0,
        })
    }

    /// The number of ballots read so far.
    pub fn ballots_read(&self) -> u64 {
        self.read
    }

    /// The next ballot's encoding, or `None` at the clean end of the stream.
    pub fn next_encoded(&mut self) -> Result<Option<&[u8]>> {
        let mut len = [0u8; 4];
        let mut got = 0;
        while got < 4 {
            let rest = len.get_mut(got..).unwrap_or_default();
            match self.input.read(rest) {
                Ok(0) if got == 0 => return Ok(None),
                Ok(0) => {
                    return Err(Error::InvalidValue {
                        what: "ballot stream",
                        reason: "truncated length",
                    });
                }
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io(&e)),
            }
        }
        let len = u32::from_le_bytes(len) as usize;
        if len > MAX_BALLOT_LEN {
            return Err(Error::InvalidValue {
                what: "ballot stream",
                reason: "ballot longer than MAX_BALLOT_LEN",
            });
        }
        self.buffer.resize(len, 0);
        self.input
            .read_exact(&mut self.buffer)
            .map_err(|e| io(&e))?;
        self.read += 1;
        Ok(Some(&self.buffer))
    }

    /// The next ballot, decoded (and so validated), or `None` at the end.
    pub fn next_ballot(&mut self) -> Result<Option<EncryptedBallot>> {
        match self.next_encoded()? {
            Some(bytes) => EncryptedBallot::from_bytes(bytes).map(Some),
            None => Ok(None),
        }
    }

    /// Up to `n` next ballot encodings, not yet decoded (decoding, which decompresses every
    /// point, is left to the thread that verifies the chunk).
    pub fn next_chunk_encoded(&mut self, n: usize) -> Result<Vec<Vec<u8>>> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            match self.next_encoded()? {
                Some(b) => out.push(b.to_vec()),
                None => break,
            }
        }
        Ok(out)
    }

    /// Up to `n` next ballots; an undecodable ballot aborts the stream (the board is
    /// malformed, not one ballot).
    pub fn next_chunk(&mut self, n: usize) -> Result<Vec<EncryptedBallot>> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            match self.next_ballot()? {
                Some(b) => out.push(b),
                None => break,
            }
        }
        Ok(out)
    }
}

/// Progress of a streaming verification, reported after every chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Ballots read so far.
    pub read: u64,
    /// Ballots accepted into the tally so far.
    pub accepted: u64,
    /// Ballots rejected so far (invalid proofs or duplicates).
    pub rejected: u64,
}

/// The result of verifying a ballot stream.
#[derive(Clone, Debug)]
pub struct StreamOutcome {
    /// The encrypted tally of the accepted ballots.
    pub tally: EncryptedTally,
    /// Every rejected ballot, in board order, with the reason.
    pub rejected: Vec<(BallotId, Error)>,
}

/// The duplicate checks of a [`super::BallotBox`], kept as 32 bytes per id and per α.
struct Seen {
    ids: HashSet<BallotId>,
    alphas: HashSet<[u8; 32]>,
    capacity: Option<u64>,
}

impl Seen {
    fn new(contest: &ContestSpec) -> Self {
        Seen {
            ids: HashSet::new(),
            alphas: HashSet::new(),
            capacity: contest.capacity(),
        }
    }

    /// Admits a verified ballot if the box is not full, and neither its id nor any of its
    /// ciphertexts was seen (the same rules as [`crate::tally::BallotBox::cast`]).
    fn admit(&mut self, ballot: &VerifiedBallot) -> Result<()> {
        let id = *ballot.id();
        if let Some(capacity) = self.capacity {
            if self.ids.len() as u64 >= capacity {
                return Err(Error::BallotBoxFull {
                    ballot: id,
                    capacity,
                });
            }
        }
        if self.ids.contains(&id) {
            return Err(Error::DuplicateBallotId { ballot: id });
        }
        let alphas: Vec<[u8; 32]> = ballot
            .ballot()
            .ciphertexts()
            .iter()
            .map(|c| c.alpha().to_bytes())
            .collect();
        for (i, a) in alphas.iter().enumerate() {
            if self.alphas.contains(a) || alphas.iter().take(i).any(|b| b == a) {
                return Err(Error::DuplicateCiphertext { ballot: id });
            }
        }
        self.ids.insert(id);
        self.alphas.extend(alphas);
        Ok(())
    }
}

/// One verified chunk: its batch outcome and the tally of all its accepted ballots.
struct VerifiedChunk {
    accepted: Vec<VerifiedBallot>,
    rejected: Vec<(BallotId, Error)>,
    tally: PartialTally,
}

fn verify_chunk(encoded: Vec<Vec<u8>>, ctx: &BallotContext<'_>) -> Result<VerifiedChunk> {
    // An undecodable ballot aborts the stream: the board is malformed, not one ballot.
    let ballots = encoded
        .iter()
        .map(|e| EncryptedBallot::from_bytes(e))
        .collect::<Result<Vec<_>>>()?;
    drop(encoded);
    let outcome = EncryptedBallot::verify_batch(ballots, ctx);
    let mut tally = PartialTally::empty(ctx.contest.width());
    for b in &outcome.accepted {
        tally.add(b.ballot().ciphertexts())?;
    }
    Ok(VerifiedChunk {
        accepted: outcome.accepted,
        rejected: outcome.rejected,
        tally,
    })
}

/// The running state of a stream verification, folded chunk by chunk in board order: the box
/// rules (capacity, duplicates), the tally of the ballots kept, and the rejections.
struct Fold {
    seen: Seen,
    total: PartialTally,
    rejected: Vec<(BallotId, Error)>,
}

impl Fold {
    fn new(ctx: &BallotContext<'_>) -> Self {
        Fold {
            seen: Seen::new(ctx.contest),
            total: PartialTally::empty(ctx.contest.width()),
            rejected: Vec::new(),
        }
    }

    /// Folds a verified chunk. The chunk's own tally is used as is unless the box rules
    /// dropped a ballot, in which case the kept ballots are summed again.
    fn fold(&mut self, chunk: VerifiedChunk) -> Result<()> {
        self.rejected.extend(chunk.rejected);
        let mut kept = Vec::with_capacity(chunk.accepted.len());
        let mut dropped = false;
        for b in chunk.accepted {
            match self.seen.admit(&b) {
                Ok(()) => kept.push(b),
                Err(e) => {
                    dropped = true;
                    self.rejected.push((*b.id(), e));
                }
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
        StreamOutcome {
            tally: EncryptedTally {
                round: ctx.round,
                contest: ctx.contest.clone(),
                tally: self.total,
            },
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
        let ballots = reader.next_chunk_encoded(chunk.max(1))?;
        if ballots.is_empty() {
            break;
        }
        state.fold(verify_chunk(ballots, ctx)?)?;
        progress(state.progress(reader.ballots_read()));
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
    let read_group = |reader: &mut BallotStreamReader<R>| -> Result<Vec<Vec<Vec<u8>>>> {
        let mut group = Vec::with_capacity(threads.max(1));
        for _ in 0..threads.max(1) {
            let ballots = reader.next_chunk_encoded(chunk.max(1))?;
            if ballots.is_empty() {
                break;
            }
            group.push(ballots);
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
                    .map(|ballots| verify_chunk(ballots, ctx))
                    .collect::<Vec<_>>()
            },
            || {
                let folded = to_fold
                    .into_iter()
                    .try_for_each(|v| v.and_then(|v| state.fold(v)));
                (folded, read_group(reader))
            },
        );
        folded?;
        group = next?;
        pending = verified;
        progress(state.progress(reader.ballots_read()));
    }
    Ok(state.finish(ctx))
}
