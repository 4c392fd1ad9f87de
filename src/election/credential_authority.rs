//! The credential authority: it makes one credential per eligible member, hands each member
//! its private credential, and posts the roll of public credentials on the board (docs/SPEC.md
//! §16).
//!
//! The authority is a role of its own, with its own board key in the manifest's authorities,
//! distinct from the administrator's: the administrator runs the board and can post any voter
//! entry, so if it also held the credentials it could sign ballots for members who did not
//! vote. Neither alone can stuff the box; the two colluding can (SECURITY.md, "Credentials").
//!
//! Which member holds which credential is known only to the authority, as the order of the
//! secrets [`CredentialAuthority::issue`] returns; the roll is sorted by the credentials'
//! encodings and says nothing about it. Once the credentials are handed out the authority
//! can destroy that list.

use rand_core::{CryptoRng, RngCore};

use crate::board::chain::Head;
use crate::board::entry::{Author, Entry, EntryKind};
use crate::credential::{CredentialSecret, Roll};
use crate::election::board::sign_entry;
use crate::election::replay::Replay;
use crate::elgamal::{PublicKey, SecretKey};
use crate::error::Result;

/// The credential authority of an election with a roll.
pub struct CredentialAuthority {
    key: SecretKey,
}

impl core::fmt::Debug for CredentialAuthority {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CredentialAuthority")
            .field("key", &format_args!("<redacted>"))
            .finish()
    }
}

impl CredentialAuthority {
    /// An authority with this board signing key (its public key goes into the manifest's
    /// authorities, [`crate::election::Authorities::with_credential_authority`]).
    pub fn new(key: SecretKey) -> Self {
        CredentialAuthority { key }
    }

    /// A fresh board signing key.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        CredentialAuthority {
            key: SecretKey::generate(rng),
        }
    }

    /// The public key the manifest must name.
    pub fn public_key(&self) -> PublicKey {
        self.key.public_key()
    }

    /// The signing key, for sealing it at rest.
    pub fn key(&self) -> &SecretKey {
        &self.key
    }

    /// Makes `members` fresh credentials: the roll to post, and the private credentials in
    /// the order made (hand the i-th to the i-th member of the authority's own list).
    pub fn issue<R: RngCore + CryptoRng>(
        &self,
        members: usize,
        rng: &mut R,
    ) -> Result<(Roll, Vec<CredentialSecret>)> {
        Roll::issue(members, rng)
    }

    /// The roll's entry for the board `replay` holds, naming the head `read`.
    pub fn roll<R: RngCore + CryptoRng>(
        &self,
        roll: &Roll,
        replay: &Replay,
        read: Head,
        rng: &mut R,
    ) -> Result<Entry> {
        sign_entry(
            replay,
            EntryKind::Roll,
            Author::CREDENTIAL_AUTHORITY,
            roll.to_bytes(),
            read,
            &self.key,
            rng,
        )
    }
}
