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

# Every wait is for a condition on the screen, with one generous deadline
# (SMOKE_DEADLINE seconds, 90 by default): a loaded CI machine only makes
# the wait longer, never the test flaky, and nothing is retried. Waits are
# for text that the step itself produces (never text an earlier step may
# have left), measured by the clock rather than by counting polls.
deadline=${SMOKE_DEADLINE:-90}

# until_screen DESC CMD...: poll until CMD (given the screen on stdin) succeeds.
until_screen() {
	local desc=$1 end=$((SECONDS + deadline))
	shift
	while ((SECONDS < end)); do
		if screen | "$@"; then
			return 0
		fi
		sleep 0.1
	done
	fail "timed out after ${deadline}s waiting for: $desc"
}

# wait_for TEXT: the screen shows TEXT.
wait_for() { until_screen "$1" grep -qF -- "$1"; }

# wait_re REGEX: a line of the screen matches REGEX (extended).
wait_re() { until_screen "/$1/" grep -qE -- "$1"; }

# wait_gone TEXT: TEXT is no longer on the screen.
wait_gone() { until_screen "no more: $1" sh -c '! grep -qF -- "$1"' _ "$1"; }

# wait_listed: the list is at rest: its footer shows the row without
# "· loading" (it is set in the same update as the key that starts one).
wait_listed() { wait_re '^row [0-9]+ of [0-9]+ *$'; }

# wait_built SETTINGS: the status bar shows SETTINGS and no build is
# running (⟳ is set in the same update as the toggle that starts one).
wait_built() {
	wait_for "$1"
	wait_gone "⟳"
	wait_for "$1"
}

keys() { "${T[@]}" send-keys -t app "$@"; }

step() { echo "tmux-smoke: $*"; }

step "browse"
wait_for "of 3000"
wait_for "resolver ready: JWE cookies"
wait_listed
check_safe
keys j j
wait_re '^row 3 of 3000 *$'
keys G
wait_re '^row 3000 of 3000 *$'
keys g
wait_re '^row 1 of 3000 *$'
check_safe

step "filter (on what is shown: the masked e-mail's domain)"
keys /
wait_for "filter on what is shown"
keys -l "example.org"
keys Enter
wait_for "filter kept: example.org"
wait_for "filter: example.org"
wait_listed
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
wait_re '[a-z]+\.[a-z]+\.1\.[0-9]+@example\.org'
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
wait_built "proxy · jwt · cache off"
wait_for "resolver ready: upstream"
check_safe
keys s
wait_built "proxy · database · cache off"
wait_listed
check_safe
keys c
wait_built "proxy · database · cache on"
check_safe

step "revoke (database) needs a confirmation"
# Active sessions are listed first: the first row is live.
keys g
wait_re '^row 1 of [0-9]+ *$'
keys Enter
wait_for "Session JSON"
wait_for "x revoke"
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
wait_gone "Keys · Resolver"

step "load run, stopped early"
keys 3
wait_for "no run yet"
# The second profile runs for seconds: stop it while it runs.
keys j
wait_for "press space to start jwt-local-vs-proxy"
keys Space
wait_for "state running"
keys Space
wait_for "stopped at"
wait_for "run stopped at"
check_safe

step "capacity search shows its steps"
keys p
wait_for "capacity jwt-proxy · SLO p99"
wait_for "probing step"
keys p
wait_for "capacity search stopped"
check_safe

step "load run to the end"
keys k
keys Space
wait_for "run finished"
wait_for "p99.9"
wait_for "latency, log scale"
check_safe

step "quit"
keys q
wait_for "EXITED 0"
echo "tmux-smoke: PASS"
