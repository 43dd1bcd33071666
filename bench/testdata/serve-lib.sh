# Shared by the serve measurement scripts (serve-ratio.sh,
# serve-ratio-pinned.sh, serve-instr.sh), sourced after $work holds the
# built authscope binary: a free loopback port, waiting for a server, and
# the Cookie header a signed-in browser sends.

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_http URL [TRIES]: until URL answers (TRIES tenths of a second,
# default 100), else exit.
wait_http() {
	for _ in $(seq "${2:-100}"); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done
	echo "no answer from $1" >&2
	exit 1
}

# The minted session cookie of one fixed user, signed by $AUTH_SECRET.
mint_session() {
	echo '{"sub":"5b1f6c1e-7a0e-4c3b-9d2a-3f4e5a6b7c8d","name":"Ada Lovelace","email":"ada.lovelace@example.com","picture":"https://avatars.githubusercontent.com/u/1815181?v=4"}' | "$work/authscope" mint
}

# browser_cookie URL: $session plus the CSRF and callback-url cookies of a
# first answer from URL.
browser_cookie() {
	local extra
	extra=$(curl -s -o /dev/null -D - -H "Cookie: $session" "$1" | tr -d '\r' |
		awk -F'[:;] *' 'tolower($1)=="set-cookie" && $2 !~ /session-token/ {printf "; %s", $2}')
	printf '%s%s' "$session" "$extra"
}
