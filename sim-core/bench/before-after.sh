#!/usr/bin/env bash
# Times the engine before and after a change on the tandem benchmark (`benches/tandem.rs`:
# 800/s -> web M/M/4 -> db M/M/2, 200 simulated s, median of 5 seeds), the two builds in
# turns, and prints each round's speed ratio (after / before) and their median. A refactor
# that must lose no speed needs a median of at least 0.97.
#
# Usage: sim-core/bench/before-after.sh [REV] [ROUNDS]
#   REV     the "before" commit (default: origin/main if it exists, else HEAD~1)
#   ROUNDS  alternating rounds (default 6)
# The "after" build is the working tree. REV is checked out in a detached worktree under
# target/bench-before/ and built into its own target directory there.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
default_rev=HEAD~1
git rev-parse -q --verify origin/main >/dev/null && default_rev=origin/main
rev="${1:-$default_rev}"
rounds="${2:-6}"
commit="$(git rev-parse --verify "$rev^{commit}")" || { echo "not a commit: $rev" >&2; exit 2; }
case "$rounds" in ''|*[!0-9]*|0) echo "ROUNDS must be a positive integer, got: $rounds" >&2; exit 2;; esac

before_tree="$root/target/bench-before/src"
if [ "$(git -C "$before_tree" rev-parse HEAD 2>/dev/null)" != "$commit" ]; then
    rm -rf "$before_tree"
    git worktree prune
    git worktree add --detach --quiet "$before_tree" "$commit"
fi

# Builds the tandem bench in tree $1 and prints the path of its binary.
bench_binary() {
    (cd "$1" && CARGO_TARGET_DIR="$2" cargo bench --quiet -p sim-core --bench tandem --no-run \
        --message-format=json 2>/dev/null) |
        sed -n 's/.*"executable":"\([^"]*tandem-[^"]*\)".*/\1/p' | tail -1
}
echo "building before ($(git rev-parse --short "$commit")) and after (working tree) ..." >&2
before="$(bench_binary "$before_tree" "$root/target/bench-before/target")"
after="$(bench_binary "$root" "$root/target")"
[ -x "$before" ] && [ -x "$after" ] || { echo "could not build the tandem bench" >&2; exit 1; }

rate() { "$1" --json | sed -n 's/.*"requests_per_wall_s": \([0-9.]*\).*/\1/p'; }
sojourn() { "$1" --json | sed -n 's/.*"mean_sojourn_ms": \([0-9.]*\).*/\1/p'; }
[ "$(sojourn "$before")" = "$(sojourn "$after")" ] ||
    echo "note: the mean sojourn differs, so the two builds do not simulate the same run" >&2

ratios=()
for r in $(seq 1 "$rounds"); do
    # Alternate which build goes first, so a drift of the machine's speed cancels out.
    if [ $((r % 2)) = 1 ]; then b=$(rate "$before"); a=$(rate "$after"); else a=$(rate "$after"); b=$(rate "$before"); fi
    ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", a / b }')
    ratios+=("$ratio")
    printf 'round %d/%d: before %.0f, after %.0f requests/wall s, after/before %s\n' "$r" "$rounds" "$b" "$a" "$ratio"
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{ x[NR] = $1 } END {
    m = (NR % 2) ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2
    printf "median after/before over %d rounds: %.3f (%s 0.97)\n", NR, m, (m >= 0.97 ? "meets" : "BELOW")
}'
