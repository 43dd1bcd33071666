package server

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/authscope/authscope/resolver"
)

// TestMetricsExposition: /metrics parses as Prometheus text format (with
// the real parser) and carries what was observed.
func TestMetricsExposition(t *testing.T) {
	c := resolver.NewCached(staticOK{}, resolver.CacheConfig{})
	defer c.Close()
	reg := prometheus.NewRegistry()
	m, err := newMetrics(reg, "proxy", c, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.Resolve(context.Background(), resolver.FromCookieHeader("authjs.session-token=x"))
	c.Resolve(context.Background(), resolver.FromCookieHeader("authjs.session-token=x"))
	r := httptest.NewRequest("GET", "/api/auth/session", nil)
	m.observe(r, resolver.Result{Session: &resolver.Session{}, Reason: resolver.ReasonOK, Source: "upstream"}, 3*time.Millisecond)
	m.observe(r, resolver.Result{Session: &resolver.Session{}, Reason: resolver.ReasonOK, Source: "cache"}, 30*time.Microsecond)
	m.observe(r, resolver.Result{Reason: resolver.ReasonUpstreamTimeout, Source: "upstream", Err: errors.New("x")}, 3*time.Second)

	w := httptest.NewRecorder()
	metricsHandler(reg).ServeHTTP(w, r)
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("content type %q", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(w.Body.String()))
	if err != nil {
		t.Fatalf("not Prometheus text format: %v\n%s", err, w.Body.String())
	}
	res := fams["authscope_resolutions_total"]
	if res == nil || len(res.Metric) != 3 {
		t.Fatalf("resolutions: %v", res)
	}
	h := fams["authscope_resolution_duration_seconds"].Metric[0].Histogram
	if h.GetSampleCount() != 3 || h.GetSampleSum() < 3.003 || h.GetSampleSum() > 3.004 {
		t.Errorf("histogram count %d sum %v", h.GetSampleCount(), h.GetSampleSum())
	}
	// Cumulative buckets: 30 µs falls under le=0.00005, 3 ms under 0.005, 3 s only under 5.
	for _, b := range h.Bucket {
		want := map[float64]uint64{0.000025: 0, 0.00005: 1, 0.0025: 1, 0.005: 2, 2.5: 2, 5: 3}[b.GetUpperBound()]
		if _, listed := map[float64]bool{0.000025: true, 0.00005: true, 0.0025: true, 0.005: true, 2.5: true, 5: true}[b.GetUpperBound()]; listed && b.GetCumulativeCount() != want {
			t.Errorf("bucket le=%v: %d, want %d", b.GetUpperBound(), b.GetCumulativeCount(), want)
		}
	}
	if v := fams["authscope_upstream_errors_total"].Metric[0].Counter.GetValue(); v != 1 {
		t.Errorf("upstream errors %v", v)
	}
	if v := fams["authscope_cache_hits_total"].Metric[0].Counter.GetValue(); v != 1 {
		t.Errorf("cache hits %v", v)
	}
}

// staticOK answers every request with the same session: a fixed expiry,
// so two answers compare byte for byte (time.Now could cross a
// millisecond between them).
type staticOK struct{}

func (staticOK) Resolve(context.Context, resolver.Input) (resolver.Result, error) {
	return resolver.Result{Session: &resolver.Session{Expires: time.Unix(2_000_000_000, 0)}, Reason: resolver.ReasonOK, Source: "upstream"}, nil
}

// TestServerMetricsRegistry: a server's /metrics carries the standard
// go_* and process_* families beside its own, and a registry passed in
// receives the server's families next to the caller's.
func TestServerMetricsRegistry(t *testing.T) {
	cfg := resolver.Config{Mode: resolver.ModeLocal, Strategy: resolver.StrategyJWT, Secrets: []string{"s"}}.WithDefaults()
	srv, err := New(Config{Resolver: cfg}, staticOK{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/api/auth/session", nil))
	fams := scrape(t, srv)
	for _, name := range []string{"go_goroutines", "process_start_time_seconds", "authscope_resolutions_total", "authscope_uptime_seconds"} {
		if _, ok := fams[name]; !ok && (name != "process_start_time_seconds" || runtime.GOOS == "linux") {
			t.Errorf("no %s family", name)
		}
	}

	reg := prometheus.NewRegistry()
	mine := prometheus.NewCounter(prometheus.CounterOpts{Name: "caller_total", Help: "The caller's own."})
	reg.MustRegister(mine)
	mine.Inc()
	srv, err = New(Config{Resolver: cfg}, staticOK{}, Options{Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	fams = scrape(t, srv)
	if fams["caller_total"] == nil || fams["authscope_uptime_seconds"] == nil {
		t.Fatalf("the passed registry lacks a family: %v", fams)
	}
	if fams["go_goroutines"] != nil {
		t.Error("a caller's registry got the runtime collectors it did not register")
	}
	if _, err := New(Config{Resolver: cfg}, staticOK{}, Options{Registry: reg}); err == nil {
		t.Error("a second server registered the same families on one registry")
	}
}

func scrape(t *testing.T, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(w.Body.String()))
	if err != nil {
		t.Fatalf("not Prometheus text format: %v\n%s", err, w.Body.String())
	}
	return fams
}
