package tui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
)

// ByStrategy lists the jwt population or the database store depending on
// the strategy the browser shows; either may be nil (nothing to list).
type ByStrategy struct {
	JWT, Database SessionSource
}

func (s ByStrategy) pick(st resolver.Strategy) (SessionSource, error) {
	src := s.JWT
	if st == resolver.StrategyDatabase {
		src = s.Database
	}
	if src == nil {
		return nil, fmt.Errorf("no %s sessions to list in this profile: %w", st, ErrNotSupported)
	}
	return src, nil
}

// List implements SessionSource.
func (s ByStrategy) List(ctx context.Context, q ListQuery) (SessionPage, error) {
	src, err := s.pick(q.Strategy)
	if err != nil {
		return SessionPage{}, err
	}
	return src.List(ctx, q)
}

// Sorts implements Sorter: the keys of the source listing st's sessions.
func (s ByStrategy) Sorts(st resolver.Strategy) []SortKey {
	src, err := s.pick(st)
	if err != nil {
		return defaultSorts
	}
	if so, ok := src.(Sorter); ok {
		if keys := so.Sorts(st); len(keys) > 0 {
			return keys
		}
	}
	return defaultSorts
}

// Revoke implements SessionSource.
func (s ByStrategy) Revoke(ctx context.Context, r SessionRow) error {
	src, err := s.pick(r.Strategy)
	if err != nil {
		return err
	}
	return src.Revoke(ctx, r)
}

// RevokeUser implements SessionSource.
func (s ByStrategy) RevokeUser(ctx context.Context, r SessionRow) (int, error) {
	src, err := s.pick(r.Strategy)
	if err != nil {
		return 0, err
	}
	return src.RevokeUser(ctx, r)
}

// MemorySource is a SessionSource over rows held in memory: the jwt
// strategy's cookie population (the demo's, a bench's, a cookies file's).
// It keeps one index per sort order and caches the last filter's matches,
// so listing a window is a slice operation however deep it is. It is safe
// for concurrent use.
type MemorySource struct {
	mu               sync.Mutex
	rows             []SessionRow
	hay              []string // lower-cased e-mail, name and user id per row
	byExpiry, byUser []int32
	revocable        bool

	// shown is Shown(row) per row, lower-cased, built on the first
	// filter or sort on shown text.
	shown []string
	// byText are the SortEmail and SortName orders, built on first use
	// (over the shown text, or the raw values for a query without Shown).
	byText map[textOrder][]int32

	lastFilter string
	lastSort   SortKey
	lastShown  bool
	lastMatch  []int32
}

// NewMemorySource indexes rows. revocable makes Revoke drop a row (a
// population the caller controls); otherwise Revoke is not supported, as
// for JWT cookies, which are stateless.
func NewMemorySource(rows []SessionRow, revocable bool) *MemorySource {
	m := &MemorySource{rows: rows, revocable: revocable}
	m.reindex()
	return m
}

// textOrder names a SortEmail or SortName index: over shown text or not.
type textOrder struct {
	key   SortKey
	shown bool
}

func (m *MemorySource) reindex() {
	m.hay = make([]string, len(m.rows))
	for i, r := range m.rows {
		m.hay[i] = strings.ToLower(r.Email + "\x00" + r.Name + "\x00" + r.UserID)
	}
	m.byExpiry = m.sorted(func(ra, rb *SessionRow) int { return ra.Expires.Compare(rb.Expires) })
	m.byUser = m.sorted(func(ra, rb *SessionRow) int { return strings.Compare(ra.UserID, rb.UserID) })
	m.lastMatch, m.shown, m.byText = nil, nil, nil
}

// sorted is the row indexes ordered by by, ties by key.
func (m *MemorySource) sorted(by func(a, b *SessionRow) int) []int32 {
	idx := make([]int32, len(m.rows))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int {
		ra, rb := &m.rows[a], &m.rows[b]
		return cmp.Or(by(ra, rb), strings.Compare(ra.Key, rb.Key))
	})
	return idx
}

// Sorts implements Sorter: rows in memory sort by every key.
func (m *MemorySource) Sorts(resolver.Strategy) []SortKey {
	return []SortKey{SortActive, SortExpires, SortExpiresLatest, SortUser, SortEmail, SortName}
}

// order is the index for sort key k (SortExpires for the keys read off
// the expiry index).
func (m *MemorySource) order(k SortKey, shown func(SessionRow) string) []int32 {
	switch k {
	case SortUser:
		return m.byUser
	case SortEmail, SortName:
	default:
		return m.byExpiry
	}
	tk := textOrder{key: k, shown: shown != nil}
	if idx, ok := m.byText[tk]; ok {
		return idx
	}
	var hay []string
	if shown != nil {
		hay = m.shownHay(shown)
	}
	text := make([]string, len(m.rows))
	for i, r := range m.rows {
		switch {
		case shown != nil:
			// Shown is name, e-mail, fingerprint, NUL-separated.
			f := strings.SplitN(hay[i], "\x00", 3)
			if k == SortEmail && len(f) > 1 {
				text[i] = f[1]
			} else if k == SortName {
				text[i] = f[0]
			}
		case k == SortEmail:
			text[i] = strings.ToLower(r.Email)
		default:
			text[i] = strings.ToLower(r.Name)
		}
	}
	idx := m.sorted(func(ra, rb *SessionRow) int { return 0 })
	slices.SortStableFunc(idx, func(a, b int32) int {
		ta, tb := text[a], text[b]
		if (ta == "") != (tb == "") {
			// Sessions without the value (a user with no e-mail) last.
			if ta == "" {
				return 1
			}
			return -1
		}
		return strings.Compare(ta, tb)
	})
	if m.byText == nil {
		m.byText = map[textOrder][]int32{}
	}
	m.byText[tk] = idx
	return idx
}

// shownHay is Shown(row) per row, lower-cased, computed once.
func (m *MemorySource) shownHay(shown func(SessionRow) string) []string {
	if m.shown == nil {
		m.shown = make([]string, len(m.rows))
		for i, r := range m.rows {
			m.shown[i] = strings.ToLower(shown(r))
		}
	}
	return m.shown
}

// List implements SessionSource.
func (m *MemorySource) List(_ context.Context, q ListQuery) (SessionPage, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	match := m.matches(q.Filter, q.Sort, q.Shown)
	page := SessionPage{Total: len(match)}
	if q.Offset < 0 || q.Limit <= 0 || q.Offset >= len(match) {
		return page, nil
	}
	end := min(q.Offset+q.Limit, len(match))
	at := func(j int) int32 { return match[j] }
	switch q.Sort {
	case SortExpiresLatest:
		// The expiry order read backwards.
		n := len(match)
		at = func(j int) int32 { return match[n-1-j] }
	case SortActive:
		// match is in expiry order: the active ones are its tail, then
		// the expired head read backwards. No copy: an index mapping.
		now := q.Now
		if now.IsZero() {
			now = time.Now()
		}
		k := sort.Search(len(match), func(j int) bool { return !m.rows[match[j]].Expires.Before(now) })
		active := len(match) - k
		at = func(j int) int32 {
			if j < active {
				return match[k+j]
			}
			return match[k-1-(j-active)]
		}
	}
	page.Rows = make([]SessionRow, 0, end-q.Offset)
	for j := q.Offset; j < end; j++ {
		page.Rows = append(page.Rows, m.rows[at(j)])
	}
	return page, nil
}

// matches returns the indexes of rows matching filter in sort order
// (expiry order for the keys that read the expiry index).
func (m *MemorySource) matches(filter string, sort SortKey, shown func(SessionRow) string) []int32 {
	if sort != SortUser && sort != SortEmail && sort != SortName {
		sort = SortExpires
	}
	order := m.order(sort, shown)
	if filter == "" {
		return order
	}
	if m.lastMatch != nil && m.lastFilter == filter && m.lastSort == sort && m.lastShown == (shown != nil) {
		return m.lastMatch
	}
	hay := m.hay
	if shown != nil {
		hay = m.shownHay(shown)
	}
	f := strings.ToLower(filter)
	out := make([]int32, 0, 64)
	for _, i := range order {
		if strings.Contains(hay[i], f) {
			out = append(out, i)
		}
	}
	m.lastFilter, m.lastSort, m.lastShown, m.lastMatch = filter, sort, shown != nil, out
	return out
}

// Revoke implements SessionSource.
func (m *MemorySource) Revoke(_ context.Context, row SessionRow) error {
	if !m.revocable {
		return fmt.Errorf("revoke a cookie session: %w", ErrNotSupported)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	i := slices.IndexFunc(m.rows, func(r SessionRow) bool { return r.Key == row.Key })
	if i < 0 {
		return fmt.Errorf("revoke: %w", resolver.ErrNotFound)
	}
	m.rows = slices.Delete(m.rows, i, i+1)
	m.reindex()
	return nil
}

// RevokeUser implements SessionSource: it drops every row of row's user.
func (m *MemorySource) RevokeUser(_ context.Context, row SessionRow) (int, error) {
	if !m.revocable {
		return 0, fmt.Errorf("revoke a user's cookie sessions: %w", ErrNotSupported)
	}
	if row.UserID == "" {
		return 0, errNoUser
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n := len(m.rows)
	m.rows = slices.DeleteFunc(m.rows, func(r SessionRow) bool { return r.UserID == row.UserID })
	if n -= len(m.rows); n > 0 {
		m.reindex()
	}
	return n, nil
}

// errNoUser: a session row that names no user cannot have its user's
// sessions revoked.
var errNoUser = errors.New("the session names no user")

// Len is the number of rows held.
func (m *MemorySource) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.rows)
}

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
func browserSort(k SortKey) (sort store.SortKey, desc bool, err error) {
	switch k {
	case SortActive, SortExpires:
		return store.SortExpires, false, nil
	case SortExpiresLatest:
		return store.SortExpires, true, nil
	case SortUser:
		return store.SortUser, false, nil
	}
	return "", false, fmt.Errorf("sort by %s: the store orders by expiry or user only: %w", k, ErrNotSupported)
}

// Sorts implements Sorter: the orders browserSort maps to the store's.
// Name and e-mail are not among them: the store cannot order by them and
// the browser will not walk every row to.
func (s *BrowserSource) Sorts(resolver.Strategy) []SortKey {
	return []SortKey{SortActive, SortExpires, SortExpiresLatest, SortUser}
}

// List implements SessionSource.
func (s *BrowserSource) List(ctx context.Context, q ListQuery) (SessionPage, error) {
	order, desc, err := browserSort(q.Sort)
	if err != nil {
		return SessionPage{}, err
	}
	now := s.now()
	if q.Shown != nil && q.Filter != "" {
		return s.listShown(ctx, q, now, order, desc)
	}
	counts, err := s.count(ctx, now, q.Filter)
	if err != nil {
		return SessionPage{}, err
	}
	total := counts.Total
	page := SessionPage{Total: total, States: &StateCounts{Active: counts.Active, Expired: counts.Expired, Due: counts.Due}}
	if q.Limit <= 0 || q.Offset < 0 || q.Offset >= total {
		return page, nil
	}
	end := min(q.Offset+q.Limit, total)
	base := store.ListQuery{Sort: order, Desc: desc, Filter: q.Filter, Now: now, MaxAge: s.maxAge, UpdateAge: s.updateAge}
	var rows []resolver.SessionRow
	if q.Sort == SortActive {
		// Two listings the store filters by state: active sessions by
		// expiry ascending, then expired ones descending.
		active, expired := base, base
		active.State = store.StateActive
		expired.State, expired.Desc = store.StateExpired, true
		a := min(counts.Active, total)
		if q.Offset < a {
			got, err := s.segment(ctx, active, a, q.Offset, min(end, a))
			if err != nil {
				return SessionPage{}, err
			}
			rows = got
		}
		if end > a {
			got, err := s.segment(ctx, expired, total-a, max(q.Offset-a, 0), end-a)
			if err != nil {
				return SessionPage{}, err
			}
			rows = append(rows, got...)
		}
	} else {
		got, err := s.segment(ctx, base, total, q.Offset, end)
		if err != nil {
			return SessionPage{}, err
		}
		rows = got
	}
	page.Rows = make([]SessionRow, 0, len(rows))
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

// Revoke implements SessionSource.
func (s *BrowserSource) Revoke(ctx context.Context, row SessionRow) error {
	if err := s.revoke(ctx, row.Token); err != nil {
		return err
	}
	s.forget()
	return nil
}

// RevokeUser implements SessionSource.
func (s *BrowserSource) RevokeUser(ctx context.Context, row SessionRow) (int, error) {
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

func fromStored(r resolver.SessionRow) SessionRow {
	out := SessionRow{
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

// shownMatch is the rows matching a filter on shown text, in sort order.
type shownMatch struct {
	rows []SessionRow
	at   time.Time
}

// listShown filters on what the screen shows, which the store cannot
// match (it holds the raw values): it walks the whole listing in sort
// order and keeps the matching rows (only those), reused for countTTL
// so scrolling a filtered list does not walk again.
func (s *BrowserSource) listShown(ctx context.Context, q ListQuery, now time.Time, order store.SortKey, desc bool) (SessionPage, error) {
	k := queryKey(strings.ToLower(q.Filter), order, desc)
	s.mu.Lock()
	m, ok := s.shown[k]
	s.mu.Unlock()
	if !ok || now.Sub(m.at) >= countTTL || now.Before(m.at) {
		f := strings.ToLower(q.Filter)
		lq := store.ListQuery{Sort: order, Desc: desc, Limit: browserPage}
		m = shownMatch{at: now}
		for {
			p, err := s.b.ListSessions(ctx, lq)
			if err != nil {
				return SessionPage{}, fmt.Errorf("list sessions: %w", err)
			}
			for _, r := range p.Rows {
				row := fromStored(r)
				if strings.Contains(strings.ToLower(q.Shown(row)), f) {
					m.rows = append(m.rows, row)
				}
			}
			if p.Next == "" || len(p.Rows) == 0 {
				break
			}
			lq.After = p.Next
		}
		s.mu.Lock()
		if len(s.shown) > 8 {
			clear(s.shown)
		}
		s.shown[k] = m
		s.mu.Unlock()
	}
	rows := m.rows
	if q.Sort == SortActive {
		// Listed by expiry: active ones (the tail) first, then the
		// expired head, most recently expired first.
		k := sort.Search(len(rows), func(j int) bool { return !rows[j].Expires.Before(now) })
		ordered := make([]SessionRow, 0, len(rows))
		ordered = append(ordered, rows[k:]...)
		for j := k - 1; j >= 0; j-- {
			ordered = append(ordered, rows[j])
		}
		rows = ordered
	}
	states := StateCounts{}
	dueBy := store.DueBy(now, s.maxAge, s.updateAge)
	for _, r := range m.rows {
		switch {
		case r.Expires.Before(now):
			states.Expired++
		case !r.Expires.After(dueBy):
			states.Active++
			states.Due++
		default:
			states.Active++
		}
	}
	page := SessionPage{Total: len(rows), States: &states}
	if q.Limit > 0 && q.Offset >= 0 && q.Offset < len(rows) {
		page.Rows = slices.Clone(rows[q.Offset:min(q.Offset+q.Limit, len(rows))])
	}
	return page, nil
}
