package engine

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/betterauth"
)

// GetSessionHandler answers GET {basePath}/get-session as Better Auth does:
// status 200 with {"session":…,"user":…} or null, and the Set-Cookie lines
// Better Auth would send (extension, cookie cache, deletion). Local Better
// Auth answers are byte for byte the deployment's (Resolve); proxy
// and cached answers, and Auth.js answers under the auto engine, carry the
// reduced body a generic session gives (betterauth.FromResolverSession), so
// a client migrating to Better Auth's API already reads its users.
//
// Like Better Auth, failures to find a session are "null" with status 200;
// only a resolver that cannot work at all answers 500.
type GetSessionHandler struct {
	r       resolver.Resolver
	observe func(*http.Request, resolver.Result, time.Duration)
	logger  *slog.Logger
	now     resolver.Clock
}

// NewGetSessionHandler serves r (built by New) as Better Auth's
// get-session. observe, when non-nil, sees every Result and its duration
// before the answer is written (metrics, bench outcome headers); logger
// may be nil.
func NewGetSessionHandler(r resolver.Resolver, observe func(*http.Request, resolver.Result, time.Duration), logger *slog.Logger) *GetSessionHandler {
	if observe == nil {
		observe = func(*http.Request, resolver.Result, time.Duration) {}
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &GetSessionHandler{r: r, observe: observe, logger: logger, now: time.Now}
}

// ServeHTTP implements http.Handler.
func (h *GetSessionHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := betterauth.Options{
		DisableCookieCache: r.URL.Query().Get("disableCookieCache") == "true",
		DisableRefresh:     r.URL.Query().Get("disableRefresh") == "true",
	}
	start := h.now()
	a, err := Resolve(r.Context(), h.r, resolver.FromRequest(r), q)
	h.observe(r, a.Result, h.now().Sub(start))
	if err != nil {
		level := slog.LevelError
		if r.Context().Err() != nil {
			level = slog.LevelDebug // the client went away first
		}
		h.logger.Log(r.Context(), level, "session resolver failed", slog.String("error", err.Error()))
		http.Error(w, `{"message":"session resolver is not configured"}`, http.StatusInternalServerError)
		return
	}
	hdr := w.Header()
	if a.Exact {
		for _, l := range a.SetCookie {
			hdr.Add("Set-Cookie", l)
		}
	} else {
		for _, c := range a.Result.SetCookies {
			hdr.Add("Set-Cookie", c.String())
		}
	}
	body := a.Body
	if body == nil && a.Result.Session != nil {
		body = betterauth.FromResolverSession(a.Result.Session)
	}
	b := a.Raw
	if b == nil {
		b = betterauth.MarshalBody(body)
	}
	hdr.Set("Content-Type", "application/json")
	hdr.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}
