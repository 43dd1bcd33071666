package tui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/authscope/authscope/resolver"
)

// loadModel is the Load screen: pick a profile, start/stop a run, watch
// its snapshots stream in, run a capacity search, export the report. Runs
// live in commands; the screen holds only their channel, cancel func and
// latest snapshot, and drops messages from runs it no longer tracks.
type loadModel struct {
	c        *common
	profiles []string
	pick     int

	runID    uint64
	running  bool
	stopping bool
	cancel   context.CancelFunc
	ch       <-chan RunSnapshot
	snap     *RunSnapshot

	capID      uint64
	capRunning bool
	capCancel  context.CancelFunc
	capCh      <-chan CapacityStep
	steps      []CapacityStep

	exported string
	// capLatest: the capacity search finished after the last run, so e
	// exports it rather than the run the screen no longer leads with.
	capLatest bool
}

func newLoadModel(c *common) loadModel {
	var profiles []string
	if c.deps.Runner != nil {
		profiles = c.deps.Runner.Profiles()
	}
	return loadModel{c: c, profiles: profiles}
}

func (l *loadModel) profile() string {
	if len(l.profiles) == 0 {
		return ""
	}
	return l.profiles[l.pick]
}

func (l *loadModel) key(msg tea.KeyPressMsg) (tea.Cmd, *statusMsg) {
	k := l.c.keys
	switch {
	case key.Matches(msg, k.Nav.Down) && !l.running:
		l.pick = min(l.pick+1, max(len(l.profiles)-1, 0))
	case key.Matches(msg, k.Nav.Up) && !l.running:
		l.pick = max(l.pick-1, 0)
	case key.Matches(msg, k.Load.StartStop):
		if l.running {
			if !l.stopping && l.cancel != nil {
				l.cancel()
				l.stopping = true
			}
			return nil, &statusMsg{text: "stopping the run…"}
		}
		if l.c.deps.Runner == nil || l.profile() == "" {
			return nil, &statusMsg{err: fmt.Errorf("nothing to run, no load profile: %w", ErrNotSupported)}
		}
		l.runID++
		l.running, l.stopping = true, false
		l.snap, l.exported, l.capLatest = nil, "", false
		return startRunCmd(l.c.ctx, l.c.deps.Runner, l.runID, l.profile(), l.c.settings), &statusMsg{text: "starting " + l.profile() + "…"}
	case key.Matches(msg, k.Load.Capacity):
		if l.capRunning {
			if l.capCancel != nil {
				l.capCancel()
			}
			return nil, &statusMsg{text: "stopping the capacity search…"}
		}
		if l.c.deps.Runner == nil || l.profile() == "" {
			return nil, &statusMsg{err: fmt.Errorf("no load profile to search: %w", ErrNotSupported)}
		}
		l.capID++
		l.capRunning = true
		l.steps, l.exported = nil, ""
		return startCapacityCmd(l.c.ctx, l.c.deps.Runner, l.capID, l.profile(), l.c.settings), &statusMsg{text: "capacity search on " + l.profile() + "…"}
	case key.Matches(msg, k.Load.Export):
		if l.capLatest && !l.capRunning {
			ce, ok := l.c.deps.Runner.(CapacityExporter)
			if !ok {
				return nil, &statusMsg{err: fmt.Errorf("export capacity results: %w", ErrNotSupported)}
			}
			return exportCapacityCmd(l.c.ctx, ce, l.profile(), l.steps), nil
		}
		if l.snap == nil || l.running {
			return nil, &statusMsg{text: "export needs a finished run"}
		}
		return exportCmd(l.c.ctx, l.c.deps.Runner, *l.snap), nil
	}
	return nil, nil
}

func (l *loadModel) update(msg tea.Msg) (tea.Cmd, *statusMsg) {
	switch msg := msg.(type) {
	case runStartedMsg:
		if msg.id != l.runID {
			if msg.cancel != nil {
				msg.cancel()
			}
			return nil, nil
		}
		if msg.err != nil {
			l.running = false
			return nil, &statusMsg{err: msg.err}
		}
		l.cancel, l.ch = msg.cancel, msg.ch
		if l.stopping {
			l.cancel()
		}
		return waitSnapshot(msg.id, msg.ch), nil
	case snapshotMsg:
		if msg.id != l.runID || !l.running {
			return nil, nil
		}
		s := msg.snap
		l.snap = &s
		return waitSnapshot(msg.id, l.ch), nil
	case runDoneMsg:
		if msg.id != l.runID || !l.running {
			return nil, nil
		}
		l.running, l.stopping = false, false
		if l.cancel != nil {
			l.cancel()
		}
		l.cancel, l.ch = nil, nil
		l.capLatest = false
		if l.snap != nil && l.snap.Err != nil {
			return nil, &statusMsg{err: fmt.Errorf("load run: %w", l.snap.Err)}
		}
		if l.snap != nil && l.snap.Stopped {
			return nil, &statusMsg{text: "run stopped at " + fmtSeconds(l.snap.Elapsed.Seconds()) + " · partial results kept · e exports them"}
		}
		return nil, &statusMsg{text: "run finished · e exports the report"}
	case capStartedMsg:
		if msg.id != l.capID {
			if msg.cancel != nil {
				msg.cancel()
			}
			return nil, nil
		}
		if msg.err != nil {
			l.capRunning = false
			return nil, &statusMsg{err: msg.err}
		}
		l.capCancel, l.capCh = msg.cancel, msg.ch
		return waitCapStep(msg.id, msg.ch), nil
	case capStepMsg:
		if msg.id != l.capID || !l.capRunning {
			return nil, nil
		}
		l.steps = append(l.steps, msg.step)
		return waitCapStep(msg.id, l.capCh), nil
	case capDoneMsg:
		if msg.id != l.capID || !l.capRunning {
			return nil, nil
		}
		l.capRunning = false
		if l.capCancel != nil {
			l.capCancel()
		}
		l.capCancel, l.capCh = nil, nil
		l.capLatest = !l.running
		return nil, &statusMsg{text: CapacityResult(l.steps) + " · e exports it"}
	case exportedMsg:
		if msg.err != nil {
			return nil, &statusMsg{err: msg.err}
		}
		l.exported = msg.path
		// The status bar is narrow: the file name; the Load screen has the path.
		return nil, &statusMsg{text: "exported " + filepath.Base(msg.path)}
	}
	return nil, nil
}

// stopAll cancels whatever runs; used on quit.
func (l *loadModel) stopAll() {
	if l.cancel != nil {
		l.cancel()
	}
	if l.capCancel != nil {
		l.capCancel()
	}
}

func (l *loadModel) view(w, h int) string {
	st := l.c.styles
	var top []string
	// Profiles.
	var pb strings.Builder
	pb.WriteString(st.App.Heading.Render("Load") + " · profile ")
	for i, p := range l.profiles {
		// A marker, not only colour, says which preset is picked.
		if i == l.pick {
			pb.WriteString(st.App.ActiveTab.Render("▸" + p))
		} else {
			pb.WriteString(st.App.Tab.Render(" " + p))
		}
	}
	if len(l.profiles) == 0 {
		pb.WriteString(st.App.Dim.Render("(none)"))
	}
	top = append(top, pb.String())
	top = append(top, st.App.Dim.Render("space start/stop · p capacity search · e export · j/k pick profile"))
	top = append(top, l.progressLine(w))

	var bottom []string
	if l.snap != nil {
		bottom = append(bottom, "reasons  "+reasonsLine(mergeReasons(l.snap.Scenarios), w))
	}
	if len(l.steps) > 0 || l.capRunning {
		bottom = append(bottom, capacityLines(l.steps, l.capRunning, w)...)
	}
	if l.exported != "" {
		bottom = append(bottom, "report   "+l.exported)
	}
	if l.snap == nil {
		hint := "no run yet: press space to start " + l.profile()
		if l.profile() == "" {
			hint = "no load profile to run: add a bench section to the profile"
		}
		return strings.Join(append(top, "", st.App.Dim.Render(hint)), "\n") + "\n" + strings.Join(bottom, "\n")
	}
	table := percentileTable(l.snap.Scenarios, st, w)
	used := len(top) + 1 + strings.Count(table, "\n") + 1 + len(bottom)
	chartH := h - used - 1
	parts := append(top, "", table)
	if chartH >= 6 {
		parts = append(parts, RenderCurves(curvesOf(l.snap.Scenarios), w, chartH, st))
	}
	parts = append(parts, bottom...)
	return strings.Join(parts, "\n")
}

// progressLine: state, elapsed/duration bar, attempted vs achieved rate.
func (l *loadModel) progressLine(w int) string {
	st := l.c.styles
	state := "idle"
	switch {
	case l.stopping:
		state = st.App.Warn.Render("stopping")
	case l.running:
		state = st.App.OK.Render("running")
	case l.snap != nil && l.snap.Stopped:
		state = st.App.Warn.Render("stopped at " + fmtSeconds(l.snap.Elapsed.Seconds()))
	case l.snap != nil:
		state = "finished"
	}
	if l.snap == nil {
		return "state " + state
	}
	s := l.snap
	frac := 0.0
	if s.Duration > 0 {
		frac = min(float64(s.Elapsed)/float64(s.Duration), 1)
	}
	barW := 20
	if w < 100 {
		barW = 10
	}
	fill := int(frac * float64(barW))
	bar := strings.Repeat("█", fill) + strings.Repeat("░", barW-fill)
	attempted, achieved := fmt.Sprintf("%.0f/s", s.AttemptedRate), fmt.Sprintf("%.0f/s", s.AchievedRate)
	if s.RatesPending {
		attempted, achieved = "-", "-"
	}
	line := fmt.Sprintf("state %s  %s/%s %s %3.0f%%  attempted %s achieved %s",
		state, fmtSeconds(s.Elapsed.Seconds()), fmtSeconds(s.Duration.Seconds()), bar, 100*frac, attempted, achieved)
	if l.running && s.Current != "" {
		line += "  · " + s.Current
	}
	return ansi.Truncate(line, w, "…")
}

func fmtSeconds(s float64) string { return fmt.Sprintf("%.1fs", s) }

// percentileTable puts every scenario side by side: requests, errors and
// HDR percentiles, in columns narrowed to fit w.
func percentileTable(scs []ScenarioStats, st *Styles, w int) string {
	const labelW = 9
	colW := min(max((w-labelW)/max(len(scs), 1), 8), 13)
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", labelW))
	for _, s := range scs {
		b.WriteString(st.seriesStyle(s.Mode == resolver.ModeProxy).Render(fmt.Sprintf("%*s", colW, abbreviate(s.Name, colW-1))))
	}
	line := func(label string, cell func(ScenarioStats) string) {
		b.WriteString("\n")
		b.WriteString(fmt.Sprintf("%-*s", labelW, label))
		for _, s := range scs {
			b.WriteString(fmt.Sprintf("%*s", colW, cell(s)))
		}
	}
	line("requests", func(s ScenarioStats) string { return fmt.Sprint(s.Requests) })
	line("errors", func(s ScenarioStats) string { return fmt.Sprint(s.Errors) })
	for _, p := range []float64{50, 90, 99, 99.9} {
		line(fmt.Sprintf("p%g", p), func(s ScenarioStats) string {
			d, ok := latencyAt(s.Percentiles, p)
			if !ok {
				return "-"
			}
			return fmtDuration(d)
		})
	}
	line("max", func(s ScenarioStats) string {
		// A scenario not yet started has no latency at all: "-" like
		// its percentiles, not a measured 0.
		if s.Max <= 0 {
			return "-"
		}
		return fmtDuration(s.Max)
	})
	return b.String()
}

func curvesOf(scs []ScenarioStats) []Curve {
	out := make([]Curve, 0, len(scs))
	for _, s := range scs {
		out = append(out, Curve{Label: s.Name, Proxy: s.Mode == resolver.ModeProxy, Points: s.Percentiles})
	}
	return out
}

func mergeReasons(scs []ScenarioStats) map[resolver.Reason]uint64 {
	m := map[resolver.Reason]uint64{}
	for _, s := range scs {
		for r, n := range s.Reasons {
			m[r] += n
		}
	}
	return m
}

// abbreviations shorten scenario names for narrow columns, most
// readable first: "database-local-cached" becomes "db-local+c".
var abbreviations = []struct{ long, short string }{
	{"database", "db"}, {"-cached", "+c"}, {"-cache", "+c"}, {"local", "loc"}, {"proxy", "prx"},
}

// abbreviate fits a scenario name in w columns: abbreviations first,
// cutting only what still does not fit.
func abbreviate(name string, w int) string {
	for _, a := range abbreviations {
		if ansi.StringWidth(name) <= w {
			return name
		}
		name = strings.ReplaceAll(name, a.long, a.short)
	}
	return ansi.Truncate(name, w, "…")
}

// capacityLines shows a capacity search as it happens: a heading naming
// the scenario and the criteria, the probes wrapped to w, then the
// result, one line per scenario searched.
func capacityLines(steps []CapacityStep, running bool, w int) []string {
	var scenario, criteria string
	var probes []string
	var result string
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
			if !s.OK {
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
	if result != "" {
		lines = append(lines, ansi.Truncate(result, w, "…"))
	}
	return lines
}

// CapacityResult is the one-line answer of a finished search, as the Load
// screen shows it and a Runner's capacity export records it.
func CapacityResult(steps []CapacityStep) string {
	for i := len(steps) - 1; i >= 0; i-- {
		s := steps[i]
		if !s.Final {
			continue
		}
		name := orDash(s.Scenario)
		switch {
		case errors.Is(s.Err, context.Canceled):
			return fmt.Sprintf("%s: capacity search stopped (%.0f/s held so far)", name, s.Rate)
		case s.Err != nil:
			return fmt.Sprintf("%s: capacity search failed: %s", name, oneLine(s.Err.Error()))
		case s.Rate == 0:
			return name + ": no rate held (capacity below the first probe)"
		}
		return fmt.Sprintf("%s → capacity %.0f/s", name, s.Rate)
	}
	return "capacity search ended without a result"
}
