package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Targets is the code behind a Config's scenarios.
type Targets struct {
	// InProc holds the Target of each "inproc" scenario, by name. "http"
	// scenarios need none: they go to their URL.
	InProc map[string]Target
	// Population supplies the cookies; nil sends none.
	Population Population
	// Populations overrides Population for some scenarios, by name: a
	// database scenario needs session tokens where a JWT one needs minted
	// cookies. Every scenario still makes the same sequence of picks (kind
	// and session index), so the traffic's shape is the same.
	Populations map[string]Population
	// Processes are other processes on this host that serve the targets
	// (a built-in upstream run as a child): the capacity search counts
	// their CPU and run-queue waits as the run's own, where it would
	// otherwise take them for a neighbour's and call the failures they
	// cause the host's.
	Processes []int
}

// population returns the population of scenario name.
func (t Targets) population(name string) Population {
	if p, ok := t.Populations[name]; ok {
		return p
	}
	return t.Population
}

// Option adds an output to a run.
type Option func(*runOptions)

type runOptions struct {
	hlog    io.Writer
	results io.Writer
	// finalQueued, when set, is called once the final snapshot is in the
	// channel, just before it closes: a test seam that tells a reader the
	// run is over without sleeping past its schedule.
	finalQueued func()
	// conns, when set, replaces the connection budget the descriptor
	// limit gives (see fileBudget): a test seam.
	conns int
	// noLive leaves the live snapshots out (WithoutLiveSnapshots).
	noLive bool
}

// WithHlog streams the interval histograms to w as an HdrHistogram log
// (.hlog), tagged by scenario (NAME and NAME.uncorrected), as the run goes.
func WithHlog(w io.Writer) Option { return func(o *runOptions) { o.hlog = w } }

// WithResults streams every measured request to w in vegeta's results
// format (gob, readable by `vegeta report`), with bodies and headers
// removed so no cookie or session is ever stored.
func WithResults(w io.Writer) Option { return func(o *runOptions) { o.results = w } }

// WithoutLiveSnapshots sends only the snapshots of a scenario's end and
// the final one: for a reader that shows no progress (Execute, the
// bench command), which would otherwise pay four histogram copies and
// percentile walks a second for nothing. Intervals, the .hlog and the
// report are unchanged.
func WithoutLiveSnapshots() Option { return func(o *runOptions) { o.noLive = true } }

// Run starts a run of every scenario of cfg in turn and returns the channel
// its snapshots arrive on. The channel holds at most one snapshot: a slow
// reader sees the latest, never a backlog, and the final snapshot (Final,
// with the Report) is always delivered, after which the channel closes.
// The caller must read until it closes. Cancelling ctx stops the run
// cleanly: in-flight requests are abandoned, scenarios not yet started are
// skipped, and the final snapshot reports what completed (Canceled).
//
// Run returns an error, and starts nothing, when cfg is invalid or a
// scenario has no target.
func Run(ctx context.Context, cfg Config, targets Targets, opts ...Option) (<-chan Snapshot, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var errs []error
	for _, s := range cfg.Scenarios {
		switch {
		case s.Via == ViaInProc && targets.InProc[s.Name] == nil:
			errs = append(errs, fmt.Errorf("scenario %q: no in-process target", s.Name))
		case s.Via == ViaHTTP && s.URL == "":
			errs = append(errs, fmt.Errorf("scenario %q: no URL", s.Name))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	var o runOptions
	for _, opt := range opts {
		opt(&o)
	}
	r := &runner{cfg: cfg, targets: targets, opts: o, ch: make(chan Snapshot, 1), started: time.Now(), conns: o.conns}
	if r.conns == 0 {
		r.conns = fileBudget()
		if cfg.Connections > 0 && (r.conns == 0 || cfg.Connections < r.conns) {
			r.conns = cfg.Connections
		}
	}
	r.states = make([]ScenarioSnapshot, len(cfg.Scenarios))
	plan := cfg.Plan()
	for i, s := range cfg.Scenarios {
		r.states[i] = ScenarioSnapshot{Planned: plan.Total(), Report: ScenarioReport{
			Name: s.Name, Mode: s.Mode, Strategy: s.Strategy, Cache: s.Cache, Via: s.Via, URL: s.URL, Reasons: map[string]int64{},
		}}
	}
	go r.run(ctx)
	return r.ch, nil
}

// Execute runs cfg to the end (or until ctx is cancelled) and returns the
// final report: the blocking form of Run for commands and tests.
func Execute(ctx context.Context, cfg Config, targets Targets, opts ...Option) (*Report, error) {
	ch, err := Run(ctx, cfg, targets, append(opts, WithoutLiveSnapshots())...)
	if err != nil {
		return nil, err
	}
	var last Snapshot
	for s := range ch {
		last = s
	}
	return last.Report, last.Err
}

// runner is one run's state, owned by its goroutine.
type runner struct {
	cfg     Config
	targets Targets
	opts    runOptions
	ch      chan Snapshot
	started time.Time
	// conns bounds the connections (and workers) of HTTP scenarios:
	// Config.Connections, within what the descriptor limit leaves (0: no
	// bound known).
	conns   int
	states  []ScenarioSnapshot
	current int

	hlog    *hdr.HistogramLogWriter
	results vegeta.Encoder
	errs    []error
}

func (r *runner) run(ctx context.Context) {
	defer close(r.ch)
	defer raiseGC()() // see runGCPercent
	r.startOutputs()
	canceled := false
	for i := range r.cfg.Scenarios {
		if ctx.Err() != nil {
			canceled = true
			break
		}
		r.current = i
		if r.scenario(ctx, i) {
			canceled = true
			break
		}
	}
	r.current = -1
	rep := &Report{
		Version:    ReportVersion,
		Started:    r.started,
		Sources:    1,
		Canceled:   canceled,
		Schedule:   r.cfg.Plan()[boolIndex(r.cfg.Warmup > 0):].String(),
		Warmup:     r.cfg.Warmup,
		Population: r.cfg.Population,
		Baseline:   r.cfg.Baseline,
		Latency:    latencyNote,
	}
	for _, st := range r.states {
		rep.Scenarios = append(rep.Scenarios, st.Report)
	}
	final := r.snapshot()
	final.Final, final.Canceled, final.Report, final.Err = true, canceled, rep, errors.Join(r.errs...)
	// The final snapshot always arrives: drop a stale one, then block.
	select {
	case <-r.ch:
	default:
	}
	r.ch <- final
	if r.opts.finalQueued != nil {
		r.opts.finalQueued()
	}
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (r *runner) startOutputs() {
	if r.opts.hlog != nil {
		base := r.started.UnixMilli() / 1000 * 1000 // the log's header has whole seconds
		w := hdr.NewHistogramLogWriter(r.opts.hlog)
		w.SetBaseTime(base)
		err := errors.Join(w.OutputLogFormatVersion(), w.OutputStartTime(base), w.OutputBaseTime(base),
			w.OutputComment("[authscope bench: latency in ns, max column in ms; tags NAME (corrected) and NAME.uncorrected]"),
			w.OutputLegend())
		if err != nil {
			r.fail(fmt.Errorf("bench: write hlog: %w", err))
		} else {
			r.hlog = w
		}
	}
	if r.opts.results != nil {
		r.results = vegeta.NewEncoder(r.opts.results)
	}
}

func (r *runner) fail(err error) { r.errs = append(r.errs, err) }

// scenario runs scenario i with a fresh Attacker (vegeta's Stop is final,
// so an Attacker cannot be reused) and reports whether ctx cancelled it.
// The loop has the shape of vegeta's own processAttack: on ctx.Done stop
// the attacker and keep draining until the results channel closes.
func (r *runner) scenario(ctx context.Context, i int) (canceled bool) {
	spec := r.cfg.Scenarios[i]
	plan := r.cfg.Plan()
	p := newPacer(plan, r.cfg.MaxRequests)
	p.precise, p.done = true, ctx.Done()
	if r.cfg.PrecisePacing {
		p.quantum = 0
	}
	pick := newPicker(r.cfg.Population, r.targets.population(spec.Name), r.cfg.Seed)
	rec := newRecorder(spec)
	st := &r.states[i]
	st.State = StateWarmup

	url, client, closeIdle := r.client(ctx, spec)
	defer closeIdle()
	atk := r.attacker(spec, client)
	targeter := cookieTargeter(url, pick)

	warm := time.Duration(r.cfg.Warmup)
	results := atk.Attack(targeter, p, 0, spec.Name)
	snapT := time.NewTicker(snapshotEvery)
	defer snapT.Stop()
	ivT := time.NewTicker(time.Duration(r.cfg.Interval))
	defer ivT.Stop()
	// A snapshot copies and walks whole histograms (tens of milliseconds
	// under -race) where recording a result takes under a microsecond, and
	// select picks among ready cases at random. On a starved CPU every tick
	// is ready again by the time a snapshot ends, so the loop takes about
	// one snapshot per result while finished requests queue behind the
	// workers (hundreds once it has fallen behind). A cancelled run must
	// not pay that: the cancel is taken before any other case, and from
	// then on snapC and ivC are nil so the loop only drains results. The
	// final snapshot and interval after the loop cover what it drained.
	snapC, ivC := snapT.C, ivT.C
	if r.opts.noLive {
		snapC = nil
	}
	var nextSnap time.Time // no live snapshot before this (see snapC)
	done := ctx.Done()
	var stoppedAt time.Time
	stop := func() {
		atk.Stop()
		canceled, stoppedAt, done = true, time.Now(), nil
		snapC, ivC = nil, nil
	}
	began := func() (time.Time, bool) {
		if b := p.began.Load(); b != nil {
			return *b, true
		}
		return time.Time{}, false
	}
loop:
	for {
		if done != nil && ctx.Err() != nil {
			stop()
		}
		select {
		case <-done:
			stop()
			continue
		case res, ok := <-results:
			if !ok {
				break loop
			}
			b, _ := began() // known: Pace runs before the first tick
			if rec.windowStart.IsZero() {
				rec.windowStart = b.Add(warm)
				rec.ivStart = rec.windowStart
			}
			// ctx, not just canceled: a request cut by the cancel can have
			// its result ready before this loop has taken the done case
			// (select picks among ready cases at random), and the cut
			// request must not count as an error either way.
			r.record(rec, p, res, canceled || ctx.Err() != nil)
		case now := <-ivC:
			if !rec.windowStart.IsZero() && now.After(rec.windowStart) {
				r.logInterval(rec, now)
			}
		case now := <-snapC:
			if now.Before(nextSnap) {
				continue // the last snapshot was costly: results come first
			}
			if b, ok := began(); ok {
				r.live(p, plan, rec, st, b, now, stoppedAt)
			}
			r.publish(r.snapshot())
			// Live snapshots take at most a fifth of this loop's time, however
			// starved the CPU: otherwise, with select choosing at random
			// among ready cases, a tick due again by the time a snapshot
			// ends takes one snapshot per result and the results queue up.
			nextSnap = time.Now().Add(snapshotBudget * time.Since(now))
		}
	}
	if b, ok := began(); ok {
		r.final(p, plan, rec, st, b, stoppedAt)
	}
	st.State = StateDone
	r.publish(r.snapshot())
	return canceled
}

// record adds one result to rec (and to the results file once the window
// is open); cut says the run's cancellation may have ended it.
func (r *runner) record(rec *recorder, p *pacer, res *vegeta.Result, cut bool) {
	intended, _ := p.intended(res.Seq)
	s := fromResult(res, intended)
	if cut && s.out.reason == "transport_error" {
		// A body read on a connection the cancel closed (see runConns):
		// the run's doing, not the server's.
		s.out.reason = "canceled"
	}
	rec.add(s, cut)
	if r.results != nil && !s.intended.Before(rec.windowStart) {
		r.writeResult(res)
	}
}

// workers returns the initial and most workers of scenario spec: the
// Config's, bounded so a run cannot exhaust the process (see fdlimit.go).
// An HTTP worker holds at most one connection, so HTTP scenarios get no
// more workers than connections; in-process ones at most maxInprocWorkers.
func (r *runner) workers(spec ScenarioSpec) (initial, most uint64) {
	most = uint64(maxInprocWorkers)
	if spec.Via == ViaHTTP && r.conns > 0 {
		most = uint64(r.conns)
	}
	if r.cfg.MaxWorkers > 0 {
		most = min(most, r.cfg.MaxWorkers)
	}
	return min(r.cfg.Workers, most), most
}

// window computes the measurement window at now: it ends where dispatch
// ended (the schedule's end, the request cap, or cancellation).
func (r *runner) window(p *pacer, plan Schedule, rec *recorder, began, now, stoppedAt time.Time) window {
	end := began.Add(plan.Total())
	if s := p.stopped.Load(); s != nil && s.Before(end) {
		end = *s
	}
	if !stoppedAt.IsZero() && stoppedAt.Before(end) {
		end = stoppedAt
	}
	if now.Before(end) {
		end = now
	}
	length := end.Sub(rec.windowStart)
	if length <= 0 {
		return window{}
	}
	warm := time.Duration(r.cfg.Warmup)
	target := plan.hits(end.Sub(began)) - plan.hits(warm)
	if m := r.cfg.MaxRequests; m > 0 {
		target = min(target, max(0, float64(m)-plan.hits(warm)))
	}
	return window{length: length, target: target}
}

// logInterval closes rec's interval and writes it to the .hlog.
func (r *runner) logInterval(rec *recorder, now time.Time) {
	iv, ivU := rec.flush(now)
	if r.hlog != nil && iv.TotalCount()+ivU.TotalCount() > 0 {
		if err := errors.Join(r.hlog.OutputIntervalHistogram(iv), r.hlog.OutputIntervalHistogram(ivU)); err != nil {
			r.fail(fmt.Errorf("bench: write hlog: %w", err))
			r.hlog = nil
		}
	}
	rec.resetInterval()
}

// writeResult writes res scrubbed: no body, no headers (Set-Cookie, our
// outcome headers), so the file holds timings and codes only.
func (r *runner) writeResult(res *vegeta.Result) {
	c := *res
	c.Body, c.Headers = nil, nil
	if err := r.results(&c); err != nil {
		r.fail(fmt.Errorf("bench: write results: %w", err))
		r.results = nil
	}
}

// snapshot copies the run's state; the histograms in it are already
// private copies (rec.current and finished reports are never touched again).
func (r *runner) snapshot() Snapshot {
	s := Snapshot{Elapsed: time.Since(r.started), Current: r.current, Scenarios: make([]ScenarioSnapshot, len(r.states))}
	for i, st := range r.states {
		st.Report.Reasons = cloneReasons(st.Report.Reasons)
		s.Scenarios[i] = st
	}
	return s
}

func cloneReasons(m map[string]int64) map[string]int64 {
	c := make(map[string]int64, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// publish offers s without ever blocking the run: a stale snapshot still
// in the channel is replaced.
func (r *runner) publish(s Snapshot) {
	select {
	case r.ch <- s:
		return
	default:
	}
	select {
	case <-r.ch:
	default:
	}
	select {
	case r.ch <- s:
	default:
	}
}

// client is the HTTP client a scenario's requests go through: in process
// for ViaInProc, else a bounded transport guarded to the allowed host.
// closeIdle releases the transport's idle connections when the run ends.
func (r *runner) client(ctx context.Context, spec ScenarioSpec) (url string, c *http.Client, closeIdle func()) {
	url, closeIdle = spec.URL, func() {}
	timeout := time.Duration(r.cfg.Timeout)
	var rt http.RoundTripper
	if spec.Via == ViaInProc {
		url = inprocURL
		rt = inprocTransport{target: r.targets.InProc[spec.Name], runCtx: ctx, timeout: timeout}
		timeout = 0 // the transport's (see inprocTransport)
	} else {
		// Hosts are checked at dial (see runConns); a request cut by the
		// cancel is counted as cancelled by record.
		rc := newRunConns(r.cfg.HostAllowed)
		tr := newHTTPTransport(rc)
		if r.conns > 0 {
			tr.MaxConnsPerHost = r.conns
		}
		stop := context.AfterFunc(ctx, rc.cutAll)
		closeIdle = func() { stop(); tr.CloseIdleConnections() }
		rt = tr
	}
	return url, &http.Client{
		Transport: rt,
		Timeout:   timeout,
		// Redirects are answers, never followed (Auth.js's redirect: manual).
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, closeIdle
}

// attacker is vegeta's attacker for one scenario, its workers bounded by
// what the file-descriptor limit leaves (see workers).
func (r *runner) attacker(spec ScenarioSpec, client *http.Client) *vegeta.Attacker {
	workers, maxWorkers := r.workers(spec)
	return vegeta.NewAttacker(
		vegeta.Client(client), // first: later options must not replace it
		vegeta.Workers(workers),
		vegeta.MaxWorkers(maxWorkers),
		vegeta.MaxBody(DefaultMaxBody),
	)
}

// cookieTargeter sends GET url with the next cookie of the population.
func cookieTargeter(url string, pick *picker) vegeta.Targeter {
	return func(t *vegeta.Target) error {
		t.Method, t.URL, t.Header = http.MethodGet, url, nil
		if c := pick.cookie(); c != "" {
			t.Header = http.Header{"Cookie": {c}}
		}
		return nil
	}
}

// final closes the measurement window once the results channel is drained:
// the last interval is logged (or, before the window opened, discarded) and
// the scenario's state gets its final report.
func (r *runner) final(p *pacer, plan Schedule, rec *recorder, st *ScenarioSnapshot, began, stoppedAt time.Time) {
	now := time.Now()
	if rec.windowStart.IsZero() {
		rec.windowStart = began.Add(time.Duration(r.cfg.Warmup))
	}
	if now.After(rec.windowStart) {
		r.logInterval(rec, now)
	} else {
		rec.flush(now)
		rec.resetInterval()
	}
	st.Elapsed = min(now.Sub(began), plan.Total())
	st.Report = rec.final(r.window(p, plan, rec, began, now, stoppedAt))
}

// live brings the scenario's state up to now for a live snapshot.
func (r *runner) live(p *pacer, plan Schedule, rec *recorder, st *ScenarioSnapshot, began, now, stoppedAt time.Time) {
	st.Elapsed = now.Sub(began)
	if st.Elapsed >= time.Duration(r.cfg.Warmup) {
		st.State = StateMeasuring
	}
	corr, uncorr := rec.current()
	st.Report = rec.report(corr, uncorr, r.window(p, plan, rec, began, now, stoppedAt))
}
