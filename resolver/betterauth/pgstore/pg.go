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

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/authscope/authscope/resolver/betterauth/sqlstore"
	"github.com/authscope/authscope/resolver/store"
)

// Options configure Open (the pool and the store; see sqlstore.ConnOptions).
type Options = sqlstore.ConnOptions

// Open connects to the database at a postgres:// DSN and opens Better
// Auth's tables there.
func Open(ctx context.Context, dsn string, opts Options) (*sqlstore.Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's parse errors can quote the DSN, password included.
		return nil, fmt.Errorf("betterauth postgres: %w: invalid PostgreSQL connection string", store.ErrBadDSN)
	}
	opts = opts.WithDefaults()
	cfg.ConnectTimeout = opts.ConnectTimeout
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["application_name"] = "authscope"
	if opts.ReadOnly {
		cfg.RuntimeParams["default_transaction_read_only"] = "on"
	}
	db := sql.OpenDB(stdlib.GetConnector(*cfg))
	return sqlstore.OpenPool(ctx, db, sqlstore.Postgres, opts)
}
