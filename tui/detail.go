package tui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/authscope/authscope/resolver"
)

// detailModel is one session opened from the list: its resolution, the
// session JSON and (jwt) the decoded claims. revealed lasts as long as the
// detail is open: leaving it drops the model, so the next one starts
// redacted again.
type detailModel struct {
	row       SessionRow
	loaded    bool
	result    resolver.Result
	latency   time.Duration
	err       error
	claims    resolver.Claims
	claimsErr error
	revealed  bool
	scroll    int
	// held: not resolved, because resolving writes (Engine.Writes);
	// enter resolves it, an explicit write.
	held bool
}

func (d *detailModel) redactor(c *common) redactor { return c.redactor(d.revealed) }

// copyText is what y copies: the session JSON, always redacted.
func (d *detailModel) copyText(c *common) string {
	red := c.redactor(false)
	if d.result.Session != nil {
		return red.sessionJSON(d.result.Session)
	}
	return fmt.Sprintf(`{"fingerprint":%q,"reason":%q}`, red.fingerprint(d.row.Token), d.result.Reason)
}

func (s *sessionsModel) detailKey(msg tea.KeyPressMsg) (tea.Cmd, *statusMsg) {
	k := s.c.keys
	d := s.detail
	switch {
	case key.Matches(msg, k.Detail.Back):
		s.closeDetail()
		if d.revealed {
			return nil, &statusMsg{text: "re-redacted"}
		}
		return nil, nil
	case d.held && key.Matches(msg, k.Sessions.Detail):
		d.held = false
		s.detailSeq++
		return resolveDetailCmd(s.c.ctx, s.c.engine, s.detailSeq, d.row), &statusMsg{text: "resolving through the upstream…"}
	case key.Matches(msg, k.Nav.Down):
		// Bounded by the content, so k moves up at once from the end.
		d.scroll = min(d.scroll+1, maxScroll(len(d.bodyLines(s.c, s.width)), detailRoom(s.rows+4)))
	case key.Matches(msg, k.Nav.Up):
		d.scroll = max(d.scroll-1, 0)
	case key.Matches(msg, k.Nav.Top):
		d.scroll = 0
	case key.Matches(msg, k.Detail.Reveal):
		if d.revealed {
			return nil, &statusMsg{text: "already revealed; esc re-redacts"}
		}
		if s.c.revealLocked {
			return nil, &statusMsg{text: "reveal is locked (unlock with r on the Resolver screen)"}
		}
		s.pendingConfirm = &confirmDialog{
			prompt: fmt.Sprintf("Reveal the personal data of session %s?\nIt is shown until you leave this session.", s.c.redactor(false).fingerprint(d.row.Token)),
			msg:    revealMsg{key: d.row.Key},
		}
	case key.Matches(msg, enabled(k.Detail.Revoke)):
		return nil, s.askRevoke(d.row)
	case key.Matches(msg, enabled(k.Detail.RevokeUser)):
		return nil, s.askRevokeUser(d.row)
	case key.Matches(msg, k.Detail.Copy):
		return tea.SetClipboard(d.copyText(s.c)), &statusMsg{text: "copied the redacted JSON (OSC 52)"}
	}
	return nil, nil
}

func (d *detailModel) view(c *common, w, h int) string {
	st := c.styles
	red := d.redactor(c)
	var head strings.Builder
	fp := red.fingerprint(d.row.Token)
	who := red.email(d.row.Email)
	if who == "" {
		who = red.text(d.row.Name)
	}
	expires := "-"
	if !d.row.Expires.IsZero() {
		expires = fmtExpiresIn(d.row.Expires.Sub(c.now))
		if !strings.HasPrefix(expires, "expired") {
			expires = "expires in " + expires
		}
	}
	fmt.Fprintf(&head, "%s %s · fp %s · %s · %s · %s\n",
		st.App.Heading.Render("Session"), who, fp, d.row.Strategy, expires, sessionState(c, d.row))
	revoke := ""
	if c.canRevoke() {
		revoke = " · x revoke · X all the user's"
	}
	if d.revealed {
		head.WriteString(st.App.Warn.Render("REVEALED") + st.App.Dim.Render(" · esc re-redacts"+revoke+" · y copy (redacted)"))
	} else {
		head.WriteString(st.App.OK.Render("redacted") + st.App.Dim.Render(" · r reveal"+revoke+" · y copy · esc back"))
	}
	head.WriteByte('\n')
	switch {
	case d.held:
		head.WriteString(st.App.Warn.Render("not resolved") + st.App.Dim.Render(": the upstream extends or prunes sessions on GET /session · enter resolves this one"))
	case !d.loaded:
		head.WriteString("resolving…")
	case d.err != nil:
		head.WriteString(st.App.Error.Render("error: " + errText(d.err)))
	default:
		line := fmt.Sprintf("result: %s via %s in %s", d.result.Reason, orDash(d.result.Source), fmtDuration(d.latency))
		if d.result.Err != nil && d.result.Session == nil {
			line += " · " + oneLine(d.result.Err.Error())
		}
		head.WriteString(line)
	}

	return head.String() + "\n\n" + scrollWindow(d.bodyLines(c, w), d.scroll, detailRoom(h), st)
}

// detailRoom is how many body lines a detail of height h shows (the head
// takes three lines and a blank one).
func detailRoom(h int) int { return max(h-4, 1) }

// bodyLines are the detail's scrollable lines at width w: the session
// JSON and, beside it (w ≥ 100) or below, the stored session or claims.
func (d *detailModel) bodyLines(c *common, w int) []string {
	st := c.styles
	red := d.redactor(c)
	fp := red.fingerprint(d.row.Token)
	left := st.App.Heading.Render("Session JSON") + "\n" + red.sessionJSON(d.result.Session)
	right := ""
	switch {
	case d.row.Strategy == resolver.StrategyDatabase:
		right = st.App.Heading.Render("Stored session") + "\n" +
			fmt.Sprintf("user id  %s\nexpires  %s\ntoken    fp %s", red.text(d.row.UserID),
				d.row.Expires.UTC().Format(time.RFC3339), fp)
	case d.claims != nil && errors.Is(d.claimsErr, ErrClaimsExpired):
		// Decoded without the expiry check: shown, clearly marked.
		right = st.App.Heading.Render("Claims") + " " + st.App.Warn.Render("EXPIRED") + "\n" +
			st.App.Dim.Render(wrapText(errText(d.claimsErr)+"; decoded without the expiry check", 48)) + "\n" + red.claimsJSON(d.claims)
	case d.claimsErr != nil:
		right = st.App.Heading.Render("Claims") + "\n" + st.App.Error.Render(errText(d.claimsErr))
	case d.claims != nil:
		right = st.App.Heading.Render("Claims") + "\n" + red.claimsJSON(d.claims)
	}
	var body string
	if right != "" && w >= 100 {
		colW := (w - 3) / 2
		body = lipgloss.JoinHorizontal(lipgloss.Top,
			lipgloss.NewStyle().Width(colW).Render(cutLines(left, colW)), " │ ", lipgloss.NewStyle().Width(colW).Render(cutLines(right, colW)))
	} else if right != "" {
		body = cutLines(left, w) + "\n\n" + cutLines(right, w)
	} else {
		body = cutLines(left, w)
	}
	return strings.Split(body, "\n")
}

// maxScroll is the largest useful scroll offset for n lines in room.
func maxScroll(n, room int) int {
	if n <= room {
		return 0
	}
	return n - max(room-1, 1)
}

// scrollWindow shows room lines of lines from scroll on. When they do
// not all fit, the last line says where the view is: "↓ more" with how
// far down the bottom of the view is, or the end; otherwise a cut
// detail would look complete. View must not mutate, so the scroll offset
// is clamped here, on a copy.
func scrollWindow(lines []string, scroll, room int, st *Styles) string {
	if len(lines) <= room {
		return strings.Join(lines, "\n")
	}
	shown := max(room-1, 1) // one line for the indicator
	scroll = min(max(scroll, 0), maxScroll(len(lines), room))
	end := scroll + shown
	pct := 100 * end / len(lines)
	var mark string
	if end < len(lines) {
		mark = fmt.Sprintf("↓ more · j/k scroll · %d%%", pct)
	} else {
		mark = "end · k scrolls up · 100%"
	}
	return strings.Join(lines[scroll:end], "\n") + "\n" + st.App.Dim.Render(mark)
}

// cutLines ends each line longer than w with "…": a long value (an image
// URL, a user id) must neither wrap to column 0 and break the JSON's
// indentation nor be cut without a sign.
func cutLines(s string, w int) string {
	if w <= 0 {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if ansi.StringWidth(l) > w {
			lines[i] = ansi.Truncate(l, w, "…")
		}
	}
	return strings.Join(lines, "\n")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// canRevoke: only database sessions can be revoked, and only when the
// profile allows writes.
func (c *common) canRevoke() bool {
	return c.settings.Strategy == resolver.StrategyDatabase && !c.deps.ReadOnly
}

// revokeRefusal says why row's session (or user) cannot be revoked, or nil.
func (s *sessionsModel) revokeRefusal(row SessionRow) *statusMsg {
	switch {
	case s.c.settings.Strategy != resolver.StrategyDatabase || (row.Strategy != "" && row.Strategy != resolver.StrategyDatabase):
		return &statusMsg{text: "JWT sessions are stateless: revoking means rotating the secret"}
	case s.c.deps.ReadOnly:
		return &statusMsg{text: "read-only profile: revoke is off"}
	}
	return nil
}

// askRevoke opens the revoke confirmation for row (list or detail), or
// says in the status bar why this session cannot be revoked.
func (s *sessionsModel) askRevoke(row SessionRow) *statusMsg {
	if st := s.revokeRefusal(row); st != nil {
		return st
	}
	s.pendingConfirm = &confirmDialog{
		prompt: fmt.Sprintf("Revoke session %s?\nThe session is deleted from the store and the cache.", s.c.redactor(false).fingerprint(row.Token)),
		msg:    revokeMsg{row: row},
	}
	return nil
}

// askRevokeUser opens the confirmation for revoking every session of
// row's user, or says why it cannot be done.
func (s *sessionsModel) askRevokeUser(row SessionRow) *statusMsg {
	if st := s.revokeRefusal(row); st != nil {
		return st
	}
	if row.UserID == "" {
		return &statusMsg{text: "this session names no user"}
	}
	who := userKey(s.c.redactor(false), row)
	s.pendingConfirm = &confirmDialog{
		prompt: fmt.Sprintf("Revoke ALL the sessions of user %s?\nEvery session of this user is deleted from the store\nand the cache: the user is signed out everywhere.", who),
		msg:    revokeUserMsg{row: row},
	}
	return nil
}

// enabled returns a copy of b that matches whether or not b is enabled.
func enabled(b key.Binding) key.Binding {
	b.SetEnabled(true)
	return b
}
