#!/usr/bin/env bash
# Installs what the booth's browser tests need and builds the booth's module:
#   Debian's chromium (never a downloaded browser build), npm's playwright-core (driving that
#   chromium through its executable path), the wasm32 target, wasm-bindgen-cli of the crate's
#   wasm-bindgen version, then booth/build.sh.
# Then: cargo test -p tabella-booth --test browser
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null
  fi
fi
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
rustup target add wasm32-unknown-unknown
# The crate pins wasm-bindgen; the CLI must be the same version.
version="$(sed -n 's/^wasm-bindgen = "=\(.*\)"$/\1/p' "$root/booth/Cargo.toml")"
if [ "$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$version" ]; then
  cargo install wasm-bindgen-cli --version "$version"
fi
bash "$root/booth/build.sh"
