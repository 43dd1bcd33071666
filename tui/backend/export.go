package backend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/authscope/authscope/bench"
	"github.com/authscope/authscope/tui"
)

// Export implements tui.Runner: it writes the profile's last final report as
// JSON and HTML and returns the JSON path.
func (b *BenchRunner) Export(_ context.Context, snap tui.RunSnapshot) (string, error) {
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

// ExportCapacity implements tui.CapacityExporter: it writes the search as
// JSON under a name of its own (…-capacity-<time>.json) and returns it.
func (b *BenchRunner) ExportCapacity(_ context.Context, profile string, steps []tui.CapacityStep) (string, error) {
	out := capacityExport{Profile: profile, Result: tui.CapacityResult(steps), Probes: []capacityProbe{}}
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
