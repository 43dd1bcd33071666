package tui

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/authscope/authscope/resolver"
)

// resolverModel is the Resolver screen: the active settings, each toggled
// with one key (m, s, c globally; r here for the redaction policy), and the
// live counters of the resolver the TUI resolves through.
type resolverModel struct {
	c        *common
	stats    meterStats
	hasStats bool

	// pendingConfirm is a dialog the root should show (unlock).
	pendingConfirm *confirmDialog
}

// unlockMsg unlocks reveal, after confirmation.
type unlockMsg struct{}

// key: r locks reveal at once (e.g. before sharing the screen); unlocking
// asks first, like a reveal, or the lock would protect nothing.
func (r *resolverModel) key(msg tea.KeyPressMsg) *statusMsg {
	if key.Matches(msg, r.c.keys.Resolver.Redaction) {
		if !r.c.revealLocked {
			r.c.revealLocked = true
			return &statusMsg{text: "reveal locked for all sessions · r unlocks (asks first)"}
		}
		r.pendingConfirm = &confirmDialog{
			prompt: "Unlock reveal?\nSessions can then be revealed one at a time, each after a confirmation.",
			msg:    unlockMsg{},
		}
	}
	return nil
}

func (r *resolverModel) view(w, _ int) string {
	c := r.c
	st := c.styles
	var b strings.Builder
	b.WriteString(st.App.Heading.Render("Resolver"))
	switch {
	case c.building:
		b.WriteString(" · " + st.App.Warn.Render("building…"))
	case c.engine != nil:
		b.WriteString(" · " + st.App.OK.Render("ready") + " · " + orDash(c.engine.Describe))
	default:
		b.WriteString(" · " + st.App.Error.Render("not ready"))
	}
	if !c.building && c.engine == nil && c.engineErr != nil {
		// The reason, wrapped to the width: it is the one thing to fix.
		b.WriteString("\n" + st.App.Error.Render(wrapText(errText(c.engineErr), max(w-2, 20))))
	}
	b.WriteString("\n\n")
	row := func(k key.Binding, name, value, note string) {
		fmt.Fprintf(&b, "  %s  %-10s %-10s %s\n", st.App.Key.Render(fmt.Sprintf("%-3s", k.Help().Key)), name, value, st.App.Dim.Render(note))
	}
	k := c.keys
	row(k.Global.Mode, "mode", c.settings.Mode.String(), modeNote(c.settings.Mode))
	row(k.Global.Strategy, "strategy", c.settings.Strategy.String(), strategyNote(c.settings.Strategy))
	row(k.Global.Cache, "cache", onOff(c.settings.Cache), "result cache in front of the resolver")
	if c.revealLocked {
		row(k.Resolver.Redaction, "redaction", "locked", "always on; reveal is disabled")
	} else {
		row(k.Resolver.Redaction, "redaction", "on", "always on; reveal one session in its detail")
	}
	if c.engine != nil {
		if c.engine.Layout != "" && c.settings.Strategy == resolver.StrategyDatabase {
			b.WriteString("       " + st.App.Dim.Render("store layout "+c.engine.Layout) + "\n")
		}
		for _, d := range c.engine.Details {
			b.WriteString("       " + st.App.Dim.Render(d) + "\n")
		}
	}
	b.WriteString("\n")
	b.WriteString(st.App.Heading.Render("Counters"))
	b.WriteString(st.App.Dim.Render(" (this TUI's resolutions since the resolver was built)"))
	b.WriteString("\n")
	if !r.hasStats {
		b.WriteString("  waiting for the first sample…\n")
		return b.String()
	}
	s := r.stats
	hit := "-"
	if s.Cache != nil && s.Cache.Hits+s.Cache.Misses > 0 {
		hit = fmt.Sprintf("%.1f%% (%d hits, %d misses)", 100*float64(s.Cache.Hits)/float64(s.Cache.Hits+s.Cache.Misses), s.Cache.Hits, s.Cache.Misses)
	} else if s.Cache != nil {
		hit = "0 lookups"
	}
	inFlight := ""
	if s.InFlight > 0 {
		// The cache counts a miss when a resolution starts, the meter when
		// it ends: say so rather than show misses above resolutions.
		inFlight = fmt.Sprintf(" (+%d in flight)", s.InFlight)
	}
	fmt.Fprintf(&b, "  resolutions      %d%s\n", s.Resolutions, inFlight)
	fmt.Fprintf(&b, "  cache hit ratio  %s\n", hit)
	fmt.Fprintf(&b, "  upstream errors  %d\n", s.UpstreamErrors)
	fmt.Fprintf(&b, "  latency          p50 %s · p99 %s\n", fmtDuration(s.P50), fmtDuration(s.P99))
	b.WriteString("  reasons          ")
	b.WriteString(reasonsLine(s.Reasons, w-19))
	b.WriteString("\n")
	return b.String()
}

// reasonsLine lists reasons by count, most frequent first.
func reasonsLine(m map[resolver.Reason]uint64, _ int) string {
	if len(m) == 0 {
		return "-"
	}
	type rc struct {
		r resolver.Reason
		n uint64
	}
	list := make([]rc, 0, len(m))
	for r, n := range m {
		list = append(list, rc{r, n})
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].n != list[j].n {
			return list[i].n > list[j].n
		}
		return list[i].r < list[j].r
	})
	parts := make([]string, len(list))
	for i, x := range list {
		parts[i] = fmt.Sprintf("%s %d", x.r, x.n)
	}
	return strings.Join(parts, " · ")
}

func modeNote(m resolver.Mode) string {
	if m == resolver.ModeProxy {
		return "ask the upstream Auth.js GET /session"
	}
	return "decode the cookie or read the store, no network"
}

func strategyNote(s resolver.Strategy) string {
	if s == resolver.StrategyDatabase {
		return "sessions live in the store; revocable"
	}
	return "sessions are encrypted cookies (JWE)"
}

// wrapText breaks s into lines of at most w columns at spaces.
func wrapText(s string, w int) string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		if line != "" && ansi.StringWidth(line)+1+ansi.StringWidth(word) > w {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	if line != "" {
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}
