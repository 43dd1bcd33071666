package tui

import (
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// lineInput is the filter's one-line editor: printable keys append,
// backspace deletes, ctrl+u clears. Bubbles' textinput would do, but it
// pulls a system clipboard module in for paste, and the filter needs none
// of its features (cursor movement, suggestions, echo modes).
type lineInput struct {
	prompt string
	value  string
	width  int
}

// update applies a key and reports whether the value changed.
func (in *lineInput) update(msg tea.KeyPressMsg) bool {
	switch msg.String() {
	case "backspace", "ctrl+h":
		if in.value == "" {
			return false
		}
		_, n := utf8.DecodeLastRuneInString(in.value)
		in.value = in.value[:len(in.value)-n]
		return true
	case "ctrl+u":
		changed := in.value != ""
		in.value = ""
		return changed
	case "space":
		in.value += " "
		return true
	}
	if msg.Text != "" && msg.Mod&^tea.ModShift == 0 {
		in.value += msg.Text
		return true
	}
	return false
}

func (in lineInput) view(cursor lipgloss.Style) string {
	v := in.prompt + in.value
	if in.width > 2 && lipgloss.Width(v) > in.width-1 {
		v = ansi.TruncateLeft(v, lipgloss.Width(v)-(in.width-1), "…")
	}
	return v + cursor.Render(" ")
}
