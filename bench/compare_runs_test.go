package bench

import (
	"math"
	"math/rand/v2"
	"slices"
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

// driftSeeds is how many independent draws the drift tests make.
const driftSeeds = 60

// TestCompareRunsSameBuild: a new run of the same build, drawn like its
// two, three or five baselines, is not a regression across 60 seeds but
// for at most one (a 95% prediction interval's tail is 2.5% per metric
// before the 10% bound: no calibrated test can promise never), while
// against one baseline alone the same runs are in many seeds (the
// run-to-run drift no single run's interval holds: what several baselines
// fix).
func TestCompareRunsSameBuild(t *testing.T) {
	for _, k := range []int{2, 3, 5} {
		alarms, singleAlarms := 0, 0
		for seed := range uint64(driftSeeds) {
			rng := rand.New(rand.NewPCG(seed, 7))
			bases := driftBases(rng, k)
			again := driftRun(rng, 9, 0, 1)
			c := CompareRuns(bases, again, 0.10)
			if !c.Comparable || c.BaselineRuns != k {
				t.Fatalf("%d baselines, seed %d: comparable %v, %d runs, %q", k, seed, c.Comparable, c.BaselineRuns, c.Differences)
			}
			if c.Regressions != 0 {
				alarms++
				t.Logf("%d baselines, seed %d: %s", k, seed, c.Headline())
			}
			if Compare(bases[0], again, 0.10).Regressions > 0 {
				singleAlarms++
			}
		}
		t.Logf("%d baselines: %d of %d seeds flagged a regression; one baseline alone: %d", k, alarms, driftSeeds, singleAlarms)
		if alarms > 1 {
			t.Errorf("%d baselines: the same build flagged in %d of %d seeds, want at most 1", k, alarms, driftSeeds)
		}
		if singleAlarms < 10 {
			t.Errorf("%d baselines: one baseline flagged the drift in only %d seeds: the test does not exercise what several baselines are for", k, singleAlarms)
		}
	}
}

// TestCompareRunsShifted: a build 2 ms slower, or with 30% less
// throughput, fails the gate against three or five baselines in every
// seed, drift and all: its p50 and its rps are regressions every time.
// (The tails are noisier: p90 and p99 may stay within the bound in a few
// seeds, and are only logged.)
func TestCompareRunsShifted(t *testing.T) {
	for _, k := range []int{3, 5} {
		missed := map[string]int{}
		for seed := range uint64(driftSeeds) {
			rng := rand.New(rand.NewPCG(seed, 7))
			bases := driftBases(rng, k)
			slow := CompareRuns(bases, driftRun(rng, 9, 2*time.Millisecond, 1), 0.10)
			for _, m := range []string{"p50", "p90", "p99"} {
				if rowOf(t, slow, "a", m).Verdict != ChangeRegression {
					missed[m]++
				}
			}
			if r := rowOf(t, slow, "a", "p50"); r.Verdict != ChangeRegression || slow.Regressions == 0 {
				t.Errorf("%d baselines, seed %d: +2ms p50: %s (%s → %s)", k, seed, r.Verdict, r.Base.render(r.kind), r.New.render(r.kind))
			}
			starved := CompareRuns(bases, driftRun(rng, 9, 0, 0.7), 0.10)
			if r := rowOf(t, starved, "a", "rps"); r.Verdict != ChangeRegression {
				t.Errorf("%d baselines, seed %d: -30%% rps: %s (%s → %s)", k, seed, r.Verdict, r.Base.render(r.kind), r.New.render(r.kind))
			}
		}
		t.Logf("%d baselines, +2ms: not a regression in p50 %d, p90 %d, p99 %d of %d seeds", k, missed["p50"], missed["p90"], missed["p99"], driftSeeds)
	}
}

// TestPoolRuns pins the pooled bound: the union of the runs' intervals,
// widened to the t prediction interval (on the log scale for latencies and
// rates, the plain one for ratios), and one run's interval as it is.
func TestPoolRuns(t *testing.T) {
	one := Interval{Value: 10, Low: 9, High: 11, Bounded: true, Samples: 100}
	if got := poolRuns([]Interval{one}, false); got != one {
		t.Errorf("one run: %+v", got)
	}
	// Latencies 10, 12, 14: the logarithms' mean and sd, t = 4.303 and
	// √(4/3) give the geometric mean 11.888 and [5.148, 27.451].
	ivs := []Interval{one, {Value: 12, Low: 11.5, High: 12.5, Bounded: true, Samples: 100}, {Value: 14, Low: 13, High: 15, Bounded: true, Samples: 100}}
	got := poolRuns(ivs, false)
	if math.Abs(got.Value-11.888) > 1e-3 || math.Abs(got.High-27.451) > 1e-3 || math.Abs(got.Low-5.148) > 1e-3 ||
		!got.BetweenRuns || got.Runs != 3 || got.Samples != 300 || !got.Bounded {
		t.Errorf("three runs: %+v", got)
	}
	// Ratios 0.10, 0.12, 0.14 on the plain scale: mean 0.12, s 0.02, half
	// 4.303·0.02·√(4/3) = 0.09937; clamped to [0, 1].
	ratios := []Interval{{Value: 0.10, Low: 0.09, High: 0.11, Bounded: true, Samples: 100}, {Value: 0.12, Low: 0.11, High: 0.13, Bounded: true, Samples: 100}, {Value: 0.14, Low: 0.13, High: 0.15, Bounded: true, Samples: 100}}
	if r := poolRuns(ratios, true); math.Abs(r.Value-0.12) > 1e-9 || math.Abs(r.High-0.21937) > 1e-4 || math.Abs(r.Low-0.02063) > 1e-4 {
		t.Errorf("ratios: %+v", r)
	}
	wide := poolRuns([]Interval{{Value: 0.5, Low: 0.4, High: 0.6, Bounded: true, Samples: 10}, {Value: 0.99, Low: 0.9, High: 1, Bounded: true, Samples: 10}}, true)
	if wide.High != 1 || wide.Low != 0 {
		t.Errorf("ratio clamp: %+v", wide)
	}
	// Identical runs: no spread, the union of their intervals.
	same := poolRuns([]Interval{one, one}, false)
	if same.Low != 9 || same.High != 11 || same.BetweenRuns {
		t.Errorf("identical runs: %+v", same)
	}
	// A zero (a rate of nothing succeeded) falls back to the plain scale;
	// an unbounded or empty run leaves the pool unbounded.
	if z := poolRuns([]Interval{{Value: 0, Bounded: true, Samples: 5}, one}, false); z.Value != 5 || z.Low != 0 {
		t.Errorf("zero: %+v", z)
	}
	if poolRuns([]Interval{one, {}}, false).Bounded {
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
	if len(swapped.Notes) < 2 || !strings.HasPrefix(swapped.Notes[0], "the new run (the last file) started before the base 1 run (1970-01-01T00:00:01Z < 1970-01-01T00:00:02Z)") ||
		!strings.Contains(swapped.Notes[1], "before the base 2 run") {
		t.Errorf("swapped notes %q", swapped.Notes)
	}
	if slices.ContainsFunc(c.Notes, func(n string) bool { return strings.Contains(n, "started before") }) {
		t.Errorf("notes in order: %q", c.Notes)
	}
	// Baselines that disagree by ×5 leave a bound a doubling passes: said.
	wild := []*Report{reportOf(1, scenarioOf("a", 5000, time.Millisecond, 5000, 1)), reportOf(2, scenarioOf("a", 5000, 5*time.Millisecond, 5000, 2)),
		reportOf(3, scenarioOf("a", 5000, 2*time.Millisecond, 5000, 3))}
	blind := CompareRuns(wild, reportOf(4, scenarioOf("a", 5000, 4*time.Millisecond, 5000, 4)), 0.10)
	if blind.Regressions != 0 || len(blind.Notes) != 1 || !strings.HasPrefix(blind.Notes[0], "a: a new p50 up to ") || !strings.Contains(blind.Notes[0], "a doubling would not show") {
		t.Errorf("wild baselines: %s, notes %q", blind.Headline(), blind.Notes)
	}
	// One steady baseline (its own interval only) can see a doubling: no note.
	if steady := Compare(wild[0], wild[0], 0.10); len(steady.Notes) != 0 {
		t.Errorf("steady baseline: notes %q", steady.Notes)
	}
	bases[1].Schedule = "10s@1000/s"
	c = CompareRuns(bases, driftRun(rng, 9, 0, 1), 0.10)
	if c.Comparable || len(c.Differences) != 1 || c.Differences[0] != "schedule: base 2 10s@1000/s, new 10s@500/s" {
		t.Errorf("one baseline off: %q", c.Differences)
	}
}
