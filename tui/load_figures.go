package tui

// The Load screen's figures: the percentile table (with the marks of
// p99s the generator delayed), which scenarios the chart plots, and the
// reasons line.

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/authscope/authscope/resolver"
)

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
