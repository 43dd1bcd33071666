package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/authscope/authscope/resolver/store/storetest"
)

// TestSeedBetterAuth: `seed --engine better-auth` on each store kind, then
// `resolve --engine better-auth` answers one of the printed cookies, a
// rerun inserts nothing, and cookies are fingerprints without --reveal.
func TestSeedBetterAuth(t *testing.T) {
	const secret = "test-only-seed-secret-0123456789abcdef0123"
	for _, c := range []struct {
		name string
		dsn  func(t *testing.T) (string, map[string]string)
		args []string
	}{
		{"sqlite", func(t *testing.T) (string, map[string]string) {
			return "sqlite:" + filepath.Join(t.TempDir(), "ba.db"), nil
		}, nil},
		{"postgres", func(t *testing.T) (string, map[string]string) { return storetest.PostgresDB(t), nil }, []string{"--create-schema"}},
		{"mysql", func(t *testing.T) (string, map[string]string) { return storetest.MySQLDB(t), nil }, []string{"--create-schema"}},
		{"redis", func(t *testing.T) (string, map[string]string) {
			return storetest.RedisURL, map[string]string{"BETTER_AUTH_REDIS_PREFIX": storetest.RedisPrefix(t)}
		}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			dsn, extra := c.dsn(t)
			env := map[string]string{"BETTER_AUTH_SECRET": secret}
			for k, v := range extra {
				env[k] = v
			}
			args := append([]string{"seed", "--engine", "better-auth", "--db", dsn, "--users", "5", "--sessions", "20", "--seed", "7"}, c.args...)
			code, out, errs := runCLI(t, env, "", append(args, "--reveal")...)
			if code != 0 || !strings.Contains(out, "5 users, 20 sessions (14 fresh, 4 due for update, 2 expired)") {
				t.Fatalf("seed: exit %d %q %q", code, out, errs)
			}
			var cookie string
			for _, l := range strings.Split(out, "\n") {
				if strings.HasPrefix(l, "better-auth.session_token=") {
					cookie = l
					break
				}
			}
			code, body, errs := runCLI(t, env, cookie, "resolve", "--engine", "better-auth", "--db", dsn, "--explain", "--reveal")
			if code != 0 || !strings.Contains(body, `"userId":"seed-7-user-0"`) {
				t.Fatalf("resolve the seeded cookie: exit %d %s %s", code, body, errs)
			}
			code, out, _ = runCLI(t, env, "", args...)
			if code != 0 || !strings.Contains(out, "nothing inserted") || strings.Contains(out, cookie) || !strings.Contains(out, "better-auth.session_token=<") {
				t.Fatalf("rerun: exit %d %q", code, out)
			}
		})
	}
	if code, _, errs := runCLI(t, nil, "", "seed", "--engine", "better-auth", "--db", "sqlite:"+filepath.Join(t.TempDir(), "x.db")); code != 2 || !strings.Contains(errs, "BETTER_AUTH_SECRET") {
		t.Fatalf("no secret: exit %d %q", code, errs)
	}
}
