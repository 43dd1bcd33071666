package cli

// Wiring between the resolver and the load generator: the adapter from
// resolver.Resolver to bench.Target, the cookie populations, the built-in
// upstream and the loopback endpoints of "http" scenarios. bench knows
// nothing of sessions; this file is where they meet.

import (
	"context"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/authscope/authscope/bench"
	"github.com/authscope/authscope/profiles"
	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
)

// benchCompareScenarios is the local-versus-proxy comparison a profile
// without a bench section runs: every way of resolving, cache off and on,
// and the upstream called directly as the baseline of proxy mode.
func benchCompareScenarios() []bench.ScenarioSpec {
	return []bench.ScenarioSpec{
		{Name: "local-jwt", Mode: "local", Strategy: "jwt"},
		{Name: "local-jwt-cache", Mode: "local", Strategy: "jwt", Cache: true},
		{Name: "local-db", Mode: "local", Strategy: "database"},
		{Name: "local-db-cache", Mode: "local", Strategy: "database", Cache: true},
		{Name: "proxy-jwt", Mode: "proxy", Strategy: "jwt"},
		{Name: "proxy-jwt-cache", Mode: "proxy", Strategy: "jwt", Cache: true},
		{Name: "upstream-jwt", Mode: "upstream", Strategy: "jwt", Via: bench.ViaHTTP},
	}
}

// benchCompareConfig is the bench section of the built-in comparison: a
// Zipf hot set of 1,000 sessions with a few expired, tampered and
// cookieless requests, one warm-up second, five measured seconds at 200/s.
func benchCompareConfig() bench.Config {
	return bench.Config{
		Rate: 200, Duration: bench.Duration(5 * time.Second), Warmup: bench.Duration(time.Second),
		Population: bench.PopulationConfig{
			Sessions: 1000, Popularity: bench.Zipf, ZipfS: 1.1,
			Expired: 0.05, Tampered: 0.02, NoCookie: 0.03,
		},
		Scenarios: benchCompareScenarios(),
		Baseline:  "local-jwt",
	}
}

// benchOptions say where a run's sessions and upstream come from.
type benchOptions struct {
	profile *profiles.Profile
	getenv  func(string) string
	// upstreamURL is a real Auth.js base URL (with its base path) for proxy
	// and upstream scenarios; empty starts the built-in upstream.
	upstreamURL string
	// upstreamLatency and upstreamJitter model the network hop to the
	// built-in upstream: each answer waits latency plus up to jitter.
	upstreamLatency, upstreamJitter time.Duration
	// dbSeed is the `authscope seed --seed` whose tokens a real store holds.
	dbSeed int64
	// skipUnasked: the scenarios are the built-in comparison's default
	// set, which the user did not choose, so those that cannot run here
	// (JWT ones without a secret) are skipped with a warning instead of
	// failing the run; asked names scenarios the user did choose (a
	// capacity --gate), which still fail.
	skipUnasked bool
	asked       map[string]bool
}

// benchSetup is everything a run needs around the engine. Close releases it.
type benchSetup struct {
	*demoEnv // the profile's resolver configuration; the servers and store started

	cfg     bench.Config // the scenarios' URLs filled in
	targets bench.Targets
	notes   []string
	// warnings are printed even with --quiet: they say the run is not
	// the one asked for (scenarios skipped).
	warnings []string

	codec    *resolver.Codec
	st       resolver.Store
	upstream map[string]string // strategy -> upstream base URL (origin + base path)
}

// newBenchSetup builds the targets and populations of cfg's scenarios.
// cfg must be valid; its http scenarios without a URL get a loopback one.
func newBenchSetup(ctx context.Context, cfg bench.Config, o benchOptions) (_ *benchSetup, err error) {
	if o.profile == nil {
		return nil, errors.New("bench: no profile")
	}
	env, err := newDemoEnv(o.profile, o.getenv)
	if err != nil {
		return nil, err
	}
	s := &benchSetup{demoEnv: env, cfg: cfg, upstream: map[string]string{}}
	s.cfg.Scenarios = append([]bench.ScenarioSpec(nil), cfg.Scenarios...)
	s.targets = bench.Targets{InProc: map[string]bench.Target{}, Populations: map[string]bench.Population{}}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if len(env.cfg.Secrets) == 0 {
		if err := s.dropJWTWithoutSecret(o); err != nil {
			return nil, err
		}
	}
	needs := map[string]bool{}
	for _, sc := range s.cfg.Scenarios {
		needs[benchStrategy(sc)] = true
	}
	pops := map[string]bench.Population{}
	now := time.Now()
	n := max(cfg.Population.Sessions, 1)
	if needs["jwt"] {
		if s.codec, err = resolver.NewCodec(s.demoEnv.cfg); err != nil {
			return nil, fmt.Errorf("bench: jwt population: %w", err)
		}
		if pops["jwt"], err = benchMintPopulation(s.codec, s.demoEnv.cfg, n, now); err != nil {
			return nil, err
		}
	}
	if needs["database"] {
		if pops["database"], err = s.openStore(ctx, o, n, now); err != nil {
			return nil, err
		}
	}
	for i := range s.cfg.Scenarios {
		sc := &s.cfg.Scenarios[i]
		strategy := benchStrategy(*sc)
		s.targets.Populations[sc.Name] = pops[strategy]
		if err := s.wire(sc, strategy, o); err != nil {
			return nil, fmt.Errorf("bench: scenario %s: %w", sc.Name, err)
		}
	}
	return s, nil
}

// dropJWTWithoutSecret handles a profile with no JWT secret set (a
// database-strategy profile usually has none): JWT scenarios cannot mint
// their cookies, nor can the built-in upstream decode them. Scenarios the
// user chose are an error naming the variable to set; the default set's
// are skipped with a warning, so `bench` on such a profile measures the
// database scenarios it can.
func (s *benchSetup) dropJWTWithoutSecret(o benchOptions) error {
	var need, skip []string
	kept := s.cfg.Scenarios[:0:0]
	for _, sc := range s.cfg.Scenarios {
		switch {
		case benchStrategy(sc) != "jwt":
			kept = append(kept, sc)
		case o.skipUnasked && !o.asked[sc.Name]:
			skip = append(skip, sc.Name)
		default:
			need = append(need, sc.Name)
		}
	}
	if len(kept) == 0 {
		need = append(need, skip...)
	}
	if len(need) > 0 {
		return fmt.Errorf("bench: scenarios %s mint JWT session cookies and need the secret: set %s, or leave them out with --scenarios",
			strings.Join(need, ", "), secretVarNames(o.profile))
	}
	if len(skip) > 0 {
		s.warnings = append(s.warnings, fmt.Sprintf("skipping %s: no JWT secret to mint their cookies (set %s to run them)",
			strings.Join(skip, ", "), secretVarNames(o.profile)))
		s.cfg.Scenarios = kept
		if !containsScenario(kept, s.cfg.Baseline) {
			s.cfg.Baseline = ""
			s.cfg = s.cfg.WithDefaults() // the first local scenario left
		}
	}
	return nil
}

// secretVarNames names the variables the profile reads its secret from:
// its secret_env(s), else Auth.js's AUTH_SECRET.
func secretVarNames(p *profiles.Profile) string {
	switch {
	case p.Resolver.SecretEnv != "":
		return p.Resolver.SecretEnv
	case len(p.Resolver.SecretEnvs) > 0:
		return strings.Join(p.Resolver.SecretEnvs, " or ")
	}
	return "AUTH_SECRET"
}

func benchStrategy(sc bench.ScenarioSpec) string {
	if sc.Strategy == "" {
		return "jwt"
	}
	return sc.Strategy
}

// benchMintPopulation mints n Auth.js session cookies: valid ones, the
// same people's cookies expired an hour ago, and valid ones with a byte of
// ciphertext altered.
func benchMintPopulation(c *resolver.Codec, cfg resolver.Config, n int, now time.Time) (bench.StaticPopulation, error) {
	p := population{name: c.CookieName()}
	for i := range n {
		claims := resolver.Claims{
			"sub":   fmt.Sprintf("bench-user-%d", i),
			"name":  fmt.Sprintf("Bench User %d", i),
			"email": fmt.Sprintf("user%d@example.com", i),
		}
		valid, err := c.Encode(claims, now, cfg.MaxAge)
		if err != nil {
			return p.StaticPopulation, fmt.Errorf("bench: mint: %w", err)
		}
		expired, err := c.Encode(claims, now.Add(-cfg.MaxAge-time.Hour), cfg.MaxAge)
		if err != nil {
			return p.StaticPopulation, fmt.Errorf("bench: mint: %w", err)
		}
		p.add(valid, false)
		p.add(expired, true)
	}
	return p.StaticPopulation, nil
}

// openStore opens the database strategy's store and reads its population:
// the profile's store (tokens of `authscope seed --seed dbSeed`), or for the
// demo a SQLite store seeded in a temporary directory. Each token is looked
// up once to sort it into valid and expired.
func (s *benchSetup) openStore(ctx context.Context, o benchOptions, n int, now time.Time) (bench.Population, error) {
	dsn, err := o.profile.DSN(o.getenv)
	if err != nil {
		return nil, err
	}
	seed := o.dbSeed
	if seed == 0 {
		seed = 1
	}
	seedOpts := store.SeedOptions{Users: max(n/2, 1), Sessions: n * 3 / 2, Seed: seed, Now: now}
	if dsn == "" {
		if s.st, err = s.seedSQLite(ctx, seedOpts); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		s.notes = append(s.notes, fmt.Sprintf("database: demo SQLite store seeded with %d sessions", seedOpts.Sessions))
	} else {
		// Read-only, a second fence: bench never writes to a real store.
		opts := withProfileStore(store.Options{ReadOnly: true, MustExist: true}, o.profile)
		st, err := store.Open(ctx, dsn, opts)
		if err != nil {
			return nil, storeOpenError(fmt.Errorf("bench: store %s: %w", store.Redact(dsn), err))
		}
		s.st = st
		s.closers = append(s.closers, st.Close)
		s.notes = append(s.notes, fmt.Sprintf("database: %s, tokens of `authscope seed --seed %d`", store.Redact(dsn), seed))
	}
	p := population{name: s.demoEnv.cfg.SessionCookieName()}
	for j := 0; j < seedOpts.Sessions && len(p.Valid) < n; j++ {
		tok := store.SeedToken(seed, j)
		sess, user, err := s.st.SessionAndUser(ctx, tok)
		switch {
		case err != nil:
			return nil, fmt.Errorf("bench: read population: %w", err)
		case sess == nil || user == nil:
			continue
		}
		p.add(tok, !sess.Expires.After(now.Add(time.Minute)))
	}
	if len(p.Valid) == 0 {
		return nil, errors.New("bench: the store holds none of the seeded sessions (run `authscope seed` first)")
	}
	return p.StaticPopulation, nil
}

// wire builds scenario sc's target, or its URL for http scenarios.
func (s *benchSetup) wire(sc *bench.ScenarioSpec, strategy string, o benchOptions) error {
	if sc.Via == bench.ViaHTTP && sc.URL != "" {
		return s.cfg.CheckURL(sc.URL) // an endpoint the caller runs (serve, Auth.js)
	}
	switch sc.Mode {
	case "local", "proxy":
	case "upstream":
		base, err := s.upstreamFor(strategy, o)
		if err != nil {
			return err
		}
		sc.Via = bench.ViaHTTP
		sc.URL, err = resolver.UpstreamSessionURL(resolver.Config{BaseURL: base, BasePath: s.demoEnv.cfg.BasePath})
		return err
	default:
		return fmt.Errorf("mode %q: want local, proxy or upstream", sc.Mode)
	}
	cfg := s.settings(resolver.Mode(sc.Mode), resolver.Strategy(strategy), sc.Cache)
	var opts []resolver.Option
	if sc.Mode == "proxy" {
		base, err := s.upstreamFor(strategy, o)
		if err != nil {
			return err
		}
		cfg.BaseURL = base
		u, err := resolver.UpstreamSessionURL(cfg)
		if err != nil {
			return err
		}
		if err := s.cfg.CheckURL(u); err != nil {
			return fmt.Errorf("upstream: %w", err)
		}
	} else if strategy == "database" {
		// Read-only: every database scenario meets the same session
		// population. A writing resolver would delete expired sessions as
		// it met them (Auth.js's pruning), so a later scenario would see
		// unknown_session where the first saw expired; it would also
		// extend sessions. The write path is therefore not measured.
		cfg.ReadOnly = true
		opts = append(opts, resolver.WithStore(s.st))
	}
	r, err := resolver.New(cfg, opts...)
	if err != nil {
		return err
	}
	if sc.Via == bench.ViaHTTP && sc.URL == "" {
		base, err := s.serve(benchSessionHandler(r, cfg, 0, 0, true))
		if err != nil {
			return err
		}
		sc.URL = base + strings.TrimSuffix(cfg.BasePath, "/") + "/session"
		return nil
	}
	s.targets.InProc[sc.Name] = resolverTarget(r, cfg.Mode) // demo_load.go's adapter
	return nil
}

// upstreamFor returns the upstream base URL (origin + base path) of a
// strategy: --url, or the built-in upstream started on first use.
func (s *benchSetup) upstreamFor(strategy string, o benchOptions) (string, error) {
	if o.upstreamURL != "" {
		if err := s.cfg.CheckURL(o.upstreamURL); err != nil {
			return "", err
		}
		return o.upstreamURL, nil
	}
	if u, ok := s.upstream[strategy]; ok {
		return u, nil
	}
	u, origin, err := s.demoEnv.startUpstream(resolver.Strategy(strategy), s.st, o.upstreamLatency, o.upstreamJitter)
	if err != nil {
		return "", err
	}
	s.upstream[strategy] = u
	note := fmt.Sprintf("upstream (%s): built-in Auth.js /session handler on %s", strategy, origin)
	if o.upstreamLatency > 0 || o.upstreamJitter > 0 {
		note += fmt.Sprintf(", latency %s + up to %s jitter", o.upstreamLatency, o.upstreamJitter)
	}
	s.notes = append(s.notes, note)
	return u, nil
}

// benchSessionHandler serves GET {basePath}/session from r with the
// resolver's Auth.js handler (what `authscope serve` serves). With outcome
// it adds the bench.Header* headers (reason, cache, upstream) so an HTTP run
// counts reasons as an in-process one does: the handler's observer sees
// each Result before the answer's headers are written. latency and jitter
// delay each answer to model a network hop.
func benchSessionHandler(r resolver.Resolver, cfg resolver.Config, latency, jitter time.Duration, outcome bool) http.Handler {
	type writerKey struct{}
	var opts []resolver.HandlerOption
	if outcome {
		opts = append(opts, resolver.WithObserver(func(req *http.Request, res resolver.Result, _ time.Duration) {
			w, ok := req.Context().Value(writerKey{}).(http.ResponseWriter)
			if !ok {
				return
			}
			h := w.Header()
			h.Set(bench.HeaderReason, string(res.Reason))
			if res.Source == "cache" {
				h.Set(bench.HeaderCache, "hit")
			}
			if res.Source == "upstream" {
				h.Set(bench.HeaderUpstream, "1")
			}
		}))
	}
	h := resolver.NewHandler(r, cfg, opts...)
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if d := latency + time.Duration(mrand.Int64N(int64(jitter)+1)); d > 0 {
			time.Sleep(d)
		}
		if outcome {
			req = req.WithContext(context.WithValue(req.Context(), writerKey{}, w))
		}
		h.ServeHTTP(w, req)
	})
}
