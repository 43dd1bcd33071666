package resolver

import (
	"context"
	"testing"
	"time"
)

// TestCacheNeverOutlivesTheJWT: a cached local JWT answer stops at the
// token's exp plus Auth.js's clock tolerance, although Session.Expires
// (the rolling now + maxAge) and the TTL lie far beyond it. Real Auth.js
// answers null for that cookie from then on, and so must the cache.
func TestCacheNeverOutlivesTheJWT(t *testing.T) {
	clk := newFakeClock()
	const secret = "cache-exp-test-secret-0123456789abcdef"
	cfg := Config{Secrets: []string{secret}, Cache: CacheConfig{Enabled: true, TTL: time.Hour}}
	r, err := New(cfg, WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	codec, err := NewCodec(cfg.WithDefaults())
	if err != nil {
		t.Fatal(err)
	}
	// A token minted with maxAge 3 s: exp = now + 3 s.
	tok, err := codec.Encode(Claims{"sub": "u1", "name": "Short Lived"}, clk.Now(), 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	in := FromPairs(DefaultCookieName, tok)
	resolve := func() Result {
		t.Helper()
		res, err := r.Resolve(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	first := resolve()
	if !first.OK() || first.NotAfter.IsZero() {
		t.Fatalf("first: %+v (NotAfter %v)", first, first.NotAfter)
	}
	if want := clk.Now().Add(3*time.Second + 15*time.Second).Truncate(time.Second); !first.NotAfter.Equal(want) {
		t.Errorf("NotAfter %v, want exp + 15 s tolerance = %v", first.NotAfter, want)
	}
	clk.Advance(17 * time.Second) // still inside the tolerance: served
	if res := resolve(); !res.OK() || res.Source != sourceCache {
		t.Fatalf("inside the tolerance: %v from %s", res.Reason, res.Source)
	}
	clk.Advance(2 * time.Second) // past exp + 15 s
	if res := resolve(); res.OK() || res.Reason != ReasonExpired {
		t.Fatalf("past the token's expiry: %v from %s, want expired (as Auth.js answers)", res.Reason, res.Source)
	}
}
