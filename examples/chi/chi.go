// Package chi protects a chi router's routes: resolver.Middleware and
// RequireSession are ordinary func(http.Handler) http.Handler middlewares,
// so chi's Use and With take them as they are.
package chi

import (
	"fmt"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/authscope/authscope/resolver"
)

// New resolves every request, leaves /health open and requires a session
// for everything under /api.
func New(r resolver.Resolver) http.Handler {
	router := chi.NewRouter()
	router.Use(resolver.Middleware(r, resolver.WithBearerToken()))
	router.Get("/health", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "ok") })
	router.Route("/api", func(api chi.Router) {
		api.Use(resolver.RequireSession())
		api.Get("/me", func(w http.ResponseWriter, req *http.Request) {
			s, _ := resolver.SessionFromContext(req.Context())
			email, _ := s.User.Email.Str()
			fmt.Fprintf(w, "%s (%s)", s.User.ID, email)
		})
	})
	return router
}
