package bench

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// TestReadHlogsRefusesNonLogs: the log reader skips lines it does not
// know, so an empty or garbage file must be refused by bench itself, named
// by its path; a log with its header but no interval (a run that recorded
// nothing) is still a log.
func TestReadHlogsRefusesNonLogs(t *testing.T) {
	dir := t.TempDir()
	var header bytes.Buffer
	lw := hdr.NewHistogramLogWriter(&header)
	if err := errors.Join(lw.OutputLogFormatVersion(), lw.OutputStartTime(0), lw.OutputLegend()); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"empty.hlog": "", "garbage.hlog": "garbage\n", "csv.hlog": "a,b,c\n1,2,3\n"} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		_, err = ReadHlogs(bytes.NewReader(header.Bytes()), f)
		f.Close()
		if !errors.Is(err, ErrNotHlog) || !strings.HasPrefix(err.Error(), path+": ") {
			t.Errorf("%s: err = %v, want %q", name, err, path+": "+ErrNotHlog.Error())
		}
	}
	// Without a name, the error gives the source's position.
	if _, err := ReadHlogs(bytes.NewReader(header.Bytes()), strings.NewReader("x\n")); err == nil || !strings.HasPrefix(err.Error(), "hlog 2: ") {
		t.Errorf("unnamed source: err = %v", err)
	}
	tot, err := ReadHlogs(bytes.NewReader(header.Bytes()))
	if err != nil || tot.Intervals != 0 {
		t.Errorf("header-only log: %v, %+v", err, tot)
	}
}

func TestReadResultsNamesSource(t *testing.T) {
	path := filepath.Join(t.TempDir(), "res.bin")
	if err := os.WriteFile(path, []byte("not results at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := ReadResults(f); !errors.Is(err, ErrNotResults) || !strings.HasPrefix(err.Error(), path+": ") {
		t.Errorf("err = %v, want %q", err, path+": "+ErrNotResults.Error())
	}
}

func TestGeneratorLagged(t *testing.T) {
	ms := int64(time.Millisecond)
	us := int64(time.Microsecond)
	for _, c := range []struct {
		name             string
		rate             float64
		sources          int
		lagP99, targetMs int64
		want             bool
	}{
		// The audit's case: 50/s (20ms apart), a 140µs target, 1.5ms lag:
		// every request still left long before the next was due.
		{"small against the interval", 50, 1, 1500 * us, 140 * us, false},
		{"small against the target", 20000, 1, 2 * ms, 5 * ms, false},
		{"large against both", 20000, 1, 2 * ms, 100 * us, true},
		{"beyond half the interval at a low rate", 50, 1, 15 * ms, 140 * us, true},
		// Two merged generators at 25/s each: 40ms apart, so 15ms is fine.
		{"merged: the interval is one generator's", 50, 2, 15 * ms, 140 * us, false},
		{"no lag recorded", 50, 1, 0, 0, false},
	} {
		s := &ScenarioReport{RateTarget: c.rate, Sources: c.sources}
		s.DispatchLagNs.P99 = c.lagP99
		s.LatencyUncorrectedNs.P50 = c.targetMs
		if got := s.GeneratorLagged(); got != c.want {
			t.Errorf("%s: GeneratorLagged = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestWriteTableWarns: a scenario whose every request failed gets a
// warning naming its reasons; one that succeeded does not.
func TestWriteTableWarns(t *testing.T) {
	r := sampleReport(t)
	bad := &r.Scenarios[1]
	bad.Succeeded, bad.Errors = 0, bad.Requests
	bad.Reasons = map[string]int64{"upstream_error": bad.Requests}
	var b bytes.Buffer
	if err := WriteTable(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "WARNING proxy<x>: none of its 2000 requests succeeded (upstream_error 100%)") {
		t.Errorf("no failure warning:\n%s", out)
	}
	if strings.Contains(out, "WARNING local-jwt") {
		t.Errorf("warning for a scenario that succeeded:\n%s", out)
	}
}

// TestFindCapacityCapsAtMaxRate: a start rate above the ceiling starts at
// the ceiling; no probe exceeds it, nor does the capacity.
func TestFindCapacityCapsAtMaxRate(t *testing.T) {
	spec, tg := inproc("fast", TargetFunc(func(context.Context, string) (Outcome, error) { return Outcome{Reason: "session"}, nil }))
	cc := CapacityConfig{SLO: SLO{Quantile: 99, Limit: time.Second}, MaxErrors: 0.5, StartRate: 100, MaxRate: 20,
		StepDuration: Duration(500 * time.Millisecond), StepWarmup: -1, MaxSteps: 3}
	c, err := FindCapacity(t.Context(), Config{Scenarios: []ScenarioSpec{spec}}, "fast", tg, cc, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Steps) == 0 || c.Steps[0].Rate != 20 {
		t.Fatalf("steps %+v: want the first at the 20/s ceiling", c.Steps)
	}
	for _, s := range c.Steps {
		if s.Rate > 20 {
			t.Errorf("probed %.0f/s above the 20/s ceiling", s.Rate)
		}
	}
	if c.Rate > 20 {
		t.Errorf("capacity %.0f/s above the ceiling", c.Rate)
	}
	if c.Rate == 20 && !c.AtCeiling {
		t.Error("held at the ceiling, but AtCeiling is false: the capacity would read as measured")
	}
}
