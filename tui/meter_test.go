package tui

import (
	"context"
	"testing"

	"github.com/authscope/authscope/resolver"
)

// gateResolver counts a cache miss when a resolution starts and blocks
// until released, like a cache in front of a slow upstream.
type gateResolver struct {
	misses  chan struct{}
	release chan struct{}
	n       uint64
}

func (g *gateResolver) Resolve(ctx context.Context, _ resolver.Input) (resolver.Result, error) {
	g.misses <- struct{}{}
	<-g.release
	return resolver.Result{Reason: resolver.ReasonOK}, nil
}

// A resolution under way is counted as in flight, so the cache's misses
// (counted at the start) never exceed what the screen accounts for.
func TestMeterCountsInFlight(t *testing.T) {
	g := &gateResolver{misses: make(chan struct{}), release: make(chan struct{})}
	var rec *exactLatencies
	latencies := func() LatencyRecorder { rec = &exactLatencies{}; return rec }
	eng := newMeteredEngine(Engine{Resolver: g, CacheStats: func() CacheStats { return CacheStats{Misses: g.n} }}, Settings{}, latencies)
	done := make(chan struct{})
	go func() {
		_, _, _ = eng.resolve(t.Context(), "tok")
		close(done)
	}()
	<-g.misses
	g.n = 1
	s := eng.sample()
	if s.Resolutions != 0 || s.InFlight != 1 || s.Cache.Misses != 1 {
		t.Fatalf("during: %d done, %d in flight, %d misses", s.Resolutions, s.InFlight, s.Cache.Misses)
	}
	close(g.release)
	<-done
	if s := eng.sample(); s.Resolutions != 1 || s.InFlight != 0 {
		t.Fatalf("after: %d done, %d in flight", s.Resolutions, s.InFlight)
	}
	// The one latency went to the engine's recorder and is both percentiles.
	if len(rec.d) != 1 {
		t.Fatalf("recorded %d latencies, want 1", len(rec.d))
	}
	if s := eng.sample(); s.P50 != rec.d[0] || s.P99 != rec.d[0] {
		t.Fatalf("p50 %v, p99 %v; recorded %v", s.P50, s.P99, rec.d[0])
	}
}

// Without Deps.Latencies the meter still counts, with no percentiles.
func TestMeterWithoutLatencyRecorder(t *testing.T) {
	eng := newMeteredEngine(Engine{Resolver: &countingResolver{}}, Settings{}, nil)
	if _, _, err := eng.resolve(t.Context(), "tok"); err != nil {
		t.Fatal(err)
	}
	if s := eng.sample(); s.Resolutions != 1 || s.P50 != 0 || s.P99 != 0 {
		t.Fatalf("%d resolutions, p50 %v, p99 %v", s.Resolutions, s.P50, s.P99)
	}
}
