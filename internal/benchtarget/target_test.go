package benchtarget

import (
	"context"
	"testing"
	"time"

	"github.com/authscope/authscope/bench"
	"github.com/authscope/authscope/resolver"
)

// TestResolverTargetResetsItsCache: a cached resolver's target is a
// bench.Resetter whose Reset empties the cache (the next request misses),
// so a capacity search can give every probe a cache of its own; an
// uncached resolver's target is not one.
func TestResolverTargetResetsItsCache(t *testing.T) {
	cfg := testConfig()
	codec, err := resolver.NewCodec(cfg)
	if err != nil {
		t.Fatal(err)
	}
	pop, err := MintPopulation(codec, cfg, 1, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	plain, err := resolver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ResolverTarget(plain, resolver.ModeLocal).(bench.Resetter); ok {
		t.Error("an uncached resolver's target claims a cache to reset")
	}
	cached := cfg
	cached.Cache.Enabled = true
	r, err := resolver.New(cached)
	if err != nil {
		t.Fatal(err)
	}
	target := ResolverTarget(r, resolver.ModeLocal)
	rs, ok := target.(bench.Resetter)
	if !ok {
		t.Fatal("a cached resolver's target is not a bench.Resetter")
	}
	ctx := context.Background()
	hits := func() (out []bool) {
		for range 2 {
			o, err := target.Do(ctx, pop.Valid[0])
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, o.CacheHit)
		}
		return out
	}
	if h := hits(); h[0] || !h[1] {
		t.Fatalf("before the reset: hits %v, want a miss then a hit", h)
	}
	if err := rs.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if h := hits(); h[0] || !h[1] {
		t.Errorf("after the reset: hits %v, want a miss then a hit", h)
	}
}
