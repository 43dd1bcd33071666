package tui

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/authscope/authscope/resolver"
)

// The session table's columns: which fit the width, and each cell of a row.

// columns lays the table out for the current width.
type columnSet struct {
	widths  []int
	headers []string
	wide    bool
	byUser  bool // the first column is the user key, not the name
}

func (s *sessionsModel) columns() columnSet {
	avail := s.width - 2
	if avail >= 110 {
		// EXPIRES IN is as wide as its longest value, "expired 999d ago".
		fixed := []int{12, 8, 16, 8, 15, 9}
		used := sum(fixed) + 7
		name := max((avail-used)*2/5, 8)
		email := max(avail-used-name, 10)
		return columnSet{
			widths:  append([]int{name, email}, fixed...),
			headers: []string{"NAME", "EMAIL", "FINGERPRINT", "STRATEGY", "EXPIRES IN", "STATE", "LAST RESULT", "LATENCY"},
			wide:    true,
		}
	}
	fixed := []int{8, 8, 7, 12, 7}
	if avail < 70 {
		// Narrowest layout: a shorter result column, so the latency keeps
		// its unit down to the minimum width.
		fixed = []int{8, 7, 7, 8, 7}
	}
	used := sum(fixed) + 6
	name := max((avail-used)/3, 5)
	email := max(avail-used-name, 8)
	return columnSet{
		widths:  append([]int{name, email}, fixed...),
		headers: []string{"NAME", "EMAIL", "FINGERPR", "EXPIRES", "STATE", "RESULT", "LATENCY"},
	}
}

func (cs columnSet) header() string { return "  " + cs.join(cs.headers) }

func (cs columnSet) join(cells []string) string {
	var b strings.Builder
	for i, c := range cells {
		if i > 0 {
			b.WriteByte(' ')
		}
		w := cs.widths[i]
		c = ansi.Truncate(c, w, "…")
		b.WriteString(c)
		if pad := w - lipgloss.Width(c); pad > 0 && i < len(cells)-1 {
			b.WriteString(strings.Repeat(" ", pad))
		}
	}
	return b.String()
}

func (cs columnSet) row(s *sessionsModel, r SessionRow) string {
	red := s.c.redactor(false)
	fp := red.fingerprint(r.Token)
	state := sessionState(s.c, r)
	res, lat := "-", "-"
	if rr, ok := s.results[r.Key]; ok {
		res = string(rr.reason)
		if rr.err != nil {
			res = "error"
		}
		lat = fmtDuration(rr.latency)
	}
	exp := "-"
	if !r.Expires.IsZero() {
		exp = fmtExpiresIn(r.Expires.Sub(s.c.now))
		if !cs.wide {
			// The narrow column has room for "29d ago", and the STATE
			// column next to it says "expired" already.
			exp = strings.TrimPrefix(exp, "expired ")
		}
	}
	first := red.text(r.Name)
	if cs.byUser {
		first = userKey(red, r)
	}
	if cs.wide {
		return cs.join([]string{first, red.email(r.Email), fp, string(r.Strategy), exp, state, res, lat})
	}
	return cs.join([]string{first, red.email(r.Email), shortFP(fp), exp, state, res, lat})
}

// userKey names a row's user without showing the id: a keyed
// fingerprint, equal for one user's sessions (which sort by user groups).
func userKey(red redactor, r SessionRow) string {
	if r.UserID == "" {
		return "-"
	}
	return "u:" + shortFP(red.fingerprint("user\x00"+r.UserID))
}

// sessionState is active, expired, or (database) update: due for the
// expiry extension Auth.js does once updateAge has passed since the last one.
func sessionState(c *common, r SessionRow) string {
	if r.Expires.IsZero() {
		return "unknown"
	}
	left := r.Expires.Sub(c.now)
	switch {
	case left < 0:
		// Strict, as Auth.js and the stores: expires < now.
		return "expired"
	case r.Strategy == resolver.StrategyDatabase && c.deps.maxAge()-left >= c.deps.updateAge():
		return "update"
	}
	return "active"
}
