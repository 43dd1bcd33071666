// Package gin uses the resolver from gin. Gin handlers are not net/http
// middleware, so wrap adapts one: it runs the middleware around the rest
// of gin's chain, and aborts the chain when the middleware answered
// itself (RequireSession's 401).
package gin

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/authscope/authscope/resolver"
)

func init() { gin.SetMode(gin.ReleaseMode) }

// New resolves every request and requires a session under /api.
func New(r resolver.Resolver) *gin.Engine {
	e := gin.New()
	e.Use(wrap(resolver.Middleware(r, resolver.WithRefreshCookies())))
	api := e.Group("/api", wrap(resolver.RequireSession()))
	api.GET("/me", func(c *gin.Context) {
		s, _ := Session(c)
		name, _ := s.User.Name.Str()
		c.String(http.StatusOK, fmt.Sprintf("hello %s", name))
	})
	return e
}

// Session is the session resolver.Middleware found for c's request.
func Session(c *gin.Context) (*resolver.Session, bool) {
	return resolver.SessionFromContext(c.Request.Context())
}

// wrap turns net/http middleware into a gin handler.
func wrap(mw func(http.Handler) http.Handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		passed := false
		mw(http.HandlerFunc(func(_ http.ResponseWriter, req *http.Request) {
			passed = true
			c.Request = req
			c.Next()
		})).ServeHTTP(c.Writer, c.Request)
		if !passed {
			c.Abort()
		}
	}
}
