package engine

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/betterauth"
)

// The recorded get-session vectors (real Better Auth, database sessions
// not due for extension) through GetSessionHandler with the result cache
// on (a miss, then a hit) and in proxy mode to an upstream answering the
// recorded bytes: every answer is the real one, byte for byte.

type dbVector struct {
	Name    string `json:"name"`
	NowMS   int64  `json:"now_ms"`
	Options struct {
		Secret      *string         `json:"secret"`
		Disable     bool            `json:"disable_session_refresh"`
		ExpiresIn   *int            `json:"expires_in"`
		UpdateAge   *int            `json:"update_age"`
		Prefix      *string         `json:"cookie_prefix"`
		BaseURL     string          `json:"base_url"`
		UserFields  json.RawMessage `json:"user_additional_fields"`
		CookieCache json.RawMessage `json:"cookie_cache"`
	} `json:"options"`
	Rows struct {
		User    []map[string]any `json:"user"`
		Session []map[string]any `json:"session"`
	} `json:"rows_before"`
	Cookie *string `json:"cookie_header"`
	Query  string  `json:"query"`
	Expect struct {
		BodyRaw   string   `json:"body_raw"`
		SetCookie []string `json:"set_cookie"`
	} `json:"expect"`
}

// plainSessions are the vectors a plain configuration answers with a
// session and no Set-Cookie: what a cache may serve again.
func plainSessions(t *testing.T) []dbVector {
	t.Helper()
	b, err := os.ReadFile("../../testdata/betterauth/vectors/database.json")
	if err != nil {
		t.Fatal(err)
	}
	var all, out []dbVector
	if err := json.Unmarshal(b, &all); err != nil {
		t.Fatal(err)
	}
	for _, v := range all {
		o := v.Options
		if o.Disable || o.ExpiresIn != nil || o.UpdateAge != nil || o.Prefix != nil {
			continue
		}
		if v.Cookie != nil && v.Options.Secret != nil && string(v.Options.UserFields) == "null" && string(v.Options.CookieCache) == "null" &&
			v.Query == "" && len(v.Expect.SetCookie) == 0 && v.Expect.BodyRaw != "null" {
			out = append(out, v)
		}
	}
	if len(out) < 3 {
		t.Fatalf("only %d plain vectors", len(out))
	}
	return out
}

func memStore(v dbVector) *betterauth.MemoryStore {
	st := betterauth.NewMemoryStore()
	obj := func(m map[string]any) betterauth.Object {
		o := betterauth.Object{}
		for k, x := range m {
			o = append(o, betterauth.Field{Name: k, Value: x})
		}
		return o
	}
	for _, u := range v.Rows.User {
		st.PutUser(obj(u))
	}
	for _, s := range v.Rows.Session {
		st.PutSession(obj(s))
	}
	return st
}

func getSession(t *testing.T, h http.Handler, cookie string) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/api/auth/get-session", nil)
	req.Header.Set("Cookie", cookie)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

func TestExactBodiesCachedAndProxied(t *testing.T) {
	for _, v := range plainSessions(t) {
		t.Run(v.Name, func(t *testing.T) {
			now := time.UnixMilli(v.NowMS)
			clock := func() time.Time { return now }
			getenv := env(map[string]string{"BETTER_AUTH_SECRET": *v.Options.Secret})

			shared := resolver.Config{BaseURL: v.Options.BaseURL, Cache: resolver.CacheConfig{Enabled: true, TTL: time.Minute}}
			ba, err := BetterAuthConfig(shared, getenv)
			if err != nil {
				t.Fatal(err)
			}
			r, err := New(Config{Engine: BetterAuth, AuthJS: shared, BetterAuth: ba}, Parts{BetterAuthStore: memStore(v), Clock: clock})
			if err != nil {
				t.Fatal(err)
			}
			h := NewGetSessionHandler(r, nil, nil)
			for _, pass := range []string{"miss", "hit"} {
				if got := getSession(t, h, *v.Cookie); got != v.Expect.BodyRaw {
					t.Errorf("cache %s:\n got %s\nwant %s", pass, got, v.Expect.BodyRaw)
				}
			}
			res, _ := r.Resolve(context.Background(), resolver.FromCookieHeader(*v.Cookie))
			if res.Source != "cache" {
				t.Fatalf("second resolution from %q, want the cache", res.Source)
			}

			up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, v.Expect.BodyRaw)
			}))
			defer up.Close()
			proxy := resolver.Config{Mode: resolver.ModeProxy, BaseURL: up.URL + "/api/auth"}
			pba, _ := BetterAuthConfig(proxy, getenv)
			pr, err := New(Config{Engine: BetterAuth, AuthJS: proxy, BetterAuth: pba}, Parts{Clock: clock})
			if err != nil {
				t.Fatal(err)
			}
			if got := getSession(t, NewGetSessionHandler(pr, nil, nil), *v.Cookie); got != v.Expect.BodyRaw {
				t.Errorf("proxy:\n got %s\nwant %s", got, v.Expect.BodyRaw)
			}
		})
	}
}

// A proxied body is passed on as the upstream wrote it, whatever its
// members (here one Better Auth does not write).
func TestProxyKeepsUpstreamBytes(t *testing.T) {
	body := `{"session":{"expiresAt":"2030-01-01T00:00:00.000Z","token":"t","userId":"u","id":"s","note":"2026-01-15T10:00:00Z"},"user":{"name":"A","email":"a@example.test","id":"u"}}`
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, body) }))
	defer up.Close()
	proxy := resolver.Config{Mode: resolver.ModeProxy, BaseURL: up.URL}
	pba, _ := BetterAuthConfig(proxy, env(nil))
	pr, err := New(Config{Engine: BetterAuth, AuthJS: proxy, BetterAuth: pba}, Parts{})
	if err != nil {
		t.Fatal(err)
	}
	if got := getSession(t, NewGetSessionHandler(pr, nil, nil), "better-auth.session_token=t.sig"); got != body {
		t.Fatalf("\n got %s\nwant %s", got, body)
	}
}
