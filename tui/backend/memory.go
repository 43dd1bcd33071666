package backend

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/tui"
)

// MemorySource is a SessionSource over rows held in memory: the jwt
// strategy's cookie population (the demo's, a bench's, a cookies file's).
// It keeps one index per sort order and caches the last filter's matches,
// so listing a window is a slice operation however deep it is. It is safe
// for concurrent use.
type MemorySource struct {
	mu               sync.Mutex
	rows             []tui.SessionRow
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
	lastSort   tui.SortKey
	lastShown  bool
	lastMatch  []int32
}

// NewMemorySource indexes rows. revocable makes Revoke drop a row (a
// population the caller controls); otherwise Revoke is not supported, as
// for JWT cookies, which are stateless.
func NewMemorySource(rows []tui.SessionRow, revocable bool) *MemorySource {
	m := &MemorySource{rows: rows, revocable: revocable}
	m.reindex()
	return m
}

// textOrder names a SortEmail or SortName index: over shown text or not.
type textOrder struct {
	key   tui.SortKey
	shown bool
}

func (m *MemorySource) reindex() {
	m.hay = make([]string, len(m.rows))
	for i, r := range m.rows {
		m.hay[i] = strings.ToLower(r.Email + "\x00" + r.Name + "\x00" + r.UserID)
	}
	m.byExpiry = m.sorted(func(ra, rb *tui.SessionRow) int { return ra.Expires.Compare(rb.Expires) })
	m.byUser = m.sorted(func(ra, rb *tui.SessionRow) int { return strings.Compare(ra.UserID, rb.UserID) })
	m.lastMatch, m.shown, m.byText = nil, nil, nil
}

// sorted is the row indexes ordered by by, ties by key.
func (m *MemorySource) sorted(by func(a, b *tui.SessionRow) int) []int32 {
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

// Sorts implements tui.Sorter: rows in memory sort by every key.
func (m *MemorySource) Sorts(resolver.Strategy) []tui.SortKey {
	return []tui.SortKey{tui.SortActive, tui.SortExpires, tui.SortExpiresLatest, tui.SortUser, tui.SortEmail, tui.SortName}
}

// order is the index for sort key k (SortExpires for the keys read off
// the expiry index).
func (m *MemorySource) order(k tui.SortKey, shown func(tui.SessionRow) string) []int32 {
	switch k {
	case tui.SortUser:
		return m.byUser
	case tui.SortEmail, tui.SortName:
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
			if k == tui.SortEmail && len(f) > 1 {
				text[i] = f[1]
			} else if k == tui.SortName {
				text[i] = f[0]
			}
		case k == tui.SortEmail:
			text[i] = strings.ToLower(r.Email)
		default:
			text[i] = strings.ToLower(r.Name)
		}
	}
	idx := m.sorted(func(ra, rb *tui.SessionRow) int { return 0 })
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
func (m *MemorySource) shownHay(shown func(tui.SessionRow) string) []string {
	if m.shown == nil {
		m.shown = make([]string, len(m.rows))
		for i, r := range m.rows {
			m.shown[i] = strings.ToLower(shown(r))
		}
	}
	return m.shown
}

// List implements tui.SessionSource.
func (m *MemorySource) List(_ context.Context, q tui.ListQuery) (tui.SessionPage, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	match := m.matches(q.Filter, q.Sort, q.Shown)
	page := tui.SessionPage{Total: len(match)}
	if q.Offset < 0 || q.Limit <= 0 || q.Offset >= len(match) {
		return page, nil
	}
	end := min(q.Offset+q.Limit, len(match))
	at := func(j int) int32 { return match[j] }
	switch q.Sort {
	case tui.SortExpiresLatest:
		// The expiry order read backwards.
		n := len(match)
		at = func(j int) int32 { return match[n-1-j] }
	case tui.SortActive:
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
	page.Rows = make([]tui.SessionRow, 0, end-q.Offset)
	for j := q.Offset; j < end; j++ {
		page.Rows = append(page.Rows, m.rows[at(j)])
	}
	return page, nil
}

// matches returns the indexes of rows matching filter in sort order
// (expiry order for the keys that read the expiry index).
func (m *MemorySource) matches(filter string, sort tui.SortKey, shown func(tui.SessionRow) string) []int32 {
	if sort != tui.SortUser && sort != tui.SortEmail && sort != tui.SortName {
		sort = tui.SortExpires
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

// Revoke implements tui.SessionSource.
func (m *MemorySource) Revoke(_ context.Context, row tui.SessionRow) error {
	if !m.revocable {
		return fmt.Errorf("revoke a cookie session: %w", tui.ErrNotSupported)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	i := slices.IndexFunc(m.rows, func(r tui.SessionRow) bool { return r.Key == row.Key })
	if i < 0 {
		return fmt.Errorf("revoke: %w", resolver.ErrNotFound)
	}
	m.rows = slices.Delete(m.rows, i, i+1)
	m.reindex()
	return nil
}

// RevokeUser implements tui.SessionSource: it drops every row of row's user.
func (m *MemorySource) RevokeUser(_ context.Context, row tui.SessionRow) (int, error) {
	if !m.revocable {
		return 0, fmt.Errorf("revoke a user's cookie sessions: %w", tui.ErrNotSupported)
	}
	if row.UserID == "" {
		return 0, errNoUser
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n := len(m.rows)
	m.rows = slices.DeleteFunc(m.rows, func(r tui.SessionRow) bool { return r.UserID == row.UserID })
	if n -= len(m.rows); n > 0 {
		m.reindex()
	}
	return n, nil
}

// Len is the number of rows held.
func (m *MemorySource) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.rows)
}
