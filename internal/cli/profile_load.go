package cli

import (
	"context"
	"fmt"

	"github.com/authscope/authscope/bench"
	"github.com/authscope/authscope/internal/benchtarget"
	"github.com/authscope/authscope/profiles"
	"github.com/authscope/authscope/tui"
	"github.com/authscope/authscope/tui/backend"
)

// profileLoad is the Load screen's run for profile p: its bench section,
// or the built-in comparison of every way of resolving, wired as
// `authscope bench --profile` wires it, except that the built-in upstream
// answers from this process rather than a child of its own.
func profileLoad(name string, p *profiles.Profile, getenv func(string) string) (backend.LoadProfile, error) {
	cfg := profileBenchConfig(p)
	if len(cfg.Scenarios) == 0 {
		cfg = benchtarget.CompareConfig()
	}
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return backend.LoadProfile{}, usageError{fmt.Errorf("%s: bench: %w", p.Source, err)}
	}
	return backend.LoadProfile{
		Name:   name,
		Config: cfg,
		Targets: func(ctx context.Context, _ tui.Settings, cfg bench.Config) (bench.Config, bench.Targets, func(), error) {
			setup, err := benchtarget.NewSetup(ctx, cfg, benchtarget.Options{Profile: p, Getenv: getenv, DBSeed: 1})
			if err != nil {
				return cfg, bench.Targets{}, nil, err
			}
			return setup.Config, setup.Targets, func() { _ = setup.Close() }, nil
		},
	}, nil
}
