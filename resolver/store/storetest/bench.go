package storetest

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
)

// BigEnv is the variable that turns the 1,000,000-session benchmarks on:
// seeding takes from seconds to minutes depending on the store.
const BigEnv = "AUTHSCOPE_BENCH_BIG"

// SkipUnlessBig skips a benchmark that needs a big seeded store, and
// returns how many sessions to seed: 1,000,000, or the variable's value
// when it is a number above 1 (a smaller run for a slow server).
func SkipUnlessBig(b *testing.B) int {
	v := os.Getenv(BigEnv)
	if v == "" {
		b.Skip("set " + BigEnv + "=1 to seed 1,000,000 sessions and measure list pages")
	}
	if n, err := strconv.Atoi(v); err == nil && n > 1 {
		return n
	}
	return 1_000_000
}

// SeedBig seeds users and sessions (seed 1) anchored at now, logging how
// long it took.
func SeedBig(b *testing.B, s Full, users, sessions int, now time.Time) {
	b.Helper()
	start := time.Now()
	rep, err := store.Seed(b.Context(), s, store.SeedOptions{Users: users, Sessions: sessions, Seed: 1, Now: now, Batch: 20_000})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d users, %d sessions in %s", rep.Users+rep.SkippedUsers, rep.Sessions+rep.SkippedSessions, time.Since(start).Round(time.Millisecond))
}

// BenchPages measures 100-row pages of a big store: the first and a deep
// page by expiry, by user, a state window, a narrow filter, counts and a
// lookup.
func BenchPages(b *testing.B, s Full, now time.Time) {
	ctx := b.Context()
	deep := func(sort store.SortKey) string { return DeepCursor(b, s, sort) }
	for _, bc := range []struct {
		name string
		q    store.ListQuery
	}{
		{"first-by-expiry", store.ListQuery{}},
		{"deep-by-expiry", store.ListQuery{After: deep(store.SortExpires)}},
		{"first-by-user-desc", store.ListQuery{Sort: store.SortUser, Desc: true}},
		{"active", store.ListQuery{State: store.StateActive, Now: now}},
		{"filter-0.1pct", store.ListQuery{Filter: ".1.423"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			bc.q.Limit = 100
			for b.Loop() {
				p, err := s.ListSessions(ctx, bc.q)
				if err != nil || len(p.Rows) != 100 {
					b.Fatalf("%d rows, %v", len(p.Rows), err)
				}
			}
		})
	}
	b.Run("counts", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Counts(ctx, store.CountQuery{Now: now}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("lookup", func(b *testing.B) {
		tok := store.SeedToken(1, 123_456)
		for b.Loop() {
			if sess, _, err := s.SessionAndUser(ctx, tok); err != nil || sess == nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchLookup measures one session lookup (session and user) on a small
// store: the per-store BenchmarkStoreLookup.
func BenchLookup(b *testing.B, s Full) {
	u := UserID(s, 1)
	if _, err := s.InsertUsers(b.Context(), []resolver.StoredUser{{ID: u, Email: ptr("b@example.com")}}); err != nil {
		b.Fatal(err)
	}
	if _, err := s.InsertSessions(b.Context(), []resolver.StoredSession{{Token: "bench-token", UserID: u, Expires: Now}}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if sess, user, err := s.SessionAndUser(b.Context(), "bench-token"); err != nil || sess == nil || user == nil {
			b.Fatal(sess, user, err)
		}
	}
}

// DeepCursor is a cursor 5,000 rows into the listing in sort's order, for
// benchmarking pages far from the start.
func DeepCursor(b *testing.B, s store.Browser, sort store.SortKey) string {
	b.Helper()
	var cur string
	for range 5 {
		p, err := s.ListSessions(b.Context(), store.ListQuery{Sort: sort, Limit: 1000, After: cur})
		if err != nil {
			b.Fatal(err)
		}
		cur = p.Next
	}
	return cur
}
