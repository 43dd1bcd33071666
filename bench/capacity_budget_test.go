package bench

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// simClock makes env's time the simulated runs' own: each run moves
// it on by its warm-up and duration, so MaxTime budgets are exact.
func simClock(env probeEnv) probeEnv {
	now := simEpoch
	inner := env.execute
	env.now = func() time.Time { return now }
	env.execute = func(ctx context.Context, cfg Config, t Targets, opts ...Option) (*Report, error) {
		now = now.Add(time.Duration(cfg.Warmup) + time.Duration(cfg.Duration))
		return inner(ctx, cfg, t, opts...)
	}
	return env
}

// TestCapacityResumesSearchesOutOfTime: two searches that each need more
// than their first-pass share of MaxTime, but fit in it together, both
// run out in the first pass and finish in the second, where they stopped:
// the same probes, in the same order, and the same bracket as searches
// with no time bound.
func TestCapacityResumesSearchesOutOfTime(t *testing.T) {
	specs := []ScenarioSpec{kneeSpec(), {Name: "knee-b", Mode: "local", Strategy: "jwt", Via: ViaInProc}}
	cfg := Config{Scenarios: specs}
	free := map[string]Capacity{}
	var need time.Duration
	for _, sc := range specs {
		env := simClock((&kneeSim{mean: time.Millisecond, spread: 0.5, seed: 7}).env())
		start := env.now()
		c, err := searchCapacity(t.Context(), cfg, sc.Name, Targets{}, kneeCapacityConfig(), nil, env)
		if err != nil {
			t.Fatal(err)
		}
		free[sc.Name], need = c, max(need, env.now().Sub(start))
	}
	cc := kneeCapacityConfig()
	cc.MaxTime = Duration(2 * need * 11 / 10) // both fit; a first-pass share (3/8 of it) does not
	r, err := searchCapacities(t.Context(), cfg, Targets{}, cc, PlanConfig{Peak: 100},
		nil, simClock((&kneeSim{mean: time.Millisecond, spread: 0.5, seed: 7}).env()))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range r.Searches {
		want := free[c.Scenario.Name]
		t.Logf("%s: %.0f/s [%.0f) in %d probes, resumed %v; unbounded %.0f/s [%.0f) in %d (%s virtual)",
			c.Scenario.Name, c.Rate, c.BracketHigh, len(c.Steps), c.Resumed, want.Rate, want.BracketHigh, len(want.Steps), need)
		if !c.Resumed || c.LowerBound || c.StoppedBy != "" || c.Rate != want.Rate || c.BracketHigh != want.BracketHigh || !c.Confirmed {
			t.Errorf("%s: %s, want it resumed and bracketed as the unbounded search: %s", c.Scenario.Name, summary(c), summary(want))
		}
		var b strings.Builder
		if err := r.WriteText(&b); err != nil || !strings.Contains(b.String(), "resumed where it stopped") {
			t.Errorf("the text does not say the searches were resumed (%v):\n%s", err, b.String())
		}
		var got, wantRates []float64
		for i := range c.Steps {
			got = append(got, c.Steps[i].Rate)
		}
		for i := range want.Steps {
			wantRates = append(wantRates, want.Steps[i].Rate)
		}
		if diff := cmp.Diff(wantRates, got); diff != "" {
			t.Errorf("%s: probes differ from the unbounded search's (-want +got):\n%s", c.Scenario.Name, diff)
		}
	}
	// A budget the first pass fits leaves nothing to resume.
	cc.MaxTime = Duration(4 * need)
	r, err = searchCapacities(t.Context(), cfg, Targets{}, cc, PlanConfig{Peak: 100},
		nil, simClock((&kneeSim{mean: time.Millisecond, spread: 0.5, seed: 7}).env()))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range r.Searches {
		if c.Resumed || c.LowerBound {
			t.Errorf("%s: resumed %v lower bound %v with time to spare", c.Scenario.Name, c.Resumed, c.LowerBound)
		}
	}
}

// TestTimeBudgetShares: the ceilings take equal shares of the whole time,
// the scenarios of the first pass's three quarters, and the second pass
// shares what is left among the searches resumed.
func TestTimeBudgetShares(t *testing.T) {
	now := simEpoch
	env := probeEnv{now: func() time.Time { return now }}
	b := newTimeBudget(CapacityConfig{MaxTime: Duration(80 * time.Second)}, env, 4)
	spend := func(cc CapacityConfig, want time.Duration) {
		t.Helper()
		if time.Duration(cc.MaxTime) != want {
			t.Errorf("share %s, want %s", time.Duration(cc.MaxTime), want)
		}
		now = now.Add(time.Duration(cc.MaxTime))
	}
	spend(b.nextCeiling(CapacityConfig{}, env), 20*time.Second) // 80s among 4
	spend(b.nextCeiling(CapacityConfig{}, env), 20*time.Second) // 60s among 3
	spend(b.next(CapacityConfig{}, env), 10*time.Second)        // the first pass ends at 60s: 20s among 2
	now = now.Add(-4 * time.Second)                             // a search that finished early
	spend(b.next(CapacityConfig{}, env), 14*time.Second)        // 14s left of the first pass
	if got := b.resume(env, 2); got != Duration(10*time.Second) {
		t.Errorf("resume share %s, want 10s (20s left among 2)", time.Duration(got))
	}
	if got := (&timeBudget{}).resume(env, 2); got != 0 {
		t.Errorf("no budget: resume %s, want 0 (none)", time.Duration(got))
	}
}
