package tui

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
)

func TestGoldenChart(t *testing.T) {
	snap := sampleSnapshot(true)
	curves := curvesOf(snap.Scenarios)
	for _, size := range [][2]int{{40, 10}, {60, 12}, {100, 20}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			out := RenderCurves(curves, size[0], size[1], NewStyles(true))
			checkBlock(t, ansi.Strip(out), size[0], size[1])
			golden.RequireEqual(t, ansi.Strip(out))
		})
	}
}

// checkBlock asserts out fits w×h.
func checkBlock(t *testing.T, out string, w, h int) {
	t.Helper()
	lines := strings.Split(out, "\n")
	if len(lines) > h {
		t.Errorf("%d lines, want at most %d", len(lines), h)
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			t.Errorf("line %d is %d wide, want at most %d: %q", i, lipgloss.Width(l), w, l)
		}
	}
}

// plotRows are the chart's plot rows without the y labels and the axis:
// what lies right of "│" on each line that has one, legend and x axis
// excluded.
func plotRows(out string) []string {
	var rows []string
	for _, l := range strings.Split(out, "\n") {
		if _, after, ok := strings.Cut(l, "│"); ok {
			rows = append(rows, after)
		}
	}
	return rows
}

func isBraille(r rune) bool { return r >= 0x2800 && r <= 0x28ff }

// The curves are drawn with braille dots (2×4 per cell), nothing else.
func TestChartDrawsBraille(t *testing.T) {
	out := ansi.Strip(RenderCurves(curvesOf(sampleSnapshot(true).Scenarios), 60, 12, NewStyles(true)))
	dots := 0
	for _, row := range plotRows(out) {
		for _, r := range row {
			switch {
			case isBraille(r):
				dots++
			case r != ' ':
				t.Fatalf("a non-braille glyph %q in the plot:\n%s", r, out)
			}
		}
	}
	if dots < 40 {
		t.Fatalf("only %d braille cells drawn:\n%s", dots, out)
	}
}

// Each series has a colour of its own, local ones and proxy ones in
// different families, so curves stay apart without glyphs.
func TestChartColoursSeriesApart(t *testing.T) {
	st := NewStyles(true)
	prefix := func(s lipgloss.Style) string { r := s.Render("x"); return r[:strings.Index(r, "x")] }
	styles := []lipgloss.Style{st.seriesStyle(false, 0), st.seriesStyle(true, 0), st.seriesStyle(false, 1), st.seriesStyle(true, 1)}
	seen := map[string]bool{}
	for _, s := range styles {
		seen[prefix(s)] = true
	}
	if len(seen) != len(styles) {
		t.Fatalf("%d colours for %d series", len(seen), len(styles))
	}
	out := RenderCurves(curvesOf(sampleSnapshot(true).Scenarios), 60, 12, st)
	plot := out[strings.Index(out, "│"):]
	if !strings.Contains(plot, prefix(styles[0])) || !strings.Contains(plot, prefix(styles[1])) {
		t.Fatal("the local and proxy series are not drawn in their colours")
	}
}

func TestChartIsMonotoneOnALogScale(t *testing.T) {
	// One series growing 10x per nine must climb across the percentile
	// decades: the topmost dot of the columns at each decade rises.
	pts := []Quantile{}
	for i := 0; i <= 4; i++ {
		p := 100 * (1 - math.Pow(10, -float64(i)))
		pts = append(pts, Quantile{Percentile: p, Latency: time.Microsecond * time.Duration(math.Pow(10, float64(i)))})
	}
	out := ansi.Strip(RenderCurves([]Curve{{Label: "x", Points: pts}}, 49, 12, NewStyles(true)))
	rows := plotRows(out)
	top := func(col int) int {
		for r, l := range rows {
			if c := []rune(l); col < len(c) && isBraille(c[col]) && c[col] != 0x2800 {
				return r
			}
		}
		return -1
	}
	var tops []int
	// Cells just below each decade boundary: 40 cells of 2 dot columns
	// over four nines, so cell 10k-1 ends just short of nine k. (HDR
	// percentiles are steps: past p0 the curve is at p90's value.)
	for _, col := range []int{9, 19, 29, 39} {
		tops = append(tops, top(col))
	}
	for i, r := range tops {
		if r < 0 {
			t.Fatalf("no dot in column %d:\n%s", i, out)
		}
		if i > 0 && r >= tops[i-1] {
			t.Fatalf("curve does not rise: top rows %v\n%s", tops, out)
		}
	}
}

func TestChartWithoutData(t *testing.T) {
	out := ansi.Strip(RenderCurves(nil, 40, 6, NewStyles(false)))
	if !strings.Contains(out, "no latency data yet") {
		t.Fatalf("got %q", out)
	}
	checkBlock(t, ansi.Strip(RenderCurves(curvesOf(sampleSnapshot(true).Scenarios), 5, 2, NewStyles(false))), 5, 2)
}

// Cells two curves share are drawn in the neutral colour, and the legend
// says so.
func TestChartMarksSharedCells(t *testing.T) {
	pts := sampleSnapshot(true).Scenarios[0].Percentiles
	st := NewStyles(true)
	out := RenderCurves([]Curve{{Label: "a", Points: pts}, {Label: "b", Proxy: true, Series: 1, Points: pts}}, 60, 12, st)
	plain := ansi.Strip(out)
	if !strings.Contains(strings.Split(plain, "\n")[0], "shared") {
		t.Fatalf("legend: %q", strings.Split(plain, "\n")[0])
	}
	r := st.seriesStyle(true, 1).Render("x")
	if plot := out[strings.Index(out, "│"):]; strings.Contains(plot, r[:strings.Index(r, "x")]) {
		t.Fatal("identical curves drawn in a series colour")
	}
}

// Seven scenarios at 120 columns: the legend wraps rather than cutting
// names, and the chart still fits.
func TestChartLegendWraps(t *testing.T) {
	var curves []Curve
	for i, name := range []string{"jwt-local", "jwt-local-cached", "jwt-proxy", "jwt-proxy-cached", "database-local", "database-local-cached", "database-proxy-cached"} {
		pts := sampleSnapshot(true).Scenarios[i%2].Percentiles
		curves = append(curves, Curve{Label: name, Proxy: strings.Contains(name, "proxy"), Series: i, Points: pts})
	}
	for _, w := range []int{80, 120} {
		out := ansi.Strip(RenderCurves(curves, w, 16, NewStyles(true)))
		checkBlock(t, out, w, 16)
		legend := out[:strings.Index(out, "│")]
		if strings.Contains(legend, "…") {
			t.Fatalf("%d: legend cut:\n%s", w, out)
		}
		for _, c := range curves {
			if !strings.Contains(legend, legendLine+" "+c.Label+" ") && !strings.Contains(legend, legendLine+" "+c.Label+"\n") {
				t.Fatalf("%d: legend lacks %s:\n%s", w, c.Label, legend)
			}
		}
	}
}
