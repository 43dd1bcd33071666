package demo

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"testing"
	"time"

	"github.com/authscope/authscope/bench"
	"github.com/authscope/authscope/internal/benchtarget"
	"github.com/authscope/authscope/profiles"
	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/tui"
	"github.com/authscope/authscope/tui/backend"
)

func startTestDemo(t *testing.T) *Demo {
	t.Helper()
	p, err := profiles.Find("demo", "")
	if err != nil {
		t.Fatal(err)
	}
	d, err := Start(t.Context(), p, func(k string) string {
		if k == benchtarget.SecretEnv {
			return "demo-test-secret"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Error(err)
		}
	})
	return d
}

func resolveWith(t *testing.T, d *Demo, mode resolver.Mode, st resolver.Strategy, token string) resolver.Result {
	t.Helper()
	r, cfg, err := d.Resolver(mode, st, false)
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Resolve(t.Context(), resolver.FromPairs(cfg.SessionCookieName(), token))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestDemoSmokeLoadRun runs the demo's smoke profile, shortened, through
// the TUI's runner: both scenarios measured, sessions found.
func TestDemoSmokeLoadRun(t *testing.T) {
	d := startTestDemo(t)
	profs := d.LoadProfiles()
	if len(profs) == 0 || profs[0].Name != "smoke" {
		t.Fatalf("profiles %v", profs)
	}
	smoke := profs[0]
	smoke.Config.Duration = bench.Duration(400 * time.Millisecond)
	smoke.Config.Rate = 100
	r := backend.NewBenchRunner([]backend.LoadProfile{smoke}, Capacity(), t.TempDir())
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	ch, err := r.Start(ctx, "smoke", tui.Settings{Mode: resolver.ModeLocal, Strategy: resolver.StrategyJWT})
	if err != nil {
		t.Fatal(err)
	}
	var last tui.RunSnapshot
	for s := range ch {
		last = s
	}
	if !last.Final || last.Err != nil || len(last.Scenarios) != 2 {
		t.Fatalf("final %v err %v scenarios %d", last.Final, last.Err, len(last.Scenarios))
	}
	for _, sc := range last.Scenarios {
		if sc.Requests == 0 || sc.Reasons[resolver.ReasonOK] == 0 {
			t.Fatalf("%s: %d requests, reasons %v", sc.Name, sc.Requests, sc.Reasons)
		}
	}
}

// TestDemoCloseWithAnUnusedConnection: a client's pool may hold a
// connection it dialled but never sent a request on (Go's Transport dials a
// spare while a busy connection frees up, more often on a loaded machine).
// http.Server.Shutdown counts such a connection idle only after 5s, so
// Close must end it after its grace period rather than report the wait as
// a failure.
func TestDemoCloseWithAnUnusedConnection(t *testing.T) {
	p, err := profiles.Find("demo", "")
	if err != nil {
		t.Fatal(err)
	}
	d, err := Start(t.Context(), p, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(d.Upstream(resolver.StrategyJWT))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host) // sends nothing
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// The server accepts connections in the order they were established,
	// so once a later one has been answered it holds this one (not just
	// the kernel's backlog) as new, waiting for a request.
	later, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(later, "GET /api/auth/session HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", u.Host)
	resp, err := http.ReadResponse(bufio.NewReader(later), nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	later.Close()
	if err := d.Close(); err != nil {
		t.Fatalf("Close with a connection that never sent a request: %v", err)
	}
	// The upstream is really gone: the server closed the held connection
	// too (a close or a reset, as the kernel reports it; not a timeout).
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Read(make([]byte, 1)); !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("read on the held connection after Close: %v, want EOF or a reset", err)
	}
}
