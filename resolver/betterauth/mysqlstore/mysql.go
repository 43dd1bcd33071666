// Package mysqlstore opens Better Auth's sessions in MySQL or MariaDB: the
// tables its Kysely adapter (timestamp(3), boolean as tinyint(1)), the
// Prisma schema (datetime(3)) or a Drizzle schema create, found in the
// catalog (see package sqlstore). The connection is the Auth.js store's
// (resolver/store/mysqlstore.Config: mysql:// URLs, UTC dates, utf8mb4),
// the SQL is sqlstore's.
package mysqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/authscope/authscope/resolver/betterauth/sqlstore"
	"github.com/authscope/authscope/resolver/store"
	ajmysql "github.com/authscope/authscope/resolver/store/mysqlstore"
)

// Options configure Open.
type Options struct {
	// Layout names tables and columns (modelName, fields); empty: detected.
	Layout   sqlstore.Layout
	ReadOnly bool
	// CreateSchema creates the Kysely migration's "user" and "session"
	// tables when absent (sqlstore.Schema): for seeding a new database,
	// never for a deployment's.
	CreateSchema bool
	// MaxConns bounds the pool (default 8).
	MaxConns int
	// ConnectTimeout bounds each dial (default 5s).
	ConnectTimeout time.Duration
}

// Open connects to the database at a mysql:// DSN and opens Better Auth's
// tables there.
func Open(ctx context.Context, dsn string, opts Options) (*sqlstore.Store, error) {
	cfg, err := ajmysql.Config(dsn)
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
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		// The driver's message can quote the configuration.
		return nil, fmt.Errorf("betterauth mysql: %w: invalid connection settings", store.ErrBadDSN)
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(opts.MaxConns)
	db.SetMaxIdleConns(opts.MaxConns)
	db.SetConnMaxLifetime(30 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("betterauth mysql: %w", err)
	}
	if opts.CreateSchema && !opts.ReadOnly {
		if err := sqlstore.CreateSchema(ctx, db, sqlstore.MySQL); err != nil {
			db.Close()
			return nil, fmt.Errorf("betterauth %s: create schema: %w", sqlstore.MySQL.Name, err)
		}
	}
	st, err := sqlstore.New(ctx, db, sqlstore.MySQL, sqlstore.Options{Layout: opts.Layout, ReadOnly: opts.ReadOnly})
	if err != nil {
		db.Close()
		return nil, err
	}
	return st, nil
}
