#!/usr/bin/env bash
# Generator ceilings on this machine: the highest rate authscope bench
# sustains over loopback against a server that answers at once, beside the
# vegeta CLI and wrk (apt-get install wrk) against the same server, and the
# in-process ceiling (BenchmarkInprocGenerator). Loopback only, 5 s each.
#
#   bash bench/testdata/ceiling.sh [WORKERS]
set -euo pipefail
cd "$(dirname "$0")/../.."
WORKERS=${1:-32}
VEGETA=${VEGETA:-$(go env GOPATH)/bin/vegeta}
work=$(mktemp -d)
trap 'kill "${srv:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/authscope" .
go build -o "$work/loopserver" ./bench/testdata/loopserver
"$work/loopserver" -service 0 > "$work/addr" &
srv=$!
for _ in $(seq 50); do [ -s "$work/addr" ] && break; sleep 0.1; done
url="http://$(cat "$work/addr")/api/auth/session"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"

cat > "$work/bench.yaml" <<YAML
rate: 1000000
duration: 5s
max_workers: $WORKERS
scenarios:
  - {name: loop, mode: local, via: http, url: "$url"}
YAML
"$work/authscope" bench --config "$work/bench.yaml" --json "$work/a.json" --quiet > /dev/null
python3 -c "import json,sys; s=json.load(open(sys.argv[1]))['scenarios'][0]; print(f\"authscope bench (http, {sys.argv[2]} workers): {s['rate_attempted']:.0f} req/s sent, {s['rate_achieved']:.0f} ok/s, uncorrected p50 {s['latency_uncorrected_ns']['p50']/1e3:.0f}us\")" "$work/a.json" "$WORKERS"
if [ -x "$VEGETA" ]; then
	echo "GET $url" | "$VEGETA" attack -rate 0 -max-workers "$WORKERS" -duration 5s | "$VEGETA" report | sed -n 1p | sed 's/^/vegeta CLI: /'
fi
if command -v wrk > /dev/null; then
	wrk -t2 -c"$WORKERS" -d5s "$url" | grep -E "Requests/sec" | sed 's/^/wrk: /'
fi
go test ./bench/ -run XXX -bench InprocGenerator -benchtime 2x | grep Benchmark | sed 's/^/in-process: /'
