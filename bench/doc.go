// Package bench load-tests session resolution: it drives each scenario (a
// way of resolving sessions: local JWT, local database, proxy, cache on or
// off, the upstream called directly) with the same open-model schedule and
// cookie population, and reports HDR latency percentiles side by side.
//
// # Engine
//
// Every scenario gets a fresh vegeta Attacker (vegeta's Stop is final).
// vegeta's pacer loop, worker growth and Result timing do the sending;
// bench supplies the Pacer (constant rate, steps and linear ramps, see
// Schedule), the Targeter (a cookie picked from the Population per request)
// and the http.Client: for "inproc" scenarios an http.RoundTripper that
// calls a Target in-process (the resolver alone, no network), for "http"
// scenarios a real transport limited to the hosts the Config allows
// (loopback by default). bench does not import the resolver: callers adapt
// it to the one-method Target interface.
//
// # Latency and coordinated omission
//
// Latencies are nanoseconds in hdrhistogram-go histograms (1 µs to 60 s, 3
// significant digits). The headline figure is timed from each request's
// intended send time, so queueing shows when the target (or the
// generator) falls behind: under saturation vegeta sends late, and timing
// from the actual send would hide exactly the requests that waited
// (coordinated omission). The intended times come from bench's own pacer:
// request n is due at the schedule's n-th point, and vegeta numbers
// requests (Result.Seq) under a lock in the order they start. The n-th
// request to start holds one of n+1 released ticks, and tick n is released
// no earlier than its due time, so the request with Seq n is never sent
// before schedule point n: timing it from that point never undercounts.
// The uncorrected figure (from the actual send, as vegeta reports it) is
// kept beside it. The pacer waits for due times itself with nanosleep and
// a short spin, because Go's timers oversleep by up to a millisecond here,
// which would otherwise add generator lateness to every corrected latency.
// It wakes at most once every 500 µs and releases the ticks due by then
// together: a wake-up per tick cost the process about a fifth more CPU
// than the vegeta CLI at 5,000 req/s. Above 2,000 req/s a tick may so be
// released up to that late; its dispatch lag (and so the corrected
// latency, never the uncorrected one) shows it.
//
// # Testing without the clock
//
// Tests assert behaviour, never speed, so the timing logic has seams:
// the pacer reads and waits through a pacerClock (virtual in tests; the
// nanosleep syscall rules out testing/synctest), a test-only simulate
// drives the real pacer, recorder and window with a modelled target in
// virtual time (percentiles, coordinated-omission correction and rates
// exactly), FindCapacity's search runs over an injectable probe executor,
// and Run tells a test when the final snapshot is queued. End-to-end runs
// check only what no machine speed can change: counts, ordering, and
// latencies never below what the target took.
//
// # Memory and other limits
//
// Nothing is kept per request: each scenario records into interval
// histograms that are merged into its totals and, optionally, streamed to
// an .hlog (tags NAME and NAME.uncorrected) every Config.Interval; of each
// interval only its percentiles stay (ScenarioReport.Intervals). Bodies
// are read only to classify the answer (up to 4 KiB) and dropped; the
// vegeta results file (WithResults) has bodies and headers removed.
// TestRunMemoryBounded drives the per-request path over a million requests
// in virtual time and measures what the heap keeps per request.
//
// A run never asks for more than the generator can keep: rates above
// MaxRate (one request a microsecond) fail Validate. Nor can it exhaust
// the process's file descriptors: HTTP scenarios get at most as many
// connections and workers as the RLIMIT_NOFILE left free allows (see
// fdlimit.go), in-process ones a bounded number of workers; requests past
// the bound wait, and show as dispatch lag.
//
// ReadReportFile, ReadHlogFiles and ReadResultsFiles read what `report`
// is given: at most a limit per file (MaxReportBytes and so on), refusing
// at the first byte what cannot be a report, and stopping when their
// context ends.
//
// # Outputs
//
// Run streams Snapshots (at most four a second, latest wins, final always
// delivered) for live displays, with each interval's p50 and p99 and the
// caveat for p99s the generator itself delayed (IntervalLagged,
// GeneratorLagNote; a reader that shows no progress passes
// WithoutLiveSnapshots and gets each scenario's end and the final one);
// Execute blocks (no live snapshots) and returns the Report, which writes
// as JSON (WriteJSON, with exact histograms so reports from several load
// generators Merge into one; Merge refuses a run given twice), a
// comparison table (WriteTable), .hgrm percentile files (WriteHgrmFiles)
// and a self-contained HTML report (WriteHTML: percentile curves up to the
// resolution of the samples, latency over time, the table). FindCapacity
// and MakePlan search the highest rate that holds an SLO and size a
// deployment for a peak; SearchCapacities does both for every scenario
// and returns a CapacityReport (text, JSON, HTML).
//
// # Capacity
//
// A capacity search is built to give the same answer twice on a busy
// machine. Each probe holds enough latencies for the SLO's percentile
// (3,000 for p99: the step is lengthened at low rates) and reports every
// percentile with a 95% order-statistic interval read from the histogram.
// A failure is believed only once a repeat confirms it, and the capacity
// is itself measured twice; noise only adds latency, so a disputed rate
// needs two passes to hold and three failures against one to fail. A
// failure while other processes kept the host busy and delayed this
// process (its threads' run-queue wait), with CPU steal, or with the
// target's own figures holding, is "inconclusive: the generator, not the
// target", re-measured after a longer wait for a calm host and never
// counted; past a cap the search says it could not decide. The search
// brackets from both sides (doubling from a pass, or 4x from one that left
// the target far from its limit; halving from a failure)
// and bisects in log space to 10%; it reports the bracket [highest
// confirmed pass, lowest confirmed failure]. The generator's own ceiling
// (a no-op target per transport) is measured first and caps every
// search; a scenario holding there is reported as "≥ the generator's
// ceiling". MaxSteps (derived from the start and expected rates) and
// MaxTime bound the run. Saturation is read from its signature
// (achieved behind asked, a queue building from the early to the late
// interval histograms, errors), not only from one percentile. Cached
// targets that implement Resetter start each probe empty and are warmed
// until their hit ratio settles, so each probe reports its own. A proxy is
// planned on no more than its upstream holds at its miss ratio.
//
// # Release gates
//
// Thresholds (Threshold, EvaluateThresholds) judge a Report, plain or
// merged, against conditions such as "local-jwt:p99<2ms": the observed
// figure against the bound, as k6 does, but a percentile that too few
// samples bound (its 95% interval has no upper end) is inconclusive, which
// a gate counts as failed. Compare judges a run against a baseline with
// the same intervals: a regression only when the new interval lies above
// the old by more than the bound, so noise within a run never fails a
// build. CompareRuns takes several baseline runs of the same build for
// the noise between runs, which no single run's interval holds: each
// figure's bound is the union of the runs' intervals and the t prediction
// interval for one more run from their spread (compare_runs.go). Runs
// whose schedule, population, scenarios, generators (Report.Generators:
// worker limits and host class) differ are not comparable, each
// difference named.
package bench
