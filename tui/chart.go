package tui

import (
	"fmt"
	"math"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Curve is one series of the percentile chart: a scenario's HDR latency by
// percentile. Proxy scenarios are drawn in a different colour from local ones.
type Curve struct {
	Label  string
	Proxy  bool
	Points []Quantile // ascending by Percentile
}

// curveGlyph marks series i so the series stay apart without colour.
func curveGlyph(i int) rune {
	const glyphs = "•×+o◆#%@"
	r := []rune(glyphs)
	return r[i%len(r)]
}

// percentileTick is x-axis tick i (0..5): the classic HDR percentile plot,
// where each tick is one more nine.
func percentileTick(i int) string {
	return [...]string{"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"}[i]
}

const maxNines = 5

// overlapGlyph marks a cell two series share.
const overlapGlyph = '*'

// RenderCurves draws latency (log scale, y) against percentile (x: one
// column band per extra nine, log10(1/(1-p))) in width×height cells, with
// a legend line, y labels and an x axis. It is a pure function of its
// arguments, so its output is golden-tested.
func RenderCurves(curves []Curve, width, height int, st *Styles) string {
	const yLabelW = 8
	plotW, plotH := width-yLabelW-1, height-3
	if plotW < 10 || plotH < 2 {
		return ansi.Truncate("(chart needs more room)", width, "")
	}
	lo, hi, xMax, ok := curveBounds(curves)
	if !ok {
		return lipgloss.Place(width, height, lipgloss.Center, lipgloss.Center, st.Chart.Label.Render("no latency data yet"))
	}
	type cell struct {
		r      rune
		series int
	}
	grid := make([][]cell, plotH)
	for i := range grid {
		grid[i] = make([]cell, plotW)
	}
	logLo, logHi := math.Log10(float64(lo)), math.Log10(float64(hi))
	overlap := false
	for si, c := range curves {
		g := curveGlyph(si)
		for x := range plotW {
			xv := float64(x) / float64(plotW-1) * xMax
			p := 100 * (1 - math.Pow(10, -xv))
			lat, ok := latencyAt(c.Points, p)
			if !ok {
				continue
			}
			fy := (math.Log10(float64(max(lat, lo))) - logLo) / (logHi - logLo)
			y := plotH - 1 - int(math.Round(fy*float64(plotH-1)))
			y = min(max(y, 0), plotH-1)
			if prev := grid[y][x]; prev.r != 0 && prev.series != si {
				// Two series in one cell: say so rather than hide one.
				grid[y][x] = cell{r: overlapGlyph, series: -1}
				overlap = true
				continue
			}
			grid[y][x] = cell{r: g, series: si}
		}
	}
	var b strings.Builder
	// Legend.
	for si, c := range curves {
		if si > 0 {
			b.WriteString("  ")
		}
		b.WriteString(st.seriesStyle(c.Proxy).Render(string(curveGlyph(si)) + " " + c.Label))
	}
	if overlap {
		b.WriteString(st.Chart.Axis.Render("  " + string(overlapGlyph) + " both"))
	}
	b.WriteString(st.Chart.Label.Render("  (latency, log scale)"))
	legend := ansi.Truncate(b.String(), width, "…")
	b.Reset()
	b.WriteString(legend)
	b.WriteByte('\n')
	mid := time.Duration(math.Pow(10, (logLo+logHi)/2))
	for y := range plotH {
		label := ""
		switch y {
		case 0:
			label = fmtDuration(hi)
		case plotH / 2:
			label = fmtDuration(mid)
		case plotH - 1:
			label = fmtDuration(lo)
		}
		b.WriteString(st.Chart.Label.Render(fmt.Sprintf("%*s", yLabelW, label)))
		b.WriteString(st.Chart.Axis.Render("│"))
		for x := 0; x < plotW; {
			c := grid[y][x]
			if c.r == 0 {
				// A run of blanks in one write.
				n := x
				for n < plotW && grid[y][n].r == 0 {
					n++
				}
				b.WriteString(strings.Repeat(" ", n-x))
				x = n
				continue
			}
			if c.series < 0 {
				b.WriteString(st.Chart.Axis.Render(string(c.r)))
			} else {
				b.WriteString(st.seriesStyle(curves[c.series].Proxy).Render(string(c.r)))
			}
			x++
		}
		b.WriteByte('\n')
	}
	b.WriteString(strings.Repeat(" ", yLabelW))
	b.WriteString(st.Chart.Axis.Render("└" + strings.Repeat("─", plotW)))
	b.WriteByte('\n')
	b.WriteString(xAxisLabels(plotW, xMax, yLabelW+1))
	return b.String()
}

// xAxisLabels places the percentile ticks that fit under the plot.
func xAxisLabels(plotW int, xMax float64, indent int) string {
	line := []rune(strings.Repeat(" ", plotW+indent))
	next := 0
	for i := 0; i <= maxNines && float64(i) <= xMax+1e-9; i++ {
		label := []rune(percentileTick(i))
		col := indent + int(math.Round(float64(i)/xMax*float64(plotW-1)))
		start := min(col, len(line)-len(label))
		if start < next {
			continue
		}
		copy(line[start:], label)
		next = start + len(label) + 1
	}
	return strings.TrimRight(string(line), " ")
}

// curveBounds finds the latency range and the x extent (in nines) of the
// curves.
func curveBounds(curves []Curve) (lo, hi time.Duration, xMax float64, ok bool) {
	lo = time.Duration(math.MaxInt64)
	for _, c := range curves {
		for _, q := range c.Points {
			if q.Latency <= 0 {
				continue
			}
			ok = true
			lo, hi = min(lo, q.Latency), max(hi, q.Latency)
			if q.Percentile < 100 {
				xMax = max(xMax, math.Log10(1/(1-q.Percentile/100)))
			}
		}
	}
	if !ok {
		return 0, 0, 0, false
	}
	if hi <= lo {
		lo, hi = lo/2+1, hi*2
	}
	xMax = min(max(math.Ceil(xMax-1e-9), 2), maxNines)
	return lo, hi, xMax, true
}

// latencyAt is the latency at percentile p: the first point at or above p
// (HDR percentiles are step functions).
func latencyAt(points []Quantile, p float64) (time.Duration, bool) {
	if len(points) == 0 {
		return 0, false
	}
	for _, q := range points {
		if q.Percentile >= p-1e-9 {
			return q.Latency, true
		}
	}
	return points[len(points)-1].Latency, true
}
