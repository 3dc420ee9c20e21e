#!/usr/bin/env bash
# Builds the release bundle into dist/ and prints the wasm size, raw and gzipped.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"
step "Building the release bundle with trunk (first time: about 3 minutes)"
with_wasm_env trunk build --release
wasm=$(ls dist/*.wasm)
raw=$(stat -c %s "$wasm")
gz=$(gzip -9c "$wasm" | wc -c)
printf 'wasm bundle: %s  raw %d KB  gzip %d KB\n' "$(basename "$wasm")" $((raw / 1024)) $((gz / 1024))
