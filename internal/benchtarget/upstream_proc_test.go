package benchtarget

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/bench"
)

// childEnv makes this test binary the built-in upstream's child (TestMain).
const childEnv = "BENCHTARGET_UPSTREAM_CHILD"

func TestMain(m *testing.M) {
	switch os.Getenv(childEnv) {
	case "serve":
		if err := RunUpstreamChild(context.Background(), os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	case "fail":
		fmt.Fprintln(os.Stderr, "warming up\nthe child's own reason")
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// selfChild runs this test binary as the upstream's child.
func selfChild(mode string) UpstreamProcess {
	return UpstreamProcess{Path: os.Args[0], Env: []string{childEnv + "=" + mode}}
}

// upstreamSetup is the built-in comparison's upstream and proxy scenarios
// for strategy, their upstream in process or (up set) in a child.
func upstreamSetup(t *testing.T, strategy string, up UpstreamProcess) *Setup {
	t.Helper()
	cfg := CompareConfig()
	cfg.Population.Sessions = 20
	cfg.Scenarios = []bench.ScenarioSpec{
		{Name: "up", Mode: "upstream", Strategy: strategy, Via: bench.ViaHTTP},
		{Name: "px", Mode: "proxy", Strategy: strategy},
	}
	cfg.Baseline = "up"
	secret := "upstream-proc-test-secret-0123456789abcdef"
	s, err := NewSetup(context.Background(), cfg, Options{Profile: demoProfile(t), UpstreamProcess: up,
		Getenv: func(k string) string {
			if k == SecretEnv {
				return secret
			}
			return ""
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// expiresRE is the session's expiry, which moves with the clock.
var expiresRE = regexp.MustCompile(`"expires":"[^"]*"`)

// answers GETs the scenario's upstream URL with each cookie of kind k.
func answers(t *testing.T, s *Setup, k bench.Kind) []string {
	t.Helper()
	pop := s.Targets.Populations["up"]
	var out []string
	for i := range pop.Size() {
		req, _ := http.NewRequest(http.MethodGet, s.Config.Scenarios[0].URL, nil)
		req.Header.Set("Cookie", pop.Cookie(k, i))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		out = append(out, fmt.Sprintf("%d %s", resp.StatusCode, expiresRE.ReplaceAll(body, []byte(`"expires":"…"`))))
	}
	return out
}

// TestUpstreamProcessAnswersAsInProcess: the built-in upstream in a
// process of its own answers every cookie of the population (valid,
// expired, tampered) as the in-process one does, for the jwt strategy
// and for the database strategy over the demo's SQLite store, and the
// note says where it runs; closing the setup ends the child.
func TestUpstreamProcessAnswersAsInProcess(t *testing.T) {
	for _, strategy := range []string{"jwt", "database"} {
		t.Run(strategy, func(t *testing.T) {
			in := upstreamSetup(t, strategy, UpstreamProcess{})
			child := upstreamSetup(t, strategy, selfChild("serve"))
			if len(child.Targets.Processes) != 1 || len(in.Targets.Processes) != 0 {
				t.Fatalf("target processes: in process %v, child %v", in.Targets.Processes, child.Targets.Processes)
			}
			if !strings.Contains(strings.Join(child.Notes, "\n"), "in its own process") ||
				strings.Contains(strings.Join(in.Notes, "\n"), "in its own process") {
				t.Fatalf("notes: in process %q, child %q", in.Notes, child.Notes)
			}
			sessions := 0
			for _, k := range []bench.Kind{bench.KindValid, bench.KindExpired, bench.KindTampered} {
				want, got := answers(t, in, k), answers(t, child, k)
				if strings.Join(want, "\n") != strings.Join(got, "\n") {
					t.Fatalf("kind %v: in process\n%s\nchild\n%s", k, strings.Join(want, "\n"), strings.Join(got, "\n"))
				}
				for _, a := range got {
					if strings.Contains(a, `"user"`) {
						sessions++
					}
				}
			}
			if sessions == 0 {
				t.Fatal("no cookie resolved to a session: the comparison proves nothing")
			}
			url := child.Config.Scenarios[0].URL
			if err := child.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := http.Get(url); err == nil {
				t.Fatal("the child still answers after Close")
			}
		})
	}
}

// TestUpstreamProcessExitsWhenStdinCloses: the child serves until its
// stdin closes (the parent closed the Env, or died) and then exits by
// itself, with status 0, without being killed.
func TestUpstreamProcessExitsWhenStdinCloses(t *testing.T) {
	cfg := testConfig()
	line, err := json.Marshal(childSpec{Config: cfg, Secrets: cfg.Secrets})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lf, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	c, err := startChild(selfChild("serve"), lf, line)
	lf.Close()
	ln.Close()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + ln.Addr().String() + "/api/auth/session")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != "null" {
		t.Fatalf("no cookie: %d %q, want Auth.js's 200 null", resp.StatusCode, body)
	}
	c.stdin.Close()
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		t.Fatal("the child did not exit when its stdin closed")
	}
	if c.err != nil {
		t.Fatalf("child exit: %v (stderr %q)", c.err, c.stderr.lastLine())
	}
}

// TestUpstreamProcessStartErrors: a child that cannot start, or exits
// before it is ready, is a one-line error naming its own reason.
func TestUpstreamProcessStartErrors(t *testing.T) {
	for _, tc := range []struct {
		up   UpstreamProcess
		want string
	}{
		{UpstreamProcess{Path: "/nonexistent/authscope"}, "built-in upstream process: fork/exec /nonexistent/authscope"},
		{selfChild("fail"), "built-in upstream process: the child's own reason"},
	} {
		cfg := CompareConfig()
		cfg.Population.Sessions = 5
		cfg.Scenarios = []bench.ScenarioSpec{{Name: "up", Mode: "upstream", Via: bench.ViaHTTP}}
		cfg.Baseline = "up"
		_, err := NewSetup(context.Background(), cfg, Options{Profile: demoProfile(t), UpstreamProcess: tc.up, Getenv: func(string) string { return "" }})
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Fatalf("error %v, want one line with %q", err, tc.want)
		}
	}
}
