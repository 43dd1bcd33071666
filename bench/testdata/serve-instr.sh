#!/usr/bin/env bash
# Instructions per request of serve (local JWT), serve --refresh-cookies
# and the static Go handler (loopserver -service 0 -size 171), counted by
# valgrind's callgrind in the server process only: each server runs under
# callgrind, gets WARM requests, has its counters zeroed, answers exactly N
# requests from reqdriver (browser cookies: session + CSRF + callback-url,
# so no Set-Cookie but refresh's), and is dumped. Instruction counts do not
# move with the machine's load the way wall-clock rates do, so this is the
# figure to compare before and after a change to the hot path; confirm
# with serve-ratio-pinned.sh on a calm box. Loopback only. Not run by CI.
#
#   bash bench/testdata/serve-instr.sh [N]     (default 4000)
#
# Environment: WARM (default 1000), CONNS (default 8), BIN (an authscope
# binary to measure instead of building this checkout's), OUT (a directory
# to keep the callgrind files in, for callgrind_annotate).
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-4000}
WARM=${WARM:-1000}
CONNS=${CONNS:-8}
SECRET=serve-ratio-only-secret-0123456789abcdef
command -v valgrind > /dev/null || { echo "valgrind is required" >&2; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
	wait 2> /dev/null || true # valgrind writes its final dump on the way out
	if [ -n "${OUT:-}" ]; then mkdir -p "$OUT" && cp "$work"/*.cg* "$work/authscope" "$OUT"/ 2> /dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

if [ -n "${BIN:-}" ]; then cp "$BIN" "$work/authscope"; else go build -o "$work/authscope" .; fi
go build -o "$work/loopserver" ./bench/testdata/loopserver
go build -o "$work/reqdriver" ./bench/testdata/reqdriver
# valgrind does not decode RDTSCP, which the Go runtime prefers for cputicks,
# and callgrind trips over the preemption signals (SIGURG) mid-request.
export GODEBUG=cpu.rdtscp=off,asyncpreemptoff=1
export AUTH_SECRET=$SECRET
. bench/testdata/serve-lib.sh

# start NAME CMD...: run CMD under callgrind; its pid is in $work/NAME.pid.
start() {
	local name=$1
	shift
	valgrind --tool=callgrind --callgrind-out-file="$work/$name.cg" "$@" > "$work/$name.out" 2> "$work/$name.err" &
	pids+=($!)
	echo $! > "$work/$name.pid"
}

session=$(mint_session)

# measure NAME URL SETCOOKIES COOKIE: instructions per request of NAME's
# server answering requests that carry COOKIE.
measure() {
	local name=$1 url=$2 sets=$3 cookie=$4 pid
	pid=$(cat "$work/$name.pid")
	"$work/reqdriver" -url "$url" -n "$WARM" -c "$CONNS" -cookie "$cookie" -set-cookies "$sets"
	callgrind_control -z "$pid" > /dev/null 2>&1
	"$work/reqdriver" -url "$url" -n "$N" -c "$CONNS" -cookie "$cookie" -set-cookies "$sets"
	callgrind_control -d "$pid" > /dev/null 2>&1
	local ir
	ir=$(cat "$work/$name.cg"* | awk '/^summary:/ {s=$2} END {print s}')
	printf '%-8s %12d instr/request (%d requests)\n' "$name" $((ir / N)) "$N"
}

start static "$work/loopserver" -service 0 -size 171
for _ in $(seq 300); do [ -s "$work/static.out" ] && break; sleep 0.1; done
sp=$(free_port) rp=$(free_port)
start serve "$work/authscope" serve --listen "127.0.0.1:$sp" --log-level warn
start refresh "$work/authscope" serve --listen "127.0.0.1:$rp" --refresh-cookies --log-level warn
STATIC=http://$(head -1 "$work/static.out")/api/auth/session
SERVE=http://127.0.0.1:$sp/api/auth/session
REFRESH=http://127.0.0.1:$rp/api/auth/session
wait_http "$STATIC" 300
wait_http "$SERVE" 300
wait_http "$REFRESH" 300
echo "# serve-instr.sh: callgrind, $N requests after $WARM warm-up, $CONNS connections, load $(cut -d' ' -f1-3 /proc/loadavg)"
# The static handler gets serve's Cookie header, as in serve-ratio-pinned.sh:
# parsing it is HTTP's cost, not the resolution's.
c_serve=$(browser_cookie "$SERVE")
c_refresh=$(browser_cookie "$REFRESH")
measure static "$STATIC" -1 "$c_serve"
measure serve "$SERVE" 0 "$c_serve"
measure refresh "$REFRESH" 1 "$c_refresh"
