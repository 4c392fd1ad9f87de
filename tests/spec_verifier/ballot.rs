//! Contests, layouts and ballots: the contest of a round (SPEC §10.4), its layout (§6.3), the
//! ballot transcript and proofs (§6.1, §6.2; layout 2's one-out-of-many proof, §5.5), a challenged ballot's opening (§9), and the
//! split of decrypted values into slot totals (§6.3).

use curve25519_dalek::scalar::Scalar;
use merlin::Transcript;

use super::codec::{Ct, Pt, Res, g};
use super::objects::{Ballot, Challenged, Proofs};
use super::proofs::{append_ct, radix, root};

/// A contest (§6): index, k options, min, max, abstention, capacity N.
#[derive(Clone, Copy, Debug)]
pub struct Contest {
    pub index: u64,
    pub k: u64,
    pub min: u64,
    pub max: u64,
    pub abstention: bool,
    pub capacity: Option<u64>,
}

impl Contest {
    /// The contest of a choose-one round over k remaining candidates, or of a yes/no round
    /// (k = 2), with capacity N = eligible (§10.4).
    pub fn of_round(k: u64, eligible: u64) -> Contest {
        Contest {
            index: 0,
            k,
            min: 1,
            max: 1,
            abstention: true,
            capacity: Some(eligible),
        }
    }

    /// w = k, plus 1 with abstention (§6).
    pub fn slots(&self) -> usize {
        self.k as usize + self.abstention as usize
    }
}

/// A packed layout's parameters (§6.3): B, s and the chunk sizes s_ν.
#[derive(Clone, Debug)]
pub struct Packed {
    pub base: u64,
    pub chunk: u64,
    pub sizes: Vec<usize>,
}

/// The layout of a contest (§6.3).
#[derive(Clone, Debug)]
pub struct Layout {
    /// The layout tag of §6.1 and §14.4: 0 per option, 1 packed (count proof), 2 packed (one
    /// proof).
    pub tag: u8,
    pub packed: Option<Packed>,
    /// S_ν for each ciphertext with its own proof (none when p = 0, and in layout 2).
    pub own: Vec<Vec<u64>>,
    /// ω_ν for each ciphertext.
    pub weights: Vec<u64>,
    /// S_Σ (empty in layout 2).
    pub count: Vec<u64>,
    /// Layout 2: the w′ statements (a_σ, v_σ) of its one-out-of-many proof (§5.5).
    pub statements: Vec<(u64, u64)>,
}

const BOUND: u128 = 1 << 40;

impl Layout {
    /// §6.3: packed exactly when N ≥ 1, max = 1 and s ≥ 2, else per option; packed, layout 1
    /// when g = 1 and w′ ≤ 3, else layout 2.
    pub fn of(c: &Contest) -> Layout {
        let w = c.slots();
        if let (Some(n), 1) = (c.capacity.filter(|&n| n >= 1), c.max) {
            let b = n + 1;
            // s: the largest integer in 1..=w with N·B^(s−1) ≤ 2^40 (0 when there is none).
            let s = (1..=w)
                .take_while(|&s| {
                    (b as u128)
                        .checked_pow(s as u32 - 1)
                        .and_then(|p| p.checked_mul(n as u128))
                        .is_some_and(|top| top <= BOUND)
                })
                .last()
                .unwrap_or(0);
            if s >= 2 {
                let g = w.div_ceil(s);
                let sizes: Vec<usize> = (0..g).map(|v| (v * s + s).min(w) - v * s).collect();
                let blank = c.min == 0;
                let w_prime = w + usize::from(blank);
                let packed = Some(Packed {
                    base: b,
                    chunk: s as u64,
                    sizes,
                });
                if g == 1 && w_prime <= 3 {
                    let count = blank
                        .then_some(0)
                        .into_iter()
                        .chain((0..w as u32).map(|e| b.pow(e)))
                        .collect();
                    return Layout {
                        tag: 1,
                        packed,
                        own: Vec::new(),
                        weights: vec![1],
                        count,
                        statements: Vec::new(),
                    };
                }
                // Slot σ as (⌊σ/s⌋, B^(σ mod s)), then the blank (0, 0) when min = 0.
                let mut statements: Vec<(u64, u64)> = (0..w)
                    .map(|sigma| ((sigma / s) as u64, b.pow((sigma % s) as u32)))
                    .collect();
                if blank {
                    statements.push((0, 0));
                }
                return Layout {
                    tag: 2,
                    packed,
                    own: Vec::new(),
                    weights: vec![1; g],
                    count: Vec::new(),
                    statements,
                };
            }
        }
        let mut weights = vec![1; c.k as usize];
        if c.abstention {
            weights.push(c.max);
        }
        Layout {
            tag: 0,
            packed: None,
            own: vec![vec![0, 1]; w],
            weights,
            count: (c.min..=c.max).collect(),
            statements: Vec::new(),
        }
    }

    /// (layout tag, B or 0, s or 0), as §6.1, §14.4 and §16.3 write them.
    pub fn announced(&self) -> (u8, u64, u64) {
        match &self.packed {
            None => (self.tag, 0, 0),
            Some(p) => (self.tag, p.base, p.chunk),
        }
    }

    /// m: the number of ciphertexts of a ballot (§6.3).
    pub fn width(&self) -> usize {
        self.weights.len()
    }

    /// The plaintexts μ_ν of a selection (§6.3): per option the slot values; packed, per chunk
    /// Σ_σ v_{ν·s+σ}·B^σ.
    pub fn plaintexts(&self, slots: &[bool]) -> Vec<u64> {
        match &self.packed {
            None => slots.iter().map(|&v| v as u64).collect(),
            Some(p) => {
                let mut start = 0;
                p.sizes
                    .iter()
                    .map(|&len| {
                        let value = (0..len)
                            .filter(|&sigma| slots[start + sigma])
                            .map(|sigma| p.base.pow(sigma as u32))
                            .sum();
                        start += len;
                        value
                    })
                    .collect()
            }
        }
    }

    /// The discrete logarithm bound of a tally of b ballots (§6.3, check 14): b per option,
    /// b·B^(s₀−1) packed.
    pub fn bound(&self, b: u64) -> u64 {
        match &self.packed {
            None => b,
            Some(p) => b * p.base.pow(p.sizes[0] as u32 - 1),
        }
    }

    /// Splits decrypted values into one total per slot (§6.3): per option the values
    /// themselves; packed, the base-B digits of each chunk, no more digits than the chunk has
    /// slots. Every total must be at most b (§7).
    pub fn totals(&self, values: &[u64], b: u64) -> Res<Vec<u64>> {
        let totals: Vec<u64> = match &self.packed {
            None => values.to_vec(),
            Some(p) => {
                let mut out = Vec::new();
                for (&len, &value) in p.sizes.iter().zip(values) {
                    let mut rest = value;
                    for _ in 0..len {
                        out.push(rest % p.base);
                        rest /= p.base;
                    }
                    if rest != 0 {
                        return Err(format!(
                            "{value} has more base-{} digits than slots",
                            p.base
                        ));
                    }
                }
                out
            }
        };
        if let Some(t) = totals.iter().find(|&&t| t > b) {
            return Err(format!("a slot total {t} above b = {b}"));
        }
        Ok(totals)
    }
}

/// Whether slot values form a valid selection of the contest (§6).
pub fn valid_selection(c: &Contest, slots: &[bool]) -> bool {
    if slots.len() != c.slots() {
        return false;
    }
    let chosen = slots[..c.k as usize].iter().filter(|&&v| v).count() as u64;
    let abstain = c.abstention && slots[c.k as usize];
    if abstain {
        chosen == 0
    } else {
        c.min <= chosen && chosen <= c.max
    }
}

/// The ballot transcript T_b (§6.1).
fn ballot_transcript(f: &[u8; 32], r: u32, c: &Contest, l: &Layout, ballot: &Ballot) -> Transcript {
    let mut t = root(f, b"tabella.ballot");
    t.append_u64(b"round", r as u64);
    t.append_u64(b"contest", c.index);
    t.append_u64(b"options", c.k);
    t.append_u64(b"min", c.min);
    t.append_u64(b"max", c.max);
    t.append_u64(b"abstention", c.abstention as u64);
    t.append_u64(b"capacity", c.capacity.unwrap_or(0));
    let (layout, base, chunk) = l.announced();
    t.append_u64(b"layout", u64::from(layout));
    t.append_u64(b"base", base);
    t.append_u64(b"chunk", chunk);
    t.append_message(b"ballot-id", &ballot.id);
    t.append_message(
        b"credential",
        ballot.credential.as_ref().map_or(&[][..], |c| &c[..]),
    );
    for ct in &ballot.cts {
        append_ct(&mut t, b"C", ct);
    }
    t
}

/// §16.3: whether a ballot's signature verifies under the point S of its credential, on T_s
/// for (F, r, contest).
pub fn signature_verifies(
    f: &[u8; 32],
    r: u32,
    c: &Contest,
    l: &Layout,
    ballot: &Ballot,
    s: &Pt,
) -> bool {
    let Some(signature) = &ballot.signature else {
        return false;
    };
    let mut t = root(f, b"tabella.ballot.signature");
    t.append_u64(b"round", r as u64);
    t.append_u64(b"contest", c.index);
    t.append_u64(b"options", c.k);
    t.append_u64(b"min", c.min);
    t.append_u64(b"max", c.max);
    t.append_u64(b"abstention", c.abstention as u64);
    t.append_u64(b"capacity", c.capacity.unwrap_or(0));
    let (layout, base, chunk) = l.announced();
    t.append_u64(b"layout", u64::from(layout));
    t.append_u64(b"base", base);
    t.append_u64(b"chunk", chunk);
    t.append_message(b"credential", &s.bytes);
    t.append_message(b"ballot", &ballot.body);
    signature.verify(&mut t, s)
}

/// Whether a ballot's shape is the layout's (§6.2): m, the proof form (0 for layouts 0 and 1,
/// 1 for layout 2), then p, every h_ν = |S_ν| and h_Σ = |S_Σ| (form 0) or e and d (form 1).
/// §13 checks it after the credential's presence and roll, before the signature.
pub fn shape(l: &Layout, b: &Ballot) -> Res<()> {
    if b.cts.len() != l.width() {
        return Err(format!(
            "the ballot's shape does not match the contest's layout: {} ciphertexts, layout {} \
             has {}",
            b.cts.len(),
            l.tag,
            l.width()
        ));
    }
    let expected_form = u8::from(l.tag == 2);
    match &b.proofs {
        Proofs::Membership { own, count } if expected_form == 0 => {
            let hs = own
                .iter()
                .zip(&l.own)
                .all(|(p, set)| p.branches() == set.len());
            if own.len() != l.own.len() || !hs || count.branches() != l.count.len() {
                return Err(format!(
                    "the ballot's shape does not match the contest's layout {}: p or h",
                    l.tag
                ));
            }
        }
        Proofs::OneOfMany(p) if expected_form == 1 => {
            let given = radix(l.statements.len());
            if (p.e, p.d) != given {
                return Err(format!(
                    "the ballot's shape does not match the contest's layout 2: the one-out-of-many \
                     proof's radix (e = {}, d = {}), w′ = {} gives {given:?}",
                    p.e,
                    p.d,
                    l.statements.len()
                ));
            }
        }
        proofs => {
            return Err(format!(
                "the ballot's shape does not match the contest's layout {}: proof form {}, the \
                 layout's is {expected_form}",
                l.tag,
                proofs.form()
            ));
        }
    }
    Ok(())
}

/// Whether a ballot is valid for (F, Y, r, contest) (§6.2): its shape is the layout's and
/// every proof verifies (§6.1); an error names the proof (and its part) that failed.
pub fn verify_ballot(f: &[u8; 32], y: &Pt, r: u32, c: &Contest, l: &Layout, b: &Ballot) -> Res<()> {
    shape(l, b)?;
    let tb = ballot_transcript(f, r, c, l, b);
    let (own, count_proof) = match &b.proofs {
        Proofs::OneOfMany(proof) => {
            // §6.1: T_Σ, then the §5.5 proof over all m ciphertexts and the w′ statements.
            let mut t = tb.clone();
            t.append_message(b"dom-sep", b"tabella.ballot.count");
            return proof
                .verify(&mut t, y, &b.cts, &l.statements)
                .map_err(|e| format!("the one-out-of-many proof fails: {e}"));
        }
        Proofs::Membership { own, count } => (own, count),
    };
    for (nu, (proof, set)) in own.iter().zip(&l.own).enumerate() {
        let mut t = tb.clone();
        t.append_message(b"dom-sep", b"tabella.ballot.option");
        t.append_u64(b"option", nu as u64);
        if !proof.verify(&mut t, y, &b.cts[nu], set) {
            return Err(format!("the proof of ciphertext {nu} fails"));
        }
    }
    let count: Ct = if b.cts.len() == 1 {
        b.cts[0]
    } else {
        let weighted = |pick: fn(&Ct) -> &Pt| {
            Pt::of(
                b.cts
                    .iter()
                    .zip(&l.weights)
                    .map(|(ct, &w)| Scalar::from(w) * pick(ct).p)
                    .sum(),
            )
        };
        (weighted(|ct| &ct.0), weighted(|ct| &ct.1))
    };
    let mut t = tb.clone();
    t.append_message(b"dom-sep", b"tabella.ballot.count");
    if !count_proof.verify(&mut t, y, &count, &l.count) {
        return Err("the count proof fails".into());
    }
    Ok(())
}

/// Whether a challenged ballot opens correctly (§9): its proofs verify, its slot values are a
/// valid selection, and each ciphertext is (r_ν·G, μ_ν·G + r_ν·Y).
pub fn open_challenged(
    f: &[u8; 32],
    y: &Pt,
    r: u32,
    c: &Contest,
    l: &Layout,
    ch: &Challenged,
) -> Res<()> {
    verify_ballot(f, y, r, c, l, &ch.ballot)?;
    if !valid_selection(c, &ch.slots) {
        return Err("the slot values are not a valid selection".into());
    }
    let mus = l.plaintexts(&ch.slots);
    for (nu, ((ct, nonce), mu)) in ch.ballot.cts.iter().zip(&ch.nonces).zip(mus).enumerate() {
        let alpha = nonce * g();
        let beta = Scalar::from(mu) * g() + nonce * y.p;
        if alpha != ct.0.p || beta != ct.1.p {
            return Err(format!("ciphertext {nu} does not open to its selection"));
        }
    }
    Ok(())
}
