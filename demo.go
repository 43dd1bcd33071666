package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/authscope/authscope/bench"
	"github.com/authscope/authscope/profiles"
	"github.com/authscope/authscope/resolver"
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

// Demo population sizes.
const (
	demoSeed     = 1
	demoUsers    = 2000
	demoSessions = 3000
	demoCookies  = 3000
)

// demoSecretEnv names the variable that fixes the demo secret.
const demoSecretEnv = "AUTHSCOPE_DEMO_SECRET"

// demo is the running embedded demo. Close releases everything.
type demo struct {
	cfg   resolver.Config
	codec *resolver.Codec
	store *sqlitestore.Store
	dir   string

	// upstream is the base URL of the Auth.js-compatible upstream of
	// each strategy.
	upstream map[resolver.Strategy]string
	servers  []*http.Server

	jwtRows []tui.SessionRow
	// Bench populations: full Cookie header values per strategy.
	population map[resolver.Strategy]bench.StaticPopulation
}

// startDemo builds the demo for profile p. Cancelling ctx does not stop
// it: Close does.
func startDemo(ctx context.Context, p *profiles.Profile, getenv func(string) string) (d *demo, err error) {
	secret := getenv(demoSecretEnv)
	if secret == "" {
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, fmt.Errorf("demo secret: %w", err)
		}
		secret = base64.RawURLEncoding.EncodeToString(b[:])
	}
	withSecret := func(k string) string {
		if k == demoSecretEnv {
			return secret
		}
		return getenv(k)
	}
	cfg, err := p.ResolverConfig(withSecret)
	if err != nil {
		return nil, err
	}
	cfg = cfg.WithDefaults()
	d = &demo{cfg: cfg, upstream: map[resolver.Strategy]string{}, population: map[resolver.Strategy]bench.StaticPopulation{}}
	defer func() {
		if err != nil {
			err = errors.Join(err, d.Close())
			d = nil
		}
	}()
	if d.codec, err = resolver.NewCodec(cfg); err != nil {
		return d, err
	}
	if d.dir, err = os.MkdirTemp("", "authscope-demo-"); err != nil {
		return d, fmt.Errorf("demo: %w", err)
	}
	if d.store, err = sqlitestore.Open(ctx, filepath.Join(d.dir, "sessions.db"), sqlitestore.Options{}); err != nil {
		return d, fmt.Errorf("demo store: %w", err)
	}
	now := time.Now()
	if _, err = store.Seed(ctx, d.store, store.SeedOptions{
		Users: demoUsers, Sessions: demoSessions, Seed: demoSeed, Now: now, MaxAge: cfg.MaxAge, UpdateAge: cfg.UpdateAge,
	}); err != nil {
		return d, fmt.Errorf("demo seed: %w", err)
	}
	if err = d.mintCookies(now); err != nil {
		return d, err
	}
	if err = d.dbPopulation(ctx, now); err != nil {
		return d, err
	}
	for _, st := range []resolver.Strategy{resolver.StrategyJWT, resolver.StrategyDatabase} {
		if err = d.startUpstream(st); err != nil {
			return d, err
		}
	}
	return d, nil
}

// mintCookies gives demo users JWT session cookies: most live, one in five
// past its expiry, issued at spread-out times like a real population.
func (d *demo) mintCookies(now time.Time) error {
	name := d.cfg.SessionCookieName()
	pop := bench.StaticPopulation{}
	d.jwtRows = make([]tui.SessionRow, 0, demoCookies)
	for i := range demoCookies {
		u := store.SeedUser(demoSeed, i%demoUsers, false)
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
		age := time.Duration(uint64(i)*2654435761%1000) * d.cfg.MaxAge / 1000
		if i%5 == 4 {
			age += d.cfg.MaxAge + time.Minute
		}
		issued := now.Add(-age)
		tok, err := d.codec.Encode(claims, issued, d.cfg.MaxAge)
		if err != nil {
			return fmt.Errorf("demo cookies: %w", err)
		}
		row := tui.SessionRow{
			Key: fmt.Sprintf("jwt-%05d", i), Token: tok, UserID: u.ID,
			Strategy: resolver.StrategyJWT, Expires: issued.Add(d.cfg.MaxAge),
		}
		if u.Name != nil {
			row.Name = *u.Name
		}
		if u.Email != nil {
			row.Email = *u.Email
		}
		d.jwtRows = append(d.jwtRows, row)
		cookie := name + "=" + tok
		if i%5 == 4 {
			pop.Expired = append(pop.Expired, cookie)
		} else {
			pop.Valid = append(pop.Valid, cookie)
			pop.Tampered = append(pop.Tampered, name+"="+tamper(tok))
		}
	}
	d.population[resolver.StrategyJWT] = pop
	return nil
}

// tamper flips one character in the middle of a token.
func tamper(tok string) string {
	b := []byte(tok)
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// dbPopulation reads the seeded sessions' tokens back for load runs.
func (d *demo) dbPopulation(ctx context.Context, now time.Time) error {
	name := d.cfg.SessionCookieName()
	pop := bench.StaticPopulation{}
	q := resolver.ListQuery{Limit: 1000}
	for {
		page, err := d.store.ListSessions(ctx, q)
		if err != nil {
			return fmt.Errorf("demo population: %w", err)
		}
		for _, r := range page.Rows {
			cookie := name + "=" + r.Session.Token
			if r.Session.Expires.Before(now) {
				pop.Expired = append(pop.Expired, cookie)
			} else {
				pop.Valid = append(pop.Valid, cookie)
				pop.Tampered = append(pop.Tampered, name+"="+tamper(r.Session.Token))
			}
		}
		if page.Next == "" {
			break
		}
		q.After = page.Next
	}
	d.population[resolver.StrategyDatabase] = pop
	return nil
}

// resolver builds a resolver of the demo for the given knobs.
func (d *demo) resolver(mode resolver.Mode, st resolver.Strategy, cache bool) (resolver.Resolver, resolver.Config, error) {
	return d.build(mode, st, cache, false)
}

// browseResolver is the TUI's resolver: read-only, so showing a row's
// last result never prunes or extends it (the demo upstream, standing in
// for the deployment, still writes as Auth.js does).
func (d *demo) browseResolver(mode resolver.Mode, st resolver.Strategy, cache bool) (resolver.Resolver, resolver.Config, error) {
	return d.build(mode, st, cache, true)
}

func (d *demo) build(mode resolver.Mode, st resolver.Strategy, cache, readOnly bool) (resolver.Resolver, resolver.Config, error) {
	cfg := d.cfg
	cfg.Mode, cfg.Strategy, cfg.Cache.Enabled = mode, st, cache
	cfg.ReadOnly = cfg.ReadOnly || readOnly
	if mode == resolver.ModeProxy {
		cfg.BaseURL = d.upstream[st]
	}
	r, err := resolver.New(cfg, resolver.WithStore(d.store))
	return r, cfg, err
}

// startUpstream serves an Auth.js-compatible GET {basePath}/session for
// one strategy on a free loopback port.
func (d *demo) startUpstream(st resolver.Strategy) error {
	r, cfg, err := d.resolver(resolver.ModeLocal, st, false)
	if err != nil {
		return fmt.Errorf("demo upstream (%s): %w", st, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo upstream: %w", err)
	}
	srv := &http.Server{Handler: resolver.NewHandler(r, cfg), ReadHeaderTimeout: 5 * time.Second}
	d.servers = append(d.servers, srv)
	d.upstream[st] = "http://" + ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	return nil
}

// Close stops the upstreams and removes the store.
func (d *demo) Close() error {
	var errs []error
	for _, s := range d.servers {
		// Shutdown lets requests in flight finish. A connection a client's
		// pool dialled but never used stays "new" to it for 5s, so when the
		// grace period ends Close drops what is left: the upstream is for
		// the demo only, and its clients are gone by now.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		if err := s.Shutdown(ctx); err != nil {
			if err := s.Close(); err != nil {
				errs = append(errs, err)
			}
		}
		cancel()
	}
	if d.store != nil {
		if err := d.store.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if d.dir != "" {
		if err := os.RemoveAll(d.dir); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
