#!/usr/bin/env bash
# The serve rows of serve-ratio.sh only (serve/static, refresh/static),
# made steadier for a shared two-core box: the three servers share one CPU
# and wrk gets another (taskset, when present; the output says whether it
# was used), and the rounds are many and short, interleaved (each round
# measures static, serve, refresh back to back, in a rotating order), with
# the median ratio and its min/max reported. Loopback only, every load
# bounded in time. Not run by CI.
#
#   bash bench/testdata/serve-ratio-pinned.sh [ROUNDS]   (default 9)
#
# Environment: DUR (seconds per measurement, default 2), CONNS (wrk -c,
# default 32), SERVER_CPU / WRK_CPU (default 1 / 0).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-9}
DUR=${DUR:-2}
CONNS=${CONNS:-32}
SERVER_CPU=${SERVER_CPU:-1}
WRK_CPU=${WRK_CPU:-0}
SECRET=serve-ratio-only-secret-0123456789abcdef
command -v wrk > /dev/null || { echo "wrk is required (apt-get install wrk)" >&2; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT
load() { cut -d' ' -f1-3 /proc/loadavg; }

srv=() gen=() pinned=no
if command -v taskset > /dev/null && [ "$(nproc)" -ge 2 ]; then
	srv=(taskset -c "$SERVER_CPU") gen=(taskset -c "$WRK_CPU") pinned="yes (servers on CPU $SERVER_CPU, wrk on CPU $WRK_CPU)"
fi

go build -o "$work/authscope" .
go build -o "$work/loopserver" ./bench/testdata/loopserver
. bench/testdata/serve-lib.sh

"${srv[@]}" "$work/loopserver" -service 0 -size 171 > "$work/static.addr" &
pids+=($!)
for _ in $(seq 50); do [ -s "$work/static.addr" ] && break; sleep 0.1; done
STATIC=http://$(cat "$work/static.addr")/api/auth/session
export AUTH_SECRET=$SECRET
sp=$(free_port)
"${srv[@]}" "$work/authscope" serve --listen "127.0.0.1:$sp" --log-level warn 2> "$work/serve.log" &
pids+=($!)
rp=$(free_port)
"${srv[@]}" "$work/authscope" serve --listen "127.0.0.1:$rp" --refresh-cookies --log-level warn 2> "$work/refresh.log" &
pids+=($!)
SERVE=http://127.0.0.1:$sp/api/auth/session
REFRESH=http://127.0.0.1:$rp/api/auth/session
wait_http "$SERVE"
wait_http "$REFRESH"

session=$(mint_session)
c_serve=$(browser_cookie "$SERVE")
c_refresh=$(browser_cookie "$REFRESH")
rps() { "${gen[@]}" wrk -t1 -c"$CONNS" -d"${DUR}s" -H "Cookie: $2" "$1" | awk '/Requests\/sec/ {print $2}'; }

echo "# serve-ratio-pinned.sh: $ROUNDS rounds, ${DUR}s each, wrk -t1 -c$CONNS, $(nproc) cores, pinned: $pinned"
echo "# load at start $(load)"
printf '%-5s %-14s %9s %9s %9s %8s %8s\n' round load static serve refresh 'j/s' 'r/s'
: > "$work/ratios"
for round in $(seq "$ROUNDS"); do
	l=$(load | tr ' ' '/')
	# rotate the order so no subject always runs first (or last) in a round
	case $((round % 3)) in
	0) s=$(rps "$STATIC" "$c_serve"); j=$(rps "$SERVE" "$c_serve"); r=$(rps "$REFRESH" "$c_refresh") ;;
	1) j=$(rps "$SERVE" "$c_serve"); r=$(rps "$REFRESH" "$c_refresh"); s=$(rps "$STATIC" "$c_serve") ;;
	2) r=$(rps "$REFRESH" "$c_refresh"); s=$(rps "$STATIC" "$c_serve"); j=$(rps "$SERVE" "$c_serve") ;;
	esac
	read -r jr rr <<< "$(python3 -c "import sys; s,j,r=map(float,sys.argv[1:]); print(f'{j/s:.3f} {r/s:.3f}')" "$s" "$j" "$r")"
	echo "$jr $rr" >> "$work/ratios"
	printf '%-5s %-14s %9.0f %9.0f %9.0f %8s %8s\n' "$round" "$l" "$s" "$j" "$r" "$jr" "$rr"
done
python3 - "$work/ratios" << 'PY'
import statistics, sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
for i, name in enumerate(["serve/static", "refresh/static"]):
    v = sorted(r[i] for r in rows)
    print(f"{name:15s} median {statistics.median(v):.2f}  min {v[0]:.2f}  max {v[-1]:.2f}  (n={len(v)})")
PY
echo "# load at end $(load)"
