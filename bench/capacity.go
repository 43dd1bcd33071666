package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The capacity search. A capacity a planner (or a CI gate) can trust is
// one that comes out the same twice on a busy machine, so the search
// never believes a single reading:
//
//   - each probe holds enough samples for the SLO's percentile (a step is
//     lengthened at low rates) and reports it with its 95% interval
//     (capacity_stats.go);
//   - a failure is confirmed by a second measurement before the search
//     acts on it, and the reported capacity is itself measured twice;
//     since noise only adds latency, a rate holds once it passed twice
//     (once when nothing disputes it) and fails on two failures without
//     a pass or three against one (tally.passed, tally.failed);
//   - a failure the host explains (other processes busy beyond HostBound
//     that delayed this process, CPU steal) is "inconclusive: the
//     generator, not the target" and re-measured after a longer wait for
//     a calm host, never counted; after CapacityConfig.Remeasure such
//     re-measurements in a row the search says it could not decide; one
//     the generator's dispatch lag alone explains (the target's own
//     figures held) is never the target's limit either: it is judged
//     without the lag (capacity_probe.go, lateOnly);
//   - it brackets from both sides: up from a pass (×2), down from a
//     failure (÷2), then bisects in log space until the bracket is
//     within Precision (10%), so the rates probed lie on one geometric
//     grid from StartRate; the answer is the bracket [highest confirmed
//     pass, lowest confirmed failure];
//   - SearchCapacities first measures the generator's own ceiling (a
//     target that does nothing, capacity_ceiling.go) and searches no
//     scenario above it; MaxSteps and MaxTime bound the run.

// SLO is a latency objective: the corrected latency at Quantile (0-100)
// must not exceed Limit.
type SLO struct {
	Quantile float64
	Limit    time.Duration
}

// ParseSLO parses "p99=5ms", "p99.9=20ms" or "p50=1ms".
func ParseSLO(s string) (SLO, error) {
	q, lim, ok := strings.Cut(strings.TrimSpace(s), "=")
	if !ok || !strings.HasPrefix(q, "p") {
		return SLO{}, fmt.Errorf("slo %q: want pQ=DURATION such as p99=5ms", s)
	}
	f, err := strconv.ParseFloat(q[1:], 64)
	if err != nil || f <= 0 || f > 100 {
		return SLO{}, fmt.Errorf("slo %q: bad percentile", s)
	}
	d, err := time.ParseDuration(lim)
	if err != nil || d <= 0 {
		return SLO{}, fmt.Errorf("slo %q: bad duration", s)
	}
	return SLO{Quantile: f, Limit: d}, nil
}

// String renders the SLO as "p99=5ms".
func (s SLO) String() string { return fmt.Sprintf("p%s=%s", fmtNum(s.Quantile), s.Limit) }

// CapacityConfig drives a capacity search. The zero value of every field
// means its default.
type CapacityConfig struct {
	SLO SLO
	// MaxErrors bounds the error ratio of a passing step.
	MaxErrors Share
	// StartRate is the first rate probed (default 100/s); the search
	// doubles from a pass up to MaxRate (default 1M/s) and halves from a
	// failure down to MinRate (default 1/s), then narrows. No probe
	// exceeds MaxRate: a StartRate above it starts at MaxRate.
	StartRate, MaxRate, MinRate Rate
	// StepDuration and StepWarmup are each probe's measured length and
	// warm-up (defaults 5s and 1s; a negative StepWarmup means none). A
	// step is lengthened, up to MaxStepDuration (default 12 steps, at most
	// 60s), until it holds MinSamples (default: enough for the SLO's
	// percentile, 3,000 for p99); a probe that could not is reported with
	// the samples it took.
	StepDuration, StepWarmup, MaxStepDuration Duration
	MinSamples                                int64
	// Precision ends the narrowing when the bracket's top is within this
	// fraction above its bottom (default 10%). The rates probed lie on a
	// geometric grid from StartRate (doubling, then bisecting in log
	// space), so two searches that end one grid step apart differ by less
	// than Precision. MaxSteps bounds the decisive measurements (passes
	// and failures, confirmations included; inconclusive ones are bounded
	// by Remeasure and MaxTime) (default: enough to double from StartRate past Expect, narrow to
	// Precision with a confirmation at each step, and re-vote the edge;
	// see defaultMaxSteps).
	Precision float64
	MaxSteps  int
	// Expect is the rate the search expects to reach (the peak planned
	// for; default 16 × StartRate): it sizes the default MaxSteps only.
	Expect Rate
	// Remeasure caps the re-measurements of one rate whose failures the
	// generator explains (default 4); RemeasurePause is the longest wait
	// for the host to calm before the first (default 2s, doubling): the
	// wait ends as soon as other processes use less than HostBound.
	Remeasure      int
	RemeasurePause Duration
	// LagBound is the dispatch lag p99 beyond which a failure whose
	// target held on its own figures is the generator's lateness alone,
	// judged without it, and the median lag beyond which the generator's
	// ceiling is reached (default a quarter of the SLO's limit; see
	// lateOnly). StealBound is the CPU steal share (default 10%) and
	// HostBound the share of the host's cores busy with other processes
	// (default 15%) beyond which a failure is the host's: a target that
	// shared the CPU with others did not show its own limit, so the
	// failure is re-measured once the host is calm (a pass stands: the
	// target held even so).
	LagBound              Duration
	StealBound, HostBound Share
	// MaxTime, when set, bounds the search's time: it stops ("max-time")
	// before a measurement that would not finish within it, and reports
	// what it found as what it is (a floor, or an unconfirmed bracket).
	// SearchCapacities shares it among its searches (and the generator's
	// ceilings) in two passes, resuming in the second the searches that
	// ran out in the first (capacity_budget.go).
	MaxTime Duration
	// SkipCeiling: SearchCapacities does not measure the generator's
	// ceiling first (capacity_ceiling.go), so nothing caps the searches
	// but MaxRate.
	SkipCeiling bool

	// ceiling: this is the search of the generator's own ceiling (a
	// no-op target), whose lateness is what it measures: a failure the
	// dispatch lag explains is judged on the generator keeping its
	// schedule, not on the target's own figures (see lateOnly).
	ceiling bool
}

// WithDefaults returns c with every zero field set to its default (the
// step budget derived from StartRate, Expect and Precision).
func (c CapacityConfig) WithDefaults() CapacityConfig { return c.withDefaults() }

func (c CapacityConfig) withDefaults() CapacityConfig {
	if c.StartRate <= 0 {
		c.StartRate = 100
	}
	if c.MaxRate <= 0 {
		c.MaxRate = 1e6
	}
	if c.MinRate <= 0 {
		c.MinRate = 1
	}
	if c.StepDuration <= 0 {
		c.StepDuration = Duration(5 * time.Second)
	}
	if c.StepWarmup < 0 {
		c.StepWarmup = 0
	} else if c.StepWarmup == 0 {
		c.StepWarmup = Duration(time.Second)
	}
	if c.MaxStepDuration <= 0 {
		c.MaxStepDuration = min(Duration(60*time.Second), maxStepFactor*c.StepDuration)
	}
	c.MaxStepDuration = max(c.MaxStepDuration, c.StepDuration)
	if c.MinSamples <= 0 {
		c.MinSamples = samplesFor(c.SLO.Quantile)
	}
	if c.Precision <= 0 {
		c.Precision = 0.10
	}
	if c.Expect <= 0 {
		c.Expect = 16 * c.StartRate
	}
	if c.MaxSteps <= 0 {
		c.MaxSteps = defaultMaxSteps(float64(c.StartRate), float64(min(c.Expect, c.MaxRate)), c.Precision)
	}
	if c.Remeasure <= 0 {
		c.Remeasure = 4
	}
	if c.RemeasurePause <= 0 {
		c.RemeasurePause = Duration(2 * time.Second)
	}
	if c.LagBound <= 0 {
		c.LagBound = Duration(c.SLO.Limit / 4)
	}
	if c.StealBound <= 0 {
		c.StealBound = 0.10
	}
	if c.HostBound <= 0 {
		c.HostBound = 0.15
	}
	return c
}

// defaultMaxSteps is a step budget that lets a search finish its
// bracket: doublings from start past expect (and one more, the knee may
// lie above it), each failure confirmed, the bisections from a doubling
// down to precision (each possibly confirmed), the edge re-voted (two
// rates, best of three each), and slack for one lost vote. A fixed budget
// ran out before the first confirmed failure on fast scenarios, leaving a
// floor that depended on where the budget fell.
func defaultMaxSteps(start, expect, precision float64) int {
	up := 1 + int(math.Ceil(math.Log2(max(expect/start, 1))))
	narrow := int(math.Ceil(math.Log2(math.Ln2 / math.Log1p(precision))))
	return up + 1 + 2*narrow + 2*3 + 2
}

// validateSearch checks the fields the search added to CapacityConfig
// (Validate calls it), every problem at once.
func (c CapacityConfig) validateSearch() []error {
	var errs []error
	if c.MinRate < 0 || math.IsInf(float64(c.MinRate), 0) || math.IsNaN(float64(c.MinRate)) {
		errs = append(errs, errors.New("min rate must be a finite positive rate (0 for the default)"))
	} else if c.MinRate > 0 && c.MaxRate > 0 && c.MinRate > c.MaxRate {
		errs = append(errs, fmt.Errorf("min rate %s above max rate %s", c.MinRate, c.MaxRate))
	}
	if c.MinSamples < 0 || c.Remeasure < 0 || c.MaxStepDuration < 0 || c.RemeasurePause < 0 || c.LagBound < 0 || c.MaxTime < 0 || c.Expect < 0 {
		errs = append(errs, errors.New("min samples, max step duration, remeasure, its pause, the lag bound, max time and the expected rate must not be negative (0 for the defaults)"))
	}
	for _, b := range []struct {
		name string
		v    Share
	}{{"steal bound", c.StealBound}, {"host bound", c.HostBound}} {
		if b.v < 0 || b.v > 1 || math.IsNaN(float64(b.v)) {
			errs = append(errs, fmt.Errorf("%s %s: want a fraction in [0, 1] (0 for the default)", b.name, b.v))
		}
	}
	return errs
}

// maxStepFactor bounds how far a step is lengthened by default.
const maxStepFactor = 12

// achievedFloor: a passing step achieves at least this share of its rate.
const achievedFloor = 0.95

// Capacity is the outcome of a search for one scenario.
type Capacity struct {
	Scenario ScenarioSpec `json:"scenario"`
	// Rate is the highest confirmed passing rate (0: none passed). It is
	// the bottom of the bracket; BracketHigh, the lowest confirmed
	// failure, is its top (0: no failure found, so Rate is a floor).
	Rate        float64 `json:"rate"`
	BracketHigh float64 `json:"bracket_high"`
	// Confirmed: Rate passed twice (tally.passed with two); a search
	// stopped early may report a rate that passed once.
	Confirmed bool `json:"confirmed"`
	// CacheHitRatio and UpstreamRatio (upstream calls per request) were
	// measured by the probe that confirmed Rate, on its own cache.
	CacheHitRatio float64 `json:"cache_hit_ratio"`
	UpstreamRatio float64 `json:"upstream_ratio"`
	// Steps are every measurement, repeats included, in order.
	Steps []Probe `json:"steps"`
	// Repeats counts the measurements beyond the first at a rate, by why:
	// "confirm" (a failure, or the capacity, measured again) and
	// "generator" (re-measured: the generator, not the target).
	Repeats map[string]int `json:"repeats,omitempty"`
	// Resumed: the search ran out of its first share of MaxTime and went
	// on in the second pass, where it stopped (capacity_budget.go).
	Resumed bool `json:"resumed,omitempty"`
	// AtCeiling: the scenario held at MaxRate, the highest rate asked, so
	// Rate is a lower bound on its capacity.
	AtCeiling bool `json:"at_ceiling,omitempty"`
	// LowerBound: no failure was confirmed before the search stopped
	// (StoppedBy says why: "max-rate", "max-steps", "undecided" or
	// "canceled"), so Rate is a floor, not a measured limit. AtCeiling and
	// Canceled imply it.
	LowerBound bool   `json:"lower_bound,omitempty"`
	StoppedBy  string `json:"stopped_by,omitempty"`
	// Undecided says which rate the search could not judge and why (the
	// generator explained every failure there, Remeasure times over).
	Undecided string `json:"undecided,omitempty"`
	Canceled  bool   `json:"canceled,omitempty"`
	// UpstreamBound, for a proxy scenario, is what its upstream holds at
	// the miss ratio measured here (upstream capacity / upstream calls per
	// request; 0: not known). When it is below Rate the plan uses it:
	// the proxy cannot answer more than its upstream lets it.
	UpstreamBound float64 `json:"upstream_bound,omitempty"`
	BoundBy       string  `json:"bound_by,omitempty"`
	// GeneratorCeiling is the generator's own ceiling the search was
	// capped at (see capacity_ceiling.go; 0: none measured), and
	// GeneratorLimited says the scenario held there: the generator, not
	// the target, is the limit, and Rate is that ceiling (a lower bound).
	GeneratorCeiling float64 `json:"generator_ceiling,omitempty"`
	GeneratorLimited bool    `json:"generator_limited,omitempty"`
}

// PlanRate is the rate a plan may count on: Rate, or UpstreamBound when
// the upstream holds less.
func (c Capacity) PlanRate() float64 {
	if c.UpstreamBound > 0 && c.UpstreamBound < c.Rate {
		return c.UpstreamBound
	}
	return c.Rate
}

// FindCapacity searches the highest rate at which scenario name holds:
// achieved rate ≥ 95% of the rate asked, errors ≤ MaxErrors, the SLO, and
// no queue building over the step (see the file comment for how it
// brackets, confirms and tells the generator's trouble from the
// target's). base supplies the population, limits and scenario list; each
// probe is a fresh run of the one scenario, on a reset cache when the
// target is a Resetter. progress, when non-nil, sees each measurement as
// it completes.
func FindCapacity(ctx context.Context, base Config, name string, targets Targets, cc CapacityConfig, progress func(Probe)) (Capacity, error) {
	return searchCapacity(ctx, base, name, targets, cc, progress, liveEnv(Execute, targets.Processes))
}

// executeFunc runs one probe; Execute in production. The seam lets tests
// drive the search with a simulated target (virtual time, no clock), so
// the search's logic is checked deterministically.
type executeFunc func(ctx context.Context, cfg Config, targets Targets, opts ...Option) (*Report, error)

// FindCapacity's production environment: real runs, the host's own
// counters, real waits for a calm host. pids are the targets' own
// processes (Targets.Processes), whose CPU is the run's, not a
// neighbour's.
func liveEnv(execute executeFunc, pids []int) probeEnv {
	return probeEnv{
		execute: execute,
		host:    func() func() HostLoad { return watchHost(pids...) },
		calm: func(ctx context.Context, bound Share, most time.Duration) (time.Duration, error) {
			return waitCalm(ctx, bound, most, pids...)
		},
		now: time.Now,
	}
}

// findCapacity is the search over a simulated executor in a quiet world:
// no host load, no waiting (tests).
func findCapacity(ctx context.Context, base Config, name string, targets Targets, cc CapacityConfig, progress func(Probe), execute executeFunc) (Capacity, error) {
	return searchCapacity(ctx, base, name, targets, cc, progress, quietEnv(execute))
}

// quietEnv is an environment whose host is never busy and whose pauses
// take no time.
func quietEnv(execute executeFunc) probeEnv {
	return probeEnv{
		execute: execute,
		host:    func() func() HostLoad { return func() HostLoad { return HostLoad{} } },
		calm:    noWait,
		now:     time.Now,
	}
}

func searchCapacity(ctx context.Context, base Config, name string, targets Targets, cc CapacityConfig, progress func(Probe), env probeEnv) (Capacity, error) {
	s, err := newSearch(ctx, base, name, targets, cc, progress, env)
	if err != nil {
		return Capacity{}, err
	}
	return s.runFor(cc.MaxTime)
}

// newSearch is scenario name's search, not yet started.
func newSearch(ctx context.Context, base Config, name string, targets Targets, cc CapacityConfig, progress func(Probe), env probeEnv) (*search, error) {
	if err := cc.Validate(); err != nil {
		return nil, fmt.Errorf("bench: capacity: %w", err)
	}
	cc = cc.withDefaults()
	base = base.WithDefaults()
	var spec *ScenarioSpec
	for i := range base.Scenarios {
		if base.Scenarios[i].Name == name {
			spec = &base.Scenarios[i]
		}
	}
	if spec == nil {
		return nil, fmt.Errorf("bench: capacity: no scenario %q", name)
	}
	return &search{cc: cc, env: env, ctx: ctx, base: base, spec: *spec, targets: targets, progress: progress,
		tallies: map[float64]*tally{}, out: Capacity{Scenario: *spec, Repeats: map[string]int{}}}, nil
}

// runFor runs the search for at most d (0: no bound), or resumes one that
// stopped at its deadline: the tallies keep every verdict, so the search
// walks back through the rates it decided without measuring them and goes
// on from the first one it had not.
func (s *search) runFor(d Duration) (Capacity, error) {
	s.deadline = time.Time{}
	if d > 0 {
		s.deadline = s.env.now().Add(time.Duration(d))
	}
	s.out.StoppedBy, s.out.LowerBound, s.out.Confirmed = "", false, false
	if s.out.Repeats == nil {
		s.out.Repeats = map[string]int{}
	}
	err := s.run()
	return s.finish(err)
}

// decision is what the search concluded about a rate.
type decision int

const (
	decidedPass decision = iota
	decidedFail
	undecided // the generator explained every failure, Remeasure times
	outOfSteps
)

// tally counts the decisive measurements at one rate.
type tally struct {
	passes, fails int
	best          int // the latest passing measurement's index in Steps
}

// The votes at a rate weigh the noise a busy machine adds: it only ever
// adds latency (a stall, a neighbour's burst the counters missed), so it
// turns passes into failures, never the other way. A pass is evidence the
// target holds the rate; a failure may be the noise. So a rate holds once
// it passed need times, and twice when any failure disputes it; it fails
// on two failures and no pass, or on three failures against one pass. A
// rate whose measurements fail one time in seven on stalls alone is
// failed by 1.2% of votes (it was 6% with "two of three").

// passed says the passes at the rate stand (need of them, two if a
// failure disputes them).
func (t *tally) passed(need int) bool {
	return t.passes >= need && (t.passes >= 2 || t.fails == 0)
}

// failed says the failures at the rate stand.
func (t *tally) failed() bool {
	return t.fails >= 2 && t.fails > t.passes && (t.passes == 0 || t.fails >= 3)
}

// search is one scenario's search state.
type search struct {
	cc       CapacityConfig
	env      probeEnv
	ctx      context.Context
	base     Config
	spec     ScenarioSpec
	targets  Targets
	progress func(Probe)

	tallies map[float64]*tally
	// lo is the highest rate whose passes stand, hi the lowest whose
	// failures do (0: none yet).
	lo, hi float64
	out    Capacity
	// wait is the longest the next measurement waits for a calm host
	// (0: the default, a short look).
	wait time.Duration
	// deadline ends the search (MaxTime from its start; zero: none).
	deadline time.Time
	// decisive counts the measurements that passed or failed (MaxSteps
	// bounds them; inconclusive ones are bounded by Remeasure and MaxTime).
	decisive int
}

// errStop ends the search early without an error to report (the reason
// is in out.StoppedBy).
var errStop = errors.New("search stopped")

func (s *search) run() error {
	if err := s.bracket(roundRate(math.Min(float64(s.cc.StartRate), float64(s.cc.MaxRate)))); err != nil {
		return err
	}
	for s.lo > 0 {
		for s.hi > 0 && s.hi/s.lo-1 > s.cc.Precision {
			mid := roundRate(math.Sqrt(s.lo * s.hi))
			if mid <= s.lo || mid >= s.hi {
				break // the bracket is as narrow as the rates' rounding goes
			}
			d, err := s.judge(mid, 1)
			if err != nil {
				return err
			}
			if d == decidedPass {
				s.lo = mid
			} else {
				s.hi = mid
			}
		}
		// The capacity is what the plan rests on: measured twice.
		d, err := s.judge(s.lo, 2)
		if err != nil {
			return err
		}
		if d == decidedPass {
			s.out.Confirmed = true
			return nil
		}
		s.hi, s.lo = s.lo, s.highestPassBelow(s.lo)
		if s.lo == 0 && s.hi > float64(s.cc.MinRate) {
			// The only pass was the capacity that failed its
			// confirmation: bracket again, down from it.
			if err := s.bracket(roundRate(math.Max(s.hi/2, float64(s.cc.MinRate)))); err != nil {
				return err
			}
		}
	}
	return nil
}

// bracket finds a pass and a failure from rate: up by doubling from a
// pass, down by halving from a failure, leaving the highest pass in s.lo
// and the lowest failure in s.hi (0 for either not found).
func (s *search) bracket(rate float64) error {
	for {
		d, err := s.judge(rate, 1)
		if err != nil {
			return err
		}
		if d == decidedFail {
			s.hi = rate
			if s.lo > 0 || rate <= float64(s.cc.MinRate) {
				return nil // bracketed, or nothing held down to the floor asked
			}
			rate = roundRate(math.Max(rate/2, float64(s.cc.MinRate)))
			continue
		}
		s.lo = rate
		switch {
		case s.hi > 0:
			return nil
		case rate < float64(s.cc.MaxRate):
			rate = roundRate(math.Min(rate*s.climb(rate), float64(s.cc.MaxRate)))
			continue
		}
		// Held at the ceiling asked: confirm it, and stop there.
		if d, err = s.judge(rate, 2); err != nil {
			return err
		}
		if d == decidedFail {
			s.hi, s.lo = rate, s.highestPassBelow(rate)
			return nil
		}
		s.out.AtCeiling, s.out.Confirmed = true, true
		s.stop("max-rate")
		return errStop
	}
}

// climb is the factor the search goes up by from a pass at rate: 2, or 4
// for the generator's ceiling and where the passes at rate left room (see
// roomAbove). A generator's ceiling lies far above a scenario's start
// (139k–166k/s in process, 23k–27k/s over HTTP, from 1,000/s), and its
// search, which has a share of the run's time and is not resumed (see
// timeBudget.nextCeiling), spent half its probes climbing by doubling and
// ran out of time before its bracket was narrow. Every other step of the
// doubling grid keeps the rates on it, so the narrowing that follows
// bisects the same grid (one more step from a 4x bracket).
func (s *search) climb(rate float64) float64 {
	if s.cc.ceiling || s.roomAbove(rate) {
		return 4
	}
	return 2
}

// Room for a 4x climb: this process (the generator and the in-process
// targets) used at most roomCores of the host's cores, so four times the
// rate would use at most half of them, and the target's own latency at
// the SLO's quantile stayed within roomLatency of the limit.
const (
	roomCores   = 1.0 / 8
	roomLatency = 1.0 / 4
)

// roomAbove says the latest pass at rate left the target far below its
// limit (roomCores, roomLatency, no sign of saturation, judged with the
// generator's lag), so the climb may skip a doubling. The scenarios'
// searches spent most of their probes climbing (local-jwt's knee at
// 110k–130k/s took eight doublings from 1,000/s, each probe 3 to 6 s with
// its calm look and warm-up) and ran out of their share of --max-time
// before their brackets were narrow, which is where runs then differed.
// Should the 4x rate fail after all, its narrowing bisects back to the
// doubling skipped: the same grid, the same answer, two measurements of
// the failed rate more. Where the host's counters are unknown, or the
// target is out of process (its CPU is not this process's), the climb
// rests on the latency alone or doubles.
func (s *search) roomAbove(rate float64) bool {
	t := s.tallies[rate]
	if t == nil || t.passes == 0 {
		return false
	}
	p := s.out.Steps[t.best]
	h := p.Host
	return h.Known && h.Cores > 0 && h.OwnCores <= roomCores*float64(h.Cores) &&
		!p.WithoutLag && !p.Saturation.Saturated() &&
		float64(p.OwnLatency) <= roomLatency*float64(s.cc.SLO.Limit)
}

// stop records why the search ends before bracketing.
func (s *search) stop(why string) {
	if s.out.StoppedBy == "" {
		s.out.StoppedBy = why
	}
}

// judge measures rate until its verdict stands (tally.passed with
// needPasses, or tally.failed: a single failure is never believed).
// Inconclusive measurements (the generator, not the target) count for
// neither, and each waits longer for a calm host before the next; beyond
// Remeasure of them in a row the rate is undecided and the search stops.
func (s *search) judge(rate float64, needPasses int) (decision, error) {
	t := s.tallies[rate]
	if t == nil {
		t = &tally{}
		s.tallies[rate] = t
	}
	inconclusive := 0
	purpose := "search"
	if t.passes+t.fails > 0 {
		purpose = "confirm"
	}
	for {
		switch {
		case t.passed(needPasses):
			return decidedPass, nil
		case t.failed():
			return decidedFail, nil
		}
		if s.decisive >= s.cc.MaxSteps {
			s.stop("max-steps")
			return outOfSteps, errStop
		}
		if !s.deadline.IsZero() && s.env.now().Add(max(s.wait, firstLook)+s.probeTime(rate)).After(s.deadline) {
			s.stop("max-time")
			return outOfSteps, errStop
		}
		p, err := s.measure(rate, purpose)
		if err != nil {
			return 0, err
		}
		if p.Verdict != VerdictInconclusive {
			s.decisive++
			inconclusive = 0
		}
		switch p.Verdict {
		case VerdictPass:
			t.passes++
			t.best = len(s.out.Steps) - 1
			purpose = "confirm"
		case VerdictFail:
			t.fails++
			purpose = "confirm"
		default:
			inconclusive++
			if inconclusive > s.cc.Remeasure {
				s.out.Undecided = fmt.Sprintf("%.0f/s: the generator, not the target, explained every failure (%d measurements): %s",
					rate, inconclusive, p.Generator)
				s.stop("undecided")
				return undecided, errStop
			}
			// The next measurement waits longer for a calm host.
			s.wait = time.Duration(s.cc.RemeasurePause) << (inconclusive - 1)
			purpose = "generator"
		}
	}
}

// measure takes one measurement at rate and records it.
func (s *search) measure(rate float64, purpose string) (Probe, error) {
	p, err := s.probe(rate, len(s.out.Steps))
	if err != nil {
		return p, err
	}
	p.Purpose = purpose
	if purpose != "search" {
		s.out.Repeats[purpose]++
	}
	s.out.Steps = append(s.out.Steps, p)
	if s.progress != nil {
		s.progress(p)
	}
	return p, nil
}

// highestPassBelow returns the highest rate below r whose passes stand
// (0: none).
func (s *search) highestPassBelow(r float64) float64 {
	best := 0.0
	for rate, t := range s.tallies {
		if rate < r && rate > best && t.passed(1) {
			best = rate
		}
	}
	return best
}

// finish fills the result's ratios and bounds once the search is over.
func (s *search) finish(err error) (Capacity, error) {
	out := &s.out
	out.Rate, out.BracketHigh = s.lo, s.hi
	if t := s.tallies[out.Rate]; t != nil && t.passes > 0 {
		best := out.Steps[t.best]
		out.CacheHitRatio, out.UpstreamRatio = best.CacheHitRatio, best.UpstreamRatio
	}
	if errors.Is(err, context.Canceled) || s.ctx.Err() != nil {
		out.Canceled = true
		out.StoppedBy = "canceled"
		err = nil
	}
	if errors.Is(err, errStop) {
		err = nil
	}
	// A cancelled search found no limit it can vouch for: every figure is
	// a floor. So is a capacity with no confirmed failure above it, and
	// one of 0 from a search the generator stopped (undecided) before a
	// rate below its failures was judged. (Out of steps with nothing
	// passed, no rate probed met the SLO: a measured 0, as before.)
	if out.Canceled || out.BracketHigh == 0 || (out.Rate == 0 && out.StoppedBy == "undecided") {
		out.LowerBound = true
		if out.StoppedBy == "" {
			out.StoppedBy = "max-steps"
		}
	}
	if len(out.Repeats) == 0 {
		out.Repeats = nil
	}
	return *out, err
}

// roundRate keeps probed rates readable and repeatable: whole numbers
// from 10/s up, three significant digits from 1,000/s.
func roundRate(r float64) float64 {
	switch {
	case r >= 1000:
		mag := math.Pow(10, math.Floor(math.Log10(r))-2)
		return math.Round(r/mag) * mag
	case r >= 10:
		return math.Round(r)
	}
	return math.Round(r*100) / 100
}
