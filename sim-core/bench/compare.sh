#!/usr/bin/env bash
# Runs the open tandem network (800/s -> web M/M/4 at 250/s -> db M/M/2 at 500/s, 200
# simulated seconds) in sim-core, SimPy and Ciw in the same run (sim-core and SimPy in turns,
# three rounds), and prints simulated requests per wall second, the ratio of sim-core to each,
# and each engine's mean sojourn against the Jackson-network answer. Each round also runs the
# yardstick `benches/tandem_floor.rs`: the same network hand-written for this topology alone,
# with the engine's metrics and with sojourns only.
#
# Usage: sim-core/bench/compare.sh        (from anywhere; installs SimPy and Ciw from PyPI
#                                          into target/bench-venv on first use)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/target/bench-venv"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import simpy, ciw' 2>/dev/null; then
    echo "installing SimPy and Ciw into $venv ..." >&2
    "$python" -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check simpy ciw
fi

cd "$root"
echo "building sim-core bench ..." >&2
cargo bench --quiet -p sim-core --bench tandem --bench tandem_floor --no-run 2>/dev/null
results="$(mktemp)"
trap 'rm -f "$results"' EXIT
# This machine's speed drifts from minute to minute, so sim-core and SimPy run in turns and
# the ratio is taken within each round; the median of the rounds is the verdict.
rounds=3
tag() { sed "s/^{/{\"round\": $1, /"; }
for round in $(seq 1 $rounds); do
    echo "round $round/$rounds: sim-core (5 seeds) ..." >&2
    cargo bench --quiet -p sim-core --bench tandem -- --json 2>/dev/null | grep '^{' | tag "$round" >>"$results"
    echo "round $round/$rounds: hand-written yardstick ..." >&2
    for mode in "" --bare; do
        cargo bench --quiet -p sim-core --bench tandem_floor -- --json $mode 2>/dev/null | grep '^{' | tag "$round" >>"$results"
    done
    echo "round $round/$rounds: SimPy (1 seed) ..." >&2
    "$venv/bin/python" "$here/simpy_tandem.py" 1 | tag "$round" >>"$results"
done
echo "running Ciw (1 seed) ..." >&2
"$venv/bin/python" "$here/ciw_tandem.py" 1 | tag 0 >>"$results"

"$venv/bin/python" - "$results" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def erlang_c(c, a):
    term, total = 1.0, 1.0
    for k in range(1, c):
        term *= a / k
        total += term
    last = term * a / c / (1 - a / c)
    return last / (total + last)
def mmc(lam, mu, c):
    return erlang_c(c, lam / mu) / (c * mu - lam) + 1 / mu
jackson = (mmc(800, 250, 4) + mmc(800, 500, 2)) * 1e3
def median(xs):
    xs = sorted(xs)
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2
engines = []
for r in rows:
    if r["engine"] not in engines:
        engines.append(r["engine"])
def of(engine):
    return [r for r in rows if r["engine"] == engine]
ours = median([r["requests_per_wall_s"] for r in of("sim-core")])
print(f"open tandem network, 200 simulated s; Jackson mean sojourn {jackson:.3f} ms")
print(f"{'engine':<31} {'requests/wall s':>16} {'sim-core is':>12} {'mean sojourn':>13} {'vs Jackson':>11}")
for e in engines:
    rs = of(e)
    rate = median([r["requests_per_wall_s"] for r in rs])
    sojourn = sum(r["mean_sojourn_ms"] for r in rs) / len(rs)
    err = (sojourn / jackson - 1) * 100
    print(f"{e:<31} {rate:>16,.0f} {ours / rate:>11.2f}x {sojourn:>10.3f} ms {err:>+10.2f}%")
ours_by_round = {r["round"]: r["requests_per_wall_s"] for r in of("sim-core")}
ratios = [ours_by_round[r["round"]] / r["requests_per_wall_s"]
          for r in rows if r["engine"].startswith("SimPy") and r["round"] in ours_by_round]
if ratios:
    ratio = median(ratios)
    verdict = "met" if ratio >= 100 else "NOT met"
    print("sim-core / SimPy in each round: " + ", ".join(f"{x:.0f}x" for x in ratios))
    print(f"target sim-core >= 100x SimPy: {verdict} ({ratio:.0f}x, median of {len(ratios)} rounds)")
simpy_by_round = {r["round"]: r["requests_per_wall_s"] for r in rows if r["engine"].startswith("SimPy")}
for name in ("hand-written, engine's metrics", "hand-written, sojourns only"):
    floor = {r["round"]: r["requests_per_wall_s"] for r in of(name)}
    common = [k for k in floor if k in simpy_by_round and k in ours_by_round]
    if common:
        ceiling = median([floor[k] / simpy_by_round[k] for k in common])
        share = median([ours_by_round[k] / floor[k] for k in common])
        print(f"yardstick ({name}): {ceiling:.0f}x SimPy; sim-core runs at {share:.0%} of its speed")
PY
