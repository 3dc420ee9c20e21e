#!/usr/bin/env bash
# Runs every test: formatting, lints, native sim-core tests, wasm tests in headless
# Chromium, and end-to-end tests in headless Chromium against the built bundle.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"
"$ROOT/scripts/bootstrap.sh"

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "Native tests (sim-core, optimised for the statistical checks)"
cargo test --profile fast-release -p sim-core --quiet

step "Native tests of the app's pure modules (camera, keys, model, fields, embed)"
cargo test -p playground --lib --quiet

step "Share-link length of every preset"
cargo test --profile fast-release -p sim-core --quiet --test all -- --exact presets::every_preset_link_is_short_and_round_trips --nocapture

step "sim-core stays free of web crates"
if cargo tree -p sim-core --prefix none | grep -E '^(leptos|web-sys|js-sys|wasm-bindgen|gloo)[ -]'; then
  die "sim-core depends on a web crate"
fi

step "Native digests of the example scenarios (compared with wasm below)"
digests=""
for f in sim-core/scenarios/*.json; do
  d=$(cargo run --quiet --profile fast-release -p sim-core --bin simulate -- "$f" | awk '$1 == "digest" {print $2}')
  [ -n "$d" ] || die "no digest from the headless runner for $f"
  digests+="$(basename "$f" .json)=$d;"
done
echo "$digests" | tr ';' '\n'
export SIM_NATIVE_DIGESTS="$digests"

step "Runner benchmark: 20 seeds × 120 simulated s of the URL shortener (printed, not asserted)"
bench_seeds() { # prints the wall time, s
  local t0 t1
  t0=$(date +%s.%N)
  cargo run --quiet --profile fast-release -p sim-core --bin simulate -- \
    sim-core/presets/url-shortener.json --seeds 20 --duration-s 120 > /dev/null
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }'
}
cargo build --quiet --profile fast-release -p sim-core --bin simulate
all=$(bench_seeds)
one=$(RAYON_NUM_THREADS=1 bench_seeds)
awk -v all="$all" -v one="$one" -v n="$(nproc)" 'BEGIN {
  printf "all cores (%d): %6.1f s wall · %.2f s per seed\n", n, all, all / 20
  printf "one thread:    %6.1f s wall · %.2f s per seed\n", one, one / 20
  printf "speed-up:      %.2f ×\n", one / all
}'

step "Grader benchmark: 100 submissions of the url-shortener challenge (printed, not asserted)"
subs=$(mktemp -d)
for i in $(seq -w 1 50); do
  cp sim-core/tests/fixtures/challenges/url-shortener.json "$subs/reference-$i.json"
  cp sim-core/challenges/url-shortener.json "$subs/start-$i.json"
done
t0=$(date +%s.%N)
cargo run --quiet --profile fast-release -p sim-core --bin simulate -- grade url-shortener "$subs" > /dev/null
t1=$(date +%s.%N)
rm -rf "$subs"
awk -v a="$t0" -v b="$t1" -v n="$(nproc)" 'BEGIN {
  printf "100 submissions × 3 seeds on %d cores: %6.1f s wall · %.2f s per submission\n", n, b - a, (b - a) / 100
}'

step "wasm tests in headless Chromium (wasm-bindgen-test)"
with_wasm_env cargo test -p playground --target wasm32-unknown-unknown

"$ROOT/scripts/build.sh"

step "End-to-end tests in headless Chromium"
node --test --test-reporter=spec tests/e2e/

step "Frame-time benchmark (printed, not asserted)"
node scripts/bench-frames.mjs

step "Seek benchmark (printed, not asserted)"
node scripts/bench-seek.mjs
echo
echo "All tests passed. Screenshots: tests/output/"
