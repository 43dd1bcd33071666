package tui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/authscope/authscope/resolver"
)

// loadModel is the Load screen: pick a profile, start/stop a run, watch
// its snapshots stream in, run a capacity search, export the report. Runs
// live in commands; the screen holds only their channel, cancel func and
// latest snapshot, and drops messages from runs it no longer tracks.
//
// One activity at a time: a run and a capacity search would load the same
// machine and skew each other, so each refuses to start while the other
// goes. Results belong to the profile they measured (runProfile,
// capProfile) and show only while that profile is picked, and a search
// replaces the run before it on screen: nothing from an earlier activity
// or another profile reads as the current one's.
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
	// runProfile is the profile snap measured.
	runProfile string

	capID      uint64
	capRunning bool
	capCancel  context.CancelFunc
	capCh      <-chan CapacityStep
	steps      []CapacityStep
	// capProfile is the profile steps searched.
	capProfile string

	exported string
	// plot is which scenarios the chart draws (a plotOptions value): seven
	// curves at once are hard to tell apart, so v cycles through all, each
	// mode, and each scenario alone.
	plot string
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
	case key.Matches(msg, k.Nav.Down, k.Nav.Up) && !l.busy():
		was := l.pick
		if key.Matches(msg, k.Nav.Down) {
			l.pick = min(l.pick+1, max(len(l.profiles)-1, 0))
		} else {
			l.pick = max(l.pick-1, 0)
		}
		if l.pick == was {
			return nil, nil
		}
		// The footer's last message may be another profile's result
		// ("… · e exports it"): say which profile e and space act on now.
		return nil, &statusMsg{text: "profile " + l.profile() + " · space runs · p searches capacity"}
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
		if l.capRunning {
			return nil, &statusMsg{text: "a capacity search is running: p stops it first"}
		}
		l.runID++
		l.running, l.stopping = true, false
		l.snap, l.runProfile, l.exported, l.capLatest = nil, l.profile(), "", false
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
		if l.running {
			return nil, &statusMsg{text: "a load run is going: space stops it first"}
		}
		l.capID++
		l.capRunning = true
		// The search leads the screen from now on: the run before it
		// (its "finished", table and chart) is not what is happening.
		l.steps, l.capProfile, l.exported = nil, l.profile(), ""
		l.snap, l.runProfile = nil, ""
		return startCapacityCmd(l.c.ctx, l.c.deps.Runner, l.capID, l.profile(), l.c.settings), &statusMsg{text: "capacity search on " + l.profile() + "…"}
	case key.Matches(msg, k.Load.Plot):
		snap := l.shownSnap()
		if snap == nil {
			return nil, &statusMsg{text: "no run to plot yet"}
		}
		opts := plotOptions(snap.Scenarios)
		l.plot = opts[(slices.Index(opts, l.plot)+1)%len(opts)]
		return nil, &statusMsg{text: "chart: " + plotLabel(l.plot) + " · v cycles"}
	case key.Matches(msg, k.Load.Export):
		if l.capLatest && !l.capRunning && l.capShown() {
			ce, ok := l.c.deps.Runner.(CapacityExporter)
			if !ok {
				return nil, &statusMsg{err: fmt.Errorf("export capacity results: %w", ErrNotSupported)}
			}
			return exportCapacityCmd(l.c.ctx, ce, l.capProfile, l.steps), nil
		}
		if l.shownSnap() == nil || l.running {
			return nil, &statusMsg{text: "export needs a finished run of " + orDash(l.profile())}
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
			return waitSnapshot(msg.id, msg.ch), nil
		}
		// The footer said "starting…": the run is under way now.
		return waitSnapshot(msg.id, msg.ch), &statusMsg{text: "running " + l.runProfile}
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
		return waitCapStep(msg.id, msg.ch), &statusMsg{text: "capacity search on " + l.capProfile + " · p stops"}
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

// busy: a run or a capacity search is going (the profile is fixed).
func (l *loadModel) busy() bool { return l.running || l.capRunning }

// shownSnap is the run snapshot to show: the latest run's, if it measured
// the picked profile.
func (l *loadModel) shownSnap() *RunSnapshot {
	if l.snap == nil || l.runProfile != l.profile() {
		return nil
	}
	return l.snap
}

// capShown: the capacity search held searched the picked profile.
func (l *loadModel) capShown() bool {
	return (len(l.steps) > 0 || l.capRunning) && l.capProfile == l.profile()
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
	top = append(top, st.App.Dim.Render("space start/stop · p capacity search · e export · j/k profile · v plot"))
	top = append(top, l.progressLine(w))

	snap := l.shownSnap()
	var bottom []string
	if snap != nil {
		if c := lagCaveat(snap.Scenarios); c != "" {
			bottom = append(bottom, st.App.Warn.Render(ansi.Truncate(c, w, "…")))
		}
		bottom = append(bottom, "reasons  "+reasonsLine(mergeReasons(snap.Scenarios), w))
	}
	if l.capShown() {
		bottom = append(bottom, capacityLines(l.steps, l.capRunning, w)...)
	}
	if l.exported != "" {
		bottom = append(bottom, "report   "+l.exported)
	}
	if snap == nil {
		hint := "no run yet: press space to start " + l.profile()
		switch {
		case l.profile() == "":
			hint = "no load profile to run: add a bench section to the profile"
		case l.capShown():
			hint = "capacity search: each probe is a short run of one scenario"
		}
		return strings.Join(append(top, "", st.App.Dim.Render(hint)), "\n") + "\n" + strings.Join(bottom, "\n")
	}
	table := percentileTable(snap.Scenarios, st, w)
	used := len(top) + 1 + strings.Count(table, "\n") + 1 + len(bottom)
	chartH := h - used - 1
	parts := append(top, "", table)
	if chartH >= 6 {
		parts = append(parts, RenderCurves(l.plotted(snap.Scenarios), w, chartH, st))
	}
	parts = append(parts, bottom...)
	return strings.Join(parts, "\n")
}

// progressLine: state, elapsed/duration bar, attempted vs achieved rate.
func (l *loadModel) progressLine(w int) string {
	st := l.c.styles
	s := l.shownSnap()
	state := "idle"
	switch {
	case l.capRunning:
		return ansi.Truncate("state "+st.App.OK.Render("capacity search")+l.capProgress()+" · p stops", w, "…")
	case l.stopping:
		state = st.App.Warn.Render("stopping")
	case l.running:
		state = st.App.OK.Render("running")
	case s != nil && s.Stopped:
		state = st.App.Warn.Render("stopped at " + fmtSeconds(s.Elapsed.Seconds()))
	case s != nil:
		state = "finished"
	case l.capShown():
		state = "capacity search done"
	}
	if s == nil {
		return "state " + state
	}
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

func fmtSeconds(s float64) string { return fmt.Sprintf("%.1fs", s) }

// percentileTable puts every scenario side by side: requests, errors and
// HDR percentiles, in columns narrowed to fit w.
func percentileTable(scs []ScenarioStats, st *Styles, w int) string {
	const labelW = 9
	colW := min(max((w-labelW)/max(len(scs), 1), 8), 13)
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", labelW))
	for _, c := range curvesOf(scs) {
		b.WriteString(st.seriesStyle(c.Proxy, c.Series).Render(fmt.Sprintf("%*s", colW, abbreviate(c.Label, colW-1))))
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
			if s.Lagged && p >= 99 {
				// The tail the generator's lateness inflated; the
				// caveat line under the table says by how much.
				return fmtDuration(d) + lagMark
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

// plotOptions are the chart's selections for a run's scenarios, in the
// order v cycles: all, then each mode shared by several scenarios (but
// not all), then each scenario alone.
func plotOptions(scs []ScenarioStats) []string {
	opts := []string{plotAll}
	if len(scs) < 2 {
		return opts
	}
	count := map[resolver.Mode]int{}
	var modes []resolver.Mode
	for _, s := range scs {
		if count[s.Mode] == 0 {
			modes = append(modes, s.Mode)
		}
		count[s.Mode]++
	}
	for _, m := range modes {
		if count[m] > 1 && count[m] < len(scs) {
			opts = append(opts, plotMode+string(m))
		}
	}
	for _, s := range scs {
		opts = append(opts, plotScenario+s.Name)
	}
	return opts
}

// Plot selections: every scenario, the scenarios of one mode, one scenario.
const (
	plotAll      = ""
	plotMode     = "mode:"
	plotScenario = "scenario:"
)

// plotLabel describes a plot selection for the status bar.
func plotLabel(sel string) string {
	switch {
	case strings.HasPrefix(sel, plotMode):
		return "the " + strings.TrimPrefix(sel, plotMode) + " scenarios"
	case strings.HasPrefix(sel, plotScenario):
		return strings.TrimPrefix(sel, plotScenario) + " alone"
	}
	return "every scenario"
}

// plotted are the curves the chart draws for the selection; all of them
// when it matches none (a selection from a run with other scenarios).
func (l *loadModel) plotted(scs []ScenarioStats) []Curve {
	all := curvesOf(scs)
	var out []Curve
	for i, c := range all {
		switch {
		case l.plot == plotAll,
			l.plot == plotMode+string(scs[i].Mode),
			l.plot == plotScenario+c.Label:
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return all
	}
	return out
}

// lagMark marks a p99 the load generator itself delayed.
const lagMark = "†"

// lagCaveat is the line under the table explaining lagMark, "" when no
// scenario lagged: which scenarios, how late the generator sent, and the
// p99 without that delay, as the exported report's warning says.
func lagCaveat(scs []ScenarioStats) string {
	var names []string
	var lag, uncorrected time.Duration
	for _, s := range scs {
		if !s.Lagged {
			continue
		}
		names = append(names, s.Name)
		lag, uncorrected = max(lag, s.LagP99), max(uncorrected, s.UncorrectedP99)
	}
	switch {
	case len(names) == 0:
		return ""
	case len(names) == 1:
		return fmt.Sprintf("%s %s: p99 includes the generator's lag (p99 %s; uncorrected %s)",
			lagMark, names[0], fmtDuration(lag), fmtDuration(uncorrected))
	}
	// Named while the line has room for the figures; counted beyond
	// (the table's marks say which).
	who := strings.Join(names, ", ")
	switch {
	case len(names) > 2 && len(names) == len(scs):
		who = fmt.Sprintf("all %d scenarios", len(names))
	case len(names) > 2:
		who = fmt.Sprintf("%d scenarios", len(names))
	}
	return fmt.Sprintf("%s %s: p99s include the generator's lag (p99 up to %s; uncorrected up to %s)",
		lagMark, who, fmtDuration(lag), fmtDuration(uncorrected))
}

// curvesOf is a curve per scenario, each ranked within its colour family
// (proxy or not) so every scenario has its own colour, the one its table
// column has.
func curvesOf(scs []ScenarioStats) []Curve {
	out := make([]Curve, 0, len(scs))
	rank := map[bool]int{}
	for _, s := range scs {
		proxy := s.Mode == resolver.ModeProxy
		out = append(out, Curve{Label: s.Name, Proxy: proxy, Series: rank[proxy], Points: s.Percentiles})
		rank[proxy]++
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
