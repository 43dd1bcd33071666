package backend

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
	"github.com/authscope/authscope/tui"
)

// BrowserSource adapts a store's keyset-paginated store.Browser to the
// browser's windows. A window at offset N is reached from the nearest
// cursor remembered at a page boundary before N (or, in the last half,
// by listing backwards from the end), so moving around and jumping to the
// bottom cost a few pages, never a scan from the start. Cursors embed
// tokens: they stay in this value, never on screen.
type BrowserSource struct {
	b                 store.Browser
	revoke            func(ctx context.Context, token string) error
	revokeUser        func(ctx context.Context, userID string) (int, error)
	now               func() time.Time
	maxAge, updateAge time.Duration

	mu    sync.Mutex
	shown map[string]shownMatch // filter on shown text → its matches
	// marks: per listing (listingKey), offset → cursor listing from there.
	marks map[string]map[int]string
	// counts caches the total per filter for countTTL: counting a large
	// store costs far more than listing a window, and scrolling needs it
	// on every window.
	counts map[string]cachedCount
}

type cachedCount struct {
	counts store.Counts
	at     time.Time
}

// countTTL is how long a total is reused; the browser's auto-refresh
// interval is longer, so each refresh counts afresh.
const countTTL = 2 * time.Second

// browserPage is the page size used to walk between cursors.
const browserPage = 1000

// NewBrowserSource wraps b; now, maxAge and updateAge define "due".
func NewBrowserSource(b store.Browser, now func() time.Time, maxAge, updateAge time.Duration) *BrowserSource {
	if now == nil {
		now = time.Now
	}
	return &BrowserSource{b: b, revoke: b.RevokeSession, revokeUser: b.RevokeUser, now: now, maxAge: maxAge, updateAge: updateAge, marks: map[string]map[int]string{}, counts: map[string]cachedCount{}, shown: map[string]shownMatch{}}
}

// SetRevoke makes Revoke delete through fn instead of the browsed store:
// browsing can then use a read-only handle while revocation, the one
// write, goes through a writable one (or is refused). Call before use.
func (s *BrowserSource) SetRevoke(fn func(ctx context.Context, token string) error) { s.revoke = fn }

// SetRevokeUser is SetRevoke for RevokeUser. Call before use.
func (s *BrowserSource) SetRevokeUser(fn func(ctx context.Context, userID string) (int, error)) {
	s.revokeUser = fn
}

// browserSort is the store's order for k: the stores order by expiry or
// user id only (store.ListQuery), either way up.
func browserSort(k tui.SortKey) (sort store.SortKey, desc bool, err error) {
	switch k {
	case tui.SortActive, tui.SortExpires:
		return store.SortExpires, false, nil
	case tui.SortExpiresLatest:
		return store.SortExpires, true, nil
	case tui.SortUser:
		return store.SortUser, false, nil
	}
	return "", false, fmt.Errorf("sort by %s: the store orders by expiry or user only: %w", k, tui.ErrNotSupported)
}

// Sorts implements tui.Sorter: the orders browserSort maps to the store's.
// Name and e-mail are not among them: the store cannot order by them and
// the browser will not walk every row to.
func (s *BrowserSource) Sorts(resolver.Strategy) []tui.SortKey {
	return []tui.SortKey{tui.SortActive, tui.SortExpires, tui.SortExpiresLatest, tui.SortUser}
}

// List implements tui.SessionSource.
func (s *BrowserSource) List(ctx context.Context, q tui.ListQuery) (tui.SessionPage, error) {
	order, desc, err := browserSort(q.Sort)
	if err != nil {
		return tui.SessionPage{}, err
	}
	now := s.now()
	if q.Shown != nil && q.Filter != "" {
		return s.listShown(ctx, q, now, order, desc)
	}
	counts, err := s.count(ctx, now, q.Filter)
	if err != nil {
		return tui.SessionPage{}, err
	}
	total := counts.Total
	page := tui.SessionPage{Total: total, States: &tui.StateCounts{Active: counts.Active, Expired: counts.Expired, Due: counts.Due}}
	if q.Limit <= 0 || q.Offset < 0 || q.Offset >= total {
		return page, nil
	}
	end := min(q.Offset+q.Limit, total)
	base := store.ListQuery{Sort: order, Desc: desc, Filter: q.Filter, Now: now, MaxAge: s.maxAge, UpdateAge: s.updateAge}
	var rows []resolver.SessionRow
	if q.Sort == tui.SortActive {
		// Two listings the store filters by state: active sessions by
		// expiry ascending, then expired ones descending.
		active, expired := base, base
		active.State = store.StateActive
		expired.State, expired.Desc = store.StateExpired, true
		a := min(counts.Active, total)
		if q.Offset < a {
			got, err := s.segment(ctx, active, a, q.Offset, min(end, a))
			if err != nil {
				return tui.SessionPage{}, err
			}
			rows = got
		}
		if end > a {
			got, err := s.segment(ctx, expired, total-a, max(q.Offset-a, 0), end-a)
			if err != nil {
				return tui.SessionPage{}, err
			}
			rows = append(rows, got...)
		}
	} else {
		got, err := s.segment(ctx, base, total, q.Offset, end)
		if err != nil {
			return tui.SessionPage{}, err
		}
		rows = got
	}
	page.Rows = make([]tui.SessionRow, 0, len(rows))
	for _, r := range rows {
		page.Rows = append(page.Rows, fromStored(r))
	}
	return page, nil
}

// segment lists rows [from, to) of the listing base selects, which has
// total rows, walking whichever way costs fewer rows: forward from the
// nearest cursor remembered in that listing, or backwards (the reversed
// listing, with cursors of its own) from the end.
func (s *BrowserSource) segment(ctx context.Context, base store.ListQuery, total, from, to int) ([]resolver.SessionRow, error) {
	back := base
	back.Desc = !base.Desc
	bFrom, bTo := total-to, total-from // the same rows in the reversed listing
	fStart, fCursor := s.mark(base, from)
	bStart, bCursor := s.mark(back, bFrom)
	if from-fStart <= bFrom-bStart {
		got, err := s.walk(ctx, base, fCursor, fStart, to, true)
		if err != nil {
			return nil, err
		}
		if from-fStart < len(got) {
			return got[from-fStart:], nil
		}
		return nil, nil
	}
	got, err := s.walk(ctx, back, bCursor, bStart, bTo, true)
	if err != nil {
		return nil, err
	}
	var rows []resolver.SessionRow
	if bFrom-bStart < len(got) {
		rows = got[bFrom-bStart:]
	}
	slices.Reverse(rows)
	return rows, nil
}

// count counts the sessions matching filter, reusing a recent count.
func (s *BrowserSource) count(ctx context.Context, now time.Time, filter string) (store.Counts, error) {
	s.mu.Lock()
	c, ok := s.counts[filter]
	s.mu.Unlock()
	if ok && now.Sub(c.at) < countTTL && !now.Before(c.at) {
		return c.counts, nil
	}
	counts, err := s.b.Counts(ctx, store.CountQuery{Now: now, MaxAge: s.maxAge, UpdateAge: s.updateAge, Filter: filter})
	if err != nil {
		return store.Counts{}, fmt.Errorf("count sessions: %w", err)
	}
	s.mu.Lock()
	if len(s.counts) > 64 {
		clear(s.counts)
	}
	s.counts[filter] = cachedCount{counts: counts, at: now}
	s.mu.Unlock()
	return counts, nil
}

// walk lists rows [from, to) starting at cursor (which lists from offset
// from), remembering page-boundary cursors when remember is set.
func (s *BrowserSource) walk(ctx context.Context, q store.ListQuery, cursor string, from, to int, remember bool) ([]resolver.SessionRow, error) {
	var out []resolver.SessionRow
	pos := from
	for pos < to {
		// Whole pages while walking, just what is left for the last one.
		q.After, q.Limit = cursor, min(browserPage, to-pos)
		p, err := s.b.ListSessions(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("list sessions: %w", err)
		}
		out = append(out, p.Rows...)
		pos += len(p.Rows)
		if p.Next == "" || len(p.Rows) == 0 {
			break
		}
		cursor = p.Next
		if remember {
			s.remember(q, pos, cursor)
		}
	}
	// Keep only what [from, to) needs from the last page.
	if over := pos - to; over > 0 && over <= len(out) {
		out = out[:len(out)-over]
	}
	return out, nil
}

func queryKey(filter string, sort store.SortKey, desc bool) string {
	return fmt.Sprintf("%s\x00%v\x00%s", sort, desc, filter)
}

// listingKey names a listing: its marks are only valid for it.
func listingKey(q store.ListQuery) string {
	return fmt.Sprintf("%s\x00%v\x00%s\x00%s", q.Sort, q.Desc, q.State, q.Filter)
}

// mark returns the closest remembered cursor at or before offset.
func (s *BrowserSource) mark(q store.ListQuery, offset int) (int, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	best, cursor := 0, ""
	for off, c := range s.marks[listingKey(q)] {
		if off <= offset && off > best {
			best, cursor = off, c
		}
	}
	return best, cursor
}

func (s *BrowserSource) remember(q store.ListQuery, offset int, cursor string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := listingKey(q)
	m := s.marks[k]
	if m == nil {
		// Marks of a few listings at a time (a sort's two state listings,
		// a filter being typed); older ones are dropped.
		if len(s.marks) >= 8 {
			clear(s.marks)
		}
		m = map[int]string{}
		s.marks[k] = m
	}
	m[offset] = cursor
}

// forget drops the remembered cursors and counts (the listing changed).
func (s *BrowserSource) forget() {
	s.mu.Lock()
	clear(s.marks)
	clear(s.counts)
	clear(s.shown)
	s.mu.Unlock()
}

// Revoke implements tui.SessionSource.
func (s *BrowserSource) Revoke(ctx context.Context, row tui.SessionRow) error {
	if err := s.revoke(ctx, row.Token); err != nil {
		return err
	}
	s.forget()
	return nil
}

// RevokeUser implements tui.SessionSource.
func (s *BrowserSource) RevokeUser(ctx context.Context, row tui.SessionRow) (int, error) {
	if row.UserID == "" {
		return 0, errNoUser
	}
	n, err := s.revokeUser(ctx, row.UserID)
	if err != nil {
		return 0, err
	}
	s.forget()
	return n, nil
}

func fromStored(r resolver.SessionRow) tui.SessionRow {
	out := tui.SessionRow{
		Key:      r.Session.Token,
		Token:    r.Session.Token,
		UserID:   r.Session.UserID,
		Strategy: resolver.StrategyDatabase,
		Expires:  r.Session.Expires,
	}
	if u := r.User; u != nil {
		if u.Name != nil {
			out.Name = *u.Name
		}
		if u.Email != nil {
			out.Email = *u.Email
		}
	}
	return out
}
