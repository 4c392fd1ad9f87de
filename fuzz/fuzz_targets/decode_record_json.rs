#![no_main]
//! The logic is `tabella::fuzzing::decode_record_json`; the library has no JSON parser, so this
//! target passes serde_json's (tests/fuzz_replay.rs passes the same).
use libfuzzer_sys::fuzz_target;
use tabella::fuzzing::{JsonCodec, decode_record_json};
const CODEC: JsonCodec = JsonCodec {
    parse: |bytes| serde_json::from_slice(bytes).ok(),
    print: |record| serde_json::to_string(record).ok(),
};
fuzz_target!(|data: &[u8]| decode_record_json(data, CODEC));
