package betterauth_test

// Live interop: the real Better Auth (testdata/betterauth/server.mjs, the
// Kysely adapter on a SQLite file) signs users in through its HTTP API;
// Go resolves the same cookies through sqlitestore over the same file and
// must answer each GET /api/auth/get-session body byte for byte. Go also
// writes (extends or prunes a row, mints a signed cookie or a cookie
// cache) and the real server must then read what Go wrote as its own.
//
// Enabled by AUTHSCOPE_INTEROP=live (set by .ci/run after `npm ci` in
// testdata/betterauth); skipped otherwise, failed under CI=true when the
// harness cannot run.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/betterauth"
)

const harness = "../../testdata/betterauth"

func requireLive(t *testing.T) {
	t.Helper()
	if os.Getenv("AUTHSCOPE_INTEROP") != "live" {
		t.Skip("live Better Auth interop is off: run `npm ci` in testdata/betterauth, then AUTHSCOPE_INTEROP=live go test ./resolver/betterauth -run Live (.ci/run does this)")
	}
	missing := ""
	if _, err := exec.LookPath("node"); err != nil {
		missing = "node is not on PATH"
	} else if _, err := os.Stat(filepath.Join(harness, "node_modules", "better-auth")); err != nil {
		missing = "testdata/betterauth/node_modules is missing (run `npm ci` there)"
	}
	if missing != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("AUTHSCOPE_INTEROP=live in CI but %s", missing)
		}
		t.Skipf("AUTHSCOPE_INTEROP=live but %s", missing)
	}
}

type live struct {
	origin  string // where the server listens
	baseURL string // its configured baseURL (Origin header, cookie names)
	secret  string
	dbPath  string // the SQLite file, or a postgres:// or mysql:// URL
	dialect string // sqlite, postgres or mysql
	db      *sql.DB
	store   betterauth.Store
	cfg     betterauth.Config
}

// startLive runs server.mjs with env on a fresh SQLite file.
func startLive(t *testing.T, env map[string]string, cfg betterauth.Config) *live {
	t.Helper()
	requireLive(t)
	return startLiveOn(t, "sqlite", filepath.Join(t.TempDir(), "ba.sqlite"), env, cfg)
}

// startLiveOn runs server.mjs with env on the database at where (dialect
// sqlite: a file; postgres, mysql: a URL naming an empty database), which
// Better Auth's own migrations fill, and opens Go's store on it.
func startLiveOn(t *testing.T, dialect, where string, env map[string]string, cfg betterauth.Config) *live {
	t.Helper()
	secretBytes := make([]byte, 32)
	rand.Read(secretBytes)
	l := &live{secret: "test-only-" + base64.RawURLEncoding.EncodeToString(secretBytes), dbPath: where, dialect: dialect}
	l.baseURL = env["BA_BASE_URL"]
	if l.baseURL == "" {
		l.baseURL = "http://localhost:3000"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	cmd := exec.CommandContext(ctx, "node", "server.mjs", "0")
	cmd.Dir = harness
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "NODE_ENV=test", "BA_EXIT_ON_STDIN_EOF=1", "BETTER_AUTH_SECRET=" + l.secret, "BA_DB=" + l.dbPath}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start server.mjs: %v", err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cancel()
		_ = cmd.Wait()
	})
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if p, ok := strings.CutPrefix(sc.Text(), "listening "); ok {
				ready <- p
				break
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case p := <-ready:
		l.origin = "http://127.0.0.1:" + p
	case <-time.After(60 * time.Second):
		t.Fatalf("server.mjs not ready in 60s")
	case <-ctx.Done():
		t.Fatalf("server.mjs exited early")
	}
	l.openStore(t)
	cfg.BaseURL = l.baseURL
	cfg.Secrets = betterauth.Secrets{Current: l.secret}
	l.cfg = cfg
	return l
}

var client = &http.Client{Timeout: 20 * time.Second}

// signUp creates a user through POST /sign-up/email and returns the
// cookies the browser would then send.
func (l *live) signUp(t *testing.T, email, name string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "name": name, "password": "test-only-password-1"})
	req, _ := http.NewRequest(http.MethodPost, l.origin+"/api/auth/sign-up/email", bytes.NewReader(body))
	req.Header.Set("content-type", "application/json")
	req.Header.Set("origin", l.baseURL)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("sign-up: %d %s", resp.StatusCode, b)
	}
	var pairs []string
	for _, c := range resp.Cookies() {
		if c.MaxAge >= 0 && c.Value != "" {
			pairs = append(pairs, c.Name+"="+c.Value)
		}
	}
	return strings.Join(pairs, "; ")
}

// real asks the server's GET /get-session.
func (l *live) real(t *testing.T, cookie string) (string, []string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, l.origin+"/api/auth/get-session", nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("get-session: %d %s", resp.StatusCode, b)
	}
	return string(b), resp.Header.Values("Set-Cookie")
}

func (l *live) goAnswer(t *testing.T, cookie string, readOnly bool) betterauth.Answer {
	t.Helper()
	cfg := l.cfg
	cfg.ReadOnly = readOnly
	r, err := betterauth.New(cfg, betterauth.WithStore(l.store))
	if err != nil {
		t.Fatal(err)
	}
	a, err := r.ResolveBody(context.Background(), resolver.FromCookieHeader(cookie), betterauth.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// same resolves cookie in Go, then asks the server, and requires the same
// body.
func (l *live) same(t *testing.T, label, cookie string) betterauth.Answer {
	t.Helper()
	a := l.goAnswer(t, cookie, false)
	realBody, _ := l.real(t, cookie)
	if got := string(betterauth.MarshalBody(a.Body)); got != realBody {
		t.Errorf("%s: Go %s (reason %s, %v)\nreal Better Auth %s", label, got, a.Result.Reason, a.Result.Err, realBody)
	}
	return a
}

func cookieValue(header, name string) string {
	for _, p := range strings.Split(header, "; ") {
		if v, ok := strings.CutPrefix(p, name+"="); ok {
			return v
		}
	}
	return ""
}

func replaceCookie(header, name, value string) string {
	parts := strings.Split(header, "; ")
	for i, p := range parts {
		if strings.HasPrefix(p, name+"=") {
			parts[i] = name + "=" + value
		}
	}
	return strings.Join(parts, "; ")
}

func (l *live) token(t *testing.T, header string) string {
	t.Helper()
	tok, err := betterauth.ParseSignedCookie(decode(cookieValue(header, l.cfg.Names().SessionToken)), l.secret)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func decode(v string) string {
	r := strings.NewReplacer("%2F", "/", "%2B", "+", "%3D", "=")
	return r.Replace(v)
}

func (l *live) setExpires(t *testing.T, token string, at time.Time) {
	t.Helper()
	var v any = at.UTC().Truncate(time.Millisecond)
	if l.dialect == "sqlite" {
		v = at.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	if _, err := l.db.Exec(l.sql(`UPDATE "session" SET "expiresAt" = ? WHERE "token" = ?`), v, token); err != nil {
		t.Fatal(err)
	}
}

func (l *live) rowExpires(t *testing.T, token string) (time.Time, bool) {
	t.Helper()
	var v any
	err := l.db.QueryRow(l.sql(`SELECT "expiresAt" FROM "session" WHERE "token" = ?`), token).Scan(&v)
	if err == sql.ErrNoRows {
		return time.Time{}, false
	}
	if err != nil {
		t.Fatal(err)
	}
	switch v := v.(type) {
	case time.Time:
		return v, true
	case string:
		if tm, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return tm, true
		}
	}
	t.Fatalf("expiresAt %T %v", v, v)
	return time.Time{}, false
}

func TestLiveDatabaseSessions(t *testing.T) {
	liveDatabaseSessions(t, startLive(t, nil, betterauth.Config{}))
}

// liveDatabaseSessions: Go and the real server on one database, each
// reading what the other wrote.
func liveDatabaseSessions(t *testing.T, l *live) {
	name := l.cfg.Names().SessionToken
	ada := l.signUp(t, "ada@example.test", "Ada Lovelace")
	grace := l.signUp(t, "Grace@Example.test", `Grace "Amazing" Hopper <é>`)
	tok := l.token(t, ada)

	if a := l.same(t, "valid", ada); a.Body == nil {
		t.Fatal("valid: no session")
	}
	l.same(t, "second user", grace)
	l.same(t, "no cookie", "")
	v := decode(cookieValue(ada, name))
	l.same(t, "tampered signature", replaceCookie(ada, name, v[:len(v)-3]+"AA="))
	l.same(t, "unsigned", replaceCookie(ada, name, tok))
	l.same(t, "wrong secret", replaceCookie(ada, name, betterauth.SignCookieValue(tok, "test-only-another-secret-0000000000000000")))
	// A cookie Go signs with the real secret is Better Auth's own.
	if a := l.same(t, "Go-signed cookie", name+"="+betterauth.SignCookieValue(tok, l.secret)); a.Body == nil {
		t.Error("Go-signed cookie refused")
	}
	l.same(t, "Go-signed unknown token", name+"="+betterauth.SignCookieValue("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", l.secret))

	// Due for update: Go extends the row; the server then reads Go's row
	// and answers exactly Go's body (not due any more).
	l.setExpires(t, tok, time.Now().Add(5*24*time.Hour))
	a := l.goAnswer(t, ada, false)
	if len(a.SetCookie) != 1 || !strings.HasPrefix(a.SetCookie[0], name+"=") {
		t.Fatalf("extension Set-Cookie: %q", a.SetCookie)
	}
	exp, ok := l.rowExpires(t, tok)
	if !ok || exp.Before(time.Now().Add(7*24*time.Hour-time.Minute)) {
		t.Fatalf("Go did not extend the row: %v %v", exp, ok)
	}
	if realBody, set := l.real(t, ada); realBody != string(betterauth.MarshalBody(a.Body)) || len(set) != 0 {
		t.Errorf("after Go's extension: real %s %q\nGo %s", realBody, set, betterauth.MarshalBody(a.Body))
	}
	// The server extends; Go then reads the server's row identically.
	l.setExpires(t, tok, time.Now().Add(5*24*time.Hour))
	realBody, set := l.real(t, ada)
	if len(set) == 0 {
		t.Fatal("server did not extend")
	}
	if got := string(betterauth.MarshalBody(l.goAnswer(t, ada, false).Body)); got != realBody {
		t.Errorf("after the server's extension: Go %s\nreal %s", got, realBody)
	}

	// Expired: Go prunes the row, as the server does.
	gtok := l.token(t, grace)
	l.setExpires(t, gtok, time.Now().Add(-time.Second))
	ro := l.goAnswer(t, grace, true)
	if ro.Body != nil || ro.Result.Reason != resolver.ReasonExpired {
		t.Fatalf("expired (read-only): %v %v", ro.Result.Reason, ro.Result.Err)
	}
	if _, ok := l.rowExpires(t, gtok); !ok {
		t.Fatal("read-only Go deleted the row")
	}
	l.same(t, "expired", grace)
	if _, ok := l.rowExpires(t, gtok); ok {
		t.Fatal("expired row survived")
	}
	// And the server prunes: Go then finds nothing.
	l.setExpires(t, tok, time.Now().Add(-time.Second))
	if body, _ := l.real(t, ada); body != "null" {
		t.Fatalf("server on expired: %s", body)
	}
	if _, ok := l.rowExpires(t, tok); ok {
		t.Fatal("server kept the expired row")
	}
	if a := l.goAnswer(t, ada, false); a.Result.Reason != resolver.ReasonUnknownSession {
		t.Fatalf("after the server's pruning: %v", a.Result.Reason)
	}
}

func TestLiveCookieNames(t *testing.T) {
	for _, c := range []struct {
		name string
		env  map[string]string
		cfg  betterauth.Config
	}{
		{"https_secure_prefix", map[string]string{"BA_BASE_URL": "https://app.example.test"}, betterauth.Config{}},
		{"custom_prefix", map[string]string{"BA_COOKIE_PREFIX": "myapp"}, betterauth.Config{CookiePrefix: "myapp"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := startLive(t, c.env, c.cfg)
			h := l.signUp(t, "ada@example.test", "Ada")
			if !strings.Contains(h, l.cfg.Names().SessionToken+"=") {
				t.Fatalf("cookie names differ: Go expects %s, server set %s", l.cfg.Names().SessionToken, h)
			}
			if a := l.same(t, "valid", h); a.Body == nil {
				t.Fatal("no session")
			}
		})
	}
}

func TestLiveCookieCache(t *testing.T) {
	for _, strategy := range []string{"compact", "jwt", "jwe"} {
		t.Run(strategy, func(t *testing.T) {
			l := startLive(t, map[string]string{"BA_COOKIE_CACHE": strategy}, betterauth.Config{CookieCache: betterauth.CookieCache{Enabled: true, Strategy: strategy}})
			h := l.signUp(t, "ada@example.test", "Ada Lovelace")
			data := l.cfg.Names().SessionData
			if cookieValue(h, data) == "" {
				t.Fatalf("no %s cookie after sign-up: %s", data, h)
			}
			// The server's cache, trusted by both: delete the row and both
			// still answer from the cookie.
			if _, err := l.db.Exec(`DELETE FROM "session"`); err != nil {
				t.Fatal(err)
			}
			if a := l.same(t, "served from the server's cache", h); a.Body == nil || a.Result.Source != "cookie_cache" {
				t.Fatalf("cache not used: %v %v", a.Result.Source, a.Result.Err)
			}
			// Go writes a cache the server reads: sign up again, resolve
			// without the cache (database), hand Go's cache to the server.
			h2 := l.signUp(t, "grace@example.test", "Grace")
			tokOnly := l.cfg.Names().SessionToken + "=" + cookieValue(h2, l.cfg.Names().SessionToken)
			a := l.same(t, "database, cache written", tokOnly)
			var goCache string
			for _, line := range a.SetCookie {
				if v, ok := strings.CutPrefix(line, data+"="); ok {
					goCache, _, _ = strings.Cut(v, ";")
				}
			}
			if goCache == "" {
				t.Fatalf("Go wrote no cache cookie: %q", a.SetCookie)
			}
			if _, err := l.db.Exec(`DELETE FROM "session"`); err != nil {
				t.Fatal(err)
			}
			withGoCache := tokOnly + "; " + data + "=" + goCache
			// The row is gone, so only Go's cache can answer.
			if b := l.same(t, "Go's cache", withGoCache); b.Body == nil || b.Result.Source != "cookie_cache" {
				t.Errorf("Go's cache not used: %v %v", b.Result.Source, b.Result.Err)
			}
		})
	}
}

// TestLiveJWTPlugin: a token from the real GET /token verifies against the
// server's own /jwks fetched by RemoteJWKS; a tampered one does not.
func TestLiveJWTPlugin(t *testing.T) {
	l := startLive(t, map[string]string{"BA_JWT": "1"}, betterauth.Config{})
	h := l.signUp(t, "ada@example.test", "Ada")
	req, _ := http.NewRequest(http.MethodGet, l.origin+"/api/auth/token", nil)
	req.Header.Set("Cookie", h)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Token string `json:"token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	if err != nil || out.Token == "" {
		t.Fatalf("GET /token: %v %+v", err, out)
	}
	ver := &betterauth.JWTVerifier{Keys: &betterauth.RemoteJWKS{URL: l.origin + "/api/auth/jwks"}, Issuer: l.baseURL, Audience: l.baseURL}
	claims, err := ver.Verify(context.Background(), out.Token)
	if err != nil {
		t.Fatalf("verify the real token: %v", err)
	}
	body, _ := l.real(t, h)
	var sess struct {
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	json.Unmarshal([]byte(body), &sess)
	if sub, _ := claims.String("sub"); sub == "" || sub != sess.User.ID {
		t.Errorf("sub %q, user id %q", sub, sess.User.ID)
	}
	bad := out.Token[:len(out.Token)-2] + map[bool]string{true: "AA", false: "BB"}[!strings.HasSuffix(out.Token, "AA")]
	if _, err := ver.Verify(context.Background(), bad); err == nil {
		t.Error("tampered token verified")
	}
}
