package betterauth_test

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"testing"

	"github.com/authscope/authscope/resolver/betterauth"
	"github.com/authscope/authscope/resolver/betterauth/mysqlstore"
	"github.com/authscope/authscope/resolver/betterauth/pgstore"
	"github.com/authscope/authscope/resolver/betterauth/sqlitestore"
	"github.com/authscope/authscope/resolver/betterauth/sqlstore"
	"github.com/authscope/authscope/resolver/store/storetest"
)

// Live interop on PostgreSQL (pg Pool) and MariaDB/MySQL (mysql2 pool):
// the real server creates its tables with its own migrations in an empty
// database of the test's own, signs users in, and Go resolves, extends
// and prunes through pgstore and mysqlstore exactly as the server does.

func TestLiveDatabaseSessionsSQL(t *testing.T) {
	requireLive(t)
	for _, c := range []struct {
		dialect string
		dsn     func(testing.TB) string
	}{{"postgres", storetest.PostgresDB}, {"mysql", storetest.MySQLDB}} {
		t.Run(c.dialect, func(t *testing.T) {
			l := startLiveOn(t, c.dialect, c.dsn(t), nil, betterauth.Config{})
			liveDatabaseSessions(t, l)
		})
	}
}

// openStore opens Go's store and a plain connection on l's database.
func (l *live) openStore(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	var st *sqlstore.Store
	var err error
	switch l.dialect {
	case "redis": // sessions in secondaryStorage: the test opens redisstore
		return
	case "postgres":
		st, err = pgstore.Open(ctx, l.dbPath, pgstore.Options{})
	case "mysql":
		st, err = mysqlstore.Open(ctx, l.dbPath, mysqlstore.Options{})
	default:
		sq, err := sqlitestore.Open(ctx, l.dbPath, sqlitestore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sq.Close() })
		l.store = sq
		if l.db, err = sql.Open("sqlite", "file:"+l.dbPath+"?_pragma=busy_timeout(5000)"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.db.Close() })
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	l.store, l.db = st, st.DB()
}

// sql turns a query written for SQLite ("quoted" names, ? placeholders)
// into l's dialect.
func (l *live) sql(q string) string {
	switch l.dialect {
	case "mysql":
		return strings.ReplaceAll(q, `"`, "`")
	case "postgres":
		var b strings.Builder
		n := 0
		for _, r := range q {
			if r == '?' {
				n++
				b.WriteString("$" + strconv.Itoa(n))
				continue
			}
			b.WriteRune(r)
		}
		return b.String()
	}
	return q
}
