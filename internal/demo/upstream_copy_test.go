package demo

import (
	"context"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
)

// snapshot is every session of the browsed store: token → expiry.
func snapshot(t *testing.T, d *Demo) map[string]time.Time {
	t.Helper()
	rows := map[string]time.Time{}
	q := store.ListQuery{Limit: 1000}
	for {
		page, err := d.Store().ListSessions(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Rows {
			rows[r.Session.Token] = r.Session.Expires
		}
		if page.Next == "" {
			return rows
		}
		q.After = page.Next
	}
}

// TestDemoProxyLeavesTheBrowsedStoreAlone: the demo upstream prunes and
// extends as Auth.js does, but on its own copy; the store the TUI browses
// keeps every row as seeded. A revocation reaches both.
func TestDemoProxyLeavesTheBrowsedStoreAlone(t *testing.T) {
	d := startTestDemo(t)
	before := snapshot(t, d)
	r, cfg, err := d.BrowseResolver(resolver.ModeProxy, resolver.StrategyDatabase, false)
	if err != nil {
		t.Fatal(err)
	}
	pop := d.Population(resolver.StrategyDatabase)
	if len(pop.Expired) == 0 || len(pop.Valid) == 0 {
		t.Fatalf("demo population: %d valid, %d expired", len(pop.Valid), len(pop.Expired))
	}
	resolved := 0
	for _, c := range append(append([]string(nil), pop.Valid...), pop.Expired...) {
		res, err := r.Resolve(t.Context(), resolver.FromCookieHeader(c))
		if err != nil {
			t.Fatal(err)
		}
		if res.Session != nil {
			resolved++
		}
	}
	if resolved == 0 {
		t.Fatal("proxy mode resolved no session")
	}
	after := snapshot(t, d)
	if len(after) != len(before) {
		t.Errorf("browsed store: %d sessions before proxy resolution, %d after (pruned)", len(before), len(after))
	}
	changed := 0
	for tok, exp := range before {
		if got, ok := after[tok]; ok && !got.Equal(exp) {
			changed++
		}
	}
	if changed > 0 {
		t.Errorf("browsed store: %d sessions' expiry changed by proxy resolution (extended)", changed)
	}

	// Revoking through the demo signs the session out upstream too.
	var tok string
	for _, c := range pop.Valid {
		if res, _ := r.Resolve(t.Context(), resolver.FromCookieHeader(c)); res.Session != nil {
			tok, _ = resolver.ReadSessionToken(resolver.FromCookieHeader(c), cfg.SessionCookieName())
			break
		}
	}
	if err := d.RevokeSession(t.Context(), tok); err != nil {
		t.Fatal(err)
	}
	res, err := r.Resolve(t.Context(), resolver.FromPairs(cfg.SessionCookieName(), tok))
	if err != nil || res.Session != nil {
		t.Errorf("revoked session still resolves by proxy: %v, %v", res.Reason, err)
	}
	if _, ok := snapshot(t, d)[tok]; ok {
		t.Error("revoked session still listed")
	}
}
