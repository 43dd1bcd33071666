package cli

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/bus"
)

// serveMetrics is a tiny Prometheus text-format registry for `serve` and
// `upstream`: counters by label set and one latency histogram per mode. It
// is hand-written because four metric families do not justify
// client_golang's registry; the exposition follows the text format 0.0.4
// (HELP/TYPE lines, cumulative le buckets, _sum and _count).
//
// Safe for concurrent use; observe is lock-free once a label set has been
// seen (sync.Map lookups and atomic adds).
type serveMetrics struct {
	mode string

	resolutions sync.Map // resolutionKey → *atomic.Uint64
	upstreamErr sync.Map // resolver.Reason → *atomic.Uint64

	hist *latencyHist

	cache     *resolver.Cache
	listeners map[string]*bus.Listener
	started   time.Time
}

type resolutionKey struct {
	source string
	reason resolver.Reason
}

func newServeMetrics(mode string) *serveMetrics {
	return &serveMetrics{
		mode:      mode,
		hist:      newLatencyHist(),
		listeners: map[string]*bus.Listener{},
		started:   time.Now(),
	}
}

// counterIn returns the counter for k in m, creating it on first use.
func counterIn(m *sync.Map, k any) *atomic.Uint64 {
	if c, ok := m.Load(k); ok {
		return c.(*atomic.Uint64)
	}
	c, _ := m.LoadOrStore(k, new(atomic.Uint64))
	return c.(*atomic.Uint64)
}

// observe is the Handler's observer.
func (m *serveMetrics) observe(_ *http.Request, res resolver.Result, d time.Duration) {
	reason := res.Reason
	if reason == "" {
		reason = "error"
	}
	counterIn(&m.resolutions, resolutionKey{res.Source, reason}).Add(1)
	m.hist.observe(d)
	switch reason {
	case resolver.ReasonUpstreamStatus, resolver.ReasonUpstreamBody, resolver.ReasonUpstreamTimeout, resolver.ReasonUpstreamError:
		counterIn(&m.upstreamErr, reason).Add(1)
	}
}

// latencyHist is a fixed-bucket histogram in seconds. Buckets run from
// 25 µs (a cache hit) to 5 s (a proxy timeout).
type latencyHist struct {
	bounds []float64
	counts []atomic.Uint64 // len(bounds)+1, last is +Inf
	sumNs  atomic.Uint64
	n      atomic.Uint64
}

func newLatencyHist() *latencyHist {
	b := []float64{25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3, 250e-3, 500e-3, 1, 2.5, 5}
	return &latencyHist{bounds: b, counts: make([]atomic.Uint64, len(b)+1)}
}

func (h *latencyHist) observe(d time.Duration) {
	s := d.Seconds()
	i, _ := slices.BinarySearch(h.bounds, s)
	h.counts[i].Add(1)
	h.sumNs.Add(uint64(max(d, 0)))
	h.n.Add(1)
}

// ServeHTTP writes the exposition.
func (m *serveMetrics) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	m.write(w)
}

func (m *serveMetrics) write(w io.Writer) {
	mode := `mode="` + m.mode + `"`
	fmt.Fprintf(w, "# HELP authscope_resolutions_total Session resolutions by mode, source and reason.\n# TYPE authscope_resolutions_total counter\n")
	var keys []resolutionKey
	m.resolutions.Range(func(k, _ any) bool { keys = append(keys, k.(resolutionKey)); return true })
	var errKeys []resolver.Reason
	m.upstreamErr.Range(func(k, _ any) bool { errKeys = append(errKeys, k.(resolver.Reason)); return true })
	slices.SortFunc(keys, func(a, b resolutionKey) int {
		return strings.Compare(a.source+"\x00"+string(a.reason), b.source+"\x00"+string(b.reason))
	})
	for _, k := range keys {
		fmt.Fprintf(w, "authscope_resolutions_total{%s,source=%q,reason=%q} %d\n", mode, k.source, k.reason, counterIn(&m.resolutions, k).Load())
	}

	fmt.Fprintf(w, "# HELP authscope_resolution_duration_seconds Time to resolve one session (inside the handler).\n# TYPE authscope_resolution_duration_seconds histogram\n")
	var cum uint64
	for i, b := range m.hist.bounds {
		cum += m.hist.counts[i].Load()
		fmt.Fprintf(w, "authscope_resolution_duration_seconds_bucket{%s,le=%q} %d\n", mode, formatFloat(b), cum)
	}
	cum += m.hist.counts[len(m.hist.bounds)].Load()
	fmt.Fprintf(w, "authscope_resolution_duration_seconds_bucket{%s,le=\"+Inf\"} %d\n", mode, cum)
	fmt.Fprintf(w, "authscope_resolution_duration_seconds_sum{%s} %s\n", mode, formatFloat(float64(m.hist.sumNs.Load())/1e9))
	fmt.Fprintf(w, "authscope_resolution_duration_seconds_count{%s} %d\n", mode, m.hist.n.Load())

	fmt.Fprintf(w, "# HELP authscope_upstream_errors_total Proxy-mode upstream failures by reason.\n# TYPE authscope_upstream_errors_total counter\n")
	slices.Sort(errKeys)
	for _, k := range errKeys {
		fmt.Fprintf(w, "authscope_upstream_errors_total{reason=%q} %d\n", k, counterIn(&m.upstreamErr, k).Load())
	}

	if m.cache != nil {
		s := m.cache.Stats()
		for _, c := range []struct {
			name, help string
			v          uint64
		}{
			{"hits", "Cache hits.", s.Hits},
			{"misses", "Cache misses.", s.Misses},
			{"coalesced", "Misses that waited for another caller's resolution (singleflight).", s.Coalesced},
			{"evictions", "Entries removed for size or expiry.", s.Evictions},
			{"invalidations", "Invalidation requests applied.", s.Invalidations},
			{"invalidated", "Entries removed by invalidations.", s.Invalidated},
			{"shared_hits", "Misses answered by the shared tier.", s.SharedHits},
		} {
			fmt.Fprintf(w, "# HELP authscope_cache_%s_total %s\n# TYPE authscope_cache_%s_total counter\nauthscope_cache_%s_total %d\n", c.name, c.help, c.name, c.name, c.v)
		}
		fmt.Fprintf(w, "# HELP authscope_cache_entries Entries in the cache.\n# TYPE authscope_cache_entries gauge\nauthscope_cache_entries %d\n", s.Entries)
	}
	if len(m.listeners) > 0 {
		fmt.Fprintf(w, "# HELP authscope_bus_events_total Invalidation events received by bus and outcome.\n# TYPE authscope_bus_events_total counter\n")
		names := make([]string, 0, len(m.listeners))
		for n := range m.listeners {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			s := m.listeners[n].Stats()
			fmt.Fprintf(w, "authscope_bus_events_total{bus=%q,outcome=\"applied\"} %d\n", n, s.Received)
			fmt.Fprintf(w, "authscope_bus_events_total{bus=%q,outcome=\"own\"} %d\n", n, s.Skipped)
			fmt.Fprintf(w, "authscope_bus_events_total{bus=%q,outcome=\"malformed\"} %d\n", n, s.Malformed)
		}
	}
	fmt.Fprintf(w, "# HELP authscope_uptime_seconds Seconds since the server started.\n# TYPE authscope_uptime_seconds gauge\nauthscope_uptime_seconds %s\n", formatFloat(time.Since(m.started).Seconds()))
}

func formatFloat(f float64) string {
	if math.IsInf(f, 1) {
		return "+Inf"
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
