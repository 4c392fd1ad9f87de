//! The booth for JavaScript: [`Booth`] behind `wasm-bindgen`, with JSON text in and out.
//!
//! `wasm-bindgen` writes the glue between JavaScript and the module; this module holds no
//! code of its own beyond calling [`Booth`] and turning its errors into JavaScript errors.

use wasm_bindgen::prelude::*;

use crate::booth::Booth;
use crate::error::BoothError;

fn js(e: BoothError) -> JsError {
    JsError::new(&e.to_string())
}

/// The booth, for the page.
#[wasm_bindgen(js_name = Booth)]
pub struct WasmBooth(Booth);

#[wasm_bindgen(js_class = Booth)]
impl WasmBooth {
    /// A booth with an empty copy of the board.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Result<WasmBooth, JsError> {
        Booth::new().map(WasmBooth).map_err(js)
    }

    /// [`Booth::read_page`]: one page of `GET /api/entries`, as its JSON text.
    #[wasm_bindgen(js_name = readPage)]
    pub fn read_page(&mut self, page: &str) -> Result<String, JsError> {
        self.0.read_page(page).map(|v| v.to_string()).map_err(js)
    }

    /// [`Booth::summary`], as JSON text.
    pub fn summary(&self) -> String {
        self.0.summary().to_string()
    }

    /// [`Booth::load_credential`].
    #[wasm_bindgen(js_name = loadCredential)]
    pub fn load_credential(&mut self, code: &str) -> Result<String, JsError> {
        self.0
            .load_credential(code)
            .map(|v| v.to_string())
            .map_err(js)
    }

    /// [`Booth::encrypt`]: `choice` the option's position, or a negative number to abstain.
    pub fn encrypt(&mut self, choice: i32) -> Result<String, JsError> {
        let choice = u32::try_from(choice).ok();
        self.0.encrypt(choice).map(|v| v.to_string()).map_err(js)
    }

    /// [`Booth::challenge`].
    pub fn challenge(&mut self) -> Result<String, JsError> {
        self.0.challenge().map(|v| v.to_string()).map_err(js)
    }

    /// [`Booth::challenged_bytes`].
    #[wasm_bindgen(js_name = challengedBytes)]
    pub fn challenged_bytes(&self) -> Result<Vec<u8>, JsError> {
        self.0.challenged_bytes().map_err(js)
    }

    /// [`Booth::cast`].
    pub fn cast(&mut self) -> Result<Vec<u8>, JsError> {
        self.0.cast().map_err(js)
    }

    /// [`Booth::abandon`].
    pub fn abandon(&mut self) {
        self.0.abandon();
    }

    /// [`Booth::confirm`].
    pub fn confirm(&mut self, code: &str) -> Result<String, JsError> {
        self.0.confirm(code).map(|v| v.to_string()).map_err(js)
    }

    /// [`Booth::confirm_challenge`].
    #[wasm_bindgen(js_name = confirmChallenge)]
    pub fn confirm_challenge(&mut self, code: &str) -> Result<String, JsError> {
        self.0
            .confirm_challenge(code)
            .map(|v| v.to_string())
            .map_err(js)
    }
}
