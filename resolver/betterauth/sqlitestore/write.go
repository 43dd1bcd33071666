package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/authscope/authscope/resolver/betterauth"
)

// Schema is the "user" and "session" DDL Better Auth's migrations create on
// SQLite (recorded from a live server in testdata/betterauth/vectors/
// sqlite_schema.json), for seeding demos and tests without Node. A real
// deployment's schema is Better Auth's to create.
const Schema = `CREATE TABLE IF NOT EXISTS "user" ("id" text not null primary key, "name" text not null, "email" text not null unique, "emailVerified" integer not null, "image" text, "createdAt" date not null, "updatedAt" date not null);
CREATE TABLE IF NOT EXISTS "session" ("id" text not null primary key, "expiresAt" date not null, "token" text not null unique, "createdAt" date not null, "updatedAt" date not null, "ipAddress" text, "userAgent" text, "userId" text not null references "user" ("id") on delete cascade);
`

// Create creates (or opens) the SQLite file at path with Schema and opens
// it as a Store with the default layout.
func Create(ctx context.Context, path string) (*Store, error) {
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return nil, fmt.Errorf("betterauth sqlite: create %s: %w", path, err)
	}
	_, err = db.ExecContext(ctx, Schema)
	db.Close()
	if err != nil {
		return nil, fmt.Errorf("betterauth sqlite: create schema in %s: %w", path, err)
	}
	return Open(ctx, path, Options{})
}

// InsertUser writes a user row (field → value, as the Kysely layout
// stores them: dates as ISO text, booleans as 0/1).
func (s *Store) InsertUser(ctx context.Context, row betterauth.Object) error {
	return s.insert(ctx, s.opts.UserTable, s.opts.UserColumns, row)
}

// InsertSession writes a session row.
func (s *Store) InsertSession(ctx context.Context, row betterauth.Object) error {
	return s.insert(ctx, s.opts.SessionTable, s.opts.SessionColumns, row)
}

func (s *Store) insert(ctx context.Context, table string, cols map[string]string, row betterauth.Object) error {
	q, args := insertSQL(table, cols, row)
	_, err := s.db.ExecContext(ctx, q, args...)
	return wrap("insert into "+table, err)
}

func insertSQL(table string, cols map[string]string, row betterauth.Object) (string, []any) {
	names := make([]string, len(row))
	args := make([]any, len(row))
	for i, f := range row {
		names[i] = quote(col(cols, f.Name))
		args[i] = f.Value
	}
	return `INSERT INTO ` + quote(table) + ` (` + strings.Join(names, ", ") + `) VALUES (` + strings.TrimSuffix(strings.Repeat("?, ", len(row)), ", ") + `)`, args
}

// InsertAll writes users then sessions in one transaction (seeding
// thousands of rows one commit each would take seconds on a disk).
func (s *Store) InsertAll(ctx context.Context, users, sessions []betterauth.Object) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return wrap("begin", err)
	}
	defer tx.Rollback()
	for _, batch := range []struct {
		table string
		cols  map[string]string
		rows  []betterauth.Object
	}{{s.opts.UserTable, s.opts.UserColumns, users}, {s.opts.SessionTable, s.opts.SessionColumns, sessions}} {
		for _, row := range batch.rows {
			q, args := insertSQL(batch.table, batch.cols, row)
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return wrap("insert into "+batch.table, err)
			}
		}
	}
	return wrap("commit", tx.Commit())
}
