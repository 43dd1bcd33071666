package resolver_test

// HTTP-surface interop replay: testdata/authjs/vectors/http/*.json hold the
// whole responses of the real Auth() for requests around /api/auth/session
// (methods, paths, CSRF and callback-url cookies, POST, a missing secret).
// resolver.Handler must answer the same status, cache headers, body and
// Set-Cookie lines; the CSRF token is random, so its cookie is checked by
// shape and by its hash under Auth.js's secret string.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/authjstest"
)

type httpVector struct {
	Name       string   `json:"name"`
	NowMS      int64    `json:"now_ms"`
	Secrets    []string `json:"secrets"`
	BaseURL    string   `json:"base_url"`
	CookieName string   `json:"cookie_name"`
	MaxAge     int64    `json:"max_age"`
	Request    struct {
		Method  string            `json:"method"`
		Path    string            `json:"path"`
		Headers map[string]string `json:"headers"`
		Body    *string           `json:"body"`
	} `json:"request"`
	Expect struct {
		Status    int               `json:"status"`
		Headers   map[string]string `json:"headers"`
		BodyRaw   string            `json:"body_raw"`
		SetCookie []string          `json:"set_cookie"`
	} `json:"expect"`
}

// unconfigured is a resolver without a usable configuration (no secret):
// Resolve fails, as the seed's getServerSession throws.
type unconfigured struct{}

func (unconfigured) Resolve(context.Context, resolver.Input) (resolver.Result, error) {
	return resolver.Result{}, resolver.ErrUnconfigured
}

func TestInteropHTTPVectors(t *testing.T) {
	vs := authjstest.Load[*httpVector](t, "http")
	for _, v := range vs {
		t.Run(v.Name, func(t *testing.T) {
			if why, ok := knownFailing["http/"+v.Name]; ok {
				t.Skipf("KNOWN FAILING vs real Auth.js: %s", why)
			}
			replayHTTP(t, v)
		})
	}
}

var csrfShape = regexp.MustCompile(`^([0-9a-f]{64})%7C([0-9a-f]{64})$`)

func replayHTTP(t *testing.T, v *httpVector) {
	now := time.UnixMilli(v.NowMS).UTC()
	cfg := authjstest.LocalJWT(v.BaseURL, v.Secrets, v.MaxAge)
	var r resolver.Resolver = unconfigured{}
	if len(v.Secrets) > 0 {
		var err error
		if r, err = resolver.New(cfg, resolver.WithClock(func() time.Time { return now })); err != nil {
			t.Fatalf("New: %v", err)
		}
	}
	h := resolver.NewHandler(r, cfg)

	var body io.Reader
	if v.Request.Body != nil {
		body = strings.NewReader(*v.Request.Body)
	}
	req := httptest.NewRequest(v.Request.Method, v.BaseURL+v.Request.Path, body)
	for k, val := range v.Request.Headers {
		req.Header.Set(k, val)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	resp := rec.Result()
	gotBody, _ := io.ReadAll(resp.Body)

	if resp.StatusCode != v.Expect.Status {
		t.Errorf("status %d, Auth.js %d", resp.StatusCode, v.Expect.Status)
	}
	if string(gotBody) != v.Expect.BodyRaw {
		t.Errorf("body\n got: %s\nwant: %s", gotBody, v.Expect.BodyRaw)
	}
	gotHdr := map[string]string{}
	for _, k := range []string{"content-type", "cache-control", "expires", "pragma"} {
		if val := resp.Header.Get(k); val != "" {
			gotHdr[k] = val
		}
	}
	if d := cmp.Diff(v.Expect.Headers, gotHdr); d != "" {
		t.Errorf("headers (-auth.js +go):\n%s", d)
	}
	checkHTTPCookies(t, v, cfg, now, v.Expect.SetCookie, resp.Header.Values("Set-Cookie"))
}

func checkHTTPCookies(t *testing.T, v *httpVector, cfg resolver.Config, now time.Time, want, got []string) {
	t.Helper()
	names := func(ls []string) []string {
		var out []string
		for _, l := range ls {
			c := parseSetCookie(l)
			out = append(out, c.name)
		}
		return out
	}
	if d := cmp.Diff(names(want), names(got)); d != "" {
		t.Fatalf("Set-Cookie names (-auth.js +go):\n%s\ngot: %q", d, got)
	}
	secret := strings.Join(v.Secrets, ",")
	var wantTok, gotTok []setCookie
	for i := range want {
		w, g := parseSetCookie(want[i]), parseSetCookie(got[i])
		switch {
		case strings.HasSuffix(w.name, "csrf-token"):
			checkCSRFCookie(t, secret, w, g)
		case strings.HasPrefix(w.name, v.CookieName) && w.value != "":
			if g.attrs != w.attrs {
				t.Errorf("session cookie %s attributes\n got: %s\nwant: %s", g.name, g.attrs, w.attrs)
			}
			wantTok, gotTok = append(wantTok, w), append(gotTok, g)
		default: // callback-url and clearing cookies are deterministic
			if got[i] != want[i] {
				t.Errorf("Set-Cookie %d\n got: %s\nwant: %s", i, got[i], want[i])
			}
		}
	}
	if len(wantTok) == 0 {
		return
	}
	codec, err := resolver.NewCodec(cfg)
	if err != nil {
		t.Fatal(err)
	}
	decode := func(cs []setCookie, who string) map[string]any {
		tok, err := url.PathUnescape(joinChunks(t, cs))
		if err != nil {
			t.Fatal(err)
		}
		c, reason, err := codec.Decode(tok, now)
		if c == nil {
			t.Fatalf("%s refreshed token does not decode: %s %v", who, reason, err)
		}
		m := normClaims(t, c).(map[string]any)
		delete(m, "jti")
		return m
	}
	if d := cmp.Diff(decode(wantTok, "Auth.js"), decode(gotTok, "Go")); d != "" {
		t.Errorf("refreshed claims (-auth.js +go, jti ignored):\n%s", d)
	}
}

// checkCSRFCookie checks Auth.js's and Go's CSRF cookies: each value is
// token|sha256(token + secret), secret being Auth.js's secret string (the
// secrets joined by commas), and their attributes are the same.
func checkCSRFCookie(t *testing.T, secret string, authjs, goc setCookie) {
	t.Helper()
	for _, c := range []setCookie{authjs, goc} {
		m := csrfShape.FindStringSubmatch(c.value)
		if m == nil {
			t.Errorf("csrf cookie %q has the wrong shape", c.value)
			continue
		}
		sum := sha256.Sum256([]byte(m[1] + secret))
		if hex.EncodeToString(sum[:]) != m[2] {
			t.Errorf("csrf cookie hash is not sha256(token + Auth.js's secret string)")
		}
	}
	if goc.attrs != authjs.attrs {
		t.Errorf("csrf cookie attributes\n     go: %s\nauth.js: %s", goc.attrs, authjs.attrs)
	}
}
