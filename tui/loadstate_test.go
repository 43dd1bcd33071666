package tui

import (
	"strings"
	"testing"
)

// stateLine is the Load screen's "state …" line.
func stateLine(t *testing.T, out string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "state ") {
			return line
		}
	}
	t.Fatalf("no state line:\n%s", out)
	return ""
}

// A capacity search started after a finished run leads the screen: the
// state line says the search is on, not the old run's "finished", and the
// old run's table and chart go.
func TestLoadCapacitySearchReplacesTheFinishedRun(t *testing.T) {
	hs := newHarness(t, 5, 100, 30)
	hs.key("3", "space")
	if out := hs.screenText(); !strings.Contains(stateLine(t, out), "finished") {
		t.Fatalf("setup: the run did not finish:\n%s", out)
	}
	// The search starts (its command not run yet: it is in progress).
	hs.send(keyMsg("p"))
	out := hs.screenText()
	if st := stateLine(t, out); strings.Contains(st, "finished") || !strings.Contains(st, "capacity search") {
		t.Fatalf("state during a capacity search: %q", st)
	}
	if strings.Contains(out, "p99.9") || strings.Contains(out, "latency, log scale") {
		t.Fatalf("the previous run's table or chart stays during the search:\n%s", out)
	}
}

// During a run the footer says the run is going, not "starting…".
func TestLoadFooterFollowsTheRun(t *testing.T) {
	hs := newHarness(t, 5, 100, 30)
	hs.key("3")
	cmd := hs.send(keyMsg("space"))
	if out := hs.screenText(); !strings.Contains(out, "starting demo-mixed") {
		t.Fatalf("no starting message:\n%s", out)
	}
	started := cmd()
	wait := hs.send(started)
	hs.send(wait()) // the first snapshot
	out := hs.screenText()
	footer := out[strings.LastIndex(out, "\n")+1:]
	if strings.Contains(footer, "starting") || !strings.Contains(footer, "running demo-mixed") {
		t.Fatalf("footer during the run: %q", footer)
	}
	hs.m.load.stopAll()
}

// A capacity result belongs to the profile searched: picking another
// profile, or running it, does not show the first one's result under it;
// the first profile's result is back when it is picked again.
func TestLoadCapacityResultStaysWithItsProfile(t *testing.T) {
	hs := newHarness(t, 5, 100, 30)
	hs.key("3", "p")
	if out := hs.screenText(); !strings.Contains(out, "capacity 150/s") {
		t.Fatalf("setup: no capacity result:\n%s", out)
	}
	hs.key("j") // smoke
	if out := hs.screenText(); strings.Contains(out, "capacity 150/s") {
		t.Fatalf("demo-mixed's capacity shown under smoke:\n%s", out)
	}
	hs.key("space")
	if out := hs.screenText(); strings.Contains(out, "capacity 150/s") {
		t.Fatalf("demo-mixed's capacity shown under smoke's run:\n%s", out)
	}
	hs.key("k") // demo-mixed again
	if out := hs.screenText(); !strings.Contains(out, "capacity 150/s") {
		t.Fatalf("demo-mixed's capacity lost:\n%s", out)
	}
}
