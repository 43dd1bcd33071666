package tui

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/google/go-cmp/cmp"

	"github.com/authscope/authscope/resolver"
)

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

func TestNavigationLoadsWindowsOnDemand(t *testing.T) {
	hs := newHarness(t, 1000, 80, 24)
	s := &hs.m.sessions
	if s.total != 1000 || len(s.win) != s.windowSize() {
		t.Fatalf("after init: total %d, window %d rows", s.total, len(s.win))
	}
	hs.key("j", "j", "down")
	if s.sel != 3 {
		t.Fatalf("sel after j j down = %d, want 3", s.sel)
	}
	hs.key("k")
	if s.sel != 2 {
		t.Fatalf("sel after k = %d, want 2", s.sel)
	}
	// G jumps to the bottom: the window there is fetched by a command.
	cmd := hs.send(keyMsg("G"))
	if s.sel != 999 || s.top != 1000-s.rows {
		t.Fatalf("after G: sel %d top %d", s.sel, s.top)
	}
	if _, ok := s.row(999); ok {
		t.Fatal("row 999 loaded synchronously; want a list command")
	}
	if !strings.Contains(hs.screenText(), "…") {
		t.Fatal("unloaded rows should render as placeholders")
	}
	hs.run(cmd)
	row, ok := s.row(999)
	if !ok {
		t.Fatal("row 999 not loaded after the list command")
	}
	if len(s.win) > s.windowSize() {
		t.Fatalf("window holds %d rows, want at most %d", len(s.win), s.windowSize())
	}
	if !strings.Contains(hs.screenText(), "row 1000 of 1000") {
		t.Fatalf("footer: %q", hs.screenText())
	}
	_ = row
	hs.key("g")
	if s.sel != 0 || s.top != 0 {
		t.Fatalf("after g: sel %d top %d", s.sel, s.top)
	}
	hs.key("k")
	if s.sel != 0 {
		t.Fatalf("k at the top moved to %d", s.sel)
	}
}

func TestFilterNarrowsAndEscClears(t *testing.T) {
	hs := newHarness(t, 300, 80, 24)
	hs.key("/")
	if !hs.m.sessions.filtering {
		t.Fatal("/ did not focus the filter")
	}
	// While filtering, global keys are text: q must not quit, 2 must not switch.
	hs.typeText("q2")
	if hs.m.screen != screenSessions {
		t.Fatal("a key typed into the filter switched screens")
	}
	hs.key("ctrl+u")
	s := &hs.m.sessions
	// A fingerprint prefix, as the FINGERPR column shows it.
	red := hs.m.c.redactor(false)
	target := hs.jwt.rows[7]
	fp := red.fingerprint(target.Token)
	hs.typeText(fp[:5])
	if s.q.Filter != fp[:5] {
		t.Fatalf("filter = %q", s.q.Filter)
	}
	for _, r := range s.win {
		if !strings.HasPrefix(red.fingerprint(r.Token), fp[:5]) && !strings.Contains(red.email(r.Email)+red.text(r.Name), fp[:5]) {
			t.Fatalf("row %q does not match the filter", r.Key)
		}
	}
	if s.total == 0 || s.total >= 300 {
		t.Fatalf("filtered total = %d", s.total)
	}
	hs.key("backspace")
	if s.q.Filter != fp[:4] {
		t.Fatalf("after backspace filter = %q", s.q.Filter)
	}
	hs.key("enter")
	if s.filtering || s.q.Filter != fp[:4] {
		t.Fatalf("enter should keep the filter and leave the input: filtering %v filter %q", s.filtering, s.q.Filter)
	}
	hs.key("/", "esc")
	if s.q.Filter != "" || s.total != 300 {
		t.Fatalf("esc: filter %q total %d", s.q.Filter, s.total)
	}
	if out := hs.screenText(); strings.Contains(out, "enter keep") || !strings.Contains(out, "filter cleared") {
		t.Fatalf("after esc the status bar still shows the filter hint:\n%s", out)
	}
	hs.key("/")
	// The list shows 8 characters of the fingerprint: those match, the
	// hidden rest does not.
	hs.run(hs.send(tea.PasteMsg{Content: fp + "\nignored"}))
	if s.q.Filter != fp || s.total != 0 {
		t.Fatalf("paste of the whole fingerprint: filter %q total %d", s.q.Filter, s.total)
	}
	hs.key("esc", "/")
	hs.run(hs.send(tea.PasteMsg{Content: fp[:8] + "\nignored"}))
	if s.q.Filter != fp[:8] || s.total != 1 || s.win[0].Key != target.Key {
		t.Fatalf("paste: filter %q total %d", s.q.Filter, s.total)
	}
}

// With redaction on the filter matches only what the columns show: a
// hidden first name, e-mail local part or user id finds nothing, or the
// filter would reveal what redaction hides. Both sources.
func TestFilterMatchesOnlyWhatIsShown(t *testing.T) {
	hs := newHarness(t, 300, 80, 24)
	s := &hs.m.sessions
	for _, strategy := range []string{"jwt", "database"} {
		for _, hidden := range []string{"grace", "jones2", "user-0000", "secret-token"} {
			hs.key("/")
			hs.typeText(hidden)
			if s.total != 0 {
				t.Errorf("%s: filter %q on hidden values kept %d rows", strategy, hidden, s.total)
			}
			hs.key("esc")
		}
		// What is shown still narrows: the masked e-mail's first letter.
		hs.key("/")
		hs.typeText("h•••@")
		if s.total == 0 || s.total >= 300 {
			t.Errorf("%s: filter on the shown mask kept %d rows", strategy, s.total)
		}
		for _, r := range s.win {
			if !strings.HasPrefix(r.Email, "heidi") {
				t.Errorf("%s: row %s outside the filter", strategy, r.Key)
			}
		}
		hs.key("esc", "s")
	}
}

func TestSortCycles(t *testing.T) {
	hs := newHarness(t, 50, 80, 24)
	s := &hs.m.sessions
	// Default: active sessions first, the soonest to expire first; the
	// expired ones after them, the most recently expired first.
	if s.q.Sort != SortActive {
		t.Fatalf("default sort = %v", s.q.Sort)
	}
	if s.win[0].Expires.Before(testNow) {
		t.Fatal("the first row is expired")
	}
	seenExpired := false
	for i, r := range s.win {
		expired := r.Expires.Before(testNow)
		switch {
		case seenExpired && !expired:
			t.Fatalf("row %d is active but listed after expired ones", i)
		case !expired && i > 0 && r.Expires.Before(s.win[i-1].Expires):
			t.Fatalf("active row %d expires before row %d", i, i-1)
		case expired && seenExpired && r.Expires.After(s.win[i-1].Expires):
			t.Fatalf("expired row %d expired after row %d", i, i-1)
		}
		seenExpired = seenExpired || expired
	}
	if !strings.Contains(hs.screenText(), "active") || strings.Contains(strings.Split(hs.screenText(), "row ")[0], "expired  ") {
		t.Fatalf("the first screen shows expired sessions:\n%s", hs.screenText())
	}
	hs.key("G")
	if last, _ := s.row(s.total - 1); !last.Expires.Before(testNow) {
		t.Fatalf("the last row is not expired: %v", last.Expires)
	}
	hs.key("g", "o")
	if s.q.Sort != SortExpires || !s.win[0].Expires.Before(testNow) {
		t.Fatalf("sort by expiry: %v, first row expires %v", s.q.Sort, s.win[0].Expires)
	}
	hs.key("o", "o") // latest expiry first, then user
	if s.q.Sort != SortUser {
		t.Fatalf("sort = %v", s.q.Sort)
	}
	if got := s.win[0].UserID; got != "user-000000" {
		t.Fatalf("first row by user = %s", got)
	}
	// The order's key is on screen: a USER column of keyed fingerprints.
	out := hs.screenText()
	if !strings.Contains(out, "USER") || !strings.Contains(out, userKey(hs.m.c.redactor(false), s.win[0])) {
		t.Fatalf("sorted by user without the user shown:\n%s", out)
	}
	if strings.Contains(out, "user-000000") {
		t.Fatal("the raw user id is on screen")
	}
	hs.key("o", "o", "o") // e-mail, name, then back to the start
	if s.q.Sort != SortActive {
		t.Fatalf("sort = %v", s.q.Sort)
	}
}

func TestTogglesRebuildInACommand(t *testing.T) {
	hs := newHarness(t, 20, 80, 24)
	builds := hs.factory.buildCount()
	if builds != 1 {
		t.Fatalf("init built %d resolvers, want 1", builds)
	}
	cmd := hs.send(keyMsg("m"))
	if hs.factory.buildCount() != builds {
		t.Fatal("toggling the mode built a resolver inside Update")
	}
	if !hs.m.c.building || hs.m.c.settings.Mode != resolver.ModeProxy {
		t.Fatalf("after m: building %v mode %s", hs.m.c.building, hs.m.c.settings.Mode)
	}
	hs.run(cmd)
	hs.key("s", "c")
	want := []Settings{
		{Mode: resolver.ModeLocal, Strategy: resolver.StrategyJWT},
		{Mode: resolver.ModeProxy, Strategy: resolver.StrategyJWT},
		{Mode: resolver.ModeProxy, Strategy: resolver.StrategyDatabase},
		{Mode: resolver.ModeProxy, Strategy: resolver.StrategyDatabase, Cache: true},
	}
	if diff := cmp.Diff(want, hs.factory.builds); diff != "" {
		t.Fatalf("builds (-want +got):\n%s", diff)
	}
	if hs.m.c.building || hs.m.c.engine == nil || hs.m.c.engine.settings != want[3] {
		t.Fatalf("engine not ready with the last settings: %+v", hs.m.c.engine)
	}
	// The strategy toggle relisted the database population.
	if hs.m.sessions.win[0].Strategy != resolver.StrategyDatabase {
		t.Fatal("strategy toggle did not relist")
	}
	st := hs.screenText()
	if !strings.Contains(st, "proxy · database · cache on") {
		t.Fatalf("status bar: %q", st)
	}
}

func TestStaleEngineBuildIsDropped(t *testing.T) {
	hs := newHarness(t, 20, 80, 24)
	first := hs.send(keyMsg("m"))  // gen 2: proxy
	second := hs.send(keyMsg("m")) // gen 3: local again
	newer, _ := runWithTimeout(second, time.Second)
	older, _ := runWithTimeout(first, time.Second)
	hs.run(hs.send(newer))
	ready := hs.m.c.engine
	hs.run(hs.send(older)) // arrives late: must not replace the newer engine
	if hs.m.c.engine != ready || hs.m.c.engine.settings.Mode != resolver.ModeLocal {
		t.Fatalf("a stale build replaced the engine: %+v", hs.m.c.engine.settings)
	}
}

func TestStaleAsyncResultsAreDropped(t *testing.T) {
	hs := newHarness(t, 200, 80, 24)
	s := &hs.m.sessions
	before := s.win[0]

	// A list result from an older request.
	hs.send(listMsg{seq: s.listSeq - 1, page: SessionPage{Rows: demoRows(3, resolver.StrategyJWT), Total: 3}})
	if s.total != 200 || s.win[0] != before {
		t.Fatal("stale list result applied")
	}
	// Row results from a previous engine generation.
	key := s.win[0].Key
	hs.send(resolvedRowsMsg{seq: s.resolveSeq, gen: hs.m.c.engineGen - 1, results: map[string]rowResult{key: {reason: resolver.ReasonDecrypt}}})
	if s.results[key].reason == resolver.ReasonDecrypt {
		t.Fatal("row result from an old engine applied")
	}
	// Row results from an older refresh.
	hs.send(resolvedRowsMsg{seq: s.resolveSeq - 1, gen: hs.m.c.engineGen, results: map[string]rowResult{key: {reason: resolver.ReasonDecrypt}}})
	if s.results[key].reason == resolver.ReasonDecrypt {
		t.Fatal("row result from an older refresh applied")
	}
	// A detail result for a detail that was left.
	hs.key("enter")
	seq := s.detailSeq
	hs.key("esc", "j", "enter")
	hs.send(detailMsg{seq: seq, key: before.Key, err: errors.New("stale")})
	if s.detail.err != nil {
		t.Fatal("a stale detail result applied")
	}
	// Stats from an old engine.
	hs.send(statsMsg{gen: hs.m.c.engineGen - 1, stats: meterStats{Resolutions: 999}})
	if hs.m.resolver.stats.Resolutions == 999 {
		t.Fatal("stale stats applied")
	}
	// A tick from an old chain.
	hs.send(tickMsg{gen: s.tickGen - 1, now: testNow.Add(time.Hour)})
	if !hs.m.c.now.Equal(testNow) {
		t.Fatal("stale tick applied")
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

func TestRevealNeedsConfirmationAndReRedactsOnLeave(t *testing.T) {
	hs := newHarness(t, 20, 120, 40)
	row := hs.m.sessions.win[0]
	hs.key("enter")
	out := hs.screenText()
	if strings.Contains(out, row.Email) || !strings.Contains(out, resolver.MaskEmail(row.Email)) {
		t.Fatalf("detail not redacted:\n%s", out)
	}
	hs.key("r")
	if hs.m.confirm == nil || !strings.Contains(hs.screenText(), "Reveal the personal data") {
		t.Fatal("r did not ask for confirmation")
	}
	hs.key("n")
	if hs.m.sessions.detail.revealed {
		t.Fatal("cancelled reveal revealed")
	}
	hs.key("r", "y")
	out = hs.screenText()
	if !hs.m.sessions.detail.revealed || !strings.Contains(out, row.Email) || !strings.Contains(out, "REVEALED") {
		t.Fatalf("confirmed reveal not shown:\n%s", out)
	}
	if strings.Contains(out, row.Token) {
		t.Fatal("the token appeared on screen")
	}
	hs.key("esc")
	if strings.Contains(hs.screenText(), row.Email) {
		t.Fatal("list shows a revealed e-mail after leaving the detail")
	}
	hs.key("enter")
	if hs.m.sessions.detail.revealed || strings.Contains(hs.screenText(), row.Email) {
		t.Fatal("re-opened detail is still revealed")
	}
}

func TestRevealLockedFromResolverScreen(t *testing.T) {
	hs := newHarness(t, 20, 100, 30)
	hs.key("2", "r", "1", "enter", "r")
	if hs.m.confirm != nil {
		t.Fatal("reveal asked for confirmation while locked")
	}
	if !strings.Contains(hs.screenText(), "redaction locked") {
		t.Fatal("status bar does not show the lock")
	}
	// Unlocking asks first, or the lock would protect nothing.
	hs.key("esc", "2", "r")
	if hs.m.confirm == nil || !hs.m.c.revealLocked {
		t.Fatal("r unlocked reveal without a confirmation")
	}
	hs.key("n")
	if !hs.m.c.revealLocked {
		t.Fatal("cancelling the unlock unlocked")
	}
	hs.key("r", "y")
	if hs.m.c.revealLocked {
		t.Fatal("confirming did not unlock")
	}
	hs.key("1", "enter", "r")
	if hs.m.confirm == nil {
		t.Fatal("reveal unavailable after unlocking")
	}
}

func TestRevokeConfirmsDeletesAndInvalidates(t *testing.T) {
	hs := newHarness(t, 20, 100, 30)
	hs.key("s") // database strategy
	s := &hs.m.sessions
	row := s.win[0]
	hs.key("enter", "x")
	if hs.m.confirm == nil {
		t.Fatal("x did not ask for confirmation")
	}
	hs.key("esc")
	if hs.db.Len() != 20 {
		t.Fatal("cancelled revoke deleted")
	}
	hs.key("x", "y")
	if hs.db.Len() != 19 || s.total != 19 {
		t.Fatalf("revoke: store has %d, list total %d", hs.db.Len(), s.total)
	}
	if diff := cmp.Diff([]string{row.Key}, hs.factory.invalidated); diff != "" {
		t.Fatalf("cache invalidations (-want +got):\n%s", diff)
	}
	if s.detail != nil {
		t.Fatal("detail of a revoked session still open")
	}
	if !strings.Contains(hs.screenText(), "revoked session") {
		t.Fatalf("status: %q", hs.screenText())
	}
}

func TestRevokeOfAGoneSessionIsNotAnError(t *testing.T) {
	hs := newHarness(t, 20, 100, 30)
	hs.key("s")
	row := hs.m.sessions.win[0]
	if err := hs.db.Revoke(t.Context(), row); err != nil { // pruned behind the browser's back
		t.Fatal(err)
	}
	hs.key("enter", "x", "y")
	out := hs.screenText()
	if !strings.Contains(out, "already gone") || strings.Contains(out, "error:") {
		t.Fatalf("status: %q", out)
	}
	if hs.m.sessions.detail != nil || hs.m.sessions.total != 19 {
		t.Fatalf("detail %v total %d", hs.m.sessions.detail, hs.m.sessions.total)
	}
}

func TestRevokeJWTIsRefused(t *testing.T) {
	hs := newHarness(t, 5, 100, 30)
	hs.key("enter", "x")
	if hs.m.confirm != nil {
		t.Fatal("revoke of a jwt session asked for confirmation")
	}
	if !strings.Contains(hs.screenText(), "stateless") {
		t.Fatalf("no explanation: %q", hs.screenText())
	}
}

// x on the list works on the selected row, like in the detail.
func TestRevokeFromTheList(t *testing.T) {
	hs := newHarness(t, 5, 100, 30)
	hs.key("x")
	if hs.m.confirm != nil {
		t.Fatal("x on a jwt row opened a dialog")
	}
	if !strings.Contains(hs.screenText(), "stateless") {
		t.Fatalf("x on a jwt row says nothing: %q", hs.screenText())
	}
	hs.key("s", "j", "x")
	if hs.m.confirm == nil {
		t.Fatal("x on a database row opened no dialog")
	}
	want := hs.m.sessions.win[1].Key
	hs.key("y")
	if hs.db.Len() != 4 {
		t.Fatalf("store has %d after revoke", hs.db.Len())
	}
	if diff := cmp.Diff([]string{want}, hs.factory.invalidated); diff != "" {
		t.Fatalf("revoked the wrong row (-want +got):\n%s", diff)
	}
	hs.key("ctrl+r")
	if !strings.Contains(hs.screenText(), "refreshed") {
		t.Fatalf("ctrl+r gives no feedback: %q", hs.screenText())
	}
}

func TestCopyIsRedactedJSON(t *testing.T) {
	hs := newHarness(t, 5, 100, 30)
	row := hs.m.sessions.win[0]
	hs.key("enter", "r", "y") // revealed on screen…
	cmd := hs.send(keyMsg("y"))
	if cmd == nil {
		t.Fatal("y returned no command")
	}
	msg := cmd()
	text := fmt.Sprint(msg)
	if strings.Contains(text, row.Email) || !strings.Contains(text, resolver.MaskEmail(row.Email)) {
		t.Fatalf("copied text is not the redacted JSON: %s", text)
	}
}

func TestLoadRunStreamsAndDropsStaleRuns(t *testing.T) {
	hs := newHarness(t, 5, 120, 40)
	hs.key("3", "space")
	l := &hs.m.load
	if l.running || l.snap == nil || !l.snap.Final {
		t.Fatalf("run did not finish with its final snapshot: running %v snap %+v", l.running, l.snap)
	}
	out := hs.screenText()
	for _, want := range []string{"jwt-local", "jwt-proxy", "p99.9", "achieved 497/s", "latency, log scale"} {
		if !strings.Contains(out, want) {
			t.Errorf("load screen lacks %q:\n%s", want, out)
		}
	}
	// A snapshot from the finished run, delivered late, is ignored.
	old := l.runID
	hs.key("space")
	late := sampleSnapshot(false)
	late.AchievedRate = 1
	hs.send(snapshotMsg{id: old - 0, snap: late})
	hs.send(snapshotMsg{id: old - 1, snap: late})
	if l.snap.AchievedRate == 1 {
		t.Fatal("stale snapshot applied")
	}
	hs.key("e")
	if !strings.Contains(hs.screenText(), "exported authscope-demo-mixed.hlog") {
		t.Fatalf("export: %q", hs.screenText())
	}
	hs.key("p")
	if !strings.Contains(hs.screenText(), "capacity 150/s") {
		t.Fatalf("capacity: %q", hs.screenText())
	}
}

func TestLoadStopCancelsTheRun(t *testing.T) {
	hs := newHarness(t, 5, 120, 40)
	hs.runner.hold = true
	hs.key("3")
	start := hs.send(keyMsg("space"))
	started, _ := runWithTimeout(start, 10*time.Second)
	// Take the scripted snapshots; the next wait blocks while the run is held.
	for cmd := hs.send(started); ; {
		msg, ok := runWithTimeout(cmd, 200*time.Millisecond)
		if !ok {
			break
		}
		cmd = hs.send(msg)
	}
	if !hs.m.load.running {
		t.Fatal("run not running")
	}
	hs.key("space")
	if !hs.m.load.stopping {
		t.Fatal("space did not stop the run")
	}
	hs.run(waitSnapshot(hs.m.load.runID, hs.m.load.ch))
	if hs.m.load.running {
		t.Fatal("run still running after its channel closed")
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

// Revoke is offered only where it can work: database sessions on a
// profile that allows writes. Elsewhere x explains, and opens no dialog.
func TestRevokeOfferedOnlyWhereItWorks(t *testing.T) {
	hs := newHarness(t, 5, 100, 30)
	hs.key("enter")
	if strings.Contains(hs.screenText(), "x revoke") {
		t.Error("a jwt detail offers x revoke")
	}
	hs.key("x")
	if hs.m.confirm != nil {
		t.Fatal("x opened a dialog on a jwt session")
	}
	if out := hs.screenText(); !strings.Contains(out, "stateless") {
		t.Errorf("x on a jwt session does not say why:\n%s", out)
	}
	hs.key("esc", "s", "enter")
	if !strings.Contains(hs.screenText(), "x revoke") {
		t.Error("a database detail does not offer x revoke")
	}
	hs.key("x")
	if hs.m.confirm == nil {
		t.Fatal("x opened no dialog on a database session")
	}

	ro := newHarness(t, 5, 100, 30)
	ro.m.c.deps.ReadOnly = true
	ro.key("s", "enter")
	out := ro.screenText()
	if strings.Contains(out, "x revoke") {
		t.Error("a read-only profile offers x revoke")
	}
	if !strings.Contains(out, "read-only") {
		t.Errorf("status bar does not say read-only:\n%s", out)
	}
	ro.key("x")
	if ro.m.confirm != nil {
		t.Fatal("x opened a dialog on a read-only profile")
	}
}

// Down to the minimum width every column keeps its meaning: the latency
// its unit.
func TestNarrowTableKeepsLatencyUnits(t *testing.T) {
	for _, w := range []int{minWidth, 64, 70, 80} {
		hs := newHarness(t, 30, w, 24)
		pinLatencies(hs)
		rows := 0
		for _, line := range strings.Split(hs.screenText(), "\n") {
			if strings.Contains(line, "•••@") {
				rows++
				if !strings.HasSuffix(strings.TrimRight(line, " "), "42.0µs") {
					t.Errorf("%d columns: row lost its latency unit: %q", w, line)
				}
			}
		}
		if rows == 0 {
			t.Fatalf("%d columns: no rows", w)
		}
	}
}

// A failed build says why on the Resolver screen, not just "not ready",
// and the reason goes once a build succeeds.
func TestResolverScreenShowsWhyNotReady(t *testing.T) {
	hs := newHarness(t, 5, 80, 24)
	hs.factory.fail = errors.New("jwt strategy needs a secret: set AUTH_SECRET (secret_env in the profile)")
	hs.key("m", "2")
	out := hs.screenText()
	if !strings.Contains(out, "not ready") || !strings.Contains(out, "set AUTH_SECRET") {
		t.Fatalf("no reason on the Resolver screen:\n%s", out)
	}
	hs.factory.fail = nil
	hs.key("m")
	if out := hs.screenText(); strings.Contains(out, "AUTH_SECRET") || !strings.Contains(out, "ready") {
		t.Fatalf("the reason outlived a good build:\n%s", out)
	}
}

// An expired JWT's claims are shown, marked expired, and redacted.
func TestDetailShowsExpiredClaimsMarked(t *testing.T) {
	hs := newHarness(t, 5, 120, 40)
	hs.m.c.engine.Claims = func(string) (resolver.Claims, error) {
		return resolver.Claims{"name": "Alice Smith", "email": "alice.smith0@example.com", "sub": "user-000000"},
			fmt.Errorf("%w: session expired", ErrClaimsExpired)
	}
	hs.key("enter")
	out := hs.screenText()
	if !strings.Contains(out, "EXPIRED") || !strings.Contains(out, "a•••@example.com") || !strings.Contains(out, "expiry check") {
		t.Fatalf("expired claims not shown marked:\n%s", out)
	}
	if strings.Contains(out, "alice.smith0@") {
		t.Fatal("expired claims shown unredacted")
	}
}

// An engine whose resolutions write (an upstream Auth.js on the database
// strategy) is never run by browsing: no last results, a held detail,
// and enter on the detail resolves that one session only.
func TestWritingEngineIsNotRunByBrowsing(t *testing.T) {
	hs := newHarness(t, 20, 100, 30)
	hs.m.c.engine.Writes = true
	before := hs.factory.res.calls.Load()
	hs.run(hs.send(tickMsg{gen: hs.m.sessions.tickGen, now: testNow}))
	if got := hs.factory.res.calls.Load(); got != before {
		t.Fatalf("a refresh resolved %d rows through a writing engine", got-before)
	}
	hs.key("enter")
	if got := hs.factory.res.calls.Load(); got != before {
		t.Fatal("opening the detail resolved through a writing engine")
	}
	if out := hs.screenText(); !strings.Contains(out, "not resolved") {
		t.Fatalf("the held detail does not say so:\n%s", out)
	}
	hs.key("enter")
	if got := hs.factory.res.calls.Load(); got != before+1 {
		t.Fatalf("enter on the held detail made %d resolutions, want 1", got-before)
	}
	if out := hs.screenText(); !strings.Contains(out, "result: session") {
		t.Fatalf("no result after enter:\n%s", out)
	}
}
