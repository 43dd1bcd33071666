package redisstore

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/betterauth"
	"github.com/authscope/authscope/resolver/internal/redisscan"
	"github.com/authscope/authscope/resolver/store"
)

// Browsing: store.Browser over secondaryStorage. Session keys are bare
// tokens (no namespace), so a listing SCANs every key under the prefix in
// bounded batches, MGETs them and keeps the values that parse as a
// {session, user} whose session.token is the key: the active-sessions-,
// revoked-sessions-before- and any other application keys drop out. Like
// better-auth's listSessions, sessions revoked by a revoked-sessions-before
// marker are not listed (getSession would not find them). Each call is
// O(keys): Redis has no index to page on.

// walk returns every live session under the prefix with its user.
func (s *Store) walk(ctx context.Context) ([]resolver.SessionRow, error) {
	var rows []resolver.SessionRow
	var created []time.Time
	err := redisscan.Values(ctx, s.rdb, redisscan.EscapeGlob(s.prefix)+"*", nil, func(key, v string) {
		if r, c, ok := parseEntry(strings.TrimPrefix(key, s.prefix), v); ok {
			rows, created = append(rows, r), append(created, c)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("betterauth redis: scan: %w", err)
	}
	return s.dropRevoked(ctx, rows, created)
}

// parseEntry reads one MGET value as a session row; ok is false for keys
// that are not a session stored under its own token.
func parseEntry(key, str string) (resolver.SessionRow, time.Time, bool) {
	if !strings.HasPrefix(str, "{") {
		return resolver.SessionRow{}, time.Time{}, false
	}
	parsed, err := betterauth.SafeJSONParse([]byte(str))
	o, _ := parsed.(betterauth.Object)
	if err != nil || o == nil {
		return resolver.SessionRow{}, time.Time{}, false
	}
	sv, _ := o.Get("session")
	sess, _ := sv.(betterauth.Object)
	tok, _ := sess.String("token")
	if sess == nil || tok != key {
		return resolver.SessionRow{}, time.Time{}, false
	}
	var r resolver.SessionRow
	r.Session.Token = tok
	r.Session.UserID, _ = sess.String("userId")
	r.Session.Expires, _ = sess.Time("expiresAt")
	created, _ := sess.Time("createdAt")
	uv, _ := o.Get("user")
	if user, _ := uv.(betterauth.Object); user != nil {
		r.User = storedUser(user)
	}
	return r, created, true
}

func storedUser(u betterauth.Object) *resolver.StoredUser {
	out := &resolver.StoredUser{}
	out.ID, _ = u.String("id")
	str := func(name string) *string {
		if v, ok := u.String(name); ok {
			return &v
		}
		return nil
	}
	out.Name, out.Email, out.Image = str("name"), str("email"), str("image")
	return out
}

// dropRevoked removes the sessions created before their user's
// revoked-sessions-before marker (isRevokedSession), one GET per user.
func (s *Store) dropRevoked(ctx context.Context, rows []resolver.SessionRow, created []time.Time) ([]resolver.SessionRow, error) {
	before := map[string]float64{}
	kept := rows[:0]
	for i, r := range rows {
		uid := r.Session.UserID
		b, seen := before[uid]
		if !seen {
			var err error
			if b, err = s.revokedBefore(ctx, uid); err != nil {
				return nil, fmt.Errorf("betterauth redis: scan: %w", err)
			}
			before[uid] = b
		}
		if float64(created[i].UnixMilli()) < b {
			continue
		}
		kept = append(kept, r)
	}
	return kept, nil
}

// revokedBefore is Number(get(revoked-sessions-before-<userId>)), 0 when
// absent or NaN (comparisons with NaN are false: never revoked).
func (s *Store) revokedBefore(ctx context.Context, uid string) (float64, error) {
	b, err := s.get(ctx, "revoked-sessions-before-"+uid)
	if err != nil || b == nil {
		return 0, err
	}
	v, err := betterauth.SafeJSONParse(b)
	f, ok := v.(float64)
	if err != nil || !ok {
		return 0, nil
	}
	return f, nil
}

// ListSessions implements store.Browser: one walk, then filter, sort and
// the page after the cursor (base64url of "key\ntoken", as sqlstore's).
func (s *Store) ListSessions(ctx context.Context, q store.ListQuery) (store.Page, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	cur, err := decodeCursor(q.After)
	if err != nil {
		return store.Page{}, err
	}
	rows, err := s.walk(ctx)
	if err != nil {
		return store.Page{}, err
	}
	kept := rows[:0]
	for _, r := range rows {
		if matches(q.Filter, r.User) && inState(q.State, r.Session.Expires, q.Now, q.MaxAge, q.UpdateAge) &&
			(cur == nil || compare(sortKey(q.Sort, r), r.Session.Token, cur.key, cur.token)*dir(q.Desc) > 0) {
			kept = append(kept, r)
		}
	}
	slices.SortFunc(kept, func(a, b resolver.SessionRow) int {
		return compare(sortKey(q.Sort, a), a.Session.Token, sortKey(q.Sort, b), b.Session.Token) * dir(q.Desc)
	})
	var page store.Page
	if len(kept) > limit {
		kept = kept[:limit]
		last := kept[limit-1]
		page.Next = base64.RawURLEncoding.EncodeToString([]byte(sortKey(q.Sort, last) + "\n" + last.Session.Token))
	}
	page.Rows = slices.Clone(kept)
	return page, nil
}

type cursor struct{ key, token string }

func decodeCursor(c string) (*cursor, error) {
	if c == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if k, t, ok := strings.Cut(string(b), "\n"); err == nil && ok {
		return &cursor{k, t}, nil
	}
	return nil, errors.New("betterauth redis: malformed page cursor")
}

// sortKey is the row's key as text: expiry as RFC 3339 UTC with fixed
// millisecond width (so text order is time order), or the user id.
func sortKey(k store.SortKey, r resolver.SessionRow) string {
	if k == store.SortUser {
		return r.Session.UserID
	}
	return r.Session.Expires.UTC().Format("2006-01-02T15:04:05.000Z07:00")
}

// compare orders by key, then token (a total order for keyset paging).
func compare(ak, at, bk, bt string) int {
	if c := strings.Compare(ak, bk); c != 0 {
		return c
	}
	return strings.Compare(at, bt)
}

func dir(desc bool) int {
	if desc {
		return -1
	}
	return 1
}

// matches is the case-insensitive substring filter on name, email or id.
func matches(filter string, u *resolver.StoredUser) bool {
	if filter == "" {
		return true
	}
	if u == nil {
		return false
	}
	f := strings.ToLower(filter)
	has := func(p *string) bool { return p != nil && strings.Contains(strings.ToLower(*p), f) }
	return has(u.Name) || has(u.Email) || strings.Contains(strings.ToLower(u.ID), f)
}

// inState is the state window the SQL stores apply (bounds inclusive).
func inState(state store.SessionState, exp, now time.Time, maxAge, updateAge time.Duration) bool {
	switch state {
	case store.StateActive:
		return !exp.Before(now)
	case store.StateExpired:
		return exp.Before(now)
	case store.StateDue:
		return !exp.Before(now) && !exp.After(store.DueBy(now, maxAge, updateAge))
	}
	return true
}

// Counts implements store.Browser (one walk).
func (s *Store) Counts(ctx context.Context, q store.CountQuery) (store.Counts, error) {
	rows, err := s.walk(ctx)
	if err != nil {
		return store.Counts{}, err
	}
	var c store.Counts
	for _, r := range rows {
		if !matches(q.Filter, r.User) {
			continue
		}
		c.Total++
		e := r.Session.Expires
		switch {
		case e.Before(q.Now):
			c.Expired++
		case !e.After(store.DueBy(q.Now, q.MaxAge, q.UpdateAge)):
			c.Active++
			c.Due++
		default:
			c.Active++
		}
	}
	return c, nil
}

// RevokeSession implements store.Browser: deleteSession (the token's key
// and its place in active-sessions-<userId>).
func (s *Store) RevokeSession(ctx context.Context, token string) error {
	if s.readOnly {
		return resolver.ErrReadOnly
	}
	n, err := s.rdb.Exists(ctx, s.prefix+token).Result()
	if err != nil {
		return fmt.Errorf("betterauth redis: revoke session: %w", err)
	}
	if n == 0 {
		return resolver.ErrNotFound
	}
	return s.DeleteSession(ctx, token)
}

// RevokeUser implements store.Browser as deleteUserSessions does without
// storeSessionInDatabase: revoked-sessions-before-<userId> set to
// max(now, previous) ms for max(expiresIn, 1 day), the tokens in
// active-sessions-<userId> deleted, and the list rewritten without them.
// Sessions missing from the list stay as keys but are revoked by the
// marker. The count is the keys deleted.
func (s *Store) RevokeUser(ctx context.Context, userID string) (int, error) {
	if s.readOnly {
		return 0, resolver.ErrReadOnly
	}
	refs, err := s.refs(ctx, userID)
	if err != nil {
		return 0, fmt.Errorf("betterauth redis: revoke user: %w", err)
	}
	now := s.now()
	prev, err := s.revokedBefore(ctx, userID)
	if err != nil {
		return 0, fmt.Errorf("betterauth redis: revoke user: %w", err)
	}
	at := max(float64(now.UnixMilli()), prev)
	ttl := max(s.expiresIn, 24*time.Hour)
	marker := betterauth.AppendJS(nil, at) // String(number), as JS prints it
	if err := s.rdb.Set(ctx, s.prefix+"revoked-sessions-before-"+userID, marker, ttl).Err(); err != nil {
		return 0, fmt.Errorf("betterauth redis: revoke user: %w", err)
	}
	deleted := map[string]bool{}
	n := 0
	for _, r := range refs {
		if deleted[r.token] {
			continue
		}
		deleted[r.token] = true
		d, err := s.rdb.Del(ctx, s.prefix+r.token).Result()
		if err != nil {
			return n, fmt.Errorf("betterauth redis: revoke user: %w", err)
		}
		n += int(d)
	}
	cur, err := s.refs(ctx, userID)
	if err != nil {
		return n, err
	}
	var left []ref
	for _, r := range keep(cur, "", s.now()) {
		if !deleted[r.token] {
			left = append(left, r)
		}
	}
	return n, s.setRefs(ctx, userID, left, s.now())
}
