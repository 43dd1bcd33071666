package sqlstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/authscope/authscope/resolver/betterauth/mysqlstore"
	"github.com/authscope/authscope/resolver/betterauth/pgstore"
	"github.com/authscope/authscope/resolver/betterauth/sqlstore"
	"github.com/authscope/authscope/resolver/store/storetest"
)

// The layouts under test: Better Auth's own DDL per adapter, as its
// Kysely migrations (get-migration.mjs type map), `@better-auth/cli
// generate` for Prisma and Drizzle, write them. Every table carries the
// additionalFields columns the vectors use (nullable), as Better Auth's
// migration adds them.

type layout struct {
	name    string
	dialect string // postgres | mysql
	ddl     string
	// col maps a field to its column (camelCase or snake_case).
	col func(string) string
	// session, user are the table names.
	session, user string
}

func camel(f string) string { return f }

func snakeCol(f string) string {
	var b strings.Builder
	for i, r := range f {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ddl builds the two tables from per-type column types.
func ddl(q func(string) string, col func(string) string, user, session string, types map[string]string) string {
	c := func(f, typ string) string { return q(col(f)) + " " + typ }
	u := []string{c("id", types["id"]+" primary key"), c("name", types["text"]+" not null"), c("email", types["unique"]+" not null unique"),
		c("emailVerified", types["boolean"]+" not null"), c("image", types["text"]), c("createdAt", types["date"]+" not null"), c("updatedAt", types["date"]+" not null"),
		c("role", types["text"]), c("plan", "integer"), c("internalNote", types["text"]), c("beta", types["boolean"]), c("lastSeen", types["date"])}
	s := []string{c("id", types["id"]+" primary key"), c("expiresAt", types["date"]+" not null"), c("token", types["unique"]+" not null unique"),
		c("createdAt", types["date"]+" not null"), c("updatedAt", types["date"]+" not null"), c("ipAddress", types["text"]), c("userAgent", types["text"]),
		c("userId", types["ref"]+" not null references "+q(user)+" ("+q(col("id"))+") on delete cascade"), c("device", types["text"]), c("secretFlag", types["boolean"])}
	return "CREATE TABLE " + q(user) + " (" + strings.Join(u, ", ") + ");\nCREATE TABLE " + q(session) + " (" + strings.Join(s, ", ") + ");\n"
}

func pgq(s string) string { return `"` + s + `"` }
func myq(s string) string { return "`" + s + "`" }

var (
	pgKysely  = map[string]string{"id": "text", "ref": "text", "text": "text", "unique": "text", "boolean": "boolean", "date": "timestamptz"}
	pgPrisma  = map[string]string{"id": "text", "ref": "text", "text": "text", "unique": "text", "boolean": "boolean", "date": "timestamp(3)"}
	pgDrizzle = map[string]string{"id": "text", "ref": "text", "text": "text", "unique": "text", "boolean": "boolean", "date": "timestamp"}
	myKysely  = map[string]string{"id": "varchar(36)", "ref": "varchar(36)", "text": "text", "unique": "varchar(255)", "boolean": "boolean", "date": "timestamp(3)"}
	myPrisma  = map[string]string{"id": "varchar(191)", "ref": "varchar(191)", "text": "varchar(191)", "unique": "varchar(191)", "boolean": "tinyint(1)", "date": "datetime(3)"}
	myDrizzle = map[string]string{"id": "varchar(36)", "ref": "varchar(36)", "text": "text", "unique": "varchar(255)", "boolean": "boolean", "date": "timestamp(3)"}
)

func layouts() []layout {
	return []layout{
		{"postgres_kysely", "postgres", ddl(pgq, camel, "user", "session", pgKysely), camel, "session", "user"},
		{"postgres_prisma", "postgres", ddl(pgq, camel, "User", "Session", pgPrisma), camel, "Session", "User"},
		{"postgres_drizzle", "postgres", ddl(pgq, snakeCol, "user", "session", pgDrizzle), snakeCol, "session", "user"},
		{"mysql_kysely", "mysql", ddl(myq, camel, "user", "session", myKysely), camel, "session", "user"},
		{"mysql_prisma", "mysql", ddl(myq, camel, "user", "session", myPrisma), camel, "session", "user"},
		{"mysql_drizzle_plural", "mysql", ddl(myq, snakeCol, "users", "sessions", myDrizzle), snakeCol, "sessions", "users"},
	}
}

// fresh creates l's tables in a database of the test's own and returns its
// DSN.
func fresh(t testing.TB, l layout) string {
	t.Helper()
	if l.dialect == "postgres" {
		return storetest.PostgresSchema(t, storetest.PostgresDB(t), l.ddl)
	}
	dsn := storetest.MySQLDB(t)
	storetest.MySQLExec(t, dsn, l.ddl)
	return dsn
}

func open(t testing.TB, l layout, dsn string, lay sqlstore.Layout) *sqlstore.Store {
	t.Helper()
	var st *sqlstore.Store
	var err error
	if l.dialect == "postgres" {
		st, err = pgstore.Open(context.Background(), dsn, pgstore.Options{Layout: lay})
	} else {
		st, err = mysqlstore.Open(context.Background(), dsn, mysqlstore.Options{Layout: lay})
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func (l layout) q(s string) string {
	if l.dialect == "mysql" {
		return myq(s)
	}
	return pgq(s)
}

func (l layout) bind(s string) string {
	if l.dialect == "mysql" {
		return s
	}
	n := 0
	var b strings.Builder
	for _, r := range s {
		if r == '?' {
			n++
			b.WriteString("$" + string(rune('0'+n)))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
