package resolver

import (
	"errors"
	"io"
	"log/slog"
	"strings"
	"time"
)

// New validates cfg (after Auth.js's defaults) and builds the resolver it
// describes: local JWT, local database (needs WithStore) or proxy, wrapped
// in the result cache when cfg.Cache.Enabled. Every error means the
// resolver could not be configured and matches ErrUnconfigured (the seed's
// getServerSession throws then), with the problems on one line.
func New(cfg Config, opts ...Option) (Resolver, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, unconfigured(err)
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
		return nil, unconfigured(err)
	}
	if cfg.Cache.Enabled {
		r = newCached(r, cfg, o)
	}
	return r, nil
}

// unconfiguredError is a constructor failure: it matches ErrUnconfigured
// (so callers can tell "cannot run" from "no session" with errors.Is) and
// the underlying problems, and prints them on one line, because Validate
// joins several problems with newlines and callers log or print the
// message as a single line.
type unconfiguredError struct{ err error }

func (e *unconfiguredError) Error() string {
	return strings.ReplaceAll(e.err.Error(), "\n", "; ")
}

func (e *unconfiguredError) Unwrap() []error { return []error{ErrUnconfigured, e.err} }

// unconfigured wraps err as an unconfiguredError unless it already matches
// ErrUnconfigured on one line (the database strategy's missing store).
func unconfigured(err error) error {
	if err == nil || (errors.Is(err, ErrUnconfigured) && !strings.Contains(err.Error(), "\n")) {
		return err
	}
	return &unconfiguredError{err: err}
}
