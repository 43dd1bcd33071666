// Package nethttp protects a net/http API with the resolver's middleware:
// the five lines of the README's "Use it from Go".
package nethttp

import (
	"fmt"
	"net/http"

	"github.com/authscope/authscope/resolver"
)

// New serves /public (anyone; greets a signed-in user) and /api/me
// (signed-in users only, 401 otherwise), forwarding refreshed cookies.
func New(r resolver.Resolver) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/public", func(w http.ResponseWriter, req *http.Request) {
		if s, ok := resolver.SessionFromContext(req.Context()); ok {
			name, _ := s.User.Name.Str()
			fmt.Fprintf(w, "welcome back, %s", name)
			return
		}
		fmt.Fprint(w, "welcome, stranger")
	})
	mux.Handle("/api/me", resolver.RequireSession()(http.HandlerFunc(me)))
	return resolver.Middleware(r, resolver.WithRefreshCookies())(mux)
}

func me(w http.ResponseWriter, req *http.Request) {
	s, _ := resolver.SessionFromContext(req.Context())
	fmt.Fprintf(w, "user %s", s.User.ID)
}
