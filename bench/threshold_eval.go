package bench

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// How thresholds are judged:
//   - latencies on the corrected histogram (from each request's intended
//     send time), the report's headline figure; for a merged report, the
//     merged histogram, so a percentile is exact, never an average of the
//     generators' percentiles;
//   - the observed value against the bound, as k6 does; a percentile's
//     95% interval is shown beside it for context;
//   - a percentile needs enough samples to be judged at all: the run must
//     have at least one request beyond the upper end of the percentile's
//     95% order-statistic interval (quantileCI's Bounded), that is n with
//     q^n ≤ 2.5%: 6 samples for p50, 368 for p99, 3,688 for p99.9. With
//     fewer, the percentile is read from the slowest few requests and
//     says nothing stable: the threshold is INCONCLUSIVE, and an
//     inconclusive threshold fails the gate (a gate that cannot decide
//     must not pass silently, as capacity's undecided gate fails too);
//   - a scenario that measured no request, or a figure the source did not
//     record (success in a latency-only .hlog report), is inconclusive too;
//   - so is a latency over its bound when the generator itself sent late
//     (ScenarioReport.GeneratorLagged): the corrected figure then holds the
//     generator's delay, not only the target's, as capacity probes judge.

// ThresholdStatus is a threshold's outcome on one scenario.
type ThresholdStatus string

// Outcomes. Only ThresholdPass passes the gate.
const (
	ThresholdPass         ThresholdStatus = "pass"
	ThresholdFail         ThresholdStatus = "fail"
	ThresholdInconclusive ThresholdStatus = "inconclusive"
)

// ThresholdResult is one threshold judged on one scenario (a * threshold
// gives one per scenario). It is what the JSON report's thresholds list
// holds.
type ThresholdResult struct {
	Threshold string          `json:"threshold"`
	Scenario  string          `json:"scenario"`
	Metric    string          `json:"metric"`
	Op        Op              `json:"op"`
	Status    ThresholdStatus `json:"status"`
	// Observed and Bound are in the metric's unit: nanoseconds for
	// latencies, a ratio (0-1) for success and errors, requests per second
	// for rps. Observed is 0 when nothing could be observed.
	Observed float64 `json:"observed"`
	Bound    float64 `json:"bound"`
	// Samples is what the figure was computed from (latencies recorded, or
	// requests).
	Samples int64 `json:"samples"`
	// CI is a percentile's 95% interval.
	CI   *QuantileCI `json:"ci,omitempty"`
	Note string      `json:"note,omitempty"`

	kind MetricKind
}

// Passed reports whether the result passes the gate.
func (r ThresholdResult) Passed() bool { return r.Status == ThresholdPass }

// EvaluateThresholds judges ts on r's scenarios, in the order given (a *
// threshold expands to every scenario, in the report's order). A
// threshold naming a scenario the report lacks is inconclusive (callers
// refuse such thresholds before the run with CheckThresholds).
func EvaluateThresholds(r *Report, ts []Threshold) []ThresholdResult {
	var out []ThresholdResult
	for _, t := range ts {
		if t.Scenario == AllScenarios {
			for i := range r.Scenarios {
				out = append(out, t.evaluate(&r.Scenarios[i]))
			}
			continue
		}
		s, ok := r.Scenario(t.Scenario)
		if !ok {
			res := t.result(t.Scenario)
			res.Status, res.Note = ThresholdInconclusive, "the report has no such scenario"
			out = append(out, res)
			continue
		}
		out = append(out, t.evaluate(s))
	}
	return out
}

// FailedThresholds counts the results that do not pass.
func FailedThresholds(rs []ThresholdResult) int {
	n := 0
	for _, r := range rs {
		if !r.Passed() {
			n++
		}
	}
	return n
}

func (t Threshold) result(scenario string) ThresholdResult {
	return ThresholdResult{Threshold: t.String(), Scenario: scenario, Metric: t.MetricName(), Op: t.Op, Bound: t.Bound, kind: t.Kind}
}

// evaluate judges t on one scenario.
func (t Threshold) evaluate(s *ScenarioReport) ThresholdResult {
	res := t.result(s.Name)
	res.Samples = s.Requests
	inconclusive := func(note string) ThresholdResult {
		res.Status, res.Note = ThresholdInconclusive, note
		return res
	}
	switch t.Kind {
	case MetricPercentile, MetricMax, MetricMean:
		h := s.corrected
		if h == nil || h.TotalCount() == 0 {
			return inconclusive("no latency measured")
		}
		res.Samples = h.TotalCount()
		switch t.Kind {
		case MetricMax:
			res.Observed = float64(h.Max())
		case MetricMean:
			res.Observed = h.Mean()
		default:
			ci := quantileCI(h, t.Quantile)
			res.CI, res.Observed = &ci, float64(ci.Value)
			if !ci.Bounded {
				return inconclusive(fmt.Sprintf("too few samples to judge %s: %d, it needs at least %d", t.MetricName(), res.Samples, MinSamplesFor(t.Quantile)))
			}
		}
	case MetricSuccess, MetricErrors:
		if !s.Knows(UnknownSuccess) {
			return inconclusive("this source did not record successes")
		}
		if s.Requests == 0 {
			return inconclusive("no request measured")
		}
		// Errors are every request that did not succeed (timeouts and
		// cancellations too), counted rather than 1 − success, so 2% reads
		// as 2% exactly.
		res.Observed = float64(s.Succeeded) / float64(s.Requests)
		if t.Kind == MetricErrors {
			res.Observed = float64(s.Requests-s.Succeeded) / float64(s.Requests)
		}
	case MetricRate:
		if !s.Knows(UnknownRates) {
			return inconclusive("this source did not record rates")
		}
		if s.Requests == 0 {
			return inconclusive("no request measured")
		}
		res.Observed = s.RateAchieved
	}
	res.Status = ThresholdFail
	if t.Op.holds(res.Observed, t.Bound) {
		res.Status = ThresholdPass
	}
	if res.Status == ThresholdFail && t.latency() && s.GeneratorLagged() {
		// As a capacity probe does: a failure the generator's own
		// lateness explains is not the target's.
		return inconclusive(fmt.Sprintf("the generator sent requests late (dispatch lag p99 %s), and the corrected latency includes that delay: rerun at a lower rate or on a quieter machine",
			FormatNs(s.DispatchLagNs.P99)))
	}
	return res
}

// latency reports whether t judges a latency.
func (t Threshold) latency() bool {
	return t.Kind == MetricPercentile || t.Kind == MetricMax || t.Kind == MetricMean
}

// MinSamplesFor is how many samples percentile q (0-100) needs before its
// 95% interval has an upper bound: the smallest n with (q/100)^n ≤ 2.5%.
func MinSamplesFor(q float64) int64 {
	p := q / 100
	if p <= 0 {
		return 1
	}
	if p >= 1 {
		return math.MaxInt64
	}
	n := int64(math.Ceil(math.Log((1-ciLevel)/2) / math.Log(p)))
	// Settle float rounding on binomialRanks' own rule.
	for n > 1 {
		if _, hi := binomialRanks(n-1, p, 1-ciLevel); hi > n-1 {
			break
		}
		n--
	}
	for {
		if _, hi := binomialRanks(n, p, 1-ciLevel); hi <= n {
			return n
		}
		n++
	}
}

// Line renders the result as one line: the outcome, the scenario, the
// observed figure against the bound, and why when it is not a plain pass
// or failure.
func (r ThresholdResult) Line() string {
	return fmt.Sprintf("%-4s %s", strings.ToUpper(string(r.Status)), r.Detail())
}

// Detail is Line without the outcome: the scenario, the observed figure
// against the bound, and why when it is not a plain pass or failure (what
// the HTML report shows beside the outcome's badge).
func (r ThresholdResult) Detail() string {
	if r.kind == "" { // read back from a JSON report
		var t Threshold
		_ = t.setMetric(r.Metric)
		r.kind = t.Kind
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s ", r.Scenario, r.Metric)
	switch {
	case r.Status == ThresholdInconclusive && r.CI == nil:
		fmt.Fprintf(&b, "%s %s: %s (counted as failed)", r.Op, formatMetric(r.kind, r.Bound), r.Note)
		return b.String()
	case r.CI != nil:
		b.WriteString(r.CI.String())
	default:
		b.WriteString(formatMetric(r.kind, r.Observed))
	}
	fmt.Fprintf(&b, " %s %s (%d samples)", r.Op, formatMetric(r.kind, r.Bound), r.Samples)
	if r.Status == ThresholdInconclusive {
		fmt.Fprintf(&b, ": %s (counted as failed)", r.Note)
	}
	return b.String()
}

// WriteThresholds writes one line per result, then a summary line.
func WriteThresholds(w io.Writer, rs []ThresholdResult) error {
	if len(rs) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("\nthresholds:\n")
	for _, r := range rs {
		b.WriteString("  " + r.Line() + "\n")
	}
	b.WriteString(thresholdsSummary(rs) + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// thresholdsSummary is the gate's outcome: "all 3 thresholds met" or "1
// of 3 thresholds not met".
func thresholdsSummary(rs []ThresholdResult) string {
	if n := FailedThresholds(rs); n > 0 {
		return fmt.Sprintf("%d of %d thresholds not met", n, len(rs))
	}
	return fmt.Sprintf("all %d thresholds met", len(rs))
}
