package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql" // registers "mysql" for the helpers
	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The local services the store tests use. A test that needs one and does
// not find it skips with a message, except under CI=true, where a missing
// service fails the test (.ci/run starts them).
const (
	PostgresHost = "127.0.0.1:5432"
	RedisURL     = "redis://127.0.0.1:6379/0"
)

func unavailable(tb testing.TB, what string, err error) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatalf("%s is needed under CI: %v", what, err)
	}
	tb.Skipf("%s not available (%v): skipping", what, err)
}

func randomName(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// PostgresDB creates a database of its own on the local server (trust
// auth, user postgres or root) and drops it when the test ends. It returns
// the database's DSN.
func PostgresDB(tb testing.TB) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var admin *pgx.Conn
	var user string
	var err error
	for _, user = range []string{"postgres", "root"} {
		admin, err = pgx.Connect(ctx, fmt.Sprintf("postgres://%s@%s/postgres?sslmode=disable", user, PostgresHost))
		if err == nil {
			break
		}
	}
	if err != nil {
		unavailable(tb, "PostgreSQL at "+PostgresHost, err)
	}
	defer admin.Close(ctx)
	name := randomName("authscope_test_")
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("create database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, fmt.Sprintf("postgres://%s@%s/postgres?sslmode=disable", user, PostgresHost))
		if err != nil {
			tb.Logf("drop %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Logf("drop %s: %v", name, err)
		}
	})
	return fmt.Sprintf("postgres://%s@%s/%s?sslmode=disable", user, PostgresHost, name)
}

// PostgresExec runs statements on the database at dsn (test setup: an
// adapter's DDL, rows).
func PostgresExec(tb testing.TB, dsn, stmts string) {
	tb.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, stmts); err != nil {
		tb.Fatalf("postgres: %v", err)
	}
}

// PostgresSchema creates a fresh schema (namespace) in the database at dsn,
// runs ddl in it, and returns a DSN whose search_path is that schema, so
// many fresh stores share one database cheaply.
func PostgresSchema(tb testing.TB, dsn, ddl string) string {
	tb.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close(ctx)
	schema := randomName("s_")
	if _, err := c.Exec(ctx, "CREATE SCHEMA "+schema+"; SET search_path TO "+schema+"; "+ddl); err != nil {
		tb.Fatalf("schema: %v", err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// RedisPrefix checks the local Redis and returns a key prefix of the
// test's own; every key under it is deleted when the test ends.
func RedisPrefix(tb testing.TB) string {
	tb.Helper()
	o, _ := redis.ParseURL(RedisURL)
	rdb := redis.NewClient(o)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		unavailable(tb, "Redis at 127.0.0.1:6379", err)
	}
	prefix := randomName("authscope-test-") + ":"
	tb.Cleanup(func() {
		defer rdb.Close()
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		for len(keys) > 0 {
			n := min(len(keys), 1000)
			rdb.Del(ctx, keys[:n]...)
			keys = keys[n:]
		}
	})
	return prefix
}

// MySQLHost is the local MySQL/MariaDB server (root, empty password).
const MySQLHost = "127.0.0.1:3306"

// MySQLDB creates a database of its own on the local MySQL or MariaDB
// server and drops it when the test ends. It returns its mysql:// DSN.
func MySQLDB(tb testing.TB) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin, err := sql.Open("mysql", "root@tcp("+MySQLHost+")/")
	if err == nil {
		err = admin.PingContext(ctx)
	}
	if err != nil {
		unavailable(tb, "MySQL/MariaDB at "+MySQLHost, err)
	}
	name := randomName("authscope_test_")
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		admin.Close()
		tb.Fatalf("create database: %v", err)
	}
	tb.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name); err != nil {
			tb.Logf("drop %s: %v", name, err)
		}
	})
	return "mysql://root@" + MySQLHost + "/" + name
}

// MySQLExec runs ;\n-separated statements on the database at a mysql://
// DSN (test setup: an adapter's DDL, rows).
func MySQLExec(tb testing.TB, dsn, stmts string) {
	tb.Helper()
	db := mysqlConn(tb, dsn)
	defer db.Close()
	for _, st := range strings.Split(stmts, ";\n") {
		if strings.TrimSpace(st) == "" {
			continue
		}
		if _, err := db.Exec(st); err != nil {
			tb.Fatalf("%s: %v", st, err)
		}
	}
}

func mysqlConn(tb testing.TB, dsn string) *sql.DB {
	tb.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	db, err := sql.Open("mysql", u.User.Username()+"@tcp("+u.Host+")"+u.Path+"?parseTime=true")
	if err != nil {
		tb.Fatal(err)
	}
	return db
}

// MySQLCatalog dumps everything that is schema in the database at a
// mysql:// DSN: columns with types, nullability, defaults and collations;
// indexes; constraints; triggers; table options.
func MySQLCatalog(tb testing.TB, dsn string) string {
	tb.Helper()
	db := mysqlConn(tb, dsn)
	defer db.Close()
	var b strings.Builder
	for _, q := range []string{
		`SELECT CONCAT_WS(' ', table_name, engine, table_collation, create_options) FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY BINARY table_name`,
		`SELECT CONCAT_WS(' ', table_name, ordinal_position, column_name, column_type, is_nullable, COALESCE(column_default, '-'), COALESCE(collation_name, '-'), extra) FROM information_schema.columns WHERE table_schema = DATABASE() ORDER BY BINARY table_name, ordinal_position`,
		`SELECT CONCAT_WS(' ', table_name, index_name, seq_in_index, column_name, non_unique, index_type) FROM information_schema.statistics WHERE table_schema = DATABASE() ORDER BY BINARY table_name, index_name, seq_in_index`,
		`SELECT CONCAT_WS(' ', table_name, constraint_name, constraint_type) FROM information_schema.table_constraints WHERE table_schema = DATABASE() ORDER BY 1`,
		`SELECT CONCAT_WS(' ', trigger_name, event_manipulation, event_object_table, action_statement) FROM information_schema.triggers WHERE trigger_schema = DATABASE() ORDER BY 1`,
	} {
		rows, err := db.Query(q)
		if err != nil {
			tb.Fatalf("catalog: %v", err)
		}
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				tb.Fatal(err)
			}
			b.WriteString(line + "\n")
		}
		rows.Close()
	}
	return b.String()
}

// MongoHost is the local MongoDB wire-protocol server: FerretDB, which
// .ci/ferretdb.sh builds and starts (no MongoDB package exists here).
const MongoHost = "127.0.0.1:27017"

// MongoDB checks the local server and returns a mongodb:// URI naming a
// database of the test's own, dropped when the test ends.
func MongoDB(tb testing.TB) string {
	tb.Helper()
	conn, err := net.DialTimeout("tcp", MongoHost, 2*time.Second)
	if err != nil {
		unavailable(tb, "a MongoDB server (FerretDB, .ci/ferretdb.sh) at "+MongoHost, err)
	}
	conn.Close()
	name := randomName("authscope_test_")
	uri := "mongodb://" + MongoHost + "/" + name
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := mongo.Connect(options.Client().ApplyURI(uri))
		if err != nil {
			return
		}
		defer c.Disconnect(ctx)
		if err := c.Database(name).Drop(ctx); err != nil {
			tb.Logf("drop %s: %v", name, err)
		}
	})
	return uri
}

// MongoCollections creates collections in the database a mongodb:// URI
// names (what an adapter's first write would do).
func MongoCollections(tb testing.TB, uri string, names ...string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Disconnect(ctx)
	db := c.Database(uri[strings.LastIndex(uri, "/")+1:])
	for _, n := range names {
		if err := db.CreateCollection(ctx, n); err != nil {
			tb.Fatalf("create collection %s: %v", n, err)
		}
	}
}
