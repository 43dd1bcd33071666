package bench

import (
	"bytes"
	"container/list"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"
)

// cacheTarget is a cached target: an LRU of size entries, so its hit
// ratio has a steady state for a population (a cache without eviction or
// expiry has none: it only ever fills). It counts its resets.
type cacheTarget struct {
	mu     sync.Mutex
	size   int
	lru    *list.List
	at     map[string]*list.Element
	resets int
}

func newCacheTarget(size int) *cacheTarget {
	return &cacheTarget{size: size, lru: list.New(), at: map[string]*list.Element{}}
}

func (c *cacheTarget) Do(_ context.Context, cookie string) (Outcome, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.at[cookie]; ok {
		c.lru.MoveToFront(e)
		return Outcome{Reason: "session", CacheHit: true}, nil
	}
	c.at[cookie] = c.lru.PushFront(cookie)
	if c.lru.Len() > c.size {
		delete(c.at, c.lru.Remove(c.lru.Back()).(string))
	}
	return Outcome{Reason: "session", Upstream: true}, nil
}

func (c *cacheTarget) Reset(context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lru.Init()
	c.at = map[string]*list.Element{}
	c.resets++
	return nil
}

// cacheExecute runs cfg's scenario against its in-process target in
// virtual time: the run's own picker chooses every request's cookie (so
// seeds, warm-up and population work as in a run), every answer takes
// 1ms, the generator is never late.
func cacheExecute(ctx context.Context, cfg Config, targets Targets, _ ...Option) (*Report, error) {
	cfg = cfg.WithDefaults()
	spec := cfg.Scenarios[0]
	tg := targets.InProc[spec.Name]
	pick := newPicker(cfg.Population, targets.population(spec.Name), cfg.Seed)
	warm := int(float64(cfg.Rate) * time.Duration(cfg.Warmup).Seconds())
	n := int(float64(cfg.Rate) * time.Duration(cfg.Duration).Seconds())
	s := ScenarioReport{Name: spec.Name, Mode: spec.Mode, Cache: spec.Cache, Via: spec.Via, Sources: 1, Reasons: map[string]int64{}}
	s.corrected, s.uncorrected, s.lag = newHistogram(), newHistogram(), newHistogram()
	for i := range warm + n {
		out, err := tg.Do(ctx, pick.cookie())
		if i < warm || err != nil {
			continue
		}
		s.Requests++
		s.Succeeded++
		s.Reasons[out.Reason]++
		if out.CacheHit {
			s.CacheHits++
		}
		if out.Upstream {
			s.UpstreamCalls++
		}
		_ = s.corrected.RecordValue(int64(time.Millisecond))
		_ = s.uncorrected.RecordValue(int64(time.Millisecond))
		_ = s.lag.RecordValue(0)
	}
	secs := time.Duration(cfg.Duration).Seconds()
	s.WindowSeconds, s.RateTarget, s.RateAttempted, s.RateAchieved = secs, float64(cfg.Rate), float64(s.Requests)/secs, float64(s.Succeeded)/secs
	s.finish()
	return &Report{Scenarios: []ScenarioReport{s}, Canceled: ctx.Err() != nil}, nil
}

// TestCapacityCacheIsPerProbe: every probe of a cached scenario resets the
// cache, warms it until the hit ratio settles, and reports its own ratio:
// the first probe sees the steady state, not a cold cache, and a later one
// does not inherit what earlier probes left behind.
func TestCapacityCacheIsPerProbe(t *testing.T) {
	const sessions = 2000
	pop := StaticPopulation{}
	for i := range sessions {
		pop.Valid = append(pop.Valid, fmt.Sprintf("s%d", i))
	}
	tg := newCacheTarget(300)
	spec := ScenarioSpec{Name: "cached", Mode: "proxy", Cache: true, Via: ViaInProc}
	cfg := Config{Scenarios: []ScenarioSpec{spec}, Population: PopulationConfig{Sessions: sessions, Popularity: Zipf, ZipfS: 1.1}}
	targets := Targets{InProc: map[string]Target{"cached": tg}, Population: pop}
	cc := CapacityConfig{SLO: SLO{Quantile: 99, Limit: 10 * time.Millisecond}, StartRate: 200, MaxRate: 800,
		StepDuration: Duration(time.Second), MinSamples: 200}
	c, err := searchCapacity(t.Context(), cfg, "cached", targets, cc, nil, quietEnv(cacheExecute))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Steps) < 3 || tg.resets != len(c.Steps) {
		t.Fatalf("%d probes, %d resets: want one reset a probe", len(c.Steps), tg.resets)
	}
	first, last := c.Steps[0], c.Steps[len(c.Steps)-1]
	for _, s := range c.Steps {
		if !s.CacheReset || s.WarmupRuns < 2 || !s.WarmupSettled {
			t.Errorf("%.0f/s: reset %v, warm-up runs %d settled %v", s.Rate, s.CacheReset, s.WarmupRuns, s.WarmupSettled)
		}
		if s.CacheHitRatio < s.WarmupHitRatio-0.05 {
			t.Errorf("%.0f/s: hit ratio %.3f below the steady state %.3f its warm-up reached", s.Rate, s.CacheHitRatio, s.WarmupHitRatio)
		}
		if math.Abs(s.UpstreamRatio+s.CacheHitRatio-1) > 1e-9 {
			t.Errorf("%.0f/s: upstream ratio %.3f, hit ratio %.3f", s.Rate, s.UpstreamRatio, s.CacheHitRatio)
		}
	}
	if first.CacheHitRatio < 0.5 || first.CacheHitRatio < last.CacheHitRatio-0.1 {
		t.Errorf("first probe hit %.3f, last %.3f: the first measured a cold cache", first.CacheHitRatio, last.CacheHitRatio)
	}
	if c.CacheHitRatio != last.CacheHitRatio || c.UpstreamRatio != last.UpstreamRatio {
		t.Errorf("capacity's ratios %.3f/%.3f are not its confirming probe's %.3f/%.3f", c.CacheHitRatio, c.UpstreamRatio, last.CacheHitRatio, last.UpstreamRatio)
	}
}

// TestCapacityCancelled: a search cancelled midway is a lower bound, and
// its plan plans nothing, in text and JSON.
func TestCapacityCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	sim := &kneeSim{mean: time.Millisecond, spread: 0.5, seed: 1}
	env := sim.env()
	runs := 0
	inner := env.execute
	env.execute = func(ctx context.Context, cfg Config, tg Targets, opts ...Option) (*Report, error) {
		if runs++; runs == 3 {
			cancel()
		}
		return inner(ctx, cfg, tg, opts...)
	}
	cfg := Config{Scenarios: []ScenarioSpec{kneeSpec(), {Name: "later", Mode: "local", Via: ViaInProc}}}
	r, err := searchCapacities(ctx, cfg, Targets{}, kneeCapacityConfig(), PlanConfig{Peak: 100, Headroom: 0.3}, nil, env)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Searches) != 1 || !r.Canceled {
		t.Fatalf("searches %d canceled %v: want the cancelled one only", len(r.Searches), r.Canceled)
	}
	c := r.Searches[0]
	if !c.Canceled || !c.LowerBound || c.StoppedBy != "canceled" || c.Rate != 200 {
		t.Errorf("cancelled search: %+v", c)
	}
	l := r.Plan.Lines[0]
	if l.Feasible || l.Instances != 0 || !l.LowerBound || !l.Canceled || !r.Plan.Canceled {
		t.Errorf("cancelled plan line: %+v", l)
	}
	var text, js bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"capacity ≥200/s (search cancelled: a lower bound)", "CANCELLED: nothing planned", "search cancelled: nothing planned"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
	var got struct {
		Canceled bool `json:"canceled"`
		Searches []struct {
			LowerBound bool `json:"lower_bound"`
		} `json:"searches"`
		Plan struct {
			Lines []map[string]any `json:"lines"`
		} `json:"plan"`
	}
	if err := json.Unmarshal(js.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if !got.Canceled || !got.Searches[0].LowerBound || got.Plan.Lines[0]["feasible"] != false || got.Plan.Lines[0]["instances"] != 0.0 || got.Plan.Lines[0]["lower_bound"] != true {
		t.Errorf("json: %s", js.String())
	}
}

// TestCapacityProxyBoundByUpstream: a proxy cannot be planned above what
// its upstream holds at its miss ratio, however much it held itself (the
// issue's proxy-jwt "holding" 6,400/s on a 400/s upstream). The upstream
// is searched first.
func TestCapacityProxyBoundByUpstream(t *testing.T) {
	caps := []Capacity{
		{Scenario: ScenarioSpec{Name: "proxy-jwt", Mode: "proxy", Strategy: "jwt"}, Rate: 6400, BracketHigh: 6700, Confirmed: true, UpstreamRatio: 1},
		{Scenario: ScenarioSpec{Name: "proxy-jwt-cache", Mode: "proxy", Strategy: "jwt", Cache: true}, Rate: 9000, BracketHigh: 9400, Confirmed: true, CacheHitRatio: 0.9, UpstreamRatio: 0.1},
		{Scenario: ScenarioSpec{Name: "upstream-jwt", Mode: "upstream", Strategy: "jwt"}, Rate: 400, BracketHigh: 420, Confirmed: true},
	}
	cc := CapacityConfig{SLO: SLO{Quantile: 99, Limit: 5 * time.Millisecond}, MaxErrors: 0.001}
	r := NewCapacityReport(caps, cc, PlanConfig{Peak: 1000, Headroom: 0.3})
	proxy, cached := r.Searches[0], r.Searches[1]
	if proxy.UpstreamBound != 400 || proxy.BoundBy != "upstream-jwt" || proxy.PlanRate() != 400 {
		t.Errorf("proxy-jwt: bound %.0f by %q, planned at %.0f", proxy.UpstreamBound, proxy.BoundBy, proxy.PlanRate())
	}
	if cached.UpstreamBound != 4000 || cached.PlanRate() != 4000 {
		t.Errorf("proxy-jwt-cache (miss 10%%): bound %.0f, planned at %.0f, want 4000", cached.UpstreamBound, cached.PlanRate())
	}
	l := r.Plan.Lines[0]
	if l.Capacity != 400 || l.Measured != 6400 || l.BoundBy != "upstream-jwt" || l.Instances != 4 || l.Feasible {
		t.Errorf("plan line: %+v", l)
	}
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "bounded by upstream-jwt") || !strings.Contains(b.String(), "400 (bound by upstream-jwt; own 6400)") {
		t.Errorf("text:\n%s", b.String())
	}
	// An upstream known only as a floor bounds nothing.
	caps[2].LowerBound = true
	if r := NewCapacityReport(caps, cc, PlanConfig{Peak: 1000}); r.Searches[0].UpstreamBound != 0 {
		t.Errorf("bounded by an upstream floor: %+v", r.Searches[0])
	}

	// Searched together, the upstream goes first whatever the order.
	var order []string
	sim := &kneeSim{mean: time.Millisecond, spread: 0.5, seed: 1}
	cfg := Config{Scenarios: []ScenarioSpec{{Name: "proxy", Mode: "proxy", Via: ViaInProc}, {Name: "up", Mode: "upstream", Via: ViaInProc}}}
	if _, err := searchCapacities(t.Context(), cfg, Targets{}, kneeCapacityConfig(), PlanConfig{Peak: 100}, func(name string, p *Probe) {
		if p == nil {
			order = append(order, name)
		}
	}, sim.env()); err != nil {
		t.Fatal(err)
	}
	if strings.Join(order, ",") != "up,proxy" {
		t.Errorf("searched %v, want the upstream first", order)
	}
}

// TestCapacityReportOutputs: the text has the measurements with their
// intervals and samples, the curve and the repeats; the HTML is
// self-contained with one chart per scenario and real tables.
func TestCapacityReportOutputs(t *testing.T) {
	sim := &kneeSim{mean: time.Millisecond, spread: 0.5, seed: 2, noise: noise{stallProb: 0.6, stalls: 3, stallLen: 40 * time.Millisecond, neighbour: true,
		tailProb: 0.03, tailLen: 20 * time.Millisecond}}
	cfg := Config{Scenarios: []ScenarioSpec{kneeSpec()}}
	r, err := searchCapacities(t.Context(), cfg, Targets{}, kneeCapacityConfig(), PlanConfig{Peak: 1500, Headroom: 0.3}, nil, sim.env())
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	out := text.String()
	for _, want := range []string{"p99 [95% CI]", "own p99", "samples", "re-measured after the generator or the host explained a failure",
		"INCONCLUSIVE (", "the generator, not the target", "curve: p99 by rate (log scale, | = 10ms)", "(confirming)", "bracket ",
		"without the generator's lag: p99 ", "the generator sent late, the target's own p99"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasSuffix(line, " ") {
			t.Errorf("trailing space: %q", line)
		}
	}
	var html bytes.Buffer
	if err := r.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	h := html.String()
	for _, want := range []string{"<svg", "<circle", "SLO p99=10ms", "<table>", "<th>own p99</th>", "knee (local/jwt", "inconclusive"} {
		if !strings.Contains(h, want) {
			t.Errorf("html lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "http://", "https://", "CANCELLED"} {
		if strings.Contains(strings.ReplaceAll(h, `xmlns="http://www.w3.org/2000/svg"`, ""), bad) {
			t.Errorf("html has %q", bad)
		}
	}
}

// TestCapacityUndecided: when the host explains every failure at a rate
// (a neighbour busy throughout, which no wait outlasts), the search stops
// there and says so: its capacity is a floor, and the plan is undecided,
// never a NO. From below the knee or above it, nothing is known: a
// failure on a machine other processes kept busy is never the target's.
func TestCapacityUndecided(t *testing.T) {
	for _, c := range []struct {
		start   Rate
		hi      float64
		wantCap string
	}{
		{500, 0, "capacity unknown (undecided: the generator, not the target, explained every failure; no rate passed)"},
		{2000, 0, "capacity unknown (undecided: the generator, not the target, explained every failure; no rate passed)"},
	} {
		sim := &kneeSim{mean: time.Millisecond, spread: 0.5, seed: 1, noise: noise{stallProb: 1, stalls: 3, stallLen: 40 * time.Millisecond, neighbour: true, persistent: true}}
		cc := kneeCapacityConfig()
		cc.StartRate = c.start
		r, err := searchCapacities(t.Context(), Config{Scenarios: []ScenarioSpec{kneeSpec()}}, Targets{}, cc, PlanConfig{Peak: 100}, nil, sim.env())
		if err != nil {
			t.Fatal(err)
		}
		got, l := r.Searches[0], r.Plan.Lines[0]
		if got.Rate != 0 || got.BracketHigh != c.hi || !got.LowerBound || got.StoppedBy != "undecided" || !strings.HasPrefix(got.Undecided, "500/s: ") && !strings.HasPrefix(got.Undecided, "2000/s: ") {
			t.Errorf("start %s: search %s", c.start, summary(got))
		}
		if l.Feasible || !l.Undecided || !strings.Contains(l.Why, "no rate was decided") {
			t.Errorf("start %s: plan line %+v", c.start, l)
		}
		var b strings.Builder
		if err := r.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), c.wantCap) || strings.Contains(b.String(), "NO:") {
			t.Errorf("start %s: text:\n%s", c.start, b.String())
		}
	}
}

// scriptedExecute answers each run as verdict(rate, nth run at that rate)
// says: a pass keeps up at 1ms, a failure achieves half the rate.
func scriptedExecute(verdict func(rate float64, nth int) bool) executeFunc {
	runs := map[float64]int{}
	return func(ctx context.Context, cfg Config, _ Targets, _ ...Option) (*Report, error) {
		rate := float64(cfg.Rate)
		runs[rate]++
		s := ScenarioReport{Name: cfg.Scenarios[0].Name, Requests: 5000, Succeeded: 5000, Sources: 1, RateTarget: rate, RateAttempted: rate, RateAchieved: rate}
		if !verdict(rate, runs[rate]) {
			s.RateAchieved = rate / 2
		}
		s.corrected, s.uncorrected = newHistogram(), newHistogram()
		for range 5000 {
			_ = s.corrected.RecordValue(int64(time.Millisecond))
			_ = s.uncorrected.RecordValue(int64(time.Millisecond))
		}
		s.finish()
		return &Report{Scenarios: []ScenarioReport{s}, Canceled: ctx.Err() != nil}, nil
	}
}

// TestCapacityConfirmationFailsTheOnlyPass: the first pass, contradicted
// twice when the search confirms it as the capacity, is no floor: the
// search brackets again below it rather than report that nothing held.
func TestCapacityConfirmationFailsTheOnlyPass(t *testing.T) {
	exec := scriptedExecute(func(rate float64, nth int) bool {
		if rate == 1000 {
			return nth == 1 // a lucky first reading
		}
		return rate < 900
	})
	cc := CapacityConfig{SLO: SLO{Quantile: 99, Limit: 10 * time.Millisecond}, StartRate: 1000, MinSamples: 100, MaxSteps: 40}
	c, err := searchCapacity(t.Context(), Config{Scenarios: []ScenarioSpec{kneeSpec()}}, "knee", Targets{}, cc, nil, quietEnv(exec))
	if err != nil {
		t.Fatal(err)
	}
	if c.Rate < 810 || c.Rate >= 900 || c.BracketHigh < 900 || c.BracketHigh > c.Rate*1.1 || !c.Confirmed || c.LowerBound {
		t.Errorf("capacity %.0f/s bracket %.0f: want just under 900/s, confirmed: %s", c.Rate, c.BracketHigh, summary(c))
	}
}
