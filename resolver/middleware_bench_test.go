package resolver_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
)

// BenchmarkMiddlewareOverhead measures what Middleware adds to a
// resolution: "bare" calls the resolver and the handler directly, as a
// service without the middleware would; "middleware" goes through
// Middleware and RequireSession. The resolver answers a fixed session, so
// the difference between the two is the middleware's own cost (goal:
// under 1 µs and at most 2 allocations). "jwt" is the same through a real
// local JWT resolver, for scale.
func BenchmarkMiddlewareOverhead(b *testing.B) {
	fixed := fixedResolver{res: resolver.Result{Session: &resolver.Session{}, Reason: resolver.ReasonOK, Source: "jwt"}}
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := resolver.SessionFromContext(r.Context()); !ok {
			w.WriteHeader(http.StatusUnauthorized)
		}
	})
	req := httptest.NewRequest(http.MethodGet, "/api/me", nil)
	req.Header.Set("Cookie", "theme=dark; authjs.session-token=opaque")
	w := discardWriter{h: http.Header{}}

	b.Run("bare", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			res, _ := fixed.Resolve(req.Context(), resolver.FromRequest(req))
			if res.Session == nil {
				b.Fatal("no session")
			}
			next.ServeHTTP(w, req)
		}
	})
	b.Run("middleware", func(b *testing.B) {
		h := resolver.Middleware(fixed)(resolver.RequireSession()(next))
		b.ReportAllocs()
		for b.Loop() {
			h.ServeHTTP(w, req)
		}
	})
	b.Run("jwt", func(b *testing.B) {
		r, tok := mwResolverB(b)
		jreq := httptest.NewRequest(http.MethodGet, "/api/me", nil)
		jreq.Header.Set("Cookie", "theme=dark; authjs.session-token="+tok)
		h := resolver.Middleware(r)(resolver.RequireSession()(next))
		b.ReportAllocs()
		for b.Loop() {
			h.ServeHTTP(w, jreq)
		}
	})
}

func mwResolverB(b *testing.B) (*resolver.JWTResolver, string) {
	r, err := resolver.NewJWTResolver(resolver.Config{Secrets: []string{mwSecret}}, resolver.WithClock(func() time.Time { return mwNow }))
	if err != nil {
		b.Fatal(err)
	}
	tok, err := r.TokenCodec().Encode(resolver.Claims{"email": "ada@example.com", "sub": "u1"}, mwNow, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	return r, tok
}

// discardWriter is a ResponseWriter that keeps nothing, so the benchmark
// does not measure a recorder.
type discardWriter struct{ h http.Header }

func (d discardWriter) Header() http.Header         { return d.h }
func (d discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d discardWriter) WriteHeader(int)             {}
