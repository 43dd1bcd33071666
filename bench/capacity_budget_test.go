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
