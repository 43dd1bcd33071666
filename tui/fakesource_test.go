package tui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/authscope/authscope/resolver"
)

// fakeSource is a SessionSource over rows in memory: each List filters and
// orders every row afresh, the plainest reading of the ListQuery contract
// (tui/backend's MemorySource indexes the rows instead and is tested against
// the same contract there). revocable makes Revoke and RevokeUser delete
// rows, as a database would; otherwise they are refused, as for stateless
// JWT cookies. sorts, when set, are the only keys it offers and lists in
// (a store's), else it lists in every key.
type fakeSource struct {
	mu        sync.Mutex
	rows      []SessionRow
	revocable bool
	sorts     []SortKey
}

func newFakeSource(rows []SessionRow, revocable bool) *fakeSource {
	return &fakeSource{rows: slices.Clone(rows), revocable: revocable}
}

// Sorts implements Sorter.
func (f *fakeSource) Sorts(resolver.Strategy) []SortKey {
	if f.sorts != nil {
		return f.sorts
	}
	return []SortKey{SortActive, SortExpires, SortExpiresLatest, SortUser, SortEmail, SortName}
}

// List implements SessionSource.
func (f *fakeSource) List(_ context.Context, q ListQuery) (SessionPage, error) {
	if !slices.Contains(f.Sorts(q.Strategy), q.Sort) {
		return SessionPage{}, fmt.Errorf("sort by %s: %w", q.Sort, ErrNotSupported)
	}
	f.mu.Lock()
	rows := slices.Clone(f.rows)
	f.mu.Unlock()
	hay := func(r SessionRow) string {
		if q.Shown != nil {
			return strings.ToLower(q.Shown(r))
		}
		return strings.ToLower(r.Email + "\x00" + r.Name + "\x00" + r.UserID)
	}
	filter := strings.ToLower(q.Filter)
	rows = slices.DeleteFunc(rows, func(r SessionRow) bool { return !strings.Contains(hay(r), filter) })
	now := cmp.Or(q.Now, time.Now())
	slices.SortStableFunc(rows, func(a, b SessionRow) int {
		return fakeOrder(q, now, hay, a, b)
	})
	page := SessionPage{Total: len(rows)}
	if q.Limit > 0 && q.Offset >= 0 && q.Offset < len(rows) {
		page.Rows = rows[q.Offset:min(q.Offset+q.Limit, len(rows))]
	}
	return page, nil
}

// fakeOrder compares a and b in q.Sort's order, ties by key; the orders
// read backwards (latest expiry first, the expired part of active first)
// reverse the ties too, as a listing walked backwards does.
func fakeOrder(q ListQuery, now time.Time, hay func(SessionRow) string, a, b SessionRow) int {
	byExpiry := func(a, b SessionRow) int { return cmp.Or(a.Expires.Compare(b.Expires), strings.Compare(a.Key, b.Key)) }
	switch q.Sort {
	case SortExpires:
		return byExpiry(a, b)
	case SortExpiresLatest:
		return byExpiry(b, a)
	case SortUser:
		return cmp.Or(strings.Compare(a.UserID, b.UserID), strings.Compare(a.Key, b.Key))
	case SortEmail, SortName:
		return cmp.Or(fakeTextOrder(q, hay, a, b), strings.Compare(a.Key, b.Key))
	}
	// SortActive: active ones first, soonest to expire first, then the
	// expired ones, most recently expired first.
	aLive, bLive := !a.Expires.Before(now), !b.Expires.Before(now)
	switch {
	case aLive != bLive && aLive:
		return -1
	case aLive != bLive:
		return 1
	case aLive:
		return byExpiry(a, b)
	}
	return byExpiry(b, a)
}

// fakeTextOrder orders by the e-mail or name (as shown, with Shown), rows
// without one last.
func fakeTextOrder(q ListQuery, hay func(SessionRow) string, a, b SessionRow) int {
	text := func(r SessionRow) string {
		if q.Shown == nil {
			return strings.ToLower(map[SortKey]string{SortEmail: r.Email, SortName: r.Name}[q.Sort])
		}
		f := strings.SplitN(hay(r), "\x00", 3) // name, e-mail, fingerprint
		if q.Sort == SortEmail {
			if len(f) < 2 {
				return ""
			}
			return f[1]
		}
		return f[0]
	}
	ta, tb := text(a), text(b)
	if (ta == "") != (tb == "") {
		return map[bool]int{true: 1, false: -1}[ta == ""]
	}
	return strings.Compare(ta, tb)
}

// Revoke implements SessionSource.
func (f *fakeSource) Revoke(_ context.Context, row SessionRow) error {
	if !f.revocable {
		return fmt.Errorf("revoke a cookie session: %w", ErrNotSupported)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.rows)
	f.rows = slices.DeleteFunc(f.rows, func(r SessionRow) bool { return r.Key == row.Key })
	if len(f.rows) == n {
		return fmt.Errorf("revoke: %w", resolver.ErrNotFound)
	}
	return nil
}

// RevokeUser implements SessionSource.
func (f *fakeSource) RevokeUser(_ context.Context, row SessionRow) (int, error) {
	if !f.revocable {
		return 0, fmt.Errorf("revoke a user's cookie sessions: %w", ErrNotSupported)
	}
	if row.UserID == "" {
		return 0, errors.New("the session names no user")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.rows)
	f.rows = slices.DeleteFunc(f.rows, func(r SessionRow) bool { return r.UserID == row.UserID })
	return n - len(f.rows), nil
}

// Len is the number of rows held.
func (f *fakeSource) Len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.rows)
}

// fakeSessions lists jwt or db by the strategy asked for, as the real
// wiring's backend.ByStrategy does.
type fakeSessions struct {
	jwt, db *fakeSource
}

func (s fakeSessions) pick(st resolver.Strategy) *fakeSource {
	if st == resolver.StrategyDatabase {
		return s.db
	}
	return s.jwt
}

func (s fakeSessions) List(ctx context.Context, q ListQuery) (SessionPage, error) {
	return s.pick(q.Strategy).List(ctx, q)
}

func (s fakeSessions) Sorts(st resolver.Strategy) []SortKey { return s.pick(st).Sorts(st) }

func (s fakeSessions) Revoke(ctx context.Context, r SessionRow) error {
	return s.pick(r.Strategy).Revoke(ctx, r)
}

func (s fakeSessions) RevokeUser(ctx context.Context, r SessionRow) (int, error) {
	return s.pick(r.Strategy).RevokeUser(ctx, r)
}
