package bench

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func sampleReport(t *testing.T) *Report {
	t.Helper()
	t0 := time.Unix(1_800_000_000, 0)
	r := &Report{Version: ReportVersion, Sources: 1, Started: t0, Schedule: "10s@2000", Warmup: Duration(time.Second), Baseline: "local-jwt"}
	for i, spec := range []ScenarioSpec{
		{Name: "local-jwt", Mode: "local", Strategy: "jwt", Via: ViaInProc},
		{Name: "proxy<x>", Mode: "proxy", Strategy: "jwt", Cache: true, Via: ViaHTTP},
	} {
		ss := synthetic(2000, 2000, t0)
		for j := range ss {
			ss[j].latency *= time.Duration(i*3 + 1)
		}
		r.Scenarios = append(r.Scenarios, record(newRecorder(spec), ss, t0, window{length: time.Second, target: 2000}, nil))
	}
	return r
}

func TestWriteTable(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTable(&b, sampleReport(t)); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	lines := strings.Split(out, "\n")
	if !strings.Contains(lines[0], "p99 vs local-jwt") {
		t.Errorf("header: %q", lines[0])
	}
	if !strings.Contains(lines[1], "×1.00") {
		t.Errorf("baseline row lacks ×1.00: %q", lines[1])
	}
	if !regexp.MustCompile(`×[34]\.\d\d`).MatchString(lines[2]) {
		t.Errorf("proxy row (4x latencies) lacks its ratio: %q", lines[2])
	}
	for _, want := range []string{"proxy/jwt+cache", "reasons:", "session ", "coordinated omission corrected"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestWriteHTMLSelfContained(t *testing.T) {
	var b bytes.Buffer
	if err := WriteHTML(&b, sampleReport(t)); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	percentiles, _, _ := strings.Cut(out, `id="over-time-chart"`)
	if n := strings.Count(percentiles, "<polyline"); n != 4 {
		t.Errorf("%d percentile curves, want 4 (2 scenarios, corrected and uncorrected)", n)
	}
	if strings.Contains(out, "proxy<x>") || !strings.Contains(out, "proxy&lt;x&gt;") {
		t.Error("scenario name not escaped")
	}
	// Self-contained: no scripts, no fetched assets (the SVG namespace is
	// an identifier, not a fetch).
	for _, bad := range []string{"<script", "src=", "href=", "@import", "url("} {
		if strings.Contains(out, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
	// 2,000 requests a scenario: the percentile axis ends at 99.95%.
	for _, want := range []string{"<svg", ">99.95%<", ">1ms<", ">100µs<"} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
}

func TestWriteHgrmFiles(t *testing.T) {
	dir := t.TempDir()
	paths, err := WriteHgrmFiles(dir, sampleReport(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 4 {
		t.Fatalf("paths %v", paths)
	}
	b, err := os.ReadFile(filepath.Join(dir, "local-jwt.hgrm"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	// The format HdrHistogram's plotters parse: a header, rows of value
	// (ms), percentile, count, 1/(1-p), and the #[Mean ...] footer.
	if !strings.HasPrefix(s, " Value\tPercentile\tTotalCount\t1/(1-Percentile)") || !strings.Contains(s, "#[Max     =") ||
		!regexp.MustCompile(`(?m)^\s+\d+\.\d{3}\s+1\.000000\s+2000\s+inf$`).MatchString(s) {
		t.Errorf("hgrm:\n%s", s)
	}
}

func TestBuckets(t *testing.T) {
	r := sampleReport(t)
	bs := ScenarioSnapshot{Report: r.Scenarios[0]}.Buckets(40)
	if len(bs) != 40 {
		t.Fatalf("%d buckets", len(bs))
	}
	var total int64
	for i, b := range bs {
		total += b.Count
		if i > 0 && b.From < bs[i-1].From {
			t.Fatal("buckets not increasing")
		}
	}
	if total != r.Scenarios[0].Requests {
		t.Errorf("buckets hold %d, want %d", total, r.Scenarios[0].Requests)
	}
	if (ScenarioSnapshot{}).Buckets(10) != nil {
		t.Error("empty snapshot has buckets")
	}
}

func TestFormatNs(t *testing.T) {
	for ns, want := range map[int64]string{850: "850ns", 14_300: "14.3µs", 1_100_000: "1.10ms", 2_500_000_000: "2.50s", 0: "-"} {
		if got := FormatNs(ns); got != want {
			t.Errorf("FormatNs(%d) = %q, want %q", ns, got, want)
		}
	}
}

func TestReadResultsFromRun(t *testing.T) {
	var results bytes.Buffer
	spec, tg := inproc("r", &scripted{script: []time.Duration{time.Millisecond}})
	rep, err := Execute(t.Context(), Config{Rate: 200, Duration: Duration(time.Minute), MaxRequests: 100, Scenarios: []ScenarioSpec{spec}}, tg, WithResults(&results)) // the cap ends it
	if err != nil {
		t.Fatal(err)
	}
	half := results.Len()
	got, err := ReadResults(bytes.NewReader(results.Bytes()), bytes.NewReader(results.Bytes()[:half]))
	if err != nil {
		t.Fatal(err)
	}
	s := got.Scenarios[0]
	if s.Name != "r" || s.Requests != 200 || s.Succeeded != 200 || s.Reasons["http_200"] != 200 {
		t.Errorf("merged results: %+v", s)
	}
	// The same latencies vegeta recorded: the run's uncorrected figures.
	_, u := rep.Scenarios[0].Histograms()
	if s.LatencyUncorrectedNs.P50 != u.ValueAtPercentile(50) || s.LatencyUncorrectedNs.Max != u.Max() {
		t.Errorf("p50 %d max %d, run had %d %d", s.LatencyUncorrectedNs.P50, s.LatencyUncorrectedNs.Max, u.ValueAtPercentile(50), u.Max())
	}
	if _, err := ReadResults(strings.NewReader("not results")); err == nil {
		t.Error("garbage read as results")
	}
}

// TestTableUnknownAndNoSession: what the source lacks shows as "-", not a
// zero; a scenario whose successes never resolved a session is warned of.
func TestTableUnknownAndNoSession(t *testing.T) {
	r := &Report{Baseline: "a", Scenarios: []ScenarioReport{
		{Name: "a", Requests: 10, Unknown: []string{UnknownTarget, UnknownRates, UnknownSuccess, UnknownCache, UnknownUpstream, UnknownSessions}},
		{Name: "b", Requests: 10, Succeeded: 10, SuccessRatio: 1, Reasons: map[string]int64{"no_session": 10}},
		{Name: "c", Requests: 10, Succeeded: 10, SuccessRatio: 1, Reasons: map[string]int64{"session": 9, "no_session": 1}},
	}}
	var b strings.Builder
	if err := WriteTable(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !regexp.MustCompile(`(?m)^\s*a\s+10(\s+-){6}\s`).MatchString(out) {
		t.Errorf("unknown figures not shown as -:\n%s", out)
	}
	if !strings.Contains(out, "WARNING b: no request resolved a session (no_session 100%): check the secret / cookie name matches the upstream") {
		t.Errorf("no warning for b:\n%s", out)
	}
	if strings.Contains(out, "WARNING c:") || strings.Contains(out, "WARNING a:") {
		t.Errorf("spurious warning:\n%s", out)
	}
}
