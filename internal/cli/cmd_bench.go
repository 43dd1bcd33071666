package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/authscope/authscope/bench"
	"github.com/authscope/authscope/internal/benchtarget"
	"github.com/authscope/authscope/profiles"
)

// benchFlags are the flags bench and capacity share: where the sessions
// come from and the shape of the load.
type benchFlags struct {
	profile, config                  string
	rate, schedule, scenarios, via   string
	duration, warmup, timeout        time.Duration
	maxRequests, workers, maxWorkers uint64
	sessions                         int
	popularity                       string
	zipfS                            float64
	expired, tampered, noCookie      string
	allowHosts                       string
	url                              string
	upstreamLatency, upstreamJitter  time.Duration
	upstreamInProc                   bool
	dbSeed                           int64
	engine                           string
	seed                             uint64
	precisePacing                    bool
	connections                      int
	thresholds                       thresholdsFlag // bench only
	// defaulted: load fell back to the built-in comparison's scenarios
	// and --scenarios chose none of them (see benchOptions.skipUnasked).
	defaulted bool
}

// newBenchFlagSet is the flag set of bench or capacity with the flags
// they share registered. shape adds --rate, --duration, --schedule and
// --warmup, which only bench has: capacity sets each probe's rate and
// length itself, so it does not offer them.
func newBenchFlagSet(env *cliEnv, name, usage string, shape bool) (*flag.FlagSet, *benchFlags) {
	fs := newFlagSet(env, name, usage)
	f := &benchFlags{}
	f.register(fs, shape)
	return fs, f
}

func (f *benchFlags) register(fs *flag.FlagSet, shape bool) {
	fs.StringVar(&f.profile, "profile", "compare", "profile `NAME` or file: where sessions, store and upstream come from, and its bench section")
	fs.StringVar(&f.config, "config", "", "bench config `FILE` (JSON or YAML, bench.Config), instead of the profile's bench section")
	if shape {
		fs.StringVar(&f.rate, "rate", "", "constant `RATE` such as 500 or 500/s (default: the config's, else 100/s)")
		fs.DurationVar(&f.duration, "duration", 0, "measured duration of each scenario")
		fs.StringVar(&f.schedule, "schedule", "", "steps and ramps instead of --rate/--duration, e.g. 30s@500,30s@500->2000")
		fs.DurationVar(&f.warmup, "warmup", 0, "warm-up before each scenario, excluded from the figures")
		fs.Var(&f.thresholds, "threshold", thresholdUsage)
	}
	fs.Uint64Var(&f.maxRequests, "max-requests", 0, "cap on the requests of each scenario, warm-up requests included (it must leave some after the warm-up)")
	fs.Uint64Var(&f.workers, "workers", 0, "initial workers (vegeta -workers)")
	fs.Uint64Var(&f.maxWorkers, "max-workers", 0, "worker cap (vegeta -max-workers; default unbounded, the open model)")
	fs.DurationVar(&f.timeout, "timeout", 0, "per-request timeout")
	fs.IntVar(&f.connections, "connections", 0, "connections of each HTTP scenario, and so its concurrency (default 64; requests beyond wait for one, counted in their dispatch lag)")
	fs.BoolVar(&f.precisePacing, "precise-pacing", false, "release every request at its own due time (the pacer then holds a core); the default is batches at most 500µs apart above 2,000 req/s (a third to a fifth of the generator's CPU for up to 500µs of dispatch lag in the corrected latency)")
	fs.StringVar(&f.scenarios, "scenarios", "", "comma-separated scenario names to run (default all)")
	fs.StringVar(&f.via, "via", "", "run local and proxy scenarios inproc (the resolver alone) or http (over loopback, through the /session handler serve uses)")
	fs.IntVar(&f.sessions, "sessions", 0, "distinct sessions in the population")
	fs.StringVar(&f.popularity, "popularity", "", "how sessions are picked: uniform or zipf")
	fs.Float64Var(&f.zipfS, "zipf-s", 0, "Zipf exponent (> 1; larger is a hotter hot set)")
	fs.StringVar(&f.expired, "expired", "", "share of requests with an expired session, e.g. 5%")
	fs.StringVar(&f.tampered, "tampered", "", "share of requests with a tampered cookie")
	fs.StringVar(&f.noCookie, "no-cookie", "", "share of requests without a session cookie")
	fs.StringVar(&f.allowHosts, "allow-host", "", "comma-separated hosts HTTP may go to (default loopback only)")
	fs.StringVar(&f.url, "url", "", "a real Auth.js base URL with its base path (http://127.0.0.1:3000/api/auth) for proxy and upstream scenarios, default the built-in upstream; cookies are minted with the profile's secret (the demo's: "+benchtarget.SecretEnv+"), which must be the server's")
	fs.DurationVar(&f.upstreamLatency, "upstream-latency", 0, "built-in upstream: delay added to each answer (models the network hop)")
	fs.DurationVar(&f.upstreamJitter, "upstream-jitter", 0, "built-in upstream: up to this much more delay, uniformly")
	fs.BoolVar(&f.upstreamInProc, "upstream-in-process", false, "serve the built-in upstream from this process (default: a process of its own, as a deployment's is, so its latency is not the generator's scheduling)")
	fs.StringVar(&f.engine, "engine", "", "the deployment's engine: authjs or better-auth (default: the profile's resolver.engine); better-auth runs the ba-* scenarios on the profile's store (tokens of 'seed --engine better-auth --seed N', N = --db-seed) and ba-proxy against --url")
	fs.Int64Var(&f.dbSeed, "db-seed", 1, "database scenarios on a real store: the seed (authscope seed --seed) its sessions came from")
	fs.Uint64Var(&f.seed, "seed", 0, "seed of the cookie picks (same seed, same traffic)")
}

// load builds the bench config: the --config file, else the profile's bench
// section, else the built-in comparison; then the flags given override it.
func (f *benchFlags) load(env *cliEnv, fs *flag.FlagSet) (bench.Config, *profiles.Profile, error) {
	p, err := profiles.Find(f.profile, profiles.Dir(env.getenv))
	if err != nil {
		return bench.Config{}, nil, usageError{err}
	}
	var cfg bench.Config
	switch {
	case f.config != "":
		data, err := os.ReadFile(f.config)
		if err != nil {
			return cfg, nil, usageError{err}
		}
		if cfg, err = decodeBenchConfig(data); err != nil {
			return cfg, nil, usageError{fmt.Errorf("%s: %w", f.config, err)}
		}
	default:
		cfg = profileBenchConfig(p)
	}
	if len(cfg.Scenarios) == 0 {
		ts := cfg.Thresholds // a section of thresholds alone gates the built-in comparison
		cfg = benchtarget.CompareConfig()
		cfg.Thresholds = ts
		f.defaulted = !flagsSet(fs)["scenarios"]
	}
	if err := f.apply(fs, &cfg); err != nil {
		return cfg, nil, usageError{err}
	}
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return cfg, nil, usageError{err}
	}
	return cfg, p, nil
}

// profileBenchConfig is p's bench section (zero when it has none),
// already decoded strictly by profiles.Parse. A copy: the caller's flags
// must not change the profile's scenarios.
func profileBenchConfig(p *profiles.Profile) bench.Config {
	if p.Bench == nil {
		return bench.Config{}
	}
	cfg := *p.Bench
	cfg.Scenarios = append([]bench.ScenarioSpec(nil), cfg.Scenarios...)
	return cfg
}

// decodeBenchConfig decodes JSON or YAML strictly (unknown keys are errors).
func decodeBenchConfig(data []byte) (bench.Config, error) {
	var cfg bench.Config
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		return cfg, dec.Decode(&cfg)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return cfg, err
	}
	return cfg, nil
}

// flagsSet returns the names of the flags given on the command line, to
// tell "not given" (the default applies) from "given as 0".
func flagsSet(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	return set
}

// apply overrides cfg with the flags that were given. A value given
// explicitly is never replaced by a default: zero or negative values that
// would be (a zero rate, duration, timeout, worker count…) and flags that
// contradict each other are errors.
func (f *benchFlags) apply(fs *flag.FlagSet, cfg *bench.Config) error {
	set := flagsSet(fs)
	errs := f.checkValues(set)
	errs = append(errs, f.applyShape(set, cfg)...)
	f.applyLimits(set, cfg)
	errs = append(errs, f.applyPopulation(set, cfg)...)
	errs = append(errs, f.applyScenarios(set, cfg)...)
	cfg.Thresholds = append(cfg.Thresholds, f.thresholds...)
	return errors.Join(errs...)
}

// checkValues refuses out-of-range values of the numeric flags given.
func (f *benchFlags) checkValues(set map[string]bool) []error {
	var errs []error
	for _, c := range []struct {
		name string
		v    any
		ok   bool
		want string
	}{
		{"duration", f.duration, f.duration > 0, "a positive duration (omit it for the profile's or config's duration)"},
		{"warmup", f.warmup, f.warmup >= 0, "a duration of 0 or more"},
		{"timeout", f.timeout, f.timeout > 0, "a positive duration (omit it for the default 30s)"},
		{"max-requests", f.maxRequests, f.maxRequests > 0, "at least 1 (omit it for no cap)"},
		{"workers", f.workers, f.workers > 0, "at least 1 (omit it for the default 10)"},
		{"max-workers", f.maxWorkers, f.maxWorkers > 0, "at least 1 (omit it for no cap)"},
		{"connections", f.connections, f.connections > 0, "at least 1 (omit it for the default 64)"},
		{"sessions", f.sessions, f.sessions > 0, "at least 1 (omit it for the default 1000)"},
		{"zipf-s", f.zipfS, f.zipfS > 1, "an exponent above 1"},
		{"seed", f.seed, f.seed > 0, "at least 1 (0 would silently mean 1)"},
		{"upstream-latency", f.upstreamLatency, f.upstreamLatency >= 0, "a duration of 0 or more"},
		{"upstream-jitter", f.upstreamJitter, f.upstreamJitter >= 0, "a duration of 0 or more"},
	} {
		if set[c.name] && !c.ok {
			errs = append(errs, badFlag(c.name, c.v, c.want))
		}
	}
	if set["schedule"] && (set["rate"] || set["duration"]) {
		errs = append(errs, errors.New("--schedule replaces --rate and --duration: give one or the other"))
	}
	return errs
}

func badFlag(name string, v any, want string) error {
	return fmt.Errorf("--%s %v: want %s", name, v, want)
}

// applyShape sets the run's load shape: a constant rate for a duration,
// or a schedule, and the warm-up.
func (f *benchFlags) applyShape(set map[string]bool, cfg *bench.Config) []error {
	var errs []error
	if set["rate"] {
		r, err := bench.ParseRate(f.rate)
		if err != nil {
			errs = append(errs, fmt.Errorf("--rate: %w", err))
		} else if r <= 0 {
			errs = append(errs, badFlag("rate", f.rate, "a positive rate such as 500/s (omit it for the profile's or config's rate)"))
		}
		cfg.Rate, cfg.Schedule = r, nil
	}
	if set["duration"] {
		cfg.Duration, cfg.Schedule = bench.Duration(f.duration), nil
	}
	if set["schedule"] {
		s, err := bench.ParseSchedule(f.schedule)
		if err != nil {
			errs = append(errs, fmt.Errorf("--schedule: %w", err))
		}
		cfg.Schedule = s
	}
	if set["warmup"] {
		cfg.Warmup = bench.Duration(f.warmup)
	}
	return errs
}

// applyLimits sets the caps, workers, timeout, seed and allowed hosts.
// Their values were checked by checkValues.
func (f *benchFlags) applyLimits(set map[string]bool, cfg *bench.Config) {
	if set["max-requests"] {
		cfg.MaxRequests = f.maxRequests
	}
	if set["workers"] {
		cfg.Workers = f.workers
	}
	if set["max-workers"] {
		cfg.MaxWorkers = f.maxWorkers
	}
	if set["connections"] {
		cfg.Connections = f.connections
	}
	if set["timeout"] {
		cfg.Timeout = bench.Duration(f.timeout)
	}
	if set["seed"] {
		cfg.Seed = f.seed
	}
	if set["allow-host"] {
		cfg.AllowedHosts = splitList(f.allowHosts)
	}
	if set["precise-pacing"] {
		cfg.PrecisePacing = f.precisePacing
	}
}

// applyPopulation sets the session population: its size, popularity and
// the shares of expired, tampered and cookieless requests.
func (f *benchFlags) applyPopulation(set map[string]bool, cfg *bench.Config) []error {
	var errs []error
	if set["sessions"] {
		cfg.Population.Sessions = f.sessions
	}
	if set["popularity"] {
		cfg.Population.Popularity = bench.Popularity(f.popularity)
	}
	if set["zipf-s"] {
		cfg.Population.ZipfS = f.zipfS
	}
	for _, sh := range []struct {
		name, v string
		dst     *bench.Share
	}{{"expired", f.expired, &cfg.Population.Expired}, {"tampered", f.tampered, &cfg.Population.Tampered}, {"no-cookie", f.noCookie, &cfg.Population.NoCookie}} {
		if !set[sh.name] {
			continue
		}
		s, err := bench.ParseShare(sh.v)
		if err != nil {
			errs = append(errs, fmt.Errorf("--%s: %w", sh.name, err))
		}
		*sh.dst = s
	}
	return errs
}

// applyScenarios keeps the scenarios --scenarios names, in its order, and
// sets --via on all but the upstream baseline.
func (f *benchFlags) applyScenarios(set map[string]bool, cfg *bench.Config) []error {
	var errs []error
	if set["scenarios"] {
		var kept []bench.ScenarioSpec
		for _, name := range splitList(f.scenarios) {
			found := false
			for _, s := range cfg.Scenarios {
				if s.Name == name {
					kept, found = append(kept, s), true
				}
			}
			if !found {
				errs = append(errs, fmt.Errorf("--scenarios: no scenario %q", name))
			}
		}
		cfg.Scenarios = kept
		if cfg.Baseline != "" && !containsScenario(kept, cfg.Baseline) {
			cfg.Baseline = ""
		}
		// The profile's thresholds on scenarios not run do not apply.
		cfg.Thresholds = slices.DeleteFunc(slices.Clone(cfg.Thresholds), func(t bench.Threshold) bool {
			return t.Scenario != bench.AllScenarios && !containsScenario(kept, t.Scenario)
		})
	}
	if set["via"] {
		v := bench.Via(f.via)
		if v != bench.ViaInProc && v != bench.ViaHTTP {
			errs = append(errs, fmt.Errorf("--via %q: want inproc or http", f.via))
		}
		for i := range cfg.Scenarios {
			if cfg.Scenarios[i].Mode != "upstream" {
				cfg.Scenarios[i].Via = v
			}
		}
	}
	return errs
}

func containsScenario(ss []bench.ScenarioSpec, name string) bool {
	for _, s := range ss {
		if s.Name == name {
			return true
		}
	}
	return false
}

func splitList(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// setup starts what cfg's scenarios need on profile p (newBenchSetup); a
// URL outside the allowed hosts is a usage error. asked names scenarios
// the user chose by other means than --scenarios (capacity's --gate).
// Its warnings go to stderr whatever --quiet says.
func (f *benchFlags) setup(ctx context.Context, env *cliEnv, cfg bench.Config, p *profiles.Profile, asked ...string) (*benchtarget.Setup, error) {
	o := benchtarget.Options{
		Profile: p, Getenv: env.getenv, UpstreamURL: f.url,
		UpstreamLatency: f.upstreamLatency, UpstreamJitter: f.upstreamJitter, DBSeed: f.dbSeed,
		SkipUnasked: f.defaulted, Asked: map[string]bool{},
	}
	if env.executable != "" && !f.upstreamInProc {
		o.UpstreamProcess = benchtarget.UpstreamProcess{Path: env.executable, Args: []string{benchtarget.ChildCommand}}
	}
	for _, a := range asked {
		o.Asked[a] = true
	}
	closeBA, err := f.betterAuthDeployment(ctx, env, p, &cfg, &o)
	if err != nil {
		return nil, err
	}
	setup, err := benchtarget.NewSetup(ctx, cfg, o)
	if setup != nil {
		setup.AddCloser(closeBA)
	} else {
		_ = closeBA()
	}
	if errors.Is(err, bench.ErrHostNotAllowed) {
		// The command already says bench: drop the sentinel's own
		// "bench: " so the line names the refusal once.
		msg := strings.Replace(err.Error(), bench.ErrHostNotAllowed.Error(), "host not allowed", 1)
		return nil, usageError{errors.New(msg)}
	}
	err = storeOpenError(err) // a bad DSN in the profile is a usage error
	if err == nil {
		for _, w := range setup.Warnings {
			fmt.Fprintln(env.stderr, "warning:", w)
		}
	}
	return setup, err
}

// runBench runs a load comparison and writes its reports.
func runBench(ctx context.Context, env *cliEnv, args []string) error {
	fs, f := newBenchFlagSet(env, "bench", "bench [--profile P] [--rate R --duration D | --schedule S] [--json FILE] [--html FILE] [--hdr DIR] [--results FILE]", true)
	jsonOut := fs.String("json", "", "write the full report as JSON to `FILE`")
	htmlOut := fs.String("html", "", "write a self-contained HTML report with the percentile chart to `FILE`")
	hdrDir := fs.String("hdr", "", "write NAME.hgrm percentile files and run.hlog (interval log) into `DIR`")
	hlogOut := fs.String("hlog", "", "write the HdrHistogram interval log to `FILE`")
	resultsOut := fs.String("results", "", "write vegeta-format results (gob; no bodies, no headers) to `FILE`")
	interval := fs.Duration("interval", 0, "length of each .hlog interval (default 1s)")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	usage := fs.Usage
	fs.Usage = func() { usage(); fmt.Fprint(env.stderr, benchExitDoc) }
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if set := flagsSet(fs); set["interval"] && *interval <= 0 {
		return usagef("--interval %s: want a positive duration (omit it for 1s)", *interval)
	}
	cfg, p, err := f.load(env, fs)
	if err != nil {
		return err
	}
	if *interval > 0 {
		cfg.Interval = bench.Duration(*interval)
	}
	if *hdrDir != "" && *hlogOut == "" {
		*hlogOut = filepath.Join(*hdrDir, "run.hlog")
	}
	// Outputs first: a path that cannot be written fails now, not after
	// the run.
	outs, err := openOutputs(outputPaths{json: *jsonOut, html: *htmlOut, hdrDir: *hdrDir, hlog: *hlogOut, results: *resultsOut})
	if err != nil {
		return err
	}
	defer outs.abort()
	// A scenario a threshold names is asked for: never skipped silently.
	setup, err := f.setup(ctx, env, cfg, p, thresholdScenarios(cfg.Thresholds)...)
	if err != nil {
		return err
	}
	defer setup.Close()
	if err := bench.CheckThresholds(cfg.Thresholds, scenarioNamesOf(setup.Config.Scenarios)); err != nil {
		return usageError{err}
	}

	// Only each scenario's end and the final report are read below.
	opts := []bench.Option{bench.WithoutLiveSnapshots()}
	if outs.hlog != nil {
		opts = append(opts, bench.WithHlog(outs.hlog))
	}
	if outs.results != nil {
		opts = append(opts, bench.WithResults(outs.results))
	}
	for _, n := range setup.Notes {
		if !*quiet {
			fmt.Fprintln(env.stderr, "note:", n)
		}
	}
	ch, err := bench.Run(ctx, setup.Config, setup.Targets, opts...)
	if err != nil {
		return err
	}
	var last bench.Snapshot
	done := map[int]bool{}
	for s := range ch {
		last = s
		if *quiet {
			continue
		}
		for i, sc := range s.Scenarios {
			if sc.State == bench.StateDone && !done[i] {
				done[i] = true
				r := sc.Report
				fmt.Fprintf(env.stderr, "%s: %d requests, %.0f/s ok, p50 %s, p99 %s\n", r.Name, r.Requests, r.RateAchieved,
					bench.FormatNs(r.LatencyNs.P50), bench.FormatNs(r.LatencyNs.P99))
			}
		}
	}
	rep := last.Report
	if rep == nil {
		return errors.Join(errors.New("bench: run produced no report"), last.Err)
	}
	rep.Generators = []bench.Generator{bench.NewGenerator(setup.Config)}
	return finishBench(env, rep, cfg.Thresholds, outs, last.Err)
}

// finishBench prints the table and the thresholds' lines, writes the
// reports, and returns what makes the run exit 1: a lost output, an
// interruption, a run where nothing succeeded, a threshold not met.
func finishBench(env *cliEnv, rep *bench.Report, ts []bench.Threshold, outs *outputs, runErr error) error {
	errs := []error{runErr}
	if err := bench.WriteTable(env.stdout, rep); err != nil {
		errs = append(errs, err)
	}
	thresholdsErr := judgeThresholds(env, rep, ts)
	errs = append(errs, outs.writeReports(rep, env))
	if rep.Canceled {
		errs = append(errs, errors.New("interrupted: partial results written"))
	} else if failedAll(rep) {
		errs = append(errs, errNoSuccess)
	}
	return errors.Join(append(errs, thresholdsErr)...)
}

// errNoSuccess: no scenario measured a successful answer, so the run
// measured nothing but failures (a wrong --url, a down upstream, a secret
// the server does not share) or nothing at all. Exit 1.
var errNoSuccess = errors.New("no request of any scenario succeeded: the figures are those of failures, or there are none (see the reasons and warnings; check --url, the upstream and the secret)")

// failedAll reports whether no scenario measured a successful request: a
// scenario that measured no request at all (a schedule too short or too
// slow to send one after the warm-up) counts as failed, like one whose
// every request failed. A run where only some scenarios failed exits 0,
// with a warning per failed scenario in the table.
func failedAll(rep *bench.Report) bool {
	for i := range rep.Scenarios {
		if s := &rep.Scenarios[i]; s.Requests > 0 && !s.NoneSucceeded() {
			return false
		}
	}
	return true
}

// benchExitDoc ends bench --help.
const benchExitDoc = `
JWT scenarios mint their cookies with the profile's secret (AUTH_SECRET, or
the variable its secret_env names). Without it, the built-in comparison's
JWT scenarios are skipped with a warning (a database profile measures its
database scenarios); JWT scenarios chosen with --scenarios, --config or the
profile's bench section are an error naming the variable.
Database scenarios (local-db, local-db-cache) open the store read-only and
resolve without writing: no expired session is pruned and none is extended,
so every scenario meets the same session population (the write path is not
measured).
--max-requests counts the warm-up's requests too: a cap the warm-up alone
reaches is a usage error naming both numbers.
Exit status: 0 when the run completed (a scenario whose every request failed,
or that measured none, gets a WARNING line under the table);
1 when no request of any scenario succeeded (a scenario that measured no
request counts as failed), a threshold was not met (or could not be
judged), an output could not be written, or the run was interrupted
(partial results are still written); 2 for usage errors, including zero,
negative or contradictory flag values and thresholds naming an unknown
scenario or metric. Output paths are checked before the run starts.
` + thresholdDoc
