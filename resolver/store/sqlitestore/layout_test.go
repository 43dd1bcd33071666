package sqlitestore_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver/store"
	"github.com/authscope/authscope/resolver/store/sqlitestore"
	"github.com/authscope/authscope/resolver/store/storetest"
	_ "modernc.org/sqlite"
)

// adapterDDL is what each adapter's own tooling creates on SQLite: prisma
// migrate for the documented Auth.js schema, drizzle-kit for the
// adapter's default sqlite schema, and the d1 adapter's migration. Each
// database also has an application table, as a real one would.
var adapterDDL = map[string]string{
	"prisma": `CREATE TABLE "User" ("id" TEXT NOT NULL PRIMARY KEY, "name" TEXT, "email" TEXT, "emailVerified" DATETIME, "image" TEXT, "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, "updatedAt" DATETIME NOT NULL);
CREATE TABLE "Session" ("sessionToken" TEXT NOT NULL, "userId" TEXT NOT NULL, "expires" DATETIME NOT NULL, "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, "updatedAt" DATETIME NOT NULL, CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE);
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
CREATE UNIQUE INDEX "Session_sessionToken_key" ON "Session"("sessionToken");
CREATE TABLE "Post" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "title" TEXT NOT NULL);`,
	"prisma-snake": `CREATE TABLE "users" ("id" TEXT NOT NULL PRIMARY KEY, "name" TEXT, "email" TEXT, "email_verified" DATETIME, "image" TEXT, "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, "updated_at" DATETIME NOT NULL);
CREATE TABLE "sessions" ("id" TEXT NOT NULL PRIMARY KEY, "session_token" TEXT NOT NULL, "user_id" TEXT NOT NULL, "expires" DATETIME NOT NULL, "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, "updated_at" DATETIME NOT NULL);
CREATE UNIQUE INDEX "sessions_session_token_key" ON "sessions"("session_token");
CREATE TABLE "posts" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT);`,
	"drizzle": sqlitestore.DrizzleSchema + "CREATE TABLE `todo` (`id` integer PRIMARY KEY);",
	"d1":      strings.Split(sqlitestore.Schema, "\nCREATE INDEX")[0] + "\nCREATE TABLE comments (id text);",
}

// adapterDB writes the layout's tables into a new file, as the adapter's
// tooling would, and returns its path.
func adapterDB(t *testing.T, layout string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), layout+".db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(adapterDDL[layout]); err != nil {
		t.Fatalf("%s DDL: %v", layout, err)
	}
	return path
}

// catalog dumps everything that is schema in the file: sqlite_master and
// the header settings a connection can change for good.
func catalog(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var b strings.Builder
	rows, err := db.Query(`SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master ORDER BY type, name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var typ, name, tbl, ddl string
		if err := rows.Scan(&typ, &name, &tbl, &ddl); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %s on %s: %s\n", typ, name, tbl, ddl)
	}
	for _, p := range []string{"journal_mode", "user_version", "application_id", "auto_vacuum"} {
		var v string
		if err := db.QueryRow("PRAGMA " + p).Scan(&v); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s=%s\n", p, v)
	}
	return b.String()
}

// openCLI opens the file as the read commands do (store.Open, must exist,
// layout found by itself).
func openCLI(t *testing.T, path string, ro bool) storetest.Full {
	t.Helper()
	st, err := store.Open(t.Context(), "sqlite:"+path, store.Options{MustExist: true, ReadOnly: ro})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st.(storetest.Full)
}

// TestConformanceLayouts runs the whole suite, "schema unchanged" included,
// on every adapter's SQLite layout, found by --schema auto.
func TestConformanceLayouts(t *testing.T) {
	for _, name := range []string{"d1", "prisma", "prisma-snake", "drizzle"} {
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) storetest.Harness {
				path := adapterDB(t, name)
				st := openCLI(t, path, false)
				if got := store.Unwrap(st).(*sqlitestore.Store).Layout().Name; got != name {
					t.Fatalf("detected layout %q, want %q", got, name)
				}
				return storetest.Harness{
					Store:    st,
					ReadOnly: func(t *testing.T) storetest.Full { return openCLI(t, path, true) },
					Reopen:   func(t *testing.T) storetest.Full { return openCLI(t, path, false) },
					Catalog:  func(t *testing.T) string { return catalog(t, path) },

					EmptyOrphanUser: strings.HasPrefix(name, "prisma"),
				}
			})
		})
	}
}

// TestPrismaDatabaseNotAltered is the P1: resolving against an
// application's Prisma database used to create "users" and "sessions" in
// it.
func TestPrismaDatabaseNotAltered(t *testing.T) {
	path := adapterDB(t, "prisma")
	before := catalog(t, path)
	st := openCLI(t, path, false)
	if _, _, err := st.SessionAndUser(t.Context(), "nope"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if after := catalog(t, path); after != before {
		t.Fatalf("schema changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// TestNoAuthjsTables: a database without any adapter's tables is one line
// naming what was found and what was looked for, and stays untouched.
func TestNoAuthjsTables(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.db")
	db, _ := sql.Open("sqlite", "file:"+path)
	if _, err := db.Exec(`CREATE TABLE Post (id integer); CREATE TABLE Comment (id integer)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before := catalog(t, path)
	_, err := store.Open(t.Context(), "sqlite:"+path, store.Options{MustExist: true})
	want := "no Auth.js session table in sqlite:" + path + ": found tables Comment, Post; looked for sessions/session/Session (d1, drizzle, prisma, prisma-snake layouts)"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant  %s", err, want)
	}
	if catalog(t, path) != before {
		t.Fatal("a failed open changed the schema")
	}
	// Seeding creates the d1 tables beside the application's only when
	// asked (--create-schema).
	if _, err := store.Open(t.Context(), "sqlite:"+path, store.Options{CreateIfEmpty: true}); err == nil {
		t.Fatal("CreateIfEmpty created tables in a non-empty database")
	}
	st, err := store.Open(t.Context(), "sqlite:"+path, store.Options{CreateIfAbsent: true})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if !strings.Contains(catalog(t, path), "table sessions on sessions") {
		t.Fatal("CreateIfAbsent did not create the d1 tables")
	}
}

// TestSeveralLayouts: the tables of two adapters are an error naming both.
func TestSeveralLayouts(t *testing.T) {
	path := adapterDB(t, "drizzle")
	db, _ := sql.Open("sqlite", "file:"+path)
	if _, err := db.Exec(adapterDDL["d1"]); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err := store.Open(t.Context(), "sqlite:"+path, store.Options{})
	if err == nil || !strings.Contains(err.Error(), "several Auth.js layouts (d1, drizzle): pick one with --schema") {
		t.Fatalf("err = %v", err)
	}
	st, err := store.Open(t.Context(), "sqlite:"+path, store.Options{Schema: "drizzle"})
	if err != nil {
		t.Fatal(err)
	}
	if st.(*sqlitestore.Store).Layout().Name != "drizzle" {
		t.Fatal("--schema did not override detection")
	}
	st.Close()
}

// TestPrismaDateFormats reads and writes both of Prisma's SQLite date
// storages: epoch milliseconds (its native connector) and ISO text (its
// driver adapters), each row keeping its own on extension.
func TestPrismaDateFormats(t *testing.T) {
	path := adapterDB(t, "prisma")
	exp := time.Date(2026, 5, 1, 12, 0, 0, 250e6, time.UTC)
	db, _ := sql.Open("sqlite", "file:"+path)
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO "User" (id, email, updatedAt) VALUES ('u', 'a@example.com', 1);
INSERT INTO "Session" (sessionToken, userId, expires, updatedAt) VALUES ('ms', 'u', ?, ?), ('iso', 'u', ?, ?)`,
		exp.UnixMilli(), exp.UnixMilli(), "2026-05-01T12:00:00.250+00:00", "2026-05-01T12:00:00.250+00:00"); err != nil {
		t.Fatal(err)
	}
	st := openCLI(t, path, false)
	later := exp.Add(time.Hour)
	for _, tok := range []string{"ms", "iso"} {
		sess, u, err := st.SessionAndUser(t.Context(), tok)
		if err != nil || sess == nil || u == nil || !sess.Expires.Equal(exp) {
			t.Fatalf("%s: %+v %+v %v", tok, sess, u, err)
		}
		if err := st.UpdateExpiry(t.Context(), tok, later); err != nil {
			t.Fatal(err)
		}
	}
	var msType, isoType string
	var msVal int64
	var isoVal string
	if err := db.QueryRow(`SELECT typeof(expires), expires FROM "Session" WHERE sessionToken = 'ms'`).Scan(&msType, &msVal); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT typeof(expires), expires || '' FROM "Session" WHERE sessionToken = 'iso'`).Scan(&isoType, &isoVal); err != nil {
		t.Fatal(err)
	}
	if msType != "integer" || msVal != later.UnixMilli() || isoType != "text" || isoVal != "2026-05-01T13:00:00.250Z" {
		t.Fatalf("stored: ms %s %d, iso %s %q", msType, msVal, isoType, isoVal)
	}
	var updated int64
	if err := db.QueryRow(`SELECT updatedAt FROM "Session" WHERE sessionToken = 'ms'`).Scan(&updated); err != nil || updated <= 1 {
		t.Fatalf("updatedAt not set on extension: %d %v", updated, err)
	}
}
