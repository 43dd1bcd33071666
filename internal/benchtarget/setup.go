package benchtarget

// Setup: wiring between the resolver and the load generator: the adapter from
// resolver.Resolver to bench.Target, the cookie populations, the built-in
// upstream and the loopback endpoints of "http" scenarios. bench knows
// nothing of sessions; this file is where they meet.

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/authscope/authscope/bench"
	"github.com/authscope/authscope/profiles"
	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/betterauth"
	"github.com/authscope/authscope/resolver/store"
	"github.com/authscope/authscope/resolver/store/sqlitestore"
)

// CompareScenarios is the local-versus-proxy comparison a profile
// without a bench section runs: every way of resolving, cache off and on,
// the upstream called directly as the baseline of proxy mode, and Better
// Auth's database, cookie cache and proxy (BetterAuthScenarios).
func CompareScenarios() []bench.ScenarioSpec {
	return []bench.ScenarioSpec{
		{Name: "local-jwt", Mode: "local", Strategy: "jwt"},
		{Name: "local-jwt-cache", Mode: "local", Strategy: "jwt", Cache: true},
		{Name: "local-db", Mode: "local", Strategy: "database"},
		{Name: "local-db-cache", Mode: "local", Strategy: "database", Cache: true},
		{Name: "proxy-jwt", Mode: "proxy", Strategy: "jwt"},
		{Name: "proxy-jwt-cache", Mode: "proxy", Strategy: "jwt", Cache: true},
		{Name: "upstream-jwt", Mode: "upstream", Strategy: "jwt", Via: bench.ViaHTTP},
		// Better Auth beside Auth.js (betterauth.go).
		{Name: "ba-db", Mode: "local", Strategy: StrategyBADatabase},
		{Name: "ba-cookie-cache", Mode: "local", Strategy: StrategyBACookieCache},
		{Name: "ba-proxy", Mode: "proxy", Strategy: StrategyBADatabase},
	}
}

// CompareConfig is the bench section of the built-in comparison: a
// Zipf hot set of 1,000 sessions with a few expired, tampered and
// cookieless requests, one warm-up second, five measured seconds at 200/s.
func CompareConfig() bench.Config {
	return bench.Config{
		Rate: 200, Duration: bench.Duration(5 * time.Second), Warmup: bench.Duration(time.Second),
		Population: bench.PopulationConfig{
			Sessions: 1000, Popularity: bench.Zipf, ZipfS: 1.1,
			Expired: 0.05, Tampered: 0.02, NoCookie: 0.03,
		},
		Scenarios: CompareScenarios(),
		Baseline:  "local-jwt",
	}
}

// Options say where a run's sessions and upstream come from.
type Options struct {
	Profile *profiles.Profile
	Getenv  func(string) string
	// upstreamURL is a real Auth.js base URL (with its base path) for proxy
	// and upstream scenarios; empty starts the built-in upstream.
	UpstreamURL string
	// upstreamLatency and upstreamJitter model the network hop to the
	// built-in upstream: each answer waits latency plus up to jitter.
	UpstreamLatency, UpstreamJitter time.Duration
	// UpstreamProcess, when set, runs the built-in upstream in a process
	// of its own (upstream_proc.go) for the jwt strategy, and for the
	// database strategy over the demo's SQLite store; the zero value
	// serves it from this process.
	UpstreamProcess UpstreamProcess
	// dbSeed is the `authscope seed --seed` whose tokens a real store holds.
	DBSeed int64
	// BetterAuthStore is a real Better Auth deployment's store (opened
	// read-only by the caller; tokens of `authscope seed --engine
	// better-auth --seed DBSeed`) for the ba-* scenarios; nil seeds a
	// temporary SQLite store. BetterAuthURL is the deployment's base URL
	// with its base path, for ba-proxy (empty: the built-in get-session).
	BetterAuthStore betterauth.Store
	BetterAuthURL   string
	// skipUnasked: the scenarios are the built-in comparison's default
	// set, which the user did not choose, so those that cannot run here
	// (JWT ones without a secret) are skipped with a warning instead of
	// failing the run; asked names scenarios the user did choose (a
	// capacity --gate), which still fail.
	SkipUnasked bool
	Asked       map[string]bool
}

// Setup is everything a run needs around the engine. Close releases it.
type Setup struct {
	*Env // the profile's resolver configuration; the servers and store started

	Config  bench.Config // the scenarios' URLs filled in
	Targets bench.Targets
	Notes   []string
	// warnings are printed even with --quiet: they say the run is not
	// the one asked for (scenarios skipped).
	Warnings []string

	codec    *resolver.Codec
	st       resolver.Store
	ba       *baSide           // the ba-* scenarios' store and populations
	upstream map[string]string // strategy -> upstream base URL (origin + base path)
	seeded   bool              // st is the demo's SQLite store, seeded for the run
}

// NewSetup builds the targets and populations of cfg's scenarios.
// cfg must be valid; its http scenarios without a URL get a loopback one.
func NewSetup(ctx context.Context, cfg bench.Config, o Options) (_ *Setup, err error) {
	if o.Profile == nil {
		return nil, errors.New("no profile")
	}
	env, err := NewEnv(o.Profile, o.Getenv)
	if err != nil {
		return nil, err
	}
	s := &Setup{Env: env, Config: cfg, upstream: map[string]string{}}
	s.Config.Scenarios = append([]bench.ScenarioSpec(nil), cfg.Scenarios...)
	s.Targets = bench.Targets{InProc: map[string]bench.Target{}, Populations: map[string]bench.Population{}}
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
	if err := s.dropBetterAuthWithoutSecret(o); err != nil {
		return nil, err
	}
	needs := map[string]bool{}
	for _, sc := range s.Config.Scenarios {
		needs[benchStrategy(sc)] = true
	}
	pops := map[string]bench.Population{}
	now := time.Now()
	n := max(cfg.Population.Sessions, 1)
	if needs["jwt"] {
		if s.codec, err = resolver.NewCodec(s.Env.cfg); err != nil {
			return nil, fmt.Errorf("jwt population: %w", err)
		}
		if pops["jwt"], err = MintPopulation(s.codec, s.Env.cfg, n, now); err != nil {
			return nil, err
		}
	}
	if needs["database"] {
		if pops["database"], err = s.openStore(ctx, o, n, now); err != nil {
			return nil, err
		}
	}
	if needs[StrategyBADatabase] || needs[StrategyBACookieCache] {
		if s.ba, err = s.betterAuth(ctx, o, n, now, needs[StrategyBACookieCache]); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		pops[StrategyBADatabase], pops[StrategyBACookieCache] = s.ba.pop, s.ba.cachePop
	}
	for i := range s.Config.Scenarios {
		sc := &s.Config.Scenarios[i]
		strategy := benchStrategy(*sc)
		s.Targets.Populations[sc.Name] = pops[strategy]
		if err := s.wire(sc, strategy, o); err != nil {
			return nil, fmt.Errorf("scenario %s: %w", sc.Name, err)
		}
	}
	s.Targets.Processes = s.Env.Processes()
	return s, nil
}

// dropJWTWithoutSecret handles a profile with no JWT secret set (a
// database-strategy profile usually has none): JWT scenarios cannot mint
// their cookies, nor can the built-in upstream decode them. Scenarios the
// user chose are an error naming the variable to set; the default set's
// are skipped with a warning, so `bench` on such a profile measures the
// database scenarios it can.
func (s *Setup) dropJWTWithoutSecret(o Options) error {
	var need, skip []string
	kept := s.Config.Scenarios[:0:0]
	for _, sc := range s.Config.Scenarios {
		switch {
		case benchStrategy(sc) != "jwt":
			kept = append(kept, sc)
		case o.SkipUnasked && !o.Asked[sc.Name]:
			skip = append(skip, sc.Name)
		default:
			need = append(need, sc.Name)
		}
	}
	if len(kept) == 0 {
		need = append(need, skip...)
	}
	if len(need) > 0 {
		return fmt.Errorf("scenarios %s mint JWT session cookies and need the secret: set %s, or leave them out with --scenarios",
			strings.Join(need, ", "), secretVarNames(o.Profile))
	}
	if len(skip) > 0 {
		s.Warnings = append(s.Warnings, fmt.Sprintf("skipping %s: no JWT secret to mint their cookies (set %s to run them)",
			strings.Join(skip, ", "), secretVarNames(o.Profile)))
		s.Config.Scenarios = kept
		if !slices.ContainsFunc(kept, func(sc bench.ScenarioSpec) bool { return sc.Name == s.Config.Baseline }) {
			s.Config.Baseline = ""
			s.Config = s.Config.WithDefaults() // the first local scenario left
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

// openStore opens the database strategy's store and reads its Population:
// the profile's store (tokens of `authscope seed --seed dbSeed`), or for the
// demo a SQLite store seeded in a temporary directory. Each token is looked
// up once to sort it into valid and expired.
func (s *Setup) openStore(ctx context.Context, o Options, n int, now time.Time) (bench.Population, error) {
	dsn, err := o.Profile.DSN(o.Getenv)
	if err != nil {
		return nil, err
	}
	seed := o.DBSeed
	if seed == 0 {
		seed = 1
	}
	seedOpts := store.SeedOptions{Users: max(n/2, 1), Sessions: n * 3 / 2, Seed: seed, Now: now}
	if dsn == "" {
		if s.st, err = s.SeedSQLite(ctx, seedOpts); err != nil {
			return nil, fmt.Errorf("seeding the demo store: %w", err)
		}
		s.seeded = true
		s.Notes = append(s.Notes, fmt.Sprintf("database: demo SQLite store seeded with %d sessions", seedOpts.Sessions))
	} else {
		// Read-only, a second fence: bench never writes to a real store.
		opts := o.Profile.StoreOptions(store.Options{ReadOnly: true, MustExist: true})
		st, err := store.Open(ctx, dsn, opts)
		if err != nil {
			return nil, fmt.Errorf("store %s: %w", store.Redact(dsn), err)
		}
		s.st = st
		s.closers = append(s.closers, st.Close)
		s.Notes = append(s.Notes, fmt.Sprintf("database: %s, tokens of `authscope seed --seed %d`", store.Redact(dsn), seed))
	}
	p := Population{Name: s.Env.cfg.SessionCookieName()}
	for j := 0; j < seedOpts.Sessions && len(p.Valid) < n; j++ {
		tok := store.SeedToken(seed, j)
		sess, user, err := s.st.SessionAndUser(ctx, tok)
		switch {
		case err != nil:
			return nil, fmt.Errorf("reading the population: %w", err)
		case sess == nil || user == nil:
			continue
		}
		p.Add(tok, !sess.Expires.After(now.Add(time.Minute)))
	}
	if len(p.Valid) == 0 {
		return nil, errors.New("the store holds none of the seeded sessions (run `authscope seed` first)")
	}
	return p.StaticPopulation, nil
}

// wire builds scenario sc's target, or its URL for http scenarios.
func (s *Setup) wire(sc *bench.ScenarioSpec, strategy string, o Options) error {
	if sc.Via == bench.ViaHTTP && sc.URL != "" {
		return s.Config.CheckURL(sc.URL) // an endpoint the caller runs (serve, Auth.js)
	}
	if isBetterAuth(strategy) {
		return s.wireBetterAuth(sc, o)
	}
	switch sc.Mode {
	case "local", "proxy":
	case "upstream":
		base, err := s.upstreamFor(strategy, o)
		if err != nil {
			return err
		}
		sc.Via = bench.ViaHTTP
		sc.URL, err = resolver.UpstreamSessionURL(resolver.Config{BaseURL: base, BasePath: s.Env.cfg.BasePath})
		return err
	default:
		return fmt.Errorf("mode %q: want local, proxy or upstream", sc.Mode)
	}
	cfg := s.Settings(resolver.Mode(sc.Mode), resolver.Strategy(strategy), sc.Cache)
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
		if err := s.Config.CheckURL(u); err != nil {
			return fmt.Errorf("upstream: %w", err)
		}
	} else if strategy == "database" {
		// Read-only: every database scenario meets the same session
		// Population. A writing resolver would delete expired sessions as
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
		base, err := s.Serve(SessionHandler(r, cfg, 0, 0, true))
		if err != nil {
			return err
		}
		sc.URL = base + strings.TrimSuffix(cfg.BasePath, "/") + "/session"
		return nil
	}
	s.Targets.InProc[sc.Name] = ResolverTarget(r, cfg.Mode)
	return nil
}

// upstreamFor returns the upstream base URL (origin + base path) of a
// strategy: --url, or the built-in upstream started on first use.
func (s *Setup) upstreamFor(strategy string, o Options) (string, error) {
	if o.UpstreamURL != "" {
		if err := s.Config.CheckURL(o.UpstreamURL); err != nil {
			return "", err
		}
		return o.UpstreamURL, nil
	}
	if u, ok := s.upstream[strategy]; ok {
		return u, nil
	}
	var (
		u, origin string
		err       error
		where     = "built-in Auth.js /session handler"
	)
	if sqlite, ok := s.childStore(strategy); o.UpstreamProcess.Path != "" && ok && childListeners {
		u, origin, err = s.Env.startUpstreamProcess(o.UpstreamProcess, resolver.Strategy(strategy), sqlite, o.UpstreamLatency, o.UpstreamJitter)
		where += " in its own process"
	} else {
		u, origin, err = s.Env.StartUpstream(resolver.Strategy(strategy), s.st, o.UpstreamLatency, o.UpstreamJitter)
	}
	if err != nil {
		return "", err
	}
	s.upstream[strategy] = u
	note := fmt.Sprintf("upstream (%s): %s on %s", strategy, where, origin)
	if o.UpstreamLatency > 0 || o.UpstreamJitter > 0 {
		note += fmt.Sprintf(", latency %s + up to %s jitter", o.UpstreamLatency, o.UpstreamJitter)
	}
	s.Notes = append(s.Notes, note)
	return u, nil
}

// childListeners: a child process can inherit the listener (Windows passes
// no file descriptors beyond the standard three; there the built-in
// upstream stays in process).
const childListeners = runtime.GOOS != "windows"

// childStore says whether strategy's built-in upstream can run in a
// process of its own, and the SQLite file it then reads: the jwt strategy
// needs no store; the database strategy's child opens the demo's seeded
// file (the run's own, which the in-process upstream writes too). A
// profile's own store stays with this process, which opened it (its DSN
// and credentials are not handed on).
func (s *Setup) childStore(strategy string) (string, bool) {
	switch strategy {
	case "jwt":
		return "", true
	case "database":
		if lite, ok := s.st.(*sqlitestore.Store); ok && s.seeded {
			return lite.Path(), true
		}
	}
	return "", false
}
