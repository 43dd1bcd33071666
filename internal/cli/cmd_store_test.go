package cli

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authscope/authscope/resolver/store/sqlitestore"
	"github.com/authscope/authscope/resolver/store/storetest"
	"github.com/jackc/pgx/v5"
)

// runStoreCmd runs the CLI in-process with the given environment.
func runStoreCmd(t *testing.T, envv map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &cliEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string { return envv[k] }}
	code = run(context.Background(), env, args)
	return code, out.String(), errb.String()
}

func TestSeedAndMigrateSQLite(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "demo.db")
	code, out, errs := runStoreCmd(t, nil, "seed", "--db", db, "--users", "20", "--sessions", "300", "--seed", "5")
	if code != 0 || !strings.Contains(out, "20 users added, 0 already there; 300 sessions added, 0 already there") {
		t.Fatalf("first seed: %d %q %q", code, out, errs)
	}
	// Idempotent per seed value; another seed adds its own data.
	code, out, _ = runStoreCmd(t, map[string]string{"DEMO_DB": db}, "seed", "--db-env", "DEMO_DB", "--users", "20", "--sessions", "300", "--seed", "5")
	if code != 0 || !strings.Contains(out, "0 users added, 20 already there; 0 sessions added, 300 already there") {
		t.Fatalf("second seed: %d %q", code, out)
	}
	code, out, _ = runStoreCmd(t, nil, "seed", "--db", db, "--users", "20", "--sessions", "10", "--seed", "6")
	if code != 0 || !strings.Contains(out, "10 sessions added") {
		t.Fatalf("other seed: %d %q", code, out)
	}
	// seed's schema has every index: a dry run lists nothing to do.
	code, out, _ = runStoreCmd(t, nil, "db", "migrate", "--db", db, "--dry-run")
	if code != 0 || !strings.Contains(out, "nothing to do") || strings.Contains(out, "CREATE INDEX") {
		t.Fatalf("dry run on a seeded store: %d %q", code, out)
	}
	// An adapter-made database lacks them.
	st, err := sqlitestore.Open(context.Background(), strings.TrimPrefix(db, "sqlite:"), sqlitestore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec(`DROP INDEX "sessions_expires_idx"`); err != nil {
		t.Fatal(err)
	}
	st.Close()
	code, out, _ = runStoreCmd(t, nil, "db", "migrate", "--db", db, "--dry-run")
	if code != 0 || !strings.Contains(out, "-- dry run") || !strings.Contains(out, `CREATE INDEX IF NOT EXISTS "sessions_expires_idx"`) || strings.Contains(out, "sessions_userId_idx") {
		t.Fatalf("dry run: %d %q", code, out)
	}
	if code, out, _ = runStoreCmd(t, nil, "db", "migrate", "--db", db); code != 0 || !strings.Contains(out, "-- done") {
		t.Fatalf("migrate: %d %q", code, out)
	}
}

// TestMigrateDryRunFresh: a dry run with no --db, or on a database without
// the adapter's tables, prints the fresh install's DDL, and running that
// DDL leaves nothing for migrate to do. Without --dry-run, missing tables
// are a one-line error that points at the dry run.
func TestMigrateDryRunFresh(t *testing.T) {
	code, offline, errs := runStoreCmd(t, nil, "db", "migrate", "--dry-run", "--schema", "prisma-snake")
	if code != 0 || !strings.Contains(offline, "-- no --db") || strings.Count(offline, "-- prisma-snake adapter schema") != 1 ||
		!strings.Contains(offline, `CREATE TABLE IF NOT EXISTS "sessions"`) || !strings.Contains(offline, `"sessions_expires_authscope"`) {
		t.Fatalf("offline plan: %d %q %q", code, offline, errs)
	}
	if code, _, errs := runStoreCmd(t, nil, "db", "migrate", "--dry-run", "--schema", "custom"); code != 2 || !strings.Contains(errs, "needs a --schema preset") {
		t.Fatalf("custom mapping: %d %q", code, errs)
	}
	empty := storetest.PostgresSchema(t, storetest.PostgresDB(t), "")
	code, online, errs := runStoreCmd(t, nil, "db", "migrate", "--dry-run", "--db", empty, "--schema", "prisma-snake")
	if code != 0 || !strings.Contains(online, "the adapter's tables are not there yet") {
		t.Fatalf("dry run on an empty database: %d %q %q", code, online, errs)
	}
	// The same statements as offline, after the header line.
	if _, a, _ := strings.Cut(offline, "\n"); !strings.HasSuffix(online, a) {
		t.Fatalf("online plan differs from offline:\n%s\n%s", online, offline)
	}
	code, _, errs = runStoreCmd(t, nil, "db", "migrate", "--db", empty, "--schema", "prisma-snake")
	if code != 1 || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "--dry-run prints the adapter schema") {
		t.Fatalf("migrate without tables: %d %q", code, errs)
	}
	conn, err := pgx.Connect(t.Context(), empty)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	// A DBA runs the printed statements one by one (CONCURRENTLY cannot run
	// in a transaction block).
	for _, stmt := range strings.Split(offline, ";\n") {
		var sql []string
		for _, line := range strings.Split(stmt, "\n") {
			if !strings.HasPrefix(line, "--") {
				sql = append(sql, line)
			}
		}
		if q := strings.TrimSpace(strings.Join(sql, "\n")); q != "" {
			if _, err := conn.Exec(t.Context(), q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	if code, out, errs := runStoreCmd(t, nil, "db", "migrate", "--db", empty, "--schema", "prisma-snake"); code != 0 || !strings.Contains(out, "nothing to do") {
		t.Fatalf("after the printed DDL: %d %q %q", code, out, errs)
	}
}

func TestStoreCmdUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"seed"}, "--db DSN or --db-env"},
		{[]string{"seed", "--db", "sqlite:x", "--db-env", "X"}, "exclusive"},
		{[]string{"seed", "--db-env", "UNSET_VAR"}, "UNSET_VAR is not set"},
		{[]string{"seed", "--db", "oracle://x"}, "unknown scheme"},
		{[]string{"seed", "--db", "mysql://x"}, "names no database"},
		{[]string{"seed", "--db", "sqlite:"}, "malformed DSN"},
		{[]string{"seed", "--db", "postgres://%zz"}, "malformed DSN"},
		{[]string{"seed", "--db", "postgres://127.0.0.1/x?sslmode=bogus"}, "malformed DSN"},
		{[]string{"db", "migrate", "--db", "sqlite:"}, "malformed DSN"},
		{[]string{"db", "migrate", "--db", "postgres://%zz"}, "malformed DSN"},
		{[]string{"serve", "--listen", "127.0.0.1:0", "--strategy", "database", "--db", "postgres://127.0.0.1/x?sslmode=bogus"}, "malformed DSN"},
		{[]string{"upstream", "--listen", "127.0.0.1:0", "--strategy", "database", "--db", "sqlite:"}, "malformed DSN"},
		{[]string{"seed", "--db", "sqlite:x", "--users", "0"}, "--users"},
		{[]string{"seed", "--db", "redis://x", "--create-schema"}, "PostgreSQL"},
		{[]string{"db"}, "subcommand"},
		{[]string{"db", "vacuum"}, "unknown db subcommand"},
	} {
		code, _, errs := runStoreCmd(t, nil, tc.args...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, errs, tc.want)
		}
	}
}

func TestStoreCmdHidesPasswords(t *testing.T) {
	for _, dsn := range []string{
		"postgres://u:s3cr3t-pw@127.0.0.1:1/db?sslmode=disable&connect_timeout=2",
		"redis://:s3cr3t-pw@127.0.0.1:1/0",
	} {
		code, out, errs := runStoreCmd(t, nil, "seed", "--db", dsn, "--users", "1", "--sessions", "1")
		if code != 1 || strings.Contains(out+errs, "s3cr3t-pw") {
			t.Errorf("%d %q %q", code, out, errs)
		}
	}
}

// TestMistypedSQLitePath: commands that read or serve sessions refuse a
// SQLite path with no file (and do not create one); seed creates it.
func TestMistypedSQLitePath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "typo.db")
	for _, args := range [][]string{
		{"resolve", "--strategy", "database", "--db", "sqlite:" + path},
		{"serve", "--listen", "127.0.0.1:0", "--strategy", "database", "--db", "sqlite:" + path},
		{"upstream", "--listen", "127.0.0.1:0", "--strategy", "database", "--db", "sqlite:" + path},
		{"db", "migrate", "--db", "sqlite:" + path},
	} {
		code, out, errs := runBounded(t, nil, args...)
		if code != 1 || !strings.Contains(errs, "no such SQLite store") || !strings.Contains(errs, "authscope seed creates one") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 1 and no such SQLite store", args, code, out, errs)
		}
		if _, err := os.Stat(path); err == nil {
			t.Fatalf("%v created %s", args, path)
		}
	}
	if code, out, errs := runStoreCmd(t, nil, "seed", "--db", "sqlite:"+path, "--users", "1", "--sessions", "1"); code != 0 {
		t.Fatalf("seed: %d %q %q", code, out, errs)
	}
	if code, out, errs := runStoreCmd(t, nil, "db", "migrate", "--db", "sqlite:"+path, "--dry-run"); code != 0 {
		t.Fatalf("migrate after seed: %d %q %q", code, out, errs)
	}
}

// TestResolveLeavesPrismaDatabaseAlone is the P1 end to end:
// resolve on an application's Prisma SQLite database used to create
// "users" and "sessions" in it. Now it finds the Prisma layout, says so
// under --explain, and the file's schema is unchanged.
func TestResolveLeavesPrismaDatabaseAlone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE "User" ("id" TEXT NOT NULL PRIMARY KEY, "name" TEXT, "email" TEXT NOT NULL, "emailVerified" DATETIME, "image" TEXT);
CREATE TABLE "Session" ("id" TEXT NOT NULL PRIMARY KEY, "sessionToken" TEXT NOT NULL, "userId" TEXT NOT NULL, "expires" DATETIME NOT NULL);
CREATE UNIQUE INDEX "Session_sessionToken_key" ON "Session"("sessionToken");
CREATE TABLE "Post" ("id" INTEGER PRIMARY KEY);
INSERT INTO "User" VALUES ('u1', 'Ada', 'ada@example.com', NULL, NULL);
INSERT INTO "Session" VALUES ('s1', 'tok', 'u1', 4102444800000)`); err != nil {
		t.Fatal(err)
	}
	dump := func() string {
		var b strings.Builder
		rows, err := db.Query(`SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var l string
			rows.Scan(&l)
			b.WriteString(l + "\n")
		}
		return b.String()
	}
	before := dump()
	code, out, errs := runCLI(t, map[string]string{"AUTH_SECRET": "s"}, "authjs.session-token=tok\n", "resolve", "--strategy", "database", "--db", "sqlite:"+path, "--explain", "--reveal")
	if code != 0 || !strings.Contains(out, `"email":"ada@example.com"`) || !strings.Contains(errs, "store: sqlite prisma layout") {
		t.Fatalf("resolve: %d %q %q", code, out, errs)
	}
	if after := dump(); after != before {
		t.Fatalf("resolve changed the schema:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	db.Close()
}
