package bench

import (
	"context"
	"encoding/json"
	"math"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// server is a fake target with one server and a fixed service time: it
// holds about 1/service requests a second, and queues beyond that.
type server struct {
	mu      sync.Mutex
	service time.Duration
}

func (s *server) Do(ctx context.Context, _ string) (Outcome, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	end := time.Now().Add(s.service)
	for time.Until(end) > spinWindow {
		nanosleep(time.Until(end) - spinWindow)
	}
	for time.Now().Before(end) {
	}
	return Outcome{Reason: "session"}, nil
}

func TestFindCapacity(t *testing.T) {
	// The search against one server with a 2ms service time (500/s),
	// simulated in virtual time through the run's pacer, recorder, window
	// and interval log (see kneeSim): every probe's figures are exact, so
	// the search's path is too. Up by doubling from a pass: 100, 200, 400
	// pass; 800 fails (achieved ~457/s, the queue grows) and is confirmed
	// by a repeat before the search believes it. Then geometric
	// narrowing: 566 fails (confirmed), 476 passes, 519 fails on the
	// queue building over the step (its achieved rate and p99 alone would
	// pass: a 500/s server achieves 95% of it), confirmed; the bracket
	// (476, 519) is within the 15% precision, and the capacity is measured
	// a second time.
	cc := CapacityConfig{
		SLO: SLO{Quantile: 99, Limit: 100 * time.Millisecond}, MaxErrors: 0.001,
		StartRate: 100, StepDuration: Duration(400 * time.Millisecond), StepWarmup: Duration(100 * time.Millisecond),
		Precision: 0.15, MaxSteps: 14, MinSamples: 200,
	}
	spec := ScenarioSpec{Name: "single", Mode: "local", Strategy: "jwt", Via: ViaInProc}
	var seen []Probe
	sim := &kneeSim{mean: 2 * time.Millisecond}
	c, err := searchCapacity(t.Context(), Config{Scenarios: []ScenarioSpec{spec}}, "single", Targets{}, cc,
		func(p Probe) { seen = append(seen, p) }, sim.env())
	if err != nil {
		t.Fatal(err)
	}
	var rates []float64
	var pass []bool
	var purposes []string
	for _, s := range c.Steps {
		rates, pass, purposes = append(rates, s.Rate), append(pass, s.Pass), append(purposes, s.Purpose)
	}
	if diff := cmp.Diff([]float64{100, 200, 400, 800, 800, 566, 566, 476, 519, 519, 476}, rates); diff != "" {
		t.Errorf("probed rates (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]bool{true, true, true, false, false, false, false, true, false, false, true}, pass); diff != "" {
		t.Errorf("passes (-want +got):\n%s", diff)
	}
	want := []string{"search", "search", "search", "search", "confirm", "search", "confirm", "search", "search", "confirm", "confirm"}
	if diff := cmp.Diff(want, purposes); diff != "" {
		t.Errorf("purposes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(c.Steps, seen); diff != "" {
		t.Errorf("progress saw other probes than the steps (-steps +seen):\n%s", diff)
	}
	if c.Rate != 476 || c.BracketHigh != 519 || !c.Confirmed || c.LowerBound || c.AtCeiling || c.Canceled {
		t.Errorf("capacity %.0f/s bracket %.0f (confirmed %v, lower bound %v), want the 500/s server bracketed: %s",
			c.Rate, c.BracketHigh, c.Confirmed, c.LowerBound, summary(c))
	}
	if diff := cmp.Diff(map[string]int{"confirm": 4}, c.Repeats); diff != "" {
		t.Errorf("repeats (-want +got):\n%s", diff)
	}
	for _, s := range c.Steps {
		if s.Rate >= 566 && (s.Pass || !strings.Contains(s.Why, "achieved")) {
			t.Errorf("a rate the server cannot hold passed, or failed for another reason: %+v", s)
		}
		if s.Rate == 519 && (s.Pass || !strings.Contains(s.Why, "queue building") || strings.Contains(s.Why, "achieved")) {
			t.Errorf("519/s: want a failure on the queue's signature alone: %+v", s)
		}
		if s.Pass && (s.Latency != c.Steps[0].Latency || s.Latency < int64(2*time.Millisecond) || s.Achieved < achievedFloor*s.Rate) {
			t.Errorf("a passing step did not see the bare 2ms service time at its full rate: %+v", s)
		}
		// Steps are lengthened to hold the samples asked for.
		if s.Samples < 200 || s.SamplesWanted != 200 {
			t.Errorf("%.0f/s: %d samples of %d wanted", s.Rate, s.Samples, s.SamplesWanted)
		}
	}
}

// TestFindCapacityBracketsDownward: a first probe above the knee fails
// (confirmed), the search halves down to a pass, then narrows: it does
// not stop at the first pass below.
func TestFindCapacityBracketsDownward(t *testing.T) {
	cc := CapacityConfig{
		SLO: SLO{Quantile: 99, Limit: 100 * time.Millisecond}, MaxErrors: 0.001,
		StartRate: 4000, StepDuration: Duration(400 * time.Millisecond), StepWarmup: Duration(100 * time.Millisecond),
		Precision: 0.1, MinSamples: 200,
	}
	spec := ScenarioSpec{Name: "single", Mode: "local", Via: ViaInProc}
	c, err := findCapacity(t.Context(), Config{Scenarios: []ScenarioSpec{spec}}, "single", Targets{}, cc, nil, simExecute(2*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	var rates []float64
	for _, s := range c.Steps {
		rates = append(rates, s.Rate)
	}
	if len(rates) < 6 || rates[0] != 4000 || rates[1] != 4000 || rates[2] != 2000 {
		t.Errorf("rates %v: want 4000 confirmed, then halving", rates)
	}
	if c.Rate < 475 || c.Rate > 526 || c.BracketHigh > c.Rate*1.1 || !c.Confirmed {
		t.Errorf("capacity %.0f/s bracket %.0f, want 500/s within 10%%: %v", c.Rate, c.BracketHigh, rates)
	}
}

// TestFindCapacitySmoke runs the search end to end against a real server
// holding at most 500/s (a 2ms service under a lock). It checks only what
// the machine's speed cannot change: the search's shape (start rate,
// doubling while steps pass, a probe per step), and that no rate the
// server cannot hold passes: a passing step achieved 95% of its rate, so
// none above 500/0.95 = 526/s can pass. How close the search gets to 500/s
// depends on the CPU; TestFindCapacity checks the figures exactly.
func TestFindCapacitySmoke(t *testing.T) {
	srv := &server{service: 2 * time.Millisecond}
	spec, tg := inproc("single", srv)
	cc := CapacityConfig{
		SLO: SLO{Quantile: 99, Limit: 100 * time.Millisecond}, MaxErrors: 0.001,
		StartRate: 100, StepDuration: Duration(400 * time.Millisecond), StepWarmup: Duration(100 * time.Millisecond),
		Precision: 0.15, MaxSteps: 8, MinSamples: 40,
	}
	// A quiet host: the test checks the search's shape, and on a loaded
	// machine a failure would be re-measured after pauses.
	var seen []Probe
	c, err := searchCapacity(t.Context(), Config{Scenarios: []ScenarioSpec{spec}}, "single", tg, cc, func(p Probe) { seen = append(seen, p) }, quietEnv(Execute))
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != len(c.Steps) || len(c.Steps) < 2 {
		t.Fatalf("steps %d, progress %d", len(c.Steps), len(seen))
	}
	if c.Steps[0].Rate != 100 {
		t.Errorf("first step %.0f/s, want the start rate", c.Steps[0].Rate)
	}
	for i := 1; i < len(c.Steps) && c.Steps[i-1].Pass && c.Steps[i].Purpose == "search"; i++ {
		if c.Steps[i].Rate != 2*c.Steps[i-1].Rate {
			t.Errorf("step %d: %.0f/s after a pass at %.0f/s, want doubling", i, c.Steps[i].Rate, c.Steps[i-1].Rate)
		}
	}
	for _, s := range c.Steps {
		if s.Rate > 500/achievedFloor && (s.Pass || s.Why == "") {
			t.Errorf("%.0f/s against a 500/s server passed: %+v", s.Rate, s)
		}
	}
	// A rate whose passes stand (more passes than failures there) is at
	// most the capacity; a single pass outvoted by failures is not.
	votes := map[float64]int{}
	for _, s := range c.Steps {
		if s.Verdict == VerdictPass {
			votes[s.Rate]++
		} else if s.Verdict == VerdictFail {
			votes[s.Rate]--
		}
	}
	for rate, v := range votes {
		if v > 0 && rate > c.Rate {
			t.Errorf("passes stand at %.0f/s, above the reported capacity %.0f/s: %s", rate, c.Rate, summary(c))
		}
	}
	if c.Rate > 500/achievedFloor {
		t.Errorf("capacity %.0f/s, above what a 500/s server can hold", c.Rate)
	}
}

func TestEvaluate(t *testing.T) {
	cc := CapacityConfig{SLO: SLO{Quantile: 99, Limit: 5 * time.Millisecond}, MaxErrors: 0.001}
	h := newHistogram()
	for range 100 {
		_ = h.RecordValue(int64(time.Millisecond))
	}
	s := &ScenarioReport{Requests: 100, RateAchieved: 940, ErrorRatio: 0.01, corrected: h}
	p := cc.evaluate(1000, s)
	if p.Pass || !strings.Contains(p.Why, "achieved") || !strings.Contains(p.Why, "errors") || strings.Contains(p.Why, "p99") {
		t.Errorf("probe %+v", p)
	}
	s.RateAchieved, s.ErrorRatio = 960, 0
	if p := cc.evaluate(1000, s); !p.Pass {
		t.Errorf("probe %+v should pass", p)
	}
}

func TestMakePlan(t *testing.T) {
	caps := []Capacity{
		{Scenario: ScenarioSpec{Name: "local", Mode: "local"}, Rate: 10000},
		{Scenario: ScenarioSpec{Name: "proxy", Mode: "proxy"}, Rate: 5000, CacheHitRatio: 0, UpstreamRatio: 1},
		{Scenario: ScenarioSpec{Name: "proxy-cache", Mode: "proxy", Cache: true}, Rate: 8000, CacheHitRatio: 0.95, UpstreamRatio: 0.05},
		{Scenario: ScenarioSpec{Name: "upstream", Mode: "upstream"}, Rate: 2000},
		{Scenario: ScenarioSpec{Name: "broken", Mode: "local"}, Rate: 0},
	}
	p := MakePlan(caps, PlanConfig{Peak: 20000, Headroom: 0.3})
	if p.Need != 26000 || p.UpstreamCapacity != 2000 {
		t.Fatalf("need %.0f upstream %.0f", p.Need, p.UpstreamCapacity)
	}
	byName := map[string]PlanLine{}
	for _, l := range p.Lines {
		byName[l.Scenario] = l
	}
	if l := byName["local"]; l.Instances != 3 || !l.Feasible {
		t.Errorf("local: %+v", l)
	}
	if l := byName["proxy"]; l.Feasible || l.Instances != 6 || math.Abs(l.RequiredHitRatio-(1-2000.0/26000)) > 1e-9 {
		t.Errorf("proxy without cache: %+v", l)
	}
	if l := byName["proxy-cache"]; !l.Feasible || l.Instances != 4 {
		t.Errorf("proxy with a 95%% cache: %+v", l)
	}
	if l := byName["broken"]; l.Feasible {
		t.Errorf("a scenario that never met the SLO is feasible: %+v", l)
	}
	if l := MakePlan(caps[:1], PlanConfig{Peak: 20000, Headroom: 0.3, MaxInstances: 2}).Lines[0]; l.Feasible {
		t.Errorf("3 instances > max 2 yet feasible: %+v", l)
	}
}

func TestParseSLO(t *testing.T) {
	s, err := ParseSLO("p99.9=20ms")
	if err != nil || s.Quantile != 99.9 || s.Limit != 20*time.Millisecond || s.String() != "p99.9=20ms" {
		t.Errorf("%+v %v", s, err)
	}
	for _, bad := range []string{"99=5ms", "p0=1ms", "p99=", "p101=1s"} {
		if _, err := ParseSLO(bad); err == nil {
			t.Errorf("ParseSLO(%q): no error", bad)
		}
	}
}

func TestWriteCapacity(t *testing.T) {
	caps := []Capacity{{Scenario: ScenarioSpec{Name: "local", Mode: "local", Via: ViaInProc}, Rate: 800, Steps: []Probe{
		{Rate: 100, Achieved: 100, Latency: int64(time.Millisecond), Pass: true},
		{Rate: 1600, Achieved: 900, Latency: int64(time.Second), Why: "achieved 900/s < 95% of 1600/s"},
	}}}
	cc := CapacityConfig{SLO: SLO{Quantile: 99, Limit: 5 * time.Millisecond}, MaxErrors: 0.001}
	var b strings.Builder
	if err := WriteCapacity(&b, caps, cc, MakePlan(caps, PlanConfig{Peak: 2000, Headroom: 0.3})); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"local (local/ cache=false via inproc): capacity 800/s", "FAIL: achieved 900/s", "peak 2000/s + 30% headroom = 2600/s", "SLO p99=5ms"} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`local\s+800\s+4\s+-\s+yes`).MatchString(out) {
		t.Errorf("plan line:\n%s", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasSuffix(line, " ") {
			t.Errorf("trailing space: %q", line)
		}
	}
}

// TestCapacityStoppedAtMaxSteps: a search cut short by MaxSteps with every
// step passing reports a lower bound, not a measured limit.
func TestCapacityStoppedAtMaxSteps(t *testing.T) {
	cc := CapacityConfig{
		SLO: SLO{Quantile: 99, Limit: 100 * time.Millisecond}, MaxErrors: 0.001,
		StartRate: 50, StepDuration: Duration(400 * time.Millisecond), StepWarmup: Duration(100 * time.Millisecond), MaxSteps: 2,
	}
	spec := ScenarioSpec{Name: "single", Mode: "local", Strategy: "jwt", Via: ViaInProc}
	c, err := findCapacity(t.Context(), Config{Scenarios: []ScenarioSpec{spec}}, "single", Targets{}, cc, nil, simExecute(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if c.Rate != 100 || !c.LowerBound || c.StoppedBy != "max-steps" || c.AtCeiling {
		t.Errorf("capacity %.0f lower bound %v stopped by %q ceiling %v: %+v", c.Rate, c.LowerBound, c.StoppedBy, c.AtCeiling, c.Steps)
	}
	var b strings.Builder
	if err := WriteCapacity(&b, []Capacity{c}, cc, MakePlan([]Capacity{c}, PlanConfig{Peak: 200, Headroom: 0.3})); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); !strings.Contains(out, "capacity ≥100/s (stopped at max-steps") || !regexp.MustCompile(`single\s+≥100\s+≤3\s+-\s+yes`).MatchString(out) {
		t.Errorf("report:\n%s", out)
	}
}

// TestMakePlanLowerBound: a plan never fails a peak on a floor; it is
// undecided instead, while a measured failure stays a NO.
func TestMakePlanLowerBound(t *testing.T) {
	caps := []Capacity{
		{Scenario: ScenarioSpec{Name: "local", Mode: "local"}, Rate: 100, LowerBound: true, StoppedBy: "max-steps"},
		{Scenario: ScenarioSpec{Name: "proxy", Mode: "proxy"}, Rate: 100, LowerBound: true, UpstreamRatio: 1},
		{Scenario: ScenarioSpec{Name: "upstream", Mode: "upstream"}, Rate: 200, LowerBound: true, StoppedBy: "max-steps"},
		{Scenario: ScenarioSpec{Name: "measured", Mode: "local"}, Rate: 50},
	}
	p := MakePlan(caps, PlanConfig{Peak: 200, Headroom: 0.3, MaxInstances: 2})
	if !p.UpstreamLowerBound {
		t.Errorf("upstream floor not marked: %+v", p)
	}
	got := map[string][2]bool{}
	for _, l := range p.Lines {
		got[l.Scenario] = [2]bool{l.Feasible, l.Undecided}
		if l.Undecided && !strings.HasPrefix(l.Why, "unknown: search stopped before a limit was found") {
			t.Errorf("%s: why %q", l.Scenario, l.Why)
		}
	}
	want := map[string][2]bool{"local": {false, true}, "proxy": {false, true}, "upstream": {true, false}, "measured": {false, false}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(feasible, undecided) (-want +got):\n%s", diff)
	}
}

// TestMakePlanSaysUpstreamNotMeasured: without an upstream scenario the
// plan cannot know whether the upstream takes a proxy's calls at peak; a
// proxy line's "yes" carries that caveat, and a note says so, in the text
// and the JSON. An upstream searched that met the SLO at no rate is a
// measurement, not a blank: the proxy that calls it does not fit.
func TestMakePlanSaysUpstreamNotMeasured(t *testing.T) {
	caps := []Capacity{
		{Scenario: ScenarioSpec{Name: "local-jwt", Mode: "local"}, Rate: 4000},
		{Scenario: ScenarioSpec{Name: "proxy-jwt", Mode: "proxy"}, Rate: 1000, UpstreamRatio: 1},
	}
	p := MakePlan(caps, PlanConfig{Peak: 150, Headroom: 0.3})
	proxy := p.Lines[1]
	if p.UpstreamMeasured || !proxy.Feasible || proxy.Caveat != "only if the upstream, not measured, takes 195/s" || p.Lines[0].Caveat != "" {
		t.Errorf("plan %+v", p)
	}
	if len(p.Notes) != 1 || !strings.Contains(p.Notes[0], "the upstream's capacity was not measured") || !strings.Contains(p.Notes[0], "proxy-jwt covers the proxy instances only") {
		t.Errorf("notes %q", p.Notes)
	}
	var b strings.Builder
	cc := CapacityConfig{SLO: SLO{Quantile: 99, Limit: 5 * time.Millisecond}}
	if err := WriteCapacity(&b, caps, cc, p); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`proxy-jwt\s+1000\s+1\s+unknown\s+yes, only if the upstream, not measured, takes 195/s`).MatchString(b.String()) ||
		!strings.Contains(b.String(), "\nnote: the upstream's capacity was not measured") {
		t.Errorf("text:\n%s", b.String())
	}
	js, _ := json.Marshal(p)
	if !strings.Contains(string(js), `"upstream_measured":false`) || !strings.Contains(string(js), `"caveat":"only if the upstream`) || !strings.Contains(string(js), `"notes":["the upstream's capacity was not measured`) {
		t.Errorf("json: %s", js)
	}

	failed := append(caps, Capacity{Scenario: ScenarioSpec{Name: "upstream-jwt", Mode: "upstream"}, Rate: 0})
	p = MakePlan(failed, PlanConfig{Peak: 150, Headroom: 0.3})
	if l := p.Lines[1]; l.Feasible || l.Caveat != "" || !strings.Contains(l.Why, "met the SLO at no rate probed") || len(p.Notes) != 0 {
		t.Errorf("upstream that met no rate: %+v notes %q", l, p.Notes)
	}
}
