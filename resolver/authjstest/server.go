package authjstest

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// RequireLive skips the test unless AUTHSCOPE_INTEROP=live and the harness
// can run (node on PATH, npm ci done in testdata/authjs). Under CI=true a
// harness that cannot run is a failure, not a skip.
func RequireLive(t testing.TB) {
	t.Helper()
	if os.Getenv("AUTHSCOPE_INTEROP") != "live" {
		t.Skip("live Auth.js interop is off: run `npm ci` in testdata/authjs, then AUTHSCOPE_INTEROP=live go test -run Live (.ci/run does this)")
	}
	missing := ""
	if _, err := exec.LookPath("node"); err != nil {
		missing = "node is not on PATH"
	} else if _, err := os.Stat(filepath.Join(Dir, "node_modules", "@auth", "express")); err != nil {
		missing = "testdata/authjs/node_modules is missing (run `npm ci` there)"
	}
	if missing != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("AUTHSCOPE_INTEROP=live in CI but %s", missing)
		}
		t.Skipf("AUTHSCOPE_INTEROP=live but %s", missing)
	}
}

// Start runs the real Auth.js (server.mjs on a free loopback port) with env
// and nothing else from the test's environment but PATH/HOME, after
// RequireLive, and returns its origin. The process is stopped when the test
// ends; it also exits by itself if its stdin closes.
func Start(t testing.TB, env map[string]string) string {
	t.Helper()
	return StartScript(t, "server.mjs", env)
}

// StartScript is Start for another server script of the harness (such as
// jws-server.mjs) that takes the port as its argument and prints
// "listening <port>" when ready.
func StartScript(t testing.TB, script string, env map[string]string) string {
	t.Helper()
	RequireLive(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	cmd := exec.CommandContext(ctx, "node", script, "0")
	cmd.Dir = Dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "NODE_ENV=test", "AUTHJS_EXIT_ON_STDIN_EOF=1"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start %s: %v", script, err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cancel() // SIGTERM, then SIGKILL after WaitDelay
		_ = cmd.Wait()
	})

	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if port, ok := strings.CutPrefix(sc.Text(), "listening "); ok {
				ready <- port
				break
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case port := <-ready:
		return "http://127.0.0.1:" + port
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not become ready in 30s; stderr:\n%s", script, stderr.String())
	case <-ctx.Done():
		t.Fatalf("%s exited early; stderr:\n%s", script, stderr.String())
	}
	return ""
}

// lockedBuffer collects the server's stderr (the first 64 KiB) for
// failure messages.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() < 64<<10 {
		l.b.Write(p)
	}
	return len(p), nil
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
