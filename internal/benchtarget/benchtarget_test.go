package benchtarget

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
)

func testConfig() resolver.Config {
	return resolver.Config{Mode: resolver.ModeLocal, Strategy: resolver.StrategyJWT, Secrets: []string{"benchtarget-test-secret"}}.WithDefaults()
}

// TestMintPopulationResolves: a minted population's valid cookies
// resolve, its expired and tampered ones do not, through ResolverTarget
// as bench sees them.
func TestMintPopulationResolves(t *testing.T) {
	cfg := testConfig()
	codec, err := resolver.NewCodec(cfg)
	if err != nil {
		t.Fatal(err)
	}
	pop, err := MintPopulation(codec, cfg, 3, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(pop.Valid) != 3 || len(pop.Expired) != 3 || len(pop.Tampered) != 3 {
		t.Fatalf("population %d/%d/%d", len(pop.Valid), len(pop.Expired), len(pop.Tampered))
	}
	r, err := resolver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	target := ResolverTarget(r, resolver.ModeLocal)
	for _, c := range []struct {
		cookies []string
		reason  resolver.Reason
	}{{pop.Valid, resolver.ReasonOK}, {pop.Expired, resolver.ReasonExpired}, {pop.Tampered, resolver.ReasonDecrypt}} {
		for _, cookie := range c.cookies {
			if !strings.HasPrefix(cookie, codec.CookieName()+"=") {
				t.Fatalf("cookie %q lacks the session cookie's name", cookie)
			}
			o, err := target.Do(context.Background(), cookie)
			if err != nil || o.Reason != string(c.reason) {
				t.Errorf("want %s, got %s (%v)", c.reason, o.Reason, err)
			}
		}
	}
}

// TestTamper: a tampered token differs from the original, stays in its
// alphabet, and is never empty.
func TestTamper(t *testing.T) {
	for _, tok := range []string{"a.b.c.AAAA.e", "a.b.c.BBBB.e", "opaque-token-a", "opaque-token-b", ""} {
		got := Tamper(tok)
		if got == tok || got == "" {
			t.Errorf("Tamper(%q) = %q", tok, got)
		}
	}
}
