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
	// Schema names the layout (see PresetNames); "" or "auto" finds it in
	// the catalog.
	Schema string
	// CreateIfEmpty creates the d1 layout (with the browsing indexes) in a
	// database that has no table at all: a new file. Only seeding sets it;
	// without it Open never changes a schema.
	CreateIfEmpty bool
	// CreateIfAbsent creates the d1 layout beside other tables when no
	// Auth.js layout is there (seed --create-schema: the user asked).
	CreateIfAbsent bool
}

// Store is a SQLite session store. It implements resolver.Store,
// store.Browser and store.Seeder.
type Store struct {
	db       *sql.DB
	readOnly bool
	path     string
	l        Layout
	q        queries
	extra    extraCols
}

var (
	_ resolver.Store = (*Store)(nil)
	_ store.Browser  = (*Store)(nil)
	_ store.Seeder   = (*Store)(nil)
)

// isoMillis is Date.prototype.toISOString's format.
const isoMillis = "2006-01-02T15:04:05.000Z"

// Schema is the @auth/d1-adapter layout plus the browsing indexes; it is
// what seeding creates in a new database and what Migrate completes.
const Schema = `CREATE TABLE IF NOT EXISTS "users" ("id" text NOT NULL DEFAULT '', "name" text DEFAULT NULL, "email" text DEFAULT NULL, "emailVerified" datetime DEFAULT NULL, "image" text DEFAULT NULL, PRIMARY KEY (id));
CREATE TABLE IF NOT EXISTS "sessions" ("id" text NOT NULL, "sessionToken" text NOT NULL, "userId" text NOT NULL DEFAULT NULL, "expires" datetime NOT NULL DEFAULT NULL, PRIMARY KEY (sessionToken));
` + IndexSQL

// IndexSQL adds the indexes the adapter's schema lacks.
const IndexSQL = `CREATE INDEX IF NOT EXISTS "sessions_expires_idx" ON "sessions" ("expires", "sessionToken");
CREATE INDEX IF NOT EXISTS "sessions_userId_idx" ON "sessions" ("userId", "sessionToken");
`

// Open opens the database at path, a file name or ":memory:", and finds
// its Auth.js layout. It changes no schema unless Options.CreateIfEmpty
// or CreateIfAbsent asks for the d1 tables.
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
	_, statErr := os.Stat(path)
	isNew := !memory && errors.Is(statErr, fs.ErrNotExist)
	if opts.MustExist && isNew {
		return nil, noStoreError{path}
	}
	if opts.ReadOnly && !memory && statErr != nil {
		return nil, fmt.Errorf("sqlite: %s: read-only mode never creates a database: %w", path, statErr)
	}
	if !opts.CreateIfEmpty && !opts.CreateIfAbsent && isNew {
		return nil, noStoreError{path}
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", opts.BusyTimeout.Milliseconds()))
	if opts.ReadOnly {
		q.Set("mode", "ro")
	} else if isNew {
		// WAL is persistent in the file: chosen only for a file we create,
		// never switched on in an application's database.
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
	if err := s.prepare(ctx, opts); err != nil {
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

// prepare finds the layout (creating the d1 one only when asked), checks
// it and builds the queries.
func (s *Store) prepare(ctx context.Context, opts Options) error {
	cat, err := readCatalog(ctx, s.db)
	if err != nil {
		return fmt.Errorf("sqlite: open %s: %w", s.path, err)
	}
	l, err := s.layout(cat, opts.Schema)
	if err != nil && s.mayCreate(cat, opts) {
		if opts.Schema != "" && opts.Schema != "auto" && opts.Schema != DefaultPreset {
			return fmt.Errorf("sqlite: %s: only the %s layout can be created (the %s tables come from your own migrations)", s.path, DefaultPreset, opts.Schema)
		}
		if _, err := s.db.ExecContext(ctx, Schema); err != nil {
			return fmt.Errorf("sqlite: create schema: %w", err)
		}
		if cat, err = readCatalog(ctx, s.db); err != nil {
			return fmt.Errorf("sqlite: open %s: %w", s.path, err)
		}
		l, err = s.layout(cat, DefaultPreset)
	}
	if err != nil {
		return err
	}
	if l.Time, err = s.timeFormat(ctx, l); err != nil {
		return err
	}
	if l.SessionUpdatedAt != "" && !cat.cols[l.Sessions][l.SessionUpdatedAt] {
		l.SessionUpdatedAt = "" // optional: older Prisma schemas lack it
	}
	if s.extra, err = readExtraCols(ctx, s.db, l); err != nil {
		return fmt.Errorf("sqlite: inspect %s: %w", s.path, err)
	}
	s.l = l
	s.q = buildQueries(l)
	return nil
}

// mayCreate reports whether opts allow creating the d1 tables here.
func (s *Store) mayCreate(cat *catalog, opts Options) bool {
	if s.readOnly {
		return false
	}
	return opts.CreateIfAbsent || (opts.CreateIfEmpty && len(cat.tables) == 0)
}

// layout is the named preset checked against the catalog, or the one the
// catalog matches.
func (s *Store) layout(cat *catalog, name string) (Layout, error) {
	if name == "" || name == "auto" {
		return cat.detect(s.path)
	}
	l, err := Preset(name)
	if err != nil {
		return l, err
	}
	if m := cat.missing(l); m != "" {
		return l, fmt.Errorf("sqlite: %s: layout %s: %s (found %s)", s.path, name, m, cat.describe())
	}
	return l, nil
}

// timeFormat is the layout's date storage, as an existing row shows it:
// Prisma's depends on the client that wrote it.
func (s *Store) timeFormat(ctx context.Context, l Layout) (TimeFormat, error) {
	var typ sql.NullString
	err := s.db.QueryRowContext(ctx, fmt.Sprintf(`SELECT typeof(%s) FROM %s LIMIT 1`, ident(l.SessionExpires), ident(l.Sessions))).Scan(&typ)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return l.Time, nil
	case err != nil:
		return "", fmt.Errorf("sqlite: inspect %s: %w", s.path, err)
	case typ.String == "integer" || typ.String == "real":
		return TimeMillis, nil
	case typ.String == "text":
		return TimeISO, nil
	}
	return l.Time, nil
}

// Layout returns the layout in use (its Name says which adapter's).
func (s *Store) Layout() Layout { return s.l }

// LayoutName implements store.LayoutNamer.
func (s *Store) LayoutName() string { return "sqlite " + s.l.Name }

// Path is the database file the store was opened on.
func (s *Store) Path() string { return s.path }

// Close implements resolver.Store.
func (s *Store) Close() error { return s.db.Close() }

// DB exposes the handle for migrations and tests.
func (s *Store) DB() *sql.DB { return s.db }

// SessionAndUser implements resolver.Store with one joined query.
func (s *Store) SessionAndUser(ctx context.Context, token string) (*resolver.StoredSession, *resolver.StoredUser, error) {
	row := s.db.QueryRowContext(ctx, s.q.lookup, token)
	sess, user, err := scanRow(row.Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: session lookup: %w", err)
	}
	if user == nil {
		user = store.OrphanUser(s.l.Name, sess)
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

// sqliteDateTime is CURRENT_TIMESTAMP's text, what a DEFAULT writes.
const sqliteDateTime = "2006-01-02 15:04:05"

// parseTime reads a date column: ISO text (the d1 adapter, Prisma's driver
// adapters), a time the driver already parsed, epoch milliseconds (Drizzle
// timestamp_ms, Prisma's native connector) or CURRENT_TIMESTAMP text.
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
			var err2 error
			if p, err2 = time.Parse(sqliteDateTime, x); err2 != nil {
				return nil, err
			}
		}
		t = p
	case []byte:
		return parseTime(string(x))
	case int64:
		t = time.UnixMilli(x)
	case float64:
		t = time.UnixMilli(int64(x))
	default:
		return nil, fmt.Errorf("unexpected %T", v)
	}
	t = t.UTC()
	return &t, nil
}

func iso(t time.Time) string { return t.UTC().Format(isoMillis) }

// timeArg is t as the layout stores dates.
func (s *Store) timeArg(t time.Time) any {
	if s.l.Time == TimeMillis {
		return t.UnixMilli()
	}
	return iso(t)
}

// UpdateExpiry implements resolver.Store. The row keeps its own date
// format, whatever the layout's default.
func (s *Store) UpdateExpiry(ctx context.Context, token string, expires time.Time) error {
	if s.readOnly {
		return resolver.ErrReadOnly
	}
	now := time.Now()
	if _, err := s.db.ExecContext(ctx, s.q.update, expires.UnixMilli(), iso(expires), now.UnixMilli(), iso(now), token); err != nil {
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
	if s.readOnly {
		return 0, resolver.ErrReadOnly
	}
	res, err := s.db.ExecContext(ctx, s.q.del, token)
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete session: %w", err)
	}
	return res.RowsAffected()
}

// IntegerUserIDs implements store.Seeder: ids are text.
func (s *Store) IntegerUserIDs() bool { return false }

// InsertUsers implements store.Seeder.
func (s *Store) InsertUsers(ctx context.Context, users []resolver.StoredUser) (int, error) {
	l := s.l
	cols := append([]string{l.UserID, l.UserName, l.UserEmail, l.UserEmailVerified, l.UserImage}, s.extra.users...)
	now := time.Now()
	return s.insert(ctx, insertPrefix(l.Users, cols), len(cols), len(users), func(i int, args []any) []any {
		u := users[i]
		var verified any
		if u.EmailVerified != nil {
			verified = s.timeArg(*u.EmailVerified)
		}
		args = append(args, u.ID, u.Name, u.Email, verified, u.Image)
		return s.extra.fill(args, s.extra.users, "u_"+u.ID, s.timeArg(now))
	})
}

// InsertSessions implements store.Seeder. A row id the layout needs is
// derived from the token (the adapters use a random id; it only has to be
// unique).
func (s *Store) InsertSessions(ctx context.Context, sessions []resolver.StoredSession) (int, error) {
	l := s.l
	cols := append([]string{l.SessionToken, l.SessionUserID, l.SessionExpires}, s.extra.sessions...)
	now := time.Now()
	return s.insert(ctx, insertPrefix(l.Sessions, cols), len(cols), len(sessions), func(i int, args []any) []any {
		ss := sessions[i]
		args = append(args, ss.Token, ss.UserID, s.timeArg(ss.Expires))
		return s.extra.fill(args, s.extra.sessions, "s_"+ss.Token, s.timeArg(now))
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

// Migrate adds the browsing indexes the layout lacks. It returns the SQL
// it ran, or would run when dryRun is set: only the indexes that are
// missing (an index led by the same column counts).
func (s *Store) Migrate(ctx context.Context, dryRun bool) ([]string, error) {
	var stmts []string
	for _, ix := range s.indexes() {
		led, err := s.indexLedBy(ctx, ix.cols[0])
		if err != nil {
			return nil, fmt.Errorf("sqlite: migrate: %w", err)
		}
		if !led {
			stmts = append(stmts, ix.sql(s.l.Sessions))
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
