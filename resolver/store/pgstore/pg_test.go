package pgstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
	"github.com/authscope/authscope/resolver/store/pgstore"
	"github.com/authscope/authscope/resolver/store/storetest"
	"github.com/jackc/pgx/v5"
)

func open(t testing.TB, dsn string, l store.Layout, ro bool) *pgstore.Store {
	t.Helper()
	s, err := pgstore.Open(context.Background(), dsn, pgstore.Options{Layout: l, ReadOnly: ro, MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func preset(t testing.TB, name string) (store.Layout, string) {
	t.Helper()
	l, err := store.Preset(name)
	if err != nil {
		t.Fatal(err)
	}
	ddl, err := pgstore.SchemaSQL(name)
	if err != nil {
		t.Fatal(err)
	}
	return l, ddl
}

func TestConformance(t *testing.T) {
	db := storetest.PostgresDB(t)
	for _, name := range store.PresetNames() {
		t.Run(name, func(t *testing.T) {
			_, ddl := preset(t, name)
			if i := strings.LastIndex(ddl, "ALTER TABLE"); i >= 0 {
				// The suite needs sessions whose user is gone: drop the
				// cascade these schemas add (a real deployment keeps it).
				ddl = ddl[:i]
			}
			storetest.Run(t, func(t *testing.T) storetest.Harness {
				dsn := storetest.PostgresSchema(t, dbFor(t, db, name), ddl)
				// Opened as the commands open it: the layout found by
				// itself (--schema auto).
				st := openAuto(t, dsn, false)
				if got := store.Unwrap(st).(*pgstore.Store).Layout().Name; got != name {
					t.Fatalf("detected %q, want %q", got, name)
				}
				return storetest.Harness{
					Store:    st,
					ReadOnly: func(t *testing.T) storetest.Full { return openAuto(t, dsn, true) },
					Reopen:   func(t *testing.T) storetest.Full { return openAuto(t, dsn, false) },
					Catalog:  func(t *testing.T) string { return pgCatalog(t, dsn) },

					SupabaseQuirks:  name == "supabase",
					EmptyOrphanUser: strings.HasPrefix(name, "prisma"),
				}
			})
		})
	}
}

// dbFor is the shared database, except for Supabase's layout: its tables
// live in the fixed next_auth schema, so each test needs a database of its
// own.
func dbFor(t *testing.T, shared, layout string) string {
	if layout == "supabase" {
		return storetest.PostgresDB(t)
	}
	return shared
}

func openAuto(t *testing.T, dsn string, ro bool) storetest.Full {
	t.Helper()
	st, err := store.Open(t.Context(), dsn, store.Options{ReadOnly: ro, MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st.(storetest.Full)
}

// pgCatalog dumps what is schema in the namespaces the DSN sees (its
// search_path and next_auth): columns, constraints, indexes, triggers,
// functions, and the database's extensions.
func pgCatalog(t *testing.T, dsn string) string {
	t.Helper()
	c, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	const ns = `(SELECT oid FROM pg_namespace WHERE nspname = ANY (current_schemas(false)) OR nspname = 'next_auth')`
	var b strings.Builder
	for _, q := range []string{
		`SELECT n.nspname || '.' || c.relname || ' ' || c.relkind::text || ': ' || coalesce(string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), ''), ', ' ORDER BY a.attnum), '')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum WHERE c.relnamespace IN ` + ns + ` GROUP BY n.nspname, c.relname, c.relkind ORDER BY 1`,
		`SELECT conrelid::regclass::text || ' ' || conname || ': ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace IN ` + ns + ` ORDER BY 1`,
		`SELECT indexrelid::regclass::text || ': ' || pg_get_indexdef(indexrelid) || CASE WHEN indisvalid THEN '' ELSE ' INVALID' END FROM pg_index WHERE indrelid IN (SELECT oid FROM pg_class WHERE relnamespace IN ` + ns + `) ORDER BY 1`,
		`SELECT tgrelid::regclass::text || ' ' || tgname || ': ' || pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace IN ` + ns + `) ORDER BY 1`,
		`SELECT p.oid::regprocedure::text || ': ' || md5(p.prosrc) FROM pg_proc p WHERE p.pronamespace IN ` + ns + ` ORDER BY 1`,
		`SELECT 'extension ' || extname || ' ' || extversion FROM pg_extension ORDER BY 1`,
	} {
		rows, err := c.Query(t.Context(), q)
		if err != nil {
			t.Fatalf("catalog: %v", err)
		}
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			b.WriteString(line + "\n")
		}
		rows.Close()
	}
	return b.String()
}

// TestConformanceSemiJoin runs the suite with every filter taking the
// many-users path (a semi-join instead of an id list).
func TestConformanceSemiJoin(t *testing.T) {
	defer pgstore.SetMaxFilterUsers(0)()
	db := storetest.PostgresDB(t)
	l, ddl := preset(t, "pg-adapter")
	storetest.Run(t, func(t *testing.T) storetest.Harness {
		dsn := storetest.PostgresSchema(t, db, ddl)
		return storetest.Harness{
			Store:    open(t, dsn, l, false),
			ReadOnly: func(t *testing.T) storetest.Full { return store.ReadOnly(open(t, dsn, l, true)).(storetest.Full) },
		}
	})
}

// TestMapping reads a layout no preset covers, through an explicit mapping.
func TestMapping(t *testing.T) {
	db := storetest.PostgresDB(t)
	dsn := storetest.PostgresSchema(t, db, `CREATE SCHEMA auth;
CREATE TABLE auth.members (member_id bigint PRIMARY KEY, display_name text, mail text, mail_verified_at timestamptz, avatar text);
CREATE TABLE auth.logins (token text PRIMARY KEY, member bigint NOT NULL, valid_until timestamptz NOT NULL, touched timestamp)`)
	l := store.Layout{Name: "custom",
		Users: "auth.members", UserID: "member_id", UserName: "display_name", UserEmail: "mail", UserImage: "avatar", UserEmailVerified: "mail_verified_at",
		Sessions: "auth.logins", SessionToken: "token", SessionUserID: "member", SessionExpires: "valid_until", SessionUpdatedAt: "touched"}
	s := open(t, dsn, l, false)
	if !s.IntegerUserIDs() {
		t.Fatal("bigint ids are integers")
	}
	storetest.Put(t, s, []resolver.StoredUser{{ID: "7", Name: ptr("Mapped")}}, []resolver.StoredSession{{Token: "m", UserID: "7", Expires: storetest.Now}})
	if err := s.UpdateExpiry(t.Context(), "m", storetest.Now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	sess, u, err := s.SessionAndUser(t.Context(), "m")
	if err != nil || sess == nil || u == nil || *u.Name != "Mapped" || !sess.Expires.Equal(storetest.Now.Add(time.Hour)) {
		t.Fatalf("%+v %+v %v", sess, u, err)
	}
	var touched *time.Time
	if err := s.Pool().QueryRow(t.Context(), `SELECT touched FROM auth.logins`).Scan(&touched); err != nil || touched == nil {
		t.Errorf("updated-at column not written: %v %v", touched, err)
	}

	// The same layout as a profile's mapping, through store.Open.
	m := map[string]string{"users": "auth.members", "user_id": "member_id", "user_name": "display_name", "user_email": "mail",
		"user_image": "avatar", "user_email_verified": "mail_verified_at", "sessions": "auth.logins", "session_token": "token",
		"session_user_id": "member", "session_expires": "valid_until"}
	st, err := store.Open(t.Context(), dsn, store.Options{Schema: "custom", Mapping: m, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if sess, u, err := st.SessionAndUser(t.Context(), "m"); err != nil || sess == nil || u == nil {
		t.Fatalf("via mapping: %+v %+v %v", sess, u, err)
	}
	delete(m, "session_token") // unset keys take the pg-adapter's names
	if _, err := store.Open(t.Context(), dsn, store.Options{Mapping: m}); err == nil || !strings.Contains(err.Error(), `no column "sessionToken"`) {
		t.Errorf("partial mapping: %v", err)
	}
	if _, err := store.LayoutFromMapping(map[string]string{"sesions": "x"}); err == nil || !strings.Contains(err.Error(), `unknown key "sesions"`) {
		t.Errorf("typo: %v", err)
	}
}

// TestPrismaTimestamps checks timestamp(3) without time zone holds UTC
// wall-clock values, whatever the session's TimeZone, as Prisma writes.
func TestPrismaTimestamps(t *testing.T) {
	db := storetest.PostgresDB(t)
	l, ddl := preset(t, "prisma")
	dsn := storetest.PostgresSchema(t, db, ddl)
	s, err := pgstore.Open(t.Context(), dsn+"&timezone=Asia/Tokyo", pgstore.Options{Layout: l})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	storetest.Put(t, s, []resolver.StoredUser{{ID: "cuser", Email: ptr("p@example.com")}}, []resolver.StoredSession{
		{Token: "p", UserID: "cuser", Expires: time.Date(2026, 5, 1, 12, 0, 0, 123e6, time.UTC)}})
	var wall string
	if err := s.Pool().QueryRow(t.Context(), `SELECT to_char(expires, 'YYYY-MM-DD HH24:MI:SS.MS') FROM "Session"`).Scan(&wall); err != nil {
		t.Fatal(err)
	}
	if wall != "2026-05-01 12:00:00.123" {
		t.Fatalf("stored wall clock %q, want the UTC time", wall)
	}
	if err := s.UpdateExpiry(t.Context(), "p", time.Date(2026, 6, 1, 9, 0, 0, 0, time.FixedZone("x", -5*3600))); err != nil {
		t.Fatal(err)
	}
	sess, _, err := s.SessionAndUser(t.Context(), "p")
	if err != nil || !sess.Expires.Equal(time.Date(2026, 6, 1, 14, 0, 0, 0, time.UTC)) {
		t.Fatalf("%+v %v", sess, err)
	}
}

func TestWrongSchema(t *testing.T) {
	db := storetest.PostgresDB(t)
	l, ddl := preset(t, "pg-adapter")
	empty := storetest.PostgresSchema(t, db, "")
	_, err := pgstore.Open(t.Context(), empty, pgstore.Options{Layout: l})
	if err == nil || !strings.Contains(err.Error(), `table "users" does not exist`) {
		t.Fatalf("empty database: %v", err)
	}
	// A Prisma database opened with the default layout.
	_, pddl := preset(t, "prisma")
	prisma := storetest.PostgresSchema(t, db, pddl)
	pl, _ := store.Preset("pg-adapter")
	if _, err = pgstore.Open(t.Context(), prisma, pgstore.Options{Layout: pl}); err == nil || !strings.Contains(err.Error(), "does not exist (try --schema") {
		t.Fatalf("prisma db, pg-adapter layout: %v", err)
	}
	renamed := storetest.PostgresSchema(t, db, ddl+`ALTER TABLE sessions RENAME COLUMN "sessionToken" TO session_token;`)
	_, err = pgstore.Open(t.Context(), renamed, pgstore.Options{Layout: l})
	if err == nil || !strings.Contains(err.Error(), `table "sessions" has no column "sessionToken"`) {
		t.Fatalf("renamed column: %v", err)
	}
	textExpiry := storetest.PostgresSchema(t, db, ddl+`ALTER TABLE sessions ALTER COLUMN expires TYPE text;`)
	_, err = pgstore.Open(t.Context(), textExpiry, pgstore.Options{Layout: l})
	if err == nil || !strings.Contains(err.Error(), `column "sessions"."expires" is text`) {
		t.Fatalf("text expiry: %v", err)
	}
}

func TestUnreachable(t *testing.T) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	_, err := pgstore.Open(ctx, "postgres://postgres:s3cr3t@127.0.0.1:1/x?sslmode=disable", pgstore.Options{})
	if err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("err = %v", err)
	}
	// pgx lists each failed attempt on its own line (sslmode=prefer tries
	// TLS, then plain); the CLI prints one line.
	if _, err := pgstore.Open(ctx, "postgres://postgres@127.0.0.1:1/x?sslmode=prefer", pgstore.Options{}); err == nil ||
		strings.ContainsAny(err.Error(), "\n\r") || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("want one line naming the dial error, got %q", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}
	if _, err := pgstore.Open(ctx, "postgres://u:s3cr3t@[::1", pgstore.Options{}); err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("bad dsn: %v", err)
	}
}

// TestStoreDown: a store that dies after Open gives ReasonStoreError
// within the deadline, never a hang.
func TestStoreDown(t *testing.T) {
	db := storetest.PostgresDB(t)
	l, ddl := preset(t, "pg-adapter")
	dsn := storetest.PostgresSchema(t, db, ddl)
	s := open(t, dsn, l, false)
	storetest.Put(t, s, []resolver.StoredUser{{ID: "1"}}, []resolver.StoredSession{{Token: "t", UserID: "1", Expires: time.Now().Add(time.Hour)}})
	r, err := resolver.New(resolver.Config{Strategy: resolver.StrategyDatabase, StoreTimeout: 300 * time.Millisecond}, resolver.WithStore(s))
	if err != nil {
		t.Fatal(err)
	}
	// Hold an exclusive lock so the lookup blocks: the deadline must cut it.
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	tx, err := conn.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(t.Context(), "LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res, err := r.Resolve(t.Context(), resolver.FromCookieHeader("authjs.session-token=t"))
	if err != nil || res.Reason != resolver.ReasonStoreError || !errors.Is(res.Err, context.DeadlineExceeded) {
		t.Fatalf("%+v %v", res, err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("took %v", d)
	}
}

func TestMalformedRows(t *testing.T) {
	db := storetest.PostgresDB(t)
	l, ddl := preset(t, "pg-adapter")
	// A deployment that let NULL expiries in.
	dsn := storetest.PostgresSchema(t, db, ddl+`ALTER TABLE sessions ALTER COLUMN expires DROP NOT NULL;
INSERT INTO users (id, name) VALUES (1, 'x');
INSERT INTO sessions ("userId", expires, "sessionToken") VALUES (1, NULL, 'null-expiry');`)
	s := open(t, dsn, l, false)
	if _, _, err := s.SessionAndUser(t.Context(), "null-expiry"); !errors.Is(err, resolver.ErrMalformedRow) {
		t.Fatalf("err = %v", err)
	}
}

func TestMigrate(t *testing.T) {
	db := storetest.PostgresDB(t)
	l, ddl := preset(t, "pg-adapter")
	dsn := storetest.PostgresSchema(t, db, ddl)
	s := open(t, dsn, l, false)
	ms, err := s.Migrations(t.Context())
	if err != nil || len(ms) != 4 || ms[3].SQL != `ANALYZE "sessions"` {
		t.Fatalf("%v %v", ms, err)
	}
	if !strings.Contains(ms[0].SQL, `CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "sessions_token_authscope" ON "sessions" ("sessionToken")`) {
		t.Errorf("sql %q", ms[0].SQL)
	}
	if err := open(t, dsn, l, true).Migrate(t.Context(), ms); !errors.Is(err, resolver.ErrReadOnly) {
		t.Errorf("read-only migrate: %v", err)
	}
	if err := s.Migrate(t.Context(), ms); err != nil {
		t.Fatal(err)
	}
	if again, err := s.Migrations(t.Context()); err != nil || len(again) != 0 {
		t.Fatalf("after migrating: %v %v", again, err)
	}
	// The token index is there, unique and valid.
	var unique, valid bool
	if err := s.Pool().QueryRow(t.Context(), `SELECT indisunique, indisvalid FROM pg_index WHERE indexrelid = to_regclass('sessions_token_authscope')`).Scan(&unique, &valid); err != nil || !unique || !valid {
		t.Errorf("token index: unique=%v valid=%v %v", unique, valid, err)
	}
	// Prisma already has a unique index on the token: only two to add.
	pl, pddl := preset(t, "prisma")
	ps := open(t, storetest.PostgresSchema(t, db, pddl), pl, false)
	if ms, err := ps.Migrations(t.Context()); err != nil || len(ms) != 3 {
		t.Fatalf("prisma: %v %v", ms, err)
	}
	// --search: pg_trgm indexes, then nothing left to add.
	sm, err := s.SearchMigrations(t.Context())
	if err != nil || len(sm) != 5 || sm[0].SQL != "CREATE EXTENSION IF NOT EXISTS pg_trgm" {
		t.Fatalf("search migrations: %v %v", sm, err)
	}
	if err := s.Migrate(t.Context(), sm); err != nil {
		t.Fatal(err)
	}
	if again, err := s.SearchMigrations(t.Context()); err != nil || len(again) != 0 {
		t.Fatalf("after search migration: %v %v", again, err)
	}
}

func ptr[T any](v T) *T { return &v }

func BenchmarkStoreLookup(b *testing.B) {
	db := storetest.PostgresDB(b)
	l, ddl := preset(b, "pg-adapter")
	s := open(b, storetest.PostgresSchema(b, db, ddl), l, false)
	name := "Bench"
	if _, err := s.InsertUsers(b.Context(), []resolver.StoredUser{{ID: "1", Name: &name}}); err != nil {
		b.Fatal(err)
	}
	if _, err := s.InsertSessions(b.Context(), []resolver.StoredSession{{Token: "t", UserID: "1", Expires: storetest.Now}}); err != nil {
		b.Fatal(err)
	}
	b.Run("postgres", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if sess, u, err := s.SessionAndUser(b.Context(), "t"); err != nil || sess == nil || u == nil {
				b.Fatal(sess, u, err)
			}
		}
	})
}

// TestReadOnlyFence: a read-only store's connections refuse writes even
// if a bug bypassed the store's own check.
func TestReadOnlyFence(t *testing.T) {
	db := storetest.PostgresDB(t)
	l, ddl := preset(t, "pg-adapter")
	ro := open(t, storetest.PostgresSchema(t, db, ddl), l, true)
	_, err := ro.Pool().Exec(t.Context(), `DELETE FROM sessions`)
	if err == nil || !strings.Contains(err.Error(), "read-only transaction") {
		t.Fatalf("err = %v", err)
	}
}

// TestFreshMigrations: the plan for an empty database, run statement by
// statement as a DBA would, leaves a store that opens and has nothing left
// to migrate; and its index part is exactly what Migrations asks of a
// database that has only the adapter's schema (freshLeads is right).
func TestFreshMigrations(t *testing.T) {
	db := storetest.PostgresDB(t)
	for _, name := range store.PresetNames() {
		t.Run(name, func(t *testing.T) {
			l, ddl := preset(t, name)
			plan, err := pgstore.FreshMigrations(name, false)
			if err != nil {
				t.Fatal(err)
			}
			// drizzle-kit qualifies its foreign key with "public"; the test
			// works in a schema of its own, so that statement is left out.
			if i := strings.Index(ddl, `ALTER TABLE "session"`); name == "drizzle" && i >= 0 {
				ddl = ddl[:i]
				kept := plan[:0]
				for _, m := range plan {
					if !strings.Contains(m.SQL, `"public".`) {
						kept = append(kept, m)
					}
				}
				plan = kept
			}
			var schema, indexes []pgstore.Migration
			for _, m := range plan {
				if strings.HasSuffix(m.Why, "adapter schema") {
					schema = append(schema, m)
				} else {
					indexes = append(indexes, m)
				}
			}
			if len(schema) == 0 || len(indexes) == 0 {
				t.Fatalf("plan has %d schema and %d index statements", len(schema), len(indexes))
			}
			want, err := open(t, storetest.PostgresSchema(t, dbFor(t, db, name), ddl), l, false).Migrations(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if len(want) != len(indexes) {
				t.Fatalf("fresh plan indexes %v, Migrations on the adapter schema %v", indexes, want)
			}
			for i := range want {
				if want[i] != indexes[i] {
					t.Errorf("statement %d: fresh %q, catalog %q", i, indexes[i].SQL, want[i].SQL)
				}
			}
			dsn := storetest.PostgresSchema(t, dbFor(t, db, name), "")
			conn, err := pgx.Connect(t.Context(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(t.Context())
			for _, m := range plan {
				if _, err := conn.Exec(t.Context(), m.SQL); err != nil {
					t.Fatalf("%s: %v", m.SQL, err)
				}
			}
			if left, err := open(t, dsn, l, false).Migrations(t.Context()); err != nil || len(left) != 0 {
				t.Fatalf("after the fresh plan: %v %v", left, err)
			}
		})
	}
	// --search adds the trigram indexes after the rest.
	base, _ := pgstore.FreshMigrations("pg-adapter", false)
	withSearch, _ := pgstore.FreshMigrations("pg-adapter", true)
	if len(withSearch) != len(base)+5 || withSearch[len(base)].SQL != "CREATE EXTENSION IF NOT EXISTS pg_trgm" {
		t.Errorf("search plan: %v", withSearch[len(base):])
	}
	if _, err := pgstore.FreshMigrations("nope", false); err == nil {
		t.Error("an unknown preset has no plan")
	}
}

// TestMigrateRebuildsInvalidIndex: a unique build that fails on duplicate
// tokens leaves an INVALID index; the next plan drops and rebuilds it
// rather than counting it as done.
func TestMigrateRebuildsInvalidIndex(t *testing.T) {
	db := storetest.PostgresDB(t)
	l, ddl := preset(t, "pg-adapter")
	s := open(t, storetest.PostgresSchema(t, db, ddl+`
INSERT INTO users (id, name) VALUES (1, 'x');
INSERT INTO sessions ("userId", expires, "sessionToken") VALUES (1, now() + interval '1 day', 'dup'), (1, now() + interval '1 day', 'dup');`), l, false)
	ms, err := s.Migrations(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(t.Context(), ms); err == nil || !strings.Contains(err.Error(), "INVALID") {
		t.Fatalf("a unique index over duplicate tokens: %v", err)
	}
	again, err := s.Migrations(t.Context())
	if err != nil || len(again) == 0 || !strings.HasPrefix(again[0].SQL, "DROP INDEX CONCURRENTLY IF EXISTS ") || !strings.HasSuffix(again[0].SQL, ".sessions_token_authscope") {
		t.Fatalf("after a failed build: %v %v", again, err)
	}
	if _, err := s.Pool().Exec(t.Context(), `DELETE FROM sessions WHERE id = (SELECT max(id) FROM sessions)`); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(t.Context(), again); err != nil {
		t.Fatal(err)
	}
	var valid bool
	if err := s.Pool().QueryRow(t.Context(), `SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('sessions_token_authscope')`).Scan(&valid); err != nil || !valid {
		t.Fatalf("rebuilt token index valid=%v %v", valid, err)
	}
	if left, err := s.Migrations(t.Context()); err != nil || len(left) != 0 {
		t.Fatalf("after the rebuild: %v %v", left, err)
	}
}

// TestDetect: --schema auto names what it found when nothing or several
// layouts match, and leaves the catalog as it was.
func TestDetect(t *testing.T) {
	db := storetest.PostgresDB(t)
	app := storetest.PostgresSchema(t, db, `CREATE TABLE "Post" (id int); CREATE TABLE "Comment" (id int)`)
	before := pgCatalog(t, app)
	_, err := store.Open(t.Context(), app, store.Options{})
	want := "pgstore: no Auth.js session table in the database: found tables Comment, Post; looked for sessions/session/Session/next_auth.sessions (drizzle, kysely, pg-adapter, prisma, prisma-snake, supabase layouts)"
	if err == nil || err.Error() != want || !errors.Is(err, pgstore.ErrNoTable) {
		t.Fatalf("err = %v\nwant  %s", err, want)
	}
	if pgCatalog(t, app) != before {
		t.Fatal("a failed open changed the schema")
	}
	_, pg := preset(t, "pg-adapter")
	_, dr := preset(t, "drizzle")
	dr = dr[:strings.Index(dr, "ALTER TABLE")] // its foreign key names "public"
	both := storetest.PostgresSchema(t, db, pg+dr)
	if _, err := store.Open(t.Context(), both, store.Options{}); err == nil || !strings.Contains(err.Error(), "several Auth.js layouts (drizzle, pg-adapter): pick one with --schema") {
		t.Fatalf("two layouts: %v", err)
	}
	st, err := store.Open(t.Context(), both, store.Options{Schema: "drizzle"})
	if err != nil || st.(*pgstore.Store).Layout().Name != "drizzle" {
		t.Fatalf("--schema overrides detection: %v", err)
	}
	st.Close()
	renamed := storetest.PostgresSchema(t, db, pg+`ALTER TABLE sessions RENAME COLUMN "sessionToken" TO token;`)
	if _, err := store.Open(t.Context(), renamed, store.Options{}); err == nil || !strings.Contains(err.Error(), `layout pg-adapter: table "sessions" has no column "sessionToken"`) {
		t.Fatalf("near miss not named: %v", err)
	}
}
