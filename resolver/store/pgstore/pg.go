// Package pgstore reads and manages Auth.js sessions in PostgreSQL, in the
// layouts Auth.js's adapters write: @auth/pg-adapter (the default), the
// Prisma schema, its snake_case variant, Drizzle, or an explicit Layout.
//
// A lookup is one round trip: sessions LEFT JOIN users on the token, where
// the adapters make two queries. Timestamps are read and written as UTC
// whatever the column type: timestamptz as is, and Prisma's timestamp(3)
// without time zone through AT TIME ZONE 'UTC', so comparisons stay on
// the column and its indexes.
//
// Open checks the layout against the catalog and names the missing table
// or column. The pool is bounded (Options.MaxConns). Options.ReadOnly opens
// the connections with default_transaction_read_only, a fence below
// store.ReadOnly, which is what turns writes into resolver.ErrReadOnly
// (store.Open applies it); Migrate, which the decorator cannot see, refuses
// on its own.
//
// The package registers itself with store.Register for postgres:// and
// postgresql:// DSNs.
//
// Tokens and every other value are passed as parameters; identifiers from
// a Layout are quoted. Nothing the store logs or returns contains a token
// or the DSN's password.
package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
	storedsn "github.com/authscope/authscope/resolver/store/internal/dsn"
)

// Options tune Open.
type Options struct {
	// Layout is the adapter's tables; unset, Open finds the one preset
	// whose tables and columns the catalog has (--schema auto).
	Layout store.Layout
	// ReadOnly sets default_transaction_read_only on every connection and
	// makes Migrate refuse; wrap the store in store.ReadOnly (store.Open
	// does) for resolver.ErrReadOnly on the other writes.
	ReadOnly bool
	// MaxConns bounds the pool (default 8).
	MaxConns int32
	// ConnectTimeout bounds each dial (default 5s).
	ConnectTimeout time.Duration
}

// Store is a PostgreSQL session store. It implements resolver.Store,
// store.Browser and store.Seeder.
type Store struct {
	pool     *pgxpool.Pool
	l        store.Layout
	readOnly bool

	users, sessions tableInfo
	q               queries
}

var (
	_ resolver.Store = (*Store)(nil)
	_ store.Browser  = (*Store)(nil)
	_ store.Seeder   = (*Store)(nil)
)

// column is what the catalog says about one column.
type column struct {
	typ     string // format_type, usable in a cast
	base    string // pg_type.typname
	notNull bool
	hasDef  bool
}

type tableInfo struct {
	name string // quoted
	cols map[string]column
}

// ErrNoTable is wrapped by Open's error when a table of the layout is
// missing: the database is reachable, the adapter's schema is not there.
var ErrNoTable = errors.New("does not exist")

// Open connects, checks the layout and prepares the queries.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	if opts.Layout.Users != "" {
		if err := opts.Layout.Validate(); err != nil {
			return nil, err
		}
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's parse errors can quote the DSN: do not pass them on.
		return nil, fmt.Errorf("pgstore: %w: invalid PostgreSQL connection string", storedsn.ErrBad)
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = 8
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = 5 * time.Second
	}
	cfg.MaxConns = opts.MaxConns
	cfg.ConnConfig.ConnectTimeout = opts.ConnectTimeout
	if cfg.ConnConfig.RuntimeParams == nil {
		cfg.ConnConfig.RuntimeParams = map[string]string{}
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "authscope"
	if opts.ReadOnly {
		cfg.ConnConfig.RuntimeParams["default_transaction_read_only"] = "on"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pgstore: %w", err)
	}
	s := &Store{pool: pool, l: opts.Layout, readOnly: opts.ReadOnly}
	if s.l.Users == "" {
		if s.l, err = s.detect(ctx); err != nil {
			pool.Close()
			return nil, storedsn.OneLine(err)
		}
	}
	if err := s.inspect(ctx); err != nil {
		pool.Close()
		return nil, storedsn.OneLine(err) // pgx lists one dial error per line
	}
	s.q = s.build()
	return s, nil
}

// inspect reads both tables' columns from the catalog and checks them.
func (s *Store) inspect(ctx context.Context) error {
	var err error
	if s.users, err = s.readTable(ctx, s.l.Users); err != nil {
		return err
	}
	if s.sessions, err = s.readTable(ctx, s.l.Sessions); err != nil {
		return err
	}
	need := func(t tableInfo, raw string, cols ...string) error {
		for _, c := range cols {
			if _, ok := t.cols[c]; !ok {
				return mismatchError{fmt.Sprintf("pgstore: layout %s: table %s has no column %s", s.l.Label(), table(raw), ident(c))}
			}
		}
		return nil
	}
	if err := need(s.users, s.l.Users, s.l.UserID, s.l.UserName, s.l.UserEmail, s.l.UserImage, s.l.UserEmailVerified); err != nil {
		return err
	}
	if err := need(s.sessions, s.l.Sessions, s.l.SessionToken, s.l.SessionUserID, s.l.SessionExpires); err != nil {
		return err
	}
	if s.l.SessionUpdatedAt != "" {
		if _, ok := s.sessions.cols[s.l.SessionUpdatedAt]; !ok {
			s.l.SessionUpdatedAt = "" // optional
		}
	}
	for _, c := range []struct {
		t   tableInfo
		raw string
		col string
	}{{s.sessions, s.l.Sessions, s.l.SessionExpires}, {s.users, s.l.Users, s.l.UserEmailVerified}} {
		if b := c.t.cols[c.col].base; b != "timestamptz" && b != "timestamp" {
			return mismatchError{fmt.Sprintf("pgstore: layout %s: column %s.%s is %s, want timestamp or timestamptz", s.l.Label(), table(c.raw), ident(c.col), c.t.cols[c.col].typ)}
		}
	}
	return nil
}

func (s *Store) readTable(ctx context.Context, raw string) (tableInfo, error) {
	t := tableInfo{name: table(raw), cols: map[string]column{}}
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, t.name).Scan(&exists); err != nil {
		return t, fmt.Errorf("pgstore: inspect schema: %w", err)
	}
	if !exists {
		return t, fmt.Errorf("pgstore: layout %s: table %s %w (try --schema %s, or a mapping)", s.l.Label(), t.name, ErrNoTable, strings.Join(store.PresetNames(), "|"))
	}
	rows, err := s.pool.Query(ctx, `SELECT a.attname, format_type(a.atttypid, a.atttypmod), ty.typname, a.attnotnull, a.atthasdef OR a.attidentity <> ''
FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid
WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`, t.name)
	if err != nil {
		return t, fmt.Errorf("pgstore: inspect %s: %w", t.name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var c column
		if err := rows.Scan(&name, &c.typ, &c.base, &c.notNull, &c.hasDef); err != nil {
			return t, fmt.Errorf("pgstore: inspect %s: %w", t.name, err)
		}
		t.cols[name] = c
	}
	return t, rows.Err()
}

// queries are the statements built once from the layout.
type queries struct {
	selectCols, from string
	lookup           string
	update           string
	del              string
	revokeUser       string
	expires          string // the sessions' expiry column, qualified with s.
}

// readTime returns an expression giving col as timestamptz.
func readTime(c column, expr string) string {
	if c.base == "timestamp" {
		return "(" + expr + " AT TIME ZONE 'UTC')"
	}
	return expr
}

// writeTime returns an expression giving parameter p in c's type.
func writeTime(c column, p string) string {
	if c.base == "timestamp" {
		return "(" + p + "::timestamptz AT TIME ZONE 'UTC')"
	}
	return p + "::timestamptz"
}

func (s *Store) build() queries {
	l := s.l
	sc := func(c string) string { return "s." + ident(c) }
	uc := func(c string) string { return "u." + ident(c) }
	exp := s.sessions.cols[l.SessionExpires]
	var q queries
	q.expires = sc(l.SessionExpires)
	q.selectCols = strings.Join([]string{
		sc(l.SessionToken) + "::text",
		sc(l.SessionUserID) + "::text",
		readTime(exp, sc(l.SessionExpires)),
		uc(l.UserID) + "::text",
		uc(l.UserName) + "::text",
		uc(l.UserEmail) + "::text",
		uc(l.UserImage) + "::text",
		readTime(s.users.cols[l.UserEmailVerified], uc(l.UserEmailVerified)),
	}, ", ")
	q.from = fmt.Sprintf(" FROM %s s LEFT JOIN %s u ON %s = %s", s.sessions.name, s.users.name, uc(l.UserID), sc(l.SessionUserID))
	q.lookup = "SELECT " + q.selectCols + q.from + " WHERE " + sc(l.SessionToken) + " = $1 LIMIT 1"
	set := ident(l.SessionExpires) + " = " + writeTime(exp, "$2")
	if l.SessionUpdatedAt != "" {
		set += ", " + ident(l.SessionUpdatedAt) + " = " + writeTime(s.sessions.cols[l.SessionUpdatedAt], "now()")
	}
	q.update = fmt.Sprintf("UPDATE %s SET %s WHERE %s = $1", s.sessions.name, set, ident(l.SessionToken))
	q.del = fmt.Sprintf("DELETE FROM %s WHERE %s = $1", s.sessions.name, ident(l.SessionToken))
	q.revokeUser = fmt.Sprintf("DELETE FROM %s WHERE %s::text = $1", s.sessions.name, ident(l.SessionUserID))
	return q
}

// Layout returns the layout in use.
func (s *Store) Layout() store.Layout { return s.l }

// LayoutName implements store.LayoutNamer.
func (s *Store) LayoutName() string { return "postgres " + s.l.Name }

// Pool exposes the pool for migrations and tests.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close implements resolver.Store.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// SessionAndUser implements resolver.Store in one round trip.
func (s *Store) SessionAndUser(ctx context.Context, token string) (*resolver.StoredSession, *resolver.StoredUser, error) {
	sess, user, err := scanRow(s.pool.QueryRow(ctx, s.q.lookup, token))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("pgstore: session lookup: %w", err)
	}
	if s.l.Name == "supabase" {
		return supabaseQuirks(sess, user)
	}
	if user == nil {
		user = store.OrphanUser(s.l.Name, sess)
	}
	return sess, user, nil
}

// supabaseQuirks gives the lookup what @auth/supabase-adapter returns: its
// format() deletes the user's NULL members, and it throws on a session
// whose user row is gone (the users(*) embed is null and format(null)
// fails), so Auth.js answers null without clearing the cookie, as for any
// adapter error.
func supabaseQuirks(sess *resolver.StoredSession, user *resolver.StoredUser) (*resolver.StoredSession, *resolver.StoredUser, error) {
	if user == nil {
		return nil, nil, fmt.Errorf("%w: the Supabase adapter throws on a session without its user", resolver.ErrMalformedRow)
	}
	user.NullsAbsent = true
	return sess, user, nil
}

func scanRow(row pgx.Row) (*resolver.StoredSession, *resolver.StoredUser, error) {
	var (
		tok, uid, id, name, email, image *string
		exp, verified                    *time.Time
	)
	if err := row.Scan(&tok, &uid, &exp, &id, &name, &email, &image, &verified); err != nil {
		return nil, nil, err
	}
	if exp == nil || tok == nil {
		return nil, nil, fmt.Errorf("%w: NULL token or expires", resolver.ErrMalformedRow)
	}
	sess := &resolver.StoredSession{Token: *tok, Expires: exp.UTC()}
	if uid != nil {
		sess.UserID = *uid
	}
	if id == nil {
		return sess, nil, nil
	}
	u := &resolver.StoredUser{ID: *id, Name: name, Email: email, Image: image}
	if verified != nil {
		v := verified.UTC()
		u.EmailVerified = &v
	}
	return sess, u, nil
}

// UpdateExpiry implements resolver.Store (Auth.js updateSession).
func (s *Store) UpdateExpiry(ctx context.Context, token string, expires time.Time) error {
	if _, err := s.pool.Exec(ctx, s.q.update, token, expires.UTC()); err != nil {
		return fmt.Errorf("pgstore: update session: %w", err)
	}
	return nil
}

// DeleteSession implements resolver.Store (Auth.js deleteSession).
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	_, err := s.deleteSession(ctx, token)
	return err
}

func (s *Store) deleteSession(ctx context.Context, token string) (int64, error) {
	tag, err := s.pool.Exec(ctx, s.q.del, token)
	if err != nil {
		return 0, fmt.Errorf("pgstore: delete session: %w", err)
	}
	return tag.RowsAffected(), nil
}
