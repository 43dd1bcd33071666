#!/usr/bin/env bash
# Truthfulness check: at a fixed moderate rate against the same loopback
# server, authscope bench's p50 and p99 must agree with the vegeta CLI's own
# report within 25%. Both run side by side for 10 s by default; loopback only.
#
#   bash bench/testdata/truthfulness.sh [RATE] [DURATION] [SERVICE]
#
# Needs the vegeta CLI (built from the module cache, not committed):
#   go install github.com/tsenart/vegeta/v12@v12.13.0
set -euo pipefail
cd "$(dirname "$0")/../.."
RATE=${1:-200}
DURATION=${2:-10s}
SERVICE=${3:-2ms}
VEGETA=${VEGETA:-$(go env GOPATH)/bin/vegeta}
[ -x "$VEGETA" ] || { echo "no vegeta CLI at $VEGETA: go install github.com/tsenart/vegeta/v12@v12.13.0" >&2; exit 2; }
work=$(mktemp -d)
trap 'kill "${srv:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

go build -o "$work/authscope" .
go build -o "$work/loopserver" ./bench/testdata/loopserver
"$work/loopserver" -service "$SERVICE" > "$work/addr" &
srv=$!
for _ in $(seq 50); do [ -s "$work/addr" ] && break; sleep 0.1; done
url="http://$(cat "$work/addr")/api/auth/session"
echo "server $url (service time $SERVICE), rate $RATE/s for $DURATION"

cat > "$work/bench.yaml" <<YAML
rate: $RATE
duration: $DURATION
scenarios:
  - {name: loop, mode: local, via: http, url: "$url"}
YAML
# Both at once, each at RATE: on a shared machine, bursts of contention
# would otherwise favour whichever ran in a calmer moment.
echo "GET $url" | "$VEGETA" attack -rate "$RATE" -duration "$DURATION" > "$work/vegeta.bin" &
veg=$!
"$work/authscope" bench --config "$work/bench.yaml" --json "$work/authscope.json" --quiet > /dev/null
wait "$veg"
"$VEGETA" report -type json "$work/vegeta.bin" > "$work/vegeta.json"

python3 - "$work/vegeta.json" "$work/authscope.json" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))["latencies"]
a = json.load(open(sys.argv[2]))["scenarios"][0]
ok = True
for name, vk, ak in (("p50", "50th", "p50"), ("p99", "99th", "p99")):
    vv, av, au = v[vk], a["latency_ns"][ak], a["latency_uncorrected_ns"][ak]
    r = av / vv
    good = 0.75 <= r <= 1.25
    ok &= good
    print(f"{name}: vegeta {vv/1e6:.3f} ms, authscope {av/1e6:.3f} ms (uncorrected {au/1e6:.3f} ms), ratio {r:.2f} {'ok' if good else 'OFF'}")
print("agree within 25%" if ok else "DISAGREE")
sys.exit(0 if ok else 1)
PY
