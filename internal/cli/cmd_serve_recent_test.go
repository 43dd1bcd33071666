package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/internal/recentapi"
	"github.com/authscope/authscope/resolver"
)

// TestServeRecentSessions: serve remembers the JWT cookies it answered,
// most recent first, bounded by --recent, behind the admin secret; the
// tokens never reach the logs.
func TestServeRecentSessions(t *testing.T) {
	const secret = "recent-sessions-test-secret-0123456789"
	env := map[string]string{"AUTH_SECRET": secret, defaultInvalidateEnv: "admin-secret"}
	s := startCmd(t, env, "serve", "--recent", "2")
	var toks []string
	for _, name := range []string{"Ada", "Bob", "Cy"} {
		cookie, tok := mintFor(t, secret, resolver.Claims{"sub": name, "name": name}, time.Now())
		toks = append(toks, tok)
		if a := get(t, s.base+"/api/auth/session", cookie); a.status != 200 {
			t.Fatalf("%s: %d %s", name, a.status, a.body)
		}
	}
	// Bob again; a request without a session cookie is not remembered.
	get(t, s.base+"/api/auth/session", resolver.DefaultCookieName+"="+toks[1])
	get(t, s.base+"/api/auth/session", "")

	if a := do(t, mustReq(t, "GET", s.base+recentapi.Path, "", "")); a.status != 401 {
		t.Fatalf("without the secret: %d", a.status)
	}
	if a := do(t, mustReq(t, "GET", s.base+recentapi.Path, "", "wrong")); a.status != 401 {
		t.Fatalf("wrong secret: %d", a.status)
	}
	a := do(t, mustReq(t, "GET", s.base+recentapi.Path, "", "admin-secret"))
	if a.status != 200 || a.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("%d %v", a.status, a.header)
	}
	var reply recentapi.Reply
	if err := json.Unmarshal([]byte(a.body), &reply); err != nil {
		t.Fatal(err)
	}
	// Capacity 2: Ada, the least recently seen, is gone; Bob is first.
	if reply.CookieName != resolver.DefaultCookieName || reply.Capacity != 2 || len(reply.Sessions) != 2 {
		t.Fatalf("reply %+v", reply)
	}
	bob, cy := reply.Sessions[0], reply.Sessions[1]
	if bob.Token != toks[1] || bob.Requests != 2 || bob.Reason != resolver.ReasonOK || cy.Token != toks[2] || cy.Requests != 1 {
		t.Errorf("sessions: bob %d requests, cy %d (order or tokens wrong)", bob.Requests, cy.Requests)
	}
	if bob.LastSeen.Before(bob.FirstSeen) {
		t.Errorf("bob last seen %v before first %v", bob.LastSeen, bob.FirstSeen)
	}
	for _, tok := range toks {
		if strings.Contains(s.logs.String(), tok) {
			t.Fatal("a token reached the logs")
		}
	}
}

// TestServeRecentOnlyWhereItMeansSomething: no endpoint without the admin
// secret, with --recent 0, or on the database strategy (whose sessions are
// listed from the store); a bad --recent is a usage error.
func TestServeRecentOnlyWhereItMeansSomething(t *testing.T) {
	env := map[string]string{"AUTH_SECRET": "recent-off-test-secret-0123456789"}
	off := startCmd(t, env, "serve")
	if a := do(t, mustReq(t, "GET", off.base+recentapi.Path, "", "x")); a.status == 200 {
		t.Errorf("endpoint without an admin secret: %d", a.status)
	}
	env[defaultInvalidateEnv] = "admin-secret"
	zero := startCmd(t, env, "serve", "--recent", "0")
	if a := do(t, mustReq(t, "GET", zero.base+recentapi.Path, "", "admin-secret")); a.status == 200 {
		t.Errorf("--recent 0: %d", a.status)
	}
	for _, bad := range []string{"-1", "100001"} {
		if code, _, errs := runStoreCmd(t, env, "serve", "--recent", bad); code != 2 || !strings.Contains(errs, "--recent") {
			t.Errorf("--recent %s: %d %q", bad, code, errs)
		}
	}
	if code, _, errs := runStoreCmd(t, env, "serve", "--mode", "proxy", "--strategy", "database", "--url", "http://127.0.0.1:9/api/auth", "--db", "sqlite:x.db"); code != 2 || !strings.Contains(errs, "--db is not used in proxy mode") {
		t.Errorf("--db in proxy mode: %d %q", code, errs)
	}
	// --schema is kept (it names the trigger's layout); the flag named is
	// the one that goes unused.
	if code, _, errs := runStoreCmd(t, env, "serve", "--mode", "proxy", "--strategy", "database", "--url", "http://127.0.0.1:9/api/auth", "--schema", "prisma", "--max-conns", "4"); code != 2 || !strings.Contains(errs, "--max-conns is not used in proxy mode") {
		t.Errorf("--schema with --max-conns in proxy mode: %d %q", code, errs)
	}
}
