package backend

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/authscope/authscope/bench"
	"github.com/authscope/authscope/tui"
)

// LoadProfile is one load run the Load screen offers: a bench.Config and
// the code that builds its in-process targets for the current settings.
type LoadProfile struct {
	Name   string
	Config bench.Config
	// Targets builds the run's targets (resolvers, populations) for s and
	// returns the config to run (cfg, possibly with scenario URLs or labels
	// filled in). It runs inside the run's command, never in Update;
	// release is called when the run ends.
	Targets func(ctx context.Context, s tui.Settings, cfg bench.Config) (run bench.Config, t bench.Targets, release func(), err error)
	// Scenario picks the scenario a capacity search probes for s
	// (default: the first whose mode matches s.Mode, else the first).
	Scenario func(s tui.Settings, cfg bench.Config) string
}

// BenchRunner is the Runner over package bench: runs stream bench
// snapshots (already throttled and latest-wins at the source) converted to
// RunSnapshots; capacity searches stream their probes. It keeps the last
// final report per profile for Export. Safe for concurrent use.
type BenchRunner struct {
	profiles []LoadProfile
	capacity bench.CapacityConfig
	dir      string

	mu   sync.Mutex
	last map[string]*bench.Report
}

// NewBenchRunner offers profiles, probes capacity with cc and exports
// reports into dir ("" is DefaultExportDir: never the working directory,
// which is often a repository).
func NewBenchRunner(profiles []LoadProfile, cc bench.CapacityConfig, dir string) *BenchRunner {
	return &BenchRunner{profiles: profiles, capacity: cc, dir: dir, last: map[string]*bench.Report{}}
}

// Profiles implements tui.Runner.
func (b *BenchRunner) Profiles() []string {
	out := make([]string, len(b.profiles))
	for i, p := range b.profiles {
		out[i] = p.Name
	}
	return out
}

func (b *BenchRunner) profile(name string) (LoadProfile, error) {
	for _, p := range b.profiles {
		if p.Name == name {
			return p, nil
		}
	}
	return LoadProfile{}, fmt.Errorf("load profile %q: %w", name, tui.ErrNotSupported)
}

// Start implements tui.Runner.
func (b *BenchRunner) Start(ctx context.Context, name string, s tui.Settings) (<-chan tui.RunSnapshot, error) {
	p, err := b.profile(name)
	if err != nil {
		return nil, err
	}
	cfg, targets, release, err := p.Targets(ctx, s, p.Config)
	if err != nil {
		return nil, err
	}
	ch, err := bench.Run(ctx, cfg, targets)
	if err != nil {
		release()
		return nil, err
	}
	out := make(chan tui.RunSnapshot, 1)
	go func() {
		defer close(out)
		defer release()
		for snap := range ch {
			if snap.Final && snap.Report != nil {
				// Recorded before anyone else sees the report, so an export
				// compares (authscope compare checks generators and host).
				snap.Report.Generators = []bench.Generator{bench.NewGenerator(cfg)}
			}
			rs := convertSnapshot(name, snap)
			if snap.Final && snap.Report != nil {
				b.mu.Lock()
				b.last[name] = snap.Report
				b.mu.Unlock()
			}
			offer(out, rs)
		}
	}()
	return out, nil
}

// offer sends s on a capacity-1 channel without blocking: a snapshot the
// reader has not taken yet is replaced (this goroutine is the only sender,
// so after the drain the send always succeeds).
func offer[T any](out chan T, s T) {
	select {
	case out <- s:
		return
	default:
	}
	select {
	case <-out:
	default:
	}
	out <- s
}

// Capacity implements tui.Runner: it probes one scenario of the profile and
// streams each probe, then the result (Final).
func (b *BenchRunner) Capacity(ctx context.Context, name string, s tui.Settings) (<-chan tui.CapacityStep, error) {
	p, err := b.profile(name)
	if err != nil {
		return nil, err
	}
	cfg, targets, release, err := p.Targets(ctx, s, p.Config)
	if err != nil {
		return nil, err
	}
	scenario := ""
	if p.Scenario != nil {
		scenario = p.Scenario(s, cfg)
	}
	if scenario == "" {
		scenario = defaultScenario(s, cfg)
	}
	// Probes arrive seconds apart: a small buffer never blocks the search
	// on a UI that reads each one. The first message says the search has
	// begun, so the screen shows it before the first probe ends.
	out := make(chan tui.CapacityStep, 16)
	criteria := b.criteria()
	out <- tui.CapacityStep{Started: true, Scenario: scenario, Criteria: criteria, Rate: float64(b.capacity.StartRate)}
	go func() {
		defer close(out)
		defer release()
		res, err := bench.FindCapacity(ctx, cfg, scenario, targets, b.capacity, func(pr bench.Probe) {
			step := tui.CapacityStep{Scenario: scenario, Rate: pr.Rate, P99: time.Duration(pr.Latency), Success: 1 - pr.ErrorRatio, OK: pr.Pass,
				Inconclusive: pr.Verdict == bench.VerdictInconclusive}
			select {
			case out <- step:
			case <-ctx.Done():
			}
		})
		final := finalStep(scenario, criteria, res, err)
		select {
		case out <- final:
		case <-time.After(time.Second):
		}
	}()
	return out, nil
}

// finalStep is the search's result as the screen shows it. A search that
// stopped before any probe failed (its own ceiling, its step budget, a
// cancel) found no limit, so its rate is marked a lower bound.
func finalStep(scenario, criteria string, res bench.Capacity, err error) tui.CapacityStep {
	final := tui.CapacityStep{Scenario: scenario, Criteria: criteria, Final: true, Rate: res.Rate, OK: err == nil, Err: err,
		LowerBound: res.LowerBound || res.AtCeiling, StoppedBy: res.StoppedBy}
	if res.AtCeiling && final.StoppedBy == "" {
		final.StoppedBy = "max-rate"
	}
	if res.Canceled {
		final.Err, final.LowerBound = context.Canceled, true
		if final.StoppedBy == "" {
			final.StoppedBy = "canceled"
		}
	}
	return final
}

// criteria describes what a capacity probe must hold.
func (b *BenchRunner) criteria() string {
	c := b.capacity
	var parts []string
	if c.SLO.Limit > 0 {
		q := c.SLO.Quantile
		if q == 0 {
			q = 99
		}
		parts = append(parts, fmt.Sprintf("p%g ≤ %s", q, time.Duration(c.SLO.Limit)))
	}
	if c.MaxErrors > 0 {
		parts = append(parts, fmt.Sprintf("errors ≤ %g%%", 100*float64(c.MaxErrors)))
	}
	return strings.Join(parts, ", ")
}

func defaultScenario(s tui.Settings, cfg bench.Config) string {
	for _, sc := range cfg.Scenarios {
		if sc.Mode == string(s.Mode) {
			return sc.Name
		}
	}
	if len(cfg.Scenarios) > 0 {
		return cfg.Scenarios[0].Name
	}
	return ""
}
