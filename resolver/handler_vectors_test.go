package resolver_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/authjstest"
)

// TestHandlerVectors replays Auth.js's own answers through Handler over the
// local JWT resolver: status, headers and body byte for byte; Set-Cookie
// line by line (the CSRF token is random and refreshed tokens carry a
// random IV and jti, so those are compared by shape).
func TestHandlerVectors(t *testing.T) {
	ran := 0
	for _, v := range authjstest.Vectors(t) {
		if v.LegacyV4 {
			continue // next-auth v4's answers: TestHandlerLegacyV4Vectors
		}
		replayHandlerVector(t, v)
		ran++
	}
	t.Logf("%d vectors replayed", ran)
}

// replayHandlerVector serves v's request through a Handler over the local
// JWT resolver at v's clock and compares status, headers and body byte for
// byte, Set-Cookie by shape.
func replayHandlerVector(t *testing.T, v *authjstest.Vector) {
	t.Helper()
	cfg := v.Config()
	now := v.Now()
	r, err := resolver.New(cfg, resolver.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatalf("%s: %v", v.Name, err)
	}
	h := resolver.NewHandler(r, cfg, resolver.WithTrustForwarded(true))
	req := httptest.NewRequest("GET", v.BaseURL+"/api/auth/session", nil)
	if strings.HasPrefix(v.BaseURL, "https:") {
		req.Header.Set("X-Forwarded-Proto", "https")
	}
	if v.CookieHeader != nil {
		req.Header.Set("Cookie", *v.CookieHeader)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != v.Expect.Status || w.Body.String() != v.Expect.BodyRaw {
		t.Errorf("%s: %d %s\nwant %d %s", v.Name, w.Code, w.Body.String(), v.Expect.Status, v.Expect.BodyRaw)
	}
	for k, want := range v.Expect.Headers {
		if got := w.Header().Get(k); got != want {
			t.Errorf("%s: header %s %q, want %q", v.Name, k, got, want)
		}
	}
	got := w.Header().Values("Set-Cookie")
	if len(got) != len(v.Expect.SetCookie) {
		t.Errorf("%s: Set-Cookie\n got %q\nwant %q", v.Name, got, v.Expect.SetCookie)
		return
	}
	for i, want := range v.Expect.SetCookie {
		if g, w := authjstest.CookieShape(got[i]), authjstest.CookieShape(want); g != w {
			t.Errorf("%s: Set-Cookie[%d]\n got %s\nwant %s", v.Name, i, got[i], want)
		}
	}
}
