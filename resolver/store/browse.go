package store

import (
	"context"
	"time"

	"github.com/authscope/authscope/resolver"
)

// Browser is the operator's view of a store: list, count, revoke. Stores
// that implement it (every driver registered here) are browsable by the
// TUI and the CLI. Revocation is the seed's sign-out: it deletes rows, so
// a read-only store refuses it with resolver.ErrReadOnly.
type Browser interface {
	// ListSessions returns one page of sessions joined with their users,
	// keyset-paginated: pass Page.Next back as ListQuery.After.
	ListSessions(ctx context.Context, q ListQuery) (Page, error)
	// Counts counts sessions by state at q.Now (filtered like ListSessions).
	Counts(ctx context.Context, q CountQuery) (Counts, error)
	// RevokeSession deletes one session (resolver.ErrNotFound if there is none).
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

// Page is one page of a listing. Next is empty on the last page.
type Page struct {
	Rows []resolver.SessionRow
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
	InsertUsers(ctx context.Context, users []resolver.StoredUser) (int, error)
	// InsertSessions inserts the sessions whose token is new; it returns how many.
	InsertSessions(ctx context.Context, sessions []resolver.StoredSession) (int, error)
}
