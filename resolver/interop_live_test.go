package resolver_test

// Live interop: cookies minted by Go (Codec.Encode + ChunkCookies) are sent
// to the real Auth.js (testdata/authjs/server.mjs, @auth/express on
// loopback), whose GET /api/auth/session must answer what Go's Resolve
// answers for the same cookies. The recorded vectors prove Go reads what
// Auth.js writes; this proves Auth.js reads what Go writes.
//
// Enabled by AUTHSCOPE_INTEROP=live (set by .ci/run after `npm ci` in
// testdata/authjs). Otherwise the tests skip and say how to enable them.

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/authjstest"
)

// liveTolerance bounds clock drift between Go's Resolve and the server's
// own Date.now() for the same request (both read the wall clock).
const liveTolerance = 5 * time.Second

type liveResponse struct {
	status     int
	body       string
	setCookies []string
}

var liveClient = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func getSession(t *testing.T, origin, cookie string, https bool) liveResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, origin+"/api/auth/session", nil)
	if err != nil {
		t.Fatal(err)
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	if https {
		req.Header.Set("X-Forwarded-Proto", "https")
	}
	resp, err := liveClient.Do(req)
	if err != nil {
		t.Fatalf("GET /session: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		t.Fatal(err)
	}
	return liveResponse{status: resp.StatusCode, body: string(b), setCookies: resp.Header.Values("Set-Cookie")}
}

func testSecret(t *testing.T) string {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "test-only-" + base64.RawURLEncoding.EncodeToString(b)
}

// mintCookie encodes claims with cfg's current secret at now and returns the
// Cookie header carrying it (chunked as Auth.js would chunk it).
func mintCookie(t *testing.T, cfg resolver.Config, claims resolver.Claims, now time.Time) (header, token string) {
	header, token, _ = mintCookies(t, cfg, claims, now)
	return header, token
}

// mintCookies is mintCookie that also reports how many cookies Go wrote.
func mintCookies(t *testing.T, cfg resolver.Config, claims resolver.Claims, now time.Time) (header, token string, n int) {
	t.Helper()
	codec, err := resolver.NewCodec(cfg)
	if err != nil {
		t.Fatalf("NewCodec: %v", err)
	}
	tok, err := codec.Encode(claims, now, cfg.MaxAge)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	cs := resolver.ChunkCookies(cfg.SessionCookieName(), tok, now.Add(cfg.MaxAge), cfg.SecureCookies())
	return cookieHeaderOf(cs), tok, len(cs)
}

func cookieHeaderOf(cs []*http.Cookie) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.Name + "=" + c.Value
	}
	return strings.Join(parts, "; ")
}

var isoMillis = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

// sameBody compares two /session bodies: identical except "expires", which
// must be an ISO string with milliseconds within liveTolerance.
func sameBody(t *testing.T, real, goBody string) {
	t.Helper()
	if !strings.HasPrefix(real, "{") || !strings.HasPrefix(goBody, "{") {
		// null, "Bad request." and the like: no clock in them.
		if real != goBody {
			t.Errorf("body: real Auth.js %s, Go %s", real, goBody)
		}
		return
	}
	var r, g map[string]any
	if err := json.Unmarshal([]byte(real), &r); err != nil {
		t.Fatalf("real body %q: %v", real, err)
	}
	if err := json.Unmarshal([]byte(goBody), &g); err != nil {
		t.Fatalf("go body %q: %v", goBody, err)
	}
	re, ok := r["expires"].(string)
	if !ok {
		if real != goBody {
			t.Errorf("body: real Auth.js %s, Go %s", real, goBody)
		}
		return
	}
	ge, _ := g["expires"].(string)
	if !isoMillis.MatchString(ge) {
		t.Errorf("Go expires %q is not toISOString() form", ge)
	}
	rt, err1 := time.Parse(time.RFC3339Nano, re)
	gt, err2 := time.Parse(time.RFC3339Nano, ge)
	if err1 != nil || err2 != nil || absDur(rt.Sub(gt)) > liveTolerance {
		t.Errorf("expires: real %q, Go %q (tolerance %s)", re, ge, liveTolerance)
	}
	// Same text apart from the expires value: key order and escaping too.
	if strings.Replace(goBody, ge, re, 1) != real {
		t.Errorf("body text differs beyond expires:\n  go: %s\nreal: %s", goBody, real)
	}
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

var expiresAttr = regexp.MustCompile(`; Expires=([^;]+)`)

// sameSessionCookies compares the session Set-Cookie lines structurally:
// names, order, clear-or-set, attributes (Expires within tolerance).
func sameSessionCookies(t *testing.T, name string, real []string, goCookies []*http.Cookie) {
	t.Helper()
	var goLines []string
	for _, c := range goCookies {
		goLines = append(goLines, resolver.FormatSetCookie(c))
	}
	rs, gs := sessionSetCookies(real, name), sessionSetCookies(goLines, name)
	shape := func(cs []setCookie) []string {
		var out []string
		for _, c := range cs {
			attrs := c.attrs
			if m := expiresAttr.FindStringSubmatch(attrs); m != nil {
				attrs = strings.Replace(attrs, m[1], "<t>", 1)
			}
			set := "="
			if c.value != "" {
				set = "=<value>"
			}
			out = append(out, c.name+set+";"+attrs)
		}
		return out
	}
	if d := cmp.Diff(shape(rs), shape(gs)); d != "" {
		t.Errorf("session Set-Cookie lines differ (-real +go):\n%s", d)
		return
	}
	for i := range rs {
		rm, gm := expiresAttr.FindStringSubmatch(rs[i].attrs), expiresAttr.FindStringSubmatch(gs[i].attrs)
		if rm == nil {
			continue
		}
		rt, err1 := http.ParseTime(rm[1])
		gt, err2 := http.ParseTime(gm[1])
		if err1 != nil || err2 != nil || absDur(rt.Sub(gt)) > liveTolerance+time.Second {
			t.Errorf("cookie %s Expires: real %q, Go %q", rs[i].name, rm[1], gm[1])
		}
	}
}

// resolveGo resolves header with cfg at the wall clock, as the server does.
func resolveGo(t *testing.T, cfg resolver.Config, header string, opts ...resolver.Option) resolver.Result {
	t.Helper()
	cfg.RefreshCookies = true
	r, err := resolver.New(cfg, append([]resolver.Option{resolver.WithClock(time.Now)}, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	res, err := r.Resolve(context.Background(), resolver.FromCookieHeader(header))
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	return res
}

// compareLive sends header to the real server and to Go and requires the
// same answer; it returns the real response for further checks.
func compareLive(t *testing.T, origin string, cfg resolver.Config, header string, wantSession bool) liveResponse {
	t.Helper()
	real := getSession(t, origin, header, cfg.SecureCookies())
	res := resolveGo(t, cfg, header)
	if real.status != http.StatusOK {
		t.Fatalf("real Auth.js status %d body %s", real.status, real.body)
	}
	sameBody(t, real.body, string(resolver.MarshalSessionBody(res.Session)))
	sameSessionCookies(t, cfg.SessionCookieName(), real.setCookies, res.SetCookies)
	if got := real.body != "null"; got != wantSession {
		t.Errorf("real Auth.js session=%v, want %v (body %s)", got, wantSession, real.body)
	}
	return real
}

// realRefreshRoundTrip feeds the real server's refreshed cookie back to Go.
func realRefreshRoundTrip(t *testing.T, cfg resolver.Config, real liveResponse) {
	t.Helper()
	var pairs []string
	for _, c := range sessionSetCookies(real.setCookies, cfg.SessionCookieName()) {
		if c.value != "" {
			pairs = append(pairs, c.name+"="+c.value)
		}
	}
	if len(pairs) == 0 {
		t.Fatal("real Auth.js sent no refreshed session cookie")
	}
	res := resolveGo(t, cfg, strings.Join(pairs, "; "))
	if !res.OK() {
		t.Errorf("Go rejects the real Auth.js refreshed cookie: %s %v", res.Reason, res.Err)
	}
}

var liveUser = resolver.Claims{
	"name":    "Ada Lovelace",
	"email":   "ada@example.com",
	"picture": "https://avatars.example.com/u/1815?v=4",
	"sub":     "5b1f6c1e-7a0e-4c3b-9d2a-3f4e5a6b7c8d",
}

func withClaims(extra resolver.Claims) resolver.Claims {
	c := resolver.Claims{}
	for k, v := range liveUser {
		c[k] = v
	}
	for k, v := range extra {
		c[k] = v
	}
	return c
}

func TestLiveGoCookiesAcceptedByAuthJS(t *testing.T) {
	secret := testSecret(t)
	origin := authjstest.Start(t, map[string]string{"AUTH_SECRET": secret})
	httpCfg := resolver.Config{Mode: resolver.ModeLocal, Strategy: resolver.StrategyJWT, BaseURL: origin, Secrets: []string{secret}, MaxAge: resolver.DefaultMaxAge}
	httpsCfg := httpCfg
	httpsCfg.BaseURL = strings.Replace(origin, "http:", "https:", 1)

	bio := func(n int) string { return strings.Repeat("0123456789abcdef", n/16+1)[:n] }
	cases := []struct {
		name   string
		cfg    resolver.Config
		claims resolver.Claims
		chunks int // expected number of cookies Go writes
	}{
		{"http", httpCfg, liveUser, 1},
		{"https secure name", httpsCfg, liveUser, 1},
		{"only sub", httpCfg, resolver.Claims{"sub": "42"}, 1},
		{"null claims", httpCfg, resolver.Claims{"name": nil, "email": nil, "picture": nil, "sub": "7"}, 1},
		{"unicode and escaping", httpCfg, withClaims(resolver.Claims{"name": "Zoë 张伟 🚀 <b>&\u2028", "email": "zoë@exämple.com"}), 1},
		{"custom claims", httpCfg, withClaims(resolver.Claims{"role": "admin", "orgs": []any{json.Number("1"), json.Number("2")}}), 1},
		{"two chunks", httpCfg, withClaims(resolver.Claims{"bio": bio(3000)}), 2},
		{"three chunks https", httpsCfg, withClaims(resolver.Claims{"bio": bio(6500)}), 3},
		{"twelve chunks", httpCfg, withClaims(resolver.Claims{"bio": bio(33000)}), 12},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Now()
			header, _, n := mintCookies(t, tc.cfg, tc.claims, now)
			if n != tc.chunks {
				t.Fatalf("Go wrote %d cookies, want %d", n, tc.chunks)
			}
			real := compareLive(t, origin, tc.cfg, header, true)
			realRefreshRoundTrip(t, tc.cfg, real)
		})
	}

	// Cookies the real server must refuse, like Go.
	t.Run("rejected", func(t *testing.T) {
		now := time.Now()
		_, tok := mintCookie(t, httpCfg, liveUser, now)
		name := httpCfg.SessionCookieName()
		for i, seg := range []string{"header", "encrypted key", "iv", "ciphertext", "tag"} {
			segs := strings.Split(tok, ".")
			if i == 1 {
				segs[1] = "AAAA"
			} else {
				s := segs[i]
				c := byte('A')
				if s[5] == 'A' {
					c = 'B'
				}
				segs[i] = s[:5] + string(c) + s[6:]
			}
			t.Run("tampered "+seg, func(t *testing.T) {
				compareLive(t, origin, httpCfg, name+"="+strings.Join(segs, "."), false)
			})
		}
		t.Run("expired", func(t *testing.T) {
			header, _ := mintCookie(t, httpCfg, liveUser, now.Add(-httpCfg.MaxAge-20*time.Second))
			compareLive(t, origin, httpCfg, header, false)
		})
		t.Run("wrong secret", func(t *testing.T) {
			other := httpCfg
			other.Secrets = []string{testSecret(t)}
			header, _ := mintCookie(t, other, liveUser, now)
			compareLive(t, origin, httpCfg, header, false)
		})
		t.Run("http token in https cookie", func(t *testing.T) {
			compareLive(t, origin, httpsCfg, httpsCfg.SessionCookieName()+"="+tok, false)
		})
		t.Run("missing chunk", func(t *testing.T) {
			header, _ := mintCookie(t, httpCfg, withClaims(resolver.Claims{"bio": strings.Repeat("x", 6500)}), now)
			parts := strings.Split(header, "; ")
			compareLive(t, origin, httpCfg, parts[0]+"; "+parts[2], false)
		})
		t.Run("no cookie", func(t *testing.T) {
			compareLive(t, origin, httpCfg, "", false)
		})
	})
}

func TestLiveRotationAndCustomName(t *testing.T) {
	oldS, newS := testSecret(t), testSecret(t)
	env := map[string]string{"AUTH_SECRET": oldS, "AUTH_SECRET_1": newS}
	origin := authjstest.Start(t, env)
	secrets := resolver.SecretsFromEnv(func(k string) string { return env[k] })
	if d := cmp.Diff([]string{newS, oldS}, secrets); d != "" {
		t.Fatalf("SecretsFromEnv order (-auth.js +go):\n%s", d)
	}
	cfg := resolver.Config{Mode: resolver.ModeLocal, Strategy: resolver.StrategyJWT, BaseURL: origin, Secrets: secrets, MaxAge: resolver.DefaultMaxAge}
	minted := func(secret string) string {
		c := cfg
		c.Secrets = []string{secret}
		h, _ := mintCookie(t, c, liveUser, time.Now())
		return h
	}
	t.Run("minted with previous secret", func(t *testing.T) {
		real := compareLive(t, origin, cfg, minted(oldS), true)
		// Auth.js re-keys the refreshed cookie with secrets[0]: Go must read
		// it with the new secret alone.
		only := cfg
		only.Secrets = []string{newS}
		realRefreshRoundTrip(t, only, real)
	})
	t.Run("minted with current secret", func(t *testing.T) {
		compareLive(t, origin, cfg, minted(newS), true)
	})
	t.Run("minted with unknown secret", func(t *testing.T) {
		compareLive(t, origin, cfg, minted(testSecret(t)), false)
	})

	t.Run("custom cookie name", func(t *testing.T) {
		secret := testSecret(t)
		const name = "myapp.sid"
		origin := authjstest.Start(t, map[string]string{"AUTH_SECRET": secret, "AUTHJS_COOKIE_NAME": name, "AUTHJS_MAX_AGE": "3600"})
		cfg := resolver.Config{Mode: resolver.ModeLocal, Strategy: resolver.StrategyJWT, BaseURL: origin, CookieName: name, Secrets: []string{secret}, MaxAge: time.Hour}
		header, tok := mintCookie(t, cfg, liveUser, time.Now())
		real := compareLive(t, origin, cfg, header, true)
		realRefreshRoundTrip(t, cfg, real)
		// The default name is not read, and the salt is the name.
		compareLive(t, origin, cfg, resolver.DefaultCookieName+"="+tok, false)
	})
}
