package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// runCLI runs one command in-process with the given environment and stdin.
func runCLI(t *testing.T, envv map[string]string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &cliEnv{
		stdin:  strings.NewReader(stdin),
		stdout: &out,
		stderr: &errb,
		getenv: func(k string) string { return envv[k] },
	}
	code = run(context.Background(), env, args)
	return code, out.String(), errb.String()
}

const testNow = "1764230400" // 2025-11-27T08:00:00Z

var testEnv = map[string]string{"AUTH_SECRET": "test-secret-for-cli-tests-0123456789"}

func mintCookie(t *testing.T, claims string, extra ...string) string {
	t.Helper()
	code, out, errs := runCLI(t, testEnv, claims, append([]string{"mint", "--now", testNow}, extra...)...)
	if code != 0 {
		t.Fatalf("mint: exit %d: %s", code, errs)
	}
	return strings.TrimSpace(out)
}

func TestResolveRoundTrip(t *testing.T) {
	cookie := mintCookie(t, `{"sub":"u1","name":"Ada Lovelace","email":"ada@example.com","picture":"https://img.example/a.png"}`)
	if !strings.HasPrefix(cookie, "authjs.session-token=eyJ") {
		t.Fatalf("cookie %q", cookie)
	}

	code, out, errs := runCLI(t, testEnv, cookie+"\n", "resolve", "--now", testNow, "--reveal")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want := `{"user":{"name":"Ada Lovelace","email":"ada@example.com","image":"https://img.example/a.png"},"expires":"2025-12-27T08:00:00.000Z"}` + "\n"
	if out != want {
		t.Errorf("revealed body\n got %s\nwant %s", out, want)
	}

	// Redacted by default.
	_, out, _ = runCLI(t, testEnv, "Cookie: "+cookie, "resolve", "--now", testNow)
	want = `{"user":{"name":"A••• L•••","email":"a•••@example.com"},"expires":"2025-12-27T08:00:00.000Z"}` + "\n"
	if out != want {
		t.Errorf("redacted body\n got %s\nwant %s", out, want)
	}

	// getToken: decoded claims, redacted unless revealed.
	_, out, _ = runCLI(t, testEnv, cookie, "resolve", "--now", testNow, "--output", "token", "--reveal")
	var claims map[string]any
	if err := json.Unmarshal([]byte(out), &claims); err != nil {
		t.Fatalf("token output %q: %v", out, err)
	}
	if claims["email"] != "ada@example.com" || claims["exp"] != float64(1764230400+2592000) || claims["jti"] == nil {
		t.Errorf("claims %v", claims)
	}
	_, out, _ = runCLI(t, testEnv, cookie, "resolve", "--now", testNow, "--output", "token")
	if strings.Contains(out, "ada@example.com") || !strings.Contains(out, "a•••@example.com") {
		t.Errorf("token output not redacted: %s", out)
	}

	// The raw token: exact only with --reveal, a fingerprint otherwise.
	_, out, _ = runCLI(t, testEnv, cookie, "resolve", "--output", "raw", "--reveal")
	if out != `"`+strings.TrimPrefix(cookie, "authjs.session-token=")+`"`+"\n" {
		t.Errorf("raw output %q", out)
	}
	_, out, _ = runCLI(t, testEnv, cookie, "resolve", "--output", "raw")
	if !strings.HasPrefix(out, `"fp:`) || strings.Contains(out, "eyJ") {
		t.Errorf("raw output leaks: %q", out)
	}
}

func TestResolveNoSession(t *testing.T) {
	cookie := mintCookie(t, `{"sub":"u1"}`, "--max-age", "60")
	for _, tc := range []struct {
		name, stdin, reason string
		args                []string
	}{
		{"no cookie", "", "no_cookie", nil},
		{"other cookie", "theme=dark", "no_cookie", nil},
		{"garbage", "authjs.session-token=not-a-jwe", "malformed", nil},
		{"expired", cookie, "expired", []string{"--now", "1764230476"}}, // exp+16s, past the 15 s tolerance
		{"wrong secret", cookie, "", []string{"--now", testNow}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv
			if tc.name == "wrong secret" {
				env = map[string]string{"AUTH_SECRET": "another-secret-entirely-0123456789"}
			}
			code, out, errs := runCLI(t, env, tc.stdin, append([]string{"resolve", "--explain"}, tc.args...)...)
			if code != 0 || out != "null\n" {
				t.Fatalf("exit %d, out %q, err %q", code, out, errs)
			}
			if !strings.HasPrefix(errs, "no session: "+tc.reason) {
				t.Errorf("explain %q, want reason %q", errs, tc.reason)
			}
		})
	}
	// Within the tolerance it still resolves.
	_, out, _ := runCLI(t, testEnv, cookie, "resolve", "--now", "1764230474")
	if out == "null\n" {
		t.Error("token 14 s past exp rejected")
	}
}

func TestResolveUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no secret", nil, []string{"resolve"}, "needs a secret"},
		{"bad flag", testEnv, []string{"resolve", "--bogus"}, "flag provided but not defined"},
		{"bad output", testEnv, []string{"resolve", "--output", "xml"}, "--output"},
		{"bad url", map[string]string{"AUTH_SECRET": "s", "AUTH_URL": "not a url"}, []string{"resolve"}, "base URL"},
		{"bad now", testEnv, []string{"resolve", "--now", "yesterday"}, "--now"},
		{"bad profile", testEnv, []string{"resolve", "--profile", "../../testdata/profiles/bad-mode.yaml"}, "bad-mode.yaml:3"},
		{"unknown profile", testEnv, []string{"resolve", "--profile", "nope"}, "not found"},
		{"mint no secret", nil, []string{"mint"}, "AUTH_SECRET"},
		{"mint bad stdin", testEnv, []string{"mint"}, "JSON object"},
		{"token of a database session", testEnv, []string{"resolve", "--strategy", "database", "--db", "sqlite::memory:", "--output", "token"}, "opaque token"},
		{"proxy without url", testEnv, []string{"resolve", "--mode", "proxy"}, "--url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCLI(t, tc.env, "", tc.args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2 (out %q, err %q)", code, out, errs)
			}
			if !strings.Contains(errs, tc.want) {
				t.Errorf("stderr %q lacks %q", errs, tc.want)
			}
			if strings.Count(strings.TrimSpace(errs), "\n") > 3 {
				t.Errorf("stderr is not short: %q", errs)
			}
			if strings.Contains(errs, "test-secret") {
				t.Errorf("stderr leaks the secret: %q", errs)
			}
		})
	}
}

func TestMintChunksLargeTokens(t *testing.T) {
	big := `{"sub":"u1","blob":"` + strings.Repeat("x", 9000) + `"}`
	cookie := mintCookie(t, big)
	if !strings.Contains(cookie, "authjs.session-token.0=") || !strings.Contains(cookie, "authjs.session-token.2=") {
		t.Fatal("a 9 kB token was not chunked")
	}
	_, out, _ := runCLI(t, testEnv, cookie, "resolve", "--now", testNow, "--reveal")
	if out != `{"user":{},"expires":"2025-12-27T08:00:00.000Z"}`+"\n" {
		t.Errorf("chunked cookie resolved to %q", out)
	}
	_, out, _ = runCLI(t, testEnv, big, "mint", "--now", testNow, "--format", "set-cookie", "--url", "https://app.example")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 3 {
		t.Fatalf("%d Set-Cookie lines, want at least 3", len(lines))
	}
	for i, l := range lines {
		// Tokens are not printed on failure: they are long and credential-like.
		if !strings.HasPrefix(l, fmt.Sprintf("__Secure-authjs.session-token.%d=", i)) || !strings.HasSuffix(l, "; HttpOnly; Secure; SameSite=Lax") {
			t.Errorf("Set-Cookie line %d has the wrong name or attributes", i)
		}
	}
}

func TestHelpAndVersion(t *testing.T) {
	if code, out, _ := runCLI(t, nil, "", "--version"); code != 0 || !strings.HasPrefix(out, "authscope ") {
		t.Errorf("--version: %d %q", code, out)
	}
	if code, _, errs := runCLI(t, nil, "", "resolve", "--help"); code != 0 || !strings.Contains(errs, "-output") {
		t.Errorf("resolve --help: %d %q", code, errs)
	}
	if code, _, errs := runCLI(t, nil, "", "frobnicate"); code != 2 || !strings.Contains(errs, "unknown command") {
		t.Errorf("unknown command: %d %q", code, errs)
	}
}

func TestMintLegacyV4(t *testing.T) {
	big := `{"sub":"u1","blob":"` + strings.Repeat("y", 6000) + `"}`
	cookie := mintCookie(t, big, "--legacy-v4")
	parts := strings.Split(cookie, "; ")
	if len(parts) < 2 || !strings.HasPrefix(parts[0], "next-auth.session-token.0=") {
		t.Fatalf("legacy cookie not chunked under the v4 name (%d parts)", len(parts))
	}
	if n := len(strings.TrimPrefix(parts[0], "next-auth.session-token.0=")); n != 3933 {
		t.Errorf("first v4 chunk holds %d characters, want 3933", n)
	}
	_, out, _ := runCLI(t, testEnv, cookie, "resolve", "--legacy-v4", "--now", testNow, "--reveal")
	if out != `{"user":{},"expires":"2025-12-27T08:00:00.000Z"}`+"\n" {
		t.Errorf("v4 cookie resolved to %q", out)
	}
	// A v4 token is not a v5 session.
	_, out, _ = runCLI(t, testEnv, cookie, "resolve", "--now", testNow)
	if out != "null\n" {
		t.Errorf("v4 cookie accepted by the v5 resolver: %q", out)
	}
}

func TestResolveHintsAndWarnings(t *testing.T) {
	cookie := mintCookie(t, `{"sub":"u1"}`)
	bare := strings.TrimPrefix(cookie, "authjs.session-token=")
	_, out, errs := runCLI(t, testEnv, bare, "resolve")
	if out != "null\n" || !strings.Contains(errs, "hint: stdin holds a bare token") || strings.Contains(errs, bare) {
		t.Errorf("bare token: out %q, stderr %q", out, errs)
	}
	// An unreachable upstream is "no session" on stdout, but not silently:
	// exit 3 tells a script a dependency failed, and --explain names it.
	code, out, errs := runCLI(t, testEnv, cookie, "resolve", "--mode", "proxy", "--url", "http://127.0.0.1:1")
	if code != 3 || out != "null\n" || !strings.Contains(errs, "warning: no session because of upstream_error") {
		t.Errorf("upstream down: exit %d, out %q, stderr %q", code, out, errs)
	}
	code, out, errs = runCLI(t, testEnv, cookie, "resolve", "--explain", "--mode", "proxy", "--url", "http://127.0.0.1:1")
	if code != 3 || out != "null\n" || !strings.Contains(errs, "no session: upstream_error") || !strings.Contains(errs, "exit status 3") {
		t.Errorf("upstream down, --explain: exit %d, out %q, stderr %q", code, out, errs)
	}
	// A plain signed-out request stays quiet.
	_, _, errs = runCLI(t, testEnv, "theme=dark", "resolve")
	if errs != "" {
		t.Errorf("no cookie printed %q", errs)
	}
}

func TestBareFlagsOpenTheDefaultCommand(t *testing.T) {
	// `authscope --profile nope` is `authscope tui --profile nope`.
	code, _, errs := runCLI(t, nil, "", "--profile", "nope")
	if code != 2 || !strings.HasPrefix(errs, "authscope tui:") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}

func TestProfilesCommand(t *testing.T) {
	code, out, _ := runCLI(t, nil, "", "profiles")
	if code != 0 || !strings.Contains(out, "compare") || !strings.Contains(out, "demo") {
		t.Errorf("list: %d %q", code, out)
	}
	if code, _, errs := runCLI(t, nil, "", "profiles", "list", "--help"); code != 0 || !strings.Contains(errs, "validate") {
		t.Errorf("list --help: %d %q", code, errs)
	}
	if code, _, _ := runCLI(t, nil, "", "profiles", "show", "nope"); code != 2 {
		t.Errorf("show nope: exit %d, want 2", code)
	}
	if code, out, _ := runCLI(t, nil, "", "profiles", "show", "demo"); code != 0 || !strings.Contains(out, "name: demo") {
		t.Errorf("show demo: %d %q", code, out)
	}
	code, out, errs := runCLI(t, nil, "", "profiles", "validate", "../../testdata/profiles/pg-db.json", "../../testdata/profiles/unknown-key.yaml")
	if code != 2 || !strings.Contains(out, "pg-db.json: ok") || !strings.Contains(errs, "unknown-key.yaml:6") {
		t.Errorf("validate: %d %q %q", code, out, errs)
	}
}

func TestResolveStoreErrors(t *testing.T) {
	for _, tc := range []struct {
		db   string
		code int
		want string
	}{
		{"oracle://x", 2, "unknown scheme"},
		{"mysql://x", 2, "names no database"},
		{"sqlite:", 2, "sqlite"},
		{"sqlite:" + t.TempDir() + "/missing.db", 1, "authscope seed"},
		{"redis://u:hunter2pw@127.0.0.1:1", 1, "opening redis://"},
	} {
		code, out, errs := runCLI(t, testEnv, "authjs.session-token=abc", "resolve", "--strategy", "database", "--db", tc.db)
		if code != tc.code || out != "" || !strings.Contains(errs, tc.want) {
			t.Errorf("--db %s: exit %d (want %d), out %q, stderr %q", tc.db, code, tc.code, out, errs)
		}
		if strings.Contains(errs, "hunter2pw") || strings.Count(strings.TrimSpace(errs), "\n") > 0 {
			t.Errorf("--db %s: stderr not one redacted line: %q", tc.db, errs)
		}
	}
}
