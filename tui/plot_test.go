package tui

import (
	"strings"
	"testing"

	"github.com/authscope/authscope/resolver"
)

// legendOf is the chart's legend: the lines between the table and the
// first plot row.
func legendOf(t *testing.T, out string) string {
	t.Helper()
	lines := strings.Split(out, "\n")
	var legend []string
	for i, l := range lines {
		if strings.HasPrefix(l, "max ") {
			for _, m := range lines[i+1:] {
				if strings.Contains(m, "│") {
					return strings.Join(legend, "\n")
				}
				legend = append(legend, m)
			}
		}
	}
	t.Fatalf("no chart:\n%s", out)
	return ""
}

// v cycles the chart through every scenario, each mode shared by several,
// and each scenario alone; the table keeps every scenario; help and the
// screen's hint name the key.
func TestLoadPlotCyclesScenarios(t *testing.T) {
	hs := newHarness(t, 5, 120, 40)
	snap := sampleSnapshot(true)
	extra := snap.Scenarios[0]
	extra.Name = "db-local"
	snap.Scenarios = append(snap.Scenarios, extra) // two local, one proxy
	hs.runner.snaps = []RunSnapshot{snap}
	hs.key("3", "space")
	want := [][]string{
		{"jwt-local", "jwt-proxy", "db-local"}, // all
		{"jwt-local", "db-local"},              // mode:local
		{"jwt-local"}, {"jwt-proxy"}, {"db-local"},
		{"jwt-local", "jwt-proxy", "db-local"}, // all again
	}
	for i, names := range want {
		if i > 0 {
			hs.key("v")
		}
		out := hs.screenText()
		legend := legendOf(t, out)
		for _, n := range []string{"jwt-local", "jwt-proxy", "db-local"} {
			plotted := strings.Contains(legend, legendLine+" "+n)
			if plotted != strings.Contains(strings.Join(names, " "), n) {
				t.Fatalf("step %d: %s plotted=%v, want %v:\n%s", i, n, plotted, !plotted, legend)
			}
			// The table keeps every scenario whatever the chart plots.
			if !strings.Contains(out[:strings.Index(out, "requests")], n) {
				t.Fatalf("step %d: the table lost %s", i, n)
			}
		}
	}
	if !strings.Contains(hs.screenText(), "v plot") {
		t.Fatal("the screen's hint does not name v")
	}
	hs.key("?")
	if !strings.Contains(hs.screenText(), "chart: all/mode/one scenario") {
		t.Fatalf("help lacks v:\n%s", hs.screenText())
	}
}

// A scenario keeps its colour when others are hidden: the rank within its
// mode, not its position among those plotted.
func TestPlottedCurvesKeepTheirColour(t *testing.T) {
	scs := []ScenarioStats{{Name: "a", Mode: resolver.ModeLocal}, {Name: "b", Mode: resolver.ModeProxy}, {Name: "c", Mode: resolver.ModeLocal}}
	l := loadModel{plot: plotScenario + "c"}
	got := l.plotted(scs)
	if len(got) != 1 || got[0].Label != "c" || got[0].Series != 1 || got[0].Proxy {
		t.Fatalf("plotted %+v", got)
	}
	l.plot = plotScenario + "gone"
	if got := l.plotted(scs); len(got) != 3 {
		t.Fatalf("a stale selection plots %d curves, want all", len(got))
	}
}
