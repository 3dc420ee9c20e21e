#!/usr/bin/env bash
# Installs everything the build and the tests need, skipping what is already present.
# Safe to run again: a second run installs nothing.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"

# --- Debian packages -------------------------------------------------------------------
apt_pkgs=(chromium chromium-driver gzip)
command -v node >/dev/null 2>&1 || apt_pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || apt_pkgs+=(npm)
if ! have_rustup_wasm_target; then
  # No rustup wasm32 target: Debian's rustc-web builds std for wasm from source.
  apt_pkgs+=(rustc-web cargo-web rust-web-src lld-22)
fi
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  step "Installing Debian packages: ${missing[*]} (about a minute)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust with rustup (https://rustup.rs)"
for c in rustfmt clippy; do
  if ! cargo "${c/rustfmt/fmt}" --version >/dev/null 2>&1; then
    step "Adding rustup component $c"
    rustup component add "$c"
  fi
done

# --- Cargo-installed tools, pinned -------------------------------------------------------
cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
if [ "$("$cargo_bin/trunk" --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  step "Installing trunk $TRUNK_VERSION (first time only, about 10 minutes)"
  CARGO_PROFILE_RELEASE_LTO=false cargo install --locked trunk --version "$TRUNK_VERSION" --ignore-rust-version
fi
if [ "$("$cargo_bin/wasm-bindgen" --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  step "Installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (first time only, about 2 minutes)"
  # Not --locked: the CLI's lockfile names a crate version some registries lack.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# --- npm packages: playwright-core (drives /usr/bin/chromium) and binaryen's wasm-opt --
if ! cmp -s tests/package-lock.json tests/node_modules/.package-lock.json 2>/dev/null; then
  step "Installing npm packages for the tests and wasm-opt"
  (cd tests && npm ci --no-audit --no-fund --loglevel=error)
fi

mkdir -p "$TOOLBIN"
ln -sf "$cargo_bin/trunk" "$TOOLBIN/trunk"
ln -sf "$cargo_bin/wasm-bindgen" "$TOOLBIN/wasm-bindgen"
ln -sf "$cargo_bin/wasm-bindgen-test-runner" "$TOOLBIN/wasm-bindgen-test-runner"
ln -sf "$ROOT/tests/node_modules/.bin/wasm-opt" "$TOOLBIN/wasm-opt"

# Trunk builds offline: fetch every crate for both targets once.
if [ ! -f target/.fetched ] || [ Cargo.lock -nt target/.fetched ]; then
  step "Fetching crates for the native and wasm targets"
  with_wasm_env cargo fetch --target wasm32-unknown-unknown --target x86_64-unknown-linux-gnu
  touch target/.fetched
fi
