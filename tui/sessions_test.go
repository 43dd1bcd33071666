package tui

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/authscope/authscope/resolver"
)

// Sessions screen: windows, filter, sort, stale results, revoking from the
// list, the table at narrow widths, engines that write.

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
