//! The key ceremony replayed from its board (SPEC §11.1, transcripts §11.4): the exclusion
//! rules, every proof, every opening, every complaint; then QUAL, Y and every Y_j.

use std::collections::{BTreeMap, BTreeSet};

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use merlin::Transcript;
use sha2::{Digest, Sha512};

use super::codec::{Pt, Res, g, header, kind};
use super::objects::{Round1, Round2, Round3};
use super::proofs::{draw32, root};

/// A board entry (§11.1): the authenticated author and the bytes it posted.
pub type Entry = (u32, Vec<u8>);

/// The ceremony id (§11.4): `root(F_c, "tabella.ceremony")`, t, n, the run nonce, `chal("id")`.
pub fn ceremony_id(fc: &[u8; 32], t: u32, n: u32, run: &[u8; 32]) -> [u8; 32] {
    let mut tr = root(fc, b"tabella.ceremony");
    tr.append_u64(b"t", t as u64);
    tr.append_u64(b"n", n as u64);
    tr.append_message(b"run", run);
    draw32(&mut tr, b"id")
}

/// `cer(L, i)` (§11.4): a fresh root on F_c, then the ceremony id and the sender.
fn cer(fc: &[u8; 32], id: &[u8; 32], label: &'static [u8], i: u32) -> Transcript {
    let mut tr = root(fc, label);
    tr.append_message(b"ceremony", id);
    tr.append_u64(b"sender", i as u64);
    tr
}

/// The share pad (§11.4): SHA-512(0x1a ‖ label ‖ id ‖ u32le(i) ‖ u32le(j) ‖ E ‖ K)[0..32].
fn pad(id: &[u8; 32], i: u32, j: u32, e: &Pt, k: &Pt) -> [u8; 32] {
    let label = b"tabella.ceremony.share-key";
    let mut sha = Sha512::new();
    sha.update([label.len() as u8]);
    sha.update(label);
    sha.update(id);
    sha.update(i.to_le_bytes());
    sha.update(j.to_le_bytes());
    sha.update(e.bytes);
    sha.update(k.bytes);
    let mut out = [0u8; 32];
    out.copy_from_slice(&sha.finalize()[..32]);
    out
}

/// Σ_k j^k·C_k: the Feldman commitment to f(j) (§11.1, step 3).
fn feldman(commitments: &[Pt], j: u32) -> RistrettoPoint {
    let mut power = Scalar::ONE;
    let mut sum = RistrettoPoint::default();
    for c in commitments {
        sum += power * c.p;
        power *= Scalar::from(j);
    }
    sum
}

/// The outcome of a ceremony: QUAL, Y and the Y_j of QUAL (§11.1, step 4).
pub struct Outcome {
    pub qual: Vec<u32>,
    pub y: Pt,
    pub shares: Vec<(u32, Pt)>,
}

/// Rules 1–4 of §11.1 on one round's entries: every entry must pass rules 1–2 (check 3 of §13
/// refuses a board with an ignored entry, `ForeignCeremonyEntry`); returns the one decoded
/// message of each author that rules 3–4 accept, and adds the others to `excluded`.
fn read_round<M>(
    entries: &[Entry],
    r: usize,
    n: u32,
    id: &[u8; 32],
    decode: impl Fn(&[u8]) -> Res<(u32, M)>,
    excluded: &mut BTreeSet<u32>,
) -> Res<BTreeMap<u32, M>> {
    let kinds = [kind::ROUND1, kind::ROUND2, kind::ROUND3];
    let mut by_author: BTreeMap<u32, Vec<&[u8]>> = BTreeMap::new();
    for (a, b) in entries {
        if !(1..=n).contains(a) {
            return Err(format!(
                "ForeignCeremonyEntry: round {r}, author {a} not in 1..={n}"
            ));
        }
        if !b.starts_with(&header(kinds[r - 1])) || b.get(5..37) != Some(&id[..]) {
            return Err(format!(
                "ForeignCeremonyEntry: round {r}, author {a}: not a message of this ceremony"
            ));
        }
        by_author.entry(*a).or_default().push(b);
    }
    let mut accepted = BTreeMap::new();
    for (a, posts) in by_author {
        let decoded: Vec<Option<M>> = posts
            .iter()
            .map(|b| match decode(b) {
                Ok((sender, m)) if sender == a => Some(m),
                _ => None,
            })
            .collect();
        // Rule 3 (a malformed entry) or rule 4 (two entries): a is excluded.
        if decoded.len() != 1 || decoded[0].is_none() {
            excluded.insert(a);
            continue;
        }
        accepted.insert(a, decoded.into_iter().next().flatten().expect("checked"));
    }
    Ok(accepted)
}

/// Replays §11.1 on the board `rounds` for the ceremony (F_c, t, n, run). Fails when an entry
/// is foreign to the ceremony or fewer than t dealers qualify (`CeremonyFailed`).
pub fn replay(
    fc: &[u8; 32],
    t: u32,
    n: u32,
    run: &[u8; 32],
    rounds: &[Vec<Entry>; 3],
) -> Res<Outcome> {
    let id = ceremony_id(fc, t, n, run);
    let mut excluded = BTreeSet::new();

    // Round 1: the participants, those whose communication key proof verifies.
    let r1 = read_round(
        &rounds[0],
        1,
        n,
        &id,
        |b| Round1::decode(b).map(|m| (m.sender, m)),
        &mut excluded,
    )?;
    let mut participants: BTreeMap<u32, Round1> = BTreeMap::new();
    for i in 1..=n {
        let Some(m) = r1.get(&i) else {
            excluded.insert(i); // Missing{1}, or excluded by rules 3-4
            continue;
        };
        let mut tr = cer(fc, &id, b"tabella.ceremony.comm-key", i);
        if m.proof.verify(&mut tr, &m.pk) {
            participants.insert(i, m.clone());
        } else {
            excluded.insert(i); // CommunicationKeyProof
        }
    }

    // Round 2: the dealers, participants whose opening, shares and proofs are right.
    let r2 = read_round(
        &rounds[1],
        2,
        n,
        &id,
        |b| Round2::decode(b).map(|m| (m.sender, m)),
        &mut excluded,
    )?;
    let mut dealers: BTreeMap<u32, Round2> = BTreeMap::new();
    for (&i, first) in &participants {
        let Some(m) = r2.get(&i) else {
            excluded.insert(i); // Missing{2}, or excluded by rules 3-4
            continue;
        };
        if m.coefficients.len() != t as usize {
            excluded.insert(i); // CoefficientCount
            continue;
        }
        let mut tr = cer(fc, &id, b"tabella.ceremony.commit", i);
        tr.append_u64(b"t", t as u64);
        for (c, _) in &m.coefficients {
            tr.append_message(b"C", &c.bytes);
        }
        tr.append_message(b"salt", &m.salt);
        if draw32(&mut tr, b"commitment") != first.commitment {
            excluded.insert(i); // CommitmentMismatch
            continue;
        }
        let others: Vec<u32> = participants.keys().copied().filter(|&j| j != i).collect();
        let recipients: Vec<u32> = m.shares.iter().map(|s| s.recipient).collect();
        if recipients != others {
            excluded.insert(i); // ShareRecipients
            continue;
        }
        let coefficient_ok = m.coefficients.iter().enumerate().all(|(k, (c, proof))| {
            let mut tr = cer(fc, &id, b"tabella.ceremony.coefficient", i);
            tr.append_u64(b"shares", m.shares.len() as u64);
            for s in &m.shares {
                tr.append_u64(b"j", s.recipient as u64);
                tr.append_message(b"E", &s.e.bytes);
                tr.append_message(b"ct", &s.ct);
            }
            tr.append_u64(b"k", k as u64);
            proof.verify(&mut tr, c)
        });
        let ephemeral_ok = m.shares.iter().all(|s| {
            let mut tr = cer(fc, &id, b"tabella.ceremony.ephemeral", i);
            tr.append_u64(b"j", s.recipient as u64);
            tr.append_message(b"E", &s.e.bytes);
            tr.append_message(b"ct", &s.ct);
            s.proof.verify(&mut tr, &s.e)
        });
        if coefficient_ok && ephemeral_ok {
            dealers.insert(i, m.clone());
        } else {
            excluded.insert(i); // CoefficientProof{k} or EphemeralProof{j}
        }
    }

    // Round 3: the complaints, judged against the round-2 dealers.
    let r3 = read_round(
        &rounds[2],
        3,
        n,
        &id,
        |b| Round3::decode(b).map(|m| (m.sender, m)),
        &mut excluded,
    )?;
    for (&j, m) in &r3 {
        let Some(complainer) = participants.get(&j) else {
            continue; // not a participant: no share was dealt to j
        };
        for complaint in &m.complaints {
            let i = complaint.dealer;
            let Some(dealer) = dealers.get(&i) else {
                continue; // against a non-dealer: ignored
            };
            let share = dealer
                .shares
                .iter()
                .find(|s| s.recipient == j)
                .expect("a dealer deals to every other participant");
            let mut tr = cer(fc, &id, b"tabella.ceremony.complaint", j);
            tr.append_u64(b"dealer", i as u64);
            if !complaint
                .proof
                .verify(&mut tr, &share.e, &complainer.pk, &complaint.k)
            {
                excluded.insert(j); // InvalidComplaint
                continue;
            }
            let key = pad(&id, i, j, &share.e, &complaint.k);
            let mut plain = share.ct;
            plain.iter_mut().zip(key).for_each(|(b, k)| *b ^= k);
            let good = Option::<Scalar>::from(Scalar::from_canonical_bytes(plain))
                .is_some_and(|s| s * g() == feldman(&coefficients(dealer), j));
            if good {
                excluded.insert(j); // FalseComplaint
            } else {
                excluded.insert(i); // BadShare
            }
        }
    }

    // Finish: QUAL, Y, Y_j.
    let qual: Vec<u32> = dealers
        .keys()
        .copied()
        .filter(|i| !excluded.contains(i))
        .collect();
    if qual.len() < t as usize {
        return Err(format!(
            "CeremonyFailed: {} qualified, {t} needed",
            qual.len()
        ));
    }
    let y = Pt::of(qual.iter().map(|i| dealers[i].coefficients[0].0.p).sum());
    let shares = qual
        .iter()
        .map(|&j| {
            let yj = qual
                .iter()
                .map(|i| feldman(&coefficients(&dealers[i]), j))
                .sum();
            (j, Pt::of(yj))
        })
        .collect();
    Ok(Outcome { qual, y, shares })
}

/// A dealer's Feldman commitments C_{i,0..t−1} (§11.1, step 2).
fn coefficients(m: &Round2) -> Vec<Pt> {
    m.coefficients.iter().map(|(c, _)| *c).collect()
}
