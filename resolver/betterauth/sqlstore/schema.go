package sqlstore

import (
	"context"
	"database/sql"
	"strings"
)

// Schema is the "user" and "session" DDL Better Auth's Kysely migrations
// create in d (better-auth/dist/db/get-migration.mjs: ids text on
// PostgreSQL and varchar(36) on MySQL, unique strings varchar(255),
// dates timestamptz / timestamp(3) / ISO text, booleans boolean), for
// seeding demos and tests without Node. A real deployment's schema is
// Better Auth's to create; nothing else here writes DDL.
func Schema(d Dialect) string {
	id, unique, date, boolean := "text", "text", "timestamptz", "boolean"
	switch d.Name {
	case MySQL.Name:
		id, unique, date = "varchar(36)", "varchar(255)", "timestamp(3)"
	case SQLite.Name:
		date, boolean = "date", "integer"
	}
	q := d.quote
	return `CREATE TABLE IF NOT EXISTS ` + q("user") + ` (` + q("id") + ` ` + id + ` not null primary key, ` + q("name") + ` text not null, ` +
		q("email") + ` ` + unique + ` not null unique, ` + q("emailVerified") + ` ` + boolean + ` not null, ` + q("image") + ` text, ` +
		q("createdAt") + ` ` + date + ` not null, ` + q("updatedAt") + ` ` + date + ` not null);
CREATE TABLE IF NOT EXISTS ` + q("session") + ` (` + q("id") + ` ` + id + ` not null primary key, ` + q("expiresAt") + ` ` + date + ` not null, ` +
		q("token") + ` ` + unique + ` not null unique, ` + q("createdAt") + ` ` + date + ` not null, ` + q("updatedAt") + ` ` + date + ` not null, ` +
		q("ipAddress") + ` text, ` + q("userAgent") + ` text, ` + q("userId") + ` ` + id + ` not null references ` + q("user") + ` (` + q("id") + `) on delete cascade);
`
}

// CreateSchema runs Schema(d) on db, one statement at a time (MySQL's
// driver takes one per call).
func CreateSchema(ctx context.Context, db *sql.DB, d Dialect) error {
	for _, st := range strings.Split(Schema(d), ";\n") {
		if strings.TrimSpace(st) == "" {
			continue
		}
		if _, err := db.ExecContext(ctx, st); err != nil {
			return err
		}
	}
	return nil
}
