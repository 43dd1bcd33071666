package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// next-auth v4's /session answers "{}" (not "null") when there is no
// session; --legacy-v4 prints what v4 would.
func TestResolveLegacyV4NoSessionIsEmptyObject(t *testing.T) {
	for _, tc := range []struct{ name, stdin string }{
		{"no cookie", ""},
		{"undecryptable", "next-auth.session-token=not-a-jwe"},
	} {
		code, out, errs := runCLI(t, testEnv, tc.stdin, "resolve", "--legacy-v4", "--now", testNow)
		if code != 0 || out != "{}\n" {
			t.Errorf("%s: exit %d, out %q (stderr %q), want {}", tc.name, code, out, errs)
		}
	}
	// A v4 session still prints its body, and v5 keeps null.
	cookie := mintCookie(t, `{"sub":"u1","name":"Ada"}`, "--legacy-v4")
	_, out, _ := runCLI(t, testEnv, cookie, "resolve", "--legacy-v4", "--now", testNow, "--reveal")
	if out != `{"user":{"name":"Ada"},"expires":"2025-12-27T08:00:00.000Z"}`+"\n" {
		t.Errorf("v4 session body %q", out)
	}
	if _, out, _ := runCLI(t, testEnv, "", "resolve"); out != "null\n" {
		t.Errorf("v5 without a session printed %q, want null", out)
	}
}

// runUsage runs args and wants exit 2 with one short stderr line naming want.
func runUsage(t *testing.T, env map[string]string, want string, args ...string) {
	t.Helper()
	code, out, errs := runCLI(t, env, "authjs.session-token=abc", args...)
	if code != 2 || out != "" {
		t.Errorf("%q: exit %d, out %q, want exit 2 and no output (stderr %q)", args, code, out, errs)
		return
	}
	if !strings.Contains(errs, want) {
		t.Errorf("%q: stderr %q lacks %q", args, errs, want)
	}
	if strings.Count(strings.TrimSpace(errs), "\n") > 0 {
		t.Errorf("%q: stderr is not one line: %q", args, errs)
	}
}

// --now must be a real instant: NaN, infinities and values past year 9999
// printed absurd or wrapped-around expiries.
func TestResolveNowOutOfRange(t *testing.T) {
	for _, v := range []string{"NaN", "nan", "Inf", "-Inf", "+Inf", "1e30", "-1", "253402300800", "9223372036854775807"} {
		runUsage(t, testEnv, "--now", "resolve", "--now", v)
		// mint shares the clock: no token with an absurd iat/exp.
		if code, out, errs := runCLI(t, testEnv, `{"sub":"1"}`, "mint", "--now", v); code != 2 || out != "" || !strings.Contains(errs, "--now") {
			t.Errorf("mint --now %s: exit %d, out %q, stderr %q", v, code, out, errs)
		}
	}
	// The range's ends are fine.
	for _, v := range []string{"0", "1764230400.5", "253402300799"} {
		if code, _, errs := runCLI(t, testEnv, "", "resolve", "--now", v); code != 0 {
			t.Errorf("--now %s: exit %d, %q", v, code, errs)
		}
	}
}

// --output raw only reassembles the cookie: it needs no secret.
func TestResolveRawNeedsNoSecret(t *testing.T) {
	cookie := mintCookie(t, `{"sub":"u1"}`)
	tok := strings.TrimPrefix(cookie, "authjs.session-token=")
	code, out, errs := runCLI(t, nil, cookie, "resolve", "--output", "raw", "--reveal")
	if code != 0 || out != `"`+tok+`"`+"\n" {
		t.Errorf("raw without AUTH_SECRET: exit %d, out %q, stderr %q", code, out, errs)
	}
	if code, out, _ := runCLI(t, nil, "", "resolve", "--output", "raw"); code != 0 || out != "null\n" {
		t.Errorf("raw without a cookie: exit %d, out %q", code, out)
	}
	// Everything else is still checked, and the other outputs still need it.
	runUsage(t, map[string]string{"AUTH_URL": "not a url"}, "base URL", "resolve", "--output", "raw")
	runUsage(t, nil, "needs a secret", "resolve")
	runUsage(t, nil, "AUTH_SECRET", "resolve", "--output", "token")
}

// Store flags with bad values, or that the command would ignore, are usage
// errors (exit 2) named on one line, before anything is opened.
func TestResolveStoreFlagUsage(t *testing.T) {
	dir := t.TempDir()
	sqlite := "sqlite:" + filepath.Join(dir, "none.db")
	db := []string{"resolve", "--strategy", "database"}
	for _, tc := range []struct {
		want string
		args []string
	}{
		{"--schema \"nope\"", append(db, "--db", "postgres://127.0.0.1:1/x", "--schema", "nope")},
		{"pg-adapter", append(db, "--db", "postgres://127.0.0.1:1/x", "--schema", "nope")},
		{"mapping", append(db, "--db", "postgres://127.0.0.1:1/x", "--schema", "custom")},
		{"--db needs --strategy database", []string{"resolve", "--db", "postgres://127.0.0.1:1/x"}},
		{"--db-env needs --strategy database", []string{"resolve", "--db-env", "SOME_DSN"}},
		{"--schema needs --strategy database", []string{"resolve", "--schema", "prisma"}},
		{"--prefix needs --strategy database", []string{"resolve", "--prefix", "app:"}},
		{"--db is not used in proxy mode", append(db, "--mode", "proxy", "--url", "http://127.0.0.1:1", "--db", sqlite)},
		{"--schema \"pg-adapter\" is not a SQLite layout (want auto, d1, drizzle, prisma, prisma-snake)", append(db, "--db", sqlite, "--schema", "pg-adapter")},
		{"--schema is for SQL layouts", append(db, "--db", "redis://127.0.0.1:1", "--schema", "prisma")},
		{"--prefix is for Redis", append(db, "--db", "postgres://127.0.0.1:1/x", "--prefix", "app:")},
		{"--prefix is for Redis", append(db, "--db", sqlite, "--prefix", "app:")},
		{"--max-conns", append(db, "--db", sqlite, "--max-conns", "-1")},
		{"--max-conns", append(db, "--db", sqlite, "--max-conns", "10001")},
	} {
		runUsage(t, map[string]string{"AUTH_SECRET": "s", "SOME_DSN": sqlite}, tc.want, tc.args...)
	}
}

// The valid combinations still reach the store (exit 1 here: nothing
// listens), so the checks above refuse only what is wrong.
func TestResolveStoreFlagsAccepted(t *testing.T) {
	db := []string{"resolve", "--strategy", "database"}
	for _, args := range [][]string{
		append(db, "--db", "postgres://127.0.0.1:1/x", "--schema", "prisma", "--max-conns", "4"),
		append(db, "--db", "redis://127.0.0.1:1", "--prefix", "app:", "--max-conns", "10000"),
		append(db, "--db", "sqlite:"+filepath.Join(t.TempDir(), "none.db"), "--max-conns", "0"),
	} {
		if code, _, errs := runCLI(t, testEnv, "authjs.session-token=abc", args...); code != 1 {
			t.Errorf("%q: exit %d, want 1 (store unreachable): %q", args, code, errs)
		}
	}
	// A profile that selects the database strategy lets --db through.
	dir := t.TempDir()
	prof := filepath.Join(dir, "db.yaml")
	if err := os.WriteFile(prof, []byte("name: db\nresolver:\n  strategy: database\nstore:\n  dsn_env: PROFILE_DSN\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PROFILE_DSN": "redis://127.0.0.1:1"}
	if code, _, errs := runCLI(t, env, "authjs.session-token=abc", "resolve", "--profile", prof, "--db", "sqlite:"+filepath.Join(dir, "none.db")); code != 1 || !strings.Contains(errs, "authscope seed") {
		t.Errorf("--db with a database profile: exit %d, %q", code, errs)
	}
}

// Warnings the resolver logs reach the user of resolve, one line each,
// like serve's: a plaintext proxy upstream on another host is one.
func TestResolveWarnsPlaintextUpstream(t *testing.T) {
	dir := t.TempDir()
	prof := filepath.Join(dir, "remote.yaml")
	// 192.0.2.1 is TEST-NET-1: nothing answers; the short timeout ends the call.
	yaml := "name: remote\nresolver:\n  mode: proxy\n  base_url: http://192.0.2.1\n  proxy:\n    timeout: 50ms\n"
	if err := os.WriteFile(prof, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cookie := "authjs.session-token=secret-cookie-value"
	code, out, errs := runCLI(t, testEnv, cookie, "resolve", "--profile", prof)
	// Nothing answers, so: no session because a dependency failed (exit 3).
	if code != 3 || out != "null\n" {
		t.Fatalf("exit %d, out %q, stderr %q", code, out, errs)
	}
	var warn string
	for _, l := range strings.Split(errs, "\n") {
		if strings.Contains(l, "plaintext") {
			warn = l
		}
	}
	if !strings.HasPrefix(warn, "warning: ") || !strings.Contains(warn, "192.0.2.1") {
		t.Errorf("no one-line plaintext warning naming the host: %q", errs)
	}
	if strings.Contains(errs, "secret-cookie-value") || strings.Contains(errs, "test-secret") {
		t.Errorf("stderr leaks the cookie or secret: %q", errs)
	}
	// A loopback upstream is not warned about.
	_, _, errs = runCLI(t, testEnv, cookie, "resolve", "--mode", "proxy", "--url", "http://127.0.0.1:1")
	if strings.Contains(errs, "plaintext") {
		t.Errorf("loopback upstream warned: %q", errs)
	}
}
