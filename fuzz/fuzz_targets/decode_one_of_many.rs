#![no_main]
use libfuzzer_sys::fuzz_target;
fuzz_target!(|data: &[u8]| tabella::fuzzing::decode_one_of_many(data));
