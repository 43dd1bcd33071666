package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/authscope/authscope/bench"
	"github.com/authscope/authscope/profiles"
	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/tui"
)

// The demo's load profiles: local against proxy for each strategy, and a
// short smoke run. Every scenario drives a real resolver in-process
// (proxy scenarios through the demo upstream on loopback).

func (d *demo) loadProfiles() []tui.LoadProfile {
	mk := func(name string, st resolver.Strategy, rate float64, dur, warm time.Duration) tui.LoadProfile {
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
		return tui.LoadProfile{Name: name, Config: cfg, Targets: d.targets(st)}
	}
	smoke := mk("smoke", resolver.StrategyJWT, 100, 2*time.Second, 0)
	return []tui.LoadProfile{
		smoke,
		mk("jwt-local-vs-proxy", resolver.StrategyJWT, 200, 5*time.Second, time.Second),
		mk("db-local-vs-proxy", resolver.StrategyDatabase, 200, 5*time.Second, time.Second),
	}
}

// profileLoad is the Load screen's run for profile p: its bench section,
// or the built-in comparison of every way of resolving, wired exactly as
// `authscope bench --profile` wires it.
func profileLoad(name string, p *profiles.Profile, getenv func(string) string) (tui.LoadProfile, error) {
	cfg, err := profileBenchConfig(p)
	if err != nil {
		return tui.LoadProfile{}, err
	}
	if len(cfg.Scenarios) == 0 {
		cfg = benchCompareConfig()
	}
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return tui.LoadProfile{}, usageError{fmt.Errorf("%s: bench: %w", p.Source, err)}
	}
	return tui.LoadProfile{
		Name:   name,
		Config: cfg,
		Targets: func(ctx context.Context, _ tui.Settings, cfg bench.Config) (bench.Config, bench.Targets, func(), error) {
			setup, err := newBenchSetup(ctx, cfg, benchOptions{profile: p, getenv: getenv, dbSeed: 1})
			if err != nil {
				return cfg, bench.Targets{}, nil, err
			}
			return setup.cfg, setup.targets, func() { _ = setup.Close() }, nil
		},
	}, nil
}

// targets builds one resolver per scenario (the cache as the settings
// say) and the strategy's cookie population.
func (d *demo) targets(st resolver.Strategy) func(context.Context, tui.Settings, bench.Config) (bench.Config, bench.Targets, func(), error) {
	return func(_ context.Context, s tui.Settings, cfg bench.Config) (bench.Config, bench.Targets, func(), error) {
		cfg.Scenarios = append([]bench.ScenarioSpec(nil), cfg.Scenarios...)
		t := bench.Targets{InProc: map[string]bench.Target{}, Population: d.population[st]}
		for i, sc := range cfg.Scenarios {
			mode := resolver.Mode(sc.Mode)
			r, _, err := d.resolver(mode, st, s.Cache)
			if err != nil {
				return cfg, bench.Targets{}, nil, err
			}
			t.InProc[sc.Name] = resolverTarget(r, mode)
			cfg.Scenarios[i].Cache = s.Cache // the report's label
		}
		return cfg, t, func() {}, nil
	}
}

// resolverTarget adapts a resolver to bench: one resolution per request,
// labelled with its reason; store and upstream failures are errors.
func resolverTarget(r resolver.Resolver, mode resolver.Mode) bench.Target {
	do := resolverDo(r, mode)
	if c, ok := r.(interface{ InvalidateAll() }); ok {
		// A cached resolver: a capacity search empties the cache before
		// each probe (bench.Resetter), so every probe warms its own.
		return cachedTarget{TargetFunc: do, reset: c.InvalidateAll}
	}
	return do
}

// cachedTarget is a cached resolver's target: bench.Resetter empties it.
type cachedTarget struct {
	bench.TargetFunc
	reset func()
}

// Reset implements bench.Resetter.
func (t cachedTarget) Reset(context.Context) error {
	t.reset()
	return nil
}

func resolverDo(r resolver.Resolver, mode resolver.Mode) bench.TargetFunc {
	return bench.TargetFunc(func(ctx context.Context, cookie string) (bench.Outcome, error) {
		res, err := r.Resolve(ctx, resolver.FromCookieHeader(cookie))
		if err != nil {
			return bench.Outcome{Reason: "error"}, err
		}
		o := bench.Outcome{
			Reason:   string(res.Reason),
			CacheHit: res.Source == "cache",
			Upstream: mode == resolver.ModeProxy && res.Source != "cache",
		}
		switch res.Reason {
		case resolver.ReasonStoreError, resolver.ReasonUpstreamStatus, resolver.ReasonUpstreamBody,
			resolver.ReasonUpstreamTimeout, resolver.ReasonUpstreamError, resolver.ReasonCanceled:
			if res.Err == nil {
				return o, errors.New(string(res.Reason))
			}
			return o, res.Err
		}
		return o, nil
	})
}

// demoCapacity is the capacity search the Load screen's p runs on the
// demo: p99 within 25ms, short probes, bounded steps.
func demoCapacity() bench.CapacityConfig {
	return bench.CapacityConfig{
		SLO: bench.SLO{Quantile: 99, Limit: 25 * time.Millisecond}, MaxErrors: 0.01,
		StartRate: 200, MaxRate: 20_000,
		StepDuration: bench.Duration(2 * time.Second), StepWarmup: bench.Duration(500 * time.Millisecond),
		MaxSteps: 8,
	}
}
