package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/betterauth"
	"github.com/authscope/authscope/resolver/store"
)

// Options configure New.
type Options struct {
	Layout Layout
	// ReadOnly refuses the operator's writes (revocations, inserts) with
	// resolver.ErrReadOnly. getSession's own writes are the resolver's to
	// skip (betterauth.Config.ReadOnly).
	ReadOnly bool
}

// Store is a betterauth.Store and store.Browser over one SQL database.
type Store struct {
	db       *sql.DB
	d        Dialect
	readOnly bool
	session  table
	user     table
	extraS   []betterauth.AdditionalField
	extraU   []betterauth.AdditionalField
	layout   string

	findSession, findJoined, update, del string
}

var (
	_ betterauth.Store = (*Store)(nil)
	_ store.Browser    = (*Store)(nil)
)

// New reads the catalog, resolves the layout and prepares the queries. It
// takes ownership of db (Close closes it).
func New(ctx context.Context, db *sql.DB, d Dialect, opts Options) (*Store, error) {
	c, err := readCatalog(ctx, db, d)
	if err != nil {
		return nil, fmt.Errorf("betterauth %s: read the catalog: %w", d.Name, err)
	}
	l := opts.Layout
	s := &Store{db: db, d: d, readOnly: opts.ReadOnly, extraS: l.SessionExtra, extraU: l.UserExtra}
	if s.session, err = c.resolve(d, "session", l.SessionTable, sessionTables, betterauth.SessionFields, l.SessionColumns, l.SessionExtra); err == nil {
		s.user, err = c.resolve(d, "user", l.UserTable, userTables, betterauth.UserFields, l.UserColumns, l.UserExtra)
	}
	if err != nil {
		return nil, fmt.Errorf("betterauth %s: %w (tables here: %s)", d.Name, err, strings.Join(c.tables(), ", "))
	}
	s.layout = describe(s.session, s.user)
	s.prepare()
	return s, nil
}

// LayoutName names the layout found, e.g. `postgres "session"/"user",
// camelCase columns`.
func (s *Store) LayoutName() string { return s.d.Name + " " + s.layout }

// DB is the connection pool.
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

func (s *Store) q(id string) string { return s.d.quote(id) }

// col is a field's quoted column in t.
func (s *Store) col(t table, field string) string { return s.q(t.cols[field].name) }

func (s *Store) selectList(t table, alias string) string {
	cols := make([]string, len(t.fields))
	for i, f := range t.fields {
		cols[i] = alias + s.col(t, f)
	}
	return strings.Join(cols, ", ")
}

func (s *Store) prepare() {
	st, ut := s.session, s.user
	s.findSession = s.d.bind(`SELECT ` + s.selectList(st, "") + ` FROM ` + s.q(st.name) + ` WHERE ` + s.col(st, "token") + ` = ? LIMIT 1`)
	// One round trip for getSession's findSession (the adapter's join:
	// {user: true}); a session without its user is no session.
	s.findJoined = s.d.bind(`SELECT ` + s.selectList(st, "s.") + `, ` + s.selectList(ut, "u.") + ` FROM ` + s.q(st.name) + ` s JOIN ` + s.q(ut.name) +
		` u ON u.` + s.col(ut, "id") + ` = s.` + s.col(st, "userId") + ` WHERE s.` + s.col(st, "token") + ` = ? LIMIT 1`)
	s.update = s.d.bind(`UPDATE ` + s.q(st.name) + ` SET ` + s.col(st, "expiresAt") + ` = ?, ` + s.col(st, "updatedAt") + ` = ? WHERE ` + s.col(st, "token") + ` = ?`)
	s.del = s.d.bind(`DELETE FROM ` + s.q(st.name) + ` WHERE ` + s.col(st, "token") + ` = ?`)
}

// row reads one row of t as field → value.
func (s *Store) row(ctx context.Context, query string, t table, arg any) (betterauth.Object, error) {
	objs, err := s.rows(ctx, query, arg, t)
	if err != nil || objs == nil {
		return nil, err
	}
	return objs[0], nil
}

// rows reads one result row holding each of ts's fields in turn, as one
// Object per table (nil when there is no row).
func (s *Store) rows(ctx context.Context, query string, arg any, ts ...table) ([]betterauth.Object, error) {
	n := 0
	for _, t := range ts {
		n += len(t.fields)
	}
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	err := s.db.QueryRowContext(ctx, query, arg).Scan(ptrs...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := make([]betterauth.Object, len(ts))
	i := 0
	for k, t := range ts {
		o := make(betterauth.Object, len(t.fields))
		for j, f := range t.fields {
			o[j] = betterauth.Field{Name: f, Value: value(vals[i])}
			i++
		}
		out[k] = o
	}
	return out, nil
}

// value maps a driver value onto what the Node drivers hand Better Auth's
// adapter: text as string, integers as numbers, dates as Dates (UTC).
func value(v any) any {
	switch v := v.(type) {
	case int64:
		return float64(v)
	case int32:
		return float64(v)
	case []byte:
		return string(v)
	case [16]byte: // a uuid column, as pg returns it
		return fmt.Sprintf("%x-%x-%x-%x-%x", v[0:4], v[4:6], v[6:8], v[8:10], v[10:])
	case time.Time:
		return v.UTC()
	}
	return v
}

// FindSession implements betterauth.Store.
func (s *Store) FindSession(ctx context.Context, token string) (*betterauth.Record, error) {
	objs, err := s.rows(ctx, s.findJoined, token, s.session, s.user)
	if err != nil || objs == nil {
		return nil, s.wrap("find session", err)
	}
	return &betterauth.Record{
		Session: betterauth.AdapterOutput(objs[0], betterauth.SessionFields, s.extraS),
		User:    betterauth.AdapterOutput(objs[1], betterauth.UserFields, s.extraU),
	}, nil
}

// UpdateSession implements betterauth.Store: the adapter's update, then
// the row as it now reads.
func (s *Store) UpdateSession(ctx context.Context, token string, expiresAt, updatedAt time.Time) (betterauth.Object, error) {
	res, err := s.db.ExecContext(ctx, s.update, s.d.timeArg(expiresAt), s.d.timeArg(updatedAt), token)
	if err != nil {
		return nil, s.wrap("update session", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, nil
	}
	sr, err := s.row(ctx, s.findSession, s.session, token)
	if err != nil || sr == nil {
		return nil, s.wrap("read updated session", err)
	}
	return betterauth.AdapterOutput(sr, betterauth.SessionFields, s.extraS), nil
}

// DeleteSession implements betterauth.Store.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	_, err := s.db.ExecContext(ctx, s.del, token)
	return s.wrap("delete session", err)
}

// wrap names the step; context errors pass unchanged (callers test them
// with errors.Is), and nothing quotes a token or a DSN.
func (s *Store) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("betterauth %s: %s: %w", s.d.Name, op, err)
}

// errReadOnly is the operator's write on a read-only store.
var errReadOnly = resolver.ErrReadOnly
