package bench

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// updateGolden rewrites the golden files of this package.
var updateGolden = flag.Bool("update", false, "rewrite golden files")

// reportOf wraps scenarios in a report of one run on a fixed generator.
func reportOf(started int64, scs ...ScenarioReport) *Report {
	return &Report{Version: ReportVersion, Started: time.Unix(started, 0), Sources: 1, Schedule: "10s@500/s", Warmup: Duration(time.Second),
		Population: PopulationConfig{Sessions: 1000, Popularity: Uniform}, Baseline: scs[0].Name, Scenarios: scs,
		Generators: []Generator{{Workers: 10, Timeout: Duration(30 * time.Second), OS: "linux", Arch: "amd64", CPUs: 2, GoMaxProcs: 2, CPUModel: "Test CPU"}}}
}

func rowOf(t *testing.T, c *Comparison, scenario, metric string) CompareRow {
	t.Helper()
	for _, r := range c.Rows {
		if r.Scenario == scenario && r.Metric == metric {
			return r
		}
	}
	t.Fatalf("no row %s %s in %+v", scenario, metric, c.Rows)
	return CompareRow{}
}

func TestCompareClearRegression(t *testing.T) {
	base := reportOf(1, scenarioOf("a", 20000, time.Millisecond, 20000, 1))
	slow := reportOf(2, scenarioOf("a", 20000, 1500*time.Microsecond, 19000, 2))
	c := Compare(base, slow, 0.10)
	if !c.Comparable {
		t.Fatalf("not comparable: %v", c.Differences)
	}
	for _, m := range []string{"p50", "p90", "p99", "success"} {
		if r := rowOf(t, c, "a", m); r.Verdict != ChangeRegression {
			t.Errorf("%s: %s (%+v)", m, r.Verdict, r)
		}
	}
	if r := rowOf(t, c, "a", "rps"); r.Verdict != ChangeNoise { // 5% fewer ok/s: within 10%
		t.Errorf("rps: %s", r.Verdict)
	}
	if c.Regressions < 4 || !strings.HasPrefix(c.Headline(), "4 regressions beyond 10%: a p50 +") && !strings.HasPrefix(c.Headline(), "5 regressions") {
		t.Errorf("headline %q (%d)", c.Headline(), c.Regressions)
	}
	// A generator that sent late is named: its corrected latencies hold
	// its own delay.
	slow.Scenarios[0].DispatchLagNs.P99 = int64(100 * time.Millisecond)
	if notes := Compare(base, slow, 0.1).Notes; len(notes) != 1 || !strings.HasPrefix(notes[0], "a: the generator sent requests late in the new run (dispatch lag p99 100ms)") {
		t.Errorf("lag notes %q", notes)
	}
	slow.Scenarios[0].DispatchLagNs.P99 = 0
	// The other way round it is an improvement, never a regression.
	back := Compare(slow, base, 0.10)
	if back.Regressions != 0 || rowOf(t, back, "a", "p99").Verdict != ChangeBetter {
		t.Errorf("improvement: %+v", back.Rows)
	}
	// A bound above the change: worse, within bound.
	if r := rowOf(t, Compare(base, slow, 1.0), "a", "p50"); r.Verdict != ChangeWorse {
		t.Errorf("bound 100%%: %s", r.Verdict)
	}
}

// TestCompareNoiseOnly: two runs of the same latency distribution (other
// random draws) differ in every percentile, yet the intervals overlap:
// no regression, even at a tight bound.
func TestCompareNoiseOnly(t *testing.T) {
	for seed := range uint64(5) {
		base := reportOf(1, scenarioOf("a", 3000, time.Millisecond, 3000, 10+seed))
		again := reportOf(2, scenarioOf("a", 3000, time.Millisecond, 2999, 20+seed))
		c := Compare(base, again, 0.01)
		if c.Regressions != 0 {
			for _, r := range c.Rows {
				t.Logf("%s %s %s → %s: %s", r.Scenario, r.Metric, r.Base.render(r.kind), r.New.render(r.kind), r.Verdict)
			}
			t.Fatalf("seed %d: %d regressions from noise", seed, c.Regressions)
		}
		if r := rowOf(t, c, "a", "p99"); r.Change == 0 || r.Verdict != ChangeNoise {
			t.Errorf("seed %d: p99 change %v verdict %s", seed, r.Change, r.Verdict)
		}
	}
}

func TestCompareTooFewSamples(t *testing.T) {
	base := reportOf(1, scenarioOf("a", 200, time.Millisecond, 200, 1))
	slow := reportOf(2, scenarioOf("a", 200, 3*time.Millisecond, 200, 2))
	c := Compare(base, slow, 0.10)
	if r := rowOf(t, c, "a", "p99.9"); r.Verdict != ChangeFewSamples {
		t.Errorf("p99.9 of 200: %s", r.Verdict)
	}
	if r := rowOf(t, c, "a", "p99"); r.Verdict != ChangeFewSamples {
		t.Errorf("p99 of 200: %s", r.Verdict)
	}
	if r := rowOf(t, c, "a", "p50"); r.Verdict != ChangeRegression {
		t.Errorf("p50 of 200, 3× slower: %s", r.Verdict)
	}
	empty := reportOf(3, ScenarioReport{Name: "a", Mode: "local", Strategy: "jwt", Via: ViaInProc, Sources: 1})
	if r := rowOf(t, Compare(base, empty, 0.1), "a", "p50"); r.Verdict != ChangeFewSamples {
		t.Errorf("empty: %s", r.Verdict)
	}
}

func TestCompareNotComparable(t *testing.T) {
	base := reportOf(1, scenarioOf("a", 5000, time.Millisecond, 5000, 1), scenarioOf("b", 5000, time.Millisecond, 5000, 2))
	for _, tc := range []struct {
		name   string
		change func(r *Report)
		want   string
	}{
		{"schedule", func(r *Report) { r.Schedule = "10s@1000/s" }, "schedule: base 10s@500/s, new 10s@1000/s"},
		{"population", func(r *Report) { r.Population.Sessions = 50 }, "population: base 1000 sessions"},
		{"scenarios", func(r *Report) { r.Scenarios = r.Scenarios[:1] }, "scenarios: base a,b, new a"},
		{"definition", func(r *Report) { r.Scenarios[1].Via = ViaHTTP }, "scenario b: base local, jwt, cache off, via inproc, new local, jwt, cache off, via http"},
		{"host", func(r *Report) { r.Generators[0].CPUs = 4 }, "host: base 1× linux/amd64, 2 CPUs (GOMAXPROCS 2), Test CPU, new 1× linux/amd64, 4 CPUs"},
		{"workers", func(r *Report) { r.Generators[0].MaxWorkers = 64 }, "workers: base 1× 10 workers, no worker cap, timeout 30s, precise pacing, new 1× 10 workers, at most 64 workers"},
		{"pacing", func(r *Report) { r.Generators[0].Pacing = PacingBatched }, "workers: base 1× 10 workers, no worker cap, timeout 30s, precise pacing, new 1× 10 workers, no worker cap, timeout 30s, batched pacing"},
		{"generators", func(r *Report) { r.Sources = 2; r.Generators = append(r.Generators, r.Generators[0]) }, "generators: base 1, new 2"},
		{"interrupted", func(r *Report) { r.Canceled = true }, "new run was interrupted"},
	} {
		n := reportOf(2, scenarioOf("a", 5000, time.Millisecond, 5000, 3), scenarioOf("b", 5000, time.Millisecond, 5000, 4))
		tc.change(n)
		c := Compare(base, n, 0.1)
		if c.Comparable || len(c.Differences) != 1 || !strings.HasPrefix(c.Differences[0], tc.want) {
			t.Errorf("%s: comparable %v, differences %q", tc.name, c.Comparable, c.Differences)
		}
		for _, r := range c.Rows {
			if r.Verdict != ChangeNotComparable {
				t.Errorf("%s: row %s %s: %s", tc.name, r.Scenario, r.Metric, r.Verdict)
			}
		}
		if c.Regressions != 0 || !strings.HasPrefix(c.Headline(), "not comparable (1 difference)") {
			t.Errorf("%s: %d regressions, %q", tc.name, c.Regressions, c.Headline())
		}
	}
	// Without generators (an older report) the host is not checked, and
	// the comparison says so.
	old := reportOf(2, scenarioOf("a", 5000, time.Millisecond, 5000, 3), scenarioOf("b", 5000, time.Millisecond, 5000, 4))
	old.Generators = nil
	c := Compare(base, old, 0.1)
	if !c.Comparable || len(c.Notes) != 1 || !strings.Contains(c.Notes[0], "not checked") {
		t.Errorf("old report: %v %q %q", c.Comparable, c.Differences, c.Notes)
	}
}

// TestCompareMergedReports: reports merged from two generators compare on
// their merged histograms, and a merge compared with a single run is not
// comparable (twice the load).
func TestCompareMergedReports(t *testing.T) {
	merged := func(at int64, median time.Duration) *Report {
		a := reportOf(at, scenarioOf("a", 10000, median, 10000, uint64(at)))
		b := reportOf(at+1, scenarioOf("a", 10000, median, 10000, uint64(at)+1))
		m, err := Merge(a, b)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	base, slow := merged(10, time.Millisecond), merged(20, 2*time.Millisecond)
	c := Compare(base, slow, 0.1)
	if !c.Comparable || rowOf(t, c, "a", "p99").Verdict != ChangeRegression || rowOf(t, c, "a", "p99").New.Samples != 20000 {
		t.Errorf("merged: %v %+v", c.Differences, rowOf(t, c, "a", "p99"))
	}
	// Through JSON, as CI passes them: the histograms travel encoded.
	var buf bytes.Buffer
	if err := slow.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := ReadReport(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if r := rowOf(t, Compare(base, back, 0.1), "a", "p99"); r.Verdict != ChangeRegression || r.New.Samples != 20000 {
		t.Errorf("from JSON: %+v", r)
	}
	single := reportOf(30, scenarioOf("a", 10000, time.Millisecond, 10000, 1))
	if c := Compare(base, single, 0.1); c.Comparable || !strings.Contains(strings.Join(c.Differences, ";"), "generators: base 2, new 1") {
		t.Errorf("merged vs single: %q", c.Differences)
	}
}

// TestCompareMarkdownGolden pins the Markdown a pull request comment
// shows (go test ./bench -run MarkdownGolden -update rewrites it).
func TestCompareMarkdownGolden(t *testing.T) {
	base := reportOf(1, scenarioOf("local-jwt", 20000, time.Millisecond, 20000, 1), scenarioOf("proxy-jwt", 400, 2*time.Millisecond, 400, 2))
	n := reportOf(2, scenarioOf("local-jwt", 20000, 1300*time.Microsecond, 20000, 3), scenarioOf("proxy-jwt", 400, 2*time.Millisecond, 399, 4))
	var b bytes.Buffer
	if err := Compare(base, n, 0.1).WriteMarkdown(&b, "base.json", "new.json"); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "compare.md")
	if *updateGolden {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("markdown differs from %s (-update rewrites it):\n%s", golden, b.String())
	}
	var txt bytes.Buffer
	if err := Compare(base, n, 0.1).WriteText(&txt, "base.json", "new.json"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(txt.String(), "local-jwt  p99 ") || !strings.Contains(txt.String(), "regression bound 10%") {
		t.Errorf("text:\n%s", txt.String())
	}
}

// withIntervals gives s k one-second intervals whose p50s and p99s are
// its own times the factors given in turn (a machine whose load comes and
// goes over the run).
func withIntervals(s ScenarioReport, k int, factors ...float64) ScenarioReport {
	for i := range k {
		f := factors[i%len(factors)]
		s.Intervals = append(s.Intervals, IntervalLatency{Requests: s.Requests / int64(k),
			P50: int64(float64(s.LatencyNs.P50) * f), P99: int64(float64(s.LatencyNs.P99) * f)})
	}
	return s
}

// TestCompareIntervalSpread: a run whose own intervals drift widely has a
// wider p50 and p99 interval than its sampling noise alone, so a shift of
// that size is no regression; the same shift between steady runs is.
func TestCompareIntervalSpread(t *testing.T) {
	base := scenarioOf("a", 20000, time.Millisecond, 20000, 1)
	slow := scenarioOf("a", 20000, 1200*time.Microsecond, 20000, 2)
	steady := Compare(reportOf(1, withIntervals(base, 10, 1)), reportOf(2, withIntervals(slow, 10, 1)), 0.1)
	if r := rowOf(t, steady, "a", "p50"); r.Verdict != ChangeRegression || r.Base.Spread {
		t.Errorf("steady: %s %+v", r.Verdict, r.Base)
	}
	noisy := Compare(reportOf(1, withIntervals(base, 10, 0.7, 1.3)), reportOf(2, withIntervals(slow, 10, 0.7, 1.3)), 0.1)
	for _, m := range []string{"p50", "p99"} {
		if r := rowOf(t, noisy, "a", m); r.Verdict != ChangeNoise || !r.Base.Spread || !r.New.Spread {
			t.Errorf("noisy %s: %s %+v", m, r.Verdict, r)
		}
	}
	// p90 has no interval series: the order-statistic interval decides.
	if r := rowOf(t, noisy, "a", "p90"); r.Verdict != ChangeRegression || r.Base.Spread {
		t.Errorf("noisy p90: %s", r.Verdict)
	}
	if studentT975(1) != 12.706 || studentT975(11) != 2.228 || studentT975(1000) != 1.96 {
		t.Error("t table")
	}
}
