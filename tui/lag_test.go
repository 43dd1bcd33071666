package tui

import (
	"strings"
	"testing"
	"time"

	"charm.land/lipgloss/v2"
)

// p99s the load generator itself delayed are marked in the table and
// explained in one line, as the exported report warns; scenarios sent on
// time are not marked.
func TestLoadMarksGeneratorDelayedP99s(t *testing.T) {
	for _, w := range []int{80, 120} {
		hs := newHarness(t, 5, w, 30)
		snap := sampleSnapshot(true)
		proxy := &snap.Scenarios[1]
		proxy.Lagged, proxy.LagP99, proxy.UncorrectedP99 = true, 12*time.Millisecond, 900*time.Microsecond
		hs.runner.snaps = []RunSnapshot{snap}
		hs.key("3", "space")
		out := hs.screenText()
		var p99 string
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, "p99 ") {
				p99 = line
			}
			if lipgloss.Width(line) > w {
				t.Errorf("%d: line %d wide: %q", w, lipgloss.Width(line), line)
			}
		}
		f := strings.Fields(p99)
		if len(f) != 3 || strings.HasSuffix(f[1], lagMark) || !strings.HasSuffix(f[2], lagMark) {
			t.Fatalf("%d: p99 row %q: want the proxy's cell marked, the local one not", w, p99)
		}
		for _, want := range []string{lagMark + " jwt-proxy: p99 includes the generator's lag (p99 12.0ms; uncorrected 900µs)"} {
			if !strings.Contains(out, want) {
				t.Fatalf("%d: no caveat %q:\n%s", w, want, out)
			}
		}
	}
	hs := newHarness(t, 5, 120, 30)
	hs.key("3", "space")
	if out := hs.screenText(); strings.Contains(out, "generator's lag") || strings.Contains(out, lagMark+" ") {
		t.Fatalf("a run sent on time shows the caveat:\n%s", out)
	}
}

// With several scenarios late, the caveat counts them rather than cut
// the figures off the end of the line.
func TestLagCaveatCountsManyScenarios(t *testing.T) {
	var scs []ScenarioStats
	for i, name := range []string{"local-jwt", "local-jwt-cache", "local-db", "proxy-jwt"} {
		scs = append(scs, ScenarioStats{Name: name, Lagged: i < 3, LagP99: time.Duration(i+1) * time.Millisecond,
			UncorrectedP99: time.Duration(i+1) * 100 * time.Microsecond})
	}
	got := lagCaveat(scs)
	if want := lagMark + " 3 scenarios: p99s include the generator's lag (p99 up to 3.00ms; uncorrected up to 300µs)"; got != want {
		t.Fatalf("caveat %q, want %q", got, want)
	}
	scs[3].Lagged = true
	if got := lagCaveat(scs); !strings.HasPrefix(got, lagMark+" all 4 scenarios:") {
		t.Fatalf("caveat %q", got)
	}
	if got := lagCaveat(scs[:2]); !strings.HasPrefix(got, lagMark+" local-jwt, local-jwt-cache: p99s include") {
		t.Fatalf("caveat %q", got)
	}
}
