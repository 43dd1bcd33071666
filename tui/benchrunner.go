package tui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/authscope/authscope/bench"
	"github.com/authscope/authscope/resolver"
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
	Targets func(ctx context.Context, s Settings, cfg bench.Config) (run bench.Config, t bench.Targets, release func(), err error)
	// Scenario picks the scenario a capacity search probes for s
	// (default: the first whose mode matches s.Mode, else the first).
	Scenario func(s Settings, cfg bench.Config) string
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

// Profiles implements Runner.
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
	return LoadProfile{}, fmt.Errorf("load profile %q: %w", name, ErrNotSupported)
}

// Start implements Runner.
func (b *BenchRunner) Start(ctx context.Context, name string, s Settings) (<-chan RunSnapshot, error) {
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
	out := make(chan RunSnapshot, 1)
	go func() {
		defer close(out)
		defer release()
		for snap := range ch {
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

// curvePercentiles are the points of the percentile curve.
func curvePercentiles() []float64 {
	return []float64{0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999, 100}
}

// minRateWindow is the measured time below which live rates are not shown.
const minRateWindow = time.Second

func convertSnapshot(profile string, s bench.Snapshot) RunSnapshot {
	rs := RunSnapshot{Profile: profile, Final: s.Final, Stopped: s.Final && s.Canceled, Err: s.Err}
	for i, sc := range s.Scenarios {
		rep := sc.Report
		rs.Duration += sc.Planned
		switch {
		case sc.State == bench.StateDone && !s.Canceled:
			rs.Elapsed += sc.Planned
		case sc.State == bench.StatePending:
		default:
			// A stopped scenario is done at the time it got to.
			rs.Elapsed += min(sc.Elapsed, sc.Planned)
		}
		if i == s.Current || (s.Current < 0 && sc.State == bench.StateDone) {
			rs.AttemptedRate, rs.AchievedRate = rep.RateAttempted, rep.RateAchieved
			rs.RatesPending = !s.Final && rep.WindowSeconds < minRateWindow.Seconds()
		}
		if i == s.Current && !s.Final {
			rs.Current = fmt.Sprintf("%s (%d/%d, %s)", rep.Name, i+1, len(s.Scenarios), sc.State)
		}
		st := ScenarioStats{
			Name: rep.Name, Mode: resolver.Mode(rep.Mode),
			Requests: uint64(max(rep.Requests, 0)), Errors: uint64(max(rep.Errors, 0)),
			Reasons: make(map[resolver.Reason]uint64, len(rep.Reasons)),
		}
		for r, n := range rep.Reasons {
			st.Reasons[resolver.Reason(r)] = uint64(max(n, 0))
		}
		if h, _ := rep.Histograms(); h != nil && h.TotalCount() > 0 {
			for _, p := range curvePercentiles() {
				st.Percentiles = append(st.Percentiles, Quantile{Percentile: p, Latency: time.Duration(h.ValueAtPercentile(p))})
			}
			st.Max = time.Duration(h.Max())
		} else if rep.Requests > 0 {
			l := rep.LatencyNs
			for _, q := range []struct {
				p float64
				v int64
			}{{50, l.P50}, {90, l.P90}, {99, l.P99}, {99.9, l.P999}, {99.99, l.P9999}, {100, l.Max}} {
				st.Percentiles = append(st.Percentiles, Quantile{Percentile: q.p, Latency: time.Duration(q.v)})
			}
			st.Max = time.Duration(l.Max)
		}
		rs.Scenarios = append(rs.Scenarios, st)
	}
	return rs
}

// Capacity implements Runner: it probes one scenario of the profile and
// streams each probe, then the result (Final).
func (b *BenchRunner) Capacity(ctx context.Context, name string, s Settings) (<-chan CapacityStep, error) {
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
	out := make(chan CapacityStep, 16)
	criteria := b.criteria()
	out <- CapacityStep{Started: true, Scenario: scenario, Criteria: criteria, Rate: float64(b.capacity.StartRate)}
	go func() {
		defer close(out)
		defer release()
		res, err := bench.FindCapacity(ctx, cfg, scenario, targets, b.capacity, func(pr bench.Probe) {
			step := CapacityStep{Scenario: scenario, Rate: pr.Rate, P99: time.Duration(pr.Latency), Success: 1 - pr.ErrorRatio, OK: pr.Pass}
			select {
			case out <- step:
			case <-ctx.Done():
			}
		})
		final := CapacityStep{Scenario: scenario, Criteria: criteria, Final: true, Rate: res.Rate, OK: err == nil, Err: err}
		if res.Canceled {
			final.Err = context.Canceled
		}
		select {
		case out <- final:
		case <-time.After(time.Second):
		}
	}()
	return out, nil
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

func defaultScenario(s Settings, cfg bench.Config) string {
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

// Export implements Runner: it writes the profile's last final report as
// JSON and HTML and returns the JSON path.
func (b *BenchRunner) Export(_ context.Context, snap RunSnapshot) (string, error) {
	b.mu.Lock()
	rep := b.last[snap.Profile]
	b.mu.Unlock()
	if rep == nil {
		return "", errors.New("no finished run of this profile to export")
	}
	dir := b.dir
	if dir == "" {
		dir = DefaultExportDir()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("export: %w", err)
	}
	base := filepath.Join(dir, fmt.Sprintf("authscope-%s-%s", snap.Profile, rep.Started.UTC().Format("20060102T150405Z")))
	if err := writeReport(base+".json", rep.WriteJSON); err != nil {
		return "", err
	}
	if err := writeReport(base+".html", func(w io.Writer) error { return bench.WriteHTML(w, rep) }); err != nil {
		return "", err
	}
	return base + ".json", nil
}

// capacityExport is the JSON of an exported capacity search.
type capacityExport struct {
	Profile  string          `json:"profile"`
	Scenario string          `json:"scenario"`
	SLO      string          `json:"slo"`
	Capacity float64         `json:"capacity_rps"`
	Result   string          `json:"result"`
	Error    string          `json:"error,omitempty"`
	Probes   []capacityProbe `json:"probes"`
}

type capacityProbe struct {
	Rate    float64 `json:"rate_rps"`
	P99Ns   int64   `json:"p99_ns"`
	Success float64 `json:"success_ratio"`
	Pass    bool    `json:"pass"`
}

// ExportCapacity implements CapacityExporter: it writes the search as
// JSON under a name of its own (…-capacity-<time>.json) and returns it.
func (b *BenchRunner) ExportCapacity(_ context.Context, profile string, steps []CapacityStep) (string, error) {
	out := capacityExport{Profile: profile, Result: capacityResult(steps), Probes: []capacityProbe{}}
	final := false
	for _, s := range steps {
		if s.Scenario != "" {
			out.Scenario = s.Scenario
		}
		if s.Criteria != "" {
			out.SLO = s.Criteria
		}
		switch {
		case s.Started:
		case s.Final:
			final = true
			out.Capacity = s.Rate
			if s.Err != nil {
				out.Error = s.Err.Error()
			}
		case s.Err == nil:
			out.Probes = append(out.Probes, capacityProbe{Rate: s.Rate, P99Ns: s.P99.Nanoseconds(), Success: s.Success, Pass: s.OK})
		}
	}
	if !final {
		return "", errors.New("no finished capacity search to export")
	}
	dir := b.dir
	if dir == "" {
		dir = DefaultExportDir()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("export: %w", err)
	}
	path := filepath.Join(dir, fmt.Sprintf("authscope-%s-capacity-%s.json", profile, time.Now().UTC().Format("20060102T150405.000Z")))
	err := writeReport(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	})
	if err != nil {
		return "", err
	}
	return path, nil
}

func writeReport(path string, write func(io.Writer) error) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("export: %w", cerr)
		}
	}()
	if err := write(f); err != nil {
		return fmt.Errorf("export %s: %w", filepath.Base(path), err)
	}
	return nil
}

// DefaultExportDir is where reports go without --export-dir: the user's
// cache directory (authscope/exports), else the system temp directory.
func DefaultExportDir() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "authscope", "exports")
	}
	return filepath.Join(os.TempDir(), "authscope-exports")
}
