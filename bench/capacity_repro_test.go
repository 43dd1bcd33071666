package bench

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// kneeCapacityConfig is the search the reproducibility tests run: p99
// within 10ms against a target whose knee is at 1,000/s.
func kneeCapacityConfig() CapacityConfig {
	return CapacityConfig{
		SLO: SLO{Quantile: 99, Limit: 10 * time.Millisecond}, MaxErrors: 0.001,
		StartRate: 100, StepDuration: Duration(2 * time.Second), StepWarmup: Duration(200 * time.Millisecond),
		MaxStepDuration: Duration(time.Minute), SkipCeiling: true,
	}
}

func kneeSpec() ScenarioSpec {
	return ScenarioSpec{Name: "knee", Mode: "local", Strategy: "jwt", Via: ViaInProc}
}

// TestCapacityReproducible: the same target, searched with different
// seeds (service times, cookie picks) and a generator that stalls, alone or
// with a noisy neighbour the host counters see, gives the same capacity
// within 10%, just under its 1,000/s knee, and never blames the target
// for a stall the host explains.
func TestCapacityReproducible(t *testing.T) {
	const knee = 1000.0
	noises := map[string]noise{
		"quiet":  {},
		"jitter": {jitter: 300 * time.Microsecond},
		// A busy neighbour stalls the generator in most runs: the host's
		// counters show it, so those failures are re-measured.
		"neighbour": {stallProb: 0.6, stalls: 3, stallLen: 40 * time.Millisecond, neighbour: true, jitter: 100 * time.Microsecond},
		// Rare stalls of the generator's own (nothing on the host shows
		// them): a failure they cause is not confirmed by the repeat.
		"own-stalls": {stallProb: 0.15, stalls: 1, stallLen: 40 * time.Millisecond},
		// The generator's own lag tail beyond the SLO at every rate: the
		// corrected p99 fails everywhere, the target's own figures hold
		// below the knee, so the search judges without the lag and finds
		// the target's knee (it found nothing, undecided, when such
		// failures were re-measured until they stopped).
		"lag-tail": {tailProb: 0.03, tailLen: 20 * time.Millisecond},
	}
	var lo, hi float64
	generatorRepeats, withoutLag := 0, 0
	seeds := uint64(4)
	if raceEnabled {
		seeds = 2 // one goroutine, virtual time: the race detector only slows it
	}
	for name, nz := range noises {
		for seed := uint64(1); seed <= seeds; seed++ {
			sim := &kneeSim{mean: time.Millisecond, spread: 0.5, seed: seed, noise: nz, cpuByRate: true}
			c, err := searchCapacity(t.Context(), Config{Scenarios: []ScenarioSpec{kneeSpec()}}, "knee", Targets{}, kneeCapacityConfig(), nil, sim.env())
			if err != nil {
				t.Fatalf("%s seed %d: %v", name, seed, err)
			}
			t.Logf("%s seed %d: capacity %.0f/s bracket %.0f-%.0f, %d measurements, repeats %v", name, seed, c.Rate, c.Rate, c.BracketHigh, len(c.Steps), c.Repeats)
			// A neighbour busy through every re-measurement of the
			// capacity leaves it undecided, said so, never a floor.
			if c.LowerBound || c.BracketHigh == 0 || (!c.Confirmed && c.Undecided == "") {
				t.Errorf("%s seed %d: not a bracket, neither confirmed nor said undecided: %s", name, seed, summary(c))
			}
			if c.Undecided != "" && (nz.neighbour == false || c.StoppedBy != "undecided") {
				t.Errorf("%s seed %d: undecided without a neighbour: %s", name, seed, summary(c))
			}
			if c.Rate > knee || c.Rate < 0.85*knee {
				t.Errorf("%s seed %d: capacity %.0f/s, want just under the %.0f/s knee: %s", name, seed, c.Rate, knee, summary(c))
			}
			if lo == 0 || c.Rate < lo {
				lo = c.Rate
			}
			hi = max(hi, c.Rate)
			generatorRepeats += c.Repeats["generator"]
			for _, s := range c.Steps {
				if s.WithoutLag {
					withoutLag++
					if s.Verdict != VerdictPass || !strings.Contains(s.Generator, "own p99") {
						t.Errorf("%s seed %d: judged without the lag but not a pass on the target's own figures: %+v", name, seed, s)
					}
				}
				if s.Verdict == VerdictInconclusive && (s.Generator == "" || !strings.Contains(s.Generator, "other processes")) {
					t.Errorf("%s seed %d: inconclusive without the host's evidence: %+v", name, seed, s)
				}
				if s.Samples < s.SamplesWanted {
					t.Errorf("%s seed %d: %.0f/s took %d samples, fewer than the %d p99 needs", name, seed, s.Rate, s.Samples, s.SamplesWanted)
				}
			}
		}
	}
	if hi/lo > 1.10 {
		t.Errorf("capacities spread %.0f/s to %.0f/s (%.2fx), want within 10%%", lo, hi, hi/lo)
	}
	if withoutLag == 0 {
		t.Error("no measurement was judged without the generator's lag: the lag-tail check is not exercised")
	}
	if generatorRepeats == 0 {
		t.Error("the noisy neighbour never made a measurement inconclusive: the generator check is not exercised")
	}
}

// TestCapacityWithoutConfirmationIsNotReproducible shows what the
// confirmation buys: the same search believing every first failure (no
// repeat) lands lower under the neighbour's stalls for some seed, which
// is the spread the issue saw. If this ever stops failing the search's
// guards are no longer needed for this noise, and the test above proves
// less than it says.
func TestCapacityWithoutConfirmationIsNotReproducible(t *testing.T) {
	nz := noise{stallProb: 0.6, stalls: 3, stallLen: 40 * time.Millisecond, neighbour: true}
	worst := 1e9
	for seed := uint64(1); seed <= 4; seed++ {
		sim := &kneeSim{mean: time.Millisecond, spread: 0.5, seed: seed, noise: nz, cpuByRate: true}
		cc := kneeCapacityConfig()
		cc.StealBound, cc.HostBound = 1, 1 // the host's evidence ignored
		env := sim.env()
		naive := 0.0
		for rate := 100.0; rate <= 2000; rate *= 1.25 {
			s := &search{cc: cc.withDefaults(), env: env, ctx: t.Context(), base: Config{Scenarios: []ScenarioSpec{kneeSpec()}}.WithDefaults(),
				spec: kneeSpec(), tallies: map[float64]*tally{}, out: Capacity{Repeats: map[string]int{}}}
			p, err := s.probe(rate, int(rate))
			if err != nil {
				t.Fatal(err)
			}
			if !p.Pass {
				break
			}
			naive = rate
		}
		worst = min(worst, naive)
	}
	if worst >= 0.85*1000 {
		t.Errorf("a single-reading search held %.0f/s at worst under stalls: the noise does not test the guards", worst)
	}
}

// summary is a search's steps on one line each, for failure messages.
func summary(c Capacity) string {
	var b strings.Builder
	for _, s := range c.Steps {
		fmt.Fprintf(&b, "\n  %.0f/s %s p99 %s lag %s %s", s.Rate, s.Verdict, FormatNs(s.Latency), FormatNs(s.DispatchLagP99), s.Why)
	}
	return b.String()
}

// TestCapacityGeneratorCeilingReproducible: a generator that cannot drive
// more than about 600/s in front of a target whose knee is at 1,000/s.
// Measured first on a target that does nothing, its ceiling caps the
// search, and the scenario reports "≥ the generator's ceiling" on every
// seed and noise, the same figure within 10%, instead of a floor that
// depends on where the generator stalled.
func TestCapacityGeneratorCeilingReproducible(t *testing.T) {
	noises := map[string]noise{
		"quiet":      {},
		"jitter":     {jitter: 300 * time.Microsecond},
		"own-stalls": {stallProb: 0.15, stalls: 1, stallLen: 40 * time.Millisecond},
		// A lag tail beyond the SLO at every rate: the ceiling is where
		// the generator stops keeping its schedule, not where its tail
		// happens to cross the SLO (476/s here when it was judged on the
		// p99), and the scenario holds to it on its own figures.
		"lag-tail": {tailProb: 0.03, tailLen: 20 * time.Millisecond},
	}
	var lo, hi float64
	for name, nz := range noises {
		for seed := uint64(1); seed <= 3; seed++ {
			sim := &kneeSim{mean: time.Millisecond, spread: 0.5, seed: seed, noise: nz, gen: time.Second / 600}
			cc := kneeCapacityConfig()
			cc.SkipCeiling = false
			r, err := searchCapacities(t.Context(), Config{Scenarios: []ScenarioSpec{kneeSpec()}}, Targets{}, cc, PlanConfig{Peak: 100}, nil, sim.env())
			if err != nil {
				t.Fatalf("%s seed %d: %v", name, seed, err)
			}
			if len(r.Ceilings) != 1 || r.Ceilings[0].Scenario.Name != "generator-inproc" {
				t.Fatalf("%s seed %d: ceilings %+v, want the in-process generator's", name, seed, r.Ceilings)
			}
			ceil, c := r.Ceilings[0], r.Searches[0]
			t.Logf("%s seed %d: ceiling %.0f/s (bracket to %.0f), scenario %.0f/s limited %v, %d+%d measurements%s",
				name, seed, ceil.Rate, ceil.BracketHigh, c.Rate, c.GeneratorLimited, len(ceil.Steps), len(c.Steps), summary(ceil))
			for _, st := range ceil.Steps {
				if st.WithoutLag && !strings.HasPrefix(st.Generator, "on schedule: p99 ") {
					t.Errorf("%s seed %d: the ceiling's pass without its lag is not said to be on schedule: %q", name, seed, st.Generator)
				}
			}
			if len(ceil.Steps) < 2 || ceil.Steps[1].Rate != 4*ceil.Steps[0].Rate {
				t.Errorf("%s seed %d: the ceiling's search does not climb by 4x: %s", name, seed, summary(ceil))
			}
			if ceil.Rate < 0.8*600 || ceil.Rate > 600 || ceil.BracketHigh == 0 {
				t.Errorf("%s seed %d: generator ceiling %.0f/s, want just under 600/s, bracketed: %s", name, seed, ceil.Rate, summary(ceil))
			}
			if !c.GeneratorLimited || c.Rate != ceil.Rate || c.GeneratorCeiling != ceil.Rate || !c.LowerBound {
				t.Errorf("%s seed %d: scenario %.0f/s (limited %v), want ≥ the ceiling %.0f/s: %s", name, seed, c.Rate, c.GeneratorLimited, ceil.Rate, summary(c))
			}
			var b strings.Builder
			if err := r.WriteText(&b); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), "the generator, not the target, is the limit") || !strings.Contains(b.String(), "generator ceiling via inproc") {
				t.Errorf("%s seed %d: the text does not say the generator is the limit:\n%s", name, seed, b.String())
			}
			var h strings.Builder
			if err := r.WriteHTML(&h); err != nil || !strings.Contains(h.String(), "generator ceiling via inproc") {
				t.Errorf("%s seed %d: the HTML has no generator ceiling section (%v)", name, seed, err)
			}
			if lo == 0 || c.Rate < lo {
				lo = c.Rate
			}
			hi = max(hi, c.Rate)
		}
	}
	if hi/lo > 1.10 {
		t.Errorf("generator-limited capacities spread %.0f/s to %.0f/s (%.2fx), want within 10%%", lo, hi, hi/lo)
	}
}

// TestDefaultMaxSteps: the default budget covers the doublings to the
// expected rate, the narrowing to the precision and the edge's votes.
func TestDefaultMaxSteps(t *testing.T) {
	for _, c := range []struct {
		start, expect, precision float64
		want                     int
	}{
		{1000, 20000, 0.10, 6 + 1 + 6 + 6 + 2},
		{100, 1600, 0.10, 5 + 1 + 6 + 6 + 2},
		{100, 100, 0.05, 1 + 1 + 8 + 6 + 2},
	} {
		if got := defaultMaxSteps(c.start, c.expect, c.precision); got != c.want {
			t.Errorf("defaultMaxSteps(%v, %v, %v) = %d, want %d", c.start, c.expect, c.precision, got, c.want)
		}
	}
}

// TestCapacityClimbWithRoom: a pass that used little of the machine and
// stayed far within the SLO climbs 4x, skipping a doubling; near the knee,
// or where the host's CPU counters are unknown, the search doubles. The
// grid is the same either way, so is the capacity, and the room saves
// measurements.
func TestCapacityClimbWithRoom(t *testing.T) {
	const knee = 1000.0
	cc := kneeCapacityConfig()
	cc.StartRate = 10
	search := func(countersUnknown bool) Capacity {
		sim := &kneeSim{mean: time.Millisecond, spread: 0.5, seed: 1, cpuByRate: true, countersUnknown: countersUnknown}
		c, err := searchCapacity(t.Context(), Config{Scenarios: []ScenarioSpec{kneeSpec()}}, "knee", Targets{}, cc, nil, sim.env())
		if err != nil {
			t.Fatal(err)
		}
		if !c.Confirmed || c.Rate > knee || c.Rate < 0.85*knee {
			t.Errorf("counters unknown %v: capacity %.0f/s, want confirmed just under the %.0f/s knee: %s", countersUnknown, c.Rate, knee, summary(c))
		}
		return c
	}
	// The rates the climb passed through, up to its first failure.
	climbed := func(c Capacity) []float64 {
		var rates []float64
		for _, s := range c.Steps {
			rates = append(rates, s.Rate)
			if !s.Pass {
				break
			}
		}
		return rates
	}
	roomy, doubling := search(false), search(true)
	// 10/s to 160/s used under an eighth of the 2 cores (the simulated
	// server is busy rate×1ms), 640/s did not.
	if got, want := fmt.Sprint(climbed(roomy)), fmt.Sprint([]float64{10, 40, 160, 640, 1280}); got != want {
		t.Errorf("with room the climb went %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(climbed(doubling)), fmt.Sprint([]float64{10, 20, 40, 80, 160, 320, 640, 1280}); got != want {
		t.Errorf("without the host's counters the climb went %s, want %s", got, want)
	}
	if roomy.Rate != doubling.Rate {
		t.Errorf("capacity %.0f/s with room, %.0f/s doubling: the same grid should give the same answer", roomy.Rate, doubling.Rate)
	}
	if len(roomy.Steps) >= len(doubling.Steps) {
		t.Errorf("%d measurements with room, %d doubling: the room saved none", len(roomy.Steps), len(doubling.Steps))
	}
	for _, s := range roomy.Steps {
		if s.Pass && s.OwnLatency == 0 {
			t.Errorf("%.0f/s passed with no own latency recorded: %+v", s.Rate, s)
		}
	}
}
