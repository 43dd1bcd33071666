package resolver

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func newTestProxy(t *testing.T, baseURL string, mutate func(*Config)) *proxy {
	t.Helper()
	cfg := Config{Mode: ModeProxy, BaseURL: baseURL}
	if mutate != nil {
		mutate(&cfg)
	}
	r, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	p, ok := r.(*proxy)
	if !ok {
		t.Fatalf("New built %T, want *proxy", r)
	}
	t.Cleanup(p.client.CloseIdleConnections)
	return p
}

func TestUpstreamSessionURL(t *testing.T) {
	for _, tc := range []struct{ base, basePath, want string }{
		{"http://127.0.0.1:3000/api/auth", "/ignored", "http://127.0.0.1:3000/api/auth/session"},
		{"http://127.0.0.1:3000/api/auth/", "/ignored", "http://127.0.0.1:3000/api/auth/session"},
		{"http://127.0.0.1:3000", "/api/auth", "http://127.0.0.1:3000/api/auth/session"},
		{"https://auth.example/", "/auth", "https://auth.example/auth/session"},
		{"http://h:1/x?q=1#f", "/a", "http://h:1/x/session"},
	} {
		got, err := UpstreamSessionURL(Config{BaseURL: tc.base, BasePath: tc.basePath})
		if err != nil || got != tc.want {
			t.Errorf("UpstreamSessionURL(%q, %q) = %q, %v; want %q", tc.base, tc.basePath, got, err, tc.want)
		}
	}
	if _, err := UpstreamSessionURL(Config{BaseURL: "ftp://x"}); err == nil {
		t.Error("ftp URL accepted")
	}
}

func TestProxyValidSession(t *testing.T) {
	const body = `{"user":{"name":"Ada","email":null,"role":"admin"},"expires":"2026-12-27T08:00:00.123Z","tenant":{"id":7}}`
	var gotCookie, gotAccept, gotStatic, gotPath string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath, gotCookie = r.URL.Path, r.Header.Get("Cookie")
		gotAccept, gotStatic = r.Header.Get("Accept"), r.Header.Get("X-Static")
		w.Header().Set("Content-Type", "application/json")
		w.Header().Add("Set-Cookie", "authjs.csrf-token=abc%7Cdef; Path=/; HttpOnly; SameSite=Lax")
		w.Header().Add("Set-Cookie", "authjs.session-token=NEW; Path=/; Expires=Sun, 27 Dec 2026 08:00:00 GMT; HttpOnly; SameSite=Lax")
		io.WriteString(w, body)
	}))
	defer srv.Close()
	p := newTestProxy(t, srv.URL+"/api/auth", func(c *Config) {
		c.RefreshCookies = true
		c.Proxy.Headers = map[string]string{"accept": "application/x-custom", "X-Static": "1"}
	})
	res, err := p.Resolve(context.Background(), FromCookieHeader("authjs.session-token=OLD; other=1"))
	if err != nil {
		t.Fatal(err)
	}
	if gotPath != "/api/auth/session" || gotCookie != "authjs.session-token=OLD; other=1" {
		t.Errorf("upstream saw path %q cookie %q", gotPath, gotCookie)
	}
	if gotAccept != "application/x-custom" || gotStatic != "1" {
		t.Errorf("static headers: Accept %q X-Static %q; want the static values to win", gotAccept, gotStatic)
	}
	if !res.OK() || res.Reason != ReasonOK || res.Source != "upstream" {
		t.Fatalf("result %+v, want a session from upstream", res)
	}
	s := res.Session
	if n, _ := s.User.Name.Str(); n != "Ada" || !s.User.Email.IsNull() || s.User.Image.IsSet() {
		t.Errorf("user values: name %v email null=%v image set=%v", s.User.Name.Any(), s.User.Email.IsNull(), s.User.Image.IsSet())
	}
	if want := time.Date(2026, 12, 27, 8, 0, 0, 123e6, time.UTC); !s.Expires.Equal(want) {
		t.Errorf("expires %v, want %v", s.Expires, want)
	}
	if len(s.User.Extra) != 1 || s.User.Extra[0].Name != "role" || len(s.Extra) != 1 || s.Extra[0].Name != "tenant" {
		t.Errorf("extra members not kept: user %+v top %+v", s.User.Extra, s.Extra)
	}
	var names []string
	for _, c := range res.SetCookies {
		names = append(names, c.Name+"="+c.Value)
	}
	if diff := cmp.Diff([]string{"authjs.session-token=NEW"}, names); diff != "" {
		t.Errorf("SetCookies (-want +got):\n%s", diff)
	}
}

func TestProxyNoSessionBodies(t *testing.T) {
	for _, tc := range []struct {
		body string
		want Reason
	}{
		{"null", ReasonUpstreamNull},
		{" null\n", ReasonUpstreamNull},
		{"{}", ReasonUpstreamNull},
		{`{"user":{"name":"a"`, ReasonUpstreamBody},
		{`"Bad request."`, ReasonUpstreamBody},
		{`[]`, ReasonUpstreamBody},
		{`{"user":"x"}`, ReasonUpstreamBody},
		{`{"expires":5}`, ReasonUpstreamBody},
		{`{"expires":"yesterday"}`, ReasonUpstreamBody},
		{``, ReasonUpstreamBody},
		{`<html>`, ReasonUpstreamBody},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, tc.body)
		}))
		p := newTestProxy(t, srv.URL, nil)
		res, err := p.Resolve(context.Background(), FromCookieHeader("authjs.session-token=x"))
		srv.Close()
		if err != nil {
			t.Fatal(err)
		}
		if res.OK() || res.Reason != tc.want || !errors.Is(res.Err, ErrNoSession) {
			t.Errorf("body %q: reason %q ok=%v err=%v; want %q", tc.body, res.Reason, res.OK(), res.Err, tc.want)
		}
	}
}

// TestProxyFaults is the fault list: each fault gives "no session"
// with its reason, within the per-call deadline, and leaves no goroutine or
// connection behind.
func TestProxyFaults(t *testing.T) {
	const timeout = 300 * time.Millisecond
	before := runtime.NumGoroutine()

	var otherHits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherHits.Add(1)
		io.WriteString(w, `{"user":{"name":"evil"},"expires":"2030-01-01T00:00:00.000Z"}`)
	}))
	defer other.Close()

	down := func() string { // a port nobody listens on
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		return "http://" + addr
	}()

	release := make(chan struct{})
	handlers := map[string]http.HandlerFunc{
		"slow": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		},
		"slow-body": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "100")
			io.WriteString(w, `{"user":`)
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-release:
			}
		},
		"500": func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "boom", http.StatusInternalServerError)
		},
		"302": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/api/auth/session", http.StatusFound)
		},
		"10MiB": func(w http.ResponseWriter, r *http.Request) {
			chunk := strings.Repeat(" ", 64<<10)
			io.WriteString(w, `{"user":{},"pad":"`)
			for range 160 {
				if _, err := io.WriteString(w, chunk); err != nil {
					return
				}
			}
			io.WriteString(w, `"}`)
		},
		"truncated": func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"user":{"name":"Ada","email":"a@b.c"},"expires":"2026-12-2`)
		},
		"reset": func(w http.ResponseWriter, r *http.Request) {
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"user\":{\"name\":")
			buf.Flush()
			conn.(*net.TCPConn).SetLinger(0) // close with RST, not FIN
			conn.Close()
		},
	}
	cases := []struct {
		name string
		url  string
		want Reason
	}{
		{"down", down, ReasonUpstreamError},
		{"slow", "", ReasonUpstreamTimeout},
		{"slow-body", "", ReasonUpstreamTimeout},
		{"500", "", ReasonUpstreamStatus},
		{"302", "", ReasonUpstreamStatus},
		{"10MiB", "", ReasonUpstreamBody},
		{"truncated", "", ReasonUpstreamBody},
		{"reset", "", ReasonUpstreamError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			url := tc.url
			if url == "" {
				srv := httptest.NewServer(handlers[tc.name])
				defer srv.Close()
				url = srv.URL
			}
			// Only the slow cases are about the deadline. The others fail on
			// their own at once; a long deadline keeps a starved CI machine
			// from turning their reason into upstream_timeout.
			timeout := timeout
			if tc.want != ReasonUpstreamTimeout {
				timeout = 30 * time.Second
			}
			p := newTestProxy(t, url, func(c *Config) { c.Proxy.Timeout = timeout })
			start := time.Now()
			res, err := p.Resolve(context.Background(), FromCookieHeader("authjs.session-token=x"))
			elapsed := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			if res.OK() || res.Reason != tc.want {
				t.Errorf("reason %q (err %v), want %q", res.Reason, res.Err, tc.want)
			}
			// Generous slack for a loaded CI box; the point is "bounded by the
			// deadline", not "fast": the slow handlers would block forever.
			if elapsed > timeout+2*time.Second {
				t.Errorf("took %v with a %v deadline", elapsed, timeout)
			}
			var ue *UpstreamError
			if tc.want == ReasonUpstreamStatus && !errors.As(res.Err, &ue) {
				t.Errorf("err %v is not an *UpstreamError", res.Err)
			}
			if tc.name == "302" && (ue == nil || ue.StatusCode != http.StatusFound || !strings.HasPrefix(ue.Location, other.URL)) {
				t.Errorf("302: UpstreamError %+v", ue)
			}
		})
	}
	close(release)
	if n := otherHits.Load(); n != 0 {
		t.Errorf("the redirect target was contacted %d times; only the configured upstream may be", n)
	}
	other.Close()
	waitGoroutines(t, before)
}

func TestProxyCallerCancel(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer srv.Close()
	p := newTestProxy(t, srv.URL, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	res, err := p.Resolve(ctx, FromCookieHeader("authjs.session-token=x"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Reason != ReasonCanceled {
		t.Errorf("reason %q, want %q", res.Reason, ReasonCanceled)
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if _, err := p.Resolve(ctx, Input{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Resolve on a done context: err %v, want context.Canceled", err)
	}
}

func TestProxyWarnsOnPlaintextRemote(t *testing.T) {
	for _, tc := range []struct {
		url  string
		warn bool
	}{
		{"http://10.1.2.3:3000/api/auth", true},
		{"http://auth.internal/api/auth", true},
		{"http://127.0.0.1:3000/api/auth", false},
		{"http://[::1]:3000/api/auth", false},
		{"http://localhost:3000/api/auth", false},
		{"https://auth.example/api/auth", false},
	} {
		var logs strings.Builder
		_, err := New(Config{Mode: ModeProxy, BaseURL: tc.url}, WithLogger(newTestLogger(&logs)))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(logs.String(), "plaintext"); got != tc.warn {
			t.Errorf("%s: warned=%v, want %v (log %q)", tc.url, got, tc.warn, logs.String())
		}
	}
}

// waitGoroutines waits for the goroutine count to settle back to at most
// before (idle connections close asynchronously), then fails with a dump.
func waitGoroutines(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= before {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d goroutines, %d before: leak?\n%s", n, before, buf)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func newTestLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// TestProxyLocalToken: with the secret, getToken decodes locally (no
// upstream call) and the session learns its user id from the token's sub,
// so per-user invalidation reaches proxy answers.
func TestProxyLocalToken(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		io.WriteString(w, `{"user":{"name":"Ada"},"expires":"2030-01-01T00:00:00.000Z"}`)
	}))
	defer srv.Close()
	const secret = "proxy-token-test-secret"
	codec, err := NewCodec(Config{Secrets: []string{secret}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tok, err := codec.Encode(Claims{"sub": "user-7", "name": "Ada"}, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	in := FromCookieHeader(DefaultCookieName + "=" + tok)

	p := newTestProxy(t, srv.URL, func(c *Config) { c.Secrets = []string{secret} })
	claims, reason, err := p.Token(in)
	if err != nil || reason != ReasonOK || claims["sub"] != "user-7" || calls.Load() != 0 {
		t.Errorf("Token: %v %q %v, upstream calls %d", claims, reason, err, calls.Load())
	}
	res, _ := p.Resolve(context.Background(), in)
	if !res.OK() || res.Session.User.ID != "user-7" {
		t.Errorf("Resolve: %+v", res)
	}
	// The token's own expiry bounds how long a cache may serve the answer.
	if want := time.Unix(now.Unix()+3600+15, 0); !res.NotAfter.Equal(want) {
		t.Errorf("NotAfter %v, want %v", res.NotAfter, want)
	}

	noSecret := newTestProxy(t, srv.URL, nil)
	if _, _, err := noSecret.Token(in); !errors.Is(err, ErrUnconfigured) {
		t.Errorf("Token without secret: %v, want ErrUnconfigured", err)
	}
	if res, _ := noSecret.Resolve(context.Background(), in); !res.OK() || res.Session.User.ID != "" || !res.NotAfter.IsZero() {
		t.Errorf("Resolve without secret: %+v", res)
	}
}

// TestParseSessionBodyRoundTrip: what a session hook adds survives proxy
// mode: parsing then MarshalSessionBody gives back Auth.js's bytes.
func TestParseSessionBodyRoundTrip(t *testing.T) {
	for _, body := range []string{
		`{"user":{"name":"Ada","email":"ada@example.com","image":"https://img.example/a.png"},"expires":"2026-12-27T08:00:00.000Z"}`,
		`{"user":{},"expires":"2026-12-27T08:00:00.000Z"}`,
		`{"user":{"name":null,"email":null,"image":null},"expires":"2026-12-27T08:00:00.000Z"}`,
		`{"user":{"name":"Zoë <b>&</b>","role":"admin","id":7},"expires":"2026-12-27T08:00:00.123Z","tenant":{"1":"a","2":"b","x":[1,2.5,true,null]},"flags":[]}`,
	} {
		s, err := ParseSessionBody([]byte(body))
		if err != nil || s == nil {
			t.Fatalf("%s: %v", body, err)
		}
		if got := string(MarshalSessionBody(s)); got != body {
			t.Errorf("round trip\n got %s\nwant %s", got, body)
		}
	}
}

// TestUpstreamSessionURLErrorHidesPassword: a malformed upstream URL is
// named in the error without its userinfo password.
func TestUpstreamSessionURLErrorHidesPassword(t *testing.T) {
	for _, base := range []string{"http://u:hunter2pw@127.0.0.1:1/%zz", "ftp://u:hunter2pw@127.0.0.1:1/"} {
		_, err := UpstreamSessionURL(Config{BaseURL: base, BasePath: "/api/auth"})
		if err == nil || strings.Contains(err.Error(), "hunter2pw") || !strings.Contains(err.Error(), "127.0.0.1:1") {
			t.Errorf("UpstreamSessionURL(%q): %v; want an error naming the host but not the password", base, err)
		}
	}
}

// TestProxyCapsConnections: during an upstream stall, calls beyond
// Proxy.MaxConns wait for a connection instead of dialling one each, and
// all of them are answered once the upstream recovers.
func TestProxyCapsConnections(t *testing.T) {
	const calls, maxConns = 24, 4
	release := make(chan struct{})
	var conns, inHandler atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inHandler.Add(1)
		<-release
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"user":{"name":"Ada"},"expires":"2026-12-27T08:00:00.123Z"}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	p := newTestProxy(t, srv.URL+"/api/auth", func(c *Config) { c.Proxy.MaxConns = maxConns })
	errs := make(chan error, calls)
	for range calls {
		go func() {
			res, err := p.Resolve(context.Background(), FromCookieHeader("authjs.session-token=T"))
			if err == nil && res.Session == nil {
				err = errors.New("no session")
			}
			errs <- err
		}()
	}
	deadline := time.Now().Add(5 * time.Second)
	for inHandler.Load() < maxConns && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // calls beyond the cap would have dialled by now
	if n := conns.Load(); n != maxConns {
		t.Errorf("%d connections open during the stall, want the cap %d", n, maxConns)
	}
	close(release)
	for range calls {
		if err := <-errs; err != nil {
			t.Errorf("call after the stall: %v", err)
		}
	}
}
