#!/usr/bin/env bash
# Runs the open tandem network (800/s -> web M/M/4 at 250/s -> db M/M/2 at 500/s, 200
# simulated seconds) in sim-core, SimPy and Ciw, one after the other in the same run, and
# prints simulated requests per wall second, the ratio of sim-core to each, and each
# engine's mean sojourn against the Jackson-network answer.
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
cargo bench --quiet -p sim-core --bench tandem --no-run 2>/dev/null
results="$(mktemp)"
trap 'rm -f "$results"' EXIT
echo "running sim-core (5 seeds) ..." >&2
cargo bench --quiet -p sim-core --bench tandem -- --json 2>/dev/null | grep '^{' >>"$results"
echo "running SimPy (1 seed) ..." >&2
"$venv/bin/python" "$here/simpy_tandem.py" 1 >>"$results"
echo "running Ciw (1 seed) ..." >&2
"$venv/bin/python" "$here/ciw_tandem.py" 1 >>"$results"

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
ours = rows[0]["requests_per_wall_s"]
print(f"open tandem network, 200 simulated s; Jackson mean sojourn {jackson:.3f} ms")
print(f"{'engine':<14} {'requests/wall s':>16} {'sim-core is':>12} {'mean sojourn':>13} {'vs Jackson':>11}")
for r in rows:
    ratio = ours / r["requests_per_wall_s"]
    err = (r["mean_sojourn_ms"] / jackson - 1) * 100
    print(f"{r['engine']:<14} {r['requests_per_wall_s']:>16,.0f} {ratio:>11.1f}x {r['mean_sojourn_ms']:>10.3f} ms {err:>+10.2f}%")
simpy = next((r for r in rows if r["engine"].startswith("SimPy")), None)
if simpy:
    ratio = ours / simpy["requests_per_wall_s"]
    verdict = "met" if ratio >= 100 else "NOT met"
    print(f"target sim-core >= 100x SimPy: {verdict} ({ratio:.0f}x)")
PY
