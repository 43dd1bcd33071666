package resolver_test

import (
	"net/http/httptest"
	"strings"
	"testing"

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
		replayHandlerVector(t, v)
		ran++
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
