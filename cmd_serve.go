package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/bus"
	"github.com/authscope/authscope/resolver/store"
	"github.com/authscope/authscope/resolver/store/pgstore"
	"github.com/redis/go-redis/v9"
)

// `authscope serve` answers GET {basePath}/session exactly as Auth.js does,
// from a local resolver (jwt or database) or by proxy, optionally cached,
// plus /healthz, /metrics and an authenticated invalidation endpoint.
//
// Security defaults: it listens on loopback unless --allow-remote; logs are
// JSON (slog) and never contain cookies, tokens or session contents; the
// invalidation endpoint exists only when its shared secret is set in the
// environment, and compares it in constant time.

const (
	invalidatePath       = "/_authscope/invalidate"
	defaultInvalidateEnv = "AUTHSCOPE_INVALIDATE_SECRET"
)

type serveFlags struct {
	listen         string
	allowRemote    bool
	cache          bool
	cacheTTL       time.Duration
	cacheSize      int
	negativeTTL    time.Duration
	refresh        bool
	proxyTimeout   time.Duration
	trustForwarded bool
	invalidateEnv  string
	busRedis       string
	busPG          string
	busChannel     string
	installTrigger bool
	printTrigger   bool
	sharedCache    string
	logLevel       string
	recent         int
	// …Env name variables holding the URL/DSN, to keep passwords out of argv.
	busRedisEnv, busPGEnv, sharedCacheEnv string
}

func (s *serveFlags) register(fs *flag.FlagSet, defaultListen string) {
	fs.StringVar(&s.listen, "listen", defaultListen, "`address` to listen on")
	fs.BoolVar(&s.allowRemote, "allow-remote", false, "allow a non-loopback --listen address")
	fs.BoolVar(&s.cache, "cache", false, "cache resolutions (TTL capped by each session's expiry and, for JWTs, the token's exp)")
	fs.DurationVar(&s.cacheTTL, "cache-ttl", 0, "cache entry `lifetime` (default 30s)")
	fs.IntVar(&s.cacheSize, "cache-size", 0, "cache bound in `entries` (default 100000)")
	fs.DurationVar(&s.negativeTTL, "negative-ttl", 0, "also cache definitive \"no session\" answers for this `duration` (at most 5s)")
	fs.BoolVar(&s.refresh, "refresh-cookies", false, "send Auth.js's rolling session Set-Cookie refresh")
	fs.DurationVar(&s.proxyTimeout, "proxy-timeout", 0, "proxy mode per-call `deadline` (default 3s)")
	fs.BoolVar(&s.trustForwarded, "trust-forwarded", false, "let X-Forwarded-Proto decide the request scheme (behind a TLS proxy)")
	fs.StringVar(&s.invalidateEnv, "invalidate-secret-env", defaultInvalidateEnv, "environment `variable` holding the invalidation endpoint's shared secret (endpoint off when unset)")
	fs.StringVar(&s.busRedis, "bus-redis", "", "Redis `URL` for invalidation pub/sub (shared between instances)")
	fs.StringVar(&s.busPG, "bus-pg", "", "PostgreSQL `DSN` to LISTEN for invalidations on")
	fs.StringVar(&s.busChannel, "bus-channel", bus.DefaultChannel, "pub/sub and NOTIFY `channel`")
	fs.BoolVar(&s.installTrigger, "install-trigger", false, "install the invalidation triggers on the Auth.js tables (needs --bus-pg; changes the schema)")
	fs.BoolVar(&s.printTrigger, "print-trigger", false, "print the invalidation trigger SQL for the --schema layout and exit (for a DBA to apply)")
	fs.StringVar(&s.sharedCache, "shared-cache", "", "Redis `URL` of a cache tier shared by instances (needs --cache)")
	fs.StringVar(&s.busRedisEnv, "bus-redis-env", "", "read --bus-redis from this environment `variable`")
	fs.StringVar(&s.busPGEnv, "bus-pg-env", "", "read --bus-pg from this environment `variable`")
	fs.StringVar(&s.sharedCacheEnv, "shared-cache-env", "", "read --shared-cache from this environment `variable`")
	fs.StringVar(&s.logLevel, "log-level", "info", "log `level`: debug, info, warn, error")
	fs.IntVar(&s.recent, "recent", defaultRecentCap, "jwt strategy: remember the last `n` session cookies answered, for `authscope tui --from-serve` (served on "+recentPath+" behind the invalidation secret; 0 turns it off)")
}

// server is a built `serve` (or `upstream`) instance.
type server struct {
	ln      net.Listener
	http    *http.Server
	logger  *slog.Logger
	metrics *serveMetrics
	cache   *resolver.Cache
	backend *backendWatch
	recent  *recentSessions // nil unless recording
	closers []func() error
	layout  string // the store's adapter layout (store.LayoutName), for the start-up log
}

func runServe(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "serve", "serve [--profile P] [--listen ADDR] [--mode local|proxy] [--url URL] [--cache] [flags]")
	var f resolveFlags
	f.register(fs)
	var s serveFlags
	s.register(fs, "127.0.0.1:8080")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if s.printTrigger {
		l, err := triggerLayout(&f)
		if err != nil {
			return err
		}
		_, err = io.WriteString(env.stdout, bus.TriggerSQL(l, s.busChannel))
		return err
	}
	srv, err := buildServe(ctx, env, &f, &s)
	if err != nil {
		return err
	}
	return srv.run(ctx)
}

func newServeLogger(env *cliEnv, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, usagef("--log-level %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewJSONHandler(env.stderr, &slog.HandlerOptions{Level: l})), nil
}

// checkListen refuses a non-loopback address unless allowed: a session
// endpoint answers "who is this cookie?" for anyone who can reach it.
func checkListen(addr string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usagef("--listen %q: %v", addr, err)
	}
	if allowRemote {
		return nil
	}
	ip := net.ParseIP(host)
	if host == "localhost" || (ip != nil && ip.IsLoopback()) {
		return nil
	}
	return usagef("--listen %q is not a loopback address; pass --allow-remote to serve beyond this machine", addr)
}

func buildServe(ctx context.Context, env *cliEnv, f *resolveFlags, s *serveFlags) (_ *server, err error) {
	logger, err := newServeLogger(env, s.logLevel)
	if err != nil {
		return nil, err
	}
	if err := checkListen(s.listen, s.allowRemote); err != nil {
		return nil, err
	}
	for _, e := range []struct {
		dst       *string
		name, flg string
	}{{&s.busRedis, s.busRedisEnv, "bus-redis"}, {&s.busPG, s.busPGEnv, "bus-pg"}, {&s.sharedCache, s.sharedCacheEnv, "shared-cache"}} {
		if e.name == "" {
			continue
		}
		if *e.dst != "" {
			return nil, usagef("--%s and --%s-env are exclusive", e.flg, e.flg)
		}
		if *e.dst = env.getenv(e.name); *e.dst == "" {
			return nil, usagef("--%s-env: variable %s is not set", e.flg, e.name)
		}
	}
	if s.sharedCache != "" && !s.cache {
		return nil, usagef("--shared-cache needs --cache")
	}
	if s.installTrigger && s.busPG == "" {
		return nil, usagef("--install-trigger needs --bus-pg")
	}
	if s.cacheTTL < 0 || s.negativeTTL < 0 || s.cacheSize < 0 || s.proxyTimeout < 0 {
		return nil, usagef("--cache-ttl, --negative-ttl, --cache-size and --proxy-timeout must not be negative")
	}
	if s.recent < 0 || s.recent > 100_000 {
		return nil, usagef("--recent %d: want 0 (off) to 100000 cookies", s.recent)
	}
	cfg, p, err := f.config(env)
	if err != nil {
		return nil, err
	}
	// --schema still names the layout --install-trigger works on.
	if cfg.Mode == resolver.ModeProxy {
		if err := f.store.unusedInProxy(true); err != nil {
			return nil, err
		}
	}
	if s.refresh {
		cfg.RefreshCookies = true
	}
	if s.proxyTimeout > 0 {
		cfg.Proxy.Timeout = s.proxyTimeout
	}
	if s.cache {
		cfg.Cache.Enabled = true
	}
	if !cfg.Cache.Enabled && (s.cacheTTL != 0 || s.negativeTTL != 0 || s.cacheSize != 0) {
		// Accepting them would silently serve uncached.
		return nil, usagef("--cache-ttl, --negative-ttl and --cache-size need --cache")
	}
	if s.cacheTTL > 0 {
		cfg.Cache.TTL = s.cacheTTL
	}
	if s.cacheSize > 0 {
		cfg.Cache.Size = s.cacheSize
	}
	if s.negativeTTL > 0 {
		cfg.Cache.NegativeTTL = s.negativeTTL
	}
	if err := cfg.Validate(); err != nil {
		return nil, usageError{err}
	}
	clock, err := f.clock()
	if err != nil {
		return nil, err
	}

	// srv is a local, not the named result: `return nil, err` would set
	// the result to nil before the deferred cleanup runs.
	srv := &server{logger: logger, metrics: newServeMetrics(string(cfg.Mode)), backend: newBackendWatch(logger)}
	defer func() {
		if err != nil {
			srv.close()
		}
	}()

	opts := []resolver.Option{resolver.WithClock(clock), resolver.WithLogger(logger)}
	if cfg.Mode == resolver.ModeLocal && cfg.Strategy == resolver.StrategyDatabase {
		st, err := openStore(ctx, env, f, cfg, p)
		if err != nil {
			return nil, storeOpenError(err)
		}
		srv.closers = append(srv.closers, st.Close)
		opts = append(opts, resolver.WithStore(st))
		srv.layout = store.LayoutName(st)
	}
	// The cache is built here rather than by resolver.New so that serve
	// holds it: /metrics reads its stats and the buses invalidate it.
	uncached := cfg
	uncached.Cache.Enabled = false
	r, err := resolver.New(uncached, opts...)
	if err != nil {
		return nil, usageError{err}
	}
	var publishers []resolver.Publisher
	if cfg.Cache.Enabled {
		copts := []resolver.CacheOption{resolver.WithCacheCookieName(cfg.SessionCookieName()), resolver.WithCacheClock(clock), resolver.WithCacheLogger(logger)}
		if s.sharedCache != "" {
			rc, err := redisClient(s.sharedCache)
			if err != nil {
				return nil, err
			}
			srv.closers = append(srv.closers, rc.Close)
			copts = append(copts, resolver.WithSharedTier(bus.NewRedisTier(rc, "", logger)))
		}
		srv.cache = resolver.NewCached(r, cfg.Cache, copts...)
		srv.closers = append(srv.closers, srv.cache.Close)
		srv.metrics.cache = srv.cache
		r = srv.cache
	}
	origin := bus.NewOrigin()
	if s.busRedis != "" {
		rc, err := redisClient(s.busRedis)
		if err != nil {
			return nil, err
		}
		srv.closers = append(srv.closers, rc.Close)
		rb := bus.NewRedis(rc, s.busChannel, origin, logger)
		publishers = append(publishers, rb)
		if srv.cache != nil {
			l, err := rb.Listen(ctx, srv.cache)
			if err != nil {
				return nil, err
			}
			srv.closers = append(srv.closers, l.Close)
			srv.metrics.listeners["redis"] = l
		}
	}
	if s.busPG != "" {
		pg := bus.NewPostgres(s.busPG, s.busChannel, origin, logger)
		if s.installTrigger {
			l, err := triggerLayout(f)
			if err != nil {
				return nil, err
			}
			if err := pg.InstallTrigger(ctx, l); err != nil {
				return nil, err
			}
			logger.Info("installed invalidation triggers", slog.String("channel", s.busChannel))
		}
		publishers = append(publishers, pg)
		if srv.cache != nil {
			l, err := pg.Listen(ctx, srv.cache)
			if err != nil {
				return nil, err
			}
			srv.closers = append(srv.closers, l.Close)
			srv.metrics.listeners["postgres"] = l
		}
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	mux.Handle("GET /metrics", srv.metrics)
	if secret := env.getenv(s.invalidateEnv); secret != "" {
		// Proxy answers carry a user id only when serve can decode the
		// cookie itself; without a secret, user events miss them.
		blindUsers := cfg.Mode == resolver.ModeProxy && len(cfg.Secrets) == 0
		if blindUsers && srv.cache != nil {
			logger.Warn("proxy mode without a secret: cached answers carry no user id, so user invalidations cannot reach them here; invalidate by token or all, or give serve the secret")
		}
		mux.Handle("POST "+invalidatePath, &invalidateHandler{secret: sha256.Sum256([]byte(secret)), cache: srv.cache, publishers: publishers, logger: logger, blindUsers: blindUsers})
		// The database strategy's sessions are listed from the store; JWT
		// deployments have nothing to list but what serve sees.
		if s.recent > 0 && cfg.Strategy == resolver.StrategyJWT {
			srv.recent = newRecentSessions(cfg.SessionCookieName(), s.recent, clock)
		}
		mux.Handle("GET "+recentPath, &recentHandler{secret: sha256.Sum256([]byte(secret)), recent: srv.recent})
	}
	mux.Handle("/", resolver.NewHandler(r, cfg,
		resolver.WithObserver(srv.observe),
		resolver.WithHandlerLogger(logger),
		resolver.WithTrustForwarded(s.trustForwarded)))

	if err := srv.listen(s.listen, mux); err != nil {
		return nil, err
	}
	attrs := []any{slog.String("addr", srv.ln.Addr().String()), slog.String("mode", string(cfg.Mode)),
		slog.String("strategy", string(cfg.Strategy)), slog.String("base_path", cfg.BasePath),
		slog.Bool("cache", cfg.Cache.Enabled), slog.Bool("invalidate_endpoint", env.getenv(s.invalidateEnv) != "")}
	if cfg.Mode == resolver.ModeProxy {
		if u, err := resolver.UpstreamSessionURL(cfg); err == nil {
			attrs = append(attrs, slog.String("upstream", resolver.RedactURL(u)))
		}
	}
	if srv.layout != "" {
		attrs = append(attrs, slog.String("store_layout", srv.layout))
	}
	logger.Info("listening", attrs...)
	return srv, nil
}

// observe feeds /metrics and, at debug level, logs one line per
// resolution: reason, source and duration only (never the cookie, the
// token or the session).
func (srv *server) observe(r *http.Request, res resolver.Result, d time.Duration) {
	srv.metrics.observe(r, res, d)
	srv.backend.observe(res)
	if srv.recent != nil {
		srv.recent.observe(r, res)
	}
	if srv.logger.Enabled(r.Context(), slog.LevelDebug) {
		srv.logger.Debug("session", slog.String("reason", string(res.Reason)), slog.String("source", res.Source),
			slog.String("took", d.String())) // "1.2ms": JSON's slog.Duration is bare nanoseconds
	}
}

// triggerLayout is the PostgreSQL layout (--schema preset, default
// pg-adapter) the invalidation triggers watch.
func triggerLayout(f *resolveFlags) (bus.Layout, error) {
	name := f.store.schema
	if name == "" || name == store.SchemaAuto {
		name = pgstore.DefaultPreset
	}
	l, err := pgstore.Preset(name)
	if err != nil {
		return bus.Layout{}, usageError{err}
	}
	return bus.Layout{Sessions: l.Sessions, SessionToken: l.SessionToken, SessionUserID: l.SessionUserID, Users: l.Users, UserID: l.UserID}, nil
}

func redisClient(rawURL string) (*redis.Client, error) {
	opt, err := redis.ParseURL(rawURL)
	if err != nil {
		// url.Parse's error quotes the whole URL, password included.
		var ue *url.Error
		if errors.As(err, &ue) {
			return nil, usagef("redis URL %s: %v", resolver.RedactURL(rawURL), ue.Err)
		}
		return nil, usagef("redis URL %s: %v", resolver.RedactURL(rawURL), err)
	}
	return redis.NewClient(opt), nil
}

// listen binds addr and prepares the HTTP server: keep-alive on, header
// and idle timeouts so that slow clients cannot hold connections forever.
func (srv *server) listen(addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	srv.ln = ln
	srv.http = &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(srv.logger.Handler(), slog.LevelWarn),
	}
	return nil
}

// run serves until ctx ends (SIGINT/SIGTERM in main), then shuts down
// gracefully: in-flight requests get up to 10 s, then everything closes.
func (srv *server) run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.http.Serve(srv.ln) }()
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		srv.logger.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		err = srv.http.Shutdown(sctx)
		cancel()
		if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
			err = serr
		}
	}
	srv.close()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	if err == nil {
		srv.logger.Info("stopped")
	}
	return err
}

func (srv *server) close() {
	if srv == nil {
		return
	}
	for i := len(srv.closers) - 1; i >= 0; i-- {
		srv.closers[i]()
	}
	srv.closers = nil
}

// invalidateHandler is POST /_authscope/invalidate. The body is one event:
//
//	{"kind":"token","token":"<session token>"}      (or "token_sha256")
//	{"kind":"user","user_id":"42"}
//	{"kind":"all"}
//
// authenticated by "Authorization: Bearer <secret>". The raw token, when
// given, is hashed at once and never logged or forwarded: buses carry its
// digest. The event is applied to this instance's cache and published on
// every configured bus.
type invalidateHandler struct {
	secret     [32]byte
	cache      *resolver.Cache
	publishers []resolver.Publisher
	logger     *slog.Logger
	// blindUsers: the cached answers have no user id (proxy mode without a
	// secret), so a user event removes nothing here.
	blindUsers bool
}

// authorized checks the admin endpoints' "Authorization: Bearer <secret>"
// against the secret's digest and answers 401 when it does not match.
// Digests are compared so that neither the length nor a prefix of the
// secret leaks through timing.
func authorized(w http.ResponseWriter, r *http.Request, secret [32]byte) bool {
	auth := r.Header.Get("Authorization")
	got := sha256.Sum256([]byte(strings.TrimPrefix(auth, "Bearer ")))
	if !strings.HasPrefix(auth, "Bearer ") || subtle.ConstantTimeCompare(got[:], secret[:]) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="authscope"`)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return false
	}
	return true
}

func (h *invalidateHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !authorized(w, r, h.secret) {
		return
	}
	var req struct {
		resolver.InvalidationEvent
		Token string `json:"token"`
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 16<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		http.Error(w, "bad event: "+err.Error(), http.StatusBadRequest)
		return
	}
	ev := req.InvalidationEvent
	if ev.Kind == resolver.InvalidateKindToken && req.Token != "" {
		ev.TokenDigest = resolver.TokenDigest(req.Token)
	}
	ev.Origin = ""
	b, _ := json.Marshal(ev)
	ev, err := resolver.ParseInvalidationEvent(b) // validates, normalises the digest
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var removed uint64
	if h.cache != nil {
		before := h.cache.Stats().Invalidated
		_ = ev.Apply(h.cache)
		// Concurrent invalidations may add to the difference; it is a
		// report, not an exact count.
		removed = h.cache.Stats().Invalidated - before
	}
	published := 0
	for _, p := range h.publishers {
		if err := p.Publish(r.Context(), ev); err != nil {
			h.logger.Warn("publishing invalidation failed", slog.String("error", err.Error()))
			continue
		}
		published++
	}
	h.logger.Info("invalidation", slog.String("kind", string(ev.Kind)), slog.Int("published", published))
	w.Header().Set("Content-Type", "application/json")
	note := ""
	if ev.Kind == resolver.InvalidateKindUser && h.blindUsers && h.cache != nil {
		note = `,"note":"proxy answers cached without a secret carry no user id: invalidate by token or all"`
	}
	fmt.Fprintf(w, `{"ok":true,"applied":%t,"removed":%d,"published":%d%s}`+"\n", h.cache != nil, removed, published, note)
}
