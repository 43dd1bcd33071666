package server

import (
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/bus"
)

// metrics are the authscope_* families a server exposes on /metrics, built
// on the Prometheus client library so that the exposition (text or
// protobuf, by content negotiation) and the standard go_* and process_*
// families come from it. Names and labels are the ones serve has always
// exposed: dashboards keep working.
//
// The counters and the histogram are updated on every request; the cache
// and bus figures are read from their own stats when scraped, so they cost
// nothing per request.
type metrics struct {
	resolutions *prometheus.CounterVec // source, reason; mode is a constant label
	upstreamErr *prometheus.CounterVec // reason
	latency     prometheus.Histogram
	// curried holds the resolution counters already looked up, by label
	// values: see counterMemo.
	curried counterMemo
}

// latencyBuckets run from 25 µs (a cache hit) to 5 s (a proxy timeout).
var latencyBuckets = []float64{25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3, 250e-3, 500e-3, 1, 2.5, 5}

// newMetrics registers the families of a server labelled mode on reg,
// with collectors for the cache and the bus listeners when there are any.
func newMetrics(reg prometheus.Registerer, mode string, cache *resolver.Cache, listeners map[string]*bus.Listener) (*metrics, error) {
	modeLabel := prometheus.Labels{"mode": mode}
	m := &metrics{
		resolutions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authscope_resolutions_total", Help: "Session resolutions by mode, source and reason.", ConstLabels: modeLabel,
		}, []string{"source", "reason"}),
		upstreamErr: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authscope_upstream_errors_total", Help: "Proxy-mode upstream failures by reason.",
		}, []string{"reason"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "authscope_resolution_duration_seconds", Help: "Time to resolve one session (inside the handler).",
			ConstLabels: modeLabel, Buckets: latencyBuckets,
		}),
	}
	started := time.Now()
	cs := []prometheus.Collector{m.resolutions, m.upstreamErr, m.latency,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "authscope_uptime_seconds", Help: "Seconds since the server started."},
			func() float64 { return time.Since(started).Seconds() })}
	if cache != nil {
		cs = append(cs, cacheCollector{cache})
	}
	if len(listeners) > 0 {
		cs = append(cs, busCollector(listeners))
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// observe is the Handler's observer.
func (m *metrics) observe(_ *http.Request, res resolver.Result, d time.Duration) {
	reason := res.Reason
	if reason == "" {
		reason = "error"
	}
	m.curried.get(m.resolutions, res.Source, string(reason)).Inc()
	m.latency.Observe(max(d, 0).Seconds())
	switch reason {
	case resolver.ReasonUpstreamStatus, resolver.ReasonUpstreamBody, resolver.ReasonUpstreamTimeout, resolver.ReasonUpstreamError:
		m.upstreamErr.WithLabelValues(string(reason)).Inc()
	}
}

// NewRegistry is a registry with the standard Go runtime (go_*) and
// process (process_*) collectors: what a server uses when Options.Registry
// is nil.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// metricsHandler serves g's families; errors in one collector are logged
// by the caller's scrape, not fatal to the others.
func metricsHandler(g prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// cacheCollector reads the cache's counters once per scrape.
type cacheCollector struct{ c *resolver.Cache }

var cacheDescs = func() map[string]*prometheus.Desc {
	help := map[string]string{
		"hits":          "Cache hits.",
		"misses":        "Cache misses.",
		"coalesced":     "Misses that waited for another caller's resolution (singleflight).",
		"evictions":     "Entries removed for size or expiry.",
		"invalidations": "Invalidation requests applied.",
		"invalidated":   "Entries removed by invalidations.",
		"shared_hits":   "Misses answered by the shared tier.",
	}
	d := map[string]*prometheus.Desc{"entries": prometheus.NewDesc("authscope_cache_entries", "Entries in the cache.", nil, nil)}
	for name, h := range help {
		d[name] = prometheus.NewDesc("authscope_cache_"+name+"_total", h, nil, nil)
	}
	return d
}()

func (cc cacheCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range cacheDescs {
		ch <- d
	}
}

func (cc cacheCollector) Collect(ch chan<- prometheus.Metric) {
	s := cc.c.Stats()
	for name, v := range map[string]uint64{
		"hits": s.Hits, "misses": s.Misses, "coalesced": s.Coalesced, "evictions": s.Evictions,
		"invalidations": s.Invalidations, "invalidated": s.Invalidated, "shared_hits": s.SharedHits,
	} {
		ch <- prometheus.MustNewConstMetric(cacheDescs[name], prometheus.CounterValue, float64(v))
	}
	ch <- prometheus.MustNewConstMetric(cacheDescs["entries"], prometheus.GaugeValue, float64(s.Entries))
}

// busCollector reads each bus listener's counters once per scrape.
type busCollector map[string]*bus.Listener

var busDesc = prometheus.NewDesc("authscope_bus_events_total", "Invalidation events received by bus and outcome.", []string{"bus", "outcome"}, nil)

func (bc busCollector) Describe(ch chan<- *prometheus.Desc) { ch <- busDesc }

func (bc busCollector) Collect(ch chan<- prometheus.Metric) {
	names := make([]string, 0, len(bc))
	for n := range bc {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		s := bc[n].Stats()
		for _, o := range []struct {
			outcome string
			v       uint64
		}{{"applied", s.Received}, {"own", s.Skipped}, {"malformed", s.Malformed}} {
			ch <- prometheus.MustNewConstMetric(busDesc, prometheus.CounterValue, float64(o.v), n, o.outcome)
		}
	}
}

// counterMemo keeps the counters of a CounterVec per label pair once
// looked up. WithLabelValues hashes the values and takes the vector's lock
// on every call; a server sees a handful of (source, reason) pairs, so the
// hot path reads an immutable slice and compares two short strings instead
// (the pre-curried counters the client library's docs recommend, found
// lazily because the pairs are not known in advance). The slice is
// replaced, never modified, under mu; past maxCurried pairs (labels from a
// misbehaving resolver) calls go straight to the vector.
type counterMemo struct {
	entries atomic.Pointer[[]curriedCounter]
	mu      sync.Mutex
}

type curriedCounter struct {
	a, b string
	c    prometheus.Counter
}

const maxCurried = 64

func (m *counterMemo) get(v *prometheus.CounterVec, a, b string) prometheus.Counter {
	if p := m.entries.Load(); p != nil {
		for i := range *p {
			if e := &(*p)[i]; e.a == a && e.b == b {
				return e.c
			}
		}
	}
	c := v.WithLabelValues(a, b)
	m.mu.Lock()
	defer m.mu.Unlock()
	var cur []curriedCounter
	if p := m.entries.Load(); p != nil {
		cur = *p
	}
	if len(cur) < maxCurried {
		next := append(slices.Clip(cur), curriedCounter{a: a, b: b, c: c})
		m.entries.Store(&next)
	}
	return c
}
