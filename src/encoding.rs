//! Lowercase hex, and serde support (feature `serde`) for public types through their
//! canonical bytes.
//!
//! A public type with a canonical encoding serializes as that encoding: a lowercase hex string
//! in human-readable formats (JSON), raw bytes otherwise. Deserializing runs the canonical
//! decoder, so serde can never build a value the decoder would reject; in particular it never
//! builds a *verified* type. Secret types implement neither trait.

use core::fmt;

use crate::error::{Error, Result};

pub mod header;

pub use header::{read_header, write_header};

/// Lowercase hex formatting of public bytes.
pub(crate) struct Hex<'a>(pub(crate) &'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

/// Lowercase hex of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
    Hex(bytes).to_string()
}

/// Parses lowercase hex. Uppercase digits, odd lengths and other characters are rejected, so
/// every byte string has exactly one accepted spelling.
pub fn from_hex(what: &'static str, text: &str) -> Result<Vec<u8>> {
    let digits = text.as_bytes();
    if digits.len() % 2 != 0 {
        return Err(Error::InvalidValue {
            what,
            reason: "hex of odd length",
        });
    }
    let nibble = |d: u8| match d {
        b'0'..=b'9' => Ok(d - b'0'),
        b'a'..=b'f' => Ok(d - b'a' + 10),
        _ => Err(Error::InvalidValue {
            what,
            reason: "not lowercase hex",
        }),
    };
    digits
        .chunks_exact(2)
        .map(|pair| match pair {
            [hi, lo] => Ok(nibble(*hi)? << 4 | nibble(*lo)?),
            _ => Err(Error::InvalidValue {
                what,
                reason: "hex of odd length",
            }),
        })
        .collect()
}

/// Implements `Serialize` and `Deserialize` for a type with `to_bytes()` and
/// `from_bytes(&[u8]) -> Result<Self>`.
#[cfg(feature = "serde")]
macro_rules! serde_via_bytes {
    ($type:ty, $what:literal) => {
        $crate::encoding::serde_via_bytes!(@impl $type, $what, |v: &$type| Ok::<_, $crate::Error>(v.to_bytes()));
    };
    ($type:ty, $what:literal, fallible) => {
        $crate::encoding::serde_via_bytes!(@impl $type, $what, |v: &$type| v.to_bytes());
    };
    (@impl $type:ty, $what:literal, $encode:expr) => {
        impl serde::Serialize for $type {
            fn serialize<S: serde::Serializer>(
                &self,
                serializer: S,
            ) -> core::result::Result<S::Ok, S::Error> {
                use serde::ser::Error as _;
                let bytes = ($encode)(self).map_err(S::Error::custom)?;
                if serializer.is_human_readable() {
                    serializer.serialize_str(&$crate::encoding::to_hex(bytes.as_ref()))
                } else {
                    serializer.serialize_bytes(bytes.as_ref())
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(
                deserializer: D,
            ) -> core::result::Result<Self, D::Error> {
                use serde::de::Error as _;
                if deserializer.is_human_readable() {
                    let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                    let bytes =
                        $crate::encoding::from_hex($what, &text).map_err(D::Error::custom)?;
                    <$type>::from_bytes(&bytes).map_err(D::Error::custom)
                } else {
                    let bytes = <std::borrow::Cow<'de, [u8]>>::deserialize(deserializer)?;
                    <$type>::from_bytes(&bytes).map_err(D::Error::custom)
                }
            }
        }
    };
}

#[cfg(feature = "serde")]
pub(crate) use serde_via_bytes;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_strictness() {
        assert_eq!(to_hex(&[0, 0xab, 0x10]), "00ab10");
        assert_eq!(from_hex("x", "00ab10").unwrap(), vec![0, 0xab, 0x10]);
        assert!(from_hex("x", "00AB10").is_err());
        assert!(from_hex("x", "0").is_err());
        assert!(from_hex("x", "0g").is_err());
        assert_eq!(from_hex("x", "").unwrap(), Vec::<u8>::new());
    }
}
