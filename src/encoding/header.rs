//! The header of every top-level encoding: what the bytes hold, and which protocol version
//! wrote them.
//!
//! ```text
//! header = "tb" (0x74 0x62) ‖ kind (1 byte, [`ObjectKind`]) ‖ LE16(protocol version)
//! ```
//!
//! Every object that travels on its own (manifest, public key package, ceremony messages,
//! ballots, challenged ballots, partial decryptions, records, exported key shares, ballot
//! streams) starts with its header, and so does every copy of it nested in another object: an
//! object has one encoding wherever it appears, and that is the encoding its hashes cover.
//!
//! A decoder reads the header first and tells apart, each with its own error:
//! bytes that are not a tabella object at all ([`Error::NotTabella`]), another kind of object
//! ([`Error::WrongKind`]), and an object of another protocol version
//! ([`Error::UnsupportedVersion`]). Nothing after the header is read in those cases.

use crate::domain::{ObjectKind, PROTOCOL_VERSION};
use crate::error::{Error, Result};
use crate::group::Reader;

/// The first two bytes of every top-level encoding.
pub const MAGIC: [u8; 2] = *b"tb";

/// The length of a header.
pub const HEADER_LEN: usize = 5;

/// The header of an object of `kind` in this protocol version.
pub fn header(kind: ObjectKind) -> [u8; HEADER_LEN] {
    let [v0, v1] = PROTOCOL_VERSION.to_le_bytes();
    let [m0, m1] = MAGIC;
    [m0, m1, kind.tag(), v0, v1]
}

/// Appends the header of an object of `kind`.
pub fn write_header(out: &mut Vec<u8>, kind: ObjectKind) {
    out.extend_from_slice(&header(kind));
}

/// Reads and checks the header of an object of `kind`.
pub fn read_header(reader: &mut Reader<'_>, kind: ObjectKind) -> Result<()> {
    let magic: [u8; 2] = reader
        .array(kind.name())
        .map_err(|_| Error::NotTabella { expected: kind })?;
    if magic != MAGIC {
        return Err(Error::NotTabella { expected: kind });
    }
    let tag = reader
        .u8(kind.name())
        .map_err(|_| Error::NotTabella { expected: kind })?;
    if tag != kind.tag() {
        return Err(Error::WrongKind {
            expected: kind,
            found: ObjectKind::from_tag(tag),
        });
    }
    let version = u16::from_le_bytes(
        reader
            .array(kind.name())
            .map_err(|_| Error::NotTabella { expected: kind })?,
    );
    if version != PROTOCOL_VERSION {
        return Err(Error::UnsupportedVersion { kind, version });
    }
    Ok(())
}

/// What the header at the start of `bytes` announces, without checking the version: the
/// kind (if the magic and kind byte are valid) and the version. For tools that must say what
/// a file is before decoding it.
pub fn peek(bytes: &[u8]) -> Option<(ObjectKind, u16)> {
    match bytes {
        [m0, m1, tag, v0, v1, ..] if [*m0, *m1] == MAGIC => {
            Some((ObjectKind::from_tag(*tag)?, u16::from_le_bytes([*v0, *v1])))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8], kind: ObjectKind) -> Result<()> {
        Reader::decode_all("test", bytes, |r| read_header(r, kind))
    }

    #[test]
    fn headers_round_trip_and_are_told_apart() {
        for kind in ObjectKind::ALL {
            let h = header(*kind);
            assert_eq!(read(&h, *kind), Ok(()));
            assert_eq!(peek(&h), Some((*kind, PROTOCOL_VERSION)));
            for other in ObjectKind::ALL.iter().filter(|k| *k != kind) {
                assert_eq!(
                    read(&h, *other),
                    Err(Error::WrongKind {
                        expected: *other,
                        found: Some(*kind)
                    })
                );
            }
        }
        let ballot = ObjectKind::Ballot;
        // Junk, a truncated header, an unknown kind, another version.
        for junk in [
            &b""[..],
            b"t",
            b"tb",
            b"xx\x06\x03\x00",
            b"\x00\x00\x00\x00\x00",
        ] {
            assert_eq!(
                read(junk, ballot),
                Err(Error::NotTabella { expected: ballot })
            );
        }
        assert_eq!(
            read(b"tb\xee\x03\x00", ballot),
            Err(Error::WrongKind {
                expected: ballot,
                found: None
            })
        );
        let mut old = header(ballot);
        old[3] = 2;
        assert_eq!(
            read(&old, ballot),
            Err(Error::UnsupportedVersion {
                kind: ballot,
                version: 2
            })
        );
        assert_eq!(peek(&old), Some((ballot, 2)));
    }

    #[test]
    fn kind_tags_are_distinct() {
        for (i, a) in ObjectKind::ALL.iter().enumerate() {
            assert_eq!(ObjectKind::from_tag(a.tag()), Some(*a));
            for b in &ObjectKind::ALL[i + 1..] {
                assert_ne!(a.tag(), b.tag());
            }
        }
    }
}
