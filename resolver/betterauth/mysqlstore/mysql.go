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

	"github.com/go-sql-driver/mysql"

	"github.com/authscope/authscope/resolver/betterauth/sqlstore"
	"github.com/authscope/authscope/resolver/store"
	ajmysql "github.com/authscope/authscope/resolver/store/mysqlstore"
)

// Options configure Open (the pool and the store; see sqlstore.ConnOptions).
type Options = sqlstore.ConnOptions

// Open connects to the database at a mysql:// DSN and opens Better Auth's
// tables there.
func Open(ctx context.Context, dsn string, opts Options) (*sqlstore.Store, error) {
	cfg, err := ajmysql.Config(dsn)
	if err != nil {
		return nil, err
	}
	opts = opts.WithDefaults()
	cfg.Timeout = opts.ConnectTimeout
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		// The driver's message can quote the configuration.
		return nil, fmt.Errorf("betterauth mysql: %w: invalid connection settings", store.ErrBadDSN)
	}
	db := sql.OpenDB(connector)
	return sqlstore.OpenPool(ctx, db, sqlstore.MySQL, opts)
}
