// Package store is the operator's side of the database strategy's session
// stores: it opens them from a connection string, browses, revokes and
// seeds them.
//
//	sqlite:PATH            embedded SQLite (created on first use unless
//	                       Options.MustExist); sqlite::memory:
//	postgres://…           PostgreSQL, layout from Options.Schema (default pg-adapter)
//	postgresql://…         same
//	redis://…  rediss://…  Redis, key prefix from Options.Prefix
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
// The drivers (pgstore, sqlitestore, redisstore) import this package and
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
	storedsn "github.com/authscope/authscope/resolver/store/internal/dsn"
)

// Options tune Open; each applies where it makes sense. They are generic:
// a driver reads the fields that concern it.
type Options struct {
	// ReadOnly refuses every write with resolver.ErrReadOnly (see ReadOnly)
	// and asks the driver for its own read-only measures.
	ReadOnly bool
	// Schema names a SQL layout preset (pg-adapter, prisma, prisma-snake,
	// drizzle); Layout, when its tables are set, wins.
	Schema string
	Layout Layout
	// Mapping is a profile's custom layout (see LayoutFromMapping); it is
	// used when Schema is "custom" or Mapping is non-empty.
	Mapping map[string]string
	// Prefix is the Redis adapters' baseKeyPrefix.
	Prefix string
	// MaxConns bounds the pool (store default when zero).
	MaxConns int
	// MustExist refuses a SQLite path with no file rather than creating an
	// empty store (see sqlitestore.Options.MustExist). Commands that only
	// read or serve sessions set it; seed does not.
	MustExist bool
}

// SQLLayout is the layout a SQL driver should use: Layout when set, else
// the Mapping (or Schema "custom"), else the Schema preset, else
// DefaultPreset.
func (o Options) SQLLayout() (Layout, error) {
	l := o.Layout
	if l.Users != "" {
		return l, nil
	}
	if len(o.Mapping) > 0 || o.Schema == "custom" {
		return LayoutFromMapping(o.Mapping)
	}
	name := o.Schema
	if name == "" {
		name = DefaultPreset
	}
	return Preset(name)
}

// ErrBadDSN is wrapped by every error about a connection string that
// cannot name a store (unknown scheme, empty SQLite path, unparsable URL or
// parameters): a usage error, unlike a store that is unreachable.
var ErrBadDSN = storedsn.ErrBad
