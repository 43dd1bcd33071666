package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/google/go-cmp/cmp"
)

// App-level tests: layout, screen switching, help, quit, styles, and the
// no-I/O-in-Update invariant. Per-screen tests are in sessions_test.go,
// detail_test.go, resolverview_test.go and load_test.go; the fakes in
// fakes_test.go and fakesource_test.go, the harness in harness_test.go.

func TestResizeLaysOutEveryScreen(t *testing.T) {
	hs := newHarness(t, 500, 80, 24)
	if got, want := hs.m.sessions.rows, 18; got != want {
		t.Fatalf("80x24: table rows = %d, want %d", got, want)
	}
	hs.run(hs.send(tea.WindowSizeMsg{Width: 120, Height: 40}))
	if got, want := hs.m.sessions.rows, 34; got != want {
		t.Fatalf("120x40: table rows = %d, want %d", got, want)
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		hs.run(hs.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]}))
		for _, scr := range []string{"1", "2", "3"} {
			hs.key(scr)
			out := hs.screenText()
			lines := strings.Split(out, "\n")
			if len(lines) != size[1] {
				t.Errorf("%dx%d screen %s: %d lines, want %d", size[0], size[1], scr, len(lines), size[1])
			}
			for i, l := range lines {
				if w := lipgloss.Width(l); w > size[0] {
					t.Errorf("%dx%d screen %s line %d is %d wide: %q", size[0], size[1], scr, i, w, l)
				}
			}
		}
	}
	hs.send(tea.WindowSizeMsg{Width: 59, Height: 30})
	if out := hs.screenText(); !strings.Contains(out, "terminal too small: 59x30") {
		t.Fatalf("59 columns: got %q", out)
	}
	hs.send(tea.WindowSizeMsg{Width: 100, Height: 15})
	if out := hs.screenText(); !strings.Contains(out, "terminal too small") {
		t.Fatalf("15 lines: got %q", out)
	}
}

func TestScreenSwitching(t *testing.T) {
	hs := newHarness(t, 10, 80, 24)
	var got []screen
	for _, k := range []string{"tab", "tab", "tab", "shift+tab", "3", "1", "2"} {
		hs.key(k)
		got = append(got, hs.m.screen)
	}
	want := []screen{screenResolver, screenLoad, screenSessions, screenLoad, screenLoad, screenSessions, screenResolver}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("screens (-want +got):\n%s", diff)
	}
}

// TestUpdateNeverResolvesSynchronously is the no-I/O-in-Update invariant:
// a long interaction through Update alone (commands not run) makes no
// resolution, list or build; running the commands does.
func TestUpdateNeverResolvesSynchronously(t *testing.T) {
	hs := newHarness(t, 400, 100, 30)
	calls := hs.factory.res.calls.Load()
	builds := hs.factory.buildCount()
	listSeq := hs.m.sessions.listSeq
	var pending []tea.Cmd
	for _, k := range []string{"j", "j", "G", "g", "enter", "esc", "m", "s", "c", "/", "a", "esc", "o", "2", "3", "space", "p", "1", "enter", "r", "y", "esc"} {
		pending = append(pending, hs.send(keyMsg(k)))
	}
	pending = append(pending, hs.send(tea.WindowSizeMsg{Width: 80, Height: 24}), hs.send(tickMsg{gen: hs.m.sessions.tickGen, now: testNow}))
	_ = hs.screenText()
	if got := hs.factory.res.calls.Load(); got != calls {
		t.Fatalf("Update resolved %d times synchronously", got-calls)
	}
	if hs.factory.buildCount() != builds {
		t.Fatal("Update built a resolver synchronously")
	}
	if hs.runner.started.Load() != 0 {
		t.Fatal("Update started a load run synchronously")
	}
	if hs.m.sessions.listSeq == listSeq {
		t.Fatal("no list was requested at all")
	}
	for _, c := range pending {
		hs.run(c)
	}
	if hs.factory.res.calls.Load() == calls || hs.factory.buildCount() == builds {
		t.Fatal("running the commands resolved or built nothing: the test proves nothing")
	}
}

func TestBackgroundColorSwitchesStyles(t *testing.T) {
	hs := newHarness(t, 5, 80, 24)
	if !hs.m.c.styles.IsDark {
		t.Fatal("default should be dark")
	}
	dark := hs.m.View().Content
	hs.send(tea.BackgroundColorMsg{Color: lipgloss.Color("#ffffff")})
	if hs.m.c.styles.IsDark {
		t.Fatal("light background kept dark styles")
	}
	light := hs.m.View().Content
	if light == dark || ansi.Strip(light) != ansi.Strip(dark) {
		t.Fatal("a light background should change the colours and nothing else")
	}
	hs.send(tea.BackgroundColorMsg{Color: lipgloss.Color("#000000")})
	if !hs.m.c.styles.IsDark {
		t.Fatal("dark background kept light styles")
	}
}

func TestHelpOverlayAndQuit(t *testing.T) {
	hs := newHarness(t, 5, 100, 30)
	hs.key("?")
	out := hs.screenText()
	for _, want := range []string{"tab", "jwt/database", "enter", "detail", "refresh"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	// jwt sessions cannot be revoked: help does not offer it.
	if strings.Contains(out, "revoke") {
		t.Error("help offers revoke for jwt sessions")
	}
	hs.key("?", "s", "?")
	if out := hs.screenText(); !strings.Contains(out, "revoke (confirm)") {
		t.Error("help lacks revoke on the database strategy")
	}
	hs.key("?", "s", "?")
	hs.key("?")
	if hs.m.showHelp {
		t.Fatal("? did not close the help")
	}
	// In the detail, help lists the detail's keys, not the list's.
	hs.key("enter", "?")
	out = hs.screenText()
	for _, want := range []string{"reveal (confirm)", "copy (redacted)", "back"} {
		if !strings.Contains(out, want) {
			t.Errorf("detail help lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "sort column") {
		t.Errorf("detail help lists the list's keys:\n%s", out)
	}
	hs.key("?", "esc")
	cmd := hs.send(keyMsg("q"))
	if !quits(cmd) {
		t.Fatal("q did not quit")
	}
	hs.key("/")
	if quits(hs.send(keyMsg("q"))) {
		t.Fatal("q typed into the filter quit")
	}
	if !quits(hs.send(keyMsg("ctrl+c"))) {
		t.Fatal("ctrl+c did not quit while filtering")
	}
	hs.key("enter", "enter", "r")
	if hs.m.confirm == nil {
		t.Fatal("no dialog")
	}
	if !quits(hs.send(keyMsg("ctrl+c"))) {
		t.Fatal("ctrl+c did not quit from a dialog")
	}
}

// quits reports whether cmd (a sequence or batch) ends in tea.Quit.
func quits(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	msg := cmd()
	if _, ok := msg.(tea.QuitMsg); ok {
		return true
	}
	// tea.Sequence's message is a slice of commands.
	if s := fmt.Sprintf("%T", msg); strings.Contains(s, "sequenceMsg") || strings.Contains(s, "BatchMsg") {
		for _, c := range sliceOfCmds(msg) {
			if quits(c) {
				return true
			}
		}
	}
	return false
}
