package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"

	"github.com/authscope/authscope/internal/demo"
	"github.com/authscope/authscope/profiles"
	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/engine"
	"github.com/authscope/authscope/resolver/store"
	"github.com/authscope/authscope/tui"
	"github.com/authscope/authscope/tui/backend"
)

// runTUI is `authscope tui`: the session explorer and load-run cockpit on
// a profile (the embedded demo by default, which is also what a bare
// `authscope` opens).
func runTUI(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "tui", "tui [--profile NAME|FILE] [--engine authjs|better-auth] [--cookies FILE | --from-serve URL] [--export-dir DIR]")
	profile := fs.String("profile", "demo", "profile name or file; demo is the embedded demo")
	engineFlag := fs.String("engine", "", "whose sessions a real deployment's profile browses: authjs or better-auth (default: the profile's resolver.engine; the Better Auth demo is --profile demo-better-auth)")
	var jwts jwtSource
	jwts.register(fs)
	exportDir := fs.String("export-dir", "", "where the Load screen's e writes reports (default: the user cache dir's authscope/exports)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if !isTerminal(env.stdout) {
		return usagef("the terminal app needs a terminal; see authscope --help for the other commands")
	}
	p, err := profiles.Find(*profile, profiles.Dir(env.getenv))
	if err != nil {
		return usageError{err}
	}
	name, err := tuiEngine(*engineFlag, p)
	if err != nil {
		return err
	}
	var deps tui.Deps
	var closeDeps func() error
	if name == engine.BetterAuth {
		if jwts.cookies != "" || jwts.fromServe != "" {
			return usagef("--cookies and --from-serve list Auth.js cookies; Better Auth's sessions come from its store")
		}
		deps, closeDeps, err = betterAuthProfileDeps(ctx, p, env.getenv, *exportDir)
	} else {
		deps, closeDeps, err = tuiDeps(ctx, p, env.getenv, *exportDir, jwts)
	}
	if err != nil {
		return err
	}
	defer func() { _ = closeDeps() }()
	deps.Context = ctx
	prog := tea.NewProgram(tui.New(deps), tea.WithContext(ctx), tea.WithInput(env.stdin), tea.WithOutput(env.stdout))
	if _, err := prog.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return fmt.Errorf("tui: %w", err)
	}
	return nil
}

// tuiDeps wires the TUI to the demo or to the deployment p describes.
func tuiDeps(ctx context.Context, p *profiles.Profile, getenv func(string) string, exportDir string, jwts jwtSource) (tui.Deps, func() error, error) {
	if jwts.cookies != "" && jwts.fromServe != "" {
		return tui.Deps{}, nil, usagef("--cookies and --from-serve are exclusive")
	}
	if p.Demo {
		if jwts.cookies != "" || jwts.fromServe != "" {
			return tui.Deps{}, nil, usagef("--cookies and --from-serve are for a real deployment's profile; the demo mints its own")
		}
		compare, err := profileLoad("compare", p, getenv)
		if err != nil {
			return tui.Deps{}, nil, err
		}
		d, err := demo.Start(ctx, p, getenv)
		if err != nil {
			return tui.Deps{}, nil, err
		}
		return demoDeps(d, p, exportDir, compare), d.Close, nil
	}
	return profileDeps(ctx, p, getenv, exportDir, jwts)
}

// deps is the demo's TUI wiring; extra load profiles follow the demo's own.
func demoDeps(d *demo.Demo, p *profiles.Profile, exportDir string, extra ...backend.LoadProfile) tui.Deps {
	if d.BetterAuth() {
		return betterAuthDemoDeps(d, p, exportDir, extra...)
	}
	db := backend.NewBrowserSource(d.Store(), time.Now, d.Config().MaxAge, d.Config().UpdateAge)
	// A revocation also reaches the demo upstreams' copy of the store.
	db.SetRevoke(d.RevokeSession)
	db.SetRevokeUser(d.RevokeUser)
	return tui.Deps{
		Profile: p.Name,
		Sessions: backend.ByStrategy{
			JWT:      backend.NewMemorySource(d.JWTRows(), false),
			Database: db,
		},
		Resolvers: demoFactory{d},
		Runner:    backend.NewBenchRunner(append(d.LoadProfiles(), extra...), demo.Capacity(), exportDir),
		Settings:  tui.Settings{Mode: d.Config().Mode, Strategy: d.Config().Strategy, Cache: d.Config().Cache.Enabled},
		Redactor:  resolver.NewRedactor(resolver.RedactOptions{Allow: p.Resolver.Redact.Allow}),
		MaxAge:    d.Config().MaxAge,
		UpdateAge: d.Config().UpdateAge,
		Latencies: backend.NewLatencyHistogram,
	}
}

// demoFactory builds the demo's resolvers for the TUI's settings.
type demoFactory struct{ d *demo.Demo }

func (f demoFactory) Build(_ context.Context, s tui.Settings) (tui.Engine, error) {
	r, cfg, err := f.d.BrowseResolver(s.Mode, s.Strategy, s.Cache)
	if err != nil {
		return tui.Engine{}, err
	}
	e := engineFor(r, cfg)
	if s.Mode == resolver.ModeProxy {
		e.Describe = describeTarget(cfg)
	} else if f.d.BetterAuth() {
		e.Describe = "Better Auth SQLite store (seeded demo)"
	} else if s.Strategy == resolver.StrategyDatabase {
		e.Describe = "SQLite store (seeded demo)"
		e.Layout = store.LayoutName(f.d.Store())
	} else {
		e.Describe = "JWE cookies, demo secret"
	}
	return e, nil
}

// engineFor wraps a resolver for the TUI: the cookie name, the cache's
// counters and invalidation, and the codec that decodes claims for the
// jwt detail view.
func engineFor(r resolver.Resolver, cfg resolver.Config) tui.Engine {
	e := tui.Engine{Resolver: r, CookieName: cfg.SessionCookieName(), Details: engineDetails(cfg)}
	if c, ok := r.(*resolver.Cache); ok {
		e.CacheStats = func() tui.CacheStats {
			s := c.Stats()
			return tui.CacheStats{Hits: s.Hits, Misses: s.Misses, Evictions: s.Evictions}
		}
		// A revoked session's cached answer goes with it; the token is
		// named by its digest, as invalidation events do.
		e.Invalidate = func(row tui.SessionRow) { c.InvalidateTokenDigest(resolver.TokenDigest(row.Token)) }
		// Revoking a user's sessions drops the user's cached answers. A
		// proxied answer carries no user id (Auth.js's body has none), so
		// in proxy mode the user's other sessions can only be reached by
		// emptying the cache.
		e.InvalidateUser = func(userID string) {
			if cfg.Mode == resolver.ModeProxy {
				c.InvalidateAll()
				return
			}
			c.InvalidateUser(userID)
		}
		e.Close = c.Close
	}
	if cfg.Strategy == resolver.StrategyJWT && len(cfg.Secrets) > 0 {
		if codec, err := resolver.NewCodec(cfg); err == nil {
			e.Claims = func(token string) (resolver.Claims, error) {
				c, reason, err := codec.Decode(token, time.Now())
				if reason == resolver.ReasonExpired {
					// Decode has no switch for the expiry check: decoding at
					// the epoch checks the keys and integrity but not exp.
					if old, _, derr := codec.Decode(token, time.Unix(0, 0)); derr == nil && old != nil {
						return old, fmt.Errorf("%w: %v", tui.ErrClaimsExpired, err)
					}
				}
				return c, err
			}
		}
	}
	return e
}

// profileDeps wires the TUI to a real deployment: its store (database
// strategy) when the profile names one, its upstream for proxy mode.
func profileDeps(ctx context.Context, p *profiles.Profile, getenv func(string) string, exportDir string, jwts jwtSource) (tui.Deps, func() error, error) {
	cfg, err := p.ResolverConfig(getenv)
	if err != nil {
		return tui.Deps{}, nil, usageError{err}
	}
	cfg = cfg.WithDefaults()
	deps := tui.Deps{
		Profile:  p.Name,
		Settings: tui.Settings{Mode: cfg.Mode, Strategy: cfg.Strategy, Cache: cfg.Cache.Enabled},
		Redactor: resolver.NewRedactor(resolver.RedactOptions{Allow: p.Resolver.Redact.Allow}),

		MaxAge:    cfg.MaxAge,
		UpdateAge: cfg.UpdateAge,
		Latencies: backend.NewLatencyHistogram,
	}
	closer := func() error { return nil }
	var st resolver.Store
	dsn, err := p.DSN(getenv)
	if err != nil {
		return tui.Deps{}, nil, usageError{err}
	}
	var sessions backend.ByStrategy
	switch {
	case jwts.cookies != "":
		rows, err := cookieRows(jwts.cookies, cfg, time.Now())
		if err != nil {
			return tui.Deps{}, nil, err
		}
		sessions.JWT = backend.NewMemorySource(rows, false)
	case jwts.fromServe != "":
		src, err := newServeSource(jwts.fromServe, jwts.secretEnv, getenv, cfg, time.Now)
		if err != nil {
			return tui.Deps{}, nil, err
		}
		sessions.JWT = src
	}
	if dsn != "" {
		// Browsing never writes: the store the list and the per-row
		// resolutions read is opened read-only, and the resolver is built
		// read-only too (see profileFactory), so an open TUI neither prunes
		// expired sessions nor extends due ones. Revocation, the one write,
		// goes through a writable handle opened on first use, and only when
		// the profile allows writes (resolver.read_only: false).
		opts := storeOptions(p)
		opts.ReadOnly = true
		if memorySQLite(dsn) {
			// Two handles on :memory: would be two databases; the resolver's
			// ReadOnly still keeps browsing from writing.
			opts.ReadOnly = cfg.ReadOnly
		}
		st, err = store.Open(ctx, dsn, opts)
		if err != nil {
			return tui.Deps{}, nil, fmt.Errorf("open store %s: %w", store.Redact(dsn), err)
		}
		closer = st.Close
		if b, ok := st.(store.Browser); ok {
			src := backend.NewBrowserSource(b, time.Now, cfg.MaxAge, cfg.UpdateAge)
			switch {
			case cfg.ReadOnly:
				src.SetRevoke(func(context.Context, string) error {
					return fmt.Errorf("the profile sets resolver.read_only: %w", resolver.ErrReadOnly)
				})
				src.SetRevokeUser(func(context.Context, string) (int, error) {
					return 0, fmt.Errorf("the profile sets resolver.read_only: %w", resolver.ErrReadOnly)
				})
			case !memorySQLite(dsn):
				w := &lazyWriter{open: func(ctx context.Context) (resolver.Store, error) {
					wo := storeOptions(p)
					st, err := store.Open(ctx, dsn, wo)
					if err != nil {
						return nil, fmt.Errorf("open store %s for writing: %w", store.Redact(dsn), err)
					}
					return st, nil
				}}
				src.SetRevoke(w.revoke)
				src.SetRevokeUser(w.revokeUser)
				closer = func() error { return errors.Join(w.Close(), st.Close()) }
			}
			sessions.Database = src
		}
	}
	deps.ReadOnly = cfg.ReadOnly
	deps.Sessions = sessions
	deps.Resolvers = profileFactory{cfg: cfg, store: st}
	load, err := profileLoad(p.Name, p, getenv)
	if err != nil {
		_ = closer()
		return tui.Deps{}, nil, err
	}
	deps.Runner = backend.NewBenchRunner([]backend.LoadProfile{load}, demo.Capacity(), exportDir)
	return deps, closer, nil
}

// profileFactory builds resolvers from a profile's config and store.
type profileFactory struct {
	cfg   resolver.Config
	store resolver.Store
}

func (f profileFactory) Build(_ context.Context, s tui.Settings) (tui.Engine, error) {
	cfg := f.cfg
	cfg.Mode, cfg.Strategy, cfg.Cache.Enabled = s.Mode, s.Strategy, s.Cache
	// The TUI resolves to show each row's last result: that must never
	// prune or extend a session (Auth.js's writes on a request).
	cfg.ReadOnly = true
	var opts []resolver.Option
	if f.store != nil {
		opts = append(opts, resolver.WithStore(f.store))
	} else if s.Strategy == resolver.StrategyDatabase && s.Mode == resolver.ModeLocal {
		return tui.Engine{}, errors.New("the database strategy needs a store: set store.dsn_env in the profile")
	}
	r, err := resolver.New(cfg, opts...)
	if err != nil {
		return tui.Engine{}, err
	}
	e := engineFor(r, cfg)
	e.Describe = describeTarget(cfg)
	if f.store != nil && cfg.Mode == resolver.ModeLocal {
		e.Layout = store.LayoutName(f.store)
	}
	// The deployment's own Auth.js prunes and extends database sessions
	// on GET /session; cfg.ReadOnly cannot reach it.
	e.Writes = cfg.Mode == resolver.ModeProxy && cfg.Strategy == resolver.StrategyDatabase
	return e, nil
}

// engineDetails are the settings the Resolver screen lists under the toggles.
func engineDetails(cfg resolver.Config) []string {
	cfg = cfg.WithDefaults() // what the resolver runs with, not what was left unset
	update := cfg.UpdateAge.String()
	if cfg.UpdateAge < time.Millisecond { // Auth.js's updateAge: 0 (see resolver.Config)
		update = "0 (extends on every request)"
	}
	d := []string{fmt.Sprintf("cookie %s · max age %s · update age %s", cfg.SessionCookieName(), cfg.MaxAge, update)}
	if cfg.Mode == resolver.ModeProxy {
		d = append(d, fmt.Sprintf("upstream timeout %s · body cap %d bytes", cfg.Proxy.Timeout, cfg.Proxy.MaxBody))
	}
	if cfg.Cache.Enabled {
		d = append(d, fmt.Sprintf("cache ttl %s · %d entries · negative ttl %s", cfg.Cache.TTL, cfg.Cache.Size, cfg.Cache.NegativeTTL))
	}
	return d
}

func describeTarget(cfg resolver.Config) string {
	if cfg.Mode == resolver.ModeProxy {
		return "upstream " + strings.TrimSuffix(cfg.BaseURL, "/") + cfg.BasePath + "/session"
	}
	return string(cfg.Strategy) + " (local)"
}

// cookieRows reads a cookies file: one session per line, as a Cookie
// header (the session cookie, chunks included, is picked out) or a bare
// token; blank lines and # comments are skipped. Each token is decoded
// with the profile's secrets for the browser's name, e-mail and expiry;
// ones that do not decode are listed without them (resolving them shows
// why).
func cookieRows(path string, cfg resolver.Config, now time.Time) ([]tui.SessionRow, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("cookies file: %v", err)
	}
	codec, err := resolver.NewCodec(cfg)
	if err != nil {
		return nil, usagef("cookies file needs the profile's secrets: %v", err)
	}
	var rows []tui.SessionRow
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		token := line
		if strings.Contains(line, "=") {
			token, _ = resolver.ReadSessionToken(resolver.FromCookieHeader(line), cfg.SessionCookieName())
			if token == "" {
				return nil, usagef("cookies file line %d: no %s cookie", n+1, cfg.SessionCookieName())
			}
		}
		rows = append(rows, jwtRow(codec, fmt.Sprintf("line-%d", n+1), token, now))
	}
	return rows, nil
}

// jwtRow is the browser's row for a JWT session token: decoded with the
// profile's secrets for the name, e-mail and expiry; a token that does not
// decode is listed without them (resolving it shows why).
func jwtRow(codec *resolver.Codec, key, token string, now time.Time) tui.SessionRow {
	row := tui.SessionRow{Key: key, Token: token, Strategy: resolver.StrategyJWT}
	claims, reason, _ := codec.Decode(token, now)
	if reason == resolver.ReasonExpired {
		// Decoded at the epoch only to label the row; resolving it still
		// reports it expired.
		claims, _, _ = codec.Decode(token, time.Unix(0, 0))
	}
	if claims != nil {
		row.Name, _ = claims["name"].(string)
		row.Email, _ = claims["email"].(string)
		row.UserID, _ = claims["sub"].(string)
		if exp, ok := claims["exp"].(json.Number); ok {
			if secs, err := exp.Float64(); err == nil {
				row.Expires = time.Unix(int64(secs), 0)
			}
		}
	}
	return row
}

// storeOptions are the profile's store settings: layout, prefix, pool.
func storeOptions(p *profiles.Profile) store.Options {
	return p.StoreOptions(store.Options{})
}

// memorySQLite reports whether dsn is an in-memory SQLite database, which
// a second handle would not share.
func memorySQLite(dsn string) bool {
	kind, err := store.KindOf(dsn)
	return err == nil && kind == store.KindSQLite && strings.Contains(dsn, ":memory:")
}

// lazyWriter is the writable store handle revocation uses, opened on the
// first revoke (inside the TUI's command, never in Update) and kept.
type lazyWriter struct {
	open func(context.Context) (resolver.Store, error)
	mu   sync.Mutex
	st   resolver.Store
}

func (w *lazyWriter) revoke(ctx context.Context, token string) error {
	return w.with(ctx, func(b store.Browser) error { return b.RevokeSession(ctx, token) })
}

// revokeUser deletes every session of the user through the writable handle.
func (w *lazyWriter) revokeUser(ctx context.Context, userID string) (int, error) {
	var n int
	err := w.with(ctx, func(b store.Browser) (err error) {
		n, err = b.RevokeUser(ctx, userID)
		return err
	})
	return n, err
}

// with runs fn on the writable handle, opened on first use, under w.mu so
// Close never closes it mid-call.
func (w *lazyWriter) with(ctx context.Context, fn func(store.Browser) error) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.st == nil {
		st, err := w.open(ctx)
		if err != nil {
			return err
		}
		w.st = st
	}
	b, ok := w.st.(store.Browser)
	if !ok {
		return fmt.Errorf("revoke: the store cannot delete sessions: %w", tui.ErrNotSupported)
	}
	return fn(b)
}

// Close closes the writable handle if one was opened.
func (w *lazyWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.st == nil {
		return nil
	}
	err := w.st.Close()
	w.st = nil
	return err
}

// isTerminal reports whether stream (stdin or stdout) is a terminal: the
// TUI refuses to start without one, resolve prompts on one.
func isTerminal(stream any) bool {
	f, ok := stream.(*os.File)
	if !ok {
		return false
	}
	// A terminal, not just any character device: /dev/null is one too.
	return term.IsTerminal(f.Fd())
}
