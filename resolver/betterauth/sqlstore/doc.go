// Package sqlstore is Better Auth's session store over database/sql, one
// implementation for every SQL database its adapters write to,
// parameterised by a Dialect (identifier quoting, placeholders, how dates
// are stored, where the catalog is) and a Layout (which tables and
// columns hold the session and user models).
//
// # Layouts
//
// Better Auth names the models "session" and "user" with camelCase fields
// (expiresAt, userId, …). Its adapters put them in tables differently:
//   - the built-in Kysely adapter: tables "session" and "user", columns as
//     the fields (timestamptz on PostgreSQL, timestamp(3) on MySQL,
//     ISO 8601 text on SQLite);
//   - Prisma (the schema `@better-auth/cli generate` writes): models
//     Session and User, tables "session"/"user" through @@map, or
//     "Session"/"User" without it; camelCase columns, timestamp(3) or
//     datetime(3);
//   - Drizzle: tables "session"/"user" (or "sessions"/"users" with
//     usePlural) with camelCase or snake_case columns (expires_at,
//     user_id, ip_address, …).
//
// Detect finds which one a database holds from its catalog (one query of
// information_schema or sqlite_master), requiring every core column, so
// an Auth.js table of the same name is never mistaken for Better Auth's;
// Layout's explicit table and column names are Better Auth's modelName
// and fields options, and win over detection.
//
// # Reads and writes
//
// A lookup reads the session row by token, then its user, and hands both
// to betterauth.AdapterOutput, which puts them in the adapter's output
// form. Writes are the ones getSession makes (extend: expiresAt and
// updatedAt; prune: delete by token) plus the operator's revocations and
// the seed's inserts; nothing here alters a schema.
//
// Dates are written as JavaScript Dates are: milliseconds, UTC. Columns
// without a time zone (Prisma's timestamp(3), Drizzle's timestamp, MySQL
// datetime) hold UTC wall clocks, which is what the Node drivers write
// when the server runs in UTC (see testdata/betterauth/SEMANTICS.md).
package sqlstore
