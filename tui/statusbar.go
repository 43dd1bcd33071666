package tui

import (
	"context"
	"errors"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// statusBar is the footer: active profile, mode, strategy, cache and
// redaction, then the latest message: an error stays until something
// newer (another error, or the outcome of a later action) replaces it.
type statusBar struct {
	text string
	err  error
}

// apply records st (nil is a no-op).
func (b *statusBar) apply(st *statusMsg) {
	if st == nil {
		return
	}
	if st.err != nil {
		b.err = st.err
		b.text = ""
		return
	}
	if st.text != "" {
		b.text, b.err = st.text, nil
	}
}

func (b statusBar) view(c *common, width int) string {
	st := c.styles
	seg := func(s string) string { return st.Status.Segment.Render(s) }
	profile := c.deps.Profile
	if profile == "" {
		profile = "-"
	}
	state := c.settings.Mode.String() + " · " + c.settings.Strategy.String() + " · cache " + onOff(c.settings.Cache)
	if c.building {
		state += " ⟳"
	}
	left := seg(profile) + seg(state) + seg(redactionLabel(c))
	if c.deps.ReadOnly {
		left += seg("read-only")
	}
	right := seg("? help")
	var msg string
	switch {
	case b.err != nil:
		msg = st.Status.Error.Render("error: " + errText(b.err))
	case b.text != "":
		msg = seg(b.text)
	}
	room := width - lipgloss.Width(left) - lipgloss.Width(right)
	// The message is what gets cut: the profile, state, redaction and
	// read-only segments say which deployment the screen shows and what
	// it is doing, and "? help" is how every other key is found, so it
	// stays at every width the app runs at.
	if room < 0 {
		return ansi.Truncate(left, max(width-lipgloss.Width(right), 0), "…") + right
	}
	msg = ansi.Truncate(msg, room, "…")
	gap := st.Status.Bar.Render(strings.Repeat(" ", max(room-lipgloss.Width(msg), 0)))
	return left + msg + gap + right
}

func redactionLabel(c *common) string {
	if c.revealLocked {
		return "redaction locked"
	}
	return "redaction on"
}

// errText is the one place errors become human text: known conditions get
// a hint, everything else its message on one line.
func errText(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out: " + oneLine(err.Error())
	case errors.Is(err, ErrNotSupported):
		return oneLine(err.Error())
	case errors.Is(err, errNoEngine):
		return "resolver not ready (see the Resolver screen)"
	}
	return oneLine(err.Error())
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
