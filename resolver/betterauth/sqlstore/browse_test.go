package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/betterauth"
	"github.com/authscope/authscope/resolver/betterauth/mysqlstore"
	"github.com/authscope/authscope/resolver/betterauth/pgstore"
	"github.com/authscope/authscope/resolver/betterauth/sqlstore"
	"github.com/authscope/authscope/resolver/store"
	"github.com/authscope/authscope/resolver/store/storetest"
)

func iso(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// seed writes 3 users with 5 sessions each: expiring 1h ago, in 1h, 2h,
// 6 days 23h and 7 days.
func seed(t testing.TB, st *sqlstore.Store, now time.Time) {
	t.Helper()
	var users, sessions []betterauth.Object
	offsets := []time.Duration{-time.Hour, time.Hour, 2 * time.Hour, 7*24*time.Hour - time.Hour, 7 * 24 * time.Hour}
	for u := range 3 {
		uid := fmt.Sprintf("user-%d", u)
		users = append(users, betterauth.Object{{Name: "id", Value: uid}, {Name: "name", Value: fmt.Sprintf("Name %d", u)},
			{Name: "email", Value: fmt.Sprintf("u%d@example.test", u)}, {Name: "emailVerified", Value: 0.0}, {Name: "createdAt", Value: iso(now)}, {Name: "updatedAt", Value: iso(now)}})
		for i, off := range offsets {
			sessions = append(sessions, betterauth.Object{{Name: "id", Value: fmt.Sprintf("s%d-%d", u, i)}, {Name: "expiresAt", Value: iso(now.Add(off))},
				{Name: "token", Value: fmt.Sprintf("tok-%d-%d", u, i)}, {Name: "createdAt", Value: iso(now)}, {Name: "updatedAt", Value: iso(now)}, {Name: "userId", Value: uid}})
		}
	}
	if err := st.InsertAll(context.Background(), users, sessions); err != nil {
		t.Fatal(err)
	}
}

// catalogOf dumps the schema (columns, types, defaults, indexes and
// constraints) to prove that nothing here alters it.
func catalogOf(t *testing.T, l layout, dsn string, st *sqlstore.Store) string {
	t.Helper()
	if l.dialect == "mysql" {
		return storetest.MySQLCatalog(t, dsn)
	}
	var b strings.Builder
	for _, q := range []string{
		`SELECT table_name || ' ' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '-') FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY 1`,
		`SELECT indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1`,
		`SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = current_schema()::regnamespace ORDER BY 1`,
	} {
		rows, err := st.DB().Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			rows.Scan(&s)
			b.WriteString(s + "\n")
		}
		rows.Close()
	}
	return b.String()
}

func TestBrowseAndCatalogUnchanged(t *testing.T) {
	now := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	for _, l := range layouts() {
		t.Run(l.name, func(t *testing.T) {
			ctx := context.Background()
			dsn := fresh(t, l)
			st := open(t, l, dsn, sqlstore.Layout{})
			if !strings.Contains(st.LayoutName(), l.session) {
				t.Fatalf("layout %s", st.LayoutName())
			}
			seed(t, st, now)
			before := catalogOf(t, l, dsn, st)
			cq := store.CountQuery{Now: now, MaxAge: betterauth.DefaultExpiresIn, UpdateAge: betterauth.DefaultUpdateAge}
			if c, err := st.Counts(ctx, cq); err != nil || c != (store.Counts{Total: 15, Active: 12, Expired: 3, Due: 6}) {
				t.Fatalf("counts %+v %v", c, err)
			}
			cq.Filter = "U1@EXAMPLE"
			if c, _ := st.Counts(ctx, cq); c.Total != 5 {
				t.Fatalf("filtered counts %+v", c)
			}
			var seen []resolver.SessionRow
			q := store.ListQuery{Limit: 4}
			for {
				p, err := st.ListSessions(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				seen = append(seen, p.Rows...)
				if p.Next == "" {
					break
				}
				q.After = p.Next
			}
			if len(seen) != 15 || seen[0].Session.Expires != now.Add(-time.Hour) || seen[0].User == nil || *seen[0].User.Email == "" {
				t.Fatalf("paged %d rows, first %+v", len(seen), seen[0])
			}
			for i := 1; i < len(seen); i++ {
				a, b := seen[i-1].Session, seen[i].Session
				if b.Expires.Before(a.Expires) || (b.Expires.Equal(a.Expires) && b.Token <= a.Token) {
					t.Fatalf("row %d out of order: %v then %v", i, a, b)
				}
			}
			due, err := st.ListSessions(ctx, store.ListQuery{State: store.StateDue, Now: now, MaxAge: betterauth.DefaultExpiresIn, UpdateAge: betterauth.DefaultUpdateAge, Sort: store.SortUser, Desc: true, Limit: 4})
			if err != nil || len(due.Rows) != 4 || due.Rows[0].Session.UserID != "user-2" || due.Next == "" {
				t.Fatalf("due rows %+v %v", due, err)
			}
			// getSession's writes (extend, prune) through a resolver.
			r, _ := betterauth.New(betterauth.Config{Secrets: betterauth.Secrets{Current: "test-only-secret-0123456789abcdef0123"}}, betterauth.WithStore(st),
				betterauth.WithClock(func() time.Time { return now }))
			for _, tok := range []string{"tok-0-0", "tok-0-1"} {
				r.ResolveBody(ctx, resolver.FromCookieHeader("better-auth.session_token="+betterauth.SignCookieValue(tok, "test-only-secret-0123456789abcdef0123")), betterauth.Options{})
			}
			if rec, _ := st.FindSession(ctx, "tok-0-0"); rec != nil {
				t.Fatal("expired session not pruned")
			}
			if rec, _ := st.FindSession(ctx, "tok-0-1"); rec == nil || !expiresAt(rec).Equal(now.Add(betterauth.DefaultExpiresIn)) {
				t.Fatalf("due session not extended: %+v", rec)
			}
			if err := st.RevokeSession(ctx, "tok-0-2"); err != nil {
				t.Fatal(err)
			}
			if err := st.RevokeSession(ctx, "tok-0-2"); !errors.Is(err, resolver.ErrNotFound) {
				t.Fatalf("second revoke: %v", err)
			}
			if n, err := st.RevokeUser(ctx, "user-1"); err != nil || n != 5 {
				t.Fatalf("revoke user: %d %v", n, err)
			}
			if c, _ := st.Counts(ctx, store.CountQuery{Now: now}); c.Total != 8 {
				t.Fatalf("after revocations %+v", c)
			}
			if _, err := st.ListSessions(ctx, store.ListQuery{After: "not a cursor!"}); err == nil {
				t.Fatal("a malformed cursor was accepted")
			}
			if after := catalogOf(t, l, dsn, st); after != before {
				t.Fatalf("the catalog changed:\n%s\nthen\n%s", before, after)
			}
		})
	}
}

// TestCustomMapping: modelName and fields as a deployment configures
// them, and detection refusing tables that are not Better Auth's.
func TestCustomMapping(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.PostgresDB(t)
	schema := storetest.PostgresSchema(t, dsn, `
CREATE TABLE app_users ("id" text primary key, "full_name" text not null, "email" text not null, "emailVerified" boolean not null, "image" text, "createdAt" timestamptz not null, "updatedAt" timestamptz not null);
CREATE TABLE app_sessions ("id" text primary key, "expiresAt" timestamptz not null, "session_token" text not null unique, "createdAt" timestamptz not null, "updatedAt" timestamptz not null, "ipAddress" text, "userAgent" text, "owner" text not null references app_users ("id"));
-- Auth.js's own "session" table: not Better Auth's (no token column).
CREATE TABLE "session" ("id" text primary key, "sessionToken" text, "userId" text, "expires" timestamptz);`)
	if _, err := pgstore.Open(ctx, schema, pgstore.Options{}); err == nil || !strings.Contains(err.Error(), "has no column for field") {
		t.Fatalf("detection took Auth.js's table: %v", err)
	}
	lay := sqlstore.Layout{SessionTable: "app_sessions", UserTable: "app_users",
		SessionColumns: map[string]string{"token": "session_token", "userId": "owner"}, UserColumns: map[string]string{"name": "full_name"}}
	st, err := pgstore.Open(ctx, schema, pgstore.Options{Layout: lay})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	seed(t, st, now)
	rec, err := st.FindSession(ctx, "tok-2-3")
	if err != nil || rec == nil {
		t.Fatalf("find: %v %v", rec, err)
	}
	if got := string(betterauth.AppendJS(nil, rec.User)); !strings.Contains(got, `"name":"Name 2"`) {
		t.Fatalf("user %s", got)
	}
	if _, err := mysqlstore.Open(ctx, "mysql://root@127.0.0.1:3306", mysqlstore.Options{}); !errors.Is(err, store.ErrBadDSN) {
		t.Fatalf("a DSN without a database: %v", err)
	}
}

func expiresAt(r *betterauth.Record) time.Time { t, _ := r.Session.Time("expiresAt"); return t }
