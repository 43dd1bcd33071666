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
//
// On FerretDB 1.24 (SQLite backend, the test server here) seeding is
// quick (100,000 sessions in 23 s with insertMany) but every sorted page
// is a scan and sort inside FerretDB: about 2 s at 20,000 sessions and
// 22-26 s at 100,000, whatever the indexes. The 1M figure needs a real
// MongoDB. The filter and lookup steps expect 1M sessions' data.
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
