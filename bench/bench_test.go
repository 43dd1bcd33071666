package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// BenchmarkRecord is the recorder's hot path: classify a Result, compute
// the corrected latency, record both histograms.
func BenchmarkRecord(b *testing.B) {
	t0 := time.Now()
	rec := newRecorder(ScenarioSpec{Name: "x"})
	rec.windowStart = t0
	res := &vegeta.Result{Code: 200, Timestamp: t0, Latency: 37 * time.Microsecond,
		Headers: http.Header{HeaderReason: {"session"}, HeaderCache: {"hit"}}}
	b.ReportAllocs()
	for b.Loop() {
		rec.add(fromResult(res, t0), false)
	}
}

// BenchmarkPick is the per-request cookie choice (Zipf).
func BenchmarkPick(b *testing.B) {
	p := newPicker(PopulationConfig{Sessions: 10000, Popularity: Zipf, ZipfS: 1.1, Expired: 0.05}, testPopulation(10000), 1)
	b.ReportAllocs()
	for b.Loop() {
		_ = p.cookie()
	}
}

// BenchmarkPacerAt is the intended-time lookup per result.
func BenchmarkPacerAt(b *testing.B) {
	s, _ := ParseSchedule("10s@1000,10s@1000->5000,10s@5000")
	p := newPacer(s, 0)
	b.ReportAllocs()
	var n uint64
	for b.Loop() {
		_, _ = p.at(n % 80000)
		n++
	}
}

// BenchmarkInprocGenerator measures the whole generator in-process against
// a no-op target: vegeta's attacker, the inproc transport and the
// recorder. It reports the rate sustained when asked for far more.
func BenchmarkInprocGenerator(b *testing.B) {
	tgt := TargetFunc(func(context.Context, string) (Outcome, error) { return Outcome{Reason: "session"}, nil })
	for b.Loop() {
		rep, err := Execute(b.Context(), Config{Rate: 1e6, Duration: Duration(time.Second), MaxWorkers: 64,
			Scenarios: []ScenarioSpec{{Name: "noop", Via: ViaInProc}}}, Targets{InProc: map[string]Target{"noop": tgt}})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(rep.Scenarios[0].RateAchieved, "req/s")
	}
}

// BenchmarkHTTPGenerator is BenchmarkInprocGenerator over loopback HTTP
// against a server that answers at once.
func BenchmarkHTTPGenerator(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"user":{},"expires":"2030-01-01T00:00:00.000Z"}`))
	}))
	defer srv.Close()
	for b.Loop() {
		rep, err := Execute(b.Context(), Config{Rate: 1e6, Duration: Duration(time.Second), MaxWorkers: 32,
			Scenarios: []ScenarioSpec{{Name: "loop", Via: ViaHTTP, URL: srv.URL}}}, Targets{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(rep.Scenarios[0].RateAttempted, "sent/s")
	}
}
