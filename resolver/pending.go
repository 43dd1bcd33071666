package resolver

import "errors"

// Constructors not yet implemented. Each owner deletes its function from
// this file when it lands the real one; the file goes when it is empty.

func newLocalDatabase(Config, options) (Resolver, error) {
	return nil, errors.New("resolver: database strategy is not built yet")
}

func newCached(r Resolver, _ Config, _ options) Resolver { return r }
