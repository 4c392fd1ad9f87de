//! The election record: its JSON form (SPEC §12.2) and its canonical binary form (§12.1),
//! both decoded into one model, with every object going through its own decoder.

use super::codec::{Ct, Reader, Res, Writer, header, kind};
use super::json::{self, J};
use super::manifest::Manifest;
use super::objects::{Ballot, Challenged, KeyPackage, Partial};

/// A board entry of the key ceremony (§11.1): (author, bytes).
pub type BoardEntry = (u32, Vec<u8>);

/// The record (§12).
pub struct Record {
    /// The JSON `version` (the binary header's version).
    pub version: u64,
    pub suite: String,
    /// The manifest as written; its checks are check 2's business (§13).
    pub manifest: Manifest,
    pub run: [u8; 32],
    pub board: [Vec<BoardEntry>; 3],
    pub public_keys: Vec<u8>,
    pub keys: KeyPackage,
    pub fingerprint: [u8; 32],
    pub rounds: Vec<Round>,
}

/// A round (§12.1): its number, its withdrawals, and an acclamation or a ballot.
pub struct Round {
    pub number: u32,
    pub withdrawn: Vec<u32>,
    pub body: Body,
}

pub enum Body {
    /// The acclaimed candidate.
    Acclamation(u32),
    Ballot(Box<BallotRound>),
}

/// A ballot round (§12.1).
pub struct BallotRound {
    /// `None` for choose one, the candidate for yes/no.
    pub yes_no: Option<u32>,
    pub candidates: Vec<u32>,
    pub entries: Vec<Entry>,
    pub close: Option<Close>,
    pub decryption: Option<Decryption>,
    pub tie: Option<Tie>,
}

pub enum Item {
    Cast(Box<Ballot>),
    Challenged(Box<Challenged>),
}

/// A box entry (§12.1): the object, its bytes and its recorded code.
pub struct Entry {
    pub item: Item,
    pub bytes: Vec<u8>,
    pub code: [u8; 32],
}

/// A recorded close (§8.4), without its round (the round's number).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Close {
    pub head: [u8; 32],
    pub cast: u64,
    pub challenged: u64,
}

/// A recorded decryption (§12.1).
pub struct Decryption {
    pub tally: Vec<Ct>,
    pub partials: Vec<(Vec<u8>, Partial)>,
    pub combined: Vec<u32>,
    pub totals: Vec<u64>,
    pub result: Outcome,
}

/// A round's result (§10.5): (cast, P, V, required, elected, eliminated).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub cast: u64,
    pub present_and_voting: u64,
    pub base: u64,
    pub required: Option<u64>,
    pub elected: Option<u32>,
    pub eliminated: Option<u32>,
}

/// A recorded tie resolution (§12.1): the eliminated candidate, by lot or run-off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tie {
    pub eliminated: u32,
    pub run_off: bool,
}

/// §11.3's board rules: entries strictly increasing by (author, bytes), authors in 1..=255,
/// at most 65,536 entries per round, each at most 65,536 bytes.
fn check_board_round(entries: &[BoardEntry]) -> Res<()> {
    if entries.len() > 65_536 {
        return Err("more than 65,536 entries in a ceremony round".into());
    }
    for (a, b) in entries {
        if !(1..=255).contains(a) || b.len() > 65_536 {
            return Err(format!(
                "a ceremony entry of author {a} and {} bytes",
                b.len()
            ));
        }
    }
    if entries.windows(2).any(|w| w[0] >= w[1]) {
        return Err("ceremony entries not strictly increasing by (author, bytes)".into());
    }
    Ok(())
}

/// A box entry (§12.1): a cast ballot (§6.2) or a challenged ballot (§9), decoded.
fn decode_entry(challenged: bool, bytes: Vec<u8>, code: [u8; 32]) -> Res<Entry> {
    let item = if challenged {
        Item::Challenged(Box::new(Challenged::decode(&bytes)?))
    } else {
        Item::Cast(Box::new(Ballot::decode(&bytes)?))
    };
    Ok(Entry { item, bytes, code })
}

/// A 64-byte tally ciphertext α ‖ β (§4), α never the identity.
fn ciphertext(bytes: &[u8]) -> Res<Ct> {
    let mut rd = Reader::new(bytes);
    let ct = rd.ciphertext()?;
    rd.finish()?;
    Ok(ct)
}

/// A JSON array of candidates or trustees (§12.2).
fn u32s(v: &J, what: &str) -> Res<Vec<u32>> {
    json::array(v, what)?
        .iter()
        .map(|x| json::u32_(x, what))
        .collect()
}

/// An integer or `null` (§12.2: `elected`, `eliminated`).
fn opt_u32(v: &J, what: &str) -> Res<Option<u32>> {
    json::nullable(v).map(|x| json::u32_(x, what)).transpose()
}

impl Record {
    /// The JSON form (§12.2).
    pub fn from_json(text: &str) -> Res<Record> {
        let v = json::parse(text)?;
        let [
            version,
            suite,
            manifest,
            run,
            ceremony,
            public_keys,
            fingerprint,
            rounds,
        ] = json::fields(
            &v,
            [
                "version",
                "suite",
                "manifest",
                "run",
                "ceremony",
                "public_keys",
                "fingerprint",
                "rounds",
            ],
            "record",
        )?;
        let [r1, r2, r3] = json::fields(ceremony, ["round1", "round2", "round3"], "ceremony")?;
        let board_round = |v: &J| -> Res<Vec<BoardEntry>> {
            let entries = json::array(v, "ceremony round")?
                .iter()
                .map(|e| {
                    let [author, message] =
                        json::fields(e, ["author", "message"], "ceremony entry")?;
                    Ok((
                        json::u32_(author, "author")?,
                        json::hex_bytes(message, "message")?,
                    ))
                })
                .collect::<Res<Vec<_>>>()?;
            check_board_round(&entries)?;
            Ok(entries)
        };
        let public_keys = json::hex_bytes(public_keys, "public_keys")?;
        // "A JSON manifest is valid iff its binary form is" (§10.2), and every object of a
        // record goes through its own decoder (§12.1, §12.2): an invalid manifest is not a
        // record (as with the library), and check 2 is left with the t-of-n comparison.
        let manifest = Manifest::from_json(manifest)?;
        Manifest::decode(&manifest.encode())?;
        Ok(Record {
            version: json::int(version, "version")?,
            suite: json::string(suite, "suite")?.to_owned(),
            manifest,
            run: json::hex32(run, "run")?,
            board: [board_round(r1)?, board_round(r2)?, board_round(r3)?],
            keys: KeyPackage::decode(&public_keys)?,
            public_keys,
            fingerprint: json::hex32(fingerprint, "fingerprint")?,
            rounds: json::array(rounds, "rounds")?
                .iter()
                .map(round_from_json)
                .collect::<Res<_>>()?,
        })
    }

    /// The canonical binary form (§12.1).
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.bytes(&header(kind::RECORD)[..3])
            .bytes(&(self.version as u16).to_le_bytes());
        w.blob(self.suite.as_bytes());
        w.blob(&self.manifest.encode());
        w.bytes(&self.run);
        for round in &self.board {
            w.u32(round.len() as u32);
            for (a, b) in round {
                w.u32(*a).blob(b);
            }
        }
        w.blob(&self.public_keys);
        w.bytes(&self.fingerprint);
        w.u32(self.rounds.len() as u32);
        for round in &self.rounds {
            w.u32(round.number).u32(round.withdrawn.len() as u32);
            for &c in &round.withdrawn {
                w.u32(c);
            }
            match &round.body {
                Body::Acclamation(c) => {
                    w.u8(0).u32(*c);
                }
                Body::Ballot(b) => {
                    w.u8(1);
                    encode_ballot_round(&mut w, b);
                }
            }
        }
        w.0
    }

    /// Decodes the canonical binary form (§12.1).
    pub fn decode(bytes: &[u8]) -> Res<Record> {
        let mut rd = Reader::new(bytes);
        rd.header(kind::RECORD)?;
        let suite = String::from_utf8(rd.blob()?.to_vec()).map_err(|_| "suite: not UTF-8")?;
        let manifest = Manifest::decode(rd.blob()?)?;
        let run = rd.array()?;
        let mut board: [Vec<BoardEntry>; 3] = Default::default();
        for round in &mut board {
            let e = rd.count(8)?;
            for _ in 0..e {
                let author = rd.u32()?;
                round.push((author, rd.blob()?.to_vec()));
            }
            check_board_round(round)?;
        }
        let public_keys = rd.blob()?.to_vec();
        let keys = KeyPackage::decode(&public_keys)?;
        let fingerprint = rd.array()?;
        let n = rd.count(9)?;
        let mut rounds = Vec::with_capacity(n);
        for _ in 0..n {
            let number = rd.u32()?;
            let d = rd.count(4)?;
            let withdrawn = (0..d).map(|_| rd.u32()).collect::<Res<_>>()?;
            let body = match rd.u8()? {
                0 => Body::Acclamation(rd.u32()?),
                1 => Body::Ballot(Box::new(decode_ballot_round(&mut rd)?)),
                tag => return Err(format!("unknown round tag {tag}")),
            };
            rounds.push(Round {
                number,
                withdrawn,
                body,
            });
        }
        rd.finish()?;
        Ok(Record {
            version: 3,
            suite,
            manifest,
            run,
            board,
            public_keys,
            keys,
            fingerprint,
            rounds,
        })
    }
}

/// The fields of a choose-one round (§12.2).
const ROUND_FIELDS: [&str; 8] = [
    "ballot",
    "round",
    "withdrawn",
    "candidates",
    "entries",
    "close",
    "decryption",
    "tie_resolution",
];

/// A round of the JSON form (§12.2): `choose_one`, `yes_no` (with `candidate`) or
/// `acclamation`.
fn round_from_json(v: &J) -> Res<Round> {
    let kind = json::get(v, "ballot").ok_or("round: no \"ballot\" field")?;
    let kind = json::string(kind, "ballot")?;
    if kind == "acclamation" {
        let [_, number, withdrawn, elected] =
            json::fields(v, ["ballot", "round", "withdrawn", "elected"], "round")?;
        return Ok(Round {
            number: json::u32_(number, "round")?,
            withdrawn: u32s(withdrawn, "withdrawn")?,
            body: Body::Acclamation(json::u32_(elected, "elected")?),
        });
    }
    // A yes/no round has the fields of a choose-one round and its `candidate` (§12.2).
    let (fields, yes_no) = match kind {
        "choose_one" => (json::fields(v, ROUND_FIELDS, "round")?, None),
        "yes_no" => {
            let mut names = [""; 9];
            names[..8].copy_from_slice(&ROUND_FIELDS);
            names[8] = "candidate";
            let all = json::fields(v, names, "round")?;
            let candidate = json::u32_(all[8], "candidate")?;
            (all[..8].try_into().expect("8 fields"), Some(candidate))
        }
        other => return Err(format!("round: unknown ballot {other:?}")),
    };
    let [
        _,
        number,
        withdrawn,
        candidates,
        entries,
        close,
        decryption,
        tie,
    ] = fields;
    let entries = json::array(entries, "entries")?
        .iter()
        .map(|e| {
            let (challenged, object) = match (json::get(e, "cast"), json::get(e, "challenged")) {
                (Some(_), None) => (false, "cast"),
                (None, Some(_)) => (true, "challenged"),
                _ => return Err("entry: not exactly one of cast / challenged".to_string()),
            };
            let [object, code] = json::fields(e, [object, "code"], "entry")?;
            decode_entry(
                challenged,
                json::hex_bytes(object, "entry")?,
                json::hex32(code, "code")?,
            )
        })
        .collect::<Res<_>>()?;
    let close = json::nullable(close)
        .map(|c| {
            let [head, cast, challenged] =
                json::fields(c, ["chain_head", "cast", "challenged"], "close")?;
            Ok::<_, String>(Close {
                head: json::hex32(head, "chain_head")?,
                cast: json::int(cast, "close.cast")?,
                challenged: json::int(challenged, "close.challenged")?,
            })
        })
        .transpose()?;
    let decryption = json::nullable(decryption)
        .map(decryption_from_json)
        .transpose()?;
    let tie = json::nullable(tie)
        .map(|t| {
            let [eliminated, how] = json::fields(t, ["eliminated", "how"], "tie_resolution")?;
            let run_off = match json::string(how, "how")? {
                "lot" => false,
                "run_off" => true,
                other => return Err(format!("tie_resolution: unknown how {other:?}")),
            };
            Ok(Tie {
                eliminated: json::u32_(eliminated, "eliminated")?,
                run_off,
            })
        })
        .transpose()?;
    Ok(Round {
        number: json::u32_(number, "round")?,
        withdrawn: u32s(withdrawn, "withdrawn")?,
        body: Body::Ballot(Box::new(BallotRound {
            yes_no,
            candidates: u32s(candidates, "candidates")?,
            entries,
            close,
            decryption,
            tie,
        })),
    })
}

/// A round's `decryption` object (§12.2): tally, partials, combined, totals, result.
fn decryption_from_json(d: &J) -> Res<Decryption> {
    let [tally, partials, combined, totals, result] = json::fields(
        d,
        ["tally", "partials", "combined", "totals", "result"],
        "decryption",
    )?;
    let [cast, pv, base, required, elected, eliminated] = json::fields(
        result,
        [
            "cast",
            "present_and_voting",
            "base",
            "required",
            "elected",
            "eliminated",
        ],
        "result",
    )?;
    Ok(Decryption {
        tally: json::array(tally, "tally")?
            .iter()
            .map(|c| ciphertext(&json::hex_bytes(c, "tally")?))
            .collect::<Res<_>>()?,
        partials: json::array(partials, "partials")?
            .iter()
            .map(|p| {
                let bytes = json::hex_bytes(p, "partial")?;
                let partial = Partial::decode(&bytes)?;
                Ok((bytes, partial))
            })
            .collect::<Res<_>>()?,
        combined: u32s(combined, "combined")?,
        totals: json::array(totals, "totals")?
            .iter()
            .map(|t| json::int(t, "total"))
            .collect::<Res<_>>()?,
        result: Outcome {
            cast: json::int(cast, "result.cast")?,
            present_and_voting: json::int(pv, "present_and_voting")?,
            base: json::int(base, "base")?,
            required: json::nullable(required)
                .map(|r| json::int(r, "required"))
                .transpose()?,
            elected: opt_u32(elected, "elected")?,
            eliminated: opt_u32(eliminated, "eliminated")?,
        },
    })
}

/// `ballot round` of §12.1.
fn encode_ballot_round(w: &mut Writer, b: &BallotRound) {
    match b.yes_no {
        None => w.u8(0),
        Some(c) => w.u8(1).u32(c),
    };
    w.u32(b.candidates.len() as u32);
    for &c in &b.candidates {
        w.u32(c);
    }
    w.u32(b.entries.len() as u32);
    for e in &b.entries {
        let tag = match e.item {
            Item::Cast(_) => 1,
            Item::Challenged(_) => 2,
        };
        w.u8(tag).blob(&e.bytes).bytes(&e.code);
    }
    match &b.close {
        None => w.u8(0),
        Some(c) => w.u8(1).bytes(&c.head).u64(c.cast).u64(c.challenged),
    };
    match &b.decryption {
        None => {
            w.u8(0);
        }
        Some(d) => {
            w.u8(1).u32(d.tally.len() as u32);
            for (a, b) in &d.tally {
                w.bytes(&a.bytes).bytes(&b.bytes);
            }
            w.u32(d.partials.len() as u32);
            for (bytes, _) in &d.partials {
                w.blob(bytes);
            }
            w.u32(d.combined.len() as u32);
            for &i in &d.combined {
                w.u32(i);
            }
            w.u32(d.totals.len() as u32);
            for &t in &d.totals {
                w.u64(t);
            }
            let r = &d.result;
            w.u64(r.cast).u64(r.present_and_voting).u64(r.base);
            match r.required {
                None => w.u8(0),
                Some(x) => w.u8(1).u64(x),
            };
            for x in [r.elected, r.eliminated] {
                match x {
                    None => w.u8(0),
                    Some(x) => w.u8(1).u32(x),
                };
            }
        }
    }
    match &b.tie {
        None => w.u8(0),
        Some(t) => w.u8(1).u32(t.eliminated).u8(t.run_off as u8),
    };
}

/// An optional field of §12.1: a flag, then the value when it is 1.
fn opt<T>(rd: &mut Reader, read: impl FnOnce(&mut Reader) -> Res<T>) -> Res<Option<T>> {
    if rd.flag()? {
        read(rd).map(Some)
    } else {
        Ok(None)
    }
}

/// `ballot round` of §12.1, every blob through its own decoder.
fn decode_ballot_round(rd: &mut Reader) -> Res<BallotRound> {
    let yes_no = match rd.u8()? {
        0 => None,
        1 => Some(rd.u32()?),
        tag => return Err(format!("unknown ballot kind {tag}")),
    };
    let k = rd.count(4)?;
    let candidates = (0..k).map(|_| rd.u32()).collect::<Res<_>>()?;
    let e = rd.count(1 + 4 + 32)?;
    let mut entries = Vec::with_capacity(e);
    for _ in 0..e {
        let challenged = match rd.u8()? {
            1 => false,
            2 => true,
            tag => return Err(format!("unknown entry tag {tag}")),
        };
        let bytes = rd.blob()?.to_vec();
        entries.push(decode_entry(challenged, bytes, rd.array()?)?);
    }
    let close = opt(rd, |rd| {
        Ok(Close {
            head: rd.array()?,
            cast: rd.u64()?,
            challenged: rd.u64()?,
        })
    })?;
    let decryption = opt(rd, |rd| {
        let m = rd.count(64)?;
        let tally = (0..m).map(|_| rd.ciphertext()).collect::<Res<_>>()?;
        let p = rd.count(4)?;
        let partials = (0..p)
            .map(|_| {
                let bytes = rd.blob()?.to_vec();
                let partial = Partial::decode(&bytes)?;
                Ok((bytes, partial))
            })
            .collect::<Res<_>>()?;
        let t = rd.count(4)?;
        let combined = (0..t).map(|_| rd.u32()).collect::<Res<_>>()?;
        let w = rd.count(8)?;
        let totals = (0..w).map(|_| rd.u64()).collect::<Res<_>>()?;
        let (cast, present_and_voting, base) = (rd.u64()?, rd.u64()?, rd.u64()?);
        let required = opt(rd, |rd| rd.u64())?;
        let elected = opt(rd, |rd| rd.u32())?;
        let eliminated = opt(rd, |rd| rd.u32())?;
        let result = Outcome {
            cast,
            present_and_voting,
            base,
            required,
            elected,
            eliminated,
        };
        Ok(Decryption {
            tally,
            partials,
            combined,
            totals,
            result,
        })
    })?;
    let tie = opt(rd, |rd| {
        let eliminated = rd.u32()?;
        let run_off = rd.flag()?;
        Ok(Tie {
            eliminated,
            run_off,
        })
    })?;
    Ok(BallotRound {
        yes_no,
        candidates,
        entries,
        close,
        decryption,
        tie,
    })
}
