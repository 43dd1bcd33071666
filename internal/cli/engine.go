package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/authscope/authscope/internal/benchtarget"
	"github.com/authscope/authscope/internal/demo"
	"github.com/authscope/authscope/internal/server"
	"github.com/authscope/authscope/profiles"
	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/betterauth"
	bamysql "github.com/authscope/authscope/resolver/betterauth/mysqlstore"
	bapg "github.com/authscope/authscope/resolver/betterauth/pgstore"
	baredis "github.com/authscope/authscope/resolver/betterauth/redisstore"
	basqlite "github.com/authscope/authscope/resolver/betterauth/sqlitestore"
	"github.com/authscope/authscope/resolver/betterauth/sqlstore"
	"github.com/authscope/authscope/resolver/engine"
	"github.com/authscope/authscope/resolver/store"
	"github.com/authscope/authscope/tui"
	"github.com/authscope/authscope/tui/backend"
)

// The engine choice (resolver/engine) as the commands see it: --engine,
// else the profile's resolver.engine, else Auth.js. Commands that take the
// flag build Better Auth's side here; Auth.js alone keeps each command's
// own resolver.New path unchanged.

const engineUsage = "session `engine`: authjs, better-auth or auto (auto picks by the session cookie present; default authjs)"

// engineName is the engine --engine or the profile selects. It reads the
// profile itself because the layering needs the engine first: Better Auth
// alone needs no Auth.js secret.
func (f *resolveFlags) engineName(env *cliEnv) (engine.Name, error) {
	v := f.engine
	if v == "" && f.profile != "" {
		p, err := profiles.Find(f.profile, profiles.Dir(env.getenv))
		if err != nil {
			return "", usageError{err}
		}
		v = p.Resolver.Engine
	}
	n, err := engine.Parse(v)
	if err != nil {
		return "", usageError{err}
	}
	return n, nil
}

// onlyAuthJS refuses another engine for a command (or one of its outputs)
// that resolves Auth.js sessions only.
func onlyAuthJS(n engine.Name, what string) error {
	if n == engine.AuthJS {
		return nil
	}
	return usagef("%s works with the authjs engine only (got --engine %s)", what, n)
}

// openBetterAuthStore opens Better Auth's session store: --db or --db-env
// when given, else the profile's store section.
func openBetterAuthStore(ctx context.Context, env *cliEnv, f *resolveFlags, readOnly bool, p *profiles.Profile) (betterAuthStore, error) {
	var dsn string
	var err error
	if f.store.db != "" || f.store.dbEnv != "" || p == nil {
		if dsn, err = f.store.dsn(env); err != nil {
			return nil, usagef("the better-auth engine in local mode needs its store: %v", err)
		}
	} else if dsn, err = p.DSN(env.getenv); err != nil || dsn == "" {
		if err == nil {
			err = fmt.Errorf("profile %s names no store: add store.dsn_env or pass --db", p.Name)
		}
		return nil, usageError{err}
	}
	return openBetterAuthLayout(ctx, env, dsn, readOnly, baLayout(p))
}

// baLayout is the profile's Better Auth schema options (store.better_auth)
// as a store layout; nil profile, none.
func baLayout(p *profiles.Profile) sqlstore.Layout {
	if p == nil {
		return sqlstore.Layout{}
	}
	b := p.Store.BetterAuth
	se, ue := benchtarget.BetterAuthFields(p)
	return sqlstore.Layout{SessionTable: b.SessionModel, UserTable: b.UserModel, SessionColumns: b.SessionFields, UserColumns: b.UserFields,
		SessionExtra: se, UserExtra: ue}
}

// betterAuthStore is Better Auth's store as the commands use it (the SQL
// stores also implement store.Browser).
type betterAuthStore interface {
	betterauth.Store
	Close() error
}

// openBetterAuthDSN opens Better Auth's tables at dsn: the Kysely SQLite
// layout (sqlite:PATH), on PostgreSQL and MySQL/MariaDB the Kysely,
// Prisma or Drizzle layout found in the catalog, or a Redis
// secondaryStorage (redis://; keys as Better Auth writes them, after
// BETTER_AUTH_REDIS_PREFIX).
func openBetterAuthDSN(ctx context.Context, env *cliEnv, dsn string, readOnly bool) (betterAuthStore, error) {
	return openBetterAuthLayout(ctx, env, dsn, readOnly, sqlstore.Layout{})
}

// openBetterAuthLayout is openBetterAuthDSN with the deployment's table,
// column and additionalFields names (the profile's store.better_auth).
func openBetterAuthLayout(ctx context.Context, env *cliEnv, dsn string, readOnly bool, l sqlstore.Layout) (betterAuthStore, error) {
	kind, err := store.KindOf(dsn)
	if err != nil {
		return nil, usageError{err}
	}
	var st betterAuthStore
	switch kind {
	case store.KindSQLite:
		_, path, _ := strings.Cut(dsn, ":")
		st, err = basqlite.Open(ctx, path, basqlite.Options{ReadOnly: readOnly, SessionTable: l.SessionTable, UserTable: l.UserTable,
			SessionColumns: l.SessionColumns, UserColumns: l.UserColumns, SessionExtra: l.SessionExtra, UserExtra: l.UserExtra})
	case store.KindPostgres:
		st, err = bapg.Open(ctx, dsn, bapg.Options{ReadOnly: readOnly, Layout: l})
	case store.KindMySQL:
		st, err = bamysql.Open(ctx, dsn, bamysql.Options{ReadOnly: readOnly, Layout: l})
	case store.KindRedis:
		st, err = baredis.Open(ctx, dsn, baredis.Options{Prefix: env.getenv("BETTER_AUTH_REDIS_PREFIX"), ReadOnly: readOnly})
	default:
		return nil, usagef("Better Auth on %s is not supported: the better-auth engine reads SQLite, PostgreSQL, MySQL/MariaDB and Redis (secondaryStorage)", kind)
	}
	if errors.Is(err, store.ErrBadDSN) {
		return nil, usageError{err}
	}
	if err != nil {
		return nil, storeOpenError(fmt.Errorf("opening %s: %w", store.Redact(dsn), err))
	}
	return st, nil
}

// engineBuild is what buildEngine needs beyond the configuration.
type engineBuild struct {
	name   engine.Name
	clock  resolver.Clock
	logger *slog.Logger
	// authjs are resolver.New's options for the Auth.js side (its store).
	authjs []resolver.Option
	// baStore is Better Auth's store, opened by the caller (nil in proxy
	// mode or when the caller opens none).
	baStore betterauth.Store
	// profile carries Better Auth's additionalFields (store.better_auth),
	// which decide what get-session returns.
	profile *profiles.Profile
}

// buildEngine builds the resolver for b.name from the layered Auth.js
// configuration cfg (which carries the shared settings).
func buildEngine(env *cliEnv, cfg resolver.Config, b engineBuild) (resolver.Resolver, error) {
	ba, err := engine.BetterAuthConfig(cfg, env.getenv)
	if err != nil {
		return nil, usageError{err}
	}
	l := baLayout(b.profile)
	ba.SessionFields, ba.UserFields = l.SessionExtra, l.UserExtra
	logger := b.logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	r, err := engine.New(engine.Config{Engine: b.name, AuthJS: cfg, BetterAuth: ba},
		engine.Parts{AuthJS: b.authjs, BetterAuthStore: b.baStore, Clock: b.clock, Logger: logger})
	if err != nil {
		return nil, usageError{err}
	}
	return r, nil
}

// engineSession is resolve's session output under better-auth or auto:
// Better Auth's get-session body when Better Auth answered (exact in local
// mode, redacted unless --reveal), Auth.js's /session body otherwise; with
// --explain the answering engine on stderr.
func (o resolveOutput) engineSession(ctx context.Context, f *resolveFlags, p *profiles.Profile, clock resolver.Clock, name engine.Name) error {
	env, cfg := o.env, o.cfg
	logger := newWarnLogger(env.stderr)
	b := engineBuild{name: name, clock: clock, logger: logger, authjs: []resolver.Option{resolver.WithLogger(logger)}, profile: p}
	if cfg.Mode == resolver.ModeLocal {
		if name == engine.Auto && cfg.Strategy == resolver.StrategyDatabase {
			st, err := openStore(ctx, env, f, cfg, p)
			if err != nil {
				return err
			}
			defer st.Close()
			b.authjs = append(b.authjs, resolver.WithStore(st))
		}
		st, err := openBetterAuthStore(ctx, env, f, cfg.ReadOnly, p)
		if err != nil {
			return err
		}
		defer st.Close()
		b.baStore = st
	} else if err := f.store.unusedInProxy(false); err != nil {
		return err
	}
	r, err := buildEngine(env, cfg, b)
	if err != nil {
		return err
	}
	a, err := engine.Resolve(ctx, r, o.in, betterauth.Options{})
	if err != nil {
		return err
	}
	res := a.Result
	switch {
	case o.explain:
		fmt.Fprintf(env.stderr, "engine: %s\n", res.Engine)
		if res.Session == nil {
			explainTo(env.stderr, res.Reason, res.Err)
		}
	case infrastructureReason(res.Reason):
		fmt.Fprintf(env.stderr, "warning: no session because of %s (use --explain for the detail)\n", res.Reason)
	}
	var body []byte
	switch {
	case res.Engine == string(engine.BetterAuth):
		body = betterauth.MarshalBody(betterauth.RedactBody(a.Body, o.red, allowList(p)))
	default:
		body = resolver.MarshalSessionBody(o.red.Session(res.Session))
	}
	_, err = fmt.Fprintf(env.stdout, "%s\n", body)
	return err
}

// engineBackends is serve's backends for the better-auth and auto
// engines: the stores each side reads, and the cache engine.New builds
// around each engine when --cache is on. The shared cache tier and the
// invalidation buses key on Auth.js's cookie and tables, so they are
// refused here rather than silently not reaching Better Auth's sessions.
func (proc *process) engineBackends(ctx context.Context, env *cliEnv, f *resolveFlags, s *serveFlags, cfg resolver.Config, p *profiles.Profile, clock resolver.Clock, name engine.Name) (resolver.Resolver, server.Options, error) {
	opts := server.Options{Logger: proc.logger, Clock: clock}
	if s.sharedCache != "" || s.busRedis != "" || s.busPG != "" {
		return nil, opts, usagef("--shared-cache, --bus-redis and --bus-pg work with the authjs engine only so far (got --engine %s)", name)
	}
	b := engineBuild{name: name, clock: clock, logger: proc.logger, authjs: []resolver.Option{resolver.WithLogger(proc.logger)}, profile: p}
	if cfg.Mode == resolver.ModeLocal {
		if name == engine.Auto && cfg.Strategy == resolver.StrategyDatabase {
			st, err := openStore(ctx, env, f, cfg, p)
			if err != nil {
				return nil, opts, storeOpenError(err)
			}
			proc.closers = append(proc.closers, st.Close)
			b.authjs = append(b.authjs, resolver.WithStore(st))
		}
		st, err := openBetterAuthStore(ctx, env, f, cfg.ReadOnly, p)
		if err != nil {
			return nil, opts, err
		}
		proc.closers = append(proc.closers, st.Close)
		b.baStore = st
	}
	r, err := buildEngine(env, cfg, b)
	return r, opts, err
}

// betterAuthDemoDeps is the TUI on the Better Auth demo: its sessions
// browsed and revoked in the seeded store (Better Auth's expiresIn and
// updateAge define "due"), resolvers and load runs from the demo.
func betterAuthDemoDeps(d *demo.Demo, p *profiles.Profile, exportDir string, extra ...backend.LoadProfile) tui.Deps {
	return tui.Deps{
		Profile: p.Name,
		Sessions: backend.ByStrategy{
			JWT:      backend.NewMemorySource(nil, false),
			Database: backend.NewBrowserSource(d.BetterAuthStore(), time.Now, betterauth.DefaultExpiresIn, betterauth.DefaultUpdateAge),
		},
		Resolvers: demoFactory{d},
		Runner:    backend.NewBenchRunner(append(d.LoadProfiles(), extra...), demo.Capacity(), exportDir),
		Settings:  tui.Settings{Mode: d.Config().Mode, Strategy: resolver.StrategyDatabase},
		Redactor:  resolver.NewRedactor(resolver.RedactOptions{Allow: p.Resolver.Redact.Allow}),
		MaxAge:    betterauth.DefaultExpiresIn,
		UpdateAge: betterauth.DefaultUpdateAge,
		Latencies: backend.NewLatencyHistogram,
	}
}

// mintBetterAuth signs the session token on stdin into Better Auth's
// session_token cookie (HMAC-SHA256 under BETTER_AUTH_SECRET, then
// AUTH_SECRET), as Better Auth's sign-in sets it: the token must be a
// session the store holds (authscope seed, or a real sign-in) for the
// cookie to resolve.
func mintBetterAuth(env *cliEnv, f *resolveFlags, name engine.Name, format string) error {
	if name != engine.BetterAuth {
		return usagef("mint makes one engine's cookie: --engine authjs or better-auth")
	}
	cfg, err := engine.BetterAuthConfig(resolver.Config{BaseURL: f.url}, env.getenv)
	if err != nil {
		return usageError{err}
	}
	if cfg.Secrets.Current == "" {
		return usagef("minting a Better Auth cookie needs BETTER_AUTH_SECRET (or AUTH_SECRET)")
	}
	b, err := io.ReadAll(io.LimitReader(env.stdin, 4096))
	if err != nil {
		return err
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" || strings.ContainsAny(tok, "; \t\r\n") {
		return usagef("stdin: want one Better Auth session token (the session row's token)")
	}
	signed := betterauth.SignCookieValue(tok, cfg.Secrets.Current)
	n := cfg.Names().SessionToken
	switch format {
	case "token":
		_, err = fmt.Fprintln(env.stdout, signed)
	case "set-cookie":
		// better-call's serialisation of the sign-in cookie.
		secure := ""
		if strings.HasPrefix(n, betterauth.SecurePrefix) {
			secure = "; Secure"
		}
		line := fmt.Sprintf("%s=%s; Max-Age=%d; Path=/; HttpOnly%s; SameSite=Lax", n, signed, int(betterauth.DefaultExpiresIn/time.Second), secure)
		_, err = fmt.Fprintln(env.stdout, line)
	default:
		_, err = fmt.Fprintln(env.stdout, n+"="+signed)
	}
	return err
}
