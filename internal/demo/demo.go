package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/authscope/authscope/bench"
	"github.com/authscope/authscope/internal/benchtarget"
	"github.com/authscope/authscope/profiles"
	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/engine"
	"github.com/authscope/authscope/resolver/store"
	"github.com/authscope/authscope/resolver/store/sqlitestore"
	"github.com/authscope/authscope/tui"
)

// The embedded demo: everything the TUI needs, made at start-up on this
// machine and gone when it exits. A secret is generated for the run
// (AUTHSCOPE_DEMO_SECRET when set), a SQLite store in a temporary directory
// is seeded with a few thousand sessions, the same people get JWT cookies
// minted with the secret, and two Auth.js-compatible upstreams (one per
// strategy) listen on free loopback ports for proxy mode.
//
// The upstreams stand in for the deployment, so they prune expired
// sessions and extend those due, as Auth.js does. They do it on a copy of
// the store seeded identically, never on the store the TUI browses: the
// README promises browsing is read-only, and proxy mode must not change
// the rows on screen. A revocation, the one write a user asks for, goes to
// both (RevokeSession, RevokeUser), as signing out at the deployment would.

// Demo population sizes.
const (
	Seed     = 1
	Users    = 2000
	Sessions = 3000
	Cookies  = 3000
)

// demo is the running embedded demo. Close releases everything.
type Demo struct {
	*benchtarget.Env
	codec *resolver.Codec
	store *sqlitestore.Store
	// upstreamStore is the upstreams' own copy of store: what they prune
	// and extend stays out of the browsed rows.
	upstreamStore *sqlitestore.Store

	// upstream is the base URL of the Auth.js-compatible upstream of
	// each strategy.
	upstream map[resolver.Strategy]string

	jwtRows []tui.SessionRow
	// Bench populations: full Cookie header values per strategy.
	population map[resolver.Strategy]bench.StaticPopulation

	// ba is the Better Auth side (profile engine better-auth); nil otherwise.
	ba *baDemo
}

// Start builds the demo for profile p. Cancelling ctx does not stop
// it: Close does.
func Start(ctx context.Context, p *profiles.Profile, getenv func(string) string) (d *Demo, err error) {
	env, err := benchtarget.NewEnv(p, getenv)
	if err != nil {
		return nil, err
	}
	cfg := env.Config()
	d = &Demo{Env: env, upstream: map[resolver.Strategy]string{}, population: map[resolver.Strategy]bench.StaticPopulation{}}
	defer func() {
		if err != nil {
			err = errors.Join(err, d.Close())
			d = nil
		}
	}()
	if d.codec, err = resolver.NewCodec(cfg); err != nil {
		return d, err
	}
	now := time.Now()
	// Seeding is deterministic for a seed and an instant: both stores
	// hold the same users, sessions and tokens.
	seed := store.SeedOptions{Users: Users, Sessions: Sessions, Seed: Seed, Now: now, MaxAge: cfg.MaxAge, UpdateAge: cfg.UpdateAge}
	if d.store, err = d.SeedSQLite(ctx, seed); err != nil {
		return d, err
	}
	if d.upstreamStore, err = d.SeedSQLite(ctx, seed); err != nil {
		return d, err
	}
	if err = d.mintCookies(now); err != nil {
		return d, err
	}
	if err = d.dbPopulation(ctx, now); err != nil {
		return d, err
	}
	for _, st := range []resolver.Strategy{resolver.StrategyJWT, resolver.StrategyDatabase} {
		if _, d.upstream[st], err = d.StartUpstream(st, d.upstreamStore, 0, 0); err != nil {
			return d, fmt.Errorf("demo: %w", err)
		}
	}
	if p.Resolver.Engine == string(engine.BetterAuth) {
		if err = d.startBetterAuth(ctx, now); err != nil {
			return d, err
		}
	}
	return d, nil
}

// mintCookies gives demo users JWT session cookies: most live, one in five
// past its expiry, issued at spread-out times like a real population.
func (d *Demo) mintCookies(now time.Time) error {
	pop := benchtarget.Population{Name: d.Config().SessionCookieName()}
	d.jwtRows = make([]tui.SessionRow, 0, Cookies)
	for i := range Cookies {
		u := store.SeedUser(Seed, i%Users, false)
		claims := resolver.Claims{"sub": u.ID}
		if u.Name != nil {
			claims["name"] = *u.Name
		}
		if u.Email != nil {
			claims["email"] = *u.Email
		}
		if u.Image != nil {
			claims["picture"] = *u.Image
		}
		// Issued up to maxAge ago for live cookies, up to 2×maxAge ago for
		// expired ones (every fifth).
		age := time.Duration(uint64(i)*2654435761%1000) * d.Config().MaxAge / 1000
		if i%5 == 4 {
			age += d.Config().MaxAge + time.Minute
		}
		issued := now.Add(-age)
		tok, err := d.codec.Encode(claims, issued, d.Config().MaxAge)
		if err != nil {
			return fmt.Errorf("demo cookies: %w", err)
		}
		row := tui.SessionRow{
			Key: fmt.Sprintf("jwt-%05d", i), Token: tok, UserID: u.ID,
			Strategy: resolver.StrategyJWT, Expires: issued.Add(d.Config().MaxAge),
		}
		if u.Name != nil {
			row.Name = *u.Name
		}
		if u.Email != nil {
			row.Email = *u.Email
		}
		d.jwtRows = append(d.jwtRows, row)
		pop.Add(tok, i%5 == 4)
	}
	d.population[resolver.StrategyJWT] = pop.StaticPopulation
	return nil
}

// dbPopulation reads the seeded sessions' tokens back for load runs.
func (d *Demo) dbPopulation(ctx context.Context, now time.Time) error {
	pop := benchtarget.Population{Name: d.Config().SessionCookieName()}
	q := store.ListQuery{Limit: 1000}
	for {
		page, err := d.store.ListSessions(ctx, q)
		if err != nil {
			return fmt.Errorf("demo population: %w", err)
		}
		for _, r := range page.Rows {
			pop.Add(r.Session.Token, r.Session.Expires.Before(now))
		}
		if page.Next == "" {
			break
		}
		q.After = page.Next
	}
	d.population[resolver.StrategyDatabase] = pop.StaticPopulation
	return nil
}

// resolver builds a resolver of the demo for the given knobs.
func (d *Demo) Resolver(mode resolver.Mode, st resolver.Strategy, cache bool) (resolver.Resolver, resolver.Config, error) {
	return d.build(mode, st, cache, false)
}

// BrowseResolver is the TUI's resolver: read-only, so showing a row's
// last result never prunes or extends it (the demo upstream, standing in
// for the deployment, still writes as Auth.js does, on its own copy).
func (d *Demo) BrowseResolver(mode resolver.Mode, st resolver.Strategy, cache bool) (resolver.Resolver, resolver.Config, error) {
	return d.build(mode, st, cache, true)
}

func (d *Demo) build(mode resolver.Mode, st resolver.Strategy, cache, readOnly bool) (resolver.Resolver, resolver.Config, error) {
	if d.ba != nil {
		return d.buildBetterAuth(mode, cache, readOnly)
	}
	cfg := d.Settings(mode, st, cache)
	cfg.ReadOnly = cfg.ReadOnly || readOnly
	if mode == resolver.ModeProxy {
		cfg.BaseURL = d.upstream[st]
	}
	r, err := resolver.New(cfg, resolver.WithStore(d.store))
	return r, cfg, err
}

// JWTRows are the demo's JWT session cookies as the TUI lists them.
func (d *Demo) JWTRows() []tui.SessionRow { return d.jwtRows }

// Store is the seeded SQLite store of the database strategy, as the TUI
// browses it (the upstreams work on their own copy).
func (d *Demo) Store() *sqlitestore.Store { return d.store }

// RevokeSession deletes the session from the browsed store and from the
// upstreams' copy, so proxy mode stops answering for it too.
func (d *Demo) RevokeSession(ctx context.Context, token string) error {
	err := d.store.RevokeSession(ctx, token)
	// The upstream may already have pruned it (expired): not an error.
	if uerr := d.upstreamStore.RevokeSession(ctx, token); uerr != nil && !errors.Is(uerr, resolver.ErrNotFound) {
		err = errors.Join(err, uerr)
	}
	return err
}

// RevokeUser deletes the user's sessions from both stores and reports how
// many the browsed store held.
func (d *Demo) RevokeUser(ctx context.Context, userID string) (int, error) {
	n, err := d.store.RevokeUser(ctx, userID)
	if _, uerr := d.upstreamStore.RevokeUser(ctx, userID); uerr != nil {
		err = errors.Join(err, uerr)
	}
	return n, err
}

// Population is the strategy's Cookie header values for load runs.
func (d *Demo) Population(st resolver.Strategy) bench.StaticPopulation { return d.population[st] }

// Upstream is the base URL of the strategy's Auth.js-compatible upstream.
func (d *Demo) Upstream(st resolver.Strategy) string { return d.upstream[st] }
