package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/authscope/authscope/internal/recentapi"
	"github.com/authscope/authscope/internal/server"
	"github.com/authscope/authscope/profiles"
	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/bus"
	"github.com/authscope/authscope/resolver/engine"
	"github.com/authscope/authscope/resolver/store"
	"github.com/authscope/authscope/resolver/store/pgstore"
)

// `authscope serve` answers GET {basePath}/session exactly as Auth.js does,
// from a local resolver (jwt or database) or by proxy, optionally cached,
// plus /healthz, /metrics and an authenticated invalidation endpoint.
//
// Security defaults: it listens on loopback unless --allow-remote; logs are
// JSON (slog) and never contain cookies, tokens or session contents; the
// invalidation endpoint exists only when its shared secret is set in the
// environment, and compares it in constant time.

// defaultInvalidateEnv names the variable holding the admin endpoints'
// shared secret.
const defaultInvalidateEnv = "AUTHSCOPE_INVALIDATE_SECRET"

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
	pprof          string // loopback address of the runtime profiles; "" is off
	tokenMemo      int    // -1: the configuration's (profile) or the default
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
	fs.StringVar(&s.busRedis, "bus-redis", "", "Redis `URL` for invalidation pub/sub (shared between instances; needs --cache)")
	fs.StringVar(&s.busPG, "bus-pg", "", "PostgreSQL `DSN` to LISTEN for invalidations on (needs --cache)")
	fs.StringVar(&s.busChannel, "bus-channel", bus.DefaultChannel, "pub/sub and NOTIFY `channel`")
	fs.BoolVar(&s.installTrigger, "install-trigger", false, "install the invalidation triggers on the Auth.js tables (needs --bus-pg; changes the schema)")
	fs.BoolVar(&s.printTrigger, "print-trigger", false, "print the invalidation trigger SQL for the --schema layout and exit (for a DBA to apply)")
	fs.StringVar(&s.sharedCache, "shared-cache", "", "Redis `URL` of a cache tier shared by instances (needs --cache)")
	fs.StringVar(&s.busRedisEnv, "bus-redis-env", "", "read --bus-redis from this environment `variable`")
	fs.StringVar(&s.busPGEnv, "bus-pg-env", "", "read --bus-pg from this environment `variable`")
	fs.StringVar(&s.sharedCacheEnv, "shared-cache-env", "", "read --shared-cache from this environment `variable`")
	fs.StringVar(&s.logLevel, "log-level", "info", "log `level`: debug, info, warn, error")
	fs.StringVar(&s.pprof, "pprof", "", "serve Go runtime profiles (net/http/pprof) on this loopback `address`, e.g. 127.0.0.1:6060 (off by default)")
	s.tokenMemo = -1
	fs.Var(tokenMemoFlag{&s.tokenMemo}, "token-memo", "jwt strategy: remember the claims of the last `n` tokens decoded (default 4096; 0 turns the memo off)")
	fs.IntVar(&s.recent, "recent", server.DefaultRecent, "jwt strategy: remember the last `n` session cookies answered, for `authscope tui --from-serve` (served on "+recentapi.Path+" behind the invalidation secret; 0 turns it off)")
}

// process is a built `serve` or `upstream`: its listener, the handler and
// what to release when it stops.
type process struct {
	ln      net.Listener
	handler http.Handler
	logger  *slog.Logger
	closers []func() error
	layout  string // the store's adapter layout (store.LayoutName), for the start-up log
	// sqlLayout is the PostgreSQL layout the opened store found (--schema
	// auto): the tables --install-trigger watches.
	sqlLayout store.Layout
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
	proc, err := buildServe(ctx, env, &f, &s)
	if err != nil {
		return err
	}
	server.TuneGC(ctx) // GOGC in the environment wins
	return proc.run(ctx)
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

// buildServe checks serve's flags, layers the configuration, opens the
// backends and binds the listener: everything that can fail before the
// first request. On error, whatever was opened is closed.
func buildServe(ctx context.Context, env *cliEnv, f *resolveFlags, s *serveFlags) (_ *process, err error) {
	logger, err := newServeLogger(env, s.logLevel)
	if err != nil {
		return nil, err
	}
	routeRedisLogs(logger)
	if err := checkListen(s.listen, s.allowRemote); err != nil {
		return nil, err
	}
	if err := s.resolveEnv(env); err != nil {
		return nil, err
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	cfg, p, err := serveConfig(env, f, s)
	if err != nil {
		return nil, err
	}
	clock := f.clock()
	// proc is a local, not the named result: `return nil, err` would set
	// the result to nil before the deferred cleanup runs.
	proc := &process{logger: logger}
	defer func() {
		if err != nil {
			proc.close()
		}
	}()
	name, err := f.engineName(env)
	if err != nil {
		return nil, err
	}
	var r resolver.Resolver
	var opts server.Options
	if name == engine.AuthJS {
		r, opts, err = proc.backends(ctx, env, f, s, cfg, p, clock)
	} else {
		r, opts, err = proc.engineBackends(ctx, env, f, s, cfg, p, clock, name)
	}
	if err != nil {
		return nil, err
	}
	secret := env.getenv(s.invalidateEnv)
	if proc.handler, err = server.New(server.Config{Resolver: cfg, InvalidateSecret: secret, Recent: s.recent, TrustForwarded: s.trustForwarded, Engine: string(name)}, r, opts); err != nil {
		return nil, err
	}
	if err := proc.listen(s.listen); err != nil {
		return nil, err
	}
	if s.pprof != "" {
		if err := proc.startPprof(s.pprof); err != nil {
			return nil, err
		}
	}
	logServeStart(logger, proc.ln.Addr(), cfg, secret != "", proc.layout)
	return proc, nil
}

// resolveEnv reads the --…-env variables into their flags: URLs and DSNs
// with passwords stay out of argv.
func (s *serveFlags) resolveEnv(env *cliEnv) error {
	for _, e := range []struct {
		dst       *string
		name, flg string
	}{{&s.busRedis, s.busRedisEnv, "bus-redis"}, {&s.busPG, s.busPGEnv, "bus-pg"}, {&s.sharedCache, s.sharedCacheEnv, "shared-cache"}} {
		if e.name == "" {
			continue
		}
		if *e.dst != "" {
			return usagef("--%s and --%s-env are exclusive", e.flg, e.flg)
		}
		if *e.dst = env.getenv(e.name); *e.dst == "" {
			return usagef("--%s-env: variable %s is not set", e.flg, e.name)
		}
	}
	return nil
}

// check refuses flag combinations and values serve cannot honour.
func (s *serveFlags) check() error {
	switch {
	case s.sharedCache != "" && !s.cache:
		return usagef("--shared-cache needs --cache")
	case s.installTrigger && s.busPG == "":
		return usagef("--install-trigger needs --bus-pg")
	case s.cacheTTL < 0 || s.negativeTTL < 0 || s.cacheSize < 0 || s.proxyTimeout < 0:
		return usagef("--cache-ttl, --negative-ttl, --cache-size and --proxy-timeout must not be negative")
	case s.recent < 0 || s.recent > 100_000:
		return usagef("--recent %d: want 0 (off) to 100000 cookies", s.recent)
	}
	return nil
}

// serveConfig is the resolver configuration serve runs: the shared
// layering (profile, environment, resolver flags) with serve's own flags
// as the last layer, validated once.
func serveConfig(env *cliEnv, f *resolveFlags, s *serveFlags) (resolver.Config, *profiles.Profile, error) {
	cfg, p, err := f.config(env, s.layer)
	if err != nil {
		return cfg, nil, err
	}
	// --schema still names the layout --install-trigger works on.
	if cfg.Mode == resolver.ModeProxy {
		if err := f.store.unusedInProxy(true); err != nil {
			return cfg, nil, err
		}
	}
	return cfg, p, nil
}

// layer applies serve's flags over the resolver configuration.
func (s *serveFlags) layer(cfg *resolver.Config) error {
	if s.refresh {
		cfg.RefreshCookies = true
	}
	if s.proxyTimeout > 0 {
		cfg.Proxy.Timeout = s.proxyTimeout
	}
	if s.tokenMemo >= 0 {
		n := s.tokenMemo
		cfg.TokenMemo = &n
	}
	if s.cache {
		cfg.Cache.Enabled = true
	}
	if !cfg.Cache.Enabled && (s.cacheTTL != 0 || s.negativeTTL != 0 || s.cacheSize != 0) {
		// Accepting them would silently serve uncached.
		return usagef("--cache-ttl, --negative-ttl and --cache-size need --cache")
	}
	if !cfg.Cache.Enabled {
		// A bus feeds the cache other instances' invalidations; without one
		// it would be connected for nothing (and a dead bus reported healthy).
		for _, b := range []struct{ flag, value string }{{"bus-pg", s.busPG}, {"bus-redis", s.busRedis}} {
			if b.value != "" {
				return usagef("--%s needs --cache (or a profile's resolver.cache.enabled): the bus invalidates the cache", b.flag)
			}
		}
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
	return nil
}

// backends builds the resolver serve answers from (the store opened for
// the database strategy, the cache and its shared tier) and the buses,
// and returns the server options that expose them.
func (proc *process) backends(ctx context.Context, env *cliEnv, f *resolveFlags, s *serveFlags, cfg resolver.Config, p *profiles.Profile, clock resolver.Clock) (resolver.Resolver, server.Options, error) {
	opts := server.Options{Logger: proc.logger, Clock: clock, Listeners: map[string]*bus.Listener{}}
	ropts := []resolver.Option{resolver.WithClock(clock), resolver.WithLogger(proc.logger)}
	if cfg.Mode == resolver.ModeLocal && cfg.Strategy == resolver.StrategyDatabase {
		st, err := openStore(ctx, env, f, cfg, p)
		if err != nil {
			return nil, opts, storeOpenError(err)
		}
		proc.closers = append(proc.closers, st.Close)
		ropts = append(ropts, resolver.WithStore(st))
		proc.layout = store.LayoutName(st)
		if pgs, ok := store.Unwrap(st).(*pgstore.Store); ok {
			proc.sqlLayout = pgs.Layout()
		}
	}
	// The cache is built here rather than by resolver.New so that serve
	// holds it: /metrics reads its stats and the buses invalidate it.
	uncached := cfg
	uncached.Cache.Enabled = false
	r, err := resolver.New(uncached, ropts...)
	if err != nil {
		return nil, opts, usageError{err}
	}
	if cfg.Cache.Enabled {
		if opts.Cache, err = proc.cache(r, cfg, s, clock); err != nil {
			return nil, opts, err
		}
		r = opts.Cache
	}
	if err := proc.buses(ctx, f, s, &opts); err != nil {
		return nil, opts, err
	}
	return r, opts, nil
}

// cache wraps r in serve's cache, with the shared Redis tier when asked.
func (proc *process) cache(r resolver.Resolver, cfg resolver.Config, s *serveFlags, clock resolver.Clock) (*resolver.Cache, error) {
	copts := []resolver.CacheOption{resolver.WithCacheCookieName(cfg.SessionCookieName()), resolver.WithCacheClock(clock), resolver.WithCacheLogger(proc.logger)}
	if s.sharedCache != "" {
		rc, err := redisClient(s.sharedCache)
		if err != nil {
			return nil, err
		}
		proc.closers = append(proc.closers, rc.Close)
		copts = append(copts, resolver.WithSharedTier(bus.NewRedisTier(rc, "", proc.logger)))
	}
	c := resolver.NewCached(r, cfg.Cache, copts...)
	proc.closers = append(proc.closers, c.Close)
	return c, nil
}

// buses connects the invalidation buses: each publishes the events posted
// to the endpoint and, with a cache, feeds it the other instances' events.
func (proc *process) buses(ctx context.Context, f *resolveFlags, s *serveFlags, opts *server.Options) error {
	origin := bus.NewOrigin()
	if s.busRedis != "" {
		rc, err := redisClient(s.busRedis)
		if err != nil {
			return err
		}
		proc.closers = append(proc.closers, rc.Close)
		rb := bus.NewRedis(rc, s.busChannel, origin, proc.logger)
		if err := proc.subscribe(ctx, "redis", rb, opts); err != nil {
			return err
		}
	}
	if s.busPG != "" {
		pg := bus.NewPostgres(s.busPG, s.busChannel, origin, proc.logger)
		if s.installTrigger {
			l, err := triggerLayout(f)
			if err != nil {
				return err
			}
			if d := proc.sqlLayout; d.Users != "" && (f.store.schema == "" || f.store.schema == store.SchemaAuto) {
				// The store found its layout: watch those tables.
				l = bus.Layout{Sessions: d.Sessions, SessionToken: d.SessionToken, SessionUserID: d.SessionUserID, Users: d.Users, UserID: d.UserID}
			}
			if err := pg.InstallTrigger(ctx, l); err != nil {
				return err
			}
			proc.logger.Info("installed invalidation triggers", slog.String("channel", s.busChannel))
		}
		if err := proc.subscribe(ctx, "postgres", pg, opts); err != nil {
			return err
		}
	}
	return nil
}

// eventBus is what the Redis and PostgreSQL buses share.
type eventBus interface {
	resolver.Publisher
	Listen(ctx context.Context, inv resolver.Invalidator) (*bus.Listener, error)
}

// subscribe publishes on b and, with a cache, listens to it.
func (proc *process) subscribe(ctx context.Context, name string, b eventBus, opts *server.Options) error {
	opts.Publishers = append(opts.Publishers, b)
	if opts.Cache == nil {
		return nil
	}
	l, err := b.Listen(ctx, opts.Cache)
	if err != nil {
		return err
	}
	proc.closers = append(proc.closers, l.Close)
	opts.Listeners[name] = l
	return nil
}

// logServeStart is serve's "listening" line: where, how, and the
// upstream with its password redacted.
func logServeStart(logger *slog.Logger, addr net.Addr, cfg resolver.Config, invalidate bool, layout string) {
	attrs := []any{slog.String("addr", addr.String()), slog.String("mode", string(cfg.Mode)),
		slog.String("strategy", string(cfg.Strategy)), slog.String("base_path", cfg.BasePath),
		slog.Bool("cache", cfg.Cache.Enabled), slog.Bool("invalidate_endpoint", invalidate)}
	if cfg.Mode == resolver.ModeProxy {
		if u, err := resolver.UpstreamSessionURL(cfg); err == nil {
			attrs = append(attrs, slog.String("upstream", resolver.RedactURL(u)))
		}
	}
	if layout != "" {
		attrs = append(attrs, slog.String("store_layout", layout))
	}
	logger.Info("listening", attrs...)
}

// triggerLayout is the PostgreSQL layout (--schema preset, default
// pg-adapter) the invalidation triggers watch when no opened store has
// found one (--print-trigger, proxy mode).
func triggerLayout(f *resolveFlags) (bus.Layout, error) {
	name := f.store.schema
	if name == "" || name == store.SchemaAuto {
		name = store.DefaultPreset
	}
	l, err := store.Preset(name)
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

// listen binds addr.
func (proc *process) listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	proc.ln = ln
	return nil
}

// run serves until ctx ends (SIGINT/SIGTERM in main), shuts down
// gracefully, then releases everything.
func (proc *process) run(ctx context.Context) error {
	err := server.Serve(ctx, proc.ln, proc.handler, proc.logger)
	proc.close()
	if err == nil {
		proc.logger.Info("stopped")
	}
	return err
}

// close releases what was opened, newest first.
func (proc *process) close() {
	if proc == nil {
		return
	}
	for i := len(proc.closers) - 1; i >= 0; i-- {
		proc.closers[i]()
	}
	proc.closers = nil
}
