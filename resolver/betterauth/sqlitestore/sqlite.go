// Package sqlitestore reads and writes Better Auth sessions in the SQLite
// layout its built-in Kysely adapter creates (tables "user" and "session",
// dates as ISO 8601 text, booleans as 0/1; see testdata/betterauth/
// SEMANTICS.md), with the pure-Go modernc.org/sqlite driver. It implements
// betterauth.Store, so Go resolves the sessions a live Better Auth server
// wrote, and extends and prunes them as that server would.
//
// Custom layouts (modelName, fields, additionalFields) map through
// Options.
package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/authscope/authscope/resolver/betterauth"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Options map a customised Better Auth schema.
type Options struct {
	// SessionTable and UserTable are session.modelName / user.modelName
	// ("session", "user").
	SessionTable, UserTable string
	// SessionColumns and UserColumns map a field to its column
	// (session.fields / user.fields), e.g. {"userId": "user_id"}.
	SessionColumns, UserColumns map[string]string
	// SessionExtra and UserExtra are the additionalFields, in config order.
	SessionExtra, UserExtra []betterauth.AdditionalField
	// ReadOnly opens the file read-only; writes then fail.
	ReadOnly bool
	// BusyTimeout waits for the server's write locks (5 s).
	BusyTimeout time.Duration
}

// Store is a betterauth.Store over one SQLite file.
type Store struct {
	db   *sql.DB
	opts Options
}

var _ betterauth.Store = (*Store)(nil)

// Open opens the SQLite file at path (which must exist: the schema is
// Better Auth's to create, by its migrations).
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if opts.SessionTable == "" {
		opts.SessionTable = "session"
	}
	if opts.UserTable == "" {
		opts.UserTable = "user"
	}
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = 5 * time.Second
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", opts.BusyTimeout.Milliseconds()))
	if opts.ReadOnly {
		q.Set("mode", "ro")
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("betterauth sqlite: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(4)
	s := &Store{db: db, opts: opts}
	var n int
	err = db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN (?, ?)`, opts.SessionTable, opts.UserTable).Scan(&n)
	if err == nil && n != 2 {
		err = fmt.Errorf("tables %q and %q not found (run Better Auth's migrations first)", opts.SessionTable, opts.UserTable)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("betterauth sqlite: %s: %w", path, err)
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

func quote(id string) string { return `"` + strings.ReplaceAll(id, `"`, `""`) + `"` }

func col(m map[string]string, field string) string {
	if c, ok := m[field]; ok && c != "" {
		return c
	}
	return field
}

// row reads one row as field → value (columns renamed back to fields).
func (s *Store) row(ctx context.Context, table string, cols map[string]string, field, value string) (betterauth.Object, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT * FROM `+quote(table)+` WHERE `+quote(col(cols, field))+` = ? LIMIT 1`, value)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	if !rows.Next() {
		return nil, rows.Err()
	}
	vals := make([]any, len(names))
	ptrs := make([]any, len(names))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	back := map[string]string{}
	for f, c := range cols {
		back[c] = f
	}
	o := make(betterauth.Object, 0, len(names))
	for i, n := range names {
		if f, ok := back[n]; ok {
			n = f
		}
		o = append(o, betterauth.Field{Name: n, Value: sqlValue(vals[i])})
	}
	return o, rows.Err()
}

// sqlValue maps driver values onto the JSON values Better Auth's adapter
// sees from better-sqlite3: TEXT as string (a DATE column the driver parsed
// back to its ISO text), INTEGER and REAL as numbers, BLOB as text.
func sqlValue(v any) any {
	switch v := v.(type) {
	case int64:
		return float64(v)
	case []byte:
		return string(v)
	case time.Time:
		return v.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	return v
}

// FindSession implements betterauth.Store.
func (s *Store) FindSession(ctx context.Context, token string) (*betterauth.Record, error) {
	sr, err := s.row(ctx, s.opts.SessionTable, s.opts.SessionColumns, "token", token)
	if err != nil || sr == nil {
		return nil, wrap("find session", err)
	}
	uid, _ := sr.Get("userId")
	if uid == nil {
		return nil, nil
	}
	ur, err := s.row(ctx, s.opts.UserTable, s.opts.UserColumns, "id", fmt.Sprint(uid))
	if err != nil || ur == nil {
		return nil, wrap("find user", err)
	}
	return &betterauth.Record{
		Session: betterauth.AdapterOutput(sr, betterauth.SessionFields, s.opts.SessionExtra),
		User:    betterauth.AdapterOutput(ur, betterauth.UserFields, s.opts.UserExtra),
	}, nil
}

// UpdateSession implements betterauth.Store: Better Auth's Kysely adapter
// writes Dates as toISOString text on SQLite.
func (s *Store) UpdateSession(ctx context.Context, token string, expiresAt, updatedAt time.Time) (betterauth.Object, error) {
	c := s.opts.SessionColumns
	iso := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
	res, err := s.db.ExecContext(ctx, `UPDATE `+quote(s.opts.SessionTable)+` SET `+quote(col(c, "expiresAt"))+` = ?, `+quote(col(c, "updatedAt"))+` = ? WHERE `+quote(col(c, "token"))+` = ?`, iso(expiresAt), iso(updatedAt), token)
	if err != nil {
		return nil, wrap("update session", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, nil
	}
	sr, err := s.row(ctx, s.opts.SessionTable, c, "token", token)
	if err != nil || sr == nil {
		return nil, wrap("read updated session", err)
	}
	return betterauth.AdapterOutput(sr, betterauth.SessionFields, s.opts.SessionExtra), nil
}

// DeleteSession implements betterauth.Store.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM `+quote(s.opts.SessionTable)+` WHERE `+quote(col(s.opts.SessionColumns, "token"))+` = ?`, token)
	return wrap("delete session", err)
}

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("betterauth sqlite: %s: %w", op, err)
}
