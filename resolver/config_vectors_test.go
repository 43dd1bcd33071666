package resolver_test

// Configuration interop replay (testdata/authjs/vectors/config, made by
// gen-config-vectors.mjs from the real next-auth v5 and @auth/core):
//
//   - env.json: ConfigFromEnv must give what both setEnvDefaults give
//     (secrets, basePath, trustHost), and the Go resolver, asked at the
//     action URL next-auth's auth() builds, with the request's forwarded
//     headers, must answer Auth()'s body from the same cookie under the
//     same name;
//   - cookies.json: with cookies.sessionToken options, the refresh, clear
//     and sign-out Set-Cookie lines must be Auth.js's (refreshed values
//     compared by decoding them: they hold a random IV and jti), and the
//     refreshed token's exp must follow jwt.maxAge.
//
// No Node is needed.

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/authjstest"
)

type envSnapshot struct {
	Secret    json.RawMessage `json:"secret"`
	BasePath  string          `json:"base_path"`
	TrustHost bool            `json:"trust_host"`
}

type envVector struct {
	Name           string            `json:"name"`
	NowMS          int64             `json:"now_ms"`
	Env            map[string]string `json:"env"`
	RequestHeaders map[string]string `json:"request_headers"`
	Expect         struct {
		NextAuth      envSnapshot `json:"next_auth"`
		Core          envSnapshot `json:"core"`
		ActionURL     *string     `json:"action_url"`
		CookieHeader  string      `json:"cookie_header"`
		Status        *int        `json:"status"`
		BodyRaw       *string     `json:"body_raw"`
		MatchedCookie *string     `json:"matched_cookie"`
	} `json:"expect"`
}

// goDiffers lists env vectors whose Auth() answer Go does not reproduce
// on purpose, with the reason; their configuration is still checked.
var goDiffers = map[string]string{
	"production without a trust signal": "Auth.js answers 500 (UntrustedHost) to every request; a Go service only stops trusting X-Forwarded-Proto",
	"production with NEXTAUTH_URL only": "as above: core's trustHost does not read NEXTAUTH_URL, so Auth.js refuses the host",
}

func loadConfigVectors(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(authjstest.VectorDir, "config", name))
	if err != nil {
		t.Fatalf("%v: run `node gen-config-vectors.mjs` in testdata/authjs", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func lookupIn(env map[string]string) resolver.LookupEnv {
	return func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
}

// secretList is config.secret as either reader leaves it: a string, an
// array, or null.
func secretList(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		t.Fatalf("secret %s: %v", raw, err)
	}
	return list
}

func TestInteropEnvVectors(t *testing.T) {
	var vs []envVector
	loadConfigVectors(t, "env.json", &vs)
	if len(vs) < 20 {
		t.Fatalf("only %d env vectors", len(vs))
	}
	for _, v := range vs {
		t.Run(v.Name, func(t *testing.T) {
			for _, c := range []struct {
				flavor resolver.EnvFlavor
				want   envSnapshot
			}{{resolver.EnvNextAuth, v.Expect.NextAuth}, {resolver.EnvAuthCore, v.Expect.Core}} {
				cfg, err := resolver.ConfigFromEnv(lookupIn(v.Env), c.flavor)
				if v.Expect.ActionURL == nil {
					if err == nil {
						t.Fatalf("%s: no error for an environment Auth.js cannot serve", c.flavor)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: %v", c.flavor, err)
				}
				got := envSnapshot{BasePath: cfg.BasePath, TrustHost: cfg.TrustForwardedProto}
				want := c.want
				if d := cmp.Diff(secretList(t, want.Secret), []string(cfg.Secrets), cmpEmpty); d != "" {
					t.Errorf("%s secrets (-auth.js +go):\n%s", c.flavor, d)
				}
				want.Secret, got.Secret = nil, nil
				if d := cmp.Diff(want, got); d != "" {
					t.Errorf("%s (-auth.js +go):\n%s", c.flavor, d)
				}
			}
			if v.Expect.ActionURL != nil {
				replayEnvRequest(t, v)
			}
		})
	}
}

var cmpEmpty = cmp.Comparer(func(a, b []string) bool {
	return len(a) == len(b) && (len(a) == 0 || cmp.Equal([]string(a), []string(b)))
})

// replayEnvRequest asks the Go handler what Auth() was asked: GET at the
// action URL, with the request's forwarded headers and both cookies.
func replayEnvRequest(t *testing.T, v envVector) {
	t.Helper()
	cfg, err := resolver.ConfigFromEnv(lookupIn(v.Env), resolver.EnvNextAuth)
	if err != nil {
		t.Fatal(err)
	}
	now := time.UnixMilli(v.NowMS)
	r, err := resolver.New(cfg, resolver.WithClock(func() time.Time { return now }))
	if *v.Expect.Status == 500 && len(cfg.Secrets) == 0 {
		if !errors.Is(err, resolver.ErrUnconfigured) {
			t.Fatalf("Auth.js has no secret (500); New: %v", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if why, ok := goDiffers[v.Name]; ok {
		if cfg.TrustForwardedProto {
			t.Fatalf("trusts forwarded headers, but %s", why)
		}
		t.Logf("body not compared: %s", why)
		return
	}
	u, err := url.Parse(*v.Expect.ActionURL)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, u.RequestURI(), nil)
	for k, val := range v.RequestHeaders {
		req.Header.Set(k, val)
	}
	req.Host = req.Header.Get("Host")
	req.Header.Set("Cookie", v.Expect.CookieHeader)
	rec := httptest.NewRecorder()
	resolver.NewHandler(r, cfg, resolver.WithTrustForwarded(cfg.TrustForwardedProto)).ServeHTTP(rec, req)
	if rec.Code != *v.Expect.Status || rec.Body.String() != *v.Expect.BodyRaw {
		t.Fatalf("GET %s: %d %s\nauth.js: %d %s", u.RequestURI(), rec.Code, rec.Body, *v.Expect.Status, *v.Expect.BodyRaw)
	}
	res, err := r.Resolve(t.Context(), resolver.FromRequest(req))
	if err != nil {
		t.Fatal(err)
	}
	want := ""
	if v.Expect.MatchedCookie != nil {
		want = *v.Expect.MatchedCookie
	}
	if res.OK() && res.Cookie != want {
		t.Fatalf("read %q, Auth.js read %q", res.Cookie, want)
	}
}

type cookieVector struct {
	Name            string          `json:"name"`
	NowMS           int64           `json:"now_ms"`
	Secrets         []string        `json:"secrets"`
	BaseURL         string          `json:"base_url"`
	MaxAge          int64           `json:"max_age"`
	JWTMaxAge       *int64          `json:"jwt_max_age"`
	SessionToken    *sessionToken   `json:"session_token"`
	CookieName      string          `json:"cookie_name"`
	CookieHeader    string          `json:"cookie_header"`
	BadCookieHeader string          `json:"bad_cookie_header"`
	Expect          cookieVectorExp `json:"expect"`
}

type sessionToken struct {
	Name    string `json:"name"`
	Options struct {
		Domain   string `json:"domain"`
		Path     string `json:"path"`
		SameSite string `json:"sameSite"`
		Secure   *bool  `json:"secure"`
		HTTPOnly *bool  `json:"httpOnly"`
	} `json:"options"`
}

type cookieVectorExp struct {
	BodyRaw          string         `json:"body_raw"`
	RefreshSetCookie []string       `json:"refresh_set_cookie"`
	ClearSetCookie   []string       `json:"clear_set_cookie"`
	SignoutSetCookie []string       `json:"signout_set_cookie"`
	RefreshedClaims  map[string]any `json:"refreshed_claims"`
}

func (v cookieVector) config() resolver.Config {
	cfg := resolver.Config{Secrets: v.Secrets, BaseURL: v.BaseURL, MaxAge: time.Duration(v.MaxAge) * time.Second, RefreshCookies: true}
	if v.JWTMaxAge != nil {
		cfg.JWTMaxAge = time.Duration(*v.JWTMaxAge) * time.Second
	}
	if st := v.SessionToken; st != nil {
		cfg.Cookies.SessionToken = resolver.CookieOptions{
			Name: st.Name, Domain: st.Options.Domain, Path: st.Options.Path,
			SameSite: st.Options.SameSite, Secure: st.Options.Secure, HTTPOnly: st.Options.HTTPOnly,
		}
	}
	return cfg
}

func TestInteropCookieVectors(t *testing.T) {
	var vs []cookieVector
	loadConfigVectors(t, "cookies.json", &vs)
	if len(vs) < 8 {
		t.Fatalf("only %d cookie vectors", len(vs))
	}
	for _, v := range vs {
		t.Run(v.Name, func(t *testing.T) {
			cfg := v.config()
			now := time.UnixMilli(v.NowMS)
			r, err := resolver.NewJWTResolver(cfg, resolver.WithClock(func() time.Time { return now }))
			if err != nil {
				t.Fatal(err)
			}
			if r.CookieName() != v.CookieName {
				t.Fatalf("cookie name %q, Auth.js %q", r.CookieName(), v.CookieName)
			}
			res, err := r.Resolve(t.Context(), resolver.FromCookieHeader(v.CookieHeader))
			if err != nil {
				t.Fatal(err)
			}
			if got := string(resolver.MarshalSessionBody(res.Session)); got != v.Expect.BodyRaw {
				t.Fatalf("body %s\nauth.js %s", got, v.Expect.BodyRaw)
			}
			compareRefresh(t, r, resolver.SetCookieLines(res.SetCookies), v)
			bad, _ := r.Resolve(t.Context(), resolver.FromCookieHeader(v.BadCookieHeader))
			if d := cmp.Diff(v.Expect.ClearSetCookie, resolver.SetCookieLines(bad.SetCookies)); d != "" {
				t.Errorf("clear (-auth.js +go):\n%s", d)
			}
			if d := cmp.Diff(v.Expect.SignoutSetCookie, resolver.SetCookieLines(r.SignOutCookies(resolver.FromCookieHeader(v.CookieHeader)))); d != "" {
				t.Errorf("sign-out (-auth.js +go):\n%s", d)
			}
		})
	}
}

// compareRefresh requires Auth.js's refresh lines with the token values
// blanked, and the refreshed token (reassembled) to decode to Auth.js's
// refreshed claims but for the random jti.
func compareRefresh(t *testing.T, r *resolver.JWTResolver, got []string, v cookieVector) {
	t.Helper()
	blank := func(lines []string) []string {
		out := make([]string, len(lines))
		for i, l := range lines {
			nv, attrs, _ := strings.Cut(l, ";")
			name, val, _ := strings.Cut(nv, "=")
			if val != "" {
				val = "<token>"
			}
			out[i] = name + "=" + val + ";" + attrs
		}
		return out
	}
	if d := cmp.Diff(blank(v.Expect.RefreshSetCookie), blank(got)); d != "" {
		t.Fatalf("refresh (-auth.js +go):\n%s", d)
	}
	type chunk struct {
		idx int
		val string
	}
	var chunks []chunk
	for _, l := range got {
		nv, _, _ := strings.Cut(l, ";")
		name, val, _ := strings.Cut(nv, "=")
		if val == "" {
			continue
		}
		idx := 0
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			idx, _ = strconv.Atoi(name[i+1:])
		}
		chunks = append(chunks, chunk{idx, val})
	}
	sort.Slice(chunks, func(i, j int) bool { return chunks[i].idx < chunks[j].idx })
	var tok strings.Builder
	for _, c := range chunks {
		tok.WriteString(c.val)
	}
	claims, reason, err := r.TokenCodec().Decode(tok.String(), time.UnixMilli(v.NowMS))
	if err != nil {
		t.Fatalf("refreshed token: %s %v", reason, err)
	}
	gotClaims := map[string]any{}
	for k, val := range claims {
		gotClaims[k] = val
	}
	b, _ := json.Marshal(gotClaims)
	var norm map[string]any
	json.Unmarshal(b, &norm)
	want := v.Expect.RefreshedClaims
	delete(norm, "jti")
	wantCopy := map[string]any{}
	for k, val := range want {
		if k != "jti" {
			wantCopy[k] = val
		}
	}
	if d := cmp.Diff(wantCopy, norm); d != "" {
		t.Fatalf("refreshed claims (-auth.js +go):\n%s", d)
	}
}
