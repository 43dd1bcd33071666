package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/authscope/authscope/bench"
	"github.com/authscope/authscope/internal/benchtarget"
	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/betterauth"
	basqlite "github.com/authscope/authscope/resolver/betterauth/sqlitestore"
	"github.com/authscope/authscope/resolver/engine"
	"github.com/authscope/authscope/tui"
	"github.com/authscope/authscope/tui/backend"
)

// The demo on Better Auth (profile demo-better-auth): a Kysely-layout
// SQLite store seeded with live and expired sessions, their signed
// session_token cookies (and cookie-cache variants) for load runs, and a
// get-session upstream on loopback for proxy mode. The TUI browses and
// revokes the store's sessions through store.Browser.

// BetterAuthUsers is the number of demo users; each has a live and an
// expired session.
const BetterAuthUsers = 1000

// baDemo is the Better Auth side of a demo.
type baDemo struct {
	cfg      betterauth.Config
	st       *basqlite.Store
	pops     map[string]bench.StaticPopulation // by scenario strategy
	upstream string                            // get-session origin
}

// startBetterAuth seeds the store and starts the upstream.
func (d *Demo) startBetterAuth(ctx context.Context, now time.Time) error {
	cfg := betterauth.Config{Secrets: betterauth.Secrets{Current: d.Config().Secrets[0]}}
	st, err := d.NewBetterAuthStore(ctx)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	b := &baDemo{cfg: cfg, st: st, pops: map[string]bench.StaticPopulation{}}
	pop, err := benchtarget.SeedBetterAuth(ctx, st, cfg.Names(), cfg.Secrets.Current, BetterAuthUsers, now)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	b.pops[benchtarget.StrategyBADatabase] = pop
	cc := cfg
	cc.CookieCache = betterauth.CookieCache{Enabled: true, MaxAge: time.Hour}
	rc, err := betterauth.New(cc, betterauth.WithStore(st))
	if err != nil {
		return err
	}
	if b.pops[benchtarget.StrategyBACookieCache], err = benchtarget.WithCookieCache(ctx, rc, pop); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	// The upstream stands in for the deployment, so it writes as Better
	// Auth does (extension, pruning).
	up, err := betterauth.New(cfg, betterauth.WithStore(st))
	if err != nil {
		return err
	}
	if b.upstream, err = d.Serve(engine.NewGetSessionHandler(up, nil, nil)); err != nil {
		return fmt.Errorf("demo: Better Auth upstream: %w", err)
	}
	d.ba = b
	return nil
}

// BetterAuth reports whether the demo runs Better Auth.
func (d *Demo) BetterAuth() bool { return d.ba != nil }

// BetterAuthStore is the seeded Better Auth store (nil unless BetterAuth).
func (d *Demo) BetterAuthStore() *basqlite.Store {
	if d.ba == nil {
		return nil
	}
	return d.ba.st
}

// BetterAuthUpstream is the origin of the demo's get-session upstream.
func (d *Demo) BetterAuthUpstream() string { return d.ba.upstream }

// buildBetterAuth is build for the Better Auth demo: local from the store
// or by proxy to the demo upstream, the result cache as asked. The rows
// the TUI lists carry raw session tokens, so cookies are signed on the way
// in (signRaw) as the browser would hold them.
func (d *Demo) buildBetterAuth(mode resolver.Mode, cache, readOnly bool) (resolver.Resolver, resolver.Config, error) {
	shared := d.Settings(mode, resolver.StrategyDatabase, cache)
	shared.ReadOnly = shared.ReadOnly || readOnly
	ba := d.ba.cfg
	ba.ReadOnly = shared.ReadOnly
	parts := engine.Parts{BetterAuthStore: d.ba.st}
	if mode == resolver.ModeProxy {
		shared.BaseURL = d.ba.upstream
		parts.BetterAuthStore = nil
	}
	r, err := engine.New(engine.Config{Engine: engine.BetterAuth, AuthJS: shared, BetterAuth: ba}, parts)
	if err != nil {
		return nil, shared, err
	}
	shared.CookieName = ba.Names().SessionToken
	return SignRaw(r, ba.Names().SessionToken, ba.Secrets.Current), shared, nil
}

// SignRaw wraps r so that a bare session token in the session_token cookie
// name is signed with secret first (the TUI lists rows by raw token).
func SignRaw(r resolver.Resolver, name, secret string) resolver.Resolver {
	return signRaw{Resolver: r, name: name, secret: secret}
}

// signRaw signs a bare session token in the session_token cookie, as
// Better Auth's own Set-Cookie would have: the TUI resolves stored rows
// by their raw token. Signed values (token.signature) pass unchanged.
type signRaw struct {
	resolver.Resolver
	name, secret string
}

func (s signRaw) Resolve(ctx context.Context, in resolver.Input) (resolver.Result, error) {
	h := in.CookieHeader()
	var out []string
	changed := false
	for part := range strings.SplitSeq(h, ";") {
		name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && name == s.name && val != "" && !strings.Contains(val, ".") {
			part = name + "=" + betterauth.SignCookieValue(val, s.secret)
			changed = true
		}
		out = append(out, strings.TrimSpace(part))
	}
	if changed {
		in = resolver.FromCookieHeader(strings.Join(out, "; "))
	}
	return s.Resolver.Resolve(ctx, in)
}

// betterAuthLoadProfiles are the Load screen's Better Auth runs: its
// database, cookie cache and proxy side by side.
func (d *Demo) betterAuthLoadProfiles() []backend.LoadProfile {
	pop := d.ba.pops[benchtarget.StrategyBADatabase]
	cfg := bench.Config{
		Rate: 200, Duration: bench.Duration(5 * time.Second), Warmup: bench.Duration(time.Second),
		Population: bench.PopulationConfig{Sessions: len(pop.Valid), Popularity: bench.Zipf, Expired: 0.05, Tampered: 0.02, NoCookie: 0.03},
		Scenarios:  benchtarget.BetterAuthScenarios(),
	}
	smoke := cfg
	smoke.Rate, smoke.Duration, smoke.Warmup = 100, bench.Duration(2*time.Second), 0
	return []backend.LoadProfile{
		{Name: "smoke", Config: smoke, Targets: d.betterAuthTargets},
		{Name: "better-auth-db-vs-cache-vs-proxy", Config: cfg, Targets: d.betterAuthTargets},
	}
}

// betterAuthTargets builds one resolver per ba-* scenario, the cache as
// the settings say, with each scenario's population.
func (d *Demo) betterAuthTargets(_ context.Context, s tui.Settings, cfg bench.Config) (bench.Config, bench.Targets, func(), error) {
	cfg.Scenarios = append([]bench.ScenarioSpec(nil), cfg.Scenarios...)
	t := bench.Targets{InProc: map[string]bench.Target{}, Populations: map[string]bench.Population{}}
	for i, sc := range cfg.Scenarios {
		mode := resolver.Mode(sc.Mode)
		shared := d.Settings(mode, resolver.StrategyDatabase, s.Cache)
		shared.ReadOnly = true // every scenario meets the same population
		ba := d.ba.cfg
		ba.ReadOnly = true
		parts := engine.Parts{BetterAuthStore: d.ba.st}
		switch {
		case mode == resolver.ModeProxy:
			shared.BaseURL, parts.BetterAuthStore = d.ba.upstream, nil
		case sc.Strategy == benchtarget.StrategyBACookieCache:
			ba.CookieCache = betterauth.CookieCache{Enabled: true, MaxAge: time.Hour}
		}
		r, err := engine.New(engine.Config{Engine: engine.BetterAuth, AuthJS: shared, BetterAuth: ba}, parts)
		if err != nil {
			return cfg, bench.Targets{}, nil, err
		}
		t.InProc[sc.Name] = benchtarget.ResolverTarget(r, mode)
		t.Populations[sc.Name] = d.ba.pops[sc.Strategy]
		cfg.Scenarios[i].Cache = s.Cache
	}
	return cfg, t, func() {}, nil
}
