package cli

import (
	"fmt"
	"strings"

	"github.com/authscope/authscope/bench"
)

// Thresholds on bench and report: --threshold 'SCENARIO:METRIC OP VALUE'
// (repeatable), added to the profile's or config's bench.thresholds. They
// parse with the flags (a malformed one exits 2 before anything starts),
// are checked against the run's scenarios before it starts (exit 2), and
// are judged on the final report: one line each after the table, the
// results in the JSON export, exit 1 when one is not met.

// thresholdsFlag collects --threshold values.
type thresholdsFlag []bench.Threshold

func (t *thresholdsFlag) String() string {
	if t == nil {
		return ""
	}
	parts := make([]string, len(*t))
	for i, th := range *t {
		parts[i] = th.String()
	}
	return strings.Join(parts, " ")
}

func (t *thresholdsFlag) Set(s string) error {
	th, err := bench.ParseThreshold(s)
	if err != nil {
		// flagValueError already quotes the value: keep only why.
		return fmt.Errorf("%s", strings.TrimPrefix(err.Error(), fmt.Sprintf("threshold %q: ", strings.TrimSpace(s))))
	}
	*t = append(*t, th)
	return nil
}

const thresholdUsage = "pass/fail `CONDITION` SCENARIO:METRIC OP VALUE, e.g. 'local-jwt:p99<2ms' or '*:success>99.9%' (repeatable; metrics p50..p99.9, max, mean, success, errors, rps); exit 1 when one is not met"

// thresholdScenarios names the scenarios ts name (not *), so a run does
// not skip one a threshold needs.
func thresholdScenarios(ts []bench.Threshold) []string {
	var out []string
	for _, t := range ts {
		if t.Scenario != bench.AllScenarios {
			out = append(out, t.Scenario)
		}
	}
	return out
}

// scenarioNamesOf lists a config's scenario names, in order.
func scenarioNamesOf(specs []bench.ScenarioSpec) []string {
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.Name
	}
	return names
}

// judgeThresholds judges ts on rep, stores the results in rep (the JSON
// export carries them) and prints them after the table. The error, when
// one is not met, makes the command exit 1.
func judgeThresholds(env *cliEnv, rep *bench.Report, ts []bench.Threshold) error {
	if len(ts) == 0 {
		return nil
	}
	rep.Thresholds = bench.EvaluateThresholds(rep, ts)
	if err := bench.WriteThresholds(env.stdout, rep.Thresholds); err != nil {
		return err
	}
	if n := bench.FailedThresholds(rep.Thresholds); n > 0 {
		return fmt.Errorf("%d of %d thresholds not met (inconclusive ones count as not met; see the lines above)", n, len(rep.Thresholds))
	}
	return nil
}

// thresholdDoc is the part of bench and report --help on thresholds.
const thresholdDoc = `
Thresholds (--threshold, or bench: {thresholds: [...]} in a profile) are
SCENARIO:METRIC OP VALUE with SCENARIO a name or * (every scenario); METRIC
p50, p90, p95, p99, p99.9 (any pNN, or k6's p(99)), max or mean (corrected
latency: Go durations such as 2ms or 500us), success or errors (a share:
99.9% or 0.001), rps (achieved req/s: 500 or 500/s); OP <, <=, > or >=.
They are judged on the final (merged) histograms, one line each after the
table and in the JSON export. A percentile needs enough samples to be
judged (368 for p99, 3,688 for p99.9: at least one request beyond its 95%
interval); with fewer, for a scenario that measured nothing, or for a
latency over its bound while the generator itself sent late (the WARNING
under the table), the line says INCONCLUSIVE and the threshold counts as
not met.
`
