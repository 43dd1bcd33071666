package bench

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

// htmlReport builds the report of a run of three scenarios, recorded from
// scripted samples: local-jwt (1,500 requests), proxy-jwt (3,000, sent up
// to 40ms late in its fifth and sixth seconds: the generator lagged) and
// idle (none measured).
func htmlReport(canceled bool) *Report {
	t0 := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	w := window{length: 10 * time.Second}
	local := synthetic(1500, 150, t0)
	proxy := synthetic(3000, 300, t0)
	for i := range proxy {
		proxy[i].latency += time.Millisecond
		if sec := proxy[i].intended.Sub(t0); sec >= 4*time.Second && sec < 5900*time.Millisecond { // sent before 6s
			proxy[i].start = proxy[i].intended.Add(40 * time.Millisecond)
		}
	}
	r := &Report{Version: ReportVersion, Started: t0, Sources: 1, Canceled: canceled, Schedule: "10s@150", Baseline: "local-jwt"}
	for _, c := range []struct {
		spec ScenarioSpec
		ss   []sample
	}{
		{ScenarioSpec{Name: "local-jwt", Mode: "local", Strategy: "jwt", Via: ViaInProc}, local},
		{ScenarioSpec{Name: "proxy-jwt", Mode: "proxy", Strategy: "jwt", Cache: true, Via: ViaHTTP}, proxy},
		{ScenarioSpec{Name: "idle", Mode: "upstream", Strategy: "jwt", Via: ViaHTTP}, nil},
	} {
		w.target = float64(len(c.ss))
		r.Scenarios = append(r.Scenarios, record(newRecorder(c.spec), c.ss, t0, w, nil))
	}
	return r
}

// htmlNode is a parsed element: its name, attributes, text and children.
type htmlNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []htmlNode `xml:",any"`
}

func (n *htmlNode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// find returns the elements under n (n included) for which ok holds, in
// document order.
func (n *htmlNode) find(ok func(*htmlNode) bool) []*htmlNode {
	var out []*htmlNode
	if ok(n) {
		out = append(out, n)
	}
	for i := range n.Children {
		out = append(out, n.Children[i].find(ok)...)
	}
	return out
}

func (n *htmlNode) byID(id string) *htmlNode {
	if f := n.find(func(e *htmlNode) bool { return e.attr("id") == id }); len(f) > 0 {
		return f[0]
	}
	return nil
}

func (n *htmlNode) named(name string) []*htmlNode {
	return n.find(func(e *htmlNode) bool { return e.XMLName.Local == name })
}

func (n *htmlNode) text() string {
	var b strings.Builder
	b.WriteString(n.Text)
	for i := range n.Children {
		b.WriteString(n.Children[i].text())
	}
	return b.String()
}

// parseHTML parses the report as the lenient XML the HTML parser of a
// browser would accept (void elements auto-closed, HTML entities).
func parseHTML(t *testing.T, r *Report) *htmlNode {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteHTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(buf.String(), "<!doctype html>", "", 1)
	d := xml.NewDecoder(strings.NewReader(src))
	d.Strict, d.AutoClose, d.Entity = false, xml.HTMLAutoClose, xml.HTMLEntity
	var root htmlNode
	if err := d.Decode(&root); err != nil && err != io.EOF {
		t.Fatalf("parse: %v", err)
	}
	return &root
}

// TestHTMLReport checks what the report promises a reader, on the parsed
// page: CANCELLED on top of a cancelled run, a real comparison table, a
// legend of the scenarios with data only, a percentile axis ending at the
// resolution of the samples, and latency over time with the intervals the
// generator delayed marked.
func TestHTMLReport(t *testing.T) {
	for _, canceled := range []bool{false, true} {
		doc := parseHTML(t, htmlReport(canceled))
		body := doc.named("body")[0]
		first := body.Children[0]
		if got := first.attr("id") == "cancelled" && strings.HasPrefix(first.text(), "CANCELLED"); got != canceled {
			t.Errorf("canceled %v: first element %s %q", canceled, first.XMLName.Local, first.text())
		}
		if n := len(doc.find(func(e *htmlNode) bool { return strings.Contains(e.Text, "CANCELLED") })); canceled != (n > 0) {
			t.Errorf("canceled %v: CANCELLED appears %d times", canceled, n)
		}
	}
	doc := parseHTML(t, htmlReport(false))

	// The comparison is a table: a header of 17 columns, a row of as many
	// cells per scenario, no preformatted text.
	table := doc.byID("comparison")
	if table == nil || table.XMLName.Local != "table" || len(doc.named("pre")) > 0 {
		t.Fatalf("no comparison <table> (or a <pre> left)")
	}
	if th := table.named("th"); len(th) != 17 || th[0].text() != "scenario" || th[16].text() != "p99 vs local-jwt" {
		t.Errorf("header: %d cells", len(th))
	}
	rows := table.named("tbody")[0].named("tr")
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3", len(rows))
	}
	for i, name := range []string{"local-jwt", "proxy-jwt", "idle"} {
		if td := rows[i].named("td"); len(td) != 17 || td[0].text() != name {
			t.Errorf("row %d: %d cells, first %q", i, len(td), td[0].text())
		}
	}

	// Legends: the scenarios with data, in order; idle has none.
	for _, id := range []string{"percentile-chart", "over-time-chart"} {
		svg := doc.byID(id)
		if svg == nil {
			t.Fatalf("no #%s", id)
		}
		var names []string
		for _, e := range svg.find(func(e *htmlNode) bool { return e.XMLName.Local == "text" && e.attr("class") == "legend" }) {
			names = append(names, strings.TrimSpace(e.Text)) // its own text, not its <title>
		}
		if len(names) < 2 || names[0] != "local-jwt" || names[1] != "proxy-jwt" || strings.Contains(strings.Join(names, ","), "idle") {
			t.Errorf("%s legend %q, want local-jwt, proxy-jwt and no idle", id, names)
		}
	}

	// The percentile axis ends at 1 − 1/N for the largest N (3,000):
	// 99.97%, never 99.9999%, and no curve runs past the plot.
	pc := doc.byID("percentile-chart")
	var ticks []string
	for _, e := range pc.named("text") {
		if y, _ := strconv.Atoi(e.attr("y")); y == plotTop+plotH+16 {
			ticks = append(ticks, e.text())
		}
	}
	if len(ticks) == 0 || ticks[len(ticks)-1] != "99.97%" || strings.Contains(strings.Join(ticks, " "), "99.999") {
		t.Errorf("percentile ticks %q, want them to end at 99.97%%", ticks)
	}
	if note := doc.byID("percentile-note").text(); !strings.Contains(note, "99.97%") || !strings.Contains(note, "N = 3000") {
		t.Errorf("percentile note %q does not say where the axis ends and why", note)
	}
	ends := map[string]float64{}
	for _, pl := range pc.named("polyline") {
		pts := strings.Fields(pl.attr("points"))
		x, _ := strconv.ParseFloat(strings.Split(pts[len(pts)-1], ",")[0], 64)
		ends[pl.attr("stroke")] = math.Max(ends[pl.attr("stroke")], x)
	}
	// local-jwt's 1,500 samples end at 1 − 1/1500, before the axis's end;
	// proxy-jwt's at the end.
	right := float64(plotLeft + plotW)
	if l, p := ends[scenarioColor(0)], ends[scenarioColor(1)]; math.Abs(p-right) > 0.2 || l >= p-20 || l <= plotLeft {
		t.Errorf("curve ends: local %.1f, proxy %.1f; want proxy at the axis end %.0f and local well before", l, p, right)
	}

	// Latency over time: p50 and p99 of each of the 10 intervals of the
	// two scenarios with data, and a mark on proxy-jwt's two late seconds.
	ot := doc.byID("over-time-chart")
	lines := ot.named("polyline")
	if len(lines) != 4 {
		t.Fatalf("%d lines over time, want p50 and p99 of 2 scenarios", len(lines))
	}
	for _, pl := range lines {
		if n := len(strings.Fields(pl.attr("points"))); n != 10 {
			t.Errorf("%s line of %d points, want one per interval (10)", pl.attr("stroke"), n)
		}
	}
	if note := doc.byID("over-time-note").text(); strings.Contains(note, "a point, not a curve") {
		t.Errorf("ten intervals called a point: %q", note)
	}
	marks := ot.find(func(e *htmlNode) bool { return e.attr("class") == "lagged" })
	if len(marks) != 2 {
		t.Errorf("%d intervals marked as delayed by the generator, want 2 (proxy-jwt's fifth and sixth seconds)", len(marks))
	}
	for _, m := range marks {
		if m.attr("fill") != scenarioColor(1) {
			t.Errorf("delayed mark on %s, want proxy-jwt's colour", m.attr("fill"))
		}
	}
}

// TestHTMLLegendCutsLongNames: a name longer than the legend's room is cut
// with an ellipsis, whole in its tooltip; the title counts scenarios.
func TestHTMLLegendCutsLongNames(t *testing.T) {
	r := htmlReport(false)
	r.Scenarios = r.Scenarios[:1]
	long := strings.Repeat("x", 50)
	r.Scenarios[0].Name, r.Baseline = long, long
	doc := parseHTML(t, r)
	legend := doc.byID("percentile-chart").find(func(e *htmlNode) bool { return e.attr("class") == "legend" && e.XMLName.Local == "text" })
	if len(legend) != 1 || strings.TrimSpace(legend[0].Text) != strings.Repeat("x", legendChars-1)+"…" || legend[0].named("title")[0].text() != long {
		t.Errorf("legend of a long name: %+v", legend)
	}
	r.Scenarios[0].Intervals = r.Scenarios[0].Intervals[:1]
	doc = parseHTML(t, r)
	if note := doc.byID("over-time-note").text(); !strings.Contains(note, "a point, not a curve") {
		t.Errorf("one interval: note %q does not say why there is no curve", note)
	}
	if title := doc.named("title")[0].text(); !strings.HasSuffix(title, ", 1 scenario") {
		t.Errorf("title %q", title)
	}
}

// TestHTMLThresholds: the thresholds judged on a run show above the
// charts, the gate's outcome first, then each one's PASS, FAIL or
// INCONCLUSIVE with the terminal's line (why included); a run without
// thresholds has no such section.
func TestHTMLThresholds(t *testing.T) {
	r := htmlReport(false)
	if doc := parseHTML(t, r); doc.byID("thresholds") != nil || doc.byID("threshold-summary") != nil {
		t.Fatal("a thresholds section without thresholds")
	}
	var ts []Threshold
	for _, s := range []string{"local-jwt:p50<1h", "local-jwt:rps>1000000", "idle:p99<2ms"} {
		th, err := ParseThreshold(s)
		if err != nil {
			t.Fatal(err)
		}
		ts = append(ts, th)
	}
	r.Thresholds = EvaluateThresholds(r, ts)
	doc := parseHTML(t, r)
	if sum := doc.byID("threshold-summary"); sum == nil || sum.text() != "2 of 3 thresholds not met" || sum.attr("class") != "gate fail" {
		t.Fatalf("summary: %+v", sum)
	}
	table := doc.byID("thresholds")
	if table == nil {
		t.Fatal("no #thresholds table")
	}
	rows := table.named("tbody")[0].named("tr")
	want := []struct{ class, status, detail, threshold string }{
		{"pass", "PASS", "local-jwt: p50 ", "local-jwt:p50<1h"},
		{"fail", "FAIL", "local-jwt: rps 123.6/s > 1000000/s (1500 samples)", "local-jwt:rps>1000000"},
		{"inconclusive", "INCONCLUSIVE", "idle: p99 < 2.00ms: no latency measured (counted as failed)", "idle:p99<2ms"},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d threshold rows, want %d", len(rows), len(want))
	}
	for i, w := range want {
		td := rows[i].named("td")
		if rows[i].attr("class") != w.class || len(td) != 3 || td[0].text() != w.status || !strings.HasPrefix(td[1].text(), w.detail) || td[2].text() != w.threshold {
			t.Errorf("row %d: class %q, cells %q %q %q; want %+v", i, rows[i].attr("class"), td[0].text(), td[1].text(), td[2].text(), w)
		}
	}
	// Above the charts: a gate's outcome is what a reader looks for first.
	var order []string
	for _, e := range doc.named("body")[0].Children {
		if id := e.attr("id"); id == "threshold-summary" || id == "percentiles" {
			order = append(order, id)
		}
	}
	if strings.Join(order, ",") != "threshold-summary,percentiles" {
		t.Errorf("order %q", order)
	}
}
