package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver/betterauth/sqlstore"
)

// BenchmarkFindSession: one getSession lookup (session row, then its
// user) on each layout's database, 15 seeded sessions.
func BenchmarkFindSession(b *testing.B) {
	now := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	for _, l := range layouts() {
		b.Run(l.name, func(b *testing.B) {
			dsn := fresh(b, l)
			st := open(b, l, dsn, sqlstore.Layout{})
			seed(b, st, now)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if rec, err := st.FindSession(ctx, "tok-1-2"); err != nil || rec == nil {
					b.Fatal(rec, err)
				}
			}
		})
	}
}
