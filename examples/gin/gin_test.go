package gin_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/authscope/authscope/examples/gin"
	"github.com/authscope/authscope/examples/internal/sessiontest"
)

func TestGin(t *testing.T) {
	r, cookie := sessiontest.Resolver(t)
	e := gin.New(r)
	req := httptest.NewRequest(http.MethodGet, "/api/me", nil)
	req.Header.Set("Cookie", cookie)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if rec.Code != 200 || rec.Body.String() != "hello Ada" || !strings.HasPrefix(rec.Header().Get("Set-Cookie"), "authjs.session-token=eyJ") {
		t.Fatalf("signed in: %d %q %v", rec.Code, rec.Body, rec.Header())
	}
	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/me", nil))
	if rec.Code != 401 || rec.Body.String() != `{"error":"unauthorized"}` {
		t.Fatalf("anonymous: %d %q (the chain must stop at RequireSession)", rec.Code, rec.Body)
	}
}
