#!/usr/bin/env bash
# Issue 15's table, as ratios measured in one run, interleaved: each round
# measures every subject once, back to back, so a shared machine's load
# moves the reference and the subject alike. Loopback only, every load
# bounded in time. Not run by CI.
#
#   bash bench/testdata/serve-ratio.sh [ROUNDS]      (default 3)
#
# Environment: DUR (seconds per measurement, default 5), CONNS (wrk -c,
# default 32), WORKERS (generator workers, default 64), ROWS (all, the
# default, or gen: the generator columns alone, static server only).
#
# Rows:
#   serve / static     `authscope serve` (local JWT, default flags) vs a
#                      static Go handler answering a fixed 171-byte body
#                      (bench/testdata/loopserver -service 0 -size 171),
#                      both under wrk -t1 -c$CONNS with the cookies a
#                      signed-in browser sends (session, CSRF, callback-url)
#   refresh / static   the same with --refresh-cookies
#   Auth.js / static   the real Auth.js /session (testdata/authjs/server.mjs,
#                      same secret and cookie); skipped without node_modules
#   bench / vegeta     authscope bench vs the vegeta CLI (built from the
#                      module cache at the version go.mod uses) against the
#                      static handler, at --rate 100000 and 1000000 with
#                      $WORKERS workers: requests sent per second, and CPU
#                      µs per request sent (steadier than throughput when
#                      the machine is shared)
#   CPU bench/vegeta   CPU seconds (user+sys, from /proc via getrusage) of
#                      each generator at a fixed 1000 and 5000 req/s
#                      (vegeta: the attack alone, its gob results to
#                      /dev/null; authscope: the whole run, HDR recording
#                      and report included)
#
# wrk comes from Debian (apt-get install wrk, done here when root); without
# it the serve rows are measured with authscope bench at --rate 1000000
# and the output says so (the vegeta CLI at -rate 0 with $CONNS workers,
# the cookies as a header).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}
DUR=${DUR:-5}
CONNS=${CONNS:-32}
WORKERS=${WORKERS:-64}
ROWS=${ROWS:-all}
case $ROWS in all | gen) ;; *) echo "ROWS must be all or gen, not $ROWS" >&2; exit 2 ;; esac
SECRET=serve-ratio-only-secret-0123456789abcdef
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

log() { printf '%s\n' "$*" >&2; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

# --- tools -----------------------------------------------------------------
go build -o "$work/authscope" .
go build -o "$work/loopserver" ./bench/testdata/loopserver
vegeta_version=$(go list -m -f '{{.Version}}' github.com/tsenart/vegeta/v12)
vegeta_cache=${XDG_CACHE_HOME:-$HOME/.cache}/authscope/vegeta-$vegeta_version
if [ ! -x "$vegeta_cache" ]; then
	log "building the vegeta CLI $vegeta_version from the module cache"
	go mod download github.com/tsenart/vegeta/v12
	src=$(go list -m -f '{{.Dir}}' github.com/tsenart/vegeta/v12)
	cp -r "$src" "$work/vegeta-src" && chmod -R u+w "$work/vegeta-src"
	mkdir -p "$(dirname "$vegeta_cache")"
	(cd "$work/vegeta-src" && GOFLAGS=-mod=mod go build -o "$vegeta_cache" .)
fi
VEGETA=$vegeta_cache
if ! command -v wrk > /dev/null && [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
	log "installing wrk (Debian package)"
	(apt-get install -y -qq wrk > /dev/null 2>&1 || { apt-get update -qq > /dev/null 2>&1 && apt-get install -y -qq wrk > /dev/null 2>&1; }) || true
fi
HAVE_WRK=$(command -v wrk > /dev/null && echo 1 || echo 0)

# --- servers ---------------------------------------------------------------
. bench/testdata/serve-lib.sh

"$work/loopserver" -service 0 -size 171 > "$work/static.addr" &
pids+=($!)
for _ in $(seq 50); do [ -s "$work/static.addr" ] && break; sleep 0.1; done
STATIC=http://$(cat "$work/static.addr")/api/auth/session

export AUTH_SECRET=$SECRET
AUTHJS=
if [ "$ROWS" = all ]; then # the serve rows' servers
	serve_port=$(free_port)
	"$work/authscope" serve --listen "127.0.0.1:$serve_port" --log-level warn 2> "$work/serve.log" &
	pids+=($!)
	refresh_port=$(free_port)
	"$work/authscope" serve --listen "127.0.0.1:$refresh_port" --refresh-cookies --log-level warn 2> "$work/refresh.log" &
	pids+=($!)
	SERVE=http://127.0.0.1:$serve_port/api/auth/session
	REFRESH=http://127.0.0.1:$refresh_port/api/auth/session
	wait_http "$SERVE"
	wait_http "$REFRESH"

	if [ -d testdata/authjs/node_modules ]; then
		(cd testdata/authjs && exec node server.mjs 0 > "$work/authjs.out" 2> "$work/authjs.log") &
		pids+=($!)
		for _ in $(seq 100); do grep -q listening "$work/authjs.out" 2> /dev/null && break; sleep 0.1; done
		AUTHJS=http://127.0.0.1:$(awk '/listening/ {print $2}' "$work/authjs.out")/api/auth/session
		wait_http "$AUTHJS"
	else
		log "note: testdata/authjs/node_modules is absent (npm ci there): the Auth.js row is skipped"
	fi
fi

# The Cookie header a signed-in browser sends to $1: the minted session
# cookie plus the CSRF and callback-url cookies of a first answer.
session=$(mint_session)

# --- measurements ------------------------------------------------------------
# rps URL COOKIE: requests per second under wrk (or authscope bench).
rps() {
	if [ "$HAVE_WRK" = 1 ]; then
		wrk -t1 -c"$CONNS" -d"${DUR}s" -H "Cookie: $2" "$1" | awk '/Requests\/sec/ {print $2}'
	else
		echo "GET $1" | "$VEGETA" attack -rate 0 -max-workers "$CONNS" -header "Cookie: $2" -duration "${DUR}s" > "$work/w.bin"
		"$VEGETA" report -type json < "$work/w.bin" | python3 -c "import json,sys; print(round(json.load(sys.stdin)['throughput']))"
	fi
}

# gen_rate URL RATE: authscope bench's sent req/s and its CPU µs per
# request sent (CPU per request moves less than throughput on a busy box).
gen_rate() {
	cat > "$work/b.yaml" << YAML
rate: $2
duration: ${DUR}s
max_workers: $WORKERS
scenarios:
  - {name: loop, mode: local, via: http, url: "$1"}
YAML
	local c
	c=$(cpu "$work/authscope" bench --config "$work/b.yaml" --json "$work/b.json" --quiet)
	python3 -c "import json,sys; s=json.load(open(sys.argv[1]))['scenarios'][0]; n=s['requests']+s.get('canceled',0)+s['warmup_requests']; print(round(s['rate_attempted']), round(float(sys.argv[2])*1e6/max(n,1), 1))" "$work/b.json" "$c"
}

vegeta_rate() { # URL RATE: the same for the vegeta CLI (the attack alone)
	echo "GET $1" > "$work/vtargets"
	local c
	c=$(cpu "$VEGETA" attack -rate "$2" -max-workers "$WORKERS" -duration "${DUR}s" -targets "$work/vtargets" -output "$work/v.bin")
	"$VEGETA" report -type json < "$work/v.bin" | python3 -c "import json,sys; r=json.load(sys.stdin); print(round(r['rate']), round(float(sys.argv[1])*1e6/max(r['requests'],1), 1))" "$c"
}

# cpu CMD...: user+sys CPU seconds of CMD and its children.
cpu() { python3 -c '
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{r.ru_utime + r.ru_stime:.2f}")' "$@"; }

cpu_bench() { # RATE
	cat > "$work/c.yaml" << YAML
rate: $1
duration: ${DUR}s
max_workers: $WORKERS
scenarios:
  - {name: loop, mode: local, via: http, url: "$STATIC"}
YAML
	cpu "$work/authscope" bench --config "$work/c.yaml" --quiet
}
cpu_vegeta() { # RATE
	echo "GET $STATIC" > "$work/targets"
	cpu "$VEGETA" attack -rate "$1" -max-workers "$WORKERS" -duration "${DUR}s" -targets "$work/targets" -output /dev/null
}

ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/b:.2f}' if b else 'n/a')" "$1" "$2"; }

echo "# serve-ratio.sh: $ROUNDS rounds, ${DUR}s each, $(nproc) cores, load at start $(load)"
[ "$HAVE_WRK" = 1 ] || echo "# wrk not available: serve rows measured with the vegeta CLI (-rate 0, $CONNS workers) instead"
if [ "$ROWS" = all ]; then
	c_serve=$(browser_cookie "$SERVE")
	c_refresh=$(browser_cookie "$REFRESH")
	[ -n "$AUTHJS" ] && c_authjs=$(browser_cookie "$AUTHJS")
fi
printf '%-5s %-14s %8s %8s %8s %7s | %-13s %-13s %-13s %-13s | %9s %9s\n' round load static serve refresh authjs \
	'bench@100k' 'vegeta@100k' 'bench@1M' 'vegeta@1M' 'cpu@1k' 'cpu@5k'
echo "#   serve columns: req/s; generator columns: req/s sent, CPU µs per request; cpu columns: bench/vegeta CPU seconds"
for round in $(seq "$ROUNDS"); do
	l=$(load | tr ' ' '/')
	s=0 j=0 r=0 a=- # ROWS=gen: serve columns not measured
	if [ "$ROWS" = all ]; then
		s=$(rps "$STATIC" "$c_serve")
		j=$(rps "$SERVE" "$c_serve")
		r=$(rps "$REFRESH" "$c_refresh")
		[ -n "$AUTHJS" ] && a=$(rps "$AUTHJS" "$c_authjs")
	fi
	# Each pair runs in both orders across rounds (odd rounds as written,
	# even ones swapped): whichever runs second meets what the first left
	# behind (its sockets in TIME_WAIT, the server's collector catching up).
	if [ $((round % 2)) = 1 ]; then
		read -r b1 bc1 <<< "$(gen_rate "$STATIC" 100000)"
		read -r v1 vc1 <<< "$(vegeta_rate "$STATIC" 100000)"
		read -r v2 vc2 <<< "$(vegeta_rate "$STATIC" 1000000)"
		read -r b2 bc2 <<< "$(gen_rate "$STATIC" 1000000)"
		cb1=$(cpu_bench 1000)
		cv1=$(cpu_vegeta 1000)
		cv5=$(cpu_vegeta 5000)
		cb5=$(cpu_bench 5000)
	else
		read -r v1 vc1 <<< "$(vegeta_rate "$STATIC" 100000)"
		read -r b1 bc1 <<< "$(gen_rate "$STATIC" 100000)"
		read -r b2 bc2 <<< "$(gen_rate "$STATIC" 1000000)"
		read -r v2 vc2 <<< "$(vegeta_rate "$STATIC" 1000000)"
		cv1=$(cpu_vegeta 1000)
		cb1=$(cpu_bench 1000)
		cb5=$(cpu_bench 5000)
		cv5=$(cpu_vegeta 5000)
	fi
	printf '%-5s %-14s %8.0f %8.0f %8.0f %7s | %-13s %-13s %-13s %-13s | %9s %9s\n' "$round" "$l" "$s" "$j" "$r" "$a" \
		"$b1 ${bc1}us" "$v1 ${vc1}us" "$b2 ${bc2}us" "$v2 ${vc2}us" "$cb1/$cv1" "$cb5/$cv5"
	echo "ratios round $round: serve/static $(ratio "$j" "$s")  refresh/static $(ratio "$r" "$s")  authjs/static $([ "$a" = - ] && echo n/a || ratio "$a" "$s")  bench/vegeta rate@100k $(ratio "$b1" "$v1") @1M $(ratio "$b2" "$v2")  CPU per request bench/vegeta @100k $(ratio "$bc1" "$vc1") @1M $(ratio "$bc2" "$vc2")  CPU seconds bench/vegeta @1k $(ratio "$cb1" "$cv1") @5k $(ratio "$cb5" "$cv5")" | tee -a "$work/ratios"
done
# The median of each ratio over the rounds: the figure to quote on a
# shared machine, where one round can meet a neighbour's burst.
python3 - "$work/ratios" << 'PY'
import re, statistics, sys
cols = {}
for line in open(sys.argv[1]):
    for seg in re.split(r"\s{2,}", line.split(":", 1)[1].strip()):
        name, key = [], ""
        for t in seg.split():
            if re.fullmatch(r"[0-9.]+|n/a", t):
                if t != "n/a":
                    cols.setdefault(" ".join(name) + key, []).append(float(t))
            elif "@" in t:
                pre, at = t.split("@", 1)
                name += [pre] if pre else []
                key = " @" + at
            else:
                name.append(t)
print("medians over rounds: " + "  ".join(f"{k} {statistics.median(v):.2f}" for k, v in cols.items()))
PY
echo "# load at end $(load)"
