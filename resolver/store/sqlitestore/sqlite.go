// Package sqlitestore is the embedded session store: SQLite through the
// pure-Go modernc.org/sqlite driver (no cgo), in the layout of Auth.js's
// SQLite adapter (@auth/d1-adapter): tables "users" and "sessions" with
// text ids, camelCase columns and expiries stored as ISO-8601 strings
// (Date.toISOString(), so text order is time order).
//
// The schema is created on first use, with the two indexes browsing needs
// (on expiry and on user id). An existing database is never altered: its
// layout is checked and a missing table or column is reported by name;
// `authscope db migrate` adds the indexes explicitly.
//
// The database runs in WAL mode (readers never wait for the writer) with a
// busy timeout, behind a small bounded pool. Options.ReadOnly opens the
// file with mode=ro and never creates or alters a schema: a fence below
// store.ReadOnly, which is what turns writes into resolver.ErrReadOnly
// (store.Open applies it; callers of Open here wrap the store themselves).
//
// The package registers itself with store.Register for sqlite: and
// sqlite3: DSNs.
package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
	storedsn "github.com/authscope/authscope/resolver/store/internal/dsn"
)

// Options tune Open.
type Options struct {
	// ReadOnly opens the file read-only (mode=ro) and skips schema
	// creation; Migrate refuses with resolver.ErrReadOnly. Other writes
	// fail in SQLite: wrap the store in store.ReadOnly for ErrReadOnly.
	ReadOnly bool
	// MaxConns bounds the pool (default 4; 1 for an in-memory database).
	MaxConns int
	// BusyTimeout is how long a write waits for the lock (default 5s).
	BusyTimeout time.Duration
	// MustExist refuses a path with no file instead of creating a new,
	// empty store there: reading sessions from a mistyped path would
	// otherwise answer "no session" for every cookie.
	MustExist bool
}

// Store is a SQLite session store. It implements resolver.Store,
// store.Browser and store.Seeder.
type Store struct {
	db       *sql.DB
	readOnly bool
	path     string
}

var (
	_ resolver.Store = (*Store)(nil)
	_ store.Browser  = (*Store)(nil)
	_ store.Seeder   = (*Store)(nil)
)

// isoMillis is Date.prototype.toISOString's format.
const isoMillis = "2006-01-02T15:04:05.000Z"

// Schema is the @auth/d1-adapter layout plus the browsing indexes; it is
// what Open creates in an empty database and what Migrate completes.
const Schema = `CREATE TABLE IF NOT EXISTS "users" ("id" text NOT NULL DEFAULT '', "name" text DEFAULT NULL, "email" text DEFAULT NULL, "emailVerified" datetime DEFAULT NULL, "image" text DEFAULT NULL, PRIMARY KEY (id));
CREATE TABLE IF NOT EXISTS "sessions" ("id" text NOT NULL, "sessionToken" text NOT NULL, "userId" text NOT NULL DEFAULT NULL, "expires" datetime NOT NULL DEFAULT NULL, PRIMARY KEY (sessionToken));
` + IndexSQL

// IndexSQL adds the indexes the adapter's schema lacks.
const IndexSQL = `CREATE INDEX IF NOT EXISTS "sessions_expires_idx" ON "sessions" ("expires", "sessionToken");
CREATE INDEX IF NOT EXISTS "sessions_userId_idx" ON "sessions" ("userId", "sessionToken");
`

// Open opens (creating it unless read-only) the database at path, which is
// a file name or ":memory:".
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, fmt.Errorf("sqlite: %w: empty database path", storedsn.ErrBad)
	}
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = 5 * time.Second
	}
	memory := path == ":memory:"
	if opts.MaxConns <= 0 {
		opts.MaxConns = 4
	}
	if memory {
		// Every connection to :memory: is a different database.
		opts.MaxConns = 1
	}
	if opts.MustExist && !memory {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, noStoreError{path}
		}
	}
	if opts.ReadOnly && !memory {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("sqlite: %s: read-only mode never creates a database: %w", path, err)
		}
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", opts.BusyTimeout.Milliseconds()))
	if opts.ReadOnly {
		q.Set("mode", "ro")
	} else if !memory {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
	}
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(opts.MaxConns)
	db.SetMaxIdleConns(opts.MaxConns)
	if memory {
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
	}
	s := &Store{db: db, readOnly: opts.ReadOnly, path: path}
	if err := s.prepare(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// noStoreError is MustExist's refusal; errors.Is(err, fs.ErrNotExist).
type noStoreError struct{ path string }

func (e noStoreError) Error() string {
	return fmt.Sprintf("sqlite: no such SQLite store %s (authscope seed creates one)", e.path)
}

func (noStoreError) Is(target error) bool { return target == fs.ErrNotExist }

// prepare creates the schema in an empty database, or checks an existing one.
func (s *Store) prepare(ctx context.Context) error {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('users', 'sessions')`).Scan(&n); err != nil {
		return fmt.Errorf("sqlite: open %s: %w", s.path, err)
	}
	if n == 0 && !s.readOnly {
		if _, err := s.db.ExecContext(ctx, Schema); err != nil {
			return fmt.Errorf("sqlite: create schema: %w", err)
		}
		return nil
	}
	want := map[string][]string{
		"users":    {"id", "name", "email", "emailVerified", "image"},
		"sessions": {"sessionToken", "userId", "expires"},
	}
	for _, table := range []string{"users", "sessions"} {
		cols := map[string]bool{}
		rows, err := s.db.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, table)
		if err != nil {
			return fmt.Errorf("sqlite: inspect %s: %w", table, err)
		}
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				rows.Close()
				return fmt.Errorf("sqlite: inspect %s: %w", table, err)
			}
			cols[c] = true
		}
		rows.Close()
		if len(cols) == 0 {
			return fmt.Errorf("sqlite: %s: table %q does not exist (want the Auth.js SQLite adapter layout)", s.path, table)
		}
		for _, c := range want[table] {
			if !cols[c] {
				return fmt.Errorf("sqlite: %s: table %q has no column %q", s.path, table, c)
			}
		}
	}
	return nil
}

// Close implements resolver.Store.
func (s *Store) Close() error { return s.db.Close() }

// DB exposes the handle for migrations and tests.
func (s *Store) DB() *sql.DB { return s.db }

const lookupSQL = `SELECT s."sessionToken", s."userId", s."expires", u."id", u."name", u."email", u."image", u."emailVerified"
FROM "sessions" s LEFT JOIN "users" u ON u."id" = s."userId" WHERE s."sessionToken" = ? LIMIT 1`

// SessionAndUser implements resolver.Store with one joined query.
func (s *Store) SessionAndUser(ctx context.Context, token string) (*resolver.StoredSession, *resolver.StoredUser, error) {
	row := s.db.QueryRowContext(ctx, lookupSQL, token)
	sess, user, err := scanRow(row.Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: session lookup: %w", err)
	}
	return sess, user, nil
}

// scanRow reads the lookup/list columns.
func scanRow(scan func(...any) error) (*resolver.StoredSession, *resolver.StoredUser, error) {
	var (
		tok, uid               sql.NullString
		exp, verified          any
		id, name, email, image sql.NullString
	)
	if err := scan(&tok, &uid, &exp, &id, &name, &email, &image, &verified); err != nil {
		return nil, nil, err
	}
	expires, err := parseTime(exp)
	if err != nil || expires == nil {
		return nil, nil, fmt.Errorf("%w: expires %v", resolver.ErrMalformedRow, describe(exp))
	}
	sess := &resolver.StoredSession{Token: tok.String, UserID: uid.String, Expires: *expires}
	if !id.Valid {
		return sess, nil, nil
	}
	u := &resolver.StoredUser{ID: id.String, Name: nullable(name), Email: nullable(email), Image: nullable(image)}
	if v, err := parseTime(verified); err == nil {
		u.EmailVerified = v
	}
	return sess, u, nil
}

func describe(v any) string {
	if v == nil {
		return "NULL"
	}
	return fmt.Sprintf("of type %T", v)
}

func nullable(n sql.NullString) *string {
	if !n.Valid {
		return nil
	}
	return &n.String
}

// parseTime reads a datetime column: ISO text (what the adapter writes),
// a time the driver already parsed, or epoch milliseconds.
func parseTime(v any) (*time.Time, error) {
	var t time.Time
	switch x := v.(type) {
	case nil:
		return nil, nil
	case time.Time:
		t = x
	case string:
		p, err := time.Parse(time.RFC3339Nano, x)
		if err != nil {
			return nil, err
		}
		t = p
	case []byte:
		return parseTime(string(x))
	case int64:
		t = time.UnixMilli(x)
	default:
		return nil, fmt.Errorf("unexpected %T", v)
	}
	t = t.UTC()
	return &t, nil
}

func iso(t time.Time) string { return t.UTC().Format(isoMillis) }

// UpdateExpiry implements resolver.Store.
func (s *Store) UpdateExpiry(ctx context.Context, token string, expires time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE "sessions" SET "expires" = ? WHERE "sessionToken" = ?`, iso(expires), token); err != nil {
		return fmt.Errorf("sqlite: update session: %w", err)
	}
	return nil
}

// DeleteSession implements resolver.Store.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	_, err := s.deleteSession(ctx, token)
	return err
}

func (s *Store) deleteSession(ctx context.Context, token string) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM "sessions" WHERE "sessionToken" = ?`, token)
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete session: %w", err)
	}
	return res.RowsAffected()
}

// IntegerUserIDs implements store.Seeder: ids are text.
func (s *Store) IntegerUserIDs() bool { return false }

// InsertUsers implements store.Seeder.
func (s *Store) InsertUsers(ctx context.Context, users []resolver.StoredUser) (int, error) {
	return s.insert(ctx, `INSERT OR IGNORE INTO "users" ("id", "name", "email", "emailVerified", "image") VALUES `, 5, len(users), func(i int, args []any) []any {
		u := users[i]
		var verified any
		if u.EmailVerified != nil {
			verified = iso(*u.EmailVerified)
		}
		return append(args, u.ID, u.Name, u.Email, verified, u.Image)
	})
}

// InsertSessions implements store.Seeder. The row id is derived from
// the token (the adapter uses a random UUID; it only has to be unique).
func (s *Store) InsertSessions(ctx context.Context, sessions []resolver.StoredSession) (int, error) {
	return s.insert(ctx, `INSERT OR IGNORE INTO "sessions" ("id", "sessionToken", "userId", "expires") VALUES `, 4, len(sessions), func(i int, args []any) []any {
		ss := sessions[i]
		return append(args, "s_"+ss.Token, ss.Token, ss.UserID, iso(ss.Expires))
	})
}

// rowsPerInsert is how many rows one multi-row INSERT carries: per-statement
// overhead dominates single-row inserts in the pure-Go driver.
const rowsPerInsert = 200

// insert writes n rows in one transaction, rowsPerInsert per statement.
func (s *Store) insert(ctx context.Context, prefix string, cols, n int, row func(int, []any) []any) (int, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("sqlite: begin: %w", err)
	}
	defer tx.Rollback()
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	stmts := map[int]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	total := 0
	args := make([]any, 0, rowsPerInsert*cols)
	for start := 0; start < n; start += rowsPerInsert {
		k := min(rowsPerInsert, n-start)
		st, ok := stmts[k]
		if !ok {
			st, err = tx.PrepareContext(ctx, prefix+strings.TrimSuffix(strings.Repeat(one+", ", k), ", "))
			if err != nil {
				return 0, fmt.Errorf("sqlite: prepare: %w", err)
			}
			stmts[k] = st
		}
		args = args[:0]
		for i := start; i < start+k; i++ {
			args = row(i, args)
		}
		res, err := st.ExecContext(ctx, args...)
		if err != nil {
			return 0, fmt.Errorf("sqlite: insert: %w", err)
		}
		m, _ := res.RowsAffected()
		total += int(m)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("sqlite: commit: %w", err)
	}
	return total, nil
}

// Migrate adds the browsing indexes to an existing database (the schema
// Open creates already has them). It returns the SQL it ran, or would run
// when dryRun is set: only the indexes that are missing.
func (s *Store) Migrate(ctx context.Context, dryRun bool) ([]string, error) {
	// Only the missing indexes: a store seed created has them all, and
	// listing them as "would run" reads as work left to do.
	var stmts []string
	for _, st := range strings.Split(strings.TrimSpace(IndexSQL), "\n") {
		_, rest, _ := strings.Cut(st, `EXISTS "`)
		name, _, _ := strings.Cut(rest, `"`)
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?`, name).Scan(&n); err != nil {
			return nil, fmt.Errorf("sqlite: migrate: %w", err)
		}
		if n == 0 {
			stmts = append(stmts, st)
		}
	}
	if dryRun {
		return stmts, nil
	}
	if s.readOnly {
		return nil, resolver.ErrReadOnly
	}
	for _, st := range stmts {
		if _, err := s.db.ExecContext(ctx, st); err != nil {
			return nil, fmt.Errorf("sqlite: migrate: %w", err)
		}
	}
	return stmts, nil
}
