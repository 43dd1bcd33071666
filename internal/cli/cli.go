package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/authscope/authscope/internal/benchtarget"
)

// version is what `authscope --version` prints when set: main passes its
// -ldflags "-X main.version=..." value through Env.Version.
var version = ""

// command is one subcommand. run gets the arguments after the command name
// and returns an error; a usageError exits 2, any other error exits 1.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *cliEnv, args []string) error
}

// commands lists the subcommands in the order usage shows them.
func commands() []command {
	return []command{
		{"tui", "open the session explorer and load cockpit (the default)", runTUI},
		{"resolve", "resolve one Cookie header (stdin) to the Auth.js /session body", runResolve},
		{"mint", "mint an Auth.js session cookie from claims (stdin JSON)", runMint},
		{"profiles", "list, show and validate profiles", runProfiles},
		{"bench", "load-test session resolution: local versus proxy, HDR latencies", runBench},
		{"capacity", "find the highest rate each scenario holds within an SLO and plan for a peak", runCapacity},
		{"report", "merge bench reports, .hlog logs and vegeta results from several machines", runReport},
		{"compare", "compare a run's JSON report with a baseline's: regressions beyond the noise, for CI", runCompare},
		{"seed", "fill a session store with demo or load data", runSeed},
		{"db", "session store maintenance: migrate (add missing indexes)", runDB},
		{"serve", "serve Auth.js's GET /session (local or proxy, cached), /healthz and /metrics", runServe},
		{"upstream", "a stand-in Auth.js /session server with injectable latency and faults", runUpstream},
	}
}

// cliEnv is what commands read and write: streams and the environment, so
// tests can run commands in-process.
type cliEnv struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// executable is this program, which bench and capacity start again
	// as the built-in upstream's own process ("": they serve it in
	// process, as tests running commands in-process do).
	executable string
}

// usageError marks bad flags or configuration: exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// exitStatus ends a command with that exit code and no further message:
// the command has already said what happened on its own streams.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// exitDependency is resolve's exit code for "no session because a
// dependency (store, upstream) failed": stdout still reads null, as for a
// signed-out user, so scripts need the code to tell the two apart.
const exitDependency exitStatus = 3

// Env is the process the CLI runs in: its streams, its environment and
// the release version main was built with ("" for a development build).
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Version        string
	// Executable is this program's path (os.Executable), which bench and
	// capacity run again as the built-in upstream's process; "" serves
	// that upstream in process.
	Executable string
}

// Run runs the command line args (without the program name) and returns
// the exit code: 0 ok, 1 failure, 2 usage, 3 resolve's "a dependency
// failed". ctx ends the long-running
// commands (serve, upstream, bench, the TUI) gracefully.
func Run(ctx context.Context, e Env, args []string) int {
	if e.Version != "" {
		version = e.Version
	}
	return run(ctx, &cliEnv{stdin: e.Stdin, stdout: e.Stdout, stderr: e.Stderr, getenv: e.Getenv, executable: e.Executable}, args)
}

// run dispatches args and maps errors to exit codes: 0 ok, 1 failure, 2
// usage, or the code of an exitStatus.
func run(ctx context.Context, env *cliEnv, args []string) int {
	if len(args) == 0 {
		args = defaultArgs()
	}
	// Bare flags belong to the default command: `authscope --profile P`.
	if isDefaultCommandFlag(args[0]) {
		args = append(defaultArgs(), args...)
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		printUsage(env.stdout)
		return 0
	case "-version", "--version", "version":
		fmt.Fprintf(env.stdout, "authscope %s\n", buildVersion())
		return 0
	}
	if args[0] == benchtarget.ChildCommand { // hidden: bench's own child (internal/benchtarget/upstream_proc.go)
		// Its parent ends it by closing its stdin, after the run's last
		// request: a Ctrl-C reaches the whole process group, and the child
		// must not stop answering while the parent winds its run down.
		if err := benchtarget.RunUpstreamChild(context.WithoutCancel(ctx), env.stdin, env.stdout); err != nil {
			fmt.Fprintf(env.stderr, "authscope: built-in upstream: %v\n", err)
			return 1
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, env, args[1:])
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, new(exitStatus)):
			var es exitStatus
			errors.As(err, &es)
			return int(es)
		case errors.As(err, new(usageError)):
			fmt.Fprintf(env.stderr, "authscope %s: %v\n", c.name, err)
			return 2
		default:
			fmt.Fprintf(env.stderr, "authscope %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(env.stderr, "authscope: unknown command %q (see authscope --help)\n", args[0])
	return 2
}

// isDefaultCommandFlag reports whether arg is a flag for the default
// command rather than a global one (help, version).
func isDefaultCommandFlag(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "-version", "--version":
		return false
	}
	return strings.HasPrefix(arg, "-")
}

// defaultArgs is what a bare `authscope` runs.
func defaultArgs() []string { return []string{"tui"} }
