package bench

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestParseThreshold(t *testing.T) {
	for _, tc := range []struct {
		in       string
		scenario string
		kind     MetricKind
		q        float64
		op       Op
		bound    float64
	}{
		{"local-jwt:p99<2ms", "local-jwt", MetricPercentile, 99, OpLess, 2e6},
		{" proxy-jwt : p99.9 <= 500us ", "proxy-jwt", MetricPercentile, 99.9, OpLessEq, 500e3},
		{"*:p(95)<1.5ms", "*", MetricPercentile, 95, OpLess, 1.5e6},
		{"a:med<1ms", "a", MetricPercentile, 50, OpLess, 1e6},
		{"a:max<1s", "a", MetricMax, 0, OpLess, 1e9},
		{"a:avg<=3µs", "a", MetricMean, 0, OpLessEq, 3e3},
		{"proxy-jwt:success>99.9%", "proxy-jwt", MetricSuccess, 0, OpGreater, 0.999},
		{"a:errors<0.1%", "a", MetricErrors, 0, OpLess, 0.001},
		{"a:error_rate<=0.01", "a", MetricErrors, 0, OpLessEq, 0.01},
		{"a:rps>=450", "a", MetricRate, 0, OpGreaterEq, 450},
		{"a:req/s>=30000/m", "a", MetricRate, 0, OpGreaterEq, 500},
		{"ns:with:colon:p50<1ms", "ns:with:colon", MetricPercentile, 50, OpLess, 1e6},
	} {
		got, err := ParseThreshold(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if got.Scenario != tc.scenario || got.Kind != tc.kind || got.Quantile != tc.q || got.Op != tc.op || math.Abs(got.Bound-tc.bound) > 1e-9 {
			t.Errorf("%q: got %+v", tc.in, got)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"p99<2ms", "want SCENARIO:METRIC OP VALUE"},
		{":p99<2ms", "no scenario"},
		{"a:p99 2ms", "no comparison"},
		{"a:p99==2ms", `comparison "=="`},
		{"a:p99!=2ms", `comparison "!="`},
		{"a:p100<2ms", `unknown metric "p100"`},
		{"a:latency<2ms", `unknown metric "latency"`},
		{"a:p99<2", "has no unit"},
		{"a:p99<-1ms", "positive duration"},
		{"a:p99<", "no value"},
		{"a:success>101%", "outside 0..100%"},
		{"a:rps>fast", "rate"},
	} {
		_, err := ParseThreshold(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: error %v, want one line with %q", tc.in, err, tc.want)
		}
	}
}

// TestThresholdTextRoundTrip: a config carries thresholds as strings in
// JSON (and YAML), as written.
func TestThresholdTextRoundTrip(t *testing.T) {
	var cfg Config
	if err := json.Unmarshal([]byte(`{"scenarios":[{"name":"a"}],"thresholds":["a:p99<2ms","*:success>99%"]}`), &cfg); err != nil {
		t.Fatal(err)
	}
	if len(cfg.Thresholds) != 2 || cfg.Thresholds[1].Kind != MetricSuccess {
		t.Fatalf("%+v", cfg.Thresholds)
	}
	b, _ := json.Marshal(cfg.Thresholds)
	if string(b) != `["a:p99\u003c2ms","*:success\u003e99%"]` {
		t.Errorf("marshal: %s", b)
	}
	if err := json.Unmarshal([]byte(`{"thresholds":["a:p99<<2ms"]}`), &cfg); err == nil {
		t.Error("bad threshold decoded")
	}
}

func TestCheckThresholds(t *testing.T) {
	ts := []Threshold{mustThreshold(t, "a:p99<1ms"), mustThreshold(t, "*:max<1s"), mustThreshold(t, "c:p50<1ms")}
	err := CheckThresholds(ts, []string{"a", "b"})
	if err == nil || !strings.Contains(err.Error(), `threshold "c:p50<1ms": no such scenario "c" (the run has a, b)`) {
		t.Fatalf("%v", err)
	}
	cfg := Config{Rate: 10, Duration: Duration(time.Second), Scenarios: []ScenarioSpec{{Name: "a"}}, Thresholds: ts[:2]}.WithDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	cfg.Thresholds = ts
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "no such scenario") {
		t.Fatalf("Validate: %v", err)
	}
}

func mustThreshold(t *testing.T, s string) Threshold {
	t.Helper()
	th, err := ParseThreshold(s)
	if err != nil {
		t.Fatal(err)
	}
	return th
}

// scenarioOf builds a scenario whose corrected histogram holds n latencies
// drawn from a log-normal around median (seeded: the same every run),
// with ok of them successes.
func scenarioOf(name string, n int, median time.Duration, ok int, seed uint64) ScenarioReport {
	rng := rand.New(rand.NewPCG(seed, 1))
	h := newHistogram()
	for range n {
		recordClamped(h, time.Duration(float64(median)*math.Exp(0.3*rng.NormFloat64())))
	}
	s := ScenarioReport{Name: name, Mode: "local", Strategy: "jwt", Via: ViaInProc, Requests: int64(n), Succeeded: int64(ok),
		Errors: int64(n - ok), WindowSeconds: 10, RateTarget: float64(n) / 10, RateAttempted: float64(n) / 10,
		RateAchieved: float64(ok) / 10, Sources: 1, Reasons: map[string]int64{}}
	s.corrected, s.uncorrected = h, h.Clone()
	s.finish()
	return s
}

func TestMinSamplesFor(t *testing.T) {
	for q, want := range map[float64]int64{50: 6, 99: 368, 99.9: 3688} {
		if got := MinSamplesFor(q); got != want {
			t.Errorf("p%v: %d, want %d", q, got, want)
		}
		h := newHistogram()
		for i := range want {
			recordClamped(h, time.Duration(i+1)*time.Microsecond)
		}
		if !quantileCI(h, q).Bounded {
			t.Errorf("p%v: %d samples unbounded", q, want)
		}
		h.Reset()
		for i := range want - 1 {
			recordClamped(h, time.Duration(i+1)*time.Microsecond)
		}
		if quantileCI(h, q).Bounded {
			t.Errorf("p%v: %d samples bounded", q, want-1)
		}
	}
}

func TestEvaluateThresholds(t *testing.T) {
	r := &Report{Scenarios: []ScenarioReport{
		scenarioOf("fast", 5000, time.Millisecond, 5000, 1),
		scenarioOf("slow", 5000, 4*time.Millisecond, 4900, 2),
		scenarioOf("few", 400, time.Millisecond, 400, 3),
	}}
	empty := ScenarioReport{Name: "empty", Sources: 1, Reasons: map[string]int64{}}
	r.Scenarios = append(r.Scenarios, empty)
	hlog := scenarioOf("hlog", 1000, time.Millisecond, 0, 4)
	hlog.Unknown = []string{UnknownSuccess, UnknownRates}
	r.Scenarios = append(r.Scenarios, hlog)
	lagged := scenarioOf("lagged", 1000, 10*time.Millisecond, 1000, 5)
	lagged.DispatchLagNs.P99 = int64(50 * time.Millisecond)
	lagged.LatencyUncorrectedNs.P50 = int64(time.Millisecond)
	r.Scenarios = append(r.Scenarios, lagged)
	for _, tc := range []struct {
		th   string
		want []ThresholdStatus
		line string
	}{
		{"fast:p99<5ms", []ThresholdStatus{ThresholdPass}, "PASS fast: p99 "},
		{"slow:p99<5ms", []ThresholdStatus{ThresholdFail}, "FAIL slow: p99 "},
		{"few:p99.9<1s", []ThresholdStatus{ThresholdInconclusive}, "too few samples to judge p99.9: 400, it needs at least 3688 (counted as failed)"},
		{"few:p99<1s", []ThresholdStatus{ThresholdPass}, "(400 samples)"},
		{"slow:success>99.9%", []ThresholdStatus{ThresholdFail}, "FAIL slow: success 98% > 99.9% (5000 samples)"},
		{"slow:errors<=2%", []ThresholdStatus{ThresholdPass}, "PASS slow: errors 2% <= 2%"},
		{"fast:rps>=500", []ThresholdStatus{ThresholdPass}, "rps 500/s >= 500/s"},
		{"slow:max<1s", []ThresholdStatus{ThresholdPass}, "PASS slow: max "},
		{"fast:mean<100us", []ThresholdStatus{ThresholdFail}, "FAIL fast: mean "},
		{"empty:p50<1ms", []ThresholdStatus{ThresholdInconclusive}, "no latency measured"},
		{"empty:success>1%", []ThresholdStatus{ThresholdInconclusive}, "no request measured"},
		{"hlog:success>1%", []ThresholdStatus{ThresholdInconclusive}, "did not record successes"},
		{"hlog:rps>1", []ThresholdStatus{ThresholdInconclusive}, "did not record rates"},
		{"gone:p50<1ms", []ThresholdStatus{ThresholdInconclusive}, "no such scenario"},
		{"lagged:p50<1ms", []ThresholdStatus{ThresholdInconclusive}, "the generator sent requests late (dispatch lag p99 50.0ms)"},
		{"lagged:p50<1s", []ThresholdStatus{ThresholdPass}, "PASS lagged: p50"},
		{"lagged:success>99%", []ThresholdStatus{ThresholdPass}, "PASS lagged: success"},
		{"*:p50<2ms", []ThresholdStatus{ThresholdPass, ThresholdFail, ThresholdPass, ThresholdInconclusive, ThresholdPass, ThresholdInconclusive}, ""},
	} {
		res := EvaluateThresholds(r, []Threshold{mustThreshold(t, tc.th)})
		if len(res) != len(tc.want) {
			t.Errorf("%s: %d results", tc.th, len(res))
			continue
		}
		for i, w := range tc.want {
			if res[i].Status != w {
				t.Errorf("%s: %s %s, want %s (%s)", tc.th, res[i].Scenario, res[i].Status, w, res[i].Line())
			}
		}
		if !strings.Contains(res[0].Line(), tc.line) {
			t.Errorf("%s: line %q, want %q", tc.th, res[0].Line(), tc.line)
		}
	}
}

// TestThresholdsOnMergedHistograms: a percentile threshold is judged on
// the merged histogram, not on either generator's: two generators each
// under the bound at p99 can be over it merged, and the other way round.
func TestThresholdsOnMergedHistograms(t *testing.T) {
	a := &Report{Version: ReportVersion, Started: time.Unix(1, 0), Scenarios: []ScenarioReport{scenarioOf("s", 2000, time.Millisecond, 2000, 1)}}
	b := &Report{Version: ReportVersion, Started: time.Unix(2, 0), Scenarios: []ScenarioReport{scenarioOf("s", 2000, 3*time.Millisecond, 2000, 2)}}
	m, err := Merge(a, b)
	if err != nil {
		t.Fatal(err)
	}
	p50 := float64(m.Scenarios[0].LatencyNs.P50)
	th := mustThreshold(t, "s:p50<"+time.Duration(p50*1.02).String())
	res := EvaluateThresholds(m, []Threshold{th})
	if res[0].Status != ThresholdPass || res[0].Samples != 4000 || res[0].Observed != p50 {
		t.Errorf("merged: %+v", res[0])
	}
	if got := EvaluateThresholds(a, []Threshold{th}); got[0].Status != ThresholdPass {
		t.Errorf("fast part: %s", got[0].Line())
	}
	if got := EvaluateThresholds(b, []Threshold{th}); got[0].Status != ThresholdFail {
		t.Errorf("slow part: %s", got[0].Line())
	}
}

func TestWriteThresholds(t *testing.T) {
	r := &Report{Scenarios: []ScenarioReport{scenarioOf("a", 1000, time.Millisecond, 1000, 1)}}
	res := EvaluateThresholds(r, []Threshold{mustThreshold(t, "a:p50<1s"), mustThreshold(t, "a:success>=100%"), mustThreshold(t, "a:max<1us")})
	var b strings.Builder
	if err := WriteThresholds(&b, res); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "\nthresholds:\n  PASS a: p50 ") || !strings.HasSuffix(b.String(), "1 of 3 thresholds not met\n") {
		t.Errorf("%s", b.String())
	}
	if FailedThresholds(res) != 1 {
		t.Errorf("failed %d", FailedThresholds(res))
	}
}
