package server

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/authscope/authscope/resolver"
)

// TestSessionFastPath: the session endpoint's exact path skips the mux
// only where the mux would route to the session handler anyway, and the
// answer is the mux route's, byte for byte.
func TestSessionFastPath(t *testing.T) {
	cfg := resolver.Config{Mode: resolver.ModeLocal, Strategy: resolver.StrategyJWT, Secrets: []string{"s"}}.WithDefaults()
	s, err := New(Config{Resolver: cfg}, staticOK{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.fastPath != "/api/auth/session" {
		t.Fatalf("fastPath = %q", s.fastPath)
	}
	var pattern string
	s.session = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { pattern = r.Pattern; s.mux.ServeHTTP(w, r) })
	fast := httptest.NewRecorder()
	s.ServeHTTP(fast, httptest.NewRequest("GET", "/api/auth/session", nil))
	slow := httptest.NewRecorder()
	s.mux.ServeHTTP(slow, httptest.NewRequest("GET", "/api/auth/session", nil))
	if pattern != "/" || fast.Code != slow.Code || fast.Body.String() != slow.Body.String() {
		t.Errorf("fast path: pattern %q, %d %q; mux: %d %q", pattern, fast.Code, fast.Body, slow.Code, slow.Body)
	}
	// A base path whose /session another pattern claims keeps the mux.
	cfg.BasePath = "/api/auth/get"
	cfg = cfg.WithDefaults()
	if s2, err := New(Config{Resolver: cfg}, staticOK{}, Options{}); err != nil || s2.fastPath == "" {
		t.Fatalf("basePath %s: %v %q", cfg.BasePath, err, s2.fastPath)
	}
	s3, _ := New(Config{Resolver: cfg}, staticOK{}, Options{})
	s3.mux.Handle("GET /api/auth/get/session", http.NotFoundHandler())
	s3.setFastPath("/api/auth/get/session", s3.session)
	if s3.fastPath != "" {
		t.Errorf("fast path over a more specific pattern")
	}
}
