package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authscope/authscope/internal/server"
	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
	"github.com/jackc/pgx/v5"
)

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// liveServer is a serve or upstream command running in-process.
type liveServer struct {
	base string // http://127.0.0.1:port
	logs *syncBuffer
	stop func() int
}

// startCmd runs `authscope <args>` in-process with --listen 127.0.0.1:0 and
// waits for its "listening" log line.
func startCmd(t *testing.T, envv map[string]string, args ...string) *liveServer {
	t.Helper()
	logs := &syncBuffer{}
	env := &cliEnv{stdin: strings.NewReader(""), stdout: io.Discard, stderr: logs, getenv: func(k string) string { return envv[k] }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- run(ctx, env, append(args, "--listen", "127.0.0.1:0")) }()
	addrRe := regexp.MustCompile(`"msg":"listening","addr":"([^"]+)"`)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if m := addrRe.FindStringSubmatch(logs.String()); m != nil {
			ls := &liveServer{base: "http://" + m[1], logs: logs}
			var once sync.Once
			code := 0
			ls.stop = func() int {
				once.Do(func() {
					cancel()
					select {
					case code = <-done:
					case <-time.After(15 * time.Second):
						t.Errorf("%v did not shut down", args)
					}
				})
				return code
			}
			t.Cleanup(func() { ls.stop() })
			return ls
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("%v exited %d before listening:\n%s", args, code, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("%v never listened:\n%s", args, logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type httpAnswer struct {
	status  int
	header  http.Header
	body    string
	cookies []string
}

func get(t *testing.T, url, cookie string) httpAnswer {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) httpAnswer {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return httpAnswer{resp.StatusCode, resp.Header, string(b), resp.Header.Values("Set-Cookie")}
}

func mintFor(t *testing.T, secret string, claims resolver.Claims, now time.Time) (cookie, token string) {
	t.Helper()
	c, err := resolver.NewCodec(resolver.Config{Secrets: []string{secret}})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.Encode(claims, now, resolver.DefaultMaxAge)
	if err != nil {
		t.Fatal(err)
	}
	return resolver.DefaultCookieName + "=" + tok, tok
}

// metric returns the value of one exposition line, or "" if absent. The
// series' labels match in any order: the exposition sorts them by name.
func metric(t *testing.T, base, series string) string {
	t.Helper()
	a := get(t, base+"/metrics", "")
	want := canonSeries(series)
	sc := bufio.NewScanner(strings.NewReader(a.body))
	for sc.Scan() {
		line := sc.Text()
		i := strings.LastIndexByte(line, ' ')
		if i > 0 && !strings.HasPrefix(line, "#") && canonSeries(line[:i]) == want {
			return line[i+1:]
		}
	}
	return ""
}

// canonSeries sorts a series' labels (name{a="x",b="y"}); label values
// here hold no commas.
func canonSeries(s string) string {
	name, labels, ok := strings.Cut(s, "{")
	if !ok {
		return s
	}
	parts := strings.Split(strings.TrimSuffix(labels, "}"), ",")
	slices.Sort(parts)
	return name + "{" + strings.Join(parts, ",") + "}"
}

func TestServeLocalJWT(t *testing.T) {
	env := map[string]string{"AUTH_SECRET": "serve-test-secret-0123456789"}
	s := startCmd(t, env, "serve", "--refresh-cookies")
	cookie, tok := mintFor(t, env["AUTH_SECRET"], resolver.Claims{"sub": "u1", "name": "Ada", "email": "ada@example.com"}, time.Now())

	a := get(t, s.base+"/api/auth/session", cookie)
	if a.status != 200 || !strings.HasPrefix(a.body, `{"user":{"name":"Ada","email":"ada@example.com"},"expires":"`) {
		t.Fatalf("%d %s", a.status, a.body)
	}
	for k, v := range map[string]string{"Content-Type": "application/json", "Cache-Control": "private, no-cache, no-store", "Expires": "0", "Pragma": "no-cache"} {
		if a.header.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, a.header.Get(k), v)
		}
	}
	if len(a.cookies) != 3 || !strings.HasPrefix(a.cookies[0], "authjs.csrf-token=") ||
		!strings.HasPrefix(a.cookies[1], "authjs.callback-url=http%3A%2F%2F127.0.0.1%3A") ||
		!strings.HasPrefix(a.cookies[2], "authjs.session-token=eyJ") {
		t.Errorf("Set-Cookie %q", a.cookies)
	}
	if n := get(t, s.base+"/api/auth/session", "authjs.session-token=garbage"); n.body != "null" ||
		n.cookies[len(n.cookies)-1] != "authjs.session-token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax" {
		t.Errorf("garbage cookie: %s %q", n.body, n.cookies)
	}
	if h := get(t, s.base+"/healthz", ""); h.status != 200 || h.body != "ok\n" {
		t.Errorf("healthz %d %q", h.status, h.body)
	}
	if v := metric(t, s.base, `authscope_resolutions_total{mode="local",source="jwt",reason="session"}`); v != "1" {
		t.Errorf("session metric %q\n%s", v, get(t, s.base+"/metrics", "").body)
	}
	if v := metric(t, s.base, `authscope_resolution_duration_seconds_count{mode="local"}`); v != "2" {
		t.Errorf("histogram count %q", v)
	}
	// No invalidation endpoint without its secret.
	if a := do(t, mustReq(t, "POST", s.base+server.InvalidatePath, `{"kind":"all"}`, "")); a.status == 200 {
		t.Error("invalidation endpoint answered without a configured secret")
	}
	if code := s.stop(); code != 0 {
		t.Errorf("graceful shutdown exited %d:\n%s", code, s.logs.String())
	}
	if logs := s.logs.String(); strings.Contains(logs, tok) || strings.Contains(logs, "ada@example.com") || !strings.Contains(logs, `"msg":"stopped"`) {
		t.Errorf("logs leak session data or lack the shutdown line:\n%s", logs)
	}
}

func mustReq(t *testing.T, method, url, body, bearer string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	return req
}

func TestServeRefusesRemoteListen(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "10.1.2.3:8080"} {
		code, _, stderr := runCLI(t, map[string]string{"AUTH_SECRET": "x-secret-for-listen-test"}, "", "serve", "--listen", addr)
		if code != 2 || !strings.Contains(stderr, "--allow-remote") {
			t.Errorf("--listen %s: exit %d %q", addr, code, stderr)
		}
	}
	code, _, stderr := runCLI(t, nil, "", "serve", "--mode", "proxy")
	if code != 2 {
		t.Errorf("proxy without --url: exit %d %q", code, stderr)
	}
}

// TestServeProxyCacheInvalidate: serve in proxy mode with the cache, in
// front of `authscope upstream`: the second request is a cache hit, the
// invalidation endpoint refuses a wrong secret and drops the entry with
// the right one.
func TestServeProxyCacheInvalidate(t *testing.T) {
	const secret = "proxy-cache-test-secret-0123456789"
	up := startCmd(t, map[string]string{"AUTH_SECRET": secret}, "upstream")
	env := map[string]string{defaultInvalidateEnv: "let-me-invalidate"}
	s := startCmd(t, env, "serve", "--mode", "proxy", "--url", up.base+"/api/auth", "--cache")
	cookie, tok := mintFor(t, secret, resolver.Claims{"sub": "u1", "name": "Ada"}, time.Now())

	for range 3 {
		if a := get(t, s.base+"/api/auth/session", cookie); a.status != 200 || !strings.Contains(a.body, `"name":"Ada"`) {
			t.Fatalf("%d %s", a.status, a.body)
		}
	}
	src := func(source string) string {
		return metric(t, s.base, `authscope_resolutions_total{mode="proxy",source="`+source+`",reason="session"}`)
	}
	if src("upstream") != "1" || src("cache") != "2" || metric(t, s.base, "authscope_cache_hits_total") != "2" {
		t.Fatalf("upstream %q cache %q\n%s", src("upstream"), src("cache"), get(t, s.base+"/metrics", "").body)
	}
	if a := do(t, mustReq(t, "POST", s.base+server.InvalidatePath, `{"kind":"all"}`, "wrong")); a.status != 401 {
		t.Errorf("wrong secret: %d", a.status)
	}
	if a := do(t, mustReq(t, "POST", s.base+server.InvalidatePath, `{"kind":"nope"}`, env[defaultInvalidateEnv])); a.status != 400 {
		t.Errorf("bad event: %d", a.status)
	}
	// No secret in proxy mode: the cached answer has no user id, and the
	// reply and the start-up log say so instead of claiming success.
	if a := do(t, mustReq(t, "POST", s.base+server.InvalidatePath, `{"kind":"user","user_id":"u1"}`, env[defaultInvalidateEnv])); a.status != 200 ||
		!strings.Contains(a.body, `"removed":0`) || !strings.Contains(a.body, `"note":"proxy answers cached without a secret`) {
		t.Errorf("user event in proxy mode without a secret: %d %s", a.status, a.body)
	}
	if !strings.Contains(s.logs.String(), "user invalidations cannot reach them") {
		t.Errorf("no start-up warning about user invalidation:\n%s", s.logs.String())
	}
	body, _ := json.Marshal(map[string]string{"kind": "token", "token": tok})
	if a := do(t, mustReq(t, "POST", s.base+server.InvalidatePath, string(body), env[defaultInvalidateEnv])); a.status != 200 || !strings.Contains(a.body, `"removed":1,`) || strings.Contains(a.body, "note") {
		t.Fatalf("invalidate: %d %s", a.status, a.body)
	}
	get(t, s.base+"/api/auth/session", cookie)
	if src("upstream") != "2" || metric(t, s.base, "authscope_cache_invalidated_total") != "1" {
		t.Errorf("after invalidation: upstream %q\n%s", src("upstream"), get(t, s.base+"/metrics", "").body)
	}
	if strings.Contains(s.logs.String(), tok) {
		t.Error("token in logs")
	}
}

func TestUpstreamFaults(t *testing.T) {
	const secret = "upstream-fault-secret-0123456789"
	env := map[string]string{"AUTH_SECRET": secret}
	cookie, _ := mintFor(t, secret, resolver.Claims{"sub": "u1", "name": "Ada"}, time.Now())

	failing := startCmd(t, env, "upstream", "--error-rate", "1")
	if a := get(t, failing.base+"/api/auth/session", cookie); a.status != 500 || !strings.Contains(a.body, "server configuration") {
		t.Errorf("error-rate 1: %d %s", a.status, a.body)
	}
	if a := get(t, failing.base+"/healthz", ""); a.status != 200 {
		t.Errorf("healthz is not subject to faults: %d", a.status)
	}

	slow := startCmd(t, env, "upstream", "--latency", "30ms", "--jitter", "5ms")
	start := time.Now()
	if a := get(t, slow.base+"/api/auth/session", cookie); a.status != 200 {
		t.Errorf("slow: %d", a.status)
	}
	if d := time.Since(start); d < 25*time.Millisecond {
		t.Errorf("latency 30ms±5ms answered in %v", d)
	}

	// A hanging upstream behind serve's proxy: no session with the timeout
	// reason, within the deadline.
	hang := startCmd(t, env, "upstream", "--timeout-rate", "1", "--hang", "20s")
	s := startCmd(t, nil, "serve", "--mode", "proxy", "--url", hang.base+"/api/auth", "--proxy-timeout", "200ms")
	start = time.Now()
	a := get(t, s.base+"/api/auth/session", cookie)
	if a.status != 200 || a.body != "null" || time.Since(start) > 5*time.Second {
		t.Errorf("hanging upstream: %d %s after %v", a.status, a.body, time.Since(start))
	}
	if v := metric(t, s.base, `authscope_upstream_errors_total{reason="upstream_timeout"}`); v != "1" {
		t.Errorf("timeout metric %q", v)
	}

	if code, _, _ := runCLI(t, env, "", "upstream", "--error-rate", "1.5"); code != 2 {
		t.Errorf("bad --error-rate: exit %d", code)
	}
	if code, _, _ := runCLI(t, env, "", "upstream", "--mode", "proxy", "--url", "http://127.0.0.1:1"); code != 2 {
		t.Errorf("upstream --mode proxy: exit %d", code)
	}
}

func TestFaultsDraw(t *testing.T) {
	f := newFaults(http.NotFoundHandler(), upstreamFlags{latency: 2 * time.Millisecond, jitter: time.Millisecond, dist: "uniform", errorRate: 0.25, timeoutRate: 0.25, seed: 7})
	var fails, hangs int
	for range 4000 {
		d, fail, hang := f.draw()
		if d < time.Millisecond || d > 3*time.Millisecond {
			t.Fatalf("delay %v outside 2ms±1ms", d)
		}
		if fail && hang {
			t.Fatal("a request both fails and hangs")
		}
		if fail {
			fails++
		}
		if hang {
			hangs++
		}
	}
	if fails < 850 || fails > 1150 || hangs < 850 || hangs > 1150 {
		t.Errorf("fails %d hangs %d of 4000, want about 1000 each", fails, hangs)
	}
	e := newFaults(http.NotFoundHandler(), upstreamFlags{latency: time.Millisecond, jitter: 500 * time.Microsecond, dist: "exp", seed: 7})
	var sum time.Duration
	for range 4000 {
		d, _, _ := e.draw()
		if d < 500*time.Microsecond {
			t.Fatalf("exp delay %v below the floor", d)
		}
		sum += d
	}
	if mean := sum / 4000; mean < 1300*time.Microsecond || mean > 1700*time.Microsecond {
		t.Errorf("exp mean %v, want about 1.5ms", mean)
	}
}

// TestServeDatabaseCached: database strategy on an embedded SQLite store
// with the cache; invalidating the user through the endpoint drops the
// cached session so a revoked row is noticed at once.
func TestServeDatabaseCached(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sessions.db")
	st, err := store.Open(ctx, "sqlite:"+path, store.Options{CreateIfEmpty: true})
	if err != nil {
		t.Fatal(err)
	}
	seeder, ok := st.(store.Seeder)
	if !ok {
		t.Fatalf("%T is not a Seeder", st)
	}
	name := "Grace"
	if _, err := seeder.InsertUsers(ctx, []resolver.StoredUser{{ID: "7", Name: &name}}); err != nil {
		t.Fatal(err)
	}
	if _, err := seeder.InsertSessions(ctx, []resolver.StoredSession{{Token: "db-token-1", UserID: "7", Expires: time.Now().Add(time.Hour)}}); err != nil {
		t.Fatal(err)
	}

	env := map[string]string{defaultInvalidateEnv: "inv-secret"}
	s := startCmd(t, env, "serve", "--strategy", "database", "--db", "sqlite:"+path, "--cache")
	cookie := "authjs.session-token=db-token-1"
	for range 2 {
		if a := get(t, s.base+"/api/auth/session", cookie); a.status != 200 || !strings.HasPrefix(a.body, `{"user":{"name":"Grace","email":null,"image":null},"expires":"`) {
			t.Fatalf("%d %s", a.status, a.body)
		}
	}
	if metric(t, s.base, "authscope_cache_hits_total") != "1" {
		t.Fatalf("second request was not a cache hit:\n%s", get(t, s.base+"/metrics", "").body)
	}
	// Revoke behind serve's back, then tell it.
	if err := st.DeleteSession(ctx, "db-token-1"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if a := get(t, s.base+"/api/auth/session", cookie); !strings.Contains(a.body, "Grace") {
		t.Fatalf("expected the stale cached answer before invalidation, got %s", a.body)
	}
	if a := do(t, mustReq(t, "POST", s.base+server.InvalidatePath, `{"kind":"user","user_id":"7"}`, "inv-secret")); a.status != 200 {
		t.Fatalf("invalidate: %d %s", a.status, a.body)
	}
	if a := get(t, s.base+"/api/auth/session", cookie); a.body != "null" {
		t.Errorf("after invalidating the user: %s", a.body)
	}
}

// TestServePostgresTriggerInvalidates: serve on a PostgreSQL store (the
// pg-adapter layout, in a private schema) with --bus-pg and
// --install-trigger: a session deleted by plain SQL, as Auth.js's signOut
// does, stops being served from the cache without anyone calling serve.
func TestServePostgresTriggerInvalidates(t *testing.T) {
	const base = "postgres://127.0.0.1:5432/test?sslmode=disable"
	if c, err := net.DialTimeout("tcp", "127.0.0.1:5432", time.Second); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL not reachable under CI=true: %v", err)
		}
		t.Skipf("PostgreSQL not reachable: %v", err)
	} else {
		c.Close()
	}
	ctx := context.Background()
	schema := fmt.Sprintf("h4serve_%d", time.Now().UnixNano())
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	// Cleanups run last-in first-out: the connection closes after the
	// schema is dropped (a deferred Close ran before any cleanup and the
	// drop failed silently, leaking a schema per run).
	t.Cleanup(func() { admin.Close(context.Background()) })
	ddl := `CREATE SCHEMA ` + schema + `;
CREATE TABLE ` + schema + `.users (id SERIAL PRIMARY KEY, name VARCHAR(255), email VARCHAR(255), "emailVerified" TIMESTAMPTZ, image TEXT);
CREATE TABLE ` + schema + `.sessions (id SERIAL PRIMARY KEY, "userId" INTEGER NOT NULL, expires TIMESTAMPTZ NOT NULL, "sessionToken" VARCHAR(255) NOT NULL);
INSERT INTO ` + schema + `.users (id, name, email) VALUES (1, 'Ada', 'ada@example.com');
INSERT INTO ` + schema + `.sessions ("userId", expires, "sessionToken") VALUES (1, now() + interval '30 days', 'pg-token-1'); -- not due for extension`
	if _, err := admin.Exec(ctx, ddl); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("dropping test schema %s: %v", schema, err)
		}
	})

	dsn := base + "&search_path=" + schema
	s := startCmd(t, nil, "serve", "--strategy", "database", "--db", dsn, "--cache",
		"--bus-pg", dsn, "--bus-channel", schema, "--install-trigger")
	cookie := "authjs.session-token=pg-token-1"
	for range 2 {
		if a := get(t, s.base+"/api/auth/session", cookie); !strings.Contains(a.body, `"name":"Ada"`) {
			t.Fatalf("%d %s", a.status, a.body)
		}
	}
	if metric(t, s.base, "authscope_cache_hits_total") != "1" {
		t.Fatal("second request was not a cache hit")
	}
	if _, err := admin.Exec(ctx, `DELETE FROM `+schema+`.sessions WHERE "sessionToken" = 'pg-token-1'`); err != nil {
		t.Fatal(err)
	}
	// The bus counts an event once it has been applied, so waiting for the
	// count leaves no window in which the entry could still be there.
	deadline := time.Now().Add(5 * time.Second)
	for metric(t, s.base, `authscope_bus_events_total{bus="postgres",outcome="applied"}`) != "1" {
		if time.Now().After(deadline) {
			t.Fatalf("the trigger's NOTIFY never reached the bus:\n%s", get(t, s.base+"/metrics", "").body)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if v := metric(t, s.base, "authscope_cache_invalidated_total"); v != "1" {
		t.Errorf("the NOTIFY was applied but invalidated %q entries, want 1", v)
	}
	if a := get(t, s.base+"/api/auth/session", cookie); a.body != "null" {
		t.Errorf("deleted session still served: %s", a.body)
	}
}

func TestServeEnvURLs(t *testing.T) {
	env := map[string]string{"AUTH_SECRET": "env-url-secret-0123456789"}
	if code, _, stderr := runCLI(t, env, "", "serve", "--bus-pg-env", "NOPE"); code != 2 || !strings.Contains(stderr, "NOPE is not set") {
		t.Errorf("unset variable: exit %d %q", code, stderr)
	}
	if code, _, stderr := runCLI(t, env, "", "serve", "--bus-redis", "redis://x", "--bus-redis-env", "R"); code != 2 || !strings.Contains(stderr, "exclusive") {
		t.Errorf("both: exit %d %q", code, stderr)
	}
	if code, _, stderr := runCLI(t, env, "", "serve", "--shared-cache", "redis://127.0.0.1:6379"); code != 2 || !strings.Contains(stderr, "needs --cache") {
		t.Errorf("shared cache without cache: exit %d %q", code, stderr)
	}
}

// TestServeTwoInstancesShareRedis: two serve instances with --bus-redis and
// --shared-cache: B answers A's warm session from the shared tier without
// calling upstream, and an invalidation posted to A reaches B's cache.
func TestServeTwoInstancesShareRedis(t *testing.T) {
	if c, err := net.DialTimeout("tcp", "127.0.0.1:6379", time.Second); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis not reachable under CI=true: %v", err)
		}
		t.Skipf("Redis not reachable: %v", err)
	} else {
		c.Close()
	}
	const secret = "two-instance-secret-0123456789"
	up := startCmd(t, map[string]string{"AUTH_SECRET": secret}, "upstream")
	channel := fmt.Sprintf("h4serve_%d", time.Now().UnixNano())
	env := map[string]string{defaultInvalidateEnv: "inv", "AUTH_SECRET": secret, "REDIS_URL": "redis://127.0.0.1:6379/0"}
	args := []string{"serve", "--mode", "proxy", "--url", up.base + "/api/auth", "--cache",
		"--bus-redis-env", "REDIS_URL", "--bus-channel", channel, "--shared-cache-env", "REDIS_URL"}
	a := startCmd(t, env, args...)
	b := startCmd(t, env, args...)
	cookie, _ := mintFor(t, secret, resolver.Claims{"sub": "user-42", "name": "Ada"}, time.Now())
	upstreamCalls := func(s *liveServer) string {
		return metric(t, s.base, `authscope_resolutions_total{mode="proxy",source="upstream",reason="session"}`)
	}

	if r := get(t, a.base+"/api/auth/session", cookie); !strings.Contains(r.body, "Ada") {
		t.Fatalf("A: %s", r.body)
	}
	if r := get(t, b.base+"/api/auth/session", cookie); !strings.Contains(r.body, "Ada") {
		t.Fatalf("B: %s", r.body)
	}
	if upstreamCalls(b) != "" || metric(t, b.base, "authscope_cache_shared_hits_total") != "1" {
		t.Fatalf("B went upstream instead of using the shared tier:\n%s", get(t, b.base+"/metrics", "").body)
	}
	// The proxy learns user ids from the token's sub (AUTH_SECRET is set).
	if r := do(t, mustReq(t, "POST", a.base+server.InvalidatePath, `{"kind":"user","user_id":"user-42"}`, "inv")); r.status != 200 || !strings.Contains(r.body, `"published":1`) {
		t.Fatalf("invalidate on A: %d %s", r.status, r.body)
	}
	deadline := time.Now().Add(5 * time.Second)
	for metric(t, b.base, `authscope_bus_events_total{bus="redis",outcome="applied"}`) != "1" {
		if time.Now().After(deadline) {
			t.Fatalf("B never received A's invalidation:\n%s", get(t, b.base+"/metrics", "").body)
		}
		time.Sleep(10 * time.Millisecond)
	}
	get(t, b.base+"/api/auth/session", cookie)
	if upstreamCalls(b) != "1" {
		t.Errorf("after the invalidation B should have asked upstream once, metric %q", upstreamCalls(b))
	}
	if metric(t, a.base, `authscope_bus_events_total{bus="redis",outcome="own"}`) != "1" {
		t.Errorf("A should have skipped its own event")
	}
}
