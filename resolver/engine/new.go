package engine

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/betterauth"
)

// Config is one engine choice with what each engine needs.
type Config struct {
	Engine Name
	// AuthJS configures Auth.js and carries the settings both engines share:
	// Mode, BaseURL, BasePath, ReadOnly, Proxy, Cache.
	AuthJS resolver.Config
	// BetterAuth configures Better Auth (see BetterAuthConfig).
	BetterAuth betterauth.Config
}

// Parts are the collaborators New wires in.
type Parts struct {
	// AuthJS are the options for resolver.New (store, hooks, client…).
	AuthJS []resolver.Option
	// BetterAuthStore is Better Auth's session store (local mode).
	BetterAuthStore betterauth.Store
	// Clock is the time source of both engines (nil: time.Now).
	Clock func() time.Time
	// Client is proxy mode's HTTP client for Better Auth (nil: the default).
	Client *http.Client
	// Logger is handed to the Better Auth proxy and cache (nil: discard).
	Logger *slog.Logger
}

// BetterAuthConfig derives Better Auth's configuration from the shared
// one and the environment: the base URL (BETTER_AUTH_URL first, so a
// deployment serving both under different origins works), read-only, and
// the secrets as Better Auth selects them (BETTER_AUTH_SECRETS, then
// BETTER_AUTH_SECRET, then AUTH_SECRET).
func BetterAuthConfig(shared resolver.Config, getenv func(string) string) (betterauth.Config, error) {
	sec, err := betterauth.SecretsFromEnv("", getenv)
	if err != nil {
		return betterauth.Config{}, err
	}
	base := getenv("BETTER_AUTH_URL")
	if base == "" {
		base = shared.BaseURL
	}
	return betterauth.Config{BaseURL: base, Secrets: sec, ReadOnly: shared.ReadOnly}, nil
}

// New builds the resolver c describes. Auth.js alone is resolver.New as
// is (nothing changes for existing callers); Better Auth is answered
// locally (its Store) or by proxy to {base}/get-session, inside the result
// cache when c.AuthJS.Cache.Enabled; Auto holds both.
func New(c Config, p Parts) (resolver.Resolver, error) {
	n, err := Parse(string(c.Engine))
	if err != nil {
		return nil, err
	}
	if p.Clock != nil {
		p.AuthJS = append([]resolver.Option{resolver.WithClock(p.Clock)}, p.AuthJS...)
	}
	switch n {
	case AuthJS:
		return resolver.New(c.AuthJS, p.AuthJS...)
	case BetterAuth:
		r, err := newBetterAuth(c, p)
		if err != nil {
			return nil, err
		}
		return tagged{r, BetterAuth}, nil
	}
	aj, err := resolver.New(c.AuthJS, p.AuthJS...)
	if err != nil {
		return nil, fmt.Errorf("auto engine, Auth.js side: %w", err)
	}
	ba, err := newBetterAuth(c, p)
	if err != nil {
		return nil, fmt.Errorf("auto engine, Better Auth side: %w", err)
	}
	shared := c.AuthJS.WithDefaults()
	return &auto{
		authjs: aj, betterauth: ba,
		authjsCookie:     shared.SessionCookieName(),
		betterauthCookie: c.BetterAuth.Names().SessionToken,
	}, nil
}

// newBetterAuth builds Better Auth's side: proxy or local, then the cache.
func newBetterAuth(c Config, p Parts) (resolver.Resolver, error) {
	shared := c.AuthJS.WithDefaults()
	if shared.Mode == resolver.ModeProxy {
		return newBetterAuthProxy(c, p)
	}
	if p.BetterAuthStore == nil && !c.BetterAuth.CookieCache.Enabled {
		return nil, fmt.Errorf("%w: Better Auth in local mode needs its session store (--dsn or the profile's store)", resolver.ErrUnconfigured)
	}
	opts := []betterauth.Option{}
	if p.BetterAuthStore != nil {
		opts = append(opts, betterauth.WithStore(p.BetterAuthStore))
	}
	if p.Clock != nil {
		opts = append(opts, betterauth.WithClock(p.Clock))
	}
	r, err := betterauth.New(c.BetterAuth, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", resolver.ErrUnconfigured, err)
	}
	if !shared.Cache.Enabled {
		return r, nil
	}
	cacheOpts := []resolver.CacheOption{resolver.WithCacheCookieName(r.Names().SessionToken)}
	if p.Clock != nil {
		cacheOpts = append(cacheOpts, resolver.WithCacheClock(p.Clock))
	}
	if p.Logger != nil {
		cacheOpts = append(cacheOpts, resolver.WithCacheLogger(p.Logger))
	}
	return resolver.NewCached(r, shared.Cache, cacheOpts...), nil
}

// newBetterAuthProxy reuses package resolver's proxy with Better Auth's
// protocol. The shared config's strategy and secrets are Auth.js's and do
// not apply: Better Auth's body carries the user id, so nothing is decoded
// locally.
func newBetterAuthProxy(c Config, p Parts) (resolver.Resolver, error) {
	cfg := c.AuthJS
	cfg.Strategy = resolver.StrategyDatabase
	cfg.Secrets = nil
	cfg.CookieName = c.BetterAuth.Names().SessionToken
	if c.BetterAuth.BaseURL != "" {
		cfg.BaseURL = c.BetterAuth.BaseURL
	}
	opts := append([]resolver.Option{}, p.AuthJS...)
	opts = append(opts, resolver.WithUpstreamProtocol(betterauth.UpstreamProtocol(c.BetterAuth)))
	if p.Client != nil {
		opts = append(opts, resolver.WithHTTPClient(p.Client))
	}
	if p.Logger != nil {
		opts = append(opts, resolver.WithLogger(p.Logger))
	}
	return resolver.New(cfg, opts...)
}

// tagged names the engine on every Result.
type tagged struct {
	resolver.Resolver
	name Name
}

func (t tagged) Resolve(ctx context.Context, in resolver.Input) (resolver.Result, error) {
	res, err := t.Resolver.Resolve(ctx, in)
	res.Engine = string(t.name)
	return res, err
}

// Unwrap returns the engine's own resolver (for its cache, Better Auth's
// ResolveBody).
func (t tagged) Unwrap() resolver.Resolver { return t.Resolver }
