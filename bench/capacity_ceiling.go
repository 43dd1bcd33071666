package bench

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// The generator's own ceiling. In process, the load generator and the
// target share the CPU; over loopback HTTP they share it with the
// kernel's network stack too. A scenario whose limit lies above what the
// generator can drive within the SLO shows, in a search, wherever the
// generator happened to stall: a different floor each run. So before the
// scenarios, the same search (same SLO, workers, population, grid of
// rates) runs against a target that does nothing (in process: a Target
// that answers at once; HTTP: a loopback server that answers at once).
// Its capacity is the generator's ceiling on this machine, and every
// scenario of that transport is searched no higher: one that holds there
// reports "≥ the generator's ceiling (the generator, not the target, is
// the limit)", the same answer on every run, instead of a random floor.

// ceilingName is the no-op scenario measuring the generator over via.
func ceilingName(via Via) string { return "generator-" + string(via) }

// noopTarget answers every request at once, as a valid session.
func noopTarget() Target {
	return TargetFunc(func(context.Context, string) (Outcome, error) { return Outcome{Reason: "session"}, nil })
}

// noopServer starts a loopback HTTP server that answers every request at
// once (200, "{}", reason "session"); stop closes it.
func noopServer() (url string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("bench: capacity: generator ceiling: %w", err)
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set(HeaderReason, "session")
		_, _ = w.Write([]byte("{}"))
	})}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String() + "/", func() { _ = srv.Close() }, nil
}

// searchCeilings measures the generator's ceiling for each transport
// cfg's scenarios use, in their order, each with its own share of the
// time budget (budget.next).
func searchCeilings(ctx context.Context, cfg Config, targets Targets, cc CapacityConfig, progress func(string, *Probe), env probeEnv, budget *timeBudget) ([]Capacity, error) {
	var out []Capacity
	seen := map[Via]bool{}
	for _, sc := range cfg.Scenarios {
		via := sc.Via
		if via == "" {
			via = ViaInProc
		}
		if seen[via] {
			continue
		}
		seen[via] = true
		c, err := searchCeiling(ctx, cfg, targets, via, budget.nextCeiling(cc, env), progress, env)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
		if c.Canceled {
			break
		}
	}
	return out, nil
}

// searchCeiling searches the no-op target over via.
func searchCeiling(ctx context.Context, cfg Config, targets Targets, via Via, cc CapacityConfig, progress func(string, *Probe), env probeEnv) (Capacity, error) {
	spec := ScenarioSpec{Name: ceilingName(via), Mode: "generator", Strategy: "noop", Via: via}
	base := cfg
	t := Targets{Population: targets.Population, InProc: map[string]Target{spec.Name: noopTarget()}}
	if via == ViaHTTP {
		url, stop, err := noopServer()
		if err != nil {
			return Capacity{}, err
		}
		defer stop()
		spec.URL = url
		base.AllowedHosts = nil // loopback only: the no-op server is all it contacts
	}
	base.Scenarios, base.Baseline = []ScenarioSpec{spec}, ""
	if progress != nil {
		progress(spec.Name, nil)
	}
	cc.ceiling = true // the generator's lateness is what this measures
	return searchCapacity(ctx, base, spec.Name, t, cc, eachProbe(progress, spec.Name), env)
}

// ceilingFor is the generator's ceiling for a scenario over via: a
// bracketed capacity of the no-op target (0: none, when its search was a
// floor, undecided or found nothing: then nothing caps the scenario).
func ceilingFor(ceilings []Capacity, via Via) float64 {
	if via == "" {
		via = ViaInProc
	}
	for _, c := range ceilings {
		if c.Scenario.Via == via && !c.LowerBound && c.BracketHigh > 0 && c.Rate > 0 {
			return c.Rate
		}
	}
	return 0
}

// capAtCeiling caps cc's search at the generator's ceiling (0: none).
func capAtCeiling(cc CapacityConfig, ceiling float64) CapacityConfig {
	if ceiling > 0 && (cc.MaxRate <= 0 || Rate(ceiling) < cc.MaxRate) {
		cc.MaxRate = Rate(ceiling)
	}
	return cc
}

// markGeneratorLimited records the ceiling a search was capped at, and
// whether it held there (the generator, not the target, is the limit).
func markGeneratorLimited(c *Capacity, ceiling float64) {
	if ceiling <= 0 {
		return
	}
	c.GeneratorCeiling = ceiling
	c.GeneratorLimited = c.AtCeiling && c.Rate >= ceiling
}
