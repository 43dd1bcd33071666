package bench

import (
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"
)

// WriteHTML writes a self-contained HTML report (no scripts, fonts or
// other network assets) of r:
//   - CANCELLED at the top when the run was stopped early;
//   - the latency percentile curves of every scenario with data on one
//     log-scaled chart as inline SVG, corrected solid and uncorrected
//     dashed: the classic HdrHistogram plot (x: percentile as 1/(1−p), y:
//     latency), its x-axis ending at the finest percentile the samples
//     resolve (1 − 1/N), as the chart says;
//   - latency over time: each interval's corrected p50 and p99, with the
//     intervals whose p99 the generator's own lateness inflated marked;
//   - the thresholds judged on the run (Report.Thresholds), when there
//     are any, above the charts: the gate's outcome, then each one's PASS,
//     FAIL or INCONCLUSIVE with the line the terminal prints (the figure
//     against the bound, and why it could not be judged);
//   - the comparison table as an HTML table, the warnings and reasons.
func WriteHTML(w io.Writer, r *Report) error {
	pc := percentileChart(r)
	tc := overTimeChart(r)
	data := struct {
		Title, Summary        string
		Canceled              bool
		Warnings, Reasons     []string
		Gate                  htmlGate
		Header                []string
		Rows                  [][]string
		Percentiles, OverTime template.HTML
		PercentNote, OverNote string
	}{
		Gate:        gateOf(r.Thresholds),
		Title:       fmt.Sprintf("authscope bench: %s, %s", r.Started.UTC().Format(time.RFC3339), plural(len(r.Scenarios), "scenario")),
		Summary:     r.summary(),
		Canceled:    r.Canceled,
		Warnings:    r.warnings(),
		Reasons:     r.reasonNotes(),
		Header:      tableHeader(r),
		Rows:        tableRows(r),
		Percentiles: template.HTML(pc.svg), // built from numbers and escaped names only
		PercentNote: pc.note,
		OverTime:    template.HTML(tc.svg), // likewise
		OverNote:    tc.note,
	}
	return htmlTmpl.Execute(w, data)
}

var htmlTmpl = template.Must(template.New("report").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:20px;margin:0 0 8px}
h2{font-size:16px;margin:24px 0 6px}
.cancelled{background:#b00020;color:#fff;font-weight:bold;font-size:16px;padding:8px 12px;margin:0 0 12px}
.warn{color:#8a4b00;margin:4px 0}
.note{color:#555;font-size:13px;margin:4px 0}
svg{max-width:100%;height:auto}
svg text{font:11px system-ui,sans-serif;fill:#333}
.table{overflow-x:auto}
table{border-collapse:collapse;font-size:12px;font-variant-numeric:tabular-nums}
th,td{padding:3px 6px;border-bottom:1px solid #ddd;text-align:right;white-space:nowrap}
th{background:#f2f2f2;white-space:normal;vertical-align:bottom}
td:nth-child(-n+3),th:nth-child(-n+3){text-align:left}
ul{margin:4px 0;padding-left:20px;font-size:13px}
#thresholds td{text-align:left;white-space:normal}
#thresholds td:last-child{white-space:nowrap}
.status{font-weight:bold}
.pass .status,.gate.pass{color:#1b7f3b}
.fail .status,.gate.fail{color:#b00020}
.inconclusive .status{color:#8a4b00}
.gate{font-weight:bold;margin:4px 0}
</style></head><body>
{{if .Canceled}}<p class="cancelled" id="cancelled">CANCELLED: the run was stopped early; these figures cover only what completed.</p>
{{end}}<h1>{{.Title}}</h1>
<p class="note">{{.Summary}}</p>
{{range .Warnings}}<p class="warn">WARNING {{.}}</p>
{{end}}{{with .Gate}}{{if .Lines}}<h2>Thresholds</h2>
<p class="gate {{.Class}}" id="threshold-summary">{{.Summary}}</p>
<div class="table"><table id="thresholds">
<thead><tr><th>outcome</th><th>scenario, figure against the bound, why</th><th>threshold</th></tr></thead>
<tbody>
{{range .Lines}}<tr class="{{.Class}}"><td class="status">{{.Status}}</td><td>{{.Detail}}</td><td>{{.Threshold}}</td></tr>
{{end}}</tbody></table></div>
{{end}}{{end}}<h2>Latency by percentile</h2>
<p class="note">Log scales. Solid: timed from each request's intended send time (coordinated omission corrected).
Dashed: from its actual send time (uncorrected).</p>
<div id="percentiles">{{.Percentiles}}</div>
<p class="note" id="percentile-note">{{.PercentNote}}</p>
<h2>Latency over time</h2>
{{if .OverTime}}<div id="over-time">{{.OverTime}}</div>
{{end}}<p class="note" id="over-time-note">{{.OverNote}}</p>
<h2>Comparison</h2>
<div class="table"><table id="comparison">
<thead><tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</tbody></table></div>
{{if .Reasons}}<h2>Reasons</h2>
<ul>{{range .Reasons}}<li>{{.}}</li>{{end}}</ul>
{{end}}</body></html>
`))

// htmlGate is the thresholds' section: the outcome and one line each.
type htmlGate struct {
	Summary, Class string // Class: pass or fail, for the colour
	Lines          []htmlThreshold
}

// htmlThreshold is one threshold's row; Class is its status (pass, fail,
// inconclusive), Status the badge's text.
type htmlThreshold struct {
	Class, Status, Detail, Threshold string
}

// gateOf builds the thresholds' section (no lines when none was judged).
func gateOf(rs []ThresholdResult) htmlGate {
	if len(rs) == 0 {
		return htmlGate{}
	}
	g := htmlGate{Summary: thresholdsSummary(rs), Class: "pass"}
	if FailedThresholds(rs) > 0 {
		g.Class = "fail"
	}
	for _, r := range rs {
		g.Lines = append(g.Lines, htmlThreshold{Class: string(r.Status), Status: strings.ToUpper(string(r.Status)), Detail: r.Detail(), Threshold: r.Threshold})
	}
	return g
}

// plural renders "1 scenario", "3 scenarios".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
