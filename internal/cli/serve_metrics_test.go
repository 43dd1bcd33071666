package cli

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"

	"github.com/authscope/authscope/resolver"
)

// TestMetricsExposition: /metrics parses as Prometheus text format (with
// the real parser) and carries what was observed.
func TestMetricsExposition(t *testing.T) {
	m := newServeMetrics("proxy")
	c := resolver.NewCached(staticOK{}, resolver.CacheConfig{})
	defer c.Close()
	m.cache = c
	c.Resolve(context.Background(), resolver.FromCookieHeader("authjs.session-token=x"))
	c.Resolve(context.Background(), resolver.FromCookieHeader("authjs.session-token=x"))
	r := httptest.NewRequest("GET", "/api/auth/session", nil)
	m.observe(r, resolver.Result{Session: &resolver.Session{}, Reason: resolver.ReasonOK, Source: "upstream"}, 3*time.Millisecond)
	m.observe(r, resolver.Result{Session: &resolver.Session{}, Reason: resolver.ReasonOK, Source: "cache"}, 30*time.Microsecond)
	m.observe(r, resolver.Result{Reason: resolver.ReasonUpstreamTimeout, Source: "upstream", Err: errors.New("x")}, 3*time.Second)

	w := httptest.NewRecorder()
	m.ServeHTTP(w, r)
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("content type %q", ct)
	}
	var p expfmt.TextParser
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

type staticOK struct{}

func (staticOK) Resolve(context.Context, resolver.Input) (resolver.Result, error) {
	return resolver.Result{Session: &resolver.Session{Expires: time.Now().Add(time.Hour)}, Reason: resolver.ReasonOK, Source: "upstream"}, nil
}
