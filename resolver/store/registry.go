package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/authscope/authscope/resolver"
)

// Kind is the store family a DSN names.
type Kind string

// Kinds.
const (
	KindSQLite   Kind = "sqlite"
	KindPostgres Kind = "postgres"
	KindRedis    Kind = "redis"
	KindMySQL    Kind = "mysql"
	KindMongoDB  Kind = "mongodb"
)

// Driver opens one family of stores. Open receives the whole DSN and the
// caller's Options; it need not handle Options.ReadOnly's write refusal,
// which the package's Open adds (see ReadOnly).
type Driver struct {
	Kind Kind
	// Schemes are the DSN schemes (before the first ':'), lower case.
	Schemes []string
	Open    func(ctx context.Context, dsn string, o Options) (resolver.Store, error)
}

// ErrNoDriver is wrapped by Open's error when the DSN names a known store
// whose driver is not linked into the program.
var ErrNoDriver = errors.New("no driver linked in")

// builtinSchemes are the schemes KindOf knows even when no driver is
// linked in, so the CLI can check flags against the store kind and Open can
// say which import is missing rather than "unknown scheme".
var builtinSchemes = map[string]Kind{
	"sqlite": KindSQLite, "sqlite3": KindSQLite,
	"postgres": KindPostgres, "postgresql": KindPostgres,
	"redis": KindRedis, "rediss": KindRedis,
	"mysql":   KindMySQL,
	"mongodb": KindMongoDB, "mongodb+srv": KindMongoDB,
}

var registry struct {
	sync.RWMutex
	kinds   map[string]Kind   // scheme → kind, registered drivers only
	drivers map[string]Driver // scheme → driver
}

// Register makes a driver available to Open. Drivers call it from init.
// It panics on a driver without an Open func or schemes, or on a scheme
// registered twice, as database/sql.Register does: both are programming
// errors that must not pass silently.
func Register(d Driver) {
	if d.Open == nil || len(d.Schemes) == 0 || d.Kind == "" {
		panic("store: Register: driver needs a Kind, Schemes and an Open func")
	}
	registry.Lock()
	defer registry.Unlock()
	if registry.drivers == nil {
		registry.kinds, registry.drivers = map[string]Kind{}, map[string]Driver{}
	}
	for _, s := range d.Schemes {
		s = strings.ToLower(s)
		if _, dup := registry.drivers[s]; dup {
			panic("store: Register called twice for scheme " + s)
		}
		registry.kinds[s], registry.drivers[s] = d.Kind, d
	}
}

// Drivers lists the registered drivers' kinds, sorted, without repeats.
func Drivers() []Kind {
	registry.RLock()
	defer registry.RUnlock()
	var out []Kind
	for _, k := range registry.kinds {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// KindOf reports which store a DSN names, whether or not its driver is
// linked in.
func KindOf(dsn string) (Kind, error) {
	scheme, _, ok := strings.Cut(dsn, ":")
	if !ok {
		return "", fmt.Errorf("store: %w: want sqlite:PATH, postgres://…, mysql://…, mongodb://… or redis://…", ErrBadDSN)
	}
	scheme = strings.ToLower(scheme)
	registry.RLock()
	k, ok := registry.kinds[scheme]
	registry.RUnlock()
	if !ok {
		k, ok = builtinSchemes[scheme]
	}
	if !ok {
		return "", fmt.Errorf("store: %w: unknown scheme %q: want sqlite:PATH, postgres://…, mysql://…, mongodb://… or redis://…", ErrBadDSN, scheme)
	}
	return k, nil
}

// Open opens the store a DSN names with its registered driver, wrapped in
// ReadOnly when o.ReadOnly.
func Open(ctx context.Context, dsn string, o Options) (resolver.Store, error) {
	if _, err := KindOf(dsn); err != nil {
		return nil, err
	}
	scheme, _, _ := strings.Cut(dsn, ":")
	scheme = strings.ToLower(scheme)
	registry.RLock()
	d, ok := registry.drivers[scheme]
	registry.RUnlock()
	if !ok {
		return nil, noDriverError{schemeLabel(scheme)}
	}
	s, err := d.Open(ctx, dsn, o)
	if err != nil {
		return nil, err
	}
	if o.ReadOnly {
		s = ReadOnly(s)
	}
	return s, nil
}

// noDriverError names the scheme and the import that links its driver in;
// it matches ErrNoDriver.
type noDriverError struct{ scheme string }

func (e noDriverError) Error() string {
	return "store: no driver for " + e.scheme + " linked in; import github.com/authscope/authscope/resolver/store/all"
}

func (e noDriverError) Is(target error) bool { return target == ErrNoDriver }

// schemeLabel shows a scheme as its DSNs start: sqlite: or postgres://.
func schemeLabel(scheme string) string {
	if builtinSchemes[scheme] == KindSQLite {
		return scheme + ":"
	}
	return scheme + "://"
}
