package cli

import (
	"context"
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/authscope/authscope/bench"
)

// runCompare judges a new run's JSON report against one or more baseline
// runs', per scenario and metric, with a noise-aware verdict
// (bench.CompareRuns), and prints it as a table, Markdown (a pull request
// comment) or JSON. The last file is the new run, every one before it a
// baseline run: two files are the single-baseline comparison as before.
func runCompare(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "compare", "compare [--max-regression 10%] [--format text|markdown|json] BASE.json [BASE2.json ...] NEW.json")
	maxReg := fs.String("max-regression", "10%", "a worse figure is a regression only beyond this `SHARE` of the baseline (5%, 0.05), past its noise")
	format := fs.String("format", "text", "output `FORMAT`: text (a table), markdown (for a pull request comment) or json")
	usage := fs.Usage
	fs.Usage = func() { usage(); fmt.Fprint(env.stderr, compareDoc) }
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(files) < 2 {
		return usagef("compare takes two or more JSON reports, BASE.json [BASE2.json ...] NEW.json: baseline runs, then the new run (got %d)", len(files))
	}
	bound, err := parseBound(*maxReg)
	if err != nil {
		return usagef("--max-regression %q: %v", *maxReg, err)
	}
	switch *format {
	case "text", "markdown", "md", "json":
	default:
		return usagef("--format %q: want text, markdown or json", *format)
	}
	reports := make([]*bench.Report, len(files))
	for i, path := range files {
		// Unreadable, huge or non-report files are bad input: one line, exit 2.
		if reports[i], err = bench.ReadReportFile(ctx, path); err != nil {
			return usageError{err}
		}
	}
	last := len(files) - 1
	c := bench.CompareRuns(reports[:last], reports[last], bound)
	baseNames := strings.Join(files[:last], ", ")
	switch *format {
	case "json":
		err = c.WriteJSON(env.stdout)
	case "markdown", "md":
		err = c.WriteMarkdown(env.stdout, baseNames, files[last])
	default:
		err = c.WriteText(env.stdout, baseNames, files[last])
	}
	switch {
	case err != nil:
		return err
	case !c.Comparable:
		return usagef("the runs are not comparable: %s", strings.Join(c.Differences, "; "))
	case c.Regressions > 0:
		return fmt.Errorf("%s", c.Headline())
	}
	return nil
}

// parseInterleaved parses flags given before, between or after the
// positional arguments (compare base.json new.json --format markdown),
// and returns the positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlagsArgs(fs, args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		i := 0
		for i < len(rest) && !strings.HasPrefix(rest[i], "-") {
			i++
		}
		pos = append(pos, rest[:i]...)
		switch {
		case i == len(rest):
			return pos, nil
		case rest[i] == "--":
			return append(pos, rest[i+1:]...), nil
		}
		args = rest[i:]
	}
}

// parseBound reads a regression bound: a percentage (10%) or a fraction
// (0.1), 0 or more. Unlike a share it may exceed 100% (twice as slow).
func parseBound(s string) (float64, error) {
	s = strings.TrimSpace(s)
	num, pct := strings.CutSuffix(s, "%")
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("want a percentage such as 10%% or a fraction such as 0.1, 0 or more")
	}
	if pct {
		f /= 100
	}
	return f, nil
}

// compareDoc ends compare --help.
const compareDoc = `
The last file is the new run; every file before it is a baseline run of
the same build (compare base1.json base2.json base3.json new.json).
For each scenario, p50, p90, p99 and p99.9 (corrected latency, with each
run's 95% interval read from its HDR histogram), the achieved req/s and
the success ratio, with a verdict: regression (the new interval lies
above the baseline's noise bound by more than --max-regression), worse
within bound, no significant change (they overlap: noise), better, or
not enough samples (the percentile's interval has no upper bound: 368
samples for p99, 3,688 for p99.9; never a regression). The p50 and p99
intervals widen (marked *) to the spread between the run's own 1-second
intervals: the machine's noise during the run. A shift lasting a whole
run is in no single run's interval: with several baseline runs each
figure's noise bound is the union of their intervals and the 95%
prediction interval for one more run from their spread (mean ±
t·s·√(1+1/k), on the logarithms for latencies and rates; widened rows
marked †), so a run of the same build within
the baselines' spread is no regression. Two baseline runs bound their
spread poorly (t = 12.7): give three or more. Merged
reports (authscope report) compare on their merged histograms. Runs that
differ in schedule, warm-up, population, number of generators, scenario
set or definition, worker limits or host (system, CPU count and model)
are not comparable: each difference is named and every verdict says so.
Flags may come before or after the two files.
`
