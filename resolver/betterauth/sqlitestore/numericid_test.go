package sqlitestore

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/betterauth"
	"github.com/authscope/authscope/resolver/store"
)

// serialSchema is Schema as better-auth's migration writes it with
// advanced.database.generateId: "serial" on SQLite (get-migration.mjs
// useNumberId: the ids and userId are "integer").
var serialSchema = strings.NewReplacer(`"id" text`, `"id" integer`, `"userId" text`, `"userId" integer`).Replace(Schema)

// Numeric ids are read as numbers and written into the get-session body as
// strings (the "id" field type's output transform), browsed and revoked by
// their text.
func TestNumericIDs(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "serial.sqlite")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	iso := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
	for _, q := range []string{serialSchema,
		`INSERT INTO "user" VALUES (7, 'Ada', 'ada@example.test', 0, NULL, '` + iso(now) + `', '` + iso(now) + `')`,
		`INSERT INTO "session" VALUES (42, '` + iso(now.Add(6*24*time.Hour+time.Hour)) + `', 'tok42', '` + iso(now) + `', '` + iso(now) + `', NULL, NULL, 7)`,
		`INSERT INTO "session" VALUES (43, '` + iso(now.Add(5*24*time.Hour)) + `', 'tok43', '` + iso(now) + `', '` + iso(now) + `', NULL, NULL, 7)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	st, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	secret := "numeric-id-test-secret-0123456789abcdef"
	r, err := betterauth.New(betterauth.Config{BaseURL: "http://localhost:3000", Secrets: betterauth.Secrets{Current: secret}},
		betterauth.WithStore(st), betterauth.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	a, err := r.ResolveBody(ctx, resolver.FromCookieHeader("better-auth.session_token="+betterauth.SignCookieValue("tok42", secret)), betterauth.Options{})
	if err != nil || a.Body == nil {
		t.Fatalf("resolve: %v %s", err, a.Result.Reason)
	}
	body := string(betterauth.MarshalBody(a.Body))
	for _, want := range []string{`"id":"42"`, `"userId":"7"`, `"id":"7"`, `"emailVerified":false`} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %s: %s", want, body)
		}
	}
	// Due for update: the extension is written back by the integer id's row.
	a, err = r.ResolveBody(ctx, resolver.FromCookieHeader("better-auth.session_token="+betterauth.SignCookieValue("tok43", secret)), betterauth.Options{})
	if err != nil || a.Body == nil || len(a.SetCookie) == 0 {
		t.Fatalf("due: %v %s %q", err, a.Result.Reason, a.SetCookie)
	}
	var exp time.Time
	if err := db.QueryRowContext(ctx, `SELECT "expiresAt" FROM "session" WHERE "id" = 43`).Scan(&exp); err != nil || !exp.Equal(now.Add(7*24*time.Hour)) {
		t.Fatalf("extended row: %s %v", exp, err)
	}
	p, err := st.ListSessions(ctx, store.ListQuery{Filter: "7"})
	if err != nil || len(p.Rows) != 2 || p.Rows[0].Session.UserID != "7" || p.Rows[0].User == nil || p.Rows[0].User.ID != "7" {
		t.Fatalf("list: %+v %v", p.Rows, err)
	}
	if n, err := st.RevokeUser(ctx, "7"); err != nil || n != 2 {
		t.Fatalf("revoke user: %d %v", n, err)
	}
}
