package bench

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strings"
)

// The capacity report's HTML form: self-contained (inline SVG and CSS, no
// scripts, fonts or other network assets), one rate-versus-latency chart
// per scenario with each measurement's 95% interval, the SLO's limit and
// the bracket, then the measurements and the plan as real tables.

// WriteHTML writes the report as a self-contained HTML page.
func (r *CapacityReport) WriteHTML(w io.Writer) error {
	cc := r.cc.withDefaults()
	type section struct {
		Title    string
		Summary  string
		Repeats  string
		Chart    template.HTML
		Steps    []Probe
		Quantile string
	}
	data := struct {
		Title    string
		Canceled bool
		SLO      string
		Sections []section
		Plan     Plan
		PlanText string
	}{
		Title:    fmt.Sprintf("authscope capacity: SLO %s, errors ≤ %s", r.SLO, Share(r.MaxErrors)),
		Canceled: r.Canceled,
		SLO:      r.SLO,
		Plan:     r.Plan,
	}
	for i, c := range append(slices.Clone(r.Ceilings), r.Searches...) {
		title := fmt.Sprintf("%s (%s/%s, cache %v, via %s)", c.Scenario.Name, c.Scenario.Mode, c.Scenario.Strategy, c.Scenario.Cache, c.Scenario.Via)
		if i < len(r.Ceilings) {
			title = fmt.Sprintf("generator ceiling via %s (a target that does nothing; no scenario over %s is searched above it)", c.Scenario.Via, c.Scenario.Via)
		}
		data.Sections = append(data.Sections, section{
			Title:    title,
			Summary:  "capacity " + capacityText(c),
			Repeats:  repeatsText(c),
			Chart:    template.HTML(capacitySVG(c, cc)), // numbers and escaped text only
			Steps:    c.Steps,
			Quantile: "p" + fmtNum(cc.SLO.Quantile),
		})
	}
	var plan strings.Builder
	if err := writePlan(&plan, r.Plan, cc); err != nil {
		return err
	}
	data.PlanText = plan.String()
	return capacityTmpl.Execute(w, data)
}

var capacityFuncs = template.FuncMap{
	"ns":      FormatNs,
	"pct":     func(f float64) string { return fmt.Sprintf("%.2f%%", f*100) },
	"rate":    func(f float64) string { return fmt.Sprintf("%.0f", f) },
	"verdict": verdictText,
	"ci":      func(p Probe) string { return latencyText(p) },
	"samples": samplesText,
}

var capacityTmpl = template.Must(template.New("capacity").Funcs(capacityFuncs).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}
table{border-collapse:collapse;margin:.5em 0 1.5em}
th,td{padding:2px 8px;border-bottom:1px solid #ddd;text-align:right;vertical-align:top}
th:last-child,td:last-child{text-align:left}
pre{font:12px/1.3 ui-monospace,monospace;background:#f6f6f6;padding:1em;white-space:pre-wrap}
.banner{background:#fde2e1;border:1px solid #d62728;padding:.5em 1em;font-weight:bold}
svg text{font:11px system-ui,sans-serif}
</style></head><body>
{{if .Canceled}}<p class="banner">CANCELLED: the search was interrupted. Every capacity is a lower bound and nothing is planned.</p>{{end}}
<h1>{{.Title}}</h1>
<p>Each point is one measurement: the corrected latency at the SLO's percentile (timed from each request's
intended send time) against the rate asked, with its 95% confidence interval. Green passed, red failed,
grey was inconclusive (the generator or the host, not the target, explained the failure; re-measured).
The dashed line is the SLO's limit; the band is the bracket between the highest confirmed pass and the
lowest confirmed failure.</p>
{{range .Sections}}
<h2>{{.Title}}</h2>
<p>{{.Summary}}{{if .Repeats}}<br>{{.Repeats}}{{end}}</p>
{{.Chart}}
<table><thead><tr><th>#</th><th>rate/s</th><th>achieved/s</th><th>samples</th><th>{{.Quantile}} [95% CI]</th><th>own {{.Quantile}}</th><th>errors</th><th>cache hit</th><th>lag p99</th><th>verdict</th></tr></thead><tbody>
{{range $i, $s := .Steps}}<tr><td>{{$i}}</td><td>{{rate $s.Rate}}</td><td>{{rate $s.Achieved}}</td><td>{{samples $s}}</td><td>{{ci $s}}</td><td>{{ns $s.OwnLatency}}</td><td>{{pct $s.ErrorRatio}}</td><td>{{pct $s.CacheHitRatio}}</td><td>{{ns $s.DispatchLagP99}}</td><td>{{verdict $s}}</td></tr>
{{end}}</tbody></table>
{{end}}
<h2>Plan</h2>
<table><thead><tr><th>scenario</th><th>capacity/s</th><th>instances</th><th>cache must hit</th><th>fits</th></tr></thead><tbody>
{{range .Plan.Lines}}<tr><td>{{.Scenario}}</td><td>{{if .LowerBound}}≥{{end}}{{rate .Capacity}}{{if .BoundBy}} (bound by {{.BoundBy}}){{end}}</td><td>{{if or .Canceled (le .Capacity 0.0)}}-{{else}}{{if .LowerBound}}≤{{end}}{{.Instances}}{{end}}</td><td>{{if ge .RequiredHitRatio 0.0}}{{pct .RequiredHitRatio}}{{else}}-{{end}}</td><td>{{if .Undecided}}{{.Why}}{{else if .Feasible}}yes{{if .Caveat}}, {{.Caveat}}{{end}}{{else}}NO: {{.Why}}{{end}}</td></tr>
{{end}}</tbody></table>
<pre>{{.PlanText}}</pre>
</body></html>
`))

// capacityColors are the verdicts' colours.
var capacityColors = map[Verdict]string{VerdictPass: "#2ca02c", VerdictFail: "#d62728", VerdictInconclusive: "#7f7f7f"}

// capacitySVG draws one search: x the rate asked, y the latency at the
// SLO's percentile, both log-scaled.
func capacitySVG(c Capacity, cc CapacityConfig) string {
	const (
		width, height         = 760, 320
		left, right, top, bot = 70, 40, 15, 40
	)
	if len(c.Steps) == 0 {
		return "<p>No measurement.</p>"
	}
	rMin, rMax := math.Inf(1), 0.0
	lMin, lMax := float64(cc.SLO.Limit), float64(cc.SLO.Limit)
	for _, p := range c.Steps {
		rMin, rMax = math.Min(rMin, p.Rate), math.Max(rMax, p.Rate)
		lo, hi := float64(max(p.LatencyCI.Low, p.Latency)), float64(max(p.LatencyCI.High, p.Latency))
		if p.LatencyCI.Low > 0 {
			lo = float64(p.LatencyCI.Low)
		}
		if lo > 0 {
			lMin = math.Min(lMin, lo)
		}
		lMax = math.Max(lMax, hi)
	}
	rMin, rMax = rMin/1.25, rMax*1.25
	lMin, lMax = lMin/1.5, lMax*1.5
	x := func(r float64) float64 {
		return left + (math.Log(r)-math.Log(rMin))/(math.Log(rMax)-math.Log(rMin))*(width-left-right)
	}
	y := func(ns float64) float64 {
		ns = math.Max(ns, lMin)
		return height - bot - (math.Log(ns)-math.Log(lMin))/(math.Log(lMax)-math.Log(lMin))*(height-top-bot)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="rate versus latency">`, width, height, width, height)
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="#fff" stroke="#999"/>`, left, top, width-left-right, height-top-bot)
	if c.Rate > 0 && c.BracketHigh > c.Rate {
		fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="#ffe9a8" opacity="0.6"><title>bracket %.0f/s to %.0f/s</title></rect>`,
			x(c.Rate), top, x(c.BracketHigh)-x(c.Rate), height-top-bot, c.Rate, c.BracketHigh)
	}
	for _, t := range logTicks(rMin, rMax) {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#eee"/><text x="%.1f" y="%d" text-anchor="middle">%s/s</text>`,
			x(t), top, x(t), height-bot, x(t), height-bot+15, fmtNum(t))
	}
	for _, t := range logTicks(lMin, lMax) {
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#eee"/><text x="%d" y="%.1f" text-anchor="end">%s</text>`,
			left, y(t), width-right, y(t), left-5, y(t)+4, FormatNs(int64(t)))
	}
	ly := y(float64(cc.SLO.Limit))
	fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#d62728" stroke-dasharray="6 4"/><text x="%d" y="%.1f" text-anchor="end" fill="#d62728">SLO %s</text>`,
		left, ly, width-right, ly, width-right-4, ly-4, template.HTMLEscapeString(cc.SLO.String()))
	var path []string
	for _, p := range curvePoints(c) {
		if p.Verdict != VerdictInconclusive && p.Latency > 0 {
			path = append(path, fmt.Sprintf("%.1f,%.1f", x(p.Rate), y(float64(p.Latency))))
		}
	}
	if len(path) > 1 {
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#1f77b4" stroke-width="1.5"/>`, strings.Join(path, " "))
	}
	for _, p := range c.Steps {
		col := capacityColors[p.Verdict]
		if col == "" {
			col = capacityColors[VerdictFail]
		}
		px := x(p.Rate)
		if p.LatencyCI.High > 0 {
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s"/>`, px, y(float64(p.LatencyCI.Low)), px, y(float64(p.LatencyCI.High)), col)
		}
		fill := col
		if p.Verdict == VerdictInconclusive {
			fill = "#fff"
		}
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="4" fill="%s" stroke="%s"><title>%s</title></circle>`, px, y(float64(max(p.Latency, 1))), fill, col,
			template.HTMLEscapeString(fmt.Sprintf("%.0f/s: %s, %s", p.Rate, latencyText(p), verdictText(p))))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">rate asked</text>`, (width+left)/2, height-5)
	b.WriteString(`</svg>`)
	return b.String()
}

// logTicks returns 1-2-5 ticks between lo and hi.
func logTicks(lo, hi float64) []float64 {
	var out []float64
	if lo <= 0 || hi <= lo {
		return out
	}
	for d := math.Pow(10, math.Floor(math.Log10(lo))); d <= hi; d *= 10 {
		for _, m := range []float64{1, 2, 5} {
			if v := d * m; v >= lo && v <= hi {
				out = append(out, v)
			}
		}
	}
	return out
}
