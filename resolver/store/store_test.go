package store_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
	_ "github.com/authscope/authscope/resolver/store/all"
	"github.com/authscope/authscope/resolver/store/pgstore"
	"github.com/authscope/authscope/resolver/store/storetest"
)

func TestOpen(t *testing.T) {
	ctx := t.Context()
	s, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "a.db"), store.Options{CreateIfEmpty: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(store.Browser); !ok {
		t.Error("sqlite store is not a Browser")
	}
	s.Close()

	db := storetest.PostgresDB(t)
	ddl, _ := pgstore.SchemaSQL("prisma")
	dsn := storetest.PostgresSchema(t, db, ddl)
	if _, err := store.Open(ctx, dsn, store.Options{Schema: "pg-adapter"}); err == nil || !strings.Contains(err.Error(), `"users" does not exist`) {
		t.Fatalf("pg-adapter layout on a prisma db: %v", err)
	}
	auto, err := store.Open(ctx, dsn, store.Options{})
	if err != nil || auto.(*pgstore.Store).Layout().Name != "prisma" {
		t.Fatalf("auto on a prisma db: %v", err)
	}
	auto.Close()
	p, err := store.Open(ctx, dsn, store.Options{Schema: "prisma", ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.DeleteSession(ctx, "x"); !errors.Is(err, resolver.ErrReadOnly) {
		t.Errorf("read-only: %v", err)
	}
	p.Close()
	if _, err := store.Open(ctx, dsn, store.Options{Schema: "mongo"}); err == nil || !strings.Contains(err.Error(), "pg-adapter") {
		t.Errorf("unknown schema: %v", err)
	}

	prefix := storetest.RedisPrefix(t)
	r, err := store.Open(ctx, storetest.RedisURL, store.Options{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	r.Close()

	for _, bad := range []string{"oracle://x", "nocolon", ""} {
		if _, err := store.Open(ctx, bad, store.Options{}); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:s3cr3t@db:5432/app":           "postgres://u:xxxxx@db:5432/app",
		"postgres://db/app?password=s3cr3t&x=1":     "postgres://db/app?password=xxxxx&x=1",
		"redis://:s3cr3t@127.0.0.1:6379/0":          "redis://:xxxxx@127.0.0.1:6379/0",
		"sqlite:/var/lib/authscope/sessions.db":     "sqlite:/var/lib/authscope/sessions.db",
		"host=db user=u password=s3cr3t dbname=app": "host=db user=u password=••• dbname=app",
	} {
		if got := store.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSeedDeterministic(t *testing.T) {
	opts := store.SeedOptions{Users: 10, Sessions: 1000, Seed: 3, Now: storetest.Now}.WithDefaults()
	a, b := store.SeedSession(opts, 5, false), store.SeedSession(opts, 5, false)
	if a != b || store.SeedToken(3, 5) != a.Token || store.SeedToken(4, 5) == a.Token {
		t.Fatalf("tokens must depend on the seed only: %v %v", a, b)
	}
	u := store.SeedUser(3, 1, false)
	if !strings.HasSuffix(*u.Email, "@example.com") && !strings.HasSuffix(*u.Email, "@example.org") {
		t.Errorf("email %q outside the reserved domains", *u.Email)
	}
	if id := store.SeedUserID(3, 1, true); id != "1030000001" {
		t.Errorf("integer id %q", id)
	}
	var expired, due, fresh int
	dueBy := store.DueBy(opts.Now, opts.MaxAge, opts.UpdateAge)
	for j := range opts.Sessions {
		e := store.SeedSession(opts, j, false).Expires
		switch {
		case e.Before(opts.Now):
			expired++
		case !e.After(dueBy):
			due++
		default:
			fresh++
		}
		if e.After(opts.Now.Add(opts.MaxAge)) || e.Before(opts.Now.Add(-opts.MaxAge-1)) {
			t.Fatalf("expiry %v outside [now-maxAge, now+maxAge]", e)
		}
	}
	if expired < 150 || due < 150 || fresh < 500 {
		t.Errorf("mix %d expired, %d due, %d fresh", expired, due, fresh)
	}
}

// TestOpenBadDSN: every malformed connection string is an ErrBadDSN (a
// usage error for the CLI), while an unreachable store is not.
func TestOpenBadDSN(t *testing.T) {
	ctx := t.Context()
	for _, bad := range []string{"mysql://x", "nocolon", "", "sqlite:", "sqlite://", "postgres://%zz", "postgres://127.0.0.1/x?sslmode=bogus", "redis://127.0.0.1:1/notanumber"} {
		if _, err := store.Open(ctx, bad, store.Options{}); !errors.Is(err, store.ErrBadDSN) {
			t.Errorf("Open(%q) = %v; want ErrBadDSN", bad, err)
		}
	}
	if _, err := store.Open(ctx, "redis://127.0.0.1:1", store.Options{}); err == nil || errors.Is(err, store.ErrBadDSN) {
		t.Errorf("unreachable Redis: %v; want an error that is not ErrBadDSN", err)
	}
}
