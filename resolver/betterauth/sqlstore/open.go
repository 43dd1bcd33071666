package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/authscope/authscope/resolver/store"
)

// ConnOptions configure a network driver's Open (pgstore, mysqlstore):
// what a connection pool needs beside the store's own Options. The drivers
// differ only in how they dial, so the pool, the ping and the optional
// schema are set up here once.
type ConnOptions struct {
	// Layout names tables and columns (modelName, fields); empty: detected.
	Layout   Layout
	ReadOnly bool
	// CreateSchema creates the Kysely migration's "user" and "session"
	// tables when absent (Schema): for seeding a new database, never for a
	// deployment's.
	CreateSchema bool
	// MaxConns bounds the pool (default 8).
	MaxConns int
	// ConnectTimeout bounds each dial (default 5s).
	ConnectTimeout time.Duration
}

// WithDefaults fills the zero pool size and dial timeout.
func (o ConnOptions) WithDefaults() ConnOptions {
	if o.MaxConns <= 0 {
		o.MaxConns = 8
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 5 * time.Second
	}
	return o
}

// OpenPool sizes db's pool, checks the server answers, creates the schema
// when asked (never on a read-only store) and opens the store in dialect
// d. db is closed on any error, so a driver's Open only dials.
func OpenPool(ctx context.Context, db *sql.DB, d Dialect, o ConnOptions) (*Store, error) {
	o = o.WithDefaults()
	db.SetMaxOpenConns(o.MaxConns)
	db.SetMaxIdleConns(o.MaxConns)
	db.SetConnMaxLifetime(30 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("betterauth %s: %w", d.Name, store.OneLineError(err))
	}
	if o.CreateSchema && !o.ReadOnly {
		if err := CreateSchema(ctx, db, d); err != nil {
			db.Close()
			return nil, fmt.Errorf("betterauth %s: create schema: %w", d.Name, err)
		}
	}
	st, err := New(ctx, db, d, Options{Layout: o.Layout, ReadOnly: o.ReadOnly})
	if err != nil {
		db.Close()
		return nil, err
	}
	return st, nil
}
