package resolver_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/authjstest"
)

// TestHandlerLegacyV4Vectors replays next-auth v4's own /session answers
// through a Handler configured LegacyV4: "{}" rather than "null" without a
// session, the next-auth.* CSRF and callback-url cookies, and the headers
// and refreshed or cleared session cookies as v4 sends them.
func TestHandlerLegacyV4Vectors(t *testing.T) {
	ran := 0
	for _, v := range authjstest.Vectors(t) {
		if !v.LegacyV4 {
			continue
		}
		cfg := v.Config()
		now := v.Now()
		r, err := resolver.New(cfg, resolver.WithClock(func() time.Time { return now }))
		if err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		ran++
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
			continue
		}
		for i, want := range v.Expect.SetCookie {
			if g, w := authjstest.CookieShape(got[i]), authjstest.CookieShape(want); g != w {
				t.Errorf("%s: Set-Cookie[%d]\n got %s\nwant %s", v.Name, i, got[i], want)
			}
		}
	}
	if ran == 0 {
		t.Fatal("no legacy v4 vectors")
	}
}

// A verified POST under LegacyV4 needs the next-auth.csrf-token cookie the
// GET issued, and answers "{}" without a session too.
func TestHandlerLegacyV4Post(t *testing.T) {
	cfg := resolver.Config{LegacyV4: true, Secrets: []string{"legacy-handler-secret"}}
	r, err := resolver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := resolver.NewHandler(r, cfg)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "http://localhost:3000/api/auth/session", nil))
	var csrf string
	for _, l := range w.Header().Values("Set-Cookie") {
		if v, ok := strings.CutPrefix(l, "next-auth.csrf-token="); ok {
			csrf, _, _ = strings.Cut(v, ";")
		}
	}
	if csrf == "" {
		t.Fatalf("no next-auth.csrf-token issued: %q", w.Header().Values("Set-Cookie"))
	}
	tok, _, _ := strings.Cut(strings.ReplaceAll(csrf, "%7C", "|"), "|")
	req := httptest.NewRequest("POST", "http://localhost:3000/api/auth/session", strings.NewReader(`{"csrfToken":"`+tok+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Cookie", "next-auth.csrf-token="+csrf)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != 200 || w.Body.String() != "{}" {
		t.Errorf("POST: %d %q, want 200 {}", w.Code, w.Body.String())
	}
}
