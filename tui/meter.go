package tui

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/authscope/authscope/resolver"
)

// meteredEngine wraps an Engine's resolver and counts what the TUI resolves
// through it: resolutions, reasons, upstream errors, and latencies in the
// LatencyRecorder Deps.Latencies builds (none without it). It is written by commands and sampled by a command (statsCmd);
// Update only ever sees the sampled copy, so no lock is taken on the UI
// goroutine.
type meteredEngine struct {
	Engine
	settings Settings

	mu       sync.Mutex
	total    uint64
	inFlight uint64
	reasons  map[resolver.Reason]uint64
	// latency is nil when Deps.Latencies is: p50 and p99 then stay zero.
	latency LatencyRecorder
}

// meterStats is an immutable sample of a meteredEngine.
type meterStats struct {
	// Resolutions are the finished ones; InFlight have started (and may
	// already be counted as cache misses, which count at the start).
	Resolutions    uint64
	InFlight       uint64
	Reasons        map[resolver.Reason]uint64
	UpstreamErrors uint64
	P50, P99       time.Duration
	Cache          *CacheStats
}

// newMeteredEngine meters e, built for s; latencies, when non-nil, makes
// the engine's latency recorder (each engine counts from zero).
func newMeteredEngine(e Engine, s Settings, latencies func() LatencyRecorder) *meteredEngine {
	m := &meteredEngine{Engine: e, settings: s, reasons: make(map[resolver.Reason]uint64)}
	if latencies != nil {
		m.latency = latencies()
	}
	return m
}

// resolve resolves token as the session cookie and records the outcome.
func (m *meteredEngine) resolve(ctx context.Context, token string) (resolver.Result, time.Duration, error) {
	in := resolver.FromPairs(m.cookieName(), token)
	m.mu.Lock()
	m.inFlight++
	m.mu.Unlock()
	start := time.Now()
	res, err := m.Resolver.Resolve(ctx, in)
	d := time.Since(start)
	reason := res.Reason
	if err != nil {
		reason = resolver.ReasonStoreError
		if m.settings.Mode == resolver.ModeProxy {
			reason = resolver.ReasonUpstreamError
		}
	}
	m.mu.Lock()
	m.inFlight--
	m.total++
	m.reasons[reason]++
	if m.latency != nil {
		m.latency.Record(d)
	}
	m.mu.Unlock()
	return res, d, err
}

func (m *meteredEngine) cookieName() string {
	if m.CookieName != "" {
		return m.CookieName
	}
	return resolver.DefaultCookieName
}

// sample copies the counters.
func (m *meteredEngine) sample() meterStats {
	// The cache first: every lookup it has counted by then belongs to a
	// resolution the meter counts below as finished or in flight.
	var cache *CacheStats
	if m.CacheStats != nil {
		cs := m.CacheStats()
		cache = &cs
	}
	m.mu.Lock()
	s := meterStats{Resolutions: m.total, InFlight: m.inFlight, Reasons: make(map[resolver.Reason]uint64, len(m.reasons))}
	for r, n := range m.reasons {
		s.Reasons[r] = n
		if strings.HasPrefix(string(r), "upstream_") && r != resolver.ReasonUpstreamNull {
			s.UpstreamErrors += n
		}
	}
	if m.total > 0 && m.latency != nil {
		s.P50 = m.latency.Percentile(50)
		s.P99 = m.latency.Percentile(99)
	}
	m.mu.Unlock()
	s.Cache = cache
	return s
}
