package redisstore

import (
	"context"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
)

func init() {
	store.Register(store.Driver{Kind: store.KindRedis, Schemes: []string{"redis", "rediss"}, Open: openDSN})
}

// openDSN is the driver's store.Open.
func openDSN(ctx context.Context, dsn string, o store.Options) (resolver.Store, error) {
	return Open(ctx, dsn, Options{Prefix: o.Prefix, ReadOnly: o.ReadOnly, PoolSize: o.MaxConns})
}
