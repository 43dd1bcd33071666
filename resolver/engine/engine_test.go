package engine

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/betterauth"
)

const secret = "test-only-engine-secret-0123456789abcdef"

var now = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

func clock() time.Time { return now }

// fixture is one Auth.js JWT cookie and one Better Auth session, both valid
// under the same secret (a deployment migrating keeps AUTH_SECRET).
type fixture struct {
	ajCookie, baCookie string
	store              *betterauth.MemoryStore
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	cfg := resolver.Config{Secrets: []string{secret}}.WithDefaults()
	codec, err := resolver.NewCodec(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := codec.Encode(resolver.Claims{"sub": "aj-user", "name": "Grace", "email": "grace@example.test"}, now, cfg.MaxAge)
	if err != nil {
		t.Fatal(err)
	}
	st := betterauth.NewMemoryStore()
	iso := func(t time.Time) string { return t.Format("2006-01-02T15:04:05.000Z") }
	st.PutUser(betterauth.Object{{Name: "id", Value: "ba-user"}, {Name: "name", Value: "Ada"}, {Name: "email", Value: "ada@example.test"},
		{Name: "emailVerified", Value: float64(0)}, {Name: "image", Value: nil}, {Name: "createdAt", Value: iso(now)}, {Name: "updatedAt", Value: iso(now)}})
	st.PutSession(betterauth.Object{{Name: "id", Value: "s1"}, {Name: "expiresAt", Value: iso(now.Add(7 * 24 * time.Hour))}, {Name: "token", Value: "ba-token"},
		{Name: "createdAt", Value: iso(now)}, {Name: "updatedAt", Value: iso(now)}, {Name: "ipAddress", Value: nil}, {Name: "userAgent", Value: nil}, {Name: "userId", Value: "ba-user"}})
	return fixture{
		ajCookie: cfg.SessionCookieName() + "=" + tok,
		baCookie: "better-auth.session_token=" + betterauth.SignCookieValue("ba-token", secret),
		store:    st,
	}
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func newEngine(t *testing.T, name Name, f fixture) resolver.Resolver {
	t.Helper()
	shared := resolver.Config{Secrets: []string{secret}}
	ba, err := BetterAuthConfig(shared, env(map[string]string{"AUTH_SECRET": secret}))
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(Config{Engine: name, AuthJS: shared, BetterAuth: ba}, Parts{BetterAuthStore: f.store, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestParse(t *testing.T) {
	for in, want := range map[string]Name{"": AuthJS, "authjs": AuthJS, "better-auth": BetterAuth, " auto ": Auto} {
		if got, err := Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := Parse("betterauth"); err == nil {
		t.Error("Parse accepted an unknown engine")
	}
}

func TestAutoPicksByCookie(t *testing.T) {
	f := newFixture(t)
	r := newEngine(t, Auto, f)
	for _, c := range []struct {
		name, header, engine, user string
		reason                     resolver.Reason
	}{
		{"better-auth cookie", f.baCookie, "better-auth", "ba-user", resolver.ReasonOK},
		{"auth.js cookie", f.ajCookie, "authjs", "aj-user", resolver.ReasonOK},
		{"both, better auth valid", f.baCookie + "; " + f.ajCookie, "better-auth", "ba-user", resolver.ReasonOK},
		{"both, better auth tampered", "better-auth.session_token=" + betterauth.SignCookieValue("ba-token", "another-secret-0123456789abcdefghijkl") + "; " + f.ajCookie, "authjs", "aj-user", resolver.ReasonOK},
		{"better auth alone, tampered", "better-auth.session_token=" + betterauth.SignCookieValue("ba-token", "another-secret-0123456789abcdefghijkl"), "better-auth", "", resolver.ReasonWrongKey},
		{"neither", "theme=dark", "authjs", "", resolver.ReasonNoCookie},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := r.Resolve(context.Background(), resolver.FromCookieHeader(c.header))
			if err != nil {
				t.Fatal(err)
			}
			if res.Engine != c.engine || res.Reason != c.reason {
				t.Fatalf("engine %q reason %s (%v); want %q %s", res.Engine, res.Reason, res.Err, c.engine, c.reason)
			}
			if c.user != "" && res.Session.User.ID != c.user {
				t.Fatalf("user %q, want %q", res.Session.User.ID, c.user)
			}
		})
	}
}

func TestSingleEngines(t *testing.T) {
	f := newFixture(t)
	ba := newEngine(t, BetterAuth, f)
	res, _ := ba.Resolve(context.Background(), resolver.FromCookieHeader(f.baCookie))
	if !res.OK() || res.Engine != "better-auth" || res.Source != "database" {
		t.Fatalf("better-auth: %+v", res)
	}
	// Better Auth alone does not read Auth.js cookies.
	if res, _ := ba.Resolve(context.Background(), resolver.FromCookieHeader(f.ajCookie)); res.OK() || res.Reason != resolver.ReasonNoCookie {
		t.Fatalf("better-auth answered an Auth.js cookie: %s", res.Reason)
	}
	aj := newEngine(t, AuthJS, f)
	if res, _ := aj.Resolve(context.Background(), resolver.FromCookieHeader(f.baCookie)); res.OK() {
		t.Fatal("authjs answered a Better Auth cookie")
	}
}

func TestBetterAuthLocalNeedsStore(t *testing.T) {
	ba, _ := BetterAuthConfig(resolver.Config{}, env(map[string]string{"BETTER_AUTH_SECRET": secret}))
	_, err := New(Config{Engine: BetterAuth, BetterAuth: ba}, Parts{})
	if !errors.Is(err, resolver.ErrUnconfigured) {
		t.Fatalf("err = %v, want ErrUnconfigured", err)
	}
}

func TestBetterAuthConfigSecrets(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"BETTER_AUTH_SECRET": "a", "AUTH_SECRET": "b"}, "a"},
		{map[string]string{"AUTH_SECRET": "b"}, "b"},
		{map[string]string{"BETTER_AUTH_SECRETS": "2:c,1:d", "AUTH_SECRET": "b"}, "c"},
	} {
		got, err := BetterAuthConfig(resolver.Config{}, env(c.env))
		if err != nil || got.Secrets.Current != c.want {
			t.Errorf("%v: current secret from %d chars, err %v; want the one of %q", c.env, len(got.Secrets.Current), err, c.want)
		}
	}
	got, _ := BetterAuthConfig(resolver.Config{BaseURL: "http://a.test", ReadOnly: true}, env(map[string]string{"BETTER_AUTH_URL": "https://b.test"}))
	if got.BaseURL != "https://b.test" || !got.ReadOnly || got.Names().SessionToken != "__Secure-better-auth.session_token" {
		t.Fatalf("config %+v", got)
	}
}

// vectorBody is the get-session body a real Better Auth server answered.
func vectorBody(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../testdata/betterauth/vectors/database.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []struct {
		Name   string
		Expect struct {
			BodyRaw string `json:"body_raw"`
		}
	}
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	return vs[0].Expect.BodyRaw
}

func TestBetterAuthProxy(t *testing.T) {
	body := vectorBody(t)
	var gotPath, gotCookie string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath, gotCookie = r.URL.Path, r.Header.Get("Cookie")
		switch r.Header.Get("Cookie") {
		case "better-auth.session_token=good.sig":
			w.Header().Add("Set-Cookie", "better-auth.session_data=x; Path=/")
			w.Header().Add("Set-Cookie", "other=y; Path=/")
			w.Write([]byte(body))
		case "better-auth.session_token=redirect.sig":
			http.Redirect(w, r, "/login", http.StatusFound)
		default:
			w.Write([]byte("null"))
		}
	}))
	defer up.Close()
	shared := resolver.Config{Mode: resolver.ModeProxy, BaseURL: up.URL, RefreshCookies: true}
	ba, err := BetterAuthConfig(shared, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(Config{Engine: BetterAuth, AuthJS: shared, BetterAuth: ba}, Parts{})
	if err != nil {
		t.Fatal(err)
	}
	res, _ := r.Resolve(context.Background(), resolver.FromCookieHeader("better-auth.session_token=good.sig"))
	if gotPath != "/api/auth/get-session" || gotCookie != "better-auth.session_token=good.sig" {
		t.Fatalf("upstream saw %s with cookie %q", gotPath, gotCookie)
	}
	if !res.OK() || res.Source != "upstream" || res.Engine != "better-auth" || res.Session.User.ID != "3wuHATtdGBZPTa1CsXycuIjB4hr81liK" {
		t.Fatalf("result %+v", res)
	}
	if len(res.SetCookies) != 1 || res.SetCookies[0].Name != "better-auth.session_data" {
		t.Fatalf("set-cookies %v, want only better-auth.session_data", res.SetCookies)
	}
	if res, _ := r.Resolve(context.Background(), resolver.FromCookieHeader("better-auth.session_token=x.y")); res.Reason != resolver.ReasonUpstreamNull {
		t.Fatalf("null body: %s", res.Reason)
	}
	res, _ = r.Resolve(context.Background(), resolver.FromCookieHeader("better-auth.session_token=redirect.sig"))
	var ue *resolver.UpstreamError
	if res.Reason != resolver.ReasonUpstreamStatus || !errors.As(res.Err, &ue) || ue.StatusCode != http.StatusFound {
		t.Fatalf("redirect: %s %v", res.Reason, res.Err)
	}
}

func TestResolveAnswer(t *testing.T) {
	f := newFixture(t)
	for _, name := range []Name{BetterAuth, Auto} {
		r := newEngine(t, name, f)
		a, err := Resolve(context.Background(), r, resolver.FromCookieHeader(f.baCookie), betterauth.Options{})
		if err != nil || !a.Exact || a.Body == nil || a.Result.Engine != "better-auth" {
			t.Fatalf("%s: %+v %v", name, a, err)
		}
		if got := string(betterauth.MarshalBody(a.Body)); !strings.Contains(got, `"token":"ba-token"`) || !strings.HasPrefix(got, `{"session":{"expiresAt":`) {
			t.Fatalf("%s: body %s", name, got)
		}
	}
	a, _ := Resolve(context.Background(), newEngine(t, Auto, f), resolver.FromCookieHeader(f.ajCookie), betterauth.Options{})
	if a.Body != nil || a.Result.Engine != "authjs" || !a.Result.OK() {
		t.Fatalf("auto, Auth.js cookie: %+v", a)
	}
}
