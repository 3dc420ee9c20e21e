#!/usr/bin/env bash
# The tandem benchmark with the data tier compiled in (this tree) against the engine as it
# was before the data tier existed (commit 4ec45c1, the last one before caches, replicas,
# shards, queues, CDN and regions joined sim-core), built from a temporary worktree and run
# alternately three times each in the same run. Prints the medians and their ratio.
#
# The baseline predates later hot-path work as well, so the ratio bounds the data tier's
# cost from above only when it is at least 0.9.
#
# Usage: sim-core/bench/data-tier-overhead.sh   (needs the git history: a full clone)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
baseline_commit=4ec45c1
base="$root/target/bench-baseline-src"
cd "$root"
if [ ! -d "$base" ]; then
    git worktree add --quiet --detach "$base" "$baseline_commit"
fi
echo "building both benches ..." >&2
cargo bench --quiet -p sim-core --bench tandem --no-run 2>/dev/null
(cd "$base" && CARGO_TARGET_DIR="$root/target/bench-baseline" cargo bench --quiet -p sim-core --bench tandem --no-run 2>/dev/null)
rate() { grep '^{' | sed -E 's/.*"requests_per_wall_s": ([0-9]+).*/\1/'; }
now=() before=()
for round in 1 2 3; do
    echo "round $round ..." >&2
    now+=("$(cargo bench --quiet -p sim-core --bench tandem -- --json 2>/dev/null | rate)")
    before+=("$(cd "$base" && CARGO_TARGET_DIR="$root/target/bench-baseline" cargo bench --quiet -p sim-core --bench tandem -- --json 2>/dev/null | rate)")
done
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
m_now="$(median "${now[@]}")"
m_before="$(median "${before[@]}")"
echo "tandem, requests per wall second (median of 3 rounds, each the median of 5 seeds)"
echo "  before the data tier ($baseline_commit): $m_before   (${before[*]})"
echo "  with the data tier (this tree):      $m_now   (${now[*]})"
awk -v a="$m_now" -v b="$m_before" 'BEGIN { r = a / b; printf "  ratio %.3f: %s\n", r, (r >= 0.9 ? "within the 10 % budget" : "MORE THAN 10 % SLOWER") }'
