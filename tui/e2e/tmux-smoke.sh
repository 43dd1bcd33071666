#!/usr/bin/env bash
# tmux-smoke.sh BINARY: drive the terminal app as a new user would, in a
# real terminal (tmux), on the embedded demo: browse, filter, open a
# session, reveal it (with its confirmation), leave it, toggle mode,
# strategy and cache, run a short load test, quit. After every step the
# screen is checked: nothing secret may appear while redaction is on (the
# demo secret, any token, any full e-mail address).
#
# Run by tui's TestTmuxSmoke (go test ./tui -run Tmux), which builds the
# binary once; or by hand: go build -o /tmp/authscope . && bash tui/e2e/tmux-smoke.sh /tmp/authscope
set -euo pipefail

bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
[ -x "$bin" ] || { echo "tmux-smoke: $bin is not an executable" >&2; exit 2; }
command -v tmux >/dev/null || { echo "tmux-smoke: tmux is not installed" >&2; exit 2; }

work=$(mktemp -d)
sock="authscope-smoke-$$"
T=(tmux -L "$sock" -f /dev/null)
cleanup() { "${T[@]}" kill-server >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

# The demo secret is fixed for this run so the screen can be checked for it.
secret="smoke-secret-$RANDOM$RANDOM-do-not-show"
"${T[@]}" new-session -d -s app -x 120 -y 40 \
	"cd '$work' && AUTHSCOPE_DEMO_SECRET='$secret' TERM=xterm-256color '$bin'; echo EXITED \$?; sleep 60"

screen() { "${T[@]}" capture-pane -p -t app; }
fail() {
	echo "tmux-smoke: FAIL: $*" >&2
	echo "---- screen ----" >&2
	screen >&2 || true
	exit 1
}

# check_safe [revealed]: the screen shows no secret. While a session is
# revealed its own name and e-mail may show (that is the point), but never
# a token or the secret.
check_safe() {
	local s
	s=$(screen)
	grep -qF -- "$secret" <<<"$s" && fail "the demo secret is on screen"
	# A compact JWE (the jwt session cookie) or its protected header.
	grep -qE 'eyJ[A-Za-z0-9_-]{10,}' <<<"$s" && fail "a JWT/JWE token is on screen"
	if [ "${1:-}" != revealed ]; then
		# Database session tokens are UUIDs; so are jti claims (shown only revealed).
		grep -qE '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}' <<<"$s" && fail "a session token is on screen"
		# A full e-mail: anything but the one-letter mask before the @.
		grep -qE '[A-Za-z0-9._%+-]{2,}@example\.(com|org)' <<<"$s" && fail "an unmasked e-mail is on screen"
	fi
	return 0
}

# wait_for TEXT [SECONDS]: poll the screen until TEXT shows.
wait_for() {
	local text=$1 limit=${2:-30} i
	for ((i = 0; i < limit * 10; i++)); do
		if screen | grep -qF -- "$text"; then
			return 0
		fi
		sleep 0.1
	done
	fail "timed out waiting for: $text"
}

# wait_gone TEXT [SECONDS]: poll the screen until TEXT is gone.
wait_gone() {
	local text=$1 limit=${2:-30} i
	for ((i = 0; i < limit * 10; i++)); do
		if ! screen | grep -qF -- "$text"; then
			return 0
		fi
		sleep 0.1
	done
	fail "timed out waiting for this to go: $text"
}

keys() { "${T[@]}" send-keys -t app "$@"; }

step() { echo "tmux-smoke: $*"; }

step "browse"
wait_for "of 3000" 120
wait_for "resolver ready"
check_safe
keys j j
wait_for "row 3 of 3000"
keys G
wait_for "row 3000 of 3000"
keys g
wait_for "row 1 of 3000"
check_safe

step "filter"
keys /
keys -l "example.org"
keys Enter
wait_for "filter: example.org"
screen | grep -q "@example.com" && fail "the filter kept example.com rows"
check_safe

step "detail"
keys Enter
wait_for "Session JSON"
wait_for "result: "
wait_for "redacted"
check_safe

step "reveal needs a confirmation"
keys r
wait_for "Reveal the personal data"
check_safe
keys n
wait_for "cancelled"
check_safe
keys r
wait_for "Reveal the personal data"
keys y
wait_for "REVEALED"
screen | grep -qE '[a-z]+\.[a-z]+\.1\.[0-9]+@example\.org' || fail "a revealed session shows no e-mail"
check_safe revealed

step "leaving re-redacts"
keys Escape
wait_for "re-redacted"
wait_for "filter: example.org"
check_safe
keys Enter
wait_for "Session JSON"
wait_for "redacted"
check_safe
# Wait after esc: an escape followed at once by a key reads as alt+key.
keys Escape
wait_for "filter: example.org"

step "toggles"
keys m
wait_for "proxy · jwt · cache off"
wait_for "resolver ready: proxy · jwt"
check_safe
keys s
wait_for "proxy · database · cache off"
wait_for "resolver ready: proxy · database"
check_safe
keys c
wait_for "proxy · database · cache on"
check_safe

step "revoke (database) needs a confirmation"
# The last row expires last: a live session.
keys G
wait_gone "loading"
keys Enter
wait_for "Session JSON"
keys x
wait_for "Revoke session"
check_safe
keys y
wait_for "revoked session"
wait_for "filter: example.org"
check_safe
keys 2
wait_for "Counters"
wait_for "resolutions"
check_safe
keys '?'
wait_for "Keys · Resolver"
keys '?'

step "load run"
keys 3
wait_for "no run yet"
keys Space
wait_for "state running" 20
check_safe
wait_for "run finished" 120
wait_for "p99.9"
wait_for "latency, log scale"
check_safe

step "quit"
keys q
wait_for "EXITED 0" 20
echo "tmux-smoke: PASS"
