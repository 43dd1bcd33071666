package backend

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/authscope/authscope/resolver/store"
	"github.com/authscope/authscope/tui"
)

// shownMatch is the rows matching a filter on shown text, in sort order.
type shownMatch struct {
	rows []tui.SessionRow
	at   time.Time
}

// listShown filters on what the screen shows, which the store cannot
// match (it holds the raw values): it walks the whole listing in sort
// order and keeps the matching rows (only those), reused for countTTL
// so scrolling a filtered list does not walk again.
func (s *BrowserSource) listShown(ctx context.Context, q tui.ListQuery, now time.Time, order store.SortKey, desc bool) (tui.SessionPage, error) {
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
				return tui.SessionPage{}, fmt.Errorf("list sessions: %w", err)
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
	if q.Sort == tui.SortActive {
		// Listed by expiry: active ones (the tail) first, then the
		// expired head, most recently expired first.
		k := sort.Search(len(rows), func(j int) bool { return !rows[j].Expires.Before(now) })
		ordered := make([]tui.SessionRow, 0, len(rows))
		ordered = append(ordered, rows[k:]...)
		for j := k - 1; j >= 0; j-- {
			ordered = append(ordered, rows[j])
		}
		rows = ordered
	}
	states := tui.StateCounts{}
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
	page := tui.SessionPage{Total: len(rows), States: &states}
	if q.Limit > 0 && q.Offset >= 0 && q.Offset < len(rows) {
		page.Rows = slices.Clone(rows[q.Offset:min(q.Offset+q.Limit, len(rows))])
	}
	return page, nil
}
