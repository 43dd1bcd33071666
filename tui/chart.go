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
// percentile.
type Curve struct {
	Label string
	Proxy bool
	// Series is the scenario's rank among the run's scenarios of its mode
	// (local or proxy): it picks the curve's colour from its mode's
	// family, so local and proxy differ, every curve has its own colour,
	// and a curve keeps it when others are hidden.
	Series int
	Points []Quantile // ascending by Percentile
}

// percentileTick is x-axis tick i (0..5): the classic HDR percentile plot,
// where each tick is one more nine.
func percentileTick(i int) string {
	return [...]string{"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"}[i]
}

const maxNines = 5

// legendLine is the legend's mark for a series: a short line in its colour.
const legendLine = "━━"

// RenderCurves draws latency (log scale, y) against percentile (x: one
// column band per extra nine, log10(1/(1-p))) in width×height cells: a
// legend that wraps to as many lines as the names need, y labels, the
// curves in braille (2×4 dots a cell) and an x axis. Cells two curves
// share are drawn in the neutral colour. It is a pure function of its
// arguments, so its output is golden-tested.
func RenderCurves(curves []Curve, width, height int, st *Styles) string {
	const yLabelW = 8
	plotW := width - yLabelW - 1
	lo, hi, xMax, ok := curveBounds(curves)
	if plotW < 10 || height < 5 {
		return ansi.Truncate("(chart needs more room)", width, "")
	}
	if !ok {
		return lipgloss.Place(width, height, lipgloss.Center, lipgloss.Center, st.Chart.Label.Render("no latency data yet"))
	}
	// The legend's height with the "shared" note, which only the drawing
	// tells: a line too many at worst, never a line short.
	plotH := height - len(legendLines(curves, true, width, st)) - 2
	if plotH < 2 {
		return ansi.Truncate("(chart needs more room)", width, "")
	}
	canvas := drawCurves(curves, plotW, plotH, lo, hi, xMax)
	shared := false
	for _, o := range canvas.owner {
		shared = shared || o == sharedCell
	}
	var b strings.Builder
	for _, l := range legendLines(curves, shared, width, st) {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	logLo, logHi := math.Log10(float64(lo)), math.Log10(float64(hi))
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
		writePlotRow(&b, canvas, y, curves, st)
		b.WriteByte('\n')
	}
	b.WriteString(strings.Repeat(" ", yLabelW))
	b.WriteString(st.Chart.Axis.Render("└" + strings.Repeat("─", plotW)))
	b.WriteByte('\n')
	b.WriteString(xAxisLabels(plotW, xMax, yLabelW+1))
	return b.String()
}

// drawCurves plots every curve on a braille canvas of plotW×plotH cells:
// one sample per dot column, each joined to the one before.
func drawCurves(curves []Curve, plotW, plotH int, lo, hi time.Duration, xMax float64) *brailleCanvas {
	canvas := newBrailleCanvas(plotW, plotH)
	logLo, logHi := math.Log10(float64(lo)), math.Log10(float64(hi))
	dotsX, dotsY := 2*plotW, 4*plotH
	for si, c := range curves {
		prev := -1
		for x := range dotsX {
			xv := float64(x) / float64(dotsX-1) * xMax
			lat, ok := latencyAt(c.Points, 100*(1-math.Pow(10, -xv)))
			if !ok {
				continue
			}
			fy := (math.Log10(float64(max(lat, lo))) - logLo) / (logHi - logLo)
			y := min(max(dotsY-1-int(math.Round(fy*float64(dotsY-1))), 0), dotsY-1)
			if prev < 0 {
				prev = y
			}
			canvas.vline(x, prev, y, si)
			prev = y
		}
	}
	return canvas
}

// writePlotRow writes row y of the canvas, each run of cells of one
// series in its colour (shared cells neutral), runs of blanks plain.
func writePlotRow(b *strings.Builder, canvas *brailleCanvas, y int, curves []Curve, st *Styles) {
	for x := 0; x < canvas.w; {
		r, owner := canvas.cell(x, y)
		var run strings.Builder
		n := x
		for n < canvas.w {
			rn, on := canvas.cell(n, y)
			if (rn == 0) != (r == 0) || on != owner {
				break
			}
			if rn == 0 {
				rn = ' '
			}
			run.WriteRune(rn)
			n++
		}
		switch {
		case r == 0:
			b.WriteString(run.String())
		case owner == sharedCell:
			b.WriteString(st.Chart.Axis.Render(run.String()))
		default:
			c := curves[owner]
			b.WriteString(st.seriesStyle(c.Proxy, c.Series).Render(run.String()))
		}
		x = n
	}
}

// legendLines are the legend's entries (each series in its colour, the
// shared-cells note when shared, the scale) wrapped to width: every name
// whole, however many scenarios the run has.
func legendLines(curves []Curve, shared bool, width int, st *Styles) []string {
	type item struct{ text, styled string }
	var items []item
	for _, c := range curves {
		t := legendLine + " " + c.Label
		items = append(items, item{t, st.seriesStyle(c.Proxy, c.Series).Render(t)})
	}
	if shared {
		t := legendLine + " shared"
		items = append(items, item{t, st.Chart.Axis.Render(t)})
	}
	t := "(latency, log scale)"
	items = append(items, item{t, st.Chart.Label.Render(t)})
	var lines []string
	var line strings.Builder
	used := 0
	for _, it := range items {
		w := ansi.StringWidth(it.text)
		if used > 0 && used+2+w > width {
			lines = append(lines, line.String())
			line.Reset()
			used = 0
		}
		if used > 0 {
			line.WriteString("  ")
			used += 2
		}
		if w > width {
			it.styled, w = ansi.Truncate(it.styled, width-used, "…"), width-used
		}
		line.WriteString(it.styled)
		used += w
	}
	return append(lines, line.String())
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
