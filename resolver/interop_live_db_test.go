package resolver_test

// Live database-strategy interop: the real Auth.js (server.mjs with
// @auth/pg-adapter, @auth/unstorage-adapter's redis driver,
// @auth/mongodb-adapter on FerretDB, @auth/drizzle-adapter on MariaDB or
// on SQLite through better-sqlite3) writes the
// sessions; Go resolves them through its own stores and must answer what
// the real GET /session answers, and its pruning and extension must leave
// the rows as Auth.js leaves them (read back through the real adapter).
//
// Needs AUTHSCOPE_INTEROP=live (see interop_live_test.go) and the local
// PostgreSQL / Redis / MariaDB / FerretDB (skipped without them, failed
// under CI=true).

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/authjstest"
	"github.com/authscope/authscope/resolver/store"
	_ "github.com/authscope/authscope/resolver/store/all" // every driver: the CLI opens any DSN
	"github.com/authscope/authscope/resolver/store/mysqlstore"
	"github.com/authscope/authscope/resolver/store/pgstore"
	"github.com/authscope/authscope/resolver/store/sqlitestore"
	"github.com/authscope/authscope/resolver/store/storetest"
)

// adapterServer is a server.mjs with an adapter, plus the Go store over the
// same database.
type adapterServer struct {
	origin string
	store  resolver.Store
	// uniqueEmails: the schema has a unique index on the user's e-mail, so
	// create() makes each address its own (local+N@domain).
	uniqueEmails bool
	created      *int
	// precision is the expiry column's resolution when coarser than a
	// millisecond (Drizzle's MySQL TIMESTAMP: seconds, rounded by the
	// server), the slack on "extended to at least now + maxAge".
	precision time.Duration
}

// adapterDB is a fresh database with an adapter's tables, and what the
// harness needs to open that adapter on it (adapters.mjs).
type adapterDB struct {
	dsn  string
	env  map[string]string // AUTHJS_ADAPTER and the database's variables
	opts store.Options
	// uniqueEmails: the schema has a unique index on the user's e-mail.
	uniqueEmails bool
	precision    time.Duration // see adapterServer.precision
}

// newAdapterDB creates the database for an adapter kind from the
// adapter's own DDL (pg-adapter: its server creates them; Redis and
// MongoDB need none).
func newAdapterDB(t *testing.T, kind string) adapterDB {
	t.Helper()
	env := map[string]string{}
	var dsn string
	var opts store.Options
	uniqueEmails, precision := false, time.Duration(0)
	switch kind {
	case "pg":
		dsn = storetest.PostgresDB(t)
		env["AUTHJS_ADAPTER"], env["DATABASE_URL"], env["AUTHJS_PG_INIT"] = "pg", dsn, "1"
	case "redis":
		prefix := storetest.RedisPrefix(t)
		dsn = storetest.RedisURL
		opts.Prefix = prefix
		env["AUTHJS_ADAPTER"], env["REDIS_URL"], env["AUTHJS_REDIS_PREFIX"] = "redis", dsn, prefix
	case "mongodb":
		// The adapter's collections appear on its first write; the Go store
		// opens before that, so they are made here as a sign-in would.
		dsn = storetest.MongoDB(t)
		storetest.MongoCollections(t, dsn, "users", "sessions")
		env["AUTHJS_ADAPTER"], env["MONGODB_URL"] = "mongodb", dsn
	case "drizzle-mysql":
		// drizzle-kit's SQL for the adapter's default schema, without its
		// foreign key so that "user missing" can be written (a deployment
		// keeps the cascade and cannot have one). Its unique e-mail index
		// stays: create() gives every user an address of its own.
		dsn = storetest.MySQLDB(t)
		ddl, err := mysqlstore.SchemaSQL("drizzle")
		if err != nil {
			t.Fatal(err)
		}
		storetest.MySQLExec(t, dsn, withoutForeignKey(ddl))
		uniqueEmails, precision = true, time.Second
		env["AUTHJS_ADAPTER"], env["MYSQL_URL"] = "drizzle-mysql", dsn
	case "prisma-pg":
		// prisma migrate's SQL for the documented schema (pgstore's "prisma"
		// preset), without the foreign key (see drizzle-mysql).
		dsn = storetest.PostgresDB(t)
		ddl, err := pgstore.SchemaSQL("prisma")
		if err != nil {
			t.Fatal(err)
		}
		storetest.PostgresExec(t, dsn, withoutForeignKey(ddl))
		uniqueEmails = true
		env["AUTHJS_ADAPTER"], env["DATABASE_URL"] = kind, dsn
	case "drizzle-pg", "kysely-pg", "supabase":
		// The adapter's own DDL (drizzle-kit's, the Kysely migration in the
		// adapter's docs, the Supabase adapter's SQL) without its foreign
		// key, so that "user missing" can be written; the unique e-mail
		// indexes stay (see drizzle-mysql).
		dsn = storetest.PostgresDB(t)
		ddl, err := pgstore.SchemaSQL(strings.TrimSuffix(kind, "-pg"))
		if err != nil {
			t.Fatal(err)
		}
		storetest.PostgresExec(t, dsn, withoutForeignKey(ddl))
		uniqueEmails = true
		env["AUTHJS_ADAPTER"], env["DATABASE_URL"] = kind, dsn
	case "kysely-mysql", "prisma-mysql":
		dsn = storetest.MySQLDB(t)
		ddl, err := mysqlstore.SchemaSQL(strings.TrimSuffix(kind, "-mysql"))
		if err != nil {
			t.Fatal(err)
		}
		storetest.MySQLExec(t, dsn, withoutForeignKey(ddl))
		uniqueEmails = true
		env["AUTHJS_ADAPTER"], env["MYSQL_URL"] = kind, dsn
	case "prisma-sqlite", "prisma-sqlite-ms":
		// prisma migrate's SQL for the documented Auth.js schema
		// (testdata/authjs/prisma/schema-sqlite.prisma) without its foreign key; the
		// client is Prisma 7's, on its better-sqlite3 driver adapter, storing
		// dates as ISO text (its default) or epoch milliseconds.
		path := filepath.Join(t.TempDir(), "app.db")
		db, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(prismaSQLiteSchema); err != nil {
			t.Fatal(err)
		}
		db.Close()
		dsn, uniqueEmails = "sqlite:"+path, true
		env["AUTHJS_ADAPTER"], env["SQLITE_PATH"] = "prisma-sqlite", path
		if kind == "prisma-sqlite-ms" {
			env["PRISMA_TIMESTAMP_FORMAT"] = "unixepoch-ms"
		}
	case "drizzle-sqlite":
		// The adapter's default SQLite schema (timestamp_ms dates), as
		// drizzle-kit creates it, without the foreign key (see above).
		path := filepath.Join(t.TempDir(), "app.db")
		db, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(sqlitestore.DrizzleSchema); err != nil {
			t.Fatal(err)
		}
		db.Close()
		dsn, uniqueEmails = "sqlite:"+path, true
		env["AUTHJS_ADAPTER"], env["SQLITE_PATH"] = "drizzle-sqlite", path
	}
	return adapterDB{dsn: dsn, env: env, opts: opts, uniqueEmails: uniqueEmails, precision: precision}
}

func startAdapterServer(t *testing.T, kind string) adapterServer {
	t.Helper()
	authjstest.RequireLive(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db := newAdapterDB(t, kind)
	env := maps.Clone(db.env)
	env["AUTH_SECRET"] = testSecret(t)
	origin := authjstest.Start(t, env) // creates the pg-adapter tables before listening
	st, err := store.Open(ctx, db.dsn, db.opts)
	if err != nil {
		t.Fatalf("open %s store: %v", kind, err)
	}
	t.Cleanup(func() { st.Close() })
	return adapterServer{origin: origin, store: st, uniqueEmails: db.uniqueEmails, created: new(int), precision: db.precision}
}

// prismaSQLiteSchema is prisma migrate's SQL for the Auth.js Prisma schema
// on SQLite (the session and user tables), without the session's foreign
// key (see drizzle-mysql).
const prismaSQLiteSchema = `CREATE TABLE "User" ("id" TEXT NOT NULL PRIMARY KEY, "name" TEXT, "email" TEXT NOT NULL, "emailVerified" DATETIME, "image" TEXT, "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, "updatedAt" DATETIME NOT NULL);
CREATE TABLE "Session" ("sessionToken" TEXT NOT NULL, "userId" TEXT NOT NULL, "expires" DATETIME NOT NULL, "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, "updatedAt" DATETIME NOT NULL);
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
CREATE UNIQUE INDEX "Session_sessionToken_key" ON "Session"("sessionToken");`

// withoutForeignKey drops the DDL's ALTER TABLE … ADD CONSTRAINT … FOREIGN
// KEY statements and keeps the rest.
func withoutForeignKey(ddl string) string {
	var keep []string
	for _, stmt := range strings.Split(ddl, "\n") {
		if !strings.HasPrefix(stmt, "ALTER TABLE") || !strings.Contains(stmt, "FOREIGN KEY") {
			keep = append(keep, stmt)
		}
	}
	return strings.TrimSuffix(strings.TrimSpace(strings.Join(keep, "\n")), ";")
}

func (a adapterServer) post(t *testing.T, path string, in, out any) {
	t.Helper()
	b, _ := json.Marshal(in)
	resp, err := liveClient.Post(a.origin+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %d %s", path, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		t.Fatalf("POST %s: %v (%s)", path, err, body)
	}
}

type createdSession struct {
	SessionToken string `json:"sessionToken"`
	UserID       string `json:"userId"`
	Expires      string `json:"expires"`
}

// create has the real adapter write a user (unless userID is given) and a
// session expiring at expires.
func (a adapterServer) create(t *testing.T, user map[string]any, userID string, expires time.Time) createdSession {
	t.Helper()
	if email, ok := user["email"].(string); ok && a.uniqueEmails {
		*a.created++
		local, domain, _ := strings.Cut(email, "@")
		user = maps.Clone(user)
		user["email"] = fmt.Sprintf("%s+%d@%s", local, *a.created, domain)
	}
	in := map[string]any{"user": user, "expires": expires.UTC().Format(jsISO)}
	if userID != "" {
		in["userId"] = userID
	}
	var out createdSession
	a.post(t, "/test/create-session", in, &out)
	return out
}

// row reads the session back through the real adapter's getSessionAndUser
// (nil when Auth.js would find no session).
func (a adapterServer) row(t *testing.T, token string) *time.Time {
	t.Helper()
	var out *struct {
		Session struct {
			Expires string `json:"expires"`
		} `json:"session"`
	}
	a.post(t, "/test/get-session", map[string]string{"sessionToken": token}, &out)
	if out == nil {
		return nil
	}
	exp, err := time.Parse(time.RFC3339Nano, out.Session.Expires)
	if err != nil {
		t.Fatalf("adapter expires %q: %v", out.Session.Expires, err)
	}
	return &exp
}

func (a adapterServer) resolveGo(t *testing.T, header string) resolver.Result {
	t.Helper()
	cfg := resolver.Config{Mode: resolver.ModeLocal, Strategy: resolver.StrategyDatabase, BaseURL: a.origin}
	return resolveGo(t, cfg, header, resolver.WithStore(a.store))
}

// both resolves header in Go first, then asks the real server, and
// requires the same answer. With the database strategy the body is
// deterministic (it reports the stored expiry), so it must match exactly.
func (a adapterServer) both(t *testing.T, goHeader, realHeader string) (resolver.Result, liveResponse) {
	t.Helper()
	res := a.resolveGo(t, goHeader)
	real := getSession(t, a.origin, realHeader, false)
	if real.status != http.StatusOK {
		t.Fatalf("real status %d body %s", real.status, real.body)
	}
	if got := string(resolver.MarshalSessionBody(res.Session)); got != real.body {
		t.Errorf("body: Go %s, real Auth.js %s (reason %s, %v)", got, real.body, res.Reason, res.Err)
	}
	return res, real
}

func TestLiveDatabaseInterop(t *testing.T) {
	for _, kind := range []string{"pg", "redis", "mongodb", "drizzle-mysql", "drizzle-sqlite", "drizzle-pg", "kysely-pg", "kysely-mysql", "supabase", "prisma-sqlite", "prisma-sqlite-ms", "prisma-pg", "prisma-mysql"} {
		t.Run(kind, func(t *testing.T) {
			a := startAdapterServer(t, kind)
			name := resolver.DefaultCookieName
			ck := func(tok string) string { return name + "=" + tok }
			ada := map[string]any{"name": "Ada Lovelace", "email": "ada@example.test", "image": "https://avatars.example.com/u/1815?v=4"}
			now := time.Now()
			maxAge, updateAge := resolver.DefaultMaxAge, resolver.DefaultUpdateAge

			t.Run("fresh session", func(t *testing.T) {
				s := a.create(t, ada, "", now.Add(maxAge-time.Hour))
				res, real := a.both(t, ck(s.SessionToken), ck(s.SessionToken))
				if !res.OK() {
					t.Fatalf("no session: %s %v", res.Reason, res.Err)
				}
				sameSessionCookies(t, name, real.setCookies, res.SetCookies)
				if exp := a.row(t, s.SessionToken); exp == nil || exp.Format(jsISO) != s.Expires {
					t.Errorf("a fresh session was rewritten: %v, created %s", exp, s.Expires)
				}
			})

			t.Run("due for update extends like Auth.js", func(t *testing.T) {
				stored := now.Add(maxAge - updateAge - time.Hour)
				goS := a.create(t, ada, "", stored)
				realS := a.create(t, nil, goS.UserID, stored)
				res, real := a.both(t, ck(goS.SessionToken), ck(realS.SessionToken))
				if !strings.Contains(real.body, goS.Expires) {
					t.Errorf("real body %s should report the stored expiry %s", real.body, goS.Expires)
				}
				sameSessionCookies(t, name, real.setCookies, res.SetCookies)
				goExp, realExp := a.row(t, goS.SessionToken), a.row(t, realS.SessionToken)
				if goExp == nil || realExp == nil {
					t.Fatalf("rows vanished: go %v real %v", goExp, realExp)
				}
				if absDur(goExp.Sub(*realExp)) > liveTolerance || goExp.Before(now.Add(maxAge-a.precision)) {
					t.Errorf("extended expiry: Go wrote %s, Auth.js wrote %s", goExp.Format(jsISO), realExp.Format(jsISO))
				}
			})

			t.Run("expired session is pruned like Auth.js", func(t *testing.T) {
				goS := a.create(t, ada, "", now.Add(-time.Minute))
				realS := a.create(t, nil, goS.UserID, now.Add(-time.Minute))
				res, real := a.both(t, ck(goS.SessionToken), ck(realS.SessionToken))
				if res.Reason != resolver.ReasonExpired {
					t.Errorf("reason %s, want %s", res.Reason, resolver.ReasonExpired)
				}
				sameSessionCookies(t, name, real.setCookies, res.SetCookies)
				if exp := a.row(t, goS.SessionToken); exp != nil {
					t.Errorf("Go left the expired session (expires %s)", exp.Format(jsISO))
				}
				if exp := a.row(t, realS.SessionToken); exp != nil {
					t.Errorf("Auth.js left the expired session (expires %s)", exp.Format(jsISO))
				}
			})

			t.Run("null user fields and unicode", func(t *testing.T) {
				s := a.create(t, map[string]any{"name": "Zoë 张伟 🚀 <b>&\u2028", "email": "zoë@exämple.test"}, "", now.Add(maxAge-time.Hour))
				if res, _ := a.both(t, ck(s.SessionToken), ck(s.SessionToken)); !res.OK() {
					t.Errorf("no session: %s %v", res.Reason, res.Err)
				}
			})

			t.Run("chunked cookie reassembled", func(t *testing.T) {
				s := a.create(t, ada, "", now.Add(maxAge-time.Hour))
				tok := s.SessionToken
				h := name + ".1=" + tok[10:] + "; " + name + ".0=" + tok[:10]
				res, real := a.both(t, h, h)
				if !res.OK() {
					t.Fatalf("no session: %s %v", res.Reason, res.Err)
				}
				sameSessionCookies(t, name, real.setCookies, res.SetCookies)
			})

			t.Run("user missing", func(t *testing.T) {
				missing := "999999"
				switch kind {
				case "mongodb":
					missing = "0123456789abcdef01234567" // the adapter takes only ObjectId hex
				case "kysely-pg", "supabase":
					missing = "00000000-0000-4000-8000-000000000999" // uuid columns
				}
				s := a.create(t, nil, missing, now.Add(maxAge-time.Hour))
				res, real := a.both(t, ck(s.SessionToken), ck(s.SessionToken))
				sameSessionCookies(t, name, real.setCookies, res.SetCookies)
			})

			t.Run("unknown and hostile tokens", func(t *testing.T) {
				for _, tok := range []string{"00000000-0000-4000-8000-000000000000", "x'%20OR%20'1'%3D'1", "%00", strings.Repeat("a", 300)} {
					res, real := a.both(t, ck(tok), ck(tok))
					sameSessionCookies(t, name, real.setCookies, res.SetCookies)
				}
			})
		})
	}
}
