package resolver

import (
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// RequireSession lets requests with a session (found by Middleware, which
// must run first) through to the next handler and answers the others:
//
//   - 401 Unauthorized, Content-Type application/json, body
//     {"error":"unauthorized"}, Cache-Control no-store and
//     WWW-Authenticate: Bearer realm="session" (with error="invalid_token"
//     when a token was presented but refused, RFC 6750 §3);
//   - with WithSignInRedirect, a 307 to the sign-in page for GET and HEAD;
//   - with WithUnavailableStatus, 503 {"error":"session_unavailable"} and
//     Retry-After: 1 when a dependency failed (Reason.Infrastructure);
//   - 500 {"error":"session_resolver_unavailable"} when the resolver itself
//     could not work (ReasonUnconfigured) or Middleware did not run;
//   - with WithFailureHandler, whatever that handler does instead.
//
// The body never says why beyond these codes: the Reason (wrong key,
// expired, ...) is for logs and metrics, not for whoever sent the cookie.
func RequireSession(opts ...MiddlewareOption) func(http.Handler) http.Handler {
	cfg := newMiddlewareConfig(opts)
	challenge := `Bearer realm=` + strconv.Quote(cfg.realm)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			res, ok := ResultFromContext(req.Context())
			if ok && res.Session != nil {
				next.ServeHTTP(w, req)
				return
			}
			if !ok {
				cfg.logger.Error("RequireSession runs without resolver.Middleware before it")
				res.Reason = ReasonUnconfigured
			}
			cfg.logger.Debug("request without a session", slog.String("reason", string(res.Reason)), slog.String("source", res.Source))
			if cfg.onFailure != nil {
				cfg.onFailure(w, req, res)
				return
			}
			cfg.deny(w, req, res, challenge)
		})
	}
}

const (
	bodyUnauthorized = `{"error":"unauthorized"}`
	bodyUnavailable  = `{"error":"session_unavailable"}`
	bodyMisconfig    = `{"error":"session_resolver_unavailable"}`
)

// deny writes the default answer for a request without a session.
func (c *middlewareConfig) deny(w http.ResponseWriter, req *http.Request, res Result, challenge string) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	switch {
	case res.Reason == ReasonUnconfigured:
		writeJSON(w, http.StatusInternalServerError, bodyMisconfig)
	case c.unavailable && res.Reason.Infrastructure():
		h.Set("Retry-After", "1")
		writeJSON(w, http.StatusServiceUnavailable, bodyUnavailable)
	case c.signIn != "" && (req.Method == http.MethodGet || req.Method == http.MethodHead):
		http.Redirect(w, req, signInLocation(c.signIn, req.URL), http.StatusTemporaryRedirect)
	default:
		if res.Reason != ReasonNoCookie && res.Reason != "" {
			challenge += `, error="invalid_token"`
		}
		h.Set("WWW-Authenticate", challenge)
		writeJSON(w, http.StatusUnauthorized, bodyUnauthorized)
	}
}

// signInLocation appends callbackUrl=<the request's path and query> to
// the sign-in URL. The callback is relative, so it can only lead back to
// this origin (Auth.js's redirect callback resolves it against its own).
func signInLocation(signIn string, u *url.URL) string {
	sep := "?"
	if strings.Contains(signIn, "?") {
		sep = "&"
	}
	return signIn + sep + "callbackUrl=" + url.QueryEscape(u.RequestURI())
}
