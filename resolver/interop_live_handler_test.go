package resolver_test

// Live HTTP interop: resolver.Handler (what `authscope serve` runs in local
// mode) and the real Auth.js on Express (server.mjs) get the same requests
// and must give the same status, cache headers, body (expires within the
// live tolerance) and Set-Cookie lines (CSRF by shape and hash, callback-url
// relative to each server's own origin). Needs AUTHSCOPE_INTEROP=live.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/authjstest"
)

type liveRequest struct {
	name, method, path string
	https              bool
	// cookie builds the Cookie header for a server at origin.
	cookie      func(origin string) string
	contentType string
	body        string
}

func TestLiveHandlerMatchesAuthJS(t *testing.T) {
	secret := testSecret(t)
	realOrigin := authjstest.Start(t, map[string]string{"AUTH_SECRET": secret})

	handlerFor := func(https bool) *httptest.Server {
		cfg := resolver.Config{Mode: resolver.ModeLocal, Strategy: resolver.StrategyJWT, BaseURL: "http://127.0.0.1", Secrets: []string{secret}, RefreshCookies: true}
		if https {
			cfg.BaseURL = "https://127.0.0.1"
		}
		r, err := resolver.New(cfg, resolver.WithClock(time.Now))
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		srv := httptest.NewServer(resolver.NewHandler(r, cfg, resolver.WithTrustForwarded(true)))
		t.Cleanup(srv.Close)
		return srv
	}
	goHTTP, goHTTPS := handlerFor(false), handlerFor(true)

	mintCfg := resolver.Config{Mode: resolver.ModeLocal, Strategy: resolver.StrategyJWT, Secrets: []string{secret}, MaxAge: resolver.DefaultMaxAge}
	now := time.Now()
	valid, _ := mintCookie(t, mintCfg, liveUser, now)
	expired, _ := mintCookie(t, mintCfg, liveUser, now.Add(-mintCfg.MaxAge-20*time.Second))
	secureCfg := mintCfg
	secureCfg.BaseURL = "https://127.0.0.1"
	validS, _ := mintCookie(t, secureCfg, liveUser, now)

	csrfTok := strings.Repeat("ab", 32)
	sum := sha256.Sum256([]byte(csrfTok + secret))
	csrf := "authjs.csrf-token=" + csrfTok + "%7C" + hex.EncodeToString(sum[:])
	withCSRF := func(rest string) func(string) string {
		return func(origin string) string {
			h := csrf + "; authjs.callback-url=" + url.QueryEscape(origin)
			if rest != "" {
				h += "; " + rest
			}
			return h
		}
	}
	fixed := func(h string) func(string) string { return func(string) string { return h } }
	const S = "/api/auth/session"

	reqs := []liveRequest{
		{name: "no cookies", method: "GET", path: S, cookie: fixed("")},
		{name: "valid session, first visit", method: "GET", path: S, cookie: fixed(valid)},
		{name: "valid session with csrf and callback", method: "GET", path: S, cookie: withCSRF(valid)},
		{name: "expired session", method: "GET", path: S, cookie: withCSRF(expired)},
		{name: "query string", method: "GET", path: S + "?x=1", cookie: withCSRF(valid)},
		{name: "https valid session", method: "GET", path: S, https: true, cookie: fixed(validS)},
		{name: "other callback origin", method: "GET", path: S, cookie: fixed(csrf + "; authjs.callback-url=https%3A%2F%2Fevil.example")},
		{name: "unknown action", method: "GET", path: "/api/auth/sessions", cookie: fixed(valid)},
		{name: "put", method: "PUT", path: S, cookie: fixed(valid)},
		{name: "post without csrf", method: "POST", path: S, cookie: fixed(valid), contentType: "application/json", body: "{}"},
		{name: "post with csrf", method: "POST", path: S, cookie: withCSRF(valid), contentType: "application/json", body: `{"csrfToken":"` + csrfTok + `"}`},
		{name: "post form with csrf", method: "POST", path: S, cookie: withCSRF(valid), contentType: "application/x-www-form-urlencoded", body: "csrfToken=" + csrfTok},
	}
	for _, rq := range reqs {
		t.Run(rq.name, func(t *testing.T) {
			goOrigin := goHTTP.URL
			if rq.https {
				goOrigin = goHTTPS.URL
			}
			real := doLive(t, realOrigin, rq)
			got := doLive(t, goOrigin, rq)
			if got.status != real.status {
				t.Errorf("status: Go %d, Auth.js %d", got.status, real.status)
			}
			if d := cmp.Diff(real.headers, got.headers); d != "" {
				t.Errorf("headers (-auth.js +go):\n%s", d)
			}
			sameBody(t, real.body, got.body)
			compareLiveCookies(t, rq, realOrigin, goOrigin, secret, real.setCookies, got.setCookies)
		})
	}
}

type liveHTTPResponse struct {
	status     int
	headers    map[string]string
	body       string
	setCookies []string
}

func doLive(t *testing.T, origin string, rq liveRequest) liveHTTPResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var body io.Reader
	if rq.body != "" {
		body = strings.NewReader(rq.body)
	}
	req, err := http.NewRequestWithContext(ctx, rq.method, origin+rq.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if c := rq.cookie(publicOrigin(origin, rq.https)); c != "" {
		req.Header.Set("Cookie", c)
	}
	if rq.contentType != "" {
		req.Header.Set("Content-Type", rq.contentType)
	}
	if rq.https {
		req.Header.Set("X-Forwarded-Proto", "https")
	}
	resp, err := liveClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", rq.method, origin+rq.path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	h := map[string]string{}
	for _, k := range []string{"Content-Type", "Cache-Control", "Expires", "Pragma"} {
		if v := resp.Header.Get(k); v != "" {
			h[k] = v
		}
	}
	return liveHTTPResponse{status: resp.StatusCode, headers: h, body: string(b), setCookies: resp.Header.Values("Set-Cookie")}
}

// publicOrigin is the origin the server sees for the request.
func publicOrigin(origin string, https bool) string {
	if https {
		return strings.Replace(origin, "http:", "https:", 1)
	}
	return origin
}

func compareLiveCookies(t *testing.T, rq liveRequest, realOrigin, goOrigin, secret string, real, got []string) {
	t.Helper()
	names := func(ls []string) []string {
		var out []string
		for _, l := range ls {
			c := parseSetCookie(l)
			set := "="
			if c.value != "" {
				set = "=<value>"
			}
			out = append(out, c.name+set)
		}
		return out
	}
	if d := cmp.Diff(names(real), names(got)); d != "" {
		t.Fatalf("Set-Cookie lines (-auth.js +go):\n%s", d)
	}
	sessionName := resolver.DefaultCookieName
	if rq.https {
		sessionName = resolver.SecureCookiePrefix + sessionName
	}
	var realSession []string
	var goSession []*http.Cookie
	for i := range real {
		r, g := parseSetCookie(real[i]), parseSetCookie(got[i])
		switch {
		case strings.HasSuffix(r.name, "csrf-token"):
			checkCSRFCookie(t, secret, r, g)
		case strings.HasSuffix(r.name, "callback-url"):
			rv, _ := url.QueryUnescape(r.value)
			gv, _ := url.QueryUnescape(g.value)
			rv = strings.Replace(rv, publicOrigin(realOrigin, rq.https), "<origin>", 1)
			gv = strings.Replace(gv, publicOrigin(goOrigin, rq.https), "<origin>", 1)
			if rv != gv || r.attrs != g.attrs {
				t.Errorf("callback-url: Go %s;%s, Auth.js %s;%s", gv, g.attrs, rv, r.attrs)
			}
		case strings.HasPrefix(r.name, sessionName):
			realSession = append(realSession, real[i])
			c, err := http.ParseSetCookie(got[i])
			if err != nil {
				t.Fatalf("Go Set-Cookie %q: %v", got[i], err)
			}
			goSession = append(goSession, c)
		default:
			t.Errorf("unexpected cookie %s", r.name)
		}
	}
	sameSessionCookies(t, sessionName, realSession, goSession)
}
