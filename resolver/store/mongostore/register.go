package mongostore

import (
	"context"
	"fmt"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
)

func init() {
	store.Register(store.Driver{Kind: store.KindMongoDB, Schemes: []string{"mongodb", "mongodb+srv"}, Open: openDSN})
}

func openDSN(ctx context.Context, dsn string, o store.Options) (resolver.Store, error) {
	if o.Schema != "" && o.Schema != store.SchemaAuto && o.Schema != AdapterLayout {
		return nil, fmt.Errorf("mongodb: unknown schema %q (want auto or %s)", o.Schema, AdapterLayout)
	}
	return Open(ctx, dsn, Options{ReadOnly: o.ReadOnly, MaxConns: o.MaxConns})
}
