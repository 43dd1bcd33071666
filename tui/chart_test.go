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

func TestChartColoursLocalAndProxyApart(t *testing.T) {
	st := NewStyles(true)
	out := RenderCurves(curvesOf(sampleSnapshot(true).Scenarios), 60, 12, st)
	local := st.Chart.Local.Render("•")
	proxy := st.Chart.Proxy.Render("×")
	if local == proxy || !strings.Contains(out, local) || !strings.Contains(out, proxy) {
		t.Fatalf("local and proxy series are not drawn in their own colours")
	}
}

func TestChartIsMonotoneOnALogScale(t *testing.T) {
	// One series growing 10x per nine must climb one band per nine: the
	// row of the glyph strictly rises across the percentile decades.
	pts := []Quantile{}
	for i := 0; i <= 4; i++ {
		p := 100 * (1 - math.Pow(10, -float64(i)))
		pts = append(pts, Quantile{Percentile: p, Latency: time.Microsecond * time.Duration(math.Pow(10, float64(i)))})
	}
	out := ansi.Strip(RenderCurves([]Curve{{Label: "x", Points: pts}}, 49, 12, NewStyles(true)))
	lines := strings.Split(out, "\n")[1:10] // the 9 plot rows
	var rows []int
	// Columns just below each decade boundary: x = floor(k/4 × 39) + 9.
	for _, col := range []int{9, 18, 28, 38, 48} {
		for r, l := range lines {
			if c := []rune(l); col < len(c) && c[col] == '•' {
				rows = append(rows, r)
				break
			}
		}
	}
	if len(rows) != 5 {
		t.Fatalf("found the curve in %d of 5 columns:\n%s", len(rows), out)
	}
	for i := 1; i < len(rows); i++ {
		if rows[i] >= rows[i-1] {
			t.Fatalf("curve does not rise: rows %v\n%s", rows, out)
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

func TestChartMarksOverlaps(t *testing.T) {
	pts := sampleSnapshot(true).Scenarios[0].Percentiles
	out := ansi.Strip(RenderCurves([]Curve{{Label: "a", Points: pts}, {Label: "b", Proxy: true, Points: pts}}, 60, 12, NewStyles(true)))
	lines := strings.Split(out, "\n")
	if !strings.Contains(lines[0], "* both") {
		t.Fatalf("legend: %q", lines[0])
	}
	plot := strings.Join(lines[1:len(lines)-2], "\n")
	if strings.ContainsAny(plot, "•×") || !strings.Contains(plot, "*") {
		t.Fatalf("identical curves should draw only overlap marks:\n%s", out)
	}
}
