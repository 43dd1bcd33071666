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
}

// ErrReadOnly is returned by every write (extension, pruning, revocation,
// seeding) on a store opened read-only, so production can be browsed
// without any risk of changing it.
var ErrReadOnly = errors.New("store is read-only: writes are disabled")

// ErrNotFound is returned by RevokeSession when no session has the token.
var ErrNotFound = errors.New("session not found")

// ErrMalformedRow wraps a row or key the store cannot read as an Auth.js
// session or user (NULL or unparsable expiry, invalid JSON, wrong types).
// Auth.js would throw on such a row; the resolver reports ReasonStoreError.
var ErrMalformedRow = errors.New("malformed session row")

// Browser is the operator's view of a store: list, count, revoke. Stores
// that implement it (every store in resolver/store) are browsable by the
// TUI and the CLI. Revocation is the seed's sign-out: it deletes rows, so
// a read-only store refuses it with ErrReadOnly.
type Browser interface {
	// ListSessions returns one page of sessions joined with their users,
	// keyset-paginated: pass Page.Next back as ListQuery.After.
	ListSessions(ctx context.Context, q ListQuery) (Page, error)
	// Counts counts sessions by state at q.Now (filtered like ListSessions).
	Counts(ctx context.Context, q CountQuery) (Counts, error)
	// RevokeSession deletes one session (ErrNotFound if there is none).
	RevokeSession(ctx context.Context, token string) error
	// RevokeUser deletes every session of a user and reports how many.
	RevokeUser(ctx context.Context, userID string) (int, error)
}

// SortKey orders a session listing.
type SortKey string

// Sort keys. Ties are broken by the session token so the order is total and
// keyset pagination never skips or repeats a row.
const (
	SortExpires SortKey = "expires" // session expiry, then token
	SortUser    SortKey = "user"    // user id (as the store orders it), then token
)

// SessionState narrows a listing to sessions in one state at a given time.
type SessionState string

// States, as the database strategy sees a session at time now.
const (
	StateAll     SessionState = ""        // every session
	StateActive  SessionState = "active"  // expires >= now
	StateExpired SessionState = "expired" // expires < now (pruned when met)
	StateDue     SessionState = "due"     // active and due for an updateAge extension
)

// ListQuery selects a page of sessions.
type ListQuery struct {
	Sort SortKey
	Desc bool
	// Filter keeps sessions whose user's name, email or id contains it
	// (case-insensitive substring). Empty keeps all.
	Filter string
	// State, with Now, MaxAge and UpdateAge, keeps sessions in one state.
	State     SessionState
	Now       time.Time
	MaxAge    time.Duration
	UpdateAge time.Duration
	// Limit is the page size (default 100, at most 1000).
	Limit int
	// After is the cursor from the previous Page.Next; empty starts over.
	// Cursors embed the last row's token: treat them as secrets.
	After string
}

// CountQuery says what "now", "due" and the filter are for Counts.
type CountQuery struct {
	Now       time.Time
	MaxAge    time.Duration
	UpdateAge time.Duration
	Filter    string
}

// SessionRow is a listed session with its user (nil when the user is gone).
type SessionRow struct {
	Session StoredSession
	User    *StoredUser
}

// Page is one page of a listing. Next is empty on the last page.
type Page struct {
	Rows []SessionRow
	Next string
}

// Counts are session totals by state. Due sessions are also Active.
type Counts struct {
	Total   int
	Active  int
	Expired int
	Due     int
}

// DueBy is the latest expiry that is due for an updateAge extension at now:
// Auth.js extends when expires - maxAge + updateAge <= now.
func DueBy(now time.Time, maxAge, updateAge time.Duration) time.Time {
	return now.Add(maxAge - updateAge)
}

// Seeder bulk-inserts users and sessions for `authscope seed`, the demo and
// benchmarks. Inserts skip rows that already exist (same user id, same
// token), so seeding is idempotent.
type Seeder interface {
	// IntegerUserIDs reports whether the layout's user ids are integers
	// (SERIAL), so the seed must choose numeric ids.
	IntegerUserIDs() bool
	// InsertUsers inserts the users whose id is new; it returns how many.
	InsertUsers(ctx context.Context, users []StoredUser) (int, error)
	// InsertSessions inserts the sessions whose token is new; it returns how many.
	InsertSessions(ctx context.Context, sessions []StoredSession) (int, error)
}
