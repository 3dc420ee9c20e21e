# Shared settings for the project's scripts. Source it; it defines functions only.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRUNK_VERSION="0.22.1"
# The wasm-bindgen CLI must equal the wasm-bindgen crate pinned in Cargo.lock.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' "$ROOT/Cargo.lock" 2>/dev/null)"
WASM_BINDGEN_VERSION="${WASM_BINDGEN_VERSION:-0.2.130}"
# Pinned tools (trunk, wasm-bindgen, wasm-opt) are linked here and put first on PATH.
TOOLBIN="$ROOT/target/toolbin"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# True when rustup provides the standard wasm32 target (a normal developer machine).
have_rustup_wasm_target() {
  command -v rustup >/dev/null 2>&1 &&
    rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown
}

# Runs "$@" with the wasm toolchain: rustup's target where installed, otherwise Debian's
# rustc-web building std from rust-web-src. Runs in a subshell so that native builds
# never see the build-std variables.
with_wasm_env() (
  export PATH="$TOOLBIN:$PATH"
  export TRUNK_SKIP_VERSION_CHECK=true
  export CHROMEDRIVER=/usr/bin/chromedriver
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
  if ! have_rustup_wasm_target; then
    export PATH="$TOOLBIN:/usr/bin:$PATH"
    export RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort
    unset RUSTUP_TOOLCHAIN RUSTC CARGO
  fi
  "$@"
)
