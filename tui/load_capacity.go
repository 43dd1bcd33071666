package tui

// The Load screen's capacity search: its progress, probes and result.

import (
	"context"
	"errors"
	"fmt"

	"github.com/charmbracelet/x/ansi"
)

// capProgress counts the probes of the running search so far.
func (l *loadModel) capProgress() string {
	n := 0
	for _, s := range l.steps {
		if !s.Started && !s.Final && s.Err == nil {
			n++
		}
	}
	if n == 1 {
		return " · 1 probe done"
	}
	return fmt.Sprintf(" · %d probes done", n)
}

// capacityLines shows a capacity search as it happens: a heading naming
// the scenario and the criteria, the probes wrapped to w, then the
// result, one line per scenario searched.
func capacityLines(steps []CapacityStep, running bool, w int) []string {
	var scenario, criteria string
	var probes []string
	var result string
	unsure := false // some probe was inconclusive: say what "?" means
	for _, s := range steps {
		if s.Scenario != "" {
			scenario = s.Scenario
		}
		if s.Criteria != "" {
			criteria = s.Criteria
		}
		switch {
		case s.Started:
		case s.Final:
			result = CapacityResult([]CapacityStep{s})
		case s.Err != nil:
			probes = append(probes, "error: "+oneLine(s.Err.Error()))
		default:
			mark := "✓"
			switch {
			case s.Inconclusive:
				mark, unsure = "?", true
			case !s.OK:
				mark = "✗"
			}
			probes = append(probes, fmt.Sprintf("%.0f/s %s p99 %s", s.Rate, mark, fmtDuration(s.P99)))
		}
	}
	head := "capacity " + orDash(scenario)
	if criteria != "" {
		// The screen's search has its own SLO (the load profile's capacity
		// settings): say so, since `authscope capacity` defaults differ.
		head += " · SLO " + criteria + " (the TUI's own; the CLI has its --slo)"
	}
	lines := []string{ansi.Truncate(head, w, "…")}
	if running && result == "" {
		probes = append(probes, fmt.Sprintf("probing step %d…", len(probes)+1))
	}
	// Probes wrap at w, indented.
	line := " "
	for _, p := range probes {
		if ansi.StringWidth(line)+3+ansi.StringWidth(p) > w && line != " " {
			lines = append(lines, line)
			line = " "
		}
		if line != " " {
			line += " ·"
		}
		line += " " + p
	}
	if line != " " {
		lines = append(lines, ansi.Truncate(line, w, "…"))
	}
	if unsure {
		lines = append(lines, ansi.Truncate("  ? inconclusive: the generator or a busy host, not the target; measured again", w, "…"))
	}
	if result != "" {
		lines = append(lines, ansi.Truncate(result, w, "…"))
	}
	return lines
}

// CapacityResult is the one-line answer of a finished search, as the Load
// screen shows it and a Runner's capacity export records it. A search that
// stopped before any probe failed found no limit: its rate is shown as a
// floor ("≥ N/s") with the reason, as the CLI's capacity does, since a
// plan built on the search's own ceiling would be wrong.
func CapacityResult(steps []CapacityStep) string {
	for i := len(steps) - 1; i >= 0; i-- {
		s := steps[i]
		if !s.Final {
			continue
		}
		name := orDash(s.Scenario)
		switch {
		case errors.Is(s.Err, context.Canceled):
			return fmt.Sprintf("%s: capacity search stopped (≥ %.0f/s held so far: a lower bound)", name, s.Rate)
		case s.Err != nil:
			return fmt.Sprintf("%s: capacity search failed: %s", name, oneLine(s.Err.Error()))
		case s.Rate == 0:
			return name + ": no rate held (capacity below the first probe)"
		case s.LowerBound:
			return fmt.Sprintf("%s → capacity ≥ %.0f/s (%s)", name, s.Rate, lowerBoundWhy(s.StoppedBy))
		}
		return fmt.Sprintf("%s → capacity %.0f/s", name, s.Rate)
	}
	return "capacity search ended without a result"
}

// lowerBoundWhy says why a capacity is only a floor.
func lowerBoundWhy(stoppedBy string) string {
	switch stoppedBy {
	case "max-rate":
		return "lower bound: the search's ceiling"
	case "max-steps":
		return "lower bound: out of steps before a probe failed"
	case "undecided":
		return "lower bound: a rate above it could not be judged"
	case "":
		return "lower bound: no probe failed"
	}
	return "lower bound: stopped by " + stoppedBy
}
