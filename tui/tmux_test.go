package tui

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestTmuxSmoke builds the authscope binary once and drives it in a real
// terminal with e2e/tmux-smoke.sh: browse, filter, detail, reveal, toggles,
// a short load run and quit on the embedded demo, checking the screen for
// secrets at every step. It needs tmux: skipped without it, except in CI
// (CI=true), where its absence fails.
func TestTmuxSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("drives the real binary in tmux; skipped with -short")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux is required in CI (apt-get install -y tmux)")
		}
		t.Skip("tmux is not installed")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "authscope")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// A real terminal on a shared, loaded machine can miss a deadline: one
	// retry, with the first attempt's screen in the log. A broken flow
	// fails both.
	for attempt := 1; ; attempt++ {
		script := exec.CommandContext(ctx, "bash", filepath.Join("e2e", "tmux-smoke.sh"), bin)
		out, err := script.CombinedOutput()
		t.Logf("attempt %d:\n%s", attempt, out)
		if err == nil {
			return
		}
		if attempt == 2 || ctx.Err() != nil {
			t.Fatalf("tmux smoke: %v", err)
		}
	}
}
