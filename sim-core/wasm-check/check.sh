#!/usr/bin/env bash
# Builds sim-core's reference run for wasm32-unknown-unknown, runs it in Node's V8 and
# checks its digest equals sim_core::REFERENCE_DIGEST (which the native tests check too).
# Uses an installed rustup wasm32 target if there is one, else Debian's rustc-web with
# build-std (see the toolchain notes). Needs node.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="$root/target/wasm-check"
cd "$here"
if rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown; then
    cargo build --release --target wasm32-unknown-unknown
else
    (export PATH=/usr/bin:$PATH RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort
     cargo build --release --target wasm32-unknown-unknown)
fi
got="$(node run.mjs "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/sim_core_wasm_check.wasm")"
want="$(grep -o 'REFERENCE_DIGEST: &str = "[0-9a-f]*"' "$here/../src/lib.rs" | grep -o '[0-9a-f]\{16\}')"
echo "wasm digest $got, native reference $want"
[ "$got" = "$want" ]
