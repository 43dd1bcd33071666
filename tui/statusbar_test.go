package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestStatusBarShowsTheLatestMessage(t *testing.T) {
	hs := newHarness(t, 3, 100, 30)
	var b statusBar
	b.apply(&statusMsg{err: errors.New("build jwt resolver:\n  bad secret")})
	out := ansi.Strip(b.view(hs.m.c, 100))
	if !strings.Contains(out, "error: build jwt resolver: bad secret") {
		t.Fatalf("error not shown on one line: %q", out)
	}
	b.apply(nil)
	b.apply(&statusMsg{})
	if !strings.Contains(ansi.Strip(b.view(hs.m.c, 100)), "error:") {
		t.Fatal("an empty message replaced the error")
	}
	b.apply(&statusMsg{text: "resolver ready"})
	out = ansi.Strip(b.view(hs.m.c, 100))
	if strings.Contains(out, "error:") || !strings.Contains(out, "resolver ready") {
		t.Fatalf("a newer message did not replace the error: %q", out)
	}
	if w := len([]rune(out)); w > 100 {
		t.Fatalf("status bar is %d wide", w)
	}
	if got := ansi.Strip(b.view(hs.m.c, 30)); len([]rune(got)) > 30 {
		t.Fatalf("narrow status bar is %d wide: %q", len([]rune(got)), got)
	}
}

func TestErrText(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{fmt.Errorf("list: %w", context.DeadlineExceeded), "timed out: list: context deadline exceeded"},
		{errNoEngine, "resolver not ready (see the Resolver screen)"},
		{fmt.Errorf("revoke: %w", ErrNotSupported), "revoke: not supported"},
		{errors.New("a\n\tb"), "a b"},
	} {
		if got := errText(tc.err); got != tc.want {
			t.Errorf("errText(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// A long error is shown whole when it fits beside the segments and the
// help hint, cut with "…" when it does not; the profile, settings,
// redaction and "? help" stay either way.
func TestStatusBarErrorUsesTheWidth(t *testing.T) {
	hs := newHarness(t, 3, 100, 30)
	var b statusBar
	msg := "build proxy/database resolver: upstream 127.0.0.1:3000: refused"
	b.apply(&statusMsg{err: errors.New(msg)})
	out := ansi.Strip(b.view(hs.m.c, 130))
	if !strings.Contains(out, msg) || !strings.Contains(out, "redaction on") || !strings.Contains(out, "local · jwt") ||
		!strings.HasSuffix(strings.TrimSpace(out), "? help") {
		t.Fatalf("130 columns: %q", out)
	}
	if strings.Count(out, "jwt") != 1 {
		t.Fatalf("the state is repeated: %q", out)
	}
	if w := len([]rune(out)); w > 130 {
		t.Fatalf("%d wide", w)
	}
	out = ansi.Strip(b.view(hs.m.c, 120))
	if !strings.Contains(out, "…") || !strings.HasSuffix(strings.TrimSpace(out), "? help") {
		t.Fatalf("120 columns: the error is not the part cut: %q", out)
	}
	b.apply(&statusMsg{text: "short"})
	if out := ansi.Strip(b.view(hs.m.c, 120)); !strings.Contains(out, "? help") || !strings.Contains(out, "demo") {
		t.Fatalf("a short message hid the help hint or profile: %q", out)
	}
}

// At 80 columns a long message is cut, never the profile name: which
// deployment the screen shows matters more than the end of a message.
func TestStatusBarKeepsTheProfileAt80(t *testing.T) {
	hs := newHarness(t, 3, 80, 24)
	var b statusBar
	for _, st := range []*statusMsg{
		{text: "revoked session 0123456789abcdef (cache invalidated) and a few more words"},
		{err: errors.New("build proxy/database resolver: upstream 127.0.0.1:3000: connection refused")},
	} {
		b.apply(st)
		out := ansi.Strip(b.view(hs.m.c, 80))
		if !strings.HasPrefix(strings.TrimSpace(out), "demo") {
			t.Errorf("profile name lost: %q", out)
		}
		if !strings.Contains(out, "…") || !strings.Contains(out, "redaction on") {
			t.Errorf("the message was not the part cut: %q", out)
		}
		// ? help is how every other key is found: it never falls off.
		if !strings.HasSuffix(strings.TrimSpace(out), "? help") {
			t.Errorf("? help fell off at 80 columns: %q", out)
		}
		if w := ansi.StringWidth(out); w > 80 {
			t.Errorf("%d wide: %q", w, out)
		}
	}
}
