package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/authscope/authscope/resolver"
)

// Session detail: reveal and re-redaction, revocation, copy, claims.

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
