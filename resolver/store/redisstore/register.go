package redisstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
)

func init() {
	store.Register(store.Driver{Kind: store.KindRedis, Schemes: []string{"redis", "rediss"}, Open: openDSN})
}

// openDSN is the driver's store.Open.
// With --schema auto and no prefix it detects the prefix; a layout name
// (unstorage, upstash) uses the prefix as given.
func openDSN(ctx context.Context, dsn string, o store.Options) (resolver.Store, error) {
	auto := o.Schema == "" || o.Schema == store.SchemaAuto
	if !auto && !slices.Contains(layouts, o.Schema) {
		return nil, fmt.Errorf("redisstore: %w: --schema %q is not a Redis layout (want auto, %s)", store.ErrBadDSN, o.Schema, strings.Join(layouts, ", "))
	}
	return Open(ctx, dsn, Options{
		Prefix: o.Prefix, ReadOnly: o.ReadOnly, PoolSize: o.MaxConns,
		Detect: auto && o.Prefix == "", AllowNone: o.CreateIfEmpty || o.CreateIfAbsent,
	})
}
