package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
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
