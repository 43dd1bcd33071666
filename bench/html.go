package bench

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// WriteHTML writes a self-contained HTML report (no scripts, fonts or
// other network assets): the latency percentile curves of every scenario
// on one log-scaled chart as inline SVG, corrected solid and uncorrected
// dashed, the classic HdrHistogram plot (x: percentile as 1/(1−p), y:
// latency), followed by the comparison table.
func WriteHTML(w io.Writer, r *Report) error {
	var table strings.Builder
	if err := WriteTable(&table, r); err != nil {
		return err
	}
	data := struct {
		Title string
		Chart template.HTML
		Table string
		Rows  []ScenarioReport
	}{
		Title: fmt.Sprintf("authscope bench: %s, %d scenarios", r.Started.UTC().Format(time.RFC3339), len(r.Scenarios)),
		Chart: template.HTML(percentileSVG(r)), // built from numbers and escaped names only
		Table: table.String(),
		Rows:  r.Scenarios,
	}
	return htmlTmpl.Execute(w, data)
}

var htmlTmpl = template.Must(template.New("report").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
pre{font:12px/1.3 ui-monospace,monospace;background:#f6f6f6;padding:1em;overflow:auto}
svg text{font:11px system-ui,sans-serif}
</style></head><body>
<h1>{{.Title}}</h1>
<p>Latency percentile distribution, log scales. Solid: timed from each request's intended send time
(coordinated omission corrected). Dashed: from its actual send time (uncorrected).</p>
{{.Chart}}
<h2>Comparison</h2>
<pre>{{.Table}}</pre>
</body></html>
`))

// chartColors are distinguishable on white.
var chartColors = []string{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"}

// percentileSVG draws the percentile curves.
func percentileSVG(r *Report) string {
	const (
		width, height = 900, 480
		left, right   = 70, 200
		top, bottom   = 20, 50
		maxX          = 1e6 // 99.9999%
	)
	pw, ph := float64(width-left-right), float64(height-top-bottom)
	lo, hi := math.Inf(1), 0.0
	for i := range r.Scenarios {
		for _, h := range []*hdr.Histogram{r.Scenarios[i].corrected, r.Scenarios[i].uncorrected} {
			if h != nil && h.TotalCount() > 0 {
				lo = math.Min(lo, float64(max(h.Min(), 1)))
				hi = math.Max(hi, float64(h.Max()))
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d">`, width, height, width, height)
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.0f" height="%.0f" fill="none" stroke="#999"/>`, left, top, pw, ph)
	if hi == 0 {
		b.WriteString(`<text x="100" y="100">no data</text></svg>`)
		return b.String()
	}
	yLo, yHi := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if yHi <= yLo {
		yHi = yLo + 1
	}
	x := func(q float64) float64 { // q in 0..100
		inv := 1 / (1 - q/100)
		if math.IsInf(inv, 1) || inv > maxX {
			inv = maxX
		}
		return float64(left) + pw*math.Log10(inv)/math.Log10(maxX)
	}
	y := func(ns float64) float64 {
		return float64(top) + ph*(1-(math.Log10(math.Max(ns, 1))-yLo)/(yHi-yLo))
	}
	for _, q := range []float64{0, 90, 99, 99.9, 99.99, 99.999, 99.9999} {
		px := x(q)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%.0f" stroke="#eee"/>`, px, top, px, float64(top)+ph)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" text-anchor="middle">%s%%</text>`, px, float64(top)+ph+16, fmtNum(q))
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="%d" text-anchor="middle">percentile</text>`, float64(left)+pw/2, height-8)
	for e := yLo; e <= yHi; e++ {
		py := y(math.Pow(10, e))
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#eee"/>`, left, py, float64(left)+pw, py)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`, left-6, py+4, decadeLabel(int64(math.Pow(10, e))))
	}
	fmt.Fprintf(&b, `<text x="14" y="%.0f" text-anchor="middle" transform="rotate(-90 14 %.0f)">latency</text>`, float64(top)+ph/2, float64(top)+ph/2)
	for i := range r.Scenarios {
		s := &r.Scenarios[i]
		color := chartColors[i%len(chartColors)]
		for j, hist := range []*hdr.Histogram{s.corrected, s.uncorrected} {
			if hist == nil || hist.TotalCount() == 0 {
				continue
			}
			var pts []string
			for _, br := range hist.CumulativeDistributionWithTicks(5) {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(br.Quantile), y(float64(br.ValueAt))))
			}
			fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="%d"%s points="%s"/>`,
				color, 2-j, []string{"", ` stroke-dasharray="5,4"`}[j], strings.Join(pts, " "))
		}
		ly := top + 14 + 18*i
		fmt.Fprintf(&b, `<line x1="%.0f" y1="%d" x2="%.0f" y2="%d" stroke="%s" stroke-width="2"/>`,
			float64(left)+pw+12, ly-4, float64(left)+pw+32, ly-4, color)
		fmt.Fprintf(&b, `<text x="%.0f" y="%d">%s</text>`, float64(left)+pw+38, ly, template.HTMLEscapeString(s.Name))
	}
	b.WriteString(`</svg>`)
	return b.String()
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
