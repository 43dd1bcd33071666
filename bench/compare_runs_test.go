package bench

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// driftSigma is the synthetic machine's run-to-run drift: every latency of
// a run is scaled by exp(driftSigma·N(0,1)), drawn once per run (other
// processes' load lasting the whole run). Within a run the latencies are
// log-normal around driftMedian as in scenarioOf: about a proxy
// scenario's p50 on this machine (the demo's proxy-jwt: 170-270µs over
// four runs at load 4-6, where its p50 moved by up to 35% between runs).
const (
	driftSigma  = 0.15
	driftMedian = 250 * time.Microsecond
)

// driftRun draws one synthetic run of 5,000 requests from rng: the
// build's latencies times the run's drift, plus add (an injected delay),
// its achieved rate times rateFactor (and 1% of run-to-run noise).
func driftRun(rng *rand.Rand, at int64, add time.Duration, rateFactor float64) *Report {
	drift := math.Exp(driftSigma * rng.NormFloat64())
	h := newHistogram()
	const n = 5000
	for range n {
		recordClamped(h, time.Duration(float64(driftMedian)*drift*math.Exp(0.3*rng.NormFloat64()))+add)
	}
	s := ScenarioReport{Name: "a", Mode: "local", Strategy: "jwt", Via: ViaInProc, Requests: n, Succeeded: n,
		WindowSeconds: 10, RateTarget: n / 10, RateAttempted: n / 10,
		RateAchieved: n / 10 * rateFactor * (1 + 0.01*rng.NormFloat64()), Sources: 1, Reasons: map[string]int64{}}
	s.corrected, s.uncorrected = h, h.Clone()
	s.finish()
	return reportOf(at, s)
}

// driftBases draws k baseline runs of the unchanged build.
func driftBases(rng *rand.Rand, k int) []*Report {
	bases := make([]*Report, k)
	for i := range bases {
		bases[i] = driftRun(rng, int64(i+1), 0, 1)
	}
	return bases
}

// TestCompareRunsSameBuild: a new run of the same build, drawn like its
// three baselines, is never a regression across 60 seeds, while against
// one baseline alone the same runs are in some seeds (the run-to-run
// drift no single run's interval holds: what several baselines fix).
func TestCompareRunsSameBuild(t *testing.T) {
	singleAlarms := 0
	for seed := range uint64(60) {
		rng := rand.New(rand.NewPCG(seed, 7))
		bases := driftBases(rng, 3)
		again := driftRun(rng, 9, 0, 1)
		c := CompareRuns(bases, again, 0.10)
		if !c.Comparable || c.BaselineRuns != 3 {
			t.Fatalf("seed %d: comparable %v, %d runs, %q", seed, c.Comparable, c.BaselineRuns, c.Differences)
		}
		if c.Regressions != 0 {
			for _, r := range c.Rows {
				t.Logf("%s %s %v → %s: %s", r.Metric, r.Base.render(r.kind), r.BaseRuns, r.New.render(r.kind), r.Verdict)
			}
			t.Errorf("seed %d: %s", seed, c.Headline())
		}
		if Compare(bases[0], again, 0.10).Regressions > 0 {
			singleAlarms++
		}
	}
	if singleAlarms == 0 {
		t.Error("one baseline never flagged the drift: the test does not exercise what several baselines are for")
	}
	t.Logf("one baseline: %d of 60 seeds flagged a regression", singleAlarms)
}

// TestCompareRunsShifted: a build 2 ms slower, or with 30% less
// throughput, is a regression against the same three baselines in every
// seed, drift and all.
func TestCompareRunsShifted(t *testing.T) {
	for seed := range uint64(60) {
		rng := rand.New(rand.NewPCG(seed, 7))
		bases := driftBases(rng, 3)
		slow := CompareRuns(bases, driftRun(rng, 9, 2*time.Millisecond, 1), 0.10)
		for _, m := range []string{"p50", "p90", "p99"} {
			if r := rowOf(t, slow, "a", m); r.Verdict != ChangeRegression {
				t.Errorf("seed %d: +2ms %s: %s (%s → %s)", seed, m, r.Verdict, r.Base.render(r.kind), r.New.render(r.kind))
			}
		}
		starved := CompareRuns(bases, driftRun(rng, 9, 0, 0.7), 0.10)
		if r := rowOf(t, starved, "a", "rps"); r.Verdict != ChangeRegression {
			t.Errorf("seed %d: -30%% rps: %s (%s → %s)", seed, r.Verdict, r.Base.render(r.kind), r.New.render(r.kind))
		}
	}
}

// TestPoolRuns pins the pooled bound: the union of the runs' intervals,
// widened to the t prediction interval, and one run's interval as it is.
func TestPoolRuns(t *testing.T) {
	one := Interval{Value: 10, Low: 9, High: 11, Bounded: true, Samples: 100}
	if got := poolRuns([]Interval{one}, math.Inf(1)); got != one {
		t.Errorf("one run: %+v", got)
	}
	// Values 10, 12, 14: mean 12, s 2, half 4.303·2·√(4/3) = 9.937.
	ivs := []Interval{one, {Value: 12, Low: 11.5, High: 12.5, Bounded: true, Samples: 100}, {Value: 14, Low: 13, High: 15, Bounded: true, Samples: 100}}
	got := poolRuns(ivs, math.Inf(1))
	if math.Abs(got.Value-12) > 1e-9 || math.Abs(got.High-21.937) > 1e-3 || math.Abs(got.Low-2.063) > 1e-3 ||
		!got.BetweenRuns || got.Runs != 3 || got.Samples != 300 || !got.Bounded {
		t.Errorf("three runs: %+v", got)
	}
	// Identical runs: no spread, the union of their intervals.
	same := poolRuns([]Interval{one, one}, math.Inf(1))
	if same.Low != 9 || same.High != 11 || same.BetweenRuns {
		t.Errorf("identical runs: %+v", same)
	}
	// Ratios stay within [0, 1]; an unbounded or empty run leaves it unbounded.
	ratio := poolRuns([]Interval{{Value: 0.9, Low: 0.8, High: 0.95, Bounded: true, Samples: 10}, {Value: 0.99, Low: 0.9, High: 1, Bounded: true, Samples: 10}}, 1)
	if ratio.High != 1 || ratio.Low < 0 {
		t.Errorf("ratio: %+v", ratio)
	}
	if poolRuns([]Interval{one, {}}, math.Inf(1)).Bounded {
		t.Error("an empty run left the pool bounded")
	}
}

// TestCompareRunsOutput: the output says how many baseline runs there
// were and how the bound was formed, marks widened intervals, lists each
// run's figure in JSON, and names which baseline is not comparable.
func TestCompareRunsOutput(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 7))
	bases := driftBases(rng, 3)
	c := CompareRuns(bases, driftRun(rng, 9, 0, 1), 0.10)
	var txt strings.Builder
	if err := c.WriteText(&txt, "b1.json, b2.json, b3.json", "new.json"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"3 baseline runs: each figure's noise bound is the union", "t = 4.3 at 2 degrees of freedom", "† widened to the spread between the 3 baseline runs"} {
		if !strings.Contains(txt.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, txt.String())
		}
	}
	var md strings.Builder
	if err := c.WriteMarkdown(&md, "b1.json, b2.json, b3.json", "new.json"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"overlapping intervals are noise. 3 baseline runs: each figure", "\n† widened to the spread between the 3 baseline runs", "| a | p50 | "} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	if r := rowOf(t, c, "a", "p50"); len(r.BaseRuns) != 3 || r.Base.Runs != 3 {
		t.Errorf("p50 row: %+v", r)
	}
	// The files in the wrong order: the new run first.
	swapped := CompareRuns(bases[1:], bases[0], 0.10)
	if len(swapped.Notes) != 2 || !strings.HasPrefix(swapped.Notes[0], "the new run (the last file) started before the base 1 run (1970-01-01T00:00:01Z < 1970-01-01T00:00:02Z)") {
		t.Errorf("swapped notes %q", swapped.Notes)
	}
	if len(c.Notes) != 0 {
		t.Errorf("notes in order: %q", c.Notes)
	}
	bases[1].Schedule = "10s@1000/s"
	c = CompareRuns(bases, driftRun(rng, 9, 0, 1), 0.10)
	if c.Comparable || len(c.Differences) != 1 || c.Differences[0] != "schedule: base 2 10s@1000/s, new 10s@500/s" {
		t.Errorf("one baseline off: %q", c.Differences)
	}
}
