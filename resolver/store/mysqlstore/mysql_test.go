package mysqlstore_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
	"github.com/authscope/authscope/resolver/store/mysqlstore"
	"github.com/authscope/authscope/resolver/store/storetest"
)

func openAuto(t *testing.T, dsn string, ro bool) storetest.Full {
	t.Helper()
	st, err := store.Open(t.Context(), dsn, store.Options{ReadOnly: ro, MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st.(storetest.Full)
}

func mysqlOf(st storetest.Full) *mysqlstore.Store { return store.Unwrap(st).(*mysqlstore.Store) }

// ddl is a preset's schema without its foreign key: the suite needs
// sessions whose user is gone (a real deployment keeps the cascade).
func ddl(t *testing.T, name string) string {
	t.Helper()
	s, err := mysqlstore.SchemaSQL(name)
	if err != nil {
		t.Fatal(err)
	}
	if i := strings.Index(s, "ALTER TABLE"); i >= 0 {
		s = s[:i]
	}
	return s
}

// TestConformance runs the whole suite on every adapter's MySQL layout,
// each found by --schema auto, "schema unchanged" included.
func TestConformance(t *testing.T) {
	for _, name := range mysqlstore.PresetNames() {
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) storetest.Harness {
				dsn := storetest.MySQLDB(t)
				storetest.MySQLExec(t, dsn, ddl(t, name))
				st := openAuto(t, dsn, false)
				if got := mysqlOf(st).Layout().Name; got != name {
					t.Fatalf("detected %q, want %q", got, name)
				}
				var precision time.Duration
				if name == "drizzle" {
					precision = time.Second // timestamp("expires") has no fsp
				}
				return storetest.Harness{
					Store:     st,
					Precision: precision,
					ReadOnly:  func(t *testing.T) storetest.Full { return openAuto(t, dsn, true) },
					Reopen:    func(t *testing.T) storetest.Full { return openAuto(t, dsn, false) },
					Catalog:   func(t *testing.T) string { return storetest.MySQLCatalog(t, dsn) },

					EmptyOrphanUser: strings.HasPrefix(name, "prisma"),
				}
			})
		})
	}
}

// TestDetect: nothing or several layouts is one line naming what was
// found; --schema overrides.
func TestDetect(t *testing.T) {
	dsn := storetest.MySQLDB(t)
	storetest.MySQLExec(t, dsn, "CREATE TABLE `Post` (id int);\nCREATE TABLE `Comment` (id int)")
	before := storetest.MySQLCatalog(t, dsn)
	_, err := store.Open(t.Context(), dsn, store.Options{})
	want := "mysql: no Auth.js session table in the database: found tables Comment, Post; looked for sessions/session/Session (drizzle, kysely, prisma, prisma-snake layouts)"
	if err == nil || err.Error() != want || !errors.Is(err, mysqlstore.ErrNoTable) {
		t.Fatalf("err = %v\nwant  %s", err, want)
	}
	if storetest.MySQLCatalog(t, dsn) != before {
		t.Fatal("a failed open changed the schema")
	}
	storetest.MySQLExec(t, dsn, ddl(t, "drizzle")+";\n"+ddl(t, "prisma-snake"))
	if _, err := store.Open(t.Context(), dsn, store.Options{}); err == nil || !strings.Contains(err.Error(), "several Auth.js layouts (drizzle, prisma-snake): pick one with --schema") {
		t.Fatalf("two layouts: %v", err)
	}
	st, err := store.Open(t.Context(), dsn, store.Options{Schema: "prisma-snake"})
	if err != nil || st.(*mysqlstore.Store).Layout().Name != "prisma-snake" {
		t.Fatalf("--schema: %v", err)
	}
	st.Close()
}

// TestTimeZones: the expiry is the instant the adapter wrote whatever the
// server's or session's zone, for DATETIME(3) (Prisma) and TIMESTAMP
// (Drizzle) columns: both hold the UTC wall clock.
func TestTimeZones(t *testing.T) {
	for _, name := range []string{"prisma", "drizzle"} {
		t.Run(name, func(t *testing.T) {
			dsn := storetest.MySQLDB(t)
			storetest.MySQLExec(t, dsn, ddl(t, name))
			st := openAuto(t, dsn, false)
			exp := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
			storetest.Put(t, st, []resolver.StoredUser{{ID: "u", Email: ptr("a@example.com")}}, []resolver.StoredSession{{Token: "t", UserID: "u", Expires: exp}})
			// What the adapter's query would read back, as text.
			var wall string
			if err := mysqlOf(st).DB().QueryRow("SELECT DATE_FORMAT(expires, '%Y-%m-%d %H:%i:%s') FROM " + map[string]string{"prisma": "`Session`", "drizzle": "`session`"}[name]).Scan(&wall); err != nil {
				t.Fatal(err)
			}
			if wall != "2026-05-01 12:00:00" {
				t.Fatalf("stored wall clock %q, want the UTC time", wall)
			}
			later := time.Date(2026, 6, 1, 9, 0, 0, 0, time.FixedZone("x", -5*3600))
			if err := st.UpdateExpiry(t.Context(), "t", later); err != nil {
				t.Fatal(err)
			}
			sess, _, err := st.SessionAndUser(t.Context(), "t")
			if err != nil || !sess.Expires.Equal(later) || sess.Expires.Location() != time.UTC {
				t.Fatalf("%+v %v", sess, err)
			}
		})
	}
}

// TestMigrate: a Drizzle table without the browsing indexes gets both,
// online; the token already has its primary key.
func TestMigrate(t *testing.T) {
	dsn := storetest.MySQLDB(t)
	storetest.MySQLExec(t, dsn, ddl(t, "drizzle"))
	st := mysqlOf(openAuto(t, dsn, false))
	ms, err := st.Migrations(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"CREATE INDEX `session_expires_sessionToken_idx` ON `session` (`expires`, `sessionToken`) ALGORITHM=INPLACE LOCK=NONE",
		"CREATE INDEX `session_userId_sessionToken_idx` ON `session` (`userId`, `sessionToken`) ALGORITHM=INPLACE LOCK=NONE",
	}
	if len(ms) != 2 || ms[0].SQL != want[0] || ms[1].SQL != want[1] {
		t.Fatalf("migrations %v", ms)
	}
	if err := st.Migrate(t.Context(), ms); err != nil {
		t.Fatal(err)
	}
	if left, err := st.Migrations(t.Context()); err != nil || len(left) != 0 {
		t.Fatalf("after migrate: %v %v", left, err)
	}
}

func TestBadDSN(t *testing.T) {
	for _, dsn := range []string{"mysql://root:s3cr3t@127.0.0.1:3306/", "mysql://root:s3cr3t@127.0.0.1/db?bogus=1", "mysql://root:s3cr3t@[::1/db"} {
		_, err := store.Open(t.Context(), dsn, store.Options{})
		if !errors.Is(err, store.ErrBadDSN) || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("%s: %v", store.Redact(dsn), err)
		}
	}
	_, err := store.Open(t.Context(), "mysql://root:s3cr3t@127.0.0.1:1/db", store.Options{})
	if err == nil || errors.Is(err, store.ErrBadDSN) || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("unreachable: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

// TestReadOnlySession: under the decorator, a read-only store's own
// connections are read-only sessions too, so a write that got past
// store.ReadOnly would still be refused by the server.
func TestReadOnlySession(t *testing.T) {
	dsn := storetest.MySQLDB(t)
	storetest.MySQLExec(t, dsn, ddl(t, "prisma"))
	rw := openAuto(t, dsn, false)
	storetest.Put(t, rw, []resolver.StoredUser{{ID: "u1", Email: ptr("a@example.com")}},
		[]resolver.StoredSession{{Token: "tok", UserID: "u1", Expires: storetest.Now}})
	ro := openAuto(t, dsn, true)
	if err := ro.DeleteSession(t.Context(), "tok"); !errors.Is(err, resolver.ErrReadOnly) {
		t.Fatalf("decorated delete: %v, want ErrReadOnly", err)
	}
	inner := mysqlOf(ro)
	if err := inner.UpdateExpiry(t.Context(), "tok", storetest.Now.Add(time.Hour)); err == nil || !strings.Contains(err.Error(), "READ ONLY") {
		t.Fatalf("the driver's own write on a read-only session: %v, want the server's refusal", err)
	}
	if err := inner.DeleteSession(t.Context(), "tok"); err == nil {
		t.Fatal("the server accepted a delete on a read-only session")
	}
	if s, _, err := rw.SessionAndUser(t.Context(), "tok"); err != nil || s == nil || !s.Expires.Equal(storetest.Now) {
		t.Fatalf("the row changed: %+v %v", s, err)
	}
}
