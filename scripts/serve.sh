#!/usr/bin/env bash
# Installs what is missing, builds the release bundle and serves it on 127.0.0.1:8080.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
"$ROOT/scripts/bootstrap.sh"
"$ROOT/scripts/build.sh"
step "Serving the playground (Ctrl-C stops it)"
exec node "$ROOT/tests/e2e/serve.mjs" "$ROOT/dist" "${PORT:-8080}"
