package resolver_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
)

var mwNow = time.Date(2025, 11, 27, 8, 0, 0, 123e6, time.UTC)

const mwSecret = "middleware-test-secret-not-for-production"

// mwResolver is a local JWT resolver at a fixed clock and a token it
// accepts (for a user with PII in it, so the log tests have something to
// look for).
func mwResolver(t *testing.T, cfg resolver.Config) (*resolver.JWTResolver, string) {
	t.Helper()
	cfg.Secrets = []string{mwSecret}
	r, err := resolver.NewJWTResolver(cfg, resolver.WithClock(func() time.Time { return mwNow }))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := r.TokenCodec().Encode(resolver.Claims{"name": "Ada Lovelace", "email": "ada@example.com", "sub": "u1"}, mwNow, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return r, tok
}

// whoami answers the session's e-mail, or "anonymous".
var whoami = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	s, ok := resolver.SessionFromContext(r.Context())
	if !ok {
		io.WriteString(w, "anonymous")
		return
	}
	email, _ := s.User.Email.Str()
	io.WriteString(w, email)
})

func serve(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func get(cookie string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, "/dash?tab=1", nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	return req
}

func TestMiddlewarePutsTheResultInTheContext(t *testing.T) {
	r, tok := mwResolver(t, resolver.Config{})
	var got resolver.Result
	h := resolver.Middleware(r)(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var ok bool
		if got, ok = resolver.ResultFromContext(req.Context()); !ok {
			t.Error("no Result in the context")
		}
		whoami(w, req)
	}))
	rec := serve(h, get("theme=dark; authjs.session-token="+tok))
	if rec.Body.String() != "ada@example.com" {
		t.Fatalf("body %q", rec.Body)
	}
	if got.Reason != resolver.ReasonOK || got.Source != "jwt" || got.Cookie != "authjs.session-token" {
		t.Fatalf("result %+v", got)
	}
	if rec := serve(h, get("")); rec.Body.String() != "anonymous" || got.Reason != resolver.ReasonNoCookie {
		t.Fatalf("without a cookie: body %q, reason %s", rec.Body, got.Reason)
	}
	if s, ok := resolver.SessionFromContext(context.Background()); s != nil || ok {
		t.Fatal("a bare context has a session")
	}
}

func TestRequireSessionAnswers401(t *testing.T) {
	r, tok := mwResolver(t, resolver.Config{})
	h := resolver.Middleware(r)(resolver.RequireSession()(whoami))
	for _, c := range []struct {
		name, cookie, challenge string
		status                  int
	}{
		{"session", "authjs.session-token=" + tok, "", 200},
		{"no cookie", "", `Bearer realm="session"`, 401},
		{"garbage", "authjs.session-token=garbage", `Bearer realm="session", error="invalid_token"`, 401},
		{"tampered", "authjs.session-token=" + tok[:len(tok)-4] + "AAAA", `Bearer realm="session", error="invalid_token"`, 401},
	} {
		rec := serve(h, get(c.cookie))
		if rec.Code != c.status || rec.Header().Get("WWW-Authenticate") != c.challenge {
			t.Errorf("%s: %d %q, want %d %q", c.name, rec.Code, rec.Header().Get("WWW-Authenticate"), c.status, c.challenge)
		}
		if c.status == 401 {
			if rec.Body.String() != `{"error":"unauthorized"}` || rec.Header().Get("Content-Type") != "application/json" || rec.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("%s: body %q, headers %v", c.name, rec.Body, rec.Header())
			}
		}
	}
}

func TestRequireSessionRedirectsToSignIn(t *testing.T) {
	r, _ := mwResolver(t, resolver.Config{})
	h := resolver.Middleware(r)(resolver.RequireSession(resolver.WithSignInRedirect("/api/auth/signin"))(whoami))
	rec := serve(h, get(""))
	if rec.Code != http.StatusTemporaryRedirect || rec.Header().Get("Location") != "/api/auth/signin?callbackUrl=%2Fdash%3Ftab%3D1" {
		t.Fatalf("GET: %d Location %q", rec.Code, rec.Header().Get("Location"))
	}
	post := httptest.NewRequest(http.MethodPost, "/dash", nil)
	if rec := serve(h, post); rec.Code != http.StatusUnauthorized {
		t.Fatalf("POST: %d, want 401 (a redirect would replay the POST at the sign-in page)", rec.Code)
	}
	h = resolver.Middleware(r)(resolver.RequireSession(resolver.WithSignInRedirect("https://auth.example.com/signin?x=1"))(whoami))
	if loc := serve(h, get("")).Header().Get("Location"); loc != "https://auth.example.com/signin?x=1&callbackUrl=%2Fdash%3Ftab%3D1" {
		t.Fatalf("Location %q", loc)
	}
}

// fixedResolver answers the same Result (and error) to every request.
type fixedResolver struct {
	res resolver.Result
	err error
}

func (f fixedResolver) Resolve(context.Context, resolver.Input) (resolver.Result, error) {
	return f.res, f.err
}

func TestRequireSessionInfrastructureFailures(t *testing.T) {
	down := fixedResolver{res: resolver.Result{Reason: resolver.ReasonStoreError, Source: "database"}}
	rec := serve(resolver.Middleware(down)(resolver.RequireSession()(whoami)), get("x=1"))
	if rec.Code != 401 {
		t.Fatalf("store down without WithUnavailableStatus: %d, want 401", rec.Code)
	}
	h := resolver.Middleware(down)(resolver.RequireSession(resolver.WithUnavailableStatus())(whoami))
	rec = serve(h, get("x=1"))
	if rec.Code != 503 || rec.Body.String() != `{"error":"session_unavailable"}` || rec.Header().Get("Retry-After") != "1" {
		t.Fatalf("store down: %d %q %v", rec.Code, rec.Body, rec.Header())
	}
	expired := fixedResolver{res: resolver.Result{Reason: resolver.ReasonExpired}}
	if rec := serve(resolver.Middleware(expired)(resolver.RequireSession(resolver.WithUnavailableStatus())(whoami)), get("x=1")); rec.Code != 401 {
		t.Fatalf("expired with WithUnavailableStatus: %d, want 401", rec.Code)
	}
	for _, r := range []resolver.Reason{resolver.ReasonUpstreamTimeout, resolver.ReasonUpstreamError, resolver.ReasonUpstreamStatus, resolver.ReasonKeys} {
		if !r.Infrastructure() {
			t.Errorf("%s is not an infrastructure failure", r)
		}
	}
	for _, r := range []resolver.Reason{resolver.ReasonNoCookie, resolver.ReasonDecrypt, resolver.ReasonUnknownSession, resolver.ReasonUpstreamNull} {
		if r.Infrastructure() {
			t.Errorf("%s is an infrastructure failure", r)
		}
	}
}

func TestRequireSessionServerErrors(t *testing.T) {
	var zero resolver.JWTResolver // declared, not built: ErrUnconfigured
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	rec := serve(resolver.Middleware(&zero, resolver.WithMiddlewareLogger(logger))(resolver.RequireSession()(whoami)), get("x=1"))
	if rec.Code != 500 || rec.Body.String() != `{"error":"session_resolver_unavailable"}` {
		t.Fatalf("unconfigured resolver: %d %q", rec.Code, rec.Body)
	}
	if !strings.Contains(logs.String(), "session resolver failed") {
		t.Fatalf("the resolver failure was not logged: %q", logs.String())
	}
	logs.Reset()
	rec = serve(resolver.RequireSession(resolver.WithMiddlewareLogger(logger))(whoami), get("x=1"))
	if rec.Code != 500 || !strings.Contains(logs.String(), "without resolver.Middleware") {
		t.Fatalf("RequireSession alone: %d, logs %q", rec.Code, logs.String())
	}
}

func TestRequireSessionFailureHandler(t *testing.T) {
	r, _ := mwResolver(t, resolver.Config{})
	var seen resolver.Reason
	h := resolver.Middleware(r)(resolver.RequireSession(resolver.WithFailureHandler(func(w http.ResponseWriter, _ *http.Request, res resolver.Result) {
		seen = res.Reason
		w.WriteHeader(http.StatusTeapot)
	}))(whoami))
	if rec := serve(h, get("authjs.session-token=garbage")); rec.Code != http.StatusTeapot || seen != resolver.ReasonMalformed {
		t.Fatalf("%d, reason %s", rec.Code, seen)
	}
}

func TestMiddlewareBearerOnlyWhenEnabled(t *testing.T) {
	r, tok := mwResolver(t, resolver.Config{})
	bearer := func() *http.Request {
		req := get("")
		req.Header.Set("Authorization", "Bearer "+tok)
		return req
	}
	off := resolver.Middleware(r)(resolver.RequireSession()(whoami))
	if rec := serve(off, bearer()); rec.Code != 401 {
		t.Fatalf("Bearer read without WithBearerToken: %d", rec.Code)
	}
	var got resolver.Result
	on := resolver.Middleware(r, resolver.WithBearerToken())(resolver.RequireSession()(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		got, _ = resolver.ResultFromContext(req.Context())
		whoami(w, req)
	})))
	if rec := serve(on, bearer()); rec.Code != 200 || rec.Body.String() != "ada@example.com" || got.Cookie != resolver.BearerSource {
		t.Fatalf("Bearer with WithBearerToken: %d %q from %q", rec.Code, rec.Body, got.Cookie)
	}
	// The cookie wins when both are present, as in getToken.
	both := bearer()
	both.Header.Set("Cookie", "authjs.session-token=garbage")
	if rec := serve(on, both); rec.Code != 401 {
		t.Fatalf("a bad cookie with a good Bearer: %d, want 401 (cookie first)", rec.Code)
	}
	other := get("")
	other.Header.Set("Authorization", "Basic "+tok)
	if rec := serve(on, other); rec.Code != 401 {
		t.Fatalf("Basic scheme: %d", rec.Code)
	}
}

func TestMiddlewareForwardsRefreshedCookies(t *testing.T) {
	r, tok := mwResolver(t, resolver.Config{RefreshCookies: true, Cookies: resolver.CookiesConfig{SessionToken: resolver.CookieOptions{Domain: ".example.com"}}})
	plain := resolver.Middleware(r)(whoami)
	if rec := serve(plain, get("authjs.session-token="+tok)); len(rec.Result().Header.Values("Set-Cookie")) != 0 {
		t.Fatalf("Set-Cookie without WithRefreshCookies: %q", rec.Result().Header.Values("Set-Cookie"))
	}
	h := resolver.Middleware(r, resolver.WithRefreshCookies())(whoami)
	lines := serve(h, get("authjs.session-token="+tok)).Result().Header.Values("Set-Cookie")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "authjs.session-token=eyJ") ||
		!strings.HasSuffix(lines[0], "; Domain=.example.com; Path=/; Expires=Sat, 27 Dec 2025 08:00:00 GMT; HttpOnly; SameSite=Lax") {
		t.Fatalf("refresh: %q", lines)
	}
	lines = serve(h, get("authjs.session-token=garbage")).Result().Header.Values("Set-Cookie")
	if len(lines) != 1 || lines[0] != "authjs.session-token=; Max-Age=0; Domain=.example.com; Path=/; HttpOnly; SameSite=Lax" {
		t.Fatalf("clear: %q", lines)
	}
}

func TestMiddlewareCookieNameFromTheRequestScheme(t *testing.T) {
	for _, trust := range []bool{false, true} {
		r, _ := mwResolver(t, resolver.Config{TrustForwardedProto: trust})
		secureTok, err := resolver.NewCodec(resolver.Config{Secrets: []string{mwSecret}, UseSecureCookies: resolver.SecureCookiesOn})
		if err != nil {
			t.Fatal(err)
		}
		tok, _ := secureTok.Encode(resolver.Claims{"email": "secure@example.com"}, mwNow, time.Hour)
		h := resolver.Middleware(r)(whoami)

		tlsReq := get("__Secure-authjs.session-token=" + tok)
		tlsReq.TLS = &tls.ConnectionState{}
		if body := serve(h, tlsReq).Body.String(); body != "secure@example.com" {
			t.Errorf("trust=%v: TLS request read %q", trust, body)
		}
		fwd := get("__Secure-authjs.session-token=" + tok)
		fwd.Header.Set("X-Forwarded-Proto", "https")
		want := "anonymous"
		if trust {
			want = "secure@example.com"
		}
		if body := serve(h, fwd).Body.String(); body != want {
			t.Errorf("trust=%v: forwarded https read %q, want %q", trust, body, want)
		}
	}
}

// The middleware's logs carry reasons, never tokens or session contents.
func TestMiddlewareLogsNoTokenOrPII(t *testing.T) {
	r, tok := mwResolver(t, resolver.Config{RefreshCookies: true})
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := resolver.Middleware(r, resolver.WithMiddlewareLogger(logger), resolver.WithBearerToken(), resolver.WithRefreshCookies())(
		resolver.RequireSession(resolver.WithMiddlewareLogger(logger))(whoami))
	serve(h, get("authjs.session-token="+tok))
	serve(h, get("authjs.session-token="+tok[:len(tok)-4]+"AAAA"))
	req := get("")
	req.Header.Set("Authorization", "Bearer "+tok+"x")
	serve(h, req)
	out := logs.String()
	if !strings.Contains(out, `"reason":"decrypt"`) {
		t.Fatalf("expected a debug line with the reason, got %q", out)
	}
	for _, secret := range []string{tok[:40], tok[len(tok)-40 : len(tok)-4], "ada@example.com", "Ada Lovelace", mwSecret} {
		if strings.Contains(out, secret) {
			t.Fatalf("logs contain %q: %s", secret, out)
		}
	}
}

func TestMiddlewareNilResolverPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	resolver.Middleware(nil)
}

func TestNewContextCarriesAResult(t *testing.T) {
	ctx := resolver.NewContext(context.Background(), resolver.Result{Session: &resolver.Session{}, Reason: resolver.ReasonOK})
	if _, ok := resolver.SessionFromContext(ctx); !ok {
		t.Fatal("no session")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, ok := resolver.SessionFromContext(cctx); !ok || !errors.Is(cctx.Err(), context.Canceled) {
		t.Fatal("a derived context lost the result or its cancellation")
	}
}
