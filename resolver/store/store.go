// Package store is the operator's side of the database strategy's session
// stores: it opens them from a connection string, browses, revokes and
// seeds them.
//
//	sqlite:PATH            SQLite, layout found in the catalog (d1, Prisma,
//	                       Drizzle); only seeding creates a file or tables
//	                       (Options.CreateIfEmpty); sqlite::memory:
//	postgres://…           PostgreSQL, layout found in the catalog unless
//	postgresql://…         Options.Schema names one
//	mysql://user:pass@host:3306/db
//	                       MySQL or MariaDB (Prisma, Drizzle, Kysely layouts)
//	mongodb://…  mongodb+srv://…
//	                       MongoDB (@auth/mongodb-adapter's collections)
//	redis://…  rediss://…  Redis, key prefix from Options.Prefix
//
// # Never altering a schema
//
// Opening a store never creates, alters or drops a table, index,
// collection or trigger: Options.Schema "" or SchemaAuto finds the
// adapter's layout in the catalog (exactly one must match, else a one-line
// error says what was found), and only seeding asks a driver to create
// tables (CreateIfEmpty, CreateIfAbsent). Indexes come from
// `authscope db migrate`, printed first.
//
// # Rooms
//
// The resolver needs only resolver.Store (look up, extend, delete). What an
// operator does on top of that lives here: the browsing API (Browser,
// ListQuery, Page, Counts), bulk seeding (Seeder, Seed), the SQL table
// layouts every SQL driver shares (Layout, Preset, LayoutFromMapping), and
// the ReadOnly decorator.
//
// # Drivers
//
// The drivers (pgstore, sqlitestore, mysqlstore, mongostore, redisstore) import this package and
// register themselves in their init, the way database/sql drivers do; Open
// dispatches on the DSN's scheme to the registered driver. Package
// resolver/store/all links every driver in. The point is the binary's
// weight: a Go service that links the resolver and one store links that
// store's client library only, not pgx, go-redis and a SQLite engine.
// Opening a DSN whose driver is not linked in fails with ErrNoDriver,
// which names the package to import.
//
// # Read-only
//
// Options.ReadOnly makes Open wrap the store in ReadOnly, the one place
// that refuses every write (extension, pruning, revocation, seeding) with
// resolver.ErrReadOnly, so drivers do not each repeat the guard. Drivers
// still receive the flag for protections only they can give: PostgreSQL
// connections run with default_transaction_read_only, SQLite opens the
// file with mode=ro, Redis uses the read-only script command a replica
// accepts.
//
// Connection strings may hold passwords: nothing here prints or wraps them
// (see Redact for showing which database is in use).
package store

import (
	"github.com/authscope/authscope/resolver"
	storedsn "github.com/authscope/authscope/resolver/store/internal/dsn"
)

// Options tune Open; each applies where it makes sense. They are generic:
// a driver reads the fields that concern it.
type Options struct {
	// ReadOnly refuses every write with resolver.ErrReadOnly (see ReadOnly)
	// and asks the driver for its own read-only measures.
	ReadOnly bool
	// Schema names the adapter layout preset (PostgreSQL: pg-adapter,
	// prisma, prisma-snake, drizzle, kysely, supabase; SQLite: d1, prisma,
	// prisma-snake, drizzle; MySQL: prisma, prisma-snake, drizzle, kysely);
	// "" or SchemaAuto finds it in the catalog. Layout, when its tables are
	// set, wins.
	Schema string
	Layout Layout
	// Mapping is a profile's custom layout (see LayoutFromMapping); it is
	// used when Schema is "custom" or Mapping is non-empty.
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

// SchemaAuto, the default, finds the adapter layout in the store's catalog:
// exactly one must match.
const SchemaAuto = "auto"

// SQLLayout is the layout a SQL driver should use: Layout when set, else
// the Mapping (or Schema "custom"), else the Schema preset. For "" or
// SchemaAuto it is the zero Layout: the driver finds the layout in its
// catalog.
func (o Options) SQLLayout() (Layout, error) {
	l := o.Layout
	if l.Users != "" {
		return l, nil
	}
	if len(o.Mapping) > 0 || o.Schema == "custom" {
		return LayoutFromMapping(o.Mapping)
	}
	if o.Schema == "" || o.Schema == SchemaAuto {
		return Layout{}, nil
	}
	return Preset(o.Schema)
}

// LayoutNamer is a store that can say which adapter layout it reads.
type LayoutNamer interface {
	// LayoutName is the store kind and layout: "postgres prisma",
	// "sqlite drizzle", "mongodb mongodb-adapter".
	LayoutName() string
}

// LayoutName says which adapter layout an opened store reads, for
// resolve --explain, serve's start-up log and the TUI; "" when the store
// does not say.
func LayoutName(st resolver.Store) string {
	if n, ok := Unwrap(st).(LayoutNamer); ok {
		return n.LayoutName()
	}
	return ""
}

// ErrBadDSN is wrapped by every error about a connection string that
// cannot name a store (unknown scheme, empty SQLite path, unparsable URL or
// parameters): a usage error, unlike a store that is unreachable.
var ErrBadDSN = storedsn.ErrBad

// OneLineError is err with its message on one line (pgx lists one dial
// error per address on its own line), for drivers outside this tree, such
// as Better Auth's stores; errors.Is and As still see err.
func OneLineError(err error) error { return storedsn.OneLine(err) }
