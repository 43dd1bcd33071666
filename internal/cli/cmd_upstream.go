package cli

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/authscope/authscope/internal/server"
	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/engine"
)

// `authscope upstream` is a stand-in for a remote Auth.js deployment: the
// same Handler as serve, over a local resolver for the same secret (jwt) or
// store (database), so it answers GET {basePath}/session exactly as
// Auth.js does (the interop vectors replayed against resolver.Handler prove
// it), with faults injected in front to model a real network hop:
//
//   - latency: every answer waits --latency ± --jitter (uniform), or an
//     exponential tail with --dist exp (mean --latency, shifted by
//     --jitter as the floor);
//   - --error-rate: that fraction of requests gets 500 with Auth.js's
//     configuration-error body, as a broken deployment answers;
//   - --timeout-rate: that fraction never answers (until the client gives
//     up, or --hang), to exercise proxy deadlines.
//
// The fault draws come from a seeded generator (--seed) so runs repeat.

type upstreamFlags struct {
	latency     time.Duration
	jitter      time.Duration
	dist        string
	errorRate   float64
	timeoutRate float64
	hang        time.Duration
	seed        uint64
}

func (u *upstreamFlags) register(fs *flag.FlagSet) {
	fs.DurationVar(&u.latency, "latency", 0, "added delay per request, a `duration` such as 2ms")
	fs.DurationVar(&u.jitter, "jitter", 0, "uniform jitter of ± this `duration` around --latency (with --dist exp: the minimum delay)")
	fs.StringVar(&u.dist, "dist", "uniform", "latency `distribution`: uniform (latency±jitter) or exp (jitter + exponential with mean latency)")
	fs.Float64Var(&u.errorRate, "error-rate", 0, "`fraction` of requests answered 500")
	fs.Float64Var(&u.timeoutRate, "timeout-rate", 0, "`fraction` of requests never answered (until the client leaves or --hang)")
	fs.DurationVar(&u.hang, "hang", 30*time.Second, "hold a timed-out request at most this `duration`")
	fs.Uint64Var(&u.seed, "seed", 1, "fault generator `seed`")
}

func (u *upstreamFlags) validate() error {
	switch {
	case u.latency < 0 || u.jitter < 0 || u.hang < 0:
		return usagef("--latency, --jitter and --hang must not be negative")
	case u.dist != "uniform" && u.dist != "exp":
		return usagef("--dist %q: want uniform or exp", u.dist)
	case u.errorRate < 0 || u.errorRate > 1 || u.timeoutRate < 0 || u.timeoutRate > 1 || u.errorRate+u.timeoutRate > 1:
		return usagef("--error-rate and --timeout-rate are fractions in [0, 1] summing to at most 1")
	}
	return nil
}

// faults is the fault-injecting middleware. Safe for concurrent use.
type faults struct {
	next http.Handler
	cfg  upstreamFlags
	mu   sync.Mutex
	rng  *rand.Rand
}

func newFaults(next http.Handler, cfg upstreamFlags) *faults {
	return &faults{next: next, cfg: cfg, rng: rand.New(rand.NewPCG(cfg.seed, cfg.seed^0x9e3779b97f4a7c15))}
}

// draw returns the delay and the fate of one request.
func (f *faults) draw() (delay time.Duration, fail, hang bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.cfg
	switch c.dist {
	case "exp":
		delay = c.jitter + time.Duration(f.rng.ExpFloat64()*float64(c.latency))
	default:
		delay = c.latency
		if c.jitter > 0 {
			delay += time.Duration((f.rng.Float64()*2 - 1) * float64(c.jitter))
		}
	}
	p := f.rng.Float64()
	return max(delay, 0), p < c.errorRate, p >= c.errorRate && p < c.errorRate+c.timeoutRate
}

func (f *faults) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	delay, fail, hang := f.draw()
	if hang {
		t := time.NewTimer(f.cfg.hang)
		defer t.Stop()
		select {
		case <-r.Context().Done():
		case <-t.C:
		}
		return
	}
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-r.Context().Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
	if fail {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"message":"There was a problem with the server configuration. Check the server logs for more information."}`)
		return
	}
	f.next.ServeHTTP(w, r)
}

func runUpstream(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "upstream", "upstream [--listen ADDR] [--strategy jwt|database] [--latency 2ms --jitter 1ms] [--error-rate F] [flags]")
	var f resolveFlags
	f.registerLocal(fs)
	var u upstreamFlags
	u.register(fs)
	fs.Lookup("url").Usage = "the deployment's base `URL` (default $AUTH_URL): its https selects __Secure- cookies"
	listen := fs.String("listen", "127.0.0.1:3000", "`address` to listen on")
	allowRemote := fs.Bool("allow-remote", false, "allow a non-loopback --listen address")
	logLevel := fs.String("log-level", "info", "log `level`: debug, info, warn, error")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	proc, err := buildUpstream(ctx, env, &f, &u, *listen, *allowRemote, *logLevel)
	if err != nil {
		return err
	}
	return proc.run(ctx)
}

func buildUpstream(ctx context.Context, env *cliEnv, f *resolveFlags, u *upstreamFlags, listen string, allowRemote bool, logLevel string) (_ *process, err error) {
	if err := u.validate(); err != nil {
		return nil, err
	}
	if n, err := f.engineName(env); err != nil || n != engine.AuthJS {
		if err != nil {
			return nil, err
		}
		return nil, usagef("upstream stands in for Auth.js; for a Better Auth get-session use serve --engine better-auth")
	}
	logger, err := newServeLogger(env, logLevel)
	if err != nil {
		return nil, err
	}
	if err := checkListen(listen, allowRemote); err != nil {
		return nil, err
	}
	cfg, p, err := f.config(env, func(cfg *resolver.Config) error {
		cfg.Mode = resolver.ModeLocal
		cfg.RefreshCookies = true // Auth.js always rolls the cookie
		cfg.Cache.Enabled = false // Auth.js has no cache
		return nil
	})
	if err != nil {
		return nil, err
	}
	clock := f.clock()
	// proc is a local, not the named result: `return nil, err` would set
	// the result to nil before the deferred cleanup runs.
	proc := &process{logger: logger}
	defer func() {
		if err != nil {
			proc.close()
		}
	}()
	opts := []resolver.Option{resolver.WithClock(clock), resolver.WithLogger(logger)}
	if cfg.Strategy == resolver.StrategyDatabase {
		st, err := openStore(ctx, env, f, cfg, p)
		if err != nil {
			return nil, storeOpenError(err)
		}
		proc.closers = append(proc.closers, st.Close)
		opts = append(opts, resolver.WithStore(st))
	}
	r, err := resolver.New(cfg, opts...)
	if err != nil {
		return nil, usageError{err}
	}
	// Express trusts X-Forwarded-Proto in server.mjs; so does the stand-in.
	proc.handler, err = server.New(server.Config{Resolver: cfg, Mode: "upstream", TrustForwarded: true}, r, server.Options{
		Logger: logger, Clock: clock,
		WrapSession: func(h http.Handler) http.Handler { return newFaults(h, *u) },
	})
	if err != nil {
		return nil, err
	}
	if err := proc.listen(listen); err != nil {
		return nil, err
	}
	logger.Info("listening", slog.String("addr", proc.ln.Addr().String()), slog.String("strategy", string(cfg.Strategy)),
		slog.String("base_path", cfg.BasePath), slog.String("latency", u.latency.String()), slog.String("jitter", u.jitter.String()),
		slog.String("dist", u.dist), slog.Float64("error_rate", u.errorRate), slog.Float64("timeout_rate", u.timeoutRate))
	return proc, nil
}
