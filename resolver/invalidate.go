package resolver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Invalidation travels as events so that every path (the Go API, the TUI's
// revoke, serve's endpoint, PostgreSQL NOTIFY, Redis pub/sub) means the same
// thing. Events never carry a raw session token: a token is named by the
// hex SHA-256 of its reassembled value (TokenDigest), which a database
// trigger can compute too (sha256() in PostgreSQL) and which is useless to
// whoever reads the bus.

// Invalidator is what invalidation sources drive. *Cache implements it.
// Implementations are safe for concurrent use.
type Invalidator interface {
	// InvalidateTokenDigest drops the entry whose token has this
	// TokenDigest.
	InvalidateTokenDigest(digest string)
	// InvalidateUser drops every entry of the user.
	InvalidateUser(userID string)
	// InvalidateAll drops everything.
	InvalidateAll()
}

var _ Invalidator = (*Cache)(nil)

// InvalidationKind says what an InvalidationEvent targets.
type InvalidationKind string

// Invalidation kinds.
const (
	InvalidateKindToken InvalidationKind = "token"
	InvalidateKindUser  InvalidationKind = "user"
	InvalidateKindAll   InvalidationKind = "all"
)

// String implements fmt.Stringer.
func (k InvalidationKind) String() string { return string(k) }

// InvalidationEvent is one invalidation as buses carry it (JSON).
type InvalidationEvent struct {
	Kind InvalidationKind `json:"kind"`
	// TokenDigest is TokenDigest(token) for Kind "token".
	TokenDigest string `json:"token_sha256,omitempty"`
	// UserID is the user for Kind "user".
	UserID string `json:"user_id,omitempty"`
	// Origin identifies the publishing process, so a subscriber can skip
	// its own events (it has already applied them).
	Origin string `json:"origin,omitempty"`
}

// TokenDigest is the name of a session token on invalidation buses and in
// the shared cache tier: lower-case hex SHA-256 of the reassembled token.
func TokenDigest(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// TokenEvent, UserEvent and AllEvent build events.
func TokenEvent(token string) InvalidationEvent {
	return InvalidationEvent{Kind: InvalidateKindToken, TokenDigest: TokenDigest(token)}
}

// UserEvent builds an event that drops a user's entries.
func UserEvent(userID string) InvalidationEvent {
	return InvalidationEvent{Kind: InvalidateKindUser, UserID: userID}
}

// AllEvent builds an event that empties caches.
func AllEvent() InvalidationEvent { return InvalidationEvent{Kind: InvalidateKindAll} }

// ErrBadEvent is wrapped by Validate and ParseInvalidationEvent.
var ErrBadEvent = errors.New("resolver: bad invalidation event")

// Validate checks that e names exactly what its kind needs.
func (e InvalidationEvent) Validate() error {
	switch e.Kind {
	case InvalidateKindToken:
		if len(e.TokenDigest) != 64 {
			return fmt.Errorf("%w: token_sha256 must be 64 hex digits", ErrBadEvent)
		}
		if _, err := hex.DecodeString(e.TokenDigest); err != nil {
			return fmt.Errorf("%w: token_sha256: %v", ErrBadEvent, err)
		}
	case InvalidateKindUser:
		if e.UserID == "" {
			return fmt.Errorf("%w: user_id is empty", ErrBadEvent)
		}
	case InvalidateKindAll:
	default:
		return fmt.Errorf("%w: kind %q (want token, user or all)", ErrBadEvent, e.Kind)
	}
	return nil
}

// ParseInvalidationEvent decodes and validates a JSON event. A hex digest
// is accepted in either case and normalised to lower case.
func ParseInvalidationEvent(b []byte) (InvalidationEvent, error) {
	var e InvalidationEvent
	if err := json.Unmarshal(b, &e); err != nil {
		return e, fmt.Errorf("%w: %v", ErrBadEvent, err)
	}
	if e.Kind == InvalidateKindToken {
		e.TokenDigest = lowerHex(e.TokenDigest)
	}
	return e, e.Validate()
}

func lowerHex(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'F' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// Apply performs e on inv.
func (e InvalidationEvent) Apply(inv Invalidator) error {
	if err := e.Validate(); err != nil {
		return err
	}
	switch e.Kind {
	case InvalidateKindToken:
		inv.InvalidateTokenDigest(e.TokenDigest)
	case InvalidateKindUser:
		inv.InvalidateUser(e.UserID)
	default:
		inv.InvalidateAll()
	}
	return nil
}

// Publisher sends events to other processes (Redis pub/sub, PostgreSQL
// NOTIFY). See package resolver/bus.
type Publisher interface {
	Publish(ctx context.Context, e InvalidationEvent) error
}

// SharedTier is a cache level shared by several processes (see
// bus.RedisTier). Keys are TokenDigest(token), never the token. Errors are
// the tier's to log: a broken tier degrades to a miss, never to a failure.
type SharedTier interface {
	Get(ctx context.Context, token string) (res Result, ttl time.Duration, ok bool)
	Set(ctx context.Context, token string, res Result, ttl time.Duration)
	Delete(ctx context.Context, token string)
	DeleteDigest(ctx context.Context, digest string)
	DeleteUser(ctx context.Context, userID string)
	DeleteAll(ctx context.Context)
}

// InvalidateToken drops the entry for a session token (the reassembled
// cookie value, or the database session token).
func (c *Cache) InvalidateToken(token string) {
	c.epoch.Add(1)
	c.invalidations.Add(1)
	if _, ok := c.store.Invalidate(c.key(token)); ok {
		c.invalidated.Add(1)
	}
	if c.shared != nil {
		c.shared.Delete(context.Background(), token)
	}
}

// InvalidateTokenDigest drops the entry whose token has this TokenDigest.
// Entries are keyed by a process-local hash, so this walks the cache
// comparing each entry's digest (computed once, when it was stored).
func (c *Cache) InvalidateTokenDigest(digest string) {
	c.epoch.Add(1)
	c.invalidations.Add(1)
	want, err := hex.DecodeString(digest)
	if err != nil || len(want) != sha256.Size {
		return
	}
	for k, e := range c.store.All() {
		if string(e.digest[:]) == string(want) {
			if _, ok := c.store.Invalidate(k); ok {
				c.invalidated.Add(1)
			}
		}
	}
	if c.shared != nil {
		c.shared.DeleteDigest(context.Background(), digest)
	}
}

// InvalidateUser drops every entry whose session belongs to userID
// (Session.User.ID: the JWT sub or the database user id). Proxy answers
// carry no user id (Auth.js's body has none), so they are reached only by
// token or by InvalidateAll. It walks the cache: O(entries), fine for an
// event that happens on sign-out.
func (c *Cache) InvalidateUser(userID string) {
	c.epoch.Add(1)
	c.invalidations.Add(1)
	if userID == "" {
		return
	}
	for k, e := range c.store.All() {
		if e.userID == userID {
			if _, ok := c.store.Invalidate(k); ok {
				c.invalidated.Add(1)
			}
		}
	}
	if c.shared != nil {
		c.shared.DeleteUser(context.Background(), userID)
	}
}

// InvalidateAll empties the cache.
func (c *Cache) InvalidateAll() {
	c.epoch.Add(1)
	c.invalidations.Add(1)
	// Counted after the entries are gone, like the other invalidations:
	// whoever sees Invalidated grow may rely on a lookup missing.
	n := c.store.EstimatedSize()
	c.store.InvalidateAll()
	c.invalidated.Add(uint64(n))
	if c.shared != nil {
		c.shared.DeleteAll(context.Background())
	}
}
