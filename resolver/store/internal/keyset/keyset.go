// Package keyset holds what every store's store.Browser shares, whatever
// its query language: the cursor encoding, page-size limits and assembly,
// the state windows and count bounds, LIKE escaping, and the answer of a
// revoke. Only what is the same in every store lives here; the queries
// stay in the stores.
//
// A cursor is the sort key of the last row of a page (expiry in
// microseconds, user id, token), JSON in base64url. It is opaque to
// callers but not secret-free: it embeds a session token, so it must be
// handled like one (never printed or logged).
package keyset

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
)

// Page size bounds.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// Cursor is the position after which the next page starts.
type Cursor struct {
	Expires time.Time
	UserID  string
	Token   string
}

type wire struct {
	E int64  `json:"e"`
	U string `json:"u,omitempty"`
	T string `json:"t"`
	S string `json:"s"`
}

// ErrBadCursor is returned for a cursor this package did not produce, or
// one produced for another sort order.
var ErrBadCursor = errors.New("invalid page cursor")

// Encode returns the cursor for row under sort key k.
func Encode(k store.SortKey, row resolver.SessionRow) string {
	b, _ := json.Marshal(wire{E: row.Session.Expires.UnixMicro(), U: row.Session.UserID, T: row.Session.Token, S: string(k)})
	return base64.RawURLEncoding.EncodeToString(b)
}

// Decode parses a cursor; an empty string is (nil, nil).
func Decode(k store.SortKey, s string) (*Cursor, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, ErrBadCursor
	}
	var w wire
	if err := json.Unmarshal(b, &w); err != nil || w.S != string(k) {
		return nil, ErrBadCursor
	}
	return &Cursor{Expires: time.UnixMicro(w.E).UTC(), UserID: w.U, Token: w.T}, nil
}

// Normalize fills in the query's defaults and rejects unknown values.
func Normalize(q store.ListQuery) (store.ListQuery, error) {
	if q.Sort == "" {
		q.Sort = store.SortExpires
	}
	if q.Sort != store.SortExpires && q.Sort != store.SortUser {
		return q, fmt.Errorf("sort %q: want expires or user", q.Sort)
	}
	switch q.State {
	case store.StateAll, store.StateActive, store.StateExpired, store.StateDue:
	default:
		return q, fmt.Errorf("state %q: want active, expired or due", q.State)
	}
	if q.Limit <= 0 {
		q.Limit = DefaultLimit
	}
	if q.Limit > MaxLimit {
		q.Limit = MaxLimit
	}
	q.Now, q.MaxAge, q.UpdateAge = clock(q.Now, q.MaxAge, q.UpdateAge)
	return q, nil
}

// clock fills in the defaults both queries share: now, maxAge, updateAge.
func clock(now time.Time, maxAge, updateAge time.Duration) (time.Time, time.Duration, time.Duration) {
	if now.IsZero() {
		now = time.Now()
	}
	if maxAge == 0 {
		maxAge = resolver.DefaultMaxAge
	}
	if updateAge == 0 {
		updateAge = resolver.DefaultUpdateAge
	}
	return now, maxAge, updateAge
}

// Parse normalizes a listing query and decodes its cursor.
func Parse(q store.ListQuery) (store.ListQuery, *Cursor, error) {
	q, err := Normalize(q)
	if err != nil {
		return q, nil, err
	}
	cur, err := Decode(q.Sort, q.After)
	return q, cur, err
}

// NormalizeCounts fills in CountQuery's defaults.
func NormalizeCounts(q store.CountQuery) store.CountQuery {
	q.Now, q.MaxAge, q.UpdateAge = clock(q.Now, q.MaxAge, q.UpdateAge)
	return q
}

// CountBounds returns the expiry bounds Counts buckets by, for a
// normalized query: a session is expired before now, active from now, and
// due from now to before dueHi (Window's bounds for those states).
func CountBounds(q store.CountQuery) (now, dueHi time.Time) {
	now, _ = Window(store.StateActive, q.Now, q.MaxAge, q.UpdateAge)
	_, dueHi = Window(store.StateDue, q.Now, q.MaxAge, q.UpdateAge)
	return now, dueHi
}

// Window returns, for a state, the expiry bounds [lo, hi) a session must
// fall in (zero means unbounded), at millisecond precision as Auth.js
// compares: active is expires >= now, expired is expires < now, due is
// now <= expires <= now+maxAge-updateAge.
func Window(state store.SessionState, now time.Time, maxAge, updateAge time.Duration) (lo, hi time.Time) {
	now = time.UnixMilli(now.UnixMilli()).UTC()
	switch state {
	case store.StateActive:
		return now, time.Time{}
	case store.StateExpired:
		return time.Time{}, now
	case store.StateDue:
		return now, store.DueBy(now, maxAge, updateAge).Add(time.Millisecond)
	}
	return time.Time{}, time.Time{}
}

// LikePattern returns %filter% for a LIKE with ESCAPE '\', lower-cased.
func LikePattern(filter string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(filter)) + "%"
}

// Matches is the in-memory filter (Redis): a case-insensitive substring of
// the user's name, email or id. A session whose user is gone matches no
// filter (the SQL stores filter on the joined user row too).
func Matches(filter string, u *resolver.StoredUser) bool {
	if filter == "" {
		return true
	}
	if u == nil {
		return false
	}
	f := strings.ToLower(filter)
	return strings.Contains(strings.ToLower(u.ID), f) ||
		u.Name != nil && strings.Contains(strings.ToLower(*u.Name), f) ||
		u.Email != nil && strings.Contains(strings.ToLower(*u.Email), f)
}

// Less orders two rows for a sort key (ascending), tie-broken by token.
func Less(k store.SortKey, a, b resolver.SessionRow) bool {
	if k == store.SortUser {
		if a.Session.UserID != b.Session.UserID {
			return a.Session.UserID < b.Session.UserID
		}
	} else if !a.Session.Expires.Equal(b.Session.Expires) {
		return a.Session.Expires.Before(b.Session.Expires)
	}
	return a.Session.Token < b.Session.Token
}

// After reports whether row comes after the cursor in the listing's order.
func After(k store.SortKey, desc bool, c *Cursor, row resolver.SessionRow) bool {
	if c == nil {
		return true
	}
	pivot := resolver.SessionRow{Session: resolver.StoredSession{Token: c.Token, UserID: c.UserID, Expires: c.Expires}}
	if desc {
		return Less(k, row, pivot)
	}
	return Less(k, pivot, row)
}

// Where joins SQL conditions into a WHERE clause ("" for none).
func Where(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// Order returns the SQL keyset comparison and direction of a listing:
// rows after the cursor compare > in ascending order, < in descending.
func Order(desc bool) (op, dir string) {
	if desc {
		return "<", "DESC"
	}
	return ">", "ASC"
}

// PageOf makes the page of rows fetched in listing order up to one past
// q.Limit: the extra row only tells that a next page exists, which starts
// after the last row kept.
func PageOf(q store.ListQuery, rows []resolver.SessionRow) store.Page {
	if len(rows) <= q.Limit {
		return store.Page{Rows: rows}
	}
	rows = rows[:q.Limit]
	return store.Page{Rows: rows, Next: Encode(q.Sort, rows[q.Limit-1])}
}

// Revoked is RevokeSession's answer from a store's delete: its error, or
// resolver.ErrNotFound when no session was deleted.
func Revoked(deleted int64, err error) error {
	if err != nil {
		return err
	}
	if deleted == 0 {
		return resolver.ErrNotFound
	}
	return nil
}
