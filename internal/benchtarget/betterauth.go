package benchtarget

// Better Auth beside Auth.js: the ba-* scenarios resolve Better Auth
// sessions from a seeded Kysely-layout SQLite store, from the
// session_data cookie cache, and by proxy to a loopback get-session, so one
// comparison shows both engines' costs.

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/authscope/authscope/bench"
	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/betterauth"
	basqlite "github.com/authscope/authscope/resolver/betterauth/sqlitestore"
	"github.com/authscope/authscope/resolver/engine"
)

// Better Auth scenario strategies (labels in the report).
const (
	StrategyBADatabase    = "ba-database"
	StrategyBACookieCache = "ba-cookie-cache"
)

// BetterAuthScenarios are Better Auth's ways of resolving: its database,
// its cookie cache, and proxy mode to its get-session.
func BetterAuthScenarios() []bench.ScenarioSpec {
	return []bench.ScenarioSpec{
		{Name: "ba-db", Mode: "local", Strategy: StrategyBADatabase},
		{Name: "ba-cookie-cache", Mode: "local", Strategy: StrategyBACookieCache},
		{Name: "ba-proxy", Mode: "proxy", Strategy: StrategyBADatabase},
	}
}

func isBetterAuth(strategy string) bool { return strings.HasPrefix(strategy, "ba-") }

// benchCacheMaxAge keeps the cookie cache valid for a whole run (Better
// Auth's default is 5 minutes, after which every request would fall back
// to the database and the scenario would measure ba-db again).
const benchCacheMaxAge = time.Hour

// SeedBetterAuth writes n users, each with a live session (expiring in
// Better Auth's default 7 days, not yet due for extension) and an expired
// one, into st, and returns their Cookie header values signed with secret:
// valid, expired, and tampered (the token altered under a valid-looking
// signature). names are the deployment's cookie names.
func SeedBetterAuth(ctx context.Context, st *basqlite.Store, names betterauth.Names, secret string, n int, now time.Time) (bench.StaticPopulation, error) {
	iso := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
	users := make([]betterauth.Object, 0, n)
	sessions := make([]betterauth.Object, 0, 2*n)
	p := Population{Name: names.SessionToken}
	tag := fmt.Sprintf("%x", now.UnixNano())
	for i := range n {
		uid := fmt.Sprintf("ba-user-%d", i)
		users = append(users, betterauth.Object{{Name: "id", Value: uid}, {Name: "name", Value: fmt.Sprintf("Bench User %d", i)},
			{Name: "email", Value: fmt.Sprintf("ba-user%d@example.com", i)}, {Name: "emailVerified", Value: 0}, {Name: "image", Value: nil},
			{Name: "createdAt", Value: iso(now)}, {Name: "updatedAt", Value: iso(now)}})
		for _, exp := range []struct {
			kind    string
			expires time.Time
		}{{"live", now.Add(betterauth.DefaultExpiresIn)}, {"expired", now.Add(-time.Hour)}} {
			tok := fmt.Sprintf("ba%s%s%d", exp.kind, tag, i)
			sessions = append(sessions, betterauth.Object{{Name: "id", Value: "s-" + tok}, {Name: "expiresAt", Value: iso(exp.expires)},
				{Name: "token", Value: tok}, {Name: "createdAt", Value: iso(now)}, {Name: "updatedAt", Value: iso(now)},
				{Name: "ipAddress", Value: nil}, {Name: "userAgent", Value: nil}, {Name: "userId", Value: uid}})
			signed := betterauth.SignCookieValue(tok, secret)
			if exp.kind == "expired" {
				p.Add(signed, true)
				continue
			}
			p.Valid = append(p.Valid, p.Name+"="+signed)
			_, sig, _ := strings.Cut(signed, ".")
			p.Tampered = append(p.Tampered, p.Name+"="+Tamper(tok)+"."+sig)
		}
	}
	if err := st.InsertAll(ctx, users, sessions); err != nil {
		return p.StaticPopulation, fmt.Errorf("seed Better Auth store: %w", err)
	}
	return p.StaticPopulation, nil
}

// WithCookieCache adds to each valid cookie the session_data cookie Better
// Auth sets on its first database answer (r must have the cookie cache on),
// so requests exercise the cache path.
func WithCookieCache(ctx context.Context, r *betterauth.Resolver, pop bench.StaticPopulation) (bench.StaticPopulation, error) {
	out := pop
	out.Valid = make([]string, len(pop.Valid))
	prefix := r.Names().SessionData + "="
	for i, c := range pop.Valid {
		a, err := r.ResolveBody(ctx, resolver.FromCookieHeader(c), betterauth.Options{})
		if err != nil || a.Body == nil {
			return pop, fmt.Errorf("cookie cache: seeded session %d did not resolve (%s)", i, a.Result.Reason)
		}
		out.Valid[i] = c
		for _, l := range a.SetCookie {
			if strings.HasPrefix(l, prefix) {
				v, _, _ := strings.Cut(l, ";")
				out.Valid[i] = c + "; " + v
			}
		}
		if out.Valid[i] == c {
			return pop, fmt.Errorf("cookie cache: no %s cookie was set", r.Names().SessionData)
		}
	}
	return out, nil
}

// NewBetterAuthStore creates an empty Better Auth SQLite store (Kysely
// layout) in a temporary directory, removed on Close.
func (e *Env) NewBetterAuthStore(ctx context.Context) (*basqlite.Store, error) {
	dir, err := os.MkdirTemp("", "authscope-ba-")
	if err != nil {
		return nil, fmt.Errorf("Better Auth store: %w", err)
	}
	e.closers = append(e.closers, func() error { return os.RemoveAll(dir) })
	st, err := basqlite.Create(ctx, filepath.Join(dir, "better-auth.db"))
	if err != nil {
		return nil, err
	}
	e.closers = append(e.closers, st.Close)
	return st, nil
}

// baSide is what the ba-* scenarios share: the seeded store and populations.
type baSide struct {
	cfg      betterauth.Config
	st       betterauth.Store
	pop      bench.StaticPopulation
	cachePop bench.StaticPopulation
	upstream string // get-session base URL, started on first use
}

// betterAuthConfig is Better Auth's configuration for a run: the run's
// base URL and Better Auth's secret variables, else the run's own secret
// (a demo's generated one), read-only as every bench store is, with the
// profile's additionalFields as resolve and serve apply them.
func (s *Setup) betterAuthConfig(o Options) (betterauth.Config, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	cfg, err := engine.BetterAuthConfig(s.Env.cfg, getenv)
	if err != nil {
		return cfg, err
	}
	if cfg.Secrets.Current == "" && len(s.Env.cfg.Secrets) > 0 {
		cfg.Secrets.Current = s.Env.cfg.Secrets[0]
	}
	if cfg.Secrets.Current == "" {
		return cfg, fmt.Errorf("Better Auth scenarios sign their cookies and need a secret: set BETTER_AUTH_SECRET")
	}
	cfg.ReadOnly = true
	cfg.SessionFields, cfg.UserFields = BetterAuthFields(o.Profile)
	return cfg, nil
}

// dropBetterAuthWithoutSecret is dropJWTWithoutSecret for the ba-*
// scenarios: without a secret they cannot sign their cookies; chosen ones
// are an error, the default set's are skipped with a warning.
func (s *Setup) dropBetterAuthWithoutSecret(o Options) error {
	if _, err := s.betterAuthConfig(o); err == nil {
		return nil
	}
	var need, skip []string
	kept := s.Config.Scenarios[:0:0]
	for _, sc := range s.Config.Scenarios {
		switch {
		case !isBetterAuth(benchStrategy(sc)):
			kept = append(kept, sc)
		case o.SkipUnasked && !o.Asked[sc.Name]:
			skip = append(skip, sc.Name)
		default:
			need = append(need, sc.Name)
		}
	}
	if len(need) > 0 || len(kept) == 0 {
		return fmt.Errorf("bench: scenarios %s sign Better Auth cookies and need the secret: set BETTER_AUTH_SECRET, or leave them out with --scenarios",
			strings.Join(append(need, skip...), ", "))
	}
	if len(skip) > 0 {
		s.Warnings = append(s.Warnings, fmt.Sprintf("skipping %s: no Better Auth secret to sign their cookies (set BETTER_AUTH_SECRET to run them)", strings.Join(skip, ", ")))
		s.Config.Scenarios = kept
	}
	return nil
}

// betterAuth seeds a Better Auth SQLite store in a temporary directory
// with n sessions and builds the populations.
func (s *Setup) betterAuth(ctx context.Context, o Options, n int, now time.Time, needCache bool) (*baSide, error) {
	cfg, err := s.betterAuthConfig(o)
	if err != nil {
		return nil, err
	}
	b := &baSide{cfg: cfg, st: o.BetterAuthStore}
	if b.st != nil {
		if b.pop, err = realBetterAuthPopulation(ctx, b, o.DBSeed, n, now); err != nil {
			return nil, err
		}
		s.Notes = append(s.Notes, fmt.Sprintf("better-auth: the deployment's store, tokens of `authscope seed --engine better-auth --seed %d`", max(o.DBSeed, 1)))
	} else {
		st, err := s.NewBetterAuthStore(ctx)
		if err != nil {
			return nil, err
		}
		b.st = st
		if b.pop, err = SeedBetterAuth(ctx, st, cfg.Names(), cfg.Secrets.Current, n, now); err != nil {
			return nil, err
		}
		s.Notes = append(s.Notes, fmt.Sprintf("better-auth: SQLite store (Kysely layout) seeded with %d sessions", 2*n))
	}
	if needCache {
		r, err := betterauth.New(b.cacheConfig(), betterauth.WithStore(b.st))
		if err != nil {
			return nil, err
		}
		if b.cachePop, err = WithCookieCache(ctx, r, b.pop); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func (b *baSide) cacheConfig() betterauth.Config {
	c := b.cfg
	c.CookieCache = betterauth.CookieCache{Enabled: true, MaxAge: benchCacheMaxAge}
	return c
}

// wireBetterAuth builds a ba-* scenario's target.
func (s *Setup) wireBetterAuth(sc *bench.ScenarioSpec, o Options) error {
	b := s.ba
	cfg := engine.Config{Engine: engine.BetterAuth, BetterAuth: b.cfg,
		AuthJS: s.Settings(resolver.ModeLocal, resolver.StrategyDatabase, sc.Cache)}
	parts := engine.Parts{BetterAuthStore: b.st}
	switch {
	case sc.Mode == "proxy":
		base, err := s.betterAuthUpstream(o)
		if err != nil {
			return err
		}
		cfg.AuthJS.Mode, cfg.AuthJS.BaseURL, cfg.BetterAuth.BaseURL = resolver.ModeProxy, base, ""
		parts.BetterAuthStore = nil
	case sc.Mode != "local":
		return fmt.Errorf("mode %q: Better Auth scenarios are local or proxy", sc.Mode)
	case sc.Strategy == StrategyBACookieCache:
		cfg.BetterAuth = b.cacheConfig()
	}
	r, err := engine.New(cfg, parts)
	if err != nil {
		return err
	}
	if sc.Via == bench.ViaHTTP {
		gs := engine.NewGetSessionHandler(r, outcomeHeaders, nil)
		base, err := s.Serve(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) { gs.ServeHTTP(w, withWriter(req, w)) }))
		if err != nil {
			return err
		}
		sc.URL = base + strings.TrimSuffix(cfg.AuthJS.BasePath, "/") + betterauth.GetSessionPath
		return nil
	}
	s.Targets.InProc[sc.Name] = ResolverTarget(r, cfg.AuthJS.Mode)
	return nil
}

// betterAuthUpstream starts the loopback get-session proxy mode calls: a
// local Better Auth resolver over the seeded store, with the configured
// network latency.
func (s *Setup) betterAuthUpstream(o Options) (string, error) {
	if s.ba.upstream != "" {
		return s.ba.upstream, nil
	}
	if o.BetterAuthURL != "" {
		if err := s.Config.CheckURL(o.BetterAuthURL); err != nil {
			return "", err
		}
		s.ba.upstream = o.BetterAuthURL
		s.Notes = append(s.Notes, "upstream (better-auth): "+o.BetterAuthURL)
		return s.ba.upstream, nil
	}
	if o.UpstreamURL != "" {
		return "", fmt.Errorf("--url names an Auth.js upstream; Better Auth proxy scenarios use the built-in get-session")
	}
	r, err := betterauth.New(s.ba.cfg, betterauth.WithStore(s.ba.st))
	if err != nil {
		return "", err
	}
	h := delayed(engine.NewGetSessionHandler(r, nil, nil), o.UpstreamLatency, o.UpstreamJitter)
	origin, err := s.Serve(h)
	if err != nil {
		return "", fmt.Errorf("built-in Better Auth upstream: %w", err)
	}
	s.ba.upstream = origin
	s.Notes = append(s.Notes, fmt.Sprintf("upstream (better-auth): built-in get-session handler on %s", origin))
	return origin, nil
}

// delayed waits latency plus up to jitter before each answer.
func delayed(h http.Handler, latency, jitter time.Duration) http.Handler {
	if latency <= 0 && jitter <= 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := latency + time.Duration(mrand.Int64N(int64(jitter)+1))
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
		h.ServeHTTP(w, r)
	})
}

// BetterAuthSeedToken is `authscope seed --engine better-auth`'s i-th
// session token under seed: 32 URL-safe characters, the same for the same
// seed, so a rerun finds its rows and bench finds its population.
func BetterAuthSeedToken(seed int64, i int) string {
	h := sha256.Sum256(fmt.Appendf(nil, "authscope-ba-seed/%d/%d", seed, i))
	return base64.RawURLEncoding.EncodeToString(h[:])[:32]
}

// realBetterAuthPopulation reads a deployment's store for the seeded
// tokens, each looked up once to sort it into valid and expired, and signs
// their cookies with the configured secret.
func realBetterAuthPopulation(ctx context.Context, b *baSide, seed int64, n int, now time.Time) (bench.StaticPopulation, error) {
	if seed == 0 {
		seed = 1
	}
	p := Population{Name: b.cfg.Names().SessionToken}
	for j := 0; j < 3*n && len(p.Valid) < n; j++ {
		tok := BetterAuthSeedToken(seed, j)
		rec, err := b.st.FindSession(ctx, tok)
		if err != nil {
			return p.StaticPopulation, fmt.Errorf("reading the Better Auth population: %w", err)
		}
		if rec == nil {
			continue
		}
		exp, _ := rec.Session.Time("expiresAt")
		signed := betterauth.SignCookieValue(tok, b.cfg.Secrets.Current)
		if !exp.After(now.Add(time.Minute)) {
			p.Expired = append(p.Expired, p.Name+"="+signed)
			continue
		}
		p.Valid = append(p.Valid, p.Name+"="+signed)
		_, sig, _ := strings.Cut(signed, ".")
		p.Tampered = append(p.Tampered, p.Name+"="+Tamper(tok)+"."+sig)
	}
	if len(p.Valid) == 0 {
		return p.StaticPopulation, fmt.Errorf("the Better Auth store holds none of seed %d's sessions (run `authscope seed --engine better-auth --seed %d` first)", seed, seed)
	}
	return p.StaticPopulation, nil
}

// BetterAuthOnly keeps the ba-* scenarios (a run on a Better Auth
// deployment: the Auth.js ones have nothing to resolve there).
func BetterAuthOnly(scs []bench.ScenarioSpec) []bench.ScenarioSpec {
	var out []bench.ScenarioSpec
	for _, sc := range scs {
		if isBetterAuth(benchStrategy(sc)) {
			out = append(out, sc)
		}
	}
	return out
}
