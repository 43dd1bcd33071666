package resolver

import (
	"io"
	"log/slog"
	"time"
)

// New validates cfg (after Auth.js's defaults) and builds the resolver it
// describes: local JWT, local database (needs WithStore) or proxy, wrapped
// in the result cache when cfg.Cache.Enabled.
func New(cfg Config, opts ...Option) (Resolver, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	o := options{clock: time.Now, logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, opt := range opts {
		opt(&o)
	}
	var (
		r   Resolver
		err error
	)
	switch {
	case cfg.Mode == ModeProxy:
		r, err = newProxy(cfg, o)
	case cfg.Strategy == StrategyJWT:
		r, err = newLocalJWT(cfg, o)
	default:
		r, err = newLocalDatabase(cfg, o)
	}
	if err != nil {
		return nil, err
	}
	if cfg.Cache.Enabled {
		r = newCached(r, cfg, o)
	}
	return r, nil
}
