package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/authscope/authscope/resolver"
)

// Golden views: every screen at 80x24 and 120x40, ANSI stripped. Measured
// latencies are pinned so the output is deterministic. Regenerate with
// go test ./tui -run TestGolden -update.

// pinLatencies replaces measured latencies with fixed ones.
func pinLatencies(hs *harness) {
	s := &hs.m.sessions
	for k, r := range s.results {
		r.latency = 42 * time.Microsecond
		s.results[k] = r
	}
	if s.detail != nil {
		s.detail.latency = 42 * time.Microsecond
	}
	hs.m.status = statusBar{}
}

func TestGoldenViews(t *testing.T) {
	sizes := []struct {
		name string
		w, h int
	}{{"80x24", 80, 24}, {"120x40", 120, 40}}
	flows := []struct {
		name string
		keys []string
	}{
		{"sessions", nil},
		{"sessions-scrolled", []string{"j", "j", "j"}},
		{"sessions-database", []string{"s"}},
		{"filter", []string{"/", "g", "•", "•", "•", "@"}},
		{"detail", []string{"enter"}},
		{"detail-database", []string{"s", "enter"}},
		{"reveal-confirm", []string{"enter", "r"}},
		{"revealed", []string{"enter", "r", "y"}},
		{"revoke-confirm", []string{"s", "enter", "x"}},
		{"revoke-user-confirm", []string{"s", "enter", "X"}},
		{"resolver", []string{"2"}},
		{"load-idle", []string{"3"}},
		{"load-run", []string{"3", "space"}},
		// A search after a run replaces it on screen.
		{"load-capacity", []string{"3", "space", "p"}},
		{"help", []string{"?"}},
	}
	for _, sz := range sizes {
		for _, f := range flows {
			t.Run(sz.name+"/"+f.name, func(t *testing.T) {
				hs := newHarness(t, 1000, sz.w, sz.h)
				hs.key(f.keys...)
				pinLatencies(hs)
				golden.RequireEqual(t, hs.screenText())
			})
		}
	}
}

func TestGoldenResolverCounters(t *testing.T) {
	hs := newHarness(t, 10, 80, 24)
	hs.key("c", "2")
	hs.send(statsMsg{gen: hs.m.c.engineGen, stats: meterStats{
		Resolutions: 1200, UpstreamErrors: 3, P50: 31 * time.Microsecond, P99: 2 * time.Millisecond,
		Reasons: map[resolver.Reason]uint64{resolver.ReasonOK: 1100, resolver.ReasonExpired: 97, resolver.ReasonUpstreamTimeout: 3}, Cache: &CacheStats{Hits: 900, Misses: 300},
	}})
	hs.m.status = statusBar{}
	golden.RequireEqual(t, hs.screenText())
}

func TestGoldenTooSmall(t *testing.T) {
	hs := newHarness(t, 10, 80, 24)
	hs.send(tea.WindowSizeMsg{Width: 40, Height: 10})
	golden.RequireEqual(t, hs.screenText())
}

// A long value in the detail's JSON ends in "…" at the column's edge
// instead of wrapping to column 0 or being cut silently.
func TestCutLinesMarksTheCut(t *testing.T) {
	in := "{\n  \"image\": \"https://cdn.example.com/avatars/0123456789abcdef.png\"\n}"
	got := strings.Split(cutLines(in, 24), "\n")
	if len(got) != 3 || got[0] != "{" || got[2] != "}" {
		t.Fatalf("lines %q", got)
	}
	if w := ansi.StringWidth(got[1]); w != 24 || !strings.HasSuffix(got[1], "…") || !strings.HasPrefix(got[1], "  \"image\"") {
		t.Fatalf("cut line %q (%d wide)", got[1], w)
	}
}
