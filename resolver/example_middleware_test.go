package resolver_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/authscope/authscope/resolver"
)

// A Go API beside a Next.js app trusts its Auth.js cookie: Middleware
// resolves every request, RequireSession turns away those without a
// session, handlers read the session from the context.
func ExampleMiddleware() {
	r, err := resolver.NewJWTResolver(resolver.Config{Secrets: []string{"example-only-secret-not-for-production"}})
	if err != nil {
		panic(err)
	}
	api := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		s, _ := resolver.SessionFromContext(req.Context())
		name, _ := s.User.Name.Str()
		fmt.Fprintf(w, "hello %s", name)
	})
	h := resolver.Middleware(r)(resolver.RequireSession()(api))

	// A cookie as Auth.js writes it after sign-in.
	tok, _ := r.TokenCodec().Encode(resolver.Claims{"name": "Ada", "sub": "u1"}, time.Now(), time.Hour)
	for _, cookie := range []string{"authjs.session-token=" + tok, ""} {
		req := httptest.NewRequest(http.MethodGet, "/api/me", nil)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		body, _ := io.ReadAll(rec.Body)
		fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"), string(body))
	}
	// Output:
	// 200  hello Ada
	// 401 Bearer realm="session" {"error":"unauthorized"}
}

// RequireSession can send browsers to the sign-in page instead, with the
// page they asked for as callbackUrl, as next-auth's middleware does.
func ExampleWithSignInRedirect() {
	r, _ := resolver.NewJWTResolver(resolver.Config{Secrets: []string{"example-only-secret-not-for-production"}})
	page := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "dashboard") })
	h := resolver.Middleware(r)(resolver.RequireSession(resolver.WithSignInRedirect("/api/auth/signin"))(page))

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/dashboard?tab=billing", nil))
	fmt.Println(rec.Code, rec.Header().Get("Location"))
	// Output:
	// 307 /api/auth/signin?callbackUrl=%2Fdashboard%3Ftab%3Dbilling
}
