package sqlitestore

import (
	"context"
	"fmt"
	"strings"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
)

func init() {
	store.Register(store.Driver{Kind: store.KindSQLite, Schemes: []string{"sqlite", "sqlite3"}, Open: openDSN})
}

// openDSN is the driver's store.Open: sqlite:PATH, sqlite://PATH or
// sqlite::memory:.
func openDSN(ctx context.Context, dsn string, o store.Options) (resolver.Store, error) {
	_, path, _ := strings.Cut(dsn, ":")
	path = strings.TrimPrefix(path, "//")
	if path == "" {
		return nil, fmt.Errorf("store: %w: sqlite: needs a file path (sqlite:PATH) or :memory:", store.ErrBadDSN)
	}
	return Open(ctx, path, Options{
		ReadOnly: o.ReadOnly, MaxConns: o.MaxConns, MustExist: o.MustExist, Schema: o.Schema,
		CreateIfEmpty: o.CreateIfEmpty, CreateIfAbsent: o.CreateIfAbsent,
	})
}
