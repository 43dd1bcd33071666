package mysqlstore_test

import (
	"os"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver/store"
	"github.com/authscope/authscope/resolver/store/mysqlstore"
	"github.com/authscope/authscope/resolver/store/storetest"
)

func benchStore(b *testing.B, layout string) *mysqlstore.Store {
	dsn := storetest.MySQLDB(b)
	ddl, _ := mysqlstore.SchemaSQL(layout)
	storetest.MySQLExec(b, dsn, ddl)
	st, err := store.Open(b.Context(), dsn, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st.(*mysqlstore.Store)
}

func BenchmarkStoreLookup(b *testing.B) {
	b.Run("mysql-prisma", func(b *testing.B) { storetest.BenchLookup(b, benchStore(b, "prisma")) })
}

// BenchmarkListPage: 100-row pages out of 1,000,000 sessions (100,000
// users) in Prisma's MySQL layout after db migrate's indexes:
//
//	AUTHSCOPE_BENCH_BIG=1 go test ./resolver/store/mysqlstore -run '^$' -bench ListPage -benchtime 100x
//
// AUTHSCOPE_BENCH_MYSQL_DSN names a database seeded before (authscope seed
// --schema prisma --users 100000 --sessions 1000000 --seed 1, then db
// migrate) to measure without reseeding each time.
func BenchmarkListPage(b *testing.B) {
	if dsn := os.Getenv("AUTHSCOPE_BENCH_MYSQL_DSN"); dsn != "" {
		st, err := store.Open(b.Context(), dsn, store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		storetest.BenchPages(b, st.(*mysqlstore.Store), time.Now())
		return
	}
	n := storetest.SkipUnlessBig(b)
	s := benchStore(b, "prisma")
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
