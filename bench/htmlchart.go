package bench

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// chartColors are distinguishable on white. A scenario keeps its colour
// (by its index in the report) on every chart.
var chartColors = []string{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"}

func scenarioColor(i int) string { return chartColors[i%len(chartColors)] }

// chart is an SVG and the sentence that goes under it.
type chart struct {
	svg, note string
}

// Plot geometry shared by the charts: the plot area, and room for the
// axes' labels (left, bottom) and the legend (right).
const (
	chartW, chartH       = 1150, 440
	plotLeft, plotRight  = 70, 260
	plotTop, plotBottom  = 16, 46
	plotW, plotH         = chartW - plotLeft - plotRight, chartH - plotTop - plotBottom
	legendX, legendStepY = plotLeft + plotW + 14, 18
)

// point is a plotted value: x in the chart's own unit, y in nanoseconds.
type point struct{ x, y float64 }

// series is one line of a chart.
type series struct {
	color  string
	dash   string // stroke-dasharray, "" for solid
	width  int
	points []point
}

// logAxis maps nanoseconds to pixels on a log scale spanning whole decades.
type logAxis struct{ lo, hi float64 } // decades (log10 ns)

func newLogAxis(ss []series) (logAxis, bool) {
	lo, hi := math.Inf(1), 0.0
	for _, s := range ss {
		for _, p := range s.points {
			lo, hi = math.Min(lo, math.Max(p.y, 1)), math.Max(hi, p.y)
		}
	}
	if hi == 0 {
		return logAxis{}, false
	}
	a := logAxis{math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))}
	if a.hi <= a.lo {
		a.hi = a.lo + 1
	}
	return a, true
}

func (a logAxis) y(ns float64) float64 {
	return plotTop + plotH*(1-(math.Log10(math.Max(ns, 1))-a.lo)/(a.hi-a.lo))
}

// svgStart opens an SVG with the plot frame and the latency axis.
func svgStart(b *strings.Builder, id string, a logAxis) {
	fmt.Fprintf(b, `<svg id="%s" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d">`, id, chartW, chartH, chartW, chartH)
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#999"/>`, plotLeft, plotTop, plotW, plotH)
	for e := a.lo; e <= a.hi; e++ {
		py := a.y(math.Pow(10, e))
		fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#eee"/>`, plotLeft, py, plotLeft+plotW, py)
		fmt.Fprintf(b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`, plotLeft-6, py+4, decadeLabel(int64(math.Pow(10, e))))
	}
	fmt.Fprintf(b, `<text x="14" y="%d" text-anchor="middle" transform="rotate(-90 14 %d)">latency</text>`, plotTop+plotH/2, plotTop+plotH/2)
}

// xTick draws a vertical grid line at pixel px with its label.
func xTick(b *strings.Builder, px float64, label string) {
	fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#eee"/>`, px, plotTop, px, plotTop+plotH)
	fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, px, plotTop+plotH+16, template.HTMLEscapeString(label))
}

// drawSeries draws s with px mapping its x values to pixels. A series of a
// single point gets a dot, or it would not show.
func drawSeries(b *strings.Builder, s series, px func(float64) float64, a logAxis) {
	pts := make([]string, len(s.points))
	for i, p := range s.points {
		pts[i] = fmt.Sprintf("%.1f,%.1f", px(p.x), a.y(p.y))
	}
	dash := ""
	if s.dash != "" {
		dash = fmt.Sprintf(` stroke-dasharray="%s"`, s.dash)
	}
	fmt.Fprintf(b, `<polyline fill="none" stroke="%s" stroke-width="%d"%s points="%s"/>`, s.color, s.width, dash, strings.Join(pts, " "))
	if len(s.points) == 1 {
		fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>`, px(s.points[0].x), a.y(s.points[0].y), s.color)
	}
}

// legendEntry draws the n-th legend line: a stroke sample and a label.
func legendEntry(b *strings.Builder, n int, color, dash, label string) {
	ly := plotTop + 14 + legendStepY*n
	d := ""
	if dash != "" {
		d = fmt.Sprintf(` stroke-dasharray="%s"`, dash)
	}
	fmt.Fprintf(b, `<line class="legend" x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>`, legendX, ly-4, legendX+20, ly-4, color, d)
	// The legend has room for about 36 characters: a longer name is cut,
	// whole in its tooltip (and in the table).
	shown := label
	if r := []rune(label); len(r) > legendChars {
		shown = string(r[:legendChars-1]) + "…"
	}
	fmt.Fprintf(b, `<text class="legend" x="%d" y="%d"><title>%s</title>%s</text>`, legendX+26, ly,
		template.HTMLEscapeString(label), template.HTMLEscapeString(shown))
}

// legendChars is the most characters of a legend label shown.
const legendChars = 36

// hasData reports whether s recorded any latency.
func (s *ScenarioReport) hasData() bool {
	for _, h := range []*hdr.Histogram{s.corrected, s.uncorrected} {
		if h != nil && h.TotalCount() > 0 {
			return true
		}
	}
	return false
}

// percentileChart draws every scenario's percentile distribution. With N
// samples the finest percentile measured is 1 − 1/N: beyond it the curve
// would be flat at the maximum, which a reader takes for a measured tail.
// So each curve ends at its own 1 − 1/N, and the axis at the largest N.
func percentileChart(r *Report) chart {
	var ss []series
	var legend []int
	var most int64
	for i := range r.Scenarios {
		s := &r.Scenarios[i]
		if !s.hasData() {
			continue
		}
		legend = append(legend, i)
		for j, h := range []*hdr.Histogram{s.corrected, s.uncorrected} {
			if h == nil || h.TotalCount() == 0 {
				continue
			}
			most = max(most, h.TotalCount())
			ss = append(ss, series{color: scenarioColor(i), dash: []string{"", "5,4"}[j], width: 2 - j, points: percentilePoints(h)})
		}
	}
	a, ok := newLogAxis(ss)
	if !ok {
		return chart{svg: noDataSVG("percentiles"), note: "No scenario recorded a latency."}
	}
	end := math.Max(float64(most), 10) // 1/(1−p) at the axis's end
	px := func(inv float64) float64 { return plotLeft + plotW*math.Log10(math.Min(inv, end))/math.Log10(end) }
	var b strings.Builder
	svgStart(&b, "percentile-chart", a)
	for k, inv := 0, 1.0; inv <= end; k, inv = k+1, inv*10 {
		// Leave out a decade crowding the end's label.
		if k > 0 && math.Log10(end/inv) < 0.2 && end != inv {
			continue
		}
		xTick(&b, px(inv), percentLabel(inv))
	}
	if math.Log10(end) != math.Floor(math.Log10(end)) {
		xTick(&b, px(end), percentLabel(end))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">percentile (axis ends at 1 − 1/N, N = %d samples)</text>`, plotLeft+plotW/2, chartH-8, most)
	for _, s := range ss {
		drawSeries(&b, s, px, a)
	}
	for n, i := range legend {
		legendEntry(&b, n, scenarioColor(i), "", r.Scenarios[i].Name)
	}
	b.WriteString(`</svg>`)
	note := fmt.Sprintf("The percentile axis ends at %s, 1 − 1/N for the largest scenario's N = %d samples: no finer percentile is measured. Each curve ends at its own 1 − 1/N; maxima are in the table.",
		percentLabel(end), most)
	return chart{svg: b.String(), note: note}
}

// percentilePoints is h's distribution as (1/(1−p), latency) points up to
// p = 1 − 1/N, N its count: HdrHistogram's ticks, then that last point.
func percentilePoints(h *hdr.Histogram) []point {
	n := float64(h.TotalCount())
	last := 100 * (1 - 1/n)
	var pts []point
	for _, br := range h.CumulativeDistributionWithTicks(5) {
		if br.Quantile >= last {
			break
		}
		pts = append(pts, point{1 / (1 - br.Quantile/100), float64(br.ValueAt)})
	}
	return append(pts, point{n, float64(h.ValueAtQuantile(last))})
}

// percentLabel names the percentile 1 − 1/inv with the digits it needs:
// 0%, 90%, 99%, 99.93%.
func percentLabel(inv float64) string {
	p := 100 * (1 - 1/inv)
	digits := max(0, int(math.Ceil(math.Log10(inv)-1e-9))-2)
	return strconv.FormatFloat(p, 'f', digits, 64) + "%"
}

func noDataSVG(id string) string {
	return fmt.Sprintf(`<svg id="%s" xmlns="http://www.w3.org/2000/svg" width="%d" height="60" viewBox="0 0 %d 60"><text x="20" y="35">no data</text></svg>`, id, chartW, chartW)
}

// overTimeChart draws each interval's corrected p50 (dotted) and p99
// (solid) per scenario against the time since the first interval began,
// and marks with a triangle each interval whose p99 the generator's own
// lateness inflated (ScenarioReport.IntervalLagged).
func overTimeChart(r *Report) chart {
	// Scenarios run one after another: each is drawn against the time into
	// its own measurement window, so their curves overlay.
	span := 0.0
	for i := range r.Scenarios {
		if ivs := r.Scenarios[i].Intervals; len(ivs) > 0 {
			span = math.Max(span, ivs[len(ivs)-1].End.Sub(ivs[0].Start).Seconds())
		}
	}
	if span == 0 {
		note := "No interval figures: they come from a run's own report; a report merged from several generators has none (their interval percentiles do not combine; merge their .hlog files instead)."
		return chart{note: note}
	}
	var ss []series
	var legend []int
	var lagged []point
	var laggedSeries []string
	for i := range r.Scenarios {
		s := &r.Scenarios[i]
		if len(s.Intervals) == 0 {
			continue
		}
		legend = append(legend, i)
		p50, p99 := series{color: scenarioColor(i), dash: "2,3", width: 1}, series{color: scenarioColor(i), width: 2}
		for _, iv := range s.Intervals {
			x := iv.End.Sub(s.Intervals[0].Start).Seconds()
			p50.points = append(p50.points, point{x, float64(iv.P50)})
			p99.points = append(p99.points, point{x, float64(iv.P99)})
			if s.IntervalLagged(iv) {
				lagged = append(lagged, point{x, float64(iv.P99)})
				laggedSeries = append(laggedSeries, scenarioColor(i))
			}
		}
		ss = append(ss, p50, p99)
	}
	a, _ := newLogAxis(ss) // intervals hold requests: never empty
	px := func(sec float64) float64 { return plotLeft + plotW*sec/span }
	var b strings.Builder
	svgStart(&b, "over-time-chart", a)
	step := timeStep(span)
	for x := 0.0; x <= span+1e-9; x += step {
		xTick(&b, px(x), strconv.FormatFloat(x, 'f', -1, 64)+"s")
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">time into each scenario's measurement (end of each %s interval)</text>`,
		plotLeft+plotW/2, chartH-8, r.intervalLength())
	for _, s := range ss {
		drawSeries(&b, s, px, a)
	}
	for k, p := range lagged {
		x, y := px(p.x), a.y(p.y)
		fmt.Fprintf(&b, `<path class="lagged" d="M%.1f %.1fl-5 -9h10z" fill="%s" stroke="#000" stroke-width="0.5"/>`, x, y-3, laggedSeries[k])
	}
	n := 0
	for _, i := range legend {
		legendEntry(&b, n, scenarioColor(i), "", r.Scenarios[i].Name)
		n++
	}
	legendEntry(&b, n+1, "#555", "", "p99")
	legendEntry(&b, n+2, "#555", "2,3", "p50")
	if len(lagged) > 0 {
		ly := plotTop + 14 + legendStepY*(n+3)
		fmt.Fprintf(&b, `<path d="M%d %dl-5 -9h10z" fill="#999"/><text class="legend" x="%d" y="%d">generator delayed p99</text>`, legendX+10, ly, legendX+26, ly)
	}
	b.WriteString(`</svg>`)
	note := "Corrected latency per interval: p99 solid, p50 dotted."
	if most := longestSeries(r); most < 2 {
		note += " Each scenario fits in one interval here, so there is a point, not a curve: a run over several intervals draws one."
	}
	if len(lagged) > 0 {
		note += fmt.Sprintf(" ▼ marks %d intervals whose p99 includes the generator's own lateness (dispatch lag p99 above both half the send interval and the target's p50): it is not the target's.", len(lagged))
	}
	return chart{svg: b.String(), note: note}
}

// longestSeries is the most intervals of a scenario of r.
func longestSeries(r *Report) int {
	n := 0
	for i := range r.Scenarios {
		n = max(n, len(r.Scenarios[i].Intervals))
	}
	return n
}

// intervalLength is the length of r's intervals: the longest (the first
// and last of a scenario may be cut by the window).
func (r *Report) intervalLength() string {
	var d time.Duration
	for i := range r.Scenarios {
		for _, iv := range r.Scenarios[i].Intervals {
			d = max(d, iv.End.Sub(iv.Start))
		}
	}
	return d.Round(time.Millisecond).String()
}

// timeStep picks a tick spacing giving at most ten ticks over span seconds.
func timeStep(span float64) float64 {
	for _, s := range []float64{0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600} {
		if span/s <= 10 {
			return s
		}
	}
	return math.Ceil(span/10/3600) * 3600
}

// decadeLabel names a power of ten of nanoseconds: 1µs, 10µs, …, 10s.
func decadeLabel(ns int64) string {
	for _, u := range []struct {
		div  int64
		name string
	}{{1e9, "s"}, {1e6, "ms"}, {1e3, "µs"}} {
		if ns >= u.div {
			return fmt.Sprintf("%d%s", ns/u.div, u.name)
		}
	}
	return fmt.Sprintf("%dns", ns)
}
