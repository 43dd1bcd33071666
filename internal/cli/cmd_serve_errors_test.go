package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"
)

// runBounded runs the CLI in-process like runStoreCmd, but a command that
// wrongly starts serving is stopped after a while (and then exits 0)
// instead of hanging the test.
func runBounded(t *testing.T, envv map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	env := &cliEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string { return envv[k] }}
	code = run(ctx, env, args)
	return code, out.String(), errb.String()
}

// TestServeSetupErrors: a failure while building serve or upstream (the
// address in use, an unreachable store or bus) is one line naming the
// error and exit 1, not a nil-pointer panic from the cleanup of a
// half-built server.
func TestServeSetupErrors(t *testing.T) {
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	busy := held.Addr().String()
	env := map[string]string{"AUTH_SECRET": "serve-setup-errors-secret-0123456789"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--listen", busy}, "listen " + busy},
		{[]string{"upstream", "--listen", busy}, "listen " + busy},
		{[]string{"serve", "--listen", "127.0.0.1:0", "--strategy", "database", "--db", "redis://127.0.0.1:1"}, "redis"},
		{[]string{"upstream", "--listen", "127.0.0.1:0", "--strategy", "database", "--db", "redis://127.0.0.1:1"}, "redis"},
		{[]string{"serve", "--listen", "127.0.0.1:0", "--cache", "--bus-redis", "redis://127.0.0.1:1"}, "127.0.0.1:1"},
	} {
		code, out, errs := runBounded(t, env, tc.args...)
		// serve's JSON log may hold records (go-redis's own warning about
		// the failed dial) before the one plain error line.
		var lines []string
		for _, l := range strings.Split(strings.TrimRight(errs, "\n"), "\n") {
			if !json.Valid([]byte(l)) {
				lines = append(lines, l)
			}
		}
		if code != 1 || len(lines) != 1 || !strings.Contains(lines[0], tc.want) || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 1 and one line naming %q", tc.args, code, out, errs, tc.want)
		}
	}
}

// TestServeHidesUpstreamPassword: the upstream (proxy mode), bus and
// shared-cache URLs may carry a password; no log line or error shows it,
// neither at startup nor when a resolution fails against the upstream.
func TestServeHidesUpstreamPassword(t *testing.T) {
	const pw = "hunter2pw"
	s := startCmd(t, nil, "serve", "--mode", "proxy", "--url", "http://u:"+pw+"@127.0.0.1:1", "--log-level", "debug")
	get(t, s.base+"/api/auth/session", "authjs.session-token=x")
	s.stop()
	if logs := s.logs.String(); strings.Contains(logs, pw) || !strings.Contains(logs, `"upstream":"http://u:xxxxx@127.0.0.1:1/api/auth/session"`) {
		t.Errorf("logs show the password or not the redacted upstream:\n%s", logs)
	}
	for _, args := range [][]string{
		{"serve", "--cache", "--bus-redis", "redis://u:" + pw + "@127.0.0.1:1/%zz"},
		{"serve", "--cache", "--shared-cache", "redis://u:" + pw + "@127.0.0.1:1/%zz"},
		{"serve", "--mode", "proxy", "--url", "http://u:" + pw + "@127.0.0.1:1/%zz"},
	} {
		code, out, errs := runStoreCmd(t, map[string]string{"AUTH_SECRET": "serve-hides-password-secret-0123456789"}, append(args, "--listen", "127.0.0.1:0")...)
		if code != 2 || strings.Contains(out+errs, pw) || !strings.Contains(errs, "127.0.0.1:1") {
			t.Errorf("%v: exit %d, stderr %q; want 2, the host named, the password not", args, code, errs)
		}
	}
}

// TestServeCacheFlagUsage: cache tuning that cannot apply is a usage error
// (exit 2), not a server that starts and silently ignores it.
func TestServeCacheFlagUsage(t *testing.T) {
	env := map[string]string{"AUTH_SECRET": "serve-cache-flags-secret-0123456789", "R": "redis://127.0.0.1:1"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--cache", "--cache-ttl", "-1s"}, "must not be negative"},
		{[]string{"--cache", "--negative-ttl", "-1s"}, "must not be negative"},
		{[]string{"--cache", "--cache-size", "-5"}, "must not be negative"},
		{[]string{"--negative-ttl", "1s"}, "need --cache"},
		{[]string{"--cache-ttl", "10s"}, "need --cache"},
		// Without a cache a bus has nothing to invalidate: refused, not
		// silently connected (and then reported healthy while dead).
		{[]string{"--bus-pg", "postgres://127.0.0.1:1/x"}, "--bus-pg needs --cache"},
		{[]string{"--bus-redis", "redis://127.0.0.1:1"}, "--bus-redis needs --cache"},
		{[]string{"--bus-redis-env", "R"}, "--bus-redis needs --cache"},
	} {
		code, _, errs := runBounded(t, env, append([]string{"serve", "--listen", "127.0.0.1:0"}, tc.args...)...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("serve %v: exit %d, stderr %q; want 2 and %q", tc.args, code, errs, tc.want)
		}
	}
}
