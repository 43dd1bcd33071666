package resolver

import (
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkHandlerLocalJWT is one GET /session through Handler over the
// local JWT resolver with cookie refresh, as `serve` runs it, minus the
// network: a browser without CSRF/callback cookies (the worst case: both
// are issued).
func BenchmarkHandlerLocalJWT(b *testing.B) {
	cfg := Config{Secrets: []string{"bench-secret-0123456789abcdef"}, RefreshCookies: true}
	r, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	codec, _ := NewCodec(cfg)
	tok, _ := codec.Encode(Claims{"sub": "u1", "name": "Ada Lovelace", "email": "ada@example.com", "picture": "https://img.example/a.png"}, time.Now(), time.Hour)
	h := NewHandler(r, cfg)
	req := httptest.NewRequest("GET", "http://localhost:3000/api/auth/session", nil)
	req.Header.Set("Cookie", DefaultCookieName+"="+tok)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}
