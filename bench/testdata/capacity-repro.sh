#!/usr/bin/env bash
# Issue 12's reproducibility check on this machine: RUNS (default 3) runs
# of `authscope capacity --profile compare` one after the other, each
# bounded by --max-time (MAX_TIME, default 10m: the command's own default,
# which the issue's command line used), then the capacity per scenario and
# run, and the spread (max/min) of each scenario's figures. Loopback only.
#
#   bash bench/testdata/capacity-repro.sh [RUNS] [extra capacity flags...]
#
# AUTHSCOPE=path uses a binary already built; OUT=dir keeps the runs'
# JSON, text and uptime there (default a temporary directory, removed).
# A figure is "≥N" when the search found no confirmed failure above it
# (a floor, e.g. the generator's ceiling) and "?" when it could not decide;
# the spread compares the figures whatever their kind and says so.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-3}
shift || true
SCENARIOS=${SCENARIOS:-local-jwt,local-db,local-db-cache,proxy-jwt,proxy-jwt-cache,upstream-jwt}
out=${OUT:-}
if [ -z "$out" ]; then
	out=$(mktemp -d)
	trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"
bin=${AUTHSCOPE:-}
if [ -z "$bin" ]; then
	bin="$out/authscope"
	go build -o "$bin" .
fi
echo "$(nproc) cores; $RUNS runs of capacity --profile compare --scenarios $SCENARIOS"
for i in $(seq "$RUNS"); do
	before=$(cut -d' ' -f1-3 /proc/loadavg)
	start=$(date +%s)
	# Exit 1 (a plan that does not fit, or undecided) is an answer here.
	"$bin" capacity --profile compare --scenarios "$SCENARIOS" --slo p99=5ms --peak 20000/s \
		--start-rate 1000/s --step 2s --step-warmup 500ms --max-step 6s --max-time "${MAX_TIME:-10m}" \
		--json "$out/run$i.json" "$@" > "$out/run$i.txt" 2> "$out/run$i.err" || [ $? -eq 1 ]
	secs=$(($(date +%s) - start))
	after=$(cut -d' ' -f1-3 /proc/loadavg)
	echo "run $i: ${secs}s, load average $before -> $after" | tee "$out/run$i.uptime"
done
python3 - "$out" "$RUNS" <<'PY'
import json, sys
out, runs = sys.argv[1], int(sys.argv[2])
def fig(c):
    if c["rate"] == 0 and c.get("lower_bound"):
        return "?", None  # nothing decided (undecided, or out of time first)
    r = c["rate"]
    if c.get("generator_limited"):
        return f"≥{r:,.0f} (generator)", r
    if c.get("lower_bound"):
        return f"≥{r:,.0f}", r
    return f"{r:,.0f} [{r:,.0f}, {c['bracket_high']:,.0f})", r
table = {}
for i in range(1, runs + 1):
    rep = json.load(open(f"{out}/run{i}.json"))
    for c in rep.get("generator_ceilings", []) + rep["searches"]:
        table.setdefault(c["scenario"]["name"], []).append(fig(c))
print("| scenario | " + " | ".join(f"run {i}" for i in range(1, runs + 1)) + " | max/min |")
print("|---|" + "---|" * (runs + 1))
for name, figs in table.items():
    vals = [v for _, v in figs if v]
    spread = f"{max(vals) / min(vals):.2f}x" if len(vals) == len(figs) and vals else "n/a (undecided or 0 in a run)"
    kinds = {t.startswith("≥") for t, _ in figs}
    if len(vals) == len(figs) and len(kinds) > 1:
        spread += " (floors and measured limits mixed)"
    print(f"| {name} | " + " | ".join(t for t, _ in figs) + f" | {spread} |")
PY
