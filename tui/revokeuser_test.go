package tui

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/authscope/authscope/resolver"
)

// usersHarness is a harness whose database rows belong to 10 users, 10
// sessions each.
func usersHarness(t *testing.T, readOnly bool) (*harness, *fakeSource) {
	t.Helper()
	hs := newHarness(t, 10, 100, 30)
	rows := demoRows(100, resolver.StrategyDatabase)
	for i := range rows {
		rows[i].UserID = fmt.Sprintf("user-%d", i%10)
	}
	db := newFakeSource(rows, true)
	hs.m.c.deps.Sessions = fakeSessions{jwt: hs.jwt, db: db}
	hs.m.c.deps.ReadOnly = readOnly
	return hs, db
}

// X in a database session's detail asks, then revokes every session of
// its user through the source, drops the user's cached answers and says
// how many went.
func TestRevokeAllOfAUsersSessions(t *testing.T) {
	hs, db := usersHarness(t, false)
	hs.key("s", "enter")
	d := hs.m.sessions.detail
	if d == nil {
		t.Fatal("no detail open")
	}
	user := d.row.UserID
	who := userKey(hs.m.c.redactor(false), d.row)
	if !strings.Contains(hs.screenText(), "X all the user's") {
		t.Fatalf("the detail does not offer X:\n%s", hs.screenText())
	}
	hs.key("X")
	if hs.m.confirm == nil {
		t.Fatal("X did not ask for confirmation")
	}
	out := hs.screenText()
	if !strings.Contains(out, "Revoke ALL the sessions of user "+who) || strings.Contains(out, user) {
		t.Fatalf("confirmation does not name the user by its key alone:\n%s", out)
	}
	hs.key("n")
	if db.Len() != 100 || hs.m.sessions.detail == nil {
		t.Fatalf("cancelled, yet %d rows left", db.Len())
	}
	hs.key("X", "y")
	if db.Len() != 90 {
		t.Fatalf("%d rows left, want 90 (the user's 10 revoked)", db.Len())
	}
	page, _ := db.List(t.Context(), ListQuery{Limit: 1000})
	if slices.ContainsFunc(page.Rows, func(r SessionRow) bool { return r.UserID == user }) {
		t.Fatal("a session of the user survived")
	}
	if got := hs.factory.invalidatedUsers; !slices.Equal(got, []string{user}) {
		t.Fatalf("cache invalidated for users %v, want [%s]", got, user)
	}
	if hs.m.sessions.detail != nil {
		t.Fatal("the revoked session's detail is still open")
	}
	if got := hs.m.status.text; got != "revoked 10 sessions of user "+who+" (cache invalidated)" {
		t.Fatalf("status %q", got)
	}
	if hs.m.sessions.total != 90 {
		t.Fatalf("list not reloaded: %d rows", hs.m.sessions.total)
	}

	// From the list too; a user already gone is said so, not an error.
	row, _ := hs.m.sessions.row(hs.m.sessions.sel)
	hs.key("X", "y")
	if db.Len() != 80 || hs.m.status.err != nil {
		t.Fatalf("list X: %d rows left, %v", db.Len(), hs.m.status.err)
	}
	hs.run(hs.send(revokeUserMsg{row: row}))
	if !strings.Contains(hs.m.status.text, "had no sessions left") {
		t.Fatalf("status %q", hs.m.status.text)
	}
}

// X is refused, with the reason, where revocation is: JWT sessions and
// read-only profiles. Nothing is asked, nothing deleted.
func TestRevokeUserRefused(t *testing.T) {
	hs, db := usersHarness(t, true)
	hs.key("s", "enter", "X")
	if hs.m.confirm != nil || db.Len() != 100 || hs.m.status.text != "read-only profile: revoke is off" {
		t.Fatalf("read-only: confirm %v, %d rows, status %q", hs.m.confirm, db.Len(), hs.m.status.text)
	}
	hs, _ = usersHarness(t, false)
	hs.key("enter", "X")
	if hs.m.confirm != nil || !strings.Contains(hs.m.status.text, "stateless") {
		t.Fatalf("jwt: confirm %v, status %q", hs.m.confirm, hs.m.status.text)
	}
}
