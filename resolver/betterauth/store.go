package betterauth

import (
	"context"
	"time"
)

// Store is where Better Auth's sessions live, seen from the resolver: the
// three calls getSession makes through its internal adapter
// (better-auth/dist/db/internal-adapter.mjs findSession, updateSession,
// deleteSession). Implementations are safe for concurrent use: packages
// sqlitestore, sqlstore (PostgreSQL, MySQL via pgstore, mysqlstore) and
// redisstore (secondaryStorage).
type Store interface {
	// FindSession returns the session with token and its user, each as the
	// adapter outputs it (see Record), or nil when the session or its user
	// is missing.
	FindSession(ctx context.Context, token string) (*Record, error)
	// UpdateSession sets expiresAt and updatedAt of the session with token
	// and returns the updated session record (nil when it is gone).
	UpdateSession(ctx context.Context, token string, expiresAt, updatedAt time.Time) (Object, error)
	// DeleteSession deletes the session with token (no error when absent).
	DeleteSession(ctx context.Context, token string) error
}

// Record is one session with its user, as Better Auth's adapter outputs
// them: member order is the model's schema order (the core fields, then
// plugin and additional fields) with id last, Dates as time.Time, booleans
// as bool (see SEMANTICS.md, "Database sessions").
type Record struct {
	Session Object
	User    Object
}

// SessionFields and UserFields are the core models' fields in schema order
// (@better-auth/core/dist/db/get-tables.mjs), without id.
var (
	SessionFields = []string{"expiresAt", "token", "createdAt", "updatedAt", "ipAddress", "userAgent", "userId"}
	UserFields    = []string{"name", "email", "emailVerified", "image", "createdAt", "updatedAt"}
)
