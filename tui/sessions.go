package tui

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/authscope/authscope/resolver"
)

// sessionsModel is the session browser. It never holds more than one
// window of rows (three screens' worth around the visible part): the
// selection is an absolute index into the matching rows, and moving past
// the loaded window asks the source for the window around it, rendering
// placeholders until it arrives. That keeps it instant at 100,000 rows.
type sessionsModel struct {
	c *common

	width, rows int // rows: visible table rows

	q      ListQuery
	total  int
	states *StateCounts
	loaded bool
	sel    int // absolute index of the selection
	top    int // absolute index of the first visible row

	win    []SessionRow
	winOff int

	listSeq    uint64
	listing    bool
	pendingOff int

	resolveSeq uint64
	results    map[string]rowResult

	tickGen int

	filter    lineInput
	filtering bool

	detail    *detailModel
	detailSeq uint64

	// pendingConfirm is a dialog the root should show (reveal, revoke).
	pendingConfirm *confirmDialog
}

func newSessionsModel(c *common) sessionsModel {
	return sessionsModel{c: c, filter: lineInput{prompt: "/"}, results: map[string]rowResult{}}
}

// setSize sets the body size: a title line, a filter line, the column
// header and a footer line surround the table rows.
func (s *sessionsModel) setSize(w, h int) {
	s.width = w
	s.rows = max(h-4, 1)
	s.filter.width = w
	s.scrollTo(s.sel)
}

// windowSize is how many rows one fetch asks for.
func (s *sessionsModel) windowSize() int { return max(3*s.rows, 60) }

// fetch asks for the window starting at off.
func (s *sessionsModel) fetch(off int) tea.Cmd {
	s.listSeq++
	s.listing = true
	s.pendingOff = off
	q := s.q
	q.Strategy = s.c.settings.Strategy
	q.Now = s.c.now
	// Redaction is always on in the list: filter on what it shows.
	q.Shown = shownText(s.c.redactor(false))
	q.Offset, q.Limit = off, s.windowSize()
	return listCmd(s.c.ctx, s.c.deps.Sessions, s.listSeq, q)
}

// reload refetches the window around the visible rows.
func (s *sessionsModel) reload() tea.Cmd { return s.fetch(max(s.top-s.rows, 0)) }

// ensureWindow fetches when the visible rows are not all loaded.
func (s *sessionsModel) ensureWindow() tea.Cmd {
	if !s.loaded {
		return nil
	}
	end := min(s.top+s.rows, s.total)
	if s.top >= s.winOff && end <= s.winOff+len(s.win) {
		return nil
	}
	off := max(s.top-s.rows, 0)
	if s.listing && s.pendingOff == off {
		return nil
	}
	return s.fetch(off)
}

// resolveWindow resolves the loaded rows with the current engine.
func (s *sessionsModel) resolveWindow() tea.Cmd {
	if s.c.engine == nil || len(s.win) == 0 || s.c.engine.Writes {
		// An engine whose resolutions write is never run by browsing.
		return nil
	}
	s.resolveSeq++
	return resolveRowsCmd(s.c.ctx, s.c.engine, s.c.engineGen, s.resolveSeq, s.win)
}

// row returns the loaded row at absolute index i.
func (s *sessionsModel) row(i int) (SessionRow, bool) {
	j := i - s.winOff
	if j < 0 || j >= len(s.win) {
		return SessionRow{}, false
	}
	return s.win[j], true
}

// scrollTo selects index i and keeps it visible.
func (s *sessionsModel) scrollTo(i int) {
	if s.total == 0 {
		s.sel, s.top = 0, 0
		return
	}
	s.sel = min(max(i, 0), s.total-1)
	if s.sel < s.top {
		s.top = s.sel
	}
	if s.sel >= s.top+s.rows {
		s.top = s.sel - s.rows + 1
	}
	s.top = min(max(s.top, 0), max(s.total-s.rows, 0))
}

func (s *sessionsModel) closeDetail() { s.detail = nil }

// update handles the messages the sessions screen owns.
func (s *sessionsModel) update(msg tea.Msg) (tea.Cmd, *statusMsg) {
	switch msg := msg.(type) {
	case tickMsg:
		if msg.gen != s.tickGen {
			return nil, nil
		}
		s.c.now = msg.now
		return tea.Batch(s.reload(), tickCmd(s.c, s.tickGen)), nil
	case listMsg:
		if msg.seq != s.listSeq {
			return nil, nil
		}
		s.listing = false
		if msg.err != nil {
			return nil, &statusMsg{err: msg.err}
		}
		s.win, s.winOff, s.total, s.states, s.loaded = msg.page.Rows, msg.offset, msg.page.Total, msg.page.States, true
		s.pruneResults()
		s.scrollTo(s.sel)
		return tea.Batch(s.ensureWindow(), s.resolveWindow()), nil
	case resolvedRowsMsg:
		if msg.seq != s.resolveSeq || msg.gen != s.c.engineGen {
			return nil, nil
		}
		for k, r := range msg.results {
			s.results[k] = r
		}
		return nil, nil
	case detailMsg:
		if s.detail == nil || msg.seq != s.detailSeq {
			return nil, nil
		}
		s.detail.loaded = true
		s.detail.result, s.detail.latency, s.detail.err = msg.result, msg.latency, msg.err
		s.detail.claims, s.detail.claimsErr = msg.claims, msg.claimsErr
		return nil, nil
	case revealMsg:
		if s.detail != nil && s.detail.row.Key == msg.key {
			s.detail.revealed = true
			return nil, &statusMsg{text: "revealed until you leave this session"}
		}
		return nil, nil
	case revokeMsg:
		fp := s.c.redactor(false).fingerprint(msg.row.Token)
		return revokeCmd(s.c.ctx, s.c.deps.Sessions, s.c.engine, msg.row, fp), &statusMsg{text: "revoking " + fp + "…"}
	case revokedMsg:
		if errors.Is(msg.err, resolver.ErrNotFound) {
			// Deleted elsewhere since it was listed (the app pruned it, or
			// someone signed out): the row was stale, not the revocation wrong.
			if s.detail != nil && s.detail.row.Key == msg.key {
				s.closeDetail()
			}
			return s.reload(), &statusMsg{text: "session " + msg.fp + " was already gone (deleted since it was listed)"}
		}
		if msg.err != nil {
			return nil, &statusMsg{err: msg.err}
		}
		if s.detail != nil && s.detail.row.Key == msg.key {
			s.closeDetail()
		}
		delete(s.results, msg.key)
		return s.reload(), &statusMsg{text: "revoked session " + msg.fp + " (cache invalidated)"}
	case revokeUserMsg:
		who := userKey(s.c.redactor(false), msg.row)
		return revokeUserCmd(s.c.ctx, s.c.deps.Sessions, s.c.engine, msg.row, who), &statusMsg{text: "revoking the sessions of user " + who + "…"}
	case revokedUserMsg:
		if msg.err != nil {
			return nil, &statusMsg{err: msg.err}
		}
		if s.detail != nil && s.detail.row.UserID == msg.userID {
			s.closeDetail()
		}
		for _, r := range s.win {
			if r.UserID == msg.userID {
				delete(s.results, r.Key)
			}
		}
		text := fmt.Sprintf("revoked %d sessions of user %s (cache invalidated)", msg.n, msg.who)
		switch msg.n {
		case 0:
			text = "user " + msg.who + " had no sessions left (deleted since they were listed)"
		case 1:
			text = "revoked 1 session of user " + msg.who + " (cache invalidated)"
		}
		return s.reload(), &statusMsg{text: text}
	case tea.PasteMsg:
		// A paste into the filter (bracketed paste), one line of it.
		if s.filtering && s.detail == nil {
			line, _, _ := strings.Cut(msg.Content, "\n")
			if line = strings.TrimSpace(line); line != "" {
				s.filter.value += line
				return s.applyFilter(), nil
			}
		}
	}
	return nil, nil
}

// pruneResults keeps results only for loaded rows, so memory follows the
// window, not the population.
func (s *sessionsModel) pruneResults() {
	keep := make(map[string]rowResult, len(s.win))
	for _, r := range s.win {
		if v, ok := s.results[r.Key]; ok {
			keep[r.Key] = v
		}
	}
	s.results = keep
}

// key handles a key on the sessions screen (or its detail).
func (s *sessionsModel) key(msg tea.KeyPressMsg) (tea.Cmd, *statusMsg) {
	if s.detail != nil {
		return s.detailKey(msg)
	}
	k := s.c.keys
	if s.filtering {
		switch {
		// Both ways out replace the "type to narrow" hint.
		case key.Matches(msg, k.Sessions.Back):
			s.filtering = false
			s.filter.value = ""
			return s.applyFilter(), &statusMsg{text: "filter cleared"}
		case key.Matches(msg, k.Sessions.Detail):
			s.filtering = false
			if s.q.Filter == "" {
				return nil, &statusMsg{text: "no filter"}
			}
			return nil, &statusMsg{text: "filter kept: " + s.q.Filter}
		}
		if s.filter.update(msg) {
			return s.applyFilter(), nil
		}
		return nil, nil
	}
	switch {
	case key.Matches(msg, k.Nav.Down):
		s.scrollTo(s.sel + 1)
	case key.Matches(msg, k.Nav.Up):
		s.scrollTo(s.sel - 1)
	case key.Matches(msg, k.Nav.PageDown):
		s.scrollTo(s.sel + s.rows)
	case key.Matches(msg, k.Nav.PageUp):
		s.scrollTo(s.sel - s.rows)
	case key.Matches(msg, k.Nav.Top):
		s.scrollTo(0)
	case key.Matches(msg, k.Nav.Bottom):
		s.scrollTo(s.total - 1)
	case key.Matches(msg, k.Sessions.Filter):
		s.filtering = true
		s.filter.value = s.q.Filter
		return nil, &statusMsg{text: "filter on what is shown (masked name/e-mail, fingerprint) · enter keep · esc clear"}
	case key.Matches(msg, k.Sessions.Back):
		if s.q.Filter != "" {
			s.filter.value = ""
			return s.applyFilter(), &statusMsg{text: "filter cleared"}
		}
		return nil, nil
	case key.Matches(msg, k.Sessions.Sort):
		sorts := s.sorts()
		// Index -1 (a key this source does not offer) restarts the cycle.
		s.q.Sort = sorts[(slices.Index(sorts, s.q.Sort)+1)%len(sorts)]
		s.sel, s.top = 0, 0
		return s.fetch(0), &statusMsg{text: "sorted by " + s.q.Sort.String()}
	case key.Matches(msg, k.Sessions.Refresh):
		return s.reload(), &statusMsg{text: "refreshed"}
	case key.Matches(msg, enabled(k.Detail.Revoke)), key.Matches(msg, enabled(k.Detail.RevokeUser)):
		row, ok := s.row(s.sel)
		if !ok {
			return nil, &statusMsg{text: "still loading this row"}
		}
		if key.Matches(msg, enabled(k.Detail.RevokeUser)) {
			return nil, s.askRevokeUser(row)
		}
		return nil, s.askRevoke(row)
	case key.Matches(msg, k.Sessions.Detail):
		return s.openDetail()
	default:
		return nil, nil
	}
	return s.ensureWindow(), nil
}

// sorts are the keys the source lists the current strategy in.
func (s *sessionsModel) sorts() []SortKey {
	if so, ok := s.c.deps.Sessions.(Sorter); ok {
		if keys := so.Sorts(s.c.settings.Strategy); len(keys) > 0 {
			return keys
		}
	}
	return defaultSorts
}

// fitSort falls back to the default order when the source now listed
// (after a strategy toggle) cannot sort by the current key.
func (s *sessionsModel) fitSort() {
	if !slices.Contains(s.sorts(), s.q.Sort) {
		s.q.Sort = SortActive
	}
}

// sortNote says, for the help, which columns o sorts by and why the
// others cannot be sorted, rather than offering an order that is not one.
func sortNote(sorts []SortKey) string {
	names := make([]string, len(sorts))
	for i, k := range sorts {
		names[i] = k.String()
	}
	note := "o sorts by: " + strings.Join(names, " · ") + "."
	if !slices.Contains(sorts, SortEmail) {
		note += " Not name or e-mail: the store orders by expiry or user only."
	}
	return note + " Not last result or latency: they are known only for the rows on screen."
}

// applyFilter lists from the top with the filter's current value.
func (s *sessionsModel) applyFilter() tea.Cmd {
	s.q.Filter = strings.TrimSpace(s.filter.value)
	s.sel, s.top = 0, 0
	return s.fetch(0)
}

func (s *sessionsModel) openDetail() (tea.Cmd, *statusMsg) {
	row, ok := s.row(s.sel)
	if !ok {
		return nil, &statusMsg{text: "still loading this row"}
	}
	s.detailSeq++
	s.detail = &detailModel{row: row}
	if e := s.c.engine; e != nil && e.Writes {
		s.detail.held = true
		return nil, &statusMsg{text: "not resolved: GET /session on this upstream extends or prunes sessions · enter resolves"}
	}
	return resolveDetailCmd(s.c.ctx, s.c.engine, s.detailSeq, row), nil
}

// view renders the list (or the open detail).
func (s *sessionsModel) view() string {
	if s.detail != nil {
		return s.detail.view(s.c, s.width, s.rows+4)
	}
	st := s.c.styles
	var b strings.Builder
	count := "loading…"
	if s.loaded {
		count = fmt.Sprintf("%d sessions", s.total)
		if st := s.states; st != nil {
			// Due sessions are a subset of the active ones.
			count += fmt.Sprintf(": %d active (%d due), %d expired", st.Active, st.Due, st.Expired)
		}
	}
	// The refresh interval comes before the counts, which a narrow
	// terminal may cut.
	title := fmt.Sprintf("%s · %s · ↻ %s · sort %s · %s",
		st.App.Heading.Render("Sessions"), s.c.settings.Strategy, s.c.deps.RefreshEvery, s.q.Sort, count)
	b.WriteString(ansi.Truncate(title, s.width, "…"))
	b.WriteByte('\n')
	switch {
	case s.filtering:
		b.WriteString(s.filter.view(st.Sessions.Selected))
	case s.q.Filter != "":
		b.WriteString(st.App.Dim.Render("filter: ") + s.q.Filter + st.App.Dim.Render("  (/ edit, esc clear)"))
	default:
		b.WriteString(st.App.Dim.Render("/ filter · enter detail · o sort"))
	}
	b.WriteByte('\n')
	cols := s.columns()
	if s.q.Sort == SortUser {
		// Sorted by user: the first column shows the order's key.
		cols.headers[0] = "USER"
		cols.byUser = true
	}
	b.WriteString(st.Sessions.Header.Render(cols.header()))
	for i := s.top; i < s.top+s.rows; i++ {
		b.WriteByte('\n')
		if i >= s.total {
			continue
		}
		row, ok := s.row(i)
		if !ok {
			b.WriteString(st.Sessions.Placeholder.Render("  …"))
			continue
		}
		line := cols.row(s, row)
		if i == s.sel {
			b.WriteString(st.Sessions.Selected.Render(ansi.Truncate("▸ "+line, s.width, "")))
		} else {
			b.WriteString(st.Sessions.Row.Render(ansi.Truncate("  "+line, s.width, "")))
		}
	}
	b.WriteByte('\n')
	pos := "no sessions"
	if s.total > 0 {
		pos = fmt.Sprintf("row %d of %d", s.sel+1, s.total)
	}
	if s.listing {
		pos += " · loading"
	}
	b.WriteString(st.App.Dim.Render(pos))
	return b.String()
}
