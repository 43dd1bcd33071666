// Package echo uses the resolver from echo: echo.WrapMiddleware adapts
// net/http middleware, so resolver.Middleware and RequireSession plug in
// unchanged.
package echo

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/authscope/authscope/resolver"
)

// New resolves every request and requires a session under /api.
func New(r resolver.Resolver) *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.Use(echo.WrapMiddleware(resolver.Middleware(r)))
	api := e.Group("/api", echo.WrapMiddleware(resolver.RequireSession(resolver.WithSignInRedirect("/api/auth/signin"))))
	api.GET("/me", func(c echo.Context) error {
		s, _ := resolver.SessionFromContext(c.Request().Context())
		return c.JSON(http.StatusOK, map[string]string{"id": s.User.ID})
	})
	return e
}
