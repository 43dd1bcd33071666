package tui

import (
	"reflect"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/authscope/authscope/resolver"
)

// harness drives a Model directly (Update, View, commands run in the
// test's goroutine), over the fakes in fakes_test.go and fakesource_test.go.
type harness struct {
	m       *Model
	factory *fakeFactory
	runner  *fakeRunner
	jwt     *fakeSource
	db      *fakeSource
}

// newHarness builds a model over n rows per strategy, fakes everywhere,
// sized w×h, with Init's commands (but no ticks) run.
func newHarness(t testing.TB, n, w, h int) *harness {
	t.Helper()
	jwtRows, dbRows := demoRows(n, resolver.StrategyJWT), demoRows(n, resolver.StrategyDatabase)
	known := map[string]SessionRow{}
	for _, r := range append(append([]SessionRow{}, jwtRows...), dbRows...) {
		known[r.Token] = r
	}
	hs := &harness{
		factory: &fakeFactory{res: &countingResolver{known: known}},
		runner:  &fakeRunner{snaps: []RunSnapshot{sampleSnapshot(false), sampleSnapshot(true)}, steps: sampleSteps()},
		jwt:     newFakeSource(jwtRows, false),
		db:      newFakeSource(dbRows, true),
	}
	hs.m = New(Deps{
		Profile:   "demo",
		Sessions:  fakeSessions{jwt: hs.jwt, db: hs.db},
		Resolvers: hs.factory,
		Runner:    hs.runner,
		Latencies: newExactLatencies,
		Clock:     func() time.Time { return testNow },
		Redactor:  resolver.NewRedactor(resolver.RedactOptions{Key: []byte("test-key")}),
	})
	// Timers never fire in these tests: ticks are sent explicitly.
	hs.m.c.tick = noTick
	hs.send(windowSize(w, h))
	hs.run(hs.m.Init())
	return hs
}

// noTick replaces tea.Tick in tests: timers never fire.
func noTick(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }

func windowSize(w, h int) tea.WindowSizeMsg { return tea.WindowSizeMsg{Width: w, Height: h} }

// send delivers msg to Update and returns its command, not run.
func (hs *harness) send(msg tea.Msg) tea.Cmd {
	_, cmd := hs.m.Update(msg)
	return cmd
}

// key sends key presses: "j", "enter", "space", "shift+tab", "ctrl+c", or
// any single printable character.
func (hs *harness) key(keys ...string) {
	for _, k := range keys {
		hs.run(hs.send(keyMsg(k)))
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	r := []rune(k)[0]
	if r >= 'A' && r <= 'Z' {
		return tea.KeyPressMsg{Code: r + 32, ShiftedCode: r, Text: k, Mod: tea.ModShift}
	}
	return tea.KeyPressMsg{Code: r, Text: k}
}

// typeText types s into whatever has focus.
func (hs *harness) typeText(s string) {
	for _, r := range s {
		hs.key(string(r))
	}
}

// run executes cmd and feeds its messages back into Update until nothing
// is left, the way the program would, so a whole interaction replays
// synchronously. Timers are off (noTick); a command that still blocks is
// dropped after a generous timeout, so a slow machine is not a failure.
func (hs *harness) run(cmd tea.Cmd) {
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0 && steps < 10_000; steps++ {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg, ok := runWithTimeout(c, 10*time.Second)
		if !ok || msg == nil {
			continue
		}
		switch msg := msg.(type) {
		case tea.BatchMsg:
			queue = append(queue, msg...)
			continue
		}
		if isInternalTeaMsg(msg) {
			continue
		}
		queue = append(queue, hs.send(msg))
	}
}

// isInternalTeaMsg reports messages only the program acts on (quit,
// sequences, terminal queries).
func isInternalTeaMsg(msg tea.Msg) bool {
	return reflect.TypeOf(msg).PkgPath() == reflect.TypeOf(tea.QuitMsg{}).PkgPath()
}

func runWithTimeout(c tea.Cmd, d time.Duration) (tea.Msg, bool) {
	ch := make(chan tea.Msg, 1)
	go func() { ch <- c() }()
	select {
	case m := <-ch:
		return m, true
	case <-time.After(d):
		return nil, false
	}
}

// screenText is the rendered screen without ANSI.
func (hs *harness) screenText() string { return ansi.Strip(hs.m.View().Content) }

// sliceOfCmds unpacks tea's batch and sequence messages (both []Cmd).
func sliceOfCmds(msg tea.Msg) []tea.Cmd {
	v := reflect.ValueOf(msg)
	if v.Kind() != reflect.Slice {
		return nil
	}
	out := make([]tea.Cmd, 0, v.Len())
	for i := range v.Len() {
		if c, ok := v.Index(i).Interface().(tea.Cmd); ok {
			out = append(out, c)
		}
	}
	return out
}
