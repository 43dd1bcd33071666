package store

import (
	"context"
	"time"

	"github.com/authscope/authscope/resolver"
)

// ReadOnly wraps s so that every write (UpdateExpiry, DeleteSession,
// RevokeSession, RevokeUser, InsertUsers, InsertSessions) returns
// resolver.ErrReadOnly without reaching s, while lookups, listings and
// counts pass through. The result implements Browser and Seeder exactly
// when s does, so callers' type assertions see the same capabilities.
// Wrapping a wrapped store returns it unchanged; Unwrap reaches s.
//
// The resolver's own Config.ReadOnly skips writes before calling the store;
// this decorator is the store-side fence for everything else (the TUI's
// revoke, seeding, a caller that forgot the flag).
func ReadOnly(s resolver.Store) resolver.Store {
	if isReadOnly(s) {
		return s
	}
	ro := readOnlyStore{s}
	b, browser := s.(Browser)
	sd, seeder := s.(Seeder)
	switch {
	case browser && seeder:
		return readOnlyFull{ro, readOnlyBrowser{b}, readOnlySeeder{sd}}
	case browser:
		return readOnlyBrowsable{ro, readOnlyBrowser{b}}
	case seeder:
		return readOnlySeedable{ro, readOnlySeeder{sd}}
	}
	return ro
}

// Unwrap returns the store ReadOnly wrapped, or s itself.
func Unwrap(s resolver.Store) resolver.Store {
	if w, ok := s.(interface{ unwrapReadOnly() resolver.Store }); ok {
		return w.unwrapReadOnly()
	}
	return s
}

func isReadOnly(s resolver.Store) bool {
	_, ok := s.(interface{ unwrapReadOnly() resolver.Store })
	return ok
}

// readOnlyStore refuses resolver.Store's writes.
type readOnlyStore struct{ s resolver.Store }

func (r readOnlyStore) unwrapReadOnly() resolver.Store { return r.s }

func (r readOnlyStore) SessionAndUser(ctx context.Context, token string) (*resolver.StoredSession, *resolver.StoredUser, error) {
	return r.s.SessionAndUser(ctx, token)
}

func (readOnlyStore) UpdateExpiry(context.Context, string, time.Time) error {
	return resolver.ErrReadOnly
}

func (readOnlyStore) DeleteSession(context.Context, string) error { return resolver.ErrReadOnly }

func (r readOnlyStore) Close() error { return r.s.Close() }

// readOnlyBrowser passes listings through and refuses revocation.
type readOnlyBrowser struct{ b Browser }

func (r readOnlyBrowser) ListSessions(ctx context.Context, q ListQuery) (Page, error) {
	return r.b.ListSessions(ctx, q)
}

func (r readOnlyBrowser) Counts(ctx context.Context, q CountQuery) (Counts, error) {
	return r.b.Counts(ctx, q)
}

func (readOnlyBrowser) RevokeSession(context.Context, string) error { return resolver.ErrReadOnly }

func (readOnlyBrowser) RevokeUser(context.Context, string) (int, error) {
	return 0, resolver.ErrReadOnly
}

// readOnlySeeder refuses inserts; IntegerUserIDs is a read.
type readOnlySeeder struct{ sd Seeder }

func (r readOnlySeeder) IntegerUserIDs() bool { return r.sd.IntegerUserIDs() }

func (readOnlySeeder) InsertUsers(context.Context, []resolver.StoredUser) (int, error) {
	return 0, resolver.ErrReadOnly
}

func (readOnlySeeder) InsertSessions(context.Context, []resolver.StoredSession) (int, error) {
	return 0, resolver.ErrReadOnly
}

// The combinations, so the wrapper has exactly the wrapped store's methods.
type (
	readOnlyFull struct {
		readOnlyStore
		readOnlyBrowser
		readOnlySeeder
	}
	readOnlyBrowsable struct {
		readOnlyStore
		readOnlyBrowser
	}
	readOnlySeedable struct {
		readOnlyStore
		readOnlySeeder
	}
)
