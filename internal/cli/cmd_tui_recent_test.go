package cli

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/profiles"
	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/tui"
	"github.com/authscope/authscope/tui/backend"
)

// TestTUIFromServe: the TUI's jwt list is what a running serve answered
// recently, decoded with the profile's secret, refreshed as serve sees
// more, and never revocable.
func TestTUIFromServe(t *testing.T) {
	const secret = "from-serve-test-secret-0123456789abcdef"
	env := map[string]string{"AUTH_SECRET": secret, defaultInvalidateEnv: "admin-secret"}
	s := startCmd(t, env, "serve")
	for _, who := range []string{"Ada", "Bob"} {
		cookie, _ := mintFor(t, secret, resolver.Claims{"sub": strings.ToLower(who), "name": who, "email": strings.ToLower(who) + "@example.com"}, time.Now())
		get(t, s.base+"/api/auth/session", cookie)
	}
	p, err := profiles.Parse("j.yaml", []byte("name: j\nresolver: {mode: local, strategy: jwt}\n"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	clock := func() time.Time { return now }
	deps, closeDeps, err := profileDeps(t.Context(), p, func(k string) string { return env[k] }, t.TempDir(), jwtSource{fromServe: s.base, secretEnv: defaultInvalidateEnv})
	if err != nil {
		t.Fatal(err)
	}
	defer closeDeps()
	src := deps.Sessions.(backend.ByStrategy).JWT.(*serveSource)
	src.now = clock
	list := func(filter string) tui.SessionPage {
		t.Helper()
		page, err := src.List(t.Context(), tui.ListQuery{Strategy: resolver.StrategyJWT, Filter: filter, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return page
	}
	page := list("")
	if page.Total != 2 || len(page.Rows) != 2 {
		t.Fatalf("%d rows, want the 2 cookies serve answered", page.Total)
	}
	names := map[string]bool{}
	for _, r := range page.Rows {
		names[r.Name] = true
		if r.Token == "" || r.Expires.IsZero() || !strings.HasPrefix(r.Key, "serve-") || strings.Contains(r.Key, r.Token) {
			t.Errorf("row %+v", r)
		}
	}
	if !names["Ada"] || !names["Bob"] {
		t.Errorf("names %v", names)
	}
	if got := list("bob@"); got.Total != 1 {
		t.Errorf("filter: %d rows", got.Total)
	}
	// A third session shows up once the fetch is stale, not before.
	cookie, _ := mintFor(t, secret, resolver.Claims{"sub": "cy", "name": "Cy"}, time.Now())
	get(t, s.base+"/api/auth/session", cookie)
	if got := list(""); got.Total != 2 {
		t.Errorf("fetched again within %s: %d rows", recentFetchEvery, got.Total)
	}
	now = now.Add(recentFetchEvery)
	if got := list(""); got.Total != 3 {
		t.Errorf("after %s: %d rows, want 3", recentFetchEvery, got.Total)
	}
	if err := src.Revoke(t.Context(), page.Rows[0]); !errors.Is(err, tui.ErrNotSupported) {
		t.Errorf("revoke: %v", err)
	}
	if _, err := src.RevokeUser(t.Context(), page.Rows[0]); !errors.Is(err, tui.ErrNotSupported) {
		t.Errorf("revoke user: %v", err)
	}

	// A wrong secret, or a serve that does not record, is a clear error.
	bad, err := newServeSource(s.base, "X", func(string) string { return "wrong" }, resolver.Config{Secrets: []string{secret}}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bad.List(t.Context(), tui.ListQuery{Limit: 1}); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("wrong admin secret: %v", err)
	}
	norec := startCmd(t, env, "serve", "--recent", "0")
	off, _ := newServeSource(norec.base, defaultInvalidateEnv, func(k string) string { return env[k] }, resolver.Config{Secrets: []string{secret}}, time.Now)
	if _, err := off.List(t.Context(), tui.ListQuery{Limit: 1}); err == nil || !strings.Contains(err.Error(), "does not record") {
		t.Errorf("serve without --recent: %v", err)
	}
}

// TestTUIFromServeUsage: bad URLs, a missing secret and conflicting
// sources are one-line usage errors before anything is fetched.
func TestTUIFromServeUsage(t *testing.T) {
	p, _ := profiles.Parse("j.yaml", []byte("name: j\nresolver: {mode: local, strategy: jwt}\n"))
	env := map[string]string{"AUTH_SECRET": "s-0123456789abcdef0123456789", defaultInvalidateEnv: "admin"}
	getenv := func(k string) string { return env[k] }
	for _, tc := range []struct {
		js   jwtSource
		want string
	}{
		{jwtSource{fromServe: "ftp://x", secretEnv: defaultInvalidateEnv}, "want serve's base URL"},
		{jwtSource{fromServe: "http://192.0.2.7:8080", secretEnv: defaultInvalidateEnv}, "plain http only to a loopback"},
		{jwtSource{fromServe: "http://u:pw@127.0.0.1:8080", secretEnv: defaultInvalidateEnv}, "credentials in the URL"},
		{jwtSource{fromServe: "http://127.0.0.1:8080", secretEnv: "UNSET"}, "admin secret in UNSET"},
		{jwtSource{fromServe: "http://127.0.0.1:8080", cookies: "c.txt"}, "exclusive"},
	} {
		_, _, err := tuiDeps(t.Context(), p, getenv, t.TempDir(), tc.js)
		var ue usageError
		if err == nil || !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "pw") {
			t.Errorf("%+v: %v, want a usage error with %q", tc.js, err, tc.want)
		}
	}
	if _, err := newServeSource("https://serve.example.com", defaultInvalidateEnv, getenv, resolver.Config{Secrets: []string{"s-0123456789abcdef0123456789"}}, time.Now); err != nil {
		t.Errorf("https to a remote serve: %v", err)
	}
}

// TestIsTerminalNotDevNull: /dev/null is a character device but not a
// terminal; resolve must not prompt on it, the TUI must not start on it.
func TestIsTerminalNotDevNull(t *testing.T) {
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Error("/dev/null taken for a terminal")
	}
}
