package tui

import (
	"strings"
	"testing"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// A run stopped with space says where it stopped and keeps its figures.
func TestLoadStoppedRunSaysStopped(t *testing.T) {
	hs := newHarness(t, 5, 100, 30)
	stopped := sampleSnapshot(true)
	stopped.Stopped, stopped.Elapsed, stopped.Duration = true, 2800*time.Millisecond, 12*time.Second
	hs.runner.snaps = []RunSnapshot{sampleSnapshot(false), stopped}
	hs.key("3", "space")
	out := hs.screenText()
	for _, want := range []string{"stopped at 2.8s", "run stopped at 2.8s", "p99.9"} {
		if !strings.Contains(out, want) {
			t.Errorf("screen lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "finished") {
		t.Errorf("a stopped run shows finished:\n%s", out)
	}
}

// Capacity search: the scenario and criteria show from the start, the
// probes as they arrive, the answer names the scenario; at 80 columns
// every line fits and the answer is whole.
func TestLoadCapacityShowsStepsAndNamedResult(t *testing.T) {
	hs := newHarness(t, 5, 80, 24)
	hs.key("3")
	l := &hs.m.load
	steps := sampleSteps()
	l.capID, l.capRunning = 1, true
	hs.send(capStepMsg{id: 1, step: steps[0]})
	out := hs.screenText()
	if !strings.Contains(out, "capacity database-local-cached") || !strings.Contains(out, "probing step 1") {
		t.Fatalf("the search's start is not shown:\n%s", out)
	}
	hs.send(capStepMsg{id: 1, step: steps[1]})
	if out := hs.screenText(); !strings.Contains(out, "100/s ✓") || !strings.Contains(out, "probing step 2") {
		t.Fatalf("a probe is not shown as it arrives:\n%s", out)
	}
	hs.send(capStepMsg{id: 1, step: steps[2]})
	hs.send(capStepMsg{id: 1, step: steps[3]})
	hs.send(capDoneMsg{id: 1})
	out = hs.screenText()
	if !strings.Contains(out, "database-local-cached → capacity 150/s") {
		t.Fatalf("the answer is not whole on one line at 80 columns:\n%s", out)
	}
	if !strings.Contains(out, "SLO p99 ≤ 25ms, errors ≤ 1%") {
		t.Fatalf("the search's SLO is not shown:\n%s", out)
	}
	// The search is what the screen shows last: e exports it, not a run.
	hs.key("e")
	if l.exported != "/tmp/authscope-demo-mixed-capacity.json" {
		t.Fatalf("exported %q after a capacity search", l.exported)
	}
	for i, line := range strings.Split(out, "\n") {
		if lipgloss.Width(line) > 80 {
			t.Errorf("line %d is %d wide", i, lipgloss.Width(line))
		}
	}
	lines := capacityLines(append(steps[:3:3], steps[1], steps[2], steps[1], steps[2], steps[1], steps[2]), true, 80)
	for _, line := range lines {
		if w := lipgloss.Width(line); w > 80 {
			t.Errorf("capacity line %d wide: %q", w, line)
		}
	}
	if len(lines) < 3 {
		t.Errorf("eight probes did not wrap: %q", lines)
	}
}

func TestAbbreviateScenarioNames(t *testing.T) {
	for _, tc := range []struct {
		name string
		w    int
		want string
	}{
		{"jwt-local", 12, "jwt-local"},
		{"database-local", 12, "db-local"},
		{"database-proxy-cached", 12, "db-proxy+c"},
		{"database-local-cached", 9, "db-loc+c"},
		{"a-very-long-scenario-name", 8, "a-very-…"},
	} {
		if got := abbreviate(tc.name, tc.w); got != tc.want {
			t.Errorf("abbreviate(%q, %d) = %q, want %q", tc.name, tc.w, got, tc.want)
		}
	}
}

func TestLoadWithoutProfileSaysSo(t *testing.T) {
	hs := newHarness(t, 5, 80, 24)
	hs.m.load.profiles = nil
	hs.key("3")
	out := hs.screenText()
	if strings.Contains(out, "press space to start") || !strings.Contains(out, "no load profile") {
		t.Fatalf("no profile:\n%s", out)
	}
	hs.key("space")
	if hs.m.load.running || !strings.Contains(hs.screenText(), "error: nothing to run") {
		t.Fatalf("space without a profile:\n%s", hs.screenText())
	}
}

// A scenario not yet started shows "-" in every latency row, max included,
// beside a started one's figures.
func TestPercentileTableUnstartedScenarioShowsDash(t *testing.T) {
	scs := []ScenarioStats{
		{Name: "local", Requests: 10, Percentiles: []Quantile{{50, time.Millisecond}, {90, time.Millisecond}, {99, 2 * time.Millisecond}, {99.9, 2 * time.Millisecond}}, Max: 3 * time.Millisecond},
		{Name: "proxy"},
	}
	out := ansi.Strip(percentileTable(scs, NewStyles(true), 60))
	for _, line := range strings.Split(out, "\n")[3:] { // the latency rows
		f := strings.Fields(line)
		if len(f) != 3 || f[2] != "-" || f[1] == "-" {
			t.Errorf("row %q: want the started scenario's figure then -", line)
		}
	}
	if !strings.Contains(out, "max") {
		t.Errorf("no max row:\n%s", out)
	}
}

// Rates still pending (right after warm-up) show as "-", never as the
// meaningless figure the snapshot carries.
func TestLoadProgressHidesPendingRates(t *testing.T) {
	snap := RunSnapshot{Elapsed: time.Second, Duration: 10 * time.Second, AttemptedRate: 55356, AchievedRate: 55000, RatesPending: true}
	l := New(Deps{}).load
	l.snap = &snap
	if line := ansi.Strip(l.progressLine(120)); !strings.Contains(line, "attempted - achieved -") || strings.Contains(line, "55356") {
		t.Fatalf("progress line: %q", line)
	}
	snap.RatesPending = false
	if line := ansi.Strip(l.progressLine(120)); !strings.Contains(line, "55356") {
		t.Fatalf("settled rates not shown: %q", line)
	}
}

func TestLoadRunStreamsAndDropsStaleRuns(t *testing.T) {
	hs := newHarness(t, 5, 120, 40)
	hs.key("3", "space")
	l := &hs.m.load
	if l.running || l.snap == nil || !l.snap.Final {
		t.Fatalf("run did not finish with its final snapshot: running %v snap %+v", l.running, l.snap)
	}
	out := hs.screenText()
	for _, want := range []string{"jwt-local", "jwt-proxy", "p99.9", "achieved 497/s", "latency, log scale"} {
		if !strings.Contains(out, want) {
			t.Errorf("load screen lacks %q:\n%s", want, out)
		}
	}
	// A snapshot from the finished run, delivered late, is ignored.
	old := l.runID
	hs.key("space")
	late := sampleSnapshot(false)
	late.AchievedRate = 1
	hs.send(snapshotMsg{id: old - 0, snap: late})
	hs.send(snapshotMsg{id: old - 1, snap: late})
	if l.snap.AchievedRate == 1 {
		t.Fatal("stale snapshot applied")
	}
	hs.key("e")
	if !strings.Contains(hs.screenText(), "exported authscope-demo-mixed.hlog") {
		t.Fatalf("export: %q", hs.screenText())
	}
	hs.key("p")
	if !strings.Contains(hs.screenText(), "capacity 150/s") {
		t.Fatalf("capacity: %q", hs.screenText())
	}
}

func TestLoadStopCancelsTheRun(t *testing.T) {
	hs := newHarness(t, 5, 120, 40)
	hs.runner.hold = true
	hs.key("3")
	start := hs.send(keyMsg("space"))
	started, _ := runWithTimeout(start, 10*time.Second)
	// Take the scripted snapshots; the next wait blocks while the run is held.
	for cmd := hs.send(started); ; {
		msg, ok := runWithTimeout(cmd, 200*time.Millisecond)
		if !ok {
			break
		}
		cmd = hs.send(msg)
	}
	if !hs.m.load.running {
		t.Fatal("run not running")
	}
	hs.key("space")
	if !hs.m.load.stopping {
		t.Fatal("space did not stop the run")
	}
	hs.run(waitSnapshot(hs.m.load.runID, hs.m.load.ch))
	if hs.m.load.running {
		t.Fatal("run still running after its channel closed")
	}
}
