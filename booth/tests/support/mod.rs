//! An election for the booth's tests: the IOM Council's two candidates and rule, a roll of
//! credentials (a second ballot refused), three trustees of whom two decrypt, and round 1
//! open — on any store (memory for the native tests, SQLite behind the real server).

#![allow(dead_code)]

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::{Value, json};
use tabella::board::Store;
use tabella::credential::{CredentialSecret, SecondBallot};
use tabella::election::{
    Administrator, Authorities, BoardElection, CredentialAuthority, Manifest, RoundKind, Trustee,
    simulate_ceremony,
};
use tabella::elgamal::SecretKey;
use tabella::record::EntryJson;
use tabella::rules::{ElectionRules, MajorityRule, RuleSchedule};
use tabella::threshold::TrusteeIndex;

/// The candidates, as the council's ballot names them.
pub const CANDIDATES: [&str; 2] = ["Amy E. Pope", "António Vitorino"];

/// An election on a board, with its parties.
pub struct Election<S: Store> {
    pub rng: ChaCha20Rng,
    pub admin: Administrator,
    pub trustees: Vec<Trustee>,
    pub board: BoardElection<S>,
    /// Each member's private credential.
    pub credentials: Vec<CredentialSecret>,
}

/// `members` members with credentials, round 1 open (choose one), on `store` (empty).
pub fn election<S: Store>(store: S, members: usize, seed: u64) -> Election<S> {
    election_with(store, members, seed, RoundKind::ChooseOne)
}

/// [`election`] whose round 1 is of `kind`.
pub fn election_with<S: Store>(
    store: S,
    members: usize,
    seed: u64,
    kind: RoundKind,
) -> Election<S> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let admin = Administrator::generate(&mut rng);
    let authority = CredentialAuthority::generate(&mut rng);
    let mut trustees: Vec<Trustee> = (1..=3)
        .map(|i| Trustee::new(TrusteeIndex::new(i).unwrap(), SecretKey::generate(&mut rng)))
        .collect();
    let manifest = Manifest::builder("IOM Council: election of the Director General")
        .members(members as u64)
        .eligible(members as u64)
        .candidates(CANDIDATES)
        .rules(ElectionRules::with_schedule(RuleSchedule::single(
            MajorityRule::TWO_THIRDS,
        )))
        .threshold(2)
        .trustees(3)
        .privacy_floor(2)
        .roll(SecondBallot::Refused)
        .authorities(
            Authorities::new(
                admin.public_key(),
                trustees.iter().map(Trustee::public_key).collect(),
            )
            .unwrap()
            .with_credential_authority(authority.public_key())
            .unwrap(),
        )
        .build()
        .unwrap();
    let mut board = BoardElection::open(store).unwrap();
    board
        .post(admin.manifest(&manifest, &mut rng).unwrap())
        .unwrap();
    let (roll, credentials) = authority.issue(members, &mut rng).unwrap();
    board
        .post(
            authority
                .roll(&roll, board.replay(), board.head(), &mut rng)
                .unwrap(),
        )
        .unwrap();
    simulate_ceremony(&mut board, &admin, &mut trustees, &mut rng).unwrap();
    let open = admin
        .open_round(board.replay(), board.head(), kind, &mut rng)
        .unwrap();
    board.post(open).unwrap();
    Election {
        rng,
        admin,
        trustees,
        board,
        credentials,
    }
}

/// A page of the board as `GET /api/entries?from=..&to=..` serves it.
pub fn page<S: Store>(board: &BoardElection<S>, from: u64, to: u64) -> Value {
    let entries: Vec<Value> = board
        .store()
        .read(from, to)
        .unwrap()
        .into_iter()
        .map(|s| {
            let entry = tabella::board::Entry::from_bytes(&s.bytes).unwrap();
            serde_json::to_value(EntryJson::of(&entry, &s.head)).unwrap()
        })
        .collect();
    json!({ "from": from, "to": to, "total": board.len(), "entries": entries })
}
