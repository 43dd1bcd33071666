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
	// The script's waits are conditions on the screen with a generous
	// deadline, so a loaded machine makes it slower, not flaky: no retry.
	script := exec.CommandContext(ctx, "bash", filepath.Join("e2e", "tmux-smoke.sh"), bin)
	out, err := script.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("tmux smoke: %v", err)
	}
}
