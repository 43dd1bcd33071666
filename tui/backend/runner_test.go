package backend

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/bench"
	"github.com/authscope/authscope/tui"
	"github.com/google/go-cmp/cmp"
)

// tinyProfile is a real bench run of two in-process scenarios, a fraction
// of a second long.
func tinyProfile() LoadProfile {
	cfg := bench.Config{
		Rate: 200, Duration: bench.Duration(300 * time.Millisecond),
		Scenarios: []bench.ScenarioSpec{
			{Name: "fast-local", Mode: "local", Strategy: "jwt"},
			{Name: "slow-proxy", Mode: "proxy", Strategy: "jwt"},
		},
		Population: bench.PopulationConfig{Sessions: 4},
	}
	target := func(d time.Duration) bench.Target {
		return bench.TargetFunc(func(ctx context.Context, cookie string) (bench.Outcome, error) {
			if cookie == "" {
				return bench.Outcome{Reason: "no_cookie"}, nil
			}
			time.Sleep(d)
			return bench.Outcome{Reason: "session"}, nil
		})
	}
	return LoadProfile{
		Name:   "tiny",
		Config: cfg,
		Targets: func(_ context.Context, _ tui.Settings, cfg bench.Config) (bench.Config, bench.Targets, func(), error) {
			return cfg, bench.Targets{
				InProc:     map[string]bench.Target{"fast-local": target(0), "slow-proxy": target(2 * time.Millisecond)},
				Population: bench.StaticPopulation{Valid: []string{"a=1", "a=2", "a=3", "a=4"}},
			}, func() {}, nil
		},
	}
}

func TestBenchRunnerStreamsAFinalSnapshotAndExports(t *testing.T) {
	dir := t.TempDir()
	r := NewBenchRunner([]LoadProfile{tinyProfile()}, bench.CapacityConfig{}, dir)
	ch, err := r.Start(t.Context(), "tiny", tui.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	var last tui.RunSnapshot
	for s := range ch {
		last = s
	}
	if last.Current != "" {
		t.Fatalf("final snapshot names a running scenario: %q", last.Current)
	}
	if !last.Final || last.Err != nil {
		t.Fatalf("last snapshot: final %v err %v", last.Final, last.Err)
	}
	if len(last.Scenarios) != 2 || last.Scenarios[0].Requests == 0 || last.Scenarios[1].Requests == 0 {
		t.Fatalf("scenarios: %+v", last.Scenarios)
	}
	fast, slow := last.Scenarios[0], last.Scenarios[1]
	minFast, _ := latencyAt(fast.Percentiles, 0)
	p50s, _ := latencyAt(slow.Percentiles, 50)
	if p50s < 2*time.Millisecond || minFast >= 2*time.Millisecond {
		t.Fatalf("fast min %v, slow p50 %v: want the slow scenario ≥ 2ms and the fast one below", minFast, p50s)
	}
	if last.Elapsed != last.Duration {
		t.Fatalf("final progress %v of %v", last.Elapsed, last.Duration)
	}
	if last.Scenarios[1].Mode != "proxy" || last.Scenarios[0].Reasons["session"] == 0 {
		t.Fatalf("labels/reasons: %+v", last.Scenarios)
	}
	path, err := r.Export(t.Context(), last)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(path) != dir || !strings.HasSuffix(path, ".json") {
		t.Fatalf("export path %s", path)
	}
	body, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(body), `"fast-local"`) {
		t.Fatalf("report: %v %.200s", err, body)
	}
	if _, err := os.Stat(strings.TrimSuffix(path, ".json") + ".html"); err != nil {
		t.Fatal(err)
	}
	// Without a directory, reports go to the user cache dir, never the
	// working directory (often a repository).
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv("HOME", cache)
	r.dir = ""
	path, err = r.Export(t.Context(), last)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(path, cache+string(filepath.Separator)) || !strings.Contains(path, filepath.Join("authscope", "exports")) {
		t.Fatalf("default export path %s, want under %s", path, cache)
	}
}

func TestConvertSnapshotProgress(t *testing.T) {
	s := bench.Snapshot{Current: 1, Scenarios: []bench.ScenarioSnapshot{
		{State: bench.StateDone, Elapsed: 6 * time.Second, Planned: 6 * time.Second, Report: bench.ScenarioReport{Name: "a", Mode: "local", Requests: 1000, RateAttempted: 200, RateAchieved: 199}},
		{State: bench.StateMeasuring, Elapsed: 2 * time.Second, Planned: 6 * time.Second, Report: bench.ScenarioReport{Name: "b", Mode: "proxy", Requests: 300, Errors: 2, RateAttempted: 150, RateAchieved: 140, WindowSeconds: 2,
			Reasons: map[string]int64{"session": 290, "upstream_timeout": 2}, LatencyNs: bench.Latency{P50: 1000, P90: 2000, P99: 3000, P999: 4000, P9999: 5000, Max: 6000}}},
	}}
	got := convertSnapshot("p", s)
	if got.Elapsed != 8*time.Second || got.Duration != 12*time.Second {
		t.Fatalf("progress %v of %v, want 8s of 12s", got.Elapsed, got.Duration)
	}
	if got.AttemptedRate != 150 || got.AchievedRate != 140 || got.Current != "b (2/2, measuring)" {
		t.Fatalf("current scenario: %+v", got)
	}
	b := got.Scenarios[1]
	if b.Mode != "proxy" || b.Errors != 2 || b.Reasons["upstream_timeout"] != 2 {
		t.Fatalf("scenario b: %+v", b)
	}
	// Without histograms the report's fixed percentiles make the curve.
	if p99, _ := latencyAt(b.Percentiles, 99); p99 != 3000 || b.Max != 6000 {
		t.Fatalf("b's p99 %v max %v", p99, b.Max)
	}
	if got.RatesPending {
		t.Fatal("rates over a 2s window marked pending")
	}
	// Right after warm-up: a few requests over milliseconds are no rate.
	s.Scenarios[1].Report.WindowSeconds = 0.005
	s.Scenarios[1].Report.RateAttempted = 55356
	got = convertSnapshot("p", s)
	if !got.RatesPending {
		t.Fatalf("rates over a 5ms window shown: %+v", got)
	}
	s.Final, s.Current = true, -1
	if got := convertSnapshot("p", s); got.Current != "" || !got.Final {
		t.Fatalf("final: %+v", got)
	}
}

func TestBenchRunnerStopsOnCancel(t *testing.T) {
	p := tinyProfile()
	p.Config.Duration = bench.Duration(time.Minute)
	r := NewBenchRunner([]LoadProfile{p}, bench.CapacityConfig{}, t.TempDir())
	ctx, cancel := context.WithCancel(t.Context())
	ch, err := r.Start(ctx, "tiny", tui.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	<-ch
	cancel()
	deadline := time.After(10 * time.Second)
	var last tui.RunSnapshot
	for {
		select {
		case s, ok := <-ch:
			if !ok {
				if !last.Final {
					t.Fatal("channel closed without a final snapshot")
				}
				// Stopped in the first scenario of two one-minute ones: the
				// final snapshot says so and how far it got, not 50%.
				if !last.Stopped || last.Elapsed >= 30*time.Second || last.Duration != 2*time.Minute {
					t.Fatalf("stopped run: stopped %v at %v of %v", last.Stopped, last.Elapsed, last.Duration)
				}
				return
			}
			last = s
		case <-deadline:
			t.Fatal("run did not stop after cancel")
		}
	}
}

func TestBenchRunnerCapacityStreamsProbes(t *testing.T) {
	cc := bench.CapacityConfig{
		SLO: bench.SLO{Quantile: 99, Limit: time.Second}, StartRate: 50, MaxRate: 100,
		StepDuration: bench.Duration(200 * time.Millisecond), StepWarmup: -1, MaxSteps: 3,
	}
	r := NewBenchRunner([]LoadProfile{tinyProfile()}, cc, t.TempDir())
	ch, err := r.Capacity(t.Context(), "tiny", tui.Settings{Mode: "local"})
	if err != nil {
		t.Fatal(err)
	}
	var steps []tui.CapacityStep
	for s := range ch {
		steps = append(steps, s)
	}
	if len(steps) < 3 || !steps[0].Started || !steps[len(steps)-1].Final {
		t.Fatalf("steps: %+v", steps)
	}
	// The search announces itself before its first probe ends, and every
	// step names the scenario.
	if steps[0].Scenario != "fast-local" || steps[0].Criteria != "p99 ≤ 1s" {
		t.Fatalf("start: %+v", steps[0])
	}
	for _, s := range steps {
		if s.Scenario != "fast-local" {
			t.Fatalf("a step without its scenario: %+v", s)
		}
	}
	steps = steps[1:]
	// The result is the highest passing probe (which probes pass depends
	// on the machine's load, so the test checks the relation, not a rate).
	best := 0.0
	for _, s := range steps[:len(steps)-1] {
		if s.Final {
			t.Fatalf("a final step before the end: %+v", steps)
		}
		if s.OK {
			best = max(best, s.Rate)
		}
	}
	if got := steps[len(steps)-1]; got.Rate != best || got.Err != nil {
		t.Fatalf("capacity %+v, want the best passing probe %v/s", got, best)
	}
}

func TestBenchRunnerUnknownProfile(t *testing.T) {
	r := NewBenchRunner(nil, bench.CapacityConfig{}, "")
	if _, err := r.Start(t.Context(), "nope", tui.Settings{}); err == nil {
		t.Fatal("unknown profile started")
	}
}

// A capacity search exports as JSON under a name of its own.
func TestBenchRunnerExportsCapacity(t *testing.T) {
	dir := t.TempDir()
	r := NewBenchRunner(nil, bench.CapacityConfig{}, dir)
	if _, err := r.ExportCapacity(t.Context(), "p", sampleSteps()[:3]); err == nil {
		t.Fatal("exported a search that has not finished")
	}
	path, err := r.ExportCapacity(t.Context(), "p", sampleSteps())
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(path) != dir || !strings.Contains(filepath.Base(path), "authscope-p-capacity-") {
		t.Fatalf("path %s", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got capacityExport
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := capacityExport{Profile: "p", Scenario: "database-local-cached", SLO: "p99 ≤ 25ms, errors ≤ 1%", Capacity: 150,
		Result: "database-local-cached → capacity 150/s",
		Probes: []capacityProbe{{Rate: 100, P99Ns: 1e6, Success: 1, Pass: true}, {Rate: 200, P99Ns: 90e6, Success: 0.97}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("export (-want +got):\n%s", diff)
	}
}
