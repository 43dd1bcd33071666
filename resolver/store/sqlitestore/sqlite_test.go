package sqlitestore_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
	"github.com/authscope/authscope/resolver/store/sqlitestore"
	"github.com/authscope/authscope/resolver/store/storetest"
)

func open(t *testing.T, path string, ro bool) *sqlitestore.Store {
	t.Helper()
	s, err := sqlitestore.Open(t.Context(), path, sqlitestore.Options{ReadOnly: ro, CreateIfEmpty: !ro})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Harness {
		path := filepath.Join(t.TempDir(), "sessions.db")
		return storetest.Harness{
			Store:    open(t, path, false),
			ReadOnly: func(t *testing.T) storetest.Full { return store.ReadOnly(open(t, path, true)).(storetest.Full) },
		}
	})
}

func TestMemory(t *testing.T) {
	s := open(t, ":memory:", false)
	storetest.Put(t, s, []resolver.StoredUser{{ID: "u"}}, []resolver.StoredSession{{Token: "t", UserID: "u", Expires: storetest.Now}})
	// The pool has one connection, so the data is seen by every call.
	for range 3 {
		if sess, _, err := s.SessionAndUser(t.Context(), "t"); err != nil || sess == nil {
			t.Fatal(sess, err)
		}
	}
}

func TestWrongSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	s := open(t, path, false)
	if _, err := s.DB().Exec(`DROP TABLE sessions; CREATE TABLE sessions (token text, expires text)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := sqlitestore.Open(t.Context(), path, sqlitestore.Options{})
	if err == nil || !strings.Contains(err.Error(), `table "sessions" has no column "sessionToken"`) {
		t.Fatalf("err = %v", err)
	}
	// Read-only never creates a schema: an empty file is an error naming the table.
	empty := filepath.Join(t.TempDir(), "empty.db")
	if _, err := sqlitestore.Open(t.Context(), empty, sqlitestore.Options{ReadOnly: true}); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = sqlitestore.Open(t.Context(), empty, sqlitestore.Options{ReadOnly: true})
	if err == nil || !strings.Contains(err.Error(), `no Auth.js session table in sqlite:`+empty+`: found no tables; looked for sessions/session/Session`) {
		t.Fatalf("err = %v", err)
	}
}

func TestMalformedRows(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "m.db"), false)
	if _, err := s.DB().Exec(`INSERT INTO users (id, name) VALUES ('u', 'x');
INSERT INTO sessions (id, sessionToken, userId, expires) VALUES ('1', 'bad-date', 'u', 'next tuesday'), ('2', 'int-ms', 'u', 1777636800000), ('3', 'iso-no-ms', 'u', '2026-05-01T12:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SessionAndUser(t.Context(), "bad-date"); !errors.Is(err, resolver.ErrMalformedRow) {
		t.Errorf("bad date: %v", err)
	}
	// Other spellings of a date are read, as a JavaScript Date would.
	for _, tok := range []string{"int-ms", "iso-no-ms"} {
		sess, _, err := s.SessionAndUser(t.Context(), tok)
		if err != nil || !sess.Expires.Equal(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)) {
			t.Errorf("%s: %+v %v", tok, sess, err)
		}
	}
	// The resolver turns a malformed row into a store error, not a crash.
	r, _ := resolver.New(resolver.Config{Strategy: resolver.StrategyDatabase}, resolver.WithStore(s))
	res, err := r.Resolve(t.Context(), resolver.FromCookieHeader("authjs.session-token=bad-date"))
	if err != nil || res.Reason != resolver.ReasonStoreError {
		t.Fatalf("%+v %v", res, err)
	}
}

func TestStoredFormat(t *testing.T) {
	// Expiries are written as Date.toISOString() does, so the file is what
	// the Auth.js SQLite adapter would have written.
	s := open(t, filepath.Join(t.TempDir(), "f.db"), false)
	storetest.Put(t, s, []resolver.StoredUser{{ID: "u"}}, []resolver.StoredSession{{Token: "t", UserID: "u", Expires: storetest.Now}})
	if err := s.UpdateExpiry(t.Context(), "t", time.Date(2026, 6, 1, 0, 0, 0, 5e6, time.FixedZone("x", 3600))); err != nil {
		t.Fatal(err)
	}
	var raw string
	if err := s.DB().QueryRowContext(context.Background(), `SELECT CAST(expires AS TEXT) FROM sessions`).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if raw != "2026-05-31T23:00:00.005Z" {
		t.Fatalf("stored %q", raw)
	}
}

func BenchmarkStoreLookup(b *testing.B) {
	s, err := sqlitestore.Open(b.Context(), filepath.Join(b.TempDir(), "b.db"), sqlitestore.Options{CreateIfEmpty: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.InsertUsers(b.Context(), []resolver.StoredUser{{ID: "u"}}); err != nil {
		b.Fatal(err)
	}
	if _, err := s.InsertSessions(b.Context(), []resolver.StoredSession{{Token: "t", UserID: "u", Expires: storetest.Now}}); err != nil {
		b.Fatal(err)
	}
	b.Run("sqlite", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if sess, _, err := s.SessionAndUser(b.Context(), "t"); err != nil || sess == nil {
				b.Fatal(err)
			}
		}
	})
}

func TestWAL(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "w.db"), false)
	var mode string
	if err := s.DB().QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode %q %v", mode, err)
	}
}

// TestOpenMustExist: with MustExist a missing file is an error (and is not
// created); an existing store opens; only CreateIfEmpty creates the store.
func TestOpenMustExist(t *testing.T) {
	path := filepath.Join(t.TempDir(), "typo.db")
	if _, err := sqlitestore.Open(t.Context(), path, sqlitestore.Options{MustExist: true}); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "no such SQLite store") {
		t.Fatalf("missing file: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("MustExist created %s: %v", path, err)
	}
	if _, err := sqlitestore.Open(t.Context(), path, sqlitestore.Options{}); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file without CreateIfEmpty: %v", err)
	}
	s, err := sqlitestore.Open(t.Context(), path, sqlitestore.Options{CreateIfEmpty: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = sqlitestore.Open(t.Context(), path, sqlitestore.Options{MustExist: true})
	if err != nil {
		t.Fatalf("existing store: %v", err)
	}
	s.Close()
	m, err := sqlitestore.Open(t.Context(), ":memory:", sqlitestore.Options{MustExist: true, CreateIfEmpty: true})
	if err != nil {
		t.Fatalf(":memory: %v", err)
	}
	m.Close()
}
