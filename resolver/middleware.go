package resolver

import (
	"context"
	"log/slog"
	"net/http"
)

// net/http middleware, in the style of go-chi/jwtauth (a verifier that
// puts the outcome in the context, an authenticator that enforces it) and
// x/oauth2 (small option functions):
//
//	mux.Handle("/api/", resolver.Middleware(r, resolver.WithRefreshCookies())(
//		resolver.RequireSession()(api)))
//
// Middleware resolves every request once and stores the Result in the
// request's context; handlers read it with SessionFromContext or
// ResultFromContext. It never rejects a request itself, so public pages
// can still greet a signed-in user. RequireSession (middleware_require.go)
// answers 401, 503 or a redirect when there is no session and lets the
// request through otherwise.
//
// Cost: besides the resolution, two allocations (the context node, which
// holds the Result itself, and http.Request.WithContext's copy) and no
// work proportional to the headers; BenchmarkMiddlewareOverhead measures
// it. Tokens and session contents are never logged: the log lines carry
// the Reason and Source only.

// MiddlewareOption configures Middleware and RequireSession. Each option
// says which of the two it affects; the other ignores it.
type MiddlewareOption func(*middlewareConfig)

type middlewareConfig struct {
	bearer         bool
	refreshCookies bool
	onFailure      func(http.ResponseWriter, *http.Request, Result)
	unavailable    bool
	signIn         string
	realm          string
	logger         *slog.Logger
}

func newMiddlewareConfig(opts []MiddlewareOption) middlewareConfig {
	c := middlewareConfig{realm: "session", logger: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithBearerToken (Middleware) also reads "Authorization: Bearer <token>"
// when the request carries no session cookie, as Auth.js's getToken does
// (Input.WithBearer). Off by default: getServerSession reads cookies only.
func WithBearerToken() MiddlewareOption { return func(c *middlewareConfig) { c.bearer = true } }

// WithRefreshCookies (Middleware) adds the Result's Set-Cookie headers to
// the response before the next handler runs: the rolling session's
// refreshed cookie, or the clearing of a broken one, as Auth.js's
// /session would send them. The resolver must be built with
// Config.RefreshCookies for there to be any.
func WithRefreshCookies() MiddlewareOption {
	return func(c *middlewareConfig) { c.refreshCookies = true }
}

// WithFailureHandler (RequireSession) replaces the default 401/503 answer
// for requests without a session. f sees the Result (Reason says why).
func WithFailureHandler(f func(w http.ResponseWriter, r *http.Request, res Result)) MiddlewareOption {
	return func(c *middlewareConfig) { c.onFailure = f }
}

// WithUnavailableStatus (RequireSession) answers 503 Service Unavailable
// instead of 401 when the resolution failed for an infrastructure reason
// (store, upstream or key source down: Reason.Infrastructure), so clients
// retry instead of signing the user out.
func WithUnavailableStatus() MiddlewareOption {
	return func(c *middlewareConfig) { c.unavailable = true }
}

// WithSignInRedirect (RequireSession) redirects GET and HEAD requests
// without a session to signInURL (typically {basePath}/signin) with the
// request's path as callbackUrl, as next-auth's middleware does; other
// methods still get 401.
func WithSignInRedirect(signInURL string) MiddlewareOption {
	return func(c *middlewareConfig) { c.signIn = signInURL }
}

// WithRealm (RequireSession) sets the WWW-Authenticate realm (default "session").
func WithRealm(realm string) MiddlewareOption { return func(c *middlewareConfig) { c.realm = realm } }

// WithMiddlewareLogger (both) sets the logger: resolver failures at
// Error, requests turned away at Debug, with the Reason only.
func WithMiddlewareLogger(l *slog.Logger) MiddlewareOption {
	return func(c *middlewareConfig) { c.logger = l }
}

// ReasonUnconfigured is the Reason Middleware records when Resolve itself
// failed (ErrUnconfigured, or the request's context ending first):
// RequireSession answers 500 for it, as Auth.js answers a configuration
// error.
const ReasonUnconfigured Reason = "unconfigured"

// Infrastructure reports whether r means a dependency failed (store,
// upstream, key source) rather than the request lacking a valid session.
func (r Reason) Infrastructure() bool {
	switch r {
	case ReasonStoreError, ReasonUpstreamTimeout, ReasonUpstreamError, ReasonUpstreamStatus, ReasonUpstreamBody, ReasonKeys:
		return true
	}
	return false
}

// Middleware resolves each request with r and stores the Result in its
// context (see the file comment). It panics if r is nil.
func Middleware(r Resolver, opts ...MiddlewareOption) func(http.Handler) http.Handler {
	if r == nil {
		panic("resolver.Middleware: nil Resolver")
	}
	cfg := newMiddlewareConfig(opts)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			in := FromRequest(req)
			if cfg.bearer {
				in.authorization = req.Header.Get("Authorization")
			}
			res, err := r.Resolve(req.Context(), in)
			if err != nil {
				res = cfg.resolveFailed(req, res, err)
			}
			if cfg.refreshCookies && len(res.SetCookies) > 0 {
				h := w.Header()
				for _, c := range res.SetCookies {
					h.Add("Set-Cookie", FormatSetCookie(c))
				}
			}
			next.ServeHTTP(w, req.WithContext(&resultContext{Context: req.Context(), res: res}))
		})
	}
}

// resolveFailed turns Resolve's error into a Result RequireSession can
// act on, and logs it (the error never holds token material).
func (c *middlewareConfig) resolveFailed(req *http.Request, res Result, err error) Result {
	level := slog.LevelError
	if req.Context().Err() != nil {
		level = slog.LevelDebug // the client went away first
	}
	c.logger.Log(req.Context(), level, "session resolver failed", slog.String("error", err.Error()))
	res.Session = nil
	res.Reason = ReasonUnconfigured
	if req.Context().Err() != nil {
		res.Reason = ReasonCanceled
	}
	res.Err = err
	return res
}

// resultContext carries the Result. One node holds both the parent link
// and the Result, so storing it costs one allocation; context.WithCancel
// and friends see through it to the parent's cancellation.
type resultContext struct {
	context.Context
	res Result
}

type resultKey struct{}

func (c *resultContext) Value(key any) any {
	if key == (resultKey{}) {
		return c
	}
	return c.Context.Value(key)
}

// ResultFromContext returns the Result Middleware stored, and whether
// there was one.
func ResultFromContext(ctx context.Context) (Result, bool) {
	if c, ok := ctx.Value(resultKey{}).(*resultContext); ok {
		return c.res, true
	}
	return Result{}, false
}

// SessionFromContext returns the session Middleware found, or nil and
// false when there is none (or Middleware did not run).
func SessionFromContext(ctx context.Context) (*Session, bool) {
	if c, ok := ctx.Value(resultKey{}).(*resultContext); ok && c.res.Session != nil {
		return c.res.Session, true
	}
	return nil, false
}

// NewContext returns a copy of ctx carrying res, for tests of handlers
// behind Middleware and for adapters (a gRPC interceptor) that resolve
// outside net/http.
func NewContext(ctx context.Context, res Result) context.Context {
	return &resultContext{Context: ctx, res: res}
}
