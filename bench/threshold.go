package bench

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Thresholds make a load run a release gate, as k6's thresholds do: each
// names a scenario (or * for every one), a metric, a comparison and a
// bound, such as "local-jwt:p99<2ms" or "proxy-jwt:success>99.9%". They
// are judged on the run's report (for a report merged from several
// generators, on the merged histograms), one pass/fail line each; a CLI
// exits 1 when one fails. See threshold_eval.go for how each is judged.

// MetricKind is what a threshold measures.
type MetricKind string

// Metric kinds.
const (
	// MetricPercentile is a latency percentile (p50, p99, p99.9…): the
	// corrected latency, from each request's intended send time.
	MetricPercentile MetricKind = "percentile"
	MetricMax        MetricKind = "max"
	MetricMean       MetricKind = "mean"
	// MetricSuccess is the share of requests answered as a success;
	// MetricErrors the share that failed.
	MetricSuccess MetricKind = "success"
	MetricErrors  MetricKind = "errors"
	// MetricRate is the achieved throughput: successful requests per
	// second over the measurement window (ok/s in the table).
	MetricRate MetricKind = "rate"
)

// Op is a threshold's comparison: the observed value must satisfy it.
type Op string

// Comparisons.
const (
	OpLess      Op = "<"
	OpLessEq    Op = "<="
	OpGreater   Op = ">"
	OpGreaterEq Op = ">="
)

// holds reports whether observed op bound.
func (o Op) holds(observed, bound float64) bool {
	switch o {
	case OpLess:
		return observed < bound
	case OpLessEq:
		return observed <= bound
	case OpGreater:
		return observed > bound
	case OpGreaterEq:
		return observed >= bound
	}
	return false
}

// AllScenarios is the scenario a threshold names to apply to every one.
const AllScenarios = "*"

// Threshold is one pass/fail condition on a run. Its text form is
// SCENARIO:METRIC OP VALUE; profiles list them as strings
// (bench: {thresholds: ["local-jwt:p99<2ms"]}).
type Threshold struct {
	Scenario string
	Kind     MetricKind
	// Quantile is the percentile of a MetricPercentile (0-100 exclusive).
	Quantile float64
	Op       Op
	// Bound is in the metric's unit: nanoseconds for latencies, a ratio
	// (0-1) for success and errors, requests per second for the rate.
	Bound float64
	text  string
}

// thresholdMetrics lists the metric names ParseThreshold accepts, for
// its error messages.
const thresholdMetrics = "p50, p90, p95, p99, p99.9 (any pNN), max, mean, success, errors, rps"

// ParseThreshold parses "SCENARIO:METRIC OP VALUE": scenario is a name or
// *; metric is a latency percentile (p50, p95, p99.9, or k6's p(99); med
// is p50), max, mean (avg), success, errors (error_rate) or rps (req/s,
// throughput); op is <, <=, > or >=; value is a Go duration for latencies
// (2ms, 500us), a share for success and errors (99.9%, 0.001) and a rate
// for rps (500, 500/s). Spaces around the parts are allowed.
func ParseThreshold(s string) (Threshold, error) {
	in := strings.TrimSpace(s)
	bad := func(why string) (Threshold, error) {
		return Threshold{}, fmt.Errorf("threshold %q: %s", in, why)
	}
	i := strings.LastIndex(in, ":")
	if i < 0 {
		return bad("want SCENARIO:METRIC OP VALUE, such as local-jwt:p99<2ms or *:success>99.9%")
	}
	t := Threshold{Scenario: strings.TrimSpace(in[:i]), text: in}
	rest := in[i+1:]
	j := strings.IndexAny(rest, "<>=!")
	if j < 0 {
		return bad("no comparison: want <, <=, > or >=")
	}
	metric := strings.ToLower(strings.TrimSpace(rest[:j]))
	opLen := 1
	if j+1 < len(rest) && rest[j+1] == '=' {
		opLen = 2
	}
	t.Op = Op(rest[j : j+opLen])
	value := strings.TrimSpace(rest[j+opLen:])
	switch t.Op {
	case OpLess, OpLessEq, OpGreater, OpGreaterEq:
	default:
		return bad(fmt.Sprintf("comparison %q: want <, <=, > or >=", t.Op))
	}
	if t.Scenario == "" {
		return bad("no scenario before ':' (use * for every scenario)")
	}
	if err := t.setMetric(metric); err != nil {
		return bad(err.Error())
	}
	if value == "" {
		return bad("no value after " + string(t.Op))
	}
	if err := t.setBound(value); err != nil {
		return bad(err.Error())
	}
	return t, nil
}

// setMetric reads the metric name into Kind (and Quantile).
func (t *Threshold) setMetric(m string) error {
	switch m {
	case "max":
		t.Kind = MetricMax
	case "mean", "avg":
		t.Kind = MetricMean
	case "med", "median":
		t.Kind, t.Quantile = MetricPercentile, 50
	case "success", "success_rate", "success-rate":
		t.Kind = MetricSuccess
	case "errors", "error", "error_rate", "error-rate":
		t.Kind = MetricErrors
	case "rps", "req/s", "throughput", "rate":
		t.Kind = MetricRate
	default:
		q, ok := parsePercentileName(m)
		if !ok {
			return fmt.Errorf("unknown metric %q: want one of %s", m, thresholdMetrics)
		}
		t.Kind, t.Quantile = MetricPercentile, q
	}
	return nil
}

// parsePercentileName reads p99, p99.9 or k6's p(99) as a percentile
// strictly between 0 and 100.
func parsePercentileName(m string) (float64, bool) {
	num, ok := strings.CutPrefix(m, "p")
	if !ok {
		return 0, false
	}
	if inner, ok := strings.CutPrefix(num, "("); ok {
		num, ok = strings.CutSuffix(inner, ")")
		if !ok {
			return 0, false
		}
	}
	q, err := strconv.ParseFloat(num, 64)
	if err != nil || !(q > 0 && q < 100) {
		return 0, false
	}
	return q, true
}

// setBound reads value in the metric's unit.
func (t *Threshold) setBound(value string) error {
	switch t.Kind {
	case MetricPercentile, MetricMax, MetricMean:
		if _, err := strconv.ParseFloat(value, 64); err == nil {
			return fmt.Errorf("latency %q has no unit: write a duration such as %sms or 500us", value, value)
		}
		d, err := time.ParseDuration(value)
		if err != nil || d <= 0 {
			return fmt.Errorf("latency %q: want a positive duration such as 2ms or 500us", value)
		}
		t.Bound = float64(d.Nanoseconds())
	case MetricSuccess, MetricErrors:
		sh, err := ParseShare(value)
		if err != nil {
			return err
		}
		t.Bound = float64(sh)
	case MetricRate:
		r, err := ParseRate(value)
		if err != nil {
			return err
		}
		t.Bound = float64(r)
	}
	return nil
}

// String is the threshold as written (MarshalText's form).
func (t Threshold) String() string {
	if t.text != "" {
		return t.text
	}
	return t.Scenario + ":" + t.MetricName() + string(t.Op) + t.boundString()
}

// MetricName names the metric as the lines show it: p99, p99.9, max,
// mean, success, errors, rps.
func (t Threshold) MetricName() string {
	if t.Kind == MetricPercentile {
		return "p" + strconv.FormatFloat(t.Quantile, 'f', -1, 64)
	}
	if t.Kind == MetricRate {
		return "rps"
	}
	return string(t.Kind)
}

// boundString renders the bound in the metric's unit.
func (t Threshold) boundString() string {
	return formatMetric(t.Kind, t.Bound)
}

// formatMetric renders v of a metric kind: a latency, a percentage or a
// rate.
func formatMetric(k MetricKind, v float64) string {
	switch k {
	case MetricSuccess, MetricErrors:
		return fmtPct(v)
	case MetricRate:
		return fmtNum(math.Round(v*10)/10) + "/s"
	}
	return FormatNs(int64(math.Round(v)))
}

// fmtPct renders a ratio as a percentage with enough digits to tell
// 99.9% from 99.95% (up to 3 decimals, trailing zeros dropped).
func fmtPct(v float64) string {
	return strconv.FormatFloat(math.Round(v*100*1000)/1000, 'f', -1, 64) + "%"
}

// MarshalText implements encoding.TextMarshaler.
func (t Threshold) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler (profiles, JSON and
// YAML bench configs write thresholds as strings).
func (t *Threshold) UnmarshalText(b []byte) error {
	v, err := ParseThreshold(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// UnmarshalYAML takes a threshold only as a string (yaml's
// function-style interface, which needs no import of a YAML package):
// a mapping would otherwise decode field by field and pass silently.
func (t *Threshold) UnmarshalYAML(unmarshal func(any) error) error {
	var s string
	if err := unmarshal(&s); err != nil {
		return errors.New(`threshold: want a string such as "local-jwt:p99<2ms"`)
	}
	return t.UnmarshalText([]byte(s))
}

// ErrUnknownScenario is matched (errors.Is) by a threshold naming a
// scenario the run does not have.
var ErrUnknownScenario = errors.New("no such scenario")

// CheckThresholds refuses thresholds naming a scenario not in names (*
// names them all): one error per threshold, naming the scenarios there
// are.
func CheckThresholds(ts []Threshold, names []string) error {
	var errs []error
	for _, t := range ts {
		if t.Scenario == AllScenarios || slices.Contains(names, t.Scenario) {
			continue
		}
		errs = append(errs, fmt.Errorf("threshold %q: %w %q (the run has %s)", t.String(), ErrUnknownScenario, t.Scenario, strings.Join(names, ", ")))
	}
	return errors.Join(errs...)
}
