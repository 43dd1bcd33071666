// Package pgstore opens Better Auth's sessions in PostgreSQL: the tables
// its Kysely adapter (timestamptz), the Prisma schema (timestamp(3)) or a
// Drizzle schema (camelCase or snake_case columns) create, found in the
// catalog (see package sqlstore). It connects through pgx's database/sql
// driver, so the SQL is sqlstore's, shared with MySQL and SQLite.
//
// Options.ReadOnly opens every connection with
// default_transaction_read_only, so even getSession's writes fail at the
// server, below the resolver's own read-only switch.
package pgstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/authscope/authscope/resolver/betterauth/sqlstore"
	"github.com/authscope/authscope/resolver/store"
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

// Open connects to the database at a postgres:// DSN and opens Better
// Auth's tables there.
func Open(ctx context.Context, dsn string, opts Options) (*sqlstore.Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's parse errors can quote the DSN, password included.
		return nil, fmt.Errorf("betterauth postgres: %w: invalid PostgreSQL connection string", store.ErrBadDSN)
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = 8
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = 5 * time.Second
	}
	cfg.ConnectTimeout = opts.ConnectTimeout
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["application_name"] = "authscope"
	if opts.ReadOnly {
		cfg.RuntimeParams["default_transaction_read_only"] = "on"
	}
	db := sql.OpenDB(stdlib.GetConnector(*cfg))
	db.SetMaxOpenConns(opts.MaxConns)
	db.SetMaxIdleConns(opts.MaxConns)
	db.SetConnMaxLifetime(30 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("betterauth postgres: %w", store.OneLineError(err))
	}
	if opts.CreateSchema && !opts.ReadOnly {
		if err := sqlstore.CreateSchema(ctx, db, sqlstore.Postgres); err != nil {
			db.Close()
			return nil, fmt.Errorf("betterauth %s: create schema: %w", sqlstore.Postgres.Name, err)
		}
	}
	st, err := sqlstore.New(ctx, db, sqlstore.Postgres, sqlstore.Options{Layout: opts.Layout, ReadOnly: opts.ReadOnly})
	if err != nil {
		db.Close()
		return nil, err
	}
	return st, nil
}
