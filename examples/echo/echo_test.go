package echo_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/authscope/authscope/examples/echo"
	"github.com/authscope/authscope/examples/internal/sessiontest"
)

func TestEcho(t *testing.T) {
	r, cookie := sessiontest.Resolver(t)
	e := echo.New(r)
	req := httptest.NewRequest(http.MethodGet, "/api/me", nil)
	req.Header.Set("Cookie", cookie)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if rec.Code != 200 || strings.TrimSpace(rec.Body.String()) != `{"id":"u1"}` {
		t.Fatalf("signed in: %d %q", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/me", nil))
	if rec.Code != http.StatusTemporaryRedirect || rec.Header().Get("Location") != "/api/auth/signin?callbackUrl=%2Fapi%2Fme" {
		t.Fatalf("anonymous: %d Location %q", rec.Code, rec.Header().Get("Location"))
	}
}
