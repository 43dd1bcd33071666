package demo

import (
	"context"
	"time"

	"github.com/authscope/authscope/bench"
	"github.com/authscope/authscope/internal/benchtarget"
	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/tui"
	"github.com/authscope/authscope/tui/backend"
)

// The demo's load profiles: local against proxy for each strategy, and a
// short smoke run. Every scenario drives a real resolver in-process
// (proxy scenarios through the demo upstream on loopback).

func (d *Demo) LoadProfiles() []backend.LoadProfile {
	if d.ba != nil {
		return d.betterAuthLoadProfiles()
	}
	mk := func(name string, st resolver.Strategy, rate float64, dur, warm time.Duration) backend.LoadProfile {
		pop := d.population[st]
		cfg := bench.Config{
			Rate: bench.Rate(rate), Duration: bench.Duration(dur), Warmup: bench.Duration(warm),
			Population: bench.PopulationConfig{
				Sessions: len(pop.Valid), Popularity: bench.Zipf,
				Expired: 0.05, Tampered: 0.02, NoCookie: 0.03,
			},
			Scenarios: []bench.ScenarioSpec{
				{Name: string(st) + "-local", Mode: "local", Strategy: string(st)},
				{Name: string(st) + "-proxy", Mode: "proxy", Strategy: string(st)},
			},
		}
		return backend.LoadProfile{Name: name, Config: cfg, Targets: d.targets(st)}
	}
	smoke := mk("smoke", resolver.StrategyJWT, 100, 2*time.Second, 0)
	return []backend.LoadProfile{
		smoke,
		mk("jwt-local-vs-proxy", resolver.StrategyJWT, 200, 5*time.Second, time.Second),
		mk("db-local-vs-proxy", resolver.StrategyDatabase, 200, 5*time.Second, time.Second),
	}
}

// targets builds one resolver per scenario (the cache as the settings
// say) and the strategy's cookie population.
func (d *Demo) targets(st resolver.Strategy) func(context.Context, tui.Settings, bench.Config) (bench.Config, bench.Targets, func(), error) {
	return func(_ context.Context, s tui.Settings, cfg bench.Config) (bench.Config, bench.Targets, func(), error) {
		cfg.Scenarios = append([]bench.ScenarioSpec(nil), cfg.Scenarios...)
		t := bench.Targets{InProc: map[string]bench.Target{}, Population: d.population[st]}
		for i, sc := range cfg.Scenarios {
			mode := resolver.Mode(sc.Mode)
			r, _, err := d.Resolver(mode, st, s.Cache)
			if err != nil {
				return cfg, bench.Targets{}, nil, err
			}
			t.InProc[sc.Name] = benchtarget.ResolverTarget(r, mode)
			cfg.Scenarios[i].Cache = s.Cache // the report's label
		}
		return cfg, t, func() {}, nil
	}
}

// Capacity is the capacity search the Load screen's p runs on the
// demo: p99 within 25ms, short probes, bounded steps.
func Capacity() bench.CapacityConfig {
	return bench.CapacityConfig{
		SLO: bench.SLO{Quantile: 99, Limit: 25 * time.Millisecond}, MaxErrors: 0.01,
		StartRate: 200, MaxRate: 20_000,
		StepDuration: bench.Duration(2 * time.Second), StepWarmup: bench.Duration(500 * time.Millisecond),
		MaxSteps: 8,
	}
}
