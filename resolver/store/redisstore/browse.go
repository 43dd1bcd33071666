package redisstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/internal/redisscan"
	"github.com/authscope/authscope/resolver/store"
	"github.com/authscope/authscope/resolver/store/internal/keyset"
)

// all reads every session (and, when withUsers, its user). It is the
// O(total) walk behind every browsing call: Redis has no secondary index
// in the adapters' layout. Malformed values are skipped.
func (s *Store) all(ctx context.Context, withUsers bool) ([]resolver.SessionRow, error) {
	var rows []resolver.SessionRow
	byUser := s.prefix + "user:session:by-user-id:"
	err := redisscan.Values(ctx, s.rdb, redisscan.EscapeGlob(s.prefix+"user:session:")+"*",
		func(key string) bool { return strings.HasPrefix(key, byUser) },
		func(_, v string) {
			if sess, err := parseSession(v); err == nil {
				rows = append(rows, resolver.SessionRow{Session: *sess})
			}
		})
	if err != nil {
		return nil, fmt.Errorf("redisstore: scan: %w", err)
	}
	if withUsers {
		if err := s.attachUsers(ctx, rows); err != nil {
			return nil, err
		}
	}
	return rows, nil
}

// attachUsers fills each row's user with batched MGETs.
func (s *Store) attachUsers(ctx context.Context, rows []resolver.SessionRow) error {
	for start := 0; start < len(rows); start += redisscan.Batch {
		part := rows[start:min(start+redisscan.Batch, len(rows))]
		keys := make([]string, len(part))
		for i, r := range part {
			keys[i] = s.userKey(r.Session.UserID)
		}
		vals, err := s.rdb.MGet(ctx, keys...).Result()
		if err != nil {
			return fmt.Errorf("redisstore: users: %w", err)
		}
		for i, v := range vals {
			if str, ok := v.(string); ok {
				if u, err := parseUser(str); err == nil {
					part[i].User = u
				}
			}
		}
	}
	return nil
}

// ListSessions implements store.Browser. It walks every session (see
// the package doc for the cost), then filters, sorts and cuts the page
// after the cursor.
func (s *Store) ListSessions(ctx context.Context, q store.ListQuery) (store.Page, error) {
	q, cur, err := keyset.Parse(q)
	if err != nil {
		return store.Page{}, fmt.Errorf("redisstore: list: %w", err)
	}
	rows, err := s.all(ctx, true)
	if err != nil {
		return store.Page{}, err
	}
	lo, hi := keyset.Window(q.State, q.Now, q.MaxAge, q.UpdateAge)
	kept := rows[:0]
	for _, r := range rows {
		e := r.Session.Expires
		if !lo.IsZero() && e.Before(lo) || !hi.IsZero() && !e.Before(hi) {
			continue
		}
		if !keyset.Matches(q.Filter, r.User) || !keyset.After(q.Sort, q.Desc, cur, r) {
			continue
		}
		kept = append(kept, r)
	}
	slices.SortFunc(kept, func(a, b resolver.SessionRow) int {
		less := keyset.Less(q.Sort, a, b)
		if q.Desc {
			less = keyset.Less(q.Sort, b, a)
		}
		if less {
			return -1
		}
		return 1
	})
	// kept shares the backing array of the rows walked: the page gets its own.
	page := keyset.PageOf(q, kept)
	page.Rows = slices.Clone(page.Rows)
	return page, nil
}

// Counts implements store.Browser (one walk; users only with a filter).
func (s *Store) Counts(ctx context.Context, q store.CountQuery) (store.Counts, error) {
	q = keyset.NormalizeCounts(q)
	rows, err := s.all(ctx, q.Filter != "")
	if err != nil {
		return store.Counts{}, err
	}
	now, dueHi := keyset.CountBounds(q)
	var c store.Counts
	for _, r := range rows {
		if !keyset.Matches(q.Filter, r.User) {
			continue
		}
		c.Total++
		e := r.Session.Expires
		if e.Before(now) {
			c.Expired++
			continue
		}
		c.Active++
		if e.Before(dueHi) {
			c.Due++
		}
	}
	return c, nil
}

// RevokeSession implements store.Browser.
func (s *Store) RevokeSession(ctx context.Context, token string) error {
	return keyset.Revoked(s.deleteSession(ctx, token))
}

// RevokeUser implements store.Browser: a walk over every session (the
// by-user-id key holds only the last one), deleting the user's.
func (s *Store) RevokeUser(ctx context.Context, userID string) (int, error) {
	rows, err := s.all(ctx, false)
	if err != nil {
		return 0, err
	}
	var keys []string
	for _, r := range rows {
		if r.Session.UserID == userID {
			keys = append(keys, s.sessionKey(r.Session.Token))
		}
	}
	if len(keys) == 0 {
		return 0, nil
	}
	n, err := s.rdb.Del(ctx, keys...).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return 0, fmt.Errorf("redisstore: revoke user: %w", err)
	}
	return int(n), nil
}
