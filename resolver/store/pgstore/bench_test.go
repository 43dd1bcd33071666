package pgstore_test

import (
	"os"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver/store"
	"github.com/authscope/authscope/resolver/store/storetest"
)

// BenchmarkListPage measures browsing at scale: pages of 100 out of
// 1,000,000 sessions (100,000 users) in the pg-adapter layout, after
// `authscope db migrate --search`'s indexes. Seeding takes ~15 s, so it runs only
// when asked:
//
//	AUTHSCOPE_BENCH_BIG=1 go test ./resolver/store/pgstore -run '^$' -bench ListPage -benchtime 200x
//
// AUTHSCOPE_BENCH_BIG_DSN may name a database already seeded with
// `authscope seed --create-schema --users 100000 --sessions 1000000`
// (and `authscope db migrate --search`) to skip the setup.
func BenchmarkListPage(b *testing.B) {
	if os.Getenv("AUTHSCOPE_BENCH_BIG") == "" && os.Getenv("AUTHSCOPE_BENCH_BIG_DSN") == "" {
		b.Skip("set AUTHSCOPE_BENCH_BIG=1 to seed 1,000,000 sessions and measure list pages")
	}
	ctx := b.Context()
	l, ddl := preset(b, "pg-adapter")
	dsn := os.Getenv("AUTHSCOPE_BENCH_BIG_DSN")
	now := time.Now()
	if dsn == "" {
		dsn = storetest.PostgresSchema(b, storetest.PostgresDB(b), ddl)
		s := open(b, dsn, l, false)
		start := time.Now()
		rep, err := store.Seed(ctx, s, store.SeedOptions{Users: 100_000, Sessions: 1_000_000, Seed: 1, Now: now, Batch: 50_000})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("seeded %d users, %d sessions in %s", rep.Users, rep.Sessions, time.Since(start).Round(time.Millisecond))
		ms, err := s.Migrations(ctx)
		if err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		sm, err := s.SearchMigrations(ctx)
		if err != nil {
			b.Fatal(err)
		}
		ms = append(ms, sm...)
		if err := s.Migrate(ctx, ms); err != nil {
			b.Fatal(err)
		}
		b.Logf("migrated (%d indexes) in %s", len(ms), time.Since(start).Round(time.Millisecond))
	}
	s := open(b, dsn, l, true)
	deep := func(sort store.SortKey) string { return storetest.DeepCursor(b, s, sort) }
	for _, bc := range []struct {
		name string
		q    store.ListQuery
	}{
		{"first-by-expiry", store.ListQuery{}},
		{"deep-by-expiry", store.ListQuery{After: deep(store.SortExpires)}},
		{"first-by-user-desc", store.ListQuery{Sort: store.SortUser, Desc: true}},
		{"deep-by-user", store.ListQuery{Sort: store.SortUser, After: deep(store.SortUser)}},
		{"active", store.ListQuery{State: store.StateActive, Now: now}},
		{"due", store.ListQuery{State: store.StateDue, Now: now}},
		// Filters by the share of users they match (seed 1's e-mails are
		// first.last.1.<n>@example.org or .com): both sides of
		// maxFilterUsers, and ~1%, the worst case of either plan.
		{"filter-common", store.ListQuery{Filter: "example.org"}}, // 50%
		{"filter-11pct", store.ListQuery{Filter: ".1.4"}},         // 11,111 users
		{"filter-name", store.ListQuery{Filter: "lovelace"}},      // 3.4%
		{"filter-1pct", store.ListQuery{Filter: ".1.42"}},         // 1,111 users
		{"filter-0.1pct", store.ListQuery{Filter: ".1.423"}},      // 111 users
		{"filter-one-user", store.ListQuery{Filter: *store.SeedUser(1, 4242, true).Email, Limit: 5}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			want := 100
			if bc.q.Limit == 0 {
				bc.q.Limit = 100
			} else {
				want = -1 // one user's sessions: fewer than a page
			}
			for b.Loop() {
				p, err := s.ListSessions(ctx, bc.q)
				if err != nil || (want > 0 && len(p.Rows) != want) || len(p.Rows) == 0 {
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
