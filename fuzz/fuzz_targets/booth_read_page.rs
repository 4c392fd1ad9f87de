#![no_main]
//! The booth reading what a board server sends: any bytes as a page of `GET /api/entries`
//! (the seed is a real board's page), then every step a page offers. Nothing may panic, and a
//! refused page leaves the booth's copy a prefix it can go on from.
use libfuzzer_sys::fuzz_target;
use tabella_booth::Booth;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let Ok(mut booth) = Booth::new() else {
        return;
    };
    let before = booth.mirror().len();
    if booth.read_page(text).is_err() {
        assert!(booth.mirror().len() >= before);
    }
    let _ = booth.summary();
    let _ = booth.load_credential(text);
    let _ = booth.encrypt(None);
    let _ = booth.challenge();
    let _ = booth.cast();
    let _ = booth.confirm(text);
    // The same page again, from where the copy stands: refused (out of place) or applied.
    let _ = booth.read_page(text);
});
