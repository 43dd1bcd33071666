// Package store opens the session stores of the database strategy from a
// connection string, and seeds them with demo or load data.
//
//	sqlite:PATH            SQLite, layout found in the catalog (d1, Prisma,
//	                       Drizzle); only seeding creates a file or tables
//	                       (Options.CreateIfEmpty); sqlite::memory:
//	postgres://…           PostgreSQL, layout found in the catalog unless
//	                       Options.Schema names one
//	postgresql://…         same
//	mysql://user:pass@host:3306/db
//	                       MySQL or MariaDB (Prisma, Drizzle, Kysely layouts)
//	mongodb://…  mongodb+srv://…
//	                       MongoDB (@auth/mongodb-adapter's collections)
//	redis://…  rediss://…  Redis, key prefix from Options.Prefix
//
// Every store implements resolver.Store, resolver.Browser and
// resolver.Seeder; the Auth.js rules on top of them are the resolver's.
// Connection strings may hold passwords: nothing here prints or wraps them
// (see Redact for showing which database is in use).
package store

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/authscope/authscope/resolver"
	storedsn "github.com/authscope/authscope/resolver/store/internal/dsn"
	"github.com/authscope/authscope/resolver/store/mongostore"
	"github.com/authscope/authscope/resolver/store/mysqlstore"
	"github.com/authscope/authscope/resolver/store/pgstore"
	"github.com/authscope/authscope/resolver/store/redisstore"
	"github.com/authscope/authscope/resolver/store/sqlitestore"
)

// SchemaAuto, the default, finds the adapter layout in the store's catalog:
// exactly one must match (see the store packages' presets).
const SchemaAuto = "auto"

// Options tune Open; each applies where it makes sense.
type Options struct {
	// ReadOnly refuses every write with resolver.ErrReadOnly.
	ReadOnly bool
	// Schema names the SQL layout preset (PostgreSQL: pg-adapter, prisma,
	// prisma-snake, drizzle, kysely, supabase; SQLite: d1, prisma,
	// prisma-snake, drizzle); "" or SchemaAuto finds it in the catalog.
	// Layout, when its tables are set, wins.
	Schema string
	Layout pgstore.Layout
	// Mapping is a profile's custom layout (see pgstore.LayoutFromMapping);
	// it is used when Schema is "custom" or Mapping is non-empty.
	Mapping map[string]string
	// Prefix is the Redis adapters' baseKeyPrefix.
	Prefix string
	// MaxConns bounds the pool (store default when zero).
	MaxConns int
	// MustExist refuses a SQLite path with no file (see
	// sqlitestore.Options.MustExist). Commands that only read or serve
	// sessions set it; seed does not.
	MustExist bool
	// CreateIfEmpty lets a SQLite store create its tables in a new or empty
	// database, and CreateIfAbsent beside other tables. Only seeding sets
	// them: opening a store never changes a schema otherwise.
	CreateIfEmpty, CreateIfAbsent bool
}

// ErrBadDSN is wrapped by every error about a connection string that
// cannot name a store (unknown scheme, empty SQLite path, unparsable URL or
// parameters): a usage error, unlike a store that is unreachable.
var ErrBadDSN = storedsn.ErrBad

// Kind is the store family a DSN names.
type Kind string

// Kinds.
const (
	KindSQLite   Kind = "sqlite"
	KindPostgres Kind = "postgres"
	KindRedis    Kind = "redis"
	KindMySQL    Kind = "mysql"
	KindMongoDB  Kind = "mongodb"
)

// KindOf reports which store a DSN names.
func KindOf(dsn string) (Kind, error) {
	scheme, _, ok := strings.Cut(dsn, ":")
	if !ok {
		return "", fmt.Errorf("store: %w: want sqlite:PATH, postgres://…, mysql://…, mongodb://… or redis://…", ErrBadDSN)
	}
	switch strings.ToLower(scheme) {
	case "sqlite", "sqlite3":
		return KindSQLite, nil
	case "postgres", "postgresql":
		return KindPostgres, nil
	case "redis", "rediss":
		return KindRedis, nil
	case "mysql":
		return KindMySQL, nil
	case "mongodb", "mongodb+srv":
		return KindMongoDB, nil
	}
	return "", fmt.Errorf("store: %w: unknown scheme %q: want sqlite:PATH, postgres://…, mysql://…, mongodb://… or redis://…", ErrBadDSN, scheme)
}

// Open opens the store a DSN names.
func Open(ctx context.Context, dsn string, opts Options) (resolver.Store, error) {
	kind, err := KindOf(dsn)
	if err != nil {
		return nil, err
	}
	switch kind {
	case KindSQLite:
		_, path, _ := strings.Cut(dsn, ":")
		path = strings.TrimPrefix(path, "//")
		if path == "" {
			return nil, fmt.Errorf("store: %w: sqlite: needs a file path (sqlite:PATH) or :memory:", ErrBadDSN)
		}
		return sqlitestore.Open(ctx, path, sqlitestore.Options{
			ReadOnly: opts.ReadOnly, MaxConns: opts.MaxConns, MustExist: opts.MustExist, Schema: opts.Schema,
			CreateIfEmpty: opts.CreateIfEmpty, CreateIfAbsent: opts.CreateIfAbsent,
		})
	case KindPostgres:
		l := opts.Layout
		if l.Users == "" && (len(opts.Mapping) > 0 || opts.Schema == "custom") {
			if l, err = pgstore.LayoutFromMapping(opts.Mapping); err != nil {
				return nil, err
			}
		}
		if l.Users == "" && opts.Schema != "" && opts.Schema != SchemaAuto {
			if l, err = pgstore.Preset(opts.Schema); err != nil {
				return nil, err
			}
		}
		return pgstore.Open(ctx, dsn, pgstore.Options{Layout: l, ReadOnly: opts.ReadOnly, MaxConns: int32(opts.MaxConns)})
	case KindMySQL:
		var l mysqlstore.Layout
		if len(opts.Mapping) > 0 || opts.Schema == "custom" {
			if l, err = pgstore.LayoutFromMapping(opts.Mapping); err != nil {
				return nil, err
			}
		} else if opts.Schema != "" && opts.Schema != SchemaAuto {
			if l, err = mysqlstore.Preset(opts.Schema); err != nil {
				return nil, err
			}
		}
		return mysqlstore.Open(ctx, dsn, mysqlstore.Options{Layout: l, ReadOnly: opts.ReadOnly, MaxConns: opts.MaxConns})
	case KindMongoDB:
		if opts.Schema != "" && opts.Schema != SchemaAuto && opts.Schema != mongostore.LayoutName {
			return nil, fmt.Errorf("store: mongodb: unknown schema %q (want auto or %s)", opts.Schema, mongostore.LayoutName)
		}
		return mongostore.Open(ctx, dsn, mongostore.Options{ReadOnly: opts.ReadOnly, MaxConns: opts.MaxConns})
	default:
		return redisstore.Open(ctx, dsn, redisstore.Options{Prefix: opts.Prefix, ReadOnly: opts.ReadOnly, PoolSize: opts.MaxConns})
	}
}

var kvPassword = regexp.MustCompile(`(?i)(password\s*=\s*)('[^']*'|\S+)`)

// Redact returns the DSN with any password replaced, for messages.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" || u.Opaque != "" {
		// Not a URL: a keyword/value string (password=…) or something
		// unparsable; mask what could be a password.
		dsn = kvPassword.ReplaceAllString(dsn, "${1}•••")
		if i := strings.LastIndex(dsn, "@"); i >= 0 && strings.Contains(dsn[:i], "://") {
			return dsn[:strings.Index(dsn, "://")+3] + "•••" + dsn[i:]
		}
		return dsn
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// LayoutName says which adapter layout an opened store reads, for
// resolve --explain, serve's start-up log and the TUI: "postgres prisma",
// "sqlite drizzle", "redis upstash/unstorage keys". It is "" for a store
// this package did not open.
func LayoutName(st resolver.Store) string {
	switch s := st.(type) {
	case *pgstore.Store:
		return "postgres " + s.Layout().Name
	case *sqlitestore.Store:
		return "sqlite " + s.Layout().Name
	case *mysqlstore.Store:
		return "mysql " + s.Layout().Name
	case *mongostore.Store:
		return "mongodb " + mongostore.LayoutName
	case *redisstore.Store:
		return "redis upstash/unstorage keys"
	}
	return ""
}
