//! The rules of a ballot box, in one place: what a box admits, in board order.
//!
//! [`super::BallotBox`] and the stream verifier ([`super::stream`]) both run their entries
//! through one set of these rules (`Admission`, crate-internal), so that a box and a stream fed the same entries in the same
//! order accept exactly the same ballots. It keeps 32 bytes per ballot id and per α, never
//! the ballots themselves.
//!
//! A **cast** ballot is refused, in this order:
//!
//! 1. in an election with a roll where a second ballot is refused, when its credential
//!    already cast a ballot in the round ([`Error::CredentialReused`]);
//! 2. when the box already holds its capacity of counted ballots ([`Error::BallotBoxFull`];
//!    a ballot that replaces an earlier one of its credential adds none);
//! 3. when its id was challenged ([`Error::ChallengedBallot`]);
//! 4. when its id was already cast ([`Error::DuplicateBallotId`]);
//! 5. when one of its α was challenged ([`Error::ChallengedBallot`]);
//! 6. when one of its α was already cast, or repeats within the ballot
//!    ([`Error::DuplicateCiphertext`]).
//!
//! Where a second ballot replaces the first, an admitted ballot whose credential already cast
//! one says so: the earlier ballot is no longer counted.
//!
//! A **challenged** ballot (its opening already checked) is refused when its id was already
//! cast or challenged ([`Error::DuplicateBallotId`]), when one of its α was challenged
//! ([`Error::ChallengedBallot`]), and when one of its α was already cast or repeats within
//! the ballot ([`Error::DuplicateCiphertext`]).
//!
//! A refused entry changes nothing.

use std::collections::HashSet;

use crate::ballot::{BallotId, ContestSpec, EncryptedBallot};
use crate::credential::{Eligibility, PublicCredential, SecondBallot};
use crate::error::{Error, Result};

/// The running state of a box's rules.
#[derive(Clone, Debug, Default)]
pub(crate) struct Admission {
    capacity: Option<u64>,
    /// The manifest's rule for a second ballot, in an election with a roll.
    second_ballot: Option<SecondBallot>,
    /// The credentials that cast a ballot in this round.
    credentials: HashSet<PublicCredential>,
    /// Cast ballots replaced by a later one of their credential.
    replaced: u64,
    cast: u64,
    cast_ids: HashSet<BallotId>,
    cast_alphas: HashSet<[u8; 32]>,
    challenged_ids: HashSet<BallotId>,
    challenged_alphas: HashSet<[u8; 32]>,
}

impl Admission {
    /// The rules of a box for `contest` (its capacity, if any) and, in an election with a
    /// roll, its rule for a second ballot.
    pub(crate) fn new(contest: &ContestSpec, eligibility: Option<&Eligibility>) -> Self {
        Admission {
            capacity: contest.capacity(),
            second_ballot: eligibility.map(|e| e.second_ballot),
            ..Admission::default()
        }
    }

    /// The number of cast ballots admitted.
    pub(crate) fn cast_count(&self) -> u64 {
        self.cast
    }

    /// The number of cast ballots replaced by a later ballot of their credential.
    pub(crate) fn replaced_count(&self) -> u64 {
        self.replaced
    }

    /// The α encodings of `ballot`, checked against every α the box has seen: a challenged
    /// one gives [`Error::ChallengedBallot`], a cast one or a repeat within the ballot
    /// [`Error::DuplicateCiphertext`].
    fn fresh_alphas(&self, ballot: &EncryptedBallot) -> Result<Vec<[u8; 32]>> {
        let id = *ballot.id();
        let alphas: Vec<[u8; 32]> = ballot
            .ciphertexts()
            .iter()
            .map(|c| c.alpha().to_bytes())
            .collect();
        for (i, a) in alphas.iter().enumerate() {
            if self.challenged_alphas.contains(a) {
                return Err(Error::ChallengedBallot { ballot: id });
            }
            if self.cast_alphas.contains(a) || alphas.iter().take(i).any(|b| b == a) {
                return Err(Error::DuplicateCiphertext { ballot: id });
            }
        }
        Ok(alphas)
    }

    /// Admits a cast ballot (already verified, its credential on the roll), or says why not.
    /// Returns its credential when it replaces that credential's earlier ballot.
    pub(crate) fn cast(&mut self, ballot: &EncryptedBallot) -> Result<Option<PublicCredential>> {
        let id = *ballot.id();
        let credential = match (self.second_ballot, ballot.credential()) {
            (Some(rule), Some(c)) => Some((rule, *c)),
            _ => None,
        };
        let replaces = match credential {
            Some((rule, c)) if self.credentials.contains(&c) => match rule {
                SecondBallot::Refused => {
                    return Err(Error::CredentialReused {
                        ballot: id,
                        credential: c,
                    });
                }
                SecondBallot::Replaces => Some(c),
            },
            _ => None,
        };
        if let (Some(capacity), None) = (self.capacity, replaces) {
            if self.cast - self.replaced >= capacity {
                return Err(Error::BallotBoxFull {
                    ballot: id,
                    capacity,
                });
            }
        }
        if self.challenged_ids.contains(&id) {
            return Err(Error::ChallengedBallot { ballot: id });
        }
        if self.cast_ids.contains(&id) {
            return Err(Error::DuplicateBallotId { ballot: id });
        }
        let alphas = self.fresh_alphas(ballot)?;
        self.cast += 1;
        self.cast_ids.insert(id);
        self.cast_alphas.extend(alphas);
        if let Some((_, c)) = credential {
            self.credentials.insert(c);
        }
        if replaces.is_some() {
            self.replaced += 1;
        }
        Ok(replaces)
    }

    /// Admits a challenged ballot (its opening already checked), or says why not.
    pub(crate) fn challenge(&mut self, ballot: &EncryptedBallot) -> Result<()> {
        let id = *ballot.id();
        if self.cast_ids.contains(&id) || self.challenged_ids.contains(&id) {
            return Err(Error::DuplicateBallotId { ballot: id });
        }
        let alphas = self.fresh_alphas(ballot)?;
        self.challenged_ids.insert(id);
        self.challenged_alphas.extend(alphas);
        Ok(())
    }
}
