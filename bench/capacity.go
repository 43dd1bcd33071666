package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

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

// CapacityConfig drives a capacity search.
type CapacityConfig struct {
	SLO SLO
	// MaxErrors bounds the error ratio of a passing step.
	MaxErrors Share
	// StartRate is the first rate probed (default 100/s); the search
	// doubles from there up to MaxRate (default 1M/s), then bisects. No
	// probe exceeds MaxRate: a StartRate above it starts at MaxRate.
	StartRate, MaxRate Rate
	// StepDuration and StepWarmup are each probe's measured length and
	// warm-up (defaults 5s and 1s; a negative StepWarmup means none).
	StepDuration, StepWarmup Duration
	// Precision ends the bisection when the bracket is narrower than this
	// fraction of its top (default 5%). MaxSteps bounds the probes (default 14).
	Precision float64
	MaxSteps  int
}

func (c CapacityConfig) withDefaults() CapacityConfig {
	if c.StartRate <= 0 {
		c.StartRate = 100
	}
	if c.MaxRate <= 0 {
		c.MaxRate = 1e6
	}
	if c.StepDuration <= 0 {
		c.StepDuration = Duration(5 * time.Second)
	}
	if c.StepWarmup < 0 {
		c.StepWarmup = 0
	} else if c.StepWarmup == 0 {
		c.StepWarmup = Duration(time.Second)
	}
	if c.Precision <= 0 {
		c.Precision = 0.05
	}
	if c.MaxSteps <= 0 {
		c.MaxSteps = 14
	}
	return c
}

// achievedFloor: a passing step achieves at least this share of its rate.
const achievedFloor = 0.95

// Probe is one step of a capacity search, with its evidence.
type Probe struct {
	Rate       float64 `json:"rate"`
	Achieved   float64 `json:"rate_achieved"`
	ErrorRatio float64 `json:"error_ratio"`
	// Latency is the corrected latency at the SLO's quantile, in ns.
	Latency       int64   `json:"latency_ns"`
	CacheHitRatio float64 `json:"cache_hit_ratio"`
	Pass          bool    `json:"pass"`
	// Why says which condition failed ("" when Pass).
	Why string `json:"why,omitempty"`
}

// Capacity is the outcome of a search for one scenario.
type Capacity struct {
	Scenario ScenarioSpec `json:"scenario"`
	// Rate is the highest passing rate (0: none passed).
	Rate float64 `json:"rate"`
	// CacheHitRatio and UpstreamRatio (upstream calls per request) were
	// measured at Rate.
	CacheHitRatio float64 `json:"cache_hit_ratio"`
	UpstreamRatio float64 `json:"upstream_ratio"`
	Steps         []Probe `json:"steps"`
	// AtCeiling: the scenario held at MaxRate, the highest rate asked, so
	// Rate is a lower bound on its capacity.
	AtCeiling bool `json:"at_ceiling,omitempty"`
	// LowerBound: no step failed before the search stopped (StoppedBy
	// says why: "max-rate" or "max-steps"), so Rate is a floor, not a
	// measured limit. AtCeiling implies it.
	LowerBound bool   `json:"lower_bound,omitempty"`
	StoppedBy  string `json:"stopped_by,omitempty"`
	Canceled   bool   `json:"canceled,omitempty"`
}

// evaluate judges a probe's report against the criteria.
func (c CapacityConfig) evaluate(rate float64, s *ScenarioReport) Probe {
	p := Probe{Rate: rate, Achieved: s.RateAchieved, ErrorRatio: s.ErrorRatio, CacheHitRatio: s.CacheHitRatio}
	if s.corrected != nil && s.corrected.TotalCount() > 0 {
		p.Latency = s.corrected.ValueAtPercentile(c.SLO.Quantile)
	}
	var why []string
	if s.Requests == 0 || s.RateAchieved < achievedFloor*rate {
		why = append(why, fmt.Sprintf("achieved %.0f/s < %.0f%% of %.0f/s", s.RateAchieved, achievedFloor*100, rate))
	}
	if s.ErrorRatio > float64(c.MaxErrors) {
		why = append(why, fmt.Sprintf("errors %.3f%% > %s", s.ErrorRatio*100, c.MaxErrors))
	}
	if p.Latency > int64(c.SLO.Limit) {
		why = append(why, fmt.Sprintf("p%s %s > %s", fmtNum(c.SLO.Quantile), FormatNs(p.Latency), c.SLO.Limit))
	}
	p.Pass = len(why) == 0
	p.Why = strings.Join(why, "; ")
	return p
}

// FindCapacity searches the highest rate at which scenario name holds:
// achieved rate ≥ 95% of the rate asked, errors ≤ MaxErrors, and the SLO.
// It doubles the rate from StartRate until a step fails (or MaxRate), then
// bisects between the last pass and the first failure. base supplies the
// population, limits and scenario list; each probe is a fresh run of the
// one scenario. progress, when non-nil, sees each probe as it completes.
func FindCapacity(ctx context.Context, base Config, name string, targets Targets, cc CapacityConfig, progress func(Probe)) (Capacity, error) {
	if err := cc.Validate(); err != nil {
		return Capacity{}, fmt.Errorf("bench: capacity: %w", err)
	}
	return findCapacity(ctx, base, name, targets, cc, progress, Execute)
}

// executeFunc runs one probe; Execute in production. The seam lets tests
// drive the search with a simulated target (virtual time, no clock), so
// the search's logic is checked deterministically.
type executeFunc func(ctx context.Context, cfg Config, targets Targets, opts ...Option) (*Report, error)

func findCapacity(ctx context.Context, base Config, name string, targets Targets, cc CapacityConfig, progress func(Probe), execute executeFunc) (Capacity, error) {
	cc = cc.withDefaults()
	base = base.WithDefaults()
	var spec *ScenarioSpec
	for i := range base.Scenarios {
		if base.Scenarios[i].Name == name {
			spec = &base.Scenarios[i]
		}
	}
	if spec == nil {
		return Capacity{}, fmt.Errorf("bench: capacity: no scenario %q", name)
	}
	out := Capacity{Scenario: *spec}
	var passRep *ScenarioReport
	probe := func(rate float64) (Probe, error) {
		cfg := base
		cfg.Scenarios = []ScenarioSpec{*spec}
		cfg.Baseline = spec.Name
		cfg.Schedule = nil
		cfg.Rate = Rate(rate)
		cfg.Duration = cc.StepDuration
		cfg.Warmup = cc.StepWarmup
		rep, err := execute(ctx, cfg, targets)
		if err != nil {
			return Probe{}, err
		}
		if rep.Canceled {
			return Probe{}, context.Canceled
		}
		s := &rep.Scenarios[0]
		p := cc.evaluate(rate, s)
		if p.Pass && rate >= out.Rate {
			out.Rate, passRep = rate, s
		}
		out.Steps = append(out.Steps, p)
		if progress != nil {
			progress(p)
		}
		return p, nil
	}
	finish := func(err error) (Capacity, error) {
		if passRep != nil {
			out.CacheHitRatio = passRep.CacheHitRatio
			if passRep.Requests > 0 {
				out.UpstreamRatio = float64(passRep.UpstreamCalls) / float64(passRep.Requests)
			}
		}
		if errors.Is(err, context.Canceled) || ctx.Err() != nil {
			out.Canceled = true
			return out, nil
		}
		return out, err
	}

	// Phase 1: double until a failure brackets the capacity.
	lo, hi := 0.0, 0.0
	for rate := math.Min(float64(cc.StartRate), float64(cc.MaxRate)); len(out.Steps) < cc.MaxSteps; {
		p, err := probe(rate)
		if err != nil {
			return finish(err)
		}
		if !p.Pass {
			hi = rate
			break
		}
		lo = rate
		if rate >= float64(cc.MaxRate) {
			out.AtCeiling, out.LowerBound, out.StoppedBy = true, true, "max-rate"
			return finish(nil)
		}
		rate = math.Min(rate*2, float64(cc.MaxRate))
	}
	if hi == 0 {
		// Out of steps with every probe passing: the limit is above lo,
		// not at it.
		if lo > 0 {
			out.LowerBound, out.StoppedBy = true, "max-steps"
		}
		return finish(nil)
	}
	// The first probe failed: halve down to find a passing floor.
	for lo == 0 && len(out.Steps) < cc.MaxSteps && hi > 1 {
		p, err := probe(hi / 2)
		if err != nil {
			return finish(err)
		}
		if p.Pass {
			lo = hi / 2
		} else {
			hi /= 2
		}
	}
	// Phase 2: bisect.
	for lo > 0 && (hi-lo)/hi > cc.Precision && len(out.Steps) < cc.MaxSteps {
		mid := math.Round((lo + hi) / 2)
		p, err := probe(mid)
		if err != nil {
			return finish(err)
		}
		if p.Pass {
			lo = mid
		} else {
			hi = mid
		}
	}
	return finish(nil)
}

// PlanConfig is the traffic to plan for.
type PlanConfig struct {
	Peak     Rate
	Headroom Share
	// MaxInstances, when > 0, makes a plan needing more instances infeasible.
	MaxInstances int
}

// PlanLine is one scenario's plan.
type PlanLine struct {
	Scenario  string  `json:"scenario"`
	Mode      string  `json:"mode"`
	Capacity  float64 `json:"capacity"`
	Instances int     `json:"instances"`
	// RequiredHitRatio is, for proxy scenarios when an upstream-direct
	// scenario measured the upstream's capacity, the cache hit ratio that
	// keeps upstream calls within it at peak (-1 when unknown or n/a).
	RequiredHitRatio float64 `json:"required_hit_ratio"`
	ObservedHitRatio float64 `json:"observed_hit_ratio"`
	Feasible         bool    `json:"feasible"`
	// LowerBound: Capacity is a floor (the search stopped before a step
	// failed), so Instances is an upper bound. Undecided: the plan would
	// fail only on that unmeasured floor, so whether the peak fits is
	// unknown (Feasible is then false too: nothing established it).
	LowerBound bool   `json:"lower_bound,omitempty"`
	Undecided  bool   `json:"undecided,omitempty"`
	Why        string `json:"why,omitempty"`
	// Caveat qualifies a verdict on something the plan could not check: a
	// proxy scenario's fit when no upstream scenario measured what the
	// upstream holds (the fit then covers the proxy instances only).
	Caveat string `json:"caveat,omitempty"`
}

// Plan is the capacity plan for a peak.
type Plan struct {
	Peak     float64 `json:"peak"`
	Headroom float64 `json:"headroom"`
	// Need is the peak with headroom, the rate the instances must hold.
	Need float64 `json:"need"`
	// UpstreamCapacity is the upstream-direct scenario's capacity (0: not
	// measured); UpstreamLowerBound says it is only a floor.
	UpstreamCapacity   float64 `json:"upstream_capacity"`
	UpstreamLowerBound bool    `json:"upstream_lower_bound,omitempty"`
	// UpstreamMeasured: an upstream-direct scenario was searched, so
	// UpstreamCapacity is a measurement (0: no rate probed met the SLO),
	// not a blank.
	UpstreamMeasured bool       `json:"upstream_measured"`
	Lines            []PlanLine `json:"lines"`
	// Notes say what the plan could not check, one sentence each.
	Notes []string `json:"notes,omitempty"`
}

// MakePlan turns capacities into instance counts for pc.Peak with
// headroom. Instances scale out; the upstream does not (it is someone
// else's Auth.js), so proxy mode fits only when its cache keeps upstream
// calls within the upstream's own measured capacity.
func MakePlan(caps []Capacity, pc PlanConfig) Plan {
	need := float64(pc.Peak) * (1 + float64(pc.Headroom))
	p := Plan{Peak: float64(pc.Peak), Headroom: float64(pc.Headroom), Need: need}
	for _, c := range caps {
		if c.Scenario.Mode == "upstream" && (!p.UpstreamMeasured || c.Rate >= p.UpstreamCapacity) {
			p.UpstreamCapacity, p.UpstreamLowerBound, p.UpstreamMeasured = c.Rate, c.LowerBound, true
		}
	}
	var unchecked []string // proxy scenarios whose upstream load nothing checked
	for _, c := range caps {
		l := PlanLine{Scenario: c.Scenario.Name, Mode: c.Scenario.Mode, Capacity: c.Rate,
			RequiredHitRatio: -1, ObservedHitRatio: c.CacheHitRatio, Feasible: true, LowerBound: c.LowerBound}
		// A failure resting on a floor rather than a measured limit is
		// undecided, never a verdict.
		var why, unknown []string
		if c.Rate <= 0 {
			l.Feasible = false
			why = append(why, "no rate met the SLO")
		} else {
			l.Instances = int(math.Ceil(need / c.Rate))
			if pc.MaxInstances > 0 && l.Instances > pc.MaxInstances {
				msg := fmt.Sprintf("needs %d instances > %d", l.Instances, pc.MaxInstances)
				if c.LowerBound {
					unknown = append(unknown, fmt.Sprintf("needs at most %d instances (> %d)", l.Instances, pc.MaxInstances))
				} else {
					l.Feasible = false
					why = append(why, msg)
				}
			}
		}
		miss := 1 - c.CacheHitRatio
		if c.UpstreamRatio > 0 {
			miss = c.UpstreamRatio
		}
		switch {
		case c.Scenario.Mode != "proxy" || c.Rate <= 0 || miss*need <= 0:
		case !p.UpstreamMeasured:
			// The proxy instances scale out; the upstream behind them
			// does not, and nothing here measured what it holds. A bare
			// "yes" would read as the whole path fitting.
			l.Caveat = fmt.Sprintf("only if the upstream, not measured, takes %.0f/s", miss*need)
			unchecked = append(unchecked, l.Scenario)
		case p.UpstreamCapacity <= 0:
			l.Feasible = false
			why = append(why, fmt.Sprintf("upstream would see %.0f/s but met the SLO at no rate probed", miss*need))
		}
		if c.Scenario.Mode == "proxy" && p.UpstreamCapacity > 0 {
			l.RequiredHitRatio = math.Max(0, 1-p.UpstreamCapacity/need)
			if miss*need > p.UpstreamCapacity {
				if p.UpstreamLowerBound {
					unknown = append(unknown, fmt.Sprintf("upstream would see %.0f/s, above the %.0f/s it held (its limit was not found)",
						miss*need, p.UpstreamCapacity))
				} else {
					l.Feasible = false
					why = append(why, fmt.Sprintf("upstream would see %.0f/s > its capacity %.0f/s: cache must hit ≥ %.1f%% (observed %.1f%%)",
						miss*need, p.UpstreamCapacity, l.RequiredHitRatio*100, c.CacheHitRatio*100))
				}
			}
		}
		if l.Feasible && len(unknown) > 0 {
			l.Feasible, l.Undecided = false, true
			why = append([]string{"unknown: search stopped before a limit was found"}, unknown...)
		}
		l.Why = strings.Join(why, "; ")
		p.Lines = append(p.Lines, l)
	}
	if len(unchecked) > 0 {
		p.Notes = append(p.Notes, fmt.Sprintf("the upstream's capacity was not measured (no upstream scenario, e.g. upstream-jwt, was searched): the fit of %s covers the proxy instances only, not the upstream calls they make at peak, nor the cache hit ratio they need",
			strings.Join(unchecked, ", ")))
	}
	return p
}

// WriteCapacity writes the search steps and the plan as text.
func WriteCapacity(w io.Writer, caps []Capacity, cc CapacityConfig, p Plan) error {
	cc = cc.withDefaults()
	for _, c := range caps {
		fmt.Fprintf(w, "%s (%s/%s cache=%v via %s): capacity %s", c.Scenario.Name, c.Scenario.Mode,
			c.Scenario.Strategy, c.Scenario.Cache, c.Scenario.Via, capacityText(c))
		if c.Canceled {
			fmt.Fprint(w, " (search cancelled)")
		}
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "  step\trate/s\tachieved/s\terrors\tp%s\tcache hit\t  verdict\n", fmtNum(cc.SLO.Quantile))
		for i, s := range c.Steps {
			verdict := "pass"
			if !s.Pass {
				verdict = "FAIL: " + s.Why
			}
			fmt.Fprintf(tw, "  %d\t%.0f\t%.0f\t%.3f%%\t%s\t%.1f%%\t  %s\n", i+1, s.Rate, s.Achieved, s.ErrorRatio*100,
				FormatNs(s.Latency), s.CacheHitRatio*100, verdict)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\nplan: peak %.0f/s + %.0f%% headroom = %.0f/s, SLO %s, errors ≤ %s", p.Peak, p.Headroom*100, p.Need, cc.SLO, cc.MaxErrors)
	if p.UpstreamCapacity > 0 {
		ge := ""
		if p.UpstreamLowerBound {
			ge = "≥"
		}
		fmt.Fprintf(w, ", upstream holds %s%.0f/s", ge, p.UpstreamCapacity)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  scenario\tcapacity/s\tinstances\tcache must hit\tfits\n")
	for _, l := range p.Lines {
		req := "-"
		if l.RequiredHitRatio >= 0 {
			req = fmt.Sprintf("%.1f%% (seen %.1f%%)", l.RequiredHitRatio*100, l.ObservedHitRatio*100)
		}
		fits := "yes"
		if l.Caveat != "" {
			fits = "yes, " + l.Caveat
			if req == "-" {
				req = "unknown"
			}
		}
		switch {
		case l.Undecided:
			fits = l.Why
		case !l.Feasible:
			fits = "NO: " + l.Why
		}
		capTxt, inst := fmt.Sprintf("%.0f", l.Capacity), fmt.Sprint(l.Instances)
		if l.LowerBound {
			capTxt, inst = "≥"+capTxt, "≤"+inst
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", l.Scenario, capTxt, inst, req, fits)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range p.Notes {
		fmt.Fprintln(w, "note:", n)
	}
	return nil
}

// capacityText is the capacity as measured ("400/s"), or as a floor when
// the search stopped before any step failed ("≥100/s (stopped at
// max-steps)").
func capacityText(c Capacity) string {
	if !c.LowerBound {
		return fmt.Sprintf("%.0f/s", c.Rate)
	}
	return fmt.Sprintf("≥%.0f/s (stopped at %s before any step failed: a lower bound)", c.Rate, c.StoppedBy)
}
