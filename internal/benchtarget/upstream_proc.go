package benchtarget

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store/sqlitestore"
)

// The built-in upstream in a process of its own. A real Auth.js
// deployment answers in its own process; the built-in upstream served
// from the process that also runs the load generator shares one Go
// scheduler with it, and its latency then holds the generator's bursts:
// measured on a 2-core VM at 4,000 req/s, the upstream's own p99 was
// 3.5 ms in process and 2.0 ms in a process of its own (8,000/s: 4.8 and
// 2.6 ms), and its p99 stayed within a millisecond of 5 ms from 4k to 16k
// req/s, so a capacity search's knee for it (and for proxy mode, which
// calls it) landed anywhere in that range. In a process of its own its
// latency grows with its load, as a deployment's does.
//
// The parent binds the loopback listener (so the address is known at once
// and no port is raced for) and hands it to the child as file descriptor
// 3; the configuration, secrets included, goes down the child's stdin as
// one JSON line, never on its command line; the child answers "ready" on
// stdout once its handler is built (or exits with the reason on stderr),
// and exits when its stdin closes: when the parent closes the Env, or dies.

// UpstreamProcess says how to start the built-in upstream as a child:
// Path (the authscope executable) run with Args (the command that runs
// [RunUpstreamChild], ChildCommand for authscope) and Env added to the
// parent's environment. The zero value means in process.
type UpstreamProcess struct {
	Path string
	Args []string
	Env  []string
}

// ChildCommand is the hidden authscope command that runs the built-in
// upstream's child (RunUpstreamChild).
const ChildCommand = "__builtin-upstream"

// childSpec is the one line of JSON the child reads from its stdin.
type childSpec struct {
	Config  resolver.Config `json:"config"`
	Secrets []string        `json:"secrets"`
	// SQLite is the demo store's path (database strategy), opened
	// read-write as the in-process upstream uses it: Auth.js extends and
	// prunes sessions as it meets them. It is the run's own seeded file,
	// never a user's store.
	SQLite  string        `json:"sqlite,omitempty"`
	Latency time.Duration `json:"latency,omitempty"`
	Jitter  time.Duration `json:"jitter,omitempty"`
}

// Processes are the child processes serving the run's upstreams (their
// PIDs), for bench.Targets.Processes.
func (e *Env) Processes() []int { return slices.Clone(e.children) }

// childStart bounds the child's start-up: building the handler takes
// milliseconds; a wedged child must not hang the run.
const childStart = 15 * time.Second

// startUpstreamProcess is StartUpstream in a child process (see the file
// comment). sqlitePath is the store's file for the database strategy.
func (e *Env) startUpstreamProcess(up UpstreamProcess, strategy resolver.Strategy, sqlitePath string, latency, jitter time.Duration) (base, origin string, err error) {
	cfg := e.Settings(resolver.ModeLocal, strategy, false)
	cfg.BaseURL = ""
	spec := childSpec{Config: cfg, Secrets: cfg.Secrets, SQLite: sqlitePath, Latency: latency, Jitter: jitter}
	line, err := json.Marshal(spec)
	if err != nil {
		return "", "", err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", "", fmt.Errorf("listen: %w", err)
	}
	defer ln.Close() // the child holds its own copy
	lf, err := ln.(*net.TCPListener).File()
	if err != nil {
		return "", "", fmt.Errorf("listen: %w", err)
	}
	defer lf.Close()
	c, err := startChild(up, lf, line)
	if err != nil {
		return "", "", err
	}
	e.closers = append(e.closers, c.stop)
	e.children = append(e.children, c.cmd.Process.Pid)
	origin = "http://" + ln.Addr().String()
	return origin + strings.TrimSuffix(cfg.BasePath, "/"), origin, nil
}

// child is a running built-in upstream process.
type child struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *tailBuffer
	done   chan struct{} // closed when the process has exited
	err    error         // its exit, once done is closed
}

// startChild starts the child with the listener and the spec, and waits
// for its "ready".
func startChild(up UpstreamProcess, lf *os.File, spec []byte) (*child, error) {
	if up.Path == "" {
		return nil, errors.New("built-in upstream process: no executable")
	}
	cmd := exec.Command(up.Path, up.Args...)
	cmd.Env = append(os.Environ(), up.Env...)
	cmd.ExtraFiles = []*os.File{lf} // fd 3
	c := &child{cmd: cmd, stderr: &tailBuffer{max: 4096}, done: make(chan struct{})}
	cmd.Stderr = c.stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	c.stdin = stdin
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("built-in upstream process: %w", err)
	}
	go func() { c.err = cmd.Wait(); close(c.done) }()
	ready := make(chan error, 1)
	go func() { ready <- readReady(stdout) }()
	if _, err := stdin.Write(append(spec, '\n')); err != nil {
		c.stop()
		return nil, c.failure(err)
	}
	select {
	case err = <-ready:
	case <-time.After(childStart):
		err = fmt.Errorf("not ready within %s", childStart)
	}
	if err != nil {
		c.stop()
		return nil, c.failure(err)
	}
	return c, nil
}

// readReady reads the child's first line, which must be "ready"; the rest
// of stdout is drained so the child never blocks on it.
func readReady(r io.Reader) error {
	br := bufio.NewReader(r)
	line, err := br.ReadString('\n')
	go io.Copy(io.Discard, br) //nolint:errcheck // drained until the child exits
	if strings.TrimSpace(line) == "ready" {
		return nil
	}
	if err == nil {
		err = fmt.Errorf("unexpected %q", strings.TrimSpace(line))
	}
	return err
}

// failure is the child's start-up error, with the last line it wrote to
// stderr (its own reason) when there is one.
func (c *child) failure(err error) error {
	if msg := c.stderr.lastLine(); msg != "" {
		return fmt.Errorf("built-in upstream process: %s", msg)
	}
	return fmt.Errorf("built-in upstream process: %w", err)
}

// stop closes the child's stdin (it shuts down and exits) and kills it
// if it has not exited within a few seconds.
func (c *child) stop() error {
	c.stdin.Close()
	select {
	case <-c.done:
	case <-time.After(3 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
	return nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) lastLine() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := strings.Split(strings.TrimSpace(string(t.b)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// RunUpstreamChild is the child's side: it reads the spec from stdin,
// serves the built-in upstream's handler on the listener at file
// descriptor 3, says "ready" on stdout and serves until stdin closes or
// ctx ends. Errors are returned for the caller to print on stderr.
func RunUpstreamChild(ctx context.Context, stdin io.Reader, stdout io.Writer) error {
	br := bufio.NewReader(stdin)
	line, err := br.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("reading the upstream's configuration: %w", err)
	}
	var spec childSpec
	if err := json.Unmarshal(bytes.TrimSpace(line), &spec); err != nil {
		return fmt.Errorf("reading the upstream's configuration: %w", err)
	}
	spec.Config.Secrets = spec.Secrets
	lf := os.NewFile(3, "listener")
	if lf == nil {
		return errors.New("no listener at file descriptor 3")
	}
	ln, err := net.FileListener(lf)
	lf.Close()
	if err != nil {
		return fmt.Errorf("listener at file descriptor 3: %w", err)
	}
	defer ln.Close()
	var opts []resolver.Option
	if spec.SQLite != "" {
		st, err := sqlitestore.Open(ctx, spec.SQLite, sqlitestore.Options{MustExist: true})
		if err != nil {
			return fmt.Errorf("built-in upstream store: %w", err)
		}
		defer st.Close()
		opts = append(opts, resolver.WithStore(st))
	}
	r, err := resolver.New(spec.Config, opts...)
	if err != nil {
		return fmt.Errorf("built-in upstream (%s): %w", spec.Config.Strategy, err)
	}
	srv := &http.Server{Handler: SessionHandler(r, spec.Config, spec.Latency, spec.Jitter, false), ReadHeaderTimeout: 5 * time.Second}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { _, _ = io.Copy(io.Discard, br); cancel() }() // the parent closed stdin, or died
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	if _, err := io.WriteString(stdout, "ready\n"); err != nil {
		return err
	}
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	sctx, scancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer scancel()
	if err := srv.Shutdown(sctx); err != nil {
		return srv.Close()
	}
	return nil
}
