package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/authscope/authscope/internal/demo"
	"github.com/authscope/authscope/profiles"
	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/betterauth"
	"github.com/authscope/authscope/resolver/engine"
	"github.com/authscope/authscope/resolver/store"
	"github.com/authscope/authscope/tui"
	"github.com/authscope/authscope/tui/backend"
)

// The TUI on a real Better Auth deployment (tui --engine better-auth, or a
// profile's resolver.engine): the Sessions screen browses and revokes the
// deployment's Better Auth store, and each row resolves read-only (the
// TUI never prunes or extends) through the engine, locally or by proxy.

func betterAuthProfileDeps(ctx context.Context, p *profiles.Profile, getenv func(string) string, exportDir string) (tui.Deps, func() error, error) {
	cfg, err := p.ResolverConfig(getenv)
	if err != nil {
		return tui.Deps{}, nil, usageError{err}
	}
	cfg = cfg.WithDefaults()
	env := &cliEnv{getenv: getenv}
	ba, err := engine.BetterAuthConfig(cfg, getenv)
	if err != nil {
		return tui.Deps{}, nil, usageError{err}
	}
	l := baLayout(p)
	ba.SessionFields, ba.UserFields = l.SessionExtra, l.UserExtra
	deps := tui.Deps{
		Profile:   p.Name,
		Settings:  tui.Settings{Mode: cfg.Mode, Strategy: resolver.StrategyDatabase, Cache: cfg.Cache.Enabled},
		Redactor:  resolver.NewRedactor(resolver.RedactOptions{Allow: p.Resolver.Redact.Allow}),
		MaxAge:    betterauth.DefaultExpiresIn,
		UpdateAge: betterauth.DefaultUpdateAge,
		Latencies: backend.NewLatencyHistogram,
		ReadOnly:  cfg.ReadOnly,
	}
	closer := func() error { return nil }
	var st betterAuthStore
	dsn, err := p.DSN(getenv)
	if err != nil {
		return tui.Deps{}, nil, usageError{err}
	}
	if dsn != "" {
		if st, err = openBetterAuthLayout(ctx, env, dsn, cfg.ReadOnly, baLayout(p)); err != nil {
			return tui.Deps{}, nil, err
		}
		closer = st.Close
		if b, ok := st.(store.Browser); ok {
			src := backend.NewBrowserSource(b, time.Now, betterauth.DefaultExpiresIn, betterauth.DefaultUpdateAge)
			if cfg.ReadOnly {
				refuse := fmt.Errorf("the profile sets resolver.read_only: %w", resolver.ErrReadOnly)
				src.SetRevoke(func(context.Context, string) error { return refuse })
				src.SetRevokeUser(func(context.Context, string) (int, error) { return 0, refuse })
			}
			deps.Sessions = backend.ByStrategy{JWT: backend.NewMemorySource(nil, false), Database: src}
		}
	}
	if deps.Sessions == nil {
		deps.Sessions = backend.ByStrategy{JWT: backend.NewMemorySource(nil, false), Database: backend.NewMemorySource(nil, false)}
	}
	deps.Resolvers = baFactory{cfg: cfg, ba: ba, store: st, getenv: getenv}
	load, err := profileLoad(p.Name, p, getenv)
	if err != nil {
		_ = closer()
		return tui.Deps{}, nil, err
	}
	deps.Runner = backend.NewBenchRunner([]backend.LoadProfile{load}, demo.Capacity(), exportDir)
	return deps, closer, nil
}

// baFactory builds the Better Auth engine for the TUI's settings.
type baFactory struct {
	cfg    resolver.Config
	ba     betterauth.Config
	store  betterauth.Store
	getenv func(string) string
}

func (f baFactory) Build(_ context.Context, s tui.Settings) (tui.Engine, error) {
	cfg := f.cfg
	cfg.Mode, cfg.Strategy, cfg.Cache.Enabled = s.Mode, resolver.StrategyDatabase, s.Cache
	cfg.ReadOnly = true // resolving a row must never prune or extend it
	ba := f.ba
	ba.ReadOnly = true
	parts := engine.Parts{}
	if cfg.Mode == resolver.ModeLocal {
		if f.store == nil {
			return tui.Engine{}, errors.New("Better Auth in local mode needs its store: set store.dsn_env in the profile")
		}
		parts.BetterAuthStore = f.store
	}
	r, err := engine.New(engine.Config{Engine: engine.BetterAuth, AuthJS: cfg, BetterAuth: ba}, parts)
	if err != nil {
		return tui.Engine{}, err
	}
	name := ba.Names().SessionToken
	e := tui.Engine{Resolver: demo.SignRaw(r, name, ba.Secrets.Current), CookieName: name, Details: engineDetails(cfg), Describe: "Better Auth store"}
	if cfg.Mode == resolver.ModeProxy {
		e.Describe = describeTarget(cfg)
		// The deployment's own Better Auth prunes and extends on get-session.
		e.Writes = true
	}
	return e, nil
}

// tuiEngine is the engine tui browses: --engine, else the profile's;
// Better Auth only on a real deployment's profile (the demo has its own
// Better Auth profile), and one engine at a time.
func tuiEngine(flagValue string, p *profiles.Profile) (engine.Name, error) {
	v := flagValue
	if v == "" && !p.Demo {
		v = p.Resolver.Engine
	}
	n, err := engine.Parse(v)
	if err != nil {
		return "", usageError{err}
	}
	switch {
	case n == engine.Auto:
		return "", usagef("tui browses one engine's sessions: --engine authjs or better-auth")
	case p.Demo && flagValue != "":
		return "", usagef("--engine is for a real deployment's profile; the Better Auth demo is --profile demo-better-auth")
	}
	return n, nil
}
