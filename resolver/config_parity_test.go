package resolver_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
)

// mintFor mints a token salted for the cookie name cfg decides.
func mintFor(t *testing.T, cfg resolver.Config, email string) string {
	t.Helper()
	c, err := resolver.NewCodec(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.Encode(resolver.Claims{"email": email}, mwNow, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestUndecidedCookieNameAcceptsBothAndSaysWhich(t *testing.T) {
	base := resolver.Config{Secrets: []string{mwSecret}}
	secure := base
	secure.UseSecureCookies = resolver.SecureCookiesOn
	plainTok, secureTok := mintFor(t, base, "plain@example.com"), mintFor(t, secure, "secure@example.com")
	r, err := resolver.NewJWTResolver(base, resolver.WithClock(func() time.Time { return mwNow }))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.CookieNames(), " "); got != "__Secure-authjs.session-token authjs.session-token" {
		t.Fatalf("names %q", got)
	}
	for _, c := range []struct{ header, email, cookie string }{
		{"authjs.session-token=" + plainTok, "plain@example.com", "authjs.session-token"},
		{"__Secure-authjs.session-token=" + secureTok, "secure@example.com", "__Secure-authjs.session-token"},
		{"authjs.session-token=" + plainTok + "; __Secure-authjs.session-token=" + secureTok, "secure@example.com", "__Secure-authjs.session-token"},
	} {
		res, _ := r.Resolve(t.Context(), resolver.FromCookieHeader(c.header))
		if !res.OK() || res.Cookie != c.cookie {
			t.Fatalf("%.40s…: %s from %q", c.header, res.Reason, res.Cookie)
		}
		if email, _ := res.Session.User.Email.Str(); email != c.email {
			t.Fatalf("read %s", email)
		}
	}
	// A Bearer token salted for the secure name, on a request whose scheme is unknown.
	res, _ := r.Resolve(t.Context(), resolver.Input{}.WithBearer("Bearer "+secureTok))
	if !res.OK() || res.Cookie != resolver.BearerSource {
		t.Fatalf("bearer: %s from %q", res.Reason, res.Cookie)
	}
	// Decided configurations read one name only.
	for _, c := range []struct {
		cfg  resolver.Config
		name string
	}{
		{resolver.Config{BaseURL: "https://app.example.com"}, "__Secure-authjs.session-token"},
		{resolver.Config{BaseURL: "https://app.example.com", UseSecureCookies: resolver.SecureCookiesOff}, "authjs.session-token"},
		{resolver.Config{UseSecureCookies: resolver.SecureCookiesOn}, "__Secure-authjs.session-token"},
		{resolver.Config{Cookies: resolver.CookiesConfig{SessionToken: resolver.CookieOptions{Name: "app.sid"}}}, "app.sid"},
	} {
		if got := c.cfg.SessionCookieNames(); len(got) != 1 || got[0] != c.name {
			t.Errorf("%+v: names %q, want %q", c.cfg, got, c.name)
		}
	}
}

func TestParityConfigValidation(t *testing.T) {
	for _, c := range []struct {
		cfg  resolver.Config
		want string
	}{
		{resolver.Config{UseSecureCookies: "yes"}, `use_secure_cookies "yes"`},
		{resolver.Config{CookieName: "a", Cookies: resolver.CookiesConfig{SessionToken: resolver.CookieOptions{Name: "b"}}}, "cookie name given twice"},
		{resolver.Config{Cookies: resolver.CookiesConfig{SessionToken: resolver.CookieOptions{SameSite: "sometimes"}}}, "same_site"},
		{resolver.Config{Cookies: resolver.CookiesConfig{SessionToken: resolver.CookieOptions{Path: "app"}}}, "must start with /"},
		{resolver.Config{Cookies: resolver.CookiesConfig{SessionToken: resolver.CookieOptions{Domain: "a.com; x=y"}}}, "must not contain"},
		{resolver.Config{JWTMaxAge: -time.Second}, "jwt max age"},
		{resolver.Config{Codec: resolver.CodecConfig{Kind: "paseto"}}, `codec "paseto"`},
		{resolver.Config{Codec: resolver.CodecConfig{Kind: resolver.CodecJWS}}, "allow-list"},
		{resolver.Config{Codec: resolver.CodecConfig{Kind: resolver.CodecJWS, Algorithms: []string{"RS256"}}}, "key_files or jwks_url"},
		{resolver.Config{Codec: resolver.CodecConfig{Kind: resolver.CodecJWS, Algorithms: []string{"none"}}}, `algorithm "none"`},
		{resolver.Config{Codec: resolver.CodecConfig{JWKSURL: "https://x/jwks"}}, "apply to codec jws"},
	} {
		c.cfg.Secrets = []string{mwSecret}
		err := c.cfg.WithDefaults().Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.cfg, err, c.want)
		}
	}
	ok := resolver.Config{Secrets: []string{mwSecret}, UseSecureCookies: resolver.SecureCookiesAuto, JWTMaxAge: time.Hour,
		Cookies: resolver.CookiesConfig{SessionToken: resolver.CookieOptions{Domain: ".example.com", Path: "/app", SameSite: "None"}}}
	if err := ok.WithDefaults().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestJWTMaxAgeDefaultsToMaxAge(t *testing.T) {
	if got := (resolver.Config{MaxAge: time.Hour}).WithDefaults().JWTMaxAge; got != time.Hour {
		t.Fatalf("JWTMaxAge %s", got)
	}
	if got := (resolver.Config{}).WithDefaults().JWTMaxAge; got != resolver.DefaultMaxAge {
		t.Fatalf("JWTMaxAge %s", got)
	}
}

func TestConfigFromEnvRejects(t *testing.T) {
	if _, err := resolver.ConfigFromEnv(lookupIn(nil), "v6"); err == nil {
		t.Fatal("unknown flavor accepted")
	}
	_, err := resolver.ConfigFromEnv(lookupIn(map[string]string{"NEXTAUTH_URL": "ftp://user:pw@x/"}), resolver.EnvNextAuth)
	if err == nil || !strings.Contains(err.Error(), "NEXTAUTH_URL") || strings.Contains(err.Error(), "pw") {
		t.Fatalf("error %v: want NEXTAUTH_URL named and the password hidden", err)
	}
	cfg, err := resolver.ConfigFromEnv(resolver.Getenv(func(k string) string {
		return map[string]string{"NEXTAUTH_SECRET": "s", "NEXTAUTH_URL": "https://x.example/custom/auth"}[k]
	}), "")
	if err != nil || cfg.BasePath != "/custom/auth" || cfg.Secrets[0] != "s" || !cfg.SecureCookies() {
		t.Fatalf("%+v %v", cfg, err)
	}
}

// The result cache keys on the token under the name the resolver reads
// for each request, so answers for the two names never mix.
func TestCacheFollowsThePerRequestCookieName(t *testing.T) {
	base := resolver.Config{Secrets: []string{mwSecret}}
	secure := base
	secure.UseSecureCookies = resolver.SecureCookiesOn
	plainTok, secureTok := mintFor(t, base, "plain@example.com"), mintFor(t, secure, "secure@example.com")
	cfg := base
	cfg.Cache.Enabled = true
	r, err := resolver.New(cfg, resolver.WithClock(func() time.Time { return mwNow }))
	if err != nil {
		t.Fatal(err)
	}
	both := resolver.FromCookieHeader("authjs.session-token=" + plainTok + "; __Secure-authjs.session-token=" + secureTok)
	for range 2 { // the second round is served from the cache
		for _, c := range []struct {
			in    resolver.Input
			email string
		}{
			{both, "secure@example.com"},
			{both.WithScheme("http", ""), "plain@example.com"},
			{both.WithScheme("https", ""), "secure@example.com"},
		} {
			res, err := r.Resolve(t.Context(), c.in)
			if err != nil || !res.OK() {
				t.Fatalf("%s %v", res.Reason, err)
			}
			if email, _ := res.Session.User.Email.Str(); email != c.email {
				t.Fatalf("read %s, want %s (source %s)", email, c.email, res.Source)
			}
		}
	}
}

// Handler writes and reads its CSRF and callback-url cookies with the
// configured cookies.csrfToken / cookies.callbackUrl options.
func TestHandlerCookieOptions(t *testing.T) {
	cfg := resolver.Config{Secrets: []string{mwSecret}, Cookies: resolver.CookiesConfig{
		CSRFToken:   resolver.CookieOptions{Name: "app.csrf", Domain: ".example.com", SameSite: "strict"},
		CallbackURL: resolver.CookieOptions{Name: "app.cb", Path: "/auth"},
	}}
	r, _ := mwResolver(t, cfg)
	h := resolver.NewHandler(r, cfg)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://app.example.com/api/auth/session", nil))
	lines := rec.Result().Header.Values("Set-Cookie")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "app.csrf=") || !strings.HasSuffix(lines[0], "; Domain=.example.com; Path=/; HttpOnly; SameSite=Strict") ||
		lines[1] != "app.cb=http%3A%2F%2Fapp.example.com; Path=/auth; HttpOnly; SameSite=Lax" {
		t.Fatalf("Set-Cookie %q", lines)
	}
	// The CSRF cookie it issued is read back under the custom name: no new one.
	csrf := strings.SplitN(lines[0], ";", 2)[0]
	req := httptest.NewRequest(http.MethodGet, "http://app.example.com/api/auth/session", nil)
	req.Header.Set("Cookie", csrf+"; app.cb=http%3A%2F%2Fapp.example.com")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if got := rec.Result().Header.Values("Set-Cookie"); len(got) != 0 {
		t.Fatalf("cookies reissued: %q", got)
	}
}
