package cli

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/authscope/authscope/resolver/authjstest"
)

// TestUpstreamReplaysVectors runs `authscope upstream` at each vector's
// fixed clock and secret and sends the vector's Cookie header over HTTP:
// the stand-in must answer as the real Auth() did, byte for byte (body,
// headers) and line for line (Set-Cookie, random parts blanked).
func TestUpstreamReplaysVectors(t *testing.T) {
	type group struct {
		now, secret, base string
		maxAge            int64
	}
	byGroup := map[group][]*authjstest.Vector{}
	for _, v := range authjstest.Vectors(t) {
		// One secret from AUTH_SECRET, default cookie names, v5: the
		// configurations the stand-in is started with below.
		if v.LegacyV4 || v.CustomCookieName != nil || len(v.Secrets) != 1 || v.Env != nil {
			continue
		}
		g := group{now: strconv.FormatFloat(float64(v.NowMS)/1000, 'f', 3, 64), secret: v.Secrets[0], base: v.BaseURL, maxAge: v.MaxAge}
		byGroup[g] = append(byGroup[g], v)
	}
	replayed := 0
	for g, vs := range byGroup {
		args := []string{"upstream", "--now", g.now, "--max-age", strconv.FormatInt(g.maxAge, 10)}
		if g.base != "" {
			args = append(args, "--url", g.base)
		}
		up := startCmd(t, map[string]string{"AUTH_SECRET": g.secret}, args...)
		for _, v := range vs {
			req, _ := http.NewRequest("GET", up.base+"/api/auth/session", nil)
			// The vector's request came to base_url: same Host, same scheme.
			if host := strings.TrimPrefix(strings.TrimPrefix(v.BaseURL, "https://"), "http://"); host != "" {
				req.Host = host
			}
			if strings.HasPrefix(v.BaseURL, "https:") {
				req.Header.Set("X-Forwarded-Proto", "https")
			}
			if v.CookieHeader != nil {
				req.Header.Set("Cookie", *v.CookieHeader)
			}
			a := do(t, req)
			replayed++
			if a.status != v.Expect.Status || a.body != v.Expect.BodyRaw {
				t.Errorf("%s: %d %s\nwant %d %s", v.Name, a.status, a.body, v.Expect.Status, v.Expect.BodyRaw)
			}
			for k, want := range v.Expect.Headers {
				if got := a.header.Get(k); got != want {
					t.Errorf("%s: %s %q, want %q", v.Name, k, got, want)
				}
			}
			if len(a.cookies) != len(v.Expect.SetCookie) {
				t.Errorf("%s: Set-Cookie\n got %q\nwant %q", v.Name, a.cookies, v.Expect.SetCookie)
				continue
			}
			for i := range a.cookies {
				if authjstest.CookieShape(a.cookies[i]) != authjstest.CookieShape(v.Expect.SetCookie[i]) {
					t.Errorf("%s: Set-Cookie[%d]\n got %s\nwant %s", v.Name, i, a.cookies[i], v.Expect.SetCookie[i])
				}
			}
		}
		up.stop()
	}
	if replayed < 100 {
		t.Errorf("only %d vectors replayed", replayed)
	}
	t.Logf("%d vectors replayed over HTTP in %d upstream configurations", replayed, len(byGroup))
}

// TestUpstreamHelpAndLog: duration flags say "duration" in -h (not "long"
// or "±d"), upstream offers no --mode (it never proxies), and the startup
// log writes durations as "2ms", not as bare nanoseconds.
func TestUpstreamHelpAndLog(t *testing.T) {
	_, _, help := runStoreCmd(t, nil, "upstream", "-h")
	for _, want := range []string{"-hang duration", "-jitter duration", "-latency duration", "never proxies"} {
		if !strings.Contains(help, want) {
			t.Errorf("upstream -h lacks %q:\n%s", want, help)
		}
	}
	if strings.Contains(help, "\n  -mode ") {
		t.Errorf("upstream -h offers a --mode:\n%s", help)
	}
	_, _, help = runStoreCmd(t, nil, "serve", "-h")
	if !strings.Contains(help, "-negative-ttl duration") {
		t.Errorf("serve -h lacks -negative-ttl duration:\n%s", help)
	}
	s := startCmd(t, map[string]string{"AUTH_SECRET": "upstream-help-and-log-secret-0123456789"}, "upstream", "--latency", "2ms", "--jitter", "500us")
	if logs := s.logs.String(); !strings.Contains(logs, `"latency":"2ms"`) || !strings.Contains(logs, `"jitter":"500µs"`) {
		t.Errorf("startup log durations:\n%s", logs)
	}
}
