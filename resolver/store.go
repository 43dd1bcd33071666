package resolver

import (
	"context"
	"errors"
	"time"
)

// Store is the part of an Auth.js adapter that GET /session uses: look a
// session and its user up by token, extend a session, delete one. Stores
// only move rows; the Auth.js rules (strict expiry, pruning, updateAge) live
// in the resolver so every store behaves the same.
//
// Implementations are safe for concurrent use and honour ctx deadlines.
type Store interface {
	// SessionAndUser returns the session with the token and its user. A
	// missing session is (nil, nil, nil); a session whose user is missing is
	// (s, nil, nil).
	SessionAndUser(ctx context.Context, token string) (*StoredSession, *StoredUser, error)
	// UpdateExpiry sets the session's expiry (Auth.js updateSession).
	UpdateExpiry(ctx context.Context, token string, expires time.Time) error
	// DeleteSession removes the session (Auth.js deleteSession).
	DeleteSession(ctx context.Context, token string) error
	// Close releases the store's connections.
	Close() error
}

// StoredSession is a session row or key.
type StoredSession struct {
	Token   string
	UserID  string
	Expires time.Time
}

// StoredUser is a user row or key. Nil pointers are NULLs.
type StoredUser struct {
	ID            string
	Name          *string
	Email         *string
	Image         *string
	EmailVerified *time.Time
	// NullsAbsent: the adapter drops NULL members from the user it returns
	// (@auth/supabase-adapter's format() deletes them), so a nil Name, Email
	// or Image is absent from the /session body instead of null.
	NullsAbsent bool
}

// ErrReadOnly is returned by every write (extension, pruning, revocation,
// seeding) on a store opened read-only, so production can be browsed
// without any risk of changing it.
var ErrReadOnly = errors.New("store is read-only: writes are disabled")

// ErrNotFound is returned by store.Browser's RevokeSession when no session
// has the token.
var ErrNotFound = errors.New("session not found")

// ErrMalformedRow wraps a row or key the store cannot read as an Auth.js
// session or user (NULL or unparsable expiry, invalid JSON, wrong types).
// Auth.js would throw on such a row; the resolver reports ReasonStoreError.
var ErrMalformedRow = errors.New("malformed session row")

// SessionRow is a listed session with its user (nil when the user is gone),
// as store.Browser pages hold them. It stays here, beside the redacting
// formatters of Session and User it shares (redact_fmt.go).
type SessionRow struct {
	Session StoredSession
	User    *StoredUser
}
