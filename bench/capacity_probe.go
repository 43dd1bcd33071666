package bench

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// One probe of a capacity search: a run of one scenario at one rate, long
// enough for the SLO's percentile, on a cache reset and warmed to its
// steady state, judged on the SLO, the saturation signature and, for a
// failure, whether the generator or the host explains it.

// Verdict is what one measurement says about its rate.
type Verdict string

// Verdicts.
const (
	VerdictPass Verdict = "pass"
	VerdictFail Verdict = "fail"
	// VerdictInconclusive: the measurement failed, but the generator (its
	// dispatch lag) or the host (CPU steal, other processes) explains the
	// failure; it counts neither way and the rate is measured again.
	VerdictInconclusive Verdict = "inconclusive"
)

// Resetter is an optional interface of a Target that keeps state across
// requests, a cache above all. The capacity search calls Reset before each
// probe, so every probe starts from an empty cache, warms it to the steady
// state the population implies and reports its own hit ratio, whatever
// the probes before it left behind. Reset must be safe to call between
// runs (no request in flight).
type Resetter interface {
	Reset(ctx context.Context) error
}

// Probe is one measurement of a capacity search, with its evidence.
type Probe struct {
	Rate       float64 `json:"rate"`
	Attempted  float64 `json:"rate_attempted"`
	Achieved   float64 `json:"rate_achieved"`
	ErrorRatio float64 `json:"error_ratio"`
	// Latency is the corrected latency at the SLO's quantile, in ns;
	// LatencyCI is the same with its 95% interval.
	Latency   int64      `json:"latency_ns"`
	LatencyCI QuantileCI `json:"latency_ci"`
	// OwnLatency is the target's own latency at the SLO's quantile (timed
	// from each request's actual send, without the generator's lag), ns.
	OwnLatency int64 `json:"own_latency_ns"`
	// Percentiles are p50, p90, p99 and p99.9 with their intervals.
	Percentiles   []QuantileCI `json:"percentiles,omitempty"`
	CacheHitRatio float64      `json:"cache_hit_ratio"`
	UpstreamRatio float64      `json:"upstream_ratio"`
	Pass          bool         `json:"pass"`
	// Verdict is pass, fail or inconclusive (Pass is Verdict == pass).
	Verdict Verdict `json:"verdict"`
	// Why says which condition failed ("" when Pass).
	Why string `json:"why,omitempty"`
	// Generator says what made an inconclusive measurement the host's,
	// or, with WithoutLag, what failed and why it did not count.
	Generator string `json:"generator,omitempty"`
	// WithoutLag: the corrected figures failed on the generator's
	// dispatch lag alone, so the measurement was judged without it (on the
	// target's own figures; for the generator's ceiling, on its keeping
	// its schedule) and passed (see lateOnly).
	WithoutLag bool `json:"without_lag,omitempty"`
	// Purpose says why it was taken: "search" (a new rate), "confirm" (a
	// failure, or the capacity, measured again), "generator" (re-measured
	// after an inconclusive one).
	Purpose string `json:"purpose,omitempty"`
	// Seconds is the measured length; Samples the latencies it holds,
	// SamplesWanted those the SLO's percentile needs (the step is
	// lengthened for them, up to the longest step allowed).
	Seconds       float64    `json:"seconds"`
	Samples       int64      `json:"samples"`
	SamplesWanted int64      `json:"samples_wanted"`
	Saturation    Saturation `json:"saturation"`
	// DispatchLagP99 is how late the generator sent (p99, ns).
	DispatchLagP99 int64    `json:"dispatch_lag_p99_ns"`
	Host           HostLoad `json:"host"`
	// CacheReset: the target was reset (a Resetter) before the probe.
	// WarmupRuns short runs then warmed its cache until the hit ratio
	// settled (WarmupSettled) at WarmupHitRatio.
	CacheReset     bool    `json:"cache_reset,omitempty"`
	WarmupRuns     int     `json:"warmup_runs,omitempty"`
	WarmupHitRatio float64 `json:"warmup_hit_ratio,omitempty"`
	WarmupSettled  bool    `json:"warmup_settled,omitempty"`
	// CalmWait is how long the probe waited for the host to calm (other
	// processes below HostBound) before it ran, in seconds.
	CalmWait float64 `json:"calm_wait_s,omitempty"`
}

// probeEnv is what a probe needs from the world: a way to run, to watch
// the host, to wait for it to calm, and the time. Tests replace them
// (virtual time).
type probeEnv struct {
	execute executeFunc
	host    func() func() HostLoad
	// calm waits, at most max, until other processes keep less than
	// bound of the host's cores busy; it returns how long it waited.
	calm func(ctx context.Context, bound Share, max time.Duration) (time.Duration, error)
	now  func() time.Time
}

// noWait is calm in a world whose host is always calm.
func noWait(ctx context.Context, _ Share, _ time.Duration) (time.Duration, error) {
	return 0, ctx.Err()
}

// firstLook is how long a probe waits, at most, for a calm host when no
// re-measurement asked for longer: a busy neighbour's burst (a compile)
// often ends within it, and a probe on a calm host is one that decides.
const firstLook = 2 * time.Second

// Cache warm-up: runs of about warmRequests requests at the probe's rate
// until two in a row have hit ratios within settleDelta (or within twice
// the sampling noise of their difference, whichever is wider), at most
// maxWarmRuns.
const (
	warmRequests = 2000
	settleDelta  = 0.01
	maxWarmRuns  = 8
)

// reportedPercentiles are the percentiles a probe reports with intervals.
var reportedPercentiles = []float64{50, 90, 99, 99.9}

// probe runs measurement idx at rate.
func (s *search) probe(rate float64, idx int) (Probe, error) {
	var p Probe
	wait := max(s.wait, firstLook)
	s.wait = 0
	waited, err := s.env.calm(s.ctx, s.cc.HostBound, wait)
	if err != nil {
		return p, err
	}
	reset, err := s.resetTarget()
	if err != nil {
		return p, err
	}
	var warm warmth
	if s.spec.Cache {
		if warm, err = s.warmCache(rate, idx); err != nil {
			return p, err
		}
	}
	var hlog bytes.Buffer
	done := s.env.host()
	rep, err := s.env.execute(s.ctx, s.probeConfig(rate, s.stepLength(rate), idx, 0), s.targets, WithHlog(&hlog))
	host := done()
	if err != nil {
		return p, err
	}
	if rep.Canceled || s.ctx.Err() != nil {
		return p, context.Canceled
	}
	sr := &rep.Scenarios[0]
	corr, uncorr, _ := readIntervals(hlog.Bytes(), s.spec.Name) // unreadable: no queueing signal
	p = s.cc.judgeProbe(rate, sr, corr, uncorr, host)
	p.CacheReset, p.CalmWait = reset, waited.Seconds()
	p.WarmupRuns, p.WarmupHitRatio, p.WarmupSettled = warm.runs, warm.hit, warm.settled
	return p, nil
}

// probeTime is about how long a measurement at rate takes: its warm-up,
// its step and, for a cached scenario, a warm-up of its cache (the
// deadline check's estimate).
func (s *search) probeTime(rate float64) time.Duration {
	d := time.Duration(s.cc.StepWarmup) + s.stepLength(rate)
	if s.spec.Cache {
		d += 2 * s.warmChunk(rate)
	}
	return d
}

// stepLength is the probe's measured length at rate: StepDuration, or
// longer when that holds fewer than MinSamples requests (up to
// MaxStepDuration), rounded up to a tenth of a second.
func (s *search) stepLength(rate float64) time.Duration {
	d := time.Duration(s.cc.StepDuration)
	if need := time.Duration(float64(s.cc.MinSamples) / rate * float64(time.Second)); need > d {
		d = min(need.Round(100*time.Millisecond)+100*time.Millisecond, time.Duration(s.cc.MaxStepDuration))
	}
	return d
}

// probeConfig is the run of measurement idx (warm-up run k, 0 for the
// measurement itself) at rate for d: the one scenario, its own seed (a
// fresh sequence of cookie picks from the same population, so probes do
// not replay each other's traffic, and the same search replays the same
// sequence), and intervals short enough to see a queue build.
func (s *search) probeConfig(rate float64, d time.Duration, idx, k int) Config {
	cfg := s.base
	cfg.Scenarios = []ScenarioSpec{s.spec}
	cfg.Baseline = s.spec.Name
	cfg.Schedule = nil
	cfg.Rate = Rate(rate)
	cfg.Duration = Duration(d)
	cfg.Warmup = s.cc.StepWarmup
	if k > 0 {
		cfg.Warmup = 0
	}
	cfg.Interval = Duration(max(d/9, 50*time.Millisecond))
	cfg.Seed = s.base.Seed + uint64(idx)*1_000_003 + uint64(k)
	return cfg
}

// resetTarget resets the scenario's target when it is a Resetter.
func (s *search) resetTarget() (bool, error) {
	r, ok := s.targets.InProc[s.spec.Name].(Resetter)
	if !ok || s.spec.Via != ViaInProc {
		return false, nil
	}
	if err := r.Reset(s.ctx); err != nil {
		return false, fmt.Errorf("bench: capacity: reset %s: %w", s.spec.Name, err)
	}
	return true, nil
}

// warmth is how a probe's cache was warmed.
type warmth struct {
	runs    int
	hit     float64
	settled bool
}

// warmCache runs short runs at rate until the cache's hit ratio settles:
// the steady state the population implies at this rate, which the probe
// then measures from.
func (s *search) warmCache(rate float64, idx int) (warmth, error) {
	chunk := s.warmChunk(rate)
	w := warmth{hit: -1}
	for w.runs < maxWarmRuns {
		rep, err := s.env.execute(s.ctx, s.probeConfig(rate, chunk, idx, w.runs+1), s.targets)
		if err != nil {
			return w, err
		}
		if rep.Canceled || s.ctx.Err() != nil {
			return w, context.Canceled
		}
		w.runs++
		h, n := rep.Scenarios[0].CacheHitRatio, float64(max(rep.Scenarios[0].Requests, 1))
		noise := 2 * math.Sqrt(2*h*(1-h)/n)
		if w.hit >= 0 && math.Abs(h-w.hit) <= max(settleDelta, noise) {
			w.hit, w.settled = h, true
			return w, nil
		}
		w.hit = h
	}
	return w, nil
}

// warmChunk is the length of one cache warm-up run at rate.
func (s *search) warmChunk(rate float64) time.Duration {
	chunk := time.Duration(warmRequests / rate * float64(time.Second))
	return min(max(chunk, 250*time.Millisecond), max(2*time.Duration(s.cc.StepDuration), time.Second))
}

// evaluate judges a probe's report against the SLO, errors and achieved
// rate (the first verdict; judgeProbe adds the rest).
func (c CapacityConfig) evaluate(rate float64, s *ScenarioReport) Probe {
	p := Probe{Rate: rate, Attempted: s.RateAttempted, Achieved: s.RateAchieved, ErrorRatio: s.ErrorRatio, CacheHitRatio: s.CacheHitRatio}
	if s.corrected != nil && s.corrected.TotalCount() > 0 {
		p.Latency = s.corrected.ValueAtPercentile(c.SLO.Quantile)
	}
	if s.Requests > 0 {
		p.UpstreamRatio = float64(s.UpstreamCalls) / float64(s.Requests)
	}
	var why []string
	if behind(rate, s) {
		why = append(why, fmt.Sprintf("achieved %.0f/s < %.0f%% of %.0f/s", s.RateAchieved, achievedFloor*100, rate))
	}
	if c.erred(s) {
		why = append(why, fmt.Sprintf("errors %.3f%% > %s", s.ErrorRatio*100, c.MaxErrors))
	}
	if p.Latency > int64(c.SLO.Limit) {
		why = append(why, fmt.Sprintf("p%s %s > %s", fmtNum(c.SLO.Quantile), FormatNs(p.Latency), c.SLO.Limit))
	}
	p.Pass = len(why) == 0
	p.Why = strings.Join(why, "; ")
	p.Verdict = VerdictFail
	if p.Pass {
		p.Verdict = VerdictPass
	}
	return p
}

// judgeProbe is the whole verdict of one measurement: evaluate, the
// percentiles with their intervals, the saturation signature (a queue
// building over the step fails a probe whose percentile still held: a
// longer step would break it), and for a failure what explains it: the
// host (inconclusive, measured again), or the generator's lateness alone
// (judged without it, see lateOnly).
func (c CapacityConfig) judgeProbe(rate float64, s *ScenarioReport, corr, uncorr []*hdr.Histogram, host HostLoad) Probe {
	p := c.evaluate(rate, s)
	p.LatencyCI = quantileCI(s.corrected, c.SLO.Quantile)
	for _, q := range reportedPercentiles {
		p.Percentiles = append(p.Percentiles, quantileCI(s.corrected, q))
	}
	if s.corrected != nil {
		p.Samples = s.corrected.TotalCount()
	}
	p.SamplesWanted = c.MinSamples
	p.Seconds = s.WindowSeconds
	p.DispatchLagP99 = s.DispatchLagNs.P99
	p.OwnLatency = c.ownLatency(s)
	p.Host = host
	p.Saturation = c.saturationOf(rate, s, corr)
	if slices.Contains(p.Saturation.Signs, "queueing") {
		p.Pass, p.Verdict = false, VerdictFail
		p.Why = joinWhy(p.Why, fmt.Sprintf("queue building: p50 %s early, %s late in the step",
			FormatNs(p.Saturation.EarlyP50), FormatNs(p.Saturation.LateP50)))
	}
	if p.Pass {
		return p
	}
	if h := c.hostExplains(s, host); h != "" {
		p.Verdict, p.Generator = VerdictInconclusive, h
		return p
	}
	if late := c.lateOnly(rate, s, uncorr, p.Saturation); late != "" {
		// Passed without the generator's lateness: what failed is kept,
		// with the reason it does not count, in Generator.
		how := "without the generator's lag: "
		if c.ceiling {
			how = "on schedule: " // the lag is the generator's own figure here
		}
		p.Pass, p.Verdict, p.Generator, p.Why = true, VerdictPass, how+p.Why+": "+late, ""
		p.WithoutLag = true
	}
	return p
}

// waitBound: beyond this share of their ready time spent waiting for a
// CPU, this process's threads were delayed by the other processes busy on
// the host. On a calm host it stays within a few percent even with both
// cores saturated (the runtime keeps one thread per core busy).
const waitBound = 0.10

func joinWhy(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// hostExplains says why a failed measurement is the host's rather than
// the target's ("" when it is not): the hypervisor stole CPU (beyond
// StealBound), or other processes kept more than HostBound of the host's
// cores busy and delayed this process, or (where the CPU counters are
// unknown) the generator sent late while the load average said the host
// was busy. The target ran on a machine that was not its own, and its
// failure says how much of the CPU the neighbours left it, which differs
// from run to run (on a 2-core host a neighbour's compile halves it): the
// rate is measured again once the host is calm.
func (c CapacityConfig) hostExplains(s *ScenarioReport, host HostLoad) string {
	if host.Known && host.StealShare > float64(c.StealBound) {
		return fmt.Sprintf("CPU steal %.0f%% of the probe", host.StealShare*100)
	}
	if host.Known && host.Cores > 0 && host.OtherCores > float64(c.HostBound)*float64(host.Cores) &&
		(host.OwnWaitShare < 0 || host.OwnWaitShare > waitBound) {
		waited := ""
		if host.OwnWaitShare >= 0 {
			waited = fmt.Sprintf(", and this process's threads waited for a CPU %.0f%% of their ready time", host.OwnWaitShare*100)
		}
		return fmt.Sprintf("other processes kept %.1f of %d cores busy (over %s)%s: the target did not have the machine",
			host.OtherCores, host.Cores, c.HostBound, waited)
	}
	if !host.Known && host.Cores > 0 && host.Load1 > (1+float64(c.HostBound))*float64(host.Cores) && c.sentLate(s) {
		return fmt.Sprintf("dispatch lag p99 %s with the host's load average at %.1f on %d cores",
			FormatNs(s.DispatchLagNs.P99), host.Load1, host.Cores)
	}
	return ""
}

// behind says a run did not achieve achievedFloor of the rate asked
// (or sent nothing): the step fails, whatever its latency.
func behind(rate float64, s *ScenarioReport) bool {
	return s.Requests == 0 || s.RateAchieved < achievedFloor*rate
}

// erred says a run's error ratio is beyond MaxErrors.
func (c CapacityConfig) erred(s *ScenarioReport) bool { return s.ErrorRatio > float64(c.MaxErrors) }

// sentLate says the generator's lateness matters to the verdict: its
// dispatch lag p99 is beyond LagBound and beyond what the report warns of
// (GeneratorLagged).
func (c CapacityConfig) sentLate(s *ScenarioReport) bool {
	return s.DispatchLagNs.P99 > int64(c.LagBound) && s.GeneratorLagged()
}

// ownLatency is the target's own latency at the SLO's quantile: the
// uncorrected figures, timed from each request's actual send (0: none).
func (c CapacityConfig) ownLatency(s *ScenarioReport) int64 {
	if s.uncorrected == nil {
		return 0
	}
	return s.uncorrected.ValueAtPercentile(c.SLO.Quantile)
}

// lateOnly says why a failure on a calm host is the generator's lateness
// alone ("" when it is not), so that the measurement is judged without it.
//
// The corrected latency is timed from each request's intended send time,
// so it holds the generator's dispatch lag as well as the target's own
// latency. On this scale of machine the generator's lag tail is itself a
// few milliseconds at any rate (a pacer thread waiting for a CPU behind the
// workers it released, a scheduler's slice): a knee judged on it is where
// that tail happened to cross the SLO, which moved by 2x between runs of
// the in-process scenarios. So:
//   - a scenario's measurement that failed on the corrected figures while
//     the target's own held (its latency from the actual send within the
//     SLO, what it was sent answered, errors within bound, no queue
//     building in it) is judged on the target's own figures: the target
//     held the rate, the generator did not keep time. A target that uses
//     up the CPU still fails: its own latency grows with the run queue;
//   - the generator's own ceiling (the no-op target, c.ceiling) is judged
//     on keeping its schedule: the median dispatch lag within LagBound,
//     the rate achieved and no queue building, which is where a generator
//     falling behind shows at once, where its tail only drifts.
func (c CapacityConfig) lateOnly(rate float64, s *ScenarioReport, uncorr []*hdr.Histogram, corrected Saturation) string {
	// Against the rate asked, not the rate attempted: a generator that fell
	// behind attempted less, and the target was never shown the rate.
	if !c.sentLate(s) || c.erred(s) || behind(rate, s) {
		return ""
	}
	lag := FormatNs(s.DispatchLagNs.P99)
	if c.ceiling {
		if s.DispatchLagNs.P50 > int64(c.LagBound) || corrected.Saturated() {
			return ""
		}
		return fmt.Sprintf("dispatch lag p99 %s, median %s within %s: the generator kept its schedule",
			lag, FormatNs(s.DispatchLagNs.P50), c.LagBound)
	}
	own := c.ownLatency(s)
	if own > int64(c.SLO.Limit) || slices.Contains(c.saturationOf(rate, s, uncorr).Signs, "queueing") {
		return ""
	}
	return fmt.Sprintf("dispatch lag p99 %s: the generator sent late, the target's own p%s %s held",
		lag, fmtNum(c.SLO.Quantile), FormatNs(own))
}
