package pgstore

import (
	"context"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
)

func init() {
	store.Register(store.Driver{Kind: store.KindPostgres, Schemes: []string{"postgres", "postgresql"}, Open: openDSN})
}

// openDSN is the driver's store.Open: the layout comes from the options
// (Layout, Mapping or a Schema preset) or, for "" and auto, from the
// catalog (Open's detect); the rest from the DSN.
func openDSN(ctx context.Context, dsn string, o store.Options) (resolver.Store, error) {
	l, err := o.SQLLayout()
	if err != nil {
		return nil, err
	}
	return Open(ctx, dsn, Options{Layout: l, ReadOnly: o.ReadOnly, MaxConns: int32(o.MaxConns)})
}
