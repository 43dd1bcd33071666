package tui

import (
	"os/exec"
	"strings"
	"testing"
)

// tui depends on the rest of authscope only through its own interfaces
// (doc.go): no store driver, no package bench, no histogram, not even
// indirectly. Those belong to tui/backend; an import of one here would
// make the screens untestable without them.
func TestScreensImportNoBackend(t *testing.T) {
	out, err := exec.CommandContext(t.Context(), "go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 || !strings.Contains(string(out), "charm.land/bubbletea/v2\n") {
		t.Fatalf("go list -deps listed %d packages, not tui's dependencies", len(deps))
	}
	for _, p := range deps {
		switch {
		case p == "github.com/authscope/authscope/bench",
			strings.HasPrefix(p, "github.com/authscope/authscope/bench/"),
			strings.HasPrefix(p, "github.com/authscope/authscope/resolver/store/"), // the drivers
			strings.HasPrefix(p, "github.com/authscope/authscope/tui/"),
			strings.Contains(p, "hdrhistogram"):
			t.Errorf("tui depends on %s", p)
		}
	}
}
