//! A strict JSON reader for SPEC §12.2 and §10.2: duplicate keys are refused, every listed
//! field is required and no other field is allowed, integers are unsigned, hex is lowercase.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::codec::{Res, unhex};

/// A JSON value whose objects keep their keys in order and never hold a key twice.
#[derive(Clone, Debug, PartialEq)]
pub enum J {
    Null,
    Bool(bool),
    /// A non-negative integer.
    Int(u64),
    /// Any other number (negative or fractional): never valid in a record.
    OtherNumber,
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

struct JVisitor;

impl<'de> Visitor<'de> for JVisitor {
    type Value = J;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<J, E> {
        Ok(J::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<J, E> {
        Ok(J::Bool(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<J, E> {
        Ok(J::Int(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<J, E> {
        Ok(u64::try_from(v).map_or(J::OtherNumber, J::Int))
    }
    fn visit_f64<E>(self, _: f64) -> Result<J, E> {
        Ok(J::OtherNumber)
    }
    fn visit_str<E>(self, v: &str) -> Result<J, E> {
        Ok(J::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<J, E> {
        Ok(J::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<J, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element()? {
            out.push(v);
        }
        Ok(J::Arr(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<J, A::Error> {
        let mut out: Vec<(String, J)> = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, J>()? {
            if out.iter().any(|(key, _)| *key == k) {
                return Err(de::Error::custom(format!("duplicate key {k:?}")));
            }
            out.push((k, v));
        }
        Ok(J::Obj(out))
    }
}

impl<'de> Deserialize<'de> for J {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<J, D::Error> {
        d.deserialize_any(JVisitor)
    }
}

/// Parses JSON text strictly (no duplicate keys).
pub fn parse(text: &str) -> Res<J> {
    serde_json::from_str(text).map_err(|e| format!("JSON: {e}"))
}

/// The fields of an object that must have exactly the keys `names` (§12.2: every field
/// required, no other allowed), in the order of `names`.
pub fn fields<'a, const N: usize>(v: &'a J, names: [&str; N], what: &str) -> Res<[&'a J; N]> {
    let J::Obj(entries) = v else {
        return Err(format!("{what}: not an object"));
    };
    if entries.len() != N {
        let keys: Vec<_> = entries.iter().map(|(k, _)| k.as_str()).collect();
        return Err(format!("{what}: fields {keys:?}, expected {names:?}"));
    }
    let mut out = [&J::Null; N];
    for (slot, name) in out.iter_mut().zip(names) {
        *slot = entries
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
            .ok_or_else(|| format!("{what}: missing field {name:?}"))?;
    }
    Ok(out)
}

/// The value of `key` in an object, if present (to choose between layouts, e.g. round kinds).
pub fn get<'a>(v: &'a J, key: &str) -> Option<&'a J> {
    match v {
        J::Obj(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    }
}

pub fn int(v: &J, what: &str) -> Res<u64> {
    match v {
        J::Int(n) => Ok(*n),
        _ => Err(format!("{what}: not a non-negative integer")),
    }
}

pub fn u32_(v: &J, what: &str) -> Res<u32> {
    u32::try_from(int(v, what)?).map_err(|_| format!("{what}: above 2^32 - 1"))
}

pub fn string<'a>(v: &'a J, what: &str) -> Res<&'a str> {
    match v {
        J::Str(s) => Ok(s),
        _ => Err(format!("{what}: not a string")),
    }
}

pub fn array<'a>(v: &'a J, what: &str) -> Res<&'a [J]> {
    match v {
        J::Arr(a) => Ok(a),
        _ => Err(format!("{what}: not an array")),
    }
}

/// `null` or a value.
pub fn nullable(v: &J) -> Option<&J> {
    match v {
        J::Null => None,
        v => Some(v),
    }
}

/// Lowercase hex of any length (§2).
pub fn hex_bytes(v: &J, what: &str) -> Res<Vec<u8>> {
    unhex(string(v, what)?).map_err(|e| format!("{what}: {e}"))
}

/// Lowercase hex of exactly 32 bytes.
pub fn hex32(v: &J, what: &str) -> Res<[u8; 32]> {
    hex_bytes(v, what)?
        .try_into()
        .map_err(|b: Vec<u8>| format!("{what}: {} bytes, expected 32", b.len()))
}

/// A `[p, q]` pair (§10.2).
pub fn fraction(v: &J, what: &str) -> Res<(u64, u64)> {
    match array(v, what)? {
        [p, q] => Ok((int(p, what)?, int(q, what)?)),
        _ => Err(format!("{what}: not a [p, q] pair")),
    }
}
