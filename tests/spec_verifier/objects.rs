//! Decoders for the protocol's objects: the ballot (SPEC §6.2), the challenged ballot (§9),
//! the key ceremony's messages, the public key package and the partial decryption (§11.3).
//! Each reads its header (§2.1), enforces §2's and §11.3's decoding rules, and refuses
//! trailing bytes.

use curve25519_dalek::scalar::Scalar;

use super::codec::{Ct, Pt, Reader, Res, kind};
use super::proofs::{Dleq, Membership, OneOfMany, Schnorr, admissible_radix};

/// A trustee index (§11.3): 1..=255.
fn trustee(rd: &mut Reader, what: &str) -> Res<u32> {
    let i = rd.u32()?;
    if !(1..=255).contains(&i) {
        return Err(format!("{what} {i} outside 1..=255"));
    }
    Ok(i)
}

/// A ballot's proofs by their form (§6.2): 0, membership proofs (the own proofs and the
/// count proof, layouts 0 and 1); 1, one one-out-of-many proof (layout 2).
#[derive(Clone, Debug)]
pub enum Proofs {
    Membership {
        own: Vec<Membership>,
        count: Membership,
    },
    OneOfMany(Box<OneOfMany>),
}

impl Proofs {
    /// The proof form byte (§6.2).
    pub fn form(&self) -> u8 {
        match self {
            Proofs::Membership { .. } => 0,
            Proofs::OneOfMany(_) => 1,
        }
    }
}

/// An encrypted ballot (§6.2).
#[derive(Clone, Debug)]
pub struct Ballot {
    pub id: [u8; 32],
    pub credential: Option<[u8; 32]>,
    pub cts: Vec<Ct>,
    pub proofs: Proofs,
    /// §6.2: the encoding up to the signature (the body), and the signature (§16.3), present
    /// iff a credential is.
    pub body: Vec<u8>,
    pub signature: Option<Schnorr>,
}

impl Ballot {
    /// Reads a ballot, header included, from a reader (a challenged ballot nests one, §9).
    pub fn read(rd: &mut Reader) -> Res<Ballot> {
        let start = rd.rest();
        rd.header(kind::BALLOT)?;
        let id = rd.array()?;
        let credential = if rd.flag()? { Some(rd.array()?) } else { None };
        let m = rd.count(64)?;
        if !(1..=1025).contains(&m) {
            return Err(format!("a ballot of {m} ciphertexts"));
        }
        let cts = (0..m).map(|_| rd.ciphertext()).collect::<Res<_>>()?;
        let proofs = match rd.u8()? {
            0 => {
                let p = rd.count(4 + 96)?;
                if p > m {
                    return Err(format!("{p} own proofs for {m} ciphertexts"));
                }
                let own = (0..p)
                    .map(|_| {
                        let h = rd.u32()? as usize;
                        Membership::read(rd, h)
                    })
                    .collect::<Res<_>>()?;
                let h = rd.u32()? as usize;
                let count = Membership::read(rd, h)?;
                Proofs::Membership { own, count }
            }
            1 => {
                let (e, d) = (rd.u32()? as usize, rd.u32()? as usize);
                if !admissible_radix(e, d) {
                    return Err(format!("a one-out-of-many proof of radix e = {e}, d = {d}"));
                }
                Proofs::OneOfMany(Box::new(OneOfMany::read(rd, e, d)?))
            }
            form => return Err(format!("proof form {form}")),
        };
        let body = start[..start.len() - rd.remaining()].to_vec();
        let signature = match credential {
            Some(_) => Some(Schnorr::read(rd)?),
            None => None,
        };
        Ok(Ballot {
            id,
            credential,
            cts,
            proofs,
            body,
            signature,
        })
    }

    /// A top-level ballot (§6.2), no trailing bytes.
    pub fn decode(bytes: &[u8]) -> Res<Ballot> {
        let mut rd = Reader::new(bytes);
        let b = Ballot::read(&mut rd)?;
        rd.finish()?;
        Ok(b)
    }
}

/// A challenged ballot (§9): the ballot, its slot values and its nonces.
#[derive(Clone, Debug)]
pub struct Challenged {
    pub ballot: Ballot,
    pub slots: Vec<bool>,
    pub nonces: Vec<Scalar>,
}

impl Challenged {
    /// §9: kind 7 ‖ ballot ‖ LE32(w) ‖ w slot values (0/1) ‖ m non-zero nonces.
    pub fn decode(bytes: &[u8]) -> Res<Challenged> {
        let mut rd = Reader::new(bytes);
        rd.header(kind::CHALLENGED)?;
        let ballot = Ballot::read(&mut rd)?;
        let w = rd.count(1)?;
        let slots = (0..w).map(|_| rd.flag()).collect::<Res<_>>()?;
        let nonces = (0..ballot.cts.len())
            .map(|_| {
                let r = rd.scalar()?;
                if r == Scalar::ZERO {
                    return Err("a zero nonce".to_string());
                }
                Ok(r)
            })
            .collect::<Res<_>>()?;
        rd.finish()?;
        Ok(Challenged {
            ballot,
            slots,
            nonces,
        })
    }
}

/// A ceremony round-1 message (§11.3): the hash commitment and the communication key.
#[derive(Clone, Debug)]
pub struct Round1 {
    pub sender: u32,
    pub commitment: [u8; 32],
    pub pk: Pt,
    pub proof: Schnorr,
}

impl Round1 {
    /// §11.3: 169 bytes.
    pub fn decode(bytes: &[u8]) -> Res<Round1> {
        let mut rd = Reader::new(bytes);
        rd.header(kind::ROUND1)?;
        rd.array::<32>()?; // the ceremony id, which §11.1's rule 2 reads before decoding
        let m = Round1 {
            sender: trustee(&mut rd, "sender")?,
            commitment: rd.array()?,
            pk: rd.point("communication key")?,
            proof: Schnorr::read(&mut rd)?,
        };
        rd.finish()?;
        Ok(m)
    }
}

/// One encrypted share of a round-2 message (§11.3).
#[derive(Clone, Debug)]
pub struct Share {
    pub recipient: u32,
    pub e: Pt,
    pub ct: [u8; 32],
    pub proof: Schnorr,
}

/// A ceremony round-2 message (§11.3): the opening, the coefficient proofs and the shares.
#[derive(Clone, Debug)]
pub struct Round2 {
    pub sender: u32,
    pub salt: [u8; 32],
    pub coefficients: Vec<(Pt, Schnorr)>,
    pub shares: Vec<Share>,
}

impl Round2 {
    /// §11.3: 81 + 96t' + 132m bytes; 1 ≤ t' ≤ 255, C_k and E not the identity, recipients
    /// strictly increasing and never the sender.
    pub fn decode(bytes: &[u8]) -> Res<Round2> {
        let mut rd = Reader::new(bytes);
        rd.header(kind::ROUND2)?;
        rd.array::<32>()?; // the ceremony id (§11.1, rule 2)
        let sender = trustee(&mut rd, "sender")?;
        let salt = rd.array()?;
        let t = rd.count(96)?;
        if !(1..=255).contains(&t) {
            return Err(format!("t' = {t} outside 1..=255"));
        }
        let coefficients = (0..t)
            .map(|_| Ok((rd.point("coefficient commitment")?, Schnorr::read(&mut rd)?)))
            .collect::<Res<_>>()?;
        let m = rd.count(132)?;
        let mut shares: Vec<Share> = Vec::with_capacity(m);
        for _ in 0..m {
            let recipient = trustee(&mut rd, "recipient")?;
            if recipient == sender || shares.last().is_some_and(|s| s.recipient >= recipient) {
                return Err("recipients not strictly increasing, or the sender".into());
            }
            shares.push(Share {
                recipient,
                e: rd.point("ephemeral key")?,
                ct: rd.array()?,
                proof: Schnorr::read(&mut rd)?,
            });
        }
        rd.finish()?;
        Ok(Round2 {
            sender,
            salt,
            coefficients,
            shares,
        })
    }
}

/// One complaint of a round-3 message (§11.3).
#[derive(Clone, Debug)]
pub struct Complaint {
    pub dealer: u32,
    pub k: Pt,
    pub proof: Dleq,
}

/// A ceremony round-3 message (§11.3): the sender's complaints.
#[derive(Clone, Debug)]
pub struct Round3 {
    pub sender: u32,
    pub complaints: Vec<Complaint>,
}

impl Round3 {
    /// §11.3: 45 + 132c bytes; dealers strictly increasing and never the sender, K not the
    /// identity.
    pub fn decode(bytes: &[u8]) -> Res<Round3> {
        let mut rd = Reader::new(bytes);
        rd.header(kind::ROUND3)?;
        rd.array::<32>()?; // the ceremony id (§11.1, rule 2)
        let sender = trustee(&mut rd, "sender")?;
        let c = rd.count(132)?;
        let mut complaints: Vec<Complaint> = Vec::with_capacity(c);
        for _ in 0..c {
            let dealer = trustee(&mut rd, "dealer")?;
            if dealer == sender || complaints.last().is_some_and(|x| x.dealer >= dealer) {
                return Err("dealers not strictly increasing, or the sender".into());
            }
            complaints.push(Complaint {
                dealer,
                k: rd.point("complaint point")?,
                proof: Dleq::read(&mut rd)?,
            });
        }
        rd.finish()?;
        Ok(Round3 { sender, complaints })
    }
}

/// The public key package (§11.3): t, n, Y and the qualified trustees' Y_j.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyPackage {
    pub t: u32,
    pub n: u32,
    pub y: Pt,
    pub shares: Vec<(u32, Pt)>,
}

/// Lagrange coefficient of index i over the set `set`, evaluated at x (§11.2 with x = 0):
/// Π_{j ∈ set, j ≠ i} (x − j)/(i − j).
pub fn lagrange(i: u32, set: &[u32], x: u32) -> Scalar {
    let (mut num, mut den) = (Scalar::ONE, Scalar::ONE);
    for &j in set.iter().filter(|&&j| j != i) {
        num *= Scalar::from(x) - Scalar::from(j);
        den *= Scalar::from(i) - Scalar::from(j);
    }
    num * den.invert()
}

impl KeyPackage {
    /// Y_i, when trustee i is in the package.
    pub fn share(&self, i: u32) -> Option<&Pt> {
        self.shares.iter().find(|(j, _)| *j == i).map(|(_, y)| y)
    }

    /// The canonical encoding (§11.3).
    pub fn encode(&self) -> Vec<u8> {
        let mut w = super::codec::Writer::default();
        w.bytes(&super::codec::header(kind::PUBLIC_KEYS));
        w.u32(self.t).u32(self.n).bytes(&self.y.bytes);
        w.u32(self.shares.len() as u32);
        for (j, yj) in &self.shares {
            w.u32(*j).bytes(&yj.bytes);
        }
        w.0
    }

    /// Decodes §11.3 with its rules, including the consistency of the shares: the first t
    /// interpolate to Y at 0 and to every other Y_j.
    pub fn decode(bytes: &[u8]) -> Res<KeyPackage> {
        let mut rd = Reader::new(bytes);
        rd.header(kind::PUBLIC_KEYS)?;
        let (t, n) = (rd.u32()?, rd.u32()?);
        if !(1 <= t && t <= n && n <= 255) {
            return Err(format!("key package: not 1 <= t <= n <= 255 ({t}, {n})"));
        }
        let y = rd.point("joint key Y")?;
        let q = rd.count(36)?;
        let mut shares: Vec<(u32, Pt)> = Vec::with_capacity(q);
        for _ in 0..q {
            let j = rd.u32()?;
            if !(1..=n).contains(&j) || shares.last().is_some_and(|(i, _)| *i >= j) {
                return Err("key package: indices not strictly increasing in 1..=n".into());
            }
            shares.push((j, rd.point("verification share")?));
        }
        rd.finish()?;
        if (q as u32) < t {
            return Err(format!("key package: q = {q} < t = {t}"));
        }
        let first: Vec<u32> = shares[..t as usize].iter().map(|(j, _)| *j).collect();
        let at = |x: u32| -> Pt {
            Pt::of(
                shares[..t as usize]
                    .iter()
                    .map(|(i, yi)| lagrange(*i, &first, x) * yi.p)
                    .sum(),
            )
        };
        if at(0) != y {
            return Err("key package: the shares do not interpolate to Y".into());
        }
        for (j, yj) in &shares[t as usize..] {
            if at(*j) != *yj {
                return Err(format!("key package: Y_{j} off the polynomial"));
            }
        }
        Ok(KeyPackage { t, n, y, shares })
    }
}

/// A partial decryption (§11.3): trustee i's D_{i,ν} with one DLEQ proof each.
#[derive(Clone, Debug)]
pub struct Partial {
    pub round: u32,
    pub trustee: u32,
    pub shares: Vec<(Pt, Dleq)>,
}

impl Partial {
    /// §11.3: 17 + 128m bytes, m ≥ 1, D_ν not the identity.
    pub fn decode(bytes: &[u8]) -> Res<Partial> {
        let mut rd = Reader::new(bytes);
        rd.header(kind::PARTIAL)?;
        let round = rd.u32()?;
        let trustee = trustee(&mut rd, "trustee")?;
        let m = rd.count(128)?;
        if m == 0 {
            return Err("a partial decryption of no ciphertext".into());
        }
        let shares = (0..m)
            .map(|_| Ok((rd.point("decryption share")?, Dleq::read(&mut rd)?)))
            .collect::<Res<_>>()?;
        rd.finish()?;
        Ok(Partial {
            round,
            trustee,
            shares,
        })
    }
}

/// §16.1: a roll, header kind 16 ‖ LE32(n) ‖ n × S: 1 ≤ n ≤ 65,535, every S a canonical point
/// other than the identity, strictly increasing as bytes (a repeat is `DuplicateCredential`).
pub fn read_roll(bytes: &[u8]) -> Res<Vec<Pt>> {
    let mut rd = Reader::new(bytes);
    rd.header(kind::ROLL)?;
    let n = rd.count(32)?;
    if !(1..=65_535).contains(&n) {
        return Err(format!("a roll of {n} credentials"));
    }
    let mut roll: Vec<Pt> = Vec::with_capacity(n);
    for _ in 0..n {
        let s = rd.point("a credential")?;
        if let Some(last) = roll.last() {
            if last.bytes == s.bytes {
                return Err("DuplicateCredential".into());
            }
            if last.bytes > s.bytes {
                return Err("the credentials are not increasing".into());
            }
        }
        roll.push(s);
    }
    rd.finish()?;
    Ok(roll)
}
