package server

import (
	"crypto/sha256"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/authscope/authscope/internal/recentapi"
	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/betterauth"
	"github.com/authscope/authscope/resolver/bus"
	"github.com/authscope/authscope/resolver/engine"
)

// Config is what a server answers and how.
type Config struct {
	// Resolver is the configuration r was built with: the base path, the
	// cookie names and the mode the handler answers as.
	Resolver resolver.Config
	// Mode labels the metrics; empty means Resolver.Mode. The upstream
	// stand-in labels itself "upstream".
	Mode string
	// InvalidateSecret turns on the admin endpoints (invalidation and the
	// recent sessions) behind "Authorization: Bearer <secret>"; empty
	// leaves them off.
	InvalidateSecret string
	// Recent bounds the recent-sessions list (jwt strategy, admin
	// endpoints on); 0 turns it off.
	Recent int
	// TrustForwarded lets X-Forwarded-Proto decide the request scheme.
	TrustForwarded bool
	// Engine is the engine r was built for (resolver/engine; "" is
	// Auth.js). With better-auth or auto the server also answers Better
	// Auth's GET {basePath}/get-session.
	Engine string
}

// Registry is where a server registers its metrics and what /metrics
// gathers; *prometheus.Registry is one.
type Registry interface {
	prometheus.Registerer
	prometheus.Gatherer
}

// Options are a server's collaborators; the zero value is valid.
type Options struct {
	Logger *slog.Logger    // nil: discard
	Clock  resolver.Clock  // nil: time.Now; stamps the recent list
	Cache  *resolver.Cache // the cache r is, or wraps: its stats on /metrics, its entries invalidated
	// Publishers get every invalidation event posted to the endpoint.
	Publishers []resolver.Publisher
	// Listeners are the bus subscriptions feeding Cache, by bus name, for
	// /metrics.
	Listeners map[string]*bus.Listener
	// Registry receives the server's metrics; nil is NewRegistry(), with
	// the go_* and process_* collectors. Pass your own to add families or
	// to expose the server's on another endpoint.
	Registry Registry
	// WrapSession wraps the session handler (the upstream stand-in's
	// injected latency and faults); nil leaves it as is.
	WrapSession func(http.Handler) http.Handler
}

// Server answers GET {basePath}/session as Auth.js does, /healthz,
// /metrics and, with a secret, the admin endpoints. It is an http.Handler;
// run it with Serve or any http.Server.
type Server struct {
	mux     *http.ServeMux
	logger  *slog.Logger
	metrics *metrics
	backend *backendWatch
	recent  *recentSessions // nil unless recording
	// fastPath is the session endpoint's exact path, answered by session
	// without the mux (see ServeHTTP); "" when the mux must decide.
	fastPath string
	session  http.Handler
}

// New builds a server answering from r.
func New(cfg Config, r resolver.Resolver, opts Options) (*Server, error) {
	if r == nil {
		return nil, errors.New("server: no resolver")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Registry == nil {
		opts.Registry = NewRegistry()
	}
	mode := cfg.Mode
	if mode == "" {
		mode = string(cfg.Resolver.Mode)
	}
	m, err := newMetrics(opts.Registry, mode, opts.Cache, opts.Listeners)
	if err != nil {
		return nil, err
	}
	s := &Server{mux: http.NewServeMux(), logger: opts.Logger, metrics: m, backend: newBackendWatch(opts.Logger)}
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	s.mux.Handle("GET /metrics", metricsHandler(opts.Registry))
	if cfg.InvalidateSecret != "" {
		s.admin(cfg, opts)
	}
	observe := resolver.WithObserver(s.observe)
	if s.recent != nil { // the handler finds the token the list records
		observe = resolver.WithSessionObserver(s.recent.cookieName, s.observeToken)
	}
	var h http.Handler = resolver.NewHandler(r, cfg.Resolver, observe,
		resolver.WithHandlerLogger(opts.Logger),
		resolver.WithTrustForwarded(cfg.TrustForwarded))
	if opts.WrapSession != nil {
		h = opts.WrapSession(h)
	}
	s.mux.Handle("/", h)
	if engine.Name(cfg.Engine).Uses(engine.BetterAuth) {
		bp := strings.TrimSuffix(cfg.Resolver.WithDefaults().BasePath, "/")
		s.mux.Handle("GET "+bp+betterauth.GetSessionPath, engine.NewGetSessionHandler(r, s.observe, opts.Logger))
	}
	s.setFastPath(strings.TrimSuffix(cfg.Resolver.WithDefaults().BasePath, "/")+"/session", h)
	return s, nil
}

// setFastPath lets ServeHTTP hand GET p straight to h when the mux would
// route it there anyway (to the catch-all "/", no other pattern matching).
// Matching "/" costs the mux four allocations a request (its wildcard
// match), a tenth of a session answer's; the answer is the same.
func (s *Server) setFastPath(p string, h http.Handler) {
	req := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: p}}
	s.fastPath, s.session = "", nil
	if _, pattern := s.mux.Handler(req); pattern == "/" {
		s.fastPath, s.session = p, h
	}
}

// admin mounts the endpoints behind the invalidation secret.
func (s *Server) admin(cfg Config, opts Options) {
	rc := cfg.Resolver
	secret := sha256.Sum256([]byte(cfg.InvalidateSecret))
	// Proxy answers carry a user id only when serve can decode the cookie
	// itself; without a secret, user events miss them.
	blindUsers := rc.Mode == resolver.ModeProxy && len(rc.Secrets) == 0
	if blindUsers && opts.Cache != nil {
		s.logger.Warn("proxy mode without a secret: cached answers carry no user id, so user invalidations cannot reach them here; invalidate by token or all, or give serve the secret")
	}
	s.mux.Handle("POST "+InvalidatePath, &invalidateHandler{secret: secret, cache: opts.Cache, publishers: opts.Publishers, logger: s.logger, blindUsers: blindUsers})
	// The database strategy's sessions are listed from the store; JWT
	// deployments have nothing to list but what serve sees.
	if cfg.Recent > 0 && rc.Strategy == resolver.StrategyJWT {
		s.recent = newRecentSessions(rc.SessionCookieName(), cfg.Recent, opts.Clock)
	}
	s.mux.Handle("GET "+recentapi.Path, &recentHandler{secret: secret, recent: s.recent})
}

// ServeHTTP routes to the endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.fastPath != "" && r.Method == http.MethodGet && r.URL.Path == s.fastPath && r.URL.RawPath == "" {
		r.Pattern = "/" // as the mux would have set it
		s.session.ServeHTTP(w, r)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// observe is observeToken for a handler that does not hand over the
// session token (Better Auth's get-session, the session handler without
// the recent list): the list, when there is one, reads it from the
// request's Cookie header.
func (s *Server) observe(r *http.Request, res resolver.Result, d time.Duration) {
	var tok string
	if s.recent != nil {
		tok = resolver.SessionToken(resolver.FromHeader(r.Header), s.recent.cookieName)
	}
	s.observeToken(r, tok, res, d)
}

// observeToken feeds /metrics, the backend watch and the recent list (tok
// is the request's session token) and, at debug level, logs one line per
// resolution: reason, source and duration only (never the cookie, the
// token or the session).
func (s *Server) observeToken(r *http.Request, tok string, res resolver.Result, d time.Duration) {
	s.metrics.observe(r, res, d)
	s.backend.observe(res)
	if s.recent != nil {
		s.recent.observe(tok, res)
	}
	if s.logger.Enabled(r.Context(), slog.LevelDebug) {
		s.logger.Debug("session", slog.String("reason", string(res.Reason)), slog.String("source", res.Source),
			slog.String("took", d.String())) // "1.2ms": JSON's slog.Duration is bare nanoseconds
	}
}
