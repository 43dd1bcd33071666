package bench

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Compare judges a new run against a baseline run, per scenario and
// metric, with a verdict that knows the figures are samples:
//
//   - a latency percentile comes with its exact 95% order-statistic
//     interval from each run's HDR histogram (quantileCI, as capacity
//     probes use); the new run regressed only when its interval lies above
//     the baseline's by more than the bound (new low > base high × (1 +
//     bound)). Intervals that overlap are noise, however far apart the
//     point values; a percentile too few samples bound (p99.9 of 200
//     requests) is "not enough samples";
//   - success compares error ratios by their 95% Wilson intervals, the
//     same way;
//   - throughput (achieved req/s) compares as a plain ratio: it is a count
//     over the run's window, its noise is the schedule's.
//
// Runs that differ in schedule, warm-up, population, generator count,
// scenario set or definition, worker limits or host class are not
// comparable: every verdict says so and Differences names each. Merged
// reports (several generators) compare like any other: their histograms
// are the merged ones.

// ChangeVerdict is one metric's outcome in a comparison.
type ChangeVerdict string

// Change verdicts. Only ChangeRegression fails a gate; ChangeNotComparable
// marks every row of a comparison that is not one.
const (
	ChangeRegression    ChangeVerdict = "regression"
	ChangeWorse         ChangeVerdict = "worse, within bound"
	ChangeNoise         ChangeVerdict = "no significant change"
	ChangeBetter        ChangeVerdict = "better"
	ChangeFewSamples    ChangeVerdict = "not enough samples"
	ChangeNotRecorded   ChangeVerdict = "not recorded"
	ChangeNotComparable ChangeVerdict = "not comparable"
)

// Interval is a figure with its 95% interval, in the metric's unit.
// Bounded is false when the samples are too few for an upper bound.
type Interval struct {
	Value   float64 `json:"value"`
	Low     float64 `json:"low"`
	High    float64 `json:"high"`
	Bounded bool    `json:"bounded"`
	Samples int64   `json:"samples"`
	// Spread: the interval was widened to the spread between the run's
	// own intervals (see intervalSpread).
	Spread bool `json:"spread,omitempty"`
	// Runs is how many baseline runs a pooled base interval comes from (0
	// for one run's), and BetweenRuns that their spread widened it past
	// the union of their own intervals (see poolRuns).
	Runs        int  `json:"runs,omitempty"`
	BetweenRuns bool `json:"between_runs,omitempty"`
}

// CompareRow is one scenario's metric in both runs.
type CompareRow struct {
	Scenario string   `json:"scenario"`
	Metric   string   `json:"metric"` // p50, p90, p99, p99.9, rps, success
	Base     Interval `json:"base"`
	New      Interval `json:"new"`
	// BaseRuns is each baseline run's figure when there are several (Base
	// then holds their mean and noise bound).
	BaseRuns []float64     `json:"base_runs,omitempty"`
	Change   float64       `json:"change"` // (new − base) / base; for success, new − base (a share)
	Verdict  ChangeVerdict `json:"verdict"`
	kind     MetricKind    // for rendering
}

// Comparison is the result of Compare.
type Comparison struct {
	MaxRegression float64 `json:"max_regression"`
	// BaselineRuns is how many baseline runs the base figures pool, and
	// NoiseBound says how their noise bound was formed.
	BaselineRuns int    `json:"baseline_runs"`
	NoiseBound   string `json:"noise_bound"`
	Comparable   bool   `json:"comparable"`
	// Differences say why the runs are not comparable, one each.
	Differences []string `json:"differences,omitempty"`
	// Notes are what could not be checked (reports without generators).
	Notes       []string     `json:"notes,omitempty"`
	Rows        []CompareRow `json:"rows"`
	Regressions int          `json:"regressions"`
}

// comparePercentiles are the latency percentiles Compare reports.
var comparePercentiles = []float64{50, 90, 99, 99.9}

// Compare judges newR against base with maxRegression (a share: 0.1 is
// 10%) as the bound beyond which a worse figure is a regression. Rows
// follow base's scenario order; scenarios in only one run have none (the
// scenario set differing makes the comparison not comparable).
func Compare(base, newR *Report, maxRegression float64) *Comparison {
	return CompareRuns([]*Report{base}, newR, maxRegression)
}

// CompareRuns judges newR against one or more baseline runs of the same
// build (see poolRuns for how several form one noise bound). Each
// baseline must be comparable with newR. Rows follow the first
// baseline's scenario order. bases must not be empty.
func CompareRuns(bases []*Report, newR *Report, maxRegression float64) *Comparison {
	c := &Comparison{MaxRegression: maxRegression, BaselineRuns: len(bases), NoiseBound: noiseBoundText(len(bases))}
	for i, b := range bases {
		diffs, notes := differences(b, newR, baseLabel(i, len(bases)))
		c.Differences, c.Notes = appendNew(c.Differences, diffs...), appendNew(c.Notes, notes...)
		if newR.Started.Before(b.Started) {
			// Files given in the wrong order judge the baseline against the
			// new build: say so, without refusing a deliberate re-run.
			c.Notes = append(c.Notes, fmt.Sprintf("the new run (the last file) started before the %s run (%s < %s): is the order of the files right?",
				baseLabel(i, len(bases)), newR.Started.UTC().Format(time.RFC3339), b.Started.UTC().Format(time.RFC3339)))
		}
	}
	c.Comparable = len(c.Differences) == 0
	for i := range bases[0].Scenarios {
		name := bases[0].Scenarios[i].Name
		bs, ok := scenarioInAll(bases, name)
		n, okNew := newR.Scenario(name)
		if !ok || !okNew {
			continue
		}
		for _, q := range comparePercentiles {
			r := latencyRow(bs, n, q, maxRegression)
			c.add(r)
			if q == 50 {
				c.blindNote(r)
			}
		}
		c.add(rateRow(bs, n, maxRegression))
		c.add(successRow(bs, n, maxRegression))
		for j, b := range bs {
			c.lagNote(b, baseLabel(j, len(bs)))
		}
		c.lagNote(n, "new")
	}
	return c
}

// baseLabel names baseline run i of k in messages: "base", or "base 2".
func baseLabel(i, k int) string {
	if k == 1 {
		return "base"
	}
	return fmt.Sprintf("base %d", i+1)
}

// scenarioInAll is the scenario named name of every report, false when
// one lacks it.
func scenarioInAll(rs []*Report, name string) ([]*ScenarioReport, bool) {
	out := make([]*ScenarioReport, len(rs))
	for i, r := range rs {
		s, ok := r.Scenario(name)
		if !ok {
			return nil, false
		}
		out[i] = s
	}
	return out, true
}

// appendNew appends the strings not already in list.
func appendNew(list []string, add ...string) []string {
	for _, s := range add {
		if !slices.Contains(list, s) {
			list = append(list, s)
		}
	}
	return list
}

// blindNote notes a p50 row whose noise bound is so wide that the new
// run's p50 could double and still be no regression: the verdict "no
// significant change" then says little, and a reader should know before
// trusting the gate (few baseline runs, or runs on a busy machine: their
// generator notes say how busy).
func (c *Comparison) blindNote(r CompareRow) {
	limit := r.Base.High * (1 + c.MaxRegression)
	if !c.Comparable || !r.Base.Bounded || r.Base.Value <= 0 || limit < 2*r.Base.Value {
		return
	}
	c.Notes = append(c.Notes, fmt.Sprintf("%s: a new p50 up to %s (%.1f× the base's %s) would pass as noise, so a doubling would not show: more baseline runs, or a quieter machine, narrow the bound",
		r.Scenario, FormatNs(int64(limit)), limit/r.Base.Value, FormatNs(int64(r.Base.Value))))
}

// lagNote notes a scenario whose generator sent late in the run labelled.
func (c *Comparison) lagNote(s *ScenarioReport, label string) {
	if s.GeneratorLagged() {
		c.Notes = append(c.Notes, fmt.Sprintf("%s: the generator sent requests late in the %s run (dispatch lag p99 %s): its corrected latencies include that delay",
			s.Name, label, FormatNs(s.DispatchLagNs.P99)))
	}
}

func (c *Comparison) add(r CompareRow) {
	if !c.Comparable {
		r.Verdict = ChangeNotComparable
	}
	if r.Verdict == ChangeRegression {
		c.Regressions++
	}
	c.Rows = append(c.Rows, r)
}

// latencyRow compares percentile q of the corrected histograms.
func latencyRow(bs []*ScenarioReport, n *ScenarioReport, q, bound float64) CompareRow {
	r := CompareRow{Scenario: n.Name, Metric: "p" + fmtNum(q), kind: MetricPercentile}
	ivs := make([]Interval, len(bs))
	for i, b := range bs {
		ivs[i] = latencyInterval(b, q)
	}
	r.Base, r.BaseRuns, r.New = poolRuns(ivs, false), runValues(ivs), latencyInterval(n, q)
	r.Change = relChange(r.Base.Value, r.New.Value)
	if r.Base.Samples == 0 || r.New.Samples == 0 || !r.Base.Bounded || !r.New.Bounded {
		r.Verdict = ChangeFewSamples
		return r
	}
	r.Verdict = separate(r.Base, r.New, bound)
	return r
}

func latencyInterval(s *ScenarioReport, q float64) Interval {
	h := s.corrected
	if h == nil || h.TotalCount() == 0 {
		return Interval{}
	}
	ci := quantileCI(h, q)
	iv := Interval{Value: float64(ci.Value), Low: float64(ci.Low), High: float64(ci.High), Bounded: ci.Bounded, Samples: h.TotalCount()}
	if hw, ok := intervalSpread(s.Intervals, q); ok && iv.Bounded && (iv.Value-hw < iv.Low || iv.Value+hw > iv.High) {
		iv.Low, iv.High = max(float64(h.Min()), min(iv.Low, iv.Value-hw)), max(iv.High, iv.Value+hw)
		iv.Spread = true
	}
	return iv
}

// separate is the verdict for two intervals of a figure where higher is
// worse: a regression when new lies above base by more than bound, worse
// when above within it, better when below, noise when they overlap.
func separate(b, n Interval, bound float64) ChangeVerdict {
	switch {
	case n.Low > b.High*(1+bound):
		return ChangeRegression
	case n.Low > b.High:
		return ChangeWorse
	case n.High < b.Low:
		return ChangeBetter
	}
	return ChangeNoise
}

// rateRow compares the achieved throughput: a plain ratio against one
// baseline run, against several their prediction interval's ends.
func rateRow(bs []*ScenarioReport, n *ScenarioReport, bound float64) CompareRow {
	r := CompareRow{Scenario: n.Name, Metric: "rps", kind: MetricRate, New: rateInterval(n)}
	ivs := make([]Interval, len(bs))
	for i, b := range bs {
		ivs[i] = rateInterval(b)
	}
	r.Base, r.BaseRuns = poolRuns(ivs, false), runValues(ivs)
	r.Change = relChange(r.Base.Value, r.New.Value)
	switch {
	case !n.Knows(UnknownRates) || slices.ContainsFunc(bs, func(b *ScenarioReport) bool { return !b.Knows(UnknownRates) }):
		r.Verdict = ChangeNotRecorded
	case n.Requests == 0 || !r.Base.Bounded:
		r.Verdict = ChangeFewSamples
	case r.New.Value < r.Base.Low*(1-bound):
		r.Verdict = ChangeRegression
	case r.New.Value > r.Base.High*(1+bound):
		r.Verdict = ChangeBetter
	default:
		r.Verdict = ChangeNoise
	}
	return r
}

// rateInterval is s's achieved rate as a point (bounded once measured).
func rateInterval(s *ScenarioReport) Interval {
	v := s.RateAchieved
	return Interval{Value: v, Low: v, High: v, Bounded: s.Requests > 0, Samples: s.Requests}
}

// successRow compares the success ratios through their error ratios'
// Wilson intervals (errors: higher is worse).
func successRow(bs []*ScenarioReport, n *ScenarioReport, bound float64) CompareRow {
	r := CompareRow{Scenario: n.Name, Metric: "success", kind: MetricSuccess}
	if !n.Knows(UnknownSuccess) || slices.ContainsFunc(bs, func(b *ScenarioReport) bool { return !b.Knows(UnknownSuccess) }) {
		r.Verdict = ChangeNotRecorded
		return r
	}
	ivs := make([]Interval, len(bs))
	for i, b := range bs {
		ivs[i] = errorInterval(b)
	}
	be, ne := poolRuns(ivs, true), errorInterval(n)
	r.Base, r.New = successOf(be), successOf(ne)
	if vals := runValues(ivs); vals != nil {
		for i, v := range vals {
			vals[i] = 1 - v
		}
		r.BaseRuns = vals
	}
	r.Change = r.New.Value - r.Base.Value
	if n.Requests == 0 || !be.Bounded {
		r.Verdict = ChangeFewSamples
		return r
	}
	r.Verdict = separate(be, ne, bound)
	return r
}

// errorInterval is s's error ratio (requests that did not succeed) with
// its 95% Wilson score interval.
func errorInterval(s *ScenarioReport) Interval {
	n := float64(s.Requests)
	if n == 0 {
		return Interval{}
	}
	p := float64(s.Requests-s.Succeeded) / n
	const z = 1.959964 // the normal's 97.5% point
	den := 1 + z*z/n
	center := (p + z*z/(2*n)) / den
	half := z * math.Sqrt(p*(1-p)/n+z*z/(4*n*n)) / den
	return Interval{Value: p, Low: max(0, center-half), High: min(1, center+half), Bounded: true, Samples: s.Requests}
}

// successOf turns an error-ratio interval into the success one.
func successOf(e Interval) Interval {
	e.Value, e.Low, e.High = 1-e.Value, 1-e.High, 1-e.Low
	return e
}

func relChange(base, n float64) float64 {
	if base == 0 {
		return 0
	}
	return (n - base) / base
}

// differences lists why base and newR are not comparable, and notes what
// could not be checked; label names the base run ("base", "base 2").
func differences(base, newR *Report, label string) (diffs, notes []string) {
	diff := func(what, b, n string) {
		if b != n {
			diffs = append(diffs, fmt.Sprintf("%s: %s %s, new %s", what, label, b, n))
		}
	}
	diff("schedule", base.Schedule, newR.Schedule)
	diff("warm-up", base.Warmup.String(), newR.Warmup.String())
	diff("population", base.Population.String(), newR.Population.String())
	diff("generators", fmt.Sprint(max(base.Sources, 1)), fmt.Sprint(max(newR.Sources, 1)))
	diff("scenarios", scenarioNames(base), scenarioNames(newR))
	for i := range base.Scenarios {
		b := &base.Scenarios[i]
		if n, ok := newR.Scenario(b.Name); ok {
			diff("scenario "+b.Name, b.definition(), n.definition())
		}
	}
	for _, r := range []struct {
		name string
		rep  *Report
	}{{label, base}, {"new", newR}} {
		if r.rep.Canceled {
			diffs = append(diffs, r.name+" run was interrupted: its figures cover part of its schedule")
		}
	}
	if len(base.Generators) == 0 || len(newR.Generators) == 0 {
		notes = append(notes, "host and worker limits not checked: a report written before authscope recorded them has no generators")
		return diffs, notes
	}
	if len(base.Generators) != len(newR.Generators) {
		return diffs, notes // "generators" already says it
	}
	diff("host", generatorSet(base.Generators, Generator.Host), generatorSet(newR.Generators, Generator.Host))
	diff("workers", generatorSet(base.Generators, Generator.Limits), generatorSet(newR.Generators, Generator.Limits))
	return diffs, notes
}

// definition is what a scenario measures: mode, strategy, cache, via.
func (s *ScenarioReport) definition() string {
	parts := []string{s.Mode, s.Strategy, "cache " + map[bool]string{true: "on", false: "off"}[s.Cache], "via " + string(s.Via)}
	return strings.Join(slices.DeleteFunc(parts, func(p string) bool { return p == "" }), ", ")
}
