#!/usr/bin/env bash
# Builds the booth's WebAssembly module and its JavaScript glue into booth/www/pkg, where the
# page (booth/www/index.html) loads them. Needs the wasm32 target and wasm-bindgen-cli of the
# same version as the crate's wasm-bindgen:
#   rustup target add wasm32-unknown-unknown
#   cargo install wasm-bindgen-cli --version 0.2.130
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir="${CARGO_TARGET_DIR:-target}"
cargo build -p tabella-booth --profile booth --target wasm32-unknown-unknown
wasm-bindgen --target web --no-typescript --out-dir booth/www/pkg \
  "$target_dir/wasm32-unknown-unknown/booth/tabella_booth.wasm"
wasm="booth/www/pkg/tabella_booth_bg.wasm"
echo "booth: $wasm $(wc -c < "$wasm") bytes ($(gzip -9 -c "$wasm" | wc -c) gzipped)"
