// Package sqlitestore reads and writes Better Auth sessions in the SQLite
// layout its built-in Kysely adapter creates (tables "user" and "session",
// dates as ISO 8601 text, booleans as 0/1; see testdata/betterauth/
// SEMANTICS.md), with the pure-Go modernc.org/sqlite driver. It only
// opens the file: the store is package sqlstore's, the one SQL store
// Better Auth's PostgreSQL and MySQL layouts use too, with SQLite's
// dialect (dates as ISO text, compared as text). It implements
// betterauth.Store and store.Browser, so Go resolves the sessions a live
// Better Auth server wrote, extends and prunes them as that server would,
// and the TUI lists and revokes them.
//
// Custom layouts (modelName, fields, additionalFields) map through
// Options.
package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"time"

	"github.com/authscope/authscope/resolver/betterauth"
	"github.com/authscope/authscope/resolver/betterauth/sqlstore"

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

// Store is Better Auth's store over one SQLite file (package sqlstore's,
// in SQLite's dialect).
type Store = sqlstore.Store

// Open opens the SQLite file at path (which must exist: the schema is
// Better Auth's to create, by its migrations).
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
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
	st, err := sqlstore.New(ctx, db, sqlstore.SQLite, sqlstore.Options{ReadOnly: opts.ReadOnly, Layout: sqlstore.Layout{
		SessionTable: opts.SessionTable, UserTable: opts.UserTable, SessionColumns: opts.SessionColumns, UserColumns: opts.UserColumns,
		SessionExtra: opts.SessionExtra, UserExtra: opts.UserExtra}})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return st, nil
}
