package bench

import (
	"fmt"
	"math"
	"strings"
)

// Planning: capacities into instance counts for a peak. Instances scale
// out; the upstream does not (it is someone else's Auth.js), so a proxy
// scenario is planned on the lesser of its own capacity and what its
// upstream holds at the miss ratio it measured (Capacity.PlanRate), and
// fits only when its cache keeps upstream calls within the upstream's
// capacity. A cancelled search plans nothing.

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
	// Measured is the scenario's own capacity when Capacity is lower: the
	// upstream BoundBy holds less at the miss ratio measured.
	Measured float64 `json:"measured,omitempty"`
	BoundBy  string  `json:"bound_by,omitempty"`
	// Canceled: the search was interrupted; nothing is planned (Feasible
	// false, no Instances) and Capacity is a floor.
	Canceled bool `json:"canceled,omitempty"`
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
	// Canceled: a search was interrupted; no line is planned.
	Canceled bool `json:"canceled,omitempty"`
	// Notes say what the plan could not check, one sentence each.
	Notes []string `json:"notes,omitempty"`
}

// MakePlan turns capacities into instance counts for pc.Peak with
// headroom (see the file comment). A cancelled search plans nothing: every
// line is infeasible, without an instance count, its capacity a floor.
func MakePlan(caps []Capacity, pc PlanConfig) Plan {
	need := float64(pc.Peak) * (1 + float64(pc.Headroom))
	p := Plan{Peak: float64(pc.Peak), Headroom: float64(pc.Headroom), Need: need}
	for _, c := range caps {
		p.Canceled = p.Canceled || c.Canceled
		if c.Scenario.Mode == "upstream" && (!p.UpstreamMeasured || c.Rate >= p.UpstreamCapacity) {
			p.UpstreamCapacity, p.UpstreamLowerBound, p.UpstreamMeasured = c.Rate, c.LowerBound, true
		}
	}
	if p.Canceled {
		for _, c := range caps {
			p.Lines = append(p.Lines, PlanLine{Scenario: c.Scenario.Name, Mode: c.Scenario.Mode, Capacity: c.PlanRate(),
				RequiredHitRatio: -1, ObservedHitRatio: c.CacheHitRatio, LowerBound: true, Undecided: true, Canceled: true,
				Why: "search cancelled: nothing planned"})
		}
		p.Notes = append(p.Notes, "the search was cancelled: every capacity is a lower bound and no instance count is planned")
		return p
	}
	var unchecked []string // proxy scenarios whose upstream load nothing checked
	for _, c := range caps {
		l := PlanLine{Scenario: c.Scenario.Name, Mode: c.Scenario.Mode, Capacity: c.PlanRate(),
			RequiredHitRatio: -1, ObservedHitRatio: c.CacheHitRatio, Feasible: true, LowerBound: c.LowerBound}
		if l.Capacity < c.Rate {
			l.Measured, l.BoundBy = c.Rate, c.BoundBy
		}
		// A failure resting on a floor rather than a measured limit is
		// undecided, never a verdict.
		var why, unknown []string
		switch {
		case l.Capacity <= 0 && c.LowerBound:
			unknown = append(unknown, "no rate was decided")
		case l.Capacity <= 0:
			l.Feasible = false
			why = append(why, "no rate met the SLO")
		default:
			l.Instances = int(math.Ceil(need / l.Capacity))
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
		case c.Scenario.Mode != "proxy" || l.Capacity <= 0 || miss*need <= 0:
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
