package mongostore_test

import (
	"testing"
	"time"

	"github.com/authscope/authscope/resolver/store/storetest"
)

func BenchmarkStoreLookup(b *testing.B) {
	b.Run("mongodb", func(b *testing.B) {
		uri := adapterDB(b)
		s := openURI(b, uri, false)
		ms, err := s.Migrations(b.Context())
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Migrate(b.Context(), ms); err != nil {
			b.Fatal(err)
		}
		storetest.BenchLookup(b, s)
	})
}

// BenchmarkListPage: 100-row pages out of 1,000,000 sessions (100,000
// users; AUTHSCOPE_BENCH_BIG=N seeds N) after db migrate's indexes:
//
//	AUTHSCOPE_BENCH_BIG=1 go test ./resolver/store/mongostore -run '^$' -bench ListPage -benchtime 100x
func BenchmarkListPage(b *testing.B) {
	n := storetest.SkipUnlessBig(b)
	s := openURI(b, adapterDB(b), false)
	now := time.Now()
	storetest.SeedBig(b, s, n/10, n, now)
	ms, err := s.Migrations(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Migrate(b.Context(), ms); err != nil {
		b.Fatal(err)
	}
	storetest.BenchPages(b, s, now)
}
