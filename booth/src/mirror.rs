//! The booth's own copy of the board: every entry the server serves, replayed by the library's
//! [`BoardElection`] on a [`MemoryStore`] — the same checks as the verifier's — and each head
//! compared with the one the server names.
//!
//! The booth never takes the server's word for the election: the key it encrypts to, the
//! round, the candidates, the contest and the roll all come from entries it has checked
//! itself, signed by the keys of the manifest (the first entry). What the voter compares with
//! the administrator's announcement is the election fingerprint the booth shows.

use serde::Deserialize;
use serde_json::{Value, json};
use tabella::ballot::EncryptedBallot;
use tabella::board::chain::Head;
use tabella::board::{EntryKind, MemoryStore};
use tabella::election::BoardElection;
use tabella::encoding::to_hex;
use tabella::record::EntryJson;

use crate::error::{BoothError, Result};

/// The booth's copy of the board.
#[derive(Debug)]
pub struct Mirror {
    board: BoardElection<MemoryStore>,
}

/// A page of `GET /api/entries`.
#[derive(Deserialize)]
struct Page {
    from: u64,
    total: u64,
    entries: Vec<EntryJson>,
}

impl Mirror {
    /// An empty copy.
    ///
    /// Errors: none in practice (an empty store replays nothing); the library's error if
    /// opening an empty board ever failed.
    pub fn new() -> Result<Self> {
        Ok(Mirror {
            board: BoardElection::open(MemoryStore::new()).map_err(BoothError::Board)?,
        })
    }

    /// The election as the booth has checked it so far.
    pub fn election(&self) -> &BoardElection<MemoryStore> {
        &self.board
    }

    /// The number of entries checked.
    pub fn len(&self) -> u64 {
        self.board.len()
    }

    /// Whether no entry was read yet.
    pub fn is_empty(&self) -> bool {
        self.board.is_empty()
    }

    /// Reads one page of `GET /api/entries` (`{from, to, total, entries}`, each entry in the
    /// record's JSON form, [`EntryJson`]): checks that each entry's head is the chain's (the
    /// head before it, then its bytes), and applies each in order. The page must start where
    /// the copy ends. Consecutive ballots are verified in one batch. At the first entry that
    /// fails nothing after it is applied: the copy is always a prefix of the board. Returns
    /// how many entries the copy holds and how many the server says it has, so that the
    /// caller asks for the next page while `len < total`.
    ///
    /// Errors: [`BoothError::Server`] for anything that is not such a page, an entry whose
    /// kind, author or head is not its own, or a repeated ballot; [`BoothError::Board`] for
    /// an entry that breaks the protocol.
    pub fn read_page(&mut self, page: &str) -> Result<(u64, u64)> {
        let page: Page = serde_json::from_str(page)
            .map_err(|e| BoothError::Server(format!("a board page that is not one: {e}")))?;
        if page.from != self.len() {
            return Err(BoothError::Server(format!(
                "a board page from entry {}, where the booth's copy holds {}",
                page.from,
                self.len()
            )));
        }
        let end = page.from.saturating_add(page.entries.len() as u64);
        if end > page.total {
            return Err(BoothError::Server(format!(
                "entries up to {end}, more than the total it names ({})",
                page.total
            )));
        }
        // Consecutive ballots are verified as one batch (one multiscalar multiplication), as
        // the operator does; every other entry is applied on its own.
        let mut ballots: Vec<(EncryptedBallot, Head)> = Vec::new();
        let mut head = self.board.head();
        for (at, item) in (page.from..).zip(&page.entries) {
            let (entry, next) = item
                .decode(&head)
                .map_err(|e| BoothError::Server(format!("entry {at}: {e}")))?;
            head = next;
            if entry.kind() == EntryKind::Ballot && self.board.round_context().is_some() {
                if let Ok(ballot) = EncryptedBallot::from_bytes(entry.body()) {
                    ballots.push((ballot, next));
                    continue;
                }
            }
            self.cast_pending(&mut ballots)?;
            let k = self.len();
            self.board.post(entry).map_err(BoothError::Board)?;
            self.check_head(k, &next)?;
        }
        self.cast_pending(&mut ballots)?;
        Ok((self.len(), page.total))
    }

    /// Applies the ballots read and not yet applied: their proofs and signatures verified in
    /// one batch (one multiscalar multiplication), then each applied in order by the board's
    /// rules and its head checked. The copy stays a prefix of the board: at the first ballot
    /// that fails, nothing after it is applied.
    fn cast_pending(&mut self, ballots: &mut Vec<(EncryptedBallot, Head)>) -> Result<()> {
        if ballots.is_empty() {
            return Ok(());
        }
        let (batch, heads): (Vec<_>, Vec<_>) = core::mem::take(ballots).into_iter().unzip();
        let ctx = self.board.round_context().ok_or(BoothError::NoOpenRound)?;
        let verdicts = EncryptedBallot::verify_batch_in_order(batch, &ctx.ballot_context());
        for (verdict, head) in verdicts.into_iter().zip(heads) {
            let k = self.len();
            let result = self.board.cast_verified(vec![verdict]).into_iter().next();
            match result {
                Some(Ok(_)) if self.len() == k + 1 => {}
                // Acknowledged without an entry: the server's board repeats a ballot, which
                // no board may.
                Some(Ok(_)) => {
                    return Err(BoothError::Server(format!(
                        "entry {k}: a ballot already on the board"
                    )));
                }
                Some(Err(tabella::Error::EntryRefused(mut failure))) => {
                    failure.entry = Some(k);
                    return Err(BoothError::Board(tabella::Error::EntryRefused(failure)));
                }
                Some(Err(e)) => return Err(BoothError::Board(e)),
                None => return Err(BoothError::Step("a ballot without a verdict")),
            }
            self.check_head(k, &head)?;
        }
        Ok(())
    }

    /// The head after entry `k` is `head` (it is, when the copy applied the bytes the page
    /// named: a check that the copy appended exactly those bytes).
    fn check_head(&self, k: u64, head: &Head) -> Result<()> {
        if self.board.head() != *head {
            return Err(BoothError::Server(format!(
                "entry {k} with head {}, where the booth's copy gives {}",
                to_hex(&head.0),
                to_hex(&self.board.head().0)
            )));
        }
        Ok(())
    }

    /// What the page shows of the election and its open round, as JSON: `title`,
    /// `fingerprint` (hex), `entries`, `head`, and `round` (`null` when no round is open:
    /// else `number`, `kind`, `question`, `options` (labels in ballot order), `abstention`,
    /// `rule`, `roll`, `second_ballot`, `ballots`).
    pub fn summary(&self) -> Value {
        let replay = self.board.replay();
        let manifest = replay.manifest();
        let election = replay.election();
        let round = match (replay.open_round(), manifest) {
            (Some(open), Some(manifest)) => {
                let options = open.option_labels(manifest);
                let question = match open.kind() {
                    tabella::election::RoundKind::ChooseOne => {
                        "Choose one candidate, or abstain".to_string()
                    }
                    tabella::election::RoundKind::YesNo { candidate } => format!(
                        "Yes or no on {}, or abstain",
                        manifest
                            .candidates()
                            .get(candidate)
                            .map_or("the candidate", String::as_str)
                    ),
                };
                json!({
                    "number": open.number(),
                    "kind": match open.kind() {
                        tabella::election::RoundKind::ChooseOne => "choose_one",
                        tabella::election::RoundKind::YesNo { .. } => "yes_no",
                    },
                    "question": question,
                    "options": options,
                    "abstention": open.contest().has_abstention(),
                    "rule": manifest.rules().rule_for(open.number()).to_string(),
                    "roll": replay.roll().is_some(),
                    "second_ballot": manifest.roll().map(|r| r.name()),
                    "ballots": open.ballot_box().len(),
                })
            }
            _ => Value::Null,
        };
        json!({
            "title": manifest.map(|m| m.title()),
            "fingerprint": election.map(|e| to_hex(e.context().fingerprint())),
            "entries": self.len(),
            "head": to_hex(&self.board.head().0),
            "round": round,
        })
    }
}
