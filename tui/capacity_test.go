package tui

import (
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
)

// A search that held at its own ceiling found no limit: the screen says
// "≥ N/s" and why, never "capacity N/s" as if N were measured.
func TestCapacityAtCeilingIsALowerBound(t *testing.T) {
	const sc = "jwt-local"
	steps := []CapacityStep{
		{Started: true, Scenario: sc, Criteria: "p99 ≤ 25ms", Rate: 10000},
		{Scenario: sc, Rate: 10000, OK: true},
		{Scenario: sc, Rate: 20000, OK: true},
		{Scenario: sc, Rate: 20000, Final: true, OK: true, LowerBound: true, StoppedBy: "max-rate"},
	}
	got := CapacityResult(steps)
	if strings.Contains(got, "capacity 20000/s") || !strings.Contains(got, "≥ 20000/s") ||
		!strings.Contains(got, "lower bound: the search's ceiling") {
		t.Fatalf("a search stopped at its ceiling reads %q", got)
	}
	steps[3].StoppedBy = "max-steps"
	if got := CapacityResult(steps); !strings.Contains(got, "≥ 20000/s") || !strings.Contains(got, "lower bound") ||
		strings.Contains(got, "ceiling") {
		t.Fatalf("a search out of steps reads %q", got)
	}
	// A measured limit stays a plain figure.
	steps[3].LowerBound, steps[3].StoppedBy = false, ""
	if got := CapacityResult(steps); !strings.Contains(got, "capacity 20000/s") || strings.Contains(got, "≥") {
		t.Fatalf("a measured limit reads %q", got)
	}
}

// On the Load screen at 80 columns the lower bound is whole.
func TestLoadCapacityLowerBoundFitsAt80(t *testing.T) {
	hs := newHarness(t, 5, 80, 24)
	steps := sampleSteps()
	steps[3].LowerBound, steps[3].StoppedBy = true, "max-rate"
	hs.runner.steps = steps
	hs.key("3", "p")
	out := hs.screenText()
	if !strings.Contains(out, "≥ 150/s (lower bound: the search's ceiling)") {
		t.Fatalf("the lower bound is not shown whole:\n%s", out)
	}
	for i, line := range strings.Split(out, "\n") {
		if lipgloss.Width(line) > 80 {
			t.Errorf("line %d is %d wide", i, lipgloss.Width(line))
		}
	}
}

// Every reason a search gives for stopping reads as a lower bound.
func TestLowerBoundWhy(t *testing.T) {
	for _, by := range []string{"max-rate", "max-steps", "undecided", "", "something-new"} {
		if got := lowerBoundWhy(by); !strings.HasPrefix(got, "lower bound: ") {
			t.Errorf("%q: %q", by, got)
		}
	}
	if got := lowerBoundWhy("undecided"); !strings.Contains(got, "could not be judged") {
		t.Errorf("undecided: %q", got)
	}
}
