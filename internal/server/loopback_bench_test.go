package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
)

// staticBody is the reference answer: a fixed 171-byte session body, what
// the "static Go handler" returns.
var staticBody = []byte(`{"user":{"name":"Ada Lovelace","email":"ada.lovelace@example.com","image":"https://avatars.githubusercontent.com/u/1815181?v=4"},"expires":"2030-01-01T00:00:00.000Z"}`)

// loopbackFixture is serve's handler stack as `authscope serve` builds it
// by default (metrics on, an info-level JSON logger, the recent list when
// an invalidation secret is set) around a local JWT resolver, and the
// Cookie header a signed-in browser sends: the session token plus the CSRF
// and callback-url cookies Auth.js issued on its first answer.
type loopbackFixture struct {
	handler http.Handler
	cookie  string
	browser bool // add the CSRF and callback-url cookies of a first answer
}

func newLoopbackFixture(b *testing.B, refresh, recent, browser bool) loopbackFixture {
	b.Helper()
	cfg := resolver.Config{Mode: resolver.ModeLocal, Strategy: resolver.StrategyJWT,
		Secrets: []string{"bench-only-secret-0123456789abcdef"}, RefreshCookies: refresh}.WithDefaults()
	r, err := resolver.NewJWTResolver(cfg)
	if err != nil {
		b.Fatal(err)
	}
	tok, err := r.Codec().Encode(resolver.Claims{
		"name":    "Ada Lovelace",
		"email":   "ada.lovelace@example.com",
		"picture": "https://avatars.githubusercontent.com/u/1815181?v=4",
		"sub":     "5b1f6c1e-7a0e-4c3b-9d2a-3f4e5a6b7c8d",
	}, time.Now(), cfg.MaxAge)
	if err != nil {
		b.Fatal(err)
	}
	sc := Config{Resolver: cfg}
	if recent {
		sc.InvalidateSecret, sc.Recent = "bench-admin", DefaultRecent
	}
	logger := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv, err := New(sc, r, Options{Logger: logger})
	if err != nil {
		b.Fatal(err)
	}
	return loopbackFixture{handler: srv, cookie: cfg.SessionCookieName() + "=" + tok, browser: browser}
}

// browserCookies asks srv once, as a browser's first request does, and
// returns the Cookie header the browser sends from then on: the session
// cookie and the CSRF and callback-url cookies of the answer.
func browserCookies(b *testing.B, client *http.Client, url, session string) string {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Cookie", session)
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	parts := []string{session}
	for _, c := range resp.Cookies() {
		if strings.Contains(c.Name, "session-token") {
			continue
		}
		parts = append(parts, c.Name+"="+c.Value)
	}
	if len(parts) != 3 {
		b.Fatalf("first answer set %d cookies, want the CSRF and callback-url ones", len(parts)-1)
	}
	return strings.Join(parts, "; ")
}

// loop drives h over loopback with one keep-alive connection per parallel
// goroutine (RunParallel: GOMAXPROCS of them), the way wrk -c N does, and
// returns ns/op.
func loop(b *testing.B, f loopbackFixture, wantSetCookies int) float64 {
	b.Helper()
	h, cookie := f.handler, f.cookie
	ts := httptest.NewServer(h)
	defer ts.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	url := ts.URL + "/api/auth/session"
	if f.browser {
		cookie = browserCookies(b, client, url, cookie)
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		buf := make([]byte, 4096)
		for pb.Next() {
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			n, _ := io.ReadFull(resp.Body, buf)
			resp.Body.Close()
			if resp.StatusCode != 200 || n < 100 || len(resp.Header.Values("Set-Cookie")) != wantSetCookies {
				b.Errorf("answer %d, %d bytes, %d Set-Cookie", resp.StatusCode, n, len(resp.Header.Values("Set-Cookie")))
				return
			}
		}
	})
	return float64(time.Since(start).Nanoseconds()) / float64(b.N)
}

// BenchmarkServeLoopback is serve's whole stack over loopback: HTTP
// parsing, routing, the handler, metrics, the recent list and the local
// JWT resolution, against a static handler measured in the same run (the
// issue's reference). Each variant after "static" reports its ns/op as a
// ratio to the static handler's (static/serve: 1.0 means serve costs
// nothing over HTTP itself), so the figure survives a shared machine.
//
//	go test ./internal/server -run XXX -bench ServeLoopback -benchtime 3s
func BenchmarkServeLoopback(b *testing.B) {
	var static float64
	b.Run("static", func(b *testing.B) {
		h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write(staticBody)
		})
		static = loop(b, loopbackFixture{handler: h}, 0)
	})
	for _, v := range []struct {
		name                     string
		refresh, recent, browser bool
		setCookies               int
	}{
		{"jwt", false, true, true, 0},
		{"jwt-recent-off", false, false, true, 0},
		{"jwt-first-visit", false, true, false, 2}, // CSRF + callback-url issued every time
		{"refresh", true, true, true, 1},
	} {
		b.Run(v.name, func(b *testing.B) {
			f := newLoopbackFixture(b, v.refresh, v.recent, v.browser)
			ns := loop(b, f, v.setCookies)
			if static > 0 {
				b.ReportMetric(static/ns, "x-static")
			}
		})
	}
}

// BenchmarkServeLoopbackPaired is the ratio alone, measured so that a
// shared machine's load cannot tilt it: every op sends one request to the
// static handler and one to serve, on keep-alive connections of their
// own, timing each, and x-static is the static handler's total time over
// serve's (1.0: serve costs what the static answer costs). ns/op and
// allocs/op are those of the pair; BenchmarkServeLoopback has serve's own.
func BenchmarkServeLoopbackPaired(b *testing.B) {
	static := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(staticBody)
	}))
	defer static.Close()
	for _, v := range []struct {
		name             string
		refresh, browser bool
	}{{"jwt", false, true}, {"jwt-first-visit", false, false}, {"refresh", true, true}} {
		b.Run(v.name, func(b *testing.B) {
			f := newLoopbackFixture(b, v.refresh, true, v.browser)
			ts := httptest.NewServer(f.handler)
			defer ts.Close()
			tr := &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr}
			url := ts.URL + "/api/auth/session"
			cookie := f.cookie
			if f.browser {
				cookie = browserCookies(b, client, url, cookie)
			}
			var staticNs, serveNs atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				sreq, _ := http.NewRequest(http.MethodGet, static.URL+"/api/auth/session", nil)
				sreq.Header.Set("Cookie", cookie)
				req, _ := http.NewRequest(http.MethodGet, url, nil)
				req.Header.Set("Cookie", cookie)
				buf := make([]byte, 4096)
				for pb.Next() {
					for i, r := range []*http.Request{sreq, req} {
						t0 := time.Now()
						resp, err := client.Do(r)
						if err != nil {
							b.Error(err)
							return
						}
						io.ReadFull(resp.Body, buf)
						resp.Body.Close()
						if d := time.Since(t0).Nanoseconds(); i == 0 {
							staticNs.Add(d)
						} else {
							serveNs.Add(d)
						}
					}
				}
			})
			if s := serveNs.Load(); s > 0 {
				b.ReportMetric(float64(staticNs.Load())/float64(s), "x-static")
			}
		})
	}
}
