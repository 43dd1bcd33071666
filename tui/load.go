package tui

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
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

func fmtSeconds(s float64) string { return fmt.Sprintf("%.1fs", s) }
