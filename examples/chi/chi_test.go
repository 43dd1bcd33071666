package chi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/authscope/authscope/examples/chi"
	"github.com/authscope/authscope/examples/internal/sessiontest"
)

func TestChi(t *testing.T) {
	r, cookie := sessiontest.Resolver(t)
	h := chi.New(r)
	do := func(path string, hdr ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if rec := do("/api/me", "Cookie", cookie); rec.Code != 200 || rec.Body.String() != "u1 (ada@example.com)" {
		t.Fatalf("cookie: %d %q", rec.Code, rec.Body)
	}
	token := strings.TrimPrefix(cookie, "authjs.session-token=")
	if rec := do("/api/me", "Authorization", "Bearer "+token); rec.Code != 200 {
		t.Fatalf("bearer: %d %q", rec.Code, rec.Body)
	}
	if rec := do("/api/me"); rec.Code != 401 || rec.Header().Get("WWW-Authenticate") == "" {
		t.Fatalf("anonymous: %d %v", rec.Code, rec.Header())
	}
	if rec := do("/health"); rec.Code != 200 {
		t.Fatalf("health: %d", rec.Code)
	}
}
