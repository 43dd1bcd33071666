package mysqlstore

import (
	"context"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
)

func init() {
	store.Register(store.Driver{Kind: store.KindMySQL, Schemes: []string{"mysql"}, Open: openDSN})
}

// openDSN is the driver's store.Open: a mapping or a MySQL preset, else
// the layout found in the catalog.
func openDSN(ctx context.Context, dsn string, o store.Options) (resolver.Store, error) {
	var l Layout
	var err error
	switch {
	case o.Layout.Users != "":
		l = o.Layout
	case len(o.Mapping) > 0 || o.Schema == "custom":
		l, err = store.LayoutFromMapping(o.Mapping)
	case o.Schema != "" && o.Schema != store.SchemaAuto:
		l, err = Preset(o.Schema)
	}
	if err != nil {
		return nil, err
	}
	return Open(ctx, dsn, Options{Layout: l, ReadOnly: o.ReadOnly, MaxConns: o.MaxConns})
}
