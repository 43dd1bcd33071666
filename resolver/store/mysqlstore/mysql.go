// Package mysqlstore reads and manages Auth.js sessions in MySQL and
// MariaDB, in the layouts the adapters write there: Prisma's (and its
// @@map snake_case variant), Drizzle's and Kysely's, found in the catalog
// (--schema auto) or named.
//
// Dates: every adapter writes a JavaScript Date as its UTC wall clock
// (Prisma and Drizzle format it in UTC; Kysely through mysql2 in the Node
// process's zone, UTC on a server), into DATETIME(3) (Prisma) or
// TIMESTAMP (Drizzle, Kysely). The store reads and writes that wall clock
// as UTC and never sets the session time_zone, so a TIMESTAMP column goes
// through the same server-zone conversion on our connection as on the
// adapter's: the expiry comes out as the instant Auth.js returns.
//
// Ids are VARCHAR (or integer, for a custom schema). Filters compare
// LOWER() of the user's name, email and id, so a case-sensitive (_bin)
// collation filters as case-insensitively as utf8mb4_unicode_ci; token
// lookups use the column's own collation, as the adapters' queries do.
//
// Open never changes a schema; `authscope db migrate` adds the browsing
// indexes (InnoDB online DDL, printed first).
package mysqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
	storedsn "github.com/authscope/authscope/resolver/store/internal/dsn"
	"github.com/go-sql-driver/mysql"
)

// Options tune Open.
type Options struct {
	// Layout is the adapter's tables; unset, Open finds the one preset the
	// catalog matches.
	Layout Layout
	// ReadOnly opens every connection with SET SESSION TRANSACTION READ
	// ONLY, so the server itself refuses a write (a fence below
	// store.ReadOnly, which store.Open applies and which is what turns
	// writes into resolver.ErrReadOnly), and makes Migrate refuse.
	ReadOnly bool
	// MaxConns bounds the pool (default 8).
	MaxConns int
	// ConnectTimeout bounds each dial (default 5s).
	ConnectTimeout time.Duration
}

// Store is a MySQL/MariaDB session store. It implements resolver.Store,
// store.Browser and store.Seeder.
type Store struct {
	db       *sql.DB
	l        Layout
	readOnly bool

	users, sessions table
	q               queries
}

var (
	_ resolver.Store = (*Store)(nil)
	_ store.Browser  = (*Store)(nil)
	_ store.Seeder   = (*Store)(nil)
)

// Config turns a mysql://user:pass@host:3306/db?tls=true URL into the
// driver's configuration. Dates are parsed as UTC wall clocks.
func Config(dsn string) (*mysql.Config, error) {
	u, err := url.Parse(dsn)
	if err != nil || !strings.EqualFold(u.Scheme, "mysql") {
		// url.Parse errors quote the input, password included.
		return nil, fmt.Errorf("mysql: %w: want mysql://user:password@host:3306/database", storedsn.ErrBad)
	}
	cfg := mysql.NewConfig()
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Net = "tcp"
	cfg.Addr = u.Host
	if u.Port() == "" && u.Host != "" {
		cfg.Addr = net.JoinHostPort(u.Hostname(), "3306")
	}
	cfg.DBName = strings.TrimPrefix(u.Path, "/")
	if cfg.DBName == "" || strings.Contains(cfg.DBName, "/") {
		return nil, fmt.Errorf("mysql: %w: the URL names no database (mysql://user@host:3306/database)", storedsn.ErrBad)
	}
	for k, v := range u.Query() {
		switch k {
		case "tls":
			cfg.TLSConfig = v[0]
		case "socket":
			cfg.Net, cfg.Addr = "unix", v[0]
		default:
			return nil, fmt.Errorf("mysql: %w: unknown parameter %q (want tls or socket)", storedsn.ErrBad, k)
		}
	}
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	cfg.Collation = "utf8mb4_general_ci" // utf8mb4 on the wire; columns keep their own collations
	// The driver logs some network errors to stderr by itself; they reach
	// the caller as errors anyway.
	cfg.Logger = &mysql.NopLogger{}
	return cfg, nil
}

// Open connects, finds or checks the layout and prepares the queries.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	cfg, err := Config(dsn)
	if err != nil {
		return nil, err
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = 8
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = 5 * time.Second
	}
	cfg.Timeout = opts.ConnectTimeout
	connector, err := newConnector(cfg)
	if err != nil {
		return nil, err
	}
	if opts.ReadOnly {
		connector = readOnlyConnector{connector}
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(opts.MaxConns)
	db.SetMaxIdleConns(opts.MaxConns)
	db.SetConnMaxLifetime(30 * time.Minute)
	s := &Store{db: db, l: opts.Layout, readOnly: opts.ReadOnly}
	if err := s.prepare(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func newConnector(cfg *mysql.Config) (driver.Connector, error) {
	c, err := mysql.NewConnector(cfg)
	if err != nil {
		// The driver's message can quote the configuration: not passed on.
		return nil, fmt.Errorf("mysql: %w: invalid connection settings", storedsn.ErrBad)
	}
	return c, nil
}

// readOnlyConnector makes each new connection's transactions read-only
// (autocommit statements included): MySQL and MariaDB then refuse any
// write with error 1792, as PostgreSQL does under
// default_transaction_read_only.
type readOnlyConnector struct{ driver.Connector }

func (c readOnlyConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	ex, ok := conn.(driver.ExecerContext)
	if !ok {
		conn.Close()
		return nil, errors.New("mysql: the driver's connection cannot run statements")
	}
	if _, err := ex.ExecContext(ctx, "SET SESSION TRANSACTION READ ONLY", nil); err != nil {
		conn.Close()
		return nil, fmt.Errorf("mysql: read-only session: %w", err)
	}
	return conn, nil
}

func (s *Store) prepare(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("mysql: %w", err)
	}
	if s.l.Users == "" {
		l, err := s.detect(ctx)
		if err != nil {
			return err
		}
		s.l = l
	} else if err := s.l.Validate(); err != nil {
		return err
	}
	if err := s.inspect(ctx); err != nil {
		return err
	}
	s.q = s.build()
	return nil
}

// Layout returns the layout in use.
func (s *Store) Layout() Layout { return s.l }

// LayoutName implements store.LayoutNamer.
func (s *Store) LayoutName() string { return "mysql " + s.l.Name }

// DB exposes the handle for migrations and tests.
func (s *Store) DB() *sql.DB { return s.db }

// Close implements resolver.Store.
func (s *Store) Close() error { return s.db.Close() }

// SessionAndUser implements resolver.Store in one round trip.
func (s *Store) SessionAndUser(ctx context.Context, token string) (*resolver.StoredSession, *resolver.StoredUser, error) {
	sess, user, err := scanRow(s.db.QueryRowContext(ctx, s.q.lookup, token).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("mysql: session lookup: %w", err)
	}
	if user == nil {
		user = store.OrphanUser(s.l.Name, sess)
	}
	return sess, user, nil
}

func scanRow(scan func(...any) error) (*resolver.StoredSession, *resolver.StoredUser, error) {
	var (
		tok, uid, id, name, email, image sql.NullString
		exp, verified                    sql.NullTime
	)
	if err := scan(&tok, &uid, &exp, &id, &name, &email, &image, &verified); err != nil {
		return nil, nil, err
	}
	if !exp.Valid || !tok.Valid {
		return nil, nil, fmt.Errorf("%w: NULL token or expires", resolver.ErrMalformedRow)
	}
	sess := &resolver.StoredSession{Token: tok.String, UserID: uid.String, Expires: exp.Time.UTC()}
	if !id.Valid {
		return sess, nil, nil
	}
	u := &resolver.StoredUser{ID: id.String, Name: nullable(name), Email: nullable(email), Image: nullable(image)}
	if verified.Valid {
		v := verified.Time.UTC()
		u.EmailVerified = &v
	}
	return sess, u, nil
}

func nullable(n sql.NullString) *string {
	if !n.Valid {
		return nil
	}
	return &n.String
}

// UpdateExpiry implements resolver.Store (Auth.js updateSession).
func (s *Store) UpdateExpiry(ctx context.Context, token string, expires time.Time) error {
	args := []any{expires.UTC()}
	if s.l.SessionUpdatedAt != "" {
		args = append(args, time.Now().UTC())
	}
	if _, err := s.db.ExecContext(ctx, s.q.update, append(args, token)...); err != nil {
		return fmt.Errorf("mysql: update session: %w", err)
	}
	return nil
}

// DeleteSession implements resolver.Store (Auth.js deleteSession).
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	_, err := s.deleteSession(ctx, token)
	return err
}

func (s *Store) deleteSession(ctx context.Context, token string) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.q.del, token)
	if err != nil {
		return 0, fmt.Errorf("mysql: delete session: %w", err)
	}
	return res.RowsAffected()
}
