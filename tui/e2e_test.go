package tui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/authscope/authscope/resolver"
)

// TestSmokeFlow drives a real tea.Program over the fakes: browse, filter,
// detail, toggles, a load run, quit. The Update tests are the backbone;
// this proves the pieces hold together in the program loop.
func TestSmokeFlow(t *testing.T) {
	jwtRows, dbRows := demoRows(300, resolver.StrategyJWT), demoRows(300, resolver.StrategyDatabase)
	known := map[string]SessionRow{}
	for _, r := range append(append([]SessionRow{}, jwtRows...), dbRows...) {
		known[r.Token] = r
	}
	factory := &fakeFactory{res: &countingResolver{known: known}}
	runner := &fakeRunner{snaps: []RunSnapshot{sampleSnapshot(false), sampleSnapshot(true)}}
	m := New(Deps{
		Profile:      "demo",
		Sessions:     fakeSessions{jwt: newFakeSource(jwtRows, false), db: newFakeSource(dbRows, true)},
		Resolvers:    factory,
		Runner:       runner,
		Clock:        func() time.Time { return testNow },
		RefreshEvery: time.Hour,
		Context:      t.Context(),
	})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	seen := func(s string) func([]byte) bool {
		// Raw bytes for the title (an OSC sequence, which Strip removes).
		return func(b []byte) bool {
			return bytes.Contains(b, []byte(s)) || bytes.Contains([]byte(ansi.Strip(string(b))), []byte(s))
		}
	}
	wait := func(s string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), seen(s), teatest.WithDuration(30*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	// The renderer sends only changed cells, so later waits look for the
	// terminal title (sent whole) rather than screen text; the final
	// model carries the assertions.
	wait("of 300")
	tm.Send(keyMsg("j"))
	tm.Send(keyMsg("j"))
	tm.Send(keyMsg("/"))
	tm.Type("h•••@")
	tm.Send(keyMsg("enter"))
	tm.Send(keyMsg("enter"))
	wait("authscope · Sessions · session")
	tm.Send(keyMsg("esc"))
	tm.Send(keyMsg("m"))
	tm.Send(keyMsg("c"))
	tm.Send(keyMsg("3"))
	tm.Send(keyMsg("space"))
	wait("authscope · Load · finished")
	tm.Send(keyMsg("q"))
	final, ok := tm.FinalModel(t, teatest.WithFinalTimeout(30*time.Second)).(*Model)
	if !ok {
		t.Fatal("final model is not *Model")
	}
	if final.screen != screenLoad || final.load.snap == nil || !final.load.snap.Final {
		t.Fatalf("final state: screen %v snap %+v", final.screen, final.load.snap)
	}
	if got := final.c.settings; got.Mode != resolver.ModeProxy || !got.Cache {
		t.Fatalf("final settings %+v", got)
	}
	if final.sessions.q.Filter != "h•••@" {
		t.Fatalf("filter %q", final.sessions.q.Filter)
	}
	for _, r := range final.sessions.win {
		if !strings.HasPrefix(r.Email, "heidi") {
			t.Fatalf("row %s outside the filter", r.Key)
		}
	}
}
